-- Rows appended to the sms-android fixture (fixtures/apps/sms-android/mmssms.sql)
-- by tests/e2e/report_safety.sh: MMS attachments a browser would run as documents
-- (an SVG and an HTML file with scripts) and a one-megabyte message body.
INSERT INTO sms (_id, thread_id, address, date, type, read, body) VALUES
 (201, 9, '+8613000000009', 1710800000000, 1, 1,
  'BIGSTART' || replace(hex(zeroblob(131072)), '00', 'abcdefgh') || 'BIGEND'),
 (202, 9, '+8613000000009', 1710800001000, 1, 1, 'short one after the big one');
INSERT INTO pdu (_id, thread_id, date, date_sent, msg_box, read, m_type) VALUES
 (4, 9, 1710800010, 0, 1, 1, 132),
 (5, 9, 1710800011, 0, 1, 1, 132);
INSERT INTO addr (msg_id, address, type, charset) VALUES
 (4, '+8613000000009', 137, 106),
 (5, '+8613000000009', 137, 106);
INSERT INTO part (mid, seq, ct, name, cl, _data, text) VALUES
 (4, 0, 'image/svg+xml', 'evil.svg', 'evil.svg', '/data/user_de/0/com.android.providers.telephony/app_parts/evil.svg', NULL),
 (5, 0, 'text/html', 'evil.html', 'evil.html', '/data/user_de/0/com.android.providers.telephony/app_parts/evil.html', NULL);
