#!/bin/sh
# parse_damaged.sh - databases SQLite refuses or stops in still give their
# live rows. Three damaged copies of the Android SMS fixture (200 extra
# messages, so the sms table spans many pages), each as its own item:
#  - truncated: the last page cut off (it holds another table): SQLite
#    refuses the whole file (header page count > file size) although every
#    SMS page is intact;
#  - trigger: a trigger definition in sqlite_master corrupted ("malformed
#    database schema"): SQLite refuses the whole file;
#  - zeroed: one leaf page of the sms table zeroed: SQLite stops in the
#    middle of the table; the page reader reads the leaves after it.
# Each must store its readable rows (the bodies, counted against what the
# copy still holds), mark them damaged = 1, and warn naming the file and
# the reason; the sound copy gets no such mark.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_damaged
tap_plan 22
FX="$SRCDIR/fixtures/apps/sms-android/mmssms.sql"
[ -f "$FX" ] || bail "$FX missing"
command -v sqlite3 >/dev/null || bail "sqlite3 missing (needed to build the fixtures)"
C="$T/case"
cq() { sqlite3 -batch -nullvalue NULL "file:$C/case.db?mode=ro" "$1"; }
DB=data/data/com.android.providers.telephony/databases/mmssms.db

mkdir -p "$T/good/$(dirname $DB)"
must sqlite3 "$T/good/$DB" <"$FX"
# 200 more SMS of ~300 bytes each (4096-byte pages: about 15 leaves), then
# a last table written after them, so the file's last page is not theirs
must sqlite3 "$T/good/$DB" "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
  INSERT INTO sms(_id, thread_id, address, date, type, body) SELECT i, 5, '+8613912345678',
  1710700000000 + i * 1000, 1, 'bulk message ' || i || ' ' || substr(hex(zeroblob(150)), 1, 280) FROM n;
  CREATE TRIGGER sms_note AFTER INSERT ON sms BEGIN SELECT 1; END;
  CREATE TABLE zz_last(x BLOB); INSERT INTO zz_last VALUES (zeroblob(3000));"
total=$(sqlite3 "$T/good/$DB" "SELECT count(*) FROM sms")
is "$total" 207 "the sound copy holds 207 SMS"

for k in truncated trigger zeroed; do
	mkdir -p "$T/$k/$(dirname $DB)"
	cp "$T/good/$DB" "$T/$k/$DB"
