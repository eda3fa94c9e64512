/*
 * test_coverage.c - the pieces of "coverage stated" that read phone data:
 * known-app paths and data stores (parsers/coverage.c), the device time
 * zone from property files (parsers/device_tz.c, hostile protobuf too), and
 * the WhatsApp backup parser on files that are no backup (listed in
 * not_examined, never a failure).
 */
#include "parsers/parsers.h"
#include "tests/harness/tap.h"
#include "tests/unit/test_parse_util.h"

#include <stdio.h>
#include <string.h>

static bool tz(const char *path, const void *data, size_t n, const char *want)
{
	char out[80] = "";
	bool got = cu_parse_tz_from_property_file(path, data, n, out, sizeof(out));

	if (!want)
		return !got;
	if (!got || strcmp(out, want) != 0)
		tap_diag("got %d '%s', want '%s'", got, out, want);
	return got && strcmp(out, want) == 0;
}

static const char *s(const char *x)
{
	return x ? x : "(null)";
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, n, f) != n)
		tap_bail("cannot write the test file");
	fclose(f);
}

int main(void)
{
	/* PersistentProperties { properties { name, value } ... } */
	static const unsigned char pp[] = {
	    0x0a, 0x1a, 0x0a, 0x12, 'p', 'e', 'r', 's',  'i',  's', 't', '.', 's', 'y',  's',
	    '.',  'l',  'o',  'c',  'a', 'l', 'e', 0x12, 0x04, 'z', 'h', '-', 'C', 0x0a, 0x27,
	    0x0a, 0x14, 'p',  'e',  'r', 's', 'i', 's',  't',  '.', 's', 'y', 's', '.',  't',
	    'i',  'm',  'e',  'z',  'o', 'n', 'e', 0x12, 0x0f, 'E', 'u', 'r', 'o', 'p',  'e',
	    '/',  'Z',  'u',  'r',  'i', 'c', 'h', ' ',  ' ',  ' ', ' '};
	static const unsigned char huge[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a};
	static const unsigned char loose[] = {0x0a, 0x80, 0x80, 0x80, 0x80, 0x80,
					      0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
	const char *dir = tap_tmpdir("test_coverage");
	char junk[512], small[64];
	unsigned char rnd[4096];
	sqlite3 *db;
	struct cu_error e;

	tap_plan(26);
	/* apps by path */
	tap_is_str(s(cu_parse_known_app("/data/data/com.instagram.android/databases/direct.db")),
		   "Instagram", "Android package path");
	tap_is_str(s(cu_parse_known_app("AppDomain-com.burbn.instagram/Library/x.sqlite")),
		   "Instagram", "iOS backup domain");
	tap_is_str(s(cu_parse_known_app("/data/data/com.adhoclabs.burner/databases/b.db")),
		   "Burner", "Burner");
	tap_is_str(s(cu_parse_known_app("/data/data/com.whatsappx/databases/msgstore.db")),
		   "(null)", "a package that only starts like a known one is not it");
	tap_is_str(s(cu_parse_known_app("/sdcard/WhatsApp/Databases/msgstore.db.crypt12")),
		   "WhatsApp", "old WhatsApp shared-storage folder");
	tap_ok(cu_parse_app_store("/data/data/com.viber.voip/databases/viber_messages"),
	       "a file in databases/ is a data store");
	tap_ok(!cu_parse_app_store("/data/data/com.instagram.android/cache/images/a1.jpg"),
	       "a cached picture is not");
	tap_ok(!cu_parse_app_store("/data/data/com.viber.voip/databases/viber_messages-wal"),
	       "a -wal goes with its database");
	tap_ok(cu_parse_app_store("/sdcard/Android/media/com.whatsapp/WhatsApp/Databases/"
				  "msgstore-2024-01-01.1.db.crypt14"),
	       "a dated backup is a data store");
	/* time zone */
	tap_ok(tz("/data/property/persistent_properties", pp, sizeof(pp), "Europe/Zurich"),
	       "persistent_properties (protobuf), trailing blanks trimmed");
	tap_ok(tz("/data/property/persistent_properties", pp, 40, NULL),
	       "truncated protobuf: none");
	tap_ok(tz("/data/property/persistent_properties", huge, sizeof(huge), NULL),
	       "a length past the end: none");
	tap_ok(tz("/data/property/persistent_properties", loose, sizeof(loose), NULL),
	       "an endless varint: none");
	tap_ok(tz("/data/property/persist.sys.timezone", "Asia/Shanghai\n", 14, "Asia/Shanghai"),
	       "one file per property");
	tap_ok(tz("/system/build.prop", "ro.x=1\npersist.sys.timezone=America/New_York\n", 45,
		  "America/New_York"),
	       "build.prop line");
	tap_ok(tz("/data/property/persist.sys.timezone", "../../etc/passwd", 16, NULL),
	       "a path is not a zone");
	tap_ok(tz("/data/property/persist.sys.timezone", "Asia/Shanghai;rm -rf", 20, NULL),
	       "shell text is not a zone");
	tap_ok(tz("/data/property/persist.sys.timezone", "Shanghai", 8, NULL),
	       "a bare word is not an IANA name");
	tap_ok(tz("/data/property/persist.sys.timezone", "UTC", 3, "UTC"), "UTC is");
	/* the WhatsApp backup parser on files that are no backup */
	db = tpu_casedb();
	if (!db)
		tap_bail("no case.db");
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)(i * 131 + 7);
	snprintf(junk, sizeof(junk), "%s/junk.crypt14", dir);
	write_file(junk, rnd, sizeof(rnd));
	cu_error_clear(&e);
	tap_is_int(tpu_parse(db, "whatsapp-android-backup", junk,
			     "/sdcard/WhatsApp/Databases/msgstore.db.crypt14", "android", dir, NULL,
			     &e),
		   CU_OK, "random bytes named .crypt14: no failure");
	tap_is_str(tpu_text(db, "SELECT reason || '|' || app FROM not_examined"),
		   "unsupported|WhatsApp", "listed as an unsupported WhatsApp backup");
	snprintf(small, sizeof(small), "%s/s.crypt12", dir);
	write_file(small, "\x00\x01\x01", 3);
	tap_is_int(tpu_parse(db, "whatsapp-android-backup", small,
			     "/sdcard/WhatsApp/Databases/msgstore.db.crypt12", "android", dir, NULL,
			     &e),
		   CU_OK, "a 3-byte .crypt12: no failure");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM not_examined"), 2, "listed too");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages"), 0, "no rows invented");
	snprintf(junk, sizeof(junk), "%s/t.crypt15", dir);
	write_file(junk, "\x81\x01\x08", 3);
	tap_is_int(tpu_parse(db, "whatsapp-android-backup", junk,
			     "/sdcard/WhatsApp/Databases/msgstore.db.crypt15", "android", dir, NULL,
			     &e),
		   CU_OK, "a prefix length past the end: no failure");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM not_examined WHERE reason = 'unsupported'"), 3,
		   "and listed");
	sqlite3_close(db);
	return tap_done();
}
