/* test_analysis_scan.c - the scanner on texts full of true and false
 * positives (golden: every hit with its offset, length, normalised value,
 * rule and category; counts asserted exactly), the normaliser's offset map,
 * invalid UTF-8, determinism, stopping from the callback. Reads the shipped
 * lexicon through CUSTOS_DATADIR (set by the test environment). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "tests/harness/tap.h"

struct golden {
	const char *text;
	const char *hits; /* "kind offset+len normalized rule category\n" each */
};

static const struct golden cases[] = {
    {"今晚要冰糖吗，老地方见", "code_word 9+6 冰糖 lexicon:drugs.tsv:冰糖/exact meth\n"},
    {"冰 糖到了，老规矩", "code_word 0+7 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\n"},
    {"冰❄️糖两克", "code_word 0+12 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\n"},
    {"你好❄️朋友", "code_word 6+6 ❄️ lexicon:emoji.tsv:❄️/emoji meth\n"},
    {"冰.糖 冰、糖 冰‍糖",
     "code_word 0+7 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\ncode_word 8+9 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\ncode_word 18+9 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\n"},
    {"有bt吗", "code_word 3+2 冰糖 lexicon:drugs.tsv:冰糖/initials meth\n"},
    {"bt到了没", "code_word 0+2 冰糖 lexicon:drugs.tsv:冰糖/initials meth\n"},
    {"abt 不算，btw 也不算", ""},
    {"緬貨到了，要四號的说",
     "code_word 0+6 缅货 lexicon:drugs.tsv:缅货/traditional heroin\ncode_word 18+6 四号 lexicon:drugs.tsv:四号/traditional heroin\n"},
    {"葉子有吗 飛葉子",
     "code_word 0+6 叶子 lexicon:drugs.tsv:叶子/traditional cannabis\ncode_word 13+9 飞叶子 lexicon:drugs.tsv:飞叶子/traditional cannabis\n"},
    {"Ｋ粉还有，ｋ仔也有",
     "code_word 0+6 K粉 lexicon:drugs.tsv:K粉/width ketamine\ncode_word 15+6 K仔 lexicon:drugs.tsv:K仔/width ketamine\n"},
    {"来点K粉", "code_word 6+4 K粉 lexicon:drugs.tsv:K粉/exact ketamine\n"},
    {"溜冰毒", "code_word 0+9 溜冰毒 lexicon:drugs.tsv:溜冰毒/exact meth\n"},
    {"大力糖 猪肉 冰妹",
     "code_word 0+9 大力糖 lexicon:drugs.tsv:大力糖/exact meth\ncode_word 10+6 猪肉 lexicon:drugs.tsv:猪肉/exact meth\ncode_word 17+6 冰妹 lexicon:drugs.tsv:冰妹/exact meth\n"},
    {"麻古十粒", "code_word 0+6 麻古 lexicon:drugs.tsv:麻古/exact meth-tablet\n"},
    {"开心水两箱", "code_word 0+9 开心水 lexicon:drugs.tsv:开心水/exact mixed\n"},
    {"要不要溜冰", "code_word 9+6 溜冰 lexicon:drugs.tsv:溜冰/exact meth\n"},
    {"💊💊 🍃 🍬 ❄ 🔌",
     "code_word 0+4 💊 lexicon:emoji.tsv:💊/emoji pills\ncode_word 4+4 💊 lexicon:emoji.tsv:💊/emoji pills\ncode_word 9+4 🍃 lexicon:emoji.tsv:🍃/emoji cannabis\ncode_word 14+4 🍬 lexicon:emoji.tsv:🍬/emoji meth\ncode_word 19+3 ❄️ lexicon:emoji.tsv:❄️/emoji meth\ncode_word 23+4 🔌 lexicon:emoji.tsv:🔌/emoji dealer\n"},
    {"冰箱坏了", ""},
    {"买了冰淇淋和冰激凌", ""},
    {"去溜冰场滑冰", ""},
    {"冰水混合物的温度是0度", ""},
    {"冰糖葫芦真好吃，冰糖雪梨也不错", ""},
    {"大白菜三块钱一斤，白菜价", ""},
    {"猪肉白菜饺子", ""},
    {"坐4号线到四号楼", ""},
    {"邮票册和纪念邮票", ""},
    {"SK-II神仙水很好用", ""},
    {"神仙水到了", "code_word 0+9 神仙水 lexicon:drugs.tsv:神仙水/exact mixed\n"},
    {"转到 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa 谢谢",
     "crypto_address 7+34 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa btc:base58check BTC\n"},
    {"P2SH 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
     "crypto_address 5+34 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy btc:base58check BTC\n"},
    {"错的 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", ""},
    {"测试网 mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", ""},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4，bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "crypto_address 0+42 bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 btc:bech32 BTC\ncrypto_address 45+62 bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0 btc:bech32m BTC\n"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", ""},
    {"莱特币 LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9 和 ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9",
     "crypto_address 10+34 LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9 ltc:base58check LTC\ncrypto_address 49+43 ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9 ltc:bech32 LTC\n"},
    {"U地址TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
     "crypto_address 7+34 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t tron:base58check TRX-USDT\n"},
    {"门罗 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
     "crypto_address 7+95 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A xmr:keccak XMR\n"},
    {"门罗错 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3B",
     ""},
    {"ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 小写 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
     "crypto_address 4+42 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed eth:eip55 ETH\ncrypto_address 54+42 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed eth:unchecked ETH\n"},
    {"ETH错 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", ""},
    {"交易哈希 0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3", ""},
    {"中通快递 单号73123456789012",
     "tracking_number 19+14 ZTO:73123456789012 courier:zto+context ZTO\n"},
    {"号码73123456789012", ""},
    {"顺丰 SF1234567890123", "tracking_number 7+15 SF:SF1234567890123 courier:sf SF\n"},
    {"快递单号：9123456789012",
     "tracking_number 15+13 EMS:9123456789012 courier:ems+context EMS\n"},
    {"运单 312345678901234 韵达",
     "tracking_number 7+15 Yunda:312345678901234 courier:yunda+context Yunda\n"},
    {"申通快递 771234567890123",
     "tracking_number 13+15 STO:771234567890123 courier:sto+context STO\n"},
    {"EMS EA123456785CN 和 EA123456784CN",
     "tracking_number 4+13 EMS:EA123456785CN s10:check-digit EMS\n"},
    {"【丰巢】凭取件码『12345678』至XX小区X号丰巢柜取中通快递的包裹",
     "pickup_code 27+8 丰巢:12345678 pickup:丰巢 丰巢\n"},
    {"【丰巢】您的快件已暂存至 时代广场1号丰巢快递柜，取件码：849201，运单号：SF1492039102，客服电话95338",
     "pickup_code 83+6 丰巢:849201 pickup:丰巢 丰巢\ntracking_number 104+12 SF:SF1492039102 courier:sf SF\n"},
    {"【菜鸟驿站】您的包裹已到达XX路菜鸟驿站，请凭取件码 6-5218 取件。",
     "pickup_code 75+6 菜鸟驿站:6-5218 pickup:菜鸟驿站 菜鸟驿站\n"},
    {"【兔喜快递超市】您的包裹已到兔喜快递超市(学府路店)，取件码 5-1-2222，请及时取件。",
     "pickup_code 87+8 兔喜:5-1-2222 pickup:兔喜 兔喜\n"},
    {"包裹已到店，请凭 A1298 领取。【妈妈驿站】",
     "pickup_code 25+5 妈妈驿站:A1298 pickup:妈妈驿站 妈妈驿站\n"},
    {"凭票入场", ""},
    {"电话 +86 138-0013-8000", "phone_number 7+17 +8613800138000 phone:cn-mobile -\n"},
    {"打 １３８００１３８０００ 或 0086 13900139000 或 86-13700137000",
     "phone_number 4+33 +8613800138000 phone:cn-mobile -\nphone_number 42+16 +8613900139000 phone:cn-mobile -\nphone_number 63+14 +8613700137000 phone:cn-mobile -\n"},
    {"手机13800138000，座机010-12345678", "phone_number 6+11 +8613800138000 phone:cn-mobile -\n"},
    {"编号 138001380001 不是手机", ""},
    {"订单123138001380001234", ""},
    {"价格 13800138000元?", "phone_number 7+11 +8613800138000 phone:cn-mobile -\n"},
    {"卡号 6222 0212 3456 7890 128", "bank_card 7+23 6222021234567890128 card:luhn+bin UnionPay\n"},
    {"卡 4111111111111111 和 4111111111111112",
     "bank_card 4+16 4111111111111111 card:luhn+bin Visa\n"},
    {"数字 1234567812345670", ""},
    {"瑞士 +41 44 668 18 00", "phone_number 7+16 +41446681800 phone:e164 -\n"},
};

