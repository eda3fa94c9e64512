/*
 * ident.c - identifiers validated, not pattern-matched: crypto addresses
 * by their checksums (Base58Check, Bech32/Bech32m, Monero's Keccak-256,
 * EIP-55), payment cards by BIN range and Luhn, courier numbers by format
 * (digits-only formats only with courier context), UPU S10 numbers by their
 * check digit, Chinese mobile numbers to E.164.
 *
 * Facts: BIP-13/173/350, EIP-55, the Monero address format (netbytes 18
 * standard, 42 subaddress, 19 integrated; 8-byte blocks to 11 characters),
 * UPU S10 (weights 8 6 4 2 3 5 9 7), courier formats as published by a
 * courier-number validator (BF-zh/Courier-Validation).
 */
#include "analysis/analysis.h"

#include <stdio.h>
#include <string.h>

/* Base58 digit values (alphabet 1-9 A-H J-N P-Z a-k m-z: no 0, O, I, l);
 * -1 outside the alphabet. Pure arithmetic: no table to initialise, so
 * scanners on several threads share nothing. */
static int b58_value(unsigned char c)
{
	if (c >= '1' && c <= '9')
		return c - '1';
	if (c >= 'A' && c <= 'H')
		return c - 'A' + 9;
	if (c >= 'J' && c <= 'N')
		return c - 'J' + 17;
	if (c >= 'P' && c <= 'Z')
		return c - 'P' + 22;
	if (c >= 'a' && c <= 'k')
		return c - 'a' + 33;
	if (c >= 'm' && c <= 'z')
		return c - 'm' + 44;
	return -1;
}

static void set_ident(struct cu_ident *out, enum cu_hit_kind kind, const char *norm, size_t n,
		      const char *rule, const char *category)
{
	out->kind = kind;
	if (n >= sizeof(out->normalized))
		n = sizeof(out->normalized) - 1;
	memcpy(out->normalized, norm, n);
	out->normalized[n] = '\0';
	out->rule = rule;
	out->category = category;
}

/* Big-endian Base58 decode of s[0..n) into exactly outlen bytes; false on a
 * character outside the alphabet or a value that does not fit. Leading '1's
 * are leading zero bytes (the value then fits only with them counted). */
static bool b58_decode_fixed(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	memset(out, 0, outlen);
	for (size_t i = 0; i < n; i++) {
		int v = b58_value((unsigned char)s[i]);
		if (v < 0)
			return false;
		unsigned carry = (unsigned)v;
		for (size_t j = outlen; j-- > 0;) {
			carry += 58u * out[j];
			out[j] = (unsigned char)(carry & 0xff);
			carry >>= 8;
		}
		if (carry)
			return false;
	}
	/* The number of leading '1's must equal the number of leading zero bytes. */
	size_t ones = 0, zeros = 0;
	while (ones < n && s[ones] == '1')
		ones++;
	while (zeros < outlen && out[zeros] == 0)
		zeros++;
	return ones == zeros;
}

static bool base58check(const char *s, size_t n, unsigned char payload[25])
{
	if (n < 25 || n > 35 || !b58_decode_fixed(s, n, payload, 25))
		return false;
	unsigned char h1[32], h2[32];
	cu_sha256(payload, 21, h1);
	cu_sha256(h1, 32, h2);
	return memcmp(h2, payload + 21, 4) == 0;
}

/* Monero's Base58: 8-byte blocks encode to 11 characters, a last partial
 * block of k bytes to block_chars[k] characters. */
static const unsigned block_chars[9] = {0, 2, 3, 5, 6, 7, 9, 10, 11};

