/*
 * qq_android.c - QQ for Android before QQNT (com.tencent.mobileqq <= 8.9.6x,
 * also com.tencent.tim / .qqlite / .mobileqqi / .minihd.qq), APPS.md 3.1:
 *
 *   databases/<ownQQ>.db, databases/slowtable_<ownQQ>.db
 *     mr_friend_<MD5(peer)>_New   1:1 messages
 *     mr_troop_<MD5(group)>_New   group (troop) messages
 *     mr_discusssion_<MD5>_New    discussion groups [unconfirmed name]
 *     Friends(uin, name, remark)  -> contacts (display_name = remark when
 *                                  set, else name; the nickname then in alias)
 *     TroopInfoV2 / TroopInfo(troopuin, troopname) -> group titles
 *     TroopMemberInfo(troopuin, memberuin, troopnick, friendnick) and
 *     Friends -> sender names
 *   files/kc (the key) or files/imei ("imei=<value>") -> the XOR key; with
 *     neither, each IMEI of the item in the seizure manifest is tried and
 *     used only if it decodes sample rows of this store (recorded)
 *
 * The database is plain SQLite but fields are XORed with the key: msgData
 * (BLOB) byte-wise, text columns (frienduin, senderuin, Friends.*,
 * TroopInfo*.*) per UTF-16 code unit. Without a key the rows are still
 * listed (type, time, provenance) and a warning says why the text is
 * missing. Time is Unix seconds. Direction: senderuin == own QQ (the
 * database file name) is outgoing; without a decodable senderuin, issend.
 *
 * Also here: qq-android-nt, which reports QQ NT nt_msg.db files (below).
 *
 * Tests: synthetic stores written by an independent Python encoder
 * (tests/data/chat/make_qq.py) -> tests/e2e/parse_chat_qq.sh,
 * tests/golden/chat_qq_android.txt; XOR unit tests tests/unit/test_qq_xor.c;
 * fuzz tests/fuzz/fuzz_chat_qq_xor.c. Fixture fixtures/apps/qq* when present.
 */
#include "parsers/chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define APP "qq"

/* ---------------- XOR decoding (exported for tests) ---------------- */

enum cu_status cu_qq_xor_blob(const void *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err)
{
	const unsigned char *p = in;
	enum cu_status rc;
	if (key == NULL || key_len == 0)
		return cu_error_set(err, CU_E_KEY, "qq: empty XOR key");
	cu_buf_reset(out);
	if ((rc = cu_buf_grow(out, n, err)) != CU_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		out->data[i] = (char)(p[i] ^ (unsigned char)key[i % key_len]);
	out->len = n;
	out->data[n] = '\0';
	return CU_OK;
}

/* Next code point of valid UTF-8 s[*i..n); false on invalid input. */
static bool utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	size_t k = *i;
	if (k >= n)
		return false;
	unsigned char c = s[k];
	size_t len;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		*i = k + 1;
		return true;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2;
		v = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		v = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		v = c & 0x07;
	} else {
		return false;
	}
	if (n - k < len)
		return false;
	for (size_t j = 1; j < len; j++) {
		if ((s[k + j] & 0xC0) != 0x80)
			return false;
		v = v << 6 | (s[k + j] & 0x3F);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return false;
	*cp = v;
	*i = k + len;
	return true;
}

