/*
 * formats.c - the table of image formats: names, detectors, decoders.
 */
#include "extract/formats/formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */

int cu_import_open_source(int dirfd, const char *name)
{
	/* O_NOATIME: reading must not even touch the source's atime (allowed
	 * only to the file's owner; fall back quietly). O_NONBLOCK: a FIFO
	 * swapped in after the type check must not hang the import. */
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

enum cu_status cu_import_read_small(int dirfd, const char *name, const char *what, size_t max,
				    struct cu_buf *out, struct stat *st, struct cu_error *err)
{
	enum cu_status ret = CU_OK;
	struct stat sb;
	int fd = cu_import_open_source(dirfd, name);
	if (fd < 0)
		return cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				      "cannot open '%s'", what);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		ret = cu_error_set(err, CU_E_FORMAT, "'%s' is not a regular file", what);
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		ret = cu_error_set(err, CU_E_LIMIT, "'%s' is larger than %zu bytes", what, max);
		goto out;
	}
	cu_buf_reset(out);
	if ((ret = cu_buf_grow(out, (size_t)sb.st_size + 1, err)) != CU_OK)
		goto out;
	for (;;) {
		size_t got = 0;
		if (out->len == out->cap - 1 &&
		    (ret = cu_buf_grow(out, CU_IMPORT_CHUNK, err)) != CU_OK)
			goto out;
		size_t room = out->cap - 1 - out->len;
		if (out->len + room > max + 1)
			room = max + 1 - out->len;
		if (room == 0) {
			ret = cu_error_set(err, CU_E_LIMIT, "'%s' grew past %zu bytes", what, max);
			goto out;
		}
		if ((ret = cu_read_full(fd, out->data + out->len, room, &got, what, err)) != CU_OK)
			goto out;
		out->len += got;
		out->data[out->len] = '\0';
		if (got < room)
			break;
	}
	if (st != NULL)
		*st = sb;
out:
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

uint64_t cu_import_max_ratio(void)
{
	/* Deflate cannot exceed about 1032:1; bzip2/xz can go much further,
	 * which is exactly what a bomb uses. The examiner may raise it. */
	const char *s = getenv("CUSTOS_IMPORT_MAX_RATIO");
	uint64_t v;
	if (s != NULL && cu_parse_u64(s, &v) && v > 0)
		return v;
	return 1000;
}

/* ------------------------------------------------------------------ */
/* Slots and the single-pass writer                                    */
/* ------------------------------------------------------------------ */

enum cu_status cu_import_slot_plan_file(struct cu_format_run *x, const char *name1,
					const char *name2, const char *device_path, size_t n,
					uint64_t size, struct cu_ingest_slot *s, bool *copy,
					struct cu_error *err)
{
	struct cu_error e;

	*copy = false;
	if (cu_ingest_slot_plan(x->w, device_path, n, false, s, &e) != CU_OK) {
		if (e.code != CU_E_PATH && e.code != CU_E_EXISTS && e.code != CU_E_IO) {
			*err = e;
			return e.code;
		}
		cu_ingest_warn(x->w, true, "'%s%s' not imported: %s", name1, name2, e.msg);
		return CU_OK;
	}
	if (s->done)
		cu_progress_add(&x->prog, size);
	else
		*copy = true;
	return CU_OK;
}

/* Overwrites a buffer holding secrets, then releases it. */
void cu_import_buf_wipe(struct cu_buf *b)
{
	cu_secret_buf_wipe(b);
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */
/* ------------------------------------------------------------------ */

ssize_t cu_format_fd_read(void *ctx, void *buf, size_t n)
{
	int fd = (int)(intptr_t)ctx;
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		return r;
	}
}

int64_t cu_format_fd_seek(void *ctx, int64_t off, int whence)
{
	return (int64_t)lseek((int)(intptr_t)ctx, (off_t)off, whence);
}