/* True positives in the cases above, and the cases that must give none. */
#define GOLDEN_HITS      61
#define GOLDEN_NEGATIVES 22

struct collect {
	struct cu_buf out;
	const char *text;
	size_t bad_offsets, calls, stop_after;
};

static enum cu_status collect(void *ctx, const struct cu_hit *h, struct cu_error *err)
{
	struct collect *c = ctx;
	c->calls++;
	if (c->stop_after && c->calls >= c->stop_after)
		return cu_error_set(err, CU_E_INTERRUPTED, "stopped by the test");
	if (strlen(h->value) != h->len || memcmp(c->text + h->offset, h->value, h->len) != 0)
		c->bad_offsets++;
	return cu_buf_printf(&c->out, err, "%s %zu+%zu %s %s %s\n", cu_hit_kind_name(h->kind),
			     h->offset, h->len, h->normalized, h->rule,
			     h->category ? h->category : "-");
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static char *scan_all(struct cu_scanner *sc, const char *text, size_t len, size_t *bad)
{
	struct collect c = {CU_BUF_INIT, text, 0, 0, 0};
	struct cu_error err;
	TAP_MUST(cu_buf_puts(&c.out, "", &err));
	if (cu_scanner_scan(sc, text, len, collect, &c, &err) != CU_OK) {
		tap_diag("scan: %s", err.msg);
		cu_buf_release(&c.out);
		return NULL;
	}
	if (bad)
		*bad = c.bad_offsets;
	return cu_buf_detach(&c.out, NULL);
}

static void test_golden(struct cu_scanner *sc)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), total = 0, negatives = 0, bad = 0;
	bool same = true;
	for (size_t i = 0; i < n; i++) {
		size_t b = 0;
		char *got = scan_all(sc, cases[i].text, strlen(cases[i].text), &b);
		tap_is_str(got, cases[i].hits, "golden: %s", cases[i].text);
		if (got) {
			total += count_lines(got);
			negatives += count_lines(got) == 0;
		}
		bad += b;
		/* the same text again gives the same hits */
		char *again = scan_all(sc, cases[i].text, strlen(cases[i].text), NULL);
		if (!got || !again || strcmp(got, again) != 0)
			same = false;
		free(got);
		free(again);
	}
	tap_is_int((int64_t)total, GOLDEN_HITS, "golden: hits in all");
	tap_is_int((int64_t)negatives, GOLDEN_NEGATIVES, "golden: texts with no hit");
	tap_is_int((int64_t)bad, 0, "every hit's offset and length give its value");
	tap_ok(same, "a second scan gives the same hits");
}

