/*
 * zipmap.h - the byte layout of a ZIP read straight from its bytes: end of
 * central directory (and ZIP64 records), central directory, and the extent
 * of every local entry, so that `custos verify` can account for every
 * byte of a package (libzip, like unzip, hides prepended and trailing
 * data, local entries outside the central directory and the order of the
 * entries). Private to report/ (verify.c and its fuzz target).
 *
 * The input is untrusted: every length read from it is bounded by the
 * file's size before it is used, the central directory is read whole only
 * up to CU_ZIPMAP_CD_MAX, and nothing else is allocated from a size read
 * from the input.
 */
#ifndef CUSTOS_ZIPMAP_H
#define CUSTOS_ZIPMAP_H

#include "core/core.h"

/* The largest central directory read (a package of a million files). */
#define CU_ZIPMAP_CD_MAX ((uint64_t)256 << 20)
/* Layout findings kept in full; more are counted. */
#define CU_ZIPMAP_MAX_ISSUES 32
#define CU_ZIPMAP_ISSUE_LEN  320

/* Where the bytes come from: a file (cu_zipmap_read_file) or memory. */
struct cu_zipmap_src {
	uint64_t size;
	/* Reads exactly n bytes at off into buf; false when it cannot. */
	bool (*read_at)(void *ctx, uint64_t off, void *buf, size_t n);
	void *ctx;
};

struct cu_zipmap_entry {
	char *name; /* the central directory's name, NUL-terminated copy */
	size_t name_len;
	uint64_t offset; /* its local header, as stored (see cu_zipmap.shift) */
	uint64_t end;    /* one past its data (and data descriptor) */
	uint64_t comp_size, size;
	uint32_t crc;
	uint16_t method, flags;
};

struct cu_zipmap {
	uint64_t file_size;
	uint64_t eocd_offset; /* end of central directory record */
	uint64_t cd_offset;   /* where the central directory is stored */
	uint64_t cd_size;
	uint64_t shift;            /* stored offsets minus declared (prepended, unadjusted) */
	bool zip64;                /* ZIP64 end record and locator present */
	struct cu_zipmap_entry *e; /* central directory order */
	size_t n;
	char *comment; /* the archive comment as declared, NUL-terminated copy */
	size_t comment_len;
	/* Everything that is not plain sequential layout: prepended or
	 * trailing bytes, gaps (hidden local entries), overlaps, local headers
	 * that disagree with the central directory, extra fields. */
	size_t nissues;
	char issues[CU_ZIPMAP_MAX_ISSUES][CU_ZIPMAP_ISSUE_LEN];
};

/*
 * Reads the layout. CU_OK with map filled (findings in map->issues; none
 * means: the local entries lie one after the other from offset 0 in
 * central directory order, then the central directory, the end records and
 * the comment end the file). CU_E_FORMAT: no end of central directory
 * record (not a ZIP). CU_E_INTEGRITY: an end record was found but the
 * directory it points to is missing or malformed. CU_E_LIMIT, CU_E_NOMEM.
 * map is zeroed first and is released with cu_zipmap_release() whatever
 * the result.
 */
CU_WARN_UNUSED enum cu_status cu_zipmap_read(const struct cu_zipmap_src *src, struct cu_zipmap *map,
					     struct cu_error *err);
/* cu_zipmap_read() on a file (read with pread, nothing loaded whole). */
CU_WARN_UNUSED enum cu_status cu_zipmap_read_file(const char *path, struct cu_zipmap *map,
						  struct cu_error *err);
void cu_zipmap_release(struct cu_zipmap *map);

#endif
