/*
 * seal.c - `custos seal`: the case directory becomes one deterministic ZIP
 * (PACKAGE.md) whose manifest.json commits to every byte.
 *
 * Order of work, and why:
 *  1. read the inventory: evidence and derived files with the digests made
 *     while they were copied in (non-negotiable 2: never re-hash evidence;
 *     verify checks them against the zip later);
 *  2. stage the other case files (inventory, case.db, report/) into a work
 *     directory while hashing them, so what is hashed is what is zipped;
 *  3. content root over evidence + derived; the SEAL custody entry goes
 *     into the case's own log (one chain, never two entries with one seq),
 *     and the package holds the log up to and including it; the same case
 *     state (a copy of the case directory) sealed at the same fixed time
 *     gives a byte-identical package;
 *  4. case.jsonld (on its own thread from the moment the SEAL entry is in
 *     the log copy, beside steps 2 and 4), VERIFY.md, verify.sh; then
 *     manifest.json, whose SHA-256 is the seal hash; signature and RFC 3161
 *     request over it;
 *  5. libzip writes everything on zip_close() in a fixed order with fixed
 *     times and attributes; the file is fsync'ed and renamed into place
 *     only when complete, so a killed seal never leaves a *.custos.zip.
 */
#include "config.h" /* CUSTOS_TEST_HOOKS */
#include "report/seal_int.h"
#include "casedb/casedb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>

/* One entry of the package, in zip order. */
struct pentry {
	char *path;       /* name inside the package */
	char *src;        /* file to stream from, or NULL when data is used */
	const void *data; /* in-memory content (borrowed) */
	size_t data_len;
	uint64_t size;
	struct cu_digests d;
	bool store;   /* STORED (evidence, binary) instead of DEFLATEd */
	bool encrypt; /* with --encrypt */
	bool listed;  /* goes into package_files[] */
	unsigned mode;
};

/* Text entries after the evidence (inventory, case.db, report, case.jsonld:
 * hundreds of megabytes on a phone) are DEFLATEd on the second core while
 * the manifest is built and the evidence goes into the package (zipwrite.c,
 * cu_zipw_predeflate): the staged texts from the moment they are staged,
 * case.jsonld once it is written. */
struct prejob {
	size_t entry;    /* index in pe[] */
	char *src, *dst; /* the text; its deflated copy */
	uint64_t size;   /* what the manifest lists */
	struct cu_zipw_pre pre;
	bool ok;
};

struct predeflate {
	pthread_t th;
	bool started;
	struct prejob *job;
	size_t n;
};

struct sealctx {
	struct cu_case *c;
	const struct cu_seal_opts *o;
	unsigned algs;
	struct cu_sealfiles *files; /* evidence and derived, sorted on disk */
	int casefd;                 /* the case folder, for openat */
	struct pentry *pe;          /* the other entries; evidence goes after pe[nhead - 1] */
	size_t npe, cappe, nhead;
	char *workdir;
	unsigned long nstage;
	struct cu_buf custody_copy; /* path of the log copy in workdir */
	int64_t seal_ms;
	char seal_time[CU_TIME_STR];
	json_t *missing;
	/* Filled step by step by cu_seal_case. */
	struct cu_seal_result res;
	struct cu_buf name, outdir, pkg; /* package name, its folder, its path */
	struct cu_buf logbuf;            /* the log copy with the SEAL entry */
	struct cu_buf jsonld, sig, tsq;  /* generated entries */
	struct cu_buf partial;           /* the zip while it is written */
	bool partial_made;
	struct cu_signer *signer;
	json_t *bodies;                           /* custody entry bodies, for acquisition times */
	struct cu_chain_state chain;              /* what the case's log says (chain.c) */
	json_t *unfinished;                       /* unfinished acquisitions (chain.c) */
	bool seal_appended;                       /* the SEAL entry is in the case's log */
	struct cu_buf manifest_path, jsonld_path; /* generated texts, in workdir */
	/* pre[0]: the staged texts (inventory, case.db, report/), started
	 * once they are staged; pre[1]: case.jsonld, once it is written. */
	struct predeflate pre[2];
	/* case.jsonld is written on the second core while the manifest's rows
	 * are; its digests are needed only for package_files[], after them. */
	pthread_t jsonld_th;
	bool jsonld_started, jsonld_done; /* done: run, its entry not filled in yet */
	size_t jsonld_idx;
	struct cu_digests jsonld_d; /* case.jsonld's, from its thread */
	enum cu_status jsonld_st;
	struct cu_error jsonld_err;
	uint64_t manifest_size;
	char root_hex[65], head_hex[65], croot_hex[65], seal_hex[65], uuid[37];
};

static enum cu_status pentry_add(struct sealctx *s, const char *path, struct pentry **out,
				 struct cu_error *err)
{
	if (s->npe == s->cappe) {
		size_t cap = s->cappe ? s->cappe * 2 : 64;
		struct pentry *v = cu_reallocarray(s->pe, cap, sizeof(*v));
		if (v == NULL)
			return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		s->pe = v;
		s->cappe = cap;
	}
	struct pentry *p = &s->pe[s->npe];
	memset(p, 0, sizeof(*p));
	if ((p->path = cu_strdup(path)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	p->mode = 0644;
	s->npe++;
	*out = p;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* 1. inventory                                                        */
/* ------------------------------------------------------------------ */

enum cu_status cu_seal_case_content_root(struct cu_case *c, char root_hex[65], uint64_t *files,
					 struct cu_error *err)
{
	char tmpl[] = "/tmp/custos-root.XXXXXX";
	const char *tmpdir = getenv("TMPDIR");
	struct cu_buf dir = CU_BUF_INIT, db = CU_BUF_INIT;
	struct cu_sealfiles *f = NULL;
	enum cu_status st;

	/* Scratch outside the case: verifying a case never writes to it. */
	if ((st = cu_buf_printf(&dir, err, "%s/custos-root.XXXXXX",
				tmpdir && tmpdir[0] ? tmpdir : "/tmp")) != CU_OK)
		return st;
	(void)tmpl;
	if (mkdtemp(dir.data) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create a scratch folder '%s'",
				    dir.data);
		goto out;
	}
	if ((st = cu_sealfiles_open(dir.data, &f, err)) == CU_OK &&
	    (st = cu_sealfiles_load(f, c, -1, err)) == CU_OK &&
	    (st = cu_sealfiles_finish(f, 0, err)) == CU_OK && files != NULL)
		*files = cu_sealfiles_count(f);
	if (st == CU_OK)
		memcpy(root_hex, cu_sealfiles_root(f), 65);
	cu_sealfiles_close(f);
	if (cu_buf_printf(&db, NULL, "%s/files.db", dir.data) == CU_OK)
		(void)unlink(db.data);
	(void)rmdir(dir.data);
out:
	cu_buf_release(&dir);
	cu_buf_release(&db);
	return st;
}

/* ------------------------------------------------------------------ */
/* 2. staging the other case files                                     */
/* ------------------------------------------------------------------ */

static enum cu_status stage(struct sealctx *s, const char *rel, bool store, struct cu_error *err)
{
	struct cu_buf src = CU_BUF_INIT, dst = CU_BUF_INIT;
	struct pentry *p;
	enum cu_status st;
	int fd = -1;

	if ((st = cu_path_check_relative(rel, strlen(rel), err)) != CU_OK)
		return cu_error_prefix(err, "case file '%s'", rel);
	if ((st = cu_case_path(s->c, rel, &src, err)) != CU_OK ||
	    (st = cu_buf_printf(&dst, err, "%s/s%06lu", s->workdir, s->nstage++)) != CU_OK)
		goto out;
	fd = open(src.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open case file '%s'", rel);
		goto out;
	}
	if ((st = pentry_add(s, rel, &p, err)) != CU_OK)
		goto out;
	if ((st = cu_copy_hash_fd(fd, dst.data, s->algs, 0, NULL, &p->d, err)) != CU_OK) {
		cu_error_prefix(err, "staging '%s'", rel);
		goto out;
	}
	p->src = cu_buf_detach(&dst, NULL);
	p->size = p->d.size;
	p->store = store;
	p->encrypt = true;
	p->listed = true;
out:
	if (fd >= 0)
		close(fd);
	cu_buf_release(&src);
	cu_buf_release(&dst);
	return st;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files under CASE/rel, recursively, as case-relative paths. */
static enum cu_status list_tree(struct sealctx *s, const char *rel, int depth, char ***v, size_t *n,
				size_t *cap, struct cu_error *err)
{
	struct cu_buf dir = CU_BUF_INIT, child = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	DIR *d = NULL;
	struct dirent *de;

	if (depth > 32)
		return cu_error_set(err, CU_E_LIMIT, "case folder '%s' is nested too deep", rel);
	if ((st = cu_case_path(s->c, rel, &dir, err)) != CU_OK)
		goto out;
	if ((d = opendir(dir.data)) == NULL) {
		if (errno != ENOENT)
			st = cu_error_errno(err, CU_E_IO, errno, "cannot list '%s'", rel);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cu_buf_reset(&child);
		if ((st = cu_buf_printf(&child, err, "%s/%s", rel, de->d_name)) != CU_OK)
			goto out;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", child.data);
			goto out;
		}
		if (S_ISDIR(sb.st_mode)) {
			if ((st = list_tree(s, child.data, depth + 1, v, n, cap, err)) != CU_OK)
				goto out;
		} else if (S_ISREG(sb.st_mode)) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 32;
				char **nv = cu_reallocarray(*v, nc, sizeof(*nv));
				if (nv == NULL) {
					st = cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
					goto out;
				}
				*v = nv;
				*cap = nc;
			}
			(*v)[(*n)++] = cu_buf_detach(&child, NULL);
		} else {
			cu_warn("seal: '%s' is not a regular file; left out of the package",
				child.data);
		}
	}
out:
	if (d != NULL)
		closedir(d);
	cu_buf_release(&dir);
	cu_buf_release(&child);
	return st;
}

static enum cu_status stage_tree(struct sealctx *s, const char *rel, const char *suffix,
				 struct cu_error *err)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	enum cu_status st = list_tree(s, rel, 0, &v, &n, &cap, err);

	if (st == CU_OK && n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; st == CU_OK && i < n; i++)
		if (suffix == NULL || cu_str_has_suffix(v[i], suffix))
			st = stage(s, v[i], false, err);
	cu_strv_free(v, n);
	return st;
}

/* ------------------------------------------------------------------ */
/* 3. custody                                                          */
/* ------------------------------------------------------------------ */

static void hexof(const unsigned char *b, size_t n, char *out)
{
	cu_hex(b, n, out);
}

/* ------------------------------------------------------------------ */
/* manifest                                                            */
/* ------------------------------------------------------------------ */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Mandatory fields (MANIFEST.md) through the schema check of core; the
 * missing names go to s->missing for the error or the SEAL entry. */
