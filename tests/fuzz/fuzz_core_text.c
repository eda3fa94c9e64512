/*
 * fuzz_core_text.c - the core routines that take hostile text straight
 * from a device: UTF-8 validation, path escaping and device-path mapping,
 * the JSON string writer, RFC 3339 parsing, base64 and the JSON loader.
 * Each checks an invariant and aborts when it breaks:
 *   escape -> unescape is the identity, and the result is a safe component;
 *   a mapped device path passes cu_path_check_relative;
 *   JSON output is valid UTF-8 that jansson reads back (equal when the
 *   input was valid UTF-8);
 *   a parsed time formats and parses to the same instant;
 *   base64 decode -> encode is the identity (strict decoding);
 *   a loaded JSON value written by cu_json_jansson loads back equal.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		abort();
}

static void fuzz_paths(const char *s, size_t n)
{
	struct cu_buf e = CU_BUF_INIT, back = CU_BUF_INIT, dev = CU_BUF_INIT;
	struct cu_error err;

	check(cu_utf8_valid_prefix(s, n) <= n);
	check(cu_path_escape_component(s, n, &e, &err) == CU_OK);
	if (n > 0) {
		check(cu_utf8_valid(e.data, e.len));
		check(memchr(e.data, '/', e.len) == NULL);
		check(cu_path_check_relative(e.data, e.len, &err) == CU_OK);
		check(cu_path_unescape_component(e.data, &back, &err) == CU_OK);
		check(back.len == n && memcmp(back.data, s, n) == 0);
	}
	/* Any input: a verdict either way, and a refusal says it is a path problem. */
	if (cu_path_check_relative(s, n, &err) != CU_OK)
		check(err.code == CU_E_PATH || err.code == CU_E_LIMIT);
	if (cu_path_from_device(s, n, &dev, &err) == CU_OK)
		check(cu_path_check_relative(dev.data, dev.len, &err) == CU_OK);
	else
		check(err.code == CU_E_PATH || err.code == CU_E_LIMIT);
	cu_buf_release(&e);
	cu_buf_release(&back);
	cu_buf_release(&dev);
}

static void fuzz_json_string(const char *s, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;
	json_t *v = NULL;

	cu_json_init(&j, &b);
	cu_json_arr_begin(&j);
	cu_json_strn(&j, s, n);
	cu_json_arr_end(&j);
	check(cu_json_finish(&j, &err) == CU_OK);
	check(cu_utf8_valid(b.data, b.len));
	check(cu_json_load_str(b.data, b.len, "fuzz", &v, &err) == CU_OK);
	if (cu_utf8_valid(s, n)) {
		json_t *str = json_array_get(v, 0);

		check(j.replaced == 0);
		check(json_string_length(str) == n && memcmp(json_string_value(str), s, n) == 0);
	} else {
		check(j.replaced > 0);
	}
	json_decref(v);
	cu_buf_release(&b);
}

static void fuzz_time(const char *s)
{
	int64_t ms, again;
	char out[CU_TIME_STR];

	if (!cu_time_parse(s, &ms))
		return;
	if (cu_time_format_ms(ms, out)) {
		check(cu_time_parse(out, &again));
		check(again == ms);
	}
}

static void fuzz_base64(const char *s, size_t n)
{
	struct cu_buf d = CU_BUF_INIT, e = CU_BUF_INIT;
	struct cu_error err;

	if (cu_base64_decode(s, n, &d, &err) == CU_OK) {
		check(cu_base64_encode((const unsigned char *)(d.data != NULL ? d.data : ""), d.len,
				       &e, &err) == CU_OK);
		check(e.len == n && (n == 0 || memcmp(e.data, s, n) == 0));
	}
	cu_buf_release(&d);
	cu_buf_release(&e);
}

static void fuzz_json_load(const char *s, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error err;
	json_t *v = NULL, *w = NULL;

	if (cu_json_load_str(s, n, "fuzz", &v, &err) != CU_OK)
		return;
	cu_json_init(&j, &b);
	cu_json_jansson(&j, v);
	if (cu_json_finish(&j, &err) == CU_OK) {
		check(cu_json_load_str(b.data, b.len, "again", &w, &err) == CU_OK);
		check(json_equal(v, w));
		check(j.replaced == 0);
	} else {
		/* Only nesting deeper than the writer's cap may fail. */
		check(err.code == CU_E_LIMIT);
	}
	json_decref(w);
	json_decref(v);
	cu_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *z;

	if (size > 65536)
		return 0;
	fuzz_paths(s, size);
	fuzz_json_string(s, size);
	fuzz_base64(s, size);
	fuzz_json_load(s, size);
	z = malloc(size + 1);
	if (z == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	fuzz_time(z);
	free(z);
	return 0;
}
