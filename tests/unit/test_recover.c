/*
 * test_recover.c - the SQLite carver (parsers/recovery) on databases built
 * here with the sqlite3 library (secure_delete off unless said): deleted
 * rows in freeblocks (header rebuilt from the schema), in the unallocated
 * gap and on freelist pages are all found, each exactly once; live rows
 * are never reported; a row whose bytes were zeroed (secure_delete) or
 * overwritten is not invented; the file is never written; a file that is
 * not SQLite is CU_E_FORMAT. Ground truth: every row carries a unique
 * marker ("m<N>;") and a deleted row "survives" when its marker is still
 * in the file's bytes.
 */
#include "parsers/recovery/recover.h"
#include "tests/harness/tap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *tmp;

struct got {
	char lines[4096][256];
	int n;
	int live;
	int partial;
	int ambiguous;
	int unknown_rowid;
};

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

static enum cu_status collect(void *ctx, const struct cu_rec_record *r, struct cu_error *err)
{
	struct got *g = ctx;
	char *l;
	size_t i, n = 0;

	(void)err;
	if (g->n >= 4096)
		return CU_OK;
	l = g->lines[g->n++];
	n += (size_t)snprintf(l + n, 256 - n, "%s|%s|%s|", r->table ? r->table : "?",
			      cu_rec_source_name(r->source), r->status);
	for (i = 0; i < r->ncols && n < 250; i++) {
		const struct cu_rec_value *v = &r->values[i];
		if (v->type == CU_REC_TEXT)
			n += (size_t)snprintf(l + n, 256 - n, "%s,", (const char *)v->p);
		else if (v->type == CU_REC_INTEGER)
			n += (size_t)snprintf(l + n, 256 - n, "%lld,", (long long)v->i);
		else if (v->type == CU_REC_NULL)
			n += (size_t)snprintf(l + n, 256 - n, "NULL,");
		else if (v->type == CU_REC_FLOAT)
			n += (size_t)snprintf(l + n, 256 - n, "%g,", v->d);
		else
			n += (size_t)snprintf(l + n, 256 - n, "blob%zu,", v->n);
	}
	if (strcmp(r->status, "live") == 0)
		g->live++;
	if (r->partial)
		g->partial++;
	if (r->candidates)
		g->ambiguous++;
	if (r->rowid == INT64_MIN)
		g->unknown_rowid++;
	return CU_OK;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long k;

	*n = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	k = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)k + 1);
	if (b && fread(b, 1, (size_t)k, f) != (size_t)k) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b)
		*n = (size_t)k;
	return b;
}

static bool in_bytes(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* How many reported lines carry marker "m<id>;" */
static int reported(const struct got *g, int id)
{
	char m[32];
	int i, c = 0;
	snprintf(m, sizeof(m), "m%d;", id);
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], m))
			c++;
	return c;
}

static bool run(const char *path, struct got *g, struct cu_rec_stats *st,
		const struct cu_rec_opts *o)
{
	struct cu_error err;
	enum cu_status s;

	memset(g, 0, sizeof(*g));
	cu_error_clear(&err);
	s = cu_recover_file(path, o, collect, g, st, &err);
	if (s != CU_OK)
		tap_diag("cu_recover_file(%s): %s", path, err.msg);
	return s == CU_OK;
}

/*
 * Checks recall and precision over markers 1..n: live = markers still in
 * the table (by SQL), surviving = deleted markers whose bytes are in the
 * files; every surviving one reported exactly once, nothing else reported.
 */
static void score(const char *what, const char *path, const char *files[], const struct got *g,
		  int n, const char *live_sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	char *live = calloc((size_t)n + 1, 1);
	int i, missing = 0, phantom = 0, twice = 0, surviving = 0;
	char *bytes[4] = {NULL, NULL, NULL, NULL};
	size_t nb[4] = {0, 0, 0, 0};

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, live_sql, -1, &q, NULL) == SQLITE_OK)
		while (sqlite3_step(q) == SQLITE_ROW)
			if (sqlite3_column_int(q, 0) >= 1 && sqlite3_column_int(q, 0) <= n)
				live[sqlite3_column_int(q, 0)] = 1;
	sqlite3_finalize(q);
	sqlite3_close(db);
	for (i = 0; files[i] && i < 4; i++)
		bytes[i] = slurp(files[i], &nb[i]);
	for (i = 1; i <= n; i++) {
		char m[32];
		int k, r = reported(g, i);
		bool there = false;
		snprintf(m, sizeof(m), "m%d;", i);
		for (k = 0; k < 4 && bytes[k]; k++)
			there = there || in_bytes(bytes[k], nb[k], m);
		if (live[i]) {
			if (r) {
				phantom++;
				tap_diag("%s: live row m%d reported", what, i);
			}
			continue;
		}
		if (there)
			surviving++;
		if (there && r == 0) {
			missing++;
			tap_diag("%s: deleted row m%d survives but was not reported", what, i);
		} else if (!there && r) {
			phantom++;
			tap_diag("%s: m%d reported but its bytes are gone", what, i);
		} else if (r > 1) {
			twice++;
			tap_diag("%s: m%d reported %d times", what, i, r);
		}
	}
	tap_ok(surviving > 0 && missing == 0 && phantom == 0 && twice == 0,
	       "%s: %d surviving deleted rows all found once, no phantom (%d records)", what,
	       surviving, g->n);
	for (i = 0; i < 4; i++)
		free(bytes[i]);
	free(live);
}

