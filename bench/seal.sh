#!/bin/sh
# bench/seal.sh - custos seal and custos verify over BENCH_SIZE_MB (default
# 2048) MiB of mixed evidence files, as ratios to `openssl dgst -md5` over
# the same bytes (goal <= 1.15 each), with peak RSS (goal <= 64 MB).
# Seal does not re-hash evidence (the inventory has the digests from
# import): its cost is the zip copy + CRC, with the outer SHA-256 of the
# package on a second thread. Verify reads every entry once (CRC), SHA-256
# and MD5 on their own threads, plus the outer SHA-256 of the package.
# On a loaded machine compare CPU seconds too: seal's should be about
# md5's, verify's about twice md5's (on two cores, about md5's wall time).
#   BUILDDIR=build sh bench/seal.sh      (or: make bench)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
MKCASE=$BUILDDIR/tests/unit/mkcase
MB=${BENCH_SIZE_MB:-2048}
W=${BENCHTMP:-${TMPDIR:-/tmp}}/seal-bench.$$
[ -x "$MKCASE" ] || make -C "$BUILDDIR" tests/unit/mkcase >/dev/null
mkdir -p "$W"
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT INT TERM

"$CUSTOS" -q case init "$W/case" --case-id T2026-SEAL-0001 --manifest "$here/../tests/e2e/seal-manifest.json" --examiner bench >/dev/null
"$MKCASE" "$W/case" A1 bulk "$MB"
files=$(find "$W/case/evidence" -type f | wc -l | tr -d ' ')

# elapsed seconds and peak RSS (KB) of a command, via GNU time.
measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; return 1; }
	cat "$W/time"
}
# Warm the page cache so every run reads from memory alike.
find "$W/case/evidence" -type f -exec cat {} + >/dev/null
set -- $(measure sh -c "find '$W/case/evidence' -type f -exec openssl dgst -md5 {} + ")
md5_s=$1 md5_cpu=$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')
set -- $(measure "$CUSTOS" -q --case "$W/case" seal -o "$W/out")
seal_s=$1 seal_kb=$2 seal_cpu=$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')
pkg=$(ls "$W"/out/*.custos.zip)
# Seal drops the package from the page cache as it writes it: warm it like
# the evidence above, so verify is compared with md5 on the same footing.
cat "$pkg" >/dev/null
set -- $(measure "$CUSTOS" -q verify "$pkg")
verify_s=$1 verify_kb=$2 verify_cpu=$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.2f", a / b }'; }
echo "seal/verify: $MB MiB in $files files"
echo "  (wall seconds, ratio to md5; CPU seconds user+sys; load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  openssl dgst -md5  ${md5_s}s  cpu ${md5_cpu}s"
echo "  custos seal        ${seal_s}s  ratio $(ratio "$seal_s" "$md5_s")  cpu ${seal_cpu}s  peak RSS $((seal_kb / 1024)) MB  (goal <= 1.15, <= 64 MB)"
echo "  custos verify      ${verify_s}s  ratio $(ratio "$verify_s" "$md5_s")  cpu ${verify_cpu}s  peak RSS $((verify_kb / 1024)) MB  (goal <= 1.15, <= 64 MB)"
