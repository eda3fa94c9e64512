#!/bin/sh
# sim_ios.sh - the simulated iPhone (tests/sim/iphone_sim.py) is a faithful device: Debian's
# own libimobiledevice 1.3.0 tools drive it through USBMUXD_SOCKET_ADDRESS and what they get
# is compared with the fixture backups byte for byte: idevice_id, ideviceinfo (with a
# session, without, a domain), idevicebackup2 backup --full / incremental / info / list /
# encryption on|off / changepw, ideviceinstaller -l (and a refused uninstall), idevicepair
# (pending, accepted, denied), AFC through the library itself (ctypes), and the faults and
# states as the tools meet them. What the tools cannot show (Listen, a malformed DeviceLink
# message, usbmuxd and lockdownd refusals) is checked with a raw client written here.
. "$SRCDIR/tests/harness/tap.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_setup sim_ios
tap_plan 77

for t in idevice_id ideviceinfo idevicebackup2 idevicepair ideviceinstaller; do
	command -v $t >/dev/null 2>&1 || bail "$t not installed: run scripts/install-deps (libimobiledevice-utils, ideviceinstaller)"
done
fixtures_samples || bail "sample images did not build"
. "$SRCDIR/tests/sim/ios_start.sh"
B=$S/ios-backup/$UDID
E=$S/ios-backup-encrypted/$UDID
TO() { timeout -k 5 60 "$@"; }
# backup DIR [idevicebackup2 args]: a fresh DIR, the tool's output in DIR.out (progress bars cut)
backup() {
	_o=$1
	shift
	rm -rf "$_o"
	mkdir -p "$_o"
	TO idevicebackup2 backup "$@" "$_o" >"$_o.raw" 2>&1
	_st=$?
	tr '\r' '\n' <"$_o.raw" | grep -v '^\[' >"$_o.out"
	return $_st
}
# sums DIR: sha256 of every file the phone sends (not Info.plist: the host writes it)
sums() { (cd "$1" && find . -type f ! -name Info.plist | LC_ALL=C sort | xargs sha256sum); }
logged() { grep -c "$1" "$IOS_SIM_LOG"; }

# ---- a trusted, unlocked phone holding the plain fixture backup
must ios_sim_start --backup "$S/ios-backup"
is "$(TO idevice_id -l)" "$UDID" "idevice_id -l lists the simulated iPhone's UDID (usbmuxd ListDevices)"
is "$(TO ideviceinfo -k ProductType)" "iPhone13,2" "ideviceinfo -k ProductType (lockdownd session, GetValue)"
TO ideviceinfo >"$T/info.txt" 2>&1
ok $? "ideviceinfo (the whole root dictionary) exits 0"
grep -qx 'SerialNumber: F17XK0CUSTOS' "$T/info.txt" && grep -qx 'InternationalMobileEquipmentIdentity: 353260111234566' "$T/info.txt" &&
	grep -qx "UniqueDeviceID: $UDID" "$T/info.txt" && grep -qx 'DeviceName: 阿杰的iPhone' "$T/info.txt"
ok $? "ideviceinfo prints the fixture phone's serial, IMEI, UDID and Chinese device name"
is "$(TO ideviceinfo -q com.apple.mobile.backup -k WillEncrypt)" "false" "ideviceinfo -q com.apple.mobile.backup -k WillEncrypt: false"
TO ideviceinfo -s >"$T/info_s.txt" 2>&1
grep -qx 'ProductVersion: 17.3.1' "$T/info_s.txt" && ! grep -q InternationalMobileEquipmentIdentity "$T/info_s.txt"
ok $? "ideviceinfo -s (no session): the public values only, no IMEI"
TO ideviceinfo -k NoSuchKey >"$T/nokey.txt" 2>&1
is "$(cat "$T/nokey.txt")" "" "ideviceinfo -k NoSuchKey: nothing (lockdownd MissingValue)"
d=$(TO ideviceinfo -k TimeIntervalSince1970 | cut -d. -f1)
now=$(date +%s)
[ -n "$d" ] && [ $((d - now)) -le 5 ] && [ $((now - d)) -le 5 ]
ok $? "TimeIntervalSince1970 is the real clock without --clock-skew ($d vs $now)"

