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

/* Blanks the alias of every "alias.NULL" (a missing column) so the
 * statement stays valid SQL. */
static void fix_nulls(struct cu_buf *sql)
{
	char *p = sql->data;
	while (p && (p = strstr(p, ".NULL")) != NULL) {
		char *q = p;
		while (q > sql->data &&
		       (q[-1] == '_' || (q[-1] >= 'a' && q[-1] <= 'z') ||
			(q[-1] >= 'A' && q[-1] <= 'Z') || (q[-1] >= '0' && q[-1] <= '9')))
			*--q = ' ';
		*p = ' ';
		p += 5;
	}
}

static const char *colx(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			bool have, const char *table, const char *col, bool warn)
{
	if (!have)
		return "NULL";
	return cu_parse_col(ctx, a, db, table, col, warn);
}

static enum cu_status location_body(sqlite3_stmt *st, int lat, int lon, struct cu_buf *b,
				    const char **text, struct cu_error *err)
{
	enum cu_status rc;
	if (sqlite3_column_type(st, lat) == SQLITE_NULL ||
	    sqlite3_column_type(st, lon) == SQLITE_NULL)
		return CU_OK;
	cu_buf_reset(b);
	rc = cu_buf_printf(b, err, "%.6f,%.6f", sqlite3_column_double(st, lat),
			   sqlite3_column_double(st, lon));
	if (rc == CU_OK)
		*text = b->data;
	return rc;
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

/*
 * Both schemas are read into the same column layout:
 * 0 _id, 1 from_me, 2 timestamp, 3 type, 4 text, 5 status, 6 chat jid,
 * 7 sender jid, 8 file path, 9 caption, 10 latitude, 11 longitude
 */
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

static enum cu_status emit_rows(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
				const char *sql, const char *table, const char *owner,
				struct wa_names *names, struct cu_error *err)
{
	sqlite3_stmt *st = NULL;
	struct cu_buf body = CU_BUF_INIT;
	enum cu_status rc;
	struct cu_rows guard;
	int s;

	if ((rc = cu_parse_prepare(a, db, sql, &st, err)) != CU_OK)
		return rc;
	cu_rows_init(&guard, a, 0);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		int64_t type = cu_sqlite_i64(st, 3), status = cu_sqlite_i64(st, 5);
		int64_t from_me = cu_sqlite_i64(st, 1), conv = CU_UNKNOWN;
		const char *chat = cu_sqlite_text(st, 6), *sender_jid = cu_sqlite_text(st, 7);
		const char *text = cu_sqlite_text(st, 4), *kind, *direction, *sender;
		char raw[24];
		struct cu_message m;

		if (text != NULL && *text == '\0')
			text = NULL;
		/* the app's own view: media type 0 with status 6 is a system row */
		if (type == 0 && status == 6)
			type = 7;
		kind = type == CU_UNKNOWN ? "other" : android_kind(type);
		if (strcmp(kind, "system") == 0) {
			direction = "system";
			sender = sender_jid;
		} else if (from_me == 1) {
			direction = "outgoing";
			sender = owner;
		} else {
			direction = "incoming";
			sender = sender_jid && *sender_jid ? sender_jid : chat;
		}
		if (text == NULL && (type == 5 || type == 16)) {
			if ((rc = location_body(st, 10, 11, &body, &text, err)) != CU_OK)
				goto out;
		}
		if (text == NULL)
			text = cu_sqlite_text(st, 9);
		if ((rc = cu_parse_conversation(ctx, APP, chat, NULL,
						chat ? (cu_str_has_suffix(chat, "@g.us") ? 1 : 0)
						     : -1,
						a->source_id, &conv, err)) != CU_OK)
			goto out;
		snprintf(raw, sizeof(raw), "%lld", (long long)cu_sqlite_i64(st, 3));
		memset(&m, 0, sizeof(m));
		m.app = APP;
		m.conversation_id = conv;
		m.sender = sender;
		if (strcmp(direction, "outgoing") != 0)
			m.sender_name = wa_name(names, sender);
		m.direction = direction;
		m.sent_ms = cu_parse_ms_from_unix_ms(cu_sqlite_i64(st, 2));
		m.kind = kind;
		m.body = text;
		m.raw_type = cu_sqlite_i64(st, 3) == CU_UNKNOWN ? NULL : raw;
		m.attachment = cu_sqlite_text(st, 8);
		m.prov = cu_prov_row(a, table, sqlite3_column_int64(st, 0));
		if ((rc = cu_sink_message(ctx, &m, NULL, err)) != CU_OK)
			goto out;
	}
	if (s != SQLITE_DONE)
		rc = cu_rows_error(a, db, s, NULL, err);
out:
	sqlite3_finalize(st);
	cu_buf_release(&body);
	return rc;
}

