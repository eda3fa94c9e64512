/*
 * test_recover_util.c - helpers of the recovery tests: build a database
 * with SQL, run the carver collecting one line per record, and score the
 * result against the ground truth (every row carries a unique marker
 * "m<N>;"; a deleted row survives when its marker is still in the bytes).
 */
#include "tests/unit/test_recover_util.h"
#include "tests/harness/tap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rt_tmp;

bool rt_exec(const char *path, const char *sql)
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

enum cu_status rt_collect(void *ctx, const struct cu_rec_record *r, struct cu_error *err)
{
	struct got *g = ctx;
	char *l;
	size_t i, n = 0;

	(void)err;
	if (g->n >= 4096)
		return CU_OK;
	g->part[g->n] = r->partial;
	g->maxtext[g->n] = 0;
	for (i = 0; i < r->ncols; i++)
		if (r->values[i].type == CU_REC_TEXT && r->values[i].n > g->maxtext[g->n])
			g->maxtext[g->n] = r->values[i].n;
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

char *rt_slurp(const char *path, size_t *n)
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

bool rt_in_bytes(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* How many reported lines carry marker "m<id>;" */
int rt_reported(const struct got *g, int id)
{
	char m[32];
	int i, c = 0;
	snprintf(m, sizeof(m), "m%d;", id);
	for (i = 0; i < g->n; i++)
		if (strstr(g->lines[i], m))
			c++;
	return c;
}

bool rt_run(const char *path, struct got *g, struct cu_rec_stats *st, const struct cu_rec_opts *o)
{
	struct cu_error err;
	enum cu_status s;

	memset(g, 0, sizeof(*g));
	cu_error_clear(&err);
	s = cu_recover_file(path, o, rt_collect, g, st, &err);
	if (s != CU_OK)
		tap_diag("cu_recover_file(%s): %s", path, err.msg);
	return s == CU_OK;
}

/*
 * Checks recall and precision over markers 1..n: live = markers still in
 * the table (by SQL), surviving = deleted markers whose bytes are in the
 * files; every surviving one reported exactly once, nothing else reported.
 */
void rt_score(const char *what, const char *path, const char *files[], const struct got *g, int n,
	      const char *live_sql)
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
		bytes[i] = rt_slurp(files[i], &nb[i]);
	for (i = 1; i <= n; i++) {
		char m[32];
		int k, r = rt_reported(g, i);
		bool there = false;
		snprintf(m, sizeof(m), "m%d;", i);
		for (k = 0; k < 4 && bytes[k]; k++)
			there = there || rt_in_bytes(bytes[k], nb[k], m);
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

const char *rt_path(const char *name)
{
	static char p[8][4096];
	static int k;
	char side[4200];

	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", rt_tmp, name);
	remove(p[k]);
	snprintf(side, sizeof(side), "%s-wal", p[k]);
	remove(side);
	snprintf(side, sizeof(side), "%s-journal", p[k]);
	remove(side);
	return p[k];
}