static enum cu_status put_utf8(struct cu_buf *b, uint32_t v, struct cu_error *err)
{
	char t[4];
	size_t n;
	if (v < 0x80) {
		t[0] = (char)v;
		n = 1;
	} else if (v < 0x800) {
		t[0] = (char)(0xC0 | v >> 6);
		t[1] = (char)(0x80 | (v & 0x3F));
		n = 2;
	} else if (v < 0x10000) {
		t[0] = (char)(0xE0 | v >> 12);
		t[1] = (char)(0x80 | (v >> 6 & 0x3F));
		t[2] = (char)(0x80 | (v & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | v >> 18);
		t[1] = (char)(0x80 | (v >> 12 & 0x3F));
		t[2] = (char)(0x80 | (v >> 6 & 0x3F));
		t[3] = (char)(0x80 | (v & 0x3F));
		n = 4;
	}
	return cu_buf_append(b, t, n, err);
}

/* UTF-16 code units of UTF-8 text (at most cap), false on invalid UTF-8. */
static bool to_units(const char *s, size_t n, uint16_t *u, size_t cap, size_t *nu)
{
	size_t i = 0, k = 0;
	uint32_t cp;
	while (i < n) {
		if (!utf8_next((const unsigned char *)s, n, &i, &cp))
			return false;
		if (cp >= 0x10000) {
			if (k + 2 > cap)
				return false;
			cp -= 0x10000;
			u[k++] = (uint16_t)(0xD800 | cp >> 10);
			u[k++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
		} else {
			if (k + 1 > cap)
				return false;
			u[k++] = (uint16_t)cp;
		}
	}
	*nu = k;
	return true;
}

#define QQ_KEY_MAX 256

enum cu_status cu_qq_xor_text(const char *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err)
{
	uint16_t ku[QQ_KEY_MAX];
	size_t nk = 0, i = 0, idx = 0;
	enum cu_status rc;
	uint32_t cp;

	if (key == NULL || key_len == 0)
		return cu_error_set(err, CU_E_KEY, "qq: empty XOR key");
	/* the key is a Java String too: XOR with its UTF-16 units; a key that
	 * is not UTF-8 is used byte by byte */
	if (!to_units(key, key_len, ku, QQ_KEY_MAX, &nk) || nk == 0) {
		nk = key_len < QQ_KEY_MAX ? key_len : QQ_KEY_MAX;
		for (size_t j = 0; j < nk; j++)
			ku[j] = (unsigned char)key[j];
	}
	cu_buf_reset(out);
	if ((rc = cu_buf_grow(out, n, err)) != CU_OK)
		return rc;
	while (i < n) {
		uint16_t units[2], x[2];
		size_t nu;
		if (!utf8_next((const unsigned char *)in, n, &i, &cp))
			return cu_error_set(err, CU_E_FORMAT,
					    "qq: encoded text is not UTF-8 at byte %zu", i);
		if (cp >= 0x10000) {
			units[0] = (uint16_t)(0xD800 | (cp - 0x10000) >> 10);
			units[1] = (uint16_t)(0xDC00 | ((cp - 0x10000) & 0x3FF));
			nu = 2;
		} else {
			units[0] = (uint16_t)cp;
			nu = 1;
		}
		for (size_t j = 0; j < nu; j++)
			x[j] = units[j] ^ ku[idx++ % nk];
		for (size_t j = 0; j < nu; j++) {
			uint32_t v = x[j];
			if (v >= 0xD800 && v <= 0xDBFF && j + 1 < nu && x[j + 1] >= 0xDC00 &&
			    x[j + 1] <= 0xDFFF) {
				v = 0x10000 + ((v - 0xD800) << 10) + (x[j + 1] - 0xDC00u);
				j++;
			} else if (v >= 0xD800 && v <= 0xDFFF) {
				v = 0xFFFD; /* a lone surrogate cannot be UTF-8 */
			}
			if ((rc = put_utf8(out, v, err)) != CU_OK)
				return rc;
		}
	}
	return CU_OK;
}

enum cu_status cu_qq_key_parse(const char *content, size_t n, struct cu_buf *key,
			       struct cu_error *err)
{
	const char *p = content, *e = content + n;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if ((size_t)(e - p) >= 5 && memcmp(p, "imei=", 5) == 0)
		p += 5;
	while (e > p &&
	       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' || e[-1] == '\0'))
		e--;
	if (p == e)
		return cu_error_set(err, CU_E_KEY, "qq: key file is empty");
	if ((size_t)(e - p) > QQ_KEY_MAX)
		return cu_error_set(err, CU_E_KEY, "qq: key of %zu bytes is implausibly long",
				    (size_t)(e - p));
	cu_buf_reset(key);
	return cu_buf_append(key, p, (size_t)(e - p), err);
}

/* ---------------- the parser ---------------- */

/* msgtype -> kind (APPS.md 3.1; -2025 wallet is unconfirmed: "other"). */
static const char *qq_kind(int64_t t, bool *textual)
{
	*textual = false;
	switch (t) {
	case -1000:
	case -1051: *textual = true; return "text";
	case -2000: return "image";
	case -2002: return "voice";
	case -2005:
	case -2017:
	case -3008: return "file";
	case -2022: return "video";
	case -2011:
	case -2054:
	case -2059: return "link";
	case -2016:
	case -4008: return "call";
	case -1012:
	case -1013:
	case -1034:
	case -5012:
	case -5018:
	case -5020:
	case -5023:
	case -5040: *textual = true; return "system";
	default: return "other";
	}
}

struct qq_run {
	struct cu_parse_ctx *ctx;
	const struct cu_artifact *a;
	sqlite3 *db;
	char *own;          /* own QQ from the file name */
	struct cu_buf key;  /* empty: no key */
	int64_t key_source; /* source_id of the key file */
	uint64_t bad_text;  /* values that did not decode to UTF-8 */
	struct cu_buf t1, t2, t3, t4;
};

/* Decoded text column into b: NULL when NULL, undecodable or no key. */
static const char *dec_text(struct qq_run *r, sqlite3_stmt *st, int col, struct cu_buf *b)
{
	const char *s = cu_sqlite_text(st, col);
	if (s == NULL)
		return NULL;
	if (r->key.len == 0)
		return NULL;
	if (cu_qq_xor_text(s, (size_t)sqlite3_column_bytes(st, col), r->key.data, r->key.len, b,
			   NULL) != CU_OK) {
		r->bad_text++;
		return NULL;
	}
	return b->data;
}

static enum cu_status key_found(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
				struct cu_error *err)
{
	struct qq_run *r = arg;
	struct cu_buf content = CU_BUF_INIT;
	struct cu_error kerr;
	(void)ctx;
	(void)err;
	cu_error_clear(&kerr);
	if (r->key.len == 0 && a->work_path &&
	    cu_file_read_all(a->work_path, 4096, &content, &kerr) == CU_OK &&
	    cu_qq_key_parse(content.data, content.len, &r->key, &kerr) == CU_OK)
		r->key_source = a->source_id;
	cu_buf_release(&content);
	return r->key.len ? CU_E_EXISTS : CU_OK; /* stop at the first usable key */
}

static void find_key(struct qq_run *r)
{
	static const char *const names[] = {"files/kc", "files/imei"};
	for (size_t i = 0; i < 2 && r->key.len == 0; i++) {
		struct cu_buf pat = CU_BUF_INIT;
		if (cu_parse_sibling_glob(r->a, names[i], &pat))
			cu_parse_find_optional(r->ctx, r->a, pat.data, key_found, r);
		cu_buf_release(&pat);
	}
}

/* Own QQ number: the digits of "<QQ>.db" / "slowtable_<QQ>.db". */
static char *own_from_path(const char *dp)
{
	const char *b = strrchr(dp, '/');
	b = b ? b + 1 : dp;
	if (cu_str_has_prefix(b, "slowtable_"))
		b += 10;
	size_t n = strspn(b, "0123456789");
	if (n == 0 || strcmp(b + n, ".db") != 0)
		return NULL;
	return cu_strndup(b, n);
}

/* Title of a friend or troop: look the XOR-encoded uin up (XOR is its own
 * inverse, so encoding the plain uin gives the stored value). */
static char *lookup_title(struct qq_run *r, bool troop, const char *uin)
{
	struct cu_buf enc = CU_BUF_INIT, out = CU_BUF_INIT, sql = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *title = NULL;
	const char *table = NULL;
	if (r->key.len == 0 || uin == NULL)
		goto out;
	if (troop) {
		table = cu_sqlite_has_table(r->db, "TroopInfoV2") ? "TroopInfoV2"
			: cu_sqlite_has_table(r->db, "TroopInfo") ? "TroopInfo"
								  : NULL;
		if (table == NULL || !cu_sqlite_has_column(r->db, table, "troopuin") ||
		    !cu_sqlite_has_column(r->db, table, "troopname"))
			goto out;
		if (cu_buf_printf(&sql, NULL, "SELECT troopname FROM %s WHERE troopuin = ?1",
				  table))
			goto out;
	} else {
		if (!cu_sqlite_has_table(r->db, "Friends") ||
		    !cu_sqlite_has_column(r->db, "Friends", "uin") ||
		    !cu_sqlite_has_column(r->db, "Friends", "name") ||
		    !cu_sqlite_has_column(r->db, "Friends", "remark"))
			goto out;
		if (cu_buf_puts(&sql,
				"SELECT coalesce(nullif(remark, ''), name) FROM Friends "
				"WHERE uin = ?1",
				NULL))
			goto out;
	}
	if (cu_qq_xor_text(uin, strlen(uin), r->key.data, r->key.len, &enc, NULL) != CU_OK ||
	    sqlite3_prepare_v2(r->db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, enc.data, (int)enc.len, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && cu_sqlite_text(st, 0) != NULL) {
		const char *d = dec_text(r, st, 0, &out);
		if (d && *d)
			title = cu_strdup(d);
	}
out:
	sqlite3_finalize(st);
	cu_buf_release(&enc);
	cu_buf_release(&out);
	cu_buf_release(&sql);
	return title;
}

/* Name of a sender: the group card (TroopMemberInfo troopnick, else
 * friendnick) in a group, else the friend's remark or nickname. */
static char *lookup_sender(struct qq_run *r, const char *group, const char *uin)
{
	struct cu_buf eg = CU_BUF_INIT, eu = CU_BUF_INIT, out = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *name = NULL;
	if (r->key.len == 0 || uin == NULL || *uin == '\0')
		goto out;
	if (group && cu_sqlite_has_table(r->db, "TroopMemberInfo") &&
	    cu_sqlite_has_column(r->db, "TroopMemberInfo", "troopuin") &&
	    cu_sqlite_has_column(r->db, "TroopMemberInfo", "memberuin") &&
	    cu_sqlite_has_column(r->db, "TroopMemberInfo", "troopnick") &&
	    cu_sqlite_has_column(r->db, "TroopMemberInfo", "friendnick") &&
	    cu_qq_xor_text(group, strlen(group), r->key.data, r->key.len, &eg, NULL) == CU_OK &&
	    cu_qq_xor_text(uin, strlen(uin), r->key.data, r->key.len, &eu, NULL) == CU_OK &&
	    sqlite3_prepare_v2(r->db,
			       "SELECT coalesce(nullif(troopnick, ''), nullif(friendnick, '')) "
			       "FROM TroopMemberInfo WHERE troopuin = ?1 AND memberuin = ?2",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, eg.data, (int)eg.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, eu.data, (int)eu.len, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && cu_sqlite_text(st, 0) != NULL) {
			const char *d = dec_text(r, st, 0, &out);
			if (d && *d)
				name = cu_strdup(d);
		}
	}
	if (name == NULL)
		name = lookup_title(r, false, uin);
out:
	sqlite3_finalize(st);
	cu_buf_release(&eg);
	cu_buf_release(&eu);
	cu_buf_release(&out);
	return name;
}

/* A decoded text value into b: NULL when NULL, undecodable or no key. */
static const char *dec_value(struct qq_run *r, const struct cu_spec_value *v, struct cu_buf *b)
{
	if (v->text == NULL || r->key.len == 0)
		return NULL;
	/* XORed text may hold NUL characters: the length is the value's */
	if (cu_qq_xor_text(v->text, v->p ? v->n : strlen(v->text), r->key.data, r->key.len, b,
			   NULL) != CU_OK) {
		r->bad_text++;
		return NULL;
	}
	return b->data;
}

/* mr_friend_<MD5>_New / mr_troop_<MD5>_New (APPS.md 3.1): msgData is
 * XORed with the key (blob-wise), the uins too (as text). */
enum { MSG_TYPE, MSG_DATA, MSG_TIME, MSG_FRIEND, MSG_SENDER, MSG_ISSEND };
static const struct cu_column_spec msg_columns[] = {
    [MSG_TYPE] = {"msgtype", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false},
    /* TEXT_ANY: a BLOB as found, anything else as its text */
    [MSG_DATA] = {"msgData", CU_AFFINITY_BLOB, CU_DECODE_TEXT_ANY, CU_FIELD_NONE, false},
    [MSG_TIME] = {"time", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_S, CU_FIELD_MESSAGE_SENT, true},
    [MSG_FRIEND] = {"frienduin", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [MSG_SENDER] = {"senderuin", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [MSG_ISSEND] = {"issend", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false},
};

/* One message table: the run, and what consecutive rows share (the
 * conversation, the last sender's name looked up). */
struct msg_table {
	struct qq_run *r;
	const char *table;
	bool troop;
	struct cu_buf body, conv_ident;
	int64_t conv;
	char *last, *last_sender, *last_name;
};

/* The conversation: the decoded frienduin, else the table's hash. */
static enum cu_status msg_conversation(struct msg_table *t, const char *friend,
				       struct cu_error *err)
{
	struct qq_run *r = t->r;
	enum cu_status rc;

	cu_buf_reset(&t->conv_ident);
	if (friend && *friend)
		rc = cu_buf_puts(&t->conv_ident, friend, err);
	else
		rc = cu_buf_printf(&t->conv_ident, err, "table:%s", t->table);
	if (rc != CU_OK || (t->last != NULL && strcmp(t->last, t->conv_ident.data) == 0))
		return rc;
	char *title = friend ? lookup_title(r, t->troop, friend) : NULL;
	rc = cu_parse_conversation(r->ctx, APP, t->conv_ident.data, title, t->troop ? 1 : 0,
				   r->a->source_id, &t->conv, err);
	free(title);
	if (rc == CU_OK) {
		free(t->last);
		t->last = cu_strdup(t->conv_ident.data);
	}
	return rc;
}

static enum cu_status msg_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			      const struct cu_table_spec *spec, const struct cu_spec_row *row,
			      struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct msg_table *t = arg;
	struct qq_run *r = t->r;
	const struct cu_spec_value *data = &row->v[MSG_DATA];
	int64_t type = row->v[MSG_TYPE].value, issend = row->v[MSG_ISSEND].value;
	const char *friend = dec_value(r, &row->v[MSG_FRIEND], &r->t1);
	const char *sender = dec_value(r, &row->v[MSG_SENDER], &r->t2);
	const char *text = NULL, *attach = NULL, *direction, *kind;
	size_t text_len = 0;
	struct cu_message *m = &out->message;
	bool textual;
	enum cu_status rc;

	(void)ctx, (void)a, (void)spec;
	if ((rc = msg_conversation(t, friend, err)) != CU_OK)
		return rc;
	kind = type == CU_UNKNOWN ? "other" : qq_kind(type, &textual);
	if (type == CU_UNKNOWN)
		textual = false;
	if (r->key.len && data->type != SQLITE_NULL) {
		struct cu_buf *body = &t->body;

		if ((rc = cu_qq_xor_blob(data->p, data->n, r->key.data, r->key.len, body, err)) !=
		    CU_OK)
			return rc;
		bool valid = cu_utf8_valid(body->data, body->len);
		bool utf8 = valid && memchr(body->data, '\0', body->len) == NULL;
		if (textual) {
			/* a text keeps its NUL bytes, with the decoded length
			 * (CASEDB.md: nothing is cleaned); paths below do not */
			if (valid) {
				text = body->data;
				text_len = body->len;
			} else {
				r->bad_text++;
			}
		} else if (type == -2002 && utf8) {
			attach = body->data; /* voice: path of the .amr/.slk */
		} else if (type == -2005 && body->len > 1 && body->data[0] == 0x16) {
			/* file: 0x16 path '|' ... */
			char *bar = memchr(body->data + 1, '|', body->len - 1);
			if (bar)
				*bar = '\0';
			if (cu_utf8_valid(body->data + 1, strlen(body->data + 1)))
				attach = body->data + 1;
		}
	}
	if (kind[0] == 's' && strcmp(kind, "system") == 0)
		direction = "system";
	else if (sender && r->own)
		direction = strcmp(sender, r->own) == 0 ? "outgoing" : "incoming";
	else if (issend != CU_UNKNOWN)
		direction = issend ? "outgoing" : "incoming";
	else
		direction = "incoming";
	snprintf(out->raw_type, sizeof(out->raw_type), "%lld", (long long)type);
	m->conversation_id = t->conv;
	m->sender = sender && *sender ? sender : NULL;
	if (m->sender && !(r->own && strcmp(m->sender, r->own) == 0)) {
		/* one lookup per change of sender */
		if (t->last_sender == NULL || strcmp(t->last_sender, m->sender) != 0) {
			free(t->last_sender);
			free(t->last_name);
			t->last_sender = cu_strdup(m->sender);
			t->last_name = lookup_sender(r, t->troop ? friend : NULL, m->sender);
		}
		m->sender_name = t->last_name;
	}
	m->direction = direction;
	m->kind = kind;
	m->body = text;
	m->body_len = text_len;
	m->raw_type = type == CU_UNKNOWN ? NULL : out->raw_type;
	m->attachment = attach;
	return CU_OK;
}

/* The tables are per peer: each run copies the spec and names its table. */
static const struct cu_table_spec msg_spec = {
    .key = "rowid",
    .columns = msg_columns,
    .ncolumns = sizeof(msg_columns) / sizeof(msg_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = msg_row,
};

static enum cu_status parse_msg_table(struct qq_run *r, const char *table, bool troop,
				      struct cu_error *err)
{
	struct msg_table t = {r,          table, troop, CU_BUF_INIT, CU_BUF_INIT,
			      CU_UNKNOWN, NULL,  NULL,  NULL};
	struct cu_table_spec spec = msg_spec;
	enum cu_status rc;

	if (!cu_sqlite_has_column(r->db, table, "msgData") ||
	    !cu_sqlite_has_column(r->db, table, "msgtype")) {
		cu_parse_warn(r->ctx, r->a, "table '%s' has no msgData/msgtype column; skipped",
			      table);
		return CU_OK;
	}
	spec.table = table;
	rc = cu_spec_run(r->ctx, r->a, r->db, &spec, &t, err);
	cu_buf_release(&t.body);
	cu_buf_release(&t.conv_ident);
	free(t.last);
	free(t.last_sender);
	free(t.last_name);
	return rc;
}

/* Friends (APPS.md 3.1): uin, name and remark, each XORed with the key. */
enum { FRIEND_UIN, FRIEND_NAME, FRIEND_REMARK };
static const struct cu_column_spec friend_columns[] = {
    [FRIEND_UIN] = {"uin", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [FRIEND_NAME] = {"name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [FRIEND_REMARK] = {"remark", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
};

static enum cu_status friend_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 const struct cu_table_spec *spec, const struct cu_spec_row *row,
				 struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct qq_run *r = arg;
	struct cu_contact *c = &out->contact;

	(void)ctx, (void)a, (void)spec, (void)err;
	c->identifier = dec_value(r, &row->v[FRIEND_UIN], &r->t1);
	c->display_name = cu_parse_nz(dec_value(r, &row->v[FRIEND_NAME], &r->t2));
	c->remark = cu_parse_nz(dec_value(r, &row->v[FRIEND_REMARK], &r->t3));
	/* display_name is the name the owner sees: the remark when set
	 * (as for WeChat conRemark); the QQ nickname then goes to alias */
	if (c->remark) {
		c->alias = c->display_name;
		c->display_name = c->remark;
	}
	return CU_OK;
}

static const struct cu_table_spec friend_spec = {
    .table = "Friends",
    .key = "rowid",
    .columns = friend_columns,
    .ncolumns = sizeof(friend_columns) / sizeof(friend_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_CONTACT,
    .row = friend_row,
};

static enum cu_status parse_friends(struct qq_run *r, struct cu_error *err)
{
	if (!cu_sqlite_has_table(r->db, "Friends") ||
	    !cu_sqlite_has_column(r->db, "Friends", "uin"))
		return CU_OK; /* slowtable_*.db has messages only */
	return cu_spec_run(r->ctx, r->a, r->db, &friend_spec, r, err);
}

/* The table name carries MD5_HEX_UPPER(peer) (APPS.md 3.1): 1 when the
 * first frienduin of the table decodes with key to a number whose MD5 is
 * that hash - a check a wrong key cannot pass by chance -, 0 when it does
 * not, -1 when there is nothing to check (no row, unexpected name). */
static int table_hash_check(struct qq_run *r, const char *table, const char *key, size_t key_len)
{
	struct cu_buf out = CU_BUF_INIT;
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	sqlite3_stmt *st = NULL;
	size_t tl = strlen(table);
	int ok = -1;
	char *sql = NULL;
	if (tl < 32 + 4 || !cu_str_has_suffix(table, "_New"))
		goto out;
	sql = sqlite3_mprintf("SELECT frienduin FROM \"%w\" ORDER BY rowid LIMIT 1", table);
	if (sql == NULL || sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || cu_sqlite_text(st, 0) == NULL)
		goto out;
	ok = 0;
	if (cu_qq_xor_text(cu_sqlite_text(st, 0), (size_t)sqlite3_column_bytes(st, 0), key, key_len,
			   &out, NULL) != CU_OK ||
	    out.len == 0 || strspn(out.data, "0123456789") != out.len)
		goto out;
	if (cu_hasher_new(CU_HASH_MD5, 0, &h, NULL) != CU_OK ||
	    cu_hasher_update(h, out.data, out.len, NULL) != CU_OK ||
	    cu_hasher_final(h, &d, NULL) != CU_OK)
		goto out;
	ok = strncasecmp(table + tl - 4 - 32, d.md5, 32) == 0 ? 1 : 0;
out:
	cu_hasher_free(h);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	cu_buf_release(&out);
	return ok;
}

/* False when a check fails: the table-name MD5 of a table, or a sample
 * that does not decode (text msgData to UTF-8, senderuin to ASCII
 * digits); n = values checked (0: nothing could be checked). A NUL in a
 * decoded text is no sign of a wrong key: texts may hold one and are
 * kept whole (CASEDB.md: nothing is cleaned). */
static bool key_fits(struct qq_run *r, const char *key, size_t key_len, char **tables, size_t nt,
		     size_t *n)
{
	struct cu_buf out = CU_BUF_INIT;
	bool ok = true;
	*n = 0;
	for (size_t i = 0; i < nt && i < 4 && ok; i++) {
		sqlite3_stmt *st = NULL;
		int hc = table_hash_check(r, tables[i], key, key_len);
		if (hc == 0) {
			ok = false;
			break;
		}
		if (hc == 1)
			(*n)++;
		char *sql =
		    sqlite3_mprintf("SELECT msgData, senderuin FROM \"%w\" WHERE msgtype IN "
				    "(-1000, -1051) ORDER BY rowid LIMIT 20",
				    tables[i]);
		if (sql == NULL || sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
			sqlite3_free(sql);
			sqlite3_finalize(st);
			continue;
		}
		sqlite3_free(sql);
		while (ok && sqlite3_step(st) == SQLITE_ROW) {
			const char *u = cu_sqlite_text(st, 1);
			if (sqlite3_column_type(st, 0) == SQLITE_BLOB) {
				ok = cu_qq_xor_blob(sqlite3_column_blob(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0), key,
						    key_len, &out, NULL) == CU_OK &&
				     cu_utf8_valid(out.data, out.len);
				(*n)++;
			}
			if (ok && u != NULL) {
				ok = cu_qq_xor_text(u, (size_t)sqlite3_column_bytes(st, 1), key,
						    key_len, &out, NULL) == CU_OK &&
				     out.len > 0 && strspn(out.data, "0123456789") == out.len;
				(*n)++;
			}
		}
		sqlite3_finalize(st);
	}
	cu_buf_release(&out);
	return ok;
}

/*
 * No key file: the XOR key of older builds is the device IMEI (APPS.md
 * 3.1, files/imei). Each IMEI the seizure manifest gives for this item is
 * tried and used only when it decodes sample rows of this very store
 * (key_fits); which one was used is recorded in a warning.
 */
static void key_from_imei(struct qq_run *r, char **tables, size_t nt)
{
	struct cu_case *c = cu_parse_case(r->ctx);
	const json_t *item = c ? cu_manifest_item(c->manifest, cu_parse_item(r->ctx)) : NULL;
	const char *imei, *from = "the seizure manifest";
	char *list = NULL;
	size_t fits = 0, checked = 0, nm = 0;

	while (cu_manifest_item_imei(item, nm) != NULL)
		nm++;
	/* the manifest's IMEIs, then those given with `custos parse --imei`;
	 * one value may itself hold several IMEIs ("a, b") */
	for (size_t i = 0; (imei = i < nm ? cu_manifest_item_imei(item, i)
					  : cu_parse_given_imei(r->ctx, i - nm)) != NULL;
	     i++) {
		free(list);
		if ((list = cu_strdup(imei)) == NULL)
			break;
		for (char *save = NULL, *tok = strtok_r(list, ", ;", &save); tok;
		     tok = strtok_r(NULL, ", ;", &save)) {
			size_t n;
			if (*tok == '\0' || !key_fits(r, tok, strlen(tok), tables, nt, &n) ||
			    n == 0)
				continue;
			if (++fits == 1) {
				from = i < nm ? "the seizure manifest" : "parse --imei";
				cu_buf_reset(&r->key);
				if (cu_buf_puts(&r->key, tok, NULL) != CU_OK)
					break;
				checked = n;
			}
		}
	}
	if (fits == 1) {
		cu_parse_warn(r->ctx, r->a,
			      "no key file: XOR key = IMEI %s from %s, verified "
			      "on %zu values of this database (table-name MD5, text, numbers)",
			      r->key.data, from, checked);
	} else if (fits > 1) {
		cu_buf_reset(&r->key); /* two candidates fit: refuse to guess */
		cu_parse_warn(r->ctx, r->a,
			      "no key file and %zu IMEIs of the seizure manifest and parse "
			      "--imei fit this database: not guessing; supply files/kc",
			      fits);
	}
	free(list);
}

static int probe_qq(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"mr_friend_%", "mr_troop_%", "Friends", NULL};
	/* the own-path fallback only for "<digits>.db": "<QQ>-IndexQQMsg.db"
	 * and the like are not message stores */
	char *own = own_from_path(a->device_path);
	int score = cu_parse_probe_tables(ctx, a, t, own ? "*/databases/*.db" : NULL);
	free(own);
	return score;
}

static enum cu_status parse_qq(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       struct cu_error *err)
{
	struct qq_run r;
	sqlite3_stmt *st = NULL;
	enum cu_status rc;
	char **tables = NULL;
	bool *troop = NULL;
	size_t nt = 0;
	struct cu_error first;
	struct cu_rows guard;
	int s;

	memset(&r, 0, sizeof(r));
	cu_error_clear(&first);
	r.ctx = ctx;
	r.a = a;
	cu_buf_init(&r.key, QQ_KEY_MAX);
	cu_buf_init(&r.t1, 0);
	cu_buf_init(&r.t2, 0);
	cu_buf_init(&r.t3, 0);
	cu_buf_init(&r.t4, 0);
	if ((rc = cu_parse_open_db(ctx, a, &r.db, err)) != CU_OK)
		goto out;
	r.own = own_from_path(a->device_path);
	find_key(&r);
	/* list first, parse after: no statement open on sqlite_master meanwhile */
	rc = cu_parse_prepare(a, r.db,
			      "SELECT name FROM sqlite_master WHERE type = 'table' AND "
			      "(name LIKE 'mr\\_friend\\_%\\_New' ESCAPE '\\' OR "
			      "name LIKE 'mr\\_troop\\_%\\_New' ESCAPE '\\' OR "
			      "name LIKE 'mr\\_discuss%\\_New' ESCAPE '\\') ORDER BY name",
			      &st, err);
	if (rc != CU_OK)
		goto out;
	cu_rows_init(&guard, a, -1);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		char **nt2 = cu_reallocarray(tables, nt + 1, sizeof(*tables));
		bool *tr2;
		if (nt2 == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory listing tables");
			goto out;
		}
		tables = nt2;
		tr2 = cu_reallocarray(troop, nt + 1, sizeof(*troop));
		if (tr2 == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory listing tables");
			goto out;
		}
		troop = tr2;
		tables[nt] = cu_strdup(cu_sqlite_text(st, 0));
		troop[nt] = !cu_str_has_prefix(tables[nt] ? tables[nt] : "", "mr_friend_");
		if (tables[nt] == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory listing tables");
			goto out;
		}
		nt++;
	}
	if (s != SQLITE_DONE) {
		rc = cu_rows_error(a, r.db, s, NULL, err);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (r.key.len) {
		size_t n;
		if (!key_fits(&r, r.key.data, r.key.len, tables, nt, &n)) {
			/* a key file of another device or build: it would garble text */
			cu_parse_warn(ctx, a,
				      "the XOR key from the key file does not decode this database "
				      "(table-name MD5 or text check failed): not used");
			cu_buf_reset(&r.key);
		}
	}
	if (r.key.len == 0)
		key_from_imei(&r, tables, nt);
	if (r.key.len == 0)
		cu_parse_warn(ctx, a,
			      "no QQ XOR key (files/kc or files/imei in this item, or a verified "
			      "IMEI in the seizure manifest or given with 'custos parse --imei "
			      "IMEI'): message text and QQ numbers left empty; supply the key "
			      "file or the IMEI to decode");
	if (r.own) {
		struct cu_account acc = {APP, r.own, NULL, a->source_id};
		if ((rc = cu_sink_account(ctx, &acc, err)) != CU_OK)
			goto out;
	}
	if ((rc = cu_parse_section(parse_friends(&r, err), "table 'Friends'", err, &first)) !=
	    CU_OK)
		goto out;
	for (size_t i = 0; i < nt; i++) {
		char what[300];
		snprintf(what, sizeof(what), "table '%.250s'", tables[i]);
		rc = cu_parse_section(parse_msg_table(&r, tables[i], troop[i], err), what, err,
				      &first);
		if (rc != CU_OK)
			goto out;
	}
	if (r.bad_text)
		cu_parse_warn(ctx, a,
			      "%llu encoded values did not decode to UTF-8 text (wrong XOR "
			      "key?); left empty",
			      (unsigned long long)r.bad_text);
	rc = cu_parse_finish(&first, err);
out:
	sqlite3_finalize(st);
	if (r.db)
		sqlite3_close(r.db);
	for (size_t i = 0; i < nt; i++)
		free(tables[i]);
	free(tables);
	free(troop);
	free(r.own);
	cu_buf_release(&r.key);
	cu_buf_release(&r.t1);
	cu_buf_release(&r.t2);
	cu_buf_release(&r.t3);
	cu_buf_release(&r.t4);
	return rc;
}

static const char *const qq_patterns[] = {
    "*/com.tencent.mobileqq/databases/[0-9]*.db",
    "*/com.tencent.mobileqq/databases/slowtable_[0-9]*.db",
    "*/com.tencent.tim/databases/[0-9]*.db",
    "*/com.tencent.tim/databases/slowtable_[0-9]*.db",
    "*/com.tencent.qqlite/databases/[0-9]*.db",
    "*/com.tencent.mobileqqi/databases/[0-9]*.db",
    "*/com.tencent.minihd.qq/databases/[0-9]*.db",
    NULL,
};

const struct cu_parser cu_parser_qq_android = {
    "qq-android", APP, CU_PLATFORM_ANDROID, qq_patterns, probe_qq, parse_qq,
};

/*
 * QQ NT for Android (>= ~8.9.63, APPS.md 3.2): databases/nt_db/nt_qq_<hash>/
 * nt_msg.db is a 1024-byte plaintext header ("QQNT" ... a random string)
 * in front of a SQLCipher body keyed from the account uid; decoding is out
 * of scope, so each such file is reported (warning naming it) rather than
 * silently skipped. The header check tells a QQNT file from anything else.
 */
static int probe_qqnt(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 50; /* the path is specific; parse() looks at the header */
}

static enum cu_status parse_qqnt(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct cu_error *err)
{
	unsigned char head[1024];
	size_t got = 0;
	bool qqnt = false;
	FILE *f = a->work_path ? fopen(a->work_path, "rb") : NULL;
	(void)err;
	if (f) {
		got = fread(head, 1, sizeof(head), f);
		fclose(f);
	}
	for (size_t i = 0; i + 4 <= got && !qqnt; i++)
		qqnt = memcmp(head + i, "QQNT", 4) == 0;
	if (qqnt)
		cu_parse_warn(ctx, a,
			      "QQ NT database (1024-byte QQNT header + SQLCipher body, key from "
			      "the account uid): not parsed; the file is kept in the evidence with "
			      "its hash");
	else
		cu_parse_warn(ctx, a,
			      "no QQNT header in the first %zu bytes: not a QQ NT database as "
			      "known; not parsed",
			      got);
	return CU_OK;
}

static const char *const qqnt_patterns[] = {
    "*/com.tencent.mobileqq/databases/nt_db/*/nt_msg.db",
    NULL,
};

const struct cu_parser cu_parser_qq_android_nt = {
    "qq-android-nt", APP, CU_PLATFORM_ANDROID, qqnt_patterns, probe_qqnt, parse_qqnt,
};
