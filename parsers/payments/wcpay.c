/*
 * wcpay.c - WeChat message XML: app messages (<msg><appmsg>, APPS.md 1.5),
 * WeChat Pay transfers and red packets (<wcpayinfo>, APPS.md 8.1), payment
 * receipts from gh_3dfda90e39d6, and system XML (<sysmsg type="revokemsg">,
 * "editrevokecontent", APPS.md 1.6). Shared by the Android and iOS parsers:
 * both store the same payload in message.content / Chat_*.Message.
 *
 * The payload is hostile: any document type declaration is refused before
 * libxml2 sees it (WeChat never sends one, and refusing it rules out entity
 * expansion attacks), the parser runs without entity substitution and
 * without network, and only direct text/CDATA children are read.
 */
#include "parsers/payments/wcpay.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define WCPAY_XML_MAX (4u << 20)

void cu_wcpay_release(struct cu_wcpay *w)
{
	char **f[] = {&w->title,
		      &w->des,
		      &w->url,
		      &w->feedesc,
		      &w->transcationid,
		      &w->transferid,
		      &w->pay_memo,
		      &w->payer_username,
		      &w->receiver_username,
		      &w->sendertitle,
		      &w->receivertitle,
		      &w->sendid,
		      &w->display_name,
		      &w->fromusername,
		      &w->sysmsg_type,
		      &w->replacemsg,
		      &w->newmsgid,
		      &w->revokecontent,
		      &w->sysmsg_text};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

/* Digits with optional thousands commas and up to two decimals at s. */
static bool parse_number(const char *s, int64_t *fen)
{
	int64_t yuan = 0, frac = 0;
	int nd = 0, nf = 0;

	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s)) {
			if (yuan > (INT64_MAX / 100 - 9) / 10)
				return false;
			yuan = yuan * 10 + (*s - '0');
			nd++;
		} else if (*s == ',' && isdigit((unsigned char)s[1]) && nd > 0) {
			continue;
		} else {
			break;
		}
	}
	if (*s == '.' && isdigit((unsigned char)s[1])) {
		for (s++; isdigit((unsigned char)*s); s++) {
			if (++nf > 2)
				return false; /* more precision than fen: not an amount we trust */
			frac = frac * 10 + (*s - '0');
		}
		if (nf == 1)
			frac *= 10;
	}
	*fen = yuan * 100 + frac;
	return true;
}

