/*
 * test_wechat_more.c - the wechat-ios and alipay-android parsers through
 * cu_parse_file() on databases built from the SQL in tests/data/wechat/, compared
 * with the reviewed golden rows tests/golden/wechat_ios.txt and
 * tests/golden/wechat_alipay.txt: iOS Chat_<md5> tables resolved by
 * hashing Friend usernames (protobuf remarks), Des 0 = sent, seconds to
 * ms, group prefixes, a transfer deduplicated, recall, an unresolved table
 * kept as Chat_<md5>; Alipay payment notices (JSON) to payments.
 */
#include "parsers/parsers.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *tmp, *src;

static bool build_db(const char *sql_path, const char *db_path)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	sqlite3 *db = NULL;
	char *msg = NULL;
	bool ok;

	unlink(db_path);
	if (cu_file_read_all(sql_path, 1 << 24, &b, &err) != CU_OK) {
		tap_diag("%s", err.msg);
		return false;
	}
	ok = sqlite3_open(db_path, &db) == SQLITE_OK &&
	     sqlite3_exec(db, b.data, NULL, NULL, &msg) == SQLITE_OK;
	if (!ok)
		tap_diag("building %s: %s", db_path, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	cu_buf_release(&b);
	return ok;
}

/* Every row of our own database, in a stable text form. */
static const char golden_sql[] =
    "SELECT 'account|' || identifier || '|' || ifnull(display_name, '') FROM accounts\n"
    "UNION ALL SELECT * FROM (SELECT 'contact|' || source_rowid || '|' || identifier || '|' ||"
    " ifnull(display_name, '~') || '|' || ifnull(alias, '~') || '|' || ifnull(remark, '~')"
    " FROM contacts ORDER BY source_rowid)\n"
    "UNION ALL SELECT * FROM (SELECT 'conv|' || identifier || '|' || ifnull(title, '~') || '|'"
    " || is_group FROM conversations ORDER BY conversation_id)\n"
    "UNION ALL SELECT * FROM (SELECT 'msg|' || m.source_rowid || '|' || ifnull(c.identifier, '~')"
    " || '|' || ifnull(m.sender, '~') || '|' || ifnull(m.sender_name, '~') || '|' || m.direction"
    " || '|' || ifnull(m.sent_ms, '~') || '|' || ifnull(m.sent_utc, '~') || '|' || m.kind || '|'"
    " || m.raw_type || '|' || ifnull(m.status, '~') || '|' || ifnull(m.attachment, '~') || '|'"
    " || replace(ifnull(m.body, '~'), char(10), '\\n')"
    " FROM messages m LEFT JOIN conversations c USING (conversation_id)"
    " ORDER BY m.source_id, m.source_table, m.source_rowid)\n"
    "UNION ALL SELECT * FROM (SELECT 'pay|' || p.app || '|' || p.kind || '|' || p.direction || '|'"
    " || ifnull(p.amount_minor, '~') || '|' || p.currency || '|' || ifnull(p.counterparty, '~')"
    " || '|' || ifnull(p.counterparty_name, '~') || '|' || ifnull(p.status, '~') || '|' ||"
    " ifnull(p.memo, '~') || '|' || ifnull(p.transaction_id, '~') || '|' || ifnull(p.occurred_ms, '~') ||"
    " '|' || ifnull(m.source_rowid, '~') || '|' || p.source_table || '|' || p.source_rowid"
    " FROM payments p LEFT JOIN messages m USING (message_id) ORDER BY p.payment_id)\n"
    "UNION ALL SELECT * FROM (SELECT 'call|' || counterpart || '|' || direction || '|' ||"
    " ifnull(started_ms, '~') || '|' || ifnull(duration_s, '~') || '|' || ifnull(answered, '~')"
    " || '|' || ifnull(raw_type, '~') || '|' || source_table || '|' || source_rowid FROM calls"
    " ORDER BY call_id)";

