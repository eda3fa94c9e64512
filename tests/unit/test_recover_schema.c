/*
 * test_recover_schema.c - schema-aware matching and the file-format
 * variants, on databases built with the sqlite3 library:
 * - two tables of the same layout: a record in unallocated space fitting
 *   both is reported with table NULL and both candidates, never guessed;
 *   freeblocks of a live page go to that page's table;
 * - a dropped table: its schema comes back from the freed sqlite_master
 *   record and its rows from the freelist, marked dropped;
 * - UTF-16LE and UTF-16BE databases: text converted to UTF-8;
 * - rows from before ALTER TABLE ADD COLUMN: the new column is NULL;
 * - a deleted row whose overflow chain was broken: partial, the surviving
 *   prefix of the text kept;
 * - page sizes 512 and 65536, auto_vacuum INCREMENTAL (pointer-map pages);
 * - cu_recover_live_table on a truncated file: the live rows of the pages
 *   that remain, the damage reported.
 */
#include "tests/unit/test_recover_util.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const LIVE_T = "SELECT substr(body, 2, instr(body, ';') - 2) FROM t";

static void test_ambiguous(void)
{
	const char *p = rt_path("amb.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, amb = 0, attributed = 0, wrong = 0;

	if (!rt_exec(p,
		     "PRAGMA secure_delete=OFF;"
		     "CREATE TABLE a(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		     "CREATE TABLE b(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		     "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<100)"
		     " INSERT INTO a(body, n) SELECT 'm'||x||'; in a', x FROM c;"
		     "WITH RECURSIVE c(x) AS (SELECT 101 UNION ALL SELECT x+1 FROM c WHERE x<200)"
		     " INSERT INTO b(body, n) SELECT 'm'||x||'; in b', x FROM c;"
		     "DELETE FROM a WHERE id % 7 = 0; DELETE FROM b WHERE id % 9 = 0;"
		     "DELETE FROM a WHERE id > 80;"))
		tap_bail("cannot build amb.db");
	tap_ok(rt_run(p, g, &st, NULL), "amb.db recovers");
	rt_score("two tables, one layout", p, files, g, 200,
		 "SELECT substr(body, 2, instr(body, ';') - 2) FROM a UNION ALL "
		 "SELECT substr(body, 2, instr(body, ';') - 2) FROM b");
	for (i = 0; i < g->n; i++) {
		if (strncmp(g->lines[i], "?|", 2) == 0)
			amb++;
		else if (strncmp(g->lines[i], "a|", 2) == 0 || strncmp(g->lines[i], "b|", 2) == 0) {
			attributed++;
			if ((g->lines[i][0] == 'a') != (strstr(g->lines[i], "; in a") != NULL))
				wrong++;
		}
	}
	tap_ok(amb > 0 && amb == g->ambiguous, "records fitting both are ambiguous (%d)", amb);
	tap_ok(attributed > 0 && wrong == 0,
	       "records attributed (freeblocks of a table's page) are never wrong (%d)",
	       attributed);
	free(g);
}

static void test_dropped(void)
{
	const char *p = rt_path("drop.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, gone = 0;

	if (!rt_exec(p, "PRAGMA secure_delete=OFF;"
			"CREATE TABLE keep(id INTEGER PRIMARY KEY, x TEXT);"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER, f REAL);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<150)"
			" INSERT INTO t(body, n, f) SELECT 'm'||x||'; dropped', x, x/4.0 FROM c;"
			"INSERT INTO keep(x) VALUES('kept');"
			"DROP TABLE t;"))
		tap_bail("cannot build drop.db");
	tap_ok(rt_run(p, g, &st, NULL), "drop.db recovers");
	rt_score("dropped table", p, files, g, 150, "SELECT 0");
	for (i = 0; i < g->n; i++)
		if (strncmp(g->lines[i], "t|freelist|deleted|", 19) == 0)
			gone++;
	tap_is_int(gone, g->n, "every row is attributed to the dropped table, from the freelist");
	free(g);
}

static void test_utf16(const char *enc)
{
	char name[64], sql[1024];
	const char *p;
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, found = 0, bad = 0;

	snprintf(name, sizeof(name), "u16%s.db", enc);
	p = rt_path(name);
	snprintf(sql, sizeof(sql),
		 "PRAGMA encoding='%s'; PRAGMA secure_delete=OFF;"
		 "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<120)"
		 " INSERT INTO t(body, n) SELECT 'm'||x||'; 中文 行 '||x, x FROM c;"
		 "DELETE FROM t WHERE id %% 3 = 0;",
		 enc);
	if (!rt_exec(p, sql))
		tap_bail("cannot build a UTF-16 database");
	tap_ok(rt_run(p, g, &st, NULL), "%s database recovers", enc);
	for (i = 1; i <= 120; i++) {
		int r = rt_reported(g, i);
		if (i % 3 == 0 && r == 1)
			found++;
		else if (r)
			bad++;
	}
	for (i = 0; i < g->n; i++)
		if (!strstr(g->lines[i], "; 中文 行 "))
			bad++;
	tap_ok(found == 40 && bad == 0, "%s: the 40 deleted rows, text as UTF-8 (%d found, %d bad)",
	       enc, found, bad);
	free(g);
}

static void test_alter(void)
{
	const char *p = rt_path("alter.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, old_null = 0;

	if (!rt_exec(p, "PRAGMA secure_delete=OFF;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<50)"
			" INSERT INTO t(body) SELECT 'm'||x||'; before' FROM c;"
			"ALTER TABLE t ADD COLUMN extra INTEGER;"
			"WITH RECURSIVE c(x) AS (SELECT 51 UNION ALL SELECT x+1 FROM c WHERE x<100)"
			" INSERT INTO t(body, extra) SELECT 'm'||x||'; after', x FROM c;"
			"DELETE FROM t WHERE id % 5 = 0;"))
		tap_bail("cannot build alter.db");
	tap_ok(rt_run(p, g, &st, NULL), "alter.db recovers");
	rt_score("ALTER TABLE ADD COLUMN", p, files, g, 100, LIVE_T);
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], "; before,NULL,"))
			old_null++;
	tap_is_int(old_null, 10, "rows from before the ALTER have the added column NULL");
	free(g);
}

