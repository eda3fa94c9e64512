/*
 * test_case_ident.c - the identifier rules links and the ring graph share
 * (analysis/links.c cu_analysis_ident): what is the same person across
 * phones, and what is never a link.
 */
#include "analysis/case_int.h"
#include "tests/harness/tap.h"

#include <string.h>

static void id_is(const char *app, const char *id, const char *kind, const char *norm)
{
	char out[256];
	const char *k;

	memset(out, 0, sizeof(out));
	k = cu_analysis_ident(app, id, out, sizeof(out));
	if (kind == NULL) {
		tap_ok(k == NULL, "%s '%s' is not an identifier (got %s %s)", app ? app : "(null)",
		       id ? id : "(null)", k ? k : "none", k ? out : "");
		return;
	}
	tap_is_str(k, kind, "%s '%s': kind", app, id);
	tap_is_str(k ? out : NULL, norm, "%s '%s': normalised", app, id);
}

int main(void)
{
	char small[4];

	tap_plan(27);
	/* phone numbers in any spelling, whatever app knew them */
	id_is("contacts", "+86 138-0013-8000", "phone_number", "+8613800138000");
	id_is("calls", "13800138000", "phone_number", "+8613800138000");
	id_is("sms", " 138 0013 8000 ", "phone_number", "+8613800138000");
	/* a WhatsApp JID is the phone number */
	id_is("whatsapp", "8613800138000@s.whatsapp.net", "phone_number", "+8613800138000");
	id_is("whatsapp", "120363041234567890@g.us", NULL, NULL);
	/* WeChat IDs fold case; groups, official and service accounts never link */
	id_is("wechat", "K8888", "wechat_id", "k8888");
	id_is("wechat-pay", "wxid_K8Dealer88", "wechat_id", "wxid_k8dealer88");
	id_is("wechat", "23987654321@chatroom", NULL, NULL);
	id_is("wechat", "gh_3dfda90e39d6", NULL, NULL);
	id_is("wechat", "wxzhifu", NULL, NULL);
	id_is("wechat", "filehelper", NULL, NULL);
	/* QQ numbers: 5 to 11 digits, no leading zero */
	id_is("qq", "2750123456", "qq_number", "2750123456");
	id_is("qq", "0123456", NULL, NULL);
	id_is("qq", "12a45", NULL, NULL);
	/* not identifiers of a person across phones */
	id_is("telegram", "-4012345678", NULL, NULL);
	id_is("imessage", "someone@icloud.com", NULL, NULL);
	id_is("sms", "95588", NULL, NULL);
	id_is("sms", "", NULL, NULL);
	id_is("sms", NULL, NULL, NULL);
	/* a too small output buffer is a refusal, never a cut identifier */
	tap_ok(cu_analysis_ident("wechat", "wxid_k8dealer88", small, sizeof(small)) == NULL,
	       "a WeChat ID longer than the buffer is refused");
	return tap_done();
}
