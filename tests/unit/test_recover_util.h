/*
 * test_recover_util.h - helpers shared by the recovery tests
 * (tests/unit/test_recover*.c); see test_recover_util.c.
 */
#ifndef CUSTOS_TEST_RECOVER_UTIL_H
#define CUSTOS_TEST_RECOVER_UTIL_H

#include "parsers/recovery/recover.h"

#include <sqlite3.h>

/* The records of one run, one line each: "table|source|status|v1,v2,...," */
struct got {
	char lines[4096][256];
	size_t maxtext[4096]; /* the longest TEXT value of each record */
	bool part[4096];      /* each record's partial flag */
	int n;
	int live;
	int partial;
	int ambiguous;
	int unknown_rowid;
};

extern const char *rt_tmp; /* the test's scratch directory */

bool rt_exec(const char *path, const char *sql);
enum cu_status rt_collect(void *ctx, const struct cu_rec_record *r, struct cu_error *err);
char *rt_slurp(const char *path, size_t *n);
bool rt_in_bytes(const char *hay, size_t n, const char *needle);
/* How many records carry marker "m<id>;" */
int rt_reported(const struct got *g, int id);
bool rt_run(const char *path, struct got *g, struct cu_rec_stats *st, const struct cu_rec_opts *o);
/* One test point: markers 1..n; live ones by live_sql (first column's
 * marker number); every deleted marker still in files[] reported exactly
 * once, nothing live or vanished reported. */
void rt_score(const char *what, const char *path, const char *files[], const struct got *g, int n,
	      const char *live_sql);
/* rt_tmp/name, removed first (with its -wal and -journal). */
const char *rt_path(const char *name);

#endif
