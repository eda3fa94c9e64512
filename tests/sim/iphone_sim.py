#!/usr/bin/env python3
"""iphone_sim.py - a simulated iPhone behind a fake usbmuxd, for tests (Python 3 stdlib only).

usage: iphone_sim.py --socket PATH [--udid UDID] [--backup DIR] [--backup-encrypted DIR]
                     [--will-encrypt] [--password PW] [--media DIR] [--apps FILE.json]
                     [--values FILE.json] [--state ready|untrusted|locked|deny-pairing|passcode]
                     [--pair-accept] [--passcode-wait S] [--passcode-accept]
                     [--fault KIND[:ARG]]... [--once] [--clock-skew S]
                     [--flat] [--block N] [--batch N] [--log FILE]

libimobiledevice (libusbmuxd 2.0.2) reads USBMUXD_SOCKET_ADDRESS=UNIX:PATH on every connection,
so the unmodified library and Debian's tools talk to this process instead of usbmuxd. It
speaks (facts and sources: ../shared/formats/PROTOCOLS.md sections 1 and 3):

  - usbmuxd: 16-byte little-endian header {length, version 1, message 8 (plist), tag} and an
    XML plist; ListDevices, Listen (Result, then Attached pushed; Paired after a saved
    record), Connect (then the socket is a raw tunnel to the device port), ReadBUID,
    ReadPairRecord, SavePairRecord, DeletePairRecord.
  - lockdownd on port 62078 without TLS: QueryType, GetValue (with/without Domain and Key),
    Pair, ValidatePair, Unpair, StartSession (EnableSessionSSL false), StopSession,
    StartService (EnableServiceSSL false), SetValue/RemoveValue (logged as writes, ignored),
    Goodbye. Replies echo Request; errors are {Error: MissingValue|InvalidService|...}.
  - com.apple.mobile.notification_proxy: observe/post accepted and ignored; Shutdown ->
    ProxyDeath.
  - com.apple.afc: READ_DIR, GET_FILE_INFO, GET_DEVINFO, FILE_OPEN (read-only, except the
    iTunes sync lock file, which is virtual), FILE_READ, FILE_SEEK, FILE_TELL, FILE_CLOSE,
    FILE_LOCK over --media DIR as /var/mobile/Media. Anything that would write is refused
    (AFC_E_PERM_DENIED) and logged.
  - com.apple.mobile.installation_proxy: Browse (streamed BrowsingApplications pages, then
    Complete), Lookup; Install/Uninstall/Archive... refused and logged.
  - com.apple.mobilebackup2: DeviceLink version exchange (major 400: Debian's client sends
    400), DLMessageDeviceReady, Hello -> Response 2.1, then Backup, Info, List,
    ChangePassword (see README.md, "iOS").

One JSON line per request goes to --log FILE; "write": true marks anything that would change
the phone. The first stdout line is "READY <socket>" once the socket listens. Serves until
SIGTERM/SIGINT.
"""
import argparse
import datetime
import hashlib
import json
import os
import plistlib
import re
import signal
import socket
import sqlite3
import stat
import struct
import threading
import time

DEFAULT_UDID = "00008101-001C2D3E4F50A01E"
LOCKDOWN_PORT = 62078
DEVICE_ID = 1
DL_VERSION_MAJOR = 400
EMPTY = "___EmptyParameterString___"
CODE_SUCCESS, CODE_ERROR_LOCAL, CODE_ERROR_REMOTE, CODE_FILE_DATA = 0x00, 0x06, 0x0B, 0x0C
SERVICES = ("com.apple.mobile.notification_proxy", "com.apple.afc",
            "com.apple.mobile.installation_proxy", "com.apple.mobilebackup2")
# Refused with PasswordProtected while the phone is locked (--state locked): the backup and
# the media need the data-protection keys of an unlocked phone.
LOCKED_SERVICES = ("com.apple.afc", "com.apple.mobilebackup2")
# --fault evil-path:KIND: the host path the phone gives its first uploaded file.
EVIL_PATHS = ("dotdot", "absolute", "long", "nul", "other-udid")
LOCK_FILE = "/com.apple.itunes.lock_sync"
# A fixed RSA public key (PKCS#1 PEM) as lockdownd's DevicePublicKey: libimobiledevice signs
# the host's pair certificates with it when it pairs.
DEVICE_PUBLIC_KEY = b"""-----BEGIN RSA PUBLIC KEY-----
MIGJAoGBAKbZRhXGoofg3cg9DtDbD/AstaOST5VypT3NfqJIyLbpu+SR3BdqYIVR
jGPlIGYi8QY4AOjy7WpXf6Y0are21NlwzdmNIf6h3WQiQ3QE4r2zewkBrzjFqgW8
e1NEzQ3v5DmwQjwTSrP/i9RlpgIaD8MH5+i7K/F/KHLuiJJdsxM7AgMBAAE=
-----END RSA PUBLIC KEY-----
"""
# Values a real device answers before a session (no pairing needed).
PRE_SESSION = ("BuildVersion", "DeviceClass", "DeviceColor", "DeviceName", "HardwareModel",
               "ProductName", "ProductType", "ProductVersion", "SerialNumber",
               "UniqueDeviceID", "ActivationState", "PasswordProtected", "TimeIntervalSince1970",
               "HumanReadableProductVersionString", "ProtocolVersion", "DevicePublicKey",
               "WiFiAddress", "BluetoothAddress", "CPUArchitecture", "HardwarePlatform")
# MBErrorDomain descriptions seen from real devices (libimobiledevice issues #1380, #1361,
# #1469, #52, #608); others get a generic text.
MB_ERRORS = {1: "Error copying keychain data", 4: "No such file or directory",
             104: "Multiple errors uploading files", 105: "Not enough free disk space",
             205: "Error reading backup properties", 207: "Invalid password",
             208: "Device locked"}
AFC_MAGIC = b"CFA6LPAA"
AFC_OPS = {1: "STATUS", 2: "DATA", 3: "READ_DIR", 4: "READ_FILE", 5: "WRITE_FILE", 6: "WRITE_PART",
           7: "TRUNCATE", 8: "REMOVE_PATH", 9: "MAKE_DIR", 0x0A: "GET_FILE_INFO",
           0x0B: "GET_DEVINFO", 0x0C: "WRITE_FILE_ATOM", 0x0D: "FILE_OPEN", 0x0E: "FILE_OPEN_RES",
           0x0F: "FILE_READ", 0x10: "FILE_WRITE", 0x11: "FILE_SEEK", 0x12: "FILE_TELL",
           0x13: "FILE_TELL_RES", 0x14: "FILE_CLOSE", 0x15: "FILE_SET_SIZE",
           0x16: "GET_CON_INFO", 0x17: "SET_CON_OPTIONS", 0x18: "RENAME_PATH",
           0x19: "SET_FS_BS", 0x1A: "SET_SOCKET_BS", 0x1B: "FILE_LOCK", 0x1C: "MAKE_LINK",
           0x1D: "GET_FILE_HASH", 0x1E: "SET_FILE_MOD_TIME", 0x1F: "GET_FILE_HASH_RANGE",
           0x20: "FILE_SET_IMMUTABLE_HINT", 0x21: "GET_SIZE_OF_PATH_CONTENTS",
           0x22: "REMOVE_PATH_AND_CONTENTS", 0x23: "DIR_OPEN", 0x24: "DIR_OPEN_RESULT",
           0x25: "DIR_READ", 0x26: "DIR_CLOSE", 0x27: "FILE_READ_OFFSET", 0x28: "FILE_WRITE_OFFSET"}
