/*
 * test_banksms.c - bank notification SMS extraction (APPS.md 8.3): every
 * template line listed there plus the fixtures' lines and variants, with
 * the expected values worked out by hand; and the integer money parser.
 */
#include "parsers/parsers.h"
#include "parsers/payments/banksms.h"
#include "tests/harness/tap.h"

#include <string.h>

#define U CU_UNKNOWN

struct case_ {
	const char *sender, *body;
	bool bank_sms;
	const char *bank, *tail, *direction, *kind, *keyword;
	int64_t amount, balance;
	const char *counterparty;
	int month, day, hour, minute;
};

static const struct case_ cases[] = {
    /* APPS.md 8.3 templates, verbatim */
    {"95599", "【中国农业银行】您尾号0579账户10月17日09:27完成代付交易人民币2309.95，余额2932.80。",
     true, "中国农业银行", "0579", "outgoing", "debit", "代付", 230995, 293280, "", 10, 17, 9, 27},
    {"95588", "【工商银行】您尾号0000的账户于今日入账100元。", true, "工商银行", "0000", "incoming",
     "credit", "入账", 10000, U, "", -1, -1, -1, -1},
    {"95588", "【工商银行】您尾号8888卡于8月10日10:00转入18500.00元来自某科技公司", true,
     "工商银行", "8888", "incoming", "credit", "转入", 1850000, U, "某科技公司", 8, 10, 10, 0},
    {"95555", "【招商银行】您尾号 8821 的账户于 09-22 23:00 支出人民币 128.00 元。", true,
     "招商银行", "8821", "outgoing", "debit", "支出", 12800, U, "", 9, 22, 23, 0},
    {"95555", "您账户8551于02月21日19:25在财付通-微信支付-山月荟装扮快捷支付3.00元，余额100638.62",
     true, "招商银行", "8551", "outgoing", "debit", "支付", 300, 10063862, "山月荟装扮", 2, 21, 19,
     25},
    {"95566", "您尾号1234的储蓄卡于07月24日在星巴克消费38.50元", true, "中国银行", "1234",
     "outgoing", "debit", "消费", 3850, U, "星巴克", 7, 24, -1, -1},
    {"95533", "您尾号9058的账户入账人民币1.00元", true, "建设银行", "9058", "incoming", "credit",
     "入账", 100, U, "", -1, -1, -1, -1},
    {"10690000888",
     "【广东农信】您尾数0666的卡号09月25日12:09补助款收入人民币1000.00元,余额8888.12元。", true,
     "广东农信", "0666", "incoming", "credit", "收入", 100000, 888812, "", 9, 25, 12, 9},
    /* BoCom 尾号*1234 and 余额为; CMBC 账户*1234 and 可用余额 */
    {"95559", "【交通银行】您尾号*1234的卡于03月05日14:20网上支付转出500.00元，余额为1,234.56元。",
     true, "交通银行", "1234", "outgoing", "debit", "转出", 50000, 123456, "", 3, 5, 14, 20},
    {"95568", "【民生银行】您账户*5678于11月02日08:15存入人民币2,000.00元，可用余额12,345.67元。",
     true, "民生银行", "5678", "incoming", "credit", "存入", 200000, 1234567, "", 11, 2, 8, 15},
    /* fixtures/apps/sms-android and sms-ios lines: tag at the end, 来自 */
    {"95588", "您尾号8866卡3月16日18:00转入1,200.00元来自财付通，余额4,656.78元。【工商银行】",
     true, "工商银行", "8866", "incoming", "credit", "转入", 120000, 465678, "财付通", 3, 16, 18,
     0},
    {"95555",
     "【招商银行】您尾号 3021 的账户于 03-16 21:15 支出人民币 1,500.00 元，余额 8,250.30 元。",
     true, "招商银行", "3021", "outgoing", "debit", "支出", 150000, 825030, "", 3, 16, 21, 15},
    {"95588", "【工商银行】您尾号6688卡于3月21日09:30转入2,400.00元来自支付宝，余额12,400.50元。",
     true, "工商银行", "6688", "incoming", "credit", "转入", 240000, 1240050, "支付宝", 3, 21, 9,
     30},
    {"95555",
     "【招商银行】您账户8551于03月21日12:15在财付通-微信支付-鑫源电子秤商行快捷支付260.00元，余额9,878.62",
     true, "招商银行", "8551", "outgoing", "debit", "支付", 26000, 987862, "鑫源电子秤商行", 3, 21,
     12, 15},
    /* full-width digits and colon */
    {"95533", "【建设银行】您尾号１２３４的账户１２月３１日２３：５９消费人民币８８．００元", true,
     "建设银行", "1234", "outgoing", "debit", "消费", 8800, U, "", 12, 31, 23, 59},
    /* refund, salary, ATM, [bracket] tag at the end */
    {"95555", "【招商银行】您尾号3021的账户收到退款人民币66.60元，来自京东商城。", true, "招商银行",
     "3021", "incoming", "refund", "退款", 6660, U, "京东商城", -1, -1, -1, -1},
    {"95533", "【建设银行】您尾号6789的账户11月10日代发工资收入人民币8,500.00元，余额9,100.00元。",
     true, "建设银行", "6789", "incoming", "credit", "收入", 850000, 910000, "", 11, 10, -1, -1},
    {"95566", "您的借记卡账户尾号4321于12月01日10:30在ATM取款1,000元，余额2,345.00元。[中国银行]",
     true, "中国银行", "4321", "outgoing", "debit", "取款", 100000, 234500, "ATM", 12, 1, 10, 30},
    {"+8695588", "您尾号2222卡向张三转账汇出300元。", true, "工商银行", "2222", "outgoing", "debit",
     "汇出", 30000, U, "张三", -1, -1, -1, -1},
    /* not bank payments */
    {"1069070095338", "【丰巢】凭取件码『58327140』至锦绣花园3栋丰巢柜取顺丰快递的包裹。", false,
     NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0},
    {"95588", "【工商银行】您的验证码为123456，请勿泄露。", false, NULL, NULL, NULL, NULL, NULL, 0,
     0, NULL, 0, 0, 0, 0},
    {"+8613912345678", "货到了，今晚转你1200元", false, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0,
     0, 0, 0},
    {"95588", "", false, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0},
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *c = &cases[i];
		struct cu_banksms b;
		struct cu_error e;
		enum cu_status rc;

		cu_error_clear(&e);
		memset(&b, 0x5a, sizeof(b));
		rc = cu_banksms_parse(c->sender, c->body, &b, &e);
		if (!c->bank_sms) {
			tap_is_int(rc, CU_E_NOTFOUND, "case %zu: not a bank payment SMS", i);
			continue;
		}
		if (!tap_is_int(rc, CU_OK, "case %zu: recognised", i)) {
			tap_diag("%s", e.msg);
			continue;
		}
		tap_is_str(b.bank, c->bank, "case %zu: bank", i);
		tap_is_str(b.card_tail, c->tail, "case %zu: card tail", i);
		tap_is_str(b.direction, c->direction, "case %zu: direction", i);
		tap_is_str(b.kind, c->kind, "case %zu: kind", i);
		tap_is_str(b.keyword, c->keyword, "case %zu: keyword", i);
		tap_is_int(b.amount_minor, c->amount, "case %zu: amount (fen)", i);
		tap_is_int(b.balance_minor, c->balance, "case %zu: balance (fen)", i);
		tap_is_str(b.counterparty, c->counterparty, "case %zu: counterparty", i);
		tap_ok(b.month == c->month && b.day == c->day && b.hour == c->hour &&
			   b.minute == c->minute,
		       "case %zu: date %d-%d %d:%d", i, b.month, b.day, b.hour, b.minute);
	}
}

