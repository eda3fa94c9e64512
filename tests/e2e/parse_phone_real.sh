#!/bin/sh
# parse_phone_real.sh - coverage stated on a real-phone-shaped image
# (fixtures/phone-real/make-phone-real.py): databases no parser reads and an
# encrypted file are listed in case.db not_examined (exact rows), app-encrypted
# SMS bodies get status 'ciphertext' (look-alikes do not), WhatsApp crypt12 /
# crypt14 / crypt15 backups made by an independent implementation (python3-
# cryptography) are decrypted with the key found in the image or given with
# --whatsapp-key and parsed, a backup without key is listed as not examined, a
# wrong key is an error naming the backup while the run goes on; the SMS and
# call-log columns kept; items.timezone from the property file. Checked with
# the sqlite3 CLI, the derived copy against the plaintext with sha256sum.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_phone_real
tap_plan 46
export SOURCE_DATE_EPOCH=1700000000
C="$T/case"
FX="$T/fx"
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
run "build the fixture" python3 "$SRCDIR/fixtures/phone-real/make-phone-real.py" "$FX"
run "case init" "$CUSTOS" case init "$C" --case-id PHONE-REAL
# the crypt15 backup once more without its key file (item wa15-nokey)
mkdir -p "$T/wa15-nokey" && cp -R "$FX/wa15/sdcard" "$T/wa15-nokey/"
for i in phone wa12 wa15 wa-nokey; do
	must "$CUSTOS" --case "$C" import "$FX/$i" --format dir --item "$i" >/dev/null
done
must "$CUSTOS" --case "$C" import "$T/wa15-nokey" --format dir --item wa15-nokey >/dev/null
run "parse: nothing fails" "$CUSTOS" --case "$C" parse
cp "$T/last.out" "$T/parse1.out"

# --- coverage stated: exact rows, sorted by item and path
is "$(cq "SELECT item_id || '|' || device_path || '|' || COALESCE(app, '-') || '|' || reason
	FROM not_examined ORDER BY ne_id")" \
"phone|/data/data/com.adhoclabs.burner/databases/burner.db|Burner|unsupported
phone|/data/data/com.example.notes/databases/notes.db|-|unsupported
phone|/data/data/com.instagram.android/databases/direct.db|Instagram|unsupported
phone|/data/data/org.thoughtcrime.securesms/databases/signal.db|Signal|unsupported
phone|/sdcard/Download/IMG_0042.jpg|-|unsupported
wa-nokey|/sdcard/Android/media/com.whatsapp/WhatsApp/Databases/msgstore-2024-03-20.1.db.crypt14|WhatsApp|encrypted-no-key
wa15-nokey|/sdcard/Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db.crypt15|WhatsApp|encrypted-no-key" \
	"not_examined: the unparsed databases, the encrypted Signal store and the keyless backup, in order"
is "$(cq "SELECT detail FROM not_examined WHERE device_path LIKE '%direct.db'")" \
	"An SQLite database of Instagram that no custos parser reads; its tables were not examined." \
	"the Instagram row says what the file is and why it was not read"
like "$(cq "SELECT detail FROM not_examined WHERE item_id = 'wa-nokey'")" \
	'^A WhatsApp crypt14 backup whose key .* is not in the image and was not given with --whatsapp-key' \
	"the keyless backup's row says its key is missing"
is "$(cq "SELECT n.sha256 = lower(n.sha256) AND length(n.sha256) = 64 AND n.size > 0
	AND n.evidence_path LIKE 'evidence/%' FROM not_examined n WHERE n.device_path LIKE '%burner.db'")" 1 \
	"a row carries the file's evidence path, size and SHA-256"
is "$(cq "SELECT sha256 FROM not_examined WHERE device_path LIKE '%burner.db'")" \
	"$(sha256sum <"$FX/phone/data/data/com.adhoclabs.burner/databases/burner.db" | cut -d' ' -f1)" \
	"its SHA-256 is the file's (sha256sum)"
is "$(cq "SELECT count(*) FROM not_examined WHERE device_path LIKE '%.jpg' AND device_path NOT LIKE '%IMG_0042%'
	OR device_path LIKE '%-wal' OR device_path LIKE '%/key'")" 0 \
	"pictures, WAL siblings and the key file used are not listed"
