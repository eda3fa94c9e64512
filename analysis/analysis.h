/*
 * analysis.h - investigative analysis of parsed phone data: drug code words
 * from a lexicon (data, not code), validated identifiers (crypto addresses,
 * courier tracking numbers, pick-up codes, bank cards, phone numbers), and
 * the analysis of a whole case (hits, cross-device links, the ring graph).
 *
 * The only public header of analysis/. Text passed to the scanner is
 * untrusted UTF-8 (invalid sequences are skipped, never trusted); work per
 * byte is bounded. Strings handed to a hit callback are borrowed for the
 * duration of the call only.
 */
#ifndef CUSTOS_ANALYSIS_H
#define CUSTOS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

enum cu_hit_kind {
	CU_HIT_CODE_WORD,
	CU_HIT_CRYPTO_ADDRESS,
	CU_HIT_TRACKING_NUMBER,
	CU_HIT_PICKUP_CODE,
	CU_HIT_BANK_CARD,
	CU_HIT_PHONE_NUMBER
};
/* "code_word", "crypto_address", "tracking_number", "pickup_code",
 * "bank_card", "phone_number" (the hits.kind values of case.db). */
const char *cu_hit_kind_name(enum cu_hit_kind k);

struct cu_hit {
	enum cu_hit_kind kind;
	size_t offset, len;     /* byte range in the original UTF-8 text passed to the scanner */
	const char *value;      /* the text as found (NUL-terminated copy) */
	const char *normalized; /* code word: the lexicon term (simplified, canonical); crypto: the
				   address (ETH lower-case 0x…); phone: E.164 "+8613800138000";
				   tracking: "SF:SF1234567890123"; pickup: "丰巢:12345678"; card: digits */
	const char *rule;       /* how it matched, e.g. "lexicon:drugs.tsv:冰糖/pinyin-initials",
				   "btc:base58check", "btc:bech32", "eth:eip55", "eth:unchecked",
				   "xmr:keccak", "tron:base58check", "courier:sf+context", "s10:check-digit",
				   "pickup:丰巢", "card:luhn+bin", "phone:cn-mobile" */
	const char *category;   /* lexicon category ("meth", "heroin", …), currency ("BTC", "LTC",
				   "XMR", "TRX-USDT", "ETH"), courier ("SF", "ZTO", …), card BIN issuer, or NULL */
};

/* All strings borrowed for the callback only. Return non-OK to stop the scan. */
typedef enum cu_status (*cu_hit_fn)(void *ctx, const struct cu_hit *hit, struct cu_error *err);

/* ------------------------------------------------------------------ */
/* Lexicon                                                             */
/* ------------------------------------------------------------------ */

struct cu_lexicon; /* opaque */
/* The shipped lexicon: every *.tsv of dir (NULL: $CUSTOS_DATADIR/lexicon, else the installed
 * pkgdatadir/lexicon). Sorted by file name; lines "term\tcategory\tnotes\tsource"; exclusions and
 * variants as the lexicon README says. */
