#!/bin/sh
# import_items.sh - exhibits bound to the seizure list, typed facts checked
# against the device, and re-imports refused (docs/items.md), on the bundled
# sample images (fixtures/make-samples.sh) and the sample seizure manifest
# (fixtures/manifest/sample-seizure.json: one item A1, IMEI 350000000000006,
# serial F0XAMPLE0001, iOS 17.5.1; the backup says 353260111234566,
# F17XK0CUSTOS, 17.3.1). Cross-checked with python3 (json) and sqlite3.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_items
tap_plan 59
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"

must sh "$SRCDIR/fixtures/make-samples.sh" "$T/s" >/dev/null
M=$SRCDIR/fixtures/manifest/sample-seizure.json
IOS=$T/s/ios-backup
TAR=$T/s/android.tar
C=$T/c1
must "$CUSTOS" case init "$C" --case-id A4403052026110001 --manifest "$M" >/dev/null
# events CASE EVENT: how many custody entries of that kind
events() { grep -c "\"event\":\"$2\"" "$1/custody/log.jsonl"; }

# --- an empty case: parse, report and seal refuse -----------------------
for verb in parse report seal; do
	expect_exit 3 "$verb of a case with no evidence: exit 3" "$CUSTOS" --case "$C" $verb
	like "$(cat "$T/last.err")" 'no items imported yet: run custos import' "$verb: says to import"
done
nok "$(find "$C" -name '*.zip' | grep -q . && echo 0 || echo 1)" "no package written for the empty case"

# --- one seizure item: import without --item files under A1 -------------
run "import without --item" "$CUSTOS" --case "$C" import "$IOS"
like "$(cat "$T/last.out")" 'into item A1' "the manifest's only item A1 is used"
test -d "$C/evidence/A1" && test -s "$C/inventory/A1.jsonl" && ! test -e "$C/evidence/F17XK0CUSTOS"
ok $? "data under evidence/A1, none under the serial"

# --- typed vs read --------------------------------------------------------
python3 - "$C/custody/log.jsonl" >"$T/mm.out" <<'PY'
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    b = json.loads(l)["body"]
    if b["event"] == "MISMATCH":
        d = b["details"]
        print(d["field"], d["typed"], "|", d["read"], "|", d["read_from"])
PY
like "$(grep '^imei ' "$T/mm.out")" '^imei 350000000000006, 350000000000014 \| 353260111234566 \| .*Info\.plist' \
	"MISMATCH entry for the IMEI: typed, read and where"
like "$(grep '^serial ' "$T/mm.out")" 'F0XAMPLE0001 \| F17XK0CUSTOS' "MISMATCH entry for the serial"
like "$(grep '^os_version ' "$T/mm.out")" '17\.5\.1 \| 17\.3\.1' "MISMATCH entry for the OS version"
like "$(cat "$T/last.err")" "warning: .*imei typed at seizure '350000000000006, 350000000000014' but the device says '353260111234566'" \
	"a warning on stderr"
grep -q 'iPhone' "$T/mm.out"
nok $? "the product type iPhone13,2 is not compared with the typed model name"
python3 - "$C/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
typed = m["seizure"]["items"][0]
read = [i for i in m["items"] if i["item_id"] == "A1"][0]
assert typed["identifiers"]["imei"] == ["350000000000006", "350000000000014"], typed
assert typed["identifiers"]["serial"] == "F0XAMPLE0001" and typed["os_version"] == "17.5.1"
assert read["identifiers"]["imei"] == ["353260111234566"], read
assert {x["field"] for x in read["mismatches"]} >= {"imei", "serial", "os_version"}, read
PY
ok $? "manifest: seizure.items[] keeps the typed values, items[] holds the read ones"

run "parse" "$CUSTOS" --case "$C" parse
is "$(sqlite3 "$C/case.db" "SELECT imei || ' ' || serial || ' ' || os_version FROM items WHERE item_id = 'A1'")" \
	"353260111234566 F17XK0CUSTOS 17.3.1" "case.db items holds what the device said"
run "report" "$CUSTOS" --case "$C" report
python3 - "$C/report/index.html" <<'PY'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
assert "扣押时记录" in h and "设备读取" in h, "column labels"
row = re.search(r'<tr class="mismatch"><th>IMEI[^<]*</th><td><bdi>([^<]*)</bdi></td><td><bdi>([^<]*)</bdi>', h)
assert row, "red IMEI row"
assert row.group(1) == "350000000000006, 350000000000014" and row.group(2) == "353260111234566", row.groups()
assert re.search(r'<tr class="mismatch"><th>序列号 Serial', h), "red serial row"
assert not re.search(r'<tr class="mismatch"><th>厂商 Make', h), "make matches"
PY
ok $? "report: both columns labelled, the IMEI row red with both values"
F=$(grep -l '设备读取与扣押记录不符' "$C"/report/*.html "$C"/report/*/*.html 2>/dev/null | head -1)
test -n "$F" && grep -q 'class="mismatch"><b>设备读取与扣押记录不符：</b>检材 A1 IMEI：扣押时记录 350000000000006, 350000000000014，设备读取 353260111234566' "$F"
ok $? "forms: a red line with both IMEI values"
must "$CUSTOS" --case "$C" report --format docx >/dev/null
python3 - "$C/report/forms/examination-record.docx" <<'PY'
import re, sys, zipfile, xml.dom.minidom
x = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode("utf-8")
xml.dom.minidom.parseString(x)
red = re.findall(r'<w:color w:val="C00000"/></w:rPr><w:t xml:space="preserve">([^<]*)</w:t>', x)
assert any("353260111234566" in t and "350000000000006" in t for t in red), red
PY
ok $? "forms (docx): well-formed, the IMEI mismatch in a red run"

