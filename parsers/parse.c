/*
 * parse.c - the `custos parse` driver.
 *
 * For every item (sorted) it reads the inventory, keeps one record per
 * device path (a "derived" record - e.g. the decrypted copy of an
 * encrypted iOS backup file - wins over the evidence one), and offers the
 * files in device-path order to the parsers in registry order. A matching
 * file is staged: copied with its -wal/-shm/-journal siblings into
 * CASE/work/<item>/<n>/ and made read-only; the copy's size is checked
 * against the inventory, never re-hashed (the inventory digests are the
 * provenance). SQLite ignores the WAL of a database opened immutable, yet
 * deleted and recent rows live there (shared/samples belkactf6
 * AddressBook has its only person in the WAL), so a database with a WAL
 * gets a second working copy with the WAL checkpointed into it; that
 * derivation is recorded in sources and in the PARSE custody entry.
 *
 * Every parsed database is also searched for deleted records (the recovery
 * engine, parsers/recovery, over the plain staged copy with its -wal and
 * -journal beside it): the spec row loop hands each table's records to the
 * same row code after the live rows (cu_parse_recovered), and what no
 * parser reads is counted and listed (rec_finish). A file SQLite refuses
 * for a bad schema row is opened again with writable_schema; a table it
 * stops in is finished by the page reader (cu_parse_damaged_rows); the
 * rows of such a file are marked damaged.
 *
 * case.db is built from scratch in CASE/case.db.tmp (one transaction, no
 * journal: it is a scratch file until the rename) and renamed over
 * CASE/case.db at the end, so a crash leaves the previous case.db intact.
 * Nothing time-dependent goes into case.db: same inputs, same .dump.
 */
#include "parsers/parse_int.h"

#include "extract/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK         ((size_t)1 << 20)
#define DEFAULT_CONFIDENCE 50

struct inv_file {
	char *device_path, *evidence_path, *type, *derivation, *derived_from0;
	bool derived;
	bool handled; /* a parser read it (or read it for another's sake) */
	bool listed;  /* in the item's not_examined list */
	uint64_t size;
	char sha256[65], md5[33];
	size_t order; /* position in the inventory, for stable sorting */
};

/* One not_examined row waiting for the end of its item (sorted then). */
struct ne_entry {
	char *device_path, *evidence_path, *sha256, *app, *reason, *detail;
	uint64_t size;
};

struct run {
	struct cu_case *c;
	/* current item's inventory (all records) and the chosen ones */
	struct inv_file *files;
	size_t nfiles, cap;
	size_t *chosen;
	size_t nchosen;
	char *work_item; /* CASE/work/<item> */
	unsigned long seq;
	/* things to free / remove when the current top-level file is done */
	struct staged **staged;
	size_t nstaged, staged_cap;
	/* custody details */
	struct cu_buf failures;    /* JSON array elements, comma-joined */
	struct cu_buf derivations; /* idem */
	struct cu_buf recovery;    /* idem: per file, what recovery found */
	uint64_t *parser_files;    /* per registry index */
	size_t nparsers;
	/* cu_parse_file() mode */
	const char *file_work_dir;
	const char *file_path;
	/* the current item's files not examined, and whether the parser of
	 * the current top-level file listed it itself */
	struct ne_entry *ne;
	size_t nne, ne_cap;
	bool cur_listed;
	const char *cur_device_path;
	uint64_t ne_reasons[4]; /* per ne_reason_names, for the PARSE entry */
};

static const char *const sibling_suffix[] = {"-wal", "-shm", "-journal"};
static char *dup_or_null(const char *s);

static const char *const ne_reason_names[4] = {"unsupported", "encrypted-no-key", "damaged",
					       "refused"};

static struct run *run_of(struct cu_parse_ctx *ctx)
{
	return (struct run *)ctx->run;
}

/* ------------------------------------------------------------------ */
/* small file helpers                                                  */
/* ------------------------------------------------------------------ */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* rm -rf of our own scratch directory (never evidence). */
static void remove_tree(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		cu_warn("parse: could not remove scratch directory '%s': %s", path,
			strerror(errno));
}

/* Copies src to a new file dst (not hashing: the inventory has the
 * digests); returns the bytes copied. dst gets final_mode. */
static enum cu_status copy_file(const char *src, const char *dst, mode_t final_mode,
				uint64_t *copied, struct cu_error *err)
{
	int in = -1, out = -1;
	char *buf = NULL;
	uint64_t total = 0;
	enum cu_status rc = CU_OK;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "opening '%s'", src);
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "creating '%s'", dst);
		goto out;
	}
	buf = cu_malloc(COPY_CHUNK);
	if (!buf) {
		rc = cu_error_set(err, CU_E_NOMEM, "copying '%s': out of memory", src);
		goto out;
	}
	for (;;) {
		size_t got = 0;

		rc = cu_read_full(in, buf, COPY_CHUNK, &got, src, err);
		if (rc)
			goto out;
		if (got == 0)
			break;
		rc = cu_write_all(out, buf, got, dst, err);
		if (rc)
			goto out;
		total += got;
	}
	if (fchmod(out, final_mode) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "chmod '%s'", dst);
		goto out;
	}
	if (close(out) != 0) {
		out = -1;
		rc = cu_error_errno(err, CU_E_IO, errno, "writing '%s'", dst);
		goto out;
	}
	out = -1;
	*copied = total;
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ------------------------------------------------------------------ */
/* warnings and failures                                               */
/* ------------------------------------------------------------------ */

void cu_parse_warn(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *fmt, ...)
{
	char msg[CU_ERROR_MSG_MAX];
	struct cu_error e;
	va_list ap;

	if (!ctx)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->stats.warnings++;
	cu_warn("parse: %s: %s%s%s", a && a->device_path ? a->device_path : "?",
		ctx->parser ? ctx->parser->name : "", ctx->parser ? ": " : "", msg);
	cu_error_clear(&e);
	if (sink_warning(ctx, a ? a->source_id : 0, a ? a->device_path : NULL, "warning", msg, &e))
		cu_warn("parse: %s", e.msg);
}

/* Appends one element to a JSON array's body, all or nothing, so the
 * array stays valid JSON when memory runs out. */
static enum cu_status json_append_elem(struct cu_buf *arr, const char *elem, size_t n,
				       struct cu_error *err)
{
	size_t keep = arr->len;
	enum cu_status st = CU_OK;

	if (arr->len)
		st = cu_buf_putc(arr, ',', err);
	if (st == CU_OK)
		st = cu_buf_append(arr, elem, n, err);
	if (st != CU_OK && arr->data != NULL) {
		arr->len = keep;
		arr->data[keep] = '\0';
	}
	return st;
}

/* A file that could not be parsed: parse_warnings row (severity error),
 * ERROR custody entry, counted; the run goes on. */
static void record_failure(struct cu_parse_ctx *ctx, int64_t source_id, const char *device_path,
			   const char *evidence_path, const char *parser, const char *msg)
{
	struct run *r = run_of(ctx);
	struct cu_buf js = CU_BUF_INIT, subj = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	ctx->stats.errors++;
	cu_error_log("parse: %s: %s", device_path ? device_path : "?", msg);
	cu_error_clear(&e);
	if (sink_warning(ctx, source_id, device_path, "error", msg, &e))
		cu_error_log("parse: %s", e.msg);

	cu_json_init(&j, &js);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", ctx->item);
	cu_json_kv_str(&j, "device_path", device_path);
	cu_json_kv_str(&j, "evidence_path", evidence_path);
	cu_json_kv_str(&j, "parser", parser);
	cu_json_kv_str(&j, "error", msg);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) == CU_OK && r) {
		if (json_append_elem(&r->failures, js.data, js.len, &e) != CU_OK)
			cu_error_log("parse: listing the failure of '%s': %s",
				     device_path ? device_path : "?", e.msg);
		if (r->c && r->c->custody) {
			cu_json_init(&j, &subj);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "item", ctx->item);
			cu_json_kv_str(&j, "path", evidence_path);
			cu_json_obj_end(&j);
			if (cu_json_finish(&j, &e) == CU_OK &&
			    cu_custody_append(r->c->custody, "ERROR", cu_case_default_actor(),
					      subj.data, js.data, NULL, &e) != CU_OK)
				cu_error_log("parse: custody log: %s", e.msg);
		}
	}
	cu_buf_release(&js);
	cu_buf_release(&subj);
}

/* ------------------------------------------------------------------ */
/* files not examined (docs/casedb.md)                                 */
/* ------------------------------------------------------------------ */

static void ne_free(struct ne_entry *e)
{
	free(e->device_path);
	free(e->evidence_path);
	free(e->sha256);
	free(e->app);
	free(e->reason);
	free(e->detail);
}

static void ne_clear(struct run *r)
{
	for (size_t i = 0; i < r->nne; i++)
		ne_free(&r->ne[i]);
	r->nne = 0;
}

static const struct inv_file *inv_find_device(struct run *r, const char *device_path);

static void ne_add(struct run *r, const char *device_path, const char *evidence_path,
		   const char *sha256, uint64_t size, const char *app, const char *reason,
		   const char *detail)
{
	struct ne_entry *e;
	struct inv_file *f = (struct inv_file *)inv_find_device(r, device_path);

	if (f) {
		if (f->listed)
			return;
		f->listed = true;
	}
	if (r->nne == r->ne_cap) {
		size_t ncap = r->ne_cap ? r->ne_cap * 2 : 16;
		struct ne_entry *p = cu_reallocarray(r->ne, ncap, sizeof(*p));

		if (!p) {
			cu_error_log("parse: out of memory listing '%s' as not examined",
				     device_path);
			return;
		}
		r->ne = p;
		r->ne_cap = ncap;
	}
	e = &r->ne[r->nne];
	e->device_path = cu_strdup(device_path);
	e->evidence_path = dup_or_null(evidence_path);
	e->sha256 = dup_or_null(sha256 && *sha256 ? sha256 : NULL);
	e->app = dup_or_null(app);
	e->reason = cu_strdup(reason);
	e->detail = dup_or_null(detail);
	e->size = size;
	if (!e->device_path || !e->reason) {
		ne_free(e);
		cu_error_log("parse: out of memory listing '%s' as not examined", device_path);
		return;
	}
	r->nne++;
	for (int i = 0; i < 4; i++)
		if (strcmp(reason, ne_reason_names[i]) == 0)
			r->ne_reasons[i]++;
}

void cu_parse_not_examined(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *app,
			   const char *reason, const char *detail)
{
	struct run *r = run_of(ctx);

	if (!r || !a || !a->device_path)
		return;
	cu_warn("parse: %s: not examined (%s): %s", a->device_path, reason, detail ? detail : "");
	if (r->cur_device_path && strcmp(r->cur_device_path, a->device_path) == 0)
		r->cur_listed = true;
	ne_add(r, a->device_path, a->evidence_path, a->sha256, a->size, app, reason, detail);
}

/* The not_examined reason of a parser's failure. */
static const char *ne_reason(enum cu_status code, const char *msg)
{
	switch (code) {
	case CU_E_KEY: return "encrypted-no-key";
	case CU_E_UNSUPPORTED: return "unsupported";
	case CU_E_FORMAT:
		/* a database without the app's tables is another app's or
		 * version's, not a damaged one */
		return strstr(msg, "' missing") ? "unsupported" : "damaged";
	default: return "refused";
	}
}

/* "<what>: <msg>." as one sentence of bounded length. */
static void ne_sentence(char *out, size_t cap, const char *what, const char *msg)
{
	size_t n;

	snprintf(out, cap, "%s: %s", what, msg);
	n = strlen(out);
	if (n > 0 && out[n - 1] != '.' && n + 1 < cap) {
		out[n] = '.';
		out[n + 1] = '\0';
	}
}

static int cmp_ne(const void *x, const void *y)
{
	const struct ne_entry *a = x, *b = y;

	return strcmp(a->device_path, b->device_path);
}

/*
 * The item's files nobody read: every SQLite database (by its header; a
 * database file is a whole number of pages, so only sizes that are a
 * multiple of 512 are opened) and every data store of a known app.
 * Siblings (-wal, -shm, -journal) go with their database.
 */
