/* test_core_json.c - canonical JSON writer and the jansson loader. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static void test_nested(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;

	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_kv_int(&j, "v", 1);
	cu_json_kv_str(&j, "event", "CASE_INIT");
	cu_json_key(&j, "list");
	cu_json_arr_begin(&j);
	cu_json_int(&j, -9223372036854775807LL - 1);
	cu_json_uint(&j, UINT64_MAX);
	cu_json_bool(&j, false);
	cu_json_null(&j);
	cu_json_str(&j, NULL);
	cu_json_arr_begin(&j);
	cu_json_arr_end(&j);
	cu_json_obj_begin(&j);
	cu_json_obj_end(&j);
	cu_json_raw(&j, "{\"x\":[1]}", 9);
	cu_json_arr_end(&j);
	cu_json_kv_bool(&j, "ok", true);
	cu_json_key(&j, "sub");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "a", "");
	cu_json_obj_end(&j);
	cu_json_obj_end(&j);
	tap_is_int(cu_json_finish(&j, &err), CU_OK, "nested document finishes");
	tap_is_str(b.data,
		   "{\"v\":1,\"event\":\"CASE_INIT\",\"list\":[-9223372036854775808,"
		   "18446744073709551615,false,null,null,[],{},{\"x\":[1]}],\"ok\":true,"
		   "\"sub\":{\"a\":\"\"}}",
		   "exact bytes of a nested document");
	cu_buf_release(&b);
}

static void test_escaping(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;
	const char s[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f中😀";

	cu_json_init(&j, &b);
	cu_json_strn(&j, s, sizeof(s) - 1);
	tap_is_int(cu_json_finish(&j, &err), CU_OK, "string finishes");
	tap_is_str(b.data, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f中😀\"",
		   "escaping of quotes, backslash, controls; '/', DEL, non-ASCII as is");
	tap_is_int((int64_t)j.replaced, 0, "nothing replaced");

	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "k\x01\xff");
	cu_json_strn(&j, "a\0b\xc0\xaf\xed\xa0\x80\xe4\xb8", 10);
	cu_json_obj_end(&j);
	tap_is_int(cu_json_finish(&j, &err), CU_OK, "invalid UTF-8 is not an error");
	tap_is_str(b.data,
		   "{\"k\\u0001\xef\xbf\xbd\":\"a\\u0000b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}",
		   "invalid bytes become U+FFFD, NUL becomes \\u0000");
	tap_is_int((int64_t)j.replaced, 8, "replacements counted");
	tap_ok(cu_utf8_valid(b.data, b.len), "output is valid UTF-8");
	{
		json_t *v = NULL;

		tap_is_int(cu_json_load_str(b.data, b.len, "out", &v, &err), CU_OK,
			   "jansson reads the output back");
		json_decref(v);
	}
	cu_buf_release(&b);
}

static void test_errors(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;
	size_t len;
	int i;

	cu_json_init(&j, &b);
	for (i = 0; i < CU_JSON_MAX_DEPTH + 5; i++)
		cu_json_arr_begin(&j);
	len = b.len;
	cu_json_int(&j, 1);
	for (i = 0; i < CU_JSON_MAX_DEPTH + 5; i++)
		cu_json_arr_end(&j);
	tap_is_int((int64_t)len, CU_JSON_MAX_DEPTH, "writing stopped at the depth cap");
	tap_is_int((int64_t)b.len, (int64_t)len, "later calls are no-ops (sticky)");
	tap_is_int(cu_json_finish(&j, &err), CU_E_LIMIT, "finish reports the depth cap");
	tap_ok(strstr(err.msg, "64") != NULL, "message names the cap: %s", err.msg);

	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_int(&j, 1);
	tap_is_int(cu_json_finish(&j, &err), CU_E_INTERNAL, "value without key refused");

	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_arr_begin(&j);
	cu_json_key(&j, "k");
	tap_is_int(cu_json_finish(&j, &err), CU_E_INTERNAL, "key in array refused");

	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_arr_end(&j);
	tap_is_int(cu_json_finish(&j, &err), CU_E_INTERNAL, "mismatched end refused");

	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "k");
	tap_is_int(cu_json_finish(&j, &err), CU_E_INTERNAL, "unfinished document refused");

	/* An allocation failure is sticky too. */
	cu_buf_release(&b);
	cu_json_init(&j, &b);
	cu_alloc_fail_after(1);
	cu_json_arr_begin(&j);
	cu_alloc_fail_after(0);
	cu_json_int(&j, 1);
	cu_json_arr_end(&j);
	tap_is_int(cu_json_finish(&j, &err), CU_E_NOMEM, "allocation failure reported by finish");
	tap_ok(b.len == 0, "nothing written after the failure");

	/* A buffer cap is a sticky error too. */
	cu_buf_release(&b);
	cu_buf_init(&b, 8);
	cu_json_init(&j, &b);
	cu_json_arr_begin(&j);
	cu_json_str(&j, "0123456789");
	cu_json_int(&j, 5);
	cu_json_arr_end(&j);
	tap_is_int(cu_json_finish(&j, &err), CU_E_LIMIT, "buffer cap reported by finish");
	cu_buf_release(&b);
}

