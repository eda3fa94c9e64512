/*
 * test_parse_util.c - see test_parse_util.h.
 */
#include "tests/unit/test_parse_util.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <stdlib.h>

static char bufs[4][4096];

const char *tpu_src(int slot, const char *rel)
{
	const char *root = getenv("SRCDIR");

	snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/%s", root && *root ? root : ".", rel);
	return bufs[slot & 3];
}

const char *tpu_shared(int slot, const char *rel)
{
	const char *sh = getenv("SHARED");
	const char *root = getenv("SRCDIR");

	if (sh && *sh)
		snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/%s", sh, rel);
	else
		snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/../shared/%s",
			 root && *root ? root : ".", rel);
	return bufs[slot & 3];
}

bool tpu_build_db(const char *sql_path, const char *db_path)
{
	struct cu_buf sql = CU_BUF_INIT;
	struct cu_error e;
	sqlite3 *db = NULL;
	char *msg = NULL;
	bool ok = false;

	cu_error_clear(&e);
	if (cu_file_read_all(sql_path, 64u << 20, &sql, &e) != CU_OK) {
		tap_diag("reading %s: %s", sql_path, e.msg);
		goto out;
	}
	remove(db_path);
	if (sqlite3_open(db_path, &db) != SQLITE_OK) {
		tap_diag("creating %s", db_path);
		goto out;
	}
	if (sqlite3_exec(db, sql.data, NULL, NULL, &msg) != SQLITE_OK) {
		tap_diag("%s: %s", sql_path, msg ? msg : "?");
		goto out;
	}
	ok = true;
out:
	sqlite3_free(msg);
	sqlite3_close(db);
	cu_buf_release(&sql);
	return ok;
}

sqlite3 *tpu_casedb(void)
{
	sqlite3 *db = NULL;
	struct cu_error e;

	cu_error_clear(&e);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || cu_casedb_create(db, &e) != CU_OK) {
		tap_diag("case.db: %s", e.msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

enum cu_status tpu_parse(sqlite3 *casedb, const char *name, const char *path,
			 const char *device_path, const char *platform, const char *work_dir,
			 struct cu_parse_stats *st, struct cu_error *err)
{
	const struct cu_parser *p = cu_parser_find(name);
	struct cu_parse_file_opts o = {"item1", platform, device_path, work_dir, false};

	if (!p)
		return cu_error_set(err, CU_E_NOTFOUND, "no parser '%s'", name);
	return cu_parse_file(casedb, p, path, &o, st, err);
}

int64_t tpu_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = INT64_MIN;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("sql '%s': %s", sql, sqlite3_errmsg(db));
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *tpu_text(sqlite3 *db, const char *sql)
{
	static char out[8192];
	sqlite3_stmt *st = NULL;

	snprintf(out, sizeof(out), "(none)");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("sql '%s': %s", sql, sqlite3_errmsg(db));
		return out;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, sizeof(out), "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(st);
	return out;
}
