#!/bin/sh
# import_ios.sh - iOS backups, plain and encrypted, generated independently
# by fixtures/import/mk_ios_backup.py (python sqlite3/plistlib/cryptography):
# every listed file under <domain>/<relativePath> with the right digests,
# the backup's own metadata files kept, item facts in the manifest, a file
# missing from the backup recorded (exit 5); encrypted: wrong password exit 3
# naming the backup, evidence = encrypted bytes, derived = plaintext, one
# DERIVE entry, the password nowhere in the case or the outputs, the
# derived-key file (0600) accepted in place of the password.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_ios
tap_plan 50

GEN="python3 $SRCDIR/fixtures/import/mk_ios_backup.py"
tree_hash() { (cd "$1" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort) | sha256sum; }
ITEM=F2LXK0TESTQ1

# Compares the inventory with expected.jsonl: mode plain|evidence|derived.
check() { # check CASE EXPECTED MODE
	python3 - "$1/inventory/$ITEM.jsonl" "$2" "$3" "$1" <<'PY'
import json, sys, hashlib, os
inv = [json.loads(l) for l in open(sys.argv[1])]
exp = [json.loads(l) for l in open(sys.argv[2])]
mode, case = sys.argv[3], sys.argv[4]
kind = "derived" if mode == "derived" else "evidence"
by = {(r["kind"], r["device_path"]): r for r in inv}
bad = 0
for e in exp:
    r = by.get((kind, e["device_path"]))
    if r is None:
        print("# missing", kind, e["device_path"]); bad += 1; continue
    want = e["stored_sha256"] if mode == "evidence" else e["sha256"]
    got = hashlib.sha256(open(os.path.join(case, r["evidence_path"]), "rb").read()).hexdigest()
    if r["sha256"] != want or got != want:
        print("# digest", kind, e["device_path"], r["sha256"], got, want); bad += 1
    if mode != "evidence" and r["md5"] != e["md5"]:
        print("# md5", e["device_path"]); bad += 1
    if r["origin"] != e["origin"] and mode != "derived":
        print("# origin", r["origin"], e["origin"]); bad += 1
    if (r["meta"] or {}).get("protection_class") != e["protection_class"]:
        print("# protection class", e["device_path"]); bad += 1
    if mode == "derived":
        if r["derived_from"] != ["evidence/%s/%s" % (r["item"], e["device_path"])]:
            print("# derived_from", r["derived_from"]); bad += 1
        if not (r["derivation"] or "").startswith("ios-backup-aes256-cbc class=%d" % e["protection_class"]):
            print("# derivation", r["derivation"]); bad += 1
sys.exit(1 if bad else 0)
PY
}

# ---- plain backup ----
must $GEN "$T/plain" --missing --unlisted
before=$(tree_hash "$T/plain")
C=$T/case
mkcase "$C"
expect_exit 5 "plain backup with a missing file: partial (exit 5)" "$CUSTOS" --case "$C" import "$T/plain"
like "$(cat "$T/last.err")" "Missing/gone.db.*(listed in Manifest.db|missing)" "the missing file is named"
check "$C" "$T/plain/expected.jsonl" plain
ok $? "every listed file stored as <domain>/<relativePath> with sha256/md5 of the plaintext"
for f in Info.plist Manifest.plist Status.plist Manifest.db; do
	cmp -s "$C/evidence/$ITEM/_backup/$f" "$T/plain/00008030-001A2B3C4D5E802E/$f" || { echo "# $f differs"; false; }
	ok $? "backup metadata kept as evidence: _backup/$f"
