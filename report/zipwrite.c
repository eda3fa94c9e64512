/*
 * zipwrite.c - the package's ZIP writer: one forward pass, bounded memory.
 *
 * What it writes is what docs/package.md says a sealed package is: local
 * entries back to back in the order they are added, no data descriptors,
 * no extra fields but ZIP64 (0x0001) where a size or offset needs it, the
 * central directory right after the last entry, ZIP64 end records only when
 * needed, the comment last. Times are one fixed DOS time (the seal's, UTC),
 * attributes fixed, so the same inputs give the same bytes.
 *
 * Why not libzip for this: it keeps every entry (and a source object per
 * file) in memory until zip_close(), and seeks back to rewrite each local
 * header. Here:
 *  - a file that fits in the output buffer is read straight into it after
 *    its header's room, its CRC taken there, and the header filled before
 *    the buffer is written: no seek back, one read and no copy per small
 *    file; larger files stream through, and only their header is patched
 *    (in the buffer if still there, else one pwrite);
 *  - the central directory records go to a scratch file as entries are
 *    written and are copied after the last entry: memory does not grow
 *    with the entry count;
 *  - the outer SHA-256 runs on a second thread, trailing the writer over
 *    bytes that are final (read back from the page cache), and written
 *    pages are pushed to disk and dropped behind the writer.
 */
#include "config.h" /* CUSTOS_TEST_HOOKS */
#include "report/seal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#define OUT_BUF    ((size_t)4 << 20)
#define IO_CHUNK   ((size_t)1 << 20)
#define KICK_BYTES ((uint64_t)32 << 20)
#define SMALL_MAX  ((uint64_t)1 << 20) /* read whole into the buffer */
#define U32_MAX    0xffffffffu
/* Deflate output is at most input + 5 bytes per 16 KiB block + a few. */
#define DEFLATE_BOUND(n) ((n) + (n) / 1000 + 1024)

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_Z64_END 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u

struct cu_zipw {
	char *path;
	int fd, cdfd;
	uint16_t dos_time, dos_date;
	unsigned char *buf; /* bytes [bufoff, bufoff + buflen) not yet written */
	size_t buflen;
	uint64_t bufoff;
	uint64_t entries, cd_bytes;
	unsigned char *cdbuf; /* central records waiting for the scratch file */
	size_t cdlen;
	uint64_t kicked, dropped;
	unsigned char *io; /* read / deflate scratch */
	struct cu_progress *bar;
	uint64_t done_bytes;
#ifdef CUSTOS_TEST_HOOKS
	uint64_t kill_at;
#endif
	/* the trailing hash */
	pthread_t th;
	bool th_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool sync_made;
	uint64_t final;   /* bytes before this are on disk and final */
	bool done, abort; /* final will not move again; stop now */
	bool hash_failed;
	struct cu_hasher *h;
	unsigned char *hbuf;
	uint64_t hashed, hashed_pub;
	struct cu_digests d;
};

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void *hash_main(void *arg)
{
	struct cu_zipw *z = arg;

	for (;;) {
		uint64_t target;
		bool done;

		pthread_mutex_lock(&z->mu);
		while (z->hashed >= z->final && !z->done && !z->abort)
			pthread_cond_wait(&z->cv, &z->mu);
		target = z->final;
		done = z->done;
		if (z->abort)
			z->hash_failed = true;
		pthread_mutex_unlock(&z->mu);
		if (z->hash_failed)
			break;
		while (z->hashed < target) {
			size_t n =
			    target - z->hashed > IO_CHUNK ? IO_CHUNK : (size_t)(target - z->hashed);
			ssize_t got = pread(z->fd, z->hbuf, n, (off_t)z->hashed);
			if (got <= 0 ||
			    cu_hasher_update(z->h, z->hbuf, (size_t)got, NULL) != CU_OK) {
				z->hash_failed = true;
				return NULL;
			}
			z->hashed += (uint64_t)got;
			pthread_mutex_lock(&z->mu);
			z->hashed_pub = z->hashed;
			pthread_mutex_unlock(&z->mu);
		}
		if (done && z->hashed >= target)
			break;
	}
	if (!z->hash_failed && cu_hasher_final(z->h, &z->d, NULL) != CU_OK)
		z->hash_failed = true;
	return NULL;
}

static void set_final(struct cu_zipw *z, uint64_t upto, bool done)
{
	pthread_mutex_lock(&z->mu);
	if (upto > z->final)
		z->final = upto;
	if (done)
		z->done = true;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mu);
}

