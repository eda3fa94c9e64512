#!/bin/sh
# seal_import.sh - the whole chain on a real sample database: case init,
# custos import (android-dir), custos parse, seal, verify, the packaged
# verify.sh, and python3's independent cross-check.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup seal_import
tap_plan 9
CHECK="python3 $SRCDIR/tests/e2e/seal_check.py"
SAMPLE="$SHARED/samples/android-sms/plaso_emulator/mmssms.db"
SOURCE_DATE_EPOCH=1795000000
export SOURCE_DATE_EPOCH
cd "$T" || exit 1
[ -r "$SAMPLE" ] || shared_missing "sample $SAMPLE not available"
d=src/data/data/com.android.providers.telephony/databases
mkdir -p "$d" && cp "$SAMPLE" "$d/"
run "case init" "$CUSTOS" case init case --case-id T2026-SEAL-0001 \
	--manifest "$SRCDIR/tests/e2e/seal-manifest.json"
run "import android-dir" "$CUSTOS" --case case import src --format android-dir --item A1
run "parse" "$CUSTOS" --case case parse
run "seal" "$CUSTOS" --case case seal -o out
P=$(ls out/*.custos.zip)
run "custos verify" "$CUSTOS" verify "$P"
run "python3 cross-check" $CHECK crosscheck "$P"
must unzip -p "$P" verify.sh >verify.sh
run "packaged verify.sh" sh verify.sh "$P"
row=$(unzip -p "$P" manifest.json | python3 -c 'import json,sys; m=json.load(sys.stdin); r=[r for r in m["files"] if r["path"].endswith("/mmssms.db")][0]; print(r["category"], r["format"], r["sha256"])')
is "$row" "短信 SQLite数据库 $(sha256sum <"$SAMPLE" | cut -c1-64)" \
	"mmssms.db listed as 短信 / SQLite数据库 with the sample's SHA-256"
like "$(unzip -Z1 "$P")" 'case\.db' "case.db in the package"
tap_done