static void test_jansson(const char *tmp)
{
	const char doc[] = "{\"z\":1,\"a\":[true,false,null,1.5,-0.25,1e+300,2.0,\"s\\u0000t\"],"
			   "\"m\":{\"y\":\"\xe4\xb8\xad\",\"b\":{}},\"n\":-42,\"e\":[]}";
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;
	json_t *v = NULL;
	char path[4096];

	tap_is_int(cu_json_load_str(doc, sizeof(doc) - 1, "doc", &v, &err), CU_OK, "load");
	cu_json_init(&j, &b);
	cu_json_jansson(&j, v);
	tap_is_int(cu_json_finish(&j, &err), CU_OK, "write jansson value");
	tap_is_str(b.data,
		   "{\"z\":1,\"a\":[true,false,null,1.5,-0.25,1.0000000000000001e+300,2.0,"
		   "\"s\\u0000t\"],\"m\":{\"y\":\"\xe4\xb8\xad\",\"b\":{}},\"n\":-42,\"e\":[]}",
		   "round trip keeps key order, integers, reals and NUL in strings");
	json_decref(v);
	v = NULL;

	/* Embedding inside a document under construction. */
	cu_buf_reset(&b);
	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "meta");
	cu_json_jansson(&j, NULL);
	cu_json_key(&j, "x");
	v = json_pack("{s:i,s:s}", "b", 2, "a", "q\"");
	cu_json_jansson(&j, v);
	cu_json_obj_end(&j);
	TAP_MUST(cu_json_finish(&j, &err));
	tap_is_str(b.data, "{\"meta\":null,\"x\":{\"b\":2,\"a\":\"q\\\"\"}}",
		   "jansson value as an object member");
	json_decref(v);
	v = NULL;

	tap_is_int(cu_json_load_str("{\"a\":1,\"a\":2}", 13, "dup.json", &v, &err), CU_E_FORMAT,
		   "duplicate keys rejected");
	tap_is_int(cu_json_load_str("{\n\"a\":1,\n  x}", 14, "bad.json", &v, &err), CU_E_FORMAT,
		   "syntax error");
	tap_ok(strstr(err.msg, "'bad.json': line 3 column") != NULL,
	       "error names file and line: %s", err.msg);
	tap_is_int(cu_json_load_str("\"\xff\"", 3, "u", &v, &err), CU_E_FORMAT,
		   "invalid UTF-8 input rejected");

	snprintf(path, sizeof(path), "%s/m.json", tmp);
	TAP_MUST(cu_file_write_atomic(path, doc, sizeof(doc) - 1, 0644, &err));
	tap_is_int(cu_json_load_file(path, 4096, &v, &err), CU_OK, "load file");
	tap_ok(json_is_object(v) && json_integer_value(json_object_get(v, "n")) == -42,
	       "file content parsed");
	json_decref(v);
	v = NULL;
	tap_is_int(cu_json_load_file(path, 10, &v, &err), CU_E_LIMIT, "file over max refused");
	tap_ok(strstr(err.msg, path) != NULL, "limit names the file");
	snprintf(path, sizeof(path), "%s/bad.json", tmp);
	TAP_MUST(cu_file_write_atomic(path, "[1,\n2,\n", 7, 0644, &err));
	tap_is_int(cu_json_load_file(path, 4096, &v, &err), CU_E_FORMAT, "truncated file");
	tap_ok(strstr(err.msg, path) != NULL && strstr(err.msg, "line 3") != NULL,
	       "names the file and line: %s", err.msg);
	cu_buf_release(&b);
}

int main(void)
{
	const char *tmp = tap_tmpdir("core_json");

	tap_plan(35);
	test_nested();
	test_escaping();
	test_errors();
	if (tmp != NULL)
		test_jansson(tmp);
	else
		tap_ok(false, "temporary directory");
	return tap_done();
}
