/*
 * banksms.c - Chinese bank notification SMS -> payments (app "bank-sms").
 *
 * Format facts: shared/formats/APPS.md 8.3 (short codes 955xx, 【银行】 tag
 * at the start or the end, direction keywords, amount/balance/card-tail
 * conventions). Templates differ per bank and year, so this is a small
 * keyword/position extractor, not a table of per-bank regexes:
 *   - the amount is the first money figure that is introduced by
 *     人民币/RMB/CNY/￥ or followed by 元, and is not the 余额 (balance);
 *   - the direction is the keyword nearest before the amount (so
 *     "转入...来自支付宝" is incoming although 支付 appears later);
 *   - the counterparty follows 来自/向, or sits between 在 and the keyword
 *     ("在财付通-微信支付-山月荟装扮快捷支付": the last '-' segment).
 * Amounts are parsed with integer arithmetic only (fen). Tested by
 * tests/unit/test_banksms.c over the APPS.md 8.3 template lines and the
 * fixtures' SMS (fixtures/apps/sms-android, sms-ios).
 */
#include "parsers/payments/banksms.h"

#include <string.h>

bool cu_money_parse_minor(const char *s, size_t n, int64_t *minor, size_t *used)
{
	size_t i = 0, run = 0;
	int64_t v = 0, frac = 0;

	if (!s || n == 0 || s[0] < '0' || s[0] > '9')
		return false;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (v > (INT64_MAX / 100 - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
		i++;
		run++;
	}
	/* thousands separators: only after a first group of 1-3 digits, and
	 * only when exactly three digits follow each comma */
	if (run <= 3) {
		while (i + 3 < n && s[i] == ',' && s[i + 1] >= '0' && s[i + 1] <= '9' &&
		       s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9' &&
		       (i + 4 >= n || s[i + 4] < '0' || s[i + 4] > '9')) {
			for (int k = 1; k <= 3; k++) {
				if (v > (INT64_MAX / 100 - (s[i + k] - '0')) / 10)
					return false;
				v = v * 10 + (s[i + k] - '0');
			}
			i += 4;
		}
	}
	if (i + 1 < n && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
		frac = (s[i + 1] - '0') * 10;
		i += 2;
		if (i < n && s[i] >= '0' && s[i] <= '9') {
			frac += s[i] - '0';
			i++;
		}
		if (i < n && s[i] >= '0' && s[i] <= '9')
			return false; /* three decimals: not a money figure */
	}
	if (v > (INT64_MAX - frac) / 100)
		return false;
	*minor = v * 100 + frac;
	if (used)
		*used = i;
	return true;
}

/* ------------------------------------------------------------------ */

/* APPS.md 8.3 short codes (95580 unconfirmed there; harmless here). */
static const struct {
	const char *code, *bank;
} short_codes[] = {
    {"95588", "工商银行"}, {"95533", "建设银行"}, {"95599", "农业银行"}, {"95566", "中国银行"},
    {"95555", "招商银行"}, {"95559", "交通银行"}, {"95558", "中信银行"}, {"95528", "浦发银行"},
    {"95595", "光大银行"}, {"95511", "平安银行"}, {"95568", "民生银行"}, {"95508", "广发银行"},
    {"95526", "北京银行"}, {"95580", "邮储银行"},
};

static const char *const out_words[] = {"支出", "消费", "转出", "扣款", "付款", "取款",
					"代付", "支付", "汇出", "扣费", NULL};
static const char *const in_words[] = {"收入", "入账", "转入", "存入", "退款",
				       "工资", "代发", "汇入", "收款", NULL};
/* A tag is a bank's when it holds one of these. */
static const char *const bank_words[] = {"银行", "农信", "信用社", "农商", "邮储", "银联", NULL};

static bool has_any(const char *s, size_t n, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (memmem(s, n, *w, strlen(*w)))
			return true;
	return false;
}

static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	/* never cut a UTF-8 sequence in half */
	if (n >= cap)
		n = cap - 1;
	n = cu_utf8_valid_prefix(src, n);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* 【X】 or [X] tag holding a bank word; fills bank. */
static bool find_bank_tag(const char *s, size_t n, char *bank, size_t cap)
{
	static const struct {
		const char *open, *close;
	} br[] = {{"【", "】"}, {"[", "]"}, {"［", "］"}};

	for (size_t b = 0; b < sizeof(br) / sizeof(br[0]); b++) {
		const char *p = s, *end = s + n;

		while (p < end) {
			const char *o =
			    memmem(p, (size_t)(end - p), br[b].open, strlen(br[b].open));
			const char *c;

			if (!o)
				break;
			o += strlen(br[b].open);
			c = memmem(o, (size_t)(end - o), br[b].close, strlen(br[b].close));
			if (!c)
				break;
			if (c > o && (size_t)(c - o) < 90 &&
			    has_any(o, (size_t)(c - o), bank_words)) {
				copy_str(bank, cap, o, (size_t)(c - o));
				return true;
			}
			p = c + strlen(br[b].close);
		}
	}
	return false;
}

static const char *short_code_bank(const char *sender)
{
	const char *d = sender;

	if (!sender)
		return NULL;
	if (strncmp(d, "+86", 3) == 0)
		d += 3;
	for (size_t i = 0; i < sizeof(short_codes) / sizeof(short_codes[0]); i++)
		if (strcmp(d, short_codes[i].code) == 0)
			return short_codes[i].bank;
	/* other 955xx codes are banks or insurers; the keyword test decides */
	if (strlen(d) == 5 && strncmp(d, "955", 3) == 0 && d[3] >= '0' && d[3] <= '9' &&
	    d[4] >= '0' && d[4] <= '9')
		return "";
	return NULL;
}

/* Full-width digits and '．' to ASCII, in place semantics on a copy;
 * other bytes unchanged. out has room for n + 1 bytes. */
static size_t normalize(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;

		/* U+FF10..U+FF19 = EF BC 90..99 ; U+FF0E '．' = EF BC 8E */
		if (i + 2 < n && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
			out[o++] = (char)('0' + (u[2] - 0x90));
			i += 3;
		} else if (i + 2 < n && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8E) {
			out[o++] = '.';
			i += 3;
		} else {
			out[o++] = s[i++];
		}
	}
	out[o] = '\0';
	return o;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const char *p, const char *end, const char *w)
{
	size_t l = strlen(w);

	return (size_t)(end - p) >= l && memcmp(p, w, l) == 0;
}

