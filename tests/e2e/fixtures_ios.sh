#!/bin/sh
# The sample iOS backups, checked with tools independent of custos and of the
# generator: sqlite3, python3 plistlib/hashlib, python3-cryptography (a
# decryptor written here from PROTOCOLS.md 2, not the generator's code) and
# idevicebackup2 info against the simulated iPhone.
. "$SRCDIR/tests/harness/tap.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_setup fixtures_ios
tap_plan 26
run "sample images build" fixtures_samples || bail "sample images did not build"
B=$S/ios-backup/$UDID
E=$S/ios-backup-encrypted/$UDID
H=$S/ios-backup-hostile/$UDID

for f in Manifest.db Manifest.plist Info.plist Status.plist; do
	[ -f "$B/$f" ]; ok $? "plain backup has $f"
done

# idevicebackup2 info asks the phone: it sends the backup's Status.plist, Manifest.plist and
# Info.plist to the device (DLMessageDownloadFiles), which parses them and answers with a
# summary. Real iOS 10+ phones no longer answer Info (libimobiledevice issues #1224, #1469);
# the simulated iPhone (tests/sim/iphone_sim.py) answers as older phones did, so the plists
# are read here by the real client library's send path and a device-side parser.
command -v idevicebackup2 >/dev/null 2>&1 || bail "idevicebackup2 not installed: run scripts/install-deps (libimobiledevice-utils)"
. "$SRCDIR/tests/sim/ios_start.sh"
must ios_sim_start --backup "$S/ios-backup"
out=$(timeout -k 5 30 idevicebackup2 -s "$UDID" info "$S/ios-backup" 2>&1)
like "$out" "^Target Identifier: $UDID\$" "idevicebackup2 info (simulated iPhone): Info.plist names the UDID"
like "$out" "^Manifest Lockdown UniqueDeviceID: $UDID\$" "idevicebackup2 info: Manifest.plist's Lockdown names the UDID"
like "$out" "^Status SnapshotState: finished\$" "idevicebackup2 info: Status.plist says the snapshot finished"

is "$(sqlite3 "$B/Manifest.db" 'PRAGMA integrity_check')" ok "Manifest.db integrity (sqlite3)"
is "$(sqlite3 "$B/Manifest.db" "SELECT sql FROM sqlite_master WHERE name='Files'")" \
	"CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)" \
	"Files table schema"
is "$(sqlite3 "$B/Manifest.db" 'SELECT count(*) FROM Files WHERE flags=1')" 19 "19 files listed"
like "$(sqlite3 "$B/Manifest.db" 'SELECT count(*) FROM Files WHERE flags=2')" '^[1-9][0-9]*$' "directory entries listed"
is "$(sqlite3 "$B/Manifest.db" "SELECT fileID FROM Files WHERE domain='HomeDomain' AND relativePath='Library/SMS/sms.db'")" \
	3d0d7e5fb2ce288813306e4d4636395e047a3d28 "sms.db has the well-known fileID (APPS.md 6.1)"
is "$(sqlite3 "$B/Manifest.db" "SELECT fileID FROM Files WHERE relativePath='ChatStorage.sqlite'")" \
	7c7fba66680ef796b916b067077cc246adacf01d "WhatsApp ChatStorage fileID (APPS.md 4.2)"
is "$(sqlite3 "$B/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28" 'SELECT count(*) FROM message')" 8 \
	"stored sms.db opens with sqlite3 (8 messages)"

