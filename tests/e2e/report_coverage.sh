#!/bin/sh
# report_coverage.sh - what was not examined and the columns kept: the
# "未检查 / Not examined" section from case.db not_examined (escaped, with
# the reason in Chinese and English), bodies that look app-encrypted
# marked, SMS sender's time / SIM slot / service centre, call-log cached
# name, country and geocoded location, "answered" only when known.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_coverage
tap_plan 11

S=$T/src
TEL=$S/data/data/com.android.providers.telephony/databases
mkdir -p "$TEL"
sqlite3 "$TEL/mmssms.db" <"$SRCDIR/fixtures/apps/sms-android/mmssms.sql"
ok $? "mmssms.db built"
C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id N-2026-0001
run "import" "$CUSTOS" --case "$C" import --format dir --item N1 "$S"
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 5 ]
ok $? "parse (exit $st)"
# Rows as the parse stage writes them (schema v3).
sqlite3 "$C/case.db" <<'SQL'
INSERT INTO not_examined(item_id, device_path, evidence_path, sha256, size, app, reason, detail) VALUES
 ('N1', '/sdcard/WhatsApp/Databases/msgstore.db.crypt14', 'evidence/N1/sdcard/WhatsApp/Databases/msgstore.db.crypt14', 'aa11', 4096, 'whatsapp', 'encrypted-no-key', 'a WhatsApp crypt14 backup and no key file <script>document.title=1</script>'),
 ('N1', '/data/data/com.instagram.android/databases/direct.db', 'evidence/N1/data/data/com.instagram.android/databases/direct.db', 'bb22', 8192, NULL, 'unsupported', 'a SQLite database no parser handles');
UPDATE messages SET status = 'ciphertext' WHERE message_id = (SELECT min(message_id) FROM messages);
INSERT INTO calls(item_id, app, counterpart, direction, started_utc, started_ms, duration_s, answered, cached_name, country, geocoded_location)
 VALUES ('N1', 'calls', '+8613912345678', 'incoming', '2024-03-21T10:00:00.000Z', 1711015200000, 0, NULL, '张三', 'CN', '广东深圳');
SQL
ok $? "not_examined rows, a ciphertext body and a call added to case.db"
run "report" "$CUSTOS" --case "$C" report --format html
R=$C/report
sed -n '/<h2 id="not-examined">/,/<\/table>/p' "$R/index.html" >"$T/ne.html"
grep -q 'msgstore.db.crypt14</bdi></td><td>whatsapp</td><td>已加密，无密钥 encrypted, no key</td><td><bdi>a WhatsApp crypt14 backup and no key file &lt;script&gt;' "$T/ne.html" &&
	grep -q 'direct.db</bdi></td><td>未知 unknown</td><td>不支持的应用或格式 unsupported</td>' "$T/ne.html"
ok $? "the 未检查 / Not examined section lists both files with their reason, escaped"
grep -q '<a href="index.html#not-examined">未检查 Not examined</a></th><td class="num">2</td>' "$R/index.html"
ok $? "the contents count them"
grep -q 'badge cipher">疑似密文 looks app-encrypted' "$R"/chats/sms/*.html
ok $? "the ciphertext-looking body is marked"
grep -q "发送方时间 sender's time 2024-03-16 18:00:03 +08:00 · SIM 卡槽 slot [0-9] · 短信中心 service centre <bdi>+8613800755500</bdi>" "$R"/chats/sms/*.html
ok $? "SMS: the sender's time, SIM slot and service centre"
grep -o '<tr id="c[0-9]*">.*' "$R"/calls-1.html | grep -q '通话记录中的名称 cached name: <bdi>张三</bdi>.*<td>—</td><td><bdi>CN · 广东深圳</bdi></td>'
ok $? "call: cached name, country and location; answered unknown shown as —"
tap_done
