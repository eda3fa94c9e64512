/*
 * test_core_manifest.c - typed item facts of a manifest (core/manifest.c):
 * lookup order (seizure.items[] first, then the top-level items[] import
 * fills), single-valued facts, IMEI/MSISDN lists (a string alone, arrays
 * with non-strings), and NULL or malformed manifests giving no facts;
 * field paths of `custos case set` ("a.b[0].c"): get, set, append,
 * created parents, and every malformed form refused.
 */
#include "core/core.h"
#include "tests/harness/tap.h"

#include <string.h>

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *m = json_loads(text, 0, &je);

	if (m == NULL)
		tap_diag("bad test JSON: %s", je.text);
	return m;
}

static void test_lookup(void)
{
	json_t *m = parse("{\"seizure\": {\"items\": [{\"item_id\": \"A\", \"name\": \"seized A\"},"
			  " {\"item_id\": 7}, {\"item_id\": \"B\", \"name\": \"seized B\"}]},"
			  " \"items\": [{\"item_id\": \"B\", \"name\": \"imported B\"},"
			  " {\"item_id\": \"C\", \"name\": \"imported C\"}]}");
	struct cu_item_facts f;

	tap_ok(cu_manifest_items(m, CU_MANIFEST_SEIZED) != NULL, "seizure.items[] found");
	tap_is_int((int64_t)json_array_size(cu_manifest_items(m, CU_MANIFEST_IMPORTED)), 2,
		   "top-level items[] found");
	cu_manifest_item_facts(cu_manifest_item(m, "B"), &f);
	tap_is_str(f.name, "seized B", "an item in both lists: the seizure record first");
	cu_manifest_item_facts(cu_manifest_item_in(m, CU_MANIFEST_IMPORTED, "B"), &f);
	tap_is_str(f.name, "imported B", "one list asked for: that list");
	cu_manifest_item_facts(cu_manifest_item(m, "C"), &f);
	tap_is_str(f.name, "imported C", "an item only import knows");
	tap_ok(cu_manifest_item_in(m, CU_MANIFEST_SEIZED, "C") == NULL,
	       "not in the seizure record");
	tap_ok(cu_manifest_item(m, "Z") == NULL, "an unknown item: NULL");
	tap_ok(cu_manifest_item(m, NULL) == NULL, "a NULL id: NULL");
	json_decref(m);

	m = parse("{\"seizure\": {\"items\": {\"item_id\": \"A\"}}, \"items\": \"x\"}");
	tap_ok(cu_manifest_items(m, CU_MANIFEST_SEIZED) == NULL &&
		   cu_manifest_items(m, CU_MANIFEST_IMPORTED) == NULL,
	       "lists that are not arrays: NULL");
	tap_ok(cu_manifest_item(m, "A") == NULL, "and no item");
	json_decref(m);
	tap_ok(cu_manifest_items(NULL, CU_MANIFEST_SEIZED) == NULL && !cu_manifest_item(NULL, "A"),
	       "a NULL manifest: nothing");
}

static void test_facts(void)
{
	json_t *m = parse("{\"seizure\": {\"items\": [{\"item_id\": \"P1\", \"name\": \"phone\","
			  " \"source\": \"holder\", \"os\": \"Android\", \"os_version\": 13,"
			  " \"build\": \"TQ3A\", \"make\": \"top-level make\","
			  " \"features\": {\"make\": \"Xiaomi\", \"model\": \"M2012K11AC\"},"
			  " \"identifiers\": {\"serial\": [\"SER1\", \"SER2\"], \"udid\": null,"
			  " \"meid\": \"MEID1\", \"ecid\": [7, \"E\"], \"iccid\": \"8986\","
			  " \"imsi\": \"46000\"}}]}}");
	struct cu_item_facts f;

	memset(&f, 0xff, sizeof(f));
	cu_manifest_item_facts(cu_manifest_item(m, "P1"), &f);
	tap_is_str(f.item_id, "P1", "item_id");
	tap_is_str(f.name, "phone", "name");
	tap_is_str(f.source, "holder", "source");
	tap_is_str(f.os, "Android", "os");
	tap_ok(f.os_version == NULL, "a number where a string belongs: NULL");
	tap_is_str(f.build, "TQ3A", "build");
	tap_is_str(f.make, "Xiaomi", "make from features");
	tap_is_str(f.model, "M2012K11AC", "model from features");
	tap_is_str(f.serial, "SER1", "an identifier given as an array: its first element");
	tap_ok(f.udid == NULL, "null identifier: NULL");
	tap_is_str(f.meid, "MEID1", "meid");
	tap_ok(f.ecid == NULL, "array whose first element is not a string: NULL");
	tap_is_str(f.iccid, "8986", "iccid");
	tap_is_str(f.imsi, "46000", "imsi");
	memset(&f, 0xff, sizeof(f));
	cu_manifest_item_facts(NULL, &f);
	tap_ok(f.item_id == NULL && f.make == NULL && f.serial == NULL && f.imsi == NULL,
	       "a NULL item: every fact NULL");
	json_decref(m);
}

