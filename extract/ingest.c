/*
 * ingest.c - the evidence writer (extract.h): slots, single-pass hashing
 * writes, the group-committed inventory, the resume map, warnings and the
 * closing custody entry. Image import, parse's derived files and device
 * acquisition all write the case layout through it.
 *
 * Environment:
 *   CUSTOS_IMPORT_BATCH_FILES=N    files per group commit (2048 for an image
 *                                  import, 256 for the others)
 *   CUSTOS_IMPORT_COPIERS=N        copier threads of a directory walk (2, at
 *                                  most 8; 0 copies on the walk's thread)
 *   CUSTOS_TEST_KILL_AFTER_FILES=N TEST ONLY (builds with CUSTOS_TEST_HOOKS):
 *                                  SIGKILL ourselves once N files are
 *                                  recorded, in the middle of writing the
 *                                  next one (the resume tests); also makes
 *                                  group commits synchronous, and copies
 *                                  inline unless CUSTOS_IMPORT_COPIERS is set
 */
#include "config.h"

#include "extract/ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

/* Copy chunk of cu_ingest_copy_fd(). */
#define CHUNK ((size_t)1 << 20)

struct committer;

/* Descriptors of written files awaiting drop-behind (see below). */
struct fdlist {
	int *fd;
	size_t n, cap;
};

struct cu_ingest {
	struct cu_case *c;
	enum cu_ingest_source source;
	const char *what; /* log prefix: "import", "acquire", "derive" */
	char *item;
	unsigned algs;
	bool resume;
	struct cu_hasher *hashers[2]; /* made on first use */
	bool hasher_busy[2];
	unsigned char *buf;            /* CHUNK bytes, made on first use */
	struct cu_ingest_pathmap done; /* resume: inventory of the item so far */
	struct cu_ingest_pathmap used; /* written or re-checked by this writer */
	struct cu_buf warn_json;       /* JSON array elements, "," separated */
	uint64_t warn_listed;
	struct cu_buf skipped_json; /* data not stored and why */
	uint64_t skipped_listed;
	struct cu_ingest_stats st;
	uint64_t kill_after; /* CUSTOS_TEST_KILL_AFTER_FILES (0 = off) */
	uint64_t written_since_check;
	struct cu_progress *prog;
	/* group commit of inventory lines (cu_ingest_flush) */
	struct cu_buf pending; /* formatted lines not yet in the inventory */
	uint64_t pending_n, pending_bytes, committed, batch_files;
	int64_t last_flush_ms;
	int case_fd;
	struct committer *committer; /* background syncfs + listing */
	bool no_committer;
	bool unique_names;         /* the source cannot repeat a name: no used map */
	struct cu_buf last_parent; /* evidence directory made last */
	struct fdlist held;        /* written files, open until their group is durable */
	unsigned char head[16];    /* first bytes of the file committed last, */
	size_t head_n;             /* for its inventory line */
	struct cu_buf head_rel;
	struct pool *pool;      /* copiers of cu_ingest_copy_fd_async(), made on first use */
	bool no_pool;           /* threads could not be made: copy inline */
	bool kill_inline;       /* the kill test hook without CUSTOS_IMPORT_COPIERS */
	enum cu_status pool_st; /* sticky failure of a copier, reported once */
	struct cu_error pool_err;
};

static void pool_settle(struct cu_ingest *w);
static void pool_stop(struct cu_ingest *w);
static enum cu_status record_line(struct cu_ingest *w, const struct cu_ingest_slot *s,
				  const struct cu_ingest_fileinfo *fi, const struct cu_digests *d,
				  struct cu_error *err);
static enum cu_status flush_batch(struct cu_ingest *w, bool wait, struct cu_error *err);

/* ------------------------------------------------------------------ */
/* Drop-behind                                                         */
/* ------------------------------------------------------------------ */

/*
 * Written evidence is not read again by import, but its pages stay in the
 * page cache: on a phone of tens of gigabytes the cache grows into fresh
 * memory, the costliest part of writing on a VM, and pushes the user's
 * cached files out. A committed file's descriptor is therefore kept open
 * until its group commit's syncfs() has written it back; then its pages
 * are dropped (POSIX_FADV_DONTNEED, which only drops clean pages) and it is
 * closed, on the committer thread. At most a group's worth of files.
 */
#define HELD_MAX 256 /* two lists in flight: well under the usual 1024 fds */

static void fdlist_drop(struct fdlist *l, bool advise)
{
	for (size_t i = 0; i < l->n; i++) {
		if (advise)
			(void)posix_fadvise(l->fd[i], 0, 0, POSIX_FADV_DONTNEED);
		close(l->fd[i]);
	}
	l->n = 0;
}

static void fdlist_release(struct fdlist *l)
{
	fdlist_drop(l, false);
	free(l->fd);
	memset(l, 0, sizeof(*l));
}

/* Keeps fd for drop-behind; false (caller closes) when the list is full. */
static bool fdlist_hold(struct fdlist *l, int fd)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		int *nv;
		if (nc > HELD_MAX || (nv = cu_reallocarray(l->fd, nc, sizeof(*nv))) == NULL)
			return false;
		l->fd = nv;
		l->cap = nc;
	}
	l->fd[l->n++] = fd;
	return true;
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

/* A record: u32 key length, the key, the value. */
#define REC_HEAD 4

void cu_ingest_pathmap_release(struct cu_ingest_pathmap *m)
{
	free(m->slots);
	if (m->fd1 > 0)
		close(m->fd1 - 1);
	free(m->got);
	free(m->key);
	memset(m, 0, sizeof(*m));
}

static bool rec_read(const struct cu_ingest_pathmap *m, uint64_t off, const char *key, size_t klen,
		     bool *same)
{
	unsigned char head[REC_HEAD];
	uint32_t n;

	*same = false;
	if (pread(m->fd1 - 1, head, REC_HEAD, (off_t)off) != REC_HEAD)
		return false;
	n = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 |
	    (uint32_t)head[3] << 24;
	if (n != klen)
		return true;
	if (pread(m->fd1 - 1, m->key, klen, (off_t)(off + REC_HEAD)) != (ssize_t)klen)
		return false;
	if (memcmp(m->key, key, klen) != 0)
		return true;
	*same = pread(m->fd1 - 1, m->got, sizeof(*m->got), (off_t)(off + REC_HEAD + klen)) ==
		(ssize_t)sizeof(*m->got);
	return *same;
}

/* Slot of key: where it is, or the empty slot where it would go. */
static size_t find_slot(const struct cu_ingest_pathmap *m, const char *key, uint64_t h, bool *found)
{
	size_t klen = strlen(key);

	*found = false;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		bool same;
		if (m->slots[2 * i + 1] == 0)
			return i;
		if (m->slots[2 * i] == h &&
		    rec_read(m, m->slots[2 * i + 1] - 1, key, klen, &same) && same) {
			*found = true;
			return i;
		}
	}
}

struct cu_ingest_pathmap_val *cu_ingest_pathmap_get(const struct cu_ingest_pathmap *m,
						    const char *key)
{
	bool found;

	if (m->cap == 0)
		return NULL;
	size_t i = find_slot(m, key, fnv1a(key), &found);
	(void)i;
	return found ? m->got : NULL;
}

static enum cu_status pathmap_grow(struct cu_ingest_pathmap *m, struct cu_error *err)
{
	size_t ncap = m->cap ? m->cap * 2 : 256;
	uint64_t *slots = cu_calloc(ncap, 2 * sizeof(*slots));
	if (slots == NULL || ncap < m->cap) {
		free(slots);
		return cu_error_set(err, CU_E_NOMEM, "out of memory for the path map");
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[2 * i + 1] == 0)
			continue;
		size_t j = m->slots[2 * i] & (ncap - 1);
		while (slots[2 * j + 1] != 0)
			j = (j + 1) & (ncap - 1);
		slots[2 * j] = m->slots[2 * i];
		slots[2 * j + 1] = m->slots[2 * i + 1];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = ncap;
	return CU_OK;
}

static enum cu_status scratch_open(struct cu_ingest_pathmap *m, struct cu_error *err)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((m->got = cu_calloc(1, sizeof(*m->got))) == NULL ||
	    (m->key = cu_malloc(CU_PATH_MAX)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for the path map");
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		char tmpl[CU_PATH_MAX];
		snprintf(tmpl, sizeof(tmpl), "%s/custos-paths.XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			(void)unlink(tmpl);
	}
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno,
				      "cannot create the path map's scratch file in '%s'", dir);
	m->fd1 = fd + 1;
	return CU_OK;
}

