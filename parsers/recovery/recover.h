/*
 * recover.h - LOCAL STAND-IN of the recovery engine's API (contract copy),
 * to be replaced by the engine's own header when its branch is merged.
 */
#ifndef CUSTOS_RECOVER_H
#define CUSTOS_RECOVER_H

#include "core/core.h"

#include <sqlite3.h>

struct cu_rec_value {
	int type;
	int64_t i;
	double d;
	const unsigned char *p;
	size_t n;
};
enum cu_rec_source {
	CU_REC_LIVE_DAMAGED = 0,
	CU_REC_FREEBLOCK,
	CU_REC_UNALLOCATED,
	CU_REC_FREELIST,
	CU_REC_WAL,
	CU_REC_JOURNAL,
};
const char *cu_rec_source_name(enum cu_rec_source s);
struct cu_rec_record {
	const char *table;
	const char *candidates;
	enum cu_rec_source source;
	const char *status;
	uint32_t page;
	uint64_t offset;
	const char *file;
	uint32_t wal_frame;
	int64_t rowid;
	bool partial;
	size_t ncols;
	const struct cu_rec_value *values;
	const char *const *colnames;
};
typedef enum cu_status (*cu_rec_fn)(void *ctx, const struct cu_rec_record *r, struct cu_error *err);
struct cu_rec_opts {
	const char *wal_path;
	const char *journal_path;
	bool live;
	bool duplicates;
	uint64_t time_limit_ms;
	uint64_t mem_limit;
};
struct cu_rec_stats {
	uint64_t records, partial, ambiguous, duplicates_dropped;
	uint64_t pages_scanned, bytes_scanned;
	bool damaged;
	char warnings[512];
};
enum cu_status cu_recover_file(const char *db_path, const struct cu_rec_opts *opts, cu_rec_fn fn,
			       void *ctx, struct cu_rec_stats *stats,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_recover_live_table(const char *db_path, const char *table, cu_rec_fn fn,
				     void *ctx, struct cu_rec_stats *stats,
				     struct cu_error *err) CU_WARN_UNUSED;

#endif
