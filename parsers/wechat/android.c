/*
 * android.c - WeChat Android (com.tencent.mm) EnMicroMsg.db, WeChat 6.x-8.0.x
 * (APPS.md 1): tables message (22- and older 12-column forms), rcontact,
 * chatroom, userinfo, rconversation, WalletLuckyMoney, RemittanceRecord;
 * fixture fixtures/apps/wechat-android/ and tests/data/wechat/.
 *
 * The database is SQLCipher-1 encrypted with key md5_hex(IMEI + uin)[:7]
 * (APPS.md 1.2). Candidates: uin from shared_prefs system_config_prefs.xml
 * (default_uin), auth_info_key_prefs.xml (_auth_uin),
 * com.tencent.mm_preferences.xml (last_login_uin), MicroMsg/systemInfo.cfg
 * (key 1); IMEI from MicroMsg/CompatibleInfo.cfg (key 258), the seizure
 * manifest's identifiers.imei[] and WeChat's fallback "1234567890ABCDEF".
 * uins whose md5("mm" + uin) names the database's directory are tried first.
 * The decrypted copy is registered with cu_parse_derive (DERIVE custody
 * entry, sources.derived_from) and parsed; its pages and offsets match the
 * encrypted file's. An encrypted -wal beside it is decrypted and its
 * committed frames applied (recorded in the derivation); an empty derived
 * record then stands for that WAL so a later parse does not apply it again.
 * A plain EnMicroMsg.db (a decrypted copy, or our derived record on a
 * re-parse) is parsed as is.
 *
 * Attachments are reported relative to the account's media directory
 * (MicroMsg/<userdir>/ on internal storage or the SD card, APPS.md 1.4):
 * image2/<m0m1>/<m2m3>/th_<md5>, voice2/<h0h1>/<h2h3>/msg_<id>.amr with
 * h = md5(id), video/<id>.mp4.
 */
#include "parsers/wechat/wechat_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define IMEI_FALLBACK  "1234567890ABCDEF"
#define PREFS_MAX      (4u << 20)
#define MAX_CANDIDATES 32

static const char *const wechat_android_patterns[] = {
    "*/com.tencent.mm/MicroMsg/*/EnMicroMsg.db",
    NULL,
};

/* ------------------------------------------------------------------ */
/* key candidates                                                       */
/* ------------------------------------------------------------------ */

struct cand {
	char *value;
	const char *source; /* static */
};

struct cands {
	struct cand v[MAX_CANDIDATES];
	size_t n;
};

static void cands_release(struct cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].value);
	c->n = 0;
}

static void cands_add(struct cands *c, const char *value, size_t len, const char *source)
{
	size_t i;
	char *v;

	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\n'))
		len--;
	while (len > 0 && (*value == ' ' || *value == '\n')) {
		value++;
		len--;
	}
	if (len == 0 || len > 64 || c->n == MAX_CANDIDATES)
		return;
	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i].value) == len && memcmp(c->v[i].value, value, len) == 0)
			return;
	v = cu_strndup(value, len);
	if (v == NULL)
		return;
	c->v[c->n].value = v;
	c->v[c->n].source = source;
	c->n++;
}

struct prefs_query {
	const char *key;    /* prefs entry name, or NULL for a .cfg */
	int64_t cfg_key;    /* HashMap key for .cfg files */
	const char *source; /* description for the derivation text */
	struct cands *out;
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *db;
};

static enum cu_status found_cb(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
			       struct cu_error *err)
{
	struct prefs_query *q = arg;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error e;
	char *v = NULL;

	(void)err;
	if (a->work_path == NULL || cu_file_read_all(a->work_path, PREFS_MAX, &b, &e) != CU_OK) {
		cu_parse_warn(ctx, q->db, "cannot read key source '%s'", a->device_path);
		goto out;
	}
	if (q->key != NULL) {
		if (cu_android_prefs_get(b.data, b.len, q->key, &v, &e) == CU_OK)
			cands_add(q->out, v, strlen(v), q->source);
		else if (e.code != CU_E_NOTFOUND)
			cu_parse_warn(ctx, q->db, "key source '%s': %s", a->device_path, e.msg);
	} else {
		struct cu_javamap m = {NULL, 0};
		const char *s;
		if (cu_javaser_int_map_parse((const unsigned char *)b.data, b.len, &m, &e) !=
		    CU_OK) {
			cu_parse_warn(ctx, q->db, "key source '%s': %s", a->device_path, e.msg);
		} else if ((s = cu_javamap_get(&m, q->cfg_key)) != NULL) {
			cands_add(q->out, s, strlen(s), q->source);
		}
		cu_javamap_release(&m);
	}
out:
	free(v);
	cu_buf_release(&b);
	return CU_OK; /* keep looking at every match */
}

static void find_source(struct cu_parse_ctx *ctx, const struct cu_artifact *db, const char *pattern,
			const char *key, int64_t cfg_key, const char *source, struct cands *out)
{
	struct prefs_query q = {key, cfg_key, source, out, ctx, db};
	struct cu_error e;

	cu_error_clear(&e);
	if (cu_parse_find(ctx, pattern, found_cb, &q, &e) != CU_OK && e.code != CU_E_NOTFOUND)
		cu_parse_warn(ctx, db, "looking for '%s': %s", pattern, e.msg);
}

