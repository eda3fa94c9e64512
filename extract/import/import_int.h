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

#include "extract/formats/formats.h"

#include <sys/stat.h>
#include <time.h>

struct cu_import_ctx {
	struct cu_format_run run; /* first: what the decoders see */
	const struct cu_import_opts *opts;
	const char *src; /* as given by the user */
	char *src_abs;   /* realpath */
	enum cu_import_format format;
	bool resume;
	struct cu_import_stats st;
	char *mount_buf;
	bool begun; /* item chosen, manifest entry written */
	/* Chosen before decoding (--item, the only seizure item, the
	 * interrupted import's item); NULL = the decoder suggests one. */
	const char *pre_item;
	bool new_item;            /* pre_item is not in the seizure list */
	char src_sha256[65];      /* a regular-file image: its SHA-256, else "" */
	json_t *again_of;         /* owned: {item, source, sha256} imported before */
	json_t *acq;              /* borrowed: our acquisitions[] entry */
	char manifest_sha256[65]; /* the manifest the IMPORT entry names */
	int64_t start_ms;
};

/* True for ids usable as one path component: [A-Za-z0-9._-], 1..64, no
 * leading dot. */
bool cu_import_item_id_safe(const char *id);

#endif