static void stop_hash(struct cu_zipw *z)
{
	if (!z->th_started)
		return;
	pthread_mutex_lock(&z->mu);
	z->abort = true;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mu);
	pthread_join(z->th, NULL);
	z->th_started = false;
}

static enum cu_status write_all(int fd, const unsigned char *p, size_t n, uint64_t off,
				const char *path, struct cu_error *err)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cu_error_errno(err, CU_E_IO, w < 0 ? errno : ENOSPC,
					      "cannot write '%s'", path);
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return CU_OK;
}

/* Writes the buffer out. Bytes before `keep` (a local header still to be
 * patched) are not yet final for the hash thread. */
static enum cu_status flush(struct cu_zipw *z, uint64_t keep, struct cu_error *err)
{
	enum cu_status st;

	if (z->buflen > 0 &&
	    (st = write_all(z->fd, z->buf, z->buflen, z->bufoff, z->path, err)) != CU_OK)
		return st;
	z->bufoff += z->buflen;
	z->buflen = 0;
	set_final(z, keep < z->bufoff ? keep : z->bufoff, false);
	if (z->bufoff >= z->kicked + KICK_BYTES) {
		uint64_t upto;

		/* Pages written back a kick ago and already hashed are dropped:
		 * the package's page cache stays a few tens of MiB. */
		pthread_mutex_lock(&z->mu);
		upto = z->hashed_pub < z->kicked ? z->hashed_pub : z->kicked;
		pthread_mutex_unlock(&z->mu);
		if (upto > z->dropped) {
			(void)sync_file_range(z->fd, (off_t)z->dropped, (off_t)(upto - z->dropped),
					      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						  SYNC_FILE_RANGE_WAIT_AFTER);
			(void)posix_fadvise(z->fd, (off_t)z->dropped, (off_t)(upto - z->dropped),
					    POSIX_FADV_DONTNEED);
			z->dropped = upto;
		}
		(void)sync_file_range(z->fd, (off_t)z->kicked, (off_t)(z->bufoff - z->kicked),
				      SYNC_FILE_RANGE_WRITE);
		z->kicked = z->bufoff;
	}
	return CU_OK;
}

static uint64_t pos(const struct cu_zipw *z)
{
	return z->bufoff + z->buflen;
}

/* Room for n more bytes in the buffer (n <= OUT_BUF). */
static enum cu_status room(struct cu_zipw *z, size_t n, uint64_t keep, struct cu_error *err)
{
	if (OUT_BUF - z->buflen >= n)
		return CU_OK;
	return flush(z, keep, err);
}

static enum cu_status put(struct cu_zipw *z, const void *p, size_t n, uint64_t keep,
			  struct cu_error *err)
{
	const unsigned char *s = p;
	enum cu_status st;

	while (n > 0) {
		size_t k = OUT_BUF - z->buflen;
		if (k == 0) {
			if ((st = flush(z, keep, err)) != CU_OK)
				return st;
			continue;
		}
		if (k > n)
			k = n;
		memcpy(z->buf + z->buflen, s, k);
		z->buflen += k;
		s += k;
		n -= k;
	}
	return CU_OK;
}

static void progress(struct cu_zipw *z, uint64_t n)
{
	z->done_bytes += n;
	if (z->bar != NULL)
		cu_progress_set(z->bar, z->done_bytes);
#ifdef CUSTOS_TEST_HOOKS
	if (z->kill_at > 0 && z->done_bytes >= z->kill_at)
		kill(getpid(), SIGKILL);
#endif
}

enum cu_status cu_zipw_open(const char *path, int64_t time_ms, const char *scratch,
			    struct cu_progress *bar, struct cu_zipw **out, struct cu_error *err)
{
	struct cu_zipw *z = cu_calloc(1, sizeof(*z));
	enum cu_status st;
	time_t t = (time_t)(time_ms / 1000);
	struct tm tm;

