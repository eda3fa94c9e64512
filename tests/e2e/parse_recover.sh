#!/bin/sh
# parse_recover.sh - deleted rows inside `custos parse`. An Android item
# built from the app fixtures:
#  - mmssms.db (rollback journal, secure_delete off): two extra SMS added
#    and deleted, and one fixture SMS deleted: their cells survive as
#    freeblocks;
#  - contacts2.db: a raw contact deleted (its data rows stay);
#  - calllog.db in WAL mode, copied with its -wal while the writer is still
#    open (not checkpointed): one call deleted and one call's duration
#    changed in the WAL: the database file still holds the old page;
#  - a WeChat EnMicroMsg.db encrypted with SQLCipher 1 settings, a message
#    and a transfer record (RemittanceRecord) deleted: recovered from the
#    decrypted copy, which provenance names.
# import + parse; case.db must hold the deleted rows once each, through the
# same row code as live rows (sender, direction, time, body decoded as for
# a live SMS), recovered = 1 with page, offset, source kind and status, and
# a source row naming the file the offset is in (hash from the inventory);
# the live rows stay as they were (not duplicated). A second parse gives the
# same case.db; the custody entry and the CLI count what was stored; the
# report marks the rows and escapes their (hostile) text.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_recover
tap_plan 53
export SOURCE_DATE_EPOCH=1700000000
FX="$SRCDIR/fixtures/apps"
[ -f "$FX/sms-android/mmssms.sql" ] || bail "fixtures/apps/sms-android/mmssms.sql missing"
command -v sqlite3 >/dev/null || bail "sqlite3 missing (needed to build the fixtures)"
C="$T/case"
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
SMS=data/data/com.android.providers.telephony/databases/mmssms.db
CALLS=data/data/com.android.providers.contacts/databases/calllog.db
A="$T/android"
mkdir -p "$A/$(dirname $SMS)" "$A/$(dirname $CALLS)"

# SMS: deleted rows in freeblocks
must sqlite3 "$A/$SMS" <"$FX/sms-android/mmssms.sql"
must sqlite3 "$A/$SMS" "PRAGMA secure_delete = OFF;
  INSERT INTO sms(_id, thread_id, address, date, date_sent, read, type, body) VALUES
  (20, 5, '+8613900000001', 1710800000000, 1710799999000, 1, 1, 'RECOVER-ME-1 明早六点码头交货 <script>alert(1)</script>'),
  (21, 5, '+8613900000001', 1710800060000, 0, 1, 2, 'RECOVER-ME-2 收到，带齐 & 准时');
  DELETE FROM sms WHERE _id IN (6, 20, 21);
  CREATE TABLE memo_x (id INTEGER PRIMARY KEY, note TEXT, at INTEGER, tag BLOB);
  INSERT INTO memo_x VALUES (1, 'UNMAPPED-DELETED 交货地点改到二号码头', 1700000000, x'00ff10'),
    (2, 'UNMAPPED-LIVE still here', 1700000001, NULL);
  DELETE FROM memo_x WHERE id = 1;"
is "$(sqlite3 "$A/$SMS" "SELECT count(*) FROM sms; PRAGMA journal_mode" | tr '\n' ' ')" "6 delete " \
	"the SMS fixture: 6 live rows, no journal left"
# the deleted bodies are still in the file's bytes (ground truth)
ok "$(grep -c 'RECOVER-ME-1' "$A/$SMS" >/dev/null; echo $?)" "the deleted SMS bytes survive in mmssms.db"

# contacts: a raw contact deleted (its data rows stay)
CT=data/data/com.android.providers.contacts/databases/contacts2.db
must sqlite3 "$A/$CT" <"$FX/contacts-android/contacts2.sql"
must sqlite3 "$A/$CT" "PRAGMA secure_delete = OFF; DELETE FROM raw_contacts WHERE _id = 3;"

# call log: WAL with a deletion and an update, writer still open
must sqlite3 "$A/$CALLS" <"$FX/calllog-android/calllog.sql"
must python3 - "$A/$CALLS" <<'PY'
import shutil, sqlite3, sys, os
p = sys.argv[1]
con = sqlite3.connect(p)
con.execute('PRAGMA journal_mode = WAL')
con.execute('PRAGMA wal_autocheckpoint = 0')
con.execute('PRAGMA secure_delete = OFF')
con.execute('DELETE FROM calls WHERE _id = 2')
con.execute('UPDATE calls SET duration = 99 WHERE _id = 4')
con.commit()
# copy while open: the -wal is not checkpointed into the file
for suf in ('', '-wal'):
    shutil.copyfile(p + suf, p + '.copy' + suf)