backup "$T/b1" --full
ok $? "idevicebackup2 backup --full exits 0"
grep -qx 'Backup Successful.' "$T/b1.out"
ok $? "idevicebackup2 says Backup Successful."
sums "$B" >"$T/want.sum"
sums "$T/b1/$UDID" >"$T/got.sum"
diff "$T/want.sum" "$T/got.sum" >"$T/b1.diff"
ok $? "every file the phone holds arrived byte for byte (xx/<fileID>, Manifest.db, Manifest.plist, Status.plist)"
sed 's/^/#   /' "$T/b1.diff" | head -5
is "$(wc -l <"$T/got.sum" | tr -d ' ')" "22" "22 files: 19 xx/<fileID> + Manifest.db, Manifest.plist, Status.plist"
grep -qx 'Received 22 files from device.' "$T/b1.out"
ok $? "idevicebackup2 counted 22 files received"
python3 -c 'import plistlib, sys
i = plistlib.load(open(sys.argv[1], "rb"))
assert i["Target Identifier"] == sys.argv[2] and i["Product Type"] == "iPhone13,2" and i["Serial Number"] == "F17XK0CUSTOS", i
' "$T/b1/$UDID/Info.plist" "$UDID"
ok $? "Info.plist written by idevicebackup2 names the UDID, product type and serial"
[ ! -e "$T/b1/$UDID/Snapshot" ]
ok $? "the Snapshot/ staging directory is gone (MoveItems, then RemoveItems)"
python3 - "$IOS_SIM_LOG" >"$T/flow.txt" <<'PY'
import json, sys
seq = []
for l in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(l)
    if d["svc"] == "mobilebackup2" and "reply" in d:
        seq.append("%s=%s" % (d["reply"], d["code"]))
print(" ".join(x for i, x in enumerate(seq) if i == 0 or seq[i - 1] != x))
PY
is "$(cat "$T/flow.txt")" "DLMessageGetFreeDiskSpace=0 DLContentsOfDirectory=0 DLMessageCreateDirectory=0 DLMessageUploadFiles=0 DLMessageMoveItems=0 DLMessageRemoveItems=0" \
	"the DeviceLink script, each step answered 0 by idevicebackup2"
is "$(logged '"write": true')" "0" "nothing written to the phone: no request that would change it"
like "$(grep '"op": "FILE_OPEN"' "$IOS_SIM_LOG")" '"path": "/com.apple.itunes.lock_sync", "mode": 2' \
	"the only AFC open for writing is the iTunes sync lock (virtual, never created)"

out=$(TO idevicebackup2 info "$T/b1" 2>&1)
like "$out" "^Target Identifier: $UDID$" "idevicebackup2 info: the phone read the host's Info.plist and answers with its UDID"
like "$out" "^Status SnapshotState: finished$" "idevicebackup2 info: Status.plist read back (DLMessageDownloadFiles)"
mkdir -p "$T/empty"
out=$(TO idevicebackup2 info "$T/empty" 2>&1)
like "$out" "^ErrorCode 4: No such file or directory at path \"$UDID/Status.plist\"" "idevicebackup2 info without a backup: ErrorCode 4 as a phone says"
like "$(TO idevicebackup2 list "$T/b1" 2>&1)" "^ErrorCode 205: Error reading backup database" "idevicebackup2 list: ErrorCode 205 (iOS 10+ phones have no Manifest.mbdb)"

