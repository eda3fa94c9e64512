/*
 * system.h - private to parsers/system/: the parsers and helpers shared
 * between files of this group.
 */
#ifndef CUSTOS_PARSERS_SYSTEM_H
#define CUSTOS_PARSERS_SYSTEM_H

#include "parsers/parsers.h"
#include "parsers/payments/banksms.h"
#include "parsers/system/typedstream.h"

extern const struct cu_parser cu_parser_sms_ios;
extern const struct cu_parser cu_parser_addressbook_ios;
extern const struct cu_parser cu_parser_callhistory_ios;
extern const struct cu_parser cu_parser_mmssms_android;
extern const struct cu_parser cu_parser_contacts2_android;
extern const struct cu_parser cu_parser_calllog_android;
/* content_android.c: provider dumps of an ADB acquisition */
extern const struct cu_parser cu_parser_content_sms_android;
extern const struct cu_parser cu_parser_content_mms_android;
extern const struct cu_parser cu_parser_content_calls_android;
extern const struct cu_parser cu_parser_content_contacts_android;

/* The Android CallLog.Calls table (calllog_android.c). */
extern const struct cu_table_spec cu_spec_android_calls;

/* Android CallLog.Calls `calls` table (calllog.db, or contacts2.db before
 * Android 7) -> calls. db is open on a's staged copy. */
enum cu_status cu_system_android_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       sqlite3 *db, struct cu_error *err) CU_WARN_UNUSED;

#endif
