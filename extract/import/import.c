/*
 * import.c - `custos import`: the driver (issue 4).
 *
 * Detects the image format from a static table of detectors (as The Sleuth
 * Kit's fs_open does: every detector answers yes or no, two yeses means we
 * refuse to guess), then hands over to the format handler (directory here,
 * tar/zip in android_archive.c, adb backup in android_ab.c, iOS backup in
 * ios_backup.c). All handlers write through the same single-pass writer
 * below: source bytes are read once, hashed (SHA-256 + MD5 [+ SM3]) and
 * written to CASE/evidence/<item>/<escaped device path>, which ends 0444
 * with the source's mtime. Each file gets an fsync'ed inventory line as soon
 * as it is complete, so a killed import leaves a resumable case: --resume
 * re-hashes the evidence copies already listed (never the source) and
 * removes the one partial file. The run ends with one IMPORT custody entry
 * (and one DERIVE entry when files were decrypted).
 *
 * Environment:
 *   CUSTOS_IMPORT_MAX_RATIO=N      decompressed:compressed bytes allowed
 *                                  before an archive counts as a bomb (1000)
 *   CUSTOS_IMPORT_BATCH_FILES=N    files per group commit (256)
 *   CUSTOS_TEST_KILL_AFTER_FILES=N TEST ONLY: SIGKILL ourselves once N files
 *                                  are recorded, in the middle of writing
 *                                  the next one (the resume tests); also
 *                                  makes group commits synchronous
 */
#include "extract/import/import_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* ------------------------------------------------------------------ */
/* Format names                                                        */
/* ------------------------------------------------------------------ */

static const char *const format_names[] = {
    [CU_IMPORT_AUTO] = "auto",
    [CU_IMPORT_IOS_BACKUP] = "ios-backup",
    [CU_IMPORT_ANDROID_TAR] = "android-tar",
    [CU_IMPORT_ANDROID_ZIP] = "android-zip",
    [CU_IMPORT_ANDROID_DIR] = "android-dir",
    [CU_IMPORT_ANDROID_AB] = "android-ab",
    [CU_IMPORT_DIR] = "dir",
};

bool cu_import_format_parse(const char *name, enum cu_import_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (format_names[i] != NULL && strcmp(name, format_names[i]) == 0) {
			*out = (enum cu_import_format)i;
			return true;
		}
	}
	return false;
}

const char *cu_import_format_name(enum cu_import_format f)
{
	if ((size_t)f < sizeof(format_names) / sizeof(format_names[0]) && format_names[f])
		return format_names[f];
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Path map (open addressing, FNV-1a)                                  */
/* ------------------------------------------------------------------ */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void cu_import_pathmap_release(struct cu_import_pathmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

struct cu_import_pathmap_val *cu_import_pathmap_get(const struct cu_import_pathmap *m,
						    const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == NULL)
			return NULL;
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
	}
}

static enum cu_status pathmap_grow(struct cu_import_pathmap *m, struct cu_error *err)
{
	size_t ncap = m->cap ? m->cap * 2 : 256;
	char **keys = cu_calloc(ncap, sizeof(*keys));
	struct cu_import_pathmap_val *vals = cu_calloc(ncap, sizeof(*vals));
	if (keys == NULL || vals == NULL || ncap < m->cap) {
		free(keys);
		free(vals);
		return cu_error_set(err, CU_E_NOMEM, "out of memory for the path map");
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		size_t j = fnv1a(m->keys[i]) & (ncap - 1);
		while (keys[j] != NULL)
			j = (j + 1) & (ncap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
	return CU_OK;
}

enum cu_status cu_import_pathmap_put(struct cu_import_pathmap *m, const char *key,
				     const struct cu_import_pathmap_val *v, struct cu_error *err)
{
	enum cu_status st;
	struct cu_import_pathmap_val *have = cu_import_pathmap_get(m, key);
	if (have != NULL) {
		*have = *v;
		return CU_OK;
	}
	if ((m->n + 1) * 4 > m->cap * 3 && (st = pathmap_grow(m, err)) != CU_OK)
		return st;
	char *k = cu_strdup(key);
	if (k == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for the path map");
	size_t i = fnv1a(key) & (m->cap - 1);
	while (m->keys[i] != NULL)
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = k;
	m->vals[i] = *v;
	m->n++;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Warnings                                                            */
/* ------------------------------------------------------------------ */

static void list_append(struct cu_buf *b, uint64_t *listed, const char *json_value)
{
	struct cu_error e;
	if (*listed >= CU_IMPORT_WARN_LIST_MAX)
		return;
	if (b->len > 0)
		(void)cu_buf_putc(b, ',', &e);
	(void)cu_buf_puts(b, json_value, &e);
	(*listed)++;
}

void cu_import_warn(struct cu_import_ctx *x, bool failure, const char *fmt, ...)
{
	char msg[CU_ERROR_MSG_MAX];
	struct cu_buf jb = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cu_warn("import: %s", msg);
	x->st.warnings++;
	if (failure)
		x->failures++;
	cu_json_init(&j, &jb);
	cu_json_str(&j, msg);
	if (cu_json_finish(&j, &e) == CU_OK)
		list_append(&x->warn_json, &x->warn_listed, jb.data);
	cu_buf_release(&jb);
}

void cu_import_skip(struct cu_import_ctx *x, const char *what, const char *why)
{
	struct cu_buf jb = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	x->st.skipped++;
	cu_json_init(&j, &jb);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "what", what);
	cu_json_kv_str(&j, "why", why);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) == CU_OK)
		list_append(&x->skipped_json, &x->skipped_listed, jb.data);
	cu_buf_release(&jb);
}

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

/* Keep this much free so the case (inventory, custody, manifest) can
 * still be completed after a huge member was refused. */
#define SPACE_RESERVE ((uint64_t)64 << 20)
/* Group commit limits (see cu_import_flush). */
#define BATCH_FILES_DEFAULT 256
#define BATCH_BYTES         ((uint64_t)256 << 20)
#define BATCH_MS            2000
#define WRITEBACK_STEP      ((uint64_t)8 << 20)
#define LARGE_FILE          ((uint64_t)4 << 20)
#define SPACE_RECHECK       ((uint64_t)256 << 20)

enum cu_status cu_import_check_space(struct cu_import_ctx *x, uint64_t want, struct cu_error *err)
{
	struct statvfs vfs;
	if (statvfs(x->c->dir, &vfs) != 0)
		return CU_OK; /* cannot tell: the write itself will fail with ENOSPC */
	uint64_t avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	if (avail < SPACE_RESERVE || want > avail - SPACE_RESERVE)
		return cu_error_set(err, CU_E_LIMIT,
				    "not enough free space in the case directory '%s': %llu bytes "
				    "needed, %llu available (keeping %llu in reserve)",
				    x->c->dir, (unsigned long long)want, (unsigned long long)avail,
				    (unsigned long long)SPACE_RESERVE);
	return CU_OK;
}

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

void cu_import_slot_release(struct cu_import_slot *s)
{
	cu_buf_release(&s->rel);
	cu_buf_release(&s->abs);
}

static enum cu_status recheck(struct cu_import_ctx *x, struct cu_import_slot *s,
			      const struct cu_import_pathmap_val *want, struct cu_error *err)
{
	struct cu_digests d;
	struct cu_error e;
	enum cu_status st;

	s->done = true;
	if (want->sha256[0] == '\0')
		return cu_import_pathmap_put(&x->used, s->rel.data, want, err); /* symlink */
	if (cu_hash_file(s->abs.data, x->algs, &d, &e) != CU_OK) {
		s->done_bad = true;
		cu_import_warn(x, true,
			       "resume: evidence copy '%s' listed in the inventory cannot be "
			       "re-checked: %s",
			       s->rel.data, e.msg);
	} else if (strcmp(d.sha256, want->sha256) != 0 || d.size != want->size) {
		s->done_bad = true;
		cu_import_warn(x, true,
			       "resume: evidence copy '%s' no longer matches its inventory line "
			       "(sha256 %s, recorded %s)",
			       s->rel.data, d.sha256, want->sha256);
	} else {
		x->rechecked++;
	}
	if ((st = cu_import_pathmap_put(&x->used, s->rel.data, want, err)) != CU_OK)
		return st;
	return CU_OK;
}

enum cu_status cu_import_slot_plan(struct cu_import_ctx *x, const char *device_path, size_t n,
				   bool derived, struct cu_import_slot *s, struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf esc = CU_BUF_INIT, base = CU_BUF_INIT;
	struct stat sb;

	s->done = s->done_bad = false;
	cu_buf_reset(&s->rel);
	cu_buf_reset(&s->abs);
	if ((st = cu_path_from_device(device_path, n, &esc, err)) != CU_OK)
		goto out;
	if (esc.len == 0) {
		st = cu_error_set(err, CU_E_PATH, "empty path");
		goto out;
	}
	if ((st = cu_buf_printf(&base, err, "%s/%s/%s", derived ? "derived" : "evidence", x->item,
				esc.data)) != CU_OK)
		goto out;
	/* Archives may hold the same name twice (tar appends updates): keep
	 * every copy, the later ones as "~dupN", so nothing is lost and the
	 * order of the archive stays visible. */
	for (unsigned dup = 0;; dup++) {
		cu_buf_reset(&s->rel);
		if (dup == 0)
			st = cu_buf_puts(&s->rel, base.data, err);
		else
			st = cu_buf_printf(&s->rel, err, "%s~dup%u", base.data, dup);
		if (st != CU_OK)
			goto out;
		if (cu_import_pathmap_get(&x->used, s->rel.data) == NULL)
			break;
		if (dup == 0)
			cu_import_warn(x, false,
				       "duplicate name '%.*s' in the image: later copy "
				       "kept as '%s~dupN'",
				       (int)n, device_path, base.data);
	}
	if ((st = cu_case_path(x->c, s->rel.data, &s->abs, err)) != CU_OK)
		goto out;
	if (x->resume) {
		const struct cu_import_pathmap_val *v =
		    cu_import_pathmap_get(&x->done, s->rel.data);
		if (v != NULL) {
			st = recheck(x, s, v, err);
			goto out;
		}
	}
	if (lstat(s->abs.data, &sb) == 0) {
		if (!x->resume) {
			st = cu_error_set(err, CU_E_EXISTS, "evidence file '%s' already exists",
					  s->rel.data);
			goto out;
		}
		/* Left by the interrupted run, never listed: partial. */
		if (unlink(s->abs.data) != 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot remove partial file '%s'",
					    s->rel.data);
			goto out;
		}
		x->partials_removed++;
		cu_info("import: removed partial file '%s' left by the interrupted run",
			s->rel.data);
	}
	/* Files come in directory order: skip the mkdir walk when the parent
	 * is the one made for the previous file. */
	const char *slash = strrchr(s->abs.data, '/');
	size_t plen = slash ? (size_t)(slash - s->abs.data) : 0;
	if (x->last_parent.data != NULL && x->last_parent.len == plen &&
	    memcmp(x->last_parent.data, s->abs.data, plen) == 0)
		goto out;
	if ((st = cu_mkdirs(s->abs.data, 0755, true, err)) == CU_OK) {
		cu_buf_reset(&x->last_parent);
		if (cu_buf_append(&x->last_parent, s->abs.data, plen, err) != CU_OK)
			cu_buf_release(&x->last_parent);
	}
out:
	cu_buf_release(&esc);
	cu_buf_release(&base);
	return st;
}

