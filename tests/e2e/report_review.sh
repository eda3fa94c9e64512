#!/bin/sh
# report_review.sh - the report as a place to work, in headless Chromium
# on the bundled sample iPhone backup (5 rows a page, so it has many
# pages): the search across the whole case finds a message on another
# page and links to it; app, item, conversation and date filters change
# the results; sortable columns and page filters change the rows;
# contact names are resolved (the timeline shows 老K with the wxid);
# deleted contacts and recalled messages are marked; WeChat image, voice
# and location messages shown as such (thumbnail, duration, coordinates),
# never as raw <msg> XML; for an encrypted backup, media from derived/.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_review
tap_plan 31

run "sample images" sh "$SRCDIR/fixtures/make-samples.sh" "$T/s"
B=$(ls -d "$T"/s/ios-backup/*/ | head -1)
C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id A4403052026110001 --manifest "$SRCDIR/fixtures/manifest/sample-seizure.json"
run "import the sample backup" "$CUSTOS" --case "$C" import --item A1 "$B"
run "parse" "$CUSTOS" --case "$C" parse
# A contact deleted on the phone, as the contacts parsers record it.
sqlite3 "$C/case.db" "UPDATE contacts SET status = 'deleted' WHERE identifier = 'wxid_buyer_xm'"
ok $? "one contact marked deleted in case.db"
# A WeChat location message (as the Android parser stores type 48).
sqlite3 "$C/case.db" "INSERT INTO messages(item_id, app, conversation_id, sender, direction, sent_utc, sent_ms, kind, body, raw_type) SELECT item_id, app, conversation_id, sender, direction, sent_utc, sent_ms + 1, 'location', '<msg><location x=\"22.543096\" y=\"114.057865\" scale=\"16\" label=\"广东省深圳市福田区福华路\" poiname=\"老地方 &amp; 停车场\" poiid=\"\" /></msg>', '48' FROM messages WHERE body LIKE '%<voicemsg%'"
ok $? "a WeChat location message added to case.db"
run "report, 5 rows a page" "$CUSTOS" --case "$C" report --format html --page-rows 5
R=$C/report

# --- static -----------------------------------------------------------------
grep -q '<b>老K</b> (wxid_k8dealer88): 三个1800' "$R"/timeline-*.html
ok $? "the timeline shows 老K with the wxid beside"
grep -q '<b><bdi>老K</bdi></b> (<bdi>wxid_k8dealer88</bdi>)' "$R"/chats/wechat/*.html
ok $? "the chat shows 老K with the wxid beside"
grep -q '<tr id="k[0-9]*" class="deleted">.*wxid_buyer_xm.*<span class="badge deleted">已删除 deleted</span>' "$R"/contacts-*.html
ok $? "the deleted contact is marked on the contacts page"
grep -q 'badge recalled">已撤回 recalled' "$R"/timeline-*.html
ok $? "recalled messages are marked in the timeline"

# --- WeChat media -------------------------------------------------------------
grep -rlq 'aeskey\|&lt;msg&gt;\|<msg>' "$R"/*.html "$R"/chats "$R"/search
nok $? "no raw WeChat <msg> XML anywhere in the report or its index"
grep -q '<img class="thumb" alt="attachment" src="\.\./\.\./\.\./evidence/A1/[^"]*/Img/[0-9a-f]*/7\.pic">' "$R"/chats/wechat/*.html
ok $? "the WeChat image (a JPEG named .pic) is thumbnailed"
grep -h -A1 '\[语音 voice\] 时长 duration 2.4 s' "$R"/chats/wechat/*.html | grep -q 'download="9_aud.bin" href="\.\./\.\./attachments/[0-9a-f]*\.bin"'
ok $? "the voice message shows its duration (2.4 s) and a link to the audio"
grep -q '\[位置 location\] 纬度 lat 22.543096, 经度 lon 114.057865 · 老地方 &amp; 停车场 · 广东省深圳市福田区福华路' "$R"/chats/wechat/*.html
ok $? "the location shows coordinates, place name and label"
# The encrypted backup: its evidence files are ciphertext, the decrypted
# copies are in derived/.
E=$T/enc
B2=$(ls -d "$T"/s/ios-backup-encrypted/*/ | head -1)
"$CUSTOS" case init "$E" --case-id A4403052026110001 --manifest "$SRCDIR/fixtures/manifest/sample-seizure.json" >/dev/null 2>&1 &&
	CUSTOS_PASSWORD=$(cat "$T/s/ios-backup-encrypted.password") "$CUSTOS" --case "$E" import --item A1 "$B2" >/dev/null 2>&1 &&
	"$CUSTOS" --case "$E" parse >/dev/null 2>&1 && "$CUSTOS" --case "$E" report --format html >/dev/null 2>&1
