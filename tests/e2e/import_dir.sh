#!/bin/sh
# import_dir.sh - `custos import` of directory trees (android-dir, dir):
# digests against sha256sum/md5sum, device paths, mtimes, read-only copies,
# symlinks recorded and not followed, the source untouched, custody chain,
# and the autodetection refusing to guess.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_dir
tap_plan 37

tree_hash() { (cd "$1" && find . -printf '%p %y %s %T@ %m %l\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort) | sha256sum; }

# An Android file-system dump.
S=$T/src
mkdir -p "$S/data/data/com.tencent.mm/databases" "$S/sdcard/DCIM" "$S/system" "$T/outside"
printf '# build properties\nro.build.version.release=13\nro.product.manufacturer=Xiaomi\nro.product.model=2201123C\nro.build.display.id=TKQ1.220829.002\n' >"$S/system/build.prop"
printf 'wechat db bytes\n' >"$S/data/data/com.tencent.mm/databases/EnMicroMsg.db"
head -c 300000 /dev/urandom >"$S/sdcard/DCIM/IMG_0001.jpg"
: >"$S/sdcard/empty.txt"
printf 'x' >"$S/sdcard/$(printf '\344\270\255\346\226\207').txt"
printf 'y' >"$S/sdcard/bad$(printf '\377')name"
echo secret >"$T/outside/target.txt"
ln -s "$T/outside/target.txt" "$S/sdcard/escape-link"
ln -s ../../outside "$S/sdcard/escape-dir"
mkfifo "$S/sdcard/fifo"
touch -d '2021-02-03 04:05:06' "$S/sdcard/DCIM/IMG_0001.jpg"
chmod 600 "$S/data/data/com.tencent.mm/databases/EnMicroMsg.db"
before=$(tree_hash "$S")

C=$T/case
mkcase "$C"
: >"$T/marker"
run "import android-dir" "$CUSTOS" --case "$C" import "$S"
INV=$C/inventory/ITEM1.jsonl
ok $? "inventory written for ITEM1"
is "$(tree_hash "$S")" "$before" "source tree unchanged (names, sizes, mtimes, modes, content)"

# Every regular file: inventory digests equal sha256sum/md5sum of the source.
n_src=$(cd "$S" && find . -type f | wc -l)
n_inv=$(grep -c '"type":"file"' "$INV")
is "$n_inv" "$n_src" "one inventory line per regular file ($n_src)"
bad=0
for f in data/data/com.tencent.mm/databases/EnMicroMsg.db sdcard/DCIM/IMG_0001.jpg sdcard/empty.txt; do
	sha=$(sha256sum "$S/$f" | cut -d' ' -f1)
	md5=$(md5sum "$S/$f" | cut -d' ' -f1)
	grep -F "\"device_path\":\"/$f\"" "$INV" | grep -F "\"sha256\":\"$sha\"" | grep -qF "\"md5\":\"$md5\"" || { bad=1; echo "# mismatch for $f"; }
	cmp -s "$S/$f" "$C/evidence/ITEM1/$f" || { bad=1; echo "# copy differs: $f"; }
done
ok $bad "digests match sha256sum/md5sum and copies are byte-identical"
# Each non-empty file's first bytes (up to 16) are on its line as "head"
# (seal names the format from them without reopening the file).
python3 - "$INV" "$C" <<'PY'
import json, os, sys
inv, case = sys.argv[1], sys.argv[2]
n = 0
for line in open(inv, "rb"):
    r = json.loads(line)
    if r.get("type") != "file":
        continue
    first = open(os.path.join(case, r["evidence_path"]), "rb").read(16)
    want = first.hex() if first else None
    assert r.get("head") == want, (r["device_path"], r.get("head"), want)
    n += 1
assert n > 0
PY
ok $? "inventory head = the first 16 bytes of each evidence copy (python3)"
same "$(stat -c %Y "$C/evidence/ITEM1/sdcard/DCIM/IMG_0001.jpg")" "$(stat -c %Y "$S/sdcard/DCIM/IMG_0001.jpg")" "mtime kept"
is "$(stat -c %a "$C/evidence/ITEM1/data/data/com.tencent.mm/databases/EnMicroMsg.db")" "444" "evidence copy is read-only"
grep -F '"device_path":"/data/data/com.tencent.mm/databases/EnMicroMsg.db"' "$INV" | grep -q '"mode":384'
ok $? "source mode (0600) recorded"
grep -F '"device_path":"/sdcard/escape-link"' "$INV" | grep -q '"type":"symlink","size":0,"sha256":null'
ok $? "symlink recorded as symlink"
grep -F '"device_path":"/sdcard/escape-link"' "$INV" | grep -qF "\"link_target\":\"$T/outside/target.txt\""
ok $? "symlink target recorded"
test ! -e "$C/evidence/ITEM1/sdcard/escape-link" && test ! -e "$C/evidence/ITEM1/sdcard/escape-dir"
ok $? "symlinks not materialised or followed"
grep -rqs secret "$C/evidence"
nok $? "the symlink target's content was not copied"
grep -q 'bad%FFname' "$INV"
ok $? "non-UTF-8 name escaped reversibly (%FF)"
test -f "$C/evidence/ITEM1/sdcard/bad%FFname"
ok $? "non-UTF-8 name stored under its escaped name"
grep -q '"device_path":"/sdcard/中文.txt"' "$INV"
ok $? "UTF-8 names kept as is"
grep -q 'special file' "$C/custody/log.jsonl"
ok $? "FIFO reported as not copied"
new=$(find "$T" -mindepth 1 -newer "$T/marker" ! -path "$C" ! -path "$C/*" ! -name 'last.*' | wc -l)
is "$new" "0" "nothing written outside the case"

# Custody: one IMPORT entry with counts, content root and inventory hash;
# the chain checked independently (prev = SHA-256(0x00 || body)).
python3 - "$C" <<'PY'
import hashlib, json, sys, re
c = sys.argv[1]
lines = open(c + "/custody/log.jsonl", "rb").read().split(b"\n")[:-1]
prev = "0" * 64
imp = None
for l in lines:
    body = l[len(b'{"body":'):]
    depth = 0
    for i, ch in enumerate(body):
        if ch == ord("{"): depth += 1
        elif ch == ord("}"):
            depth -= 1
            if depth == 0: break
    body = body[: i + 1]
    e = json.loads(body)
    assert e["prev"] == prev, "chain broken"
    prev = hashlib.sha256(b"\0" + body).hexdigest()
    if e["event"] == "IMPORT": imp = e
assert imp is not None, "no IMPORT entry"
d = imp["details"]
inv = open(c + "/inventory/ITEM1.jsonl", "rb").read()
assert d["inventory_sha256"] == hashlib.sha256(inv).hexdigest(), "inventory hash"
assert d["format"] == "android-dir" and d["item"] == "ITEM1", "format/item"
# content root recomputed independently (RFC 6962 over content leaves)
recs = sorted((json.loads(l) for l in inv.decode().splitlines()), key=lambda r: r["evidence_path"].encode())
leaves = [hashlib.sha256(b"\0" + ("%s\0%d\0%s" % (r["evidence_path"], r["size"], r["sha256"])).encode()).digest()
          for r in recs if r["type"] == "file"]
def mth(l):
    if not l: return hashlib.sha256(b"").digest()
    if len(l) == 1: return l[0]
    k = 1
    while k * 2 < len(l): k *= 2
    return hashlib.sha256(b"\1" + mth(l[:k]) + mth(l[k:])).digest()
assert d["content_root"]["root"] == mth(leaves).hex(), "content root"
assert d["files"] == len(leaves), "files count"
m = json.load(open(c + "/manifest.json"))
a = [x for x in m["acquisitions"] if x["item_id"] == "ITEM1"][0]
assert a["method"] == "import" and a["status"] == "complete" and a["end"], "acquisition entry"
it = [i for i in m["items"] if i["item_id"] == "ITEM1"][0]
assert it["os"] == "Android" and it["os_version"] == "13" and it["build"] == "TKQ1.220829.002", it
assert it["features"]["make"] == "Xiaomi" and it["features"]["model"] == "2201123C", it
assert it["facts_source"] == "evidence/ITEM1/system/build.prop", it
PY
ok $? "custody chain, IMPORT details, content root and manifest (with build.prop facts) check out independently"

# Importing into the same item again is refused without --resume.
expect_exit 2 "second import into the same item refused" "$CUSTOS" --case "$C" import "$S" --item ITEM1
like "$(cat "$T/last.err")" "already imported into item 'ITEM1'" "refusal says why"

# A plain directory (no data/, sdcard/, system/): format "dir".
P=$T/plain
mkdir -p "$P/x"
echo hi >"$P/x/y.txt"
C2=$T/case2
mkcase "$C2"
run "import plain dir" "$CUSTOS" --case "$C2" import "$P" --item PLAIN-1
grep -q '"device_path":"/x/y.txt"' "$C2/inventory/PLAIN-1.jsonl"
ok $? "plain dir imported under the given item"
grep -q '"format":"dir"' "$C2/custody/log.jsonl"
ok $? "format dir recorded"
run "--json import" "$CUSTOS" --json --case "$C2" import "$P" --item JSON-1 --again --reason "second copy for the --json test"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['item'] == 'JSON-1' and d['files'] == 1 and d['status'] == 'complete', d
" "$T/last.out"
ok $? "--json prints one JSON object with the counts"
expect_exit 2 "unsafe --item refused" "$CUSTOS" --case "$C2" import "$P" --item '../x'

# Ambiguity: an iOS backup that also has an Android data/ dir.
A=$T/ambig
mkdir -p "$A/data"
: >"$A/Manifest.db"
: >"$A/Manifest.plist"
expect_exit 2 "ambiguous image refused" "$CUSTOS" --case "$C2" import "$A"
like "$(cat "$T/last.err")" "ios-backup, android-dir" "refusal lists the candidates"
like "$(cat "$T/last.err")" "--format" "refusal asks for --format"
run "explicit --format resolves it" "$CUSTOS" --case "$C2" import "$A" --format android-dir --item AMB
# The case inside the image (would write into the source), the image
# inside the case (would walk its own copy): both refused.
mkcase "$P/incase"
expect_exit 2 "case inside the image refused" "$CUSTOS" --case "$P/incase" import "$P"
like "$(cat "$T/last.err")" "overlap" "overlap explained"
test ! -e "$P/incase/evidence/ITEM1"
ok $? "nothing written into the image"
rm -rf "$P/incase"
mkdir -p "$C2/work/img"
echo z >"$C2/work/img/z"
expect_exit 2 "image inside the case refused" "$CUSTOS" --case "$C2" import "$C2/work/img"
expect_exit 3 "unknown file format is an input error" "$CUSTOS" --case "$C2" import "$T/marker"
expect_exit 3 "missing source is an input error" "$CUSTOS" --case "$C2" import "$T/nonexistent"
tap_done