enum cu_status cu_import_slot_plan_file(struct cu_import_ctx *x, const char *name1,
					const char *name2, const char *device_path, size_t n,
					uint64_t size, struct cu_import_slot *s, bool *copy,
					struct cu_error *err)
{
	struct cu_error e;

	*copy = false;
	if (cu_import_slot_plan(x, device_path, n, false, s, &e) != CU_OK) {
		if (e.code != CU_E_PATH && e.code != CU_E_EXISTS && e.code != CU_E_IO) {
			*err = e;
			return e.code;
		}
		cu_import_warn(x, true, "'%s%s' not imported: %s", name1, name2, e.msg);
		return CU_OK;
	}
	if (s->done)
		cu_progress_add(&x->prog, size);
	else
		*copy = true;
	return CU_OK;
}

static void kill_hook(struct cu_import_ctx *x)
{
	/* Test-only (CUSTOS_TEST_KILL_AFTER_FILES=N): die like a pulled
	 * plug once N files are recorded, in the middle of the next one. */
	if (x->kill_after != 0 && x->files_this_run >= x->kill_after)
		raise(SIGKILL);
}

enum cu_status cu_import_out_open(struct cu_import_ctx *x, struct cu_import_slot *s,
				  struct cu_hasher *h, struct cu_import_out *o,
				  struct cu_error *err)
{
	enum cu_status st;
	o->x = x;
	o->h = h;
	o->abs = s->abs.data;
	o->n = 0;
	o->limit = 0;
	o->tee_fd = -1;
	if ((st = cu_hasher_reset(h, err)) != CU_OK)
		return st;
	o->fd = open(s->abs.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (o->fd < 0) {
		/* A name this file system cannot hold (too long, a file where a
		 * directory should be) fails this file only (CU_E_PATH); a full
		 * or broken disk stops the import (CU_E_IO). */
		int e = errno;
		bool name = e == ENAMETOOLONG || e == ENOTDIR || e == EISDIR || e == EEXIST ||
			    e == ELOOP || e == EINVAL || e == EILSEQ;
		return cu_error_errno(err, name ? CU_E_PATH : CU_E_IO, e, "cannot create '%s'",
				      s->rel.data);
	}
	return CU_OK;
}

enum cu_status cu_import_out_write(struct cu_import_out *o, const void *p, size_t n,
				   struct cu_error *err)
{
	enum cu_status st;
	if (n == 0)
		return CU_OK;
	if (o->limit != 0 && (o->n + n > o->limit || o->n + n < o->n))
		return cu_error_set(err, CU_E_LIMIT, "'%s' exceeds its limit of %llu bytes", o->abs,
				    (unsigned long long)o->limit);
	o->x->written_since_check += n;
	if (o->x->written_since_check >= SPACE_RECHECK) {
		o->x->written_since_check = 0;
		if ((st = cu_import_check_space(o->x, 0, err)) != CU_OK)
			return st;
	}
	if ((st = cu_hasher_update(o->h, p, n, err)) != CU_OK)
		return st;
	if ((st = cu_write_all(o->fd, p, n, o->abs, err)) != CU_OK)
		return st;
	if (o->tee_fd >= 0 && (st = cu_write_all(o->tee_fd, p, n, "staging copy", err)) != CU_OK)
		return st;
	/* Start writeback as we go (asynchronous), so the group commit's
	 * syncfs() finds little left to wait for. */
	if ((o->n + n) / WRITEBACK_STEP != o->n / WRITEBACK_STEP) {
		uint64_t from = (o->n / WRITEBACK_STEP) * WRITEBACK_STEP;
		(void)sync_file_range(o->fd, (off_t)from, (off_t)(o->n + n - from),
				      SYNC_FILE_RANGE_WRITE);
	}
	o->n += n;
	kill_hook(o->x);
	return CU_OK;
}

enum cu_status cu_import_out_commit(struct cu_import_out *o, const struct timespec *mtime,
				    struct cu_digests *d, struct cu_error *err)
{
	enum cu_status st;
	kill_hook(o->x);
	if ((st = cu_hasher_final(o->h, d, err)) != CU_OK)
		goto fail;
	/* No fsync here: the group commit (cu_import_flush) makes the data
	 * durable with one syncfs() before the inventory lines go out. */
	if (fchmod(o->fd, 0444) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot make '%s' read-only", o->abs);
		goto fail;
	}
	if (mtime != NULL) {
		struct timespec ts[2] = {*mtime, *mtime};
		if (futimens(o->fd, ts) != 0)
			cu_warn("import: cannot set the mtime of '%s': %s", o->abs,
				strerror(errno));
	}
	if (close(o->fd) != 0) {
		o->fd = -1;
		st = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", o->abs);
		goto fail;
	}
	o->fd = -1;
	return CU_OK;
fail:
	cu_import_out_abort(o);
	return st;
}

void cu_import_out_abort(struct cu_import_out *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
		if (o->abs != NULL)
			unlink(o->abs);
	}
}

/* ------------------------------------------------------------------ */
/* Inventory                                                           */
/* ------------------------------------------------------------------ */

