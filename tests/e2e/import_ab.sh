#!/bin/sh
# import_ab.sh - adb backup files (.ab) generated independently by
# fixtures/import/mk_ab.py: versions 1 and 5, compressed or not, plain and
# AES-256 (version 1 raw-byte and version >= 2 Java-char key checksums);
# member digests, FullBackup token -> device path mapping, the .ab's own
# digest, wrong password (exit 3), truncated file (earlier members kept).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_ab
tap_plan 37

GEN="python3 $SRCDIR/fixtures/import/mk_ab.py"
printf 'ab-pass-7\n' >"$T/pw"
printf 'nope\n' >"$T/bad"

check() { # check CASE ITEM EXPECTED LABEL
	python3 - "$1/inventory/$2.jsonl" "$3" "$1" <<'PY'
import json, sys, hashlib, os
inv = {json.loads(l)["origin"]: json.loads(l) for l in open(sys.argv[1])}
bad = 0
for l in open(sys.argv[2]):
    e = json.loads(l)
    r = inv.get(e["name"])
    if r is None or r["sha256"] != e["sha256"] or r["md5"] != e["md5"] or r["size"] != e["size"]:
        print("# mismatch", e["name"], r and r["sha256"]); bad += 1; continue
    data = open(os.path.join(sys.argv[3], r["evidence_path"]), "rb").read()
    if hashlib.sha256(data).hexdigest() != e["sha256"]:
        print("# copy differs", e["name"]); bad += 1
sys.exit(1 if bad else 0)
PY
	ok $? "$4: every member stored with matching sha256/md5"
}

for v in 1 5; do
	for comp in 0 1; do
		for enc in none aes; do
			L="v$v comp=$comp $enc"
			A=$T/b-$v-$comp-$enc.ab
			if [ $enc = aes ]; then
				must $GEN "$A" "$A.exp" --version $v --compressed $comp --password-file "$T/pw" --rounds 2000
			else
				must $GEN "$A" "$A.exp" --version $v --compressed $comp
			fi
			C=$T/case-$v-$comp-$enc
			mkcase "$C"
			if [ $enc = aes ]; then
				run "$L: import" "$CUSTOS" --case "$C" import "$A" --item AB --password-file "$T/pw"
			else
				run "$L: import" "$CUSTOS" --case "$C" import "$A" --item AB
			fi
			check "$C" AB "$A.exp" "$L"
			sha=$(sha256sum "$A" | cut -d' ' -f1)
			grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -qF "\"sha256\":\"$sha\""
			ok $? "$L: the .ab file's own sha256 recorded"
		done
	done
done
C=$T/case-1-1-aes
grep -q '"device_path":"/data/data/com.tencent.mm/databases/EnMicroMsg.db"' "$C/inventory/AB.jsonl"
ok $? "apps/<pkg>/db/ maps to /data/data/<pkg>/databases/"
grep -q '"device_path":"/data/data/com.tencent.mm/shared_prefs/system_config_prefs.xml"' "$C/inventory/AB.jsonl"
ok $? "apps/<pkg>/sp/ maps to shared_prefs"
grep -q '"device_path":"/data/user_de/0/com.tencent.mm/databases/de.db"' "$C/inventory/AB.jsonl"
ok $? "apps/<pkg>/d_db/ maps to /data/user_de/0/<pkg>/databases/"
grep -q '"device_path":"/storage/emulated/0/DCIM/Camera/IMG_1.jpg"' "$C/inventory/AB.jsonl"
ok $? "shared/0/ maps to /storage/emulated/0/"
grep -q '"device_path":"/_ab/apps/com.tencent.mm/_manifest"' "$C/inventory/AB.jsonl"
ok $? "_manifest kept under /_ab/"
grep -q '"format":"android-ab"' "$C/custody/log.jsonl"
ok $? ".ab autodetected"

C=$T/case-wrong
mkcase "$C"
expect_exit 3 "wrong password: exit 3" "$CUSTOS" --case "$C" import "$T/b-5-1-aes.ab" --password-file "$T/bad"
like "$(cat "$T/last.err")" "b-5-1-aes.ab.*wrong password" "message names the file"
grep -rqa 'ab-pass-7' "$T"/case-*
nok $? "password in no case file"

must $GEN "$T/trunc.ab" "$T/trunc.exp" --version 5 --compressed 1 --truncate 20000
C=$T/case-trunc
mkcase "$C"
"$CUSTOS" --case "$C" import "$T/trunc.ab" --item TR >"$T/tr.out" 2>"$T/tr.err"
st=$?
ok $([ $st -eq 5 ] && echo 0 || echo 1) "truncated .ab: partial (exit $st)"
like "$(cat "$T/tr.err")" "trunc.ab.*(truncated|damaged)" "truncation named"
n=$(grep -c '"sha256":"' "$C/inventory/TR.jsonl")
ok $([ "$n" -ge 2 ] && echo 0 || echo 1) "members before the cut kept ($n)"
python3 - "$C/inventory/TR.jsonl" "$T/trunc.exp" <<'PY'
import json, sys
exp = {json.loads(l)["name"]: json.loads(l) for l in open(sys.argv[2])}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if (r["meta"] or {}).get("truncated"):
        continue
    assert r["sha256"] == exp[r["origin"]]["sha256"], r["origin"]
PY
ok $? "complete members before the cut have the right digests"
tap_done
