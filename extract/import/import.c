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
#include "extract/record_int.h"

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

	/* Locked and never reallocated (no copy left in freed memory). */
	cu_secret_buf_wipe(out);
	if ((st = cu_secret_buf_reserve(out, 4096, err)) != CU_OK)
		return st;
	if (o->password != NULL)
		return cu_buf_puts(out, o->password, err);
	if (o->password_file != NULL)
		return cu_secret_read_file(o->password_file, 4096, out, err);
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

/* The ids of the seizure list (seizure.items[]), ", " separated, and how
 * many there are; *only is the id when there is exactly one. */
static size_t seized_ids(struct cu_case *c, struct cu_buf *list, const char **only)
{
	const json_t *arr = cu_manifest_items(c->manifest, CU_MANIFEST_SEIZED), *it;
	struct cu_error e;
	size_t i, n = 0;

	*only = NULL;
	json_array_foreach(arr, i, it)
	{
		const char *id = json_string_value(json_object_get(it, "item_id"));
		if (id == NULL)
			continue;
		if (list != NULL && cu_buf_printf(list, &e, "%s%s", n ? ", " : "", id) != CU_OK)
			cu_buf_reset(list); /* only the message loses the list */
		*only = n == 0 ? id : NULL;
		n++;
	}
	return n;
}

/*
 * Before anything is read: which item the data goes to, and whether this
 * source was imported before. The seizure list binds the exhibits: its
 * only item when --item is not given, a choice among several, and an item
 * it does not list only with --new-item --reason. A source whose earlier
 * import did not finish is resumed, never copied a second time; one that
 * finished is not imported again into its item, and the same image (same
 * SHA-256 for a file, same directory) goes into another item only with
 * --again --reason.
 */
static enum cu_status precheck(struct cu_import_ctx *x, struct cu_error *err)
{
	const struct cu_import_opts *o = x->opts;
	struct cu_case *c = x->run.c;
	struct cu_buf ids = CU_BUF_INIT;
	const char *only = NULL;
	size_t nseized = seized_ids(c, &ids, &only);
	json_t *running = x->resume ? find_running(x) : NULL;
	const char *running_item =
	    running ? json_string_value(json_object_get(running, "item_id")) : NULL;
	const json_t *acqs, *a;
	enum cu_status st = CU_OK;
	size_t i;

	if ((o->new_item || o->again) && (o->reason == NULL || o->reason[0] == '\0')) {
		st = cu_error_set(err, CU_E_USAGE,
				  "%s needs --reason TEXT: the reason is recorded in the custody "
				  "log and the manifest",
				  o->new_item ? "--new-item" : "--again");
		goto out;
	}
	if (o->item != NULL) {
		/* An id of the seizure list is taken as the case accepts it
		 * (exhibit numbers like 检材1); one typed here only in the
		 * portable set. */
		bool listed = cu_manifest_item_in(c->manifest, CU_MANIFEST_SEIZED, o->item) != NULL;
		struct cu_error e;
		if (listed ? cu_case_item_check(o->item, &e) != CU_OK
			   : !cu_import_item_id_safe(o->item)) {
			st = cu_error_set(err, CU_E_USAGE,
					  "item id '%s' is not usable: use letters, digits, '.', "
					  "'_' and '-' (at most 64)",
					  o->item);
			goto out;
		}
		if (listed && o->new_item) {
			st = cu_error_set(err, CU_E_USAGE,
					  "--new-item: item '%s' is in the seizure list; drop "
					  "--new-item and --reason",
					  o->item);
			goto out;
		}
		if (!listed && nseized > 0 && !o->new_item) {
			st = cu_error_set(
			    err, CU_E_USAGE,
			    "item '%s' is not in the seizure list (%s) of '%s/manifest.json': "
			    "import into a listed item with --item ID, or record an exhibit the "
			    "list does not name with --new-item --reason TEXT",
			    o->item, ids.data ? ids.data : "", c->dir);
			goto out;
		}
		x->new_item = !listed && o->new_item;
		x->pre_item = o->item;
	} else if (running_item != NULL) {
		x->pre_item = running_item;
	} else if (nseized == 1) {
		x->pre_item = only;
	} else if (nseized > 1) {
		st = cu_error_set(err, CU_E_USAGE,
				  "the seizure list names %zu items (%s): say which one '%s' is "
				  "with --item ID",
				  nseized, ids.data ? ids.data : "", x->src);
		goto out;
	} else if (o->new_item) {
		st = cu_error_set(err, CU_E_USAGE, "--new-item needs --item ID");
		goto out;
	}