static void test_hostile(struct cu_scanner *sc)
{
	/* invalid bytes between the characters of a word are skipped, the value
	 * carries U+FFFD for them */
	char *got = scan_all(sc, "\xe5\x86\xb0\xff\xe7\xb3\x96", 7, NULL);
	tap_is_str(got, "code_word 0+7 冰糖 lexicon:drugs.tsv:冰糖/spaced meth\n",
		   "invalid byte inside a word");
	free(got);
	got = scan_all(sc, "\xe5\x86", 2, NULL);
	tap_is_str(got, "", "truncated sequence at the end");
	free(got);
	/* overlong '/', surrogate, beyond U+10FFFF: no crash, no hit */
	got = scan_all(sc, "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", 9, NULL);
	tap_is_str(got, "", "overlong, surrogate, out of range");
	free(got);
	/* NUL bytes are text like any other */
	got = scan_all(sc, "\0\xe5\x86\xb0\xe7\xb3\x96\0", 8, NULL);
	tap_is_str(got, "code_word 1+6 冰糖 lexicon:drugs.tsv:冰糖/exact meth\n",
		   "NUL around a word");
	free(got);
	/* a long text of one code word: every one found, linear */
	size_t reps = 20000, len = reps * 3;
	char *big = malloc(len);
	if (!big)
		tap_bail("out of memory");
	for (size_t i = 0; i < reps; i++)
		memcpy(big + 3 * i, "\xe5\x86\xb0", 3);
	struct collect c = {CU_BUF_INIT, big, 0, 0, 0};
	struct cu_error err;
	tap_ok(cu_scanner_scan(sc, big, len, collect, &c, &err) == CU_OK && c.calls == reps,
	       "20000 times 冰: 20000 hits (%zu)", c.calls);
	cu_buf_release(&c.out);
	free(big);
	/* a digit run of 60 digits never matches in part */
	got =
	    scan_all(sc, "138001380001380013800013800138000138001380001380013800013800", 60, NULL);
	tap_is_str(got, "", "60 digits: no phone inside");
	free(got);
	/* the callback stops the scan */
	struct collect s = {CU_BUF_INIT, "冰糖 冰毒 溜冰", 0, 0, 2};
	enum cu_status st = cu_scanner_scan(sc, s.text, strlen(s.text), collect, &s, &err);
	tap_ok(st == CU_E_INTERRUPTED && s.calls == 2, "callback error stops the scan (%d, %zu)",
	       st, s.calls);
	cu_buf_release(&s.out);
	tap_ok(cu_scanner_scan(sc, "", 0, collect, &s, &err) == CU_OK, "empty text");
}