AFC_E_SUCCESS, AFC_E_OP_HEADER_INVALID, AFC_E_INVALID_ARG = 0, 2, 7
AFC_E_OBJECT_NOT_FOUND, AFC_E_OBJECT_IS_DIR, AFC_E_PERM_DENIED = 8, 9, 10
AFC_E_OP_NOT_SUPPORTED = 15


class Closed(Exception):
    """The peer closed the connection (or a fault cut it)."""


def luhn(digits14):
    s = 0
    for i, c in enumerate(reversed(digits14)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        s += d
    return digits14 + str((10 - s % 10) % 10)


def default_values(udid):
    imei = "353260111234566"
    return {
        "ActivationState": "Activated", "ActivationStateAcknowledged": True,
        "BasebandVersion": "3.02.01", "BluetoothAddress": "f0:c3:71:2a:5b:01",
        "BoardId": 12, "BrickState": False, "BuildVersion": "21D61", "CPUArchitecture": "arm64e",
        "ChipID": 0x8101, "DeviceClass": "iPhone", "DeviceColor": "1", "DeviceName": "阿杰的iPhone",
        "DevicePublicKey": DEVICE_PUBLIC_KEY, "EthernetAddress": "f0:c3:71:2a:5b:02",
        "FirmwareVersion": "iBoot-10151.81.1", "HardwareModel": "D53gAP",
        "HardwarePlatform": "t8101", "HasSiDP": True,
        "HumanReadableProductVersionString": "17.3.1",
        "IntegratedCircuitCardIdentity": "89860012345678901234",
        "InternationalMobileEquipmentIdentity": imei,
        "InternationalMobileEquipmentIdentity2": luhn("35326011123457"),
        "InternationalMobileSubscriberIdentity": "460001234567890",
        "MobileEquipmentIdentifier": imei[:14], "MLBSerialNumber": "F3X0480CUSTOSAA1",
        "ModelNumber": "MGJ93", "PasswordProtected": True, "PhoneNumber": "+86 138 0013 8000",
        "ProductName": "iPhone OS", "ProductType": "iPhone13,2", "ProductVersion": "17.3.1",
        "ProtocolVersion": "2", "RegionInfo": "CH/A", "SIMStatus": "kCTSIMSupportSIMStatusReady",
        "SerialNumber": "F17XK0CUSTOS", "TimeZone": "Asia/Shanghai",
        "TimeZoneOffsetFromUTC": 28800.0, "TrustedHostAttached": True,
        "UniqueChipID": 7987447628144670, "UniqueDeviceID": udid, "Uses24HourClock": True,
        "WiFiAddress": "f0:c3:71:2a:5b:00",
    }


def json_to_plist(v):
    """JSON from --values/--apps: {"base64": ...} becomes data, {"date": unix} a date."""
    if isinstance(v, dict):
        if set(v) == {"base64"}:
            import base64
            return base64.b64decode(v["base64"])
        if set(v) == {"date"}:
            return datetime.datetime.fromtimestamp(v["date"], datetime.timezone.utc).replace(tzinfo=None)
        return {k: json_to_plist(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_to_plist(x) for x in v]
    return v


def default_apps():
    def app(bid, name, ver, build, kind, n):
        uuid = hashlib.sha1(bid.encode()).hexdigest().upper()
        uuid = "%s-%s-%s-%s-%s" % (uuid[:8], uuid[8:12], uuid[12:16], uuid[16:20], uuid[20:32])
        a = {"CFBundleIdentifier": bid, "CFBundleDisplayName": name, "CFBundleName": name,
             "CFBundleShortVersionString": ver, "CFBundleVersion": build, "ApplicationType": kind,
             "SignerIdentity": "Apple iPhone OS Application Signing",
             "Path": "/private/var/containers/Bundle/Application/%s/%s.app" % (uuid, n)}
        if kind == "User":
            a["Container"] = "/private/var/mobile/Containers/Data/Application/%s" % uuid
        else:
            a["Path"] = "/Applications/%s.app" % n
        return a
    return [app("com.tencent.xin", "微信", "8.0.47", "8.0.47.34", "User", "WeChat"),
            app("net.whatsapp.WhatsApp", "WhatsApp", "24.6.77", "24.6.77.71", "User", "WhatsApp"),
            app("com.tencent.mqq", "QQ", "9.0.20", "9.0.20.605", "User", "QQ"),
            app("com.apple.mobilesafari", "Safari", "17.3.1", "8617.2.4.10.8", "System", "MobileSafari"),
            app("com.apple.MobileSMS", "Messages", "17.3.1", "1300.400.41.2.2", "System", "MobileSMS")]


# ------------------------------------------------------------------ the phone's state

class Phone:
    def __init__(self, a):
        self.a = a
        self.udid = a.udid
        self.values = default_values(a.udid)
        self.domains = {
            "com.apple.mobile.backup": {"RequiresEncrypt": False, "CloudBackupEnabled": False},
            "com.apple.disk_usage": {"TotalDiskCapacity": 128000000000, "TotalDataCapacity": 115000000000,
                                     "TotalDataAvailable": 61000000000, "AmountDataAvailable": 61000000000,
                                     "TotalSystemCapacity": 13000000000},
            "com.apple.mobile.battery": {"BatteryCurrentCapacity": 87, "BatteryIsCharging": True,
                                         "ExternalConnected": True},
            "com.apple.international": {"Locale": "zh_CN", "Language": "zh-Hans"},
            "com.apple.mobile.wireless_lockdown": {"EnableWifiConnections": False},
        }
        if a.values:
            with open(a.values, encoding="utf-8") as f:
                over = json.load(f)
            for k, v in over.items():
                if k.startswith("com.apple.") and isinstance(v, dict):
                    self.domains.setdefault(k, {}).update(json_to_plist(v))
                elif v is None:
                    self.values.pop(k, None)
                else:
                    self.values[k] = json_to_plist(v)
        self.udid = self.values.get("UniqueDeviceID", a.udid)
        self.apps = default_apps()
        if a.apps:
            with open(a.apps, encoding="utf-8") as f:
                self.apps = json_to_plist(json.load(f))
        self.state = a.state
        self.password = a.password if a.will_encrypt else None
        self.buid = "5E1A3C2B-9D8F-4A6E-B7C0-C05705C0FFEE"
        self.pair_records = {}
        self.trusted_hosts = set()
        if self.state in ("ready", "locked", "passcode"):
            host_id = "2C9F1E8A-6B3D-4F7A-9E21-C05705000001"
            self.pair_records[self.udid] = plistlib.dumps({
                "HostID": host_id, "SystemBUID": self.buid,
                "EscrowBag": hashlib.sha256(b"escrow-bag").digest() * 4,
                "WiFiMACAddress": self.values.get("WiFiAddress", ""),
                "HostCertificate": b"-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n",
                "DeviceCertificate": b"-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n",
                "RootCertificate": b"-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n",
            }, fmt=plistlib.FMT_XML)
            self.trusted_hosts.add(host_id)
        self.lock = threading.Lock()
        self.ports = {}
        self.next_port = 49152
        self.listeners = []
        self.faults = {}
        for f in a.fault or []:
            k, _, v = f.partition(":")
            if k not in ("cut-after", "error-code", "remote-error", "bad-plist", "evil-path"):
                raise SystemExit("iphone_sim: unknown fault %r" % f)
            if k in ("cut-after", "error-code"):
                v = int(v)
            if k == "evil-path" and v not in EVIL_PATHS:
                raise SystemExit("iphone_sim: evil-path:%s: one of %s" % (v, ", ".join(EVIL_PATHS)))
            self.faults[k] = v
        self.once_file = a.socket + ".once"
        self.log_f = open(a.log, "a", encoding="utf-8", buffering=1) if a.log else None
        self.log_lock = threading.Lock()

    def log(self, **kw):
        if not self.log_f:
            return
        kw = {"t": round(time.time(), 3), **kw}
        with self.log_lock:
            self.log_f.write(json.dumps(kw, ensure_ascii=False, default=str) + "\n")

    def values_now(self):
        v = dict(self.values)
        v["TimeIntervalSince1970"] = time.time() + self.a.clock_skew
        v["PasswordProtected"] = bool(v.get("PasswordProtected", True))
        return v

    def backup_domain(self):
        d = dict(self.domains["com.apple.mobile.backup"])
        d["WillEncrypt"] = self.password is not None
        return d

    def backup_dir(self):
        d = self.a.backup
        if self.password is not None and self.a.backup_encrypted:
            d = self.a.backup_encrypted
        return resolve_backup(d, self.udid) if d else None

    def service_port(self, name):
        with self.lock:
            p = self.next_port
            self.next_port += 1
            self.ports[p] = name
            return p

    def fault(self, kind):
        """The fault's argument when it fires in this connection, else None."""
        if kind not in self.faults:
            return None
        if self.a.once and os.path.exists(self.once_file):
            return None
        return self.faults[kind]

    def fault_fired(self, kind, **kw):
        self.log(svc="fault", fault=kind, **kw)
        if self.a.once:
            with open(self.once_file, "a", encoding="utf-8") as f:
                f.write(kind + "\n")


def resolve_backup(d, udid):
    if os.path.isfile(os.path.join(d, "Manifest.plist")) or os.path.isfile(os.path.join(d, "Manifest.db")):
        return d
    if os.path.isdir(os.path.join(d, udid)):
        return os.path.join(d, udid)
    raise SystemExit("iphone_sim: %s is not a backup (no Manifest.plist/Manifest.db)" % d)


# ------------------------------------------------------------------ wire helpers

def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        b = sock.recv(min(n - len(buf), 1 << 20))
        if not b:
            raise Closed()
        buf += b
    return bytes(buf)


def send_plist(sock, obj, binary=False):
    data = plistlib.dumps(obj, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML, sort_keys=False)
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_plist(sock, maxlen=64 << 20):
    n, = struct.unpack(">I", recv_exact(sock, 4))
    if n > maxlen:
        raise Closed()
    data = recv_exact(sock, n)
    return plistlib.loads(data)


# ------------------------------------------------------------------ usbmuxd

def mux_send(sock, tag, obj):
    data = plistlib.dumps(obj, fmt=plistlib.FMT_XML)
    sock.sendall(struct.pack("<IIII", 16 + len(data), 1, 8, tag) + data)


def device_props(ph):
    return {"ConnectionSpeed": 480000000, "ConnectionType": "USB", "DeviceID": DEVICE_ID,
            "LocationID": 0x14100000, "ProductID": 0x12A8, "SerialNumber": ph.udid,
            "USBSerialNumber": ph.udid.replace("-", "")}


def serve_usbmuxd(ph, sock):
    while True:
        try:
            hdr = recv_exact(sock, 16)
        except Closed:
            return
        length, version, message, tag = struct.unpack("<IIII", hdr)
        if length < 16 or length > (1 << 20):
            ph.log(svc="usbmuxd", req="bad-header", length=length)
            return
        body = recv_exact(sock, length - 16)
        if version != 1 or message != 8:
            ph.log(svc="usbmuxd", req="non-plist", version=version, message=message)
            mux_send(sock, tag, {"MessageType": "Result", "Number": 1})
            continue
        try:
            req = plistlib.loads(body)
            mt = req["MessageType"]
        except Exception:
            ph.log(svc="usbmuxd", req="bad-plist")
            mux_send(sock, tag, {"MessageType": "Result", "Number": 1})
            continue
        prog = req.get("ProgName", "")
        if mt == "ListDevices":
            ph.log(svc="usbmuxd", req=mt, prog=prog)
            mux_send(sock, tag, {"DeviceList": [{"DeviceID": DEVICE_ID, "MessageType": "Attached",
                                                 "Properties": device_props(ph)}]})
        elif mt == "Listen":
            ph.log(svc="usbmuxd", req=mt, prog=prog)
            mux_send(sock, tag, {"MessageType": "Result", "Number": 0})
            mux_send(sock, 0, {"DeviceID": DEVICE_ID, "MessageType": "Attached", "Properties": device_props(ph)})
            with ph.lock:
                ph.listeners.append(sock)
            try:
                while sock.recv(4096):
                    pass
            except OSError:
                pass
            with ph.lock:
                ph.listeners.remove(sock)
            return
        elif mt == "ReadBUID":
            ph.log(svc="usbmuxd", req=mt, prog=prog)
            mux_send(sock, tag, {"BUID": ph.buid})
        elif mt == "ReadPairRecord":
            rid = req.get("PairRecordID", "")
            rec = ph.pair_records.get(rid)
            ph.log(svc="usbmuxd", req=mt, id=rid, found=rec is not None)
            if rec is None:
                mux_send(sock, tag, {"MessageType": "Result", "Number": 2})
            else:
                mux_send(sock, tag, {"PairRecordData": rec})
        elif mt == "SavePairRecord":
            rid = req.get("PairRecordID", "")
            data = req.get("PairRecordData", b"")
            ph.log(svc="usbmuxd", req=mt, id=rid)
            ph.pair_records[rid] = data
            mux_send(sock, tag, {"MessageType": "Result", "Number": 0})
            with ph.lock:
                for ls in list(ph.listeners):
                    try:
                        mux_send(ls, 0, {"DeviceID": DEVICE_ID, "MessageType": "Paired"})
                    except OSError:
                        pass
        elif mt == "DeletePairRecord":
            rid = req.get("PairRecordID", "")
            ph.log(svc="usbmuxd", req=mt, id=rid)
            ph.pair_records.pop(rid, None)
            mux_send(sock, tag, {"MessageType": "Result", "Number": 0})
        elif mt == "Connect":
            port = socket.ntohs(req.get("PortNumber", 0) & 0xFFFF)
            did = req.get("DeviceID")
            name = "lockdownd" if port == LOCKDOWN_PORT else ph.ports.get(port)
            ph.log(svc="usbmuxd", req=mt, port=port, service=name, prog=prog)
            if did != DEVICE_ID:
                mux_send(sock, tag, {"MessageType": "Result", "Number": 2})
                continue
            if name is None:
                mux_send(sock, tag, {"MessageType": "Result", "Number": 3})
                continue
            mux_send(sock, tag, {"MessageType": "Result", "Number": 0})
            HANDLERS[name](ph, sock)
            return
        else:
            ph.log(svc="usbmuxd", req=mt, prog=prog, refused=True)
            mux_send(sock, tag, {"MessageType": "Result", "Number": 1})


# ------------------------------------------------------------------ lockdownd

def serve_lockdownd(ph, sock):
    session = None
    while True:
        try:
            req = recv_plist(sock)
        except (Closed, plistlib.InvalidFileException, ValueError):
            return
        if not isinstance(req, dict):
            return
        r = req.get("Request", "")
        rep = {"Request": r}
        entry = {"svc": "lockdownd", "req": r}
        if r == "QueryType":
            rep["Type"] = "com.apple.mobile.lockdown"
        elif r == "GetValue":
            dom, key = req.get("Domain"), req.get("Key")
            entry.update(domain=dom, key=key)
            if dom is not None:
                rep["Domain"] = dom
            if key is not None:
                rep["Key"] = key
            if dom is None:
                src = ph.values_now()
            elif dom == "com.apple.mobile.backup":
                src = ph.backup_domain()
            else:
                src = ph.domains.get(dom)
            if src is not None and session is None and dom is None:
                src = {k: v for k, v in src.items() if k in PRE_SESSION}
            elif src is not None and session is None:
                src = None
            if src is None:
                rep["Error"] = "MissingValue"
            elif key is None:
                rep["Value"] = src
            elif key in src:
                rep["Value"] = src[key]
            else:
                rep["Error"] = "MissingValue"
        elif r in ("SetValue", "RemoveValue"):
            entry.update(domain=req.get("Domain"), key=req.get("Key"), write=True)
            if session is None:
                rep["Error"] = "NoRunningSession"
        elif r == "Pair":
            rec = req.get("PairRecord") or {}
            entry.update(host=rec.get("HostID"), write=True)
            if ph.state == "deny-pairing":
                rep["Error"] = "UserDeniedPairing"
            elif ph.state == "untrusted" and not ph.a.pair_accept:
                rep["Error"] = "PairingDialogResponsePending"
            elif not rec.get("HostID"):
                rep["Error"] = "InvalidPairRecord"
            else:
                ph.trusted_hosts.add(rec["HostID"])
                rep["EscrowBag"] = hashlib.sha256(rec["HostID"].encode()).digest() * 4
                entry["accepted"] = True
        elif r == "ValidatePair":
            rec = req.get("PairRecord") or {}
            if rec.get("HostID") not in ph.trusted_hosts:
                rep["Error"] = "InvalidHostID"
        elif r == "Unpair":
            rec = req.get("PairRecord") or {}
            entry.update(write=True)
            ph.trusted_hosts.discard(rec.get("HostID"))
        elif r == "StartSession":
            host = req.get("HostID")
            entry.update(host=host)
            if host not in ph.trusted_hosts:
                rep["Error"] = "InvalidHostID"
            else:
                session = hashlib.sha1(("%s-%f" % (host, time.time())).encode()).hexdigest().upper()
                session = "%s-%s-%s-%s-%s" % (session[:8], session[8:12], session[12:16], session[16:20], session[20:32])
                rep["SessionID"] = session
                rep["EnableSessionSSL"] = False
        elif r == "StopSession":
            session = None
        elif r == "StartService":
            name = req.get("Service", "")
            entry.update(service=name, escrow="EscrowBag" in req)
            if session is None:
                rep["Error"] = "NoRunningSession"
            elif name not in SERVICES:
                rep["Error"] = "InvalidService"
            elif ph.state == "locked" and name in LOCKED_SERVICES:
                rep["Error"] = "PasswordProtected"
            else:
                rep["Service"] = name
                rep["Port"] = ph.service_port(name)
                rep["EnableServiceSSL"] = False
                entry["port"] = rep["Port"]
        elif r == "Goodbye":
            ph.log(**entry)
            send_plist(sock, rep)
            return
        else:
            rep["Error"] = "InvalidRequest"
        if "Error" in rep:
            entry["error"] = rep["Error"]
        ph.log(**entry)
        send_plist(sock, rep)


# ------------------------------------------------------------------ notification_proxy

def serve_np(ph, sock):
    while True:
        try:
            req = recv_plist(sock)
        except (Closed, plistlib.InvalidFileException, ValueError):
            return
        cmd = req.get("Command", "") if isinstance(req, dict) else ""
        ph.log(svc="notification_proxy", cmd=cmd, name=req.get("Name") if isinstance(req, dict) else None)
        if cmd == "Shutdown":
            send_plist(sock, {"Command": "ProxyDeath"})
            return


# ------------------------------------------------------------------ AFC

def afc_packet(op, num, payload=b"", data=b""):
    hl = 40 + len(payload)
    return struct.pack("<8sQQQQ", AFC_MAGIC, hl + len(data), hl, num, op) + payload + data


def afc_kv(pairs):
    return b"".join(k.encode() + b"\0" + str(v).encode() + b"\0" for k, v in pairs)


def serve_afc(ph, sock):
    root = os.path.realpath(ph.a.media) if ph.a.media else None
    handles = {}
    next_h = [1]

    def local(path):
        p = os.path.normpath("/" + path).lstrip("/")
        if root is None:
            return None if p else "<empty>"
        full = os.path.join(root, p) if p else root
        real = os.path.realpath(full)
        if real != root and not real.startswith(root + os.sep):
            if os.path.islink(full):
                return full  # the link itself (lstat) is inside the jail
            return None
        return full

    def lst(path):
        f = local(path)
        if f == "<empty>":
            return os.stat_result((stat.S_IFDIR | 0o755, 0, 0, 2, 501, 501, 64, 0, 0, 0))
        if f is None:
            return None
        try:
            return os.lstat(f)
        except OSError:
            return None

    while True:
        try:
            hdr = recv_exact(sock, 40)
        except Closed:
            return
        magic, entire, this, num, op = struct.unpack("<8sQQQQ", hdr)
        if magic != AFC_MAGIC or this < 40 or entire < this or entire > (64 << 20):
            ph.log(svc="afc", op="bad-header")
            return
        payload = recv_exact(sock, this - 40)
        data = recv_exact(sock, entire - this)
        name = AFC_OPS.get(op, "0x%x" % op)

        def status(code):
            sock.sendall(afc_packet(1, num, struct.pack("<Q", code)))

        def path_arg(off=0):
            return payload[off:].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")

        if op == 3:  # READ_DIR
            p = path_arg()
            ph.log(svc="afc", op=name, path=p)
            st = lst(p)
            if st is None:
                status(AFC_E_OBJECT_NOT_FOUND)
                continue
            if not stat.S_ISDIR(st.st_mode):
                status(AFC_E_INVALID_ARG)
                continue
            f = local(p)
            names = sorted(os.listdir(f)) if f != "<empty>" else []
            sock.sendall(afc_packet(2, num, b"", b"".join(n.encode("utf-8", "surrogateescape") + b"\0"
                                                          for n in [".", ".."] + names)))
        elif op == 0x0A:  # GET_FILE_INFO
            p = path_arg()
            ph.log(svc="afc", op=name, path=p)
            st = lst(p)
            if p == LOCK_FILE and st is None:
                st = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 501, 501, 0, 0, 0, 0))
            if st is None:
                status(AFC_E_OBJECT_NOT_FOUND)
                continue
            kind = "S_IFDIR" if stat.S_ISDIR(st.st_mode) else "S_IFLNK" if stat.S_ISLNK(st.st_mode) else "S_IFREG"
            ns = getattr(st, "st_mtime_ns", 0)
            pairs = [("st_size", st.st_size), ("st_blocks", (st.st_size + 511) // 512),
                     ("st_nlink", st.st_nlink), ("st_ifmt", kind), ("st_mtime", ns), ("st_birthtime", ns)]
            if kind == "S_IFLNK":
                pairs.append(("LinkTarget", os.readlink(local(p))))
            sock.sendall(afc_packet(2, num, b"", afc_kv(pairs)))
        elif op == 0x0B:  # GET_DEVINFO
            ph.log(svc="afc", op=name)
            sock.sendall(afc_packet(2, num, b"", afc_kv([
                ("Model", ph.values.get("ProductType", "")), ("FSTotalBytes", 118000000000),
                ("FSFreeBytes", 61000000000), ("FSBlockSize", 4096)])))
        elif op == 0x0D:  # FILE_OPEN
            mode, = struct.unpack_from("<Q", payload, 0)
            p = path_arg(8)
            entry = {"svc": "afc", "op": name, "path": p, "mode": mode}
            if p == LOCK_FILE:
                h = next_h[0]
                next_h[0] += 1
                handles[h] = (None, p)
                ph.log(**entry)
                sock.sendall(afc_packet(0x0E, num, struct.pack("<Q", h)))
                continue
            if mode != 1:  # only AFC_FOPEN_RDONLY
                ph.log(**entry, write=True, refused=True)
                status(AFC_E_PERM_DENIED)
                continue
            st = lst(p)
            f = local(p)
            if st is None or f == "<empty>":
                ph.log(**entry, error="not found")
                status(AFC_E_OBJECT_NOT_FOUND)
                continue
            if stat.S_ISDIR(os.stat(f).st_mode):
                ph.log(**entry, error="is a directory")
                status(AFC_E_OBJECT_IS_DIR)
                continue
            ph.log(**entry)
            h = next_h[0]
            next_h[0] += 1
            handles[h] = (open(f, "rb"), p)
            sock.sendall(afc_packet(0x0E, num, struct.pack("<Q", h)))
        elif op == 0x0F:  # FILE_READ
            h, n = struct.unpack_from("<QQ", payload, 0)
            fh = handles.get(h)
            if fh is None:
                status(AFC_E_INVALID_ARG)
                continue
            chunk = fh[0].read(min(n, 4 << 20)) if fh[0] else b""
            sock.sendall(afc_packet(2, num, b"", chunk))
        elif op == 0x11:  # FILE_SEEK
            h, whence, off = struct.unpack_from("<QQq", payload, 0)
            fh = handles.get(h)
            if fh is None:
                status(AFC_E_INVALID_ARG)
                continue
            if fh[0]:
                fh[0].seek(off, whence)
            status(AFC_E_SUCCESS)
        elif op == 0x12:  # FILE_TELL
            h, = struct.unpack_from("<Q", payload, 0)
            fh = handles.get(h)
            if fh is None:
                status(AFC_E_INVALID_ARG)
                continue
            sock.sendall(afc_packet(0x13, num, struct.pack("<Q", fh[0].tell() if fh[0] else 0)))
        elif op == 0x14:  # FILE_CLOSE
            h, = struct.unpack_from("<Q", payload, 0)
            fh = handles.pop(h, None)
            ph.log(svc="afc", op=name, path=fh[1] if fh else None)
            if fh and fh[0]:
                fh[0].close()
            status(AFC_E_SUCCESS if fh else AFC_E_INVALID_ARG)
        elif op == 0x1B:  # FILE_LOCK
            h, lop = struct.unpack_from("<QQ", payload, 0)
            fh = handles.get(h)
            ph.log(svc="afc", op=name, path=fh[1] if fh else None, lock=lop)
            status(AFC_E_SUCCESS if fh else AFC_E_INVALID_ARG)
        elif op in (4, 5, 6, 7, 8, 9, 0x0C, 0x10, 0x15, 0x18, 0x1C, 0x1E, 0x20, 0x22, 0x28):
            ph.log(svc="afc", op=name, path=path_arg() if op not in (0x10, 0x15, 0x28) else None,
                   write=True, refused=True)
            status(AFC_E_PERM_DENIED)
        else:
            ph.log(svc="afc", op=name, refused=True)
            status(AFC_E_OP_NOT_SUPPORTED)


# ------------------------------------------------------------------ installation_proxy

def serve_instproxy(ph, sock):
    while True:
        try:
            req = recv_plist(sock)
        except (Closed, plistlib.InvalidFileException, ValueError):
            return
        if not isinstance(req, dict):
            return
        cmd = req.get("Command", "")
        opts = req.get("ClientOptions") or {}
        if cmd in ("Browse", "Lookup"):
            kind = opts.get("ApplicationType", "Any")
            attrs = opts.get("ReturnAttributes")
            apps = [a for a in ph.apps if kind == "Any" or a.get("ApplicationType") == kind]
            if cmd == "Lookup" and opts.get("BundleIDs"):
                apps = [a for a in apps if a.get("CFBundleIdentifier") in opts["BundleIDs"]]
            if attrs:
                apps = [{k: v for k, v in a.items() if k in attrs} for a in apps]
            ph.log(svc="installation_proxy", cmd=cmd, type=kind, attrs=attrs, n=len(apps))
            if cmd == "Lookup":
                send_plist(sock, {"LookupResult": {a.get("CFBundleIdentifier", str(i)): a
                                                   for i, a in enumerate(apps)}, "Status": "Complete"})
                continue
            page = 2
            for i in range(0, len(apps), page):
                cur = apps[i:i + page]
                send_plist(sock, {"Status": "BrowsingApplications", "CurrentList": cur, "CurrentIndex": i,
                                  "CurrentAmount": len(cur), "Total": len(apps)})
            send_plist(sock, {"Status": "Complete"})
        else:
            ph.log(svc="installation_proxy", cmd=cmd, write=cmd not in ("CheckCapabilitiesMatch",), refused=True)
            send_plist(sock, {"Error": "APIInternalError", "ErrorDescription": "%s is not simulated" % cmd})


# ------------------------------------------------------------------ mobilebackup2

def mb_error(code, path=None):
    desc = MB_ERRORS.get(code, "Simulated backup error")
    if path is not None:
        desc += ' at path "%s"' % path
    return "%s (MBErrorDomain/%d)" % (desc, code)


class DL:
    """The device side of a DeviceLink connection (binary plists, as devices send them)."""

    def __init__(self, ph, sock):
        self.ph, self.sock = ph, sock

    def send(self, *items):
        send_plist(self.sock, list(items), binary=True)

    def recv(self):
        return recv_plist(self.sock)

    def status(self, what):
        """Waits for the host's DLMessageStatusResponse; returns (code, text, payload)."""
        m = self.recv()
        if not isinstance(m, list) or not m or m[0] != "DLMessageStatusResponse":
            self.ph.log(svc="mobilebackup2", unexpected=repr(m)[:200], waiting_for=what)
            raise Closed()
        code = m[1] if len(m) > 1 else None
        text = m[2] if len(m) > 2 else None
        self.ph.log(svc="mobilebackup2", reply=what, code=code, text=text if text != EMPTY else None)
        return code, text, (m[3] if len(m) > 3 else None)

    def finish(self, code, desc=None, **extra):
        d = {"ErrorCode": code, "MessageName": "Response"}
        if desc:
            d["ErrorDescription"] = desc
        d.update(extra)
        self.ph.log(svc="mobilebackup2", send="DLMessageProcessMessage", error_code=code, desc=desc)
        self.send("DLMessageProcessMessage", d)

    def download(self, paths):
        """DLMessageDownloadFiles: the host sends us its files; returns {path: bytes or None}."""
        self.ph.log(svc="mobilebackup2", send="DLMessageDownloadFiles", paths=paths)
        self.send("DLMessageDownloadFiles", paths, {}, 0.0)
        got = {}
        while True:
            n, = struct.unpack(">I", recv_exact(self.sock, 4))
            if n == 0:
                break
            path = recv_exact(self.sock, n).decode("utf-8", "replace")
            data, ok = bytearray(), True
            while True:
                bn, = struct.unpack(">I", recv_exact(self.sock, 4))
                code = recv_exact(self.sock, 1)[0]
                body = recv_exact(self.sock, bn - 1) if bn > 1 else b""
                if code == CODE_FILE_DATA:
                    data += body
                    continue
                ok = code == CODE_SUCCESS
                break
            got[path] = bytes(data) if ok else None
        self.status("DLMessageDownloadFiles")
        return got


def device_path(domain, rel):
    """Where a backed-up file lives on the phone (what BackupAgent2 names as the source)."""
    if domain in ("HomeDomain", "CameraRollDomain", "MediaDomain"):
        return "/var/mobile/" + rel
    if domain.startswith("AppDomainGroup-"):
        return "/var/mobile/Containers/Shared/AppGroup/%s/%s" % (uuid_of(domain), rel)
    if domain.startswith("AppDomain"):
        return "/var/mobile/Containers/Data/Application/%s/%s" % (uuid_of(domain), rel)
    return "/var/%s/%s" % (domain, rel)


def uuid_of(s):
    h = hashlib.sha1(s.encode()).hexdigest().upper()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def backup_files(bdir):
    """[(device path, name relative to the backup dir, size)], xx/ files first, metadata last."""
    names = {}
    try:
        db = sqlite3.connect("file:%s?mode=ro&immutable=1" % os.path.join(bdir, "Manifest.db"), uri=True)
        for fid, dom, rel in db.execute("SELECT fileID, domain, relativePath FROM Files WHERE flags=1"):
            names[fid] = device_path(dom, rel)
        db.close()
    except sqlite3.DatabaseError:
        pass  # encrypted Manifest.db
    out = []
    for d in sorted(os.listdir(bdir)):
        if not re.fullmatch(r"[0-9a-f]{2}", d) or not os.path.isdir(os.path.join(bdir, d)):
            continue
        for f in sorted(os.listdir(os.path.join(bdir, d))):
            p = os.path.join(bdir, d, f)
            if os.path.isfile(p):
                out.append((names.get(f, "/var/mobile/.backup/" + f), d + "/" + f, os.path.getsize(p)))
    for m in ("Manifest.db", "Manifest.plist", "Status.plist"):
        p = os.path.join(bdir, m)
        if os.path.isfile(p):
            out.append(("/var/mobile/Library/Backup/" + m, m, os.path.getsize(p)))
    return out


def evil_path(kind, stage, fid):
    return {"dotdot": stage + "/../../../escaped-" + fid,
            "absolute": "/tmp/custos-sim-escape-" + fid,
            "long": stage + "/" + "a" * 5000,
            "nul": stage + "/" + fid[:2] + "/" + fid + "\0.evil",
            "other-udid": "0000000000000000000000000000000000000000/" + fid[:2] + "/" + fid}[kind]


def send_file(ph, dl, src, host_path, dev_path, size, nth, evil=None):
    sock = dl.sock
    fid = host_path.rsplit("/", 1)[-1]
    if evil:
        host_path = evil_path(evil, host_path[:-len(fid) - 4], fid)
        ph.fault_fired("evil-path", path_kind=evil, file=host_path[:200])
    dp, hp = dev_path.encode(), host_path.encode()
    sock.sendall(struct.pack(">I", len(dp)) + dp + struct.pack(">I", len(hp)) + hp)
    if ph.fault("remote-error") == fid:
        msg = b"Simulated read error for %s: Input/output error (5)" % dev_path.encode()
        ph.fault_fired("remote-error", file=host_path)
        sock.sendall(struct.pack(">IB", 1 + len(msg), CODE_ERROR_REMOTE) + msg)
        return 0
    cut = ph.fault("cut-after")
    block = ph.a.block
    sent = 0
    with open(src, "rb") as f:
        fd = f.fileno()
        if cut is not None and nth == cut:
            half = size // 2
            if half:
                sock.sendall(struct.pack(">IB", half + 1, CODE_FILE_DATA))
                os.sendfile(sock.fileno(), fd, 0, max(half // 2, 1))
            ph.fault_fired("cut-after", file=host_path, n=nth, sent=half // 2)
            raise Closed()
        while sent < size:
            n = min(block, size - sent)
            sock.sendall(struct.pack(">IB", n + 1, CODE_FILE_DATA))
            off = sent
            while off < sent + n:
                k = os.sendfile(sock.fileno(), fd, off, sent + n - off)
                if k <= 0:
                    raise Closed()
                off += k
            sent += n
    sock.sendall(struct.pack(">IB", 1, CODE_SUCCESS))
    return size


def mb_backup(ph, dl, req):
    udid = ph.udid
    opts = req.get("Options") or {}
    full = bool(opts.get("ForceFullBackup"))
    target = req.get("TargetIdentifier", udid)
    ph.log(svc="mobilebackup2", msg="Backup", target=target, source=req.get("SourceIdentifier"),
           full=full, encrypted=ph.password is not None)
    if ph.state == "passcode":
        # iOS 16.1+: the phone shows the passcode prompt and answers only once it is typed
        # (the backup goes on) or after about 3 minutes (ErrorCode 208).
        ph.log(svc="mobilebackup2", prompt="passcode", wait=ph.a.passcode_wait, accept=ph.a.passcode_accept)
        time.sleep(ph.a.passcode_wait)
        if not ph.a.passcode_accept:
            dl.finish(208, mb_error(208))
            return
    bdir = ph.backup_dir()
    if bdir is None:
        dl.finish(205, mb_error(205))
        return
    if ph.fault("bad-plist") is not None:
        ph.fault_fired("bad-plist")
        junk = b"bplist00\xd1\x01\x02\x5fDLMessage\x00\xff\xff"
        dl.sock.sendall(struct.pack(">I", len(junk)) + junk)
        while True:
            m = dl.recv()
            ph.log(svc="mobilebackup2", after_bad_plist=repr(m)[:200])
    files = backup_files(bdir)
    total = sum(f[2] for f in files)
    if not full:
        # The phone first reads the host's Status.plist of the previous backup (an
        # incremental request, libimobiledevice issue #520); this one always sends everything.
        dl.download([udid + "/Status.plist"])
    dl.send("DLMessageGetFreeDiskSpace")
    ph.log(svc="mobilebackup2", send="DLMessageGetFreeDiskSpace")
    code, _, free = dl.status("DLMessageGetFreeDiskSpace")
    if code == 0 and isinstance(free, int) and free < total:
        dl.finish(105, mb_error(105))
        return
    dl.send("DLContentsOfDirectory", udid)
    ph.log(svc="mobilebackup2", send="DLContentsOfDirectory", path=udid)
    dl.status("DLContentsOfDirectory")
    stage = udid if ph.a.flat else udid + "/Snapshot"
    dirs = sorted({h.split("/")[0] for _, h, _ in files if "/" in h})
    mkdirs = [stage] + ["%s/%s" % (stage, d) for d in dirs]
    if not ph.a.flat:
        mkdirs += ["%s/%s" % (udid, d) for d in dirs]
    for d in mkdirs:
        dl.send("DLMessageCreateDirectory", d)
        ph.log(svc="mobilebackup2", send="DLMessageCreateDirectory", path=d)
        dl.status("DLMessageCreateDirectory")
    done_bytes = 0
    nth = 0
    evil = ph.fault("evil-path")
    moved = files[1:] if evil else files  # the evil-named file is not where a move expects it
    batch = max(ph.a.batch, 1)
    for i in range(0, len(files), batch):
        part = files[i:i + batch]
        progress = 100.0 * done_bytes / total if total else 100.0
        dl.send("DLMessageUploadFiles", {}, progress, total)
        ph.log(svc="mobilebackup2", send="DLMessageUploadFiles", files=len(part))
        for dev, rel, size in part:
            nth += 1
            done_bytes += send_file(ph, dl, os.path.join(bdir, rel), "%s/%s" % (stage, rel), dev, size, nth,
                                    evil if nth == 1 else None)
        dl.sock.sendall(struct.pack(">I", 0))
        dl.status("DLMessageUploadFiles")
    if not ph.a.flat:
        moves = {"%s/%s" % (stage, rel): "%s/%s" % (udid, rel) for _, rel, _ in moved}
        dl.send("DLMessageMoveItems", moves, {}, 100.0)
        ph.log(svc="mobilebackup2", send="DLMessageMoveItems", n=len(moves))
        dl.status("DLMessageMoveItems")
        rm = ["%s/%s" % (stage, d) for d in dirs] + [stage]
        dl.send("DLMessageRemoveItems", rm, {}, 100.0)
        ph.log(svc="mobilebackup2", send="DLMessageRemoveItems", paths=rm)
        dl.status("DLMessageRemoveItems")
    code = ph.fault("error-code")
    if code is not None:
        ph.fault_fired("error-code", code=code)
        dl.finish(code, mb_error(code))
        return
    dl.finish(0)


def mb_info(ph, dl, req):
    src = req.get("SourceIdentifier") or req.get("TargetIdentifier") or ph.udid
    ph.log(svc="mobilebackup2", msg="Info", source=src)
    names = ["Status.plist", "Manifest.plist", "Info.plist"]
    got = dl.download(["%s/%s" % (src, n) for n in names])
    plists = {}
    for n in names:
        data = got.get("%s/%s" % (src, n))
        if data is None:
            dl.finish(4, mb_error(4, "%s/%s" % (src, n)))
            return
        try:
            plists[n] = plistlib.loads(data)
        except Exception:
            dl.finish(205, mb_error(205))
            return
    info, man, st = plists["Info.plist"], plists["Manifest.plist"], plists["Status.plist"]
    lines = []
    for k in ("Device Name", "Display Name", "Product Type", "Product Version", "Build Version",
              "Serial Number", "IMEI", "Phone Number", "Target Identifier", "Unique Identifier",
              "Last Backup Date"):
        if k in info:
            lines.append("%s: %s" % (k, info[k]))
    lines.append("IsEncrypted: %s" % man.get("IsEncrypted"))
    lines.append("Manifest Version: %s" % man.get("Version"))
    lines.append("Manifest Lockdown UniqueDeviceID: %s" % (man.get("Lockdown") or {}).get("UniqueDeviceID"))
    for k in ("SnapshotState", "BackupState", "IsFullBackup", "Version", "Date"):
        lines.append("Status %s: %s" % (k, st.get(k)))
    dl.finish(0, Content="\n".join(lines) + "\n")


def mb_change_password(ph, dl, req):
    old, new = req.get("OldPassword"), req.get("NewPassword")
    entry = {"svc": "mobilebackup2", "msg": "ChangePassword", "old": old, "new": new, "write": True}
    if (ph.password is None and (old is not None or new is None)) or \
            (ph.password is not None and old != ph.password):
        ph.log(**entry, error=207)
        dl.finish(207, mb_error(207))
        return
    before = ph.password
    ph.password = new
    ph.log(**entry, before=before, after=new)
    dl.finish(0)


def serve_mobilebackup2(ph, sock):
    dl = DL(ph, sock)
    try:
        dl.send("DLMessageVersionExchange", DL_VERSION_MAJOR, 0)
        m = dl.recv()
        ph.log(svc="mobilebackup2", dl=repr(m)[:120])
        if not (isinstance(m, list) and len(m) >= 2 and m[1] == "DLVersionsOk"):
            return
        dl.send("DLMessageDeviceReady")
        while True:
            m = dl.recv()
            if not isinstance(m, list) or not m:
                ph.log(svc="mobilebackup2", unexpected=repr(m)[:200])
                return
            if m[0] == "DLMessageDisconnect":
                ph.log(svc="mobilebackup2", msg="DLMessageDisconnect")
                return
            if m[0] != "DLMessageProcessMessage" or len(m) < 2 or not isinstance(m[1], dict):
                ph.log(svc="mobilebackup2", unexpected=repr(m)[:200])
                continue
            req = m[1]
            name = req.get("MessageName", "")
            if name == "Hello":
                vers = req.get("SupportedProtocolVersions") or []
                ph.log(svc="mobilebackup2", msg="Hello", versions=vers)
                if 2.1 in vers or 2.0 in vers:
                    dl.send("DLMessageProcessMessage", {"ErrorCode": 0, "MessageName": "Response",
                                                        "ProtocolVersion": 2.1 if 2.1 in vers else 2.0})
                else:
                    dl.send("DLMessageProcessMessage", {"ErrorCode": 1, "MessageName": "Response"})
            elif name == "Backup":
                mb_backup(ph, dl, req)
            elif name == "Info":
                mb_info(ph, dl, req)
            elif name == "List":
                ph.log(svc="mobilebackup2", msg="List")
                src = req.get("SourceIdentifier") or ph.udid
                dl.finish(205, "Error reading backup database (MBErrorDomain/205). Underlying error: "
                          'No such file or directory at path "%s/Manifest.mbdb" (MBErrorDomain/4).' % src)
            elif name == "ChangePassword":
                mb_change_password(ph, dl, req)
            else:
                ph.log(svc="mobilebackup2", msg=name, refused=True,
                       write=name in ("Restore", "EnableCloudBackup", "Unback"))
                dl.finish(1, "%s is not simulated (MBErrorDomain/1)" % name)
    except (Closed, plistlib.InvalidFileException, ValueError, struct.error):
        return


HANDLERS = {"lockdownd": serve_lockdownd, "com.apple.mobile.notification_proxy": serve_np,
            "com.apple.afc": serve_afc, "com.apple.mobile.installation_proxy": serve_instproxy,
            "com.apple.mobilebackup2": serve_mobilebackup2}


# ------------------------------------------------------------------ main

def conn_thread(ph, sock):
    try:
        serve_usbmuxd(ph, sock)
    except (Closed, OSError):
        pass
    except Exception as e:  # a bug in the simulator: say so in the log, keep serving
        ph.log(svc="sim", crash=repr(e))
        import traceback
        traceback.print_exc()
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", required=True, help="Unix socket path to listen on as usbmuxd")
    ap.add_argument("--udid", default=DEFAULT_UDID)
    ap.add_argument("--backup", help="the backup the phone holds (dir with Manifest.db..., or its parent)")
    ap.add_argument("--backup-encrypted", help="the backup served while a backup password is set")
    ap.add_argument("--will-encrypt", action="store_true", help="a backup password is set (WillEncrypt true)")
    ap.add_argument("--password", default="custos-test", help="the password set with --will-encrypt")
    ap.add_argument("--media", help="the AFC root (/var/mobile/Media)")
    ap.add_argument("--apps", help="JSON list of app dicts for installation_proxy")
    ap.add_argument("--values", help="JSON object of lockdown root values (or domains) to override")
    ap.add_argument("--state", default="ready", choices=["ready", "untrusted", "locked", "deny-pairing", "passcode"])
    ap.add_argument("--pair-accept", action="store_true", help="untrusted: the user taps Trust")
    ap.add_argument("--passcode-wait", type=float, default=0.0,
                    help="passcode: seconds the prompt stays on the phone before the answer")
    ap.add_argument("--passcode-accept", action="store_true",
                    help="passcode: the user types the passcode (after --passcode-wait) and the backup goes on")
    ap.add_argument("--fault", action="append", help="cut-after:N, error-code:N, remote-error:FILEID, bad-plist, evil-path:KIND")
    ap.add_argument("--once", action="store_true", help="faults fire in the first backup only")
    ap.add_argument("--clock-skew", type=float, default=0.0, help="device clock minus real clock, seconds")
    ap.add_argument("--flat", action="store_true", help="upload straight to <udid>/xx/ (no Snapshot/ + MoveItems)")
    ap.add_argument("--block", type=int, default=65536, help="bytes per file-data block")
    ap.add_argument("--batch", type=int, default=100, help="files per DLMessageUploadFiles")
    ap.add_argument("--log", help="JSON lines, one per request")
    a = ap.parse_args()
    ph = Phone(a)
    if ph.a.backup:
        ph.backup_dir()  # fail early on a wrong path
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.socket)
    srv.listen(64)

    def stop(*_):
        try:
            os.unlink(a.socket)
        except OSError:
            pass
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ph.log(svc="sim", event="ready", socket=a.socket, udid=ph.udid, state=ph.state, faults=ph.faults)
    print("READY %s" % a.socket, flush=True)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=conn_thread, args=(ph, c), daemon=True).start()


if __name__ == "__main__":
    main()
