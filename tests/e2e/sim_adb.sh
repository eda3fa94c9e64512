#!/bin/sh
# sim_adb.sh - the simulated adbd (tests/sim/adbd_sim.py) is a faithful device: Debian's own
# `adb` client drives it with an isolated HOME and server port, and what it gets is compared
# with the fixture phone (tests/sim/phone/) byte for byte: connect, devices -l, shell (v2 exit
# codes and stderr, v1), exec-out, the whole /sdcard pulled with mtimes, ls, first-time AUTH
# (RSAPUBLICKEY "Allow"), a known key, a denied prompt, version 0x01000000 with checksums,
# and a refused push.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup sim_adb
tap_plan 41

command -v adb >/dev/null 2>&1 || bail "adb not installed: run scripts/install-deps (Debian package adb)"
PHONE=$SRCDIR/tests/sim/phone
[ -f "$PHONE/commands.json" ] || bail "missing fixture $PHONE/commands.json"

# An adb of our own: its key in $T/home/.android, its server on a free port, killed at exit.
mkdir -p "$T/home" "$T/tmp"
HOME=$T/home
TMPDIR=$T/tmp
unset ANDROID_SDK_HOME ANDROID_ADB_SERVER_ADDRESS ADB_VENDOR_KEYS ANDROID_SERIAL ADB_TRACE
ANDROID_ADB_SERVER_PORT=$(python3 -c 'import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if not 5037 <= p <= 5585: print(p); break')
SIM_ADB_SERVER=1
export HOME TMPDIR ANDROID_ADB_SERVER_PORT SIM_ADB_SERVER
. "$SRCDIR/tests/sim/start.sh"
ADB() { timeout -k 5 60 adb "$@"; }
# wait_state ADDR STATE: polls `adb devices` (first-time AUTH goes online after "failed to
# authenticate", see PROTOCOLS.md section 5); prints the last state seen.
wait_state() {
	i=0 st=
	while [ $i -lt 50 ]; do
		st=$(ADB devices | awk -v a="$1" '$1 == a { print $2 }')
		[ "$st" = "$2" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "$st"
}

# ---- a phone with shell_v2/stat_v2/ls_v2, no AUTH
must sim_start
case $SIM_PORT in 555[5-9] | 55[6-7][0-9] | 558[0-5]) ok 1 "simulator port outside 5555-5585 ($SIM_PORT)" ;;
*) ok 0 "simulator port outside 5555-5585 ($SIM_PORT)" ;; esac
out=$(ADB connect "$SIM_ADDR" 2>&1)
like "$out" "connected to $SIM_ADDR" "adb connect"
like "$(ADB devices -l)" "^$SIM_ADDR +device product:simphone model:Redmi_Note_8_Pro device:simphone" \
	"adb devices -l: state and the banner's product/model/device"
ADB -s "$SIM_ADDR" shell getprop >"$T/getprop.out" 2>"$T/getprop.err"
ok $? "adb shell getprop exits 0"
cmp -s "$T/getprop.out" "$PHONE/out/getprop.txt"
ok $? "getprop output byte for byte the canned one"
is "$(ADB -s "$SIM_ADDR" shell getprop ro.serialno)" "SIM0001" "getprop ro.serialno is SIM0001"
ADB -s "$SIM_ADDR" shell nosuchcmd >"$T/ns.out" 2>"$T/ns.err"
is "$?" "127" "shell v2: the exit code of an unknown command (127) reaches adb"
is "$(cat "$T/ns.err")/$(cat "$T/ns.out")" "/system/bin/sh: nosuchcmd: not found/" \
	"shell v2: stderr apart from stdout"
ADB -s "$SIM_ADDR" exec-out pm list packages -f -i -U --show-versioncode >"$T/pm.out"
cmp -s "$T/pm.out" "$PHONE/out/pm_list_packages.txt"
ok $? "exec-out (arguments quoted by adb) gets the canned pm output"
ADB -s "$SIM_ADDR" exec-out content query --uri content://sms --projection _id:address:date:type:body >"$T/sms.out"
is "$(grep -c '^Row: [0-9]* _id=' "$T/sms.out")" "8" "content query: 7 rows and the fake 'Row:' line inside a body"
grep -q '^second line, address=+861234, type=2$' "$T/sms.out"
ok $? "content query: a body with a newline, ', ' and '=' comes out unescaped"
like "$(cat "$T/sms.out")" "body=🚀🙂 emoji only 👍🏽 and a trailing comma, $" "content query: emoji body"
ADB -s "$SIM_ADDR" exec-out date +%s >"$T/date.out"
d=$(cat "$T/date.out")
now=$(date +%s)
[ -n "$d" ] && [ $((d - now)) -le 5 ] && [ $((now - d)) -le 5 ]
ok $? "date +%s is the simulated device clock (now): $d vs $now"

