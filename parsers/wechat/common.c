/*
 * common.c - WeChat message rows to case.db rows, shared by the Android
 * (EnMicroMsg.db `message`) and iOS (Chat_<md5> tables) parsers.
 *
 * Facts used (APPS.md 1.4-1.7, 8.1): type codes and the appmsg inner
 * <type>; received group messages carry a "<wxid>:\n" prefix; 10000 is a
 * plain system notice, 10002 system XML (revokemsg, editrevokecontent);
 * transfers (419430449 / inner 2000) and red packets (436207665 / 2001)
 * carry <wcpayinfo>; receipts come from gh_3dfda90e39d6. Unknown types are
 * kept raw with kind "other".
 */
#include "parsers/wechat/wechat_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define T_TEXT          1
#define T_IMAGE         3
#define T_VOICE         34
#define T_FRIEND_REQ    37
#define T_FRIEND_REC    40
#define T_CARD          42
#define T_VIDEO         43
#define T_STICKER       47
#define T_LOCATION      48
#define T_APP           49
#define T_VOIP          50
#define T_SIGHT         62
#define T_GROUP_VOIP    64
#define T_SYSTEM        10000
#define T_SYSXML        10002
#define T_APP_LINK      16777265
#define T_ARTICLE       285212721
#define T_RECEIPT       318767153
#define T_TRANSFER      419430449
#define T_REDPACKET     436207665
#define T_SYS_INVITE    570425393
#define T_QUOTE         822083633
#define T_MUSIC         1040187441
#define T_EMOJI         1048625
#define T_FILE          1090519089
#define T_LIVE_LOCATION (-1879048186)

