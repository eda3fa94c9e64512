#!/usr/bin/env python3
"""make_qq.py OUTDIR - synthetic QQ stores at device paths (APPS.md 3.1, 3.3),
for `custos import --format dir`:

  OUTDIR/android/data/data/com.tencent.mobileqq/databases/10001.db  legacy, XOR-encoded
  OUTDIR/android/data/data/com.tencent.mobileqq/files/kc            the XOR key
  OUTDIR/nokey/data/data/com.tencent.mobileqq/databases/10001.db    same store, no key file
  OUTDIR/damaged/data/data/com.tencent.mobileqq/...                  same store + key, with
        the troop table's root page overwritten (the other tables must still be parsed)
  OUTDIR/ios/private/var/mobile/Containers/Data/Application/
        0A1B2C3D-0000-4000-8000-000000000001/Documents/contents/10001/QQ.db

The XOR encoder here is written independently of custos: text columns XOR
each UTF-16 code unit with the key character at the same index, msgData
XORs bytes with the key bytes. The key starts with '2' so that the peer
"20002" encodes to a string whose first character is NUL. Expected rows:
tests/golden/chat_qq_*.txt (by hand from the values below)."""
import hashlib
import os
import sqlite3
import struct
import sys

out = sys.argv[1]
KEY = "258240051111110"
OWN, PEER, GROUP, OTHER = "10001", "20002", "30003", "40004"


