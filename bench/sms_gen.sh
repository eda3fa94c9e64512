# bench/sms_gen.sh - sourced by bench/report.sh and bench/report_search.sh:
# sms_gen DB ROWS [MARK] builds an Android mmssms.db of ROWS SMS with the
# sqlite3 CLI, half of them in ONE conversation, the rest over 200 threads;
# MARK (optional) is appended to the body of the last message.
sms_gen() {
	mkdir -p "$(dirname "$1")"
	sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1,error_code INTEGER DEFAULT 0,creator TEXT,seen INTEGER DEFAULT 0);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,archived INTEGER DEFAULT 0,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 201)
INSERT INTO canonical_addresses (_id, address) SELECT i, '+86139' || printf('%08d', i) FROM n;
INSERT INTO threads (_id, recipient_ids) SELECT _id, CAST(_id AS TEXT) FROM canonical_addresses;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO sms (_id, thread_id, address, date, read, type, body)
SELECT i, CASE WHEN i % 2 = 0 THEN 1 ELSE 2 + i % 200 END,
       '+86139' || printf('%08d', CASE WHEN i % 2 = 0 THEN 1 ELSE 2 + i % 200 END),
       1700000000000 + i * 1000, 1, 1 + i % 2,
       'message ' || i || ' <b>今晚老地方见</b> & 带现金 ' || (i % 977) || ' 元'
       || CASE WHEN i = $2 THEN '${3:-}' ELSE '' END FROM n;
SQL
}
