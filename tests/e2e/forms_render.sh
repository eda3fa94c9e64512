#!/bin/sh
# forms_render.sh - the forms as a reviewer reads them: every form of four
# cases rendered through LibreOffice (docx -> PDF) and Chromium (HTML print
# -> PDF), read back with pdftotext, and checked (forms_check.py):
#  - the bundled sample (an iOS backup imported in the lab), forms beside
#    the sealed package: page numbers per copy, Chromium's sheet count equal
#    to LibreOffice's page count, mandatory fields, no English words, Chinese
#    date-times, nothing claimed that the custody log lacks (no 恢复 without
#    recovered records, no 解密 without DERIVE, no 现场提取笔录 for an
#    import), signatures kept with the last item;
#  - the encrypted sample: the decryption stated, the decrypted databases
#    called 加密数据库（已用密码解密）;
#  - two phones in one case, forms for the package with --examiner;
#  - 100,000 files: every form under 10 pages, every file in the appendix;
#  - a phone acquired over ADB (the simulated phone): the 现场提取笔录 with
#    the seal number, the isolation and the device state.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup forms_render
. "$SRCDIR/tests/sim/start.sh"
tap_plan 53

for c in soffice chromium pdftotext pdfinfo; do
	command -v $c >/dev/null 2>&1 || bail "$c not installed (scripts/install-deps installs it)"
done
CHECK="python3 $SRCDIR/tests/e2e/forms_check.py"

# render FORMS-DIR OUT: the three forms as OUT/F.pdf (LibreOffice, its own
# profile) and OUT/F.chrome.pdf (Chromium print).
render() {
	mkdir -p "$2" "$2.lo" || return 1
	HOME=$T timeout -k 10 120 soffice -env:UserInstallation="file://$2.lo" --headless \
		--convert-to pdf --outdir "$2" "$1/seizure-list.docx" "$1/extraction-record.docx" \
		"$1/examination-record.docx" >"$2.lo.out" 2>&1 || return 1
	for f in seizure-list extraction-record examination-record; do
		HOME=$T timeout -k 10 120 chromium --headless --no-sandbox --disable-gpu \
			--no-pdf-header-footer --user-data-dir="$2.chrome" \
			--print-to-pdf="$2/$f.chrome.pdf" "file://$1/$f.html" >/dev/null 2>&1 || return 1
		[ -s "$2/$f.pdf" ] && [ -s "$2/$f.chrome.pdf" ] || return 1
	done
}

check() { # check NAME CHECK-ARGS...: one test point
	name=$1
	shift
	$CHECK "$@" >"$T/check.out" 2>&1
	st=$?
	ok $st "$name"
	[ $st -eq 0 ] || head -20 "$T/check.out"
}

run "sample images" sh "$SRCDIR/fixtures/make-samples.sh" "$T/s"
B=$(find "$T/s/ios-backup" -mindepth 1 -maxdepth 1 -type d | head -n 1)
EB=$(find "$T/s/ios-backup-encrypted" -mindepth 1 -maxdepth 1 -type d | head -n 1)
M=$SRCDIR/fixtures/manifest/sample-seizure.json

# 1. The sample, imported in the lab.
run "custos run on the sample (examiner 李检查)" "$CUSTOS" run "$B" --case-id A4403052026110001 \
	--manifest "$M" --item A1 --examiner 李检查 -o "$T/o1"
