#!/bin/sh
# export_report.sh - `custos report` writes the CSV and xlsx exports into
# CASE/report/exports/ and its index links them; each is recorded in an
# EXPORT custody entry with sha256sum's digest before the REPORT entry;
# the report tree (and so verify and seal) covers them; two copies of the
# same case state give byte-identical exports.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup export_report
tap_plan 13

CHK="python3 $SRCDIR/tests/e2e/export_check.py"
. "$SRCDIR/tests/e2e/export_lib.sh"
export_sample_case "$T/case"
run "parse" "$CUSTOS" --case "$C" parse
cp -a "$C" "$T/copy"
run "report" "$CUSTOS" --case "$C" report --format html
E=$C/report/exports
missing=
for k in messages calls contacts payments timeline; do
	for f in csv xlsx; do
		[ -s "$E/$k.$f" ] || missing="$missing $k.$f"
		grep -q "href=\"exports/$k.$f\"" "$C/report/index.html" || missing="$missing link:$k.$f"
	done
done
is "$missing" "" "report/exports/ holds csv and xlsx of each kind, linked from index.html"
bad=
for k in messages calls contacts payments; do
	[ "$($CHK csv "$E/$k.csv")" = "$(sqlite3 "$C/case.db" "SELECT count(*) FROM $k")" ] || bad="$bad $k"
done
is "$bad" "" "row counts of the report's CSV exports = sqlite3 counts"
$CHK xlsx "$E/messages.xlsx" "$E/messages.csv" >/dev/null
ok $? "the report's messages.xlsx holds the rows of its CSV"
bad=
for f in "$E"/*; do
	rel=report/exports/${f##*/}
	sha=$(sha256sum "$f" | cut -d' ' -f1)
	grep '"event":"EXPORT"' "$C/custody/log.jsonl" | grep -q "\"path\":\"$rel\",\"sha256\":\"$sha\"" ||
		bad="$bad $rel"
done
is "$bad" "" "an EXPORT entry with sha256sum's digest for every file in report/exports/"
last=$(tail -1 "$C/custody/log.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["event"])')
is "$last" "REPORT" "the REPORT entry comes after the EXPORT entries"
run "custos verify CASE (report tree includes the exports)" "$CUSTOS" verify "$C"
"$CUSTOS" --case "$T/copy" -q report --format html
diff -r "$E" "$T/copy/report/exports" >/dev/null
ok $? "the same case state gives byte-identical exports"
run "seal" "$CUSTOS" --case "$C" seal --allow-incomplete -o "$T/pkg"