/* The item's IMEIs as the manifest gives them (cu_manifest_item: the
 * seizure record first, then what import found on the device). */
static void manifest_imeis(struct cu_parse_ctx *ctx, struct cands *out)
{
	struct cu_case *c = cu_parse_case(ctx);
	const json_t *it;
	const char *imei;

	it = c ? cu_manifest_item(c->manifest, cu_parse_item(ctx)) : NULL;
	for (size_t i = 0; (imei = cu_manifest_item_imei(it, i)) != NULL; i++)
		cands_add(out, imei, strlen(imei), "manifest");
	/* then what the examiner gave with `custos parse --imei` */
	for (size_t i = 0; (imei = cu_parse_given_imei(ctx, i)) != NULL; i++)
		cands_add(out, imei, strlen(imei), "parse-imei");
}

/* The <userdir> component above EnMicroMsg.db, or "" */
static void userdir_of(const char *device_path, char out[33])
{
	const char *end = strrchr(device_path, '/'), *start;

	out[0] = '\0';
	if (end == NULL || end == device_path)
		return;
	for (start = end - 1; start > device_path && start[-1] != '/'; start--)
		;
	if (end - start == 32) {
		memcpy(out, start, 32);
		out[32] = '\0';
	}
}

static bool is_plain_sqlite(const char *path)
{
	FILE *f = fopen(path, "rb");
	char hdr[16];
	bool plain = false;

	if (f == NULL)
		return false;
	plain = fread(hdr, 1, 16, f) == 16 && memcmp(hdr, "SQLite format 3", 16) == 0;
	fclose(f);
	return plain;
}

static int wechat_android_probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	if (a->work_path == NULL)
		return 50;
	if (is_plain_sqlite(a->work_path))
		return 100;
	return (a->size >= CU_SQLCIPHER1_PAGE && a->size % CU_SQLCIPHER1_PAGE == 0) ? 90 : 10;
}

/* ------------------------------------------------------------------ */
/* parsing a plain EnMicroMsg.db                                        */
/* ------------------------------------------------------------------ */