static enum cu_status write_at(int fd, const void *p, size_t n, uint64_t off, struct cu_error *err)
{
	if (pwrite(fd, p, n, (off_t)off) != (ssize_t)n)
		return cu_error_errno(err, CU_E_IO, errno, "cannot write the path map");
	return CU_OK;
}

enum cu_status cu_ingest_pathmap_put(struct cu_ingest_pathmap *m, const char *key,
				     const struct cu_ingest_pathmap_val *v, struct cu_error *err)
{
	enum cu_status st;
	size_t klen = strlen(key);
	uint64_t h = fnv1a(key);
	bool found = false;
	size_t i;

	if (klen >= CU_PATH_MAX)
		return cu_error_set(err, CU_E_PATH, "path too long for the path map");
	if (m->fd1 == 0 && (st = scratch_open(m, err)) != CU_OK)
		return st;
	if (m->cap > 0) {
		i = find_slot(m, key, h, &found);
		if (found)
			return write_at(m->fd1 - 1, v, sizeof(*v),
					m->slots[2 * i + 1] - 1 + REC_HEAD + klen, err);
	}
	if ((m->n + 1) * 4 > m->cap * 3 && (st = pathmap_grow(m, err)) != CU_OK)
		return st;
	/* One write per record: length, key, value. */
	unsigned char rec[REC_HEAD + CU_PATH_MAX + sizeof(*v)];
	uint64_t off = m->end;
	size_t rn = REC_HEAD + klen + sizeof(*v);
	rec[0] = (unsigned char)klen;
	rec[1] = (unsigned char)(klen >> 8);
	rec[2] = (unsigned char)(klen >> 16);
	rec[3] = (unsigned char)(klen >> 24);
	memcpy(rec + REC_HEAD, key, klen);
	memcpy(rec + REC_HEAD + klen, v, sizeof(*v));
	if ((st = write_at(m->fd1 - 1, rec, rn, off, err)) != CU_OK)
		return st;
	m->end += rn;
	i = h & (m->cap - 1);
	while (m->slots[2 * i + 1] != 0)
		i = (i + 1) & (m->cap - 1);
	m->slots[2 * i] = h;
	m->slots[2 * i + 1] = off + 1;
	m->n++;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Warnings                                                            */
/* ------------------------------------------------------------------ */

static void list_append(struct cu_buf *b, uint64_t *listed, const char *json_value)
{
	struct cu_error e;
	size_t keep = b->len;

	if (*listed >= CU_INGEST_WARN_LIST_MAX)
		return;
	/* All or nothing, so the list stays valid JSON; a value that cannot
	 * be listed is still counted and logged by the caller. */
	if ((b->len > 0 && cu_buf_putc(b, ',', &e) != CU_OK) ||
	    cu_buf_puts(b, json_value, &e) != CU_OK) {
		b->len = keep;
		if (b->data != NULL)
			b->data[keep] = '\0';
		return;
	}
	(*listed)++;
}

static void warn_msg(struct cu_ingest *w, bool failure, const char *msg)
{
	struct cu_buf jb = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	cu_warn("%s: %s", w->what, msg);
	w->st.warnings++;
	if (failure)
		w->st.failures++;
	cu_json_init(&j, &jb);
	cu_json_str(&j, msg);
	if (cu_json_finish(&j, &e) == CU_OK)
		list_append(&w->warn_json, &w->warn_listed, jb.data);
	cu_buf_release(&jb);
}

/* Without waiting for the copiers: for their own results, in order. */
static void CU_PRINTF(3, 4) warn_now(struct cu_ingest *w, bool failure, const char *fmt, ...)
{
	char msg[CU_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	cu_error_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn_msg(w, failure, msg);
}

void cu_ingest_warn(struct cu_ingest *w, bool failure, const char *fmt, ...)
{
	char msg[CU_ERROR_MSG_MAX];
	va_list ap;

	/* The files handed to the copiers come first: warnings keep the order
	 * of the source whatever thread finished first. */
	pool_settle(w);
	va_start(ap, fmt);
	/* A huge member name loses its middle, never the reason at the end. */
	cu_error_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn_msg(w, failure, msg);
}

static void skip_now(struct cu_ingest *w, const char *what, const char *why)
{
	struct cu_buf jb = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	w->st.skipped++;
	cu_json_init(&j, &jb);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "what", what);
	cu_json_kv_str(&j, "why", why);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) == CU_OK)
		list_append(&w->skipped_json, &w->skipped_listed, jb.data);
	cu_buf_release(&jb);
}

void cu_ingest_skip(struct cu_ingest *w, const char *what, const char *why)
{
	pool_settle(w);
	skip_now(w, what, why);
}

const char *cu_ingest_warnings_json(const struct cu_ingest *w)
{
	return w->warn_json.data ? w->warn_json.data : "";
}

const char *cu_ingest_skipped_json(const struct cu_ingest *w)
{
	return w->skipped_json.data ? w->skipped_json.data : "";
}

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

/* Keep this much free so the case (inventory, custody, manifest) can
 * still be completed after a huge member was refused. */
#define SPACE_RESERVE ((uint64_t)64 << 20)
/* Group commit limits (see cu_ingest_flush). */
#define BATCH_FILES_DEFAULT 256
/* An image import: each group commit makes the journal commit (syncfs)
 * while the copiers create files; 2048-file groups import a phone's small
 * files 10-15 % faster than 256-file ones. Drop-behind still covers the
 * first HELD_MAX files of a group; the kernel reclaims the others. */
#define BATCH_FILES_IMPORT 2048
#define BATCH_BYTES        ((uint64_t)256 << 20)
#define BATCH_MS           2000
#define WRITEBACK_STEP     ((uint64_t)8 << 20)
#define SPACE_RECHECK      ((uint64_t)256 << 20)

enum cu_status cu_ingest_check_space(struct cu_ingest *w, uint64_t want, struct cu_error *err)
{
	struct statvfs vfs;
	if (statvfs(w->c->dir, &vfs) != 0)
		return CU_OK; /* cannot tell: the write itself will fail with ENOSPC */
	uint64_t avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	if (avail < SPACE_RESERVE || want > avail - SPACE_RESERVE)
		return cu_error_set(err, CU_E_LIMIT,
				    "not enough free space in the case directory '%s': %llu bytes "
				    "needed, %llu available (keeping %llu in reserve)",
				    w->c->dir, (unsigned long long)want, (unsigned long long)avail,
				    (unsigned long long)SPACE_RESERVE);
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Slots and the single-pass writer                                    */
/* ------------------------------------------------------------------ */

void cu_ingest_slot_release(struct cu_ingest_slot *s)
{
	cu_buf_release(&s->rel);
	cu_buf_release(&s->abs);
}

static enum cu_status recheck(struct cu_ingest *w, struct cu_ingest_slot *s,
			      const struct cu_ingest_pathmap_val *want, struct cu_error *err)
{
	struct cu_digests d;
	struct cu_error e;
	enum cu_status st;

	s->done = true;
	if (want->sha256[0] == '\0')
		return w->unique_names
			   ? CU_OK
			   : cu_ingest_pathmap_put(&w->used, s->rel.data, want, err); /* symlink */
	if (cu_hash_file(s->abs.data, w->algs, &d, &e) != CU_OK) {
		s->done_bad = true;
		cu_ingest_warn(w, true,
			       "resume: evidence copy '%s' listed in the inventory cannot be "
			       "re-checked: %s",
			       s->rel.data, e.msg);
	} else if (strcmp(d.sha256, want->sha256) != 0 || d.size != want->size) {
		s->done_bad = true;
		cu_ingest_warn(w, true,
			       "resume: evidence copy '%s' no longer matches its inventory line "
			       "(sha256 %s, recorded %s)",
			       s->rel.data, d.sha256, want->sha256);
	} else {
		w->st.rechecked++;
	}
	if (!w->unique_names &&
	    (st = cu_ingest_pathmap_put(&w->used, s->rel.data, want, err)) != CU_OK)
		return st;
	return CU_OK;
}

/* The part of planning after the name is chosen: resume re-check, a
 * partial file left by an interrupted run, the parent directories. */
static enum cu_status slot_prepare(struct cu_ingest *w, struct cu_ingest_slot *s,
				   struct cu_error *err)
{
	enum cu_status st;
	struct stat sb;

