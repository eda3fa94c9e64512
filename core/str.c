/*
 * str.c - UTF-8 validation, hex, strict number parsing, base64.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/*
 * Length of the valid UTF-8 sequence starting at s (n bytes available), or
 * 0 when invalid. Follows RFC 3629 Table 3: no overlongs, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0; /* continuation byte or overlong 2-byte lead */
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

size_t cu_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = utf8_seq(u + i, n - i);

		if (k == 0)
			break;
		i += k;
	}
	return i;
}

bool cu_utf8_valid(const char *s, size_t n)
{
	return cu_utf8_valid_prefix(s, n) == n;
}

void cu_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

int cu_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool cu_unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t i;

	if (hex == NULL)
		return false;
	/* Validate first so out is written only on success. */
	for (i = 0; i < 2 * n; i++)
		if (cu_hexval(hex[i]) < 0)
			return false;
	if (hex[2 * n] != '\0')
		return false;
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(cu_hexval(hex[2 * i]) << 4 | cu_hexval(hex[2 * i + 1]));
	return true;
}

/* Rejects what strtoll would silently accept: leading space, '+' signs,
 * empty strings, trailing junk. */
static bool plain_number(const char *s, bool allow_minus)
{
	if (s == NULL || *s == '\0')
		return false;
	if (*s == '-') {
		if (!allow_minus)
			return false;
		s++;
	}
	if (*s < '0' || *s > '9')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool cu_parse_i64(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (!plain_number(s, true))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (int64_t)v;
	return true;
}

bool cu_parse_u64(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!plain_number(s, false))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (uint64_t)v;
	return true;
}

bool cu_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool cu_str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return lx <= ls && memcmp(s + ls - lx, suffix, lx) == 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum cu_status cu_base64_encode(const unsigned char *in, size_t n, struct cu_buf *out,
				struct cu_error *err)
{
	size_t groups = n / 3 + (n % 3 != 0), need, i;
	enum cu_status rc;
	char *o;

	if (cu_mul_overflow(groups, 4, &need))
		return cu_error_set(err, CU_E_LIMIT, "base64 input too large (%zu bytes)", n);
	rc = cu_buf_grow(out, need, err);
	if (rc != CU_OK)
		return rc;
	o = out->data + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = '=';
	}
	out->len += need;
	out->data[out->len] = '\0';
	return CU_OK;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict decoding: length a multiple of 4, padding only at the end, and
 * the unused bits of the last group zero, so every byte string has exactly
 * one accepted encoding (signatures and keys must not be malleable).
 */
enum cu_status cu_base64_decode(const char *in, size_t n, struct cu_buf *out, struct cu_error *err)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i, pad = 0, outn, start = out->len;
	enum cu_status rc;

	if (n % 4 != 0)
		return cu_error_set(err, CU_E_FORMAT,
				    "invalid base64: length %zu is not a multiple of 4", n);
	if (n >= 1 && in[n - 1] == '=')
		pad++;
	if (n >= 2 && in[n - 2] == '=')
		pad++;
	outn = n / 4 * 3 - pad;
	rc = cu_buf_grow(out, outn, err);
	if (rc != CU_OK)
		return rc;
	for (i = 0; i < n; i += 4) {
		int v[4], k;
		bool last = i + 4 == n;
		uint32_t w;

		for (k = 0; k < 4; k++) {
			if (last && u[i + k] == '=' && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64val(u[i + k]);
			if (v[k] < 0) {
				out->len = start;
				out->data[start] = '\0';
				return cu_error_set(err, CU_E_FORMAT,
						    "invalid base64: bad character at offset %zu",
						    i + (size_t)k);
			}
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		if (last && ((pad == 1 && (w & 0xFF) != 0) || (pad == 2 && (w & 0xFFFF) != 0))) {
			out->len = start;
			out->data[start] = '\0';
			return cu_error_set(err, CU_E_FORMAT,
					    "invalid base64: non-zero padding bits at the end");
		}
		out->data[out->len++] = (char)(w >> 16);
		if (!last || pad < 2)
			out->data[out->len++] = (char)(w >> 8 & 0xFF);
		if (!last || pad < 1)
			out->data[out->len++] = (char)(w & 0xFF);
	}
	out->data[out->len] = '\0';
	return CU_OK;
}