static enum cu_status check_mandatory(struct sealctx *s, const json_t *m, struct cu_error *err)
{
	struct cu_buf list = CU_BUF_INIT;
	size_t n = 0;
	enum cu_status st = cu_manifest_check(m, &list, &n, err);

	for (size_t a = 0; st == CU_OK && list.data != NULL && a < list.len;) {
		const char *nl = memchr(list.data + a, '\n', list.len - a);
		size_t len = nl ? (size_t)(nl - (list.data + a)) : list.len - a;
		if (len > 0)
			json_array_append_new(s->missing, json_stringn(list.data + a, len));
		a += len + 1;
	}
	cu_buf_release(&list);
	return st;
}

/* Acquisition time and method of an item: from manifest acquisitions[],
 * else from the custody log's IMPORT / ACQUIRE_END entries. */
struct acqinfo {
	const char *item, *time, *method;
};

static void acq_from_manifest(const json_t *m, const char *item, struct acqinfo *a)
{
	const json_t *acq = json_object_get(m, "acquisitions"), *x;
	size_t i;

	json_array_foreach(acq, i, x)
	{
		const char *id = json_string_value(json_object_get(x, "item_id"));
		if (id == NULL || strcmp(id, item) != 0)
			continue;
		const char *t = json_string_value(json_object_get(x, "end"));
		if (t == NULL)
			t = json_string_value(json_object_get(x, "start"));
		if (t != NULL)
			a->time = t;
		const char *me = json_string_value(json_object_get(x, "method"));
		if (me != NULL)
			a->method = me;
	}
}

static void acq_from_custody(const json_t *bodies, const char *item, struct acqinfo *a)
{
	size_t i;
	const json_t *b;

	json_array_foreach(bodies, i, b)
	{
		const char *ev = json_string_value(json_object_get(b, "event"));
		if (ev == NULL || (strcmp(ev, "IMPORT") != 0 && strcmp(ev, "ACQUIRE_END") != 0))
			continue;
		const json_t *sub = json_object_get(b, "subject");
		const json_t *det = json_object_get(b, "details");
		const char *it = json_string_value(json_object_get(sub, "item"));
		if (it == NULL)
			it = json_string_value(json_object_get(sub, "item_id"));
		if (it == NULL)
			it = json_string_value(json_object_get(det, "item"));
		if (it != NULL && strcmp(it, item) != 0)
			continue;
		if (a->time == NULL)
			a->time = json_string_value(json_object_get(b, "time"));
		if (a->method == NULL) {
			a->method = json_string_value(json_object_get(det, "method"));
			if (a->method == NULL)
				a->method = json_string_value(json_object_get(det, "format"));
			if (a->method == NULL && strcmp(ev, "IMPORT") == 0)
				a->method = "import";
		}
	}
}

/* Parses the custody log copy into an array of bodies (for acquisition
 * times and the CASE/UCO actions). Lines are already chain-checked by the
 * custody module when it opened the log. */
static enum cu_status custody_bodies(const char *log, size_t n, json_t **out, struct cu_error *err)
{
	json_t *arr = json_array();
	const char *p = log, *end = log + n;

	if (arr == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *line = NULL;
		if (len > 0 && cu_json_load_str(p, len, "custody log line", &line, err) == CU_OK) {
			json_t *b = json_object_get(line, "body");
			if (json_is_object(b))
				json_array_append(arr, b);
			json_decref(line);
		}
		p += len + 1;
	}
	cu_error_clear(err);
	*out = arr;
	return CU_OK;
}

static json_t *digests_obj(const char *path, const struct cu_digests *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "size", json_integer((json_int_t)d->size));
	json_object_set_new(o, "sha256", json_string(d->sha256));
	json_object_set_new(o, "md5", json_string(d->md5));
	json_object_set_new(o, "sm3", (d->algs & CU_HASH_SM3) ? json_string(d->sm3) : json_null());
	return o;
}

/* ------------------------------------------------------------------ */
/* zip writing                                                         */
/* ------------------------------------------------------------------ */

struct zipprog {
	struct cu_progress bar;
#ifdef CUSTOS_TEST_HOOKS
	double kill_at; /* CUSTOS_TEST_SEAL_KILL_AT: SIGKILL ourselves at this fraction */
#endif
};

static void zip_progress(zip_t *za, double done, void *ud)
{
	struct zipprog *zp = ud;
	(void)za;
#ifdef CUSTOS_TEST_HOOKS
	if (zp->kill_at > 0 && done >= zp->kill_at)
		kill(getpid(), SIGKILL);
#endif
	if (zp->bar.total > 0)
		cu_progress_set(&zp->bar, (uint64_t)(done * (double)zp->bar.total));
}

/*
 * The package file is written through our own libzip output source
 * instead of zip_open()'s stdio one, for speed only (the bytes are the
 * same; libzip still lays out every header):
 *  - libzip hands over 8 KiB at a time; stdio turned that into 4 KiB
 *    write(2)s. Here they are gathered into OUT_BUF writes.
 *  - writeback is started every KICK_BYTES: a package smaller than the
 *    kernel's dirty threshold (a tenth of RAM) would otherwise sit whole
 *    in the page cache until the final fsync, which then waits for the
 *    disk to write all of it while the CPU idles.
 *  - the outer SHA-256 is computed on a thread that trails the writer,
 *    reading back from the page cache, instead of after zip_close. libzip
 *    writes each entry's local header, its data, then seeks back to
 *    rewrite that header with the CRC and sizes and seeks to the end again
 *    (zip_close.c, add_data); so when it seeks back to X, every byte
 *    before X is final. The hash runs up to there; the rest after commit.
 * The file is the work folder's package.partial, written in place: a
 * killed seal leaves it only in the work folder, which is removed.
 */
#define OUT_BUF    ((size_t)1 << 20)
#define KICK_BYTES ((uint64_t)32 << 20)

struct pkgout {
	const char *path;
	int fd;
	zip_error_t error;
	unsigned char *buf; /* bytes [bufoff, bufoff + buflen) not yet written */
	size_t buflen;
	uint64_t bufoff;
	uint64_t pos, end; /* libzip's write position; file length */
	uint64_t kicked;   /* writeback started below this offset */
	uint64_t dropped;  /* dropped from the page cache below this offset */
	/* the trailing hash */
	pthread_t th;
	bool th_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t final;   /* bytes before this are written and final */
	bool done, abort; /* final will not move again; stop now */
	bool hash_failed;
	struct cu_hasher *h;
	unsigned char *hbuf;
	uint64_t hashed;     /* the hash thread's own */
	uint64_t hashed_pub; /* a copy under mu, for pkgout_flush */
	struct cu_digests d;
};

static void *pkgout_hash_main(void *arg)
{
	struct pkgout *o = arg;

	for (;;) {
		uint64_t target;
		bool done;

		pthread_mutex_lock(&o->mu);
		while (o->hashed >= o->final && !o->done && !o->abort)
			pthread_cond_wait(&o->cv, &o->mu);
		target = o->final;
		done = o->done;
		if (o->abort)
			o->hash_failed = true;
		pthread_mutex_unlock(&o->mu);
		if (o->hash_failed)
			break;
		while (o->hashed < target) {
			size_t n =
			    target - o->hashed > OUT_BUF ? OUT_BUF : (size_t)(target - o->hashed);
			ssize_t got = pread(o->fd, o->hbuf, n, (off_t)o->hashed);
			if (got <= 0 ||
			    cu_hasher_update(o->h, o->hbuf, (size_t)got, NULL) != CU_OK) {
				o->hash_failed = true;
				return NULL;
			}
			o->hashed += (uint64_t)got;
			pthread_mutex_lock(&o->mu);
			o->hashed_pub = o->hashed;
			pthread_mutex_unlock(&o->mu);
		}
		if (done && o->hashed >= target)
			break;
	}
	if (!o->hash_failed && cu_hasher_final(o->h, &o->d, NULL) != CU_OK)
		o->hash_failed = true;
	return NULL;
}

static void pkgout_set_final(struct pkgout *o, uint64_t upto, bool done)
{
	pthread_mutex_lock(&o->mu);
	if (upto > o->final)
		o->final = upto;
	if (done)
		o->done = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

static bool pkgout_flush(struct pkgout *o)
{
	size_t off = 0;

	while (off < o->buflen) {
		ssize_t w = pwrite(o->fd, o->buf + off, o->buflen - off, (off_t)(o->bufoff + off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			zip_error_set(&o->error, ZIP_ER_WRITE, w < 0 ? errno : ENOSPC);
			return false;
		}
		off += (size_t)w;
	}
	o->bufoff += o->buflen;
	o->buflen = 0;
	if (o->bufoff >= o->kicked + KICK_BYTES) {
		uint64_t upto;

		/* Pages written back a kick ago and already hashed are
		 * dropped: the page cache held by the package stays a few
		 * tens of MiB, reused at once, instead of growing by the
		 * package's size (on a VM, fresh memory costs far more than
		 * the copy; elsewhere it spares the user's cached files). */
		pthread_mutex_lock(&o->mu);
		upto = o->hashed_pub < o->kicked ? o->hashed_pub : o->kicked;
		pthread_mutex_unlock(&o->mu);
		if (upto > o->dropped) {
			(void)sync_file_range(o->fd, (off_t)o->dropped, (off_t)(upto - o->dropped),
					      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						  SYNC_FILE_RANGE_WAIT_AFTER);
			(void)posix_fadvise(o->fd, (off_t)o->dropped, (off_t)(upto - o->dropped),
					    POSIX_FADV_DONTNEED);
			o->dropped = upto;
		}
		(void)sync_file_range(o->fd, (off_t)o->kicked, (off_t)(o->bufoff - o->kicked),
				      SYNC_FILE_RANGE_WRITE);
		o->kicked = o->bufoff;
	}
	return true;
}

static void pkgout_stop_hash(struct pkgout *o)
{
	if (!o->th_started)
		return;
	pthread_mutex_lock(&o->mu);
	o->abort = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->th, NULL);
	o->th_started = false;
}

static zip_int64_t pkgout_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct pkgout *o = ud;

	switch (cmd) {
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
		    ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
		    ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
		    ZIP_SOURCE_SUPPORTS, ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE,
		    ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE,
		    ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE, -1);
	case ZIP_SOURCE_STAT:
		/* A new archive: nothing to read back. libzip takes
		 * ZIP_ER_READ with ENOENT as "does not exist yet" (its own
		 * file source answers so for a missing file). */
		zip_error_set(&o->error, ZIP_ER_READ, ENOENT);
		return -1;
	case ZIP_SOURCE_ERROR: return zip_error_to_data(&o->error, data, len);
	case ZIP_SOURCE_BEGIN_WRITE:
		o->fd = open(o->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (o->fd < 0) {
			zip_error_set(&o->error, ZIP_ER_OPEN, errno);
			return -1;
		}
		o->pos = o->end = o->bufoff = o->kicked = o->dropped = 0;
		o->buflen = 0;
		if (pthread_create(&o->th, NULL, pkgout_hash_main, o) != 0) {
			zip_error_set(&o->error, ZIP_ER_INTERNAL, 0);
			return -1;
		}
		o->th_started = true;
		return 0;
	case ZIP_SOURCE_WRITE: {
		const unsigned char *p = data;
		zip_uint64_t left = len;
		if (o->bufoff + o->buflen != o->pos) {
			if (!pkgout_flush(o))
				return -1;
			o->bufoff = o->pos;
		}
		while (left > 0) {
			size_t n = OUT_BUF - o->buflen;
			if (n > left)
				n = (size_t)left;
			memcpy(o->buf + o->buflen, p, n);
			o->buflen += n;
			p += n;
			left -= n;
			if (o->buflen == OUT_BUF && !pkgout_flush(o))
				return -1;
		}
		o->pos += len;
		if (o->pos > o->end)
			o->end = o->pos;
		return (zip_int64_t)len;
	}
	case ZIP_SOURCE_TELL_WRITE: return (zip_int64_t)o->pos;
	case ZIP_SOURCE_SEEK_WRITE: {
		zip_int64_t to =
		    zip_source_seek_compute_offset(o->pos, o->end, data, len, &o->error);
		if (to < 0 || !pkgout_flush(o))
			return -1;
		o->pos = o->bufoff = (uint64_t)to;
		/* Bytes before a seek back are final (see above). */
		if (o->pos < o->end)
			pkgout_set_final(o, o->pos, false);
		return 0;
	}
	case ZIP_SOURCE_COMMIT_WRITE:
		if (!pkgout_flush(o))
			return -1;
		pkgout_set_final(o, o->end, true);
		pthread_join(o->th, NULL);
		o->th_started = false;
		if (o->hash_failed) {
			zip_error_set(&o->error, ZIP_ER_READ, EIO);
			return -1;
		}
		if (close(o->fd) != 0) {
			o->fd = -1;
			zip_error_set(&o->error, ZIP_ER_CLOSE, errno);
			return -1;
		}
		o->fd = -1;
		return 0;
	case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_REMOVE:
		pkgout_stop_hash(o);
		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		(void)unlink(o->path);
		return 0;
	case ZIP_SOURCE_FREE: return 0;
	default: zip_error_set(&o->error, ZIP_ER_OPNOTSUPP, 0); return -1;
	}
}

