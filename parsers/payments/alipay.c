/*
 * alipay.c - Alipay Android (com.eg.android.AlipayGphone) payment notices,
 * APPS.md 8.2: databases/messagebox.db, table service_message (gmtCreate
 * Unix ms, title e.g. 支付助手, content JSON). Payment notices have JSON
 * isPaymentMsg = true, content = amount text ("20.00"), topSubContent =
 * what happened (付款成功 / ...扣款 / 收款... / 退款...), assistMsg1 = the
 * payment method (余额, 花呗, a bank card), sceneExt2.sceneName = the
 * merchant or counterparty. Every row becomes a messages row (app
 * "alipay", kind "system"); payment notices also a payments row. Version
 * coverage: the layout a 2020s poller reads [doc]; other Alipay databases
 * are not parsed. Test data: tests/data/wechat/alipay_messagebox.sql.
 */
#include "parsers/payments/payments.h"

#include <stdlib.h>
#include <string.h>

#define ALIPAY_APP "alipay"

static const char *const alipay_patterns[] = {
    "*/com.eg.android.AlipayGphone/databases/messagebox.db",
    NULL,
};

static int alipay_probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	sqlite3 *db = NULL;
	struct cu_error e;
	int conf = 0;

	if (cu_parse_open_db(ctx, a, &db, &e) != CU_OK)
		return 0;
	if (cu_sqlite_has_table(db, "service_message"))
		conf = 90;
	sqlite3_close(db);
	return conf;
}

static const char *jtext(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jtrue(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_true(v))
		return true;
	if (json_is_string(v))
		return strcmp(json_string_value(v), "true") == 0 ||
		       strcmp(json_string_value(v), "1") == 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return false;
}

/* sceneExt2 is an object, or a string holding one */
static char *scene_name(json_t *o)
{
	json_t *v = json_object_get(o, "sceneExt2"), *inner = NULL;
	const char *s;
	char *out = NULL;
	struct cu_error e;

	if (json_is_object(v)) {
		s = jtext(v, "sceneName");
		return s ? cu_strdup(s) : NULL;
	}
	if (json_is_string(v) &&
	    cu_json_load_str(json_string_value(v), strlen(json_string_value(v)), "sceneExt2",
			     &inner, &e) == CU_OK) {
		s = jtext(inner, "sceneName");
		out = s ? cu_strdup(s) : NULL;
		json_decref(inner);
	}
	return out;
}

static bool amount_of(const char *s, int64_t *fen)
{
	size_t used = 0, n;

	if (s == NULL)
		return false;
	if (cu_wcpay_amount_parse(s, fen))
		return true;
	while (*s == ' ' || *s == '+' || *s == '-')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n > 0 && cu_money_parse_minor(s, n, fen, &used) && used == n;
}

/* service_message (APPS.md 8.2): one notice each. */
enum { SM_CREATED, SM_TITLE, SM_CONTENT };
static const struct cu_column_spec service_message_columns[] = {
    [SM_CREATED] = {"gmtCreate", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_MESSAGE_SENT},
    [SM_TITLE] = {"title", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_MESSAGE_SENDER},
    [SM_CONTENT] = {"content", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
};

/* The notice being sunk (its JSON, the merchant) and what the file gave. */
struct alipay_run {
	json_t *j; /* the content as a JSON object, or NULL */
	char *scene;
	struct cu_buf body;
	uint64_t bad_json;
};

static void alipay_row_release(struct alipay_run *r)
{
	free(r->scene);
	json_decref(r->j);
	r->scene = NULL;
	r->j = NULL;
	cu_buf_reset(&r->body);
}

/* The message: the notice's parts one per line, else the content as is;
 * the title (支付助手, 服务提醒) is the sender and the conversation. */
static enum cu_status notice_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 const struct cu_table_spec *spec, const struct cu_spec_row *row,
				 struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct alipay_run *r = arg;
	const char *title = row->v[SM_TITLE].text, *content = row->v[SM_CONTENT].text;
	struct cu_message *m = &out->message;
	struct cu_error e;
	enum cu_status st = CU_OK;

	(void)spec;
	alipay_row_release(r);
	if (content != NULL &&
	    cu_json_load_str(content, strlen(content), "content", &r->j, &e) != CU_OK) {
		r->j = NULL;
		r->bad_json++;
	}
	if (r->j != NULL && !json_is_object(r->j)) {
		json_decref(r->j);
		r->j = NULL;
		r->bad_json++;
	}
	if (r->j != NULL) {
		r->scene = scene_name(r->j);
		const char *parts[] = {jtext(r->j, "title"), jtext(r->j, "topSubContent"),
				       jtext(r->j, "content"), jtext(r->j, "assistMsg1"), r->scene};
		for (size_t k = 0; k < 5 && st == CU_OK; k++) {
			if (parts[k] == NULL || parts[k][0] == '\0')
				continue;
			if (r->body.len > 0)
				st = cu_buf_putc(&r->body, '\n', err);
			if (st == CU_OK)
				st = cu_buf_puts(&r->body, parts[k], err);
		}
	}
	if (st == CU_OK && r->body.len == 0 && content != NULL)
		st = cu_buf_puts(&r->body, content, err);
	if (st == CU_OK && title != NULL && title[0] != '\0')
		st = cu_parse_conversation(ctx, ALIPAY_APP, title, title, 0, a->source_id,
					   &m->conversation_id, err);
	m->sender_name = title;
	m->direction = "incoming";
	m->kind = "system";
	/* reused buffer: no text at all (no JSON parts, NULL content) is NULL */
	m->body = r->body.len > 0 || content != NULL ? r->body.data : NULL;
	m->raw_type = "service_message";
	return st;
}

