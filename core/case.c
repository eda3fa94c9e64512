/*
 * case.c - the case directory (layout in core.h): open, paths, manifest
 * saving, the default actor, the item list, and creating a new case
 * (`custos case init`, also used by `custos run`).
 */
#include "config.h"
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define MANIFEST_MAX ((size_t)64 << 20)
#define ITEM_ID_MAX  128

/* ------------------------------------------------------------------ */
/* The actor of tool-made entries                                      */
/* ------------------------------------------------------------------ */

static char *actor_name, *actor_id, *actor_role;
static struct cu_actor actor_set;
/* The case's default examiner (CASE_INIT details.default_examiner), taken
 * by cu_case_open when neither --examiner nor CUSTOS_EXAMINER names one. */
static char *case_examiner;
static struct cu_actor case_actor;

enum cu_status cu_case_set_actor(const char *name, const char *id, const char *role,
				 struct cu_error *err)
{
	char *n = name ? cu_strdup(name) : NULL, *i = id ? cu_strdup(id) : NULL,
	     *r = role ? cu_strdup(role) : NULL;

	/* All or nothing: a half-set actor would sign entries with the wrong name. */
	if ((name && !n) || (id && !i) || (role && !r)) {
		free(n);
		free(i);
		free(r);
		return cu_error_set(err, CU_E_NOMEM, "out of memory setting the examiner's name");
	}
	free(actor_name);
	free(actor_id);
	free(actor_role);
	actor_name = n;
	actor_id = i;
	actor_role = r;
	actor_set.name = actor_name;
	actor_set.id = actor_id;
	actor_set.role = actor_role ? actor_role : "examiner";
	return CU_OK;
}

const struct cu_actor *cu_case_default_actor(void)
{
	static struct cu_actor env_actor, tool_actor = {"custos", NULL, "tool"};
	const char *e;

	if (actor_set.name != NULL && actor_set.name[0] != '\0')
		return &actor_set;
	e = getenv("CUSTOS_EXAMINER");
	if (e != NULL && e[0] != '\0') {
		env_actor.name = e;
		env_actor.id = NULL;
		env_actor.role = "examiner";
		return &env_actor;
	}
	if (case_actor.name != NULL)
		return &case_actor;
	return &tool_actor;
}

bool cu_case_examiner_named(void)
{
	return strcmp(cu_case_default_actor()->role ? cu_case_default_actor()->role : "", "tool") !=
	       0;
}

/* Adopts the case's default examiner (from its CASE_INIT entry). */
static enum cu_status adopt_case_examiner(const char *name, struct cu_error *err)
{
	char *n;

	if (name == NULL || name[0] == '\0')
		return CU_OK;
	if ((n = cu_strdup(name)) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory setting the examiner's name");
	free(case_examiner);
	case_examiner = n;
	case_actor.name = case_examiner;
	case_actor.id = NULL;
	case_actor.role = "examiner";
	return CU_OK;
}

/* Reads the first line of DIR/custody/log.jsonl (the CASE_INIT entry). */
enum cu_status cu_case_settings_read(const char *dir, struct cu_case_settings *out,
				     struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT, first = CU_BUF_INIT;
	json_t *line = NULL;
	const json_t *d;
	const char *v;
	enum cu_status st;
	FILE *f = NULL;
	int ch;

	memset(out, 0, sizeof(*out));
	if ((st = cu_path_join(dir, CU_CASE_CUSTODY, &path, err)) != CU_OK)
		goto out;
	f = fopen(path.data, "rb");
	if (f == NULL) {
		st = cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				    "cannot open custody log '%s'", path.data);
		goto out;
	}
	cu_buf_init(&first, (size_t)1 << 20);
	while ((ch = fgetc(f)) != EOF && ch != '\n')
		if ((st = cu_buf_putc(&first, (char)ch, err)) != CU_OK)
			goto out;
	if (first.len == 0 ||
	    cu_json_load_str(first.data, first.len, "custody line", &line, NULL) != CU_OK) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "custody log '%s' has no readable CASE_INIT "
				  "entry",
				  path.data);
		goto out;
	}
	d = json_object_get(json_object_get(line, "body"), "details");
	if ((v = json_string_value(json_object_get(d, "default_examiner"))) != NULL)
		snprintf(out->examiner, sizeof(out->examiner), "%s", v);
	if ((v = json_string_value(json_object_get(d, "sign_key_id"))) != NULL)
		snprintf(out->sign_key_id, sizeof(out->sign_key_id), "%s", v);
out:
	if (f != NULL)
		fclose(f);
	json_decref(line);
	cu_buf_release(&path);
	cu_buf_release(&first);
	return st;
}

/* ------------------------------------------------------------------ */
/* Items                                                               */
/* ------------------------------------------------------------------ */

/* An item id names CASE/inventory/<item>.jsonl and CASE/evidence/<item>/,
 * so it must be one harmless path component. */
enum cu_status cu_case_item_check(const char *item, struct cu_error *err)
{
	size_t n;

	if (item == NULL || item[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "empty item id");
	n = strlen(item);
	if (n > ITEM_ID_MAX)
		return cu_error_set(err, CU_E_USAGE, "item id '%.40s...' is longer than %d bytes",
				    item, ITEM_ID_MAX);
	if (!cu_utf8_valid(item, n))
		return cu_error_set(err, CU_E_USAGE, "item id is not valid UTF-8");
	if (item[0] == '.' || item[0] == '-')
		return cu_error_set(err, CU_E_USAGE, "item id '%s' must not start with '.' or '-'",
				    item);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)item[i];
		if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == ':' || ch == '*' ||
		    ch == '?' || ch == '"' || ch == '<' || ch == '>' || ch == '|' || ch == ' ')
			return cu_error_set(err, CU_E_USAGE,
					    "item id '%s' contains a character not allowed in "
					    "a file name (use letters, digits, '-', '_', '.')",
					    item);
	}
	return CU_OK;
}