like "$(cat "$T/parse1.out")" '7 files not examined' "the summary counts them"
like "$(cat "$T/parse1.out")" 'not examined: phone /data/data/com.instagram.android/databases/direct.db \[Instagram\]: unsupported: An SQLite database of Instagram' \
	"the summary lists them"
like "$(grep '"PARSE"' "$C/custody/log.jsonl" | tail -1)" '"not_examined":\{"count":7,"unsupported":5,"encrypted-no-key":2,"damaged":0,"refused":0\}' \
	"the PARSE custody entry counts them by reason"

# --- ciphertext-looking SMS bodies
is "$(cq "SELECT group_concat(source_rowid) FROM (SELECT source_rowid FROM messages
	WHERE item_id = 'phone' AND app = 'sms' AND status = 'ciphertext' ORDER BY source_rowid)")" \
	"2,3,4" "the two base64 'HHY...' bodies and the hex body are 'ciphertext'"
is "$(cq "SELECT group_concat(source_rowid || ':' || status) FROM (SELECT source_rowid, status
	FROM messages WHERE item_id = 'phone' AND app = 'sms' AND source_rowid IN (1, 5, 6, 7)
	ORDER BY source_rowid)")" "1:read,5:read,6:read,7:sent" \
	"a URL, a hex txid inside a sentence and Chinese text keep their status"
is "$(cq "SELECT body FROM messages WHERE item_id = 'phone' AND source_rowid = 2 AND app = 'sms'")" \
	"$(sqlite3 "$FX/phone/data/data/com.android.providers.telephony/databases/mmssms.db" "SELECT body FROM sms WHERE _id = 2")" \
	"the ciphertext body is stored as found"

# --- SMS and call-log columns kept
is "$(cq "SELECT sent_device_ms || '|' || sent_device_utc || '|' || sim_slot || '|' || service_center
	FROM messages WHERE item_id = 'phone' AND app = 'sms' AND source_rowid = 1")" \
	"1711000797000|2024-03-21T05:59:57.000Z|0|+8613800755500" "SMS date_sent, SIM slot and service centre kept"
is "$(cq "SELECT sim_slot FROM messages WHERE item_id = 'phone' AND app = 'sms' AND source_rowid = 2")" 1 \
	"Samsung sim_slot 1 (second SIM)"
is "$(cq "SELECT COALESCE(sent_device_ms, 'NULL') || '|' || COALESCE(service_center, 'NULL')
	FROM messages WHERE item_id = 'phone' AND app = 'sms' AND source_rowid = 7")" "NULL|NULL" \
	"date_sent 0 and no service centre: NULL"
is "$(cq "SELECT group_concat(x, ';') FROM (SELECT source_rowid || ',' || direction || ',' ||
	duration_s || ',' || COALESCE(answered, 'NULL') || ',' || COALESCE(cached_name, 'NULL') || ',' ||
	country || ',' || geocoded_location AS x FROM calls WHERE item_id = 'phone' AND app = 'calls'
	ORDER BY source_rowid)")" \
	"1,incoming,47,1,老K,CN,广东深圳;2,outgoing,0,NULL,NULL,CN,北京;3,incoming,0,0,HK Tea,HK,Hong Kong" \
	"call log: cached name, country, geocoded location; a 0-second outgoing call is not 'not answered'"
is "$(cq "SELECT item_id || '|' || COALESCE(timezone, 'NULL') FROM items ORDER BY item_id")" \
"phone|Asia/Shanghai
wa-nokey|NULL
wa12|NULL
wa15|NULL
wa15-nokey|NULL" "items.timezone from persistent_properties; NULL where the image does not say"

# --- WhatsApp backups decrypted and parsed
want=$(sqlite3 "$FX/msgstore.db" "SELECT count(*) FROM message WHERE chat_row_id > 0")
for i in phone wa12 wa15; do
	is "$(cq "SELECT count(*) FROM messages WHERE item_id = '$i' AND app = 'whatsapp'")" "$want" \
		"$i: every message of the decrypted msgstore.db parsed"
done
is "$(cq "SELECT body FROM messages WHERE item_id = 'phone' AND app = 'whatsapp' AND source_rowid = 6")" \
	"今晚老地方，飞行员带货" "crypt14: a decrypted message's text"
