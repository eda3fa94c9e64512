#!/bin/sh
# seal_incomplete.sh - only complete acquisitions seal: an import killed
# with SIGKILL (test hook CUSTOS_TEST_KILL_AFTER_FILES) leaves its
# acquisition 'running'; seal refuses it, --allow-incomplete seals it with
# the unfinished acquisition recorded in the SEAL entry, the sealed manifest
# and the forms, and custos verify of that package fails on it. After
# import --resume the case seals and verifies.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_incomplete
tap_plan 25
"$CUSTOS" --version | grep -qx 'test hooks: built in' ||
	bail "this build has no test hooks: configure with --enable-test-hooks"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

S=$T/src
mkdir -p "$S/sdcard/a"
i=0
while [ $i -lt 12 ]; do
	head -c $((20000 + i * 1000)) /dev/urandom >"$S/sdcard/a/f$i.bin"
	i=$((i + 1))
done
run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
CUSTOS_IMPORT_BATCH_FILES=4 CUSTOS_TEST_KILL_AFTER_FILES=6 "$CUSTOS" --case case import "$S" \
	--item A1 >k.out 2>k.err
is "$?" "137" "import killed by SIGKILL (test hook)"

expect_exit 1 "verify CASE fails on the killed import" "$CUSTOS" verify case
like "$(cat "$T/last.out")" "FAIL acquisitions: acquisition 1 \\(item A1, import\\) is 'running'" \
	"verify CASE names the unfinished acquisition"
expect_exit 2 "seal refuses a case with a killed import" "$CUSTOS" --case case seal -o d0
like "$(cat "$T/last.err")" "seal refused: .*unfinished acquisitions \\(acquisition 1 \\(item A1, import\\) is 'running'\\).*--allow-incomplete" \
	"names the acquisition, its status and the way out"
is "$(ls d0/*.custos.zip 2>/dev/null | wc -l | tr -d ' ')" 0 "no package"

run "seal --allow-incomplete" "$CUSTOS" --case case seal -o d1 --allow-incomplete
like "$(cat "$T/last.err")" '1 unfinished acquisitions sealed' "seal warns"
P=$(ls d1/*.custos.zip)
like "$(tail -n 1 case/custody/log.jsonl)" '"event":"SEAL".*"allow_incomplete":true,.*"unfinished":\[\{"acquisition":1,"item_id":"A1","method":"import","status":"running"' \
	"the SEAL entry records the unfinished acquisition"
unzip -p "$P" manifest.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
u = m["sealed"]["unfinished"]
sys.exit(0 if m["sealed"]["allow_incomplete"] and len(u) == 1 and u[0]["status"] == "running" else 1)'
ok $? "python3: the sealed manifest records it too"
expect_exit 1 "custos verify of the package fails" "$CUSTOS" verify "$P"
like "$(cat "$T/last.out")" "FAIL acquisitions: acquisition 1 \\(item A1, import\\) is 'running': the package holds unfinished acquisitions \\(sealed with --allow-incomplete\\)" \
	"the failure names the unfinished acquisition"
must unzip -p "$P" verify.sh >verify.sh
expect_exit 1 "the packaged verify.sh fails too" sh verify.sh "$P"
like "$(cat "$T/last.out")" "FAIL acquisitions: acquisition 1 is \"running\"" "verify.sh names it"
run "forms beside the package" "$CUSTOS" report --forms-for "$P"
grep -rq '未完成的提取或导入：</b>检材 A1 的导入在封存时仍未完成' "$P.forms"
ok $? "the forms print the unfinished acquisition"

run "import --resume finishes the acquisition" "$CUSTOS" --case case import "$S" --item A1 --resume
run "seal once every acquisition finished" "$CUSTOS" --case case seal -o d2
P2=$(ls d2/*.custos.zip)
run "custos verify passes" "$CUSTOS" verify "$P2"
like "$(cat "$T/last.out")" 'ok   acquisitions: 1 acquisitions, all finished' "acquisitions check reported"
run "the packaged verify.sh passes" sh verify.sh "$P2"
like "$(cat "$T/last.out")" 'ok   acquisitions: all finished' "verify.sh acquisitions check reported"
run "forms beside the complete package" "$CUSTOS" report --forms-for "$P2"
grep -rq '未完成的提取或导入' "$P2.forms"
nok $? "no unfinished line on the forms of a complete seal"
tap_done
