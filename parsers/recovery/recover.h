/*
 * recover.h - deleted-record recovery from SQLite files (docs/recovery.md).
 *
 * The carver reads the raw bytes of a database and of its -wal and
 * -journal through its own page reader (no SQLite library is used), read
 * only, and reports every table record that physically survives outside
 * the live b-trees: freed cells inside live pages (freeblocks, header
 * rebuilt from the schema when the freeblock header overwrote it), the
 * unallocated gap of pages, freelist trunk and leaf pages, every WAL frame
 * and every rollback-journal page image. Records are matched against the
 * declared columns of the tables (live ones and dropped ones whose schema
 * survives) and never attributed by guess.
 *
 * Ownership: every pointer in a struct cu_rec_record (strings, values,
 * names) is borrowed for the duration of the callback only.
 */
#ifndef CUSTOS_RECOVER_H
#define CUSTOS_RECOVER_H

#include "core/core.h"

/* Value types: the same numbers as sqlite3.h's SQLITE_INTEGER ..
 * SQLITE_NULL (checked at compile time in recover.c), so callers that
 * include sqlite3.h can compare with those. */
#define CU_REC_INTEGER 1
#define CU_REC_FLOAT   2
#define CU_REC_TEXT    3
#define CU_REC_BLOB    4
#define CU_REC_NULL    5

/* One value of a recovered record. TEXT is UTF-8 (converted from UTF-16
 * databases), NUL-terminated at p[n]; BLOB raw at p. */
struct cu_rec_value {
	int type;
	int64_t i;
	double d;
	const unsigned char *p;
	size_t n;
};

enum cu_rec_source {
	CU_REC_LIVE_DAMAGED = 0, /* a live cell read by the page reader */
	CU_REC_FREEBLOCK,        /* a freed cell inside a live page (header possibly rebuilt) */
	CU_REC_UNALLOCATED,      /* the gap between cell pointers and content; an orphan page;
				    the db-file image of a page a committed WAL frame replaced */
	CU_REC_FREELIST,         /* a freelist trunk or leaf page (former table page) */
	CU_REC_WAL,              /* a WAL frame's page */
	CU_REC_JOURNAL,          /* a rollback journal page image */
};
/* "live", "freeblock", "unallocated", "freelist", "wal", "journal" */
const char *cu_rec_source_name(enum cu_rec_source s);

struct cu_rec_record {
	const char *table;      /* the table the record fits, NULL when none or ambiguous */
	const char *candidates; /* ambiguous: the tables it fits, ","-separated; else NULL */
	enum cu_rec_source source;
	const char *status; /* "deleted" | "superseded" (older version of a live row) |
				   "uncommitted" (WAL frame after the last commit) | "stale" (WAL
				   frame of an older salt) | "live" | "duplicate" (opts) */
	uint32_t page;      /* page number in the database (WAL/journal: the page the
				   frame/record is an image of) */
	uint64_t offset;    /* byte offset of the record's cell in the file it was read from */
	const char *file;   /* "db" | "wal" | "journal" */
	uint32_t wal_frame; /* 1-based frame number, 0 when not from the WAL */
	int64_t rowid;      /* INT64_MIN when unknown (e.g. header overwritten) */
	bool partial;       /* columns lost (first ones overwritten, or the tail truncated):
				   those values are CU_REC_NULL */
	bool dropped;       /* the table was dropped (schema recovered from sqlite_master) */
	size_t ncols;       /* values in table column order (declared order; ALTER-added
				   columns absent from an old record are CU_REC_NULL); for a
				   record without a table: the record's own columns */
	const struct cu_rec_value *values;
	const char *const *colnames; /* ncols names, NULL when table is NULL */
};

/* Borrowed for the call. Return non-OK to stop (that status is returned). */
typedef enum cu_status (*cu_rec_fn)(void *ctx, const struct cu_rec_record *r, struct cu_error *err);

struct cu_rec_opts {
	const char *wal_path;     /* NULL: "<db>-wal" if present; "" for none */
	const char *journal_path; /* NULL: "<db>-journal" if present; "" for none */
	bool live;                /* also report live rows (status "live") */
	bool duplicates;          /* also report records identical to a live row (status
				     "duplicate"); default off: not a deletion */
	uint64_t time_limit_ms;   /* 0 = default (60 s per file) */
	uint64_t mem_limit;       /* 0 = default (256 MiB); bounded independent of file size */
};

struct cu_rec_stats {
	uint64_t records, partial, ambiguous, duplicates_dropped;
	uint64_t pages_scanned, bytes_scanned;
	bool damaged;       /* structures were broken (loops, bad pointers, truncated) */
	bool filtered;      /* so many rows that the fingerprints of live rows or of records
			       reported went into fixed-size filters (memory bound): a
			       deleted record may rarely have been taken for a copy of a live
			       row or of one reported (missed, never invented) */
	char warnings[512]; /* a summary of what was wrong, "" when nothing */
};

#define CU_REC_TIME_LIMIT_MS 60000
#define CU_REC_MEM_LIMIT     ((uint64_t)256 << 20)

/*
 * Reads db_path (and its -wal / -journal) read-only, calls fn for every
 * record that physically survives: deleted, superseded, uncommitted...
 * never a live row unless opts->live, never an invented one. opts and
 * stats may be NULL. CU_E_FORMAT when the file is not SQLite at all; a
 * damaged file is not an error (stats->damaged, warnings). CU_E_LIMIT when
 * a bound was hit (the records found so far were reported).
 */
enum cu_status cu_recover_file(const char *db_path, const struct cu_rec_opts *opts, cu_rec_fn fn,
			       void *ctx, struct cu_rec_stats *stats,
			       struct cu_error *err) CU_WARN_UNUSED;

/* The live rows of one table read by the page reader (for a file SQLite
 * refuses or stops in), through the -wal beside it when there is one:
 * status "live", source CU_REC_LIVE_DAMAGED, rowid set. CU_E_NOTFOUND when
 * the schema has no such table. */
enum cu_status cu_recover_live_table(const char *db_path, const char *table, cu_rec_fn fn,
				     void *ctx, struct cu_rec_stats *stats,
				     struct cu_error *err) CU_WARN_UNUSED;

#endif