void cu_strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cu_status strv_push(char ***v, size_t *n, size_t *cap, const char *s, size_t len,
				struct cu_error *err)
{
	char *d;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **p = cu_reallocarray(*v, nc, sizeof(*p));
		if (p == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory listing items");
		*v = p;
		*cap = nc;
	}
	d = cu_strndup(s, len);
	if (d == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory listing items");
	(*v)[(*n)++] = d;
	return CU_OK;
}

enum cu_status cu_case_items(struct cu_case *c, char ***items, size_t *n, struct cu_error *err)
{
	struct cu_buf dirpath = CU_BUF_INIT;
	char **v = NULL;
	size_t count = 0, cap = 0, uniq = 0;
	DIR *d = NULL;
	struct dirent *de;
	enum cu_status st;
	json_t *arr, *it;
	size_t idx;

	if ((st = cu_case_path(c, "inventory", &dirpath, err)) != CU_OK)
		goto out;
	d = opendir(dirpath.data);
	if (d == NULL && errno != ENOENT) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot list '%s'", dirpath.data);
		goto out;
	}
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 6 || !cu_str_has_suffix(de->d_name, ".jsonl"))
			continue;
		if ((st = strv_push(&v, &count, &cap, de->d_name, len - 6, err)) != CU_OK)
			goto out;
	}
	arr = json_object_get(json_object_get(c->manifest, "seizure"), "items");
	json_array_foreach(arr, idx, it)
	{
		const char *id = json_string_value(json_object_get(it, "item_id"));
		if (id == NULL || cu_case_item_check(id, NULL) != CU_OK)
			continue;
		if ((st = strv_push(&v, &count, &cap, id, strlen(id), err)) != CU_OK)
			goto out;
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_str);
	for (size_t i = 0; i < count; i++) {
		if (uniq > 0 && strcmp(v[uniq - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[uniq++] = v[i];
	}
	*items = v;
	*n = uniq;
	v = NULL;
	count = 0;
out:
	if (d != NULL)
		closedir(d);
	cu_strv_free(v, count);
	cu_buf_release(&dirpath);
	return st;
}

/* ------------------------------------------------------------------ */
/* Open, paths, manifest                                               */
/* ------------------------------------------------------------------ */

enum cu_status cu_case_path(const struct cu_case *c, const char *rel, struct cu_buf *out,
			    struct cu_error *err)
{
	cu_buf_reset(out);
	return cu_path_join(c->dir, rel, out, err);
}

enum cu_status cu_case_open_ex(const char *dir, unsigned flags, struct cu_case **out,
			       struct cu_error *err)
{
	struct cu_case *c = NULL;
	struct cu_buf path = CU_BUF_INIT;
	char *abs = NULL;
	enum cu_status st;

	if (dir == NULL || dir[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "no case directory given");
	abs = realpath(dir, NULL);
	if (abs == NULL)
		return cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				      "case directory '%s'", dir);
	c = cu_calloc(1, sizeof(*c));
	if (c == NULL) {
		free(abs);
		return cu_error_set(err, CU_E_NOMEM, "out of memory opening case '%s'", dir);
	}
	c->dir = abs;
	if ((st = cu_case_path(c, CU_CASE_MANIFEST, &path, err)) != CU_OK)
		goto fail;
	if (!cu_file_exists(path.data)) {
		st = cu_error_set(err, CU_E_NOTFOUND,
				  "'%s' is not a case directory (no %s): create one with "
				  "'custos case init DIR --case-id ID' or name it with --case DIR",
				  abs, CU_CASE_MANIFEST);
		goto fail;
	}
	if ((st = cu_json_load_file(path.data, MANIFEST_MAX, &c->manifest, err)) != CU_OK)
		goto fail;
	if (!json_is_object(c->manifest)) {
		st =
		    cu_error_set(err, CU_E_FORMAT, "manifest '%s' is not a JSON object", path.data);
		goto fail;
	}
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &path, err)) != CU_OK)
		goto fail;
	if ((st = cu_custody_open(path.data, false, (flags & CU_CASE_REPAIR) != 0, &c->custody,
				  err)) != CU_OK)
		goto fail;
	if ((st = adopt_case_examiner(cu_custody_case_examiner(c->custody), err)) != CU_OK)
		goto fail;
	cu_buf_release(&path);
	*out = c;
	return CU_OK;
fail:
	cu_buf_release(&path);
	cu_case_close(c);
	return st;
}

enum cu_status cu_case_open(const char *dir, struct cu_case **out, struct cu_error *err)
{
	return cu_case_open_ex(dir, 0, out, err);
}

void cu_case_close(struct cu_case *c)
{
	if (c == NULL)
		return;
	cu_custody_close(c->custody);
	json_decref(c->manifest);
	free(c->dir);
	free(c);
}

enum cu_status cu_manifest_serialize(const json_t *m, struct cu_buf *out, struct cu_error *err)
{
	/* 2-space indent, insertion order kept, UTF-8 as is; reals with 15
	 * significant digits so "39.9" stays "39.9" (DBL_DIG round trip). */
	char *s = json_dumps(m, CU_MANIFEST_JSON_FLAGS);
	enum cu_status st;

	if (s == NULL)
		return cu_error_set(err, CU_E_NOMEM, "cannot serialise the manifest");
	cu_buf_reset(out);
	st = cu_buf_puts(out, s, err);
	if (st == CU_OK)
		st = cu_buf_putc(out, '\n', err);
	free(s);
	return st;
}

