#!/bin/sh
# parse_nul.sh - text is kept as found (CASEDB.md: nothing is cleaned): an
# SMS body with an embedded NUL byte reaches case.db whole (SQLite text
# bound with its length, not cut at the NUL), and the report shows the NUL
# as the visible marker ⟨U+0000⟩ with the text after it. Built with
# sqlite3 (the NUL goes in through CAST(X'..' AS TEXT)), checked with
# sqlite3 on case.db. The same body in the chat parsers whose row code
# builds the body itself: WhatsApp Android (caption), WeChat iOS, Telegram
# Android, QQ Android and iOS, and WeChat Android when the sqlcipher CLI is
# there.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_nul
tap_plan 22
export SOURCE_DATE_EPOCH=1700000000
command -v sqlite3 >/dev/null || bail "sqlite3 missing"
FX="$SRCDIR/fixtures/apps"
C=$T/case
DB=$T/android/data/data/com.android.providers.telephony/databases/mmssms.db
mkdir -p "$(dirname "$DB")"
must sqlite3 "$DB" <"$FX/sms-android/mmssms.sql"
# 15 bytes, NUL, 47 bytes: 63 bytes in all
HEAD='Meet at pier 9 '
TAIL='bring the cash, the code word is BLUEHERON-7741'
HEX=$(printf '%s' "$HEAD" | od -An -tx1 | tr -d ' \n')00$(printf '%s' "$TAIL" | od -An -tx1 | tr -d ' \n')
must sqlite3 "$DB" "INSERT INTO sms (_id, thread_id, address, date, type, read, body) VALUES (900, 5, '+8613912345678', 1710673400000, 1, 1, CAST(X'$HEX' AS TEXT))"
is "$(sqlite3 "$DB" "SELECT length(CAST(body AS BLOB)) FROM sms WHERE _id = 900")" "63" "fixture: the body is 63 bytes with a NUL at byte 16"

# The same body in an iOS sms.db (message.text)
IDB=$T/ios/HomeDomain/Library/SMS/sms.db
mkdir -p "$(dirname "$IDB")"
must sqlite3 "$IDB" <"$FX/sms-ios/sms.sql"
must sqlite3 "$IDB" "INSERT INTO message (ROWID, guid, text, handle_id, version, type, service, date, is_from_me, is_read) VALUES (900, 'NUL-TEST-0900', CAST(X'$HEX' AS TEXT), 2, 10, 0, 'SMS', 732677500000000000, 0, 1)"

