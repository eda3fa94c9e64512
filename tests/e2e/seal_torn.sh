#!/bin/sh
# seal_torn.sh - a case whose custody log got a torn last line (a crash
# mid-append), repaired with `custody add --repair` (the torn bytes stay, a
# newline ends them, an ERROR entry whose details.torn_line records them
# follows), seals into a package that custos verify and verify.sh accept,
# living log included. A torn line no ERROR entry records, or a change to
# the torn bytes or to the ERROR entry, still fails both verifiers.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_torn
tap_plan 33
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
must sh "$SRCDIR/fixtures/make-samples.sh" "$T/s" >/dev/null
B=$T/s/ios-backup/00008101-001C2D3E4F50A01E

must "$CUSTOS" case init case --case-id A4403052026110001 \
	--manifest "$SRCDIR/fixtures/manifest/sample-seizure.json" >/dev/null
must "$CUSTOS" --case case import "$B" --item A1 >/dev/null
printf '{"body":{"v":1,"seq":9' >>case/custody/log.jsonl
expect_exit 1 "custody verify fails on the torn last line" "$CUSTOS" --case case custody verify
run "custody add --repair records the torn line" "$CUSTOS" --case case custody add \
	--action NOTE --actor "Tap Examiner" --note "crash during import" --repair
run "custody verify accepts the repaired log" "$CUSTOS" --case case custody verify
must "$CUSTOS" --case case parse >/dev/null
must "$CUSTOS" --case case report >/dev/null
run "seal the repaired case" "$CUSTOS" --case case seal -o out
PKG=$(ls out/*.custos.zip)
must unzip -p "$PKG" verify.sh >verify.sh
must unzip -p "$PKG" custody/log.jsonl >sealed.jsonl
ents=$(grep -c '^{"body":{"v":1,"seq":[0-9]*,"prev":' sealed.jsonl)
is "$(tail -n 1 sealed.jsonl | grep -c '"event":"SEAL"')" 1 "the package's log ends with the SEAL entry"
is "$(grep -c '' sealed.jsonl)" "$((ents + 1))" "the package's log keeps the torn line beside its entries"
run "custos verify accepts the package" "$CUSTOS" verify "$PKG"
like "$(cat "$T/last.out")" '^ok   custody-seal:' "custos verify: custody-seal passes"
run "verify.sh accepts the package" sh verify.sh "$PKG"
like "$(cat "$T/last.out")" '^ok   custody-chain: [0-9]+ entries' "verify.sh: custody-chain passes"
like "$(cat "$T/last.out")" '^ok   living-log:' "verify.sh: living-log passes"

# repack PKG NEWPKG LOGFILE: the package with custody/log.jsonl replaced,
# the zip rewritten in the same order and form (manifest as sealed, no
# sidecars beside it).
repack() {
	python3 - "$@" <<'PY'
import sys, zipfile
src, out, log = sys.argv[1:4]
zin = zipfile.ZipFile(src)
with zipfile.ZipFile(out, "w") as zo:
    for i in zin.infolist():
        zi = zipfile.ZipInfo(i.filename, i.date_time)
        zi.compress_type, zi.external_attr = i.compress_type, i.external_attr
        zi.create_system = i.create_system
        data = open(log, "rb").read() if i.filename == "custody/log.jsonl" else zin.read(i)
        zo.writestr(zi, data)
    zo.comment = zin.comment
PY
}
# detect NAME LOGFILE: custos verify and verify.sh both fail a package whose
# sealed log is LOGFILE (living log removed so only the sealed log speaks).
detect() {
	must repack "$PKG" bad.zip "$2"
	expect_exit 1 "$1: custos verify fails" "$CUSTOS" verify bad.zip
	like "$(cat "$T/last.out")" '^FAIL (custody-chain|custody-head)' \
		"$1: custos verify names the custody check"
	expect_exit 1 "$1: verify.sh fails" sh verify.sh bad.zip
	like "$(cat "$T/last.out")" '^FAIL (custody-chain|custody-head|custody-root)' \
		"$1: verify.sh names the custody check"
}
tl=$(grep -n '^{"body":{"v":1,"seq":9$' sealed.jsonl | cut -d: -f1)
same "$tl" "$(grep -o '"torn_line":{"line":[0-9]*' sealed.jsonl | sed 's/.*://')" \
	"the ERROR entry records the torn line's number"
# 1. torn bytes changed (same length)
sed "${tl}s/seq\":9/seq\":8/" sealed.jsonl >t1.jsonl
detect "torn bytes changed" t1.jsonl
# 2. the ERROR entry's record of the torn line changed (its digest's first
# hex digit, same length)
sed -e 's/\("torn_line":{[^}]*"sha256":"\)0/\1f/;t' \
	-e 's/\("torn_line":{[^}]*"sha256":"\)[1-9a-f]/\10/' sealed.jsonl >t2.jsonl
detect "ERROR entry's torn_line sha256 changed" t2.jsonl
# 3. a torn line no ERROR entry records: the ERROR entry's line dropped
sed "$((tl + 1))d" sealed.jsonl >t3.jsonl
detect "the ERROR entry removed" t3.jsonl

# 4. The living log beside the package: a torn line there, repaired with
# custody add --log, is skipped by both verifiers; changed torn bytes fail.
L=$PKG.custody.jsonl
printf '{"body":{"v":1,"seq":' >>"$L"
run "custody add --log --repair on the living log" "$CUSTOS" custody add --log "$L" \
	--action NOTE --actor "Tap Examiner" --note "crash after sealing" --repair
run "custos verify accepts the repaired living log" "$CUSTOS" verify "$PKG"
like "$(cat "$T/last.out")" '^ok   living-log' "custos verify: living-log passes"
run "verify.sh accepts the repaired living log" sh verify.sh "$PKG"
like "$(cat "$T/last.out")" '^ok   living-log:' "verify.sh: living-log passes"
lt=$(grep -n '^{"body":{"v":1,"seq":$' "$L" | cut -d: -f1)
must sed -i "${lt}s/seq\":/seQ\":/" "$L"
expect_exit 1 "living log's torn bytes changed: custos verify fails" "$CUSTOS" verify "$PKG"
like "$(cat "$T/last.out")" '^FAIL living-log' "living log's torn bytes changed: custos verify names living-log"
expect_exit 1 "living log's torn bytes changed: verify.sh fails" sh verify.sh "$PKG"
like "$(cat "$T/last.out")" '^FAIL living-log' "living log's torn bytes changed: verify.sh names living-log"
