/*
 * whatsapp_android.c - WhatsApp for Android (com.whatsapp), APPS.md 4.1:
 *
 *   databases/msgstore.db
 *     current schema (2021+): message, chat, jid, message_media,
 *       message_location, call_log -> messages, conversations, calls
 *     legacy schema (<= 2021): messages (key_remote_jid, key_from_me,
 *       data, timestamp, media_wa_type, remote_resource), chat_list
 *     Transitional stores (2021-2022) hold both: rows of the legacy
 *     `messages` table whose _id is not in `message` are parsed too (the
 *     app's own message_view joins them the same way, same _id).
 *   databases/wa.db       wa_contacts -> contacts
 *   shared_prefs/<package>_preferences_light.xml (cc, ph, push_name),
 *     when present, names the owner's account; databases/wa.db, when
 *     present, gives sender names (display_name, else wa_name).
 *
 * Real sample: /work/shared/samples/whatsapp-android/wa-crypt-tools/
 * msgstore.db (early 2022 schema with both tables; 9 status/PSA rows in
 * `messages`), tests/e2e/parse_chat_whatsapp.sh; synthetic legacy and
 * current stores from tests/data/chat/make_whatsapp.py; fixture
 * fixtures/apps/whatsapp*.
 *
 * Times are Unix ms (timestamp, call_log.timestamp); 0 means "not set"
 * and is stored as unknown. call_log.duration is seconds. The placeholder
 * row (_id 1, chat_row_id -1 / key_remote_jid '-1') is not a message.
 */
#include "parsers/chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP "whatsapp"

/* message_type / media_wa_type -> CASEDB kind (APPS.md 4.1). */
static const char *android_kind(int64_t t)
{
	switch (t) {
	case 0: return "text";
	case 1:
	case 42: return "image";
	case 2:
	case 82: return "voice";
	case 3:
	case 13:
	case 43:
	case 81: return "video";
	case 4: return "contact";
	case 5:
	case 16: return "location";
	case 7: return "system";
	case 8:
	case 10:
	case 90: return "call";
	case 9: return "file";
	case 15:
	case 64: return "recalled";
	case 20: return "sticker";
	default: return "other";
	}
}

static int probe_msgstore(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"message", "messages", NULL};
	sqlite3 *db = NULL;
	int score = cu_parse_probe_tables(ctx, a, t, "*com.whatsapp*/databases/msgstore.db");
	/* `message`/`messages` are common names: check WhatsApp's key columns */
	if (score == 90 && cu_parse_open_db(ctx, a, &db, NULL) == CU_OK &&
	    !(cu_sqlite_has_column(db, "message", "key_id") &&
	      cu_sqlite_has_column(db, "message", "chat_row_id")) &&
	    !cu_sqlite_has_column(db, "messages", "key_remote_jid"))
		score = 0;
	if (db)
		sqlite3_close(db);
	return score;
}

static const char *colx(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			bool have, const char *table, const char *col, bool warn)
{
	if (!have)
		return "NULL";
	return cu_parse_col(ctx, a, db, table, col, warn);
}

/* chat (current msgstore; the peer through jid_row_id -> jid) and
 * chat_list (older ones): one conversation each. */
