/*
 * parsers.h - artifact parsers and the case.db they write (CASEDB.md).
 *
 * `custos parse` walks every item's inventory, offers each file to the
 * registered parsers (parsers/registry.c) by device-path pattern and probe,
 * stages a working copy of each matched database (with -wal/-shm/-journal)
 * under CASE/work/, and lets the parser write rows through the sink below.
 * Parsers keep no global state, never touch evidence/, and name provenance
 * on every row. Two parsers claiming one file is reported, not resolved.
 *
 * This header is the framework: the parser and artifact, the registry, the
 * sink, the parse context, the toolkit every parser reads its database
 * with, and table specs (an app table described as data, driving one row
 * loop). The parsers live by group - system/, wechat/, payments/, chat/ -
 * each group listing its parsers in <group>_parsers.c; the format decoders
 * they use sit behind internal headers next to their code (SQLCipher 1,
 * WeChat keys and Java serialization, protobuf: wechat/; Telegram TL, QQ
 * XOR: chat/; WeChat Pay XML, bank SMS: payments/; typedstream: system/).
 */
#ifndef CUSTOS_PARSERS_H
#define CUSTOS_PARSERS_H

#include "casedb/casedb.h"
#include "core/core.h"
#include "parsers/recovery/recover.h"

#include <limits.h>
#include <sqlite3.h>

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
	int64_t source_id;     /* row in sources, set once staged */
	const char *work_path; /* absolute path of the staged copy (parse only) */
};

struct cu_parse_ctx; /* opaque: case, item, case.db, staging area */

