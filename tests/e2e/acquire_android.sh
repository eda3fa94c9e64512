#!/bin/sh
# acquire_android.sh - `custos devices/acquire/run` against the simulated
# phone (tests/sim/adbd_sim.py) over TCP, end to end: AUTH (first-time key,
# denied), every file of /sdcard byte for byte and by mtime against the
# fixture (sha256sum), the inventory's hashes against the evidence copies,
# a COMMAND entry for every command the phone saw (and the SHA-256 of its
# output), nothing pushed, installed or removed, facts and MISMATCH against
# the seizure record, case.db rows from the provider dumps (sqlite3), a
# FAIL and a CLSE mid-file, a dropped connection finished by --resume,
# shell v1, `devices --json`, and `run --adb-connect` through seal and
# verify.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup acquire_android
. "$SRCDIR/tests/sim/start.sh"
tap_plan 60

PHONE=$SRCDIR/tests/sim/phone
export CUSTOS_ADB_KEY="$T/adbkey"
TO="timeout -k 5 120"

cat >"$T/seizure.json" <<'EOF'
{"seizure": {"items": [{"item_id": "A1", "name": "手机", "quantity": 1,
  "features": {"make": "Xiaomi", "model": "Redmi Note 9"},
  "identifiers": {"imei": ["860605030250737", "860605030250745"]}}]}}
EOF

# check.py CASE ITEM: the evidence against the fixture phone and the log.
cat >"$T/check.py" <<'PY'
import hashlib, json, os, sys
case, item, phone, what = sys.argv[1:5]
inv = [json.loads(l) for l in open(os.path.join(case, "inventory", item + ".jsonl"), "rb")]
mt = json.load(open(os.path.join(phone, "mtimes.json")))
def sha(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()
bad = []
if what == "evidence":   # every listed file: its copy hashes as listed
    for r in inv:
        if r["type"] != "file":
            continue
        p = os.path.join(case, r["evidence_path"])
        if sha(p) != r["sha256"] or os.path.getsize(p) != r["size"]:
            bad.append(r["evidence_path"])
elif what == "sdcard":   # every fixture file came, identical, its mtime kept
    got = {r["device_path"]: r for r in inv if r["device_path"].startswith("/sdcard/")}
    want = 0
    for root, dirs, files in os.walk(os.path.join(phone, "sdcard")):
        for f in files:
            src = os.path.join(root, f)
            dev = "/sdcard/" + os.path.relpath(src, os.path.join(phone, "sdcard"))
            if os.path.islink(src):
                if got.get(dev, {}).get("type") != "symlink":
                    bad.append("symlink " + dev)
                continue
            want += 1
            r = got.get(dev)
            if r is None:
                bad.append("missing " + dev)
                continue
            if r["sha256"] != sha(src):
                bad.append("sha256 " + dev)
            if dev in mt and not (r["mtime"] or "").startswith(
                    __import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(mt[dev]))):
                bad.append("mtime %s %s %s" % (dev, r["mtime"], mt[dev]))
    links = os.path.join(phone, "symlinks.json")  # the phone's symlinks
    for dev in (json.load(open(links)) if os.path.exists(links) else {}):
        if got.get(dev, {}).get("type") != "symlink":
            bad.append("symlink " + dev)
    if want < 20:
        bad.append("only %d fixture files" % want)
    dup = len(inv) - len({r["device_path"] for r in inv})
    if dup:
        bad.append("%d device paths listed twice" % dup)
elif what == "commands": # each command the phone ran has its COMMAND entry
    log = [json.loads(l) for l in open(sys.argv[5])]
    ran = [e["command"] for e in log if e.get("event") == "command"]
    ents = [json.loads(l)["body"] for l in open(os.path.join(case, "custody", "log.jsonl"))]
    cmds = [e["details"] for e in ents if e["event"] == "COMMAND"]
    have = [c["command"] for c in cmds]
    for c in ran:
        if c not in have:
            bad.append("no COMMAND entry for %r" % c)
    for c in cmds:
        if c.get("evidence"):
            if sha(os.path.join(case, c["evidence"])) != c["stdout_sha256"]:
                bad.append("stdout_sha256 of %r" % c["command"])
    if len(ran) < 30:
        bad.append("only %d commands" % len(ran))
