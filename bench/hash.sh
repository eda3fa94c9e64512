#!/bin/sh
# bench/hash.sh - custos one-pass SHA-256+MD5 hashing against openssl dgst.
#
# Compares, on one temporary file of BENCH_SIZE_MB (default 512) MB read
# from the page cache:
#   openssl dgst -sha256 / -md5     each digest alone (the lower bounds)
#   openssl sha256 then md5         two passes, what a naive tool does
#   custos serial                   both digests in one pass, one thread
#   custos threaded                 SHA-256 and MD5 on two threads
#   custos copy                     cu_copy_hash_fd: read -> hash -> write,
#                                   fsync included (so disk-bound)
# Goal: threaded ~= max(sha256, md5), not their sum. Uses hyperfine when
# present, else the shell's clock (best of 3). Digests are checked against
# openssl first, so a fast wrong answer cannot pass.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
SIZE=${BENCH_SIZE_MB:-512}
BIN=$BUILDDIR/bench/hash_bench
if [ ! -x "$BIN" ]; then
	make -s -C "$BUILDDIR" bench/hash_bench >/dev/null
fi
D=$(mktemp -d "$BENCHTMP/hashbench.XXXXXX")
trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM
F=$D/input
head -c $((SIZE * 1024 * 1024)) /dev/urandom >"$F"
cat "$F" >/dev/null # warm the page cache: measure hashing, not the disk

want="$(openssl dgst -sha256 -r "$F" | cut -d' ' -f1) $(openssl dgst -md5 -r "$F" | cut -d' ' -f1)"
for mode in serial threaded; do
	got=$("$BIN" $mode "$F" | cut -d' ' -f1,2)
	if [ "$got" != "$want" ]; then
		echo "hash.sh: $mode digests differ from openssl: $got vs $want" >&2
		exit 1
	fi
done
rm -f "$D/copy"
got=$("$BIN" copy "$F" "$D/copy" | cut -d' ' -f1,2)
cmp -s "$F" "$D/copy" || { echo "hash.sh: copy differs" >&2; exit 1; }
[ "$got" = "$want" ] || { echo "hash.sh: copy digests differ" >&2; exit 1; }

now() { date +%s.%N; }
best_of_3() {
	best=
	for i in 1 2 3; do
		t0=$(now)
		sh -c "$1" >/dev/null
		t1=$(now)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
	done
	echo "$best"
}

echo "input: $SIZE MB (page cache), $(nproc) cores"
set -- \
	"openssl-sha256" "openssl dgst -sha256 '$F'" \
	"openssl-md5" "openssl dgst -md5 '$F'" \
	"openssl-both-2-passes" "openssl dgst -sha256 '$F'; openssl dgst -md5 '$F'" \
	"custos-serial" "'$BIN' serial '$F'" \
	"custos-threaded" "'$BIN' threaded '$F'" \
	"custos-copy" "rm -f '$D/copy'; '$BIN' copy '$F' '$D/copy'"
if command -v hyperfine >/dev/null 2>&1; then
	args=
	while [ $# -gt 0 ]; do
		args="$args -n $1 \"$2\""
		shift 2
	done
	eval hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" $args
else
	base=
	while [ $# -gt 0 ]; do
		t=$(best_of_3 "$2")
		[ -n "$base" ] || base=$t
		printf '%-24s %7.3f s  %7.1f MB/s  x%.2f of openssl-sha256\n' "$1" "$t" \
			"$(echo "$SIZE / $t" | bc -l)" "$(echo "$t / $base" | bc -l)"
		shift 2
	done
fi
