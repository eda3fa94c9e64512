#!/bin/sh
# verify_tamper.sh - custos verify on tampered copies of a signed package:
# each tamper fails (exit 1) with its own message naming what changed;
# the untouched package passes.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup verify_tamper
tap_plan 55
MKCASE="$BUILDDIR/tests/unit/mkcase"
CHECK="python3 $SRCDIR/tests/e2e/seal_check.py"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate" "$MKCASE" case A1
run "keygen" "$CUSTOS" keygen -o k.pem
run "seal --sign" "$CUSTOS" --case case seal -o d --sign k.pem
P=$(ls d/*.custos.zip)
EV=evidence/A1/HomeDomain/Library/SMS/sms.db

run "untampered package passes" "$CUSTOS" verify "$P" --pubkey k.pub.pem
like "$(cat "$T/last.out")" 'RESULT: all checks passed' "all checks passed"

# verify_fails NAME REGEX FILE: exit 1 and the output names the failure.
verify_fails() {
	name=$1 re=$2 f=$3
	expect_exit 1 "$name: verify fails" "$CUSTOS" verify "$f" --pubkey k.pub.pem
	like "$(grep '^FAIL' "$T/last.out")" "$re" "$name: named"
}

must $CHECK tamper "$P" t-evidence.zip flip "$EV" 1000
verify_fails "evidence byte flipped" "FAIL entry $EV: '$EV' sha256 mismatch" t-evidence.zip

"$CUSTOS" --json verify t-evidence.zip >bad.json
python3 - bad.json "entry $EV" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [c for c in d["checks"] if not c["ok"]]
sys.exit(0 if d["ok"] is False and [c["name"] for c in bad] == [sys.argv[2]] else 1)
EOF2
ok $? "--json: ok false, exactly the tampered entry's check fails"

must $CHECK tamper "$P" t-derived.zip flip derived/A1/data/data/com.tencent.mm/MicroMsg/0123abcd/EnMicroMsg.plain.db 5
verify_fails "derived byte flipped" 'FAIL entry derived/A1/.*EnMicroMsg.plain.db.*mismatch' t-derived.zip

must $CHECK tamper "$P" t-manifest.zip manifest
verify_fails "manifest.json byte changed" "FAIL zip-comment: .*manifest.json" t-manifest.zip
like "$(grep '^FAIL' "$T/last.out")" "FAIL signature: manifest.json.sig does not verify" \
	"manifest.json byte changed: signature fails too"

must $CHECK tamper "$P" t-custody.zip custody-flip 2
verify_fails "custody line byte flipped" "FAIL custody-chain: .*custody/log.jsonl.*line 3" t-custody.zip
like "$(grep '^FAIL' "$T/last.out")" "FAIL entry custody/log.jsonl" "custody flip: log digest fails"

must $CHECK tamper "$P" t-sig.zip flip manifest.json.sig 10
verify_fails "signature byte flipped" "FAIL signature: manifest.json.sig does not verify" t-sig.zip

must $CHECK tamper "$P" t-delete.zip custody-delete 2
verify_fails "custody line deleted" "FAIL custody-chain: .*line 2: seq is 2, expected 1" t-delete.zip

must $CHECK tamper "$P" t-reorder.zip custody-swap 1 2
verify_fails "custody lines reordered" "FAIL custody-chain: .*line 1: seq is 1, expected 0" t-reorder.zip

cp "$P" t-extra.zip
echo "planted" >extra.txt
must zip -q t-extra.zip extra.txt
verify_fails "extra zip entry" "FAIL entries: unexpected entry 'extra.txt'" t-extra.zip

must $CHECK tamper "$P" t-missing.zip flip mimetype 0
must python3 - "$P" t-drop.zip <<'EOF'
import sys, zipfile
zi = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w") as zo:
    for i in zi.infolist():
        if i.filename != "inventory/A1.jsonl":
            zo.writestr(i, zi.read(i.filename))
    zo.comment = zi.comment
EOF
verify_fails "entry removed" "FAIL entries: entry 'inventory/A1.jsonl' listed in manifest.json package_files\\[\\] is missing" t-drop.zip
verify_fails "mimetype changed" "FAIL mimetype" t-missing.zip

# Hostile names: a duplicate, an absolute path, a "..".
for bad in dup abs dotdot; do
	must python3 - "$P" "t-$bad.zip" "$bad" "$EV" <<'EOF2'
import sys, warnings, zipfile
warnings.simplefilter("ignore")
zi = zipfile.ZipFile(sys.argv[1])
name = {"dup": sys.argv[4], "abs": "/etc/evil", "dotdot": "evidence/../../evil"}[sys.argv[3]]
with zipfile.ZipFile(sys.argv[2], "w") as zo:
    for i in zi.infolist():
        zo.writestr(i, zi.read(i.filename))
    zi2 = zipfile.ZipInfo("x")
    zi2.filename = name
    zo.writestr(zi2, b"planted")
    zo.comment = zi.comment
EOF2
done
verify_fails "duplicate entry name" "FAIL entry-names: entry name '$EV' appears twice" t-dup.zip
verify_fails "absolute entry name" "FAIL entry-names: entry [0-9]+ has an unsafe name '/etc/evil'" t-abs.zip
verify_fails "'..' entry name" "FAIL entry-names: entry [0-9]+ has an unsafe name 'evidence/../../evil'" t-dotdot.zip

# A decompression bomb in place of a small listed entry is stopped early.
must python3 - "$P" t-bomb.zip <<'EOF2'
import sys, zipfile
zi = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w") as zo:
    for i in zi.infolist():
        data = zi.read(i.filename)
        if i.filename == "inventory/A1.jsonl":
            i.compress_type = zipfile.ZIP_DEFLATED
            data = bytes(64 << 20)
        zo.writestr(i, data)
    zo.comment = zi.comment
EOF2
verify_fails "decompression bomb" "FAIL entry inventory/A1.jsonl: .*larger than the [0-9]+ bytes manifest.json lists: stopped" t-bomb.zip

# files[] out of bytewise order (verify walks the package and the lists in
# step, so it relies on the order seal writes) and a path listed twice.
for how in swap dup; do
	must python3 - "$P" "t-list-$how.zip" "$how" <<'EOF2'
import json, sys, zipfile
zi = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w") as zo:
    for i in zi.infolist():
        data = zi.read(i.filename)
        if i.filename == "manifest.json":
            m = json.loads(data)
            f = m["files"]
            if sys.argv[3] == "swap":
                f[0], f[1] = f[1], f[0]
            else:
                f.insert(1, dict(f[0]))
            data = json.dumps(m, indent=2, ensure_ascii=False).encode()
        zo.writestr(i, data)
    zo.comment = zi.comment
EOF2
done
verify_fails "files[] out of order" "FAIL manifest: manifest.json files\\[1\\] .* comes after .*: files\\[\\] must be in strictly increasing bytewise order" t-list-swap.zip
verify_fails "a path listed twice" "FAIL manifest: manifest.json lists 'evidence/[^']*' twice" t-list-dup.zip

size=$(wc -c <"$P")
head -c $((size - 4000)) "$P" >t-trunc.zip
expect_exit 1 "truncated zip: verify fails" "$CUSTOS" verify t-trunc.zip --pubkey k.pub.pem
like "$(cat "$T/last.out")" "FAIL zip-structure: 't-trunc.zip' is not a readable ZIP" "truncated zip: named"
cp t-trunc.zip "t-trunc2.zip" && cp "$P.sha256" "t-trunc2.zip.sha256"
verify_fails "truncated zip with its sidecar" "FAIL outer-hash: package 't-trunc2.zip'" t-trunc2.zip

expect_exit 1 "--expect-sha256 mismatch" "$CUSTOS" verify "$P" --expect-sha256 \
	0000000000000000000000000000000000000000000000000000000000000000
like "$(cat "$T/last.out")" 'FAIL outer-hash' "--expect-sha256 mismatch named"
run "--expect-sha256 match" "$CUSTOS" verify "$P" --expect-sha256 "$(cut -c1-64 "$P.sha256")"

# A byte flipped inside the stored entry without fixing the CRC: libzip's
# CRC check names the entry.
must python3 - "$P" t-crc.zip "$EV" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); info = z.getinfo(sys.argv[3])
data = bytearray(open(sys.argv[1], "rb").read())
off = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 500
data[off] ^= 1
open(sys.argv[2], "wb").write(data)
EOF
verify_fails "raw byte flip (CRC)" "FAIL entry $EV: .*(CRC|sha256 mismatch)" t-crc.zip

expect_exit 3 "missing package: exit 3" "$CUSTOS" verify nothere.zip
echo "not a zip" >junk.zip
expect_exit 3 "not a zip: exit 3" "$CUSTOS" verify junk.zip

run "wrong key: signature fails" "$CUSTOS" keygen -o other.pem
expect_exit 1 "signature with another key fails" "$CUSTOS" verify "$P" --pubkey other.pub.pem
like "$(cat "$T/last.out")" 'FAIL signature' "wrong key named"

tap_done