elif what == "nowrite":  # nothing pushed, installed or removed
    log = [json.loads(l) for l in open(sys.argv[5])]
    for e in log:
        if e.get("event") == "sync-refused":
            bad.append("a SEND")
        if e.get("event") == "sync" and e.get("request") not in ("STAT", "LIST", "RECV", "STA2", "LST2", "LIS2", "QUIT"):
            bad.append("sync " + str(e.get("request")))
        c = e.get("command") or ""
        for w in ("install", "rm ", "push", "mv ", "cp ", "> ", "settings put", "pm clear"):
            if w in c:
                bad.append("command " + c)
for b in bad[:20]:
    print("#   " + b)
sys.exit(1 if bad else 0)
PY

evq() { # evq CASE EVENT PATTERN: some entry of that event matches (grep)
	ev "$1" "$2" >"$T/ev.txt"
	grep -q -- "$3" "$T/ev.txt"
}
ev() { # ev CASE EVENT: the details of the entries of that event, one JSON per line
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b=json.loads(l)["body"]
    if b["event"]==sys.argv[2]: print(json.dumps(b["details"],ensure_ascii=False))' "$1/custody/log.jsonl" "$2"
}

# --- AUTH: first use creates the key; a new key waits for "Allow" ---
must sim_start --auth accept --tap-delay 300
"$CUSTOS" devices --adb-connect "$SIM_ADDR" --json >"$T/dev1.json" 2>"$T/dev1.err"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d)==1 and d[0]["state"]=="unauthorized" and "Allow" in (d[0]["advice"] or "") else 1)' "$T/dev1.json"
ok $? "devices --json: a phone whose key is not allowed yet is unauthorized, with advice"
[ -f "$T/adbkey" ] && [ "$(stat -c %a "$T/adbkey")" = 600 ]
ok $? "the RSA key was created on first use, mode 0600"

must "$CUSTOS" case init "$T/c" --case-id T-ACQ --manifest "$T/seizure.json"
expect_exit 0 "acquire over TCP with AUTH (the key allowed on the phone)" \
	$TO "$CUSTOS" --case "$T/c" acquire --adb-connect "$SIM_ADDR"
like "$(cat "$T/last.out")" "into item A1" "the seizure list's only item is used"
"$CUSTOS" devices --adb-connect "$SIM_ADDR" --json >"$T/dev2.json" 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d[0]["state"]=="ready" and d[0]["model"]=="Redmi Note 8 Pro" and d[0]["platform"]=="android" else 1)' "$T/dev2.json"
ok $? "devices --json: then ready, with its model"

python3 "$T/check.py" "$T/c" A1 "$PHONE" sdcard
ok $? "every /sdcard file came byte for byte (sha256), its mtime kept, symlinks as symlinks, none twice"
python3 "$T/check.py" "$T/c" A1 "$PHONE" evidence
ok $? "every evidence copy hashes as its inventory line says"
f=$(find "$T/c/evidence/A1/sdcard/Download" -name 'new*line.txt' | head -n 1)
same "$(sha256sum <"$f" | cut -c1-64)" "$(sha256sum <"$PHONE/sdcard/Download/new
line.txt" | cut -c1-64)" "a name with a newline: stored (escaped) and identical (sha256sum)"
[ -n "$(find "$T/c/evidence/A1/sdcard/Download" -name 'back%5Cslash.txt')" ]
ok $? "a name with a backslash is escaped reversibly (%5C)"
python3 "$T/check.py" "$T/c" A1 "$PHONE" commands "$SIM_LOG"
ok $? "a COMMAND entry for every command the phone ran, stdout SHA-256 = the evidence file's"
python3 "$T/check.py" "$T/c" A1 "$PHONE" nowrite "$SIM_LOG"
ok $? "nothing pushed, installed or removed (simulator's log)"
evq "$T/c" COMMAND '"command": "getprop", "service": "shell,v2", "exit_code": 0'
ok $? "getprop ran over shell v2 with its exit code"
evq "$T/c" ACQUIRE_START '"method": "adb", "transport": "tcp"'
ok $? "ACQUIRE_START: method adb over tcp"
ev "$T/c" ACQUIRE_END | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); c=d["clock"]; sys.exit(0 if d["status"]=="complete" and abs(c["start"]["offset_ms"])<5000 and "end" in c and len(d["inventory_sha256"])==64 else 1)'
ok $? "ACQUIRE_END: complete, the clock at start and end, the inventory digest"
same "$(ev "$T/c" ACQUIRE_END | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["inventory_sha256"])')" \
	"$(sha256sum <"$T/c/inventory/A1.jsonl" | cut -c1-64)" "ACQUIRE_END names the inventory's SHA-256"
