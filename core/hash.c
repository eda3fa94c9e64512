/*
 * hash.c - SHA-256 + MD5 (+ SM3) in one pass, through OpenSSL EVP.
 *
 * Evidence is hashed while it is read (forensic rule 2). SHA-256 and MD5 are
 * both wanted for every file (CUSTODY.md); computed one after the other they
 * cost the sum of their times. With CU_HASHER_THREADED each large update()
 * hands the same chunk to worker threads (one per extra digest: MD5, SM3)
 * while the caller's thread runs SHA-256, so the cost is about the slowest
 * digest instead of the sum.
 * The chunk is only read by both threads and update() returns after both are
 * done, so the caller's buffer need only live during the call.
 *
 * cu_copy_hash_fd() and cu_hash_file() additionally read on a separate
 * thread into two alternating buffers, so reading the next chunk overlaps
 * hashing and writing the current one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/core.h"

enum { ALG_SHA256, ALG_MD5, ALG_SM3, ALG_COUNT };

/* Updates smaller than this are not worth a thread hand-off when the
 * caller waits for it; one it does not wait for (cu_hasher_update_start:
 * MD5 runs beside the caller's SHA-256 and its write of the same bytes)
 * pays from a few KiB on. */
#define THREAD_MIN ((size_t)64 * 1024)
#define ASYNC_MIN  ((size_t)8 * 1024)
/* I/O chunk for file hashing and copying. */
#define IO_CHUNK ((size_t)1 << 20)
/* Files at most this big are copied without the reader/worker threads. */
#define SMALL_FILE ((off_t)2 << 20)

static const unsigned alg_bit[ALG_COUNT] = {CU_HASH_SHA256, CU_HASH_MD5, CU_HASH_SM3};
static const char *const alg_name[ALG_COUNT] = {"SHA256", "MD5", "SM3"};

/* Fetched once: implicit fetches on every EVP_DigestInit_ex are slow. */
static EVP_MD *fetched[ALG_COUNT];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	int i;

	for (i = 0; i < ALG_COUNT; i++)
		fetched[i] = EVP_MD_fetch(NULL, alg_name[i], NULL);
}

static const EVP_MD *md_for(int i)
{
	pthread_once(&fetch_once, fetch_all);
	return fetched[i];
}

struct cu_hasher;

/* One worker thread per extra digest: with SM3 selected too, MD5 and SM3
 * each get their own thread instead of running one after the other. */
struct worker {
	struct cu_hasher *h;
	int alg;
	uint64_t seen; /* last job generation done */
	bool started;
	pthread_t thread;
};

struct cu_hasher {
	unsigned algs;
	unsigned flags;
	EVP_MD_CTX *ctx[ALG_COUNT];
	unsigned main_mask;   /* digests run on the caller's thread */
	unsigned worker_mask; /* digests run on workers when threaded */
	uint64_t size;
	bool finished;
	bool broken; /* a digest update failed; reset required */

	bool sync_ready; /* mu and cv initialised */
	bool no_threads; /* thread creation failed once: stay inline */
	struct worker workers[ALG_COUNT];
	int nworkers;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const unsigned char *job;
	size_t job_n;
	uint64_t job_gen;
	int pending; /* workers still busy with job_gen */
	bool quit;
	bool worker_failed;
};

static bool update_mask(struct cu_hasher *h, unsigned mask, const void *p, size_t n)
{
	bool ok = true;
	int i;

	for (i = 0; i < ALG_COUNT; i++)
		if ((mask & alg_bit[i]) && EVP_DigestUpdate(h->ctx[i], p, n) != 1)
			ok = false;
	return ok;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cu_hasher *h = w->h;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		const unsigned char *job;
		size_t n;
		bool ok;

		while (h->job_gen == w->seen && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->quit)
			break;
		w->seen = h->job_gen;
		job = h->job;
		n = h->job_n;
		pthread_mutex_unlock(&h->mu);
		/* The job is only read; the caller waits until pending is 0. */
		ok = EVP_DigestUpdate(h->ctx[w->alg], job, n) == 1;
		pthread_mutex_lock(&h->mu);
		if (!ok)
			h->worker_failed = true;
		if (--h->pending == 0)
			pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void stop_workers(struct cu_hasher *h)
{
	int i;

	if (!h->sync_ready)
		return;
	pthread_mutex_lock(&h->mu);
	h->quit = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	for (i = 0; i < h->nworkers; i++) {
		if (h->workers[i].started)
			pthread_join(h->workers[i].thread, NULL);
		h->workers[i].started = false;
	}
	h->quit = false;
}

/* Starts the workers on first use; if a thread cannot be made, hashing
 * stays on the caller's thread (same result, only slower). */
static bool ensure_workers(struct cu_hasher *h)
{
	int i;

	if (h->no_threads)
		return false;
	for (i = 0; i < h->nworkers; i++) {
		struct worker *w = &h->workers[i];

		if (w->started)
			continue;
		w->h = h;
		w->seen = h->job_gen; /* no job is in flight here */
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			stop_workers(h);
			h->no_threads = true;
			return false;
		}
		w->started = true;
	}
	return true;
}

