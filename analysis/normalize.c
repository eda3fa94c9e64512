/*
 * normalize.c - the text the lexicon is matched against: full-width forms
 * to half-width, ASCII case folded, traditional characters to simplified,
 * separators put between the characters of a word dropped, with a map from
 * every normalised byte back to the original bytes (hits report offsets in
 * the original text).
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

/* Traditional -> simplified for every character of the shipped lexicon
 * files that has a distinct traditional form, and a few common chat
 * characters around them; sorted by the traditional code point. Generated
 * from the lexicon's characters (each listed with its traditional form);
 * a new lexicon word with a traditional form needs its line here, or the
 * traditional spelling as a term of its own. */
static const uint32_t t2s_table[][2] = {
    {0x4F86, 0x6765}, /* 來 来 */
    {0x500B, 0x4E2A}, /* 個 个 */
    {0x5011, 0x4EEC}, /* 們 们 */
    {0x50F9, 0x4EF7}, /* 價 价 */
    {0x518A, 0x518C}, /* 冊 册 */
    {0x55CE, 0x5417}, /* 嗎 吗 */
    {0x5834, 0x573A}, /* 場 场 */
    {0x584A, 0x5757}, /* 塊 块 */
    {0x6416, 0x6447}, /* 搖 摇 */
    {0x6771, 0x4E1C}, /* 東 东 */
    {0x689D, 0x6761}, /* 條 条 */
    {0x6A02, 0x4E50}, /* 樂 乐 */
    {0x6A13, 0x697C}, /* 樓 楼 */
    {0x6A39, 0x6811}, /* 樹 树 */
    {0x6AC3, 0x67DC}, /* 櫃 柜 */
    {0x6C37, 0x51B0}, /* 氷 冰 */
    {0x6C92, 0x6CA1}, /* 沒 没 */
    {0x6DBC, 0x51C9}, /* 涼 凉 */
    {0x71C9, 0x7096}, /* 燉 炖 */
    {0x767C, 0x53D1}, /* 發 发 */
    {0x7AA9, 0x7A9D}, /* 窩 窝 */
    {0x7B46, 0x7B14}, /* 筆 笔 */
    {0x7D00, 0x7EAA}, /* 紀 纪 */
    {0x7D05, 0x7EA2}, /* 紅 红 */
    {0x7D66, 0x7ED9}, /* 給 给 */
    {0x7DDA, 0x7EBF}, /* 線 线 */
    {0x7DEC, 0x7F05}, /* 緬 缅 */
    {0x7E6B, 0x7CFB}, /* 繫 系 */
    {0x806F, 0x8054}, /* 聯 联 */
    {0x8216, 0x94FA}, /* 舖 铺 */
    {0x8449, 0x53F6}, /* 葉 叶 */
    {0x85E5, 0x836F}, /* 藥 药 */
    {0x8606, 0x82A6}, /* 蘆 芦 */
    {0x865F, 0x53F7}, /* 號 号 */
    {0x8AAA, 0x8BF4}, /* 說 说 */
    {0x8C6C, 0x732A}, /* 豬 猪 */
    {0x8CA8, 0x8D27}, /* 貨 货 */
    {0x8CB7, 0x4E70}, /* 買 买 */
    {0x8CE3, 0x5356}, /* 賣 卖 */
    {0x9019, 0x8FD9}, /* 這 这 */
    {0x9084, 0x8FD8}, /* 還 还 */
    {0x90F5, 0x90AE}, /* 郵 邮 */
    {0x92EA, 0x94FA}, /* 鋪 铺 */
    {0x9322, 0x94B1}, /* 錢 钱 */
    {0x93AE, 0x9547}, /* 鎮 镇 */
    {0x958B, 0x5F00}, /* 開 开 */
    {0x96DE, 0x9E21}, /* 雞 鸡 */
    {0x982D, 0x5934}, /* 頭 头 */
    {0x98DB, 0x98DE}, /* 飛 飞 */
    {0x98F2, 0x996E}, /* 飲 饮 */
    {0x9921, 0x9985}, /* 餡 馅 */
    {0x9EB5, 0x9762}, /* 麵 面 */
    {0x9EC3, 0x9EC4}, /* 黃 黄 */
    {0x9EDE, 0x70B9}, /* 點 点 */
};

uint32_t cu_t2s(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(t2s_table) / sizeof(t2s_table[0]);
	if (cp < 0x4e00)
		return cp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t2s_table[mid][0] == cp)
			return t2s_table[mid][1];
		if (t2s_table[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

size_t cu_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t k;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return k;
}

enum cls { C_IGNORE, C_SEP, C_EMOJI, C_CJK, C_ALNUM, C_OTHER };

static bool is_cjk(uint32_t c)
{
	return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff) ||
	       (c >= 0x3005 && c <= 0x3007);
}

