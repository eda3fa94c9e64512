/* test_core_str.c - UTF-8 validation, hex, number parsing, base64. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n;
		size_t prefix;
		const char *what;
	} cases[] = {
	    {"abc", 3, 3, "ASCII"},
	    {"\xe4\xb8\xad\xe6\x96\x87", 6, 6, "Chinese"},
	    {"\xf0\x9f\x98\x80", 4, 4, "emoji (4 bytes)"},
	    {"a\xc0\xaf", 3, 1, "overlong 2-byte '/'"},
	    {"a\xe0\x80\xaf", 4, 1, "overlong 3-byte"},
	    {"a\xf0\x80\x80\xaf", 5, 1, "overlong 4-byte"},
	    {"a\xed\xa0\x80", 4, 1, "surrogate U+D800"},
	    {"a\xf4\x90\x80\x80", 5, 1, "above U+10FFFF"},
	    {"a\xf5\x80\x80\x80", 5, 1, "lead byte F5"},
	    {"a\x80", 2, 1, "lone continuation"},
	    {"a\xe4\xb8", 3, 1, "truncated sequence"},
	    {"\xef\xbf\xbf", 3, 3, "U+FFFF is valid"},
	    {"\xf4\x8f\xbf\xbf", 4, 4, "U+10FFFF is valid"},
	    {"a\0b", 3, 3, "NUL is valid UTF-8"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tap_is_int((int64_t)cu_utf8_valid_prefix(cases[i].s, cases[i].n),
			   (int64_t)cases[i].prefix, "utf8 prefix: %s", cases[i].what);
		tap_ok(cu_utf8_valid(cases[i].s, cases[i].n) == (cases[i].prefix == cases[i].n),
		       "utf8 valid: %s", cases[i].what);
	}
}

static void test_hex(void)
{
	unsigned char in[4] = {0x00, 0xab, 0x7f, 0xff}, out[4] = {1, 2, 3, 4};
	char hex[9];

	cu_hex(in, 4, hex);
	tap_is_str(hex, "00ab7fff", "hex lowercase");
	tap_ok(cu_unhex("00AB7fff", out, 4) && memcmp(in, out, 4) == 0, "unhex mixed case");
	memset(out, 9, sizeof(out));
	tap_ok(!cu_unhex("00ab7ff", out, 4), "unhex short refused");
	tap_ok(!cu_unhex("00ab7fff0", out, 4), "unhex long refused");
	tap_ok(!cu_unhex("00ab7fgf", out, 4), "unhex bad digit refused");
	tap_ok(out[0] == 9 && out[3] == 9, "unhex leaves out alone on failure");
}

static void test_numbers(void)
{
	int64_t i = 7;
	uint64_t u = 7;

	tap_ok(cu_parse_i64("-9223372036854775808", &i) && i == INT64_MIN, "i64 min");
	tap_ok(cu_parse_i64("9223372036854775807", &i) && i == INT64_MAX, "i64 max");
	tap_ok(!cu_parse_i64("9223372036854775808", &i), "i64 overflow refused");
	tap_ok(!cu_parse_i64("", &i), "empty refused");
	tap_ok(!cu_parse_i64(" 1", &i), "leading space refused");
	tap_ok(!cu_parse_i64("1 ", &i), "trailing space refused");
	tap_ok(!cu_parse_i64("+1", &i), "plus sign refused");
	tap_ok(!cu_parse_i64("0x10", &i), "hex refused");
	tap_ok(!cu_parse_i64("-", &i), "lone minus refused");
	tap_ok(!cu_parse_i64(NULL, &i), "NULL refused");
	tap_is_int(i, INT64_MAX, "out untouched on failure");
	tap_ok(cu_parse_u64("18446744073709551615", &u) && u == UINT64_MAX, "u64 max");
	tap_ok(!cu_parse_u64("18446744073709551616", &u), "u64 overflow refused");
	tap_ok(!cu_parse_u64("-1", &u), "u64 negative refused");
	tap_ok(cu_parse_u64("007", &u) && u == 7, "leading zeros are decimal");
	tap_ok(cu_str_has_prefix("HomeDomain/x", "HomeDomain/"), "prefix");
	tap_ok(!cu_str_has_prefix("Home", "HomeDomain"), "prefix longer than string");
	tap_ok(cu_str_has_suffix("a.sqlite-wal", "-wal"), "suffix");
	tap_ok(!cu_str_has_suffix("wal", "-wal"), "suffix longer than string");
}

static void test_base64(void)
{
	/* RFC 4648 section 10 vectors. */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
					  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bad[] = {
	    "Zg=", "Zg=a", "Z===", "Zh==", "Zm9=", "Zm 9v", "=Zm9", "Zm9v====", "Zm9vY*=="};
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	unsigned char all[256];
	size_t i;

	for (i = 0; i < 7; i++) {
		cu_buf_reset(&b);
		TAP_MUST(
		    cu_base64_encode((const unsigned char *)plain[i], strlen(plain[i]), &b, &err));
		tap_is_str(b.data != NULL ? b.data : "", enc[i], "base64 encode '%s'", plain[i]);
		cu_buf_reset(&b);
		tap_is_int(cu_base64_decode(enc[i], strlen(enc[i]), &b, &err), CU_OK,
			   "base64 decode '%s'", enc[i]);
		tap_is_mem(b.data, b.len, plain[i], strlen(plain[i]), "decoded '%s'", enc[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cu_buf_reset(&b);
		tap_is_int(cu_base64_decode(bad[i], strlen(bad[i]), &b, &err), CU_E_FORMAT,
			   "base64 rejects '%s'", bad[i]);
		tap_is_int((int64_t)b.len, 0, "nothing left behind for '%s'", bad[i]);
	}
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	cu_buf_reset(&b);
	TAP_MUST(cu_base64_encode(all, sizeof(all), &b, &err));
	{
		char *e = cu_strdup(b.data);

		cu_buf_reset(&b);
		tap_is_int(cu_base64_decode(e, strlen(e), &b, &err), CU_OK, "all bytes decode");
		tap_is_mem(b.data, b.len, all, sizeof(all), "all bytes round trip");
		free(e);
	}
	cu_buf_release(&b);
}

int main(void)
{
	tap_plan(94);
	test_utf8();
	test_hex();
	test_numbers();
	test_base64();
	return tap_done();
}
