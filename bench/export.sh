#!/bin/sh
# bench/export.sh [N] - `custos export` of N messages (default 1000000): time and
# peak RSS of messages as csv, xlsx, json and of case-uco. The case is the
# bundled sample iPhone case with N synthetic SMS rows added to its case.db
# by sqlite3 (a copy: the sample's own files are untouched).
# Usage: sh bench/export.sh [N]   (from a built tree; CUSTOS=path overrides)
set -eu
N=${1:-1000000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CUSTOS=${CUSTOS:-$SRC/src/custos}
T=$(mktemp -d "${TMPDIR:-/tmp}/custos-bench-export.XXXXXX")
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT INT TERM
sh "$SRC/fixtures/make-samples.sh" "$T/s" >/dev/null
C=$T/case
"$CUSTOS" -q case init "$C" --case-id A4403052026110001 \
	--manifest "$SRC/fixtures/manifest/sample-seizure.json" --examiner bench >/dev/null
"$CUSTOS" -q --case "$C" import --item A1 "$T/s/ios-backup/00008101-001C2D3E4F50A01E" >/dev/null 2>&1
"$CUSTOS" -q --case "$C" parse >/dev/null 2>&1
chmod u+w "$C/case.db"
sqlite3 "$C/case.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $N)
 INSERT INTO messages(item_id, app, conversation_id, sender, direction, sent_utc, sent_ms, kind,
 body, source_id, source_table, source_rowid, recovered)
 SELECT 'A1', 'sms', 1, '+86139' || (10000000 + i % 5000), CASE i % 2 WHEN 0 THEN 'incoming'
 ELSE 'outgoing' END, strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch'),
 (1700000000 + i) * 1000, 'text', '消息正文 message body number ' || i || ' 今晚老地方见', 1,
 'message', i, 0 FROM n"
echo "messages: $(sqlite3 "$C/case.db" 'SELECT count(*) FROM messages')"
for f in csv xlsx json; do
	/usr/bin/time -f "export messages $f: %e s, peak RSS %M KB" \
		"$CUSTOS" -q --case "$C" export messages --format "$f" -o "$T/out.$f"
	echo "  size $(stat -c %s "$T/out.$f") bytes"
	rm -f "$T/out.$f"
done
/usr/bin/time -f "export case-uco: %e s, peak RSS %M KB" \
	"$CUSTOS" -q --case "$C" export case-uco -o "$T/out.jsonld"
echo "  size $(stat -c %s "$T/out.jsonld") bytes"
