#!/bin/sh
# parse_chat_qq.sh - QQ through the real pipeline: a legacy Android store
# with XOR-encoded fields and its files/kc key, the same store without a
# key (rows kept, text empty, a warning), and a QQ iOS QQ.db. Data from
# tests/data/chat/make_qq.py (an independent XOR encoder); goldens
# tests/golden/chat_qq_*.txt written by hand.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_chat_qq
tap_plan 31
. "$SRCDIR/tests/e2e/chat_lib.sh"
run "generate QQ stores" python3 "$SRCDIR/tests/data/chat/make_qq.py" "$T/gen"
# item qq-imei has no key file; the seizure manifest lists two IMEIs, only
# the second of which is the XOR key
# (the other items are listed too: import refuses an item the seizure list
# does not name)
printf '%s' '{"seizure":{"items":[{"item_id":"qq-imei","name":"phone","identifiers":{"imei":["358240051111110","258240051111110"]}},{"item_id":"qq-android"},{"item_id":"qq-wrongkey"},{"item_id":"qq-nokey"},{"item_id":"qq-ios"},{"item_id":"qq-damaged"}]}}' >"$T/manifest.json"
chat_case --manifest "$T/manifest.json"
chat_import qq-android "$T/gen/android"
chat_import qq-imei "$T/gen/nokey"
# a key file of another device: must be refused, not used to garble text
cp -R "$T/gen/nokey" "$T/wrongkey"
mkdir -p "$T/wrongkey/data/data/com.tencent.mobileqq/files"
echo 358240051111110 >"$T/wrongkey/data/data/com.tencent.mobileqq/files/kc"
chat_import qq-wrongkey "$T/wrongkey"
# the same directory as qq-imei: a second copy needs --again --reason
run "import qq-nokey" "$CUSTOS" --case "$C" import "$T/gen/nokey" --format dir --item qq-nokey \
	--again --reason "same store, parsed without the manifest IMEI"
chat_import qq-ios "$T/gen/ios"
chat_import qq-damaged "$T/gen/damaged"
expect_exit 5 "parse finishes; the damaged table is a recorded failure" "$CUSTOS" --case "$C" parse

golden chat_qq_android_messages "$(chat_messages qq-android)"
golden chat_qq_android_conversations "$(chat_conversations qq-android qq)"
golden chat_qq_android_contacts "$(chat_contacts qq-android qq)"
golden chat_qq_android_accounts "$(chat_accounts qq-android qq)"
chat_provenance qq-android
is "$(cq "SELECT count(*) FROM sources WHERE item_id = 'qq-android'
	AND device_path LIKE '%/com.tencent.mobileqq/files/kc'")" 1 \
	"the key file used is recorded as a source"

like "$(cq "SELECT device_path || ': ' || message FROM parse_warnings WHERE item_id = 'qq-android'")" \
	'nt_db/nt_qq_0123456789abcdef0123456789abcdef/nt_msg\.db: QQ NT database .*not parsed' \
	"QQ NT store: reported by name, not parsed"

# no key: every row kept with type, time, direction; text left empty; warned
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'qq-nokey'")" 9 "no key: 9 rows kept"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'qq-nokey' AND body IS NOT NULL")" 0 \
	"no key: no text invented"
is "$(cq "SELECT group_concat(direction || '/' || kind || '/' || raw_type, ' ') FROM (SELECT *
	FROM messages WHERE item_id = 'qq-nokey' ORDER BY source_table, source_rowid)")" \
	"incoming/text/-1000 outgoing/text/-1000 incoming/voice/-2002 incoming/file/-2005 system/system/-5040 incoming/image/-2000 incoming/text/-1000 outgoing/text/-1000 incoming/call/-2016" \
	"no key: directions from issend, kinds from msgtype"
like "$(cq "SELECT device_path || ': ' || message FROM parse_warnings WHERE item_id = 'qq-nokey'")" \
	'databases/10001\.db: .*no QQ XOR key' "no key: warning names the file and the missing key"

# no key file, key from the manifest IMEI that fits (MD5 of the table name)
is "$(chat_messages qq-imei)" "$(cat "$SRCDIR/tests/golden/chat_qq_android_messages.txt")" \
	"IMEI from the manifest as key: same rows as with files/kc"
like "$(cq "SELECT message FROM parse_warnings WHERE item_id = 'qq-imei'")" \
	'XOR key = IMEI 258240051111110 from the seizure manifest, verified' \
	"the key used (and why) is recorded"

is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'qq-wrongkey' AND body IS NOT NULL")" 0 \
	"wrong key file: no garbled text"
like "$(cq "SELECT message FROM parse_warnings WHERE item_id = 'qq-wrongkey'")" \
	'key file does not decode this database' "wrong key file: refused with a warning"

# one damaged table: the others are still parsed, the failure names it
is "$(chat_messages qq-damaged | sed 's/|mr_friend_[0-9A-F]*_New|/|F|/')" \
	"$(grep mr_friend_ "$SRCDIR/tests/golden/chat_qq_android_messages.txt" |
		sed 's/|mr_friend_[0-9A-F]*_New|/|F|/')" \
	"damaged store: the intact friend table gives all its rows"
is "$(cq "SELECT count(*) FROM contacts WHERE item_id = 'qq-damaged'")" 2 \
	"damaged store: contacts still parsed"
like "$(cq "SELECT device_path || ': ' || message FROM parse_warnings
	WHERE item_id = 'qq-damaged' AND severity = 'error'")" \
	"databases/10001\\.db: .*table 'mr_troop_09510D526DF60F47C2797DEE42254939_New'.*(malformed|corrupt)" \
	"damaged store: the error names the file and the damaged table"

golden chat_qq_ios_messages "$(chat_messages qq-ios)"
golden chat_qq_ios_conversations "$(chat_conversations qq-ios qq)"
golden chat_qq_ios_accounts "$(chat_accounts qq-ios qq)"
chat_provenance qq-ios
tap_done
