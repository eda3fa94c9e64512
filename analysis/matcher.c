/*
 * matcher.c - the scanner: one Aho-Corasick automaton over the normalised
 * text for every lexicon pattern (code words and exclusions together),
 * leftmost-longest with exclusions winning, then the identifier pass over
 * the width-folded text (validators of ident.c), all hits sorted by offset
 * then kind. The automaton is built once and never changes; the scratch
 * buffers make a scanner one per thread.
 */
#include "analysis/analysis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ac_node {
	int32_t fail;  /* longest proper suffix that is a trie node */
	int32_t dict;  /* nearest node on the fail chain that ends a pattern, 0 if none */
	int32_t pat;   /* entry index ending here, -1 if none */
	uint32_t edge; /* first edge in the sorted edge arrays */
	uint32_t nedges;
	int32_t dense; /* row of full transitions (fail links resolved), or -1 */
};

/* Nodes with at least this many edges get a dense row of 256 transitions:
 * the root and the nodes after a UTF-8 lead byte, where CJK text spends
 * its time. */
#define DENSE_MIN_EDGES 4

struct cand {
	uint32_t start, end; /* in the normalised text */
	uint32_t entry;
};

struct hit_rec {
	enum cu_hit_kind kind;
	size_t offset, len;
	size_t value, normalized, rule; /* offsets into the arena */
	const char *category;           /* borrowed: static or the lexicon's */
};

struct cu_scanner {
	const struct cu_lexicon *lx;
	struct ac_node *nodes;
	size_t nnodes;
	uint8_t *edge_byte;
	int32_t *edge_to;
	int32_t *rows; /* dense rows, 256 entries each */
	size_t nrows;
	/* scratch */
	struct cu_norm text, wide;
	struct cand *cands, *excl;
	size_t ncands, nexcl, cands_cap, excl_cap;
	struct hit_rec *hits;
	size_t nhits, hits_cap;
	struct cu_buf arena;
};

/* ---- building ---- */

struct trie {
	int32_t *first, *sib, *pat;
	uint8_t *byte;
	size_t n, cap;
};

static int32_t trie_new_node(struct trie *t, uint8_t b)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		if (cap > INT32_MAX || !cu_grow_array(&t->first, cap, sizeof(int32_t)) ||
		    !cu_grow_array(&t->sib, cap, sizeof(int32_t)) ||
		    !cu_grow_array(&t->pat, cap, sizeof(int32_t)) ||
		    !cu_grow_array(&t->byte, cap, 1))
			return -1;
		t->cap = cap;
	}
	int32_t id = (int32_t)t->n++;
	t->first[id] = -1;
	t->sib[id] = -1;
	t->pat[id] = -1;
	t->byte[id] = b;
	return id;
}

static void trie_release(struct trie *t)
{
	free(t->first);
	free(t->sib);
	free(t->pat);
	free(t->byte);
}