enum cu_status cu_case_save_manifest(struct cu_case *c, struct cu_error *err)
{
	struct cu_buf text = CU_BUF_INIT, path = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_manifest_serialize(c->manifest, &text, err)) != CU_OK)
		goto out;
	if ((st = cu_case_path(c, CU_CASE_MANIFEST, &path, err)) != CU_OK)
		goto out;
	st = cu_file_write_atomic(path.data, text.data, text.len, 0644, err);
out:
	cu_buf_release(&text);
	cu_buf_release(&path);
	return st;
}

/* ------------------------------------------------------------------ */
/* Creating a case (custos case init)                                  */
/* ------------------------------------------------------------------ */

static const char *const case_subdirs[] = {"custody",   "evidence", "derived",
					   "inventory", "work",     "report"};

/* Keys the tool fills or orders itself; the partial's other keys follow. */
static const char *const known_keys[] = {
    "format",    "format_version", "package_id",   "created", "tool",    "case",
    "personnel", "seizure",        "acquisitions", "files",   "derived", NULL,
};

static bool is_known_key(const char *k)
{
	for (size_t i = 0; known_keys[i] != NULL; i++)
		if (strcmp(known_keys[i], k) == 0)
			return true;
	return false;
}

/*
 * SHA-256 of a personal ID number as stored in id_sha256: surrounding white
 * space dropped and ASCII letters upper-cased first, so "11010519491231002x"
 * and "11010519491231002X" (the check digit of GB 11643 ID numbers) agree.
 */
static enum cu_status id_digest(const char *id, char out[65], struct cu_error *err)
{
	size_t n = strlen(id), a = 0, b = n;
	char *norm;

	while (a < b && (id[a] == ' ' || id[a] == '\t'))
		a++;
	while (b > a && (id[b - 1] == ' ' || id[b - 1] == '\t'))
		b--;
	norm = cu_strndup(id + a, b - a);
	if (norm == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory hashing an ID number");
	for (size_t i = 0; norm[i]; i++)
		if (norm[i] >= 'a' && norm[i] <= 'z')
			norm[i] = (char)(norm[i] - 'a' + 'A');
	cu_sha256_hex(norm, strlen(norm), out);
	OPENSSL_cleanse(norm, b - a);
	free(norm);
	return CU_OK;
}

/* Replaces every "id_number" member (plain personal ID) by "id_sha256" in
 * place (same position), recursively; keep_ids keeps the plain number too. */
static enum cu_status hash_ids(json_t *v, bool keep_ids, size_t *count, struct cu_error *err)
{
	const char *key;
	json_t *e, *copy = NULL;
	size_t i;
	enum cu_status st;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			if ((st = hash_ids(e, keep_ids, count, err)) != CU_OK)
				return st;
		}
		return CU_OK;
	}
	if (!json_is_object(v))
		return CU_OK;
	json_object_foreach(v, key, e)
	{
		if ((st = hash_ids(e, keep_ids, count, err)) != CU_OK)
			return st;
	}
	if (!json_is_string(json_object_get(v, "id_number")))
		return CU_OK;
	copy = json_object();
	if (copy == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory hashing ID numbers");
	json_object_foreach(v, key, e)
	{
		if (strcmp(key, "id_sha256") == 0)
			continue; /* recomputed from id_number */
		if (strcmp(key, "id_number") == 0) {
			char hex[65];
			if ((st = id_digest(json_string_value(e), hex, err)) != CU_OK) {
				json_decref(copy);
				return st;
			}
			if (keep_ids)
				json_object_set(copy, "id_number", e);
			json_object_set_new(copy, "id_sha256", json_string(hex));
			(*count)++;
			continue;
		}
		json_object_set(copy, key, e);
	}
	json_object_clear(v);
	json_object_update(v, copy);
	json_decref(copy);
	return CU_OK;
}

