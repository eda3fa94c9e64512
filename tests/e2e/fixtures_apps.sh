#!/bin/sh
# fixtures/apps: every .sql builds with sqlite3, every make-sql.py reproduces
# its committed .sql, and the hand-written goldens (expected.json) agree with
# the rows in the SQL (row exists, time converted right, plain text equal).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup fixtures_apps
export PYTHONDONTWRITEBYTECODE=1
A=$SRCDIR/fixtures/apps
set -- "$A"/*/*.sql
[ -f "$1" ] || bail "no fixtures/apps/*/*.sql under $SRCDIR"
# one point per .sql, 3 + 4 make-sql.py comparisons, the goldens check
tap_plan $(($# + 8))

for f in "$@"; do
	rel=${f#"$A"/}
	rm -f "$T/x.db"
	sqlite3 -bail "$T/x.db" <"$f" >"$T/x.out" 2>&1; ok $? "sqlite3 builds $rel"
done
for app in qq-android sms-ios telegram-android; do
	sql=$(ls "$A/$app"/*.sql)
	must python3 "$A/$app/make-sql.py" >"$T/$app.sql"
	cmp -s "$T/$app.sql" "$sql"; ok $? "$app/make-sql.py reproduces $(basename "$sql")"
done
mkdir -p "$T/wechat-ios"
must python3 "$A/wechat-ios/make-sql.py" "$T/wechat-ios"
for f in MM.sqlite.sql message_1.sqlite.sql WCDB_Contact.sqlite.sql session.db.sql; do
	cmp -s "$T/wechat-ios/$f" "$A/wechat-ios/$f"; ok $? "wechat-ios/make-sql.py reproduces $f"
done

python3 "$SRCDIR/tests/harness/expected.py" sources "$A" >"$T/sources.out" 2>&1
ok $? "goldens agree with the SQL (rows, times, texts)"
sed 's/^/# /' "$T/sources.out"
tap_done