/* Skips ASCII spaces and U+3000 forward. */
static const char *skip_sp(const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == ' ' || *p == '\t'))
			p++;
		else if (starts(p, end, "\xE3\x80\x80"))
			p += 3;
		else
			return p;
	}
}

/* True when the text just before p (skipping spaces) ends with w. */
static bool preceded_by(const char *start, const char *p, const char *w)
{
	size_t l = strlen(w);

	while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return (size_t)(p - start) >= l && memcmp(p - l, w, l) == 0;
}

static bool is_balance(const char *start, const char *p)
{
	static const char *const pre[] = {"余额", "余额为", "余额:", "余额：", "可用余额", NULL};

	for (const char *const *w = pre; *w; w++)
		if (preceded_by(start, p, *w))
			return true;
	return false;
}

/* Finds the transaction amount: position and value. */
static bool find_amount(const char *s, const char *end, const char **pos, int64_t *minor)
{
	static const char *const cur[] = {"人民币", "RMB", "CNY", "￥", "¥", NULL};

	for (const char *p = s; p < end; p++) {
		int64_t v;
		size_t used;
		bool marked = false;

		if (!is_digit(*p) || (p > s && (is_digit(p[-1]) || p[-1] == '.' || p[-1] == ',')))
			continue;
		if (!cu_money_parse_minor(p, (size_t)(end - p), &v, &used))
			continue;
		for (const char *const *c = cur; *c && !marked; c++)
			marked = preceded_by(s, p, *c);
		if (!marked) {
			const char *q = skip_sp(p + used, end);

			marked = starts(q, end, "元");
		}
		if (!marked || is_balance(s, p))
			continue;
		/* a 4-digit card tail followed by 元 does not happen; dates and
		 * times are never followed by 元, so the first marked figure is
		 * the amount */
		*pos = p;
		*minor = v;
		return true;
	}
	return false;
}

