#!/bin/sh
# manifest_change.sh - recorded manifest changes: the manifest as first
# given kept in CASE/manifest.initial.json (0444, CASE_INIT's hash, sealed);
# a hand edit of manifest.json fails `verify CASE` and seal (exit 1, naming
# `custos case set`); `case set` / `case edit` write MANIFEST_CHANGE with the
# changed paths, old and new values and the hashes before and after, and
# refuse what the schema refuses; import and a failed import name the
# manifest they save (a killed one through its ACQUIRE_START entry).
# Cross-checked with sha256sum, python3 and unzip.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup manifest_change
tap_plan 81
MKCASE="$BUILDDIR/tests/unit/mkcase"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
sha() { sha256sum "$1" | cut -c1-64; }
nlines() { wc -l <"$1" | tr -d ' '; }
# entry FIELD...: python3 prints body.details.FIELD... of the last custody line
last_detail() {
	python3 - "$C/custody/log.jsonl" "$@" <<'PY'
import json, sys
b = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[-1])["body"]
v = b
for k in ["details"] + sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(",", ":")))
PY
}

C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
must "$MKCASE" "$C" A1

# ---- the manifest as first given
init_hash=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["body"]["details"]["manifest_sha256"])' "$C/custody/log.jsonl")
is "$(sha "$C/manifest.initial.json")" "$init_hash" "manifest.initial.json has the hash CASE_INIT names"
is "$(stat -c %a "$C/manifest.initial.json")" 444 "manifest.initial.json is read-only (0444)"
cmp -s "$C/manifest.json" "$C/manifest.initial.json"
ok $? "right after init both files are the same bytes"
run "verify CASE: a fresh case passes" "$CUSTOS" verify "$C"
like "$(cat "$T/last.out")" 'ok   manifest-recorded' "verify CASE reports the manifest as recorded"

# ---- a hand edit is detected
cp "$C/manifest.json" "$T/manifest.saved"
must python3 - "$C/manifest.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["seizure"]["items"][0]["identifiers"]["imei"] = ["353260111234566"]
open(sys.argv[1], "w", encoding="utf-8").write(json.dumps(d, ensure_ascii=False, indent=2) + "\n")
PY
expect_exit 1 "verify CASE: a hand-edited manifest.json fails (exit 1)" "$CUSTOS" verify "$C"
like "$(cat "$T/last.out")" "FAIL manifest-recorded: .*manifest.json.*$(sha "$C/manifest.json").*custos case set" \
	"verify names the file, its hash and custos case set"
n=$(nlines "$C/custody/log.jsonl")
expect_exit 1 "seal refuses a hand-edited manifest.json (exit 1)" "$CUSTOS" --case "$C" seal -o hand
like "$(cat "$T/last.err")" "seal refused: .*changed outside custos.*'custos case set FIELD VALUE --reason TEXT'" \
	"seal's message names custos case set"
is "$(ls hand/*.zip 2>/dev/null | wc -l | tr -d ' ')" 0 "no package written"
is "$(nlines "$C/custody/log.jsonl")" "$n" "no custody entry written by the refused seal"
expect_exit 1 "case set refuses to build on a hand edit" "$CUSTOS" --case "$C" case set case.purpose x --reason r
like "$(cat "$T/last.err")" "case edit --adopt" "case set names --adopt for recording the file as found"
cp "$T/manifest.saved" "$C/manifest.json"
run "verify CASE: the recorded version restored passes" "$CUSTOS" verify "$C"

# ---- case set: one field, recorded
before=$(sha "$C/manifest.json")
run "case set seizure.items[0].identifiers.imei" "$CUSTOS" --case "$C" case set \
	'seizure.items[0].identifiers.imei' '["353260111234566"]' --reason "IMEI misread at the scene (label photo 3)"
is "$(last_detail command)" set "MANIFEST_CHANGE: command set"
is "$(tail -n 1 "$C/custody/log.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["event"])')" \
	MANIFEST_CHANGE "the entry is a MANIFEST_CHANGE"
is "$(last_detail reason)" "IMEI misread at the scene (label photo 3)" "MANIFEST_CHANGE: the reason"
is "$(last_detail changes)" '[{"path":"seizure.items[0].identifiers.imei[0]","old":"350000000000006","new":"353260111234566"}]' \
	"MANIFEST_CHANGE: the changed path (down to the list element) with the old and the new value"
