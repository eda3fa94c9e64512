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

#include "casedb/casedb.h"
#include "core/core.h"

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
extern const struct cu_parser *const cu_parsers_system[]; /* parsers/system/ */
extern const struct cu_parser *const cu_parsers_wechat[]; /* parsers/wechat/ */
extern const struct cu_parser *const cu_parsers_chat[];   /* parsers/chat/ */
/* The i-th registered parser, NULL past the end. */
const struct cu_parser *cu_parser_at(size_t i);

/* Provenance of one row (CASEDB.md). */
struct cu_prov {
	int64_t source_id;
	const char *table; /* source_table, NULL for recovered-by-page */
	int64_t rowid;     /* CU_UNKNOWN when none */
	int64_t page;      /* CU_UNKNOWN for live rows */
	int64_t offset;    /* CU_UNKNOWN for live rows */
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
	int64_t message_id; /* messages.message_id or CU_UNKNOWN */
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
enum cu_status cu_parse_open_db(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 **db,
				struct cu_error *err);
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

/* ------------------------------------------------------------------ */
/* WeChat (parsers/wechat/, owner: wechat helper)                      */
/* ------------------------------------------------------------------ */

/*
 * SQLCipher 1.x as used by WeChat Android EnMicroMsg.db (APPS.md 1.2):
 * 1024-byte pages, salt = file bytes 0..15, key = PBKDF2-HMAC-SHA1(pass,
 * salt, 4000, 32), AES-256-CBC without padding, IV = last 16 bytes of each
 * page, no HMAC.
 */
#define CU_SQLCIPHER1_PAGE     1024
#define CU_SQLCIPHER1_SALT     16
#define CU_SQLCIPHER1_KDF_ITER 4000

/* Derives the 32-byte page key from a passphrase and the file's salt. */
enum cu_status cu_sqlcipher1_kdf(const char *passphrase, const unsigned char salt[16],
				 unsigned char key[32], struct cu_error *err);
/*
 * Decrypts one page (page_no counts from 1) into out (1024 bytes). Page 1's
 * output starts with "SQLite format 3\0"; the reserve (IV) bytes are kept.
 */
enum cu_status cu_sqlcipher1_page_decrypt(const unsigned char key[32], uint32_t page_no,
					  const unsigned char in[1024], unsigned char out[1024],
					  struct cu_error *err);
/* True when decrypted page 1 has the expected header (page size 1024,
 * reserve 16, payload fractions 64/32/32). */
bool cu_sqlcipher1_page1_plausible(const unsigned char page1[1024]);
/*
 * Tries each passphrase on page 1 of the file at in_path; on a match writes
 * the whole decrypted database to out_path (created O_EXCL) and sets
 * *which to the index of the passphrase that worked. CU_E_KEY when none
 * works, CU_E_FORMAT for a truncated file or one that is not a multiple of
 * 1024 bytes.
 */
enum cu_status cu_sqlcipher1_decrypt_file(const char *in_path, const char *const *passphrases,
					  size_t n, const char *out_path, size_t *which,
					  struct cu_error *err);

/* What cu_sqlcipher1_wal_apply() did. */
struct cu_sqlcipher1_wal {
	uint64_t frames_total;   /* whole frames in the file */
	uint64_t frames_applied; /* valid frames up to the last commit */
	uint64_t commits;
	uint64_t db_pages; /* database size after the last commit */
};
/*
 * Applies the committed frames of the SQLCipher-1 encrypted WAL wal_path
 * (belonging to the encrypted database db_path, which gives the salt) to
 * the decrypted database out_path, as a checkpoint would: pages decrypted
 * and written in frame order, file sized to the last commit. Frames after
 * a bad checksum or salt are ignored (as SQLite does). A WAL without valid
 * commits changes nothing (CU_OK, frames_applied 0).
 */
enum cu_status cu_sqlcipher1_wal_apply(const char *db_path, const char *wal_path,
				       const char *passphrase, const char *out_path,
				       struct cu_sqlcipher1_wal *info, struct cu_error *err);

/* WeChat Android key = md5_hex(IMEI + uin)[:7] (APPS.md 1.2). */
void cu_wechat_key_derive(const char *imei, const char *uin, char out[8]);
/* <userdir> = md5_hex("mm" + uin) (APPS.md 1.1). */
void cu_wechat_userdir(const char *uin, char out[33]);

/*
 * A Java-serialized java.util.HashMap as WeChat writes CompatibleInfo.cfg
 * and systemInfo.cfg: Integer keys, values Strings or boxed numbers
 * (numbers become decimal text, other objects NULL).
 */
struct cu_javamap_entry {
	int64_t key;
	char *value; /* NULL when null or not a string/number */
};
struct cu_javamap {
	struct cu_javamap_entry *v;
	size_t n;
};
enum cu_status cu_javaser_int_map_parse(const unsigned char *p, size_t n, struct cu_javamap *out,
					struct cu_error *err);
void cu_javamap_release(struct cu_javamap *m);
/* Borrowed value for key, NULL if absent. */
const char *cu_javamap_get(const struct cu_javamap *m, int64_t key);

/*
 * Android shared_prefs XML (<map><int name= value=/><string name=>..</string>):
 * the value of the entry `name` as text, any of int/long/string. No entity
 * expansion, no network. CU_E_NOTFOUND when absent. *out is malloc'ed.
 */
enum cu_status cu_android_prefs_get(const char *xml, size_t n, const char *name, char **out,
				    struct cu_error *err);

/* WeChat Pay / app-message XML (APPS.md 1.5, 8.1). */
struct cu_wcpay {
	int appmsg_type; /* inner <appmsg><type>, -1 if absent */
	char *title, *des, *url;
	int paysubtype;       /* -1 if absent */
	int64_t amount_minor; /* from feedesc, CU_UNKNOWN if absent/unparsable */
	char *feedesc, *transcationid, *transferid, *pay_memo;
	char *payer_username, *receiver_username;
	char *sendertitle, *receivertitle, *sendid; /* red packets */
	char *display_name;                         /* receipts: merchant */
	char *fromusername;
	/* sysmsg (type 10002): type attribute, revoke fields */
	char *sysmsg_type, *replacemsg, *newmsgid, *revokecontent, *sysmsg_text;
};
/*
 * Parses one message payload (the group "wxid:\n" prefix must be stripped
 * first). Tolerant: unknown elements are ignored, a payload that is not XML
 * gives CU_E_FORMAT. Entities are never expanded and nothing is fetched.
 */
enum cu_status cu_wcpay_parse(const char *xml, size_t n, struct cu_wcpay *out,
			      struct cu_error *err);
void cu_wcpay_release(struct cu_wcpay *w);
/*
 * Received group messages start with "<sender>:\n" (legacy "<sender>*#*\n")
 * (APPS.md 1.4). True when content[0..n) has such a prefix: the sender is
 * content[0..*payload_off - 2 (or - 4)), the payload starts at *payload_off.
 */
bool cu_wechat_split_sender(const char *content, size_t n, size_t *payload_off);
/* "￥1,234.50" / "¥0.01" / "0.01元" -> fen with integer arithmetic; false if
 * no amount is found. Takes the first amount in the text. */
bool cu_wcpay_amount_parse(const char *s, int64_t *fen);

/* Minimal protobuf reader (WeChat iOS Friend.dbContactRemark etc.):
 * the first length-delimited field `field` of msg, borrowed. */
bool cu_protobuf_find_bytes(const unsigned char *msg, size_t n, uint32_t field,
			    const unsigned char **val, size_t *val_len);
/* Checks the whole message is well-formed (varint, 64-bit, bytes, 32-bit). */
bool cu_protobuf_valid(const unsigned char *msg, size_t n);

/* ------------------------------------------------------------------ */
/* chat (parsers/chat/, owner: chat helper): decoders exposed for the  */
/* unit tests and fuzz targets. Nothing here allocates except where an */
/* out cu_buf is given.                                                */
/* ------------------------------------------------------------------ */

/* A bounds-checked reader over a Telegram TL-serialised blob (little
 * endian, 4-byte aligned). Every read fails with CU_E_FORMAT instead of
 * running past n; the reader never owns the bytes. */
struct cu_tl_reader {
	const unsigned char *p;
	size_t n;
	size_t off;
};

void cu_tl_reader_init(struct cu_tl_reader *r, const void *p, size_t n);
enum cu_status cu_tl_read_u32(struct cu_tl_reader *r, uint32_t *out, struct cu_error *err);
enum cu_status cu_tl_read_i64(struct cu_tl_reader *r, int64_t *out, struct cu_error *err);
/* TL string/bytes: 1 length byte (< 254) or 0xFE + 3-byte LE length, the
 * bytes, then zero padding to a multiple of 4. *s points into the blob.
 * Non-zero padding or a length past the end is CU_E_FORMAT. */
enum cu_status cu_tl_read_string(struct cu_tl_reader *r, const unsigned char **s, size_t *len,
				 struct cu_error *err);

enum cu_tl_peer_kind {
	CU_TL_PEER_NONE = 0,
	CU_TL_PEER_USER = 1,
	CU_TL_PEER_CHAT = 2,
	CU_TL_PEER_CHANNEL = 3,
};

/* What the header walk of a TL Message recovered (APPS.md 5.1). */
struct cu_tl_message {
	uint32_t constructor;
	uint32_t flags, flags2;
	int32_t id;
	enum cu_tl_peer_kind from_kind, peer_kind;
	int64_t from_id, peer_id;
	int64_t date;              /* Unix s, CU_UNKNOWN if not reached */
	const unsigned char *text; /* into the blob; NULL if not reached */
	size_t text_len;
	uint32_t media;       /* MessageMedia constructor, 0 if none */
	uint32_t media_flags; /* its flags word when it has one */
	bool has_geo;         /* messageMediaGeo/Venue/GeoLive point */
	double lat, lon;
	const unsigned char *local_path; /* media: the client's trailing local path */
	size_t local_path_len;
	uint32_t action;     /* MessageAction constructor (service) */
	bool known;          /* constructor is in our tables */
	bool service;        /* messageService */
	bool out;            /* flags bit 1 */
	bool by_date_search; /* text found by the row-date fallback */
};

/* Walks a TL Message/MessageService blob. row_date (the row's `date`, or
 * CU_UNKNOWN) drives the fallback for headers we do not decode (forward
 * and reply headers): the text is the TL string after the first aligned
 * int32 equal to row_date. CU_E_UNSUPPORTED for an unknown constructor
 * (out->constructor still set), CU_E_FORMAT for a truncated/bad blob. */
enum cu_status cu_tl_message_decode(const void *p, size_t n, int64_t row_date,
				    struct cu_tl_message *out, struct cu_error *err);

/* What a TL User blob gives (users.data). Strings point into the blob. */
struct cu_tl_user {
	uint32_t constructor;
	int64_t id;
	bool self;
	const unsigned char *first_name, *last_name, *username, *phone;
	size_t first_name_len, last_name_len, username_len, phone_len;
};
enum cu_status cu_tl_user_decode(const void *p, size_t n, struct cu_tl_user *out,
				 struct cu_error *err);

/* QQ Android legacy field XOR (APPS.md 3.1). Blob: byte-wise with the key
 * bytes. Text: each UTF-16 code unit of the UTF-8 input XORed with the key
 * character at the same index, result encoded as UTF-8 (a lone surrogate
 * becomes U+FFFD). Input that is not valid UTF-8 is CU_E_FORMAT. The key
 * must not be empty (CU_E_KEY). */
enum cu_status cu_qq_xor_blob(const void *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err);
enum cu_status cu_qq_xor_text(const char *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err);
/* The XOR key from the content of files/kc (the key itself) or files/imei
 * ("imei=<value>"), surrounding whitespace removed. CU_E_KEY when empty. */
enum cu_status cu_qq_key_parse(const char *content, size_t n, struct cu_buf *key,
			       struct cu_error *err);

/* ------------------------------------------------------------------ */
/* Additions (issue 5, framework + system parsers). Appended only;     */
/* the declarations above are unchanged.                               */
/* ------------------------------------------------------------------ */

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
};
#define CU_ROW_EXTRA_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, NULL, CU_UNKNOWN, NULL, NULL                                           \
	}

