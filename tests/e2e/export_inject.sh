#!/bin/sh
# export_inject.sh - hostile cells in the exports: SMS bodies and addresses
# that a spreadsheet would run as formulas stay text (prefixed with ' in CSV
# and xlsx, kept as sent in JSON), quotes and line breaks survive RFC 4180
# quoting, invalid UTF-8 becomes U+FFFD; an IANA zone with daylight saving
# time (Europe/Zurich) gives +02:00 in July and +01:00 in January, as
# date(1) says; hits and links rows (as the analysis writes them) export
# with the provenance of their artifact; LibreOffice opens the xlsx and
# reads the same text.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup export_inject
tap_plan 29

CHK="python3 $SRCDIR/tests/e2e/export_check.py"
S=$T/src
TEL=$S/data/data/com.android.providers.telephony/databases
mkdir -p "$TEL"
sqlite3 "$TEL/mmssms.db" <"$SRCDIR/fixtures/apps/sms-android/mmssms.sql" &&
	sqlite3 "$TEL/mmssms.db" <"$SRCDIR/tests/data/export/formula-sms.sql"
ok $? "mmssms.db with formula-like rows built with the sqlite3 CLI"
C=$T/case
# The sample seizure, its phone an Android one.
python3 -c 'import json,sys
m=json.load(open(sys.argv[1])); i=m["seizure"]["items"][0]
i["os"]="Android"; i["os_version"]="14"; i["features"]["make"]="Xiaomi"; i["features"]["model"]="23049RAD8C"
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False)' "$SRCDIR/fixtures/manifest/sample-seizure.json" "$T/manifest.json"
run "case init" "$CUSTOS" case init "$C" --case-id A4403052026110001 \
	--manifest "$T/manifest.json" --examiner "李检查"
run "import the tree" "$CUSTOS" --case "$C" import --format dir --item A1 "$S"
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 5 ]
ok $? "parse (exit $st)"
n=$(sqlite3 "$C/case.db" "SELECT count(*) FROM messages WHERE body LIKE '%calc%' OR body LIKE '%=1+1%'")
is "$n" 5 "the formula-like messages are in case.db"
# Hits and links as the analysis writes them (CASEDB.md), on this copy.
sqlite3 "$C/case.db" "INSERT INTO hits(item_id, kind, value, normalized, rule, artifact, artifact_id, offset) SELECT 'A1', 'phone_number', '=1+2', '+8613000000009', 'phone:cn-mobile', 'messages', message_id, 0 FROM messages WHERE body LIKE '=HYPERLINK%'; INSERT INTO links(kind, normalized, item_a, item_b, evidence) VALUES ('phone_number', '+8613000000009', 'A1', 'B1', '[{\"item\":\"A1\",\"artifact\":\"messages\",\"id\":1}]')"
ok $? "a hit and a link row added"
# A recovered record as the recovery writes them: page/offset in the WAL, no rowid.
sqlite3 "$C/case.db" "UPDATE messages SET recovered = 1, source_rowid = NULL, source_page = 3, source_offset = 1234, recovered_from = 'wal', recovered_status = 'deleted', wal_frame = 7 WHERE body LIKE 'ctl%'"
ok $? "one message marked as recovered from the WAL"

for k in messages hits links; do
	for f in csv xlsx json; do
		"$CUSTOS" --case "$C" -q export "$k" --format "$f" --tz Europe/Zurich ||
			{ echo "# $k $f failed"; false; } || break 2
	done
done
ok $? "messages, hits and links export in csv, xlsx and json"

