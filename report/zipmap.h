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

/* A file as a source (pread on a descriptor); f stays put while src is used. */
struct cu_zipmap_fd {
	int fd;
	struct cu_zipmap_src src;
};
CU_WARN_UNUSED enum cu_status cu_zipmap_fd_open(const char *path, struct cu_zipmap_fd *f,
						struct cu_error *err);
void cu_zipmap_fd_close(struct cu_zipmap_fd *f);

/*
 * The same layout read in one forward pass with memory bounded whatever
 * the entry count: the central directory record by record through a 1 MiB
 * window, each entry's local header (and then its data, through
 * cu_zipwalk_bytes) through a 4 MiB window that moves forward with it.
 * Each local entry must start where the one before ends, in central
 * directory order; anything else (and every finding cu_zipmap_read names)
 * leaves the walk not clean: cu_zipmap_read then names what is wrong.
 */
struct cu_zipwalk_entry {
	const char *name; /* NUL-terminated, valid until the next cu_zipwalk_next */
	size_t name_len;
	uint64_t index;  /* 0-based, central directory order */
	uint64_t offset; /* its local header (prepended data accounted for) */
	uint64_t data;   /* its first data byte */
	uint64_t end;    /* one past its data (and data descriptor) */
	uint64_t comp_size, size;
	uint32_t crc;
	uint16_t method, flags;
	bool has_local; /* false: no usable local header (a finding) */
};

struct cu_zipwalk {
	struct cu_zipmap map; /* end records, comment and findings; map.e stays NULL */
	const struct cu_zipmap_src *src;
	uint64_t entries, next, cd_pos, cursor, prev_offset;
	unsigned char *cd, *win, *scratch;
	uint64_t cd_off, win_off;
	size_t cd_len, win_len;
	char *name;
	bool disorder, done;
	bool cd_only; /* set by the caller: central directory records only */
	struct cu_zipwalk_entry cur;
};

/* cu_zipmap_read()'s errors; w is zeroed first, released with
 * cu_zipwalk_release() whatever the result. */
CU_WARN_UNUSED enum cu_status cu_zipwalk_open(const struct cu_zipmap_src *src, struct cu_zipwalk *w,
					      struct cu_error *err);
/* The next entry (*e borrowed until the next call): CU_OK; CU_E_NOTFOUND
 * after the last one (the checks of the end then done); CU_E_INTEGRITY
 * for a damaged central directory record. */
CU_WARN_UNUSED enum cu_status
cu_zipwalk_next(struct cu_zipwalk *w, const struct cu_zipwalk_entry **e, struct cu_error *err);
/* Up to max bytes at off (off + max within the file), contiguous, from the
 * window; *got is 0 with NULL when they cannot be read. */
const unsigned char *cu_zipwalk_bytes(struct cu_zipwalk *w, uint64_t off, size_t max, size_t *got);
/* Every entry so far in place and no finding. */
bool cu_zipwalk_clean(const struct cu_zipwalk *w);
void cu_zipwalk_release(struct cu_zipwalk *w);

#endif
