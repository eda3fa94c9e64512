#!/bin/sh
# bench/phone_profile.sh - where one step's time goes, per file: runs
# custos import, seal or verify once under
#   perf stat -e task-clock,context-switches,page-faults
# and once more under strace -c -f (every thread; strace slows each system
# call, so its counts are the figure to read, its times only roughly), and
# prints each figure divided by the number of evidence files.
#
#   sh bench/phone_profile.sh import TREE CASE  import directory TREE into a
#                     new case CASE (item A1 of tests/e2e/seal-manifest.json)
#                     under perf; the strace run imports into a scratch case,
#                     removed after. CASE is kept for the two steps below.
#   sh bench/phone_profile.sh seal CASE         seal CASE twice (each seal adds
#                     its custody entry to CASE); the packages are removed.
#   sh bench/phone_profile.sh verify PKG        verify PKG twice.
#
# Inputs are warmed into the page cache first, as bench/phone.sh does. A
# tree to start from: bench/phonegen -j 2 /var/tmp/tree 100000. For call
# stacks, run the printed custos command under `perf record -g` yourself.
# BUILDDIR (.), CUSTOS ($BUILDDIR/src/custos), BENCHTMP (${TMPDIR:-/tmp}).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
MANIFEST=$here/../tests/e2e/seal-manifest.json
ITEM=A1

die() {
	echo "phone_profile.sh: $*" >&2
	exit 1
}
usage() {
	echo "usage: phone_profile.sh import TREE CASE | seal CASE | verify PKG" >&2
	exit 2
}
[ $# -ge 2 ] || usage
step=$1
[ -x "$CUSTOS" ] || die "no custos at '$CUSTOS' (build first, or set BUILDDIR)"
command -v perf >/dev/null || die "needs perf (linux-perf)"
command -v strace >/dev/null || die "needs strace"

mkdir -p "$BENCHTMP"
W=$(mktemp -d "$BENCHTMP/phoneprofile.XXXXXX")
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

warm() { find "$1" -type f -exec cat {} + >/dev/null; }
new_case() {
	"$CUSTOS" -q case init "$1" --case-id T2026-SEAL-0001 --manifest "$MANIFEST" \
		--examiner bench >/dev/null 2>"$W/err" || { cat "$W/err" >&2 && die "case init '$1' failed"; }
}
# run TOOL...: TOOL wraps the custos command in "$@" after the tool's own
# arguments; custos' output goes to $W/out and $W/err, a failure stops.
run() {
	if ! "$@" >"$W/out" 2>"$W/err"; then
		cat "$W/err" >&2
		die "failed: $*"
	fi
}

# under_perf CMD...: one run of CMD under perf stat, its elapsed seconds
# in $perf_s; under_strace CMD...: one run under strace -c -f.
under_perf() {
	t0=$(date +%s.%N)
	run perf stat -e task-clock,context-switches,page-faults -x, -o "$W/perf.csv" -- "$@"
	perf_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
under_strace() {
	run strace -f -c -U name,calls,time-total,time-percent,errors -o "$W/strace.txt" -- "$@"
}

case $step in
import)
	[ $# = 3 ] || usage
	tree=$2 case_dir=$3
	[ -d "$tree" ] || die "'$tree' is not a directory"
	[ ! -e "$case_dir" ] || die "'$case_dir' exists; import wants a new case"
	files=$(find "$tree" -type f | wc -l | tr -d ' ')
	new_case "$case_dir"
	new_case "$W/case"
	shown="$CUSTOS -q --case CASE import $tree --format dir --item $ITEM"
	warm "$tree"
	sync
	under_perf "$CUSTOS" -q --case "$case_dir" import "$tree" --format dir --item "$ITEM"
	warm "$tree"
	sync
	under_strace "$CUSTOS" -q --case "$W/case" import "$tree" --format dir --item "$ITEM"
	;;
seal)
	[ $# = 2 ] || usage
	case_dir=$2
	[ -d "$case_dir/evidence" ] || die "'$case_dir' is not a case with evidence"
	files=$(find "$case_dir/evidence" -type f | wc -l | tr -d ' ')
	shown="$CUSTOS -q --case $case_dir seal -o OUT"
	warm "$case_dir/evidence"
	under_perf "$CUSTOS" -q --case "$case_dir" seal -o "$W/perf-out"
	warm "$case_dir/evidence"
	under_strace "$CUSTOS" -q --case "$case_dir" seal -o "$W/strace-out"
	;;
verify)
	[ $# = 2 ] || usage
	pkg=$2
	[ -f "$pkg" ] || die "no package '$pkg'"
	files=$(zipinfo -1 "$pkg" | awk '/^evidence\// && !/\/$/ { n++ } END { print n + 0 }')
	shown="$CUSTOS -q verify $pkg"
	cat "$pkg" >/dev/null
	under_perf "$CUSTOS" -q verify "$pkg"
	cat "$pkg" >/dev/null
	under_strace "$CUSTOS" -q verify "$pkg"
	;;
*) usage ;;
esac
[ "$files" -gt 0 ] || die "no evidence files counted to divide by"

echo "phone_profile.sh: $step, $files evidence files ($shown)"
echo "perf stat, one run of $perf_s s (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
awk -F, -v n="$files" -v s="$perf_s" '
/^#/ || NF < 3 { next }
$3 == "task-clock" {
	printf "  %-17s %12.0f ms   %9.1f us per file   (%.2f CPUs)\n", $3, $1, $1 * 1000 / n, (s > 0 ? $1 / 1000 / s : 0)
	next
}
{ printf "  %-17s %12.0f      %9.2f per file\n", $3, $1, $1 / n }' "$W/perf.csv"
echo "strace -c -f, a second run (counts exact, times inflated by strace):"
printf '  %-16s %10s %9s %12s %7s %9s\n' syscall calls 'per file' seconds '% time' errors
# Columns as asked for by -U above; errors is empty when there were none.
strace_rows() {
	awk -v n="$files" -v want="$1" '
	NR <= 2 || /^-/ || ($1 == "total") != (want == "total") { next }
	{ printf "  %-16s %10d %9.2f %12.6f %7.2f %9d\n", $1, $2, $2 / n, $3, $4, (NF >= 5 ? $5 : 0) }' \
		"$W/strace.txt"
}
strace_rows calls | sort -k2,2nr
strace_rows total
