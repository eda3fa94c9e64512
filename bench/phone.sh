#!/bin/sh
# bench/phone.sh - import, seal and verify of a phone-shaped tree of many
# small files, each side by side with standard tools over the same bytes,
# at 1/4, 1/2 and 1x BENCH_FILES to show whether the cost is linear.
#
# The tree comes from bench/phonegen (1-64 KiB files, log-uniform, about
# 15.5 KiB each on average; WeChat image2/voice2 fan-out, camera folders,
# WhatsApp media, shared_prefs, app caches, Chinese names), the same bytes
# for the same BENCH_FILES and BENCH_SEED. For each scale:
#   import  custos import TREE --format dir, into a fresh case, against
#           cp -r + openssl dgst -sha256 + openssl dgst -md5 over the copies
#           (find -exec ... +, no process per file) + sync. Both sides start
#           from a warm page cache after a sync and end durable, as in
#           bench/import.sh (goal <= 0.6). Every digest of custos' inventory
#           is checked against openssl's, so a fast wrong answer fails.
#   seal    custos seal -o OUT against openssl dgst -md5 over the case's
#           evidence files, both from a warm page cache (goal <= 1.2).
#   verify  custos verify PKG, the package warmed, against the same md5
#           figure (goal <= 1.2).
# Where the disk is the floor, each writing step is also set against the
# file system's own cost for the same bytes (the "floor" rows):
#   import  cp -r TREE + sync, no digest at all: one writer creating the
#           same files and making them durable. Taken just before and just
#           after custos import and averaged.
#   seal    tar -cf over the case's evidence + sync: every evidence byte
#           read and written once into one durable file, nothing computed.
# Nothing is deleted while a scale is measured, and after a scale's data is
# deleted the run waits BENCH_SETTLE seconds (61) before the next: ext4 does
# not hand out an inode deleted in the last 60 s, so creating files right
# after deleting a large tree scans past all of them and costs 2-6 times
# more (seen here: the same cp -r of 50,000 files took 22.1 s just after an
# rm -rf and 3.4 s with none before it). BENCH_FLOOR=0 leaves the floor rows
# out (the 1,000,000-file run: they need three more copies of the tree).
# Each line gives wall seconds, the baseline's, their ratio, CPU seconds
# (user+sys, custos / baseline: the steadier figure on a shared machine),
# custos' peak RSS from GNU time (goal <= 64 MB whatever the file count) and
# files per second. The last line gives seconds per 1000 files at each scale
# and the largest over the smallest of them: about 1 means linear cost (the
# line before it gives the same in CPU seconds, steadier under load).
#
# Not a pass/fail test, but every step must succeed: a failing command
# stops the run with its stderr and a non-zero exit.
#
#   BUILDDIR=. sh bench/phone.sh                 100,000 files, ~1.5 GB
#   BENCH_FILES=20000 BENCH_SCALES=1 sh bench/phone.sh      a quick look
#   BENCH_PHONE=1 make bench                     with the other benches
#
# The 1,000,000-file manual run (about 15 GB of files; each scale's data is
# removed before the next, but the largest needs about 36 GB free under
# BENCHTMP, checked before each scale). At the pace of a 20,000-file run on
# the project's 2-core VM (about 1.4 s per 1000 files for all steps and
# baselines) the 1x scale takes ~25 minutes and all three ~45, if the cost
# is linear; peak RSS that grows per file decides whether it fits at all:
#   BUILDDIR=. BENCH_FILES=1000000 BENCHTMP=/var/tmp sh bench/phone.sh
# Measure on a journaled file system (see bench/RESULTS.md: ext4 without a
# journal skips recently deleted inodes). A loop image does, if its loop
# device bypasses the host's page cache; otherwise every block is cached
# twice and written back through the host file system, and the loop device
# becomes the floor (a 1.5 GB dd with fsync: 7.1 s against 1.2 s):
#   truncate -s 40G img; mkfs.ext4 -q -F img; mount -o loop img /mnt/b
#   losetup --direct-io=on "$(findmnt -no SOURCE /mnt/b)"
#   BENCHTMP=/mnt/b BUILDDIR=. sh bench/phone.sh
# To profile one step per file, keep a scale's data (BENCH_KEEP=1 leaves the
# last scale's case and package in place and prints where) and run
# bench/phone_profile.sh on them.
#
# BENCH_FILES (100000), BENCH_SCALES ("0.25 0.5 1"), BENCH_SEED (1),
# BENCHTMP (${TMPDIR:-/tmp}), BUILDDIR (.), CUSTOS ($BUILDDIR/src/custos).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
PHONEGEN=$BUILDDIR/bench/phonegen
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
FILES=${BENCH_FILES:-100000}
SCALES=${BENCH_SCALES:-0.25 0.5 1}
SEED=${BENCH_SEED:-1}
KEEP=${BENCH_KEEP:-0}
MANIFEST=$here/../tests/e2e/seal-manifest.json
ITEM=A1