done
grep -F '"device_path":"HomeDomain/Library/link"' "$C/inventory/$ITEM.jsonl" | grep -q '"type":"symlink".*"link_target":"/var/mobile/x"'
ok $? "symlink row recorded with its target"
grep -q '"device_path":"HomeDomain/Library/SMS"' "$C/inventory/$ITEM.jsonl"
nok $? "directory rows are not files"
is "$(tree_hash "$T/plain")" "$before" "backup untouched"
grep '"event":"IMPORT"' "$C/custody/log.jsonl" | grep -q '"failures":1.*Missing/gone.db'
ok $? "IMPORT entry records the missing file"
grep "\"device_path\":\"_backup/unlisted/ee/$(printf 'ee%038d' 0)\"" "$C/inventory/$ITEM.jsonl" | grep -q "\"sha256\":\"$(printf 'not in the manifest\n' | sha256sum | cut -d' ' -f1)\""
ok $? "a file on disk that Manifest.db does not name is kept under _backup/unlisted/"
grep -q '"device_path":"_backup/unlisted/stray.txt"' "$C/inventory/$ITEM.jsonl"
ok $? "a stray file in the backup root is kept too"
like "$(cat "$T/last.err")" "not listed in Manifest.db" "unlisted files reported"
python3 - "$C/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
it = [i for i in m["items"] if i["item_id"] == "F2LXK0TESTQ1"][0]
ids = it["identifiers"]
assert it["os"] == "iOS" and it["os_version"] == "16.7" and it["name"] == "Test iPhone", it
assert ids["udid"] == "00008030-001A2B3C4D5E802E" and ids["serial"] == "F2LXK0TESTQ1", ids
assert ids["imei"] == ["356000000000001"] and ids["iccid"] == "89860000000000000001", ids
assert ids["msisdn"] == ["+86 138 0000 0000"] and ids["product_type"] == "iPhone12,1", ids
a = [x for x in m["acquisitions"] if x["item_id"] == "F2LXK0TESTQ1"][0]
assert a["status"] == "partial" and a["method"] == "import", a
assert any("gone.db" in e for e in a["errors"]) and any("gone.db" in n["what"] for n in a["not_acquired"]), a
PY
ok $? "manifest: item facts from Info.plist/Lockdown and the acquisition with its errors"
ls "$C/work" 2>/dev/null | grep -q Manifest
nok $? "staged Manifest.db copy removed from work/"

# ---- encrypted backup ----
printf 'Correct-Horse-42\n' >"$T/pw"
printf 'wrong-password\n' >"$T/badpw"
must $GEN "$T/enc" --password-file "$T/pw" --dpic 2000 --iter 20
before=$(tree_hash "$T/enc")
CE=$T/case-enc
mkcase "$CE"
expect_exit 3 "wrong password: exit 3" "$CUSTOS" --case "$CE" import "$T/enc" --password-file "$T/badpw"
like "$(cat "$T/last.err")" "enc/00008030-001A2B3C4D5E802E.*wrong password" "message names the backup and says wrong password"
test ! -s "$CE/inventory/$ITEM.jsonl"
ok $? "nothing stored after a wrong password"
grep -q '"event":"IMPORT"' "$CE/custody/log.jsonl"
nok $? "no IMPORT entry after a wrong password"
expect_exit 3 "no password at all: exit 3" env -u CUSTOS_PASSWORD "$CUSTOS" --case "$CE" import "$T/enc" </dev/null
CUSTOS_PASSWORD=Correct-Horse-42 "$CUSTOS" --case "$CE" import "$T/enc" --save-derived-key "$T/dk" >"$T/enc.out" 2>"$T/enc.err"
is "$?" "0" "right password (CUSTOS_PASSWORD): import succeeds"
like "$(cat "$T/enc.err")" "deriving the backup key \(2000 \+ 20 PBKDF2 rounds" "the keybag's own DPIC/ITER counts are used"
check "$CE" "$T/enc/expected.jsonl" evidence
ok $? "evidence copies are the encrypted bytes as stored in the backup"
check "$CE" "$T/enc/expected.jsonl" derived
ok $? "derived copies are the plaintext (sha256/md5), derived_from and derivation recorded"
sqlite3 "file:$CE/derived/$ITEM/_backup/Manifest.db?immutable=1" "SELECT count(*) FROM Files" >"$T/n" 2>&1
is "$(cat "$T/n")" "9" "derived Manifest.db opens in sqlite3 (9 rows)"
n=$(grep -c '"event":"DERIVE"' "$CE/custody/log.jsonl")
is "$n" "1" "one DERIVE entry"
grep '"event":"DERIVE"' "$CE/custody/log.jsonl" | grep -q '"method":"ios-backup-aes256-cbc","files":8'
ok $? "DERIVE entry: method and count (7 files + Manifest.db)"
grep -rqa 'Correct-Horse-42' "$CE" "$T/enc.out" "$T/enc.err"
nok $? "password in no case file and no output"
is "$(stat -c %a "$T/dk")" "600" "derived key saved with mode 0600"
is "$(stat -c %s "$T/dk")" "32" "derived key is 32 bytes"
is "$(tree_hash "$T/enc")" "$before" "encrypted backup untouched"