# The field's one-liner for the IMEI (Android <= 10) reads the simulated parcel too.
is "$(ADB -s "$SIM_ADDR" shell service call iphonesubinfo 1 | cut -c 52-66 | tr -d ".[:space:]'")" \
	"860605030250737" "service call iphonesubinfo 1: a parcel the usual cut one-liner reads"
like "$(ADB -s "$SIM_ADDR" shell service call iphonesubinfo 11)" "^  0x00000000: ffffffff " \
	"service call iphonesubinfo 11: an exception parcel (refused)"
is "$(ADB -s "$SIM_ADDR" shell settings get secure android_id)" "null" "settings get of an unset key: null"
like "$(ADB -s "$SIM_ADDR" shell dumpsys package com.tencent.mm)" "^    firstInstallTime=2021-01-15 09:30:12$" \
	"dumpsys package: first install time"
ADB -s "$SIM_ADDR" pull -a /sdcard "$T/pull" >"$T/pull.out" 2>&1
ok $? "adb pull -a /sdcard"
# What a pull must give: the fixture, plus the symlinks (symlinks.json) as what they point to.
must cp -R "$PHONE/sdcard" "$T/want"
must cp "$PHONE/sdcard/DCIM/Camera/IMG_20210304_101112.jpg" "$T/want/DCIM/latest.jpg"
must cp -R "$PHONE/sdcard/DCIM/Camera" "$T/want/Pictures/Camera"
diff -r "$T/want" "$T/pull" >"$T/diff.out" 2>&1
ok $? "the pulled tree is byte for byte the fixture (names with newline, backslash, Chinese, emoji; 0-byte; >1 MiB; links to a file and a directory)"
[ -s "$T/diff.out" ] && sed 's/^/#   /' "$T/diff.out" | head
is "$(cd "$T/pull" && find . -type f | wc -l)" "$(cd "$T/want" && find . -type f | wc -l)" \
	"as many files pulled as the fixture holds with its links followed"
# mtimes: every regular file's mtime is the one mtimes.json gives the simulator
python3 - "$PHONE" "$T/pull" >"$T/mtimes.out" <<'PY'
import json, os, sys
phone, pull = sys.argv[1:]
want = json.load(open(os.path.join(phone, "mtimes.json"), encoding="utf-8"))
bad = n = 0
for dev, t in want.items():
    if not os.path.isfile(os.path.join(phone, "sdcard", dev[len("/sdcard/"):])): continue
    n += 1
    p = os.path.join(pull, dev[len("/sdcard/"):])
    got = int(os.lstat(p).st_mtime)
    if got != t:
        print("# %r: %d != %d" % (dev, got, t)); bad += 1
print("checked %d bad %d" % (n, bad))
PY
like "$(cat "$T/mtimes.out")" "^checked 2[0-9] bad 0$" "pulled mtimes equal the device's (mtimes.json)"
ADB -s "$SIM_ADDR" ls /sdcard/Download >"$T/ls.out"
python3 - "$PHONE" "$T/ls.out" >"$T/ls.chk" <<'PY'
import json, os, sys
phone, lsout = sys.argv[1:]
mt = json.load(open(os.path.join(phone, "mtimes.json"), encoding="utf-8"))
d = os.path.join(phone, "sdcard", "Download")
want = set()
for n in os.listdir(d):
    st = os.lstat(os.path.join(d, n))
    want.add("%08x %08x %08x %s" % (st.st_mode, st.st_size, mt["/sdcard/Download/" + n], n))
got = open(lsout, encoding="utf-8").read()
missing = [w for w in want if w + "\n" not in got]
print("entries %d missing %d" % (len(want), len(missing)), missing)
PY
like "$(cat "$T/ls.chk")" "^entries 6 missing 0 " "adb ls: mode, size, mtime and name of each entry"
echo hello >"$T/push.txt"
ADB -s "$SIM_ADDR" push "$T/push.txt" /sdcard/Download/push.txt >"$T/push.out" 2>&1
nok $? "adb push is refused: the simulated phone is read-only"
grep -q '"event": "sync-refused", "request": "SEND"' "$SIM_LOG"
ok $? "the refused SEND is in the simulator's log"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1

