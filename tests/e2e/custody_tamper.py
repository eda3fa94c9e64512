#!/usr/bin/env python3
"""custody_tamper.py - one value changed in one custody entry of a sealed
package, the way an attacker without custos and without the examiner's key
would do it (verify_matrix.sh uses it):

  custody_tamper.py MODE PKG OUT EVENT
    asis     the first EVENT entry of custody/log.jsonl gets one value of
             its body changed (valid JSON, same key order, no whitespace);
             nothing else in the package changes
    rechain  the same change, then every later entry's prev recomputed
             (CUSTODY.md: leaf = SHA-256(0x00 || body bytes)), the changed
             and later entries unsigned (no key), the SEAL entry's content
             root kept, the manifest's custody size/head/root and the
             log's digests in package_files recomputed, manifest.json.sig
             and signatures[] dropped, the .tsq imprint, the zip comment,
             the .sha256 sidecar and the living log rewritten; the zip is
             written in the same (canonical) entry order and form
    initial  manifest.initial.json gets one value changed and its digests
             in package_files recomputed, manifest, comment, .tsq and
             sidecars rewritten as in rechain (EVENT is ignored)
    noinitial  manifest.initial.json removed and delisted, the rest as in
             initial: a package as an older custos sealed it

The value changed per kind is in CHANGE below. The zip is rewritten the
way people_attack.py does it (same order, dates, methods, attributes).
"""
import hashlib
import json
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from people_attack import h, mth  # noqa: E402

# EVENT: the path of the value in body changed (a string gets "X" appended,
# a number +1, a hex digest its first digit changed).
CHANGE = {
    "CASE_INIT": ("details", "clock"),
    "ACQUIRE_START": ("details", "format"),
    "IMPORT": ("details", "source"),
    "DERIVE": ("details", "method"),
    "MISMATCH": ("details", "read"),
    "PARSE": ("details", "counts", "messages"),
    "REPORT": ("details", "report_root", "root"),
    "MANIFEST_CHANGE": ("details", "reason"),
    "SEAL": ("details", "bytes"),
    "ERROR": ("details", "error"),
    "NOTE": ("details", "note"),
    "ANALYZE": ("details", "texts"),
    "EXPORT": ("details", "sha256"),
}


def changed(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if len(v) == 64 and all(c in "0123456789abcdef" for c in v):
        return ("1" if v[0] == "0" else "0") + v[1:]
    return v + "X"


def dump(b):
    return json.dumps(b, ensure_ascii=False, separators=(",", ":")).encode()


def split_line(line):
    """(body bytes, rest after the body) of one stored log line."""
    assert line.startswith(b'{"body":'), line[:40]
    body = json.loads(line)["body"]
    raw = dump(body)
    assert line[8:8 + len(raw)] == raw, "body not stored in the writer's form"
    return body, raw, line[8 + len(raw):]


def main():
    mode, src, out, event = sys.argv[1:5]
    zin = zipfile.ZipFile(src)
    infos = zin.infolist()
    data = {i.filename: zin.read(i.filename) for i in infos}
    man_bytes = data["manifest.json"]
    lines = data["custody/log.jsonl"].splitlines(keepends=True)
    rechain = mode in ("rechain", "initial", "noinitial")

    if mode == "initial":
        ini = json.loads(data["manifest.initial.json"])
        ini["case"]["case_title"] += "X"
        data["manifest.initial.json"] = (json.dumps(ini, ensure_ascii=False, indent=2) +
                                         "\n").encode()
    elif mode == "noinitial":
        del data["manifest.initial.json"]
    else:
        k = [i for i, l in enumerate(lines) if json.loads(l)["body"]["event"] == event][0]
        body, raw, rest = split_line(lines[k])
        v = body
        path = CHANGE[event]
        for p in path[:-1]:
            v = v[p]
        v[path[-1]] = changed(v[path[-1]])
        lines[k] = b'{"body":' + dump(body) + (b"}\n" if rechain else rest)
        if rechain:
            prev = None
            for i, l in enumerate(lines):
                b, raw, rest = split_line(l)
                if prev is not None and i > k:
                    b["prev"] = prev
                    raw = dump(b)
                    lines[i] = b'{"body":' + raw + b"}\n"
                prev = hashlib.sha256(b"\x00" + raw).hexdigest()
    log = b"".join(lines)
    data["custody/log.jsonl"] = log
    if not rechain:
        data_out(out, infos, data, zin.comment)
        return

    man = json.loads(man_bytes)
    leaves = [hashlib.sha256(b"\x00" + split_line(l)[1]).digest() for l in lines]
    man["custody"].update(size=len(leaves), head=leaves[-1].hex(), root=mth(leaves).hex())
    data.pop("manifest.json.sig", None)
    man["signatures"] = []
    man["package_files"] = [r for r in man["package_files"]
                            if r["path"] in data and r["path"] != "manifest.json.sig"]
    for r in man["package_files"]:
        if r["path"] in data:
            d = data[r["path"]]
            r["size"], r["sha256"], r["md5"] = len(d), h(d, "sha256"), h(d, "md5")
    mtext = (json.dumps(man, ensure_ascii=False, indent=2) + "\n").encode()
    seal_old = hashlib.sha256(man_bytes).digest()
    seal = hashlib.sha256(mtext).digest()
    data["manifest.json"] = mtext
    if "manifest.json.tsq" in data:
        data["manifest.json.tsq"] = data["manifest.json.tsq"].replace(seal_old, seal)
    data_out(out, infos, data, ("CUSTOS1 " + seal.hex()).encode())
    with open(out, "rb") as f:
        outer = hashlib.sha256(f.read()).hexdigest()
    with open(out + ".sha256", "w") as f:
        f.write("%s  %s\n" % (outer, out.rsplit("/", 1)[-1]))
    with open(out + ".custody.jsonl", "wb") as f:
        f.write(log)


def data_out(out, infos, data, comment):
    """The zip in the same order and form as the sealed one."""
    with zipfile.ZipFile(out, "w") as zo:
        for i in infos:
            if i.filename not in data:
                continue
            zi = zipfile.ZipInfo(i.filename, i.date_time)
            zi.compress_type, zi.external_attr = i.compress_type, i.external_attr
            zi.create_system = i.create_system
            zo.writestr(zi, data[i.filename])
        zo.comment = comment


if __name__ == "__main__":
    main()
