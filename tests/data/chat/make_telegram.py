#!/usr/bin/env python3
"""make_telegram.py OUTDIR - a synthetic Telegram for Android cache4.db with
TL blobs from an independent TL writer (APPS.md 5.1), at its device path,
and a Telegram iOS postbox file (not parsed, must be reported):

  OUTDIR/android/data/data/org.telegram.messenger/files/cache4.db
  OUTDIR/ios/private/var/mobile/Containers/Shared/AppGroup/
        5E6F7A8B-0000-4000-8000-000000000002/telegram-data/account-1234/postbox/db/db_sqlite

Covers: Chinese text, emoji, a code-word message, a > 253-byte text (0xFE
length form), a flags2 constructor with from_id, a reply header (text
found after the row date), a phone-call service message, geo and photo
media (with the trailing local path), an unknown constructor and a truncated blob (both kept as hex),
TL User records (layer 166 with `self`, layer 147 without flags2, and a
damaged one). Expected rows: tests/golden/chat_telegram_*.txt (by hand)."""
import os
import sqlite3
import struct
import sys

out = sys.argv[1]
ME, CANDY, WANG, GROUP = 5000000001, 5000000002, 5000000003, 4000000001


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def i64(v):
    return struct.pack("<q", v)


def tl_bytes(b):
    if len(b) < 254:
        h = bytes([len(b)])
    else:
        h = b"\xfe" + struct.pack("<I", len(b))[:3]
    s = h + b
    return s + b"\0" * (-len(s) % 4)


def tl_str(s):
    return tl_bytes(s.encode("utf-8"))


def peer_user(i):
    return u32(0x59511722) + i64(i)


def peer_chat(i):
    return u32(0x36C6019A) + i64(i)


def message(ctor, flags, mid, peer, date, text, from_peer=None, flags2=None, tail=b""):
    b = u32(ctor) + u32(flags)
    if flags2 is not None:
        b += u32(flags2)
    b += u32(mid)
    if from_peer is not None:
        b += from_peer
    return b + peer + u32(date) + tl_str(text) + tail


OUT, FROM, REPLY, MEDIA = 1 << 1, 1 << 8, 1 << 3, 1 << 9
LONG = "这是一条很长的消息。" * 9   # 270 bytes of UTF-8

reply_header = u32(0xAFBC09DB) + u32(0) + u32(3)   # messageReplyHeader, reply_to_msg_id 3
reply = (u32(0x76BEC211) + u32(REPLY) + u32(4) + peer_user(ME) + reply_header +
         u32(1710000180) + tl_str("收到了"))
service_call = (u32(0x2B085862) + u32(OUT | FROM) + u32(5) + peer_user(ME) + peer_user(CANDY) +
                u32(1710000240) + u32(0x80E11A7F) + u32(0) + i64(99) + u32(0))
geo = message(0x76BEC211, MEDIA, 6, peer_user(ME), 1710000300, "",
              tail=u32(0x56E0D474) + u32(0xB2A2F663) + u32(0) + struct.pack("<dd", 114.057865,
                                                                          22.543096) + i64(0))
unknown = u32(0x12345678) + b"\x01\x02\x03\x04\x05\x06\x07\x08"
truncated = message(0x76BEC211, 0, 8, peer_user(ME), 1710000420, "被截断的消息")[:10]
photo = message(0x76BEC211, FROM | MEDIA, 103, peer_chat(GROUP), 1710001120, "看图",
                from_peer=peer_user(WANG), tail=u32(0x695150D7) + u32(0) + u32(0x2331B22D) +
                tl_str("/storage/emulated/0/Telegram/Telegram Images/5000000003_103.jpg"))

ROWS = [  # mid, uid, date, out, blob
    (1, CANDY, 1710000000, 0, message(0x76BEC211, 0, 1, peer_user(ME), 1710000000, "你好，货还有吗？🍬")),
    (2, CANDY, 1710000060, 1, message(0x9815CEC8, OUT | FROM, 2, peer_user(CANDY), 1710000060,
                                      "code 冰糖 两斤 老地方", from_peer=peer_user(ME), flags2=0)),
    (3, CANDY, 1710000120, 0, message(0x76BEC211, 0, 3, peer_user(ME), 1710000120, LONG)),
    (4, CANDY, 1710000180, 0, reply),
    (5, CANDY, 1710000240, 1, service_call),
    (6, CANDY, 1710000300, 0, geo),
    (7, CANDY, 1710000360, 0, unknown),
    (8, CANDY, 1710000420, 0, truncated),
    (101, -GROUP, 1710001000, 0, message(0x76BEC211, FROM, 101, peer_chat(GROUP), 1710001000,
                                         "群里说茶叶🍵", from_peer=peer_user(CANDY))),
    (102, -GROUP, 1710001060, 1, message(0x9815CEC8, OUT | FROM, 102, peer_chat(GROUP), 1710001060,
                                         "明白", from_peer=peer_user(ME), flags2=0)),
    (103, -GROUP, 1710001120, 0, photo),
]