static bool xmr_decode(const char *s, size_t n, unsigned char *out, size_t *outlen, size_t cap)
{
	size_t full = n / 11, rest = n % 11, rest_bytes = 0;
	if (rest) {
		for (rest_bytes = 1; rest_bytes < 9 && block_chars[rest_bytes] != rest;
		     rest_bytes++)
			;
		if (rest_bytes == 9)
			return false;
	}
	size_t total = full * 8 + rest_bytes;
	if (total > cap)
		return false;
	for (size_t b = 0; b <= full; b++) {
		size_t nchars = b < full ? 11 : rest, nbytes = b < full ? 8 : rest_bytes;
		if (!nchars)
			break;
		uint64_t v = 0;
		for (size_t i = 0; i < nchars; i++) {
			int d = b58_value((unsigned char)s[b * 11 + i]);
			if (d < 0)
				return false;
			unsigned __int128 w = (unsigned __int128)v * 58u + (unsigned)d;
			if (w >> 64)
				return false;
			v = (uint64_t)w;
		}
		if (nbytes < 8 && (v >> (8 * nbytes)) != 0)
			return false;
		for (size_t i = 0; i < nbytes; i++)
			out[b * 8 + i] = (unsigned char)(v >> (8 * (nbytes - 1 - i)));
	}
	*outlen = total;
	return true;
}

static bool monero(const char *s, size_t n, struct cu_ident *out)
{
	if ((n != 95 && n != 106) || (s[0] != '4' && s[0] != '8'))
		return false;
	unsigned char raw[80];
	size_t len;
	if (!xmr_decode(s, n, raw, &len, sizeof(raw)))
		return false;
	bool ok = (len == 69 && (raw[0] == 18 || raw[0] == 42)) || (len == 77 && raw[0] == 19);
	if (!ok)
		return false;
	unsigned char h[32];
	cu_keccak256(raw, len - 4, h);
	if (memcmp(h, raw + len - 4, 4) != 0)
		return false;
	set_ident(out, CU_HIT_CRYPTO_ADDRESS, s, n, "xmr:keccak", "XMR");
	return true;
}

static bool ethereum(const char *s, size_t n, struct cu_ident *out)
{
	if (n != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	bool lower = false, upper = false;
	char norm[43];
	norm[0] = '0';
	norm[1] = 'x';
	for (size_t i = 2; i < 42; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'f')
			lower = true;
		else if (c >= 'A' && c <= 'F')
			upper = true, c = (char)(c - 'A' + 'a');
		else if (!(c >= '0' && c <= '9'))
			return false;
		norm[i] = c;
	}
	norm[42] = '\0';
	const char *rule = "eth:unchecked";
	if (lower && upper) {
		unsigned char h[32];
		cu_keccak256(norm + 2, 40, h);
		for (size_t i = 0; i < 40; i++) {
			char c = s[2 + i];
			if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
				continue;
			unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
			bool want_upper = nib >= 8;
			if (want_upper != (c >= 'A' && c <= 'F'))
				return false;
		}
		rule = "eth:eip55";
	}
	set_ident(out, CU_HIT_CRYPTO_ADDRESS, norm, 42, rule, "ETH");
	return true;
}

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t bech32_polymod_step(uint32_t pre)
{
	uint32_t b = pre >> 25;
	return ((pre & 0x1ffffff) << 5) ^ (-((b >> 0) & 1) & 0x3b6a57b2UL) ^
	       (-((b >> 1) & 1) & 0x26508e6dUL) ^ (-((b >> 2) & 1) & 0x1ea119faUL) ^
	       (-((b >> 3) & 1) & 0x3d4233ddUL) ^ (-((b >> 4) & 1) & 0x2a1462b3UL);
}

