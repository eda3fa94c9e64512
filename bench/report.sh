#!/bin/sh
# bench/report.sh - `custos report` on a large case: peak RSS must stay
# flat as the number of messages grows (streamed generation, paginated
# pages), and throughput in messages/s.
#
# Builds an Android mmssms.db of BENCH_ROWS (default 1,000,000) SMS — half
# of them in ONE conversation, the rest over 200 threads — with the sqlite3
# CLI, imports and parses it, then times `custos report` (HTML + forms)
# with /usr/bin/time -v, and again on a case a tenth of the size so the two
# peak RSS figures can be compared.
#
# 2026-11-23, 2 shared cores: 100,000 messages: peak RSS 31.1 MiB, 1.8 s;
# 1,000,000 messages: peak RSS 31.1 MiB, 23.6 s (42k messages/s), 2,014
# pages, 808 MiB of HTML (timeline rows link to their chat anchors).
set -eu
. "$(dirname "$0")/sms_gen.sh"
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
ROWS=${BENCH_ROWS:-1000000}
mkdir -p "$BENCHTMP"
D=$(mktemp -d "$BENCHTMP/reportbench.XXXXXX")
trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM

one() { # one ROWS -> prints "rows rss_kb seconds pages"
	rows=$1
	s=$D/src$rows
	db=$s/data/data/com.android.providers.telephony/databases/mmssms.db
	sms_gen "$db" "$rows"
	c=$D/case$rows
	"$CUSTOS" -q case init "$c" --case-id BENCH-REPORT >/dev/null 2>&1
	"$CUSTOS" -q --case "$c" import --format dir --item B1 "$s" >/dev/null 2>&1
	"$CUSTOS" -q --case "$c" parse >/dev/null 2>&1 || true
	/usr/bin/time -v "$CUSTOS" -q --case "$c" report 2>"$D/time$rows" >/dev/null
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time$rows")
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$D/time$rows")
	pages=$(find "$c/report" -name '*.html' | wc -l)
	bytes=$(du -sk "$c/report" | cut -f1)
	echo "$rows messages: peak RSS ${rss} KiB, wall $wall, $pages pages, ${bytes} KiB of report"
}
small=$((ROWS / 10))
one "$small"
one "$ROWS"