con.close()
for suf in ('', '-wal', '-shm'):
    if os.path.exists(p + suf):
        os.remove(p + suf)
for suf in ('', '-wal'):
    os.rename(p + '.copy' + suf, p + suf)
PY
[ -s "$A/$CALLS-wal" ] || bail "calllog.db-wal missing"
is "$(sqlite3 "file:$A/$CALLS?immutable=1" "SELECT count(*), sum(duration) FROM calls")" "5|284" \
	"calllog.db without its WAL still holds the deleted call and the old duration"

# WeChat: an encrypted EnMicroMsg.db (Debian's sqlcipher CLI, SQLCipher 1
# settings) with a message deleted; recovered from the decrypted copy
command -v sqlcipher >/dev/null || bail "sqlcipher CLI missing (needed to build the WeChat fixture)"
WD="$SRCDIR/tests/data/wechat"
UD=2c644d942ab78a4d933ed0d19f881307 # md5("mm123456789")
case $(echo 'PRAGMA cipher_version;' | sqlcipher :memory: 2>/dev/null) in
[123].*) CIPHER_SETTINGS="PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;" ;;
*) CIPHER_SETTINGS="PRAGMA cipher_compatibility=1;" ;;
esac
W="$T/wx"
mkdir -p "$W/data/data/com.tencent.mm/MicroMsg/$UD" "$W/data/data/com.tencent.mm/shared_prefs"
{ cat "$WD/EnMicroMsg.sql"; echo "PRAGMA secure_delete = OFF;
INSERT INTO message (msgId, msgSvrId, type, status, isSend, createTime, talker, content) VALUES
 (90, 9090, 1, 3, 0, 1600000090000, 'wxid_a1', 'WX-DELETED 删掉的微信消息');
DELETE FROM message WHERE msgId = 90;
INSERT INTO RemittanceRecord VALUES ('T-DELETED-77', 0, 2000, 1, 'wxid_b2', 1600286404, 'wxid_b2', 1, 1600200077);
DELETE FROM RemittanceRecord WHERE transferId = 'T-DELETED-77';"; } >"$T/wx.sql"
printf "PRAGMA key='%s'; %s\n.read %s\n" 3a57b96 "$CIPHER_SETTINGS" "$T/wx.sql" |
	sqlcipher "$W/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db" >/dev/null
printf "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <int name=\"default_uin\" value=\"123456789\" />\n</map>\n" \
	>"$W/data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml"
grep -q 'WX-DELETED' "$W/data/data/com.tencent.mm/MicroMsg/$UD/EnMicroMsg.db"
nok $? "the WeChat database is encrypted (the deleted text is not readable in it)"

run "case init" "$CUSTOS" case init "$C" --case-id PARSE-REC
run "import" "$CUSTOS" --case "$C" import "$A" --format android-dir --item phone-r
must "$CUSTOS" --case "$C" import "$W" --format dir --item wx-r >/dev/null
run "parse" "$CUSTOS" --case "$C" parse
parse_out=$(cat "$T/last.out")
cp "$C/case.db" "$T/case1.db"

# --- SMS ---
rs() { cq "SELECT $1 FROM messages WHERE source_table = 'sms' AND recovered = 1 AND body LIKE '$2%'"; }
is "$(cq "SELECT count(*) FROM messages WHERE source_table = 'sms' AND recovered = 1")" 3 \
	"three recovered SMS (the three deleted ones, nothing invented)"
is "$(rs "sender || '|' || direction || '|' || sent_ms || '|' || sent_utc || '|' || kind || '|' || raw_type" 'RECOVER-ME-1')" \
	"+8613900000001|incoming|1710800000000|2024-03-18T22:13:20.000Z|text|1" \
	"deleted incoming SMS: sender, direction, time and type decoded as for a live row"
is "$(rs body 'RECOVER-ME-1')" 'RECOVER-ME-1 明早六点码头交货 <script>alert(1)</script>' "deleted incoming SMS: the body as it was"
is "$(rs "coalesce(sender, 'NULL') || '|' || direction || '|' || sent_ms || '|' || body" 'RECOVER-ME-2')" \
	"NULL|outgoing|1710800060000|RECOVER-ME-2 收到，带齐 & 准时" "deleted outgoing SMS: direction, time and body"
is "$(rs "sender || '|' || sent_ms" '货到了')" "+8613912345678|1710673200000" "the deleted fixture SMS: sender and time"
is "$(cq "SELECT c.identifier FROM messages m JOIN conversations c ON c.conversation_id = m.conversation_id WHERE m.recovered = 1 AND m.body LIKE 'RECOVER-ME-1%'")" \
	"$(cq "SELECT c.identifier FROM messages m JOIN conversations c ON c.conversation_id = m.conversation_id WHERE m.recovered = 0 AND m.body LIKE '好，晚上八点%'")" \
	"a recovered SMS joins the conversation of its thread like a live one"
is "$(cq "SELECT count(*) FROM messages WHERE source_table = 'sms' AND recovered = 1 AND (source_page IS NULL OR source_page < 1 OR source_offset IS NULL OR source_offset < 100 OR recovered_from NOT IN ('freeblock', 'unallocated', 'freelist') OR recovered_status IS NOT 'deleted')")" 0 \
	"every recovered SMS has page, offset, source kind and status 'deleted'"
sms_sha=$(sha256sum "$A/$SMS" | cut -d' ' -f1)
is "$(cq "SELECT DISTINCT s.sha256 || '|' || s.device_path FROM messages m JOIN sources s ON s.source_id = m.source_id WHERE m.recovered = 1 AND m.source_table = 'sms'")" \
	"$sms_sha|/$SMS" "recovered SMS name mmssms.db and its SHA-256 as their source"
# the offset really is where the record is: its body bytes follow it
off=$(rs source_offset 'RECOVER-ME-2')
ok "$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); o=int(sys.argv[2]); sys.exit(0 if 0 < d.find('RECOVER-ME-2'.encode(), o) - o < 64 else 1)" "$A/$SMS" "${off:-0}"; echo $?)" \
	"the source_offset of a recovered SMS points at its record in the file"
