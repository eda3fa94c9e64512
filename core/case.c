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
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#define MANIFEST_MAX ((size_t)64 << 20)
#define ITEM_ID_MAX 128

/* ------------------------------------------------------------------ */
/* The actor of tool-made entries                                      */
/* ------------------------------------------------------------------ */

static char *actor_name, *actor_id, *actor_role;
static struct cu_actor actor_set;

void cu_case_set_actor(const char *name, const char *id, const char *role)
{
	free(actor_name);
	free(actor_id);
	free(actor_role);
	actor_name = name ? cu_strdup(name) : NULL;
	actor_id = id ? cu_strdup(id) : NULL;
	actor_role = role ? cu_strdup(role) : NULL;
	actor_set.name = actor_name;
	actor_set.id = actor_id;
	actor_set.role = actor_role ? actor_role : "examiner";
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
	return &tool_actor;
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
		return cu_error_set(err, CU_E_USAGE,
				    "item id '%s' must not start with '.' or '-'", item);
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
		st = cu_error_set(err, CU_E_FORMAT, "manifest '%s' is not a JSON object",
				  path.data);
		goto fail;
	}
	if ((st = cu_case_path(c, CU_CASE_CUSTODY, &path, err)) != CU_OK)
		goto fail;
	if ((st = cu_custody_open(path.data, false, (flags & CU_CASE_REPAIR) != 0, &c->custody,
				  err)) != CU_OK)
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
	char *s = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
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
