/*
 * import.c - `custos import`: the driver.
 *
 * Detects the image format from the table of formats (extract/formats/:
 * every detector answers yes or no, two yeses means we refuse to guess,
 * as The Sleuth Kit's fs_open does), opens the source (a directory, or a
 * regular file read once as a stream) and hands it to the format's decoder.
 * Every decoder writes through the evidence writer (extract/ingest.c):
 * source bytes are read once, hashed (SHA-256 + MD5 [+ SM3]) and written to
 * CASE/evidence/<item>/<escaped device path>, which ends 0444 with the
 * source's mtime; inventory lines are group-committed once their data is
 * durable, so a killed import leaves a resumable case: --resume re-hashes
 * the evidence copies already listed (never the source) and removes the
 * one partial file. The driver chooses the item, keeps the manifest's
 * acquisitions[] entry, and ends the run with one IMPORT custody entry
 * (and one DERIVE entry when files were decrypted).
 *
 * Environment:
 *   CUSTOS_IMPORT_MAX_RATIO=N      decompressed:compressed bytes allowed
 *                                  before an archive counts as a bomb (1000)
 *   (the writer's own: CUSTOS_IMPORT_BATCH_FILES, see ingest.c)
 */
#include "extract/import/import_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* ------------------------------------------------------------------ */
/* Passwords                                                           */
/* ------------------------------------------------------------------ */

/* The callbacks get &x->run and find x around it. */
_Static_assert(offsetof(struct cu_import_ctx, run) == 0, "run must come first");

/* The run's password callback: --password, --password-file, then the
 * prompt (struct cu_import_ctx starts with its struct cu_format_run). */
static enum cu_status get_password(struct cu_format_run *r, struct cu_buf *out,
				   struct cu_error *err)
{
	struct cu_import_ctx *x = (struct cu_import_ctx *)r;
	const struct cu_import_opts *o = x->opts;
	enum cu_status st;

	cu_buf_reset(out);
	if (o->password != NULL)
		return cu_buf_puts(out, o->password, err);
	if (o->password_file != NULL) {
		if ((st = cu_file_read_first_line(o->password_file, 4096, out, err)) != CU_OK)
			return cu_error_prefix(err, "password file");
		return CU_OK;
	}
	if (o->password_cb != NULL)
		return o->password_cb(o->password_ctx, out, err);
	return cu_error_set(err, CU_E_KEY,
			    "'%s' is encrypted and no password was given: use --password-file F "
			    "or CUSTOS_PASSWORD",
			    x->src);
}

/* ------------------------------------------------------------------ */
/* Item, manifest and resume                                           */
/* ------------------------------------------------------------------ */

bool cu_import_item_id_safe(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 64 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static json_t *manifest_array(struct cu_case *c, const char *key)
{
	json_t *a = json_object_get(c->manifest, key);
	if (!json_is_array(a)) {
		a = json_array();
		if (a == NULL || json_object_set_new(c->manifest, key, a) != 0)
			return NULL;
	}
	return a;
}

static json_t *find_item(struct cu_case *c, const char *id)
{
	json_t *items = json_object_get(c->manifest, "items");
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *v = json_string_value(json_object_get(it, "item_id"));
		if (v != NULL && strcmp(v, id) == 0)
			return it;
	}
	return NULL;
}

static bool inventory_exists(struct cu_import_ctx *x, const char *id, bool *nonempty)
{
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT;
	struct cu_error e;
	struct stat sb;
	bool yes = false;
	*nonempty = false;
	if (cu_buf_printf(&rel, &e, "inventory/%s.jsonl", id) == CU_OK &&
	    cu_case_path(x->run.c, rel.data, &abs, &e) == CU_OK && lstat(abs.data, &sb) == 0) {
		yes = true;
		*nonempty = sb.st_size > 0;
	}
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	return yes;
}

static json_t *find_running(struct cu_import_ctx *x)
{
	json_t *acqs = json_object_get(x->run.c->manifest, "acquisitions");
	size_t i;
	json_t *a, *found = NULL;
	json_array_foreach(acqs, i, a)
	{
		const char *m = json_string_value(json_object_get(a, "method"));
		const char *s = json_string_value(json_object_get(a, "status"));
		const char *p =
		    json_string_value(json_object_get(json_object_get(a, "source"), "path"));
		if (m && s && p && strcmp(m, "import") == 0 && strcmp(s, "running") == 0 &&
		    strcmp(p, x->src_abs) == 0)
			found = a; /* the latest one */
	}
	return found;
}

