/*
 * record.c - the small pieces of the recovery engine: varints and serial
 * types (SQLite "Database File Format" §2.1), column affinity (§3.1 of
 * "Datatypes In SQLite"), the CREATE TABLE parser that gives each table's
 * stored columns, UTF-16 to UTF-8, and the fingerprint set used to tell a
 * live row from a deleted one.
 */
#include "parsers/recovery/recover_int.h"

#include <ctype.h>
#include <string.h>

size_t cu_rec_varint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++) {
		if (p + i >= end)
			return 0;
		v = (v << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	if (p + 8 >= end)
		return 0;
	*out = (v << 8) | p[8];
	return 9;
}

size_t cu_rec_varint_len(uint64_t v)
{
	size_t n = 1;

	if (v > 0x00ffffffffffffffULL)
		return 9;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

size_t cu_rec_serial_size(uint64_t st)
{
	static const size_t fixed[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, SIZE_MAX, SIZE_MAX};

	if (st < 12)
		return fixed[st];
	if (st > ((uint64_t)SIZE_MAX - 13) || (st - 12) / 2 > (uint64_t)0x7fffffff)
		return SIZE_MAX;
	return (size_t)((st - 12) / 2);
}

uint32_t cu_rec_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint16_t cu_rec_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool cu_rec_affinity_accepts(enum cu_rec_affinity aff, bool ipk, uint64_t st)
{
	if (ipk)
		return st == 0;
	if (st == 10 || st == 11)
		return false;
	switch (aff) {
	case CU_REC_AFF_INTEGER: return st <= 6 || st == 8 || st == 9;
	case CU_REC_AFF_REAL: return st <= 9;
	case CU_REC_AFF_TEXT: return st == 0 || st >= 12;
	case CU_REC_AFF_NUMERIC:
	case CU_REC_AFF_BLOB:
	default: return true;
	}
}

/* ---- CREATE TABLE ---- */

enum tok_kind { TK_WORD, TK_QUOTED, TK_STRING, TK_PUNCT };

struct tok {
	const char *p;
	size_t n;
	enum tok_kind kind;
	int depth; /* parenthesis depth before the token */
};

#define MAX_TOKENS 65536

static bool is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Splits sql into tokens; false on an unterminated quote or too many. */
static bool tokenize(const char *s, struct tok **out, size_t *nout)
{
	struct tok *v = NULL;
	size_t n = 0, cap = 0;
	int depth = 0;

	while (*s) {
		struct tok t;
		unsigned char c = (unsigned char)*s;

		if (isspace(c)) {
			s++;
			continue;
		}
		if (c == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (c == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			s = e ? e + 2 : s + strlen(s);
			continue;
		}
		t.p = s;
		t.depth = depth;
		if (c == '"' || c == '`' || c == '[' || c == '\'') {
			char close = c == '[' ? ']' : (char)c;
			const char *q = s + 1;
			for (;;) {
				if (!*q)
					goto fail;
				if (*q == close) {
					if (close != ']' && q[1] == close) {
						q += 2;
						continue;
					}
					break;
				}
				q++;
			}
			t.n = (size_t)(q + 1 - s);
			t.kind = c == '\'' ? TK_STRING : TK_QUOTED;
			s = q + 1;
		} else if (is_word_char(c)) {
			const char *q = s;
			while (*q && is_word_char((unsigned char)*q))
				q++;
			t.n = (size_t)(q - s);
			t.kind = TK_WORD;
			s = q;
		} else {
			t.n = 1;
			t.kind = TK_PUNCT;
			if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			s++;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct tok *g;
			if (nc > MAX_TOKENS)
				goto fail;
			g = cu_reallocarray(v, nc, sizeof(*v));
			if (!g)
				goto fail;
			v = g;
			cap = nc;
		}
		v[n++] = t;
	}
	*out = v;
	*nout = n;
	return true;
fail:
	free(v);
	return false;
}

static bool tok_is(const struct tok *t, const char *kw)
{
	size_t n = strlen(kw);
	return t->kind == TK_WORD && t->n == n && strncasecmp(t->p, kw, n) == 0;
}

static bool tok_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->p[0] == c;
}

/* An identifier token without its quotes ("" inside doubled quotes kept
 * simple: the doubled quote stays doubled, enough to tell names apart). */
static char *tok_name(const struct tok *t)
{
	if (t->kind == TK_QUOTED || t->kind == TK_STRING)
		return cu_strndup(t->p + 1, t->n >= 2 ? t->n - 2 : 0);
	return cu_strndup(t->p, t->n);
}

static enum cu_rec_affinity affinity_of(const char *type)
{
	char up[256];
	size_t i, n = strlen(type);

	if (n == 0)
		return CU_REC_AFF_BLOB;
	if (n >= sizeof(up))
		n = sizeof(up) - 1;
	for (i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)type[i]);
	up[n] = 0;
	if (strstr(up, "INT"))
		return CU_REC_AFF_INTEGER;
	if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		return CU_REC_AFF_TEXT;
	if (strstr(up, "BLOB"))
		return CU_REC_AFF_BLOB;
	if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		return CU_REC_AFF_REAL;
	return CU_REC_AFF_NUMERIC;
}

static const char *const constraint_words[] = {"CONSTRAINT", "PRIMARY",   "NOT",     "NULL",
					       "UNIQUE",     "CHECK",     "DEFAULT", "COLLATE",
					       "REFERENCES", "GENERATED", "AS",      NULL};

static bool is_constraint_word(const struct tok *t)
{
	size_t i;
	for (i = 0; constraint_words[i]; i++)
		if (tok_is(t, constraint_words[i]))
			return true;
	return false;
}

void cu_rec_table_release(struct cu_rec_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	free(t->stored);
	free(t->colnames);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/* One column definition: tokens [a, b) at depth d. */
static bool parse_column(struct cu_rec_column *c, const struct tok *v, size_t a, size_t b, int d,
			 bool *int_type)
{
	char type[256];
	size_t i = a + 1, tn = 0;
	bool pk = false, desc = false, generated = false, stored = false;

	c->name = tok_name(&v[a]);
	if (!c->name)
		return false;
	type[0] = 0;
	/* The type: words up to the first constraint keyword, with a
	 * parenthesised size ("VARCHAR(20)") skipped. */
	while (i < b && v[i].depth == d && v[i].kind != TK_PUNCT && !is_constraint_word(&v[i])) {
		if (tn + v[i].n + 2 < sizeof(type)) {
			if (tn)
				type[tn++] = ' ';
			memcpy(type + tn, v[i].p, v[i].n);
			tn += v[i].n;
			type[tn] = 0;
		}
		i++;
		if (i < b && tok_punct(&v[i], '(')) {
			while (i < b && !(v[i].depth == d + 1 && tok_punct(&v[i], ')')))
				i++;
			i++;
		}
	}
	for (; i < b; i++) {
		if (v[i].depth != d)
			continue;
		if (tok_is(&v[i], "PRIMARY") && i + 1 < b && tok_is(&v[i + 1], "KEY")) {
			pk = true;
			if (i + 2 < b && tok_is(&v[i + 2], "DESC"))
				desc = true;
		} else if (tok_is(&v[i], "AS") || tok_is(&v[i], "GENERATED")) {
			generated = true;
		} else if (tok_is(&v[i], "STORED")) {
			stored = true;
		}
	}
	c->aff = affinity_of(type);
	c->pk = pk;
	*int_type = strcasecmp(type, "INTEGER") == 0;
	c->ipk = pk && !desc && *int_type;
	c->virtual = generated && !stored;
	return true;
}

bool cu_rec_table_parse(struct cu_rec_table *t, const char *name, const char *sql)
{
	struct tok *v = NULL;
	size_t n = 0, i, open, close, start, k;
	bool ok = false, *int_type = NULL;
	char *pk_name = NULL, *pk_names[64];
	size_t pk_count = 0, npk = 0;

	memset(t, 0, sizeof(*t));
	if (!sql || !tokenize(sql, &v, &n))
		return false;
	if (n < 5 || !tok_is(&v[0], "CREATE"))
		goto out;
	for (i = 1; i < n && !tok_is(&v[i], "TABLE"); i++)
		if (!tok_is(&v[i], "TEMP") && !tok_is(&v[i], "TEMPORARY"))
			goto out; /* VIRTUAL TABLE, INDEX, VIEW, TRIGGER */
	for (open = i; open < n && !tok_punct(&v[open], '('); open++)
		if (tok_is(&v[open], "AS"))
			goto out;
	if (open >= n)
		goto out;
	for (close = open + 1; close < n && !(v[close].depth == 1 && tok_punct(&v[close], ')'));
	     close++)
		;
	if (close >= n)
		goto out;
	for (k = close + 1; k + 1 < n; k++)
		if (tok_is(&v[k], "WITHOUT") && tok_is(&v[k + 1], "ROWID"))
			t->without_rowid = true;
	t->name = cu_strdup(name);
	if (!t->name)
		goto out;
	/* Items between the outer parentheses, split at depth-1 commas. */
	start = open + 1;
	for (i = open + 1; i <= close; i++) {
		if (!(i == close || (v[i].depth == 1 && tok_punct(&v[i], ','))))
			continue;
		if (i == start)
			goto out;
		if (tok_is(&v[start], "CONSTRAINT") || tok_is(&v[start], "PRIMARY") ||
		    tok_is(&v[start], "UNIQUE") || tok_is(&v[start], "CHECK") ||
		    tok_is(&v[start], "FOREIGN")) {
			size_t j;
			for (j = start; j + 1 < i; j++)
				if (tok_is(&v[j], "PRIMARY") && tok_is(&v[j + 1], "KEY"))
					break;
			if (j + 1 < i) {
				size_t q;
				for (q = j + 2; q < i; q++) {
					if (v[q].depth == 2 && v[q].kind != TK_PUNCT &&
					    !tok_is(&v[q], "ASC") && !tok_is(&v[q], "DESC") &&
					    !tok_is(&v[q], "COLLATE")) {
						pk_count++;
						if (!pk_name)
							pk_name = tok_name(&v[q]);
						if (npk < 64 && (pk_names[npk] = tok_name(&v[q])))
							npk++;
					}
				}
			}
		} else {
			struct cu_rec_column *g;
			bool *gi;
			if (t->ncols >= 32767)
				goto out;
			g = cu_reallocarray(t->cols, t->ncols + 1, sizeof(*g));
			if (!g)
				goto out;
			t->cols = g;
			gi = cu_reallocarray(int_type, t->ncols + 1, sizeof(*gi));
			if (!gi)
				goto out;
			int_type = gi;
			memset(&t->cols[t->ncols], 0, sizeof(t->cols[0]));
			t->ncols++;
			if (!parse_column(&t->cols[t->ncols - 1], v, start, i, 1,
					  &int_type[t->ncols - 1]))
				goto out;
		}
		start = i + 1;
	}
	if (t->ncols == 0)
		goto out;
	if (pk_count == 1 && pk_name)
		for (k = 0; k < t->ncols; k++)
			if (strcasecmp(t->cols[k].name, pk_name) == 0 && int_type[k])
				t->cols[k].ipk = true;
	if (t->without_rowid)
		for (k = 0; k < t->ncols; k++)
			t->cols[k].ipk = false;
	t->stored = cu_calloc(t->ncols, sizeof(*t->stored));
	t->colnames = cu_calloc(t->ncols, sizeof(*t->colnames));
	if (!t->stored || !t->colnames)
		goto out;
	for (k = 0; k < t->ncols; k++)
		t->colnames[k] = t->cols[k].name;
	if (t->without_rowid) {
		/* the key columns first (table constraint order, else the column
		 * declared PRIMARY KEY), then the others in declared order */
		bool *used = cu_calloc(t->ncols, sizeof(*used));
		size_t j;
		if (!used)
			goto out;
		for (j = 0; j < npk; j++)
			for (k = 0; k < t->ncols; k++)
				if (!used[k] && !t->cols[k].virtual &&
				    strcasecmp(t->cols[k].name, pk_names[j]) == 0) {
					used[k] = true;
					t->stored[t->nstored++] = k;
				}
		for (k = 0; k < t->ncols && npk == 0; k++)
			if (t->cols[k].pk && !t->cols[k].virtual) {
				used[k] = true;
				t->stored[t->nstored++] = k;
			}
		for (k = 0; k < t->ncols; k++)
			if (!used[k] && !t->cols[k].virtual)
				t->stored[t->nstored++] = k;
		free(used);
	} else {
		for (k = 0; k < t->ncols; k++)
			if (!t->cols[k].virtual)
				t->stored[t->nstored++] = k;
	}
	if (t->nstored == 0)
		goto out;
	t->ipk_first = t->cols[t->stored[0]].ipk;
	ok = true;
out:
	free(v);
	free(int_type);
	free(pk_name);
	while (npk > 0)
		free(pk_names[--npk]);
	if (!ok)
		cu_rec_table_release(t);
	return ok;
}

/* ---- UTF-16 ---- */

enum cu_status cu_rec_utf16_to_utf8(const uint8_t *p, size_t n, bool big_endian, struct cu_buf *out,
				    struct cu_error *err)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		uint32_t u = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
					: (uint32_t)(p[i + 1] << 8 | p[i]);
		unsigned char b[4];
		size_t k;

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = big_endian ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
						 : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u <= 0xdfff) {
			u = 0xfffd;
		}
		if (u < 0x80) {
			b[0] = (unsigned char)u;
			k = 1;
		} else if (u < 0x800) {
			b[0] = (unsigned char)(0xc0 | u >> 6);
			b[1] = (unsigned char)(0x80 | (u & 0x3f));
			k = 2;
		} else if (u < 0x10000) {
			b[0] = (unsigned char)(0xe0 | u >> 12);
			b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
			b[2] = (unsigned char)(0x80 | (u & 0x3f));
			k = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | u >> 18);
			b[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3f));
			b[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
			b[3] = (unsigned char)(0x80 | (u & 0x3f));
			k = 4;
		}
		if (cu_buf_append(out, b, k, err) != CU_OK)
			return err ? err->code : CU_E_NOMEM;
	}
	return CU_OK;
}

