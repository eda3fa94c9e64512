/*
 * formats.h - the image formats custos reads, apart from where the bytes
 * come from: each decoder takes a source (a reader for a file's bytes, or
 * a directory) and writes through the evidence writer of the run
 * (struct cu_format_run: writer, item, details, password). One table names
 * every format with its detector and decoder; detection asks every
 * detector and refuses to guess when two say yes (as The Sleuth Kit's
 * fs_open does).
 *
 * Also the pure parsers of the formats that unit tests and fuzz targets
 * call directly: keybag TLV, MBFile, adb backup header, archive member
 * names.
 */
#ifndef CUSTOS_FORMATS_H
#define CUSTOS_FORMATS_H

#include "extract/ingest_int.h"

#include <sys/stat.h>
#include <sys/types.h>

/* Read/write chunk: large enough for sequential throughput, small enough for
 * the 64 MB RSS goal. */
#define CU_IMPORT_CHUNK ((size_t)1 << 20)
/* Metadata files (plists) are read into memory; this caps them. */
#define CU_IMPORT_META_MAX ((size_t)256 << 20)

/*
 * What a decoder writes with: the evidence writer and the run's facts.
 * The driver (import today, acquisition later) fills it and answers the
 * two callbacks; a decoder never sees where its source came from beyond
 * struct cu_format_source.
 */
struct cu_format_run {
	struct cu_ingest *w;       /* every file goes through it */
	struct cu_case *c;         /* the case (CASE/work for staged copies) */
	char *item;                /* set by begin_item */
	struct cu_hasher *hasher;  /* refused members (digests for the record) */
	struct cu_hasher *hasher2; /* the whole image, same pass as its members */
	unsigned char *buf;        /* CU_IMPORT_CHUNK bytes */
	struct cu_progress prog;
	json_t *item_facts;                /* manifest items[] fields found in the image */
	json_t *details;                   /* format-specific details for the custody entry */
	const char *os;                    /* "iOS", "Android" or NULL */
	const char *mount_prefix;          /* where the image root sat: "" or "/data"... */
	bool mount_point_given;            /* the examiner named it: do not guess */
	const char *derived_key_file;      /* iOS: a key derived earlier, or NULL */
	const char *save_derived_key_file; /* iOS: where to save the key, or NULL */
	const char *derive_method;         /* the DERIVE entry's method */
	uint64_t max_expansion;            /* --max-expansion, 0 = the default */
	/* Chooses the item (suggested: e.g. the iPhone's serial, may be NULL)
	 * and opens the writer's item: call once the item facts are known and
	 * before writing anything. */
	enum cu_status (*begin_item)(struct cu_format_run *r, const char *suggested,
				     struct cu_error *err);
	/* The password of an encrypted image into out; CU_E_KEY if none. */
	enum cu_status (*password)(struct cu_format_run *r, struct cu_buf *out,
				   struct cu_error *err);
	/*
	 * Acquisition: the directory decoded is the case's own spool, its
	 * files hashed while they arrived (cu_ingest_spool_plan). For a source
	 * file (path relative to the decoded root: "Manifest.db",
	 * "3d/3d0d7e...") fill *out and return true when it is spooled: the
	 * decoder then moves it into its slot (cu_ingest_adopt) instead of
	 * copying it. NULL for import. A spooled file already moved by an
	 * interrupted run is found done in the inventory on resume.
	 */
	bool (*spooled)(struct cu_format_run *r, const char *origin, struct cu_ingest_spooled *out);
	void *spooled_ctx;
};

/* The bytes of an image, read once in order: a file, or a stream a device
 * sends. */
struct cu_format_reader {
	/* Up to n bytes into buf: the count, 0 at the end, -1 with errno set. */
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	/* Optional, NULL for a pure stream: lseek(2) semantics. */
	int64_t (*seek)(void *ctx, int64_t off, int whence);
	void *ctx;
};

/* Where a decoder's input is. */
struct cu_format_source {
	const char *name;           /* for messages: the path as given, or the device */
	const char *path;           /* directory formats: the absolute directory */
	struct cu_format_reader in; /* file formats: the bytes */
	uint64_t size;              /* bytes of in when known (progress), else 0 */
};

/* A reader over an open file descriptor (ctx = the fd, as intptr_t). */
ssize_t cu_format_fd_read(void *ctx, void *buf, size_t n);
int64_t cu_format_fd_seek(void *ctx, int64_t off, int whence);
/* Reads until n bytes or the end; *got says how many. CU_E_IO on errors. */
enum cu_status cu_format_read_full(const struct cu_format_source *src, void *buf, size_t n,
				   size_t *got, struct cu_error *err) CU_WARN_UNUSED;

/* One image format. */
struct cu_format {
	const char *name; /* --format name */
	bool is_dir;      /* a directory (else a regular file read as a stream) */
	/* true when the image looks like this format; NULL: never detected
	 * (chosen with --format, or the directory fallback). */
	bool (*detect)(const char *path, const struct stat *st, const unsigned char *head,
		       size_t n);
	enum cu_status (*decode)(struct cu_format_run *x, const struct cu_format_source *src,
				 struct cu_error *err);
};
/* The format of an enum cu_import_format value, NULL for CU_IMPORT_AUTO or
 * unknown values. */
