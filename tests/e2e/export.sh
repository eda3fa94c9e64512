#!/bin/sh
# export.sh - `custos export` on the bundled sample iPhone case: every kind
# in every format; CSV read by python3's csv with exact row counts against
# sqlite3 on case.db; JSON one array of the same length; every xlsx read
# independently (zipfile + XML) and by LibreOffice, and compared with the
# CSV; provenance columns and resolved names present; the EXPORT custody
# entry carries sha256sum's digest; two runs give the same bytes; case.db
# and the evidence are never written; an export may not go into evidence/;
# a sealed case exports too.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup export
tap_plan 54

CHK="python3 $SRCDIR/tests/e2e/export_check.py"
. "$SRCDIR/tests/e2e/export_lib.sh"
export_sample_case "$T/case"
run "parse" "$CUSTOS" --case "$C" parse
db_before=$(sha256sum "$C/case.db" | cut -d' ' -f1)
ev_before=$(find "$C/evidence" -type f -exec sha256sum {} + | sort | sha256sum)

q() { sqlite3 "$C/case.db" "$1"; }
# What each kind must hold, counted by sqlite3 on case.db.
count() {
	case $1 in
	timeline) q "SELECT count(*) FROM timeline" ;;
	*) q "SELECT count(*) FROM $1" ;;
	esac
}
[ "$(count messages)" -gt 0 ] && [ "$(count calls)" -gt 0 ] && [ "$(count payments)" -gt 0 ]
ok $? "the sample case.db has messages, calls and payments"

fails=
for k in messages calls contacts payments timeline hits links; do
	for f in csv xlsx json; do
		"$CUSTOS" --case "$C" export "$k" --format "$f" >"$T/out" 2>"$T/err" ||
			{ fails="$fails $k.$f"; sed 's/^/#   /' "$T/err"; continue; }
		[ -f "$C/exports/$k.$f" ] || fails="$fails $k.$f(missing)"
	done
done
[ -z "$fails" ]
ok $? "every kind in every format exports (failed:$fails)"

bad=
for k in messages calls contacts payments timeline hits links; do
	want=$(count $k)
	got=$($CHK csv "$C/exports/$k.csv") || bad="$bad $k.csv"
	[ "$got" = "$want" ] || bad="$bad $k.csv($got/$want)"
	got=$($CHK json "$C/exports/$k.json") || bad="$bad $k.json"
	[ "$got" = "$want" ] || bad="$bad $k.json($got/$want)"
done
[ -z "$bad" ]
ok $? "CSV (BOM, CRLF, RFC 4180) and JSON row counts = sqlite3 counts (bad:$bad)"

bad=
for k in messages calls contacts payments timeline hits links; do
	$CHK xlsx "$C/exports/$k.xlsx" "$C/exports/$k.csv" >"$T/x.out" 2>&1 ||
		{ bad="$bad $k"; sed 's/^/#   /' "$T/x.out"; }
done
[ -z "$bad" ]
ok $? "every xlsx (read with zipfile + XML): frozen header, autofilter, text/number cells, same rows as the CSV (bad:$bad)"

# Provenance and names.
head=$(head -1 "$C/exports/messages.csv")
for col in source_device_path source_evidence_path source_sha256 source_table source_rowid \
	source_page source_offset recovered recovered_from recovered_status wal_frame partial damaged \
	sender_name sent_utc sent_local local_zone conversation_title; do
	printf '%s' "$head" | tr ',' '\n' | tr -d '\r\357\273\277' | grep -qx "$col" ||
		{ echo "# messages.csv lacks $col"; false; } || break
done
ok $? "messages.csv has provenance, resolved-name and both time columns"
for k in calls contacts payments timeline; do
	head -1 "$C/exports/$k.csv" | grep -q 'source_sha256' || { echo "# $k lacks source_sha256"; false; } || break
done
ok $? "calls, contacts, payments and timeline rows carry the source file's SHA-256"
# The SHA-256 of each row's source is the one case.db records for it.
n=$($CHK cell "$C/exports/messages.csv" source_sha256 '' | sort -u | while read -r h; do
	q "SELECT count(*) FROM sources WHERE sha256 = '$h'"; done | grep -c '^0$')
