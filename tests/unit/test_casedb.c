/*
 * test_casedb.c - case.db's openers (casedb/open.c): a new case.db for
 * parse carries the schema version; the read-only opener accepts it,
 * refuses a missing file, a file that is not SQLite and a case.db of
 * another schema version (naming the file and both versions), gives a
 * handle that cannot write the file, and the report goes through it.
 */
#include "casedb/casedb.h"
#include "report/report.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <string.h>

static const char *tmp;

static char *path_in(const char *name)
{
	static char buf[4][1024];
	static unsigned n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmp, name);
	return p;
}

/* A finished case.db (as parse leaves it) whose user_version is then set
 * to version; version < 0 keeps the one written. */
static bool make_casedb(const char *path, int version)
{
	sqlite3 *db = NULL;
	struct cu_error e;
	char sql[64];
	bool ok;

	cu_error_clear(&e);
	(void)remove(path);
	ok = cu_casedb_open_write(path, &db, &e) == CU_OK &&
	     cu_casedb_create_indexes(db, &e) == CU_OK && cu_casedb_exec(db, "COMMIT", &e) == CU_OK;
	if (ok && version >= 0) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
		ok = cu_casedb_exec(db, sql, &e) == CU_OK;
	}
	if (!ok)
		tap_diag("making %s: %s", path, e.msg);
	sqlite3_close(db);
	return ok;
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_create(void)
{
	sqlite3 *db = NULL;
	struct cu_error e;

	cu_error_clear(&e);
	tap_ok(sqlite3_open(":memory:", &db) == SQLITE_OK && cu_casedb_create(db, &e) == CU_OK,
	       "cu_casedb_create on an empty database");
	tap_is_int(one_int(db, "PRAGMA user_version"), CU_CASEDB_SCHEMA_VERSION,
		   "cu_casedb_create sets user_version");
	tap_is_int(one_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name "
			       "IN ('conversations_key', 'messages_time')"),
		   2, "cu_casedb_create makes the load and the final indexes");
	tap_is_int(cu_casedb_create(db, &e), CU_E_IO, "a second cu_casedb_create fails");
	tap_ok(strstr(e.msg, "case.db") != NULL, "and names case.db: %s", e.msg);
	sqlite3_close(db);
}

static void test_open_write(void)
{
	const char *p = path_in("w.db");
	sqlite3 *db = NULL, *sentinel = (sqlite3 *)&db;
	struct cu_error e;
	int64_t v = -1;

	cu_error_clear(&e);
	tap_is_int(cu_casedb_open_write(p, &db, &e), CU_OK, "open_write creates a new case.db");
	tap_is_int(one_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('items', "
			       "'messages', 'timeline', 'parse_warnings')"),
		   4, "with the tables and the timeline view");
	tap_ok(!sqlite3_get_autocommit(db), "inside a transaction (bulk load)");
	tap_is_int(one_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'messages_time'"),
		   0, "final indexes left for after the load");
	tap_is_int(cu_casedb_schema_version(db, "main", &v, &e), CU_OK, "schema version readable");
	tap_is_int(v, CU_CASEDB_SCHEMA_VERSION, "and is this custos's");
	sqlite3_close(db);

	db = sentinel;
	tap_is_int(cu_casedb_open_write(path_in("no/such/dir/w.db"), &db, &e), CU_E_IO,
		   "open_write in a missing directory: CU_E_IO");
	tap_ok(strstr(e.msg, "no/such/dir/w.db") != NULL, "names the file: %s", e.msg);
	tap_ok(db == sentinel, "out untouched on failure");
}