static enum cu_status zip_err(zip_t *za, const char *what, const char *name, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "writing the package: %s '%s': %s", what, name,
			    zip_strerror(za));
}

static enum cu_status libzip_add(struct sealctx *s, zip_t *za, const struct pentry *p,
				 struct cu_error *err)
{
	/* Files are pinned to the size listed in the manifest: bytes appended
	 * after the inventory was written never slip in. */
	zip_source_t *src =
	    p->src ? zip_source_file(za, p->src, 0, p->size > 0 ? (zip_int64_t)p->size : -1)
		   : zip_source_buffer(za, p->data, p->data_len, 0);
	if (src == NULL)
		return zip_err(za, "source for", p->path, err);
	zip_int64_t idx = zip_file_add(za, p->path, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return zip_err(za, "adding", p->path, err);
	}
	zip_uint64_t u = (zip_uint64_t)idx;
	if (zip_set_file_compression(za, u, p->store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) != 0 ||
	    zip_file_set_mtime(za, u, (time_t)(s->seal_ms / 1000), 0) != 0 ||
	    zip_file_set_external_attributes(za, u, 0, ZIP_OPSYS_UNIX,
					     (zip_uint32_t)(0100000u | p->mode) << 16) != 0)
		return zip_err(za, "setting attributes of", p->path, err);
	/* No extra fields: they carry host-specific times and ids. */
	(void)zip_file_extra_field_delete(za, u, ZIP_EXTRA_FIELD_ALL,
					  ZIP_FL_CENTRAL | ZIP_FL_LOCAL);
	if (s->o->password != NULL && p->encrypt &&
	    zip_file_set_encryption(za, u, ZIP_EM_AES_256, s->o->password) != 0)
		return zip_err(za, "encrypting", p->path, err);
	return CU_OK;
}

struct libzip_files {
	struct sealctx *s;
	zip_t *za;
};

static enum cu_status libzip_file(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct libzip_files *lf = ctx;
	struct cu_buf src = CU_BUF_INIT;
	struct pentry p;
	enum cu_status st;

	memset(&p, 0, sizeof(p));
	if ((st = cu_case_path(lf->s->c, f->path, &src, err)) != CU_OK)
		return st;
	p.path = (char *)f->path;
	p.src = src.data;
	p.size = f->size;
	p.store = p.encrypt = true;
	p.mode = 0644;
	st = libzip_add(lf->s, lf->za, &p, err);
	cu_buf_release(&src);
	return st;
}

/* --encrypt: WinZip AES entries through libzip (it holds every entry until
 * zip_close; plain packages use the streaming writer of zipwrite.c).
 * Writes the package to zpath; out_sha256 gets its SHA-256 (hex). */
static enum cu_status write_zip_encrypted(struct sealctx *s, const char *zpath, const char *comment,
					  uint64_t total, char out_sha256[65], struct cu_error *err)
{
	zip_t *za = NULL;
	zip_source_t *osrc = NULL;
	zip_error_t ze;
	enum cu_status st = CU_OK;
	struct zipprog zp;
	struct pkgout o;
	bool sync_made = false;

	memset(&zp, 0, sizeof(zp));
#ifdef CUSTOS_TEST_HOOKS
	/* Test builds only (--enable-test-hooks): a seal killed mid-write. */
	const char *hook = getenv("CUSTOS_TEST_SEAL_KILL_AT");
	if (hook != NULL)
		zp.kill_at = strtod(hook, NULL);
#endif
	memset(&o, 0, sizeof(o));
	o.path = zpath;
	o.fd = -1;
	zip_error_init(&o.error);
	zip_error_init(&ze);
	if ((st = cu_hasher_new(CU_HASH_SHA256, 0, &o.h, err)) != CU_OK)
		goto out;
	if ((o.buf = cu_malloc(OUT_BUF)) == NULL || (o.hbuf = cu_malloc(OUT_BUF)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory writing '%s'", zpath);
		goto out;
	}
	if (pthread_mutex_init(&o.mu, NULL) != 0) {
		st = cu_error_set(err, CU_E_INTERNAL, "cannot create a mutex");
		goto out;
	}
	if (pthread_cond_init(&o.cv, NULL) != 0) {
		pthread_mutex_destroy(&o.mu);
		st = cu_error_set(err, CU_E_INTERNAL, "cannot create a condition variable");
		goto out;
	}
	sync_made = true;
	if ((osrc = zip_source_function_create(pkgout_cb, &o, &ze)) == NULL ||
	    (za = zip_open_from_source(osrc, ZIP_CREATE | ZIP_TRUNCATE, &ze)) == NULL) {
		st = cu_error_set(err, CU_E_IO, "cannot create package '%s': %s", zpath,
				  zip_error_strerror(&ze));
		zip_source_free(osrc);
		goto out;
	}
	for (size_t i = 0; i < s->nhead; i++)
		if ((st = libzip_add(s, za, &s->pe[i], err)) != CU_OK)
			goto fail;
	{
		struct libzip_files lf = {s, za};
		if ((st = cu_sealfiles_each(s->files, 2, NULL, libzip_file, &lf, err)) != CU_OK)
			goto fail;
	}
	for (size_t i = s->nhead; i < s->npe; i++)
		if ((st = libzip_add(s, za, &s->pe[i], err)) != CU_OK)
			goto fail;
	if (zip_set_archive_comment(za, comment, (zip_uint16_t)strlen(comment)) != 0) {
		st = zip_err(za, "comment of", zpath, err);
		goto fail;
	}
	cu_progress_start(&zp.bar, "sealing", total);
	zip_register_progress_callback_with_state(za, 0.001, zip_progress, NULL, &zp);
	if (zip_close(za) != 0) {
		cu_progress_finish(&zp.bar);
		st = zip_err(za, "closing", zpath, err);
		goto fail;
	}
	cu_progress_finish(&zp.bar);
	za = NULL; /* zip_close freed it */
	if (o.hash_failed || o.hashed != o.end) {
		st = cu_error_set(err, CU_E_IO, "cannot read back '%s' to hash it", zpath);
		goto out;
	}
	memcpy(out_sha256, o.d.sha256, 65);
	goto out;
fail:
	zip_discard(za);
	za = NULL;
out:
	if (sync_made) {
		pkgout_stop_hash(&o);
		pthread_cond_destroy(&o.cv);
		pthread_mutex_destroy(&o.mu);
	}
	if (o.fd >= 0)
		close(o.fd);
	free(o.buf);
	free(o.hbuf);
	cu_hasher_free(o.h);
	zip_error_fini(&o.error);
	zip_error_fini(&ze);
	return st;
}

static void *predeflate_main(void *arg)
{
	struct predeflate *pd = arg;

	for (size_t i = 0; i < pd->n; i++) {
		struct cu_error e;
		struct prejob *j = &pd->job[i];
		cu_error_clear(&e);
		j->ok = cu_zipw_predeflate(j->src, j->dst, &j->pre, &e) == CU_OK &&
			j->pre.usize == j->size;
	}
	return NULL;
}

#define PREDEFLATE_MIN ((uint64_t)256 << 10)

/* The job of pe[entry] in either worker; done: only one that succeeded
 * (its worker joined first). */
static const struct prejob *predeflated(struct sealctx *s, size_t entry, bool done)
{
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < s->pre[k].n; i++)
			if (s->pre[k].job[i].entry == entry && (!done || s->pre[k].job[i].ok))
				return &s->pre[k].job[i];
	return NULL;
}

/* Starts deflating the big text entries after the evidence that have a
 * file and are not yet deflating (plain packages only); a job that fails
 * is simply deflated inline later. */
static void predeflate_start(struct sealctx *s, struct predeflate *pd)
{
	if (s->o->password != NULL || s->npe <= s->nhead)
		return;
	if ((pd->job = cu_calloc(s->npe - s->nhead, sizeof(*pd->job))) == NULL)
		return;
	for (size_t i = s->nhead; i < s->npe; i++) {
		const struct pentry *p = &s->pe[i];
		struct cu_buf dst = CU_BUF_INIT;
		if (p->src == NULL || p->store || p->size < PREDEFLATE_MIN ||
		    predeflated(s, i, false) != NULL ||
		    cu_buf_printf(&dst, NULL, "%s/z%06zu", s->workdir, i) != CU_OK) {
			cu_buf_release(&dst);
			continue;
		}
		struct prejob *j = &pd->job[pd->n];
		j->entry = i;
		j->size = p->size;
		j->dst = cu_buf_detach(&dst, NULL);
		if ((j->src = cu_strdup(p->src)) == NULL || j->dst == NULL) {
			free(j->src);
			free(j->dst);
			continue;
		}
		pd->n++;
	}
	if (pd->n > 0 && pthread_create(&pd->th, NULL, predeflate_main, pd) == 0)
		pd->started = true;
}

