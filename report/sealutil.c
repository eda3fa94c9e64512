/*
 * sealutil.c - small pieces of the sealed package shared by seal and verify:
 * RFC 3161 request/response handling (OpenSSL TS API), the content tree root, the package name, and the category /
 * format columns of the 电子数据提取固定清单.
 */
#include "report/seal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

/* ------------------------------------------------------------------ */
/* RFC 3161                                                            */
/* ------------------------------------------------------------------ */

enum cu_status cu_seal_tsq_build(const unsigned char imprint[32], struct cu_buf *out,
				 struct cu_error *err)
{
	enum cu_status st = CU_OK;
	TS_REQ *req = NULL;
	TS_MSG_IMPRINT *mi = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = NULL;
	unsigned char *der = NULL;
	int len;

	req = TS_REQ_new();
	mi = TS_MSG_IMPRINT_new();
	alg = X509_ALGOR_new();
	if (req == NULL || mi == NULL || alg == NULL) {
		st = cu_error_openssl(err, "timestamp request: allocation failed");
		goto out;
	}
	if (!TS_REQ_set_version(req, 1) ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint, 32) ||
	    !TS_REQ_set_msg_imprint(req, mi) || !TS_REQ_set_cert_req(req, 1)) {
		st = cu_error_openssl(err, "timestamp request: building failed");
		goto out;
	}
	/* A nonce from the imprint itself: the TSA still echoes it, and two
	 * seals of the same manifest give the same request bytes. */
	bn = BN_bin2bn(imprint, 8, NULL);
	if (bn == NULL || (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !TS_REQ_set_nonce(req, nonce)) {
		st = cu_error_openssl(err, "timestamp request: nonce");
		goto out;
	}
	len = i2d_TS_REQ(req, &der);
	if (len <= 0) {
		st = cu_error_openssl(err, "timestamp request: DER encoding failed");
		goto out;
	}
	cu_buf_reset(out);
	st = cu_buf_append(out, der, (size_t)len, err);
out:
	OPENSSL_free(der);
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return st;
}

static enum cu_status imprint_check(TS_MSG_IMPRINT *mi, const unsigned char imprint[32],
				    const char *what, struct cu_error *err)
{
	X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
	ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(mi);
	const ASN1_OBJECT *obj = NULL;

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (obj == NULL || OBJ_obj2nid(obj) != NID_sha256)
		return cu_error_set(err, CU_E_INTEGRITY, "%s: imprint algorithm is not SHA-256",
				    what);
	if (msg == NULL || ASN1_STRING_length(msg) != 32 ||
	    memcmp(ASN1_STRING_get0_data(msg), imprint, 32) != 0)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "%s: imprint is not SHA-256(manifest.json)", what);
	return CU_OK;
}

enum cu_status cu_seal_tsq_check(const void *der, size_t n, const unsigned char imprint[32],
				 struct cu_error *err)
{
	const unsigned char *p = der;
	TS_REQ *req = d2i_TS_REQ(NULL, &p, (long)n);
	enum cu_status st;

	if (req == NULL || p != (const unsigned char *)der + n) {
		TS_REQ_free(req);
		return cu_error_openssl(err, "manifest.json.tsq: not a DER TimeStampReq");
	}
	st = imprint_check(TS_REQ_get_msg_imprint(req), imprint, "manifest.json.tsq", err);
	TS_REQ_free(req);
	return st;
}

/* Signature of the token and its signer's chain up to ca_file (PEM), with
 * the timeStamping purpose, via OpenSSL's TS verifier. */
static enum cu_status tsr_signature(TS_RESP *resp, const unsigned char imprint[32],
				    const char *ca_file, struct cu_error *err)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	X509_STORE *store = X509_STORE_new();
	unsigned char *copy = OPENSSL_malloc(32);
	enum cu_status st = CU_OK;

	if (ctx == NULL || store == NULL || copy == NULL) {
		st = cu_error_openssl(err, "timestamp response: allocation failed");
		goto fail;
	}
	if (X509_STORE_load_file(store, ca_file) != 1) {
		st = cu_error_openssl(err, "cannot load TSA CA certificate '%s'", ca_file);
		goto fail;
	}
	memcpy(copy, imprint, 32);
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
	TS_VERIFY_CTX_set_imprint(ctx, copy, 32); /* ctx owns copy from here */
	copy = NULL;
	TS_VERIFY_CTX_set_store(ctx, store); /* and store */
	store = NULL;
	if (TS_RESP_verify_response(ctx, resp) != 1) {
		char why[256];
		ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
		ERR_clear_error();
		st = cu_error_set(
		    err, CU_E_INTEGRITY,
		    "timestamp response: TSA signature does not verify against '%s': %s", ca_file,
		    why);
	}
fail:
	OPENSSL_free(copy);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(ctx);
	return st;
}

