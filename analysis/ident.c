/*
 * ident.c - identifiers validated, not pattern-matched.
 */
#include "analysis/analysis.h"

bool cu_ident_phone_e164(const char *in, char *out, size_t cap)
{
	(void)in;
	(void)out;
	(void)cap;
	return false;
}
