#!/bin/sh
# bench/recover.sh - `custos recover --json` throughput (MB scanned / s).
#
# 1. One large database: BENCH_SIZE_MB (default 500) MB of chat messages
#    written with the sqlite3 CLI (secure_delete off, 4096-byte pages), then
#    every third message and a tenth of the table deleted: many freeblocks
#    and freelist pages. Timed against the floor of reading the same bytes
#    (cat) and of SQLite scanning the live rows (SELECT *).
# 2. A directory of 150 small databases (the recovery corpus of
#    fixtures/recovery/make-corpus.py, copied round-robin, with their -wal /
#    -journal): one process per file, process start-up counted; and one
#    process for all of them when `custos recover` takes several files.
# Prints MB/s (wall and cpu), records found, and peak RSS from
# /usr/bin/time -f %M (goal: bounded, independent of the file size). Best of
# BENCH_RUNS (default 2) runs each.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
SIZE_MB=${BENCH_SIZE_MB:-500}
RUNS=${BENCH_RUNS:-2}
here=$(cd "$(dirname "$0")" && pwd)
SRC=${SRCDIR:-$(dirname "$here")}
TIME=/usr/bin/time
export PYTHONDONTWRITEBYTECODE=1
[ -x "$TIME" ] || { echo "bench: /usr/bin/time missing (scripts/install-deps installs time)"; exit 1; }
mkdir -p "$BENCHTMP"
D=$(mktemp -d "$BENCHTMP/recoverbench.XXXXXX")
trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM

# best RUNS of "$@" (stdout counted in lines): prints "wall cpu rss_kib lines"
measure() {
	best=
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		lines=$({ "$TIME" -f '%e %U %S %M %x' -o "$D/time" "$@" 2>"$D/stderr" ||
			echo "bench: exit $?/$(tail -n 1 "$D/time" | awk '{ print $5 }'): $1 $2 $3 ...: $(tail -n 1 "$D/stderr")" >&2; } | wc -l)
		# the last line: /usr/bin/time writes "Command exited with
		# non-zero status N" before it
		r=$(tail -n 1 "$D/time" | awk -v l="$lines" '{ printf "%.3f %.3f %d %d\n", $1, $2 + $3, $4, l }')
		if [ -z "$best" ] || [ "$(echo "$r" | awk -v b="$best" 'BEGIN { split(b, x, " ") } { print ($1 < x[1]) }')" = 1 ]; then
			best=$r
		fi
	done
	echo "$best"
}

# 1. the large database
DB=$D/big.db
rows=$((SIZE_MB * 2200))
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA secure_delete = OFF;
CREATE TABLE message (msgId INTEGER PRIMARY KEY, msgSvrId INTEGER, type INT, status INT, isSend INT,
  createTime INTEGER, talker TEXT, content TEXT, lvbuffer BLOB);
CREATE INDEX messageCreateTimeIndex ON message (createTime);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO message SELECT i, 6800000000000000000 + i * 7919, 1 + i % 3, 3, i % 2, 1700000000000 + i * 1000,
  'wxid_' || (i % 997), 'message ' || i || ' ' ||
  substr('今晚老地方见带现金转账收到好的明天银行卡快递密码hello meet cash tonight bank transfer ok call me later 微信红包取件码验证码 ' ||
         '今晚老地方见带现金转账收到好的明天银行卡快递密码hello meet cash tonight bank transfer ok call me later 微信红包取件码验证码 ' ||
         '今晚老地方见带现金转账收到好的明天银行卡快递密码hello meet cash tonight bank transfer ok call me later', 1 + i % 60, 150 + i % 120),
  zeroblob(i % 40)
FROM n;
DELETE FROM message WHERE msgId % 3 = 0;
DELETE FROM message WHERE msgId BETWEEN $((rows / 2)) AND $((rows / 2 + rows / 10));
SQL
size=$(wc -c <"$DB")
mb=$(echo "$size / 1048576" | bc -l)
cat "$DB" >/dev/null
set -- $(measure cat "$DB")
t_cat=$1
set -- $(measure sqlite3 "$DB" "SELECT * FROM message")
t_sql=$1 c_sql=$2
set -- $(measure "$CUSTOS" recover "$DB" --json)
t_rec=$1 c_rec=$2 rss=$3 nrec=$4
printf 'big.db: %.0f MiB, %d messages written, a third and a tenth deleted\n' "$mb" "$rows"
printf 'cat (read floor)          : %7.2f s wall\n' "$t_cat"
printf 'sqlite3 SELECT * (live)   : %7.2f s wall, %7.2f s cpu\n' "$t_sql" "$c_sql"
printf 'custos recover --json     : %7.2f s wall, %7.2f s cpu, %d records\n' "$t_rec" "$c_rec" "$nrec"
printf 'recover MB/s              : %7.1f wall, %7.1f cpu\n' "$(echo "$mb / ($t_rec + 0.0005)" | bc -l)" \
	"$(echo "$mb / ($c_rec + 0.001)" | bc -l)"
printf 'ratio recover / sqlite3   : %7.2f wall\n' "$(echo "$t_rec / ($t_sql + 0.001)" | bc -l)"
echo "custos recover peak RSS   : $((rss / 1024)) MiB ($(echo "$mb" | cut -d. -f1) MiB file)"
rm -f "$DB"

# 2. 150 small databases
C=$D/corpus S=$D/small
python3 "$SRC/fixtures/recovery/make-corpus.py" "$C" >/dev/null
mkdir -p "$S"
set -- $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["cases"]))' "$C/index.json")
i=0
while [ $i -lt 150 ]; do
	for c in "$@"; do
		[ $i -lt 150 ] || break
		for f in "$C/$c".db "$C/$c".db-wal "$C/$c".db-journal; do
			[ -e "$f" ] && cp "$f" "$S/$(printf '%03d' $i)-$(basename "$f")"
		done
		i=$((i + 1))
	done
done
bytes=$(cat "$S"/* | wc -c)
smb=$(echo "$bytes / 1048576" | bc -l)
cat >"$D/each.sh" <<EOF
#!/bin/sh
for f in "$S"/*.db; do "$CUSTOS" recover "\$f" --json || true; done
EOF
set -- $(measure sh "$D/each.sh")
t_each=$1 c_each=$2 rss_each=$3 n_each=$4
printf '150 small dbs: %.1f MiB (with -wal/-journal)\n' "$smb"
printf 'one process per file      : %7.2f s wall (%.1f ms/file), %7.2f s cpu, %d records, %.1f MB/s\n' \
	"$t_each" "$(echo "$t_each * 1000 / 150" | bc -l)" "$c_each" "$n_each" "$(echo "$smb / ($t_each + 0.0005)" | bc -l)"
echo "peak RSS (largest process): $((rss_each / 1024)) MiB"
f1=$(ls "$S"/*.db | head -n 1) f2=$(ls "$S"/*.db | sed -n 2p)
if "$CUSTOS" recover "$f1" "$f2" --json >/dev/null 2>&1; then
	set -- $(measure "$CUSTOS" recover "$S"/*.db --json)
	printf 'one process, 150 files    : %7.2f s wall, %7.2f s cpu, %d records, %.1f MB/s, peak RSS %d MiB\n' \
		"$1" "$2" "$4" "$(echo "$smb / ($1 + 0.0005)" | bc -l)" "$(($3 / 1024))"
else
	echo "one process, 150 files    : (custos recover takes one file)"
fi