done
# truncated: the last page cut off
psz=$(sqlite3 "$T/good/$DB" "PRAGMA page_size")
size=$(wc -c <"$T/good/$DB")
must truncate -s $((size - psz)) "$T/truncated/$DB"
# trigger: its SQL made unparsable (same length)
must python3 - "$T/trigger/$DB" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
i = d.find(b'BEGIN SELECT 1; END')
assert i > 0
d[i:i + 12] = b'BEGIN SELEXT'
open(p, 'wb').write(bytes(d))
PY
# zeroed: a leaf page of sms in the middle of the table; the rowids on
# it (read from the sound copy's page) are what is lost
lost=$(python3 - "$T/good/$DB" "$T/zeroed/$DB" <<'PY'
import sqlite3, sys
good, bad = sys.argv[1], sys.argv[2]
con = sqlite3.connect('file:%s?mode=ro' % good, uri=True)
ps = con.execute('PRAGMA page_size').fetchone()[0]
leaves = [r[0] for r in con.execute(
    "SELECT pageno FROM dbstat WHERE name = 'sms' AND pagetype = 'leaf' ORDER BY path")]
con.close()
pg = leaves[len(leaves) // 2]
d = bytearray(open(good, 'rb').read())
page = d[(pg - 1) * ps:pg * ps]
def varint(b, o):
    v = 0
    for k in range(9):
        c = b[o + k]
        if k == 8:
            return (v << 8) | c, o + 9
        v = (v << 7) | (c & 0x7f)
        if c < 0x80:
            return v, o + k + 1
assert page[0] == 0x0d
n = int.from_bytes(page[3:5], 'big')
ids = []
for c in range(n):
    off = int.from_bytes(page[8 + 2 * c:10 + 2 * c], 'big')
    _, o = varint(page, off)
    rid, _ = varint(page, o)
    ids.append(rid)
d[(pg - 1) * ps:pg * ps] = bytes(ps)
open(bad, 'wb').write(bytes(d))
print(','.join(str(i) for i in ids))
PY
) || bail "zeroing a page failed"
[ -n "$lost" ] || bail "no rowids on the zeroed page"
nlost=$(echo "$lost" | tr ',' '\n' | wc -l)
diag "zeroed page held rowids $lost"

# what sqlite3 itself makes of the copies (the reason the fallback exists)
sqlite3 -readonly "$T/trigger/$DB" "SELECT count(*) FROM sms" >/dev/null 2>&1
ok $((! $?)) "sqlite3 refuses the copy with the bad trigger"
sqlite3 -readonly "$T/truncated/$DB" "SELECT count(*) FROM sms" >/dev/null 2>&1
ok $((! $?)) "sqlite3 refuses the truncated copy"

run "case init" "$CUSTOS" case init "$C" --case-id PARSE-DMG
for k in good truncated trigger zeroed; do
	must "$CUSTOS" --case "$C" import "$T/$k" --format android-dir --item "$k" >/dev/null
done
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>"$T/parse.err"
st=$?
ok $((st != 0 && st != 5)) "parse finishes (exit $st: 0, or 5 for a section it could not read)"
[ -f "$C/case.db" ] || bail "no case.db"

n() { cq "SELECT count(*) FROM messages WHERE item_id = '$1' AND source_table = 'sms' AND recovered = 0"; }
is "$(n good)" 207 "sound copy: 207 live SMS"
is "$(cq "SELECT count(*) FROM messages WHERE item_id = 'good' AND damaged")" 0 "sound copy: no row marked damaged"
is "$(n truncated)" 207 "truncated copy: every SMS still stored"
is "$(n trigger)" 207 "bad trigger: every SMS still stored"
is "$(n zeroed)" $((207 - nlost)) "zeroed page: every SMS but the $nlost on the zeroed page"
# the rows are the right ones: the rowids and bodies of the sound copy
want_ids=$(sqlite3 "$T/good/$DB" "SELECT _id FROM sms ORDER BY _id" | tr '\n' ' ' | md5sum)
want_z=$(sqlite3 "$T/good/$DB" "SELECT _id FROM sms WHERE _id NOT IN ($lost) ORDER BY _id" | tr '\n' ' ' | md5sum)
ids() { cq "SELECT source_rowid FROM messages WHERE item_id = '$1' AND source_table = 'sms' ORDER BY source_rowid" | tr '\n' ' ' | md5sum; }
same "$(ids trigger)" "$want_ids" "bad trigger: the same rowids as the sound copy"
same "$(ids zeroed)" "$want_z" "zeroed page: the rowids of the sound copy minus the zeroed page's"
sig() { cq "SELECT group_concat(source_rowid || '|' || sender || '|' || sent_ms || '|' || body, '~') FROM (SELECT * FROM messages WHERE item_id = '$1' AND source_table = 'sms' AND source_rowid NOT IN ($lost) ORDER BY source_rowid)" | md5sum; }
good_sig=$(sig good)
same "$(sig zeroed)" "$good_sig" "zeroed page: sender, time and body as in the sound copy"
same "$(cq "SELECT count(*) FROM messages WHERE item_id = 'zeroed' AND source_table = 'sms' AND recovered_from = 'live' AND source_page > 0 AND source_offset > 0")" \
	"$(sqlite3 "$T/good/$DB" "SELECT count(*) FROM sms WHERE _id > (SELECT max(value) FROM json_each('[$lost]'))")" \
	"zeroed page: the rows after it come from the page reader, with page and offset"
for k in truncated trigger zeroed; do
	is "$(cq "SELECT count(*) FROM messages WHERE item_id = '$k' AND source_table = 'sms' AND damaged IS NOT 1")" 0 \
		"$k: every row marked as read from a damaged file"
done
w() { cq "SELECT message FROM parse_warnings WHERE item_id = '$1' AND message LIKE '%damaged%'"; }
like "$(w truncated)" "mmssms.db.*damaged.*(malformed|corrupt)" "truncated: a warning names the file and the reason"
like "$(w trigger)" "mmssms.db.*damaged.*(malformed|SELEXT|syntax)" "bad trigger: a warning names the file and the reason"
like "$(w zeroed)" "mmssms.db.*damaged.*(malformed|corrupt)" "zeroed: a warning names the file and the reason"

run "report" "$CUSTOS" --case "$C" report
page=$(cat "$C"/report/chats/*/*.html 2>/dev/null)
like "$page" "损坏文件 read from a damaged file" "the report marks rows read from a damaged file"
tap_done
