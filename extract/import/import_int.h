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

/* Sets the progress total to the bytes under path (a metadata-only walk,
 * done only when a bar is shown). */
void cu_import_progress_tree(struct cu_import_ctx *x, const char *path);

/* ---- directories (import.c) ---- */
enum cu_status cu_import_dir(struct cu_import_ctx *x, struct cu_error *err) CU_WARN_UNUSED;

/* ---- tar / zip (android_archive.c) ---- */

/* Pulls raw bytes for libarchive; returns bytes (0 at end) or -1 with err set. */
typedef ssize_t (*cu_import_pull_fn)(void *ctx, void *buf, size_t n, struct cu_error *err);

/*
 * Streams an archive (tar, tar.gz/bz2/xz, zip) from pull() through
 * libarchive, storing every member. map_name turns a member name into a
 * device path (NULL: "/" + name). consumed() reports compressed bytes
 * pulled so far (for the ratio limit).
 */
struct cu_import_archive_src {
	cu_import_pull_fn pull;
	void *ctx;
	uint64_t (*consumed)(void *ctx);
	/* may rewrite name into out (device path); return false to use "/"+name */
	bool (*map_name)(const char *name, struct cu_buf *out);
	const char *origin_prefix; /* e.g. "backup.ab:" or "" */
	/* zip: seekable source; libarchive then reads the central directory
	 * (member types and modes, e.g. symlinks) before the members. */
	int64_t (*seek)(void *ctx, int64_t off, int whence);
	bool zip;
	bool members_derived_note; /* .ab AES: note decryption in meta */
};
enum cu_status cu_import_archive(struct cu_import_ctx *x, const struct cu_import_archive_src *src,
				 struct cu_error *err) CU_WARN_UNUSED;
/* tar / zip file as the source image (source digests in the same pass). */
enum cu_status cu_import_android_archive(struct cu_import_ctx *x,
					 struct cu_error *err) CU_WARN_UNUSED;

/* Records the digests of the whole image file in the IMPORT details. */
enum cu_status cu_import_source_digests_set(struct cu_import_ctx *x,
					    const struct cu_digests *d) CU_WARN_UNUSED;

/* Member name -> device path: strips "./" and leading "/", refuses ".."
 * (CU_E_PATH). Returns "/"-prefixed path in out. absolute set when the name
 * was absolute. */
enum cu_status cu_import_member_path(const char *name, struct cu_buf *out, bool *absolute,
				     struct cu_error *err) CU_WARN_UNUSED;

/* ---- adb backup (android_ab.c) ---- */

enum cu_ab_enc { CU_AB_NONE = 0, CU_AB_AES256 = 1 };
struct cu_ab_header {
	int version;
	bool compressed;
	enum cu_ab_enc enc;
	unsigned char user_salt[64];
	size_t user_salt_len;
	unsigned char ck_salt[64];
	size_t ck_salt_len;
	uint32_t rounds;
	unsigned char user_iv[16];
	unsigned char mk_blob[256];
	size_t mk_blob_len;
	size_t header_len; /* bytes before the payload */
};
/* Parses the header at the start of p[0..n). CU_E_FORMAT if malformed,
 * CU_E_UNSUPPORTED for unknown versions/encryptions, CU_E_LIMIT if more
 * bytes are needed than n (callers pass at least 4096 bytes or the file). */
enum cu_status cu_ab_header_parse(const unsigned char *p, size_t n, struct cu_ab_header *h,
				  struct cu_error *err) CU_WARN_UNUSED;
/* Derives the master key and IV from the password and checks the master
 * key checksum (version >= 2: key bytes as Java chars, UTF-8 encoded).
 * CU_E_KEY when the password is wrong. */
enum cu_status cu_ab_unlock(const struct cu_ab_header *h, const char *password, size_t pwlen,
			    unsigned char mk[32], unsigned char iv[16],
			    struct cu_error *err) CU_WARN_UNUSED;
