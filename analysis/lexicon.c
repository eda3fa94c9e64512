/*
 * lexicon.c - the code-word lexicon: the data/lexicon TSV files plus agency files.
 */
#include "analysis/analysis.h"

#include <stdlib.h>

#ifndef CU_PKGDATADIR
#define CU_PKGDATADIR "/usr/local/share/custos"
#endif

struct cu_lexicon {
	size_t nterms;
};

const char *cu_hit_kind_name(enum cu_hit_kind k)
{
	switch (k) {
	case CU_HIT_CODE_WORD: return "code_word";
	case CU_HIT_CRYPTO_ADDRESS: return "crypto_address";
	case CU_HIT_TRACKING_NUMBER: return "tracking_number";
	case CU_HIT_PICKUP_CODE: return "pickup_code";
	case CU_HIT_BANK_CARD: return "bank_card";
	case CU_HIT_PHONE_NUMBER: return "phone_number";
	}
	return "unknown";
}

const char *cu_analysis_data_dir(void)
{
	const char *d = getenv("CUSTOS_DATADIR");
	return d && *d ? d : CU_PKGDATADIR;
}

enum cu_status cu_lexicon_load(const char *dir, struct cu_lexicon **out, struct cu_error *err)
{
	(void)dir;
	struct cu_lexicon *lx = cu_calloc(1, sizeof(*lx));
	if (!lx)
		return cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
	*out = lx;
	return CU_OK;
}

enum cu_status cu_lexicon_add_file(struct cu_lexicon *lx, const char *path, struct cu_error *err)
{
	(void)lx;
	return cu_error_set(err, CU_E_NOT_IMPLEMENTED, "lexicon '%s': not implemented yet", path);
}

size_t cu_lexicon_terms(const struct cu_lexicon *lx)
{
	return lx ? lx->nterms : 0;
}

size_t cu_lexicon_file_count(const struct cu_lexicon *lx)
{
	(void)lx;
	return 0;
}

const char *cu_lexicon_file_path(const struct cu_lexicon *lx, size_t i)
{
	(void)lx;
	(void)i;
	return NULL;
}

const char *cu_lexicon_file_sha256(const struct cu_lexicon *lx, size_t i)
{
	(void)lx;
	(void)i;
	return NULL;
}

void cu_lexicon_free(struct cu_lexicon *lx)
{
	free(lx);
}