is "$n" 0 "every source_sha256 in messages.csv names a source of case.db"
py='import json,sys; rows=json.load(open(sys.argv[1])); print(sum(1 for r in rows if r["sender_name"]))'
named=$(python3 -c "$py" "$C/exports/messages.json")
[ "$named" -gt 0 ]
ok $? "sender names resolved in messages.json ($named rows)"
# A number written otherwise in the address book, an e-mail address.
py='import json,sys; print(" ".join(sorted({r["counterpart_name"] for r in json.load(open(sys.argv[1])) if r["counterpart"] == "+8613912345678"})))'
is "$(python3 -c "$py" "$C/exports/calls.json")" "老K" "call +8613912345678 named after the contact '+86 139 1234 5678'"
py='import json,sys; print(" ".join(sorted({r["sender_name"] or "-" for r in json.load(open(sys.argv[1])) if r["sender"] == "k8dealer@icloud.com"})))'
is "$(python3 -c "$py" "$C/exports/messages.json")" "老K" "iMessage sender named after the contact with that e-mail address"
# Times: UTC as case.db has it and in the zone (+08:00 by default).
first=$(q "SELECT sent_ms FROM messages ORDER BY message_id LIMIT 1")
loc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["sent_local"])' "$C/exports/messages.json")
want=$(TZ=UTC date -d "@$(((first + 8 * 3600000) / 1000))" +%Y-%m-%dT%H:%M:%S)
like "$loc" "^$want\.[0-9]{3}\+08:00\$" "sent_local is the UTC time shifted to +08:00 ($loc)"
run "export with --tz -05:00" "$CUSTOS" --case "$C" export messages --format json --tz -05:00 -o "$T/m-5.json"
loc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["sent_local"])' "$T/m-5.json")
want=$(TZ=UTC date -d "@$(((first - 5 * 3600000) / 1000))" +%Y-%m-%dT%H:%M:%S)
like "$loc" "^$want\.[0-9]{3}-05:00\$" "--tz -05:00 moves the local column ($loc)"
expect_exit 2 "an unknown zone is refused" "$CUSTOS" --case "$C" export messages --tz Mars/Olympus

# Custody: one EXPORT per file, with its SHA-256 and size.
run "custody verify" "$CUSTOS" --case "$C" custody verify
last=$(tail -1 "$C/custody/log.jsonl")
sha=$(sha256sum "$T/m-5.json" | cut -d' ' -f1)
size=$(stat -c %s "$T/m-5.json")
det=$(printf '%s' "$last" | python3 -c 'import json,sys; b=json.load(sys.stdin)["body"]; d=b["details"]; print(b["event"], d["kind"], d["format"], d["sha256"], d["size"], d["rows"], d["path"])')
is "$det" "EXPORT messages json $sha $size $(count messages) $T/m-5.json" "EXPORT entry: kind, format, sha256sum, size, rows, path"
n=$(grep -c '"event":"EXPORT"' "$C/custody/log.jsonl")
is "$n" 22 "22 EXPORT entries (21 exports + 1 with -o)"
for k in messages calls payments; do
	for f in csv xlsx; do
		sha=$(sha256sum "$C/exports/$k.$f" | cut -d' ' -f1)
		grep '"event":"EXPORT"' "$C/custody/log.jsonl" | grep -q "\"path\":\"exports/$k.$f\",\"sha256\":\"$sha\"" ||
			{ echo "# no EXPORT entry for exports/$k.$f with $sha"; false; } || break 2
	done
done
ok $? "EXPORT entries name exports/<kind>.<fmt> with sha256sum's digest"

# Same case state, same bytes.
for f in csv xlsx json; do cp "$C/exports/timeline.$f" "$T/t1.$f"; done
sleep 1
for f in csv xlsx json; do "$CUSTOS" --case "$C" -q export timeline --format "$f"; done
cmp -s "$T/t1.csv" "$C/exports/timeline.csv" && cmp -s "$T/t1.json" "$C/exports/timeline.json"
ok $? "CSV and JSON: byte-identical on a second run"
cmp -s "$T/t1.xlsx" "$C/exports/timeline.xlsx"
ok $? "xlsx: byte-identical on a second run (fixed creation time)"
unzip -p "$C/exports/timeline.xlsx" docProps/core.xml | grep -q '<dcterms:created xsi:type="dcterms:W3CDTF">'"$(q "SELECT 1" >/dev/null; grep -E '"event":"(PARSE|ANALYZE)"' "$C/custody/log.jsonl" | tail -1 | sed 's/.*"time":"\([^.]*\)\..*/\1/')"'Z</dcterms:created>'
ok $? "xlsx creation time = the time of the last PARSE or ANALYZE entry (what wrote case.db)"