is "$(last_detail manifest_sha256_before)" "$before" "MANIFEST_CHANGE: SHA-256 before = sha256sum of the old file"
is "$(last_detail manifest_sha256)" "$(sha "$C/manifest.json")" "MANIFEST_CHANGE: SHA-256 after = sha256sum of manifest.json"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seizure"]["items"][0]["identifiers"]["imei"][0])' "$C/manifest.json")" \
	353260111234566 "manifest.json holds the new IMEI"
is "$(sha "$C/manifest.initial.json")" "$init_hash" "manifest.initial.json unchanged"
run "verify CASE passes after case set" "$CUSTOS" verify "$C"

# typed values: text, JSON, --string, appending with [N]
run "case set text (not JSON) is a string" "$CUSTOS" --case "$C" case set case.purpose '核查 手机' --reason "purpose reworded"
is "$(last_detail changes 0 new)" "核查 手机" "text value recorded as a string"
run "case set --string keeps digits as text" "$CUSTOS" --case "$C" case set --string \
	'seizure.items[0].identifiers.msisdn[1]' 19900000010 --reason "second SIM"
is "$(last_detail changes)" '[{"path":"seizure.items[0].identifiers.msisdn[1]","new":"19900000010"}]' \
	"[N] one past the end appends (no old value)"

# ---- the schema refuses; nothing is written
n=$(nlines "$C/custody/log.jsonl")
s=$(sha "$C/manifest.json")
expect_exit 3 "an invalid value is refused (exit 3)" "$CUSTOS" --case "$C" case set \
	'seizure.items[0].identifiers.imei' 350000000000006 --reason "digits read as a number"
like "$(cat "$T/last.err")" 'seizure.items\[0\].identifiers.imei: should be array or null, is integer' \
	"the schema's message names the field"
like "$(cat "$T/last.err")" "give --string or quote it" "the note says how to give text"
expect_exit 3 "a value outside the schema's enum is refused" "$CUSTOS" --case "$C" case set \
	case.legal_basis.type 没收 --reason r
is "$(nlines "$C/custody/log.jsonl"):$(sha "$C/manifest.json")" "$n:$s" "refused changes write no entry and leave manifest.json"
expect_exit 2 "no --reason: usage error" "$CUSTOS" --case "$C" case set case.purpose x
expect_exit 2 "an unchanged value: nothing to record" "$CUSTOS" --case "$C" case set case.purpose '核查 手机' --reason r
expect_exit 2 "a malformed path" "$CUSTOS" --case "$C" case set 'seizure..items' x --reason r
expect_exit 2 "an index past the end" "$CUSTOS" --case "$C" case set 'seizure.items[5].name' x --reason r
is "$(nlines "$C/custody/log.jsonl")" "$n" "usage errors write no entry"

# ---- case edit: --from FILE and $EDITOR
must python3 - "$C/manifest.json" "$T/next.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["seizure"]["location"]["text"] = "测试地点 二楼"
d["case"]["case_title"] = "测试案件（封存，更正）"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
run "case edit --from FILE" "$CUSTOS" --case "$C" case edit --from "$T/next.json" --reason "scene notes transcribed"
is "$(last_detail command)" edit "MANIFEST_CHANGE: command edit"
is "$(last_detail changes)" '[{"path":"case.case_title","old":"测试案件（封存）","new":"测试案件（封存，更正）"},{"path":"seizure.location.text","old":"测试地点","new":"测试地点 二楼"}]' \
	"case edit records every changed path"
unset VISUAL
EDITOR="sed -i s/TESTSERIAL1/TESTSERIAL9/"
export EDITOR
run "case edit through \$EDITOR" "$CUSTOS" --case "$C" case edit --reason "serial corrected"
is "$(last_detail changes)" '[{"path":"seizure.items[0].identifiers.serial","old":"TESTSERIAL1","new":"TESTSERIAL9"}]' \
	"the editor's change recorded"
is "$(ls "$C/work" | wc -l | tr -d ' ')" 0 "the editor's copy removed"
EDITOR="sed -i s/扣押/没收/"
expect_exit 3 "an invalid edit is refused" "$CUSTOS" --case "$C" case edit --reason r
like "$(cat "$T/last.err")" "your edit is kept in '$C/work/manifest.edit" "the refused edit is kept for the user"
rm -f "$C"/work/manifest.edit.*

