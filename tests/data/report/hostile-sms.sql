-- Hostile rows appended to the sms-android fixture (fixtures/apps/sms-android/mmssms.sql)
-- by tests/e2e/report_hostile.sh: every payload would change document.title to
-- PWNED (or hide the page) if the report let it run. Applied with the sqlite3 CLI.
INSERT INTO sms (_id, thread_id, address, date, type, read, body) VALUES
 (101, 7, '<script>document.title=''PWNED''</script>', 1710700000000, 1, 1, '<script>document.title=''PWNED''</script>'),
 (102, 8, '+8613000000001', 1710700001000, 1, 1, '<img src=x onerror="document.title=''PWNED''">'),
 (103, 8, '+8613000000001', 1710700002000, 1, 1, 'javascript:document.title=''PWNED'' <a href="javascript:document.title=''PWNED''">click</a>'),
 (104, 8, '+8613000000001', 1710700003000, 1, 1, '"''><svg onload="document.title=''PWNED''">'),
 (105, 8, '+8613000000001', 1710700004000, 1, 1, 'invoice_' || char(8238) || 'fdp.exe then ' || char(8294) || 'isolated' || char(8297) || ' end'),
 (106, 8, '+8613000000001', 1710700005000, 1, 1, CAST(X'4D616C666F726D6564FF20C0AF20E080BC20EDA080204F4B' AS TEXT)),
 (107, 8, '+8613000000001', 1710700006000, 1, 1, replace(hex(zeroblob(20000)), '00', 'LONGLINE')),
 (108, 8, '+8613000000001', 1710700007000, 1, 1, '</bdi></div></main><style>body{display:none}</style><meta http-equiv="refresh" content="0;url=http://evil.example/">'),
 (109, 8, '+8613000000001', 1710700008000, 1, 1, 'ctl' || char(1) || char(27) || '[31mred' || char(13) || 'CR'),
 (110, 8, '+8613000000001', 1710700009000, 1, 1, '<iframe src="data:text/html,<script>parent.document.title=''PWNED''</script>"></iframe><object data="javascript:document.title=''PWNED''"></object>');
INSERT INTO pdu (_id, thread_id, date, date_sent, msg_box, read, m_type) VALUES
 (2, 8, 1710700010, 0, 1, 1, 132),
 (3, 8, 1710700011, 0, 1, 1, 132);
INSERT INTO addr (msg_id, address, type, charset) VALUES
 (2, '+8613000000001', 137, 106),
 (3, '+8613000000001', 137, 106);
INSERT INTO part (mid, seq, ct, name, cl, _data, text) VALUES
 (2, 0, 'image/jpeg', 'p.jpg', 'p.jpg', '/data/user_de/0/com.android.providers.telephony/app_parts/PART_"><img src=x onerror=document.title=1>.jpg', NULL),
 (3, 0, 'image/jpeg', 'j.jpg', 'j.jpg', 'javascript:document.title=''PWNED''', NULL);
