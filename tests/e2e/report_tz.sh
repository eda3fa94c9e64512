#!/bin/sh
# report_tz.sh - the report in an IANA zone with daylight saving time:
# a Zurich summer and winter message (+02:00 / +01:00), an unknown zone
# refused, the device's own zone (items.timezone) used by default, and
# both the chosen and the device zone shown where they differ.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup report_tz
tap_plan 12

S=$T/src
TEL=$S/data/data/com.android.providers.telephony/databases
mkdir -p "$TEL"
{
	cat "$SRCDIR/fixtures/apps/sms-android/mmssms.sql"
	# 2024-07-01T12:00:00Z (summer) and 2024-01-15T12:00:00Z (winter).
	echo "INSERT INTO sms (_id, thread_id, address, date, type, read, body) VALUES
 (301, 11, '+41790000001', 1719835200000, 1, 1, 'SUMMER message'),
 (302, 11, '+41790000001', 1705320000000, 1, 1, 'WINTER message');"
} | sqlite3 "$TEL/mmssms.db"
ok $? "mmssms.db with a summer and a winter message"
C=$T/case
run "case init" "$CUSTOS" case init "$C" --case-id Z-2026-0001
run "import" "$CUSTOS" --case "$C" import --format dir --item Z1 "$S"
"$CUSTOS" --case "$C" parse >"$T/parse.out" 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 5 ]
ok $? "parse (exit $st)"

run "report --tz Europe/Zurich" "$CUSTOS" --case "$C" report --format html --tz Europe/Zurich
R=$C/report
grep -h -B3 'SUMMER message' "$R"/chats/sms/*.html | grep -q '<time>2024-07-01 14:00:00 +02:00</time> (UTC 2024-07-01T12:00:00.000Z)'
ok $? "summer: 14:00 +02:00 (CEST)"
grep -h -B3 'WINTER message' "$R"/chats/sms/*.html | grep -q '<time>2024-01-15 13:00:00 +01:00</time> (UTC 2024-01-15T12:00:00.000Z)'
ok $? "winter: 13:00 +01:00 (CET)"
grep -q '<td class="num" data-ms="1719835200000">2024-07-01 14:00:00 +02:00' "$R"/timeline-*.html
ok $? "the timeline uses the zone too"

expect_exit 2 "an unknown zone is refused" "$CUSTOS" --case "$C" report --format html --tz Mars/Olympus_Mons
grep -q "Mars/Olympus_Mons" "$T/last.err"
ok $? "the refusal names the zone"

# The device's own zone (schema v3 items.timezone; added here when the
# case.db predates it).
sqlite3 "$C/case.db" "SELECT timezone FROM items LIMIT 0" 2>/dev/null ||
	sqlite3 "$C/case.db" "ALTER TABLE items ADD COLUMN timezone TEXT"
sqlite3 "$C/case.db" "UPDATE items SET timezone = 'Europe/Zurich'"
"$CUSTOS" --case "$C" report --format html >"$T/r.out" 2>&1 &&
	grep -h -B3 'SUMMER message' "$R"/chats/sms/*.html | grep -q '<time>2024-07-01 14:00:00 +02:00</time>' &&
	grep -q 'Europe/Zurich (设备时区' "$R/index.html"
ok $? "without --tz the device zone is used and named"
"$CUSTOS" --case "$C" report --format html --tz Asia/Shanghai >"$T/r.out" 2>&1 &&
	grep -h -B3 'SUMMER message' "$R"/chats/sms/*.html | grep -q '<time>2024-07-01 20:00:00 +08:00</time> (UTC 2024-07-01T12:00:00.000Z) <span class="devtime">设备时区 device: 2024-07-01 14:00:00 +02:00 (Europe/Zurich)</span>'
ok $? "--tz Asia/Shanghai on a Zurich phone: both times shown"
tap_done