static const char *find_keyword(const char *s, const char *end, const char *amount_pos,
				const char **dir, const char **kind, char *kw, size_t kwcap,
				const char **kw_pos)
{
	const char *best = NULL, *best_after = NULL;
	const char *best_w = NULL, *best_after_w = NULL;
	bool best_in = false, after_in = false;

	for (int pass = 0; pass < 2; pass++) {
		const char *const *words = pass ? in_words : out_words;

		for (const char *const *w = words; *w; w++) {
			size_t l = strlen(*w);

			for (const char *p = s; p && p < end;) {
				const char *hit = memmem(p, (size_t)(end - p), *w, l);

				if (!hit)
					break;
				if (hit < amount_pos) {
					if (!best || hit > best) {
						best = hit;
						best_w = *w;
						best_in = pass == 1;
					}
				} else if (!best_after || hit < best_after) {
					best_after = hit;
					best_after_w = *w;
					after_in = pass == 1;
				}
				p = hit + l;
			}
		}
	}
	if (!best) {
		best = best_after;
		best_w = best_after_w;
		best_in = after_in;
	}
	if (!best)
		return NULL;
	copy_str(kw, kwcap, best_w, strlen(best_w));
	*kw_pos = best;
	*dir = best_in ? "incoming" : "outgoing";
	*kind = strcmp(best_w, "退款") == 0 ? "refund" : best_in ? "credit" : "debit";
	return best;
}

static void find_card_tail(const char *s, const char *end, char tail[8])
{
	static const char *const pre[] = {"尾号为", "尾号", "尾数为", "尾数",
					  "账户",   "账号", "卡号",   NULL};

	tail[0] = '\0';
	for (const char *const *w = pre; *w; w++) {
		for (const char *p = s; p < end;) {
			const char *hit = memmem(p, (size_t)(end - p), *w, strlen(*w));
			const char *q;

			if (!hit)
				break;
			q = skip_sp(hit + strlen(*w), end);
			if (q < end && *q == '*')
				q++;
			if (end - q >= 4 && is_digit(q[0]) && is_digit(q[1]) && is_digit(q[2]) &&
			    is_digit(q[3]) && (end - q == 4 || !is_digit(q[4]))) {
				memcpy(tail, q, 4);
				tail[4] = '\0';
				return;
			}
			p = hit + strlen(*w);
		}
	}
}

/* verbs that end a counterparty name without giving a direction */
static const char *const neutral[] = {"转账", "汇款", "交易", NULL};

static const char *const stops[] = {"，", ",", "。", "；",           ";",  "！", "!", "【", "[",
				    "（", "(", " ",  "\xE3\x80\x80", "的", NULL};

static const char *until_stop(const char *p, const char *end)
{
	const char *best = end;

	for (const char *const *w = stops; *w; w++) {
		const char *hit = memmem(p, (size_t)(end - p), *w, strlen(*w));

		if (hit && hit < best)
			best = hit;
	}
	return best;
}

static void find_counterparty(const char *s, const char *end, const char *kw_pos, char *out,
			      size_t cap)
{
	const char *p, *q;

	out[0] = '\0';
	/* "来自X" / "向X" */
	static const char *const from[] = {"来自", "向", "对方户名:", "对方户名：", "对方", NULL};

	for (const char *const *w = from; *w; w++) {
		p = memmem(s, (size_t)(end - s), *w, strlen(*w));
		if (!p)
			continue;
		p = skip_sp(p + strlen(*w), end);
		q = until_stop(p, end);
		/* "向X转账100元": stop at the keyword or a neutral verb too */
		if (kw_pos && kw_pos > p && kw_pos < q)
			q = kw_pos;
		for (const char *const *v = neutral; *v; v++) {
			const char *hit = memmem(p, (size_t)(q - p), *v, strlen(*v));

			if (hit)
				q = hit;
		}
		if (q > p) {
			copy_str(out, cap, p, (size_t)(q - p));
			return;
		}
	}
	/* "在X<keyword>": the merchant; payment channels are '-'-joined
	 * before it ("财付通-微信支付-商户") */
	if (!kw_pos)
		return;
	const char *at = NULL;

	for (p = s; p < kw_pos;) {
		const char *hit = memmem(p, (size_t)(kw_pos - p), "在", 3);

		if (!hit)
			break;
		at = hit;
		p = hit + 3;
	}
	if (!at)
		return;
	p = skip_sp(at + 3, kw_pos);
	q = kw_pos;
	if ((size_t)(q - p) >= 6 && memcmp(q - 6, "快捷", 6) == 0)
		q -= 6;
	for (const char *d = q; d > p; d--)
		if (d[-1] == '-') {
			p = d;
			break;
		}
	if (q > p && (size_t)(q - p) < 150)
		copy_str(out, cap, p, (size_t)(q - p));
}