is "$(cq "SELECT count(*) FROM messages WHERE source_table = 'sms' AND recovered = 0")" 6 "the 6 live SMS, once each"
is "$(cq "SELECT count(*) FROM (SELECT body FROM messages WHERE source_table = 'sms' GROUP BY body HAVING count(*) > 1)")" 0 \
	"no SMS stored twice (live and recovered)"
is "$(cq "SELECT count(*) FROM messages WHERE recovered = 0 AND (body LIKE 'RECOVER-ME%' OR body LIKE '货到了%')")" 0 \
	"no deleted SMS stored as live"

# --- a table no parser maps: its deleted record as a raw record ---
is "$(sqlite3 -batch "file:$C/case.db?mode=ro" "SELECT item_id, table_name, candidates IS NULL, source_file, status, partial, wal_frame IS NULL, source_page > 1, json_extract(values_json, '\$[1]'), json_extract(values_json, '\$[2]'), json_extract(values_json, '\$[3].hex'), json_array_length(values_json) FROM recovered_records WHERE values_json LIKE '%UNMAPPED%'")" \
	"phone-r|memo_x|1|db|deleted|0|1|1|UNMAPPED-DELETED 交货地点改到二号码头|1700000000|00ff10|4" \
	"the deleted record of a table no parser maps is in recovered_records (sqlite3 CLI): table, file, status, values (BLOB as hex)"
is "$(sqlite3 -batch "file:$C/case.db?mode=ro" "SELECT s.sha256 || '|' || s.device_path FROM recovered_records r JOIN sources s ON s.source_id = r.source_id WHERE r.values_json LIKE '%UNMAPPED-DELETED%'")" \
	"$(sha256sum "$A/$SMS" | cut -d' ' -f1)|/$SMS" "its source is mmssms.db with the file's SHA-256"
off=$(cq "SELECT source_offset FROM recovered_records WHERE values_json LIKE '%UNMAPPED-DELETED%'")
ok "$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); o=int(sys.argv[2]); sys.exit(0 if 0 < d.find('UNMAPPED-DELETED'.encode(), o) - o < 16 else 1)" "$A/$SMS" "${off:-0}"; echo $?)" \
	"its source_offset points at its record in the file"