static void coverage_pass(struct cu_parse_ctx *ctx)
{
	struct run *r = run_of(ctx);
	struct cu_buf abs = CU_BUF_INIT;

	for (size_t k = 0; k < r->nchosen; k++) {
		struct inv_file *f = &r->files[r->chosen[k]];
		const char *app;
		bool sqlite = false, sibling = false;
		char detail[512];
		struct cu_error e;

		if (strcmp(f->type, "file") != 0 || f->handled || f->listed)
			continue;
		/* what custos keeps about the acquisition itself (an iOS backup's
		 * Manifest.db, lockdownd answers, adb dumps): read by the import,
		 * not phone data a parser could have missed */
		if (f->device_path[0] == '_' ||
		    (f->device_path[0] == '/' && f->device_path[1] == '_'))
			continue;
		for (int i = 0; i < NSIBLINGS; i++) {
			size_t n = strlen(f->device_path), m = strlen(sibling_suffix[i]);

			sibling |= n > m && strcmp(f->device_path + n - m, sibling_suffix[i]) == 0;
		}
		if (sibling)
			continue;
		app = cu_parse_known_app(f->device_path);
		cu_error_clear(&e);
		if (f->size >= 512 && f->size % 512 == 0) {
			cu_buf_reset(&abs);
			if (cu_case_path(r->c, f->evidence_path, &abs, &e) != CU_OK ||
			    cu_parse_is_sqlite(abs.data, &sqlite, &e) != CU_OK)
				cu_warn("parse: %s: %s", f->device_path, e.msg);
		}
		if (sqlite) {
			if (app)
				snprintf(detail, sizeof(detail),
					 "An SQLite database of %s that no custos parser reads; "
					 "its tables were not examined.",
					 app);
			else
				snprintf(detail, sizeof(detail),
					 "An SQLite database that no custos parser reads; its "
					 "tables were not examined.");
		} else if (app && cu_parse_app_store(f->device_path)) {
			bool enc = false;

			/* an encrypted store (SQLCipher and the like): whole pages of
			 * high-entropy bytes */
			if (f->size >= 512 && f->size % 512 == 0 && abs.len &&
			    cu_parse_looks_encrypted(abs.data, &enc, &e) != CU_OK)
				cu_warn("parse: %s: %s", f->device_path, e.msg);
			if (enc) {
				snprintf(
				    detail, sizeof(detail),
				    "A %s data file that looks encrypted (high-entropy pages, "
				    "not SQLite: SQLCipher or the like); custos has no parser or "
				    "key for it, it was not read.",
				    app);
				ne_add(r, f->device_path, f->evidence_path, f->sha256, f->size, app,
				       "encrypted-no-key", detail);
				continue;
			}
			snprintf(detail, sizeof(detail),
				 "A %s data file that custos has no parser for; it was not read.",
				 app);
		} else {
			continue;
		}
		ne_add(r, f->device_path, f->evidence_path, f->sha256, f->size, app, "unsupported",
		       detail);
	}
	cu_buf_release(&abs);
}

/* Writes the item's list, sorted by device path, and empties it. */
static enum cu_status ne_flush(struct cu_parse_ctx *ctx, struct cu_error *err)
{
	struct run *r = run_of(ctx);
	sqlite3_stmt *st = NULL;
	enum cu_status rc = CU_OK;

	if (r->nne == 0)
		return CU_OK;
	qsort(r->ne, r->nne, sizeof(*r->ne), cmp_ne);
	if (sqlite3_prepare_v2(ctx->db,
			       "INSERT INTO not_examined(item_id, device_path, evidence_path,"
			       " sha256, size, app, reason, detail)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "case.db: %s", sqlite3_errmsg(ctx->db));
		goto out;
	}
	for (size_t i = 0; i < r->nne; i++) {
		const struct ne_entry *e = &r->ne[i];

		sqlite3_bind_text(st, 1, ctx->item, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, e->device_path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, e->evidence_path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, e->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)e->size);
		sqlite3_bind_text(st, 6, e->app, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, e->reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, e->detail, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = cu_error_set(err, CU_E_IO, "case.db: inserting not_examined: %s",
					  sqlite3_errmsg(ctx->db));
			goto out;
		}
		sqlite3_reset(st);
		ctx->stats.not_examined++;
	}
out:
	sqlite3_finalize(st);
	ne_clear(r);
	return rc;
}

enum cu_status cu_parse_print_not_examined(const char *casedb_path, FILE *out, struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum cu_status rc = cu_casedb_open_read(casedb_path, &db, err);
	int s;

	if (rc)
		return rc;
	if (sqlite3_prepare_v2(db,
			       "SELECT item_id, device_path, app, reason, detail FROM not_examined"
			       " ORDER BY ne_id",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "'%s': %s", casedb_path, sqlite3_errmsg(db));
		goto out;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *app = (const char *)sqlite3_column_text(st, 2);
		const char *detail = (const char *)sqlite3_column_text(st, 4);

		fprintf(out, "not examined: %s %s%s%s%s: %s: %s\n",
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1), app ? " [" : "", app ? app : "",
			app ? "]" : "", (const char *)sqlite3_column_text(st, 3),
			detail ? detail : "");
	}
	if (s != SQLITE_DONE)
		rc = cu_error_set(err, CU_E_IO, "'%s': %s", casedb_path, sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* ------------------------------------------------------------------ */
/* accessors                                                           */
/* ------------------------------------------------------------------ */

sqlite3 *cu_parse_casedb(struct cu_parse_ctx *ctx)
{
	return ctx->db;
}

struct cu_case *cu_parse_case(struct cu_parse_ctx *ctx)
{
	return ctx->c;
}

const char *cu_parse_item(struct cu_parse_ctx *ctx)
{
	return ctx->item;
}

const char *cu_parse_whatsapp_key(struct cu_parse_ctx *ctx)
{
	return ctx->opts ? ctx->opts->whatsapp_key : NULL;
}

const char *cu_parse_given_imei(struct cu_parse_ctx *ctx, size_t i)
{
	if (ctx->opts == NULL || ctx->opts->imeis == NULL || i >= ctx->opts->n_imeis)
		return NULL;
	return ctx->opts->imeis[i];
}

/* ------------------------------------------------------------------ */
/* opening staged databases                                            */
/* ------------------------------------------------------------------ */

static enum cu_status uri_for(const char *path, struct cu_buf *out, struct cu_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	enum cu_status rc = cu_buf_puts(out, "file:", err);

	for (const unsigned char *p = (const unsigned char *)path; !rc && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			rc = cu_buf_putc(out, (char)*p, err);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

			rc = cu_buf_append(out, e, 3, err);
		}
	}
	if (!rc)
		rc = cu_buf_puts(out, "?immutable=1&mode=ro", err);
	return rc;
}

/* Hardening for databases we did not write: no schema-defined functions
 * with side effects, no writes to sqlite_master tricks. */
static void harden(sqlite3 *db)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 1, NULL);
}

enum cu_status cu_parse_open_db(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 **db,
				struct cu_error *err)
{
	struct cu_buf uri = CU_BUF_INIT;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	enum cu_status rc;
	const char *what = a && a->device_path ? a->device_path : "?";
	int s;

	if (!a || !a->work_path)
		return cu_error_set(err, CU_E_INTERNAL, "'%s': no staged copy to open", what);
	rc = uri_for(a->work_path, &uri, err);
	if (rc)
		goto out;
	/* one connection per parser call, never shared between threads */
	s = sqlite3_open_v2(uri.data, &h,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	if (s != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_FORMAT, "'%s': cannot open as SQLite: %s", what,
				  h ? sqlite3_errmsg(h) : sqlite3_errstr(s));
		goto out;
	}
	harden(h);
	/* Reading the schema is where "file is not a database" shows. */
	s = sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (s == SQLITE_OK)
		s = sqlite3_step(st);
	if (s != SQLITE_ROW && sqlite3_errcode(h) != SQLITE_NOTADB) {
		/* A bad schema row (a trigger or index SQLite cannot parse)
		 * makes SQLite refuse the whole file, yet its tables read
		 * fine: once more with writable_schema, which skips such rows
		 * (read-only and immutable, so nothing can be written). */
		char reason[CU_ERROR_MSG_MAX];
		sqlite3 *h2 = NULL;
		sqlite3_stmt *st2 = NULL;
		int s2;

		snprintf(reason, sizeof(reason), "%s", sqlite3_errmsg(h));
		s2 = sqlite3_open_v2(uri.data, &h2,
				     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
				     NULL);
		if (s2 == SQLITE_OK) {
			harden(h2);
			sqlite3_db_config(h2, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
			sqlite3_db_config(h2, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, NULL);
			s2 = sqlite3_prepare_v2(h2, "SELECT count(*) FROM sqlite_master", -1, &st2,
						NULL);
			if (s2 == SQLITE_OK)
				s2 = sqlite3_step(st2);
		}
		sqlite3_finalize(st2);
		if (s2 == SQLITE_ROW) {
			cu_parse_mark_damaged(ctx, a, reason);
			*db = h2;
			goto out;
		}
		sqlite3_close(h2);
	}
	if (s != SQLITE_ROW) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s' (%s): not a readable SQLite database: %s; the file is "
				  "corrupt, truncated or encrypted",
				  what, a->evidence_path ? a->evidence_path : a->work_path,
				  sqlite3_errmsg(h));
		goto out;
	}
	*db = h;
	h = NULL;
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	cu_buf_release(&uri);
	return rc;
}

/* ------------------------------------------------------------------ */
/* staging                                                             */
/* ------------------------------------------------------------------ */

/* What to stage: the main file and its siblings, as absolute sources. */
struct stage_req {
	const char *device_path, *evidence_path, *sha256, *md5;
	const char *src; /* absolute path to copy from */
	uint64_t size;   /* expected, UINT64_MAX = not known */
	const char *sib_src[NSIBLINGS];
	uint64_t sib_size[NSIBLINGS];
	const char *sib_evidence[NSIBLINGS], *sib_sha256[NSIBLINGS], *sib_md5[NSIBLINGS];
};

static enum cu_status push_staged(struct run *r, struct staged *s, struct cu_error *err)
{
	if (r->nstaged == r->staged_cap) {
		size_t ncap = r->staged_cap ? r->staged_cap * 2 : 8;
		struct staged **p = cu_reallocarray(r->staged, ncap, sizeof(*p));

		if (!p)
			return cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
		r->staged = p;
		r->staged_cap = ncap;
	}
	r->staged[r->nstaged++] = s;
	return CU_OK;
}

static void rec_set_free(struct rec_set *rs);

static void staged_free(struct staged *s)
{
	if (!s)
		return;
	rec_set_free(s->rec);
	free(s->raw_path);
	for (int i = 0; i < NSIBLINGS; i++) {
		free(s->sib_device[i]);
		free(s->sib_evidence[i]);
		free(s->sib_sha256[i]);
		free(s->sib_md5[i]);
	}
	free(s->item);
	free(s->device_path);
	free(s->evidence_path);
	free(s->sha256);
	free(s->work_path);
	free(s->platform);
	free(s->dir);
	free(s);
}

/* Frees every staged artifact of the current top-level file and removes
 * its scratch copies (they were copies; the evidence stays). */
static void release_staged(struct run *r)
{
	for (size_t i = 0; i < r->nstaged; i++)
		staged_free(r->staged[i]);
	r->nstaged = 0;
	if (r->work_item && !getenv("CUSTOS_KEEP_WORK"))
		remove_tree(r->work_item);
}

static const char *work_root(struct run *r)
{
	return r->c ? r->work_item : r->file_work_dir;
}

/*
 * Checkpoints the WAL of a staged database into a second, writable copy,
 * then makes it read-only. Returns CU_E_FORMAT when SQLite refuses (the
 * caller falls back to the plain copy and warns).
 */
static enum cu_status checkpoint_copy(const char *dir, const char *base, const char *db_src,
				      const char *wal_src, struct cu_buf *out_path,
				      struct cu_error *err)
{
	struct cu_buf ck = CU_BUF_INIT, db = CU_BUF_INIT, wal = CU_BUF_INIT;
	sqlite3 *h = NULL;
	uint64_t n;
	enum cu_status rc;
	char *msg = NULL;

	rc = cu_buf_printf(&ck, err, "%s/ckpt", dir);
	if (!rc)
		rc = cu_mkdirs(ck.data, 0755, false, err);
	if (!rc)
		rc = cu_buf_printf(&db, err, "%s/%s", ck.data, base);
	if (!rc)
		rc = cu_buf_printf(&wal, err, "%s/%s-wal", ck.data, base);
	if (!rc)
		rc = copy_file(db_src, db.data, 0600, &n, err);
	if (!rc)
		rc = copy_file(wal_src, wal.data, 0600, &n, err);
	if (rc)
		goto out;
	if (sqlite3_open_v2(db.data, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_FORMAT, "checkpointing the WAL: %s",
				  h ? sqlite3_errmsg(h) : "cannot open");
		goto out;
	}
	harden(h);
	if (sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, &msg) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_FORMAT, "checkpointing the WAL: %s",
				  msg ? msg : sqlite3_errmsg(h));
		goto out;
	}
	if (sqlite3_close(h) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_FORMAT, "checkpointing the WAL: %s", sqlite3_errmsg(h));
		h = NULL; /* sqlite3_close failed: leak rather than double close */
		goto out;
	}
	h = NULL;
	/* A -wal left behind (checkpoint could not truncate) would be
	 * ignored by the immutable open anyway; remove it for clarity. */
	(void)unlink(wal.data);
	if (chmod(db.data, 0444) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "chmod '%s'", db.data);
		goto out;
	}
	rc = cu_buf_puts(out_path, db.data, err);
out:
	sqlite3_free(msg);
	sqlite3_close(h);
	cu_buf_release(&ck);
	cu_buf_release(&db);
	cu_buf_release(&wal);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? cu_strdup(s) : NULL;
}

/*
 * Stages one file; writes sources rows when parser_name is set (the file
 * will be parsed), base_source_id being the row the evidence/derived file
 * itself already has (0: create it here).
 */
static enum cu_status stage(struct cu_parse_ctx *ctx, const struct stage_req *q,
			    struct staged **out, struct cu_error *err)
{
	struct run *r = run_of(ctx);
	struct cu_buf dir = CU_BUF_INIT, dst = CU_BUF_INIT, ck = CU_BUF_INIT;
	struct staged *s = NULL;
	const char *base = base_name(q->evidence_path ? q->evidence_path : q->src);
	uint64_t got = 0;
	enum cu_status rc;
	int wal = -1;

