#!/usr/bin/env python3
"""make_whatsapp.py OUTDIR - synthetic WhatsApp Android stores laid out at
device paths for `custos import --format dir` (APPS.md 4.1):

  OUTDIR/legacy/data/data/com.whatsapp/databases/msgstore.db   legacy `messages`
  OUTDIR/legacy/data/data/com.whatsapp/databases/wa.db         wa_contacts
  OUTDIR/legacy/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml
  OUTDIR/current/data/data/com.whatsapp/databases/msgstore.db  message/chat/jid/call_log
  OUTDIR/corrupt/data/data/com.whatsapp/databases/msgstore.db  garbage after a valid header
  OUTDIR/odd/private/var/mobile/Containers/Shared/AppGroup/<UUID>/ChatStorage.sqlite
        an iOS store of an unknown version: columns and tables missing

Expected rows: tests/golden/chat_whatsapp_legacy_*.txt, chat_whatsapp_current_*.txt
(written by hand from the values below). Deterministic."""
import os
import sqlite3
import sys

out = sys.argv[1]


def db(path, ddl, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    c = sqlite3.connect(path)
    c.executescript(ddl)
    for sql, vals in rows:
        c.execute(sql, vals)
    c.commit()
    c.close()


LEG = os.path.join(out, "legacy/data/data/com.whatsapp")
PEER = "8613800138000@s.whatsapp.net"
GROUP = "120363000000000001@g.us"
MEMBER = "8613900139000@s.whatsapp.net"

legacy_ddl = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
 key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
 timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER,
 media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER,
 latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER,
 send_timestamp INTEGER, receipt_server_timestamp INTEGER, receipt_device_timestamp INTEGER,
 read_device_timestamp INTEGER, played_device_timestamp INTEGER, raw_data BLOB,
 recipient_count INTEGER, participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER,
 mentioned_jids TEXT, multicast_id TEXT, edit_version INTEGER, media_enc_hash TEXT,
 payment_transaction_id TEXT, forwarded INTEGER, preview_type INTEGER, send_count INTEGER,
 lookup_tables INTEGER, future_message_type INTEGER, message_add_on_flags INTEGER);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
 message_table_id INTEGER, subject TEXT, creation INTEGER);
"""
INS = ("INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp,"
       " media_wa_type, media_caption, latitude, longitude, remote_resource)"
       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
legacy_rows = [
    (1, "-1", 0, "-1", -1, None, 0, "0", None, None, None, None),
    (2, PEER, 0, "A1", 0, "货到了吗？", 1700000000123, "0", None, None, None, None),
    (3, PEER, 1, "A2", 13, "明天老地方见 🚚", 1700000060000, "0", None, None, None, None),
    (4, GROUP, 0, "A3", 0, "code: 冰糖 两斤", 1700000120000, "0", None, None, None, MEMBER),
    (5, GROUP, 1, "A4", 5, None, 1700000180000, "1", "样品", None, None, None),
    (6, PEER, 0, "A5", 0, None, 1700000240000, "5", None, 22.543096, 114.057865, None),
    (7, GROUP, 0, "A6", 6, "", 1700000250000, "0", None, None, None, MEMBER),
    (8, PEER, 1, "A7", 5, None, 1700000300000, "8", None, None, None, None),
    (9, PEER, 0, "A8", 0, None, 1700000360000, "15", None, None, None, None),
    (10, PEER, 0, "A9", 0, None, 1700000420000, "2", None, None, None, None),
]
db(os.path.join(LEG, "databases/msgstore.db"), legacy_ddl,
   [(INS, r) for r in legacy_rows] +
   [("INSERT INTO chat_list (_id, key_remote_jid, subject) VALUES (?,?,?)", (1, PEER, None)),
    ("INSERT INTO chat_list (_id, key_remote_jid, subject) VALUES (?,?,?)", (2, GROUP, "茶叶品鉴群"))])

wa_ddl = """CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL,
 is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT,
 raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT,
 unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER,
 given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company TEXT,
 title TEXT, status_emoji TEXT, status_autodownload INTEGER);"""
WI = "INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, number, display_name, wa_name) VALUES (?,?,?,?,?,?)"
db(os.path.join(LEG, "databases/wa.db"), wa_ddl, [
    (WI, (1, PEER, 1, "+86 138 0013 8000", "阿强", "Qiang")),
    (WI, (2, MEMBER, 1, "13900139000", "老王", None)),
    (WI, (3, GROUP, 0, None, "茶叶品鉴群", None)),
])
os.makedirs(os.path.join(LEG, "shared_prefs"), exist_ok=True)
with open(os.path.join(LEG, "shared_prefs/com.whatsapp_preferences_light.xml"), "w",
          encoding="utf-8") as f:
    f.write("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            '    <string name="push_name">阿明 &amp; Co</string>\n'
            '    <string name="cc">86</string>\n'
            '    <string name="ph">13700137000</string>\n'
            '    <int name="registration_state" value="3" />\n</map>\n')

CUR = os.path.join(out, "current/data/data/com.whatsapp")
cur_ddl = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
 agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT,jid_row_id INTEGER UNIQUE,hidden INTEGER,
 subject TEXT,created_timestamp INTEGER,display_message_row_id INTEGER,last_message_row_id INTEGER,
 archived INTEGER,sort_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
 from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
 broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER,
 origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp INTEGER,
 message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
 sort_id INTEGER NOT NULL DEFAULT 0, message_add_on_flags INTEGER, view_mode INTEGER);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
 file_path TEXT, file_size INTEGER, mime_type TEXT, media_name TEXT, media_caption TEXT);
CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
 latitude REAL, longitude REAL, place_name TEXT, place_address TEXT, url TEXT);
CREATE TABLE call_log (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER, from_me INTEGER,
 call_id TEXT, transaction_id INTEGER, timestamp INTEGER, video_call INTEGER, duration INTEGER,
 call_result INTEGER, bytes_transferred INTEGER, group_jid_row_id INTEGER NOT NULL DEFAULT 0);
"""
MI = ("INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status,"
      " timestamp, message_type, text_data) VALUES (?,?,?,?,?,?,?,?,?)")