TO ideviceinstaller -l >"$T/apps.txt" 2>&1
is "$(sed 1d "$T/apps.txt" | cut -d, -f1 | LC_ALL=C sort | tr '\n' ' ')" "com.tencent.mqq com.tencent.xin net.whatsapp.WhatsApp " \
	"ideviceinstaller -l lists the three user apps (installation_proxy Browse, streamed)"
grep -qx 'com.tencent.xin, "8.0.47.34", "微信"' "$T/apps.txt"
ok $? "ideviceinstaller -l: version and Chinese display name of WeChat"
like "$(TO ideviceinstaller -l -o list_system 2>&1)" "^com.apple.mobilesafari, " "ideviceinstaller -l -o list_system: the system apps"
TO ideviceinstaller -U com.tencent.xin >"$T/uninst.txt" 2>&1
grep -q '"cmd": "Uninstall", "write": true, "refused": true' "$IOS_SIM_LOG"
ok $? "ideviceinstaller -U: the simulated phone refuses and logs it as a write"

# An incremental request: the phone first reads the host's Status.plist (DLMessageDownloadFiles).
backup "$T/b1"
grep -qx 'Backup Successful.' "$T/b1.out" && diff "$T/want.sum" "$T/got.sum" >/dev/null
ok $? "idevicebackup2 backup (incremental request) into the previous backup: successful"
grep -q "\"send\": \"DLMessageDownloadFiles\", \"paths\": \[\"$UDID/Status.plist\"\]" "$IOS_SIM_LOG"
ok $? "incremental: the phone asked the host for its Status.plist"

# ---- --flat: straight to <udid>/xx/, no MoveItems
must ios_sim_start --backup "$B" --flat --block 7 --batch 5
backup "$T/b2" --full
sums "$T/b2/$UDID" >"$T/got2.sum"
grep -qx 'Backup Successful.' "$T/b2.out" && diff "$T/want.sum" "$T/got2.sum" >/dev/null
ok $? "--flat --block 7 --batch 5: byte for byte the fixture again (7-byte blocks, 5 files per UploadFiles)"
is "$(logged DLMessageMoveItems)/$(logged '"send": "DLMessageUploadFiles"')" "0/5" "--flat: no MoveItems; 22 files in 5 UploadFiles batches"

# ---- AFC through Debian's libimobiledevice itself (ctypes): the media tree, read-only
M=$T/media
mkdir -p "$M/DCIM/100APPLE" "$M/Downloads" "$M/Recordings"
head -c 300000 /dev/urandom >"$M/DCIM/100APPLE/IMG_0001.JPG"
printf 'voice memo' >"$M/Recordings/录音 1.m4a"
: >"$M/Downloads/empty.bin"
ln -s ../DCIM/100APPLE/IMG_0001.JPG "$M/Downloads/latest.jpg"
must ios_sim_start --media "$M"
cat >"$T/afc.py" <<'PY'
import ctypes, hashlib, sys
lib = ctypes.CDLL("libimobiledevice-1.0.so.6")
V, P = ctypes.c_void_p, ctypes.c_char_p
udid = sys.argv[1].encode()
dev, afc = V(), V()
assert lib.idevice_new(ctypes.byref(dev), udid) == 0
assert lib.afc_client_start_service(dev, ctypes.byref(afc), b"sim_ios") == 0

def strlist(fn, *args):
    lst = ctypes.POINTER(P)()
    rc = fn(afc, *args, ctypes.byref(lst))
    out = []
    if rc == 0:
        i = 0
        while lst[i]:
            out.append(lst[i].decode())
            i += 1
        lib.afc_dictionary_free(lst)
    return rc, out

def info(path):
    rc, kv = strlist(lib.afc_get_file_info, path.encode())
    return rc, dict(zip(kv[::2], kv[1::2]))

def read(path, mode=1):
    h = ctypes.c_uint64()
    rc = lib.afc_file_open(afc, path.encode(), mode, ctypes.byref(h))
    if rc:
        return rc, None
    buf, n, data = ctypes.create_string_buffer(65536), ctypes.c_uint32(), b""
    while True:
        assert lib.afc_file_read(afc, h, buf, 65536, ctypes.byref(n)) == 0
        if n.value == 0:
            break
        data += buf.raw[:n.value]
    lib.afc_file_close(afc, h)
    return 0, data

