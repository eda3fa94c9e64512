/*
 * import_int.h - private interface of extract/import/: the import context
 * shared by the format handlers (which write through the evidence writer,
 * extract.h), and the format-specific parsers that the unit tests and fuzz
 * targets call directly (keybag TLV, MBFile, adb backup header, archive
 * member names).
 *
 * Not a public header: only the import sources and their unit tests and
 * fuzz targets include it.
 */
#ifndef CUSTOS_IMPORT_INT_H
#define CUSTOS_IMPORT_INT_H

#include "extract/ingest_int.h"

#include <sys/stat.h>
#include <time.h>

/* Read/write chunk: large enough for sequential throughput, small enough for
 * the 64 MB RSS goal. */
#define CU_IMPORT_CHUNK ((size_t)1 << 20)
/* Metadata files (plists) are read into memory; this caps them. */
#define CU_IMPORT_META_MAX ((size_t)256 << 20)

struct cu_import_ctx {
	struct cu_case *c;
	const struct cu_import_opts *opts;
	const char *src; /* as given by the user */
	char *src_abs;   /* realpath */
	enum cu_import_format format;
	char *item;
	struct cu_ingest *w;       /* the evidence writer */
	struct cu_hasher *hasher;  /* refused members (digests for the record) */
	struct cu_hasher *hasher2; /* the whole image, same pass as its members */
	unsigned char *buf;        /* CU_IMPORT_CHUNK bytes */
	bool resume;
	struct cu_import_stats st;
	struct cu_progress prog;
	json_t *item_facts;       /* manifest items[] fields found in the image */
	json_t *details;          /* format-specific details for the IMPORT entry */
	const char *os;           /* "iOS", "Android" or NULL */
	const char *mount_prefix; /* where the image root sat: "" or "/data"... */
	char *mount_buf;
	bool begun;  /* item chosen, manifest entry written */
	json_t *acq; /* borrowed: our acquisitions[] entry */
	int64_t start_ms;
	/* DERIVE summary (iOS decryption) */
	const char *derive_method;
};

/* ---- driver helpers (import.c) ---- */

/*
 * cu_ingest_slot_plan() for one regular file of size bytes about to be
 * copied: a name that cannot be stored (CU_E_PATH, CU_E_EXISTS, CU_E_IO) is
 * warned about as "'<name1><name2>' not imported: why" and skipped; on
 * resume a file already done only counts as progress. *copy is true when
 * the file is to be copied now. Other errors stop the import.
 */
enum cu_status cu_import_slot_plan_file(struct cu_import_ctx *x, const char *name1,
					const char *name2, const char *device_path, size_t n,
					uint64_t size, struct cu_ingest_slot *s, bool *copy,
					struct cu_error *err) CU_WARN_UNUSED;

/* Opens a source file read-only without following symlinks, without
 * updating its atime where the kernel allows. */
int cu_import_open_source(int dirfd, const char *name);
/* Reads a whole small source file (openat, O_NOFOLLOW) into out, capped. */
enum cu_status cu_import_read_small(int dirfd, const char *name, const char *what, size_t max,
				    struct cu_buf *out, struct stat *st,
				    struct cu_error *err) CU_WARN_UNUSED;

/* Overwrites a buffer holding secrets, then releases it. */
void cu_import_buf_wipe(struct cu_buf *b);

/* Maximum decompressed/compressed ratio (CUSTOS_IMPORT_MAX_RATIO, default 1000). */
uint64_t cu_import_max_ratio(void);
/* Output below this many bytes is never called a bomb. */
#define CU_IMPORT_RATIO_FLOOR ((uint64_t)64 << 20)

/* Reads the password through opts (file / callback); CU_E_KEY if none. */
enum cu_status cu_import_get_password(struct cu_import_ctx *x, struct cu_buf *out,
				      struct cu_error *err) CU_WARN_UNUSED;

/*
 * Chooses the item id (--item; on --resume the item of the interrupted
 * import of the same source; the handler's suggestion, e.g. the iPhone's
 * serial; else ITEMn), loads the inventory on resume, and records the item
 * and a "running" acquisitions[] entry in the manifest. Handlers call it
 * once they know the item facts and before writing anything.
 */
enum cu_status cu_import_begin_item(struct cu_import_ctx *x, const char *suggested,
				    struct cu_error *err) CU_WARN_UNUSED;
/* True for ids usable as one path component: [A-Za-z0-9._-], 1..64, no
 * leading dot. */
bool cu_import_item_id_safe(const char *id);

#include "extract/formats/formats.h"

#endif