	*out = NULL;
	if (z == NULL)
		return cu_error_set(err, CU_E_NOMEM, "package writer: out of memory");
	z->fd = z->cdfd = -1;
	z->bar = bar;
	if ((z->path = cu_strdup(path)) == NULL || (z->buf = cu_malloc(OUT_BUF)) == NULL ||
	    (z->cdbuf = cu_malloc(IO_CHUNK)) == NULL || (z->io = cu_malloc(IO_CHUNK)) == NULL ||
	    (z->hbuf = cu_malloc(IO_CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "package writer: out of memory");
		goto fail;
	}
	/* DOS time of the seal, in UTC (the zone never changes the bytes);
	 * DOS dates start in 1980. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 80) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 80;
		tm.tm_mday = 1;
	}
	z->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	z->dos_date = (uint16_t)(((tm.tm_year - 80 > 127 ? 127 : tm.tm_year - 80) << 9) |
				 ((tm.tm_mon + 1) << 5) | tm.tm_mday);
#ifdef CUSTOS_TEST_HOOKS
	/* Test builds only (--enable-test-hooks): a seal killed mid-write,
	 * after this share (0..1) of the bytes to pack. */
	{
		const char *hook = getenv("CUSTOS_TEST_SEAL_KILL_AT");
		if (hook != NULL && bar != NULL)
			z->kill_at = (uint64_t)(strtod(hook, NULL) * (double)bar->total) + 1;
	}
#endif
	if ((st = cu_hasher_new(CU_HASH_SHA256, 0, &z->h, err)) != CU_OK)
		goto fail;
	z->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (z->fd < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create package '%s'", path);
		goto fail;
	}
	z->cdfd = open(scratch, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (z->cdfd < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", scratch);
		goto fail;
	}
	if (pthread_mutex_init(&z->mu, NULL) != 0) {
		st = cu_error_set(err, CU_E_INTERNAL, "cannot create a mutex");
		goto fail;
	}
	if (pthread_cond_init(&z->cv, NULL) != 0) {
		pthread_mutex_destroy(&z->mu);
		st = cu_error_set(err, CU_E_INTERNAL, "cannot create a condition variable");
		goto fail;
	}
	z->sync_made = true;
	if (pthread_create(&z->th, NULL, hash_main, z) != 0) {
		st = cu_error_set(err, CU_E_INTERNAL, "cannot start the package hash thread");
		goto fail;
	}
	z->th_started = true;
	*out = z;
	return CU_OK;
fail:
	cu_zipw_free(z);
	return st;
}

void cu_zipw_free(struct cu_zipw *z)
{
	if (z == NULL)
		return;
	stop_hash(z);
	if (z->sync_made) {
		pthread_cond_destroy(&z->cv);
		pthread_mutex_destroy(&z->mu);
	}
	if (z->fd >= 0)
		close(z->fd);
	if (z->cdfd >= 0)
		close(z->cdfd);
	free(z->path);
	free(z->buf);
	free(z->cdbuf);
	free(z->io);
	free(z->hbuf);
	cu_hasher_free(z->h);
	free(z);
}

/* The entry being written. */
struct ent {
	const char *name;
	size_t nlen;
	bool deflate, zip64;
	unsigned mode;
	uint64_t off; /* of its local header */
	uint32_t crc;
	uint64_t csize, usize;
};

static size_t local_len(const struct ent *e)
{
	return 30 + e->nlen + (e->zip64 ? 20 : 0);
}

/* The local header, with what is known (CRC and sizes maybe 0 for now). */
static void local_header(const struct cu_zipw *z, const struct ent *e, unsigned char *p)
{
	put32(p, SIG_LOCAL);
	put16(p + 4, e->zip64 ? 45 : 20);
	put16(p + 6, 0x0800); /* names are UTF-8 */
	put16(p + 8, e->deflate ? 8 : 0);
	put16(p + 10, z->dos_time);
	put16(p + 12, z->dos_date);
	put32(p + 14, e->crc);
	put32(p + 18, e->zip64 ? U32_MAX : (uint32_t)e->csize);
	put32(p + 22, e->zip64 ? U32_MAX : (uint32_t)e->usize);
	put16(p + 26, (unsigned)e->nlen);
	put16(p + 28, e->zip64 ? 20 : 0);
	memcpy(p + 30, e->name, e->nlen);
	if (e->zip64) {
		unsigned char *x = p + 30 + e->nlen;
		put16(x, 0x0001);
		put16(x + 2, 16);
		put64(x + 4, e->usize);
		put64(x + 12, e->csize);
	}
}

static enum cu_status cd_flush(struct cu_zipw *z, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	if (z->cdlen > 0)
		st = write_all(z->cdfd, z->cdbuf, z->cdlen, z->cd_bytes - z->cdlen,
			       "central "
			       "directory",
			       err);
	z->cdlen = 0;
	return st;
}

/* The central directory record of a finished entry, to the scratch file. */
static enum cu_status central(struct cu_zipw *z, const struct ent *e, struct cu_error *err)
{
	unsigned char x[28];
	size_t xn = 0;
	bool big_u = e->usize >= U32_MAX, big_c = e->csize >= U32_MAX, big_o = e->off >= U32_MAX;
	size_t need;
	enum cu_status st;

	if (big_u || big_c || big_o) {
		xn = 4;
		if (big_u)
			put64(x + xn, e->usize), xn += 8;
		if (big_c)
			put64(x + xn, e->csize), xn += 8;
		if (big_o)
			put64(x + xn, e->off), xn += 8;
		put16(x, 0x0001);
		put16(x + 2, (unsigned)(xn - 4));
	}
	need = 46 + e->nlen + xn;
	if (IO_CHUNK - z->cdlen < need) {
		if ((st = cd_flush(z, err)) != CU_OK)
			return st;
	}
	unsigned char *p = z->cdbuf + z->cdlen;
	bool z64 = e->zip64 || xn > 0;
	put32(p, SIG_CENTRAL);
	put16(p + 4, (3u << 8) | 63u); /* made by: Unix, APPNOTE 6.3 */
	put16(p + 6, z64 ? 45 : 20);
	put16(p + 8, 0x0800);
	put16(p + 10, e->deflate ? 8 : 0);
	put16(p + 12, z->dos_time);
	put16(p + 14, z->dos_date);
	put32(p + 16, e->crc);
	put32(p + 20, big_c ? U32_MAX : (uint32_t)e->csize);
	put32(p + 24, big_u ? U32_MAX : (uint32_t)e->usize);
	put16(p + 28, (unsigned)e->nlen);
	put16(p + 30, (unsigned)xn);
	put16(p + 32, 0);
	put16(p + 34, 0);
	put16(p + 36, 0);
	put32(p + 38, (uint32_t)(0100000u | (e->mode & 07777u)) << 16);
	put32(p + 42, big_o ? U32_MAX : (uint32_t)e->off);
	memcpy(p + 46, e->name, e->nlen);
	if (xn > 0)
		memcpy(p + 46 + e->nlen, x, xn);
	z->cdlen += need;
	z->cd_bytes += need;
	z->entries++;
	return CU_OK;
}

/* Fills in CRC and sizes of a header written earlier: in the buffer if it
 * is still there, else on disk. Then the bytes before are final. */
static enum cu_status patch(struct cu_zipw *z, const struct ent *e, struct cu_error *err)
{
	unsigned char hdr[30 + 0xffff + 20];
	size_t n = local_len(e);

	local_header(z, e, hdr);
	if (e->off >= z->bufoff) {
		memcpy(z->buf + (e->off - z->bufoff), hdr, n);
		return CU_OK;
	}
	/* Only CRC, sizes and the ZIP64 extra change. */
	enum cu_status st = write_all(z->fd, hdr + 14, 12, e->off + 14, z->path, err);
	if (st == CU_OK && e->zip64)
		st = write_all(z->fd, hdr + 30 + e->nlen, 20, e->off + 30 + e->nlen, z->path, err);
	if (st == CU_OK)
		set_final(z, z->bufoff, false);
	return st;
}

static enum cu_status begin(struct cu_zipw *z, struct ent *e, const char *name, bool deflate,
			    unsigned mode, uint64_t usize, struct cu_error *err)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->nlen = strlen(name);
	if (e->nlen == 0 || e->nlen > 0xffff)
		return cu_error_set(err, CU_E_LIMIT, "package entry name of %zu bytes", e->nlen);
	e->deflate = deflate;
	e->mode = mode;
	e->usize = usize;
	e->zip64 = (deflate ? DEFLATE_BOUND(usize) : usize) >= U32_MAX;
	e->off = pos(z);
	return CU_OK;
}

enum cu_status cu_zipw_read_exact(int fd, unsigned char *p, size_t n, const char *what,
				  struct cu_error *err)
{
	while (n > 0) {
		ssize_t got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", what);
		if (got == 0)
			return cu_error_set(err, CU_E_INTEGRITY,
					    "'%s' is shorter than listed: it changed since it was "
					    "listed; run custos verify on the case",
					    what);
		p += got;
		n -= (size_t)got;
	}
	return CU_OK;
}

/* STORED entry of `size` bytes from fd. */
static enum cu_status add_stored_fd(struct cu_zipw *z, struct ent *e, int fd, const char *what,
				    struct cu_error *err)
{
	size_t hl = local_len(e);
	enum cu_status st;