static void test_lists(void)
{
	json_t *m = parse("{\"items\": [{\"item_id\": \"A\", \"identifiers\": {\"imei\": "
			  "[\"111\", null, 5, \"222\"], \"msisdn\": \"13800000000\"}},"
			  " {\"item_id\": \"B\", \"identifiers\": {\"imei\": \"333\"}},"
			  " {\"item_id\": \"C\", \"identifiers\": {\"imei\": {\"x\": \"1\"}}},"
			  " {\"item_id\": \"D\"}]}");
	const json_t *a = cu_manifest_item(m, "A"), *b = cu_manifest_item(m, "B");

	tap_is_str(cu_manifest_item_imei(a, 0), "111", "first IMEI");
	tap_is_str(cu_manifest_item_imei(a, 1), "222", "non-strings skipped");
	tap_ok(cu_manifest_item_imei(a, 2) == NULL, "NULL past the last");
	tap_is_str(cu_manifest_item_msisdn(a, 0), "13800000000",
		   "a single string is a list of one");
	tap_ok(cu_manifest_item_msisdn(a, 1) == NULL, "of one");
	tap_is_str(cu_manifest_item_imei(b, 0), "333", "single IMEI string");
	tap_ok(cu_manifest_item_imei(b, 1) == NULL, "only one");
	tap_ok(cu_manifest_item_imei(cu_manifest_item(m, "C"), 0) == NULL, "an object: no IMEI");
	tap_ok(cu_manifest_item_imei(cu_manifest_item(m, "D"), 0) == NULL, "no identifiers");
	tap_ok(cu_manifest_item_imei(NULL, 0) == NULL, "NULL item");
	json_decref(m);
}

static void test_paths(void)
{
	json_t *m = parse("{\"case\": {\"case_number\": \"X\"}, \"seizure\": {\"items\": "
			  "[{\"item_id\": \"A1\", \"identifiers\": {\"imei\": [\"1\"]}}]}}");
	static const char *const bad[] = {"",    ".a", "a.",    "a..b",  "a[",    "a[]",   "a[x]",
					  "[0]", "a]", "a[0]b", "a.[0]", "a[0].", "a[-1]", NULL};
	struct cu_error err;
	json_t *v;

	tap_is_str(json_string_value(cu_manifest_get_path(m, "case.case_number")), "X",
		   "get case.case_number");
	tap_is_str(
	    json_string_value(cu_manifest_get_path(m, "seizure.items[0].identifiers.imei[0]")), "1",
	    "get through lists");
	tap_ok(cu_manifest_get_path(m, "seizure.items[1]") == NULL, "get past the end: NULL");
	TAP_MUST(cu_manifest_set_path(m, "seizure.items[0].identifiers.imei[1]", json_string("2"),
				      &err));
	tap_is_int(
	    (int64_t)json_array_size(cu_manifest_get_path(m, "seizure.items[0].identifiers.imei")),
	    2, "[size] appends");
	TAP_MUST(cu_manifest_set_path(m, "seizure.location.text", json_string("here"), &err));
	tap_is_str(json_string_value(cu_manifest_get_path(m, "seizure.location.text")), "here",
		   "missing objects on the way are created");
	TAP_MUST(cu_manifest_set_path(m, "extra.list[0].k", json_integer(3), &err));
	tap_ok(json_is_array(cu_manifest_get_path(m, "extra.list")),
	       "a missing parent before [N] is created as a list");
	v = json_string("y");
	tap_is_int(cu_manifest_set_path(m, "seizure.items[3].name", v, &err), CU_E_USAGE,
		   "an index past the end is refused");
	tap_is_int(cu_manifest_set_path(m, "case.case_number.x", v, &err), CU_E_USAGE,
		   "a step into a plain value is refused");
	tap_is_int(cu_manifest_set_path(m, "case[0]", v, &err), CU_E_USAGE,
		   "[N] on an object is refused");
	for (size_t i = 0; bad[i] != NULL; i++)
		tap_is_int(cu_manifest_set_path(m, bad[i], v, &err), CU_E_USAGE,
			   "malformed path '%s' refused", bad[i]);
	json_decref(v); /* still ours: every refused set leaves it to the caller */
	json_decref(m);
}

int main(void)
{
	tap_plan(58);
	test_lookup();
	test_facts();
	test_lists();
	test_paths();
	return tap_done();
}
