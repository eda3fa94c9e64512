#!/bin/sh
# fixtures_expected.sh - every fixtures/apps/<app>/expected.json (the
# hand-written golden rows) against what the real pipeline makes of its
# databases: each app's databases are built from their SQL at their device
# paths (tests/harness/expected.py build), imported as their own item, the
# case is parsed once, and tests/harness/expected.py check compares every
# key of every expected row with case.db (rules in that file).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup fixtures_expected
export SOURCE_DATE_EPOCH=1700000000 PYTHONDONTWRITEBYTECODE=1
CHECK="python3 $SRCDIR/tests/harness/expected.py"
set -- "$SRCDIR"/fixtures/apps/*/expected.json
[ -f "$1" ] || bail "no fixtures/apps/*/expected.json under $SRCDIR"
tap_plan $((2 + 3 * $#))
C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id FIXTURES-EXPECTED
for e in "$@"; do
	app=$(basename "$(dirname "$e")")
	run "$app: databases built at their device paths" $CHECK build "$(dirname "$e")" "$T/img/$app"
	run "$app: imported" "$CUSTOS" --case "$C" import "$T/img/$app" --format dir --item "fx-$app"
done
run "parse" "$CUSTOS" --case "$C" parse
for e in "$@"; do
	app=$(basename "$(dirname "$e")")
	$CHECK check "$(dirname "$e")" "$C/case.db" "fx-$app" "$T/img/$app" >"$T/check.out" 2>&1
	st=$?
	ok $st "$app: case.db rows match expected.json (exit $st)"
	sed "s/^/#   /" "$T/check.out" | head -40
done
tap_done
