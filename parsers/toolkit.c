/*
 * toolkit.c - what every parser does with the (untrusted) databases it
 * reads: schema checks that tolerate app-version differences, column
 * getters that map SQL NULL to NULL / CU_UNKNOWN, the guarded row loop,
 * one time policy (an impossible time is unknown, never 1970), probes,
 * per-section failure keeping and small text helpers.
 */
#include "parsers/parsers.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
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

const char *cu_sqlite_textn(sqlite3_stmt *st, int col, size_t *len)
{
	const char *s;

	*len = 0;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	/* text first, then its byte count (sqlite3_column_bytes after the
	 * conversion, as SQLite documents) */
	s = (const char *)sqlite3_column_text(st, col);
	if (s != NULL)
		*len = (size_t)sqlite3_column_bytes(st, col);
	return s;
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

enum cu_status cu_rows_error(const struct cu_artifact *a, sqlite3 *db, int s, const char *reading,
			     struct cu_error *err)
{
	if (s == CU_ROWS_DAMAGED)
		return cu_rows_damaged(a, err);
	return cu_error_set(err, CU_E_FORMAT, "'%s': reading %s: %s", a->device_path,
			    reading ? reading : "rows", sqlite3_errmsg(db));
}

bool cu_rows_next(const struct cu_artifact *a, sqlite3 *db, sqlite3_stmt *st, struct cu_rows *rows,
		  const char *reading, enum cu_status *rc, struct cu_error *err)
{
	int s = cu_rows_step(st, rows);

	if (s == SQLITE_ROW)
		return true;
	*rc = s == SQLITE_DONE ? CU_OK : cu_rows_error(a, db, s, reading, err);
	return false;
}

enum cu_status cu_parse_prepare(const struct cu_artifact *a, sqlite3 *db, const char *sql,
				sqlite3_stmt **st, struct cu_error *err)
{
	return cu_sqlite_prepare(db, sql, st, a->device_path, err);
}

struct cu_prov cu_prov_row(const struct cu_artifact *a, const char *table, int64_t rowid)
{
	struct cu_prov p = {a->source_id, table, rowid, CU_UNKNOWN, CU_UNKNOWN, false, NULL};
	return p;
}

int cu_parse_probe_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *table,
			 int conf)
{
	sqlite3 *db = NULL;
	struct cu_error e;
	int r = 0;

	cu_error_clear(&e);
	/* A file that does not open is still ours by path: claim it so the
	 * parse reports the damage instead of skipping it silently. */
	if (cu_parse_open_db(ctx, a, &db, &e) != CU_OK)
		return conf;
	/* Lacking the table: still claimed (the parse names what is
	 * missing), at lower confidence so a more specific parser wins. */
	r = cu_sqlite_has_table(db, table) ? conf : conf / 2;
	sqlite3_close(db);
	return r;
}

enum cu_status cu_parse_join_add(struct cu_buf *b, const char *sep, const char *s,
				 struct cu_error *err)
{
	enum cu_status rc;

	if (!s || !*s)
		return CU_OK;
	if (b->data) {
		/* exact duplicate entries are dropped */
		size_t sl = strlen(s), seplen = strlen(sep);
		const char *p = b->data;

		while (p) {
			const char *q = strstr(p, sep);
			size_t l = q ? (size_t)(q - p) : strlen(p);

			if (l == sl && memcmp(p, s, sl) == 0)
				return CU_OK;
			p = q ? q + seplen : NULL;
		}
	}
	if (b->len) {
		rc = cu_buf_puts(b, sep, err);
		if (rc)
			return rc;
	}
	return cu_buf_puts(b, s, err);
}

const char *cu_parse_nz(const char *s)
{
	return s && *s ? s : NULL;
}

const char *cu_parse_col(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			 const char *table, const char *col, bool warn)
{
	if (cu_sqlite_has_column(db, table, col))
		return col;
	if (warn)
		cu_parse_warn(ctx, a,
			      "column '%s.%s' missing (unknown schema version); "
			      "left empty",
			      table, col);
	return "NULL";
}

bool cu_parse_need_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			 const char *table, bool warn)
{
	if (cu_sqlite_has_table(db, table))
		return true;
	if (warn)
		cu_parse_warn(ctx, a, "table '%s' missing (unknown schema version); skipped",
			      table);
	return false;
}

/* Years 1970..9999 are plausible for message times. */
#define PARSE_MS_MAX 253402300799999LL

int64_t cu_parse_ms_from_unix_s(int64_t s)
{
	if (s == CU_UNKNOWN || s <= 0 || s > PARSE_MS_MAX / 1000)
		return CU_UNKNOWN;
	return s * 1000;
}

int64_t cu_parse_ms_from_unix_ms(int64_t ms)
{
	if (ms == CU_UNKNOWN || ms <= 0 || ms > PARSE_MS_MAX)
		return CU_UNKNOWN;
	return ms;
}

int64_t cu_parse_ms_from_cocoa_s(double s)
{
	double ms;
	if (!isfinite(s) || s == 0.0)
		return CU_UNKNOWN;
	ms = (s + (double)CU_COCOA_EPOCH_OFFSET) * 1000.0;
	if (ms <= 0.0 || ms > (double)PARSE_MS_MAX)
		return CU_UNKNOWN;
	return (int64_t)(ms + 0.5); /* ms > 0: round half up */
}

