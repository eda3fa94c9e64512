/*
 * test_seal.c - unit tests of the seal/verify helpers: package names,
 * the 提取固定清单 category/format columns, RFC 3161 requests (cross-checked
 * by re-parsing with OpenSSL's TS API), the content tree (against a tree
 * computed here from the RFC 6962 definition), the CASE/UCO export and the
 * verify report's exit codes.
 */
#include <string.h>

#include <openssl/ts.h>

#include "report/seal_int.h"
#include "tests/harness/tap.h"

/* The package name, or "(failed)" when cu_seal_package_name refuses. */
static const char *name_of(const char *case_id, const char *item, int64_t t, struct cu_buf *b)
{
	struct cu_error err;
	return cu_seal_package_name(case_id, item, t, b, &err) == CU_OK ? b->data : "(failed)";
}

static void test_names(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	/* 2026-11-23T07:01:02Z */
	const int64_t t = 1795417262000LL;

	tap_ok(cu_seal_package_name("A440305", "A1", t, &b, &err) == CU_OK, "name built");
	tap_is_str(b.data, "A440305_A1_20261123T070102Z.custos.zip", "case_item_time.custos.zip");
	tap_is_str(name_of("x/../y z", "A_1", t, &b), "x-..-y-z_A-1_20261123T070102Z.custos.zip",
		   "'/', ' ' and the '_' separator sanitised");
	tap_is_str(name_of(".hidden", "it\tem", t, &b), "-hidden_it-em_20261123T070102Z.custos.zip",
		   "no leading dot, no control");
	tap_is_str(name_of("京公刑〔2026〕1号", "A1", t, &b),
		   "京公刑〔2026〕1号_A1_20261123T070102Z.custos.zip", "UTF-8 case number kept");
	tap_ok(strcmp(name_of("案案案案案案案案案案案案案案案案案案案案案案案案", "A1", t, &b),
		      "(failed)") != 0 &&
		   cu_utf8_valid(b.data, b.len),
	       "long UTF-8 name cut on a character boundary");
	tap_ok(strlen(b.data) <= 64 + strlen("_A1_20261123T070102Z.custos.zip"), "cut at 64 bytes");
	tap_is_str(name_of("bad\xff\xfe", "A1", t, &b), "bad--_A1_20261123T070102Z.custos.zip",
		   "invalid UTF-8 replaced");
	tap_is_str(name_of("", "A1", t, &b), "unknown_A1_20261123T070102Z.custos.zip",
		   "empty component");
	cu_buf_release(&b);
}

static void test_columns(void)
{
	tap_is_str(cu_seal_category("HomeDomain/Library/SMS/sms.db"), "短信", "iOS sms.db");
	tap_is_str(
	    cu_seal_category("/data/data/com.android.providers.telephony/databases/mmssms.db"),
	    "短信", "Android mmssms.db");
	tap_is_str(cu_seal_category("/data/data/com.tencent.mm/MicroMsg/x/EnMicroMsg.db"),
		   "微信聊天", "WeChat Android");
	tap_is_str(cu_seal_category("AppDomain-com.tencent.xin/Documents/x/DB/MM.sqlite"),
		   "微信聊天", "WeChat iOS");
	tap_is_str(cu_seal_category("/data/data/com.whatsapp/databases/msgstore.db"),
		   "WhatsApp聊天", "WhatsApp");
	tap_is_str(cu_seal_category("HomeDomain/Library/AddressBook/AddressBook.sqlitedb"),
		   "通讯录", "AddressBook");
	tap_is_str(cu_seal_category("HomeDomain/Library/CallHistoryDB/CallHistory.storedata"),
		   "通话记录", "call history");
	tap_is_str(cu_seal_category("/data/data/com.eg.android.AlipayGphone/databases/x.db"),
		   "支付记录", "Alipay");
	tap_is_str(cu_seal_category("/sdcard/notes.txt"), "其他", "else 其他");
	tap_is_str(cu_seal_category(NULL), "其他", "NULL path");

	tap_is_str(cu_seal_format((const unsigned char *)"SQLite format 3", 16, "a.db"),
		   "SQLite数据库", "SQLite magic");
	tap_is_str(cu_seal_format((const unsigned char *)"bplist00xxxxxxxx", 16, "a"), "plist",
		   "binary plist");
	tap_is_str(cu_seal_format((const unsigned char *)"<?xml version=", 14, "x.plist"), "plist",
		   "XML plist");
	tap_is_str(cu_seal_format((const unsigned char *)"\xff\xd8\xff\xe0", 4, "x"), "图片",
		   "JPEG");
	tap_is_str(cu_seal_format((const unsigned char *)"\x12\x34\x56\x78", 4, "EnMicroMsg.db"),
		   "加密或损坏的数据库", "database name without SQLite header");
	tap_is_str(cu_seal_format(NULL, 0, "empty.bin"), "空文件", "empty file");
	tap_is_str(cu_seal_format((const unsigned char *)"abcd", 4, "x.bin"), "其他", "unknown");
}

