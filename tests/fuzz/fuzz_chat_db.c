/*
 * fuzz_chat_db.c - every chat parser (WhatsApp iOS/Android, QQ, Telegram;
 * parsers/chat/) over arbitrary bytes written to a temporary file and
 * opened as a SQLite database through cu_parse_file() into an in-memory
 * case.db. A damaged database must give an error or warnings, never a
 * crash, a hang or a sanitizer report.
 */
#include "parsers/parsers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Device paths that make each parser take its usual route. */
static const char *device_path_for(const char *name)
{
	if (strncmp(name, "qq-android", 10) == 0)
		return "/data/data/com.tencent.mobileqq/databases/10001.db";
	if (strcmp(name, "qq-ios") == 0)
		return "/private/var/mobile/Containers/Data/Application/X/Documents/contents/10001/"
		       "QQ.db";
	if (strncmp(name, "telegram", 8) == 0)
		return "/data/data/org.telegram.messenger/files/cache4.db";
	if (strncmp(name, "whatsapp-android", 16) == 0)
		return "/data/data/com.whatsapp/databases/msgstore.db";
	return "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	const char *tmp = getenv("TESTTMP");
	sqlite3 *db = NULL;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/fuzz_chat_db.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		/* $TESTTMP may not exist yet: fall back, never skip silently */
		snprintf(path, sizeof(path), "/tmp/fuzz_chat_db.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
	}
	f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return 0;
	}
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	cu_log_set_level(CU_LOG_ERROR);
	if (sqlite3_open(":memory:", &db) == SQLITE_OK && cu_casedb_create(db, NULL) == CU_OK) {
		for (size_t i = 0; cu_parsers_chat[i] != NULL; i++) {
			const struct cu_parser *p = cu_parsers_chat[i];
			struct cu_parse_file_opts o = {"fuzz", NULL, device_path_for(p->name), NULL,
						       false};
			struct cu_error err;
			enum cu_status rc;
			/* any status is a valid answer to hostile bytes */
			cu_error_clear(&err);
			rc = cu_parse_file(db, p, path, &o, NULL, &err);
			(void)rc;
		}
	}
	sqlite3_close(db);
	unlink(path);
	return 0;
}
