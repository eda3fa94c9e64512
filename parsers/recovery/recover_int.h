/*
 * recover_int.h - internals of the recovery engine shared by its files:
 * varints and records (record.c), table schemas parsed from CREATE TABLE
 * text (schema.c), and the 64-bit fingerprint set (record.c).
 */
#ifndef CUSTOS_RECOVER_INT_H
#define CUSTOS_RECOVER_INT_H

#include "parsers/recovery/recover.h"

/* ---- varints and serial types (SQLite file format §2.1) ---- */

/* Decodes a varint at p (at most 9 bytes, never past end). Returns its
 * length, 0 when it runs past end. */
size_t cu_rec_varint(const uint8_t *p, const uint8_t *end, uint64_t *out);
size_t cu_rec_varint_len(uint64_t v);
/* Content bytes of a serial type; SIZE_MAX for the reserved 10 and 11. */
size_t cu_rec_serial_size(uint64_t st);
uint32_t cu_rec_be32(const uint8_t *p);
uint16_t cu_rec_be16(const uint8_t *p);

/* ---- column affinity and table schemas ---- */

enum cu_rec_affinity {
	CU_REC_AFF_BLOB = 0, /* also no declared type: accepts anything */
	CU_REC_AFF_TEXT,
	CU_REC_AFF_NUMERIC,
	CU_REC_AFF_INTEGER,
	CU_REC_AFF_REAL,
};

struct cu_rec_column {
	char *name;
	enum cu_rec_affinity aff;
	bool ipk;     /* INTEGER PRIMARY KEY: the rowid alias, NULL in the record */
	bool pk;      /* declared PRIMARY KEY on the column itself */
	bool virtual; /* a VIRTUAL generated column: not stored in the record */
};

struct cu_rec_table {
	char *name;
	uint32_t root;
	bool without_rowid;
	bool dropped;  /* schema recovered from a freed sqlite_master record */
	bool internal; /* sqlite_sequence, sqlite_stat*: matched, never reported */
	bool nomatch;  /* other sqlite_* tables: never matched */
	size_t ncols;  /* declared columns */
	struct cu_rec_column *cols;
	size_t nstored; /* columns stored in a record (declared minus virtual) */
	size_t *stored; /* stored column k -> declared column (WITHOUT ROWID: the key first) */
	const char **colnames;
	bool ipk_first; /* stored column 0 is the rowid alias */
};

/* Parses "CREATE TABLE name (...)" text: columns, types, affinity, rowid
 * alias, WITHOUT ROWID, generated columns. false when it is not a CREATE
 * TABLE with a column list (virtual tables, garbage). */
bool cu_rec_table_parse(struct cu_rec_table *t, const char *name, const char *sql);
void cu_rec_table_release(struct cu_rec_table *t);
/* True when serial type st may be stored in a column of that affinity
 * (ipk: only NULL). */
bool cu_rec_affinity_accepts(enum cu_rec_affinity aff, bool ipk, uint64_t st);

/* ---- UTF-16 to UTF-8 ---- */

/* Appends the UTF-8 form of n bytes of UTF-16 (big_endian or little) to
 * out; unpaired surrogates become U+FFFD. */
enum cu_status cu_rec_utf16_to_utf8(const uint8_t *p, size_t n, bool big_endian, struct cu_buf *out,
				    struct cu_error *err) CU_WARN_UNUSED;

/* ---- fingerprints ---- */

struct cu_rec_hash {
	uint64_t h;
};
void cu_rec_hash_init(struct cu_rec_hash *h, uint64_t seed);
void cu_rec_hash_add(struct cu_rec_hash *h, const void *p, size_t n);
void cu_rec_hash_u64(struct cu_rec_hash *h, uint64_t v);
uint64_t cu_rec_hash_final(const struct cu_rec_hash *h);

/* A set of 64-bit fingerprints: exact (open addressing) while its table
 * stays within half of max_bytes, then a Bloom filter of max_bytes (the
 * keys so far moved in): memory bounded whatever the number of keys. In
 * that mode "has" may answer yes for a key never added (rarely: about
 * 0.5 % at 11 bits per key), never no for one added. Growth of the exact
 * table is also refused past the byte budget *budget (shared by the sets
 * of one run, decremented): the set turns into a filter of its current
 * size then. max_bytes 0: exact only (past the budget later adds are
 * dropped, full). */
struct cu_rec_set {
	uint64_t *slots;
	size_t cap, n;
	bool full;        /* growth was refused: later adds were dropped */
	size_t max_bytes; /* a power of two >= 8192, or 0 */
	uint64_t *bloom;  /* filter mode: bloom_words 64-bit words (a power of two) */
	size_t bloom_words;
};
bool cu_rec_set_has(const struct cu_rec_set *s, uint64_t key);
/* Adds key; false when the budget refused the growth (set stays valid). */
bool cu_rec_set_add(struct cu_rec_set *s, uint64_t key, uint64_t *budget);
void cu_rec_set_release(struct cu_rec_set *s, uint64_t *budget);

#endif