void wx_md5_hex(const char *s, size_t n, char out[33])
{
	unsigned char d[16];
	unsigned int dl = 0;

	if (EVP_Digest(s, n, d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
		CU_BUG("md5 unavailable in libcrypto");
	cu_hex(d, 16, out);
}

/* fnmatch pattern matching exactly `prefix` + `suffix` */
enum cu_status wx_exact_pattern(const char *prefix, size_t n, const char *suffix,
				struct cu_buf *out, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	size_t i;

	cu_buf_reset(out);
	for (i = 0; i < n && st == CU_OK; i++) {
		if (strchr("*?[]\\", prefix[i]) != NULL)
			st = cu_buf_putc(out, '\\', err);
		if (st == CU_OK)
			st = cu_buf_putc(out, prefix[i], err);
	}
	if (st == CU_OK)
		st = cu_buf_puts(out, suffix, err);
	return st;
}

bool wx_is_group(const char *username)
{
	return username != NULL && cu_str_has_suffix(username, "@chatroom");
}

void wx_release(struct wx *w)
{
	free(w->own_wxid);
	free(w->own_name);
	free(w->recalled);
	free(w->conv_talker);
	sqlite3_finalize(w->q_orig);
	sqlite3_finalize(w->q_lucky);
	w->own_wxid = w->own_name = w->conv_talker = NULL;
	w->recalled = NULL;
	w->nrecalled = 0;
	w->q_orig = w->q_lucky = NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_recalled(const struct wx *w, int64_t svrid)
{
	return svrid != CU_UNKNOWN && w->nrecalled > 0 &&
	       bsearch(&svrid, w->recalled, w->nrecalled, sizeof(int64_t), cmp_i64) != NULL;
}

enum cu_status wx_collect_recalls(struct wx *w, const char *sql, struct cu_error *err)
{
	sqlite3_stmt *st = NULL;
	enum cu_status s = CU_OK;
	struct cu_rows rows;
	int rc;

	if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK)
		return CU_OK; /* no such table/column: nothing to collect */
	cu_rows_init(&rows, w->a, -1);
	while ((rc = cu_rows_step(st, &rows)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		struct cu_wcpay x;
		struct cu_error e;
		int64_t id;

		if (c == NULL || strstr(c, "revokemsg") == NULL)
			continue;
		if (cu_wcpay_parse(c, (size_t)n, &x, &e) != CU_OK)
			continue;
		if (x.newmsgid != NULL && cu_parse_i64(x.newmsgid, &id)) {
			int64_t *nv = cu_reallocarray(w->recalled, w->nrecalled + 1, sizeof(*nv));
			if (nv == NULL) {
				cu_wcpay_release(&x);
				s = cu_error_set(err, CU_E_NOMEM, "out of memory");
				goto out;
			}
			w->recalled = nv;
			w->recalled[w->nrecalled++] = id;
		}
		cu_wcpay_release(&x);
	}
	if (rc == CU_ROWS_DAMAGED) {
		s = cu_rows_damaged(w->a, err);
		goto out;
	}
	if (rc != SQLITE_DONE) {
		s = cu_error_set(err, CU_E_FORMAT, "reading revoke notices: %s",
				 sqlite3_errmsg(w->db));
		goto out;
	}
	if (w->nrecalled > 1)
		qsort(w->recalled, w->nrecalled, sizeof(int64_t), cmp_i64);
out:
	sqlite3_finalize(st);
	return s;
}

enum cu_status wx_conversation(struct wx *w, const char *talker, int64_t *id, struct cu_error *err)
{
	struct cu_conversation c;
	char *title = NULL;
	int64_t cid = CU_UNKNOWN;
	enum cu_status st;

	if (talker == NULL) {
		*id = CU_UNKNOWN;
		return CU_OK;
	}
	if (w->conv_talker != NULL && strcmp(w->conv_talker, talker) == 0) {
		*id = w->conv_id;
		return CU_OK;
	}
	title = w->display != NULL ? w->display(w, talker) : NULL;
	memset(&c, 0, sizeof(c));
	c.app = WX_APP;
	c.identifier = talker;
	c.title = title;
	c.is_group = wx_is_group(talker) ? 1 : 0;
	c.source_id = w->a->source_id;
	st = cu_sink_conversation(w->ctx, &c, &cid, err);
	free(title);
	if (st != CU_OK)
		return st;
	free(w->conv_talker);
	w->conv_talker = cu_strdup(talker);
	w->conv_id = cid;
	*id = cid;
	return CU_OK;
}

/* message kind for an app message (type 49 family) from the inner type */
static const char *appmsg_kind(int inner)
{
	switch (inner) {
	case 1:
	case 57: return "text";
	case 2: return "image";
	case 3:
	case 4:
	case 5:
	case 33:
	case 36:
	case 50:
	case 51: return "link";
	case 6: return "file";
	case 8: return "sticker";
	case 17: return "location";
	case 62: return "system";
	case 2000: return "transfer";
	case 2001: return "red_packet";
	default: return "other";
	}
}

static const char *base_kind(int64_t type)
{
	switch (type) {
	case T_TEXT: return "text";
	case T_IMAGE: return "image";
	case T_VOICE: return "voice";
	case T_FRIEND_REQ:
	case T_FRIEND_REC:
	case T_SYSTEM:
	case T_SYSXML:
	case T_SYS_INVITE: return "system";
	case T_CARD: return "contact";
	case T_VIDEO:
	case T_SIGHT: return "video";
	case T_STICKER:
	case T_EMOJI: return "sticker";
	case T_LOCATION:
	case T_LIVE_LOCATION: return "location";
	case T_VOIP:
	case T_GROUP_VOIP: return "call";
	case T_APP_LINK:
	case T_ARTICLE:
	case T_MUSIC: return "link";
	case T_TRANSFER: return "transfer";
	case T_REDPACKET: return "red_packet";
	case T_QUOTE: return "text";
	case T_FILE: return "file";
	default: return "other";
	}
}

static bool is_app_family(int64_t type)
{
	/* (subclass << 24) | 49 (APPS.md 1.5) */
	return type == T_APP || (type > 0 && (type & 0xffffff) == T_APP);
}

static bool nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static const char *transfer_status(int paysubtype)
{
	/* WechatExporter's strings (APPS.md 8.1); wording varies by source */
	switch (paysubtype) {
	case 1: return "pending";
	case 3:
	case 5:
	case 8: return "accepted";
	case 4:
	case 9: return "rejected";
	case 10: return "expired";
	default: return NULL;
	}
}

/* Text after `key` in `text` up to the end of the line, skipping ":：" and
 * spaces; malloc'ed or NULL. */
static char *line_after(const char *text, const char *key)
{
	const char *p, *e;

	if (text == NULL || (p = strstr(text, key)) == NULL)
		return NULL;
	p += strlen(key);
	for (;;) {
		if (*p == ' ' || *p == ':')
			p++;
		else if (strncmp(p, "\xef\xbc\x9a", 3) == 0) /* U+FF1A fullwidth colon */
			p += 3;
		else
			break;
	}
	e = p + strcspn(p, "\r\n");
	return e > p ? cu_strndup(p, (size_t)(e - p)) : NULL;
}

static int64_t lucky_amount(struct wx *w, int64_t svrid, const char *sendid)
{
	int64_t v = CU_UNKNOWN;

	if (w->q_lucky == NULL)
		return CU_UNKNOWN;
	sqlite3_reset(w->q_lucky);
	sqlite3_clear_bindings(w->q_lucky);
	if (svrid != CU_UNKNOWN)
		sqlite3_bind_int64(w->q_lucky, 1, svrid);
	if (sendid != NULL)
		sqlite3_bind_text(w->q_lucky, 2, sendid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(w->q_lucky) == SQLITE_ROW &&
	    sqlite3_column_type(w->q_lucky, 0) == SQLITE_INTEGER) {
		v = sqlite3_column_int64(w->q_lucky, 0);
		if (v <= 0)
			v = CU_UNKNOWN; /* not opened (yet) */
	}
	sqlite3_reset(w->q_lucky);
	return v;
}

/* The surviving text of a recalled message (same table, by server id). */
static char *original_text(struct wx *w, int64_t svrid, int64_t self_rowid)
{
	char *out = NULL;
	int64_t type;
	const char *c;

	if (w->q_orig == NULL || svrid == CU_UNKNOWN)
		return NULL;
	sqlite3_reset(w->q_orig);
	sqlite3_bind_int64(w->q_orig, 1, svrid);
	sqlite3_bind_int64(w->q_orig, 2, self_rowid);
	if (sqlite3_step(w->q_orig) == SQLITE_ROW) {
		type = sqlite3_column_int64(w->q_orig, 0);
		c = (const char *)sqlite3_column_text(w->q_orig, 1);
		if (type == T_TEXT && c != NULL) {
			size_t off = 0;
			const char *talker = (const char *)sqlite3_column_text(w->q_orig, 3);
			if (sqlite3_column_int64(w->q_orig, 2) == 0 && wx_is_group(talker) &&
			    cu_wechat_split_sender(c, strlen(c), &off))
				c += off;
			out = cu_strdup(c);
		}
	}
	sqlite3_reset(w->q_orig);
	return out;
}

static enum cu_status join_body(struct cu_buf *b, const char *const *parts, size_t n,
				struct cu_error *err)
{
	size_t i;
	bool first = true;
	enum cu_status st = CU_OK;

	for (i = 0; i < n && st == CU_OK; i++) {
		if (!nonempty(parts[i]))
			continue;
		if (!first)
			st = cu_buf_putc(b, '\n', err);
		if (st == CU_OK)
			st = cu_buf_puts(b, parts[i], err);
		first = false;
	}
	return st;
}

/* "通话时长 01:02" / "通话时长 1:02:03": the call length WeChat shows in the
 * bubble text; seconds, or CU_UNKNOWN */
static int64_t call_duration(const char *p, size_t n)
{
	static const char key[] = "\xe9\x80\x9a\xe8\xaf\x9d\xe6\x97\xb6\xe9\x95\xbf"; /* 通话时长 */
	const char *k = p != NULL ? memmem(p, n, key, sizeof(key) - 1) : NULL;
	int64_t parts[3] = {0, 0, 0}, v;
	int np = 0;
	const char *e;

	if (k == NULL)
		return CU_UNKNOWN;
	k += sizeof(key) - 1;
	e = p + n;
	while (k < e && *k == ' ')
		k++;
	while (k < e && np < 3) {
		int digits = 0;
		v = 0;
		while (k < e && *k >= '0' && *k <= '9' && digits < 6) {
			v = v * 10 + (*k++ - '0');
			digits++;
		}
		if (digits == 0)
			return CU_UNKNOWN;
		parts[np++] = v;
		if (k < e && *k == ':')
			k++;
		else
			break;
	}
	if (np == 2)
		return parts[0] * 60 + parts[1];
	if (np == 3)
		return parts[0] * 3600 + parts[1] * 60 + parts[2];
	return CU_UNKNOWN;
}

static enum cu_status emit_call(struct wx *w, const struct wx_row *r, const struct cu_message *m,
				const char *payload, size_t plen, struct cu_error *err)
{
	struct cu_call c;
	struct cu_row_extra x = CU_ROW_EXTRA_INIT;

	memset(&c, 0, sizeof(c));
	c.app = WX_APP;
	c.counterpart = r->talker;
	c.direction = r->is_send ? "outgoing" : "incoming";
	c.started_ms = r->time_ms;
	c.duration_s = call_duration(payload, plen);
	/* a length shown means the call was answered; otherwise we do not know */
	c.answered = c.duration_s != CU_UNKNOWN ? 1 : -1;
	c.prov = m->prov;
	x.raw_type = m->raw_type;
	return cu_sink_call_x(w->ctx, &c, &x, NULL, err);
}

/* One message on its way from a row to case.db: what the steps of
 * wx_emit() work out, and what they own. */
struct wx_msg {
	struct cu_message m;
	struct cu_wcpay x; /* the parsed XML payload when have_x */
	bool have_x, group;
	const char *payload; /* the content after a group sender prefix */
	size_t plen;
	const char *sender, *kind;
	struct cu_buf body;
	char raw_type[24];
	int64_t conv_id, msg_id;
	/* owned */
	char *sender_buf, *sender_name, *orig;
};

/* Received group messages: "<wxid>:\n<payload>" (not on 10000 notices):
 * the sender is taken off the payload. */
static enum cu_status split_group_sender(const struct wx_row *r, struct wx_msg *e,
					 struct cu_error *err)
{
	size_t off = 0, slen;

	if (!e->group || r->is_send || r->type == T_SYSTEM || e->payload == NULL ||
	    !cu_wechat_split_sender(e->payload, e->plen, &off))
		return CU_OK;
	slen = off - (e->payload[off - 1] == '\n' && e->payload[off - 2] == ':' ? 2 : 4);
	e->sender_buf = cu_strndup(e->payload, slen);
	if (e->sender_buf == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	e->sender = e->sender_buf;
	e->payload += off;
	e->plen -= off;
	return CU_OK;
}

/* Direction and sender from the row; the kind from the type code. */
static void direction_of(const struct wx *w, const struct wx_row *r, struct wx_msg *e)
{
	e->kind = base_kind(r->type);
	if (r->type == T_SYSTEM || r->type == T_SYSXML || r->type == T_SYS_INVITE) {
		e->m.direction = "system";
		e->sender = NULL;
	} else if (r->is_send) {
		e->m.direction = "outgoing";
		e->sender = w->own_wxid;
	} else {
		e->m.direction = "incoming";
		if (!e->group)
			e->sender = r->talker;
	}
}

/* XML payloads (app messages, sysmsg): parsed, and the kind refined by
 * the inner <appmsg><type>. */
static void classify_xml(struct wx *w, const struct wx_row *r, struct wx_msg *e)
{
	struct cu_error xerr;

	if (e->payload != NULL && (is_app_family(r->type) || r->type == T_SYSXML)) {
		if (cu_wcpay_parse(e->payload, e->plen, &e->x, &xerr) == CU_OK)
			e->have_x = true;
		else
			w->xml_errors++;
	}
	if (!e->have_x)
		return;
	/* a received group app message without the prefix: <fromusername> */
	if (e->group && !r->is_send && e->sender == NULL && nonempty(e->x.fromusername) &&
	    strcmp(e->m.direction, "system") != 0)
		e->sender = e->x.fromusername;
	if (r->type == T_APP)
		e->kind = appmsg_kind(e->x.appmsg_type);
	else if (is_app_family(r->type) && !strcmp(e->kind, "other") && r->type != T_RECEIPT)
		e->kind = appmsg_kind(e->x.appmsg_type);
	if ((e->x.appmsg_type == 2000 || e->x.appmsg_type == 2001) && r->type != T_RECEIPT)
		e->kind = e->x.appmsg_type == 2000 ? "transfer" : "red_packet";
}

/* A recall notice: the notice, then the recalled text when it survives:
 * in the same table by server id, in the app's own revoke table, or in
 * <revokecontent> for the owner's own recall (APPS.md 1.6, 2.2). */
static enum cu_status recall_body(struct wx *w, const struct wx_row *r, struct wx_msg *e,
				  struct cu_error *err)
{
	const struct cu_wcpay *x = &e->x;

	if (r->type != T_SYSXML || !e->have_x || x->sysmsg_type == NULL)
		return CU_OK;
	if (!strcmp(x->sysmsg_type, "revokemsg")) {
		int64_t svr = CU_UNKNOWN;
		const char *parts[2];

		e->kind = "recalled";
		if (x->newmsgid == NULL || !cu_parse_i64(x->newmsgid, &svr))
			svr = CU_UNKNOWN;
		e->orig = original_text(w, svr, r->rowid);
		if (e->orig == NULL && w->revoked_text != NULL && svr != CU_UNKNOWN)
			e->orig = w->revoked_text(w, svr);
		parts[0] = x->replacemsg;
		parts[1] = e->orig;
		return join_body(&e->body, parts, 2, err);
	}
	if (!strcmp(x->sysmsg_type, "editrevokecontent")) {
		const char *parts[] = {x->sysmsg_text, x->revokecontent};

		e->kind = "recalled";
		return join_body(&e->body, parts, 2, err);
	}
	return CU_OK;
}

/* The body of an app message by kind; else the payload as found. */
static enum cu_status message_body(const struct wx_row *r, struct wx_msg *e, struct cu_error *err)
{
	const struct cu_wcpay *x = &e->x;
	enum cu_status st = CU_OK;

	if (e->body.len == 0 && e->have_x && is_app_family(r->type)) {
		if (!strcmp(e->kind, "transfer")) {
			const char *parts[] = {x->title, x->feedesc, x->des, x->pay_memo};
			st = join_body(&e->body, parts, 4, err);
		} else if (!strcmp(e->kind, "red_packet")) {
			const char *wish =
			    nonempty(x->sendertitle) ? x->sendertitle : x->receivertitle;
			const char *parts[] = {x->title, wish, x->des};
			st = join_body(&e->body, parts, 3, err);
		} else {
			const char *parts[] = {
			    x->title,
			    (x->des && x->title && !strcmp(x->des, x->title)) ? NULL : x->des,
			    x->url};
			st = join_body(&e->body, parts, 3, err);
		}
		if (st != CU_OK)
			return st;
	}
	/* nothing readable extracted: the payload as found */
	if (e->body.len == 0 && e->payload != NULL)
		st = cu_buf_append(&e->body, e->payload, e->plen, err);
	return st;
}

/* The messages row. */
static enum cu_status sink_message(struct wx *w, const struct wx_row *r, struct wx_msg *e,
				   struct cu_error *err)
{
	if (e->sender != NULL && w->display != NULL)
		e->sender_name = (r->is_send && w->own_name != NULL) ? cu_strdup(w->own_name)
								     : w->display(w, e->sender);
	e->m.app = WX_APP;
	e->m.conversation_id = e->conv_id;
	e->m.sender = e->sender;
	e->m.sender_name = e->sender_name;
	e->m.sent_ms = r->time_ms;
	e->m.kind = e->kind;
	e->m.body = e->body.data != NULL ? e->body.data : (e->payload != NULL ? "" : NULL);
	/* the payload went into the buffer with its length (NUL bytes kept,
	 * CASEDB.md: nothing is cleaned) */
	if (e->body.data != NULL)
		e->m.body_len = e->body.len;
	e->m.attachment = r->attachment;
	e->m.status = is_recalled(w, r->svrid) ? "recalled" : NULL;
	e->m.prov = r->prov ? *r->prov : cu_prov_row(w->a, w->table, r->rowid);
	return cu_sink_message(w->ctx, &e->m, &e->msg_id, err);
}

/* A transfer (appmsg 2000): direction from who paid whom. */
static void transfer_payment(const struct wx *w, const struct wx_row *r, const struct wx_msg *e,
			     struct cu_payment *p)
{
	const struct cu_wcpay *x = &e->x;
	const char *own = w->own_wxid;

	p->kind = "transfer";
	p->amount_minor = x->amount_minor;
	p->status = transfer_status(x->paysubtype);
	p->memo = nonempty(x->pay_memo) ? x->pay_memo : NULL;
	p->transaction_id = nonempty(x->transferid)      ? x->transferid
			    : nonempty(x->transcationid) ? x->transcationid
							 : NULL;
	if (own != NULL && nonempty(x->payer_username) && !strcmp(x->payer_username, own)) {
		p->direction = "outgoing";
		p->counterparty = x->receiver_username;
	} else if (own != NULL && nonempty(x->receiver_username) &&
		   !strcmp(x->receiver_username, own)) {
		p->direction = "incoming";
		p->counterparty = x->payer_username;
	} else if (x->paysubtype == 1 || x->paysubtype < 0) {
		/* the payer's own message announces the transfer */
		p->direction = r->is_send ? "outgoing" : "incoming";
	} else if (x->paysubtype == 3 || x->paysubtype == 4 || x->paysubtype == 5) {
		/* sent by the receiver when accepting/returning */
		p->direction = r->is_send ? "incoming" : "outgoing";
	} else {
		p->direction = "unknown";
	}
	if (p->counterparty == NULL)
		p->counterparty = e->group ? (r->is_send ? NULL : e->sender) : r->talker;
}

/* A red packet (appmsg 2001). */
static void red_packet_payment(struct wx *w, const struct wx_row *r, const struct wx_msg *e,
			       struct cu_payment *p)
{
	const struct cu_wcpay *x = &e->x;

	p->kind = "red_packet";
	p->memo = nonempty(x->sendertitle)     ? x->sendertitle
		  : nonempty(x->receivertitle) ? x->receivertitle
					       : NULL;
	p->transaction_id = nonempty(x->sendid) ? x->sendid : NULL;
	p->direction = r->is_send ? "outgoing" : "incoming";
	p->counterparty =
	    r->is_send ? (e->group ? NULL : r->talker) : (e->group ? e->sender : r->talker);
	/* WalletLuckyMoney.receiveAmount: what the owner received (fen,
	 * [unconfirmed]); only meaningful for received packets */
	if (!r->is_send)
		p->amount_minor = lucky_amount(w, r->svrid, x->sendid);
}

/* A WeChat Pay bill notice (the 微信支付 account): amount, merchant and
 * transaction number from the text; *merchant and *txid are malloc'ed. */
static void bill_payment(const struct wx_msg *e, struct cu_payment *p, char **merchant, char **txid)
{
	const struct cu_wcpay *x = &e->x;
	int64_t fen;

	p->kind = "bill";
	if (cu_wcpay_amount_parse(x->des, &fen) || cu_wcpay_amount_parse(x->title, &fen) ||
	    cu_wcpay_amount_parse(e->payload, &fen))
		p->amount_minor = fen;
	*merchant = nonempty(x->display_name) ? cu_strdup(x->display_name) : NULL;
	if (*merchant == NULL)
		*merchant = line_after(x->des, "\xe5\x95\x86\xe5\x93\x81\xe8\xaf\xa6\xe6\x83"
					       "\x85"); /* 商品详情 */
	if (*merchant == NULL)
		*merchant = line_after(x->des, "\xe6\x94\xb6\xe6\xac\xbe\xe6\x96\xb9"); /* 收款方 */
	p->counterparty_name = *merchant;
	/* 交易单号 */
	*txid = line_after(x->des, "\xe4\xba\xa4\xe6\x98\x93\xe5\x8d\x95\xe5\x8f\xb7");
	p->transaction_id = *txid;
	/* 收款 (money received) vs 付款/支付 (paid) in the title/des */
	if (x->title != NULL && strstr(x->title, "\xe6\x94\xb6\xe6\xac\xbe") != NULL)
		p->direction = "incoming";
	else if ((x->title && strstr(x->title, "\xe6\x94\xaf\xe4\xbb\x98")) ||
		 (x->des && strstr(x->des, "\xe4\xbb\x98\xe6\xac\xbe")))
		p->direction = "outgoing";
	else
		p->direction = "unknown";
}

/* The payments row of a transfer, red packet or bill, linked to the
 * message. */
static enum cu_status sink_payment(struct wx *w, const struct wx_row *r, const struct wx_msg *e,
				   struct cu_error *err)
{
	struct cu_payment p;
	char *cp_name = NULL, *txid = NULL, *merchant = NULL;
	enum cu_status st;

	if (!e->have_x)
		return CU_OK;
	memset(&p, 0, sizeof(p));
	p.app = WX_PAY_APP;
	p.currency = "CNY";
	p.amount_minor = CU_UNKNOWN;
	p.occurred_ms = r->time_ms;
	p.message_id = e->msg_id;
	p.prov = e->m.prov;
	if (!strcmp(e->kind, "transfer"))
		transfer_payment(w, r, e, &p);
	else if (!strcmp(e->kind, "red_packet"))
		red_packet_payment(w, r, e, &p);
	else if (r->talker != NULL && !strcmp(r->talker, WX_PAY_ACCOUNT) && is_app_family(r->type))
		bill_payment(e, &p, &merchant, &txid);
	else
		return CU_OK;
	if (p.counterparty != NULL && p.counterparty_name == NULL && w->display != NULL) {
		cp_name = w->display(w, p.counterparty);
		p.counterparty_name = cp_name;
	}
	st = cu_sink_payment(w->ctx, &p, err);
	free(cp_name);
	free(txid);
	free(merchant);
	return st;
}

enum cu_status wx_emit(struct wx *w, const struct wx_row *r, struct cu_error *err)
{
	struct wx_msg e;
	enum cu_status st;

	memset(&e, 0, sizeof(e));
	e.group = wx_is_group(r->talker);
	e.payload = r->content;
	e.plen = r->content_len;
	e.conv_id = e.msg_id = CU_UNKNOWN;
	cu_buf_init(&e.body, (size_t)64 << 20);
	snprintf(e.raw_type, sizeof(e.raw_type), "%lld", (long long)r->type);
	e.m.raw_type = r->type_text != NULL   ? r->type_text
		       : r->type == INT64_MIN ? NULL
					      : e.raw_type;

	st = wx_conversation(w, r->talker, &e.conv_id, err);
	if (st == CU_OK)
		st = split_group_sender(r, &e, err);
	if (st == CU_OK) {
		direction_of(w, r, &e);
		classify_xml(w, r, &e);
		st = recall_body(w, r, &e, err);
	}
	if (st == CU_OK)
		st = message_body(r, &e, err);
	if (st == CU_OK)
		st = sink_message(w, r, &e, err);
	/* VoIP calls (50, group 64) also become calls rows */
	if (st == CU_OK && (r->type == T_VOIP || r->type == T_GROUP_VOIP))
		st = emit_call(w, r, &e.m, e.payload, e.plen, err);
	if (st == CU_OK)
		st = sink_payment(w, r, &e, err);
	if (st != CU_OK)
		cu_error_prefix(err, "%s rowid %lld", w->table, (long long)r->rowid);
	cu_wcpay_release(&e.x);
	cu_buf_release(&e.body);
	free(e.sender_buf);
	free(e.sender_name);
	free(e.orig);
	return st;
}