	if (e->usize <= SMALL_MAX) {
		/* Header and data together in the buffer: no patch. */
		if ((st = room(z, hl + (size_t)e->usize, pos(z), err)) != CU_OK)
			return st;
		e->off = pos(z);
		unsigned char *data = z->buf + z->buflen + hl;
		if ((st = cu_zipw_read_exact(fd, data, (size_t)e->usize, what, err)) != CU_OK)
			return st;
		e->crc = (uint32_t)libdeflate_crc32(0, data, (size_t)e->usize);
		e->csize = e->usize;
		local_header(z, e, z->buf + z->buflen);
		z->buflen += hl + (size_t)e->usize;
		progress(z, e->usize);
		return CU_OK;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((st = room(z, hl, pos(z), err)) != CU_OK)
		return st;
	e->off = pos(z);
	local_header(z, e, z->buf + z->buflen);
	z->buflen += hl;
	uint32_t crc = 0;
	for (uint64_t left = e->usize; left > 0;) {
		size_t k = OUT_BUF - z->buflen;
		if (k == 0) {
			if ((st = flush(z, e->off, err)) != CU_OK)
				return st;
			continue;
		}
		if (k > left)
			k = (size_t)left;
		if (k > IO_CHUNK)
			k = IO_CHUNK;
		unsigned char *data = z->buf + z->buflen;
		if ((st = cu_zipw_read_exact(fd, data, k, what, err)) != CU_OK)
			return st;
		crc = libdeflate_crc32(crc, data, k);
		z->buflen += k;
		left -= k;
		progress(z, k);
	}
	/* Drop the evidence pages read: they are not needed again. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	e->crc = (uint32_t)crc;
	e->csize = e->usize;
	return patch(z, e, err);
}

/* DEFLATE entry: input from fd (size known) or memory. */
static enum cu_status add_deflated(struct cu_zipw *z, struct ent *e, int fd, const void *mem,
				   const char *what, struct cu_error *err)
{
	z_stream zs;
	enum cu_status st;
	uint32_t crc = 0;
	uint64_t left = e->usize;
	const unsigned char *m = mem;

	memset(&zs, 0, sizeof(zs));
	/* Raw deflate (ZIP method 8), level 1: the texts of a phone (manifest,
	 * inventory, case.jsonld) run to gigabytes, and level 1 keeps deflate
	 * at several times the disk's pace while still shrinking JSON about
	 * sixfold. The bytes depend only on zlib's version. */
	if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return cu_error_set(err, CU_E_NOMEM, "package writer: deflate: out of memory");
	if ((st = room(z, local_len(e), pos(z), err)) != CU_OK)
		goto out;
	e->off = pos(z);
	local_header(z, e, z->buf + z->buflen);
	z->buflen += local_len(e);
	for (;;) {
		int flushmode = Z_NO_FLUSH;
		if (zs.avail_in == 0 && left > 0) {
			size_t k = left > IO_CHUNK ? IO_CHUNK : (size_t)left;
			if (m != NULL) {
				zs.next_in = (Bytef *)(uintptr_t)m;
				m += k;
			} else {
				if ((st = cu_zipw_read_exact(fd, z->io, k, what, err)) != CU_OK)
					goto out;
				zs.next_in = z->io;
			}
			zs.avail_in = (uInt)k;
			crc = libdeflate_crc32(crc, zs.next_in, k);
			left -= k;
			progress(z, k);
		}
		if (left == 0)
			flushmode = Z_FINISH;
		if (z->buflen == OUT_BUF && (st = flush(z, e->off, err)) != CU_OK)
			goto out;
		zs.next_out = z->buf + z->buflen;
		zs.avail_out = (uInt)(OUT_BUF - z->buflen);
		int rc = deflate(&zs, flushmode);
		z->buflen = OUT_BUF - zs.avail_out;
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			st = cu_error_set(err, CU_E_INTERNAL, "deflate of '%s' failed (%d)", what,
					  rc);
			goto out;
		}
	}
	e->crc = (uint32_t)crc;
	e->csize = zs.total_out;
	if (!e->zip64 && e->csize >= U32_MAX) {
		st = cu_error_set(err, CU_E_INTERNAL, "deflate of '%s' grew past 4 GiB", what);
		goto out;
	}
	st = patch(z, e, err);
out:
	deflateEnd(&zs);
	return st;
}

enum cu_status cu_zipw_add_fd(struct cu_zipw *z, const char *name, int fd, uint64_t size,
			      bool deflate, unsigned mode, struct cu_error *err)
{
	struct ent e;
	enum cu_status st;

	if ((st = begin(z, &e, name, deflate, mode, size, err)) != CU_OK)
		return st;
	st = deflate ? add_deflated(z, &e, fd, NULL, name, err)
		     : add_stored_fd(z, &e, fd, name, err);
	if (st != CU_OK)
		return cu_error_prefix(err, "package entry '%s'", name);
	return central(z, &e, err);
}

enum cu_status cu_zipw_add_mem(struct cu_zipw *z, const char *name, const void *p, size_t n,
			       bool deflate, unsigned mode, struct cu_error *err)
{
	struct ent e;
	enum cu_status st;

	if ((st = begin(z, &e, name, deflate, mode, n, err)) != CU_OK)
		return st;
	if (deflate) {
		if ((st = add_deflated(z, &e, -1, n ? p : "", name, err)) != CU_OK)
			return st;
	} else {
		e.crc = (uint32_t)libdeflate_crc32(0, p, n);
		e.csize = n;
		if ((st = room(z, local_len(&e), pos(z), err)) != CU_OK)
			return st;
		e.off = pos(z);
		local_header(z, &e, z->buf + z->buflen);
		z->buflen += local_len(&e);
		if ((st = put(z, p, n, pos(z), err)) != CU_OK)
			return st;
		progress(z, n);
	}
	return central(z, &e, err);
}

/* Central directory (copied from the scratch file), end records, comment;
 * the file is fsync'ed; out_sha256 gets the package's SHA-256. */
enum cu_status cu_zipw_finish(struct cu_zipw *z, const char *comment, char out_sha256[65],
			      struct cu_error *err)
{
	uint64_t cd_off = pos(z), end;
	size_t clen = strlen(comment);
	unsigned char rec[56 + 20 + 22];
	size_t rn = 0;
	enum cu_status st;

