/*
 * system_parsers.c - the system parser group (iOS and Android system apps), in
 * registry order. Each parser is one file in parsers/system/.
 */
#include "parsers/system/system.h"

const struct cu_parser *const cu_parsers_system[] = {
    &cu_parser_sms_ios,
    &cu_parser_addressbook_ios,
    &cu_parser_callhistory_ios,
    &cu_parser_mmssms_android,
    &cu_parser_contacts2_android,
    &cu_parser_calllog_android,
    &cu_parser_content_sms_android,
    &cu_parser_content_mms_android,
    &cu_parser_content_calls_android,
    &cu_parser_content_contacts_android,
    NULL,
};
