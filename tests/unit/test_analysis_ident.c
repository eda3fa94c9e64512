/* test_analysis_ident.c - identifier validators on public test vectors:
 * Keccak-256 (and its sponge against SHA3-256 values computed with Python's
 * hashlib), Base58Check (BTC, LTC, TRON; corrupted checksums, wrong version
 * bytes), Bech32/Bech32m (BIP-173/350 vectors), Monero, EIP-55, cards (Luhn
 * and BIN), courier numbers, UPU S10, phone numbers to E.164. */
#include "config.h"

#include <string.h>

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "tests/harness/tap.h"

static void hex32(const unsigned char h[32], char out[65])
{
	cu_hex(h, 32, out);
}

static void test_keccak(void)
{
	unsigned char h[32];
	char hex[65];
	cu_keccak256("", 0, h);
	hex32(h, hex);
	tap_is_str(hex, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
		   "keccak256(\"\")");
	cu_keccak256("abc", 3, h);
	hex32(h, hex);
	tap_is_str(hex, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
		   "keccak256(\"abc\")");
	/* The same sponge with the SHA3 padding against hashlib.sha3_256 over
	 * bytes 0,1,2,... of lengths around the 136-byte rate. */
	static const struct {
		size_t n;
		const char *sha3;
	} v[] = {
	    {0, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
	    {135, "fded8fd9d6551c601eeb3b7c6bc5e5cfd8aad1d015b7e9aaa9c9b9475231d5e2"},
	    {136, "cf3ccff92480a29160c2d38317c430e14749bfee1788106957dfe73f8c4930e5"},
	    {137, "ce9d7dc90913ee5d92745019479a5352c6d6279bef18ed07dc0a83ee8084daca"},
	    {300, "815c06bbeb8520ce61add33a5f47bc558bf00e6361a5640c972d5d4634c58101"},
	};
	unsigned char buf[300];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cu_keccak256_padded(buf, v[i].n, 0x06, h);
		hex32(h, hex);
		tap_is_str(hex, v[i].sha3, "sponge with SHA3 padding, %zu bytes", v[i].n);
	}
}

struct vec {
	const char *s;
	const char *rule; /* NULL: must be refused */
	const char *category;
	const char *normalized; /* NULL: same as s */
};

