#!/bin/sh
# import_resume.sh - an import killed with SIGKILL (test hook
# CUSTOS_TEST_KILL_AFTER_FILES=N: the process kills itself once N files are
# recorded, in the middle of writing the next one; CUSTOS_IMPORT_BATCH_FILES
# sets the group-commit size so some recorded files are not yet listed)
# leaves a resumable case:
# no IMPORT entry, the partial file is removed and redone on --resume, the
# files already listed are re-checked from their evidence copies (not
# re-copied), a torn inventory line is tolerated, and the custody chain
# stays valid. A tampered evidence copy is caught on resume.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_resume
tap_plan 26
# The kill hook exists only in builds configured with --enable-test-hooks.
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"

chain_ok() { # chain_ok CASE: prev links and seq checked independently
	python3 - "$1/custody/log.jsonl" <<'PY'
import hashlib, json, sys
prev, seq = "0" * 64, 0
for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    body = l[len(b'{"body":'):]
    d = 0
    for i, ch in enumerate(body):
        d += (ch == 123) - (ch == 125)
        if d == 0: break
    body = body[: i + 1]
    e = json.loads(body)
    assert e["prev"] == prev and e["seq"] == seq, "broken at %d" % seq
    prev, seq = hashlib.sha256(b"\0" + body).hexdigest(), seq + 1
PY
}
all_match() { # all_match CASE ITEM SRC PREFIX: every source file listed once with its sha256
	(cd "$3" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) | while read -r f; do
		sha=$(sha256sum "$3/$f" | cut -d' ' -f1)
		n=$(grep -F "\"device_path\":\"$4$f\"" "$1/inventory/$2.jsonl" | grep -cF "\"sha256\":\"$sha\"")
		[ "$n" = 1 ] || { echo "# $f listed $n times with the right digest"; echo bad; }
	done | grep -q bad
	test $? -ne 0
}

S=$T/src
mkdir -p "$S/sdcard/a" "$S/data/b"
i=0
while [ $i -lt 12 ]; do
	head -c $((1500000 + i * 1000)) /dev/urandom >"$S/sdcard/a/f$i.bin"
	printf 'small %d\n' $i >"$S/data/b/s$i.txt"
	i=$((i + 1))
done
C=$T/case
mkcase "$C"
CUSTOS_IMPORT_BATCH_FILES=4 CUSTOS_TEST_KILL_AFTER_FILES=6 "$CUSTOS" --case "$C" import "$S" --item R1 >"$T/k.out" 2>"$T/k.err"
is "$?" "137" "import killed by SIGKILL (test hook)"
is "$(wc -l <"$C/inventory/R1.jsonl" | tr -d ' ')" "5" "five files listed before the kill (the first, then a group of four)"
grep -q '"event":"IMPORT"' "$C/custody/log.jsonl"
nok $? "an interrupted import has no IMPORT entry"
n_disk=$(find "$C/evidence/R1" -type f | wc -l)
is "$n_disk" "7" "on disk: five listed, one complete but not yet listed, one partial"
grep -q '"status": "running"' "$C/manifest.json"
ok $? "manifest shows the import as running"
printf '{"kind":"evidence","item":"R1","dev' >>"$C/inventory/R1.jsonl"
run "resume" "$CUSTOS" --case "$C" import "$S" --resume
like "$(cat "$T/last.out")" "5 re-checked" "five files re-checked"
all_match "$C" R1 "$S" /
ok $? "after resume every source file is listed exactly once with its sha256"
is "$(grep -c '"type":"file"' "$C/inventory/R1.jsonl")" "24" "24 files in the inventory"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"resumed":true,"rechecked":5,"partials_removed":2'
ok $? "IMPORT entry: resumed, 5 re-checked, 2 unlisted files removed and redone"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"item_files":24'
ok $? "IMPORT entry counts all 24 files of the item"
chain_ok "$C"
ok $? "custody chain valid after kill and resume"
grep -q '"status": "complete"' "$C/manifest.json"
ok $? "manifest acquisition complete after resume"
grep '"event":"ERROR"' "$C/custody/log.jsonl" | grep -q '"reason":"torn inventory line'
ok $? "the torn inventory line's cut is recorded in an ERROR entry"
python3 -c "
import json,sys
for l in open('$C/inventory/R1.jsonl'): json.loads(l)
"
ok $? "inventory has no torn line left"

# Tampering between the kill and the resume is caught.
C2=$T/case2
mkcase "$C2"
CUSTOS_IMPORT_BATCH_FILES=2 CUSTOS_TEST_KILL_AFTER_FILES=3 "$CUSTOS" --case "$C2" import "$S" --item R2 >/dev/null 2>&1
is "$?" "137" "second import killed"
victim=$(sed -n 2p "$C2/inventory/R2.jsonl" | python3 -c "import json,sys; print(json.load(sys.stdin)['evidence_path'])")
[ -n "$victim" ] || bail "no second inventory line in $C2/inventory/R2.jsonl"
chmod u+w "$C2/$victim"
printf 'X' >>"$C2/$victim"
expect_exit 5 "resume with a tampered evidence copy: partial (exit 5)" "$CUSTOS" --case "$C2" import "$S" --resume --item R2
like "$(cat "$T/last.err")" "no longer matches its inventory line" "tampered copy named"

# A tar resumes the same way (the stream skips the done members).
(cd "$S" && tar -cf "$T/src.tar" sdcard data) || bail "could not build the archive"
C3=$T/case3
mkcase "$C3"
CUSTOS_TEST_KILL_AFTER_FILES=7 "$CUSTOS" --case "$C3" import "$T/src.tar" >/dev/null 2>&1
is "$?" "137" "tar import killed"
run "tar resume (item found from the running acquisition)" "$CUSTOS" --case "$C3" import "$T/src.tar" --resume
all_match "$C3" ITEM1 "$S" /
ok $? "tar: all members listed once with the right digests after resume"
chain_ok "$C3"
ok $? "tar: custody chain valid"

# Encrypted iOS backup: evidence and derived halves resume.
printf 'pw-resume\n' >"$T/pw"
must python3 "$SRCDIR/fixtures/import/mk_ios_backup.py" "$T/ios" --password-file "$T/pw" --dpic 500 --iter 5
C4=$T/case4
mkcase "$C4"
CUSTOS_TEST_KILL_AFTER_FILES=8 "$CUSTOS" --case "$C4" import "$T/ios" --password-file "$T/pw" >/dev/null 2>&1
is "$?" "137" "iOS import killed"
run "iOS resume" "$CUSTOS" --case "$C4" import "$T/ios" --password-file "$T/pw" --resume
python3 - "$C4/inventory/F2LXK0TESTQ1.jsonl" "$T/ios/expected.jsonl" <<'PY'
import json, sys
inv = [json.loads(l) for l in open(sys.argv[1])]
d = {(r["kind"], r["device_path"]): r for r in inv}
assert len(d) == len(inv), "duplicate lines"
for l in open(sys.argv[2]):
    e = json.loads(l)
    assert d[("derived", e["device_path"])]["sha256"] == e["sha256"], e
    assert d[("evidence", e["device_path"])]["sha256"] == e["stored_sha256"], e
PY
ok $? "iOS: every evidence and derived file right and listed once after resume"
grep -c '"event":"DERIVE"' "$C4/custody/log.jsonl" | grep -q '^1$'
ok $? "iOS: one DERIVE entry"
tap_done