die() {
	echo "phone.sh: $*" >&2
	exit 1
}
case $FILES in '' | *[!0-9]*) die "BENCH_FILES must be a whole number, not '$FILES'" ;; esac
[ -x "$CUSTOS" ] || die "no custos at '$CUSTOS' (build first, or set BUILDDIR)"
[ -x "$PHONEGEN" ] || make -s -C "$BUILDDIR" bench/phonegen >/dev/null ||
	die "cannot build bench/phonegen in '$BUILDDIR'"
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time"
command -v openssl >/dev/null || die "needs openssl"
command -v python3 >/dev/null || die "needs python3 (to check digests)"

mkdir -p "$BENCHTMP"
W=$(mktemp -d "$BENCHTMP/phonebench.XXXXXX")
cleanup() {
	[ "$KEEP" = 1 ] && return 0
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# measure LABEL CMD...: runs CMD under GNU time; sets m_s (wall), m_cpu
# (user+sys) and m_kb (peak RSS). A failure prints CMD's stderr and stops.
measure() {
	label=$1
	shift
	if ! /usr/bin/time -f '%e %M %U %S' -o "$W/time" "$@" >"$W/out" 2>"$W/err"; then
		cat "$W/err" >&2
		die "$label failed: $*"
	fi
	set -- $(tail -n 1 "$W/time")
	m_s=$1 m_kb=$2 m_cpu=$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')
}
warm() { find "$1" -type f -exec cat {} + >/dev/null; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b <= 0) b = 0.001; printf f, a / b }'; }
per1k() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.3f", s * 1000 / n }'; }
row() { # step custos_s base_s custos_cpu base_cpu kb files goal
	printf '  %-7s %8.2f %9.2f %6s  %7.2f / %-7.2f %7d %9.0f   %s\n' "$1" "$2" "$3" \
		"$(div "$2" "$3")" "$4" "$5" "$(($6 / 1024))" "$(div "$7" "$2" %.0f)" "$8"
}

per1k_import='' per1k_seal='' per1k_verify='' scales_done=''
cpu1k_import='' cpu1k_seal='' cpu1k_verify=''
echo "phone.sh: BENCH_FILES=$FILES at scales $SCALES, seed $SEED, in $W"
echo "  (load average at the start: $(cut -d' ' -f1-3 /proc/loadavg))"
for scale in $SCALES; do
	n=$(awk -v f="$FILES" -v s="$scale" 'BEGIN { printf "%d", f * s + 0.5 }')
	[ "$n" -gt 0 ] || die "scale '$scale' of $FILES files is no files"
	# Tree, baseline copy, two floor copies, case and package at once:
	# ~16-20 KiB a file on disk each, plus slack.
	need_kb=$((n * 20 * 7))
	avail_kb=$(df -Pk "$W" | awk 'NR == 2 { print $4 }')
	[ "$avail_kb" -gt "$need_kb" ] ||
		die "$n files need about $((need_kb / 1024)) MB free in $W; $((avail_kb / 1024)) MB are"

	T=$W/tree C=$W/case O=$W/package
	measure "phonegen" "$PHONEGEN" -s "$SEED" -j 2 "$T" "$n"
	gen_s=$m_s
	set -- $(cat "$W/out")
	[ "$1 $3 $5" = "files bytes dirs" ] && [ "$2" = "$n" ] || die "phonegen said: $*"
	bytes=$4 dirs=$6

	# import, baseline: cp -r, both digests over the copies, sync.
	warm "$T"
	sync
	measure "baseline cp + openssl + sync" sh -c '
