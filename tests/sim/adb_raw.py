#!/usr/bin/env python3
"""adb_raw.py - a tiny, strict ADB host client (Python 3 stdlib) for checking the simulator
packet by packet where Debian's adb is too forgiving or hides the detail (faults, checksums,
fragmentation, raw sync replies). Not a model for custos: it exists to test tests/sim.

usage: adb_raw.py HOST:PORT [--version V] [--maxdata N] [--bad-sum] [--key KEY.pem]
                  [--send-pubkey] [--timeout S] [--out FILE] ACTION [ARG...]

ACTION: cnxn                 handshake only; prints "online banner=..."
        shell CMD            shell,v2,raw: (or shell: with --v1-shell); stdout to --out
        exec CMD             exec:; output to --out
        service SERVICE      any service (e.g. backup:-all); output to --out
        open SERVICE         OPEN only; prints "okay" or "refused"
        recv PATH            sync RECV; data to --out
        stat PATH | sta2 PATH | lst2 PATH | list PATH | lis2 PATH
        send PATH            sync SEND of 5 bytes (must be refused)
Every run ends with one line "result: ..." and a summary "packets=N wrte_max=N checksums=ok|zero|bad".
Device packets are checked: magic, length <= 1 MiB, checksum (when non-zero or required).
AUTH: a TOKEN is signed with `openssl pkeyutl` (PKCS#1 v1.5, SHA-1 DigestInfo, the token
as the digest) using --key; a refused signature is followed by the public key with
--send-pubkey, else the run ends "result: unauthorized".
"""
import argparse
import base64
import os
import socket
import struct
import subprocess
import sys
import time

CMDS = {b"CNXN": 0x4E584E43, b"AUTH": 0x48545541, b"OPEN": 0x4E45504F, b"OKAY": 0x59414B4F,
        b"CLSE": 0x45534C43, b"WRTE": 0x45545257}
NAME = {v: k.decode() for k, v in CMDS.items()}


class End(Exception):
    pass