	if (clen > 0xffff)
		return cu_error_set(err, CU_E_LIMIT, "zip comment too long");
	if ((st = cd_flush(z, err)) != CU_OK)
		return st;
	for (uint64_t at = 0; at < z->cd_bytes;) {
		size_t k = z->cd_bytes - at > IO_CHUNK ? IO_CHUNK : (size_t)(z->cd_bytes - at);
		ssize_t got = pread(z->cdfd, z->io, k, (off_t)at);
		if (got <= 0)
			return cu_error_errno(err, CU_E_IO, got < 0 ? errno : EIO,
					      "cannot read back the central directory");
		if ((st = put(z, z->io, (size_t)got, pos(z), err)) != CU_OK)
			return st;
		at += (uint64_t)got;
	}
	end = pos(z);
	bool z64 = z->entries >= 0xffff || z->cd_bytes >= U32_MAX || cd_off >= U32_MAX;
	if (z64) {
		put32(rec, SIG_Z64_END);
		put64(rec + 4, 44);
		put16(rec + 12, (3u << 8) | 63u);
		put16(rec + 14, 45);
		put32(rec + 16, 0);
		put32(rec + 20, 0);
		put64(rec + 24, z->entries);
		put64(rec + 32, z->entries);
		put64(rec + 40, z->cd_bytes);
		put64(rec + 48, cd_off);
		put32(rec + 56, SIG_Z64_LOC);
		put32(rec + 60, 0);
		put64(rec + 64, end);
		put32(rec + 72, 1);
		rn = 76;
	}
	unsigned char *e = rec + rn;
	put32(e, SIG_EOCD);
	put16(e + 4, 0);
	put16(e + 6, 0);
	put16(e + 8, z->entries >= 0xffff ? 0xffff : (unsigned)z->entries);
	put16(e + 10, z->entries >= 0xffff ? 0xffff : (unsigned)z->entries);
	put32(e + 12, z->cd_bytes >= U32_MAX ? U32_MAX : (uint32_t)z->cd_bytes);
	put32(e + 16, cd_off >= U32_MAX ? U32_MAX : (uint32_t)cd_off);
	put16(e + 20, (unsigned)clen);
	rn += 22;
	if ((st = put(z, rec, rn, pos(z), err)) != CU_OK ||
	    (st = put(z, comment, clen, pos(z), err)) != CU_OK ||
	    (st = flush(z, pos(z), err)) != CU_OK)
		return st;
	set_final(z, z->bufoff, true);
	pthread_join(z->th, NULL);
	z->th_started = false;
	if (z->hash_failed || z->hashed != z->bufoff)
		return cu_error_set(err, CU_E_IO, "cannot read back '%s' to hash it", z->path);
	if (fsync(z->fd) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", z->path);
	memcpy(out_sha256, z->d.sha256, 65);
	return CU_OK;
}

/* DEFLATE of a file into another, for an entry added later with
 * cu_zipw_add_predeflated(): the seal runs it on its second core while
 * the evidence goes into the package. Same stream as add_deflated(). */
enum cu_status cu_zipw_predeflate(const char *src, const char *dst, struct cu_zipw_pre *out,
				  struct cu_error *err)
{
	z_stream zs;
	enum cu_status st = CU_OK;
	unsigned char *in = NULL, *obuf = NULL;
	int ifd = -1, ofd = -1, rc = Z_OK;
	uint32_t crc = 0;
	uint64_t opos = 0;