bool cu_wcpay_amount_parse(const char *s, int64_t *fen)
{
	/* U+FFE5 FULLWIDTH YEN SIGN, U+00A5 YEN SIGN, "CNY", "RMB" */
	static const char *const signs[] = {"\xef\xbf\xa5", "\xc2\xa5", "CNY", "RMB", NULL};
	const char *best = NULL, *p;
	size_t i, blen = 0;

	if (s == NULL)
		return false;
	for (i = 0; signs[i] != NULL; i++) {
		p = strstr(s, signs[i]);
		if (p != NULL && (best == NULL || p < best)) {
			best = p;
			blen = strlen(signs[i]);
		}
	}
	if (best != NULL && parse_number(best + blen, fen))
		return true;
	/* "0.01元" (U+5143) */
	for (p = s; *p != '\0'; p++) {
		const char *q;
		if (!isdigit((unsigned char)*p) ||
		    (p > s && (isdigit((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == ',')))
			continue;
		q = p;
		while (isdigit((unsigned char)*q) || *q == ',' || *q == '.')
			q++;
		if (strncmp(q, "\xe5\x85\x83", 3) == 0 && parse_number(p, fen))
			return true;
	}
	return false;
}

bool cu_wechat_split_sender(const char *content, size_t n, size_t *payload_off)
{
	size_t i;

	/* "<sender>:\n<payload>": split at the first ":\n"; legacy "*#*\n" */
	for (i = 0; i + 1 < n && i < 256; i++) {
		if (content[i] == '\n' || content[i] == '\0' || content[i] == '<' ||
		    content[i] == ' ')
			break;
		if (content[i] == ':' && content[i + 1] == '\n' && i > 0) {
			*payload_off = i + 2;
			return true;
		}
		if (i > 0 && n - i >= 4 && memcmp(content + i, "*#*\n", 4) == 0) {
			*payload_off = i + 4;
			return true;
		}
	}
	return false;
}

bool cu_xml_has_dtd(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i++) {
		if (s[i] == '<' && s[i + 1] == '!' &&
		    (n - i >= 9 && (strncasecmp(s + i + 2, "DOCTYPE", 7) == 0 ||
				    strncasecmp(s + i + 2, "ENTITY", 6) == 0)))
			return true;
	}
	return false;
}

static enum cu_status text_of(xmlNodePtr n, char **out, struct cu_error *err)
{
	struct cu_buf b;
	xmlNodePtr c;
	enum cu_status st = CU_OK;

	if (*out != NULL)
		return CU_OK; /* first occurrence wins */
	cu_buf_init(&b, WCPAY_XML_MAX);
	for (c = n->children; c != NULL && st == CU_OK; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL)
			st = cu_buf_puts(&b, (const char *)c->content, err);
	if (st == CU_OK)
		*out = cu_buf_detach(&b, NULL);
	cu_buf_release(&b);
	return st;
}

static bool named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

static bool parent_named(xmlNodePtr n, const char *name)
{
	return n->parent != NULL && n->parent->type == XML_ELEMENT_NODE &&
	       xmlStrEqual(n->parent->name, BAD_CAST name);
}

static int small_int(const char *s)
{
	int64_t v;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	if (!cu_parse_i64(s, &v) || v < 0 || v > INT32_MAX)
		return -1;
	return (int)v;
}

/* sendid=<digits> inside a red-packet URL */
static char *query_param(const char *url, const char *key)
{
	const char *p = url;
	size_t kl = strlen(key);

	while (p != NULL && (p = strstr(p, key)) != NULL) {
		if ((p == url || p[-1] == '?' || p[-1] == '&') && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t n = strcspn(v, "&#");
			return n > 0 ? cu_strndup(v, n) : NULL;
		}
		p += kl;
	}
	return NULL;
}

static enum cu_status walk(xmlNodePtr n, struct cu_wcpay *w, char **tmp_type, char **nativeurl,
			   char **paymsgid, int depth, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	xmlNodePtr c;

	if (depth > 64)
		return cu_error_set(err, CU_E_FORMAT, "xml nested too deep");
	for (c = n; c != NULL && st == CU_OK; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (parent_named(c, "appmsg")) {
			if (named(c, "type"))
				st = text_of(c, tmp_type, err);
			else if (named(c, "title"))
				st = text_of(c, &w->title, err);
			else if (named(c, "des"))
				st = text_of(c, &w->des, err);
			else if (named(c, "url"))
				st = text_of(c, &w->url, err);
		} else if (parent_named(c, "wcpayinfo")) {
			if (named(c, "paysubtype")) {
				char *t = NULL;
				st = text_of(c, &t, err);
				if (w->paysubtype < 0)
					w->paysubtype = small_int(t);
				free(t);
			} else if (named(c, "feedesc"))
				st = text_of(c, &w->feedesc, err);
			else if (named(c, "transcationid"))
				st = text_of(c, &w->transcationid, err);
			else if (named(c, "transferid"))
				st = text_of(c, &w->transferid, err);
			else if (named(c, "pay_memo"))
				st = text_of(c, &w->pay_memo, err);
			else if (named(c, "payer_username"))
				st = text_of(c, &w->payer_username, err);
			else if (named(c, "receiver_username"))
				st = text_of(c, &w->receiver_username, err);
			else if (named(c, "sendertitle"))
				st = text_of(c, &w->sendertitle, err);
			else if (named(c, "receivertitle"))
				st = text_of(c, &w->receivertitle, err);
			else if (named(c, "nativeurl"))
				st = text_of(c, nativeurl, err);
			else if (named(c, "paymsgid"))
				st = text_of(c, paymsgid, err);
		} else if (named(c, "display_name")) {
			st = text_of(c, &w->display_name, err);
		} else if (named(c, "fromusername") && parent_named(c, "msg")) {
			st = text_of(c, &w->fromusername, err);
		} else if (named(c, "replacemsg")) {
			st = text_of(c, &w->replacemsg, err);
		} else if (named(c, "newmsgid") && parent_named(c, "revokemsg")) {
			st = text_of(c, &w->newmsgid, err);
		} else if (named(c, "revokecontent")) {
			st = text_of(c, &w->revokecontent, err);
		} else if (named(c, "text") && parent_named(c, "editrevokecontent")) {
			st = text_of(c, &w->sysmsg_text, err);
		}
		if (st == CU_OK && c->children != NULL)
			st = walk(c->children, w, tmp_type, nativeurl, paymsgid, depth + 1, err);
	}
	return st;
}

enum cu_status cu_wcpay_parse(const char *xml, size_t n, struct cu_wcpay *out, struct cu_error *err)
{
	struct cu_wcpay w;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	enum cu_status st = CU_OK;
	char *type = NULL, *nativeurl = NULL, *paymsgid = NULL;
	size_t skip = 0;

	memset(&w, 0, sizeof(w));
	w.appmsg_type = -1;
	w.paysubtype = -1;
	w.amount_minor = CU_UNKNOWN;
	while (skip < n &&
	       (xml[skip] == ' ' || xml[skip] == '\n' || xml[skip] == '\r' || xml[skip] == '\t'))
		skip++;
	if (n - skip > WCPAY_XML_MAX) {
		st = cu_error_set(err, CU_E_LIMIT, "message xml larger than %u bytes",
				  WCPAY_XML_MAX);
		goto out;
	}
	if (skip < n && xml[skip] != '<') {
		/* a group sender prefix "wxid:\n" (APPS.md 1.4) before the xml */
		size_t plen = 0;
		if (cu_wechat_split_sender(xml + skip, n - skip, &plen) && plen < n - skip &&
		    xml[skip + plen] == '<')
			skip += plen;
	}
	if (skip == n || xml[skip] != '<') {
		st = cu_error_set(err, CU_E_FORMAT, "message payload is not xml");
		goto out;
	}
	if (cu_xml_has_dtd(xml + skip, n - skip)) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "message xml has a document type declaration: refused "
				  "(no entity expansion)");
		goto out;
	}
	doc = xmlReadMemory(xml + skip, (int)(n - skip), NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		st = cu_error_set(err, CU_E_FORMAT, "message xml is not well-formed");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		st = cu_error_set(err, CU_E_FORMAT, "message xml has no root element");
		goto out;
	}
	if (named(root, "sysmsg")) {
		xmlChar *t = xmlGetNoNsProp(root, BAD_CAST "type");
		if (t != NULL) {
			w.sysmsg_type = cu_strdup((const char *)t);
			xmlFree(t);
			if (w.sysmsg_type == NULL) {
				st = cu_error_set(err, CU_E_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	st = walk(root, &w, &type, &nativeurl, &paymsgid, 0, err);
	if (st != CU_OK)
		goto out;
	w.appmsg_type = small_int(type);
	if (w.feedesc != NULL) {
		int64_t fen;
		if (cu_wcpay_amount_parse(w.feedesc, &fen))
			w.amount_minor = fen;
	}
	/* red packet id: <paymsgid>, else sendid= in nativeurl or url */
	if (paymsgid != NULL && paymsgid[0] != '\0') {
		w.sendid = paymsgid;
		paymsgid = NULL;
	} else if (nativeurl != NULL) {
		w.sendid = query_param(nativeurl, "sendid");
	}
	if (w.sendid == NULL && w.url != NULL && w.appmsg_type == 2001)
		w.sendid = query_param(w.url, "sendid");
	*out = w;
	memset(&w, 0, sizeof(w));
out:
	free(type);
	free(nativeurl);
	free(paymsgid);
	cu_wcpay_release(&w);
	xmlFreeDoc(doc);
	return st;
}
