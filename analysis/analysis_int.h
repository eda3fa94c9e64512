/*
 * analysis_int.h - internals of analysis/ shared by its files and its unit
 * tests: the normaliser with its offset map, the sponge behind Keccak-256.
 * Not a public header: other folders use analysis.h.
 */
#ifndef CUSTOS_ANALYSIS_INT_H
#define CUSTOS_ANALYSIS_INT_H

#include "analysis/analysis.h"

/* The Keccak-256 sponge with a chosen domain padding byte: 0x01 is Keccak
 * (cu_keccak256), 0x06 is SHA3-256 (lets the tests check the permutation
 * against an independent SHA3-256). */
void cu_keccak256_padded(const void *p, size_t n, unsigned char pad, unsigned char out[32]);

/* ---- normalisation (normalize.c) ---- */

/* Modes: which folds apply. */
#define CU_NORM_WIDTH 1u /* full-width forms U+FF01-FF5E and U+3000 to ASCII */
#define CU_NORM_CASE  2u /* ASCII A-Z to a-z */
#define CU_NORM_T2S   4u /* traditional to simplified, for the characters of the table */
/* Separators (spaces, punctuation, zero-width characters) between two
 * characters are dropped, except one space between two letters or digits
 * (a word boundary); emoji between two CJK characters go to the side area. */
#define CU_NORM_JOIN 8u
#define CU_NORM_ALL  (CU_NORM_WIDTH | CU_NORM_CASE | CU_NORM_T2S | CU_NORM_JOIN)

/* What happened to a normalised character (flags per byte). */
#define CU_NF_WIDTH  0x01u /* was a full-width form */
#define CU_NF_CASE   0x02u /* was upper case */
#define CU_NF_TRAD   0x04u /* was a traditional character */
#define CU_NF_SPACED 0x08u /* separators or emoji were dropped just before it */

/*
 * Normalised UTF-8 with a map back to the original: byte i of text came
 * from the original bytes [start[i], end[i]). text[0..main) is the text;
 * text[main..len) is the side area: each run of emoji taken out from between
 * CJK characters, preceded by '\n' (a byte no normalised text contains).
 */
struct cu_norm {
	char *text;
	uint32_t *start, *end;
	uint8_t *flags;
	size_t len, main, cap;
	/* scratch for the side area */
	uint32_t *side_cp, *side_start, *side_end;
	size_t side_n, side_cap;
};

/* The largest text normalised (offsets are 32-bit). */
#define CU_NORM_MAX_INPUT ((size_t)1 << 28)

void cu_norm_init(struct cu_norm *n);
void cu_norm_release(struct cu_norm *n);
/* Normalises in[0..len) (invalid UTF-8 bytes are skipped as separators).
 * CU_E_LIMIT past CU_NORM_MAX_INPUT. n keeps its memory for reuse. */
enum cu_status cu_norm_text(struct cu_norm *n, const char *in, size_t len, unsigned mode,
			    struct cu_error *err) CU_WARN_UNUSED;
/* Decodes one UTF-8 code point at p[0..n): returns its length (1-4) and
 * sets *cp, or returns 0 for an invalid sequence (one byte to skip). */
size_t cu_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* The simplified form of a traditional character from the table, or cp. */
uint32_t cu_t2s(uint32_t cp);

/* ---- the lexicon (lexicon.c) ---- */

/* One line of a lexicon file, ready for the automaton. */
struct cu_lexicon_entry {
	char *pattern; /* normalised (CU_NORM_ALL), what the automaton looks for */
	size_t plen;
	char *term;      /* the canonical term (simplified, full-width folded) */
	char *category;  /* as written; "" for an exclusion without one */
	const char *how; /* "exact", "pinyin", "initials", "alias", "emoji" (static) */
	bool exclusion;  /* an innocent compound: hits inside it do not count */
	bool word_start; /* the pattern starts / ends with a letter or digit: */
	bool word_end;   /* it matches only as a whole word on that side */
	size_t file;     /* index of the file it came from */
};

struct cu_lexicon_file {
	char *path;
	char *name; /* the file name, as rules cite it */
	char sha256[65];
};

struct cu_lexicon {
	struct cu_lexicon_entry *entries;
	size_t n, cap;
	struct cu_lexicon_file *files;
	size_t nfiles;
	size_t nterms; /* entries that are not exclusions */
};

/* Limits of a lexicon file. */
#define CU_LEXICON_FILE_MAX  ((size_t)16 << 20)
#define CU_LEXICON_TERM_MAX  256
#define CU_LEXICON_ENTRY_MAX ((size_t)1 << 20)

#endif