db(os.path.join(CUR, "databases/msgstore.db"), cur_ddl, [
    ("INSERT INTO jid VALUES (?,?,?,?,?,?,?)", (1, "8613800138000", "s.whatsapp.net", 0, 0, 0, PEER)),
    ("INSERT INTO jid VALUES (?,?,?,?,?,?,?)", (2, "120363000000000001", "g.us", 0, 0, 1, GROUP)),
    ("INSERT INTO jid VALUES (?,?,?,?,?,?,?)", (3, "8613900139000", "s.whatsapp.net", 0, 0, 0, MEMBER)),
    ("INSERT INTO chat (_id, jid_row_id, hidden, subject) VALUES (?,?,?,?)", (1, 1, 0, None)),
    ("INSERT INTO chat (_id, jid_row_id, hidden, subject) VALUES (?,?,?,?)", (2, 2, 0, "茶叶品鉴群")),
    (MI, (1, -1, 0, "-1", None, -1, None, None, None)),
    (MI, (2, 1, 0, "B1", 0, 0, 1700000000123, 0, "hello 你好")),
    (MI, (3, 2, 0, "B2", 3, 0, 1700000100000, 0, "冰糖到了")),
    (MI, (4, 2, 1, "B3", 0, 13, 1700000200000, 1, None)),
    (MI, (5, 1, 0, "B4", 0, 0, 1700000300000, 5, None)),
    (MI, (6, 2, 0, "B5", 3, 6, 1700000350000, 7, None)),
    (MI, (7, 1, 1, "B6", 0, 13, 1700000360000, 15, None)),
    (MI, (8, 1, 0, "B7", 0, 0, 1700000370000, 9, None)),
    ("INSERT INTO message_media (message_row_id, chat_row_id, file_path, media_caption) VALUES (?,?,?,?)",
     (4, 2, "Media/WhatsApp Images/IMG-20231114-WA0001.jpg", "sample")),
    ("INSERT INTO message_media (message_row_id, chat_row_id, file_path, media_caption) VALUES (?,?,?,?)",
     (8, 1, "Media/WhatsApp Documents/price.pdf", None)),
    ("INSERT INTO message_location (message_row_id, chat_row_id, latitude, longitude) VALUES (?,?,?,?)",
     (5, 1, 22.5, 114.0)),
    ("INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration, call_result)"
     " VALUES (?,?,?,?,?,?,?,?)", (1, 1, 1, "C1", 1700000400000, 0, 65, 5)),
    ("INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration, call_result)"
     " VALUES (?,?,?,?,?,?,?,?)", (2, 1, 0, "C2", 1700000500000, 1, 0, 2)),
])

# A damaged store: a real SQLite header, then garbage.
bad = os.path.join(out, "corrupt/data/data/com.whatsapp/databases/msgstore.db")
os.makedirs(os.path.dirname(bad), exist_ok=True)
with open(bad, "wb") as f:
    f.write(b"SQLite format 3\0" + bytes([0x10, 0x00, 1, 1, 0, 64, 32, 32]) + b"\xa5" * 4072)

# An iOS store of an unknown version: no ZTEXT/ZTOJID/ZGROUPMEMBER/ZMEDIAITEM
# columns, no ZPARTNERNAME, no media/member/push-name tables.
odd = os.path.join(out, "odd/private/var/mobile/Containers/Shared/AppGroup/"
                   "11111111-2222-4333-8444-555555555555/ChatStorage.sqlite")
db(odd, """
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZCONTACTJID VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZCHATSESSION INTEGER,
 ZISFROMME INTEGER, ZMESSAGEDATE TIMESTAMP, ZMESSAGETYPE INTEGER, ZFROMJID VARCHAR);
""", [
    ("INSERT INTO ZWACHATSESSION VALUES (?,?,?)", (1, 4, "861@s.whatsapp.net")),
    ("INSERT INTO ZWAMESSAGE VALUES (?,?,?,?,?,?,?)", (1, 9, 1, 0, 700000000.0, 0, "861@s.whatsapp.net")),
    ("INSERT INTO ZWAMESSAGE VALUES (?,?,?,?,?,?,?)", (2, 9, 1, 1, 700000060.5, 0, None)),
])
