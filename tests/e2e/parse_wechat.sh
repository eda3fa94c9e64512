#!/bin/sh
# parse_wechat.sh - WeChat Android/iOS and Alipay through the real pipeline:
# case init -> import of directories laid out at device paths -> parse ->
# sqlite3 queries on case.db.
#  A: EnMicroMsg.db encrypted by Debian's sqlcipher CLI (an independent
#     SQLCipher implementation) with md5("1234567890ABCDEF" + uin)[:7], the
#     uin only in shared_prefs: decrypted, DERIVE custody entry, derived
#     source row, rows equal to the plain-file golden, evidence unchanged,
#     a second parse (which reads the derived file) gives the same rows.
#  B: a key that cannot be derived: warning naming the file, exit 5, the
#     item's other file (Alipay messagebox.db) still parsed.
#  C: WeChat iOS with WCDB_Contact.sqlite, session.db and the owner's
#     MMappedKV file (fixtures/apps/wechat-ios): a recall notice resolved
#     across databases (its expected rows: tests/e2e/fixtures_expected.sh).
#  D: fixtures/make-samples.sh's Android tar (its own Python SQLCipher-1
#     encryptor, IMEI only in CompatibleInfo.cfg): fixture expected rows.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_wechat
tap_plan 66
export SOURCE_DATE_EPOCH=1700000000 PYTHONDONTWRITEBYTECODE=1
D=$SRCDIR/tests/data/wechat
if ! command -v sqlcipher >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "sqlcipher/sqlite3 CLI missing"
	tap_done
fi

