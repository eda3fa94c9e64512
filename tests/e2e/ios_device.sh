#!/bin/sh
# ios_device.sh - custos's iPhone layer (extract/ios/device.h) against the simulated iPhone
# (tests/sim/iphone_sim.py) through tests/unit/ios_tool: listing with states, the lockdown
# values as JSON and XML, the clock, installation_proxy, AFC walk and read, a full and an
# incremental mobilebackup2 backup byte for byte the fixture, every fault and state of the
# simulator with the sentence that tells the investigator what to do, a pair record created
# and reported, the opt-in backup password; nothing else is ever written to the phone.
. "$SRCDIR/tests/harness/tap.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_setup ios_device
tap_plan 77

TOOL=$BUILDDIR/tests/unit/ios_tool
fixtures_samples || bail "sample images did not build"
. "$SRCDIR/tests/sim/ios_start.sh"
B=$S/ios-backup/$UDID
tool() { timeout -k 5 120 "$TOOL" "$@"; }
# sums DIR: sha256 of every file the phone sends (not Info.plist: the host writes it)
sums() { (cd "$1" && find . -type f ! -name Info.plist | LC_ALL=C sort | xargs sha256sum); }
sums "$B" >"$T/want.sum"
# backup NAME [full]: ios_tool backup into $T/NAME; output in NAME.out/.err, status in $st
backup() {
	rm -rf "$T/$1"
	mkdir -p "$T/$1"
	tool backup "$T/$1" $2 >"$T/$1.out" 2>"$T/$1.err"
	st=$?
}
# written: requests of the log that change the phone (the simulator marks them), one a line
written() {
	python3 - "$IOS_SIM_LOG" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("write") or e.get("refused") or e.get("req") in ("SetValue", "RemoveValue", "EnterRecovery"):
        print(e.get("svc"), e.get("req") or e.get("msg") or e.get("op") or e.get("cmd"))
PY
}
logged() { grep -c "$1" "$IOS_SIM_LOG"; }

# ---- not attached
(USBMUXD_SOCKET_ADDRESS=UNIX:$T/nothing.sock tool list >"$T/none.out" 2>"$T/none.err")
is $? 4 "no usbmuxd: listing fails as a device error (exit 4)"
like "$(cat "$T/none.err")" "usbmuxd does not answer" "no usbmuxd: said so"

# ---- a trusted, unlocked phone
M=$T/media
mkdir -p "$M/DCIM/100APPLE" "$M/Recordings" "$M/Downloads"
head -c 300000 /dev/urandom >"$M/DCIM/100APPLE/IMG_0001.JPG"
printf 'voice memo' >"$M/Recordings/b.m4a"
printf 'a' >"$M/Recordings/a.m4a"
ln -s ../DCIM/100APPLE/IMG_0001.JPG "$M/Downloads/latest.jpg"
must ios_sim_start --backup "$S/ios-backup" --media "$M" --clock-skew 3600
tool list >"$T/list.out" 2>"$T/list.err"
ok $? "list: runs"
is "$(cut -f1-6 "$T/list.out")" "$UDID	ready	usb	阿杰的iPhone	iPhone13,2	17.3.1" \
	"list: udid, ready, usb, name, product type and version"
is "$(cut -f7 "$T/list.out")" "" "list: no advice when ready"
tool known "$UDID"
ok $? "known: the simulated UDID is an iPhone"
tool known 0123456789abcdef
is $? 1 "known: an Android serial is not"
expect_exit 4 "open: another UDID is not attached (exit 4)" tool -u 00008101-000000000000001E values
like "$(cat "$T/last.err")" "not attached: connect the iPhone with a data cable" "open: says to connect the iPhone"

tool values >"$T/values.json" 2>"$T/values.err"
ok $? "values: the root dictionary"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["UniqueDeviceID"], d["ProductType"], type(d["PasswordProtected"]).__name__)' "$T/values.json")" \
	"$UDID iPhone13,2 bool" "values: UniqueDeviceID, ProductType, a boolean as JSON"
like "$(cat "$T/values.err")" "^CMD ok lockdownd GetValue raw=[1-9]" "values: the GetValue reply is reported with its XML"
like "$(grep -c '^CMD ok lockdownd handshake' "$T/values.err")" "^1$" "values: the handshake is reported"
tool values com.apple.mobile.backup >"$T/backup.json" 2>"$T/backup.err"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["WillEncrypt"])' "$T/backup.json")" "False" \
	"values com.apple.mobile.backup: WillEncrypt false"
