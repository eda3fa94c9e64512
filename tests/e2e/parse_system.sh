#!/bin/sh
# parse_system.sh - the system parsers through the real pipeline: case init
# -> import of directories laid out at device paths (an Android item, an
# iOS item with the belkactf6 AddressBook whose person is only in its WAL,
# an item of damaged databases) -> parse -> case.db compared with golden
# files (tests/golden/parse_system_*.txt, checked by hand against
# fixtures/apps/*/expected.json). Also: two runs give the same .dump, the
# evidence files' hashes do not change, and damage is reported per file
# (exit 5) while the other files are parsed.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_system
tap_plan 50
export SOURCE_DATE_EPOCH=1700000000
FX="$SRCDIR/fixtures/apps"
[ -f "$FX/sms-android/mmssms.sql" ] || bail "fixtures/apps/sms-android/mmssms.sql missing"
command -v sqlite3 >/dev/null || bail "sqlite3 missing (needed to build the fixtures)"
C="$T/case"
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
golden() {
	want=$(cat "$SRCDIR/tests/golden/$1.txt")
	is "$2" "$want" "$1 matches its golden file"
}
mkdb() { mkdir -p "$(dirname "$2")" && sqlite3 "$2" <"$1"; }

# Android item: the fixture databases at their AOSP paths
A="$T/android/data/data"
mkdb "$FX/sms-android/mmssms.sql" "$A/com.android.providers.telephony/databases/mmssms.db"
mkdb "$FX/contacts-android/contacts2.sql" "$A/com.android.providers.contacts/databases/contacts2.db"
mkdb "$FX/calllog-android/calllog.sql" "$A/com.android.providers.contacts/databases/calllog.db"
# iOS item: backup-style domain paths
I="$T/ios/HomeDomain/Library"
mkdb "$FX/sms-ios/sms.sql" "$I/SMS/sms.db"
mkdb "$FX/callhistory-ios/CallHistory.sql" "$I/CallHistoryDB/CallHistory.storedata"
BK="$SHARED/samples/ios-addressbook/belkactf6"
# The goldens hold the belkactf6 contacts: without the sample the run
# cannot match them.
[ -f "$BK/AddressBook.sqlitedb-wal" ] || shared_missing "belkactf6 sample missing: $BK"
mkdir -p "$I/AddressBook"
must cp "$BK/AddressBook.sqlitedb" "$BK/AddressBook.sqlitedb-wal" "$BK/AddressBook.sqlitedb-shm" "$I/AddressBook/"
# damaged item: truncated, random bytes, wrong schema; one good call log
D="$T/bad/data/data"
mkdir -p "$D/com.android.providers.telephony/databases" "$D/com.android.providers.contacts/databases"
head -c 3000 "$A/com.android.providers.telephony/databases/mmssms.db" >"$D/com.android.providers.telephony/databases/mmssms.db"
must python3 -c 'import random,sys; r=random.Random(5); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(8192)))' \
	>"$D/com.android.providers.contacts/databases/contacts2.db"
cp "$A/com.android.providers.contacts/databases/calllog.db" "$D/com.android.providers.contacts/databases/"
W="$T/bad2/data/data/com.android.providers.telephony/databases"
mkdb "$SRCDIR/tests/data/parsers/empty.sql" "$W/mmssms.db"

run "case init" "$CUSTOS" case init "$C" --case-id PARSE-SYS
run "import android" "$CUSTOS" --case "$C" import "$T/android" --format android-dir --item phone-a
run "import ios" "$CUSTOS" --case "$C" import "$T/ios" --format dir --item phone-i
run "import damaged" "$CUSTOS" --case "$C" import "$T/bad" --format android-dir --item phone-x
run "import wrong schema" "$CUSTOS" --case "$C" import "$T/bad2" --format android-dir --item phone-y
(cd "$C" && find evidence -type f | LC_ALL=C sort | xargs sha256sum) >"$T/evidence.before"
[ -s "$T/evidence.before" ] || bail "no evidence files hashed in $C/evidence"

expect_exit 5 "parse: damaged files make the run partial (exit 5)" "$CUSTOS" --case "$C" parse
like "$(cat "$T/last.err")" "mmssms.db" "stderr names a damaged file"
cp "$C/case.db" "$T/case1.db"
is "$(cq "PRAGMA user_version")" 3 "case.db user_version 3"