struct cu_parser {
	const char *name; /* "wechat-android", unique */
	const char *app;  /* CASEDB app name: "wechat", "sms", ... */
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
extern const struct cu_parser *const cu_parsers_system[];   /* parsers/system/ */
extern const struct cu_parser *const cu_parsers_wechat[];   /* parsers/wechat/ */
extern const struct cu_parser *const cu_parsers_payments[]; /* parsers/payments/ */
extern const struct cu_parser *const cu_parsers_chat[];     /* parsers/chat/ */
/* The i-th registered parser, NULL past the end. */
const struct cu_parser *cu_parser_at(size_t i);

/* How a row read by the page reader was found (recovered_* columns of
 * case.db, docs/casedb.md): NULL in cu_prov for rows SQLite read. */
struct cu_prov_rec {
	const char *from;   /* "freeblock" | "unallocated" | "freelist" | "wal" | "journal" |
			       "live" (a live row of a file SQLite refuses or stops in) */
	const char *status; /* "deleted" | "superseded" | "uncommitted" | "stale" | "live" |
			       "deleted (dropped table)" */
	int64_t wal_frame;  /* 1-based WAL frame, CU_UNKNOWN when not from the WAL */
	bool partial;       /* its first columns were lost (they read as NULL) */
};

/* Provenance of one row (CASEDB.md). */
struct cu_prov {
	int64_t
	    source_id; /* for a recovered row: the file page/offset are in (db, -wal, -journal) */
	const char *table; /* source_table: for a recovered row, the table its record fits */
	int64_t rowid;     /* CU_UNKNOWN when none */
	int64_t page;      /* CU_UNKNOWN for live rows */
	int64_t offset;    /* CU_UNKNOWN for live rows */
	bool recovered;    /* a deleted / superseded / uncommitted record, not a live row */
	const struct cu_prov_rec *rec; /* NULL: read through SQLite */
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
	/* Bytes of body when it may hold NUL bytes (SQLite text keeps them;
	 * CASEDB.md: nothing is cleaned); 0 = strlen(body). */
	size_t body_len;
	struct cu_prov prov;
	/* schema 3 (docs/casedb.md); zero-initialised = unknown */
	int64_t sent_device_ms;     /* the sender's time (Android date_sent); <= 0: unknown */
	bool has_sim_slot;          /* sim_slot is known */
	int64_t sim_slot;           /* 0-based SIM slot / subscription */
	const char *service_center; /* SMS service centre number */
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
	int64_t message_id; /* messages.message_id or CU_UNKNOWN */
	struct cu_prov prov;
};

/* Sink: every call inserts one row into case.db. ids returned on success. */
enum cu_status cu_sink_account(struct cu_parse_ctx *ctx, const struct cu_account *a,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_sink_contact(struct cu_parse_ctx *ctx, const struct cu_contact *c,
			       struct cu_error *err) CU_WARN_UNUSED;
/* Returns the existing id when (item, app, identifier) is already known. */
enum cu_status cu_sink_conversation(struct cu_parse_ctx *ctx, const struct cu_conversation *c,
				    int64_t *id, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_sink_message(struct cu_parse_ctx *ctx, const struct cu_message *m, int64_t *id,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_sink_call(struct cu_parse_ctx *ctx, const struct cu_call *c,
			    struct cu_error *err) CU_WARN_UNUSED;
/* Deduplicates on (item, app, transaction_id) when transaction_id is set:
 * a later status update replaces status (and fills unknown fields). A
 * recovered payment (prov.recovered) is always a row of its own: neither
 * merged into a live one nor updated by one. */
enum cu_status cu_sink_payment(struct cu_parse_ctx *ctx, const struct cu_payment *p,
			       struct cu_error *err) CU_WARN_UNUSED;

/* True when a message body is one base64 or hex token of high entropy that
 * fills it (after trimming white space): it looks app-encrypted. The exact
 * rule is in parsers/ciphertext.c and docs/casedb.md. NUL bytes allowed. */
bool cu_text_looks_ciphertext(const char *body, size_t len);

/*
 * A file the parse did not read (docs/casedb.md, not_examined): reason is
 * "unsupported", "encrypted-no-key", "damaged" or "refused"; app the app's
 * name or NULL; detail one English sentence saying what the file is and
 * why it was not read. A parser that calls this for the artifact it was
 * given has not parsed it (the driver lists it once, not twice).
 */
void cu_parse_not_examined(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *app,
			   const char *reason, const char *detail);
/* coverage.c: the app a device path belongs to ("Instagram", …; NULL when
 * not a known app), whether it is one of an app's data stores (a database
 * or backup file, not an image or cache), and whether the file at path
 * starts with the SQLite header. */
const char *cu_parse_known_app(const char *device_path);
/* device_tz.c: a plausible IANA zone name ("Asia/Shanghai", "UTC"); the
 * Android persist.sys.timezone from a property file of the image (by its
 * device path: persistent_properties, persist.sys.timezone, *.prop) into
 * out; false when it holds none. */
bool cu_parse_tz_plausible(const char *s, size_t n);
bool cu_parse_tz_from_property_file(const char *device_path, const void *data, size_t n, char *out,
				    size_t cap);
bool cu_parse_app_store(const char *device_path);
enum cu_status cu_parse_is_sqlite(const char *path, bool *yes, struct cu_error *err) CU_WARN_UNUSED;

/* A non-fatal problem with a file (unknown schema, missing column...):
 * logged, counted, and recorded in the PARSE custody entry. */
void cu_parse_warn(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *fmt, ...)
    CU_PRINTF(3, 4);

/* Opens the staged copy read-only with immutable=1 (URI filename). */
enum cu_status cu_parse_open_db(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 **db,
				struct cu_error *err) CU_WARN_UNUSED;

/* The case.db handle (for analyses that read what parsers wrote). */
sqlite3 *cu_parse_casedb(struct cu_parse_ctx *ctx);
/* Case directory and current item. */
struct cu_case *cu_parse_case(struct cu_parse_ctx *ctx);
const char *cu_parse_item(struct cu_parse_ctx *ctx);
/* The i-th IMEI given with `custos parse --imei`, or NULL past the last
 * (always NULL in cu_parse_file() mode). */
const char *cu_parse_given_imei(struct cu_parse_ctx *ctx, size_t i);
/* `custos parse --whatsapp-key F`, or NULL (always NULL outside a case). */
const char *cu_parse_whatsapp_key(struct cu_parse_ctx *ctx);

/*
 * Finds another file of the same item by fnmatch pattern on device_path
 * (e.g. WeChat's shared_prefs next to EnMicroMsg.db) and stages it; the
 * callback sees it as an artifact (source row created). Stops when the
 * callback returns non-OK; CU_E_NOTFOUND when nothing matched.
 */
typedef enum cu_status (*cu_parse_find_fn)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					   void *arg, struct cu_error *err);
enum cu_status cu_parse_find(struct cu_parse_ctx *ctx, const char *pattern, cu_parse_find_fn fn,
			     void *arg, struct cu_error *err) CU_WARN_UNUSED;

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
			       const struct cu_artifact **out, struct cu_error *err) CU_WARN_UNUSED;
/* A fresh path under CASE/work/ for a parser's temporary output. */
enum cu_status cu_parse_tmp_path(struct cu_parse_ctx *ctx, const char *name, struct cu_buf *out,
				 struct cu_error *err) CU_WARN_UNUSED;

/* Options for one `custos parse` run. */
struct cu_parse_opts {
	const char *item; /* NULL = all items */
	unsigned long flags;
	/* `custos parse --imei IMEI`...: extra IMEIs tried as WeChat / QQ key
	 * candidates after the manifest's (recorded in the PARSE entry as
	 * imei_given); borrowed for the run. */
	const char *const *imeis;
	size_t n_imeis;
	/* `--whatsapp-key F`: the key file (or a file holding the 64-hex key)
	 * for WhatsApp Android backups (.crypt12/.crypt14/.crypt15), tried
	 * before a key found in the image; borrowed. */
	const char *whatsapp_key;
};

struct cu_parse_stats {
	uint64_t files, parsed, warnings, errors;
	uint64_t messages, contacts, calls, payments, conversations;
	/* Recovery (parsers/recovery): rows stored from recovered records;
	 * records the page reader found that no parser reads (a table no
	 * parser reads, or ambiguous: fits several tables) - counted and
	 * listed in the PARSE custody entry, never silently dropped; files
	 * whose live rows came (partly) from the page reader. */
	uint64_t recovered, recovered_unread, recovered_ambiguous, damaged_files;
	/* files listed in not_examined (docs/casedb.md) */
	uint64_t not_examined;
};

/* Prints the not_examined rows of the case.db at path, one per line
 * ("not examined: ITEM PATH [APP]: REASON: DETAIL"), in ne_id order. */
enum cu_status cu_parse_print_not_examined(const char *casedb_path, FILE *out,
					   struct cu_error *err) CU_WARN_UNUSED;

/* Runs every parser over the case; writes CASE/case.db anew; appends a PARSE
 * custody entry. CU_E_PARTIAL when some files failed (all recorded). */
enum cu_status cu_parse_case_run(struct cu_case *c, const struct cu_parse_opts *opts,
				 struct cu_parse_stats *stats, struct cu_error *err) CU_WARN_UNUSED;

/* The registered parser with this name, or NULL. */
const struct cu_parser *cu_parser_find(const char *name);

/*
 * Extra columns beyond the CASEDB.md contract (additions only). Start from
 * CU_ROW_EXTRA_INIT and set what the source states; the rest stays NULL.
 */
struct cu_row_extra {
	const char *raw_type;  /* calls.raw_type: source's own type code/name */
	const char *email;     /* contacts.email (several joined with ", ") */
	const char *status;    /* contacts.status: e.g. "deleted" (raw_contacts.deleted = 1) */
	int64_t balance_minor; /* payments.balance_minor: balance after, fen; CU_UNKNOWN */
	const char *account;   /* payments.account: own account / card tail */
	const char *bank;      /* payments.bank: bank name or short code */
	/* calls: the phone's own cached name, country (ISO code) and geocoded location */
	const char *cached_name, *country, *geocoded_location;
};
#define CU_ROW_EXTRA_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, NULL, CU_UNKNOWN, NULL, NULL, NULL, NULL, NULL                         \
	}

/* As cu_sink_contact/call/payment, with the extra columns; id may be NULL. */
enum cu_status cu_sink_contact_x(struct cu_parse_ctx *ctx, const struct cu_contact *c,
				 const struct cu_row_extra *x, int64_t *id,
				 struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_sink_call_x(struct cu_parse_ctx *ctx, const struct cu_call *c,
			      const struct cu_row_extra *x, int64_t *id,
			      struct cu_error *err) CU_WARN_UNUSED;
/* On a deduplicated update, *id is the existing payment's id. */
enum cu_status cu_sink_payment_x(struct cu_parse_ctx *ctx, const struct cu_payment *p,
				 const struct cu_row_extra *x, int64_t *id,
				 struct cu_error *err) CU_WARN_UNUSED;

/*
 * Runs one parser over one database file outside any case (unit tests, fuzz
 * targets): rows go into casedb (made with cu_casedb_create by the caller)
 * with one sources row for path. With work_dir set, the file is staged there
 * like in a case run (copy, -wal/-shm/-journal siblings found next to path,
 * WAL checkpointed into a second working copy); without it, path is opened
 * as is (immutable=1, so a -wal beside it is ignored). probe is called
 * only with probe = true (a 0 answer gives CU_E_UNSUPPORTED).
 * cu_parse_derive/cu_parse_tmp_path give CU_E_UNSUPPORTED and
 * cu_parse_find CU_E_NOTFOUND in this mode. stats may be NULL; it is
 * added to. A parser error is returned as is (its rows stay).
 */
struct cu_parse_file_opts {
	const char *item;        /* default "item" */
	const char *platform;    /* "ios" | "android" | NULL */
	const char *device_path; /* default: path */
	const char *work_dir;    /* NULL: no staging */
	bool probe;
};
enum cu_status cu_parse_file(sqlite3 *casedb, const struct cu_parser *p, const char *path,
			     const struct cu_parse_file_opts *o, struct cu_parse_stats *stats,
			     struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Toolkit (toolkit.c): what every parser does with the databases it   */
/* reads. Borrowed strings live until the next step of the statement.  */
/* ------------------------------------------------------------------ */

/* Schema checks (tables and views; names compared without case). */
bool cu_sqlite_has_table(sqlite3 *db, const char *table);
bool cu_sqlite_has_column(sqlite3 *db, const char *table, const char *column);
/* column itself when table has it, else "NULL": for SELECTs that must
 * survive app-version schema differences. Returns column or a literal. */
const char *cu_sqlite_col_or_null(sqlite3 *db, const char *table, const char *column);
/* As cu_sqlite_col_or_null; with warn, a missing column is also reported
 * (cu_parse_warn naming the file, table and column) so one missing column
 * never costs the whole table silently. */
const char *cu_parse_col(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			 const char *table, const char *col, bool warn);
/* True when `table` exists; otherwise warns (naming the file) if warn. */
bool cu_parse_need_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			 const char *table, bool warn);

/* cu_sqlite_prepare names db_what (a file) and the SQLite message in err;
 * cu_parse_prepare names a's device path. cu_sqlite_text gives NULL for
 * SQL NULL and the UTF-8 text otherwise; cu_sqlite_i64 gives CU_UNKNOWN
 * for NULL or non-numeric text. */
enum cu_status cu_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
				 const char *db_what, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_parse_prepare(const struct cu_artifact *a, sqlite3 *db, const char *sql,
				sqlite3_stmt **st, struct cu_error *err) CU_WARN_UNUSED;
const char *cu_sqlite_text(sqlite3_stmt *st, int col);
/* cu_sqlite_text() with the byte count in *len (text may hold NUL bytes:
 * keep it with its length, e.g. a message body); *len is 0 for NULL. */
const char *cu_sqlite_textn(sqlite3_stmt *st, int col, size_t *len);
int64_t cu_sqlite_i64(sqlite3_stmt *st, int col);

/*
 * Guard for row loops over an untrusted database: a damaged b-tree can
 * make SQLite return the same rows again and again (found by fuzzing the
 * chat parsers). cu_rows_step() is sqlite3_step() that stops with
 * CU_ROWS_DAMAGED when the key column (a rowid alias the query is ordered
 * by; -1 for none) does not strictly increase, or when more rows come back
 * than a file of its size can hold (a table cell takes at least a 2-byte
 * pointer and 2 bytes of cell, so size / 4). cu_rows_damaged() sets the
 * error naming the file.
 */
#define CU_ROWS_DAMAGED 1000 /* not an SQLite result code */
struct cu_rows {
	uint64_t n, cap;
	int key;
	bool have_last;
	int64_t last;
};
void cu_rows_init(struct cu_rows *g, const struct cu_artifact *a, int key_col);
/* SQLITE_ROW, SQLITE_DONE, an SQLite error code, or CU_ROWS_DAMAGED. */
int cu_rows_step(sqlite3_stmt *st, struct cu_rows *g);
enum cu_status cu_rows_damaged(const struct cu_artifact *a, struct cu_error *err) CU_WARN_UNUSED;
/* Error for a guarded loop that ended with s (neither SQLITE_ROW nor
 * SQLITE_DONE): the damaged-file error for CU_ROWS_DAMAGED, else
 * "'<file>': reading <reading>: <SQLite message>" (reading NULL: "rows"). */
enum cu_status cu_rows_error(const struct cu_artifact *a, sqlite3 *db, int s, const char *reading,
			     struct cu_error *err) CU_WARN_UNUSED;
/* The row loop: cu_rows_step(); true with a row; false at the end with
 * *rc = CU_OK, or on failure with *rc and err set by cu_rows_error(). */
bool cu_rows_next(const struct cu_artifact *a, sqlite3 *db, sqlite3_stmt *st, struct cu_rows *rows,
		  const char *reading, enum cu_status *rc, struct cu_error *err);

/* Provenance of a live (not recovered) row: a's source, table, rowid. */
struct cu_prov cu_prov_row(const struct cu_artifact *a, const char *table, int64_t rowid);

/*
 * The time policy of every parser (APPS.md 0): a value that cannot be a
 * time - NULL, zero, NaN, before 1970 or after 9999 - is CU_UNKNOWN, never
 * 1970. Cocoa seconds are rounded to the nearest millisecond.
 */
int64_t cu_parse_ms_from_unix_s(int64_t s);
int64_t cu_parse_ms_from_unix_ms(int64_t ms);
int64_t cu_parse_ms_from_cocoa_s(double s);
/* Unix seconds as REAL (QQ iOS): the milliseconds kept. */
int64_t cu_parse_ms_from_unix_s_real(double s);
/* Cocoa seconds, or nanoseconds after iOS 11 (cu_time_from_cocoa_auto). */
int64_t cu_parse_ms_from_cocoa_auto(int64_t v);

/* Probes. cu_parse_probe_table: conf when the staged copy has table or
 * does not open (so the damage gets reported), conf / 2 when it opens
 * without it. cu_parse_probe_tables: 90 when one of the NULL-terminated
 * `tables` exists (a name ending in '%' is a LIKE prefix); otherwise 10
 * when the device path matches the fnmatch pattern `own_path` - the app's
 * own location - so a damaged or foreign file there still reaches
 * parse(), which reports why it cannot be read; else 0. */
int cu_parse_probe_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *table,
			 int conf);
int cu_parse_probe_tables(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			  const char *const *tables, const char *own_path);

/*
 * Sections of one file (a table, the contacts, the calls) fail alone: a
 * damaged source (CU_E_FORMAT) in one section is kept in *first (the
 * first one wins), err is cleared and the next section still runs; the
 * file's parse() returns the kept failure at the end so it is recorded
 * while every row that could be read stays. Any other failure (case.db,
 * memory) is returned as is. Returns the status the caller should act on.
 */
enum cu_status cu_parse_section(enum cu_status rc, const char *what, struct cu_error *err,
				struct cu_error *first) CU_WARN_UNUSED;
/* At the end of parse(): the kept failure into err (or CU_OK). */
enum cu_status cu_parse_finish(const struct cu_error *first, struct cu_error *err) CU_WARN_UNUSED;

/* Conversation id for (app, identifier), creating it with title/is_group;
 * CU_UNKNOWN without an identifier. */
enum cu_status cu_parse_conversation(struct cu_parse_ctx *ctx, const char *app,
				     const char *identifier, const char *title, int is_group,
				     int64_t source_id, int64_t *id,
				     struct cu_error *err) CU_WARN_UNUSED;

/* s, or NULL when s is "" (names and titles: an empty name is no name). */
const char *cu_parse_nz(const char *s);
/* Appends s to a list joined with sep; empty and duplicate entries are
 * dropped. */
enum cu_status cu_parse_join_add(struct cu_buf *b, const char *sep, const char *s,
				 struct cu_error *err) CU_WARN_UNUSED;
/* Lower-case hex of up to max bytes of p into out ("..." marks a cut). */
enum cu_status cu_parse_hex(const void *p, size_t n, size_t max, struct cu_buf *out,
			    struct cu_error *err) CU_WARN_UNUSED;
/*
 * fnmatch pattern for a file of the same app as `a`: the device path up to
 * and including the "/databases/" component's parent (escaped), then rel
 * ("files/kc", "databases/wa.db"). false when a is not under databases/.
 */
bool cu_parse_sibling_glob(const struct cu_artifact *a, const char *rel, struct cu_buf *out);
/*
 * cu_parse_find for a file that may well be absent (a key file, a
 * database that only adds names): no match is normal, a callback may stop
 * the walk early with CU_E_EXISTS, any other failure becomes a warning on
 * a naming the pattern. The parse of a goes on either way.
 */
void cu_parse_find_optional(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    const char *pattern, cu_parse_find_fn fn, void *arg);

/* ------------------------------------------------------------------ */
/* Table specs (spec.c): an app table described as data - its key      */
/* column, its columns in the app's order with their declared type,    */
/* decoder and the case.db field each fills. One row loop reads a live */
/* table through a spec; a carved record (no live table) goes through  */
/* the same decoders and row code with cu_spec_emit().                 */
/* ------------------------------------------------------------------ */

/* The type a column is declared with in the app's schema (what a carved
 * record's serial type should match). */
enum cu_affinity {
	CU_AFFINITY_ANY = 0,
	CU_AFFINITY_INTEGER,
	CU_AFFINITY_REAL,
	CU_AFFINITY_TEXT,
	CU_AFFINITY_BLOB,
};

/* How a source value becomes a case.db value (the decoded value). */
enum cu_decode {
	CU_DECODE_RAW = 0,     /* kept as found, for the row code */
	CU_DECODE_TEXT,        /* text; NULL stays NULL */
	CU_DECODE_NAME,        /* text, "" becomes NULL (names, titles) */
	CU_DECODE_TEXT_ANY,    /* text (numbers as text); a BLOB stays bytes for the row code */
	CU_DECODE_INT,         /* integer; NULL or non-numeric text is CU_UNKNOWN */
	CU_DECODE_UNIX_S,      /* Unix seconds -> ms (the time policy above) */
	CU_DECODE_UNIX_MS,     /* Unix ms -> ms */
	CU_DECODE_COCOA_S,     /* Cocoa seconds (REAL) -> ms */
	CU_DECODE_UNIX_S_REAL, /* Unix seconds (REAL) -> ms, the milliseconds kept */
	CU_DECODE_COCOA_AUTO,  /* Cocoa seconds or nanoseconds (iOS 11+) -> ms */
};

/* The case.db field a decoded column fills directly (CU_FIELD_NONE: only
 * the row code reads it). */
enum cu_field {
	CU_FIELD_NONE = 0,
	CU_FIELD_CALL_COUNTERPART, /* calls.counterpart */
	CU_FIELD_CALL_STARTED,     /* calls.started_ms */
	CU_FIELD_CALL_DURATION,    /* calls.duration_s */
	CU_FIELD_CONTACT_IDENTIFIER,
	CU_FIELD_CONTACT_NAME, /* contacts.display_name */
	CU_FIELD_CONTACT_ALIAS,
	CU_FIELD_CONTACT_REMARK,
	CU_FIELD_CONTACT_PHONE,
	CU_FIELD_MESSAGE_SENDER,
	CU_FIELD_MESSAGE_SENDER_NAME,
	CU_FIELD_MESSAGE_SENT, /* messages.sent_ms */
	CU_FIELD_MESSAGE_BODY,
	CU_FIELD_MESSAGE_ATTACHMENT,
	CU_FIELD_MESSAGE_STATUS,
};

struct cu_column_spec {
	const char *name; /* as in the app's schema */
	enum cu_affinity affinity;
	enum cu_decode decode;
	enum cu_field field;
	bool warn_missing; /* a file without the column gets a warning */
};

/* Which case.db table a spec's rows go into. */
enum cu_spec_sink {
	CU_SPEC_SINK_NONE = 0, /* the row code sinks (or collects) itself */
	CU_SPEC_SINK_CALL,
	CU_SPEC_SINK_CONTACT,
	CU_SPEC_SINK_MESSAGE,
};

/* One value of a row: the source value as found (type is an SQLITE_*
 * type, SQLITE_NULL also for a column the file lacks) and its decoded
 * form. Borrowed for the row. p holds TEXT (NUL-terminated), a BLOB's
 * bytes (NUL-terminated when a text decoder reads them), or for a live
 * row a number's text when a text decoder reads it. i and d are the
 * value as sqlite3_column_int64/double give it, for text too where a RAW
 * or Cocoa decoder reads it (0 for NULL and BLOB). A record given as
 * values (carved) sets type and i / d / p,n. */
struct cu_spec_value {
	int type;
	int64_t i; /* INTEGER (REAL truncated) */
	double d;  /* REAL (INTEGER converted) */
	const unsigned char *p;
	size_t n;         /* bytes at p */
	bool present;     /* the column exists in this file */
	const char *text; /* decoded text (TEXT, NAME, TEXT_ANY) or NULL */
	int64_t value;    /* decoded integer / ms (INT, times), CU_UNKNOWN */
	char num[32];     /* a number as text, for a record given without p */
};

struct cu_spec_row {
	int64_t rowid;
	const struct cu_spec_value *v; /* one per spec column, in spec order */
	struct cu_prov prov;
};

/* What a row becomes: the record of the spec's sink (the only one set
 * up: app, provenance and the mapped fields filled, unknowns marked),
 * extra columns, and skip. */
struct cu_spec_out {
	struct cu_call call;
	struct cu_contact contact;
	struct cu_message message;
	struct cu_row_extra extra;
	bool skip;         /* the row code decided this row is no record */
	char raw_type[48]; /* room for a raw_type text the row code formats */
};

struct cu_table_spec;
/* Row code: what the mapped fields cannot say (a direction from a type
 * code, a raw_type text). Runs after the mapping, before the sink. arg is
 * the caller's run state (lookups, buffers); a record carved from a free
 * page comes with arg NULL when the row code accepts that (it then does
 * what the record alone allows), which the spec's comment says. */
typedef enum cu_status (*cu_spec_row_fn)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					 const struct cu_table_spec *spec,
					 const struct cu_spec_row *row, struct cu_spec_out *out,
					 void *arg, struct cu_error *err);
