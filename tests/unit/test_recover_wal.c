/*
 * test_recover_wal.c - the carver on write-ahead logs and rollback
 * journals, built with the sqlite3 library and copied while the writer
 * still holds them (journal_mode=WAL, wal_autocheckpoint=0):
 * - a WAL never checkpointed: rows deleted in a later transaction are
 *   found in the frames (the committed overlay makes them non-live), the
 *   old version of an updated row is "superseded";
 * - a WAL reset after a checkpoint: frames of the old salt are "stale";
 * - a transaction whose commit frame is cleared (checksums redone) is
 *   "uncommitted";
 * - PERSIST journals keep the pre-transaction page images of rows that
 *   secure_delete zeroed in the database; a hot DELETE-mode journal built
 *   by hand (header + page record + checksum) and the same with its header
 *   zeroed give the same rows.
 */
#include "tests/unit/test_recover_util.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool copy_file(const char *from, const char *to)
{
	size_t n;
	char *b = rt_slurp(from, &n);
	FILE *f;
	bool ok;

	if (!b)
		return false;
	f = fopen(to, "wb");
	ok = f && fwrite(b, 1, n, f) == n;
	if (f)
		ok = fclose(f) == 0 && ok;
	free(b);
	return ok;
}

static bool write_bytes(const char *to, const void *p, size_t n)
{
	FILE *f = fopen(to, "wb");
	bool ok = f && fwrite(p, 1, n, f) == n;
	if (f)
		ok = fclose(f) == 0 && ok;
	return ok;
}

static sqlite3 *open_wal(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA secure_delete=OFF; PRAGMA page_size=1024;"
			 "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;",
			 NULL, NULL, NULL) != SQLITE_OK)
		tap_bail("cannot open a WAL database");
	return db;
}

static void must(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tap_diag("%s: %s", sql, msg ? msg : "?");
		tap_bail("SQL failed");
	}
}

/* Copies db and db-wal to copy / copy-wal while the writer holds them. */
static void snapshot(const char *db, const char *copy)
{
	char a[4200], b[4200];
	snprintf(a, sizeof(a), "%s-wal", db);
	snprintf(b, sizeof(b), "%s-wal", copy);
	if (!copy_file(db, copy) || !copy_file(a, b))
		tap_bail("cannot copy the database and its WAL");
}

static int count_status(const struct got *g, const char *status)
{
	int i, n = 0;
	char pat[64];
	snprintf(pat, sizeof(pat), "|%s|", status);
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], pat))
			n++;
	return n;
}

static void test_wal_history(void)
{
	const char *p = rt_path("w1.db"), *cp = rt_path("w1copy.db");
	char wal[4200];
	const char *files[] = {cp, wal, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	sqlite3 *db = open_wal(p);
	int i;

	snprintf(wal, sizeof(wal), "%s-wal", cp);
	must(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<80)"
		 " INSERT INTO t(body, n) SELECT 'm'||x||'; in the log '||x, x FROM c;");
	must(db, "DELETE FROM t WHERE id % 7 = 0;");
	must(db, "UPDATE t SET body = 'm81; updated' WHERE id = 5;");
	must(db, "DELETE FROM t WHERE id BETWEEN 40 AND 60;");
	snapshot(p, cp);
	sqlite3_close(db);
	tap_ok(rt_run(cp, g, &st, NULL), "a never-checkpointed WAL recovers");
	rt_score("WAL history", cp, files, g, 81,
		 "SELECT substr(body, 2, instr(body, ';') - 2) FROM t");
	tap_ok(count_status(g, "superseded") == 1 && rt_reported(g, 5) == 1,
	       "the old version of the updated row is superseded");
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], "m5;"))
			tap_ok(strstr(g->lines[i], "|superseded|") != NULL, "m5: %s", g->lines[i]);
	tap_is_int(g->live, 0, "no live row");
	free(g);
}