static char *dump_rows(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	struct cu_buf b = CU_BUF_INIT;

	if (sqlite3_prepare_v2(db, golden_sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("golden sql: %s", sqlite3_errmsg(db));
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		TAP_MUST(cu_buf_puts(&b, t ? t : "(null)", NULL));
		TAP_MUST(cu_buf_putc(&b, '\n', NULL));
	}
	sqlite3_finalize(st);
	return cu_buf_detach(&b, NULL);
}

static void run_one(const char *parser, const char *const *sqls, const char *const *devpaths,
		    size_t n, const char *platform, const char *golden, const char *label)
{
	char gold_path[2048], case_path[2048];
	struct cu_buf want = CU_BUF_INIT;
	struct cu_error err;
	const struct cu_parser *p = cu_parser_find(parser);
	sqlite3 *cdb = NULL;
	char *got = NULL;
	size_t i;

	if (!tap_ok(p != NULL, "%s registered", parser))
		return;
	snprintf(case_path, sizeof(case_path), "%s/%s-case.db", tmp, label);
	unlink(case_path);
	if (!tap_ok(sqlite3_open(case_path, &cdb) == SQLITE_OK &&
			cu_casedb_create(cdb, &err) == CU_OK,
		    "%s: case.db", label))
		goto out;
	for (i = 0; i < n; i++) {
		char sql_path[2048], db_path[2048];
		struct cu_parse_file_opts o;
		struct cu_parse_stats stats;
		enum cu_status rc;

		snprintf(sql_path, sizeof(sql_path), "%s/tests/data/wechat/%s.sql", src, sqls[i]);
		snprintf(db_path, sizeof(db_path), "%s/%s.db", tmp, sqls[i]);
		if (!tap_ok(build_db(sql_path, db_path), "%s: %s built", label, sqls[i]))
			goto out;
		memset(&o, 0, sizeof(o));
		memset(&stats, 0, sizeof(stats));
		o.item = "phone1";
		o.platform = platform;
		o.device_path = devpaths[i];
		o.probe = true;
		rc = cu_parse_file(cdb, p, db_path, &o, &stats, &err);
		tap_is_int(rc, CU_OK, "%s: %s parses (%s)", label, sqls[i], rc ? err.msg : "");
	}
	got = dump_rows(cdb);
	if (getenv("WECHAT_GOLDEN_DIR") != NULL) {
		char out[2048];
		FILE *f;
		snprintf(out, sizeof(out), "%s/%s", getenv("WECHAT_GOLDEN_DIR"), golden);
		f = fopen(out, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	snprintf(gold_path, sizeof(gold_path), "%s/tests/golden/%s", src, golden);
	if (tap_is_int(cu_file_read_all(gold_path, 1 << 22, &want, &err), CU_OK, "%s: golden read",
		       label))
		tap_is_str(got, want.data, "%s: rows equal tests/golden/%s", label, golden);
out:
	free(got);
	cu_buf_release(&want);
	sqlite3_close(cdb);
}

/* fixtures/apps/alipay-android: the database builds and parses (its rows
 * are checked against expected.json by the one checker,
 * tests/harness/expected.py, in tests/e2e/fixtures_expected.sh) */
static void test_alipay_fixture(void)
{
	char sql_path[2048], db_path[2048], case_path[2048];
	struct cu_parse_file_opts o;
	struct cu_parse_stats stats;
	struct cu_error err;
	sqlite3 *cdb = NULL;

	snprintf(sql_path, sizeof(sql_path), "%s/fixtures/apps/alipay-android/messagebox.sql", src);
	if (access(sql_path, R_OK) != 0)
		tap_bail("fixtures/apps/alipay-android: messagebox.sql missing");
	snprintf(db_path, sizeof(db_path), "%s/alipay-fixture.db", tmp);
	snprintf(case_path, sizeof(case_path), "%s/alipay-fixture-case.db", tmp);
	unlink(case_path);
	if (!tap_ok(build_db(sql_path, db_path), "alipay fixture db built"))
		return;
	TAP_MUST(sqlite3_open(case_path, &cdb));
	TAP_MUST(cu_casedb_create(cdb, &err));
	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	o.item = "phone1";
	o.platform = "android";
	o.device_path = "/data/data/com.eg.android.AlipayGphone/databases/messagebox.db";
	o.probe = true;
	cu_error_clear(&err);
	if (!tap_is_int(
		cu_parse_file(cdb, cu_parser_find("alipay-android"), db_path, &o, &stats, &err),
		CU_OK, "alipay fixture parses"))
		tap_diag("%s", err.msg);
	sqlite3_close(cdb);
}

int main(void)
{
	static const char *const ios_sql[] = {"ios_MM", "ios_message_1"};
	static const char *const ios_dev[] = {
	    "AppDomain-com.tencent.xin/Documents/855341c3143749a0f730ce49ccb616ae/DB/MM.sqlite",
	    "AppDomain-com.tencent.xin/Documents/855341c3143749a0f730ce49ccb616ae/DB/"
	    "message_1.sqlite"};
	static const char *const ali_sql[] = {"alipay_messagebox"};
	static const char *const ali_dev[] = {
	    "/data/data/com.eg.android.AlipayGphone/databases/messagebox.db"};

	tap_plan(16);
	src = getenv("SRCDIR");
	if (src == NULL)
		src = ".";
	tmp = tap_tmpdir("wechat_more");
	run_one("wechat-ios", ios_sql, ios_dev, 2, "ios", "wechat_ios.txt", "ios");
	run_one("alipay-android", ali_sql, ali_dev, 1, "android", "wechat_alipay.txt", "alipay");
	test_alipay_fixture();
	return tap_done();
}