/* Code after the sink: rows that hang off the sunk record (a bank SMS
 * payment linked to its message by id). */
typedef enum cu_status (*cu_spec_sunk_fn)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					  const struct cu_spec_row *row,
					  const struct cu_spec_out *out, int64_t id, void *arg,
					  struct cu_error *err);

struct cu_table_spec {
	const char *table; /* the app's table */
	const char *key;   /* its rowid alias: the loop's order and guard */
	const struct cu_column_spec *columns;
	size_t ncolumns;
	const char *app; /* case.db app of the rows */
	enum cu_spec_sink sink;
	cu_spec_row_fn row;   /* may be NULL */
	cu_spec_sunk_fn sunk; /* may be NULL */
	/* cu_spec_parse: what follows "table '<table>' missing" in the
	 * error for a file without the table (NULL: nothing) */
	const char *missing;
};

/* Index of column `name` in spec, -1 when the spec has none. */
int cu_spec_column(const struct cu_table_spec *spec, const char *name);
/* Binds v as found to parameter i of st (a lookup keyed by a row value;
 * the parameter takes the column affinity it is compared with, as the
 * value did in a join). Text and blobs are bound SQLITE_STATIC. */
void cu_spec_bind(sqlite3_stmt *st, int i, const struct cu_spec_value *v);
/* Decodes v->type/i/d/p/n into v->text/value by the column's decoder. */
void cu_spec_decode(const struct cu_column_spec *col, struct cu_spec_value *v);
/*
 * One row through the spec: decodes every value, maps the fields into the
 * sink's record, runs the row code and sinks the record (id, may be NULL,
 * receives its id). The values come from a live row or a carved record.
 */
