/*
 * test_wechat_keys.c - the inputs of the WeChat Android key: the Java
 * serialization reader on hand-made streams laid out per the Java Object
 * Serialization Stream Protocol (what java.util.HashMap.writeObject emits
 * for CompatibleInfo.cfg / systemInfo.cfg), every truncation and some
 * hostile variants; shared_prefs XML lookups; the protobuf reader.
 */
#include "parsers/parsers.h"
#include "parsers/wechat/keys.h"
#include "parsers/wechat/protobuf.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>

struct bb {
	unsigned char d[4096];
	size_t n;
};

static void b1(struct bb *b, unsigned v)
{
	b->d[b->n++] = (unsigned char)v;
}
static void b2(struct bb *b, unsigned v)
{
	b1(b, v >> 8);
	b1(b, v & 0xff);
}
static void b4(struct bb *b, uint32_t v)
{
	b2(b, v >> 16);
	b2(b, v & 0xffff);
}
static void b8(struct bb *b, uint64_t v)
{
	b4(b, (uint32_t)(v >> 32));
	b4(b, (uint32_t)v);
}
static void butf(struct bb *b, const char *s)
{
	b2(b, (unsigned)strlen(s));
	memcpy(b->d + b->n, s, strlen(s));
	b->n += strlen(s);
}

/* HashMap {258: "352099001761481", 1: Integer 987654321, 3: Long 42,
 * 4: back-reference to the first string, 5: null} */
static void build_map(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b2(b, 0xACED);
	b2(b, 5);
	b1(b, 0x73); /* TC_OBJECT */
	b1(b, 0x72); /* TC_CLASSDESC        h0 */
	butf(b, "java.util.HashMap");
	b8(b, 0x0507DAC1C31660D1ULL); /* serialVersionUID */
	b1(b, 0x03);                  /* SC_WRITE_METHOD | SC_SERIALIZABLE */
	b2(b, 2);
	b1(b, 'F');
	butf(b, "loadFactor");
	b1(b, 'I');
	butf(b, "threshold");
	b1(b, 0x78); /* TC_ENDBLOCKDATA */
	b1(b, 0x70); /* no superclass */
	/* HashMap object h1 */
	b4(b, 0x3F400000); /* 0.75f */
	b4(b, 12);
	b1(b, 0x77); /* TC_BLOCKDATA */
	b1(b, 8);
	b4(b, 16); /* capacity */
	b4(b, 5);  /* size */
	/* key Integer 258: class h2, Number h3, object h4 */
	b1(b, 0x73);
	b1(b, 0x72);
	butf(b, "java.lang.Integer");
	b8(b, 0x12E2A0A4F7818738ULL);
	b1(b, 0x02);
	b2(b, 1);
	b1(b, 'I');
	butf(b, "value");
	b1(b, 0x78);
	b1(b, 0x72);
	butf(b, "java.lang.Number");
	b8(b, 0x86AC951D0B94E08BULL);
	b1(b, 0x02);
	b2(b, 0);
	b1(b, 0x78);
	b1(b, 0x70);
	b4(b, 258);
	/* value string h5 */
	b1(b, 0x74);
	butf(b, "352099001761481");
	/* key Integer 1 (h6), value Integer 987654321 (h7) */
	b1(b, 0x73);
	b1(b, 0x71);
	b4(b, 0x7E0002);
	b4(b, 1);
	b1(b, 0x73);
	b1(b, 0x71);
	b4(b, 0x7E0002);
	b4(b, 987654321);
	/* key 3 (h8), value Long 42: class h9, object h10 */
	b1(b, 0x73);
	b1(b, 0x71);
	b4(b, 0x7E0002);
	b4(b, 3);
	b1(b, 0x73);
	b1(b, 0x72);
	butf(b, "java.lang.Long");
	b8(b, 0x3B8BE490CC8F23DFULL);
	b1(b, 0x02);
	b2(b, 1);
	b1(b, 'J');
	butf(b, "value");
	b1(b, 0x78);
	b1(b, 0x71);
	b4(b, 0x7E0003); /* superclass: Number by reference */
	b8(b, 42);
	/* key 4 (h11), value: reference to string h5 */
	b1(b, 0x73);
	b1(b, 0x71);
	b4(b, 0x7E0002);
	b4(b, 4);
	b1(b, 0x71);
	b4(b, 0x7E0005);
	/* key 5 (h12), value null */
	b1(b, 0x73);
	b1(b, 0x71);
	b4(b, 0x7E0002);
	b4(b, 5);
	b1(b, 0x70);
	b1(b, 0x78);
}

