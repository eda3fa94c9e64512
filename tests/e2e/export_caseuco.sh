#!/bin/sh
# export_caseuco.sh - `custos export case-uco` on an unsealed case: the
# JSON-LD is well-formed, uses only the published CASE/UCO terms listed in
# tests/data/export/caseuco-terms.txt, every @id referenced is defined;
# one Message / Contact / Call / payment per case.db row, each linked to the
# file object of its source with the SHA-256 case.db records; every custody
# entry an InvestigativeAction with its performer; the people of the
# manifest; the same case state gives the same bytes; the sealed package's
# case.jsonld passes the same term check.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup export_caseuco
tap_plan 23

CHK="python3 $SRCDIR/tests/e2e/caseuco_check.py $SRCDIR/tests/data/export/caseuco-terms.txt"
. "$SRCDIR/tests/e2e/export_lib.sh"
export_sample_case "$T/case"
# Before parsing (the scene workflow): the case without artifacts.
run "export case-uco before parse (no case.db)" "$CUSTOS" --case "$C" export case-uco -o "$T/early.jsonld"
$CHK "$T/early.jsonld" >"$T/chk0.out" 2>&1
ok $? "  ... files, devices, people and actions, listed terms only $(grep problem "$T/chk0.out" | head -1)"
expect_exit 3 "export messages before parse is an input error" "$CUSTOS" --case "$C" export messages
like "$(cat "$T/last.err")" "run custos parse first" "  ... saying to run custos parse"
run "parse" "$CUSTOS" --case "$C" parse
entries=$(wc -l <"$C/custody/log.jsonl")
cp -a "$C" "$T/copy"

run "export case-uco on the unsealed case" "$CUSTOS" --case "$C" export case-uco
J=$C/exports/case-uco.jsonld
[ -s "$J" ]
ok $? "written to exports/case-uco.jsonld"
$CHK "$J" "$C/case.db" >"$T/chk.out" 2>&1
st=$?
sed 's/^/# /' "$T/chk.out"
ok $st "well-formed; only listed CASE/UCO terms; references resolve; one object per case.db row, linked to its source file's SHA-256"
out=$(cat "$T/chk.out")
like "$out" "InvestigativeAction=$entries " "one InvestigativeAction per custody entry before the export ($entries)"
like "$out" "Message=$(sqlite3 "$C/case.db" 'SELECT count(*) FROM messages') " "Message objects = sqlite3 count"
like "$out" "linked=[1-9]" "artifacts linked to their source files"
py='import json,sys
d=json.load(open(sys.argv[1]))
g=d["@graph"]
people={n["uco-core:name"] for n in g if n["@type"]=="uco-identity:Person"}
acts=[n for n in g if n["@type"]=="case-investigation:InvestigativeAction"]
names={n["uco-core:name"] for n in acts}
byid={n["@id"]:n for n in g}
perf={byid[a["uco-action:performer"]["@id"]]["uco-core:name"] for a in acts if "uco-action:performer" in a}
print(" ".join(sorted(people))); print(" ".join(sorted(names))); print(" ".join(sorted(perf)))'
python3 -c "$py" "$J" >"$T/people"
like "$(sed -n 1p "$T/people")" "王建国" "investigators of the manifest are Person objects"
like "$(sed -n 1p "$T/people")" "赵某某" "the holder is a Person"
like "$(sed -n 2p "$T/people")" "parse" "PARSE is an investigative action"
like "$(sed -n 2p "$T/people")" "case init" "CASE_INIT is an investigative action"
like "$(sed -n 3p "$T/people")" "李检查" "actions name their performer (the examiner)"
! grep -q '990101199003071234' "$J"
ok $? "no identity-card number of the manifest in the document"

# Same case state, same bytes: the copy made before the export.
"$CUSTOS" --case "$T/copy" -q export case-uco -o "$T/copy.jsonld"
cmp -s "$J" "$T/copy.jsonld"
ok $? "a copy of the same case state exports the same bytes"

# The sealed package: its case.jsonld passes the same term check.
run "seal" "$CUSTOS" --case "$C" seal --allow-incomplete -o "$T/pkg"
unzip -p "$T"/pkg/*.custos.zip case.jsonld >"$T/sealed.jsonld"
$CHK "$T/sealed.jsonld" "$C/case.db" >"$T/chk2.out" 2>&1
st=$?
sed 's/^/# /' "$T/chk2.out"
ok $st "the sealed package's case.jsonld uses only listed terms, references resolve"
