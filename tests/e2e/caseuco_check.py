#!/usr/bin/env python3
"""caseuco_check.py TERMS DOC.jsonld [CASE.db] - checks a custos CASE/UCO document (tests).

Well-formed JSON-LD (one object with @context and @graph; every prefix used is in
@context); every @type and every property is a term of TERMS (the published CASE/UCO
terms custos uses); every @id defined once; every referenced @id defined. With CASE.db:
one Message / Contact / Call / payment per case.db row, each with a Contained_Within
relationship to the file object of its source whose SHA-256 is the one case.db records.
Prints counts; exits 1 naming the first problems.
"""
import json
import re
import sqlite3
import sys

KEYWORDS = {"@id", "@type", "@value", "@context", "@graph"}


def main():
    terms = {"class": set(), "property": set(), "datatype": set()}
    for line in open(sys.argv[1], encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            kind, term = line.split()
            terms[kind].add(term)
    doc = json.load(open(sys.argv[2], encoding="utf-8"))
    problems = []
    if not isinstance(doc, dict) or set(doc) != {"@context", "@graph"}:
        sys.exit("not one object with @context and @graph")
    ctx = doc["@context"]
    defined, refs, nodes = {}, [], []

    def prefix_ok(term):
        p = term.split(":", 1)[0]
        if p not in ctx:
            problems.append("prefix %s of %s not in @context" % (p, term))

    def walk(o):
        if isinstance(o, list):
            for v in o:
                walk(v)
            return
        if not isinstance(o, dict):
            return
        if "@value" in o:
            t = o.get("@type")
            if t not in terms["datatype"]:
                problems.append("datatype %s not a listed term" % t)
            elif set(o) - {"@type", "@value"}:
                problems.append("typed literal with extra keys %s" % sorted(o))
            return
        if "@id" in o and len(o) == 1:
            refs.append(o["@id"])
            return
        if "@id" in o:
            if o["@id"] in defined:
                problems.append("@id %s defined twice" % o["@id"])
            defined[o["@id"]] = o
            nodes.append(o)
        types = o.get("@type")
        for t in types if isinstance(types, list) else [types]:
            if t is None:
                problems.append("node without @type: %s" % o.get("@id"))
            elif t not in terms["class"]:
                problems.append("class %s not a listed term" % t)
            else:
                prefix_ok(t)
        for k, v in o.items():
            if k in KEYWORDS:
                continue
            if k not in terms["property"]:
                problems.append("property %s not a listed term" % k)
            else:
                prefix_ok(k)
            walk(v)

    if not isinstance(doc["@graph"], list):
        sys.exit("@graph is not a list")
    for n in doc["@graph"]:
        if not isinstance(n, dict) or "@id" not in n or "@type" not in n:
            problems.append("top-level node without @id/@type")
    walk(doc["@graph"])
    for r in refs:
        if r not in defined:
            problems.append("reference %s not defined" % r)
        elif not re.match(r"^kb:[a-z-]+-[0-9a-f]{32}$", r):
            problems.append("unexpected id form %s" % r)

    def of_type(t):
        return [n for n in nodes if n.get("@type") == t]

    counts = {t.split(":")[1]: len(of_type(t)) for t in (
        "uco-observable:Message", "uco-observable:Contact", "uco-observable:Call",
        "uco-observable:ApplicationAccount", "uco-identity:Person",
        "case-investigation:InvestigativeAction", "uco-observable:ObservableRelationship")}
    counts["payment"] = sum(1 for n in of_type("uco-observable:ObservableObject")
                            if n.get("uco-core:name") == "payment")

    if len(sys.argv) > 3:
        db = sqlite3.connect("file:%s?mode=ro" % sys.argv[3], uri=True)
        for table, key in (("messages", "Message"), ("contacts", "Contact"),
                           ("calls", "Call"), ("payments", "payment")):
            n = db.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
            if counts[key] != n:
                problems.append("%d %s objects, case.db has %d %s" % (counts[key], key, n, table))
        # file object @id -> SHA-256
        sha = {}
        for n in nodes:
            for f in n.get("uco-core:hasFacet", []):
                for h in f.get("uco-observable:hash", []):
                    if h["uco-types:hashMethod"]["@value"] == "SHA256":
                        sha[n["@id"]] = h["uco-types:hashValue"]["@value"]
        linked = 0
        for r in of_type("uco-observable:ObservableRelationship"):
            d = r.get("uco-core:description", "")
            m = re.match(r"case\.db (messages|contacts|calls|payments)/(\d+);", d)
            if not m or r.get("uco-core:kindOfRelationship") != "Contained_Within":
                continue
            table, rowid = m.group(1), int(m.group(2))
            pk = {"messages": "message_id", "contacts": "contact_id", "calls": "call_id",
                  "payments": "payment_id"}[table]
            want = db.execute("SELECT s.sha256 FROM %s t JOIN sources s ON s.source_id ="
                              " t.source_id WHERE t.%s = ?" % (table, pk), (rowid,)).fetchone()
            got = sha.get(r["uco-core:target"]["@id"])
            if want is None or got != want[0]:
                problems.append("%s/%d: source hash %s, case.db %s" % (table, rowid, got, want))
            linked += 1
        n = db.execute("SELECT (SELECT count(*) FROM messages WHERE source_id IS NOT NULL)"
                       " + (SELECT count(*) FROM contacts WHERE source_id IS NOT NULL)"
                       " + (SELECT count(*) FROM calls WHERE source_id IS NOT NULL)"
                       " + (SELECT count(*) FROM payments WHERE source_id IS NOT NULL)").fetchone()[0]
        if linked != n:
            problems.append("%d artifacts linked to their source file, case.db has %d" % (linked, n))
        counts["linked"] = linked
    for p in problems[:20]:
        print("problem: " + p)
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
    print("nodes=%d references=%d" % (len(defined), len(refs)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
