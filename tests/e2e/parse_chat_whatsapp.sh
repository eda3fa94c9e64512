#!/bin/sh
# parse_chat_whatsapp.sh - WhatsApp through the real pipeline: the real iOS
# sample (josh_ios15 ChatStorage/ContactsV2/CallHistory with -wal/-shm) and
# the real Android msgstore.db (wa-crypt-tools), synthetic legacy and current
# Android stores (tests/data/chat/make_whatsapp.py), a damaged store.
# Goldens: tests/golden/chat_whatsapp_*.txt (real samples: derived with
# sqlite3 by tests/data/chat/golden_from_samples.sh; synthetic: by hand).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_chat_whatsapp
tap_plan 38
. "$SRCDIR/tests/e2e/chat_lib.sh"
S="$SHARED/samples"
[ -f "$S/ios-whatsapp/josh_ios15/ChatStorage.sqlite" ] ||
	shared_missing "samples not found under SHARED=$SHARED"
IOS="$T/ios/private/var/mobile/Containers/Shared/AppGroup/694FBBC5-2E69-480A-A25B-FF8CC038BEF8"
mkdir -p "$IOS" "$T/android/data/data/com.whatsapp/databases"
cp "$S"/ios-whatsapp/josh_ios15/*.sqlite* "$IOS"/
cp "$S/whatsapp-android/wa-crypt-tools/msgstore.db" "$T/android/data/data/com.whatsapp/databases/"
run "generate synthetic stores" python3 "$SRCDIR/tests/data/chat/make_whatsapp.py" "$T/gen"

chat_case
chat_import wa-ios "$T/ios"
chat_import wa-android "$T/android"
chat_import wa-legacy "$T/gen/legacy"
chat_import wa-current "$T/gen/current"
chat_import wa-corrupt "$T/gen/corrupt"
chat_import wa-odd "$T/gen/odd"
expect_exit 5 "parse finishes, the damaged store is a recorded failure" \
	"$CUSTOS" --case "$C" parse

# real iOS sample: counts from samples/ios-whatsapp/SOURCES.md
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'wa-ios'")" 32 "iOS: 32 ZWAMESSAGE rows"
is "$(cq "SELECT count(*) FROM contacts WHERE item_id = 'wa-ios'")" 9 "iOS: 9 contacts"
is "$(cq "SELECT count(*) FROM calls WHERE item_id = 'wa-ios'")" 4 "iOS: 4 calls"
golden chat_whatsapp_ios_messages "$(chat_messages wa-ios)"
golden chat_whatsapp_ios_conversations "$(chat_conversations wa-ios whatsapp)"
golden chat_whatsapp_ios_contacts "$(chat_contacts wa-ios whatsapp)"
golden chat_whatsapp_ios_calls "$(chat_calls wa-ios whatsapp)"
golden chat_whatsapp_ios_accounts "$(chat_accounts wa-ios whatsapp)"
# provenance: the message's source is ChatStorage.sqlite itself or the
# WAL-checkpointed working copy derived from it (parsers/parse.c)
is "$(cq "SELECT COALESCE(o.sha256, s.sha256) FROM messages m
	JOIN sources s ON s.source_id = m.source_id LEFT JOIN sources o ON o.source_id = s.derived_from
	WHERE m.item_id = 'wa-ios' AND m.source_rowid = 12")" \
	72509784f953d7396313962784d097e22b64b2ad32d70290a501fb87708a3b38 \
	"iOS message provenance leads to the sample's ChatStorage.sqlite hash (SOURCES.md)"
chat_provenance wa-ios

# real Android sample: 9 status/PSA rows in the legacy table
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'wa-android'")" 9 "Android: 9 messages"
golden chat_whatsapp_android_messages "$(chat_messages wa-android)"
golden chat_whatsapp_android_conversations "$(chat_conversations wa-android whatsapp)"
chat_provenance wa-android

# synthetic legacy store + wa.db + owner from shared_prefs
golden chat_whatsapp_legacy_messages "$(chat_messages wa-legacy)"
golden chat_whatsapp_legacy_conversations "$(chat_conversations wa-legacy whatsapp)"
golden chat_whatsapp_legacy_contacts "$(chat_contacts wa-legacy whatsapp)"
golden chat_whatsapp_legacy_accounts "$(chat_accounts wa-legacy whatsapp)"

# synthetic current store
golden chat_whatsapp_current_messages "$(chat_messages wa-current)"
golden chat_whatsapp_current_conversations "$(chat_conversations wa-current whatsapp)"
golden chat_whatsapp_current_calls "$(chat_calls wa-current whatsapp)"

# damaged store: an error naming the file, nothing parsed from it, no crash
like "$(cq "SELECT device_path || ': ' || message FROM parse_warnings
	WHERE item_id = 'wa-corrupt' AND severity = 'error'")" \
	'com\.whatsapp/databases/msgstore\.db: .*(not a database|malformed|corrupt|not a WhatsApp)' \
	"damaged msgstore.db: error names the file and the reason"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'wa-corrupt'")" 0 \
	"damaged msgstore.db: no rows invented"

# unknown schema version: missing columns are warned about by name, the
# rest is parsed
golden chat_whatsapp_odd_messages "$(chat_messages wa-odd)"
W=$(cq "SELECT group_concat(message, ' / ') FROM parse_warnings WHERE item_id = 'wa-odd'")
like "$W" "column 'ZWAMESSAGE\\.ZTEXT' missing" "odd schema: missing ZTEXT is named"
like "$W" "column 'ZWACHATSESSION\\.ZPARTNERNAME' missing" "odd schema: missing ZPARTNERNAME is named"
is "$(cq "SELECT count(*) FROM parse_warnings WHERE item_id = 'wa-odd' AND severity = 'error'")" 0 \
	"odd schema: no failure"

# same input, same output
cq "SELECT * FROM messages ORDER BY message_id" >"$T/run1.txt"
expect_exit 5 "second parse" "$CUSTOS" --case "$C" parse
cq "SELECT * FROM messages ORDER BY message_id" >"$T/run2.txt"
cmp -s "$T/run1.txt" "$T/run2.txt"
ok $? "parsing twice gives identical message rows"
tap_done
