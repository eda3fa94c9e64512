#!/bin/sh
# verify_sh_stream.sh - the verify.sh sealed in a package checks every
# file's SHA-256 and MD5 by streaming each entry (unzip -p ... | sha256sum,
# md5sum through a fifo), never extracting the package: an unzip shim on
# PATH records every call; a package with a changed file still fails.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup verify_sh_stream
tap_plan 9
MKCASE="$BUILDDIR/tests/unit/mkcase"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

run "case init" "$CUSTOS" -q case init case --case-id T2026-SEAL-0001 --manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "a case with evidence (mkcase)" "$MKCASE" case A1
run "seal" "$CUSTOS" -q --case case seal -o d
P=$(ls d/*.custos.zip)
unzip -p "$P" verify.sh >verify.sh
N=$(unzip -Z1 "$P" | wc -l)
real=$(command -v unzip)
mkdir bin
cat >bin/unzip <<SH
#!/bin/sh
printf '%s\n' "\$*" >>"$T/unzip.log"
exec "$real" "\$@"
SH
chmod +x bin/unzip
PATH=$T/bin:$PATH sh verify.sh "$P" >out.txt 2>err.txt
ok $? "verify.sh passes"
nfiles=$(unzip -p "$P" manifest.json | grep -c '^      "path": ')
grep -q "^ok   sha256: $nfiles files match manifest.json" out.txt && grep -q "^ok   md5: $nfiles files match manifest.json" out.txt
ok $? "sha256 and md5 of the $nfiles listed files checked"
# Every extraction names its entries; the listed files are read with -p.
grep -E -- '\.zip +-d ' "$T/unzip.log" >"$T/full"
nok $? "no unzip call extracts the whole package ($(wc -l <"$T/unzip.log") calls)"
np=$(grep -c '^-p ' "$T/unzip.log")
[ "$np" -ge "$nfiles" ]
ok $? "each listed file streamed with unzip -p ($np calls for $nfiles files)"
# A changed byte in one file's data (same length, CRC left stale): the
# digest check names it.
f=$(unzip -p "$P" manifest.json | sed -n 's/^      "path": "\(evidence\/[^"]*\)",$/\1/p' | head -1)
python3 - "$P" "$f" bad.zip <<'PY'
import sys, zipfile, struct
src, name, dst = sys.argv[1:]
data = bytearray(open(src, "rb").read())
z = zipfile.ZipFile(src)
i = z.getinfo(name)
off = i.header_offset
n, m = struct.unpack("<HH", data[off + 26:off + 30])
start = off + 30 + n + m
assert i.compress_type == 0 and i.file_size > 0, "stored entry expected"
data[start] ^= 0x01
open(dst, "wb").write(data)
PY
ok $? "package with one changed byte in $f"
sh verify.sh bad.zip >bad.txt 2>&1
grep -q "^FAIL sha256: $f: FAILED" bad.txt && grep -q "^FAIL md5: $f: FAILED" bad.txt
ok $? "verify.sh names the changed file"
tap_done