static bool is_emoji(uint32_t c)
{
	return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
	       (c >= 0x2b00 && c <= 0x2bff) || (c >= 0x2300 && c <= 0x23ff) || c == 0x3030 ||
	       c == 0x303d || c == 0x3297 || c == 0x3299 || c == 0x2122 || c == 0x2139 ||
	       (c >= 0x2190 && c <= 0x21ff) || c == 0x00a9 || c == 0x00ae;
}

/* Class of a code point after folding. */
static inline enum cls classify(uint32_t c)
{
	if (c >= 0x4e00 && c <= 0x9fff)
		return C_CJK;
	if (c < 0x80) {
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return C_ALNUM;
		return C_SEP; /* spaces, controls, ASCII punctuation */
	}
	if (is_cjk(c))
		return C_CJK;
	/* variation selectors, emoji modifiers, combining keycap, tags: part
	 * of the character before them */
	if ((c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef) ||
	    (c >= 0x1f3fb && c <= 0x1f3ff) || c == 0x20e3 || (c >= 0xe0020 && c <= 0xe007f) ||
	    c == 0x034f || c == 0x00ad)
		return C_IGNORE;
	if (is_emoji(c))
		return C_EMOJI;
	/* zero-width and format characters, spaces, punctuation blocks */
	if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2060 && c <= 0x2064) || c == 0xfeff ||
	    c == 0x180e || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe10 && c <= 0xfe1f) || (c >= 0xfe30 && c <= 0xfe6f) ||
	    (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	    (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) ||
	    (c >= 0x0080 && c <= 0x00bf) || c == 0x00d7 || c == 0x00f7 || c == 0x30fb ||
	    (c >= 0x2500 && c <= 0x25ff))
		return C_SEP;
	return C_OTHER;
}

void cu_norm_init(struct cu_norm *n)
{
	memset(n, 0, sizeof(*n));
}

void cu_norm_release(struct cu_norm *n)
{
	free(n->text);
	free(n->start);
	free(n->end);
	free(n->flags);
	free(n->side_cp);
	free(n->side_start);
	free(n->side_end);
	cu_norm_init(n);
}

static enum cu_status reserve(struct cu_norm *n, size_t want, struct cu_error *err)
{
	if (want <= n->cap)
		return CU_OK;
	size_t cap = n->cap ? n->cap : 256;
	while (cap < want)
		cap *= 2;
	if (!cu_grow_array(&n->text, cap, 1) || !cu_grow_array(&n->start, cap, sizeof(uint32_t)) ||
	    !cu_grow_array(&n->end, cap, sizeof(uint32_t)) || !cu_grow_array(&n->flags, cap, 1))
		return cu_error_set(err, CU_E_NOMEM, "normalising text: out of memory");
	n->cap = cap;
	return CU_OK;
}

static inline size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Appends one code point; the caller reserved 4 bytes. */
static inline void emit(struct cu_norm *n, uint32_t c, uint32_t s, uint32_t e, uint8_t flags)
{
	size_t k = utf8_encode(c, n->text + n->len);
	for (size_t i = 0; i < k; i++) {
		n->start[n->len + i] = s;
		n->end[n->len + i] = e;
		n->flags[n->len + i] = flags;
	}
	n->len += k;
}

/* Extends the original range of the last emitted code point to end at e. */
static void widen_last(struct cu_norm *n, uint32_t e)
{
	uint32_t s = n->start[n->len - 1];
	for (size_t j = n->len; j-- > 0 && n->start[j] == s;)
		n->end[j] = e;
}

static enum cu_status side_push(struct cu_norm *n, uint32_t c, uint32_t s, uint32_t e,
				struct cu_error *err)
{
	if (n->side_n == n->side_cap) {
		size_t cap = n->side_cap ? n->side_cap * 2 : 32;
		if (!cu_grow_array(&n->side_cp, cap, sizeof(uint32_t)) ||
		    !cu_grow_array(&n->side_start, cap, sizeof(uint32_t)) ||
		    !cu_grow_array(&n->side_end, cap, sizeof(uint32_t)))
			return cu_error_set(err, CU_E_NOMEM, "normalising text: out of memory");
		n->side_cap = cap;
	}
	n->side_cp[n->side_n] = c;
	n->side_start[n->side_n] = s;
	n->side_end[n->side_n] = e;
	n->side_n++;
	return CU_OK;
}

/* Emoji waiting to learn what follows them (at most PENDING_MAX; more are
 * written out as they come). */
#define PENDING_MAX 16

struct pending {
	uint32_t cp[PENDING_MAX], s[PENDING_MAX], e[PENDING_MAX];
	size_t n;
	bool sep;              /* separators seen since the last kept character */
	uint32_t sep_s, sep_e; /* the first of them */
};