print("dir", strlist(lib.afc_read_directory, b"/DCIM/100APPLE")[1])
print("root", strlist(lib.afc_read_directory, b"/")[1])
rc, i = info("/DCIM/100APPLE/IMG_0001.JPG")
print("info", rc, i.get("st_ifmt"), i.get("st_size"), len(i.get("st_mtime", "")) >= 19)
print("link", info("/Downloads/latest.jpg")[1].get("st_ifmt"), info("/Downloads/latest.jpg")[1].get("LinkTarget"))
rc, data = read("/DCIM/100APPLE/IMG_0001.JPG")
print("sha", rc, hashlib.sha256(data).hexdigest())
print("zh", read("/Recordings/录音 1.m4a"))
print("empty", read("/Downloads/empty.bin"))
print("missing", info("/DCIM/nope.jpg")[0], read("/DCIM/nope.jpg")[0])
print("write", read("/Downloads/new.txt", 3)[0])
print("devinfo", dict(zip(*[iter(strlist(lib.afc_get_device_info)[1])] * 2)).get("Model"))
lib.afc_client_free(afc)
lib.idevice_free(dev)
PY
TO python3 "$T/afc.py" "$UDID" >"$T/afc.out" 2>&1
ok $? "AFC client of libimobiledevice (ctypes) ran against the simulator"
grep -qx "dir \['.', '..', 'IMG_0001.JPG'\]" "$T/afc.out" && grep -qx "root \['.', '..', 'DCIM', 'Downloads', 'Recordings'\]" "$T/afc.out"
ok $? "afc_read_directory: sorted names with . and .."
grep -qx "info 0 S_IFREG 300000 True" "$T/afc.out"
ok $? "afc_get_file_info: st_ifmt, st_size, st_mtime in ns"
grep -qx "link S_IFLNK ../DCIM/100APPLE/IMG_0001.JPG" "$T/afc.out"
ok $? "afc_get_file_info of a symlink: S_IFLNK and LinkTarget"
is "$(sed -n 's/^sha 0 //p' "$T/afc.out")" "$(sha256sum <"$M/DCIM/100APPLE/IMG_0001.JPG" | cut -c1-64)" "afc_file_open/read/close: 300 KB byte for byte"
grep -qx "zh (0, b'voice memo')" "$T/afc.out" && grep -qx "empty (0, b'')" "$T/afc.out"
ok $? "AFC: a Chinese file name with a space, and a 0-byte file"
grep -qx "missing 8 8" "$T/afc.out"
ok $? "AFC: a missing path is AFC_E_OBJECT_NOT_FOUND (8)"
grep -qx "write 10" "$T/afc.out" && grep -q '"op": "FILE_OPEN", "path": "/Downloads/new.txt", "mode": 3, "write": true, "refused": true' "$IOS_SIM_LOG"
ok $? "AFC: opening for writing is refused (AFC_E_PERM_DENIED) and logged as a write"
grep -qx "devinfo iPhone13,2" "$T/afc.out"
ok $? "afc_get_device_info: Model"

