/*
 * test_wcpay.c - WeChat Pay / app-message / system XML parsing: the two
 * verbatim samples of APPS.md 8.1 (transfer, red packet), amounts in the
 * forms WeChat writes (full/half-width yen, commas, 元), revoke notices,
 * group prefixes, malformed XML and an entity bomb that must not expand.
 */
#include "parsers/parsers.h"
#include "parsers/payments/wcpay.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>

/* APPS.md 8.1, transfer, verbatim (with its elisions) */
static const char transfer_xml[] =
    "<msg><appmsg appid=\"\" sdkver=\"\"><title><![CDATA[微信转账]]></title><des><![CDATA[收到转账0.01元。如需收钱，请点此升级至最新版本]]></des><action></action><type>2000</type><content><![CDATA[]]></content><url><![CDATA[https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade&text=text001&btn_text=btn_text_0]]></url><thumburl><![CDATA[…]]></thumburl><lowurl></lowurl><extinfo></extinfo><wcpayinfo><paysubtype>1</paysubtype><feedesc><![CDATA[￥0.01]]></feedesc><transcationid><![CDATA[100005020118051500024221626146236933]]></transcationid><transferid><![CDATA[1000050201201805151000491402768]]></transferid><invalidtime><![CDATA[1526465681]]></invalidtime><begintransfertime><![CDATA[1526373881]]></begintransfertime><effectivedate><![CDATA[1]]></effectivedate><pay_memo><![CDATA[]]></pay_memo></wcpayinfo></appmsg></msg>";

/* APPS.md 8.1, red packet, verbatim (with its elisions) */
static const char redpacket_xml[] =
    "<msg><appmsg appid=\"\" sdkver=\"\"><des><![CDATA[我给你发了一个红包，赶紧去拆!]]></des><url><![CDATA[https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?showwxpaytitle=1&msgtype=1&channelid=1&sendid=1000039401201805157016110721158&ver=6&sign=…]]></url><type><![CDATA[2001]]></type><title><![CDATA[微信红包]]></title><thumburl><![CDATA[https://wx.gtimg.com/hongbao/1800/hb.png]]></thumburl><wcpayinfo><templateid>…</templateid><url>…</url><iconurl>…</iconurl><receivertitle><![CDATA[恭喜发财，大吉大利]]></receivertitle><sendertitle><![CDATA[恭喜发财，大吉大利]]></sendertitle><scenetext><![CDATA[微信红包]]></scenetext><senderdes><![CDATA[查看红包]]></senderdes><receiverdes><![CDATA[领取红包]]></receiverdes><nativeurl><![CDATA[wxpay://c2cbizmessagehandler/hongbao/receivehongbao?msgtype=1&channelid=1&sendid=1000039401201805157016110721158&sendusername=wxid_…&ver=6&sign=…]]></nativeurl><sceneid><![CDATA[1002]]></sceneid><innertype><![CDATA[0]]></innertype><paymsgid><![CDATA[1000039401201805157016110721158]]></paymsgid><locallogoicon><![CDATA[c2c_hongbao_icon_cn]]></locallogoicon><invalidtime><![CDATA[1526462189]]></invalidtime></wcpayinfo></appmsg><fromusername><![CDATA[wxid_…]]></fromusername></msg>";

static void parse_ok(const char *xml, struct cu_wcpay *w, const char *what)
{
	struct cu_error err;
	enum cu_status st = cu_wcpay_parse(xml, strlen(xml), w, &err);
	tap_is_int(st, CU_OK, "%s parses (%s)", what, st ? err.msg : "");
	if (st != CU_OK)
		memset(w, 0, sizeof(*w));
}

static void test_samples(void)
{
	struct cu_wcpay w;

	parse_ok(transfer_xml, &w, "APPS.md transfer sample");
	tap_is_int(w.appmsg_type, 2000, "transfer: inner type 2000");
	tap_is_int(w.paysubtype, 1, "transfer: paysubtype 1");
	tap_is_int(w.amount_minor, 1, "transfer: ￥0.01 = 1 fen");
	tap_is_str(w.feedesc, "￥0.01", "transfer: feedesc kept as found");
	tap_is_str(w.transcationid, "100005020118051500024221626146236933", "transcationid (sic)");
	tap_is_str(w.transferid, "1000050201201805151000491402768", "transferid");
	tap_is_str(w.title, "微信转账", "title from CDATA");
	tap_is_str(w.pay_memo, "", "empty memo");
	tap_ok(w.payer_username == NULL, "no payer_username in the old sample");
	cu_wcpay_release(&w);

	parse_ok(redpacket_xml, &w, "APPS.md red packet sample");
	tap_is_int(w.appmsg_type, 2001, "red packet: inner type 2001 (in CDATA)");
	tap_is_str(w.sendertitle, "恭喜发财，大吉大利", "red packet: wish text");
	tap_is_str(w.sendid, "1000039401201805157016110721158", "red packet: sendid from paymsgid");
	tap_is_int(w.amount_minor, CU_UNKNOWN, "red packet: no amount in the message");
	tap_is_str(w.fromusername, "wxid_…", "fromusername");
	tap_is_str(w.title, "微信红包", "title");
	cu_wcpay_release(&w);
}