# WhatsApp Android msgstore.db (message.text_data) and a media caption
# (message_media.media_caption), and WeChat iOS message_1.sqlite
# (Chat_<md5>.Message): the fixtures' images, each with one more row
must python3 "$SRCDIR/tests/harness/expected.py" build "$FX/whatsapp-android" "$T/wa"
WDB=$T/wa/data/data/com.whatsapp/databases/msgstore.db
must sqlite3 "$WDB" "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp, message_type, text_data, sort_id) VALUES (900, 1, 0, 'NULTEST0900', 0, 0, 1710720000000, 0, CAST(X'$HEX' AS TEXT), 900)"
must sqlite3 "$WDB" "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp, message_type, text_data, sort_id) VALUES (901, 1, 0, 'NULTEST0901', 0, 0, 1710720000000, 1, NULL, 901)"
must sqlite3 "$WDB" "INSERT INTO message_media (message_row_id, chat_row_id, file_path, media_caption) VALUES (901, 1, 'Media/nul.jpg', CAST(X'$HEX' AS TEXT))"
must python3 "$SRCDIR/tests/harness/expected.py" build "$FX/wechat-ios" "$T/wx"
XDB=$(ls "$T"/wx/AppDomain-com.tencent.xin/Documents/*/DB/message_1.sqlite)
must sqlite3 "$XDB" "INSERT INTO Chat_1d4b98c49e7e7aeeb7198f8ee44a8eb1 (TableVer, MesLocalID, MesSvrID, CreateTime, Message, Status, ImgStatus, Type, Des) VALUES (1, 900, 6150000000000000900, 1711102400, CAST(X'$HEX' AS TEXT), 4, 1, 1, 1)"
# Telegram Android cache4.db: the text is a TL string in messages_v2.data
# (the fixture's layout, fixtures/apps/telegram-android/make-sql.py)
must python3 "$SRCDIR/tests/harness/expected.py" build "$FX/telegram-android" "$T/tg"
TDB=$T/tg/data/data/org.telegram.messenger/files/cache4.db
TL=$(python3 -c 'import struct, sys
t = bytes.fromhex(sys.argv[1])
s = bytes([len(t)]) + t
s += bytes((-len(s)) % 4)
b = struct.pack("<IIi", 0x76BEC211, 0, 900) + struct.pack("<Iq", 0x59511722, 7012345678)
print((b + struct.pack("<i", 1710810400) + s + bytes(4)).hex())' "$HEX") || bail "TL blob"
must sqlite3 "$TDB" "INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out, ttl, media, imp, mention, forwards, thread_reply_id, is_channel, reply_to_message_id, group_id, reply_to_story_id) VALUES (900, 7012345678, 3, 0, 1710810400, X'$TL', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)"
TROW=$(sqlite3 "$TDB" "SELECT rowid FROM messages_v2 WHERE mid = 900")
# QQ Android: msgData is the text XORed with the key of files/kc
# (fixtures/apps/qq-android/make-sql.py); QQ iOS: tb_c2cMsg_<peer>.content
must python3 "$SRCDIR/tests/harness/expected.py" build "$FX/qq-android" "$T/qa"
QDB=$T/qa/data/data/com.tencent.mobileqq/databases/2750123456.db
QT=mr_friend_0E463EAC62A28D573F7CA8D4B0E5EB0C_New
QX=$(python3 -c 'import sys
k = b"352099001761481"
t = bytes.fromhex(sys.argv[1])
print(bytes(c ^ k[i % len(k)] for i, c in enumerate(t)).hex())' "$HEX") || bail "XOR body"
must sqlite3 "$QDB" "CREATE TABLE nul_row AS SELECT * FROM $QT WHERE _id = 1;
	UPDATE nul_row SET _id = 900, msgData = X'$QX', msgId = 900, msgUid = 900, msgseq = 900, shmsgseq = 900, uniseq = 900;
	INSERT INTO $QT SELECT * FROM nul_row; DROP TABLE nul_row"
must python3 "$SRCDIR/tests/harness/expected.py" build "$FX/qq-ios" "$T/qi"
QIDB=$T/qi/AppDomain-com.tencent.mqq/Documents/contents/2750123456/QQ.db
must sqlite3 "$QIDB" "INSERT INTO tb_c2cMsg_1980654321 (rowid, uin, time, type, read, content, msgId, flag) VALUES (900, '1980654321', 1710900000, 0, 1, CAST(X'$HEX' AS TEXT), 900, 1)"
# WeChat Android: EnMicroMsg.db of tests/data/wechat, SQLCipher 1 with the
# key md5(IMEI + uin)[:7] as tests/e2e/parse_wechat.sh builds it
# (message.content); only when the sqlcipher CLI is there
WXA=
if command -v sqlcipher >/dev/null 2>&1; then
	WXA=$T/wxa/data/data/com.tencent.mm
	case $(echo 'PRAGMA cipher_version;' | sqlcipher :memory: 2>/dev/null) in
	[123].*) CIPHER="PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;" ;;
	*) CIPHER="PRAGMA cipher_compatibility=1;" ;;
	esac
	key=$(printf '1234567890ABCDEF123456789' | md5sum | cut -c1-7)
	cp "$SRCDIR/tests/data/wechat/EnMicroMsg.sql" "$T/wxa.sql"
	echo "INSERT INTO message (msgId, msgSvrId, type, status, isSend, createTime, talker, content) VALUES (900, 9900, 1, 3, 0, 1600000900000, 'wxid_a1', CAST(X'$HEX' AS TEXT));" >>"$T/wxa.sql"
	mkdir -p "$WXA/MicroMsg/2c644d942ab78a4d933ed0d19f881307" "$WXA/shared_prefs"
	printf "PRAGMA key='%s'; %s\n.read %s\n" "$key" "$CIPHER" "$T/wxa.sql" |
		must sqlcipher "$WXA/MicroMsg/2c644d942ab78a4d933ed0d19f881307/EnMicroMsg.db"
	printf "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <int name=\"default_uin\" value=\"123456789\" />\n</map>\n" \
		>"$WXA/shared_prefs/system_config_prefs.xml"
fi

run "case init" "$CUSTOS" case init "$C" --case-id PARSE-NUL
run "import android dir" "$CUSTOS" --case "$C" import "$T/android" --format android-dir --item A1
run "import ios dir" "$CUSTOS" --case "$C" import "$T/ios" --format dir --item A2
run "import whatsapp android" "$CUSTOS" --case "$C" import "$T/wa" --format android-dir --item A3
run "import wechat ios" "$CUSTOS" --case "$C" import "$T/wx" --format dir --item A4
run "import telegram android" "$CUSTOS" --case "$C" import "$T/tg" --format android-dir --item A5
run "import qq android" "$CUSTOS" --case "$C" import "$T/qa" --format android-dir --item A6
run "import qq ios" "$CUSTOS" --case "$C" import "$T/qi" --format dir --item A7
if [ -n "$WXA" ]; then
	run "import wechat android" "$CUSTOS" --case "$C" import "$T/wxa" --format dir --item A8
else
	skip "sqlcipher CLI missing"
fi
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>"$T/parse.err"
st=$?
ok $([ "$st" -eq 0 ] || [ "$st" -eq 5 ] && echo 0 || echo 1) "parse ran (exit $st)"
got=$(sqlite3 "file:$C/case.db?mode=ro" "SELECT length(CAST(body AS BLOB)) FROM messages WHERE item_id = 'A1' AND source_rowid = 900")
is "$got" "63" "case.db keeps the whole body, NUL included (63 bytes, not 15)"
is "$(sqlite3 "file:$C/case.db?mode=ro" "SELECT hex(CAST(body AS BLOB)) FROM messages WHERE item_id = 'A1' AND source_rowid = 900")" \
	"$(printf '%s' "$HEX" | tr 'a-f' 'A-F')" "case.db body is byte for byte the source body"
is "$(sqlite3 "file:$C/case.db?mode=ro" "SELECT hex(CAST(body AS BLOB)) FROM messages WHERE item_id = 'A2' AND source_rowid = 900")" \
	"$(printf '%s' "$HEX" | tr 'a-f' 'A-F')" "iOS sms.db: the body with its NUL, byte for byte"
body() {
	sqlite3 "file:$C/case.db?mode=ro" "SELECT hex(CAST(body AS BLOB)) FROM messages WHERE item_id = '$1' AND source_rowid = $2"
}
WANT=$(printf '%s' "$HEX" | tr 'a-f' 'A-F')
is "$(body A3 900)" "$WANT" "WhatsApp Android text_data: the body with its NUL, byte for byte"
is "$(body A3 901)" "$WANT" "WhatsApp Android media caption: the body with its NUL, byte for byte"
is "$(body A4 900)" "$WANT" "WeChat iOS Chat_ Message: the body with its NUL, byte for byte"
is "$(body A5 "$TROW")" "$WANT" "Telegram Android TL message text: the body with its NUL, byte for byte"
is "$(body A6 900)" "$WANT" "QQ Android msgData: the decoded body with its NUL, byte for byte"
is "$(body A7 900)" "$WANT" "QQ iOS tb_c2cMsg content: the body with its NUL, byte for byte"
if [ -n "$WXA" ]; then
	is "$(body A8 900)" "$WANT" "WeChat Android message.content (SQLCipher): the body with its NUL, byte for byte"
else
	skip "sqlcipher CLI missing"
fi
"$CUSTOS" --case "$C" report >"$T/report.out" 2>"$T/report.err" || true
grep -rqF "Meet at pier 9 ⟨U+0000⟩bring the cash" "$C/report" --include='*.html'
ok $? "the report shows the NUL as ⟨U+0000⟩ and the text after it"
tap_done