static void test_norm(void)
{
	struct cu_norm n;
	struct cu_error err;
	cu_norm_init(&n);
	/* "Ｋ 粉": full-width K, a space, 粉 */
	const char *in = "\xef\xbc\xab \xe7\xb2\x89";
	TAP_MUST(cu_norm_text(&n, in, strlen(in), CU_NORM_ALL, &err));
	tap_ok(n.main == 4 && memcmp(n.text, "k\xe7\xb2\x89", 4) == 0, "Ｋ 粉 -> k粉");
	tap_ok(n.start[0] == 0 && n.end[0] == 3 && n.start[1] == 4 && n.end[3] == 7,
	       "offset map back to the original bytes");
	tap_ok((n.flags[0] & CU_NF_WIDTH) && (n.flags[0] & CU_NF_CASE) &&
		   (n.flags[1] & CU_NF_SPACED),
	       "flags: width, case, spaced");
	/* two latin words keep one space */
	TAP_MUST(cu_norm_text(&n, "a ,  B", 6, CU_NORM_ALL, &err));
	tap_is_str(n.text, "a b", "latin words keep a boundary");
	/* emoji between CJK go to the side area */
	in = "\xe5\x86\xb0\xf0\x9f\x92\x8a\xe7\xb3\x96"; /* 冰💊糖 */
	TAP_MUST(cu_norm_text(&n, in, strlen(in), CU_NORM_ALL, &err));
	tap_ok(n.main == 6 && n.len == 11 && n.text[6] == '\n' && n.start[7] == 3 && n.end[10] == 7,
	       "emoji between CJK: side area");
	tap_ok(cu_t2s(0x865F) == 0x53F7 && cu_t2s(0x51B0) == 0x51B0, "號 -> 号, 冰 unchanged");
	cu_norm_release(&n);
}

int main(void)
{
	struct cu_lexicon *lx = NULL;
	struct cu_scanner *sc = NULL;
	struct cu_error err;
	tap_plan((int)(sizeof(cases) / sizeof(cases[0])) + 4 + 8 + 6);
	TAP_MUST(cu_lexicon_load(NULL, &lx, &err));
	TAP_MUST(cu_scanner_new(lx, &sc, &err));
	test_golden(sc);
	test_hostile(sc);
	test_norm();
	cu_scanner_free(sc);
	cu_lexicon_free(lx);
	return tap_done();
}
