/*
 * wcpay.h - WeChat Pay / app-message XML (wcpay.c); internal to parsers/,
 * its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_WCPAY_H
#define CUSTOS_PARSERS_WCPAY_H

#include "parsers/parsers.h"

/* WeChat Pay / app-message XML (APPS.md 1.5, 8.1). */
struct cu_wcpay {
	int appmsg_type; /* inner <appmsg><type>, -1 if absent */
	char *title, *des, *url;
	int paysubtype;       /* -1 if absent */
	int64_t amount_minor; /* from feedesc, CU_UNKNOWN if absent/unparsable */
	char *feedesc, *transcationid, *transferid, *pay_memo;
	char *payer_username, *receiver_username;
	char *sendertitle, *receivertitle, *sendid; /* red packets */
	char *display_name;                         /* receipts: merchant */
	char *fromusername;
	/* sysmsg (type 10002): type attribute, revoke fields */
	char *sysmsg_type, *replacemsg, *newmsgid, *revokecontent, *sysmsg_text;
};
/*
 * Parses one message payload (the group "wxid:\n" prefix must be stripped
 * first). Tolerant: unknown elements are ignored, a payload that is not XML
 * gives CU_E_FORMAT. Entities are never expanded and nothing is fetched.
 */
enum cu_status cu_wcpay_parse(const char *xml, size_t n, struct cu_wcpay *out,
			      struct cu_error *err) CU_WARN_UNUSED;
void cu_wcpay_release(struct cu_wcpay *w);
/*
 * Received group messages start with "<sender>:\n" (legacy "<sender>*#*\n")
 * (APPS.md 1.4). True when content[0..n) has such a prefix: the sender is
 * content[0..*payload_off - 2 (or - 4)), the payload starts at *payload_off.
 */
bool cu_wechat_split_sender(const char *content, size_t n, size_t *payload_off);
/* "￥1,234.50" / "¥0.01" / "0.01元" -> fen with integer arithmetic; false if
 * no amount is found. Takes the first amount in the text. */
bool cu_wcpay_amount_parse(const char *s, int64_t *fen);

/* True when the text holds a <!DOCTYPE or <!ENTITY declaration: WeChat
 * and Android prefs never do, so such input is refused before parsing. */
bool cu_xml_has_dtd(const char *s, size_t n);

#endif