static void test_wal_stale(void)
{
	const char *p = rt_path("w2.db"), *cp = rt_path("w2copy.db");
	char wal[4200];
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	sqlite3 *db = open_wal(p);
	int i, ok = 0;

	snprintf(wal, sizeof(wal), "%s-wal", cp);
	must(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<30)"
		 " INSERT INTO t(body, n) SELECT 'm'||x||'; first '||x, x FROM c;");
	must(db, "INSERT INTO t(body, n) VALUES ('m31; gone before the checkpoint', 31);");
	must(db, "INSERT INTO t(body, n) VALUES ('m32; still here', 32);");
	must(db, "DELETE FROM t WHERE id = 31;");
	must(db, "PRAGMA wal_checkpoint(PASSIVE);");
	must(db, "UPDATE t SET n = 99 WHERE id = 1;"); /* resets the WAL: new salt */
	snapshot(p, cp);
	sqlite3_close(db);
	tap_ok(rt_run(cp, g, &st, NULL), "a reset WAL recovers");
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], "m31;"))
			ok++;
	tap_is_int(ok, 1, "the row deleted before the checkpoint is reported once");
	tap_ok(count_status(g, "stale") + count_status(g, "deleted") >= 1 &&
		   rt_reported(g, 32) == 0,
	       "frames of the old salt are read, live rows still not reported");
	tap_ok(count_status(g, "stale") >= 1, "a record only in old-salt frames is stale (%d)",
	       count_status(g, "stale"));
	free(g);
}

/* WAL checksum (format §4.2): big-endian words when magic & 1. */
static void wal_cksum(int be, const unsigned char *p, size_t n, uint32_t *s0, uint32_t *s1)
{
	size_t i;
	for (i = 0; i + 8 <= n; i += 8) {
		uint32_t a, b;
		if (be) {
			a = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
			    (uint32_t)p[i + 2] << 8 | p[i + 3];
			b = (uint32_t)p[i + 4] << 24 | (uint32_t)p[i + 5] << 16 |
			    (uint32_t)p[i + 6] << 8 | p[i + 7];
		} else {
			a = (uint32_t)p[i + 3] << 24 | (uint32_t)p[i + 2] << 16 |
			    (uint32_t)p[i + 1] << 8 | p[i];
			b = (uint32_t)p[i + 7] << 24 | (uint32_t)p[i + 6] << 16 |
			    (uint32_t)p[i + 5] << 8 | p[i + 4];
		}
		*s0 += a + *s1;
		*s1 += b + *s0;
	}
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void test_wal_uncommitted(void)
{
	const char *p = rt_path("w3.db"), *cp = rt_path("w3copy.db");
	char wal[4200];
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	sqlite3 *db = open_wal(p);
	unsigned char *w;
	size_t n, fsz = 24 + 1024, nf, i;
	uint32_t s0 = 0, s1 = 0;
	int be, found = 0;

	snprintf(wal, sizeof(wal), "%s-wal", cp);
	must(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
		 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<10)"
		 " INSERT INTO t(body, n) SELECT 'm'||x||'; committed '||x, x FROM c;");
	must(db, "INSERT INTO t(body, n) VALUES ('m11; never committed', 11);");
	snapshot(p, cp);
	sqlite3_close(db);
	/* the last frame is the second transaction's commit: clear its commit
	 * field and redo the checksums so the frame stays valid */
	w = (unsigned char *)rt_slurp(wal, &n);
	if (!w || n < 32 + fsz)
		tap_bail("no WAL frames");
	nf = (n - 32) / fsz;
	be = w[3] & 1;
	put32(w + 32 + (nf - 1) * fsz + 4, 0);
	wal_cksum(be, w, 24, &s0, &s1);
	for (i = 0; i < nf; i++) {
		unsigned char *f = w + 32 + i * fsz;
		wal_cksum(be, f, 8, &s0, &s1);
		wal_cksum(be, f + 24, 1024, &s0, &s1);
		put32(f + 16, s0);
		put32(f + 20, s1);
	}
	if (!write_bytes(wal, w, n))
		tap_bail("cannot rewrite the WAL");
	free(w);
	tap_ok(rt_run(cp, g, &st, NULL), "a WAL with an uncommitted transaction recovers");
	for (i = 0; i < (size_t)g->n; i++)
		if (strstr(g->lines[i], "m11;") && strstr(g->lines[i], "|wal|uncommitted|"))
			found++;
	tap_is_int(found, 1, "the row of the uncommitted frame is reported as uncommitted");
	tap_is_int(g->n, 1, "and nothing else (the committed rows are live)");
	free(g);
}

