#!/bin/sh
# seal_chain.sh - case.db and report/ bound to the case's custody log: the
# PARSE entry's case_db_sha256 and the REPORT entry's report_root. verify
# CASE fails and seal refuses an edited case.db, a modified report file, and
# a case.db/report made stale by a later IMPORT, saying which command to run
# again; sealing straight after acquisition (no parse, no report) stays
# allowed. Cross-checked with sqlite3 and python3.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_chain
tap_plan 35
SMS="$SHARED/samples/android-sms/plaso_emulator/mmssms.db"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
[ -r "$SMS" ] || shared_missing "sample $SMS not available"
must sh "$SRCDIR/fixtures/make-samples.sh" "$T/s"
B=$T/s/ios-backup/00008101-001C2D3E4F50A01E
mkdir -p src2/data/data/com.android.providers.telephony/databases
cp "$SMS" src2/data/data/com.android.providers.telephony/databases/

run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "import A1 (sample iOS backup)" "$CUSTOS" --case case import "$B" --item A1

# 1. The scene workflow: sealing straight after acquisition is allowed.
must cp -a case scene
run "seal before any parse or report (scene workflow)" "$CUSTOS" --case scene seal -o s0
run "verify CASE before any parse or report" "$CUSTOS" verify scene
like "$(cat "$T/last.out")" 'ok   case-db: no case.db yet' "verify CASE: no case.db yet"

run "parse" "$CUSTOS" --case case parse
run "report" "$CUSTOS" --case case report
rep=$(grep '"event":"REPORT"' case/custody/log.jsonl | tail -n 1)
python3 - "$rep" case >rroot.out 2>&1 <<'PY'
import hashlib, json, os, sys
det = json.loads(sys.argv[1])["body"]["details"]["report_root"]
case = sys.argv[2]
def h(b): return hashlib.sha256(b).digest()
leaves = []
paths = []
for d, _, fs in os.walk(os.path.join(case, "report")):
    for f in fs:
        paths.append(os.path.relpath(os.path.join(d, f), case))
for p in sorted(paths, key=lambda s: s.encode()):
    data = open(os.path.join(case, p), "rb").read()
    leaves.append(h(b"\0" + p.encode() + b"\0" + str(len(data)).encode() + b"\0" +
                    hashlib.sha256(data).hexdigest().encode()))
def mth(l):
    if not l: return h(b"")
    if len(l) == 1: return l[0]
    k = 1
    while k * 2 < len(l): k *= 2
    return h(b"\1" + mth(l[:k]) + mth(l[k:]))
assert det["alg"] == "RFC6962-SHA-256" and det["size"] == len(leaves), det
assert det["root"] == mth(leaves).hex(), (det["root"], mth(leaves).hex())
PY
ok $? "REPORT entry's report_root = python3's RFC 6962 root over report/ files"
run "verify CASE after parse and report" "$CUSTOS" verify case
like "$(cat "$T/last.out")" 'ok   case-db: case.db sha256 [0-9a-f]{64} matches PARSE' "case-db check reported"
like "$(cat "$T/last.out")" 'ok   report: report/ root [0-9a-f]{64} over [0-9]+ files matches REPORT' "report check reported"

# 2. A message body edited in case.db after parse.
must cp -a case edited
n=$(sqlite3 edited/case.db "UPDATE messages SET body = 'changed' WHERE rowid = (SELECT min(rowid) FROM messages); SELECT changes();")
is "$n" "1" "sqlite3 changed one message body"
expect_exit 1 "verify CASE fails on the edited case.db" "$CUSTOS" verify edited
like "$(cat "$T/last.out")" "FAIL case-db: .*case.db' \\(sha256 [0-9a-f]{64}\\) is not the case.db that PARSE" "the case.db check names it"
expect_exit 1 "seal refuses the edited case.db" "$CUSTOS" --case edited seal -o e0
like "$(cat "$T/last.err")" 'seal refused: .*changed after parsing; run custos parse again' "with the advice to re-run parse"
is "$(ls e0/*.custos.zip 2>/dev/null | wc -l | tr -d ' ')" 0 "no package"

# 3. A report file modified after the report.
must cp -a case modrep
echo '<!-- later -->' >>modrep/report/index.html
expect_exit 1 "verify CASE fails on the modified report" "$CUSTOS" verify modrep
like "$(cat "$T/last.out")" 'FAIL report: .*not the report that REPORT' "the report check names it"
expect_exit 1 "seal refuses the modified report" "$CUSTOS" --case modrep seal -o m0
like "$(cat "$T/last.err")" 'run custos report again' "with the advice to re-run report"

# 4. A second item imported after parse: case.db and the report are stale.
run "import A2 after parse" "$CUSTOS" --case case import src2 --format android-dir --item A2 \
	--new-item --reason "a second phone found later"
expect_exit 2 "seal refuses: case.db is stale" "$CUSTOS" --case case seal -o x0
like "$(cat "$T/last.err")" 'stale: IMPORT \(custody seq [0-9]+\) came after the last PARSE .*run custos parse, then custos report' \
	"names the IMPORT and says to re-run parse and report"
expect_exit 1 "verify CASE fails on the stale case.db" "$CUSTOS" verify case
run "parse again" "$CUSTOS" --case case parse
expect_exit 2 "seal refuses: the report is stale" "$CUSTOS" --case case seal -o x0
like "$(cat "$T/last.err")" 'report/ of case .* is stale: PARSE .* run custos report' "says to re-run report"
run "report again" "$CUSTOS" --case case report
run "seal once parse and report are current" "$CUSTOS" --case case seal -o x0
run "the package verifies" "$CUSTOS" verify x0/*.custos.zip

# 5. Tamper matrix on the entries that bind the outputs: rewriting a PARSE
# entry's case_db_sha256 or a REPORT entry's report_root (to match edited
# outputs) breaks the chain of the entries after it.
for kind in PARSE:case_db_sha256 REPORT:root; do
	ev=${kind%%:*}
	key=${kind#*:}
	must cp -a case "t-$ev"
	line=$(grep -n "\"event\":\"$ev\"" "t-$ev/custody/log.jsonl" | head -n 1 | cut -d: -f1)
	sed -i "${line}s/\"$key\":\"\([0-9a-f]\)/\"$key\":\"0\1/; ${line}s/\"$key\":\"0\([0-9a-f]\{63\}\)[0-9a-f]/\"$key\":\"0\1/" \
		"t-$ev/custody/log.jsonl"
	expect_exit 1 "verify CASE fails on a rewritten $ev $key" "$CUSTOS" verify "t-$ev"
	like "$(cat "$T/last.out")" 'FAIL custody-chain' "the custody chain check names it ($ev)"
done
tap_done
