/*
 * ingest_int.h - private interface of the evidence writer (extract/ingest.c)
 * for extract/'s own sources and the writer's unit tests: the path map the
 * writer keeps of used and already-listed files.
 */
#ifndef CUSTOS_INGEST_INT_H
#define CUSTOS_INGEST_INT_H

#include "extract/extract.h"

/* A set of case-relative paths with the digests recorded for them. */
struct cu_ingest_pathmap_val {
	uint64_t size;
	char sha256[65];
	char md5[33];
	char sm3[65];
};
struct cu_ingest_pathmap {
	char **keys;
	struct cu_ingest_pathmap_val *vals;
	size_t n, cap; /* cap is 0 or a power of two */
};
void cu_ingest_pathmap_release(struct cu_ingest_pathmap *m);
struct cu_ingest_pathmap_val *cu_ingest_pathmap_get(const struct cu_ingest_pathmap *m,
						    const char *key);
enum cu_status cu_ingest_pathmap_put(struct cu_ingest_pathmap *m, const char *key,
				     const struct cu_ingest_pathmap_val *v,
				     struct cu_error *err) CU_WARN_UNUSED;
/* What this writer recorded or re-checked at rel; NULL if nothing. */
const struct cu_ingest_pathmap_val *cu_ingest_used(const struct cu_ingest *w, const char *rel);

#endif
