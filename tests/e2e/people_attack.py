#!/usr/bin/env python3
"""people_attack.py - the attack on the record, written without custos and
without the examiner's private key, for the signature tests.

  people_attack.py PKG OUT EVIDENCE-PATH [DELETE-SEQ]

Copies the sealed package PKG to OUT, replacing EVIDENCE-PATH's bytes
(flips one byte) and then making everything agree again: the file's
digests wherever they are written (manifest, inventory, case.jsonld), the
content root, the custody log (with DELETE-SEQ, that entry is removed and
the rest re-chained; every signature is dropped, the SEAL entry names the
new content root), the custody head/root/size, the other files' digests,
the .tsq's message imprint, the zip comment and the .sha256 sidecar;
manifest.json.sig is deleted and signatures[] emptied. The living log
beside OUT is the new log. Only the key can tell.
"""
import hashlib
import json
import sys
import zipfile


def h(data, alg):
    return hashlib.new(alg, data).hexdigest()


def mth(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def main():
    src, out, ev = sys.argv[1:4]
    delete = int(sys.argv[4]) if len(sys.argv) > 4 else None
    zin = zipfile.ZipFile(src)
    infos = zin.infolist()
    data = {i.filename: zin.read(i.filename) for i in infos}
    man = json.loads(data["manifest.json"])

    # 1. The evidence file and its digests wherever written.
    old = data[ev]
    new = bytearray(old)
    new[len(new) // 2] ^= 0xFF
    new = bytes(new)
    data[ev] = new
    swaps = [(h(old, a), h(new, a)) for a in ("sha256", "md5")]
    for name in ("inventory/A1.jsonl", "case.jsonld"):
        if name in data:
            t = data[name].decode("utf-8")
            for a, b in swaps:
                t = t.replace(a, b)
            data[name] = t.encode("utf-8")

    # 2. Content root over evidence and derived files.
    for r in man["files"] + man["derived"]:
        if r["path"] == ev:
            r["sha256"], r["md5"] = h(new, "sha256"), h(new, "md5")
    content = sorted(man["files"] + man["derived"], key=lambda r: r["path"].encode())
    leaves = [hashlib.sha256(b"\x00" + ("%s\x00%d\x00%s" % (r["path"], r["size"], r["sha256"])
                                        ).encode()).digest() for r in content]
    croot = mth(leaves).hex()
    man["content_root"]["root"] = croot

    # 3. The custody log re-chained, unsigned, SEAL naming the new root.
    bodies = [json.loads(l)["body"] for l in data["custody/log.jsonl"].decode().splitlines()]
    if delete is not None:
        del bodies[delete]
    lines, cleaves, prev = [], [], "0" * 64
    for i, b in enumerate(bodies):
        b["seq"], b["prev"] = i, prev
        if b["event"] == "SEAL":
            b["details"]["content_root"]["root"] = croot
        raw = json.dumps(b, ensure_ascii=False, separators=(",", ":")).encode()
        leaf = hashlib.sha256(b"\x00" + raw).digest()
        cleaves.append(leaf)
        prev = leaf.hex()
        lines.append(b'{"body":' + raw + b"}\n")
    log = b"".join(lines)
    data["custody/log.jsonl"] = log
    man["custody"].update(size=len(bodies), head=prev, root=mth(cleaves).hex())

    # 4. No signature; the other files' digests; the manifest's bytes.
    data.pop("manifest.json.sig", None)
    man["signatures"] = []
    man["package_files"] = [r for r in man["package_files"] if r["path"] != "manifest.json.sig"]
    for r in man["package_files"]:
        if r["path"] in data:
            d = data[r["path"]]
            r["size"], r["sha256"], r["md5"] = len(d), h(d, "sha256"), h(d, "md5")
    mtext = (json.dumps(man, ensure_ascii=False, indent=2) + "\n").encode()
    seal_old = hashlib.sha256(data["manifest.json"]).digest()
    seal = hashlib.sha256(mtext).digest()
    data["manifest.json"] = mtext
    if "manifest.json.tsq" in data:
        data["manifest.json.tsq"] = data["manifest.json.tsq"].replace(seal_old, seal)

    # 5. The zip in the same order and form, comment and sidecars.
    with zipfile.ZipFile(out, "w") as zo:
        for i in infos:
            if i.filename not in data:
                continue
            zi = zipfile.ZipInfo(i.filename, i.date_time)
            zi.compress_type, zi.external_attr = i.compress_type, i.external_attr
            zi.create_system = i.create_system
            zo.writestr(zi, data[i.filename])
        zo.comment = ("CUSTOS1 " + seal.hex()).encode()
    with open(out, "rb") as f:
        outer = hashlib.sha256(f.read()).hexdigest()
    with open(out + ".sha256", "w") as f:
        f.write("%s  %s\n" % (outer, out.rsplit("/", 1)[-1]))
    with open(out + ".custody.jsonl", "wb") as f:
        f.write(log)
    print(seal.hex())


if __name__ == "__main__":
    main()