static int read_num(const char **pp, const char *end, int maxdigits)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (p < end && is_digit(*p) && n < maxdigits) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || (p < end && is_digit(*p)))
		return -1;
	*pp = p;
	return v;
}

static void read_time(const char *p, const char *end, struct cu_banksms *b)
{
	int h, m, sec = 0;

	p = skip_sp(p, end);
	h = read_num(&p, end, 2);
	if (h < 0 || h > 23)
		return;
	if (starts(p, end, ":"))
		p += 1;
	else if (starts(p, end, "："))
		p += 3;
	else
		return;
	m = read_num(&p, end, 2);
	if (m < 0 || m > 59)
		return;
	if (starts(p, end, ":")) {
		const char *q = p + 1;
		int s2 = read_num(&q, end, 2);

		if (s2 >= 0 && s2 <= 59)
			sec = s2;
	}
	b->hour = h;
	b->minute = m;
	b->second = sec;
}

static void find_date(const char *s, const char *end, struct cu_banksms *b)
{
	for (const char *p = s; p < end; p++) {
		const char *q = p;
		int mo, d;

		if (!is_digit(*p) || (p > s && is_digit(p[-1])))
			continue;
		mo = read_num(&q, end, 2);
		if (mo < 1 || mo > 12)
			continue;
		if (starts(q, end, "月")) {
			q += 3;
			d = read_num(&q, end, 2);
			if (d < 1 || d > 31 || !starts(q, end, "日"))
				continue;
			q += 3;
		} else if (starts(q, end, "-") && q - p == 2) {
			/* CMB "03-16 21:15" */
			q++;
			d = read_num(&q, end, 2);
			if (d < 1 || d > 31 || !starts(q, end, " "))
				continue;
		} else {
			continue;
		}
		b->month = mo;
		b->day = d;
		read_time(q, end, b);
		return;
	}
}

enum cu_status cu_banksms_parse(const char *sender, const char *body, struct cu_banksms *out,
				struct cu_error *err)
{
	struct cu_banksms b;
	char *norm = NULL;
	const char *code_bank, *end, *amount_pos = NULL, *kw_pos = NULL;
	size_t n, nn;
	enum cu_status rc = CU_OK;
	bool tagged;

	if (!body)
		return cu_error_set(err, CU_E_NOTFOUND, "no body");
	n = strlen(body);
	if (n == 0 || n > 4096)
		return cu_error_set(err, CU_E_NOTFOUND, "not a bank notification (length)");
	memset(&b, 0, sizeof(b));
	b.balance_minor = CU_UNKNOWN;
	b.month = b.day = b.hour = b.minute = b.second = -1;

	norm = cu_malloc(n + 1);
	if (!norm)
		return cu_error_set(err, CU_E_NOMEM, "bank sms: out of memory");
	nn = normalize(body, n, norm);
	end = norm + nn;

