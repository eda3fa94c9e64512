-- tests/data/wechat/ios_session.sql: session/session.db SessionAbstract (APPS.md 2.1).
CREATE TABLE SessionAbstract (UsrName TEXT, CreateTime INTEGER, unreadcount INTEGER, ConStrRes1 TEXT);
INSERT INTO SessionAbstract VALUES ('wxid_unknown_person', 1700002000, 1, NULL);
