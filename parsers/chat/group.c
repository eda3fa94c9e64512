/*
 * group.c - the chat parser group, listed in registry order.
 */
#include "parsers/parsers.h"

const struct cu_parser *const cu_parsers_chat[] = {
	NULL,
};
