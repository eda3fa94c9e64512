#!/bin/sh
# acquire_ios.sh - `custos devices/acquire/run` against the simulated iPhone
# (tests/sim/iphone_sim.py, a fake usbmuxd that the real libimobiledevice
# talks to) serving the fixture backup, end to end: devices --json (ready,
# untrusted, locked, with advice); every file of the backup in the
# inventory with the sha256sum of the source file; the inventory and the
# parsed case.db rows equal to `custos import` of the same backup (sqlite3);
# facts in the manifest's items[] and a MISMATCH against the seizure
# record; ACQUIRE_START, COMMAND (with reply hashes), DEVICE_CHANGE for a
# pairing, ACQUIRE_END; custody verify; media over AFC with mtimes;
# nothing written to the phone; an encrypted backup decoded with
# --backup-password-file (derived files = the import's), kept whole without
# it and decoded later by --resume; locked / pairing denied / passcode:
# exit 4 and nothing in the inventory; ErrorCode != 0 recorded; a stream
# cut mid-file: exit 4, resumable, --resume completes with nothing of the
# first attempt lost; `custos run --device` through seal and verify.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup acquire_ios
. "$SRCDIR/tests/sim/ios_start.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_plan 98

TO="timeout -k 5 180"
UDID=00008101-001C2D3E4F50A01E
fixtures_samples || bail "fixtures/make-samples.sh failed"
PLAIN=$S/ios-backup/$UDID
ENC=$S/ios-backup-encrypted/$UDID
PW=$S/ios-backup-encrypted.password
ITEM=P1

# The seizure record: the IMEIs as typed match, the ICCID does not.
cat >"$T/seizure.json" <<'EOF'
{"seizure": {"items": [{"item_id": "P1", "name": "手机", "quantity": 1,
  "features": {"make": "Apple", "model": "iPhone 12"},
  "identifiers": {"imei": ["353260111234566", "353260111234574"],
                  "iccid": "89860099999999999999"}}]}}
EOF

# A media tree for AFC (/var/mobile/Media): photos with known mtimes.
M=$T/media
mkdir -p "$M/DCIM/100APPLE" "$M/DCIM/101APPLE" "$M/Downloads" "$M/iTunes_Control"
printf 'JPEG-1' >"$M/DCIM/100APPLE/IMG_0001.JPG"
head -c 300000 /dev/urandom >"$M/DCIM/100APPLE/IMG_0002.HEIC"
printf 'MOV' >"$M/DCIM/101APPLE/IMG_0100.MOV"
printf 'a pdf' >"$M/Downloads/报告.pdf"
touch -d '2024-03-01 10:20:30' "$M/DCIM/100APPLE/IMG_0001.JPG"
touch -d '2023-12-24 08:00:00' "$M/DCIM/100APPLE/IMG_0002.HEIC"