is "$(cq "SELECT count(*) FROM recovered_records WHERE values_json LIKE '%UNMAPPED-LIVE%' OR values_json LIKE '%RECOVER-ME%' OR values_json LIKE '%WX-DELETED%' OR table_name IN ('sms', 'calls', 'message')")" 0 \
	"no live row and no record a parser stored is in recovered_records"
like "$(cq "SELECT message FROM parse_warnings WHERE message LIKE 'recovery: %memo_x%'")" \
	"kept as raw records \\(recovered_records\\): 1 of tables no parser reads \\(memo_x \\(1\\)" \
	"the parse warning says the record is kept in recovered_records"

# --- calls (WAL) ---
is "$(cq "SELECT count(*) FROM calls WHERE app = 'calls' AND recovered = 0")" 4 "4 live calls"
is "$(cq "SELECT duration_s FROM calls WHERE app = 'calls' AND recovered = 0 AND started_ms = 1710672000000")" 99 "the live call has the WAL's duration"
is "$(cq "SELECT counterpart || '|' || direction || '|' || answered || '|' || raw_type || '|' || started_ms || '|' || duration_s || '|' || recovered_status FROM calls WHERE recovered = 1 AND counterpart = '17612345678'")" \
	"17612345678|incoming|0|3|1710568500000|0|deleted" "the call deleted in the WAL is recovered, decoded (missed: type 3, not answered), status deleted"
is "$(cq "SELECT duration_s || '|' || recovered_status FROM calls WHERE recovered = 1 AND started_ms = 1710672000000")" \
	"32|superseded" "the old version of the updated call is recovered as superseded"
is "$(cq "SELECT count(*) FROM calls WHERE recovered = 1 AND (source_page IS NULL OR source_offset IS NULL OR recovered_from IS NULL)")" 0 \
	"recovered calls have page, offset and source kind"
db_sha=$(sha256sum "$A/$CALLS" | cut -d' ' -f1)
wal_sha=$(sha256sum "$A/$CALLS-wal" | cut -d' ' -f1)
is "$(cq "SELECT count(*) FROM calls c JOIN sources s ON s.source_id = c.source_id WHERE c.recovered = 1 AND ((s.sha256 = '$db_sha' AND s.device_path = '/$CALLS') OR (s.sha256 = '$wal_sha' AND s.device_path = '/$CALLS-wal'))")" \
	"$(cq "SELECT count(*) FROM calls WHERE recovered = 1")" \
	"recovered calls name calllog.db or its -wal, with the file's SHA-256"
is "$(cq "SELECT count(*) FROM calls WHERE recovered = 1")" 2 "two recovered calls, nothing invented"

# --- contacts ---
is "$(cq "SELECT display_name || '|' || recovered || '|' || recovered_status || '|' || (source_page > 0) FROM contacts WHERE app = 'contacts' AND recovered = 1")" \
	"阿飞 飞行员|1|deleted|1" "the deleted raw contact is recovered with its name"
is "$(cq "SELECT count(*) FROM contacts WHERE app = 'contacts' AND recovered = 0 AND display_name = '阿飞 飞行员'")" 0 \
	"and is not stored as live"

# --- WeChat: from the decrypted copy ---
is "$(cq "SELECT sender || '|' || direction || '|' || sent_ms || '|' || body FROM messages WHERE app = 'wechat' AND recovered = 1")" \
	"wxid_a1|incoming|1600000090000|WX-DELETED 删掉的微信消息" \
	"the deleted WeChat message is recovered from the decrypted database, decoded like a live one"
is "$(cq "SELECT s.derived_from IS NOT NULL AND s.derivation LIKE 'wechat-sqlcipher1%' AND s.evidence_path LIKE 'derived/%' FROM messages m JOIN sources s ON s.source_id = m.source_id WHERE m.app = 'wechat' AND m.recovered = 1")" 1 \
	"its provenance is the decrypted (derived) copy, derived from the evidence file"
is "$(cq "SELECT count(*) FROM messages WHERE app = 'wechat' AND body LIKE 'WX-DELETED%'")" 1 "the deleted WeChat message once"
is "$(cq "SELECT kind || '|' || direction || '|' || counterparty || '|' || occurred_ms || '|' || recovered || '|' || recovered_status FROM payments WHERE transaction_id = 'T-DELETED-77'")" \
	"transfer|outgoing|wxid_b2|1600200077000|1|deleted" \
	"a deleted WeChat transfer record (RemittanceRecord, not a spec'd table) goes through the wallet row code"

