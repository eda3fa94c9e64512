#!/bin/sh
# verify_zip.sh - custos verify and the packaged verify.sh account for every
# byte of the zip: tampered copies that unzip -t still accepts (a prepended
# stub with its offsets adjusted, appended bytes, a local entry hidden
# between two entries, two entries swapped, a second comment line, an extra
# field in a local header) fail both with exit 1; a stub without adjusted
# offsets exits 1, not 3. The living log beside the package: a later entry
# chained to the sealed head passes; an edited sealed line, a forged link
# and a torn last line fail.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup verify_zip
tap_plan 53
MKCASE="$BUILDDIR/tests/unit/mkcase"
TAMPER="python3 $SRCDIR/tests/e2e/zip_tamper.py"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

must "$CUSTOS" -q case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
must "$MKCASE" case A1
must "$CUSTOS" -q keygen -o k.pem
must "$CUSTOS" -q --case case seal -o d --sign k.pem
P=$(ls d/*.custos.zip)
unzip -p "$P" verify.sh >verify.sh
N=$(unzip -Z1 "$P" | wc -l)

run "untampered: custos verify passes" "$CUSTOS" verify "$P" --pubkey k.pub.pem
like "$(cat "$T/last.out")" "^ok   zip-layout: $N local entries .* all [0-9]+ bytes accounted for" \
	"untampered: every byte accounted for"
like "$(cat "$T/last.out")" "^ok   entry-order: $N entries in the order seal writes them" \
	"untampered: canonical order"
run "untampered: verify.sh passes" sh verify.sh "$P" k.pub.pem
like "$(cat "$T/last.out")" '^ok   zip-layout: .*accounted for' "untampered: verify.sh layout named"

# tampered MODE C-REGEX SH-REGEX: unzip -t still reads the copy, custos
# verify and verify.sh fail it (exit 1) and name what changed.
tampered() {
	mode=$1 cre=$2 shre=$3 f=t-$1.zip
	must $TAMPER "$mode" "$P" "$f"
	run "$mode: unzip -t still accepts it" unzip -tqq "$f"
	expect_exit 1 "$mode: custos verify fails" "$CUSTOS" verify "$f" --pubkey k.pub.pem
	like "$(grep '^FAIL' "$T/last.out")" "$cre" "$mode: custos names it"
	expect_exit 1 "$mode: verify.sh fails" sh verify.sh "$f" k.pub.pem
	like "$(grep '^FAIL' "$T/last.out")" "$shre" "$mode: verify.sh names it"
}
tampered prepend "FAIL zip-layout: .*127 bytes before the first local header \\(prepended data\\)" \
	"FAIL zip-layout: 127 bytes before the first local header"
tampered append "FAIL zip-layout: .*23 bytes after the end of central directory record" \
	"FAIL zip-layout: 23 bytes after the end of central directory record"
tampered hidden "FAIL zip-layout: .*hold a local entry 'evidence/hidden.txt' the central directory does not list" \
	"FAIL zip-layout: 78 bytes at offset [0-9]+ hold a local entry the central directory does not list"
tampered reorder "FAIL entry-order: entry 6 of .* is 'evidence/A1/HomeDomain/Library/Preferences/com.apple.x.plist' where seal writes 'evidence/A1/CameraRollDomain" \
	"FAIL entry-order: entry 6 is evidence/A1/HomeDomain/Library/Preferences/com.apple.x.plist where seal writes evidence/A1/CameraRollDomain"
tampered comment "FAIL zip-comment: zip comment 'CUSTOS1 " \
	"FAIL zip-comment: the 97-byte comment is not exactly 'CUSTOS1 "
tampered extra "FAIL zip-layout: .*carries a 12-byte extra field 0xcafe that seal never writes" \
	"FAIL zip-layout: the local header at offset [0-9]+ carries an extra field 51966"
# Only the order differs in the rewritten copy: every digest still matches.
expect_exit 1 "reorder: only the order fails" "$CUSTOS" verify t-reorder.zip --pubkey k.pub.pem
is "$(grep -c '^FAIL' "$T/last.out")" 1 "reorder: exactly one failing check"

# The RFC 3161 reply is added later with any zip tool (its extra fields
# and all): still every byte accounted for, and last in the order.
cp "$P" with-tsr.zip && printf 'reply' >manifest.json.tsr && must zip -q with-tsr.zip manifest.json.tsr
run "a manifest.json.tsr added with zip: verify.sh passes" sh verify.sh with-tsr.zip k.pub.pem
"$CUSTOS" verify with-tsr.zip >tsr.out
like "$(grep -E '^(ok|FAIL) +(zip-layout|entry-order)' tsr.out)" "^ok   zip-layout: $((N + 1)) local entries.*
ok   entry-order: $((N + 1)) entries" "a manifest.json.tsr added with zip: custos layout and order pass"

# A stub without adjusted offsets: unzip and libzip give up, verify still
# says integrity (exit 1), not "cannot read" (exit 3).
must $TAMPER noadjust "$P" t-noadjust.zip
expect_exit 1 "stub, offsets not adjusted: custos verify exits 1" "$CUSTOS" verify t-noadjust.zip
like "$(grep '^FAIL' "$T/last.out")" "FAIL zip-layout: .*127 bytes before the first local header" \
	"stub, offsets not adjusted: named"
expect_exit 1 "stub, offsets not adjusted: verify.sh exits 1" sh verify.sh t-noadjust.zip

# The living log beside the package.
live() { # live NAME: a copy of the package and its sidecars in NAME/
	rm -rf "$1" && mkdir "$1" && cp "$P" "$P.sha256" "$P.custody.jsonl" "$1/"
	L="$1/$(basename "$P")"
}
live l-ok
must "$CUSTOS" -q custody add --log "$L.custody.jsonl" --action TRANSFER --actor "Li Wei" \
	--role courier
run "living log with a later entry: verify.sh passes" sh verify.sh "$L" k.pub.pem
like "$(cat "$T/last.out")" '^ok   living-log: the sealed log \(3 entries\) plus 1 later entries, chain intact' \
	"living log: verify.sh counts the later entry"
run "living log with a later entry: custos verify passes" "$CUSTOS" verify "$L" --pubkey k.pub.pem

live l-edit
sed -i '2s/"seq":1,/"seq":1, /' "$L.custody.jsonl"
expect_exit 1 "living log, a sealed line edited: verify.sh fails" sh verify.sh "$L" k.pub.pem
like "$(grep '^FAIL' "$T/last.out")" "FAIL living-log: .* does not start with the sealed custody/log.jsonl" \
	"living log, a sealed line edited: named"
expect_exit 1 "living log, a sealed line edited: custos verify fails" "$CUSTOS" verify "$L"

live l-forge
cp "$L.custody.jsonl" forge.jsonl
must "$CUSTOS" -q custody add --log forge.jsonl --action TRANSFER --actor "Li Wei" --role courier
must "$CUSTOS" -q custody add --log forge.jsonl --action RECEIVE --actor "Zhang San" --role clerk
# The TRANSFER entry dropped: the RECEIVE entry's seq and prev no longer fit.
sed '4d' forge.jsonl >"$L.custody.jsonl"
expect_exit 1 "living log, a later entry dropped: verify.sh fails" sh verify.sh "$L" k.pub.pem
like "$(grep '^FAIL' "$T/last.out")" "FAIL living-log: line 4 of .*: seq/prev is '4 " \
	"living log, a later entry dropped: named"

live l-torn
printf '{"body":{"v":1,"seq":3,' >>"$L.custody.jsonl"
expect_exit 1 "living log, a torn last line: verify.sh fails" sh verify.sh "$L" k.pub.pem
like "$(grep '^FAIL' "$T/last.out")" "FAIL living-log: the last line of .* is torn" \
	"living log, a torn last line: named"
expect_exit 1 "living log, a torn last line: custos verify fails" "$CUSTOS" verify "$L"

tap_done