golden parse_system_conversations "$(cq "SELECT item_id, app, identifier, title, is_group FROM conversations ORDER BY conversation_id")"
golden parse_system_messages "$(cq "SELECT m.item_id, m.app, c.identifier, m.sender, m.direction, m.sent_utc, m.sent_ms, m.kind, m.body, m.raw_type, m.attachment, m.status, m.source_table, m.source_rowid FROM messages m LEFT JOIN conversations c ON c.conversation_id = m.conversation_id ORDER BY m.message_id")"
golden parse_system_contacts "$(cq "SELECT item_id, app, identifier, display_name, alias, remark, phone, email, status, source_table, source_rowid FROM contacts ORDER BY contact_id")"
golden parse_system_calls "$(cq "SELECT item_id, app, counterpart, direction, started_utc, started_ms, duration_s, answered, raw_type, source_table, source_rowid FROM calls ORDER BY call_id")"
golden parse_system_payments "$(cq "SELECT p.item_id, p.app, p.kind, p.direction, p.amount_minor, p.currency, p.counterparty_name, p.occurred_utc, p.balance_minor, p.account, p.bank, p.source_table, p.source_rowid, m.body IS NOT NULL FROM payments p LEFT JOIN messages m ON m.message_id = p.message_id ORDER BY p.payment_id")"
golden parse_system_items "$(cq "SELECT item_id, platform, acquisition_method FROM items ORDER BY item_id")"
# (what the recovery engine found beside the rows is its own test's matter:
# parse_recover.sh; here only that it is said)
golden parse_system_warnings "$(cq "SELECT item_id, severity, parser, device_path, message FROM parse_warnings WHERE message NOT LIKE 'recovery: %' ORDER BY warning_id")"
like "$(cq "SELECT message FROM parse_warnings WHERE item_id = 'phone-i' AND message LIKE 'recovery: %'")" \
	"kept as raw records \\(recovered_records\\): [0-9]+ of tables no parser reads \\(.*ABStore.*\\), [0-9]+ ambiguous" \
	"the AddressBook's recovered records no parser reads are counted and listed"

# provenance: every row names a source with the inventory's hash
is "$(cq "SELECT count(*) FROM messages m LEFT JOIN sources s ON s.source_id = m.source_id WHERE s.sha256 IS NULL OR m.source_rowid IS NULL")" 0 \
	"every message names its source file hash and rowid"
is "$(cq "SELECT count(*) FROM sources WHERE sha256 IS NULL OR md5 IS NULL OR size IS NULL")" 0 \
	"every sources row carries size, sha256 and md5"