# --- counts, custody, idempotence ---
n_rec=$(cq "SELECT (SELECT count(*) FROM messages WHERE recovered) + (SELECT count(*) FROM calls WHERE recovered) + (SELECT count(*) FROM contacts WHERE recovered) + (SELECT count(*) FROM payments WHERE recovered)")
like "$parse_out" "recovered $n_rec deleted rows" "parse says how many recovered rows it stored"
like "$(grep '"PARSE"' "$C/custody/log.jsonl" | tail -1)" "\"recovered\":\\{\"stored\":$n_rec," \
	"the PARSE custody entry counts the stored recovered rows"
run "parse again" "$CUSTOS" --case "$C" parse
# every stored row, recovered or live, without the ids (a WeChat database
# is decrypted by the first parse only: later ones read the derived copy,
# so sources are numbered differently)
rows() { sqlite3 -batch "file:$1?mode=ro" "SELECT item_id, app, sender, direction, sent_ms, body, source_table, source_rowid, source_page, source_offset, recovered, recovered_from, recovered_status, damaged FROM messages ORDER BY 1, 7, 8, 9, 10, 6; SELECT item_id, app, counterpart, started_ms, duration_s, source_table, source_rowid, source_page, source_offset, recovered, recovered_from, recovered_status FROM calls ORDER BY 1, 6, 7, 8, 9; SELECT item_id, table_name, candidates, source_page, source_offset, source_file, wal_frame, status, partial, values_json FROM recovered_records ORDER BY rr_id"; }
rows "$T/case1.db" >"$T/r1"
rows "$C/case.db" >"$T/r2"
cmp -s "$T/r1" "$T/r2"
ok $? "a second parse stores the same rows, recovered ones included"
cp "$C/case.db" "$T/case2.db"
must "$CUSTOS" --case "$C" parse >/dev/null
sqlite3 "$T/case2.db" .dump >"$T/d2"
sqlite3 "$C/case.db" .dump >"$T/d3"
cmp -s "$T/d2" "$T/d3"
ok $? "a third parse gives the same case.db as the second, byte for byte (.dump)"

# --- report ---
run "report" "$CUSTOS" --case "$C" report
R="$C/report"
like "$(cat "$R/index.html")" "已恢复 Recovered \\(deleted\\)</a></th><td class=\"num\">$n_rec<" "the summary counts the recovered rows"
chat=$(cat "$R"/chats/sms/*.html)
like "$chat" "已恢复（已删除）/ recovered \\(deleted\\)" "the chat page marks recovered messages"
like "$chat" "RECOVER-ME-1 明早六点码头交货 &lt;script&gt;alert\\(1\\)&lt;/script&gt;" "the recovered body is shown, escaped"
# Pages, scripts and drawings must hold the text escaped; the exports
# (report/exports/*.csv|json|xlsx) are data files and carry it as found.
nok "$(grep -rlq --include='*.html' --include='*.js' --include='*.svg' '<script>alert(1)' "$R"; echo $?)" \
	"no unescaped text of a recovered row in any page, script or drawing of the report"
ok "$(grep -q 'RECOVER-ME-1 明早六点码头交货 <script>alert(1)' "$R"/exports/messages.csv; echo $?)" \
	"the messages export carries the recovered body as found"
like "$chat" "(freeblock|unallocated|freelist) deleted.*/$SMS · sha256 $sms_sha" \
	"the chat page gives the recovered row's source kind, status, file and hash"
calls=$(cat "$R"/calls-*.html)
like "$calls" "已恢复（已删除）/ recovered \\(deleted\\).*17612345678|17612345678.*已恢复（已删除）/ recovered \\(deleted\\)" "the calls page marks the recovered call"
like "$calls" "已恢复（旧版本）/ recovered \\(superseded" "the calls page marks the superseded version"
like "$(cat "$R"/contacts-*.html)" "阿飞 飞行员.*已恢复（已删除）/ recovered \\(deleted\\)" "the contacts page marks the recovered contact"
like "$(cat "$R"/timeline-*.html)" "RECOVER-ME-2.*已恢复（已删除）/ recovered \\(deleted\\)" "the timeline marks recovered rows"
tap_done