static json_t *tool_object(const struct cu_case_init_opts *opts)
{
	json_t *t = json_object(), *libs = json_object();
	char target[CU_PATH_MAX];
	ssize_t n;
	struct cu_digests d;
	const char *sha = NULL;

	/* The running binary as a forensic tool record: its own SHA-256. */
	n = readlink("/proc/self/exe", target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (cu_hash_file(target, CU_HASH_SHA256, &d, NULL) == CU_OK)
			sha = d.sha256;
	}
	json_object_set_new(t, "name", json_string(PACKAGE_NAME));
	json_object_set_new(t, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(t, "build_commit", json_string(CUSTOS_BUILD_COMMIT));
	json_object_set_new(t, "sha256", sha ? json_string(sha) : json_null());
	for (size_t i = 0; i < opts->n_libraries; i++) {
		const struct cu_library *l = &opts->libraries[i];
		char key[64];
		size_t k = 0;
		for (; l->name[k] != '\0' && k + 1 < sizeof(key); k++)
			key[k] = (l->name[k] >= 'A' && l->name[k] <= 'Z')
				     ? (char)(l->name[k] - 'A' + 'a')
				     : l->name[k];
		key[k] = '\0';
		json_object_set_new(libs, key, json_string(l->version));
	}
	json_object_set_new(t, "libraries", libs);
	return t;
}

/* case object with case_number first (from --case-id when absent). */
static enum cu_status case_object(const json_t *partial, const char *case_id, json_t **out,
				  struct cu_error *err)
{
	const json_t *pc = json_object_get(partial, "case");
	const json_t *num = json_object_get(pc, "case_number");
	json_t *c = json_object();
	const char *key;
	json_t *v;

	if (pc != NULL && !json_is_object(pc)) {
		json_decref(c);
		return cu_error_set(err, CU_E_FORMAT, "manifest: 'case' should be an object");
	}
	if (json_is_string(num) && strcmp(json_string_value(num), case_id) != 0) {
		json_decref(c);
		return cu_error_set(err, CU_E_USAGE,
				    "--case-id '%s' differs from case.case_number '%s' in the "
				    "manifest: give the same number or leave one out",
				    case_id, json_string_value(num));
	}
	json_object_set_new(c, "case_number", json_string(case_id));
	json_object_foreach((json_t *)pc, key, v)
	{
		if (strcmp(key, "case_number") != 0)
			json_object_set(c, key, v);
	}
	*out = c;
	return CU_OK;
}

static json_t *obj_or_new(const json_t *partial, const char *key)
{
	json_t *v = json_object_get(partial, key);
	return v ? json_deep_copy(v) : json_object();
}

static json_t *arr_or_new(const json_t *partial, const char *key)
{
	json_t *v = json_object_get(partial, key);
	return v ? json_deep_copy(v) : json_array();
}

static enum cu_status build_manifest(const json_t *partial, const struct cu_case_init_opts *opts,
				     json_t **out, struct cu_error *err)
{
	json_t *m = json_object(), *c = NULL, *pers, *v;
	char when[CU_TIME_STR];
	const char *key;
	enum cu_status st;

	if (!cu_time_format_ms(cu_time_now_ms(), when)) {
		json_decref(m);
		return cu_error_set(err, CU_E_INTERNAL, "the system clock is out of range");
	}
	if ((st = case_object(partial, opts->case_id, &c, err)) != CU_OK) {
		json_decref(m);
		return st;
	}
	json_object_set_new(m, "format", json_string("custos-manifest"));
	json_object_set_new(m, "format_version", json_integer(1));
	v = json_object_get(partial, "package_id");
	json_object_set_new(m, "package_id", v ? json_deep_copy(v) : json_null());
	json_object_set_new(m, "created", json_string(when));
	json_object_set_new(m, "tool", tool_object(opts));
	json_object_set_new(m, "case", c);
	pers = obj_or_new(partial, "personnel");
	if (json_is_object(pers) && opts->n_examiners > 0) {
		json_t *ex = json_object_get(pers, "examiners");
		if (ex == NULL) {
			ex = json_array();
			json_object_set_new(pers, "examiners", ex);
		}
		for (size_t i = 0; json_is_array(ex) && i < opts->n_examiners; i++) {
			bool dup = false;
			size_t j;
			json_t *e;
			json_array_foreach(ex, j, e)
			{
				const char *nm = json_string_value(json_object_get(e, "name"));
				if (nm != NULL && strcmp(nm, opts->examiners[i]) == 0)
					dup = true;
			}
			if (!dup)
				json_array_append_new(ex, json_pack("{s:s,s:s}", "name",
								    opts->examiners[i], "role",
								    "examiner"));
		}
	}
	json_object_set_new(m, "personnel", pers);
	json_object_set_new(m, "seizure", obj_or_new(partial, "seizure"));
	json_object_set_new(m, "acquisitions", arr_or_new(partial, "acquisitions"));
	json_object_set_new(m, "files", arr_or_new(partial, "files"));
	json_object_set_new(m, "derived", arr_or_new(partial, "derived"));
	json_object_foreach((json_t *)partial, key, v)
	{
		if (!is_known_key(key))
			json_object_set_new(m, key, json_deep_copy(v));
	}
	*out = m;
	return CU_OK;
}

/* DIR must not exist or be an empty directory. */
static enum cu_status prepare_dir(const char *dir, bool *created, struct cu_error *err)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	enum cu_status st;

	*created = false;
	if (lstat(dir, &sb) != 0) {
		if (errno != ENOENT)
			return cu_error_errno(err, CU_E_IO, errno, "cannot check '%s'", dir);
		if ((st = cu_mkdirs(dir, 0750, false, err)) == CU_OK)
			*created = true;
		return st;
	}
	if (!S_ISDIR(sb.st_mode))
		return cu_error_set(err, CU_E_EXISTS, "'%s' exists and is not a directory", dir);
	d = opendir(dir);
	if (d == NULL)
		return cu_error_errno(err, CU_E_IO, errno, "cannot read directory '%s'", dir);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		closedir(d);
		return cu_error_set(err, CU_E_EXISTS,
				    "'%s' already exists and is not empty: a case is never "
				    "created over other files; choose a new directory",
				    dir);
	}
	closedir(d);
	return CU_OK;
}

/*
 * Undoes a case init that failed before its CASE_INIT entry was written
 * (disk full, permissions): only what it created, only while empty (rmdir
 * refuses anything else), so a rerun is not refused as "not empty".
 */
static void remove_skeleton(const struct cu_case *c, bool created_dir)
{
	struct cu_buf p = CU_BUF_INIT;

	if (cu_case_path(c, CU_CASE_CUSTODY, &p, NULL) == CU_OK)
		(void)unlink(p.data);
	if (cu_case_path(c, CU_CASE_MANIFEST, &p, NULL) == CU_OK)
		(void)unlink(p.data);
	if (cu_case_path(c, CU_CASE_MANIFEST_INITIAL, &p, NULL) == CU_OK)
		(void)unlink(p.data);
	for (size_t i = 0; i < sizeof(case_subdirs) / sizeof(case_subdirs[0]); i++)
		if (cu_case_path(c, case_subdirs[i], &p, NULL) == CU_OK)
			(void)rmdir(p.data);
	if (created_dir)
		(void)rmdir(c->dir);
	cu_buf_release(&p);
}

const char *cu_manifest_badge(const json_t *m, const char *name)
{
	const json_t *inv = json_object_get(json_object_get(m, "personnel"), "investigators");
	size_t i;
	json_t *e;

	json_array_foreach(inv, i, e)
	{
		const char *nm = json_string_value(json_object_get(e, "name"));
		if (nm != NULL && strcmp(nm, name) == 0)
			return json_string_value(json_object_get(e, "badge"));
	}
	return NULL;
}

