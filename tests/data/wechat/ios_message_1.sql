-- tests/data/wechat/ios_message_1.sql: DB/message_1.sqlite of the same account (APPS.md 2.1).
CREATE TABLE Chat_1e79952d6364e947af77abd7bd2f4c73 (TableVer INTEGER DEFAULT 1, MesLocalID INTEGER PRIMARY KEY AUTOINCREMENT, MesSvrID INTEGER DEFAULT 0, CreateTime INTEGER DEFAULT 0, Message TEXT, Status INTEGER DEFAULT 0, ImgStatus INTEGER DEFAULT 0, Type INTEGER, Des INTEGER);
INSERT INTO Chat_1e79952d6364e947af77abd7bd2f4c73 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (1, 7301, 1700003000, '在 message_1 里', 3, 1, 1), (2, 7302, 1700003060, 'ok', 2, 1, 0);