	if ((st = cu_case_path(w->c, s->rel.data, &s->abs, err)) != CU_OK)
		return st;
	if (w->resume) {
		const struct cu_ingest_pathmap_val *v =
		    cu_ingest_pathmap_get(&w->done, s->rel.data);
		if (v != NULL)
			return recheck(w, s, v, err);
	}
	if (lstat(s->abs.data, &sb) == 0) {
		if (!w->resume)
			return cu_error_set(err, CU_E_EXISTS, "evidence file '%s' already exists",
					    s->rel.data);
		/* Left by the interrupted run, never listed: partial. */
		if (unlink(s->abs.data) != 0)
			return cu_error_errno(err, CU_E_IO, errno,
					      "cannot remove partial file '%s'", s->rel.data);
		w->st.partials_removed++;
		cu_info("%s: removed partial file '%s' left by the interrupted run", w->what,
			s->rel.data);
	}
	/* Files come in directory order: skip the mkdir walk when the parent
	 * is the one made for the previous file. */
	const char *slash = strrchr(s->abs.data, '/');
	size_t plen = slash ? (size_t)(slash - s->abs.data) : 0;
	if (w->last_parent.data != NULL && w->last_parent.len == plen &&
	    memcmp(w->last_parent.data, s->abs.data, plen) == 0)
		return CU_OK;
	if ((st = cu_mkdirs(s->abs.data, 0755, true, err)) == CU_OK) {
		cu_buf_reset(&w->last_parent);
		if (cu_buf_append(&w->last_parent, s->abs.data, plen, err) != CU_OK)
			cu_buf_release(&w->last_parent);
	}
	return st;
}

enum cu_status cu_ingest_slot_plan(struct cu_ingest *w, const char *device_path, size_t n,
				   bool derived, struct cu_ingest_slot *s, struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf esc = CU_BUF_INIT, base = CU_BUF_INIT;

	s->done = s->done_bad = false;
	cu_buf_reset(&s->rel);
	cu_buf_reset(&s->abs);
	if (w->item == NULL) {
		st = cu_error_set(err, CU_E_INTERNAL, "no item chosen before writing");
		goto out;
	}
	if ((st = cu_path_from_device(device_path, n, &esc, err)) != CU_OK)
		goto out;
	if (esc.len == 0) {
		st = cu_error_set(err, CU_E_PATH, "empty path");
		goto out;
	}
	if ((st = cu_buf_printf(&base, err, "%s/%s/%s", derived ? "derived" : "evidence", w->item,
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
		if (w->unique_names || cu_ingest_pathmap_get(&w->used, s->rel.data) == NULL)
			break;
		if (dup == 0)
			cu_ingest_warn(w, false,
				       "duplicate name '%.*s' in the image: later copy "
				       "kept as '%s~dupN'",
				       (int)n, device_path, base.data);
	}
	st = slot_prepare(w, s, err);
out:
	cu_buf_release(&esc);
	cu_buf_release(&base);
	return st;
}

enum cu_status cu_ingest_slot_plan_path(struct cu_ingest *w, const char *rel,
					struct cu_ingest_slot *s, struct cu_error *err)
{
	enum cu_status st;

	s->done = s->done_bad = false;
	cu_buf_reset(&s->rel);
	cu_buf_reset(&s->abs);
	if ((st = cu_path_check_relative(rel, strlen(rel), err)) != CU_OK)
		return st;
	if (cu_ingest_pathmap_get(&w->used, rel) != NULL)
		return cu_error_set(err, CU_E_EXISTS, "'%s' was already written", rel);
	if ((st = cu_buf_puts(&s->rel, rel, err)) != CU_OK)
		return st;
	return slot_prepare(w, s, err);
}

void cu_ingest_unique_names(struct cu_ingest *w, bool on)
{
	pool_settle(w); /* files in flight were handed over under the old rule */
	w->unique_names = on;
}

const struct cu_ingest_pathmap_val *cu_ingest_used(const struct cu_ingest *w, const char *rel)
{
	return cu_ingest_pathmap_get(&w->used, rel);
}

#ifdef CUSTOS_TEST_HOOKS
static void kill_hook(struct cu_ingest *w)
{
	/* CUSTOS_TEST_KILL_AFTER_FILES=N: die like a pulled plug once N
	 * files are recorded, in the middle of the next one. */
	if (w->kill_after != 0 && w->st.recorded >= w->kill_after)
		raise(SIGKILL);
}
#else
static void kill_hook(struct cu_ingest *w)
{
	(void)w;
}
#endif

enum cu_status cu_ingest_spool_plan(struct cu_ingest *w, const char *rel, struct cu_ingest_slot *s,
				    struct cu_error *err)
{
	enum cu_status st;
	struct stat sb;

	s->done = s->done_bad = false;
	cu_buf_reset(&s->rel);
	cu_buf_reset(&s->abs);
	if ((st = cu_path_check_relative(rel, strlen(rel), err)) != CU_OK ||
	    (st = cu_buf_printf(&s->rel, err, "work/%s", rel)) != CU_OK ||
	    (st = cu_case_path(w->c, s->rel.data, &s->abs, err)) != CU_OK)
		return st;
	if (lstat(s->abs.data, &sb) == 0)
		return cu_error_set(err, CU_E_EXISTS, "spool file '%s' already exists",
				    s->rel.data);
	return cu_mkdirs(s->abs.data, 0700, true, err);
}

enum cu_status cu_ingest_adopt(struct cu_ingest *w, struct cu_ingest_slot *s,
			       const struct cu_ingest_spooled *sp,
			       const struct cu_ingest_fileinfo *fi, struct cu_error *err)
{
	enum cu_status st;
	if (s->done)
		return CU_OK;
	if ((st = cu_ingest_drain(w, err)) != CU_OK)
		return st;
	if (sp->head_n > sizeof(w->head))
		return cu_error_set(err, CU_E_INTERNAL, "spooled head of %zu bytes", sp->head_n);
	/* A second name for the same bytes: the spool stays whole until the
	 * caller removes it, so a run cut while adopting decodes it again. */
	if (link(sp->abs, s->abs.data) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot link the received '%s' to '%s'",
				      sp->abs, s->rel.data);
	if (chmod(s->abs.data, 0444) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot make '%s' read-only",
				      s->rel.data);
	if (fi->have_mtime) {
		struct timespec ts[2] = {fi->mtime, fi->mtime};
		if (utimensat(AT_FDCWD, s->abs.data, ts, AT_SYMLINK_NOFOLLOW) != 0)
			cu_warn("%s: cannot set the mtime of '%s': %s", w->what, s->abs.data,
				strerror(errno));
	}
	/* The first bytes were captured while the file streamed into the spool. */
	memcpy(w->head, sp->head, sp->head_n);
	w->head_n = sp->head_n;
	cu_buf_reset(&w->head_rel);
	if (cu_buf_puts(&w->head_rel, s->rel.data, NULL) != CU_OK)
		cu_buf_release(&w->head_rel);
	kill_hook(w);
	return cu_ingest_record(w, s, fi, &sp->d, err);
}

/* Creates the slot's file (O_EXCL, never through a link). A name this file
 * system cannot hold (too long, a file where a directory should be) fails
 * this file only (CU_E_PATH); a full or broken disk stops the writer
 * (CU_E_IO). */
static enum cu_status create_copy(const struct cu_ingest_slot *s, int *fd, struct cu_error *err)
{
	*fd = open(s->abs.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd >= 0)
		return CU_OK;
	int e = errno;
	bool name = e == ENAMETOOLONG || e == ENOTDIR || e == EISDIR || e == EEXIST || e == ELOOP ||
		    e == EINVAL || e == EILSEQ;
	return cu_error_errno(err, name ? CU_E_PATH : CU_E_IO, e, "cannot create '%s'",
			      s->rel.data);
}

/* Keeps the first bytes written (the inventory's head). */
static void head_take(unsigned char head[16], size_t *head_n, const void *p, size_t n)
{
	if (*head_n < 16) {
		size_t k = 16 - *head_n < n ? 16 - *head_n : n;
		memcpy(head + *head_n, p, k);
		*head_n += k;
	}
}

/* Starts writeback as a copy grows past each WRITEBACK_STEP (asynchronous),
 * so the group commit's syncfs() finds little left to wait for. */
static void writeback_kick(int fd, uint64_t before, size_t n)
{
	if ((before + n) / WRITEBACK_STEP != before / WRITEBACK_STEP) {
		uint64_t from = (before / WRITEBACK_STEP) * WRITEBACK_STEP;
		(void)sync_file_range(fd, (off_t)from, (off_t)(before + n - from),
				      SYNC_FILE_RANGE_WRITE);
	}
}

static void hasher_put(struct cu_ingest_file *o)
{
	if (o->hasher >= 0 && o->w != NULL)
		o->w->hasher_busy[o->hasher] = false;
	o->hasher = -1;
}

enum cu_status cu_ingest_file_open(struct cu_ingest *w, struct cu_ingest_slot *s,
				   struct cu_ingest_file *o, struct cu_error *err)
{
	enum cu_status st;
	int k;

	/* Files handed to the copiers are listed before this one. */
	if ((st = cu_ingest_drain(w, err)) != CU_OK)
		return st;
	o->w = w;
	o->hasher = -1;
	o->abs = s->abs.data;
	o->rel = s->rel.data;
	o->head_n = 0;
	o->n = 0;
	o->limit = 0;
	o->tee_fd = -1;
	o->fd = -1;
	for (k = 0; k < 2 && w->hasher_busy[k]; k++)
		;
	if (k == 2)
		return cu_error_set(err, CU_E_INTERNAL, "more than two files open in one writer");
	if (w->hashers[k] == NULL &&
	    (st = cu_hasher_new(w->algs, CU_HASHER_THREADED, &w->hashers[k], err)) != CU_OK)
		return st;
	if ((st = cu_hasher_reset(w->hashers[k], err)) != CU_OK)
		return st;
	if ((st = create_copy(s, &o->fd, err)) != CU_OK)
		return st;
	o->hasher = k;
	w->hasher_busy[k] = true;
	return CU_OK;
}

enum cu_status cu_ingest_file_write(struct cu_ingest_file *o, const void *p, size_t n,
				    struct cu_error *err)
{
	enum cu_status st;
	if (n == 0)
		return CU_OK;
	if (o->fd < 0 || o->hasher < 0)
		return cu_error_set(err, CU_E_INTERNAL, "write to a file that is not open");
	if (o->limit != 0 && (o->n + n > o->limit || o->n + n < o->n))
		return cu_error_set(err, CU_E_LIMIT, "'%s' exceeds its limit of %llu bytes", o->abs,
				    (unsigned long long)o->limit);
	head_take(o->head, &o->head_n, p, n);
	o->w->written_since_check += n;
	if (o->w->written_since_check >= SPACE_RECHECK) {
		o->w->written_since_check = 0;
		if ((st = cu_ingest_check_space(o->w, 0, err)) != CU_OK)
			return st;
	}
	if ((st = cu_hasher_update(o->w->hashers[o->hasher], p, n, err)) != CU_OK)
		return st;
	if ((st = cu_write_all(o->fd, p, n, o->abs, err)) != CU_OK)
		return st;
	if (o->tee_fd >= 0 && (st = cu_write_all(o->tee_fd, p, n, "staging copy", err)) != CU_OK)
		return st;
	writeback_kick(o->fd, o->n, n);
	o->n += n;
	kill_hook(o->w);
	return CU_OK;
}

enum cu_status cu_ingest_file_commit(struct cu_ingest_file *o, const struct timespec *mtime,
				     struct cu_digests *d, struct cu_error *err)
{
	enum cu_status st;
	kill_hook(o->w);
	if (o->fd < 0 || o->hasher < 0)
		return cu_error_set(err, CU_E_INTERNAL, "commit of a file that is not open");
	if ((st = cu_hasher_final(o->w->hashers[o->hasher], d, err)) != CU_OK)
		goto fail;
	/* No fsync here: the group commit (cu_ingest_flush) makes the data
	 * durable with one syncfs() before the inventory lines go out. */
	if (fchmod(o->fd, 0444) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot make '%s' read-only", o->abs);
		goto fail;
	}
	if (mtime != NULL) {
		struct timespec ts[2] = {*mtime, *mtime};
		if (futimens(o->fd, ts) != 0)
			cu_warn("%s: cannot set the mtime of '%s': %s", o->w->what, o->abs,
				strerror(errno));
	}
	memcpy(o->w->head, o->head, o->head_n);
	o->w->head_n = o->head_n;
	cu_buf_reset(&o->w->head_rel);
	if (o->rel == NULL || cu_buf_puts(&o->w->head_rel, o->rel, NULL) != CU_OK)
		cu_buf_release(&o->w->head_rel);
	if (!fdlist_hold(&o->w->held, o->fd) && close(o->fd) != 0) {
		o->fd = -1;
		st = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", o->abs);
		goto fail;
	}
	o->fd = -1;
	hasher_put(o);
	return CU_OK;
fail:
	cu_ingest_file_abort(o);
	return st;
}

void cu_ingest_file_abort(struct cu_ingest_file *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
		if (o->abs != NULL)
			unlink(o->abs);
	}
	hasher_put(o);
}

/* ------------------------------------------------------------------ */
/* Inventory                                                           */
/* ------------------------------------------------------------------ */

static void ts_format(const struct timespec *ts, char out[CU_TIME_STR], bool *ok)
{
	int64_t ms = (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
	*ok = cu_time_format_ms(ms, out);
}

enum cu_status cu_ingest_record(struct cu_ingest *w, const struct cu_ingest_slot *s,
				const struct cu_ingest_fileinfo *fi, const struct cu_digests *d,
				struct cu_error *err)
{
	/* Lines go out in the order files were handed over: the copiers' first. */
	pool_settle(w);
	if (w->pool_st != CU_OK)
		return cu_ingest_drain(w, err);
	return record_line(w, s, fi, d, err);
}

static enum cu_status record_line(struct cu_ingest *w, const struct cu_ingest_slot *s,
				  const struct cu_ingest_fileinfo *fi, const struct cu_digests *d,
				  struct cu_error *err)
{
	enum cu_status st;
	struct cu_inventory_rec r;
	struct cu_ingest_pathmap_val v;
	struct cu_buf devp = CU_BUF_INIT;
	char mt[CU_TIME_STR];
	bool mt_ok = false;
	json_t *meta = NULL;

	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	r.kind = (char *)(fi->derived ? "derived" : "evidence");
	if (w->item == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "no item chosen before recording");
	r.item = w->item;
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
	/* The first bytes of the file just committed to this slot. */
	if (d != NULL && w->head_rel.data != NULL && strcmp(w->head_rel.data, s->rel.data) == 0)
		cu_hex(w->head, w->head_n, r.head);
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
	if ((st = cu_inventory_rec_format(&r, &w->pending, err)) != CU_OK) {
		cu_error_prefix(err, "inventory of item '%s'", w->item);
		goto out;
	}
	w->pending_n++;
	w->pending_bytes += d != NULL ? d->size : 0;
	if (d != NULL) {
		v.size = d->size;
		memcpy(v.sha256, d->sha256, sizeof(v.sha256));
		memcpy(v.md5, d->md5, sizeof(v.md5));
		memcpy(v.sm3, r.sm3, sizeof(v.sm3));
	}
	if (!w->unique_names &&
	    (st = cu_ingest_pathmap_put(&w->used, s->rel.data, &v, err)) != CU_OK)
		goto out;
	if (fi->derived) {
		w->st.derived++;
		w->st.derived_bytes += v.size;
	} else if (d != NULL) {
		w->st.files++;
		w->st.bytes += v.size;
	}
	w->st.recorded++;
	if (w->pending_n >= w->batch_files || w->pending_bytes >= BATCH_BYTES ||
	    w->st.recorded == 1 || cu_time_now_ms() - w->last_flush_ms >= BATCH_MS)
		st = flush_batch(w, false, err);
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
static enum cu_status commit_batch(struct cu_ingest *w, const struct cu_buf *lines,
				   struct fdlist *fds, struct cu_error *err)
{
	if (syncfs(w->case_fd) != 0) {
		fdlist_drop(fds, false);
		return cu_error_errno(err, CU_E_IO, errno, "cannot sync the case '%s'", w->c->dir);
	}
	fdlist_drop(fds, true); /* written back: drop behind */
	return cu_inventory_append_lines(w->c, w->item, lines->data, lines->len, err);
}

/*
 * The committer thread: while the import goes on copying and hashing the
 * next files, it waits for the disk (syncfs) and lists the previous batch.
 * One batch in flight at a time; an error is sticky and stops the import
 * at the next hand-over.
 */
struct committer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, stop;
	struct cu_buf batch;
	struct fdlist fds; /* the batch's files, dropped behind after syncfs */
	uint64_t batch_n;
	enum cu_status st;
	struct cu_error err;
	struct cu_ingest *w;
};

static void *committer_main(void *arg)
{
	struct committer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->busy && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->busy)
			break;
		pthread_mutex_unlock(&c->mu);
		struct cu_error e;
		cu_error_clear(&e);
		enum cu_status st = commit_batch(c->w, &c->batch, &c->fds, &e);
		pthread_mutex_lock(&c->mu);
		if (st != CU_OK && c->st == CU_OK) {
			c->st = st;
			c->err = e;
		}
		if (st == CU_OK)
			c->w->committed += c->batch_n;
		cu_buf_reset(&c->batch);
		c->batch_n = 0;
		c->busy = false;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void committer_stop(struct cu_ingest *w)
{
	struct committer *c = w->committer;
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
	fdlist_release(&c->fds);
	free(c);
	w->committer = NULL;
}

/* Waits until no batch is in flight; returns the sticky error. Called
 * with c->mu held. */
static enum cu_status committer_idle(struct committer *c, struct cu_error *err)
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

enum cu_status cu_ingest_flush(struct cu_ingest *w, bool wait, struct cu_error *err)
{
	struct cu_error e;
	/* What was listed before a copier's failure still goes out; then the
	 * failure is returned. */
	enum cu_status dst = cu_ingest_drain(w, &e);
	enum cu_status st = flush_batch(w, wait, err);
	if (st == CU_OK && dst != CU_OK) {
		if (err != NULL)
			*err = e;
		st = dst;
	}
	return st;
}

static enum cu_status flush_batch(struct cu_ingest *w, bool wait, struct cu_error *err)
{
	struct committer *c;
	enum cu_status st = CU_OK;

	if (w->case_fd < 0 &&
	    (w->case_fd = open(w->c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open the case '%s'", w->c->dir);
	/* Synchronous under the test kill hook, so "N files listed" is exact. */
	if (w->kill_after != 0 || w->no_committer) {
		if (w->pending_n == 0)
			return CU_OK;
		if ((st = commit_batch(w, &w->pending, &w->held, err)) != CU_OK)
			return st;
		w->committed += w->pending_n;
		goto handed;
	}
	if (w->committer == NULL && w->pending_n > 0) {
		c = cu_calloc(1, sizeof(*c));
		if (c == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		c->w = w;
		cu_buf_init(&c->batch, CU_BUF_DEFAULT_MAX);
		if (pthread_mutex_init(&c->mu, NULL) != 0 || pthread_cond_init(&c->cv, NULL) != 0 ||
		    pthread_create(&c->thread, NULL, committer_main, c) != 0) {
			/* No thread: commit inline from now on. */
			free(c);
			w->no_committer = true;
			return flush_batch(w, wait, err);
		}
		w->committer = c;
	}
	if ((c = w->committer) == NULL)
		return CU_OK;
	pthread_mutex_lock(&c->mu);
	if ((st = committer_idle(c, err)) != CU_OK || w->pending_n == 0)
		goto unlock;
	/* Hand the queued lines over: swap buffers, no copy. */
	struct cu_buf tmp = c->batch;
	c->batch = w->pending;
	w->pending = tmp;
	struct fdlist ftmp = c->fds; /* empty: its batch was committed */
	c->fds = w->held;
	w->held = ftmp;
	c->batch_n = w->pending_n;
	c->busy = true;
	pthread_cond_broadcast(&c->cv);
	if (wait)
		st = committer_idle(c, err);
unlock:
	pthread_mutex_unlock(&c->mu);
	if (st != CU_OK || w->pending_n == 0)
		return st;
handed:
	w->pending_n = 0;
	w->pending_bytes = 0;
	cu_buf_reset(&w->pending);
	w->last_flush_ms = cu_time_now_ms();
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

/* After a copy: a read error or a size change is warned about, then the
 * file is recorded (a truncated copy marked so in its meta). */
static enum cu_status copy_finish(struct cu_ingest *w, const char *what,
				  const struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				  const struct cu_digests *d, uint64_t size_at_open, bool truncated,
				  const char *rmsg, struct cu_error *err)
{
	enum cu_status st;
	json_t *meta = NULL;
	json_t *saved_meta = fi->meta;

	if (truncated) {
		warn_now(w, true,
			 "read error in '%s' after %llu of %llu bytes (%s): the "
			 "partial copy is kept and marked truncated",
			 what, (unsigned long long)d->size, (unsigned long long)size_at_open, rmsg);
		meta = meta_with(fi->meta, "truncated", json_true());
		fi->meta = meta;
	} else if (size_at_open != d->size) {
		warn_now(w, false, "'%s' changed size while read (%llu at open, %llu read)", what,
			 (unsigned long long)size_at_open, (unsigned long long)d->size);
	}
	st = record_line(w, s, fi, d, err);
	fi->meta = saved_meta;
	json_decref(meta);
	return st;
}

enum cu_status cu_ingest_copy_fd(struct cu_ingest *w, int fd, const char *what,
				 struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				 struct cu_error *err)
{
	enum cu_status st;
	struct cu_ingest_file o = CU_INGEST_FILE_INIT;
	struct cu_digests d;
	struct stat sb;
	bool truncated = false;
	char rmsg[CU_ERROR_MSG_MAX] = "";

	if (fstat(fd, &sb) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", what);
	/* Small files are covered by the periodic check in the writer. */
	if ((uint64_t)sb.st_size >= ((uint64_t)1 << 20) &&
	    (st = cu_ingest_check_space(w, (uint64_t)sb.st_size, err)) != CU_OK)
		return st;
	if (w->buf == NULL && (w->buf = cu_malloc(CHUNK)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((st = cu_ingest_file_open(w, s, &o, err)) != CU_OK) {
		if (st != CU_E_PATH)
			return st;
		warn_now(w, true, "'%s' not imported: %s", what, err->msg);
		skip_now(w, what, "name not storable in the case");
		return CU_OK;
	}
	for (;;) {
		ssize_t r = read(fd, w->buf, CHUNK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			snprintf(rmsg, sizeof(rmsg), "%s", strerror(errno));
			truncated = true;
			break;
		}
		if (r == 0)
			break;
		if ((st = cu_ingest_file_write(&o, w->buf, (size_t)r, err)) != CU_OK)
			goto fail;
		if (w->prog != NULL)
			cu_progress_add(w->prog, (uint64_t)r);
	}
	if ((st = cu_ingest_file_commit(&o, fi->have_mtime ? &fi->mtime : NULL, &d, err)) != CU_OK)
		goto fail;
	return copy_finish(w, what, s, fi, &d, (uint64_t)sb.st_size, truncated, rmsg, err);
fail:
	cu_ingest_file_abort(&o);
	return cu_error_prefix(err, "copying '%s'", what);
}

/* ------------------------------------------------------------------ */
/* Copiers: files of a directory walk copied on other threads          */
/* ------------------------------------------------------------------ */

/*
 * A phone's files are mostly 1-64 KiB: copying one costs creating an inode
 * and its blocks (the kernel's work, most of the time) plus both digests,
 * all on one thread. cu_ingest_copy_fd_async() hands each file to one of
 * COPIERS threads, each with its own hasher and buffer, and the walk goes
 * on. Everything else stays on the caller's thread and in the caller's
 * order: a ring of JOBS files handed over; the oldest is reaped (warnings,
 * inventory line, drop-behind) only once it is done, so the inventory, the
 * warnings and the skips are the same, line for line, as a copy on one
 * thread. Anything that records (cu_ingest_record, _warn, _skip, _flush,
 * a file opened by cu_ingest_file_open) reaps every file handed over
 * first. A copier's fatal failure (a full disk) is reported once, by the
 * next call that returns a status; the files handed over after the failing
 * one are removed unlisted, as if never copied. A crash leaves, as ever,
 * listed files that are durable and unlisted files that --resume removes.
 */
#define JOBS            64
#define COPIERS_DEFAULT 2
#define COPIERS_MAX     8

enum job_state { JOB_FREE, JOB_QUEUED, JOB_TAKEN, JOB_DONE };

struct job {
	enum job_state state;
	int src_fd;                   /* owned: closed by the copier */
	int out_fd;                   /* the written copy, open for drop-behind */
	struct cu_buf what;           /* the source's name in messages */
	struct cu_ingest_slot s;      /* owned copy of the slot */
	struct cu_ingest_fileinfo fi; /* strings point into dev / origin / target */
	struct cu_buf dev, origin;
	uint64_t size_at_open;
	/* results */
	enum cu_status st;
	struct cu_error err;
	bool truncated;
	int mtime_errno;
	char rmsg[128];
	struct cu_digests d;
	unsigned char head[16];
	size_t head_n;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job queued, or stop */
	pthread_cond_t done; /* a job done */
	pthread_t th[COPIERS_MAX];
	unsigned nth;
	bool stop;
	unsigned algs;
	uint64_t submitted, taken, reaped; /* job i sits at i % JOBS */
	struct job job[JOBS];
};

/* One file, on a copier: create, read, hash, write, seal the mode. */
static void job_run(struct job *j, struct cu_hasher *h, unsigned char *buf)
{
	uint64_t n = 0;

	j->head_n = 0;
	j->mtime_errno = 0;
	j->truncated = false;
	j->out_fd = -1;
	j->st = CU_OK;
	if (h == NULL || buf == NULL) {
		j->st = cu_error_set(&j->err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((j->st = cu_hasher_reset(h, &j->err)) != CU_OK)
		goto out;
	if ((j->st = create_copy(&j->s, &j->out_fd, &j->err)) != CU_OK)
		goto out;
	for (;;) {
		ssize_t r = read(j->src_fd, buf, CHUNK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			snprintf(j->rmsg, sizeof(j->rmsg), "%s", strerror(errno));
			j->truncated = true;
			break;
		}
		if (r == 0)
			break;
		head_take(j->head, &j->head_n, buf, (size_t)r);
		if ((j->st = cu_hasher_update(h, buf, (size_t)r, &j->err)) != CU_OK ||
		    (j->st = cu_write_all(j->out_fd, buf, (size_t)r, j->s.abs.data, &j->err)) !=
			CU_OK)
			goto fail;
		writeback_kick(j->out_fd, n, (size_t)r);
		n += (uint64_t)r;
	}
	if ((j->st = cu_hasher_final(h, &j->d, &j->err)) != CU_OK)
		goto fail;
	if (fchmod(j->out_fd, 0444) != 0) {
		j->st = cu_error_errno(&j->err, CU_E_IO, errno, "cannot make '%s' read-only",
				       j->s.abs.data);
		goto fail;
	}
	if (j->fi.have_mtime) {
		struct timespec ts[2] = {j->fi.mtime, j->fi.mtime};
		if (futimens(j->out_fd, ts) != 0)
			j->mtime_errno = errno; /* logged by the reaping thread */
	}
	goto out;
fail:
	close(j->out_fd);
	j->out_fd = -1;
	unlink(j->s.abs.data);
out:
	close(j->src_fd);
	j->src_fd = -1;
}

static void *copier_main(void *arg)
{
	struct pool *p = arg;
	struct cu_hasher *h = NULL;
	struct cu_error e;
	/* Its own hasher: MD5 beside SHA-256 only for a large file's chunks. */
	if (cu_hasher_new(p->algs, CU_HASHER_THREADED, &h, &e) != CU_OK)
		h = NULL;
	unsigned char *buf = cu_malloc(CHUNK);

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->taken == p->submitted)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->taken == p->submitted)
			break;
		struct job *j = &p->job[p->taken % JOBS];
		p->taken++;
		j->state = JOB_TAKEN;
		pthread_mutex_unlock(&p->mu);
		job_run(j, h, buf);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	cu_hasher_free(h);
	free(buf);
	return NULL;
}

static void job_clear(struct job *j)
{
	if (j->src_fd >= 0)
		close(j->src_fd);
	if (j->out_fd >= 0)
		close(j->out_fd);
	j->src_fd = j->out_fd = -1;
	j->state = JOB_FREE;
}

/* The oldest file handed over, once its copier is done: listed in order,
 * or (after an earlier failure) removed unlisted. */
static void reap_one(struct cu_ingest *w)
{
	struct pool *p = w->pool;
	struct job *j = &p->job[p->reaped % JOBS];
	struct cu_error e;
	enum cu_status st;

	pthread_mutex_lock(&p->mu);
	while (j->state != JOB_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	p->reaped++;
	if (w->pool_st != CU_OK) {
		if (j->out_fd >= 0)
			unlink(j->s.abs.data);
		job_clear(j);
		return;
	}
	if (j->st == CU_E_PATH) {
		warn_now(w, true, "'%s' not imported: %s", j->what.data, j->err.msg);
		skip_now(w, j->what.data, "name not storable in the case");
		job_clear(j);
		return;
	}
	if (j->st != CU_OK) {
		w->pool_st = j->st;
		w->pool_err = j->err;
		cu_error_prefix(&w->pool_err, "copying '%s'", j->what.data);
		job_clear(j);
		return;
	}
	if (w->prog != NULL)
		cu_progress_add(w->prog, j->d.size);
	memcpy(w->head, j->head, j->head_n);
	w->head_n = j->head_n;
	cu_buf_reset(&w->head_rel);
	if (cu_buf_puts(&w->head_rel, j->s.rel.data, NULL) != CU_OK)
		cu_buf_release(&w->head_rel);
	if (fdlist_hold(&w->held, j->out_fd))
		j->out_fd = -1;
	if (j->mtime_errno != 0)
		cu_warn("%s: cannot set the mtime of '%s': %s", w->what, j->s.abs.data,
			strerror(j->mtime_errno));
	st = copy_finish(w, j->what.data, &j->s, &j->fi, &j->d, j->size_at_open, j->truncated,
			 j->rmsg, &e);
	job_clear(j);
	if (st != CU_OK) {
		w->pool_st = st;
		w->pool_err = e;
	}
	kill_hook(w); /* with copies in flight on the copiers */
}

static void pool_settle(struct cu_ingest *w)
{
	struct pool *p = w->pool;
	while (p != NULL && p->reaped < p->submitted)
		reap_one(w);
}

enum cu_status cu_ingest_drain(struct cu_ingest *w, struct cu_error *err)
{
	enum cu_status st;
	pool_settle(w);
	if ((st = w->pool_st) != CU_OK) {
		if (err != NULL)
			*err = w->pool_err;
		w->pool_st = CU_OK;
	}
	return st;
}

static void pool_stop(struct cu_ingest *w)
{
	struct pool *p = w->pool;
	if (p == NULL)
		return;
	/* Files not reaped were never listed: removed, like a failure's. */
	if (p->reaped < p->submitted && w->pool_st == CU_OK) {
		w->pool_st = CU_E_INTERNAL;
		cu_error_set(&w->pool_err, CU_E_INTERNAL, "writer closed with files in flight");
	}
	pool_settle(w);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	for (size_t i = 0; i < JOBS; i++) {
		cu_buf_release(&p->job[i].what);
		cu_ingest_slot_release(&p->job[i].s);
		cu_buf_release(&p->job[i].dev);
		cu_buf_release(&p->job[i].origin);
	}
	free(p);
	w->pool = NULL;
}

static unsigned copiers_wanted(void)
{
	const char *s = getenv("CUSTOS_IMPORT_COPIERS");
	uint64_t v;
	if (s != NULL && cu_parse_u64(s, &v))
		return v > COPIERS_MAX ? COPIERS_MAX : (unsigned)v;
	return COPIERS_DEFAULT;
}

static bool pool_start(struct cu_ingest *w)
{
	unsigned want = copiers_wanted();
	struct pool *p;

	if (want == 0 || (p = cu_calloc(1, sizeof(*p))) == NULL)
		return false;
	p->algs = w->algs;
	for (size_t i = 0; i < JOBS; i++) {
		struct job *j = &p->job[i];
		j->src_fd = j->out_fd = -1;
		cu_buf_init(&j->what, CU_BUF_DEFAULT_MAX);
		cu_buf_init(&j->s.rel, CU_BUF_DEFAULT_MAX);
		cu_buf_init(&j->s.abs, CU_BUF_DEFAULT_MAX);
		cu_buf_init(&j->dev, CU_BUF_DEFAULT_MAX);
		cu_buf_init(&j->origin, CU_BUF_DEFAULT_MAX);
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return false;
	}
	if (pthread_cond_init(&p->work, NULL) != 0 || pthread_cond_init(&p->done, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return false;
	}
	w->pool = p;
	while (p->nth < want && pthread_create(&p->th[p->nth], NULL, copier_main, p) == 0)
		p->nth++;
	if (p->nth == 0) {
		pool_stop(w);
		w->pool_st = CU_OK;
		return false;
	}
	return true;
}

enum cu_status cu_ingest_copy_fd_async(struct cu_ingest *w, int fd, const char *what,
				       struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				       struct cu_error *err)
{
	enum cu_status st;
	struct stat sb;
	struct pool *p;

	/* Inline: a source that may repeat names (the duplicate check reads
	 * what was recorded), a file with meta or derivation, the kill test
	 * hook (its counts are exact), no threads. */
	bool inline_copy = !w->unique_names || w->kill_inline || fi->meta != NULL ||
			   fi->derived_from != NULL || fi->link_target != NULL;
	if (!inline_copy && w->pool == NULL && !w->no_pool)
		w->no_pool = !pool_start(w);
	if (inline_copy || w->pool == NULL) {
		st = cu_ingest_copy_fd(w, fd, what, s, fi, err);
		close(fd);
		return st;
	}
	p = w->pool;
	if ((st = cu_ingest_drain_ready(w, err)) != CU_OK)
		goto fail;
	if (fstat(fd, &sb) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", what);
		goto fail;
	}
	/* The free-space checks of the writer, made here, in order. */
	w->written_since_check += (uint64_t)sb.st_size;
	if ((uint64_t)sb.st_size >= ((uint64_t)1 << 20) ||
	    w->written_since_check >= SPACE_RECHECK) {
		w->written_since_check = 0;
		if ((st = cu_ingest_check_space(w, (uint64_t)sb.st_size, err)) != CU_OK)
			goto fail;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (p->submitted - p->reaped == JOBS) {
		reap_one(w);
		if (w->pool_st != CU_OK) {
			st = cu_ingest_drain(w, err);
			goto fail;
		}
	}
	struct job *j = &p->job[p->submitted % JOBS];
	cu_buf_reset(&j->what);
	cu_buf_reset(&j->s.rel);
	cu_buf_reset(&j->s.abs);
	cu_buf_reset(&j->dev);
	cu_buf_reset(&j->origin);
	if ((st = cu_buf_puts(&j->what, what, err)) != CU_OK ||
	    (st = cu_buf_append(&j->s.rel, s->rel.data, s->rel.len, err)) != CU_OK ||
	    (st = cu_buf_append(&j->s.abs, s->abs.data, s->abs.len, err)) != CU_OK ||
	    (st = cu_buf_append(&j->dev, fi->device_path, fi->device_path_len, err)) != CU_OK ||
	    (st = cu_buf_puts(&j->origin, fi->origin ? fi->origin : "", err)) != CU_OK)
		goto fail;
	j->fi = *fi;
	j->fi.device_path = j->dev.data;
	j->fi.origin = fi->origin ? j->origin.data : NULL;
	j->fi.link_target = NULL;
	j->fi.meta = NULL; /* a directory walk's files carry none */
	j->fi.derived_from = NULL;
	j->fi.derivation = NULL;
	j->s.done = j->s.done_bad = false;
	j->src_fd = fd;
	j->out_fd = -1;
	j->size_at_open = (uint64_t)sb.st_size;
	pthread_mutex_lock(&p->mu);
	j->state = JOB_QUEUED;
	p->submitted++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return CU_OK;
fail:
	close(fd);
	return st;
}

/* Reaps, without waiting, the files already done, oldest first. */
enum cu_status cu_ingest_drain_ready(struct cu_ingest *w, struct cu_error *err)
{
	struct pool *p = w->pool;
	while (p != NULL && p->reaped < p->submitted) {
		bool ready;
		pthread_mutex_lock(&p->mu);
		ready = p->job[p->reaped % JOBS].state == JOB_DONE;
		pthread_mutex_unlock(&p->mu);
		if (!ready)
			break;
		reap_one(w);
	}
	return w->pool_st != CU_OK ? cu_ingest_drain(w, err) : CU_OK;
}

enum cu_status cu_ingest_store_mem(struct cu_ingest *w, const void *p, size_t n,
				   struct cu_ingest_slot *s, struct cu_ingest_fileinfo *fi,
				   struct cu_digests *d, struct cu_error *err)
{
	enum cu_status st;
	struct cu_ingest_file o = CU_INGEST_FILE_INIT;
	struct cu_digests dd;

	if ((st = cu_ingest_file_open(w, s, &o, err)) != CU_OK)
		return st;
	if ((st = cu_ingest_file_write(&o, p, n, err)) != CU_OK) {
		cu_ingest_file_abort(&o);
		return st;
	}
	if ((st = cu_ingest_file_commit(&o, fi->have_mtime ? &fi->mtime : NULL, &dd, err)) != CU_OK)
		return st;
	if ((st = cu_ingest_record(w, s, fi, &dd, err)) != CU_OK)
		return st;
	if (d != NULL)
		*d = dd;
	return CU_OK;
}

static enum cu_status load_done(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct cu_ingest *w = ctx;
	struct cu_ingest_pathmap_val v;
	memset(&v, 0, sizeof(v));
	if (r->evidence_path == NULL)
		return CU_OK;
	v.size = r->size;
	if (r->type != NULL && strcmp(r->type, "file") == 0) {
		snprintf(v.sha256, sizeof(v.sha256), "%s", r->sha256);
		snprintf(v.md5, sizeof(v.md5), "%s", r->md5);
		snprintf(v.sm3, sizeof(v.sm3), "%s", r->sm3);
	}
	return cu_ingest_pathmap_put(&w->done, r->evidence_path, &v, err);
}

/* ------------------------------------------------------------------ */
/* Hash policy, life cycle, item                                       */
/* ------------------------------------------------------------------ */

/* Stops the inventory walk at the first file row: its digests tell
 * whether the item was hashed with SM3. */
static enum cu_status first_file_sm3(const struct cu_inventory_rec *r, void *ctx,
				     struct cu_error *err)
{
	int *found = ctx;
	if (r->type == NULL || strcmp(r->type, "file") != 0)
		return CU_OK;
	*found = r->sm3[0] != '\0' ? 1 : 0;
	return cu_error_set(err, CU_E_LIMIT, "first file row seen");
}

unsigned cu_ingest_hash_policy(struct cu_case *c, const char *item, unsigned requested)
{
	unsigned algs = requested | CU_HASH_DEFAULT;
	json_t *h = json_object_get(json_object_get(c->manifest, "settings"), "hash");
	size_t i;
	json_t *v;
	int found = -1;
	struct cu_error e;

	/* A case may ask for SM3 (国密) on every file. */
	if (json_is_string(h) && strcasecmp(json_string_value(h), "sm3") == 0)
		algs |= CU_HASH_SM3;
	json_array_foreach(h, i, v)
	{
		if (json_is_string(v) && strcasecmp(json_string_value(v), "sm3") == 0)
			algs |= CU_HASH_SM3;
	}
	/* An item imported with SM3 keeps it for everything written later. */
	if (!(algs & CU_HASH_SM3) && item != NULL &&
	    (cu_inventory_each(c, item, first_file_sm3, &found, &e) == CU_OK || found >= 0) &&
	    found == 1)
		algs |= CU_HASH_SM3;
	return algs;
}

static const char *const source_names[] = {
    [CU_INGEST_IMPORT] = "import",
    [CU_INGEST_ACQUIRE] = "acquire",
    [CU_INGEST_DERIVE] = "derive",
};

enum cu_status cu_ingest_open(struct cu_case *c, enum cu_ingest_source source, unsigned algs,
			      bool resume, struct cu_ingest **out, struct cu_error *err)
{
	struct cu_ingest *w;
	const char *s;

	if ((unsigned)source >= sizeof(source_names) / sizeof(source_names[0]))
		return cu_error_set(err, CU_E_USAGE, "unknown writer source %d", (int)source);
	if ((w = cu_calloc(1, sizeof(*w))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	w->c = c;
	w->source = source;
	w->what = source_names[source];
	w->algs = algs | CU_HASH_DEFAULT;
	w->resume = resume;
	w->hasher_busy[0] = w->hasher_busy[1] = false;
	cu_buf_init(&w->warn_json, (size_t)4 << 20);
	cu_buf_init(&w->skipped_json, (size_t)4 << 20);
	cu_buf_init(&w->last_parent, (size_t)CU_PATH_MAX * 2);
	cu_buf_init(&w->head_rel, (size_t)CU_PATH_MAX * 2);
	cu_buf_init(&w->pending, CU_BUF_DEFAULT_MAX);
#ifdef CUSTOS_TEST_HOOKS
	if ((s = getenv("CUSTOS_TEST_KILL_AFTER_FILES")) != NULL)
		(void)cu_parse_u64(s, &w->kill_after);
	/* Copies inline (exact counts of files on disk) unless copiers are asked for. */
	w->kill_inline = w->kill_after != 0 && getenv("CUSTOS_IMPORT_COPIERS") == NULL;
#endif
	w->batch_files = source == CU_INGEST_IMPORT ? BATCH_FILES_IMPORT : BATCH_FILES_DEFAULT;
	if ((s = getenv("CUSTOS_IMPORT_BATCH_FILES")) != NULL)
		(void)cu_parse_u64(s, &w->batch_files);
	if (w->batch_files == 0)
		w->batch_files = 1;
	w->case_fd = -1;
	w->last_flush_ms = cu_time_now_ms();
	*out = w;
	return CU_OK;
}

void cu_ingest_free(struct cu_ingest *w)
{
	if (w == NULL)
		return;
	pool_stop(w);
	committer_stop(w);
	fdlist_release(&w->held);
	cu_buf_release(&w->head_rel);
	if (w->case_fd >= 0)
		close(w->case_fd);
	cu_buf_release(&w->last_parent);
	cu_buf_release(&w->pending);
	cu_buf_release(&w->warn_json);
	cu_buf_release(&w->skipped_json);
	cu_hasher_free(w->hashers[0]);
	cu_hasher_free(w->hashers[1]);
	free(w->buf);
	free(w->item);
	cu_ingest_pathmap_release(&w->done);
	cu_ingest_pathmap_release(&w->used);
	free(w);
}

enum cu_status cu_ingest_set_item(struct cu_ingest *w, const char *item, struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf p = CU_BUF_INIT, abs = CU_BUF_INIT;

	if (w->item != NULL)
		return cu_error_set(err, CU_E_INTERNAL, "the writer's item is already '%s'",
				    w->item);
	if ((w->item = cu_strdup(item)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (w->resume) {
		/* A torn last inventory line (the kill came mid-append) is
		 * skipped here and cut off by core's next append, which records
		 * the cut in the custody log. */
		if ((st = cu_inventory_each(w->c, w->item, load_done, w, err)) != CU_OK)
			return cu_error_prefix(err, "resume: reading the inventory of '%s'",
					       w->item);
	}
	/* Derived files go under derived/, made as their slots are planned. */
	if (w->source == CU_INGEST_DERIVE)
		return CU_OK;
	if ((st = cu_buf_printf(&p, err, "evidence/%s", w->item)) == CU_OK &&
	    (st = cu_case_path(w->c, p.data, &abs, err)) == CU_OK)
		st = cu_mkdirs(abs.data, 0755, false, err);
	cu_buf_release(&p);
	cu_buf_release(&abs);
	return st;
}

const char *cu_ingest_item(const struct cu_ingest *w)
{
	return w->item;
}

unsigned cu_ingest_algs(const struct cu_ingest *w)
{
	return w->algs;
}

size_t cu_ingest_resume_count(const struct cu_ingest *w)
{
	return w->done.n;
}

const struct cu_ingest_stats *cu_ingest_stats(const struct cu_ingest *w)
{
	return &w->st;
}

void cu_ingest_set_progress(struct cu_ingest *w, struct cu_progress *p)
{
	w->prog = p;
}

/* ------------------------------------------------------------------ */
/* The end: summary and custody entry                                  */
/* ------------------------------------------------------------------ */

/* The item's content root without holding its rows: they go through a
 * private temporary SQLite database (pages spill to a scratch file past
 * an 8 MiB cache), come back sorted bytewise by path, and are folded into
 * the RFC 6962 stack one by one. A path listed twice is refused, as
 * cu_merkle_content_root() does. */
struct summary_rows {
	sqlite3 *db;
	sqlite3_stmt *ins;
	size_t n, evidence, derived;
};

static enum cu_status summary_row(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct summary_rows *rows = ctx;
	if (r->evidence_path == NULL || r->type == NULL || strcmp(r->type, "file") != 0)
		return CU_OK;
	sqlite3_reset(rows->ins);
	sqlite3_bind_text(rows->ins, 1, r->evidence_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(rows->ins, 2, (sqlite3_int64)r->size);
	sqlite3_bind_text(rows->ins, 3, r->sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(rows->ins) != SQLITE_DONE)
		return cu_error_set(err, CU_E_IO, "content root: %s", sqlite3_errmsg(rows->db));
	rows->n++;
	if (r->kind != NULL && strcmp(r->kind, "derived") == 0)
		rows->derived++;
	else
		rows->evidence++;
	return CU_OK;
}

static enum cu_status item_root(struct cu_ingest *w, struct summary_rows *rows,
				unsigned char root[32], struct cu_error *err)
{
	struct cu_merkle_stream ms;
	sqlite3_stmt *sel = NULL;
	struct cu_buf prev = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	int rc;

	if (sqlite3_open_v2("", &rows->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(rows->db,
			 "PRAGMA cache_size=-8192; PRAGMA temp_store=FILE; PRAGMA journal_mode=OFF;"
			 "CREATE TABLE r(path TEXT, size INT, sha256 TEXT); BEGIN;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(rows->db, "INSERT INTO r VALUES(?,?,?)", -1, &rows->ins, NULL) !=
		SQLITE_OK)
		return cu_error_set(err, CU_E_IO, "content root: scratch database: %s",
				    rows->db ? sqlite3_errmsg(rows->db) : "cannot open");
	if ((st = cu_inventory_each(w->c, w->item, summary_row, rows, err)) != CU_OK)
		return st;
	if (sqlite3_prepare_v2(rows->db, "SELECT path, size, sha256 FROM r ORDER BY path", -1, &sel,
			       NULL) != SQLITE_OK)
		return cu_error_set(err, CU_E_IO, "content root: %s", sqlite3_errmsg(rows->db));
	cu_merkle_stream_init(&ms);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(sel, 0);
		const char *sha = (const char *)sqlite3_column_text(sel, 2);
		unsigned char leaf[32];
		if (path == NULL || sha == NULL) {
			st = cu_error_set(err, CU_E_FORMAT, "content root: a row without path");
			goto out;
		}
		if (prev.data != NULL && strcmp(prev.data, path) == 0) {
			st = cu_error_set(err, CU_E_INTEGRITY, "file '%s' is listed twice", path);
			goto out;
		}
		cu_buf_reset(&prev);
		if ((st = cu_buf_puts(&prev, path, err)) != CU_OK)
			goto out;
		cu_merkle_content_leaf(path, (uint64_t)sqlite3_column_int64(sel, 1), sha, leaf);
		cu_merkle_stream_add(&ms, leaf);
	}
	if (rc != SQLITE_DONE) {
		st = cu_error_set(err, CU_E_IO, "content root: %s", sqlite3_errmsg(rows->db));
		goto out;
	}
	cu_merkle_stream_root(&ms, root);
out:
	sqlite3_finalize(sel);
	cu_buf_release(&prev);
	return st;
}

enum cu_status cu_ingest_summarize(struct cu_ingest *w, struct cu_ingest_summary *out,
				   struct cu_error *err)
{
	enum cu_status st;
	struct summary_rows rows = {NULL, NULL, 0, 0, 0};
	struct cu_buf abs = CU_BUF_INIT;
	struct cu_digests invd;
	unsigned char root[32];
	char inv[CU_PATH_MAX];

	if (w->item == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "no item chosen");
	if ((st = cu_ingest_flush(w, true, err)) != CU_OK)
		return st;
	if (snprintf(inv, sizeof(inv), "inventory/%s.jsonl", w->item) >= (int)sizeof(inv))
		return cu_error_set(err, CU_E_LIMIT, "item id too long");
	if ((st = cu_case_path(w->c, inv, &abs, err)) != CU_OK)
		goto out;
	if ((st = item_root(w, &rows, root, err)) != CU_OK)
		goto out;
	if (cu_file_exists(abs.data)) {
		if ((st = cu_hash_file(abs.data, CU_HASH_SHA256, &invd, err)) != CU_OK)
			goto out;
	} else {
		cu_sha256_hex("", 0, invd.sha256);
	}
	memcpy(out->inventory, inv, sizeof(inv));
	memcpy(out->inventory_sha256, invd.sha256, sizeof(out->inventory_sha256));
	cu_hex(root, 32, out->content_root);
	out->content_files = rows.n;
	out->evidence_files = rows.evidence;
	out->derived_files = rows.derived;
out:
	sqlite3_finalize(rows.ins);
	sqlite3_close(rows.db);
	cu_buf_release(&abs);
	return st;
}

enum cu_status cu_ingest_close(struct cu_ingest *w, const char *entry, const char *subject,
			       const char *details, struct cu_error *err)
{
	enum cu_status st;

	if (w->item != NULL && (st = cu_ingest_flush(w, true, err)) != CU_OK)
		return st;
	pool_stop(w);
	committer_stop(w);
	if (entry == NULL)
		return CU_OK;
	if (w->c->custody == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "the case's custody log is not open");
	return cu_custody_append(w->c->custody, entry, cu_case_default_actor(), subject, details,
				 NULL, err);
}