/* "missing_fields": the lines of miss (one field name each) as a JSON array. */
static void missing_fields_json(struct cu_json *j, const struct cu_buf *miss)
{
	cu_json_key(j, "missing_fields");
	cu_json_arr_begin(j);
	for (size_t a = 0; miss->data != NULL && a < miss->len;) {
		char *nl = memchr(miss->data + a, '\n', miss->len - a);
		size_t len = nl ? (size_t)(nl - (miss->data + a)) : miss->len - a;
		cu_json_strn(j, miss->data + a, len);
		a += len + 1;
	}
	cu_json_arr_end(j);
}

/* The actor of an entry: a person named without an id gets the badge the
 * manifest gives them (personnel.investigators[]). */
static struct cu_actor actor_with_badge(const json_t *manifest)
{
	struct cu_actor actor = *cu_case_default_actor();

	if (actor.id == NULL && strcmp(actor.role ? actor.role : "", "tool") != 0)
		actor.id = cu_manifest_badge(manifest, actor.name);
	return actor;
}

enum cu_status cu_case_init(const char *dir, const struct cu_case_init_opts *opts,
			    struct cu_case **out, struct cu_buf *missing, size_t *n_missing,
			    struct cu_error *err)
{
	json_t *partial = NULL, *m = NULL, *items;
	struct cu_case tmp = {0};
	struct cu_custody *log = NULL;
	struct cu_buf text = CU_BUF_INIT, path = CU_BUF_INIT, details = CU_BUF_INIT,
		      subject = CU_BUF_INIT, miss = CU_BUF_INIT;
	size_t nmiss = 0, ids = 0, idx;
	char mhex[65];
	struct cu_json j;
	struct cu_actor actor;
	json_t *it;
	enum cu_status st;
	bool created = false, skeleton = false;
	const struct cu_signer *case_key =
	    opts->case_key ? opts->case_key : cu_custody_default_signer();
	const struct cu_signer *init_signer = case_key ? case_key : opts->signer;
	struct cu_buf pub64 = CU_BUF_INIT;

	if (dir == NULL || dir[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "case init: no directory given");
	if (opts->case_id == NULL || opts->case_id[0] == '\0' ||
	    !cu_utf8_valid(opts->case_id, strlen(opts->case_id)) || strlen(opts->case_id) > 256)
		return cu_error_set(err, CU_E_USAGE,
				    "case init: --case-id must be a non-empty UTF-8 case number");

	/* Everything is checked before anything is created. */
	if (case_key != NULL) {
		unsigned char raw[32];
		if (!cu_signer_has_private(case_key))
			return cu_error_set(err, CU_E_KEY,
					    "case init: the case signing key %s is a public key: "
					    "give the private key (custos keygen -o KEY.pem)",
					    cu_signer_key_id(case_key));
		if (opts->signer != NULL &&
		    strcmp(cu_signer_key_id(opts->signer), cu_signer_key_id(case_key)) != 0)
			return cu_error_set(err, CU_E_USAGE,
					    "case init: --sign names key %s but the case signing "
					    "key is %s: give one key",
					    cu_signer_key_id(opts->signer),
					    cu_signer_key_id(case_key));
		if ((st = cu_signer_raw_public(case_key, raw, err)) != CU_OK ||
		    (st = cu_base64_encode(raw, 32, &pub64, err)) != CU_OK)
			goto out;
	}
	for (size_t i = 0; i < opts->n_examiners; i++)
		if (opts->examiners[i] == NULL || opts->examiners[i][0] == '\0' ||
		    !cu_utf8_valid(opts->examiners[i], strlen(opts->examiners[i])))
			return cu_error_set(err, CU_E_USAGE,
					    "case init: examiner name %zu is empty or not valid "
					    "UTF-8 (check the terminal's encoding)",
					    i + 1);
	{
		const struct cu_actor *a = cu_case_default_actor();
		const char *f[3] = {a->name, a->id, a->role};
		for (size_t i = 0; i < 3; i++)
			if (f[i] != NULL && !cu_utf8_valid(f[i], strlen(f[i])))
				return cu_error_set(
				    err, CU_E_USAGE,
				    "case init: the examiner's name (CUSTOS_EXAMINER "
				    "or --examiner) is not valid UTF-8");
	}
	if (opts->manifest_path != NULL) {
		if ((st = cu_json_load_file(opts->manifest_path, MANIFEST_MAX, &partial, err)) !=
		    CU_OK)
			goto out;
		if (!json_is_object(partial)) {
			st = cu_error_set(err, CU_E_FORMAT, "manifest '%s' is not a JSON object",
					  opts->manifest_path);
			goto out;
		}
	} else {
		partial = json_object();
	}
	if ((st = hash_ids(partial, opts->keep_ids, &ids, err)) != CU_OK)
		goto out;
	if ((st = build_manifest(partial, opts, &m, err)) != CU_OK)
		goto out;
	if ((st = cu_manifest_check(m, &miss, &nmiss, err)) != CU_OK) {
		if (opts->manifest_path != NULL)
			cu_error_prefix(err, "'%s'", opts->manifest_path);
		goto out;
	}
	items = json_object_get(json_object_get(m, "seizure"), "items");
	json_array_foreach(items, idx, it)
	{
		const char *id = json_string_value(json_object_get(it, "item_id"));
		struct cu_error ierr;
		if (id != NULL && cu_case_item_check(id, &ierr) != CU_OK) {
			st = cu_error_set(err, CU_E_FORMAT,
					  "manifest seizure.items[%zu].item_id: %s", idx, ierr.msg);
			goto out;
		}
	}

	if ((st = prepare_dir(dir, &created, err)) != CU_OK)
		goto out;
	skeleton = true;
	tmp.dir = realpath(dir, NULL);
	if (tmp.dir == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot resolve '%s'", dir);
		goto out;
	}
	for (size_t i = 0; i < sizeof(case_subdirs) / sizeof(case_subdirs[0]); i++) {
		if ((st = cu_case_path(&tmp, case_subdirs[i], &path, err)) != CU_OK)
			goto out;
		if (mkdir(path.data, 0750) != 0 && errno != EEXIST) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", path.data);
			goto out;
		}
	}
	tmp.manifest = m;
	if ((st = cu_manifest_serialize(m, &text, err)) != CU_OK ||
	    (st = cu_case_save_manifest(&tmp, err)) != CU_OK)
		goto out;
	cu_sha256_hex(text.data, text.len, mhex);
	/* The manifest as first given, kept as it is (CASE_INIT names its hash). */
	if ((st = cu_case_path(&tmp, CU_CASE_MANIFEST_INITIAL, &path, err)) != CU_OK ||
	    (st = cu_file_write_atomic(path.data, text.data, text.len, 0444, err)) != CU_OK)
		goto out;

