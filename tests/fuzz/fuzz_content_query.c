/*
 * fuzz_content_query.c - the reader of `content query` output
 * (parsers/system/content.h) over untrusted bytes: the input is an _id
 * list, a NUL byte, then the rows of a projection (the sms one); the rows
 * are split anchored on the list when it parses, and without it. Every
 * value handed out must lie inside the text.
 */
#include "parsers/system/content.h"

#include <stdlib.h>
#include <string.h>

static const char *const cols[] = {"_id", "thread_id", "date", "type", "read", "body"};

struct span {
	const char *text;
	size_t n;
};

static enum cu_status check(void *ctx, const struct cu_cq_row *r, struct cu_error *err)
{
	const struct span *s = ctx;
	(void)err;
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		const char *p = r->v[k].p;
		if (p < s->text || p > s->text + s->n || r->v[k].n > (size_t)(s->text + s->n - p))
			abort();
	}
	return CU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	const char *nul = memchr(t, '\0', size);
	size_t na = nul ? (size_t)(nul - t) : 0;
	const char *rows = nul ? nul + 1 : t;
	size_t nr = nul ? size - na - 1 : size;
	struct span s = {rows, nr};
	struct cu_error err;
	int64_t *ids = NULL;
	size_t nids = 0, amb = 0;

	cu_error_clear(&err);
	enum cu_status st = CU_OK;
	if (nul && cu_cq_parse_ids(t, na, "ids", &ids, &nids, &err) == CU_OK)
		st = cu_cq_parse(rows, nr, "rows", cols, 6, ids, nids, check, &s, &amb, &err);
	/* refused input is fine; only a crash, a leak or an escape is not */
	if (cu_cq_parse(rows, nr, "rows", cols, 6, NULL, 0, check, &s, &amb, &err) != CU_OK)
		st = CU_E_FORMAT;
	free(ids);
	(void)st;
	return 0;
}
