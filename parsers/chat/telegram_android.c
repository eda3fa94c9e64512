/*
 * telegram_android.c - Telegram for Android (org.telegram.messenger and
 * forks), files/cache4.db (APPS.md 5.1), client layers ~104..2xx:
 *
 *   messages_v2 (older clients: messages)  mid, uid, date, out, data
 *       -> messages; data is a TL Message decoded by telegram_tl.c
 *   users(uid, name "First Last;;;username", data TL User) -> contacts,
 *       the owner's account (TL flag `self`)
 *   chats(uid, name)                        -> group/channel titles
 *   user_contacts_v7 + user_phones_v7       -> phone-book contacts
 *   dialogs(did, date)                      -> conversations
 *
 * uid/did: positive = user, negative = -chat id (groups and channels)
 * [sign rules for channels and secret chats unconfirmed: titles are looked
 * up as users for did > 0 and as chats for -did]. Time: `date` Unix s.
 * Direction: `out` (1 = sent), else the TL out flag. Sender: TL from_id,
 * else the owner for outgoing rows, else the peer of a private chat.
 * A blob we cannot decode keeps kind "other", raw_type "tl:0x<ctor>" (or
 * "tl:bad") and its bytes as hex in body (first 4096 bytes).
 *
 * Tests: tests/data/chat/make_telegram.py (an independent TL writer) ->
 * tests/e2e/parse_chat_telegram.sh, tests/golden/chat_telegram.txt; TL
 * reader unit tests tests/unit/test_telegram_tl.c; fuzz
 * tests/fuzz/fuzz_chat_tl.c; fixture fixtures/apps/telegram-android.
 */
#include "parsers/chat/chat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP     "telegram"
#define HEX_MAX 4096

struct tg_run {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	sqlite3 *db;
	sqlite3_stmt *user_name; /* SELECT name FROM users WHERE uid = ? */
	sqlite3_stmt *chat_name; /* SELECT name FROM chats WHERE uid = ? */
	int64_t own;             /* CU_UNKNOWN until known */
	uint64_t bad_utf8, undecoded;
};

/* users.name is "First Last;;;username": the part before ";;;" into b. */
static const char *name_part(const char *s, struct cu_buf *b)
{
	const char *sep;
	if (s == NULL)
		return NULL;
	sep = strstr(s, ";;;");
	cu_buf_reset(b);
	if (cu_buf_append(b, s, sep ? (size_t)(sep - s) : strlen(s), NULL) != CU_OK)
		return NULL;
	return b->len ? b->data : NULL;
}

/* Display name of user uid (> 0) or chat -uid, into b; NULL if unknown. */
static const char *peer_name(struct tg_run *r, int64_t uid, struct cu_buf *b)
{
	sqlite3_stmt *st = uid > 0 ? r->user_name : r->chat_name;
	const char *res = NULL;
	if (st == NULL || uid == 0 || uid == CU_UNKNOWN || uid == INT64_MIN)
		return NULL;
	sqlite3_bind_int64(st, 1, uid > 0 ? uid : -uid);
	if (sqlite3_step(st) == SQLITE_ROW)
		res = name_part(cu_sqlite_text(st, 0), b);
	sqlite3_reset(st);
	return res;
}