enum cu_status cu_seal_tsr_check(const void *der, size_t n, const unsigned char imprint[32],
				 const char *ca_file, struct cu_buf *detail, struct cu_error *err)
{
	const unsigned char *p = der;
	TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)n);
	TS_TST_INFO *info;
	enum cu_status st = CU_OK;
	char when[64] = "";

	if (resp == NULL) {
		st = cu_error_openssl(err, "timestamp response: not a DER TimeStampResp");
		goto out;
	}
	TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
	long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
	if (status != 0 && status != 1) {
		st = cu_error_set(err, CU_E_INTEGRITY,
				  "timestamp response: status %ld (not granted)", status);
		goto out;
	}
	info = TS_RESP_get_tst_info(resp);
	if (info == NULL) {
		st = cu_error_set(err, CU_E_INTEGRITY, "timestamp response: no token");
		goto out;
	}
	if ((st = imprint_check(TS_TST_INFO_get_msg_imprint(info), imprint, "timestamp token",
				err)) != CU_OK)
		goto out;
	if (ca_file != NULL && (st = tsr_signature(resp, imprint, ca_file, err)) != CU_OK)
		goto out;
	const ASN1_GENERALIZEDTIME *t = TS_TST_INFO_get_time(info);
	if (t != NULL) {
		int l = ASN1_STRING_length(t);
		if (l > 0 && (size_t)l < sizeof(when)) {
			memcpy(when, ASN1_STRING_get0_data(t), (size_t)l);
			when[l] = '\0';
		}
	}
	if (detail != NULL)
		st = cu_buf_printf(detail, err,
				   "token imprint matches SHA-256(manifest.json), time %s%s",
				   when[0] ? when : "?",
				   ca_file ? ", TSA signature verifies with the given CA"
					   : " (TSA signature not checked: give --tsa-ca)");
out:
	TS_RESP_free(resp);
	return st;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/* Keeps letters, digits, '.', '-' and valid UTF-8 beyond ASCII (Chinese case
 * numbers stay readable); everything else, including the '_' separator,
 * becomes '-'. At most 64 bytes, cut on a character boundary. */
static enum cu_status put_component(struct cu_buf *out, const char *s, struct cu_error *err)
{
	size_t n = strlen(s), valid = cu_utf8_valid_prefix(s, n), used = 0;
	enum cu_status st = CU_OK;

	if (n == 0)
		return cu_buf_puts(out, "unknown", err);
	for (size_t i = 0; i < n && st == CU_OK;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 1;
		if (c >= 0x80 && i < valid) {
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (used + len > 64)
				break;
			st = cu_buf_append(out, s + i, len, err);
		} else {
			if (used + 1 > 64)
				break;
			bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				    (c >= 'A' && c <= 'Z') || c == '-' || (c == '.' && used > 0);
			st = cu_buf_putc(out, keep ? (char)c : '-', err);
		}
		used += len;
		i += len;
	}
	return st;
}

enum cu_status cu_seal_package_name(const char *case_id, const char *item, int64_t unix_ms,
				    struct cu_buf *out, struct cu_error *err)
{
	char t[CU_TIME_STR], stamp[17];
	enum cu_status st;

	if (!cu_time_format_ms(unix_ms, t))
		return cu_error_set(err, CU_E_USAGE, "seal time out of range");
	/* "2026-11-23T07:01:02.123Z" -> "20261123T070102Z" */
	snprintf(stamp, sizeof(stamp), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", t, t + 5, t + 8, t + 11,
		 t + 14, t + 17);
	cu_buf_reset(out);
	if ((st = put_component(out, case_id, err)) != CU_OK ||
	    (st = cu_buf_putc(out, '_', err)) != CU_OK ||
	    (st = put_component(out, item, err)) != CU_OK)
		return st;
	return cu_buf_printf(out, err, "_%s%s", stamp, CU_PACKAGE_SUFFIX);
}

const char *cu_seal_manifest_case_id(const json_t *manifest)
{
	const json_t *v = json_object_get(manifest, "case_id");
	const json_t *cs = json_object_get(manifest, "case");

	if (json_is_string(v) && json_string_length(v) > 0)
		return json_string_value(v);
	v = json_object_get(cs, "case_id");
	if (json_is_string(v) && json_string_length(v) > 0)
		return json_string_value(v);
	v = json_object_get(cs, "case_number");
	if (json_is_string(v) && json_string_length(v) > 0)
		return json_string_value(v);
	return "case";
}

/* ------------------------------------------------------------------ */
/* 提取固定清单 columns                                                */
/* ------------------------------------------------------------------ */

static bool has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