static enum cu_status choose_item(struct cu_import_ctx *x, const char *suggested,
				  struct cu_error *err)
{
	const char *id = NULL;
	char gen[32];
	bool nonempty;

	/* Resume: the interrupted import of this same source, whose manifest
	 * entry is still "running", gives the item (and keeps its entry). */
	json_t *running = x->resume ? find_running(x) : NULL;
	const char *running_item =
	    running ? json_string_value(json_object_get(running, "item_id")) : NULL;
	if (x->opts->item != NULL) {
		if (!cu_import_item_id_safe(x->opts->item))
			return cu_error_set(err, CU_E_USAGE,
					    "item id '%s' is not usable: use letters, digits, '.', "
					    "'_' and '-' (at most 64)",
					    x->opts->item);
		id = x->opts->item;
		if (running_item != NULL && strcmp(running_item, id) == 0)
			x->acq = running;
	} else if (running_item != NULL) {
		id = running_item;
		x->acq = running;
	}
	if (id == NULL && suggested != NULL && cu_import_item_id_safe(suggested))
		id = suggested;
	if (id == NULL) {
		for (unsigned n = 1;; n++) {
			snprintf(gen, sizeof(gen), "ITEM%u", n);
			if (find_item(x->run.c, gen) == NULL &&
			    !inventory_exists(x, gen, &nonempty))
				break;
		}
		id = gen;
	}
	if ((x->run.item = cu_strdup(id)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if (!x->resume && inventory_exists(x, x->run.item, &nonempty) && nonempty)
		return cu_error_set(err, CU_E_USAGE,
				    "item '%s' already has an inventory (inventory/%s.jsonl): use "
				    "--resume to finish an interrupted import, or --item NEW-ID",
				    x->run.item, x->run.item);
	return CU_OK;
}

static enum cu_status start_entry(struct cu_import_ctx *x, struct cu_error *err);

static enum cu_status manifest_begin(struct cu_import_ctx *x, struct cu_error *err)
{
	struct cu_case *c = x->run.c;
	char now[CU_TIME_STR];
	char host[256] = "";
	json_t *items, *acqs, *it;

	if (c->manifest == NULL && (c->manifest = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if ((items = manifest_array(c, "items")) == NULL ||
	    (acqs = manifest_array(c, "acquisitions")) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	cu_time_format_ms(x->start_ms, now);
	it = find_item(c, x->run.item);
	if (it == NULL) {
		json_t *f = x->run.item_facts;
		json_t *ids = json_object_get(f, "identifiers");
		it = json_pack("{s:s, s:O?, s:i, s:O?, s:O, s:s?, s:O?, s:O?, s:s+}", "item_id",
			       x->run.item, "name", json_object_get(f, "name"), "quantity", 1,
			       "features", json_object_get(f, "features"), "identifiers",
			       ids ? ids : json_object(), "os", x->run.os, "os_version",
			       json_object_get(f, "os_version"), "build",
			       json_object_get(f, "build"), "source", "import of ", x->src_abs);
		if (ids == NULL && it != NULL)
			json_decref(json_object_get(it, "identifiers")); /* drop the extra ref */
		if (it == NULL || json_array_append_new(items, it) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
	} else if (json_object_get(it, "identifiers") == NULL &&
		   json_object_get(x->run.item_facts, "identifiers") != NULL) {
		json_object_set(it, "identifiers",
				json_object_get(x->run.item_facts, "identifiers"));
	}
	if (x->acq != NULL) {
		json_t *r = json_object_get(x->acq, "resumed");
		if (!json_is_array(r)) {
			r = json_array();
			json_object_set_new(x->acq, "resumed", r);
		}
		json_array_append_new(r, json_string(now));
	} else {
		(void)gethostname(host, sizeof(host) - 1);
		x->acq = json_pack("{s:s, s:s, s:n, s:n, s:s, s:s, s:{s:s, s:s}, s:s, s:[], s:[]}",
				   "item_id", x->run.item, "start", now, "end", "location",
				   "method", "import", "status", "running", "source", "path",
				   x->src_abs, "format", cu_import_format_name(x->format),
				   "workstation", host, "errors", "not_acquired");
		if (x->acq == NULL || json_array_append_new(acqs, x->acq) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	return start_entry(x, err);
}

/* The run's begin_item callback. */
static enum cu_status begin_item(struct cu_format_run *r, const char *suggested,
				 struct cu_error *err)
{
	struct cu_import_ctx *x = (struct cu_import_ctx *)r;
	enum cu_status st;

	if (x->begun)
		return CU_OK;
	if ((st = choose_item(x, suggested, err)) != CU_OK)
		return st;
	if ((st = cu_ingest_set_item(x->run.w, x->run.item, err)) != CU_OK)
		return st;
	if (x->resume)
		cu_info("import: resuming item '%s': %zu files already listed", x->run.item,
			cu_ingest_resume_count(x->run.w));
	if ((st = manifest_begin(x, err)) != CU_OK)
		return cu_error_prefix(err, "manifest");
	x->begun = true;
	snprintf(x->st.item, sizeof(x->st.item), "%s", x->run.item);
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* The end: content root, custody entries, manifest                    */
/* ------------------------------------------------------------------ */

struct entry {
	char *path;
	uint64_t size;
	char sha256[65];
	bool file, derived;
	json_t *from;
};
struct entries {
	struct entry *v;
	size_t n, cap;
};

static enum cu_status collect(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct entries *es = ctx;
	if (r->evidence_path == NULL)
		return CU_OK;
	if (es->n == es->cap) {
		size_t nc = es->cap ? es->cap * 2 : 256;
		struct entry *nv = cu_reallocarray(es->v, nc, sizeof(*nv));
		if (nv == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		es->v = nv;
		es->cap = nc;
	}
	struct entry *e = &es->v[es->n];
	memset(e, 0, sizeof(*e));
	if ((e->path = cu_strdup(r->evidence_path)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	e->size = r->size;
	snprintf(e->sha256, sizeof(e->sha256), "%s", r->sha256);
	e->file = r->type != NULL && strcmp(r->type, "file") == 0;
	e->derived = r->kind != NULL && strcmp(r->kind, "derived") == 0;
	e->from = r->derived_from ? json_incref(r->derived_from) : NULL;
	es->n++;
	return CU_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static void entries_release(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].path);
		json_decref(es->v[i].from);
	}
	free(es->v);
}

/* The content root (core's one function, CUSTODY.md) over the chosen
 * entries: 0 = every file, 1 = derived files, 2 = evidence files named in
 * only (the inputs of derivations). */
static enum cu_status root_of(const struct entries *es, int which, json_t *only, char hex[65],
			      size_t *count, struct cu_error *err)
{
	struct cu_content_file *files = NULL;
	unsigned char root[32];
	size_t n = 0;
	enum cu_status st;

	if ((files = cu_calloc(es->n + 1, sizeof(*files))) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	for (size_t i = 0; i < es->n; i++) {
		const struct entry *e = &es->v[i];
		if (!e->file)
			continue;
		if (which == 1 && !e->derived)
			continue;
		if (which == 2 && (e->derived || !json_is_true(json_object_get(only, e->path))))
			continue;
		files[n].path = e->path;
		files[n].size = e->size;
		files[n].sha256 = e->sha256;
		n++;
	}
	if ((st = cu_merkle_content_root(files, n, root, err)) == CU_OK) {
		cu_hex(root, 32, hex);
		*count = n;
	}
	free(files);
	return st;
}

/* Android item facts from the dump's build.prop (read from our evidence
 * copy, never the source): only fields still null are filled, and the
 * file they came from is named. */
static void android_facts(struct cu_import_ctx *x)
{
	static const char *const where[] = {"system/build.prop", "system/system/build.prop",
					    "vendor/build.prop"};
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT, text = CU_BUF_INIT;
	struct cu_error e;
	json_t *it = find_item(x->run.c, x->run.item);

	if (it == NULL)
		return;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		cu_buf_reset(&rel);
		if (cu_buf_printf(&rel, &e, "evidence/%s/%s", x->run.item, where[i]) != CU_OK ||
		    cu_case_path(x->run.c, rel.data, &abs, &e) != CU_OK ||
		    cu_file_read_all(abs.data, (size_t)1 << 20, &text, &e) != CU_OK)
			continue;
		static const struct {
			const char *prop, *obj, *key;
		} map[] = {
		    {"ro.build.version.release", NULL, "os_version"},
		    {"ro.build.display.id", NULL, "build"},
		    {"ro.product.manufacturer", "features", "make"},
		    {"ro.product.model", "features", "model"},
		    {"ro.serialno", "identifiers", "serial"},
		};
		bool used = false;
		for (char *line = text.data; line != NULL && *line;) {
			char *nl = strchr(line, '\n');
			if (nl != NULL)
				*nl = '\0';
			char *eq = strchr(line, '=');
			if (eq != NULL && line[0] != '#') {
				*eq = '\0';
				for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
					if (strcmp(line, map[k].prop) != 0 || eq[1] == '\0' ||
					    !cu_utf8_valid(eq + 1, strlen(eq + 1)))
						continue;
					json_t *o = it;
					if (map[k].obj != NULL) {
						o = json_object_get(it, map[k].obj);
						if (!json_is_object(o)) {
							o = json_object();
							json_object_set_new(it, map[k].obj, o);
						}
					}
					json_t *have = json_object_get(o, map[k].key);
					if (have == NULL || json_is_null(have)) {
						json_object_set_new(o, map[k].key,
								    json_string(eq + 1));
						used = true;
					}
				}
			}
			line = nl ? nl + 1 : NULL;
		}
		if (used)
			json_object_set_new(it, "facts_source", json_string(rel.data));
		break;
	}
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	cu_buf_release(&text);
}

static void json_list(struct cu_json *j, const char *key, const char *elements)
{
	cu_json_key(j, key);
	cu_json_arr_begin(j);
	if (elements[0] != '\0')
		cu_json_raw(j, elements, strlen(elements));
	cu_json_arr_end(j);
}

static void json_root(struct cu_json *j, const char *key, size_t n, const char *root)
{
	cu_json_key(j, key);
	cu_json_obj_begin(j);
	cu_json_kv_str(j, "alg", "RFC6962-SHA-256");
	cu_json_kv_int(j, "size", (int64_t)n);
	cu_json_kv_str(j, "root", root);
	cu_json_obj_end(j);
}

/* The subject of the IMPORT and DERIVE entries: {item, source}. */
static enum cu_status entry_subject(struct cu_import_ctx *x, struct cu_buf *out,
				    struct cu_error *err)
{
	struct cu_json j;
	cu_json_init(&j, out);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", x->run.item);
	cu_json_kv_str(&j, "source", x->src_abs);
	cu_json_obj_end(&j);
	return cu_json_finish(&j, err);
}

/* The IMPORT entry: what came in, what went wrong, the content root and
 * the inventory it was computed from. Closes the writer with it. */
static enum cu_status import_entry(struct cu_import_ctx *x, const char *abort_msg,
				   const struct cu_ingest_summary *sum, const char *subject,
				   struct cu_error *err)
{
	const struct cu_ingest_stats *ws = cu_ingest_stats(x->run.w);
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	char *xdetails = NULL;
	enum cu_status st;

	if (x->run.details != NULL && json_object_size(x->run.details) > 0)
		xdetails = json_dumps(x->run.details, JSON_PRESERVE_ORDER | JSON_COMPACT);
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "source", x->src_abs);
	cu_json_kv_str(&j, "format", cu_import_format_name(x->format));
	cu_json_kv_str(&j, "item", x->run.item);
	cu_json_kv_int(&j, "files", (int64_t)ws->files);
	cu_json_kv_int(&j, "bytes", (int64_t)ws->bytes);
	cu_json_kv_int(&j, "derived_files", (int64_t)ws->derived);
	cu_json_kv_int(&j, "warnings", (int64_t)ws->warnings);
	cu_json_kv_int(&j, "failures", (int64_t)ws->failures);
	json_list(&j, "warning_list", cu_ingest_warnings_json(x->run.w));
	json_list(&j, "not_imported", cu_ingest_skipped_json(x->run.w));
	cu_json_key(&j, "aborted");
	cu_json_str(&j, abort_msg);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_int(&j, "rechecked", (int64_t)ws->rechecked);
	cu_json_kv_int(&j, "partials_removed", (int64_t)ws->partials_removed);
	cu_json_kv_int(&j, "item_files", (int64_t)sum->evidence_files);
	json_root(&j, "content_root", sum->content_files, sum->content_root);
	cu_json_kv_str(&j, "inventory", sum->inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum->inventory_sha256);
	cu_json_key(&j, "format_details");
	if (xdetails != NULL)
		cu_json_raw(&j, xdetails, strlen(xdetails));
	else
		cu_json_null(&j);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) == CU_OK)
		st = cu_ingest_close(x->run.w, "IMPORT", subject, det.data, err);
	free(xdetails);
	cu_buf_release(&det);
	return st;
}

/* The first input/output pairs of the DERIVE entry (Manifest.db first). */
static void derive_pairs(struct cu_json *j, const struct entries *es)
{
	size_t listed = 0;

	cu_json_key(j, "pairs");
	cu_json_arr_begin(j);
	/* Pass 0: the backup's own files (Manifest.db); pass 1: the rest. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < es->n && listed < 20; i++) {
			const struct entry *o = &es->v[i];
			const char *in = json_string_value(json_array_get(o->from, 0));
			struct entry key = {.path = (char *)in};
			const struct entry *ie =
			    in ? bsearch(&key, es->v, es->n, sizeof(*es->v), entry_cmp) : NULL;
			bool meta = strstr(o->path, "/_backup/") != NULL;
			if (!o->derived || !o->file || ie == NULL || meta != (pass == 0))
				continue;
			cu_json_obj_begin(j);
			cu_json_kv_str(j, "input", ie->path);
			cu_json_kv_str(j, "input_sha256", ie->sha256);
			cu_json_kv_str(j, "output", o->path);
			cu_json_kv_str(j, "output_sha256", o->sha256);
			cu_json_obj_end(j);
			listed++;
		}
	}
	cu_json_arr_end(j);
}

/*
 * One DERIVE entry per import rather than one per file: a backup holds
 * tens of thousands of files and the log is printed on paper forms.
 * Every input/output pair (derived_from, both hashes, method) is in the
 * inventory, whose SHA-256 this entry carries, so each pair is bound to
 * the chain; the entry also carries RFC 6962 roots over the inputs and
 * the outputs so a verifier can check either set on its own.
 */
static enum cu_status derive_entry(struct cu_import_ctx *x, const struct cu_ingest_summary *sum,
				   const char *subject, struct cu_error *err)
{
	struct entries es = {NULL, 0, 0};
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	char in_root[65], out_root[65];
	size_t nin = 0, nout = 0;
	uint64_t dbytes = 0;
	json_t *inputs = NULL;
	enum cu_status st;

	if ((st = cu_inventory_each(x->run.c, x->run.item, collect, &es, err)) != CU_OK)
		goto out;
	if (es.n > 1)
		qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
	if ((inputs = json_object()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < es.n; i++) {
		size_t k;
		json_t *p;
		if (!es.v[i].derived)
			continue;
		dbytes += es.v[i].size;
		json_array_foreach(es.v[i].from, k, p) if (json_is_string(p))
		    json_object_set_new(inputs, json_string_value(p), json_true());
	}
	if ((st = root_of(&es, 1, NULL, out_root, &nout, err)) != CU_OK ||
	    (st = root_of(&es, 2, inputs, in_root, &nin, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", x->run.derive_method ? x->run.derive_method : "decryption");
	cu_json_kv_int(&j, "files", (int64_t)sum->derived_files);
	cu_json_kv_int(&j, "bytes", (int64_t)dbytes);
	cu_json_kv_int(&j, "files_this_run", (int64_t)cu_ingest_stats(x->run.w)->derived);
	json_root(&j, "inputs", nin, in_root);
	json_root(&j, "outputs", nout, out_root);
	derive_pairs(&j, &es);
	cu_json_kv_str(&j, "inventory", sum->inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum->inventory_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	st = cu_custody_append(x->run.c->custody, "DERIVE", cu_case_default_actor(), subject,
			       det.data, NULL, err);
out:
	json_decref(inputs);
	entries_release(&es);
	cu_buf_release(&det);
	return st;
}

/* The manifest's acquisitions[] entry (in memory; saved after the IMPORT
 * entry that names its hash): end, status, errors, counts, and the
 * content root and inventory digest the IMPORT entry carries. */
static enum cu_status acquisition_end(struct cu_import_ctx *x, const char *abort_msg,
				      const struct cu_ingest_summary *sum, struct cu_error *err)
{
	const struct cu_ingest_stats *ws = cu_ingest_stats(x->run.w);
	struct cu_buf fmt = CU_BUF_INIT;
	char now[CU_TIME_STR];
	enum cu_status st;

	if (x->run.os != NULL && strcmp(x->run.os, "Android") == 0)
		android_facts(x);
	if (x->acq == NULL)
		return CU_OK;
	json_t *errs = NULL, *skipped = NULL;
	if ((st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_warnings_json(x->run.w))) == CU_OK) {
		errs = json_loads(fmt.data, 0, NULL);
		cu_buf_reset(&fmt);
		st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_skipped_json(x->run.w));
	}
	if (st == CU_OK)
		skipped = json_loads(fmt.data, 0, NULL);
	cu_buf_release(&fmt);
	if (st != CU_OK) {
		json_decref(errs);
		return cu_error_prefix(err, "recording the acquisition's warnings");
	}
	cu_time_format_ms(cu_time_now_ms(), now);
	json_object_set_new(x->acq, "end", json_string(now));
	json_object_set_new(x->acq, "status",
			    json_string(abort_msg      ? "aborted"
					: ws->failures ? "partial"
						       : "complete"));
	json_object_set_new(x->acq, "errors", errs ? errs : json_array());
	json_object_set_new(x->acq, "not_acquired", skipped ? skipped : json_array());
	json_object_set_new(x->acq, "files", json_integer((json_int_t)sum->evidence_files));
	json_object_set_new(x->acq, "warnings", json_integer((json_int_t)ws->warnings));
	json_object_set_new(x->acq, "failures", json_integer((json_int_t)ws->failures));
	json_object_set_new(x->acq, "content_root", json_string(sum->content_root));
	json_object_set_new(x->acq, "inventory_sha256", json_string(sum->inventory_sha256));
	return CU_OK;
}

/* The SHA-256 manifest.json will have once saved, for the entry that
 * records the save (cu_case_manifest_explained). */
static enum cu_status manifest_hash(struct cu_case *c, char hex[65], struct cu_error *err)
{
	struct cu_buf text = CU_BUF_INIT;
	enum cu_status st = cu_manifest_serialize(c->manifest, &text, err);

	if (st == CU_OK)
		cu_sha256_hex(text.data, text.len, hex);
	cu_buf_release(&text);
	return st;
}

/* The end of an import that brought something in: the inventory summary
 * (content root), the IMPORT entry, the DERIVE entry when files were
 * decrypted, and the manifest's acquisitions[] entry. */
static enum cu_status finish(struct cu_import_ctx *x, const char *abort_msg, struct cu_error *err)
{
	struct cu_ingest_summary sum;
	struct cu_buf subj = CU_BUF_INIT;
	enum cu_status st;

	cu_progress_finish(&x->run.prog);
	if ((st = cu_ingest_summarize(x->run.w, &sum, err)) != CU_OK ||
	    (st = entry_subject(x, &subj, err)) != CU_OK ||
	    (st = acquisition_end(x, abort_msg, &sum, err)) != CU_OK ||
	    (st = manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK ||
	    (st = import_entry(x, abort_msg, &sum, subj.data, err)) != CU_OK)
		goto out;
	if (sum.derived_files > 0 && (st = derive_entry(x, &sum, subj.data, err)) != CU_OK)
		goto out;
	st = cu_case_save_manifest(x->run.c, err);
out:
	cu_buf_release(&subj);
	return st;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

/* The ERROR entry of an import that brought nothing in: why, and the
 * hash of the manifest that records the failed acquisition. */
static enum cu_status failed_entry(struct cu_import_ctx *x, const char *why, struct cu_error *err)
{
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if ((st = entry_subject(x, &subj, err)) != CU_OK ||
	    (st = manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "reason", "import failed");
	cu_json_kv_str(&j, "error", why);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) == CU_OK)
		st = cu_custody_append(x->run.c->custody, "ERROR", cu_case_default_actor(),
				       subj.data, det.data, NULL, err);
out:
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return st;
}

/* The ACQUIRE_START entry of an import (method "import"), naming the
 * manifest saved right after it, which records the acquisition as
 * running: an import killed later leaves a manifest the log explains. */
static enum cu_status start_entry(struct cu_import_ctx *x, struct cu_error *err)
{
	struct cu_buf subj = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if ((st = entry_subject(x, &subj, err)) != CU_OK ||
	    (st = manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", "import");
	cu_json_kv_str(&j, "format", cu_import_format_name(x->format));
	cu_json_kv_str(&j, "item", x->run.item);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK ||
	    (st = cu_custody_append(x->run.c->custody, "ACQUIRE_START", cu_case_default_actor(),
				    subj.data, det.data, NULL, err)) != CU_OK)
		goto out;
	st = cu_case_save_manifest(x->run.c, err);
out:
	cu_buf_release(&subj);
	cu_buf_release(&det);
	return st;
}

/* True when `inner` is `outer` or below it (both absolute, resolved). */
static bool path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (n == 1 && outer[0] == '/')
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

static void ctx_release(struct cu_import_ctx *x)
{
	cu_ingest_free(x->run.w);
	free(x->mount_buf);
	free(x->src_abs);
	free(x->run.item);
	cu_hasher_free(x->run.hasher);
	cu_hasher_free(x->run.hasher2);
	free(x->run.buf);
	json_decref(x->run.item_facts);
	json_decref(x->run.details);
}

/* Hands the image to its format's decoder: a directory by its path, a
 * regular file as a stream read once. */
static enum cu_status decode(struct cu_import_ctx *x, struct cu_error *err)
{
	const struct cu_format *f = cu_format_get(x->format);
	struct cu_format_source src;
	enum cu_status st;
	struct stat sb;
	int fd = -1;

	if (f == NULL)
		return cu_error_set(err, CU_E_USAGE, "no import format chosen");
	memset(&src, 0, sizeof(src));
	src.name = x->src;
	src.path = x->src_abs;
	if (!f->is_dir) {
		fd = cu_import_open_source(AT_FDCWD, x->src_abs);
		if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", x->src);
			goto out;
		}
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		src.in.read = cu_format_fd_read;
		src.in.seek = cu_format_fd_seek;
		src.in.ctx = (void *)(intptr_t)fd;
		src.size = (uint64_t)sb.st_size;
	}
	st = f->decode(&x->run, &src, err);
out:
	if (fd >= 0)
		close(fd);
	return st;
}

enum cu_status cu_import_run(struct cu_case *c, const char *path, const struct cu_import_opts *opts,
			     struct cu_import_stats *stats, struct cu_error *err)
{
	struct cu_import_ctx x;
	enum cu_status st, hst;
	struct cu_error herr;
	const struct cu_ingest_stats *ws;

	memset(&x, 0, sizeof(x));
	x.run.c = c;
	x.opts = opts;
	x.src = path;
	x.resume = opts->resume;
	x.format = opts->format;
	x.start_ms = cu_time_now_ms();
	x.run.begin_item = begin_item;
	x.run.password = get_password;
	x.run.derived_key_file = opts->derived_key_file;
	x.run.save_derived_key_file = opts->save_derived_key_file;
	x.run.mount_point_given = opts->mount_point != NULL;
	x.run.mount_prefix = "";
	if (opts->mount_point != NULL) {
		/* "/" or "" = the phone's root; else an absolute path without
		 * a trailing slash, checked like any device path. */
		struct cu_buf chk = CU_BUF_INIT;
		const char *m = opts->mount_point;
		size_t ml = strlen(m);
		while (ml > 1 && m[ml - 1] == '/')
			ml--;
		bool root = ml == 0 || (ml == 1 && m[0] == '/');
		if (!root && (m[0] != '/' || cu_path_from_device(m, ml, &chk, err) != CU_OK)) {
			cu_buf_release(&chk);
			st = cu_error_set(
			    err, CU_E_USAGE,
			    "--mount-point '%s' must be an absolute path without '.' or "
			    "'..' components",
			    m);
			goto out;
		}
		cu_buf_release(&chk);
		if (!root && (x.mount_buf = cu_strndup(m, ml)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		x.run.mount_prefix = root ? "" : x.mount_buf;
	}
	cu_error_clear(&herr);
	/* SHA-256 + MD5, and SM3 when asked (--hash sm3) or the case says so. */
	if ((st = cu_ingest_open(c, CU_INGEST_IMPORT,
				 cu_ingest_hash_policy(c, NULL, opts->hash_algs), x.resume,
				 &x.run.w, err)) != CU_OK)
		goto out;
	cu_ingest_set_progress(x.run.w, &x.run.prog);

	if ((x.src_abs = realpath(path, NULL)) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", path);
		goto out;
	}
	/* The case must not live inside the image (we would write into the
	 * source) nor the image inside the case (a directory import would
	 * walk into its own growing copy). */
	if (path_within(c->dir, x.src_abs) || path_within(x.src_abs, c->dir)) {
		st =
		    cu_error_set(err, CU_E_USAGE,
				 "the case directory '%s' and the image '%s' overlap: put the case "
				 "outside the image (the source is never written to)",
				 c->dir, x.src_abs);
		goto out;
	}
	if (x.format == CU_IMPORT_AUTO &&
	    (st = cu_format_detect(x.src_abs, &x.format, err)) != CU_OK)
		goto out;
	cu_info("import: '%s' as %s", path, cu_import_format_name(x.format));
	if ((x.run.item_facts = json_object()) == NULL || (x.run.details = json_object()) == NULL ||
	    (x.run.buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = cu_hasher_new(cu_ingest_algs(x.run.w), CU_HASHER_THREADED, &x.run.hasher, err)) !=
		CU_OK ||
	    (st = cu_hasher_new(cu_ingest_algs(x.run.w), CU_HASHER_THREADED, &x.run.hasher2,
				err)) != CU_OK)
		goto out;
	cu_progress_start(&x.run.prog, "import", 0);

	hst = decode(&x, &herr);
	cu_progress_finish(&x.run.prog);
	/* Whatever was completed before a fault is listed. */
	if (x.begun && (st = cu_ingest_flush(x.run.w, true, err)) != CU_OK)
		goto out;
	ws = cu_ingest_stats(x.run.w);

	if (hst != CU_OK && (!x.begun || (ws->files == 0 && ws->rechecked == 0) ||
			     hst == CU_E_KEY || hst == CU_E_USAGE)) {
		/* Nothing usable came in: no IMPORT entry, the error goes back. */
		if (x.begun && x.acq != NULL) {
			char now[CU_TIME_STR];
			struct cu_error e2;
			cu_time_format_ms(cu_time_now_ms(), now);
			json_object_set_new(x.acq, "end", json_string(now));
			json_object_set_new(x.acq, "status", json_string("failed"));
			json_array_append_new(json_object_get(x.acq, "errors"),
					      json_string(herr.msg));
			/* The import's own error goes back; failing to record
			 * it in the manifest as well is logged beside it. The
			 * ERROR entry names the saved manifest's hash. */
			if (failed_entry(&x, herr.msg, &e2) != CU_OK ||
			    cu_case_save_manifest(c, &e2) != CU_OK)
				cu_error_log("%s", e2.msg);
		}
		*err = herr;
		st = hst;
		goto out;
	}
	if (hst != CU_OK) {
		cu_ingest_warn(x.run.w, true, "import stopped early: %s", herr.msg);
	}
	if ((st = finish(&x, hst != CU_OK ? herr.msg : NULL, err)) != CU_OK) {
		cu_error_prefix(err, "import of '%s'", path);
		goto out;
	}
	if (ws->failures > 0) {
		st = cu_error_set(
		    err, CU_E_PARTIAL,
		    "import of '%s' into item '%s' finished with %llu failure(s); each "
		    "is recorded in the custody log (IMPORT entry)%s%s",
		    path, x.run.item, (unsigned long long)ws->failures, hst != CU_OK ? ": " : "",
		    hst != CU_OK ? herr.msg : "");
	}
	x.st.files = ws->files;
	x.st.bytes = ws->bytes;
	x.st.warnings = ws->warnings;
	x.st.skipped = ws->skipped;
	x.st.derived = ws->derived;
	x.st.failures = ws->failures;
	x.st.rechecked = ws->rechecked;
	if (stats != NULL)
		*stats = x.st;
out:
	ctx_release(&x);
	return st;
}
