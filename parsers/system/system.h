/*
 * system.h - private to parsers/system/: the parsers and helpers shared
 * between files of this group.
 */
#ifndef CUSTOS_PARSERS_SYSTEM_H
#define CUSTOS_PARSERS_SYSTEM_H

#include "parsers/parsers.h"

extern const struct cu_parser cu_parser_sms_ios;
extern const struct cu_parser cu_parser_addressbook_ios;
extern const struct cu_parser cu_parser_callhistory_ios;
extern const struct cu_parser cu_parser_mmssms_android;
extern const struct cu_parser cu_parser_contacts2_android;
extern const struct cu_parser cu_parser_calllog_android;

/* Android CallLog.Calls `calls` table (calllog.db, or contacts2.db before
 * Android 7) -> calls. db is open on a's staged copy. */
enum cu_status cu_system_android_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       sqlite3 *db, struct cu_error *err);

/* probe helper: conf when the staged copy has table or does not open
 * (so the damage gets reported), conf / 2 when it opens without it. */
int cu_system_probe_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *table,
			  int conf);

/* Error for a guarded row loop (cu_rows_step) that ended with s, neither
 * SQLITE_ROW nor SQLITE_DONE: the damaged-file error for CU_ROWS_DAMAGED,
 * else "'<file>': reading <reading>: <SQLite message>". */
enum cu_status cu_system_step_error(const struct cu_artifact *a, sqlite3 *db, int s,
				    const char *reading, struct cu_error *err);

/* The row loop of the system parsers: cu_rows_step(); true with a row;
 * false at the end with *rc = CU_OK, or on failure with *rc and err set
 * by cu_system_step_error(). */
bool cu_system_next(const struct cu_artifact *a, sqlite3 *db, sqlite3_stmt *st,
		    struct cu_rows *rows, const char *reading, enum cu_status *rc,
		    struct cu_error *err);

/* A growing list of strings joined with sep (deduplicated). */
enum cu_status cu_system_join_add(struct cu_buf *b, const char *sep, const char *s,
				  struct cu_error *err);

#endif