evq "$T/c" MISMATCH '"field": "model", "typed": "Redmi Note 9", "typed_in": "manifest.json seizure.items\[\]", "read": "Redmi Note 8 Pro"'
ok $? "the model typed at seizure differs from the phone's: MISMATCH entry"
ev "$T/c" MISMATCH >"$T/mm.txt"
grep -q '"field": "imei"' "$T/mm.txt"
nok $? "the IMEI matches: no MISMATCH for it"
python3 -c 'import json,sys
m=json.load(open(sys.argv[1])); it=[i for i in m["items"] if i["item_id"]=="A1"][0]; s=it["device_state"]
ok = "860605030250737" in it["identifiers"]["imei"] and it["identifiers"]["serial"]=="SIM0001" and s["battery"]["level"]>0 \
  and s["airplane_mode"] is False and len(s["accounts"])>=2 and any(u["kind"]=="app_clone" for u in s["users"]) \
  and any(a["package"]=="com.tencent.mm" and "firstInstallTime" in a for a in s["packages"]["apps_of_interest"]) \
  and any("refused" in x for x in s["iphonesubinfo"]) and m["acquisitions"][0]["status"]=="complete" \
  and any("ICCID" in json.dumps(n) and "refused" in json.dumps(n) for n in m["acquisitions"][0]["not_acquired"])
sys.exit(0 if ok else 1)' "$T/c/manifest.json"
ok $? "facts: IMEI, serial, battery, airplane, accounts, app clone, packages; the refused ICCID said"
"$CUSTOS" verify "$T/c" >"$T/v.out" 2>&1
ok $? "custos verify of the case: chain, manifest and inventory check out"

# --- the provider dumps parsed into case.db ---
must "$CUSTOS" --case "$T/c" parse
same "$(sqlite3 "$T/c/case.db" "SELECT count(*) FROM messages WHERE app='sms' AND raw_type NOT LIKE 'mms/%'")" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$PHONE/providers/sms.json")" \
	"every SMS row of the phone is one message"
same "$(sqlite3 "$T/c/case.db" "SELECT hex(body) FROM messages WHERE app='sms' AND source_rowid=3")" \
	"$(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["rows"] if r["_id"]==3][0]["body"].encode().hex().upper())' "$PHONE/providers/sms.json")" \
	"a body with newlines and a forged 'Row:' line is whole (sqlite3 vs the fixture)"
same "$(sqlite3 "$T/c/case.db" "SELECT hex(body) FROM messages WHERE app='sms' AND source_rowid=2")" \
	"$(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["rows"] if r["_id"]==2][0]["body"].encode().hex().upper())' "$PHONE/providers/sms.json")" \
	"a body with ', ' and '=' is whole"
same "$(sqlite3 "$T/c/case.db" "SELECT count(*) FROM calls")" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$PHONE/providers/call_log.json")" \
	"every call-log row is one call"
[ "$(sqlite3 "$T/c/case.db" "SELECT count(*) FROM contacts")" -ge 1 ]
ok $? "contacts from the contacts provider"
is "$(sqlite3 "$T/c/case.db" "SELECT platform || ' ' || imei || ' ' || acquisition_method FROM items WHERE item_id='A1'")" \
	"android 860605030250737,860605030250745 adb" "case.db items: the phone as it said, acquired by adb"
is "$(sqlite3 "$T/c/case.db" "SELECT timezone FROM items WHERE item_id='A1'")" "Asia/Shanghai" \
	"case.db items.timezone: getprop persist.sys.timezone"
[ "$(sqlite3 "$T/c/case.db" "SELECT count(*) FROM payments WHERE app='bank-sms'")" -ge 1 ]
ok $? "a bank SMS from the dump becomes a payment"
same "$(sqlite3 "$T/c/case.db" "SELECT kind || ' ' || direction || ' ' || hex(body) FROM messages WHERE raw_type LIKE 'mms/%'")" \
	"image incoming $(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["rows"] if r["ct"]=="text/plain"][0]["text"].encode().hex().upper())' "$PHONE/providers/mms_part.json")" \
	"an MMS: its text part whole, an image attached"

# --- a second acquisition into the same item is refused ---
expect_exit 2 "acquiring the item again without --resume is refused" \
	$TO "$CUSTOS" --case "$T/c" acquire --adb-connect "$SIM_ADDR"

# --- AUTH denied: exit 4 with the advice ---
must sim_start --auth deny
must "$CUSTOS" case init "$T/d" --case-id T-DENY
CUSTOS_ADB_KEY="$T/otherkey" $TO "$CUSTOS" --case "$T/d" acquire --adb-connect "$SIM_ADDR" \
	--auth-wait 1 >"$T/deny.out" 2>"$T/deny.err"