	/* Resuming continues an import already admitted (and hashed). */
	if (running != NULL)
		goto out;
	/* Regular-file images are identified by their SHA-256, which the
	 * import computes in its own single pass. Only when an earlier import
	 * of this case had an image of exactly this size can this one be the
	 * same, and only then is the image read once more first, to refuse a
	 * second copy before anything is written. */
	struct stat sb;
	acqs = json_object_get(c->manifest, "acquisitions");
	bool same_size = false;
	if (stat(x->src_abs, &sb) == 0 && S_ISREG(sb.st_mode))
		json_array_foreach(acqs, i, a)
		{
			const json_t *sz = json_object_get(json_object_get(a, "source"), "size");
			if (json_is_integer(sz) && json_integer_value(sz) == (json_int_t)sb.st_size)
				same_size = true;
		}
	if (same_size) {
		struct cu_digests d;
		if ((st = cu_hash_file(x->src_abs, CU_HASH_SHA256, &d, err)) != CU_OK) {
			cu_error_prefix(err, "hashing the image");
			goto out;
		}
		snprintf(x->src_sha256, sizeof(x->src_sha256), "%s", d.sha256);
	}
	json_array_foreach(acqs, i, a)
	{
		const char *m = json_string_value(json_object_get(a, "method"));
		const char *s = json_string_value(json_object_get(a, "status"));
		const char *item = json_string_value(json_object_get(a, "item_id"));
		const json_t *src = json_object_get(a, "source");
		const char *p = json_string_value(json_object_get(src, "path"));
		const char *h = json_string_value(json_object_get(src, "sha256"));
		bool same_path = p != NULL && strcmp(p, x->src_abs) == 0;
		bool same_hash = h != NULL && x->src_sha256[0] && strcmp(h, x->src_sha256) == 0;

		if (m == NULL || strcmp(m, "import") != 0 || s == NULL || item == NULL ||
		    strcmp(s, "failed") == 0)
			continue;
		if (same_path && strcmp(s, "running") == 0) {
			st = cu_error_set(
			    err, CU_E_USAGE,
			    "the import of '%s' into item '%s' did not finish: finish it with "
			    "`custos import --resume %s`%s%s (nothing is copied twice)",
			    x->src, item, x->src, x->pre_item ? " --item " : "",
			    x->pre_item ? item : "");
			goto out;
		}
		if (same_path && (x->pre_item == NULL || strcmp(item, x->pre_item) == 0)) {
			st = cu_error_set(err, CU_E_USAGE,
					  "'%s' is already imported into item '%s' (status %s)%s: "
					  "nothing to do; to file a second copy under another item "
					  "use --item NEW-ID --again --reason TEXT",
					  x->src, item, s, x->resume ? ", nothing to resume" : "");
			goto out;
		}
		if ((same_path || same_hash) && x->again_of == NULL) {
			if (!o->again) {
				st = cu_error_set(
				    err, CU_E_USAGE,
				    "'%s' is the same image (%s) as the one imported into item "
				    "'%s' from '%s': the case would hold two copies of one "
				    "evidence; if that is meant, give --again --reason TEXT",
				    x->src, same_hash ? x->src_sha256 : "same directory", item,
				    p ? p : "?");
				goto out;
			}
			x->again_of =
			    json_pack("{s:s, s:s?, s:s?}", "item", item, "source", p, "sha256", h);
		}
	}
out:
	cu_buf_release(&ids);
	return st;
}

static enum cu_status choose_item(struct cu_import_ctx *x, const char *suggested,
				  struct cu_error *err)
{
	const char *id = x->pre_item;
	char gen[32];
	bool nonempty;

