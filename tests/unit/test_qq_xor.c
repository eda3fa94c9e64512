/*
 * test_qq_xor.c - QQ Android legacy field XOR (parsers/chat/qq_android.c,
 * APPS.md 3.1): known answers computed by hand, UTF-16 code-unit XOR of
 * text (BMP and a surrogate pair), key files, bad input.
 */
#include "parsers/parsers.h"
#include "parsers/chat/qq_xor.h"
#include "tests/harness/tap.h"

#include <string.h>

int main(void)
{
	struct cu_buf out = CU_BUF_INIT, key = CU_BUF_INIT;
	struct cu_error err;

	tap_plan(22);
	/* 'a'^'1' = 'b'^'2' = 'c'^'3' = 0x50 'P' */
	tap_is_int(cu_qq_xor_blob("abc", 3, "123", 3, &out, &err), CU_OK, "blob xor");
	tap_is_mem(out.data, out.len, "PPP", 3, "blob known answer");
	/* key repeats: 5 bytes with a 2-byte key */
	tap_is_int(cu_qq_xor_blob("\x01\x02\x03\x04\x05", 5, "\x10\x20", 2, &out, &err), CU_OK,
		   "blob xor, key cycles");
	tap_is_mem(out.data, out.len, "\x11\x22\x13\x24\x15", 5, "cycled key known answer");
	/* involution */
	const char *plain = "你好, hello 😀";
	struct cu_buf enc = CU_BUF_INIT;
	/* a failed step empties out, so the comparison below fails */
	if (cu_qq_xor_blob(plain, strlen(plain), "866123456789012", 15, &enc, &err) != CU_OK ||
	    cu_qq_xor_blob(enc.data, enc.len, "866123456789012", 15, &out, &err) != CU_OK)
		cu_buf_reset(&out);
	tap_is_mem(out.data, out.len, plain, strlen(plain), "blob xor is its own inverse");
	tap_is_int(cu_qq_xor_blob("a", 1, "", 0, &out, &err), CU_E_KEY, "empty key refused");

	/* text: U+4F60 '你' ^ '1' (0x31) = U+4F51 '佑' */
	tap_is_int(cu_qq_xor_text("你", strlen("你"), "1", 1, &out, &err), CU_OK, "text xor");
	tap_is_str(out.data, "佑", "BMP character known answer");
	/* 😀 = D83D DE00; ^ '1','2' = D80C DE32 = U+13232 (f0 93 88 b2) */
	tap_is_int(cu_qq_xor_text("😀", 4, "12", 2, &out, &err), CU_OK, "surrogate pair xor");
	tap_is_mem(out.data, out.len, "\xf0\x93\x88\xb2", 4, "surrogate pair known answer");
	/* digits: '7'^'8' = 0x0F, '2'^'6' = 0x04 */
	tap_is_int(cu_qq_xor_text("72", 2, "86", 2, &out, &err), CU_OK, "digits xor");
	tap_is_mem(out.data, out.len, "\x0f\x04", 2, "digits known answer");
	/* text round trip with a Chinese key character */
	if (cu_qq_xor_text("老地方 10001", strlen("老地方 10001"), "3582", 4, &enc, &err) !=
		CU_OK ||
	    cu_qq_xor_text(enc.data, enc.len, "3582", 4, &out, &err) != CU_OK)
		cu_buf_reset(&out);
	tap_is_str(out.data, "老地方 10001", "text xor is its own inverse");
	tap_is_int(cu_qq_xor_text("\xff\xfe", 2, "1", 1, &out, &err), CU_E_FORMAT,
		   "invalid UTF-8 refused");
	tap_ok(strstr(err.msg, "not UTF-8") != NULL, "message: %s", err.msg);
	tap_is_int(cu_qq_xor_text("a", 1, NULL, 0, &out, &err), CU_E_KEY, "no key refused");

	/* key files */
	tap_is_int(cu_qq_key_parse("imei=866123456789012\n", 21, &key, &err), CU_OK, "imei file");
	tap_is_str(key.data, "866123456789012", "imei= prefix and newline removed");
	tap_is_int(cu_qq_key_parse(" 35824005111111\r\n", 17, &key, &err), CU_OK, "kc file");
	tap_is_str(key.data, "35824005111111", "kc whitespace removed");
	tap_is_int(cu_qq_key_parse(" \n", 2, &key, &err), CU_E_KEY, "empty key file refused");
	tap_is_int(cu_qq_key_parse("imei=", 5, &key, &err), CU_E_KEY, "empty imei refused");

	cu_buf_release(&out);
	cu_buf_release(&enc);
	cu_buf_release(&key);
	return tap_done();
}
