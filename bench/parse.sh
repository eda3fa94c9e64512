#!/bin/sh
# bench/parse.sh - `custos parse` throughput on a large Android mmssms.db.
#
# Generates an mmssms.db of BENCH_ROWS (default 1,000,000) SMS in 1,000
# threads (1% bank notifications, so the payment path runs too) with the
# sqlite3 CLI (recursive CTE), imports it into a fresh case, and times
# `custos parse` (staging copy, parse, bank-SMS extraction, index build,
# case.db hash and rename, custody entry) against the floor of reading the
# same rows: `sqlite3 DB "SELECT * FROM sms" > /dev/null`.
# Prints messages/s (goal >= 100k/s), the ratio parse / sqlite3 (goal <= 5)
# and custos's peak RSS. Best of BENCH_RUNS (default 2) runs each.
set -eu
BUILDDIR=${BUILDDIR:-$(pwd)}
CUSTOS=${CUSTOS:-$BUILDDIR/src/custos}
BENCHTMP=${BENCHTMP:-${TMPDIR:-/tmp}}
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-2}
mkdir -p "$BENCHTMP"
D=$(mktemp -d "$BENCHTMP/parsebench.XXXXXX")
trap 'chmod -R u+w "$D" 2>/dev/null; rm -rf "$D"' EXIT INT TERM
DB=$D/src/data/data/com.android.providers.telephony/databases/mmssms.db
mkdir -p "$(dirname "$DB")"
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1,error_code INTEGER DEFAULT 0,creator TEXT,seen INTEGER DEFAULT 0);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,archived INTEGER DEFAULT 0,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO canonical_addresses (_id, address) SELECT i, CASE WHEN i = 1 THEN '95588' ELSE '+86139' || printf('%08d', i) END FROM n;
INSERT INTO threads (_id, recipient_ids) SELECT _id, CAST(_id AS TEXT) FROM canonical_addresses;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO sms (_id, thread_id, address, date, date_sent, read, type, body, seen)
SELECT i,
       CASE WHEN i % 100 = 0 THEN 1 ELSE 2 + i % 999 END,
       CASE WHEN i % 100 = 0 THEN '95588' ELSE '+86139' || printf('%08d', 2 + i % 999) END,
       1700000000000 + i * 1000, 1700000000000 + i * 1000 - 500, 1,
       CASE WHEN i % 3 = 0 THEN 2 ELSE 1 END,
       CASE WHEN i % 100 = 0
            THEN '【工商银行】您尾号8866卡' || (1 + i % 12) || '月16日18:00转入' || (i % 5000) || '.00元来自财付通，余额4,656.78元。'
            ELSE 'message number ' || i || ' - 今晚老地方见，带现金 ' || (i % 977) || ' 元' END,
       1
FROM n;
SQL
size=$(wc -c <"$DB")

# best RUNS of "$@": prints "wall cpu peak_rss_mib" (cpu = user + sys of
# the child; on a loaded machine wall-clock time includes waiting for a CPU)
measure() {
	python3 - "$RUNS" "$@" <<'PY'
import os, resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1); os.dup2(fd, 2)
        os.execvp(cmd[0], cmd)
    _, _, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    cpu = ru.ru_utime + ru.ru_stime
    r = (wall, cpu, ru.ru_maxrss // 1024)
    if best is None or r[0] < best[0]:
        best = r
print("%.3f %.3f %d" % best)
PY
}

C=$D/case
export SOURCE_DATE_EPOCH=1700000000
"$CUSTOS" case init "$C" --case-id BENCH >/dev/null 2>&1
"$CUSTOS" --case "$C" import "$D/src" --format android-dir --item bench >/dev/null 2>&1
cat "$C/evidence/bench/data/data/com.android.providers.telephony/databases/mmssms.db" >/dev/null

set -- $(measure sqlite3 "$DB" "SELECT * FROM sms")
t_sql=$1 c_sql=$2
set -- $(measure "$CUSTOS" --case "$C" parse)
t_parse=$1 c_parse=$2 rss=$3
msgs=$(sqlite3 "$C/case.db" "SELECT count(*) FROM messages")
pays=$(sqlite3 "$C/case.db" "SELECT count(*) FROM payments")
echo "mmssms.db: $ROWS sms, $((size / 1048576)) MiB; case.db: $msgs messages, $pays payments"
printf 'sqlite3 SELECT * FROM sms : %6.2f s wall, %6.2f s cpu\n' "$t_sql" "$c_sql"
printf 'custos parse              : %6.2f s wall, %6.2f s cpu\n' "$t_parse" "$c_parse"
printf 'messages/s                : %8.0f wall, %8.0f cpu (goal >= 100000)\n' \
	"$(echo "$msgs / $t_parse" | bc -l)" "$(echo "$msgs / $c_parse" | bc -l)"
printf 'ratio parse / sqlite3     : %6.2f wall, %6.2f cpu (goal <= 5)\n' \
	"$(echo "$t_parse / $t_sql" | bc -l)" "$(echo "$c_parse / $c_sql" | bc -l)"
echo "custos parse peak RSS     : $rss MiB"
[ "$msgs" -eq "$ROWS" ] || { echo "bench: expected $ROWS messages, got $msgs"; exit 1; }