cp -r "$1" "$2/copy"
find "$2/copy" -type f -exec openssl dgst -sha256 -r {} + >"$2/sha.txt"
find "$2/copy" -type f -exec openssl dgst -md5 -r {} + >"$2/md5.txt"
sync' sh "$T" "$W"
	base_s=$m_s base_cpu=$m_cpu

	# import floor (before): the same tree copied with no digest, durable.
	floor_cp() {
		m_s=0 m_cpu=0
		[ "${BENCH_FLOOR:-1}" = 1 ] || return 0
		warm "$T"
		sync
		measure "floor cp + sync" sh -c 'cp -r "$1" "$2" && sync' sh "$T" "$W/$1"
	}
	floor_cp floor1
	floor1_s=$m_s floor1_cpu=$m_cpu

	# import, custos, into a fresh case.
	CUSTOS_EXAMINER=bench "$CUSTOS" -q case init "$C" --case-id T2026-SEAL-0001 \
		--manifest "$MANIFEST" --examiner bench >/dev/null 2>"$W/err" ||
		{ cat "$W/err" >&2 && die "case init failed"; }
	warm "$T"
	sync
	measure "custos import" "$CUSTOS" -q --case "$C" import "$T" --format dir --item "$ITEM"
	import_s=$m_s import_cpu=$m_cpu import_kb=$m_kb
	python3 "$here/phone_digests.py" "$C/inventory/$ITEM.jsonl" "$W/sha.txt" "$W/md5.txt" "$W/copy" >/dev/null ||
		die "custos import's inventory does not match openssl's digests"
	floor_cp floor2
	ifloor_s=$(awk -v a="$floor1_s" -v b="$m_s" 'BEGIN { printf "%.2f", (a + b) / 2 }')
	ifloor_cpu=$(awk -v a="$floor1_cpu" -v b="$m_cpu" 'BEGIN { printf "%.2f", (a + b) / 2 }')
	ifloor_range="$floor1_s and $m_s s"

	# seal: md5 over the evidence against custos seal, both warm.
	warm "$C/evidence"
	measure "baseline openssl md5" sh -c 'find "$1" -type f -exec openssl dgst -md5 {} + >/dev/null' \
		sh "$C/evidence"
	md5_s=$m_s md5_cpu=$m_cpu
	measure "custos seal" "$CUSTOS" -q --case "$C" seal -o "$O"
	seal_s=$m_s seal_cpu=$m_cpu seal_kb=$m_kb
	set -- "$O"/*.custos.zip
	[ $# = 1 ] && [ -f "$1" ] || die "custos seal left no single package in $O"
	pkg=$1

	# seal floor: every evidence byte read and written once, durable.
	sfloor_s=0 sfloor_cpu=0
	if [ "${BENCH_FLOOR:-1}" = 1 ]; then
		warm "$C/evidence"
		sync
		measure "floor tar + sync" sh -c 'tar -cf "$2/floor.tar" -C "$1" evidence && sync' \
			sh "$C" "$W"
		sfloor_s=$m_s sfloor_cpu=$m_cpu
	fi

	# verify: the package warmed like the evidence (seal drops it behind).
	warm "$O"
	measure "custos verify" "$CUSTOS" -q verify "$pkg"
	verify_s=$m_s verify_cpu=$m_cpu verify_kb=$m_kb

	echo
	printf 'scale %s: %d files, %d MB, %d dirs (generated in %s s)\n' "$scale" "$n" \
		"$((bytes / 1024 / 1024))" "$dirs" "$gen_s"
	printf '  %-7s %8s %9s %6s  %-17s %7s %9s   %s\n' step custos baseline ratio \
		'CPU s custos/base' 'RSS MB' 'files/s' 'baseline (goal)'
	row import "$import_s" "$base_s" "$import_cpu" "$base_cpu" "$import_kb" "$n" \
		'cp -r + sha256 + md5 + sync (<= 0.6, <= 64 MB)'
	row seal "$seal_s" "$md5_s" "$seal_cpu" "$md5_cpu" "$seal_kb" "$n" \
		'openssl dgst -md5 over the evidence (<= 1.2, <= 64 MB)'
	row verify "$verify_s" "$md5_s" "$verify_cpu" "$md5_cpu" "$verify_kb" "$n" \
		'the same md5 (<= 1.2, <= 64 MB)'
	if [ "${BENCH_FLOOR:-1}" = 1 ]; then
		row 'import/' "$import_s" "$ifloor_s" "$import_cpu" "$ifloor_cpu" "$import_kb" "$n" \
			"floor: cp -r + sync, no digest (mean of $ifloor_range)"
		row 'seal/' "$seal_s" "$sfloor_s" "$seal_cpu" "$sfloor_cpu" "$seal_kb" "$n" \
			'floor: tar -cf of the evidence + sync'
	fi
	echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"

	per1k_import="$per1k_import $(per1k "$import_s" "$n")"
	per1k_seal="$per1k_seal $(per1k "$seal_s" "$n")"
	per1k_verify="$per1k_verify $(per1k "$verify_s" "$n")"
	cpu1k_import="$cpu1k_import $(per1k "$import_cpu" "$n")"
	cpu1k_seal="$cpu1k_seal $(per1k "$seal_cpu" "$n")"
	cpu1k_verify="$cpu1k_verify $(per1k "$verify_cpu" "$n")"
	scales_done="$scales_done $scale"
	if [ "$KEEP" = 1 ] && [ "$scale" = "${SCALES##* }" ]; then
		echo "  kept: case $C, package $pkg (rm -rf $W when done)"
	else
		chmod -R u+w "$C" "$O"
		rm -rf "$C" "$O"
	fi
	rm -rf "$T" "$W/copy" "$W/floor1" "$W/floor2" "$W/floor.tar" "$W/sha.txt" "$W/md5.txt"
	if [ "$scale" != "${SCALES##* }" ]; then
		sync
		sleep "${BENCH_SETTLE:-61}"
	fi
done

# The spread of seconds per 1000 files: max/min near 1 is linear cost.
spread() { echo "$1" | awk '{ lo = hi = $1; for (i = 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i }
	printf "%.2f", (lo > 0 ? hi / lo : 0) }'; }
echo
echo "linear? CPU s/1000 files at scales$scales_done: import$cpu1k_import ($(spread "$cpu1k_import"));" \
	"seal$cpu1k_seal ($(spread "$cpu1k_seal")); verify$cpu1k_verify ($(spread "$cpu1k_verify"))"
echo "linear? s/1000 files at scales$scales_done: import$per1k_import (max/min $(spread "$per1k_import"));" \
	"seal$per1k_seal ($(spread "$per1k_seal")); verify$per1k_verify ($(spread "$per1k_verify"))"