# Every listed file: fileID = sha1(domain-relativePath), stored at xx/fileID,
# MBFile Size equals the stored size, RelativePath matches; the plists carry
# the documented keys.
cat >"$T/check_plain.py" <<'PY'
import hashlib, os, plistlib, sqlite3, sys
b, udid = sys.argv[1], sys.argv[2]
errs = []
db = sqlite3.connect("file:%s?mode=ro&immutable=1" % os.path.join(b, "Manifest.db"), uri=True)
n = 0
for fid, dom, rel, flags, blob in db.execute("SELECT fileID, domain, relativePath, flags, file FROM Files"):
    if hashlib.sha1(("%s-%s" % (dom, rel)).encode()).hexdigest() != fid:
        errs.append("fileID mismatch " + rel)
    arch = plistlib.loads(blob)
    objs = arch["$objects"]
    top = objs[arch["$top"]["root"].data]
    if arch["$archiver"] != "NSKeyedArchiver" or objs[top["$class"].data]["$classname"] != "MBFile":
        errs.append("not an MBFile archive " + rel)
    if objs[top["RelativePath"].data] != rel:
        errs.append("RelativePath differs " + rel)
    if flags == 1:
        p = os.path.join(b, fid[:2], fid)
        if not os.path.isfile(p) or os.path.getsize(p) != top["Size"]:
            errs.append("stored file missing or wrong size " + rel)
        n += 1
    elif flags == 2 and top["Mode"] & 0o170000 != 0o040000:
        errs.append("directory without S_IFDIR " + rel)
m = plistlib.load(open(os.path.join(b, "Manifest.plist"), "rb"))
for k in ("BackupKeyBag", "Lockdown", "IsEncrypted", "Version", "Date", "WasPasscodeSet", "Applications"):
    if k not in m:
        errs.append("Manifest.plist lacks " + k)
if m["Lockdown"]["UniqueDeviceID"] != udid or m["IsEncrypted"] is not False or m["Version"] != "10.0":
    errs.append("Manifest.plist values")
i = plistlib.load(open(os.path.join(b, "Info.plist"), "rb"))
for k in ("Build Version", "Device Name", "Display Name", "GUID", "IMEI", "Last Backup Date",
          "Product Type", "Product Version", "Serial Number", "Target Identifier", "Unique Identifier"):
    if k not in i:
        errs.append("Info.plist lacks " + k)
s = plistlib.load(open(os.path.join(b, "Status.plist"), "rb"))
if s.get("SnapshotState") != "finished" or s.get("Version") != "3.3":
    errs.append("Status.plist values")
print("\n".join(errs) if errs else "ok %d" % n)
PY
is "$(python3 "$T/check_plain.py" "$B" "$UDID")" "ok 19" "plain backup: fileIDs, MBFile archives, stored sizes, plists"

# fixtures/expected/images.json agrees with the plain backup.
cat >"$T/check_images.py" <<'PY'
import json, sqlite3, sys
img = json.load(open(sys.argv[1], encoding="utf-8"))["images"][0]
db = sqlite3.connect(sys.argv[2])
errs = []
counts = dict(db.execute("SELECT flags, count(*) FROM Files GROUP BY flags"))
if counts.get(1) != img["files"] or counts.get(2) != img["directories"]:
    errs.append("counts %r" % counts)
for a in img["artifacts"] + [{"device_path": m} for m in img["media"]]:
    dom, rel = a["device_path"].split("/", 1)
    r = db.execute("SELECT fileID FROM Files WHERE domain=? AND relativePath=? AND flags=1", (dom, rel)).fetchone()
    if r is None or ("file_id" in a and a["file_id"] != r[0]):
        errs.append("missing " + a["device_path"])
print("\n".join(errs) or "ok")
PY
is "$(python3 "$T/check_images.py" "$SRCDIR/fixtures/expected/images.json" "$B/Manifest.db")" ok \
	"fixtures/expected/images.json matches the plain backup"

# Independent decryptor (PROTOCOLS.md 2 steps 1-5): unlock the keybag with
# the password, decrypt Manifest.db and every file, compare with the plain
# backup byte for byte.
cat >"$T/decrypt.py" <<'PY'
import hashlib, os, plistlib, sqlite3, struct, sys, tempfile
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, InvalidUnwrap
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
enc, plain, pw = sys.argv[1], sys.argv[2], sys.argv[3]
m = plistlib.load(open(os.path.join(enc, "Manifest.plist"), "rb"))
kb = m["BackupKeyBag"]
head, classes, cur, i = {}, {}, None, 0
while i < len(kb):
    tag, ln = kb[i:i + 4].decode(), struct.unpack(">I", kb[i + 4:i + 8])[0]
    val = kb[i + 8:i + 8 + ln]
    i += 8 + ln
    if ln == 4:
        val = struct.unpack(">I", val)[0]
    if tag == "UUID" and "UUID" in head:
        cur = {"UUID": val}
        continue
    if cur is None:
        head[tag] = val
    else:
        cur[tag] = val
        if tag == "CLAS":
            classes[val] = cur
