#!/bin/sh
# sim_faults.sh - the simulated adbd packet by packet, with a strict raw client
# (tests/sim/adb_raw.py) where Debian's adb hides the detail: checksums in both protocol
# versions, a host packet with a wrong checksum refused by an old phone, shell v2 frames,
# raw sync replies (STAT/STA2/LST2 of missing paths and symlinks, LIST/LIS2 with . and ..,
# RECV of a file over 1 MiB in 64 KiB DATA blocks), refused services and SEND, AUTH signed by
# openssl (refused, RSAPUBLICKEY allowed, verified next time, denied), each fault kind, a fault
# that fires once, the device clock offset, su, backup, and the log of what was asked.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup sim_faults
tap_plan 50

PHONE=$SRCDIR/tests/sim/phone
BIG=/sdcard/DCIM/Camera/VID_20210305_083000.mp4
BIGF=$PHONE/sdcard/DCIM/Camera/VID_20210305_083000.mp4
[ -f "$BIGF" ] || bail "missing fixture $BIGF"
. "$SRCDIR/tests/sim/start.sh"
# R ADDR ACTION [ARG] [OPTS]: the raw client; prints its "result:" and summary lines
R() { timeout -k 5 60 python3 "$SRCDIR/tests/sim/adb_raw.py" "$@" 2>&1; }
res() { printf '%s\n' "$1" | sed -n 's/^result: //p' | head -n 1; }

# ---- start.sh: a simulator started by a script is gone when the script exits
mkdir -p "$T/child"
T=$T/child sh -c '. "$SRCDIR/tests/sim/start.sh"; sim_start >/dev/null && echo "$SIM_PID"' >"$T/child.pid" 2>"$T/child.err"
cpid=$(cat "$T/child.pid")
sleep 0.2
[ -n "$cpid" ] && ! kill -0 "$cpid" 2>/dev/null
ok $? "start.sh: the EXIT trap stops the simulator it started (pid '$cpid')"
expect_exit 2 "--port in 5555-5585 is refused (the adb server scans them)" \
	python3 "$SRCDIR/tests/sim/adbd_sim.py" --root "$PHONE" --port 5560

# ---- a v2 phone, version 0x01000001
must sim_start
A=$SIM_ADDR
out=$(R "$A" cnxn)
like "$out" "^result: online version=0x01000001 maxdata=1048576 banner=device::ro.product.name=simphone;ro.product.model=Redmi Note 8 Pro;ro.product.device=simphone;features=shell_v2,cmd,stat_v2,ls_v2," "CNXN: version, max payload and the v2 banner"
like "$out" "checksums=zero" "0x01000001: the phone sends no checksums"
out=$(R "$A" cnxn --version 0x01000000)
like "$(printf '%s' "$out" | tr '\n' ' ')" "online version=0x01000000 .*checksums=ok$" "a 0x01000000 host gets checksummed packets from the same phone"
out=$(R "$A" shell 'getprop ro.serialno; nosuchcmd' --out "$T/sh.out")
is "$(res "$out")" "exit=127 stderr=/system/bin/sh: nosuchcmd: not found" "shell v2: exit frame and stderr frame"
is "$(cat "$T/sh.out")" "SIM0001" "shell v2: stdout frame"
out=$(R "$A" recv "$BIG" --out "$T/big")
is "$(res "$out")" "done bytes=$(stat -c %s "$BIGF")" "RECV of a file over 1 MiB: DATA blocks then DONE"
cmp -s "$T/big" "$BIGF"
ok $? "RECV bytes equal the fixture"
like "$out" "wrte_max=1048576 " "sync replies fill WRTEs up to the negotiated payload"
is "$(res "$(R "$A" stat /sdcard/nothing)")" "STAT mode=0 size=0 mtime=0" "STAT of a missing path: all zero"
is "$(res "$(R "$A" sta2 /sdcard/nothing)")" "STA2 error=2 mode=0 size=0 mtime=0" "STA2 of a missing path: ENOENT"
is "$(res "$(R "$A" lst2 /sdcard/DCIM/latest.jpg)")" "LST2 error=0 mode=120777 size=30 mtime=1614779800" "LST2 of a symlink: the link itself"
is "$(res "$(R "$A" sta2 /sdcard/DCIM/latest.jpg)")" "STA2 error=0 mode=100$(stat -c %a "$PHONE/sdcard/DCIM/Camera/IMG_20210304_101112.jpg") size=30013 mtime=1614848217" "STA2 of a symlink: its target (mtime from mtimes.json)"
is "$(res "$(R "$A" stat /sdcard/DCIM/latest.jpg/)")" "STAT mode=0 size=0 mtime=0" "STAT of 'link-to-file/': not a directory"
is "$(res "$(R "$A" stat /sdcard/Pictures/Camera/)")" "STAT mode=40$(stat -c %a "$PHONE/sdcard/DCIM/Camera") size=$(stat -c %s "$PHONE/sdcard/DCIM/Camera") mtime=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["/sdcard/DCIM/Camera"])' "$PHONE/mtimes.json")" "STAT of 'link-to-dir/': the directory it points to"
out=$(R "$A" list /sdcard/Download)
is "$(printf '%s\n' "$out" | grep '^dent: ' | head -n 4 | cut -d' ' -f4-)" "1614736600 .
1614736600 ..
1614859017 back\\slash.txt
1614862617 new\\nline.txt" "LIST: . and .. first, then the names as stored (newline, backslash), device mtimes"
is "$(res "$out")" "DONE entries=8" "LIST ends with DONE"
is "$(res "$(R "$A" lis2 /sdcard/Download)")" "DONE entries=8" "LIS2: the same entries in DNT2 form"
is "$(res "$(R "$A" open 'reboot:')")" "refused" "an unknown service is refused with CLSE"
is "$(res "$(R "$A" send /sdcard/x)")" "FAIL read-only file system (simulated phone: nothing is written)" "SEND refused"
is "$(res "$(R "$A" exec 'content query --uri content://sms --projection _id:body --where "_id>6"' --out "$T/cq")")" "bytes=$(printf 'Row: 0 _id=7, body=【工商银行】您尾号1234卡3月4日10:26转入200.00元，余额=1,234.56元。\n\n\n' | wc -c)" "content query with --where"
# content query of every provider, rendered here from providers/*.json by Content.java's
# rules (Row: N, "k=v" joined by ", ", NULL, nothing escaped) and compared byte for byte
bad=0
for u in content://sms content://sms/inbox content://mms content://mms/part content://call_log/calls content://com.android.contacts/data; do
	R "$A" exec "content query --uri $u" --out "$T/cq.got" >/dev/null
	python3 - "$PHONE/providers" "$u" >"$T/cq.want" <<'PY'