# The contact/ring graph of the analysis: Graphviz opens the DOT, the
# GraphML is XML; both recorded.
run "export graph (graphml)" "$CUSTOS" --case "$C" export graph
run "export graph --format dot" "$CUSTOS" --case "$C" export graph --format dot
dot -Tsvg -o "$T/graph.svg" "$C/exports/graph.dot" && [ -s "$T/graph.svg" ]
ok $? "dot -Tsvg opens the DOT export"
python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith("graphml") else 1)' "$C/exports/graph.graphml"
ok $? "python3 xml.etree parses the GraphML export"
sha=$(sha256sum "$C/exports/graph.graphml" | cut -d' ' -f1)
grep '"event":"EXPORT"' "$C/custody/log.jsonl" | grep -q "\"kind\":\"graph\",\"format\":\"graphml\",\"path\":\"exports/graph.graphml\",\"sha256\":\"$sha\""
ok $? "EXPORT entry for the graph with sha256sum's digest"

# More rows than a sheet holds continue on the next sheet (test builds lower
# the limit; Excel's is 1048576 rows a sheet).
CUSTOS_TEST_XLSX_ROWS=10 "$CUSTOS" --case "$C" -q export messages --format xlsx -o "$T/roll.xlsx"
n=$(unzip -Z1 "$T/roll.xlsx" | grep -c '^xl/worksheets/sheet[0-9]*\.xml$')
is "$n" $((($(count messages) + 8) / 9)) "rows past a sheet's limit go on to further sheets"
$CHK xlsx "$T/roll.xlsx" "$C/exports/messages.csv" >/dev/null
ok $? "  ... each with its header, frozen and filtered, together the rows of the CSV"

# Refusals.
expect_exit 2 "unknown kind refused" "$CUSTOS" --case "$C" export secrets
expect_exit 2 "format a kind does not offer refused" "$CUSTOS" --case "$C" export messages --format pdf
expect_exit 2 "an output inside evidence/ is refused" "$CUSTOS" --case "$C" export messages -o "$C/evidence/A1/x.csv"
like "$(cat "$T/last.err")" 'evidence/ of the case holds the record' "  ... saying why"
expect_exit 2 "an output over case.db is refused" "$CUSTOS" --case "$C" export messages -o "$C/case.db"
expect_exit 3 "a missing output folder is an input error" "$CUSTOS" --case "$C" export messages -o "$T/no/such/dir/x.csv"
! ls "$C/exports" | grep -q '\.tmp\.'
ok $? "no temporary file left in exports/"
is "$(sha256sum "$C/case.db" | cut -d' ' -f1)" "$db_before" "case.db not modified by the exports"
is "$(find "$C/evidence" -type f -exec sha256sum {} + | sort | sha256sum)" "$ev_before" "evidence not modified"
run "--json prints path, sha256, size, rows" "$CUSTOS" --case "$C" --json export calls -o "$T/calls.csv"
js=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["rows"], d["sha256"])' <"$T/last.out")
is "$js" "$(count calls) $(sha256sum "$T/calls.csv" | cut -d' ' -f1)" "  ... matching the file"

# LibreOffice opens the xlsx: its CSV of each sheet equals custos's CSV
# (scripts/install-deps installs libreoffice-calc-nogui).
mkdir -p "$T/lo"
set --
for k in messages calls contacts payments timeline; do set -- "$@" "$C/exports/$k.xlsx"; done
HOME=$T timeout -k 10 120 soffice -env:UserInstallation="file://$T/lo-profile" --headless \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$T/lo" "$@" \
	>"$T/lo.out" 2>&1 && [ -f "$T/lo/messages.csv" ]
ok $? "LibreOffice converts the xlsx exports to CSV $(grep -i error "$T/lo.out" | head -1)"
for k in messages calls contacts payments timeline; do
	$CHK same "$C/exports/$k.csv" "$T/lo/$k.csv" >"$T/same.out" 2>&1
	ok $? "LibreOffice reads $k.xlsx as custos's $k.csv $(sed 's/^/# /' "$T/same.out" | head -1)"
done

# A sealed case exports too (the export after the seal is its own entry).
run "seal" "$CUSTOS" --case "$C" seal --allow-incomplete -o "$T/pkg"
run "export after the seal" "$CUSTOS" --case "$C" export payments --format xlsx -o "$T/pay.xlsx"
$CHK xlsx "$T/pay.xlsx" "$C/exports/payments.csv" >/dev/null
ok $? "  ... same rows as before the seal"
tail -1 "$C/custody/log.jsonl" | grep -q '"event":"EXPORT"'
ok $? "  ... recorded after the SEAL entry"
run "custody verify after seal + export" "$CUSTOS" --case "$C" custody verify