static void ts_format(const struct timespec *ts, char out[CU_TIME_STR], bool *ok)
{
	int64_t ms = (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
	*ok = cu_time_format_ms(ms, out);
}

enum cu_status cu_import_record(struct cu_import_ctx *x, const struct cu_import_slot *s,
				const struct cu_import_fileinfo *fi, const struct cu_digests *d,
				struct cu_error *err)
{
	enum cu_status st;
	struct cu_inventory_rec r;
	struct cu_import_pathmap_val v;
	struct cu_buf devp = CU_BUF_INIT;
	char mt[CU_TIME_STR];
	bool mt_ok = false;
	json_t *meta = NULL;

	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	r.kind = (char *)(fi->derived ? "derived" : "evidence");
	r.item = x->item;
	/* Inventory strings are JSON (UTF-8). A device path that is not valid
	 * UTF-8 is written in the reversible %XX form of the evidence path. */
	if (cu_utf8_valid(fi->device_path, fi->device_path_len) &&
	    memchr(fi->device_path, '\0', fi->device_path_len) == NULL) {
		st = cu_buf_append(&devp, fi->device_path, fi->device_path_len, err);
	} else {
		const char *p = strchr(s->rel.data, '/');
		p = p ? strchr(p + 1, '/') : NULL;
		st = cu_buf_printf(&devp, err, "%s%s", fi->device_path[0] == '/' ? "/" : "",
				   p ? p + 1 : s->rel.data);
		meta = fi->meta ? json_deep_copy(fi->meta) : json_object();
		if (meta != NULL)
			json_object_set_new(meta, "device_path_escaped", json_true());
	}
	if (st != CU_OK)
		goto out;
	r.device_path = devp.data;
	r.evidence_path = s->rel.data;
	r.type = (char *)fi->type;
	if (d != NULL) {
		r.size = d->size;
		memcpy(r.sha256, d->sha256, sizeof(r.sha256));
		memcpy(r.md5, d->md5, sizeof(r.md5));
		if (d->algs & CU_HASH_SM3)
			memcpy(r.sm3, d->sm3, sizeof(r.sm3));
	}
	if (fi->have_mtime)
		ts_format(&fi->mtime, mt, &mt_ok);
	r.mtime = mt_ok ? mt : NULL;
	r.mode = fi->mode;
	r.link_target = (char *)fi->link_target;
	r.origin = (char *)fi->origin;
	r.derivation = (char *)fi->derivation;
	r.derived_from = fi->derived_from;
	r.meta = meta ? meta : fi->meta;
	if ((st = cu_inventory_rec_format(&r, &x->pending, err)) != CU_OK) {
		cu_error_prefix(err, "inventory of item '%s'", x->item);
		goto out;
	}
	x->pending_n++;
	x->pending_bytes += d != NULL ? d->size : 0;
	if (d != NULL) {
		v.size = d->size;
		memcpy(v.sha256, d->sha256, sizeof(v.sha256));
		memcpy(v.md5, d->md5, sizeof(v.md5));
		memcpy(v.sm3, r.sm3, sizeof(v.sm3));
	}
	if ((st = cu_import_pathmap_put(&x->used, s->rel.data, &v, err)) != CU_OK)
		goto out;
	if (fi->derived) {
		x->st.derived++;
		x->derive_files++;
		x->derive_bytes += v.size;
	} else if (d != NULL) {
		x->st.files++;
		x->st.bytes += v.size;
	}
	x->files_this_run++;
	if (x->pending_n >= x->batch_files || x->pending_bytes >= BATCH_BYTES ||
	    x->files_this_run == 1 || cu_time_now_ms() - x->last_flush_ms >= BATCH_MS)
		st = cu_import_flush(x, false, err);
out:
	json_decref(meta);
	cu_buf_release(&devp);
	return st;
}

/*
 * Group commit. core's cu_inventory_append() fsyncs every line; with an
 * fsync per evidence file as well that is two disk flushes per file (about
 * 6 ms each on the reference VM: 25 s for 2000 small files). Instead the
 * files of a group are written without fsync, one syncfs() makes all of
 * them durable, then their lines (formatted by cu_inventory_rec_format())
 * go to the inventory through cu_inventory_append_lines(): one write and
 * one fsync under core's flock (a torn last line left by an interrupted
 * run is cut and recorded first). A line is never listed before its data
 * is on disk; a crash loses at most the current group, whose files are
 * "on disk, not listed" and are redone by --resume.
 */
/* Makes one batch durable and lists it. Runs on the committer thread (or
 * inline when there is none). */
static enum cu_status commit_batch(struct cu_import_ctx *x, const struct cu_buf *lines,
				   struct cu_error *err)
{
	if (syncfs(x->case_fd) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot sync the case '%s'", x->c->dir);
	return cu_inventory_append_lines(x->c, x->item, lines->data, lines->len, err);
}

/*
 * The committer thread: while the import goes on copying and hashing the
 * next files, it waits for the disk (syncfs) and lists the previous batch.
 * One batch in flight at a time; an error is sticky and stops the import
 * at the next hand-over.
 */
struct cu_import_committer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, stop;
	struct cu_buf batch;
	uint64_t batch_n;
	enum cu_status st;
	struct cu_error err;
	struct cu_import_ctx *x;
};

static void *committer_main(void *arg)
{
	struct cu_import_committer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->busy && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->busy)
			break;
		pthread_mutex_unlock(&c->mu);
		struct cu_error e;
		cu_error_clear(&e);
		enum cu_status st = commit_batch(c->x, &c->batch, &e);
		pthread_mutex_lock(&c->mu);
		if (st != CU_OK && c->st == CU_OK) {
			c->st = st;
			c->err = e;
		}
		if (st == CU_OK)
			c->x->committed += c->batch_n;
		cu_buf_reset(&c->batch);
		c->batch_n = 0;
		c->busy = false;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void committer_stop(struct cu_import_ctx *x)
{
	struct cu_import_committer *c = x->committer;
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	cu_buf_release(&c->batch);
	free(c);
	x->committer = NULL;
}

/* Waits until no batch is in flight; returns the sticky error. Called
 * with c->mu held. */
static enum cu_status committer_idle(struct cu_import_committer *c, struct cu_error *err)
{
	while (c->busy)
		pthread_cond_wait(&c->cv, &c->mu);
	if (c->st != CU_OK) {
		if (err != NULL)
			*err = c->err;
		return c->st;
	}
	return CU_OK;
}

enum cu_status cu_import_flush(struct cu_import_ctx *x, bool wait, struct cu_error *err)
{
	struct cu_import_committer *c;
	enum cu_status st = CU_OK;

	if (x->case_fd < 0 &&
	    (x->case_fd = open(x->c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open the case '%s'", x->c->dir);
	/* Synchronous under the test kill hook, so "N files listed" is exact. */
	if (x->kill_after != 0 || x->no_committer) {
		if (x->pending_n == 0)
			return CU_OK;
		if ((st = commit_batch(x, &x->pending, err)) != CU_OK)
			return st;
		x->committed += x->pending_n;
		goto handed;
	}
	if (x->committer == NULL && x->pending_n > 0) {
		c = cu_calloc(1, sizeof(*c));
		if (c == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		c->x = x;
		cu_buf_init(&c->batch, CU_BUF_DEFAULT_MAX);
		if (pthread_mutex_init(&c->mu, NULL) != 0 || pthread_cond_init(&c->cv, NULL) != 0 ||
		    pthread_create(&c->thread, NULL, committer_main, c) != 0) {
			/* No thread: commit inline from now on. */
			free(c);
			x->no_committer = true;
			return cu_import_flush(x, wait, err);
		}
		x->committer = c;
	}
	if ((c = x->committer) == NULL)
		return CU_OK;
	pthread_mutex_lock(&c->mu);
	if ((st = committer_idle(c, err)) != CU_OK || x->pending_n == 0)
		goto unlock;
	/* Hand the queued lines over: swap buffers, no copy. */
	struct cu_buf tmp = c->batch;
	c->batch = x->pending;
	x->pending = tmp;
	c->batch_n = x->pending_n;
	c->busy = true;
	pthread_cond_broadcast(&c->cv);
	if (wait)
		st = committer_idle(c, err);
unlock:
	pthread_mutex_unlock(&c->mu);
	if (st != CU_OK || x->pending_n == 0)
		return st;
handed:
	x->pending_n = 0;
	x->pending_bytes = 0;
	cu_buf_reset(&x->pending);
	x->last_flush_ms = cu_time_now_ms();
	return CU_OK;
}

static json_t *meta_with(json_t *meta, const char *key, json_t *val)
{
	json_t *m = meta ? json_deep_copy(meta) : json_object();
	if (m != NULL)
		json_object_set_new(m, key, val);
	else
		json_decref(val);
	return m;
}

enum cu_status cu_import_copy_fd(struct cu_import_ctx *x, int fd, const char *what,
				 struct cu_import_slot *s, struct cu_import_fileinfo *fi,
				 struct cu_error *err)
{
	enum cu_status st;
	struct cu_import_out o = {.fd = -1, .tee_fd = -1};
	struct cu_digests d;
	struct stat sb;
	bool truncated = false;
	json_t *meta = NULL;
	json_t *saved_meta = fi->meta;
	char rmsg[CU_ERROR_MSG_MAX] = "";

	if (fstat(fd, &sb) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", what);
	/* Small files are covered by the periodic check in the writer. */
	if ((uint64_t)sb.st_size >= ((uint64_t)1 << 20) &&
	    (st = cu_import_check_space(x, (uint64_t)sb.st_size, err)) != CU_OK)
		return st;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((st = cu_import_out_open(x, s, x->hasher, &o, err)) != CU_OK) {
		if (st != CU_E_PATH)
			return st;
		cu_import_warn(x, true, "'%s' not imported: %s", what, err->msg);
		cu_import_skip(x, what, "name not storable in the case");
		return CU_OK;
	}
	for (;;) {
		ssize_t r = read(fd, x->buf, CU_IMPORT_CHUNK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			snprintf(rmsg, sizeof(rmsg), "%s", strerror(errno));
			truncated = true;
			break;
		}
		if (r == 0)
			break;
		if ((st = cu_import_out_write(&o, x->buf, (size_t)r, err)) != CU_OK)
			goto fail;
		cu_progress_add(&x->prog, (uint64_t)r);
	}
	if ((st = cu_import_out_commit(&o, fi->have_mtime ? &fi->mtime : NULL, &d, err)) != CU_OK)
		goto fail;
	if (truncated) {
		cu_import_warn(x, true,
			       "read error in '%s' after %llu of %lld bytes (%s): the "
			       "partial copy is kept and marked truncated",
			       what, (unsigned long long)d.size, (long long)sb.st_size, rmsg);
		meta = meta_with(fi->meta, "truncated", json_true());
		fi->meta = meta;
	} else if ((uint64_t)sb.st_size != d.size) {
		cu_import_warn(x, false, "'%s' changed size while read (%lld at open, %llu read)",
			       what, (long long)sb.st_size, (unsigned long long)d.size);
	}
	st = cu_import_record(x, s, fi, &d, err);
	fi->meta = saved_meta;
	json_decref(meta);
	return st;
fail:
	cu_import_out_abort(&o);
	return cu_error_prefix(err, "copying '%s'", what);
}

enum cu_status cu_import_store_mem(struct cu_import_ctx *x, const void *p, size_t n,
				   struct cu_import_slot *s, struct cu_import_fileinfo *fi,
				   struct cu_digests *d, struct cu_error *err)
{
	enum cu_status st;
	struct cu_import_out o = {.fd = -1, .tee_fd = -1};
	struct cu_digests dd;

	if ((st = cu_import_out_open(x, s, x->hasher, &o, err)) != CU_OK)
		return st;
	if ((st = cu_import_out_write(&o, p, n, err)) != CU_OK) {
		cu_import_out_abort(&o);
		return st;
	}
	if ((st = cu_import_out_commit(&o, fi->have_mtime ? &fi->mtime : NULL, &dd, err)) != CU_OK)
		return st;
	if ((st = cu_import_record(x, s, fi, &dd, err)) != CU_OK)
		return st;
	if (d != NULL)
		*d = dd;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Passwords                                                           */
/* ------------------------------------------------------------------ */

enum cu_status cu_import_get_password(struct cu_import_ctx *x, struct cu_buf *out,
				      struct cu_error *err)
{
	const struct cu_import_opts *o = x->opts;
	enum cu_status st;

	cu_buf_reset(out);
	if (o->password != NULL)
		return cu_buf_puts(out, o->password, err);
	if (o->password_file != NULL) {
		if ((st = cu_file_read_first_line(o->password_file, 4096, out, err)) != CU_OK)
			return cu_error_prefix(err, "password file");
		return CU_OK;
	}
	if (o->password_cb != NULL)
		return o->password_cb(o->password_ctx, out, err);
	return cu_error_set(err, CU_E_KEY,
			    "'%s' is encrypted and no password was given: use --password-file F "
			    "or CUSTOS_PASSWORD",
			    x->src);
}

void cu_import_buf_wipe(struct cu_buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	cu_buf_release(b);
}

/* ------------------------------------------------------------------ */
/* Directories (android-dir and dir)                                   */
/* ------------------------------------------------------------------ */

#define DIR_MAX_DEPTH 256

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int open_dir_at(int dirfd, const char *name)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static enum cu_status walk(struct cu_import_ctx *x, int dfd, struct cu_buf *rel, int depth,
			   struct cu_error *err);

static enum cu_status walk_entry(struct cu_import_ctx *x, int dfd, const char *name,
				 struct cu_buf *rel, int depth, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	struct stat sb;
	struct cu_import_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_import_fileinfo fi;
	struct cu_error e;
	size_t keep = rel->len;
	int fd = -1;
	char *target = NULL;
	struct cu_buf dev = CU_BUF_INIT;
	bool copy;

	if ((st = cu_buf_printf(rel, err, "/%s", name)) != CU_OK)
		return st;
	/* The device path: where the image root sat on the phone + rel. */
	if ((st = cu_buf_printf(&dev, err, "%s%s", x->mount_prefix, rel->data)) != CU_OK)
		goto out;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		cu_import_warn(x, true, "cannot stat '%s%s': %s", x->src, rel->data,
			       strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		int sub = open_dir_at(dfd, name);
		if (sub < 0) {
			cu_import_warn(x, true, "cannot open directory '%s%s': %s", x->src,
				       rel->data, strerror(errno));
			goto out;
		}
		if (depth >= DIR_MAX_DEPTH) {
			close(sub);
			cu_import_warn(x, true, "'%s%s' is nested deeper than %d levels: skipped",
				       x->src, rel->data, DIR_MAX_DEPTH);
			goto out;
		}
		st = walk(x, sub, rel, depth + 1, err); /* closes sub */
		goto out;
	}
	memset(&fi, 0, sizeof(fi));
	fi.device_path = dev.data;
	fi.device_path_len = dev.len;
	fi.origin = rel->data + 1;
	fi.have_mtime = true;
	fi.mtime = sb.st_mtim;
	fi.mode = (int64_t)(sb.st_mode & 07777);
	if (S_ISLNK(sb.st_mode)) {
		/* Never followed: recorded with its target, nothing copied. */
		size_t cap = (size_t)sb.st_size + 2 > 4096 ? (size_t)sb.st_size + 2 : 4096;
		if (cap > CU_PATH_MAX * 4)
			cap = CU_PATH_MAX * 4;
		target = cu_malloc(cap);
		ssize_t tl = target ? readlinkat(dfd, name, target, cap - 1) : -1;
		if (tl < 0) {
			cu_import_warn(x, true, "cannot read symlink '%s%s'", x->src, rel->data);
			goto out;
		}
		target[tl] = '\0';
		fi.type = "symlink";
		fi.link_target = target;
		if (cu_import_slot_plan(x, dev.data, dev.len, false, &s, &e) != CU_OK) {
			cu_import_warn(x, true, "'%s%s': %s", x->src, rel->data, e.msg);
			goto out;
		}
		if (!s.done)
			st = cu_import_record(x, &s, &fi, NULL, err);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		cu_import_warn(x, false, "'%s%s' is a special file (mode %o): not copied", x->src,
			       rel->data, (unsigned)sb.st_mode);
		cu_import_skip(x, rel->data, "special file (device, FIFO or socket)");
		goto out;
	}
	fi.type = "file";
	if ((st = cu_import_slot_plan_file(x, x->src, rel->data, dev.data, dev.len,
					   (uint64_t)sb.st_size, &s, &copy, err)) != CU_OK ||
	    !copy)
		goto out;
	fd = cu_import_open_source(dfd, name);
	struct stat fsb;
	if (fd < 0 || fstat(fd, &fsb) != 0 || !S_ISREG(fsb.st_mode) || fsb.st_ino != sb.st_ino) {
		cu_import_warn(x, true, "cannot open '%s%s': %s", x->src, rel->data,
			       fd < 0 ? strerror(errno) : "replaced while importing");
		goto out;
	}
	{
		struct cu_buf what = CU_BUF_INIT;
		(void)cu_buf_printf(&what, &e, "%s%s", x->src, rel->data);
		st = cu_import_copy_fd(x, fd, what.data ? what.data : name, &s, &fi, err);
		cu_buf_release(&what);
	}
out:
	if (fd >= 0)
		close(fd);
	free(target);
	cu_buf_release(&dev);
	cu_import_slot_release(&s);
	rel->len = keep;
	if (rel->data)
		rel->data[keep] = '\0';
	return st;
}

static enum cu_status walk(struct cu_import_ctx *x, int dfd, struct cu_buf *rel, int depth,
			   struct cu_error *err)
{
	enum cu_status st = CU_OK;
	DIR *d = fdopendir(dfd);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (d == NULL) {
		close(dfd);
		cu_import_warn(x, true, "cannot read directory '%s%s': %s", x->src, rel->data,
			       strerror(errno));
		return CU_OK;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nn = cu_reallocarray(names, nc, sizeof(*names));
			if (nn == NULL) {
				st = cu_error_set(err, CU_E_NOMEM, "out of memory listing '%s'",
						  x->src);
				goto out;
			}
			names = nn;
			cap = nc;
		}
		if ((names[n] = cu_strdup(de->d_name)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory listing '%s'", x->src);
			goto out;
		}
		n++;
	}
	/* Byte order: the same tree always imports in the same order. */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && st == CU_OK; i++)
		st = walk_entry(x, dirfd(d), names[i], rel, depth, err);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return st;
}

static bool is_dir_at(const char *path, const char *sub);

static uint64_t tree_bytes(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	uint64_t sum = 0;
	struct stat sb;

	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(sb.st_mode))
			sum += (uint64_t)sb.st_size;
		else if (S_ISDIR(sb.st_mode) && depth < DIR_MAX_DEPTH) {
			int sub = open_dir_at(dirfd(d), de->d_name);
			if (sub >= 0)
				sum += tree_bytes(sub, depth + 1);
		}
	}
	closedir(d);
	return sum;
}

void cu_import_progress_tree(struct cu_import_ctx *x, const char *path)
{
	/* Only for a visible bar: a metadata-only walk (no file is read). */
	if (!cu_progress_enabled())
		return;
	int fd = open_dir_at(AT_FDCWD, path);
	if (fd >= 0)
		cu_progress_start(&x->prog, "import", tree_bytes(fd, 0));
}

enum cu_status cu_import_dir(struct cu_import_ctx *x, struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf rel = CU_BUF_INIT;
	int fd;

	x->os = x->format == CU_IMPORT_ANDROID_DIR ? "Android" : NULL;
	if (x->opts->mount_point == NULL && x->format == CU_IMPORT_ANDROID_DIR &&
	    is_dir_at(x->src_abs, "data") && is_dir_at(x->src_abs, "user_de") &&
	    (is_dir_at(x->src_abs, "app") || is_dir_at(x->src_abs, "system_ce") ||
	     is_dir_at(x->src_abs, "misc"))) {
		/* data/, user_de/ and app/ side by side: a dump of the /data
		 * partition itself, not of the phone's root. */
		x->mount_prefix = "/data";
		cu_import_warn(x, false,
			       "'%s' looks like the /data partition (data/, user_de/, app/): "
			       "device paths start with /data (use --mount-point to say otherwise)",
			       x->src);
	}
	if ((st = cu_import_begin_item(x, NULL, err)) != CU_OK)
		return st;
	if (x->mount_prefix[0] != '\0')
		json_object_set_new(x->details, "mount_point", json_string(x->mount_prefix));
	cu_import_progress_tree(x, x->src_abs);
	fd = open_dir_at(AT_FDCWD, x->src_abs);
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open directory '%s'", x->src);
	if ((st = cu_buf_puts(&rel, "", err)) == CU_OK)
		st = walk(x, fd, &rel, 0, err);
	cu_buf_release(&rel);
	return st;
}

/* ------------------------------------------------------------------ */
/* Detection: a static table, refusing to guess between two yeses      */
/* ------------------------------------------------------------------ */

struct detector {
	enum cu_import_format format;
	bool (*match)(const char *path, const struct stat *st, const unsigned char *head, size_t n);
};

static bool is_dir_at(const char *path, const char *sub)
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
	(void)cu_import_ios_find_root(path, &root, &count, &e);
	cu_buf_release(&root);
	return count > 0;
}

static bool det_android_dir(const char *path, const struct stat *st, const unsigned char *head,
			    size_t n)
{
	(void)head;
	(void)n;
	return S_ISDIR(st->st_mode) &&
	       (is_dir_at(path, "data") || is_dir_at(path, "sdcard") || is_dir_at(path, "system"));
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

static const struct detector detectors[] = {
    {CU_IMPORT_IOS_BACKUP, det_ios},  {CU_IMPORT_ANDROID_DIR, det_android_dir},
    {CU_IMPORT_ANDROID_TAR, det_tar}, {CU_IMPORT_ANDROID_ZIP, det_zip},
    {CU_IMPORT_ANDROID_AB, det_ab},
};

static enum cu_status detect(const char *path, enum cu_import_format *out, struct cu_error *err)
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
	for (size_t i = 0; i < sizeof(detectors) / sizeof(detectors[0]); i++)
		if (detectors[i].match(path, &st, head, n))
			found[nfound++] = detectors[i].format;
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

/* ------------------------------------------------------------------ */
/* Item, manifest and resume                                           */
/* ------------------------------------------------------------------ */

bool cu_import_item_id_safe(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 64 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static json_t *manifest_array(struct cu_case *c, const char *key)
{
	json_t *a = json_object_get(c->manifest, key);
	if (!json_is_array(a)) {
		a = json_array();
		if (a == NULL || json_object_set_new(c->manifest, key, a) != 0)
			return NULL;
	}
	return a;
}

static json_t *find_item(struct cu_case *c, const char *id)
{
	json_t *items = json_object_get(c->manifest, "items");
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *v = json_string_value(json_object_get(it, "item_id"));
		if (v != NULL && strcmp(v, id) == 0)
			return it;
	}
	return NULL;
}

static bool inventory_exists(struct cu_import_ctx *x, const char *id, bool *nonempty)
{
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT;
	struct cu_error e;
	struct stat sb;
	bool yes = false;
	*nonempty = false;
	if (cu_buf_printf(&rel, &e, "inventory/%s.jsonl", id) == CU_OK &&
	    cu_case_path(x->c, rel.data, &abs, &e) == CU_OK && lstat(abs.data, &sb) == 0) {
		yes = true;
		*nonempty = sb.st_size > 0;
	}
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	return yes;
}

static json_t *find_running(struct cu_import_ctx *x)
{
	json_t *acqs = json_object_get(x->c->manifest, "acquisitions");
	size_t i;
	json_t *a, *found = NULL;
	json_array_foreach(acqs, i, a)
	{
		const char *m = json_string_value(json_object_get(a, "method"));
		const char *s = json_string_value(json_object_get(a, "status"));
		const char *p =
		    json_string_value(json_object_get(json_object_get(a, "source"), "path"));
		if (m && s && p && strcmp(m, "import") == 0 && strcmp(s, "running") == 0 &&
		    strcmp(p, x->src_abs) == 0)
			found = a; /* the latest one */
	}
	return found;
}

static enum cu_status choose_item(struct cu_import_ctx *x, const char *suggested,
				  struct cu_error *err)
{
	const char *id = NULL;
	char gen[32];
	bool nonempty;

	/* Resume: the interrupted import of this same source, whose manifest
	 * entry is still "running", gives the item (and keeps its entry). */
	json_t *running = x->resume ? find_running(x) : NULL;
	const char *running_item =
	    running ? json_string_value(json_object_get(running, "item_id")) : NULL;
	if (x->opts->item != NULL) {
		if (!cu_import_item_id_safe(x->opts->item))
			return cu_error_set(err, CU_E_USAGE,
					    "item id '%s' is not usable: use letters, digits, '.', "
					    "'_' and '-' (at most 64)",
					    x->opts->item);
		id = x->opts->item;
		if (running_item != NULL && strcmp(running_item, id) == 0)
			x->acq = running;
	} else if (running_item != NULL) {
		id = running_item;
		x->acq = running;
	}
	if (id == NULL && suggested != NULL && cu_import_item_id_safe(suggested))
		id = suggested;
	if (id == NULL) {
		for (unsigned n = 1;; n++) {
			snprintf(gen, sizeof(gen), "ITEM%u", n);
			if (find_item(x->c, gen) == NULL && !inventory_exists(x, gen, &nonempty))
				break;
		}
		id = gen;
	}
	if ((x->item = cu_strdup(id)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (!x->resume && inventory_exists(x, x->item, &nonempty) && nonempty)
		return cu_error_set(err, CU_E_USAGE,
				    "item '%s' already has an inventory (inventory/%s.jsonl): use "
				    "--resume to finish an interrupted import, or --item NEW-ID",
				    x->item, x->item);
	return CU_OK;
}

static enum cu_status manifest_begin(struct cu_import_ctx *x, struct cu_error *err)
{
	struct cu_case *c = x->c;
	char now[CU_TIME_STR];
	char host[256] = "";
	json_t *items, *acqs, *it;

	if (c->manifest == NULL && (c->manifest = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if ((items = manifest_array(c, "items")) == NULL ||
	    (acqs = manifest_array(c, "acquisitions")) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	cu_time_format_ms(x->start_ms, now);
	it = find_item(c, x->item);
	if (it == NULL) {
		json_t *f = x->item_facts;
		json_t *ids = json_object_get(f, "identifiers");
		it = json_pack("{s:s, s:O?, s:i, s:O?, s:O, s:s?, s:O?, s:O?, s:s+}", "item_id",
			       x->item, "name", json_object_get(f, "name"), "quantity", 1,
			       "features", json_object_get(f, "features"), "identifiers",
			       ids ? ids : json_object(), "os", x->os, "os_version",
			       json_object_get(f, "os_version"), "build",
			       json_object_get(f, "build"), "source", "import of ", x->src_abs);
		if (ids == NULL && it != NULL)
			json_decref(json_object_get(it, "identifiers")); /* drop the extra ref */
		if (it == NULL || json_array_append_new(items, it) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
	} else if (json_object_get(it, "identifiers") == NULL &&
		   json_object_get(x->item_facts, "identifiers") != NULL) {
		json_object_set(it, "identifiers", json_object_get(x->item_facts, "identifiers"));
	}
	if (x->acq != NULL) {
		json_t *r = json_object_get(x->acq, "resumed");
		if (!json_is_array(r)) {
			r = json_array();
			json_object_set_new(x->acq, "resumed", r);
		}
		json_array_append_new(r, json_string(now));
	} else {
		(void)gethostname(host, sizeof(host) - 1);
		x->acq = json_pack("{s:s, s:s, s:n, s:n, s:s, s:s, s:{s:s, s:s}, s:s, s:[], s:[]}",
				   "item_id", x->item, "start", now, "end", "location", "method",
				   "import", "status", "running", "source", "path", x->src_abs,
				   "format", cu_import_format_name(x->format), "workstation", host,
				   "errors", "not_acquired");
		if (x->acq == NULL || json_array_append_new(acqs, x->acq) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	return cu_case_save_manifest(c, err);
}

static enum cu_status load_done(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct cu_import_ctx *x = ctx;
	struct cu_import_pathmap_val v;
	memset(&v, 0, sizeof(v));
	if (r->evidence_path == NULL)
		return CU_OK;
	v.size = r->size;
	if (r->type != NULL && strcmp(r->type, "file") == 0) {
		snprintf(v.sha256, sizeof(v.sha256), "%s", r->sha256);
		snprintf(v.md5, sizeof(v.md5), "%s", r->md5);
		snprintf(v.sm3, sizeof(v.sm3), "%s", r->sm3);
	}
	return cu_import_pathmap_put(&x->done, r->evidence_path, &v, err);
}

enum cu_status cu_import_begin_item(struct cu_import_ctx *x, const char *suggested,
				    struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf p = CU_BUF_INIT;

	if (x->begun)
		return CU_OK;
	if ((st = choose_item(x, suggested, err)) != CU_OK)
		return st;
	if (x->resume) {
		/* A torn last inventory line (the kill came mid-append) is
		 * skipped here and cut off by core's next append, which records
		 * the cut in the custody log. */
		if ((st = cu_inventory_each(x->c, x->item, load_done, x, err)) != CU_OK)
			return cu_error_prefix(err, "resume: reading the inventory of '%s'",
					       x->item);
		cu_info("import: resuming item '%s': %zu files already listed", x->item, x->done.n);
	}
	if ((st = cu_buf_printf(&p, err, "evidence/%s", x->item)) == CU_OK) {
		struct cu_buf abs = CU_BUF_INIT;
		if ((st = cu_case_path(x->c, p.data, &abs, err)) == CU_OK)
			st = cu_mkdirs(abs.data, 0755, false, err);
		cu_buf_release(&abs);
	}
	cu_buf_release(&p);
	if (st != CU_OK)
		return st;
	if ((st = manifest_begin(x, err)) != CU_OK)
		return cu_error_prefix(err, "manifest");
	x->begun = true;
	snprintf(x->st.item, sizeof(x->st.item), "%s", x->item);
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* The end: content root, custody entries, manifest                    */
/* ------------------------------------------------------------------ */

struct entry {
	char *path;
	uint64_t size;
	char sha256[65];
	bool file, derived;
	json_t *from;
};
struct entries {
	struct entry *v;
	size_t n, cap;
};

static enum cu_status collect(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct entries *es = ctx;
	if (r->evidence_path == NULL)
		return CU_OK;
	if (es->n == es->cap) {
		size_t nc = es->cap ? es->cap * 2 : 256;
		struct entry *nv = cu_reallocarray(es->v, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		es->v = nv;
		es->cap = nc;
	}
	struct entry *e = &es->v[es->n];
	memset(e, 0, sizeof(*e));
	if ((e->path = cu_strdup(r->evidence_path)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	e->size = r->size;
	snprintf(e->sha256, sizeof(e->sha256), "%s", r->sha256);
	e->file = r->type != NULL && strcmp(r->type, "file") == 0;
	e->derived = r->kind != NULL && strcmp(r->kind, "derived") == 0;
	e->from = r->derived_from ? json_incref(r->derived_from) : NULL;
	es->n++;
	return CU_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static void entries_release(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].path);
		json_decref(es->v[i].from);
	}
	free(es->v);
}

/* The content root (core's one function, CUSTODY.md) over the chosen
 * entries: 0 = every file, 1 = derived files, 2 = evidence files named in
 * only (the inputs of derivations). */
static enum cu_status root_of(const struct entries *es, int which, json_t *only, char hex[65],
			      size_t *count, struct cu_error *err)
{
	struct cu_content_file *files = NULL;
	unsigned char root[32];
	size_t n = 0;
	enum cu_status st;

	if ((files = cu_calloc(es->n + 1, sizeof(*files))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < es->n; i++) {
		const struct entry *e = &es->v[i];
		if (!e->file)
			continue;
		if (which == 1 && !e->derived)
			continue;
		if (which == 2 && (e->derived || !json_is_true(json_object_get(only, e->path))))
			continue;
		files[n].path = e->path;
		files[n].size = e->size;
		files[n].sha256 = e->sha256;
		n++;
	}
	if ((st = cu_merkle_content_root(files, n, root, err)) == CU_OK) {
		cu_hex(root, 32, hex);
		*count = n;
	}
	free(files);
	return st;
}

/* Android item facts from the dump's build.prop (read from our evidence
 * copy, never the source): only fields still null are filled, and the
 * file they came from is named. */
static void android_facts(struct cu_import_ctx *x)
{
	static const char *const where[] = {"system/build.prop", "system/system/build.prop",
					    "vendor/build.prop"};
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT, text = CU_BUF_INIT;
	struct cu_error e;
	json_t *it = find_item(x->c, x->item);

	if (it == NULL)
		return;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		cu_buf_reset(&rel);
		if (cu_buf_printf(&rel, &e, "evidence/%s/%s", x->item, where[i]) != CU_OK ||
		    cu_case_path(x->c, rel.data, &abs, &e) != CU_OK ||
		    cu_file_read_all(abs.data, (size_t)1 << 20, &text, &e) != CU_OK)
			continue;
		static const struct {
			const char *prop, *obj, *key;
		} map[] = {
		    {"ro.build.version.release", NULL, "os_version"},
		    {"ro.build.display.id", NULL, "build"},
		    {"ro.product.manufacturer", "features", "make"},
		    {"ro.product.model", "features", "model"},
		    {"ro.serialno", "identifiers", "serial"},
		};
		bool used = false;
		for (char *line = text.data; line != NULL && *line;) {
			char *nl = strchr(line, '\n');
			if (nl != NULL)
				*nl = '\0';
			char *eq = strchr(line, '=');
			if (eq != NULL && line[0] != '#') {
				*eq = '\0';
				for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
					if (strcmp(line, map[k].prop) != 0 || eq[1] == '\0' ||
					    !cu_utf8_valid(eq + 1, strlen(eq + 1)))
						continue;
					json_t *o = it;
					if (map[k].obj != NULL) {
						o = json_object_get(it, map[k].obj);
						if (!json_is_object(o)) {
							o = json_object();
							json_object_set_new(it, map[k].obj, o);
						}
					}
					json_t *have = json_object_get(o, map[k].key);
					if (have == NULL || json_is_null(have)) {
						json_object_set_new(o, map[k].key,
								    json_string(eq + 1));
						used = true;
					}
				}
			}
			line = nl ? nl + 1 : NULL;
		}
		if (used)
			json_object_set_new(it, "facts_source", json_string(rel.data));
		break;
	}
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	cu_buf_release(&text);
}

static void json_list(struct cu_json *j, const char *key, const struct cu_buf *b)
{
	cu_json_key(j, key);
	cu_json_arr_begin(j);
	if (b->len > 0)
		cu_json_raw(j, b->data, b->len);
	cu_json_arr_end(j);
}

static enum cu_status finish(struct cu_import_ctx *x, const char *abort_msg, struct cu_error *err)
{
	enum cu_status st;
	struct entries es = {NULL, 0, 0};
	struct cu_buf inv_rel = CU_BUF_INIT, inv_abs = CU_BUF_INIT;
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT, fmt = CU_BUF_INIT;
	struct cu_digests invd;
	struct cu_json j;
	char content[65], now[CU_TIME_STR];
	size_t ncontent = 0, nfiles_total = 0;
	json_t *inputs = NULL;
	char *xdetails = NULL;

	cu_progress_finish(&x->prog);
	if ((st = cu_buf_printf(&inv_rel, err, "inventory/%s.jsonl", x->item)) != CU_OK ||
	    (st = cu_case_path(x->c, inv_rel.data, &inv_abs, err)) != CU_OK)
		goto out;
	if ((st = cu_inventory_each(x->c, x->item, collect, &es, err)) != CU_OK)
		goto out;
	if (es.n > 1)
		qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
	if ((st = root_of(&es, 0, NULL, content, &ncontent, err)) != CU_OK)
		goto out;
	if (cu_file_exists(inv_abs.data)) {
		if ((st = cu_hash_file(inv_abs.data, CU_HASH_SHA256, &invd, err)) != CU_OK)
			goto out;
	} else {
		cu_sha256_hex("", 0, invd.sha256);
	}
	for (size_t i = 0; i < es.n; i++)
		nfiles_total += es.v[i].file && !es.v[i].derived;
	if (x->details != NULL && json_object_size(x->details) > 0)
		xdetails = json_dumps(x->details, JSON_PRESERVE_ORDER | JSON_COMPACT);

	cu_json_init(&j, &subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_str(&j, "source", x->src_abs);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;

	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "source", x->src_abs);
	cu_json_kv_str(&j, "format", cu_import_format_name(x->format));
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_int(&j, "files", (int64_t)x->st.files);
	cu_json_kv_int(&j, "bytes", (int64_t)x->st.bytes);
	cu_json_kv_int(&j, "derived_files", (int64_t)x->st.derived);
	cu_json_kv_int(&j, "warnings", (int64_t)x->st.warnings);
	cu_json_kv_int(&j, "failures", (int64_t)x->failures);
	json_list(&j, "warning_list", &x->warn_json);
	json_list(&j, "not_imported", &x->skipped_json);
	cu_json_key(&j, "aborted");
	cu_json_str(&j, abort_msg);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_int(&j, "rechecked", (int64_t)x->rechecked);
	cu_json_kv_int(&j, "partials_removed", (int64_t)x->partials_removed);
	cu_json_kv_int(&j, "item_files", (int64_t)nfiles_total);
	cu_json_key(&j, "content_root");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
	cu_json_kv_int(&j, "size", (int64_t)ncontent);
	cu_json_kv_str(&j, "root", content);
	cu_json_obj_end(&j);
	cu_json_kv_str(&j, "inventory", inv_rel.data);
	cu_json_kv_str(&j, "inventory_sha256", invd.sha256);
	cu_json_key(&j, "format_details");
	if (xdetails != NULL)
		cu_json_raw(&j, xdetails, strlen(xdetails));
	else
		cu_json_null(&j);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	if (x->c->custody == NULL) {
		st = cu_error_set(err, CU_E_INTERNAL, "the case's custody log is not open");
		goto out;
	}
	if ((st = cu_custody_append(x->c->custody, "IMPORT", cu_case_default_actor(), subj.data,
				    det.data, NULL, err)) != CU_OK)
		goto out;

	/*
	 * One DERIVE entry per import rather than one per file: a backup holds
	 * tens of thousands of files and the log is printed on paper forms.
	 * Every input/output pair (derived_from, both hashes, method) is in the
	 * inventory, whose SHA-256 this entry carries, so each pair is bound to
	 * the chain; the entry also carries RFC 6962 roots over the inputs and
	 * the outputs so a verifier can check either set on its own.
	 */
	size_t nder = 0;
	for (size_t i = 0; i < es.n; i++)
		nder += es.v[i].derived && es.v[i].file;
	if (nder > 0) {
		char in_root[65], out_root[65];
		size_t nin = 0, nout = 0, listed = 0;
		uint64_t dbytes = 0;
		if ((inputs = json_object()) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < es.n; i++) {
			size_t k;
			json_t *p;
			if (!es.v[i].derived)
				continue;
			dbytes += es.v[i].size;
			json_array_foreach(es.v[i].from, k, p) if (json_is_string(p))
			    json_object_set_new(inputs, json_string_value(p), json_true());
		}
		if ((st = root_of(&es, 1, NULL, out_root, &nout, err)) != CU_OK ||
		    (st = root_of(&es, 2, inputs, in_root, &nin, err)) != CU_OK)
			goto out;
		cu_buf_reset(&det);
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "method", x->derive_method ? x->derive_method : "decryption");
		cu_json_kv_int(&j, "files", (int64_t)nder);
		cu_json_kv_int(&j, "bytes", (int64_t)dbytes);
		cu_json_kv_int(&j, "files_this_run", (int64_t)x->derive_files);
		cu_json_key(&j, "inputs");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
		cu_json_kv_int(&j, "size", (int64_t)nin);
		cu_json_kv_str(&j, "root", in_root);
		cu_json_obj_end(&j);
		cu_json_key(&j, "outputs");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
		cu_json_kv_int(&j, "size", (int64_t)nout);
		cu_json_kv_str(&j, "root", out_root);
		cu_json_obj_end(&j);
		/* The first pairs spelled out (Manifest.db comes first). */
		cu_json_key(&j, "pairs");
		cu_json_arr_begin(&j);
		/* Pass 0: the backup's own files (Manifest.db); pass 1: the rest. */
		for (int pass = 0; pass < 2; pass++) {
			for (size_t i = 0; i < es.n && listed < 20; i++) {
				const struct entry *o = &es.v[i];
				const char *in = json_string_value(json_array_get(o->from, 0));
				struct entry key = {.path = (char *)in};
				const struct entry *ie =
				    in ? bsearch(&key, es.v, es.n, sizeof(*es.v), entry_cmp) : NULL;
				bool meta = strstr(o->path, "/_backup/") != NULL;
				if (!o->derived || !o->file || ie == NULL || meta != (pass == 0))
					continue;
				cu_json_obj_begin(&j);
				cu_json_kv_str(&j, "input", ie->path);
				cu_json_kv_str(&j, "input_sha256", ie->sha256);
				cu_json_kv_str(&j, "output", o->path);
				cu_json_kv_str(&j, "output_sha256", o->sha256);
				cu_json_obj_end(&j);
				listed++;
			}
		}
		cu_json_arr_end(&j);
		cu_json_kv_str(&j, "inventory", inv_rel.data);
		cu_json_kv_str(&j, "inventory_sha256", invd.sha256);
		cu_json_obj_end(&j);
		if ((st = cu_json_finish(&j, err)) != CU_OK)
			goto out;
		if ((st = cu_custody_append(x->c->custody, "DERIVE", cu_case_default_actor(),
					    subj.data, det.data, NULL, err)) != CU_OK)
			goto out;
	}

	/* The manifest's acquisitions[] entry. */
	if (x->os != NULL && strcmp(x->os, "Android") == 0)
		android_facts(x);
	if (x->acq != NULL) {
		cu_buf_reset(&fmt);
		(void)cu_buf_printf(&fmt, err, "[%s]", x->warn_json.data ? x->warn_json.data : "");
		json_t *errs = json_loads(fmt.data ? fmt.data : "[]", 0, NULL);
		cu_buf_reset(&fmt);
		(void)cu_buf_printf(&fmt, err, "[%s]",
				    x->skipped_json.data ? x->skipped_json.data : "");
		json_t *skipped = json_loads(fmt.data ? fmt.data : "[]", 0, NULL);
		cu_time_format_ms(cu_time_now_ms(), now);
		json_object_set_new(x->acq, "end", json_string(now));
		json_object_set_new(x->acq, "status",
				    json_string(abort_msg     ? "aborted"
						: x->failures ? "partial"
							      : "complete"));
		json_object_set_new(x->acq, "errors", errs ? errs : json_array());
		json_object_set_new(x->acq, "not_acquired", skipped ? skipped : json_array());
		json_object_set_new(x->acq, "files", json_integer((json_int_t)nfiles_total));
		json_object_set_new(x->acq, "warnings", json_integer((json_int_t)x->st.warnings));
		json_object_set_new(x->acq, "failures", json_integer((json_int_t)x->failures));
		json_object_set_new(x->acq, "content_root", json_string(content));
		json_object_set_new(x->acq, "inventory_sha256", json_string(invd.sha256));
		if ((st = cu_case_save_manifest(x->c, err)) != CU_OK)
			goto out;
	}
out:
	free(xdetails);
	json_decref(inputs);
	entries_release(&es);
	cu_buf_release(&inv_rel);
	cu_buf_release(&inv_abs);
	cu_buf_release(&subj);
	cu_buf_release(&det);
	cu_buf_release(&fmt);
	return st;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

/* A case may ask for SM3 (国密) on every file: manifest "settings":
 * {"hash": "sm3"} or {"hash": ["sm3", ...]} (case-insensitive). */
static bool case_wants_sm3(struct cu_case *c)
{
	json_t *h = json_object_get(json_object_get(c->manifest, "settings"), "hash");
	size_t i;
	json_t *v;
	if (json_is_string(h))
		return strcasecmp(json_string_value(h), "sm3") == 0;
	json_array_foreach(h, i, v)
	{
		if (json_is_string(v) && strcasecmp(json_string_value(v), "sm3") == 0)
			return true;
	}
	return false;
}

/* True when `inner` is `outer` or below it (both absolute, resolved). */
static bool path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (n == 1 && outer[0] == '/')
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

static void ctx_release(struct cu_import_ctx *x)
{
	committer_stop(x);
	cu_buf_release(&x->last_parent);
	free(x->mount_buf);
	if (x->case_fd >= 0)
		close(x->case_fd);
	cu_buf_release(&x->pending);
	free(x->src_abs);
	free(x->item);
	cu_hasher_free(x->hasher);
	cu_hasher_free(x->hasher2);
	free(x->buf);
	cu_import_pathmap_release(&x->done);
	cu_import_pathmap_release(&x->used);
	cu_buf_release(&x->warn_json);
	cu_buf_release(&x->skipped_json);
	json_decref(x->item_facts);
	json_decref(x->details);
}

enum cu_status cu_import_run(struct cu_case *c, const char *path, const struct cu_import_opts *opts,
			     struct cu_import_stats *stats, struct cu_error *err)
{
	struct cu_import_ctx x;
	enum cu_status st, hst;
	struct cu_error herr;
	const char *s;

	memset(&x, 0, sizeof(x));
	cu_buf_init(&x.warn_json, (size_t)4 << 20);
	cu_buf_init(&x.skipped_json, (size_t)4 << 20);
	x.c = c;
	x.opts = opts;
	x.src = path;
	x.resume = opts->resume;
	x.format = opts->format;
	x.algs = (opts->hash_algs ? opts->hash_algs : CU_HASH_DEFAULT) | CU_HASH_DEFAULT;
	if (case_wants_sm3(c))
		x.algs |= CU_HASH_SM3;
	x.start_ms = cu_time_now_ms();
	if ((s = getenv("CUSTOS_TEST_KILL_AFTER_FILES")) != NULL)
		(void)cu_parse_u64(s, &x.kill_after);
	cu_buf_init(&x.last_parent, (size_t)CU_PATH_MAX * 2);
	x.mount_prefix = "";
	if (opts->mount_point != NULL) {
		/* "/" or "" = the phone's root; else an absolute path without
		 * a trailing slash, checked like any device path. */
		struct cu_buf chk = CU_BUF_INIT;
		const char *m = opts->mount_point;
		size_t ml = strlen(m);
		while (ml > 1 && m[ml - 1] == '/')
			ml--;
		bool root = ml == 0 || (ml == 1 && m[0] == '/');
		if (!root && (m[0] != '/' || cu_path_from_device(m, ml, &chk, err) != CU_OK)) {
			cu_buf_release(&chk);
			st = cu_error_set(
			    err, CU_E_USAGE,
			    "--mount-point '%s' must be an absolute path without '.' or "
			    "'..' components",
			    m);
			goto out;
		}
		cu_buf_release(&chk);
		if (!root && (x.mount_buf = cu_strndup(m, ml)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		x.mount_prefix = root ? "" : x.mount_buf;
	}
	x.batch_files = BATCH_FILES_DEFAULT;
	if ((s = getenv("CUSTOS_IMPORT_BATCH_FILES")) != NULL)
		(void)cu_parse_u64(s, &x.batch_files);
	if (x.batch_files == 0)
		x.batch_files = 1;
	x.case_fd = -1;
	x.last_flush_ms = cu_time_now_ms();
	cu_buf_init(&x.pending, CU_BUF_DEFAULT_MAX);
	cu_error_clear(&herr);

	if ((x.src_abs = realpath(path, NULL)) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", path);
		goto out;
	}
	/* The case must not live inside the image (we would write into the
	 * source) nor the image inside the case (a directory import would
	 * walk into its own growing copy). */
	if (path_within(c->dir, x.src_abs) || path_within(x.src_abs, c->dir)) {
		st =
		    cu_error_set(err, CU_E_USAGE,
				 "the case directory '%s' and the image '%s' overlap: put the case "
				 "outside the image (the source is never written to)",
				 c->dir, x.src_abs);
		goto out;
	}
	if (x.format == CU_IMPORT_AUTO && (st = detect(x.src_abs, &x.format, err)) != CU_OK)
		goto out;
	cu_info("import: '%s' as %s", path, cu_import_format_name(x.format));
	if ((x.item_facts = json_object()) == NULL || (x.details = json_object()) == NULL ||
	    (x.buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = cu_hasher_new(x.algs, CU_HASHER_THREADED, &x.hasher, err)) != CU_OK ||
	    (st = cu_hasher_new(x.algs, CU_HASHER_THREADED, &x.hasher2, err)) != CU_OK)
		goto out;
	cu_progress_start(&x.prog, "import", 0);

	switch (x.format) {
	case CU_IMPORT_DIR:
	case CU_IMPORT_ANDROID_DIR: hst = cu_import_dir(&x, &herr); break;
	case CU_IMPORT_ANDROID_TAR:
	case CU_IMPORT_ANDROID_ZIP: hst = cu_import_android_archive(&x, &herr); break;
	case CU_IMPORT_ANDROID_AB: hst = cu_import_android_ab(&x, &herr); break;
	case CU_IMPORT_IOS_BACKUP: hst = cu_import_ios_backup(&x, &herr); break;
	default: hst = cu_error_set(&herr, CU_E_USAGE, "no import format chosen"); break;
	}
	cu_progress_finish(&x.prog);
	/* Whatever was completed before a fault is listed. */
	if (x.begun && (st = cu_import_flush(&x, true, err)) != CU_OK)
		goto out;
	committer_stop(&x);

	if (hst != CU_OK && (!x.begun || (x.st.files == 0 && x.rechecked == 0) || hst == CU_E_KEY ||
			     hst == CU_E_USAGE)) {
		/* Nothing usable came in: no IMPORT entry, the error goes back. */
		if (x.begun && x.acq != NULL) {
			char now[CU_TIME_STR];
			struct cu_error e2;
			cu_time_format_ms(cu_time_now_ms(), now);
			json_object_set_new(x.acq, "end", json_string(now));
			json_object_set_new(x.acq, "status", json_string("failed"));
			json_array_append_new(json_object_get(x.acq, "errors"),
					      json_string(herr.msg));
			(void)cu_case_save_manifest(c, &e2);
		}
		*err = herr;
		st = hst;
		goto out;
	}
	if (hst != CU_OK) {
		cu_import_warn(&x, true, "import stopped early: %s", herr.msg);
	}
	if ((st = finish(&x, hst != CU_OK ? herr.msg : NULL, err)) != CU_OK) {
		cu_error_prefix(err, "import of '%s'", path);
		goto out;
	}
	if (x.failures > 0) {
		st = cu_error_set(
		    err, CU_E_PARTIAL,
		    "import of '%s' into item '%s' finished with %llu failure(s); each "
		    "is recorded in the custody log (IMPORT entry)%s%s",
		    path, x.item, (unsigned long long)x.failures, hst != CU_OK ? ": " : "",
		    hst != CU_OK ? herr.msg : "");
	}
	x.st.failures = x.failures;
	x.st.rechecked = x.rechecked;
	if (stats != NULL)
		*stats = x.st;
out:
	ctx_release(&x);
	return st;
}
