/*
 * callhistory_ios.c - iOS CallHistory.storedata -> calls.
 *
 * Covers the Core Data store of iOS 8-17 (APPS.md 6.4): ZCALLRECORD(Z_PK,
 * ZADDRESS - text, or a BLOB holding the text on some versions -, ZDATE
 * Cocoa seconds, ZDURATION seconds (float; whole seconds kept), ZORIGINATED 1 outgoing,
 * ZANSWERED, ZCALLTYPE 1 phone / 8 FaceTime video / 16 FaceTime audio /
 * 0 third party, ZSERVICE_PROVIDER bundle id). app: "calls" for the phone,
 * "facetime" for FaceTime, "whatsapp"/"wechat"/"telegram" for those
 * providers' CallKit entries, else "calls"; raw_type keeps the provider and
 * call type.
 * Fixture: fixtures/apps/callhistory-ios (CallHistory.sql + expected.json);
 * no public sample was found (shared/samples/SOURCES.md).
 */
#include "parsers/system/system.h"

#include <string.h>

static const char *app_for(const char *provider, int64_t type)
{
	if (provider) {
		if (strstr(provider, "FaceTime"))
			return "facetime";
		if (strstr(provider, "whatsapp"))
			return "whatsapp";
		if (strstr(provider, "tencent.xin"))
			return "wechat";
		if (strstr(provider, "telegra"))
			return "telegram";
		if (strstr(provider, "tencent.mqq"))
			return "qq";
	}
	if (type == 8 || type == 16)
		return "facetime";
	return "calls";
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct cu_buf sql = CU_BUF_INIT, addr = CU_BUF_INIT, raw = CU_BUF_INIT;
	const char *what = a->device_path;
	struct cu_rows rows;
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc)
		return rc;
	if (!cu_sqlite_has_table(db, "ZCALLRECORD")) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': table 'ZCALLRECORD' missing: not an iOS call history",
				  what);
		goto out;
	}
	rc = cu_buf_printf(&sql, err,
			   "SELECT Z_PK, %s, %s, %s, %s, %s, %s, %s FROM ZCALLRECORD ORDER BY Z_PK",
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZADDRESS"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZDATE"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZDURATION"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZORIGINATED"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZANSWERED"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZCALLTYPE"),
			   cu_sqlite_col_or_null(db, "ZCALLRECORD", "ZSERVICE_PROVIDER"));
	if (!rc)
		rc = cu_sqlite_prepare(db, sql.data, &st, what, err);
	if (rc)
		goto out;
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, st, &rows, "table ZCALLRECORD", &rc, err)) {
		struct cu_call c;
		struct cu_row_extra x = CU_ROW_EXTRA_INIT;
		int64_t orig, ans, type;
		const char *prov;

		cu_buf_reset(&addr);
		cu_buf_reset(&raw);
		if (sqlite3_column_type(st, 1) == SQLITE_BLOB) {
			const void *b = sqlite3_column_blob(st, 1);
			int n = sqlite3_column_bytes(st, 1);

			if (b && n > 0)
				rc = cu_buf_append(&addr, b, cu_utf8_valid_prefix(b, (size_t)n),
						   err);
		} else if (cu_sqlite_text(st, 1)) {
			rc = cu_buf_puts(&addr, cu_sqlite_text(st, 1), err);
		}
		if (rc)
			goto out;
		orig = cu_sqlite_i64(st, 4);
		ans = cu_sqlite_i64(st, 5);
		type = cu_sqlite_i64(st, 6);
		prov = cu_sqlite_text(st, 7);
		memset(&c, 0, sizeof(c));
		c.app = app_for(prov, type);
		c.counterpart = addr.len ? addr.data : NULL;
		c.direction = orig == 1 ? "outgoing" : orig == 0 ? "incoming" : NULL;
		c.started_ms = CU_UNKNOWN;
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			double d = sqlite3_column_double(st, 2);

			if (d > 0 && d < 1e11)
				c.started_ms = cu_time_from_cocoa_s(d);
		}
		c.duration_s = CU_UNKNOWN;
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			double d = sqlite3_column_double(st, 3);

			if (d >= 0 && d < 1e9)
				c.duration_s = (int64_t)d; /* whole seconds elapsed */
		}
		c.answered = ans == CU_UNKNOWN ? -1 : ans != 0;
		rc = cu_buf_printf(&raw, err, "%s/%lld", prov ? prov : "?",
				   (long long)(type == CU_UNKNOWN ? -1 : type));
		if (rc)
			goto out;
		x.raw_type = raw.data;
		c.prov = cu_prov_row(a, "ZCALLRECORD", sqlite3_column_int64(st, 0));
		rc = cu_sink_call_x(ctx, &c, &x, NULL, err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	cu_buf_release(&sql);
	cu_buf_release(&addr);
	cu_buf_release(&raw);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "ZCALLRECORD", 90);
}

static const char *const patterns[] = {
    "*Library/CallHistoryDB/CallHistory.storedata",
    NULL,
};

const struct cu_parser cu_parser_callhistory_ios = {
    .name = "ios-callhistory",
    .app = "calls",
    .platforms = CU_PLATFORM_IOS,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