def enc_text(s):
    u = struct.unpack("<%dH" % (len(s.encode("utf-16-le")) // 2), s.encode("utf-16-le"))
    x = [c ^ ord(KEY[i % len(KEY)]) for i, c in enumerate(u)]
    return struct.pack("<%dH" % len(x), *x).decode("utf-16-le", "surrogatepass")


def enc_blob(b):
    k = KEY.encode()
    return bytes(c ^ k[i % len(k)] for i, c in enumerate(b))


def md5u(s):
    return hashlib.md5(s.encode()).hexdigest().upper()


MSG_DDL = ("CREATE TABLE \"%s\" (_id INTEGER PRIMARY KEY AUTOINCREMENT, extInt INTEGER, extLong INTEGER,"
           " extStr TEXT, frienduin TEXT, isValid INTEGER, isread INTEGER, issend INTEGER,"
           " istroop INTEGER, longMsgCount INTEGER, longMsgId INTEGER, longMsgIndex INTEGER,"
           " msgData BLOB, msgId INTEGER, msgseq INTEGER, msgtype INTEGER, selfuin TEXT,"
           " senderuin TEXT, shmsgseq INTEGER, time INTEGER, uniseq INTEGER, versionCode INTEGER)")


def android_db(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    c = sqlite3.connect(path)
    ft = "mr_friend_%s_New" % md5u(PEER)
    tt = "mr_troop_%s_New" % md5u(GROUP)
    c.execute(MSG_DDL % ft)
    c.execute(MSG_DDL % tt)
    c.execute("CREATE TABLE Friends (_id INTEGER PRIMARY KEY AUTOINCREMENT, uin TEXT UNIQUE,"
              " name TEXT, remark TEXT, datetime INTEGER, age INTEGER, gender INTEGER)")
    c.execute("CREATE TABLE TroopInfoV2 (_id INTEGER PRIMARY KEY AUTOINCREMENT, troopuin TEXT"
              " UNIQUE, troopcode TEXT, troopowneruin TEXT, troopname TEXT)")
    ins = ("INSERT INTO \"%s\" (frienduin, senderuin, selfuin, issend, istroop, msgtype, msgData,"
           " time) VALUES (?,?,?,?,?,?,?,?)")
    friend_rows = [
        (PEER, 0, -1000, "在吗？要两斤冰糖".encode(), 1700000000),
        (OWN, 1, -1000, "好的，老地方 😀".encode(), 1700000060),
        (PEER, 0, -2002, b"/storage/emulated/0/Tencent/MobileQQ/10001/ptt/202311/15/a.amr",
         1700000120),
        (PEER, 0, -2005, b"\x16/storage/emulated/0/Download/price.xlsx|1234|0", 1700000180),
        (PEER, 0, -5040, "对方撤回了一条消息".encode(), 1700000240),
        (PEER, 0, -2000, b"\x0a\x05hello\x12\x03abc", 1700000300),
    ]
    for snd, issend, t, data, tm in friend_rows:
        c.execute(ins % ft, (enc_text(PEER), enc_text(snd), enc_text(OWN), issend, 0, t,
                             enc_blob(data), tm))
    troop_rows = [
        (PEER, 0, -1000, "群里说茶叶，别说货".encode(), 1700001000),
        (OWN, 1, -1000, "收到".encode(), 1700001060),
        (OTHER, 0, -2016, b"", 1700001120),
    ]
    for snd, issend, t, data, tm in troop_rows:
        c.execute(ins % tt, (enc_text(GROUP), enc_text(snd), enc_text(OWN), issend, 1, t,
                             enc_blob(data), tm))
    c.execute("INSERT INTO Friends (uin, name, remark) VALUES (?,?,?)",
              (enc_text(PEER), enc_text("阿强"), enc_text("强哥-糖")))
    c.execute("INSERT INTO Friends (uin, name, remark) VALUES (?,?,?)",
              (enc_text(OTHER), enc_text("老王"), enc_text("")))
    c.execute("CREATE TABLE TroopMemberInfo (_id INTEGER PRIMARY KEY AUTOINCREMENT, troopuin TEXT,"
              " memberuin TEXT, friendnick TEXT, troopnick TEXT, datetime INTEGER)")
    c.execute("INSERT INTO TroopMemberInfo (troopuin, memberuin, friendnick, troopnick)"
              " VALUES (?,?,?,?)", (enc_text(GROUP), enc_text(OTHER), enc_text("王哥"),
                                    enc_text("老王-群")))
    c.execute("INSERT INTO TroopInfoV2 (troopuin, troopcode, troopowneruin, troopname)"
              " VALUES (?,?,?,?)",
              (enc_text(GROUP), enc_text(GROUP), enc_text(PEER), enc_text("茶叶品鉴")))
    c.commit()
    c.close()


base = os.path.join(out, "android/data/data/com.tencent.mobileqq")
android_db(os.path.join(base, "databases/10001.db"))
os.makedirs(os.path.join(base, "files"), exist_ok=True)
with open(os.path.join(base, "files/kc"), "w") as f:
    f.write(KEY + "\n")
android_db(os.path.join(out, "nokey/data/data/com.tencent.mobileqq/databases/10001.db"))

dmg = os.path.join(out, "damaged/data/data/com.tencent.mobileqq")
android_db(os.path.join(dmg, "databases/10001.db"))
os.makedirs(os.path.join(dmg, "files"), exist_ok=True)
with open(os.path.join(dmg, "files/kc"), "w") as f:
    f.write(KEY + "\n")
c = sqlite3.connect(os.path.join(dmg, "databases/10001.db"))
page_size = c.execute("PRAGMA page_size").fetchone()[0]
root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                 ("mr_troop_%s_New" % md5u(GROUP),)).fetchone()[0]
c.close()
with open(os.path.join(dmg, "databases/10001.db"), "r+b") as f:
    f.seek((root - 1) * page_size)
    f.write(b"\x0d" + b"\xff" * (page_size - 1))   # leaf page with impossible cell counts

# A QQ NT store (APPS.md 3.2): only reported, not decoded.
nt = os.path.join(base, "databases/nt_db/nt_qq_0123456789abcdef0123456789abcdef/nt_msg.db")
os.makedirs(os.path.dirname(nt), exist_ok=True)
with open(nt, "wb") as f:
    head = b"SQLite header 3\0" + b"QQNT" + b"\0" * 12 + b"DB" + b"\0" * 6 + b"rAnD0mStr1ng"
    f.write(head + b"\0" * (1024 - len(head)) + bytes((i * 13 + 7) & 0xFF for i in range(4096)))

ios = os.path.join(out, "ios/private/var/mobile/Containers/Data/Application/"
                   "0A1B2C3D-0000-4000-8000-000000000001/Documents/contents/10001/QQ.db")
os.makedirs(os.path.dirname(ios), exist_ok=True)
if os.path.exists(ios):
    os.remove(ios)
c = sqlite3.connect(ios)
c.execute("CREATE TABLE tb_c2cMsg_20002 (uin TEXT, time REAL, type INTEGER, read INTEGER,"
          " content TEXT, msgId INTEGER, flag INTEGER, picUrl TEXT)")
c.execute("CREATE TABLE tb_TroopMsg_30003 (senduin TEXT, msgtime REAL, sMsgtype INTEGER,"
          " read INTEGER, strmsg TEXT, msgid INTEGER, nickname TEXT, picurl TEXT)")
for r in [(PEER, 1700000000.5, 0, 1, "在吗", 1, 1, None),
          (PEER, 1700000060.25, 0, 1, "在，老地方", 2, 0, ""),
          (PEER, 1700000120.0, 1, 1, "[图片]", 3, 1, "https://example.invalid/a.jpg")]:
    c.execute("INSERT INTO tb_c2cMsg_20002 VALUES (?,?,?,?,?,?,?,?)", r)
for r in [(PEER, 1700001000.0, 0, 1, "群消息 code 冰糖", 1, "阿强", None),
          (OWN, 1700001060.0, 0, 1, "收到", 2, "我", None)]:
    c.execute("INSERT INTO tb_TroopMsg_30003 VALUES (?,?,?,?,?,?,?,?)", r)
c.commit()
c.close()