int64_t cu_parse_ms_from_unix_s_real(double s)
{
	double ms;

	if (!isfinite(s) || s <= 0.0)
		return CU_UNKNOWN;
	ms = s * 1000.0;
	if (ms > (double)PARSE_MS_MAX)
		return CU_UNKNOWN;
	return (int64_t)(ms + 0.5); /* ms > 0: round half up */
}

int64_t cu_parse_ms_from_cocoa_auto(int64_t v)
{
	int64_t ms;

	if (v == CU_UNKNOWN || v == 0)
		return CU_UNKNOWN;
	ms = cu_time_from_cocoa_auto(v);
	if (ms <= 0 || ms > PARSE_MS_MAX)
		return CU_UNKNOWN;
	return ms;
}

enum cu_status cu_parse_conversation(struct cu_parse_ctx *ctx, const char *app,
				     const char *identifier, const char *title, int is_group,
				     int64_t source_id, int64_t *id, struct cu_error *err)
{
	struct cu_conversation c = {app, identifier, title, is_group, source_id};
	if (identifier == NULL) {
		*id = CU_UNKNOWN;
		return CU_OK;
	}
	return cu_sink_conversation(ctx, &c, id, err);
}

enum cu_status cu_parse_hex(const void *p, size_t n, size_t max, struct cu_buf *out,
			    struct cu_error *err)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *q = p;
	size_t take = n > max ? max : n;
	enum cu_status st;
	cu_buf_reset(out);
	if ((st = cu_buf_grow(out, take * 2 + 3, err)) != CU_OK)
		return st;
	for (size_t i = 0; i < take; i++) {
		out->data[out->len++] = digits[q[i] >> 4];
		out->data[out->len++] = digits[q[i] & 15];
	}
	out->data[out->len] = '\0';
	if (take < n)
		return cu_buf_puts(out, "...", err);
	return CU_OK;
}

int cu_parse_probe_tables(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			  const char *const *tables, const char *own_path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool found = false;
	if (cu_parse_open_db(ctx, a, &db, NULL) == CU_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND "
			       "name LIKE ?1 ESCAPE '\\'",
			       -1, &st, NULL) == SQLITE_OK) {
		for (const char *const *t = tables; *t && !found; t++) {
			struct cu_buf like = CU_BUF_INIT;
			size_t n = strlen(*t);
			bool prefix = n > 0 && (*t)[n - 1] == '%';
			bool ok = true;
			for (size_t i = 0; i < n - (prefix ? 1 : 0) && ok; i++) {
				char c = (*t)[i];
				if (c == '_' || c == '%' || c == '\\')
					ok = cu_buf_putc(&like, '\\', NULL) == CU_OK;
				ok = ok && cu_buf_putc(&like, c, NULL) == CU_OK;
			}
			if (ok && prefix)
				ok = cu_buf_putc(&like, '%', NULL) == CU_OK;
			if (ok) {
				sqlite3_bind_text(st, 1, like.data, (int)like.len,
						  SQLITE_TRANSIENT);
				found = sqlite3_step(st) == SQLITE_ROW;
				sqlite3_reset(st);
			}
			cu_buf_release(&like);
		}
	}
	sqlite3_finalize(st);
	if (db)
		sqlite3_close(db);
	if (found)
		return 90;
	return own_path && a->device_path && fnmatch(own_path, a->device_path, 0) == 0 ? 10 : 0;
}

enum cu_status cu_parse_section(enum cu_status rc, const char *what, struct cu_error *err,
				struct cu_error *first)
{
	if (rc != CU_E_FORMAT)
		return rc;
	if (first->code == CU_OK) {
		first->code = rc;
		/* the message of err is cut to fit; what is short */
		const char *m = err ? err->msg : "unreadable";
		int w = snprintf(first->msg, sizeof(first->msg), "%s: ", what);
		size_t n = w < 0 ? 0 : (size_t)w, k;
		if (n >= sizeof(first->msg))
			n = sizeof(first->msg) - 1;
		k = strnlen(m, sizeof(first->msg) - 1 - n);
		memcpy(first->msg + n, m, k);
		first->msg[n + k] = '\0';
	}
	cu_error_clear(err);
	return CU_OK;
}

enum cu_status cu_parse_finish(const struct cu_error *first, struct cu_error *err)
{
	if (first->code == CU_OK)
		return CU_OK;
	return cu_error_set(err, first->code, "%s (the rest of the file was parsed)", first->msg);
}

bool cu_parse_sibling_glob(const struct cu_artifact *a, const char *rel, struct cu_buf *out)
{
	const char *dp = a->device_path, *cut = dp ? strstr(dp, "/databases/") : NULL;
	bool ok = cut != NULL;
	cu_buf_reset(out);
	for (const char *p = dp; ok && p <= cut; p++) {
		if (*p == '*' || *p == '?' || *p == '[' || *p == ']' || *p == '\\')
			ok = cu_buf_putc(out, '\\', NULL) == CU_OK;
		ok = ok && cu_buf_putc(out, *p, NULL) == CU_OK;
	}
	return ok && cu_buf_puts(out, rel, NULL) == CU_OK;
}

void cu_parse_find_optional(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    const char *pattern, cu_parse_find_fn fn, void *arg)
{
	struct cu_error e;
	enum cu_status rc;

	cu_error_clear(&e);
	rc = cu_parse_find(ctx, pattern, fn, arg, &e);
	if (rc != CU_OK && rc != CU_E_NOTFOUND && rc != CU_E_EXISTS)
		cu_parse_warn(ctx, a, "looking for '%s': %s", pattern, e.msg);
}
