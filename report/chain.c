/*
 * chain.c - what the case's own custody log says about case.db, report/,
 * the acquisitions and earlier seals, and whether the case directory still
 * matches it. Shared by seal (which refuses what does not match) and
 * `custos verify CASE` (which reports it). docs/custody.md describes the
 * rules; the report tree's root is computed here for the REPORT entry too.
 */
#include "report/seal_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Events that add or change evidence: case.db and the report made before
 * them no longer cover the case. */
static bool changes_evidence(const char *ev)
{
	return strcmp(ev, "IMPORT") == 0 || strcmp(ev, "ACQUIRE_END") == 0 ||
	       strcmp(ev, "DERIVE") == 0;
}

static void copy_hex(char dst[65], const json_t *v)
{
	const char *s = json_string_value(v);
	dst[0] = '\0';
	if (s != NULL && strlen(s) == 64)
		memcpy(dst, s, 65);
}

static enum cu_status chain_entry(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct cu_chain_state *cs = ctx;
	json_t *body = json_object_get(e->json, "body");
	const char *ev = json_string_value(json_object_get(body, "event"));
	json_t *det = json_object_get(body, "details");
	json_t *sub = json_object_get(body, "subject");

	cs->entries = e->seq + 1;
	if (ev == NULL)
		return CU_OK;
	if (changes_evidence(ev)) {
		cs->changed = true;
		cs->change_seq = e->seq;
		snprintf(cs->change_event, sizeof(cs->change_event), "%s", ev);
	} else if (strcmp(ev, "PARSE") == 0 ||
		   (strcmp(ev, "ANALYZE") == 0 && json_object_get(det, "case_db_sha256"))) {
		/* ANALYZE refills hits and links: case.db is then the one it names */
		cs->parsed = true;
		cs->parse_seq = e->seq;
		copy_hex(cs->parse_db_sha256, json_object_get(det, "case_db_sha256"));
	} else if (strcmp(ev, "REPORT") == 0) {
		cs->reported = true;
		cs->report_seq = e->seq;
		copy_hex(cs->report_root,
			 json_object_get(json_object_get(det, "report_root"), "root"));
	} else if (strcmp(ev, "ERROR") == 0) {
		/* seal.c records a seal that failed after its SEAL entry. */
		const char *f = json_string_value(json_object_get(det, "failed_event"));
		if (f != NULL && strcmp(f, "SEAL") == 0)
			cs->sealed = false;
	} else if (strcmp(ev, "SEAL") == 0) {
		const char *pkg = json_string_value(json_object_get(sub, "package"));
		char *dup = cu_strdup(pkg ? pkg : "(unnamed)");
		if (dup == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		free(cs->seal_package);
		cs->seal_package = dup;
		cs->sealed = true;
		cs->seal_seq = e->seq;
	}
	return CU_OK;
}

enum cu_status cu_chain_read(struct cu_case *c, struct cu_chain_state *out, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT, log = CU_BUF_INIT;
	struct cu_custody_check chk;
	struct cu_chain_state cs;
	enum cu_status st;

	memset(&cs, 0, sizeof(cs));
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &path, err)) != CU_OK)
		goto out;
	if ((st = cu_file_read_all(path.data, CU_PKG_CUSTODY_MAX, &log, err)) != CU_OK)
		goto out;
	st = cu_custody_each_buf(log.data ? log.data : "", log.len, path.data, NULL, chain_entry,
				 &cs, &chk, err);
out:
	if (st == CU_OK)
		*out = cs;
	else
		free(cs.seal_package);
	cu_buf_release(&path);
	cu_buf_release(&log);
	return st;
}

void cu_chain_release(struct cu_chain_state *cs)
{
	if (cs == NULL)
		return;
	free(cs->seal_package);
	cs->seal_package = NULL;
}

/* ------------------------------------------------------------------ */
/* the report tree's root                                              */
/* ------------------------------------------------------------------ */

struct rtree {
	struct cu_content_file *f;
	char **paths;
	char (*sha)[65];
	size_t n, cap;
};

#define RTREE_MAX_FILES 1000000u
#define RTREE_MAX_DEPTH 32

