#!/bin/sh
# seal_large.sh - a package larger than seal's 32 MiB writeback/page-drop
# window and its 1 MiB write flushes: the outer hash computed beside the
# writer must equal sha256sum's, unzip must accept the archive, verify must
# pass, and the same case state (a copy of the case directory) must still
# seal to byte-identical packages.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_large
tap_plan 10
MKCASE="$BUILDDIR/tests/unit/mkcase"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

run "case init" "$CUSTOS" -q case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "populate 80 MiB of evidence" "$MKCASE" case A1 bulk 80
must cp -a case case-copy
run "seal 1" "$CUSTOS" -q --case case seal -o d1
run "seal 2 (a copy of the case)" "$CUSTOS" -q --case case-copy seal -o d2
P1=$(ls d1/*.custos.zip)
P2=$(ls d2/*.custos.zip)
size=$(stat -c %s "$P1")
[ "$size" -gt $((64 * 1024 * 1024)) ]; ok $? "package is larger than 64 MiB ($size bytes)"
(cd d1 && sha256sum -c --quiet "$(basename "$P1").sha256" >/dev/null 2>&1)
ok $? "sidecar hash (computed while writing) matches sha256sum"
unzip -tqq "$P1" >/dev/null 2>&1
ok $? "unzip -t accepts the package"
cmp "$P1" "$P2" >/dev/null 2>&1
ok $? "the same case state gives byte-identical large packages"
expect_exit 0 "custos verify passes" "$CUSTOS" verify "$P1"
# A flipped byte deep inside the package (past the first 32 MiB window).
cp "$P1" bad.zip
printf 'X' | dd of=bad.zip bs=1 seek=$((48 * 1024 * 1024)) conv=notrunc 2>/dev/null
expect_exit 1 "a byte flipped at 48 MiB fails verify" "$CUSTOS" verify bad.zip
cd / && chmod -R u+w "$T" && rm -rf "$T"
tap_done
