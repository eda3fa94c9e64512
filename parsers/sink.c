/*
 * sink.c - the only way parsers write to case.db (CASEDB.md). Statements
 * are prepared once per context and reused: the parse of a million-message
 * database is dominated by these inserts. Every row gets the current item
 * and its provenance; times are stored as *_ms and *_utc (RFC 3339).
 */
#include "parsers/parse_int.h"

#include <limits.h>
#include <string.h>

static const char *const stmt_sql[ST_COUNT] = {
    [ST_ACCOUNT] = "INSERT INTO accounts(item_id, app, identifier, display_name, source_id)"
		   " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_CONTACT] = "INSERT INTO contacts(item_id, app, identifier, display_name, alias, remark,"
		   " phone, source_id, source_table, source_rowid, recovered, source_page,"
		   " source_offset, email, status, recovered_from, recovered_status, wal_frame,"
		   " partial) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		   " ?15, ?16, ?17, ?18, ?19)",
    [ST_CONV_FIND] = "SELECT conversation_id FROM conversations"
		     " WHERE item_id = ?1 AND app = ?2 AND identifier = ?3"
		     " ORDER BY conversation_id LIMIT 1",
    [ST_CONV_INSERT] = "INSERT INTO conversations(item_id, app, identifier, title, is_group,"
		       " source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_MESSAGE] = "INSERT INTO messages(item_id, app, conversation_id, sender, sender_name,"
		   " direction, sent_utc, sent_ms, kind, body, raw_type, attachment, status,"
		   " source_id, source_table, source_rowid, source_page, source_offset,"
		   " recovered, recovered_from, recovered_status, wal_frame, partial,"
		   " sent_device_utc, sent_device_ms, sim_slot, service_center)"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		   " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    [ST_CALL] = "INSERT INTO calls(item_id, app, counterpart, direction, started_utc,"
		" started_ms, duration_s, answered, source_id, source_table, source_rowid,"
		" recovered, source_page, source_offset, raw_type, recovered_from,"
		" recovered_status, wal_frame, partial, cached_name, country, geocoded_location)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21, ?22)",
    [ST_PAY_FIND] = "SELECT payment_id FROM payments"
		    " WHERE item_id = ?1 AND app = ?2 AND transaction_id = ?3 AND recovered = 0"
		    " ORDER BY payment_id LIMIT 1",
    /* A later record of the same transaction: its status wins, and it
	 * fills what the earlier one did not state. */
    [ST_PAY_UPDATE] =
	"UPDATE payments SET status = COALESCE(?2, status), kind = COALESCE(kind, ?3),"
	" direction = CASE WHEN direction IS NULL OR direction = 'unknown'"
	"  THEN COALESCE(?4, direction) ELSE direction END,"
	" amount_minor = COALESCE(amount_minor, ?5), currency = COALESCE(currency, ?6),"
	" counterparty = COALESCE(counterparty, ?7),"
	" counterparty_name = COALESCE(counterparty_name, ?8), memo = COALESCE(memo, ?9),"
	" occurred_ms = COALESCE(occurred_ms, ?10), occurred_utc = COALESCE(occurred_utc, ?11),"
	" message_id = COALESCE(message_id, ?12), balance_minor = COALESCE(balance_minor, ?13),"
	" account = COALESCE(account, ?14), bank = COALESCE(bank, ?15)"
	" WHERE payment_id = ?1",
    [ST_PAY_INSERT] =
	"INSERT INTO payments(item_id, app, kind, direction, amount_minor, currency,"
	" counterparty, counterparty_name, status, memo, transaction_id, occurred_utc,"
	" occurred_ms, message_id, source_id, source_table, source_rowid, recovered,"
	" source_page, source_offset, balance_minor, account, bank, recovered_from,"
	" recovered_status, wal_frame, partial)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    [ST_SOURCE] = "INSERT INTO sources(item_id, device_path, evidence_path, size, sha256, md5,"
		  " derived_from, derivation, parser) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_WARN] = "INSERT INTO parse_warnings(source_id, device_path, message, item_id, parser,"
		" severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

void sink_release(struct cu_parse_ctx *ctx)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(ctx->st[i]);
		ctx->st[i] = NULL;
	}
}

static enum cu_status stmt_get(struct cu_parse_ctx *ctx, enum sink_stmt which, sqlite3_stmt **out,
			       struct cu_error *err)
{
	if (!ctx || !ctx->db)
		return cu_error_set(err, CU_E_INTERNAL, "sink used without a case.db");
	if (!ctx->st[which]) {
		if (sqlite3_prepare_v3(ctx->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
				       &ctx->st[which], NULL) != SQLITE_OK)
			return cu_error_set(err, CU_E_INTERNAL, "case.db: preparing insert: %s",
					    sqlite3_errmsg(ctx->db));
	}
	*out = ctx->st[which];
	return CU_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Text of n bytes (it may hold NUL bytes), 0 = up to its NUL; the
 * statement only needs it until the step that follows. */
static void bind_textn_static(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	if (s && n > 0 && n <= INT_MAX)
		sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
	else if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Text the statement only needs until the step that follows. */
static void bind_text_static(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == CU_UNKNOWN)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* An id column: ids are > 0, anything else is unknown (NULL). */
static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	bind_i64(st, i, id > 0 ? id : CU_UNKNOWN);
}

static void bind_tristate(sqlite3_stmt *st, int i, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, v ? 1 : 0);
}

static void bind_time(sqlite3_stmt *st, int i_utc, int i_ms, int64_t ms, char buf[CU_TIME_STR])
{
	if (ms != CU_UNKNOWN && cu_time_format_ms(ms, buf)) {
		sqlite3_bind_text(st, i_utc, buf, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, i_ms, ms);
	} else {
		sqlite3_bind_null(st, i_utc);
		bind_i64(st, i_ms, ms);
	}
}

/* source_table, source_rowid, source_page, source_offset, recovered */
static void bind_prov(sqlite3_stmt *st, int i_id, int i_table, int i_rowid, int i_page,
		      int i_offset, int i_recovered, const struct cu_prov *p)
{
	bind_id(st, i_id, p->source_id);
	bind_text_static(st, i_table, p->table);
	bind_i64(st, i_rowid, p->rowid);
	bind_i64(st, i_page, p->page);
	bind_i64(st, i_offset, p->offset);
	sqlite3_bind_int(st, i_recovered, p->recovered ? 1 : 0);
}

/* recovered_from, recovered_status, wal_frame, partial (from i): NULL for
 * a row SQLite read */
static void bind_prov_rec(sqlite3_stmt *st, int i, const struct cu_prov *p)
{
	const struct cu_prov_rec *r = p->rec;

	bind_text_static(st, i, r ? r->from : NULL);
	bind_text_static(st, i + 1, r ? r->status : NULL);
	bind_i64(st, i + 2, r ? r->wal_frame : CU_UNKNOWN);
	if (r && r->partial)
		sqlite3_bind_int(st, i + 3, 1);
	else
		sqlite3_bind_null(st, i + 3);
}

/* A stored recovered row counts in the parse's figures. */
static enum cu_status count_recovered(struct cu_parse_ctx *ctx, enum cu_status rc,
				      const struct cu_prov *p)
{
	if (rc == CU_OK && p->recovered)
		ctx->stats.recovered++;
	return rc;
}

static enum cu_status step_done(struct cu_parse_ctx *ctx, sqlite3_stmt *st, const char *what,
				struct cu_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return cu_error_set(err, CU_E_IO, "case.db: inserting %s: %s", what,
				    sqlite3_errmsg(ctx->db));
	return CU_OK;
}

/* The statement `which` with ?1 = the current item and ?2 = app bound:
 * every row of case.db starts with these two columns. */
static enum cu_status row_start(struct cu_parse_ctx *ctx, enum sink_stmt which, const char *app,
				sqlite3_stmt **st, struct cu_error *err)
{
	enum cu_status rc = stmt_get(ctx, which, st, err);

	if (rc)
		return rc;
	bind_text_static(*st, 1, ctx->item);
	bind_text_static(*st, 2, app);
	return CU_OK;
}

/* Runs a bound INSERT; on success counts the row (count may be NULL) and
 * gives its id (id may be NULL). */
static enum cu_status step_insert(struct cu_parse_ctx *ctx, sqlite3_stmt *st, const char *what,
				  uint64_t *count, int64_t *id, struct cu_error *err)
{
	enum cu_status rc = step_done(ctx, st, what, err);

	if (rc)
		return rc;
	if (count)
		(*count)++;
	if (id)
		*id = sqlite3_last_insert_rowid(ctx->db);
	return CU_OK;
}

/* The id of the first row of `which` (ST_CONV_FIND, ST_PAY_FIND) with this
 * item, app and key; CU_UNKNOWN in *found when there is none. */
static enum cu_status find_id(struct cu_parse_ctx *ctx, enum sink_stmt which, const char *app,
			      const char *key, const char *what, int64_t *found,
			      struct cu_error *err)
{
	sqlite3_stmt *st;
	enum cu_status rc = row_start(ctx, which, app, &st, err);
	int s;

	if (rc)
		return rc;
	bind_text_static(st, 3, key);
	s = sqlite3_step(st);
	*found = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : CU_UNKNOWN;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return cu_error_set(err, CU_E_IO, "case.db: finding %s: %s", what,
				    sqlite3_errmsg(ctx->db));
	return CU_OK;
}

enum cu_status cu_sink_account(struct cu_parse_ctx *ctx, const struct cu_account *a,
			       struct cu_error *err)
{
	sqlite3_stmt *st;
	enum cu_status rc = row_start(ctx, ST_ACCOUNT, a->app, &st, err);

	if (rc)
		return rc;
	bind_text_static(st, 3, a->identifier);
	bind_text_static(st, 4, a->display_name);
	bind_id(st, 5, a->source_id);
	return step_insert(ctx, st, "an account", &ctx->counts.accounts, NULL, err);
}

enum cu_status cu_sink_contact_x(struct cu_parse_ctx *ctx, const struct cu_contact *c,
				 const struct cu_row_extra *x, int64_t *id, struct cu_error *err)
{
	static const struct cu_row_extra none = CU_ROW_EXTRA_INIT;
	sqlite3_stmt *st;
	enum cu_status rc = row_start(ctx, ST_CONTACT, c->app, &st, err);

	if (rc)
		return rc;
	if (!x)
		x = &none;
	bind_text_static(st, 3, c->identifier);
	bind_text_static(st, 4, c->display_name);
	bind_text_static(st, 5, c->alias);
	bind_text_static(st, 6, c->remark);
	bind_text_static(st, 7, c->phone);
	bind_prov(st, 8, 9, 10, 12, 13, 11, &c->prov);
	bind_text_static(st, 14, x->email);
	bind_text_static(st, 15, x->status);
	bind_prov_rec(st, 16, &c->prov);
	return count_recovered(
	    ctx, step_insert(ctx, st, "a contact", &ctx->counts.contacts, id, err), &c->prov);
}

enum cu_status cu_sink_contact(struct cu_parse_ctx *ctx, const struct cu_contact *c,
			       struct cu_error *err)
{
	return cu_sink_contact_x(ctx, c, NULL, NULL, err);
}

enum cu_status cu_sink_conversation(struct cu_parse_ctx *ctx, const struct cu_conversation *c,
				    int64_t *id, struct cu_error *err)
{
	sqlite3_stmt *st;
	enum cu_status rc;
	int64_t found = CU_UNKNOWN;

	if (c->identifier) {
		rc = find_id(ctx, ST_CONV_FIND, c->app, c->identifier, "a conversation", &found,
			     err);
		if (rc)
			return rc;
		if (found != CU_UNKNOWN) {
			*id = found;
			return CU_OK;
		}
	}
	rc = row_start(ctx, ST_CONV_INSERT, c->app, &st, err);
	if (rc)
		return rc;
	bind_text_static(st, 3, c->identifier);
	bind_text_static(st, 4, c->title);
	bind_tristate(st, 5, c->is_group);
	bind_id(st, 6, c->source_id);
	return step_insert(ctx, st, "a conversation", &ctx->counts.conversations, id, err);
}

enum cu_status cu_sink_message(struct cu_parse_ctx *ctx, const struct cu_message *m, int64_t *id,
			       struct cu_error *err)
{
	sqlite3_stmt *st;
	char utc[CU_TIME_STR], dev_utc[CU_TIME_STR];
	const char *status = m->status;
	enum cu_status rc = row_start(ctx, ST_MESSAGE, m->app, &st, err);

	if (rc)
		return rc;
	bind_id(st, 3, m->conversation_id);
	bind_text_static(st, 4, m->sender);
	bind_text_static(st, 5, m->sender_name);
	bind_text_static(st, 6, m->direction);
	bind_time(st, 7, 8, m->sent_ms, utc);
	bind_text_static(st, 9, m->kind);
	bind_textn_static(st, 10, m->body, m->body_len);
	bind_text_static(st, 11, m->raw_type);
	bind_text_static(st, 12, m->attachment);
	/* a text body that is one high-entropy base64/hex token looks
	 * app-encrypted (docs/casedb.md): flagged, the body kept as found */
	if (m->body && (!m->kind || strcmp(m->kind, "text") == 0) &&
	    cu_text_looks_ciphertext(m->body, m->body_len ? m->body_len : strlen(m->body)))
		status = "ciphertext";
	bind_text_static(st, 13, status);
	bind_prov(st, 14, 15, 16, 17, 18, 19, &m->prov);
	bind_prov_rec(st, 20, &m->prov);
	bind_time(st, 24, 25, m->sent_device_ms > 0 ? m->sent_device_ms : CU_UNKNOWN, dev_utc);
	bind_i64(st, 26, m->has_sim_slot ? m->sim_slot : CU_UNKNOWN);
	bind_text_static(st, 27, m->service_center);
	return count_recovered(
	    ctx, step_insert(ctx, st, "a message", &ctx->counts.messages, id, err), &m->prov);
}

enum cu_status cu_sink_call_x(struct cu_parse_ctx *ctx, const struct cu_call *c,
			      const struct cu_row_extra *x, int64_t *id, struct cu_error *err)
{
	static const struct cu_row_extra none = CU_ROW_EXTRA_INIT;
	sqlite3_stmt *st;
	char utc[CU_TIME_STR];
	enum cu_status rc = row_start(ctx, ST_CALL, c->app, &st, err);

	if (rc)
		return rc;
	if (!x)
		x = &none;
	bind_text_static(st, 3, c->counterpart);
	bind_text_static(st, 4, c->direction);
	bind_time(st, 5, 6, c->started_ms, utc);
	bind_i64(st, 7, c->duration_s);
	bind_tristate(st, 8, c->answered);
	bind_prov(st, 9, 10, 11, 13, 14, 12, &c->prov);
	bind_text_static(st, 15, x->raw_type);
	bind_prov_rec(st, 16, &c->prov);
	bind_text_static(st, 20, x->cached_name);
	bind_text_static(st, 21, x->country);
	bind_text_static(st, 22, x->geocoded_location);
	return count_recovered(ctx, step_insert(ctx, st, "a call", &ctx->counts.calls, id, err),
			       &c->prov);
}

enum cu_status cu_sink_call(struct cu_parse_ctx *ctx, const struct cu_call *c, struct cu_error *err)
{
	return cu_sink_call_x(ctx, c, NULL, NULL, err);
}

enum cu_status cu_sink_payment_x(struct cu_parse_ctx *ctx, const struct cu_payment *p,
				 const struct cu_row_extra *x, int64_t *id, struct cu_error *err)
{
	static const struct cu_row_extra none = CU_ROW_EXTRA_INIT;
	sqlite3_stmt *st;
	char utc[CU_TIME_STR];
	int64_t found = CU_UNKNOWN;
	enum cu_status rc;

	if (!x)
		x = &none;
	/* a recovered record is an older or deleted version: its own row,
	 * never merged into (or overwriting the status of) a live one */
	if (p->transaction_id && *p->transaction_id && !p->prov.recovered) {
		rc = find_id(ctx, ST_PAY_FIND, p->app, p->transaction_id, "a payment", &found, err);
		if (rc)
			return rc;
	}
	if (found != CU_UNKNOWN) {
		rc = stmt_get(ctx, ST_PAY_UPDATE, &st, err);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, found);
		bind_text_static(st, 2, p->status);
		bind_text_static(st, 3, p->kind);
		bind_text_static(
		    st, 4, p->direction && strcmp(p->direction, "unknown") ? p->direction : NULL);
		bind_i64(st, 5, p->amount_minor);
		bind_text_static(st, 6, p->currency);
		bind_text_static(st, 7, p->counterparty);
		bind_text_static(st, 8, p->counterparty_name);
		bind_text_static(st, 9, p->memo);
		bind_time(st, 11, 10, p->occurred_ms, utc);
		bind_id(st, 12, p->message_id);
		bind_i64(st, 13, x->balance_minor);
		bind_text_static(st, 14, x->account);
		bind_text_static(st, 15, x->bank);
		rc = step_done(ctx, st, "a payment update", err);
		if (rc)
			return rc;
		if (id)
			*id = found;
		return CU_OK;
	}
	rc = row_start(ctx, ST_PAY_INSERT, p->app, &st, err);
	if (rc)
		return rc;
	bind_text_static(st, 3, p->kind);
	bind_text_static(st, 4, p->direction);
	bind_i64(st, 5, p->amount_minor);
	bind_text_static(st, 6, p->currency);
	bind_text_static(st, 7, p->counterparty);
	bind_text_static(st, 8, p->counterparty_name);
	bind_text_static(st, 9, p->status);
	bind_text_static(st, 10, p->memo);
	bind_text_static(st, 11, p->transaction_id);
	bind_time(st, 12, 13, p->occurred_ms, utc);
	bind_id(st, 14, p->message_id);
	bind_prov(st, 15, 16, 17, 19, 20, 18, &p->prov);
	bind_i64(st, 21, x->balance_minor);
	bind_text_static(st, 22, x->account);
	bind_text_static(st, 23, x->bank);
	bind_prov_rec(st, 24, &p->prov);
	return count_recovered(
	    ctx, step_insert(ctx, st, "a payment", &ctx->counts.payments, id, err), &p->prov);
}

enum cu_status cu_sink_payment(struct cu_parse_ctx *ctx, const struct cu_payment *p,
			       struct cu_error *err)
{
	return cu_sink_payment_x(ctx, p, NULL, NULL, err);
}

enum cu_status sink_source(struct cu_parse_ctx *ctx, const char *item, const char *device_path,
			   const char *evidence_path, uint64_t size, const char *sha256,
			   const char *md5, int64_t derived_from, const char *derivation,
			   const char *parser, int64_t *id, struct cu_error *err)
{
	sqlite3_stmt *st;
	enum cu_status rc = stmt_get(ctx, ST_SOURCE, &st, err);

	if (rc)
		return rc;
	bind_text(st, 1, item);
	bind_text(st, 2, device_path);
	bind_text(st, 3, evidence_path);
	if (size > (uint64_t)INT64_MAX)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_int64(st, 4, (int64_t)size);
	bind_text(st, 5, sha256 && *sha256 ? sha256 : NULL);
	bind_text(st, 6, md5 && *md5 ? md5 : NULL);
	bind_id(st, 7, derived_from);
	bind_text(st, 8, derivation);
	bind_text(st, 9, parser);
	return step_insert(ctx, st, "a source", NULL, id, err);
}

enum cu_status sink_warning(struct cu_parse_ctx *ctx, int64_t source_id, const char *device_path,
			    const char *severity, const char *message, struct cu_error *err)
{
	sqlite3_stmt *st;
	enum cu_status rc = stmt_get(ctx, ST_WARN, &st, err);

	if (rc)
		return rc;
	bind_id(st, 1, source_id);
	bind_text(st, 2, device_path);
	bind_text(st, 3, message);
	bind_text(st, 4, ctx->item);
	bind_text(st, 5, ctx->parser ? ctx->parser->name : NULL);
	bind_text(st, 6, severity);
	return step_done(ctx, st, "a parse warning", err);
}
