/*
 * telegram_ios.c - Telegram for iOS (ph.telegra.Telegraph), APPS.md 5.2:
 * telegram-data/account-<id>/postbox/db/db_sqlite.
 *
 * The Postbox database is SQLCipher-encrypted with a key kept in
 * telegram-data/.tempkeyEncrypted [unconfirmed], and its values use
 * Telegram's own Postbox encoding; APPS.md gives nothing readable
 * without the key. This parser therefore only records, per file found, a
 * warning that names it and says it was not parsed, so the report shows
 * that Telegram for iOS data exists on the device (and nothing is
 * silently skipped). The file itself stays in the evidence with its hash.
 *
 * Test: tests/e2e/parse_chat_telegram.sh (a postbox file gives the warning).
 */
#include "parsers/chat/chat.h"

#include <string.h>

static int probe_tg_ios(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 50; /* the path is specific enough; nothing to open */
}

static enum cu_status parse_tg_ios(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	(void)err;
	cu_parse_warn(ctx, a,
		      "Telegram iOS postbox database (encrypted, key in "
		      "telegram-data/.tempkeyEncrypted): not parsed; the file is kept in the "
		      "evidence with its hash");
	return CU_OK;
}

static const char *const tg_ios_patterns[] = {"*telegram-data/account-*/postbox/db/db_sqlite",
					      NULL};

const struct cu_parser cu_parser_telegram_ios = {
    "telegram-ios", "telegram", CU_PLATFORM_IOS, tg_ios_patterns, probe_tg_ios, parse_tg_ios,
};