static void test_overflow(void)
{
	const char *p = rt_path("ovf.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, bad = 0;

	if (!rt_exec(p, "PRAGMA page_size=1024; PRAGMA secure_delete=OFF;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<40)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; '||"
			" replace(hex(zeroblob(1500)), '00', 'ab'), x FROM c;"
			"DELETE FROM t WHERE id IN (5, 17, 30);"
			"DELETE FROM t WHERE id > 33;"))
		tap_bail("cannot build ovf.db");
	tap_ok(rt_run(p, g, &st, NULL), "ovf.db recovers");
	rt_score("overflow rows", p, files, g, 40, LIVE_T);
	for (i = 0; i < g->n; i++)
		if (g->part[i] != (g->maxtext[i] < 3000))
			bad++;
	tap_ok(bad == 0 && g->n > 0,
	       "a row is partial exactly when its overflow chain is lost (%d partial of %d)",
	       g->partial, g->n);
	free(g);
}

static void test_page_sizes(void)
{
	static const char *const pre[] = {"PRAGMA page_size=512;", "PRAGMA page_size=65536;",
					  "PRAGMA page_size=1024; PRAGMA auto_vacuum=INCREMENTAL;"};
	size_t k;

	for (k = 0; k < 3; k++) {
		char name[32], sql[2048];
		const char *p, *files[2];
		struct got *g = calloc(1, sizeof(*g));
		struct cu_rec_stats st;

		snprintf(name, sizeof(name), "ps%zu.db", k);
		p = rt_path(name);
		files[0] = p;
		files[1] = NULL;
		snprintf(
		    sql, sizeof(sql),
		    "%s PRAGMA secure_delete=OFF;"
		    "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<400)"
		    " INSERT INTO t(body, n) SELECT 'm'||x||'; sized '||x, x FROM c;"
		    "DELETE FROM t WHERE id %% 6 = 0; DELETE FROM t WHERE id BETWEEN 100 AND 180;",
		    pre[k]);
		if (!rt_exec(p, sql))
			tap_bail("cannot build a page-size database");
		tap_ok(rt_run(p, g, &st, NULL), "%s recovers", pre[k]);
		rt_score(pre[k], p, files, g, 400, LIVE_T);
		free(g);
	}
}

static void test_live_table_truncated(void)
{
	const char *p = rt_path("trunc.db");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	struct cu_error err;
	enum cu_status s;
	size_t n;
	char *b;
	FILE *f;

	if (!rt_exec(p, "PRAGMA page_size=1024;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; live '||x, x FROM c;"))
		tap_bail("cannot build trunc.db");
	b = rt_slurp(p, &n);
	f = fopen(p, "wb");
	if (!b || !f || fwrite(b, 1, n - 1024, f) != n - 1024)
		tap_bail("cannot truncate trunc.db");
	fclose(f);
	cu_error_clear(&err);
	s = cu_recover_live_table(p, "t", rt_collect, g, &st, &err);
	tap_is_int(s, CU_OK, "the live rows of a truncated file are read (%s)", err.msg);
	tap_ok(g->live > 250 && g->live < 300 && g->live == g->n,
	       "all rows but those of the lost last page, status live (%d)", g->live);
	tap_ok(st.damaged && strstr(st.warnings, "truncated"), "the damage is reported (%s)",
	       st.warnings);
	memset(g, 0, sizeof(*g));
	s = cu_recover_live_table(p, "nosuch", rt_collect, g, &st, &err);
	tap_is_int(s, CU_E_NOTFOUND, "a table not in the schema is CU_E_NOTFOUND");
	free(b);
	free(g);
}

/* Every fifth cell pointer of every table leaf (page 1 too) broken: the
 * live rows they hid are still not reported as deleted. */
static void test_broken_pointers(void)
{
	const char *p = rt_path("brokenptr.db");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	char *b;
	size_t n, pg, k, i;
	int live_reported = 0;
	FILE *f;

	if (!rt_exec(p, "PRAGMA page_size=1024; PRAGMA secure_delete=OFF;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; pointer '||x, x FROM c;"
			"DELETE FROM t WHERE id % 4 = 0;"))
		tap_bail("cannot build brokenptr.db");
	/* the live markers, before the damage */
	if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, LIVE_T, -1, &q, NULL) != SQLITE_OK)
		tap_bail("cannot read brokenptr.db");
	b = rt_slurp(p, &n);
	if (!b)
		tap_bail("cannot read brokenptr.db");
	for (pg = 0; pg < n / 1024; pg++) {
		unsigned char *h = (unsigned char *)b + pg * 1024 + (pg == 0 ? 100 : 0);
		size_t cells = (size_t)h[3] << 8 | h[4];
		if (h[0] != 0x0d)
			continue;
		for (k = 0; k < cells; k += 5) {
			h[8 + 2 * k] = 0xff;
			h[8 + 2 * k + 1] = 0xff;
		}
	}
	memset(g, 0, sizeof(*g));
	{
		char live[301];
		memset(live, 0, sizeof(live));
		while (sqlite3_step(q) == SQLITE_ROW)
			if (sqlite3_column_int(q, 0) >= 1 && sqlite3_column_int(q, 0) <= 300)
				live[sqlite3_column_int(q, 0)] = 1;
		sqlite3_finalize(q);
		sqlite3_close(db);
		f = fopen(p, "wb");
		if (!f || fwrite(b, 1, n, f) != n)
			tap_bail("cannot damage brokenptr.db");
		fclose(f);
		tap_ok(rt_run(p, g, &st, NULL), "a file with broken cell pointers recovers");
		for (i = 1; i <= 300; i++)
			if (live[i] && rt_reported(g, (int)i))
				live_reported++;
	}
	tap_ok(live_reported == 0 && g->n > 0 && st.damaged,
	       "no live row hidden by a broken pointer is reported (%d records, damaged: %s)", g->n,
	       st.warnings);
	free(b);
	free(g);
}

