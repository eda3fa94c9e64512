#!/usr/bin/env python3
"""zip_tamper.py - tampered copies of a sealed package that unzip still
reads, the way an attacker would make them (verify_zip.sh uses them):

  zip_tamper.py MODE IN OUT [ARG]
    prepend   a stub before the first local header, every offset adjusted
    noadjust  the same stub, offsets left as they were
    append    bytes after the end of central directory record
    hidden    a local entry the central directory does not list, between
              the entries ARG (default 5) and ARG+1, later offsets adjusted
    reorder   the same entries rewritten with the two named by ARG
              ("a,b", default two evidence files) swapped
    comment   the zip comment with a second line added
    extra     a 16-byte extra field in the local header of entry ARG
"""
import struct
import sys
import zipfile

EOCD = b"PK\x05\x06"


def eocd_at(data):
    i = data.rfind(EOCD)
    assert i >= 0, "no end of central directory record"
    return i


def shift_offsets(data, after, delta):
    """Adds delta to every local-header offset >= after in the central
    directory and to the central directory offset (no ZIP64 here)."""
    e = eocd_at(data)
    n, cd_size, cd_off = struct.unpack_from("<HII", data, e + 10)
    out = bytearray(data)
    pos = cd_off
    for _ in range(n):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        nl, xl, cl = struct.unpack_from("<HHH", data, pos + 28)
        (off,) = struct.unpack_from("<I", data, pos + 42)
        if off >= after:
            struct.pack_into("<I", out, pos + 42, off + delta)
        pos += 46 + nl + xl + cl
    if cd_off >= after:
        struct.pack_into("<I", out, e + 16, cd_off + delta)
    return bytes(out)


def local_header(name, payload):
    import zlib
    nb = name.encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 10, 0, 0, 0x5A6E, 0x5D72,
                       zlib.crc32(payload), len(payload), len(payload), len(nb), 0) + nb + payload


def main():
    mode, src, dst = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    data = open(src, "rb").read()
    if mode in ("prepend", "noadjust"):
        stub = b"#!/bin/sh\necho self-extracting\nexit 0\n" + b"\0" * 89
        if mode == "prepend":
            data = shift_offsets(data, 0, len(stub))
        data = stub + data
    elif mode == "append":
        data = data + b"appended after sealing\n"
    elif mode == "hidden":
        z = zipfile.ZipFile(src)
        infos = sorted(z.infolist(), key=lambda i: i.header_offset)
        k = int(arg or 5)
        at = infos[k + 1].header_offset
        ins = local_header("evidence/hidden.txt", b"not in the central directory\n")
        data = shift_offsets(data, at, len(ins))
        data = data[:at] + ins + data[at:]
    elif mode == "extra":
        z = zipfile.ZipFile(src)
        infos = sorted(z.infolist(), key=lambda i: i.header_offset)
        k = int(arg or 5)
        off = infos[k].header_offset
        nl, xl = struct.unpack_from("<HH", data, off + 26)
        field = struct.pack("<HH", 0xCAFE, 12) + b"hidden bytes"
        data = shift_offsets(data, off + 1, len(field))
        out = bytearray(data)
        struct.pack_into("<H", out, off + 28, xl + len(field))
        at = off + 30 + nl + xl
        data = bytes(out[:at]) + field + bytes(out[at:])
    elif mode == "reorder":
        zi = zipfile.ZipFile(src)
        infos = zi.infolist()
        names = [i.filename for i in infos]
        if arg:
            a, b = arg.split(",")
        else:
            ev = [n for n in names if n.startswith("evidence/")]
            a, b = ev[0], ev[1]
        ia, ib = names.index(a), names.index(b)
        infos[ia], infos[ib] = infos[ib], infos[ia]
        with zipfile.ZipFile(dst, "w") as zo:
            for i in infos:
                zo.writestr(i, zi.read(i.filename))
            zo.comment = zi.comment
        return
    elif mode == "comment":
        e = eocd_at(data)
        (cl,) = struct.unpack_from("<H", data, e + 20)
        comment = data[e + 22:e + 22 + cl] + b"\nreviewed, nothing to add"
        data = data[:e + 20] + struct.pack("<H", len(comment)) + comment
    else:
        sys.exit("unknown mode " + mode)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
