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

static enum cu_status parse_sessions(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     sqlite3 *db, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	enum cu_status rc;
	struct cu_rows guard;
	int s;

	if (!cu_parse_need_table(ctx, a, db, "ZWACHATSESSION", true))
		return CU_OK;
	if (!cu_sqlite_has_column(db, "ZWACHATSESSION", "ZCONTACTJID")) {
		cu_parse_warn(ctx, a,
			      "column 'ZWACHATSESSION.ZCONTACTJID' missing; "
			      "conversations not listed");
		return CU_OK;
	}
	rc =
	    cu_buf_printf(&sql, err, "SELECT ZCONTACTJID, %s, %s FROM ZWACHATSESSION ORDER BY Z_PK",
			  cu_parse_col(ctx, a, db, "ZWACHATSESSION", "ZPARTNERNAME", true),
			  cu_parse_col(ctx, a, db, "ZWACHATSESSION", "ZSESSIONTYPE", false));
	if (rc != CU_OK)
		goto out;
	if ((rc = cu_parse_prepare(a, db, sql.data, &st, err)) != CU_OK)
		goto out;
	cu_rows_init(&guard, a, -1);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		const char *jid = cu_sqlite_text(st, 0);
		int64_t type = cu_sqlite_i64(st, 2);
		int64_t id;
		int grp = jid && cu_str_has_suffix(jid, "@g.us") ? 1 : type == 1 ? 1 : 0;
		if (jid == NULL)
			continue;
		rc = cu_parse_conversation(ctx, APP, jid, cu_parse_nz(cu_sqlite_text(st, 1)), grp,
					   a->source_id, &id, err);
		if (rc != CU_OK)
			goto out;
	}
	if (s != SQLITE_DONE)
		rc = cu_rows_error(a, db, s, NULL, err);
out:
	sqlite3_finalize(st);
	cu_buf_release(&sql);
	return rc;
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