	/* Resume: the interrupted import of this same source, whose manifest
	 * entry is still "running", gives the item (and keeps its entry). */
	json_t *running = x->resume ? find_running(x) : NULL;
	const char *running_item =
	    running ? json_string_value(json_object_get(running, "item_id")) : NULL;
	if (id != NULL && running_item != NULL && strcmp(running_item, id) == 0)
		x->acq = running;
	/* No seizure list: the phone's own serial or UDID, else ITEMn. */
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

enum cu_status cu_import_require_evidence(struct cu_case *c, struct cu_error *err)
{
	struct cu_buf dir = CU_BUF_INIT;
	enum cu_status st;
	DIR *d = NULL;
	struct dirent *de;
	bool found = false;

	if ((st = cu_case_path(c, "inventory", &dir, err)) != CU_OK)
		goto out;
	if ((d = opendir(dir.data)) == NULL && errno != ENOENT) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot list '%s'", dir.data);
		goto out;
	}
	while (d != NULL && !found && (de = readdir(d)) != NULL) {
		struct stat sb;
		size_t n = strlen(de->d_name);
		if (n > 6 && cu_str_has_suffix(de->d_name, ".jsonl") &&
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode) && sb.st_size > 0)
			found = true;
	}
	if (!found)
		st = cu_error_set(err, CU_E_NOTFOUND,
				  "no items imported yet: run custos import (case '%s' holds no "
				  "evidence)",
				  c->dir);
out:
	if (d != NULL)
		closedir(d);
	cu_buf_release(&dir);
	return st;
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
	if ((items = cu_extract_manifest_array(c, "items")) == NULL ||
	    (acqs = cu_extract_manifest_array(c, "acquisitions")) == NULL)
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
		if (x->new_item)
			json_object_set_new(it, "not_in_seizure_list", json_true());
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
		x->acq =
		    json_pack("{s:s, s:s, s:n, s:n, s:s, s:s, s:{s:s, s:s, s:s?}, s:s, s:[], s:[]}",
			      "item_id", x->run.item, "start", now, "end", "location", "method",
			      "import", "status", "running", "source", "path", x->src_abs, "format",
			      cu_import_format_name(x->format), "sha256",
			      x->src_sha256[0] ? x->src_sha256 : NULL, "workstation", host,
			      "errors", "not_acquired");
		/* The image's size, so a later import of one of the same size is
		 * checked for being the same image. */
		struct stat isb;
		if (x->acq != NULL && stat(x->src_abs, &isb) == 0 && S_ISREG(isb.st_mode))
			json_object_set_new(json_object_get(x->acq, "source"), "size",
					    json_integer((json_int_t)isb.st_size));
		if (x->acq == NULL || json_array_append_new(acqs, x->acq) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		/* Why an exhibit the seizure list does not name, or a second
		 * copy of an image, came in. */
		if (x->new_item)
			json_object_set_new(x->acq, "new_item",
					    json_pack("{s:s}", "reason", x->opts->reason));
		if (x->again_of != NULL)
			json_object_set_new(x->acq, "again",
					    json_pack("{s:s, s:O}", "reason", x->opts->reason,
						      "same_as", x->again_of));
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
	cu_extract_json_list(&j, "warning_list", cu_ingest_warnings_json(x->run.w));
	cu_extract_json_list(&j, "not_imported", cu_ingest_skipped_json(x->run.w));
	cu_json_key(&j, "aborted");
	cu_json_str(&j, abort_msg);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_int(&j, "rechecked", (int64_t)ws->rechecked);
	cu_json_kv_int(&j, "partials_removed", (int64_t)ws->partials_removed);
	cu_json_kv_int(&j, "item_files", (int64_t)sum->evidence_files);
	json_root(&j, "content_root", sum->content_files, sum->content_root);
	cu_json_kv_str(&j, "inventory", sum->inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum->inventory_sha256);
	cu_json_key(&j, "source_sha256");
	cu_json_str(&j, x->src_sha256[0] ? x->src_sha256 : NULL);
	cu_json_key(&j, "new_item");
	if (x->new_item) {
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "reason", x->opts->reason);
		cu_json_obj_end(&j);
	} else {
		cu_json_null(&j);
	}
	cu_json_key(&j, "again");
	if (x->again_of != NULL) {
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "reason", x->opts->reason);
		cu_json_key(&j, "same_as");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "item", json_string_value(json_object_get(x->again_of, "item")));
		cu_json_key(&j, "source");
		cu_json_str(&j, json_string_value(json_object_get(x->again_of, "source")));
		cu_json_key(&j, "sha256");
		cu_json_str(&j, json_string_value(json_object_get(x->again_of, "sha256")));
		cu_json_obj_end(&j);
		cu_json_obj_end(&j);
	} else {
		cu_json_null(&j);
	}
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

