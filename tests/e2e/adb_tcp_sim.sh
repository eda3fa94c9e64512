#!/bin/sh
# adb_tcp_sim.sh - custos's ADB library over its TCP transport against the
# simulated adbd (tests/sim/adbd_sim.py), through tests/unit/adb_tool: the
# banner and `devices`, shell v2 (exit code, stderr apart) and v1, exec, the
# whole fixture /sdcard pulled over sync byte for byte with its mtimes
# (STA2/LIS2 and STAT/LIST), version 0x01000000 with checksums and WRTEs cut
# small, first-time AUTH with a key created in the config dir, a denied
# prompt, and every fault kind of the simulator; nothing is ever written to
# the phone (the simulator's log).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup adb_tcp_sim
tap_plan 35

PHONE=$SRCDIR/tests/sim/phone
TOOL=$BUILDDIR/tests/unit/adb_tool
[ -f "$PHONE/commands.json" ] || bail "missing fixture $PHONE/commands.json"
. "$SRCDIR/tests/sim/start.sh"
export CUSTOS_ADB_KEY="$T/key/adbkey"
tool() { timeout -k 5 60 "$TOOL" "$@"; }
# files DIR: "sha256  path" of every regular file under DIR, sorted.
files() { (cd "$1" && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2); }
# mtimes_ok DIR: every file and directory under DIR has the device mtime: the one of
# phone/mtimes.json, else (a path it does not list, e.g. a symlink that a release
# tarball turned into a file) the fixture's own.
mtimes_ok() {
	python3 - "$1" "$PHONE/mtimes.json" "$PHONE/sdcard" <<'PY'
import json, os, sys
root, want, fixture = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
bad = 0
for dirpath, dirs, names in os.walk(root):
    for n in dirs + names:
        p = os.path.join(dirpath, n)
        if os.path.islink(p):
            continue
        rel = p[len(root):]
        w = want.get("/sdcard" + rel, int(os.stat(fixture + rel).st_mtime))
        if w != int(os.lstat(p).st_mtime):
            print("# mtime", rel, w, int(os.lstat(p).st_mtime)); bad += 1
sys.exit(1 if bad else 0)
PY
}
want_files=$(files "$PHONE/sdcard")

# ---- a v2 phone, no AUTH
must sim_start
tool banner "$SIM_ADDR" >"$T/banner.out" 2>"$T/banner.err"
ok $? "connects over TCP (CNXN)"
like "$(cat "$T/banner.out")" "^device::ro.product.name=simphone;ro.product.model=Redmi Note 8 Pro;.*features=shell_v2" \
	"the banner as sent"
like "$(sed -n 2p "$T/banner.out")" "^version 0x01000001 max 1048576 serial $SIM_ADDR\$" \
	"version 0x01000001, 1 MiB payload, serial is the address"
is "$(tool devices "$SIM_ADDR")" \
	"$SIM_ADDR tcp ready product=simphone model=Redmi Note 8 Pro device=simphone advice=" \
	"devices: ready, with product, model and device"
tool shell "$SIM_ADDR" "getprop ro.serialno" >"$T/sn.out" 2>"$T/sn.err"
is "$(cat "$T/sn.out")/$(cat "$T/sn.err")" "SIM0001/exit 0" "shell v2: getprop ro.serialno, exit 0"
tool shell "$SIM_ADDR" getprop >"$T/getprop.out" 2>/dev/null
cmp -s "$T/getprop.out" "$PHONE/out/getprop.txt"
ok $? "shell getprop: output byte for byte the canned one"
tool shell "$SIM_ADDR" nosuchcmd >"$T/ns.out" 2>"$T/ns.err"
is "$(cat "$T/ns.out")|$(tr '\n' '|' <"$T/ns.err")" "|/system/bin/sh: nosuchcmd: not found|exit 127|" \
	"shell v2: stderr apart, exit 127"