	if ((st = cu_case_path(&tmp, CU_CASE_CUSTODY, &path, err)) != CU_OK ||
	    (st = cu_custody_open(path.data, true, false, &log, err)) != CU_OK)
		goto out;
	if (cu_custody_size(log) != 0) {
		st = cu_error_set(err, CU_E_EXISTS, "custody log '%s' is not empty", path.data);
		goto out;
	}
	cu_json_init(&j, &subject);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "case_id", opts->case_id);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &details);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "manifest_sha256", mhex);
	cu_json_kv_str(&j, "clock", cu_time_is_fixed() ? "fixed" : "system");
	/* Case settings the later commands read back from this entry: the
	 * default examiner (the first --examiner) and a signed case's key. */
	if (opts->n_examiners > 0)
		cu_json_kv_str(&j, "default_examiner", opts->examiners[0]);
	if (case_key != NULL) {
		cu_json_kv_str(&j, "sign_key_id", cu_signer_key_id(case_key));
		cu_json_kv_str(&j, "sign_public_key", pub64.data);
	}
	cu_json_key(&j, "ids_hashed");
	cu_json_uint(&j, ids);
	missing_fields_json(&j, &miss);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	actor = actor_with_badge(m);
	if ((st = cu_custody_append(log, "CASE_INIT", &actor, subject.data, details.data,
				    init_signer, err)) != CU_OK)
		goto out;
	skeleton = false; /* a valid case from here on: never removed */
	if ((st = cu_fsync_dir(tmp.dir, err)) != CU_OK)
		goto out;
	if (out != NULL && (st = cu_case_open(tmp.dir, out, err)) != CU_OK)
		goto out;
	if (n_missing != NULL)
		*n_missing = nmiss;
	if (missing != NULL) {
		cu_buf_reset(missing);
		if (miss.len > 0 &&
		    (st = cu_buf_append(missing, miss.data, miss.len, err)) != CU_OK)
			goto out;
	}
out:
	cu_custody_close(log);
	if (st != CU_OK && skeleton && tmp.dir != NULL)
		remove_skeleton(&tmp, created);
	json_decref(partial);
	json_decref(m);
	free(tmp.dir);
	cu_buf_release(&text);
	cu_buf_release(&path);
	cu_buf_release(&details);
	cu_buf_release(&subject);
	cu_buf_release(&miss);
	cu_buf_release(&pub64);
	return st;
}

/* ------------------------------------------------------------------ */
/* Manifest changes: explained by custody, recorded when made          */
/* ------------------------------------------------------------------ */

#define CUSTODY_READ_MAX ((size_t)1 << 30)

/* Entries that write manifest.json and name its new SHA-256 in
 * details.manifest_sha256 (docs/custody.md). */
static const char *const manifest_writers[] = {
    "CASE_INIT", "MANIFEST_CHANGE", "ACQUIRE_START", "IMPORT", "ACQUIRE_END", "ERROR", NULL};

struct explain {
	char last[65];  /* manifest_sha256 of the last writer */
	char init[65];  /* of CASE_INIT */
	char event[32]; /* the last writer's event */
	uint64_t seq;   /* and its seq */
	bool found;
};

static enum cu_status explain_entry(const struct cu_custody_entry *e, void *ctx,
				    struct cu_error *err)
{
	struct explain *x = ctx;
	const json_t *body = json_object_get(e->json, "body");
	const char *ev = json_string_value(json_object_get(body, "event"));
	const char *h =
	    json_string_value(json_object_get(json_object_get(body, "details"), "manifest_sha256"));
	bool writer = false;

	(void)err;
	for (size_t i = 0; ev != NULL && manifest_writers[i] != NULL; i++)
		if (strcmp(ev, manifest_writers[i]) == 0)
			writer = true;
	if (!writer || h == NULL || strlen(h) != 64)
		return CU_OK;
	snprintf(x->last, sizeof(x->last), "%s", h);
	snprintf(x->event, sizeof(x->event), "%s", ev);
	x->seq = e->seq;
	x->found = true;
	if (strcmp(ev, "CASE_INIT") == 0 && x->init[0] == '\0')
		snprintf(x->init, sizeof(x->init), "%s", h);
	return CU_OK;
}

/* The SHA-256 of a case file as it is on disk; *absent when there is none. */
static enum cu_status case_file_sha256(struct cu_case *c, const char *rel, char hex[65],
				       bool *absent, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT, data = CU_BUF_INIT;
	enum cu_status st;

	*absent = false;
	if ((st = cu_case_path(c, rel, &path, err)) != CU_OK)
		goto out;
	if (!cu_file_exists(path.data)) {
		*absent = true;
		goto out;
	}
	if ((st = cu_file_read_all(path.data, MANIFEST_MAX, &data, err)) != CU_OK)
		goto out;
	cu_sha256_hex(data.data ? data.data : "", data.len, hex);
out:
	cu_buf_release(&path);
	cu_buf_release(&data);
	return st;
}

