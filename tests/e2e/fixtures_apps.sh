#!/bin/sh
# fixtures/apps: every .sql builds with sqlite3, every make-sql.py reproduces
# its committed .sql, and the hand-written goldens (expected.json) agree with
# the rows in the SQL (row exists, time converted right, plain text equal).
. "$SRCDIR/tests/harness/tap.sh"
tap_setup fixtures_apps
tap_plan 26
export PYTHONDONTWRITEBYTECODE=1
A=$SRCDIR/fixtures/apps

for f in "$A"/*/*.sql; do
	rel=${f#"$A"/}
	rm -f "$T/x.db"
	sqlite3 -bail "$T/x.db" <"$f" >"$T/x.out" 2>&1; ok $? "sqlite3 builds $rel"
done
for app in qq-android sms-ios telegram-android; do
	sql=$(ls "$A/$app"/*.sql)
	python3 "$A/$app/make-sql.py" >"$T/$app.sql" 2>"$T/$app.err"
	cmp -s "$T/$app.sql" "$sql"; ok $? "$app/make-sql.py reproduces $(basename "$sql")"
done
mkdir -p "$T/wechat-ios"
python3 "$A/wechat-ios/make-sql.py" "$T/wechat-ios"
for f in MM.sqlite.sql message_1.sqlite.sql WCDB_Contact.sqlite.sql session.db.sql; do
	cmp -s "$T/wechat-ios/$f" "$A/wechat-ios/$f"; ok $? "wechat-ios/make-sql.py reproduces $f"
done

cat >"$T/goldens.py" <<'PY'
import json, os, sqlite3, sys
apps = sys.argv[1]
COCOA = 978307200
# app folder -> {table prefix: (time expression giving Unix ms, text expression or None)}
TIME = {
    "wechat-android": {"message": ("createTime", "content")},
    "sms-android": {"sms": ("date", "body"), "pdu": ("date * 1000", None)},
    "whatsapp-android": {"message": ("timestamp", "text_data")},
    "telegram-android": {"messages_v2": ("date * 1000", None)},
    "qq-android": {"mr_": ("time * 1000", None)},
    "sms-ios": {"message": ("CAST(round((date / 1000000000.0 + %d) * 1000) AS INTEGER)" % COCOA, "text")},
    "wechat-ios": {"Chat_": ("CreateTime * 1000", "Message")},
    "whatsapp-ios": {"ZWAMESSAGE": ("CAST(round((ZMESSAGEDATE + %d) * 1000) AS INTEGER)" % COCOA, "ZTEXT")},
    "qq-ios": {"tb_c2cMsg_": ("CAST(round(time * 1000) AS INTEGER)", "content"),
               "tb_TroopMsg_": ("msgtime * 1000", "strmsg")},
    "calllog-android": {"calls": ("date", None)},
    "callhistory-ios": {"ZCALLRECORD": ("CAST(round((ZDATE + %d) * 1000) AS INTEGER)" % COCOA, None)},
}
fails = checked = 0
for app in sorted(os.listdir(apps)):
    exp = json.load(open(os.path.join(apps, app, "expected.json"), encoding="utf-8"))
    dbs = {}
    if "databases" in exp:
        for name, d in exp["databases"].items():
            dbs[name] = d["sql"]
    else:
        dbs[exp["database"]] = exp["sql"]
    conns = {}
    for name, sql in dbs.items():
        c = sqlite3.connect(":memory:")
        c.executescript(open(os.path.join(apps, app, sql), encoding="utf-8").read())
        conns[name] = c
    default = next(iter(conns.values()))
    rules = TIME.get(app, {})
    for kind, tkey in (("messages", "sent_ms"), ("calls", "started_ms"), ("contacts", None)):
        for row in exp.get(kind, []):
            c = conns.get(row.get("database"), default)
            t = row.get("table")
            if t is None:
                continue
            if "rowid_key" in row:
                where = " AND ".join("%s = %d" % kv for kv in sorted(row["rowid_key"].items()))
            elif "rowid" in row:
                where = "rowid = %d" % row["rowid"]
            else:
                continue
            rule = next((v for k, v in rules.items() if t.startswith(k)), None)
            cols = ["1"]
            if rule and tkey:
                cols.append(rule[0])
                if rule[1]:
                    cols.append(rule[1])
            r = c.execute('SELECT %s FROM "%s" WHERE %s' % (", ".join(cols), t, where)).fetchone()
            checked += 1
            if r is None:
                print("%s: %s %s: no such row" % (app, t, where)); fails += 1; continue
            if rule and tkey and r[1] != row[tkey]:
                print("%s: %s %s: %s %r != source %r" % (app, t, where, tkey, row[tkey], r[1])); fails += 1
            if rule and tkey and rule[1] and row.get("kind") == "text" and "body" in row and r[2] is not None:
                src = r[2]
                if ":\n" in src and row.get("direction") == "incoming" and str(row.get("conversation", "")).endswith(("@chatroom",)):
                    src = src.split(":\n", 1)[1]
                if src != row["body"]:
                    print("%s: %s %s: body %r != source %r" % (app, t, where, row["body"], src)); fails += 1
print("checked %d, failed %d" % (checked, fails))
PY
out=$(python3 "$T/goldens.py" "$A")
like "$out" '^checked [1-9][0-9]*, failed 0$' "goldens agree with the SQL (rows, times, texts)"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
tap_done
