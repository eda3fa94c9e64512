#!/bin/sh
# parse_chat_telegram.sh - Telegram through the real pipeline: an Android
# cache4.db whose TL blobs come from an independent Python TL writer
# (tests/data/chat/make_telegram.py: Chinese, emoji, code word, 270-byte
# text in the 0xFE form, flags2 constructor, reply header, phone-call
# service message, geo/photo media, unknown and truncated blobs), and an
# iOS postbox file that must be reported as not parsed.
# Goldens tests/golden/chat_telegram_*.txt written by hand.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_chat_telegram
tap_plan 14
. "$SRCDIR/tests/e2e/chat_lib.sh"
run "generate Telegram stores" python3 "$SRCDIR/tests/data/chat/make_telegram.py" "$T/gen"
chat_case
chat_import tg-android "$T/gen/android"
chat_import tg-ios "$T/gen/ios"
run "parse" "$CUSTOS" --case "$C" parse

golden chat_telegram_messages "$(chat_messages tg-android)"
golden chat_telegram_conversations "$(chat_conversations tg-android telegram)"
golden chat_telegram_contacts "$(chat_contacts tg-android telegram)"
golden chat_telegram_accounts "$(chat_accounts tg-android telegram)"
chat_provenance tg-android
is "$(cq "SELECT length(CAST(body AS BLOB)) FROM messages WHERE item_id = 'tg-android'
	AND source_rowid = 3")" 270 "the 0xFE long-string form gives all 270 bytes"
like "$(cq "SELECT message FROM parse_warnings WHERE item_id = 'tg-android'")" \
	'2 message blobs not decodable' "undecodable blobs are counted in a warning"
like "$(cq "SELECT device_path || ': ' || message FROM parse_warnings WHERE item_id = 'tg-ios'")" \
	'postbox/db/db_sqlite: Telegram iOS postbox .*not parsed' \
	"iOS postbox: warning names the file and says it was not parsed"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'tg-ios'")" 0 "iOS postbox: no rows invented"
tap_done
