#!/bin/sh
# report_safety.sh - attachments a browser would run (an SVG and an HTML
# file with scripts, from the phone) are shown only through <img> or
# offered as a download of a neutral copy, never linked to be opened as
# documents; a one-megabyte message is cut in its chat page with a link to
# its full text, and the page renders in seconds in headless Chromium.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_safety
tap_plan 19

S=$T/src
TEL=$S/data/data/com.android.providers.telephony/databases
PARTS=$S/data/user_de/0/com.android.providers.telephony/app_parts
mkdir -p "$TEL" "$PARTS"
sqlite3 "$TEL/mmssms.db" <"$SRCDIR/fixtures/apps/sms-android/mmssms.sql" &&
	sqlite3 "$TEL/mmssms.db" <"$SRCDIR/tests/data/report/safety-sms.sql"
ok $? "mmssms.db with hostile attachments and a 1 MB body built with the sqlite3 CLI"
cat >"$PARTS/evil.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="red"/><script>document.documentElement.setAttribute("data-pwned", "svg")</script></svg>
SVG
cat >"$PARTS/evil.html" <<'HTML'
<html><body><script>document.documentElement.setAttribute("data-pwned", "html")</script>x</body></html>
HTML

C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id S-2026-0001
run "import the tree" "$CUSTOS" --case "$C" import --format dir --item S1 "$S"
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>"$T/parse.err"
st=$?
[ $st -eq 0 ] || [ $st -eq 5 ]
ok $? "parse (exit $st)"
run "report" "$CUSTOS" --case "$C" report --format html
R=$C/report
html=$(find "$R" -name '*.html' | sort)

# --- attachments -----------------------------------------------------------
grep -q '<img class="thumb" alt="attachment" src="[./]*evidence/S1/data/user_de/0/com\.android\.providers\.telephony/app_parts/evil\.svg">' $html
ok $? "the SVG is shown as an image"
grep -Eo 'href="[^"]*evil\.(svg|html)"' $html >"$T/links"
nok $? "no link opens evil.svg or evil.html from the evidence"
svgsha=$(sha256sum <"$PARTS/evil.svg" | cut -d' ' -f1)
htmlsha=$(sha256sum <"$PARTS/evil.html" | cut -d' ' -f1)
grep -q "<a class=\"download\" download=\"evil_svg.bin\" href=\"[./]*attachments/$svgsha.bin\">" $html
ok $? "the SVG is offered as a download of a neutral copy"
grep -q "<a class=\"download\" download=\"evil_html.bin\" href=\"[./]*attachments/$htmlsha.bin\">" $html
ok $? "the HTML attachment is offered as a download of a neutral copy"
cmp -s "$R/attachments/$svgsha.bin" "$PARTS/evil.svg" && cmp -s "$R/attachments/$htmlsha.bin" "$PARTS/evil.html"
ok $? "the copies hold the attachments' bytes"
grep -Eq 'href="[./]*evidence/[^"]*\.(svg|html?|xml|xhtml|db)"' "$R"/files-*.html "$R/sources.html"
nok $? "the file list and the sources link no document type of the evidence"

# --- long message ----------------------------------------------------------
chat=$(grep -l 'BIGSTART' "$R"/chats/sms/*.html | head -1)
[ -n "$chat" ] && ! grep -q 'BIGEND' "$chat" && [ "$(stat -c %s "$chat")" -lt 200000 ]
ok $? "the 1 MB body is cut in its chat page ($(stat -c %s "$chat" 2>/dev/null) bytes)"
full=$(grep -o 'href="[./]*text/m[0-9]*\.html">全文 full text' "$chat" | sed 's/^href="//; s/">.*//' | head -1)
[ -n "$full" ] && grep -q 'BIGSTART' "$(dirname "$chat")/$full" && grep -q 'BIGEND' "$(dirname "$chat")/$full"
ok $? "the chat links the full text page ($full), which holds the whole body"
grep -q 'short one after the big one' "$chat"
ok $? "the messages after the long one are on the page"

# --- headless Chromium -----------------------------------------------------
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --user-data-dir=$T/chrome"
dump() { # dump URL OUT
	HOME=$T timeout -k 10 120 chromium $CHROME_FLAGS --virtual-time-budget=2000 --dump-dom "$1" >"$2" 2>"$T/chrome.err"
}
# Control: opened as a document, the SVG's script runs (so the checks can fail).
dump "file://$PARTS/evil.svg" "$T/svg.dom"
grep -q 'data-pwned="svg"' "$T/svg.dom"
ok $? "control: the SVG opened as a document runs its script"
# A download: Chromium writes no document and waits; 20 s are enough.
HOME=$T timeout -k 5 20 chromium $CHROME_FLAGS --virtual-time-budget=2000 --dump-dom "file://$R/attachments/$svgsha.bin" >"$T/bin.dom" 2>"$T/chrome.err"
[ -s "$R/attachments/$svgsha.bin" ] && ! grep -q "data-pwned" "$T/bin.dom" && ! grep -q "<svg" "$T/bin.dom"
ok $? "the neutral copy is not rendered by Chromium (a download)"
dump "file://$chat" "$T/chat.dom"
grep -q 'data-search="ready"' "$T/chat.dom" && ! grep -q 'data-pwned' "$T/chat.dom"
ok $? "the chat page renders, its own script runs, no attachment script ran"
t0=$(date +%s%N)
HOME=$T timeout -k 10 120 chromium $CHROME_FLAGS --screenshot="$T/chat.png" --window-size=1280,2000 "file://$chat" >/dev/null 2>&1
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# chat page with the 1 MB message rendered in $ms ms"
[ -s "$T/chat.png" ] && [ "$ms" -lt 20000 ]
ok $? "the chat page renders in seconds ($ms ms < 20000)"
t0=$(date +%s%N)
HOME=$T timeout -k 10 120 chromium $CHROME_FLAGS --screenshot="$T/full.png" --window-size=1280,2000 "file://$(dirname "$chat")/$full" >/dev/null 2>&1
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# full text page rendered in $ms ms"
[ -s "$T/full.png" ] && [ "$ms" -lt 60000 ]
ok $? "the full text page renders ($ms ms < 60000)"
cp "$T/chat.png" "$TESTTMP/report_safety-chat.png" 2>/dev/null
tap_done