static enum cu_status rtree_add(struct rtree *t, const char *abs, const char *rel,
				struct cu_error *err)
{
	struct cu_digests d;
	struct stat sb;
	enum cu_status st;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		if (cap > RTREE_MAX_FILES)
			return cu_error_set(err, CU_E_LIMIT, "more than %u files under report/",
					    RTREE_MAX_FILES);
		void *a = cu_reallocarray(t->f, cap, sizeof(*t->f));
		if (a == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		t->f = a;
		void *b = cu_reallocarray(t->paths, cap, sizeof(*t->paths));
		if (b == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		t->paths = b;
		void *s = cu_reallocarray(t->sha, cap, sizeof(*t->sha));
		if (s == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		t->sha = s;
		t->cap = cap;
	}
	if (lstat(abs, &sb) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", abs);
	memset(&d, 0, sizeof(d));
	if ((st = cu_hash_file(abs, CU_HASH_SHA256, &d, err)) != CU_OK)
		return st;
	if ((t->paths[t->n] = cu_strdup(rel)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	memcpy(t->sha[t->n], d.sha256, 65);
	t->f[t->n].path = t->paths[t->n];
	t->f[t->n].size = (uint64_t)sb.st_size;
	t->n++;
	return CU_OK;
}

static enum cu_status rtree_walk(struct rtree *t, const char *abs, const char *rel, int depth,
				 struct cu_error *err)
{
	struct cu_buf a = CU_BUF_INIT, r = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (depth > RTREE_MAX_DEPTH)
		return cu_error_set(err, CU_E_LIMIT, "'%s' is nested too deep", abs);
	if ((d = opendir(abs)) == NULL)
		return cu_error_errno(err, CU_E_IO, errno, "cannot read folder '%s'", abs);
	while (st == CU_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cu_buf_reset(&a);
		cu_buf_reset(&r);
		if ((st = cu_buf_printf(&a, err, "%s/%s", abs, de->d_name)) != CU_OK ||
		    (st = cu_buf_printf(&r, err, "%s/%s", rel, de->d_name)) != CU_OK)
			break;
		if (lstat(a.data, &sb) != 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", a.data);
			break;
		}
		if (S_ISDIR(sb.st_mode))
			st = rtree_walk(t, a.data, r.data, depth + 1, err);
		else if (S_ISREG(sb.st_mode))
			st = rtree_add(t, a.data, r.data, err);
		else
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "'%s' is not a regular file or folder", a.data);
	}
	closedir(d);
	cu_buf_release(&a);
	cu_buf_release(&r);
	return st;
}

enum cu_status cu_chain_report_root(const char *case_dir, char root_hex[65], uint64_t *files,
				    struct cu_error *err)
{
	struct cu_buf dir = CU_BUF_INIT;
	struct rtree t;
	unsigned char root[32];
	struct stat sb;
	enum cu_status st;

	memset(&t, 0, sizeof(t));
	if ((st = cu_path_join(case_dir, "report", &dir, err)) != CU_OK)
		goto out;
	if (lstat(dir.data, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (st = rtree_walk(&t, dir.data, "report", 0, err)) != CU_OK)
		goto out;
	/* sha256 pointers only now: the arrays may have moved while growing. */
	for (size_t i = 0; i < t.n; i++)
		t.f[i].sha256 = t.sha[i];
	if ((st = cu_merkle_content_root(t.f, t.n, root, err)) != CU_OK)
		goto out;
	cu_hex(root, 32, root_hex);
	if (files != NULL)
		*files = t.n;
out:
	for (size_t i = 0; i < t.n; i++)
		free(t.paths[i]);
	free(t.paths);
	free(t.f);
	free(t.sha);
	cu_buf_release(&dir);
	return st;
}

/* ------------------------------------------------------------------ */
/* the checks                                                          */
/* ------------------------------------------------------------------ */

enum cu_status cu_chain_check_db(struct cu_case *c, const struct cu_chain_state *cs,
				 struct cu_buf *ok_detail, struct cu_error *err)
{
	struct cu_buf db = CU_BUF_INIT;
	struct cu_digests d;
	struct stat sb;
	enum cu_status st;

	if ((st = cu_case_path(c, CU_CASE_DB, &db, err)) != CU_OK)
		goto out;
	if (lstat(db.data, &sb) != 0) {
		if (cs->parsed)
			st = cu_error_set(err, CU_E_INTEGRITY,
					  "case.db of case '%s' is missing although PARSE "
					  "(custody seq %llu) made it: run custos parse again",
					  c->dir, (unsigned long long)cs->parse_seq);
		else
			st = cu_buf_puts(ok_detail, "no case.db yet (nothing parsed)", err);
		goto out;
	}
	if (!cs->parsed) {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "'%s' is not recorded by any PARSE custody entry: run custos "
				  "parse to make it and record it",
				  db.data);
		goto out;
	}
	memset(&d, 0, sizeof(d));
	if ((st = cu_hash_file(db.data, CU_HASH_SHA256, &d, err)) != CU_OK)
		goto out;
	if (strcmp(d.sha256, cs->parse_db_sha256) != 0) {
		st = cu_error_set(
		    err, CU_E_INTEGRITY,
		    "'%s' (sha256 %s) is not the case.db that PARSE or ANALYZE (custody seq "
		    "%llu) recorded (%s): it was changed after parsing; run custos "
		    "parse again",
		    db.data, d.sha256, (unsigned long long)cs->parse_seq,
		    cs->parse_db_sha256[0] ? cs->parse_db_sha256 : "none");
		goto out;
	}
	if (cs->changed && cs->change_seq > cs->parse_seq) {
		st = cu_error_set(err, CU_E_USAGE,
				  "'%s' is stale: %s (custody seq %llu) came after the last PARSE "
				  "(seq %llu); run custos parse, then custos report",
				  db.data, cs->change_event, (unsigned long long)cs->change_seq,
				  (unsigned long long)cs->parse_seq);
		goto out;
	}
	st = cu_buf_printf(ok_detail, err,
			   "case.db sha256 %s matches PARSE or ANALYZE (custody seq %llu)",
			   d.sha256, (unsigned long long)cs->parse_seq);
out:
	cu_buf_release(&db);
	return st;
}

enum cu_status cu_chain_check_report(struct cu_case *c, const struct cu_chain_state *cs,
				     struct cu_buf *ok_detail, struct cu_error *err)
{
	char root[65];
	uint64_t n = 0;
	enum cu_status st;

	if ((st = cu_chain_report_root(c->dir, root, &n, err)) != CU_OK)
		return cu_error_prefix(err, "report/ of case '%s'", c->dir);
	if (n == 0) {
		if (cs->reported)
			return cu_error_set(err, CU_E_INTEGRITY,
					    "report/ of case '%s' is empty or missing although "
					    "REPORT (custody seq %llu) wrote it: run custos report",
					    c->dir, (unsigned long long)cs->report_seq);
		return cu_buf_puts(ok_detail, "no report yet", err);
	}
	if (!cs->reported)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "report/ of case '%s' is not recorded by any REPORT custody "
				    "entry: run custos report to make it and record it",
				    c->dir);
	if (strcmp(root, cs->report_root) != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "report/ of case '%s' (root %s over %llu files) is not the "
				    "report that REPORT (custody seq %llu) recorded (%s): it was "
				    "changed after it was written; run custos report again",
				    c->dir, root, (unsigned long long)n,
				    (unsigned long long)cs->report_seq,
				    cs->report_root[0] ? cs->report_root : "no report_root");
	if (cs->parsed && cs->parse_seq > cs->report_seq)
		return cu_error_set(
		    err, CU_E_USAGE,
		    "report/ of case '%s' is stale: PARSE or ANALYZE (custody seq %llu) came "
		    "after the last REPORT (seq %llu); run custos report",
		    c->dir, (unsigned long long)cs->parse_seq, (unsigned long long)cs->report_seq);
	if (cs->changed && cs->change_seq > cs->report_seq)
		return cu_error_set(err, CU_E_USAGE,
				    "report/ of case '%s' is stale: %s (custody seq %llu) came "
				    "after the last REPORT (seq %llu); run custos parse, then "
				    "custos report",
				    c->dir, cs->change_event, (unsigned long long)cs->change_seq,
				    (unsigned long long)cs->report_seq);
	return cu_buf_printf(ok_detail, err,
			     "report/ root %s over %llu files matches REPORT (custody seq %llu)",
			     root, (unsigned long long)n, (unsigned long long)cs->report_seq);
}

/* ------------------------------------------------------------------ */
/* acquisitions                                                        */
/* ------------------------------------------------------------------ */

bool cu_chain_acquisition_finished(const char *status)
{
	/* "partial": finished, with the failures it lists (MANIFEST.md). */
	return status != NULL &&
	       (strcmp(status, "complete") == 0 || strcmp(status, "partial") == 0);
}

json_t *cu_chain_unfinished(const json_t *manifest)
{
	json_t *out = json_array(), *a;
	size_t i;

	if (out == NULL)
		return NULL;
	json_array_foreach(json_object_get(manifest, "acquisitions"), i, a)
	{
		json_t *st = json_object_get(a, "status");
		if (cu_chain_acquisition_finished(json_string_value(st)))
			continue;
		json_t *o = json_object();
		if (o == NULL || json_array_append_new(out, o) != 0) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(o, "acquisition", json_integer((json_int_t)i + 1));
		json_object_set(o, "item_id", json_object_get(a, "item_id"));
		json_object_set(o, "method", json_object_get(a, "method"));
		json_object_set_new(o, "status",
				    json_is_string(st) ? json_incref(st) : json_string("(none)"));
		json_object_set(o, "start", json_object_get(a, "start"));
	}
	return out;
}

void cu_chain_unfinished_text(const json_t *unfinished, struct cu_buf *out)
{
	json_t *u;
	size_t i;

	json_array_foreach(unfinished, i, u)
	{
		const char *item = json_string_value(json_object_get(u, "item_id"));
		const char *method = json_string_value(json_object_get(u, "method"));
		if (cu_buf_printf(out, NULL, "%sacquisition %lld (item %s, %s) is '%s'",
				  i ? "; " : "",
				  (long long)json_integer_value(json_object_get(u, "acquisition")),
				  item ? item : "?", method ? method : "?",
				  json_string_value(json_object_get(u, "status"))) != CU_OK)
			return;
	}
}
