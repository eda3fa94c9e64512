/*
 * parsers.h - artifact parsers and the case.db they write (CASEDB.md).
 *
 * `custos parse` walks every item's inventory, offers each file to the
 * registered parsers (parsers/registry.c) by device-path pattern and probe,
 * stages a working copy of each matched database (with -wal/-shm/-journal)
 * under CASE/work/, and lets the parser write rows through the sink below.
 * Parsers keep no global state, never touch evidence/, and name provenance
 * on every row. Two parsers claiming one file is reported, not resolved.
 */
#ifndef CUSTOS_PARSERS_H
#define CUSTOS_PARSERS_H

#include "core/core.h"

#include <limits.h>
#include <sqlite3.h>

#define CU_CASEDB_SCHEMA_VERSION 1

/* Marker for an unknown time / integer. */
#define CU_UNKNOWN INT64_MIN

enum cu_platform { CU_PLATFORM_IOS = 1u << 0, CU_PLATFORM_ANDROID = 1u << 1 };

/* A file offered to a parser. All strings borrowed for the call. */
struct cu_artifact {
	const char *item;          /* item id */
	const char *platform;      /* "ios" | "android" | NULL */
	const char *device_path;   /* as in the inventory */
	const char *evidence_path; /* relative to CASE (evidence/ or derived/) */
	const char *sha256;
	uint64_t size;
	int64_t source_id;         /* row in sources, set once staged */
	const char *work_path;     /* absolute path of the staged copy (parse only) */
};

struct cu_parse_ctx; /* opaque: case, item, case.db, staging area */

struct cu_parser {
	const char *name;  /* "wechat-android", unique */
	const char *app;   /* CASEDB app name: "wechat", "sms", ... */
	unsigned platforms;
	/* fnmatch(3) patterns on device_path (FNM_PATHNAME not set), NULL-ended. */
	const char *const *patterns;
	/* Optional: 0 = not mine, 1..100 = confidence. Gets the staged copy. */
	int (*probe)(struct cu_parse_ctx *ctx, const struct cu_artifact *a);
	enum cu_status (*parse)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				struct cu_error *err);
};

/*
 * Registry: each group is a NULL-terminated list defined by the file that
 * owns it; parsers/registry.c joins them and checks names are unique.
 */
extern const struct cu_parser *const cu_parsers_system[]; /* parsers/system/ */
extern const struct cu_parser *const cu_parsers_wechat[]; /* parsers/wechat/ */
extern const struct cu_parser *const cu_parsers_chat[];   /* parsers/chat/ */
/* The i-th registered parser, NULL past the end. */
const struct cu_parser *cu_parser_at(size_t i);

/* Provenance of one row (CASEDB.md). */
struct cu_prov {
	int64_t source_id;
	const char *table;  /* source_table, NULL for recovered-by-page */
	int64_t rowid;      /* CU_UNKNOWN when none */
	int64_t page;       /* CU_UNKNOWN for live rows */
	int64_t offset;     /* CU_UNKNOWN for live rows */
	bool recovered;
};

struct cu_account {
	const char *app, *identifier, *display_name;
	int64_t source_id;
};

struct cu_contact {
	const char *app, *identifier, *display_name, *alias, *remark, *phone;
	struct cu_prov prov;
};

struct cu_conversation {
	const char *app, *identifier, *title;
	int is_group; /* 0/1, -1 unknown */
	int64_t source_id;
};

struct cu_message {
	const char *app;
	int64_t conversation_id; /* from cu_sink_conversation, CU_UNKNOWN if none */
	const char *sender, *sender_name;
	const char *direction; /* incoming|outgoing|system */
	int64_t sent_ms;       /* Unix ms or CU_UNKNOWN */
	const char *kind;      /* text|image|...|other */
	const char *body, *raw_type, *attachment, *status;
	struct cu_prov prov;
};

struct cu_call {
	const char *app, *counterpart, *direction;
	int64_t started_ms;
	int64_t duration_s; /* CU_UNKNOWN if none */
	int answered;       /* 0/1, -1 unknown */
	struct cu_prov prov;
};

struct cu_payment {
	const char *app;       /* wechat-pay|alipay|bank-sms|qq-wallet|crypto */
	const char *kind;      /* transfer|red_packet|bill|debit|credit|refund */
	const char *direction; /* incoming|outgoing|unknown */
	int64_t amount_minor;  /* fen; CU_UNKNOWN when not stated */
	const char *currency;  /* "CNY" */
	const char *counterparty, *counterparty_name, *status, *memo, *transaction_id;
	int64_t occurred_ms;
	int64_t message_id;    /* messages.message_id or CU_UNKNOWN */
	struct cu_prov prov;
};

