/*
 * wechat_parsers.c - the wechat parser group, listed in registry order.
 */
#include "parsers/wechat/wechat_int.h"

const struct cu_parser *const cu_parsers_wechat[] = {
    &cu_parser_wechat_android,
    &cu_parser_wechat_ios,
    NULL,
};
