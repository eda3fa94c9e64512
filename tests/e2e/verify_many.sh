#!/bin/sh
# verify_many.sh - custos verify of a package of 50,000 tiny files stays
# under 64 MB of peak RSS (GNU time's %M): the central directory is walked
# record by record and manifest.json read as a stream, so memory does not
# grow with the file count (issue 11). The package still verifies, and a
# byte flipped in one small file deep in the package is named.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup verify_many
tap_plan 7
MKCASE="$BUILDDIR/tests/unit/mkcase"
N=${VERIFY_MANY_FILES:-50000}
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
[ -x /usr/bin/time ] || { skip_rest "no GNU time at /usr/bin/time"; tap_done; exit 0; }

must "$CUSTOS" -q case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate $N tiny files" "$MKCASE" case A1 many "$N"
run "seal" "$CUSTOS" -q --case case seal -o d
P=$(ls d/*.custos.zip)
is "$(unzip -Z1 "$P" | grep -c '^evidence/')" "$N" "the package holds $N evidence files"
/usr/bin/time -f '%M' -o rss "$CUSTOS" verify "$P" >verify.out 2>&1
ok $? "custos verify passes"
like "$(cat verify.out)" "^ok   files: $((N + 6)) listed entries" "every listed entry checked"
kb=$(tail -n 1 rss)
diag "custos verify of $N files: peak RSS $kb KB"
if [ -n "${ASAN_OPTIONS-}" ]; then
	# make check-asan: RSS is mostly ASan's shadow memory and quarantine,
	# not custos's; the plain suite holds the bound.
	skip "peak RSS not meaningful under AddressSanitizer ($kb KB)"
else
	[ "$kb" -lt 65536 ]
	ok $? "peak RSS $kb KB is under 64 MB"
fi
# One small file near the end of the package, flipped (its CRC still
# the stored one): the failure names it.
EV=$(printf "evidence/A1/sdcard/many/d%03u/f%07u.bin" $(((N - 1) % 100)) $((N - 1)))
python3 - "$P" bad.zip "$EV" <<'PY'
import sys, zipfile
src, dst, name = sys.argv[1:]
data = bytearray(open(src, "rb").read())
z = zipfile.ZipFile(src)
i = z.getinfo(name)
off = i.header_offset + 30 + len(i.filename.encode()) + len(i.extra)
data[off] ^= 0x01
open(dst, "wb").write(data)
PY
expect_exit 1 "a byte flipped in the last small file fails" "$CUSTOS" verify bad.zip
cd / && chmod -R u+w "$T" && rm -rf "$T"
tap_done
