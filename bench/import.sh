#!/bin/sh
# bench/import.sh - `custos import` of a phone-dump-like directory tree
# against what an examiner would do by hand: `cp -r` the tree, then
# `openssl dgst -sha256` and `openssl dgst -md5` over it (three reads of the
# data, custos reads it once). The tree is BENCH_SIZE_MB (default 2048) MB:
# 16 large files holding most bytes plus 2000 small ones (4 KiB, like app
# databases and prefs). Both sides start from a warm page cache and both end
# durable: custos fsyncs every evidence file, so the baseline ends with
# `sync` (without it the comparison would reward skipping durability).
#
# Prints wall times, the ratio custos/baseline (goal <= 0.6), the same ratio
# in CPU seconds (user+sys; on a loaded shared machine the wall clock mostly
# measures the neighbours) and custos' peak RSS from /usr/bin/time -v (goal
# <= 64 MB). Digests are checked against openssl, so a fast wrong answer
# cannot pass.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
SIZE=${BENCH_SIZE_MB:-2048}
D=$(mktemp -d "$BENCHTMP/importbench.XXXXXX")
trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM

S=$D/src
mkdir -p "$S/data/data/com.tencent.mm/databases" "$S/sdcard/DCIM" "$S/data/small"
big=$(((SIZE * 1024 * 1024 - 2000 * 4096) / 16))
i=0
while [ $i -lt 16 ]; do
	head -c "$big" /dev/urandom >"$S/sdcard/DCIM/VID_$i.mp4"
	i=$((i + 1))
done
head -c $((2000 * 4096)) /dev/urandom | split -b 4096 -a 4 - "$S/data/small/f"
cp "$S/sdcard/DCIM/VID_0.mp4" "$S/data/data/com.tencent.mm/databases/EnMicroMsg.db"
rm "$S/sdcard/DCIM/VID_0.mp4"
total=$(du -sb "$S" | cut -f1)
files=$(find "$S" -type f | wc -l)

warm() { find "$S" -type f -exec cat {} + >/dev/null; }
now() { date +%s.%N; }

# Baseline: cp -r + openssl sha256 + openssl md5 (+ sync).
warm
sync
t0=$(now)
/usr/bin/time -f '%U %S' -o "$D/base-cpu.txt" sh -c '
cp -r "$1" "$2/copy"
find "$1" -type f -exec openssl dgst -sha256 -r {} + >"$2/sha.txt"
find "$1" -type f -exec openssl dgst -md5 -r {} + >"$2/md5.txt"
sync' sh "$S" "$D"
t1=$(now)
base=$(echo "$t1 - $t0" | bc)
base_cpu=$(awk '{print $1 + $2}' "$D/base-cpu.txt")
rm -rf "$D/copy"

# custos import.
# A real case (init refuses an existing directory); custody entries need an
# examiner.
"$CUSTOS" -q case init "$D/case" --case-id BENCH --examiner bench >/dev/null 2>"$D/init.err" ||
	{ cat "$D/init.err" >&2 && exit 1; }
warm
sync
t0=$(now)
/usr/bin/time -v -o "$D/time.txt" "$CUSTOS" -q --case "$D/case" import "$S" --item BENCH
t1=$(now)
ours=$(echo "$t1 - $t0" | bc)
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time.txt")
ours_cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$D/time.txt")

# Check: custos' digests equal openssl's for every file.
python3 - "$D/case/inventory/BENCH.jsonl" "$D/sha.txt" "$D/md5.txt" "$S" <<'PY'
import json, sys
src = sys.argv[4]
def load(p):
    out = {}
    for l in open(p):
        h, path = l.rstrip("\n").split(" ", 1)
        out[path.lstrip("*")[len(src):]] = h
    return out
sha, md5 = load(sys.argv[2]), load(sys.argv[3])
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert sha[r["device_path"]] == r["sha256"] and md5[r["device_path"]] == r["md5"], r["device_path"]
    n += 1
assert n == len(sha), (n, len(sha))
PY

ratio=$(echo "scale=3; $ours / $base" | bc)
printf 'import.sh: %s files, %s MB\n' "$files" "$((total / 1024 / 1024))"
printf '  baseline cp -r + openssl sha256 + md5 + sync: %.2f s\n' "$base"
printf '  custos import (one pass, durable listing):   %.2f s\n' "$ours"
printf '  ratio custos/baseline: %s (goal <= 0.6)\n' "$ratio"
printf '  CPU seconds (user+sys): baseline %s, custos %s, ratio %s\n' "$base_cpu" "$ours_cpu" \
	"$(echo "scale=3; $ours_cpu / $base_cpu" | bc)"
printf '  load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  custos peak RSS: %s MB (goal <= 64)\n' "$((rss_kb / 1024))"
