#!/bin/sh
# bench/analyze.sh [MESSAGES] [TERMS] - the analysis of a case at scale:
# a case with the fixture phone PA (fixtures/analysis/make-phones.py) is
# imported and parsed, then its case.db gets MESSAGES (default 1,000,000)
# generated chat messages (mostly plain chat; about 1 in 10 with a code
# word, 1 in 50 with a phone number, 1 in 200 with a crypto address or a
# tracking number, like a dealer's phone) and `custos analyze --lexicon`
# runs with a generated lexicon of TERMS (default 2,000) extra terms.
# Prints messages/s end to end (wall clock of the whole command: reading
# case.db, scanning, inserting hits, links, custody), the same per CPU
# second (user + sys: what one core does when the machine is not shared)
# and the peak RSS.
# Environment: CUSTOS (binary, default ./src/custos), SRCDIR (default .),
# BENCHDIR (work directory, default /tmp/custos-bench-analyze), CUSTOS_DATADIR
# (the shipped lexicon; default $SRCDIR/data).
set -eu
N=${1:-1000000}
TERMS=${2:-2000}
SRCDIR=${SRCDIR:-.}
CUSTOS=${CUSTOS:-$SRCDIR/src/custos}
W=${BENCHDIR:-/tmp/custos-bench-analyze}
CUSTOS_DATADIR=${CUSTOS_DATADIR:-$SRCDIR/data}
CUSTOS_EXAMINER=${CUSTOS_EXAMINER:-Bench Examiner}
export CUSTOS_DATADIR CUSTOS_EXAMINER
rm -rf "$W"
mkdir -p "$W"
python3 "$SRCDIR/fixtures/analysis/make-phones.py" "$W/phones"
"$CUSTOS" -q case init "$W/case" --case-id BENCH-ANALYZE >/dev/null 2>&1
"$CUSTOS" -q --case "$W/case" import "$W/phones/PA" --format android-dir --item PA >/dev/null 2>&1
"$CUSTOS" -q --case "$W/case" parse >/dev/null 2>&1

python3 - "$W/case/case.db" "$N" "$W/lexicon.tsv" "$TERMS" <<'PY'
import random, sqlite3, sys
db_path, n, lex_path, terms = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rnd = random.Random(20261207)
# TERMS invented terms (two to four CJK characters from a common range)
common = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
with open(lex_path, "w", encoding="utf-8") as f:
    seen = set()
    while len(seen) < terms:
        t = "".join(rnd.choice(common) for _ in range(rnd.randint(2, 4)))
        if t not in seen:
            seen.add(t)
            f.write("%s\tbench\tgenerated\tbench/analyze.sh\n" % t)
plain = ["今天晚上一起吃饭吗", "好的，明天见", "我到楼下了", "路上堵车，晚点到", "收到，谢谢",
         "这个周末有空吗？去爬山", "孩子发烧了，请假一天", "开会中，稍后回复", "哈哈哈哈😂", "晚安"]
seeded = ["冰糖来两个，老价钱", "叶子还有吗", "今晚溜冰吗", "K粉 到了", "冰 糖 老地方"]
rare = ["有事打我电话 +86 138-0013-8000", "钱打这个：1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "顺丰单号SF1234567890123，明天到", "打到卡上 6222021001123456789 工行"]
db = sqlite3.connect(db_path)
conv = db.execute("SELECT min(conversation_id) FROM conversations WHERE item_id = 'PA'").fetchone()[0]
src = db.execute("SELECT min(source_id) FROM sources").fetchone()[0]
def rows():
    t0 = 1710500000000
    for i in range(n):
        r = i % 200
        if r == 0:
            body = rare[(i // 200) % len(rare)]
        elif r % 50 == 7:
            body = rare[0]
        elif r % 10 == 3:
            body = seeded[(i // 10) % len(seeded)]
        else:
            body = plain[i % len(plain)] + plain[(i * 7) % len(plain)]
        yield ("PA", "wechat", conv, "wxid_k8dealer88", "incoming", t0 + i * 1000, "text", body,
               src, "message", 1000000 + i)
db.execute("BEGIN")
db.executemany("INSERT INTO messages(item_id, app, conversation_id, sender, direction, sent_ms,"
               " kind, body, source_id, source_table, source_rowid, recovered)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,0)", rows())
db.execute("COMMIT")
db.close()
PY
ls -l "$W/case/case.db" | awk '{print "case.db bytes: " $5}'
/usr/bin/time -v "$CUSTOS" --case "$W/case" analyze --lexicon "$W/lexicon.tsv" --json \
	>"$W/out.json" 2>"$W/time.txt"
cat "$W/out.json"
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$W/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.txt")
cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$W/time.txt")
msgs=$(sqlite3 "$W/case/case.db" "SELECT count(*) FROM messages")
python3 -c "import sys; m, s, r, c = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[5]); print('messages %d, terms +%s, wall %.2f s (%.0f messages/s), CPU user+sys %.2f s (%.0f messages per CPU second), peak RSS %.1f MiB' % (m, sys.argv[4], s, m / s if s else 0, c, m / c if c else 0, r / 1024))" \
	"$msgs" "$secs" "$rss" "$TERMS" "$cpu"