k1 = hashlib.pbkdf2_hmac("sha256", pw.encode(), head["DPSL"], head["DPIC"], 32)
key = hashlib.pbkdf2_hmac("sha1", k1, head["SALT"], head["ITER"], 32)
ck = {}
try:
    for c, rec in classes.items():
        if rec["WRAP"] & 2:
            ck[c] = aes_key_unwrap(key, rec["WPKY"])
except InvalidUnwrap:
    print("wrong password")
    sys.exit(3)
def dec(k, data):
    d = Cipher(algorithms.AES(k), modes.CBC(b"\0" * 16)).decryptor()
    out = d.update(data) + d.finalize()
    return out[:-out[-1]]
mk = m["ManifestKey"]
mdb = dec(aes_key_unwrap(ck[struct.unpack("<I", mk[:4])[0]], mk[4:]), open(os.path.join(enc, "Manifest.db"), "rb").read())
assert mdb.startswith(b"SQLite format 3\0"), "Manifest.db did not decrypt"
tmp = tempfile.NamedTemporaryFile(suffix=".db", delete=False)
tmp.write(mdb)
tmp.close()
db = sqlite3.connect(tmp.name)
n = same = 0
for fid, rel, blob in db.execute("SELECT fileID, relativePath, file FROM Files WHERE flags=1"):
    arch = plistlib.loads(blob)
    top = arch["$objects"][arch["$top"]["root"].data]
    ek = arch["$objects"][top["EncryptionKey"].data]["NS.data"]
    fk = aes_key_unwrap(ck[top["ProtectionClass"]], ek[4:])
    data = dec(fk, open(os.path.join(enc, fid[:2], fid), "rb").read())
    n += 1
    if len(data) == top["Size"] and data == open(os.path.join(plain, fid[:2], fid), "rb").read():
        same += 1
db.close()
os.unlink(tmp.name)
print("decrypted %d, identical %d" % (n, same))
PY
like "$(python3 -c 'import plistlib,sys; m=plistlib.load(open(sys.argv[1],"rb")); print(m["IsEncrypted"], len(m["ManifestKey"]))' "$E/Manifest.plist")" \
	'^True 44$' "encrypted backup: IsEncrypted and a 4+40 byte ManifestKey"
hdr=$(head -c 15 "$E/Manifest.db" | tr -d '\0')
[ "$hdr" != "SQLite format 3" ]; ok $? "encrypted Manifest.db is not plaintext"
if [ ! -s "$E/Manifest.db" ] || sqlite3 "$E/Manifest.db" 'SELECT count(*) FROM Files' >/dev/null 2>&1; then st=1; else st=0; fi
ok $st "sqlite3 cannot read the encrypted Manifest.db"
is "$(python3 "$T/decrypt.py" "$E" "$B" custos-test)" "decrypted 19, identical 19" \
	"independent decryptor yields the plain backup's files (password custos-test)"
expect_exit 3 "wrong password fails the RFC 3394 integrity check" python3 "$T/decrypt.py" "$E" "$B" wrong-password

# Hostile variant: one listed-but-missing file, one "../" relativePath.
missing=$(sqlite3 "$H/Manifest.db" "SELECT fileID FROM Files WHERE relativePath='Library/Notes/notes.sqlite'")
like "$missing" '^[0-9a-f]{40}$' "hostile: notes.sqlite is listed"
[ ! -e "$H/$(echo "$missing" | cut -c1-2)/$missing" ]; ok $? "hostile: notes.sqlite is absent on disk"
like "$(sqlite3 "$H/Manifest.db" "SELECT relativePath FROM Files WHERE relativePath LIKE '%../%'")" '\.\./' \
	"hostile: a relativePath climbs with ../"
is "$(sqlite3 "$B/Manifest.db" "SELECT count(*) FROM Files WHERE relativePath LIKE '%../%' OR relativePath LIKE '%Notes%'")" 0 \
	"clean sample has no hostile entries"
tap_done