	s = cu_calloc(1, sizeof(*s));
	if (!s)
		return cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
	rc = cu_buf_printf(&dir, err, "%s/%lu", work_root(r), r->seq++);
	if (!rc && !r->c)
		remove_tree(dir.data); /* cu_parse_file(): the caller's scratch dir */
	if (!rc)
		rc = cu_mkdirs(dir.data, 0755, false, err);
	if (!rc)
		rc = cu_buf_printf(&dst, err, "%s/%s", dir.data, base);
	if (!rc)
		rc = copy_file(q->src, dst.data, 0444, &got, err);
	if (rc)
		goto out;
	if (q->size != UINT64_MAX && got != q->size) {
		rc = cu_error_set(err, CU_E_INTEGRITY,
				  "'%s': staged copy has %llu bytes but the inventory records "
				  "%llu; the evidence file changed since acquisition - run "
				  "`custos verify` on the case",
				  q->evidence_path ? q->evidence_path : q->src,
				  (unsigned long long)got, (unsigned long long)q->size);
		goto out;
	}
	for (int i = 0; i < NSIBLINGS; i++) {
		struct cu_buf sd = CU_BUF_INIT;
		uint64_t sg = 0;

		if (!q->sib_src[i])
			continue;
		rc = cu_buf_printf(&sd, err, "%s%s", dst.data, sibling_suffix[i]);
		if (!rc)
			rc = copy_file(q->sib_src[i], sd.data, 0444, &sg, err);
		cu_buf_release(&sd);
		if (!rc && q->sib_size[i] != UINT64_MAX && sg != q->sib_size[i])
			rc = cu_error_set(err, CU_E_INTEGRITY,
					  "'%s': staged copy has %llu bytes but the inventory "
					  "records %llu; run `custos verify` on the case",
					  q->sib_evidence[i] ? q->sib_evidence[i] : q->sib_src[i],
					  (unsigned long long)sg,
					  (unsigned long long)q->sib_size[i]);
		if (rc)
			goto out;
		if (i == 0 && sg > 0)
			wal = i;
	}
	s->work_path = cu_strdup(dst.data);
	s->raw_path = cu_strdup(dst.data);
	s->dir = cu_strdup(dir.data);
	for (int i = 0; i < NSIBLINGS; i++) {
		if (!q->sib_src[i])
			continue;
		s->sib_size[i] = q->sib_size[i];
		if (q->device_path &&
		    cu_buf_printf(&ck, err, "%s%s", q->device_path, sibling_suffix[i]) == CU_OK) {
			s->sib_device[i] = cu_buf_detach(&ck, NULL);
		}
		s->sib_evidence[i] =
		    dup_or_null(q->sib_evidence[i] ? q->sib_evidence[i] : q->sib_src[i]);
		s->sib_sha256[i] = dup_or_null(q->sib_sha256[i]);
		s->sib_md5[i] = dup_or_null(q->sib_md5[i]);
	}
	if (wal == 0) {
		struct cu_error e;

		cu_error_clear(&e);
		if (checkpoint_copy(dir.data, base, dst.data, q->sib_src[0], &ck, &e) == CU_OK) {
			free(s->work_path);
			s->work_path = cu_strdup(ck.data);
			s->checkpointed = true;
		} else {
			struct cu_artifact tmp = {.item = ctx->item,
						  .device_path = q->device_path,
						  .evidence_path = q->evidence_path};

			cu_parse_warn(ctx, &tmp,
				      "the WAL could not be checkpointed (%s); parsing the main "
				      "database file without it",
				      e.msg);
		}
	}
	s->item = dup_or_null(ctx->item);
	s->device_path = dup_or_null(q->device_path);
	s->evidence_path = dup_or_null(q->evidence_path);
	s->sha256 = dup_or_null(q->sha256);
	s->platform = dup_or_null(ctx->platform);
	if (!s->work_path || !s->raw_path || !s->dir || (ctx->item && !s->item) ||
	    (q->device_path && !s->device_path) || (q->evidence_path && !s->evidence_path) ||
	    (q->sha256 && !s->sha256) || (ctx->platform && !s->platform)) {
		rc = cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
		goto out;
	}
	s->a.item = s->item;
	s->a.platform = s->platform;
	s->a.device_path = s->device_path;
	s->a.evidence_path = s->evidence_path;
	s->a.sha256 = s->sha256;
	s->a.size = got;
	s->a.source_id = 0;
	s->a.work_path = s->work_path;
	rc = push_staged(r, s, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	staged_free(s);
	cu_buf_release(&dir);
	cu_buf_release(&dst);
	cu_buf_release(&ck);
	return rc;
}

/*
 * Sources rows for a staged file about to be parsed: the file itself
 * (after the evidence original for a derived file) and, when the WAL was
 * checkpointed, the working copy derived from it.
 */
static enum cu_status add_sources(struct cu_parse_ctx *ctx, struct staged *s,
				  const struct stage_req *q, int64_t orig_source,
				  const char *derivation, struct cu_error *err)
{
	struct run *r = run_of(ctx);
	const char *pname = ctx->parser ? ctx->parser->name : NULL;
	int64_t id = 0;
	enum cu_status rc;

	rc = sink_source(ctx, ctx->item, q->device_path, q->evidence_path, s->a.size, q->sha256,
			 q->md5, orig_source, derivation, pname, &id, err);
	if (rc)
		return rc;
	s->file_source = id;
	if (s->checkpointed) {
		struct cu_digests d;
		struct cu_buf deriv = CU_BUF_INIT, js = CU_BUF_INIT;
		struct cu_json j;
		size_t root_len = r->c ? strlen(r->c->dir) : 0;
		const char *relp = s->work_path;

		if (r->c && strncmp(s->work_path, r->c->dir, root_len) == 0 &&
		    s->work_path[root_len] == '/')
			relp = s->work_path + root_len + 1;
		rc = cu_hash_file(s->work_path, CU_HASH_SHA256 | CU_HASH_MD5, &d, err);
		if (!rc)
			rc = cu_buf_printf(&deriv, err,
					   "wal-checkpointed working copy: %s + %s (sha256 %s), "
					   "SQLite %s PRAGMA wal_checkpoint(TRUNCATE)",
					   q->evidence_path ? q->evidence_path : q->src,
					   q->sib_evidence[0] ? q->sib_evidence[0] : q->sib_src[0],
					   q->sib_sha256[0] ? q->sib_sha256[0] : "unknown",
					   sqlite3_libversion());
		if (!rc)
			rc = sink_source(ctx, ctx->item, q->device_path, relp, d.size, d.sha256,
					 d.md5, id, deriv.data, pname, &id, err);
		if (!rc) {
			cu_json_init(&j, &js);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "item", ctx->item);
			cu_json_kv_str(&j, "input", q->evidence_path);
			cu_json_kv_str(&j, "input_sha256", q->sha256);
			cu_json_kv_str(&j, "wal", q->sib_evidence[0]);
			cu_json_kv_str(&j, "wal_sha256", q->sib_sha256[0]);
			cu_json_kv_str(&j, "method", "wal-checkpointed working copy");
			cu_json_kv_str(&j, "output", relp);
			cu_json_kv_str(&j, "output_sha256", d.sha256);
			cu_json_obj_end(&j);
			rc = cu_json_finish(&j, err);
			if (rc == CU_OK)
				rc = json_append_elem(&r->derivations, js.data, js.len, err);
		}
		cu_buf_release(&deriv);
		cu_buf_release(&js);
		if (rc)
			return rc;
	}
	s->a.source_id = id;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* recovery: the engine's records of a staged file                     */
/* ------------------------------------------------------------------ */

/* What one file's records may hold in memory (they are read once and
 * handed out table by table); past it the rest is counted, not kept. */
#define REC_MEM_MAX ((size_t)256 << 20)

/* One record, deep-copied: values NUL-terminated (a text decoder may read
 * a BLOB as text). */
struct rec_cell {
	struct cu_rec_record r;
	bool taken;
};

struct rec_set {
	struct rec_cell *cells;
	size_t n, cap, bytes;
	uint64_t not_kept; /* past REC_MEM_MAX */
	struct cu_rec_stats stats;
	bool ran;
	enum cu_status rc;    /* the engine's answer */
	enum cu_status cb_rc; /* rec_keep's own failure (memory) */
	char why[CU_ERROR_MSG_MAX];
};

static void rec_cell_free(struct rec_cell *c)
{
	free((char *)c->r.table);
	free((char *)c->r.candidates);
	free((char *)c->r.status);
	free((char *)c->r.file);
	for (size_t i = 0; i < c->r.ncols; i++) {
		free((void *)c->r.values[i].p);
		if (c->r.colnames)
			free((char *)c->r.colnames[i]);
	}
	free((void *)c->r.values);
	free((void *)c->r.colnames);
}

static void rec_set_free(struct rec_set *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rec_cell_free(&rs->cells[i]);
	free(rs->cells);
	free(rs);
}

static char *rec_dup(const char *s, size_t *bytes, bool *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = cu_strdup(s);
	if (!d)
		*bad = true;
	else
		*bytes += strlen(s) + 1;
	return d;
}

/* The engine's callback: keeps a deep copy of the record. */
static enum cu_status rec_keep(void *arg, const struct cu_rec_record *r, struct cu_error *err)
{
	struct rec_set *rs = arg;
	struct rec_cell *c;
	struct cu_rec_value *vals = NULL;
	char **names = NULL;
	size_t bytes = sizeof(*c);
	bool bad = false;

	if (rs->bytes > REC_MEM_MAX) {
		rs->not_kept++;
		return CU_OK;
	}
	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 64;
		struct rec_cell *p = cu_reallocarray(rs->cells, ncap, sizeof(*p));

		if (!p)
			return rs->cb_rc = cu_error_set(err, CU_E_NOMEM, "recovery: out of memory");
		rs->cells = p;
		rs->cap = ncap;
	}
	c = &rs->cells[rs->n];
	memset(c, 0, sizeof(*c));
	c->r = *r;
	c->r.table = c->r.candidates = c->r.status = c->r.file = NULL;
	c->r.values = NULL;
	c->r.colnames = NULL;
	c->r.ncols = 0;
	if (r->ncols > 0) {
		vals = cu_calloc(r->ncols, sizeof(*vals));
		if (r->colnames)
			names = cu_calloc(r->ncols, sizeof(*names));
		if (!vals || (r->colnames && !names)) {
			free(vals);
			free(names);
			return rs->cb_rc = cu_error_set(err, CU_E_NOMEM, "recovery: out of memory");
		}
	}
	c->r.values = vals;
	c->r.colnames = (const char *const *)names;
	c->r.ncols = r->ncols;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct cu_rec_value *v = &r->values[i];

		vals[i] = *v;
		vals[i].p = NULL;
		if ((v->type == SQLITE_TEXT || v->type == SQLITE_BLOB) && (v->p || v->n == 0)) {
			unsigned char *p = cu_malloc(v->n + 1);

			if (!p) {
				bad = true;
			} else {
				if (v->n)
					memcpy(p, v->p, v->n);
				p[v->n] = '\0';
				vals[i].p = p;
				bytes += v->n + 1;
			}
		}
		if (names)
			names[i] = rec_dup(r->colnames[i], &bytes, &bad);
	}
	c->r.table = rec_dup(r->table, &bytes, &bad);
	c->r.candidates = rec_dup(r->candidates, &bytes, &bad);
	c->r.status = rec_dup(r->status, &bytes, &bad);
	c->r.file = rec_dup(r->file, &bytes, &bad);
	bytes += r->ncols * (sizeof(*vals) + sizeof(*names));
	if (bad) {
		rec_cell_free(c);
		return rs->cb_rc = cu_error_set(err, CU_E_NOMEM, "recovery: out of memory");
	}
	rs->n++;
	rs->bytes += bytes;
	return CU_OK;
}

static struct staged *staged_of(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	struct run *r = ctx ? run_of(ctx) : NULL;

	if (!r || !a)
		return NULL;
	for (size_t i = r->nstaged; i-- > 0;)
		if (&r->staged[i]->a == a)
			return r->staged[i];
	return NULL;
}

/* An engine message with the staged copy's path (scratch, different on
 * every run) replaced by the evidence path: case.db stays the same for
 * the same inputs. */
