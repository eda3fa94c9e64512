/*
 * test_ciphertext.c - the "looks app-encrypted" rule for message bodies
 * (parsers/ciphertext.c, docs/casedb.md): true positives (base64 and hex
 * ciphertext filling the body, with surrounding white space) and false
 * positives it must not take (URLs, sentences, Chinese, a hex transaction
 * id inside a sentence, long identifiers, short tokens, low entropy).
 */
#include "parsers/parsers.h"
#include "tests/harness/tap.h"

#include <string.h>

static bool ct(const char *s)
{
	return cu_text_looks_ciphertext(s, strlen(s));
}

int main(void)
{
	static const char nul_body[] = "HHYk3Qx9\0Lm2PzR8vTq4WbN7cJ5eAf1gKs6";

	tap_plan(21);
	/* true positives */
	tap_ok(ct("HHYk3Qx9Lm2PzR8vTq4WbN7cJ5eAf1gKs6Yd0Uo+Ri/Xp=="),
	       "base64 ciphertext with padding");
	tap_ok(ct("  HHYpQ7zXw2Lk9sVb4Rt1Nm8Cf3Jd6Ge0Ua5Ho_Iy-Kq\n"),
	       "URL-safe base64 with surrounding white space");
	tap_ok(ct("U2FsdGVkX1+0m9GPn7QeBf3kLhZc2yXwV8rJtN4aSdE="), "OpenSSL-style base64 blob");
	tap_ok(ct("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
	       "64 hex digits (lower case)");
	tap_ok(ct("A3F09C7E5B2D1486FE0A9B3C7D2E5F1084B6C9D0E2F3A5B7"),
	       "48 hex digits (upper case)");
	tap_ok(ct("HHYk3Qx9Lm2PzR8vTq4W"
		  "bN7c"),
	       "24 base64 characters: the minimum");
	/* false positives it must not take */
	tap_ok(!ct("https://example.com/track?id=9f86d081884c7d659a2feaa0c55ad015&ref=AbC123xYz"),
	       "a long URL");
	tap_ok(!ct("example.com/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW"), "a URL without scheme");
	tap_ok(!ct("今天下午三点在老地方见面，带上东西，别迟到了。我们再商量一下价格的事情。"),
	       "a Chinese sentence");
	tap_ok(
	    !ct("Transfer done, txid 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 "
		"please check"),
	    "a hex transaction id inside a sentence");
	tap_ok(!ct("Meet me at the station at 5pm, bring the package"), "an English sentence");
	tap_ok(!ct("ThisIsAVeryLongIdentifierNameForTesting2024"), "a long CamelCase identifier");
	tap_ok(!ct("XMLHttpRequestEventTarget1"), "an identifier with an acronym");
	tap_ok(!ct("HHYk3Qx9Lm2PzR8vTq4Wb"), "base64 shorter than 24 characters");
	tap_ok(!ct("abcdefabcdefabcdefabcdefabcdefab"), "hex letters without digits");
	tap_ok(!ct("0000000000000000000000000000000000000000"), "all digits: no letters");
	tap_ok(!ct("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAAAAAAAAAAAAAAAA1"),
	       "low entropy base64 alphabet");
	tap_ok(!ct("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"), "low-entropy hex");
	tap_ok(!ct("1234567890123456789012345678901234"), "a long number");
	tap_ok(!ct(""), "empty body");
	tap_ok(!cu_text_looks_ciphertext(nul_body, sizeof(nul_body) - 1),
	       "a NUL byte inside breaks the token");
	return tap_done();
}
