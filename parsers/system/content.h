/*
 * content.h - private to parsers/system/: the reader of the text that
 * Android's `content query` prints (content_android.c), for the parsers of
 * the provider dumps an ADB acquisition keeps (extract/android/acquire.c)
 * and for their unit tests.
 *
 * The format (AOSP frameworks/base cmds/content Content.java, QueryCommand):
 * one line per row, "Row: <i> <col>=<value>, <col>=<value>, ...\n", i
 * counting from 0; a NULL prints "NULL", a BLOB "BLOB", text as is: nothing
 * is escaped, so a value may hold ", ", "=", newlines and even a line that
 * looks like the next row. No row at all prints "No result found.\n".
 *
 * The acquisition makes it parseable: every table is queried with a fixed
 * projection sorted by _id, first with `_id` alone (a list nothing can
 * forge), then with _id first, only columns that cannot hold ", " or a
 * newline (numbers, MIME types) in the middle, and the one free-text column
 * (a body, a number, a name) last. A row then starts exactly where the line
 * "Row: <i> _id=<the i-th id>, <the fixed columns>, <last>=" starts, and
 * the text of the last column runs to the next such line. A value that
 * itself holds a well-formed copy of the next row's start makes two splits
 * possible: the latest start is taken (a body that forges "the next SMS"
 * stays whole) and the row is reported as ambiguous.
 */
#ifndef CUSTOS_PARSERS_CONTENT_H
#define CUSTOS_PARSERS_CONTENT_H

#include "core/core.h"

#define CU_CQ_MAX_COLS 12

struct cu_cq_value {
	const char *p; /* borrowed from the text, not NUL-terminated */
	size_t n;
	bool null; /* printed as NULL (a text "NULL" reads the same) */
};

struct cu_cq_row {
	int64_t index; /* the row number printed */
	int64_t id;    /* _id */
	struct cu_cq_value v[CU_CQ_MAX_COLS];
	bool ambiguous; /* another split of the text was possible */
};

typedef enum cu_status (*cu_cq_row_fn)(void *ctx, const struct cu_cq_row *r, struct cu_error *err);

/* The ids of a `--projection _id` output, in order (malloc'ed into *ids,
 * NULL when none). Anything but "Row: i _id=N" lines with i counting from
 * 0, or "No result found.", is CU_E_FORMAT naming what and the line. */
enum cu_status cu_cq_parse_ids(const char *text, size_t n, const char *what, int64_t **ids,
			       size_t *nids, struct cu_error *err) CU_WARN_UNUSED;

/*
 * Splits an output of the projection cols[0..ncols) (cols[0] = "_id",
 * ncols >= 2) into rows anchored on ids[0..nids) (from cu_cq_parse_ids on
 * the same table; NULL: every well-formed row start counts) and hands each
 * row to fn in order. A row of the id list missing from the text, or text
 * that is not such rows, is CU_E_FORMAT naming what. *ambiguous (may be
 * NULL) gets the number of rows with another possible split.
 */
enum cu_status cu_cq_parse(const char *text, size_t n, const char *what, const char *const *cols,
			   size_t ncols, const int64_t *ids, size_t nids, cu_cq_row_fn fn,
			   void *ctx, size_t *ambiguous, struct cu_error *err) CU_WARN_UNUSED;

#endif
