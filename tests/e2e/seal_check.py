#!/usr/bin/env python3
"""seal_check.py - independent checks of a custos package for the seal tests.

Written from the public contracts (PACKAGE.md, CUSTODY.md, MANIFEST.md) with
python's zipfile/hashlib/json only, so the tests do not only agree with
custos itself.

  seal_check.py crosscheck PKG      digests, coverage, content root, custody chain
  seal_check.py jsonld PKG          CASE/UCO structure of case.jsonld
  seal_check.py tamper PKG OUT MODE [ARG...]   write a tampered copy
  seal_check.py proof-tamper IN OUT            flip one audit path hash
"""
import hashlib
import json
import sys
import zipfile

FIXED = {"mimetype", "manifest.json", "manifest.json.sig", "manifest.json.tsq",
         "manifest.json.tsr"}


def sha(b):
    return hashlib.sha256(b).digest()


def mth(leaves):
    """RFC 6962 tree hash over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def fail(msg):
    print("FAIL " + msg)
    return 1


def crosscheck(pkg):
    bad = 0
    z = zipfile.ZipFile(pkg)
    names = z.namelist()
    if names[0] != "mimetype" or z.read("mimetype") != b"application/vnd.custos.evidence+zip;version=1":
        bad |= fail("mimetype")
    if z.getinfo("mimetype").compress_type != zipfile.ZIP_STORED:
        bad |= fail("mimetype not stored")
    mtext = z.read("manifest.json")
    seal = hashlib.sha256(mtext).hexdigest()
    if z.comment.decode() != "CUSTOS1 " + seal:
        bad |= fail("zip comment %r" % z.comment)
    m = json.loads(mtext)
    rows = m["files"] + m["derived"] + m["package_files"]
    listed = {r["path"]: r for r in rows}
    if len(listed) != len(rows):
        bad |= fail("duplicate rows")
    for n in names:
        if n in FIXED:
            continue
        if n not in listed:
            bad |= fail("entry %s not listed" % n)
            continue
        data = z.read(n)
        r = listed[n]
        if len(data) != r["size"] or hashlib.sha256(data).hexdigest() != r["sha256"] \
                or hashlib.md5(data).hexdigest() != r["md5"]:
            bad |= fail("digest of %s" % n)
        if n.startswith("evidence/") and z.getinfo(n).compress_type != zipfile.ZIP_STORED:
            bad |= fail("evidence %s not stored" % n)
    for p in listed:
        if p not in names:
            bad |= fail("listed %s missing" % p)
    # content root (CUSTODY.md): path 0x00 size 0x00 sha256hex, sorted bytewise
    content = sorted(m["files"] + m["derived"], key=lambda r: r["path"].encode())
    leaves = [sha(b"\x00" + r["path"].encode() + b"\x00" + str(r["size"]).encode() + b"\x00"
                  + r["sha256"].encode()) for r in content]
    root = mth(leaves).hex()
    if root != m["content_root"]["root"] or len(content) != m["content_root"]["size"]:
        bad |= fail("content root %s != %s" % (root, m["content_root"]["root"]))
    # custody chain: leaf over the stored body span
    log = z.read("custody/log.jsonl")
    leaves = []
    prev = "0" * 64
    for i, line in enumerate(log.rstrip(b"\n").split(b"\n")):
        start = line.index(b'{"body":') + 8
        depth, j, instr, esc = 0, start, False, False
        while True:
            c = line[j:j + 1]
            if instr:
                if esc:
                    esc = False
                elif c == b"\\":
                    esc = True
                elif c == b'"':
                    instr = False
            elif c == b'"':
                instr = True
            elif c == b"{":
                depth += 1
            elif c == b"}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        body = line[start:j + 1]
        b = json.loads(body)
        if b["seq"] != i or b["prev"] != prev:
            bad |= fail("custody line %d" % (i + 1))
        leaf = sha(b"\x00" + body)
        leaves.append(leaf)
        prev = leaf.hex()
    cu = m["custody"]
    if cu["size"] != len(leaves) or cu["head"] != prev or cu["root"] != mth(leaves).hex():
        bad |= fail("custody head/root")
    if json.loads(log.rstrip(b"\n").split(b"\n")[-1])["body"]["event"] != "SEAL":
        bad |= fail("last custody entry is not SEAL")
    print("seal %s content_root %s files %d" % (seal, root, len(content)))
    return bad


def jsonld(pkg):
    bad = 0
    z = zipfile.ZipFile(pkg)
    doc = json.loads(z.read("case.jsonld"))
    m = json.loads(z.read("manifest.json"))
    ctx = doc["@context"]
    for p in ("case-investigation", "uco-core", "uco-observable", "uco-action", "uco-tool"):
        if p not in ctx or not ctx[p].startswith("https://ontology."):
            bad |= fail("context %s" % p)
    ids, refs, types, hashes = [], [], set(), set()

    def walk(o, top):
        if isinstance(o, dict):
            if "@id" in o and ("@type" in o or len(o) > 1):
                ids.append(o["@id"])
            elif "@id" in o and len(o) == 1:
                refs.append(o["@id"])
            if "@type" in o:
                types.add(o["@type"])
            if o.get("@type") == "xsd:hexBinary":
                hashes.add(o["@value"])
            for v in o.values():
                walk(v, False)
        elif isinstance(o, list):
            for v in o:
                walk(v, False)
    walk(doc["@graph"], True)
    for t in ("case-investigation:Investigation", "case-investigation:InvestigativeAction",
              "case-investigation:ProvenanceRecord", "uco-observable:ObservableObject",
              "uco-observable:FileFacet", "uco-observable:ContentDataFacet",
              "uco-observable:DeviceFacet", "uco-observable:MobileDeviceFacet",
              "uco-tool:Tool", "uco-types:Hash"):
        if t not in types:
            bad |= fail("type %s missing" % t)
    if len(ids) != len(set(ids)):
        bad |= fail("duplicate @id")
    for r in refs:
        if r not in ids:
            bad |= fail("dangling reference %s" % r)
    for r in m["files"] + m["derived"]:
        if r["sha256"] not in hashes or r["md5"] not in hashes:
            bad |= fail("hash of %s not in case.jsonld" % r["path"])
    # Layout: every file node, and every reference to a file, is one line
    # holding exactly its compact serialisation; each file has its node.
    raw = z.read("case.jsonld").decode("utf-8")
    nodes = {n["@id"]: n for n in doc["@graph"] if n["@id"].startswith("kb:file-")}
    lines = [ln.strip().rstrip(",") for ln in raw.split("\n")]
    one = {ln for ln in lines if ln.startswith('{"@id":"kb:file-')}
    for i, n in nodes.items():
        if json.dumps(n, ensure_ascii=False, separators=(",", ":")) not in one:
            bad |= fail("file node %s is not one compact line" % i)
        if json.dumps({"@id": i}, separators=(",", ":")) not in one:
            bad |= fail("no one-line reference to %s" % i)
    if len(nodes) != len(m["files"]) + len(m["derived"]):
        bad |= fail("%d file nodes for %d files" % (len(nodes), len(m["files"]) + len(m["derived"])))
    print("%d nodes, %d references" % (len(ids), len(refs)))
    return bad


def tamper(pkg, out, mode, args):
    zin = zipfile.ZipFile(pkg)
    entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    res = []
    for info, data in entries:
        n = info.filename
        if mode == "flip" and n == args[0]:
            off = int(args[1]) if len(args) > 1 else len(data) // 2
            data = data[:off] + bytes([data[off] ^ 0x01]) + data[off + 1:]
        elif mode == "manifest" and n == "manifest.json":
            # one hex digit of the first sha256 value: still valid JSON
            k = data.index(b'"sha256": "') + 11
            data = data[:k] + (b"0" if data[k:k + 1] != b"0" else b"1") + data[k + 1:]
        elif mode.startswith("custody") and n == "custody/log.jsonl":
            lines = data.rstrip(b"\n").split(b"\n")
            if mode == "custody-flip":
                i = int(args[0]) - 1
                ln = lines[i]
                k = ln.index(b'"time":"') + 10
                lines[i] = ln[:k] + bytes([ln[k] ^ 0x01]) + ln[k + 1:]
            elif mode == "custody-delete":
                del lines[int(args[0]) - 1]
            elif mode == "custody-swap":
                a, b = int(args[0]) - 1, int(args[1]) - 1
                lines[a], lines[b] = lines[b], lines[a]
            data = b"\n".join(lines) + b"\n"
        res.append((info, data))
    with zipfile.ZipFile(out, "w") as zo:
        for info, data in res:
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zo.writestr(zi, data)
        zo.comment = zin.comment
    return 0


def proof_tamper(src, out):
    p = json.load(open(src))
    h = p["audit_path"][0] if p["audit_path"] else p["sha256"]
    flipped = ("0" if h[0] != "0" else "1") + h[1:]
    if p["audit_path"]:
        p["audit_path"][0] = flipped
    else:
        p["sha256"] = flipped
    json.dump(p, open(out, "w"))
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "crosscheck":
        return crosscheck(sys.argv[2])
    if cmd == "jsonld":
        return jsonld(sys.argv[2])
    if cmd == "tamper":
        return tamper(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    if cmd == "proof-tamper":
        return proof_tamper(sys.argv[2], sys.argv[3])
    return 2


if __name__ == "__main__":
    sys.exit(main())
