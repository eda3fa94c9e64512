#!/bin/sh
# import_sm3.sh - `custos run android.tar --hash sm3`: import and parse's
# derived files (the decrypted WeChat database) are written by the same
# evidence writer, so every inventory row carries SM3, the run seals and
# the package verifies. The SM3 digests are checked with an independent
# tool (openssl dgst -sm3) over the files in the case. Without --hash sm3
# no row has SM3.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_sm3
tap_plan 7

must sh "$SRCDIR/fixtures/make-samples.sh" "$T/s" >/dev/null
M=$SRCDIR/fixtures/manifest/sample-seizure.json
ID=A4403052026110001

# check_inv CASE ITEM WANT: WANT=sm3 every file row has an SM3 equal to
# openssl's over the case file; WANT=none no row has one. Prints
# "<file rows> <derived file rows>".
check_inv() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, subprocess, sys
case, item, want = sys.argv[1:]
rows = [json.loads(l) for l in open("%s/inventory/%s.jsonl" % (case, item), encoding="utf-8")]
files = [r for r in rows if r["type"] == "file"]
derived = [r for r in files if r["kind"] == "derived"]
for r in files:
    if want == "none":
        assert r.get("sm3") is None, r["evidence_path"]
        continue
    out = subprocess.run(["openssl", "dgst", "-sm3", "-r", case + "/" + r["evidence_path"]],
                         check=True, capture_output=True, text=True).stdout
    assert r.get("sm3") == out.split()[0], (r["evidence_path"], r.get("sm3"), out)
print(len(files), len(derived))
PY
}

expect_exit 0 "custos run android.tar --hash sm3 seals" "$CUSTOS" run "$T/s/android.tar" \
	--case-id "$ID" --manifest "$M" --hash sm3 -o "$T/o1"
pkg=$(ls "$T"/o1/*.custos.zip 2>/dev/null)
run "custos verify on the SM3 package" "$CUSTOS" verify "$pkg"
counts=$(check_inv "$T/o1/$ID" A1 sm3)
ok $? "every inventory row has SM3, equal to openssl dgst -sm3 of the file ($counts)"
derived=${counts#* }
[ "${derived:-0}" -ge 1 ]
ok $? "derived files are among them ($derived)"
unzip -p "$pkg" manifest.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
files = [f for f in m["files"] if f["path"].startswith(("evidence/", "derived/"))]
assert files and all(f.get("sm3") and len(f["sm3"]) == 64 for f in files), "missing sm3"
'
ok $? "the sealed manifest lists SM3 for every evidence and derived file"

expect_exit 0 "custos run without --hash sm3" "$CUSTOS" run "$T/s/android.tar" \
	--case-id "$ID" --manifest "$M" -o "$T/o2"
counts=$(check_inv "$T/o2/$ID" A1 none)
ok $? "without --hash sm3 no inventory row has SM3 ($counts)"
tap_done
