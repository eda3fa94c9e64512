/*
 * verify.c - `custos verify`: every check of PACKAGE.md on a sealed
 * package, or the inventory and custody chain of a case directory; and
 * Merkle inclusion proofs for one file of a package.
 *
 * Memory stays bounded whatever the file count. A plain package is read
 * in one forward pass without libzip (see "a plain package in one forward
 * pass" below): the central directory record by record in step with the
 * local entries (zipmap.c), manifest.json spooled to a temporary file and
 * scanned element by element, STORED entries hashed as read and DEFLATEd
 * ones inflated with zlib, CRC-32 checked with libdeflate's crc32, MD5 on its own
 * thread. Packages sealed with --encrypt (WinZip AES) are still read with
 * libzip, entry by entry through zip_fopen in 1 MiB chunks (a ring of 8,
 * see struct ring). Only the custody log, small, is held whole (capped).
 */
#include "config.h" /* CUSTOS_TEST_HOOKS */
#include "report/seal_int.h"
#include "report/zipmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>
#include <libdeflate.h>
#include <zlib.h>

#define CHUNK ((size_t)1 << 20)

/* ------------------------------------------------------------------ */
/* report                                                              */
/* ------------------------------------------------------------------ */

void cu_verify_report_init(struct cu_verify_report *r)
{
	memset(r, 0, sizeof(*r));
	r->ok = true;
}

void cu_verify_report_release(struct cu_verify_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].detail);
	}
	free(r->checks);
	memset(r, 0, sizeof(*r));
}

int cu_verify_report_exit(const struct cu_verify_report *r)
{
	if (r->failures > 0)
		return 1;
	if (r->unreadable || !r->ok)
		return 3;
	return 0;
}

enum kind { PASS, WARN, FAIL, UNREADABLE };

static void check(struct cu_verify_report *r, enum kind k, const char *name, const char *fmt, ...)
    CU_PRINTF(4, 5);
static void check(struct cu_verify_report *r, enum kind k, const char *name, const char *fmt, ...)
{
	struct cu_buf d = CU_BUF_INIT;
	va_list ap;

	if (k == FAIL) {
		r->failures++;
		r->ok = false;
	} else if (k == UNREADABLE) {
		r->unreadable = true;
		r->ok = false;
	}
	va_start(ap, fmt);
	enum cu_status st = cu_buf_vprintf(&d, NULL, fmt, ap);
	va_end(ap);
	/* A check that cannot be recorded (no memory) leaves the report
	 * incomplete, so it can no longer say the package verified. */
	if (st != CU_OK)
		goto lost;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct cu_verify_check *v = cu_reallocarray(r->checks, cap, sizeof(*v));
		if (v == NULL)
			goto lost;
		r->checks = v;
		r->cap = cap;
	}
	struct cu_verify_check *c = &r->checks[r->n];
	c->name = cu_strdup(name);
	c->detail = cu_buf_detach(&d, NULL);
	c->ok = k == PASS || k == WARN;
	c->warning = k == WARN;
	if (c->name == NULL) {
		free(c->detail);
		r->unreadable = true;
		r->ok = false;
		return;
	}
	r->n++;
	return;
lost:
	cu_buf_release(&d);
	r->unreadable = true;
	r->ok = false;
}

/* ------------------------------------------------------------------ */
/* manifest listing                                                    */
/* ------------------------------------------------------------------ */

struct listed {
	const char *path, *sha256, *md5, *sm3, *list;
	uint64_t size;
	bool seen;
};

struct listing {
	struct listed *v;
	size_t n;
};

static int cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->path, ((const struct listed *)b)->path);
}

/* Every row of files[], derived[] and package_files[]; strings borrowed
 * from the manifest. Malformed rows are failures named by list and index. */
static enum cu_status build_listing(const json_t *man, struct cu_verify_report *r,
				    struct listing *out, struct cu_error *err)
{
	static const char *const lists[] = {"files", "derived", "package_files"};
	size_t total = 0, k = 0;
	struct listed *v;

	for (size_t l = 0; l < 3; l++)
		total += json_array_size(json_object_get(man, lists[l]));
	v = cu_calloc(total ? total : 1, sizeof(*v));
	if (v == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	for (size_t l = 0; l < 3; l++) {
		const json_t *arr = json_object_get(man, lists[l]), *row;
		size_t i;
		json_array_foreach(arr, i, row)
		{
			const char *p = json_string_value(json_object_get(row, "path"));
			const char *h = json_string_value(json_object_get(row, "sha256"));
			const char *m = json_string_value(json_object_get(row, "md5"));
			const json_t *sz = json_object_get(row, "size");
			if (p == NULL || h == NULL || m == NULL || !json_is_integer(sz) ||
			    json_integer_value(sz) < 0 || strlen(h) != 64 || strlen(m) != 32) {
				check(r, FAIL, "manifest",
				      "manifest.json: %s[%zu] lacks path, size, sha256 or md5",
				      lists[l], i);
				continue;
			}
			v[k].path = p;
			v[k].sha256 = h;
			v[k].md5 = m;
			v[k].sm3 = json_string_value(json_object_get(row, "sm3"));
			v[k].size = (uint64_t)json_integer_value(sz);
			v[k].list = lists[l];
			k++;
		}
	}
	if (k > 0)
		qsort(v, k, sizeof(*v), cmp_listed);
	for (size_t i = 1; i < k; i++)
		if (strcmp(v[i - 1].path, v[i].path) == 0)
			check(r, FAIL, "manifest", "manifest.json lists '%s' twice", v[i].path);
	out->v = v;
	out->n = k;
	return CU_OK;
}

static struct listed *find_listed(struct listing *l, const char *path)
{
	struct listed key;
	memset(&key, 0, sizeof(key));
	key.path = path;
	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_listed) : NULL;
}

/* Content root over files[] + derived[] as listed. */
static enum cu_status listing_root(const struct listing *l, unsigned char root[32], size_t *n,
				   struct cu_error *err)
{
	struct cu_content_file *cf = cu_calloc(l->n ? l->n : 1, sizeof(*cf));
	size_t k = 0;
	enum cu_status st;

	if (cf == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].list, "package_files") == 0)
			continue;
		cf[k].path = l->v[i].path;
		cf[k].size = l->v[i].size;
		cf[k].sha256 = l->v[i].sha256;
		k++;
	}
	st = cu_merkle_content_root(cf, k, root, err);
	free(cf);
	if (st == CU_OK)
		*n = k;
	return st;
}

/* ------------------------------------------------------------------ */
/* package                                                             */
/* ------------------------------------------------------------------ */

struct pkg {
	const char *path;
	const struct cu_verify_opts *o;
	struct cu_verify_report *r;
	zip_t *za;
	struct cu_hasher *h;     /* SHA-256 (+ SM3 on its worker) */
	struct cu_hasher *h_md5; /* MD5, on the ring's own thread */
	unsigned char *chunk, *ring;
	bool password_reported;
	unsigned long encrypted_skipped;
	/* Filled step by step by cu_verify_package. */
	bool stop; /* a check failed that the others depend on */
	zip_int64_t n;
	const char **names; /* entry names, in zip order (borrowed from libzip) */
	struct cu_error e;  /* last error of the name and manifest checks */
	struct cu_buf man_text, logbuf, small, sigbuf;
	json_t *man;
	struct listing l;
	unsigned char seal[32];
	char seal_hex[65], croot_hex[65];
	bool have_sig, have_tsq, have_tsr, log_seen;
	struct cu_zipmap map; /* the zip's own layout (check_zip_layout) */
	bool have_map, map_found_eocd;
	char map_err[CU_ERROR_MSG_MAX];
};

static bool is_fixed(const char *name)
{
	return strcmp(name, CU_PKG_MIMETYPE) == 0 || strcmp(name, CU_PKG_MANIFEST) == 0 ||
	       strcmp(name, CU_PKG_SIG) == 0 || strcmp(name, CU_PKG_TSQ) == 0 ||
	       strcmp(name, CU_PKG_TSR) == 0;
}

static zip_file_t *open_entry(struct pkg *p, zip_uint64_t i, const char *name)
{
	zip_file_t *zf = zip_fopen_index(p->za, i, 0);
	if (zf != NULL)
		return zf;
	int ze = zip_error_code_zip(zip_get_error(p->za));
	if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD) {
		p->r->need_password = true;
		p->encrypted_skipped++;
		if (!p->password_reported)
			check(p->r, UNREADABLE, "password",
			      ze == ZIP_ER_NOPASSWD
				  ? "entry '%s' is encrypted: give the package password "
				    "(CUSTOS_PACKAGE_PASSWORD or --password-file)"
				  : "entry '%s': wrong package password",
			      name);
		p->password_reported = true;
	} else {
		check(p->r, FAIL, "zip-structure", "entry '%s' cannot be opened: %s", name,
		      zip_strerror(p->za));
	}
	return NULL;
}

/* Reads a small entry whole (capped). */
static bool read_small(struct pkg *p, zip_uint64_t i, const char *name, size_t max,
		       struct cu_buf *out)
{
	zip_file_t *zf = open_entry(p, i, name);
	bool ok = true;

	if (zf == NULL)
		return false;
	cu_buf_reset(out);
	for (;;) {
		zip_int64_t got = zip_fread(zf, p->chunk, CHUNK);
		if (got < 0) {
			check(p->r, FAIL, "zip-structure", "entry '%s' cannot be read: %s", name,
			      zip_file_strerror(zf));
			ok = false;
			break;
		}
		if (got == 0)
			break;
		if (out->len + (size_t)got > max ||
		    cu_buf_append(out, p->chunk, (size_t)got, NULL) != CU_OK) {
			check(p->r, FAIL, "zip-structure", "entry '%s' is larger than %zu bytes",
			      name, max);
			ok = false;
			break;
		}
	}
	zip_fclose(zf);
	/* An empty member still reads as "" (data never NULL on success). */
	if (ok && out->data == NULL && cu_buf_grow(out, 0, NULL) != CU_OK)
		ok = false;
	return ok;
}

/*
 * Entry reading runs on three threads joined by a ring of NSLOT chunks:
 * a reader runs zip_fread (inflate + libzip's CRC check) into free slots,
 * an MD5 thread and the caller (SHA-256, and SM3 on the hasher's worker)
 * each walk the filled slots at their own pace; a slot is reused once both
 * have passed it. MD5 is the slowest digest, so it must never wait for
 * the others chunk by chunk: with the ring it only waits when the reader
 * is behind, and the other threads fill the second core meanwhile.
 */
#define NSLOT 8

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	zip_file_t *zf;
	unsigned char *mem; /* NSLOT * CHUNK */
	zip_int64_t len[NSLOT];
	uint64_t filled;  /* slots read so far */
	uint64_t used[2]; /* slots passed by the caller [0] and the MD5 thread [1] */
	bool stop;
	char errmsg[256];
	struct cu_hasher *md5;
	bool md5_failed;
	char md5err[CU_ERROR_MSG_MAX];
};

static unsigned char *slot_of(struct ring *rg, uint64_t seq)
{
	return rg->mem + (size_t)(seq % NSLOT) * CHUNK;
}

static void *ring_reader(void *arg)
{
	struct ring *rg = arg;

	for (uint64_t seq = 0;; seq++) {
		pthread_mutex_lock(&rg->mu);
		while (seq - (rg->used[0] < rg->used[1] ? rg->used[0] : rg->used[1]) >= NSLOT &&
		       !rg->stop)
			pthread_cond_wait(&rg->cv, &rg->mu);
		bool stop = rg->stop;
		pthread_mutex_unlock(&rg->mu);
		if (stop)
			break;
		zip_int64_t got = zip_fread(rg->zf, slot_of(rg, seq), CHUNK);
		pthread_mutex_lock(&rg->mu);
		rg->len[seq % NSLOT] = got;
		rg->filled = seq + 1;
		if (got < 0)
			snprintf(rg->errmsg, sizeof(rg->errmsg), "%s", zip_file_strerror(rg->zf));
		pthread_cond_broadcast(&rg->cv);
		pthread_mutex_unlock(&rg->mu);
		if (got <= 0)
			break;
	}
	return NULL;
}

/* Waits for slot seq; returns its length, or 0 at the end or on stop. */
static zip_int64_t ring_take(struct ring *rg, uint64_t seq)
{
	zip_int64_t got = 0;

	pthread_mutex_lock(&rg->mu);
	while (rg->filled <= seq && !rg->stop)
		pthread_cond_wait(&rg->cv, &rg->mu);
	if (rg->filled > seq)
		got = rg->len[seq % NSLOT];
	pthread_mutex_unlock(&rg->mu);
	return got;
}

static void ring_release(struct ring *rg, int who, uint64_t seq)
{
	pthread_mutex_lock(&rg->mu);
	rg->used[who] = seq + 1;
	pthread_cond_broadcast(&rg->cv);
	pthread_mutex_unlock(&rg->mu);
}

static void ring_stop(struct ring *rg)
{
	pthread_mutex_lock(&rg->mu);
	rg->stop = true;
	pthread_cond_broadcast(&rg->cv);
	pthread_mutex_unlock(&rg->mu);
}

static void *ring_md5(void *arg)
{
	struct ring *rg = arg;
	struct cu_error e;

	cu_error_clear(&e);
	for (uint64_t seq = 0;; seq++) {
		zip_int64_t got = ring_take(rg, seq);
		if (got <= 0)
			break;
		if (cu_hasher_update(rg->md5, slot_of(rg, seq), (size_t)got, &e) != CU_OK) {
			pthread_mutex_lock(&rg->mu);
			rg->md5_failed = true;
			snprintf(rg->md5err, sizeof(rg->md5err), "%s", e.msg);
			pthread_mutex_unlock(&rg->mu);
			ring_stop(rg);
			break;
		}
		ring_release(rg, 1, seq);
	}
	return NULL;
}

/* Streams one listed entry through the hashers and compares. When keep is
 * set the bytes are also collected (the custody log). */
static void check_entry(struct pkg *p, zip_uint64_t i, const char *name, struct listed *l,
			struct cu_buf *keep, uint64_t *bytes)
{
	struct cu_digests d, dm;
	struct cu_error e;
	struct ring rg;
	pthread_t th, tm;
	bool reader = false, md5er = false;
	zip_file_t *zf = open_entry(p, i, name);
	char ename[CU_PATH_MAX + 8];
	bool failed = false;
	uint64_t total = 0;

	snprintf(ename, sizeof(ename), "entry %s", name);
	if (zf == NULL)
		return;
	cu_error_clear(&e);
	if (cu_hasher_reset(p->h, &e) != CU_OK || cu_hasher_reset(p->h_md5, &e) != CU_OK) {
		check(p->r, FAIL, ename, "%s", e.msg);
		zip_fclose(zf);
		return;
	}
	memset(&rg, 0, sizeof(rg));
	rg.zf = zf;
	rg.mem = p->ring;
	rg.md5 = p->h_md5;
	pthread_mutex_init(&rg.mu, NULL);
	pthread_cond_init(&rg.cv, NULL);
	reader = pthread_create(&th, NULL, ring_reader, &rg) == 0;
	md5er = reader && pthread_create(&tm, NULL, ring_md5, &rg) == 0;
	if (!md5er) {
		check(p->r, FAIL, ename, "cannot start the reader threads");
		failed = true;
		ring_stop(&rg);
		goto join;
	}
	for (uint64_t seq = 0;; seq++) {
		zip_int64_t got = ring_take(&rg, seq);
		const unsigned char *buf = slot_of(&rg, seq);
		if (got < 0) {
			check(p->r, FAIL, ename, "'%s' cannot be read (damaged, CRC): %s", name,
			      rg.errmsg);
			failed = true;
			break;
		}
		if (got == 0)
			break;
		/* Stop a decompression bomb early: never read past the listed size. */
		total += (uint64_t)got;
		if (total > l->size) {
			check(p->r, FAIL, ename,
			      "'%s' is larger than the %llu bytes manifest.json lists: stopped",
			      name, (unsigned long long)l->size);
			failed = true;
			break;
		}
		if (cu_hasher_update(p->h, buf, (size_t)got, &e) != CU_OK) {
			check(p->r, FAIL, ename, "%s", e.msg);
			failed = true;
			break;
		}
		if (keep != NULL && (keep->len + (size_t)got > CU_PKG_CUSTODY_MAX ||
				     cu_buf_append(keep, buf, (size_t)got, NULL) != CU_OK)) {
			check(p->r, FAIL, ename, "'%s' is too large to check", name);
			keep = NULL;
		}
		ring_release(&rg, 0, seq);
	}
	ring_stop(&rg);
join:
	if (md5er)
		pthread_join(tm, NULL);
	if (reader)
		pthread_join(th, NULL);
	pthread_cond_destroy(&rg.cv);
	pthread_mutex_destroy(&rg.mu);
	zip_fclose(zf);
	if (!failed && rg.md5_failed) {
		check(p->r, FAIL, ename, "%s", rg.md5err);
		failed = true;
	}
	if (failed)
		return;
	if (cu_hasher_final(p->h, &d, &e) != CU_OK || cu_hasher_final(p->h_md5, &dm, &e) != CU_OK) {
		check(p->r, FAIL, ename, "%s", e.msg);
		return;
	}
	*bytes += d.size;
	if (d.size != l->size || dm.size != d.size)
		check(p->r, FAIL, ename, "'%s' is %llu bytes, manifest.json says %llu", name,
		      (unsigned long long)d.size, (unsigned long long)l->size);
	else if (strcmp(d.sha256, l->sha256) != 0)
		check(p->r, FAIL, ename, "'%s' sha256 mismatch: is %s, manifest.json says %s", name,
		      d.sha256, l->sha256);
	else if (strcmp(dm.md5, l->md5) != 0)
		check(p->r, FAIL, ename, "'%s' md5 mismatch: is %s, manifest.json says %s", name,
		      dm.md5, l->md5);
	else if (l->sm3 != NULL && strcmp(d.sm3, l->sm3) != 0)
		check(p->r, FAIL, ename, "'%s' sm3 mismatch: is %s, manifest.json says %s", name,
		      d.sm3, l->sm3);
}

/* The outer SHA-256 of the whole package file runs on its own thread while
 * the entries are checked (it reads the file independently). */
struct outer {
	const char *path;
	char want[65];
	char from[CU_PATH_MAX];
	bool started, inline_done;
	pthread_t th;
	struct cu_digests d;
	struct cu_error e;
	enum cu_status st;
};

static void *outer_main(void *arg)
{
	struct outer *o = arg;
	o->st = cu_hash_file(o->path, CU_HASH_SHA256, &o->d, &o->e);
	return NULL;
}

