#!/usr/bin/env python3
"""expected.py - the one checker of fixtures/apps/<app>/expected.json
(format custos-fixture-expected/1, described in fixtures/README.md).

  expected.py build APP_DIR OUT_ROOT
      loads every database's .sql into OUT_ROOT/<device path> (and the
      files an app needs beside it: QQ's XOR key, WeChat iOS's MMKV file).
  expected.py check APP_DIR CASE_DB ITEM OUT_ROOT
      compares the case.db rows of ITEM with expected.json.
  expected.py sources APPS_DIR
      every fixtures/apps/*/expected.json against its own source SQL (the
      rows it names exist, times and texts agree): the goldens are right.

Rules of `check`:
- Every key of every expected row is asserted (KEYS below says how). A key
  the checker has no rule for fails, so a new key needs a rule here first.
- An expected row that case.db lacks fails; so does a value that differs.
  A key that is absent from an expected row is not asserted (the format:
  sender of outgoing SMS, body of media, ...).
- Extra rows: a case.db row of ITEM in a section (messages, contacts,
  calls, payments, conversations, accounts) that no expected row matched
  fails when it comes from a table (source_table) the section's expected
  rows name, or, for conversations and accounts, always. Rows from other
  tables are the parser's choice (fixtures/README.md: e.g. Alipay notices).
- KNOWN lists the extra rows the parsers give today that expected.json
  does not have, each with the reason: reported, not failed; a KNOWN row
  that no longer appears fails, so the list cannot go stale.
- `rowids` (payments): the payment's source_rowid is one of them, and when
  case.db has messages from those source rows (same file and table: a
  transfer's or a notice's own message), the payment links one of them
  (payments.message_id); a payment never links a message from other rows.
- `hits` is informational (for the keyword scanners, which parse does not
  run) and `note` is text for people: neither is asserted.
Prints one line per mismatch and exits 1 if there is any; a crash exits
non-zero too, so the calling test fails either way.
"""
import json
import os
import sqlite3
import sys

TOP_KEYS = {"app", "platform", "database", "sql", "device_path", "databases", "format",
            "generator", "note", "encryption", "xor_key", "deleted_hint", "hits",
            "accounts", "contacts", "conversations", "messages", "calls", "payments"}


def dest(root, device_path):
    return os.path.join(root, device_path.lstrip("/"))


def databases(exp):
    """name -> (sql file, device path)"""
    if "databases" in exp:
        return {name: (d["sql"], d["device_path"]) for name, d in exp["databases"].items()}
    return {exp["database"]: (exp["sql"], exp["device_path"])}


def load(app_dir):
    with open(os.path.join(app_dir, "expected.json"), encoding="utf-8") as f:
        exp = json.load(f)
    if exp.get("format") != "custos-fixture-expected/1":
        raise SystemExit("%s: format %r" % (app_dir, exp.get("format")))
    unknown = set(exp) - TOP_KEYS
    if unknown:
        raise SystemExit("%s: no rule for top-level keys %s" % (app_dir, sorted(unknown)))
    return exp