tool exec "$SIM_ADDR" "pm list packages -f -i -U --show-versioncode" >"$T/pm.out"
cmp -s "$T/pm.out" "$PHONE/out/pm_list_packages.txt"
ok $? "exec: binary-clean output equals the canned one"
mkdir "$T/v2"
run "pull the whole /sdcard over sync (LIS2, RECV)" tool pull "$SIM_ADDR" /sdcard "$T/v2"
is "$(files "$T/v2")" "$want_files" "every file byte for byte (Chinese, emoji, newline, backslash, 0 bytes, > 1 MiB)"
mtimes_ok "$T/v2"
ok $? "every file and directory keeps the device mtime"
like "$(tool ls "$SIM_ADDR" /sdcard/Download)" "^100[0-7]{3} 22 [0-9]+ new%0Aline.txt\$" "ls: a name with a newline, whole"
big=$(find "$PHONE/sdcard" -type f -size +1M | head -n 1)
dev_big=/sdcard${big#"$PHONE/sdcard"}
like "$(tool stat "$SIM_ADDR" "$dev_big")" "^1 100[0-7]{3} $(stat -c %s "$big") " "STA2: size of a file over 1 MiB"
is "$(tool stat "$SIM_ADDR" /sdcard/none)" "0 0 0 0" "STA2: a missing path does not exist"
grep -q -E '"event": "(sync-refused|backup)"|"request": "SEND"' "$SIM_LOG"
nok $? "nothing was pushed or asked to be written"

# ---- a v1 phone: shell:, STAT/LIST
must sim_start --v1
tool shell "$SIM_ADDR" nosuchcmd >"$T/v1.out" 2>"$T/v1.err"
is "$(cat "$T/v1.out")|$(cat "$T/v1.err")" "/system/bin/sh: nosuchcmd: not found|exit -1" \
	"shell v1: output merged on stdout, exit unknown"
mkdir "$T/v1"
run "v1 pull (LIST, RECV)" tool pull "$SIM_ADDR" /sdcard "$T/v1"
is "$(files "$T/v1")" "$want_files" "v1: every file byte for byte"

# ---- version 0x01000000 (checksums both ways), WRTEs of 7 bytes
must sim_start --version 0x01000000 --fault fragment:7
like "$(tool banner "$SIM_ADDR" | sed -n 2p)" "^version 0x01000000 " "version 0x01000000 negotiated"
mkdir "$T/ck"
run "pull with checksummed packets cut to 7 bytes" tool pull "$SIM_ADDR" /sdcard "$T/ck"
is "$(files "$T/ck")" "$want_files" "checksummed, fragmented: every file byte for byte"

# ---- AUTH: a first connection creates the key and offers it; the next one signs
unset CUSTOS_ADB_KEY
export XDG_CONFIG_HOME="$T/xdg"
must sim_start --auth accept --tap-delay 200
tool shell "$SIM_ADDR" "getprop ro.serialno" >"$T/a1.out" 2>"$T/a1.err"
is "$(cat "$T/a1.out")" "SIM0001" "first-time AUTH: allowed after the key was offered"
is "$(stat -c %a "$XDG_CONFIG_HOME/custos/adbkey" 2>&1)" "600" "the key was created in the config dir, mode 0600"
is "$(grep -c '"type": "rsapublickey"' "$SIM_LOG")" "1" "the public key was offered once"
tool shell "$SIM_ADDR" "getprop ro.serialno" >/dev/null 2>&1
is "$(grep -c '"type": "rsapublickey"' "$SIM_LOG")/$(grep -c '"type": "signature", "accepted": true' "$SIM_LOG")" \
	"1/1" "second connection: the signature is accepted, no prompt"
must sim_start --auth deny
ADB_TOOL_AUTH_MS=700 tool shell "$SIM_ADDR" id >"$T/deny.out" 2>"$T/deny.err"
is "$?" "4" "a prompt never allowed: device error (exit 4)"
like "$(cat "$T/deny.err")" "unauthorized: unlock the phone and tap Allow" "the message says what to do"
like "$(tool devices "$SIM_ADDR")" "^$SIM_ADDR tcp unauthorized .*advice=unlock the phone and tap Allow" \
	"devices: unauthorized, with advice"
export CUSTOS_ADB_KEY="$T/key/adbkey"

# ---- faults
vid=/sdcard/DCIM/Camera/VID_20210305_083000.mp4
must sim_start --fault "clse-mid-file:$vid"
tool pull "$SIM_ADDR" /sdcard/DCIM/Camera "$(mkdir "$T/f1" && echo "$T/f1")" 2>"$T/f1.err"
is "$?" "4" "CLSE in the middle of a file: device error"
like "$(cat "$T/f1.err")" "VID_20210305_083000.mp4.*incomplete" "never a silent short file"
must sim_start --fault fail:/sdcard/Download
tool pull "$SIM_ADDR" /sdcard/Download "$(mkdir "$T/f2" && echo "$T/f2")" 2>"$T/f2.err"
like "$?/$(cat "$T/f2.err")" "^3/.*failed on the device: open failed: Permission denied" \
	"FAIL: an I/O error with the device's message"
must sim_start --fault bad-magic:2
tool shell "$SIM_ADDR" id 2>"$T/f3.err"
like "$(cat "$T/f3.err")" "bad packet magic" "bad magic refused"
must sim_start --fault oversize:2
tool shell "$SIM_ADDR" id 2>"$T/f4.err"
like "$(cat "$T/f4.err")" "over the limit of 1048576 bytes" "an oversized length refused before reading"
must sim_start --fault stall:1
ADB_TOOL_IO_MS=500 tool shell "$SIM_ADDR" "getprop ro.serialno" >/dev/null 2>"$T/f5.err"
like "$?/$(cat "$T/f5.err")" "^4/.*timed out after 500 ms" "a stalled phone: timeout, device error"
must sim_start --fault drop-after-bytes:300000
tool pull "$SIM_ADDR" /sdcard "$(mkdir "$T/f6" && echo "$T/f6")" 2>"$T/f6.err"
like "$?/$(cat "$T/f6.err")" "^4/.*closed by the device" "a dropped connection: device error"
tap_done