/* The "Java chars" conversion used for the checksum (out needs 3*n). */
size_t cu_ab_java_chars_utf8(const unsigned char *in, size_t n, unsigned char *out);
/* The Android full-backup member name -> device path (apps/<pkg>/db/x ->
 * /data/data/<pkg>/databases/x); false if no mapping applies. */
bool cu_ab_map_name(const char *name, struct cu_buf *out);
enum cu_status cu_import_android_ab(struct cu_import_ctx *x, struct cu_error *err) CU_WARN_UNUSED;

/* ---- iOS backup (ios_backup.c, ios_crypto.c) ---- */

#define CU_IOS_MAX_CLASSES 16
struct cu_ios_class_key {
	uint32_t clas;
	uint32_t wrap;
	uint32_t ktyp;
	unsigned char wpky[40];
	size_t wpky_len;
	unsigned char key[32];
	bool unwrapped;
};
struct cu_ios_keybag {
	uint32_t version, type, iter, dpic;
	bool have_dpic;
	unsigned char uuid[16];
	unsigned char salt[20];
	size_t salt_len;
	unsigned char dpsl[20];
	size_t dpsl_len;
	struct cu_ios_class_key cls[CU_IOS_MAX_CLASSES];
	size_t ncls;
};
/* Parses the BackupKeyBag TLV (4-byte tag, u32 BE length, value). */
enum cu_status cu_ios_keybag_parse(const unsigned char *p, size_t n, struct cu_ios_keybag *kb,
				   struct cu_error *err) CU_WARN_UNUSED;
/* The slow part: PBKDF2-SHA256(DPSL, DPIC) then PBKDF2-SHA1(SALT, ITER). */
enum cu_status cu_ios_keybag_derive(const struct cu_ios_keybag *kb, const char *pw, size_t pwlen,
				    unsigned char key[32], struct cu_error *err) CU_WARN_UNUSED;
/* Unwraps every passphrase-wrapped class key; CU_E_KEY on a wrong key. */
enum cu_status cu_ios_keybag_unlock(struct cu_ios_keybag *kb, const unsigned char key[32],
				    struct cu_error *err) CU_WARN_UNUSED;
/* RFC 3394 unwrap (OpenSSL EVP_aes_256_wrap). CU_E_KEY if the check fails. */
enum cu_status cu_ios_aes_unwrap(const unsigned char kek[32], const unsigned char *in, size_t n,
				 unsigned char *out, size_t *outlen,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Unwraps a 4-byte-LE-class-prefixed wrapped key (ManifestKey, EncryptionKey). */
enum cu_status cu_ios_unwrap_file_key(const struct cu_ios_keybag *kb, const unsigned char *p,
				      size_t n, uint32_t *cls, unsigned char key[32],
				      struct cu_error *err) CU_WARN_UNUSED;

/* MBFile facts from Manifest.db Files.file (NSKeyedArchiver bplist). */
struct cu_ios_mbfile {
	uint64_t size;
	int64_t mtime, birth, ctime; /* Unix seconds, INT64_MIN unknown */
	int64_t mode, uid, gid, protection, flags;
	uint64_t inode;
	bool have_size, have_inode;
	char *target; /* symlink target or NULL */
	unsigned char enc_key[64];
	size_t enc_key_len; /* 0 if none */
};
enum cu_status cu_ios_mbfile_parse(const void *blob, size_t n, struct cu_ios_mbfile *out,
				   struct cu_error *err) CU_WARN_UNUSED;
void cu_ios_mbfile_release(struct cu_ios_mbfile *m);
enum cu_status cu_import_ios_backup(struct cu_import_ctx *x, struct cu_error *err) CU_WARN_UNUSED;
/* Finds the backup root (PATH or PATH/<one subdir>) holding Manifest.db and
 * Manifest.plist. *count = candidates found. */
enum cu_status cu_import_ios_find_root(const char *path, struct cu_buf *root, int *count,
				       struct cu_error *err) CU_WARN_UNUSED;

#endif