static enum cu_status parse_chat(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct cu_buf sql = CU_BUF_INIT, body = CU_BUF_INIT;
	char *owner = NULL;
	enum cu_status rc;
	bool has_sess, has_member, has_media, has_push;
	struct cu_error first;
	struct cu_rows guard;
	int s;

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
	has_sess = cu_sqlite_has_table(db, "ZWACHATSESSION") &&
		   cu_sqlite_has_column(db, "ZWACHATSESSION", "ZCONTACTJID");
	has_member = cu_sqlite_has_table(db, "ZWAGROUPMEMBER");
	has_media = cu_sqlite_has_table(db, "ZWAMEDIAITEM");
	has_push = cu_sqlite_has_column(db, "ZWAMESSAGE", "ZFROMJID") &&
		   cu_sqlite_has_table(db, "ZWAPROFILEPUSHNAME") &&
		   cu_sqlite_has_column(db, "ZWAPROFILEPUSHNAME", "ZJID") &&
		   cu_sqlite_has_column(db, "ZWAPROFILEPUSHNAME", "ZPUSHNAME");
	/* a join only when both sides have the key columns; the column order
	 * of this SELECT is used by index below */
	has_sess = has_sess && cu_sqlite_has_column(db, "ZWAMESSAGE", "ZCHATSESSION");
	has_member = has_member && cu_sqlite_has_column(db, "ZWAMESSAGE", "ZGROUPMEMBER");
	has_media = has_media && cu_sqlite_has_column(db, "ZWAMESSAGE", "ZMEDIAITEM");
#define JCOL(have, table, col, expr)                                                               \
	((have) && cu_sqlite_has_column(db, table, col) ? (expr) : "NULL")
	rc = cu_buf_printf(
	    &sql, err,
	    "SELECT m.Z_PK, m.%s, m.%s, m.%s, m.%s, m.%s, m.%s, "
	    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s "
	    "FROM ZWAMESSAGE m %s %s %s ORDER BY m.Z_PK",
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZISFROMME", true),
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZMESSAGEDATE", true),
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZMESSAGETYPE", true),
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZTEXT", true),
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZFROMJID", true),
	    cu_parse_col(ctx, a, db, "ZWAMESSAGE", "ZTOJID", false),
	    has_sess ? "c.ZCONTACTJID" : "NULL",
	    JCOL(has_sess, "ZWACHATSESSION", "ZPARTNERNAME", "c.ZPARTNERNAME"),
	    JCOL(has_member, "ZWAGROUPMEMBER", "ZMEMBERJID", "g.ZMEMBERJID"),
	    JCOL(has_member, "ZWAGROUPMEMBER", "ZCONTACTNAME", "g.ZCONTACTNAME"),
	    /* a subquery, not a join: duplicate ZJID rows must not duplicate messages */
	    !has_push ? "NULL"
	    : has_member && cu_sqlite_has_column(db, "ZWAGROUPMEMBER", "ZMEMBERJID")
		? "(SELECT p.ZPUSHNAME FROM ZWAPROFILEPUSHNAME p WHERE p.ZJID = "
		  "COALESCE(g.ZMEMBERJID, m.ZFROMJID) ORDER BY p.Z_PK LIMIT 1)"
		: "(SELECT p.ZPUSHNAME FROM ZWAPROFILEPUSHNAME p WHERE p.ZJID = m.ZFROMJID "
		  "ORDER BY p.Z_PK LIMIT 1)",
	    JCOL(has_media, "ZWAMEDIAITEM", "ZMEDIALOCALPATH", "mi.ZMEDIALOCALPATH"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZLATITUDE", "mi.ZLATITUDE"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZLONGITUDE", "mi.ZLONGITUDE"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZVCARDNAME", "mi.ZVCARDNAME"),
	    JCOL(has_media, "ZWAMEDIAITEM", "ZTITLE", "mi.ZTITLE"),
	    has_sess ? "LEFT JOIN ZWACHATSESSION c ON c.Z_PK = m.ZCHATSESSION" : "",
	    has_member ? "LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER" : "",
	    has_media ? "LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM" : "");
#undef JCOL
	if (rc != CU_OK)
		goto out;
	/* "m.NULL" (a missing column) is not valid SQL */
	{
		char *p;
		while ((p = strstr(sql.data, "m.NULL")) != NULL)
			memcpy(p, "  NULL", 6);
	}
	if ((rc = cu_parse_prepare(a, db, sql.data, &st, err)) != CU_OK)
		goto out;
	cu_rows_init(&guard, a, 0);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		int64_t pk = sqlite3_column_int64(st, 0);
		int64_t from_me = cu_sqlite_i64(st, 1);
		int64_t type = cu_sqlite_i64(st, 3);
		const char *chat_jid = cu_sqlite_text(st, 7);
		const char *member = cu_sqlite_text(st, 9);
		const char *sender = NULL, *sender_name = NULL, *direction, *kind;
		const char *text = cu_sqlite_text(st, 4);
		int64_t conv = CU_UNKNOWN;
		struct cu_message m;

		kind = type == CU_UNKNOWN ? "other" : ios_kind(type);
		if (strcmp(kind, "system") == 0) {
			direction = "system";
			sender = member;
		} else if (from_me == 1) {
			direction = "outgoing";
			sender = owner;
		} else {
			direction = "incoming";
			sender = member ? member : cu_sqlite_text(st, 5);
			sender_name = cu_parse_nz(cu_sqlite_text(st, 10));
			if (sender_name == NULL)
				sender_name = cu_parse_nz(cu_sqlite_text(st, 11));
			if (sender_name == NULL && member == NULL && chat_jid &&
			    !cu_str_has_suffix(chat_jid, "@g.us"))
				sender_name = cu_parse_nz(cu_sqlite_text(st, 8));
		}
		cu_buf_reset(&body);
		if (text == NULL && type == 5 && sqlite3_column_type(st, 13) != SQLITE_NULL &&
		    sqlite3_column_type(st, 14) != SQLITE_NULL) {
			/* location: fixed 6 decimals, deterministic */
			if ((rc = cu_buf_printf(&body, err, "%.6f,%.6f",
						sqlite3_column_double(st, 13),
						sqlite3_column_double(st, 14))) != CU_OK)
				goto out;
			text = body.data;
		} else if (text == NULL && type == 4) {
			text = cu_sqlite_text(st, 15);
		} else if (text == NULL && (type == 1 || type == 2 || type == 8)) {
			text = cu_sqlite_text(st, 16); /* media caption/title */
		}
		if ((rc = cu_parse_conversation(ctx, APP, chat_jid, NULL, -1, a->source_id, &conv,
						err)) != CU_OK)
			goto out;
		char raw[24];
		snprintf(raw, sizeof(raw), "%lld", (long long)type);
		memset(&m, 0, sizeof(m));
		m.app = APP;
		m.conversation_id = conv;
		m.sender = sender;
		m.sender_name = sender_name;
		m.direction = direction;
		m.sent_ms = sqlite3_column_type(st, 2) == SQLITE_NULL
				? CU_UNKNOWN
				: cu_parse_ms_from_cocoa_s(sqlite3_column_double(st, 2));
		m.kind = kind;
		m.body = text;
		m.raw_type = type == CU_UNKNOWN ? NULL : raw;
		m.attachment = cu_sqlite_text(st, 12);
		m.prov = cu_prov_row(a, "ZWAMESSAGE", pk);
		if ((rc = cu_sink_message(ctx, &m, NULL, err)) != CU_OK)
			goto out;
	}
	if (s != SQLITE_DONE) {
		rc = cu_rows_error(a, db, s, NULL, err);
		goto out;
	}
	rc = cu_parse_finish(&first, err);
out:
	sqlite3_finalize(st);
	if (db)
		sqlite3_close(db);
	cu_buf_release(&sql);
	cu_buf_release(&body);
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