# ---- backup password: encryption on, changepw, off (the phone holds both fixture backups)
must ios_sim_start --backup "$S/ios-backup" --backup-encrypted "$S/ios-backup-encrypted"
like "$(TO idevicebackup2 encryption on secret1 2>&1)" "Backup encryption has been enabled successfully" "idevicebackup2 encryption on: ChangePassword with NewPassword"
is "$(TO ideviceinfo -q com.apple.mobile.backup -k WillEncrypt)" "true" "WillEncrypt true once a password is set"
like "$(TO idevicebackup2 changepw wrong other 2>&1)" "ErrorCode 207: Invalid password" "changepw with a wrong old password: ErrorCode 207"
like "$(TO idevicebackup2 changepw secret1 custos-test 2>&1)" "password has been changed successfully" "changepw with the right old password"
backup "$T/b3" --full
sums "$E" >"$T/wante.sum"
sums "$T/b3/$UDID" >"$T/gote.sum"
grep -qx 'Backup will be encrypted.' "$T/b3.out" && grep -qx 'Backup Successful.' "$T/b3.out" && diff "$T/wante.sum" "$T/gote.sum" >/dev/null
ok $? "with a password set the phone sends the encrypted fixture, byte for byte"
like "$(TO idevicebackup2 encryption off custos-test 2>&1)" "Backup encryption has been disabled successfully" "idevicebackup2 encryption off: ChangePassword with OldPassword"
is "$(TO ideviceinfo -q com.apple.mobile.backup -k WillEncrypt)" "false" "WillEncrypt false again"
is "$(grep '"msg": "ChangePassword"' "$IOS_SIM_LOG" | python3 -c 'import json, sys
print(" ".join("%s>%s" % (d.get("old"), d.get("new")) for d in map(json.loads, sys.stdin) if "error" not in d))')" \
	"None>secret1 secret1>custos-test custos-test>None" "the log records each password change (old>new)"
must ios_sim_start --backup "$E" --will-encrypt
is "$(TO ideviceinfo -q com.apple.mobile.backup -k WillEncrypt)" "true" "--will-encrypt: WillEncrypt true from the start"

# ---- pairing, lock states
must ios_sim_start --backup "$B" --state untrusted
out=$(TO ideviceinfo -k ProductType 2>&1)
like "$out" "Pairing dialog response pending \(-19\)" "untrusted: ideviceinfo fails with 'pairing dialog response pending'"
[ "$(logged '"req": "Pair"')" -ge 1 ] && [ "$(logged SavePairRecord)" -eq 0 ]
ok $? "untrusted: the library tried Pair and saved no record"
must ios_sim_start --backup "$B" --state untrusted --pair-accept
like "$(TO idevicepair pair 2>&1)" "^SUCCESS: Paired with device $UDID" "untrusted --pair-accept: idevicepair pair succeeds"
like "$(TO idevicepair validate 2>&1)" "^SUCCESS: Validated pairing with device $UDID" "idevicepair validate with the saved record"
[ "$(logged '"req": "SavePairRecord"')" -ge 1 ] && grep -q '"req": "Pair", .*"accepted": true' "$IOS_SIM_LOG"
ok $? "the pair record went to the fake usbmuxd (SavePairRecord); the log marks the pairing"
is "$(TO ideviceinfo -k ProductType)" "iPhone13,2" "after pairing: a session works"
must ios_sim_start --backup "$B" --state deny-pairing
like "$(TO ideviceinfo 2>&1)" "User denied pairing \(-18\)" "deny-pairing: ideviceinfo fails with 'user denied pairing'"
must ios_sim_start --backup "$B" --state locked
backup "$T/b4" --full
st=$?
[ $st -ne 0 ] && grep -qx 'ERROR: Could not start service com.apple.mobilebackup2.' "$T/b4.out"
ok $? "locked: idevicebackup2 cannot start mobilebackup2 (exit $st)"
grep -q '"service": "com.apple.mobilebackup2", "escrow": true, "error": "PasswordProtected"' "$IOS_SIM_LOG"
ok $? "locked: lockdownd answered StartService with PasswordProtected"
must ios_sim_start --backup "$B" --state passcode
backup "$T/b5" --full
st=$?
[ $st -ne 0 ] && grep -qx 'ErrorCode 208: Device locked (MBErrorDomain/208)' "$T/b5.out" && grep -q '^Backup Failed' "$T/b5.out"
ok $? "passcode (iOS 16.1+): Backup answered with ErrorCode 208, backup failed (exit $st)"
must ios_sim_start --backup "$B" --state passcode --passcode-wait 1.5 --passcode-accept
t0=$(date +%s.%N)
backup "$T/b5b" --full
st=$?
el=$(echo "$(date +%s.%N) - $t0" | bc)
sums "$T/b5b/$UDID" >"$T/got5b.sum"
[ $st -eq 0 ] && diff "$T/want.sum" "$T/got5b.sum" >/dev/null && [ "$(echo "$el >= 1.5" | bc)" = 1 ]
ok $? "passcode --passcode-wait 1.5 --passcode-accept: the backup waits for the typed passcode, then completes (${el}s)"

