#!/bin/sh
# parse_images.sh - `custos parse` on the sample phone images of
# fixtures/make-samples.sh (plain and encrypted iOS 17 backups, an Android
# 13 file-system tar), imported with `custos import`: the system parsers
# find the fixture rows (fixtures/expected/images.json -> apps/*), the
# encrypted backup's decrypted copies (inventory "derived" records) are
# parsed instead of the encrypted evidence and give the same rows as the
# plain backup, and the whole case parses without a failure.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_images
tap_plan 16
export SOURCE_DATE_EPOCH=1700000000
S="$BUILDDIR/tests/samples"
if [ ! -f "$S/SHA256SUMS" ]; then
	S="$T/samples"
	sh "$SRCDIR/fixtures/make-samples.sh" "$S" >"$T/gen.log" 2>&1 ||
		bail "fixtures/make-samples.sh failed: $(tail -1 "$T/gen.log")"
fi
[ -f "$S/SHA256SUMS" ] || bail "sample images incomplete: no $S/SHA256SUMS"
command -v sqlite3 >/dev/null || bail "sqlite3 missing"
UDID=00008101-001C2D3E4F50A01E
C="$T/case"
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
run "case init" "$CUSTOS" case init "$C" --case-id PARSE-IMG
run "import plain backup" "$CUSTOS" --case "$C" import "$S/ios-backup/$UDID" --item ios-plain
run "import encrypted backup" "$CUSTOS" --case "$C" import "$S/ios-backup-encrypted/$UDID" \
	--item ios-enc --password-file "$S/ios-backup-encrypted.password"
run "import android tar" "$CUSTOS" --case "$C" import "$S/android.tar" --item android
expect_exit 0 "parse the three images" "$CUSTOS" --case "$C" parse
is "$(cq "SELECT count(*) FROM parse_warnings WHERE severity = 'error'")" 0 "no file failed"

q_sys="SELECT item_id || ':' || app || ':' || n FROM (
	SELECT item_id, app, count(*) AS n FROM messages WHERE app IN ('sms', 'imessage') GROUP BY 1, 2
	UNION ALL SELECT item_id, 'contacts', count(*) FROM contacts WHERE app = 'contacts' GROUP BY 1
	UNION ALL SELECT item_id, 'syscalls', count(*) FROM calls c WHERE EXISTS (SELECT 1 FROM sources s
		WHERE s.source_id = c.source_id AND (s.parser LIKE 'ios-callhistory' OR s.parser LIKE 'android-c%'))
		GROUP BY 1
	UNION ALL SELECT item_id, app, count(*) FROM payments WHERE app = 'bank-sms' GROUP BY 1, 2)
	ORDER BY 1"
is "$(cq "$q_sys" | tr '\n' ' ')" \
	"android:bank-sms:2 android:contacts:5 android:sms:8 android:syscalls:5 ios-enc:bank-sms:2 ios-enc:contacts:4 ios-enc:imessage:2 ios-enc:sms:6 ios-enc:syscalls:4 ios-plain:bank-sms:2 ios-plain:contacts:4 ios-plain:imessage:2 ios-plain:sms:6 ios-plain:syscalls:4 " \
	"system rows per item match the fixtures (sms-ios, addressbook-ios, callhistory-ios, sms-android, contacts-android, calllog-android)"

# the iOS image's sms.db is fixtures/apps/sms-ios: same rows as the
# directory-import golden (tests/golden/parse_system_messages.txt, phone-i)
want=$(grep '^phone-i|' "$SRCDIR/tests/golden/parse_system_messages.txt" | sed 's/^phone-i|/ios-plain|/')
is "$(cq "SELECT m.item_id, m.app, c.identifier, m.sender, m.direction, m.sent_utc, m.sent_ms, m.kind, m.body, m.raw_type, m.attachment, m.status, m.source_table, m.source_rowid FROM messages m LEFT JOIN conversations c ON c.conversation_id = m.conversation_id WHERE m.item_id = 'ios-plain' AND m.app IN ('sms', 'imessage') ORDER BY m.message_id")" \
	"$want" "iOS backup sms.db rows equal the golden rows"

for t in "messages:app, sender, direction, sent_ms, kind, body, attachment, source_table, source_rowid" \
	"contacts:app, identifier, display_name, phone, source_table, source_rowid" \
	"calls:app, counterpart, direction, started_ms, duration_s, answered, source_table, source_rowid" \
	"payments:app, kind, direction, amount_minor, counterparty_name, occurred_ms, source_table, source_rowid"; do
	tbl=${t%%:*}
	cols=${t#*:}
	d=$(cq "SELECT count(*) FROM (SELECT $cols FROM $tbl WHERE item_id = 'ios-plain' EXCEPT SELECT $cols FROM $tbl WHERE item_id = 'ios-enc')")
	d2=$(cq "SELECT count(*) FROM (SELECT $cols FROM $tbl WHERE item_id = 'ios-enc' EXCEPT SELECT $cols FROM $tbl WHERE item_id = 'ios-plain')")
	is "$d/$d2" "0/0" "encrypted backup gives the same $tbl as the plain one"
done
is "$(cq "SELECT o.evidence_path || ' > ' || d.evidence_path FROM sources d JOIN sources o ON o.source_id = d.derived_from WHERE d.item_id = 'ios-enc' AND d.device_path = 'HomeDomain/Library/SMS/sms.db'")" \
	"evidence/ios-enc/HomeDomain/Library/SMS/sms.db > derived/ios-enc/HomeDomain/Library/SMS/sms.db" \
	"encrypted backup: the decrypted sms.db is parsed, derived from the encrypted evidence"
is "$(cq "SELECT count(*) FROM messages m JOIN sources s ON s.source_id = m.source_id WHERE m.item_id = 'ios-enc' AND m.app = 'sms' AND s.derived_from IS NULL")" 0 \
	"encrypted backup: every SMS row cites the decrypted copy"
is "$(cq "SELECT platform || ',' || make || ',' || model || ',' || udid || ',' || imei FROM items WHERE item_id = 'ios-plain'")" \
	"ios,Apple,iPhone13,2,$UDID,353260111234566" "items row from the manifest (import facts)"
is "$(cq "SELECT platform FROM items WHERE item_id = 'android'")" "android" "Android item platform"
tap_done
