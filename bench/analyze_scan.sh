#!/bin/sh
# bench/analyze_scan.sh - the analysis scanner (code words + validated
# identifiers) on synthetic chat messages, one core.
#
# bench/analyze_scan_bench scans BENCH_MESSAGES (default 1,000,000)
# deterministic messages (Chinese chat text with planted code words, phone
# numbers, BTC addresses, emoji, some Latin words and digits) with the
# shipped lexicon grown to BENCH_TERMS (default 2,000) terms. It prints
# messages per CPU second (what one core does; the wall clock also counts
# waiting for a shared core), MB per CPU second, the peak RSS and the hits
# per kind, and fails when it finds fewer identifiers or code words than it
# planted (so a fast wrong scanner cannot pass). Goal: >= 200,000
# messages/s on one core, peak RSS bounded (independent of the message
# count: the lexicon automaton and one message's scratch).
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
here=$(cd "$(dirname "$0")" && pwd)
MESSAGES=${BENCH_MESSAGES:-1000000}
TERMS=${BENCH_TERMS:-2000}
BIN=$BUILDDIR/bench/analyze_scan_bench
if [ ! -x "$BIN" ]; then
	make -s -C "$BUILDDIR" bench/analyze_scan_bench >/dev/null
fi
CUSTOS_DATADIR=${CUSTOS_DATADIR:-$here/../data}
export CUSTOS_DATADIR
D=$(mktemp -d "$BENCHTMP/scanbench.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM
"$BIN" "$MESSAGES" "$TERMS" "$D" >"$D/out"
cat "$D/out"
get() { sed -n "s/^$1 //p" "$D/out"; }
echo
echo "| messages | terms | messages/s (one core, CPU time) | MB/s (CPU) | messages/s (wall) | peak RSS |"
echo "|---|---|---|---|---|---|"
echo "| $(get messages) | $(get terms) | $(get messages_per_cpu_s) | $(get mb_per_cpu_s) | $(get messages_per_s_wall) | $(($(get peak_rss_kib) / 1024)) MiB |"