enum { CHAT_JID_ROW, CHAT_SUBJECT };
static const struct cu_column_spec chat_columns[] = {
    [CHAT_JID_ROW] = {"jid_row_id", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [CHAT_SUBJECT] = {"subject", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
};
enum { LIST_JID, LIST_SUBJECT };
static const struct cu_column_spec chat_list_columns[] = {
    [LIST_JID] = {"key_remote_jid", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [LIST_SUBJECT] = {"subject", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
};

/* The jid lookup (chat only) and the jid of the row. */
struct chat_run {
	sqlite3_stmt *jid;
	struct cu_buf peer;
};

static enum cu_status chat_conversation(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					const char *jid, const char *subject, struct cu_error *err)
{
	int64_t id;

	if (jid == NULL || strcmp(jid, "-1") == 0)
		return CU_OK;
	return cu_parse_conversation(ctx, APP, jid, subject,
				     cu_str_has_suffix(jid, "@g.us") ? 1 : 0, a->source_id, &id,
				     err);
}

static enum cu_status chat_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_table_spec *spec, const struct cu_spec_row *row,
			       struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct chat_run *r = arg;
	const struct cu_spec_value *jid = &row->v[CHAT_JID_ROW];
	const char *peer = NULL;
	enum cu_status rc = CU_OK;

	(void)spec, (void)out;
	/* the join kept only chats whose jid row exists */
	if (jid->type == SQLITE_NULL)
		return CU_OK;
	cu_buf_reset(&r->peer);
	sqlite3_bind_int64(r->jid, 1, jid->i);
	if (sqlite3_step(r->jid) == SQLITE_ROW) {
		if (cu_sqlite_text(r->jid, 0) != NULL) {
			rc = cu_buf_puts(&r->peer, cu_sqlite_text(r->jid, 0), err);
			peer = r->peer.data;
		}
		sqlite3_reset(r->jid);
		if (rc == CU_OK)
			rc = chat_conversation(ctx, a, peer, row->v[CHAT_SUBJECT].text, err);
		return rc;
	}
	sqlite3_reset(r->jid);
	return CU_OK;
}

static enum cu_status chat_list_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				    const struct cu_table_spec *spec, const struct cu_spec_row *row,
				    struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	(void)spec, (void)out, (void)arg;
	return chat_conversation(ctx, a, row->v[LIST_JID].text, row->v[LIST_SUBJECT].text, err);
}

static const struct cu_table_spec chat_spec = {
    .table = "chat",
    .key = "_id",
    .columns = chat_columns,
    .ncolumns = sizeof(chat_columns) / sizeof(chat_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = chat_row,
};
static const struct cu_table_spec chat_list_spec = {
    .table = "chat_list",
    .key = "_id",
    .columns = chat_list_columns,
    .ncolumns = sizeof(chat_list_columns) / sizeof(chat_list_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = chat_list_row,
};

static enum cu_status parse_chats(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  sqlite3 *db, struct cu_error *err)
{
	struct chat_run r = {NULL, CU_BUF_INIT};
	enum cu_status rc;

	if (cu_sqlite_has_table(db, "chat") && cu_sqlite_has_table(db, "jid") &&
	    cu_sqlite_has_column(db, "chat", "jid_row_id") &&
	    cu_sqlite_has_column(db, "jid", "raw_string")) {
		rc = cu_parse_prepare(a, db, "SELECT raw_string FROM jid WHERE _id = ?1", &r.jid,
				      err);
		if (rc == CU_OK)
			rc = cu_spec_run(ctx, a, db, &chat_spec, &r, err);
	} else if (cu_sqlite_has_table(db, "chat_list") &&
		   cu_sqlite_has_column(db, "chat_list", "key_remote_jid")) {
		rc = cu_spec_run(ctx, a, db, &chat_list_spec, NULL, err);
	} else {
		cu_parse_warn(ctx, a,
			      "no 'chat'/'jid' or 'chat_list' table; chat titles "
			      "unknown");
		rc = CU_OK;
	}
	sqlite3_finalize(r.jid);
	cu_buf_release(&r.peer);
	return rc;
}

/* Names from wa.db (wa_contacts) next to msgstore.db, when present. */
struct wa_names {
	sqlite3 *db;
	sqlite3_stmt *st;
	char *last_jid, *last_name;
};

static const char *wa_name(struct wa_names *n, const char *jid)
{
	if (n->st == NULL || jid == NULL || *jid == '\0')
		return NULL;
	if (n->last_jid && strcmp(n->last_jid, jid) == 0)
		return n->last_name;
	free(n->last_jid);
	free(n->last_name);
	n->last_jid = cu_strdup(jid);
	n->last_name = NULL;
	sqlite3_bind_text(n->st, 1, jid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(n->st) == SQLITE_ROW && cu_parse_nz(cu_sqlite_text(n->st, 0)))
		n->last_name = cu_strdup(cu_sqlite_text(n->st, 0));
	sqlite3_reset(n->st);
	return n->last_name;
}

static enum cu_status wa_db_found(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
				  struct cu_error *err)
{
	struct wa_names *n = arg;
	(void)err;
	if (n->db != NULL)
		return CU_OK;
	if (cu_parse_open_db(ctx, a, &n->db, NULL) != CU_OK)
		return CU_OK; /* names are a convenience; wa.db gets its own parse */
	if (!cu_sqlite_has_column(n->db, "wa_contacts", "jid") ||
	    !cu_sqlite_has_column(n->db, "wa_contacts", "display_name") ||
	    !cu_sqlite_has_column(n->db, "wa_contacts", "wa_name") ||
	    sqlite3_prepare_v2(
		n->db,
		"SELECT coalesce(nullif(display_name, ''), nullif(wa_name, '')) FROM "
		"wa_contacts WHERE jid = ?1 ORDER BY _id LIMIT 1",
		-1, &n->st, NULL) != SQLITE_OK) {
		sqlite3_finalize(n->st);
		n->st = NULL;
	}
	return CU_OK;
}

static void wa_names_release(struct wa_names *n)
{
	sqlite3_finalize(n->st);
	if (n->db)
		sqlite3_close(n->db);
	free(n->last_jid);
	free(n->last_name);
}

/* What both message schemas say of a message, once read. */
struct wa_fields {
	int64_t from_me, type, status;
	const char *text, *chat, *sender_jid, *file_path, *caption;
	const struct cu_spec_value *lat, *lon;
};

/* The messages of both schemas: what they share (the account, the names
 * from wa.db), the lookups of the current schema (NULL when its tables
 * are missing, and for a carved record), and the texts of the row. */
struct wa_run {
	const char *owner;
	struct wa_names *names;
	sqlite3_stmt *related;    /* current: chat jid, sender jid, media, location */
	sqlite3_stmt *in_current; /* legacy: is the _id also in `message`? */
	struct cu_buf body, chat, sender, path, caption;
	struct cu_spec_value lat, lon;
};

/* One message row from either schema. */
static enum cu_status wa_message(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct wa_run *r, const struct wa_fields *f,
				 struct cu_spec_out *out, struct cu_error *err)
{
	struct cu_message *m = &out->message;
	const char *text = f->text, *kind, *direction, *sender;
	int64_t type = f->type;
	enum cu_status rc;

	if (text != NULL && *text == '\0')
		text = NULL;
	/* the app's own view: media type 0 with status 6 is a system row */
	if (type == 0 && f->status == 6)
		type = 7;
	kind = type == CU_UNKNOWN ? "other" : android_kind(type);
	if (strcmp(kind, "system") == 0) {
		direction = "system";
		sender = f->sender_jid;
	} else if (f->from_me == 1) {
		direction = "outgoing";
		sender = r->owner;
	} else {
		direction = "incoming";
		sender = f->sender_jid && *f->sender_jid ? f->sender_jid : f->chat;
	}
	cu_buf_reset(&r->body);
	if (text == NULL && (type == 5 || type == 16) && f->lat && f->lon &&
	    f->lat->type != SQLITE_NULL && f->lon->type != SQLITE_NULL) {
		if ((rc = cu_buf_printf(&r->body, err, "%.6f,%.6f", f->lat->d, f->lon->d)) != CU_OK)
			return rc;
		text = r->body.data;
	}
	if (text == NULL)
		text = f->caption;
	if ((rc =
		 cu_parse_conversation(ctx, APP, f->chat, NULL,
				       f->chat ? (cu_str_has_suffix(f->chat, "@g.us") ? 1 : 0) : -1,
				       a->source_id, &m->conversation_id, err)) != CU_OK)
		return rc;
	snprintf(out->raw_type, sizeof(out->raw_type), "%lld", (long long)f->type);
	m->sender = sender;
	if (strcmp(direction, "outgoing") != 0)
		m->sender_name = wa_name(r->names, sender);
	m->direction = direction;
	m->kind = kind;
	m->body = text;
	/* the caption of the current schema is a lookup's text, copied with
	 * its length (a column's own text gets its length from the spec) */
	if (text != NULL && text == r->caption.data)
		m->body_len = r->caption.len;
	m->raw_type = f->type == CU_UNKNOWN ? NULL : out->raw_type;
	m->attachment = f->file_path;
	return CU_OK;
}

/* The text of column i of the lookup q into b (NULL when NULL). */
static const char *lookup_text(sqlite3_stmt *q, int i, struct cu_buf *b, enum cu_status *rc,
			       struct cu_error *err)
{
	size_t n;
	const char *s = cu_sqlite_textn(q, i, &n);

	cu_buf_reset(b);
	if (s == NULL || *rc != CU_OK)
		return NULL;
	/* with its length: a caption that is the body keeps its NUL bytes */
	*rc = cu_buf_append(b, s, n, err);
	return b->data;
}

/* A REAL column of the lookup q as a value (for the location body). */
static const struct cu_spec_value *lookup_real(sqlite3_stmt *q, int i, struct cu_spec_value *v)
{
	v->type = sqlite3_column_type(q, i);
	v->d = sqlite3_column_double(q, i);
	return v;
}

/* message (current schema). */
enum { CUR_FROM_ME, CUR_TIMESTAMP, CUR_TYPE, CUR_TEXT, CUR_STATUS, CUR_CHAT, CUR_SENDER };
static const struct cu_column_spec current_columns[] = {
    [CUR_FROM_ME] = {"from_me", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [CUR_TIMESTAMP] = {"timestamp", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_MESSAGE_SENT,
		       true},
    [CUR_TYPE] = {"message_type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [CUR_TEXT] = {"text_data", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [CUR_STATUS] = {"status", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false},
    [CUR_CHAT] = {"chat_row_id", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [CUR_SENDER] = {"sender_jid_row_id", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

static enum cu_status current_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct wa_run *r = arg;
	const struct cu_spec_value *v = row->v;
	struct wa_fields f = {v[CUR_FROM_ME].value,
			      v[CUR_TYPE].value,
			      v[CUR_STATUS].value,
			      v[CUR_TEXT].text,
			      NULL,
			      NULL,
			      NULL,
			      NULL,
			      NULL,
			      NULL};
	enum cu_status rc = CU_OK;

	(void)spec;
	/* chat_row_id -1 marks the app's own placeholder rows */
	if ((v[CUR_CHAT].type == SQLITE_INTEGER && v[CUR_CHAT].i == -1) ||
	    (v[CUR_CHAT].type == SQLITE_FLOAT && v[CUR_CHAT].d == -1.0)) {
		out->skip = true;
		return CU_OK;
	}
	if (r->related) {
		sqlite3_stmt *q = r->related;

		cu_spec_bind(q, 1, &v[CUR_CHAT]);
		cu_spec_bind(q, 2, &v[CUR_SENDER]);
		sqlite3_bind_int64(q, 3, row->rowid);
		if (sqlite3_step(q) == SQLITE_ROW) {
			f.chat = lookup_text(q, 0, &r->chat, &rc, err);
			f.sender_jid = lookup_text(q, 1, &r->sender, &rc, err);
			f.file_path = lookup_text(q, 2, &r->path, &rc, err);
			f.caption = lookup_text(q, 3, &r->caption, &rc, err);
			f.lat = lookup_real(q, 4, &r->lat);
			f.lon = lookup_real(q, 5, &r->lon);
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc)
			return rc;
	}
	return wa_message(ctx, a, r, &f, out, err);
}

static const struct cu_table_spec current_spec = {
    .table = "message",
    .key = "_id",
    .columns = current_columns,
    .ncolumns = sizeof(current_columns) / sizeof(current_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = current_row,
};

/* The lookup of a current-schema message: 0 chat jid (?1 chat_row_id),
 * 1 sender jid (?2 sender_jid_row_id), 2 file path, 3 caption, 4
 * latitude, 5 longitude (?3 _id). */
static enum cu_status current_related(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				      sqlite3 *db, struct cu_buf *sql, struct cu_error *err)
{
	bool jid = cu_sqlite_has_table(db, "jid") && cu_sqlite_has_column(db, "jid", "raw_string");
	bool chat = jid && cu_sqlite_has_table(db, "chat") &&
		    cu_sqlite_has_column(db, "chat", "jid_row_id");
	bool media = cu_sqlite_has_table(db, "message_media") &&
		     cu_sqlite_has_column(db, "message_media", "message_row_id");
	bool loc = cu_sqlite_has_table(db, "message_location") &&
		   cu_sqlite_has_column(db, "message_location", "message_row_id");
	bool sender = jid && cu_sqlite_has_column(db, "message", "sender_jid_row_id");
	const char *path = colx(ctx, a, db, media, "message_media", "file_path", false);
	const char *caption = colx(ctx, a, db, media, "message_media", "media_caption", false);
	const char *lat = colx(ctx, a, db, loc, "message_location", "latitude", false);
	const char *lon = colx(ctx, a, db, loc, "message_location", "longitude", false);

	if (!chat)
		cu_parse_warn(ctx, a,
			      "tables 'chat'/'jid' missing: messages of table "
			      "'message' have no conversation");
	return cu_buf_printf(
	    sql, err, "SELECT %s, %s, %s%s%s, %s%s%s, %s%s%s, %s%s%s",
	    chat ? "(SELECT cj.raw_string FROM chat c JOIN jid cj ON cj._id = c.jid_row_id "
		   "WHERE c._id = ?1)"
		 : "NULL",
	    sender ? "(SELECT raw_string FROM jid WHERE _id = ?2)" : "NULL",
	    media && strcmp(path, "NULL") ? "(SELECT " : "", path,
	    media && strcmp(path, "NULL") ? " FROM message_media WHERE message_row_id = ?3)" : "",
	    media && strcmp(caption, "NULL") ? "(SELECT " : "", caption,
	    media && strcmp(caption, "NULL") ? " FROM message_media WHERE message_row_id = ?3)"
					     : "",
	    loc && strcmp(lat, "NULL") ? "(SELECT " : "", lat,
	    loc && strcmp(lat, "NULL") ? " FROM message_location WHERE message_row_id = ?3)" : "",
	    loc && strcmp(lon, "NULL") ? "(SELECT " : "", lon,
	    loc && strcmp(lon, "NULL") ? " FROM message_location WHERE message_row_id = ?3)" : "");
}

static enum cu_status parse_current(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				    sqlite3 *db, const char *owner, struct wa_names *names,
				    struct cu_error *err)
{
	struct wa_run r = {.owner = owner,
			   .names = names,
			   .body = CU_BUF_INIT,
			   .chat = CU_BUF_INIT,
			   .sender = CU_BUF_INIT,
			   .path = CU_BUF_INIT,
			   .caption = CU_BUF_INIT};
	struct cu_buf sql = CU_BUF_INIT;
	enum cu_status rc = current_related(ctx, a, db, &sql, err);

	if (rc == CU_OK)
		rc = cu_parse_prepare(a, db, sql.data, &r.related, err);
	if (rc == CU_OK)
		rc = cu_spec_run(ctx, a, db, &current_spec, &r, err);
	sqlite3_finalize(r.related);
	cu_buf_release(&sql);
	cu_buf_release(&r.body);
	cu_buf_release(&r.chat);
	cu_buf_release(&r.sender);
	cu_buf_release(&r.path);
	cu_buf_release(&r.caption);
	return rc;
}

/* messages (legacy schema). */
enum {
	LEG_FROM_ME,
	LEG_TIMESTAMP,
	LEG_TYPE,
	LEG_DATA,
	LEG_STATUS,
	LEG_CHAT,
	LEG_RESOURCE,
	LEG_CAPTION,
	LEG_LAT,
	LEG_LON
};
static const struct cu_column_spec legacy_columns[] = {
    [LEG_FROM_ME] = {"key_from_me", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [LEG_TIMESTAMP] = {"timestamp", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_MESSAGE_SENT,
		       true},
    /* read as CAST(... AS INTEGER) */
    [LEG_TYPE] = {"media_wa_type", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, true},
    [LEG_DATA] = {"data", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [LEG_STATUS] = {"status", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false},
    [LEG_CHAT] = {"key_remote_jid", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [LEG_RESOURCE] = {"remote_resource", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [LEG_CAPTION] = {"media_caption", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [LEG_LAT] = {"latitude", CU_AFFINITY_REAL, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [LEG_LON] = {"longitude", CU_AFFINITY_REAL, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

static enum cu_status legacy_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 const struct cu_table_spec *spec, const struct cu_spec_row *row,
				 struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct wa_run *r = arg;
	const struct cu_spec_value *v = row->v, *t = &v[LEG_TYPE];
	struct wa_fields f = {v[LEG_FROM_ME].value,
			      t->type == SQLITE_NULL ? CU_UNKNOWN : t->i,
			      v[LEG_STATUS].value,
			      v[LEG_DATA].text,
			      v[LEG_CHAT].text,
			      v[LEG_RESOURCE].text,
			      NULL,
			      v[LEG_CAPTION].text,
			      &v[LEG_LAT],
			      &v[LEG_LON]};
	enum cu_status rc = CU_OK;
	bool skip = false;

	(void)spec;
	/* "-1" marks the app's own placeholder rows; a row also in `message`
	 * (a store migrated in place) is read there */
	if (f.chat && strcmp(f.chat, "-1") == 0) {
		out->skip = true;
		return CU_OK;
	}
	if (r->in_current) {
		sqlite3_bind_int64(r->in_current, 1, row->rowid);
		skip = sqlite3_step(r->in_current) == SQLITE_ROW;
		sqlite3_reset(r->in_current);
	}
	if (!skip && r->related) {
		sqlite3_bind_int64(r->related, 1, row->rowid);
		if (sqlite3_step(r->related) == SQLITE_ROW)
			f.file_path = lookup_text(r->related, 0, &r->path, &rc, err);
		sqlite3_reset(r->related);
		if (rc)
			return rc;
	}
	out->skip = skip;
	return skip ? CU_OK : wa_message(ctx, a, r, &f, out, err);
}

static const struct cu_table_spec legacy_spec = {
    .table = "messages",
    .key = "_id",
    .columns = legacy_columns,
    .ncolumns = sizeof(legacy_columns) / sizeof(legacy_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = legacy_row,
};

static enum cu_status parse_legacy(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   sqlite3 *db, bool have_current, const char *owner,
				   struct wa_names *names, struct cu_error *err)
{
	struct wa_run r = {.owner = owner,
			   .names = names,
			   .body = CU_BUF_INIT,
			   .chat = CU_BUF_INIT,
			   .sender = CU_BUF_INIT,
			   .path = CU_BUF_INIT,
			   .caption = CU_BUF_INIT};
	enum cu_status rc = CU_OK;

	if (cu_sqlite_has_table(db, "message_media") &&
	    cu_sqlite_has_column(db, "message_media", "message_row_id") &&
	    cu_sqlite_has_column(db, "message_media", "file_path"))
		rc = cu_parse_prepare(
		    a, db, "SELECT file_path FROM message_media WHERE message_row_id = ?1",
		    &r.related, err);
	if (rc == CU_OK && have_current)
		rc = cu_parse_prepare(a, db, "SELECT 1 FROM message WHERE _id = ?1", &r.in_current,
				      err);
	if (rc == CU_OK)
		rc = cu_spec_run(ctx, a, db, &legacy_spec, &r, err);
	sqlite3_finalize(r.related);
	sqlite3_finalize(r.in_current);
	cu_buf_release(&r.body);
	cu_buf_release(&r.chat);
	cu_buf_release(&r.sender);
	cu_buf_release(&r.path);
	cu_buf_release(&r.caption);
	return rc;
}

/* call_log (current msgstore): the peer through jid_row_id -> jid. */
enum { CALL_JID_ROW, CALL_FROM_ME, CALL_TIMESTAMP, CALL_DURATION };
static const struct cu_column_spec call_columns[] = {
    [CALL_JID_ROW] = {"jid_row_id", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [CALL_FROM_ME] = {"from_me", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [CALL_TIMESTAMP] = {"timestamp", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_CALL_STARTED,
			true},
    [CALL_DURATION] = {"duration", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_CALL_DURATION,
		       true},
};

/* The jid lookup (NULL without a usable jid table, and for a carved
 * record: the peer is then unknown) and the peer of the row. */
struct call_run {
	sqlite3_stmt *jid;
	struct cu_buf peer;
};

static enum cu_status call_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_table_spec *spec, const struct cu_spec_row *row,
			       struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct call_run *r = arg;
	const struct cu_spec_value *jid = &row->v[CALL_JID_ROW];
	int64_t from_me = row->v[CALL_FROM_ME].value, dur = out->call.duration_s;
	struct cu_call *c = &out->call;
	enum cu_status rc = CU_OK;

	(void)ctx, (void)a, (void)spec;
	if (r && r->jid && jid->type != SQLITE_NULL) {
		cu_buf_reset(&r->peer);
		sqlite3_bind_int64(r->jid, 1, jid->i);
		if (sqlite3_step(r->jid) == SQLITE_ROW && cu_sqlite_text(r->jid, 0) != NULL) {
			rc = cu_buf_puts(&r->peer, cu_sqlite_text(r->jid, 0), err);
			c->counterpart = r->peer.data;
		}
		sqlite3_reset(r->jid);
	}
	c->direction = from_me == CU_UNKNOWN ? NULL : from_me ? "outgoing" : "incoming";
	/* call_result codes are not confirmed; a call that lasted was answered,
	 * a 0-second one says nothing (never taken as "not answered") */
	c->answered = dur != CU_UNKNOWN && dur > 0 ? 1 : -1;
	return rc;
}

static const struct cu_table_spec call_spec = {
    .table = "call_log",
    .key = "_id",
    .columns = call_columns,
    .ncolumns = sizeof(call_columns) / sizeof(call_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CALL,
    .row = call_row,
};

static enum cu_status parse_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  sqlite3 *db, struct cu_error *err)
{
	struct call_run r = {NULL, CU_BUF_INIT};
	enum cu_status rc = CU_OK;

	if (!cu_sqlite_has_table(db, "call_log"))
		return CU_OK; /* older stores log calls as messages (media_wa_type 8) */
	if (cu_sqlite_has_table(db, "jid") && cu_sqlite_has_column(db, "jid", "raw_string") &&
	    cu_sqlite_has_column(db, "call_log", "jid_row_id"))
		rc = cu_parse_prepare(a, db, "SELECT raw_string FROM jid WHERE _id = ?1", &r.jid,
				      err);
	if (rc == CU_OK)
		rc = cu_spec_run(ctx, a, db, &call_spec, &r, err);
	sqlite3_finalize(r.jid);
	cu_buf_release(&r.peer);
	return rc;
}

/* <string name="KEY">VALUE</string> from an Android shared_prefs file,
 * with the five XML entities decoded; malloc'ed or NULL. */
static char *pref_string(const char *xml, size_t n, const char *key)
{
	struct cu_buf pat = CU_BUF_INIT, out = CU_BUF_INIT;
	const char *p, *end;
	char *res = NULL;
	if (cu_buf_printf(&pat, NULL, "<string name=\"%s\">", key) != CU_OK)
		goto out;
	p = memmem(xml, n, pat.data, pat.len);
	if (p == NULL)
		goto out;
	p += pat.len;
	end = memmem(p, n - (size_t)(p - xml), "</string>", 9);
	if (end == NULL)
		goto out;
	cu_buf_init(&out, 4096);
	while (p < end) {
		static const struct {
			const char *e;
			char c;
		} ents[] = {{"&amp;", '&'},
			    {"&lt;", '<'},
			    {"&gt;", '>'},
			    {"&quot;", '"'},
			    {"&apos;", '\''}};
		size_t i, k = sizeof(ents) / sizeof(ents[0]);
		for (i = 0; i < k; i++) {
			size_t el = strlen(ents[i].e);
			if ((size_t)(end - p) >= el && memcmp(p, ents[i].e, el) == 0)
				break;
		}
		if (i < k) {
			if (cu_buf_putc(&out, ents[i].c, NULL) != CU_OK)
				goto out;
			p += strlen(ents[i].e);
		} else {
			if (cu_buf_putc(&out, *p, NULL) != CU_OK)
				goto out;
			p++;
		}
	}
	if (out.len > 0)
		res = cu_buf_detach(&out, NULL);
out:
	cu_buf_release(&pat);
	cu_buf_release(&out);
	return res;
}

struct owner_find {
	char *jid, *name;
	int64_t source_id;
};

static enum cu_status owner_from_prefs(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       void *arg, struct cu_error *err)
{
	struct owner_find *o = arg;
	struct cu_buf xml = CU_BUF_INIT;
	char *cc = NULL, *ph = NULL;
	(void)ctx;
	if (a->work_path == NULL || cu_file_read_all(a->work_path, 1 << 20, &xml, NULL) != CU_OK)
		goto out;
	cc = pref_string(xml.data, xml.len, "cc");
	ph = pref_string(xml.data, xml.len, "ph");
	if (cc && ph && o->jid == NULL) {
		struct cu_buf j = CU_BUF_INIT;
		if (cu_buf_printf(&j, err, "%s%s@s.whatsapp.net", cc, ph) == CU_OK)
			o->jid = cu_buf_detach(&j, NULL);
		cu_buf_release(&j);
		o->name = pref_string(xml.data, xml.len, "push_name");
		o->source_id = a->source_id;
	}
out:
	free(cc);
	free(ph);
	cu_buf_release(&xml);
	return CU_OK;
}

static enum cu_status parse_msgstore(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     struct cu_error *err)
{
	sqlite3 *db = NULL;
	enum cu_status rc;
	struct owner_find own = {NULL, NULL, CU_UNKNOWN};
	bool cur, leg;
	struct cu_error first;
	struct wa_names names = {NULL, NULL, NULL, NULL};
	struct cu_buf pat = CU_BUF_INIT;

	cu_error_clear(&first);
	if ((rc = cu_parse_open_db(ctx, a, &db, err)) != CU_OK)
		goto out;
	cur = cu_sqlite_has_table(db, "message") && cu_sqlite_has_column(db, "message", "_id") &&
	      cu_sqlite_has_column(db, "message", "chat_row_id");
	leg = cu_sqlite_has_table(db, "messages") &&
	      cu_sqlite_has_column(db, "messages", "key_remote_jid") &&
	      cu_sqlite_has_column(db, "messages", "_id");
	if (!cur && !leg) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': neither table 'message' nor 'messages' found: not a "
				  "WhatsApp msgstore.db",
				  a->device_path);
		goto out;
	}
	if (cu_parse_sibling_glob(a, "shared_prefs/*_preferences_light.xml", &pat))
		cu_parse_find_optional(ctx, a, pat.data, owner_from_prefs, &own);
	if (cu_parse_sibling_glob(a, "databases/wa.db", &pat))
		cu_parse_find_optional(ctx, a, pat.data, wa_db_found, &names);
	if (own.jid != NULL) {
		struct cu_account acc = {APP, own.jid, own.name, own.source_id};
		if ((rc = cu_sink_account(ctx, &acc, err)) != CU_OK)
			goto out;
	}
	if ((rc = cu_parse_section(parse_chats(ctx, a, db, err), "chats", err, &first)) != CU_OK)
		goto out;
	if (cur && (rc = cu_parse_section(parse_current(ctx, a, db, own.jid, &names, err),
					  "table 'message'", err, &first)) != CU_OK)
		goto out;
	if (leg && (rc = cu_parse_section(parse_legacy(ctx, a, db, cur, own.jid, &names, err),
					  "table 'messages'", err, &first)) != CU_OK)
		goto out;
	if ((rc = cu_parse_section(parse_calls(ctx, a, db, err), "table 'call_log'", err,
				   &first)) != CU_OK)
		goto out;
	rc = cu_parse_finish(&first, err);
out:
	if (db)
		sqlite3_close(db);
	wa_names_release(&names);
	cu_buf_release(&pat);
	free(own.jid);
	free(own.name);
	return rc;
}

/* ---------------- wa.db ---------------- */

static int probe_wadb(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"wa_contacts", NULL};
	return cu_parse_probe_tables(ctx, a, t, "*com.whatsapp*/databases/wa.db");
}

/* wa.db wa_contacts: the address book as WhatsApp saw it. */
static const struct cu_column_spec wa_contact_columns[] = {
    {"jid", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_IDENTIFIER, true},
    {"display_name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_NAME, true},
    /* the name the user set in WhatsApp */
    {"wa_name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_ALIAS, false},
    {"number", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_PHONE, false},
};
static const struct cu_table_spec wa_contact_spec = {
    .table = "wa_contacts",
    .key = "_id",
    .columns = wa_contact_columns,
    .ncolumns = sizeof(wa_contact_columns) / sizeof(wa_contact_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CONTACT,
};

static enum cu_status parse_wadb(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct cu_error *err)
{
	return cu_spec_parse(ctx, a, &wa_contact_spec, NULL, err);
}

static const char *const msgstore_patterns[] = {"*com.whatsapp*/databases/msgstore.db",
						"*/msgstore.db", "msgstore.db", NULL};
static const char *const wadb_patterns[] = {"*com.whatsapp*/databases/wa.db", NULL};

const struct cu_parser cu_parser_whatsapp_android = {
    "whatsapp-android", APP, CU_PLATFORM_ANDROID, msgstore_patterns, probe_msgstore, parse_msgstore,
};
const struct cu_parser cu_parser_whatsapp_android_contacts = {
    "whatsapp-android-contacts", APP, CU_PLATFORM_ANDROID, wadb_patterns, probe_wadb, parse_wadb,
};