/* A payment notice (isPaymentMsg) also becomes a payments row. */
static enum cu_status notice_sunk(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_spec_row *row, const struct cu_spec_out *out,
				  int64_t id, void *arg, struct cu_error *err)
{
	struct alipay_run *r = arg;
	struct cu_payment p;
	struct cu_row_extra x = CU_ROW_EXTRA_INIT;
	const char *what;
	int64_t fen;

	(void)a, (void)row;
	if (r->j == NULL || !jtrue(r->j, "isPaymentMsg"))
		return CU_OK;
	what = jtext(r->j, "topSubContent");
	memset(&p, 0, sizeof(p));
	p.app = ALIPAY_APP;
	p.currency = "CNY";
	p.amount_minor = amount_of(jtext(r->j, "content"), &fen) ? fen : CU_UNKNOWN;
	/* payment notices are bills (the fixture's reading of APPS.md 8.2):
	 * 退款 refund (money in), 收款/到账 money in, 付款/扣款/支付 out */
	p.kind = "bill";
	p.direction = "unknown";
	if (what != NULL && strstr(what, "\xe9\x80\x80\xe6\xac\xbe")) {
		p.kind = "refund";
		p.direction = "incoming";
	} else if (what != NULL && (strstr(what, "\xe6\x94\xb6\xe6\xac\xbe") ||
				    strstr(what, "\xe5\x88\xb0\xe8\xb4\xa6"))) {
		p.direction = "incoming";
	} else if (what != NULL && (strstr(what, "\xe4\xbb\x98\xe6\xac\xbe") ||
				    strstr(what, "\xe6\x89\xa3\xe6\xac\xbe") ||
				    strstr(what, "\xe6\x94\xaf\xe4\xbb\x98"))) {
		p.direction = "outgoing";
	}
	p.counterparty_name = r->scene;
	p.status = what;
	p.occurred_ms = out->message.sent_ms;
	p.message_id = id;
	p.prov = out->message.prov;
	x.account = jtext(r->j, "assistMsg1");
	return cu_sink_payment_x(ctx, &p, &x, NULL, err);
}

static const struct cu_table_spec service_message_spec = {
    .table = "service_message",
    .key = "rowid",
    .columns = service_message_columns,
    .ncolumns = sizeof(service_message_columns) / sizeof(service_message_columns[0]),
    .app = ALIPAY_APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = notice_row,
    .sunk = notice_sunk,
};

static enum cu_status alipay_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	struct alipay_run r = {NULL, NULL, CU_BUF_INIT, 0};
	enum cu_status st = cu_spec_parse(ctx, a, &service_message_spec, &r, err);

	if (st == CU_OK && r.bad_json > 0)
		cu_parse_warn(ctx, a,
			      "%llu service_message contents are not JSON objects (kept raw)",
			      (unsigned long long)r.bad_json);
	alipay_row_release(&r);
	cu_buf_release(&r.body);
	return st;
}

const struct cu_parser cu_parser_alipay_android = {
    .name = "alipay-android",
    .app = ALIPAY_APP,
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = alipay_patterns,
    .probe = alipay_probe,
    .parse = alipay_parse,
};
