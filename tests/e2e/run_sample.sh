#!/bin/sh
# run_sample.sh - `custos run` on the bundled sample iPhone backup, as the
# README quick start does: exit codes, summary, the package verifies, the
# seal hash printed is SHA-256(manifest.json) computed independently, the
# report and forms inside the package carry the content root, the forms
# beside it carry the seal hash (grouped and as a QR PNG) and their PRINT
# entries keep the living custody log valid; the docx forms open in
# LibreOffice (PDF read back with pdftotext, page numbers consistent);
# with SOURCE_DATE_EPOCH two runs give byte-identical packages.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup run_sample
tap_plan 73

run "sample images" sh "$SRCDIR/fixtures/make-samples.sh" "$T/s"
B=$T/s/ios-backup/00008101-001C2D3E4F50A01E
M=$SRCDIR/fixtures/manifest/sample-seizure.json
SOURCE_DATE_EPOCH=1763884800
export SOURCE_DATE_EPOCH

run "custos run on the sample" "$CUSTOS" run "$B" --case-id A4403052026110001 --manifest "$M" \
	--item A1 --examiner "李检查" -o "$T/o1"
out=$(cat "$T/last.out")
err=$(cat "$T/last.err")
like "$err" '\[1/7\] case init' "progress: first step shown"
like "$err" '\[7/7\] verify' "progress: last step shown"
pkg=$(ls "$T"/o1/*.custos.zip)
[ -f "$pkg" ]
ok $? "package written: ${pkg#"$T"/}"
like "$out" "package: +$pkg" "summary names the package"
like "$out" 'items: +1 ' "summary: items"
like "$out" 'verified: +all checks passed' "summary: verified"
like "$out" 'status: +complete' "summary: complete"
seal=$(unzip -p "$pkg" manifest.json | sha256sum | cut -d' ' -f1)
is "$(printf '%s\n' "$out" | tail -1)" "$seal" "seal hash printed last = sha256sum of manifest.json"
grouped=$(printf '%s' "$seal" | sed 's/.\{4\}/& /g; s/ $//')
like "$out" "seal hash: $grouped" "seal hash also as 16 groups of 4"
nfiles=$(grep -c '"type":"file"' "$T/o1/A4403052026110001/inventory/A1.jsonl")
like "$out" "files: +$nfiles \(" "summary: files = inventory file lines ($nfiles)"
must unzip -p "$pkg" case.db >"$T/case.db"
nmsg=$(sqlite3 "$T/case.db" 'SELECT count(*) FROM messages')
npay=$(sqlite3 "$T/case.db" 'SELECT count(*) FROM payments')
like "$out" "messages: +$nmsg\$" "summary: messages = sqlite3 count in the sealed case.db ($nmsg)"
like "$out" "payments: +$npay\$" "summary: payments = sqlite3 count ($npay)"
run "custos verify on the package" "$CUSTOS" verify "$pkg"
unzip -tq "$pkg" >/dev/null
ok $? "unzip -t accepts the package"

# Inside the package: the report and the forms, with the content root.
list=$(unzip -Z1 "$pkg")
for f in report/index.html report/chats.html report/payments-1.html report/files-1.html \
	report/custody.html report/verify.html report/assets/report.css report/assets/search.js \
	report/forms/seizure-list.html report/forms/seizure-list.docx \
	report/forms/extraction-record.docx report/forms/examination-record.docx; do
	printf '%s\n' "$list" | grep -qx "$f" || { echo "# missing $f"; false; } || break
done
ok $? "report pages and forms are sealed inside the package"
root=$(unzip -p "$pkg" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["content_root"]["root"])')
rgroup=$(printf '%s' "$root" | sed 's/.\{4\}/& /g; s/ $//')
unzip -p "$pkg" report/forms/seizure-list.html | grep -qF "$rgroup"
ok $? "in-package forms carry the content root (grouped)"
unzip -p "$pkg" report/index.html | grep -qF "$rgroup"
ok $? "in-package report carries the content root"
# Payments in yuan: the WeChat transfer of 180000 fen.
unzip -p "$pkg" report/payments-1.html | grep -q '<td class="num">1,800.00</td>'
ok $? "payments shown in yuan with 2 decimals"
unzip -p "$pkg" report/payments-1.html | grep -q 'Totals per counterparty'
ok $? "payment totals per counterparty"
unzip -p "$pkg" report/chats/wechat/4-1.html | grep -q 'badge recalled'
ok $? "recalled message marked"
unzip -p "$pkg" report/chats/wechat/4-1.html | grep -q '<div class="pay">支付 Payment: transfer outgoing 1,800.00 CNY (payments #[0-9]*)</div>'
ok $? "the transfer message shows its payment in yuan"
ev=$(unzip -p "$pkg" report/chats/whatsapp/6-1.html | grep -o '<img class="thumb" alt="attachment" src="[^"]*"' | sed 's/.*src="\.\.\/\.\.\/\.\.\///; s/"$//; s/%40/@/g')
printf '%s\n' "$list" | grep -qxF "$ev"
ok $? "image attachment thumbnailed from the sealed evidence file ($ev)"
unzip -p "$pkg" report/chats/wechat/4-1.html | grep -q 'href="../../sources.html#s[0-9]*">source [0-9]* · Chat_'
ok $? "chat rows link to their provenance"
unzip -p "$pkg" report/timeline-1.html | grep -q '<td>case.db payments #[0-9]*<br><a class="prov" href="sources.html#s[0-9]*">source [0-9]* · '
ok $? "timeline rows name the case.db row and link to the source"
link=$(unzip -p "$pkg" report/timeline-1.html | grep -o 'href="chats/[a-z]*/[0-9]*-[0-9]*\.html#m[0-9]*">聊天 chat' | head -1 | sed 's/^href="//; s/">.*//')
unzip -p "$pkg" "report/${link%%#*}" | grep -q "id=\"${link#*#}\""
ok $? "timeline message rows link to the message in its chat page ($link)"
unzip -p "$pkg" report/sources.html | grep -q "$(unzip -p "$pkg" manifest.json | python3 -c 'import json,sys; print([f["sha256"] for f in json.load(sys.stdin)["files"] if f["device_path"].endswith("sms.db")][0])')"
ok $? "provenance page lists the parsed file's SHA-256"

# Beside the package: the forms with the seal hash.
F=$pkg.forms
for f in seizure-list.html seizure-list.docx extraction-record.html extraction-record.docx \
	examination-record.html examination-record.docx qr.png index.html; do
	[ -s "$F/$f" ] || { echo "# missing $F/$f"; false; } || break
done
ok $? "forms written beside the package"
grep -qF "$grouped" "$F/seizure-list.html" && grep -qF "$grouped" "$F/examination-record.html"
ok $? "forms beside the package print the seal hash as 16 groups of 4"
is "$(head -c 8 "$F/qr.png" | od -An -tx1 | tr -d ' \n')" "89504e470d0a1a0a" "QR code is a PNG"
grep -q '<img class="qr" src="qr.png"' "$F/seizure-list.html"
ok $? "HTML form shows the QR code"
unzip -Z1 "$F/seizure-list.docx" | grep -qx 'word/media/qr.png'
ok $? "docx form embeds the QR code"
if command -v zbarimg >/dev/null 2>&1; then
	is "$(zbarimg -q --raw "$F/qr.png" 2>/dev/null)" "$seal" "QR decodes to the seal hash (zbarimg)"
	is "$(unzip -p "$pkg" report/forms/qr.png | zbarimg -q --raw - 2>/dev/null)" "content-root:$root" \
		"in-package QR decodes to the labelled content root"
else
	skip "zbarimg not installed"
	skip "zbarimg not installed"
fi
for f in "$F"/*.docx; do unzip -tq "$f" >/dev/null || { echo "# $f"; false; } || break; done
ok $? "unzip -t accepts every docx"
log=$pkg.custody.jsonl
is "$(grep -c '"event":"PRINT"' "$log")" 6 "six PRINT entries (3 forms x HTML, docx) in the living log"
grep '"event":"PRINT"' "$log" | grep -q "\"seal_hash\":\"$seal\""
ok $? "PRINT entries name the seal hash"
run "living custody log still verifies" "$CUSTOS" custody verify --log "$log"
run "package still verifies with the grown living log" "$CUSTOS" verify "$pkg"
expect_exit 3 "forms for a package are written once" "$CUSTOS" report --forms-for "$pkg"
cp "$pkg" "$T/tampered.custos.zip"
must python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "a"); z.comment = b"CUSTOS1 " + b"0" * 64; z.close()' "$T/tampered.custos.zip"
expect_exit 1 "forms refused when the seal hash does not match manifest.json" "$CUSTOS" report --forms-for "$T/tampered.custos.zip"
[ ! -e "$T/tampered.custos.zip.forms" ]
ok $? "no forms written for a mismatching package"
expect_exit 3 "forms for something that is not a package" "$CUSTOS" report --forms-for "$M"

# LibreOffice opens the docx; the PDF text carries the facts.
mkdir -p "$T/pdf"
if command -v libreoffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
	HOME=$T timeout -k 10 180 libreoffice --headless --convert-to pdf --outdir "$T/pdf" \
		"$F/seizure-list.docx" "$F/extraction-record.docx" "$F/examination-record.docx" >"$T/lo.out" 2>&1
	ok $? "libreoffice converts the docx forms to PDF"
	sl=$(pdftotext "$T/pdf/seizure-list.pdf" - 2>/dev/null)
	like "$sl" '扣押清单' "PDF: 扣押清单 title"
	like "$sl" 'A4403052026110001' "PDF: case number"
	like "$sl" '苹果手机' "PDF: item name"
	like "$sl" '第 ?1 ?页 ?共 ?1 ?页' "PDF: 第 1 页 共 1 页"
	like "$sl" '第二联' "PDF: three copies"
	like "$(printf '%s' "$sl" | tr -d ' \n')" "$seal" "PDF: seal hash"
	er=$(pdftotext "$T/pdf/extraction-record.pdf" - 2>/dev/null)
	like "$er" '电子数据提取固定清单' "PDF: 固定清单"
	md5=$(unzip -p "$pkg" manifest.json | python3 -c 'import json,sys; print([f["md5"] for f in json.load(sys.stdin)["files"] if f["device_path"].endswith("sms.db")][0].upper())')
	like "$(printf '%s' "$er" | tr -d ' \n')" "$md5" "PDF: MD5 in upper case ($md5)"
	for p in seizure-list extraction-record examination-record; do
		pages=$(pdfinfo "$T/pdf/$p.pdf" | sed -n 's/^Pages: *//p')
		total=$(pdftotext "$T/pdf/$p.pdf" - | tr -d ' ' | sed -n 's/.*第[0-9]*页共\([0-9]*\)页.*/\1/p' | head -1)
		if [ "$p" = seizure-list ]; then total=$((total * 3)); fi
		is "$pages" "$total" "PDF $p: page count matches 共 Y 页"
	done
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "libreoffice or pdftotext not installed"; done
fi

# Determinism: the same input at the same (fixed) time gives the same bytes.
run "second custos run (--json)" "$CUSTOS" --json run "$B" --case-id A4403052026110001 \
	--manifest "$M" --item A1 --examiner "李检查" -o "$T/o2"
pkg2=$(ls "$T"/o2/*.custos.zip)
python3 - "$T/last.out" "$seal" "$pkg2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))  # stdout is one JSON document and nothing else
ok = (d["status"] == "ok" and d["verified"] is True and d["seal_hash"] == sys.argv[2]
      and d["package"] == sys.argv[3] and d["items"] == 1 and d["messages"] > 0
      and d["forms"] == sys.argv[3] + ".forms")
sys.exit(0 if ok else 1)
PY
ok $? "--json: one JSON summary document with status, seal hash, package, forms"
cmp -s "$pkg" "$pkg2"
ok $? "two runs give byte-identical packages"
cmp -s "$F/seizure-list.docx" "$pkg2.forms/seizure-list.docx" && diff -r "$T/o1/A4403052026110001/report" "$T/o2/A4403052026110001/report" >/dev/null
ok $? "and identical reports and forms"

# Encrypted backup: --password-file, --sign, --hash sm3.
mkdir -p "$T/k"
run "keygen" "$CUSTOS" keygen -o "$T/k/key.pem"
run "custos run on the encrypted sample, signed, with SM3" "$CUSTOS" run \
	"$T/s/ios-backup-encrypted/00008101-001C2D3E4F50A01E" \
	--password-file "$T/s/ios-backup-encrypted.password" --sign "$T/k/key.pem" --hash sm3 \
	--case-id A4403052026110001 --manifest "$M" --item A1 -o "$T/o5"
pkg5=$(ls "$T"/o5/*.custos.zip)
run "signed package verifies with the public key" "$CUSTOS" verify --pubkey "$T/k/key.pub.pem" "$pkg5"
grep '"event":"PRINT"' "$pkg5.custody.jsonl" | grep -c '"sig":' | grep -qx 6
ok $? "PRINT entries signed by the examiner's key"
run "living log signatures verify" "$CUSTOS" custody verify --log "$pkg5.custody.jsonl" --pubkey "$T/k/key.pub.pem"
unzip -p "$pkg5" manifest.json | python3 -c 'import json,sys; f=json.load(sys.stdin)["files"]; sys.exit(0 if f and all(len(x["sm3"] or "") == 64 for x in f) else 1)'
ok $? "--hash sm3: every file has an SM3 digest"

# Exit codes (CLI.md).
expect_exit 4 "--device: a phone that cannot be reached, exit 4" "$CUSTOS" run --device 00008101-001C2D3E4F50A01E --case-id X -o "$T/o3d"
like "$(cat "$T/last.err")" "phone '00008101-001C2D3E4F50A01E'" "--device names the phone"
expect_exit 2 "missing --case-id: usage error" "$CUSTOS" run "$B" -o "$T/o3"
expect_exit 3 "unreadable PATH: input error" "$CUSTOS" run "$T/nope" --case-id X -o "$T/o3"
[ ! -e "$T/o3" ]
ok $? "nothing created for an unreadable PATH"
expect_exit 5 "partial import (hostile backup): exit 5, package still produced" "$CUSTOS" run \
	"$T/s/ios-backup-hostile/00008101-001C2D3E4F50A01E" --case-id A4403052026110001 \
	--manifest "$M" --item A1 -o "$T/o4"
like "$(cat "$T/last.out")" 'verified: +all checks passed' "partial run: package verified"
tap_done