static void test_javaser(void)
{
	struct bb b;
	struct cu_javamap m = {NULL, 0};
	struct cu_error err;
	enum cu_status st;
	size_t cut, fails = 0;
	unsigned char bad[4096];

	build_map(&b);
	st = cu_javaser_int_map_parse(b.d, b.n, &m, &err);
	tap_is_int(st, CU_OK, "hashmap parses (%s)", st ? err.msg : "");
	tap_is_int((int64_t)m.n, 5, "five entries");
	tap_is_str(cu_javamap_get(&m, 258), "352099001761481", "key 258 = IMEI string");
	tap_is_str(cu_javamap_get(&m, 1), "987654321", "key 1 = Integer uin as text");
	tap_is_str(cu_javamap_get(&m, 3), "42", "key 3 = Long as text");
	tap_is_str(cu_javamap_get(&m, 4), "352099001761481", "back-referenced string");
	tap_ok(cu_javamap_get(&m, 5) == NULL, "null value");
	tap_ok(cu_javamap_get(&m, 999) == NULL, "absent key");
	cu_javamap_release(&m);

	/* every truncation fails cleanly, none crashes (ASan build checks) */
	for (cut = 0; cut < b.n; cut++) {
		struct cu_javamap t = {NULL, 0};
		if (cu_javaser_int_map_parse(b.d, cut, &t, &err) != CU_OK)
			fails++;
		cu_javamap_release(&t);
	}
	tap_is_int((int64_t)fails, (int64_t)b.n - 0, "all %zu truncations refused", b.n);

	memcpy(bad, b.d, b.n);
	bad[0] = 0xAB;
	st = cu_javaser_int_map_parse(bad, b.n, &m, &err);
	tap_is_int(st, CU_E_FORMAT, "bad magic refused (%s)", err.msg);

	/* a back reference to a handle that does not exist */
	memcpy(bad, b.d, b.n);
	{
		size_t i;
		for (i = 0; i + 4 < b.n; i++)
			if (bad[i] == 0x71 && bad[i + 3] == 0x00 && bad[i + 4] == 0x05) {
				bad[i + 4] = 0x55;
				break;
			}
	}
	st = cu_javaser_int_map_parse(bad, b.n, &m, &err);
	tap_is_int(st, CU_E_FORMAT, "dangling reference refused (%s)", err.msg);

	/* a size claiming more entries than bytes */
	memcpy(bad, b.d, b.n);
	{
		size_t i;
		for (i = 0; i + 10 < b.n; i++)
			if (bad[i] == 0x77 && bad[i + 1] == 8) {
				bad[i + 6] = 0x7f; /* size high byte */
				break;
			}
	}
	st = cu_javaser_int_map_parse(bad, b.n, &m, &err);
	tap_is_int(st, CU_E_FORMAT, "implausible size refused (%s)", err.msg);

	/* a top-level object that is not a HashMap */
	{
		struct bb s;
		memset(&s, 0, sizeof(s));
		b2(&s, 0xACED);
		b2(&s, 5);
		b1(&s, 0x73);
		b1(&s, 0x72);
		butf(&s, "java.lang.Integer");
		b8(&s, 0x12E2A0A4F7818738ULL);
		b1(&s, 0x02);
		b2(&s, 1);
		b1(&s, 'I');
		butf(&s, "value");
		b1(&s, 0x78);
		b1(&s, 0x70);
		b4(&s, 7);
		st = cu_javaser_int_map_parse(s.d, s.n, &m, &err);
		tap_is_int(st, CU_E_UNSUPPORTED, "an Integer is not a map (%s)", err.msg);
	}
	/* deep class nesting stops */
	{
		struct bb s;
		int i;
		memset(&s, 0, sizeof(s));
		b2(&s, 0xACED);
		b2(&s, 5);
		b1(&s, 0x73);
		for (i = 0; i < 200; i++) {
			b1(&s, 0x72);
			butf(&s, "X");
			b8(&s, 0);
			b1(&s, 2);
			b2(&s, 0);
			b1(&s, 0x78);
		}
		st = cu_javaser_int_map_parse(s.d, s.n, &m, &err);
		tap_ok(st == CU_E_FORMAT, "deep nesting refused (%s)", err.msg);
	}
	st = cu_javaser_int_map_parse(NULL, 0, &m, &err);
	tap_is_int(st, CU_E_FORMAT, "empty input refused");
}

