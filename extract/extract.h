/*
 * extract.h - acquisition and import: everything that brings a phone's
 * data into a case directory (evidence/, inventory/, custody entries).
 * Device acquisition (iOS via libimobiledevice, Android via ADB) and image
 * import write exactly the same layout and inventory (core.h: case layout).
 */
#ifndef CUSTOS_EXTRACT_H
#define CUSTOS_EXTRACT_H

#include "core/core.h"

enum cu_import_format {
	CU_IMPORT_AUTO = 0,
	CU_IMPORT_IOS_BACKUP,
	CU_IMPORT_ANDROID_TAR,
	CU_IMPORT_ANDROID_ZIP,
	CU_IMPORT_ANDROID_DIR,
	CU_IMPORT_ANDROID_AB,
	CU_IMPORT_DIR,
};

struct cu_import_opts {
	enum cu_import_format format;
	const char *item;          /* item id, NULL = derive one */
	const char *password;      /* backup password (never logged), or NULL */
	const char *password_file; /* alternatively */
	bool resume;
	unsigned hash_algs;        /* CU_HASH_DEFAULT [| CU_HASH_SM3] */
};

struct cu_import_stats {
	uint64_t files, bytes, warnings, skipped, derived;
};

/* Parses a --format name; false if unknown. */
bool cu_import_format_parse(const char *name, enum cu_import_format *out);
const char *cu_import_format_name(enum cu_import_format f);

/* Imports PATH into the case. CU_E_PARTIAL when some members failed (each
 * recorded); CU_E_KEY for a wrong or missing password (message names the
 * backup). */
enum cu_status cu_import_run(struct cu_case *c, const char *path, const struct cu_import_opts *opts,
			     struct cu_import_stats *stats, struct cu_error *err);

#endif
