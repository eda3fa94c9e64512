/*
 * core.h - the shared core of custos: errors, logging, buffers, paths,
 * files, hashing, JSON, time, progress, Merkle trees, the custody log and
 * the case directory.
 *
 * This is the only public header of core/. Every other folder includes it.
 * Ownership: functions named _init/_release work on caller-embedded structs,
 * _new/_free on heap objects. Out-parameters are written only on success.
 * A borrowed "const char *" stays valid until the owning object is freed.
 */
#ifndef CUSTOS_CORE_H
#define CUSTOS_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h> /* JSON reading: the one third-party header core exposes */

#ifdef __GNUC__
#define CU_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CU_NORETURN     __attribute__((noreturn))
#define CU_WARN_UNUSED  __attribute__((warn_unused_result))
#else
#define CU_PRINTF(f, a)
#define CU_NORETURN
#define CU_WARN_UNUSED
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

enum cu_status {
	CU_OK = 0,
	CU_E_NOMEM = -1,       /* allocation failed */
	CU_E_USAGE = -2,       /* bad arguments from the user (exit 2) */
	CU_E_IO = -3,          /* read/write/open failed */
	CU_E_FORMAT = -4,      /* corrupt, truncated or malformed input */
	CU_E_UNSUPPORTED = -5, /* valid input we cannot handle */
	CU_E_KEY = -6,         /* wrong password / key, or none given */
	CU_E_INTEGRITY = -7,   /* hash, chain or signature mismatch (exit 1) */
	CU_E_DEVICE = -8,      /* device absent, locked, unauthorized (exit 4) */
	CU_E_EXISTS = -9,      /* target already exists */
	CU_E_NOTFOUND = -10,   /* missing file, table, key... */
	CU_E_LIMIT = -11,      /* a hard size cap was hit */
	CU_E_CRYPTO = -12,     /* an OpenSSL operation failed */
	CU_E_PATH = -13,       /* unsafe path (.., absolute, NUL, escape) */
	CU_E_PARTIAL = -14,    /* finished, some parts failed (exit 5) */
	CU_E_NOT_IMPLEMENTED = -15,
	CU_E_INTERNAL = -16,
	CU_E_INTERRUPTED = -17, /* stopped by a signal; resumable */
};

#define CU_ERROR_MSG_MAX 1024

/*
 * A caller-owned error record. cu_error_set() writes the innermost message;
 * callers add context on the way up with cu_error_prefix(), giving a chain
 * "seal: manifest 'x/manifest.json': line 3: unexpected token".
 * No allocation happens on the error path.
 */
struct cu_error {
	enum cu_status code;
	char msg[CU_ERROR_MSG_MAX];
};

void cu_error_clear(struct cu_error *err);
/* vsnprintf into msg (size bytes) that shortens a message too long for it
 * in the middle (" … ", UTF-8 kept whole), as the error record does; for
 * warnings formatted outside a struct cu_error. */
void cu_error_vformat(char *msg, size_t size, const char *fmt, va_list ap) CU_PRINTF(3, 0);
/* Sets code and message; returns code so callers can "return cu_error_set(...)".
 * err may be NULL (the error is then dropped). */
enum cu_status cu_error_set(struct cu_error *err, enum cu_status code, const char *fmt, ...)
    CU_PRINTF(3, 4);
/* Like cu_error_set() with ": <strerror(errno_value)>" appended. */
enum cu_status cu_error_errno(struct cu_error *err, enum cu_status code, int errno_value,
			      const char *fmt, ...) CU_PRINTF(4, 5);
/* Prepends "<context>: " to the message; returns err->code (CU_E_INTERNAL
 * when err is NULL, as there is no code to return). Messages longer than
 * CU_ERROR_MSG_MAX lose their middle, marked " … " (the start and the
 * reason at the end stay). */
enum cu_status cu_error_prefix(struct cu_error *err, const char *fmt, ...) CU_PRINTF(2, 3);
/* Appends the pending OpenSSL error queue text (and clears it); returns code. */
enum cu_status cu_error_openssl(struct cu_error *err, const char *fmt, ...) CU_PRINTF(2, 3);
const char *cu_strerror(enum cu_status code);
/* Exit code per CLI.md for a status: 0 ok, 1 integrity, 2 usage, 3 input,
 * 4 device, 5 partial. */
int cu_status_exit_code(enum cu_status code);

/* Aborts with file:line; for broken invariants only, never for bad input. */
CU_NORETURN void cu_bug(const char *file, int line, const char *what);
#define CU_BUG(what) cu_bug(__FILE__, __LINE__, (what))
#define CU_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			CU_BUG(#cond);                                                             \
	} while (0)

/* ------------------------------------------------------------------ */
/* Logging (stderr)                                                    */
/* ------------------------------------------------------------------ */

enum cu_log_level { CU_LOG_ERROR = 0, CU_LOG_WARN = 1, CU_LOG_INFO = 2, CU_LOG_DEBUG = 3 };

void cu_log_set_level(enum cu_log_level level);
enum cu_log_level cu_log_get_level(void);
/* Redirect log output (tests); NULL restores stderr. */
void cu_log_set_stream(FILE *stream);
void cu_log(enum cu_log_level level, const char *fmt, ...) CU_PRINTF(2, 3);
#define cu_error_log(...) cu_log(CU_LOG_ERROR, __VA_ARGS__)
#define cu_warn(...)      cu_log(CU_LOG_WARN, __VA_ARGS__)
#define cu_info(...)      cu_log(CU_LOG_INFO, __VA_ARGS__)
#define cu_debug(...)     cu_log(CU_LOG_DEBUG, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Allocation and checked arithmetic                                   */
/* ------------------------------------------------------------------ */

/* Returns NULL on overflow or exhaustion. */
void *cu_malloc(size_t n);
void *cu_calloc(size_t count, size_t size);
void *cu_reallocarray(void *p, size_t count, size_t size);
/* Resizes the array *pp (pp: the address of any object pointer) to count
 * elements of size bytes. On failure *pp is left as it was and false is
 * returned: arrays grown together stay valid at their old length. */
bool cu_grow_array(void *pp, size_t count, size_t size) CU_WARN_UNUSED;
char *cu_strdup(const char *s);
char *cu_strndup(const char *s, size_t n);
/* Test hook: make the Nth following cu_malloc/calloc/realloc fail (0 = off).
 * One-shot; cu_strdup/strndup and cu_buf growth count as allocations. */
void cu_alloc_fail_after(unsigned long n);

static inline bool cu_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}
static inline bool cu_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

/* ------------------------------------------------------------------ */
/* Buffers with a hard cap                                             */
/* ------------------------------------------------------------------ */