static sqlite3_stmt *contact_q(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	if (!cu_sqlite_has_table(db, "rcontact") ||
	    sqlite3_prepare_v2(db, "SELECT conRemark, nickname FROM rcontact WHERE username = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

struct android_extra {
	sqlite3_stmt *q_contact;
	sqlite3_stmt *q_room; /* chatroom.displayname; may be NULL */
};

/* wx followed by the Android extra, so the display callback finds it */
struct android_wx {
	struct wx w;
	struct android_extra x;
};

static char *android_display(struct wx *w, const char *username)
{
	/* w is the first member of struct android_wx */
	struct android_extra *x = &((struct android_wx *)w)->x;
	char *out = NULL;
	const char *remark, *nick;

	if (username == NULL)
		return NULL;
	if (x->q_contact != NULL) {
		sqlite3_reset(x->q_contact);
		sqlite3_bind_text(x->q_contact, 1, username, -1, SQLITE_TRANSIENT);
	}
	if (x->q_contact != NULL && sqlite3_step(x->q_contact) == SQLITE_ROW) {
		remark = (const char *)sqlite3_column_text(x->q_contact, 0);
		nick = (const char *)sqlite3_column_text(x->q_contact, 1);
		if (remark != NULL && remark[0] != '\0')
			out = cu_strdup(remark);
		else if (nick != NULL && nick[0] != '\0')
			out = cu_strdup(nick);
	}
	if (x->q_contact != NULL)
		sqlite3_reset(x->q_contact);
	/* an unnamed group shows its members' names (chatroom.displayname,
	 * APPS.md 1.4), which is what the owner saw as its title */
	if (out == NULL && x->q_room != NULL && wx_is_group(username)) {
		const char *dn;

		sqlite3_reset(x->q_room);
		sqlite3_bind_text(x->q_room, 1, username, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(x->q_room) == SQLITE_ROW &&
		    (dn = (const char *)sqlite3_column_text(x->q_room, 0)) != NULL && dn[0] != '\0')
			out = cu_strdup(dn);
		sqlite3_reset(x->q_room);
	}
	return out;
}

static const char *nz(const char *s)
{
	return (s != NULL && s[0] != '\0') ? s : NULL;
}

static enum cu_status parse_userinfo(struct wx *w, struct cu_error *err)
{
	sqlite3_stmt *st = NULL;
	struct cu_account acc;
	enum cu_status s = CU_OK;
	struct cu_rows rows;
	int rc;

	if (!cu_sqlite_has_table(w->db, "userinfo"))
		return CU_OK;
	if (sqlite3_prepare_v2(w->db, "SELECT id, value FROM userinfo WHERE id IN (2, 4)", -1, &st,
			       NULL) != SQLITE_OK)
		return CU_OK;
	cu_rows_init(&rows, w->a, -1);
	while ((rc = cu_rows_step(st, &rows)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 1);
		char **dst = sqlite3_column_int64(st, 0) == 2 ? &w->own_wxid : &w->own_name;
		if (v != NULL && v[0] != '\0' && *dst == NULL)
			*dst = cu_strdup(v);
	}
	sqlite3_finalize(st);
	if (rc == CU_ROWS_DAMAGED)
		return cu_rows_damaged(w->a, err);
	if (w->own_wxid != NULL) {
		memset(&acc, 0, sizeof(acc));
		acc.app = WX_APP;
		acc.identifier = w->own_wxid;
		acc.display_name = w->own_name;
		acc.source_id = w->a->source_id;
		s = cu_sink_account(w->ctx, &acc, err);
	}
	return s;
}

/* rcontact (APPS.md 1): people; group rows are conversations. */
enum { RC_USER, RC_ALIAS, RC_REMARK, RC_NICK };
static const struct cu_column_spec rcontact_columns[] = {
    [RC_USER] = {"username", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_IDENTIFIER},
    [RC_ALIAS] = {"alias", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_CONTACT_ALIAS},
    [RC_REMARK] = {"conRemark", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_CONTACT_REMARK},
    [RC_NICK] = {"nickname", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
};

static enum cu_status rcontact_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   const struct cu_table_spec *spec, const struct cu_spec_row *row,
				   struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	const char *user = row->v[RC_USER].text;

	(void)ctx, (void)a, (void)spec, (void)arg, (void)err;
	/* groups are conversations, not contacts */
	if (user == NULL || user[0] == '\0' || wx_is_group(user)) {
		out->skip = true;
		return CU_OK;
	}
	out->contact.display_name =
	    row->v[RC_REMARK].text ? row->v[RC_REMARK].text : row->v[RC_NICK].text;
	return CU_OK;
}

static const struct cu_table_spec rcontact_spec = {
    .table = "rcontact",
    .key = "rowid",
    .columns = rcontact_columns,
    .ncolumns = sizeof(rcontact_columns) / sizeof(rcontact_columns[0]),
    .app = WX_APP,
    .sink = CU_SPEC_SINK_CONTACT,
    .row = rcontact_row,
};

static enum cu_status parse_contacts(struct wx *w, struct cu_error *err)
{
	if (!cu_sqlite_has_table(w->db, "rcontact"))
		return CU_OK;
	/* every column is needed: a table without one is not read */
	for (size_t i = 0; i < rcontact_spec.ncolumns; i++)
		if (!cu_sqlite_has_column(w->db, "rcontact", rcontact_columns[i].name)) {
			cu_parse_warn(w->ctx, w->a,
				      "rcontact: unexpected columns: no such column: %s",
				      rcontact_columns[i].name);
			return CU_OK;
		}
	return cu_spec_run(w->ctx, w->a, w->db, &rcontact_spec, NULL, err);
}

/* Conversations listed by rconversation and chatroom, in table order. */
static enum cu_status parse_conversations(struct wx *w, struct cu_error *err)
{
	static const char *const sql[] = {
	    "SELECT username FROM rconversation ORDER BY rowid",
	    "SELECT chatroomname FROM chatroom ORDER BY rowid",
	};
	enum cu_status s = CU_OK;
	size_t i;

	for (i = 0; i < 2 && s == CU_OK; i++) {
		sqlite3_stmt *st = NULL;
		struct cu_rows rows;
		int64_t id;
		int rc = SQLITE_DONE;

		if (sqlite3_prepare_v2(w->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			continue;
		cu_rows_init(&rows, w->a, -1);
		while (s == CU_OK && (rc = cu_rows_step(st, &rows)) == SQLITE_ROW) {
			const char *u = (const char *)sqlite3_column_text(st, 0);
			if (u != NULL && u[0] != '\0')
				s = wx_conversation(w, u, &id, err);
		}
		sqlite3_finalize(st);
		if (s == CU_OK && rc == CU_ROWS_DAMAGED)
			s = cu_rows_damaged(w->a, err);
	}
	return s;
}

static char *attachment_for(int64_t type, const char *img_path)
{
	char m[33], buf[512];
	const char *id;

	if (img_path == NULL || img_path[0] == '\0' || strlen(img_path) > 200 ||
	    (strchr(img_path, '/') != NULL && !cu_str_has_prefix(img_path, "THUMBNAIL_DIRPATH://")))
		return NULL;
	switch (type) {
	case 3:
		/* THUMBNAIL_DIRPATH://th_<md5> -> image2/<md5[0:2]>/<md5[2:4]>/th_<md5> */
		id = strrchr(img_path, '_');
		if (!cu_str_has_prefix(img_path, "THUMBNAIL_DIRPATH://th_") || id == NULL ||
		    strlen(id + 1) < 4 || strchr(id + 1, '/') != NULL)
			return NULL;
		id++;
		snprintf(buf, sizeof(buf), "image2/%.2s/%.2s/th_%s", id, id + 2, id);
		return cu_strdup(buf);
	case 34:
		wx_md5_hex(img_path, strlen(img_path), m);
		snprintf(buf, sizeof(buf), "voice2/%.2s/%.2s/msg_%s.amr", m, m + 2, img_path);
		return cu_strdup(buf);
	case 43:
	case 62: snprintf(buf, sizeof(buf), "video/%s.mp4", img_path); return cu_strdup(buf);
	default: return NULL;
	}
}

/* EnMicroMsg.db message (APPS.md 1): type, talker and content are
 * required, the rest optional. */
enum { M_TYPE, M_TALKER, M_CONTENT, M_SVRID, M_SEND, M_TIME, M_IMG };
static const struct cu_column_spec message_columns[] = {
    /* an integer code; other values are kept as text */
    [M_TYPE] = {"type", CU_AFFINITY_INTEGER, CU_DECODE_TEXT, CU_FIELD_NONE},
    [M_TALKER] = {"talker", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [M_CONTENT] = {"content", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [M_SVRID] = {"msgSvrId", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    [M_SEND] = {"isSend", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    /* Unix ms */
    [M_TIME] = {"createTime", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    [M_IMG] = {"imgPath", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
};

/* One row through the WeChat message pipeline (wx_emit sinks). */
static enum cu_status message_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_table_spec *spec, const struct cu_spec_row *row,
				  struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct wx *w = arg;
	const struct cu_spec_value *v = row->v;
	struct wx_row r;
	enum cu_status s;
	char *att;

	(void)ctx, (void)a, (void)spec, (void)out;
	memset(&r, 0, sizeof(r));
	r.rowid = row->rowid;
	r.prov = row->prov.rec ? &row->prov : NULL; /* recovered: its own provenance */
	r.type = v[M_TYPE].i;
	if (v[M_TYPE].type != SQLITE_INTEGER) {
		/* kept as found; an unknown code classifies as "other" */
		r.type = INT64_MIN;
		r.type_text = v[M_TYPE].text;
	}
	r.talker = v[M_TALKER].text;
	r.content = v[M_CONTENT].text;
	r.content_len = v[M_CONTENT].text ? v[M_CONTENT].n : 0;
	r.svrid = v[M_SVRID].type == SQLITE_INTEGER ? v[M_SVRID].i : CU_UNKNOWN;
	r.is_send = v[M_SEND].i == 1;
	r.time_ms =
	    v[M_TIME].type == SQLITE_INTEGER ? cu_parse_ms_from_unix_ms(v[M_TIME].i) : CU_UNKNOWN;
	att = attachment_for(r.type, v[M_IMG].text);
	r.attachment = att;
	s = wx_emit(w, &r, err);
	free(att);
	return s;
}

static const struct cu_table_spec message_spec = {
    .table = "message",
    .key = "rowid",
    .columns = message_columns,
    .ncolumns = sizeof(message_columns) / sizeof(message_columns[0]),
    .app = WX_APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = message_row,
};

static enum cu_status parse_messages(struct wx *w, struct cu_error *err)
{
	if (!cu_sqlite_has_table(w->db, "message"))
		return cu_error_set(err, CU_E_FORMAT, "table 'message' missing in '%s'",
				    w->a->device_path);
	if (!cu_sqlite_has_column(w->db, "message", "type") ||
	    !cu_sqlite_has_column(w->db, "message", "talker") ||
	    !cu_sqlite_has_column(w->db, "message", "content"))
		return cu_error_set(err, CU_E_FORMAT,
				    "table 'message' in '%s' lacks type/talker/content columns",
				    w->a->device_path);
	return cu_spec_run(w->ctx, w->a, w->db, &message_spec, w, err);
}

/* Time columns of the wallet tables: seconds or ms [unconfirmed]. */
static int64_t wallet_ms(int64_t t)
{
	/* seconds or milliseconds, by magnitude */
	return t != CU_UNKNOWN && t < 100000000000LL ? cu_parse_ms_from_unix_s(t)
						     : cu_parse_ms_from_unix_ms(t);
}

/*
 * RemittanceRecord (APPS.md 8.1): one row per transfer the app tracked,
 * kept after the chat messages are deleted. Sunk after the messages: for a
 * transfer already known from its messages the sink only fills what they
 * did not state (status and time stay theirs); a transfer whose messages
 * are gone gets a row with what the record says: id, counterparty,
 * direction (isSend), time (receiveTime).
 * Columns: 2 isSend, 3 talker, 4 receiveTime.
 */
static char *fill_remittance(struct wx *w, sqlite3_stmt *q, struct cu_payment *p)
{
	const char *talker = (const char *)sqlite3_column_text(q, 3);
	char *name = NULL;

	p->kind = "transfer";
	p->amount_minor = CU_UNKNOWN;
	p->direction = sqlite3_column_type(q, 2) != SQLITE_INTEGER ? "unknown"
		       : sqlite3_column_int64(q, 2) == 1           ? "outgoing"
								   : "incoming";
	p->counterparty = nz(talker);
	p->occurred_ms = wallet_ms(cu_sqlite_i64(q, 4));
	if (p->counterparty != NULL && !wx_is_group(p->counterparty))
		p->counterparty_name = name = w->display(w, p->counterparty);
	return name;
}

/*
 * WalletLuckyMoney (APPS.md 8.1): red packets the owner opened, with the
 * amount received (fen [unconfirmed]). Like RemittanceRecord: after the
 * messages, filling unknown fields of known packets (by sendId) or adding
 * the packets whose messages are gone.
 * Columns: 2 receiveAmount, 3 receiveTime, 4 sender.
 */
static char *fill_lucky(struct wx *w, sqlite3_stmt *q, struct cu_payment *p)
{
	const char *sender = nz((const char *)sqlite3_column_text(q, 4));
	int64_t amount = cu_sqlite_i64(q, 2);
	bool mine = sender != NULL && w->own_wxid != NULL && !strcmp(sender, w->own_wxid);
	char *name = NULL;

	p->kind = "red_packet";
	p->direction = sender == NULL ? "unknown" : mine ? "outgoing" : "incoming";
	/* what the owner received; not the value of a packet they sent */
	p->amount_minor = !mine && amount != CU_UNKNOWN && amount > 0 ? amount : CU_UNKNOWN;
	p->counterparty = mine ? NULL : sender;
	p->occurred_ms = wallet_ms(cu_sqlite_i64(q, 3));
	if (p->counterparty != NULL)
		p->counterparty_name = name = w->display(w, p->counterparty);
	return name;
}

typedef char *(*wallet_fill_fn)(struct wx *w, sqlite3_stmt *q, struct cu_payment *p);

/* One wallet row (q: rowid, key, the three columns) into a payment. */
static enum cu_status wallet_row(struct wx *w, sqlite3_stmt *q, const char *table,
				 wallet_fill_fn fill, const struct cu_prov *prov,
				 struct cu_error *err)
{
	struct cu_payment p;
	const char *id = (const char *)sqlite3_column_text(q, 1);
	char *name;
	enum cu_status st;

	if (id == NULL || id[0] == '\0')
		return CU_OK;
	memset(&p, 0, sizeof(p));
	p.app = WX_PAY_APP;
	p.currency = "CNY";
	p.transaction_id = id;
	name = fill(w, q, &p);
	p.message_id = CU_UNKNOWN;
	p.prov = prov ? *prov : cu_prov_row(w->a, table, sqlite3_column_int64(q, 0));
	st = cu_sink_payment(w->ctx, &p, err);
	free(name);
	return st;
}

struct wallet_rec {
	struct wx *w;
	const char *key;
	const char *const *cols;
	wallet_fill_fn fill;
};

static void bind_rec_value(sqlite3_stmt *q, int i, const struct cu_rec_value *v)
{
	switch (v ? v->type : SQLITE_NULL) {
	case SQLITE_INTEGER: sqlite3_bind_int64(q, i, v->i); break;
	case SQLITE_FLOAT: sqlite3_bind_double(q, i, v->d); break;
	case SQLITE_TEXT:
		sqlite3_bind_text(q, i, (const char *)v->p, (int)v->n, SQLITE_STATIC);
		break;
	case SQLITE_BLOB: sqlite3_bind_blob(q, i, v->p, (int)v->n, SQLITE_STATIC); break;
	default: sqlite3_bind_null(q, i);
	}
}

static const struct cu_rec_value *rec_col(const struct cu_rec_record *r, const char *name)
{
	for (size_t k = 0; r->colnames && k < r->ncols; k++)
		if (r->colnames[k] && strcasecmp(r->colnames[k], name) == 0)
			return &r->values[k];
	return NULL;
}

/* A recovered wallet record through the same row code: its values (by
 * column name) as the one row of a SELECT of bound parameters, so fill()
 * reads them exactly as it reads a live row. */
static enum cu_status wallet_recovered(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       const struct cu_rec_record *r, const struct cu_prov *prov,
				       void *arg, struct cu_error *err)
{
	struct wallet_rec *wr = arg;
	sqlite3_stmt *q = NULL;
	enum cu_status st;

	(void)ctx;
	if (sqlite3_prepare_v2(wr->w->db, "SELECT ?1, ?2, ?3, ?4, ?5", -1, &q, NULL) != SQLITE_OK)
		return cu_error_set(err, CU_E_NOMEM, "'%s': preparing a recovered wallet row: %s",
				    a->device_path, sqlite3_errmsg(wr->w->db));
	if (r->rowid != INT64_MIN)
		sqlite3_bind_int64(q, 1, r->rowid);
	bind_rec_value(q, 2, rec_col(r, wr->key));
	for (int i = 0; i < 3; i++)
		bind_rec_value(q, 3 + i, rec_col(r, wr->cols[i]));
	st = sqlite3_step(q) == SQLITE_ROW ? wallet_row(wr->w, q, r->table, wr->fill, prov, err)
					   : CU_OK;
	sqlite3_finalize(q);
	return st;
}

/* One wallet table: rowid, the transaction id column `key` and three
 * optional columns, in rowid order; fill() sets what the row states and
 * returns the counterparty name it allocated (or NULL). Then the table's
 * recovered records through the same code. */
static enum cu_status parse_wallet(struct wx *w, const char *table, const char *key,
				   const char *const cols[3], wallet_fill_fn fill,
				   struct cu_error *err)
{
	sqlite3_stmt *q = NULL;
	enum cu_status st = CU_OK;
	char sql[256];
	struct cu_rows rows;
	int rc = SQLITE_DONE;
	struct wallet_rec wr = {w, key, cols, fill};

	if (!cu_sqlite_has_table(w->db, table) || !cu_sqlite_has_column(w->db, table, key))
		return CU_OK;
	snprintf(sql, sizeof(sql), "SELECT rowid, %s, %s, %s, %s FROM %s ORDER BY rowid", key,
		 cu_sqlite_col_or_null(w->db, table, cols[0]),
		 cu_sqlite_col_or_null(w->db, table, cols[1]),
		 cu_sqlite_col_or_null(w->db, table, cols[2]), table);
	if (sqlite3_prepare_v2(w->db, sql, -1, &q, NULL) != SQLITE_OK)
		return CU_OK;
	cu_rows_init(&rows, w->a, 0);
	while (st == CU_OK && (rc = cu_rows_step(q, &rows)) == SQLITE_ROW)
		st = wallet_row(w, q, table, fill, NULL, err);
	sqlite3_finalize(q);
	if (st == CU_OK && rc == CU_ROWS_DAMAGED)
		st = cu_rows_damaged(w->a, err);
	if (st == CU_OK)
		st = cu_parse_recovered(w->ctx, w->a, table, wallet_recovered, &wr, err);
	return st;
}

static enum cu_status parse_remittance(struct wx *w, struct cu_error *err)
{
	static const char *const cols[3] = {"isSend", "talker", "receiveTime"};

	return parse_wallet(w, "RemittanceRecord", "transferId", cols, fill_remittance, err);
}

static enum cu_status parse_lucky(struct wx *w, struct cu_error *err)
{
	static const char *const cols[3] = {"receiveAmount", "receiveTime", "sender"};

	return parse_wallet(w, "WalletLuckyMoney", "sendId", cols, fill_lucky, err);
}

static enum cu_status parse_plain(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  struct cu_error *err)
{
	struct android_wx aw;
	struct wx *w = &aw.w;
	enum cu_status s;

	memset(&aw, 0, sizeof(aw));
	w->ctx = ctx;
	w->a = a;
	w->table = "message";
	w->display = android_display;
	s = cu_parse_open_db(ctx, a, &w->db, err);
	if (s != CU_OK)
		return s;
	aw.x.q_contact = contact_q(w->db);
	if (cu_sqlite_has_table(w->db, "chatroom") &&
	    cu_sqlite_has_column(w->db, "chatroom", "displayname"))
		sqlite3_prepare_v2(w->db,
				   "SELECT displayname FROM chatroom WHERE chatroomname = ?1", -1,
				   &aw.x.q_room, NULL);
	if (cu_sqlite_has_table(w->db, "message"))
		sqlite3_prepare_v2(w->db,
				   "SELECT type, content, isSend, talker FROM message"
				   " WHERE msgSvrId = ?1 AND rowid <> ?2 ORDER BY rowid LIMIT 1",
				   -1, &w->q_orig, NULL);
	if (cu_sqlite_has_table(w->db, "WalletLuckyMoney"))
		sqlite3_prepare_v2(w->db,
				   "SELECT receiveAmount FROM WalletLuckyMoney"
				   " WHERE msgSvrId = ?1 OR sendId = ?2 ORDER BY rowid LIMIT 1",
				   -1, &w->q_lucky, NULL);
	s = parse_userinfo(w, err);
	if (s == CU_OK)
		s = parse_contacts(w, err);
	if (s == CU_OK)
		s = parse_conversations(w, err);
	if (s == CU_OK)
		s = wx_collect_recalls(w, "SELECT content FROM message WHERE type = 10002", err);
	if (s == CU_OK)
		s = parse_messages(w, err);
	if (s == CU_OK)
		s = parse_remittance(w, err);
	if (s == CU_OK)
		s = parse_lucky(w, err);
	if (s == CU_OK && w->xml_errors > 0)
		cu_parse_warn(ctx, a, "%llu message payloads were not well-formed xml (kept raw)",
			      (unsigned long long)w->xml_errors);
	sqlite3_finalize(aw.x.q_contact);
	sqlite3_finalize(aw.x.q_room);
	wx_release(w);
	sqlite3_close(w->db);
	return s;
}

/* ------------------------------------------------------------------ */
/* decryption                                                          */
/* ------------------------------------------------------------------ */

struct wal_find {
	char *sha256;      /* the -wal's inventory digest */
	const char *empty; /* an empty file to register for it, or NULL */
	const char *derivation;
	enum cu_status status; /* of that registration */
	struct cu_error err;
};

/*
 * The -wal as found in the inventory. Once its frames are in the decrypted
 * database, an empty derived record is registered at its device path: a
 * later parse stages the newest record of each path as the database's
 * sibling, and must not find the encrypted WAL again (SQLite would
 * checkpoint its still-encrypted pages into the decrypted database).
 */
static enum cu_status wal_found(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
				struct cu_error *err)
{
	struct wal_find *wf = arg;
	struct cu_buf rel = CU_BUF_INIT;
	const struct cu_artifact *out = NULL;

	(void)err;
	if (wf->sha256 != NULL)
		return CU_OK;
	if (a->sha256 != NULL)
		wf->sha256 = cu_strdup(a->sha256);
	if (wf->empty == NULL)
		return CU_OK;
	cu_error_clear(&wf->err);
	wf->status = cu_path_from_device(a->device_path, strlen(a->device_path), &rel, &wf->err);
	if (wf->status == CU_OK)
		wf->status = cu_buf_puts(&rel, ".applied", &wf->err);
	if (wf->status == CU_OK)
		wf->status =
		    cu_parse_derive(ctx, a, wf->empty, rel.data, wf->derivation, &out, &wf->err);
	cu_buf_release(&rel);
	return CU_OK;
}

static enum cu_status decrypt_and_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					struct cu_error *err)
{
	struct cands uins = {.n = 0}, imeis = {.n = 0};
	const char *pass[MAX_CANDIDATES * MAX_CANDIDATES];
	char keys[MAX_CANDIDATES * MAX_CANDIDATES][8];
	size_t pi[MAX_CANDIDATES * MAX_CANDIDATES], pu[MAX_CANDIDATES * MAX_CANDIDATES];
	size_t np = 0, i, j, which = 0, nfit = 0;
	char userdir[33], ud[33];
	bool fits[MAX_CANDIDATES];
	struct cu_buf tmp = CU_BUF_INIT, rel = CU_BUF_INIT, deriv = CU_BUF_INIT;
	struct cu_buf wal = CU_BUF_INIT, walnote = CU_BUF_INIT;
	struct cu_sqlcipher1_wal wi;
	struct stat sb;
	const struct cu_artifact *plain = NULL;
	enum cu_status s;
	struct cu_error e;
	int pass_round;

	find_source(ctx, a, "*/com.tencent.mm/shared_prefs/system_config_prefs.xml", "default_uin",
		    0, "system_config_prefs.xml", &uins);
	find_source(ctx, a, "*/com.tencent.mm/shared_prefs/auth_info_key_prefs.xml", "_auth_uin", 0,
		    "auth_info_key_prefs.xml", &uins);
	find_source(ctx, a, "*/com.tencent.mm/shared_prefs/com.tencent.mm_preferences.xml",
		    "last_login_uin", 0, "com.tencent.mm_preferences.xml", &uins);
	find_source(ctx, a, "*/com.tencent.mm/MicroMsg/systemInfo.cfg", NULL, 1, "systemInfo.cfg",
		    &uins);
	find_source(ctx, a, "*/com.tencent.mm/MicroMsg/CompatibleInfo.cfg", NULL, 258,
		    "CompatibleInfo.cfg", &imeis);
	manifest_imeis(ctx, &imeis);
	cands_add(&imeis, IMEI_FALLBACK, strlen(IMEI_FALLBACK), "fallback-1234567890ABCDEF");

	/* uins that name this database's directory first (APPS.md 1.1) */
	userdir_of(a->device_path, userdir);
	for (j = 0; j < uins.n; j++) {
		cu_wechat_userdir(uins.v[j].value, ud);
		fits[j] = userdir[0] != '\0' && strcmp(ud, userdir) == 0;
		nfit += fits[j];
	}
	for (pass_round = 0; pass_round < 2; pass_round++)
		for (j = 0; j < uins.n; j++) {
			if (fits[j] != (pass_round == 0))
				continue;
			for (i = 0; i < imeis.n; i++) {
				cu_wechat_key_derive(imeis.v[i].value, uins.v[j].value, keys[np]);
				pass[np] = keys[np];
				pi[np] = i;
				pu[np] = j;
				np++;
			}
		}
	if (uins.n == 0) {
		s = cu_error_set(err, CU_E_KEY,
				 "cannot decrypt '%s': no uin found (looked in shared_prefs "
				 "system_config_prefs.xml, auth_info_key_prefs.xml, "
				 "com.tencent.mm_preferences.xml and MicroMsg/systemInfo.cfg); "
				 "import the app's shared_prefs to parse this database",
				 a->device_path);
		goto out;
	}
	s = cu_parse_tmp_path(ctx, "EnMicroMsg.db.plain", &tmp, err);
	if (s != CU_OK)
		goto out;
	s = cu_sqlcipher1_decrypt_file(a->work_path, pass, np, tmp.data, &which, &e);
	if (s == CU_E_KEY) {
		s = cu_error_set(err, CU_E_KEY,
				 "cannot decrypt '%s': none of %zu candidate keys works "
				 "(%zu uin candidates, %zu naming this directory; %zu IMEI "
				 "candidates incl. the manifest, parse --imei and the "
				 "1234567890ABCDEF fallback); give the device IMEI with "
				 "'custos parse --imei IMEI', or record it in the manifest "
				 "with 'custos case set seizure.items[N].identifiers.imei "
				 "'[\"IMEI\"]' --reason TEXT' and parse again",
				 a->device_path, np, uins.n, nfit, imeis.n);
		goto out;
	}
	if (s != CU_OK) {
		*err = e;
		cu_error_prefix(err, "decrypting '%s'", a->device_path);
		goto out;
	}
	/* the encrypted write-ahead log staged beside the database */
	if (cu_buf_printf(&wal, err, "%s-wal", a->work_path) == CU_OK && stat(wal.data, &sb) == 0 &&
	    sb.st_size > 0) {
		struct wal_find wf;
		struct cu_buf pat = CU_BUF_INIT, empty = CU_BUF_INIT, wd = CU_BUF_INIT;
		struct cu_error fe;
		int fd;

		memset(&wf, 0, sizeof(wf));
		s = cu_sqlcipher1_wal_apply(a->work_path, wal.data, pass[which], tmp.data, &wi, &e);
		if (s != CU_OK) {
			cu_parse_warn(ctx, a, "encrypted write-ahead log not applied: %s", e.msg);
			s = CU_OK;
		} else if ((s = cu_parse_tmp_path(ctx, "EnMicroMsg.db-wal.applied", &empty, err)) ==
			   CU_OK) {
			fd = open(empty.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd < 0)
				s = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'",
						   empty.data);
			else
				close(fd);
			if (s == CU_OK)
				s = cu_buf_printf(
				    &wd, err,
				    "wechat-sqlcipher1 wal: its %llu committed frames "
				    "were decrypted and applied to the decrypted "
				    "database derived from %s; this record is empty on "
				    "purpose so the encrypted log is not applied again",
				    (unsigned long long)wi.frames_applied, a->device_path);
			wf.empty = empty.data;
			wf.derivation = wd.data;
		}
		cu_error_clear(&fe);
		if (s == CU_OK && wx_exact_pattern(a->device_path, strlen(a->device_path), "-wal",
						   &pat, &fe) == CU_OK)
			cu_parse_find_optional(ctx, a, pat.data, wal_found, &wf);
		if (s == CU_OK && wf.empty != NULL && wf.status != CU_OK)
			cu_parse_warn(ctx, a, "recording the applied write-ahead log: %s",
				      wf.err.msg);
		if (s == CU_OK && wf.empty != NULL) {
			s = cu_buf_printf(
			    &walnote, err,
			    " wal=applied(frames %llu of %llu, commits %llu, sha256 %s)",
			    (unsigned long long)wi.frames_applied,
			    (unsigned long long)wi.frames_total, (unsigned long long)wi.commits,
			    wf.sha256 != NULL ? wf.sha256 : "unknown");
			/* the driver's generic checkpoint cannot read an encrypted
			 * WAL and says so; record that it was applied here */
			cu_parse_warn(ctx, a,
				      "the encrypted write-ahead log was decrypted and its %llu "
				      "committed frames applied to the derived database (see the "
				      "DERIVE entry)",
				      (unsigned long long)wi.frames_applied);
			if (wi.frames_applied < wi.frames_total)
				cu_parse_warn(
				    ctx, a,
				    "%llu of %llu write-ahead log frames are not part of a "
				    "valid commit (old or torn frames): not applied",
				    (unsigned long long)(wi.frames_total - wi.frames_applied),
				    (unsigned long long)wi.frames_total);
		}
		if (empty.data != NULL && cu_file_exists(empty.data))
			unlink(empty.data);
		free(wf.sha256);
		cu_buf_release(&pat);
		cu_buf_release(&empty);
		cu_buf_release(&wd);
		if (s != CU_OK)
			goto out;
	}
	s = cu_path_from_device(a->device_path, strlen(a->device_path), &rel, err);
	if (s == CU_OK)
		s = cu_buf_puts(&rel, ".decrypted.db", err);
	if (s == CU_OK)
		s = cu_buf_printf(&deriv, err,
				  "wechat-sqlcipher1 key=md5(imei+uin)[:7] imei_source=%s "
				  "uin_source=%s uin_matches_userdir=%s kdf=pbkdf2-hmac-sha1/4000 "
				  "cipher=aes-256-cbc page=1024 reserve=16(iv kept) hmac=none%s",
				  imeis.v[pi[which]].source, uins.v[pu[which]].source,
				  fits[pu[which]] ? "yes" : "no", walnote.data ? walnote.data : "");
	if (s != CU_OK)
		goto out;
	s = cu_parse_derive(ctx, a, tmp.data, rel.data, deriv.data, &plain, err);
	if (s != CU_OK)
		goto out;
	cu_info("wechat: decrypted '%s' (%s)", a->device_path, deriv.data);
	s = parse_plain(ctx, plain, err);
out:
	if (tmp.data != NULL && cu_file_exists(tmp.data))
		unlink(tmp.data);
	OPENSSL_cleanse(keys, sizeof(keys)); /* passphrases of this device */
	cands_release(&uins);
	cands_release(&imeis);
	cu_buf_release(&tmp);
	cu_buf_release(&rel);
	cu_buf_release(&deriv);
	cu_buf_release(&wal);
	cu_buf_release(&walnote);
	return s;
}

static enum cu_status wechat_android_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
					   struct cu_error *err)
{
	if (a->work_path == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "'%s' was not staged", a->device_path);
	if (is_plain_sqlite(a->work_path))
		return parse_plain(ctx, a, err);
	return decrypt_and_parse(ctx, a, err);
}

const struct cu_parser cu_parser_wechat_android = {
    .name = "wechat-android",
    .app = WX_APP,
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = wechat_android_patterns,
    .probe = wechat_android_probe,
    .parse = wechat_android_parse,
};
