/*
 * case_record.c - pieces of the case's record that import and every device
 * acquisition write the same way (record_int.h), and which item of the
 * case a device acquisition goes into,
 * the same rules for every kind of phone (Android over ADB, iPhone over
 * usbmuxd) and the same as import's: --item (a listed item, or an unlisted
 * one with --new-item --reason), the item of an unfinished acquisition of
 * this device on --resume, the seizure list's only item, else the device's
 * own id (or ITEMn). An item that already holds evidence is never written
 * into again except by --resume.
 */
#include "extract/extract.h"
#include "extract/record_int.h"

#include <string.h>
#include <sys/stat.h>

static bool inventory_nonempty(struct cu_case *c, const char *id)
{
	struct cu_buf rel = CU_BUF_INIT, abs = CU_BUF_INIT;
	struct cu_error e;
	struct stat sb;
	bool yes = false;
	if (cu_buf_printf(&rel, &e, "inventory/%s.jsonl", id) == CU_OK &&
	    cu_case_path(c, rel.data, &abs, &e) == CU_OK && lstat(abs.data, &sb) == 0)
		yes = sb.st_size > 0;
	cu_buf_release(&rel);
	cu_buf_release(&abs);
	return yes;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

enum cu_status cu_acquire_choose_item(struct cu_case *c, const struct cu_acquire_opts *o,
				      bool resume, struct cu_acquire_choice *ch,
				      struct cu_error *err)
{
	const json_t *arr = cu_manifest_items(c->manifest, CU_MANIFEST_SEIZED), *it;
	struct cu_buf ids = CU_BUF_INIT;
	const char *only = NULL, *id = NULL;
	json_t *running = resume ? ch->unfinished : NULL;
	size_t i, nseized = 0;
	enum cu_status st = CU_OK;
	struct cu_error e;
	char gen[32];

	ch->item[0] = '\0';
	ch->new_item = false;
	ch->acq = NULL;
	json_array_foreach(arr, i, it)
	{
		const char *v = jstr(it, "item_id");
		if (v == NULL)
			continue;
		if (cu_buf_printf(&ids, &e, "%s%s", nseized ? ", " : "", v) != CU_OK)
			cu_buf_reset(&ids);
		only = nseized == 0 ? v : NULL;
		nseized++;
	}
	if (o->new_item && (o->reason == NULL || o->reason[0] == '\0')) {
		st = cu_error_set(err, CU_E_USAGE,
				  "--new-item needs --reason TEXT: the reason is recorded in the "
				  "custody log and the manifest");
		goto out;
	}
	if (o->item != NULL) {
		bool listed = cu_manifest_item_in(c->manifest, CU_MANIFEST_SEIZED, o->item);
		if (listed ? cu_case_item_check(o->item, &e) != CU_OK
			   : !cu_import_item_id_safe(o->item)) {
			st = cu_error_set(err, CU_E_USAGE,
					  "item id '%s' is not usable: use letters, digits, '.', "
					  "'_' and '-' (at most 64)",
					  o->item);
			goto out;
		}
		if (!listed && nseized > 0 && !o->new_item) {
			st = cu_error_set(
			    err, CU_E_USAGE,
			    "item '%s' is not in the seizure list (%s) of '%s/manifest.json': "
			    "acquire into a listed item with --item ID, or record an exhibit the "
			    "list does not name with --new-item --reason TEXT",
			    o->item, ids.data ? ids.data : "", c->dir);
			goto out;
		}
		ch->new_item = !listed && o->new_item;
		id = o->item;
	} else if (running != NULL) {
		id = jstr(running, "item_id");
	} else if (nseized == 1) {
		id = only;
	} else if (nseized > 1) {
		st = cu_error_set(err, CU_E_USAGE,
				  "the seizure list names %zu items (%s): say which one the %s "
				  "'%s' is with --item ID",
				  nseized, ids.data ? ids.data : "", ch->what, ch->device);
		goto out;
	} else {
		for (size_t k = 0; k < sizeof(ch->ids) / sizeof(ch->ids[0]) && id == NULL; k++)
			if (ch->ids[k] != NULL && cu_import_item_id_safe(ch->ids[k]))
				id = ch->ids[k];
		for (unsigned k = 1; id == NULL; k++) {
			snprintf(gen, sizeof(gen), "ITEM%u", k);
			if (cu_manifest_item(c->manifest, gen) == NULL &&
			    !inventory_nonempty(c, gen))
				id = gen;
		}
	}
	if (id == NULL || strlen(id) >= sizeof(ch->item)) {
		st = cu_error_set(err, CU_E_USAGE, "no usable item id for the %s '%s'", ch->what,
				  ch->device);
		goto out;
	}
	snprintf(ch->item, sizeof(ch->item), "%s", id);
	if (running != NULL && jstr(running, "item_id") != NULL &&
	    strcmp(jstr(running, "item_id"), ch->item) == 0)
		ch->acq = running;
	if (resume && ch->acq == NULL) {
		st = cu_error_set(err, CU_E_USAGE,
				  "nothing to resume: no unfinished acquisition of the %s '%s' "
				  "into item '%s' in '%s'",
				  ch->what, ch->device, ch->item, c->dir);
		goto out;
	}
	if (!resume && inventory_nonempty(c, ch->item)) {
		st = cu_error_set(err, CU_E_USAGE,
				  "item '%s' already holds evidence (inventory/%s.jsonl): %s%s%s%s",
				  ch->item, ch->item,
				  ch->unfinished ? "the acquisition of this " : "",
				  ch->unfinished ? ch->what : "",
				  ch->unfinished ? " did not finish: finish it with " : "",
				  ch->unfinished ? ch->resume_hint
						 : "acquire into another item with --item NEW-ID");
		goto out;
	}
out:
	cu_buf_release(&ids);
	return st;
}

json_t *cu_extract_manifest_array(struct cu_case *c, const char *key)
{
	json_t *a = json_object_get(c->manifest, key);
	if (!json_is_array(a)) {
		a = json_array();
		if (a == NULL || json_object_set_new(c->manifest, key, a) != 0)
			return NULL;
	}
	return a;
}

json_t *cu_extract_obj_child(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(o, key, v);
	}
	return v;
}

enum cu_status cu_extract_manifest_hash(struct cu_case *c, char hex[65], struct cu_error *err)
{
	struct cu_buf text = CU_BUF_INIT;
	enum cu_status st = cu_manifest_serialize(c->manifest, &text, err);

	if (st == CU_OK)
		cu_sha256_hex(text.data, text.len, hex);
	cu_buf_release(&text);
	return st;
}

void cu_extract_json_list(struct cu_json *j, const char *key, const char *elements)
{
	cu_json_key(j, key);
	cu_json_arr_begin(j);
	if (elements[0] != '\0')
		cu_json_raw(j, elements, strlen(elements));
	cu_json_arr_end(j);
}
