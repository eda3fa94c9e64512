/*
 * parse_int.h - private to the parser framework (parse.c, sink.c): the
 * parse context. Parsers see it only as an opaque pointer.
 */
#ifndef CUSTOS_PARSE_INT_H
#define CUSTOS_PARSE_INT_H

#include "parsers/parsers.h"

enum sink_stmt {
	ST_ACCOUNT,
	ST_CONTACT,
	ST_CONV_FIND,
	ST_CONV_INSERT,
	ST_MESSAGE,
	ST_CALL,
	ST_PAY_FIND,
	ST_PAY_UPDATE,
	ST_PAY_INSERT,
	ST_SOURCE,
	ST_WARN,
	ST_COUNT
};

#define NSIBLINGS 3 /* -wal, -shm, -journal */

struct rec_set; /* parse.c: the recovered records of one staged file */

/* A staged file: an artifact plus the strings it borrows. */
struct staged {
	struct cu_artifact a;
	char *item, *device_path, *evidence_path, *sha256, *work_path;
	char *platform;
	char *dir;         /* the scratch directory holding the copies */
	bool checkpointed; /* work_path is the WAL-checkpointed copy */
	/* recovery: the plain staged copy with its siblings beside it, the
	 * sources row of the file itself (not the checkpointed copy), the
	 * siblings' inventory facts and (lazily) their sources rows */
	char *raw_path;
	int64_t file_source;
	char *sib_device[NSIBLINGS], *sib_evidence[NSIBLINGS], *sib_sha256[NSIBLINGS];
	char *sib_md5[NSIBLINGS];
	uint64_t sib_size[NSIBLINGS];
	int64_t sib_source[NSIBLINGS];
	struct rec_set *rec;
	bool damaged;  /* warned and marked once */
	bool rec_done; /* leftovers counted */
};

struct parse_counts {
	uint64_t accounts, contacts, conversations, messages, calls, payments;
};

struct cu_parse_ctx {
	struct cu_case *c; /* NULL in cu_parse_file() mode */
	sqlite3 *db;       /* case.db being written */
	const char *item;
	const char *platform;
	const struct cu_parse_opts *opts; /* cu_parse_case_run()'s, or NULL */
	const struct cu_parser *parser;   /* the parser running now */
	sqlite3_stmt *st[ST_COUNT];
	struct cu_parse_stats stats;
	struct parse_counts counts;
	/* run state, owned by parse.c */
	void *run;
};

/* parse.c: probes the candidates (in order; no probe = confidence 50) and
 * returns the top confidence, 0 when none claims the file. *tie is set
 * when a second parser reached the same top confidence: the file is then
 * reported, never silently given to one of them (STYLE.md). */
int cu_parse_choose(struct cu_parse_ctx *ctx, const struct cu_parser *const *cand, size_t n,
		    const struct cu_artifact *a, const struct cu_parser **best,
		    const struct cu_parser **tie);

/* sink.c */
void sink_release(struct cu_parse_ctx *ctx);
enum cu_status sink_source(struct cu_parse_ctx *ctx, const char *item, const char *device_path,
			   const char *evidence_path, uint64_t size, const char *sha256,
			   const char *md5, int64_t derived_from, const char *derivation,
			   const char *parser, int64_t *id, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status sink_warning(struct cu_parse_ctx *ctx, int64_t source_id, const char *device_path,
			    const char *severity, const char *message,
			    struct cu_error *err) CU_WARN_UNUSED;

#endif