static const char *rec_clean(const struct staged *s, const char *in, char *out, size_t n)
{
	const char *name = s->a.evidence_path ? s->a.evidence_path : s->a.device_path;
	size_t rl = s->raw_path ? strlen(s->raw_path) : 0, o = 0;

	if (!name || rl == 0) {
		snprintf(out, n, "%s", in);
		return out;
	}
	while (*in && o + 1 < n) {
		if (strncmp(in, s->raw_path, rl) == 0) {
			int w = snprintf(out + o, n - o, "%s", name);

			o += w < 0 ? 0 : (size_t)w >= n - o ? n - o - 1 : (size_t)w;
			in += rl;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
	return out;
}

/* Runs the engine once over s's staged copy. A file that is not SQLite
 * (or one the engine gives up on) has no records; that is said when the
 * file is done, it fails nothing. Only running out of memory is an error. */
static enum cu_status rec_run(struct cu_parse_ctx *ctx, struct staged *s, struct cu_error *err)
{
	static const struct cu_rec_opts opts = {NULL, NULL, false, false, 0, 0};
	struct rec_set *rs;
	struct cu_error e;

	if (s->rec)
		return CU_OK;
	rs = cu_calloc(1, sizeof(*rs));
	if (!rs)
		return cu_error_set(err, CU_E_NOMEM, "recovery: out of memory");
	s->rec = rs;
	rs->ran = true;
	cu_error_clear(&e);
	rs->rc = cu_recover_file(s->raw_path, &opts, rec_keep, rs, &rs->stats, &e);
	if (rs->cb_rc != CU_OK || rs->rc == CU_E_NOMEM)
		return cu_error_set(err, CU_E_NOMEM, "'%s': recovery: %s", s->a.device_path, e.msg);
	if (rs->rc != CU_OK)
		rec_clean(s, e.msg, rs->why, sizeof(rs->why));
	if (rs->rc == CU_E_LIMIT)
		cu_parse_warn(ctx, &s->a,
			      "recovery stopped at a bound (%s); the records found until then "
			      "are kept",
			      rs->why);
	else if (rs->rc != CU_OK && rs->rc != CU_E_FORMAT)
		cu_parse_warn(ctx, &s->a, "recovery failed: %s", rs->why);
	if (rs->stats.damaged && rs->stats.warnings[0]) {
		char w[sizeof(rs->stats.warnings) + 256];

		cu_parse_warn(ctx, &s->a, "recovery: the file's structures are damaged: %s",
			      rec_clean(s, rs->stats.warnings, w, sizeof(w)));
	}
	return CU_OK;
}

/* The sources row of the file a record was read from (the -wal and
 * -journal get theirs the first time a record comes from them). */
static enum cu_status rec_source(struct cu_parse_ctx *ctx, struct staged *s, const char *file,
				 int64_t *id, struct cu_error *err)
{
	int k = -1;
	enum cu_status rc;

	if (file && strcmp(file, "wal") == 0)
		k = 0;
	else if (file && strcmp(file, "journal") == 0)
		k = 2;
	if (k < 0 || !s->sib_evidence[k]) {
		*id = s->file_source ? s->file_source : s->a.source_id;
		return CU_OK;
	}
	if (!s->sib_source[k]) {
		rc = sink_source(ctx, ctx->item, s->sib_device[k], s->sib_evidence[k],
				 s->sib_size[k], s->sib_sha256[k], s->sib_md5[k], 0, NULL,
				 ctx->parser ? ctx->parser->name : NULL, &s->sib_source[k], err);
		if (rc)
			return rc;
	}
	*id = s->sib_source[k];
	return CU_OK;
}

static bool rec_is_live(const struct cu_rec_record *r)
{
	return r->source == CU_REC_LIVE_DAMAGED || (r->status && strcmp(r->status, "live") == 0);
}

/* Provenance of an engine record (prov->rec points at rec). */
static enum cu_status rec_prov(struct cu_parse_ctx *ctx, struct staged *s,
			       const struct cu_rec_record *r, struct cu_prov *prov,
			       struct cu_prov_rec *rec, struct cu_error *err)
{
	enum cu_status rc = rec_source(ctx, s, r->file, &prov->source_id, err);

	if (rc)
		return rc;
	rec->from = cu_rec_source_name(r->source);
	/* a record of a table since dropped: deleted with its table */
	rec->status = r->dropped ? "deleted (dropped table)" : r->status;
	rec->wal_frame = r->wal_frame ? (int64_t)r->wal_frame : CU_UNKNOWN;
	rec->partial = r->partial;
	prov->table = r->table;
	prov->rowid = r->rowid == INT64_MIN ? CU_UNKNOWN : r->rowid;
	prov->page = r->page;
	prov->offset = r->offset > (uint64_t)INT64_MAX ? CU_UNKNOWN : (int64_t)r->offset;
	prov->recovered = !rec_is_live(r);
	prov->rec = rec;
	return CU_OK;
}

enum cu_status cu_parse_recovered(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const char *table, cu_parse_rec_fn fn, void *arg,
				  struct cu_error *err)
{
	struct staged *s = staged_of(ctx, a);
	enum cu_status rc;

	if (!s || !table)
		return CU_OK;
	rc = rec_run(ctx, s, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->rec->n; i++) {
		struct rec_cell *c = &s->rec->cells[i];
		struct cu_prov prov;
		struct cu_prov_rec rec;

		if (c->taken || !c->r.table || strcasecmp(c->r.table, table) != 0)
			continue;
		c->taken = true;
		memset(&prov, 0, sizeof(prov));
		rc = rec_prov(ctx, s, &c->r, &prov, &rec, err);
		if (!rc)
			rc = fn(ctx, a, &c->r, &prov, arg, err);
		if (rc)
			return rc;
	}
	return CU_OK;
}

bool cu_parse_sqlite_damage(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
	case SQLITE_FORMAT:
	case SQLITE_RANGE: return true;
	default: return rc == CU_ROWS_DAMAGED;
	}
}

void cu_parse_mark_damaged(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			   const char *reason)
{
	struct staged *s = staged_of(ctx, a);

	if (!ctx || (s && s->damaged))
		return;
	if (s) {
		s->damaged = true;
		ctx->stats.damaged_files++;
	}
	cu_parse_warn(ctx, a,
		      "'%s' is damaged (%s): its rows are read past the damage (SQLite with "
		      "writable_schema, or the page reader) and marked as read from a damaged file",
		      a->evidence_path ? a->evidence_path : a->device_path, reason);
}

struct live_arg {
	struct cu_parse_ctx *ctx;
	struct staged *s;
	int64_t after;
	cu_parse_rec_fn fn;
	void *arg;
	uint64_t rows;
	enum cu_status cb_rc; /* the callback's own failure (case.db) */
	struct cu_error cb_err;
};

static enum cu_status live_one(void *arg, const struct cu_rec_record *r, struct cu_error *err)
{
	struct live_arg *l = arg;
	struct cu_prov prov;
	struct cu_prov_rec rec;
	enum cu_status rc;

	if (l->after != CU_UNKNOWN && r->rowid != INT64_MIN && r->rowid <= l->after)
		return CU_OK;
	memset(&prov, 0, sizeof(prov));
	rc = rec_prov(l->ctx, l->s, r, &prov, &rec, err);
	if (!rc)
		rc = l->fn(l->ctx, &l->s->a, r, &prov, l->arg, err);
	if (rc) {
		l->cb_rc = rc;
		l->cb_err = *err;
		return rc;
	}
	l->rows++;
	return CU_OK;
}

enum cu_status cu_parse_damaged_rows(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     const char *table, const char *reason, int64_t after,
				     cu_parse_rec_fn fn, void *arg, struct cu_error *err)
{
	struct staged *s = staged_of(ctx, a);
	struct live_arg l = {ctx, s, after, fn, arg, 0, CU_OK, {CU_OK, ""}};
	struct cu_rec_stats st;
	struct cu_error e;
	enum cu_status rc;

	if (!s)
		return cu_error_set(err, CU_E_FORMAT, "%s (no staged copy for the page reader)",
				    reason);
	memset(&st, 0, sizeof(st));
	cu_error_clear(&e);
	rc = cu_recover_live_table(s->raw_path, table, live_one, &l, &st, &e);
	if (l.cb_rc != CU_OK || rc == CU_E_NOMEM) {
		*err = l.cb_rc != CU_OK ? l.cb_err : e;
		return l.cb_rc != CU_OK ? l.cb_rc : rc;
	}
	/* not SQLite at all (encrypted, another format): nothing to read */
	if (rc == CU_E_FORMAT && l.rows == 0)
		return cu_error_set(err, CU_E_FORMAT, "%s", reason);
	cu_parse_mark_damaged(ctx, a, reason);
	cu_info("parse: %s: %llu live rows of table %s read by the page reader", a->device_path,
		(unsigned long long)l.rows, table);
	/* the page reader met damage in the table too: rows are lost, which
	 * is a failure of this section (the rows read stay) */
	if (rc != CU_OK || st.damaged) {
		char why[CU_ERROR_MSG_MAX];
		const char *raw = rc != CU_OK ? e.msg : st.warnings[0] ? st.warnings : "damaged";

		rec_clean(s, raw, why, sizeof(why));
		return cu_error_set(err, CU_E_FORMAT,
				    "%s; the page reader read %llu rows of table '%s' past it but "
				    "lost some: %s",
				    reason, (unsigned long long)l.rows, table, why);
	}
	return CU_OK;
}

/* The records no parser took (tables no parser maps, ambiguous ones) go
 * to recovered_records as the engine gives them, in the engine's order. */
static enum cu_status rec_store_raw(struct cu_parse_ctx *ctx, struct staged *s,
				    struct cu_error *err)
{
	sqlite3_stmt *st = NULL;
	struct cu_buf js = CU_BUF_INIT;
	enum cu_status rc = CU_OK;

	for (size_t i = 0; i < s->rec->n && !rc; i++) {
		const struct cu_rec_record *r = &s->rec->cells[i].r;
		struct cu_json j;
		int64_t sid;

		if (s->rec->cells[i].taken || rec_is_live(r))
			continue;
		if (!st &&
		    sqlite3_prepare_v2(ctx->db,
				       "INSERT INTO recovered_records(item_id, source_id, "
				       "table_name, candidates, source_page, source_offset, "
				       "source_file, wal_frame, status, partial, values_json) "
				       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = cu_error_set(err, CU_E_IO, "case.db: recovered_records: %s",
					  sqlite3_errmsg(ctx->db));
			break;
		}
		rc = rec_source(ctx, s, r->file, &sid, err);
		if (rc)
			break;
		cu_buf_reset(&js);
		cu_json_init(&j, &js);
		cu_json_arr_begin(&j);
		for (size_t k = 0; k < r->ncols; k++)
			cu_rec_value_json(&j, &r->values[k]);
		cu_json_arr_end(&j);
		rc = cu_json_finish(&j, err);
		if (rc)
			break;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, ctx->item, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sid);
		if (r->table)
			sqlite3_bind_text(st, 3, r->table, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		if (r->candidates)
			sqlite3_bind_text(st, 4, r->candidates, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_int64(st, 5, r->page);
		if (r->offset > (uint64_t)INT64_MAX)
			sqlite3_bind_null(st, 6);
		else
			sqlite3_bind_int64(st, 6, (int64_t)r->offset);
		sqlite3_bind_text(st, 7, r->file, -1, SQLITE_STATIC);
		if (r->wal_frame)
			sqlite3_bind_int64(st, 8, r->wal_frame);
		else
			sqlite3_bind_null(st, 8);
		sqlite3_bind_text(st, 9, r->dropped ? "deleted (dropped table)" : r->status, -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 10, r->partial ? 1 : 0);
		sqlite3_bind_text(st, 11, js.data, (int)js.len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = cu_error_set(err, CU_E_IO, "case.db: recovered_records: %s",
					  sqlite3_errmsg(ctx->db));
	}
	sqlite3_finalize(st);
	cu_buf_release(&js);
	return rc;
}

/*
 * A staged file is done: runs the engine if no parser asked and run is set
 * (every parsed database is searched), then counts and lists what no parser took:
 * ambiguous records and records of tables no parser reads (a warning
 * naming them, and the PARSE custody entry's "recovery" list); marks the
 * rows of a damaged file.
 */
static void rec_finish(struct cu_parse_ctx *ctx, struct staged *s, bool run)
{
	struct run *r = run_of(ctx);
	struct cu_buf list = CU_BUF_INIT, js = CU_BUF_INIT, amb = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;
	uint64_t unread = 0, ambiguous = 0, taken = 0;

	if (s->rec_done)
		return;
	s->rec_done = true;
	cu_error_clear(&e);
	if (s->damaged) {
		static const char *const tabs[] = {"messages", "contacts", "calls", "payments"};

		for (size_t i = 0; i < 4; i++) {
			char *sql = sqlite3_mprintf(
			    "UPDATE %s SET damaged = 1 WHERE source_id IN (%lld, %lld, %lld, %lld)",
			    tabs[i], (long long)s->a.source_id, (long long)s->file_source,
			    (long long)s->sib_source[0], (long long)s->sib_source[2]);

			if (!sql || cu_casedb_exec(ctx->db, sql, &e) != CU_OK)
				cu_warn("parse: marking rows of a damaged file: %s",
					sql ? e.msg : "out of memory");
			sqlite3_free(sql);
		}
	}
	if (!s->rec && !run)
		return;
	if (!s->rec && rec_run(ctx, s, &e) != CU_OK) {
		cu_parse_warn(ctx, &s->a, "recovery: %s", e.msg);
		return;
	}
	if (!s->rec || s->rec->rc == CU_E_FORMAT)
		return;
	/* per table: how many were not taken */
	for (size_t i = 0; i < s->rec->n; i++) {
		const struct rec_cell *c = &s->rec->cells[i];
		const char *t = c->r.table;
		size_t n = 0;
		bool seen = false;

		if (c->taken) {
			taken++;
			continue;
		}
		if (!t) {
			ambiguous++;
			if (c->r.candidates && (!amb.data || !strstr(amb.data, c->r.candidates)) &&
			    amb.len < 1024 &&
			    cu_buf_printf(&amb, &e, "%s[%s]", amb.len ? " " : "", c->r.candidates))
				break;
			continue;
		}
		for (size_t k = 0; k < i && !seen; k++)
			seen = !s->rec->cells[k].taken && s->rec->cells[k].r.table &&
			       strcmp(s->rec->cells[k].r.table, t) == 0;
		if (seen)
			continue;
		for (size_t k = i; k < s->rec->n; k++)
			n += !s->rec->cells[k].taken && s->rec->cells[k].r.table &&
			     strcmp(s->rec->cells[k].r.table, t) == 0;
		unread += n;
		if (cu_buf_printf(&list, &e, "%s%s (%zu)", list.len ? ", " : "", t, n) != CU_OK)
			break;
	}
	unread += s->rec->not_kept;
	if ((unread || ambiguous) && rec_store_raw(ctx, s, &e) != CU_OK)
		cu_parse_warn(ctx, &s->a, "recovery: %s", e.msg);
	ctx->stats.recovered_unread += unread;
	ctx->stats.recovered_ambiguous += ambiguous;
	if (unread || ambiguous)
		cu_parse_warn(
		    ctx, &s->a,
		    "recovery: %llu recovered records no parser reads, kept as raw records "
		    "(recovered_records): %llu of tables no parser reads%s%s%s, %llu "
		    "ambiguous (they fit several tables%s%s)%s",
		    (unsigned long long)(unread + ambiguous), (unsigned long long)unread,
		    list.len ? " (" : "", list.len ? list.data : "", list.len ? ")" : "",
		    (unsigned long long)ambiguous, amb.len ? ": " : "", amb.len ? amb.data : "",
		    s->rec->not_kept ? "; some past the memory bound, not kept" : "");
	if (r && (s->rec->n || s->rec->not_kept || s->damaged)) {
		cu_json_init(&j, &js);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "item", ctx->item);
		cu_json_kv_str(&j, "device_path", s->a.device_path);
		cu_json_kv_str(&j, "evidence_path", s->a.evidence_path);
		cu_json_key(&j, "records");
		cu_json_uint(&j, (uint64_t)s->rec->n + s->rec->not_kept);
		cu_json_key(&j, "stored");
		cu_json_uint(&j, taken);
		cu_json_key(&j, "unread");
		cu_json_uint(&j, unread);
		cu_json_kv_str(&j, "unread_tables", list.len ? list.data : NULL);
		cu_json_key(&j, "ambiguous");
		cu_json_uint(&j, ambiguous);
		cu_json_kv_str(&j, "ambiguous_candidates", amb.len ? amb.data : NULL);
		cu_json_key(&j, "damaged");
		cu_json_bool(&j, s->damaged);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &e) != CU_OK ||
		    json_append_elem(&r->recovery, js.data, js.len, &e) != CU_OK)
			cu_warn("parse: listing recovery of '%s': %s", s->a.device_path, e.msg);
	}
	cu_buf_release(&list);
	cu_buf_release(&js);
	cu_buf_release(&amb);
}

/* ------------------------------------------------------------------ */
/* the item's inventory                                                */
/* ------------------------------------------------------------------ */

static void inv_clear(struct run *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		struct inv_file *f = &r->files[i];

		free(f->device_path);
		free(f->evidence_path);
		free(f->type);
		free(f->derivation);
		free(f->derived_from0);
	}
	r->nfiles = 0;
	free(r->chosen);
	r->chosen = NULL;
	r->nchosen = 0;
}