is "$?" 4 "a phone that never allows the key: exit 4"
like "$(cat "$T/deny.err")" "unlock the phone and tap Allow" "saying what to do"

# --- faults: FAIL on one file, CLSE mid-file on another ---
must sim_start --fault "fail:/sdcard/Download/转账记录.pdf" --fault "clse-mid-file:/sdcard/DCIM/Camera/VID_20210305_083000.mp4"
must "$CUSTOS" case init "$T/f" --case-id T-FAULT
$TO "$CUSTOS" --case "$T/f" acquire --adb-connect "$SIM_ADDR" >"$T/f.out" 2>"$T/f.err"
st=$?
is "$st" 5 "a FAIL and a CLSE mid-file: partial (exit 5), the rest acquired"
like "$(cat "$T/f.err")" "failure" "the failures are named"
grep -q '转账记录.pdf\|VID_20210305_083000.mp4' "$T/f/inventory/SIM0001.jsonl"
nok $? "neither faulted file is listed (no partial file recorded as complete)"
[ -z "$(find "$T/f/evidence" -name 'VID_20210305_083000.mp4*')" ]
ok $? "and no partial copy is left in evidence/"

# --- a cable pull mid-transfer, then --resume ---
must sim_start --fault drop-after-bytes:400000 --faults-once
must "$CUSTOS" case init "$T/r" --case-id T-RESUME
expect_exit 4 "connection dropped mid-transfer: exit 4" \
	$TO "$CUSTOS" --case "$T/r" acquire --adb-connect "$SIM_ADDR"
like "$(cat "$T/last.err")" "acquire --resume" "the message says how to finish"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m["acquisitions"][0]["status"]=="running" else 1)' "$T/r/manifest.json"
ok $? "the acquisition stays running (seal refuses it)"
n1=$(wc -l <"$T/r/inventory/SIM0001.jsonl")
expect_exit 0 "acquire --resume finishes it" $TO "$CUSTOS" --case "$T/r" acquire --adb-connect "$SIM_ADDR" --resume
python3 "$T/check.py" "$T/r" SIM0001 "$PHONE" sdcard && python3 "$T/check.py" "$T/r" SIM0001 "$PHONE" evidence
ok $? "after resume every file is there once and identical (kept: $n1 lines before)"
ev "$T/r" ACQUIRE_END | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if d["resumed"] and d["rechecked"]>0 and d["status"]=="complete" else 1)'
ok $? "ACQUIRE_END of the resumed run: re-checked files, complete"

# --- the process killed mid-file (test hook: SIGKILL after 30 files) ---
must sim_start
must "$CUSTOS" case init "$T/k" --case-id T-KILL
CUSTOS_TEST_KILL_AFTER_FILES=30 $TO "$CUSTOS" --case "$T/k" acquire --adb-connect "$SIM_ADDR" \
	>/dev/null 2>&1
is "$?" 137 "custos killed in the middle of a file (SIGKILL)"
expect_exit 0 "acquire --resume after the kill" $TO "$CUSTOS" --case "$T/k" acquire --adb-connect "$SIM_ADDR" --resume
python3 "$T/check.py" "$T/k" SIM0001 "$PHONE" sdcard && python3 "$T/check.py" "$T/k" SIM0001 "$PHONE" evidence &&
	"$CUSTOS" verify "$T/k" >/dev/null 2>&1
ok $? "after the kill and resume: every file once and identical, the case verifies"

# --- USB: a serial no bus has ---
must "$CUSTOS" case init "$T/u" --case-id T-USB
expect_exit 4 "--device with a serial no USB bus has: exit 4" \
	$TO "$CUSTOS" --case "$T/u" acquire --device NOSUCH0001
like "$(cat "$T/last.err")" "NOSUCH0001" "naming the phone asked for"

# --- /sdcard a symlink, as on real phones ---
must sim_start --sdcard-link
must "$CUSTOS" case init "$T/l" --case-id T-LINK
$TO "$CUSTOS" --case "$T/l" acquire --adb-connect "$SIM_ADDR" >/dev/null 2>&1 &&
	python3 "$T/check.py" "$T/l" SIM0001 "$PHONE" sdcard
ok $? "/sdcard as a symlink: listed through it, every file under /sdcard/"