# ---- adb backup, and faults as adb meets them
must sim_start --fault fail:/sdcard/Download --fault "clse-mid-file:/sdcard/DCIM/Camera/VID_20210305_083000.mp4"
ADB connect "$SIM_ADDR" >/dev/null 2>&1
ADB -s "$SIM_ADDR" backup -f "$T/b.ab" -all >"$T/ab.out" 2>&1
ok $? "adb backup -all"
python3 - "$T/b.ab" >"$T/ab.names" 2>&1 <<'PY'
import io, sys, tarfile, zlib
d = open(sys.argv[1], "rb").read()
head = b"ANDROID BACKUP\n5\n1\nnone\n"
assert d.startswith(head), d[:40]
print("\n".join(tarfile.open(fileobj=io.BytesIO(zlib.decompress(d[len(head):]))).getnames()))
PY
grep -qx 'apps/com.tencent.mm/db/EnMicroMsg.db' "$T/ab.names"
ok $? "the .ab adb wrote is an ANDROID BACKUP v5 of a zlib'd tar with the app's database"
ADB -s "$SIM_ADDR" pull "/sdcard/Download/转账记录.pdf" "$T/fail.pdf" >"$T/fail.out" 2>&1
st=$?
like "$st $(cat "$T/fail.out")" "^1 .*remote open failed: Permission denied" "fail:PATH: adb pull reports the device's FAIL message"
ADB -s "$SIM_ADDR" pull /sdcard/DCIM/Camera/VID_20210305_083000.mp4 "$T/cut.mp4" >"$T/cut.out" 2>&1
st=$?
[ $st -ne 0 ] && [ ! -e "$T/cut.mp4" ]
ok $? "clse-mid-file: adb pull fails and keeps no partial file (exit $st)"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1

# ---- first-time AUTH: signature unknown -> RSAPUBLICKEY -> "Allow" -> online
must sim_start --auth accept
A1=$SIM_ADDR L1=$SIM_LOG
ADB connect "$A1" >"$T/c1.out" 2>&1
is "$(wait_state "$A1" device)" "device" "AUTH accept: online after the simulated Allow tap"
grep -q '"type": "signature", "accepted": false' "$L1" && grep -q '"type": "rsapublickey", "valid": true' "$L1"
ok $? "AUTH accept: the unknown signature was refused, then the public key parsed and accepted"
is "$(ADB -s "$A1" shell getprop ro.product.model)" "Redmi Note 8 Pro" "AUTH accept: shell works once allowed"
ADB disconnect "$A1" >/dev/null 2>&1
ADB connect "$A1" >/dev/null 2>&1
is "$(wait_state "$A1" device)" "device" "AUTH accept: second connection online"
grep -q '"type": "signature", "accepted": true' "$L1"
ok $? "AUTH accept: the second connection's PKCS#1 signature verified against the stored key"
ADB disconnect "$A1" >/dev/null 2>&1

# ---- a denied prompt stays unauthorized; a key known in advance (--keys) passes at once
must sim_start --auth deny
ADB connect "$SIM_ADDR" >/dev/null 2>&1
sleep 1
is "$(wait_state "$SIM_ADDR" unauthorized)" "unauthorized" "AUTH deny: adb devices says unauthorized"
grep -q '"event": "online"' "$SIM_LOG"
nok $? "AUTH deny: never online"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1
must sim_start --auth deny --keys "$HOME/.android/adbkey.pub"
ADB connect "$SIM_ADDR" >/dev/null 2>&1
is "$(wait_state "$SIM_ADDR" device)" "device" "--keys: adb's own key (adbkey.pub) is accepted by signature"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1

# ---- an old phone (Android 6): version 0x01000000 (checksums checked), 4 KiB payloads, no
# features (shell v1, STAT/LIST)
must sim_start --v1 --version 0x01000000 --max-payload 4096
ADB connect "$SIM_ADDR" >/dev/null 2>&1
is "$(wait_state "$SIM_ADDR" device)" "device" "v1 phone online"
is "$(ADB -s "$SIM_ADDR" shell 'getprop ro.serialno; nosuchcmd' 2>&1)" "SIM0001
/system/bin/sh: nosuchcmd: not found" "shell v1: stdout and stderr on one stream"
ADB -s "$SIM_ADDR" pull -a /sdcard "$T/pull1" >/dev/null 2>&1 && diff -r "$T/want" "$T/pull1" >/dev/null
ok $? "v1 phone (STAT/LIST, checksummed packets): /sdcard pulled byte for byte"
grep -q '"request": "LIST"' "$SIM_LOG" && ! grep -q '"request": "LIS2"' "$SIM_LOG"
ok $? "v1 phone: adb used LIST, never LIS2"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1
# /sdcard as a real phone has it: a symlink (to /storage/self/primary), seen by STAT
must sim_start --v1 --sdcard-link
ADB connect "$SIM_ADDR" >/dev/null 2>&1
ADB -s "$SIM_ADDR" pull -a /sdcard "$T/pull2" >/dev/null 2>&1 && diff -r "$T/want" "$T/pull2" >/dev/null
ok $? "--sdcard-link: adb follows the /sdcard link and pulls the same tree"
ADB disconnect "$SIM_ADDR" >/dev/null 2>&1

tap_done