/* As cu_sink_contact/call/payment, with the extra columns; id may be NULL. */
enum cu_status cu_sink_contact_x(struct cu_parse_ctx *ctx, const struct cu_contact *c,
				 const struct cu_row_extra *x, int64_t *id, struct cu_error *err);
enum cu_status cu_sink_call_x(struct cu_parse_ctx *ctx, const struct cu_call *c,
			      const struct cu_row_extra *x, int64_t *id, struct cu_error *err);
/* On a deduplicated update, *id is the existing payment's id. */
enum cu_status cu_sink_payment_x(struct cu_parse_ctx *ctx, const struct cu_payment *p,
				 const struct cu_row_extra *x, int64_t *id, struct cu_error *err);

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
			     struct cu_error *err);

/* SQLite helpers for parsers. cu_sqlite_prepare names db_what (a file) and
 * the SQLite message in err. cu_sqlite_text gives NULL for SQL NULL and the
 * UTF-8 text (valid until the next step) otherwise; cu_sqlite_i64 gives
 * CU_UNKNOWN for NULL or non-numeric text. */
enum cu_status cu_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
				 const char *db_what, struct cu_error *err);
const char *cu_sqlite_text(sqlite3_stmt *st, int col);
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
enum cu_status cu_rows_damaged(const struct cu_artifact *a, struct cu_error *err);

