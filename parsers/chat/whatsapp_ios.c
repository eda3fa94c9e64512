/*
 * whatsapp_ios.c - WhatsApp for iOS (net.whatsapp.WhatsApp), Core Data
 * stores in the shared app group (backup domain
 * AppDomainGroup-group.net.whatsapp.WhatsApp.shared), APPS.md 4.2:
 *
 *   ChatStorage.sqlite  ZWAMESSAGE, ZWACHATSESSION, ZWAGROUPMEMBER,
 *                       ZWAMEDIAITEM, ZWAPROFILEPUSHNAME -> messages,
 *                       conversations, the owner's account
 *   ContactsV2.sqlite   ZWAADDRESSBOOKCONTACT -> contacts
 *   CallHistory.sqlite  ZWACDCALLEVENT, ZWAAGGREGATECALLEVENT,
 *                       ZWACDCALLEVENTPARTICIPANT -> calls
 *
 * Checked against the real store of WhatsApp 2.21/2.22 (Core Data model
 * 2.12.14) from Josh Hickman's iOS 15 image:
 * /work/shared/samples/ios-whatsapp/josh_ios15 (tests/e2e/parse_chat_whatsapp.sh,
 * tests/golden/chat_whatsapp_ios_*.txt); fixture fixtures/apps/whatsapp*.
 *
 * Times: ZMESSAGEDATE, ZDATE are Cocoa seconds (REAL), rounded to ms.
 * Direction: ZISFROMME; ZMESSAGETYPE 6 and 10 are system rows. Group
 * incoming sender: ZGROUPMEMBER -> ZWAGROUPMEMBER.ZMEMBERJID, else ZFROMJID.
 * The owner's own JID is not stored as such: we take the most frequent
 * ZTOJID of received messages that is a user JID (@s.whatsapp.net), which
 * is what WhatsApp writes as the recipient of every received message.
 */
#include "parsers/chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP "whatsapp"

/* ZMESSAGETYPE -> CASEDB kind (APPS.md 4.2). */
static const char *ios_kind(int64_t t)
{
	switch (t) {
	case 0: return "text";
	case 1:
	case 38: return "image";
	case 2:
	case 11:
	case 39:
	case 54: return "video";
	case 3:
	case 53: return "voice";
	case 4: return "contact";
	case 5: return "location";
	case 6:
	case 10: return "system";
	case 7: return "link";
	case 8: return "file";
	case 14: return "recalled";
	case 15: return "sticker";
	case 59: return "call";
	default: return "other";
	}
}

static int probe_chat(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"ZWAMESSAGE", NULL};
	return cu_parse_probe_tables(ctx, a, t, "*net.whatsapp.WhatsApp*ChatStorage.sqlite");
}

/* ZWACHATSESSION: one conversation per chat. */
enum { WS_JID, WS_PARTNER, WS_TYPE };
static const struct cu_column_spec session_columns[] = {
    [WS_JID] = {"ZCONTACTJID", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [WS_PARTNER] = {"ZPARTNERNAME", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE, true},
    /* 1 = group */
    [WS_TYPE] = {"ZSESSIONTYPE", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false},
};

static enum cu_status session_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	const char *jid = row->v[WS_JID].text;
	int grp = jid && cu_str_has_suffix(jid, "@g.us") ? 1 : row->v[WS_TYPE].value == 1 ? 1 : 0;
	int64_t id;

	(void)spec, (void)out, (void)arg;
	if (jid == NULL)
		return CU_OK;
	return cu_parse_conversation(ctx, APP, jid, row->v[WS_PARTNER].text, grp, a->source_id, &id,
				     err);
}