static void test_open_read(void)
{
	const char *good = path_in("good.db"), *old = path_in("old.db"), *zero = path_in("zero.db");
	const char *junk = path_in("junk.db");
	sqlite3 *db = NULL, *sentinel = (sqlite3 *)&db;
	struct cu_error e;
	char want[256];
	FILE *f;
	int64_t v = -1;

	cu_error_clear(&e);
	if (!make_casedb(good, -1) || !make_casedb(old, CU_CASEDB_SCHEMA_VERSION + 6) ||
	    !make_casedb(zero, 0)) {
		tap_ok(false, "building the test case.db files");
		return;
	}
	tap_is_int(cu_casedb_open_read(good, &db, &e), CU_OK, "open_read: this version opens");
	tap_is_int(one_int(db, "SELECT count(*) FROM messages"), 0, "and reads");
	tap_ok(sqlite3_exec(db, "INSERT INTO items(item_id) VALUES ('X')", NULL, NULL, NULL) ==
		   SQLITE_READONLY,
	       "the handle cannot write case.db");
	tap_ok(sqlite3_exec(db, "CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL,
			    NULL) == SQLITE_OK,
	       "temporary tables still work (the report keeps its own)");
	tap_is_int(cu_casedb_exec(db, "SELECT * FROM no_such_table", &e), CU_E_IO,
		   "cu_casedb_exec fails on bad SQL");
	tap_ok(strstr(e.msg, "case.db: no such table: no_such_table") != NULL,
	       "with SQLite's message: %s", e.msg);
	sqlite3_close(db);

	/* another schema version: refused, with the file and both versions */
	db = sentinel;
	tap_is_int(cu_casedb_open_read(old, &db, &e), CU_E_UNSUPPORTED,
		   "open_read: another schema version is refused");
	snprintf(want, sizeof(want),
		 "'%s': case.db schema version %d, this custos reads version %d", old,
		 CU_CASEDB_SCHEMA_VERSION + 6, CU_CASEDB_SCHEMA_VERSION);
	tap_ok(strstr(e.msg, want) != NULL, "message names file and versions: %s", e.msg);
	tap_ok(strstr(e.msg, "custos parse") != NULL, "and says to run custos parse");
	tap_ok(db == sentinel, "out untouched on failure");
	tap_is_int(cu_casedb_open_read(zero, &db, &e), CU_E_UNSUPPORTED,
		   "user_version 0 (not written by parse) is refused");

	/* missing, not SQLite */
	tap_is_int(cu_casedb_open_read(path_in("absent.db"), &db, &e), CU_E_NOTFOUND,
		   "open_read: a missing case.db is CU_E_NOTFOUND");
	tap_ok(strstr(e.msg, "absent.db' does not exist: run custos parse first") != NULL,
	       "and says to parse first: %s", e.msg);
	f = fopen(junk, "wb");
	if (f != NULL) {
		fputs("this is not an SQLite database, just text long enough to have a header\n",
		      f);
		fclose(f);
	}
	tap_is_int(cu_casedb_open_read(junk, &db, &e), CU_E_FORMAT,
		   "open_read: a file that is not SQLite is CU_E_FORMAT");
	tap_ok(strstr(e.msg, junk) != NULL, "and names it: %s", e.msg);
	tap_ok(db == sentinel, "out untouched on failure");

	/* the version of an attached case.db (parse --item reads the old one) */
	if (sqlite3_open(":memory:", &db) == SQLITE_OK) {
		char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS old", old);
		tap_ok(sql && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "attach");
		sqlite3_free(sql);
		tap_is_int(cu_casedb_schema_version(db, "old", &v, &e), CU_OK,
			   "schema version of an attached case.db");
		tap_is_int(v, CU_CASEDB_SCHEMA_VERSION + 6, "is that file's");
		v = -1;
		tap_is_int(cu_casedb_schema_version(db, "nope", &v, &e), CU_E_FORMAT,
			   "an unknown schema name is an error");
		tap_is_int(v, -1, "version untouched on failure");
		sqlite3_close(db);
	}
}

/* The report opens case.db through the checking opener. */
static void test_report(void)
{
	const char *dir = path_in("case");
	struct cu_case_init_opts o;
	struct cu_case *c = NULL;
	struct cu_error e;
	struct cu_report_opts ro;
	char want[256];

	memset(&o, 0, sizeof(o));
	o.case_id = "CASEDB-T";
	cu_error_clear(&e);
	if (!tap_ok(cu_case_init(dir, &o, &c, NULL, NULL, &e) == CU_OK, "case init: %s", e.msg))
		return;
	memset(&ro, 0, sizeof(ro));
	ro.no_custody = true;
	tap_is_int(cu_report_case(c, &ro, NULL, &e), CU_E_NOTFOUND, "report before parse");
	tap_ok(strstr(e.msg, "report: '") == e.msg && strstr(e.msg, "run custos parse first"),
	       "says to parse first: %s", e.msg);
	if (make_casedb(path_in("case/case.db"), CU_CASEDB_SCHEMA_VERSION + 1)) {
		tap_is_int(cu_report_case(c, &ro, NULL, &e), CU_E_UNSUPPORTED,
			   "report on a case.db of another schema version is refused");
		snprintf(want, sizeof(want), "case.db schema version %d, this custos reads",
			 CU_CASEDB_SCHEMA_VERSION + 1);
		tap_ok(strstr(e.msg, "report: '") == e.msg && strstr(e.msg, want) != NULL,
		       "naming the versions: %s", e.msg);
	}
	cu_error_clear(&e);
	if (make_casedb(path_in("case/case.db"), -1))
		tap_is_int(cu_report_case(c, &ro, NULL, &e), CU_OK,
			   "report on this version's (empty) case.db");
	if (e.msg[0] != '\0')
		tap_diag("%s", e.msg);
	cu_case_close(c);
}

int main(void)
{
	tap_plan(41);
	tmp = tap_tmpdir("casedb");
	test_create();
	test_open_write();
	test_open_read();
	test_report();
	return tap_done();
}
