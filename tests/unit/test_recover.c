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
#include "tests/unit/test_recover_util.h"
#include "parsers/recovery/recover_int.h"
#include "tests/harness/tap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A table with a rowid alias, rows m1..m<n>, some deleted. */
static void test_freeblock_freelist(void)
{
	const char *p = rt_path("basic.db");
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
	if (!rt_exec(p, sql))
		tap_bail("cannot build basic.db");
	stat(p, &before);
	tap_ok(rt_run(p, g, &st, NULL), "basic.db recovers");
	rt_score("rowid table", p, files, g, 400, "SELECT id FROM msgs");
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
	const char *p = rt_path("contacts.db");
	const char *files[] = {p, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, carol = 0;

	if (!rt_exec(p, "PRAGMA secure_delete=OFF;"
			"CREATE TABLE contacts(name TEXT, phone TEXT, age INTEGER);"
			"INSERT INTO contacts VALUES('m1; bob','+8613800000001',33),"
			"('m2; carol','+8613800000002',44),('m3; dave','+8613800000003',55),"
			"('m4; erin','+8613800000004',66);"
			"DELETE FROM contacts WHERE age IN (44, 66);"))
		tap_bail("cannot build contacts.db");
	tap_ok(rt_run(p, g, &st, NULL), "contacts.db recovers");
	rt_score("no rowid alias", p, files, g, 4, "SELECT substr(name, 2, 1) FROM contacts");
	for (i = 0; i < g->n; i++)
		if (strcmp(g->lines[i],
			   "contacts|freeblock|deleted|m2; carol,+8613800000002,44,") == 0)
			carol++;
	tap_is_int(carol, 1, "the overwritten header is rebuilt: every column recovered");
	free(g);
}

static void test_secure_delete(void)
{
	const char *p = rt_path("secure.db");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;

	if (!rt_exec(p, "PRAGMA secure_delete=ON;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300)"
			" INSERT INTO t(body) SELECT 'm'||x||'; secret '||x FROM c;"
			"DELETE FROM t WHERE id % 3 = 0;"))
		tap_bail("cannot build secure.db");
	tap_ok(rt_run(p, g, &st, NULL), "secure.db recovers");
	tap_is_int(g->n, 0, "secure_delete zeroes: nothing is invented");
	free(g);
}

static void test_not_sqlite(void)
{
	const char *p = rt_path("not.db");
	FILE *f = fopen(p, "wb");
	struct got *g = calloc(1, sizeof(*g));
	struct cu_error err;
	enum cu_status s;

	fputs("this is not a database at all, just some words to fill a page.\n", f);
	fclose(f);
	cu_error_clear(&err);
	s = cu_recover_file(p, NULL, rt_collect, g, NULL, &err);
	tap_is_int(s, CU_E_FORMAT, "a file that is not SQLite is CU_E_FORMAT");
	tap_ok(strstr(err.msg, "not.db") != NULL, "the message names the file (%s)", err.msg);
	free(g);
}

/* The fingerprint set: exact while small, a fixed-size filter past its
 * share: never "not seen" for a key added, rarely "seen" for another. */
static void test_set_filter(void)
{
	struct cu_rec_set ex, fl;
	uint64_t budget = (uint64_t)64 << 20, i, fn = 0, fp = 0, fpx = 0;
	struct cu_rec_hash h;
	const uint64_t nkeys = 300000;

	memset(&ex, 0, sizeof(ex));
	memset(&fl, 0, sizeof(fl));
	fl.max_bytes = 512 << 10; /* exact up to 256 KiB, then a 512 KiB filter */
	for (i = 0; i < nkeys; i++) {
		cu_rec_hash_init(&h, 5);
		cu_rec_hash_u64(&h, i);
		if (!cu_rec_set_add(&fl, cu_rec_hash_final(&h), &budget) ||
		    !cu_rec_set_add(&ex, cu_rec_hash_final(&h), &budget))
			break;
	}
	tap_ok(i == nkeys && fl.bloom && fl.bloom_words * 8 == (512 << 10) && !fl.slots &&
		   !ex.bloom,
	       "past half its share the set is a filter of its share (the exact one is not)");
	for (i = 0; i < nkeys; i++) {
		cu_rec_hash_init(&h, 5);
		cu_rec_hash_u64(&h, i);
		fn += !cu_rec_set_has(&fl, cu_rec_hash_final(&h));
	}
	for (i = nkeys; i < 2 * nkeys; i++) {
		cu_rec_hash_init(&h, 5);
		cu_rec_hash_u64(&h, i);
		fp += cu_rec_set_has(&fl, cu_rec_hash_final(&h));
		fpx += cu_rec_set_has(&ex, cu_rec_hash_final(&h));
	}
	/* 300 000 keys in 4 Mi bits: 14 bits a key, about 0.1 % false "seen" */
	tap_ok(
	    fn == 0 && fp < nkeys / 200 && fpx == 0,
	    "every key added is seen; %llu of %llu others seen by the filter, 0 by the exact set",
	    (unsigned long long)fp, (unsigned long long)nkeys);
	cu_rec_set_release(&fl, &budget);
	cu_rec_set_release(&ex, &budget);
	tap_ok(budget == (uint64_t)64 << 20, "the budget is paid back in full");
}

int main(void)
{
	tap_plan(16);
	rt_tmp = tap_tmpdir("test_recover");
	test_freeblock_freelist();
	test_rebuilt_first_column();
	test_secure_delete();
	test_not_sqlite();
	test_set_filter();
	return tap_done();
}
