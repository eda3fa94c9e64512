/*
 * util.c - helpers shared by the system parsers (parsers/system/).
 */
#include "parsers/system/system.h"

#include <string.h>

int cu_system_probe_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *table,
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

enum cu_status cu_system_join_add(struct cu_buf *b, const char *sep, const char *s,
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

enum cu_status cu_system_step_error(const struct cu_artifact *a, sqlite3 *db, int s,
				    const char *reading, struct cu_error *err)
{
	if (s == CU_ROWS_DAMAGED)
		return cu_rows_damaged(a, err);
	return cu_error_set(err, CU_E_FORMAT, "'%s': reading %s: %s", a->device_path, reading,
			    sqlite3_errmsg(db));
}

bool cu_system_next(const struct cu_artifact *a, sqlite3 *db, sqlite3_stmt *st,
		    struct cu_rows *rows, const char *reading, enum cu_status *rc,
		    struct cu_error *err)
{
	int s = cu_rows_step(st, rows);

	if (s == SQLITE_ROW)
		return true;
	*rc = s == SQLITE_DONE ? CU_OK : cu_system_step_error(a, db, s, reading, err);
	return false;
}