const char *cu_seal_category(const char *device_path)
{
	const char *p = device_path ? device_path : "";
	const char *b = base_name(p);

	/* iOS sms.db (HomeDomain/Library/SMS), Android mmssms.db (telephony provider). */
	if (strcasecmp(b, "sms.db") == 0 || strcasecmp(b, "mmssms.db") == 0)
		return "短信";
	/* WeChat: Android EnMicroMsg.db, iOS MM.sqlite / WCDB_Contact.sqlite. */
	if (strcasecmp(b, "EnMicroMsg.db") == 0 || strcasecmp(b, "MM.sqlite") == 0 ||
	    strcasecmp(b, "WCDB_Contact.sqlite") == 0 || has(p, "com.tencent.mm/") ||
	    has(p, "com.tencent.xin/"))
		return "微信聊天";
	if (has(p, "com.tencent.mobileqq") || has(p, "com.tencent.mqq"))
		return "QQ聊天";
	if (strcasecmp(b, "msgstore.db") == 0 || strcasecmp(b, "ChatStorage.sqlite") == 0 ||
	    has(p, "com.whatsapp"))
		return "WhatsApp聊天";
	if (has(p, "org.telegram") || has(p, "ph.telegra"))
		return "Telegram聊天";
	if (has(p, "AddressBook") || strcasecmp(b, "contacts2.db") == 0)
		return "通讯录";
	if (has(p, "CallHistory") || strcasecmp(b, "calllog.db") == 0 || has(p, "call_history"))
		return "通话记录";
	if (has(p, "alipay"))
		return "支付记录";
	if (has(p, "/DCIM/") || has(p, "CameraRollDomain"))
		return "照片视频";
	return "其他";
}

const char *cu_seal_format(const unsigned char *h, size_t n, const char *name)
{
	const char *b = base_name(name ? name : "");
	const char *ext = strrchr(b, '.');

	if (n >= 16 && memcmp(h, "SQLite format 3", 16) == 0)
		return "SQLite数据库";
	if (n >= 8 && memcmp(h, "bplist00", 8) == 0)
		return "plist";
	if (n >= 5 && memcmp(h, "<?xml", 5) == 0)
		return ext && strcasecmp(ext, ".plist") == 0 ? "plist" : "XML";
	if ((n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0) ||
	    (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	    (n >= 4 && memcmp(h, "GIF8", 4) == 0) || (n >= 12 && memcmp(h + 4, "ftypheic", 8) == 0))
		return "图片";
	if (n >= 8 && memcmp(h + 4, "ftyp", 4) == 0)
		return "视频";
	if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0)
		return "ZIP压缩包";
	if (n >= 6 && memcmp(h, "#!AMR", 5) == 0)
		return "音频";
	if (ext != NULL) {
		if (strcasecmp(ext, ".db") == 0 || strcasecmp(ext, ".sqlite") == 0 ||
		    strcasecmp(ext, ".sqlitedb") == 0)
			/* Named a database but no SQLite header: SQLCipher (WeChat)
			 * or damaged; the parsers say which. */
			return n == 0 ? "空文件" : "加密或损坏的数据库";
		if (strcasecmp(ext, ".plist") == 0)
			return "plist";
		if (strcasecmp(ext, ".xml") == 0)
			return "XML";
		if (strcasecmp(ext, ".json") == 0)
			return "JSON";
		if (strcasecmp(ext, ".txt") == 0 || strcasecmp(ext, ".log") == 0)
			return "文本";
		if (strcasecmp(ext, ".amr") == 0 || strcasecmp(ext, ".silk") == 0 ||
		    strcasecmp(ext, ".m4a") == 0 || strcasecmp(ext, ".mp3") == 0)
			return "音频";
		if (strcasecmp(ext, ".jpg") == 0 || strcasecmp(ext, ".png") == 0 ||
		    strcasecmp(ext, ".heic") == 0)
			return "图片";
	}
	if (n == 0)
		return "空文件";
	return "其他";
}

void cu_dircache_init(struct cu_dircache *dc, int base)
{
	memset(dc, 0, sizeof(*dc));
	dc->base = base;
	dc->fd = -1;
}

void cu_dircache_release(struct cu_dircache *dc)
{
	if (dc->fd >= 0)
		close(dc->fd);
	free(dc->dir);
	cu_dircache_init(dc, -1);
}

int cu_dircache_dirfd(struct cu_dircache *dc, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		*leaf = path;
		return dc->base;
	}
	*leaf = slash + 1;
	n = (size_t)(slash - path);
	if (dc->fd >= 0 && n == dc->dirlen && memcmp(dc->dir, path, n) == 0)
		return dc->fd;
	if (dc->fd >= 0)
		close(dc->fd);
	dc->fd = -1;
	if (n + 1 > dc->cap) {
		char *d = realloc(dc->dir, n + 1);
		if (d == NULL) {
			errno = ENOMEM;
			return -1;
		}
		dc->dir = d;
		dc->cap = n + 1;
	}
	memcpy(dc->dir, path, n);
	dc->dir[n] = '\0';
	dc->dirlen = n;
	/* Symbolic links on the way are followed as a walk of the whole
	 * path follows them; the caller's O_NOFOLLOW still guards the leaf. */
	dc->fd = openat(dc->base, dc->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return dc->fd;
}