static void predeflate_join(struct predeflate *pd)
{
	if (pd->started)
		pthread_join(pd->th, NULL);
	pd->started = false;
}

static void predeflate_release(struct predeflate *pd)
{
	predeflate_join(pd);
	for (size_t i = 0; i < pd->n; i++) {
		free(pd->job[i].src);
		free(pd->job[i].dst);
	}
	free(pd->job);
	memset(pd, 0, sizeof(*pd));
}

struct plain_files {
	struct sealctx *s;
	struct cu_zipw *z;
	struct cu_dircache dc;
};

static enum cu_status plain_file(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct plain_files *pf = ctx;
	enum cu_status st;
	const char *leaf;
	int dfd = cu_dircache_dirfd(&pf->dc, f->path, &leaf);
	int fd = dfd < 0 ? -1 : openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open evidence '%s'", f->path);
	st = cu_zipw_add_fd(pf->z, f->path, fd, f->size, false, 0644, err);
	close(fd);
	return st;
}

static enum cu_status plain_entry(struct cu_zipw *z, const struct pentry *p, struct cu_error *err)
{
	enum cu_status st;

	if (p->src == NULL)
		return cu_zipw_add_mem(z, p->path, p->data, p->data_len, !p->store, p->mode, err);
	int fd = open(p->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", p->src);
	st = cu_zipw_add_fd(z, p->path, fd, p->size, !p->store, p->mode, err);
	close(fd);
	return st;
}

/*
 * Evidence read ahead. The zip pass is one forward write, but opening and
 * reading a phone's 100,000s of small files costs as much as writing them:
 * a second thread walks the sorted list (SQLite, folder cache, open, read,
 * close) and queues each small file's bytes, at most RA_BYTES at a time;
 * the writing thread takes them in the same order. A large file is queued
 * open and streamed by the writer as before. The package's bytes do not
 * change: the same entries in the same order with the same headers.
 */
#define RA_BYTES ((uint64_t)8 << 20)
#define RA_SMALL ((uint64_t)1 << 20)
#define RA_ITEMS 256 /* and at most this many queued (large ones hold a descriptor) */

struct ra_item {
	struct ra_item *next;
	char *path;
	uint64_t size;
	int fd;              /* a large file, streamed by the writer; else -1 */
	unsigned char *data; /* a small file's bytes */
};

struct readahead {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ra_item *head, *tail;
	uint64_t bytes; /* queued */
	size_t n;       /* items queued */
	bool end, stop; /* the reader is done / the writer gave up */
	enum cu_status st;
	struct cu_error err;
	struct sealctx *s;
	struct cu_dircache dc;
	uint64_t fail_at, seen; /* test hook: the fail_at-th file cannot be read */
	uint64_t wfail_at;      /* test hook: writing the wfail_at-th file fails */
};

static void ra_item_free(struct ra_item *it)
{
	if (it->fd >= 0)
		close(it->fd);
	free(it->data);
	free(it->path);
	free(it);
}

static enum cu_status ra_file(const struct cu_sealfile *f, void *ctx, struct cu_error *err)
{
	struct readahead *ra = ctx;
	const char *leaf;
	enum cu_status st;
	struct ra_item *it = cu_calloc(1, sizeof(*it));