ev() { # ev CASE EVENT: the details of the entries of that event, one JSON per line
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b=json.loads(l)["body"]
    if b["event"]==sys.argv[2]: print(json.dumps(b["details"],ensure_ascii=False))' "$1/custody/log.jsonl" "$2"
}
evq() { # evq CASE EVENT PATTERN: some entry of that event matches (grep -E)
	ev "$1" "$2" >"$T/ev.txt"
	grep -Eq -- "$3" "$T/ev.txt"
}
inv_lines() { cat "$1"/inventory/*.jsonl 2>/dev/null | wc -l; } # every item's

cat >"$T/check.py" <<'PY'
import hashlib, json, os, re, sqlite3, sys
what = sys.argv[1]
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()
def inv(case, item):
    return [json.loads(l) for l in open(os.path.join(case, "inventory", item + ".jsonl"))]
ACQ_ONLY = ("_lockdown/", "_apps/", "/var/mobile/Media/", "_mobilebackup2/")
bad = []
if what == "source":  # every file of the backup came, with the source file's sha256
    case, item, src = sys.argv[2:5]
    rows = [r for r in inv(case, item) if r["kind"] == "evidence" and r["type"] == "file"]
    by_origin = {}
    for r in rows:
        by_origin.setdefault(r.get("origin"), []).append(r)
    n = 0
    for root, dirs, files in os.walk(src):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), src)
            if rel == "Info.plist":
                continue  # the host writes it
            n += 1
            want = sha(os.path.join(src, rel))
            got = [r for r in by_origin.get(rel, []) if not r["device_path"].startswith("_mobilebackup2/")]
            if len(got) != 1:
                bad.append("%s: %d rows" % (rel, len(got)))
            elif got[0]["sha256"] != want:
                bad.append("%s: sha256 %s, source %s" % (rel, got[0]["sha256"], want))
            elif sha(os.path.join(case, got[0]["evidence_path"])) != want:
                bad.append("%s: the evidence copy differs" % rel)
    if n < 10:
        bad.append("only %d source files" % n)
elif what == "same-as-import":  # device paths and digests equal, acquisition-only rows aside
    a, b, item, kind = sys.argv[2:6]
    def key(case):
        out = set()
        for r in inv(case, item):
            if r["kind"] != kind or r["device_path"].startswith(ACQ_ONLY) or r["device_path"] == "_backup/Info.plist":
                continue
            out.add((r["device_path"], r["type"], r.get("size"), r.get("sha256"), r.get("md5")))
        return out
    ka, kb = key(a), key(b)
    for x in sorted(ka - kb)[:10]:
        bad.append("only acquired: %r" % (x,))
    for x in sorted(kb - ka)[:10]:
        bad.append("only imported: %r" % (x,))
    if len(ka) < 10:
        bad.append("only %d rows" % len(ka))
elif what == "casedb":  # parse gives the same rows, every table and column (how the item came aside)
    a, b = sys.argv[2:4]
    skip_tables = {"sqlite_sequence"}
    # items: how it came, and IMEI2 and the time zone, which a backup's Info.plist
    # does not carry (lockdownd does)
    skip_cols = re.compile(r"^(acquisition_method|imei|timezone)$")
    da, db = sqlite3.connect(a), sqlite3.connect(b)
    tables = [t for (t,) in da.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    rows = 0
    for t in tables:
        if t in skip_tables or t.startswith("sqlite_"):
            continue
        cols = [c[1] for c in da.execute("PRAGMA table_info(%s)" % t)]
        keep = [c for c in cols if not skip_cols.search(c)]
        if not keep:
            continue
        q = "SELECT %s FROM %s" % (",".join('"%s"' % c for c in keep), t)
        ra = sorted(map(repr, da.execute(q)))
        rb = sorted(map(repr, db.execute(q)))
        rows += len(ra)
        if ra != rb:
            bad.append("%s: %d rows acquired, %d imported, first differing: %s" % (
                t, len(ra), len(rb), next((x for x in ra if x not in rb), next((x for x in rb if x not in ra), ""))[:200]))
    if rows < 5:
        bad.append("only %d rows compared" % rows)
elif what == "facts":
    case, item = sys.argv[2:4]
    m = json.load(open(os.path.join(case, "manifest.json")))
    it = [i for i in m["items"] if i["item_id"] == item][0]
    ids, s = it["identifiers"], it.get("device_state", {})
    want = {"udid": "00008101-001C2D3E4F50A01E", "iccid": "89860012345678901234",
            "meid": "35326011123456", "product_type": "iPhone13,2"}
    for k, v in want.items():
        if ids.get(k) != v:
            bad.append("identifiers.%s = %r" % (k, ids.get(k)))
    if sorted(ids.get("imei") or []) != ["353260111234566", "353260111234574"]:
        bad.append("imei %r" % ids.get("imei"))
    if not ids.get("serial"):
        bad.append("no serial")
    if "+86 138 0013 8000" not in (ids.get("msisdn") or []):
        bad.append("msisdn %r" % ids.get("msisdn"))
    if it.get("os") != "iOS" or it.get("os_version") != "17.3.1" or it.get("build") != "21D61":
        bad.append("os %r %r %r" % (it.get("os"), it.get("os_version"), it.get("build")))
    if it["features"].get("model") != "iPhone13,2" or not it.get("name"):
        bad.append("model/name %r %r" % (it["features"].get("model"), it.get("name")))
    if s.get("passcode_set") is not True or s.get("backup_will_encrypt") is not False:
        bad.append("state passcode %r encrypt %r" % (s.get("passcode_set"), s.get("backup_will_encrypt")))
    if not s.get("time_zone") or s.get("activation_state") != "Activated":
        bad.append("state tz %r activation %r" % (s.get("time_zone"), s.get("activation_state")))
    if (s.get("apps") or {}).get("count", 0) < 1 or not all("bundle_id" in a for a in s["apps"]["installed"]):
        bad.append("apps %r" % s.get("apps"))
    a = [x for x in m["acquisitions"] if x["item_id"] == item][-1]
    if a["method"] != "mobilebackup2" or a["status"] != "complete" or a["source"]["udid"] != want["udid"]:
        bad.append("acquisition %r %r" % (a["method"], a["status"]))
elif what == "media":
    case, item, media = sys.argv[2:5]
    rows = {r["device_path"]: r for r in inv(case, item)}
    import time
    for root, dirs, files in os.walk(os.path.join(media, "DCIM")):
        for f in files:
            p = os.path.join(root, f)
            dev = "/var/mobile/Media/" + os.path.relpath(p, media)
            r = rows.get(dev)
            if r is None:
                bad.append("missing " + dev); continue
            if r["sha256"] != sha(p):
                bad.append("sha256 " + dev)
            want = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(os.stat(p).st_mtime))
            if not (r.get("mtime") or "").startswith(want):
                bad.append("mtime %s %s %s" % (dev, r.get("mtime"), want))
elif what == "nowrite":  # the simulator's log: nothing asked that writes on the phone
    for l in open(sys.argv[2]):
        e = json.loads(l)
        for k in ("req", "msg", "op", "cmd"):
            v = str(e.get(k) or "")
            if v in ("SetValue", "RemoveValue", "ChangePassword", "Restore", "Install", "Uninstall",
                     "FILE_WRITE", "REMOVE_PATH", "RENAME_PATH", "MAKE_DIR", "Unback", "EnableCloudBackup"):
                bad.append("%s %s" % (e.get("svc"), v))
        if e.get("svc") == "afc" and e.get("op") == "FILE_OPEN" and e.get("mode") not in (1, None):
            bad.append("AFC opened for writing: %s" % e.get("path"))
elif what == "kept":  # every row of the first attempt's inventory is in the final one, unchanged
    before, after = sys.argv[2:4]
    a = [json.loads(l) for l in open(before)]
    b = {(r["device_path"], r["kind"]): r for r in (json.loads(l) for l in open(after))}
    for r in a:
        x = b.get((r["device_path"], r["kind"]))
        if x is None or x.get("sha256") != r.get("sha256"):
            bad.append("lost or changed: " + r["device_path"])
    if not any(r["device_path"].startswith("_mobilebackup2/interrupted/attempt-1/") for r in a):
        bad.append("no file of the broken attempt kept under _mobilebackup2/interrupted/attempt-1/")
for x in bad[:20]:
    print("#   " + x)
sys.exit(1 if bad else 0)
PY
C="python3 $T/check.py"

# ---------------------------------------------------------------------------
# devices: a ready iPhone, then untrusted and locked ones with advice
# ---------------------------------------------------------------------------
must ios_sim_start --backup "$S/ios-backup" --media "$M"
READY_SOCK=$USBMUXD_SOCKET_ADDRESS
$TO "$CUSTOS" devices --json >"$T/dev.json" 2>"$T/dev.err"
python3 -c 'import json,sys; d=[x for x in json.load(open(sys.argv[1])) if x["platform"]=="ios"]
sys.exit(0 if len(d)==1 and d[0]["id"]==sys.argv[2] and d[0]["state"]=="ready" and d[0]["model"]=="iPhone13,2" and not d[0]["advice"] else 1)' "$T/dev.json" "$UDID"
ok $? "devices --json: the iPhone, platform ios, ready, its product type"
$TO "$CUSTOS" devices >"$T/dev.txt" 2>&1
like "$(cat "$T/dev.txt")" "$UDID +ios +usb +ready +iPhone13,2" "devices (text): the iPhone's line"

# ---------------------------------------------------------------------------
# the acquisition: every file, the import's layout, facts, custody
# ---------------------------------------------------------------------------
must "$CUSTOS" case init "$T/a" --case-id T-IOS --manifest "$T/seizure.json"
expect_exit 0 "acquire --device UDID --media: exit 0" \
	$TO "$CUSTOS" --case "$T/a" acquire --device "$UDID" --media
like "$(cat "$T/last.out")" "into item P1" "the seizure list's only item is used"
$C source "$T/a" $ITEM "$PLAIN"
ok $? "every file of the backup is in the inventory once, with the source file's sha256 (and so is its copy)"
must "$CUSTOS" case init "$T/i" --case-id T-IOS --manifest "$T/seizure.json"
must "$CUSTOS" --case "$T/i" import "$S/ios-backup"
$C same-as-import "$T/a" "$T/i" $ITEM evidence
ok $? "the inventory equals custos import's of the same backup (device paths, sizes, SHA-256, MD5)"
[ -z "$(find "$T/a/work" -type f 2>/dev/null)" ]
ok $? "nothing left in the spool (CASE/work): every received file is evidence"
[ "$(stat -c %h "$T/a/evidence/$ITEM/_backup/Manifest.db")" = 1 ]
ok $? "Manifest.db adopted into its slot, its spool name gone"
$C facts "$T/a" $ITEM
ok $? "items[]: UDID, serial, both IMEIs, MEID, ICCID, number, model, iOS version/build, name, time zone, activation, passcode, encryption, apps"
evq "$T/a" MISMATCH '"field": "iccid", "typed": "89860099999999999999".*"read": "89860012345678901234"'
ok $? "the ICCID typed at seizure is not the phone's: a MISMATCH entry"
ev "$T/a" MISMATCH | grep -q '"field": "imei"'
nok $? "the IMEI typed matches: no MISMATCH for it"
evq "$T/a" ACQUIRE_START '"method": "mobilebackup2".*"udid": "'$UDID'"'
ok $? "ACQUIRE_START: method mobilebackup2, the UDID"
ev "$T/a" COMMAND | python3 -c 'import json,sys,re
c=[json.loads(l) for l in sys.stdin]
ok=len(c)>=8 and all(re.fullmatch("[0-9a-f]{64}",x["reply_sha256"] or "") for x in c if x["ok"] and x["reply_bytes"])
ok=ok and any("mobilebackup2" in x["command"] for x in c) and any("GetValue" in x["command"] for x in c)
sys.exit(0 if ok else 1)'
ok $? "a COMMAND entry for every exchange, with the SHA-256 of the raw reply (GetValue, mobilebackup2...)"
ev "$T/a" ACQUIRE_END | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); c=d["clock"]
sys.exit(0 if d["status"]=="complete" and abs(c["start"]["offset_ms"])<5000 and c["end"]["device"] and d["backup"]["state"]=="decoded" else 1)'
ok $? "ACQUIRE_END: complete, device clock at start and end, the backup decoded"
same "$(ev "$T/a" ACQUIRE_END | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["inventory_sha256"])')" \
	"$(sha256sum <"$T/a/inventory/$ITEM.jsonl" | cut -c1-64)" "ACQUIRE_END names the inventory's SHA-256"
ev "$T/a" DEVICE_CHANGE | grep -q .
nok $? "a phone paired before: no DEVICE_CHANGE"
run "custody verify passes" "$CUSTOS" --case "$T/a" custody verify
run "verify of the case passes" "$CUSTOS" verify "$T/a"
$C media "$T/a" $ITEM "$M"
ok $? "--media: every DCIM file under /var/mobile/Media/ with its sha256 and mtime"
f=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r["device_path"]=="_lockdown/root.plist": print(r["evidence_path"])' "$T/a/inventory/$ITEM.jsonl")
grep -q "<string>353260111234566</string>" "$T/a/$f" 2>/dev/null
ok $? "the lockdownd root values kept as evidence (_lockdown/root.plist)"
ev "$T/a" COMMAND | grep -q "\"reply_sha256\": \"$(sha256sum <"$T/a/$f" | cut -c1-64)\""
ok $? "... exactly the reply whose SHA-256 a COMMAND entry names (sha256sum)"
grep -q '"CFBundleIdentifier"' "$T/a/evidence/$ITEM/_apps/installed.json" 2>/dev/null
ok $? "the installed apps kept as evidence (_apps/installed.json)"
$C nowrite "$IOS_SIM_LOG"
ok $? "nothing written on the phone (the simulator's log)"
grep -q '"req": "Pair"' "$IOS_SIM_LOG"
nok $? "no pairing asked of a phone already paired"

# parse: the same rows as the import's
must "$CUSTOS" --case "$T/a" parse
must "$CUSTOS" --case "$T/i" parse
$C casedb "$T/a/case.db" "$T/i/case.db"
ok $? "parse: case.db rows equal to the import's, every table and column (sqlite3; items' method and IMEIs aside)"
is "$(sqlite3 "$T/a/case.db" "SELECT platform || ' ' || acquisition_method || ' ' || imei FROM items")" \
	"ios mobilebackup2 353260111234566,353260111234574" "case.db items: an iPhone acquired over mobilebackup2, both IMEIs from lockdownd"
is "$(sqlite3 -nullvalue NULL "$T/a/case.db" "SELECT timezone FROM items") $(sqlite3 -nullvalue NULL "$T/i/case.db" "SELECT timezone FROM items")" \
	"Asia/Shanghai NULL" "case.db items.timezone: lockdownd's TimeZone when acquired, unknown from the backup alone"
[ "$(sqlite3 "$T/a/case.db" "SELECT count(*) FROM messages")" -ge 1 ]
ok $? "messages parsed from the acquired backup"

expect_exit 2 "acquiring the item again without --resume is refused" \
	$TO "$CUSTOS" --case "$T/a" acquire --device "$UDID"

# ---------------------------------------------------------------------------
# pairing: untrusted, denied, accepted (a DEVICE_CHANGE)
# ---------------------------------------------------------------------------
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state untrusted
$TO "$CUSTOS" devices --json >"$T/dev.json" 2>/dev/null
python3 -c 'import json,sys; d=[x for x in json.load(open(sys.argv[1])) if x["platform"]=="ios"]
sys.exit(0 if d and d[0]["state"]=="untrusted" and "Trust" in (d[0]["advice"] or "") else 1)' "$T/dev.json"
ok $? "devices --json: an untrusted iPhone, with advice to tap Trust"
must "$CUSTOS" case init "$T/u" --case-id T-U
expect_exit 4 "acquire of an iPhone waiting for Trust: exit 4" \
	$TO "$CUSTOS" --case "$T/u" acquire --device "$UDID"
like "$(cat "$T/last.err")" "Trust" "the message says to tap Trust"
is "$(inv_lines "$T/u")" 0 "nothing in the inventory"

ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state deny-pairing
must "$CUSTOS" case init "$T/dn" --case-id T-DN
expect_exit 4 "pairing denied on the phone: exit 4" \
	$TO "$CUSTOS" --case "$T/dn" acquire --device "$UDID"
like "$(cat "$T/last.err")" "[Dd]enied|Don.t Trust|refused" "the message says pairing was refused"

ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state untrusted --pair-accept --clock-skew 120
must "$CUSTOS" case init "$T/p" --case-id T-P
expect_exit 0 "the user taps Trust: the acquisition goes through" \
	$TO "$CUSTOS" --case "$T/p" acquire --device "$UDID"
evq "$T/p" DEVICE_CHANGE '"change": "[^"]*pair'
ok $? "the pairing record created is a DEVICE_CHANGE entry"
python3 -c 'import json,sys
ev=[json.loads(l)["body"]["event"] for l in open(sys.argv[1])]
i=ev.index("ACQUIRE_START"); sys.exit(0 if "DEVICE_CHANGE" in ev[i:] and ev.index("DEVICE_CHANGE")>i else 1)' "$T/p/custody/log.jsonl"
ok $? "... recorded after ACQUIRE_START, in the acquisition's entries"
ev "$T/p" ACQUIRE_END | python3 -c 'import json,sys; c=json.loads(sys.stdin.read())["clock"]
sys.exit(0 if all(abs(c[w]["offset_ms"]-120000)<3000 for w in ("start","end")) else 1)'
ok $? "a phone clock 2 minutes ahead: offset_ms about +120000 at start and end"

# ---------------------------------------------------------------------------
# locked, passcode: exit 4 with what to do, nothing in the inventory
# ---------------------------------------------------------------------------
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state locked
$TO "$CUSTOS" devices --json >"$T/dev.json" 2>/dev/null
python3 -c 'import json,sys; d=[x for x in json.load(open(sys.argv[1])) if x["platform"]=="ios"]
sys.exit(0 if d and d[0]["state"]=="locked" and "nlock" in (d[0]["advice"] or "") else 1)' "$T/dev.json"
ok $? "devices --json: a locked iPhone, with advice to unlock it"
must "$CUSTOS" case init "$T/l" --case-id T-L
expect_exit 4 "a locked iPhone: exit 4" $TO "$CUSTOS" --case "$T/l" acquire --device "$UDID"
like "$(cat "$T/last.err")" "nlock" "the message says to unlock it"
is "$(inv_lines "$T/l")" 0 "locked: nothing in the inventory"
grep -q ACQUIRE_START "$T/l/custody/log.jsonl"
nok $? "locked: no acquisition begun (no ACQUIRE_START)"

ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state passcode
must "$CUSTOS" case init "$T/pc" --case-id T-PC
expect_exit 4 "iOS 16.1+ asks for the passcode: exit 4" \
	$TO "$CUSTOS" --case "$T/pc" acquire --device "$UDID"
like "$(cat "$T/last.err")" "passcode" "the message says to enter the passcode"
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --state passcode --passcode-accept --passcode-wait 2
must "$CUSTOS" case init "$T/pa" --case-id T-PA --manifest "$T/seizure.json"
expect_exit 0 "the passcode typed on the phone after 2 s: the backup goes on, exit 0" \
	$TO "$CUSTOS" --case "$T/pa" acquire --device "$UDID"
$C source "$T/pa" $ITEM "$PLAIN"
ok $? "... every file of the backup"

# ---------------------------------------------------------------------------
# ErrorCode != 0; a stream cut mid-file, then --resume
# ---------------------------------------------------------------------------
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --fault error-code:105
must "$CUSTOS" case init "$T/e" --case-id T-E
expect_exit 4 "the phone ends the backup with ErrorCode 105: exit 4" \
	$TO "$CUSTOS" --case "$T/e" acquire --device "$UDID"
evq "$T/e" ERROR 'ErrorCode 105'
ok $? "the failure is recorded (ERROR entry names ErrorCode 105)"

FID=$(cd "$PLAIN" && ls ??/* | head -n 1 | cut -d/ -f2)
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --fault "remote-error:$FID"
must "$CUSTOS" case init "$T/re" --case-id T-RE
expect_exit 5 "the phone reports an error for one file: exit 5 (partial)" \
	$TO "$CUSTOS" --case "$T/re" acquire --device "$UDID"
evq "$T/re" ACQUIRE_END "\"status\": \"partial\".*$FID.*did not arrive whole"
ok $? "ACQUIRE_END: partial, the file named as a failure"
grep -q "_mobilebackup2/incomplete/attempt-1/$UDID/Snapshot/${FID%${FID#??}}/$FID" "$T/re/inventory/"*.jsonl
ok $? "what arrived of it is kept, named incomplete"

ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --fault bad-plist
must "$CUSTOS" case init "$T/bp" --case-id T-BP
expect_exit 4 "a malformed DeviceLink message: exit 4, resumable" \
	$TO "$CUSTOS" --case "$T/bp" acquire --device "$UDID"
evq "$T/bp" ERROR 'malformed'
ok $? "the ERROR entry says the message was malformed"

# (the absolute one names /tmp/custos-sim-escape-<fileID>: its mtime, if any
# other run made it, must not change)
ESC=/tmp/custos-sim-escape-$(cd "$PLAIN" && ls ??/* | head -n 1 | cut -d/ -f2)
esc_before=$(stat -c %Y "$ESC" 2>/dev/null || echo none)
for k in dotdot absolute; do
	ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --fault "evil-path:$k"
	must "$CUSTOS" case init "$T/ev$k" --case-id T-EV
	expect_exit 4 "a hostile path from the phone ($k): refused, exit 4" \
		$TO "$CUSTOS" --case "$T/ev$k" acquire --device "$UDID"
done
[ -z "$(find "$T" -name 'escaped-*' 2>/dev/null)" ] &&
	[ "$(stat -c %Y "$ESC" 2>/dev/null || echo none)" = "$esc_before" ] &&
	! grep -q '\.\./' "$T"/evdotdot/inventory/*.jsonl
ok $? "nothing written outside the spool, no '..' in the inventory"

ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --fault cut-after:5 --once
must "$CUSTOS" case init "$T/c" --case-id T-C --manifest "$T/seizure.json"
expect_exit 4 "the stream cut in the middle of the 5th file: exit 4" \
	$TO "$CUSTOS" --case "$T/c" acquire --device "$UDID"
like "$(cat "$T/last.err")" "--resume" "the message says how to finish (--resume)"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["acquisitions"][-1]; sys.exit(0 if a["status"]=="running" else 1)' "$T/c/manifest.json"
ok $? "the acquisition stays running (seal refuses it)"
evq "$T/c" ERROR '"status": "running"'
ok $? "an ERROR entry instead of ACQUIRE_END"
cp "$T/c/inventory/$ITEM.jsonl" "$T/c-first.jsonl"
grep -q '"device_path":"_mobilebackup2/incomplete/attempt-1/' "$T/c-first.jsonl" ||
	grep -q '"device_path": *"_mobilebackup2/incomplete/attempt-1/' "$T/c-first.jsonl"
ok $? "the bytes of the file cut in the middle are kept, named incomplete"
# as if a second attempt had been killed (kill -9) after receiving a file
mkdir -p "$T/c/work/ios/$ITEM/2/$UDID/ab"
printf 'received, never recorded' >"$T/c/work/ios/$ITEM/2/$UDID/ab/ab12"
expect_exit 0 "acquire --resume: exit 0" $TO "$CUSTOS" --case "$T/c" acquire --resume --device "$UDID"
grep "\"device_path\":\"_mobilebackup2/leftover/attempt-2/$UDID/ab/ab12\"" "$T/c/inventory/$ITEM.jsonl" |
	grep -q "\"sha256\":\"$(printf 'received, never recorded' | sha256sum | cut -c1-64)\""
ok $? "a file a killed run left in its spool is recorded (leftover, its sha256), not lost"
[ -z "$(find "$T/c/work" -type f 2>/dev/null)" ]
ok $? "after the resume nothing is left in the spool"
$C source "$T/c" $ITEM "$PLAIN"
ok $? "after --resume every file of the backup is in the inventory with its sha256"
$C kept "$T/c-first.jsonl" "$T/c/inventory/$ITEM.jsonl"
ok $? "every file received by the broken attempt is still listed, unchanged (_mobilebackup2/interrupted/attempt-1/)"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["acquisitions"][-1]; sys.exit(0 if a["status"]=="complete" and a["resumed"] else 1)' "$T/c/manifest.json"
ok $? "the acquisition is complete, its resume recorded"
run "custody verify after the resume" "$CUSTOS" --case "$T/c" custody verify

# killed (SIGKILL, as a pulled plug) while laying the backup out: files
# already linked into evidence slots whose lines were not yet durable
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup"
must "$CUSTOS" case init "$T/kl" --case-id T-KL --manifest "$T/seizure.json"
CUSTOS_TEST_KILL_AFTER_FILES=9 $TO "$CUSTOS" --case "$T/kl" acquire --device "$UDID" >/dev/null 2>&1
is "$?" 137 "killed in the middle of laying the backup out (test hook)"
(cd "$T/kl/work/ios/$ITEM/1" && find . -type f -exec sha256sum {} + | sed 's| \./| |' | LC_ALL=C sort) >"$T/kl-spool.txt"
[ "$(wc -l <"$T/kl-spool.txt")" -ge 10 ]
ok $? "the killed run left its received files in the spool"
expect_exit 0 "acquire --resume after the kill: exit 0" $TO "$CUSTOS" --case "$T/kl" acquire --resume --device "$UDID"
python3 -c 'import json,sys
rows={json.loads(l)["device_path"]:json.loads(l)["sha256"] for l in open(sys.argv[1])}
bad=0
for l in open(sys.argv[2]):
    sha,path=l.split(None,1); path=path.strip()
    if rows.get("_mobilebackup2/leftover/attempt-1/"+path)!=sha: print("#   lost:",path); bad+=1
sys.exit(1 if bad else 0)' "$T/kl/inventory/$ITEM.jsonl" "$T/kl-spool.txt"
ok $? "every file the killed run had received is listed (leftover/attempt-1/), with its sha256sum"
$C source "$T/kl" $ITEM "$PLAIN"
ok $? "and the backup taken again is complete"

# ---------------------------------------------------------------------------
# encrypted backups
# ---------------------------------------------------------------------------
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup-encrypted" --will-encrypt
must "$CUSTOS" case init "$T/x" --case-id T-X --manifest "$T/seizure.json"
expect_exit 0 "encrypted backup with --backup-password-file: exit 0" \
	$TO "$CUSTOS" --case "$T/x" acquire --device "$UDID" --backup-password-file "$PW"
must "$CUSTOS" case init "$T/xi" --case-id T-X --manifest "$T/seizure.json"
must "$CUSTOS" --case "$T/xi" import "$S/ios-backup-encrypted" --password-file "$PW"
$C same-as-import "$T/x" "$T/xi" $ITEM derived
ok $? "the decrypted (derived) files equal custos import's"
$C same-as-import "$T/x" "$T/xi" $ITEM evidence
ok $? "the encrypted evidence files equal custos import's"
evq "$T/x" DERIVE '"method": "ios-backup-aes256-cbc"'
ok $? "a DERIVE entry for the decryption"
grep -rq "custos-test" "$T/x/custody" "$T/x/manifest.json" "$T/x/inventory"
nok $? "the password is nowhere in the case's log, manifest or inventory"

must "$CUSTOS" case init "$T/k" --case-id T-K --manifest "$T/seizure.json"
expect_exit 5 "encrypted backup without a password: exit 5" \
	$TO "$CUSTOS" --case "$T/k" acquire --device "$UDID"
like "$(cat "$T/last.err")" "--resume.*--backup-password-file" "the message says how to decode it later"
[ "$(find "$T/k/evidence/$ITEM/_mobilebackup2/backup" -type f | wc -l)" -ge "$(find "$ENC" -type f | wc -l)" ]
ok $? "the whole encrypted backup is kept as evidence (_mobilebackup2/backup/)"
printf 'wrong-password\n' >"$T/wrong.pw"
must "$CUSTOS" case init "$T/w" --case-id T-W --manifest "$T/seizure.json"
expect_exit 3 "encrypted backup with a wrong password: exit 3" \
	$TO "$CUSTOS" --case "$T/w" acquire --device "$UDID" --backup-password-file "$T/wrong.pw"
like "$(cat "$T/last.err")" "does not open.*kept whole.*--resume" "the message says the backup is kept and how to decode it"
ios_sim_stop
expect_exit 3 "--resume with the wrong password again (no phone): exit 3, still resumable" \
	$TO "$CUSTOS" --case "$T/w" acquire --resume --device "$UDID" --backup-password-file "$T/wrong.pw"
expect_exit 0 "--resume with the right password: exit 0" \
	$TO "$CUSTOS" --case "$T/w" acquire --resume --device "$UDID" --backup-password-file "$PW"
$C same-as-import "$T/w" "$T/xi" $ITEM derived
ok $? "... the decrypted files equal custos import's"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["acquisitions"][-1]; sys.exit(0 if a["status"]=="complete" and a["backup"]["state"]=="decoded" else 1)' "$T/w/manifest.json"
ok $? "... and the acquisition is complete, its backup decoded"
expect_exit 0 "--resume --backup-password-file decodes it without the phone: exit 0" \
	$TO "$CUSTOS" --case "$T/k" acquire --resume --device "$UDID" --backup-password-file "$PW"
$C same-as-import "$T/k" "$T/xi" $ITEM derived
ok $? "... the decrypted files equal custos import's"

# opt-in: a known temporary password set, then removed (DEVICE_CHANGE each)
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup" --backup-encrypted "$S/ios-backup-encrypted"
must "$CUSTOS" case init "$T/s" --case-id T-S --manifest "$T/seizure.json"
expect_exit 0 "--set-backup-password-file --remove-backup-password: exit 0" \
	$TO "$CUSTOS" --case "$T/s" acquire --device "$UDID" --set-backup-password-file "$PW" --remove-backup-password
evq "$T/s" DEVICE_CHANGE '"change": "backup password set"' &&
	evq "$T/s" DEVICE_CHANGE '"change": "backup password removed"'
ok $? "setting and removing the backup password are DEVICE_CHANGE entries"
$C same-as-import "$T/s" "$T/xi" $ITEM derived
ok $? "the richer encrypted backup decoded: derived files equal the import's"

# ---------------------------------------------------------------------------
# custos run --device: the whole job
# ---------------------------------------------------------------------------
ios_sim_stop; must ios_sim_start --backup "$S/ios-backup"
expect_exit 0 "custos run --device UDID: init, acquire, parse, report, seal, verify: exit 0" \
	$TO "$CUSTOS" run --device "$UDID" --case-id T-RUN -o "$T/out" --manifest "$T/seizure.json" --allow-incomplete
pkg=$(ls "$T"/out/*.custos.zip 2>/dev/null | head -n 1)
[ -n "$pkg" ]
ok $? "a sealed package was written"
run "the package verifies" "$CUSTOS" verify "$pkg"
[ "$(sqlite3 "$T/out/T-RUN/case.db" "SELECT count(*) FROM messages")" -ge 1 ]
ok $? "run parsed the acquired backup into case.db"

tap_done