enum cu_status cu_spec_emit(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    const struct cu_table_spec *spec, struct cu_spec_value *v,
			    const struct cu_prov *prov, void *arg, int64_t *id,
			    struct cu_error *err) CU_WARN_UNUSED;
/*
 * The row loop over a live table: SELECT key, columns (a column the file
 * lacks reads as NULL) ORDER BY key, guarded by cu_rows_step, every row
 * through cu_spec_emit. The table must exist (the caller decides what its
 * absence means). Stops at the first failure.
 */
enum cu_status cu_spec_run(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			   const struct cu_table_spec *spec, void *arg,
			   struct cu_error *err) CU_WARN_UNUSED;
/* A parser's whole parse() for a file holding one spec'd table: opens the
 * staged copy, fails with CU_E_FORMAT naming the file when the table is
 * missing, else cu_spec_run. */
enum cu_status cu_spec_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			     const struct cu_table_spec *spec, void *arg,
			     struct cu_error *err) CU_WARN_UNUSED;

/* ------------------------------------------------------------------ */
/* Recovery inside parse (parsers/recovery/recover.h is the engine).   */
/* ------------------------------------------------------------------ */

/*
 * The first call for a staged artifact runs the engine (cu_recover_file)
 * over its staged copy, with the -wal / -journal the evidence has beside
 * it staged next to it, and keeps the records for the file's parse.
 * cu_parse_recovered then calls fn for every record of `table` (names
 * compared without case) not yet taken, with its provenance: recovered
 * (false for a "live" record), page, offset, rowid, the table, source_id
 * the sources row of the file the offset is in (the database, its -wal or
 * its -journal), rec the source kind and status. A record given to fn is
 * taken: stored once however many loops ask. Records nobody takes (a
 * table no parser reads, or ambiguous) are counted and listed when the
 * file is done (parse_warnings, the PARSE custody entry). cu_spec_run
 * calls it after its live loop, so every spec'd table gets its recovered
 * rows through the same row code with the same arg. Nothing to do (CU_OK)
 * for a file that is not SQLite, or outside a staging area.
 */