static enum cu_status init_digests(struct cu_hasher *h, struct cu_error *err)
{
	int i;

	for (i = 0; i < ALG_COUNT; i++) {
		const EVP_MD *md;

		if (!(h->algs & alg_bit[i]))
			continue;
		md = md_for(i);
		if (md == NULL) {
			cu_error_openssl(err, "%s is not available in this OpenSSL build",
					 alg_name[i]);
			if (err != NULL)
				err->code = CU_E_UNSUPPORTED;
			return CU_E_UNSUPPORTED;
		}
		if (EVP_DigestInit_ex(h->ctx[i], md, NULL) != 1)
			return cu_error_openssl(err, "cannot start %s", alg_name[i]);
	}
	h->size = 0;
	h->finished = false;
	h->broken = false;
	h->worker_failed = false;
	return CU_OK;
}

enum cu_status cu_hasher_new(unsigned algs, unsigned flags, struct cu_hasher **out,
			     struct cu_error *err)
{
	struct cu_hasher *h = NULL;
	enum cu_status rc = CU_OK;
	int i;

	if (algs == 0 || (algs & ~(unsigned)(CU_HASH_SHA256 | CU_HASH_MD5 | CU_HASH_SM3)) != 0)
		return cu_error_set(err, CU_E_USAGE, "invalid hash algorithm set 0x%x", algs);
	h = cu_calloc(1, sizeof(*h));
	if (h == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory creating a hasher");
	h->algs = algs;
	h->flags = flags;
	for (i = 0; i < ALG_COUNT; i++) {
		if (!(algs & alg_bit[i]))
			continue;
		h->ctx[i] = EVP_MD_CTX_new();
		if (h->ctx[i] == NULL) {
			rc = cu_error_openssl(err, "cannot allocate a %s context", alg_name[i]);
			goto out;
		}
		/* The first selected digest runs on the caller's thread. */
		if (h->main_mask == 0)
			h->main_mask = alg_bit[i];
		else
			h->worker_mask |= alg_bit[i];
	}
	if (!(flags & CU_HASHER_THREADED)) {
		h->main_mask |= h->worker_mask;
		h->worker_mask = 0;
	}
	rc = init_digests(h, err);
	if (rc != CU_OK)
		goto out;
	if (h->worker_mask != 0) {
		if (pthread_mutex_init(&h->mu, NULL) == 0) {
			if (pthread_cond_init(&h->cv, NULL) == 0)
				h->sync_ready = true;
			else
				pthread_mutex_destroy(&h->mu);
		}
		if (!h->sync_ready) {
			/* Same digests without the workers. */
			h->main_mask |= h->worker_mask;
			h->worker_mask = 0;
		}
		for (i = 0; i < ALG_COUNT; i++)
			if (h->worker_mask & alg_bit[i])
				h->workers[h->nworkers++].alg = i;
	}
	*out = h;
	h = NULL;
out:
	cu_hasher_free(h);
	return rc;
}

/* Waits for the workers' share of a job left running by
 * cu_hasher_update_start(); false when one of them failed. */
static bool wait_job(struct cu_hasher *h)
{
	bool ok = true;

	/* job is set and cleared by the caller's thread only. */
	if (!h->sync_ready || h->job == NULL)
		return true;
	pthread_mutex_lock(&h->mu);
	while (h->pending > 0)
		pthread_cond_wait(&h->cv, &h->mu);
	h->job = NULL;
	if (h->worker_failed)
		ok = false;
	pthread_mutex_unlock(&h->mu);
	return ok;
}

static enum cu_status update(struct cu_hasher *h, const void *p, size_t n, bool wait,
			     struct cu_error *err)
{
	bool ok;