/* PERSIST: the journal keeps the pre-transaction images; secure_delete
 * zeroed the rows in the database itself. */
static void test_journal_persist(void)
{
	const char *p = rt_path("j1.db");
	char jn[4200];
	const char *files[] = {p, jn, NULL};
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	int i, journal = 0;

	snprintf(jn, sizeof(jn), "%s-journal", p);
	if (!rt_exec(p, "PRAGMA secure_delete=ON; PRAGMA journal_mode=PERSIST;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<60)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; journaled '||x, x FROM c;"
			"DELETE FROM t WHERE id % 4 = 0;"))
		tap_bail("cannot build j1.db");
	tap_ok(rt_run(p, g, &st, NULL), "a PERSIST journal recovers");
	rt_score("PERSIST journal", p, files, g, 60,
		 "SELECT substr(body, 2, instr(body, ';') - 2) FROM t");
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], "|journal|deleted|"))
			journal++;
	tap_ok(journal == 15 && g->n == 15, "all 15 rows come from the journal (%d of %d)", journal,
	       g->n);
	free(g);
}

/* A hot DELETE-mode journal made by hand: the database after a
 * secure_delete DELETE, the journal holding page 2 from before it. */
static void test_journal_crafted(void)
{
	const char *p = rt_path("j2.db");
	char jn[4200];
	struct got *g = calloc(1, sizeof(*g));
	struct cu_rec_stats st;
	char *before;
	size_t n;
	unsigned char *j;
	uint32_t ck = 0x12345678;
	int zeroed, k;

	snprintf(jn, sizeof(jn), "%s-journal", p);
	if (!rt_exec(p, "PRAGMA page_size=1024; PRAGMA secure_delete=ON;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<8)"
			" INSERT INTO t(body, n) SELECT 'm'||x||'; hot '||x, x FROM c;"))
		tap_bail("cannot build j2.db");
	before = rt_slurp(p, &n);
	if (!before || n < 2048)
		tap_bail("j2.db too small");
	if (!rt_exec(p, "PRAGMA secure_delete=ON; DELETE FROM t WHERE n IN (3, 6);"))
		tap_bail("cannot delete in j2.db");
	j = calloc(1, 512 + 4 + 1024 + 4);
	/* header: magic, record count, nonce, initial size, sector, page size */
	memcpy(j, "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", 8);
	put32(j + 8, 1);
	put32(j + 12, 0x12345678);
	put32(j + 16, (uint32_t)(n / 1024));
	put32(j + 20, 512);
	put32(j + 24, 1024);
	put32(j + 512, 2);
	memcpy(j + 516, before + 1024, 1024);
	for (k = 1024 - 200; k > 0; k -= 200)
		ck += (unsigned char)before[1024 + k];
	put32(j + 516 + 1024, ck);
	for (zeroed = 0; zeroed < 2; zeroed++) {
		int hits = 0;
		if (zeroed)
			memset(j, 0, 28);
		if (!write_bytes(jn, j, 512 + 4 + 1024 + 4))
			tap_bail("cannot write the journal");
		tap_ok(rt_run(p, g, &st, NULL), "a hand-made journal recovers%s",
		       zeroed ? " (header zeroed)" : "");
		for (k = 0; k < g->n; k++)
			if (strstr(g->lines[k], "|journal|deleted|") &&
			    (strstr(g->lines[k], "m3;") || strstr(g->lines[k], "m6;")))
				hits++;
		tap_ok(hits == 2 && g->n == 2,
		       "the two deleted rows come from the journal (%d, %d)", hits, g->n);
	}
	free(j);
	free(before);
	free(g);
}

int main(void)
{
	tap_plan(19);
	rt_tmp = tap_tmpdir("test_recover_wal");
	test_wal_history();
	test_wal_stale();
	test_wal_uncommitted();
	test_journal_persist();
	test_journal_crafted();
	return tap_done();
}