static void test_tsq(void)
{
	struct cu_buf b = CU_BUF_INIT, b2 = CU_BUF_INIT;
	struct cu_error err;
	unsigned char h[32], other[32];
	const unsigned char *p;
	TS_REQ *req;

	cu_sha256("abc", 3, h);
	cu_sha256("abd", 3, other);
	tap_ok(cu_seal_tsq_build(h, &b, &err) == CU_OK, "tsq built");
	tap_ok(cu_seal_tsq_build(h, &b2, &err) == CU_OK && b.len == b2.len &&
		   memcmp(b.data, b2.data, b.len) == 0,
	       "tsq deterministic");
	p = (const unsigned char *)b.data;
	req = d2i_TS_REQ(NULL, &p, (long)b.len);
	tap_ok(req != NULL, "OpenSSL parses the tsq");
	if (req != NULL) {
		ASN1_OCTET_STRING *m = TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req));
		tap_ok(ASN1_STRING_length(m) == 32 && memcmp(ASN1_STRING_get0_data(m), h, 32) == 0,
		       "imprint is the hash");
		tap_ok(TS_REQ_get_cert_req(req) == 1, "certReq true");
		tap_ok(TS_REQ_get_nonce(req) != NULL, "nonce present");
		TS_REQ_free(req);
	}
	tap_ok(cu_seal_tsq_check(b.data, b.len, h, &err) == CU_OK, "check accepts its imprint");
	tap_ok(cu_seal_tsq_check(b.data, b.len, other, &err) == CU_E_INTEGRITY,
	       "check refuses another imprint");
	tap_ok(cu_seal_tsq_check(b.data, b.len - 1, h, &err) != CU_OK, "truncated tsq refused");
	tap_ok(cu_seal_tsq_check("junk", 4, h, &err) != CU_OK, "junk refused");
	tap_ok(cu_seal_tsr_check("junk", 4, h, NULL, NULL, &err) != CU_OK, "junk tsr refused");
	cu_buf_release(&b);
	cu_buf_release(&b2);
}

/* RFC 6962 MTH computed here, independently of core/merkle.c. */
static void mth(unsigned char (*leaves)[32], size_t n, unsigned char out[32])
{
	size_t k = 1;
	unsigned char l[32], r[32], buf[65];

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(leaves, k, l);
	mth(leaves + k, n - k, r);
	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	cu_sha256(buf, 65, out);
}