	tagged = find_bank_tag(norm, nn, b.bank, sizeof(b.bank));
	code_bank = short_code_bank(sender);
	if (!tagged && !code_bank) {
		rc = cu_error_set(err, CU_E_NOTFOUND, "not a bank notification (sender, tag)");
		goto out;
	}
	if (!tagged)
		copy_str(b.bank, sizeof(b.bank), code_bank[0] ? code_bank : sender,
			 strlen(code_bank[0] ? code_bank : sender));
	if (!find_amount(norm, end, &amount_pos, &b.amount_minor)) {
		rc = cu_error_set(err, CU_E_NOTFOUND, "bank notification without an amount");
		goto out;
	}
	if (!find_keyword(norm, end, amount_pos, &b.direction, &b.kind, b.keyword,
			  sizeof(b.keyword), &kw_pos)) {
		rc = cu_error_set(err, CU_E_NOTFOUND,
				  "bank notification without a debit/credit keyword");
		goto out;
	}
	for (const char *p = norm; p < end;) {
		const char *hit = memmem(p, (size_t)(end - p), "余额", 6);
		int64_t v;
		size_t used;
		const char *q;

		if (!hit)
			break;
		q = skip_sp(hit + 6, end);
		if (starts(q, end, "为"))
			q += 3;
		else if (starts(q, end, "："))
			q += 3;
		else if (starts(q, end, ":"))
			q += 1;
		q = skip_sp(q, end);
		if (starts(q, end, "人民币"))
			q = skip_sp(q + 9, end);
		if (q < end && cu_money_parse_minor(q, (size_t)(end - q), &v, &used)) {
			b.balance_minor = v;
			break;
		}
		p = hit + 6;
	}
	find_card_tail(norm, end, b.card_tail);
	find_counterparty(norm, end, kw_pos, b.counterparty, sizeof(b.counterparty));
	find_date(norm, end, &b);
	*out = b;
out:
	free(norm);
	return rc;
}

/* days from civil (proleptic Gregorian), for Beijing-time dates */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int64_t cu_banksms_time(const struct cu_banksms *b, int64_t sms_ms)
{
	const int64_t tz = 8 * 3600 * 1000LL; /* Beijing time, no DST */
	int64_t local, days, y, t;

	if (sms_ms == CU_UNKNOWN || b->month < 1 || b->day < 1 || b->hour < 0)
		return sms_ms;
	local = sms_ms + tz;
	days = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
	/* year of the SMS (civil from days) */
	{
		int64_t z = days + 719468;
		int64_t era = (z >= 0 ? z : z - 146096) / 146097;
		int64_t doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153;
		int64_t m = mp < 10 ? mp + 3 : mp - 9;

		y = yoe + era * 400 + (m <= 2);
	}
	t = (days_from_civil(y, b->month, b->day) * 86400 + b->hour * 3600 + b->minute * 60 +
	     (b->second > 0 ? b->second : 0)) *
		1000 -
	    tz;
	if (t > sms_ms + 86400000LL) /* December text, January SMS */
		t = (days_from_civil(y - 1, b->month, b->day) * 86400 + b->hour * 3600 +
		     b->minute * 60 + (b->second > 0 ? b->second : 0)) *
			1000 -
		    tz;
	return t;
}

enum cu_status cu_banksms_sink(struct cu_parse_ctx *ctx, const char *sender, const char *body,
			       int64_t sms_ms, int64_t message_id, const struct cu_prov *prov,
			       struct cu_error *err)
{
	struct cu_banksms b;
	struct cu_payment p;
	struct cu_row_extra x = CU_ROW_EXTRA_INIT;
	struct cu_error e;

	if (!body)
		return CU_OK;
	/* Cheap rejection first: most SMS are neither from a bank short code
	 * nor tagged, and this runs once per received SMS. */
	if (!short_code_bank(sender)) {
		char tag[sizeof(b.bank)];
		size_t n = strlen(body);

		if (n > 4096 || !find_bank_tag(body, n, tag, sizeof(tag)))
			return CU_OK;
	}
	cu_error_clear(&e);
	if (cu_banksms_parse(sender, body, &b, &e) != CU_OK) {
		if (e.code == CU_E_NOMEM)
			return cu_error_set(err, CU_E_NOMEM, "%s", e.msg);
		return CU_OK;
	}
	memset(&p, 0, sizeof(p));
	p.app = "bank-sms";
	p.kind = b.kind;
	p.direction = b.direction;
	p.amount_minor = b.amount_minor;
	p.currency = "CNY";
	p.counterparty_name = b.counterparty[0] ? b.counterparty : NULL;
	/* The SMS arrival time: the text's own time is minute-precision local
	 * time (the fixtures agree: fixtures/apps/sms-*). */
	p.occurred_ms = sms_ms;
	p.message_id = message_id;
	p.prov = *prov;
	x.balance_minor = b.balance_minor;
	x.account = b.card_tail[0] ? b.card_tail : NULL;
	x.bank = b.bank[0] ? b.bank : NULL;
	x.raw_type = NULL;
	return cu_sink_payment_x(ctx, &p, &x, NULL, err);
}