typedef enum cu_status (*cu_parse_rec_fn)(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					  const struct cu_rec_record *r, const struct cu_prov *prov,
					  void *arg, struct cu_error *err);
enum cu_status cu_parse_recovered(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const char *table, cu_parse_rec_fn fn, void *arg,
				  struct cu_error *err) CU_WARN_UNUSED;
/*
 * A file SQLite refuses or stops in (reason: what SQLite said): warns once
 * naming the file and the reason, marks every row of a's source as read
 * from a damaged file (case.db column damaged = 1), and reads the live
 * rows of `table` with the page reader (cu_recover_live_table on the
 * staged copy), calling fn for those whose rowid is above after (the rows
 * SQLite already gave; CU_UNKNOWN: all). CU_E_FORMAT (err naming the file,
 * the reason and the rows read) when the page reader finds the table
 * damaged too - rows are lost, the section fails, the rows read stay - or
 * when the file is not SQLite at all.
 */
enum cu_status cu_parse_damaged_rows(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     const char *table, const char *reason, int64_t after,
				     cu_parse_rec_fn fn, void *arg,
				     struct cu_error *err) CU_WARN_UNUSED;
/* The warning and mark of cu_parse_damaged_rows alone (once per file). */
void cu_parse_mark_damaged(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			   const char *reason);
/* True when an SQLite result (or cu_rows_step's CU_ROWS_DAMAGED) means
 * the file is damaged rather than, say, out of memory. */
bool cu_parse_sqlite_damage(int rc);
/*
 * A recovered record through a spec: its values mapped by column name
 * (a spec column the record lacks is absent and NULL; the key column
 * left NULL in the record takes the rowid) and cu_spec_emit with prov.
 */
enum cu_status cu_spec_emit_record(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   const struct cu_table_spec *spec, const struct cu_rec_record *r,
				   const struct cu_prov *prov, void *arg, int64_t *id,
				   struct cu_error *err) CU_WARN_UNUSED;

/* The libraries parsers/ wraps (SQLite), for --version and tool.libraries
 * (struct cu_library in core.h). */
size_t cu_parsers_libraries(struct cu_library *out, size_t max);

#endif