	memset(&zs, 0, sizeof(zs));
	memset(out, 0, sizeof(*out));
	if ((in = cu_malloc(IO_CHUNK)) == NULL || (obuf = cu_malloc(IO_CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory deflating '%s'", src);
		goto out;
	}
	if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		st = cu_error_set(err, CU_E_NOMEM, "deflate: out of memory");
		goto out;
	}
	if ((ifd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    (ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot deflate '%s'", src);
		goto end;
	}
	for (bool eof = false; rc != Z_STREAM_END;) {
		if (zs.avail_in == 0 && !eof) {
			ssize_t got = read(ifd, in, IO_CHUNK);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				st = cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", src);
				goto end;
			}
			eof = got == 0;
			zs.next_in = in;
			zs.avail_in = (uInt)got;
			crc = libdeflate_crc32(crc, in, (size_t)got);
			out->usize += (uint64_t)got;
		}
		zs.next_out = obuf;
		zs.avail_out = (uInt)IO_CHUNK;
		rc = deflate(&zs, eof ? Z_FINISH : Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			st = cu_error_set(err, CU_E_INTERNAL, "deflate of '%s' failed (%d)", src,
					  rc);
			goto end;
		}
		size_t have = IO_CHUNK - zs.avail_out;
		if (have > 0 && (st = write_all(ofd, obuf, have, opos, dst, err)) != CU_OK)
			goto end;
		opos += have;
	}
	out->crc = (uint32_t)crc;
	out->csize = opos;
end:
	deflateEnd(&zs);
out:
	if (ifd >= 0)
		close(ifd);
	if (ofd >= 0)
		close(ofd);
	free(in);
	free(obuf);
	return st;
}

/* A DEFLATE entry whose compressed bytes are in `path` (cu_zipw_predeflate):
 * CRC and sizes known, the header is written once and the bytes copied. */
enum cu_status cu_zipw_add_predeflated(struct cu_zipw *z, const char *name, const char *path,
				       const struct cu_zipw_pre *pre, unsigned mode,
				       struct cu_error *err)
{
	struct ent e;
	enum cu_status st;
	int fd;

	if ((st = begin(z, &e, name, true, mode, pre->usize, err)) != CU_OK)
		return st;
	e.zip64 = pre->usize >= U32_MAX || pre->csize >= U32_MAX;
	e.crc = pre->crc;
	e.csize = pre->csize;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", path);
	if ((st = room(z, local_len(&e), pos(z), err)) != CU_OK)
		goto out;
	e.off = pos(z);
	local_header(z, &e, z->buf + z->buflen);
	z->buflen += local_len(&e);
	for (uint64_t left = e.csize; left > 0;) {
		size_t k = OUT_BUF - z->buflen;
		if (k == 0) {
			if ((st = flush(z, pos(z), err)) != CU_OK)
				goto out;
			continue;
		}
		if (k > left)
			k = (size_t)left;
		if ((st = cu_zipw_read_exact(fd, z->buf + z->buflen, k, path, err)) != CU_OK)
			goto out;
		z->buflen += k;
		left -= k;
	}
	progress(z, e.usize);
	st = central(z, &e, err);
out:
	close(fd);
	return st;
}