	if (h->finished || h->broken)
		return cu_error_set(err, CU_E_INTERNAL,
				    "hasher used after final or failure without reset");
	if (!wait_job(h)) {
		h->broken = true;
		return cu_error_openssl(err, "digest update failed");
	}
	if (n == 0)
		return CU_OK;
	if (h->worker_mask != 0 && n >= (wait ? THREAD_MIN : ASYNC_MIN) && ensure_workers(h)) {
		pthread_mutex_lock(&h->mu);
		h->job = p;
		h->job_n = n;
		h->pending = h->nworkers;
		h->job_gen++;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);

		ok = update_mask(h, h->main_mask, p, n);
		if (wait && !wait_job(h))
			ok = false;
	} else {
		ok = update_mask(h, h->main_mask | h->worker_mask, p, n);
	}
	if (!ok) {
		h->broken = true;
		return cu_error_openssl(err, "digest update failed");
	}
	h->size += n;
	return CU_OK;
}

enum cu_status cu_hasher_update(struct cu_hasher *h, const void *p, size_t n, struct cu_error *err)
{
	return update(h, p, n, true, err);
}

enum cu_status cu_hasher_update_start(struct cu_hasher *h, const void *p, size_t n,
				      struct cu_error *err)
{
	return update(h, p, n, false, err);
}

enum cu_status cu_hasher_final(struct cu_hasher *h, struct cu_digests *out, struct cu_error *err)
{
	struct cu_digests d;
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len;
	int i;

	if (h->finished || h->broken)
		return cu_error_set(err, CU_E_INTERNAL,
				    "hasher finished twice or after failure without reset");
	if (!wait_job(h)) {
		h->broken = true;
		return cu_error_openssl(err, "digest update failed");
	}
	memset(&d, 0, sizeof(d));
	d.algs = h->algs;
	d.size = h->size;
	for (i = 0; i < ALG_COUNT; i++) {
		if (!(h->algs & alg_bit[i]))
			continue;
		len = 0;
		if (EVP_DigestFinal_ex(h->ctx[i], raw, &len) != 1) {
			h->broken = true;
			return cu_error_openssl(err, "cannot finish %s", alg_name[i]);
		}
		switch (i) {
		case ALG_SHA256:
			CU_ASSERT(len == 32);
			memcpy(d.sha256_raw, raw, 32);
			cu_hex(raw, 32, d.sha256);
			break;
		case ALG_MD5:
			CU_ASSERT(len == 16);
			cu_hex(raw, 16, d.md5);
			break;
		default:
			CU_ASSERT(len == 32);
			cu_hex(raw, 32, d.sm3);
			break;
		}
	}
	h->finished = true;
	*out = d;
	return CU_OK;
}

enum cu_status cu_hasher_reset(struct cu_hasher *h, struct cu_error *err)
{
	(void)wait_job(h); /* a failure there is forgotten with the digests */
	return init_digests(h, err);
}

void cu_hasher_free(struct cu_hasher *h)
{
	int i;

	if (h == NULL)
		return;
	(void)wait_job(h);
	stop_workers(h);
	if (h->sync_ready) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
	}
	for (i = 0; i < ALG_COUNT; i++)
		EVP_MD_CTX_free(h->ctx[i]);
	free(h);
}

void cu_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, md_for(ALG_SHA256), NULL) != 1 || len != 32)
		CU_BUG("SHA-256 failed inside OpenSSL");
}

void cu_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char raw[32];

	cu_sha256(p, n, raw);
	cu_hex(raw, 32, out);
}

/* ------------------------------------------------------------------ */
/* Reading on a second thread into two alternating buffers             */
/* ------------------------------------------------------------------ */

struct slot {
	unsigned char *data;
	size_t len;
	bool full; /* filled by the reader, not yet consumed */
	bool eof;  /* the reader hit end of input after this slot's data */
};

struct reader {
	int fd;
	const char *what;
	uint64_t max_read; /* stop after this many bytes (limit + 1), 0 = none */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[2];
	bool cancel;
	bool failed;
	struct cu_error err;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t total = 0;
	int i = 0;

	for (;;) {
		struct slot *s = &r->slot[i];
		size_t want = IO_CHUNK, got = 0;
		bool eof;

		pthread_mutex_lock(&r->mu);
		while (s->full && !r->cancel)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->cancel) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		pthread_mutex_unlock(&r->mu);

