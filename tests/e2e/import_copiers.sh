#!/bin/sh
# import_copiers.sh - a directory import copies its files on copier threads
# (CUSTOS_IMPORT_COPIERS, 2 by default) while the walk goes on. The record
# must not show it: the same tree imported inline (0 copiers), with 2 and
# with 8 gives byte-identical inventories, the same warnings, skips and
# exit status; every listed file has the SHA-256 sha256sum computes; a
# SIGKILL with copies in flight leaves a case that --resume completes to
# the inventory an inline kill and resume gives; a write failure in the
# middle (a file-size limit, as a full disk would) stops both the same way
# and leaves no unlisted copy behind.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup import_copiers
tap_plan 25
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"
GEN=$BUILDDIR/bench/phonegen
[ -x "$GEN" ] || bail "no $GEN (make check builds it)"

S=$T/src
"$GEN" -s 7 "$S" 1500 >/dev/null 2>&1 || bail "phonegen failed"
mkfifo "$S/fifo" || bail "mkfifo failed"
ln -s /nowhere "$S/dangling" || bail "ln failed"
python3 - "$S" <<'PY' || bail "could not add the odd names"
import os, sys
d = os.path.join(sys.argv[1].encode(), b"odd")
os.makedirs(d)
# Escaped to %FF... this name is longer than a file system can hold.
open(os.path.join(d, b"\xff" * 120), "wb").write(b"not storable\n")
open(os.path.join(d, b"after.txt"), "wb").write(b"after the refused name\n")
PY
# Refused on the walk's thread right after the last file of odd/ (the name
# too long), refused on a copier's:
# the two warnings must keep this order.
mkdir "$S/oddz" && mkfifo "$S/oddz/fifo" || bail "mkfifo failed"

# imp NAME COPIERS [env...]: imports $S into case $T/NAME, status in
# $T/NAME.st; COPIERS "unset" leaves CUSTOS_IMPORT_COPIERS out.
imp() {
	name=$1 k=$2
	shift 2
	mkcase "$T/$name"
	if [ "$k" = unset ]; then set -- env -u CUSTOS_IMPORT_COPIERS "$@"; else set -- env CUSTOS_IMPORT_COPIERS="$k" "$@"; fi
	"$@" "$CUSTOS" --case "$T/$name" import "$S" --format dir \
		--item A1 >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.st"
}
details() { # the IMPORT entry's details without the times and the manifest's hash
	grep '"event":"IMPORT"' "$1/custody/log.jsonl" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())["body"]["details"]
for k in ("start", "end", "manifest_sha256"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True))'
}

imp c0 0
imp c2 2
imp c8 8
is "$(cat "$T/c0.st")" 5 "inline import: partial (two FIFOs and a name too long refused)"
is "$(cat "$T/c2.st") $(cat "$T/c8.st")" "5 5" "2 and 8 copiers: the same status"
cmp -s "$T/c0/inventory/A1.jsonl" "$T/c2/inventory/A1.jsonl"
ok $? "2 copiers: inventory byte-identical to the inline import"
cmp -s "$T/c0/inventory/A1.jsonl" "$T/c8/inventory/A1.jsonl"
ok $? "8 copiers: inventory byte-identical to the inline import"
same "$(details "$T/c2")" "$(details "$T/c0")" "2 copiers: IMPORT details (warnings, skips, counts, root) the same"
same "$(details "$T/c8")" "$(details "$T/c0")" "8 copiers: IMPORT details the same"
cmp -s "$T/c0.err" "$T/c2.err"
ok $? "2 copiers: the same messages in the same order"
like "$(cat "$T/c2.err")" "not imported: .*too long" "the refused name is named"
is "$(grep -c '"type":"file"' "$T/c2/inventory/A1.jsonl")" 1501 "1501 files listed (1500 + after.txt)"

# Independent digests: sha256sum of every source file against the listing.
(cd "$S" && find . -type f -exec sha256sum {} + | sed 's| \./| /|') >"$T/sums"
python3 - "$T/c2/inventory/A1.jsonl" "$T/sums" <<'PY'
import json, sys
inv = {}
for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    r = json.loads(l)
    if r["type"] == "file":
        inv[r["device_path"]] = r["sha256"]
n = 0
for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape"):
    h, p = l.rstrip("\n").split(" ", 1)
    p = p.lstrip(" *")
    if p.startswith("/odd/\udcff"):
        continue
    assert inv.get(p) == h, p
    n += 1
