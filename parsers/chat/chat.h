/*
 * chat.h - private to parsers/chat/: the WhatsApp, QQ and Telegram
 * parsers of the group and the decoders they use.
 */
#ifndef CUSTOS_PARSERS_CHAT_H
#define CUSTOS_PARSERS_CHAT_H

#include "parsers/parsers.h"
#include "parsers/chat/qq_xor.h"
#include "parsers/chat/telegram_tl.h"

extern const struct cu_parser cu_parser_whatsapp_ios;
extern const struct cu_parser cu_parser_whatsapp_ios_contacts;
extern const struct cu_parser cu_parser_whatsapp_ios_calls;
extern const struct cu_parser cu_parser_whatsapp_android;
extern const struct cu_parser cu_parser_whatsapp_android_contacts;
extern const struct cu_parser cu_parser_whatsapp_android_backup;
extern const struct cu_parser cu_parser_qq_android;
extern const struct cu_parser cu_parser_qq_android_nt;
extern const struct cu_parser cu_parser_qq_ios;
extern const struct cu_parser cu_parser_telegram_android;
extern const struct cu_parser cu_parser_telegram_ios;

#endif