		if (r->max_read != 0 && r->max_read - total < want)
			want = (size_t)(r->max_read - total);
		if (cu_read_full(r->fd, s->data, want, &got, r->what, &r->err) != CU_OK) {
			pthread_mutex_lock(&r->mu);
			r->failed = true;
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
			break;
		}
		total += got;
		eof = got < want || (r->max_read != 0 && total >= r->max_read);

		pthread_mutex_lock(&r->mu);
		s->len = got;
		s->eof = eof;
		s->full = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (eof)
			break;
		i ^= 1;
	}
	return NULL;
}

static enum cu_status too_large(const char *src_name, int dst_fd, const char *dst_name,
				uint64_t limit, struct cu_error *err)
{
	if (dst_fd >= 0)
		return cu_error_set(err, CU_E_LIMIT,
				    "copy to '%s' stopped: the source is larger than the limit "
				    "of %llu bytes",
				    dst_name, (unsigned long long)limit);
	return cu_error_set(err, CU_E_LIMIT, "'%s' is larger than the limit of %llu bytes",
			    src_name, (unsigned long long)limit);
}

/* One pass: read src -> hash -> (write dst). src_name names the source in
 * read errors; when copying these are prefixed with the destination.
 * size_hint sizes the single buffer when not threaded (IO_CHUNK if unknown). */
static enum cu_status pump(int src_fd, const char *src_name, int dst_fd, const char *dst_name,
			   struct cu_hasher *h, uint64_t limit, bool threaded, uint64_t size_hint,
			   struct cu_progress *progress, struct cu_error *err)
{
	/* Small files get a buffer of their size (+1 to see EOF at once). */
	size_t chunk = !threaded && size_hint < IO_CHUNK ? (size_t)size_hint + 1 : IO_CHUNK;
	struct reader r;
	pthread_t thread;
	unsigned char *mem = NULL;
	uint64_t total = 0;
	enum cu_status rc = CU_OK;
	int i = 0;

	memset(&r, 0, sizeof(r));
	cu_error_clear(&r.err);
	mem = cu_malloc(threaded ? 2 * IO_CHUNK : chunk);
	if (mem == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for copy buffers");

	if (!threaded) {
		for (;;) {
			size_t want = chunk, got = 0;

			if (limit != 0 && limit + 1 - total < want)
				want = (size_t)(limit + 1 - total);
			rc = cu_read_full(src_fd, mem, want, &got, src_name, err);
			if (rc != CU_OK) {
				if (dst_fd >= 0)
					cu_error_prefix(err, "copy to '%s'", dst_name);
				goto out;
			}
			if (got == 0)
				break;
			total += got;
			if (limit != 0 && total > limit) {
				rc = too_large(src_name, dst_fd, dst_name, limit, err);
				goto out;
			}
			rc = cu_hasher_update(h, mem, got, err);
			if (rc == CU_OK && dst_fd >= 0)
				rc = cu_write_all(dst_fd, mem, got, dst_name, err);
			if (rc != CU_OK)
				goto out;
			if (progress != NULL)
				cu_progress_add(progress, got);
			if (got < want)
				break;
		}
		goto out;
	}

	r.fd = src_fd;
	r.what = src_name;
	r.max_read = limit != 0 ? limit + 1 : 0;
	r.slot[0].data = mem;
	r.slot[1].data = mem + IO_CHUNK;
	if (pthread_mutex_init(&r.mu, NULL) != 0) {
		rc = cu_error_set(err, CU_E_INTERNAL, "cannot create a mutex");
		goto out;
	}
	if (pthread_cond_init(&r.cv, NULL) != 0) {
		pthread_mutex_destroy(&r.mu);
		rc = cu_error_set(err, CU_E_INTERNAL, "cannot create a condition variable");
		goto out;
	}
	if (pthread_create(&thread, NULL, reader_main, &r) != 0) {
		pthread_cond_destroy(&r.cv);
		pthread_mutex_destroy(&r.mu);
		/* No thread available: do the same work on this one. */
		free(mem);
		return pump(src_fd, src_name, dst_fd, dst_name, h, limit, false, IO_CHUNK, progress,
			    err);
	}
	for (;;) {
		struct slot *s = &r.slot[i];
		bool eof;

		pthread_mutex_lock(&r.mu);
		while (!s->full && !r.failed)
			pthread_cond_wait(&r.cv, &r.mu);
		if (!s->full && r.failed) {
			pthread_mutex_unlock(&r.mu);
			if (err != NULL)
				*err = r.err;
			rc = r.err.code;
			if (dst_fd >= 0)
				cu_error_prefix(err, "copy to '%s'", dst_name);
			break;
		}
		pthread_mutex_unlock(&r.mu);

		eof = s->eof;
		total += s->len;
		if (limit != 0 && total > limit) {
			rc = too_large(src_name, dst_fd, dst_name, limit, err);
			break;
		}
		if (s->len > 0) {
			rc = cu_hasher_update(h, s->data, s->len, err);
			if (rc == CU_OK && dst_fd >= 0)
				rc = cu_write_all(dst_fd, s->data, s->len, dst_name, err);
			if (rc != CU_OK)
				break;
			if (progress != NULL)
				cu_progress_add(progress, s->len);
		}
		pthread_mutex_lock(&r.mu);
		s->full = false;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
		if (eof)
			break;
		i ^= 1;
	}
	pthread_mutex_lock(&r.mu);
	r.cancel = true;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	/* The reader stops after its current read (bounded by max_read). */
	pthread_join(thread, NULL);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
out:
	free(mem);
	return rc;
}

/* A regular file small enough for one thread; *size is its size. */
static bool is_small_regular(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SMALL_FILE)
		return false;
	*size = (uint64_t)st.st_size;
	return true;
}