static const struct vec crypto[] = {
    /* APPS.md 8.4 examples */
    {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc:base58check", "BTC", NULL},
    {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:base58check", "BTC", NULL},
    {"LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "ltc:base58check", "LTC", NULL},
    {"MQMcJhpWHYVeQArcZR3sBgyPZxxRtnH441", "ltc:base58check", "LTC", NULL},
    {"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron:base58check", "TRX-USDT", NULL},
    /* corrupted checksums (last character changed) */
    {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", NULL, NULL, NULL},
    {"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", NULL, NULL, NULL},
    {"LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH8", NULL, NULL, NULL},
    /* valid Base58Check, wrong version bytes: BTC testnet 0x6f, 0x1e */
    {"mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", NULL, NULL, NULL},
    {"DFpN6QqFfUm3gKNaxN6tNcab1FArL9cZLE", NULL, NULL, NULL},
    /* the same HASH160 under 0x41 and 0x30 */
    {"TLeUZDGLWnyiJVFcp3m3M1782uBsGWa8uf", "tron:base58check", "TRX-USDT", NULL},
    {"LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", "ltc:base58check", "LTC", NULL},
    /* BIP-173 / BIP-350 */
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "btc:bech32", "BTC",
     "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
    {"bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", "btc:bech32", "BTC", NULL},
    {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "btc:bech32m",
     "BTC", NULL},
    {"BC1SW50QGDZ25J", "btc:bech32m", "BTC", "bc1sw50qgdz25j"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "btc:bech32m", "BTC", NULL},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "btc:bech32m", "BTC", NULL},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", NULL, NULL, NULL},
    {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", NULL, NULL, NULL},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", NULL, NULL, NULL},
    {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", NULL, NULL, NULL},
    {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", NULL, NULL, NULL},
    {"bc1pw5dgrnzv", NULL, NULL, NULL},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", NULL, NULL,
     NULL},
    {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", NULL, NULL, NULL},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", NULL, NULL, NULL},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3T4", NULL, NULL, NULL}, /* mixed case */
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", NULL, NULL, NULL},
    /* Monero (APPS.md 8.4): standard and subaddress; one character changed */
    {"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQ"
     "BEP3A",
     "xmr:keccak", "XMR", NULL},
    {"888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUiyoogDa"
     "vup3H",
     "xmr:keccak", "XMR", NULL},
    {"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQ"
     "BEP3B",
     NULL, NULL, NULL},
    {"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGq"
     "BEP3A",
     NULL, NULL, NULL},
    /* EIP-55 examples; one letter's case flipped; all-lower and all-upper */
    {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "eth:eip55", "ETH",
     "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
    {"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "eth:eip55", "ETH",
     "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"},
    {"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "eth:eip55", "ETH",
     "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb"},
    {"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "eth:eip55", "ETH",
     "0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb"},
    {"0xdAC17F958D2ee523a2206206994597C13D831ec7", "eth:eip55", "ETH",
     "0xdac17f958d2ee523a2206206994597c13d831ec7"},
    {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", NULL, NULL, NULL},
    {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "eth:unchecked", "ETH", NULL},
    {"0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "eth:unchecked", "ETH",
     "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
    {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", NULL, NULL, NULL},
    {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", NULL, NULL, NULL},
};

static void check_vec(const struct vec *v, bool got, const struct cu_ident *id, const char *what)
{
	if (!v->rule) {
		tap_ok(!got, "%s refused: %s", what, v->s);
		return;
	}
	if (!tap_ok(got, "%s accepted: %s", what, v->s))
		return;
	tap_ok(strcmp(id->rule, v->rule) == 0 && strcmp(id->category, v->category) == 0 &&
		   strcmp(id->normalized, v->normalized ? v->normalized : v->s) == 0,
	       "%s %s: %s %s %s", what, v->s, id->rule, id->category, id->normalized);
}

static int count_points(const struct vec *v, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += v[i].rule ? 2 : 1;
	return k;
}

static const struct vec cards[] = {
    {"4111111111111111", "card:luhn+bin", "Visa", NULL},
    {"4111111111111112", NULL, NULL, NULL},
    {"5555555555554444", "card:luhn+bin", "Mastercard", NULL},
    {"2223003122003222", "card:luhn+bin", "Mastercard", NULL},
    {"378282246310005", "card:luhn+bin", "Amex", NULL},
    {"6222021234567890128", "card:luhn+bin", "UnionPay", NULL},
    {"622848000000000007", "card:luhn+bin", "UnionPay", NULL},
    {"6222021234567890127", NULL, NULL, NULL},
    {"1234567812345670", NULL, NULL, NULL}, /* Luhn holds, no network */
    {"41111111111111", NULL, NULL, NULL},   /* Visa of 14 digits */
};

struct tvec {
	const char *s;
	bool context;
	const char *courier;
	const char *normalized; /* NULL: refused */
	const char *rule;
};

static const struct tvec tracking[] = {
    {"SF1234567890123", false, NULL, "SF:SF1234567890123", "courier:sf"},
    {"sf1492039102", false, NULL, "SF:SF1492039102", "courier:sf"},
    {"YT1234567890123", false, NULL, "YTO:YT1234567890123", "courier:yto"},
    {"JT0001234567890", false, NULL, "J&T:JT0001234567890", "courier:jt"},
    {"JDVA12345678901", false, NULL, "JD:JDVA12345678901", "courier:jd"},
    {"EA123456785CN", false, NULL, "EMS:EA123456785CN", "s10:check-digit"},
    {"RR123456785DE", false, NULL, "S10:RR123456785DE", "s10:check-digit"},
    {"EA123456784CN", false, NULL, NULL, NULL},
    /* check digit 11 - (sum mod 11): 11 gives 5, 10 gives 0 */
    {"LX123456025CN", false, NULL, "EMS:LX123456025CN", "s10:check-digit"},
    {"LX123456140CN", false, NULL, "EMS:LX123456140CN", "s10:check-digit"},
    {"73123456789012", false, NULL, NULL, NULL},
    {"73123456789012", true, NULL, "ZTO:73123456789012", "courier:zto+context"},
    {"77123456789012", true, NULL, "STO:77123456789012", "courier:sto+context"},
    {"312345678901234", true, "Yunda", "Yunda:312345678901234", "courier:yunda+context"},
    {"9123456789012", true, NULL, "EMS:9123456789012", "courier:ems+context"},
    {"123456789012", true, NULL, NULL, NULL},
    {"123456789012", true, "SF", "SF:123456789012", "courier:sf+context"},
    {"79123456789012", true, NULL, NULL, NULL}, /* 79: no ZTO */
};

struct pvec {
	const char *in;
	const char *e164; /* NULL: refused */
};

static const struct pvec phones[] = {
    {"13800138000", "+8613800138000"},
    {"+86 138-0013-8000", "+8613800138000"},
    {"0086 138 0013 8000", "+8613800138000"},
    {"86-13800138000", "+8613800138000"},
    {"\xef\xbc\x8b\xef\xbc\x98\xef\xbc\x96 \xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef"
     "\xbc\x90\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90",
     "+8613800138000"},
    {"(+86) 138 0013 8000", "+8613800138000"},
    {"+41 44 668 18 00", "+41446681800"},
    {"010-12345678", "+861012345678"},
    {"12800138000", NULL}, /* 12x is no mobile range */
    {"1380013800", NULL},
    {"138001380001", NULL},
    {"+86 12345", NULL},
    {"abc", NULL},
    {"", NULL},
};

int main(void)
{
	size_t ncrypto = sizeof(crypto) / sizeof(crypto[0]);
	size_t ncards = sizeof(cards) / sizeof(cards[0]);
	size_t ntrack = sizeof(tracking) / sizeof(tracking[0]);
	size_t nphone = sizeof(phones) / sizeof(phones[0]);
	tap_plan(7 + count_points(crypto, ncrypto) + count_points(cards, ncards) + (int)ntrack +
		 (int)nphone + 3);
	test_keccak();
	struct cu_ident id;
	for (size_t i = 0; i < ncrypto; i++) {
		memset(&id, 0, sizeof(id));
		check_vec(&crypto[i], cu_ident_crypto(crypto[i].s, strlen(crypto[i].s), &id), &id,
			  "crypto");
	}
	for (size_t i = 0; i < ncards; i++) {
		memset(&id, 0, sizeof(id));
		check_vec(&cards[i], cu_ident_card(cards[i].s, strlen(cards[i].s), &id), &id,
			  "card");
	}
	for (size_t i = 0; i < ntrack; i++) {
		const struct tvec *t = &tracking[i];
		memset(&id, 0, sizeof(id));
		bool got = cu_ident_tracking(t->s, strlen(t->s), t->context, t->courier, &id);
		if (!t->normalized)
			tap_ok(!got, "tracking refused: %s (context %d)", t->s, t->context);
		else
			tap_ok(got && strcmp(id.normalized, t->normalized) == 0 &&
				   strcmp(id.rule, t->rule) == 0,
			       "tracking %s -> %s %s", t->s, got ? id.normalized : "-",
			       got ? id.rule : "-");
	}
	for (size_t i = 0; i < nphone; i++) {
		char out[32] = "";
		bool got = cu_ident_phone_e164(phones[i].in, out, sizeof(out));
		if (!phones[i].e164)
			tap_ok(!got, "phone refused: '%s'", phones[i].in);
		else
			tap_ok(got && strcmp(out, phones[i].e164) == 0, "phone '%s' -> %s",
			       phones[i].in, got ? out : "-");
	}
	char small[8];
	tap_ok(!cu_ident_phone_e164("13800138000", small, sizeof(small)), "phone: small buffer");
	tap_ok(cu_luhn_valid("79927398713", 11) && !cu_luhn_valid("79927398710", 11),
	       "luhn 79927398713");
	tap_ok(!cu_ident_crypto(NULL, 0, &id) && !cu_ident_card(NULL, 0, &id), "NULL refused");
	return tap_done();
}
