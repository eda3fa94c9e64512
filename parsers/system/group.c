/*
 * group.c - the system parser group (iOS and Android system apps), in
 * registry order. Each parser is one file in parsers/system/.
 */
#include "parsers/parsers.h"

const struct cu_parser *const cu_parsers_system[] = {
	NULL,
};