const struct cu_format *cu_format_get(enum cu_import_format f);
/* Asks every detector: exactly one yes gives the format; a directory no one
 * claims is "dir"; two yeses are CU_E_USAGE (name one with --format). */
enum cu_status cu_format_detect(const char *path, enum cu_import_format *out,
				struct cu_error *err) CU_WARN_UNUSED;

/* ---- helpers of the decoders (formats.c) ---- */

/*
 * cu_ingest_slot_plan() for one regular file of size bytes about to be
 * copied: a name that cannot be stored (CU_E_PATH, CU_E_EXISTS, CU_E_IO) is
 * warned about as "'<name1><name2>' not imported: why" and skipped; on
 * resume a file already done only counts as progress. *copy is true when
 * the file is to be copied now. Other errors stop the import.
 */
enum cu_status cu_import_slot_plan_file(struct cu_format_run *x, const char *name1,
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
/* Output below this many bytes is never called a bomb (nor stopped by the
 * default expansion limit). */
#define CU_IMPORT_RATIO_FLOOR ((uint64_t)64 << 20)

/* ---- directories (dir.c): dir and android-dir ---- */
enum cu_status cu_format_dir(struct cu_format_run *x, const struct cu_format_source *src,
			     struct cu_error *err) CU_WARN_UNUSED;
/* android-dir: device paths start at /data when the tree looks like the
 * /data partition (data/, user_de/ and app/) and no mount point was given. */
enum cu_status cu_format_android_dir(struct cu_format_run *x, const struct cu_format_source *src,
				     struct cu_error *err) CU_WARN_UNUSED;
/* True when path/sub is a directory (not through a symlink). */
bool cu_format_is_dir_at(const char *path, const char *sub);
/* Sets the progress total to the bytes under path (a metadata-only walk,
 * done only when a bar is shown). */
void cu_import_progress_tree(struct cu_format_run *x, const char *path);

/* ---- tar / zip (archive.c) ---- */

/* Pulls raw bytes for libarchive; returns bytes (0 at end) or -1 with err set. */
typedef ssize_t (*cu_import_pull_fn)(void *ctx, void *buf, size_t n, struct cu_error *err);

/*
 * Streams an archive (tar, tar.gz/bz2/xz, zip) from pull() through
 * libarchive, storing every member. map_name turns a member name into a
 * device path (NULL: "/" + name). consumed() reports compressed bytes
 * pulled so far (for the ratio limit).
 */
struct cu_import_archive_src {
	const char *name; /* the image, for messages */
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
	uint64_t size;             /* bytes of the archive file, 0 = unknown */
	/* zip: the central directory as custos read it itself (names with
	 * their length, local entry offsets), or NULL. */
	struct cu_zip_cd *cd;
};
enum cu_status cu_import_archive(struct cu_format_run *x, const struct cu_import_archive_src *src,
				 struct cu_error *err) CU_WARN_UNUSED;
/* A tar or zip image read from src->in (the image's digests in the same
 * pass). zip: read through the central directory when src->in can seek. */
enum cu_status cu_format_archive(struct cu_format_run *x, const struct cu_format_source *src,
				 bool zip, struct cu_error *err) CU_WARN_UNUSED;

/* Records the digests of the whole image file in the IMPORT details. */
enum cu_status cu_import_source_digests_set(struct cu_format_run *x,
					    const struct cu_digests *d) CU_WARN_UNUSED;

/* Member name -> device path: strips "./" and leading "/", refuses ".."
 * (CU_E_PATH). Returns "/"-prefixed path in out. absolute set when the name
 * was absolute. */
enum cu_status cu_import_member_path(const char *name, struct cu_buf *out, bool *absolute,
				     struct cu_error *err) CU_WARN_UNUSED;
/* The same for a name of n bytes that may hold NUL bytes (a zip member
 * name is counted, not terminated): they stay in out, and the evidence
 * writer escapes them reversibly (%00). */
enum cu_status cu_import_member_path_n(const char *name, size_t n, struct cu_buf *out,
				       bool *absolute, struct cu_error *err) CU_WARN_UNUSED;

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
/* An adb backup read from src->in (the image's digests in the same pass). */
enum cu_status cu_format_android_ab(struct cu_format_run *x, const struct cu_format_source *src,
				    struct cu_error *err) CU_WARN_UNUSED;

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
/* An iOS backup directory src->path (or its one subdirectory holding
 * Manifest.db): the import's, or the one mobilebackup2 fills. */
enum cu_status cu_format_ios_backup(struct cu_format_run *x, const struct cu_format_source *src,
				    struct cu_error *err) CU_WARN_UNUSED;
/* Finds the backup root (PATH or PATH/<one subdir>) holding Manifest.db and
 * Manifest.plist. *count = candidates found. */
enum cu_status cu_import_ios_find_root(const char *path, struct cu_buf *root, int *count,
				       struct cu_error *err) CU_WARN_UNUSED;

#endif
