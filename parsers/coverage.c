/*
 * coverage.c - what a parse must name when it leaves a file unread
 * (docs/casedb.md, not_examined): the apps whose data custos recognises by
 * path, whether a path is one of an app's data stores, and whether a file
 * is an SQLite database by its header.
 *
 * An app is recognised by its Android package or iOS bundle id as one
 * whole component of the device path ("/data/data/com.instagram.android/
 * databases/direct.db", "AppDomain-com.burbn.instagram/Library/…",
 * "…/AppGroup/<uuid>/…" is not enough: iOS app-group paths name the group,
 * "group.net.whatsapp.WhatsApp.shared", which is listed). A data store is a
 * file in a "databases" folder or named like a database or a backup of one
 * (.db .sqlite .sqlitedb .sqlite3 .realm .crypt12/14/15 …); images, caches
 * and the like under the app are not listed one by one.
 */
#include "parsers/parsers.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

struct known_app {
	const char *name;
	const char *const ids[5]; /* package / bundle / group ids, NULL-ended */
};

/* Sorted by name; the first app whose id matches wins. */
static const struct known_app apps[] = {
    {"Alipay", {"com.eg.android.AlipayGphone", "com.alipay.iphoneclient", NULL}},
    {"Burner", {"com.adhoclabs.burner", "com.adhoclabs.Burner", NULL}},
    {"Discord", {"com.discord", "com.hammerandchisel.discord", NULL}},
    {"Facebook", {"com.facebook.katana", "com.facebook.Facebook", NULL}},
    {"Facebook Messenger",
     {"com.facebook.orca", "com.facebook.Messenger", "group.com.facebook.Messenger", NULL}},
    {"Google Hangouts", {"com.google.android.talk", "com.google.hangouts", NULL}},
    {"Instagram", {"com.instagram.android", "com.burbn.instagram", NULL}},
    {"KakaoTalk", {"com.kakao.talk", "com.iwilab.KakaoTalk", NULL}},
    {"Kik", {"kik.android", "com.kik.chat", NULL}},
    {"Line", {"jp.naver.line.android", "jp.naver.line", NULL}},
    {"QQ", {"com.tencent.mobileqq", "com.tencent.mqq", NULL}},
    {"Signal",
     {"org.thoughtcrime.securesms", "org.whispersystems.signal", "group.org.whispersystems.signal",
      NULL}},
    {"Skype", {"com.skype.raider", "com.skype.skype", NULL}},
    {"Snapchat", {"com.snapchat.android", "com.toyopagroup.picaboo", NULL}},
    {"Tango", {"com.sgiggle.production", "com.sgiggle.Tango", NULL}},
    {"Telegram",
     {"org.telegram.messenger", "ph.telegra.Telegraph", "group.ph.telegra.Telegraph", NULL}},
    {"Threema", {"ch.threema.app", "ch.threema.iapp", NULL}},
    {"TikTok", {"com.zhiliaoapp.musically", "com.ss.android.ugc.aweme", NULL}},
    {"Viber", {"com.viber.voip", "com.viber", NULL}},
    {"WeChat", {"com.tencent.mm", "com.tencent.xin", NULL}},
    {"WhatsApp",
     {"com.whatsapp", "com.whatsapp.w4b", "net.whatsapp.WhatsApp",
      "group.net.whatsapp.WhatsApp.shared", NULL}},
    {"Wickr", {"com.mywickr.wickr2", "com.wickr.pro", NULL}},
    {"X (Twitter)", {"com.twitter.android", "com.atebits.Tweetie2", NULL}},
    {"Zalo", {"com.zing.zalo", "vn.com.vng.zingalo", NULL}},
};

/* id is a whole component of path: after '/' or a domain's '-' (iOS
 * "AppDomain-<id>", "AppDomainGroup-<id>"), before '/' or the end. */
static bool has_component(const char *path, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = strstr(path, id); p; p = strstr(p + 1, id)) {
		bool start = p > path && (p[-1] == '/' || p[-1] == '-');
		bool end = p[n] == '/' || p[n] == '\0';

		if (start && end)
			return true;
	}
	return false;
}

const char *cu_parse_known_app(const char *device_path)
{
	if (!device_path)
		return NULL;
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		for (const char *const *id = apps[i].ids; *id; id++)
			if (has_component(device_path, *id))
				return apps[i].name;
	/* WhatsApp's backups on shared storage name no package on older phones */
	if (strstr(device_path, "/WhatsApp/Databases/"))
		return "WhatsApp";
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool cu_parse_app_store(const char *device_path)
{
	static const char *const suffixes[] = {".db",     ".sqlite",  ".sqlitedb",  ".sqlite3",
					       ".realm",  ".crypt12", ".crypt14",   ".crypt15",
					       ".crypt8", ".crypt7",  ".storedata", NULL};
	const char *base;

	if (!device_path || ends_with(device_path, "-wal") || ends_with(device_path, "-shm") ||
	    ends_with(device_path, "-journal"))
		return false;
	if (strstr(device_path, "/databases/"))
		return true;
	base = strrchr(device_path, '/');
	base = base ? base + 1 : device_path;
	for (const char *const *s = suffixes; *s; s++)
		if (ends_with(base, *s))
			return true;
	/* dated backups: msgstore-2024-01-01.1.db.crypt14 end in .crypt14 (above) */
	return false;
}

/* The first cap bytes of path (fewer when it is shorter) into head. */
static enum cu_status read_head(const char *path, unsigned char *head, size_t cap, size_t *got,
				struct cu_error *err)
{
	enum cu_status rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "opening '%s'", path);
	rc = cu_read_full(fd, head, cap, got, path, err);
	close(fd);
	return rc;
}

enum cu_status cu_parse_looks_encrypted(const char *path, bool *yes, struct cu_error *err)
{
	unsigned char head[4096];
	size_t got = 0;
	enum cu_status rc;

	*yes = false;
	if ((rc = read_head(path, head, sizeof(head), &got, err)) != CU_OK)
		return rc;
	*yes = got >= 512 && cu_bytes_entropy(head, got) >= 7.5;
	return CU_OK;
}

enum cu_status cu_parse_is_sqlite(const char *path, bool *yes, struct cu_error *err)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char head[16];
	size_t got = 0;
	enum cu_status rc;

	*yes = false;
	if ((rc = read_head(path, head, sizeof(head), &got, err)) != CU_OK)
		return rc;
	*yes = got == sizeof(head) && memcmp(head, magic, sizeof(head)) == 0;
	return CU_OK;
}