	if (it == NULL || (it->path = cu_strdup(f->path)) == NULL) {
		free(it);
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	}
	it->size = f->size;
	if (ra->fail_at != 0 && ++ra->seen == ra->fail_at) {
		ra_item_free(it);
		return cu_error_set(err, CU_E_IO, "cannot read '%s': failure injected (test hook)",
				    f->path);
	}
	int dfd = cu_dircache_dirfd(&ra->dc, f->path, &leaf);
	it->fd = dfd < 0 ? -1 : openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (it->fd < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open evidence '%s'", f->path);
		ra_item_free(it);
		return st;
	}
	if (f->size <= RA_SMALL) {
		if ((it->data = cu_malloc(f->size ? (size_t)f->size : 1)) == NULL) {
			ra_item_free(it);
			return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		}
		st = cu_zipw_read_exact(it->fd, it->data, (size_t)f->size, f->path, err);
		close(it->fd);
		it->fd = -1;
		if (st != CU_OK) {
			ra_item_free(it);
			return cu_error_prefix(err, "package entry '%s'", f->path);
		}
	}
	uint64_t cost = it->data ? f->size : 0;
	pthread_mutex_lock(&ra->mu);
	while (!ra->stop && ra->head != NULL && (ra->bytes + cost > RA_BYTES || ra->n >= RA_ITEMS))
		pthread_cond_wait(&ra->cv, &ra->mu);
	if (ra->stop) {
		pthread_mutex_unlock(&ra->mu);
		ra_item_free(it);
		return cu_error_set(err, CU_E_INTERNAL, "seal: read-ahead stopped");
	}
	if (ra->tail)
		ra->tail->next = it;
	else
		ra->head = it;
	ra->tail = it;
	ra->n++;
	ra->bytes += cost;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
	return CU_OK;
}

static void *ra_main(void *arg)
{
	struct readahead *ra = arg;
	struct cu_error e;
	cu_error_clear(&e);
	enum cu_status st = cu_sealfiles_each(ra->s->files, 2, NULL, ra_file, ra, &e);
	pthread_mutex_lock(&ra->mu);
	ra->st = st;
	ra->err = e;
	ra->end = true;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

/* The next file in package order; NULL at the end (ra->st says how). */
static struct ra_item *ra_next(struct readahead *ra)
{
	struct ra_item *it;
	pthread_mutex_lock(&ra->mu);
	while (ra->head == NULL && !ra->end)
		pthread_cond_wait(&ra->cv, &ra->mu);
	if ((it = ra->head) != NULL) {
		if ((ra->head = it->next) == NULL)
			ra->tail = NULL;
		ra->bytes -= it->data ? it->size : 0;
		ra->n--;
		pthread_cond_broadcast(&ra->cv);
	}
	pthread_mutex_unlock(&ra->mu);
	return it;
}

/* Every evidence and derived file, read on the second thread. */
static enum cu_status write_files(struct sealctx *s, struct cu_zipw *z, struct cu_error *err)
{
	struct readahead ra;
	enum cu_status st = CU_OK;
	struct ra_item *it;

	memset(&ra, 0, sizeof(ra));
	ra.s = s;
#ifdef CUSTOS_TEST_HOOKS
	/* CUSTOS_TEST_SEAL_READ_FAIL=N: reading the Nth file fails. */
	const char *hook = getenv("CUSTOS_TEST_SEAL_READ_FAIL");
	if (hook != NULL)
		(void)cu_parse_u64(hook, &ra.fail_at);
	/* CUSTOS_TEST_SEAL_WRITE_FAIL=N: writing the Nth file fails once the
	 * reader has filled the queue and waits (the stop must wake it). */
	if ((hook = getenv("CUSTOS_TEST_SEAL_WRITE_FAIL")) != NULL)
		(void)cu_parse_u64(hook, &ra.wfail_at);
#endif
	uint64_t taken = 0;
	cu_dircache_init(&ra.dc, s->casefd);
	if (pthread_mutex_init(&ra.mu, NULL) != 0)
		return cu_error_set(err, CU_E_NOMEM, "seal: cannot make a lock");
	if (pthread_cond_init(&ra.cv, NULL) != 0) {
		pthread_mutex_destroy(&ra.mu);
		return cu_error_set(err, CU_E_NOMEM, "seal: cannot make a condition");
	}
	if (pthread_create(&ra.th, NULL, ra_main, &ra) != 0) {
		/* No thread: the files are read on this one. */
		struct plain_files pf = {s, z, {0}};
		pthread_cond_destroy(&ra.cv);
		pthread_mutex_destroy(&ra.mu);
		cu_dircache_release(&ra.dc);
		cu_dircache_init(&pf.dc, s->casefd);
		st = cu_sealfiles_each(s->files, 2, NULL, plain_file, &pf, err);
		cu_dircache_release(&pf.dc);
		return st;
	}
	while (st == CU_OK && (it = ra_next(&ra)) != NULL) {
		if (ra.wfail_at != 0 && ++taken == ra.wfail_at) {
			pthread_mutex_lock(&ra.mu);
			while (!ra.end && ra.n < RA_ITEMS)
				pthread_cond_wait(&ra.cv, &ra.mu);
			pthread_mutex_unlock(&ra.mu);
			st = cu_error_set(err, CU_E_IO,
					  "cannot write '%s': failure injected (test hook)",
					  it->path);
			ra_item_free(it);
			break;
		}
		if (it->data != NULL)
			st = cu_zipw_add_mem(z, it->path, it->data, (size_t)it->size, false, 0644,
					     err);
		else
			st = cu_zipw_add_fd(z, it->path, it->fd, it->size, false, 0644, err);
		ra_item_free(it);
	}
	pthread_mutex_lock(&ra.mu);
	ra.stop = true; /* the writer failed: the reader stops at its next file */
	pthread_cond_broadcast(&ra.cv);
	pthread_mutex_unlock(&ra.mu);
	pthread_join(ra.th, NULL);
	while ((it = ra.head) != NULL) {
		ra.head = it->next;
		ra_item_free(it);
	}
	if (st == CU_OK && ra.st != CU_OK) {
		*err = ra.err;
		st = ra.st;
	}
	pthread_cond_destroy(&ra.cv);
	pthread_mutex_destroy(&ra.mu);
	cu_dircache_release(&ra.dc);
	return st;
}

/* The package in one forward pass (zipwrite.c): the head entries, every
 * evidence and derived file in package order from the sorted list, the
 * other case files and generated texts. */
static enum cu_status write_zip(struct sealctx *s, const char *zpath, const char *comment,
				uint64_t total, char out_sha256[65], struct cu_error *err)
{
	struct cu_buf scratch = CU_BUF_INIT;
	struct cu_progress bar;
	struct cu_zipw *z = NULL;
	enum cu_status st;

	if (s->o->password != NULL)
		return write_zip_encrypted(s, zpath, comment, total, out_sha256, err);
	memset(&bar, 0, sizeof(bar));
	cu_progress_start(&bar, "sealing", total);
	if ((st = cu_buf_printf(&scratch, err, "%s/central.bin", s->workdir)) != CU_OK ||
	    (st = cu_zipw_open(zpath, s->seal_ms, scratch.data, &bar, &z, err)) != CU_OK)
		goto out;
	for (size_t i = 0; st == CU_OK && i < s->nhead; i++)
		st = plain_entry(z, &s->pe[i], err);
	if (st == CU_OK)
		st = write_files(s, z, err);
	predeflate_join(&s->pre[0]);
	predeflate_join(&s->pre[1]);
	for (size_t i = s->nhead; st == CU_OK && i < s->npe; i++) {
		const struct prejob *j = predeflated(s, i, true);
		st = j ? cu_zipw_add_predeflated(z, s->pe[i].path, j->dst, &j->pre, s->pe[i].mode,
						 err)
		       : plain_entry(z, &s->pe[i], err);
	}
	if (st == CU_OK)
		st = cu_zipw_finish(z, comment, out_sha256, err);
	if (st != CU_OK)
		cu_error_prefix(err, "writing the package");
out:
	cu_progress_finish(&bar);
	cu_zipw_free(z);
	(void)unlink(scratch.data);
	cu_buf_release(&scratch);
	return st;
}

static enum cu_status fsync_path(const char *path, struct cu_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", path);
	if (fsync(fd) != 0) {
		int e = errno;
		close(fd);
		return cu_error_errno(err, CU_E_IO, e, "fsync '%s'", path);
	}
	close(fd);
	return CU_OK;
}

/* Work folders are flat: staged copies, the log copy, the partial zip. */
static void remove_flat_dir(const char *path)
{
	DIR *d;
	struct dirent *de;

	if (path == NULL || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	(void)rmdir(path);
}

static void remove_workdir(struct sealctx *s)
{
	remove_flat_dir(s->workdir);
}

/* A killed seal leaves ".custos-seal.<pid>" behind (never a *.custos.zip);
 * the next seal into the folder removes those whose process is gone. */
static void remove_stale_workdirs(const char *outdir)
{
	DIR *d = opendir(outdir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int64_t pid;
		struct cu_buf p = CU_BUF_INIT;
		if (!cu_str_has_prefix(de->d_name, ".custos-seal.") ||
		    !cu_parse_i64(de->d_name + strlen(".custos-seal."), &pid) || pid <= 0 ||
		    pid > INT32_MAX || pid == (int64_t)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (cu_buf_printf(&p, NULL, "%s/%s", outdir, de->d_name) == CU_OK) {
			cu_info("seal: removing '%s' left by an interrupted seal", p.data);
			remove_flat_dir(p.data);
		}
		cu_buf_release(&p);
	}
	closedir(d);
}

/* ------------------------------------------------------------------ */
/* the seal                                                            */
/* ------------------------------------------------------------------ */

static enum cu_status out_dir(struct sealctx *s, struct cu_buf *dir, struct cu_error *err)
{
	const char *o = s->o->output;
	enum cu_status st;

	if (o != NULL && cu_str_has_suffix(o, ".zip")) {
		const char *slash = strrchr(o, '/');
		if (slash == NULL)
			return cu_buf_puts(dir, ".", err);
		if ((st = cu_buf_append(dir, o, slash == o ? 1 : (size_t)(slash - o), err)) !=
		    CU_OK)
			return st;
	} else if ((st = cu_buf_puts(dir, o ? o : s->c->dir, err)) != CU_OK) {
		return st;
	}
	if ((st = cu_mkdirs(dir->data, 0755, false, err)) != CU_OK)
		return cu_error_prefix(err, "output directory");
	return CU_OK;
}

/* Mandatory fields (MANIFEST.md): an error at seal unless
 * --allow-incomplete, which the SEAL entry records. */
static enum cu_status check_manifest_fields(struct sealctx *s, struct cu_error *err)
{
	struct cu_case *c = s->c;
	struct cu_buf list = CU_BUF_INIT;
	enum cu_status st;
	size_t i;
	json_t *v;

	if (!json_is_object(c->manifest))
		return cu_error_set(err, CU_E_FORMAT, "case '%s' has no manifest.json object",
				    c->dir);
	if ((st = cu_case_manifest_explained(c, NULL, err)) != CU_OK)
		return cu_error_prefix(err, "seal refused");
	if ((st = check_mandatory(s, c->manifest, err)) != CU_OK) {
		cu_error_prefix(err, "seal: manifest of case '%s'", c->dir);
		return st;
	}
	s->res.missing = (unsigned)json_array_size(s->missing);
	if (s->res.missing == 0 || s->o->allow_incomplete)
		return CU_OK;
	json_array_foreach(s->missing, i, v)
	{
		if ((st = cu_buf_printf(&list, err, "%s%s", i ? ", " : "", json_string_value(v))) !=
		    CU_OK) {
			cu_buf_release(&list);
			return cu_error_prefix(err, "seal: listing the missing manifest fields");
		}
	}
	st = cu_error_set(err, CU_E_USAGE,
			  "manifest of case '%s' misses mandatory fields: %s; complete "
			  "it with 'custos case set FIELD VALUE --reason TEXT' (or 'custos "
			  "case edit --reason TEXT'), or seal with --allow-incomplete "
			  "(recorded in the custody log)",
			  c->dir, list.data ? list.data : "");
	cu_buf_release(&list);
	return st;
}

/* 0. what the case's log records: earlier seals, PARSE, REPORT. */
static enum cu_status read_chain(struct sealctx *s, struct cu_error *err)
{
	enum cu_status st;

	if ((st = cu_chain_read(s->c, &s->chain, err)) != CU_OK)
		cu_error_prefix(err, "seal: custody log of case '%s'", s->c->dir);
	return st;
}

/* case.db and report/ as the last PARSE and REPORT entries recorded
 * them, not stale (chain.c); none of either (sealing straight after
 * acquisition, the scene workflow) is fine. */
static enum cu_status check_outputs(struct sealctx *s, struct cu_error *err)
{
	struct cu_buf ok = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_chain_check_db(s->c, &s->chain, &ok, err)) == CU_OK)
		st = cu_chain_check_report(s->c, &s->chain, &ok, err);
	cu_buf_release(&ok);
	if (st != CU_OK)
		cu_error_prefix(err, "seal refused");
	return st;
}

/* Every acquisition of the case finished (complete or partial): a killed,
 * running, aborted or failed one is refused unless --allow-incomplete,
 * which the SEAL entry and the sealed manifest record (unfinished[]). */
static enum cu_status check_acquisitions(struct sealctx *s, struct cu_error *err)
{
	struct cu_buf list = CU_BUF_INIT;
	enum cu_status st;

	if ((s->unfinished = cu_chain_unfinished(s->c->manifest)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	s->res.unfinished = (unsigned)json_array_size(s->unfinished);
	if (s->res.unfinished == 0 || s->o->allow_incomplete)
		return CU_OK;
	cu_chain_unfinished_text(s->unfinished, &list);
	st = cu_error_set(err, CU_E_USAGE,
			  "seal refused: case '%s' has unfinished acquisitions (%s): finish "
			  "them (custos import --resume for a killed import) or seal with "
			  "--allow-incomplete (recorded in the SEAL entry and on the forms)",
			  s->c->dir, list.data ? list.data : "");
	cu_buf_release(&list);
	return st;
}

/* A seal that failed after its SEAL entry went into the case's log: an
 * ERROR entry says so, so the chain never claims a package that was not
 * made (and a later seal does not warn about it). */
static void record_failed_seal(struct sealctx *s, const struct cu_error *why)
{
	struct cu_buf det = CU_BUF_INIT;
	struct cu_error e;
	struct cu_json j;

	cu_error_clear(&e);
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "failed_event", "SEAL");
	cu_json_kv_str(&j, "package", s->name.data);
	cu_json_kv_str(&j, "reason", why->msg);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) != CU_OK ||
	    cu_custody_append(s->c->custody, "ERROR", cu_case_default_actor(), NULL, det.data, NULL,
			      &e) != CU_OK)
		cu_warn("seal: could not record the failed seal in the custody log: %s", e.msg);
	cu_buf_release(&det);
}

/* 1. inventory */
static enum cu_status read_inventory(struct sealctx *s, struct cu_error *err)
{
	enum cu_status st;

	s->casefd = open(s->c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->casefd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open case folder '%s'",
				      s->c->dir);
	if ((st = cu_sealfiles_open(s->workdir, &s->files, err)) != CU_OK)
		return st;
	if ((st = cu_sealfiles_load(s->files, s->c, s->casefd, err)) != CU_OK)
		cu_error_prefix(err, "seal: reading the inventory");
	else if ((st = cu_sealfiles_finish(s->files, s->algs, err)) != CU_OK)
		cu_error_prefix(err, "seal");
	return st;
}

/* Name and place. One item gives its id, several give "multi". */
static enum cu_status name_package(struct sealctx *s, struct cu_error *err)
{
	const char *item = "none", *output = s->o->output, *one = NULL;
	char **items = NULL;
	size_t nitems = 0;
	unsigned long distinct = cu_sealfiles_items(s->files, &one);
	enum cu_status st;

	if (distinct == 1)
		item = one;
	if (distinct == 0) {
		if ((st = cu_case_items(s->c, &items, &nitems, err)) != CU_OK)
			goto out;
		if (nitems == 1)
			item = items[0];
		else if (nitems > 1)
			item = "multi";
	}
	if (distinct > 1)
		item = "multi";
	if ((st = cu_seal_package_name(cu_seal_manifest_case_id(s->c->manifest), item, s->seal_ms,
				       &s->name, err)) != CU_OK)
		goto out;
	/* -o FILE.zip: the package is named by the user; the SEAL entry, the
	 * manifest and the sidecar carry that name. */
	if (output != NULL && cu_str_has_suffix(output, ".zip")) {
		const char *base = strrchr(output, '/');
		base = base ? base + 1 : output;
		if (strlen(base) <= 4 || strchr(base, '\n') != NULL) {
			st = cu_error_set(err, CU_E_USAGE, "-o '%s': not a usable file name",
					  output);
			goto out;
		}
		cu_buf_reset(&s->name);
		if ((st = cu_buf_puts(&s->name, base, err)) != CU_OK)
			goto out;
	}
	if (output != NULL && cu_str_has_suffix(output, ".zip"))
		st = cu_buf_puts(&s->pkg, output, err);
	else
		st = cu_buf_printf(&s->pkg, err, "%s/%s", s->outdir.data, s->name.data);
	if (st == CU_OK && cu_file_exists(s->pkg.data))
		st = cu_error_set(err, CU_E_EXISTS,
				  "package '%s' already exists: remove it or choose another -o",
				  s->pkg.data);
out:
	cu_strv_free(items, nitems);
	return st;
}

/* The work folder beside the package: staged copies, the log copy, the
 * partial zip. */
static enum cu_status make_workdir(struct sealctx *s, struct cu_error *err)
{
	struct cu_buf tmp = CU_BUF_INIT;
	enum cu_status st;