def user_166(uid, first, username, phone, is_self):
    flags = (1 << 1) | (1 << 3) | (1 << 4) | (1 << 10 if is_self else 0)
    return (u32(0x215C4438) + u32(flags) + u32(0) + i64(uid) + tl_str(first) + tl_str(username) +
            tl_str(phone) + u32(0))


def user_147(uid, first, last, username, phone):
    flags = 1 | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4)
    return (u32(0x5D99ADEE) + u32(flags) + i64(uid) + i64(0x0102030405060708) + tl_str(first) +
            tl_str(last) + tl_str(username) + tl_str(phone))


path = os.path.join(out, "android/data/data/org.telegram.messenger/files/cache4.db")
os.makedirs(os.path.dirname(path), exist_ok=True)
if os.path.exists(path):
    os.remove(path)
c = sqlite3.connect(path)
c.executescript("""
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER, reply_to_story_id INTEGER, PRIMARY KEY(mid, uid));
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE user_contacts_v7(key TEXT PRIMARY KEY, uid INTEGER, fname TEXT, sname TEXT, imported INTEGER);
CREATE TABLE user_phones_v7(key TEXT, phone TEXT, sphone TEXT, deleted INTEGER, PRIMARY KEY (key, phone));
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER, last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER, unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER, folder_id INTEGER, data BLOB, unread_reactions INTEGER, last_mid_group INTEGER, ttl_period INTEGER);
""")
for mid, uid, date, o, blob in ROWS:
    c.execute("INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out, ttl, media)"
              " VALUES (?,?,?,?,?,?,?,?,?)", (mid, uid, 1, 0, date, blob, o, 0, 0))
c.execute("INSERT INTO users VALUES (?,?,?,?)", (ME, "阿明;;;aming_self", 0,
                                                   user_166(ME, "阿明", "aming_self", "8613700137000", True)))
c.execute("INSERT INTO users VALUES (?,?,?,?)", (CANDY, "Candy 糖;;;candy_sz", 1710000000,
                                                   user_147(CANDY, "Candy", "糖", "candy_sz", "8613800138000")))
c.execute("INSERT INTO users VALUES (?,?,?,?)", (WANG, "老王;;;", 0, b"\x00\x01"))
c.execute("INSERT INTO chats VALUES (?,?,?)", (GROUP, "茶叶品鉴", None))
c.execute("INSERT INTO user_contacts_v7 VALUES (?,?,?,?,?)", ("k1", CANDY, "糖", "姐", 1))
c.execute("INSERT INTO user_contacts_v7 VALUES (?,?,?,?,?)", ("k2", 0, "快递", "", 1))
c.execute("INSERT INTO user_phones_v7 VALUES (?,?,?,?)", ("k1", "+86 138 0013 8000", "8613800138000", 0))
c.execute("INSERT INTO user_phones_v7 VALUES (?,?,?,?)", ("k1", "+86 135 0000 0000", "8613500000000", 1))
c.execute("INSERT INTO user_phones_v7 VALUES (?,?,?,?)", ("k2", "95338", "95338", 0))
c.execute("INSERT INTO dialogs (did, date) VALUES (?,?)", (CANDY, 1710000420))
c.execute("INSERT INTO dialogs (did, date) VALUES (?,?)", (-GROUP, 1710001120))
c.commit()
c.close()

pb = os.path.join(out, "ios/private/var/mobile/Containers/Shared/AppGroup/"
                  "5E6F7A8B-0000-4000-8000-000000000002/telegram-data/account-1234/postbox/db/db_sqlite")
os.makedirs(os.path.dirname(pb), exist_ok=True)
with open(pb, "wb") as f:
    f.write(bytes((i * 37 + 11) & 0xFF for i in range(4096)))

if len(sys.argv) > 2 and sys.argv[2] == "--hex":
    print(unknown.hex())
    print(truncated.hex())