static const char *db_path(const char *name)
{
	static char p[8][4096];
	static int k;
	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmp, name);
	remove(p[k]);
	return p[k];
}

/* A table with a rowid alias, rows m1..m<n>, some deleted. */
static void test_freeblock_freelist(void)
{
	const char *p = db_path("basic.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	struct stat before, after;
	char sql[4096];

	snprintf(sql, sizeof(sql),
		 "PRAGMA secure_delete=OFF; PRAGMA page_size=4096;"
		 "CREATE TABLE msgs(id INTEGER PRIMARY KEY, sender TEXT, body TEXT, ts INTEGER);"
		 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<400)"
		 " INSERT INTO msgs(sender, body, ts) SELECT 'user'||(x%%7),"
		 " 'm'||x||'; hello there number '||x, 1600000000+x FROM c;"
		 "DELETE FROM msgs WHERE id IN (3, 50, 51, 52, 99, 150, 399);"
		 "DELETE FROM msgs WHERE id BETWEEN 200 AND 330;");
	if (!exec_sql(p, sql))
		tap_bail("cannot build basic.db");
	stat(p, &before);
	tap_ok(run(p, g, &st, NULL), "basic.db recovers");
	score("rowid table", p, files, g, 400, "SELECT id FROM msgs");
	tap_is_int(g->live, 0, "no live row reported");
	tap_ok(g->unknown_rowid > 0 && g->unknown_rowid < g->n,
	       "freeblock cells have no rowid (%d of %d), freelist cells keep theirs",
	       g->unknown_rowid, g->n);
	stat(p, &after);
	tap_ok(before.st_mtime == after.st_mtime && before.st_size == after.st_size,
	       "the database is not written");
	tap_ok(!st.damaged, "a sound file is not damaged (%s)", st.warnings);
	free(g);
}

/* No rowid alias: the first column's serial type is rebuilt from the
 * freeblock size. */
static void test_rebuilt_first_column(void)
{
	const char *p = db_path("contacts.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, carol = 0;

	if (!exec_sql(p, "PRAGMA secure_delete=OFF;"
			 "CREATE TABLE contacts(name TEXT, phone TEXT, age INTEGER);"
			 "INSERT INTO contacts VALUES('m1; bob','+8613800000001',33),"
			 "('m2; carol','+8613800000002',44),('m3; dave','+8613800000003',55),"
			 "('m4; erin','+8613800000004',66);"
			 "DELETE FROM contacts WHERE age IN (44, 66);"))
		tap_bail("cannot build contacts.db");
	tap_ok(run(p, g, &st, NULL), "contacts.db recovers");
	score("no rowid alias", p, files, g, 4, "SELECT substr(name, 2, 1) FROM contacts");
	for (i = 0; i < g->n; i++)
		if (strcmp(g->lines[i],
			   "contacts|freeblock|deleted|m2; carol,+8613800000002,44,") == 0)
			carol++;
	tap_is_int(carol, 1, "the overwritten header is rebuilt: every column recovered");
	free(g);
}

static void test_secure_delete(void)
{
	const char *p = db_path("secure.db");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;

	if (!exec_sql(p, "PRAGMA secure_delete=ON;"
			 "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);"
			 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300)"
			 " INSERT INTO t(body) SELECT 'm'||x||'; secret '||x FROM c;"
			 "DELETE FROM t WHERE id % 3 = 0;"))
		tap_bail("cannot build secure.db");
	tap_ok(run(p, g, &st, NULL), "secure.db recovers");
	tap_is_int(g->n, 0, "secure_delete zeroes: nothing is invented");
	free(g);
}

static void test_not_sqlite(void)
{
	const char *p = db_path("not.db");
	FILE *f = fopen(p, "wb");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_error err;
	enum cu_status s;

	fputs("this is not a database at all, just some words to fill a page.\n", f);
	fclose(f);
	cu_error_clear(&err);
	s = cu_recover_file(p, NULL, collect, g, NULL, &err);
	tap_is_int(s, CU_E_FORMAT, "a file that is not SQLite is CU_E_FORMAT");
	tap_ok(strstr(err.msg, "not.db") != NULL, "the message names the file (%s)", err.msg);
	free(g);
}

int main(void)
{
	tap_plan(13);
	tmp = tap_tmpdir("test_recover");
	test_freeblock_freelist();
	test_rebuilt_first_column();
	test_secure_delete();
	test_not_sqlite();
	return tap_done();
}