enum cu_status cu_hash_file(const char *path, unsigned algs, struct cu_digests *out,
			    struct cu_error *err)
{
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	enum cu_status rc;
	struct stat st;
	uint64_t size = 0;
	bool small;
	int fd;

	/* O_NONBLOCK so a FIFO planted in an image cannot hang the open. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		return cu_error_errno(err, e == ENOENT ? CU_E_NOTFOUND : CU_E_IO, e,
				      "cannot open '%s'", path);
	}
	/* Only files and block devices (disk images) have an end to hash to;
	 * a FIFO, socket or character device could block or never end. */
	if (fstat(fd, &st) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = cu_error_set(err, CU_E_IO, "cannot hash '%s': it is a directory", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		rc =
		    cu_error_set(err, CU_E_UNSUPPORTED,
				 "refusing to hash '%s': not a regular file or block device", path);
		goto out;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", path);
		goto out;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	small = is_small_regular(fd, &size);
	rc = cu_hasher_new(algs, small ? 0 : CU_HASHER_THREADED, &h, err);
	if (rc != CU_OK)
		goto out;
	rc = pump(fd, path, -1, NULL, h, 0, !small, small ? size : IO_CHUNK, NULL, err);
	if (rc != CU_OK)
		goto out;
	rc = cu_hasher_final(h, &d, err);
	if (rc != CU_OK)
		goto out;
	*out = d;
out:
	cu_hasher_free(h);
	close(fd);
	return rc;
}

enum cu_status cu_copy_hash_fd(int src_fd, const char *dst, unsigned algs, uint64_t limit,
			       struct cu_progress *progress, struct cu_digests *out,
			       struct cu_error *err)
{
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	enum cu_status rc;
	uint64_t size = 0;
	bool small, created = false;
	/* The source fd may have no path: errors name the copy target. */
	const char *src_name = "source";
	int fd = -1;

	small = is_small_regular(src_fd, &size);
	(void)posix_fadvise(src_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = cu_hasher_new(algs, small ? 0 : CU_HASHER_THREADED, &h, err);
	if (rc != CU_OK)
		goto out;
	/* Owner-writable while we write; 0444 once complete. */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		rc = cu_error_errno(err, e == EEXIST ? CU_E_EXISTS : CU_E_IO, e,
				    "cannot create '%s'", dst);
		goto out;
	}
	created = true;
	rc = pump(src_fd, src_name, fd, dst, h, limit, !small, small ? size : IO_CHUNK, progress,
		  err);
	if (rc != CU_OK)
		goto out;
	rc = cu_hasher_final(h, &d, err);
	if (rc != CU_OK)
		goto out;
	if (fchmod(fd, 0444) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot make '%s' read-only", dst);
		goto out;
	}
	if (fsync(fd) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", dst);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", dst);
		goto out;
	}
	fd = -1;
	*out = d;
out:
	if (fd >= 0)
		close(fd);
	if (rc != CU_OK && created)
		unlink(dst);
	cu_hasher_free(h);
	return rc;
}