for f in crypt12 crypt14 crypt15; do
	p=$(cq "SELECT evidence_path FROM sources WHERE derivation LIKE 'whatsapp-$f %'")
	is "$(sha256sum <"$C/$p" | cut -d' ' -f1)" "$(sha256sum <"$FX/msgstore.db" | cut -d' ' -f1)" \
		"$f: the derived copy is byte for byte the plaintext (sha256sum)"
done
is "$(cq "SELECT o.device_path FROM sources d JOIN sources o ON o.source_id = d.derived_from
	WHERE d.derivation LIKE 'whatsapp-crypt14 %'")" \
	"/sdcard/Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db.crypt14" \
	"sources.derived_from leads to the backup"
like "$(cq "SELECT derivation FROM sources WHERE derivation LIKE 'whatsapp-crypt14 %'")" \
	'^whatsapp-crypt14 key=/data/data/com.whatsapp/files/key \(in the image\) key_sha256=[0-9a-f]{64} cipher=aes-256-gcm iv=header tag=verified md5=verified' \
	"the derivation names the key file and its hash, the cipher and the checks"
is "$(cq "SELECT count(DISTINCT m.source_id) FROM messages m JOIN sources s ON s.source_id = m.source_id
	WHERE m.item_id = 'phone' AND m.app = 'whatsapp' AND s.derivation LIKE 'whatsapp-crypt14 %'")" 1 \
	"the messages name the decrypted copy as their source"
is "$(grep '"DERIVE"' "$C/custody/log.jsonl" | grep -c 'whatsapp-crypt1[245] ')" 3 \
	"a DERIVE custody entry per decrypted backup"
k=$(od -An -tx1 -j126 -N32 "$FX/phone/data/data/com.whatsapp/files/key" | tr -d ' \n')
is "$(grep -c "$k" "$C/custody/log.jsonl")" 0 "the key itself is not written to custody"

# --- keys given on the command line
expect_exit 5 "a wrong --whatsapp-key: the backup fails, the run finishes (exit 5)" \
	"$CUSTOS" --case "$C" parse --item wa-nokey --whatsapp-key "$FX/wrong.key"
like "$(cat "$T/last.err")" "msgstore-2024-03-20\.1\.db\.crypt14.*wrong\.key|wrong\.key.*msgstore-2024-03-20\.1\.db\.crypt14" \
	"the error names the backup and the key"
like "$(cat "$T/last.err")" "authentication tag does not match|not zlib data" "and says why"
is "$(cq "SELECT reason FROM not_examined WHERE item_id = 'wa-nokey'")" "encrypted-no-key" \
	"the backup is then listed as not examined"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'wa15' AND app = 'whatsapp'")" "$want" \
	"the other items' rows are kept"
run "--whatsapp-key with the 64-hex crypt15 key" \
	"$CUSTOS" --case "$C" parse --item wa15-nokey --whatsapp-key "$FX/wa15.hex"
like "$(cq "SELECT derivation FROM sources WHERE item_id = 'wa15-nokey' AND derivation IS NOT NULL")" \
	"^whatsapp-crypt15 key='.*wa15\.hex' \(--whatsapp-key\) .* kdf=hkdf-sha256" \
	"crypt15 decrypted with the given key; the derivation says so"
run "--whatsapp-key opens the backup whose key is not in the image" \
	"$CUSTOS" --case "$C" parse --item wa-nokey --whatsapp-key "$FX/phone/data/data/com.whatsapp/files/key"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'wa-nokey' AND app = 'whatsapp'")" "$want" \
	"its messages are parsed"
is "$(cq "SELECT count(*) FROM not_examined WHERE item_id = 'wa-nokey'")" 0 "and it is no longer listed"
expect_exit 2 "--whatsapp-key naming no file is a usage error" \
	"$CUSTOS" --case "$C" parse --whatsapp-key "$T/no-such-key"

# --- same input, same rows
run "parse again" "$CUSTOS" --case "$C" parse
cq "SELECT * FROM not_examined ORDER BY ne_id" >"$T/ne2.txt"
run "and once more" "$CUSTOS" --case "$C" parse
is "$(cq "SELECT * FROM not_examined ORDER BY ne_id")" "$(cat "$T/ne2.txt")" \
	"two parses give the same not_examined rows"
tap_done
