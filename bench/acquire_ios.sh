#!/bin/sh
# bench/acquire_ios.sh - `custos acquire --device UDID` of an iPhone against Debian's
# `idevicebackup2 backup --full` of the same phone: the simulated iPhone
# (tests/sim/iphone_sim.py) behind a fake usbmuxd socket, both through the
# system libimobiledevice. The phone holds the fixture backup plus
# BENCH_FILES (default 5000) files of 4 KiB and one large video, BENCH_SIZE_MB
# (default 1024) MB in all, every one listed in a generated Manifest.db.
# idevicebackup2 only writes the files (then `sync`); custos also hashes every
# byte (SHA-256 + MD5) as it arrives, writes durably, decodes the backup into
# the case and records custody.
#
# Prints both wall times, the ratio idevicebackup2/custos (goal >= 1.0), and
# custos' peak RSS (/usr/bin/time -f %M). The large file's SHA-256 is checked
# in idevicebackup2's copy and in the case, and the file counts against the
# phone's, so a fast wrong answer cannot pass.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
SIZE=${BENCH_SIZE_MB:-1024}
FILES=${BENCH_FILES:-5000}
UDID=00008101-001C2D3E4F50A01E
command -v idevicebackup2 >/dev/null || { echo "acquire_ios: idevicebackup2 not installed (scripts/install-deps)"; exit 1; }
D=$(mktemp -d "$BENCHTMP/iosbench.XXXXXX")
SOCKD=$(mktemp -d /tmp/iosbench-sock.XXXXXX) # a short path for the socket
SIM=
cleanup() {
	[ -n "$SIM" ] && kill "$SIM" 2>/dev/null
	[ -n "$SIM" ] && wait "$SIM" 2>/dev/null
	chmod -R u+w "$D" 2>/dev/null
	rm -rf "$D" "$SOCKD"
}
trap cleanup EXIT INT TERM

# The phone's backup: the fixture's, plus generated files listed in its Manifest.db.
sh "$SRCDIR/fixtures/make-samples.sh" "$D/samples" >/dev/null
P=$D/phone/$UDID
mkdir -p "$D/phone"
cp -R "$D/samples/ios-backup/$UDID" "$P"
rm -rf "$D/samples"
python3 - "$SRCDIR" "$P" "$SIZE" "$FILES" <<'PY'
import hashlib, importlib.util, os, sqlite3, sys
src, bdir, size_mb, nfiles = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("mkbackup", os.path.join(src, "fixtures/ios-backup/make-backup.py"))
mb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mb)
small = 4096
used = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(bdir) for f in fs)
big = max(size_mb * 1048576 - used - nfiles * small, 1048576)
db = sqlite3.connect(os.path.join(bdir, "Manifest.db"))
rows, inode = [], 50000

def add(domain, rel, size, writer):
    global inode
    inode += 1
    fid = hashlib.sha1(("%s-%s" % (domain, rel)).encode()).hexdigest()
    os.makedirs(os.path.join(bdir, fid[:2]), exist_ok=True)
    with open(os.path.join(bdir, fid[:2], fid), "wb") as f:
        writer(f)
    rows.append((fid, domain, rel, 1, mb.mbfile(rel, size, 0o100644, inode, 1711000000 + inode, 3)))
    return fid

def big_writer(f):
    left = big
    with open("/dev/urandom", "rb") as r:
        while left:
            n = min(left, 8 << 20)
            f.write(r.read(n))
            left -= n
add("CameraRollDomain", "Media/DCIM/100APPLE/IMG_9000.MOV", big, big_writer)
blob = os.urandom(small * 64)
for i in range(nfiles):
    data = (i.to_bytes(8, "big") + blob[(i % 64) * small:])[:small]  # every file different
    add("AppDomain-com.tencent.xin", "Documents/bench/d%03d/f%05d.dat" % (i % 200, i), small,
        lambda f, data=data: f.write(data))
db.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
db.commit()
db.close()
PY
big=$(find "$P" -path '*/*/*' -size +1M -type f | head -1)
want_sha=$(sha256sum <"$big" | cut -c1-64)
big_rel=${big#"$P"/}
total=$(du -sb --exclude=Info.plist "$P" | cut -f1)
nfiles=$(find "$P" -type f ! -name Info.plist | wc -l)

SOCK=$SOCKD/mux.sock
: >"$D/sim.out"
python3 "$SRCDIR/tests/sim/iphone_sim.py" --socket "$SOCK" --backup "$P" >"$D/sim.out" 2>"$D/sim.err" &
SIM=$!
i=0
while ! grep -q '^READY ' "$D/sim.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
USBMUXD_SOCKET_ADDRESS=UNIX:$SOCK
export USBMUXD_SOCKET_ADDRESS

warm() { find "$P" -type f -exec cat {} + >/dev/null; }
now() { date +%s.%N; }

# Baseline: idevicebackup2 backup --full (+ sync).
mkdir -p "$D/ib"
warm
sync
t0=$(now)
timeout -k 5 1200 idevicebackup2 backup --full "$D/ib" >"$D/ib.out" 2>&1 ||
	{ echo "acquire_ios: idevicebackup2 failed:"; tr '\r' '\n' <"$D/ib.out" | tail -3; exit 1; }
sync
t1=$(now)
ib_t=$(echo "$t1 - $t0" | bc)
ib_files=$(find "$D/ib/$UDID" -type f ! -name Info.plist | wc -l)
ib_sha=$(sha256sum <"$D/ib/$UDID/$big_rel" | cut -c1-64)
[ "$ib_sha" = "$want_sha" ] && [ "$ib_files" -eq "$nfiles" ] ||
	{ echo "acquire_ios: idevicebackup2 got $ib_files files (phone $nfiles), large file sha256 $ib_sha"; exit 1; }
rm -rf "$D/ib"

echo "acquire_ios: backup of $total bytes, $nfiles files, from the simulated iPhone over a Unix socket"
printf 'idevicebackup2 + sync:    %6.2f s\n' "$ib_t"

# custos acquire.
CUSTOS_EXAMINER=bench "$CUSTOS" case init "$D/case" --case-id BENCH >/dev/null 2>&1 ||
	{ echo "acquire_ios: custos case init failed"; exit 1; }
warm
sync
t0=$(now)
CUSTOS_EXAMINER=bench /usr/bin/time -f %M -o "$D/rss.txt" \
	"$CUSTOS" -q --case "$D/case" acquire --device "$UDID" >/dev/null 2>"$D/acq.err" ||
	{ echo "acquire_ios: custos acquire --device failed:"; tail -5 "$D/acq.err"; exit 1; }
t1=$(now)
cu_t=$(echo "$t1 - $t0" | bc)
rss=$(tail -1 "$D/rss.txt")
grep -rqs "$want_sha" "$D/case/inventory/" ||
	{ echo "acquire_ios: the large file's sha256 $want_sha is not in the case inventory"; exit 1; }
cu_files=$(cat "$D/case/inventory/"*.jsonl | grep -c '"type":"file"' || :)

printf 'custos acquire --device:  %6.2f s  (SHA-256 + MD5, durable, decoded, custody)\n' "$cu_t"
printf 'ratio idevicebackup2/custos: %6.2f   (goal >= 1.0)\n' "$(echo "$ib_t / $cu_t" | bc -l)"
printf 'custos MB/s:              %6.1f\n' "$(echo "$total / 1048576 / $cu_t" | bc -l)"
echo "custos inventory files:   $cu_files (phone: $nfiles backup files)"
echo "custos peak RSS:          $((rss / 1024)) MB (goal <= 64 MB)"
