#!/usr/bin/env python3
"""adbd_sim.py - a simulated Android adbd over TCP, for tests (Python 3 stdlib only).

usage: adbd_sim.py --root DIR [--sdcard DIR] [--sdcard-link] [--host 127.0.0.1] [--port 0]
                   [--auth none|accept|deny] [--auth-deny] [--keys FILE] [--tap-delay MS]
                   [--v1] [--version 0x01000000|0x01000001] [--max-payload N]
                   [--fault KIND[:ARG]]... [--faults-once] [--clock-offset SECONDS] [--su]
                   [--log FILE] [--verbose]

It speaks the ADB wire protocol (AOSP packages/modules/adb docs/dev/protocol.md, sync.md,
services.md; facts in ../shared/formats/PROTOCOLS.md sections 4-5) as a device does:

  - CNXN with a "device::ro.product.name=..;ro.product.model=..;ro.product.device=..;features=.."
    banner (the product/model/device come from the canned `getprop`); --v1 drops the feature
    list (shell v1 only, STAT/LIST only), as an Android 6 device does.
  - Protocol version 0x01000001 (checksums 0 and unchecked) or, with --version 0x01000000,
    the old version: every packet carries the byte-sum checksum and incoming ones are checked.
  - AUTH: --auth none (CNXN at once), accept (TOKEN; a SIGNATURE is verified with Python ints
    against the keys of --keys and the keys accepted so far; an RSAPUBLICKEY is the user
    tapping "Allow", after --tap-delay ms), deny (the prompt is never answered).
  - Streams: OPEN/OKAY/WRTE/CLSE, one WRTE in flight per stream, each host WRTE acked.
  - Services: shell:CMD (v1: stdout and stderr merged, no exit code), shell,v2,...:CMD
    (shell_v2 frames, exit code), exec:CMD (raw), sync: (STAT/LIST/RECV/QUIT, STA2/LST2/LIS2
    with the v2 banner; SEND is refused and logged: the simulated phone is read-only),
    backup: (an "ANDROID BACKUP" stream built from ROOT/data/data).
  - Commands: ROOT/commands.json maps an exact command string (or its sh-unquoted form, as
    `adb exec-out` quotes every argument) to a stdout file, stderr text and exit code.
    Built in: `getprop KEY`, `date +%s`, `date +%s.%N` (device clock = now + --clock-offset),
    `content query --uri U [--projection a:b] [--where W] [--sort S]` over
    ROOT/providers/*.json, `echo`, `id`, `settings get` (null), `dumpsys` of unknown
    packages/services, and `su -c CMD` with --su (then `tar -cf - /data/data/PKG` of
    ROOT/data). Lines joined by ';', '&&', '||' run part by part. Anything else is
    "/system/bin/sh: X: not found", exit 127.
  - Files: the sync service serves ROOT/sdcard (or --sdcard DIR) as /sdcard (also
    /storage/emulated/0 and /storage/self/primary); ROOT/mtimes.json fixes mtimes
    ({"/sdcard/x": 1600000000}) so they do not depend on the checkout; ROOT/symlinks.json
    adds symlinks; --sdcard-link makes /sdcard itself a link, as on real phones.

Faults (--fault, repeatable; each counts per connection, or once per process with
--faults-once): clse-mid-file:PATH (half the file, then CLSE), fail:PATH (RECV answers FAIL;
a directory PATH covers what is below it), bad-magic:N (the packet after N sent packets has
a wrong magic), oversize:N (the packet after N sent packets declares a length over the
maximum, then the connection closes), stall:N (after N sent packets nothing more is sent),
drop-after-bytes:N (the socket is closed once N bytes were sent), fragment:N (replies are
cut into WRTEs of at most N bytes; not a fault of a real device but legal).

The first line on stdout is "PORT <n>" once listening. Every connection, service, command
and sync request is logged as one JSON line to --log FILE. Serves until SIGTERM/SIGINT.
"""
import argparse
import base64
import io
import json
import os
import shlex
import signal
import socket
import stat
import struct
import sys
import tarfile
import threading
import time
import types
import zlib

A_SYNC = 0x434E5953
A_CNXN = 0x4E584E43
A_AUTH = 0x48545541
A_OPEN = 0x4E45504F
A_OKAY = 0x59414B4F
A_CLSE = 0x45534C43
A_WRTE = 0x45545257
A_STLS = 0x534C5453
NAMES = {A_SYNC: "SYNC", A_CNXN: "CNXN", A_AUTH: "AUTH", A_OPEN: "OPEN", A_OKAY: "OKAY",
         A_CLSE: "CLSE", A_WRTE: "WRTE", A_STLS: "STLS"}
A_VERSION_MIN = 0x01000000
A_VERSION_SKIP_CHECKSUM = 0x01000001
MAX_PAYLOAD = 1024 * 1024
MAX_PAYLOAD_V1 = 4096
AUTH_TOKEN, AUTH_SIGNATURE, AUTH_RSAPUBLICKEY = 1, 2, 3
TOKEN_SIZE = 20
SYNC_DATA_MAX = 64 * 1024
SYNC_PATH_MAX = 1024
# DigestInfo of SHA-1 (RFC 8017 9.2 note 1); adb signs the 20-byte token as if it were the digest.
SHA1_DIGESTINFO = bytes.fromhex("3021300906052b0e03021a05000414")
FEATURES_V2 = ["shell_v2", "cmd", "stat_v2", "ls_v2", "fixed_push_mkdir", "apex",
               "fixed_push_symlink_timestamp", "remount_shell"]
SERIAL = "SIM0001"
FORBIDDEN_PORTS = range(5555, 5586)  # the adb server scans these as emulators
QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class Fatal(Exception):
    """Ends one connection (a protocol error or an injected fault)."""