C1=$T/o1/A4403052026110001
F1=$(ls -d "$T"/o1/*.forms)
render "$F1" "$T/r1"
ok $? "sample: LibreOffice and Chromium render the forms"
check "sample: page numbers per copy; Chromium prints as many sheets as LibreOffice" pages "$T/r1"
check "sample: no English words on the forms" english "$T/r1" "$C1"
check "sample: Chinese date-times, no ISO ones" dates "$T/r1"
check "sample: mandatory fields, the appendix's SHA-256, a signature line on every page" \
	fields "$T/r1" "$F1" 李检查
check "sample: nothing claimed that the custody log lacks" claims "$T/r1" "$F1" "$C1/custody/log.jsonl"
check "sample: each 扣押清单 copy signs on the page of its item" keep "$T/r1" A1
is "$(pdfinfo "$T/r1/seizure-list.pdf" | sed -n 's/^Pages: *//p')" 3 "sample: the three copies fit one page each"
t=$(pdftotext "$T/r1/examination-record.pdf" - | tr -d ' \n')
printf '%s' "$t" | grep -q '扣押时间\|提取地点：示例省'
nok $? "sample: the lab's import is not presented as the seizure or a scene extraction"
printf '%s' "$t" | grep -q '2026年11月22日21时40分' || pdftotext "$T/r1/seizure-list.pdf" - | tr -d ' \n' | grep -q '扣押时间：2026年11月22日21时40分'
ok $? "sample: the seizure time in Chinese in the case's zone (13:40Z = 21时40分)"
printf '%s' "$t" | grep -q "检材接收A1：检材A1（苹果手机）：2026年.*接收并导入iOS备份.*内容根"
ok $? "sample: the 检查笔录 records the receipt of the image with its hash"
printf '%s' "$t" | grep -q '移交人（提供人）：＿'
ok $? "sample: who handed it over is a line to fill in (the log has no TRANSFER/RECEIVE)"
csv=$F1/extraction-files.csv
is "$(($(wc -l <"$csv") - 1))" "$(grep -c . "$C1/inventory/A1.jsonl")" "sample: the appendix lists every inventoried file"
unzip -p "$(ls "$T"/o1/*.custos.zip)" report/forms/extraction-files.csv | cmp -s - "$csv"
ok $? "sample: the appendix is sealed inside the package, identical to the one beside it"
python3 - "$F1/seizure-list.docx" "$F1/examination-record.docx" <<'PY'
import re, sys, zipfile
sl = zipfile.ZipFile(sys.argv[1])
names = sl.namelist()
assert [n for n in names if n.startswith("word/footer")] == ["word/footer1.xml", "word/footer2.xml", "word/footer3.xml"], names
for i in (1, 2, 3):
    f = sl.read("word/footer%d.xml" % i).decode()
    assert 'w:instr=" PAGE "' in f and "签名" in f, f
doc = sl.read("word/document.xml").decode()
assert doc.count('<w:pgNumType w:start="1"/>') == 3, "a section per copy"
ex = zipfile.ZipFile(sys.argv[2]).read("word/footer1.xml").decode()
assert 'w:instr=" PAGE "' in ex and 'w:instr=" NUMPAGES "' in ex, ex
PY
ok $? "sample: docx footers with PAGE / NUMPAGES fields and the signature line; one section per copy"

# 2. The encrypted sample: decryption stated, decrypted databases named so.
run "custos run on the encrypted sample" "$CUSTOS" run "$EB" --case-id A4403052026110001 \
	--manifest "$M" --item A1 --examiner 李检查 --password-file "$T/s/ios-backup-encrypted.password" -o "$T/o2"
C2=$T/o2/A4403052026110001
F2=$(ls -d "$T"/o2/*.forms)
render "$F2" "$T/r2"
ok $? "encrypted: rendered"
check "encrypted: 解密 stated from DERIVE; decrypted databases are 加密数据库（已用密码解密）" \
	claims "$T/r2" "$F2" "$C2/custody/log.jsonl"
check "encrypted: page numbers and sheet counts" pages "$T/r2"
check "encrypted: no English words" english "$T/r2" "$C2"

# 3. Two phones in one case; the forms for the package by another examiner.
python3 - "$M" "$T/two.json" <<'PY'
import copy, json, sys
m = json.load(open(sys.argv[1]))
a2 = copy.deepcopy(m["seizure"]["items"][0])
a2.update({"item_id": "A2", "name": "安卓手机", "source": "犯罪嫌疑人赵某某卧室床头柜"})
a2["features"] = {"make": "Xiaomi", "model": "Redmi Note 12", "colour": "蓝色", "damage": "无明显损伤"}
a2["identifiers"] = {"imei": ["860000000000001"], "serial": "XM0000002"}
a2["os"], a2["os_version"] = "Android", "13"
a2["seal"]["numbers"] = ["FC-2026-000458"]
m["seizure"]["items"].append(a2)
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False, indent=2)
PY
ok $? "two-phone manifest"
C3=$T/two
must "$CUSTOS" case init "$C3" --case-id A4403052026110001 --manifest "$T/two.json" >/dev/null
must "$CUSTOS" --case "$C3" import --item A1 "$B" >/dev/null
must "$CUSTOS" --case "$C3" import --item A2 "$T/s/android.tar" >/dev/null
must "$CUSTOS" --case "$C3" parse >/dev/null
must "$CUSTOS" --case "$C3" report >/dev/null
must "$CUSTOS" --case "$C3" seal -o "$T/o3" >/dev/null
P3=$(ls "$T"/o3/*.custos.zip)
run "report --forms-for the package with --examiner 张检查" "$CUSTOS" report --forms-for "$P3" --examiner 张检查
F3=$P3.forms
render "$F3" "$T/r3"
ok $? "two phones: rendered"
check "two phones: page numbers and sheet counts" pages "$T/r3"
check "two phones: --examiner names the 检查人员 (with whoever ran the steps)" fields "$T/r3" "$F3" 张检查
check "two phones: each copy signs on the page of its last item" keep "$T/r3" A2
check "two phones: no English words" english "$T/r3" "$C3"
check "two phones: nothing claimed that the custody log lacks" claims "$T/r3" "$F3" "$C3/custody/log.jsonl"
t=$(pdftotext "$T/r3/extraction-record.pdf" - | tr -d ' \n')
printf '%s' "$t" | grep -q 'com.tencent.mm/' && printf '%s' "$t" | grep -q 'HomeDomain/'
ok $? "two phones: the 固定清单 groups both phones' files by package or directory"
pdftotext "$T/r3/seizure-list.pdf" - | tr -d ' \n' | grep -q 'FC-2026-000458'
ok $? "two phones: the second phone's seal number on the 扣押清单"

# 3b. Steps this build may not run itself, as the custody log records them
# (analysis, an export), and a file not examined (case.db not_examined).
cp -a "$C3" "$T/two2" && python3 "$SRCDIR/tests/e2e/forms_append.py" "$T/two2/custody/log.jsonl" &&
	sqlite3 "$T/two2/case.db" "CREATE TABLE IF NOT EXISTS not_examined(ne_id INTEGER PRIMARY KEY,
	item_id TEXT, device_path TEXT, evidence_path TEXT, sha256 TEXT, size INTEGER, app TEXT,
	reason TEXT, detail TEXT); INSERT INTO not_examined(item_id, device_path, reason, detail)
	VALUES ('A2', '/data/data/com.example.vault/databases/vault.db', 'encrypted-no-key',
	'Encrypted, no key found.')" && "$CUSTOS" --case "$T/two2" report >/dev/null 2>&1 &&
	render "$T/two2/report/forms" "$T/r3b"
ok $? "analysis, export and a file not examined: report and render"
check "analysis and export stated because the log shows them" claims "$T/r3b" "$T/two2/report/forms" "$T/two2/custody/log.jsonl"
check "analysis and export: no English words" english "$T/r3b" "$T/two2"
t=$(pdftotext "$T/r3b/examination-record.pdf" - | tr -d ' \n')
printf '%s' "$t" | grep -q '检查局限：下列[0-9]*个文件未经检查：.*A2/data/data/com.example.vault/databases/vault.db（加密且无密钥）' &&
	printf '%s' "$t" | grep -q '比对命中暗语关键词3处'
ok $? "the file not examined in the 检查局限; the hits counted as the ANALYZE entry says"

# 4. 100,000 files: the file list goes to the appendix; every form stays short.
python3 - "$T/big" <<'PY'
import os, sys
for d in range(100):
    p = os.path.join(sys.argv[1], "data/data/com.example.big/files/d%03d" % d)
    os.makedirs(p)
    for i in range(1000):
        with open(os.path.join(p, "f%04d.txt" % i), "w") as f:
            f.write("%d %d\n" % (d, i))
PY
ok $? "100,000 small files"
C4=$T/bigcase
must "$CUSTOS" case init "$C4" --case-id A4403052026110001 --manifest "$M" >/dev/null
must "$CUSTOS" --case "$C4" import --format dir --item A1 "$T/big" >/dev/null
must "$CUSTOS" --case "$C4" parse >/dev/null
run "100,000 files: report" "$CUSTOS" --case "$C4" report --format all
render "$C4/report/forms" "$T/r4"
ok $? "100,000 files: rendered"
check "100,000 files: every form under 10 pages in both renderers" maxpages "$T/r4" 10
check "100,000 files: page numbers and sheet counts" pages "$T/r4"
is "$(($(wc -l <"$C4/report/forms/extraction-files.csv") - 1))" 100000 "100,000 files: all in the appendix"
check "100,000 files: mandatory fields, the appendix's SHA-256" fields "$T/r4" "$C4/report/forms" "Tap Examiner"
check "100,000 files: nothing claimed that the custody log lacks" claims "$T/r4" "$C4/report/forms" "$C4/custody/log.jsonl"

# 5. A phone acquired over ADB: the scene record.
export CUSTOS_ADB_KEY="$T/adbkey"
must sim_start
python3 - "$M" "$T/scene.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
it = m["seizure"]["items"][0]
it.update({"name": "安卓手机", "features": {"make": "Xiaomi", "model": "Redmi Note 8 Pro",
           "colour": "黑色", "damage": "无"}, "identifiers": {"imei": ["860605030250737"]},
           "os": "Android", "os_version": "11"})
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False)
PY
run "run --adb-connect on the simulated phone" timeout -k 5 200 "$CUSTOS" run --adb-connect "$SIM_ADDR" \
	--case-id A4403052026110001 --manifest "$T/scene.json" --item A1 --examiner 李检查 -o "$T/o5"
C5=$T/o5/A4403052026110001
F5=$(ls -d "$T"/o5/*.forms)
render "$F5" "$T/r5"
ok $? "acquired phone: rendered"
check "acquired phone: page numbers and sheet counts" pages "$T/r5"
check "acquired phone: no English words (device commands summed up, not quoted)" english "$T/r5" "$C5"
check "acquired phone: the 现场提取笔录 since the log shows an acquisition; no 检材接收" claims "$T/r5" "$F5" "$C5/custody/log.jsonl"
check "acquired phone: mandatory fields" fields "$T/r5" "$F5" 李检查
t=$(pdftotext "$T/r5/extraction-record.pdf" - | tr -d ' \n')
printf '%s' "$t" | grep -q '封存编号：FC-2026-000457' && printf '%s' "$t" | grep -q '网络隔离措施：信号屏蔽袋，2026年11月22日21时42分' &&
	printf '%s' "$t" | grep -q '设备状态：开机：是；锁屏：是'
ok $? "acquired phone: seal number, isolation and the device state on the 现场提取笔录"
printf '%s' "$t" | grep -q '提取地点：示例省'
nok $? "acquired phone: the seizure address is not given as the extraction place"
printf '%s' "$t" | grep -q '提取方法：对检材A1经ADB连接逻辑提取'
ok $? "acquired phone: the method names the acquisition the log shows"
tap_done
