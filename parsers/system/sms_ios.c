/*
 * sms_ios.c - iOS Messages sms.db (also macOS chat.db) -> messages (app
 * "sms" for SMS/RCS, "imessage" for iMessage), conversations per chat, and
 * bank SMS -> payments.
 *
 * Covers the schema of iOS 6-17 / macOS 10.8+ (APPS.md 6.2): message
 * (ROWID, text, attributedBody, handle_id, service, date - Cocoa seconds
 * before iOS 11, nanoseconds after (cu_parse_ms_from_cocoa_auto) -, is_from_me,
 * is_read, is_delivered, error, item_type, date_retracted), handle (id),
 * chat (chat_identifier, display_name, style: 43 group, 45 one-to-one
 * [unconfirmed: also guessed from the number of handles]), chat_message_join,
 * attachment + message_attachment_join (filename, mime_type -> kind). A NULL
 * text is read from attributedBody, an NSArchiver typedstream holding an
 * NSAttributedString whose first NSString is the text (iOS 16+).
 * Missing optional columns read as NULL (older versions lack them).
 * Fixtures: fixtures/apps/sms-ios (make-sql.py, sms.sql, expected.json),
 * shared/samples/apple-messages/plaso_macos/imessage_chat.db (10 messages).
 */
#include "parsers/system/system.h"

#include <string.h>
#include <strings.h>

bool cu_typedstream_text(const unsigned char *p, size_t n, const unsigned char **text, size_t *len)
{
	static const unsigned char marker[] = "NSString";
	const size_t ml = sizeof(marker) - 1;

	if (!p)
		return false;
	for (size_t i = 0; i + ml <= n; i++) {
		size_t j, l;

		if (memcmp(p + i, marker, ml) != 0)
			continue;
		/* After the class name: version and class-chain bytes
		 * (01 94 84 01 or 01 95 84 01...), then '+' (0x2B: "a C string
		 * follows") - look a few bytes ahead for it. */
		j = i + ml;
		while (j < n && j < i + ml + 8 && p[j] != 0x2B)
			j++;
		if (j >= n || p[j] != 0x2B)
			continue;
		j++;
		if (j >= n)
			return false;
		if (p[j] < 0x80) {
			l = p[j];
			j += 1;
		} else if (p[j] == 0x81) {
			if (j + 3 > n)
				return false;
			l = (size_t)p[j + 1] | (size_t)p[j + 2] << 8;
			j += 3;
		} else if (p[j] == 0x82) {
			if (j + 5 > n)
				return false;
			l = (size_t)p[j + 1] | (size_t)p[j + 2] << 8 | (size_t)p[j + 3] << 16 |
			    (size_t)p[j + 4] << 24;
			j += 5;
		} else {
			continue;
		}
		if (l > n - j)
			return false;
		*text = p + j;
		*len = l;
		return true;
	}
	return false;
}

/* chat ROWID -> conversation id, sorted by chat (chat is read in order) */
struct chatmap {
	int64_t *chat, *conv;
	size_t n, cap;
};

static enum cu_status chatmap_add(struct chatmap *m, int64_t chat, int64_t conv,
				  struct cu_error *err)
{
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		int64_t *a = cu_reallocarray(m->chat, ncap, sizeof(*a));

		if (!a)
			return cu_error_set(err, CU_E_NOMEM, "sms.db: out of memory");
		m->chat = a;
		a = cu_reallocarray(m->conv, ncap, sizeof(*a));
		if (!a)
			return cu_error_set(err, CU_E_NOMEM, "sms.db: out of memory");
		m->conv = a;
		m->cap = ncap;
	}
	m->chat[m->n] = chat;
	m->conv[m->n] = conv;
	m->n++;
	return CU_OK;
}

static int64_t chatmap_get(const struct chatmap *m, int64_t chat)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->chat[mid] == chat)
			return m->conv[mid];
		if (m->chat[mid] < chat)
			lo = mid + 1;
		else
			hi = mid;
	}
	return CU_UNKNOWN;
}

static const char *app_for_service(const char *service)
{
	if (service && strcasecmp(service, "iMessage") == 0)
		return "imessage";
	return "sms"; /* SMS, RCS, NULL (old rows) */
}