CK=$T/case-dk
mkcase "$CK"
run "derived key file instead of the password" env -u CUSTOS_PASSWORD "$CUSTOS" --case "$CK" import "$T/enc" --derived-key-file "$T/dk"
grep -q 'deriving the backup key' "$T/last.err"
nok $? "no PBKDF2 run with the derived key file"
check "$CK" "$T/enc/expected.jsonl" derived
ok $? "derived-key import decrypts the same plaintext"
head -c 32 /dev/zero >"$T/dk0"
CK2=$T/case-dk2
mkcase "$CK2"
expect_exit 3 "wrong derived key: exit 3" "$CUSTOS" --case "$CK2" import "$T/enc" --derived-key-file "$T/dk0"

# Encrypted files with Manifest.db in the clear (iOS before 10.2).
must $GEN "$T/old" --password-file "$T/pw" --dpic 100 --iter 5 --no-manifest-key
CO=$T/case-old
mkcase "$CO"
run "encrypted backup without ManifestKey" "$CUSTOS" --case "$CO" import "$T/old" --password-file "$T/pw"
like "$(cat "$T/last.err")" "no ManifestKey" "plain Manifest.db noted"
check "$CO" "$T/old/expected.jsonl" derived
ok $? "files decrypted with the plain Manifest.db"

# Two backups side by side (idevicebackup2's <dir>/<UDID>/ layout): pick one.
mkdir -p "$T/two"
cp -r "$T/plain/00008030-001A2B3C4D5E802E" "$T/two/A"
cp -r "$T/plain/00008030-001A2B3C4D5E802E" "$T/two/B"
expect_exit 2 "a folder holding two backups: usage error" "$CUSTOS" --case "$C" import "$T/two" --item TWO
like "$(cat "$T/last.err")" "holds 2 backups.*two/A.*two/B" "both backups named"
expect_exit 5 "pointing at one of them works (partial: its missing file)" "$CUSTOS" --case "$C" import "$T/two/A" --item TWO

# iOS 9 and older (Manifest.mbdb): detected, refused with a way out.
mkdir -p "$T/ios9/ab"
: >"$T/ios9/Manifest.mbdb"
: >"$T/ios9/Manifest.plist"
echo x >"$T/ios9/ab/ab12"
C9=$T/case-ios9
mkcase "$C9"
expect_exit 3 "iOS 9 backup: input error" "$CUSTOS" --case "$C9" import "$T/ios9"
like "$(cat "$T/last.err")" "Manifest.mbdb.*--format dir" "message names the format and the way out"
run "iOS 9 backup kept raw with --format dir" "$CUSTOS" --case "$C9" import "$T/ios9" --format dir --item RAW9

# Hostile Manifest.db rows: '..' in relativePath, a fileID that is a path.
must $GEN "$T/hostile" --hostile
CH=$T/case-h
mkcase "$CH"
expect_exit 5 "hostile rows: partial" "$CUSTOS" --case "$CH" import "$T/hostile"
test ! -e /tmp/custos-escape
ok $? "'..' relativePath did not escape"
like "$(cat "$T/last.err")" "contains a '\.\.' component|'\.\.'" "'..' row reported"
like "$(cat "$T/last.err")" "not a SHA-1" "bad fileID reported"
check "$CH" "$T/hostile/expected.jsonl" plain
ok $? "good files of the hostile backup still imported"
tap_done