like "$(cat "$T/backup.err")" "^CMD ok lockdownd GetValue com.apple.mobile.backup raw=" "values: the domain named in the report"
tool values-xml >"$T/values.xml" 2>/dev/null
python3 -c 'import plistlib,sys; d=plistlib.load(open(sys.argv[1],"rb")); sys.exit(d["UniqueDeviceID"]!=sys.argv[2])' "$T/values.xml" "$UDID"
ok $? "values-xml: an XML plist with the UDID"
expect_exit 3 "values of a missing domain: not found (exit 3)" tool values com.example.nothing
now=$(date +%s)
devms=$(tool time 2>/dev/null)
python3 -c 'import sys; d=int(sys.argv[1])/1000-int(sys.argv[2]); sys.exit(0 if 3590 < d < 3610 else 1)' "$devms" "$now"
ok $? "time: the device clock (skewed by 3600 s) in Unix ms"

tool apps >"$T/apps.json" 2>"$T/apps.err"
ok $? "apps: installation_proxy Browse"
like "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(" ".join(sorted(x["CFBundleIdentifier"] for x in a)))' "$T/apps.json")" \
	"com.tencent.mqq com.tencent.xin .*net.whatsapp.WhatsApp" "apps: the user apps are listed (ApplicationType Any)"
like "$(python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1])) if x["CFBundleIdentifier"]=="com.tencent.xin"][0]["CFBundleDisplayName"])' "$T/apps.json")" \
	"^微信$" "apps: display names as sent"
like "$(tr '\n' '|' <"$T/apps.err")" "CMD ok lockdownd StartService com.apple.mobile.installation_proxy raw=[1-9][0-9]*\|CMD ok installation_proxy Browse raw=[1-9]" \
	"apps: the service start and Browse reported"

tool walk / >"$T/walk.out" 2>"$T/walk.err"
ok $? "walk: the AFC jail"
is "$(awk '{ $3 = ""; if ($1 != "f") $2 = "-"; print }' "$T/walk.out" | tr '\n' '|')" \
	"d -  /DCIM|d -  /DCIM/100APPLE|f 300000  /DCIM/100APPLE/IMG_0001.JPG|d -  /Downloads|l -  /Downloads/latest.jpg -> ../DCIM/100APPLE/IMG_0001.JPG|d -  /Recordings|f 1  /Recordings/a.m4a|f 10  /Recordings/b.m4a|" \
	"walk: depth first, names sorted, sizes, a symlink and its target"
like "$(grep ' /Recordings/b.m4a' "$T/walk.out" | cut -d' ' -f3)" "^[0-9]{18,}$" "walk: mtime in ns"
tool read /DCIM/100APPLE/IMG_0001.JPG >"$T/img" 2>/dev/null
cmp -s "$T/img" "$M/DCIM/100APPLE/IMG_0001.JPG"
ok $? "read: a 300000-byte file byte for byte"
expect_exit 3 "read: a missing file is not found (exit 3)" tool read /DCIM/nothing
expect_exit 3 "walk: a missing root is not found (exit 3)" tool walk /Nothing
like "$(cat "$T/walk.err")" "CMD ok afc walk / \| 8 entries, 0 unreadable" "walk: the walk reported with its counts"

# ---- backups
backup full full
is "$st" 0 "backup full: succeeds"
sums "$T/full/$UDID" >"$T/got.sum"
diff "$T/want.sum" "$T/got.sum" >"$T/diff" 2>&1
ok $? "backup full: byte for byte the fixture (Snapshot/, then MoveItems, RemoveItems)"
is "$(sed -n '1p;3p' "$T/full.out" | tr '\n' ' ')" "error_code 0 files 22 " "backup full: ErrorCode 0, 22 files"
like "$(cat "$T/full.err")" "CMD ok lockdownd StartService com.apple.mobilebackup2 raw=[1-9]" "backup: the service start reported"
like "$(logged '"escrow": true')" "^[1-9]" "backup: mobilebackup2 started with the escrow bag"
like "$(grep '"msg": "Backup"' "$IOS_SIM_LOG")" '"full": true' "backup full: ForceFullBackup sent"
mkdir -p "$T/raw"
IOS_TOOL_RAW_DIR=$T/raw tool values com.apple.mobile.backup >/dev/null 2>&1
like "$(python3 -c 'import plistlib,sys; d=plistlib.load(open(sys.argv[1],"rb")); print(d["Request"], d["Domain"], d["Value"]["WillEncrypt"])' "$T/raw/001 lockdownd GetValue com.apple.mobile.backup.xml")" \
	"^GetValue com.apple.mobile.backup False$" \
	"the GetValue reply reported is the phone's own (Domain, Request, Value)"