# ---- adopt a hand edit, recorded as found
cp "$C/manifest.json" "$T/manifest.saved2"
sed -i 's/"quantity": 1/"quantity": 2/' "$C/manifest.json"
expect_exit 1 "verify CASE fails on a second hand edit" "$CUSTOS" verify "$C"
run "case edit --adopt records the file as found" "$CUSTOS" --case "$C" case edit --adopt \
	--from "$C/manifest.json" --reason "second phone found in the bag"
is "$(last_detail unexplained_before found_sha256)" "$(sha "$C/manifest.json")" "the found hash recorded"
is "$(last_detail unexplained_before recorded_sha256)" "$(sha "$T/manifest.saved2")" "with the hash the log had"
run "verify CASE passes once adopted" "$CUSTOS" verify "$C"

# ---- tampering with the record of a change
# (1) a forged MANIFEST_CHANGE naming a hand-edited manifest breaks the
# chain once any entry follows it (the log's tail is anchored only by a seal,
# the forms or a signature)
cp -a "$C" "$T/tam1"
must "$CUSTOS" --case "$T/tam1" custody add --action NOTE --actor 测试员甲 --note "bag resealed"
sed -i 's/"quantity": 2/"quantity": 3/' "$T/tam1/manifest.json"
must python3 - "$T/tam1/custody/log.jsonl" "$(sha "$T/tam1/manifest.json")" <<'PY'
import sys
p, h = sys.argv[1], sys.argv[2]
lines = open(p, encoding="utf-8").read().splitlines(True)
k = max(i for i, l in enumerate(lines) if '"event":"MANIFEST_CHANGE"' in l)
i = lines[k].index('"manifest_sha256":"') + len('"manifest_sha256":"')
lines[k] = lines[k][:i] + h + lines[k][i + 64:]
open(p, "w", encoding="utf-8").write("".join(lines))
PY
"$CUSTOS" verify "$T/tam1" >"$T/last.out" 2>&1
test $? -ne 0
ok $? "a forged manifest_sha256 in MANIFEST_CHANGE fails verify"
like "$(cat "$T/last.out")" "prev [0-9a-f]{64} does not match the previous entry's leaf" \
	"the custody chain check names the entry after the forged one"
# (2) the last MANIFEST_CHANGE cut off: the manifest is no longer explained
cp -a "$C" "$T/tam2"
sed -i '$d' "$T/tam2/custody/log.jsonl"
expect_exit 1 "a dropped MANIFEST_CHANGE fails verify" "$CUSTOS" verify "$T/tam2"
like "$(cat "$T/last.out")" "FAIL manifest-recorded" "the manifest is reported as unexplained"

# ---- manifest.initial.json is checked too
chmod u+w "$C/manifest.initial.json"
cp "$C/manifest.initial.json" "$T/initial.saved"
printf ' ' >>"$C/manifest.initial.json"
expect_exit 1 "verify CASE fails when manifest.initial.json was altered" "$CUSTOS" verify "$C"
like "$(cat "$T/last.out")" "manifest.initial.json.*not the manifest the CASE_INIT entry names" "the message names the file"
cp "$T/initial.saved" "$C/manifest.initial.json"
chmod 444 "$C/manifest.initial.json"