static void test_content_root(void)
{
	const char *h1 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	const char *h2 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	struct cu_content_file f[3] = {
	    {"evidence/b", 3, h1}, {"evidence/a", 0, h2}, {"derived/z", 3, h1}};
	struct cu_content_file g[3] = {
	    {"derived/z", 3, h1}, {"evidence/b", 3, h1}, {"evidence/a", 0, h2}};
	unsigned char r1[32], r2[32], want[32], leaves[3][32], empty[32];
	struct cu_error err;
	/* Sorted bytewise: derived/z, evidence/a, evidence/b. */
	const char *order[3][3] = {
	    {"derived/z", "3", h1}, {"evidence/a", "0", h2}, {"evidence/b", "3", h1}};

	for (int i = 0; i < 3; i++) {
		unsigned char buf[256];
		size_t n = 0;
		buf[n++] = 0;
		for (int k = 0; k < 3; k++) {
			size_t l = strlen(order[i][k]);
			memcpy(buf + n, order[i][k], l);
			n += l;
			if (k < 2)
				buf[n++] = 0;
		}
		cu_sha256(buf, n, leaves[i]);
	}
	mth(leaves, 3, want);
	tap_ok(cu_merkle_content_root(f, 3, r1, &err) == CU_OK, "content root");
	tap_is_mem(r1, 32, want, 32, "content root = RFC 6962 over path\\0size\\0sha256 leaves");
	tap_ok(cu_merkle_content_root(g, 3, r2, &err) == CU_OK && memcmp(r1, r2, 32) == 0,
	       "independent of input order");
	struct cu_content_file d[2] = {{"evidence/a", 0, h2}, {"evidence/a", 0, h2}};
	tap_ok(cu_merkle_content_root(d, 2, r2, &err) == CU_E_INTEGRITY, "duplicate path refused");
	cu_sha256("", 0, empty);
	tap_ok(cu_merkle_content_root(NULL, 0, r2, &err) == CU_OK && memcmp(r2, empty, 32) == 0,
	       "empty tree = SHA-256(\"\")");
}

/* Files of the export from an array (the seal reads them from its sorted
 * list): item NULL = all. */
struct files_arr {
	const struct cu_sealfile *v;
	size_t n;
};

static enum cu_status each_arr(void *src, const char *item, cu_sealfiles_fn fn, void *ctx,
			       struct cu_error *err)
{
	struct files_arr *a = src;
	enum cu_status st = CU_OK;
	for (size_t i = 0; st == CU_OK && i < a->n; i++)
		if (item == NULL || strcmp(item, a->v[i].item) == 0)
			st = fn(&a->v[i], ctx, err);
	return st;
}

static enum cu_status build_jsonld(const json_t *m, const char *log, struct files_arr *fa,
				   struct cu_buf *out, struct cu_error *err)
{
	struct cu_textout t;
	enum cu_status st = cu_textout_open(&t, NULL, 0, out, err);
	if (st == CU_OK)
		st = cu_seal_caseuco(m, "uuid-1", log, strlen(log), each_arr, fa, &t, err);
	if (st == CU_OK)
		return cu_textout_close(&t, NULL, err);
	cu_textout_abort(&t);
	return st;
}

/* Streamed rows escape strings exactly as jansson dumps them. */
static void test_jstr(void)
{
	char in[200];
	size_t k = 0, bad = 0;
	const char *extra[] = {"", "中文/路径", "a\"b\\c", "\xe2\x80\xa8 \x7f", "tab\there\n"};

	for (int c = 1; c < 128; c++)
		in[k++] = (char)c;
	in[k] = '\0';
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]) + 1; i++) {
		const char *v = i == 0 ? in : extra[i - 1];
		struct cu_buf got = CU_BUF_INIT;
		struct cu_textout t;
		json_t *j = json_string(v);
		char *want = json_dumps(j, JSON_ENCODE_ANY | CU_MANIFEST_JSON_FLAGS);
		TAP_MUST(cu_textout_open(&t, NULL, 0, &got, NULL));
		cu_textout_jstr(&t, v);
		TAP_MUST(cu_textout_close(&t, NULL, NULL));
		if (want == NULL || got.data == NULL || strcmp(want, got.data) != 0)
			bad++;
		free(want);
		json_decref(j);
		cu_buf_release(&got);
	}
	tap_is_int((int64_t)bad, 0,
		   "JSON strings escaped as jansson does (controls, quotes, UTF-8)");
}

