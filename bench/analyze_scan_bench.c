/*
 * analyze_scan_bench.c - throughput of the analysis scanner on one core:
 * N synthetic chat messages (deterministic) scanned with the shipped
 * lexicon plus generated terms up to TERMS entries. Prints messages/s,
 * MB/s, hits per kind and the peak RSS. Planted identifiers (valid phone
 * numbers, BTC addresses, code words between plain characters) are
 * counted, and the run fails when the scanner finds fewer than planted, so
 * a fast wrong scanner cannot pass.
 *
 * Usage: analyze_scan_bench MESSAGES TERMS TMPDIR
 * (CUSTOS_DATADIR names the data directory holding lexicon/).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis/analysis.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Common characters of chat text (none of them a code word alone). */
static const char *const common[] = {
    "我",   "你",     "他",   "的",   "了",   "是",   "在", "有",  "这",    "个", "们",  "来",
    "到",   "时",     "大",   "地",   "为",   "子",   "中", "上",  "说",    "生", "国",  "年",
    "着",   "就",     "那",   "和",   "要",   "她",   "出", "也",  "得",    "里", "后",  "自",
    "以",   "会",     "家",   "可",   "下",   "而",   "过", "天",  "去",    "能", "对",  "小",
    "多",   "然",     "于",   "心",   "学",   "么",   "之", "都",  "好",    "看", "起",  "发",
    "当",   "没",     "成",   "只",   "如",   "事",   "把", "还",  "用",    "第", "样",  "道",
    "想",   "作",     "种",   "开",   "美",   "总",   "从", "无",  "情",    "己", "面",  "最",
    "女",   "但",     "现",   "前",   "些",   "所",   "，", "。",  "？",    "！", " ",   "明天",
    "今晚", "老地方", "哈哈", "好的", "收到", "在吗", "ok", "3点", "200块", "wx", "2个", "OK"};
#define NCOMMON (sizeof(common) / sizeof(common[0]))

static const char *const planted_words[] = {"冰糖", "K粉", "緬貨", "冰 糖", "麻古", "叶子"};
static const char *const emoji[] = {"😀", "👍", "🙏", "💊", "🍃"};

struct counts {
	uint64_t hits[6], bytes;
};

static enum cu_status count(void *ctx, const struct cu_hit *h, struct cu_error *err)
{
	struct counts *c = ctx;
	(void)err;
	c->hits[h->kind]++;
	return CU_OK;
}