/* Provenance of a live (not recovered) row: a's source, table, rowid. */
struct cu_prov cu_prov_row(const struct cu_artifact *a, const char *table, int64_t rowid);

/* column itself when table has it, else "NULL": for SELECTs that must
 * survive app-version schema differences. Returns column or a literal. */
const char *cu_sqlite_col_or_null(sqlite3 *db, const char *table, const char *column);

/*
 * Money: parses a decimal amount at s[0..n) - "2,309.95", "128.00", "100",
 * ".5" is refused - with integer arithmetic only: digits with optional
 * thousands commas in groups of three, then optionally '.' and 1-2 digits.
 * Writes minor units (fen) and the bytes used; false when no amount
 * starts at s or it overflows.
 */
bool cu_money_parse_minor(const char *s, size_t n, int64_t *minor, size_t *used);

/*
 * iOS sms.db attributedBody: an NSArchiver "typedstream" holding an
 * NSAttributedString; the message text is the first NSString payload.
 * Returns a pointer into p and its length, or false when none is found.
 * Bounds-checked for hostile input.
 */
bool cu_typedstream_text(const unsigned char *p, size_t n, const unsigned char **text, size_t *len);

/*
 * Chinese bank notification SMS (APPS.md 8.3). Templates vary by bank and
 * year, so this is a keyword + pattern extractor, not a per-bank table.
 * A message counts as a bank SMS when the sender is a 955xx short code or
 * the body carries a 【...银行...】 / [...银行] / 【...农信...】 style tag, and
 * a direction keyword and an amount are found.
 */