inv=$(grep -h '"device_path":"/data/data/com.android.providers.telephony/databases/mmssms.db"' "$C"/inventory/phone-a.jsonl | sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
is "$(cq "SELECT sha256 FROM sources WHERE item_id = 'phone-a' AND device_path LIKE '%mmssms.db'")" "$inv" \
	"the sources row has the inventory's sha256 of mmssms.db"
is "$(cq "SELECT display_name FROM contacts WHERE item_id = 'phone-i'")" "William Phorger" \
	"belkactf6: the person that exists only in the WAL is parsed"
like "$(cq "SELECT derivation FROM sources WHERE derived_from IS NOT NULL AND item_id = 'phone-i'")" \
	"^wal-checkpointed working copy: evidence/.*AddressBook.sqlitedb \+ .*AddressBook.sqlitedb-wal \(sha256 6c6ae01c" \
	"the WAL checkpoint is recorded as a derivation naming both inputs"
is "$(cq "SELECT count(*) FROM calls WHERE item_id = 'phone-x'")" 5 "damaged item: its good call log is parsed"
is "$(cq "SELECT count(*) FROM parse_warnings WHERE severity = 'error'")" 3 "three damaged files recorded as errors"
like "$(cq "SELECT message FROM parse_warnings WHERE item_id = 'phone-y'")" "neither table 'sms' nor 'pdu' present" \
	"wrong schema: the missing table is named"

# custody: one PARSE entry with counts and the case.db hash; ERROR entries
"$CUSTOS" --case "$C" custody show >"$T/custody.txt" 2>&1
tail_parse=$(grep '"event":"PARSE"' "$C/custody/log.jsonl" | tail -1)
like "$tail_parse" '"messages":1[0-9]' "PARSE entry counts messages"
# the last entry naming case.db's hash (PARSE, or an analysis after it) holds this case.db's
is "$(grep -o '"case_db_sha256":"[0-9a-f]*"' "$C/custody/log.jsonl" | tail -1)" \
	"\"case_db_sha256\":\"$(sha256sum "$T/case1.db" | cut -d' ' -f1)\"" "PARSE entry holds case.db's sha256"
like "$tail_parse" '"name":"android-mmssms"' "PARSE entry names the parsers used"
like "$tail_parse" '"method":"wal-checkpointed working copy"' "PARSE entry records the WAL derivation"
is "$(grep -c '"event":"ERROR"' "$C/custody/log.jsonl")" 3 "an ERROR custody entry per damaged file"
run "custody chain still verifies" "$CUSTOS" --case "$C" custody verify

# determinism and read-only evidence
expect_exit 5 "second parse" "$CUSTOS" --case "$C" parse
must sqlite3 "$T/case1.db" .dump >"$T/dump1"
must sqlite3 "$C/case.db" .dump >"$T/dump2"
cmp -s "$T/dump1" "$T/dump2"; ok $? "two runs give an identical case.db .dump"
cmp -s "$T/case1.db" "$C/case.db"; ok $? "two runs give a byte-identical case.db"
(cd "$C" && find evidence -type f | LC_ALL=C sort | xargs sha256sum) >"$T/evidence.after"
cmp -s "$T/evidence.before" "$T/evidence.after"; ok $? "evidence hashes identical before and after parse"
is "$(find "$C/work" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no staged copies left in CASE/work"
if command -v flock >/dev/null; then
	flock "$C/work" "$CUSTOS" --case "$C" parse >"$T/locked.out" 2>"$T/locked.err"
	ok $([ $? -ne 0 ] && echo 0 || echo 1) "a second parse while one holds the case lock is refused"
	like "$(cat "$T/locked.err")" "another .custos parse. or .custos analyze. is running" "the refusal says why"
	cmp -s "$T/case1.db" "$C/case.db"; ok $? "the refused run left case.db alone"
else
	skip "flock(1) missing"
	skip "flock(1) missing"
	skip "flock(1) missing"
fi

# --item: that item re-parsed, the others' rows carried over unchanged
per_item="SELECT item_id, count(*) FROM messages GROUP BY item_id ORDER BY item_id"
before=$(cq "$per_item")
before_i=$(cq "SELECT * FROM messages WHERE item_id = 'phone-i' ORDER BY message_id")
[ -n "$before" ] && [ -n "$before_i" ] || bail "case.db has no messages to compare"
expect_exit 0 "parse --item phone-a --json" "$CUSTOS" --case "$C" parse --item phone-a --json
like "$(cat "$T/last.out")" '^\{"status":"ok","files":3,"parsed":3,' "JSON summary"
is "$(cq "$per_item")" "$before" "--item: every item's messages still present"
is "$(cq "SELECT * FROM messages WHERE item_id = 'phone-i' ORDER BY message_id")" "$before_i" \
	"--item: other items' rows carried over unchanged (same ids)"
is "$(cq "SELECT count(*) FROM parse_warnings WHERE severity = 'error'")" 3 \
	"--item: other items' recorded failures kept"
expect_exit 2 "unknown item is a usage error" "$CUSTOS" --case "$C" parse --item nope

# a derived (e.g. decrypted) record for a device path is parsed instead of
# the evidence file, with both in sources (derived_from)
mkdir -p "$T/iosd/HomeDomain/Library/SMS"
cp "$I/SMS/sms.db" "$T/iosd/HomeDomain/Library/SMS/sms.db"
run "import item for the derived test" "$CUSTOS" --case "$C" import "$T/iosd" --format dir --item phone-d
mkdir -p "$C/derived/phone-d"
cp "$I/SMS/sms.db" "$C/derived/phone-d/sms.db"
must sqlite3 "$C/derived/phone-d/sms.db" "INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me) VALUES (9, 'G9', 'only in the derived copy', 1, 'SMS', 732715300000000000, 0); INSERT INTO chat_message_join VALUES (1, 9, 0);"
must python3 - "$C" <<'PY'
import hashlib, json, sys
c = sys.argv[1]
ev = [json.loads(l) for l in open(c + "/inventory/phone-d.jsonl") if l.strip()]
e = [r for r in ev if r["device_path"].endswith("Library/SMS/sms.db")][0]
data = open(c + "/derived/phone-d/sms.db", "rb").read()
rec = {"kind": "derived", "item": "phone-d", "device_path": e["device_path"],
       "evidence_path": "derived/phone-d/sms.db", "type": "file", "size": len(data),
       "sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest(),
       "sm3": None, "mtime": None, "mode": None, "link_target": None, "origin": None,
       "derived_from": [e["evidence_path"]], "derivation": "test: decrypted copy", "meta": None}
open(c + "/inventory/phone-d.jsonl", "a").write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
expect_exit 0 "parse --item phone-d" "$CUSTOS" --case "$C" parse --item phone-d
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'phone-d'")" 9 "the derived copy was parsed (8 + 1 messages)"
is "$(cq "SELECT body FROM messages WHERE item_id = 'phone-d' AND source_rowid = 9")" "only in the derived copy" \
	"the row only the derived copy has"
is "$(cq "SELECT o.evidence_path || '>' || d.evidence_path || '|' || d.derivation FROM sources d JOIN sources o ON o.source_id = d.derived_from WHERE d.item_id = 'phone-d'")" \
	"evidence/phone-d/HomeDomain/Library/SMS/sms.db>derived/phone-d/sms.db|test: decrypted copy" \
	"sources: the evidence original and the derived copy, linked"
is "$(cq "SELECT count(*) FROM messages m JOIN sources s ON s.source_id = m.source_id WHERE m.item_id = 'phone-d' AND s.evidence_path = 'derived/phone-d/sms.db'")" 9 \
	"messages point at the derived source"
tap_done