import json, os, sys
d, uri = sys.argv[1:]
for fn in sorted(os.listdir(d)):
    p = json.load(open(os.path.join(d, fn), encoding="utf-8"))
    if uri in p["uris"]:
        rows = [r for r in p["rows"] if all(r.get(k) == v for k, v in p["uris"][uri].items())]
        for n, r in enumerate(rows):
            vals = ["%s=%s" % (c, "NULL" if r.get(c) is None else r[c]) for c in p["columns"]]
            sys.stdout.write("Row: %d %s\n" % (n, ", ".join(vals)))
        if not rows:
            sys.stdout.write("No result found.\n")
PY
	cmp -s "$T/cq.got" "$T/cq.want" || { bad=1; echo "# content query --uri $u differs"; }
done
ok $bad "content query of sms, sms/inbox, mms, mms/part, call_log, contacts data: as Content.java prints the rows"
grep -q '"event": "sync-refused", "request": "SEND", "path": "/sdcard/x,33188"' "$SIM_LOG"
ok $? "the log has the SEND attempt"

# ---- an old phone: 0x01000000, no features
must sim_start --v1 --version 0x01000000
A=$SIM_ADDR
is "$(R "$A" cnxn | tr '\n' '|')" "result: online version=0x01000000 maxdata=1048576 banner=device::ro.product.name=simphone;ro.product.model=Redmi Note 8 Pro;ro.product.device=simphone;|packets=1 wrte_max=0 checksums=ok|" "v1 phone: no feature list, checksummed CNXN"
like "$(R "$A" cnxn --bad-sum)" "result: eof after 0 bytes" "0x01000000: a host packet with a wrong checksum closes the connection"
is "$(res "$(R "$A" open 'shell,v2,raw:id')")" "refused" "v1 phone: shell,v2 refused"
like "$(R "$A" shell id --v1-shell --out "$T/id")" "checksums=ok" "v1 shell: every packet checksummed"

must sim_start --v1 --sdcard-link
is "$(res "$(R "$SIM_ADDR" stat /sdcard)")/$(res "$(R "$SIM_ADDR" stat /sdcard/)")" \
	"STAT mode=120777 size=21 mtime=1614736600/STAT mode=40$(stat -c %a "$PHONE/sdcard") size=$(stat -c %s "$PHONE/sdcard") mtime=1614736600" \
	"--sdcard-link: STAT /sdcard is a link (21 bytes: /storage/self/primary), /sdcard/ the directory"

# ---- AUTH with a key made and used by openssl
must openssl genrsa -out "$T/k.pem" 2048
must sim_start --auth accept
A=$SIM_ADDR
is "$(res "$(R "$A" cnxn --key "$T/k.pem")")" "unauthorized (signature refused)" "AUTH: an unknown key's signature is refused (new TOKEN)"
like "$(res "$(R "$A" cnxn --key "$T/k.pem" --send-pubkey)")" "^online " "AUTH: RSAPUBLICKEY is the Allow tap"
like "$(res "$(R "$A" cnxn --key "$T/k.pem")")" "^online " "AUTH: an openssl PKCS#1 v1.5 signature of the token is verified"
must sim_start --auth deny --tap-delay 100
is "$(res "$(R "$SIM_ADDR" cnxn --key "$T/k.pem" --send-pubkey --timeout 1)")" "unauthorized (no answer)" "AUTH deny: no answer to the public key"