struct cu_banksms {
	char bank[96];          /* tag text ("工商银行") or short code, "" unknown */
	char card_tail[8];      /* "0579", "" unknown */
	const char *direction;  /* "incoming" | "outgoing" (static) */
	const char *kind;       /* "debit" | "credit" | "refund" (static) */
	char keyword[16];       /* the direction keyword matched ("代付") */
	int64_t amount_minor;   /* fen */
	int64_t balance_minor;  /* fen, CU_UNKNOWN */
	char counterparty[192]; /* "" unknown */
	int month, day, hour, minute, second; /* from the body, -1 when absent */
};
/* CU_OK and *out filled; CU_E_NOTFOUND when body is not a bank SMS (err set). */
enum cu_status cu_banksms_parse(const char *sender, const char *body, struct cu_banksms *out,
				struct cu_error *err);
/* The transaction time: the body's month/day/time read as Beijing time
 * (UTC+8) in the year of sms_ms (the year before when that would be after
 * the SMS), else sms_ms. */
int64_t cu_banksms_time(const struct cu_banksms *b, int64_t sms_ms);
/* For SMS parsers: when (sender, body) is a bank SMS, sinks a bank-sms
 * payment linked to message_id with prov. Returns CU_OK either way. */
enum cu_status cu_banksms_sink(struct cu_parse_ctx *ctx, const char *sender, const char *body,
			       int64_t sms_ms, int64_t message_id, const struct cu_prov *prov,
			       struct cu_error *err);

/* The libraries parsers/ wraps (SQLite), for --version and tool.libraries
 * (struct cu_library in core.h). */
size_t cu_parsers_libraries(struct cu_library *out, size_t max);

#endif
