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
	mkdir -p "$(dirname "$db")"
	sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1,error_code INTEGER DEFAULT 0,creator TEXT,seen INTEGER DEFAULT 0);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,archived INTEGER DEFAULT 0,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 201)
INSERT INTO canonical_addresses (_id, address) SELECT i, '+86139' || printf('%08d', i) FROM n;
INSERT INTO threads (_id, recipient_ids) SELECT _id, CAST(_id AS TEXT) FROM canonical_addresses;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO sms (_id, thread_id, address, date, read, type, body)
SELECT i, CASE WHEN i % 2 = 0 THEN 1 ELSE 2 + i % 200 END,
       '+86139' || printf('%08d', CASE WHEN i % 2 = 0 THEN 1 ELSE 2 + i % 200 END),
       1700000000000 + i * 1000, 1, 1 + i % 2,
       'message ' || i || ' <b>今晚老地方见</b> & 带现金 ' || (i % 977) || ' 元'
       || CASE WHEN i = $rows THEN ' LASTONE' ELSE '' END FROM n;
SQL
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