/* ---- fingerprints: FNV-1a over the bytes, finished with a 64-bit mix ---- */

void cu_rec_hash_init(struct cu_rec_hash *h, uint64_t seed)
{
	h->h = 0xcbf29ce484222325ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
}

void cu_rec_hash_add(struct cu_rec_hash *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t x = h->h;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= b[i];
		x *= 0x100000001b3ULL;
	}
	h->h = x;
}

void cu_rec_hash_u64(struct cu_rec_hash *h, uint64_t v)
{
	uint8_t b[8];
	int i;
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	cu_rec_hash_add(h, b, 8);
}

uint64_t cu_rec_hash_final(const struct cu_rec_hash *h)
{
	uint64_t z = h->h;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1; /* 0 marks an empty slot */
}

#define BLOOM_K 7

/* The k bit positions of a key (double hashing; keys are already mixed). */
static uint64_t bloom_step(uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	return (h ^ (h >> 29)) | 1;
}

static bool bloom_has(const struct cu_rec_set *s, uint64_t key)
{
	uint64_t bits = (uint64_t)s->bloom_words * 64, step = bloom_step(key), pos = key;
	int i;

	for (i = 0; i < BLOOM_K; i++, pos += step) {
		uint64_t b = pos & (bits - 1);
		if (!(s->bloom[b / 64] & ((uint64_t)1 << (b % 64))))
			return false;
	}
	return true;
}