static enum cu_status parse_current(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				    sqlite3 *db, const char *owner, struct wa_names *names,
				    struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT;
	enum cu_status rc;
	bool jid = cu_sqlite_has_table(db, "jid") && cu_sqlite_has_column(db, "jid", "raw_string");
	bool chat = jid && cu_sqlite_has_table(db, "chat") &&
		    cu_sqlite_has_column(db, "chat", "jid_row_id");
	bool media = cu_sqlite_has_table(db, "message_media") &&
		     cu_sqlite_has_column(db, "message_media", "message_row_id");
	bool loc = cu_sqlite_has_table(db, "message_location") &&
		   cu_sqlite_has_column(db, "message_location", "message_row_id");
	bool sender = jid && cu_sqlite_has_column(db, "message", "sender_jid_row_id");

	if (!chat)
		cu_parse_warn(ctx, a,
			      "tables 'chat'/'jid' missing: messages of table "
			      "'message' have no conversation");
	rc = cu_buf_printf(
	    &sql, err,
	    "SELECT m._id, m.%s, m.%s, m.%s, m.%s, m.%s, %s, %s, %s%s, %s%s, %s%s, "
	    "%s%s FROM message m %s %s %s %s WHERE m.chat_row_id IS NOT -1 "
	    "ORDER BY m._id",
	    cu_parse_col(ctx, a, db, "message", "from_me", true),
	    cu_parse_col(ctx, a, db, "message", "timestamp", true),
	    cu_parse_col(ctx, a, db, "message", "message_type", true),
	    cu_parse_col(ctx, a, db, "message", "text_data", true),
	    cu_parse_col(ctx, a, db, "message", "status", false), chat ? "cj.raw_string" : "NULL",
	    sender ? "sj.raw_string" : "NULL", media ? "mm." : "",
	    colx(ctx, a, db, media, "message_media", "file_path", false), media ? "mm." : "",
	    colx(ctx, a, db, media, "message_media", "media_caption", false), loc ? "ml." : "",
	    colx(ctx, a, db, loc, "message_location", "latitude", false), loc ? "ml." : "",
	    colx(ctx, a, db, loc, "message_location", "longitude", false),
	    chat ? "LEFT JOIN chat c ON c._id = m.chat_row_id "
		   "LEFT JOIN jid cj ON cj._id = c.jid_row_id"
		 : "",
	    sender ? "LEFT JOIN jid sj ON sj._id = m.sender_jid_row_id" : "",
	    media ? "LEFT JOIN message_media mm ON mm.message_row_id = m._id" : "",
	    loc ? "LEFT JOIN message_location ml ON ml.message_row_id = m._id" : "");
	if (rc != CU_OK)
		goto out;
	fix_nulls(&sql);
	rc = emit_rows(ctx, a, db, sql.data, "message", owner, names, err);
out:
	cu_buf_release(&sql);
	return rc;
}

static enum cu_status parse_legacy(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   sqlite3 *db, bool have_current, const char *owner,
				   struct wa_names *names, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT;
	enum cu_status rc;
	bool media = cu_sqlite_has_table(db, "message_media") &&
		     cu_sqlite_has_column(db, "message_media", "message_row_id") &&
		     cu_sqlite_has_column(db, "message_media", "file_path");
	const char *t = "messages";

	rc = cu_buf_printf(
	    &sql, err,
	    "SELECT l._id, l.%s, l.%s, CAST(l.%s AS INTEGER), l.%s, l.%s, l.key_remote_jid, "
	    "l.%s, %s, l.%s, l.%s, l.%s FROM messages l %s "
	    "WHERE l.key_remote_jid IS NOT '-1' %s ORDER BY l._id",
	    cu_parse_col(ctx, a, db, t, "key_from_me", true),
	    cu_parse_col(ctx, a, db, t, "timestamp", true),
	    cu_parse_col(ctx, a, db, t, "media_wa_type", true),
	    cu_parse_col(ctx, a, db, t, "data", true), cu_parse_col(ctx, a, db, t, "status", false),
	    cu_parse_col(ctx, a, db, t, "remote_resource", false), media ? "mm.file_path" : "NULL",
	    cu_parse_col(ctx, a, db, t, "media_caption", false),
	    cu_parse_col(ctx, a, db, t, "latitude", false),
	    cu_parse_col(ctx, a, db, t, "longitude", false),
	    media ? "LEFT JOIN message_media mm ON mm.message_row_id = l._id" : "",
	    have_current ? "AND l._id NOT IN (SELECT _id FROM message)" : "");
	if (rc != CU_OK)
		goto out;
	fix_nulls(&sql);
	rc = emit_rows(ctx, a, db, sql.data, t, owner, names, err);
out:
	cu_buf_release(&sql);
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
	/* call_result codes are not confirmed; a call that lasted was answered */
	c->answered = dur == CU_UNKNOWN ? -1 : dur > 0 ? 1 : 0;
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