	s->seal_ms = cu_time_now_ms();
	if (!cu_time_format_ms(s->seal_ms, s->seal_time))
		return cu_error_set(err, CU_E_INTERNAL, "seal: clock out of range");
	if ((st = out_dir(s, &s->outdir, err)) != CU_OK)
		return st;
	remove_stale_workdirs(s->outdir.data);
	if ((st = cu_buf_printf(&tmp, err, "%s/.custos-seal.%ld", s->outdir.data,
				(long)getpid())) != CU_OK)
		goto out;
	if (mkdir(tmp.data, 0700) != 0) {
		st =
		    cu_error_errno(err, CU_E_IO, errno, "cannot create work folder '%s'", tmp.data);
		goto out;
	}
	s->workdir = cu_buf_detach(&tmp, NULL);
out:
	cu_buf_release(&tmp);
	return st;
}

/* 3a. content root over evidence + derived. */
static enum cu_status compute_content_root(struct sealctx *s, struct cu_error *err)
{
	(void)err;
	memcpy(s->root_hex, cu_sealfiles_root(s->files), 65);
	s->res.files = cu_sealfiles_count(s->files);
	s->res.bytes = cu_sealfiles_bytes(s->files);
	return CU_OK;
}

/* package_id: UUID (version 5 layout) from SHA-256 over the case id,
 * content root, custody head before sealing and the seal time, so a
 * reseal of the same input at the same (fixed) time is identical. */
static enum cu_status make_package_id(struct sealctx *s, struct cu_custody *log,
				      struct cu_error *err)
{
	struct cu_buf idsrc = CU_BUF_INIT;
	unsigned char pre[32], idh[32];
	char pre_hex[65], h[33];
	enum cu_status st;

	cu_custody_head(log, pre);
	hexof(pre, 32, pre_hex);
	st = cu_buf_printf(&idsrc, err, "custos-package%c%s%c%s%c%s%c%s", 0,
			   cu_seal_manifest_case_id(s->c->manifest), 0, s->root_hex, 0, pre_hex, 0,
			   s->seal_time);
	if (st == CU_OK)
		cu_sha256(idsrc.data, idsrc.len, idh);
	cu_buf_release(&idsrc);
	if (st != CU_OK)
		return st;
	idh[6] = (unsigned char)((idh[6] & 0x0f) | 0x50);
	idh[8] = (unsigned char)((idh[8] & 0x3f) | 0x80);
	hexof(idh, 16, h);
	snprintf(s->uuid, sizeof(s->uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
		 h + 20);
	return CU_OK;
}

/* The SEAL entry's subject and details. */
static enum cu_status seal_entry_json(struct sealctx *s, struct cu_buf *subj, struct cu_buf *det,
				      struct cu_error *err)
{
	const struct cu_seal_opts *opts = s->o;
	struct cu_json j;
	enum cu_status st;

	cu_json_init(&j, subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "package", s->name.data);
	cu_json_kv_str(&j, "package_id", s->uuid);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		return st;
	cu_json_init(&j, det);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "content_root");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
	cu_json_kv_int(&j, "size", (int64_t)cu_sealfiles_count(s->files));
	cu_json_kv_str(&j, "root", s->root_hex);
	cu_json_obj_end(&j);
	cu_json_kv_int(&j, "bytes", (int64_t)s->res.bytes);
	cu_json_kv_bool(&j, "encrypted", opts->password != NULL);
	cu_json_kv_bool(&j, "signed", opts->sign_key != NULL);
	cu_json_kv_bool(&j, "allow_incomplete", opts->allow_incomplete);
	cu_json_key(&j, "missing");
	cu_json_jansson(&j, s->missing);
	cu_json_key(&j, "unfinished");
	cu_json_jansson(&j, s->unfinished);
	cu_json_kv_str(&j, "tool", cu_version());
	cu_json_obj_end(&j);
	return cu_json_finish(&j, err);
}

/* 3b. the SEAL entry goes into the case's own log (one chain: a later
 * entry of the case continues after it, so no two entries share a seq);
 * the package holds the log up to and including it, copied from the case
 * log up to the end of the SEAL line (another process may append right
 * after). Sealing again is allowed, with a warning naming the package the
 * last SEAL entry made. */
static enum cu_status append_seal_entry(struct sealctx *s, struct cu_error *err)
{
	struct cu_case *c = s->c;
	struct cu_buf caselog = CU_BUF_INIT, subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_buf all = CU_BUF_INIT;
	unsigned char head[32], croot[32];
	uint64_t n, bytes;
	size_t cut;
	enum cu_status st;

	if (s->chain.sealed)
		cu_warn("seal: case '%s' was sealed before (SEAL entry seq %llu, package '%s'); "
			"this seal records a new SEAL entry after it",
			c->dir, (unsigned long long)s->chain.seal_seq, s->chain.seal_package);
	if ((st = make_package_id(s, c->custody, err)) != CU_OK)
		goto out;
	if (s->o->sign_key != NULL &&
	    (st = cu_signer_load(s->o->sign_key, &s->signer, err)) != CU_OK) {
		cu_error_prefix(err, "seal: --sign");
		goto out;
	}
	if ((st = seal_entry_json(s, &subj, &det, err)) != CU_OK)
		goto out;
	if ((st = cu_custody_append(c->custody, "SEAL", cu_case_default_actor(), subj.data,
				    det.data, s->signer, err)) != CU_OK) {
		cu_error_prefix(err, "seal: custody entry");
		goto out;
	}
	s->seal_appended = true;
	n = s->res.custody_size = cu_custody_size(c->custody);
	cu_custody_head(c->custody, head);
	if ((st = cu_custody_root(c->custody, croot, err)) != CU_OK)
		goto out;
	hexof(head, 32, s->head_hex);
	hexof(croot, 32, s->croot_hex);
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &caselog, err)) != CU_OK ||
	    (st = cu_file_read_all(caselog.data, CU_PKG_CUSTODY_MAX, &all, err)) != CU_OK)
		goto out;
	/* Cut by bytes, not by counting lines: a repaired torn line before the
	 * SEAL entry is a line of the log but not an entry, and stays in the
	 * package's copy with the ERROR entry that records it. */
	bytes = cu_custody_bytes(c->custody);
	if (bytes > all.len || bytes == 0 || all.data[bytes - 1] != '\n') {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "seal: custody log '%s' is shorter than the %llu entries (%llu "
				  "bytes) just counted",
				  caselog.data, (unsigned long long)n, (unsigned long long)bytes);
		goto out;
	}
	cut = (size_t)bytes;
	if ((st = cu_buf_printf(&s->custody_copy, err, "%s/custody.jsonl", s->workdir)) != CU_OK)
		goto out;
	st = cu_file_write_atomic(s->custody_copy.data, all.data, cut, 0600, err);
out:
	cu_buf_release(&caselog);
	cu_buf_release(&all);
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return st;
}

/* Entries in package order. In-memory ones are filled in later. */
static enum cu_status plan_entries(struct sealctx *s, struct cu_error *err)
{
	static const char mimetype[] = CU_PACKAGE_MIMETYPE;
	struct pentry *p;
	enum cu_status st;

	if ((st = pentry_add(s, CU_PKG_MIMETYPE, &p, err)) != CU_OK)
		return st;
	p->data = mimetype;
	p->data_len = p->size = sizeof(mimetype) - 1;
	p->store = true;
	if ((st = pentry_add(s, CU_PKG_MANIFEST, &p, err)) != CU_OK)
		return st;
	if (s->o->sign_key != NULL) {
		if ((st = pentry_add(s, CU_PKG_SIG, &p, err)) != CU_OK)
			return st;
		p->store = true;
	}
	if ((st = pentry_add(s, CU_PKG_TSQ, &p, err)) != CU_OK)
		return st;
	p->store = true;
	if ((st = pentry_add(s, CU_PKG_CUSTODY, &p, err)) != CU_OK)
		return st;
	if ((st = cu_file_read_all(s->custody_copy.data, CU_PKG_CUSTODY_MAX, &s->logbuf, err)) !=
	    CU_OK)
		return st;
	p->data = s->logbuf.data;
	p->data_len = p->size = s->logbuf.len;
	p->encrypt = p->listed = true;
	/* The evidence and derived files come next, from the sorted list. */
	s->nhead = s->npe;
	return CU_OK;
}

/* 2. the other case files, staged while hashed: inventory, case.db,
 * report/. */
static enum cu_status stage_case_files(struct sealctx *s, struct cu_error *err)
{
	struct cu_buf db = CU_BUF_INIT;
	struct stat sb;
	enum cu_status st;

