/*
 * seal_files.c - the evidence and derived files of a seal, sorted on disk.
 *
 * A phone holds up to millions of files. The seal needs them in package
 * order (evidence then derived, bytewise by path) several times: content
 * root, manifest files[], case.jsonld, the zip. Holding them as one array
 * grows with the file count; here they go through a scratch SQLite file in
 * the seal's work folder (page cache capped, no journal, no fsync: it is
 * thrown away with the folder), which sorts them externally and is then
 * read back in order as many times as needed. Memory stays bounded by the
 * cache size whatever the count.
 *
 * Reading the inventory (parsing each line, checking it, and for a seal
 * checking each file is there with its size) costs about as much as
 * inserting the rows: cu_sealfiles_load() does the first on a reader thread
 * and hands rows over in batches to the calling thread, which inserts them.
 * A file that fails its check keeps the failure with its row; finish
 * reports it when it reaches the row in package order, as if it had
 * checked the file there, so the seal fails on the same file with the
 * same message either way.
 */
#include "report/seal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

struct cu_sealfiles {
	sqlite3 *db;
	sqlite3_stmt *ins;
	uint64_t n, bytes, skipped_nonfile;
	unsigned long items;
	char *one_item; /* the item when there is exactly one */
	char root[65];  /* content root, once finished */
};

static enum cu_status db_err(struct cu_sealfiles *f, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "seal: file list (%s): %s", what,
			    f->db ? sqlite3_errmsg(f->db) : "cannot open");
}