/* chat (APPS.md 6.2): one conversation each. */
enum { CHAT_IDENTIFIER, CHAT_NAME, CHAT_STYLE, CHAT_SERVICE };
static const struct cu_column_spec chat_columns[] = {
    [CHAT_IDENTIFIER] = {"chat_identifier", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [CHAT_NAME] = {"display_name", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    /* 43 group, 45 one-to-one */
    [CHAT_STYLE] = {"style", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [CHAT_SERVICE] = {"service_name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
};

/* The chat map being built and the handle count lookup (NULL without
 * chat_handle_join). */
struct chat_run {
	struct chatmap *map;
	sqlite3_stmt *handles;
};

static enum cu_status chat_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_table_spec *spec, const struct cu_spec_row *row,
			       struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct chat_run *r = arg;
	int64_t style = row->v[CHAT_STYLE].value, handles = CU_UNKNOWN, conv = 0;
	struct cu_conversation c;
	enum cu_status rc;

	(void)spec, (void)out;
	if (r->handles) {
		sqlite3_bind_int64(r->handles, 1, row->rowid);
		if (sqlite3_step(r->handles) == SQLITE_ROW)
			handles = cu_sqlite_i64(r->handles, 0);
		sqlite3_reset(r->handles);
	}
	memset(&c, 0, sizeof(c));
	c.app = app_for_service(row->v[CHAT_SERVICE].text);
	c.identifier = row->v[CHAT_IDENTIFIER].text;
	c.title = row->v[CHAT_NAME].text;
	c.is_group = style == 43 ? 1 : style == 45 ? 0 : handles != CU_UNKNOWN ? handles > 1 : -1;
	c.source_id = a->source_id;
	rc = cu_sink_conversation(ctx, &c, &conv, err);
	if (!rc)
		rc = chatmap_add(r->map, row->rowid, conv, err);
	return rc;
}

static const struct cu_table_spec chat_spec = {
    .table = "chat",
    .key = "ROWID",
    .columns = chat_columns,
    .ncolumns = sizeof(chat_columns) / sizeof(chat_columns[0]),
    .app = "sms",
    .sink = CU_SPEC_SINK_NONE,
    .row = chat_row,
};

static enum cu_status load_chats(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
				 struct chatmap *map, struct cu_error *err)
{
	struct chat_run r = {map, NULL};
	enum cu_status rc = CU_OK;

	if (!cu_sqlite_has_table(db, "chat"))
		return CU_OK;
	if (cu_sqlite_has_table(db, "chat_handle_join"))
		rc = cu_parse_prepare(
		    a, db, "SELECT count(*) FROM chat_handle_join j WHERE j.chat_id = ?1",
		    &r.handles, err);
	if (!rc)
		rc = cu_spec_run(ctx, a, db, &chat_spec, &r, err);
	sqlite3_finalize(r.handles);
	return rc;
}

static const char *kind_for(const char *mime, const char *uti)
{
	const char *m = mime ? mime : "";

	if (strncmp(m, "image/", 6) == 0 || (uti && strstr(uti, "image")) ||
	    (uti && (strstr(uti, "jpeg") || strstr(uti, "png") || strstr(uti, "heic"))))
		return "image";
	if (strncmp(m, "video/", 6) == 0 || (uti && (strstr(uti, "movie") || strstr(uti, "video"))))
		return "video";
	if (strncmp(m, "audio/", 6) == 0 || (uti && strstr(uti, "audio")))
		return "voice";
	if (strstr(m, "vcard") || (uti && strstr(uti, "vcard")))
		return "contact";
	return "file";
}

static const char *msg_status(bool from_me, int64_t is_read, int64_t delivered, int64_t error,
			      int64_t edited)
{
	if (edited > 0)
		return "edited";
	if (from_me) {
		if (error != CU_UNKNOWN && error != 0)
			return "failed";
		return delivered == 1 ? "delivered" : "sent";
	}
	return is_read == 1 ? "read" : is_read == 0 ? "unread" : NULL;
}

/* message (APPS.md 6.2) in the order of the schema; what other tables
 * say of a message comes from a lookup (related_sql). */
enum {
	MSG_TEXT,
	MSG_ATTRIBUTED,
	MSG_SERVICE,
	MSG_FROM_ME,
	MSG_DATE,
	MSG_HANDLE,
	MSG_READ,
	MSG_DELIVERED,
	MSG_ERROR,
	MSG_ITEM_TYPE,
	MSG_RETRACTED,
	MSG_EDITED
};
static const struct cu_column_spec message_columns[] = {
    [MSG_TEXT] = {"text", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [MSG_ATTRIBUTED] = {"attributedBody", CU_AFFINITY_BLOB, CU_DECODE_RAW, CU_FIELD_NONE},
    [MSG_SERVICE] = {"service", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [MSG_FROM_ME] = {"is_from_me", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_COCOA_AUTO, CU_FIELD_MESSAGE_SENT},
    [MSG_HANDLE] = {"handle_id", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    [MSG_READ] = {"is_read", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_DELIVERED] = {"is_delivered", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_ERROR] = {"error", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_ITEM_TYPE] = {"item_type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_RETRACTED] = {"date_retracted", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [MSG_EDITED] = {"date_edited", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
};

/* The lookup of one message's handle (?2 = handle_id), chat and
 * attachments (?1 = ROWID): 0 sender, 1 chat, 2 attachment names, 3 first
 * mime type, 4 first uti, 5 attachment count. */
static enum cu_status related_sql(sqlite3 *db, struct cu_buf *sql, struct cu_error *err)
{
	bool handle = cu_sqlite_has_table(db, "handle");
	bool cmj = cu_sqlite_has_table(db, "chat_message_join");
	bool att = cu_sqlite_has_table(db, "attachment") &&
		   cu_sqlite_has_table(db, "message_attachment_join");
	const char *join = " FROM message_attachment_join j JOIN attachment a"
			   " ON a.ROWID = j.attachment_id WHERE j.message_id = ?1";
	enum cu_status rc;

	rc = cu_buf_printf(sql, err, "SELECT %s",
			   handle && cu_sqlite_has_column(db, "message", "handle_id")
			       ? "(SELECT h.id FROM handle h WHERE h.ROWID = ?2)"
			       : "NULL");
	if (!rc)
		rc = cu_buf_puts(sql,
				 cmj ? ", (SELECT j.chat_id FROM chat_message_join j WHERE "
				       "j.message_id = ?1 ORDER BY j.chat_id LIMIT 1)"
				     : ", NULL",
				 err);
	if (!rc && att && cu_sqlite_has_column(db, "attachment", "filename"))
		rc = cu_buf_printf(sql, err,
				   ", (SELECT group_concat(filename, char(10)) FROM (SELECT"
				   " a.filename AS filename %s ORDER BY a.ROWID))",
				   join);
	else if (!rc)
		rc = cu_buf_puts(sql, ", NULL", err);
	if (!rc && att && cu_sqlite_has_column(db, "attachment", "mime_type"))
		rc = cu_buf_printf(sql, err, ", (SELECT a.mime_type %s ORDER BY a.ROWID LIMIT 1)",
				   join);
	else if (!rc)
		rc = cu_buf_puts(sql, ", NULL", err);
	if (!rc && att && cu_sqlite_has_column(db, "attachment", "uti"))
		rc = cu_buf_printf(sql, err, ", (SELECT a.uti %s ORDER BY a.ROWID LIMIT 1)", join);
	else if (!rc)
		rc = cu_buf_puts(sql, ", NULL", err);
	if (!rc && att)
		rc = cu_buf_printf(sql, err, ", (SELECT count(*) %s)", join);
	else if (!rc)
		rc = cu_buf_puts(sql, ", 0", err);
	return rc;
}

/* The chats, the lookup (NULL: no sender, chat or attachments, as for a
 * carved message), and the texts of the message being sunk. The row code
 * needs this run state. */
struct message_run {
	struct chatmap map;
	sqlite3_stmt *related;
	struct cu_buf body, sender, attach;
};

static enum cu_status message_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct message_run *r = arg;
	const struct cu_spec_value *v = row->v, *ab = &row->v[MSG_ATTRIBUTED];
	const char *text = v[MSG_TEXT].text, *sender = NULL, *attach = NULL, *att_kind = NULL;
	int64_t from_me = v[MSG_FROM_ME].value, item_type = v[MSG_ITEM_TYPE].value;
	int64_t retracted = v[MSG_RETRACTED].value, chat = CU_UNKNOWN, natt = 0;
	int64_t conv = CU_UNKNOWN;
	struct cu_message *m = &out->message;
	enum cu_status rc = CU_OK;

	(void)spec;
	cu_buf_reset(&r->body);
	cu_buf_reset(&r->sender);
	cu_buf_reset(&r->attach);
	if (r->related) {
		sqlite3_stmt *q = r->related;

		sqlite3_bind_int64(q, 1, row->rowid);
		cu_spec_bind(q, 2, &v[MSG_HANDLE]);
		if (sqlite3_step(q) == SQLITE_ROW) {
			if (cu_sqlite_text(q, 0))
				rc = cu_buf_puts(&r->sender, cu_sqlite_text(q, 0), err);
			chat = cu_sqlite_i64(q, 1);
			if (!rc && cu_sqlite_text(q, 2))
				rc = cu_buf_puts(&r->attach, cu_sqlite_text(q, 2), err);
			if (!rc) {
				att_kind = kind_for(cu_sqlite_text(q, 3), cu_sqlite_text(q, 4));
				natt = cu_sqlite_i64(q, 5);
			}
			sender = cu_sqlite_text(q, 0) ? r->sender.data : NULL;
			attach = cu_sqlite_text(q, 2) ? r->attach.data : NULL;
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc)
			return rc;
	}
	if (!text && ab->type == SQLITE_BLOB) {
		const unsigned char *t;
		size_t tl;

		if (ab->p && ab->n > 0 && cu_typedstream_text(ab->p, ab->n, &t, &tl)) {
			if ((rc = cu_buf_append(&r->body, t, tl, err)) != CU_OK)
				return rc;
			text = r->body.data;
		} else if (ab->p && ab->n > 0) {
			cu_parse_warn(ctx, a,
				      "message ROWID %lld: attributedBody holds no text "
				      "this parser can read",
				      (long long)row->rowid);
		}
	}
	m->app = app_for_service(v[MSG_SERVICE].text);
	if (chat != CU_UNKNOWN)
		conv = chatmap_get(&r->map, chat);
	if (conv == CU_UNKNOWN && sender) {
		struct cu_conversation c = {m->app, sender, NULL, 0, a->source_id};

		if ((rc = cu_sink_conversation(ctx, &c, &conv, err)) != CU_OK)
			return rc;
	}
	m->conversation_id = conv;
	m->direction = item_type > 0 && item_type != CU_UNKNOWN ? "system"
		       : from_me == 1                           ? "outgoing"
								: "incoming";
	m->sender = from_me == 1 ? NULL : sender;
	if (retracted > 0 && retracted != CU_UNKNOWN)
		m->kind = "recalled";
	else if (item_type > 0 && item_type != CU_UNKNOWN)
		m->kind = "system";
	else if (attach || natt > 0)
		m->kind = att_kind;
	else
		m->kind = "text";
	m->body = text;
	if (text != NULL && text == r->body.data)
		m->body_len = r->body.len; /* a column's text: its length, by the spec */
	m->raw_type = v[MSG_SERVICE].text;
	m->attachment = attach;
	m->status = msg_status(from_me == 1, v[MSG_READ].value, v[MSG_DELIVERED].value,
			       v[MSG_ERROR].value, v[MSG_EDITED].value);
	return CU_OK;
}

/* A received SMS from a bank also becomes a payment (APPS.md 8.3). */
static enum cu_status message_sunk(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   const struct cu_spec_row *row, const struct cu_spec_out *out,
				   int64_t id, void *arg, struct cu_error *err)
{
	const struct cu_message *m = &out->message;

	(void)a, (void)arg;
	if (row->v[MSG_FROM_ME].value == 1 || strcmp(m->app, "sms") != 0)
		return CU_OK;
	return cu_banksms_sink(ctx, m->sender, m->body, m->sent_ms, id, &m->prov, err);
}

static const struct cu_table_spec message_spec = {
    .table = "message",
    .key = "ROWID",
    .columns = message_columns,
    .ncolumns = sizeof(message_columns) / sizeof(message_columns[0]),
    .app = "sms",
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = message_row,
    .sunk = message_sunk,
};

/*
 * message.ROWID is AUTOINCREMENT: sqlite_sequence keeps the highest ROWID
 * ever handed out, so fewer rows than that means messages were deleted
 * (APPS.md 6.2, iLEAPP SMSmissingROWIDs). Reported as a warning; the
 * deleted records themselves are for `custos recover`.
 */
static void deletion_hint(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	if (!cu_sqlite_has_table(db, "sqlite_sequence"))
		return;
	if (sqlite3_prepare_v2(db,
			       "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'message'),"
			       " (SELECT count(*) FROM message), (SELECT max(ROWID) FROM message)",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		int64_t seq = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
		int64_t max = sqlite3_column_int64(st, 2);

		if (seq > n && seq >= max)
			cu_parse_warn(
			    ctx, a,
			    "%lld message ROWIDs were handed out but %lld rows remain "
			    "(highest ROWID %lld): messages were deleted; `custos recover` "
			    "may find them",
			    (long long)seq, (long long)n, (long long)max);
	}
	sqlite3_finalize(st);
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	struct cu_buf sql = CU_BUF_INIT;
	struct message_run r = {{NULL, NULL, 0, 0}, NULL, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT};
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc)
		return rc;
	if (!cu_sqlite_has_table(db, "message")) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': table 'message' missing: not an iOS sms.db",
				  a->device_path);
		goto out;
	}
	rc = load_chats(ctx, a, db, &r.map, err);
	if (!rc)
		rc = related_sql(db, &sql, err);
	if (!rc)
		rc = cu_parse_prepare(a, db, sql.data, &r.related, err);
	if (!rc)
		rc = cu_spec_run(ctx, a, db, &message_spec, &r, err);
	if (!rc)
		deletion_hint(ctx, a, db);
out:
	sqlite3_finalize(r.related);
	sqlite3_close(db);
	cu_buf_release(&sql);
	cu_buf_release(&r.body);
	cu_buf_release(&r.sender);
	cu_buf_release(&r.attach);
	free(r.map.chat);
	free(r.map.conv);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "message", 90);
}

static const char *const patterns[] = {
    "*Library/SMS/sms.db",
    NULL,
};

const struct cu_parser cu_parser_sms_ios = {
    .name = "ios-sms",
    .app = "sms",
    .platforms = CU_PLATFORM_IOS,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
