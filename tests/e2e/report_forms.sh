#!/bin/sh
# report_forms.sh - the forms' own page layout holds in LibreOffice when
# pages are full: a seizure of 9 phones with long descriptions and 30
# evidence files with long device paths. The docx forms are converted to
# PDF; every page's "第 X 页 共 Y 页" must match the PDF's real page count,
# so a printed form never says "page 2 of 2" on its third sheet.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_forms
tap_plan 14

if ! command -v libreoffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
	skip_rest "libreoffice or pdftotext not installed"
	tap_done
fi
python3 - "$SRCDIR/fixtures/manifest/sample-seizure.json" "$T/manifest.json" <<'PY'
import copy, json, sys
m = json.load(open(sys.argv[1]))
base = m["seizure"]["items"][0]
items = []
for i in range(9):
    it = copy.deepcopy(base)
    it["item_id"] = "A%d" % (i + 1)
    it["name"] = "苹果手机（第%d部，黑色外壳带支架）" % (i + 1)
    it["features"]["damage"] = "屏幕右上角有裂痕，背面有划痕，边框有磕碰，摄像头玻璃破裂，" * 3
    it["source"] = "犯罪嫌疑人赵某某随身携带的黑色双肩包内侧口袋中查获" * 2
    it["seal"]["numbers"] = ["FC-2026-%06d" % (457 + i), "FC-2026-%06d" % (900 + i)]
    items.append(it)
m["seizure"]["items"] = items
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False, indent=2)
PY
ok $? "manifest with 9 long items"
S=$T/src
for i in $(seq 1 30); do
	d=$S/data/data/com.example.app$i/files/very/long/directory/name/to/fill/the/column/of/the/form
	mkdir -p "$d"
	printf 'file %s\n' "$i" >"$d/document-with-a-long-name-$i.txt"
done
C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id A4403052026110001 --manifest "$T/manifest.json"
run "import" "$CUSTOS" --case "$C" import --format dir --item A1 "$S"
# Eight more acquisitions: the 笔录's narrative runs over a page.
bad=0
for i in 2 3 4 5 6 7 8 9; do
	mkdir -p "$T/more$i/sdcard"
	printf 'x%s\n' "$i" >"$T/more$i/sdcard/note$i.txt"
	"$CUSTOS" --case "$C" import --format dir --item "A$i" "$T/more$i" >/dev/null 2>&1 || bad=1
done
ok $bad "eight more items imported"
expect_exit 3 "report before parse: input error" "$CUSTOS" --case "$C" report
like "$(cat "$T/last.err")" 'run custos parse first' "report before parse says what to do"
must "$CUSTOS" --case "$C" parse >/dev/null
run "report --format docx" "$CUSTOS" --case "$C" report --format docx
[ -f "$C/report/forms/seizure-list.docx" ] && [ ! -e "$C/report/index.html" ] && [ ! -e "$C/report/forms/seizure-list.html" ]
ok $? "docx only: no HTML written"
HOME=$T timeout -k 10 180 libreoffice --headless --convert-to pdf --outdir "$T/pdf" \
	"$C/report/forms/seizure-list.docx" "$C/report/forms/extraction-record.docx" \
	"$C/report/forms/examination-record.docx" >"$T/lo.out" 2>&1
ok $? "libreoffice converts the forms"
for p in seizure-list extraction-record examination-record; do
	pages=$(pdfinfo "$T/pdf/$p.pdf" | sed -n 's/^Pages: *//p')
	nums=$(pdftotext "$T/pdf/$p.pdf" - | tr -d ' ' | grep -o '第[0-9]*页共[0-9]*页' | tr '\n' ' ')
	want=$(python3 -c '
import sys
pages = int(sys.argv[1]); copies = 3 if sys.argv[2] == "seizure-list" else 1
per = pages // copies
print(" ".join("第%d页共%d页" % (x, per) for c in range(copies) for x in range(1, per + 1)) + " ")
' "$pages" "$p")
	is "$nums" "$want" "$p: every PDF page carries its own 第 X 页 共 Y 页 ($pages pages)"
done
# Table cells wrap (and hyphenate) in the PDF text: look for short tokens.
sl=$(pdftotext "$T/pdf/seizure-list.pdf" -)
for i in 1 5 9; do
	printf '%s\n' "$sl" | grep -qx "A$i" && printf '%s' "$sl" | grep -q "000$((456 + i))" ||
		{ echo "# item $i missing"; false; } || break
done
ok $? "all items listed"
# Every file is in the electronic appendix beside the forms, whose SHA-256
# the 固定清单 prints.
csv=$C/report/forms/extraction-files.csv
sum=$(sha256sum "$csv" | cut -c1-64)
grep -q 'document-with-a-long-name-30\.txt' "$csv" &&
	pdftotext "$T/pdf/extraction-record.pdf" - | tr -d ' \n' | grep -q "电子附件SHA-256：$sum"
ok $? "the last evidence file is in the appendix, whose SHA-256 the form prints"
tap_done
