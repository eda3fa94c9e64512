#!/bin/sh
# bench/acquire_android.sh - `custos acquire --adb-connect` against Debian's
# `adb pull` of the same /sdcard from the same simulated phone
# (tests/sim/adbd_sim.py) over loopback. The phone's /sdcard holds
# BENCH_SIZE_MB (default 1024) MB: one large file and BENCH_FILES (default
# 20000) small ones of 4 KiB in 200 directories. adb pull only copies; custos
# also runs its ~45 fact, package and provider commands, hashes every byte
# (SHA-256 + MD5) as it arrives and writes durably (group-committed
# inventory), so the baseline ends with `sync` too.
#
# Prints both wall times, the ratio adb/custos (goal >= 1.0), custos' files/s
# and peak RSS (/usr/bin/time -v; goal <= 64 MB). The large file's SHA-256 is
# checked against sha256sum of the source and the file count against adb's,
# so a fast wrong answer cannot pass. adb runs with its own HOME and server
# port and is killed at the end.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
SIZE=${BENCH_SIZE_MB:-1024}
FILES=${BENCH_FILES:-20000}
command -v adb >/dev/null || { echo "acquire_android: adb not installed (scripts/install-deps)"; exit 1; }
D=$(mktemp -d "$BENCHTMP/acqbench.XXXXXX")
SIM=
ADBPORT=$((20000 + $$ % 10000))
cleanup() {
	[ -n "$SIM" ] && kill "$SIM" 2>/dev/null
	HOME=$D/home ANDROID_ADB_SERVER_PORT=$ADBPORT timeout -k 5 20 adb kill-server >/dev/null 2>&1 || :
	chmod -R u+w "$D" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

# The phone: the fixture's commands and providers, a generated /sdcard.
P=$D/phone
mkdir -p "$P" "$D/home"
for f in "$SRCDIR"/tests/sim/phone/*; do
	case $(basename "$f") in sdcard | mtimes.json | symlinks.json) ;; *) cp -r "$f" "$P/" ;; esac
done
echo '{}' >"$P/mtimes.json"
echo '{}' >"$P/symlinks.json"
mkdir -p "$P/sdcard/DCIM"
small=$((FILES * 4096))
head -c $((SIZE * 1024 * 1024 - small)) /dev/urandom >"$P/sdcard/DCIM/VID_big.mp4"
d=0
while [ $d -lt 200 ]; do
	mkdir -p "$P/sdcard/tencent/MicroMsg/d$d"
	d=$((d + 1))
done
mkdir -p "$D/split"
head -c "$small" /dev/urandom | (cd "$D/split" && split -b 4096 -a 5 - f)
i=0
for f in "$D"/split/f*; do
	mv "$f" "$P/sdcard/tencent/MicroMsg/d$((i % 200))/"
	i=$((i + 1))
done
want_sha=$(sha256sum <"$P/sdcard/DCIM/VID_big.mp4" | cut -c1-64)
total=$(du -sb "$P/sdcard" | cut -f1)
nfiles=$(find "$P/sdcard" -type f | wc -l)

: >"$D/sim.out"
python3 "$SRCDIR/tests/sim/adbd_sim.py" --root "$P" --port 0 >"$D/sim.out" 2>"$D/sim.err" &
SIM=$!
i=0
while ! grep -q '^PORT ' "$D/sim.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ADDR=127.0.0.1:$(sed -n 's/^PORT //p' "$D/sim.out")

warm() { find "$P/sdcard" -type f -exec cat {} + >/dev/null; }
now() { date +%s.%N; }
adbq() { HOME=$D/home ANDROID_ADB_SERVER_PORT=$ADBPORT timeout -k 5 600 adb "$@"; }

# Baseline: adb pull (+ sync).
adbq connect "$ADDR" >/dev/null 2>&1
adbq -s "$ADDR" wait-for-device
warm
sync
t0=$(now)
adbq -s "$ADDR" pull /sdcard/ "$D/pull" >/dev/null 2>&1
sync
t1=$(now)
adb_t=$(echo "$t1 - $t0" | bc)
adb_files=$(find "$D/pull" -type f | wc -l)
rm -rf "$D/pull"
adbq kill-server >/dev/null 2>&1 || :

# custos acquire.
CUSTOS_EXAMINER=bench "$CUSTOS" case init "$D/case" --case-id BENCH >/dev/null 2>&1
warm
sync
t0=$(now)
CUSTOS_ADB_KEY=$D/adbkey CUSTOS_EXAMINER=bench /usr/bin/time -v -o "$D/time.txt" \
	"$CUSTOS" -q --case "$D/case" acquire --adb-connect "$ADDR" >/dev/null 2>"$D/acq.err" ||
	{ echo "acquire_android: custos acquire failed:"; tail -5 "$D/acq.err"; exit 1; }
t1=$(now)
cu_t=$(echo "$t1 - $t0" | bc)
rss=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}' "$D/time.txt")
cpu=$(awk -F: '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$D/time.txt")
cu_files=$(grep '"device_path":"/sdcard/' "$D/case/inventory/"*.jsonl | grep -c '"type":"file"')
got_sha=$(grep '"device_path":"/sdcard/DCIM/VID_big.mp4"' "$D/case/inventory/"*.jsonl |
	sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
[ "$got_sha" = "$want_sha" ] || { echo "acquire_android: VID_big.mp4 sha256 $got_sha, want $want_sha"; exit 1; }
[ "$cu_files" -eq "$nfiles" ] && [ "$adb_files" -eq "$nfiles" ] ||
	{ echo "acquire_android: files: custos $cu_files, adb $adb_files, phone $nfiles"; exit 1; }

echo "acquire_android: /sdcard of $total bytes, $nfiles files, from the simulator over loopback"
printf 'adb pull + sync:          %6.2f s\n' "$adb_t"
printf 'custos acquire:           %6.2f s  (all commands, SHA-256 + MD5, durable)\n' "$cu_t"
printf 'ratio adb/custos:         %6.2f   (goal >= 1.0)\n' "$(echo "$adb_t / $cu_t" | bc -l)"
printf 'custos CPU (user+sys):    %6.2f s\n' "$cpu"
printf 'custos files/s:           %6.0f\n' "$(echo "$nfiles / $cu_t" | bc -l)"
printf 'custos MB/s:              %6.1f\n' "$(echo "$total / 1048576 / $cu_t" | bc -l)"
echo "custos peak RSS:          $((rss / 1024)) MB (goal <= 64 MB)"