static const struct cu_table_spec session_spec = {
    .table = "ZWACHATSESSION",
    .key = "Z_PK",
    .columns = session_columns,
    .ncolumns = sizeof(session_columns) / sizeof(session_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = session_row,
};

static enum cu_status parse_sessions(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     sqlite3 *db, struct cu_error *err)
{
	if (!cu_parse_need_table(ctx, a, db, "ZWACHATSESSION", true))
		return CU_OK;
	if (!cu_sqlite_has_column(db, "ZWACHATSESSION", "ZCONTACTJID")) {
		cu_parse_warn(ctx, a,
			      "column 'ZWACHATSESSION.ZCONTACTJID' missing; "
			      "conversations not listed");
		return CU_OK;
	}
	return cu_spec_run(ctx, a, db, &session_spec, NULL, err);
}

/* The owner's JID (see the header comment), malloc'ed, or NULL. */
static char *owner_jid(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *jid = NULL;
	if (!cu_sqlite_has_column(db, "ZWAMESSAGE", "ZTOJID") ||
	    !cu_sqlite_has_column(db, "ZWAMESSAGE", "ZISFROMME"))
		return NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT ZTOJID FROM ZWAMESSAGE WHERE ZISFROMME = 0 AND "
			       "ZTOJID LIKE '%@s.whatsapp.net' GROUP BY ZTOJID "
			       "ORDER BY count(*) DESC, ZTOJID LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && cu_sqlite_text(st, 0) != NULL)
		jid = cu_strdup(cu_sqlite_text(st, 0));
	sqlite3_finalize(st);
	return jid;
}

/* ZWAMESSAGE (APPS.md 4.2); the session, group member, push name and
 * media item of a message come from one lookup (related_sql). */
enum {
	WM_FROM_ME,
	WM_DATE,
	WM_TYPE,
	WM_TEXT,
	WM_FROM_JID,
	WM_TO_JID,
	WM_SESSION,
	WM_MEMBER,
	WM_MEDIA
};
static const struct cu_column_spec message_columns[] = {
    [WM_FROM_ME] = {"ZISFROMME", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [WM_DATE] = {"ZMESSAGEDATE", CU_AFFINITY_REAL, CU_DECODE_COCOA_S, CU_FIELD_MESSAGE_SENT, true},
    [WM_TYPE] = {"ZMESSAGETYPE", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [WM_TEXT] = {"ZTEXT", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [WM_FROM_JID] = {"ZFROMJID", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [WM_TO_JID] = {"ZTOJID", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [WM_SESSION] = {"ZCHATSESSION", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [WM_MEMBER] = {"ZGROUPMEMBER", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [WM_MEDIA] = {"ZMEDIAITEM", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

/* Columns of the lookup. */
enum { R_CHAT, R_PARTNER, R_MEMBER, R_MEMBER_NAME, R_PUSH, R_PATH, R_LAT, R_LON, R_VCARD, R_TITLE };

/* The lookup of a message: ?1 ZCHATSESSION, ?2 ZGROUPMEMBER, ?3
 * ZMEDIAITEM, ?4 ZFROMJID (a column is NULL when its table or key column
 * is missing). */
static enum cu_status related_sql(sqlite3 *db, struct cu_buf *sql, struct cu_error *err)
{
	bool has_sess = cu_sqlite_has_table(db, "ZWACHATSESSION") &&
			cu_sqlite_has_column(db, "ZWACHATSESSION", "ZCONTACTJID") &&
			cu_sqlite_has_column(db, "ZWAMESSAGE", "ZCHATSESSION");
	bool has_member = cu_sqlite_has_table(db, "ZWAGROUPMEMBER") &&
			  cu_sqlite_has_column(db, "ZWAMESSAGE", "ZGROUPMEMBER");
	bool has_media = cu_sqlite_has_table(db, "ZWAMEDIAITEM") &&
			 cu_sqlite_has_column(db, "ZWAMESSAGE", "ZMEDIAITEM");
	bool has_push = cu_sqlite_has_column(db, "ZWAMESSAGE", "ZFROMJID") &&
			cu_sqlite_has_table(db, "ZWAPROFILEPUSHNAME") &&
			cu_sqlite_has_column(db, "ZWAPROFILEPUSHNAME", "ZJID") &&
			cu_sqlite_has_column(db, "ZWAPROFILEPUSHNAME", "ZPUSHNAME");
	bool member_jid = has_member && cu_sqlite_has_column(db, "ZWAGROUPMEMBER", "ZMEMBERJID");
#define JCOL(have, table, col, expr)                                                               \
	((have) && cu_sqlite_has_column(db, table, col) ? (expr) : "NULL")
	enum cu_status rc = cu_buf_printf(
	    sql, err, "SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s",
	    has_sess ? "(SELECT ZCONTACTJID FROM ZWACHATSESSION WHERE Z_PK = ?1)" : "NULL",
	    JCOL(has_sess, "ZWACHATSESSION", "ZPARTNERNAME",
		 "(SELECT ZPARTNERNAME FROM ZWACHATSESSION WHERE Z_PK = ?1)"),
	    JCOL(has_member, "ZWAGROUPMEMBER", "ZMEMBERJID",
		 "(SELECT ZMEMBERJID FROM ZWAGROUPMEMBER WHERE Z_PK = ?2)"),
	    JCOL(has_member, "ZWAGROUPMEMBER", "ZCONTACTNAME",
		 "(SELECT ZCONTACTNAME FROM ZWAGROUPMEMBER WHERE Z_PK = ?2)"),
	    /* the first of duplicate ZJID rows */
	    !has_push    ? "NULL"
	    : member_jid ? "(SELECT p.ZPUSHNAME FROM ZWAPROFILEPUSHNAME p WHERE p.ZJID = "
			   "COALESCE((SELECT ZMEMBERJID FROM ZWAGROUPMEMBER WHERE Z_PK = ?2), ?4) "
			   "ORDER BY p.Z_PK LIMIT 1)"
			 : "(SELECT p.ZPUSHNAME FROM ZWAPROFILEPUSHNAME p WHERE p.ZJID = ?4 "
			   "ORDER BY p.Z_PK LIMIT 1)",
	    JCOL(has_media, "ZWAMEDIAITEM", "ZMEDIALOCALPATH",
		 "(SELECT ZMEDIALOCALPATH FROM ZWAMEDIAITEM WHERE Z_PK = ?3)"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZLATITUDE",
		 "(SELECT ZLATITUDE FROM ZWAMEDIAITEM WHERE Z_PK = ?3)"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZLONGITUDE",
		 "(SELECT ZLONGITUDE FROM ZWAMEDIAITEM WHERE Z_PK = ?3)"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZVCARDNAME",
		 "(SELECT ZVCARDNAME FROM ZWAMEDIAITEM WHERE Z_PK = ?3)"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZTITLE",
		 "(SELECT ZTITLE FROM ZWAMEDIAITEM WHERE Z_PK = ?3)"));
#undef JCOL
	return rc;
}

/* The account, the lookup, and the texts of the message being sunk
 * (the lookup's values are copied: it is reset before the sink). */
struct message_run {
	const char *owner;
	sqlite3_stmt *related;
	struct cu_buf body, chat, member, name, attach;
};

/* Column i of the lookup into b, NULL when NULL (nz: or empty). */
static const char *related_text(sqlite3_stmt *q, int i, bool nz, struct cu_buf *b,
				enum cu_status *rc, struct cu_error *err)
{
	const char *s = nz ? cu_parse_nz(cu_sqlite_text(q, i)) : cu_sqlite_text(q, i);

	cu_buf_reset(b);
	if (s == NULL || *rc != CU_OK)
		return NULL;
	*rc = cu_buf_puts(b, s, err);
	return b->data;
}

static enum cu_status message_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct message_run *r = arg;
	const struct cu_spec_value *v = row->v;
	int64_t from_me = v[WM_FROM_ME].value, type = v[WM_TYPE].value;
	const char *chat_jid = NULL, *member = NULL, *sender = NULL, *sender_name = NULL;
	const char *text = v[WM_TEXT].text, *direction, *kind;
	struct cu_message *m = &out->message;
	sqlite3_stmt *q = r->related;
	enum cu_status rc = CU_OK;
	bool have = false;

	(void)spec;
	cu_buf_reset(&r->body);
	cu_buf_reset(&r->attach);
	cu_spec_bind(q, 1, &v[WM_SESSION]);
	cu_spec_bind(q, 2, &v[WM_MEMBER]);
	cu_spec_bind(q, 3, &v[WM_MEDIA]);
	cu_spec_bind(q, 4, &v[WM_FROM_JID]);
	have = sqlite3_step(q) == SQLITE_ROW;
	if (have) {
		chat_jid = related_text(q, R_CHAT, false, &r->chat, &rc, err);
		member = related_text(q, R_MEMBER, false, &r->member, &rc, err);
	}
	kind = type == CU_UNKNOWN ? "other" : ios_kind(type);
	if (strcmp(kind, "system") == 0) {
		direction = "system";
		sender = member;
	} else if (from_me == 1) {
		direction = "outgoing";
		sender = r->owner;
	} else {
		direction = "incoming";
		sender = member ? member : v[WM_FROM_JID].text;
		if (have) {
			sender_name = related_text(q, R_MEMBER_NAME, true, &r->name, &rc, err);
			if (sender_name == NULL)
				sender_name = related_text(q, R_PUSH, true, &r->name, &rc, err);
			if (sender_name == NULL && member == NULL && chat_jid &&
			    !cu_str_has_suffix(chat_jid, "@g.us"))
				sender_name = related_text(q, R_PARTNER, true, &r->name, &rc, err);
		}
	}
	if (have && rc == CU_OK) {
		if (text == NULL && type == 5 && sqlite3_column_type(q, R_LAT) != SQLITE_NULL &&
		    sqlite3_column_type(q, R_LON) != SQLITE_NULL) {
			/* location: fixed 6 decimals, deterministic */
			rc = cu_buf_printf(&r->body, err, "%.6f,%.6f",
					   sqlite3_column_double(q, R_LAT),
					   sqlite3_column_double(q, R_LON));
			text = r->body.data;
		} else if (text == NULL && type == 4) {
			text = related_text(q, R_VCARD, false, &r->body, &rc, err);
		} else if (text == NULL && (type == 1 || type == 2 || type == 8)) {
			/* media caption/title */
			text = related_text(q, R_TITLE, false, &r->body, &rc, err);
		}
		m->attachment = related_text(q, R_PATH, false, &r->attach, &rc, err);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != CU_OK)
		return rc;
	if ((rc = cu_parse_conversation(ctx, APP, chat_jid, NULL, -1, a->source_id,
					&m->conversation_id, err)) != CU_OK)
		return rc;
	snprintf(out->raw_type, sizeof(out->raw_type), "%lld", (long long)type);
	m->sender = sender;
	m->sender_name = sender_name;
	m->direction = direction;
	m->kind = kind;
	m->body = text;
	m->raw_type = type == CU_UNKNOWN ? NULL : out->raw_type;
	return CU_OK;
}

static const struct cu_table_spec message_spec = {
    .table = "ZWAMESSAGE",
    .key = "Z_PK",
    .columns = message_columns,
    .ncolumns = sizeof(message_columns) / sizeof(message_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = message_row,
};

static enum cu_status parse_chat(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct cu_error *err)
{
	sqlite3 *db = NULL;
	struct cu_buf sql = CU_BUF_INIT;
	struct message_run r = {.body = CU_BUF_INIT,
				.chat = CU_BUF_INIT,
				.member = CU_BUF_INIT,
				.name = CU_BUF_INIT,
				.attach = CU_BUF_INIT};
	char *owner = NULL;
	enum cu_status rc;
	struct cu_error first;

	cu_error_clear(&first);
	if ((rc = cu_parse_open_db(ctx, a, &db, err)) != CU_OK)
		goto out;
	if (!cu_sqlite_has_table(db, "ZWAMESSAGE")) {
		rc =
		    cu_error_set(err, CU_E_FORMAT,
				 "'%s': table 'ZWAMESSAGE' missing: not a WhatsApp iOS ChatStorage",
				 a->device_path);
		goto out;
	}
	owner = owner_jid(db);
	if (owner != NULL) {
		struct cu_account acc = {APP, owner, NULL, a->source_id};
		if ((rc = cu_sink_account(ctx, &acc, err)) != CU_OK)
			goto out;
	}
	if ((rc = cu_parse_section(parse_sessions(ctx, a, db, err), "table 'ZWACHATSESSION'", err,
				   &first)) != CU_OK)
		goto out;
	r.owner = owner;
	if ((rc = related_sql(db, &sql, err)) != CU_OK ||
	    (rc = cu_parse_prepare(a, db, sql.data, &r.related, err)) != CU_OK ||
	    (rc = cu_spec_run(ctx, a, db, &message_spec, &r, err)) != CU_OK)
		goto out;
	rc = cu_parse_finish(&first, err);
out:
	sqlite3_finalize(r.related);
	if (db)
		sqlite3_close(db);
	cu_buf_release(&sql);
	cu_buf_release(&r.body);
	cu_buf_release(&r.chat);
	cu_buf_release(&r.member);
	cu_buf_release(&r.name);
	cu_buf_release(&r.attach);
	free(owner);
	return rc;
}

/* ---------------- ContactsV2.sqlite ---------------- */

static int probe_contacts(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"ZWAADDRESSBOOKCONTACT", NULL};
	return cu_parse_probe_tables(ctx, a, t, "*net.whatsapp.WhatsApp*ContactsV2.sqlite");
}

/* ZWAADDRESSBOOKCONTACT: the address book as WhatsApp saw it. */
static const struct cu_column_spec contact_columns[] = {
    {"ZWHATSAPPID", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_IDENTIFIER, true},
    {"ZFULLNAME", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_CONTACT_NAME, true},
    {"ZPHONENUMBER", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_CONTACT_PHONE, true},
};
static const struct cu_table_spec contact_spec = {
    .table = "ZWAADDRESSBOOKCONTACT",
    .key = "Z_PK",
    .columns = contact_columns,
    .ncolumns = sizeof(contact_columns) / sizeof(contact_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CONTACT,
};

static enum cu_status parse_contacts(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     struct cu_error *err)
{
	return cu_spec_parse(ctx, a, &contact_spec, NULL, err);
}

/* ---------------- CallHistory.sqlite ---------------- */

static int probe_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"ZWACDCALLEVENT", NULL};
	return cu_parse_probe_tables(ctx, a, t, "*net.whatsapp.WhatsApp*CallHistory.sqlite");
}

/* ZWACDCALLEVENT: one call each; direction and outcome from its
 * aggregate event, the peers from its participants. */
enum { CE_DATE, CE_DURATION, CE_GROUP, CE_AGGREGATE };
static const struct cu_column_spec call_event_columns[] = {
    [CE_DATE] = {"ZDATE", CU_AFFINITY_REAL, CU_DECODE_COCOA_S, CU_FIELD_CALL_STARTED, true},
    [CE_DURATION] = {"ZDURATION", CU_AFFINITY_REAL, CU_DECODE_RAW, CU_FIELD_NONE, true},
    [CE_GROUP] = {"ZGROUPJIDSTRING", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [CE_AGGREGATE] = {"Z1CALLEVENTS", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

/* Lookups into the aggregate events and participants (NULL when the
 * file lacks them, and for a carved record), and the row's peers. */
struct call_event_run {
	sqlite3_stmt *agg, *part;
	struct cu_buf peers;
};

static enum cu_status call_event_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     const struct cu_table_spec *spec,
				     const struct cu_spec_row *row, struct cu_spec_out *out,
				     void *arg, struct cu_error *err)
{
	struct call_event_run *r = arg;
	const struct cu_spec_value *dur = &row->v[CE_DURATION], *agg = &row->v[CE_AGGREGATE];
	const char *group = row->v[CE_GROUP].text;
	int64_t incoming = CU_UNKNOWN, missed = CU_UNKNOWN;
	struct cu_call *c = &out->call;
	enum cu_status rc = CU_OK;

	(void)ctx, (void)a, (void)spec;
	if (r && r->agg && agg->type != SQLITE_NULL) {
		sqlite3_bind_int64(r->agg, 1, agg->i);
		if (sqlite3_step(r->agg) == SQLITE_ROW) {
			incoming = cu_sqlite_i64(r->agg, 0);
			missed = cu_sqlite_i64(r->agg, 1);
		}
		sqlite3_reset(r->agg);
	}
	if (group && *group) {
		c->counterpart = group;
	} else if (r && r->part) {
		cu_buf_reset(&r->peers);
		sqlite3_bind_int64(r->part, 1, row->rowid);
		if (sqlite3_step(r->part) == SQLITE_ROW && cu_sqlite_text(r->part, 0) != NULL) {
			rc = cu_buf_puts(&r->peers, cu_sqlite_text(r->part, 0), err);
			c->counterpart = r->peers.data;
		}
		sqlite3_reset(r->part);
	}
	c->direction = incoming == CU_UNKNOWN ? NULL : incoming ? "incoming" : "outgoing";
	/* ZDURATION is float seconds; truncated to whole seconds */
	c->duration_s = dur->type == SQLITE_NULL ? CU_UNKNOWN : (int64_t)dur->d;
	c->answered = missed == CU_UNKNOWN ? -1 : missed ? 0 : 1;
	return rc;
}

static const struct cu_table_spec call_event_spec = {
    .table = "ZWACDCALLEVENT",
    .key = "Z_PK",
    .columns = call_event_columns,
    .ncolumns = sizeof(call_event_columns) / sizeof(call_event_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CALL,
    .row = call_event_row,
};

static enum cu_status parse_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  struct cu_error *err)
{
	sqlite3 *db = NULL;
	struct call_event_run r = {NULL, NULL, CU_BUF_INIT};
	const char *t = "ZWACDCALLEVENT";
	enum cu_status rc;
	bool agg, part;

	if ((rc = cu_parse_open_db(ctx, a, &db, err)) != CU_OK)
		goto out;
	if (!cu_sqlite_has_table(db, t)) {
		rc = cu_error_set(err, CU_E_FORMAT, "'%s': table '%s' missing", a->device_path, t);
		goto out;
	}
	agg = cu_parse_need_table(ctx, a, db, "ZWAAGGREGATECALLEVENT", true) &&
	      cu_sqlite_has_column(db, t, "Z1CALLEVENTS") &&
	      cu_sqlite_has_column(db, "ZWAAGGREGATECALLEVENT", "ZINCOMING") &&
	      cu_sqlite_has_column(db, "ZWAAGGREGATECALLEVENT", "ZMISSED");
	part = cu_parse_need_table(ctx, a, db, "ZWACDCALLEVENTPARTICIPANT", true) &&
	       cu_sqlite_has_column(db, "ZWACDCALLEVENTPARTICIPANT", "Z1PARTICIPANTS") &&
	       cu_sqlite_has_column(db, "ZWACDCALLEVENTPARTICIPANT", "ZJIDSTRING");
	if (agg)
		rc = cu_parse_prepare(
		    a, db, "SELECT ZINCOMING, ZMISSED FROM ZWAAGGREGATECALLEVENT WHERE Z_PK = ?1",
		    &r.agg, err);
	if (rc == CU_OK && part)
		rc = cu_parse_prepare(
		    a, db,
		    "SELECT group_concat(j, ',') FROM (SELECT ZJIDSTRING AS j FROM "
		    "ZWACDCALLEVENTPARTICIPANT p WHERE p.Z1PARTICIPANTS = ?1 "
		    "ORDER BY p.Z_PK)",
		    &r.part, err);
	if (rc == CU_OK)
		rc = cu_spec_run(ctx, a, db, &call_event_spec, &r, err);
out:
	sqlite3_finalize(r.agg);
	sqlite3_finalize(r.part);
	if (db)
		sqlite3_close(db);
	cu_buf_release(&r.peers);
	return rc;
}

static const char *const chat_patterns[] = {"*ChatStorage.sqlite", NULL};
static const char *const contacts_patterns[] = {"*ContactsV2.sqlite", NULL};
/* iOS's own call log is CallHistory.storedata; the probe checks the tables. */
static const char *const calls_patterns[] = {"*CallHistory.sqlite", NULL};

const struct cu_parser cu_parser_whatsapp_ios = {
    "whatsapp-ios", APP, CU_PLATFORM_IOS, chat_patterns, probe_chat, parse_chat,
};
const struct cu_parser cu_parser_whatsapp_ios_contacts = {
    "whatsapp-ios-contacts", APP, CU_PLATFORM_IOS, contacts_patterns, probe_contacts,
    parse_contacts,
};
const struct cu_parser cu_parser_whatsapp_ios_calls = {
    "whatsapp-ios-calls", APP, CU_PLATFORM_IOS, calls_patterns, probe_calls, parse_calls,
};
