/*
 * test_wechat_android.c - the wechat-android parser on plain EnMicroMsg.db
 * files through cu_parse_file(): (1) the fixture database builds, parses
 * and names its owner (its rows are checked against
 * fixtures/apps/wechat-android/expected.json by the one checker,
 * tests/harness/expected.py, in tests/e2e/fixtures_expected.sh); (2) our
 * own tests/data/wechat/EnMicroMsg.sql
 * against the reviewed golden rows tests/golden/wechat_android.txt (group
 * prefixes incl. the legacy form, recall with a surviving original, a
 * deduplicated transfer, red packets, a receipt, unknown type, bad XML);
 * (3) the older 12-column message table.
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

static sqlite3 *parse_into(const char *db_path, const char *casedb_path, enum cu_status *rc,
			   struct cu_parse_stats *stats)
{
	struct cu_parse_file_opts o;
	struct cu_error err;
	const struct cu_parser *p = cu_parser_find("wechat-android");
	sqlite3 *cdb = NULL;

	unlink(casedb_path);
	memset(stats, 0, sizeof(*stats));
	if (!tap_ok(p != NULL, "wechat-android is registered"))
		return NULL;
	if (sqlite3_open(casedb_path, &cdb) != SQLITE_OK || cu_casedb_create(cdb, &err) != CU_OK) {
		tap_ok(false, "case.db created");
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.item = "phone1";
	o.platform = "android";
	o.device_path = "/data/data/com.tencent.mm/MicroMsg/2c644d942ab78a4d933ed0d19f881307/"
			"EnMicroMsg.db";
	o.probe = true;
	*rc = cu_parse_file(cdb, p, db_path, &o, stats, &err);
	if (*rc != CU_OK)
		tap_diag("parse: %s", err.msg);
	return cdb;
}

/* One text value of a query with one ?1 text and ?2 int parameter. */
static char *q1(sqlite3 *db, const char *sql, const char *a, int64_t b, bool *found)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;

	*found = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("sql: %s", sqlite3_errmsg(db));
		return NULL;
	}
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = true;
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			out = cu_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return out;
}