like "$($CHK cell "$C/exports/messages.csv" body HYPERLINK)" "^'=HYPERLINK" "CSV: a body starting with = gets a leading '"
cells=$($CHK cell "$C/exports/messages.csv" body calc)
like "$cells" "^'\\+cmd" "CSV: + prefixed"
like "$cells" "^'-2\\+3" "CSV: - prefixed"
like "$cells" "^'@SUM" "CSV: @ prefixed"
tabbed=$($CHK cell "$C/exports/messages.csv" body "after a")
is "$(printf '%s\n' "$tabbed" | grep -c "^'")" 2 "CSV: tab and CR first are prefixed"
addr=$($CHK cell "$C/exports/messages.csv" sender "=1+2")
is "$addr" "'=1+2" "CSV: a hostile address is prefixed too"
q=$($CHK cell "$C/exports/messages.csv" body "quoted")
is "$q" 'a "quoted", comma
second line' "CSV: quotes, comma and line break survive RFC 4180 quoting"
grep -q "$(printf 'Malformed\357\277\275')" "$C/exports/messages.csv"
ok $? "CSV: invalid UTF-8 written as U+FFFD"
py='import csv,io,sys
rows=list(csv.DictReader(io.StringIO(open(sys.argv[1],encoding="utf-8-sig",newline="").read(),newline="")))
r=[x for x in rows if x["body"].startswith("ctl")][0]
print(r["recovered"], r["source_rowid"] or "-", r["source_page"], r["source_offset"], r["recovered_from"], r["recovered_status"], r["wal_frame"])'
is "$(python3 -c "$py" "$C/exports/messages.csv")" "1 - 3 1234 wal deleted 7" "CSV: the recovered record with page, offset, WAL frame and status"
long=$($CHK cell "$C/exports/messages.csv" body LONG)
is "${#long}" 40004 "CSV: the 40004-character body whole"
unzip -p "$C/exports/messages.xlsx" xl/worksheets/sheet1.xml | grep -q '…\[cut: full text in the CSV or JSON export\]'
ok $? "xlsx: the body past Excel's cell limit cut with a note"
py='import json,sys; rows=json.load(open(sys.argv[1])); print(sum(1 for r in rows if (r["body"] or "").startswith("=HYPERLINK")))'
is "$(python3 -c "$py" "$C/exports/messages.json")" 1 "JSON keeps the text as sent (no prefix)"
$CHK xlsx "$C/exports/messages.xlsx" "$C/exports/messages.csv" >"$T/x.out" 2>&1
ok $? "xlsx: text cells, no formula cell, same text as the CSV $(head -1 "$T/x.out")"

# Daylight saving time, checked against date(1) for every message.
bad=$(python3 -c 'import json,sys
for r in json.load(open(sys.argv[1])):
    if r["sent_ms"] is not None: print(r["sent_ms"], r["sent_local"])' "$C/exports/messages.json" |
	while read -r ms loc; do
		want=$(TZ=Europe/Zurich date -d "@$((ms / 1000))" +%Y-%m-%dT%H:%M:%S)$(printf '.%03d' $((ms % 1000)))$(TZ=Europe/Zurich date -d "@$((ms / 1000))" +%:z)
		[ "$want" = "$loc" ] || echo "$ms: $loc, date(1) $want"
	done)
is "$bad" "" "every sent_local in Europe/Zurich is what date(1) says"
py='import json,sys; print(" ".join(sorted({r["sent_local"][-6:] for r in json.load(open(sys.argv[1])) if r["sent_local"]})))'
like "$(python3 -c "$py" "$C/exports/messages.json")" '\+01:00 \+02:00' "both winter (+01:00) and summer (+02:00) offsets occur"

hits=$($CHK cell "$C/exports/hits.csv" value "=1+2")
is "$hits" "'=1+2" "hits.csv: the hit, prefixed"
[ "$($CHK csv "$C/exports/hits.csv")" = "$(sqlite3 "$C/case.db" 'SELECT count(*) FROM hits')" ] &&
	python3 -c 'import csv,io,re,sys
rows=list(csv.DictReader(io.StringIO(open(sys.argv[1],encoding="utf-8-sig",newline="").read(),newline="")))
r=[x for x in rows if x["value"]=="\x27=1+2"][0]
sys.exit(0 if re.fullmatch("[0-9a-f]{64}", r["source_sha256"]) and r["source_table"]=="sms" else 1)' "$C/exports/hits.csv"
ok $? "hits.csv: every hit, the added one with its message's source table and file SHA-256"
is "$($CHK csv "$C/exports/links.csv")" "$(sqlite3 "$C/case.db" 'SELECT count(*) FROM links')" "links.csv: every link"

# The same hostile rows (invalid UTF-8, controls, 40000 characters) in CASE/UCO.
run "export case-uco of the hostile rows" "$CUSTOS" --case "$C" export case-uco
python3 "$SRCDIR/tests/e2e/caseuco_check.py" "$SRCDIR/tests/data/export/caseuco-terms.txt" \
	"$C/exports/case-uco.jsonld" "$C/case.db" >"$T/uco.out" 2>&1
ok $? "  ... valid JSON-LD, one Message per row (invalid UTF-8 as U+FFFD) $(grep problem "$T/uco.out" | head -1)"

mkdir -p "$T/lo"
HOME=$T timeout -k 10 120 soffice -env:UserInstallation="file://$T/lo-profile" --headless \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$T/lo" \
	"$C/exports/messages.xlsx" >"$T/lo.out" 2>&1 &&
	$CHK same "$C/exports/messages.csv" "$T/lo/messages.csv" >"$T/same.out" 2>&1
ok $? "LibreOffice reads the hostile cells of messages.xlsx as text equal to the CSV $(head -1 "$T/same.out")"