static void outer_begin(struct pkg *p, struct outer *o)
{
	struct cu_buf side = CU_BUF_INIT, sp = CU_BUF_INIT;

	memset(o, 0, sizeof(*o));
	o->path = p->path;
	cu_error_clear(&o->e);
	if (p->o->expect_sha256 != NULL) {
		snprintf(o->want, sizeof(o->want), "%s", p->o->expect_sha256);
		snprintf(o->from, sizeof(o->from), "--expect-sha256");
	} else if (cu_buf_printf(&sp, NULL, "%s.sha256", p->path) == CU_OK &&
		   cu_file_exists(sp.data)) {
		if (cu_file_read_all(sp.data, 4096, &side, &o->e) != CU_OK || side.len < 64) {
			check(p->r, FAIL, "outer-hash", "sidecar '%s' is unreadable or too short",
			      sp.data);
			goto out;
		}
		memcpy(o->want, side.data, 64);
		o->want[64] = '\0';
		snprintf(o->from, sizeof(o->from), "%s", sp.data);
	} else {
		check(p->r, WARN, "outer-hash",
		      "no '%s.sha256' beside the package and no --expect-sha256: not checked",
		      p->path);
		goto out;
	}
	for (char *c = o->want; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	if (pthread_create(&o->th, NULL, outer_main, o) == 0) {
		o->started = true;
	} else {
		outer_main(o);
		o->inline_done = true;
	}
out:
	cu_buf_release(&side);
	cu_buf_release(&sp);
}

static void outer_end(struct pkg *p, struct outer *o)
{
	if (o->started)
		pthread_join(o->th, NULL);
	else if (!o->inline_done)
		return;
	if (o->st != CU_OK)
		check(p->r, UNREADABLE, "outer-hash", "%s", o->e.msg);
	else if (strcmp(o->d.sha256, o->want) == 0)
		check(p->r, PASS, "outer-hash", "%s matches %s", o->d.sha256, o->from);
	else
		check(p->r, FAIL, "outer-hash", "package '%s' is %s but %s says %s", p->path,
		      o->d.sha256, o->from, o->want);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_custody(struct pkg *p, const json_t *man, const struct cu_buf *log,
			  const char *content_root_hex)
{
	struct cu_custody_check chk;
	struct cu_error e;
	const json_t *cu = json_object_get(man, "custody");
	const char *head = json_string_value(json_object_get(cu, "head"));
	const char *root = json_string_value(json_object_get(cu, "root"));
	json_int_t size = json_integer_value(json_object_get(cu, "size"));
	char hh[65], rh[65];

	cu_error_clear(&e);
	if (cu_custody_verify_buf(log->data ? log->data : "", log->len, CU_PKG_CUSTODY,
				  p->o->pubkey, &chk, &e) != CU_OK) {
		check(p->r, FAIL, "custody-chain", "%s", e.msg);
		return;
	}
	cu_hex(chk.head, 32, hh);
	cu_hex(chk.root, 32, rh);
	check(p->r, PASS, "custody-chain",
	      "custody/log.jsonl: %llu entries chain from seq 0, %llu signed, %llu signatures "
	      "not checked (other key or none given)",
	      (unsigned long long)chk.entries, (unsigned long long)chk.signed_entries,
	      (unsigned long long)chk.unverified_signatures);
	if (head == NULL || root == NULL || (uint64_t)size != chk.entries ||
	    strcmp(head, hh) != 0 || strcmp(root, rh) != 0)
		check(p->r, FAIL, "custody-head",
		      "custody/log.jsonl has %llu entries, head %s, root %s; manifest.json says "
		      "%lld, %s, %s (log truncated, extended or replaced)",
		      (unsigned long long)chk.entries, hh, rh, (long long)size,
		      head ? head : "null", root ? root : "null");
	else
		check(p->r, PASS, "custody-head", "head %s and root %s equal manifest.json's", hh,
		      rh);

	/* The last entry must be this package's SEAL, naming its content root. */
	const char *end = log->data + log->len, *last = log->data;
	for (const char *c = log->data; c + 1 < end; c++)
		if (*c == '\n')
			last = c + 1;
	json_t *line = NULL;
	if (log->len > 0 &&
	    cu_json_load_str(last, (size_t)(end - last), "custody line", &line, NULL) == CU_OK) {
		const json_t *b = json_object_get(line, "body");
		const char *ev = json_string_value(json_object_get(b, "event"));
		const char *cr = json_string_value(json_object_get(
		    json_object_get(json_object_get(b, "details"), "content_root"), "root"));
		if (ev == NULL || strcmp(ev, "SEAL") != 0)
			check(p->r, FAIL, "custody-seal",
			      "last entry of custody/log.jsonl is '%s', not SEAL", ev ? ev : "?");
		else if (cr == NULL || content_root_hex == NULL ||
			 strcmp(cr, content_root_hex) != 0)
			check(p->r, FAIL, "custody-seal",
			      "SEAL entry names content root %s, manifest.json has %s",
			      cr ? cr : "null", content_root_hex ? content_root_hex : "null");
		else
			check(p->r, PASS, "custody-seal", "SEAL entry names content root %s", cr);
		json_decref(line);
	} else {
		check(p->r, FAIL, "custody-seal", "last line of custody/log.jsonl does not parse");
	}
}

/* ------------------------------------------------------------------ */
/* the zip's own bytes: layout and entry order                         */
/* ------------------------------------------------------------------ */

/* The zip's layout read from its bytes before libzip opens it (zipmap.c):
 * nothing before, between or after the entries. A file with no end record
 * at all is left to libzip's open (not a ZIP: exit 3). */
static enum cu_status check_zip_layout(struct pkg *p, struct cu_error *err)
{
	struct cu_verify_report *r = p->r;
	struct cu_zipmap *m = &p->map;
	struct cu_error e;
	enum cu_status st;

	cu_error_clear(&e);
	st = cu_zipmap_read_file(p->path, m, &e);
	if (st == CU_E_NOMEM) {
		cu_zipmap_release(m);
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	}
	if (st == CU_E_FORMAT || st == CU_E_IO) {
		snprintf(p->map_err, sizeof(p->map_err), "%s", e.msg);
		cu_zipmap_release(m);
		return CU_OK;
	}
	p->map_found_eocd = true;
	if (st != CU_OK) {
		check(r, FAIL, "zip-layout", "%s", e.msg);
		cu_zipmap_release(m);
		return CU_OK;
	}
	p->have_map = true;
	for (size_t i = 0; i < m->nissues && i < CU_ZIPMAP_MAX_ISSUES; i++)
		check(r, FAIL, "zip-layout", "'%s': %s", p->path, m->issues[i]);
	if (m->nissues > CU_ZIPMAP_MAX_ISSUES)
		check(r, FAIL, "zip-layout", "'%s': %zu more layout findings not shown", p->path,
		      m->nissues - CU_ZIPMAP_MAX_ISSUES);
	if (m->nissues == 0)
		check(r, PASS, "zip-layout",
		      "%zu local entries one after the other from offset 0, the central "
		      "directory, %sthe end record and its %zu-byte comment: all %llu bytes "
		      "accounted for",
		      m->n, m->zip64 ? "the ZIP64 end record and locator, " : "", m->comment_len,
		      (unsigned long long)m->file_size);
	return CU_OK;
}

static bool in_sorted(const char *const *v, size_t n, const char *name)
{
	return n > 0 && bsearch(&name, v, n, sizeof(*v), cmp_cstr) != NULL;
}

/* The entries in the order seal writes them (docs/package.md): mimetype,
 * manifest.json, manifest.json.sig, manifest.json.tsq, custody/log.jsonl,
 * files[] then derived[] as listed, the other package_files[] as listed;
 * a manifest.json.tsr added after sealing comes last. Entries missing or
 * unexpected are the entries check's; this one compares the order of the
 * others. */
static void check_entry_order(struct pkg *p)
{
	static const char *const head[] = {CU_PKG_MIMETYPE, CU_PKG_MANIFEST, CU_PKG_SIG, CU_PKG_TSQ,
					   CU_PKG_CUSTODY};
	static const char *const lists[] = {"files", "derived", "package_files"};
	struct cu_verify_report *r = p->r;
	const char **want = NULL, **have = NULL, **swant = NULL, **shave = NULL;
	size_t nw = 0, nh = 0, cap = 6, k = 0, j = 0;

	if (!p->have_map && !p->map_found_eocd) {
		/* libzip opened what the layout reader could not. */
		check(r, FAIL, "zip-layout", "'%s': %s", p->path, p->map_err);
		return;
	}
	nh = p->have_map ? p->map.n : (size_t)p->n;
	for (size_t l = 0; l < 3; l++)
		cap += json_array_size(json_object_get(p->man, lists[l]));
	want = cu_calloc(cap, sizeof(*want));
	swant = cu_calloc(cap, sizeof(*swant));
	have = cu_calloc(nh ? nh : 1, sizeof(*have));
	shave = cu_calloc(nh ? nh : 1, sizeof(*shave));
	if (want == NULL || swant == NULL || have == NULL || shave == NULL) {
		check(r, UNREADABLE, "entry-order", "verify: out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		want[nw++] = head[i];
	for (size_t l = 0; l < 3; l++) {
		const json_t *row;
		size_t i;
		json_array_foreach(json_object_get(p->man, lists[l]), i, row)
		{
			const char *path = json_string_value(json_object_get(row, "path"));
			if (path != NULL && strcmp(path, CU_PKG_CUSTODY) != 0 && nw < cap - 1)
				want[nw++] = path;
		}
	}
	want[nw++] = CU_PKG_TSR;
	for (size_t i = 0; i < nh; i++)
		have[i] = p->have_map ? p->map.e[i].name : p->names[i];
	memcpy(swant, want, nw * sizeof(*want));
	memcpy(shave, have, nh * sizeof(*have));
	qsort(swant, nw, sizeof(*swant), cmp_cstr);
	if (nh > 1)
		qsort(shave, nh, sizeof(*shave), cmp_cstr);
	/* Walk both sequences, each restricted to the names the other has. */
	for (;;) {
		while (k < nw && !in_sorted(shave, nh, want[k]))
			k++;
		while (j < nh && !in_sorted(swant, nw, have[j]))
			j++;
		if (k == nw || j == nh)
			break;
		if (strcmp(want[k], have[j]) != 0) {
			check(r, FAIL, "entry-order",
			      "entry %zu of '%s' is '%s' where seal writes '%s' (entries reordered "
			      "or rewritten)",
			      j + 1, p->path, have[j], want[k]);
			goto out;
		}
		k++;
		j++;
	}
	check(r, PASS, "entry-order", "%zu entries in the order seal writes them", nh);
out:
	free(want);
	free(swant);
	free(have);
	free(shave);
}

/* The input is a readable file, the outer hash starts on its thread, and
 * libzip opens it; a failure is a check, and stops the others. */
static enum cu_status open_package(struct pkg *p, struct outer *outer, struct cu_error *err)
{
	struct cu_verify_report *r = p->r;
	const char *path = p->path;
	struct stat sb;
	zip_int64_t n;
	int zerr = 0;
	enum cu_status st;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || access(path, R_OK) != 0) {
		check(r, UNREADABLE, "input", "cannot read package '%s': %s", path,
		      strerror(errno ? errno : EINVAL));
		p->stop = true;
		return CU_OK;
	}
	outer_begin(p, outer);
	if ((st = check_zip_layout(p, err)) != CU_OK)
		return st;

	p->za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	/* libzip refuses duplicate names only when checking consistency:
	 * reopen so the name check below can say which name repeats. */
	if (p->za == NULL && zerr == ZIP_ER_EXISTS)
		p->za = zip_open(path, ZIP_RDONLY, &zerr);
	if (p->za == NULL) {
		zip_error_t ze;
		unsigned char magic[4] = {0};
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			size_t got = 0;
			/* Only sniffing the magic: a short or failed read leaves
			 * zeros, which is read as "not a ZIP" below. */
			if (cu_read_full(fd, magic, 4, &got, path, NULL) != CU_OK)
				memset(magic, 0, sizeof(magic));
			close(fd);
		}
		zip_error_init_with_code(&ze, zerr);
		/* It began as a ZIP: damaged or truncated is an integrity
		 * failure; anything else is simply not a package. */
		check(r,
		      memcmp(magic, "PK\x03\x04", 4) == 0 || p->map_found_eocd ? FAIL : UNREADABLE,
		      "zip-structure",
		      "'%s' is not a readable ZIP archive (damaged or truncated?): %s", path,
		      zip_error_strerror(&ze));
		zip_error_fini(&ze);
		p->stop = true;
		return CU_OK;
	}
	if (p->o->password != NULL)
		zip_set_default_password(p->za, p->o->password);
	if ((p->chunk = cu_malloc(CHUNK)) == NULL || (p->ring = cu_malloc(NSLOT * CHUNK)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	n = zip_get_num_entries(p->za, 0);
	p->n = n;
	r->entries = n > 0 ? (uint64_t)n : 0;
	return CU_OK;
}

/* Names: safe, unique. */
static enum cu_status check_entry_names(struct pkg *p, struct cu_error *err)
{
	struct cu_verify_report *r = p->r;
	zip_int64_t n = p->n;
	const char **sorted = NULL;
	bool bad = false;

	p->names = cu_calloc(n > 0 ? (size_t)n : 1, sizeof(*p->names));
	if (p->names == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	for (zip_int64_t i = 0; i < n; i++) {
		const char *nm = zip_get_name(p->za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		p->names[i] = nm ? nm : "";
		if (nm == NULL || cu_path_check_relative(nm, strlen(nm), &p->e) != CU_OK) {
			check(r, FAIL, "entry-names", "entry %lld has an unsafe name '%s': %s",
			      (long long)i, p->names[i], p->e.msg);
			bad = true;
		}
	}
	sorted = cu_calloc(n > 0 ? (size_t)n : 1, sizeof(*sorted));
	if (sorted == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	memcpy(sorted, p->names, (size_t)(n > 0 ? n : 0) * sizeof(*sorted));
	if (n > 1)
		qsort(sorted, (size_t)n, sizeof(*sorted), cmp_cstr);
	for (zip_int64_t i = 1; i < n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0) {
			check(r, FAIL, "entry-names", "entry name '%s' appears twice", sorted[i]);
			bad = true;
		}
	free(sorted);
	if (!bad)
		check(r, PASS, "entry-names", "%lld entries, names unique, relative, without '..'",
		      (long long)n);
	return CU_OK;
}

/* mimetype: first, stored, exact. */
static void check_mimetype(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	zip_stat_t zs;

	zip_stat_init(&zs);
	if (p->n < 1 || strcmp(p->names[0], CU_PKG_MIMETYPE) != 0 ||
	    zip_stat_index(p->za, 0, 0, &zs) != 0 || zs.comp_method != ZIP_CM_STORE ||
	    zs.encryption_method != ZIP_EM_NONE)
		check(r, FAIL, "mimetype", "first entry is '%s', not a stored 'mimetype'",
		      p->n > 0 ? p->names[0] : "(none)");
	else if (!read_small(p, 0, CU_PKG_MIMETYPE, 256, &p->small) ||
		 strcmp(p->small.data, CU_PACKAGE_MIMETYPE) != 0)
		check(r, FAIL, "mimetype", "mimetype is '%s', not '%s'",
		      p->small.data ? p->small.data : "", CU_PACKAGE_MIMETYPE);
	else
		check(r, PASS, "mimetype", "%s", CU_PACKAGE_MIMETYPE);
}

/* The zip comment carries the seal hash. */
static void check_comment(struct pkg *p)
{
	int clen = 0;
	const char *cm;
	char want[80];

	/* The comment as the end record declares it, byte for byte. */
	if (p->have_map) {
		cm = p->map.comment;
		clen = (int)p->map.comment_len;
	} else {
		cm = zip_get_archive_comment(p->za, &clen, ZIP_FL_ENC_RAW);
	}

	snprintf(want, sizeof(want), "CUSTOS1 %s", p->seal_hex);
	if (cm != NULL && (size_t)clen == strlen(want) && memcmp(cm, want, (size_t)clen) == 0)
		check(p->r, PASS, "zip-comment", "CUSTOS1 %s equals SHA-256(manifest.json)",
		      p->seal_hex);
	else
		check(p->r, FAIL, "zip-comment",
		      "zip comment '%.*s' does not equal 'CUSTOS1 ' + SHA-256(manifest.json) = %s "
		      "(manifest.json changed?)",
		      cm ? (clen > 80 ? 80 : clen) : 0, cm ? cm : "", p->seal_hex);
}

/* manifest.json and the seal hash, then the zip comment. Without a
 * manifest nothing else can be checked. */
static void check_manifest(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	zip_int64_t mi = zip_name_locate(p->za, CU_PKG_MANIFEST, 0);

	if (mi < 0) {
		check(r, FAIL, "manifest", "the package has no manifest.json");
		p->stop = true;
		return;
	}
	if (!read_small(p, (zip_uint64_t)mi, CU_PKG_MANIFEST, CU_PKG_MANIFEST_MAX, &p->man_text)) {
		p->stop = true;
		return;
	}
	cu_sha256(p->man_text.data, p->man_text.len, p->seal);
	cu_hex(p->seal, 32, p->seal_hex);
	memcpy(r->seal_hash, p->seal_hex, 65);
	if (cu_json_load_str(p->man_text.data, p->man_text.len, CU_PKG_MANIFEST, &p->man, &p->e) !=
		CU_OK ||
	    !json_is_object(p->man))
		check(r, FAIL, "manifest", "manifest.json does not parse: %s", p->e.msg);
	else
		check(r, PASS, "manifest", "manifest.json parses; seal hash %s", p->seal_hex);
	check_comment(p);
	if (p->man == NULL)
		p->stop = true;
}

/* The listing of manifest.json and the hashers for the entries: SM3 only
 * when the manifest carries it (it is the slowest digest). */
static enum cu_status start_hashers(struct pkg *p, struct cu_error *err)
{
	unsigned algs = CU_HASH_SHA256;
	enum cu_status st;

	if ((st = build_listing(p->man, p->r, &p->l, err)) != CU_OK)
		return st;
	for (size_t i = 0; i < p->l.n; i++)
		if (p->l.v[i].sm3 != NULL)
			algs |= CU_HASH_SM3;
	if ((st = cu_hasher_new(algs, CU_HASHER_THREADED, &p->h, err)) != CU_OK)
		return st;
	return cu_hasher_new(CU_HASH_MD5, 0, &p->h_md5, err);
}

/* The timestamp request and response entries, by name. */
static void check_tsq_entry(struct pkg *p, zip_uint64_t u, const char *nm)
{
	struct cu_error e;

	cu_error_clear(&e);
	if (!read_small(p, u, nm, 1 << 16, &p->small))
		return;
	p->have_tsq = true;
	if (cu_seal_tsq_check(p->small.data, p->small.len, p->seal, &e) != CU_OK)
		check(p->r, FAIL, "timestamp-request", "%s", e.msg);
	else
		check(p->r, PASS, "timestamp-request",
		      "manifest.json.tsq asks to stamp SHA-256(manifest.json)");
}

static void check_tsr_entry(struct pkg *p, zip_uint64_t u, const char *nm)
{
	struct cu_buf det = CU_BUF_INIT;
	struct cu_error e;

	cu_error_clear(&e);
	if (!read_small(p, u, nm, 1 << 20, &p->small))
		return;
	p->have_tsr = true;
	if (cu_seal_tsr_check(p->small.data, p->small.len, p->seal, p->o->tsa_ca, &det, &e) !=
	    CU_OK)
		check(p->r, FAIL, "timestamp", "%s: %s", nm, e.msg);
	else
		check(p->r, PASS, "timestamp", "%s: %s", nm, det.data);
	cu_buf_release(&det);
}

/* Every entry: fixed names, or listed with matching digests. */
static void check_entries(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	unsigned long bad_before = r->failures;
	uint64_t bytes = 0;

	for (zip_int64_t i = 0; i < p->n; i++) {
		const char *nm = p->names[i];
		zip_uint64_t u = (zip_uint64_t)i;
		if (strcmp(nm, CU_PKG_SIG) == 0) {
			p->have_sig = read_small(p, u, nm, 4096, &p->sigbuf);
			continue;
		}
		if (strcmp(nm, CU_PKG_TSQ) == 0) {
			check_tsq_entry(p, u, nm);
			continue;
		}
		if (strcmp(nm, CU_PKG_TSR) == 0 && p->o->tsr == NULL) {
			check_tsr_entry(p, u, nm);
			continue;
		}
		if (is_fixed(nm))
			continue;
		struct listed *le = find_listed(&p->l, nm);
		if (le == NULL) {
			check(r, FAIL, "entries",
			      "unexpected entry '%s': not listed in manifest.json", nm);
			continue;
		}
		if (le->seen)
			continue;
		le->seen = true;
		bool is_log = strcmp(nm, CU_PKG_CUSTODY) == 0;
		check_entry(p, u, nm, le, is_log ? &p->logbuf : NULL, &bytes);
		if (is_log && p->logbuf.data != NULL)
			p->log_seen = true;
		else if (is_log && !p->r->need_password)
			p->log_seen = p->logbuf.len == 0 && le->size == 0;
	}
	for (size_t i = 0; i < p->l.n; i++)
		if (!p->l.v[i].seen)
			check(r, FAIL, "entries",
			      "entry '%s' listed in manifest.json %s[] is missing from the "
			      "package",
			      p->l.v[i].path, p->l.v[i].list);
	r->bytes = bytes;
	if (r->failures != bad_before)
		return;
	if (p->encrypted_skipped > 0)
		check(r, UNREADABLE, "files",
		      "%lu encrypted entries not checked (no or wrong password)",
		      p->encrypted_skipped);
	else
		check(r, PASS, "files",
		      "%zu listed entries, %llu bytes: size, SHA-256, MD5 (and SM3) "
		      "match manifest.json; CRCs good",
		      p->l.n, (unsigned long long)bytes);
}

/* content_root over files[] + derived[] as listed. */
static void check_content_root(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	const json_t *cr = json_object_get(p->man, "content_root");
	const char *want = json_string_value(json_object_get(cr, "root"));
	json_int_t wsize = json_integer_value(json_object_get(cr, "size"));
	unsigned char root[32];
	size_t k = 0;
	struct cu_error e;

	cu_error_clear(&e);
	if (listing_root(&p->l, root, &k, &e) != CU_OK) {
		check(r, FAIL, "content-root", "%s", e.msg);
		return;
	}
	cu_hex(root, 32, p->croot_hex);
	memcpy(r->content_root, p->croot_hex, 65);
	if (want == NULL || strcmp(want, p->croot_hex) != 0 || (size_t)wsize != k)
		check(r, FAIL, "content-root",
		      "files[] + derived[] give root %s over %zu files; "
		      "manifest.json content_root says %s over %lld",
		      p->croot_hex, k, want ? want : "null", (long long)wsize);
	else
		check(r, PASS, "content-root", "%s over %zu files", p->croot_hex, k);
}

/* The living log beside the package continues the sealed one. */
static void check_living_log(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	struct cu_buf lp = CU_BUF_INIT, live = CU_BUF_INIT;
	struct cu_custody_check chk;
	struct cu_error e;

	if (cu_buf_printf(&lp, NULL, "%s.custody.jsonl", p->path) != CU_OK ||
	    !cu_file_exists(lp.data))
		goto out;
	cu_error_clear(&e);
	if (cu_file_read_all(lp.data, CU_PKG_CUSTODY_MAX, &live, &e) != CU_OK)
		check(r, UNREADABLE, "living-log", "%s", e.msg);
	else if (live.len < p->logbuf.len || memcmp(live.data, p->logbuf.data, p->logbuf.len) != 0)
		check(r, FAIL, "living-log",
		      "'%s' does not start with the sealed custody/log.jsonl "
		      "(rewritten or replaced)",
		      lp.data);
	else if (cu_custody_verify_buf(live.data, live.len, lp.data, p->o->pubkey, &chk, &e) !=
		 CU_OK)
		check(r, FAIL, "living-log", "%s", e.msg);
	else
		check(r, PASS, "living-log",
		      "'%s': the sealed log plus %llu later entries, chain intact", lp.data,
		      (unsigned long long)(chk.entries -
					   (uint64_t)json_integer_value(json_object_get(
					       json_object_get(p->man, "custody"), "size"))));
out:
	cu_buf_release(&lp);
	cu_buf_release(&live);
}

/* manifest.initial.json, when packed, is the manifest CASE_INIT names. */
static void check_initial_manifest(struct pkg *p)
{
	struct listed *l = find_listed(&p->l, CU_CASE_MANIFEST_INITIAL);
	char hex[65];
	struct cu_error e;

	if (l == NULL || l->sha256 == NULL)
		return; /* packages sealed before it was kept */
	if (cu_custody_initial_manifest(p->logbuf.data, p->logbuf.len, CU_PKG_CUSTODY, hex, &e) !=
	    CU_OK)
		check(p->r, FAIL, "manifest-initial", "%s", e.msg);
	else if (strcmp(hex, l->sha256) != 0)
		check(p->r, FAIL, "manifest-initial",
		      "manifest.initial.json (sha256 %s) is not the manifest CASE_INIT names (%s)",
		      l->sha256, hex);
	else
		check(p->r, PASS, "manifest-initial", "manifest.initial.json is CASE_INIT's %s",
		      hex);
}

/* The custody log in the package, then the living one beside it. */
static void check_package_custody(struct pkg *p)
{
	if (p->log_seen)
		check_custody(p, p->man, &p->logbuf, p->croot_hex[0] ? p->croot_hex : NULL);
	else if (!p->r->need_password && find_listed(&p->l, CU_PKG_CUSTODY) == NULL)
		check(p->r, FAIL, "custody-chain", "the package has no custody/log.jsonl");
	if (p->log_seen) {
		check_living_log(p);
		check_initial_manifest(p);
	}
}

/* The SEAL entry signed by the --pubkey key: its body chains every entry
 * before it, so with the manifest signature it pins the whole record. */
struct seal_sig {
	bool seen;
	const char *want;
	char key_id[80];
};

static enum cu_status note_seal(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct seal_sig *s = ctx;
	const char *ev =
	    json_string_value(json_object_get(json_object_get(e->json, "body"), "event"));
	const char *kid =
	    json_string_value(json_object_get(json_object_get(e->json, "sig"), "key_id"));

	(void)err;
	if (ev == NULL || strcmp(ev, "SEAL") != 0)
		return CU_OK;
	s->seen = true;
	snprintf(s->key_id, sizeof(s->key_id), "%s", kid ? kid : "");
	return CU_OK;
}

static void check_seal_signature(struct pkg *p)
{
	struct seal_sig ss = {0};
	struct cu_signer *k = NULL;
	struct cu_custody_check chk;
	struct cu_error e;

	if (p->o->pubkey == NULL || !p->log_seen)
		return;
	cu_error_clear(&e);
	if (cu_signer_load_public(p->o->pubkey, &k, &e) != CU_OK) {
		check(p->r, UNREADABLE, "seal-signature", "%s", e.msg);
		return;
	}
	/* The walk checks every signature by this key (a bad one fails it);
	 * what is left to ask is whether SEAL carries one. */
	if (cu_custody_each_buf(p->logbuf.data ? p->logbuf.data : "", p->logbuf.len, CU_PKG_CUSTODY,
				p->o->pubkey, note_seal, &ss, &chk, &e) != CU_OK)
		check(p->r, FAIL, "seal-signature", "%s", e.msg);
	else if (!ss.seen)
		check(p->r, FAIL, "seal-signature", "custody/log.jsonl has no SEAL entry");
	else if (ss.key_id[0] == '\0')
		check(p->r, FAIL, "seal-signature",
		      "the SEAL entry is unsigned, but --pubkey %s was given: the seal is not "
		      "signed by that key",
		      p->o->pubkey);
	else if (strcmp(ss.key_id, cu_signer_key_id(k)) != 0)
		check(p->r, FAIL, "seal-signature",
		      "the SEAL entry is signed by %s, not by the --pubkey key %s", ss.key_id,
		      cu_signer_key_id(k));
	else
		check(p->r, PASS, "seal-signature", "the SEAL entry is signed by %s",
		      cu_signer_key_id(k));
	cu_signer_free(k);
}

/* signature */
static void check_signature(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	const struct cu_verify_opts *opts = p->o;
	const json_t *sigs = json_object_get(p->man, "signatures");
	const char *kid = json_string_value(json_object_get(json_array_get(sigs, 0), "key_id"));
	struct cu_signer *s = NULL;
	struct cu_error e;
	enum cu_status vst;

	if (!p->have_sig && json_array_size(sigs) > 0) {
		check(r, FAIL, "signature",
		      "manifest.json lists a signature by %s but manifest.json.sig is missing",
		      kid ? kid : "?");
		return;
	}
	if (!p->have_sig) {
		/* A key given is a question: was this sealed by that key? An
		 * unsigned package cannot answer yes. */
		if (opts->pubkey != NULL)
			check(r, FAIL, "signature",
			      "package is unsigned (no manifest.json.sig), but --pubkey %s was "
			      "given: nothing in it is signed by that key",
			      opts->pubkey);
		else
			check(r, WARN, "signature", "package is unsigned (no manifest.json.sig)");
		return;
	}
	if (opts->pubkey == NULL) {
		check(r, WARN, "signature",
		      "manifest.json.sig present (key %s) but no --pubkey given: not checked",
		      kid ? kid : "?");
		return;
	}
	cu_error_clear(&e);
	if (cu_signer_load_public(opts->pubkey, &s, &e) != CU_OK)
		check(r, UNREADABLE, "signature", "%s", e.msg);
	else if ((vst = cu_signer_verify(s, p->man_text.data, p->man_text.len,
					 (const unsigned char *)p->sigbuf.data, p->sigbuf.len,
					 &e)) == CU_E_INTEGRITY)
		check(r, FAIL, "signature", "manifest.json.sig does not verify with key %s (%s)",
		      cu_signer_key_id(s), opts->pubkey);
	else if (vst != CU_OK)
		check(r, UNREADABLE, "signature", "manifest.json.sig could not be checked: %s",
		      e.msg);
	else if (kid != NULL && strcmp(kid, cu_signer_key_id(s)) != 0)
		check(r, FAIL, "signature",
		      "manifest.json.sig verifies with %s but manifest.json names key %s",
		      cu_signer_key_id(s), kid);
	else
		check(r, PASS, "signature", "manifest.json.sig verifies with key %s",
		      cu_signer_key_id(s));
	cu_signer_free(s);
}

/* timestamps: the request in the package, a response given or packed. */
static void check_timestamps(struct pkg *p)
{
	struct cu_verify_report *r = p->r;
	const struct cu_verify_opts *opts = p->o;
	struct cu_buf t = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_error e;

	if (!p->have_tsq)
		check(r, json_array_size(json_object_get(p->man, "timestamps")) > 0 ? FAIL : WARN,
		      "timestamp-request", "the package has no manifest.json.tsq");
	if (opts->tsr == NULL) {
		if (!p->have_tsr)
			check(r, WARN, "timestamp",
			      "no timestamp response (.tsr) in the package or given");
		return;
	}
	cu_error_clear(&e);
	if (cu_file_read_all(opts->tsr, 1 << 20, &t, &e) != CU_OK)
		check(r, UNREADABLE, "timestamp", "%s", e.msg);
	else if (cu_seal_tsr_check(t.data, t.len, p->seal, opts->tsa_ca, &det, &e) != CU_OK)
		check(r, FAIL, "timestamp", "%s: %s", opts->tsr, e.msg);
	else
		check(r, PASS, "timestamp", "%s: %s", opts->tsr, det.data);
	cu_buf_release(&t);
	cu_buf_release(&det);
}

/* Every acquisition the sealed manifest lists finished (complete or
 * partial): a package sealed with an unfinished one (--allow-incomplete)
 * fails here, so it is never taken for a whole acquisition. */
static void check_acquisitions(struct pkg *p)
{
	struct cu_buf list = CU_BUF_INIT;
	json_t *u = cu_chain_unfinished(p->man);

	if (u == NULL) {
		check(p->r, UNREADABLE, "acquisitions", "out of memory");
		return;
	}
	if (json_array_size(u) == 0) {
		check(p->r, PASS, "acquisitions", "%zu acquisitions, all finished",
		      json_array_size(json_object_get(p->man, "acquisitions")));
	} else {
		cu_chain_unfinished_text(u, &list);
		check(p->r, FAIL, "acquisitions", "%s: the package holds unfinished acquisitions%s",
		      list.data ? list.data : "",
		      json_is_true(
			  json_object_get(json_object_get(p->man, "sealed"), "allow_incomplete"))
			  ? " (sealed with --allow-incomplete)"
			  : "");
	}
	cu_buf_release(&list);
	json_decref(u);
}

static void pkg_release(struct pkg *p)
{
	cu_zipmap_release(&p->map);
	if (p->za != NULL)
		zip_discard(p->za);
	cu_hasher_free(p->h);
	cu_hasher_free(p->h_md5);
	free(p->chunk);
	free(p->ring);
	free(p->names);
	free(p->l.v);
	json_decref(p->man);
	cu_buf_release(&p->man_text);
	cu_buf_release(&p->logbuf);
	cu_buf_release(&p->small);
	cu_buf_release(&p->sigbuf);
}

/* ------------------------------------------------------------------ */
/* a plain package in one forward pass (no libzip)                     */
/* ------------------------------------------------------------------ */

/*
 * The central directory is walked record by record (zipmap.c, struct
 * cu_zipwalk) in step with the local entries, and manifest.json is read
 * as a stream: inflated to an unlinked temporary file while its SHA-256
 * (the seal hash) is taken, then scanned once for the byte spans of its
 * top-level keys and of every element of files[], derived[] and
 * package_files[] (an index of spans in a second temporary file). Each
 * element is parsed on its own (jansson) when it is needed; the other
 * top-level values, all small, make the in-memory manifest the later
 * checks read. Entry k of the package is compared with the k-th name seal
 * writes (docs/package.md "Canonical entry order"), so nothing holds every
 * file: a bit per listed row says whether it was seen.
 */

#define MAN_SPOOL_MAX ((uint64_t)8 << 30) /* manifest.json spooled to disk */
#define ROW_MAX       ((size_t)1 << 20)   /* one element of a list */
#define TOP_MAX       ((size_t)64 << 20)  /* one other top-level value */
#define SPOOL_WIN     ROW_MAX             /* a window on the spool */
#define INDEX_WIN     ((size_t)64 << 10)  /* a window on the span index */
#define INFLATE_OUT   ((size_t)256 << 10)

enum { L_FILES, L_DERIVED, L_PKG, NLISTS };
static const char *const list_names[NLISTS] = {"files", "derived", "package_files"};

/* A read window over a temporary file. */
struct rbuf {
	int fd;
	uint64_t size;
	unsigned char *b;
	uint64_t off;
	size_t len, win;
};

static bool rbuf_init(struct rbuf *r, int fd, uint64_t size, size_t win)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = size;
	r->win = win;
	r->b = cu_malloc(win);
	return r->b != NULL;
}

static void rbuf_release(struct rbuf *r)
{
	free(r->b);
	r->b = NULL;
}

static bool pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = pread(fd, p, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		p += got;
		off += (uint64_t)got;
		n -= (size_t)got;
	}
	return true;
}

/* The bytes [off, off + n) (n <= the window) in one piece, or NULL. */
static const unsigned char *rbuf_span(struct rbuf *r, uint64_t off, size_t n)
{
	if (off > r->size || n > r->size - off || n > r->win)
		return NULL;
	if (off < r->off || off + n > r->off + r->len) {
		uint64_t len = r->size - off;
		if (len > r->win)
			len = r->win;
		if (!pread_full(r->fd, r->b, (size_t)len, off))
			return NULL;
		r->off = off;
		r->len = (size_t)len;
	}
	return r->b + (off - r->off);
}

/* A scanner over the spooled manifest, byte by byte. */
struct scan {
	struct rbuf *r;
	uint64_t pos;
	const unsigned char *p;
	size_t avail;
	char why[256];
};

static int sc_peek(struct scan *s)
{
	if (s->avail == 0) {
		uint64_t left = s->r->size - s->pos;
		size_t n = left < s->r->win ? (size_t)left : s->r->win;
		if (left == 0 || (s->p = rbuf_span(s->r, s->pos, n)) == NULL)
			return -1;
		s->avail = n;
	}
	return *s->p;
}

static void sc_next(struct scan *s)
{
	s->p++;
	s->avail--;
	s->pos++;
}

static void sc_ws(struct scan *s)
{
	int c;
	while ((c = sc_peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		sc_next(s);
}

static bool sc_fail(struct scan *s, const char *what)
{
	if (s->why[0] == '\0')
		snprintf(s->why, sizeof(s->why), "%s at byte %llu", what,
			 (unsigned long long)s->pos);
	return false;
}

static bool sc_expect(struct scan *s, int c, const char *what)
{
	if (sc_peek(s) != c)
		return sc_fail(s, what);
	sc_next(s);
	return true;
}

static bool sc_string(struct scan *s)
{
	int c;

	if (!sc_expect(s, '"', "a string expected"))
		return false;
	while ((c = sc_peek(s)) != '"') {
		if (c < 0)
			return sc_fail(s, "unterminated string");
		sc_next(s);
		if (c == '\\') {
			if (sc_peek(s) < 0)
				return sc_fail(s, "unterminated string");
			sc_next(s);
		}
	}
	sc_next(s);
	return true;
}

/* One value, matched only for its extent: its parse (jansson) checks it. */
static bool sc_value(struct scan *s)
{
	int c = sc_peek(s);
	uint64_t depth = 0;

	if (c == '"')
		return sc_string(s);
	if (c == '{' || c == '[') {
		do {
			c = sc_peek(s);
			if (c < 0)
				return sc_fail(s, "unterminated object or array");
			if (c == '"') {
				if (!sc_string(s))
					return false;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
				depth--;
			sc_next(s);
		} while (depth > 0);
		return true;
	}
	uint64_t start = s->pos;
	while ((c = sc_peek(s)) >= 0 && c != ',' && c != ']' && c != '}' && c != ' ' && c != '\t' &&
	       c != '\n' && c != '\r')
		sc_next(s);
	return s->pos > start ? true : sc_fail(s, "a value expected");
}

/* The streamed manifest: spool, span index, small top-level values. */
struct mstream {
	int spool, idx;
	uint64_t size, idx_size;
	uint64_t base[NLISTS], n[NLISTS]; /* first index record and count */
	bool present[NLISTS];
	json_t *man; /* every top-level key but the three lists */
};

static int tmp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[CU_PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/custos-verify-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void mstream_release(struct mstream *m)
{
	if (m->spool >= 0)
		close(m->spool);
	if (m->idx >= 0)
		close(m->idx);
	json_decref(m->man);
	m->spool = m->idx = -1;
	m->man = NULL;
}

/* A list's elements: their spans into the index file (buffered). */
struct idxw {
	int fd;
	unsigned char buf[64 << 10];
	size_t len;
	uint64_t written;
};

static bool idxw_put(struct idxw *w, uint64_t start, uint64_t end)
{
	if (w->len + 16 > sizeof(w->buf)) {
		if (cu_write_all(w->fd, w->buf, w->len, "index", NULL) != CU_OK)
			return false;
		w->len = 0;
	}
	for (int i = 0; i < 8; i++) {
		w->buf[w->len + (size_t)i] = (unsigned char)(start >> (8 * i));
		w->buf[w->len + 8 + (size_t)i] = (unsigned char)(end >> (8 * i));
	}
	w->len += 16;
	w->written++;
	return true;
}

static bool scan_list(struct scan *s, struct idxw *w, struct mstream *m, int l)
{
	m->present[l] = true;
	m->base[l] = w->written;
	sc_next(s); /* [ */
	sc_ws(s);
	if (sc_peek(s) == ']') {
		sc_next(s);
		return true;
	}
	for (;;) {
		uint64_t start = s->pos;
		if (!sc_value(s))
			return false;
		if (s->pos - start > ROW_MAX) {
			snprintf(s->why, sizeof(s->why), "%s[%llu] is larger than %zu bytes",
				 list_names[l], (unsigned long long)m->n[l], ROW_MAX);
			return false;
		}
		if (!idxw_put(w, start, s->pos)) {
			snprintf(s->why, sizeof(s->why), "cannot write the index of %s[]",
				 list_names[l]);
			return false;
		}
		m->n[l]++;
		sc_ws(s);
		if (sc_peek(s) == ']') {
			sc_next(s);
			return true;
		}
		if (!sc_expect(s, ',', "',' or ']' expected"))
			return false;
		sc_ws(s);
	}
}

/* The top-level object: list spans indexed, other values parsed. */
static bool scan_manifest(struct mstream *m, char *why, size_t whylen)
{
	struct rbuf r, vr;
	struct scan s;
	struct idxw *w = NULL;
	bool ok = false;

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	memset(&vr, 0, sizeof(vr));
	if (!rbuf_init(&r, m->spool, m->size, SPOOL_WIN) ||
	    !rbuf_init(&vr, m->spool, m->size, 8192) || (w = cu_calloc(1, sizeof(*w))) == NULL ||
	    (m->man = json_object()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	w->fd = m->idx;
	s.r = &r;
	sc_ws(&s);
	if (!sc_expect(&s, '{', "an object expected"))
		goto out;
	sc_ws(&s);
	if (sc_peek(&s) == '}') {
		sc_next(&s);
	} else {
		for (;;) {
			uint64_t ks = s.pos;
			json_t *key = NULL, *val = NULL;
			if (!sc_string(&s))
				goto out;
			const unsigned char *kb =
			    s.pos - ks <= 4096 ? rbuf_span(&vr, ks, s.pos - ks) : NULL;
			if (kb == NULL ||
			    (key = json_loadb((const char *)kb, (size_t)(s.pos - ks),
					      JSON_DECODE_ANY, NULL)) == NULL ||
			    !json_is_string(key)) {
				json_decref(key);
				sc_fail(&s, "a key that does not parse");
				goto out;
			}
			char kname[64];
			snprintf(kname, sizeof(kname), "%s", json_string_value(key));
			bool dup = json_object_get(m->man, json_string_value(key)) != NULL;
			int l = -1;
			for (int i = 0; i < NLISTS; i++)
				if (strcmp(json_string_value(key), list_names[i]) == 0)
					l = i;
			json_decref(key);
			if (dup || (l >= 0 && m->present[l])) {
				snprintf(s.why, sizeof(s.why), "duplicate object key '%s'", kname);
				goto out;
			}
			sc_ws(&s);
			if (!sc_expect(&s, ':', "':' expected"))
				goto out;
			sc_ws(&s);
			if (l >= 0 && sc_peek(&s) == '[') {
				if (!scan_list(&s, w, m, l))
					goto out;
			} else {
				uint64_t vs = s.pos;
				if (!sc_value(&s))
					goto out;
				struct cu_buf tmp = CU_BUF_INIT;
				if (s.pos - vs > TOP_MAX ||
				    cu_buf_grow(&tmp, (size_t)(s.pos - vs), NULL) != CU_OK ||
				    !pread_full(m->spool, tmp.data, (size_t)(s.pos - vs), vs)) {
					cu_buf_release(&tmp);
					snprintf(s.why, sizeof(s.why),
						 "the value of '%s' is too large", kname);
					goto out;
				}
				json_error_t je;
				val = json_loadb(
				    tmp.data, (size_t)(s.pos - vs),
				    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
				cu_buf_release(&tmp);
				if (val == NULL) {
					snprintf(s.why, sizeof(s.why),
						 "the value of '%.60s': %.90s", kname, je.text);
					goto out;
				}
				if (json_object_set_new(m->man, kname, val) != 0) {
					snprintf(s.why, sizeof(s.why), "out of memory");
					goto out;
				}
			}
			sc_ws(&s);
			if (sc_peek(&s) == '}') {
				sc_next(&s);
				break;
			}
			if (!sc_expect(&s, ',', "',' or '}' expected"))
				goto out;
			sc_ws(&s);
		}
	}
	sc_ws(&s);
	if (sc_peek(&s) >= 0) {
		sc_fail(&s, "bytes after the object");
		goto out;
	}
	if (w->len > 0 && cu_write_all(w->fd, w->buf, w->len, "index", NULL) != CU_OK) {
		snprintf(s.why, sizeof(s.why), "cannot write the index");
		goto out;
	}
	m->idx_size = w->written * 16;
	ok = true;
out:
	if (!ok)
		snprintf(why, whylen, "%s", s.why[0] ? s.why : "out of memory");
	free(w);
	rbuf_release(&r);
	rbuf_release(&vr);
	return ok;
}

/* One row of a list, parsed from its span. */
struct row {
	char *path;
	size_t cap;
	uint64_t size;
	char sha256[65], md5[33], sm3[65];
	bool valid, has_sm3;
};

/*
 * The common row, parsed without building a JSON tree (jansson was most
 * of the per-file cost): one object of scalar values, strings without
 * escapes, keys ASCII and unique, the five fields verify reads valid.
 * Anything else (an escape, a nested value, a row that lacks a field)
 * returns false and jansson parses the row, so its verdict and messages
 * stay jansson's. Strings are checked as jansson checks them: no control
 * character, well-formed UTF-8 (no overlong form, surrogate or code point
 * past U+10FFFF).
 */
struct fspan {
	const unsigned char *p;
	size_t n;
};

static bool fast_utf8(const unsigned char *s, size_t n, size_t *used)
{
	unsigned c = s[0], need, min, cp;

	if (c < 0xc2 || c > 0xf4)
		return false;
	need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	min = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
	cp = c & (need == 1 ? 0x1f : need == 2 ? 0x0f : 0x07);
	if (n < need + 1)
		return false;
	for (unsigned k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	*used = need + 1;
	return true;
}

static bool fast_ws(const unsigned char *b, size_t n, size_t *i)
{
	while (*i < n && (b[*i] == ' ' || b[*i] == '\t' || b[*i] == '\n' || b[*i] == '\r'))
		(*i)++;
	return *i < n;
}

/* A string at b[*i] == '"': its bytes (without quotes) in out. */
static bool fast_string(const unsigned char *b, size_t n, size_t *i, struct fspan *out)
{
	size_t k = *i + 1;

	while (k < n && b[k] != '"') {
		if (b[k] == '\\' || b[k] < 0x20)
			return false;
		if (b[k] < 0x80) {
			k++;
			continue;
		}
		size_t used;
		if (!fast_utf8(b + k, n - k, &used))
			return false;
		k += used;
	}
	if (k >= n)
		return false;
	out->p = b + *i + 1;
	out->n = k - *i - 1;
	*i = k + 1;
	return true;
}

static bool fast_row(const unsigned char *b, size_t n, struct row *row)
{
	struct fspan keys[32], path = {0}, sha = {0}, md5 = {0}, sm3 = {0};
	size_t i = 0, nkeys = 0;
	bool have_size = false, sm3_null = false;
	uint64_t size = 0;

	if (!fast_ws(b, n, &i) || b[i++] != '{' || !fast_ws(b, n, &i))
		return false;
	if (b[i] == '}')
		return false; /* no fields: jansson says why */
	for (;;) {
		struct fspan key, str;
		if (b[i] != '"' || !fast_string(b, n, &i, &key) || nkeys == 32)
			return false;
		for (size_t k = 0; k < key.n; k++)
			if (key.p[k] >= 0x80)
				return false;
		for (size_t k = 0; k < nkeys; k++)
			if (keys[k].n == key.n && memcmp(keys[k].p, key.p, key.n) == 0)
				return false; /* a duplicate key */
		keys[nkeys++] = key;
		if (!fast_ws(b, n, &i) || b[i++] != ':' || !fast_ws(b, n, &i))
			return false;
#define KEY_IS(s) (key.n == sizeof(s) - 1 && memcmp(key.p, s, key.n) == 0)
		if (b[i] == '"') {
			if (!fast_string(b, n, &i, &str))
				return false;
			if (KEY_IS("path"))
				path = str;
			else if (KEY_IS("sha256"))
				sha = str;
			else if (KEY_IS("md5"))
				md5 = str;
			else if (KEY_IS("sm3"))
				sm3 = str;
			else if (KEY_IS("size"))
				return false;
		} else if (b[i] == '-' || (b[i] >= '0' && b[i] <= '9')) {
			size_t s = i;
			bool frac = false;
			if (b[i] == '-')
				i++;
			if (i >= n || b[i] < '0' || b[i] > '9')
				return false;
			if (b[i] == '0')
				i++;
			else
				while (i < n && b[i] >= '0' && b[i] <= '9')
					i++;
			if (i < n && b[i] == '.') {
				frac = true;
				if (++i >= n || b[i] < '0' || b[i] > '9')
					return false;
				while (i < n && b[i] >= '0' && b[i] <= '9')
					i++;
			}
			if (i < n && (b[i] == 'e' || b[i] == 'E')) {
				frac = true;
				if (++i < n && (b[i] == '+' || b[i] == '-'))
					i++;
				if (i >= n || b[i] < '0' || b[i] > '9')
					return false;
				while (i < n && b[i] >= '0' && b[i] <= '9')
					i++;
			}
			/* Only integers jansson surely holds (< 10^18): a real, or
			 * an integer it may find too big, is its to judge. */
			if (frac || i - s > 18)
				return false;
			if (KEY_IS("size")) {
				if (b[s] == '-')
					return false;
				size = 0;
				for (size_t k = s; k < i; k++)
					size = size * 10 + (uint64_t)(b[k] - '0');
				have_size = true;
			} else if (KEY_IS("path") || KEY_IS("sha256") || KEY_IS("md5") ||
				   KEY_IS("sm3")) {
				return false;
			}
		} else {
			static const char *const lit[3] = {"null", "true", "false"};
			size_t which = 3;
			for (size_t k = 0; k < 3 && which == 3; k++)
				if (n - i >= strlen(lit[k]) &&
				    memcmp(b + i, lit[k], strlen(lit[k])) == 0)
					which = k;
			if (which == 3)
				return false; /* a nested value, or not JSON */
			i += strlen(lit[which]);
			if (KEY_IS("sm3") && which == 0)
				sm3_null = true;
			else if (KEY_IS("path") || KEY_IS("sha256") || KEY_IS("md5") ||
				 KEY_IS("sm3") || KEY_IS("size"))
				return false;
		}
#undef KEY_IS
		if (!fast_ws(b, n, &i))
			return false;
		if (b[i] == ',') {
			i++;
			if (!fast_ws(b, n, &i))
				return false;
			continue;
		}
		if (b[i++] != '}')
			return false;
		break;
	}
	if (fast_ws(b, n, &i)) /* bytes after the object */
		return false;
	(void)sm3_null; /* null or absent: no SM3 */
	if (path.p == NULL || !have_size || sha.n != 64 || md5.n != 32 ||
	    (sm3.p != NULL && sm3.n > 64))
		return false;
	if (path.n + 1 > row->cap) {
		char *np = realloc(row->path, path.n + 1);
		if (np == NULL)
			return false;
		row->path = np;
		row->cap = path.n + 1;
	}
	memcpy(row->path, path.p, path.n);
	row->path[path.n] = '\0';
	row->size = size;
	memcpy(row->sha256, sha.p, 64);
	row->sha256[64] = '\0';
	memcpy(row->md5, md5.p, 32);
	row->md5[32] = '\0';
	if (sm3.p != NULL) {
		memcpy(row->sm3, sm3.p, sm3.n);
		row->sm3[sm3.n] = '\0';
		row->has_sm3 = true;
	}
	row->valid = true;
	return true;
}

static bool row_parse(const unsigned char *b, size_t n, struct row *row);

/* Reads row i of list l; false when its span cannot be read (I/O). */
static bool row_load(const struct mstream *m, struct rbuf *sp, struct rbuf *ix, int l, uint64_t i,
		     struct row *row)
{
	const unsigned char *rec = rbuf_span(ix, (m->base[l] + i) * 16, 16);
	uint64_t start = 0, end = 0;

	row->valid = row->has_sm3 = false;
	if (rec == NULL)
		return false;
	for (int k = 0; k < 8; k++) {
		start |= (uint64_t)rec[k] << (8 * k);
		end |= (uint64_t)rec[8 + k] << (8 * k);
	}
	const unsigned char *b = end >= start ? rbuf_span(sp, start, (size_t)(end - start)) : NULL;
	if (b == NULL)
		return false;
	if (fast_row(b, (size_t)(end - start), row)) {
#ifdef CUSTOS_TEST_HOOKS
		/* Test builds: jansson must read the row the same way. */
		struct row j;
		memset(&j, 0, sizeof(j));
		if (!row_parse(b, (size_t)(end - start), &j) || !j.valid ||
		    strcmp(j.path, row->path) != 0 || j.size != row->size ||
		    strcmp(j.sha256, row->sha256) != 0 || strcmp(j.md5, row->md5) != 0 ||
		    j.has_sm3 != row->has_sm3 || (j.has_sm3 && strcmp(j.sm3, row->sm3) != 0))
			CU_BUG("verify: the fast row parser and jansson disagree");
		free(j.path);
#endif
		return true;
	}
	row->valid = row->has_sm3 = false;
	return row_parse(b, (size_t)(end - start), row);
}

/* A row through jansson. */
static bool row_parse(const unsigned char *b, size_t len, struct row *row)
{
	json_t *j = json_loadb((const char *)b, len,
			       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	const char *p = json_string_value(json_object_get(j, "path"));
	const char *h = json_string_value(json_object_get(j, "sha256"));
	const char *md = json_string_value(json_object_get(j, "md5"));
	const char *s3 = json_string_value(json_object_get(j, "sm3"));
	const json_t *sz = json_object_get(j, "size");
	if (p != NULL && h != NULL && md != NULL && json_is_integer(sz) &&
	    json_integer_value(sz) >= 0 && strlen(h) == 64 && strlen(md) == 32) {
		size_t n = strlen(p);
		if (n + 1 > row->cap) {
			char *np = realloc(row->path, n + 1);
			if (np == NULL) {
				json_decref(j);
				return false;
			}
			row->path = np;
			row->cap = n + 1;
		}
		memcpy(row->path, p, n + 1);
		row->size = (uint64_t)json_integer_value(sz);
		memcpy(row->sha256, h, 65);
		memcpy(row->md5, md, 33);
		if (s3 != NULL) {
			snprintf(row->sm3, sizeof(row->sm3), "%s", s3);
			row->has_sm3 = true;
		}
		row->valid = true;
	}
	json_decref(j);
	return true;
}

/* A reader of rows: its own windows on the spool and the index. */
struct rows {
	struct rbuf sp, ix;
	struct row row;
};

static bool rows_init(struct rows *r, const struct mstream *m)
{
	memset(r, 0, sizeof(*r));
	return rbuf_init(&r->sp, m->spool, m->size, SPOOL_WIN) &&
	       rbuf_init(&r->ix, m->idx, m->idx_size, INDEX_WIN);
}

static void rows_release(struct rows *r)
{
	rbuf_release(&r->sp);
	rbuf_release(&r->ix);
	free(r->row.path);
	memset(r, 0, sizeof(*r));
}

/* ---- MD5 on its own thread ---------------------------------------- */

/*
 * The caller (SHA-256, CRC-32, and SM3 on the hasher's worker) copies each
 * entry's bytes into a ring of slots; the MD5 thread hashes them, and at
 * each mark (the end of an entry) finishes the digest and compares it
 * with the manifest's. Small entries share a slot, so there is no
 * hand-off per file; the caller only waits when the ring is full.
 */
#define PIPE_SLOTS 8
#define PIPE_SLOT  ((size_t)1 << 20)
#define PIPE_MARKS 4096
#define PIPE_FAILS 1024

struct mark {
	size_t end;
	char *name;   /* owned; NULL when not compared */
	char *sm3msg; /* owned: reported when MD5 matches */
	char md5[33];
};

struct pslot {
	unsigned char *data;
	size_t len, nmarks;
	struct mark *marks;
};

struct pfail {
	char *name, *detail;
};

struct md5pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool started, quit, broken;
	struct pslot slot[PIPE_SLOTS];
	uint64_t produced, consumed;
	struct pslot *cur;
	struct cu_hasher *md5;
	struct pfail fails[PIPE_FAILS];
	size_t nfails;
	unsigned long lost;
	char errmsg[CU_ERROR_MSG_MAX];
};

static void pipe_fail(struct md5pipe *pp, char *name, char *detail)
{
	pthread_mutex_lock(&pp->mu);
	if (pp->nfails < PIPE_FAILS && name != NULL && detail != NULL) {
		pp->fails[pp->nfails].name = name;
		pp->fails[pp->nfails].detail = detail;
		pp->nfails++;
		name = detail = NULL;
	} else {
		pp->lost++;
	}
	pthread_mutex_unlock(&pp->mu);
	free(name);
	free(detail);
}

static void *pipe_main(void *arg)
{
	struct md5pipe *pp = arg;
	struct cu_error e;
	struct cu_digests d;

	cu_error_clear(&e);
	for (;;) {
		pthread_mutex_lock(&pp->mu);
		while (pp->consumed == pp->produced && !pp->quit)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->consumed == pp->produced) {
			pthread_mutex_unlock(&pp->mu);
			break;
		}
		struct pslot *s = &pp->slot[pp->consumed % PIPE_SLOTS];
		pthread_mutex_unlock(&pp->mu);
		size_t pos = 0;
		for (size_t i = 0; i < s->nmarks; i++) {
			struct mark *mk = &s->marks[i];
			if (!pp->broken &&
			    (cu_hasher_update(pp->md5, s->data + pos, mk->end - pos, &e) != CU_OK ||
			     cu_hasher_final(pp->md5, &d, &e) != CU_OK ||
			     cu_hasher_reset(pp->md5, &e) != CU_OK)) {
				pp->broken = true;
				snprintf(pp->errmsg, sizeof(pp->errmsg), "%s", e.msg);
			}
			if (!pp->broken && mk->name != NULL && strcmp(d.md5, mk->md5) != 0) {
				struct cu_buf b = CU_BUF_INIT;
				if (cu_buf_printf(&b, NULL,
						  "'%s' md5 mismatch: is %s, manifest.json says %s",
						  mk->name, d.md5, mk->md5) == CU_OK)
					pipe_fail(pp, mk->name, cu_buf_detach(&b, NULL));
				else
					pipe_fail(pp, mk->name, NULL);
				mk->name = NULL;
				cu_buf_release(&b);
			} else if (!pp->broken && mk->name != NULL && mk->sm3msg != NULL) {
				pipe_fail(pp, mk->name, mk->sm3msg);
				mk->name = mk->sm3msg = NULL;
			}
			free(mk->name);
			free(mk->sm3msg);
			mk->name = mk->sm3msg = NULL;
			pos = mk->end;
		}
		if (!pp->broken && s->len > pos &&
		    cu_hasher_update(pp->md5, s->data + pos, s->len - pos, &e) != CU_OK) {
			pp->broken = true;
			snprintf(pp->errmsg, sizeof(pp->errmsg), "%s", e.msg);
		}
		pthread_mutex_lock(&pp->mu);
		pp->consumed++;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
	return NULL;
}

static enum cu_status pipe_start(struct md5pipe *pp, struct cu_error *err)
{
	enum cu_status st;

	memset(pp, 0, sizeof(*pp));
	for (size_t i = 0; i < PIPE_SLOTS; i++)
		if ((pp->slot[i].data = cu_malloc(PIPE_SLOT)) == NULL ||
		    (pp->slot[i].marks = cu_calloc(PIPE_MARKS, sizeof(struct mark))) == NULL)
			return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if ((st = cu_hasher_new(CU_HASH_MD5, 0, &pp->md5, err)) != CU_OK)
		return st;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	if (pthread_create(&pp->th, NULL, pipe_main, pp) != 0) {
		pthread_cond_destroy(&pp->cv);
		pthread_mutex_destroy(&pp->mu);
		return cu_error_set(err, CU_E_INTERNAL, "verify: cannot start the MD5 thread");
	}
	pp->started = true;
	return CU_OK;
}

static struct pslot *pipe_cur(struct md5pipe *pp)
{
	if (pp->cur == NULL) {
		pthread_mutex_lock(&pp->mu);
		while (pp->produced - pp->consumed >= PIPE_SLOTS)
			pthread_cond_wait(&pp->cv, &pp->mu);
		pthread_mutex_unlock(&pp->mu);
		pp->cur = &pp->slot[pp->produced % PIPE_SLOTS];
		pp->cur->len = 0;
		pp->cur->nmarks = 0;
	}
	return pp->cur;
}

static void pipe_publish(struct md5pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	pp->produced++;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pp->cur = NULL;
}

static void pipe_feed(struct md5pipe *pp, const unsigned char *p, size_t n)
{
	while (n > 0) {
		struct pslot *s = pipe_cur(pp);
		size_t k = PIPE_SLOT - s->len < n ? PIPE_SLOT - s->len : n;
		memcpy(s->data + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
		if (s->len == PIPE_SLOT)
			pipe_publish(pp);
	}
}

/* The end of an entry: compared when name is given (then owned by the
 * pipe, as is sm3msg). */
static void pipe_mark(struct md5pipe *pp, char *name, const char *md5, char *sm3msg)
{
	struct pslot *s = pipe_cur(pp);
	struct mark *mk = &s->marks[s->nmarks++];

	mk->end = s->len;
	mk->name = name;
	mk->sm3msg = sm3msg;
	snprintf(mk->md5, sizeof(mk->md5), "%s", md5 ? md5 : "");
	if (s->nmarks == PIPE_MARKS)
		pipe_publish(pp);
}

/* Stops the thread after the last slot; its findings become checks. */
static void pipe_finish(struct md5pipe *pp, struct cu_verify_report *r)
{
	if (pp->started) {
		if (pp->cur != NULL && (pp->cur->len > 0 || pp->cur->nmarks > 0))
			pipe_publish(pp);
		pthread_mutex_lock(&pp->mu);
		pp->quit = true;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		pthread_join(pp->th, NULL);
		pthread_cond_destroy(&pp->cv);
		pthread_mutex_destroy(&pp->mu);
		pp->started = false;
		for (size_t i = 0; i < pp->nfails; i++) {
			if (r != NULL) {
				char ename[CU_PATH_MAX + 8];
				snprintf(ename, sizeof(ename), "entry %s", pp->fails[i].name);
				check(r, FAIL, ename, "%s", pp->fails[i].detail);
			}
			free(pp->fails[i].name);
			free(pp->fails[i].detail);
		}
		pp->nfails = 0;
		if (r != NULL && pp->lost > 0)
			check(r, FAIL, "files", "%lu more entries fail their MD5 (not listed)",
			      pp->lost);
		if (r != NULL && pp->broken)
			check(r, FAIL, "files", "MD5: %s", pp->errmsg);
	}
	for (size_t i = 0; i < PIPE_SLOTS; i++) {
		if (pp->slot[i].marks != NULL)
			for (size_t k = 0; k < PIPE_MARKS; k++) {
				free(pp->slot[i].marks[k].name);
				free(pp->slot[i].marks[k].sm3msg);
			}
		free(pp->slot[i].data);
		free(pp->slot[i].marks);
	}
	cu_hasher_free(pp->md5);
	memset(pp, 0, sizeof(*pp));
}

/* ---- one entry's bytes ------------------------------------------- */

/* Receives an entry's bytes; false stops the read (the sink said why). */
typedef bool (*entry_sink)(void *ctx, const unsigned char *p, size_t n);

enum rd_result { RD_OK, RD_STOPPED, RD_DAMAGED };

/* Reads the data of e (STORED or DEFLATEd) into sink, and checks its
 * CRC-32 and size against the central directory. why: the damage. */
static enum rd_result entry_read(struct cu_zipwalk *w, const struct cu_zipwalk_entry *e,
				 unsigned char *out, entry_sink sink, void *ctx, char *why,
				 size_t whylen)
{
	uint64_t off = e->data, left = e->comp_size, total = 0;
	uint32_t crc = 0;
	z_stream z;
	bool zinit = false, zend = false;
	enum rd_result res = RD_OK;

	if (!e->has_local) {
		snprintf(why, whylen, "no local entry");
		return RD_DAMAGED;
	}
	if (e->flags & 0x0001) {
		snprintf(why, whylen, "encrypted");
		return RD_DAMAGED;
	}
	if (e->method != 0 && e->method != 8) {
		snprintf(why, whylen, "compression method %u", e->method);
		return RD_DAMAGED;
	}
	if (e->method == 8) {
		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
			snprintf(why, whylen, "cannot start inflating");
			return RD_DAMAGED;
		}
		zinit = true;
	}
	while (left > 0 || (zinit && !zend)) {
		size_t got = 0;
		const unsigned char *p = NULL;
		if (left > 0) {
			p = cu_zipwalk_bytes(
			    w, off, left > ((size_t)1 << 30) ? (size_t)1 << 30 : (size_t)left,
			    &got);
			if (p == NULL || got == 0) {
				snprintf(why, whylen, "read error at offset %llu",
					 (unsigned long long)off);
				res = RD_DAMAGED;
				goto out;
			}
			off += got;
			left -= got;
		}
		if (!zinit) {
			crc = libdeflate_crc32(crc, p, (size_t)got);
			total += got;
			if (!sink(ctx, p, got)) {
				res = RD_STOPPED;
				goto out;
			}
			continue;
		}
		z.next_in = (Bytef *)(uintptr_t)p;
		z.avail_in = (uInt)got;
		do {
			z.next_out = out;
			z.avail_out = (uInt)INFLATE_OUT;
			int zr = inflate(&z, Z_NO_FLUSH);
			size_t n = INFLATE_OUT - z.avail_out;
			if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && n == 0)) {
				snprintf(why, whylen, "invalid compressed data (%s)",
					 z.msg ? z.msg : "inflate");
				res = RD_DAMAGED;
				goto out;
			}
			if (n > 0) {
				crc = libdeflate_crc32(crc, out, (size_t)n);
				total += n;
				if (!sink(ctx, out, n)) {
					res = RD_STOPPED;
					goto out;
				}
			}
			if (zr == Z_STREAM_END) {
				zend = true;
				break;
			}
			if (zr == Z_BUF_ERROR)
				break;
		} while (z.avail_in > 0 || z.avail_out == 0);
		if (!zend && left == 0) {
			snprintf(why, whylen, "compressed data ends early");
			res = RD_DAMAGED;
			goto out;
		}
		if (zend && (z.avail_in > 0 || left > 0)) {
			snprintf(why, whylen, "bytes after the end of the compressed data");
			res = RD_DAMAGED;
			goto out;
		}
	}
	if (total != e->size) {
		snprintf(why, whylen, "is %llu bytes, the central directory says %llu",
			 (unsigned long long)total, (unsigned long long)e->size);
		res = RD_DAMAGED;
	} else if ((uint32_t)crc != e->crc) {
		snprintf(why, whylen, "CRC error");
		res = RD_DAMAGED;
	}
out:
	if (zinit)
		inflateEnd(&z);
	return res;
}

struct smallsink {
	struct cu_buf *b;
	size_t max;
	bool over;
};

static bool small_sink(void *ctx, const unsigned char *p, size_t n)
{
	struct smallsink *s = ctx;
	if (s->b->len + n > s->max || cu_buf_append(s->b, p, n, NULL) != CU_OK) {
		s->over = true;
		return false;
	}
	return true;
}

/* ---- the package -------------------------------------------------- */

struct spkg {
	struct pkg *p; /* the checks shared with the libzip path */
	struct cu_zipmap_fd f;
	struct cu_zipwalk w;
	struct mstream ms;
	struct md5pipe pipe;
	struct cu_hasher *h_sm3;
	unsigned char *out; /* INFLATE_OUT */
	uint64_t *seen[NLISTS];
	struct rows cur, look; /* the expected next row; rows looked up */
	int cur_l;
	uint64_t cur_i;
	/* order: ranks of matched entries rise (docs/package.md) */
	uint64_t maxrank;
	bool order_bad, jumped;
	char *jump_have, *jump_want;
	uint64_t jump_at;
	bool fixed_seen[5];
	bool names_bad;
	uint64_t bytes, listed;
	unsigned long efail; /* failures of the entries and files checks */
	bool noncanon;       /* files[] or derived[] out of order */
	char initial_sha[65];
	bool custody_listed;
	/* In step (every row of files[] and derived[] met in order by the
	 * cursor, none looked up or skipped), the content root needs no
	 * second pass: derived[] leaves go to the stack as they come, files[]
	 * leaves, which come first but sort after them, wait in a temporary
	 * file. */
	bool instep;
	struct cu_merkle_stream mst;
	struct idxw *leaves;
	uint64_t nleaves[2];
	char *prev[2], *first_file;
};

static bool bit_get(uint64_t *v, uint64_t i)
{
	return v != NULL && (v[i / 64] >> (i % 64) & 1) != 0;
}

static void bit_set(uint64_t *v, uint64_t i)
{
	if (v != NULL)
		v[i / 64] |= (uint64_t)1 << (i % 64);
}

/* The rank of a row in the order seal writes (docs/package.md). */
static uint64_t rank_of(const struct spkg *s, int l, uint64_t i, const char *path)
{
	uint64_t r = 5;

	if (l == L_PKG && strcmp(path, CU_PKG_CUSTODY) == 0)
		return 4;
	for (int k = 0; k < l; k++)
		r += s->ms.n[k];
	return r + i;
}

static uint64_t rank_tsr(const struct spkg *s)
{
	return 5 + s->ms.n[L_FILES] + s->ms.n[L_DERIVED] + s->ms.n[L_PKG];
}

/* The expected cursor onto the next valid row not seen yet. */
static bool cur_settle(struct spkg *s)
{
	while (s->cur_l < NLISTS) {
		if (s->cur_i >= s->ms.n[s->cur_l]) {
			s->cur_l++;
			s->cur_i = 0;
			continue;
		}
		if (!bit_get(s->seen[s->cur_l], s->cur_i)) {
			if (!row_load(&s->ms, &s->cur.sp, &s->cur.ix, s->cur_l, s->cur_i,
				      &s->cur.row))
				return false;
			if (s->cur.row.valid &&
			    !(s->cur_l == L_PKG && strcmp(s->cur.row.path, CU_PKG_CUSTODY) == 0))
				return true;
			if (!s->cur.row.valid)
				s->instep = false;
		}
		s->cur_i++;
	}
	return true;
}

/* Where name is listed: binary search in files[] and derived[] (bytewise
 * order, as seal writes them), a scan of package_files[]. */
static bool lookup(struct spkg *s, const char *name, int *lo_l, uint64_t *lo_i)
{
	for (int l = 0; l < 2; l++) {
		uint64_t lo = 0, hi = s->ms.n[l];
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (!row_load(&s->ms, &s->look.sp, &s->look.ix, l, mid, &s->look.row) ||
			    !s->look.row.valid)
				break;
			int c = strcmp(s->look.row.path, name);
			if (c == 0) {
				*lo_l = l;
				*lo_i = mid;
				return true;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (uint64_t i = 0; i < s->ms.n[L_PKG]; i++)
		if (row_load(&s->ms, &s->look.sp, &s->look.ix, L_PKG, i, &s->look.row) &&
		    s->look.row.valid && strcmp(s->look.row.path, name) == 0) {
			*lo_l = L_PKG;
			*lo_i = i;
			return true;
		}
	return false;
}

/* The order check: ranks rise; the first entry seal writes later than
 * the one it expected is the one named. */
static void note_rank(struct spkg *s, uint64_t index, const char *name, uint64_t rank,
		      const char *want)
{
	if (rank < s->maxrank && !s->order_bad) {
		s->order_bad = true;
		if (!s->jumped) {
			s->jump_at = index;
			s->jump_have = cu_strdup(name);
			s->jump_want = cu_strdup(want ? want : "");
		}
	} else if (rank > s->maxrank + 1 && want != NULL && !s->order_bad) {
		/* The latest entry ahead of the one expected: when one before it
		 * comes later, this is where the order broke. */
		free(s->jump_have);
		free(s->jump_want);
		s->jumped = true;
		s->jump_at = index;
		s->jump_have = cu_strdup(name);
		s->jump_want = cu_strdup(want);
	}
	if (rank > s->maxrank)
		s->maxrank = rank;
}

struct hashsink {
	struct spkg *s;
	struct cu_hasher *h;
	const char *name;
	uint64_t want, total;
	struct cu_buf *keep;
	bool hash_failed, keep_over;
	char herr[CU_ERROR_MSG_MAX];
};

static bool hash_sink(void *ctx, const unsigned char *p, size_t n)
{
	struct hashsink *hs = ctx;
	struct cu_error e;

	hs->total += n;
	/* Stop a decompression bomb early: never read past the listed size. */
	if (hs->total > hs->want)
		return false;
	if (cu_hasher_update(hs->h, p, n, &e) != CU_OK) {
		hs->hash_failed = true;
		snprintf(hs->herr, sizeof(hs->herr), "%s", e.msg);
		return false;
	}
	pipe_feed(&hs->s->pipe, p, n);
	if (hs->keep != NULL && (hs->keep->len + n > CU_PKG_CUSTODY_MAX ||
				 cu_buf_append(hs->keep, p, n, NULL) != CU_OK))
		hs->keep_over = true;
	return true;
}

/* One listed entry through the digests, compared with its row. */
static void hash_listed(struct spkg *s, const struct cu_zipwalk_entry *e, const struct row *row,
			struct cu_buf *keep)
{
	struct cu_verify_report *r = s->p->r;
	struct hashsink hs;
	struct cu_digests d;
	struct cu_error e2;
	char ename[CU_PATH_MAX + 8], why[256] = "";
	const char *name = e->name;

	snprintf(ename, sizeof(ename), "entry %s", name);
	memset(&hs, 0, sizeof(hs));
	hs.s = s;
	hs.name = name;
	hs.want = row->size;
	hs.keep = keep;
	cu_error_clear(&e2);
	if (row->has_sm3 && s->h_sm3 == NULL &&
	    cu_hasher_new(CU_HASH_SHA256 | CU_HASH_SM3, CU_HASHER_THREADED, &s->h_sm3, &e2) !=
		CU_OK) {
		check(r, FAIL, ename, "%s", e2.msg);
		return;
	}
	hs.h = row->has_sm3 ? s->h_sm3 : s->p->h;
	if (cu_hasher_reset(hs.h, &e2) != CU_OK) {
		check(r, FAIL, ename, "%s", e2.msg);
		return;
	}
	enum rd_result rr = entry_read(&s->w, e, s->out, hash_sink, &hs, why, sizeof(why));
	if (rr != RD_OK) {
		pipe_mark(&s->pipe, NULL, NULL, NULL);
		if (hs.hash_failed)
			check(r, FAIL, ename, "%s", hs.herr);
		else if (rr == RD_STOPPED)
			check(r, FAIL, ename,
			      "'%s' is larger than the %llu bytes manifest.json lists: stopped",
			      name, (unsigned long long)row->size);
		else
			check(r, FAIL, ename, "'%s' cannot be read (damaged, CRC): %s", name, why);
		if (cu_hasher_final(hs.h, &d, &e2) != CU_OK) {
			/* reset before the next entry anyway */
		}
		return;
	}
	if (hs.keep_over)
		check(r, FAIL, ename, "'%s' is too large to check", name);
	if (cu_hasher_final(hs.h, &d, &e2) != CU_OK) {
		pipe_mark(&s->pipe, NULL, NULL, NULL);
		check(r, FAIL, ename, "%s", e2.msg);
		return;
	}
	s->bytes += d.size;
	if (d.size != row->size) {
		pipe_mark(&s->pipe, NULL, NULL, NULL);
		check(r, FAIL, ename, "'%s' is %llu bytes, manifest.json says %llu", name,
		      (unsigned long long)d.size, (unsigned long long)row->size);
		return;
	}
	if (strcmp(d.sha256, row->sha256) != 0) {
		pipe_mark(&s->pipe, NULL, NULL, NULL);
		check(r, FAIL, ename, "'%s' sha256 mismatch: is %s, manifest.json says %s", name,
		      d.sha256, row->sha256);
		return;
	}
	char *sm3msg = NULL;
	if (row->has_sm3 && strcmp(d.sm3, row->sm3) != 0) {
		struct cu_buf b = CU_BUF_INIT;
		if (cu_buf_printf(&b, NULL, "'%s' sm3 mismatch: is %s, manifest.json says %s", name,
				  d.sm3, row->sm3) == CU_OK)
			sm3msg = cu_buf_detach(&b, NULL);
		cu_buf_release(&b);
	}
	char *nm = cu_strdup(name);
	if (nm == NULL) {
		free(sm3msg);
		pipe_mark(&s->pipe, NULL, NULL, NULL);
		check(r, UNREADABLE, ename, "out of memory");
		return;
	}
	pipe_mark(&s->pipe, nm, row->md5, sm3msg);
}

/* A small entry whole (capped); false: a failed check was recorded. */
static bool read_small_w(struct spkg *s, const struct cu_zipwalk_entry *e, size_t max,
			 struct cu_buf *out)
{
	struct smallsink ss = {out, max, false};
	char why[256] = "";

	cu_buf_reset(out);
	enum rd_result rr = entry_read(&s->w, e, s->out, small_sink, &ss, why, sizeof(why));
	if (rr == RD_STOPPED) {
		check(s->p->r, FAIL, "zip-structure", "entry '%s' is larger than %zu bytes",
		      e->name, max);
		return false;
	}
	if (rr != RD_OK) {
		check(s->p->r, FAIL, "zip-structure", "entry '%s' cannot be read: %s", e->name,
		      why);
		return false;
	}
	if (out->data == NULL && cu_buf_grow(out, 0, NULL) != CU_OK)
		return false;
	return true;
}

/* ---- manifest.json ------------------------------------------------ */

struct spoolsink {
	int fd;
	struct cu_hasher *h;
	uint64_t total;
	bool over, io;
};

static bool spool_sink(void *ctx, const unsigned char *p, size_t n)
{
	struct spoolsink *ss = ctx;

	ss->total += n;
	if (ss->total > MAN_SPOOL_MAX) {
		ss->over = true;
		return false;
	}
	if (cu_hasher_update(ss->h, p, n, NULL) != CU_OK ||
	    cu_write_all(ss->fd, p, n, "manifest spool", NULL) != CU_OK) {
		ss->io = true;
		return false;
	}
	return true;
}

/* Finds manifest.json by a walk of its own (it is the second entry of a
 * sealed package), spools and scans it: the manifest and zip-comment
 * checks. */
static enum cu_status load_manifest_stream(struct spkg *s, struct cu_error *err)
{
	struct pkg *p = s->p;
	struct cu_verify_report *r = p->r;
	struct cu_zipwalk w2;
	const struct cu_zipwalk_entry *e = NULL;
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	struct spoolsink ss;
	char why[256] = "";
	enum cu_status st;
	struct cu_error e2;

	cu_error_clear(&e2);
	memset(&ss, 0, sizeof(ss));
	st = cu_zipwalk_open(&s->f.src, &w2, &e2);
	while (st == CU_OK && (st = cu_zipwalk_next(&w2, &e, &e2)) == CU_OK)
		if (strcmp(e->name, CU_PKG_MANIFEST) == 0)
			break;
	if (st == CU_E_NOMEM) {
		cu_zipwalk_release(&w2);
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	}
	if (st != CU_OK) {
		/* a damaged directory is named by the main walk */
		if (st == CU_E_NOTFOUND)
			check(r, FAIL, "manifest", "the package has no manifest.json");
		p->stop = true;
		cu_zipwalk_release(&w2);
		return CU_OK;
	}
	if ((s->ms.spool = tmp_fd()) < 0 || (s->ms.idx = tmp_fd()) < 0) {
		st = cu_error_errno(err, CU_E_IO, errno,
				    "verify: cannot make a temporary file in $TMPDIR");
		goto out;
	}
	if ((st = cu_hasher_new(CU_HASH_SHA256, 0, &h, err)) != CU_OK)
		goto out;
	ss.fd = s->ms.spool;
	ss.h = h;
	enum rd_result rr = entry_read(&w2, e, s->out, spool_sink, &ss, why, sizeof(why));
	if (rr == RD_STOPPED && ss.io) {
		st = cu_error_errno(err, CU_E_IO, errno, "verify: cannot spool manifest.json");
		goto out;
	}
	if (rr != RD_OK) {
		if (rr == RD_STOPPED)
			check(r, FAIL, "zip-structure", "entry '%s' is larger than %llu bytes",
			      CU_PKG_MANIFEST, (unsigned long long)MAN_SPOOL_MAX);
		else
			check(r, FAIL, "zip-structure", "entry '%s' cannot be read: %s",
			      CU_PKG_MANIFEST, why);
		p->stop = true;
		goto out;
	}
	if ((st = cu_hasher_final(h, &d, err)) != CU_OK)
		goto out;
	memcpy(p->seal, d.sha256_raw, 32);
	memcpy(p->seal_hex, d.sha256, 65);
	memcpy(r->seal_hash, p->seal_hex, 65);
	s->ms.size = ss.total;
	bool parsed = scan_manifest(&s->ms, why, sizeof(why));
	if (!parsed)
		check(r, FAIL, "manifest", "manifest.json does not parse: %s", why);
	else
		check(r, PASS, "manifest", "manifest.json parses; seal hash %s", p->seal_hex);
	/* The comment as the end record declares it, byte for byte. */
	p->have_map = true;
	p->map.comment = w2.map.comment;
	p->map.comment_len = w2.map.comment_len;
	check_comment(p);
	p->have_map = false;
	p->map.comment = NULL;
	if (!parsed || s->ms.man == NULL) {
		p->stop = true;
		goto out;
	}
	p->man = s->ms.man;
	s->ms.man = NULL;
out:
	cu_hasher_free(h);
	cu_zipwalk_release(&w2);
	return st;
}

/* ---- the walk ----------------------------------------------------- */

static int fixed_slot(const char *name)
{
	static const char *const f[5] = {CU_PKG_MIMETYPE, CU_PKG_MANIFEST, CU_PKG_SIG, CU_PKG_TSQ,
					 CU_PKG_TSR};
	for (int i = 0; i < 5; i++)
		if (strcmp(name, f[i]) == 0)
			return i;
	return -1;
}

static void walk_fixed(struct spkg *s, const struct cu_zipwalk_entry *e, int slot)
{
	struct pkg *p = s->p;
	static const uint64_t rank[4] = {0, 1, 2, 3};

	if (s->fixed_seen[slot]) {
		check(p->r, FAIL, "entry-names", "entry name '%s' appears twice", e->name);
		s->names_bad = true;
		return;
	}
	s->fixed_seen[slot] = true;
	note_rank(s, e->index, e->name, slot < 4 ? rank[slot] : rank_tsr(s), NULL);
	switch (slot) {
	case 0:
		if (e->index != 0)
			break; /* named by the mimetype check */
		if (e->method != 0 || (e->flags & 1))
			check(p->r, FAIL, "mimetype",
			      "first entry is '%s', not a stored 'mimetype'", e->name);
		else if (!read_small_w(s, e, 256, &p->small) ||
			 strcmp(p->small.data, CU_PACKAGE_MIMETYPE) != 0)
			check(p->r, FAIL, "mimetype", "mimetype is '%s', not '%s'",
			      p->small.data ? p->small.data : "", CU_PACKAGE_MIMETYPE);
		else
			check(p->r, PASS, "mimetype", "%s", CU_PACKAGE_MIMETYPE);
		break;
	case 2: p->have_sig = read_small_w(s, e, 4096, &p->sigbuf); break;
	case 3: {
		struct cu_error e2;
		cu_error_clear(&e2);
		if (!read_small_w(s, e, 1 << 16, &p->small))
			break;
		p->have_tsq = true;
		if (cu_seal_tsq_check(p->small.data, p->small.len, p->seal, &e2) != CU_OK)
			check(p->r, FAIL, "timestamp-request", "%s", e2.msg);
		else
			check(p->r, PASS, "timestamp-request",
			      "manifest.json.tsq asks to stamp SHA-256(manifest.json)");
		break;
	}
	case 4:
		if (p->o->tsr == NULL && read_small_w(s, e, 1 << 20, &p->small)) {
			struct cu_buf det = CU_BUF_INIT;
			struct cu_error e2;
			cu_error_clear(&e2);
			p->have_tsr = true;
			if (cu_seal_tsr_check(p->small.data, p->small.len, p->seal, p->o->tsa_ca,
					      &det, &e2) != CU_OK)
				check(p->r, FAIL, "timestamp", "%s: %s", e->name, e2.msg);
			else
				check(p->r, PASS, "timestamp", "%s: %s", e->name, det.data);
			cu_buf_release(&det);
		}
		break;
	default: break;
	}
}

/* A row of files[] or derived[] met in step: its leaf (see instep). */
static void step_leaf(struct spkg *s, int l, const struct row *row)
{
	unsigned char leaf[32];

	if (s->prev[l] != NULL && strcmp(s->prev[l], row->path) >= 0) {
		s->instep = false; /* out of order: the listing pass names it */
		return;
	}
	free(s->prev[l]);
	if ((s->prev[l] = cu_strdup(row->path)) == NULL) {
		s->instep = false;
		return;
	}
	if (l == L_FILES && s->nleaves[L_FILES] == 0 &&
	    (s->first_file = cu_strdup(row->path)) == NULL) {
		s->instep = false;
		return;
	}
	cu_merkle_content_leaf(row->path, row->size, row->sha256, leaf);
	if (l == L_DERIVED) {
		cu_merkle_stream_add(&s->mst, leaf);
	} else if (s->leaves->len + 32 <= sizeof(s->leaves->buf)) {
		memcpy(s->leaves->buf + s->leaves->len, leaf, 32);
		s->leaves->len += 32;
	} else if (cu_write_all(s->leaves->fd, s->leaves->buf, s->leaves->len, "leaves", NULL) ==
		   CU_OK) {
		memcpy(s->leaves->buf, leaf, 32);
		s->leaves->len = 32;
	} else {
		s->instep = false;
		return;
	}
	s->nleaves[l]++;
}

/* The root of the rows met in step, when they were all met in order and
 * every derived path sorts before every evidence one; false otherwise. */
static bool step_root(struct spkg *s, unsigned char root[32], uint64_t *k)
{
	unsigned char leaf[32];
	struct rbuf rb;
	bool ok = true;

	if (!s->instep || s->cur_l != NLISTS || s->nleaves[L_FILES] != s->ms.n[L_FILES] ||
	    s->nleaves[L_DERIVED] != s->ms.n[L_DERIVED] ||
	    (s->prev[L_DERIVED] != NULL && s->first_file != NULL &&
	     strcmp(s->prev[L_DERIVED], s->first_file) >= 0))
		return false;
	if (s->leaves->len > 0 &&
	    cu_write_all(s->leaves->fd, s->leaves->buf, s->leaves->len, "leaves", NULL) != CU_OK)
		return false;
	s->leaves->len = 0;
	if (!rbuf_init(&rb, s->leaves->fd, s->nleaves[L_FILES] * 32, INDEX_WIN))
		return false;
	for (uint64_t i = 0; i < s->nleaves[L_FILES] && ok; i++) {
		const unsigned char *b = rbuf_span(&rb, i * 32, 32);
		if (b == NULL)
			ok = false;
		else {
			memcpy(leaf, b, 32);
			cu_merkle_stream_add(&s->mst, leaf);
		}
	}
	rbuf_release(&rb);
	if (!ok)
		return false;
	cu_merkle_stream_root(&s->mst, root);
	*k = s->nleaves[L_FILES] + s->nleaves[L_DERIVED];
	return true;
}

/* A listed entry: the expected next row, or one looked up. */
static enum cu_status walk_listed(struct spkg *s, const struct cu_zipwalk_entry *e,
				  struct cu_error *err)
{
	struct pkg *p = s->p;
	const struct row *row;
	int l;
	uint64_t i;
	const char *want = s->cur_l < NLISTS ? s->cur.row.path : NULL;

	if (s->cur_l < NLISTS && strcmp(e->name, s->cur.row.path) == 0) {
		l = s->cur_l;
		i = s->cur_i;
		row = &s->cur.row;
		if (l < L_PKG && s->instep)
			step_leaf(s, l, row);
	} else if (lookup(s, e->name, &l, &i)) {
		row = &s->look.row;
		if (l < L_PKG)
			s->instep = false;
	} else {
		check(p->r, FAIL, "entries", "unexpected entry '%s': not listed in manifest.json",
		      e->name);
		s->efail++;
		return CU_OK;
	}
	if (bit_get(s->seen[l], i)) {
		check(p->r, FAIL, "entry-names", "entry name '%s' appears twice", e->name);
		s->names_bad = true;
		return CU_OK;
	}
	bit_set(s->seen[l], i);
	note_rank(s, e->index, e->name, rank_of(s, l, i, e->name), want);
	bool is_log = strcmp(e->name, CU_PKG_CUSTODY) == 0;
	if (is_log)
		cu_buf_reset(&p->logbuf);
	unsigned long before = p->r->failures;
	hash_listed(s, e, row, is_log ? &p->logbuf : NULL);
	s->efail += p->r->failures - before;
	if (is_log && p->logbuf.data != NULL)
		p->log_seen = true;
	else if (is_log)
		p->log_seen = p->logbuf.len == 0 && row->size == 0;
	/* The cursor moves on past the row found (rows skipped stay unseen:
	 * missing, or named by the order check when they come later). */
	if (l > s->cur_l || (l == s->cur_l && i >= s->cur_i)) {
		if (!(l == L_PKG && strcmp(e->name, CU_PKG_CUSTODY) == 0 && s->cur_l < L_PKG)) {
			s->cur_l = l;
			s->cur_i = i + 1;
		}
	}
	if (!cur_settle(s))
		return cu_error_set(err, CU_E_IO, "verify: cannot read the spooled manifest.json");
	return CU_OK;
}

/* Every entry in central directory order, in step with the lists. */
static enum cu_status walk_package(struct spkg *s, struct cu_error *err)
{
	struct pkg *p = s->p;
	struct cu_verify_report *r = p->r;
	const struct cu_zipwalk_entry *e;
	enum cu_status st;
	struct cu_error e2;
	uint64_t n = 0;
	unsigned algs = CU_HASH_SHA256;

	for (int l = 0; l < NLISTS; l++)
		if ((s->seen[l] = cu_calloc(s->ms.n[l] / 64 + 1, sizeof(uint64_t))) == NULL)
			return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if (!rows_init(&s->cur, &s->ms) || !rows_init(&s->look, &s->ms))
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if ((st = cu_hasher_new(algs, CU_HASHER_THREADED, &p->h, err)) != CU_OK)
		return st;
	if ((st = pipe_start(&s->pipe, err)) != CU_OK)
		return st;
	s->cur_l = 0;
	s->cur_i = 0;
	s->instep = true;
	cu_merkle_stream_init(&s->mst);
	if ((s->leaves = cu_calloc(1, sizeof(*s->leaves))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if ((s->leaves->fd = tmp_fd()) < 0)
		return cu_error_errno(err, CU_E_IO, errno,
				      "verify: cannot make a temporary file in $TMPDIR");
	if (!cur_settle(s))
		return cu_error_set(err, CU_E_IO, "verify: cannot read the spooled manifest.json");
	cu_error_clear(&e2);
	while ((st = cu_zipwalk_next(&s->w, &e, &e2)) == CU_OK) {
		n++;
		if (cu_path_check_relative(e->name, e->name_len, &p->e) != CU_OK) {
			check(r, FAIL, "entry-names", "entry %llu has an unsafe name '%s': %s",
			      (unsigned long long)e->index, e->name, p->e.msg);
			s->names_bad = true;
		}
		if (e->index == 0 && strcmp(e->name, CU_PKG_MIMETYPE) != 0)
			check(r, FAIL, "mimetype", "first entry is '%s', not a stored 'mimetype'",
			      e->name);
		int slot = fixed_slot(e->name);
		if (slot >= 0)
			walk_fixed(s, e, slot);
		else if ((st = walk_listed(s, e, err)) != CU_OK)
			return st;
	}
	r->entries = n;
	if (n == 0)
		check(r, FAIL, "mimetype", "first entry is '%s', not a stored 'mimetype'",
		      "(none)");
	if (st == CU_E_NOMEM)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if (st != CU_E_NOTFOUND) {
		/* A damaged central directory record: the full reader names it. */
		check(r, FAIL, "zip-structure",
		      "'%s' is not a readable ZIP archive (damaged or truncated?): %s", p->path,
		      e2.msg);
		s->w.disorder = true;
	}
	unsigned long before = r->failures;
	pipe_finish(&s->pipe, r);
	s->efail += r->failures - before;
	return CU_OK;
}

/* ---- after the walk ----------------------------------------------- */

/* zip-layout: a clean walk is the pass; otherwise the full reader
 * (cu_zipmap_read) names every finding, as for the libzip path. */
static enum cu_status report_layout(struct spkg *s, struct cu_error *err)
{
	struct pkg *p = s->p;
	struct cu_zipmap *m = &s->w.map;
	enum cu_status st;

	if (cu_zipwalk_clean(&s->w)) {
		check(p->r, PASS, "zip-layout",
		      "%zu local entries one after the other from offset 0, the central "
		      "directory, %sthe end record and its %zu-byte comment: all %llu bytes "
		      "accounted for",
		      m->n, m->zip64 ? "the ZIP64 end record and locator, " : "", m->comment_len,
		      (unsigned long long)m->file_size);
		return CU_OK;
	}
	unsigned long before = p->r->failures;
	if ((st = check_zip_layout(p, err)) != CU_OK)
		return st;
	if (p->r->failures == before)
		check(p->r, FAIL, "zip-layout",
		      "'%s': the local entries do not follow one another in central directory "
		      "order",
		      p->path);
	return CU_OK;
}

static void report_order(struct spkg *s)
{
	struct pkg *p = s->p;

	if (!s->names_bad)
		check(p->r, PASS, "entry-names",
		      "%llu entries, names unique, relative, without '..'",
		      (unsigned long long)p->r->entries);
	if (s->order_bad)
		check(p->r, FAIL, "entry-order",
		      "entry %llu of '%s' is '%s' where seal writes '%s' (entries reordered "
		      "or rewritten)",
		      (unsigned long long)s->jump_at + 1, p->path,
		      s->jump_have ? s->jump_have : "?", s->jump_want ? s->jump_want : "?");
	else
		check(p->r, PASS, "entry-order", "%llu entries in the order seal writes them",
		      (unsigned long long)p->r->entries);
}

/* A pass over the lists: rows that lack a field, rows never seen in the
 * package, files[] and derived[] in strict bytewise order, and the
 * content root over both, merged by path (RFC 6962 stack). */
struct lcur {
	struct rows rw;
	int l;
	uint64_t i;
	char *prev;
	bool has;
};

static bool lcur_next(struct spkg *s, struct lcur *c, bool *io)
{
	struct pkg *p = s->p;

	c->has = false;
	while (c->i < s->ms.n[c->l]) {
		uint64_t i = c->i++;
		if (!row_load(&s->ms, &c->rw.sp, &c->rw.ix, c->l, i, &c->rw.row)) {
			*io = true;
			return false;
		}
		struct row *row = &c->rw.row;
		if (!row->valid) {
			check(p->r, FAIL, "manifest",
			      "manifest.json: %s[%llu] lacks path, size, sha256 or md5",
			      list_names[c->l], (unsigned long long)i);
			continue;
		}
		s->listed++;
		if (strcmp(row->path, CU_CASE_MANIFEST_INITIAL) == 0)
			memcpy(s->initial_sha, row->sha256, 65);
		if (strcmp(row->path, CU_PKG_CUSTODY) == 0)
			s->custody_listed = true;
		if (!bit_get(s->seen[c->l], i) && ++s->efail > 0)
			check(p->r, FAIL, "entries",
			      "entry '%s' listed in manifest.json %s[] is missing from the package",
			      row->path, list_names[c->l]);
		if (c->l != L_PKG && c->prev != NULL) {
			int cmp = strcmp(c->prev, row->path);
			if (cmp == 0)
				check(p->r, FAIL, "manifest", "manifest.json lists '%s' twice",
				      row->path);
			else if (cmp > 0)
				check(
				    p->r, FAIL, "manifest",
				    "manifest.json %s[%llu] '%s' comes after '%s': %s[] must be in "
				    "strictly increasing bytewise order by path, as seal writes it",
				    list_names[c->l], (unsigned long long)i, row->path, c->prev,
				    list_names[c->l]);
			if (cmp >= 0)
				s->noncanon = true; /* not canonical: no content root */
		}
		free(c->prev);
		c->prev = cu_strdup(row->path);
		c->has = true;
		return true;
	}
	return true;
}

static enum cu_status listing_pass(struct spkg *s, struct cu_error *err)
{
	struct pkg *p = s->p;
	struct cu_verify_report *r = p->r;
	struct lcur c[NLISTS];
	struct cu_merkle_stream ms;
	unsigned char leaf[32], root[32];
	uint64_t k = 0;
	bool io = false, canonical;
	enum cu_status st = CU_OK;

	memset(c, 0, sizeof(c));
	cu_merkle_stream_init(&ms);
	for (int l = 0; l < NLISTS; l++) {
		c[l].l = l;
		if (!rows_init(&c[l].rw, &s->ms)) {
			st = cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
			goto out;
		}
	}
	bool stepped = step_root(s, root, &k);
	if (stepped) {
		/* every row of both lists valid, seen, in order */
		s->listed += k;
	} else {
		(void)lcur_next(s, &c[L_FILES], &io);
		(void)lcur_next(s, &c[L_DERIVED], &io);
	}
	while (!stepped && !io && (c[L_FILES].has || c[L_DERIVED].has)) {
		struct lcur *x;
		if (!c[L_DERIVED].has)
			x = &c[L_FILES];
		else if (!c[L_FILES].has)
			x = &c[L_DERIVED];
		else {
			int cmp = strcmp(c[L_DERIVED].rw.row.path, c[L_FILES].rw.row.path);
			if (cmp == 0) {
				check(r, FAIL, "manifest", "manifest.json lists '%s' twice",
				      c[L_FILES].rw.row.path);
				s->noncanon = true;
			}
			x = cmp <= 0 ? &c[L_DERIVED] : &c[L_FILES];
		}
		cu_merkle_content_leaf(x->rw.row.path, x->rw.row.size, x->rw.row.sha256, leaf);
		cu_merkle_stream_add(&ms, leaf);
		k++;
		(void)lcur_next(s, x, &io);
	}
	while (!io && lcur_next(s, &c[L_PKG], &io) && c[L_PKG].has)
		;
	if (io) {
		st = cu_error_set(err, CU_E_IO, "verify: cannot read the spooled manifest.json");
		goto out;
	}
	canonical = !s->noncanon;
	r->bytes = s->bytes;
	/* files */
	{
		const json_t *cr = json_object_get(p->man, "content_root");
		const char *want = json_string_value(json_object_get(cr, "root"));
		json_int_t wsize = json_integer_value(json_object_get(cr, "size"));
		if (!stepped)
			cu_merkle_stream_root(&ms, root);
		cu_hex(root, 32, p->croot_hex);
		memcpy(r->content_root, p->croot_hex, 65);
		if (!canonical)
			check(
			    r, FAIL, "content-root",
			    "files[] and derived[] are not in strictly increasing bytewise order by "
			    "path: the content root is not checked");
		else if (want == NULL || strcmp(want, p->croot_hex) != 0 || (uint64_t)wsize != k)
			check(r, FAIL, "content-root",
			      "files[] + derived[] give root %s over %llu files; "
			      "manifest.json content_root says %s over %lld",
			      p->croot_hex, (unsigned long long)k, want ? want : "null",
			      (long long)wsize);
		else
			check(r, PASS, "content-root", "%s over %llu files", p->croot_hex,
			      (unsigned long long)k);
	}
out:
	for (int l = 0; l < NLISTS; l++) {
		rows_release(&c[l].rw);
		free(c[l].prev);
	}
	return st;
}

static void report_files(struct spkg *s)
{
	struct cu_verify_report *r = s->p->r;

	if (s->efail > 0)
		return;
	check(r, PASS, "files",
	      "%llu listed entries, %llu bytes: size, SHA-256, MD5 (and SM3) match manifest.json; "
	      "CRCs good",
	      (unsigned long long)s->listed, (unsigned long long)s->bytes);
}

/* manifest.initial.json, when packed, is the manifest CASE_INIT names. */
static void stream_initial_manifest(struct spkg *s)
{
	struct pkg *p = s->p;
	char hex[65];
	struct cu_error e;

	if (s->initial_sha[0] == '\0')
		return;
	cu_error_clear(&e);
	if (cu_custody_initial_manifest(p->logbuf.data, p->logbuf.len, CU_PKG_CUSTODY, hex, &e) !=
	    CU_OK)
		check(p->r, FAIL, "manifest-initial", "%s", e.msg);
	else if (strcmp(hex, s->initial_sha) != 0)
		check(p->r, FAIL, "manifest-initial",
		      "manifest.initial.json (sha256 %s) is not the manifest CASE_INIT names (%s)",
		      s->initial_sha, hex);
	else
		check(p->r, PASS, "manifest-initial", "manifest.initial.json is CASE_INIT's %s",
		      hex);
}

/* The manifest's bytes for its signature: Ed25519 signs the message
 * whole, so the spool is mapped for the one call. */
static void stream_signature(struct spkg *s)
{
	struct pkg *p = s->p;
	void *map = MAP_FAILED;

	if (p->have_sig && p->o->pubkey != NULL && s->ms.size > 0 && s->ms.size <= SIZE_MAX)
		map = mmap(NULL, (size_t)s->ms.size, PROT_READ, MAP_PRIVATE, s->ms.spool, 0);
	if (map != MAP_FAILED) {
		p->man_text.data = map;
		p->man_text.len = (size_t)s->ms.size;
	}
	check_signature(p);
	if (map != MAP_FAILED) {
		munmap(map, (size_t)s->ms.size);
		p->man_text.data = NULL;
		p->man_text.len = 0;
	}
}

/* Is the package sealed with --encrypt (WinZip AES for everything but
 * mimetype, manifest.json and the texts)? Those keep the libzip path.
 * The custody log, fifth, is the first encrypted entry: a look at the
 * central directory's first records says. */
static bool package_encrypted(const char *path)
{
	struct cu_zipmap_fd f;
	struct cu_zipwalk w;
	const struct cu_zipwalk_entry *e;
	struct cu_error e2;
	bool enc = false;

	if (cu_zipmap_fd_open(path, &f, &e2) != CU_OK)
		return false;
	if (cu_zipwalk_open(&f.src, &w, &e2) == CU_OK) {
		w.cd_only = true;
		for (int i = 0; i < 16 && !enc && cu_zipwalk_next(&w, &e, &e2) == CU_OK; i++)
			enc = (e->flags & 1) != 0 || e->method == 99;
	}
	cu_zipwalk_release(&w);
	cu_zipmap_fd_close(&f);
	return enc;
}

static void spkg_release(struct spkg *s)
{
	pipe_finish(&s->pipe, NULL);
	cu_zipwalk_release(&s->w);
	cu_zipmap_fd_close(&s->f);
	mstream_release(&s->ms);
	cu_hasher_free(s->h_sm3);
	free(s->out);
	for (int l = 0; l < NLISTS; l++)
		free(s->seen[l]);
	rows_release(&s->cur);
	rows_release(&s->look);
	free(s->jump_have);
	free(s->jump_want);
	if (s->leaves != NULL && s->leaves->fd >= 0)
		close(s->leaves->fd);
	free(s->leaves);
	free(s->prev[0]);
	free(s->prev[1]);
	free(s->first_file);
}

static enum cu_status walk_layout_only(struct spkg *s, struct cu_error *err)
{
	struct pkg *p = s->p;
	const struct cu_zipwalk_entry *e;
	struct cu_error e2;
	enum cu_status st;
	uint64_t n = 0;

	cu_error_clear(&e2);
	while ((st = cu_zipwalk_next(&s->w, &e, &e2)) == CU_OK) {
		n++;
		if (cu_path_check_relative(e->name, e->name_len, &p->e) != CU_OK) {
			check(p->r, FAIL, "entry-names", "entry %llu has an unsafe name '%s': %s",
			      (unsigned long long)e->index, e->name, p->e.msg);
			s->names_bad = true;
		}
		if (e->index == 0 && strcmp(e->name, CU_PKG_MIMETYPE) != 0)
			check(p->r, FAIL, "mimetype",
			      "first entry is '%s', not a stored 'mimetype'", e->name);
		else if (e->index == 0)
			walk_fixed(s, e, 0);
	}
	p->r->entries = n;
	if (st == CU_E_NOMEM)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	if (st != CU_E_NOTFOUND)
		s->w.disorder = true;
	if ((st = report_layout(s, err)) != CU_OK)
		return st;
	if (!s->names_bad)
		check(p->r, PASS, "entry-names", "%llu entries, names relative, without '..'",
		      (unsigned long long)n);
	return CU_OK;
}

static enum cu_status verify_package_stream(struct pkg *p, struct outer *outer,
					    struct cu_error *err)
{
	struct cu_verify_report *r = p->r;
	struct spkg s;
	struct stat sb;
	struct cu_error e2;
	enum cu_status st = CU_OK;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.ms.spool = s.ms.idx = -1;
	s.f.fd = -1;
	if (stat(p->path, &sb) != 0 || !S_ISREG(sb.st_mode) || access(p->path, R_OK) != 0) {
		check(r, UNREADABLE, "input", "cannot read package '%s': %s", p->path,
		      strerror(errno ? errno : EINVAL));
		return CU_OK;
	}
	outer_begin(p, outer);
	cu_error_clear(&e2);
	if ((s.out = cu_malloc(INFLATE_OUT)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
		goto out;
	}
	if ((st = cu_zipmap_fd_open(p->path, &s.f, err)) != CU_OK)
		goto out;
	st = cu_zipwalk_open(&s.f.src, &s.w, &e2);
	if (st == CU_E_NOMEM) {
		st = cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
		goto out;
	}
	if (st != CU_OK) {
		unsigned char magic[4] = {0};
		bool zipish = st != CU_E_FORMAT && st != CU_E_IO;
		if (zipish)
			check(r, FAIL, "zip-layout", "'%s': %s", p->path, e2.msg);
		if (s.f.src.size >= 4 && s.f.src.read_at(s.f.src.ctx, 0, magic, 4) &&
		    memcmp(magic, "PK\x03\x04", 4) == 0)
			zipish = true;
		check(r, zipish ? FAIL : UNREADABLE, "zip-structure",
		      "'%s' is not a readable ZIP archive (damaged or truncated?): %s", p->path,
		      e2.msg);
		st = CU_OK;
		goto out;
	}
	if ((st = load_manifest_stream(&s, err)) != CU_OK)
		goto out;
	if (p->stop) {
		/* No manifest to check the entries against: their layout,
		 * names and the mimetype still are. */
		st = walk_layout_only(&s, err);
		goto out;
	}
	if ((st = walk_package(&s, err)) != CU_OK)
		goto out;
	if ((st = report_layout(&s, err)) != CU_OK)
		goto out;
	report_order(&s);
	if ((st = listing_pass(&s, err)) != CU_OK)
		goto out;
	report_files(&s);
	if (p->log_seen)
		check_custody(p, p->man, &p->logbuf, p->croot_hex[0] ? p->croot_hex : NULL);
	else if (!s.custody_listed)
		check(r, FAIL, "custody-chain", "the package has no custody/log.jsonl");
	if (p->log_seen) {
		check_living_log(p);
		stream_initial_manifest(&s);
	}
	stream_signature(&s);
	check_seal_signature(p);
	check_timestamps(p);
	check_acquisitions(p);
out:
	spkg_release(&s);
	return st;
}

/* The libzip path: packages sealed with --encrypt (WinZip AES entries). */
static enum cu_status verify_libzip(struct pkg *p, struct outer *outer, struct cu_error *err)
{
	enum cu_status st;

	st = open_package(p, outer, err);
	if (st == CU_OK && !p->stop)
		st = check_entry_names(p, err);
	if (st == CU_OK && !p->stop) {
		check_mimetype(p);
		check_manifest(p);
	}
	if (st == CU_OK && !p->stop)
		check_entry_order(p);
	if (st == CU_OK && !p->stop)
		st = start_hashers(p, err);
	if (st == CU_OK && !p->stop) {
		check_entries(p);
		check_content_root(p);
		check_package_custody(p);
		check_signature(p);
		check_seal_signature(p);
		check_timestamps(p);
		check_acquisitions(p);
	}
	return st;
}

enum cu_status cu_verify_package(const char *path, const struct cu_verify_opts *opts,
				 struct cu_verify_report *r, struct cu_error *err)
{
	static const struct cu_buf buf_init = CU_BUF_INIT;
	struct pkg p;
	struct outer outer;
	enum cu_status st;

	memset(&p, 0, sizeof(p));
	memset(&outer, 0, sizeof(outer));
	p.path = path;
	p.o = opts;
	p.r = r;
	p.man_text = p.logbuf = p.small = p.sigbuf = buf_init;
	cu_error_clear(&p.e);

	if (package_encrypted(path))
		st = verify_libzip(&p, &outer, err);
	else
		st = verify_package_stream(&p, &outer, err);
	outer_end(&p, &outer);
	pkg_release(&p);
	return st;
}

/* ------------------------------------------------------------------ */
/* case directory                                                      */
/* ------------------------------------------------------------------ */

struct casev {
	struct cu_case *c;
	struct cu_verify_report *r;
	struct cu_hasher *h, *h_sm3;
	unsigned char *chunk;
	char **paths;
	size_t npaths, cap;
	uint64_t files, bytes;
	unsigned long bad;
};

static enum cu_status case_rec(const struct cu_inventory_rec *rec, void *ctx, struct cu_error *err)
{
	struct casev *v = ctx;
	struct cu_buf path = CU_BUF_INIT;
	struct cu_digests d;
	struct cu_error e;
	char name[CU_PATH_MAX + 8];
	int fd = -1;

	(void)err;
	if (rec->type != NULL && strcmp(rec->type, "file") != 0)
		return CU_OK;
	if (rec->evidence_path == NULL)
		return CU_OK;
	snprintf(name, sizeof(name), "file %s", rec->evidence_path);
	if (v->npaths == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		char **nv = cu_reallocarray(v->paths, cap, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
		v->paths = nv;
		v->cap = cap;
	}
	if ((v->paths[v->npaths] = cu_strdup(rec->evidence_path)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	v->npaths++;
	cu_error_clear(&e);
	if (cu_case_path(v->c, rec->evidence_path, &path, &e) != CU_OK) {
		check(v->r, FAIL, name, "%s", e.msg);
		v->bad++;
		goto out;
	}
	fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		check(v->r, FAIL, name, "'%s' listed in the inventory cannot be opened: %s",
		      rec->evidence_path, strerror(errno));
		v->bad++;
		goto out;
	}
	struct cu_hasher *h = strlen(rec->sm3) == 64 ? v->h_sm3 : v->h;
	if (h == NULL) {
		if (cu_hasher_new(CU_HASH_DEFAULT | CU_HASH_SM3, CU_HASHER_THREADED, &v->h_sm3,
				  &e) != CU_OK)
			goto fail;
		h = v->h_sm3;
	}
	if (cu_hasher_reset(h, &e) != CU_OK)
		goto fail;
	for (;;) {
		size_t got;
		if (cu_read_full(fd, v->chunk, CHUNK, &got, rec->evidence_path, &e) != CU_OK)
			goto fail;
		if (got == 0)
			break;
		if (cu_hasher_update(h, v->chunk, got, &e) != CU_OK)
			goto fail;
	}
	if (cu_hasher_final(h, &d, &e) != CU_OK)
		goto fail;
	v->files++;
	v->bytes += d.size;
	if (d.size != rec->size || strcmp(d.sha256, rec->sha256) != 0 ||
	    strcmp(d.md5, rec->md5) != 0 ||
	    (strlen(rec->sm3) == 64 && strcmp(d.sm3, rec->sm3) != 0)) {
		check(
		    v->r, FAIL, name,
		    "'%s' is %llu bytes sha256 %s md5 %s; the inventory says %llu bytes sha256 %s "
		    "md5 %s",
		    rec->evidence_path, (unsigned long long)d.size, d.sha256, d.md5,
		    (unsigned long long)rec->size, rec->sha256, rec->md5);
		v->bad++;
	}
	goto out;
fail:
	check(v->r, FAIL, name, "%s", e.msg);
	v->bad++;
out:
	if (fd >= 0)
		close(fd);
	cu_buf_release(&path);
	return CU_OK;
}

static void walk_unlisted(struct casev *v, const char *rel, int depth)
{
	struct cu_buf dir = CU_BUF_INIT, child = CU_BUF_INIT;
	DIR *d = NULL;
	struct dirent *de;

	if (depth > 64 || cu_case_path(v->c, rel, &dir, NULL) != CU_OK ||
	    (d = opendir(dir.data)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cu_buf_reset(&child);
		if (cu_buf_printf(&child, NULL, "%s/%s", rel, de->d_name) != CU_OK ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			walk_unlisted(v, child.data, depth + 1);
		} else if (S_ISREG(sb.st_mode)) {
			const char *key = child.data;
			if (v->npaths == 0 || bsearch(&key, v->paths, v->npaths, sizeof(*v->paths),
						      cmp_cstr) == NULL) {
				char name[CU_PATH_MAX + 8];
				snprintf(name, sizeof(name), "file %s", child.data);
				check(v->r, FAIL, name,
				      "'%s' is not in the inventory (unlisted file)", child.data);
				v->bad++;
			}
		}
	}
out:
	if (d != NULL)
		closedir(d);
	cu_buf_release(&dir);
	cu_buf_release(&child);
}

enum cu_status cu_verify_case_dir(const char *dir, const struct cu_verify_opts *opts,
				  struct cu_verify_report *r, struct cu_error *err)
{
	struct casev v;
	struct cu_error e;
	struct cu_buf logp = CU_BUF_INIT;
	enum cu_status st = CU_OK;

	memset(&v, 0, sizeof(v));
	v.r = r;
	cu_error_clear(&e);
	if (cu_case_open(dir, &v.c, &e) != CU_OK) {
		/* A custody log that opens but does not check out (a broken
		 * chain, an unsigned entry in a signed case) is a mismatch. */
		if (e.code == CU_E_INTEGRITY)
			check(r, FAIL, "custody-chain", "%s", e.msg);
		else
			check(r, UNREADABLE, "input", "%s", e.msg);
		return CU_OK;
	}
	check(r, PASS, "manifest", "%s/manifest.json parses", v.c->dir);
	if ((v.chunk = cu_malloc(CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
		goto out;
	}
	if ((st = cu_hasher_new(CU_HASH_DEFAULT, CU_HASHER_THREADED, &v.h, err)) != CU_OK)
		goto out;
	if (cu_inventory_each(v.c, NULL, case_rec, &v, &e) != CU_OK)
		check(r, FAIL, "inventory", "%s", e.msg);
	if (v.npaths > 0)
		qsort(v.paths, v.npaths, sizeof(*v.paths), cmp_cstr);
	walk_unlisted(&v, "evidence", 0);
	walk_unlisted(&v, "derived", 0);
	if (v.bad == 0)
		check(r, PASS, "files", "%llu files, %llu bytes match the inventory",
		      (unsigned long long)v.files, (unsigned long long)v.bytes);
	{
		uint64_t nfiles = 0;
		cu_error_clear(&e);
		if (cu_seal_case_content_root(v.c, r->content_root, &nfiles, &e) != CU_OK)
			check(r, FAIL, "content-root", "%s", e.msg);
		else
			check(r, PASS, "content-root",
			      "%s over %llu files (what a seal now would carry)", r->content_root,
			      (unsigned long long)nfiles);
	}
	r->bytes = v.bytes;
	r->entries = v.files;
	{
		/* Every acquisition finished (a killed import stays 'running'),
		 * as seal requires. */
		struct cu_buf ul = CU_BUF_INIT;
		json_t *u = cu_chain_unfinished(v.c->manifest);
		if (u == NULL) {
			check(r, UNREADABLE, "acquisitions", "out of memory");
		} else if (json_array_size(u) == 0) {
			check(r, PASS, "acquisitions", "%zu acquisitions, all finished",
			      json_array_size(json_object_get(v.c->manifest, "acquisitions")));
		} else {
			cu_chain_unfinished_text(u, &ul);
			check(r, FAIL, "acquisitions", "%s: finish them (custos import --resume)",
			      ul.data ? ul.data : "");
		}
		json_decref(u);
		cu_buf_release(&ul);
	}
	{
		/* case.db and report/ against the last PARSE and REPORT entries
		 * of the case's log (chain.c). */
		struct cu_chain_state cs;
		struct cu_buf d = CU_BUF_INIT;
		cu_error_clear(&e);
		if (cu_chain_read(v.c, &cs, &e) != CU_OK) {
			check(r, FAIL, "case-db", "%s", e.msg);
			check(r, FAIL, "report", "%s", e.msg);
		} else {
			if (cu_chain_check_db(v.c, &cs, &d, &e) != CU_OK)
				check(r, FAIL, "case-db", "%s", e.msg);
			else
				check(r, PASS, "case-db", "%s", d.data ? d.data : "");
			cu_buf_reset(&d);
			cu_error_clear(&e);
			if (cu_chain_check_report(v.c, &cs, &d, &e) != CU_OK)
				check(r, FAIL, "report", "%s", e.msg);
			else
				check(r, PASS, "report", "%s", d.data ? d.data : "");
			cu_chain_release(&cs);
		}
		cu_buf_release(&d);
	}

	{
		struct cu_custody_check chk;
		char hh[65];
		cu_error_clear(&e);
		if ((st = cu_case_path(v.c, CU_CASE_CUSTODY, &logp, err)) != CU_OK)
			goto out;
		if (cu_custody_verify_file(logp.data, opts->pubkey, &chk, &e) != CU_OK) {
			check(r, FAIL, "custody-chain", "%s", e.msg);
		} else if (opts->pubkey != NULL && chk.case_key_id[0] != '\0' &&
			   chk.signed_entries == chk.unverified_signatures) {
			check(r, FAIL, "custody-chain",
			      "the case is signed with key %s, not by the --pubkey key %s",
			      chk.case_key_id, opts->pubkey);
		} else if (opts->pubkey != NULL &&
			   chk.signed_entries == chk.unverified_signatures) {
			/* A key given asks whether the record is that key's: an
			 * unsigned (or stripped and re-chained) log cannot say yes. */
			check(r, FAIL, "custody-chain",
			      "no entry of the custody log is signed by the --pubkey key %s "
			      "(an unsigned case: make it with case init --sign-key)",
			      opts->pubkey);
		} else {
			cu_hex(chk.head, 32, hh);
			check(r, PASS, "custody-chain", "%llu entries, head %s, %llu signed%s%s",
			      (unsigned long long)chk.entries, hh,
			      (unsigned long long)chk.signed_entries,
			      chk.case_key_id[0] ? "; signed case, every entry by " : "",
			      chk.case_key_id);
		}
	}
	cu_error_clear(&e);
	if (cu_case_manifest_explained(v.c, NULL, &e) != CU_OK)
		check(r, FAIL, "manifest-recorded", "%s", e.msg);
	else
		check(r, PASS, "manifest-recorded",
		      "manifest.json is the one the custody log names");
out:
	for (size_t i = 0; i < v.npaths; i++)
		free(v.paths[i]);
	free(v.paths);
	free(v.chunk);
	cu_hasher_free(v.h);
	cu_hasher_free(v.h_sm3);
	cu_buf_release(&logp);
	cu_case_close(v.c);
	return st;
}

/* ------------------------------------------------------------------ */
/* inclusion proofs                                                    */
/* ------------------------------------------------------------------ */

/* Loads manifest.json of a package (no other check). */
static enum cu_status load_manifest(const char *package, const char *password, json_t **out,
				    struct cu_error *err)
{
	int zerr = 0;
	zip_t *za = zip_open(package, ZIP_RDONLY, &zerr);
	zip_file_t *zf = NULL;
	struct cu_buf b = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	char chunk[65536];

	if (za == NULL)
		return cu_error_set(err, CU_E_FORMAT, "'%s' is not a readable ZIP package",
				    package);
	if (password != NULL)
		zip_set_default_password(za, password);
	if ((zf = zip_fopen(za, CU_PKG_MANIFEST, 0)) == NULL) {
		st = cu_error_set(err, CU_E_FORMAT, "'%s' has no readable manifest.json", package);
		goto out;
	}
	for (;;) {
		zip_int64_t got = zip_fread(zf, chunk, sizeof(chunk));
		if (got < 0) {
			st = cu_error_set(err, CU_E_FORMAT, "'%s': manifest.json: %s", package,
					  zip_file_strerror(zf));
			goto out;
		}
		if (got == 0)
			break;
		if (b.len + (size_t)got > CU_PKG_MANIFEST_MAX) {
			st =
			    cu_error_set(err, CU_E_LIMIT, "'%s': manifest.json too large", package);
			goto out;
		}
		if ((st = cu_buf_append(&b, chunk, (size_t)got, err)) != CU_OK)
			goto out;
	}
	st = cu_json_load_str(b.data ? b.data : "", b.len, CU_PKG_MANIFEST, out, err);
out:
	if (zf != NULL)
		zip_fclose(zf);
	zip_discard(za);
	cu_buf_release(&b);
	return st;
}

/* files[] + derived[] sorted, their leaves, and the manifest's root. */
struct tree {
	struct cu_content_file *cf;
	size_t n;
	unsigned char (*leaves)[32];
	unsigned char root[32];
};

static enum cu_status load_tree(const json_t *man, struct tree *t, struct cu_error *err)
{
	static const char *const lists[] = {"files", "derived"};
	size_t total = 0;
	const char *want =
	    json_string_value(json_object_get(json_object_get(man, "content_root"), "root"));

	memset(t, 0, sizeof(*t));
	if (want == NULL || !cu_unhex(want, t->root, 32))
		return cu_error_set(err, CU_E_FORMAT, "manifest.json has no content_root");
	for (int l = 0; l < 2; l++)
		total += json_array_size(json_object_get(man, lists[l]));
	t->cf = cu_calloc(total ? total : 1, sizeof(*t->cf));
	t->leaves = cu_calloc(total ? total : 1, sizeof(*t->leaves));
	if (t->cf == NULL || t->leaves == NULL)
		return cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
	for (int l = 0; l < 2; l++) {
		const json_t *row;
		size_t i;
		json_array_foreach(json_object_get(man, lists[l]), i, row)
		{
			const char *p = json_string_value(json_object_get(row, "path"));
			const char *h = json_string_value(json_object_get(row, "sha256"));
			json_int_t sz = json_integer_value(json_object_get(row, "size"));
			if (p == NULL || h == NULL || sz < 0)
				return cu_error_set(err, CU_E_FORMAT, "manifest.json: bad %s[%zu]",
						    lists[l], i);
			t->cf[t->n].path = p;
			t->cf[t->n].sha256 = h;
			t->cf[t->n].size = (uint64_t)sz;
			t->n++;
		}
	}
	unsigned char root[32];
	enum cu_status st = cu_merkle_content_root(t->cf, t->n, root, err);
	if (st != CU_OK)
		return st;
	if (memcmp(root, t->root, 32) != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "files[] + derived[] do not give manifest.json's content_root");
	for (size_t i = 0; i < t->n; i++)
		cu_merkle_content_leaf(t->cf[i].path, t->cf[i].size, t->cf[i].sha256, t->leaves[i]);
	return CU_OK;
}

static void tree_release(struct tree *t)
{
	free(t->cf);
	free(t->leaves);
}

enum cu_status cu_verify_prove(const char *package, const char *path, const char *password,
			       struct cu_buf *out, struct cu_error *err)
{
	json_t *man = NULL;
	struct tree t;
	unsigned char(*ap)[32] = NULL;
	size_t aplen = 0, idx = 0;
	enum cu_status st;
	char hex[65];
	bool found = false;

	memset(&t, 0, sizeof(t));
	if ((st = load_manifest(package, password, &man, err)) != CU_OK)
		goto out;
	if ((st = load_tree(man, &t, err)) != CU_OK)
		goto out;
	for (size_t i = 0; i < t.n && !found; i++)
		if (strcmp(t.cf[i].path, path) == 0) {
			idx = i;
			found = true;
		}
	if (!found) {
		st = cu_error_set(
		    err, CU_E_NOTFOUND,
		    "'%s' is not an evidence or derived file of '%s' (give the package "
		    "path, e.g. evidence/<item>/...)",
		    path, package);
		goto out;
	}
	if ((st = cu_merkle_proof((const unsigned char(*)[32])t.leaves, t.n, idx, &ap, &aplen,
				  err)) != CU_OK)
		goto out;
	{
		struct cu_json j;
		cu_buf_reset(out);
		cu_json_init(&j, out);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "path", t.cf[idx].path);
		cu_json_key(&j, "size");
		cu_json_uint(&j, t.cf[idx].size);
		cu_json_kv_str(&j, "sha256", t.cf[idx].sha256);
		cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
		cu_json_key(&j, "leaf_index");
		cu_json_uint(&j, idx);
		cu_json_key(&j, "tree_size");
		cu_json_uint(&j, t.n);
		cu_json_key(&j, "audit_path");
		cu_json_arr_begin(&j);
		for (size_t i = 0; i < aplen; i++) {
			cu_hex(ap[i], 32, hex);
			cu_json_str(&j, hex);
		}
		cu_json_arr_end(&j);
		cu_hex(t.root, 32, hex);
		cu_json_kv_str(&j, "root", hex);
		cu_json_kv_str(&j, "package_id",
			       json_string_value(json_object_get(man, "package_id")));
		cu_json_obj_end(&j);
		st = cu_json_finish(&j, err);
		if (st == CU_OK)
			st = cu_buf_putc(out, '\n', err);
	}
out:
	free(ap);
	tree_release(&t);
	json_decref(man);
	return st;
}

enum cu_status cu_verify_proof(const char *package, const char *proof_file, const char *password,
			       struct cu_error *err)
{
	json_t *man = NULL, *pr = NULL;
	unsigned char(*ap)[32] = NULL;
	unsigned char root[32], leaf[32];
	enum cu_status st;
	const json_t *cr;

	if ((st = load_manifest(package, password, &man, err)) != CU_OK)
		goto out;
	if ((st = cu_json_load_file(proof_file, 16 << 20, &pr, err)) != CU_OK)
		goto out;
	cr = json_object_get(man, "content_root");
	{
		const char *want = json_string_value(json_object_get(cr, "root"));
		const char *p = json_string_value(json_object_get(pr, "path"));
		const char *h = json_string_value(json_object_get(pr, "sha256"));
		const char *proot = json_string_value(json_object_get(pr, "root"));
		const json_t *sz = json_object_get(pr, "size"),
			     *ix = json_object_get(pr, "leaf_index");
		const json_t *ts = json_object_get(pr, "tree_size"),
			     *path = json_object_get(pr, "audit_path");
		json_int_t n = json_integer_value(json_object_get(cr, "size"));
		if (want == NULL || !cu_unhex(want, root, 32)) {
			st = cu_error_set(err, CU_E_FORMAT,
					  "'%s': manifest.json has no content_root", package);
			goto out;
		}
		if (p == NULL || h == NULL || !json_is_integer(sz) || !json_is_integer(ix) ||
		    !json_is_integer(ts) || !json_is_array(path) || json_integer_value(sz) < 0 ||
		    json_integer_value(ix) < 0) {
			st = cu_error_set(
			    err, CU_E_FORMAT,
			    "proof '%s' lacks path, size, sha256, leaf_index, tree_size "
			    "or audit_path",
			    proof_file);
			goto out;
		}
		if (json_integer_value(ts) != n || (proot != NULL && strcmp(proot, want) != 0)) {
			st =
			    cu_error_set(err, CU_E_INTEGRITY,
					 "proof '%s' is for a tree of %lld files with root %s; the "
					 "package's content_root is %s over %lld",
					 proof_file, (long long)json_integer_value(ts),
					 proot ? proot : "?", want, (long long)n);
			goto out;
		}
		size_t len = json_array_size(path);
		if ((ap = cu_calloc(len ? len : 1, sizeof(*ap))) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "verify: out of memory");
			goto out;
		}
		for (size_t i = 0; i < len; i++) {
			const char *x = json_string_value(json_array_get(path, i));
			if (x == NULL || !cu_unhex(x, ap[i], 32)) {
				st =
				    cu_error_set(err, CU_E_FORMAT,
						 "proof '%s': audit_path[%zu] is not 64 hex digits",
						 proof_file, i);
				goto out;
			}
		}
		cu_merkle_content_leaf(p, (uint64_t)json_integer_value(sz), h, leaf);
		if (!cu_merkle_verify(leaf, (size_t)json_integer_value(ix), (size_t)n,
				      (const unsigned char(*)[32])ap, len, root)) {
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "proof '%s' for '%s' does not reproduce the content_root "
					  "%s of '%s'",
					  proof_file, p, want, package);
			goto out;
		}
	}
out:
	free(ap);
	json_decref(man);
	json_decref(pr);
	return st;
}