ok $? "the encrypted sample backup imported, parsed and reported"
grep -q '<img class="thumb" alt="attachment" src="\.\./\.\./\.\./derived/A1/[^"]*/7\.pic">' "$E"/report/chats/wechat/*.html
ok $? "encrypted backup: the thumbnail is the decrypted copy in derived/"
grep -Eq '(src|href)="[./]*evidence/A1/[^"]*(7\.pic|9\.aud|IMG_0001\.JPG)"' "$E"/report/chats/*/*.html
nok $? "encrypted backup: no media link or image points at the encrypted bytes"
cmp -s "$(ls "$E"/report/attachments/*.bin | head -1)" /dev/null
nok $? "encrypted backup: the download copies are there"

# --- Chromium ---------------------------------------------------------------
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --user-data-dir=$T/chrome"
dump() { # dump URL OUT
	HOME=$T timeout -k 10 120 chromium $CHROME_FLAGS --virtual-time-budget=5000 --dump-dom "$1" >"$2" 2>"$T/chrome.err"
}
rows() { grep -o '<tr>.*' "$1" | sed 's|</tr>|&\n|g' | grep -c '<td' ; }

dump "file://$R/search.html#q=%E5%8F%96%E4%BB%B6%E7%A0%81%205-2-8806" "$T/s1.dom" # 取件码 5-2-8806
link=$(grep -o '<a href="chats/[^"]*#m[0-9]*">[^<]*取件码 5-2-8806' "$T/s1.dom" | head -1 | sed 's/^<a href="//; s/">.*//')
[ -n "$link" ] && grep -q 'data-done="1"' "$T/s1.dom"
ok $? "search finds the message ($link), one result"
page=${link%%#*}
[ "$page" != "search.html" ] && grep -q "id=\"${link#*#}\"" "$R/$page" && sed 's/<[^>]*>//g' "$R/$page" | grep -q '取件码 5-2-8806'
ok $? "the result links to the message on its chat page ($page)"
case $page in *-1.html) false ;; *) true ;; esac
ok $? "that page is not the conversation's first page (the search spans pages)"
dump "file://$R/search.html#q=no-such-text-anywhere" "$T/s0.dom"
grep -q 'data-done="0"' "$T/s0.dom"
ok $? "a text found nowhere gives no result"
dump "file://$R/search.html#app=sms" "$T/app.dom"
nsms=$(sqlite3 "$C/case.db" "SELECT count(*) FROM messages WHERE app = 'sms'")
grep -q "data-done=\"$nsms\"" "$T/app.dom" && ! grep -o '<tr><td[^>]*>[^<]*</td><td>[a-z]*</td>' "$T/app.dom" | grep -v '<td>sms</td>' | grep -q .
ok $? "the app filter keeps the $nsms SMS only"
nall=$(sqlite3 "$C/case.db" "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM calls) + (SELECT count(*) FROM contacts) + (SELECT count(*) FROM payments)")
dump "file://$R/search.html#item=A1" "$T/item.dom"
grep -q "data-done=\"$nall\"" "$T/item.dom"
ok $? "the item filter A1 keeps all $nall messages, calls, contacts and payments"
nday=$(sqlite3 "$C/case.db" "SELECT (SELECT count(*) FROM messages WHERE date(sent_ms / 1000, 'unixepoch', '+8 hours') = '2024-03-22') + (SELECT count(*) FROM calls WHERE date(started_ms / 1000, 'unixepoch', '+8 hours') = '2024-03-22') + (SELECT count(*) FROM payments WHERE date(occurred_ms / 1000, 'unixepoch', '+8 hours') = '2024-03-22')")
dump "file://$R/search.html#from=2024-03-22&to=2024-03-22" "$T/date.dom"
[ "$nday" -gt 0 ] && [ "$nday" -lt "$nall" ] && grep -q "data-done=\"$nday\"" "$T/date.dom"
ok $? "the date range keeps the $nday messages, calls and payments of 2024-03-22"
dump "file://$R/search.html#q=17612345678" "$T/call.dom"
grep -q '<a href="calls-1.html#c2">通话 call incoming 0 s' "$T/call.dom" && grep -q '<a href="contacts-[0-9]*.html#k[0-9]*">联系人 contact' "$T/call.dom" &&
	grep -q 'id="c2"' "$R/calls-1.html"