# ---- faults as idevicebackup2 meets them
must ios_sim_start --backup "$B" --fault cut-after:4
backup "$T/b6" --full
st=$?
[ $st -ne 0 ] && ! grep -q 'Backup Successful' "$T/b6.out" && [ ! -e "$T/b6/$UDID/Manifest.db" ]
ok $? "cut-after:4: the connection drops mid-file, the backup fails, no Manifest.db (exit $st)"
# the staged files: 3 whole, the 4th shorter than the phone's
part=$(cd "$T/b6/$UDID/Snapshot" && for f in */*; do
	if cmp -s "$f" "$B/$f"; then echo whole; elif [ "$(wc -c <"$f")" -lt "$(wc -c <"$B/$f")" ]; then echo partial; else echo bad; fi
done | sort | uniq -c | tr -s ' \n' ' ')
is "$part" " 1 partial 3 whole " "cut-after:4: three files whole, the 4th partial"
must ios_sim_start --backup "$B" --fault error-code:104
backup "$T/b7" --full
st=$?
[ $st -ne 0 ] && grep -qx 'ErrorCode 104: Multiple errors uploading files (MBErrorDomain/104)' "$T/b7.out" &&
	grep -qx 'Backup Failed (Error Code 104).' "$T/b7.out"
ok $? "error-code:104: the final ProcessMessage carries the code and its description (exit $st)"
SMS=3d0d7e5fb2ce288813306e4d4636395e047a3d28
must ios_sim_start --backup "$B" --fault remote-error:$SMS
backup "$T/b8" --full
grep -q '^Received an error message from device: Simulated read error for /var/mobile/Library/SMS/sms.db' "$T/b8.out"
ok $? "remote-error:FILEID: that file ends with CODE_ERROR_REMOTE and a message idevicebackup2 prints"
is "$(wc -c <"$T/b8/$UDID/3d/$SMS" | tr -d ' ')" "0" "remote-error: the host has an empty sms.db, the other files arrive"
must ios_sim_start --backup "$B" --fault cut-after:10 --once
backup "$T/b9" --full
st1=$?
backup "$T/b9" --full
st2=$?
sums "$T/b9/$UDID" >"$T/got9.sum"
[ $st1 -ne 0 ] && [ $st2 -eq 0 ] && diff "$T/want.sum" "$T/got9.sum" >/dev/null && [ -s "$IOS_SIM_SOCK.once" ]
ok $? "--once: the first backup is cut, the second against the same sim is complete ($st1 then $st2)"
# evil-path: the phone names a host path that climbs out of the backup dir; idevicebackup2
# trusts it (the file lands beside the backup), custos must not.
must ios_sim_start --backup "$B" --fault evil-path:dotdot
mkdir -p "$T/ev"
backup "$T/ev/b" --full
first=$(sed -n 1p "$T/want.sum" | cut -c 69-)
cmp -s "$T/ev/escaped-${first#*/}" "$B/$first" && grep -q '"fault": "evil-path", "path_kind": "dotdot"' "$IOS_SIM_LOG"
ok $? "evil-path:dotdot: the first file is sent as <udid>/Snapshot/../../../escaped-<fileID> (idevicebackup2 wrote it outside the backup)"
python3 "$SRCDIR/tests/sim/iphone_sim.py" --socket "$T/x.sock" --fault evil-path:bogus >"$T/bogus.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q 'evil-path:bogus: one of dotdot, absolute, long, nul, other-udid' "$T/bogus.out" && [ ! -e "$T/x.sock" ]
ok $? "an unknown evil-path kind is refused at start (exit $st)"
printf '{"DeviceName": "Evidence 7", "PhoneNumber": null}' >"$T/values.json"
must ios_sim_start --backup "$B" --clock-skew -86400 --values "$T/values.json"
d=$(TO ideviceinfo -k TimeIntervalSince1970 | cut -d. -f1)
now=$(date +%s)
[ -n "$d" ] && [ $((now - 86400 - d)) -le 5 ] && [ $((d - now + 86400)) -le 5 ]
ok $? "--clock-skew -86400: the phone's clock is a day behind ($d vs $now)"
is "$(TO ideviceinfo -k DeviceName)/$(TO ideviceinfo -k PhoneNumber)" "Evidence 7/" "--values: DeviceName overridden, PhoneNumber removed"