static const char prefs[] = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n"
			    "<map>\n"
			    "    <boolean name=\"first_launch\" value=\"false\" />\n"
			    "    <int name=\"default_uin\" value=\"-1368172452\" />\n"
			    "    <string name=\"last_login_uin\">987654321</string>\n"
			    "    <string name=\"login_weixin_username\">wxid_&amp;x</string>\n"
			    "    <long name=\"ts\" value=\"1600000000000\" />\n"
			    "</map>\n";

static void test_prefs(void)
{
	struct cu_error err;
	char *v = NULL;
	enum cu_status st;
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE map [\n <!ENTITY a \"aaaaaaaaaa\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n]>\n"
	    "<map><string name=\"last_login_uin\">&d;&d;&d;&d;</string></map>";

	st = cu_android_prefs_get(prefs, strlen(prefs), "default_uin", &v, &err);
	tap_is_int(st, CU_OK, "int default_uin found");
	tap_is_str(v, "-1368172452", "negative uin kept as text");
	free(v);
	v = NULL;
	st = cu_android_prefs_get(prefs, strlen(prefs), "last_login_uin", &v, &err);
	tap_is_str(st == CU_OK ? v : NULL, "987654321", "string last_login_uin");
	free(v);
	v = NULL;
	st = cu_android_prefs_get(prefs, strlen(prefs), "login_weixin_username", &v, &err);
	tap_is_str(st == CU_OK ? v : NULL, "wxid_&x", "predefined entity decoded");
	free(v);
	v = NULL;
	st = cu_android_prefs_get(prefs, strlen(prefs), "_auth_uin", &v, &err);
	tap_is_int(st, CU_E_NOTFOUND, "absent entry: CU_E_NOTFOUND");
	st = cu_android_prefs_get("<map><int name=\"x\"", 18, "x", &v, &err);
	tap_is_int(st, CU_E_FORMAT, "truncated xml: CU_E_FORMAT");
	st = cu_android_prefs_get("<list/>", 7, "x", &v, &err);
	tap_is_int(st, CU_E_FORMAT, "root is not <map>");
	st = cu_android_prefs_get(laughs, strlen(laughs), "last_login_uin", &v, &err);
	tap_is_int(st, CU_E_FORMAT, "entity bomb refused, not expanded (%s)", err.msg);
	st = cu_android_prefs_get("<map><int name=\"default_uin\"/></map>", 36, "default_uin", &v,
				  &err);
	tap_is_int(st, CU_E_FORMAT, "int without value attribute");
}

static void test_protobuf(void)
{
	/* field 1 "Nick", field 2 "ali", varint field 5, field 3 "备注" */
	static const unsigned char pb[] = {0x0a, 4,    'N',  'i',  'c',  'k',  0x12, 3,
					   'a',  'l',  'i',  0x28, 0x96, 0x01, 0x1a, 6,
					   0xe5, 0xa4, 0x87, 0xe6, 0xb3, 0xa8};
	const unsigned char *v;
	size_t n;
	size_t cut, bad = 0;

	tap_ok(cu_protobuf_valid(pb, sizeof(pb)), "protobuf well-formed");
	tap_ok(cu_protobuf_find_bytes(pb, sizeof(pb), 1, &v, &n) && n == 4 && !memcmp(v, "Nick", 4),
	       "field 1");
	tap_ok(cu_protobuf_find_bytes(pb, sizeof(pb), 3, &v, &n) && n == 6 &&
		   !memcmp(v, "\xe5\xa4\x87\xe6\xb3\xa8", 6),
	       "field 3 after a varint field");
	tap_ok(!cu_protobuf_find_bytes(pb, sizeof(pb), 9, &v, &n), "absent field");
	for (cut = 1; cut < sizeof(pb); cut++)
		if (cut != 6 && cut != 11 && cut != 14 && !cu_protobuf_valid(pb, cut))
			bad++;
	tap_is_int((int64_t)bad, (int64_t)sizeof(pb) - 4, "truncations inside fields are invalid");
	{
		static const unsigned char huge[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'};
		static const unsigned char group[] = {0x0b, 0x0c};
		static const unsigned char longvar[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
							0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
		tap_ok(!cu_protobuf_valid(huge, sizeof(huge)), "length past the end refused");
		tap_ok(!cu_protobuf_valid(group, sizeof(group)), "groups refused");
		tap_ok(!cu_protobuf_valid(longvar, sizeof(longvar)), "11-byte varint refused");
	}
}

int main(void)
{
	tap_plan(32);
	test_javaser();
	test_prefs();
	test_protobuf();
	return tap_done();
}