ok $? "the search finds a call and a contact by number and links to their rows"
nconv=$(sqlite3 "$C/case.db" "SELECT count(*) FROM messages m JOIN conversations c USING (conversation_id) WHERE c.title LIKE '%老K%' OR (c.title IS NULL AND c.identifier LIKE '%老K%')")
dump "file://$R/search.html#conv=%E8%80%81K" "$T/conv.dom" # 老K
[ "$nconv" -gt 0 ] && grep -q "data-done=\"$nconv\"" "$T/conv.dom"
ok $? "the conversation filter keeps the $nconv messages with 老K"

# Sorting and page filters on the calls page (4 calls, by time ascending).
dump "file://$R/calls-1.html" "$T/c0.dom"
dump "file://$R/calls-1.html#sort=0:desc" "$T/c1.dom"
o0=$(grep -o '<tr id="c[0-9]*"' "$T/c0.dom" | tr -d '\n')
o1=$(grep -o '<tr id="c[0-9]*"' "$T/c1.dom" | tr -d '\n')
r0=$(grep -o '<tr id="c[0-9]*"' "$T/c0.dom" | tac | tr -d '\n')
[ -n "$o0" ] && [ "$o1" = "$r0" ] && [ "$o1" != "$o0" ]
ok $? "sorting by time descending reverses the rows ($o1)"
dump "file://$R/calls-1.html#sort=5:asc" "$T/c2.dom"
d=$(grep -o '<tr id="c[0-9]*".*' "$T/c2.dom" | sed 's|</tr>|&\n|g' | grep -o '<td class="num">[0-9]*</td><td>[^<]*</td><td><bdi>' | sed 's|<td class="num">\([0-9]*\)</td>.*|\1|' | tr '\n' ' ')
[ "$d" = "$(sqlite3 "$C/case.db" "SELECT duration_s FROM calls ORDER BY duration_s" | tr '\n' ' ')" ]
ok $? "sorting by duration orders the rows by duration ($d)"
dump "file://$R/calls-1.html#direction=incoming" "$T/c3.dom"
nin=$(sqlite3 "$C/case.db" "SELECT count(*) FROM calls WHERE direction = 'incoming'")
hid=$(grep -o '<tr id="c[0-9]*" class="hidden"' "$T/c3.dom" | wc -l)
[ "$nin" -gt 0 ] && [ "$hid" -eq $((4 - nin)) ] && grep -q '<select id="f-direction">' "$T/c3.dom"
ok $? "the direction filter hides the $hid outgoing calls"
cp "$T/s1.dom" "$TESTTMP/report_review-search.dom" 2>/dev/null
tap_done
