/*
 * chat_parsers.c - the chat parser group (WhatsApp, QQ, Telegram), listed in
 * registry order. Each parser lives in its own file; chat.h declares them.
 */
#include "parsers/chat/chat.h"

const struct cu_parser *const cu_parsers_chat[] = {
    &cu_parser_whatsapp_ios,
    &cu_parser_whatsapp_ios_contacts,
    &cu_parser_whatsapp_ios_calls,
    &cu_parser_whatsapp_android,
    &cu_parser_whatsapp_android_contacts,
    &cu_parser_whatsapp_android_backup,
    &cu_parser_qq_android,
    &cu_parser_qq_android_nt,
    &cu_parser_qq_ios,
    &cu_parser_telegram_android,
    &cu_parser_telegram_ios,
    NULL,
};
