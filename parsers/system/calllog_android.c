/*
 * calllog_android.c - Android call log -> calls (app "calls").
 *
 * CallLog.Calls `calls` table (APPS.md 7.4): number, date (Unix ms),
 * duration (s), type 1 incoming, 2 outgoing, 3 missed, 4 voicemail,
 * 5 rejected, 6 blocked, 7 answered externally; raw_type keeps the code.
 * The table lives in calllog.db since Android 7 and in contacts2.db before
 * (contacts2_android.c calls cu_system_android_calls for that case).
 * Rows with deleted = 1 (a sync-adapter soft delete) are kept, raw_type
 * then says so.
 * Fixtures: fixtures/apps/calllog-android (calllog.sql + expected.json),
 * shared/samples/android-calllog/plaso_emulator/contacts2.db (3 calls).
 */
#include "parsers/system/system.h"

#include <string.h>

enum cu_status cu_system_android_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       sqlite3 *db, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *what = a->device_path;
	char raw[48];
	struct cu_rows rows;
	enum cu_status rc;

	rc = cu_buf_printf(&sql, err, "SELECT _id, %s, %s, %s, %s, %s FROM calls ORDER BY _id",
			   cu_sqlite_col_or_null(db, "calls", "number"),
			   cu_sqlite_col_or_null(db, "calls", "date"),
			   cu_sqlite_col_or_null(db, "calls", "duration"),
			   cu_sqlite_col_or_null(db, "calls", "type"),
			   cu_sqlite_col_or_null(db, "calls", "deleted"));
	if (!rc)
		rc = cu_sqlite_prepare(db, sql.data, &st, what, err);
	if (rc)
		goto out;
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, st, &rows, "table calls", &rc, err)) {
		struct cu_call c;
		struct cu_row_extra x = CU_ROW_EXTRA_INIT;
		int64_t type, date, dur;

		type = cu_sqlite_i64(st, 4);
		date = cu_sqlite_i64(st, 2);
		dur = cu_sqlite_i64(st, 3);
		memset(&c, 0, sizeof(c));
		c.app = "calls";
		c.counterpart = cu_sqlite_text(st, 1);
		c.started_ms = date > 0 ? date : CU_UNKNOWN;
		c.duration_s = dur;
		switch (type) {
		case 1: /* incoming */
		case 7: /* answered on another device */
			c.direction = "incoming";
			c.answered = 1;
			break;
		case 2:
			c.direction = "outgoing";
			/* the log does not say whether the far end answered; a
			 * connected call has a duration */
			c.answered = dur == CU_UNKNOWN ? -1 : dur > 0;
			break;
		case 3: /* missed */
		case 4: /* voicemail */
		case 5: /* rejected */
		case 6: /* blocked */
			c.direction = "incoming";
			c.answered = 0;
			break;
		default: c.direction = NULL; c.answered = -1;
		}
		if (type != CU_UNKNOWN) {
			snprintf(raw, sizeof(raw), "%lld%s", (long long)type,
				 cu_sqlite_i64(st, 5) == 1 ? " deleted" : "");
			x.raw_type = raw;
		}
		c.prov = cu_prov_row(a, "calls", sqlite3_column_int64(st, 0));
		rc = cu_sink_call_x(ctx, &c, &x, NULL, err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(st);
	cu_buf_release(&sql);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "calls", 90);
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc)
		return rc;
	if (!cu_sqlite_has_table(db, "calls"))
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': table 'calls' missing: not an Android call log",
				  a->device_path);
	else
		rc = cu_system_android_calls(ctx, a, db, err);
	sqlite3_close(db);
	return rc;
}

static const char *const patterns[] = {
    "*/com.android.providers.contacts/databases/calllog.db",
    "*/com.samsung.android.providers.contacts/databases/calllog.db",
    NULL,
};

const struct cu_parser cu_parser_calllog_android = {
    .name = "android-calllog",
    .app = "calls",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