/* Sink: every call inserts one row into case.db. ids returned on success. */
enum cu_status cu_sink_account(struct cu_parse_ctx *ctx, const struct cu_account *a,
			       struct cu_error *err);
enum cu_status cu_sink_contact(struct cu_parse_ctx *ctx, const struct cu_contact *c,
			       struct cu_error *err);
/* Returns the existing id when (item, app, identifier) is already known. */
enum cu_status cu_sink_conversation(struct cu_parse_ctx *ctx, const struct cu_conversation *c,
				    int64_t *id, struct cu_error *err);
enum cu_status cu_sink_message(struct cu_parse_ctx *ctx, const struct cu_message *m, int64_t *id,
			       struct cu_error *err);
enum cu_status cu_sink_call(struct cu_parse_ctx *ctx, const struct cu_call *c,
			    struct cu_error *err);
/* Deduplicates on (item, app, transaction_id) when transaction_id is set:
 * a later status update replaces status (and fills unknown fields). */
enum cu_status cu_sink_payment(struct cu_parse_ctx *ctx, const struct cu_payment *p,
			       struct cu_error *err);

/* A non-fatal problem with a file (unknown schema, missing column...):
 * logged, counted, and recorded in the PARSE custody entry. */
void cu_parse_warn(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *fmt, ...)
	CU_PRINTF(3, 4);

/* Opens the staged copy read-only with immutable=1 (URI filename). */
enum cu_status cu_parse_open_db(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				sqlite3 **db, struct cu_error *err);
/* Helpers over an open db. */
bool cu_sqlite_has_table(sqlite3 *db, const char *table);
bool cu_sqlite_has_column(sqlite3 *db, const char *table, const char *column);

/* The case.db handle (for analyses that read what parsers wrote). */
sqlite3 *cu_parse_casedb(struct cu_parse_ctx *ctx);
/* Case directory and current item. */
struct cu_case *cu_parse_case(struct cu_parse_ctx *ctx);
const char *cu_parse_item(struct cu_parse_ctx *ctx);

/*
 * Finds another file of the same item by fnmatch pattern on device_path
 * (e.g. WeChat's shared_prefs next to EnMicroMsg.db) and stages it; the
 * callback sees it as an artifact (source row created). Stops when the
 * callback returns non-OK; CU_E_NOTFOUND when nothing matched.
 */
typedef enum cu_status (*cu_parse_find_fn)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					   void *arg, struct cu_error *err);
enum cu_status cu_parse_find(struct cu_parse_ctx *ctx, const char *pattern, cu_parse_find_fn fn,
			     void *arg, struct cu_error *err);

/*
 * Registers a derived file written by a parser (e.g. a decrypted
 * EnMicroMsg.db) at CASE/derived/<item>/<rel>: hashes it, appends an
 * inventory record, a DERIVE custody entry (inputs with hashes, method,
 * output hash) and a sources row with derived_from set. tmp_path is a
 * finished file the parser wrote under the work area; it is moved in place.
 * *out receives the artifact for the derived file (staged for parsing);
 * valid until the next call on ctx.
 */
enum cu_status cu_parse_derive(struct cu_parse_ctx *ctx, const struct cu_artifact *input,
			       const char *tmp_path, const char *rel, const char *derivation,
			       const struct cu_artifact **out, struct cu_error *err);
/* A fresh path under CASE/work/ for a parser's temporary output. */
enum cu_status cu_parse_tmp_path(struct cu_parse_ctx *ctx, const char *name, struct cu_buf *out,
				 struct cu_error *err);

/* Options for one `custos parse` run. */
struct cu_parse_opts {
	const char *item; /* NULL = all items */
	unsigned long flags;
};

struct cu_parse_stats {
	uint64_t files, parsed, warnings, errors;
	uint64_t messages, contacts, calls, payments, conversations;
};

/* Runs every parser over the case; writes CASE/case.db anew; appends a PARSE
 * custody entry. CU_E_PARTIAL when some files failed (all recorded). */
enum cu_status cu_parse_case_run(struct cu_case *c, const struct cu_parse_opts *opts,
				 struct cu_parse_stats *stats, struct cu_error *err);

/* Creates the case.db schema (CASEDB.md) in an empty database. */
enum cu_status cu_casedb_create(sqlite3 *db, struct cu_error *err);

#endif
