/*
 * sqlite_util.c - small helpers parsers use on the (untrusted) databases
 * they read: schema checks that tolerate app-version differences, and
 * column getters that map SQL NULL to NULL / CU_UNKNOWN.
 */
#include "parsers/parsers.h"

#include <string.h>
#include <sys/stat.h>

bool cu_sqlite_has_table(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (!db || !table)
		return false;
	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view')"
			       " AND name = ?1 COLLATE NOCASE",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
out:
	sqlite3_finalize(st);
	return found;
}

bool cu_sqlite_has_column(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (!db || !table || !column)
		return false;
	/* pragma_table_info() as a table-valued function takes the name as a
	 * bound value, so hostile table names need no quoting. */
	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
out:
	sqlite3_finalize(st);
	return found;
}

const char *cu_sqlite_col_or_null(sqlite3 *db, const char *table, const char *column)
{
	return cu_sqlite_has_column(db, table, column) ? column : "NULL";
}

enum cu_status cu_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
				 const char *db_what, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK) {
		enum cu_status code = (rc == SQLITE_NOMEM) ? CU_E_NOMEM : CU_E_FORMAT;

		sqlite3_finalize(s);
		return cu_error_set(err, code, "'%s': cannot query: %s", db_what ? db_what : "?",
				    sqlite3_errmsg(db));
	}
	*st = s;
	return CU_OK;
}

const char *cu_sqlite_text(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st, col);
}

int64_t cu_sqlite_i64(sqlite3_stmt *st, int col)
{
	int t = sqlite3_column_type(st, col);

	if (t == SQLITE_INTEGER)
		return sqlite3_column_int64(st, col);
	if (t == SQLITE_FLOAT) {
		double d = sqlite3_column_double(st, col);

		/* out-of-range doubles would be undefined to convert */
		if (!(d > -9.2e18 && d < 9.2e18))
			return CU_UNKNOWN;
		return (int64_t)d;
	}
	if (t == SQLITE_TEXT) {
		int64_t v;
		const char *s = (const char *)sqlite3_column_text(st, col);

		if (s && cu_parse_i64(s, &v))
			return v;
	}
	return CU_UNKNOWN;
}

void cu_rows_init(struct cu_rows *g, const struct cu_artifact *a, int key_col)
{
	struct stat sb;
	uint64_t size = a->size;
	if (a->work_path && stat(a->work_path, &sb) == 0 && sb.st_size > 0)
		size = (uint64_t)sb.st_size;
	if (size == 0 || size == UINT64_MAX)
		size = (uint64_t)1 << 40;
	/* a table cell takes at least a 2-byte pointer and 2 bytes of cell */
	g->cap = size / 4 + 1000;
	g->n = 0;
	g->key = key_col;
	g->have_last = false;
	g->last = 0;
}

int cu_rows_step(sqlite3_stmt *st, struct cu_rows *g)
{
	int s = sqlite3_step(st);
	if (s != SQLITE_ROW)
		return s;
	if (++g->n > g->cap)
		return CU_ROWS_DAMAGED;
	if (g->key >= 0) {
		int64_t k = sqlite3_column_int64(st, g->key);
		if (g->have_last && k <= g->last)
			return CU_ROWS_DAMAGED;
		g->have_last = true;
		g->last = k;
	}
	return s;
}

enum cu_status cu_rows_damaged(const struct cu_artifact *a, struct cu_error *err)
{
	return cu_error_set(err, CU_E_FORMAT,
			    "'%s': rows repeat or exceed what the file can hold (damaged "
			    "b-tree); reading stopped there",
			    a->device_path);
}

struct cu_prov cu_prov_row(const struct cu_artifact *a, const char *table, int64_t rowid)
{
	struct cu_prov p = {a->source_id, table, rowid, CU_UNKNOWN, CU_UNKNOWN, false};
	return p;
}