static bool bech32(const char *s, size_t n, struct cu_ident *out)
{
	if (n < 8 || n > 90)
		return false;
	size_t sep = n;
	bool lower = false, upper = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return false;
		if (c >= 'a' && c <= 'z')
			lower = true;
		if (c >= 'A' && c <= 'Z')
			upper = true;
		if (c == '1')
			sep = i;
	}
	if (lower && upper)
		return false;
	if (sep == n || sep == 0 || sep + 7 > n)
		return false;
	char norm[91];
	for (size_t i = 0; i < n; i++)
		norm[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	norm[n] = '\0';
	const char *currency, *rule_v0, *rule_v1;
	if (sep == 2 && memcmp(norm, "bc", 2) == 0)
		currency = "BTC", rule_v0 = "btc:bech32", rule_v1 = "btc:bech32m";
	else if (sep == 3 && memcmp(norm, "ltc", 3) == 0)
		currency = "LTC", rule_v0 = "ltc:bech32", rule_v1 = "ltc:bech32m";
	else
		return false;
	uint32_t chk = 1;
	for (size_t i = 0; i < sep; i++)
		chk = bech32_polymod_step(chk) ^ ((unsigned char)norm[i] >> 5);
	chk = bech32_polymod_step(chk);
	for (size_t i = 0; i < sep; i++)
		chk = bech32_polymod_step(chk) ^ ((unsigned char)norm[i] & 31);
	unsigned char data[90];
	size_t ndata = 0;
	for (size_t i = sep + 1; i < n; i++) {
		const char *p = strchr(bech32_charset, norm[i]);
		if (!p || !norm[i])
			return false;
		data[ndata] = (unsigned char)(p - bech32_charset);
		chk = bech32_polymod_step(chk) ^ data[ndata];
		ndata++;
	}
	bool is_m;
	if (chk == 1)
		is_m = false;
	else if (chk == 0x2bc830a3)
		is_m = true;
	else
		return false;
	if (ndata < 7)
		return false;
	unsigned witver = data[0];
	if (witver > 16)
		return false;
	/* 5-bit groups to bytes: at most 4 bits of zero padding. */
	unsigned char prog[64];
	size_t nprog = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 1; i < ndata - 6; i++) {
		acc = (acc << 5) | data[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (nprog >= sizeof(prog))
				return false;
			prog[nprog++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	if (bits >= 5 || ((acc << (8 - bits)) & 0xff))
		return false;
	if (nprog < 2 || nprog > 40)
		return false;
	if (witver == 0 && (is_m || (nprog != 20 && nprog != 32)))
		return false;
	if (witver != 0 && !is_m)
		return false;
	set_ident(out, CU_HIT_CRYPTO_ADDRESS, norm, n, witver == 0 ? rule_v0 : rule_v1, currency);
	return true;
}

bool cu_ident_crypto(const char *s, size_t n, struct cu_ident *out)
{
	if (!s || n < 8 || n > 120)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return ethereum(s, n, out);
	if ((n > 3 && (s[2] == '1' || s[3] == '1')) && bech32(s, n, out))
		return true;
	if (n == 95 || n == 106)
		return monero(s, n, out);
	unsigned char payload[25];
	if (!base58check(s, n, payload))
		return false;
	switch (payload[0]) {
	case 0x00:
	case 0x05:
		set_ident(out, CU_HIT_CRYPTO_ADDRESS, s, n, "btc:base58check", "BTC");
		return true;
	case 0x30:
	case 0x32:
		set_ident(out, CU_HIT_CRYPTO_ADDRESS, s, n, "ltc:base58check", "LTC");
		return true;
	case 0x41:
		set_ident(out, CU_HIT_CRYPTO_ADDRESS, s, n, "tron:base58check", "TRX-USDT");
		return true;
	default: return false;
	}
}

bool cu_luhn_valid(const char *d, size_t n)
{
	unsigned sum = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = d[n - 1 - i];
		if (c < '0' || c > '9')
			return false;
		unsigned v = (unsigned)(c - '0');
		if (i % 2) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

static unsigned prefix_num(const char *d, size_t k)
{
	unsigned v = 0;
	for (size_t i = 0; i < k; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return v;
}

/* Card networks by BIN range and length (ISO/IEC 7812 issuer ranges as the
 * networks publish them). */
static const char *card_network(const char *d, size_t n)
{
	unsigned p1 = prefix_num(d, 1), p2 = prefix_num(d, 2), p3 = prefix_num(d, 3),
		 p4 = prefix_num(d, 4);
	if (p2 == 62 && n >= 16 && n <= 19)
		return "UnionPay";
	if (p1 == 4 && (n == 13 || n == 16 || n == 19))
		return "Visa";
	if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n == 16)
		return "Mastercard";
	if ((p2 == 34 || p2 == 37) && n == 15)
		return "Amex";
	if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19)
		return "JCB";
	if ((p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) && n >= 16 && n <= 19)
		return "Discover";
	if ((p2 == 36 || (p3 >= 300 && p3 <= 305)) && n >= 14 && n <= 19)
		return "Diners";
	return NULL;
}

bool cu_ident_card(const char *d, size_t n, struct cu_ident *out)
{
	if (!d || n < 13 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	const char *net = card_network(d, n);
	if (!net || !cu_luhn_valid(d, n))
		return false;
	set_ident(out, CU_HIT_BANK_CARD, d, n, "card:luhn+bin", net);
	return true;
}

/* ---- courier numbers ---- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool alnum_ascii(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != p[i])
			return false;
	}
	return true;
}

static void set_tracking(struct cu_ident *out, const char *courier, const char *s, size_t n,
			 const char *rule)
{
	char norm[128];
	size_t k = strlen(courier);
	if (k + 1 + n >= sizeof(norm))
		n = sizeof(norm) - k - 2;
	memcpy(norm, courier, k);
	norm[k] = ':';
	for (size_t i = 0; i < n; i++)
		norm[k + 1 + i] = (char)((s[i] >= 'a' && s[i] <= 'z') ? s[i] - 'a' + 'A' : s[i]);
	set_ident(out, CU_HIT_TRACKING_NUMBER, norm, k + 1 + n, rule, courier);
}

/* UPU S10: two letters, 8 digits, a check digit, two letters (country). */
static bool s10(const char *s, size_t n, struct cu_ident *out)
{
	if (n != 13)
		return false;
	for (size_t i = 0; i < 13; i++) {
		bool letter = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z');
		bool digit = s[i] >= '0' && s[i] <= '9';
		if ((i < 2 || i > 10) ? !letter : !digit)
			return false;
	}
	static const unsigned w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	unsigned sum = 0;
	for (size_t i = 0; i < 8; i++)
		sum += w[i] * (unsigned)(s[2 + i] - '0');
	unsigned c = 11 - sum % 11;
	if (c == 10)
		c = 0;
	else if (c == 11)
		c = 5;
	if ((unsigned)(s[10] - '0') != c)
		return false;
	bool cn = prefix_ci(s + 11, 2, "CN");
	set_tracking(out, cn ? "EMS" : "S10", s, n, "s10:check-digit");
	return true;
}

struct numeric_format {
	const char *courier;
	const char *rule;
	const char *lead; /* allowed first digits (one of), or prefix when multi */
	size_t minlen, maxlen;
	const char *prefix; /* a required literal prefix, or NULL */
};

/* Digits-only formats: counted only with context. Order decides among
 * formats that overlap when no courier was named. */
static const struct numeric_format numeric_formats[] = {
    {"ZTO", "courier:zto+context", "7", 14, 14, NULL},
    {"STO", "courier:sto+context", NULL, 14, 17, "77"},
    {"STO", "courier:sto+context", NULL, 14, 17, "43"},
    {"Yunda", "courier:yunda+context", "34", 15, 15, NULL},
    {"Yunda", "courier:yunda+context", "5", 13, 13, NULL},
    {"EMS", "courier:ems+context", "981", 13, 13, NULL},
    {"Cainiao", "courier:cainiao+context", NULL, 15, 15, "621"},
    {"SF", "courier:sf+context", NULL, 12, 12, NULL},
};

static bool numeric_fits(const struct numeric_format *f, const char *s, size_t n)
{
	if (n < f->minlen || n > f->maxlen)
		return false;
	if (f->prefix && strncmp(s, f->prefix, strlen(f->prefix)) != 0)
		return false;
	if (f->lead && !strchr(f->lead, s[0]))
		return false;
	/* ZTO: 73-76 or 78. */
	if (strcmp(f->courier, "ZTO") == 0 && (s[1] < '3' || s[1] == '7' || s[1] > '8'))
		return false;
	return true;
}

bool cu_ident_tracking(const char *s, size_t n, bool context, const char *courier,
		       struct cu_ident *out)
{
	if (!s || n < 10 || n > 24)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum_ascii(s[i]))
			return false;
	if (s10(s, n, out))
		return true;
	/* Letter-prefixed formats count on their own. */
	if (prefix_ci(s, n, "SF") && all_digits(s + 3, n - 3) && n == 15 && alnum_ascii(s[2])) {
		set_tracking(out, "SF", s, n, "courier:sf");
		return true;
	}
	if (prefix_ci(s, n, "SF") && all_digits(s + 2, n - 2) && n >= 12 && n <= 15) {
		set_tracking(out, "SF", s, n, "courier:sf");
		return true;
	}
	if (prefix_ci(s, n, "YT") && n == 15 && all_digits(s + 2, 13)) {
		set_tracking(out, "YTO", s, n, "courier:yto");
		return true;
	}
	if (prefix_ci(s, n, "JT") && n == 15 && all_digits(s + 2, 13)) {
		set_tracking(out, "J&T", s, n, "courier:jt");
		return true;
	}
	if (prefix_ci(s, n, "JD") && n == 15 && alnum_ascii(s[2]) && alnum_ascii(s[3]) &&
	    all_digits(s + 4, 11)) {
		set_tracking(out, "JD", s, n, "courier:jd");
		return true;
	}
	if (prefix_ci(s, n, "DPK") && n == 15 && all_digits(s + 3, 12)) {
		set_tracking(out, "Deppon", s, n, "courier:deppon");
		return true;
	}
	if (!context || !all_digits(s, n))
		return false;
	const struct numeric_format *pick = NULL;
	size_t nf = sizeof(numeric_formats) / sizeof(numeric_formats[0]);
	for (size_t i = 0; i < nf && !pick; i++)
		if (courier && strcmp(courier, numeric_formats[i].courier) == 0 &&
		    numeric_fits(&numeric_formats[i], s, n))
			pick = &numeric_formats[i];
	for (size_t i = 0; i < nf && !pick; i++)
		if (numeric_fits(&numeric_formats[i], s, n) &&
		    (strcmp(numeric_formats[i].courier, "SF") != 0 ||
		     (courier && strcmp(courier, "SF") == 0)))
			pick = &numeric_formats[i];
	if (!pick)
		return false;
	set_tracking(out, pick->courier, s, n, pick->rule);
	return true;
}

/* ---- phone numbers ---- */

bool cu_ident_phone_digits(const char *d, size_t n, bool plus, char *out, size_t cap)
{
	if (!d || !all_digits(d, n) || cap < 17)
		return false;
	if (!plus && n >= 13 && d[0] == '0' && d[1] == '0') {
		d += 2, n -= 2;
		plus = true;
	}
	if (n == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1')
		d += 2, n -= 2;
	else if (plus && !(d[0] == '8' && d[1] == '6')) {
		if (n < 8 || n > 15 || d[0] == '0')
			return false;
		out[0] = '+';
		memcpy(out + 1, d, n);
		out[n + 1] = '\0';
		return true;
	} else if (plus)
		return false;
	if (n != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9')
		return false;
	memcpy(out, "+86", 3);
	memcpy(out + 3, d, 11);
	out[14] = '\0';
	return true;
}

/* Full-width digits and plus (U+FF10-FF19, U+FF0B) count as their ASCII
 * forms; spaces (ASCII, U+3000), dashes, dots and brackets are ignored. */
bool cu_ident_phone_e164(const char *in, char *out, size_t cap)
{
	char d[32] = {0};
	size_t n = 0;
	bool plus = false;
	if (!in || !out)
		return false;
	const unsigned char *p = (const unsigned char *)in;
	while (*p) {
		unsigned c = *p;
		if (c == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			c = '0' + (p[2] - 0x90);
			p += 2;
		} else if (c == 0xef && p[1] == 0xbc && p[2] == 0x8b) {
			c = '+';
			p += 2;
		} else if (c == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
			c = ' ';
			p += 2;
		}
		p++;
		if (c >= '0' && c <= '9') {
			if (n >= sizeof(d))
				return false;
			d[n++] = (char)c;
		} else if (c == '+') {
			if (n || plus)
				return false;
			plus = true;
		} else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '\t')
			return false;
	}
	char tmp[24];
	if (!cu_ident_phone_digits(d, n, plus, tmp, sizeof(tmp))) {
		/* A Chinese landline with its trunk 0: 0 + area code + number. */
		if (plus || n < 10 || n > 12 || d[0] != '0' || d[1] == '0')
			return false;
		if (cap < n + 3)
			return false;
		memcpy(out, "+86", 3);
		memcpy(out + 3, d + 1, n - 1);
		out[n + 2] = '\0';
		return true;
	}
	size_t k = strlen(tmp);
	if (k + 1 > cap)
		return false;
	memcpy(out, tmp, k + 1);
	return true;
}
