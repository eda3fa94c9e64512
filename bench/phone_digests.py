#!/usr/bin/env python3
"""phone_digests.py INVENTORY SHA_TXT MD5_TXT ROOT: every evidence file of a
custos inventory has the SHA-256 and MD5 that `openssl dgst -r` printed for
its copy under ROOT (the benchmarks' baseline copy), and openssl hashed no
file the inventory lacks. Exits non-zero on the first difference, so a
fast wrong import cannot pass a benchmark."""
import json
import sys


def load(path, root):
    out = {}
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        digest, name = line.rstrip("\n").split(" ", 1)
        out[name.lstrip("*")[len(root):]] = digest
    return out


def main():
    inv, sha_txt, md5_txt, root = sys.argv[1:]
    sha, md5 = load(sha_txt, root), load(md5_txt, root)
    n = 0
    for line in open(inv, encoding="utf-8", errors="surrogateescape"):
        r = json.loads(line)
        if r.get("kind") != "evidence" or r.get("type") != "file":
            continue
        p = r["device_path"]
        if sha.get(p) != r["sha256"] or md5.get(p) != r["md5"]:
            sys.exit("digest differs from openssl's for %r" % p)
        n += 1
    if n != len(sha) or n != len(md5):
        sys.exit("inventory lists %d files, openssl hashed %d" % (n, len(sha)))
    print("inventory: %d files, every SHA-256 and MD5 equal to openssl's" % n)


main()
