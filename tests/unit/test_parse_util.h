/*
 * test_parse_util.h - helpers for the parser tests: build SQLite files
 * from SQL, run one parser into an in-memory case.db, query single values.
 * (fixtures/apps/<app>/expected.json has one checker: tests/harness/expected.py.)
 */
#ifndef CUSTOS_TEST_PARSE_UTIL_H
#define CUSTOS_TEST_PARSE_UTIL_H

#include "parsers/parsers.h"

/* $SRCDIR (or ".") + "/" + rel, in a static buffer per call slot (0..3). */
const char *tpu_src(int slot, const char *rel);
/* $SHARED (or SRCDIR/../shared) + "/" + rel. */
const char *tpu_shared(int slot, const char *rel);
/* Creates db_path from the SQL file; false on any error (diagnosed). */
bool tpu_build_db(const char *sql_path, const char *db_path);
/* A fresh in-memory case.db. */
sqlite3 *tpu_casedb(void);
/* Runs parser `name` over path; returns the status, err filled. */
enum cu_status tpu_parse(sqlite3 *casedb, const char *name, const char *path,
			 const char *device_path, const char *platform, const char *work_dir,
			 struct cu_parse_stats *st, struct cu_error *err);
/* First column of the first row as int64 (INT64_MIN on NULL/none). */
int64_t tpu_int(sqlite3 *db, const char *sql);
/* First column of the first row as text (static buffer, "" NULL => "(null)"). */
const char *tpu_text(sqlite3 *db, const char *sql);

#endif