/* Always NUL-terminated when data != NULL. Growth past max fails with CU_E_LIMIT
 * (the message names the cap); a failed append leaves the content as it was.
 * cu_buf_init(b, 0) uses CU_BUF_DEFAULT_MAX. */
struct cu_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define CU_BUF_DEFAULT_MAX ((size_t)1 << 30)
#define CU_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, CU_BUF_DEFAULT_MAX                                                     \
	}

void cu_buf_init(struct cu_buf *b, size_t max);
void cu_buf_release(struct cu_buf *b);
void cu_buf_reset(struct cu_buf *b); /* len = 0, keeps memory */
enum cu_status cu_buf_grow(struct cu_buf *b, size_t extra, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_buf_append(struct cu_buf *b, const void *p, size_t n,
			     struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_buf_puts(struct cu_buf *b, const char *s, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_buf_putc(struct cu_buf *b, char c, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_buf_printf(struct cu_buf *b, struct cu_error *err, const char *fmt, ...)
    CU_PRINTF(3, 4) CU_WARN_UNUSED;
enum cu_status cu_buf_vprintf(struct cu_buf *b, struct cu_error *err, const char *fmt, va_list ap)
    CU_PRINTF(3, 0) CU_WARN_UNUSED;
/* Hands the memory to the caller (never NULL: an empty buffer yields ""). */
char *cu_buf_detach(struct cu_buf *b, size_t *len);

/*
 * A text being assembled from many pieces (forms, reports, documents) with
 * a sticky error: after the first failed append every call is a no-op and
 * cu_text_finish() reports that first failure, so no piece is ever dropped
 * silently while the rest of the text goes on. The buffer is borrowed.
 */
struct cu_text {
	struct cu_buf *out;
	struct cu_error err;
};
void cu_text_init(struct cu_text *t, struct cu_buf *out);
void cu_text_append(struct cu_text *t, const void *p, size_t n);
void cu_text_puts(struct cu_text *t, const char *s);
void cu_text_putc(struct cu_text *t, char c);
void cu_text_printf(struct cu_text *t, const char *fmt, ...) CU_PRINTF(2, 3);
/* True once an append has failed. */
bool cu_text_failed(const struct cu_text *t);
/* CU_OK, or the first failure (copied into err). */
enum cu_status cu_text_finish(struct cu_text *t, struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Secrets held in memory only (core/secret.c)                         */
/* ------------------------------------------------------------------ */

/* Core dumps off for the whole process: RLIMIT_CORE 0 (soft and hard) and
 * PR_SET_DUMPABLE 0 (no core, no ptrace attach by other users, /proc/PID
 * owned by root); and OpenSSL's secure heap for private keys (best effort).
 * main() calls it first, for every command. */
enum cu_status cu_secret_no_core_dumps(struct cu_error *err) CU_WARN_UNUSED;
/* mlock()s n bytes at p while a secret is held there (best effort: false
 * when the lock limit refused it; the secret is still wiped). */
bool cu_secret_lock(void *p, size_t n);
/* Overwrites n bytes at p (OPENSSL_cleanse, never elided) and unlocks them. */
void cu_secret_wipe(void *p, size_t n);
/* Makes an empty b a locked buffer for a secret of at most cap bytes that
 * never reallocates (a realloc would leave a copy behind). */
enum cu_status cu_secret_buf_reserve(struct cu_buf *b, size_t cap,
				     struct cu_error *err) CU_WARN_UNUSED;
/* Wipes all of b's memory (cap, not len), unlocks and releases it. */
void cu_secret_buf_wipe(struct cu_buf *b);
/* Appends the first line of a password file (at most max bytes) to out,
 * a buffer from cu_secret_buf_reserve(). A failure never names the file:
 * the name given may be a password typed where the path belongs. */
enum cu_status cu_secret_read_file(const char *path, size_t max, struct cu_buf *out,
				   struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

/* Length of the longest valid UTF-8 prefix of s[0..n). */
size_t cu_utf8_valid_prefix(const char *s, size_t n);
bool cu_utf8_valid(const char *s, size_t n);
/* Hex of n bytes into out (2n+1 bytes), lowercase. */
void cu_hex(const unsigned char *in, size_t n, char *out);
/* Parses exactly 2n hex digits; returns false on anything else. */
/* Value of one hex digit (either case), or -1. */
int cu_hexval(char c);
bool cu_unhex(const char *hex, unsigned char *out, size_t n);
/* Safe strtoll/strtoull: the whole string must be a number in range. */
bool cu_parse_i64(const char *s, int64_t *out);
bool cu_parse_u64(const char *s, uint64_t *out);
bool cu_str_has_prefix(const char *s, const char *prefix);
bool cu_str_has_suffix(const char *s, const char *suffix);
/* Base64 (standard alphabet, padded). Decoding is strict (no whitespace,
 * padding only at the end, unused bits zero) so encodings are unique; on
 * error nothing is appended to out. */
enum cu_status cu_base64_encode(const unsigned char *in, size_t n, struct cu_buf *out,
				struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_base64_decode(const char *in, size_t n, struct cu_buf *out,
				struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

#define CU_PATH_MAX 4096

/*
 * Escapes one name component reversibly so it is valid UTF-8 and safe on
 * any file system we write to: every byte that is not part of valid UTF-8,
 * every control byte (< 0x20, 0x7f), '%' and '\\' become "%XX" (uppercase
 * hex). "/" inside a component also becomes %2F. "." and ".." become
 * "%2E" and "%2E%2E". cu_path_unescape_component() inverts it.
 */
enum cu_status cu_path_escape_component(const char *name, size_t n, struct cu_buf *out,
					struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_path_unescape_component(const char *name, struct cu_buf *out,
					  struct cu_error *err) CU_WARN_UNUSED;

/*
 * Checks that rel is a safe relative path: not empty, not absolute, no NUL
 * in [0,n), no "." or ".." component, no empty component ("a//b"), valid
 * UTF-8. Returns CU_E_PATH otherwise with the reason.
 */
enum cu_status cu_path_check_relative(const char *rel, size_t n,
				      struct cu_error *err) CU_WARN_UNUSED;

/*
 * Turns a device path (e.g. "/data/data/x/db" or "HomeDomain/Library/a")
 * into a safe relative path by escaping each component; leading "/" and
 * repeated "/" are dropped. A ".." or "." component is refused (CU_E_PATH):
 * hostile names are reported, not silently rewritten.
 */
/* A path of n bytes (NUL bytes, invalid UTF-8 and all) as one line of
 * ASCII for a message: bytes outside printable ASCII and % \\ ' as %XX, cut
 * to fit tmp (tmpn bytes). Returns tmp. */
const char *cu_path_show(const char *p, size_t n, char *tmp, size_t tmpn);
enum cu_status cu_path_from_device(const char *device_path, size_t n, struct cu_buf *out,
				   struct cu_error *err) CU_WARN_UNUSED;

/* out = root + "/" + rel after cu_path_check_relative(rel). Never escapes root;
 * an empty root is refused (it would make rel absolute). */
enum cu_status cu_path_join(const char *root, const char *rel, struct cu_buf *out,
			    struct cu_error *err) CU_WARN_UNUSED;

/* mkdir -p with mode for every missing component of path (not the last if
 * parent_only). */
enum cu_status cu_mkdirs(const char *path, mode_t mode, bool parent_only,
			 struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

/* Reads a whole (small) file, at most max bytes, else CU_E_LIMIT. */
enum cu_status cu_file_read_all(const char *path, size_t max, struct cu_buf *out,
				struct cu_error *err) CU_WARN_UNUSED;
/* cu_file_read_all() (appends to out), then cuts what it read at the first
 * '\n' (and a '\r' before it): a password or secret file, however its
 * editor ended the line. */
enum cu_status cu_file_read_first_line(const char *path, size_t max, struct cu_buf *out,
				       struct cu_error *err) CU_WARN_UNUSED;
/* Writes data to path via "path.tmp.<pid>" + fsync + rename + dir fsync. */
enum cu_status cu_file_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
				    struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_fsync_dir(const char *dir, struct cu_error *err) CU_WARN_UNUSED;
bool cu_file_exists(const char *path);
/* Writes all n bytes, retrying on EINTR/short writes. */
enum cu_status cu_write_all(int fd, const void *p, size_t n, const char *what,
			    struct cu_error *err) CU_WARN_UNUSED;
/* Reads up to n bytes (fewer only at EOF), retrying on EINTR; *got = bytes read.
 * what names the file in error messages. */
enum cu_status cu_read_full(int fd, void *p, size_t n, size_t *got, const char *what,
			    struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Hashing: one pass, SHA-256 + MD5 (+ SM3), optionally on two threads  */
/* ------------------------------------------------------------------ */

enum cu_hash_alg {
	CU_HASH_SHA256 = 1u << 0,
	CU_HASH_MD5 = 1u << 1,
	CU_HASH_SM3 = 1u << 2,
};
#define CU_HASH_DEFAULT (CU_HASH_SHA256 | CU_HASH_MD5)

/* Run MD5 and SM3 each on a worker thread while SHA-256 runs on the caller's
 * (worth it for bulk data; updates under 64 KiB stay on the caller's thread). */
#define CU_HASHER_THREADED 1u

struct cu_digests {
	unsigned algs; /* which of the below are valid */
	uint64_t size; /* bytes fed */
	char sha256[65];
	char md5[33];
	char sm3[65];
	unsigned char sha256_raw[32];
};

struct cu_hasher;

enum cu_status cu_hasher_new(unsigned algs, unsigned flags, struct cu_hasher **out,
			     struct cu_error *err) CU_WARN_UNUSED;
/* Feeds bytes to every digest. The data need only stay valid during the call. */
enum cu_status cu_hasher_update(struct cu_hasher *h, const void *p, size_t n,
				struct cu_error *err) CU_WARN_UNUSED;
/* The same, but returns while the worker threads (CU_HASHER_THREADED) may
 * still be reading p: p must stay unchanged until the next call on h
 * (update, update_start, final, reset or free), which waits for them. A
 * worker's failure is reported by that call. */
enum cu_status cu_hasher_update_start(struct cu_hasher *h, const void *p, size_t n,
				      struct cu_error *err) CU_WARN_UNUSED;
/* Finishes all digests; the hasher can then be reset for reuse (update or
 * final before the reset fail with CU_E_INTERNAL). */
enum cu_status cu_hasher_final(struct cu_hasher *h, struct cu_digests *out,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_hasher_reset(struct cu_hasher *h, struct cu_error *err) CU_WARN_UNUSED;
void cu_hasher_free(struct cu_hasher *h);

/* One-shot helpers. */
void cu_sha256(const void *p, size_t n, unsigned char out[32]);
void cu_sha256_hex(const void *p, size_t n, char out[65]);
/* Streams a file through the hasher (read-only open, O_NOFOLLOW). Regular
 * files and block devices only: a FIFO, socket or character device is
 * refused with CU_E_UNSUPPORTED instead of blocking or reading forever. */
enum cu_status cu_hash_file(const char *path, unsigned algs, struct cu_digests *out,
			    struct cu_error *err) CU_WARN_UNUSED;

/*
 * Copies src (an open fd) to a new file dst while hashing, in one pass:
 * read -> digests -> write. dst is created O_EXCL with mode 0444 after
 * writing (evidence copies are read-only), fsync'ed. `limit` caps the bytes
 * copied (CU_E_LIMIT past it; 0 = none). progress may be NULL.
 * An existing dst (or a symlink there) is CU_E_EXISTS and left alone; on any
 * other failure the partial dst is removed. Large or non-regular sources are
 * read on a helper thread (two 1 MiB buffers) while the caller's thread
 * hashes and writes. The parent directory is not fsync'ed (callers copying
 * many files do that once). out->size is the number of bytes copied.
 */
struct cu_progress;
enum cu_status cu_copy_hash_fd(int src_fd, const char *dst, unsigned algs, uint64_t limit,
			       struct cu_progress *progress, struct cu_digests *out,
			       struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* JSON writer: fixed key order (caller's), no whitespace, UTF-8       */
/* ------------------------------------------------------------------ */

#define CU_JSON_MAX_DEPTH 64

/*
 * Writes into a cu_buf. Errors are sticky: after the first failure every
 * call is a no-op and cu_json_finish() reports it. Strings must be UTF-8;
 * invalid bytes are written as U+FFFD and counted in `replaced` (callers
 * that must stay lossless escape paths with cu_path_escape_component first).
 * Escaping: '"', '\\' and bytes < 0x20 (as \n \r \t \b \f or \u00xx, lowercase
 * hex); '/', DEL and non-ASCII are written as is, so output is canonical for
 * our needs. Each byte that does not belong to a valid UTF-8 sequence gives
 * one U+FFFD. Misuse (value without key in an object, key in an array,
 * unbalanced ends) is a sticky CU_E_INTERNAL; nesting deeper than
 * CU_JSON_MAX_DEPTH a sticky CU_E_LIMIT.
 */
struct cu_json {
	struct cu_buf *out;
	int depth;
	bool first[CU_JSON_MAX_DEPTH];
	bool in_obj[CU_JSON_MAX_DEPTH]; /* container kind per level (misuse checks) */
	bool after_key;
	unsigned long replaced;
	struct cu_error err;
};

void cu_json_init(struct cu_json *j, struct cu_buf *out);
void cu_json_obj_begin(struct cu_json *j);
void cu_json_obj_end(struct cu_json *j);
void cu_json_arr_begin(struct cu_json *j);
void cu_json_arr_end(struct cu_json *j);
void cu_json_key(struct cu_json *j, const char *key);
void cu_json_str(struct cu_json *j, const char *s); /* NULL writes null */
void cu_json_strn(struct cu_json *j, const char *s, size_t n);
void cu_json_int(struct cu_json *j, int64_t v);
void cu_json_uint(struct cu_json *j, uint64_t v);
void cu_json_bool(struct cu_json *j, bool v);
void cu_json_null(struct cu_json *j);
/* Inserts already-serialised JSON (trusted, e.g. from cu_json_dump_jansson). */
void cu_json_raw(struct cu_json *j, const char *raw, size_t n);
/* Convenience: key + value. */
void cu_json_kv_str(struct cu_json *j, const char *key, const char *s);
void cu_json_kv_int(struct cu_json *j, const char *key, int64_t v);
void cu_json_kv_bool(struct cu_json *j, const char *key, bool v);
/* Writes a jansson value (objects keep their insertion order). */
void cu_json_jansson(struct cu_json *j, const json_t *v);
enum cu_status cu_json_finish(struct cu_json *j, struct cu_error *err) CU_WARN_UNUSED;

/* Reads a JSON file (at most max bytes) with jansson, keeping key order.
 * Errors name the file, line and column. Caller json_decref()s. Duplicate
 * keys are rejected; "\u0000" is accepted (the writer emits it for NUL
 * bytes), so use json_string_length() where strings may hold NUL. */
enum cu_status cu_json_load_file(const char *path, size_t max, json_t **out,
				 struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_json_load_str(const char *s, size_t n, const char *what, json_t **out,
				struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

#define CU_TIME_STR           25 /* "2026-11-23T07:01:02.123Z" + NUL */
#define CU_COCOA_EPOCH_OFFSET 978307200LL

/*
 * Wall clock in Unix ms. If SOURCE_DATE_EPOCH is set (tests, reproducible
 * builds), returns that value in ms plus a per-process counter of calls so
 * order stays visible; cu_time_is_fixed() tells callers to record this.
 */
int64_t cu_time_now_ms(void);
bool cu_time_is_fixed(void);
/* Formats Unix ms as RFC 3339 UTC with milliseconds. Returns false if out of
 * the supported range (years 0001..9999). */
bool cu_time_format_ms(int64_t unix_ms, char out[CU_TIME_STR]);
/* Parses RFC 3339 ("Z" or +hh:mm offsets, optional fraction). */
bool cu_time_parse(const char *s, int64_t *unix_ms);
int64_t cu_time_from_unix_s(int64_t s); /* saturates at INT64_MIN/MAX */
/* Rounds to the nearest ms; NaN gives 0, huge values saturate. */
int64_t cu_time_from_cocoa_s(double s);
int64_t cu_time_from_cocoa_ns(int64_t ns);
/* iOS sms.db style: |v| > 1e15 means nanoseconds, else seconds. */
int64_t cu_time_from_cocoa_auto(int64_t v);

/*
 * Time zones: an IANA name ("Asia/Shanghai", "Europe/Zurich") read from the
 * system tz database (TZif files under $TZDIR, else /usr/share/zoneinfo,
 * parsed here: no TZ/localtime state is touched, so these are thread-safe
 * and the same inputs give the same outputs), a fixed offset "+08:00", or
 * "UTC"/"Z"; NULL means UTC. Offsets are those in force at the instant
 * (daylight saving time included; beyond the file's last transition, its
 * POSIX TZ rule). CU_E_USAGE for an unknown zone name.
 */
#define CU_TIME_ZONE_STR 30 /* "2026-07-01T14:00:00.000+02:00" + NUL */
/* Formats ms as RFC 3339 with milliseconds and the offset in force then. */
enum cu_status cu_time_format_zone(int64_t ms, const char *zone, char *out, size_t cap,
				   struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_time_zone_check(const char *zone, struct cu_error *err) CU_WARN_UNUSED;
/* The offset east of UTC in seconds at ms, and (abbr, cap 16, may be NULL)
 * the zone's abbreviation then ("CEST", "CST", "+08:00"). */
enum cu_status cu_time_zone_offset(int64_t ms, const char *zone, int32_t *offset_s, char *abbr,
				   size_t abbr_cap, struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Progress on stderr (only when it is a terminal and enabled)         */
/* ------------------------------------------------------------------ */

struct cu_progress {
	const char *label;
	uint64_t total; /* 0 = unknown */
	uint64_t done;
	int64_t start_ms;     /* monotonic clock, not cu_time_now_ms() */
	int64_t last_draw_ms; /* 0 = never drawn; redraws at most ~10 per second */
	bool active;
};

/* Global switch set by the CLI (off with --quiet/--json or non-tty). */
void cu_progress_enable(bool on);
bool cu_progress_enabled(void);
void cu_progress_start(struct cu_progress *p, const char *label, uint64_t total);
void cu_progress_add(struct cu_progress *p, uint64_t n);
void cu_progress_set(struct cu_progress *p, uint64_t done);
void cu_progress_finish(struct cu_progress *p);
/* Erases a bar left on screen so a message can be printed; the next update
 * redraws it. cu_log() calls this before writing to stderr. */
void cu_progress_clear_line(void);
/* Renders one bar line into out (for tests): "label  42% 1.2 GB 35 MB/s ETA 0:12".
 * Decimal units; no percent/ETA when total is 0; no rate before time passes. */
void cu_progress_render(const struct cu_progress *p, int64_t now_ms, char *out, size_t n);

/* ------------------------------------------------------------------ */
/* RFC 6962 Merkle trees                                               */
/* ------------------------------------------------------------------ */

void cu_merkle_leaf_hash(const void *data, size_t n, unsigned char out[32]);
void cu_merkle_node_hash(const unsigned char left[32], const unsigned char right[32],
			 unsigned char out[32]);
/* Root over n leaf hashes (already leaf-hashed). n = 0 gives SHA-256(""). */
enum cu_status cu_merkle_root(const unsigned char (*leaves)[32], size_t n, unsigned char out[32],
			      struct cu_error *err) CU_WARN_UNUSED;
/* Audit path for leaf index i of n (RFC 6962 2.1.1). *path is malloc'ed,
 * *path_len hashes. */
enum cu_status cu_merkle_proof(const unsigned char (*leaves)[32], size_t n, size_t index,
			       unsigned char (**path)[32], size_t *path_len,
			       struct cu_error *err) CU_WARN_UNUSED;
/* Checks an audit path; true when it reproduces root. */
bool cu_merkle_verify(const unsigned char leaf[32], size_t index, size_t n,
		      const unsigned char (*path)[32], size_t path_len,
		      const unsigned char root[32]);

/* RFC 6962 root over leaves given one at a time, in order: a stack of at
 * most 64 complete-subtree hashes, so memory is fixed whatever the count.
 * Gives cu_merkle_root() of the same sequence. */
struct cu_merkle_stream {
	unsigned char h[64][32];
	uint64_t size[64]; /* leaves under h[i]: powers of two, decreasing */
	unsigned depth;
	uint64_t n;
};
void cu_merkle_stream_init(struct cu_merkle_stream *m);
void cu_merkle_stream_add(struct cu_merkle_stream *m, const unsigned char leaf[32]);
void cu_merkle_stream_root(const struct cu_merkle_stream *m, unsigned char out[32]);

/* Content-tree leaf data: path || 0x00 || decimal size || 0x00 || sha256hex. */
void cu_merkle_content_leaf(const char *path, uint64_t size, const char *sha256hex,
			    unsigned char out[32]);
/* One file of a content tree (CUSTODY.md): strings borrowed. */
struct cu_content_file {
	const char *path;
	uint64_t size;
	const char *sha256;
};
/* The content root (CUSTODY.md "Content tree"): sorts files bytewise by path
 * (in place) and hashes their content leaves. The tree is over a set of
 * files, so a path listed twice is CU_E_INTEGRITY, never counted twice. */
enum cu_status cu_merkle_content_root(struct cu_content_file *files, size_t n,
				      unsigned char root[32], struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Custody log (custody/log.jsonl), CUSTODY.md                         */
/* ------------------------------------------------------------------ */

struct cu_actor {
	const char *name;
	const char *id;   /* badge number, may be NULL */
	const char *role; /* investigator, examiner, custos... */
};

struct cu_signer; /* an Ed25519 private key and its key id */

enum cu_status cu_signer_load(const char *pem_path, struct cu_signer **out,
			      struct cu_error *err) CU_WARN_UNUSED;
void cu_signer_free(struct cu_signer *s);
const char *cu_signer_key_id(const struct cu_signer *s);
/* Loads a public key (SPKI PEM; a private key PEM also works) for
 * verification only: cu_signer_sign() then fails with CU_E_KEY. */
enum cu_status cu_signer_load_public(const char *pem_path, struct cu_signer **out,
				     struct cu_error *err) CU_WARN_UNUSED;
/* A fresh Ed25519 key (custos keygen). */
enum cu_status cu_signer_generate(struct cu_signer **out, struct cu_error *err) CU_WARN_UNUSED;
bool cu_signer_has_private(const struct cu_signer *s);
/* A verify-only key from the raw 32-byte Ed25519 public key (as recorded
 * in a signed case's CASE_INIT entry), and the raw key of a loaded one. */
enum cu_status cu_signer_from_raw_public(const unsigned char raw[32], struct cu_signer **out,
					 struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_signer_raw_public(const struct cu_signer *s, unsigned char raw[32],
				    struct cu_error *err) CU_WARN_UNUSED;
/* Raw Ed25519 signature over data (64 bytes). */
enum cu_status cu_signer_sign(const struct cu_signer *s, const void *data, size_t n,
			      unsigned char sig[64], struct cu_error *err) CU_WARN_UNUSED;
/* CU_OK when sig is a valid signature over data, CU_E_INTEGRITY when it is
 * not, CU_E_NOMEM or CU_E_CRYPTO when the check itself could not run (never
 * to be read as tampering). */
enum cu_status cu_signer_verify(const struct cu_signer *s, const void *data, size_t n,
				const unsigned char *sig, size_t sig_len,
				struct cu_error *err) CU_WARN_UNUSED;
/* Writes the private key (PKCS#8 PEM, new file O_EXCL mode 0600) and/or the
 * public key (SPKI PEM, mode 0644); either path may be NULL. */
enum cu_status cu_signer_write_pem(const struct cu_signer *s, const char *private_path,
				   const char *public_path, struct cu_error *err) CU_WARN_UNUSED;

/* One parsed log entry, for show/verify. Strings borrowed from the log. */
struct cu_custody_entry {
	uint64_t seq;
	const char *line; /* whole line without '\n' */
	size_t line_len;
	const char *body; /* exact body span within line */
	size_t body_len;
	unsigned char leaf[32];
	json_t *json; /* parsed line */
};

struct cu_custody;

/*
 * Opens (creating when `create`) the log at path for appending. The existing
 * log is read and checked: a torn last line (no '\n', or unparsable) is
 * reported in err as CU_E_INTEGRITY unless repair is true, in which case the
 * torn bytes are left as they are, a newline is written, and an ERROR entry
 * recording the torn line's length and hash is appended first.
 */
enum cu_status cu_custody_open(const char *path, bool create, bool repair, struct cu_custody **out,
			       struct cu_error *err) CU_WARN_UNUSED;
void cu_custody_close(struct cu_custody *c);

/*
 * Appends one entry: {"body":{"v":1,"seq":..,"prev":..,"time":..,"event":..,
 * "actor":{..},"subject":SUBJECT,"details":DETAILS}[,"sig":{..}]}\n
 * subject_json/details_json are serialised JSON objects (from cu_json), or
 * NULL for {}. fsync'ed before returning. signer may be NULL.
 */
enum cu_status cu_custody_append(struct cu_custody *c, const char *event,
				 const struct cu_actor *actor, const char *subject_json,
				 const char *details_json, const struct cu_signer *signer,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Head and root of the entries so far. */
uint64_t cu_custody_size(const struct cu_custody *c);
/* Bytes of the log through the last entry read or appended (a line
 * boundary). More than the sum of the entries' lines when a repaired torn
 * line lies before it: its bytes stay in the log and are not an entry. */
uint64_t cu_custody_bytes(const struct cu_custody *c);
void cu_custody_head(const struct cu_custody *c, unsigned char head[32]);
enum cu_status cu_custody_root(const struct cu_custody *c, unsigned char root[32],
			       struct cu_error *err) CU_WARN_UNUSED;

/* Result of checking a log (file or in-memory bytes). */
struct cu_custody_check {
	uint64_t entries;
	unsigned char head[32];
	unsigned char root[32];
	uint64_t signed_entries;
	uint64_t bad_signatures;        /* always 0 on success (a bad one fails) */
	uint64_t unverified_signatures; /* signed by another key, or no key given */
	/* A signed case (CASE_INIT names a key): its key id, else "". Every
	 * entry was then checked to carry a valid signature by that key. */
	char case_key_id[80];
};

/*
 * Verifies a whole log held in memory: every line is complete and parses,
 * seq counts from 0, prev links hold, leaves are computed over the stored
 * body bytes. Signatures: with pubkey_pem_path, every signed entry whose
 * key id is that key's must verify (a bad one is an integrity failure);
 * signatures by other keys are counted as unverified. `what` names the log
 * in messages; the first failure names the line number.
 */
enum cu_status cu_custody_verify_buf(const char *data, size_t n, const char *what,
				     const char *pubkey_pem_path, struct cu_custody_check *out,
				     struct cu_error *err) CU_WARN_UNUSED;
/* cu_custody_verify_buf() on a file (read whole; logs are small). */
enum cu_status cu_custody_verify_file(const char *path, const char *pubkey_pem_path,
				      struct cu_custody_check *out,
				      struct cu_error *err) CU_WARN_UNUSED;
/*
 * Like cu_custody_verify_buf(), calling fn for every entry in order once it
 * has checked out (seq, prev, signature); the entry and its json are
 * borrowed for the call only. fn returning non-OK stops the walk.
 */
typedef enum cu_status (*cu_custody_entry_fn)(const struct cu_custody_entry *e, void *ctx,
					      struct cu_error *err);
enum cu_status cu_custody_each_buf(const char *data, size_t n, const char *what,
				   const char *pubkey_pem_path, cu_custody_entry_fn fn, void *ctx,
				   struct cu_custody_check *out,
				   struct cu_error *err) CU_WARN_UNUSED;
/*
 * Checks that the first `size` entries of a log (which may go on, like a
 * package's living sidecar) have the recorded head and root (lowercase
 * hex), e.g. a sealed manifest's custody {size, head, root}; the whole log
 * must verify. CU_E_INTEGRITY names a truncation or mismatch.
 */
enum cu_status cu_custody_check_prefix(const char *data, size_t n, const char *what, uint64_t size,
				       const char *head_hex, const char *root_hex,
				       struct cu_error *err) CU_WARN_UNUSED;
/* The path the log was opened with (borrowed). */
const char *cu_custody_path(const struct cu_custody *c);
/*
 * A signed case: CASE_INIT's details carry sign_key_id and
 * sign_public_key, and every entry must be signed by that key. Opening or
 * verifying such a log fails on an unsigned or otherwise-signed entry, and
 * appending without that key is refused (CU_E_KEY). Returns the key id, or
 * NULL for an unsigned case. Borrowed.
 */
const char *cu_custody_case_key_id(const struct cu_custody *c);
/* CASE_INIT's details.default_examiner (case init --examiner), or NULL. */
const char *cu_custody_case_examiner(const struct cu_custody *c);
/* The key that signs entries appended with a NULL signer (the case key
 * given by --sign-key / CUSTOS_SIGN_KEY); borrowed, NULL for none. */
void cu_custody_set_default_signer(const struct cu_signer *s);
const struct cu_signer *cu_custody_default_signer(void);

/* ------------------------------------------------------------------ */
/* The case directory                                                  */
/* ------------------------------------------------------------------ */

/*
 * Layout (shared by acquisition, import, parse, report and seal):
 *   CASE/manifest.json              seizure manifest (MANIFEST.md), living
 *   CASE/custody/log.jsonl          custody log
 *   CASE/evidence/<item>/<path>     acquired/imported files, device paths kept
 *   CASE/derived/<item>/<path>      decrypted or otherwise derived files
 *   CASE/inventory/<item>.jsonl     one JSON line per evidence or derived file
 *   CASE/case.db                    parsed artifacts (CASEDB.md)
 *   CASE/report/                    report and forms
 *   CASE/work/                      scratch (staged copies); never sealed
 *
 * Inventory line (keys in this order; absent values are null):
 *   {"kind":"evidence"|"derived","item":ID,"device_path":P,"evidence_path":E,
 *    "type":"file"|"dir"|"symlink","size":N,"sha256":H,"md5":H,"sm3":H|null,
 *    "mtime":T|null,"mode":N|null,"link_target":S|null,"origin":S|null,
 *    "derived_from":[E...]|null,"derivation":S|null,"meta":{...}|null}
 * device_path: Android absolute path ("/data/data/..."); iOS
 * "<domain>/<relativePath>". evidence_path is relative to CASE. origin is
 * where it came from in the source image (e.g. backup "ab/ab12..."),
 * meta carries format-specific facts (iOS MBFile: protection class, times).
 */
#define CU_CASE_MANIFEST "manifest.json"
#define CU_CASE_CUSTODY  "custody/log.jsonl"
#define CU_CASE_DB       "case.db"

struct cu_case {
	char *dir; /* absolute path */
	struct cu_custody *custody;
	json_t *manifest; /* loaded manifest.json */
};

enum cu_status cu_case_open(const char *dir, struct cu_case **out,
			    struct cu_error *err) CU_WARN_UNUSED;
/* cu_case_open() with flags: CU_CASE_REPAIR records a torn last custody line
 * in an ERROR entry and goes on (commands that append offer --repair). */
#define CU_CASE_REPAIR 1u
enum cu_status cu_case_open_ex(const char *dir, unsigned flags, struct cu_case **out,
			       struct cu_error *err) CU_WARN_UNUSED;
/* CU_E_USAGE unless item is one safe path component (it names
 * inventory/<item>.jsonl and evidence/<item>/): non-empty, <= 128 bytes,
 * UTF-8, no '/', '\\', control bytes, spaces or  : * ? " < > |, and not
 * starting with '.' or '-'. */
enum cu_status cu_case_item_check(const char *item, struct cu_error *err) CU_WARN_UNUSED;
/* The manifest as saved: 2-space indent, key order kept, '\n' at the end. */
/* The manifest's serialisation: 2-space indent, key order kept, reals
 * with 15 significant digits. */
#define CU_MANIFEST_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
enum cu_status cu_manifest_serialize(const json_t *m, struct cu_buf *out,
				     struct cu_error *err) CU_WARN_UNUSED;
void cu_case_close(struct cu_case *c);
/* Joins CASE + rel safely. */
enum cu_status cu_case_path(const struct cu_case *c, const char *rel, struct cu_buf *out,
			    struct cu_error *err) CU_WARN_UNUSED;
/* One writer of case.db at a time (parse writes CASE/case.db.tmp and
 * renames it; analyze rewrites hits and links): an exclusive flock on the
 * CASE/work directory itself (scratch, never sealed, no lock file whose
 * name could collide with an item's). *fd_out holds the lock until
 * closed. CU_E_EXISTS when another parse or analyze holds it. */
enum cu_status cu_case_lock_work(const struct cu_case *c, int *fd_out,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Saves c->manifest atomically (pretty, stable key order). */
enum cu_status cu_case_save_manifest(struct cu_case *c, struct cu_error *err) CU_WARN_UNUSED;
/* The actor for entries the tool writes, first found of: --examiner
 * (cu_case_set_actor), CUSTOS_EXAMINER, the opened case's default examiner
 * (case init --examiner, recorded in CASE_INIT), else {"custos", NULL,
 * "tool"} (commands that change the record refuse to run so unnamed). */
const struct cu_actor *cu_case_default_actor(void);
/* True when cu_case_default_actor() names a person, not the tool. */
bool cu_case_examiner_named(void);
/* Case settings kept in the CASE_INIT entry's details ("" when absent). */
struct cu_case_settings {
	char examiner[256];   /* default_examiner */
	char sign_key_id[80]; /* sign_key_id: the case is signed */
};
/* Reads them from DIR/custody/log.jsonl's first line without opening the
 * case (a quick look before a command starts; the chain is checked when
 * the case is opened). */
enum cu_status cu_case_settings_read(const char *dir, struct cu_case_settings *out,
				     struct cu_error *err) CU_WARN_UNUSED;
/* The badge (警号) of the named investigator in a manifest's
 * personnel.investigators[], or NULL. */
const char *cu_manifest_badge(const json_t *m, const char *name);
/* Names the examiner of entries the tool writes (CU_E_NOMEM leaves the old one). */
enum cu_status cu_case_set_actor(const char *name, const char *id, const char *role,
				 struct cu_error *err) CU_WARN_UNUSED;

/*
 * The manifest as first given, kept unchanged beside the living one: case
 * init writes CASE/manifest.initial.json (mode 0444) with the very bytes
 * whose SHA-256 its CASE_INIT entry names; seal packs it at the same path.
 */
#define CU_CASE_MANIFEST_INITIAL "manifest.initial.json"

/*
 * Checks that the manifest.json on disk is the one the custody log says it
 * is: its SHA-256 equals details.manifest_sha256 of the last entry that
 * wrote it (CASE_INIT, MANIFEST_CHANGE, an import's or acquisition's
 * ACQUIRE_START, IMPORT, an acquisition's ACQUIRE_END, or the ERROR entry
 * of a failed import or an interrupted acquisition), and
 * manifest.initial.json, when present, has the hash
 * CASE_INIT names. CU_E_INTEGRITY names the file, both hashes and the
 * entry, and says to change the manifest with `custos case set` / `custos
 * case edit`. On success, when last_seq is not NULL, it gets the seq of the
 * explaining entry.
 */
enum cu_status cu_case_manifest_explained(struct cu_case *c, uint64_t *last_seq,
					  struct cu_error *err) CU_WARN_UNUSED;

/* The manifest_sha256 of a log's CASE_INIT entry (the hash of
 * manifest.initial.json), e.g. in a sealed package's custody/log.jsonl.
 * The log must verify; CU_E_NOTFOUND when no CASE_INIT names one. */
enum cu_status cu_custody_initial_manifest(const char *log, size_t n, const char *what,
					   char hex[65], struct cu_error *err) CU_WARN_UNUSED;

/* A recorded manifest change (custos case set / case edit). */
struct cu_manifest_change_opts {
	const char *reason;  /* required, recorded */
	const char *command; /* "set" or "edit", recorded */
	bool adopt;          /* the manifest on disk is unexplained: record it as found */
	const struct cu_signer *signer; /* signs the entry, or NULL */
};
/*
 * Replaces the case's manifest by `next` (the caller keeps its reference):
 * validated with cu_manifest_check (invalid fields: CU_E_FORMAT, nothing
 * written; missing mandatory fields are allowed, as at case init), refused
 * with CU_E_INTEGRITY when the manifest on disk is unexplained (see
 * cu_case_manifest_explained) unless opts->adopt, and CU_E_USAGE when
 * nothing changes. Appends MANIFEST_CHANGE {} {command, reason, changes:
 * [{path, old, new}] (absent sides omitted), manifest_sha256_before,
 * manifest_sha256, missing_fields[, unexplained_before]} and then saves
 * manifest.json. *n_changes (may be NULL) gets the number of changed paths.
 */
enum cu_status cu_case_manifest_change(struct cu_case *c, json_t *next,
				       const struct cu_manifest_change_opts *opts,
				       size_t *n_changes, struct cu_error *err) CU_WARN_UNUSED;
/*
 * Sets one field of a manifest (in memory) by path: object keys separated
 * by '.', array elements by [N] ("seizure.items[0].identifiers.imei",
 * "case.case_number"); missing objects on the way are created, [N] may be
 * one past the end to append. The value is taken over (stolen) on success.
 * CU_E_USAGE names a malformed path or a step through a non-container.
 */
enum cu_status cu_manifest_set_path(json_t *m, const char *path, json_t *value,
				    struct cu_error *err) CU_WARN_UNUSED;
/* The value at path (syntax as above), borrowed, or NULL. */
const json_t *cu_manifest_get_path(const json_t *m, const char *path);

/* Creating a case directory (custos case init, custos run). */
struct cu_case_init_opts {
	const char *case_id;          /* --case-id, required */
	const char *manifest_path;    /* partial manifest (case, personnel, seizure) or NULL */
	const char *const *examiners; /* --examiner NAME..., into personnel.examiners[] */
	size_t n_examiners;
	bool keep_ids; /* keep plain "id_number" beside "id_sha256" */
	/* tool.libraries, in this order, keyed by the lowercased name (the
	 * caller collects them from the folders that wrap them), or NULL. */
	const struct cu_library *libraries;
	size_t n_libraries;
	const struct cu_signer *signer; /* signs the CASE_INIT entry, or NULL */
	/* Makes the case signed (CASE_INIT records its key id and public key;
	 * every later entry must be signed by it); NULL takes
	 * cu_custody_default_signer(), and none makes an unsigned case. */
	const struct cu_signer *case_key;
};
/*
 * Creates DIR (absent or empty) with the layout above, manifest.json (the
 * partial manifest merged with the tool-filled fields: format, created,
 * tool{name, version, build_commit, sha256 of the binary, libraries},
 * case.case_number = case_id; every "id_number" replaced by "id_sha256"),
 * and the first custody entry CASE_INIT {case_id} {manifest_sha256, clock,
 * ids_hashed, missing_fields}, by cu_case_default_actor(). Invalid fields
 * are an error (CU_E_FORMAT) before anything is created; missing mandatory
 * fields are returned (see cu_manifest_check) and recorded, not an error.
 * out, missing and n_missing may be NULL.
 */
enum cu_status cu_case_init(const char *dir, const struct cu_case_init_opts *opts,
			    struct cu_case **out, struct cu_buf *missing, size_t *n_missing,
			    struct cu_error *err) CU_WARN_UNUSED;

/* One inventory record (strings owned by the record). */
struct cu_inventory_rec {
	char *kind, *item, *device_path, *evidence_path, *type;
	uint64_t size;
	char sha256[65], md5[33], sm3[65];
	char *mtime;  /* RFC 3339 or NULL */
	int64_t mode; /* -1 if unknown */
	char *link_target, *origin, *derivation;
	json_t *derived_from; /* array of evidence paths or NULL */
	json_t *meta;         /* object or NULL */
	/* The file's first bytes (up to 16, lowercase hex; "" = not recorded):
	 * seen while it was copied in, so seal names its format without
	 * opening it again. */
	char head[33];
};
void cu_inventory_rec_release(struct cu_inventory_rec *r);
/* Serialises one record as a JSON line (with '\n') into out. */
enum cu_status cu_inventory_rec_format(const struct cu_inventory_rec *r, struct cu_buf *out,
				       struct cu_error *err) CU_WARN_UNUSED;
/* Appends one record to CASE/inventory/<item>.jsonl (fsync'ed). */
enum cu_status cu_inventory_append(struct cu_case *c, const struct cu_inventory_rec *r,
				   struct cu_error *err) CU_WARN_UNUSED;
/* Group commit: n bytes of whole lines (cu_inventory_rec_format() output,
 * all of one item) appended in one write and one fsync, under the same
 * lock, after cutting a torn last line as cu_inventory_append() does. */
enum cu_status cu_inventory_append_lines(struct cu_case *c, const char *item, const char *lines,
					 size_t n, struct cu_error *err) CU_WARN_UNUSED;
/* Streams every record of one item (or all items when item == NULL);
 * the callback returns non-OK to stop. A torn last line is skipped with a
 * warning (an interrupted import); any other bad line is an error. */
typedef enum cu_status (*cu_inventory_fn)(const struct cu_inventory_rec *r, void *ctx,
					  struct cu_error *err);
enum cu_status cu_inventory_each(struct cu_case *c, const char *item, cu_inventory_fn fn, void *ctx,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Items present in the case (from inventory/ and the manifest), sorted. */
enum cu_status cu_case_items(struct cu_case *c, char ***items, size_t *n,
			     struct cu_error *err) CU_WARN_UNUSED;
void cu_strv_free(char **v, size_t n);

/* Version string of this build ("custos X.Y.Z"). */
const char *cu_version(void);

/*
 * A linked third-party library and its version, for `custos --version` and
 * the manifest's tool.libraries. Only the folder that wraps a library asks
 * it for its version: each has size_t cu_<folder>_libraries(struct
 * cu_library *out, size_t max), which fills at most max entries and returns
 * how many it filled.
 */
struct cu_library {
	const char *name; /* as --version prints it ("OpenSSL"); static */
	char version[64];
	bool built_against; /* no run-time version call: pkg-config's at configure */
};
/* Fills out[n] when n < max and returns n + 1, else returns n: the helper
 * the cu_<folder>_libraries functions share. */
size_t cu_library_add(struct cu_library *out, size_t max, size_t n, const char *name,
		      const char *version, bool built_against);
/* core/: OpenSSL, jansson. */
size_t cu_core_libraries(struct cu_library *out, size_t max);

/* ------------------------------------------------------------------ */
/* Manifest schema (docs/manifest.schema.json, compiled in)            */
/* ------------------------------------------------------------------ */

/*
 * Checks a manifest against the schema. Returns CU_E_FORMAT naming every
 * invalid field (wrong type, value outside its enum). Otherwise CU_OK with
 * *n_missing mandatory fields missing (absent, null or ""; arrays with too
 * few items), their dotted names ("case.agency", "seizure.items[0].seal",
 * "personnel.investigators (at least 2, has 1)") one per line, each ending
 * in '\n', in missing_list (may be NULL). Missing fields are a warning at
 * case init and an error at seal unless --allow-incomplete.
 */
enum cu_status cu_manifest_check(const json_t *m, struct cu_buf *missing_list, size_t *n_missing,
				 struct cu_error *err) CU_WARN_UNUSED;
/* The schema text built into this binary. */
const char *cu_manifest_schema_text(void);

/* ------------------------------------------------------------------ */
/* Manifest items: typed facts (MANIFEST.md items[])                   */
/* ------------------------------------------------------------------ */

/*
 * A manifest lists items in two places: seizure.items[], the seizure
 * record written at the scene (MANIFEST.md), and the top-level items[]
 * that import fills with what the device itself says. Readers go through
 * these accessors instead of walking the JSON. Every pointer returned
 * borrows from the manifest and stays valid while it is not changed; a
 * NULL manifest or item gives NULL (no facts), never a crash.
 */
enum cu_manifest_list {
	CU_MANIFEST_SEIZED,   /* seizure.items[] */
	CU_MANIFEST_IMPORTED, /* top-level items[] */
};

/* The items array of one list, or NULL when it is absent or not an array. */
const json_t *cu_manifest_items(const json_t *m, enum cu_manifest_list list);
/* The first item of one list whose item_id is item_id, or NULL. */
const json_t *cu_manifest_item_in(const json_t *m, enum cu_manifest_list list, const char *item_id);
/* The item named item_id: seizure.items[] first, then items[]; or NULL. */
const json_t *cu_manifest_item(const json_t *m, const char *item_id);

/* The single-valued facts of one item; NULL where absent, null or not a
 * string. An identifier given as an array yields its first element when
 * that is a string. */
struct cu_item_facts {
	const char *item_id, *name, *source; /* source: 来源, where it came from */
	const char *make, *model;            /* features.make, features.model */
	const char *os, *os_version, *build;
	const char *serial, *udid, *meid; /* identifiers.* */
	const char *ecid, *iccid, *imsi;  /* identifiers.* */
};
/* Fills *out (all NULL for a NULL item). */
void cu_manifest_item_facts(const json_t *item, struct cu_item_facts *out);

/* The i-th IMEI (identifiers.imei) / phone number (identifiers.msisdn) of
 * an item, in manifest order, or NULL past the last. A single string
 * counts as a list of one; elements that are not strings are skipped. */
const char *cu_manifest_item_imei(const json_t *item, size_t i);
const char *cu_manifest_item_msisdn(const json_t *item, size_t i);

#include "banned.h"

#endif
