#!/bin/sh
# bench/report_search.sh - the report's search across the whole case on a
# generated case of BENCH_ROWS (default 1,000,000) SMS, in headless
# Chromium in real time (bench/report_search.mjs over the DevTools
# protocol): time to the first result and to the end of the search, for a
# text in the very last message, a text in many messages and a text found
# nowhere; the JS heap and the Chromium processes' peak RSS; and the same on
# a case a tenth of the size, so memory can be compared. Also the report's
# own time, peak RSS and the size of the index.
set -eu
. "$(dirname "$0")/sms_gen.sh"
BUILDDIR=${BUILDDIR:-$(pwd)}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
ROWS=${BENCH_ROWS:-1000000}
export CUSTOS_EXAMINER=${CUSTOS_EXAMINER:-Bench}
mkdir -p "$BENCHTMP"
D=$(mktemp -d "$BENCHTMP/searchbench.XXXXXX")
# BENCH_KEEP=1 keeps the cases (to look at the reports afterwards).
[ -n "${BENCH_KEEP:-}" ] || trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM

one() { # one ROWS
	rows=$1
	s=$D/src$rows
	db=$s/data/data/com.android.providers.telephony/databases/mmssms.db
	sms_gen "$db" "$rows" " LASTONE"
	c=$D/case$rows
	"$CUSTOS" -q case init "$c" --case-id BENCH-SEARCH >/dev/null 2>&1
	"$CUSTOS" -q --case "$c" import --format dir --item B1 "$s" >/dev/null 2>&1
	"$CUSTOS" -q --case "$c" parse >/dev/null 2>&1 || true
	/usr/bin/time -v "$CUSTOS" -q --case "$c" report --format html 2>"$D/time$rows" >/dev/null
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time$rows")
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$D/time$rows")
	shards=$(ls "$c/report/search" | grep -c '^s[0-9]*\.js$')
	idx=$(du -sk "$c/report/search" | cut -f1)
	echo "$rows messages: report peak RSS ${rss} KiB, wall $wall; index $shards shards, ${idx} KiB"
	node --experimental-websocket --no-warnings "$SRCDIR/bench/report_search.mjs" "$c/report" \
		LASTONE 老地方 no-such-text-anywhere | sed "s/^/$rows messages: /"
}
one $((ROWS / 10))
one "$ROWS"