backup incr
IOS_TOOL_RAW_DIR=$T/raw tool backup "$T/incr2" >/dev/null 2>&1
like "$(python3 -c 'import plistlib,sys; d=plistlib.load(open(sys.argv[1],"rb")); print(d["Request"], d["Service"], d["Port"])' "$T/raw/001 lockdownd StartService com.apple.mobilebackup2.xml")" \
	"^StartService com.apple.mobilebackup2 [0-9]+$" \
	"the StartService reply reported is the phone's own (Port, Service)"
grep -q EscrowBag "$T/raw/001 lockdownd StartService com.apple.mobilebackup2.xml"
nok $? "the escrow bag is never reported"
is "$st" 0 "backup incremental: succeeds"
like "$(grep '"reply": "DLMessageDownloadFiles"' "$IOS_SIM_LOG")" '"code": -13, "text": "Multi status"' \
	"backup incremental: DownloadFiles answered: the host has none (Multi status)"
sums "$T/incr/$UDID" >"$T/got2.sum"
diff "$T/want.sum" "$T/got2.sum" >/dev/null
ok $? "backup incremental: byte for byte the fixture too"
is "$(written)" "" "nothing was written to the phone"
ios_sim_stop

# ---- --flat, tiny blocks and batches: the framing across many reads
must ios_sim_start --backup "$S/ios-backup" --flat --block 7 --batch 5
backup flat full
sums "$T/flat/$UDID" >"$T/got3.sum"
[ "$st" = 0 ] && diff "$T/want.sum" "$T/got3.sum" >/dev/null
ok $? "backup --flat --block 7 --batch 5: byte for byte the fixture"
ios_sim_stop

# ---- a 64 MiB file streams through in blocks: never whole in memory
mkdir -p "$T/bigsrc"
cp -R "$B" "$T/bigsrc/"
mkdir -p "$T/bigsrc/$UDID/ff"
big=ff00000000000000000000000000000000000000
head -c 67108864 /dev/urandom >"$T/bigsrc/$UDID/ff/$big"
must ios_sim_start --backup "$T/bigsrc" --flat --block 1048576
backup big full
cmp -s "$T/big/$UDID/ff/$big" "$T/bigsrc/$UDID/ff/$big"
ok $? "a 64 MiB file: received byte for byte"
rss=$(sed -n 's/^maxrss_kb //p' "$T/big.out")
[ "${rss:-999999}" -lt 32768 ]
ok $? "a 64 MiB file: the host never held it (max RSS ${rss:-?} KiB < 32 MiB)"
rm -rf "$T/bigsrc" "$T/big"
ios_sim_stop

# ---- faults
must ios_sim_start --backup "$S/ios-backup" --fault cut-after:3
backup cut full
is "$st" 4 "cut in the middle of a file: a device error (exit 4)"
like "$(cat "$T/cut.err")" "FILE-ERROR $UDID/Snapshot/[0-9a-f]{2}/[0-9a-f]{40} the file stream broke off" \
	"cut: the sink heard file_end(false) for the file cut"
like "$(cat "$T/cut.err")" "connection was closed in the middle: reconnect the iPhone" "cut: says what to do"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --fault remote-error:3d0d7e5fb2ce288813306e4d4636395e047a3d28
backup rerr full
is "$st" 0 "the phone's error for one file: the backup goes on"
like "$(cat "$T/rerr.err")" "FILE-ERROR $UDID/Snapshot/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28 Simulated read error" \
	"remote error: the file ends with ok false and the phone's message"