static void test_money(void)
{
	static const struct {
		const char *s;
		bool ok;
		int64_t v;
		size_t used;
	} m[] = {
	    {"2,309.95", true, 230995, 8},
	    {"2309.95", true, 230995, 7},
	    {"100", true, 10000, 3},
	    {"128.00 元", true, 12800, 6},
	    {"1,200", true, 120000, 5},
	    {"12,34", true, 1200, 2},
	    {"1,2345", true, 100, 1},
	    {"1.5", true, 150, 3},
	    {"0.05", true, 5, 4},
	    {"1,234,567.89", true, 123456789, 12},
	    {"1.234", false, 0, 0},
	    {"abc", false, 0, 0},
	    {".5", false, 0, 0},
	    {"", false, 0, 0},
	    {"99999999999999999999", false, 0, 0},
	    {"92233720368547758", true, 9223372036854775800, 17},
	    {"92233720368547759", false, 0, 0},
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		int64_t v = -1;
		size_t used = 0;
		bool ok = cu_money_parse_minor(m[i].s, strlen(m[i].s), &v, &used);

		tap_ok(ok == m[i].ok, "money '%s': %s", m[i].s, m[i].ok ? "parsed" : "refused");
		if (ok && m[i].ok) {
			tap_is_int(v, m[i].v, "money '%s': value", m[i].s);
			tap_is_int((int64_t)used, (int64_t)m[i].used, "money '%s': bytes used",
				   m[i].s);
		}
	}
}

static void test_time(void)
{
	struct cu_banksms b;
	struct cu_error e;

	cu_error_clear(&e);
	/* SMS at 2024-03-16T10:00:05Z = 18:00:05 Beijing; text says 18:00 */
	if (cu_banksms_parse("95588", "您尾号8866卡3月16日18:00转入1,200.00元【工商银行】", &b, &e))
		return (void)tap_ok(false, "time: parse");
	tap_is_int(cu_banksms_time(&b, 1710583205000), 1710583200000,
		   "text time read as Beijing time in the SMS's year");
	/* December text, SMS on 1 January: previous year */
	b.month = 12, b.day = 31, b.hour = 23, b.minute = 59, b.second = 0;
	tap_is_int(cu_banksms_time(&b, 1704067500000 /* 2024-01-01T00:05Z */),
		   1704038340000 /* 2023-12-31T15:59Z */, "year rollover");
	b.hour = -1;
	tap_is_int(cu_banksms_time(&b, 5), 5, "no time in the text: the SMS time");
}

int main(void)
{
	tap_plan(236);
	test_cases();
	test_money();
	test_time();
	return tap_done();
}