static enum cu_status inv_collect(const struct cu_inventory_rec *rec, void *arg,
				  struct cu_error *err)
{
	struct run *r = arg;
	struct inv_file *f;

	if (!rec->device_path || !rec->evidence_path)
		return CU_OK;
	if (r->nfiles == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		struct inv_file *p = cu_reallocarray(r->files, ncap, sizeof(*p));

		if (!p)
			return cu_error_set(err, CU_E_NOMEM, "parse: inventory: out of memory");
		r->files = p;
		r->cap = ncap;
	}
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	f->device_path = cu_strdup(rec->device_path);
	f->evidence_path = cu_strdup(rec->evidence_path);
	f->type = cu_strdup(rec->type ? rec->type : "file");
	f->derivation = dup_or_null(rec->derivation);
	if (rec->derived_from && json_is_array(rec->derived_from) &&
	    json_array_size(rec->derived_from) > 0 &&
	    json_is_string(json_array_get(rec->derived_from, 0)))
		f->derived_from0 =
		    cu_strdup(json_string_value(json_array_get(rec->derived_from, 0)));
	f->derived = rec->kind && strcmp(rec->kind, "derived") == 0;
	f->size = rec->size;
	memcpy(f->sha256, rec->sha256, sizeof(f->sha256));
	f->sha256[64] = '\0';
	memcpy(f->md5, rec->md5, sizeof(f->md5));
	f->md5[32] = '\0';
	f->order = r->nfiles;
	r->nfiles++;
	if (!f->device_path || !f->evidence_path || !f->type)
		return cu_error_set(err, CU_E_NOMEM, "parse: inventory: out of memory");
	return CU_OK;
}

static struct run *sort_run; /* qsort has no context argument */

static int cmp_files(const void *x, const void *y)
{
	const struct inv_file *a = &sort_run->files[*(const size_t *)x];
	const struct inv_file *b = &sort_run->files[*(const size_t *)y];
	int c = strcmp(a->device_path, b->device_path);

	if (c)
		return c;
	/* evidence before derived, then inventory order: the last one wins */
	if (a->derived != b->derived)
		return a->derived ? 1 : -1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* One record per device path, sorted bytewise: the latest derived record
 * when there is one, else the latest evidence record. */
static enum cu_status inv_choose(struct run *r, struct cu_error *err)
{
	size_t *idx = NULL;

	if (r->nfiles == 0)
		return CU_OK;
	idx = cu_calloc(r->nfiles, sizeof(*idx));
	if (!idx)
		return cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
	for (size_t i = 0; i < r->nfiles; i++)
		idx[i] = i;
	sort_run = r;
	qsort(idx, r->nfiles, sizeof(*idx), cmp_files);
	sort_run = NULL;
	r->nchosen = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		bool last = i + 1 == r->nfiles ||
			    strcmp(r->files[idx[i]].device_path, r->files[idx[i + 1]].device_path);

		if (last)
			idx[r->nchosen++] = idx[i];
	}
	r->chosen = idx;
	return CU_OK;
}

static const struct inv_file *inv_find_device(struct run *r, const char *device_path)
{
	size_t lo = 0, hi = r->nchosen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->files[r->chosen[mid]].device_path, device_path);

		if (c == 0)
			return &r->files[r->chosen[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The -wal/-shm/-journal sibling of f must be of f's own kind: a decrypted
 * (derived) database with the encrypted evidence WAL beside it would have
 * ciphertext pages checkpointed into it. The chosen record per device path
 * prefers derived files, so only a kind mismatch needs the (rare) scan.
 */
static const struct inv_file *inv_find_sibling(struct run *r, const struct inv_file *f,
					       const char *device_path)
{
	const struct inv_file *sib = inv_find_device(r, device_path);

	if (sib == NULL || sib->derived == f->derived)
		return sib;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].derived == f->derived &&
		    strcmp(r->files[i].device_path, device_path) == 0)
			return &r->files[i];
	return NULL;
}

static const struct inv_file *inv_find_evidence(struct run *r, const char *evidence_path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].evidence_path, evidence_path) == 0)
			return &r->files[i];
	return NULL;
}

/* Fills a stage request for an inventory record; bufs hold the paths. */
static enum cu_status req_for(struct run *r, const struct inv_file *f, struct stage_req *q,
			      struct cu_buf bufs[1 + NSIBLINGS], struct cu_error *err)
{
	enum cu_status rc;

	memset(q, 0, sizeof(*q));
	q->device_path = f->device_path;
	q->evidence_path = f->evidence_path;
	q->sha256 = f->sha256;
	q->md5 = f->md5;
	q->size = f->size;
	rc = cu_case_path(r->c, f->evidence_path, &bufs[0], err);
	if (rc)
		return rc;
	q->src = bufs[0].data;
	for (int i = 0; i < NSIBLINGS; i++) {
		struct cu_buf name = CU_BUF_INIT;
		const struct inv_file *sib;

		rc = cu_buf_printf(&name, err, "%s%s", f->device_path, sibling_suffix[i]);
		if (rc)
			return rc;
		sib = inv_find_sibling(r, f, name.data);
		cu_buf_release(&name);
		if (!sib || strcmp(sib->type, "file") != 0)
			continue;
		rc = cu_case_path(r->c, sib->evidence_path, &bufs[1 + i], err);
		if (rc)
			return rc;
		q->sib_src[i] = bufs[1 + i].data;
		q->sib_size[i] = sib->size;
		q->sib_evidence[i] = sib->evidence_path;
		q->sib_sha256[i] = sib->sha256;
		q->sib_md5[i] = sib->md5;
	}
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* parsers used                                                        */
/* ------------------------------------------------------------------ */

static bool platform_fits(const struct cu_parser *p, const char *platform)
{
	if (!platform)
		return true;
	if (strcmp(platform, "ios") == 0)
		return (p->platforms & CU_PLATFORM_IOS) != 0;
	if (strcmp(platform, "android") == 0)
		return (p->platforms & CU_PLATFORM_ANDROID) != 0;
	return true;
}

static bool pattern_fits(const struct cu_parser *p, const char *device_path)
{
	for (const char *const *pat = p->patterns; *pat; pat++)
		if (fnmatch(*pat, device_path, 0) == 0)
			return true;
	return false;
}

static size_t parser_index(const struct cu_parser *p)
{
	const struct cu_parser *q;

	for (size_t i = 0; (q = cu_parser_at(i)) != NULL; i++)
		if (q == p)
			return i;
	return SIZE_MAX;
}

/* ------------------------------------------------------------------ */
/* find / derive / tmp                                                  */
/* ------------------------------------------------------------------ */

enum cu_status cu_parse_find(struct cu_parse_ctx *ctx, const char *pattern, cu_parse_find_fn fn,
			     void *arg, struct cu_error *err)
{
	struct run *r = run_of(ctx);
	bool any = false;
	enum cu_status rc = CU_OK;

	if (!r || !r->c)
		return cu_error_set(err, CU_E_NOTFOUND, "no file matching '%s' (no case)", pattern);
	for (size_t i = 0; i < r->nchosen; i++) {
		const struct inv_file *f = &r->files[r->chosen[i]];
		struct cu_buf bufs[1 + NSIBLINGS] = {CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT,
						     CU_BUF_INIT};
		struct stage_req q;
		struct staged *s = NULL;

		if (strcmp(f->type, "file") != 0 || fnmatch(pattern, f->device_path, 0) != 0)
			continue;
		any = true;
		((struct inv_file *)f)->handled = true; /* read for another's sake */
		rc = req_for(r, f, &q, bufs, err);
		if (!rc)
			rc = stage(ctx, &q, &s, err);
		if (!rc)
			rc = add_sources(ctx, s, &q, 0, f->derived ? f->derivation : NULL, err);
		if (!rc)
			rc = fn(ctx, &s->a, arg, err);
		for (int k = 0; k < 1 + NSIBLINGS; k++)
			cu_buf_release(&bufs[k]);
		/* The artifact lives for the callback only: drop its copies now,
		 * so a parser walking many files (WeChat iOS message_N.sqlite)
		 * does not hold them all on disk at once. */
		if (s && r->nstaged && r->staged[r->nstaged - 1] == s) {
			/* a file found for another's sake (names, keys): its
			 * records count only when a parser asked for them; it
			 * is searched when parsed as a file of its own */
			if (!rc)
				rec_finish(ctx, s, false);
			if (!getenv("CUSTOS_KEEP_WORK"))
				remove_tree(s->dir);
			staged_free(s);
			r->nstaged--;
		}
		if (rc)
			return rc;
	}
	if (!any)
		return cu_error_set(err, CU_E_NOTFOUND, "no file of item '%s' matches '%s'",
				    ctx->item, pattern);
	return CU_OK;
}

enum cu_status cu_parse_tmp_path(struct cu_parse_ctx *ctx, const char *name, struct cu_buf *out,
				 struct cu_error *err)
{
	struct run *r = run_of(ctx);
	struct cu_buf esc = CU_BUF_INIT, dir = CU_BUF_INIT;
	enum cu_status rc;

	if (!r || !r->c)
		return cu_error_set(err, CU_E_UNSUPPORTED, "temporary files need a case");
	rc = cu_path_escape_component(name, strlen(name), &esc, err);
	if (!rc)
		rc = cu_buf_printf(&dir, err, "%s/%lu", r->work_item, r->seq++);
	if (!rc)
		rc = cu_mkdirs(dir.data, 0755, false, err);
	if (!rc) {
		cu_buf_reset(out);
		rc = cu_buf_printf(out, err, "%s/%s", dir.data, esc.data);
	}
	cu_buf_release(&esc);
	cu_buf_release(&dir);
	return rc;
}

/* Closes the writer with the DERIVE entry of one derived file. */
static enum cu_status derive_custody(struct cu_parse_ctx *ctx, struct cu_ingest *w,
				     const struct cu_artifact *input, const char *out_rel,
				     const struct cu_digests *d, const char *derivation,
				     struct cu_error *err)
{
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status rc;