/* A header claiming 200 reserved bytes that page 1's cells use: the field
 * is refused, the rows still come back. */
static void test_bogus_reserved(void)
{
	const char *p = rt_path("reserved.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	size_t n;
	char *b;
	FILE *f;

	if (!rt_exec(p, "PRAGMA page_size=1024; PRAGMA secure_delete=OFF;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<200)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; reserved '||x, x FROM c;"
			"DELETE FROM t WHERE id % 5 = 0;"))
		tap_bail("cannot build reserved.db");
	b = rt_slurp(p, &n);
	if (!b)
		tap_bail("cannot read reserved.db");
	b[20] = (char)200;
	f = fopen(p, "wb");
	if (!f || fwrite(b, 1, n, f) != n)
		tap_bail("cannot damage reserved.db");
	fclose(f);
	b[20] = 0;
	tap_ok(rt_run(p, g, &st, NULL) && st.damaged && strstr(st.warnings, "reserved"),
	       "a bogus reserved-bytes count is refused (%s)", st.warnings);
	/* scored against the undamaged bytes' markers (the same bytes but one) */
	rt_score("bogus reserved bytes", p, files, g, 200, LIVE_T);
	free(b);
	free(g);
}

/* A WITHOUT ROWID table: its rows live in index-format pages, the key
 * columns first; whole cells on freed pages come back, no rowid, no live
 * row reported. */
static void test_without_rowid(void)
{
	const char *p = rt_path("wr.db");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, ok = 0, bad = 0;

	if (!rt_exec(p, "PRAGMA page_size=1024; PRAGMA secure_delete=OFF;"
			"CREATE TABLE kv(n INTEGER, k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<400)"
			" INSERT INTO kv(n, k, v) SELECT x, printf('key%05d', x),"
			" 'm'||x||'; value '||x FROM c;"
			"DELETE FROM kv WHERE n > 40;"))
		tap_bail("cannot build wr.db");
	tap_ok(rt_run(p, g, &st, NULL), "wr.db recovers");
	for (i = 1; i <= 400; i++) {
		int r = rt_reported(g, i);
		if (i <= 40 && r)
			bad++;
		else if (i > 40 && r == 1)
			ok++;
		else if (r > 1)
			bad++;
	}
	for (i = 0; i < g->n; i++)
		if (strncmp(g->lines[i], "kv|", 3) != 0 || !strstr(g->lines[i], ",key"))
			bad++;
	tap_ok(ok > 100 && bad == 0 && g->unknown_rowid == g->n,
	       "deleted WITHOUT ROWID rows come back in declared column order, no rowid, no "
	       "live row (%d found, %d bad)",
	       ok, bad);
	free(g);
}

int main(void)
{
	tap_plan(33);
	rt_tmp = tap_tmpdir("test_recover_schema");
	test_ambiguous();
	test_dropped();
	test_utf16("UTF-16le");
	test_utf16("UTF-16be");
	test_alter();
	test_overflow();
	test_page_sizes();
	test_live_table_truncated();
	test_broken_pointers();
	test_bogus_reserved();
	test_without_rowid();
	return tap_done();
}
