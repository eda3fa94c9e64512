#!/usr/bin/env python3
"""check_fixture.py build APP_DIR OUT_ROOT
       check_fixture.py check APP_DIR CASE_DB ITEM OUT_ROOT

Cross-check against the fixture helper's hand-written goldens
(fixtures/apps/<app>/expected.json, format custos-fixture-expected/1):
`build` loads <db>.sql into OUT_ROOT/<device path> (and the QQ key file);
`check` compares case.db rows of ITEM with expected.json: a key present in
expected.json is asserted exactly, an absent key is not asserted; the
number of messages must match. Prints every mismatch; exit 1 if any."""
import json
import os
import sqlite3
import sys


def dest(root, device_path):
    return os.path.join(root, device_path.lstrip("/"))


def databases(exp):
    if "databases" in exp:
        return [(name, d["sql"], d["device_path"]) for name, d in exp["databases"].items()]
    return [(exp["database"], exp["sql"], exp["device_path"])]


def build(app_dir, root):
    exp = json.load(open(os.path.join(app_dir, "expected.json"), encoding="utf-8"))
    for _name, sql, dp in databases(exp):
        path = dest(root, dp)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.remove(path)
        c = sqlite3.connect(path)
        c.executescript(open(os.path.join(app_dir, sql), encoding="utf-8").read())
        c.commit()
        c.close()
    if "xor_key" in exp:
        path = dest(root, exp["xor_key"]["device_path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(exp["xor_key"]["value"])


def check(app_dir, case_db, item, root):
    exp = json.load(open(os.path.join(app_dir, "expected.json"), encoding="utf-8"))
    app = exp["app"]
    db = sqlite3.connect("file:%s?mode=ro" % case_db, uri=True)
    db.row_factory = sqlite3.Row
    bad = []
    srcs = {name: dest(root, dp) for name, _sql, dp in databases(exp)}
    first = next(iter(srcs.values()))

    def cmp(what, row, want, keys):
        for k, col in keys:
            if k in want and row[col] != want[k]:
                bad.append("%s: %s = %r, want %r" % (what, k, row[col], want[k]))

    for a in exp.get("accounts", []):
        rows = db.execute("SELECT * FROM accounts WHERE item_id=? AND app=? AND identifier=?",
                          (item, app, a["identifier"])).fetchall()
        if not rows:
            bad.append("account %s missing" % a["identifier"])
        elif "display_name" in a and rows[0]["display_name"] != a["display_name"]:
            bad.append("account %s: display_name %r" % (a["identifier"], rows[0]["display_name"]))
    for c in exp.get("contacts", []):
        if "rowid" in c:
            r = db.execute("SELECT * FROM contacts WHERE item_id=? AND app=? AND source_table=?"
                           " AND source_rowid=?", (item, app, c["table"], c["rowid"])).fetchone()
        else:
            r = db.execute("SELECT * FROM contacts WHERE item_id=? AND app=? AND identifier=?",
                           (item, app, c.get("identifier"))).fetchone()
        if r is None:
            bad.append("contact %r missing" % c)
            continue
        cmp("contact %s" % c.get("identifier"), r, c, [(k, k) for k in
            ("identifier", "display_name", "alias", "remark", "phone")])
    for v in exp.get("conversations", []):
        r = db.execute("SELECT * FROM conversations WHERE item_id=? AND app=? AND identifier=?",
                       (item, app, v["identifier"])).fetchone()
        if r is None:
            bad.append("conversation %s missing" % v["identifier"])
            continue
        cmp("conversation %s" % v["identifier"], r, v, [("title", "title"), ("is_group", "is_group")])
    n = db.execute("SELECT count(*) FROM messages WHERE item_id=? AND app=?", (item, app)).fetchone()[0]
    if n != len(exp.get("messages", [])):
        bad.append("%d messages, want %d" % (n, len(exp.get("messages", []))))
    for m in exp.get("messages", []):
        rowid = m.get("rowid")
        if rowid is None:
            src = sqlite3.connect(srcs.get(m.get("database"), first))
            keys = sorted(m["rowid_key"])
            rowid = src.execute("SELECT rowid FROM %s WHERE %s" % (
                m["table"], " AND ".join("%s=?" % k for k in keys)),
                [m["rowid_key"][k] for k in keys]).fetchone()[0]
            src.close()
        r = db.execute("SELECT m.*, c.identifier AS conv FROM messages m LEFT JOIN conversations c"
                       " ON c.conversation_id = m.conversation_id WHERE m.item_id=? AND m.app=?"
                       " AND m.source_table=? AND m.source_rowid=?",
                       (item, app, m["table"], rowid)).fetchone()
        what = "message %s/%s" % (m["table"], rowid)
        if r is None:
            bad.append(what + " missing")
            continue
        cmp(what, r, m, [("conversation", "conv"), ("sender", "sender"), ("direction", "direction"),
                         ("sent_ms", "sent_ms"), ("kind", "kind"), ("raw_type", "raw_type"),
                         ("body", "body")])
        if "body_contains" in m and m["body_contains"] not in (r["body"] or ""):
            bad.append("%s: body %r lacks %r" % (what, r["body"], m["body_contains"]))
        if "attachment_contains" in m and m["attachment_contains"] not in (r["attachment"] or ""):
            bad.append("%s: attachment %r lacks %r" % (what, r["attachment"], m["attachment_contains"]))
    for c in exp.get("calls", []):
        r = db.execute("SELECT * FROM calls WHERE item_id=? AND app=? AND source_table=? AND"
                       " source_rowid=?", (item, app, c["table"], c["rowid"])).fetchone()
        if r is None:
            bad.append("call %s/%s missing" % (c["table"], c["rowid"]))
            continue
        cmp("call %s" % c["rowid"], r, c, [(k, k) for k in
            ("counterpart", "direction", "started_ms", "duration_s", "answered")])
    for b in bad:
        print("# " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