static void bloom_put(struct cu_rec_set *s, uint64_t key)
{
	uint64_t bits = (uint64_t)s->bloom_words * 64, step = bloom_step(key), pos = key;
	int i;

	for (i = 0; i < BLOOM_K; i++, pos += step) {
		uint64_t b = pos & (bits - 1);
		s->bloom[b / 64] |= (uint64_t)1 << (b % 64);
	}
}

bool cu_rec_set_has(const struct cu_rec_set *s, uint64_t key)
{
	size_t i;

	key = key ? key : 1;
	if (s->bloom)
		return bloom_has(s, key);
	if (!s->cap)
		return false;
	for (i = (size_t)key & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == key)
			return true;
		if (s->slots[i] == 0)
			return false;
	}
}

static void set_put(uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i;
	for (i = (size_t)key & (cap - 1); slots[i] && slots[i] != key; i = (i + 1) & (cap - 1))
		;
	slots[i] = key;
}

/* Turns the exact table into a filter of bytes (a power of two), the keys
 * moved in; the budget pays the difference. false when it cannot. */
static bool to_bloom(struct cu_rec_set *s, size_t bytes, uint64_t *budget)
{
	uint64_t have = (uint64_t)s->cap * sizeof(uint64_t);
	size_t i;

	if (bytes < 8192 || (bytes > have && bytes - have > *budget))
		return false;
	s->bloom = cu_calloc(bytes / 8, sizeof(uint64_t));
	if (!s->bloom)
		return false;
	s->bloom_words = bytes / 8;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			bloom_put(s, s->slots[i]);
	*budget += have;
	*budget -= bytes;
	free(s->slots);
	s->slots = NULL;
	s->cap = 0;
	return true;
}