# --- shell v1 (an old phone) ---
must sim_start --v1
must "$CUSTOS" case init "$T/v1" --case-id T-V1
expect_exit 0 "an old phone (shell v1, LIST/STAT only)" $TO "$CUSTOS" --case "$T/v1" acquire --adb-connect "$SIM_ADDR"
evq "$T/v1" COMMAND '"command": "getprop", "service": "shell", "exit_code": null'
ok $? "v1: the exit code is unknown (null), not invented"

# --- --root: su, a DEVICE_CHANGE entry, /data/data of the apps ---
must sim_start --su
must "$CUSTOS" case init "$T/rt" --case-id T-ROOT
expect_exit 0 "acquire --root on a phone where su works" \
	$TO "$CUSTOS" --case "$T/rt" acquire --adb-connect "$SIM_ADDR" --root
evq "$T/rt" DEVICE_CHANGE '"change": "root shell used through su (--root)"'
ok $? "su used: a DEVICE_CHANGE entry"
python3 - "$T/rt" "$PHONE" <<'PY'
import hashlib, json, os, sys
case, phone = sys.argv[1:3]
inv = {json.loads(l)["device_path"]: json.loads(l) for l in open(os.path.join(case, "inventory", "SIM0001.jsonl"))}
n = 0
for root, dirs, files in os.walk(os.path.join(phone, "data", "data")):
    for f in files:
        src = os.path.join(root, f)
        dev = "/data/data/" + os.path.relpath(src, os.path.join(phone, "data", "data"))
        r = inv.get(dev)
        if r is None or r["sha256"] != hashlib.sha256(open(src, "rb").read()).hexdigest():
            print("#   " + dev); sys.exit(1)
        n += 1
sys.exit(0 if n >= 5 else 1)
PY
ok $? "/data/data of WeChat, QQ, WhatsApp, Telegram, Alipay unpacked, each file identical"
"$CUSTOS" --case "$T/rt" parse >/dev/null 2>&1 # the fixture's app files are stand-ins
[ "$(sqlite3 "$T/rt/case.db" "SELECT count(*) FROM sources WHERE device_path LIKE '/data/data/%'")" -ge 1 ]
ok $? "and offered to the app parsers"

# --- --adb-backup ---
must sim_start
must "$CUSTOS" case init "$T/ab" --case-id T-AB
expect_exit 0 "acquire --adb-backup" $TO "$CUSTOS" --case "$T/ab" acquire --adb-connect "$SIM_ADDR" --adb-backup
head -c 15 "$T/ab/evidence/SIM0001/_adb/backup/backup.ab" | grep -q "ANDROID BACKUP"
ok $? "the backup kept as evidence (_adb/backup/backup.ab)"
python3 - "$T/ab" "$PHONE" <<'PY'
import hashlib, json, os, sys
case, phone = sys.argv[1:3]
inv = {}
for l in open(os.path.join(case, "inventory", "SIM0001.jsonl")):
    r = json.loads(l); inv[r["device_path"]] = r
src = os.path.join(phone, "data", "data", "com.tencent.mm", "databases", "EnMicroMsg.db")
r = inv.get("/data/data/com.tencent.mm/databases/EnMicroMsg.db")
ok = r is not None and r["sha256"] == hashlib.sha256(open(src, "rb").read()).hexdigest() \
    and (r["origin"] or "").endswith("_adb/backup/backup.ab")
sys.exit(0 if ok else 1)
PY
ok $? "its members unpacked as the .ab importer names them (apps/PKG/db -> /data/data/PKG/databases), identical"

# --- the human listing and acquire --json ---
"$CUSTOS" devices --adb-connect "$SIM_ADDR" >"$T/devs.txt" 2>&1
like "$(cat "$T/devs.txt")" "$SIM_ADDR +android +tcp +ready +Redmi Note 8 Pro" "devices: one line per phone with its state and model"
must "$CUSTOS" case init "$T/j" --case-id T-JSON
$TO "$CUSTOS" --case "$T/j" acquire --adb-connect "$SIM_ADDR" --json >"$T/j.json" 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["status"]=="complete" and d["item"]=="SIM0001" and d["files"]>60 and d["commands"]>40 and d["failures"]==0 else 1)' "$T/j.json"
ok $? "acquire --json: one object with the item, counts and status"

# --- the whole job ---
must sim_start
expect_exit 0 "run --adb-connect: init, acquire, parse, report, seal, verify" \
	$TO "$CUSTOS" run --adb-connect "$SIM_ADDR" --case-id T-RUN -o "$T/out" --allow-incomplete
pkg=$(ls "$T/out"/*.zip 2>/dev/null | head -n 1)
expect_exit 0 "the package verifies on its own" "$CUSTOS" verify "$pkg"

tap_done