# ---- what the tools cannot show: a raw usbmuxd/lockdownd/DeviceLink client
must ios_sim_start --backup "$B" --fault bad-plist
cat >"$T/raw.py" <<'PY'
import plistlib, socket, struct, sys
sock_path, udid = sys.argv[1], sys.argv[2]
tag = [0]

def mux(req, s=None):
    if s is None:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock_path)
    tag[0] += 1
    body = plistlib.dumps(dict(req, ClientVersionString="raw", ProgName="raw", kLibUSBMuxVersion=3))
    s.sendall(struct.pack("<IIII", 16 + len(body), 1, 8, tag[0]) + body)
    return s, mux_read(s)

def exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def mux_read(s):
    n, v, m, t = struct.unpack("<IIII", exact(s, 16))
    return t, plistlib.loads(exact(s, n - 16))

def pl_send(s, o, binary=False):
    d = plistlib.dumps(o, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
    s.sendall(struct.pack(">I", len(d)) + d)

def pl_raw(s):
    return exact(s, struct.unpack(">I", exact(s, 4))[0])

def connect(port, did=1):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    _, (_, r) = mux({"MessageType": "Connect", "DeviceID": did, "PortNumber": socket.htons(port)}, s)
    return s, r

s, (t, r) = mux({"MessageType": "Listen"})
print("listen", r.get("Number"), mux_read(s)[1]["Properties"]["SerialNumber"] == udid)
print("unknown", mux({"MessageType": "Frobnicate"})[1][1].get("Number"))
print("closed-port", connect(1234)[1].get("Number"))
print("bad-device", connect(62078, 7)[1].get("Number"))
saved = mux({"MessageType": "SavePairRecord", "PairRecordID": "raw-host", "PairRecordData": b"<plist/>"})[1][1]
print("paired", saved.get("Number"), mux_read(s)[1])
print("delete", mux({"MessageType": "DeletePairRecord", "PairRecordID": "raw-host"})[1][1].get("Number"),
      mux({"MessageType": "ReadPairRecord", "PairRecordID": "raw-host"})[1][1].get("Number"))
rec = plistlib.loads(mux({"MessageType": "ReadPairRecord", "PairRecordID": udid})[1][1]["PairRecordData"])
ld, r = connect(62078)
def ask(req):
    pl_send(ld, req)
    return plistlib.loads(pl_raw(ld))
print("query", ask({"Request": "QueryType"}))
print("nosession", ask({"Request": "StartService", "Service": "com.apple.afc"}).get("Error"))
print("bogus", ask({"Request": "Bogus"}))
ses = ask({"Request": "StartSession", "HostID": rec["HostID"], "SystemBUID": rec["SystemBUID"]})
print("session", ses["Request"], ses["EnableSessionSSL"])
print("missing", ask({"Request": "GetValue", "Key": "NoSuchKey"}))
print("invalid", ask({"Request": "StartService", "Service": "com.apple.nope"}))
svc = ask({"Request": "StartService", "Service": "com.apple.mobilebackup2", "EscrowBag": rec["EscrowBag"]})
print("service", svc["Request"], svc["Service"], svc["EnableServiceSSL"])
mb, r = connect(svc["Port"])
ve = plistlib.loads(pl_raw(mb))
print("version", ve)
pl_send(mb, ["DLMessageVersionExchange", "DLVersionsOk", 400], True)
print("ready", plistlib.loads(pl_raw(mb)))
pl_send(mb, ["DLMessageProcessMessage", {"MessageName": "Hello", "SupportedProtocolVersions": [2.0, 2.1]}], True)
print("hello", plistlib.loads(pl_raw(mb)))
pl_send(mb, ["DLMessageProcessMessage", {"MessageName": "Backup", "TargetIdentifier": udid, "Options": {"ForceFullBackup": True}}], True)
raw = pl_raw(mb)
try:
    plistlib.loads(raw)
    print("bad-plist no: parsed")
except Exception as e:
    print("bad-plist yes", raw[:8])
PY
TO python3 "$T/raw.py" "$IOS_SIM_SOCK" "$UDID" >"$T/raw.out" 2>&1
ok $? "raw client ran" || sed 's/^/#   /' "$T/raw.out" | tail -5
grep -qx 'listen 0 True' "$T/raw.out"
ok $? "usbmuxd Listen: Result 0, then the device pushed as Attached"
grep -qx 'unknown 1' "$T/raw.out" && grep -qx 'closed-port 3' "$T/raw.out" && grep -qx 'bad-device 2' "$T/raw.out"
ok $? "usbmuxd: an unknown message is Result 1 (BADCOMMAND), Connect to a closed port 3 (CONNREFUSED), to another device 2 (BADDEV)"
grep -qx "paired 0 {'DeviceID': 1, 'MessageType': 'Paired'}" "$T/raw.out" && grep -qx 'delete 0 2' "$T/raw.out"
ok $? "usbmuxd: SavePairRecord pushes Paired to a Listen client; DeletePairRecord, then ReadPairRecord is Result 2"
grep -qx "query {'Request': 'QueryType', 'Type': 'com.apple.mobile.lockdown'}" "$T/raw.out" &&
	grep -qx "missing {'Request': 'GetValue', 'Key': 'NoSuchKey', 'Error': 'MissingValue'}" "$T/raw.out" &&
	grep -qx "invalid {'Request': 'StartService', 'Error': 'InvalidService'}" "$T/raw.out" &&
	grep -qx "bogus {'Request': 'Bogus', 'Error': 'InvalidRequest'}" "$T/raw.out"
ok $? "lockdownd: replies echo Request; MissingValue, InvalidService, InvalidRequest"
grep -qx 'nosession NoRunningSession' "$T/raw.out" && grep -qx 'session StartSession False' "$T/raw.out" &&
	grep -qx 'service StartService com.apple.mobilebackup2 False' "$T/raw.out"
ok $? "lockdownd: StartService needs a session; no TLS asked for the session or the service"
grep -qx "version \['DLMessageVersionExchange', 400, 0\]" "$T/raw.out" && grep -qx "ready \['DLMessageDeviceReady'\]" "$T/raw.out" &&
	grep -qx "hello \['DLMessageProcessMessage', {'ErrorCode': 0, 'MessageName': 'Response', 'ProtocolVersion': 2.1}\]" "$T/raw.out"
ok $? "DeviceLink: version 400, DeviceReady, Hello answered with protocol 2.1"
grep -qx "bad-plist yes b'bplist00'" "$T/raw.out" && grep -q '"fault": "bad-plist"' "$IOS_SIM_LOG"
ok $? "bad-plist: the first message after Backup claims bplist00 and does not parse"
tap_done