bool cu_rec_set_add(struct cu_rec_set *s, uint64_t key, uint64_t *budget)
{
	key = key ? key : 1;
	if (s->bloom) {
		bloom_put(s, key);
		s->n++;
		return true;
	}
	if ((s->n + 1) * 4 > s->cap * 3) {
		size_t nc = s->cap ? s->cap * 2 : 1024, i;
		uint64_t need = (uint64_t)nc * sizeof(uint64_t);
		uint64_t *g;

		if (s->max_bytes && need > s->max_bytes / 2) {
			if (to_bloom(s, s->max_bytes, budget) ||
			    to_bloom(s, s->cap * sizeof(uint64_t), budget)) {
				bloom_put(s, key);
				s->n++;
				return true;
			}
			s->full = true;
			return false;
		}
		if (need > *budget + (uint64_t)s->cap * sizeof(uint64_t)) {
			if (s->max_bytes && to_bloom(s, s->cap * sizeof(uint64_t), budget)) {
				bloom_put(s, key);
				s->n++;
				return true;
			}
			s->full = true;
			return false;
		}
		g = cu_calloc(nc, sizeof(*g));
		if (!g) {
			s->full = true;
			return false;
		}
		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				set_put(g, nc, s->slots[i]);
		*budget += (uint64_t)s->cap * sizeof(uint64_t);
		*budget -= need;
		free(s->slots);
		s->slots = g;
		s->cap = nc;
	}
	if (cu_rec_set_has(s, key))
		return true;
	set_put(s->slots, s->cap, key);
	s->n++;
	return true;
}

void cu_rec_set_release(struct cu_rec_set *s, uint64_t *budget)
{
	if (budget)
		*budget += (uint64_t)s->cap * sizeof(uint64_t) + (uint64_t)s->bloom_words * 8;
	free(s->slots);
	free(s->bloom);
	memset(s, 0, sizeof(*s));
}