	cu_json_init(&j, &subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", ctx->item);
	cu_json_kv_str(&j, "path", out_rel);
	cu_json_obj_end(&j);
	rc = cu_json_finish(&j, err);
	if (rc)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "inputs");
	cu_json_arr_begin(&j);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "path", input->evidence_path);
	cu_json_kv_str(&j, "device_path", input->device_path);
	cu_json_kv_str(&j, "sha256", input->sha256);
	cu_json_obj_end(&j);
	cu_json_arr_end(&j);
	cu_json_kv_str(&j, "method", derivation);
	cu_json_kv_str(&j, "parser", ctx->parser ? ctx->parser->name : NULL);
	cu_json_key(&j, "outputs");
	cu_json_arr_begin(&j);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "path", out_rel);
	cu_json_key(&j, "size");
	cu_json_uint(&j, d->size);
	cu_json_kv_str(&j, "sha256", d->sha256);
	cu_json_kv_str(&j, "md5", d->md5);
	cu_json_obj_end(&j);
	cu_json_arr_end(&j);
	cu_json_obj_end(&j);
	rc = cu_json_finish(&j, err);
	if (rc)
		goto out;
	rc = cu_ingest_close(w, "DERIVE", subj.data, det.data, err);
out:
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return rc;
}

/*
 * Streams the parser's temporary output through the evidence writer into
 * out_rel: hashed with the case's policy (SM3 too when the item was
 * imported with it or the case asks for it), made read-only and durable,
 * listed in the item's inventory as derived from the input.
 */
static enum cu_status derive_write(struct cu_ingest *w, const struct cu_artifact *input,
				   const char *tmp_path, const char *out_rel,
				   const char *derivation, struct cu_digests *d,
				   struct cu_error *err)
{
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo fi;
	unsigned char *buf = NULL;
	json_t *from = NULL;
	enum cu_status rc;
	int fd = -1;

