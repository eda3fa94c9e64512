/*
 * fuzz_scan.c - the analysis scanner on hostile message text: the
 * normaliser, the lexicon automaton and every identifier validator. Checks
 * and aborts when broken:
 *   every hit lies inside the text, is not empty, and its value is valid
 *   UTF-8 (invalid input bytes are replaced, never copied);
 *   hits come sorted by offset then kind, code words never overlap;
 *   the same text scanned twice gives the same hits;
 *   cu_ident_phone_e164 gives "+" and digits only.
 * The lexicon is a small one written here (terms, variants, exclusions,
 * emoji) plus the shipped one when CUSTOS_DATADIR is set (make check).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		abort();
}

static const char fuzz_lexicon[] = "冰\tmeth\tx\ty\n"
				   "冰糖\tmeth\tx\ty\n"
				   "溜冰毒\tmeth\tx\ty\n"
				   "K粉\tketamine\tx\ty\n"
				   "pinyin:bingtang=冰糖\tmeth\tx\ty\n"
				   "initials:bt=冰糖\tmeth\tx\ty\n"
				   "!冰箱\tinnocent\tx\ty\n"
				   "!冰糖葫芦\tinnocent\tx\ty\n"
				   "❄️\tmeth\tx\ty\n"
				   "💊💊\tpills\tx\ty\n"
				   "aa\ttest\tx\ty\n"
				   "aaa\ttest\tx\ty\n";

static struct cu_scanner *scanner(void)
{
	static struct cu_scanner *sc;
	static struct cu_lexicon *lx;
	struct cu_error err;
	if (sc)
		return sc;
	char path[] = "/tmp/fuzz_scan_lexicon_XXXXXX";
	int fd = mkstemp(path);
	check(fd >= 0);
	check(write(fd, fuzz_lexicon, sizeof(fuzz_lexicon) - 1) ==
	      (ssize_t)sizeof(fuzz_lexicon) - 1);
	close(fd);
	const char *d = getenv("CUSTOS_DATADIR");
	if (d && *d) {
		if (cu_lexicon_load(NULL, &lx, &err) != CU_OK) {
			fprintf(stderr, "fuzz_scan: %s\n", err.msg);
			abort();
		}
	} else {
		/* an empty directory of our own: only the lexicon above */
		char dir[] = "/tmp/fuzz_scan_dir_XXXXXX";
		check(mkdtemp(dir) != NULL);
		char f[64];
		snprintf(f, sizeof(f), "%s/fuzz.tsv", dir);
		check(rename(path, f) == 0);
		check(cu_lexicon_load(dir, &lx, &err) == CU_OK);
		unlink(f);
		rmdir(dir);
		check(cu_scanner_new(lx, &sc, &err) == CU_OK);
		return sc;
	}
	check(cu_lexicon_add_file(lx, path, &err) == CU_OK);
	unlink(path);
	check(cu_scanner_new(lx, &sc, &err) == CU_OK);
	return sc;
}

struct state {
	size_t size, n;
	size_t last_offset, last_word_end;
	int last_kind;
	unsigned long sum;
};

static enum cu_status on_hit(void *ctx, const struct cu_hit *h, struct cu_error *err)
{
	struct state *s = ctx;
	(void)err;
	check(h->len > 0 && h->offset <= s->size && h->len <= s->size - h->offset);
	check(h->value && h->normalized && h->rule);
	check(cu_utf8_valid(h->value, strlen(h->value)));
	check(h->offset > s->last_offset || s->n == 0 ||
	      (h->offset == s->last_offset && (int)h->kind >= s->last_kind));
	if (h->kind == CU_HIT_CODE_WORD) {
		check(h->offset >= s->last_word_end);
		s->last_word_end = h->offset + h->len;
	}
	s->last_offset = h->offset;
	s->last_kind = (int)h->kind;
	s->n++;
	s->sum += h->offset * 31 + h->len + (unsigned long)h->kind + strlen(h->normalized);
	return CU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_scanner *sc = scanner();
	struct cu_error err;
	struct state a = {size, 0, 0, 0, 0, 0}, b = {size, 0, 0, 0, 0, 0};
	if (size > 1 << 20)
		return 0;
	check(cu_scanner_scan(sc, (const char *)data, size, on_hit, &a, &err) == CU_OK);
	check(cu_scanner_scan(sc, (const char *)data, size, on_hit, &b, &err) == CU_OK);
	check(a.n == b.n && a.sum == b.sum);
	char *s = malloc(size + 1);
	check(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	char out[32];
	if (cu_ident_phone_e164(s, out, sizeof(out))) {
		check(out[0] == '+' && strlen(out) >= 9);
		for (const char *p = out + 1; *p; p++)
			check(*p >= '0' && *p <= '9');
	}
	struct cu_ident id;
	if (cu_ident_crypto(s, size, &id))
		check(id.kind == CU_HIT_CRYPTO_ADDRESS && id.rule && id.category);
	free(s);
	return 0;
}