# --- re-import refused ----------------------------------------------------
n0=$(events "$C" IMPORT)
expect_exit 2 "the same backup again: refused" "$CUSTOS" --case "$C" import "$IOS"
like "$(cat "$T/last.err")" "already imported into item 'A1'" "says it is already imported"
expect_exit 2 "--resume after a finished import: refused" "$CUSTOS" --case "$C" import "$IOS" --resume
like "$(cat "$T/last.err")" "nothing to resume" "says there is nothing to resume"
is "$(events "$C" IMPORT)" "$n0" "no IMPORT entry added by the refusals"

# --- an item the seizure list does not name -------------------------------
expect_exit 2 "--item A2 not in the seizure list: refused" "$CUSTOS" --case "$C" import "$TAR" --item A2
like "$(cat "$T/last.err")" "item 'A2' is not in the seizure list \(A1\).*--new-item --reason" "names the list and the way out"
expect_exit 2 "--new-item without --reason: refused" "$CUSTOS" --case "$C" import "$TAR" --item A2 --new-item
run "--new-item --reason accepted" "$CUSTOS" --case "$C" import "$TAR" --item A2 --new-item --reason "在车内另行发现"
python3 - "$C/custody/log.jsonl" "$C/manifest.json" <<'PY'
import json, sys
imp = [json.loads(l)["body"] for l in open(sys.argv[1], encoding="utf-8")]
imp = [b for b in imp if b["event"] == "IMPORT" and b["details"]["item"] == "A2"]
assert len(imp) == 1 and imp[0]["details"]["new_item"] == {"reason": "在车内另行发现"}, imp
m = json.load(open(sys.argv[2], encoding="utf-8"))
a = [a for a in m["acquisitions"] if a["item_id"] == "A2"][0]
assert a["new_item"]["reason"] == "在车内另行发现", a
assert [i for i in m["items"] if i["item_id"] == "A2"][0]["not_in_seizure_list"] is True
PY
ok $? "the reason is recorded in the IMPORT entry and the manifest"
must "$CUSTOS" --case "$C" parse >/dev/null
must "$CUSTOS" --case "$C" report >/dev/null
grep -q '检材 A2（未列入扣押清单，理由：在车内另行发现）' "$C"/report/*.html "$C"/report/*/*.html 2>/dev/null
ok $? "forms: A2 shown as 未列入扣押清单 with the reason"
grep -q '未列入扣押清单的检材：</b>A2，理由：在车内另行发现' "$C"/report/*.html "$C"/report/*/*.html 2>/dev/null
ok $? "forms: the examination record lists A2 as not in the seizure list"

# --- the same image twice --------------------------------------------------
expect_exit 2 "the same tar into another item: refused" "$CUSTOS" --case "$C" import "$TAR" --item A3 --new-item --reason x
like "$(cat "$T/last.err")" "same image \($(sha256sum "$TAR" | cut -c1-64)\).*--again --reason" "names the SHA-256 and --again"
cp "$TAR" "$T/copy.tar"
expect_exit 2 "a copy of it under another name: refused too" "$CUSTOS" --case "$C" import "$T/copy.tar" --item A3 --new-item --reason x
expect_exit 2 "--again without --reason: refused" "$CUSTOS" --case "$C" import "$T/copy.tar" --item A3 --new-item --again
run "--again --reason accepted" "$CUSTOS" --case "$C" import "$T/copy.tar" --item A3 --new-item --again --reason "second examiner copy"
python3 - "$C/custody/log.jsonl" "$(sha256sum "$TAR" | cut -c1-64)" <<'PY'
import json, sys
imp = [json.loads(l)["body"] for l in open(sys.argv[1], encoding="utf-8")]
d = [b["details"] for b in imp if b["event"] == "IMPORT" and b["details"]["item"] == "A3"][0]
assert d["again"]["reason"] == "second examiner copy", d
assert d["again"]["same_as"]["item"] == "A2" and d["again"]["same_as"]["sha256"] == sys.argv[2], d
assert d["source_sha256"] == sys.argv[2], d
PY
ok $? "--again: reason and the earlier import recorded in the IMPORT entry"