/* users (APPS.md 5.1): uid, "First Last;;;username", the TL User blob. */
enum { USER_UID, USER_NAME, USER_DATA };
static const struct cu_column_spec user_columns[] = {
    [USER_UID] = {"uid", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [USER_NAME] = {"name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [USER_DATA] = {"data", CU_AFFINITY_BLOB, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

/* The run, the texts of the contact being sunk and whether it is the
 * account's own user (TL flag self). */
struct users_run {
	struct tg_run *r;
	struct cu_buf name, user, phone, id;
	bool self;
};

static enum cu_status user_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_table_spec *spec, const struct cu_spec_row *row,
			       struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct users_run *ur = arg;
	const struct cu_spec_value *data = &row->v[USER_DATA];
	const char *raw = row->v[USER_NAME].text, *sep;
	struct cu_contact *c = &out->contact;
	struct cu_tl_user u;
	bool have_tl = false;
	enum cu_status rc = CU_OK;

	(void)ctx, (void)a, (void)spec;
	cu_buf_reset(&ur->user);
	cu_buf_reset(&ur->phone);
	cu_buf_reset(&ur->id);
	if (data->type == SQLITE_BLOB && cu_tl_user_decode(data->p, data->n, &u, NULL) == CU_OK)
		have_tl = true;
	if (have_tl && u.phone_len && cu_utf8_valid((const char *)u.phone, u.phone_len))
		rc = cu_buf_append(&ur->phone, u.phone, u.phone_len, err);
	if (rc == CU_OK && raw && (sep = strstr(raw, ";;;")) != NULL && sep[3])
		rc = cu_buf_puts(&ur->user, sep + 3, err);
	else if (rc == CU_OK && have_tl && u.username_len &&
		 cu_utf8_valid((const char *)u.username, u.username_len))
		rc = cu_buf_append(&ur->user, u.username, u.username_len, err);
	if (rc == CU_OK)
		rc = cu_buf_printf(&ur->id, err, "%" PRId64, row->v[USER_UID].i);
	if (rc != CU_OK)
		return rc;
	c->identifier = ur->id.data;
	c->display_name = name_part(raw, &ur->name);
	c->alias = ur->user.len ? ur->user.data : NULL;
	c->phone = ur->phone.len ? ur->phone.data : NULL;
	ur->self = have_tl && u.self;
	return CU_OK;
}

/* The account's own user also becomes the account (the first one). */
static enum cu_status user_sunk(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				const struct cu_spec_row *row, const struct cu_spec_out *out,
				int64_t id, void *arg, struct cu_error *err)
{
	struct users_run *ur = arg;
	struct cu_account acc = {APP, out->contact.identifier, out->contact.display_name,
				 a->source_id};

	(void)id;
	if (!ur->self || ur->r->own != CU_UNKNOWN)
		return CU_OK;
	ur->r->own = row->v[USER_UID].i;
	return cu_sink_account(ctx, &acc, err);
}

static const struct cu_table_spec user_spec = {
    .table = "users",
    .key = "rowid",
    .columns = user_columns,
    .ncolumns = sizeof(user_columns) / sizeof(user_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CONTACT,
    .row = user_row,
    .sunk = user_sunk,
};

static enum cu_status parse_users(struct tg_run *r, struct cu_error *err)
{
	struct users_run ur = {r, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, false};
	enum cu_status rc;

	if (!cu_parse_need_table(r->ctx, r->a, r->db, "users", true))
		return CU_OK;
	rc = cu_spec_run(r->ctx, r->a, r->db, &user_spec, &ur, err);
	cu_buf_release(&ur.name);
	cu_buf_release(&ur.user);
	cu_buf_release(&ur.phone);
	cu_buf_release(&ur.id);
	return rc;
}

/* user_contacts_v7: the phone-book entries; key links the numbers. */
enum { PB_KEY, PB_UID, PB_FNAME, PB_SNAME };
static const struct cu_column_spec phonebook_columns[] = {
    [PB_KEY] = {"key", CU_AFFINITY_ANY, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [PB_UID] = {"uid", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [PB_FNAME] = {"fname", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE, true},
    [PB_SNAME] = {"sname", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE, true},
};

/* The numbers lookup (NULL without user_phones_v7, and for a carved
 * entry) and the texts of the contact being sunk. */
struct phonebook_run {
	sqlite3_stmt *phones;
	struct cu_buf name, phone;
	char id[24];
};

static enum cu_status phonebook_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				    const struct cu_table_spec *spec, const struct cu_spec_row *row,
				    struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct phonebook_run *pr = arg;
	const char *f = row->v[PB_FNAME].text, *l = row->v[PB_SNAME].text;
	int64_t uid = row->v[PB_UID].value;
	struct cu_contact *c = &out->contact;
	enum cu_status rc = CU_OK;

	(void)ctx, (void)a, (void)spec;
	cu_buf_reset(&pr->name);
	if ((f && (rc = cu_buf_puts(&pr->name, f, err)) != CU_OK) ||
	    (f && l && (rc = cu_buf_putc(&pr->name, ' ', err)) != CU_OK) ||
	    (l && (rc = cu_buf_puts(&pr->name, l, err)) != CU_OK))
		return rc;
	if (uid != CU_UNKNOWN && uid != 0) {
		snprintf(pr->id, sizeof(pr->id), "%lld", (long long)uid);
		c->identifier = pr->id;
	}
	c->display_name = pr->name.len ? pr->name.data : NULL;
	if (pr->phones) {
		cu_spec_bind(pr->phones, 1, &row->v[PB_KEY]);
		if (sqlite3_step(pr->phones) == SQLITE_ROW &&
		    cu_parse_nz(cu_sqlite_text(pr->phones, 0)) != NULL) {
			cu_buf_reset(&pr->phone);
			rc = cu_buf_puts(&pr->phone, cu_sqlite_text(pr->phones, 0), err);
			c->phone = pr->phone.data;
		}
		sqlite3_reset(pr->phones);
		sqlite3_clear_bindings(pr->phones);
	}
	return rc;
}

static const struct cu_table_spec phonebook_spec = {
    .table = "user_contacts_v7",
    .key = "rowid",
    .columns = phonebook_columns,
    .ncolumns = sizeof(phonebook_columns) / sizeof(phonebook_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CONTACT,
    .row = phonebook_row,
};

/*
 * The phone book the app synced (user_contacts_v7: fname, sname, uid of a
 * Telegram account or 0; user_phones_v7: the numbers, `deleted` flag):
 * contacts with their numbers, the Telegram user id as identifier when set.
 */
static enum cu_status parse_phonebook(struct tg_run *r, struct cu_error *err)
{
	struct phonebook_run pr = {NULL, CU_BUF_INIT, CU_BUF_INIT, ""};
	const char *t = "user_contacts_v7";
	enum cu_status rc = CU_OK;

	if (!cu_sqlite_has_table(r->db, t) || !cu_sqlite_has_column(r->db, t, "key"))
		return CU_OK;
	if (cu_sqlite_has_table(r->db, "user_phones_v7") &&
	    cu_sqlite_has_column(r->db, "user_phones_v7", "key") &&
	    cu_sqlite_has_column(r->db, "user_phones_v7", "phone") &&
	    cu_sqlite_has_column(r->db, "user_phones_v7", "deleted"))
		rc = cu_parse_prepare(r->a, r->db,
				      "SELECT group_concat(phone, ',') FROM (SELECT p.phone FROM "
				      "user_phones_v7 p WHERE p.key = ?1 AND "
				      "coalesce(p.deleted, 0) = 0 ORDER BY p.rowid)",
				      &pr.phones, err);
	if (rc == CU_OK)
		rc = cu_spec_run(r->ctx, r->a, r->db, &phonebook_spec, &pr, err);
	sqlite3_finalize(pr.phones);
	cu_buf_release(&pr.name);
	cu_buf_release(&pr.phone);
	return rc;
}

static enum cu_status conversation(struct tg_run *r, int64_t did, int64_t *conv,
				   struct cu_error *err)
{
	char ident[24];
	struct cu_buf title = CU_BUF_INIT;
	enum cu_status rc;
	snprintf(ident, sizeof(ident), "%" PRId64, did);
	rc = cu_parse_conversation(r->ctx, APP, ident, peer_name(r, did, &title), did < 0 ? 1 : 0,
				   r->a->source_id, conv, err);
	cu_buf_release(&title);
	return rc;
}

/* dialogs: one conversation per did (user > 0, chat < 0). */
static const struct cu_column_spec dialog_columns[] = {
    {"did", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
};

static enum cu_status dialog_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 const struct cu_table_spec *spec, const struct cu_spec_row *row,
				 struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	int64_t conv;

	(void)ctx, (void)a, (void)spec, (void)out;
	return conversation(arg, row->v[0].i, &conv, err);
}

static const struct cu_table_spec dialog_spec = {
    .table = "dialogs",
    .key = "rowid",
    .columns = dialog_columns,
    .ncolumns = 1,
    .app = APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = dialog_row,
};

static enum cu_status parse_dialogs(struct tg_run *r, struct cu_error *err)
{
	if (!cu_sqlite_has_table(r->db, "dialogs") ||
	    !cu_sqlite_has_column(r->db, "dialogs", "did"))
		return CU_OK;
	return cu_spec_run(r->ctx, r->a, r->db, &dialog_spec, r, err);
}

/* MessageMedia constructor (and its flags) -> kind; NULL if unknown. */
static const char *media_kind(uint32_t c, uint32_t flags)
{
	switch (c) {
	case 0:
	case 0x3DED6320u: return "text"; /* none / messageMediaEmpty */
	case 0x695150D7u: return "image";
	case 0x56E0D474u:
	case 0xB940C666u:
	case 0x2EC0533Fu: return "location";
	case 0x70322949u:
	case 0xCBF24940u: return "contact";
	case 0xA32DD600u:
	case 0xDDF10C3Bu: return "link";
	case 0x52D8CCD9u:
	case 0x4CF4D72Du:
	case 0xDD570BD5u:
	case 0x9CB070D7u:
		/* messageMediaDocument: video flags.6, round flags.7, voice flags.8 */
		if (flags & (1u << 8))
			return "voice";
		if (flags & ((1u << 6) | (1u << 7)))
			return "video";
		return "file";
	case 0x7C4414D3u:
	case 0xF3E02EA8u: return "file";
	default: return NULL;
	}
}

/* messages_v2 / messages (APPS.md 5.1): uid (the dialog), date, out, the
 * TL Message blob. */
enum { MSG_UID, MSG_DATE, MSG_OUT, MSG_DATA };
static const struct cu_column_spec message_columns[] = {
    [MSG_UID] = {"uid", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE, false},
    [MSG_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [MSG_OUT] = {"out", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [MSG_DATA] = {"data", CU_AFFINITY_BLOB, CU_DECODE_RAW, CU_FIELD_NONE, true},
};

/* One message table: the run, the dialog of the last row, the texts of
 * the message being sunk. */
struct message_run {
	struct tg_run *r;
	int64_t last_uid, conv;
	struct cu_buf body, sender, sname, path;
	char raw[64];
};

/* What the TL Message says: kind, body, attachment, raw_type. */
static enum cu_status decoded_message(struct message_run *mr, const struct cu_tl_message *tl,
				      struct cu_message *m, struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	if (tl->service) {
		bool call = tl->action == 0x80E11A7Fu; /* messageActionPhoneCall */
		m->kind = call ? "call" : "system";
		if (!call)
			m->direction = "system";
		snprintf(mr->raw, sizeof(mr->raw), "tl:0x%08x/action:0x%08x", tl->constructor,
			 tl->action);
		return CU_OK;
	}
	const char *k = media_kind(tl->media, tl->media_flags);
	m->kind = k ? k : "other";
	if (tl->local_path) {
		if ((rc = cu_buf_append(&mr->path, tl->local_path, tl->local_path_len, err)) !=
		    CU_OK)
			return rc;
		m->attachment = mr->path.data;
	}
	if (tl->media)
		snprintf(mr->raw, sizeof(mr->raw), "tl:0x%08x/media:0x%08x", tl->constructor,
			 tl->media);
	else
		snprintf(mr->raw, sizeof(mr->raw), "tl:0x%08x", tl->constructor);
	if (tl->text && tl->text_len) {
		/* the TL string's own length: a NUL in the text is kept
		 * (CASEDB.md: nothing is cleaned) */
		if (cu_utf8_valid((const char *)tl->text, tl->text_len)) {
			if ((rc = cu_buf_append(&mr->body, tl->text, tl->text_len, err)) != CU_OK)
				return rc;
			m->body = mr->body.data;
			m->body_len = mr->body.len;
		} else {
			mr->r->bad_utf8++;
		}
	} else if (tl->has_geo) {
		if ((rc = cu_buf_printf(&mr->body, err, "%.6f,%.6f", tl->lat, tl->lon)) != CU_OK)
			return rc;
		m->body = mr->body.data;
	}
	return CU_OK;
}

static enum cu_status message_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct message_run *mr = arg;
	struct tg_run *r = mr->r;
	const struct cu_spec_value *data = &row->v[MSG_DATA];
	struct cu_message *m = &out->message;
	struct cu_tl_message tl;
	struct cu_error terr;
	enum cu_status ts = CU_E_FORMAT, rc;
	int64_t uid = row->v[MSG_UID].i, date = row->v[MSG_DATE].value;
	int64_t out_col = row->v[MSG_OUT].value, from = CU_UNKNOWN;
	bool outgoing;

	(void)ctx, (void)a, (void)spec;
	if (uid != mr->last_uid) {
		if ((rc = conversation(r, uid, &mr->conv, err)) != CU_OK)
			return rc;
		mr->last_uid = uid;
	}
	memset(&tl, 0, sizeof(tl));
	cu_error_clear(&terr);
	if (data->type == SQLITE_BLOB)
		ts = cu_tl_message_decode(data->p, data->n, date, &tl, &terr);
	m->conversation_id = mr->conv;
	outgoing = out_col != CU_UNKNOWN ? out_col != 0 : (ts == CU_OK && tl.out);
	m->direction = outgoing ? "outgoing" : "incoming";
	m->sent_ms = cu_parse_ms_from_unix_s(date != CU_UNKNOWN ? date
					     : ts == CU_OK      ? tl.date
								: CU_UNKNOWN);
	cu_buf_reset(&mr->body);
	cu_buf_reset(&mr->path);
	if (ts == CU_OK) {
		if (tl.from_kind == CU_TL_PEER_USER)
			from = tl.from_id;
		else if (outgoing)
			from = r->own;
		else if (uid > 0 && tl.peer_kind != CU_TL_PEER_CHAT &&
			 tl.peer_kind != CU_TL_PEER_CHANNEL)
			from = uid;
		if ((rc = decoded_message(mr, &tl, m, err)) != CU_OK)
			return rc;
	} else {
		/* not decodable: keep the bytes (APPS.md 5.1 allows raw hex) */
		r->undecoded++;
		m->kind = "other";
		if (tl.constructor)
			snprintf(mr->raw, sizeof(mr->raw), "tl:0x%08x", tl.constructor);
		else
			snprintf(mr->raw, sizeof(mr->raw), "tl:bad");
		if (data->type == SQLITE_BLOB && data->p && data->n) {
			if ((rc = cu_parse_hex(data->p, data->n, HEX_MAX, &mr->body, err)) != CU_OK)
				return rc;
			m->body = mr->body.data;
		}
	}
	m->raw_type = mr->raw;
	cu_buf_reset(&mr->sender);
	if (from != CU_UNKNOWN) {
		if ((rc = cu_buf_printf(&mr->sender, err, "%" PRId64, from)) != CU_OK)
			return rc;
		m->sender = mr->sender.data;
		if (from != r->own)
			m->sender_name = peer_name(r, from, &mr->sname);
	}
	return CU_OK;
}

/* messages_v2 on current clients, messages on older ones: one spec, the
 * run names the table. */
static const struct cu_table_spec message_spec = {
    .key = "rowid",
    .columns = message_columns,
    .ncolumns = sizeof(message_columns) / sizeof(message_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = message_row,
};

static enum cu_status parse_messages(struct tg_run *r, const char *table, struct cu_error *err)
{
	struct message_run mr = {r,           CU_UNKNOWN,  CU_UNKNOWN,  CU_BUF_INIT,
				 CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, ""};
	struct cu_table_spec spec = message_spec;
	enum cu_status rc;

	spec.table = table;
	rc = cu_spec_run(r->ctx, r->a, r->db, &spec, &mr, err);
	cu_buf_release(&mr.body);
	cu_buf_release(&mr.sender);
	cu_buf_release(&mr.sname);
	cu_buf_release(&mr.path);
	return rc;
}

/* The owner from outgoing messages when no user row has `self`: the
 * from_id of outgoing TL messages is the account's own user id. */
static void own_from_outgoing(struct tg_run *r, const char *table)
{
	sqlite3_stmt *st = NULL;
	struct cu_buf sql = CU_BUF_INIT;
	if (!cu_sqlite_has_column(r->db, table, "out") ||
	    !cu_sqlite_has_column(r->db, table, "data"))
		return;
	if (cu_buf_printf(&sql, NULL,
			  "SELECT data, date FROM %s WHERE out = 1 ORDER BY rowid "
			  "LIMIT 50",
			  table) != CU_OK ||
	    sqlite3_prepare_v2(r->db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cu_tl_message tl;
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB)
			continue;
		if (cu_tl_message_decode(sqlite3_column_blob(st, 0),
					 (size_t)sqlite3_column_bytes(st, 0), cu_sqlite_i64(st, 1),
					 &tl, NULL) == CU_OK &&
		    tl.from_kind == CU_TL_PEER_USER) {
			r->own = tl.from_id;
			break;
		}
	}
out:
	sqlite3_finalize(st);
	cu_buf_release(&sql);
}

static int probe_tg(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"messages_v2", NULL};
	sqlite3 *db = NULL;
	int score = cu_parse_probe_tables(ctx, a, t, "*org.telegram.*/cache4.db");
	/* older clients: `messages` with users and dialogs */
	if (score < 90 && cu_parse_open_db(ctx, a, &db, NULL) == CU_OK &&
	    cu_sqlite_has_table(db, "messages") && cu_sqlite_has_table(db, "users") &&
	    cu_sqlite_has_table(db, "dialogs"))
		score = 90;
	if (db)
		sqlite3_close(db);
	return score;
}

static enum cu_status parse_tg(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       struct cu_error *err)
{
	struct tg_run r;
	enum cu_status rc;
	const char *table;
	struct cu_error first;

	cu_error_clear(&first);
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.a = a;
	r.own = CU_UNKNOWN;
	if ((rc = cu_parse_open_db(ctx, a, &r.db, err)) != CU_OK)
		goto out;
	table = cu_sqlite_has_table(r.db, "messages_v2") ? "messages_v2"
		: cu_sqlite_has_table(r.db, "messages")  ? "messages"
							 : NULL;
	if (cu_sqlite_has_table(r.db, "users") && cu_sqlite_has_column(r.db, "users", "name"))
		(void)sqlite3_prepare_v2(r.db, "SELECT name FROM users WHERE uid = ?1", -1,
					 &r.user_name, NULL);
	if (cu_sqlite_has_table(r.db, "chats") && cu_sqlite_has_column(r.db, "chats", "name"))
		(void)sqlite3_prepare_v2(r.db, "SELECT name FROM chats WHERE uid = ?1", -1,
					 &r.chat_name, NULL);
	if ((rc = cu_parse_section(parse_users(&r, err), "table 'users'", err, &first)) != CU_OK)
		goto out;
	if ((rc = cu_parse_section(parse_phonebook(&r, err), "table 'user_contacts_v7'", err,
				   &first)) != CU_OK)
		goto out;
	if (r.own == CU_UNKNOWN && table) {
		own_from_outgoing(&r, table);
		if (r.own != CU_UNKNOWN) {
			char id[24];
			struct cu_buf nm = CU_BUF_INIT;
			snprintf(id, sizeof(id), "%" PRId64, r.own);
			struct cu_account acc = {APP, id, peer_name(&r, r.own, &nm), a->source_id};
			rc = cu_sink_account(ctx, &acc, err);
			cu_buf_release(&nm);
			if (rc != CU_OK)
				goto out;
		}
	}
	if ((rc = cu_parse_section(parse_dialogs(&r, err), "table 'dialogs'", err, &first)) !=
	    CU_OK)
		goto out;
	if (table == NULL) {
		cu_parse_warn(ctx, a, "no 'messages_v2' or 'messages' table; no messages");
	} else if (!cu_sqlite_has_column(r.db, table, "uid")) {
		cu_parse_warn(ctx, a, "column '%s.uid' missing; messages skipped", table);
	} else if ((rc = cu_parse_section(parse_messages(&r, table, err), "messages", err,
					  &first)) != CU_OK) {
		goto out;
	}
	if (r.undecoded)
		cu_parse_warn(ctx, a,
			      "%llu message blobs not decodable (unknown TL constructor or "
			      "damaged); kept as kind 'other' with the bytes in hex",
			      (unsigned long long)r.undecoded);
	if (r.bad_utf8)
		cu_parse_warn(ctx, a, "%llu message texts are not valid UTF-8; left empty",
			      (unsigned long long)r.bad_utf8);
	rc = cu_parse_finish(&first, err);
out:
	sqlite3_finalize(r.user_name);
	sqlite3_finalize(r.chat_name);
	if (r.db)
		sqlite3_close(r.db);
	return rc;
}

static const char *const tg_patterns[] = {
    "*org.telegram.*/files/cache4.db",
    "*org.telegram.*/files/account[0-9]*/cache4.db",
    "*/cache4.db",
    NULL,
};

const struct cu_parser cu_parser_telegram_android = {
    "telegram-android", APP, CU_PLATFORM_ANDROID, tg_patterns, probe_tg, parse_tg,
};
