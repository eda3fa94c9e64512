/*
 * chat.h - helpers shared by the WhatsApp, QQ and Telegram parsers
 * (parsers/chat/ only; not a public header).
 */
#ifndef CUSTOS_PARSERS_CHAT_H
#define CUSTOS_PARSERS_CHAT_H

#include "parsers/parsers.h"

extern const struct cu_parser cu_parser_whatsapp_ios;
extern const struct cu_parser cu_parser_whatsapp_ios_contacts;
extern const struct cu_parser cu_parser_whatsapp_ios_calls;
extern const struct cu_parser cu_parser_whatsapp_android;
extern const struct cu_parser cu_parser_whatsapp_android_contacts;
extern const struct cu_parser cu_parser_qq_android;
extern const struct cu_parser cu_parser_qq_android_nt;
extern const struct cu_parser cu_parser_qq_ios;
extern const struct cu_parser cu_parser_telegram_android;
extern const struct cu_parser cu_parser_telegram_ios;

/* Column value as text (borrowed until the next step) or NULL. */
const char *cu_chat_text(sqlite3_stmt *st, int col);
/* s, or NULL when s is "" (names and titles: an empty name is no name). */
const char *cu_chat_nz(const char *s);
/* Column as integer, CU_UNKNOWN when NULL. */
int64_t cu_chat_int(sqlite3_stmt *st, int col);

/*
 * The expression to select `col` of `table`: the column name when it
 * exists, else "NULL" (and, with warn, a warning naming the file, table
 * and column) so one missing column never costs the whole table.
 */
const char *cu_chat_col(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			const char *table, const char *col, bool warn);

/* True when `table` exists; otherwise warns (naming the file) if warn. */
bool cu_chat_need_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			const char *table, bool warn);

/*
 * Probe helper: 90 when one of the NULL-terminated `tables` exists (a name
 * ending in '%' is a LIKE prefix); otherwise 10 when the device path
 * matches the fnmatch pattern `own_path` - the app's own location - so a
 * damaged or foreign file there still reaches parse(), which reports why
 * it cannot be read (nothing at the app's path is skipped silently); else 0.
 */
int cu_chat_probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a, const char *const *tables,
		  const char *own_path);

/*
 * Sections of one file (a table, the contacts, the calls) fail alone: a
 * damaged source (CU_E_FORMAT) in one section is kept in *first (the
 * first one wins), err is cleared and the next section still runs; the
 * file's parse() returns the kept failure at the end so it is recorded
 * while every row that could be read stays. Any other failure (case.db,
 * memory) is returned as is. Returns the status the caller should act on.
 */
enum cu_status cu_chat_section(enum cu_status rc, const char *what, struct cu_error *err,
			       struct cu_error *first);
/* At the end of parse(): the kept failure into err (or CU_OK). */
enum cu_status cu_chat_finish(const struct cu_error *first, struct cu_error *err);

/*
 * fnmatch pattern for a file of the same app as `a`: the device path up to
 * and including the "/databases/" component's parent (escaped), then rel
 * ("files/kc", "databases/wa.db"). false when a is not under databases/.
 */
bool cu_chat_sibling_glob(const struct cu_artifact *a, const char *rel, struct cu_buf *out);

/* sqlite3_prepare_v2 with an error naming the file. */
enum cu_status cu_chat_prepare(const struct cu_artifact *a, sqlite3 *db, const char *sql,
			       sqlite3_stmt **st, struct cu_error *err);
/* Maps a failed sqlite3_step() result to an error naming the file. */
enum cu_status cu_chat_step_error(const struct cu_artifact *a, sqlite3 *db, int rc,
				  struct cu_error *err);

/* Time conversions (APPS.md 0). Unknown/zero/out-of-range -> CU_UNKNOWN.
 * Cocoa seconds are rounded to the nearest millisecond. */
int64_t cu_chat_ms_from_unix_s(int64_t s);
int64_t cu_chat_ms_from_unix_ms(int64_t ms);
int64_t cu_chat_ms_from_cocoa_s(double s);

/* Conversation id for (app, identifier), creating it with title/is_group. */
enum cu_status cu_chat_conversation(struct cu_parse_ctx *ctx, const char *app,
				    const char *identifier, const char *title, int is_group,
				    int64_t source_id, int64_t *id, struct cu_error *err);

/* Lower-case hex of up to max bytes of p into out ("..." marks a cut). */
enum cu_status cu_chat_hex(const void *p, size_t n, size_t max, struct cu_buf *out,
			   struct cu_error *err);

#endif
