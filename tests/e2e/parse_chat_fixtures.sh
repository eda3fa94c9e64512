#!/bin/sh
# parse_chat_fixtures.sh - the chat parsers against the fixture helper's
# independent, hand-written expected rows (fixtures/apps/<app>/expected.json):
# each database is built from its SQL at its device path, imported as its
# own item, parsed, and checked by tests/data/chat/check_fixture.py.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup parse_chat_fixtures
tap_plan 17
. "$SRCDIR/tests/e2e/chat_lib.sh"
APPS="whatsapp-android whatsapp-ios qq-android qq-ios telegram-android"
chat_case
for app in $APPS; do
	if [ ! -f "$SRCDIR/fixtures/apps/$app/expected.json" ]; then
		skip "fixtures/apps/$app not present"
		continue
	fi
	run "build fixtures/apps/$app" python3 "$SRCDIR/tests/data/chat/check_fixture.py" build \
		"$SRCDIR/fixtures/apps/$app" "$T/img/$app"
	chat_import "fx-$app" "$T/img/$app"
done
run "parse" "$CUSTOS" --case "$C" parse
for app in $APPS; do
	[ -f "$SRCDIR/fixtures/apps/$app/expected.json" ] || continue
	python3 "$SRCDIR/tests/data/chat/check_fixture.py" check "$SRCDIR/fixtures/apps/$app" \
		"$C/case.db" "fx-$app" "$T/img/$app" >"$T/check.out" 2>&1
	st=$?
	ok $st "fixtures/apps/$app: rows match expected.json"
	[ $st -eq 0 ] || cat "$T/check.out"
done
tap_done
