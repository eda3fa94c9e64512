/*
 * test_rows_guard.c - the framework's row-loop guard (cu_rows_init /
 * cu_rows_step, parsers/toolkit.c) over databases whose table b-tree
 * was damaged on purpose so that SQLite returns the same rows again and
 * again: the interior root page of the table is rewritten to point K times
 * at the same leaf (one level: every row comes back K + 1 times) or K
 * times at a second interior page that points K times at that leaf (two
 * levels: (K + 1)^2 times, far more rows than the file can hold). A system
 * parser (android-calllog) and a wechat parser (wechat-android, plain
 * database) must stop, keep the rows read before the repeat and return an
 * error naming the damage; the same databases undamaged parse cleanly.
 * sqlite3 itself cross-checks that the damaged files really repeat rows.
 */
#include "parsers/parsers.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 1024

static const char *tmp;

static bool exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	bool ok = sqlite3_open(path, &db) == SQLITE_OK &&
		  sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;

	if (!ok)
		tap_diag("building %s: %s", path, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	return ok;
}

static int64_t count_rows(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* An interior table page (not page 1) of k cells, each pointing at child
 * (key 1), right child too. */
static void make_interior(unsigned char *pg, uint32_t child, unsigned k)
{
	unsigned content = PAGE - k * 5;

	memset(pg, 0, PAGE);
	pg[0] = 0x05;
	put16(pg + 3, k);
	put16(pg + 5, content);
	put32(pg + 8, child);
	for (unsigned i = 0; i < k; i++) {
		unsigned off = content + i * 5;

		put16(pg + 12 + 2 * i, off);
		put32(pg + off, child);
		pg[off + 4] = 1;
	}
}

/* Rewrites the root of `table` (an interior page with at least two
 * children): one level points k times at its first leaf; two levels turn
 * its second child into an interior page doing that and point the root k
 * times at it. */
static bool damage(const char *path, const char *table, unsigned k, bool two_levels)
{
	unsigned char root[PAGE], pg[PAGE];
	char sql[128];
	int64_t rootno;
	uint32_t leaf, second;
	FILE *f;
	bool ok = false;

	snprintf(sql, sizeof(sql), "SELECT rootpage FROM sqlite_master WHERE name = '%s'", table);
	rootno = count_rows(path, sql);
	if (rootno < 2 || (f = fopen(path, "r+b")) == NULL)
		return false;
	if (fseek(f, (long)(rootno - 1) * PAGE, SEEK_SET) != 0 || fread(root, 1, PAGE, f) != PAGE ||
	    root[0] != 0x05 || (root[3] << 8 | root[4]) < 1)
		goto out;
	leaf = be32(root + (root[12] << 8 | root[13]));
	second = be32(root + 8);
	if (two_levels) {
		make_interior(pg, leaf, k);
		if (fseek(f, (long)(second - 1) * PAGE, SEEK_SET) != 0 ||
		    fwrite(pg, 1, PAGE, f) != PAGE)
			goto out;
		leaf = second;
	}
	make_interior(pg, leaf, k);
	ok = fseek(f, (long)(rootno - 1) * PAGE, SEEK_SET) == 0 && fwrite(pg, 1, PAGE, f) == PAGE;
out:
	return fclose(f) == 0 && ok;
}

/* Parses path with parser `name` into a fresh in-memory case.db; returns
 * the parse status, err filled, the case.db count of `count_sql` in *n. */
static enum cu_status parse_count(const char *name, const char *path, const char *device_path,
				  const char *count_sql, int64_t *n, struct cu_error *err)
{
	const struct cu_parser *p = cu_parser_find(name);
	struct cu_parse_file_opts o = {"phone1", "android", device_path, NULL, false};
	sqlite3 *cdb = NULL;
	sqlite3_stmt *st = NULL;
	enum cu_status rc = CU_E_INTERNAL;

	*n = -1;
	cu_error_clear(err);
	if (p == NULL || sqlite3_open(":memory:", &cdb) != SQLITE_OK ||
	    cu_casedb_create(cdb, err) != CU_OK)
		goto out;
	rc = cu_parse_file(cdb, p, path, &o, NULL, err);
	if (sqlite3_prepare_v2(cdb, count_sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	sqlite3_close(cdb);
	return rc;
}

static void check(const char *label, const char *parser, const char *path, const char *device_path,
		  const char *count_sql, int64_t want_rows, bool want_damaged)
{
	struct cu_error err;
	int64_t n;
	enum cu_status rc = parse_count(parser, path, device_path, count_sql, &n, &err);

	if (want_damaged) {
		tap_is_int(rc, CU_E_FORMAT, "%s: parse stops with a format error", label);
		tap_ok(strstr(err.msg, "damaged b-tree") != NULL &&
			   strstr(err.msg, device_path) != NULL,
		       "%s: the error names the file and the damage (%s)", label, err.msg);
	} else {
		tap_is_int(rc, CU_OK, "%s: parses cleanly (%s)", label, rc ? err.msg : "ok");
	}
	if (want_rows >= 0)
		tap_is_int(n, want_rows, "%s: rows kept", label);
	else
		tap_ok(n >= 0 && n <= -want_rows, "%s: rows kept are bounded (%lld)", label,
		       (long long)n);
}

#define CALLS_DEV "/data/data/com.android.providers.contacts/databases/calllog.db"
#define WX_DEV    "/data/data/com.tencent.mm/MicroMsg/2c644d942ab78a4d933ed0d19f881307/EnMicroMsg.db"

/* Calls: 300 rows of ~40 bytes over several 1 KiB leaves. */
static const char calls_sql[] =
    "PRAGMA page_size = 1024; PRAGMA journal_mode = DELETE;"
    "CREATE TABLE calls(_id INTEGER PRIMARY KEY, number TEXT, date INTEGER,"
    " duration INTEGER, type INTEGER, deleted INTEGER);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
    " INSERT INTO calls SELECT i, '+86138' || printf('%08d', i), 1700000000000 + i, i, 1, 0"
    " FROM n;";

/* WeChat: a message table and a conversation list, each over several leaves. */
static const char wx_sql[] =
    "PRAGMA page_size = 1024; PRAGMA journal_mode = DELETE;"
    "CREATE TABLE message(msgId INTEGER PRIMARY KEY, msgSvrId INTEGER, type INTEGER,"
    " isSend INTEGER, createTime INTEGER, talker TEXT, content TEXT, imgPath TEXT);"
    "CREATE TABLE rconversation(username TEXT);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
    " INSERT INTO message SELECT i, 9000 + i, 1, i % 2, 1700000000000 + i,"
    " 'wxid_peer' || (i % 7), 'message number ' || i, NULL FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
    " INSERT INTO rconversation SELECT 'wxid_conversation_' || i FROM n;";

static bool build(const char *name, const char *sql, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", tmp, name);
	unlink(out);
	return exec_sql(out, sql);
}

int main(void)
{
	char path[4096];
	int64_t leaf_rows, n;

	tap_plan(26);
	tmp = tap_tmpdir("rows_guard");

	/* android-calllog: ordered by _id, so the key check stops at the
	 * first repeated row; every row before it is kept. */
	if (!tap_ok(build("calls_ok.db", calls_sql, path, sizeof(path)), "calls database built"))
		return tap_done();
	check("calllog intact", "android-calllog", path, CALLS_DEV, "SELECT count(*) FROM calls",
	      300, false);
	if (!tap_ok(build("calls_loop.db", calls_sql, path, sizeof(path)) &&
			damage(path, "calls", 20, false),
		    "calls database damaged (root points 21 times at one leaf)"))
		return tap_done();
	leaf_rows = count_rows(path, "SELECT count(DISTINCT _id + 0) FROM calls");
	n = count_rows(path, "SELECT count(*) FROM calls");
	tap_ok(leaf_rows > 1 && n == 21 * leaf_rows,
	       "sqlite3 itself returns every row 21 times (%lld of %lld)", (long long)n,
	       (long long)leaf_rows);
	check("calllog repeating", "android-calllog", path, CALLS_DEV, "SELECT count(*) FROM calls",
	      leaf_rows, true);

	/* two levels: far more rows than the file holds, bounded by count */
	if (!tap_ok(build("calls_loop2.db", calls_sql, path, sizeof(path)) &&
			damage(path, "calls", 140, true),
		    "calls database damaged (two levels of 141 pointers)"))
		return tap_done();
	n = count_rows(path, "SELECT count(*) FROM (SELECT 1 FROM calls LIMIT 100000)");
	tap_is_int(n, 100000, "sqlite3 returns at least 100000 rows from a small file");
	check("calllog looping", "android-calllog", path, CALLS_DEV, "SELECT count(*) FROM calls",
	      -1000, true);

	/* wechat-android: the message loop (key check) ... */
	if (!tap_ok(build("wx_ok.db", wx_sql, path, sizeof(path)), "wechat database built"))
		return tap_done();
	check("wechat intact", "wechat-android", path, WX_DEV, "SELECT count(*) FROM messages", 200,
	      false);
	if (!tap_ok(build("wx_msg_loop.db", wx_sql, path, sizeof(path)) &&
			damage(path, "message", 5, false),
		    "wechat message table damaged (root points 6 times at one leaf)"))
		return tap_done();
	leaf_rows = count_rows(path, "SELECT count(DISTINCT msgId + 0) FROM message");
	n = count_rows(path, "SELECT count(*) FROM message");
	tap_ok(leaf_rows > 1 && n == 6 * leaf_rows,
	       "sqlite3 itself returns every message 6 times (%lld of %lld)", (long long)n,
	       (long long)leaf_rows);
	check("wechat messages repeating", "wechat-android", path, WX_DEV,
	      "SELECT count(*) FROM messages", leaf_rows, true);

	/* ... and the conversation list (not ordered by a key: count bound) */
	if (!tap_ok(build("wx_conv_loop.db", wx_sql, path, sizeof(path)) &&
			damage(path, "rconversation", 140, true),
		    "wechat rconversation damaged (two levels of 141 pointers)"))
		return tap_done();
	n = count_rows(path, "SELECT count(*) FROM (SELECT 1 FROM rconversation LIMIT 100000)");
	tap_is_int(n, 100000, "sqlite3 returns at least 100000 conversations from a small file");
	check("wechat conversations looping", "wechat-android", path, WX_DEV,
	      "SELECT count(*) FROM conversations", -1000, true);
	return tap_done();
}