enum cu_status cu_norm_text(struct cu_norm *n, const char *in, size_t len, unsigned mode,
			    struct cu_error *err)
{
	enum cu_status st;
	if (len > CU_NORM_MAX_INPUT)
		return cu_error_set(err, CU_E_LIMIT,
				    "text of %zu bytes is over the %zu-byte limit of the scanner; "
				    "split it",
				    len, CU_NORM_MAX_INPUT);
	n->len = n->main = 0;
	n->side_n = 0;
	/* Output is about as long as the input (grown below when emoji and
	 * side markers make it longer). */
	if ((st = reserve(n, len + 64, err)))
		return st;
	const unsigned char *p = (const unsigned char *)in;
	struct pending pd;
	memset(&pd, 0, sizeof(pd));
	enum cls prev = C_SEP; /* nothing kept yet */
	size_t i = 0;
	while (i < len) {
		uint32_t c = p[i];
		size_t k = c < 0x80 ? 1 : cu_utf8_decode(p + i, len - i, &c);
		uint32_t s = (uint32_t)i;
		uint8_t flags = 0;
		enum cls cl;
		if (k == 0) {
			i++;
			cl = C_SEP;
			c = ' ';
		} else {
			i += k;
			if ((mode & CU_NORM_WIDTH) && c >= 0xff01 && c <= 0xff5e)
				c -= 0xfee0, flags |= CU_NF_WIDTH;
			else if ((mode & CU_NORM_WIDTH) && c == 0x3000)
				c = ' ', flags |= CU_NF_WIDTH;
			if ((mode & CU_NORM_CASE) && c >= 'A' && c <= 'Z')
				c += 'a' - 'A', flags |= CU_NF_CASE;
			if (mode & CU_NORM_T2S) {
				uint32_t t = cu_t2s(c);
				if (t != c)
					c = t, flags |= CU_NF_TRAD;
			}
			cl = classify(c);
		}
		uint32_t e = (uint32_t)i;
		if (n->len + 8 > n->cap && (st = reserve(n, n->len + 8, err)))
			return st;
		if (!(mode & CU_NORM_JOIN)) {
			if (k)
				emit(n, c, s, e, flags);
			continue;
		}
		switch (cl) {
		case C_IGNORE:
			/* a variation selector or modifier belongs to the
			 * character before it: widen that one's range */
			if (pd.sep)
				continue;
			if (pd.n)
				pd.e[pd.n - 1] = e;
			else if (n->len)
				widen_last(n, e);
			continue;
		case C_SEP:
			if (!pd.sep)
				pd.sep = true, pd.sep_s = s, pd.sep_e = e;
			continue;
		case C_EMOJI:
			if (pd.n == PENDING_MAX) {
				if ((st = reserve(n, n->len + 4 * PENDING_MAX, err)))
					return st;
				for (size_t j = 0; j < pd.n; j++)
					emit(n, pd.cp[j], pd.s[j], pd.e[j], 0);
				pd.n = 0;
				prev = C_EMOJI;
			}
			pd.cp[pd.n] = c, pd.s[pd.n] = s, pd.e[pd.n] = e;
			pd.n++;
			pd.sep = false;
			continue;
		default: break;
		}
		/* A kept character: settle what waited before it. */
		if (pd.n) {
			if (prev == C_CJK && cl == C_CJK) {
				if ((st = side_push(n, 0, 0, 0, err)))
					return st;
				for (size_t j = 0; j < pd.n; j++)
					if ((st = side_push(n, pd.cp[j], pd.s[j], pd.e[j], err)))
						return st;
				flags |= CU_NF_SPACED;
			} else {
				if ((st = reserve(n, n->len + 4 * PENDING_MAX + 8, err)))
					return st;
				for (size_t j = 0; j < pd.n; j++)
					emit(n, pd.cp[j], pd.s[j], pd.e[j], 0);
			}
			pd.n = 0;
		} else if (pd.sep && prev != C_SEP) {
			bool wordish_prev = prev == C_ALNUM || prev == C_OTHER;
			bool wordish_next = cl == C_ALNUM || cl == C_OTHER;
			if (wordish_prev && wordish_next)
				emit(n, ' ', pd.sep_s, pd.sep_e, 0);
			else
				flags |= CU_NF_SPACED;
		}
		pd.sep = false;
		emit(n, c, s, e, flags);
		prev = cl;
	}
	if ((mode & CU_NORM_JOIN) && pd.n) {
		if ((st = reserve(n, n->len + 4 * PENDING_MAX, err)))
			return st;
		for (size_t j = 0; j < pd.n; j++)
			emit(n, pd.cp[j], pd.s[j], pd.e[j], 0);
	}
	n->main = n->len;
	if (n->side_n) {
		if ((st = reserve(n, n->len + 4 * n->side_n + 8, err)))
			return st;
		for (size_t j = 0; j < n->side_n; j++) {
			if (n->side_cp[j] == 0)
				emit(n, '\n', n->side_start[j + 1], n->side_start[j + 1], 0);
			else
				emit(n, n->side_cp[j], n->side_start[j], n->side_end[j], 0);
		}
	}
	if ((st = reserve(n, n->len + 1, err)))
		return st;
	n->text[n->len] = '\0';
	return CU_OK;
}