class Client:
    def __init__(self, a):
        self.a = a
        host, port = a.addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=a.timeout)
        self.sock.settimeout(a.timeout)
        self.version = 0x01000000
        self.packets = 0
        self.bytes = 0
        self.wrte_max = 0
        self.sums = "zero"
        self.maxdata = 4096
        self.connected = False

    def send(self, cmd, a0, a1, data=b""):
        need = self.version < 0x01000001 or self.a.bad_sum
        check = sum(data) & 0xFFFFFFFF if need else 0
        if self.a.bad_sum:
            check = (check + 1) & 0xFFFFFFFF
        self.sock.sendall(struct.pack("<6I", cmd, a0, a1, len(data), check, cmd ^ 0xFFFFFFFF) + data)

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                d = self.sock.recv(n - len(buf))
            except socket.timeout:
                raise End("stalled: nothing for %ss after %d packets" % (self.a.timeout, self.packets))
            except ConnectionResetError:
                d = b""
            if not d:
                raise End("eof after %d bytes (%d packets)" % (self.bytes + len(buf), self.packets))
            buf += d
        self.bytes += n
        return bytes(buf)

    def read(self):
        cmd, a0, a1, n, check, magic = struct.unpack("<6I", self.recv_exact(24))
        if magic != cmd ^ 0xFFFFFFFF:
            raise End("bad magic after %d packets" % self.packets)
        if n > 1024 * 1024:
            raise End("oversize length %d after %d packets" % (n, self.packets))
        data = self.recv_exact(n) if n else b""
        self.packets += 1
        if cmd == CMDS[b"WRTE"]:
            self.wrte_max = max(self.wrte_max, n)
        # Required when the version in force is below 0x01000001; before the device's CNXN
        # that is the version we proposed (adbd updates its version on our CNXN).
        if cmd == CMDS[b"CNXN"]:
            ver = min(self.a.version, a0)
        else:
            ver = self.version if self.connected else self.a.version
        required = ver < 0x01000001
        if n and check == 0 and not required:
            pass
        elif n and check != (sum(data) & 0xFFFFFFFF):
            self.sums = "bad"
        elif n and self.sums == "zero":
            self.sums = "ok"
        return cmd, a0, a1, data

    def handshake(self):
        self.send(CMDS[b"CNXN"], self.a.version, self.a.maxdata, b"host::features=shell_v2,cmd,stat_v2,ls_v2\0")
        signed = sent_key = False
        while True:
            try:
                cmd, a0, a1, data = self.read()
            except End as e:
                if signed and "stalled" in str(e):
                    raise End("unauthorized (no answer)")
                raise
            if cmd == CMDS[b"CNXN"]:
                self.version = min(a0, self.a.version)
                self.maxdata = min(a1, self.a.maxdata)
                self.connected = True
                return data
            if cmd != CMDS[b"AUTH"] or a0 != 1:
                raise End("unexpected %s during handshake" % NAME.get(cmd, hex(cmd)))
            if len(data) != 20:
                raise End("token of %d bytes" % len(data))
            if not signed:
                signed = True
                if self.a.key:
                    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.a.key,
                                          "-pkeyopt", "digest:sha1"], input=data,
                                         stdout=subprocess.PIPE, check=True).stdout
                else:
                    sig = os.urandom(256)
                self.send(CMDS[b"AUTH"], 2, 0, sig)
            elif self.a.send_pubkey and self.a.key and not sent_key:
                sent_key = True
                self.send(CMDS[b"AUTH"], 3, 0, android_pubkey(self.a.key) + b" raw@test\0")
            else:
                raise End("unauthorized (signature refused)")

    def open(self, service):
        self.send(CMDS[b"OPEN"], 1, 0, service.encode("utf-8", "surrogateescape") + b"\0")
        cmd, a0, a1, data = self.read()
        if cmd == CMDS[b"CLSE"]:
            return None
        if cmd != CMDS[b"OKAY"] or a1 != 1:
            raise End("OPEN answered %s" % NAME.get(cmd, hex(cmd)))
        self.remote = a0
        return a0

    def stream_read(self, want=None):
        """Reads WRTEs (acking each) until CLSE, or until `want` bytes are buffered."""
        buf = bytearray()
        while want is None or len(buf) < want:
            cmd, a0, a1, data = self.read()
            if cmd == CMDS[b"WRTE"]:
                buf += data
                self.send(CMDS[b"OKAY"], 1, self.remote)
            elif cmd == CMDS[b"CLSE"]:
                self.closed = True
                return bytes(buf)
            elif cmd == CMDS[b"OKAY"]:
                pass  # the ack of a WRTE of ours
            else:
                raise End("unexpected %s in a stream" % NAME.get(cmd, hex(cmd)))
        return bytes(buf)


def android_pubkey(pem):
    mod = subprocess.run(["openssl", "rsa", "-in", pem, "-noout", "-modulus"], stdout=subprocess.PIPE,
                         check=True).stdout.decode().strip().split("=", 1)[1]
    n = int(mod, 16)
    n0inv = (-pow(n, -1, 2 ** 32)) % 2 ** 32
    rr = pow(2, 4096, n)
    blob = struct.pack("<II", 64, n0inv) + n.to_bytes(256, "little") + rr.to_bytes(256, "little") + \
        struct.pack("<I", 65537)
    return base64.b64encode(blob)


class SyncReader:
    def __init__(self, c):
        self.c = c
        self.buf = bytearray()
        self.c.closed = False

    def need(self, n):
        while len(self.buf) < n:
            if self.c.closed:
                raise End("closed mid-reply")
            self.buf += self.c.stream_read(1)
        d = bytes(self.buf[:n])
        del self.buf[:n]
        return d