static enum cu_status explain_walk(struct cu_case *c, struct explain *x, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT, log = CU_BUF_INIT;
	struct cu_custody_check chk;
	enum cu_status st;

	memset(x, 0, sizeof(*x));
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &path, err)) != CU_OK)
		goto out;
	if ((st = cu_file_read_all(path.data, CUSTODY_READ_MAX, &log, err)) != CU_OK)
		goto out;
	st = cu_custody_each_buf(log.data ? log.data : "", log.len, path.data, NULL, explain_entry,
				 x, &chk, err);
out:
	cu_buf_release(&path);
	cu_buf_release(&log);
	return st;
}

enum cu_status cu_custody_initial_manifest(const char *log, size_t n, const char *what,
					   char hex[65], struct cu_error *err)
{
	struct explain x;
	struct cu_custody_check chk;
	enum cu_status st;

	memset(&x, 0, sizeof(x));
	if ((st = cu_custody_each_buf(log, n, what, NULL, explain_entry, &x, &chk, err)) != CU_OK)
		return st;
	if (x.init[0] == '\0')
		return cu_error_set(err, CU_E_NOTFOUND,
				    "%s has no CASE_INIT entry naming a manifest_sha256", what);
	memcpy(hex, x.init, 65);
	return CU_OK;
}

enum cu_status cu_case_manifest_explained(struct cu_case *c, uint64_t *last_seq,
					  struct cu_error *err)
{
	struct explain x;
	char now[65] = "", first[65] = "";
	bool absent;
	enum cu_status st;

	if ((st = explain_walk(c, &x, err)) != CU_OK)
		return cu_error_prefix(err, "checking which custody entry wrote manifest.json");
	if ((st = case_file_sha256(c, CU_CASE_MANIFEST, now, &absent, err)) != CU_OK)
		return st;
	if (absent)
		return cu_error_set(err, CU_E_INTEGRITY, "'%s/%s' is missing", c->dir,
				    CU_CASE_MANIFEST);
	if (!x.found)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "no custody entry of '%s' names a manifest hash (no CASE_INIT "
				    "entry with manifest_sha256): the case's log is not the one "
				    "case init wrote",
				    c->dir);
	if (strcmp(now, x.last) != 0)
		return cu_error_set(
		    err, CU_E_INTEGRITY,
		    "'%s/%s' (sha256 %s) was changed outside custos: the last entry that wrote "
		    "it (seq %llu %s) names sha256 %s; no custody entry explains the change. "
		    "Restore the recorded version and make changes with 'custos case set FIELD "
		    "VALUE --reason TEXT' or 'custos case edit --reason TEXT' (or record the "
		    "file as found with 'custos case edit --adopt --reason TEXT'); if an import "
		    "was interrupted, finish it with 'custos import --resume'",
		    c->dir, CU_CASE_MANIFEST, now, (unsigned long long)x.seq, x.event, x.last);
	if ((st = case_file_sha256(c, CU_CASE_MANIFEST_INITIAL, first, &absent, err)) != CU_OK)
		return st;
	if (absent)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "'%s/%s' (the manifest as first given at case init) is "
				    "missing: it is kept unchanged for the record",
				    c->dir, CU_CASE_MANIFEST_INITIAL);
	if (x.init[0] == '\0' || strcmp(first, x.init) != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "'%s/%s' (sha256 %s) is not the manifest the CASE_INIT entry "
				    "names (sha256 %s): the manifest as first given was altered",
				    c->dir, CU_CASE_MANIFEST_INITIAL, first,
				    x.init[0] ? x.init : "none");
	if (last_seq != NULL)
		*last_seq = x.seq;
	return CU_OK;
}

/* ---- the difference of two manifests, as {path, old, new} ---- */

static enum cu_status diff_add(json_t *changes, const char *path, const json_t *a, const json_t *b,
			       struct cu_error *err)
{
	json_t *ch = json_object();

	if (ch == NULL || json_object_set_new(ch, "path", json_string(path)) != 0 ||
	    (a != NULL && json_object_set(ch, "old", (json_t *)a) != 0) ||
	    (b != NULL && json_object_set(ch, "new", (json_t *)b) != 0) ||
	    json_array_append_new(changes, ch) != 0) {
		json_decref(ch);
		return cu_error_set(err, CU_E_NOMEM, "out of memory comparing manifests");
	}
	return CU_OK;
}

static enum cu_status diff(json_t *changes, struct cu_buf *path, const json_t *a, const json_t *b,
			   int depth, struct cu_error *err)
{
	size_t mark = path->len;
	enum cu_status st = CU_OK;
	const char *key;
	json_t *v;

	if (a != NULL && b != NULL && json_equal((json_t *)a, (json_t *)b))
		return CU_OK;
	if (depth > 64 || a == NULL || b == NULL || json_typeof(a) != json_typeof(b) ||
	    (!json_is_object(a) && !json_is_array(a)))
		return diff_add(changes, path->len ? path->data : "(whole manifest)", a, b, err);
	if (json_is_object(a)) {
		/* a's keys in its order, then keys only b has */
		json_object_foreach((json_t *)a, key, v)
		{
			path->len = mark;
			if ((st = cu_buf_printf(path, err, "%s%s", mark ? "." : "", key)) !=
				CU_OK ||
			    (st = diff(changes, path, v, json_object_get(b, key), depth + 1,
				       err)) != CU_OK)
				goto out;
		}
		json_object_foreach((json_t *)b, key, v)
		{
			if (json_object_get(a, key) != NULL)
				continue;
			path->len = mark;
			if ((st = cu_buf_printf(path, err, "%s%s", mark ? "." : "", key)) !=
				CU_OK ||
			    (st = diff(changes, path, NULL, v, depth + 1, err)) != CU_OK)
				goto out;
		}
	} else {
		size_t na = json_array_size(a), nb = json_array_size(b);
		for (size_t i = 0; i < (na > nb ? na : nb); i++) {
			path->len = mark;
			if ((st = cu_buf_printf(path, err, "[%zu]", i)) != CU_OK ||
			    (st = diff(changes, path, json_array_get(a, i), json_array_get(b, i),
				       depth + 1, err)) != CU_OK)
				goto out;
		}
	}
out:
	path->len = mark;
	if (path->data != NULL)
		path->data[mark] = '\0';
	return st;
}

