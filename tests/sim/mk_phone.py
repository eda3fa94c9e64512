#!/usr/bin/env python3
"""mk_phone.py - writes the simulated phone's /sdcard tree (tests/sim/phone/sdcard/) and
mtimes.json, deterministically (synthetic bytes, no personal data). Run from the repo root
when the tree is to change: python3 tests/sim/mk_phone.py tests/sim/phone

The tree holds what an acquisition must survive: Chinese names, nested dirs, the WeChat
(tencent/MicroMsg, Android/media/com.tencent.mm) media layout with an exported chat backup,
QQ, Telegram and WhatsApp folders, a 0-byte file, a name with a backslash and one with a
newline, an emoji name, a file over 64 KiB (several sync DATA chunks) and one over 1 MiB
(several WRTEs at the largest payload), and symlinks inside the tree (to a file and to a directory).
"""
import json, os, random, sys

root = sys.argv[1]
sd = os.path.join(root, "sdcard")
rnd = random.Random(12)


def rb(n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


JPEG = lambda n: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rb(n) + b"\xff\xd9"
wx = "Android/media/com.tencent.mm/MicroMsg/3f2a9c1d8e7b6a5f4e3d2c1b0a998877"
files = {
    "DCIM/Camera/IMG_20210304_101112.jpg": JPEG(30000),
    "DCIM/Camera/VID_20210305_083000.mp4": b"\x00\x00\x00\x18ftypmp42" + rb(1200000),
    "DCIM/Screenshots/Screenshot_2021-03-06-21-15-02-337_com.tencent.mm.jpg": JPEG(9000),
    "Download/转账记录.pdf": b"%PDF-1.4\n" + rb(5000) + b"\n%%EOF\n",
    "Download/空文件.txt": b"",
    "Download/back\\slash.txt": b"a name with a backslash\n",
    "Download/new\nline.txt": b"a name with a newline\n",
    "Download/表情😀.txt": b"emoji in the name\n",
    "Download/with space, comma=eq.txt": b"separators in the name\n",
    "Pictures/WeiXin/mmexport1614823072000.jpg": JPEG(70000),
    "tencent/MicroMsg/Download/货款清单.xlsx": b"PK\x03\x04" + rb(3000),
    "tencent/MicroMsg/WeiXin/wx_camera_1614823100000.jpg": JPEG(4000),
    "tencent/QQfile_recv/联系方式.txt": "老王 13800138000\n".encode(),
    "tencent/QQ_Images/QQ截图20210304101112.png": b"\x89PNG\r\n\x1a\n" + rb(2000),
    wx + "/image2/ab/cd/th_abcd1234ef567890": JPEG(1500),
    wx + "/image2/ab/cd/abcd1234ef567890.jpg": JPEG(66000),
    wx + "/video/210304101500abcd.mp4": b"\x00\x00\x00\x18ftypisom" + rb(8000),
    wx + "/voice2/8f/2e/msg_041015030421abc.amr": b"#!AMR\n" + rb(1200),
    wx + "/attachment/交易明细.docx": b"PK\x03\x04" + rb(2500),
    "聊天记录/微信聊天记录导出_老王.txt": (
        "2021-03-04 10:11:12 老王: 东西到了吗？\n"
        "2021-03-04 10:12:01 我: 到了, 明天见=老地方\n"
        "2021-03-04 10:13:44 老王: 🙂 好\n").encode(),
    "Telegram/Telegram Images/546372819_120345.jpg": JPEG(2200),
    "Telegram/Telegram Documents/price list.txt": b"item=1, qty=2\n",
    "WhatsApp/Media/WhatsApp Images/IMG-20210304-WA0001.jpg": JPEG(2600),
    "WhatsApp/Databases/msgstore-2021-03-04.1.db.crypt14": rb(4096),
    "Android/data/com.eg.android.AlipayGphone/files/log.txt": b"alipay log\n",
    ".hidden/.nomedia": b"",
}
base = 1614823000  # 2021-03-04 02:56:40 UTC
mtimes = {}
for i, (rel, data) in enumerate(sorted(files.items())):
    p = os.path.join(sd, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    mtimes["/sdcard/" + rel] = base + 3600 * i + 17
for d, subdirs, _ in os.walk(sd):
    rel = os.path.relpath(d, sd)
    mtimes["/sdcard" + ("" if rel == "." else "/" + rel)] = base - 86400
mtimes["/sdcard/DCIM/latest.jpg"] = mtimes["/sdcard/Pictures/Camera"] = base - 43200
# Symlinks are virtual (symlinks.json, served by the simulator): `make dist` (tar -h) and
# some checkouts would turn a real one into a copy.
with open(os.path.join(root, "symlinks.json"), "w", encoding="utf-8") as f:
    json.dump({"/sdcard/DCIM/latest.jpg": "Camera/IMG_20210304_101112.jpg",
               "/sdcard/Pictures/Camera": "../DCIM/Camera"}, f, indent=1, sort_keys=True)
    f.write("\n")

with open(os.path.join(root, "mtimes.json"), "w", encoding="utf-8") as f:
    json.dump(mtimes, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write("\n")

# ---------------------------------------------------------------- app private data (--su, backup:)
dd = os.path.join(root, "data", "data")
private = {
    "com.tencent.mm/databases/EnMicroMsg.db": b"SQLite format 3\x00" + rb(4080),
    "com.tencent.mm/shared_prefs/system_config_prefs.xml":
        b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
        b"    <int name=\"default_uin\" value=\"1234567890\" />\n</map>\n",
    "com.tencent.mobileqq/databases/1234567.db": b"SQLite format 3\x00" + rb(2032),
    "com.whatsapp/databases/msgstore.db": b"SQLite format 3\x00" + rb(2032),
    "org.telegram.messenger/files/cache4.db": b"SQLite format 3\x00" + rb(2032),
    "com.eg.android.AlipayGphone/databases/alipayclient.db": b"SQLite format 3\x00" + rb(2032),
}
for rel, data in sorted(private.items()):
    p = os.path.join(dd, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)

# ---------------------------------------------------------------- canned command outputs
out = os.path.join(root, "out")
os.makedirs(out, exist_ok=True)
commands = {}


def canned(cmd, text, name, stderr="", code=0):
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    commands[cmd] = {"stdout_file": "out/" + name, "stderr": stderr, "exit": code}


props = [
    ("dalvik.vm.heapsize", "512m"),
    ("gsm.operator.alpha", "中国移动"),
    ("gsm.operator.numeric", "46000"),
    ("gsm.sim.operator.alpha", "CMCC"),
    ("gsm.sim.state", "READY,ABSENT"),
    ("gsm.version.baseband", "MPSS.AT.4.0.c2.5-00155-SDM710_GEN_PACK-1"),
    ("persist.sys.timezone", "Asia/Shanghai"),
    ("persist.sys.locale", "zh-CN"),
    ("ro.boot.serialno", "SIM0001"),
    ("ro.bootloader", "unknown"),
    ("ro.build.characteristics", "default"),
    ("ro.build.date.utc", "1606780800"),
    ("ro.build.display.id", "QKQ1.190910.002 test-keys"),
    ("ro.build.fingerprint", "Xiaomi/simphone/simphone:10/QKQ1.190910.002/V12.0.3.0.QFGCNXM:user/release-keys"),
    ("ro.build.id", "QKQ1.190910.002"),
    ("ro.build.tags", "release-keys"),
    ("ro.build.type", "user"),
    ("ro.build.version.incremental", "V12.0.3.0.QFGCNXM"),
    ("ro.build.version.release", "10"),
    ("ro.build.version.sdk", "29"),
    ("ro.build.version.security_patch", "2020-11-01"),
    ("ro.crypto.state", "encrypted"),
    ("ro.crypto.type", "file"),
    ("ro.debuggable", "0"),
    ("ro.miui.ui.version.name", "V12"),
    ("ro.product.brand", "Xiaomi"),
    ("ro.product.device", "simphone"),
    ("ro.product.manufacturer", "Xiaomi"),
    ("ro.product.model", "Redmi Note 8 Pro"),
    ("ro.product.name", "simphone"),
    ("ro.secure", "1"),
    ("ro.serialno", "SIM0001"),
    ("sys.usb.config", "mtp,adb"),
    ("sys.usb.state", "mtp,adb"),
    ("persist.sys.device_name", "老王的手机 [备用]"),  # brackets inside a value
]
canned("getprop", "".join("[%s]: [%s]\n" % kv for kv in sorted(props)), "getprop.txt")

canned("dumpsys battery", """Current Battery Service state:
  AC powered: false
  USB powered: true
  Wireless powered: false
  Max charging current: 500000
  Max charging voltage: 5000000
  Charge counter: 2860000
  status: 2
  health: 2
  present: true
  level: 67
  scale: 100
  voltage: 3987
  temperature: 281
  technology: Li-poly
""", "dumpsys_battery.txt")
canned("settings get global airplane_mode_on", "0\n", "airplane_mode_on.txt")
canned("locksettings get-disabled", "false\n", "locksettings_get_disabled.txt")
canned("dumpsys trust", """TRUST MANAGER (dumpsys trust)
 Trust agents enabled: true
 User "机主" (id=0, flags=0xc13) (current): trusted=0, trustManaged=1, deviceLocked=1, strongAuthRequired=0x0
   Enabled agents:
    com.google.android.gms/.auth.trustagent.GoogleTrustAgent
      bound=1, connected=1, managingTrust=1, trusted=0
 User "XSpace" (id=999, flags=0x801010): trusted=0, trustManaged=0, deviceLocked=1, strongAuthRequired=0x0
 Events:
""", "dumpsys_trust.txt")
canned("dumpsys account", """User UserInfo{0:机主:c13}:
  Accounts: 3
    Account {name=laowang@example.com, type=com.google}
    Account {name=wxid_abc123xyz, type=com.tencent.mm.account}
    Account {name=1234567, type=com.tencent.mobileqq.account}

  Active Sessions: 0

  RegisteredServicesCache: 5 services
User UserInfo{999:XSpace:801010}:
  Accounts: 1
    Account {name=wxid_second456, type=com.tencent.mm.account}

  Active Sessions: 0
""", "dumpsys_account.txt")
canned("pm list users", """Users:
\tUserInfo{0:机主:c13} running
\tUserInfo{10:工作资料:1030} running
\tUserInfo{999:XSpace:801010} running
""", "pm_list_users.txt")

pkgs = [  # name, apk dir, versionCode, versionName, installer, uid, first install, users
    ("com.tencent.mm", "/data/app/com.tencent.mm-Xk3Qv2yM9cL1aB0dEfGhIw==/base.apk", 1780, "8.0.1",
     "com.xiaomi.market", 10234, "2021-01-15 09:30:12", [0, 999]),
    ("com.tencent.mobileqq", "/data/app/com.tencent.mobileqq-aB0dEfGhIwXk3Qv2yM9cL1==/base.apk", 1660,
     "8.5.5", "com.xiaomi.market", 10235, "2021-01-15 09:41:02", [0]),
    ("com.eg.android.AlipayGphone", "/data/app/com.eg.android.AlipayGphone-yM9cL1aB0dEfGhIwXk3Qv2==/base.apk",
     335, "10.2.13.7000", "com.xiaomi.market", 10240, "2021-01-16 12:00:00", [0, 999]),
    ("org.telegram.messenger", "/data/app/org.telegram.messenger-EfGhIwXk3Qv2yM9cL1aB0d==/base.apk", 21966,
     "7.5.0", None, 10251, "2021-02-20 23:05:41", [0]),
    ("com.whatsapp", "/data/app/com.whatsapp-v2yM9cL1aB0dEfGhIwXk3Q==/base.apk", 210402005,
     "2.21.4.22", "com.android.vending", 10252, "2021-02-21 08:15:00", [0, 10]),
    ("com.android.settings", "/system/priv-app/Settings/Settings.apk", 29, "10", None, 1000,
     "2008-12-31 16:00:00", [0, 10, 999]),
    ("com.android.providers.telephony", "/system/priv-app/TelephonyProvider/TelephonyProvider.apk", 29,
     "10", None, 1001, "2008-12-31 16:00:00", [0, 10, 999]),
]
canned("pm list packages -f -i -U --show-versioncode", "".join(
    "package:%s=%s versionCode:%d  installer=%s uid:%d\n" % (apk, n, vc, inst or "null", uid)
    for n, apk, vc, vn, inst, uid, fi, users in pkgs), "pm_list_packages.txt")
canned("pm list packages", "".join("package:%s\n" % p[0] for p in pkgs), "pm_list_packages_plain.txt")
canned("pm list packages -f", "".join("package:%s=%s\n" % (p[1], p[0]) for p in pkgs),
       "pm_list_packages_f.txt")
for n, apk, vc, vn, inst, uid, fi, users in pkgs:
    ulines = "".join(
        "    User %d: ceDataInode=%d installed=true hidden=false suspended=false stopped=false "
        "notLaunched=false enabled=0 instant=false virtual=false\n" % (u, 400000 + u) for u in users)
    canned("dumpsys package " + n, """Activity Resolver Table:
  Non-Data Actions:
      android.intent.action.MAIN:
        1a2b3c4 %(n)s/.ui.LauncherUI filter 5d6e7f8

Packages:
  Package [%(n)s] (9f8e7d6):
    userId=%(uid)d
    pkg=Package{1c2d3e4 %(n)s}
    codePath=%(code)s
    resourcePath=%(code)s
    versionCode=%(vc)d minSdk=21 targetSdk=28
    versionName=%(vn)s
    splits=[base]
    apkSigningVersion=2
    applicationInfo=ApplicationInfo{5a6b7c8 %(n)s}
    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]
    dataDir=/data/user/0/%(n)s
    timeStamp=%(fi)s
    firstInstallTime=%(fi)s
    lastUpdateTime=%(fi)s
    installerPackageName=%(inst)s
    signatures=PackageSignatures{7d8e9f0 version:2, signatures:[a1b2c3d4], past signatures:[]}
    installPermissionsFixed=true
    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]
%(ulines)s""" % {"n": n, "uid": uid, "code": apk.rsplit("/", 1)[0], "vc": vc, "vn": vn, "fi": fi,
                 "inst": inst or "null", "ulines": ulines}, "dumpsys_package_%s.txt" % n)


def parcel(words_bytes):
    """`service call` output: the reply Parcel as hex u32 words (little-endian read) and text."""
    b = words_bytes + b"\0" * (-len(words_bytes) % 4)
    if len(b) <= 16:  # a short reply is printed on one line
        words = " ".join("%08x" % int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4))
        return "Result: Parcel(%s   '%s')\n" % (words, "".join(chr(c) if 32 <= c < 127 else "." for c in b))
    lines = []
    for off in range(0, len(b), 16):
        chunk = b[off:off + 16]
        words = " ".join("%08x" % int.from_bytes(chunk[i:i + 4], "little") for i in range(0, len(chunk), 4))
        text = "".join(chr(c) if 32 <= c < 127 else "." for c in chunk)
        lines.append("0x%08x: %-35s '%-16s'" % (off, words, text))
    return "Result: Parcel(\n" + "\n".join("  " + l for l in lines) + ")\n"


def s16(s):
    u = s.encode("utf-16-le") + b"\0\0"
    return (0).to_bytes(4, "little") + len(s).to_bytes(4, "little") + u


def security(msg):
    u = msg.encode("utf-16-le") + b"\0\0"
    return (0xFFFFFFFF).to_bytes(4, "little") + len(msg).to_bytes(4, "little") + u


# IPhoneSubInfo as this simulated Android 10 answers the shell user: 1 = device id (IMEI of
# slot 1), 3 = IMEI for a phone id (slot 1 without arguments), 5 = software version,
# 11 = ICCID and 13 = line-1 number are refused, others answer an empty string (null).
IMEI = "860605030250737"
iphone = {
    1: s16(IMEI),
    2: (0).to_bytes(4, "little") + (0xFFFFFFFF).to_bytes(4, "little"),
    3: s16(IMEI),
    4: s16("860605030250745"),
    5: s16("04"),
    11: security("getIccSerialNumber: The user 2000 does not meet the requirements to access device identifiers."),
    12: security("getIccSerialNumberForSubscriber: The user 2000 does not meet the requirements to access device identifiers."),
    13: security("getLine1Number: Neither user 2000 nor current process has android.permission.READ_PHONE_NUMBERS."),
    14: security("getLine1NumberForSubscriber: Neither user 2000 nor current process has android.permission.READ_PHONE_NUMBERS."),
}
for code in range(1, 21):
    body = iphone.get(code, (0).to_bytes(4, "little") + (0xFFFFFFFF).to_bytes(4, "little"))
    canned("service call iphonesubinfo %d" % code, parcel(body), "iphonesubinfo_%d.txt" % code)

canned("date", "Thu Mar  4 10:20:00 CST 2021\n", "date.txt")
canned("uname -a", "Linux localhost 4.14.117-perf+ #1 SMP PREEMPT Tue Dec 1 00:00:00 CST 2020 aarch64\n",
       "uname.txt")
canned("cat /proc/version", "Linux version 4.14.117-perf+ (builder@sim) (clang version 8.0.12) #1 SMP "
       "PREEMPT Tue Dec 1 00:00:00 CST 2020\n", "proc_version.txt")
canned("whoami", "shell\n", "whoami.txt")
canned("wm size", "Physical size: 1080x2340\n", "wm_size.txt")
canned("dumpsys power", "POWER MANAGER (dumpsys power)\n  mWakefulness=Asleep\n  mIsPowered=true\n",
       "dumpsys_power.txt")
commands["rm -rf /sdcard"] = {"stdout": "", "stderr": "rm: /sdcard: Permission denied\n", "exit": 1}

with open(os.path.join(root, "commands.json"), "w", encoding="utf-8") as f:
    json.dump({"commands": dict(sorted(commands.items()))}, f, ensure_ascii=False, indent=1)
    f.write("\n")

# ---------------------------------------------------------------- content providers
# Rows served by the built-in `content query`; values are printed as Android's `content`
# tool does (no escaping), so these bodies are hostile on purpose: ", " and "=" inside values,
# newlines, a line that starts like a row ("Row: 7 _id=..."), Chinese, emoji, NULL as text.
pdir = os.path.join(root, "providers")
os.makedirs(pdir, exist_ok=True)
T0 = 1614823872000
sms_rows = [
    dict(_id=1, thread_id=1, address="+8613800138000", person=None, date=T0, date_sent=T0 - 2000,
         read=1, status=-1, type=1, subject=None, body="东西到了吗？老地方见", service_center="+8613800100500",
         seen=1, sub_id=1),
    dict(_id=2, thread_id=1, address="+8613800138000", person=None, date=T0 + 60000, date_sent=0,
         read=1, status=-1, type=2, subject=None, body="到了, 明天见=老地方, price=200, qty=3",
         service_center=None, seen=1, sub_id=1),
    dict(_id=3, thread_id=2, address="10086", person=None, date=T0 + 120000, date_sent=T0 + 119000,
         read=0, status=-1, type=1, subject=None,
         body="first line\nsecond line, address=+861234, type=2\nRow: 7 _id=99, address=fake, body=fake",
         service_center="+8613800100500", seen=0, sub_id=1),
    dict(_id=4, thread_id=3, address="+85251234567", person=None, date=T0 + 180000, date_sent=0,
         read=1, status=-1, type=2, subject=None, body="🚀🙂 emoji only 👍🏽 and a trailing comma, ",
         service_center=None, seen=1, sub_id=2),
    dict(_id=5, thread_id=3, address="+85251234567", person=None, date=T0 + 240000, date_sent=0,
         read=1, status=-1, type=1, subject=None, body="NULL", service_center=None, seen=1, sub_id=2),
    dict(_id=6, thread_id=4, address="95588", person=None, date=T0 + 300000, date_sent=T0 + 299000,
         read=1, status=-1, type=1, subject="", body="", service_center=None, seen=1, sub_id=1),
    dict(_id=7, thread_id=4, address="95588", person=None, date=T0 + 360000, date_sent=T0 + 359000,
         read=1, status=-1, type=1, subject=None,
         body="【工商银行】您尾号1234卡3月4日10:26转入200.00元，余额=1,234.56元。\n\n", service_center=None,
         seen=1, sub_id=1),
]
sms_cols = ["_id", "thread_id", "address", "person", "date", "date_sent", "read", "status", "type",
            "subject", "body", "service_center", "seen", "sub_id"]
mms_rows = [
    dict(_id=1, thread_id=5, date=1614823900, date_sent=1614823899, msg_box=1, read=1, m_type=132,
         sub=None, sub_cs=None, ct_t="application/vnd.wap.multipart.related", m_size=24000, seen=1),
]
mms_cols = ["_id", "thread_id", "date", "date_sent", "msg_box", "read", "m_type", "sub", "sub_cs",
            "ct_t", "m_size", "seen"]
part_rows = [
    dict(_id=1, mid=1, seq=-1, ct="application/smil", name=None, chset=None, cid="<smil>",
         cl="smil.xml", _data=None, text="<smil><body><par dur=\"5000ms\"><img src=\"image1.jpg\"/></par></body></smil>"),
    dict(_id=2, mid=1, seq=0, ct="image/jpeg", name="image1.jpg", chset=None, cid="<image1>",
         cl="image1.jpg", _data="/data/user_de/0/com.android.providers.telephony/app_parts/PART_1614823900_image1.jpg",
         text=None),
    dict(_id=3, mid=1, seq=0, ct="text/plain", name=None, chset=106, cid="<text_0>", cl="text_0.txt",
         _data=None, text="照片, 见附件=货\n第二行"),
]
part_cols = ["_id", "mid", "seq", "ct", "name", "chset", "cid", "cl", "_data", "text"]
calls_rows = [
    dict(_id=1, number="+8613800138000", date=T0 - 600000, duration=63, type=1, new=0, name="老王",
         numbertype=2, numberlabel=None, countryiso="CN", geocoded_location="广东 深圳",
         subscription_id="1", features=0),
    dict(_id=2, number="+8613800138000", date=T0 - 300000, duration=0, type=3, new=1, name="老王",
         numbertype=2, numberlabel=None, countryiso="CN", geocoded_location="广东 深圳",
         subscription_id="1", features=0),
    dict(_id=3, number="", date=T0 - 200000, duration=12, type=1, new=0, name=None, numbertype=0,
         numberlabel=None, countryiso="CN", geocoded_location=None, subscription_id="1", features=0),
    dict(_id=4, number="+85251234567", date=T0 - 100000, duration=300, type=2, new=0,
         name="Mr. X, \"boss\"=yes", numbertype=0, numberlabel="custom, label=1", countryiso="HK",
         geocoded_location="Hong Kong", subscription_id="2", features=1),
]
calls_cols = ["_id", "number", "date", "duration", "type", "new", "name", "numbertype",
              "numberlabel", "countryiso", "geocoded_location", "subscription_id", "features"]
data_rows = [
    dict(_id=1, raw_contact_id=1, contact_id=1, mimetype="vnd.android.cursor.item/name",
         display_name="老王", data1="老王", data2="王", data3="老", data4=None),
    dict(_id=2, raw_contact_id=1, contact_id=1, mimetype="vnd.android.cursor.item/phone_v2",
         display_name="老王", data1="138 0013 8000", data2=2, data3=None, data4="+8613800138000"),
    dict(_id=3, raw_contact_id=1, contact_id=1, mimetype="vnd.android.cursor.item/note",
         display_name="老王", data1="货到付款, 价格=200\n地址: 深圳市, 南山区\nRow: 9 _id=1", data2=None,
         data3=None, data4=None),
    dict(_id=4, raw_contact_id=2, contact_id=2, mimetype="vnd.android.cursor.item/name",
         display_name="Mr. X, \"boss\"=yes 😎", data1="Mr. X, \"boss\"=yes 😎", data2="Mr. X",
         data3=None, data4=None),
    dict(_id=5, raw_contact_id=2, contact_id=2, mimetype="vnd.android.cursor.item/phone_v2",
         display_name="Mr. X, \"boss\"=yes 😎", data1="+852 5123 4567", data2=17, data3="burner, #2",
         data4="+85251234567"),
    dict(_id=6, raw_contact_id=2, contact_id=2, mimetype="vnd.android.cursor.item/email_v2",
         display_name="Mr. X, \"boss\"=yes 😎", data1="x@example.com", data2=1, data3=None, data4=None),
]
data_cols = ["_id", "raw_contact_id", "contact_id", "mimetype", "display_name", "data1", "data2",
             "data3", "data4"]
providers = {
    "sms": {"uris": {"content://sms": {}, "content://sms/inbox": {"type": 1},
                     "content://sms/sent": {"type": 2}}, "columns": sms_cols, "rows": sms_rows},
    "mms": {"uris": {"content://mms": {}, "content://mms/inbox": {"msg_box": 1}},
            "columns": mms_cols, "rows": mms_rows},
    "mms_part": {"uris": {"content://mms/part": {}}, "columns": part_cols, "rows": part_rows},
    "call_log": {"uris": {"content://call_log/calls": {}}, "columns": calls_cols, "rows": calls_rows},
    "contacts_data": {"uris": {"content://com.android.contacts/data": {}}, "columns": data_cols,
                      "rows": data_rows},
}
for name, p in providers.items():
    with open(os.path.join(pdir, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(p, f, ensure_ascii=False, indent=1)
        f.write("\n")