assert n == len(inv) == 1501, (n, len(inv))
PY
ok $? "every listed file's SHA-256 equals sha256sum's of its source"
n_ev=$(find "$T/c2/evidence/A1" -type f | wc -l)
is "$n_ev" 1501 "the evidence folder holds exactly the listed files"
is "$(stat -c %a "$T/c2/evidence/A1/odd/after.txt")" 444 "copies are read-only"
same "$(stat -c %Y "$T/c2/evidence/A1/odd/after.txt")" "$(stat -c %Y "$S/odd/after.txt")" \
	"copies keep the source's mtime"

# Killed with copies in flight (test hook, group commits of 64), resumed.
imp k2 2 CUSTOS_IMPORT_BATCH_FILES=64 CUSTOS_TEST_KILL_AFTER_FILES=700
is "$(cat "$T/k2.st")" 137 "import with 2 copiers killed by SIGKILL after 700 files"
imp k0 unset CUSTOS_IMPORT_BATCH_FILES=64 CUSTOS_TEST_KILL_AFTER_FILES=700
is "$(cat "$T/k0.st")" 137 "inline import killed the same way"
same "$(wc -l <"$T/k2/inventory/A1.jsonl")" "$(wc -l <"$T/k0/inventory/A1.jsonl")" \
	"the same files listed at the kill (only durable groups)"
on_disk=$(find "$T/k2/evidence/A1" -type f | wc -l)
listed=$(wc -l <"$T/k2/inventory/A1.jsonl")
test "$on_disk" -gt "$listed"
ok $? "copies on disk not yet listed at the kill ($on_disk on disk, $listed listed)"
for k in k2 k0; do
	CUSTOS_IMPORT_COPIERS=2 "$CUSTOS" --case "$T/$k" import "$S" --format dir --resume \
		>"$T/$k.rout" 2>"$T/$k.rerr"
	echo $? >"$T/$k.rst"
done
is "$(cat "$T/k2.rst") $(cat "$T/k0.rst")" "5 5" "both resumed (partial: the same refusals)"
cmp -s "$T/k2/inventory/A1.jsonl" "$T/k0/inventory/A1.jsonl"
ok $? "after resume: inventory byte-identical to the inline kill and resume"
grep '"event":"IMPORT"' "$T/k2/custody/log.jsonl" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())["body"]["details"]
assert d["resumed"] and d["partials_removed"] >= 59 and d["item_files"] == 1501, d' 
ok $? "IMPORT entry: resumed, the unlisted copies removed and redone, 1501 files"
is "$(find "$T/k2/evidence/A1" -type f | wc -l)" 1501 "no stray copy left after resume"

# A write that fails in the middle (a 100 KiB file-size limit: EFBIG, as a
# full disk fails) stops the import at that file, inline and with copiers.
S2=$T/src2
mkdir -p "$S2/a" "$S2/m" "$S2/z"
i=0
while [ $i -lt 40 ]; do
	printf 'small %d\n' $i >"$S2/a/s$i.txt"
	printf 'later %d\n' $i >"$S2/z/l$i.txt"
	i=$((i + 1))
done
head -c 300000 /dev/zero >"$S2/m/big.bin"
limited() { # limited NAME COPIERS
	mkcase "$T/$1"
	(
		trap '' XFSZ
		ulimit -f 200
		exec env CUSTOS_IMPORT_COPIERS="$2" "$CUSTOS" --case "$T/$1" import "$S2" \
			--format dir --item A1
	) >"$T/$1.out" 2>"$T/$1.err"
	echo $? >"$T/$1.st"
}
limited f0 0
limited f2 2
same "$(cat "$T/f2.st")" "$(cat "$T/f0.st")" "write failure: the same status inline and with copiers ($(cat "$T/f0.st"))"
like "$(cat "$T/f2.err")" "big.bin" "the failing file is named"
cmp -s "$T/f0/inventory/A1.jsonl" "$T/f2/inventory/A1.jsonl"
ok $? "write failure: the same files listed (those before it)"
is "$(find "$T/f2/evidence/A1" -type f | wc -l)" \
	"$(grep -c '"type":"file"' "$T/f2/inventory/A1.jsonl")" \
	"no unlisted copy left behind by the copiers"
tap_done