static void test_caseuco(void)
{
	json_t *m =
	    json_pack("{s:{s:s,s:s},s:[{s:s,s:{s:s,s:s},s:{s:[s]}}]}", "case", "case_number", "C1",
		      "case_title", "t", "items", "item_id", "A1", "features", "make", "Apple",
		      "model", "X", "identifiers", "imei", "350000000000006");
	const char *log =
	    "{\"body\":{\"v\":1,\"seq\":0,\"prev\":\"00\",\"time\":\"2026-11-23T07:00:00.000Z\","
	    "\"event\":\"IMPORT\",\"actor\":{},\"subject\":{\"item\":\"A1\"},\"details\":{}}}\n";
	struct cu_sealfile fv[2] = {
	    {.path = "evidence/A1/x.db",
	     .device_path = "/data/x.db",
	     .item = "A1",
	     .sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	     .md5 = "900150983cd24fb0d6963f7d28e17f72",
	     .size = 3},
	    {.path = "evidence/B2/y.db",
	     .item = "B2",
	     .sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	     .md5 = "d41d8cd98f00b204e9800998ecf8427e",
	     .size = 0}};
	struct files_arr fa = {fv, 2};
	const struct cu_sealfile *fp = &fv[0], f = *fp;
	struct cu_buf a = CU_BUF_INIT, b = CU_BUF_INIT;
	struct cu_error err;
	json_t *doc = NULL;

	tap_ok(build_jsonld(m, log, &fa, &a, &err) == CU_OK, "case.jsonld built");
	tap_ok(build_jsonld(m, log, &fa, &b, &err) == CU_OK && a.len == b.len &&
		   memcmp(a.data, b.data, a.len) == 0,
	       "case.jsonld deterministic");
	tap_ok(cu_json_load_str(a.data, a.len, "case.jsonld", &doc, &err) == CU_OK, "parses");
	tap_ok(json_is_object(json_object_get(doc, "@context")) &&
		   json_array_size(json_object_get(doc, "@graph")) > 5,
	       "@context and @graph");
	tap_ok(strstr(a.data, "case-investigation:InvestigativeAction") != NULL &&
		   strstr(a.data, "uco-observable:MobileDeviceFacet") != NULL &&
		   strstr(a.data, f.sha256) != NULL && strstr(a.data, f.md5) != NULL,
	       "action, device and both hashes present");
	{
		/* The streamed lists: the investigation refers to every node of
		 * @graph (itself aside) and to nothing else; each exhibit's
		 * provenance record lists its device and its files. */
		const json_t *g = json_object_get(doc, "@graph"), *x, *inv = json_array_get(g, 0);
		const json_t *objs = json_object_get(inv, "uco-core:object");
		size_t i, bad = 0, provs = 0, prov_ok = 0;
		json_array_foreach(g, i, x)
		{
			const char *id = json_string_value(json_object_get(x, "@id"));
			bool found = i == 0;
			size_t k;
			const json_t *r;
			json_array_foreach(
			    objs, k,
			    r) if (id && strcmp(id, json_string_value(json_object_get(r, "@id"))) ==
					     0) found = true;
			if (!found)
				bad++;
			const char *ty = json_string_value(json_object_get(x, "@type"));
			if (ty && strcmp(ty, "case-investigation:ProvenanceRecord") == 0) {
				provs++;
				if (json_array_size(json_object_get(x, "uco-core:object")) == 2)
					prov_ok++;
			}
		}
		tap_ok(bad == 0 && json_array_size(objs) + 1 == json_array_size(g) && provs == 2 &&
			   prov_ok == 2,
		       "investigation lists all %zu nodes; 2 exhibits each with device + file "
		       "(bad %zu, provs %zu/%zu)",
		       json_array_size(g), bad, prov_ok, provs);
	}
	json_decref(doc);
	json_decref(m);
	cu_buf_release(&a);
	cu_buf_release(&b);
}

static void test_report_exit(void)
{
	struct cu_verify_report r;

	cu_verify_report_init(&r);
	tap_is_int(cu_verify_report_exit(&r), 0, "empty report passes");
	r.unreadable = true;
	r.ok = false;
	tap_is_int(cu_verify_report_exit(&r), 3, "unreadable input exits 3");
	r.failures = 1;
	tap_is_int(cu_verify_report_exit(&r), 1, "an integrity failure wins: exit 1");
	cu_verify_report_release(&r);
}

int main(void)
{
	tap_plan(52);
	test_names();
	test_columns();
	test_tsq();
	test_content_root();
	test_jstr();
	test_caseuco();
	test_report_exit();
	return tap_done();
}
