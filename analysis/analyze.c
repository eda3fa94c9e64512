/*
 * analyze.c - the analysis of a case: every text of every item in case.db
 * (message bodies, recovered ones included; contacts' identifier, name,
 * alias, remark and phone; calls' counterpart; payments' counterparty,
 * name and memo; the values of recovered_records) goes through the
 * scanner (code words of the lexicon, validated identifiers), and each hit
 * becomes a row of `hits`; then `links` are filled from identifiers found
 * on several items (links.c). Both tables are emptied and refilled in one
 * transaction, so running it again gives the same rows; the rows are
 * written in a fixed order (table, row id, column, offset, kind), so the
 * same case.db gives the same hit_id for the same hit. The ANALYZE custody
 * entry names the lexicon files with their SHA-256, the counts per kind
 * and case.db's SHA-256 afterwards (docs/analysis.md, docs/custody.md).
 */
#include "analysis/case_int.h"
#include "casedb/casedb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Nesting of a recovered record's values_json we look into. */
#define VALUES_MAX 4096

struct scan {
	sqlite3 *db;
	sqlite3_stmt *ins;
	bool has_field;
	const char *item;
	const char *artifact;
	const char *field;
	int64_t artifact_id;
	struct cu_analysis_stats *st;
};

static enum cu_status db_fail(sqlite3 *db, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "case.db: %s: %s", what, sqlite3_errmsg(db));
}

bool cu_analysis_table_exists(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND "
			       "name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

bool cu_analysis_column_exists(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	bool found = false;
	char *sql = sqlite3_mprintf("PRAGMA main.table_info(\"%w\")", table);

	if (sql == NULL)
		return false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (!found && sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 1);
			found = name != NULL && strcmp(name, column) == 0;
		}
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return found;
}

static enum cu_status on_hit(void *vctx, const struct cu_hit *h, struct cu_error *err)
{
	struct scan *s = vctx;
	sqlite3_stmt *ins = s->ins;

	if ((unsigned)h->kind >= 6)
		return cu_error_set(err, CU_E_INTERNAL, "scanner returned hit kind %d",
				    (int)h->kind);
	sqlite3_bind_text(ins, 1, s->item, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, cu_hit_kind_name(h->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, h->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, h->normalized, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, h->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, s->artifact, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 7, s->artifact_id);
	sqlite3_bind_int64(ins, 8, (int64_t)h->offset);
	if (s->has_field)
		sqlite3_bind_text(ins, 9, s->field, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		enum cu_status rc = db_fail(s->db, "inserting a hit", err);
		sqlite3_reset(ins);
		return rc;
	}
	sqlite3_reset(ins);
	s->st->hits[h->kind]++;
	return CU_OK;
}

static enum cu_status scan_text(struct scan *s, struct cu_scanner *sc, const char *text, size_t len,
				struct cu_error *err)
{
	enum cu_status rc;

	if (text == NULL || len == 0)
		return CU_OK;
	s->st->texts++;
	s->st->bytes += len;
	rc = cu_scanner_scan(sc, text, len, on_hit, s, err);
	if (rc)
		return cu_error_prefix(err, "%s #%lld %s", s->artifact, (long long)s->artifact_id,
				       s->field);
	return CU_OK;
}

/* One artifact table: column 0 is the row id, column 1 the item, the
 * others the texts (named by fields). */
struct text_table {
	const char *table;
	const char *sql;
	const char *fields[5];
};

static const struct text_table text_tables[] = {
    {"messages", "SELECT message_id, item_id, body FROM messages ORDER BY message_id", {"body"}},
    {"contacts",
     "SELECT contact_id, item_id, identifier, display_name, alias, remark, phone FROM contacts "
     "ORDER BY contact_id",
     {"identifier", "display_name", "alias", "remark", "phone"}},
    {"calls", "SELECT call_id, item_id, counterpart FROM calls ORDER BY call_id", {"counterpart"}},
    {"payments",
     "SELECT payment_id, item_id, counterparty, counterparty_name, memo FROM payments ORDER BY "
     "payment_id",
     {"counterparty", "counterparty_name", "memo"}},
};

static enum cu_status scan_table(struct scan *s, struct cu_scanner *sc, const struct text_table *t,
				 struct cu_error *err)
{
	sqlite3_stmt *q = NULL;
	enum cu_status rc = CU_OK;
	int step;