static void put(char **p, const char *s)
{
	size_t n = strlen(s);
	memcpy(*p, s, n);
	*p += n;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: analyze_scan_bench MESSAGES TERMS TMPDIR\n");
		return 2;
	}
	size_t nmsg = strtoul(argv[1], NULL, 10), nterms = strtoul(argv[2], NULL, 10);
	struct cu_error err;
	struct cu_lexicon *lx = NULL;
	struct cu_scanner *sc = NULL;
	if (cu_lexicon_load(NULL, &lx, &err) != CU_OK) {
		fprintf(stderr, "analyze_scan_bench: %s\n", err.msg);
		return 1;
	}
	/* Generated agency terms: three characters from a block of rarer
	 * characters (so they do not flood the text), some pinyin-like words. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/bench-terms.tsv", argv[3]);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t have = cu_lexicon_terms(lx);
	for (size_t i = 0; have + i < nterms; i++) {
		if (i % 10 == 9) {
			fprintf(f, "alias:zz%zuq=%s\tbench\tgenerated\tbench\n", i, "冰糖");
			continue;
		}
		char w[16];
		char *p = w;
		for (int k = 0; k < 3; k++) {
			uint32_t c = 0x7000 + next() % 0x800;
			*p++ = (char)(0xe0 | (c >> 12));
			*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
			*p++ = (char)(0x80 | (c & 0x3f));
		}
		*p = '\0';
		fprintf(f, "%s\tbench\tgenerated\tbench\n", w);
	}
	if (fclose(f) != 0 || cu_lexicon_add_file(lx, path, &err) != CU_OK ||
	    cu_scanner_new(lx, &sc, &err) != CU_OK) {
		fprintf(stderr, "analyze_scan_bench: %s\n", err.msg);
		return 1;
	}
	remove(path);
	/* 65,536 distinct messages, scanned in turn up to nmsg. */
	enum { DISTINCT = 65536 };
	char *corpus = malloc((size_t)DISTINCT * 256);
	size_t *off = malloc((DISTINCT + 1) * sizeof(size_t));
	if (!corpus || !off)
		return 1;
	uint64_t planted_words_n = 0, planted_phones = 0, planted_btc = 0;
	char *p = corpus;
	for (size_t m = 0; m < DISTINCT; m++) {
		off[m] = (size_t)(p - corpus);
		size_t len = 4 + next() % 30;
		for (size_t k = 0; k < len; k++) {
			uint32_t r = next() % 1000;
			if (r < 8) {
				put(&p, "，");
				put(&p, planted_words[next() % 6]);
				put(&p, "，");
				planted_words_n++;
			} else if (r < 10) {
				char phone[32];
				snprintf(phone, sizeof(phone), " 13%09u ", next() % 1000000000u);
				put(&p, phone);
				planted_phones++;
			} else if (r < 11) {
				put(&p, " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ");
				planted_btc++;
			} else if (r < 40) {
				put(&p, emoji[next() % 5]);
			} else {
				put(&p, common[next() % NCOMMON]);
			}
			if ((size_t)(p - corpus) - off[m] > 200)
				break;
		}
	}
	off[DISTINCT] = (size_t)(p - corpus);
	struct counts c;
	memset(&c, 0, sizeof(c));
	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (size_t i = 0; i < nmsg; i++) {
		size_t m = i % DISTINCT;
		c.bytes += off[m + 1] - off[m];
		if (cu_scanner_scan(sc, corpus + off[m], off[m + 1] - off[m], count, &c, &err) !=
		    CU_OK) {
			fprintf(stderr, "analyze_scan_bench: %s\n", err.msg);
			return 1;
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	uint64_t rounds = nmsg / DISTINCT, part = nmsg % DISTINCT;
	(void)part;
	/* CPU time is what one core spends (the wall clock includes waiting
	 * for a shared core). */
	printf("messages %zu\nterms %zu\nbytes %llu\nwall_seconds %.3f\ncpu_seconds %.3f\n"
	       "messages_per_s_wall %.0f\nmessages_per_cpu_s %.0f\nmb_per_cpu_s %.1f\n"
	       "peak_rss_kib %ld\n",
	       nmsg, cu_lexicon_terms(lx), (unsigned long long)c.bytes, s, cpu, (double)nmsg / s,
	       (double)nmsg / cpu, (double)c.bytes / cpu / 1e6, ru.ru_maxrss);
	for (int k = 0; k < 6; k++)
		printf("hits_%s %llu\n", cu_hit_kind_name((enum cu_hit_kind)k),
		       (unsigned long long)c.hits[k]);
	int rc = 0;
	/* Over whole rounds of the distinct set every planted item is found
	 * at least once per round. */
	if (rounds && (c.hits[CU_HIT_PHONE_NUMBER] < planted_phones * rounds ||
		       c.hits[CU_HIT_CRYPTO_ADDRESS] < planted_btc * rounds ||
		       c.hits[CU_HIT_CODE_WORD] < planted_words_n * rounds)) {
		fprintf(stderr,
			"analyze_scan_bench: found fewer than planted (phones %llu, btc %llu, "
			"words %llu per round)\n",
			(unsigned long long)planted_phones, (unsigned long long)planted_btc,
			(unsigned long long)planted_words_n);
		rc = 1;
	}
	cu_scanner_free(sc);
	cu_lexicon_free(lx);
	free(corpus);
	free(off);
	return rc;
}