enum cu_status cu_format_read_full(const struct cu_format_source *src, void *buf, size_t n,
				   size_t *got, struct cu_error *err)
{
	size_t have = 0;
	while (have < n) {
		ssize_t r = src->in.read(src->in.ctx, (unsigned char *)buf + have, n - have);
		if (r < 0)
			return cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", src->name);
		if (r == 0)
			break;
		have += (size_t)r;
	}
	*got = have;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Detection: a static table, refusing to guess between two yeses      */
/* ------------------------------------------------------------------ */

bool cu_format_is_dir_at(const char *path, const char *sub)
{
	struct cu_buf p = CU_BUF_INIT;
	struct cu_error e;
	struct stat sb;
	bool yes = cu_buf_printf(&p, &e, "%s/%s", path, sub) == CU_OK && lstat(p.data, &sb) == 0 &&
		   S_ISDIR(sb.st_mode);
	cu_buf_release(&p);
	return yes;
}

static bool det_ios(const char *path, const struct stat *st, const unsigned char *head, size_t n)
{
	struct cu_buf root = CU_BUF_INIT;
	struct cu_error e;
	int count = 0;
	(void)head;
	(void)n;
	if (!S_ISDIR(st->st_mode))
		return false;
	/* Only the count matters here: several candidates are still an iOS
	 * backup, and the import itself says which are found. */
	if (cu_import_ios_find_root(path, &root, &count, &e) != CU_OK)
		cu_debug("import: %s", e.msg);
	cu_buf_release(&root);
	return count > 0;
}

static bool det_android_dir(const char *path, const struct stat *st, const unsigned char *head,
			    size_t n)
{
	(void)head;
	(void)n;
	return S_ISDIR(st->st_mode) &&
	       (cu_format_is_dir_at(path, "data") || cu_format_is_dir_at(path, "sdcard") ||
		cu_format_is_dir_at(path, "system"));
}

static bool det_tar(const char *path, const struct stat *st, const unsigned char *head, size_t n)
{
	(void)path;
	if (!S_ISREG(st->st_mode))
		return false;
	/* gzip (RFC 1952), bzip2, xz wrapping a tar; or a POSIX/GNU tar
	 * header ("ustar" at offset 257). */
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return true;
	if (n >= 3 && memcmp(head, "BZh", 3) == 0)
		return true;
	if (n >= 6 && memcmp(head,
			     "\xfd"
			     "7zXZ\0",
			     6) == 0)
		return true;
	return n >= 262 && memcmp(head + 257, "ustar", 5) == 0;
}

static bool det_zip(const char *path, const struct stat *st, const unsigned char *head, size_t n)
{
	(void)path;
	/* Local file header, empty archive (end of central directory), or
	 * the spanning marker some tools write first. */
	return S_ISREG(st->st_mode) && n >= 4 &&
	       (memcmp(head, "PK\x03\x04", 4) == 0 || memcmp(head, "PK\x05\x06", 4) == 0 ||
		memcmp(head, "PK\x07\x08", 4) == 0);
}

static bool det_ab(const char *path, const struct stat *st, const unsigned char *head, size_t n)
{
	(void)path;
	return S_ISREG(st->st_mode) && n >= 15 && memcmp(head, "ANDROID BACKUP\n", 15) == 0;
}

static enum cu_status decode_tar(struct cu_format_run *x, const struct cu_format_source *src,
				 struct cu_error *err)
{
	return cu_format_archive(x, src, false, err);
}

static enum cu_status decode_zip(struct cu_format_run *x, const struct cu_format_source *src,
				 struct cu_error *err)
{
	return cu_format_archive(x, src, true, err);
}

/* Every format, indexed by enum cu_import_format; detection asks them in
 * this order. */
static const struct cu_format formats[] = {
    [CU_IMPORT_IOS_BACKUP] = {"ios-backup", true, det_ios, cu_format_ios_backup},
    [CU_IMPORT_ANDROID_TAR] = {"android-tar", false, det_tar, decode_tar},
    [CU_IMPORT_ANDROID_ZIP] = {"android-zip", false, det_zip, decode_zip},
    [CU_IMPORT_ANDROID_DIR] = {"android-dir", true, det_android_dir, cu_format_android_dir},
    [CU_IMPORT_ANDROID_AB] = {"android-ab", false, det_ab, cu_format_android_ab},
    [CU_IMPORT_DIR] = {"dir", true, NULL, cu_format_dir},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct cu_format *cu_format_get(enum cu_import_format f)
{
	if ((size_t)f >= NFORMATS || formats[f].name == NULL)
		return NULL;
	return &formats[f];
}

bool cu_import_format_parse(const char *name, enum cu_import_format *out)
{
	if (strcmp(name, "auto") == 0) {
		*out = CU_IMPORT_AUTO;
		return true;
	}
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i].name != NULL && strcmp(name, formats[i].name) == 0) {
			*out = (enum cu_import_format)i;
			return true;
		}
	}
	return false;
}

const char *cu_import_format_name(enum cu_import_format f)
{
	const struct cu_format *fmt = cu_format_get(f);
	if (f == CU_IMPORT_AUTO)
		return "auto";
	return fmt != NULL ? fmt->name : "unknown";
}

enum cu_status cu_format_detect(const char *path, enum cu_import_format *out, struct cu_error *err)
{
	struct stat st;
	unsigned char head[512];
	size_t n = 0;
	enum cu_import_format found[8];
	size_t nfound = 0;

	if (stat(path, &st) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", path);
	if (S_ISREG(st.st_mode)) {
		int fd = cu_import_open_source(AT_FDCWD, path);
		struct cu_error e;
		if (fd < 0 || cu_read_full(fd, head, sizeof(head), &n, path, &e) != CU_OK) {
			int saved = errno;
			if (fd >= 0)
				close(fd);
			return cu_error_errno(err, CU_E_IO, saved, "cannot read '%s'", path);
		}
		close(fd);
	} else if (!S_ISDIR(st.st_mode)) {
		return cu_error_set(err, CU_E_UNSUPPORTED,
				    "'%s' is neither a directory nor a regular file", path);
	}
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].detect != NULL && formats[i].detect(path, &st, head, n))
			found[nfound++] = (enum cu_import_format)i;
	if (nfound == 0 && S_ISDIR(st.st_mode))
		found[nfound++] = CU_IMPORT_DIR; /* the fallback, only when nothing claims it */
	if (nfound == 0)
		return cu_error_set(
		    err, CU_E_UNSUPPORTED,
		    "cannot tell the format of '%s' (not an iOS backup, tar, zip or "
		    "adb backup): name it with --format",
		    path);
	if (nfound > 1) {
		char list[256] = "";
		size_t off = 0;
		for (size_t i = 0; i < nfound && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", cu_import_format_name(found[i]));
		return cu_error_set(err, CU_E_USAGE,
				    "'%s' matches several formats (%s): refusing to guess, "
				    "name one with --format",
				    path, list);
	}
	*out = found[0];
	return CU_OK;
}