	if ((st = stage_tree(s, "inventory", ".jsonl", err)) != CU_OK ||
	    (st = stage(s, CU_CASE_MANIFEST_INITIAL, false, err)) != CU_OK)
		return st;
	if ((st = cu_case_path(s->c, CU_CASE_DB, &db, err)) == CU_OK && lstat(db.data, &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		st = stage(s, CU_CASE_DB, false, err);
	/* A non-empty WAL means case.db alone is not the whole database. */
	if (st == CU_OK && cu_buf_puts(&db, "-wal", err) == CU_OK && lstat(db.data, &sb) == 0 &&
	    sb.st_size > 0)
		cu_warn("seal: '%s' is not empty: case.db is sealed without it; run "
			"custos parse again (it checkpoints) before sealing",
			db.data);
	cu_buf_release(&db);
	if (st != CU_OK)
		return st;
	return stage_tree(s, "report", NULL, err);
}

/* 4. generated texts: case.jsonld, VERIFY.md, verify.sh; then the digests
 * of every listed in-memory entry (their first read). */
static enum cu_status each_file(void *src, const char *item, cu_sealfiles_fn fn, void *ctx,
				struct cu_error *err)
{
	return cu_sealfiles_each(src, 2, item, fn, ctx, err);
}

static enum cu_status write_jsonld(struct sealctx *s, struct cu_error *err)
{
	struct cu_textout t;
	enum cu_status st;

	sqlite3 *db = NULL;
	struct cu_buf dbp = CU_BUF_INIT;

	/* A parsed case: its case.db artifacts go into case.jsonld too. */
	if ((st = cu_case_path(s->c, CU_CASE_DB, &dbp, err)) != CU_OK)
		return st;
	if (cu_file_exists(dbp.data) && (st = cu_casedb_open_read(dbp.data, &db, err)) != CU_OK) {
		cu_buf_release(&dbp);
		return st;
	}
	cu_buf_release(&dbp);
	if ((st = cu_textout_open(&t, s->jsonld_path.data, s->algs, NULL, err)) != CU_OK) {
		sqlite3_close(db);
		return st;
	}
	st = cu_seal_caseuco_db(s->c->manifest, s->uuid, s->logbuf.data, s->logbuf.len, each_file,
				s->files, db, &t, err);
	sqlite3_close(db);
	if (st != CU_OK) {
		cu_textout_abort(&t);
		return st;
	}
	return cu_textout_close(&t, &s->jsonld_d, err);
}

static void *jsonld_main(void *arg)
{
	struct sealctx *s = arg;
	cu_error_clear(&s->jsonld_err);
	s->jsonld_st = write_jsonld(s, &s->jsonld_err);
	return NULL;
}

/* case.jsonld is written on its own thread from the moment the SEAL entry
 * is in the custody copy (it describes the seal) while the other case
 * files are staged and the manifest written; its package entry gets the
 * file and digests when joined. */
static enum cu_status start_jsonld(struct sealctx *s, struct cu_error *err)
{
	enum cu_status st;

	if ((st = cu_buf_printf(&s->jsonld_path, err, "%s/case.jsonld", s->workdir)) != CU_OK)
		return st;
	if (pthread_create(&s->jsonld_th, NULL, jsonld_main, s) == 0) {
		s->jsonld_started = true;
		return CU_OK;
	}
	s->jsonld_st = write_jsonld(s, &s->jsonld_err);
	s->jsonld_done = true;
	return CU_OK;
}

/* Waits for case.jsonld; its error, if any; its entry filled in. */
static enum cu_status jsonld_join(struct sealctx *s, struct cu_error *err)
{
	if (s->jsonld_started) {
		pthread_join(s->jsonld_th, NULL);
		s->jsonld_started = false;
		s->jsonld_done = true;
	}
	if (!s->jsonld_done)
		return CU_OK;
	s->jsonld_done = false;
	if (s->jsonld_st != CU_OK) {
		if (err != NULL)
			*err = s->jsonld_err;
		return s->jsonld_st;
	}
	if (err == NULL)
		return CU_OK;
	struct pentry *p = &s->pe[s->jsonld_idx];
	p->d = s->jsonld_d;
	p->size = p->d.size;
	if ((p->src = cu_strdup(s->jsonld_path.data)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	return CU_OK;
}

static enum cu_status add_generated_texts(struct sealctx *s, struct cu_error *err)
{
	struct pentry *p;
	enum cu_status st;

	if ((st = custody_bodies(s->logbuf.data, s->logbuf.len, &s->bodies, err)) != CU_OK)
		return st;
	if ((st = pentry_add(s, CU_PKG_JSONLD, &p, err)) != CU_OK)
		return st;
	p->listed = p->encrypt = true;
	s->jsonld_idx = s->npe - 1;
	{
		const char *texts[2][2] = {{CU_PKG_VERIFY_MD, cu_seal_verify_md()},
					   {CU_PKG_VERIFY_SH, cu_seal_verify_sh()}};
		for (int i = 0; i < 2; i++) {
			if ((st = pentry_add(s, texts[i][0], &p, err)) != CU_OK)
				return st;
			p->data = texts[i][1];
			p->data_len = p->size = strlen(texts[i][1]);
			p->listed = true;
			if (i == 1)
				p->mode = 0755;
		}
	}
	for (size_t i = 0; i < s->npe; i++) {
		struct cu_hasher *h = NULL;
		p = &s->pe[i];
		if (!p->listed || p->src != NULL || i == s->jsonld_idx)
			continue;
		if ((st = cu_hasher_new(s->algs, 0, &h, err)) == CU_OK &&
		    (st = cu_hasher_update(h, p->data, p->data_len, err)) == CU_OK)
			st = cu_hasher_final(h, &p->d, err);
		cu_hasher_free(h);
		if (st != CU_OK)
			return st;
	}
	/* The staged texts can deflate from now on, on the core the main
	 * thread leaves idle while it waits for case.jsonld. */
	predeflate_start(s, &s->pre[0]);
	return CU_OK;
}

/* files[] and derived[] rows of the sealed manifest. */
struct mfiles {
	struct sealctx *s;
	struct cu_textout *t;
	bool first;
	uint64_t seq;
	/* acquisition time and method of the last item looked up: files come
	 * item by item, so each item is looked up about once */
	char *item;
	struct acqinfo a;
};

/* One row of files[] / derived[], at depth 2 of manifest.json. */
static enum cu_status manifest_row(const struct cu_sealfile *e, void *ctx, struct cu_error *err)
{
	struct mfiles *mf = ctx;
	struct sealctx *s = mf->s;
	json_t *o;

	if (!e->derived && (mf->item == NULL || strcmp(mf->item, e->item) != 0)) {
		free(mf->item);
		if ((mf->item = cu_strdup(e->item)) == NULL)
			return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		mf->a.item = mf->item;
		mf->a.time = mf->a.method = NULL;
		acq_from_manifest(s->c->manifest, mf->item, &mf->a);
		acq_from_custody(s->bodies, mf->item, &mf->a);
	}
	if (!e->derived) {
		/* Evidence rows, a million on a phone: formatted here, in
		 * jansson's layout and escaping, without building objects. */
		char num[32];
		cu_textout_puts(mf->t, mf->first ? "\n    {\n" : ",\n    {\n");
		mf->first = false;
		snprintf(num, sizeof(num), "      \"seq\": %llu,\n", (unsigned long long)++mf->seq);
		cu_textout_puts(mf->t, num);
		cu_textout_member(mf->t, "path", e->path, false);
		cu_textout_member(mf->t, "device_path", e->device_path, false);
		cu_textout_member(mf->t, "item_id", e->item, false);
		cu_textout_member(mf->t, "category",
				  cu_seal_category(e->device_path ? e->device_path : e->path),
				  false);
		cu_textout_member(mf->t, "format", e->format ? e->format : "", false);
		snprintf(num, sizeof(num), "      \"size\": %llu,\n", (unsigned long long)e->size);
		cu_textout_puts(mf->t, num);
		cu_textout_member(mf->t, "sha256", e->sha256, false);
		cu_textout_member(mf->t, "md5", e->md5, false);
		cu_textout_member(mf->t, "sm3", e->sm3 && strlen(e->sm3) == 64 ? e->sm3 : NULL,
				  false);
		cu_textout_member(mf->t, "acquired", mf->a.time, false);
		cu_textout_member(mf->t, "method", mf->a.method, true);
		cu_textout_puts(mf->t, "    }");
		return mf->t->st;
	}
	if ((o = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	json_object_set_new(o, "path", json_string(e->path));
	json_object_set_new(o, "device_path", jstr_or_null(e->device_path));
	json_object_set_new(o, "item_id", json_string(e->item));
	{
		json_t *in = e->derived_from ? json_loads(e->derived_from, 0, NULL) : NULL;
		json_object_set_new(o, "inputs", in ? in : json_array());
		json_object_set_new(o, "method", jstr_or_null(e->derivation));
	}
	json_object_set_new(o, "size", json_integer((json_int_t)e->size));
	json_object_set_new(o, "sha256", json_string(e->sha256));
	json_object_set_new(o, "md5", json_string(e->md5));
	json_object_set_new(o, "sm3",
			    e->sm3 && strlen(e->sm3) == 64 ? json_string(e->sm3) : json_null());
	cu_textout_puts(mf->t, mf->first ? "\n    " : ",\n    ");
	mf->first = false;
	cu_textout_json(mf->t, o, CU_MANIFEST_JSON_FLAGS, 4);
	json_decref(o);
	return mf->t->st;
}

#define FILES_MARK   "\001custos-files\001"
#define DERIVED_MARK "\001custos-derived\001"
#define PF_MARK      "\001custos-package-files\001"

/* Writes the manifest text (with the list markers) to the work folder,
 * each marker replaced by its rows, hashing as it goes: the SHA-256 is
 * the seal hash. */
static enum cu_status write_manifest(struct sealctx *s, const char *text, struct cu_error *err)
{
	static const char *const marks[3] = {"\"\\u0001custos-files\\u0001\"",
					     "\"\\u0001custos-derived\\u0001\"",
					     "\"\\u0001custos-package-files\\u0001\""};
	struct cu_textout t;
	struct cu_digests d;
	struct mfiles mf;
	enum cu_status st;
	const char *p = text;

	if ((st = cu_buf_printf(&s->manifest_path, err, "%s/manifest.json", s->workdir)) != CU_OK ||
	    (st = cu_textout_open(&t, s->manifest_path.data, CU_HASH_SHA256, NULL, err)) != CU_OK)
		return st;
	memset(&mf, 0, sizeof(mf));
	mf.s = s;
	mf.t = &t;
	for (int k = 0; k < 2 && st == CU_OK; k++) {
		const char *at = strstr(p, marks[k]);
		if (at == NULL) {
			st = cu_error_set(err, CU_E_INTERNAL, "seal: manifest list marker lost");
			break;
		}
		cu_textout_put(&t, p, (size_t)(at - p));
		cu_textout_puts(&t, "[");
		mf.first = true;
		st = cu_sealfiles_each(s->files, k, NULL, manifest_row, &mf, err);
		cu_textout_puts(&t, mf.first ? "]" : "\n  ]");
		p = at + strlen(marks[k]);
	}
	free(mf.item);
	/* package_files[]: case.jsonld's digests are ready once its thread
	 * is; then it can start deflating beside the other texts. */
	if (st == CU_OK && (st = jsonld_join(s, err)) == CU_OK) {
		const char *at = strstr(p, marks[2]);
		json_t *pf = json_array();
		if (at == NULL || pf == NULL) {
			json_decref(pf);
			st = cu_error_set(err, CU_E_INTERNAL, "seal: manifest list marker lost");
		} else {
			for (size_t i = 0; i < s->npe; i++)
				if (s->pe[i].listed)
					json_array_append_new(
					    pf, digests_obj(s->pe[i].path, &s->pe[i].d));
			cu_textout_put(&t, p, (size_t)(at - p));
			cu_textout_json(&t, pf, CU_MANIFEST_JSON_FLAGS, 2);
			json_decref(pf);
			p = at + strlen(marks[2]);
			predeflate_start(s, &s->pre[1]);
		}
	}
	if (st != CU_OK) {
		cu_textout_abort(&t);
		return st;
	}
	cu_textout_puts(&t, p);
	if ((st = cu_textout_close(&t, &d, err)) != CU_OK)
		return st;
	s->manifest_size = d.size;
	memcpy(s->seal_hex, d.sha256, 65);
	return CU_OK;
}

/* manifest.json: the case's manifest plus what sealing adds, serialised
 * like the case's own manifest.json (cu_manifest_serialize: key order
 * kept, 2-space indent, trailing newline). */
static enum cu_status build_manifest(struct sealctx *s, struct cu_error *err)
{
	static const char *const gen[] = {"sealed",       "files",   "derived",    "package_files",
					  "content_root", "custody", "signatures", "timestamps"};
	const struct cu_seal_opts *opts = s->o;
	struct cu_buf mt = CU_BUF_INIT;
	json_t *man;
	enum cu_status st;

	if ((man = json_deep_copy(s->c->manifest)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	for (size_t i = 0; i < sizeof(gen) / sizeof(gen[0]); i++)
		json_object_del(man, gen[i]);
	if (json_object_get(man, "format") == NULL)
		json_object_set_new(man, "format", json_string("custos-manifest"));
	if (json_object_get(man, "format_version") == NULL)
		json_object_set_new(man, "format_version", json_integer(1));
	json_object_set_new(man, "package_id", json_string(s->uuid));

	json_t *sealed = json_object();
	json_object_set_new(sealed, "time", json_string(s->seal_time));
	json_object_set_new(sealed, "package", json_string(s->name.data));
	json_object_set_new(sealed, "tool", json_string(cu_version()));
	json_object_set_new(sealed, "encrypted", json_boolean(opts->password != NULL));
	json_object_set_new(sealed, "allow_incomplete", json_boolean(opts->allow_incomplete));
	json_object_set(sealed, "missing", s->missing);
	json_object_set(sealed, "unfinished", s->unfinished);
	json_object_set_new(sealed, "clock_fixed", json_boolean(cu_time_is_fixed()));
	json_object_set_new(man, "sealed", sealed);

	/* files[] and derived[] hold a row per file: streamed in place of
	 * these markers; package_files[] waits for case.jsonld. */
	json_object_set_new(man, "files", json_string(FILES_MARK));
	json_object_set_new(man, "derived", json_string(DERIVED_MARK));
	json_object_set_new(man, "package_files", json_string(PF_MARK));

	json_t *cr = json_object();
	json_object_set_new(cr, "alg", json_string("RFC6962-SHA-256"));
	json_object_set_new(cr, "size", json_integer((json_int_t)cu_sealfiles_count(s->files)));
	json_object_set_new(cr, "root", json_string(s->root_hex));
	json_object_set_new(man, "content_root", cr);

	json_t *cu = json_object();
	json_object_set_new(cu, "log", json_string(CU_PKG_CUSTODY));
	json_object_set_new(cu, "size", json_integer((json_int_t)s->res.custody_size));
	json_object_set_new(cu, "head", json_string(s->head_hex));
	json_object_set_new(cu, "root", json_string(s->croot_hex));
	json_object_set_new(man, "custody", cu);

	json_t *sigs = json_array();
	if (opts->sign_key != NULL) {
		json_t *so = json_object();
		json_object_set_new(so, "key_id", json_string(cu_signer_key_id(s->signer)));
		json_object_set_new(so, "alg", json_string("Ed25519"));
		json_object_set_new(so, "file", json_string(CU_PKG_SIG));
		json_array_append_new(sigs, so);
	}
	json_object_set_new(man, "signatures", sigs);
	json_t *ts = json_array(), *to = json_object();
	json_object_set_new(to, "type", json_string("RFC3161-request"));
	json_object_set_new(to, "file", json_string(CU_PKG_TSQ));
	json_object_set_new(to, "hash_alg", json_string("SHA-256"));
	json_array_append_new(ts, to);
	json_object_set_new(man, "timestamps", ts);

	if ((st = cu_manifest_serialize(man, &mt, err)) == CU_OK)
		st = write_manifest(s, mt.data, err);
	cu_buf_release(&mt);
	json_decref(man);
	return st;
}

/* The seal hash (SHA-256 of manifest.json), the RFC 3161 request and the
 * signature over it; the in-memory entries get their bytes. */
static enum cu_status seal_manifest(struct sealctx *s, struct cu_error *err)
{
	unsigned char seal[32];
	enum cu_status st;

	if (!cu_unhex(s->seal_hex, seal, 32))
		return cu_error_set(err, CU_E_INTERNAL, "seal: seal hash");
	if ((st = cu_seal_tsq_build(seal, &s->tsq, err)) != CU_OK)
		return st;
	if (s->o->sign_key != NULL) {
		/* Ed25519 signs the whole message (it hashes it twice): the
		 * manifest file is mapped, not read into a buffer. */
		unsigned char raw[64];
		int fd = open(s->manifest_path.data, O_RDONLY | O_CLOEXEC);
		void *map = MAP_FAILED;
		if (fd < 0)
			return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'",
					      s->manifest_path.data);
		if (s->manifest_size > 0)
			map = mmap(NULL, (size_t)s->manifest_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map == MAP_FAILED)
			return cu_error_errno(err, CU_E_IO, errno, "cannot map '%s'",
					      s->manifest_path.data);
		st = cu_signer_sign(s->signer, map, (size_t)s->manifest_size, raw, err);
		munmap(map, (size_t)s->manifest_size);
		if (st != CU_OK) {
			cu_error_prefix(err, "seal: signing manifest.json");
			return st;
		}
		cu_buf_reset(&s->sig);
		if ((st = cu_buf_append(&s->sig, raw, sizeof(raw), err)) != CU_OK)
			return st;
	}
	for (size_t i = 0; i < s->npe; i++) {
		struct pentry *p = &s->pe[i];
		if (strcmp(p->path, CU_PKG_MANIFEST) == 0) {
			if ((p->src = cu_strdup(s->manifest_path.data)) == NULL)
				return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
			p->size = s->manifest_size;
		} else if (strcmp(p->path, CU_PKG_SIG) == 0) {
			p->data = s->sig.data;
			p->data_len = p->size = s->sig.len;
		} else if (strcmp(p->path, CU_PKG_TSQ) == 0) {
			p->data = s->tsq.data;
			p->data_len = p->size = s->tsq.len;
		}
	}
	return CU_OK;
}

/* 5. the zip, under a name no one mistakes for a package, in the work
 * folder (whatever a kill leaves is removed with it, and the rename stays
 * on one file system). The outer SHA-256 is computed while writing
 * (struct pkgout). */
static enum cu_status write_partial(struct sealctx *s, struct cu_error *err)
{
	char comment[80];
	uint64_t total = 0;
	enum cu_status st;

	snprintf(comment, sizeof(comment), "CUSTOS1 %s", s->seal_hex);
	for (size_t i = 0; i < s->npe; i++)
		total += s->pe[i].size;
	total += cu_sealfiles_bytes(s->files);
	/* DOS times are local time for libzip (--encrypt): pin the zone so the
	 * bytes do not depend on where the seal runs. */
	setenv("TZ", "UTC0", 1);
	tzset();
	if ((st = cu_buf_printf(&s->partial, err, "%s/package.partial", s->workdir)) != CU_OK)
		return st;
	s->partial_made = true;
	if ((st = write_zip(s, s->partial.data, comment, total, s->res.outer_sha256, err)) != CU_OK)
		return st;
	return s->o->password != NULL ? fsync_path(s->partial.data, err) : CU_OK;
}

/* Sidecars first, the package last: its appearance means complete. */
static enum cu_status publish_package(struct sealctx *s, struct cu_error *err)
{
	struct cu_buf sidecar = CU_BUF_INIT, side = CU_BUF_INIT, livelog = CU_BUF_INIT;
	enum cu_status st;

	st = cu_buf_printf(&sidecar, err, "%s  %s\n", s->res.outer_sha256, s->name.data);
	if (st == CU_OK)
		st = cu_buf_printf(&side, err, "%s.sha256", s->pkg.data);
	if (st == CU_OK)
		st = cu_file_write_atomic(side.data, sidecar.data, sidecar.len, 0644, err);
	if (st == CU_OK)
		st = cu_buf_printf(&livelog, err, "%s.custody.jsonl", s->pkg.data);
	if (st == CU_OK)
		st = cu_file_write_atomic(livelog.data, s->logbuf.data, s->logbuf.len, 0644, err);
	if (st != CU_OK)
		goto out;
	if (rename(s->partial.data, s->pkg.data) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot rename '%s' to '%s'",
				    s->partial.data, s->pkg.data);
		goto out;
	}
	s->partial_made = false;
	st = cu_fsync_dir(s->outdir.data, err);
out:
	cu_buf_release(&sidecar);
	cu_buf_release(&side);
	cu_buf_release(&livelog);
	return st;
}

static void sealctx_release(struct sealctx *s)
{
	(void)jsonld_join(s, NULL);     /* before its file is removed */
	predeflate_release(&s->pre[0]); /* likewise */
	predeflate_release(&s->pre[1]);
	if (s->partial_made && s->partial.data != NULL)
		(void)unlink(s->partial.data);
	remove_workdir(s);
	cu_signer_free(s->signer);
	json_decref(s->bodies);
	json_decref(s->missing);
	cu_chain_release(&s->chain);
	json_decref(s->unfinished);
	cu_sealfiles_close(s->files);
	if (s->casefd >= 0)
		close(s->casefd);
	cu_buf_release(&s->manifest_path);
	cu_buf_release(&s->jsonld_path);
	for (size_t i = 0; i < s->npe; i++) {
		free(s->pe[i].path);
		free(s->pe[i].src);
	}
	free(s->pe);
	free(s->workdir);
	cu_buf_release(&s->custody_copy);
	cu_buf_release(&s->name);
	cu_buf_release(&s->outdir);
	cu_buf_release(&s->pkg);
	cu_buf_release(&s->partial);
	cu_buf_release(&s->logbuf);
	cu_buf_release(&s->jsonld);
	cu_buf_release(&s->sig);
	cu_buf_release(&s->tsq);
}

enum cu_status cu_seal_case(struct cu_case *c, const struct cu_seal_opts *opts,
			    struct cu_seal_result *out, struct cu_error *err)
{
	/* The steps in the order they run (the header comment says why);
	 * what a step leaves in s is freed by sealctx_release. */
	static enum cu_status (*const steps[])(struct sealctx *, struct cu_error *) = {
	    read_chain,          check_manifest_fields, check_acquisitions, check_outputs,
	    make_workdir,        read_inventory,        name_package,       compute_content_root,
	    append_seal_entry,   plan_entries,          start_jsonld,       stage_case_files,
	    add_generated_texts, build_manifest,        seal_manifest,      write_partial,
	    publish_package,
	};
	static const struct cu_buf buf_init = CU_BUF_INIT;
	struct sealctx s;
	enum cu_status st;

	memset(&s, 0, sizeof(s));
	s.name = s.outdir = s.pkg = s.logbuf = buf_init;
	s.jsonld = s.sig = s.tsq = s.partial = buf_init;
	s.c = c;
	s.o = opts;
	s.casefd = -1;
	s.manifest_path = s.jsonld_path = buf_init;
	s.algs = (opts->hash_algs ? opts->hash_algs : CU_HASH_DEFAULT) | CU_HASH_DEFAULT;
	s.missing = json_array();
	cu_buf_init(&s.custody_copy, CU_PATH_MAX);
	if (s.missing == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((st = steps[i](&s, err)) != CU_OK)
			goto out;

	snprintf(s.res.package, sizeof(s.res.package), "%s", s.pkg.data);
	snprintf(s.res.name, sizeof(s.res.name), "%s", s.name.data);
	memcpy(s.res.seal_hash, s.seal_hex, 65);
	memcpy(s.res.content_root, s.root_hex, 65);
	memcpy(s.res.custody_head, s.head_hex, 65);
	*out = s.res;
out:
	if (st != CU_OK && s.seal_appended)
		record_failed_seal(&s, err);
	sealctx_release(&s);
	return st;
}