enum cu_status cu_lexicon_load(const char *dir, struct cu_lexicon **out,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_lexicon_add_file(struct cu_lexicon *lx, const char *path,
				   struct cu_error *err) CU_WARN_UNUSED;
size_t cu_lexicon_terms(const struct cu_lexicon *lx);
/* The files read, for custody: n, and their paths and SHA-256 hex. */
size_t cu_lexicon_file_count(const struct cu_lexicon *lx);
const char *cu_lexicon_file_path(const struct cu_lexicon *lx, size_t i);
const char *cu_lexicon_file_sha256(const struct cu_lexicon *lx, size_t i);
void cu_lexicon_free(struct cu_lexicon *lx);

/* The data directory: $CUSTOS_DATADIR when set and non-empty, else the
 * installed pkgdatadir (e.g. /usr/local/share/custos) when it holds
 * lexicon/, else the build tree's data/ beside the running program's
 * directory (src/custos run before make install) when it holds lexicon/,
 * else the installed pkgdatadir (whose absence the loader then reports).
 * Borrowed, static. */
const char *cu_analysis_data_dir(void);

/* ------------------------------------------------------------------ */
/* Scanner                                                             */
/* ------------------------------------------------------------------ */

struct cu_scanner; /* immutable after build; one per thread may share the lexicon */
/* lx may be NULL: validated identifiers only. The lexicon must outlive the scanner. */
enum cu_status cu_scanner_new(const struct cu_lexicon *lx, struct cu_scanner **out,
			      struct cu_error *err) CU_WARN_UNUSED;
/* Every hit in text (code words and validated identifiers), in order of offset then kind; the
 * same text always gives the same hits. Bounded work per byte. */
enum cu_status cu_scanner_scan(struct cu_scanner *sc, const char *text, size_t len, cu_hit_fn fn,
			       void *ctx, struct cu_error *err) CU_WARN_UNUSED;
void cu_scanner_free(struct cu_scanner *sc);

/* ------------------------------------------------------------------ */
/* Identifiers                                                         */
/* ------------------------------------------------------------------ */

/* Identifier normalisation for cross-device links: fills out (NUL-terminated) and returns true
 * when in is a recognisable phone number (E.164), resp. returns false. */
bool cu_ident_phone_e164(const char *in, char *out, size_t cap);

/* What a validator recognised. rule and category are static strings. */
struct cu_ident {
	enum cu_hit_kind kind;
	char normalized[128]; /* as struct cu_hit.normalized */
	const char *rule;
	const char *category;
};
/* s[0..n) whole (no surrounding text) as a crypto address: BTC/LTC Base58Check (version
 * bytes 0x00 0x05 / 0x30 0x32) and Bech32/Bech32m (BIP-173/350, witness version and program
 * length checked), TRON Base58Check (0x41), Monero (block Base58, netbyte 18/42/19, Keccak-256
 * checksum), Ethereum (0x + 40 hex; EIP-55 mixed case must verify). */
bool cu_ident_crypto(const char *s, size_t n, struct cu_ident *out);
/* digits[0..n) (ASCII digits only) as a payment card: length, BIN range of a network, Luhn. */
bool cu_ident_card(const char *digits, size_t n, struct cu_ident *out);
/* The Luhn check over ASCII digits. */
bool cu_luhn_valid(const char *digits, size_t n);
/* s[0..n) whole as a courier tracking number. Numbers made of digits only count when context
 * is true (a courier name or 快递/单号/运单 near it); courier ("SF", "ZTO", …, or NULL when
 * only a generic word was near) picks among the couriers whose format fits. UPU S10 numbers
 * (EA123456785CN) count on their check digit alone. */
bool cu_ident_tracking(const char *s, size_t n, bool context, const char *courier,
		       struct cu_ident *out);
/* Digits of a Chinese mobile number, with or without the country code 86, to "+86…" E.164;
 * plus tells the digits followed a '+' (then a non-86 country code gives "+<digits>" when the
 * length is plausible, 8 to 15 digits). */
bool cu_ident_phone_digits(const char *digits, size_t n, bool plus, char *out, size_t cap);

/* Keccak-256 with the original Keccak padding (Ethereum, Monero), not SHA3-256. */
void cu_keccak256(const void *p, size_t n, unsigned char out[32]);

/* ------------------------------------------------------------------ */
/* Analysis of a case (analysis/analyze.c, analysis/graph.c)           */
/* ------------------------------------------------------------------ */

struct cu_analysis_opts {
	const char *const *lexicon_files;
	size_t nlexicon_files;
	const char *lexicon_dir;
};
struct cu_analysis_stats {
	uint64_t texts, bytes, hits[6], links;
};
/* Fills hits and links of the case.db at casedb_path from messages, contacts, calls, payments,
 * recovered rows of every item; idempotent (replaces its previous rows in one transaction);
 * appends the ANALYZE custody entry through the case. */
enum cu_status cu_analysis_run(struct cu_case *c, const struct cu_analysis_opts *opts,
			       struct cu_analysis_stats *st, struct cu_error *err) CU_WARN_UNUSED;
/* The contact/ring graph: format "graphml" or "dot". */
enum cu_status cu_analysis_graph_write(const char *casedb_path, const char *format, FILE *out,
				       struct cu_error *err) CU_WARN_UNUSED;

#endif
