/*
 * ingest_int.h - private interface of the evidence writer (extract/ingest.c)
 * for extract/'s own sources and the writer's unit tests: the path map the
 * writer keeps of used and already-listed files.
 */
#ifndef CUSTOS_INGEST_INT_H
#define CUSTOS_INGEST_INT_H

#include "extract/extract.h"

/* A set of case-relative paths with the digests recorded for them. A
 * phone has up to millions: memory holds 16 bytes per path (a hash and an
 * offset), the paths and digests are records in an unnamed scratch file
 * (page cache, not the process's memory), read back only on a hash match. */
struct cu_ingest_pathmap_val {
	uint64_t size;
	char sha256[65];
	char md5[33];
	char sm3[65];
};
struct cu_ingest_pathmap {
	uint64_t *slots;                   /* cap pairs: hash, record offset + 1 (0 = empty) */
	size_t n, cap;                     /* cap is 0 or a power of two */
	int fd1;                           /* scratch file descriptor + 1 (0 = not open yet) */
	uint64_t end;                      /* scratch file length */
	struct cu_ingest_pathmap_val *got; /* what get() returns */
	char *key;                         /* a record's key read back */
};
void cu_ingest_pathmap_release(struct cu_ingest_pathmap *m);
/* The value recorded for key, or NULL: valid until the next call on m. */
struct cu_ingest_pathmap_val *cu_ingest_pathmap_get(const struct cu_ingest_pathmap *m,
						    const char *key);
enum cu_status cu_ingest_pathmap_put(struct cu_ingest_pathmap *m, const char *key,
				     const struct cu_ingest_pathmap_val *v,
				     struct cu_error *err) CU_WARN_UNUSED;
/* What this writer recorded or re-checked at rel; NULL if nothing. */
const struct cu_ingest_pathmap_val *cu_ingest_used(const struct cu_ingest *w, const char *rel);

#endif