UD=2c644d942ab78a4d933ed0d19f881307 # md5("mm123456789")
# SQLCipher 3.x takes the individual settings, 4.x and later
# cipher_compatibility=1 (APPS.md 1.2)
case $(echo 'PRAGMA cipher_version;' | sqlcipher :memory: 2>/dev/null) in
[123].*) CIPHER_SETTINGS="PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;" ;;
*) CIPHER_SETTINGS="PRAGMA cipher_compatibility=1;" ;;
esac
enc() { # enc SQL KEY OUT
	mkdir -p "$(dirname "$3")"
	printf "PRAGMA key='%s'; %s\n.read %s\n" "$2" "$CIPHER_SETTINGS" "$1" | sqlcipher "$3" >/dev/null
}
prefs() { # prefs FILE NAME VALUE (int entry)
	mkdir -p "$(dirname "$1")"
	printf "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <int name=\"%s\" value=\"%s\" />\n</map>\n" "$2" "$3" >"$1"
}
cq() { sqlite3 -batch "file:$1/case.db?mode=ro" "$2"; }
gq() { sqlite3 -batch "file:$1/case.db?mode=ro" <"$D/golden.sql"; }
evidence_sums() { (cd "$1/evidence" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }

# ---- A: encrypted EnMicroMsg.db, key from the uin + WeChat's IMEI fallback
A=$T/a
key=$(printf '1234567890ABCDEF123456789' | md5sum | cut -c1-7)
is "$key" 3a57b96 "md5sum agrees with APPS.md: key 3a57b96"
enc "$D/EnMicroMsg.sql" "$key" "$T/a-img/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db"
ok $? "sqlcipher CLI encrypts EnMicroMsg.sql"
prefs "$T/a-img/data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml" default_uin 123456789
run "A: case init" "$CUSTOS" case init "$A" --case-id WX-A
run "A: import" "$CUSTOS" --case "$A" import "$T/a-img" --format dir --item wx-a
before=$(evidence_sums "$A")
[ -n "$before" ] || bail "no evidence files hashed in $A/evidence"
run "A: parse" "$CUSTOS" --case "$A" parse
is "$(gq "$A")" "$(cat "$SRCDIR/tests/golden/wechat_android.txt")" \
	"A: rows from the decrypted db equal the plain-file golden"
is "$(evidence_sums "$A")" "$before" "A: evidence files unchanged by parse"
like "$(grep '"DERIVE"' "$A/custody/log.jsonl")" 'wechat-sqlcipher1 key=md5\(imei\+uin\)\[:7\].*uin_source=system_config_prefs.xml' \
	"A: DERIVE custody entry names the method and the uin source"
like "$(grep '"DERIVE"' "$A/custody/log.jsonl")" 'imei_source=fallback-1234567890ABCDEF' \
	"A: DERIVE entry names the IMEI source"
is "$(grep -c '3a57b96' "$A/custody/log.jsonl")" 0 "A: the key itself is not written to custody"
n=$(cq "$A" "SELECT count(*) FROM sources d JOIN sources e ON e.source_id = d.derived_from
	WHERE d.evidence_path LIKE 'derived/%EnMicroMsg.db%' AND e.evidence_path LIKE 'evidence/%EnMicroMsg.db'
	AND d.derivation LIKE 'wechat-sqlcipher1%'")
ok $([ "$n" -ge 1 ] && echo 0 || echo 1) "A: sources row of the decrypted db has derived_from = the evidence db ($n)"
is "$(cq "$A" "SELECT count(*) FROM messages m JOIN sources s ON s.source_id = m.source_id
	WHERE m.app = 'wechat' AND s.derived_from IS NULL")" 0 "A: every message cites the derived source"
dec=$(find "$A/derived" -name 'EnMicroMsg.db*' -type f | head -1)
is "$(sqlite3 "file:$dec?mode=ro" 'PRAGMA integrity_check')" ok "A: decrypted db passes sqlite3 integrity_check"
is "$(sqlite3 "file:$dec?mode=ro" .dump | sha256sum)" "$(sqlite3 "$T/plain.db" <"$D/EnMicroMsg.sql" >/dev/null; sqlite3 "$T/plain.db" .dump | sha256sum)" \
	"A: decrypted db .dump equals sqlite3's plain build"
same "$(stat -c %s "$dec")" "$(stat -c %s "$T/a-img/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db")" \
	"A: decrypted db has the encrypted size (pages line up)"
grep -q '"derived"' "$A/inventory/wx-a.jsonl"; ok $? "A: inventory has the derived record"
run "A: parse again" "$CUSTOS" --case "$A" parse
is "$(gq "$A")" "$(cat "$SRCDIR/tests/golden/wechat_android.txt")" \
	"A: second parse (from the derived record) gives the same rows"
is "$(evidence_sums "$A")" "$before" "A: evidence still unchanged"

# ---- W: a WAL-mode database copied with frames still in its encrypted WAL
W=$T/w
WD=$T/w-img/data/data/com.tencent.mm/MicroMsg/$UD
mkdir -p "$WD" && (cd "$WD" && printf "PRAGMA key='3a57b96'; %s\nPRAGMA journal_mode=WAL;\nPRAGMA wal_autocheckpoint=0;\n.read %s\nPRAGMA wal_checkpoint(TRUNCATE);\nINSERT INTO message (msgId, msgSvrId, type, status, isSend, createTime, talker, content) VALUES (40, 9040, 1, 3, 0, 1600000600000, 'wxid_a1', '只在 WAL 里 🙂');\nUPDATE message SET content = '改过的' WHERE msgId = 1;\n.shell cp live.db EnMicroMsg.db; cp live.db-wal EnMicroMsg.db-wal\n" \
	"$CIPHER_SETTINGS" "$D/EnMicroMsg.sql" | sqlcipher live.db >/dev/null 2>&1; rm -f live.db live.db-wal live.db-shm)
prefs "$T/w-img/data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml" default_uin 123456789
ok $([ -s "$WD/EnMicroMsg.db-wal" ] && echo 0 || echo 1) "W: encrypted db with a live WAL made by sqlcipher"
run "W: case init" "$CUSTOS" case init "$W" --case-id WX-W
run "W: import" "$CUSTOS" --case "$W" import "$T/w-img" --format dir --item wx-w
run "W: parse" "$CUSTOS" --case "$W" parse
is "$(cq "$W" "SELECT body FROM messages WHERE app = 'wechat' AND source_rowid IN (1, 40) ORDER BY source_rowid")" \
	"改过的
只在 WAL 里 🙂" "W: a row and an update that exist only in the WAL are parsed"
like "$(grep '"DERIVE"' "$W/custody/log.jsonl")" 'wal=applied\(frames [1-9][0-9]* of [1-9][0-9]*, commits [1-9][0-9]*, sha256 [0-9a-f]{64}\)' \
	"W: DERIVE entry records the WAL, its hash and the frames applied"
is "$(cq "$W" "SELECT count(*) FROM sources WHERE device_path LIKE '%/EnMicroMsg.db-wal' AND evidence_path LIKE 'evidence/%'")" 1 \
	"W: the WAL is a recorded source"
w1=$(gq "$W")
run "W: parse again" "$CUSTOS" --case "$W" parse
is "$(gq "$W")" "$w1" "W: a second parse (derived db, applied-WAL record) gives the same rows"
is "$(sqlite3 "file:$(find "$W/derived" -name 'EnMicroMsg.db.decrypted.db' | head -1)?mode=ro" 'PRAGMA integrity_check')" ok \
	"W: derived db intact after the second parse"

# ---- M: the IMEI only in the seizure manifest (identifiers.imei), a wrong
# uin in another prefs file; APPS.md's second vector (key 4c27f5d)
M=$T/m
UD2=6a0cede2f324900c8a073a8d80553e44 # md5("mm2007803184")
must enc "$D/EnMicroMsg.sql" 4c27f5d "$T/m-img/data/user/0/com.tencent.mm/MicroMsg/$UD2/EnMicroMsg.db"
prefs "$T/m-img/data/user/0/com.tencent.mm/shared_prefs/auth_info_key_prefs.xml" _auth_uin 555
mkdir -p "$T/m-img/data/user/0/com.tencent.mm/shared_prefs"
printf "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n<string name=\"last_login_uin\">2007803184</string>\n</map>\n" \
	>"$T/m-img/data/user/0/com.tencent.mm/shared_prefs/com.tencent.mm_preferences.xml"
must python3 - "$SRCDIR/fixtures/manifest/sample-seizure.json" "$T/m-manifest.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
it = d["seizure"]["items"][0]
it["item_id"] = "wx-m"
d["case"]["case_number"] = "WX-M"
it["os"] = "Android"
it["features"]["make"] = "Xiaomi"
it["identifiers"]["imei"] = ["350000000000006", "866174957262534"]
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
run "M: case init with a manifest" "$CUSTOS" case init "$M" --case-id WX-M --manifest "$T/m-manifest.json"
run "M: import" "$CUSTOS" --case "$M" import "$T/m-img" --format dir --item wx-m
run "M: parse" "$CUSTOS" --case "$M" parse
like "$(grep '"DERIVE"' "$M/custody/log.jsonl")" 'imei_source=manifest uin_source=com.tencent.mm_preferences.xml uin_matches_userdir=yes' \
	"M: IMEI from the manifest, uin from last_login_uin (the wrong _auth_uin skipped)"
is "$(gq "$M")" "$(cat "$SRCDIR/tests/golden/wechat_android.txt")" "M: rows equal the golden (/data/user/0 path)"

# ---- B: key not derivable + another file of the item
B=$T/b
badkey=$(printf '000000000000000123456789' | md5sum | cut -c1-7)
must enc "$D/EnMicroMsg.sql" "$badkey" "$T/b-img/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db"
prefs "$T/b-img/data/data/com.tencent.mm/shared_prefs/auth_info_key_prefs.xml" _auth_uin 123456789
mkdir -p "$T/b-img/data/data/com.eg.android.AlipayGphone/databases"
must sqlite3 "$T/b-img/data/data/com.eg.android.AlipayGphone/databases/messagebox.db" <"$D/alipay_messagebox.sql"
# a second account whose database was cut short during acquisition
mkdir -p "$T/b-img/data/data/com.tencent.mm/MicroMsg/0123456789abcdef0123456789abcdef"
head -c 1500 "$T/b-img/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db" \
	>"$T/b-img/data/data/com.tencent.mm/MicroMsg/0123456789abcdef0123456789abcdef/EnMicroMsg.db"
run "B: case init" "$CUSTOS" case init "$B" --case-id WX-B
run "B: import" "$CUSTOS" --case "$B" import "$T/b-img" --format dir --item wx-b
expect_exit 5 "B: parse exits 5 (partial)" "$CUSTOS" --case "$B" parse
like "$(cat "$T/last.err") $(cq "$B" "SELECT group_concat(message, ' ') FROM parse_warnings")" \
	"EnMicroMsg\.db.*none of [0-9]+ candidate keys works \(1 uin candidates, 1 naming this directory; 1 IMEI" \
	"B: the failure names the file and the candidates tried"
like "$(cat "$T/last.err") $(cq "$B" "SELECT group_concat(message, ' ') FROM parse_warnings")" \
	"0123456789abcdef0123456789abcdef/EnMicroMsg\.db.*1500 bytes, not a multiple of the 1024-byte" \
	"B: a truncated encrypted db is named with the reason"
is "$(cq "$B" "SELECT count(*) FROM messages WHERE app = 'wechat'")" 0 "B: no WeChat rows invented"
is "$(cq "$B" "SELECT count(*) || '/' || sum(kind = 'bill') FROM payments WHERE app = 'alipay'")" 3/2 \
	"B: the Alipay db of the same item is parsed"
is "$(cq "$B" "SELECT amount_minor || ' ' || direction || ' ' || counterparty_name FROM payments
	WHERE app = 'alipay' ORDER BY source_rowid LIMIT 1")" "2000 outgoing 城东烟酒店" "B: Alipay amount in fen"
grep -q '"DERIVE"' "$B/custody/log.jsonl"; nok $? "B: nothing derived without a key"

# ---- C: WeChat iOS (fixtures/apps/wechat-ios; its expected rows are checked
# by tests/e2e/fixtures_expected.sh): the recall notice in one database
# carries the recalled text kept in another (MM.sqlite RevokeMsgTable)
C=$T/c
must python3 "$SRCDIR/tests/harness/expected.py" build "$SRCDIR/fixtures/apps/wechat-ios" "$T/c-img"
run "C: case init" "$CUSTOS" case init "$C" --case-id WX-C
run "C: import" "$CUSTOS" --case "$C" import "$T/c-img" --format dir --item wx-ios
run "C: parse" "$CUSTOS" --case "$C" parse
like "$(cq "$C" "SELECT body FROM messages WHERE kind = 'recalled' AND source_table LIKE 'Chat_%'")" \
	"福田区福华路88号3楼" "C: recall notice carries the RevokeMsgTable text (MM.sqlite, other db than the notice)"

# ---- J: our own iOS databases at their container paths: Chat_ tables of
# message_1.sqlite resolved through WCDB_Contact.sqlite and session.db
J=$T/j
JD=$T/j-img/AppDomain-com.tencent.xin/Documents/855341c3143749a0f730ce49ccb616ae
mkdir -p "$JD/DB" "$JD/session"
must sqlite3 "$JD/DB/MM.sqlite" <"$D/ios_MM.sql"
must sqlite3 "$JD/DB/message_1.sqlite" <"$D/ios_message_1.sql"
must sqlite3 "$JD/DB/WCDB_Contact.sqlite" <"$D/ios_WCDB_Contact.sql"
must sqlite3 "$JD/session/session.db" <"$D/ios_session.sql"
run "J: case init" "$CUSTOS" case init "$J" --case-id WX-J
run "J: import" "$CUSTOS" --case "$J" import "$T/j-img" --format dir --item wx-j
must "$CUSTOS" --case "$J" parse >"$T/j.out"
is "$(cq "$J" "SELECT c.identifier || '|' || m.sender || '|' || m.body FROM messages m JOIN conversations c USING (conversation_id)
	JOIN sources s ON s.source_id = m.source_id WHERE s.device_path LIKE '%message_1.sqlite' ORDER BY m.source_rowid")" \
	"wxid_ios_carol|wxid_ios_carol|在 message_1 里
wxid_ios_carol|wxid_ios_me|ok" "J: message_1 table resolved via WCDB_Contact, owner via MM.sqlite"
is "$(cq "$J" "SELECT count(*) FROM conversations WHERE identifier = 'wxid_unknown_person'")" 1 \
	"J: a table named only in session.db resolved"
is "$(cq "$J" "SELECT group_concat(identifier || '=' || ifnull(display_name, '~') || '/' || source_table, ' ') FROM
	(SELECT * FROM contacts WHERE identifier IN ('wxid_ios_carol', 'wxid_ios_dave') ORDER BY identifier)")" \
	"wxid_ios_carol=卡罗老师/Friend wxid_ios_dave=Dave/Friend" \
	"J: WCDB_Contact contacts (remark first), each once"
like "$(cq "$J" "SELECT s.device_path FROM contacts c JOIN sources s USING (source_id) WHERE c.identifier = 'wxid_ios_dave'")" \
	'^/?AppDomain-com\.tencent\.xin/Documents/855341c3143749a0f730ce49ccb616ae/DB/WCDB_Contact\.sqlite$' \
	"J: contacts cite WCDB_Contact.sqlite"

# ---- D: the fixtures' Android tar (independent SQLCipher-1 encryptor)
X=$SRCDIR/fixtures/apps/wechat-android/expected.json
must python3 "$SRCDIR/fixtures/android/make-android-tar.py" "$T/android.tar" >/dev/null
E=$T/d
run "D: case init" "$CUSTOS" case init "$E" --case-id WX-D
run "D: import android tar" "$CUSTOS" --case "$E" import "$T/android.tar" --format android-tar --item phone
must "$CUSTOS" --case "$E" parse >"$T/d.out"
is "$(cq "$E" "SELECT count(*) FROM messages WHERE app = 'wechat'")" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$X")" \
	"D: every fixture WeChat message parsed from the encrypted db"
like "$(grep '"DERIVE"' "$E/custody/log.jsonl")" 'imei_source=CompatibleInfo.cfg uin_source=system_config_prefs.xml uin_matches_userdir=yes' \
	"D: key found from CompatibleInfo.cfg (java serialization) and the prefs"
is "$(cq "$E" "SELECT group_concat(transaction_id || ':' || kind || ':' || direction || ':' || ifnull(amount_minor, 'NULL') || ':' || ifnull(status, 'NULL'), ' ')
	FROM (SELECT * FROM payments WHERE app = 'wechat-pay' ORDER BY transaction_id)")" \
	"1000039401202403152105000000001:red_packet:incoming:888:NULL 1000050001202403151200012345678:transfer:outgoing:120000:accepted 1000050001202403161003098765432:transfer:incoming:60000:accepted 4200002024031618300012345678:bill:outgoing:26000:NULL" \
	"D: fixture payments (transfers deduplicated, red packet amount, receipt)"
is "$(cq "$E" "SELECT body FROM messages WHERE app = 'wechat' AND source_rowid = 14")" "今晚有糖果吗？要5颗🍬" \
	"D: group prefix stripped, Chinese and emoji byte-exact"
is "$(cq "$E" "SELECT group_concat(kind || ':' || direction || ':' || amount_minor || ':' || counterparty_name || ':' || status, ' ')
	FROM (SELECT * FROM payments WHERE app = 'alipay' ORDER BY source_rowid)")" \
	"bill:outgoing:35000:深圳市某某五金店:付款成功 bill:incoming:120000:小美(*美):收款到账" \
	"D: Alipay messagebox.db payments (fixtures/apps/alipay-android expected rows)"
# ---- E: the fixtures' encrypted iOS backup (files decrypted by the
# importer, parsed from the derived records at their domain paths)
XI=$SRCDIR/fixtures/apps/wechat-ios/expected.json
must sh "$SRCDIR/fixtures/make-samples.sh" "$T/samples" >/dev/null
I=$T/e
run "E: case init" "$CUSTOS" case init "$I" --case-id WX-E
run "E: import encrypted iOS backup" "$CUSTOS" --case "$I" import \
	"$T/samples/ios-backup-encrypted/00008101-001C2D3E4F50A01E" \
	--password-file "$T/samples/ios-backup-encrypted.password" --item iphone
must "$CUSTOS" --case "$I" parse >"$T/e.out"
n=$(cq "$I" "SELECT count(*) FROM messages WHERE app = 'wechat'")
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$XI")
ok $([ "$n" -ge "$want" ] && echo 0 || echo 1) "E: WeChat messages from the backup ($n, expected rows $want)"
is "$(cq "$I" "SELECT identifier FROM accounts WHERE app = 'wechat'")" wxid_ios_owner01 \
	"E: owner from the MMappedKV file name"
is "$(cq "$I" "SELECT kind || ':' || direction || ':' || amount_minor || ':' || status FROM payments
	WHERE transaction_id = '1000050001202403221803011112222'")" "transfer:outgoing:180000:accepted" \
	"E: transfer deduplicated with its final status"
is "$(cq "$I" "SELECT count(*) FROM messages m JOIN sources s USING (source_id) WHERE m.app = 'wechat'
	AND s.device_path NOT LIKE 'AppDomain-com.tencent.xin/Documents/%'")" 0 \
	"E: every WeChat row cites its backup domain path"
tap_done