def build(app_dir, root):
    exp = load(app_dir)
    for sql, dp in databases(exp).values():
        path = dest(root, dp)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.remove(path)
        c = sqlite3.connect(path)
        with open(os.path.join(app_dir, sql), encoding="utf-8") as f:
            c.executescript(f.read())
        c.commit()
        c.close()
    if "xor_key" in exp:
        path = dest(root, exp["xor_key"]["device_path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(exp["xor_key"]["value"])
    if exp["app"] == "wechat" and exp["platform"] == "ios":
        # WeChat iOS names the owner only in its MMKV settings file name
        # (Documents/MMappedKV/mmsetting.archive.<wxid>).
        dp = next(iter(databases(exp).values()))[1]
        docs = dp.split("/Documents/")[0] + "/Documents"
        kv = dest(root, "%s/MMappedKV/mmsetting.archive.%s" % (docs, exp["accounts"][0]["identifier"]))
        os.makedirs(os.path.dirname(kv), exist_ok=True)
        with open(kv, "wb") as f:
            f.write(b"\x00mmkv")


def same(got, want):
    if isinstance(want, bool):
        return got is not None and not isinstance(got, str) and bool(got) == want and got in (0, 1)
    if isinstance(want, int) and isinstance(got, int):
        return got == want
    return type(got) is type(want) and got == want


def exact(col):
    def rule(db, row, want):
        return same(row[col], want), row[col]
    return rule


def contains(col):
    def rule(db, row, want):
        return row[col] is not None and want in row[col], row[col]
    return rule


def conversation(db, row, want):
    r = db.execute("SELECT identifier FROM conversations WHERE conversation_id = ?",
                   (row["conversation_id"],)).fetchone()
    got = r[0] if r else None
    return got == want, got


def source_path(db, source_id):
    r = db.execute("SELECT device_path FROM sources WHERE source_id = ?", (source_id,)).fetchone()
    return r[0] if r else None


def located(db, row, want):
    return True, want  # the key chose the row: asserted by finding it


def emails(db, row, want):
    return row["email"] == ", ".join(want), row["email"]


def organization(db, row, want):
    got = (row["display_name"], row["remark"])
    return row["display_name"] == want or want in (row["remark"] or "").split("\n"), got


def deleted(db, row, want):
    return (row["status"] == "deleted") == want, row["status"]


def rowids(db, row, want):
    """The payment's source_rowid is one of its source rows; and when case.db
    has messages from those rows (same file and table), the payment links one
    of them (message_id); it never links a message from other rows."""
    links = [r[0] for r in db.execute(
        "SELECT message_id FROM messages WHERE item_id = ? AND source_id IS ? AND "
        "source_table IS ? AND source_rowid IN (%s)" % ",".join("?" * len(want)),
        [row["item_id"], row["source_id"], row["source_table"]] + list(want))]
    linked = row["message_id"] in links if links or row["message_id"] is not None else True
    got = "source_rowid %r, message_id %r (messages from those rows: %r)" % (
        row["source_rowid"], row["message_id"], links)
    return row["source_rowid"] in want and linked, got


def conv_table(db, row, want):
    n = db.execute("SELECT count(*) FROM messages WHERE conversation_id = ? AND source_table = ?",
                   (row["conversation_id"], want)).fetchone()[0]
    return n > 0, "%d messages from it" % n


def not_asserted(db, row, want):
    return True, want


# section -> case.db table, and expected key -> rule(db, row, want) -> (ok, got)
KEYS = {
    "messages": ("messages", {
        "table": exact("source_table"), "rowid": exact("source_rowid"), "rowid_key": located,
        "conversation": conversation, "sender": exact("sender"),
        "sender_name": exact("sender_name"), "direction": exact("direction"),
        "sent_ms": exact("sent_ms"), "kind": exact("kind"), "raw_type": exact("raw_type"),
        "body": exact("body"), "body_contains": contains("body"), "app": exact("app"),
        "status": exact("status"), "attachment_contains": contains("attachment"),
        "sent_device_ms": exact("sent_device_ms"), "sim_slot": exact("sim_slot"),
        "service_center": exact("service_center"), "note": not_asserted}),
    "contacts": ("contacts", {
        "table": exact("source_table"), "rowid": exact("source_rowid"),
        "identifier": exact("identifier"), "display_name": exact("display_name"),
        "alias": exact("alias"), "remark": exact("remark"), "phone": exact("phone"),
        "app": exact("app"), "emails": emails, "nickname": exact("alias"),
        "organization": organization, "deleted": deleted, "note": not_asserted}),
    "calls": ("calls", {
        "table": exact("source_table"), "rowid": exact("source_rowid"),
        "counterpart": exact("counterpart"), "direction": exact("direction"),
        "started_ms": exact("started_ms"), "duration_s": exact("duration_s"),
        "answered": exact("answered"), "app": exact("app"),
        "cached_name": exact("cached_name"), "country": exact("country"),
        "geocoded_location": exact("geocoded_location"), "note": not_asserted}),
    "payments": ("payments", {
        "app": exact("app"), "kind": exact("kind"), "direction": exact("direction"),
        "amount_minor": exact("amount_minor"), "currency": exact("currency"),
        "counterparty": exact("counterparty"), "counterparty_name": exact("counterparty_name"),
        "transaction_id": exact("transaction_id"), "status": exact("status"),
        "memo": exact("memo"), "occurred_ms": exact("occurred_ms"),
        "balance_minor": exact("balance_minor"), "bank": exact("bank"),
        "card_tail": exact("account"), "table": exact("source_table"), "rowids": rowids,
        "note": not_asserted}),
    "conversations": ("conversations", {
        "identifier": exact("identifier"), "title": exact("title"),
        "is_group": exact("is_group"), "app": exact("app"), "table": conv_table,
        "note": not_asserted}),
    "accounts": ("accounts", {
        "identifier": exact("identifier"), "display_name": exact("display_name"),
        "note": not_asserted}),
}
# (app, section, source_table, source_rowid) -> why the extra row is known
KNOWN = {
    ("whatsapp-android", "contacts", "wa_contacts", 3):
        "the group JID 120363041234567890@g.us is reported as a contact; "
        "expected.json lists people only",
}
ID = {"messages": "message_id", "contacts": "contact_id", "calls": "call_id",
      "payments": "payment_id", "conversations": "conversation_id", "accounts": "account_id"}


def find(db, section, item, want, srcs, first):
    """The case.db rows an expected row names (a list; one is a match)."""
    table = KEYS[section][0]
    q = "SELECT * FROM %s WHERE item_id = ?" % table
    args = [item]
    if section in ("messages", "calls") or (section == "contacts" and "rowid" in want):
        rowid = want.get("rowid")
        if rowid is None:
            keys = sorted(want["rowid_key"])
            src = sqlite3.connect(srcs[want.get("database")] if "database" in want else first)
            r = src.execute('SELECT rowid FROM "%s" WHERE %s' % (
                want["table"], " AND ".join('"%s" = ?' % k for k in keys)),
                [want["rowid_key"][k] for k in keys]).fetchone()
            src.close()
            if r is None:
                raise SystemExit("%s: rowid_key %r names no source row" % (section, want["rowid_key"]))
            rowid = r[0]
        q += " AND source_table = ? AND source_rowid = ?"
        args += [want["table"], rowid]
    elif section == "payments":
        if "transaction_id" in want:
            q += " AND transaction_id = ?"
            args.append(want["transaction_id"])
        else:
            q += " AND source_table = ? AND source_rowid IN (%s)" % ",".join("?" * len(want["rowids"]))
            args += [want["table"]] + list(want["rowids"])
    else:  # contacts without rowid, conversations, accounts: by identifier
        q += " AND identifier IS ?"
        args.append(want.get("identifier"))
    if "app" in want and section != "payments":
        q += " AND app = ?"
        args.append(want["app"])
    return db.execute(q, args).fetchall()


def check(app_dir, case_db, item, root):
    exp = load(app_dir)
    db = sqlite3.connect("file:%s?mode=ro" % case_db, uri=True)
    db.row_factory = sqlite3.Row
    srcs = {name: dest(root, dp) for name, (_sql, dp) in databases(exp).items()}
    first = next(iter(srcs.values()))
    bad = []
    app = os.path.basename(os.path.normpath(app_dir))
    known = {k: v for k, v in KNOWN.items() if k[0] == app}
    for section, (table, rules) in KEYS.items():
        matched = set()
        tables = set()
        for i, want in enumerate(exp.get(section, [])):
            what = "%s[%d]" % (section, i)
            unknown = set(want) - set(rules) - {"database"}
            if unknown:
                bad.append("%s: no rule for keys %s" % (what, sorted(unknown)))
                continue
            if "table" in want:
                tables.add(want["table"])
            rows = find(db, section, item, want, srcs, first)
            if len(rows) != 1:
                bad.append("%s %s: %d rows in case.db, want 1" % (
                    what, json.dumps(want, ensure_ascii=False)[:160], len(rows)))
                continue
            row = rows[0]
            matched.add(row[ID[section]])
            for k, v in want.items():
                if k == "database":
                    got = source_path(db, row["source_id"])
                    ok = got is not None and got.lstrip("/") == databases(exp)[v][1].lstrip("/")
                else:
                    ok, got = rules[k](db, row, v)
                if not ok:
                    bad.append("%s: %s = %r, want %r" % (what, k, got, v))
        # rows no expected row accounts for
        q = "SELECT * FROM %s WHERE item_id = ?" % table
        for row in db.execute(q, (item,)).fetchall():
            if row[ID[section]] in matched:
                continue
            if section in ("conversations", "accounts"):
                if exp.get(section):
                    bad.append("%s: extra row %r" % (section, tuple(row)))
            elif row["source_table"] in tables:
                why = known.pop((app, section, row["source_table"], row["source_rowid"]), None)
                if why is None:
                    bad.append("%s: extra row %r" % (section, tuple(row)))
                else:
                    print("# known: %s %s/%s: %s" % (section, row["source_table"],
                                                     row["source_rowid"], why))
    for k in known:
        bad.append("KNOWN %r no longer occurs: remove it from expected.py" % (k,))
    for b in bad:
        print("# " + b)
    return 1 if bad else 0


def sources(apps):
    """Every expected row against the row of the source SQL it names: the row
    exists, its time converts to the expected value, its text is the body."""
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
    return 1 if fails or not checked else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) == 3 and sys.argv[1] == "sources":
        sys.exit(sources(sys.argv[2]))
    if len(sys.argv) == 6 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
    sys.exit(__doc__)
