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

static enum cu_status alipay_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	enum cu_status st;
	char sql[256];
	int rc;
	uint64_t bad_json = 0;
	struct cu_rows rows;

	st = cu_parse_open_db(ctx, a, &db, err);
	if (st != CU_OK)
		return st;
	if (!cu_sqlite_has_table(db, "service_message")) {
		st = cu_error_set(err, CU_E_FORMAT, "table 'service_message' missing in '%s'",
				  a->device_path);
		goto out;
	}
	snprintf(sql, sizeof(sql), "SELECT rowid, %s, %s, %s FROM service_message ORDER BY rowid",
		 cu_sqlite_col_or_null(db, "service_message", "gmtCreate"),
		 cu_sqlite_col_or_null(db, "service_message", "title"),
		 cu_sqlite_col_or_null(db, "service_message", "content"));
	st = cu_sqlite_prepare(db, sql, &q, a->device_path, err);
	if (st != CU_OK)
		goto out;
	cu_rows_init(&rows, a, 0);
	while (st == CU_OK && (rc = cu_rows_step(q, &rows)) == SQLITE_ROW) {
		int64_t rowid = sqlite3_column_int64(q, 0), t = cu_sqlite_i64(q, 1);
		const char *title = cu_sqlite_text(q, 2), *content = cu_sqlite_text(q, 3);
		json_t *j = NULL;
		struct cu_error e;
		struct cu_buf body = CU_BUF_INIT;
		struct cu_message m;
		struct cu_conversation c;
		int64_t conv = CU_UNKNOWN, mid = CU_UNKNOWN;
		char *scene = NULL;

		if (content != NULL &&
		    cu_json_load_str(content, strlen(content), "content", &j, &e) != CU_OK) {
			j = NULL;
			bad_json++;
		}
		if (j != NULL && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
			bad_json++;
		}
		scene = j ? scene_name(j) : NULL;
		if (j != NULL) {
			const char *parts[] = {jtext(j, "title"), jtext(j, "topSubContent"),
					       jtext(j, "content"), jtext(j, "assistMsg1"), scene};
			for (size_t k = 0; k < 5 && st == CU_OK; k++) {
				if (parts[k] == NULL || parts[k][0] == '\0')
					continue;
				if (body.len > 0)
					st = cu_buf_putc(&body, '\n', err);
				if (st == CU_OK)
					st = cu_buf_puts(&body, parts[k], err);
			}
		}
		if (st == CU_OK && body.len == 0 && content != NULL)
			st = cu_buf_puts(&body, content, err);
		if (st == CU_OK && title != NULL && title[0] != '\0') {
			memset(&c, 0, sizeof(c));
			c.app = ALIPAY_APP;
			c.identifier = title;
			c.title = title;
			c.is_group = 0;
			c.source_id = a->source_id;
			st = cu_sink_conversation(ctx, &c, &conv, err);
		}
		if (st == CU_OK) {
			memset(&m, 0, sizeof(m));
			m.app = ALIPAY_APP;
			m.conversation_id = conv;
			m.sender = title;
			m.sender_name = title;
			m.direction = "incoming";
			m.sent_ms = t;
			m.kind = "system";
			m.body = body.data;
			m.raw_type = "service_message";
			m.prov = cu_prov_row(a, "service_message", rowid);
			st = cu_sink_message(ctx, &m, &mid, err);
		}
		if (st == CU_OK && j != NULL && jtrue(j, "isPaymentMsg")) {
			struct cu_payment p;
			struct cu_row_extra x = CU_ROW_EXTRA_INIT;
			const char *what = jtext(j, "topSubContent");
			int64_t fen;

			memset(&p, 0, sizeof(p));
			p.app = ALIPAY_APP;
			p.currency = "CNY";
			p.amount_minor = amount_of(jtext(j, "content"), &fen) ? fen : CU_UNKNOWN;
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
			p.counterparty_name = scene;
			p.status = what;
			p.occurred_ms = t;
			p.message_id = mid;
			p.prov = m.prov;
			x.account = jtext(j, "assistMsg1");
			st = cu_sink_payment_x(ctx, &p, &x, NULL, err);
		}
		free(scene);
		json_decref(j);
		cu_buf_release(&body);
	}
	if (st == CU_OK && rc == CU_ROWS_DAMAGED)
		st = cu_rows_damaged(a, err);
	else if (st == CU_OK && rc != SQLITE_DONE)
		st = cu_error_set(err, CU_E_FORMAT, "'%s': reading service_message: %s",
				  a->device_path, sqlite3_errmsg(db));
	if (st == CU_OK && bad_json > 0)
		cu_parse_warn(ctx, a,
			      "%llu service_message contents are not JSON objects (kept raw)",
			      (unsigned long long)bad_json);
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
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
