#!/bin/sh
# import_samples.sh - the sample phone images of fixtures/make-samples.sh
# (expected facts in fixtures/expected/images.json), generators written
# apart from fixtures/import: the plain and encrypted
# iOS backups must give the same plaintext for every file, the hostile one
# is partial and contained, the Android tar/tar.gz members match python's
# tarfile, and the item facts match images.json.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_samples
tap_plan 12

S=$T/samples
if ! sh "$SRCDIR/fixtures/make-samples.sh" "$S" >"$T/gen.log" 2>&1; then
	FIXTURES_NO_SQLCIPHER=1 sh "$SRCDIR/fixtures/make-samples.sh" "$S" >"$T/gen.log" 2>&1 ||
		bail "fixtures/make-samples.sh failed: $(tail -1 "$T/gen.log")"
fi
IMAGES=$SRCDIR/fixtures/expected/images.json
ITEM=F17XK0CUSTOS

C=$T/case
mkcase "$C"
run "sample iOS backup (plain)" "$CUSTOS" --case "$C" import "$S/ios-backup"
python3 - "$C" "$IMAGES" "$S" <<'PY'
import hashlib, json, sys
case, images, s = sys.argv[1:]
im = json.load(open(images))["images"][0]
inv = [json.loads(l) for l in open(case + "/inventory/F17XK0CUSTOS.jsonl")]
files = [r for r in inv if r["type"] == "file" and not r["device_path"].startswith("_backup/")]
assert len(files) == im["files"], (len(files), im["files"])
by = {r["device_path"]: r for r in inv}
root = s + "/" + im["image"]
for a in im["artifacts"]:
    r = by[a["device_path"]]
    if "file_id" in a:
        fid = a["file_id"]
        want = hashlib.sha256(open("%s/%s/%s" % (root, fid[:2], fid), "rb").read()).hexdigest()
        assert r["sha256"] == want and r["origin"] == fid[:2] + "/" + fid, a
for m in im["media"]:
    assert m in by, m
m = json.load(open(case + "/manifest.json"))
it = [i for i in m["items"] if i["item_id"] == "F17XK0CUSTOS"][0]
f = im["item"]
assert it["os_version"] == f["os_version"] and it["build"] == f["build"], it
assert it["features"]["model"] == f["model"] and it["name"] == f["device_name"], it
assert it["identifiers"]["udid"] == f["udid"] and it["identifiers"]["imei"] == [f["imei"]], it
assert it["identifiers"]["msisdn"] == f["phone_numbers"], it
PY
ok $? "plain: file count, artifact digests and origins, media, item facts as images.json says"

CE=$T/case-enc
mkcase "$CE"
run "sample iOS backup (encrypted)" "$CUSTOS" --case "$CE" import "$S/ios-backup-encrypted" --password-file "$S/ios-backup-encrypted.password"
python3 - "$C/inventory/$ITEM.jsonl" "$CE/inventory/$ITEM.jsonl" <<'PY'
import json, sys
plain = {json.loads(l)["device_path"]: json.loads(l) for l in open(sys.argv[1])}
der = [json.loads(l) for l in open(sys.argv[2])]
der = [r for r in der if r["kind"] == "derived"]
n = 0
for r in der:
    if r["device_path"].startswith("_backup/"):
        continue
    assert plain[r["device_path"]]["sha256"] == r["sha256"], r["device_path"]
    n += 1
assert n == 19, n
PY
ok $? "encrypted: all 19 decrypted files equal the plain backup's files"

CH=$T/case-h
mkcase "$CH"
expect_exit 5 "sample hostile backup: partial" "$CUSTOS" --case "$CH" import "$S/ios-backup-hostile"
like "$(cat "$T/last.err")" "Notes/notes.sqlite' is listed in Manifest.db but missing" "missing file reported"
like "$(cat "$T/last.err")" "custos-escape.txt.*'\.\.'" "climbing relativePath refused"
test ! -e /tmp/custos-escape.txt
ok $? "nothing escaped"

for a in android.tar android.tar.gz; do
	CA=$T/case-$a
	mkcase "$CA"
	run "$a: import" "$CUSTOS" --case "$CA" import "$S/$a" --item AND
	python3 - "$S/$a" "$CA" "$IMAGES" <<'PY'
import hashlib, json, sys, tarfile
img, case, images = sys.argv[1:]
inv = {json.loads(l)["device_path"]: json.loads(l) for l in open(case + "/inventory/AND.jsonl")}
n = 0
with tarfile.open(img) as t:
    for m in t:
        if not m.isfile():
            continue
        dev = "/" + m.name.lstrip("./").lstrip("/")
        got = inv[dev]
        assert got["sha256"] == hashlib.sha256(t.extractfile(m).read()).hexdigest(), dev
        assert got["size"] == m.size, dev
        n += 1
assert n == len([r for r in inv.values() if r["type"] == "file"]), n
im = [i for i in json.load(open(images))["images"] if i["format"] == "android-tar"][0]
for a in im["artifacts"]:
    assert a["device_path"] in inv, a["device_path"]
m = json.load(open(case + "/manifest.json"))
it = [i for i in m["items"] if i["item_id"] == "AND"][0]
f = im["item"]
assert it["features"]["make"] == f["make"] and it["features"]["model"] == f["model"], it
assert it["os_version"] == f["os_version"] and it["identifiers"]["serial"] == f["serial"], it
PY
	ok $? "$a: every member's digest equals python tarfile's, artifacts present, build.prop facts"
done
tap_done
