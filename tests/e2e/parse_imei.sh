#!/bin/sh
# parse_imei.sh - `custos parse --imei IMEI`: the fixtures' Android tar
# with CompatibleInfo.cfg removed and a manifest without the IMEI: WeChat's
# key (md5(IMEI + uin)[:7], APPS.md 1.1) cannot be derived, the warning
# names `custos parse --imei`; with --imei the database decrypts, the
# DERIVE entry names the source, the PARSE entry records the IMEI given,
# and the manifest is not changed. The key is recomputed with md5sum.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_imei
tap_plan 13
export SOURCE_DATE_EPOCH=1700000000 PYTHONDONTWRITEBYTECODE=1
if ! command -v sqlite3 >/dev/null 2>&1; then
	skip_rest "sqlite3 CLI missing"
	tap_done
fi
cq() { sqlite3 -batch "file:$1/case.db?mode=ro" "$2"; }
X=$SRCDIR/fixtures/apps/wechat-android/expected.json
IMEI=352099001761481 # fixtures/android/make-android-tar.py
must python3 "$SRCDIR/fixtures/android/make-android-tar.py" "$T/android.tar" >/dev/null
member=$(tar tf "$T/android.tar" | grep 'MicroMsg/CompatibleInfo.cfg$')
[ -n "$member" ] || bail "no CompatibleInfo.cfg in the fixture tar"
must tar --delete -f "$T/android.tar" "$member"
tar tf "$T/android.tar" | grep -q CompatibleInfo.cfg
nok $? "the tar no longer holds the IMEI file"

C=$T/case
run "case init (the manifest lists no IMEI)" "$CUSTOS" case init "$C" --case-id WX-IMEI
run "import the tar" "$CUSTOS" --case "$C" import "$T/android.tar" --format android-tar --item phone
msha=$(sha256sum "$C/manifest.json")
expect_exit 5 "parse without the IMEI: the WeChat database cannot be decrypted (exit 5)" \
	"$CUSTOS" --case "$C" parse
like "$(cat "$T/last.err" "$T/last.out")$(cq "$C" 'SELECT group_concat(message) FROM parse_warnings' 2>/dev/null)" \
	"custos parse --imei IMEI" "the warning names custos parse --imei"
expect_exit 2 "--imei takes digits or hex only" "$CUSTOS" --case "$C" parse --imei 'x;y'
run "parse --imei IMEI" "$CUSTOS" --case "$C" parse --imei "$IMEI"
is "$(cq "$C" "SELECT count(*) FROM messages WHERE app = 'wechat'")" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$X")" \
	"every fixture WeChat message parsed from the encrypted db"
like "$(grep '"DERIVE"' "$C/custody/log.jsonl" | tail -n 1)" 'imei_source=parse-imei uin_source=system_config_prefs.xml' \
	"DERIVE names the IMEI given to parse as the key's source"
key=$(printf '%s987654321' "$IMEI" | md5sum | cut -c1-7)
is "$(grep -c "$key" "$C/custody/log.jsonl")" 0 "the key itself is not written to custody"
like "$(grep '"event":"PARSE"' "$C/custody/log.jsonl" | tail -n 1)" "\"imei_given\":\\[\"$IMEI\"\\]" \
	"the PARSE entry records the IMEI given"
is "$(sha256sum "$C/manifest.json")" "$msha" "parse --imei leaves the manifest alone"
run "verify CASE passes" "$CUSTOS" verify "$C"
tap_done
