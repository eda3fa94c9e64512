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
 */
#include "report/seal_int.h"

#include <errno.h>
#include <fcntl.h>
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
		       "sm3 TEXT, head TEXT);"
		       "CREATE TABLE f(derived INT, path TEXT, item TEXT, device_path TEXT, "
		       "derivation TEXT, derived_from TEXT, size INT, sha256 TEXT, md5 TEXT, "
		       "sm3 TEXT, format TEXT);"
		       "BEGIN;",
		       err)) != CU_OK)
		goto fail;
	if (sqlite3_prepare_v2(f->db, "INSERT INTO raw VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &f->ins,
			       NULL) != SQLITE_OK) {
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

/* One inventory record (inventory callback): checked as collect_rec did. */
enum cu_status cu_sealfiles_add(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct cu_sealfiles *f = ctx;
	const char *kind = r->kind ? r->kind : "";
	bool derived = strcmp(kind, "derived") == 0;
	const char *prefix = derived ? "derived/" : "evidence/";
	char *from = NULL;
	enum cu_status st = CU_OK;

	if (!derived && strcmp(kind, "evidence") != 0)
		return cu_error_set(
		    err, CU_E_FORMAT, "inventory of item '%s': unknown kind '%s' for '%s'",
		    r->item ? r->item : "?", kind, r->evidence_path ? r->evidence_path : "?");
	if (r->type != NULL && strcmp(r->type, "file") != 0) {
		f->skipped_nonfile++; /* dirs and symlinks are described, not packed */
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
	    (from = json_dumps(r->derived_from, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
	sqlite3_stmt *s = f->ins;
	sqlite3_reset(s);
	sqlite3_bind_int(s, 1, derived);
	bind_text(s, 2, r->evidence_path);
	bind_text(s, 3, r->item);
	bind_text(s, 4, r->device_path);
	bind_text(s, 5, r->derivation);
	bind_text(s, 6, from);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)r->size);
	bind_text(s, 8, r->sha256);
	bind_text(s, 9, r->md5);
	bind_text(s, 10, strlen(r->sm3) == 64 ? r->sm3 : NULL);
	bind_text(s, 11, r->head[0] ? r->head : NULL);
	if (sqlite3_step(s) != SQLITE_DONE)
		st = db_err(f, "adding a file", err);
	sqlite3_clear_bindings(s);
	free(from);
	return st;
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

/* Sorts, drops exact duplicates (a resumed import may list a file twice),
 * refuses conflicting ones, checks each file is there with its size and
 * notes its format: table f, in package order. */
enum cu_status cu_sealfiles_finish(struct cu_sealfiles *f, int casefd, unsigned algs,
				   struct cu_error *err)
{
	sqlite3_stmt *sel = NULL, *put = NULL;
	struct cu_buf prev = CU_BUF_INIT, prev_sha = CU_BUF_INIT, items = CU_BUF_INIT;
	uint64_t prev_size = 0;
	bool have_prev = false;
	struct cu_dircache dc;
	enum cu_status st = CU_OK, conflict = CU_OK;
	int rc;

	cu_dircache_init(&dc, casefd);
	if (sqlite3_prepare_v2(f->db,
			       "SELECT derived, path, item, device_path, derivation, derived_from, "
			       "size, sha256, md5, sm3, head FROM raw ORDER BY derived, path",
			       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, "INSERT INTO f VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &put,
			       NULL) != SQLITE_OK) {
		st = db_err(f, "sorting", err);
		goto out;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		struct cu_sealfile r;
		char fmt[64];

		row_of(sel, &r, 10);
		if (r.path == NULL || r.sha256 == NULL || r.md5 == NULL || r.item == NULL) {
			st = cu_error_set(err, CU_E_INTERNAL, "seal: file list row incomplete");
			goto out;
		}
		if (have_prev && strcmp(prev.data, r.path) == 0) {
			if (prev_size == r.size && strcmp(prev_sha.data, r.sha256) == 0)
				continue;
			if (conflict == CU_OK)
				conflict = cu_error_set(
				    err, CU_E_INTEGRITY,
				    "inventory lists '%s' twice with different digests: "
				    "the case is inconsistent, run custos verify",
				    r.path);
			continue;
		}
		cu_buf_reset(&prev);
		cu_buf_reset(&prev_sha);
		if ((st = cu_buf_puts(&prev, r.path, err)) != CU_OK ||
		    (st = cu_buf_puts(&prev_sha, r.sha256, err)) != CU_OK)
			goto out;
		have_prev = true;
		prev_size = r.size;
		if (conflict != CU_OK)
			continue;
		fmt[0] = '\0';
		if (casefd >= 0 && (st = probe(&dc, &r, (const char *)sqlite3_column_text(sel, 10),
					       fmt, sizeof(fmt), err)) != CU_OK)
			goto out;
		if ((algs & CU_HASH_SM3) && (r.sm3 == NULL || strlen(r.sm3) != 64)) {
			st = cu_error_set(err, CU_E_UNSUPPORTED,
					  "--hash sm3: the inventory has no SM3 for '%s' and "
					  "evidence is never re-read just to hash it; import with "
					  "--hash sm3",
					  r.path);
			goto out;
		}
		sqlite3_reset(put);
		for (int i = 0; i < 10; i++)
			if ((rc = sqlite3_bind_value(put, i + 1, sqlite3_column_value(sel, i))) !=
			    SQLITE_OK)
				break;
		sqlite3_bind_text(put, 11, fmt, -1, SQLITE_TRANSIENT);
		if (rc != SQLITE_OK || sqlite3_step(put) != SQLITE_DONE) {
			st = db_err(f, "writing the sorted list", err);
			goto out;
		}
		f->n++;
		f->bytes += r.size;
		/* Items: the list is short (one per seized device). */
		{
			bool seen = false;
			for (size_t a = 0; a < items.len;) {
				size_t l = strlen(items.data + a);
				if (strcmp(items.data + a, r.item) == 0)
					seen = true;
				a += l + 1;
			}
			if (!seen) {
				if ((st = cu_buf_append(&items, r.item, strlen(r.item) + 1, err)) !=
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
	if (f->items == 1 && (f->one_item = cu_strdup(items.data)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "seal: out of memory");
		goto out;
	}
	sqlite3_finalize(sel);
	sel = NULL;
	st = exec(f, "COMMIT; DROP TABLE raw;", err);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(put);
	cu_buf_release(&prev);
	cu_buf_release(&prev_sha);
	cu_buf_release(&items);
	cu_dircache_release(&dc);
	return st;
}

enum cu_status cu_sealfiles_each(struct cu_sealfiles *f, int which, const char *item,
				 cu_sealfiles_fn fn, void *ctx, struct cu_error *err)
{
	static const char *const q[] = {
	    "SELECT * FROM f WHERE derived = 0 ORDER BY rowid",
	    "SELECT * FROM f WHERE derived = 1 ORDER BY rowid",
	    "SELECT * FROM f ORDER BY rowid",
	};
	sqlite3_stmt *s = NULL;
	enum cu_status st = CU_OK;
	int rc;

	if (which < 0 || which > 2)
		return cu_error_set(err, CU_E_INTERNAL, "seal: file list query %d", which);
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