enum cu_status cu_case_manifest_change(struct cu_case *c, json_t *next,
				       const struct cu_manifest_change_opts *opts,
				       size_t *n_changes, struct cu_error *err)
{
	struct cu_buf text = CU_BUF_INIT, details = CU_BUF_INIT, path = CU_BUF_INIT,
		      miss = CU_BUF_INIT;
	struct cu_error e2;
	json_t *changes = NULL, *cur = NULL;
	char before[65], after[65];
	size_t nmiss = 0;
	bool absent, unexplained = false;
	struct cu_json j;
	struct cu_actor actor;
	struct explain x;
	enum cu_status st;

	if (opts->reason == NULL || opts->reason[0] == '\0' ||
	    !cu_utf8_valid(opts->reason, strlen(opts->reason)))
		return cu_error_set(err, CU_E_USAGE,
				    "a manifest change needs --reason TEXT (UTF-8): it is "
				    "recorded in the MANIFEST_CHANGE custody entry");
	if (!json_is_object(next))
		return cu_error_set(err, CU_E_FORMAT, "the new manifest is not a JSON object");
	if ((st = cu_manifest_check(next, &miss, &nmiss, err)) != CU_OK)
		return cu_error_prefix(err, "the changed manifest is refused (nothing written)");

	/* The change starts from the recorded manifest, never from a hand edit. */
	cu_error_clear(&e2);
	if (cu_case_manifest_explained(c, NULL, &e2) != CU_OK) {
		if (e2.code != CU_E_INTEGRITY || !opts->adopt) {
			*err = e2;
			st = e2.code;
			goto out;
		}
		unexplained = true;
	} else if (opts->adopt) {
		st = cu_error_set(err, CU_E_USAGE,
				  "--adopt is only for a manifest.json no custody entry explains; "
				  "this one is explained: leave --adopt out");
		goto out;
	}
	if ((st = explain_walk(c, &x, err)) != CU_OK ||
	    (st = case_file_sha256(c, CU_CASE_MANIFEST, before, &absent, err)) != CU_OK)
		goto out;
	if ((st = cu_case_path(c, CU_CASE_MANIFEST, &path, err)) != CU_OK ||
	    (st = cu_json_load_file(path.data, MANIFEST_MAX, &cur, err)) != CU_OK)
		goto out;

	if ((changes = json_array()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	cu_buf_reset(&path);
	if ((st = diff(changes, &path, cur, next, 0, err)) != CU_OK)
		goto out;
	if (json_array_size(changes) == 0 && !unexplained) {
		st = cu_error_set(err, CU_E_USAGE,
				  "the manifest of '%s' is unchanged: nothing recorded", c->dir);
		goto out;
	}
	if ((st = cu_manifest_serialize(next, &text, err)) != CU_OK)
		goto out;
	cu_sha256_hex(text.data, text.len, after);

	cu_json_init(&j, &details);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "command", opts->command ? opts->command : "set");
	cu_json_kv_str(&j, "reason", opts->reason);
	cu_json_key(&j, "changes");
	cu_json_jansson(&j, changes);
	cu_json_kv_str(&j, "manifest_sha256_before", before);
	cu_json_kv_str(&j, "manifest_sha256", after);
	if (unexplained) {
		cu_json_key(&j, "unexplained_before");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "found_sha256", before);
		cu_json_kv_str(&j, "recorded_sha256", x.found ? x.last : NULL);
		cu_json_obj_end(&j);
	}
	missing_fields_json(&j, &miss);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	actor = actor_with_badge(next);
	/* Entry first: a crash before the save leaves a manifest the log does
	 * not explain, which verify reports, never a silent change. */
	if ((st = cu_custody_append(c->custody, "MANIFEST_CHANGE", &actor, NULL, details.data,
				    opts->signer, err)) != CU_OK)
		goto out;
	json_incref(next);
	json_decref(c->manifest);
	c->manifest = next;
	if ((st = cu_case_path(c, CU_CASE_MANIFEST, &path, err)) != CU_OK ||
	    (st = cu_file_write_atomic(path.data, text.data, text.len, 0644, err)) != CU_OK)
		goto out;
	if (n_changes != NULL)
		*n_changes = json_array_size(changes);
out:
	json_decref(changes);
	json_decref(cur);
	cu_buf_release(&text);
	cu_buf_release(&details);
	cu_buf_release(&path);
	cu_buf_release(&miss);
	return st;
}

enum cu_status cu_case_lock_work(const struct cu_case *c, int *fd_out, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT;
	enum cu_status rc;
	int fd = -1;

	if ((rc = cu_case_path(c, "work", &path, err)) != CU_OK ||
	    (rc = cu_mkdirs(path.data, 0755, false, err)) != CU_OK)
		goto out;
	fd = open(path.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "opening '%s'", path.data);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			rc =
			    cu_error_set(err, CU_E_EXISTS,
					 "another `custos parse` or `custos analyze` is running on "
					 "this case (it holds '%s'); wait for it to finish",
					 path.data);
		else
			rc = cu_error_errno(err, CU_E_IO, errno, "locking '%s'", path.data);
		close(fd);
		goto out;
	}
	*fd_out = fd;
out:
	cu_buf_release(&path);
	return rc;
}
