/*
 * chat_util.c - small helpers shared by the chat parsers (chat.h).
 */
#include "parsers/chat/chat.h"

#include <fnmatch.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *cu_chat_text(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st, col);
}

const char *cu_chat_nz(const char *s)
{
	return s && *s ? s : NULL;
}

int64_t cu_chat_int(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return CU_UNKNOWN;
	return sqlite3_column_int64(st, col);
}

const char *cu_chat_col(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
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

bool cu_chat_need_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			const char *table, bool warn)
{
	if (cu_sqlite_has_table(db, table))
		return true;
	if (warn)
		cu_parse_warn(ctx, a, "table '%s' missing (unknown schema version); skipped",
			      table);
	return false;
}

enum cu_status cu_chat_prepare(const struct cu_artifact *a, sqlite3 *db, const char *sql,
			       sqlite3_stmt **st, struct cu_error *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return cu_error_set(err, CU_E_FORMAT, "'%s': cannot query: %s", a->device_path,
				    sqlite3_errmsg(db));
	}
	*st = s;
	return CU_OK;
}

enum cu_status cu_chat_step_error(const struct cu_artifact *a, sqlite3 *db, int rc,
				  struct cu_error *err)
{
	if (rc == CU_ROWS_DAMAGED)
		return cu_rows_damaged(a, err);
	return cu_error_set(err, CU_E_FORMAT, "'%s': reading rows failed (%s): %s", a->device_path,
			    sqlite3_errstr(rc), sqlite3_errmsg(db));
}

/* Years 1970..9999 are plausible for message times. */
#define CHAT_MS_MAX 253402300799999LL

int64_t cu_chat_ms_from_unix_s(int64_t s)
{
	if (s == CU_UNKNOWN || s <= 0 || s > CHAT_MS_MAX / 1000)
		return CU_UNKNOWN;
	return s * 1000;
}

int64_t cu_chat_ms_from_unix_ms(int64_t ms)
{
	if (ms == CU_UNKNOWN || ms <= 0 || ms > CHAT_MS_MAX)
		return CU_UNKNOWN;
	return ms;
}

int64_t cu_chat_ms_from_cocoa_s(double s)
{
	double ms;
	if (!isfinite(s) || s == 0.0)
		return CU_UNKNOWN;
	ms = (s + (double)CU_COCOA_EPOCH_OFFSET) * 1000.0;
	if (ms <= 0.0 || ms > (double)CHAT_MS_MAX)
		return CU_UNKNOWN;
	return (int64_t)(ms + 0.5); /* ms > 0: round half up */
}

enum cu_status cu_chat_conversation(struct cu_parse_ctx *ctx, const char *app,
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

enum cu_status cu_chat_hex(const void *p, size_t n, size_t max, struct cu_buf *out,
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

int cu_chat_probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *const *tables,
		  const char *own_path)
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

enum cu_status cu_chat_section(enum cu_status rc, const char *what, struct cu_error *err,
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

enum cu_status cu_chat_finish(const struct cu_error *first, struct cu_error *err)
{
	if (first->code == CU_OK)
		return CU_OK;
	return cu_error_set(err, first->code, "%s (the rest of the file was parsed)", first->msg);
}

bool cu_chat_sibling_glob(const struct cu_artifact *a, const char *rel, struct cu_buf *out)
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
