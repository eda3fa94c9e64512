/*
 * ciphertext.c - does a message body look app-encrypted?
 *
 * Some apps store their messages in the phone's SMS database encrypted,
 * as base64 or hex text ("HHYk3…"): shown as ordinary text they mislead
 * the examiner. The rule (docs/casedb.md, "Ciphertext-looking bodies"):
 * after trimming surrounding white space the whole body is one token
 *
 *   base64: A-Z a-z 0-9 and + / (or the URL-safe - _), at most two
 *           trailing '=', at least 24 characters before the padding, with
 *           digits present, upper- and lower-case letters each at least
 *           30% of the letters (random base64: about half; a CamelCase
 *           identifier: a fifth), a Shannon entropy of its characters
 *           >= 3.5 bits per character, and the class of the character
 *           (upper, lower, digit, other) changing between at least 35% of
 *           neighbouring pairs (random base64: about 65%);
 *   hex:    0-9 with a-f or A-F (one case), even length >= 32, digits and
 *           letters both present, entropy >= 3.0 bits per character.
 *
 * A URL (":" and "."), a sentence (spaces), any non-ASCII text, and a hex
 * transaction id inside a sentence never fill the body with one token.
 * Linear in the body; no allocation.
 */
#include "parsers/parsers.h"

#include <string.h>

#define B64_MIN_LEN      24
#define B64_MIN_ENTROPY  3.5
#define B64_MIN_SWITCHES 0.35
#define B64_MIN_CASE     0.30
#define HEX_MIN_LEN      32
#define HEX_MIN_ENTROPY  3.0

/* log2(x) for x > 0 without libm: x = m * 2^e with m in [1, 2), and
 * ln(m) = 2 atanh((m - 1) / (m + 1)), a fast series there. */
static double log2_pos(double x)
{
	double m = x, y, y2, term, sum = 0;
	int e = 0;

	while (m >= 2) {
		m /= 2;
		e++;
	}
	while (m < 1) {
		m *= 2;
		e--;
	}
	y = (m - 1) / (m + 1);
	y2 = y * y;
	term = y;
	for (int k = 1; k < 60; k += 2) {
		sum += term / k;
		term *= y2;
	}
	return e + 2 * sum / 0.69314718055994530942;
}

/* Shannon entropy, in bits per character, of the byte counts. */
static double entropy(const size_t counts[256], size_t n)
{
	double h = 0;

	for (int i = 0; i < 256; i++)
		if (counts[i]) {
			double p = (double)counts[i] / (double)n;

			h -= p * log2_pos(p);
		}
	return h;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int char_class(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return 0;
	if (c >= 'a' && c <= 'z')
		return 1;
	if (c >= '0' && c <= '9')
		return 2;
	return 3;
}

static bool looks_hex(const unsigned char *s, size_t n)
{
	size_t counts[256] = {0};
	bool lower = false, upper = false, digit = false;

	if (n < HEX_MIN_LEN || n % 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= '0' && c <= '9')
			digit = true;
		else if (c >= 'a' && c <= 'f')
			lower = true;
		else if (c >= 'A' && c <= 'F')
			upper = true;
		else
			return false;
		counts[c]++;
	}
	if (!digit || lower == upper) /* no letters, or both cases */
		return false;
	return entropy(counts, n) >= HEX_MIN_ENTROPY;
}

static bool looks_base64(const unsigned char *s, size_t n)
{
	size_t counts[256] = {0}, switches = 0, lower = 0, upper = 0;
	bool digit = false;

	while (n > 0 && s[n - 1] == '=' && counts['=']++ < 2)
		n--;
	if (n < B64_MIN_LEN)
		return false;
	counts['='] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		int k = char_class(c);

		if (k == 3 && c != '+' && c != '/' && c != '-' && c != '_')
			return false;
		lower += k == 1;
		upper += k == 0;
		digit |= k == 2;
		if (i > 0 && char_class(s[i - 1]) != k)
			switches++;
		counts[c]++;
	}
	if (!digit || (double)lower < B64_MIN_CASE * (double)(lower + upper) ||
	    (double)upper < B64_MIN_CASE * (double)(lower + upper))
		return false;
	if ((double)switches < B64_MIN_SWITCHES * (double)(n - 1))
		return false;
	return entropy(counts, n) >= B64_MIN_ENTROPY;
}

double cu_bytes_entropy(const void *data, size_t n)
{
	size_t counts[256] = {0};
	const unsigned char *p = data;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		counts[p[i]]++;
	return entropy(counts, n);
}

bool cu_text_looks_ciphertext(const char *body, size_t len)
{
	const unsigned char *s = (const unsigned char *)body;

	if (!s)
		return false;
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return false;
	return looks_hex(s, len) || looks_base64(s, len);
}