def sync_req(c, rid, path):
    p = path.encode("utf-8", "surrogateescape")
    c.send(CMDS[b"WRTE"], 1, c.remote, rid + struct.pack("<I", len(p)) + p)
    # the device's OKAY for our WRTE
    while True:
        cmd, a0, a1, data = c.read()
        if cmd == CMDS[b"OKAY"]:
            return
        raise End("expected OKAY for a sync request, got %s" % NAME.get(cmd, hex(cmd)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("action")
    ap.add_argument("arg", nargs="?")
    ap.add_argument("--version", type=lambda x: int(x, 0), default=0x01000001)
    ap.add_argument("--maxdata", type=int, default=1024 * 1024)
    ap.add_argument("--bad-sum", action="store_true")
    ap.add_argument("--key")
    ap.add_argument("--send-pubkey", action="store_true")
    ap.add_argument("--v1-shell", action="store_true")
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--out")
    a = ap.parse_args()
    c = Client(a)
    out = open(a.out, "wb") if a.out else None
    try:
        banner = c.handshake()
        act = a.action
        if act == "cnxn":
            print("result: online version=0x%08x maxdata=%d banner=%s" % (
                c.version, c.maxdata, banner.decode("utf-8", "replace")))
        elif act in ("shell", "exec", "open", "service"):
            svc = {"shell": "shell:" if a.v1_shell else "shell,v2,raw:", "exec": "exec:", "open": "",
                   "service": ""}[act] + a.arg
            if c.open(svc) is None:
                print("result: refused")
            elif act == "open":
                print("result: okay")
            else:
                data = c.stream_read()
                if act == "shell" and not a.v1_shell:
                    so, se, code, i = bytearray(), bytearray(), None, 0
                    while i + 5 <= len(data):
                        sid, n = struct.unpack_from("<BI", data, i)
                        body = data[i + 5:i + 5 + n]
                        i += 5 + n
                        if sid == 1:
                            so += body
                        elif sid == 2:
                            se += body
                        elif sid == 3:
                            code = body[0]
                    if out:
                        out.write(so)
                    print("result: exit=%s stderr=%s" % (code, se.decode("utf-8", "replace").strip()))
                else:
                    if out:
                        out.write(data)
                    print("result: bytes=%d" % len(data))
        else:
            if c.open("sync:") is None:
                raise End("sync: refused")
            r = SyncReader(c)
            rid = {"recv": b"RECV", "stat": b"STAT", "sta2": b"STA2", "lst2": b"LST2",
                   "list": b"LIST", "lis2": b"LIS2", "send": b"SEND"}[act]
            sync_req(c, rid, a.arg + (",33188" if act == "send" else ""))
            if act == "send":
                c.send(CMDS[b"WRTE"], 1, c.remote, b"DATA\x05\0\0\0hello" + b"DONE\0\0\0\0")
            if act == "recv":
                got = 0
                try:
                    while True:
                        h = r.need(8)
                        n, = struct.unpack("<I", h[4:])
                        if h[:4] == b"DATA":
                            if n > 65536:
                                raise End("DATA of %d bytes" % n)
                            d = r.need(n)
                            got += n
                            if out:
                                out.write(d)
                        elif h[:4] == b"DONE":
                            print("result: done bytes=%d" % got)
                            break
                        elif h[:4] == b"FAIL":
                            print("result: fail %s" % r.need(n).decode("utf-8", "replace"))
                            break
                        else:
                            raise End("unknown sync id %r" % h[:4])
                except End as e:
                    if "closed" in str(e):
                        print("result: closed bytes=%d" % got)
                    else:
                        raise
            elif act == "stat":
                h = r.need(16)
                print("result: %s mode=%o size=%d mtime=%d" % ((h[:4].decode(),) + struct.unpack("<III", h[4:])))
            elif act in ("sta2", "lst2"):
                h = r.need(4 + 68)
                f = struct.unpack("<IQQIIIIQqqq", h[4:])
                print("result: %s error=%d mode=%o size=%d mtime=%d" % (h[:4].decode(), f[0], f[3], f[7], f[9]))
            elif act in ("list", "lis2"):
                names = []
                while True:
                    if act == "list":
                        h = r.need(20)
                        mode, size, mtime, nl = struct.unpack("<IIII", h[4:])
                    else:
                        h = r.need(4 + 72)
                        f = struct.unpack("<IQQIIIIQqqqI", h[4:])
                        mode, size, mtime, nl = f[3], f[7], f[9], f[11]
                    if h[:4] == b"DONE":
                        break
                    if h[:4] == b"FAIL":
                        print("result: FAIL")
                        raise End("FAIL")
                    names.append("%o %d %d %s" % (mode, size, mtime, r.need(nl).decode("utf-8", "replace")))
                for nm in names:
                    print("dent: " + nm.replace("\n", "\\n"))
                print("result: %s entries=%d" % (h[:4].decode(), len(names)))
            else:
                h = r.need(8)
                n, = struct.unpack("<I", h[4:])
                print("result: %s %s" % (h[:4].decode(), r.need(n).decode("utf-8", "replace") if h[:4] == b"FAIL" else ""))
    except End as e:
        print("result: " + str(e))
    print("packets=%d wrte_max=%d checksums=%s" % (c.packets, c.wrte_max, c.sums))


if __name__ == "__main__":
    main()