	if (sqlite3_prepare_v2(s->db, t->sql, -1, &q, NULL) != SQLITE_OK)
		return db_fail(s->db, t->table, err);
	s->artifact = t->table;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		s->artifact_id = sqlite3_column_int64(q, 0);
		s->item = (const char *)sqlite3_column_text(q, 1);
		for (int i = 0; i < 5 && t->fields[i] != NULL; i++) {
			const char *text = (const char *)sqlite3_column_text(q, 2 + i);
			size_t len = (size_t)sqlite3_column_bytes(q, 2 + i);

			s->field = t->fields[i];
			if ((rc = scan_text(s, sc, text, len, err)) != CU_OK)
				goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = db_fail(s->db, t->table, err);
out:
	sqlite3_finalize(q);
	return rc;
}

/* recovered_records (schema 3): values_json is a JSON array of the record's
 * values; every string value is one text, its field "values_json[i]". */
static enum cu_status scan_recovered(struct scan *s, struct cu_scanner *sc, struct cu_error *err)
{
	sqlite3_stmt *q = NULL;
	enum cu_status rc = CU_OK;
	int step;

	if (!cu_analysis_table_exists(s->db, "recovered_records"))
		return CU_OK;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT rr_id, item_id, values_json FROM recovered_records ORDER BY "
			       "rr_id",
			       -1, &q, NULL) != SQLITE_OK)
		return db_fail(s->db, "recovered_records", err);
	s->artifact = "recovered_records";
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *js = (const char *)sqlite3_column_text(q, 2);
		size_t jl = (size_t)sqlite3_column_bytes(q, 2);
		json_error_t je;
		json_t *arr, *v;
		size_t i;
		char field[32];

		if (js == NULL)
			continue;
		s->artifact_id = sqlite3_column_int64(q, 0);
		s->item = (const char *)sqlite3_column_text(q, 1);
		arr = json_loadb(js, jl, JSON_ALLOW_NUL, &je);
		if (!json_is_array(arr)) {
			/* Not what recovery writes: scanned as one text, so a
			 * value is never missed. */
			json_decref(arr);
			s->field = "values_json";
			if ((rc = scan_text(s, sc, js, jl, err)) != CU_OK)
				goto out;
			continue;
		}
		json_array_foreach(arr, i, v)
		{
			if (i >= VALUES_MAX)
				break;
			if (!json_is_string(v))
				continue;
			snprintf(field, sizeof(field), "values_json[%zu]", i);
			s->field = field;
			rc = scan_text(s, sc, json_string_value(v), json_string_length(v), err);
			if (rc)
				break;
		}
		json_decref(arr);
		if (rc)
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = db_fail(s->db, "recovered_records", err);
out:
	sqlite3_finalize(q);
	return rc;
}

/* Opens CASE/case.db for writing, checking its schema version. */
static enum cu_status open_rw(const char *path, sqlite3 **out, struct cu_error *err)
{
	sqlite3 *db = NULL;
	enum cu_status rc;