static enum cu_status exec(struct cu_sealfiles *f, const char *sql, struct cu_error *err)
{
	if (sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(f, sql, err);
	return CU_OK;
}

enum cu_status cu_sealfiles_open(const char *workdir, struct cu_sealfiles **out,
				 struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT;
	struct cu_sealfiles *f = cu_calloc(1, sizeof(*f));
	enum cu_status st;

	*out = NULL;
	if (f == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	if ((st = cu_buf_printf(&path, err, "%s/files.db", workdir)) != CU_OK)
		goto fail;
	if (sqlite3_open_v2(path.data, &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		st = db_err(f, path.data, err);
		goto fail;
	}
	/* Scratch: no journal, no fsync; 8 MiB of cache; sorts spill to
	 * files beside it rather than to memory. */
	if ((st = exec(f,
		       "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
		       "PRAGMA cache_size=-8192; PRAGMA temp_store=FILE; "
		       "PRAGMA locking_mode=EXCLUSIVE;"
		       "CREATE TABLE raw(derived INT, path TEXT, item TEXT, device_path TEXT, "
		       "derivation TEXT, derived_from TEXT, size INT, sha256 TEXT, md5 TEXT, "
		       "sm3 TEXT, format TEXT, perr TEXT, pcode INT);"
		       "CREATE TABLE f(derived INT, path TEXT, item TEXT, device_path TEXT, "
		       "derivation TEXT, derived_from TEXT, size INT, sha256 TEXT, md5 TEXT, "
		       "sm3 TEXT, format TEXT, perr TEXT, pcode INT);"
		       "BEGIN;",
		       err)) != CU_OK)
		goto fail;
	if (sqlite3_prepare_v2(f->db, "INSERT INTO raw VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
			       &f->ins, NULL) != SQLITE_OK) {
		st = db_err(f, "insert", err);
		goto fail;
	}
	cu_buf_release(&path);
	*out = f;
	return CU_OK;
fail:
	cu_buf_release(&path);
	cu_sealfiles_close(f);
	return st;
}

void cu_sealfiles_close(struct cu_sealfiles *f)
{
	if (f == NULL)
		return;
	sqlite3_finalize(f->ins);
	sqlite3_close(f->db);
	free(f->one_item);
	free(f);
}

uint64_t cu_sealfiles_count(const struct cu_sealfiles *f)
{
	return f ? f->n : 0;
}

const char *cu_sealfiles_root(const struct cu_sealfiles *f)
{
	return f ? f->root : "";
}

uint64_t cu_sealfiles_bytes(const struct cu_sealfiles *f)
{
	return f ? f->bytes : 0;
}

unsigned long cu_sealfiles_items(const struct cu_sealfiles *f, const char **one)
{
	if (one != NULL)
		*one = f ? f->one_item : NULL;
	return f ? f->items : 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* A row of table raw: format, or perr and pcode (the failure of the file's
 * check while the inventory was read); head: the inventory's first bytes,
 * for that check only. */
struct rawrow {
	bool derived;
	uint64_t size;
	const char *path, *item, *device_path, *derivation, *derived_from;
	const char *sha256, *md5, *sm3, *head, *format, *perr;
	int pcode;
};

static enum cu_status insert_raw(struct cu_sealfiles *f, const struct rawrow *w,
				 struct cu_error *err)
{
	sqlite3_stmt *s = f->ins;
	enum cu_status st = CU_OK;

	sqlite3_reset(s);
	sqlite3_bind_int(s, 1, w->derived);
	bind_text(s, 2, w->path);
	bind_text(s, 3, w->item);
	bind_text(s, 4, w->device_path);
	bind_text(s, 5, w->derivation);
	bind_text(s, 6, w->derived_from);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)w->size);
	bind_text(s, 8, w->sha256);
	bind_text(s, 9, w->md5);
	bind_text(s, 10, w->sm3);
	bind_text(s, 11, w->format);
	bind_text(s, 12, w->perr);
	sqlite3_bind_int(s, 13, w->pcode);
	if (sqlite3_step(s) != SQLITE_DONE)
		st = db_err(f, "adding a file", err);
	sqlite3_clear_bindings(s);
	return st;
}

/* One inventory record checked: *skip for what is described, not packed;
 * else w holds the row (derived_from in *from, to free). */
static enum cu_status check_rec(const struct cu_inventory_rec *r, struct rawrow *w, char **from,
				bool *skip, struct cu_error *err)
{
	const char *kind = r->kind ? r->kind : "";
	bool derived = strcmp(kind, "derived") == 0;
	const char *prefix = derived ? "derived/" : "evidence/";
	enum cu_status st;

	*from = NULL;
	*skip = false;
	if (!derived && strcmp(kind, "evidence") != 0)
		return cu_error_set(
		    err, CU_E_FORMAT, "inventory of item '%s': unknown kind '%s' for '%s'",
		    r->item ? r->item : "?", kind, r->evidence_path ? r->evidence_path : "?");
	if (r->type != NULL && strcmp(r->type, "file") != 0) {
		*skip = true; /* dirs and symlinks are described, not packed */
		return CU_OK;
	}
	if (r->evidence_path == NULL || r->item == NULL)
		return cu_error_set(err, CU_E_FORMAT, "inventory line without evidence_path/item");
	if ((st = cu_path_check_relative(r->evidence_path, strlen(r->evidence_path), err)) != CU_OK)
		return cu_error_prefix(err, "inventory path '%s'", r->evidence_path);
	if (!cu_str_has_prefix(r->evidence_path, prefix))
		return cu_error_set(err, CU_E_PATH,
				    "inventory path '%s' of a %s file is not under %s",
				    r->evidence_path, kind, prefix);
	if (strlen(r->sha256) != 64 || strlen(r->md5) != 32)
		return cu_error_set(err, CU_E_FORMAT, "inventory line for '%s' has no SHA-256/MD5",
				    r->evidence_path);
	if (r->derived_from != NULL &&
	    (*from = json_dumps(r->derived_from, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	memset(w, 0, sizeof(*w));
	w->derived = derived;
	w->size = r->size;
	w->path = r->evidence_path;
	w->item = r->item;
	w->device_path = r->device_path;
	w->derivation = r->derivation;
	w->derived_from = *from;
	w->sha256 = r->sha256;
	w->md5 = r->md5;
	w->sm3 = strlen(r->sm3) == 64 ? r->sm3 : NULL;
	w->head = r->head[0] ? r->head : NULL;
	return CU_OK;
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void row_of(sqlite3_stmt *s, struct cu_sealfile *r, int ncols)
{
	memset(r, 0, sizeof(*r));
	r->derived = sqlite3_column_int(s, 0) != 0;
	r->path = col(s, 1);
	r->item = col(s, 2);
	r->device_path = col(s, 3);
	r->derivation = col(s, 4);
	r->derived_from = col(s, 5);
	r->size = (uint64_t)sqlite3_column_int64(s, 6);
	r->sha256 = col(s, 7);
	r->md5 = col(s, 8);
	r->sm3 = col(s, 9);
	if (ncols > 10)
		r->format = col(s, 10);
}

/* Reads the first bytes of an evidence file for its format, and checks it
 * is there with the inventory's size: relative to the case folder, no
 * per-file path building. */
static enum cu_status probe(struct cu_dircache *dc, const struct cu_sealfile *r,
			    const char *headhex, char *fmt, size_t fmtcap, struct cu_error *err)
{
	unsigned char head[16];
	struct stat sb;
	ssize_t got;
	size_t hn = headhex ? strlen(headhex) : 0;
	const char *leaf;
	int dfd = cu_dircache_dirfd(dc, r->path, &leaf);

	if (dfd < 0)
		return cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				      "evidence file '%s' listed in the inventory cannot be "
				      "opened",
				      r->path);

	/* The inventory recorded the first bytes while the file came in:
	 * one stat, no open. */
	if (hn > 0 && hn <= 32 && hn % 2 == 0 && cu_unhex(headhex, head, hn / 2)) {
		if (fstatat(dfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			return cu_error_errno(
			    err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
			    "evidence file '%s' listed in the inventory cannot be "
			    "opened",
			    r->path);
		if (!S_ISREG(sb.st_mode))
			return cu_error_set(err, CU_E_FORMAT, "evidence '%s' is not a regular file",
					    r->path);
		if ((uint64_t)sb.st_size != r->size)
			return cu_error_set(
			    err, CU_E_INTEGRITY,
			    "evidence '%s' is %lld bytes but the inventory says "
			    "%llu: it changed since import; run custos verify on the "
			    "case",
			    r->path, (long long)sb.st_size, (unsigned long long)r->size);
		snprintf(fmt, fmtcap, "%s", cu_seal_format(head, hn / 2, r->path));
		return CU_OK;
	}
	int fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				      "evidence file '%s' listed in the inventory cannot be "
				      "opened",
				      r->path);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cu_error_set(err, CU_E_FORMAT, "evidence '%s' is not a regular file",
				    r->path);
	}
	if ((uint64_t)sb.st_size != r->size) {
		close(fd);
		return cu_error_set(err, CU_E_INTEGRITY,
				    "evidence '%s' is %lld bytes but the inventory says %llu: "
				    "it changed since import; run custos verify on the case",
				    r->path, (long long)sb.st_size, (unsigned long long)r->size);
	}
	do
		got = pread(fd, head, sizeof(head), 0);
	while (got < 0 && errno == EINTR);
	close(fd);
	snprintf(fmt, fmtcap, "%s", cu_seal_format(head, got > 0 ? (size_t)got : 0, r->path));
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* The inventory read on a second thread                               */
/* ------------------------------------------------------------------ */

#define BATCH_ROWS 1024
#define BATCHES    4 /* at most this many filled or being filled */

enum { S_PATH, S_ITEM, S_DEVICE, S_DERIVATION, S_FROM, S_SHA, S_MD5, S_SM3, S_FORMAT, S_PERR, S_N };
#define NOSTR UINT32_MAX

struct brow {
	uint64_t size;
	bool derived;
	int pcode;
	uint32_t off[S_N]; /* into the batch's text; NOSTR: NULL */
};

struct batch {
	struct batch *next;
	struct brow row[BATCH_ROWS];
	size_t n;
	struct cu_buf text;
};

struct loader {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *full, *full_tail, *free_list;
	bool end, stop; /* the reader is done / the inserter gave up */
	enum cu_status st;
	struct cu_error err;
	struct cu_case *c;
	struct cu_dircache dc;
	int casefd;
	struct batch *cur;
	uint64_t skipped_nonfile;
	/* No thread: batches are inserted into inl as they fill. */
	struct cu_sealfiles *inl;
	enum cu_status inl_st;
	struct cu_error inl_err;
};

static enum cu_status insert_batch(struct cu_sealfiles *f, const struct batch *b,
				   struct cu_error *err);

static struct batch *take_free(struct loader *l)
{
	struct batch *b;

	pthread_mutex_lock(&l->mu);
	while (l->free_list == NULL && !l->stop)
		pthread_cond_wait(&l->cv, &l->mu);
	b = l->stop ? NULL : l->free_list;
	if (b != NULL)
		l->free_list = b->next;
	pthread_mutex_unlock(&l->mu);
	if (b != NULL) {
		b->n = 0;
		b->next = NULL;
		cu_buf_reset(&b->text);
	}
	return b;
}

static void hand_over(struct loader *l, struct batch *b)
{
	if (l->inl != NULL) {
		if (l->inl_st == CU_OK &&
		    (l->inl_st = insert_batch(l->inl, b, &l->inl_err)) != CU_OK)
			l->stop = true;
		b->next = l->free_list;
		l->free_list = b;
		return;
	}
	pthread_mutex_lock(&l->mu);
	if (l->full_tail != NULL)
		l->full_tail->next = b;
	else
		l->full = b;
	l->full_tail = b;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static bool put_str(struct batch *b, struct brow *row, int k, const char *v)
{
	row->off[k] = NOSTR;
	if (v == NULL)
		return true;
	if (b->text.len > UINT32_MAX - 4096)
		return false;
	row->off[k] = (uint32_t)b->text.len;
	return cu_buf_append(&b->text, v, strlen(v) + 1, NULL) == CU_OK;
}

/* One record on the reader: checked, its file checked too, and queued. */
static enum cu_status load_rec(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct loader *l = ctx;
	struct rawrow w;
	struct brow *row;
	char *from, fmt[64];
	bool skip, ok;
	struct cu_error perr;
	enum cu_status st = check_rec(r, &w, &from, &skip, err);

	if (st != CU_OK || skip) {
		l->skipped_nonfile += st == CU_OK;
		free(from);
		return st;
	}
	if (l->cur == NULL && (l->cur = take_free(l)) == NULL) {
		free(from);
		return cu_error_set(err, CU_E_INTERNAL, "seal: file list: stopped");
	}
	row = &l->cur->row[l->cur->n];
	memset(row, 0, sizeof(*row));
	row->size = w.size;
	row->derived = w.derived;
	fmt[0] = '\0';
	cu_error_clear(&perr);
	if (l->casefd >= 0) {
		struct cu_sealfile sf = {.path = w.path, .size = w.size};
		if ((row->pcode = (int)probe(&l->dc, &sf, w.head, fmt, sizeof(fmt), &perr)) !=
		    CU_OK)
			fmt[0] = '\0';
	}
	ok = put_str(l->cur, row, S_PATH, w.path) && put_str(l->cur, row, S_ITEM, w.item) &&
	     put_str(l->cur, row, S_DEVICE, w.device_path) &&
	     put_str(l->cur, row, S_DERIVATION, w.derivation) &&
	     put_str(l->cur, row, S_FROM, w.derived_from) &&
	     put_str(l->cur, row, S_SHA, w.sha256) && put_str(l->cur, row, S_MD5, w.md5) &&
	     put_str(l->cur, row, S_SM3, w.sm3) &&
	     put_str(l->cur, row, S_FORMAT, l->casefd >= 0 && row->pcode == CU_OK ? fmt : NULL) &&
	     put_str(l->cur, row, S_PERR, row->pcode != CU_OK ? perr.msg : NULL);
	free(from);
	if (!ok)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	if (++l->cur->n == BATCH_ROWS) {
		hand_over(l, l->cur);
		l->cur = NULL;
	}
	return CU_OK;
}

static void *load_main(void *arg)
{
	struct loader *l = arg;
	struct cu_error e;
	enum cu_status st;

	cu_error_clear(&e);
	st = cu_inventory_each(l->c, NULL, load_rec, l, &e);
	if (st == CU_OK && l->cur != NULL && l->cur->n > 0) {
		hand_over(l, l->cur);
		l->cur = NULL;
	}
	pthread_mutex_lock(&l->mu);
	if (l->cur != NULL) { /* a batch being filled when it stopped */
		l->cur->next = l->free_list;
		l->free_list = l->cur;
		l->cur = NULL;
	}
	l->st = st;
	l->err = e;
	l->end = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static const char *bstr(const struct batch *b, const struct brow *row, int k)
{
	return row->off[k] == NOSTR ? NULL : b->text.data + row->off[k];
}

static enum cu_status insert_batch(struct cu_sealfiles *f, const struct batch *b,
				   struct cu_error *err)
{
	enum cu_status st = CU_OK;

	for (size_t i = 0; i < b->n && st == CU_OK; i++) {
		const struct brow *row = &b->row[i];
		struct rawrow w = {
		    .derived = row->derived,
		    .size = row->size,
		    .path = bstr(b, row, S_PATH),
		    .item = bstr(b, row, S_ITEM),
		    .device_path = bstr(b, row, S_DEVICE),
		    .derivation = bstr(b, row, S_DERIVATION),
		    .derived_from = bstr(b, row, S_FROM),
		    .sha256 = bstr(b, row, S_SHA),
		    .md5 = bstr(b, row, S_MD5),
		    .sm3 = bstr(b, row, S_SM3),
		    .format = bstr(b, row, S_FORMAT),
		    .perr = bstr(b, row, S_PERR),
		    .pcode = row->pcode,
		};
		st = insert_raw(f, &w, err);
	}
	return st;
}

enum cu_status cu_sealfiles_load(struct cu_sealfiles *f, struct cu_case *c, int casefd,
				 struct cu_error *err)
{
	struct batch pool[BATCHES];
	struct loader l;
	pthread_t th;
	enum cu_status st = CU_OK;

	memset(&l, 0, sizeof(l));
	memset(pool, 0, sizeof(pool));
	l.c = c;
	l.casefd = casefd;
	cu_dircache_init(&l.dc, casefd);
	for (size_t i = 0; i < BATCHES; i++) {
		cu_buf_init(&pool[i].text, (size_t)64 << 20);
		pool[i].next = l.free_list;
		l.free_list = &pool[i];
	}
	pthread_mutex_init(&l.mu, NULL);
	pthread_cond_init(&l.cv, NULL);
	if (pthread_create(&th, NULL, load_main, &l) != 0) {
		/* No thread: the same work here, a batch inserted as it fills. */
		l.inl = f;
		(void)load_main(&l);
		if ((st = l.inl_st) != CU_OK && err != NULL)
			*err = l.inl_err;
		else if ((st = l.st) != CU_OK && err != NULL)
			*err = l.err;
		f->skipped_nonfile += l.skipped_nonfile;
		goto out;
	}
	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&l.mu);
		while (l.full == NULL && !l.end)
			pthread_cond_wait(&l.cv, &l.mu);
		b = l.full;
		if (b != NULL && (l.full = b->next) == NULL)
			l.full_tail = NULL;
		pthread_mutex_unlock(&l.mu);
		if (b == NULL)
			break; /* the reader is done and everything is in */
		st = insert_batch(f, b, err);
		pthread_mutex_lock(&l.mu);
		b->next = l.free_list;
		l.free_list = b;
		if (st != CU_OK)
			l.stop = true;
		pthread_cond_broadcast(&l.cv);
		pthread_mutex_unlock(&l.mu);
		if (st != CU_OK)
			break;
	}
	pthread_join(th, NULL);
	if (st == CU_OK && l.st != CU_OK) {
		st = l.st;
		if (err != NULL)
			*err = l.err;
	}
	f->skipped_nonfile += l.skipped_nonfile;
out:
	pthread_cond_destroy(&l.cv);
	pthread_mutex_destroy(&l.mu);
	cu_dircache_release(&l.dc);
	for (size_t i = 0; i < BATCHES; i++)
		cu_buf_release(&pool[i].text);
	return st;
}

/* Sorts, drops exact duplicates (a resumed import may list a file twice),
 * refuses conflicting ones and stops at the first file whose check
 * failed: table f, in content tree order (bytewise by path: derived/
 * before evidence/), the content root taken on the way. SQLite copies the
 * rows in order itself; one scan then checks them. */
enum cu_status cu_sealfiles_finish(struct cu_sealfiles *f, unsigned algs, struct cu_error *err)
{
	sqlite3_stmt *sel = NULL, *del = NULL;
	struct cu_buf prev = CU_BUF_INIT, prev_sha = CU_BUF_INIT, items = CU_BUF_INIT;
	uint64_t prev_size = 0;
	int64_t *dups = NULL;
	struct cu_merkle_stream ms;
	size_t ndups = 0;
	bool have_prev = false;
	enum cu_status st = CU_OK, conflict = CU_OK;
	int rc;

	cu_merkle_stream_init(&ms);
	if ((st = exec(f,
		       "INSERT INTO f SELECT derived, path, item, device_path, derivation, "
		       "derived_from, size, sha256, md5, sm3, format, perr, pcode FROM raw "
		       "ORDER BY derived DESC, path; DROP TABLE raw;",
		       err)) != CU_OK)
		goto out;
	if (sqlite3_prepare_v2(f->db,
			       "SELECT rowid, path, size, sha256, sm3, item, perr, pcode FROM f "
			       "ORDER BY rowid",
			       -1, &sel, NULL) != SQLITE_OK) {
		st = db_err(f, "sorting", err);
		goto out;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *path = col(sel, 1), *sha = col(sel, 3), *sm3 = col(sel, 4);
		const char *item = col(sel, 5);
		uint64_t size = (uint64_t)sqlite3_column_int64(sel, 2);

		if (path == NULL || sha == NULL || item == NULL) {
			st = cu_error_set(err, CU_E_INTERNAL, "seal: file list row incomplete");
			goto out;
		}
		if (have_prev && strcmp(prev.data, path) == 0) {
			if (prev_size == size && strcmp(prev_sha.data, sha) == 0) {
				if (!cu_grow_array(&dups, ndups + 1, sizeof(*dups))) {
					st = cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
					goto out;
				}
				dups[ndups++] = sqlite3_column_int64(sel, 0);
				continue;
			}
			if (conflict == CU_OK)
				conflict = cu_error_set(
				    err, CU_E_INTEGRITY,
				    "inventory lists '%s' twice with different digests: "
				    "the case is inconsistent, run custos verify",
				    path);
			continue;
		}
		cu_buf_reset(&prev);
		cu_buf_reset(&prev_sha);
		if ((st = cu_buf_puts(&prev, path, err)) != CU_OK ||
		    (st = cu_buf_puts(&prev_sha, sha, err)) != CU_OK)
			goto out;
		have_prev = true;
		prev_size = size;
		if (conflict != CU_OK)
			continue;
		if (sqlite3_column_int(sel, 7) != CU_OK) { /* its check failed */
			st = cu_error_set(err, (enum cu_status)sqlite3_column_int(sel, 7), "%s",
					  col(sel, 6) ? col(sel, 6) : "?");
			goto out;
		}
		if ((algs & CU_HASH_SM3) && (sm3 == NULL || strlen(sm3) != 64)) {
			st = cu_error_set(err, CU_E_UNSUPPORTED,
					  "--hash sm3: the inventory has no SM3 for '%s' and "
					  "evidence is never re-read just to hash it; import with "
					  "--hash sm3",
					  path);
			goto out;
		}
		f->n++;
		f->bytes += size;
		{
			unsigned char leaf[32];
			cu_merkle_content_leaf(path, size, sha, leaf);
			cu_merkle_stream_add(&ms, leaf);
		}
		/* Items: the list is short (one per seized device). */
		{
			bool seen = false;
			for (size_t a = 0; a < items.len && !seen;) {
				seen = strcmp(items.data + a, item) == 0;
				a += strlen(items.data + a) + 1;
			}
			if (!seen) {
				if ((st = cu_buf_append(&items, item, strlen(item) + 1, err)) !=
				    CU_OK)
					goto out;
				f->items++;
			}
		}
	}
	if (rc != SQLITE_DONE) {
		st = db_err(f, "sorting", err);
		goto out;
	}
	if (conflict != CU_OK) {
		st = conflict;
		goto out;
	}
	sqlite3_finalize(sel);
	sel = NULL;
	/* The exact duplicates go: every later pass reads f as it is. */
	if (ndups > 0 && sqlite3_prepare_v2(f->db, "DELETE FROM f WHERE rowid = ?", -1, &del,
					    NULL) != SQLITE_OK) {
		st = db_err(f, "dropping duplicates", err);
		goto out;
	}
	for (size_t i = 0; i < ndups; i++) {
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, dups[i]);
		if (sqlite3_step(del) != SQLITE_DONE) {
			st = db_err(f, "dropping duplicates", err);
			goto out;
		}
	}
	if (f->items == 1 && (f->one_item = cu_strdup(items.data)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		goto out;
	}
	{
		unsigned char root[32];
		cu_merkle_stream_root(&ms, root);
		cu_hex(root, 32, f->root);
	}
	st = exec(f, "COMMIT;", err);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	free(dups);
	cu_buf_release(&prev);
	cu_buf_release(&prev_sha);
	cu_buf_release(&items);
	return st;
}

enum cu_status cu_sealfiles_each(struct cu_sealfiles *f, int which, const char *item,
				 cu_sealfiles_fn fn, void *ctx, struct cu_error *err)
{
	static const char *const q[] = {
	    "SELECT * FROM f WHERE derived = 0 ORDER BY rowid",
	    "SELECT * FROM f WHERE derived = 1 ORDER BY rowid",
	};
	sqlite3_stmt *s = NULL;
	enum cu_status st = CU_OK;
	int rc;

	if (which < 0 || which > 2)
		return cu_error_set(err, CU_E_INTERNAL, "seal: file list query %d", which);
	if (which == 2) { /* package order: evidence, then derived */
		if ((st = cu_sealfiles_each(f, 0, item, fn, ctx, err)) != CU_OK)
			return st;
		which = 1;
	}
	if (sqlite3_prepare_v2(f->db, q[which], -1, &s, NULL) != SQLITE_OK)
		return db_err(f, "reading", err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cu_sealfile r;
		row_of(s, &r, 11);
		if (item != NULL && (r.item == NULL || strcmp(r.item, item) != 0))
			continue;
		if ((st = fn(&r, ctx, err)) != CU_OK)
			break;
	}
	if (st == CU_OK && rc != SQLITE_DONE)
		st = db_err(f, "reading", err);
	sqlite3_finalize(s);
	return st;
}
