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