/* ------------------------------------------------------------------ */
/* Typed vs read: the seizure record against what the device says      */
/* ------------------------------------------------------------------ */

/* Copies the characters of s that keep() accepts, lower-cased. */
static void squeeze(const char *s, char *out, size_t cap, bool digits_only)
{
	size_t n = 0;
	for (; s != NULL && *s && n + 1 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= '0' && ch <= '9')
			out[n++] = (char)ch;
		else if (!digits_only && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			out[n++] = (char)(ch | 0x20);
		else if (!digits_only && ch >= 0x80)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

enum fact_kind { FACT_ID, FACT_IMEI, FACT_PHONE, FACT_MODEL, FACT_VERSION };

/* True when typed and read name the same thing for this kind of fact. */
static bool fact_same(enum fact_kind k, const char *typed, const char *read)
{
	char a[256], b[256];
	size_t la, lb;

	switch (k) {
	case FACT_IMEI: /* 14 digits without the check digit match 15 */
		squeeze(typed, a, sizeof(a), true);
		squeeze(read, b, sizeof(b), true);
		la = strlen(a);
		lb = strlen(b);
		if (la == 14 && lb == 15)
			return strncmp(a, b, 14) == 0;
		if (la == 15 && lb == 14)
			return strncmp(a, b, 14) == 0;
		return strcmp(a, b) == 0;
	case FACT_PHONE: /* +86 and spaces aside: the last 11 digits */
		squeeze(typed, a, sizeof(a), true);
		squeeze(read, b, sizeof(b), true);
		la = strlen(a);
		lb = strlen(b);
		if (la >= 11 && lb >= 11)
			return strcmp(a + la - 11, b + lb - 11) == 0;
		return strcmp(a, b) == 0;
	case FACT_MODEL: /* "Redmi Note 12" typed vs "23021RAAEG (Redmi Note 12)" read */
		squeeze(typed, a, sizeof(a), false);
		squeeze(read, b, sizeof(b), false);
		return strstr(a, b) != NULL || strstr(b, a) != NULL;
	case FACT_VERSION: /* "17.5" typed matches "17.5.1" read, not "17.3.1" */
		la = strlen(typed);
		lb = strlen(read);
		if (strcmp(typed, read) == 0)
			return true;
		if (la < lb)
			return strncmp(typed, read, la) == 0 && read[la] == '.';
		return strncmp(typed, read, lb) == 0 && typed[lb] == '.';
	case FACT_ID: break;
	}
	return strcasecmp(typed, read) == 0;
}

/* Apple's product type ("iPhone13,2") is not the name typed at the scene
 * ("iPhone 12"): both are shown, they are not compared. */
static bool product_type_code(const char *s)
{
	const char *p = s;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	if (p == s || !(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ',' || !(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/* The non-empty strings of a fact given as a string or an array of them. */
static size_t fact_values(const json_t *v, const char **out, size_t cap)
{
	size_t n = 0, i;
	const json_t *e;
	if (json_is_string(v) && json_string_length(v) > 0 && cap > 0)
		out[n++] = json_string_value(v);
	json_array_foreach(v, i, e) if (n < cap && json_is_string(e) && json_string_length(e) > 0)
	    out[n++] = json_string_value(e);
	return n;
}

static void join_values(struct cu_buf *b, const char **v, size_t n)
{
	struct cu_error e;
	cu_buf_reset(b);
	for (size_t i = 0; i < n; i++)
		if (cu_buf_printf(b, &e, "%s%s", i ? ", " : "", v[i]) != CU_OK)
			break; /* capped: the values shown stop there */
}

/* Where the read facts of an item came from, for the MISMATCH entry. */
static const char *facts_where(const char *fallback, const json_t *read)
{
	const char *w = json_string_value(json_object_get(read, "facts_source"));
	return w != NULL ? w : fallback;
}

/*
 * Compares what the seizure record typed (seizure.items[]) with what the
 * device itself says (the top-level items[] entry this import fills).
 * Every field both give and that differs is one MISMATCH custody entry, a
 * warning, and an element of the read item's "mismatches" (which the
 * report and the forms show in red). Fields missing on either side are not
 * a mismatch. The manifest is saved by the caller.
 */
enum cu_status cu_import_check_facts(struct cu_case *c, const char *item, const char *who,
				     const char *where_fallback, struct cu_error *err)
{
	static const struct {
		const char *field, *obj, *key;
		enum fact_kind kind;
	} fields[] = {
	    {"imei", "identifiers", "imei", FACT_IMEI},
	    {"meid", "identifiers", "meid", FACT_ID},
	    {"serial", "identifiers", "serial", FACT_ID},
	    {"udid", "identifiers", "udid", FACT_ID},
	    {"iccid", "identifiers", "iccid", FACT_ID},
	    {"msisdn", "identifiers", "msisdn", FACT_PHONE},
	    {"model", "features", "model", FACT_MODEL},
	    {"os_version", NULL, "os_version", FACT_VERSION},
	};
	const json_t *typed = cu_manifest_item_in(c->manifest, CU_MANIFEST_SEIZED, item);
	json_t *read = (json_t *)cu_manifest_item_in(c->manifest, CU_MANIFEST_IMPORTED, item);
	struct cu_buf tb = CU_BUF_INIT, rb = CU_BUF_INIT;
	json_t *list = NULL;
	enum cu_status st = CU_OK;

	if (typed == NULL || read == NULL || typed == read)
		return CU_OK;
	if ((list = json_array()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		const json_t *to = fields[k].obj ? json_object_get(typed, fields[k].obj) : typed;
		const json_t *ro = fields[k].obj ? json_object_get(read, fields[k].obj) : read;
		const char *tv[8], *rv[8];
		size_t nt = fact_values(json_object_get(to, fields[k].key), tv, 8);
		size_t nr = fact_values(json_object_get(ro, fields[k].key), rv, 8);
		bool differ = false;

		if (nt == 0 || nr == 0)
			continue;
		if (fields[k].kind == FACT_MODEL && product_type_code(rv[0]))
			continue;
		/* A list (dual-SIM IMEIs, numbers): every value read must be
		 * among the values typed. */
		for (size_t i = 0; i < nr && !differ; i++) {
			bool found = false;
			for (size_t j = 0; j < nt && !found; j++)
				found = fact_same(fields[k].kind, tv[j], rv[i]);
			differ = !found;
		}
		if (!differ)
			continue;
		join_values(&tb, tv, nt);
		join_values(&rb, rv, nr);
		const char *where = facts_where(where_fallback, read);
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s, s:s}", "field", fields[k].field,
						"typed", tb.data ? tb.data : "", "read",
						rb.data ? rb.data : "", "read_from", where));
		cu_warn("%s: item '%s': %s typed at seizure '%s' but the device says '%s' "
			"(%s): recorded as MISMATCH; check the exhibit",
			who, item, fields[k].field, tb.data ? tb.data : "", rb.data ? rb.data : "",
			where);
	}
	json_object_set(read, "mismatches", list);
	json_decref(list);
	cu_buf_release(&tb);
	cu_buf_release(&rb);
	return st;
}

/* One MISMATCH custody entry per element of the read item's mismatches
 * (check_facts), after the IMPORT entry they qualify. */
enum cu_status cu_import_record_mismatches(struct cu_case *c, const char *item, const char *subject,
					   uint64_t *count, struct cu_error *err)
{
	const json_t *read = cu_manifest_item_in(c->manifest, CU_MANIFEST_IMPORTED, item);
	struct cu_buf det = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	const json_t *mm;
	size_t i;

	json_array_foreach(json_object_get(read, "mismatches"), i, mm)
	{
		struct cu_json j;
		cu_buf_reset(&det);
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "item", item);
		cu_json_kv_str(&j, "field", json_string_value(json_object_get(mm, "field")));
		cu_json_kv_str(&j, "typed", json_string_value(json_object_get(mm, "typed")));
		cu_json_kv_str(&j, "typed_in", "manifest.json seizure.items[]");
		cu_json_kv_str(&j, "read", json_string_value(json_object_get(mm, "read")));
		cu_json_kv_str(&j, "read_from",
			       json_string_value(json_object_get(mm, "read_from")));
		cu_json_obj_end(&j);
		if ((st = cu_json_finish(&j, err)) != CU_OK ||
		    (st = cu_custody_append(c->custody, "MISMATCH", cu_case_default_actor(),
					    subject, det.data, NULL, err)) != CU_OK)
			break;
		(*count)++;
	}
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

/* The end of an import that brought something in: the inventory summary
 * (content root), the IMPORT entry, the DERIVE entry when files were
 * decrypted, and the manifest's acquisitions[] entry. */
static enum cu_status finish(struct cu_import_ctx *x, const char *abort_msg, struct cu_error *err)
{
	struct cu_ingest_summary sum;
	struct cu_buf subj = CU_BUF_INIT;
	enum cu_status st;

	cu_progress_finish(&x->run.prog);
	/* The image's SHA-256 from the import's own pass, when no earlier
	 * import made it worth reading the image first. */
	const char *own = json_string_value(
	    json_object_get(json_object_get(x->run.details, "source_digests"), "sha256"));
	if (x->src_sha256[0] == '\0' && own != NULL) {
		snprintf(x->src_sha256, sizeof(x->src_sha256), "%s", own);
		if (x->acq != NULL)
			json_object_set_new(json_object_get(x->acq, "source"), "sha256",
					    json_string(own));
	}
	if ((st = cu_ingest_summarize(x->run.w, &sum, err)) != CU_OK ||
	    (st = entry_subject(x, &subj, err)) != CU_OK)
		goto out;
	/* Everything that changes the manifest comes before its hash: the
	 * facts read from the device and their comparison with the seizure
	 * record, then the acquisition's end. */
	if (x->run.os != NULL && strcmp(x->run.os, "Android") == 0)
		android_facts(x);
	if ((st = cu_import_check_facts(
		 x->run.c, x->run.item, "import",
		 x->run.os != NULL && strcmp(x->run.os, "iOS") == 0
		     ? "Info.plist and Manifest.plist (Lockdown) of the backup"
		     : "the imported image",
		 err)) != CU_OK ||
	    (st = acquisition_end(x, abort_msg, &sum, err)) != CU_OK ||
	    (st = cu_extract_manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK ||
	    (st = import_entry(x, abort_msg, &sum, subj.data, err)) != CU_OK)
		goto out;
	if (sum.derived_files > 0 && (st = derive_entry(x, &sum, subj.data, err)) != CU_OK)
		goto out;
	if ((st = cu_import_record_mismatches(x->run.c, x->run.item, subj.data, &x->st.mismatches,
					      err)) != CU_OK)
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
	    (st = cu_extract_manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK)
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
	    (st = cu_extract_manifest_hash(x->run.c, x->manifest_sha256, err)) != CU_OK)
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
	json_decref(x->again_of);
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
	x.run.max_expansion = opts->max_expansion;
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
	if ((st = precheck(&x, err)) != CU_OK)
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
	x.st.warnings += x.st.mismatches;
	if (stats != NULL)
		*stats = x.st;
out:
	ctx_release(&x);
	return st;
}
