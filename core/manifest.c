/*
 * manifest.c - typed facts of the manifest's items (MANIFEST.md items[],
 * seizure.items[]), so that parsers, report and analysis read an item's
 * IMEIs, serial or model one way instead of each walking the JSON.
 */
#include "core/core.h"

#include <string.h>

static const char *str_of(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A string, or the first element of an array when that is a string. */
static const char *first_str_of(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The i-th string of identifiers.<key> (a string alone is a list of one). */
static const char *nth_str_of(const json_t *item, const char *key, size_t i)
{
	const json_t *ids = json_is_object(item) ? json_object_get(item, "identifiers") : NULL;
	const json_t *v = json_is_object(ids) ? json_object_get(ids, key) : NULL, *x;
	size_t k, seen = 0;

	if (json_is_string(v))
		return i == 0 ? json_string_value(v) : NULL;
	json_array_foreach(v, k, x)
	{
		if (!json_is_string(x))
			continue;
		if (seen++ == i)
			return json_string_value(x);
	}
	return NULL;
}

const json_t *cu_manifest_items(const json_t *m, enum cu_manifest_list list)
{
	const json_t *v;

	if (!json_is_object(m))
		return NULL;
	v = list == CU_MANIFEST_SEIZED ? json_object_get(json_object_get(m, "seizure"), "items")
				       : json_object_get(m, "items");
	return json_is_array(v) ? v : NULL;
}

const json_t *cu_manifest_item_in(const json_t *m, enum cu_manifest_list list, const char *item_id)
{
	const json_t *x;
	size_t i;

	if (item_id == NULL)
		return NULL;
	json_array_foreach(cu_manifest_items(m, list), i, x)
	{
		const char *id = str_of(x, "item_id");

		if (id != NULL && strcmp(id, item_id) == 0)
			return x;
	}
	return NULL;
}

const json_t *cu_manifest_item(const json_t *m, const char *item_id)
{
	const json_t *x = cu_manifest_item_in(m, CU_MANIFEST_SEIZED, item_id);

	return x != NULL ? x : cu_manifest_item_in(m, CU_MANIFEST_IMPORTED, item_id);
}

void cu_manifest_item_facts(const json_t *item, struct cu_item_facts *out)
{
	const json_t *feat = json_is_object(item) ? json_object_get(item, "features") : NULL;
	const json_t *ids = json_is_object(item) ? json_object_get(item, "identifiers") : NULL;

	memset(out, 0, sizeof(*out));
	out->item_id = str_of(item, "item_id");
	out->name = str_of(item, "name");
	out->source = str_of(item, "source");
	out->make = str_of(feat, "make");
	out->model = str_of(feat, "model");
	out->os = str_of(item, "os");
	out->os_version = str_of(item, "os_version");
	out->build = str_of(item, "build");
	out->serial = first_str_of(ids, "serial");
	out->udid = first_str_of(ids, "udid");
	out->meid = first_str_of(ids, "meid");
	out->ecid = first_str_of(ids, "ecid");
	out->iccid = first_str_of(ids, "iccid");
	out->imsi = first_str_of(ids, "imsi");
}

const char *cu_manifest_item_imei(const json_t *item, size_t i)
{
	return nth_str_of(item, "imei", i);
}

const char *cu_manifest_item_msisdn(const json_t *item, size_t i)
{
	return nth_str_of(item, "msisdn", i);
}

/* ------------------------------------------------------------------ */
/* Paths: "a.b[0].c"                                                   */
/* ------------------------------------------------------------------ */

#define PATH_STEPS_MAX 64

struct step {
	bool is_index;
	const char *key; /* not NUL-terminated */
	size_t key_len;
	size_t index;
};

static enum cu_status path_parse(const char *path, struct step *v, size_t *n, struct cu_error *err)
{
	const char *p = path;
	size_t k = 0;

	if (path == NULL || path[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "empty manifest field path");
	while (*p != '\0') {
		if (k == PATH_STEPS_MAX)
			return cu_error_set(err, CU_E_USAGE,
					    "manifest field path '%s' has more than %d steps", path,
					    PATH_STEPS_MAX);
		if (*p == '[') {
			size_t idx = 0, digits = 0;
			if (k == 0)
				goto bad;
			for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
				if (idx > (SIZE_MAX - 9) / 10)
					goto bad;
				idx = idx * 10 + (size_t)(*p - '0');
			}
			if (digits == 0 || *p != ']')
				goto bad;
			p++;
			v[k].is_index = true;
			v[k].index = idx;
			k++;
			if (*p == '.') {
				p++;
				if (*p == '\0' || *p == '.' || *p == '[')
					goto bad;
			} else if (*p != '\0' && *p != '[') {
				goto bad;
			}
			continue;
		}
		{
			const char *a = p;
			while (*p != '\0' && *p != '.' && *p != '[' && *p != ']')
				p++;
			if (p == a || *p == ']')
				goto bad;
			v[k].is_index = false;
			v[k].key = a;
			v[k].key_len = (size_t)(p - a);
			k++;
			if (*p == '.') {
				p++;
				if (*p == '\0' || *p == '.' || *p == '[')
					goto bad;
			}
		}
	}
	*n = k;
	return CU_OK;
bad:
	return cu_error_set(err, CU_E_USAGE,
			    "manifest field path '%s' is malformed: use object keys joined by '.' "
			    "and array elements as [N], e.g. seizure.items[0].identifiers.imei",
			    path);
}

static json_t *step_get(const json_t *cur, const struct step *s)
{
	char key[256];

	if (s->is_index)
		return json_is_array(cur) ? json_array_get(cur, s->index) : NULL;
	if (!json_is_object(cur) || s->key_len >= sizeof(key))
		return NULL;
	memcpy(key, s->key, s->key_len);
	key[s->key_len] = '\0';
	return json_object_get(cur, key);
}

const json_t *cu_manifest_get_path(const json_t *m, const char *path)
{
	struct step v[PATH_STEPS_MAX];
	size_t n = 0;
	const json_t *cur = m;

	if (path_parse(path, v, &n, NULL) != CU_OK)
		return NULL;
	for (size_t i = 0; i < n && cur != NULL; i++)
		cur = step_get(cur, &v[i]);
	return cur;
}

/* Puts value (stolen) at step s of container cur. */
static enum cu_status step_put(json_t *cur, const struct step *s, json_t *value, const char *path,
			       struct cu_error *err)
{
	char key[256];

	if (s->is_index) {
		size_t size = json_array_size(cur);
		if (!json_is_array(cur) || s->index > size) {
			json_decref(value);
			return cu_error_set(err, CU_E_USAGE,
					    "manifest field '%s': index [%zu] is past the end of a "
					    "list of %zu (use [%zu] to append)",
					    path, s->index, size, size);
		}
		if ((s->index == size ? json_array_append_new(cur, value)
				      : json_array_set_new(cur, s->index, value)) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory setting '%s'", path);
		return CU_OK;
	}
	if (s->key_len >= sizeof(key)) {
		json_decref(value);
		return cu_error_set(err, CU_E_USAGE, "manifest field '%s': key too long", path);
	}
	memcpy(key, s->key, s->key_len);
	key[s->key_len] = '\0';
	if (json_object_set_new(cur, key, value) != 0)
		return cu_error_set(err, CU_E_NOMEM, "out of memory setting '%s'", path);
	return CU_OK;
}

enum cu_status cu_manifest_set_path(json_t *m, const char *path, json_t *value,
				    struct cu_error *err)
{
	struct step v[PATH_STEPS_MAX];
	size_t n = 0;
	json_t *cur = m;
	enum cu_status st;

	if ((st = path_parse(path, v, &n, err)) != CU_OK)
		return st;
	if (!json_is_object(m))
		return cu_error_set(err, CU_E_FORMAT, "the manifest is not a JSON object");
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *next = step_get(cur, &v[i]);
		bool want_array = v[i + 1].is_index;

		if ((v[i].is_index && !json_is_array(cur)) ||
		    (!v[i].is_index && !json_is_object(cur)))
			return cu_error_set(err, CU_E_USAGE,
					    "manifest field '%s': step %zu goes into a value that "
					    "is neither an object nor a list",
					    path, i + 1);
		if (next == NULL || json_is_null(next)) {
			json_t *made = want_array ? json_array() : json_object();
			if (made == NULL)
				return cu_error_set(err, CU_E_NOMEM, "out of memory setting '%s'",
						    path);
			if ((st = step_put(cur, &v[i], made, path, err)) != CU_OK)
				return st;
			next = made;
		}
		cur = next;
	}
	if ((v[n - 1].is_index && !json_is_array(cur)) ||
	    (!v[n - 1].is_index && !json_is_object(cur)))
		return cu_error_set(err, CU_E_USAGE,
				    "manifest field '%s': its parent is %s, not %s", path,
				    json_is_array(cur)    ? "a list"
				    : json_is_object(cur) ? "an object"
							  : "a plain value",
				    v[n - 1].is_index ? "a list" : "an object");
	json_incref(value);
	st = step_put(cur, &v[n - 1], value, path, err);
	if (st == CU_OK)
		json_decref(value);
	return st;
}
