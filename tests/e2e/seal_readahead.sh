#!/bin/sh
# seal_readahead.sh - seal reads the evidence on a second thread while it
# writes the package. The package must not show it: entries in the sorted
# order of the inventory, every byte equal to the evidence (python3's
# zipfile, unzip -t, custos verify), the same bytes on a second seal of a
# copy; and a file that changed or vanished after import stops the seal
# with its name, leaving no package, whether it is small (read ahead) or
# large (streamed by the writer).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_readahead
tap_plan 16
GEN=$BUILDDIR/bench/phonegen
[ -x "$GEN" ] || bail "no $GEN (make check builds it)"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
"$GEN" -s 11 src 2500 >/dev/null 2>&1 || bail "phonegen failed"
# Large files between the small ones (streamed, not read ahead).
for d in DCIM/big sdcard/zz; do
	mkdir -p "src/$d"
	head -c 3000000 /dev/urandom >"src/$d/large.bin"
	head -c 1048576 /dev/urandom >"src/$d/exactly1m.bin"
	head -c 1048577 /dev/urandom >"src/$d/over1m.bin"
done
must "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json" >/dev/null
must "$CUSTOS" --case case import src --format dir --item A1 >/dev/null
must cp -a case case2
must cp -a case case3
run "seal" "$CUSTOS" --case case seal -o out
P=$(ls out/*.custos.zip)
run "custos verify" "$CUSTOS" verify "$P"
unzip -tq "$P" >/dev/null
ok $? "unzip -t: every entry's CRC-32"
python3 - "$P" case/inventory/A1.jsonl case <<'PY'
import json, os, sys, zipfile
pkg, inv, case = sys.argv[1:]
want = sorted((json.loads(l)["evidence_path"] for l in open(inv, encoding="utf-8")),
              key=lambda p: p.encode())
z = zipfile.ZipFile(pkg)
got = [i.filename for i in z.infolist() if i.filename.startswith("evidence/")]
assert got == want, "order differs"
for p in want:
    assert z.read(p) == open(os.path.join(case, p), "rb").read(), p
PY
ok $? "python3 zipfile: evidence entries in inventory order, each equal to its file"
run "seal of a copy of the case" "$CUSTOS" --case case2 seal -o out2
cmp -s "$P" out2/*.custos.zip
ok $? "the copy's package is byte-identical"

# A read failing on the reading thread (test hook: the 1200th file, a
# small one, then the 3rd large one): named, no package.
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"
f=$(python3 -c '
import json, sys
p = sorted((json.loads(l)["evidence_path"] for l in open(sys.argv[1], encoding="utf-8")), key=lambda p: p.encode())
print(p[1199])' case/inventory/A1.jsonl)
CUSTOS_TEST_SEAL_READ_FAIL=1200 "$CUSTOS" --case case3 seal -o out3 >/dev/null 2>"$T/err3"
st=$?
test "$st" -ne 0
ok $? "seal with a read failing on the reading thread fails (exit $st)"
like "$(cat "$T/err3")" "cannot read '$f': failure injected" "the 1200th file in package order is named"
set -- out3/*.custos.zip
test ! -e "$1"
ok $? "no package left behind"
n=$(python3 -c '
import json, sys
p = sorted((json.loads(l)["evidence_path"] for l in open(sys.argv[1], encoding="utf-8")), key=lambda p: p.encode())
print(p.index("evidence/A1/sdcard/zz/large.bin") + 1)' case/inventory/A1.jsonl)
CUSTOS_TEST_SEAL_READ_FAIL=$n "$CUSTOS" --case case3 seal -o out4 >/dev/null 2>"$T/err4"
test $? -ne 0
ok $? "the same for a large file (streamed by the writer)"
like "$(cat "$T/err4")" "sdcard/zz/large.bin': failure injected" "the large file is named"

# The writer failing (a 20 MB file-size limit: the package cannot grow)
# while the reader waits on a full queue: both stop, nothing is left.
(
	trap '' XFSZ
	ulimit -f 40000
	exec timeout -k 10 120 "$CUSTOS" --case case3 seal -o out5
) >/dev/null 2>"$T/err5"
st=$?
test "$st" -ne 0 && test "$st" -ne 124 && test "$st" -ne 137
ok $? "a package that cannot be written stops the seal, without hanging (exit $st)"
like "$(cat "$T/err5")" "File too large" "the write error is given"
# The writer failing while the reader waits on a full queue (test hook:
# the writer stops at the 100th file once 256 more are queued).
CUSTOS_TEST_SEAL_WRITE_FAIL=100 timeout -k 10 120 "$CUSTOS" --case case3 seal -o out6 >/dev/null 2>"$T/err6"
st=$?
test "$st" -ne 0 && test "$st" -ne 124 && test "$st" -ne 137
ok $? "a writer failing beside a full read-ahead queue stops both, without hanging (exit $st)"
like "$(cat "$T/err6")" "failure injected" "the write error is given"
set -- out6/*.custos.zip
test ! -e "$1"
ok $? "no package left behind"
tap_done