static void test_fixture(void)
{
	char sql_path[2048], db_path[2048], case_path[2048];
	struct cu_parse_stats stats;
	enum cu_status rc = CU_E_INTERNAL;
	sqlite3 *cdb;
	bool found;
	char *got;

	snprintf(sql_path, sizeof(sql_path), "%s/fixtures/apps/wechat-android/EnMicroMsg.sql", src);
	if (access(sql_path, R_OK) != 0)
		tap_bail("fixtures/apps/wechat-android: EnMicroMsg.sql missing");
	snprintf(db_path, sizeof(db_path), "%s/fixture.db", tmp);
	snprintf(case_path, sizeof(case_path), "%s/fixture-case.db", tmp);
	if (!tap_ok(build_db(sql_path, db_path), "fixture db built"))
		return;
	cdb = parse_into(db_path, case_path, &rc, &stats);
	tap_is_int(rc, CU_OK, "fixture parses");
	if (cdb == NULL)
		return;
	got = q1(cdb, "SELECT identifier || '|' || display_name FROM accounts WHERE ?2 = ?2", NULL,
		 0, &found);
	tap_is_str(got, "wxid_owner_aj|阿杰", "fixture account");
	free(got);
	sqlite3_close(cdb);
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

static void test_own(void)
{
	char sql_path[2048], gold_path[2048], db_path[2048], case_path[2048];
	struct cu_parse_stats stats;
	struct cu_buf want = CU_BUF_INIT;
	struct cu_error err;
	enum cu_status rc = CU_E_INTERNAL;
	sqlite3 *cdb;
	char *got;

	snprintf(sql_path, sizeof(sql_path), "%s/tests/data/wechat/EnMicroMsg.sql", src);
	snprintf(gold_path, sizeof(gold_path), "%s/tests/golden/wechat_android.txt", src);
	snprintf(db_path, sizeof(db_path), "%s/own.db", tmp);
	snprintf(case_path, sizeof(case_path), "%s/own-case.db", tmp);
	if (!tap_ok(build_db(sql_path, db_path), "own db built"))
		return;
	cdb = parse_into(db_path, case_path, &rc, &stats);
	tap_is_int(rc, CU_OK, "own db parses");
	if (cdb == NULL)
		return;
	got = dump_rows(cdb);
	if (getenv("WECHAT_GOLDEN_WRITE") != NULL) {
		FILE *f = fopen(getenv("WECHAT_GOLDEN_WRITE"), "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	if (tap_is_int(cu_file_read_all(gold_path, 1 << 22, &want, &err), CU_OK, "golden read"))
		tap_is_str(got, want.data, "own db rows equal tests/golden/wechat_android.txt");
	tap_ok(stats.warnings >= 1, "bad xml payload counted as a warning (%llu)",
	       (unsigned long long)stats.warnings);
	free(got);
	cu_buf_release(&want);
	sqlite3_close(cdb);
}

static void test_old_schema(void)
{
	char db_path[2048], case_path[2048];
	struct cu_parse_stats stats;
	enum cu_status rc = CU_E_INTERNAL;
	sqlite3 *db = NULL, *cdb;
	bool found;
	char *got;

	snprintf(db_path, sizeof(db_path), "%s/old.db", tmp);
	snprintf(case_path, sizeof(case_path), "%s/old-case.db", tmp);
	unlink(db_path);
	/* the 12-column form of older builds (APPS.md 1.3), no rcontact */
	tap_ok(sqlite3_open(db_path, &db) == SQLITE_OK &&
		   sqlite3_exec(db,
				"CREATE TABLE message ( msgId INTEGER PRIMARY KEY, msgSvrId"
				" INTEGER , type INT, status INT, isSend INT, isShowTimer INTEGER,"
				" createTime INTEGER, talker TEXT, content TEXT, imgPath TEXT,"
				" reserved TEXT, lvbuffer BLOB);"
				"INSERT INTO message VALUES (1, 5, 1, 3, 0, 0, 1400000000000,"
				" 'wxid_x', '老版本', NULL, NULL, NULL);",
				NULL, NULL, NULL) == SQLITE_OK,
	       "12-column db built");
	sqlite3_close(db);
	cdb = parse_into(db_path, case_path, &rc, &stats);
	tap_is_int(rc, CU_OK, "12-column message table parses");
	if (cdb == NULL)
		return;
	got = q1(cdb,
		 "SELECT sender || '|' || direction || '|' || kind || '|' || body FROM messages"
		 " WHERE source_rowid = ?2 AND ?1 IS NULL",
		 NULL, 1, &found);
	tap_is_str(got, "wxid_x|incoming|text|老版本", "old-form row");
	free(got);
	sqlite3_close(cdb);

	/* no message table at all: a clear error naming the table */
	unlink(db_path);
	sqlite3_open(db_path, &db);
	sqlite3_exec(db, "CREATE TABLE other(x);", NULL, NULL, NULL);
	sqlite3_close(db);
	cdb = parse_into(db_path, case_path, &rc, &stats);
	tap_is_int(rc, CU_E_FORMAT, "missing message table: CU_E_FORMAT");
	sqlite3_close(cdb);
}

/* Hostile values: wrong column types, NUL and invalid UTF-8 in content,
 * path tricks in imgPath, huge and deeply nested XML, NULL everything. */
static void test_hostile(void)
{
	char db_path[2048], case_path[2048];
	struct cu_parse_stats stats;
	enum cu_status rc = CU_E_INTERNAL;
	sqlite3 *db = NULL, *cdb;
	sqlite3_stmt *st = NULL;
	struct cu_buf deep = CU_BUF_INIT;
	bool found;
	char *got;
	int i;

	snprintf(db_path, sizeof(db_path), "%s/hostile.db", tmp);
	snprintf(case_path, sizeof(case_path), "%s/hostile-case.db", tmp);
	unlink(db_path);
	for (i = 0; i < 5000; i++)
		TAP_MUST(cu_buf_puts(&deep, "<a>", NULL));
	tap_ok(sqlite3_open(db_path, &db) == SQLITE_OK &&
		   sqlite3_exec(
		       db,
		       "CREATE TABLE message (msgId INTEGER PRIMARY KEY, msgSvrId, type,"
		       " status, isSend, createTime, talker, content, imgPath);"
		       "CREATE TABLE rcontact (username TEXT PRIMARY KEY, alias, conRemark,"
		       " nickname);"
		       "INSERT INTO rcontact VALUES (x'ff00', 1, 2, 3), (NULL, NULL, NULL,"
		       " NULL);"
		       "INSERT INTO message VALUES (1, 'abc', 'text', NULL, 'yes', 'soon',"
		       " NULL, NULL, NULL);"
		       "INSERT INTO message VALUES (2, NULL, 1, 0, 0, 1, 'g@chatroom',"
		       " x'77786964003a0a68690a', NULL);"
		       "INSERT INTO message VALUES (3, NULL, 1, 0, 0, 1, 'u', x'c3280aff', NULL);"
		       "INSERT INTO message VALUES (4, NULL, 34, 0, 0, 1, 'u', 'v',"
		       " '../../../etc/passwd');"
		       "INSERT INTO message VALUES (5, NULL, 3, 0, 0, 1, 'u', 'v',"
		       " 'THUMBNAIL_DIRPATH://th_../x');"
		       "INSERT INTO message VALUES (6, NULL, 43, 0, 0, 1, 'u', 'v', 'a/b');"
		       "INSERT INTO message VALUES (7, 99, 10002, 0, 0, 1, 'u',"
		       " '<sysmsg type=\"revokemsg\"><revokemsg><newmsgid>99</newmsgid>"
		       "</revokemsg></sysmsg>', NULL);"
		       "INSERT INTO message VALUES (9, NULL, 419430449, 0, 0, 1, 'u',"
		       " '<msg><appmsg><type>2000</type><wcpayinfo><feedesc>￥99999999999999999999"
		       "</feedesc></wcpayinfo></appmsg></msg>', NULL);",
		       NULL, NULL, NULL) == SQLITE_OK,
	       "hostile db built");
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO message VALUES (8, NULL, 49, 0, 0, 1, 'u', ?1, NULL)",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, deep.data, (int)deep.len, SQLITE_STATIC);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	cu_buf_release(&deep);
	cdb = parse_into(db_path, case_path, &rc, &stats);
	tap_is_int(rc, CU_OK, "hostile values: parse finishes");
	if (cdb == NULL)
		return;
	got =
	    q1(cdb, "SELECT count(*) FROM messages WHERE ?1 IS NULL AND ?2 = ?2", NULL, 0, &found);
	tap_is_str(got, "9", "hostile values: every row kept");
	free(got);
	got = q1(cdb,
		 "SELECT count(*) FROM messages WHERE attachment LIKE '%..%' AND ?1 IS NULL AND"
		 " ?2 = ?2",
		 NULL, 0, &found);
	tap_is_str(got, "0", "no attachment path with '..' from imgPath");
	free(got);
	got = q1(
	    cdb,
	    "SELECT kind || '|' || raw_type FROM messages WHERE source_rowid = ?2 AND ?1 IS NULL",
	    NULL, 1, &found);
	tap_is_str(got, "other|text", "text in the type column: kept as found, kind other");
	free(got);
	got =
	    q1(cdb,
	       "SELECT ifnull(amount_minor, 'NULL') FROM payments WHERE source_rowid = ?2 AND ?1 IS"
	       " NULL",
	       NULL, 9, &found);
	tap_is_str(got, "NULL", "overflowing amount: unknown, not wrapped");
	free(got);
	sqlite3_close(cdb);
}

int main(void)
{
	tap_plan(23);
	src = getenv("SRCDIR");
	if (src == NULL)
		src = ".";
	tmp = tap_tmpdir("wechat_android");
	test_fixture();
	test_own();
	test_old_schema();
	test_hostile();
	return tap_done();
}
