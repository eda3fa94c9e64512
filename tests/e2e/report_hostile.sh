#!/bin/sh
# report_hostile.sh - the report treats evidence as hostile data
# (non-negotiable 5). A hostile Android SMS database (script tags, event
# handlers, javascript:/data: links, attribute breakouts, RTL overrides,
# controls, malformed UTF-8, a 160 kB line, a hostile attachment file name)
# and a hostile manifest go through import -> parse -> report; the output
# is checked with grep and then opened in headless Chromium, which must
# render it without running any injected script (a control page proves
# scripts do run when allowed).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_hostile
tap_plan 44

D=$SRCDIR/tests/data/report
S=$T/src
TEL=$S/data/data/com.android.providers.telephony/databases
PARTS=$S/data/user_de/0/com.android.providers.telephony/app_parts
mkdir -p "$TEL" "$PARTS"
sqlite3 "$TEL/mmssms.db" <"$SRCDIR/fixtures/apps/sms-android/mmssms.sql" &&
	sqlite3 "$TEL/mmssms.db" <"$D/hostile-sms.sql"
ok $? "hostile mmssms.db built with the sqlite3 CLI"
# The hostile attachment exists in the evidence, so it is linked and thumbnailed.
python3 -c '
import struct, sys, zlib
w = h = 48
raw = b"".join(b"\0" + bytes([200, 30, 30]) * w for _ in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
' >"$PARTS/PART_\"><img src=x onerror=document.title=1>.jpg"
ok $? "hostile attachment file name created"

C=$T/case
run "case init with a hostile manifest" "$CUSTOS" case init "$C" --case-id H-2026-0001 --manifest "$D/hostile-manifest.json"
run "import the tree (--format dir)" "$CUSTOS" --case "$C" import --format dir --item H1 "$S"
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>"$T/parse.err"
st=$?
[ $st -eq 0 ] || [ $st -eq 5 ]
ok $? "parse (exit $st)"
n=$(sqlite3 "$C/case.db" "SELECT count(*) FROM messages WHERE body LIKE '%PWNED%'")
[ "$n" -ge 5 ]
ok $? "the hostile messages are in case.db ($n)"
# An analysis hit (as a keyword scanner would write it): marked in context.
sqlite3 "$C/case.db" "INSERT INTO hits(item_id, kind, value, normalized, rule, artifact, artifact_id, offset) SELECT 'H1', 'code_word', 'PWNED''</script>', 'pwned', 'test<script>', 'messages', message_id, NULL FROM messages WHERE body LIKE '<script>%'"
ok $? "a hostile hit row added to case.db"
# A recovered (deleted) record as the recovery writes them: page/offset, no rowid.
sqlite3 "$C/case.db" "UPDATE messages SET recovered = 1, source_rowid = NULL, source_page = 3, source_offset = 1234 WHERE body LIKE 'ctl%'"
ok $? "one message marked as recovered in case.db"
run "report (5 rows a page, zone -05:00)" "$CUSTOS" --case "$C" report --page-rows 5 --tz -05:00
R=$C/report

# --- static checks over every file the report wrote ----------------------
html=$(find "$R" -name '*.html' | sort)
nhtml=$(printf '%s\n' "$html" | wc -l)
[ "$nhtml" -gt 10 ]
ok $? "report pages written ($nhtml)"
missing_csp=0
for f in $html; do
	grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';" "$f" || { missing_csp=1; echo "# no CSP: $f"; }
done
ok $missing_csp "every page carries the Content-Security-Policy meta tag"
scripts=$(cat $html | grep -o '<script[^>]*>' | sort -u | tr '\n' ' ')
like "$scripts" '^(<script src="(\.\./\.\./)?assets/search\.js">[ ]?)+$' "the only script elements load the report's own search.js"
grep -l 'PWNED' $html >/dev/null
ok $? "the payload text is present (as text)"
! grep -E "<script>document|<img src=x|<svg|<iframe|<object|<style>|<meta http-equiv=\"refresh|<b onmouseover" $html >/dev/null
ok $? "no payload tag survives unescaped"
! grep -E '<[a-zA-Z][^>]*[[:space:]]on[a-z]+[[:space:]]*=' $html >/dev/null
ok $? "no element carries an event handler attribute"
! grep -Eio '(href|src|action|data)="[a-z][a-z0-9+.-]*:' $html >/dev/null
ok $? "no link or source with a scheme (javascript:, data:, http:, file:)"
! grep -Eio '(https?|ftp)://[^ "<]*' $R/assets/* >/dev/null && ! grep -Eio '(href|src)="(https?:)?//' $html >/dev/null
ok $? "no network resource referenced anywhere"
grep -q '&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;' $html
ok $? "script tag rendered as escaped text"
grep -q 'invoice_⟨U+202E⟩fdp.exe then ⟨U+2066⟩isolated⟨U+2069⟩' $html
ok $? "RTL override and isolates rendered visibly"
! grep -q "$(printf '\342\200\256')" $html && ! grep -q "$(printf '\342\201\246')" $html
ok $? "no raw bidi control character in any page"
grep -q "Malformed$(printf '\357\277\275') $(printf '\357\277\275\357\277\275') " $html
ok $? "malformed UTF-8 shown as U+FFFD"
grep -q 'ctl⟨U+0001⟩⟨U+001B⟩\[31mred⟨U+000D⟩CR' $html
ok $? "control characters shown escaped"
python3 -c '
import sys
for f in sys.argv[1:]:
    open(f, "rb").read().decode("utf-8")
' $html
ok $? "every page is valid UTF-8"
att=$(grep -ho '<img class="thumb" alt="attachment" src="[^"]*">' $html | head -1)
like "$att" 'src="\.\./\.\./\.\./evidence/H1/data/user_de/0/com\.android\.providers\.telephony/app_parts/PART_%22%3E%3Cimg%20src%3Dx%20onerror%3Ddocument\.title%3D1%3E\.jpg"' "hostile attachment name thumbnailed through a percent-encoded relative URL"
grep -q "javascript:document.title=&#39;PWNED&#39;</bdi> (not among the acquired files)" $html
ok $? "javascript: attachment path shown as text, not linked"
grep -l 'LONGLINE' $html | head -1 | xargs grep -c 'LONGLINELONGLINE' >/dev/null
ok $? "very long line kept"

grep -q '<time>2024-03-17 13:26:41 -05:00</time> (UTC 2024-03-17T18:26:41.000Z)' "$R"/chats/sms/*.html
ok $? "local time in the zone asked for, and UTC"
grep -h -A1 'class="msg in recovered"' "$R"/chats/sms/*.html | grep -q 'badge recovered.*sms page 3 offset 1234'
ok $? "recovered message marked, provenance by page and offset"
n=$(ls "$R"/chats/sms/8-*.html | wc -l)
[ "$n" -ge 2 ] && grep -q '第 1 页 共 '"$n"' 页' "$R/chats/sms/8-1.html" && grep -q "href=\"8-2.html\"" "$R/chats/sms/8-1.html"
ok $? "long conversation paginated ($n pages) with page links"
grep -Eq "<mark( [^>]*)?>PWNED&#39;&lt;/script&gt;</mark>" "$R"/chats/sms/*.html
ok $? "hit value marked in the chat, escaped"
grep -q "<mark>PWNED&#39;&lt;/script&gt;</mark>" "$R/hits-1.html" && grep -q 'test&lt;script&gt;' "$R/hits-1.html"
ok $? "hits page shows the value in context, escaped"
link=$(grep -o 'href="chats/sms/[0-9]*-[0-9]*\.html#m[0-9]*">聊天 chat' "$R/hits-1.html" | head -1 | sed 's/^href="//; s/">.*//')
[ -n "$link" ] && grep -q "id=\"${link#*#}\"" "$R/${link%%#*}"
ok $? "the hit links to its message in the chat ($link)"

# docx forms of the hostile manifest: well-formed XML, the text escaped.
for f in "$R"/forms/*.docx; do
	unzip -tq "$f" >/dev/null || { echo "# unzip -t failed: $f"; false; } || break
done
ok $? "every docx passes unzip -t"
python3 - "$R/forms" <<'PY'
import sys, zipfile, glob
from xml.dom import minidom
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.docx")):
    z = zipfile.ZipFile(f)
    for n in z.namelist():
        if n.endswith(".xml") or n.endswith(".rels"):
            minidom.parseString(z.read(n))
    doc = z.read("word/document.xml").decode()
    if "<script" in doc or "<w:t>XML injection" in doc:
        bad = 1
    if "&lt;/w:t&gt;" not in doc and "seizure-list" in f:
        bad = 1
sys.exit(bad)
PY
ok $? "docx XML is well formed and the injected XML stays text"

# --- headless Chromium ----------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
	skip_rest "chromium not installed"
	tap_done
fi
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --user-data-dir=$T/chrome"
dump() { # dump FILE OUT
	HOME=$T timeout -k 10 60 chromium $CHROME_FLAGS --virtual-time-budget=2000 --dump-dom "file://$1" >"$2" 2>"$T/chrome.err"
}
# Control: scripts do run in this Chromium when a page allows them.
printf '<!DOCTYPE html><html><head><title>x</title></head><body><script>document.title="RAN"</script></body></html>' >"$T/control.html"
dump "$T/control.html" "$T/control.dom"
grep -q '<title>RAN</title>' "$T/control.dom"
ok $? "control: Chromium runs an allowed script (so the checks below can fail)"

chat=$(grep -l 'invoice_' "$R"/chats/sms/*.html | head -1)
chat1=$(grep -l 'document.title=&#39;PWNED&#39;&lt;/script' "$R"/chats/sms/*.html | head -1)
for page in "$chat" "$chat1" "$R/index.html" "$R/chats.html" "$R/forms/seizure-list.html" "$R/forms/examination-record.html"; do
	name=${page#"$R"/}
	dump "$page" "$T/page.dom"
	st=$?
	title=$(sed -n 's:.*<title>\(.*\)</title>.*:\1:p' "$T/page.dom" | head -1)
	[ $st -eq 0 ] && [ -s "$T/page.dom" ] && ! printf '%s' "$title" | grep -q 'PWNED\|^1$' &&
		! grep -qE '<(svg|iframe|object|img src="x")' "$T/page.dom"
	ok $? "$name: rendered, title '$title', no injected element or script ran"
done
dump "$chat" "$T/chat.dom"
grep -q '<html lang="zh-CN" data-search="ready">' "$T/chat.dom"
ok $? "the report's own search.js ran under the CSP (while the injected scripts did not)"
grep -q '&lt;img src=x onerror="document.title=' "$T/chat.dom" || grep -q "&lt;img src=x onerror=" "$T/chat.dom"
ok $? "the payload is a text node in the live DOM"

HOME=$T timeout -k 10 60 chromium $CHROME_FLAGS --screenshot="$T/shot.png" --window-size=1280,2000 "file://$chat" >/dev/null 2>&1
size=$(stat -c %s "$T/shot.png" 2>/dev/null || echo 0)
[ "$size" -gt 20000 ] && [ "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
ok $? "screenshot of the hostile chat page is a PNG of $size bytes"
# Keep a copy for people to look at (TESTTMP is under the build tree).
cp "$T/shot.png" "$TESTTMP/report_hostile-shot.png" 2>/dev/null
tap_done