is "$(sed -n 3p "$T/rerr.out")" "files 21" "remote error: 21 files received whole"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --fault error-code:105
backup ec full
is "$st" 4 "ErrorCode 105: a device error (exit 4)"
like "$(cat "$T/ec.err")" "ios_tool: .*error 105: Not enough free disk space" "ErrorCode 105: the phone's description"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --fault bad-plist
backup bad full
is "$st" 3 "a malformed DeviceLink message: a format error (exit 3)"
# the simulator logs the host's reply from its own thread: give it a moment
i=0
while [ "$i" -lt 100 ] && ! grep -q after_bad_plist "$IOS_SIM_LOG"; do
	sleep 0.1
	i=$((i + 1))
done
like "$(grep after_bad_plist "$IOS_SIM_LOG" | head -1)" "DLMessageStatusResponse', -22, 'malformed message'" \
	"malformed message: answered with an error status"
ios_sim_stop

# ---- states
must ios_sim_start --backup "$S/ios-backup" --state passcode
backup pc full
is "$st" 4 "passcode needed (iOS 16.1+): exit 4"
like "$(cat "$T/pc.err")" "enter the passcode when it asks for it" "passcode: says to enter it on the iPhone"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --state locked
tool list >"$T/ll.out" 2>/dev/null
is "$(cut -f2,7 "$T/ll.out")" "locked	unlock the iPhone (enter the passcode) and keep it unlocked, then run again" \
	"locked: listed as locked with the advice"
backup lk full
like "$st $(tr '\n' ' ' <"$T/lk.err")" "^4 .*unlock the iPhone \(enter the passcode\) and keep it unlocked" "locked: exit 4, says to unlock"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --state untrusted
tool list >"$T/ul.out" 2>/dev/null
is "$(cut -f2,7 "$T/ul.out")" "untrusted	unlock the iPhone and tap Trust, enter the passcode, then run again" \
	"untrusted: listed with the advice, without pairing"
is "$(logged '"req": "Pair"')" 0 "untrusted: listing did not pair"
expect_exit 4 "untrusted: open fails (exit 4)" tool values
like "$(cat "$T/last.err")" "Pairing dialog response pending.*unlock the iPhone and tap Trust" "untrusted: says to tap Trust"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --state deny-pairing
expect_exit 4 "pairing denied: exit 4" tool values
like "$(cat "$T/last.err")" "Trust was denied on the iPhone" "pairing denied: said so"
ios_sim_stop
must ios_sim_start --backup "$S/ios-backup" --state untrusted --pair-accept
tool values com.apple.mobile.backup >/dev/null 2>"$T/pair.err"
ok $? "Trust tapped: the session opens"
like "$(cat "$T/pair.err")" "^CHANGE pair record created \{.*\"udid\":\"$UDID\"" "Trust tapped: the pair record created is reported"
tool values com.apple.mobile.backup >/dev/null 2>"$T/pair2.err"
is "$(grep -c '^CHANGE' "$T/pair2.err")" 0 "the next open finds the record: no change reported"
ios_sim_stop

# ---- the opt-in backup password
must ios_sim_start --backup "$S/ios-backup" --backup-encrypted "$S/ios-backup-encrypted"
tool password - custos-test >/dev/null 2>"$T/pw.err"
ok $? "password: set"
like "$(cat "$T/pw.err")" "^CHANGE backup password set \{.*\"new_password_given\":true" "password: the change is reported"
grep -q custos-test "$T/pw.err"
nok $? "password: never in the report"
is "$(tool values com.apple.mobile.backup 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["WillEncrypt"])')" \
	"True" "password: the phone now encrypts"
tool password custos-test - >/dev/null 2>"$T/pw2.err"
like "$? $(tr '\n' ' ' <"$T/pw2.err")" "^0 .*CHANGE backup password removed" "password: removed again"
expect_exit 4 "password: removing a password that is not set fails (exit 4)" tool password wrong -
like "$(cat "$T/last.err")" "ChangePassword failed on the phone \(error 207" "password: the phone's refusal named"
grep -q '^CHANGE' "$T/last.err"
nok $? "password: a refused change is not reported as a change"
is "$(written)" "$(printf 'mobilebackup2 ChangePassword\nmobilebackup2 ChangePassword\nmobilebackup2 ChangePassword')" \
	"only the three password requests were written to the phone"
tap_done