# ---- seal after recorded changes: the package holds the initial manifest
run "seal passes after recorded changes" "$CUSTOS" --case "$C" seal -o out
P=$(ls out/*.custos.zip)
is "$(unzip -p "$P" manifest.initial.json | sha256sum | cut -c1-64)" "$init_hash" \
	"the package's manifest.initial.json has CASE_INIT's hash"
is "$(unzip -p "$P" manifest.json | python3 -c 'import json,sys; m=json.load(sys.stdin); print([f["sha256"] for f in m["package_files"] if f["path"]=="manifest.initial.json"][0])')" \
	"$init_hash" "the sealed manifest lists manifest.initial.json with that hash"
unzip -p "$P" custody/log.jsonl | grep -c '"event":"MANIFEST_CHANGE"' | grep -qx 6
ok $? "the sealed log holds the six MANIFEST_CHANGE entries"
run "verify PACKAGE passes" "$CUSTOS" verify "$P"
like "$(cat "$T/last.out")" "ok   manifest-initial: manifest.initial.json is CASE_INIT's $init_hash" \
	"verify PACKAGE checks manifest.initial.json against the sealed CASE_INIT"
# a package whose manifest.initial.json and its listing were both replaced
must python3 - "$P" "$T/forged.zip" <<'PY'
import hashlib, json, sys, zipfile
zi = zipfile.ZipFile(sys.argv[1])
m = json.loads(zi.read("manifest.json"))
new = b'{"forged": true}\n'
for f in m["package_files"]:
    if f["path"] == "manifest.initial.json":
        f.update(sha256=hashlib.sha256(new).hexdigest(), md5=hashlib.md5(new).hexdigest(), size=len(new))
with zipfile.ZipFile(sys.argv[2], "w") as zo:
    for info in zi.infolist():
        data = zi.read(info.filename)
        if info.filename == "manifest.initial.json":
            data = new
        elif info.filename == "manifest.json":
            data = (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode()
        zo.writestr(info, data)
PY
"$CUSTOS" verify "$T/forged.zip" >"$T/last.out" 2>&1
like "$(cat "$T/last.out")" "FAIL manifest-initial: manifest.initial.json \(sha256 [0-9a-f]{64}\) is not the manifest CASE_INIT names \($init_hash\)" \
	"a replaced manifest.initial.json is named even with its listing rewritten"

# ---- custody add cannot forge a MANIFEST_CHANGE
expect_exit 2 "custody add --action MANIFEST_CHANGE refused" "$CUSTOS" --case "$C" custody add \
	--action MANIFEST_CHANGE --actor someone --note x

# ---- messages that send the user to the manifest name the command
P2=$T/partial
run "case init without a manifest" "$CUSTOS" case init "$P2" --case-id T-PARTIAL
like "$(cat "$T/last.err")" "mandatory manifest fields are missing.*custos case set FIELD VALUE" \
	"init's missing-fields warning names custos case set"
must "$MKCASE" "$P2" A1
expect_exit 2 "seal of an incomplete manifest refused" "$CUSTOS" --case "$P2" seal -o p2
like "$(cat "$T/last.err")" "misses mandatory fields: .*complete it with 'custos case set FIELD VALUE --reason TEXT'" \
	"seal's missing-fields error names custos case set"

# ---- import names the manifest it saves; a failed import too
I=$T/imp
must "$CUSTOS" case init "$I" --case-id T-IMPORT
mkdir -p "$T/img/sdcard" && printf 'hello\n' >"$T/img/sdcard/a.txt"
run "import a directory" "$CUSTOS" --case "$I" import "$T/img" --format dir --item A1
C=$I
is "$(grep '"event":"IMPORT"' "$I/custody/log.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["details"]["manifest_sha256"])')" \
	"$(sha "$I/manifest.json")" "IMPORT names the SHA-256 of the manifest it saved"
run "verify CASE passes after import" "$CUSTOS" verify "$I"
printf 'Correct-Horse-42\n' >"$T/pw"
printf 'wrong-password\n' >"$T/badpw"
must python3 "$SRCDIR/fixtures/import/mk_ios_backup.py" "$T/enc" --password-file "$T/pw" --dpic 2000 --iter 20
E=$T/enc-case
must "$CUSTOS" case init "$E" --case-id T-IMPORT
expect_exit 3 "a failed import (wrong password) exits 3" "$CUSTOS" --case "$E" import "$T/enc" --password-file "$T/badpw"
C=$E
is "$(last_detail manifest_sha256)" "$(sha "$E/manifest.json")" "its ERROR entry names the manifest recording the failure"
run "verify CASE passes after a failed import" "$CUSTOS" verify "$E"

# ---- a killed import: its ACQUIRE_START names the manifest saying running
K=$T/killed
must "$CUSTOS" case init "$K" --case-id T-IMPORT
mkdir -p "$T/kimg/sdcard"
for i in 1 2 3 4 5 6 7 8; do printf 'file %d\n' $i >"$T/kimg/sdcard/f$i.txt"; done
CUSTOS_IMPORT_BATCH_FILES=2 CUSTOS_TEST_KILL_AFTER_FILES=3 "$CUSTOS" --case "$K" import "$T/kimg" \
	--format dir --item A1 >/dev/null 2>&1
is "$?" 137 "import killed by SIGKILL (test hook)"
C=$K
is "$(last_detail manifest_sha256)" "$(sha "$K/manifest.json")" \
	"the last entry (ACQUIRE_START) names the manifest recording the running import"
"$CUSTOS" verify "$K" >"$T/last.out" 2>&1
like "$(cat "$T/last.out")" 'ok   manifest-recorded' "verify CASE: the killed import's manifest is explained"
run "import --resume finishes it" "$CUSTOS" --case "$K" import "$T/kimg" --format dir --item A1 --resume
run "verify CASE passes after the resume" "$CUSTOS" verify "$K"
tap_done