	if ((rc = cu_casedb_open_update(path, &db, err)) != CU_OK)
		return rc;
	rc = cu_casedb_exec(db, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;", err);
	if (rc) {
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return CU_OK;
}

static enum cu_status load_lexicon(const struct cu_analysis_opts *opts, struct cu_lexicon **out,
				   struct cu_error *err)
{
	struct cu_lexicon *lx = NULL;
	enum cu_status rc;

	rc = cu_lexicon_load(opts ? opts->lexicon_dir : NULL, &lx, err);
	if (rc)
		return cu_error_prefix(err, "loading the lexicon");
	for (size_t i = 0; opts != NULL && i < opts->nlexicon_files; i++) {
		rc = cu_lexicon_add_file(lx, opts->lexicon_files[i], err);
		if (rc) {
			cu_lexicon_free(lx);
			return cu_error_prefix(err, "--lexicon '%s'", opts->lexicon_files[i]);
		}
	}
	*out = lx;
	return CU_OK;
}

static enum cu_status custody(struct cu_case *c, const struct cu_lexicon *lx,
			      const struct cu_analysis_stats *st, const char *db_sha256,
			      struct cu_error *err)
{
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status rc;

	cu_json_init(&j, &subj);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "path", CU_CASE_DB);
	cu_json_obj_end(&j);
	if ((rc = cu_json_finish(&j, err)) != CU_OK)
		goto out;

	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "lexicon");
	cu_json_obj_begin(&j);
	cu_json_key(&j, "terms");
	cu_json_uint(&j, cu_lexicon_terms(lx));
	cu_json_key(&j, "files");
	cu_json_arr_begin(&j);
	for (size_t i = 0; i < cu_lexicon_file_count(lx); i++) {
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "path", cu_lexicon_file_path(lx, i));
		cu_json_kv_str(&j, "sha256", cu_lexicon_file_sha256(lx, i));
		cu_json_obj_end(&j);
	}
	cu_json_arr_end(&j);
	cu_json_obj_end(&j);
	cu_json_key(&j, "texts");
	cu_json_uint(&j, st->texts);
	cu_json_key(&j, "bytes");
	cu_json_uint(&j, st->bytes);
	cu_json_key(&j, "hits");
	cu_json_obj_begin(&j);
	for (int k = 0; k < 6; k++) {
		cu_json_key(&j, cu_hit_kind_name((enum cu_hit_kind)k));
		cu_json_uint(&j, st->hits[k]);
	}
	cu_json_obj_end(&j);
	cu_json_key(&j, "links");
	cu_json_uint(&j, st->links);
	cu_json_kv_str(&j, "case_db_sha256", db_sha256);
	cu_json_kv_str(&j, "sqlite", sqlite3_libversion());
	cu_json_kv_str(&j, "tool", cu_version());
	cu_json_obj_end(&j);
	if ((rc = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	rc = cu_custody_append(c->custody, "ANALYZE", cu_case_default_actor(), subj.data, det.data,
			       NULL, err);
out:
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return rc;
}

enum cu_status cu_analysis_run(struct cu_case *c, const struct cu_analysis_opts *opts,
			       struct cu_analysis_stats *st, struct cu_error *err)
{
	struct cu_lexicon *lx = NULL;
	struct cu_scanner *sc = NULL;
	struct cu_analysis_stats stats;
	struct cu_buf path = CU_BUF_INIT;
	struct cu_digests d;
	struct scan s;
	sqlite3 *db = NULL;
	bool in_txn = false;
	int lock_fd = -1;
	enum cu_status rc;

	memset(&stats, 0, sizeof(stats));
	memset(&s, 0, sizeof(s));
	if ((rc = cu_case_path(c, CU_CASE_DB, &path, err)) != CU_OK ||
	    (rc = cu_case_lock_work(c, &lock_fd, err)) != CU_OK)
		goto out;
	if ((rc = load_lexicon(opts, &lx, err)) != CU_OK)
		goto out;
	if ((rc = cu_scanner_new(lx, &sc, err)) != CU_OK) {
		cu_error_prefix(err, "building the scanner");
		goto out;
	}
	if ((rc = open_rw(path.data, &db, err)) != CU_OK)
		goto out;
	if ((rc = cu_casedb_exec(db, "BEGIN IMMEDIATE", err)) != CU_OK)
		goto out;
	in_txn = true;
	if ((rc = cu_casedb_exec(db, "DELETE FROM hits; DELETE FROM links;", err)) != CU_OK)
		goto out;
	s.db = db;
	s.st = &stats;
	s.has_field = cu_analysis_column_exists(db, "hits", "field");
	if (sqlite3_prepare_v2(
		db,
		s.has_field ? "INSERT INTO hits(item_id, kind, value, normalized, rule, "
			      "artifact, artifact_id, offset, field) VALUES (?1, ?2, ?3, ?4, "
			      "?5, ?6, ?7, ?8, ?9)"
			    : "INSERT INTO hits(item_id, kind, value, normalized, rule, "
			      "artifact, artifact_id, offset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
			      "?7, ?8)",
		-1, &s.ins, NULL) != SQLITE_OK) {
		rc = db_fail(db, "preparing the hit insert", err);
		goto out;
	}
	for (size_t i = 0; i < sizeof(text_tables) / sizeof(text_tables[0]); i++)
		if ((rc = scan_table(&s, sc, &text_tables[i], err)) != CU_OK)
			goto out;
	if ((rc = scan_recovered(&s, sc, err)) != CU_OK)
		goto out;
	sqlite3_finalize(s.ins);
	s.ins = NULL;
	if ((rc = cu_analysis_links_fill(db, &stats.links, err)) != CU_OK)
		goto out;
	if ((rc = cu_casedb_exec(db, "COMMIT", err)) != CU_OK)
		goto out;
	in_txn = false;
	if (sqlite3_close(db) != SQLITE_OK) {
		rc = db_fail(db, "closing", err);
		db = NULL;
		goto out;
	}
	db = NULL;
	if ((rc = cu_hash_file(path.data, CU_HASH_SHA256, &d, err)) != CU_OK)
		goto out;
	if ((rc = custody(c, lx, &stats, d.sha256, err)) != CU_OK)
		goto out;
	if (st != NULL)
		*st = stats;
out:
	sqlite3_finalize(s.ins);
	if (in_txn) {
		struct cu_error e2;
		if (cu_casedb_exec(db, "ROLLBACK", &e2) != CU_OK)
			cu_warn("analyze: %s", e2.msg);
	}
	sqlite3_close(db);
	cu_scanner_free(sc);
	cu_lexicon_free(lx);
	cu_buf_release(&path);
	if (lock_fd >= 0)
		close(lock_fd); /* releases the flock */
	if (rc)
		cu_error_prefix(err, "analyze");
	return rc;
}
