#!/bin/sh
# bench/phone_million.sh - the manual 1,000,000-file run: one phone-shaped
# tree (bench/phonegen) imported, sealed and verified, each step timed with
# its peak RSS, beside the same baselines as bench/phone.sh, and every
# result checked: the inventory's SHA-256 and MD5 of every file against
# openssl's over the baseline's copies, the package with custos verify and
# with unzip -t.
#
# Unlike bench/phone.sh it keeps at most two copies of the data on disk at
# once (tree + baseline copy, then tree + case, then case + package: about
# 32 GB at 1,000,000 files) and leaves out the floors, which need more.
# Not part of `make bench` (it takes tens of minutes).
#
#   BUILDDIR=. BENCHTMP=/mnt/b sh bench/phone_million.sh
#
# BENCH_FILES (1000000), BENCH_SEED (1), BENCHTMP (${TMPDIR:-/tmp}),
# BUILDDIR (.), CUSTOS ($BUILDDIR/src/custos), BENCH_KEEP (0).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
PHONEGEN=${PHONEGEN:-$BUILDDIR/bench/phonegen}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
FILES=${BENCH_FILES:-1000000}
SEED=${BENCH_SEED:-1}
MANIFEST=$here/../tests/e2e/seal-manifest.json
ITEM=A1

die() {
	echo "phone_million.sh: $*" >&2
	exit 1
}
case $FILES in '' | *[!0-9]*) die "BENCH_FILES must be a whole number, not '$FILES'" ;; esac
[ -x "$CUSTOS" ] || die "no custos at '$CUSTOS' (build first, or set BUILDDIR)"
[ -x "$PHONEGEN" ] || die "no bench/phonegen at '$PHONEGEN' (make bench/phonegen)"
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time"
command -v openssl >/dev/null || die "needs openssl"
command -v unzip >/dev/null || die "needs unzip"
command -v python3 >/dev/null || die "needs python3 (to check digests)"

need_kb=$((FILES * 17 * 2 + 4 * 1024 * 1024))
mkdir -p "$BENCHTMP"
avail_kb=$(df -Pk "$BENCHTMP" | awk 'NR == 2 { print $4 }')
[ "$avail_kb" -gt "$need_kb" ] ||
	die "$FILES files need about $((need_kb / 1024)) MB free in $BENCHTMP; $((avail_kb / 1024)) MB are"
W=$(mktemp -d "$BENCHTMP/million.XXXXXX")
cleanup() {
	[ "${BENCH_KEEP:-0}" = 1 ] && return 0
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# step LABEL CMD...: runs CMD under GNU time and prints one line: wall s,
# CPU s (user+sys), peak RSS MB, the load average after it.
step() {
	label=$1
	shift
	if ! /usr/bin/time -f '%e %M %U %S' -o "$W/time" "$@" >"$W/out" 2>"$W/err"; then
		cat "$W/err" >&2
		die "$label failed: $*"
	fi
	set -- $(tail -n 1 "$W/time")
	m_s=$1
	printf '%-34s %9.2f s wall %9.2f CPU s %6d MB  (%s, load %s)\n' "$label" "$1" \
		"$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')" "$(($2 / 1024))" \
		"$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
warm() { find "$1" -type f -exec cat {} + >/dev/null; }

echo "phone_million.sh: $FILES files, seed $SEED, in $W, custos $("$CUSTOS" --version 2>/dev/null | head -n 1)"
T=$W/tree C=$W/case O=$W/package
step "phonegen" "$PHONEGEN" -s "$SEED" -j 2 "$T" "$FILES"
cat "$W/out"

warm "$T"
sync
step "baseline cp -r + sha256 + md5 + sync" sh -c '
cp -r "$1" "$2/copy"
find "$2/copy" -type f -exec openssl dgst -sha256 -r {} + >"$2/sha.txt"
find "$2/copy" -type f -exec openssl dgst -md5 -r {} + >"$2/md5.txt"
sync' sh "$T" "$W"
chmod -R u+w "$W/copy"
rm -rf "$W/copy"
sync
sleep "${BENCH_SETTLE:-61}" # ext4 skips inodes freed in the last minute

CUSTOS_EXAMINER=bench "$CUSTOS" -q case init "$C" --case-id T2026-SEAL-0001 \
	--manifest "$MANIFEST" --examiner bench >/dev/null 2>"$W/err" ||
	{ cat "$W/err" >&2 && die "case init failed"; }
warm "$T"
sync
step "custos import" "$CUSTOS" -q --case "$C" import "$T" --format dir --item "$ITEM"
python3 "$here/phone_digests.py" "$C/inventory/$ITEM.jsonl" "$W/sha.txt" "$W/md5.txt" "$W/copy" ||
	die "custos import's inventory does not match openssl's digests"
rm -rf "$T" "$W/sha.txt" "$W/md5.txt"

warm "$C/evidence"
step "baseline openssl dgst -md5 (warm)" sh -c \
	'find "$1" -type f -exec openssl dgst -md5 {} + >/dev/null' sh "$C/evidence"
sync
step "custos seal" "$CUSTOS" -q --case "$C" seal -o "$O"
set -- "$O"/*.custos.zip
[ $# = 1 ] && [ -f "$1" ] || die "custos seal left no single package in $O"
pkg=$1
echo "package: $(stat -c %s "$pkg") bytes, $(unzip -Z1 "$pkg" | wc -l) entries"
warm "$O"
step "custos verify" "$CUSTOS" -q verify "$pkg"
step "unzip -tq" unzip -tq "$pkg"
cat "$W/out"
echo "done: imported, sealed and verified $FILES files"
