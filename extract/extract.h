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
	unsigned hash_algs; /* CU_HASH_DEFAULT [| CU_HASH_SM3]; 0 = default */
	/*
	 * Asked for the password only when the image turns out to be
	 * encrypted (after password/password_file). Fills out (the import
	 * wipes it); CU_E_KEY when none can be had. May be NULL.
	 */
	enum cu_status (*password_cb)(void *ctx, struct cu_buf *out, struct cu_error *err);
	void *password_ctx;
	/* iOS: a 32-byte key derived earlier (skips the ~10M-round PBKDF2),
	 * and where to save the derived key (mode 0600) when the examiner asks. */
	const char *derived_key_file;
	const char *save_derived_key_file;
	/* Android dumps: where the image's root was mounted on the phone
	 * ("/data" for a /data partition dump); NULL = "/" (or guessed for a
	 * directory holding data/, user_de/ and app/). */
	const char *mount_point;
};

struct cu_import_stats {
	uint64_t files, bytes, warnings, skipped, derived;
	uint64_t failures, rechecked;
	char item[128]; /* the item id used */
};

/* Parses a --format name; false if unknown. */
bool cu_import_format_parse(const char *name, enum cu_import_format *out);
const char *cu_import_format_name(enum cu_import_format f);

/* Imports PATH into the case. CU_E_PARTIAL when some members failed (each
 * recorded); CU_E_KEY for a wrong or missing password (message names the
 * backup). */
enum cu_status cu_import_run(struct cu_case *c, const char *path, const struct cu_import_opts *opts,
			     struct cu_import_stats *stats, struct cu_error *err);

/* The libraries extract/ios/ (libimobiledevice, libplist, libusbmuxd) and
 * extract/android/ (libusb) wrap, for --version and tool.libraries (struct
 * cu_library in core.h). */
size_t cu_extract_ios_libraries(struct cu_library *out, size_t max);
size_t cu_extract_android_libraries(struct cu_library *out, size_t max);

#endif