static int32_t find_edge(const struct cu_scanner *sc, int32_t s, uint8_t b)
{
	const struct ac_node *nd = &sc->nodes[s];
	const uint8_t *eb = sc->edge_byte + nd->edge;
	uint32_t lo = 0, hi = nd->nedges;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (eb[mid] == b)
			return sc->edge_to[nd->edge + mid];
		if (eb[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int32_t step(const struct cu_scanner *sc, int32_t s, uint8_t b)
{
	for (;;) {
		const struct ac_node *nd = &sc->nodes[s];
		if (nd->dense >= 0)
			return sc->rows[(size_t)nd->dense * 256 + b];
		int32_t t = find_edge(sc, s, b);
		if (t >= 0)
			return t;
		s = nd->fail; /* the root is dense: the loop ends there */
	}
}

static int cmp_u8(const void *a, const void *b)
{
	return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

enum cu_status cu_scanner_new(const struct cu_lexicon *lx, struct cu_scanner **out,
			      struct cu_error *err)
{
	struct trie t;
	memset(&t, 0, sizeof(t));
	struct cu_scanner *sc = cu_calloc(1, sizeof(*sc));
	int32_t *queue = NULL;
	enum cu_status st = CU_OK;
	if (!sc || trie_new_node(&t, 0) < 0)
		goto nomem;
	sc->lx = lx;
	cu_norm_init(&sc->text);
	cu_norm_init(&sc->wide);
	cu_buf_init(&sc->arena, 0);
	for (size_t i = 0; lx && i < lx->n; i++) {
		const struct cu_lexicon_entry *e = &lx->entries[i];
		int32_t s = 0;
		for (size_t k = 0; k < e->plen; k++) {
			uint8_t b = (uint8_t)e->pattern[k];
			int32_t c = t.first[s];
			while (c >= 0 && t.byte[c] != b)
				c = t.sib[c];
			if (c < 0) {
				if ((c = trie_new_node(&t, b)) < 0)
					goto nomem;
				t.sib[c] = t.first[s];
				t.first[s] = c;
			}
			s = c;
		}
		/* The same pattern twice: the first entry wins, except that an
		 * exclusion always wins over a code word. */
		if (t.pat[s] < 0 || (e->exclusion && !lx->entries[t.pat[s]].exclusion))
			t.pat[s] = (int32_t)i;
	}
	sc->nnodes = t.n;
	sc->nodes = cu_calloc(t.n, sizeof(*sc->nodes));
	sc->edge_byte = cu_malloc(t.n);
	sc->edge_to = cu_calloc(t.n, sizeof(int32_t));
	queue = cu_calloc(t.n, sizeof(int32_t));
	if (!sc->nodes || !sc->edge_byte || !sc->edge_to || !queue)
		goto nomem;
	/* Breadth-first: edges sorted by byte, fail and dict links. */
	size_t qh = 0, qt = 0, ne = 0;
	queue[qt++] = 0;
	while (qh < qt) {
		int32_t u = queue[qh++];
		struct ac_node *nd = &sc->nodes[u];
		nd->pat = t.pat[u];
		nd->edge = (uint32_t)ne;
		uint8_t bytes[256];
		int32_t to[256];
		size_t k = 0;
		for (int32_t c = t.first[u]; c >= 0; c = t.sib[c])
			bytes[k++] = t.byte[c];
		qsort(bytes, k, 1, cmp_u8);
		for (size_t j = 0; j < k; j++) {
			int32_t c = t.first[u];
			while (t.byte[c] != bytes[j])
				c = t.sib[c];
			to[j] = c;
			sc->edge_byte[ne] = bytes[j];
			sc->edge_to[ne] = c;
			ne++;
			queue[qt++] = c;
		}
		nd->nedges = (uint32_t)k;
		for (size_t j = 0; j < k; j++) {
			int32_t v = to[j];
			int32_t f = 0;
			if (u != 0) {
				int32_t w = nd->fail;
				for (;;) {
					int32_t g = find_edge(sc, w, bytes[j]);
					if (g >= 0) {
						f = g;
						break;
					}
					if (w == 0)
						break;
					w = sc->nodes[w].fail;
				}
			}
			sc->nodes[v].fail = f;
			sc->nodes[v].dict = t.pat[f] >= 0 ? f : sc->nodes[f].dict;
		}
	}
	/* Dense rows in breadth-first order: a row's fail target is shallower,
	 * so its transitions are final when the row is filled. */
	size_t nrows = 0;
	for (size_t q = 0; q < qt; q++)
		if (queue[q] == 0 || sc->nodes[queue[q]].nedges >= DENSE_MIN_EDGES)
			nrows++;
	sc->rows = cu_calloc(nrows, 256 * sizeof(int32_t));
	if (!sc->rows)
		goto nomem;
	for (size_t q = 0; q < qt; q++)
		sc->nodes[queue[q]].dense = -1;
	for (size_t q = 0; q < qt; q++) {
		int32_t u = queue[q];
		if (u != 0 && sc->nodes[u].nedges < DENSE_MIN_EDGES)
			continue;
		int32_t *row = sc->rows + sc->nrows * 256;
		for (int b = 0; b < 256; b++) {
			int32_t g = find_edge(sc, u, (uint8_t)b);
			row[b] =
			    g >= 0 ? g : (u == 0 ? 0 : step(sc, sc->nodes[u].fail, (uint8_t)b));
		}
		sc->nodes[u].dense = (int32_t)sc->nrows++;
	}
	*out = sc;
	sc = NULL;
	goto out;
nomem:
	st = cu_error_set(err, CU_E_NOMEM, "building the lexicon automaton: out of memory");
out:
	free(queue);
	trie_release(&t);
	cu_scanner_free(sc);
	return st;
}

void cu_scanner_free(struct cu_scanner *sc)
{
	if (!sc)
		return;
	free(sc->nodes);
	free(sc->edge_byte);
	free(sc->edge_to);
	free(sc->rows);
	cu_norm_release(&sc->text);
	cu_norm_release(&sc->wide);
	free(sc->cands);
	free(sc->excl);
	free(sc->hits);
	cu_buf_release(&sc->arena);
	free(sc);
}

/* ---- scanning: code words ---- */

/* Candidate matches per text are capped: a hostile text cannot make the
 * scanner hold more than this many. */
#define CAND_MAX ((size_t)1 << 22)

static enum cu_status push_cand(struct cand **v, size_t *n, size_t *cap, uint32_t s, uint32_t e,
				uint32_t entry, struct cu_error *err)
{
	if (*n == *cap) {
		if (*cap >= CAND_MAX)
			return cu_error_set(err, CU_E_LIMIT,
					    "more than %zu lexicon matches in one text", CAND_MAX);
		size_t c = *cap ? *cap * 2 : 64;
		struct cand *nv = cu_reallocarray(*v, c, sizeof(**v));
		if (!nv)
			return cu_error_set(err, CU_E_NOMEM, "scanning: out of memory");
		*v = nv;
		*cap = c;
	}
	(*v)[*n].start = s;
	(*v)[*n].end = e;
	(*v)[*n].entry = entry;
	(*n)++;
	return CU_OK;
}

static bool alnum_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int cmp_cand_start(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	uint32_t lx = x->end - x->start, ly = y->end - y->start;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Arena strings: offsets stay valid while the arena grows. */
static enum cu_status arena_put(struct cu_scanner *sc, const char *s, size_t n, size_t *off,
				struct cu_error *err)
{
	*off = sc->arena.len;
	enum cu_status st = cu_buf_append(&sc->arena, s, n, err);
	if (!st)
		st = cu_buf_putc(&sc->arena, '\0', err);
	return st;
}

/* The original bytes, with invalid UTF-8 replaced by U+FFFD. */
static enum cu_status arena_put_text(struct cu_scanner *sc, const char *s, size_t n, size_t *off,
				     struct cu_error *err)
{
	enum cu_status st;
	*off = sc->arena.len;
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t k = cu_utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (k) {
			st = cu_buf_append(&sc->arena, s + i, k, err);
			i += k;
		} else {
			st = cu_buf_append(&sc->arena, "\xef\xbf\xbd", 3, err);
			i++;
		}
		if (st)
			return st;
	}
	return cu_buf_putc(&sc->arena, '\0', err);
}

static enum cu_status push_hit(struct cu_scanner *sc, enum cu_hit_kind kind, const char *text,
			       size_t off, size_t len, const char *norm, size_t nlen,
			       const char *rule, size_t rlen, const char *category,
			       struct cu_error *err)
{
	enum cu_status st;
	if (sc->nhits == sc->hits_cap) {
		size_t c = sc->hits_cap ? sc->hits_cap * 2 : 32;
		if (sc->hits_cap >= CAND_MAX)
			return cu_error_set(err, CU_E_LIMIT, "more than %zu hits in one text",
					    CAND_MAX);
		struct hit_rec *h = cu_reallocarray(sc->hits, c, sizeof(*h));
		if (!h)
			return cu_error_set(err, CU_E_NOMEM, "scanning: out of memory");
		sc->hits = h;
		sc->hits_cap = c;
	}
	struct hit_rec *h = &sc->hits[sc->nhits];
	h->kind = kind;
	h->offset = off;
	h->len = len;
	h->category = category;
	if ((st = arena_put_text(sc, text + off, len, &h->value, err)) ||
	    (st = arena_put(sc, norm, nlen, &h->normalized, err)) ||
	    (st = arena_put(sc, rule, rlen, &h->rule, err)))
		return st;
	sc->nhits++;
	return CU_OK;
}

/* How a code word matched: the entry's kind, or for a plain term what the
 * normalisation had to do (spaced, traditional, width), "exact" if nothing. */
static void how_string(const struct cu_norm *nm, const struct cand *c,
		       const struct cu_lexicon_entry *e, char *out, size_t cap)
{
	if (strcmp(e->how, "exact") != 0 || c->start >= nm->main) {
		snprintf(out, cap, "%s", c->start >= nm->main ? "emoji" : e->how);
		return;
	}
	unsigned f = 0;
	for (uint32_t j = c->start; j < c->end; j++) {
		unsigned fl = nm->flags[j];
		if (nm->start[j] == nm->start[c->start])
			fl &= ~CU_NF_SPACED; /* before the first character */
		f |= fl;
	}
	out[0] = '\0';
	if (f & CU_NF_SPACED)
		snprintf(out + strlen(out), cap - strlen(out), "%sspaced", *out ? "+" : "");
	if (f & CU_NF_TRAD)
		snprintf(out + strlen(out), cap - strlen(out), "%straditional", *out ? "+" : "");
	if (f & CU_NF_WIDTH)
		snprintf(out + strlen(out), cap - strlen(out), "%swidth", *out ? "+" : "");
	if (!*out)
		snprintf(out, cap, "exact");
}

static enum cu_status scan_words(struct cu_scanner *sc, const char *text, size_t len,
				 struct cu_error *err)
{
	enum cu_status st;
	const struct cu_lexicon *lx = sc->lx;
	struct cu_norm *nm = &sc->text;
	if (!lx || lx->n == 0)
		return CU_OK;
	if ((st = cu_norm_text(nm, text, len, CU_NORM_ALL, err)))
		return st;
	sc->ncands = sc->nexcl = 0;
	const char *t = nm->text;
	int32_t s = 0;
	for (size_t i = 0; i < nm->len; i++) {
		uint8_t b = (uint8_t)t[i];
		if (b == '\n') {
			s = 0;
			continue;
		}
		s = step(sc, s, b);
		int32_t o = sc->nodes[s].pat >= 0 ? s : sc->nodes[s].dict;
		while (o > 0) {
			const struct cu_lexicon_entry *e = &lx->entries[sc->nodes[o].pat];
			size_t end = i + 1, start = end - e->plen;
			bool ok = !(e->word_start && start > 0 && alnum_byte(t[start - 1])) &&
				  !(e->word_end && end < nm->len && alnum_byte(t[end]));
			if (ok) {
				if (e->exclusion)
					st = push_cand(&sc->excl, &sc->nexcl, &sc->excl_cap,
						       (uint32_t)start, (uint32_t)end,
						       (uint32_t)sc->nodes[o].pat, err);
				else
					st = push_cand(&sc->cands, &sc->ncands, &sc->cands_cap,
						       (uint32_t)start, (uint32_t)end,
						       (uint32_t)sc->nodes[o].pat, err);
				if (st)
					return st;
			}
			o = sc->nodes[o].dict;
		}
	}
	if (sc->ncands == 0)
		return CU_OK;
	qsort(sc->cands, sc->ncands, sizeof(struct cand), cmp_cand_start);
	if (sc->nexcl)
		qsort(sc->excl, sc->nexcl, sizeof(struct cand), cmp_cand_start);
	/* Exclusions win: drop candidates inside one (an exclusion starting at
	 * or before the candidate and ending at or after it). */
	size_t xi = 0, kept = 0;
	uint32_t max_end = 0;
	for (size_t i = 0; i < sc->ncands; i++) {
		struct cand c = sc->cands[i];
		while (xi < sc->nexcl && sc->excl[xi].start <= c.start) {
			if (sc->excl[xi].end > max_end)
				max_end = sc->excl[xi].end;
			xi++;
		}
		if (xi > 0 && max_end >= c.end)
			continue;
		sc->cands[kept++] = c;
	}
	/* Leftmost-longest, no overlaps. Candidates of the side area (emoji
	 * taken out from between CJK characters) come after those of the text;
	 * one inside a word already found (冰❄️糖) is part of that word. */
	uint32_t last_end = 0;
	size_t first_hit = sc->nhits, main_hits = 0;
	for (size_t i = 0; i < kept; i++) {
		const struct cand *c = &sc->cands[i];
		if (c->start < last_end)
			continue;
		const struct cu_lexicon_entry *e = &lx->entries[c->entry];
		size_t os = nm->start[c->start], oe = nm->end[c->end - 1];
		if (c->start >= nm->main) {
			bool inside = false;
			for (size_t h = first_hit; h < first_hit + main_hits && !inside; h++)
				inside = sc->hits[h].offset < oe &&
					 os < sc->hits[h].offset + sc->hits[h].len;
			if (inside)
				continue;
		} else {
			main_hits++;
		}
		last_end = c->end;
		char how[64], rule[CU_LEXICON_TERM_MAX + 512];
		how_string(nm, c, e, how, sizeof(how));
		int rl = snprintf(rule, sizeof(rule), "lexicon:%s:%s/%s", lx->files[e->file].name,
				  e->term, how);
		if (rl < 0 || (size_t)rl >= sizeof(rule))
			rl = (int)strlen(rule);
		if ((st = push_hit(sc, CU_HIT_CODE_WORD, text, os, oe - os, e->term,
				   strlen(e->term), rule, (size_t)rl, e->category, err)))
			return st;
	}
	return CU_OK;
}

/* ---- scanning: identifiers ---- */

struct keyword {
	const char *word;
	const char *name; /* courier or station; NULL for a generic word */
};

/* Courier context: a name or a generic word within CONTEXT_WINDOW bytes. */
static const struct keyword courier_words[] = {
    {"顺丰", "SF"},     {"順豐", "SF"},      {"中通", "ZTO"},     {"圆通", "YTO"}, {"圓通", "YTO"},
    {"申通", "STO"},    {"韵达", "Yunda"},   {"韻達", "Yunda"},   {"邮政", "EMS"}, {"郵政", "EMS"},
    {"EMS", "EMS"},     {"京东", "JD"},      {"京東", "JD"},      {"极兔", "J&T"}, {"極兔", "J&T"},
    {"德邦", "Deppon"}, {"菜鸟", "Cainiao"}, {"菜鳥", "Cainiao"}, {"快递", NULL},  {"快遞", NULL},
    {"单号", NULL},     {"單號", NULL},      {"运单", NULL},      {"運單", NULL},  {"快件", NULL},
};
#define CONTEXT_WINDOW 48

static bool courier_context(const char *text, size_t len, size_t s, size_t e, const char **courier)
{
	size_t ws = s > CONTEXT_WINDOW ? s - CONTEXT_WINDOW : 0;
	size_t we = e + CONTEXT_WINDOW < len ? e + CONTEXT_WINDOW : len;
	bool found = false;
	*courier = NULL;
	for (size_t i = 0; i < sizeof(courier_words) / sizeof(courier_words[0]); i++) {
		if (memmem(text + ws, we - ws, courier_words[i].word,
			   strlen(courier_words[i].word))) {
			found = true;
			if (courier_words[i].name && !*courier)
				*courier = courier_words[i].name;
		}
	}
	return found;
}

/* Parcel lockers and stations whose SMS carry a pick-up code. */
static const char *const stations[] = {
    "丰巢",       "菜鸟驿站", "兔喜",   "妈妈驿站",     "速递易",   "近邻宝", "中邮驿站",
    "京东快递柜", "熊猫快收", "日日顺", "韵达快递超市", "快递超市", "驿站",
};

static const char *find_station(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(stations) / sizeof(stations[0]); i++)
		if (memmem(text, len, stations[i], strlen(stations[i])))
			return stations[i];
	return NULL;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* A pick-up code at text[i..): [A-Z]?d{1,2}(-d{1,4}){1,3} | d{4,8} |
 * [A-Z]d{3,6}, not followed by a letter, digit or dash. Returns its length
 * or 0. */
static size_t pickup_code_at(const char *t, size_t len, size_t i)
{
	size_t j = i;
	bool letter = false;
	if (j < len && upper(t[j]))
		letter = true, j++;
	size_t d0 = j;
	while (j < len && digit(t[j]) && j - d0 < 9)
		j++;
	size_t nd = j - d0;
	if (nd == 0)
		return 0;
	size_t parts = 0;
	if (j < len && t[j] == '-' && nd <= 2) {
		while (j < len && t[j] == '-' && parts < 3 && j + 1 < len && digit(t[j + 1])) {
			size_t k = j + 1;
			while (k < len && digit(t[k]) && k - j <= 4)
				k++;
			if (k - j - 1 > 4)
				return 0;
			j = k;
			parts++;
		}
		if (!parts)
			return 0;
	} else if (letter ? (nd < 3 || nd > 6) : (nd < 4 || nd > 8)) {
		return 0;
	}
	if (j < len && (alnum_byte(t[j]) || t[j] == '-'))
		return 0;
	return j - i;
}

/* Skips the filler between a keyword and its code: spaces, colons, 为, 是,
 * quotes and brackets (ASCII or full-width), at most 4 of them. */
static size_t skip_filler(const char *t, size_t len, size_t i)
{
	static const char *const fill[] = {"：", "为", "是", "『", "「", "【", "\u3000",
					   "\"", "“",  ":",  " ",  "[",  "(",  "（"};
	for (int n = 0; n < 4; n++) {
		bool moved = false;
		for (size_t k = 0; k < sizeof(fill) / sizeof(fill[0]); k++) {
			size_t fl = strlen(fill[k]);
			if (i + fl <= len && memcmp(t + i, fill[k], fl) == 0) {
				i += fl;
				moved = true;
				break;
			}
		}
		if (!moved)
			break;
	}
	return i;
}

struct range {
	size_t s, e;
};

static enum cu_status scan_pickup(struct cu_scanner *sc, const char *text, size_t len,
				  struct range *taken, size_t *ntaken, size_t maxtaken,
				  struct cu_error *err)
{
	static const char *const keys[] = {"取件码", "取件碼", "取货码", "取貨碼",
					   "提货码", "提貨碼", "凭"};
	/* Every key ends in 码, 碼 or is 凭: most texts have none of the three. */
	if (!memmem(text, len, "码", 3) && !memmem(text, len, "碼", 3) &&
	    !memmem(text, len, "凭", 3))
		return CU_OK;
	const char *station = NULL;
	bool station_known = false;
	enum cu_status st;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t kl = strlen(keys[k]);
		bool weak = strcmp(keys[k], "凭") == 0;
		const char *p = text;
		while ((p = memmem(p, len - (size_t)(p - text), keys[k], kl))) {
			size_t i = (size_t)(p - text) + kl;
			p += kl;
			if (!station_known) {
				station = find_station(text, len);
				station_known = true;
			}
			if (weak && !station)
				break;
			/* after 凭, a 取件码 keyword is handled on its own */
			size_t c = skip_filler(text, len, i);
			size_t cl = pickup_code_at(text, len, c);
			if (!cl || (c > 0 && alnum_byte(text[c - 1])))
				continue;
			if (weak) {
				size_t a = c + cl;
				while (a < len && text[a] == ' ')
					a++;
				if (!(a + 3 <= len && (memcmp(text + a, "领", 3) == 0 ||
						       memcmp(text + a, "取", 3) == 0)))
					continue;
			}
			bool dup = false;
			for (size_t r = 0; r < *ntaken; r++)
				if (taken[r].s == c)
					dup = true;
			if (dup)
				continue;
			char norm[64], rule[64];
			const char *name = station ? station : "取件码";
			int nl = snprintf(norm, sizeof(norm), "%s:%.*s", name, (int)cl, text + c);
			int rl = snprintf(rule, sizeof(rule), "pickup:%s", name);
			if (nl < 0 || rl < 0 || (size_t)nl >= sizeof(norm) ||
			    (size_t)rl >= sizeof(rule))
				continue; /* cannot happen: codes are at most 18 bytes */
			if ((st = push_hit(sc, CU_HIT_PICKUP_CODE, text, c, cl, norm, (size_t)nl,
					   rule, (size_t)rl, station, err)))
				return st;
			if (*ntaken < maxtaken) {
				taken[*ntaken].s = c;
				taken[*ntaken].e = c + cl;
				(*ntaken)++;
			}
		}
	}
	return CU_OK;
}

static enum cu_status push_ident(struct cu_scanner *sc, const char *text, size_t os, size_t oe,
				 const struct cu_ident *id, struct cu_error *err)
{
	return push_hit(sc, id->kind, text, os, oe - os, id->normalized, strlen(id->normalized),
			id->rule, strlen(id->rule), id->category, err);
}

/* A run of digits (possibly joined) as a tracking number (with context), a
 * card or a phone number. */
static bool classify_digits(const char *text, size_t len, const char *d, size_t n, bool plus,
			    size_t os, size_t oe, struct cu_ident *id)
{
	const char *courier = NULL;
	if (n >= 10 && n <= 20 && !plus && courier_context(text, len, os, oe, &courier) &&
	    cu_ident_tracking(d, n, true, courier, id))
		return true;
	if (!plus && cu_ident_card(d, n, id))
		return true;
	char e164[24];
	if (cu_ident_phone_digits(d, n, plus, e164, sizeof(e164))) {
		id->kind = CU_HIT_PHONE_NUMBER;
		snprintf(id->normalized, sizeof(id->normalized), "%s", e164);
		id->rule = "phone:cn-mobile";
		id->category = NULL;
		if (strncmp(e164, "+86", 3) != 0)
			id->rule = "phone:e164";
		return true;
	}
	return false;
}

#define GROUP_RUNS_MAX 8

static enum cu_status scan_idents(struct cu_scanner *sc, const char *text, size_t len,
				  struct cu_error *err)
{
	enum cu_status st;
	struct cu_norm *w = &sc->wide;
	struct range taken[64];
	size_t ntaken = 0;
	if ((st = scan_pickup(sc, text, len, taken, &ntaken, 64, err)))
		return st;
	/* Without full-width forms the width-folded text is the text itself
	 * (offsets map to themselves); else fold a copy. */
	bool identity = memchr(text, 0xef, len) == NULL;
	if (!identity && (st = cu_norm_text(w, text, len, CU_NORM_WIDTH, err)))
		return st;
	const char *t = identity ? text : w->text;
	size_t n = identity ? len : w->len, i = 0;
#define WS(k) (identity ? (size_t)(k) : (size_t)w->start[k])
#define WE(k) (identity ? (size_t)(k) + 1 : (size_t)w->end[k])
	struct cu_ident id;
	while (i < n) {
		if (!alnum_byte(t[i])) {
			i++;
			continue;
		}
		size_t j = i;
		bool letters = false;
		while (j < n && alnum_byte(t[j])) {
			if (!digit(t[j]))
				letters = true;
			j++;
		}
		size_t os = WS(i), oe = WE(j - 1);
		if (letters) {
			/* A token with letters: crypto address or letter-prefixed
			 * tracking number, else nothing (digits glued to letters are
			 * never read as a number). */
			if (j - i <= 120 && (cu_ident_crypto(t + i, j - i, &id) ||
					     cu_ident_tracking(t + i, j - i, false, NULL, &id))) {
				if ((st = push_ident(sc, text, os, oe, &id, err)))
					return st;
			}
			i = j;
			continue;
		}
		/* A digit group: runs joined by single spaces or dashes, an
		 * optional '+' before. */
		size_t rs[GROUP_RUNS_MAX], re[GROUP_RUNS_MAX], nr = 0;
		rs[nr] = i, re[nr] = j, nr++;
		size_t k = j;
		while (nr < GROUP_RUNS_MAX && k + 1 < n && (t[k] == ' ' || t[k] == '-') &&
		       digit(t[k + 1])) {
			size_t m = k + 1;
			while (m < n && digit(t[m]))
				m++;
			if (m < n && alnum_byte(t[m]))
				break; /* the next run is glued to letters */
			rs[nr] = k + 1, re[nr] = m, nr++;
			k = m;
		}
		bool plus = i > 0 && t[i - 1] == '+';
		size_t gs = plus ? i - 1 : i, ge = re[nr - 1];
		bool skip = false;
		for (size_t r = 0; r < ntaken; r++)
			if (WS(gs) < taken[r].e && WE(ge - 1) > taken[r].s)
				skip = true;
		char digits[40];
		size_t nd = 0;
		for (size_t r = 0; r < nr; r++)
			for (size_t q = rs[r]; q < re[r]; q++)
				if (nd < sizeof(digits))
					digits[nd++] = t[q];
		if (!skip) {
			size_t gos = WS(gs), goe = WE(ge - 1);
			if (nd < sizeof(digits) &&
			    classify_digits(text, len, digits, nd, plus, gos, goe, &id)) {
				if ((st = push_ident(sc, text, gos, goe, &id, err)))
					return st;
			} else if (nr > 1) {
				for (size_t r = 0; r < nr; r++) {
					size_t ros = WS(rs[r]), roe = WE(re[r] - 1);
					if (re[r] - rs[r] < sizeof(digits) &&
					    classify_digits(text, len, t + rs[r], re[r] - rs[r],
							    r == 0 && plus, ros, roe, &id)) {
						if ((st = push_ident(sc, text, ros, roe, &id, err)))
							return st;
					}
				}
			}
		}
		i = ge;
	}
	return CU_OK;
}

#undef WS
#undef WE

static int cmp_hit(const void *a, const void *b)
{
	const struct hit_rec *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

/* Scans text[0..len) and reports the hits starting in [lo, hi), their
 * offsets moved by base. */
static enum cu_status scan_window(struct cu_scanner *sc, const char *text, size_t len, size_t base,
				  size_t lo, size_t hi, cu_hit_fn fn, void *ctx,
				  struct cu_error *err)
{
	enum cu_status st;
	sc->nhits = 0;
	cu_buf_reset(&sc->arena);
	if ((st = scan_words(sc, text, len, err)))
		return st;
	/* Identifiers need an ASCII letter or digit, or a full-width form
	 * (U+FF01-FF5E: bytes EF BC xx / EF BD xx); most chat text has none. */
	bool maybe_ident = false;
	for (size_t i = 0; i < len && !maybe_ident; i++) {
		unsigned char c = (unsigned char)text[i];
		maybe_ident = alnum_byte((char)c) || c == 0xef;
	}
	if (maybe_ident && (st = scan_idents(sc, text, len, err)))
		return st;
	if (sc->nhits)
		qsort(sc->hits, sc->nhits, sizeof(*sc->hits), cmp_hit);
	for (size_t i = 0; i < sc->nhits; i++) {
		const struct hit_rec *h = &sc->hits[i];
		if (h->offset < lo || h->offset >= hi)
			continue;
		struct cu_hit hit = {
		    .kind = h->kind,
		    .offset = base + h->offset,
		    .len = h->len,
		    .value = sc->arena.data + h->value,
		    .normalized = sc->arena.data + h->normalized,
		    .rule = sc->arena.data + h->rule,
		    .category = h->category,
		};
		if (fn && (st = fn(ctx, &hit, err)))
			return st;
	}
	return CU_OK;
}

/* Texts longer than SCAN_CHUNK are scanned in windows of SCAN_CHUNK bytes
 * with SCAN_MARGIN bytes of context on each side (longer than any code
 * word, identifier or courier context), each window reporting the hits
 * that start in its own part: memory stays bounded whatever the length. */
#define SCAN_CHUNK  ((size_t)1 << 20)
#define SCAN_MARGIN ((size_t)4096)

static size_t utf8_back(const char *t, size_t i)
{
	for (int k = 0; k < 3 && i > 0 && ((unsigned char)t[i] & 0xc0) == 0x80; k++)
		i--;
	return i;
}

enum cu_status cu_scanner_scan(struct cu_scanner *sc, const char *text, size_t len, cu_hit_fn fn,
			       void *ctx, struct cu_error *err)
{
	enum cu_status st;
	if (!sc || (!text && len))
		return cu_error_set(err, CU_E_USAGE, "scanner: no text");
	if (len == 0)
		return CU_OK;
	if (len <= SCAN_CHUNK)
		return scan_window(sc, text, len, 0, 0, len, fn, ctx, err);
	for (size_t pos = 0; pos < len; pos += SCAN_CHUNK) {
		size_t pe = len - pos > SCAN_CHUNK ? pos + SCAN_CHUNK : len;
		size_t ws = utf8_back(text, pos > SCAN_MARGIN ? pos - SCAN_MARGIN : 0);
		size_t we = len - pe > SCAN_MARGIN ? utf8_back(text, pe + SCAN_MARGIN) : len;
		if ((st = scan_window(sc, text + ws, we - ws, ws, pos - ws, pe - ws, fn, ctx, err)))
			return st;
	}
	return CU_OK;
}