# --- several seizure items: --item required --------------------------------
python3 - "$M" "$T/two.json" <<'PY'
import copy, json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
b = copy.deepcopy(m["seizure"]["items"][0])
b["item_id"] = "A2"
m["seizure"]["items"].append(b)
json.dump(m, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
must "$CUSTOS" case init "$T/c2" --case-id A4403052026110001 --manifest "$T/two.json" >/dev/null
expect_exit 2 "two seizure items, no --item: exit 2" "$CUSTOS" --case "$T/c2" import "$TAR"
like "$(cat "$T/last.err")" 'names 2 items \(A1, A2\).*--item' "the ids are listed"
test -d "$T/c2/evidence/ITEM1" || test -d "$T/c2/evidence/A1"
nok $? "nothing imported"
run "--item A2 picks the second" "$CUSTOS" --case "$T/c2" import "$TAR" --item A2
python3 - "$T/c2/custody/log.jsonl" <<'PY'
import json, sys
mm = [json.loads(l)["body"]["details"] for l in open(sys.argv[1], encoding="utf-8")
      if '"event":"MISMATCH"' in l]
got = {d["field"]: (d["typed"], d["read"], d["read_from"]) for d in mm}
assert set(got) == {"serial", "model", "os_version"}, got
assert got["serial"] == ("F0XAMPLE0001", "CUSTOS0A1B2C3D", "evidence/A2/system/build.prop"), got
assert got["model"][1] == "Redmi Note 12", got
PY
ok $? "Android: build.prop facts compared, the file named; make Xiaomi vs Apple is not a listed field"
# The same facts typed the way a scene record writes them: no mismatch.
python3 - "$M" "$T/match.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
i = m["seizure"]["items"][0]
i["features"]["model"] = "Redmi Note 12"
i["os"], i["os_version"] = "Android", "13"
i["identifiers"].update(imei=None, iccid=None, msisdn=None, serial="custos0a1b2c3d")
json.dump(m, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
must "$CUSTOS" case init "$T/c4" --case-id A4403052026110001 --manifest "$T/match.json" >/dev/null
run "matching facts: import" "$CUSTOS" --case "$T/c4" import "$TAR"
is "$(events "$T/c4" MISMATCH)" "0" "matching facts (serial in another case): no MISMATCH"

# An exhibit number of the seizure list that is not ASCII is taken as listed.
python3 - "$M" "$T/cj.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
m["seizure"]["items"][0]["item_id"] = "检材1"
json.dump(m, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
must "$CUSTOS" case init "$T/c5" --case-id A4403052026110001 --manifest "$T/cj.json" >/dev/null
run "--item 检材1 (listed) accepted" "$CUSTOS" --case "$T/c5" import "$TAR" --item 检材1

# --- custos run chooses the item the same way -------------------------------
expect_exit 2 "run: two seizure items, no --item: exit 2" "$CUSTOS" run "$TAR" \
	--case-id A4403052026110001 --manifest "$T/two.json" -o "$T/r1"
like "$(cat "$T/last.err")" 'names 2 items \(A1, A2\)' "run: the ids are listed"
run "run --item A9 --new-item --reason" "$CUSTOS" run "$TAR" --case-id A4403052026110001 \
	--manifest "$M" --item A9 --new-item --reason "run test" -o "$T/r2"
grep -q '"new_item":{"reason":"run test"}' "$T/r2/A4403052026110001/custody/log.jsonl"
ok $? "run: the reason is in the IMPORT entry"

# --- a killed import is resumed, never copied a second time ----------------
must "$CUSTOS" case init "$T/c3" --case-id K-1 >/dev/null
CUSTOS_IMPORT_BATCH_FILES=2 CUSTOS_TEST_KILL_AFTER_FILES=4 "$CUSTOS" --case "$T/c3" import "$TAR" >/dev/null 2>&1
is "$?" "137" "import killed (test hook)"
expect_exit 2 "plain re-import after the kill: refused" "$CUSTOS" --case "$T/c3" import "$TAR"
like "$(cat "$T/last.err")" "did not finish: finish it with .custos import --resume" "advises --resume"
test -e "$T/c3/evidence/ITEM2"
nok $? "no second item created"
run "--resume finishes it" "$CUSTOS" --case "$T/c3" import "$TAR" --resume
# A second copy admitted with --again and killed is resumed without asking again.
must "$CUSTOS" --case "$T/c3" import "$T/copy.tar" --item K2 --again --reason "copy" >/dev/null
CUSTOS_IMPORT_BATCH_FILES=2 CUSTOS_TEST_KILL_AFTER_FILES=4 "$CUSTOS" --case "$T/c3" import "$TAR" \
	--item K3 --again --reason "third copy" >/dev/null 2>&1
is "$?" "137" "--again import killed (test hook)"
run "its --resume needs no second --again" "$CUSTOS" --case "$T/c3" import "$TAR" --resume --item K3
tap_done