static void test_amounts(void)
{
	static const struct {
		const char *in;
		int64_t fen;
	} ok[] = {
	    {"￥0.01", 1},
	    {"¥0.01", 1},
	    {"￥1,200.00", 120000},
	    {"¥12,345.67", 1234567},
	    {"转账￥1,200.00", 120000},
	    {"收到转账600.00元。如需收钱", 60000},
	    {"￥12", 1200},
	    {"￥ 3.5", 350},
	    {"付款金额￥260.00\n商品详情", 26000},
	    {"RMB 20.00", 2000},
	    {"1,234,567.89元", 123456789},
	};
	static const char *const bad[] = {
	    "", "abc", "￥", "￥.5", "￥1.234", "￥99999999999999999999.00", "12.5", "元",
	};
	size_t i;
	int64_t fen;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		bool got;
		fen = -1;
		got = cu_wcpay_amount_parse(ok[i].in, &fen);
		tap_ok(got && fen == ok[i].fen, "amount #%zu = %lld fen (got %lld)", i,
		       (long long)ok[i].fen, (long long)fen);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(!cu_wcpay_amount_parse(bad[i], &fen), "no amount in bad #%zu '%s'", i,
		       bad[i]);
	tap_ok(!cu_wcpay_amount_parse(NULL, &fen), "NULL text");
}

static void test_sysmsg(void)
{
	struct cu_wcpay w;
	static const char revoke[] =
	    "<sysmsg type=\"revokemsg\"><revokemsg><session>wxid_a</session><oldmsgid>1</oldmsgid>"
	    "<msgid>1</msgid><newmsgid>8150000000000000012</newmsgid><replacemsg><![CDATA[\"张三\" "
	    "撤回了一条消息]]></replacemsg></revokemsg></sysmsg>";
	static const char edit[] =
	    "<sysmsg type=\"editrevokecontent\"><editrevokecontent><text><![CDATA[你撤回了一条消息]]>"
	    "</text><link><scene>0</scene><text><![CDATA[重新编辑]]></text><revokecontent><![CDATA[原文 "
	    "🙂]]></revokecontent></link></editrevokecontent></sysmsg>";

	parse_ok(revoke, &w, "revokemsg");
	tap_is_str(w.sysmsg_type, "revokemsg", "sysmsg type attribute");
	tap_is_str(w.newmsgid, "8150000000000000012", "newmsgid");
	tap_is_str(w.replacemsg, "\"张三\" 撤回了一条消息", "replacemsg");
	cu_wcpay_release(&w);
	parse_ok(edit, &w, "editrevokecontent");
	tap_is_str(w.sysmsg_type, "editrevokecontent", "edit type");
	tap_is_str(w.revokecontent, "原文 🙂", "original text survives");
	tap_is_str(w.sysmsg_text, "你撤回了一条消息", "notice text (not the link's)");
	cu_wcpay_release(&w);
}

static void test_prefix_and_errors(void)
{
	struct cu_wcpay w;
	struct cu_error err;
	struct cu_buf b = CU_BUF_INIT;
	size_t off = 0;
	enum cu_status st;
	static const char bomb[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE msg [<!ENTITY a \"aaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
	    "<msg><appmsg><title>&d;&d;&d;&d;&d;&d;&d;&d;</title><type>5</type></appmsg></msg>";
	static const char ext[] =
	    "<!DOCTYPE msg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><msg><appmsg><title>&x;"
	    "</title></appmsg></msg>";
	static const char undeclared[] = "<msg><appmsg><title>&lol;</title></appmsg></msg>";

	TAP_MUST(cu_buf_puts(&b, "wxid_k8dealer88:\n", NULL));
	TAP_MUST(cu_buf_puts(&b, transfer_xml, NULL));
	parse_ok(b.data, &w, "transfer behind a group prefix");
	tap_is_int(w.amount_minor, 1, "prefixed: amount");
	cu_wcpay_release(&w);
	cu_buf_release(&b);

	tap_ok(cu_wechat_split_sender("wxid_a:\nhello", 13, &off) && off == 8, "split ':\\n'");
	tap_ok(cu_wechat_split_sender("wxid_b*#*\nhi", 12, &off) && off == 10,
	       "split legacy '*#*\\n'");
	tap_ok(!cu_wechat_split_sender("hello world:\nx", 14, &off), "no split across a space");
	tap_ok(!cu_wechat_split_sender(":\nx", 3, &off), "no empty sender");
	tap_ok(!cu_wechat_split_sender("<msg>:\n", 7, &off), "no split inside xml");

	st = cu_wcpay_parse("<msg><appmsg><title>x", 21, &w, &err);
	tap_is_int(st, CU_E_FORMAT, "unterminated xml: CU_E_FORMAT");
	st = cu_wcpay_parse("just text", 9, &w, &err);
	tap_is_int(st, CU_E_FORMAT, "text: CU_E_FORMAT");
	st = cu_wcpay_parse("", 0, &w, &err);
	tap_is_int(st, CU_E_FORMAT, "empty: CU_E_FORMAT");
	st = cu_wcpay_parse(bomb, strlen(bomb), &w, &err);
	tap_is_int(st, CU_E_FORMAT, "billion laughs refused without expansion (%s)", err.msg);
	st = cu_wcpay_parse(ext, strlen(ext), &w, &err);
	tap_is_int(st, CU_E_FORMAT, "external entity refused");
	st = cu_wcpay_parse(undeclared, strlen(undeclared), &w, &err);
	if (st == CU_OK) {
		tap_ok(w.title == NULL || strcmp(w.title, "") == 0,
		       "undeclared entity not substituted");
		cu_wcpay_release(&w);
	} else {
		tap_is_int(st, CU_E_FORMAT, "undeclared entity: not well-formed");
	}
	/* NUL inside the payload */
	st = cu_wcpay_parse("<msg>\0</msg>", 12, &w, &err);
	tap_ok(st == CU_E_FORMAT || st == CU_OK, "embedded NUL handled");
	if (st == CU_OK)
		cu_wcpay_release(&w);
}

int main(void)
{
	tap_plan(59);
	test_samples();
	test_amounts();
	test_sysmsg();
	test_prefix_and_errors();
	return tap_done();
}