	memset(&fi, 0, sizeof(fi));
	rc = cu_ingest_slot_plan_path(w, out_rel, &slot, err);
	if (!rc)
		rc = cu_ingest_file_open(w, &slot, &f, err);
	if (rc)
		goto out;
	if ((buf = cu_malloc(COPY_CHUNK)) == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
		goto out;
	}
	if ((fd = open(tmp_path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", tmp_path);
		goto out;
	}
	for (;;) {
		size_t got = 0;
		rc = cu_read_full(fd, buf, COPY_CHUNK, &got, tmp_path, err);
		if (!rc && got > 0)
			rc = cu_ingest_file_write(&f, buf, got, err);
		if (rc || got < COPY_CHUNK)
			break;
	}
	if (!rc)
		rc = cu_ingest_file_commit(&f, NULL, d, err);
	if (rc)
		goto out;
	from = json_array();
	if (!from ||
	    json_array_append_new(
		from, json_string(input->evidence_path ? input->evidence_path : "")) != 0) {
		rc = cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
		goto out;
	}
	fi.device_path = input->device_path;
	fi.device_path_len = strlen(input->device_path);
	fi.type = "file";
	fi.derived = true;
	fi.mode = -1;
	fi.derivation = derivation;
	fi.derived_from = from;
	rc = cu_ingest_record(w, &slot, &fi, d, err);
	if (!rc)
		(void)unlink(tmp_path);
out:
	cu_ingest_file_abort(&f);
	if (fd >= 0)
		close(fd);
	free(buf);
	json_decref(from);
	cu_ingest_slot_release(&slot);
	return rc;
}

enum cu_status cu_parse_derive(struct cu_parse_ctx *ctx, const struct cu_artifact *input,
			       const char *tmp_path, const char *rel, const char *derivation,
			       const struct cu_artifact **out, struct cu_error *err)
{
	struct run *r = run_of(ctx);
	struct cu_buf item_esc = CU_BUF_INIT, out_rel = CU_BUF_INIT, dest = CU_BUF_INIT;
	struct cu_ingest *w = NULL;
	struct cu_digests d;
	struct stage_req q;
	struct staged *s = NULL;
	enum cu_status rc;

	if (!r || !r->c)
		return cu_error_set(err, CU_E_UNSUPPORTED, "deriving files needs a case");
	rc = cu_path_check_relative(rel, strlen(rel), err);
	if (!rc)
		rc = cu_path_escape_component(ctx->item, strlen(ctx->item), &item_esc, err);
	if (!rc)
		rc = cu_buf_printf(&out_rel, err, "derived/%s/%s", item_esc.data, rel);
	if (!rc)
		rc = cu_case_path(r->c, out_rel.data, &dest, err);
	if (!rc)
		rc = cu_mkdirs(dest.data, 0755, true, err);
	if (!rc)
		rc = cu_ingest_open(r->c, CU_INGEST_DERIVE,
				    cu_ingest_hash_policy(r->c, ctx->item, 0), false, &w, err);
	if (!rc)
		rc = cu_ingest_set_item(w, ctx->item, err);
	if (rc)
		goto out;
	if (cu_file_exists(dest.data)) {
		/* Parsed before: the same bytes again are fine (derivations are
		 * deterministic); different bytes would silently replace a
		 * recorded derived file, which we refuse. */
		struct cu_digests old;

		rc = cu_hash_file(dest.data, CU_HASH_SHA256 | CU_HASH_MD5, &old, err);
		if (!rc)
			rc = cu_hash_file(tmp_path, CU_HASH_SHA256 | CU_HASH_MD5, &d, err);
		if (rc)
			goto out;
		if (strcmp(old.sha256, d.sha256) != 0) {
			rc = cu_error_set(err, CU_E_EXISTS,
					  "'%s' exists with different content (sha256 %s, new %s); "
					  "move it aside to derive again",
					  out_rel.data, old.sha256, d.sha256);
			goto out;
		}
		(void)unlink(tmp_path);
	} else {
		rc = derive_write(w, input, tmp_path, out_rel.data, derivation, &d, err);
		if (rc)
			goto out;
	}
	rc = derive_custody(ctx, w, input, out_rel.data, &d, derivation, err);
	if (rc)
		goto out;
	memset(&q, 0, sizeof(q));
	q.device_path = input->device_path;
	q.evidence_path = out_rel.data;
	q.sha256 = d.sha256;
	q.md5 = d.md5;
	q.src = dest.data;
	q.size = d.size;
	rc = stage(ctx, &q, &s, err);
	if (!rc)
		rc = add_sources(ctx, s, &q, input->source_id, derivation, err);
	if (rc)
		goto out;
	*out = &s->a;
out:
	cu_ingest_free(w);
	cu_buf_release(&item_esc);
	cu_buf_release(&out_rel);
	cu_buf_release(&dest);
	if (rc)
		return cu_error_prefix(err, "deriving from '%s'",
				       input->evidence_path ? input->evidence_path : "?");
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* one file                                                            */
/* ------------------------------------------------------------------ */

int cu_parse_choose(struct cu_parse_ctx *ctx, const struct cu_parser *const *cand, size_t n,
		    const struct cu_artifact *a, const struct cu_parser **best,
		    const struct cu_parser **tie)
{
	int best_conf = 0;

	*best = NULL;
	*tie = NULL;
	for (size_t i = 0; i < n; i++) {
		int conf = DEFAULT_CONFIDENCE;

		if (cand[i]->probe) {
			ctx->parser = cand[i];
			conf = cand[i]->probe(ctx, a);
			ctx->parser = NULL;
		}
		if (conf < 0)
			conf = 0;
		if (conf > 100)
			conf = 100;
		if (conf > best_conf) {
			*best = cand[i];
			best_conf = conf;
			*tie = NULL;
		} else if (conf > 0 && conf == best_conf && !*tie) {
			*tie = cand[i];
		}
	}
	return best_conf;
}

static void parse_one(struct cu_parse_ctx *ctx, struct inv_file *f)
{
	struct run *r = run_of(ctx);
	const struct cu_parser *cand[64], *p, *best = NULL, *tie = NULL;
	size_t ncand = 0;
	int best_conf = 0;
	struct cu_buf bufs[1 + NSIBLINGS] = {CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT};
	struct stage_req q;
	struct staged *s = NULL;
	struct cu_error e;
	int64_t orig = 0;
	enum cu_status rc;
	char detail[512];

	for (size_t i = 0; (p = cu_parser_at(i)) != NULL && ncand < 64; i++)
		if (platform_fits(p, ctx->platform) && pattern_fits(p, f->device_path))
			cand[ncand++] = p;
	if (ncand == 0)
		return;

	cu_error_clear(&e);
	ctx->parser = NULL;
	rc = req_for(r, f, &q, bufs, &e);
	if (!rc)
		rc = stage(ctx, &q, &s, &e);
	if (rc) {
		ctx->stats.files++;
		record_failure(ctx, 0, f->device_path, f->evidence_path, cand[0]->name, e.msg);
		ne_sentence(detail, sizeof(detail), "It could not be staged for parsing", e.msg);
		ne_add(r, f->device_path, f->evidence_path, f->sha256, f->size,
		       cu_parse_known_app(f->device_path), "refused", detail);
		goto out;
	}
	best_conf = cu_parse_choose(ctx, cand, ncand, &s->a, &best, &tie);
	if (!best)
		goto out;
	ctx->stats.files++;
	if (tie) {
		char msg[512];

		snprintf(msg, sizeof(msg),
			 "parsers '%s' and '%s' both claim this file with confidence %d; not "
			 "parsed (report this: a parser's probe must be made more specific)",
			 best->name, tie->name, best_conf);
		record_failure(ctx, 0, f->device_path, f->evidence_path, best->name, msg);
		ne_add(r, f->device_path, f->evidence_path, f->sha256, f->size,
		       cu_parse_known_app(f->device_path), "refused",
		       "Two parsers claim this file equally; it was not parsed.");
		goto out;
	}
	ctx->parser = best;
	if (f->derived && f->derived_from0) {
		const struct inv_file *o = inv_find_evidence(r, f->derived_from0);

		if (o) {
			rc = sink_source(ctx, ctx->item, o->device_path, o->evidence_path, o->size,
					 o->sha256, o->md5, 0, NULL, best->name, &orig, &e);
			if (rc) {
				record_failure(ctx, 0, f->device_path, f->evidence_path, best->name,
					       e.msg);
				goto out;
			}
		}
	}
	rc = add_sources(ctx, s, &q, orig, f->derived ? f->derivation : NULL, &e);
	if (rc) {
		record_failure(ctx, 0, f->device_path, f->evidence_path, best->name, e.msg);
		goto out;
	}
	{
		size_t pi = parser_index(best);

		if (pi < r->nparsers)
			r->parser_files[pi]++;
	}
	cu_info("parse: %s: %s", f->device_path, best->name);
	r->cur_listed = false;
	r->cur_device_path = f->device_path;
	rc = best->parse(ctx, &s->a, &e);
	r->cur_device_path = NULL;
	if (rc) {
		cu_error_prefix(&e, "%s", best->name);
		record_failure(ctx, s->a.source_id, f->device_path, f->evidence_path, best->name,
			       e.msg);
		if (!r->cur_listed) {
			ne_sentence(detail, sizeof(detail), "The parser refused it", e.msg);
			ne_add(r, f->device_path, f->evidence_path, f->sha256, f->size,
			       cu_parse_known_app(f->device_path), ne_reason(rc, e.msg), detail);
		}
		goto out;
	}
	if (r->cur_listed) /* the parser said why it could not read it */
		goto out;
	f->handled = true;
	ctx->stats.parsed++;
out:
	if (best && !tie)
		for (size_t i = 0; i < r->nstaged; i++)
			rec_finish(ctx, r->staged[i], true);
	ctx->parser = NULL;
	for (int k = 0; k < 1 + NSIBLINGS; k++)
		cu_buf_release(&bufs[k]);
	release_staged(r);
}

/* ------------------------------------------------------------------ */
/* items                                                               */
/* ------------------------------------------------------------------ */

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* *out: a string, or an array of strings joined with ","; NULL when there
 * is none. */
static enum cu_status jstr_or_join(const json_t *o, const char *key, char **out,
				   struct cu_error *err)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_text t;
	size_t i;
	json_t *x;

	*out = NULL;
	if (json_is_string(v)) {
		if ((*out = cu_strdup(json_string_value(v))) == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory reading '%s'", key);
		return CU_OK;
	}
	if (!json_is_array(v))
		return CU_OK;
	cu_text_init(&t, &b);
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			continue;
		if (b.len)
			cu_text_putc(&t, ',');
		cu_text_puts(&t, json_string_value(x));
	}
	if (cu_text_finish(&t, err) != CU_OK) {
		cu_buf_release(&b);
		return cu_error_prefix(err, "joining '%s'", key);
	}
	if (b.data != NULL)
		*out = cu_buf_detach(&b, NULL);
	return CU_OK;
}

static const json_t *manifest_item(const json_t *m, const char *item)
{
	const json_t *arrs[2], *x;
	size_t i;

	arrs[0] = json_object_get(json_object_get(m, "seizure"), "items");
	arrs[1] = json_object_get(m, "items");
	for (int k = 0; k < 2; k++) {
		if (!json_is_array(arrs[k]))
			continue;
		json_array_foreach(arrs[k], i, x)
		{
			const char *id = jstr(x, "item_id");

			if (id && strcmp(id, item) == 0)
				return x;
		}
	}
	return NULL;
}

static const char *platform_from_os(const char *os)
{
	if (!os)
		return NULL;
	if (strcasestr(os, "android"))
		return "android";
	if (strcasestr(os, "ios") || strcasestr(os, "iphone") || strcasestr(os, "ipados"))
		return "ios";
	return NULL;
}

/* iOS backup device paths start with a domain ("HomeDomain/",
 * "AppDomain-net.whatsapp.WhatsApp/"), iOS file-system paths with
 * /private/var/mobile/; Android ones are absolute under /data/, /sdcard/...
 * A directory import keeps paths as laid out ("/HomeDomain/..."), so the
 * leading "/" alone decides nothing. No majority: unknown (all parsers). */
static bool ios_path(const char *d)
{
	const char *slash;

	if (*d == '/')
		d++;
	if (strncmp(d, "private/var/mobile/", 19) == 0 || strncmp(d, "var/mobile/", 11) == 0)
		return true;
	slash = strchr(d, '/');
	if (!slash || slash - d < 7)
		return false;
	/* "HomeDomain", "AppDomain-<id>", "AppDomainGroup-<id>"... */
	if (d[0] < 'A' || d[0] > 'Z')
		return false;
	for (const char *p = d + 1; p + 6 <= slash; p++)
		if (strncmp(p, "Domain", 6) == 0)
			return true;
	return false;
}

static bool android_path(const char *d)
{
	static const char *const roots[] = {"/data/",   "/sdcard/", "/storage/", "/mnt/",
					    "/system/", "/apex/",   NULL};

	for (const char *const *r = roots; *r; r++)
		if (strncmp(d, *r, strlen(*r)) == 0)
			return true;
	return false;
}

static const char *platform_from_inventory(struct run *r)
{
	size_t ios = 0, android = 0;

	for (size_t i = 0; i < r->nfiles; i++) {
		const char *d = r->files[i].device_path;

		if (ios_path(d))
			ios++;
		else if (android_path(d))
			android++;
	}
	if (ios > android)
		return "ios";
	if (android > ios)
		return "android";
	return NULL;
}

/*
 * case.db items holds what the device said: the manifest's top-level
 * items[] entry that import (or acquisition) fills from the image, never
 * the seizure record (seizure.items[], what was typed at the scene), which
 * the report shows beside it. An item nothing was read for has null facts.
 */
/*
 * The device's IANA time zone: the acquisition's facts first (iOS
 * lockdownd TimeZone, Android getprop persist.sys.timezone, kept in the
 * manifest item's device_state), else the image's property files; empty
 * when neither says (items.timezone NULL).
 */
static void device_timezone(struct run *r, const json_t *mi, char *out, size_t cap)
{
	static const char *const files[] = {"/data/property/persistent_properties",
					    "/data/property/persist.sys.timezone",
					    "/system/build.prop",
					    "/vendor/build.prop",
					    "/default.prop",
					    NULL};
	const json_t *ds = json_object_get(mi, "device_state");
	const char *v = jstr(ds, "time_zone");
	struct cu_buf path = CU_BUF_INIT, data = CU_BUF_INIT;

	out[0] = '\0';
	if (!v)
		v = jstr(json_object_get(ds, "getprop"), "persist.sys.timezone");
	if (v && cu_parse_tz_plausible(v, strlen(v)) && strlen(v) < cap) {
		snprintf(out, cap, "%s", v);
		return;
	}
	for (const char *const *p = files; *p && !out[0]; p++) {
		const struct inv_file *f = inv_find_device(r, *p);
		struct cu_error e;

		if (!f || strcmp(f->type, "file") != 0)
			continue;
		cu_error_clear(&e);
		cu_buf_reset(&path);
		cu_buf_reset(&data);
		if (cu_case_path(r->c, f->evidence_path, &path, &e) != CU_OK ||
		    cu_file_read_all(path.data, (size_t)1 << 20, &data, &e) != CU_OK) {
			cu_warn("parse: reading the time zone from '%s': %s", *p, e.msg);
			continue;
		}
		(void)cu_parse_tz_from_property_file(*p, data.data, data.len, out, cap);
	}
	cu_buf_release(&path);
	cu_buf_release(&data);
}

static enum cu_status insert_item(struct cu_parse_ctx *ctx, const json_t *manifest,
				  const char *platform, const char *timezone, struct cu_error *err)
{
	const json_t *mi = cu_manifest_item_in(manifest, CU_MANIFEST_IMPORTED, ctx->item);
	const json_t *feat = json_object_get(mi, "features");
	const json_t *ids = json_object_get(mi, "identifiers");
	char *imei = NULL, *phones = NULL;
	struct cu_buf methods = CU_BUF_INIT;
	const json_t *acq = json_object_get(manifest, "acquisitions"), *x;
	sqlite3_stmt *st = NULL;
	enum cu_status rc;
	size_t i;

	if ((rc = jstr_or_join(ids, "imei", &imei, err)) != CU_OK ||
	    (rc = jstr_or_join(ids, "msisdn", &phones, err)) != CU_OK)
		goto out;
	if (json_is_array(acq)) {
		json_array_foreach(acq, i, x)
		{
			const char *id = jstr(x, "item_id"), *m = jstr(x, "method");

			if (!id || !m || strcmp(id, ctx->item) != 0)
				continue;
			if (methods.data && strstr(methods.data, m))
				continue;
			if ((methods.len && (rc = cu_buf_putc(&methods, ',', err)) != CU_OK) ||
			    (rc = cu_buf_puts(&methods, m, err)) != CU_OK)
				goto out;
		}
	}
	if (sqlite3_prepare_v2(ctx->db,
			       "INSERT INTO items(item_id, platform, make, model, os_version, imei,"
			       " serial, udid, phone_numbers, acquisition_method, timezone)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "case.db: %s", sqlite3_errmsg(ctx->db));
		goto out;
	}
#define BIND(i, s)                                                                                 \
	do {                                                                                       \
		const char *v_ = (s);                                                              \
		if (v_)                                                                            \
			sqlite3_bind_text(st, (i), v_, -1, SQLITE_TRANSIENT);                      \
	} while (0)
	BIND(1, ctx->item);
	BIND(2, platform);
	BIND(3, jstr(feat, "make") ? jstr(feat, "make") : jstr(mi, "make"));
	BIND(4, jstr(feat, "model") ? jstr(feat, "model") : jstr(mi, "model"));
	BIND(5, jstr(mi, "os_version"));
	BIND(6, imei);
	BIND(7, jstr(ids, "serial"));
	BIND(8, jstr(ids, "udid"));
	BIND(9, phones);
	BIND(10, methods.data);
	BIND(11, timezone && *timezone ? timezone : NULL);
#undef BIND
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cu_error_set(err, CU_E_IO, "case.db: inserting item '%s': %s", ctx->item,
				  sqlite3_errmsg(ctx->db));
out:
	sqlite3_finalize(st);
	free(imei);
	free(phones);
	cu_buf_release(&methods);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the run                                                             */
/* ------------------------------------------------------------------ */

static void run_release(struct run *r)
{
	release_staged(r);
	free(r->staged);
	inv_clear(r);
	free(r->files);
	free(r->work_item);
	free(r->parser_files);
	cu_buf_release(&r->failures);
	cu_buf_release(&r->derivations);
	cu_buf_release(&r->recovery);
	ne_clear(r);
	free(r->ne);
}

static void ctx_release(struct cu_parse_ctx *ctx)
{
	sink_release(ctx);
}

static void add_stats(struct cu_parse_stats *to, const struct cu_parse_ctx *ctx)
{
	to->files += ctx->stats.files;
	to->parsed += ctx->stats.parsed;
	to->warnings += ctx->stats.warnings;
	to->errors += ctx->stats.errors;
	to->messages += ctx->counts.messages;
	to->contacts += ctx->counts.contacts;
	to->calls += ctx->counts.calls;
	to->payments += ctx->counts.payments;
	to->conversations += ctx->counts.conversations;
	to->recovered += ctx->stats.recovered;
	to->recovered_unread += ctx->stats.recovered_unread;
	to->recovered_ambiguous += ctx->stats.recovered_ambiguous;
	to->damaged_files += ctx->stats.damaged_files;
	to->not_examined += ctx->stats.not_examined;
}

/*
 * `parse --item X` re-parses one item: every other item's rows are carried
 * over from the existing case.db unchanged (same ids, so references between
 * tables stay valid); X's rows are then written anew after them.
 */
static enum cu_status keep_other_items(sqlite3 *db, const char *old_path, const char *item,
				       struct cu_error *err)
{
	static const char *const tables[] = {
	    "items",    "sources",      "accounts",          "contacts", "conversations",
	    "messages", "calls",        "payments",          "hits",     "parse_warnings",
	    "links",    "not_examined", "recovered_records", NULL};
	struct cu_buf uri = CU_BUF_INIT, sql = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	enum cu_status rc;
	int64_t version = -1;

	rc = uri_for(old_path, &uri, err);
	if (!rc) /* ATTACH is refused inside a transaction */
		rc = cu_casedb_exec(db, "COMMIT", err);
	if (rc)
		goto out;
	/* uri_for() asks for immutable=1, which suits reading our own file */
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS old", -1, &st, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "case.db: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, uri.data, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cu_error_set(err, CU_E_IO, "opening the previous case.db: %s",
				  sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = cu_casedb_exec(db, "BEGIN", err);
	if (rc)
		goto detach;
	if (sqlite3_prepare_v2(db, "PRAGMA old.user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version != CU_CASEDB_SCHEMA_VERSION) {
		rc = cu_error_set(err, CU_E_UNSUPPORTED,
				  "the existing case.db has schema version %lld, not %d: run "
				  "`custos parse` without --item to rebuild it",
				  (long long)version, CU_CASEDB_SCHEMA_VERSION);
		goto detach;
	}
	for (const char *const *t = tables; *t; t++) {
		cu_buf_reset(&sql);
		rc = cu_buf_printf(
		    &sql, err, "INSERT INTO main.%s SELECT * FROM old.%s WHERE %s", *t, *t,
		    strcmp(*t, "links") == 0 ? "item_a IS NOT ?1 AND item_b IS NOT ?1"
					     : "item_id IS NOT ?1");
		if (rc)
			goto detach;
		if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK) {
			rc = cu_error_set(err, CU_E_UNSUPPORTED,
					  "carrying over table %s of the existing case.db: %s; run "
					  "`custos parse` without --item",
					  *t, sqlite3_errmsg(db));
			goto detach;
		}
		sqlite3_bind_text(st, 1, item, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = cu_error_set(err, CU_E_IO, "carrying over table %s: %s", *t,
					  sqlite3_errmsg(db));
			goto detach;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
detach:
	sqlite3_finalize(st);
	st = NULL;
	{
		/* DETACH is refused inside a transaction: commit the carried-over
		 * rows first and start the parse's own transaction again */
		struct cu_error e;

		cu_error_clear(&e);
		if (cu_casedb_exec(db, "COMMIT; DETACH DATABASE old; BEGIN", &e) != CU_OK && !rc)
			rc = cu_error_set(err, e.code, "%s", e.msg);
	}
out:
	sqlite3_finalize(st);
	cu_buf_release(&uri);
	cu_buf_release(&sql);
	return rc;
}

static enum cu_status fsync_path(const char *path, struct cu_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "opening '%s'", path);
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return cu_error_errno(err, CU_E_IO, e, "fsync '%s'", path);
	}
	close(fd);
	return CU_OK;
}

static enum cu_status parse_custody(struct cu_case *c, const struct cu_parse_opts *opts,
				    char **items, size_t nitems, const struct cu_parse_stats *st,
				    uint64_t accounts, const char *db_sha256, struct run *r,
				    struct cu_error *err)
{
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_json j;
	const struct cu_parser *p;
	enum cu_status rc;

	cu_json_init(&j, &subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "path", CU_CASE_DB);
	cu_json_key(&j, "items");
	cu_json_arr_begin(&j);
	for (size_t i = 0; i < nitems; i++)
		cu_json_str(&j, items[i]);
	cu_json_arr_end(&j);
	cu_json_obj_end(&j);
	rc = cu_json_finish(&j, err);
	if (rc)
		goto out;

	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item_filter", opts ? opts->item : NULL);
	if (opts != NULL && opts->n_imeis > 0) {
		/* only when given, so earlier PARSE bodies keep their shape */
		cu_json_key(&j, "imei_given");
		cu_json_arr_begin(&j);
		for (size_t i = 0; i < opts->n_imeis; i++)
			cu_json_str(&j, opts->imeis[i]);
		cu_json_arr_end(&j);
	}
	cu_json_key(&j, "files");
	cu_json_uint(&j, st->files);
	cu_json_key(&j, "parsed");
	cu_json_uint(&j, st->parsed);
	cu_json_key(&j, "warnings");
	cu_json_uint(&j, st->warnings);
	cu_json_key(&j, "errors");
	cu_json_uint(&j, st->errors);
	cu_json_key(&j, "counts");
	cu_json_obj_begin(&j);
	cu_json_key(&j, "accounts");
	cu_json_uint(&j, accounts);
	cu_json_key(&j, "contacts");
	cu_json_uint(&j, st->contacts);
	cu_json_key(&j, "conversations");
	cu_json_uint(&j, st->conversations);
	cu_json_key(&j, "messages");
	cu_json_uint(&j, st->messages);
	cu_json_key(&j, "calls");
	cu_json_uint(&j, st->calls);
	cu_json_key(&j, "payments");
	cu_json_uint(&j, st->payments);
	cu_json_obj_end(&j);
	cu_json_kv_str(&j, "case_db_sha256", db_sha256);
	cu_json_key(&j, "parsers");
	cu_json_arr_begin(&j);
	for (size_t i = 0; (p = cu_parser_at(i)) != NULL; i++) {
		if (i >= r->nparsers || r->parser_files[i] == 0)
			continue;
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "name", p->name);
		cu_json_kv_str(&j, "app", p->app);
		cu_json_key(&j, "files");
		cu_json_uint(&j, r->parser_files[i]);
		cu_json_obj_end(&j);
	}
	cu_json_arr_end(&j);
	cu_json_key(&j, "derivations");
	cu_json_arr_begin(&j);
	if (r->derivations.len)
		cu_json_raw(&j, r->derivations.data, r->derivations.len);
	cu_json_arr_end(&j);
	cu_json_key(&j, "failures");
	cu_json_arr_begin(&j);
	if (r->failures.len)
		cu_json_raw(&j, r->failures.data, r->failures.len);
	cu_json_arr_end(&j);
	/* recovery of deleted records (parsers/recovery): per file what the
	 * page reader found, what was stored and what no parser reads */
	cu_json_key(&j, "recovered");
	cu_json_obj_begin(&j);
	cu_json_key(&j, "stored");
	cu_json_uint(&j, st->recovered);
	cu_json_key(&j, "unread");
	cu_json_uint(&j, st->recovered_unread);
	cu_json_key(&j, "ambiguous");
	cu_json_uint(&j, st->recovered_ambiguous);
	cu_json_key(&j, "damaged_files");
	cu_json_uint(&j, st->damaged_files);
	cu_json_key(&j, "files");
	cu_json_arr_begin(&j);
	if (r->recovery.len)
		cu_json_raw(&j, r->recovery.data, r->recovery.len);
	cu_json_arr_end(&j);
	cu_json_obj_end(&j);
	/* files the parse did not read, by reason (case.db not_examined) */
	cu_json_key(&j, "not_examined");
	cu_json_obj_begin(&j);
	cu_json_key(&j, "count");
	cu_json_uint(&j, st->not_examined);
	for (int i = 0; i < 4; i++) {
		cu_json_key(&j, ne_reason_names[i]);
		cu_json_uint(&j, r->ne_reasons[i]);
	}
	cu_json_obj_end(&j);
	cu_json_kv_str(&j, "sqlite", sqlite3_libversion());
	cu_json_kv_str(&j, "tool", cu_version());
	cu_json_obj_end(&j);
	rc = cu_json_finish(&j, err);
	if (rc)
		goto out;
	rc = cu_custody_append(c->custody, "PARSE", cu_case_default_actor(), subj.data, det.data,
			       NULL, err);
out:
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return rc;
}

enum cu_status cu_parse_case_run(struct cu_case *c, const struct cu_parse_opts *opts,
				 struct cu_parse_stats *stats, struct cu_error *err)
{
	struct run r;
	struct cu_parse_ctx ctx;
	struct cu_parse_stats total;
	struct cu_buf tmp = CU_BUF_INIT, final = CU_BUF_INIT, workdir = CU_BUF_INIT;
	struct cu_buf esc = CU_BUF_INIT;
	char **items = NULL;
	size_t nitems = 0, nsel = 0;
	uint64_t accounts = 0;
	struct cu_digests d;
	enum cu_status rc;
	const char *only = opts ? opts->item : NULL;
	int lock_fd = -1;

	memset(&r, 0, sizeof(r));
	memset(&ctx, 0, sizeof(ctx));
	memset(&total, 0, sizeof(total));
	cu_buf_init(&r.failures, CU_BUF_DEFAULT_MAX);
	cu_buf_init(&r.derivations, CU_BUF_DEFAULT_MAX);
	cu_buf_init(&r.recovery, CU_BUF_DEFAULT_MAX);
	r.c = c;
	ctx.c = c;
	ctx.opts = opts;
	ctx.run = &r;
	while (cu_parser_at(r.nparsers))
		r.nparsers++;
	r.parser_files = cu_calloc(r.nparsers ? r.nparsers : 1, sizeof(*r.parser_files));
	if (!r.parser_files) {
		rc = cu_error_set(err, CU_E_NOMEM, "parse: out of memory");
		goto out;
	}

	rc = cu_case_items(c, &items, &nitems, err);
	if (rc)
		goto out;
	if (only) {
		for (size_t i = 0; i < nitems; i++)
			nsel += strcmp(items[i], only) == 0;
		if (!nsel) {
			rc = cu_error_set(err, CU_E_USAGE,
					  "item '%s' is not in the case; `custos case` lists the "
					  "items",
					  only);
			goto out;
		}
	}

	rc = cu_case_lock_work(c, &lock_fd, err);
	if (rc)
		goto out;
	rc = cu_case_path(c, CU_CASE_DB ".tmp", &tmp, err);
	if (!rc)
		rc = cu_case_path(c, CU_CASE_DB, &final, err);
	if (rc)
		goto out;
	(void)unlink(tmp.data);
	rc = cu_casedb_open_write(tmp.data, &ctx.db, err);
	if (!rc && only && cu_file_exists(final.data))
		rc = keep_other_items(ctx.db, final.data, only, err);
	if (rc)
		goto out;

	for (size_t i = 0; i < nitems; i++) {
		const json_t *mi;
		char tz[80];

		if (only && strcmp(items[i], only) != 0)
			continue;
		ctx.item = items[i];
		inv_clear(&r);
		rc = cu_inventory_each(c, items[i], inv_collect, &r, err);
		if (!rc)
			rc = inv_choose(&r, err);
		if (rc) {
			cu_error_prefix(err, "inventory of item '%s'", items[i]);
			goto out;
		}
		mi = cu_manifest_item_in(c->manifest, CU_MANIFEST_IMPORTED, items[i]);
		ctx.platform = platform_from_os(jstr(mi, "os"));
		if (!ctx.platform)
			ctx.platform =
			    platform_from_os(jstr(manifest_item(c->manifest, items[i]), "os"));
		if (!ctx.platform)
			ctx.platform = platform_from_inventory(&r);
		device_timezone(&r, mi, tz, sizeof(tz));
		rc = insert_item(&ctx, c->manifest, ctx.platform, tz, err);
		if (rc)
			goto out;
		cu_buf_reset(&esc);
		cu_buf_reset(&workdir);
		rc = cu_path_escape_component(items[i], strlen(items[i]), &esc, err);
		if (!rc)
			rc = cu_buf_printf(&workdir, err, "work/%s", esc.data);
		if (rc)
			goto out;
		free(r.work_item);
		r.work_item = NULL;
		{
			struct cu_buf wi = CU_BUF_INIT;

			rc = cu_case_path(c, workdir.data, &wi, err);
			if (rc) {
				cu_buf_release(&wi);
				goto out;
			}
			r.work_item = cu_buf_detach(&wi, NULL);
		}
		remove_tree(r.work_item); /* scratch of an earlier, interrupted run */
		r.seq = 0;
		for (size_t k = 0; k < r.nchosen; k++) {
			const struct inv_file *f = &r.files[r.chosen[k]];

			if (strcmp(f->type, "file") != 0)
				continue;
			parse_one(&ctx, (struct inv_file *)f);
		}
		coverage_pass(&ctx);
		rc = ne_flush(&ctx, err);
		if (rc)
			goto out;
	}

	add_stats(&total, &ctx);
	accounts = ctx.counts.accounts;
	rc = cu_casedb_create_indexes(ctx.db, err);
	if (!rc)
		rc = cu_casedb_exec(ctx.db, "COMMIT", err);
	if (rc)
		goto out;
	sink_release(&ctx);
	if (sqlite3_close(ctx.db) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "closing '%s': %s", tmp.data,
				  sqlite3_errmsg(ctx.db));
		ctx.db = NULL;
		goto out;
	}
	ctx.db = NULL;
	rc = fsync_path(tmp.data, err);
	if (!rc)
		rc = cu_hash_file(tmp.data, CU_HASH_SHA256, &d, err);
	if (rc)
		goto out;
	if (rename(tmp.data, final.data) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "renaming '%s' to '%s'", tmp.data,
				    final.data);
		goto out;
	}
	rc = cu_fsync_dir(c->dir, err);
	if (rc)
		goto out;
	rc = parse_custody(c, opts, items, nitems, &total, accounts, d.sha256, &r, err);
	if (rc)
		goto out;
	if (stats)
		*stats = total;
	if (total.errors)
		rc =
		    cu_error_set(err, CU_E_PARTIAL,
				 "%llu of %llu files could not be parsed; see the parse_warnings "
				 "table of case.db and the custody log",
				 (unsigned long long)total.errors, (unsigned long long)total.files);
out:
	ctx_release(&ctx);
	if (ctx.db) {
		sqlite3_close(ctx.db);
		(void)unlink(tmp.data);
	}
	run_release(&r);
	if (lock_fd >= 0)
		close(lock_fd); /* releases the flock */
	cu_strv_free(items, nitems);
	cu_buf_release(&tmp);
	cu_buf_release(&final);
	cu_buf_release(&workdir);
	cu_buf_release(&esc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* one file outside a case                                             */
/* ------------------------------------------------------------------ */

enum cu_status cu_parse_file(sqlite3 *casedb, const struct cu_parser *p, const char *path,
			     const struct cu_parse_file_opts *o, struct cu_parse_stats *stats,
			     struct cu_error *err)
{
	static const struct cu_parse_file_opts defaults = {NULL, NULL, NULL, NULL, false};
	struct run r;
	struct cu_parse_ctx ctx;
	struct stage_req q;
	struct cu_buf sib[NSIBLINGS] = {CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT};
	struct staged *s = NULL, direct;
	struct cu_artifact *a;
	enum cu_status rc = CU_OK;

	if (!o)
		o = &defaults;
	memset(&r, 0, sizeof(r));
	memset(&ctx, 0, sizeof(ctx));
	memset(&direct, 0, sizeof(direct));
	cu_buf_init(&r.failures, CU_BUF_DEFAULT_MAX);
	cu_buf_init(&r.derivations, CU_BUF_DEFAULT_MAX);
	cu_buf_init(&r.recovery, CU_BUF_DEFAULT_MAX);
	r.file_work_dir = o->work_dir;
	r.file_path = path;
	ctx.db = casedb;
	ctx.run = &r;
	ctx.item = o->item ? o->item : "item";
	ctx.platform = o->platform;

	memset(&q, 0, sizeof(q));
	q.device_path = o->device_path ? o->device_path : path;
	q.evidence_path = path;
	q.src = path;
	q.size = UINT64_MAX;
	if (o->work_dir) {
		for (int i = 0; i < NSIBLINGS; i++) {
			rc = cu_buf_printf(&sib[i], err, "%s%s", path, sibling_suffix[i]);
			if (rc)
				goto out;
			if (cu_file_exists(sib[i].data)) {
				q.sib_src[i] = sib[i].data;
				q.sib_size[i] = UINT64_MAX;
				q.sib_evidence[i] = sib[i].data;
			}
		}
		rc = stage(&ctx, &q, &s, err);
		if (rc)
			goto out;
		a = &s->a;
	} else {
		direct.a.item = ctx.item;
		direct.a.platform = ctx.platform;
		direct.a.device_path = q.device_path;
		direct.a.evidence_path = path;
		direct.a.work_path = path;
		a = &direct.a;
	}
	if (o->probe && p->probe) {
		ctx.parser = p;
		int conf = p->probe(&ctx, a);

		if (conf <= 0) {
			rc = cu_error_set(err, CU_E_UNSUPPORTED,
					  "'%s': parser '%s' does not "
					  "recognise this file",
					  path, p->name);
			goto out;
		}
	}
	ctx.parser = p;
	rc = sink_source(&ctx, ctx.item, a->device_path, a->evidence_path, a->size, NULL, NULL, 0,
			 NULL, p->name, &a->source_id, err);
	if (!rc && s && s->checkpointed) {
		int64_t id = a->source_id;

		rc = sink_source(&ctx, ctx.item, a->device_path, s->work_path, 0, NULL, NULL, id,
				 "wal-checkpointed working copy", p->name, &a->source_id, err);
	}
	if (rc)
		goto out;
	rc = p->parse(&ctx, a, err);
	if (rc == CU_OK)
		ctx.stats.parsed++;
	ctx.stats.files++;
	for (size_t i = 0; i < r.nstaged; i++)
		rec_finish(&ctx, r.staged[i], true);
	/* what the parser said it could not read (not_examined) */
	if (rc == CU_OK)
		rc = ne_flush(&ctx, err);
out:
	ne_clear(&r);
	free(r.ne);
	if (stats)
		add_stats(stats, &ctx);
	ctx_release(&ctx);
	for (size_t i = 0; i < r.nstaged; i++)
		staged_free(r.staged[i]);
	free(r.staged);
	cu_buf_release(&r.failures);
	cu_buf_release(&r.derivations);
	cu_buf_release(&r.recovery);
	for (int i = 0; i < NSIBLINGS; i++)
		cu_buf_release(&sib[i]);
	return rc;
}