# ---- faults
# f KIND:ARG: a simulator with that fault (started here, not in a subshell, so the EXIT
# trap stops it); FR = the raw client's result for a RECV of the big file
f() { must sim_start --fault "$1"; FR=$(res "$(R "$SIM_ADDR" recv "$BIG" --timeout 2 --out "$T/f.out")"); }
f "clse-mid-file:$BIG"
is "$FR" "closed bytes=$(($(stat -c %s "$BIGF") / 2))" "clse-mid-file: half the file, then CLSE"
like "$(cmp "$T/f.out" "$BIGF" 2>&1)" "EOF on $T/f.out after byte $(($(stat -c %s "$BIGF") / 2))" "clse-mid-file: the half sent is the file's first half"
f fail:/sdcard/DCIM
is "$FR" "fail open failed: Permission denied" "fail: FAIL under a directory"
f bad-magic:3
is "$FR" "bad magic after 3 packets" "bad-magic:3"
f oversize:3
is "$FR" "oversize length 2097153 after 3 packets" "oversize:3"
f stall:3
is "$FR" "stalled: nothing for 2.0s after 3 packets" "stall:3"
f drop-after-bytes:1000
is "$FR" "eof after 1000 bytes (3 packets)" "drop-after-bytes:1000"
must sim_start --fault fragment:100
out=$(R "$SIM_ADDR" recv "$BIG" --out "$T/frag")
like "$out" "wrte_max=100 " "fragment:100: no WRTE over 100 bytes"
must sim_start --fault drop-after-bytes:1000 --faults-once
out1=$(res "$(R "$SIM_ADDR" recv "$BIG")")
out2=$(res "$(R "$SIM_ADDR" recv "$BIG")")
is "$out1/$out2" "eof after 1000 bytes (3 packets)/done bytes=$(stat -c %s "$BIGF")" "--faults-once: the second connection is whole"

# ---- clock, su, backup
must sim_start --clock-offset -3600 --su
R "$SIM_ADDR" exec 'date +%s' --out "$T/date" >/dev/null
d=$(cat "$T/date")
now=$(date +%s)
[ -n "$d" ] && [ $((now - 3600 - d)) -le 5 ] && [ $((d - now + 3600)) -le 5 ]
ok $? "--clock-offset -3600: the device clock is an hour behind ($d vs $now)"
R "$SIM_ADDR" exec "su -c 'tar -cf - /data/data/com.tencent.mm'" --out "$T/wx.tar" >/dev/null
tar -tf "$T/wx.tar" 2>/dev/null | grep -qx 'data/data/com.tencent.mm/databases/EnMicroMsg.db'
ok $? "--su: su -c tar of /data/data/com.tencent.mm (checked by tar)"
grep -q '"command": "su -c '"'"'tar -cf - /data/data/com.tencent.mm'"'"'"' "$SIM_LOG"
ok $? "the log has the su command as sent"

R "$SIM_ADDR" service 'backup:-all -shared' --out "$T/b.ab" >/dev/null
python3 - "$T/b.ab" >"$T/ab.out" 2>&1 <<'PY'
import io, sys, tarfile, zlib
d = open(sys.argv[1], "rb").read()
head = b"ANDROID BACKUP\n5\n1\nnone\n"
assert d.startswith(head), d[:40]
t = tarfile.open(fileobj=io.BytesIO(zlib.decompress(d[len(head):])))
print("\n".join(sorted(t.getnames())))
PY
grep -qx 'apps/com.tencent.mm/db/EnMicroMsg.db' "$T/ab.out" && grep -qx 'apps/com.tencent.mm/_manifest' "$T/ab.out"
ok $? "backup: an ANDROID BACKUP v5 stream, zlib'd tar in the FullBackup layout"
grep -q '"event": "backup", "args": \["-all", "-shared"\]' "$SIM_LOG"
ok $? "the log has the backup request"

# ---- --sdcard: another tree; sizes over 4 GiB in STAT (32 bits) and STA2 (64 bits)
mkdir -p "$T/sd/big"
must truncate -s 5G "$T/sd/big/huge.bin"
must sim_start --sdcard "$T/sd"
is "$(res "$(R "$SIM_ADDR" stat /sdcard/big/huge.bin)")" "STAT mode=100$(stat -c %a "$T/sd/big/huge.bin") size=1073741824 mtime=$(stat -c %Y "$T/sd/big/huge.bin")" "STAT: a 5 GiB size is cut to 32 bits, as adbd does"
is "$(res "$(R "$SIM_ADDR" sta2 /sdcard/big/huge.bin)")" "STA2 error=0 mode=100$(stat -c %a "$T/sd/big/huge.bin") size=5368709120 mtime=$(stat -c %Y "$T/sd/big/huge.bin")" "STA2: the whole 64-bit size"
like "$(R "$SIM_ADDR" lis2 /sdcard/big)" "dent: 100[0-7]+ 5368709120 [0-9]+ huge.bin" "LIS2: 64-bit size in DNT2"

tap_done