class StreamClosed(Exception):
    pass


# ---------------------------------------------------------------- keys and signatures

def parse_android_pubkey(text):
    """Android RSA public key (libcrypto_utils/android_pubkey.cpp): base64 of u32 words (64),
    u32 n0inv, modulus[256] LE, rr[256] LE, u32 exponent; then " user@host" and maybe NUL."""
    text = text.strip(b"\0 \r\n\t") if isinstance(text, bytes) else text.strip().encode()
    b64 = text.split(None, 1)[0] if text else b""
    try:
        blob = base64.b64decode(b64, validate=True)
    except Exception:
        return None
    if len(blob) != 524:
        return None
    words, = struct.unpack_from("<I", blob, 0)
    if words != 64:
        return None
    n = int.from_bytes(blob[8:264], "little")
    e, = struct.unpack_from("<I", blob, 520)
    if n == 0 or e == 0:
        return None
    return (n, e)


def verify_signature(key, token, sig):
    """PKCS#1 v1.5 with SHA-1's DigestInfo over the raw token (client/auth.cpp RSA_sign NID_sha1)."""
    n, e = key
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    s = int.from_bytes(sig, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = SHA1_DIGESTINFO + token
    want = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return em == want


# ---------------------------------------------------------------- device state

class Phone:
    def __init__(self, args):
        self.args = args
        self.root = os.path.abspath(args.root)
        self.sdcard = os.path.abspath(args.sdcard or os.path.join(self.root, "sdcard"))
        if not os.path.isdir(self.sdcard):
            raise SystemExit("adbd_sim: no sdcard tree at %s" % self.sdcard)
        cpath = os.path.join(self.root, "commands.json")
        self.commands = {}
        if os.path.exists(cpath):
            with open(cpath, "rb") as f:
                self.commands = json.load(f)["commands"]
        self.mtimes = {}
        mpath = os.path.join(self.root, "mtimes.json")
        if os.path.exists(mpath):
            with open(mpath, "rb") as f:
                self.mtimes = json.load(f)
        self.links = {}
        lpath = os.path.join(self.root, "symlinks.json")
        if os.path.exists(lpath) and not args.sdcard:
            with open(lpath, "rb") as f:
                self.links = json.load(f)
        self.providers = {}
        pdir = os.path.join(self.root, "providers")
        if os.path.isdir(pdir):
            for fn in sorted(os.listdir(pdir)):
                if fn.endswith(".json"):
                    with open(os.path.join(pdir, fn), "rb") as f:
                        p = json.load(f)
                    for uri in p["uris"]:
                        self.providers[uri] = p
        gp = self.run_canned("getprop")
        self.props = self.parse_getprop(gp[0]) if gp else {"ro.serialno": SERIAL}
        self.keys = []
        self.keys_lock = threading.Lock()
        if args.keys:
            with open(args.keys, "rb") as f:
                for line in f:
                    k = parse_android_pubkey(line)
                    if k:
                        self.keys.append(k)
        self.log_lock = threading.Lock()
        self.logf = open(args.log, "a", encoding="utf-8") if args.log else None
        self.faults = []
        for spec in args.fault or []:
            kind, _, arg = spec.partition(":")
            if kind not in ("clse-mid-file", "fail", "bad-magic", "oversize", "stall",
                            "drop-after-bytes", "fragment"):
                raise SystemExit("adbd_sim: unknown fault kind '%s'" % kind)
            if kind in ("bad-magic", "oversize", "stall", "drop-after-bytes", "fragment"):
                try:
                    arg = int(arg, 0)
                except ValueError:
                    raise SystemExit("adbd_sim: fault %s needs a number" % kind)
            elif not arg:
                raise SystemExit("adbd_sim: fault %s needs a path" % kind)
            self.faults.append({"kind": kind, "arg": arg, "fired": False})
        self.fault_lock = threading.Lock()
        self.conn_seq = 0

    # -- log
    def log(self, **ev):
        ev["t"] = round(time.time(), 3)
        line = json.dumps(ev, ensure_ascii=False)
        with self.log_lock:
            if self.logf:
                self.logf.write(line + "\n")
                self.logf.flush()
            if self.args.verbose:
                sys.stderr.write("adbd_sim: " + line + "\n")

    # -- faults
    def fault(self, kind, conn, match=None):
        """The fault of this kind that applies now (and marks it fired), or None."""
        with self.fault_lock:
            for f in self.faults:
                if f["kind"] != kind:
                    continue
                if match is not None and not match(f["arg"]):
                    continue
                if self.args.faults_once and f["fired"]:
                    continue
                return f
        return None

    def fire(self, f):
        with self.fault_lock:
            f["fired"] = True

    # -- facts
    @staticmethod
    def parse_getprop(text):
        props = {}
        for line in text.decode("utf-8", "replace").splitlines():
            if line.startswith("[") and "]: [" in line and line.endswith("]"):
                k, v = line[1:-1].split("]: [", 1)
                props[k] = v
        return props

    def banner(self):
        p = self.props
        b = "device::ro.product.name=%s;ro.product.model=%s;ro.product.device=%s;" % (
            p.get("ro.product.name", "sim"), p.get("ro.product.model", "sim"),
            p.get("ro.product.device", "sim"))
        if not self.args.v1:
            b += "features=" + ",".join(FEATURES_V2)
        return b.encode()

    # -- files: device path -> host path, never outside ROOT/sdcard (or ROOT/data with su)
    ALIASES = ("/storage/emulated/0", "/storage/self/primary", "/mnt/sdcard")

    def canon(self, dpath, follow_last):
        """(device path, trailing slash, link target or None) with aliases, "//" and the
        virtual symlinks of ROOT/symlinks.json resolved (every component but the last; the
        last too with follow_last or a trailing slash); None when it cannot resolve."""
        if isinstance(dpath, bytes):
            dpath = dpath.decode("utf-8", "surrogateescape")
        slash = len(dpath) > 1 and dpath.endswith("/")
        for alias in self.ALIASES:
            if dpath == alias or dpath.startswith(alias + "/"):
                dpath = "/sdcard" + dpath[len(alias):]
        parts = [x for x in dpath.split("/") if x not in ("", ".")]
        if ".." in parts:
            return None
        hops = 0
        i = 0
        while i < len(parts):
            cur = "/" + "/".join(parts[:i + 1])
            last = i == len(parts) - 1
            if cur in self.links and (not last or follow_last or slash):
                hops += 1
                if hops > 16:
                    return None
                tgt = self.links[cur]
                out = [] if tgt.startswith("/") else parts[:i]
                for x in tgt.split("/"):
                    if x == "..":
                        if not out:
                            return None
                        out.pop()
                    elif x not in ("", "."):
                        out.append(x)
                parts = out + parts[i + 1:]
                i = 0
                continue
            i += 1
        path = "/" + "/".join(parts)
        link = self.links.get(path) if not (follow_last or slash) else None
        return path, slash, link

    def host_of(self, path, root_access=False):
        parts = [x for x in path.split("/") if x]
        if not parts:
            return None  # "/" is not served: Android's shell user cannot list it usefully
        if parts[0] == "sdcard":
            base = self.sdcard
        elif parts[0] == "data" and (root_access or self.args.adb_root):
            base = os.path.join(self.root, "data")
        else:
            return None
        return os.path.join(base, *parts[1:]) if len(parts) > 1 else base

    def host_path(self, dpath, root_access=False):
        """The host file behind a device path, symlinks followed; None if not served."""
        c = self.canon(dpath, True)
        return self.host_of(c[0], root_access) if c else None

    def device_mtime(self, key, st):
        if key in self.mtimes:
            return int(self.mtimes[key])
        return int(st.st_mtime)

    def links_in(self, dpath):
        """Names of the virtual symlinks in directory dpath."""
        c = self.canon(dpath, True)
        if c is None:
            return []
        pre = c[0].rstrip("/") + "/"
        return [k[len(pre):] for k in self.links if k.startswith(pre) and "/" not in k[len(pre):]]

    def lstat(self, dpath, follow=False):
        """(mode, size, mtime, st) of a device path, or None. "dir/" resolves symlinks and
        must be a directory (lstat(2) with a trailing slash): adb's client relies on it to
        tell a link to a directory from a link to a file. Symlinks leaving the tree resolve
        to nothing when followed."""
        c = self.canon(dpath, follow)
        if c is None:
            return None
        path, slash, link = c
        if path == "/sdcard" and self.args.sdcard_link and not follow and not slash:
            link = "/storage/self/primary"  # as on Android 4.2 and later
        if link is not None:
            parent = self.host_of(path.rsplit("/", 1)[0]) or self.sdcard
            try:
                pst = os.stat(parent)
            except (OSError, TypeError):
                return None
            fake = types.SimpleNamespace(st_dev=pst.st_dev, st_ino=zlib.crc32(path.encode()),
                                         st_nlink=1, st_mtime=pst.st_mtime)
            return (stat.S_IFLNK | 0o777, len(link.encode()), self.device_mtime(path, fake), fake)
        hp = self.host_of(path)
        if hp is None:
            return None
        follow = follow or slash
        try:
            st = os.stat(hp) if follow else os.lstat(hp)
            if slash and not stat.S_ISDIR(st.st_mode):
                return None
            if follow and not self.inside(hp):
                return None
        except OSError:
            return None
        if follow and os.path.islink(hp):  # a real link: the target's device path has the mtime
            sd = os.path.realpath(self.sdcard)
            real = os.path.realpath(hp)
            if real.startswith(sd + os.sep):
                path = "/sdcard/" + os.path.relpath(real, sd)
        return (st.st_mode, st.st_size, self.device_mtime(path, st), st)

    def inside(self, hp):
        real = os.path.realpath(hp)
        for base in (self.root, self.sdcard):
            r = os.path.realpath(base)
            if real == r or real.startswith(r + os.sep):
                return True
        return False

    # -- commands
    def run_canned(self, cmd):
        c = self.commands.get(cmd)
        if c is None:
            return None
        out = b""
        if "stdout_file" in c:
            with open(os.path.join(self.root, c["stdout_file"]), "rb") as f:
                out = f.read()
        elif "stdout" in c:
            out = c["stdout"].encode()
        return (out, c.get("stderr", "").encode(), int(c.get("exit", 0)))

    def run(self, cmd, su=False):
        """(stdout, stderr, exit) of one shell command line: a canned line as it is, else
        simple commands joined by ';', '&&' and '||' (no pipes, no redirections)."""
        r = self.run_canned(cmd)
        if r is not None:
            return r
        try:
            lx = shlex.shlex(cmd, posix=True, punctuation_chars=";&|")
            lx.whitespace_split = True
            toks = list(lx)
        except ValueError:
            toks = []
        if any(t in (";", "&&", "||") for t in toks):
            out, err, code = bytearray(), bytearray(), 0
            seg, op = [], ";"
            for t in toks + [";"]:
                if t not in (";", "&&", "||"):
                    seg.append(t)
                    continue
                if seg and (op == ";" or (op == "&&") == (code == 0)):
                    o, e, code = self.run_simple(" ".join(shlex.quote(x) for x in seg), su)
                    out += o
                    err += e
                seg, op = [], t
            return (bytes(out), bytes(err), code)
        return self.run_simple(cmd, su)

    def run_simple(self, cmd, su=False):
        r = self.run_canned(cmd)
        if r is not None:
            return r
        try:
            argv = shlex.split(cmd)
        except ValueError:
            return (b"", b"/system/bin/sh: syntax error: unmatched quote\n", 2)
        if not argv:
            return (b"", b"", 0)
        norm = " ".join(argv)
        r = self.run_canned(norm)
        if r is not None:
            return r
        a0 = argv[0]
        if a0 == "getprop" and len(argv) == 2:
            return ((self.props.get(argv[1], "") + "\n").encode(), b"", 0)
        if a0 == "date" and len(argv) == 2 and argv[1] in ("+%s", "+%s.%N"):
            now = time.time() + self.args.clock_offset
            if argv[1] == "+%s":
                return (b"%d\n" % int(now), b"", 0)
            return (("%d.%09d\n" % (int(now), int((now % 1) * 1e9))).encode(), b"", 0)
        if a0 == "echo":
            return ((" ".join(argv[1:]) + "\n").encode(), b"", 0)
        if a0 == "id" and len(argv) == 1:
            if su:
                return (b"uid=0(root) gid=0(root) groups=0(root) context=u:r:su:s0\n", b"", 0)
            return (b"uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),"
                    b"1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),"
                    b"3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid) "
                    b"context=u:r:shell:s0\n", b"", 0)
        if a0 == "content" and len(argv) >= 2 and argv[1] == "query":
            return self.content_query(argv[2:])
        if a0 == "su" and self.args.su:
            if len(argv) >= 3 and argv[1] == "-c":
                return self.run(" ".join(argv[2:]) if len(argv) > 3 else argv[2], su=True)
            if len(argv) == 1:
                return (b"", b"", 0)
        # Android tools asked about something the phone has no canned answer for
        if a0 == "settings" and len(argv) == 4 and argv[1] == "get":
            return (b"null\n", b"", 0)
        if a0 == "dumpsys" and len(argv) >= 3 and argv[1] == "package":
            return (("Unable to find package: %s\n" % argv[2]).encode("utf-8", "surrogateescape"), b"", 0)
        if a0 == "dumpsys" and len(argv) >= 2:
            return (("Can't find service: %s\n" % argv[1]).encode("utf-8", "surrogateescape"), b"", 0)
        if a0 == "service" and len(argv) >= 3 and argv[1] == "call":
            return (b"Result: Parcel(00000000 ffffffff   '........')\n", b"", 0)
        if su and a0 == "tar" and len(argv) >= 3 and argv[1] in ("-cf", "cf") and argv[2] == "-":
            return self.tar_of(argv[3:])
        return (b"", ("/system/bin/sh: %s: not found\n" % a0).encode("utf-8", "surrogateescape"), 127)

    def tar_of(self, paths):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
            for p in paths:
                hp = self.host_path(p, root_access=True)
                if hp is None or not os.path.exists(hp):
                    return (b"", ("tar: %s: No such file or directory\n" % p).encode(), 1)
                t.add(hp, arcname=p.lstrip("/"))
        return (buf.getvalue(), b"", 0)

    # content query (frameworks/base cmds/content/src/com/android/commands/content/Content.java):
    # "Row: N col=val, col=val" with values printed raw (no escaping), NULL as "NULL",
    # "No result found." when empty.
    def content_query(self, argv):
        uri = proj = where = sort = None
        i = 0
        while i < len(argv):
            a = argv[i]
            if a in ("--uri", "--projection", "--where", "--sort", "--user") and i + 1 < len(argv):
                v = argv[i + 1]
                if a == "--uri":
                    uri = v
                elif a == "--projection":
                    proj = v
                elif a == "--where":
                    where = v
                elif a == "--sort":
                    sort = v
                i += 2
            else:
                return (b"", ("Error: Unsupported argument: %s\n" % a).encode(), 1)
        if uri is None:
            return (b"", b"Error: Content provider URI not specified\n", 1)
        p = self.providers.get(uri)
        if p is None:
            return (b"", ("[ERROR] Unsupported operation: query\nError while accessing provider:"
                          "%s\njava.lang.IllegalArgumentException: Unknown URL %s\n" % (
                              uri.split("/")[2] if uri.count("/") >= 2 else uri, uri)).encode(), 0)
        rows = [r for r in p["rows"] if all(r.get(k) == v for k, v in p["uris"][uri].items())]
        cols = proj.split(":") if proj else p["columns"]
        for c in cols:
            if c not in p["columns"]:
                auth = uri.split("/")[2]
                return (b"", ("Error while accessing provider:%s\nandroid.database.sqlite."
                              "SQLiteException: no such column: %s (code 1 SQLITE_ERROR)\n" % (
                                  auth, c)).encode(), 0)
        if where:
            try:
                rows = [r for r in rows if self.where_ok(r, where)]
            except ValueError as e:
                return (b"", ("Error while accessing provider\n%s\n" % e).encode(), 0)
        if sort:
            key, _, order = sort.partition(" ")
            rows = sorted(rows, key=lambda r: (r.get(key) is None, r.get(key)),
                          reverse=order.strip().upper() == "DESC")
        if not rows:
            return (b"No result found.\n", b"", 0)
        out = []
        for n, r in enumerate(rows):
            vals = []
            for c in cols:
                v = r.get(c)
                vals.append("%s=%s" % (c, "NULL" if v is None else v))
            out.append("Row: %d %s\n" % (n, ", ".join(vals)))
        return ("".join(out).encode("utf-8"), b"", 0)

    @staticmethod
    def where_ok(r, where):
        for op in (">=", "<=", "!=", "=", ">", "<"):
            if op in where:
                k, v = [x.strip() for x in where.split(op, 1)]
                break
        else:
            raise ValueError("unsupported where clause: " + where)
        a = r.get(k)
        try:
            v = int(v)
        except ValueError:
            v = v.strip("'")
        if a is None:
            return False
        try:
            return {"=": a == v, "!=": a != v, ">": a > v, "<": a < v, ">=": a >= v,
                    "<=": a <= v}[op]
        except TypeError:
            return False

    def backup_stream(self, args):
        """`adb backup` output: the header, then a zlib'd tar of apps/<pkg>/... from ROOT/data/data
        (FullBackup layout: db/, sp/, f/, r/), plus shared/0/ with -shared."""
        buf = io.BytesIO()
        ddir = os.path.join(self.root, "data", "data")
        want = [a for a in args if not a.startswith("-")]
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            if os.path.isdir(ddir):
                for pkg in sorted(os.listdir(ddir)):
                    if want and pkg not in want and "-all" not in args:
                        continue
                    base = os.path.join(ddir, pkg)
                    m = b"1\n%s\n1\n" % pkg.encode()
                    ti = tarfile.TarInfo("apps/%s/_manifest" % pkg)
                    ti.size = len(m)
                    ti.mtime = 1600000000
                    t.addfile(ti, io.BytesIO(m))
                    mapping = {"databases": "db", "shared_prefs": "sp", "files": "f"}
                    for sub in sorted(os.listdir(base)):
                        tok = mapping.get(sub, "r/" + sub)
                        t.add(os.path.join(base, sub), arcname="apps/%s/%s" % (pkg, tok))
        return b"ANDROID BACKUP\n5\n1\nnone\n" + zlib.compress(buf.getvalue())


# ---------------------------------------------------------------- one connection

class Stream:
    def __init__(self, conn, local_id, remote_id):
        self.conn = conn
        self.local = local_id
        self.remote = remote_id
        self.cv = threading.Condition()
        self.inbuf = bytearray()
        self.acks = 0
        self.closed = False  # by the host (CLSE) or the connection
        self.sent_clse = False

    # called by the reader
    def on_data(self, data):
        with self.cv:
            self.inbuf += data
            self.cv.notify_all()

    def on_okay(self):
        with self.cv:
            self.acks += 1
            self.cv.notify_all()

    def on_close(self):
        with self.cv:
            self.closed = True
            self.cv.notify_all()

    # called by the service
    def write(self, data):
        limit = self.conn.max_payload
        frag = self.conn.phone.fault("fragment", self.conn)
        if frag and frag["arg"] > 0:
            limit = min(limit, frag["arg"])
        off = 0
        while off < len(data):
            chunk = data[off:off + limit]
            off += len(chunk)
            with self.cv:
                if self.closed:
                    raise StreamClosed()
                self.acks = 0
            self.conn.send(A_WRTE, self.local, self.remote, bytes(chunk))
            with self.cv:  # one WRTE in flight: wait for the host's OKAY
                deadline = time.time() + 600
                while self.acks == 0 and not self.closed:
                    if not self.cv.wait(timeout=1) and time.time() > deadline:
                        raise StreamClosed()
                if self.acks == 0:
                    raise StreamClosed()

    def read_exact(self, n):
        with self.cv:
            while len(self.inbuf) < n:
                if self.closed:
                    raise StreamClosed()
                self.cv.wait(timeout=1)
            d = bytes(self.inbuf[:n])
            del self.inbuf[:n]
            return d

    def close(self):
        with self.cv:
            if self.closed or self.sent_clse:
                self.closed = True
                return
            self.sent_clse = True
            self.closed = True
        try:
            self.conn.send(A_CLSE, self.local, self.remote, b"")
        except (Fatal, OSError):
            pass


class SyncOut:
    """A Stream with an output buffer, for the sync service."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.buf = bytearray()

    def write(self, b):
        self.buf += b
        if len(self.buf) >= self.limit:
            self.flush()

    def flush(self):
        if self.buf:
            d = bytes(self.buf)
            self.buf = bytearray()
            self.stream.write(d)

    def read_exact(self, n):
        return self.stream.read_exact(n)

    def pending(self, n):
        with self.stream.cv:
            return len(self.stream.inbuf) >= n


class Connection:
    def __init__(self, phone, sock, addr):
        self.phone = phone
        self.args = phone.args
        self.sock = sock
        self.addr = addr
        with phone.fault_lock:
            phone.conn_seq += 1
            self.id = phone.conn_seq
        self.version = A_VERSION_MIN  # until the host's CNXN says otherwise
        self.max_payload = MAX_PAYLOAD_V1
        self.send_lock = threading.Lock()
        self.sent_packets = 0
        self.sent_bytes = 0
        self.stalled = False
        self.streams = {}
        self.next_id = 1
        self.online = False
        self.token = None
        self.sig_failures = 0
        self.alive = True

    def log(self, **ev):
        self.phone.log(conn=self.id, **ev)

    # -- packet I/O
    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            d = self.sock.recv(n - len(buf))
            if not d:
                raise Fatal("host closed the connection")
            buf += d
            if QUICKACK is not None:  # no 40 ms delayed ACK against the host's Nagle
                try:
                    self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
                except OSError:
                    pass
        return bytes(buf)

    def read_packet(self):
        hdr = self.recv_exact(24)
        cmd, a0, a1, length, check, magic = struct.unpack("<6I", hdr)
        if magic != cmd ^ 0xFFFFFFFF:
            raise Fatal("bad magic in packet from host: %08x" % magic)
        limit = MAX_PAYLOAD_V1 if cmd in (A_CNXN, A_AUTH) or not self.online else self.own_max()
        if length > max(limit, MAX_PAYLOAD_V1):
            raise Fatal("host packet %s length %d over %d" % (NAMES.get(cmd, hex(cmd)), length, limit))
        data = self.recv_exact(length) if length else b""
        if self.check_sums() and check != (sum(data) & 0xFFFFFFFF):
            raise Fatal("bad checksum on %s from host (version 0x%08x requires it)" % (
                NAMES.get(cmd, hex(cmd)), self.version))
        return cmd, a0, a1, data

    def own_max(self):
        return self.args.max_payload

    def check_sums(self):
        return self.version < A_VERSION_SKIP_CHECKSUM

    def send(self, cmd, a0, a1, data):
        with self.send_lock:
            if not self.alive:
                raise Fatal("connection closed")
            if self.stalled:
                return
            ph = self.phone
            n = self.sent_packets
            f = ph.fault("stall", self, lambda arg: n >= arg)
            if f:
                ph.fire(f)
                self.stalled = True
                self.log(event="fault", kind="stall", after_packets=n)
                return
            check = (sum(data) & 0xFFFFFFFF) if self.check_sums() else 0
            magic = cmd ^ 0xFFFFFFFF
            length = len(data)
            f = ph.fault("bad-magic", self, lambda arg: n >= arg)
            if f:
                ph.fire(f)
                magic ^= 0x00010000
                self.log(event="fault", kind="bad-magic", after_packets=n)
            f = ph.fault("oversize", self, lambda arg: n >= arg)
            oversize = False
            if f:
                ph.fire(f)
                length = self.max_payload + 1 + MAX_PAYLOAD
                oversize = True
                self.log(event="fault", kind="oversize", after_packets=n, length=length)
            pkt = struct.pack("<6I", cmd, a0, a1, length, check, magic) + data
            f = ph.fault("drop-after-bytes", self, lambda arg: self.sent_bytes + len(pkt) >= arg)
            if f:
                ph.fire(f)
                keep = max(0, f["arg"] - self.sent_bytes)
                self.sock.sendall(pkt[:keep])
                self.sent_bytes += keep
                self.log(event="fault", kind="drop-after-bytes", bytes=self.sent_bytes)
                self.kill()
                raise Fatal("dropped after %d bytes" % self.sent_bytes)
            self.sock.sendall(pkt)
            self.sent_packets += 1
            self.sent_bytes += len(pkt)
            if oversize:
                time.sleep(0.2)
                self.kill()
                raise Fatal("oversize packet sent")

    def kill(self):
        self.alive = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- main loop
    def serve(self):
        self.log(event="connect", peer="%s:%d" % self.addr[:2])
        try:
            while self.alive:
                cmd, a0, a1, data = self.read_packet()
                self.dispatch(cmd, a0, a1, data)
        except (Fatal, OSError) as e:
            self.log(event="disconnect", why=str(e))
        finally:
            self.alive = False
            for s in list(self.streams.values()):
                s.on_close()
            try:
                self.sock.close()
            except OSError:
                pass

    def dispatch(self, cmd, a0, a1, data):
        if cmd == A_CNXN:
            self.version = min(a0, self.args.version)
            if a0 < A_VERSION_MIN:
                raise Fatal("host version 0x%08x too old" % a0)
            self.max_payload = min(a1, self.own_max()) if a1 else MAX_PAYLOAD_V1
            self.log(event="cnxn", version="0x%08x" % a0, maxdata=a1,
                     banner=data.rstrip(b"\0").decode("utf-8", "replace"))
            if self.args.auth == "none" or self.online:
                self.send_cnxn()
            else:
                self.send_token()
            return
        if cmd == A_AUTH:
            self.on_auth(a0, data)
            return
        if not self.online:
            # adbd ignores stream traffic until the handshake is done
            self.log(event="ignored", command=NAMES.get(cmd, hex(cmd)), why="not online")
            return
        if cmd == A_OPEN:
            self.on_open(a0, a1, data)
        elif cmd == A_OKAY:
            s = self.streams.get(a1)
            if s and s.remote == 0:
                s.remote = a0
            if s:
                s.on_okay()
        elif cmd == A_WRTE:
            s = self.streams.get(a1)
            if s is None or s.closed:
                self.send(A_CLSE, 0, a0, b"")
                return
            s.on_data(data)
            self.send(A_OKAY, s.local, s.remote, b"")
        elif cmd == A_CLSE:
            s = self.streams.pop(a1, None)
            if s:
                s.on_close()
        else:
            self.log(event="ignored", command="0x%08x" % cmd)

    def send_cnxn(self):
        self.online = True
        self.send(A_CNXN, self.args.version, self.own_max(), self.phone.banner())
        self.log(event="online")

    def send_token(self):
        self.token = os.urandom(TOKEN_SIZE)
        self.send(A_AUTH, AUTH_TOKEN, 0, self.token)

    def on_auth(self, kind, data):
        if self.online or self.token is None:
            return
        if kind == AUTH_SIGNATURE:
            with self.phone.keys_lock:
                keys = list(self.phone.keys)
            good = any(verify_signature(k, self.token, data) for k in keys)
            self.log(event="auth", type="signature", accepted=good)
            if good:
                self.send_cnxn()
            else:
                self.sig_failures += 1
                self.send_token()
        elif kind == AUTH_RSAPUBLICKEY:
            key = parse_android_pubkey(data)
            self.log(event="auth", type="rsapublickey", valid=key is not None, mode=self.args.auth)
            if key is None or self.args.auth == "deny":
                return  # the prompt is never answered
            if self.args.tap_delay:
                time.sleep(self.args.tap_delay / 1000.0)
            with self.phone.keys_lock:
                self.phone.keys.append(key)
            if self.alive:
                self.send_cnxn()
        else:
            self.log(event="auth", type=kind, why="unknown AUTH type")

    def on_open(self, remote, a1, data):
        name = data.rstrip(b"\0")
        svc = name.decode("utf-8", "surrogateescape")
        self.log(event="open", service=svc)
        handler = self.service_for(svc)
        if handler is None or remote == 0:
            self.log(event="refused", service=svc)
            self.send(A_CLSE, 0, remote, b"")
            return
        local = self.next_id
        self.next_id += 1
        s = Stream(self, local, remote)
        self.streams[local] = s
        self.send(A_OKAY, local, remote, b"")

        def run():
            try:
                handler(s)
            except (StreamClosed, Fatal, OSError) as e:
                self.log(event="stream-end", service=svc, why=str(e) or type(e).__name__)
            finally:
                s.close()
                self.streams.pop(local, None)
        threading.Thread(target=run, daemon=True).start()

    def service_for(self, svc):
        if svc.startswith("shell:"):
            return lambda s: self.svc_shell(s, svc[6:], v2=False)
        if svc.startswith("shell,") and ":" in svc:
            opts, _, cmd = svc[6:].partition(":")
            if self.args.v1:
                return None  # an old adbd does not know the shell protocol
            o = opts.split(",")
            return lambda s: self.svc_shell(s, cmd, v2="v2" in o)
        if svc.startswith("exec:"):
            return lambda s: self.svc_exec(s, svc[5:])
        if svc == "sync:":
            return self.svc_sync
        if svc.startswith("backup:"):
            return lambda s: self.svc_backup(s, svc[7:])
        return None

    # -- services
    def command(self, cmd):
        out, err, code = self.phone.run(cmd)
        self.log(event="command", command=cmd, exit=code, stdout_bytes=len(out))
        return out, err, code

    def svc_shell(self, s, cmd, v2):
        if cmd == "":
            # an interactive shell: a prompt, then input is read and ignored until CLSE
            self.log(event="interactive-shell", v2=v2)
            prompt = b"simphone:/ $ "
            s.write(struct.pack("<BI", 1, len(prompt)) + prompt if v2 else prompt)
            while True:
                s.read_exact(1)
        out, err, code = self.command(cmd)
        if not v2:
            s.write(out + err)
            return
        frames = bytearray()
        if out:
            frames += struct.pack("<BI", 1, len(out)) + out
        if err:
            frames += struct.pack("<BI", 2, len(err)) + err
        frames += struct.pack("<BIB", 3, 1, code & 0xFF)
        s.write(bytes(frames))

    def svc_exec(self, s, cmd):
        out, err, code = self.command(cmd)
        s.write(out + err)

    def svc_backup(self, s, args):
        argv = shlex.split(args)
        self.log(event="backup", args=argv)
        s.write(self.phone.backup_stream(argv))

    def svc_sync(self, s):
        # Replies are gathered and written up to the payload size at a time (as adbd's socket
        # does); everything pending is written before the next request is read.
        out = SyncOut(s, self.max_payload)
        try:
            self.sync_loop(out)
        finally:
            out.flush()

    def sync_loop(self, s):
        ph = self.phone
        v2 = not self.args.v1
        while True:
            if not s.pending(8):  # a host that pipelines requests gets the replies together
                s.flush()
            hdr = s.read_exact(8)
            rid = hdr[:4]
            length, = struct.unpack("<I", hdr[4:])
            if rid == b"QUIT":
                self.log(event="sync", request="QUIT")
                return
            if length > SYNC_PATH_MAX:
                self.log(event="sync", request=rid.decode("latin-1"), why="path too long")
                self.sync_fail(s, "path too long")
                return
            path = s.read_exact(length)
            dp = path.decode("utf-8", "surrogateescape")
            self.log(event="sync", request=rid.decode("latin-1"), path=dp)
            if rid == b"STAT":
                r = ph.lstat(path)
                if r is None:
                    s.write(b"STAT" + struct.pack("<III", 0, 0, 0))
                else:
                    s.write(b"STAT" + struct.pack("<III", r[0] & 0xFFFFFFFF, r[1] & 0xFFFFFFFF,
                                                  r[2] & 0xFFFFFFFF))
            elif rid in (b"STA2", b"LST2") and v2:
                r = ph.lstat(path, follow=(rid == b"STA2"))
                s.write(rid + self.stat_v2(r))
            elif rid == b"LIST":
                self.sync_list(s, path, False)
            elif rid == b"LIS2" and v2:
                self.sync_list(s, path, True)
            elif rid == b"RECV":
                if not self.sync_recv(s, path):
                    return
            elif rid == b"SEND":
                self.log(event="sync-refused", request="SEND", path=dp)
                self.sync_fail(s, "read-only file system (simulated phone: nothing is written)")
                return
            else:
                self.sync_fail(s, "unknown sync request '%s'" % rid.decode("latin-1"))
                return

    @staticmethod
    def stat_v2(r):
        # sync_stat_v2: error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime
        if r is None:
            return struct.pack("<IQQIIIIQqqq", 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)  # ENOENT
        mode, size, mtime, st = r
        return struct.pack("<IQQIIIIQqqq", 0, st.st_dev, st.st_ino & 0xFFFFFFFFFFFFFFFF, mode,
                           st.st_nlink, 1023, 1023, size, mtime, mtime, mtime)

    def sync_fail(self, s, msg):
        m = msg.encode("utf-8")
        s.write(b"FAIL" + struct.pack("<I", len(m)) + m)

    def sync_list(self, s, path, v2):
        ph = self.phone
        hp = ph.host_path(path)
        out = bytearray()
        names = []
        if hp is not None and os.path.isdir(hp) and ph.inside(hp):
            try:
                names = [".", ".."] + sorted(set(os.listdir(hp)) | set(ph.links_in(path)))
            except OSError:
                names = []
        base = path.rstrip(b"/")
        for nm in names:
            nb = nm.encode("utf-8", "surrogateescape")
            if nm in (".", ".."):
                r = ph.lstat(path, follow=True)
                if nm == ".." and r is not None:
                    r = (r[0], 4096, r[2], r[3])
            else:
                r = ph.lstat(base + b"/" + nb)
            if r is None:
                continue
            if v2:
                out += b"DNT2" + self.stat_v2(r) + struct.pack("<I", len(nb)) + nb
            else:
                out += b"DENT" + struct.pack("<IIII", r[0] & 0xFFFFFFFF, r[1] & 0xFFFFFFFF,
                                             r[2] & 0xFFFFFFFF, len(nb)) + nb
            if len(out) >= 65536:
                s.write(bytes(out))
                out = bytearray()
        if v2:
            out += b"DONE" + bytes(72)
        else:
            out += b"DONE" + bytes(16)
        s.write(bytes(out))

    def sync_recv(self, s, path):
        """Returns False when the sync session must end."""
        ph = self.phone
        dp = path.decode("utf-8", "surrogateescape")

        def under(arg):
            a = arg.rstrip("/")
            return dp == a or dp.startswith(a + "/")
        f = ph.fault("fail", self, under)
        if f:
            ph.fire(f)
            self.log(event="fault", kind="fail", path=dp)
            self.sync_fail(s, "open failed: Permission denied")
            return True
        hp = ph.host_path(path)
        if hp is None or not os.path.exists(hp):
            self.sync_fail(s, "open failed: No such file or directory")
            return True
        if not ph.inside(hp):
            self.sync_fail(s, "open failed: Permission denied")
            return True
        if os.path.isdir(hp):
            self.sync_fail(s, "read failed: Is a directory")
            return True
        try:
            fh = open(hp, "rb")
        except OSError as e:
            self.sync_fail(s, "open failed: %s" % e.strerror)
            return True
        cut = None
        f = ph.fault("clse-mid-file", self, lambda arg: arg == dp)
        if f:
            ph.fire(f)
            cut = os.path.getsize(hp) // 2
        sent = 0
        with fh:
            while True:
                want = SYNC_DATA_MAX
                if cut is not None:
                    want = min(want, cut - sent)
                    if want <= 0:
                        self.log(event="fault", kind="clse-mid-file", path=dp, sent=sent)
                        return False  # the stream is closed by the caller: CLSE mid-file
                d = fh.read(want)
                if not d:
                    break
                s.write(b"DATA" + struct.pack("<I", len(d)) + d)
                sent += len(d)
        s.write(b"DONE" + struct.pack("<I", 0))
        return True


# ---------------------------------------------------------------- server

def main():
    ap = argparse.ArgumentParser(description="simulated adbd over TCP (tests only)")
    ap.add_argument("--root", required=True, help="phone directory (commands.json, sdcard/, ...)")
    ap.add_argument("--sdcard", help="serve this tree as /sdcard instead of ROOT/sdcard (benchmarks)")
    ap.add_argument("--sdcard-link", action="store_true",
                    help="/sdcard is a symlink to /storage/self/primary, as on real phones")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = a free one (never 5555-5585)")
    ap.add_argument("--auth", choices=("none", "accept", "deny"), default="none")
    ap.add_argument("--auth-deny", dest="auth", action="store_const", const="deny")
    ap.add_argument("--keys", help="adbkey.pub lines accepted from the start")
    ap.add_argument("--tap-delay", type=int, default=0, help="ms before a new key is 'allowed'")
    ap.add_argument("--v1", action="store_true", help="no features: shell v1, STAT/LIST only")
    ap.add_argument("--version", type=lambda x: int(x, 0), default=A_VERSION_SKIP_CHECKSUM)
    ap.add_argument("--max-payload", type=int, default=MAX_PAYLOAD)
    ap.add_argument("--fault", action="append", metavar="KIND[:ARG]")
    ap.add_argument("--faults-once", action="store_true", help="each fault fires once per process")
    ap.add_argument("--clock-offset", type=float, default=0.0, help="device clock - real clock, s")
    ap.add_argument("--su", action="store_true", help="`su -c CMD` works (a rooted phone)")
    ap.add_argument("--adb-root", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--log", help="JSON lines of everything the phone was asked")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.version not in (A_VERSION_MIN, A_VERSION_SKIP_CHECKSUM):
        ap.error("--version must be 0x01000000 or 0x01000001")
    if not 4096 <= args.max_payload <= MAX_PAYLOAD:
        ap.error("--max-payload must be within 4096..1048576")
    if args.port in FORBIDDEN_PORTS:
        ap.error("ports 5555-5585 are scanned by the adb server as emulators: pick another")
    phone = Phone(args)

    srv = None
    for _ in range(50):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((args.host, args.port))
        if srv.getsockname()[1] not in FORBIDDEN_PORTS:
            break
        srv.close()
        srv = None
    if srv is None:
        raise SystemExit("adbd_sim: no free port outside 5555-5585")
    srv.listen(16)
    port = srv.getsockname()[1]

    def stop(signum, frame):
        phone.log(event="stop", signal=signum)
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    phone.log(event="listen", port=port, auth=args.auth, v1=args.v1,
              version="0x%08x" % args.version, faults=args.fault or [])
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    while True:
        sock, addr = srv.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c = Connection(phone, sock, addr)
        threading.Thread(target=c.serve, daemon=True).start()


if __name__ == "__main__":
    main()
