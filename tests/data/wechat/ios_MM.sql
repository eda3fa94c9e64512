-- tests/data/wechat/ios_MM.sql: WeChat iOS Documents/855341c3143749a0f730ce49ccb616ae/DB/MM.sqlite (md5 of the
-- owner's wxid wxid_ios_me), older layout with Friend in MM.sqlite (APPS.md 2.2). Fictitious.
-- Friend.dbContactRemark is protobuf: 1 nickname, 2 alias, 3 remark. CreateTime Unix s.
CREATE TABLE Friend (userName TEXT PRIMARY KEY, type INTEGER DEFAULT 0, certificationFlag INTEGER DEFAULT 0, imgStatus INTEGER DEFAULT 0, encodeUserName TEXT, dbContactLocal BLOB, dbContactOther BLOB, dbContactRemark BLOB, dbContactHeadImage BLOB, dbContactProfile BLOB, dbContactSocial BLOB, dbContactChatRoom BLOB, dbContactBrand BLOB);
INSERT INTO Friend (userName, type, dbContactRemark) VALUES ('wxid_ios_me', 3, X'0a08e6889128694f53291206696f735f6d65');
INSERT INTO Friend (userName, type, dbContactRemark) VALUES ('wxid_ios_bob', 3, X'0a03426f621209626f625f616c6961731a0be9b28de58b8320f09f909f420531382c3432');
INSERT INTO Friend (userName, type, dbContactRemark) VALUES ('wxid_ios_carol', 3, X'0a06e58da1e7bd97');
INSERT INTO Friend (userName, type, dbContactRemark) VALUES ('778899@chatroom', 3, X'0a06694f53e7bea4');
INSERT INTO Friend (userName, type, dbContactRemark) VALUES ('wxid_badpb', 3, X'0aff');
CREATE TABLE Chat_09ddc6e805aae59b4388662ac76622d5 (TableVer INTEGER DEFAULT 1, MesLocalID INTEGER PRIMARY KEY AUTOINCREMENT, MesSvrID INTEGER DEFAULT 0, CreateTime INTEGER DEFAULT 0, Message TEXT, Status INTEGER DEFAULT 0, ImgStatus INTEGER DEFAULT 0, Type INTEGER, Des INTEGER);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (1, 7001, 1700000000, 'hi Bob 你好', 2, 1, 0);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (2, 7002, 1700000060, '收到 👍', 3, 1, 1);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (3, 7003, 1700000120, '<msg><img md5="00112233445566778899aabbccddeeff"/></msg>', 3, 3, 1);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (4, 7004, 1700000180, '<msg><appmsg><title><![CDATA[微信转账]]></title><type>2000</type><wcpayinfo><paysubtype>1</paysubtype><feedesc><![CDATA[￥50.00]]></feedesc><transferid><![CDATA[IOS-X-1]]></transferid><pay_memo><![CDATA[饭钱]]></pay_memo></wcpayinfo></appmsg></msg>', 2, 419430449, 0);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (5, 7005, 1700000240, '<msg><appmsg><title><![CDATA[微信转账]]></title><type>2000</type><wcpayinfo><paysubtype>3</paysubtype><feedesc><![CDATA[￥50.00]]></feedesc><transferid><![CDATA[IOS-X-1]]></transferid></wcpayinfo></appmsg></msg>', 3, 419430449, 1);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (6, 7006, 1700000300, '<sysmsg type="revokemsg"><revokemsg><newmsgid>7002</newmsgid><replacemsg><![CDATA["鲍勃 🐟" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>', 3, 10002, 1);
CREATE TABLE Chat_d31d6bbaab9dcc81dd77014588ed3137 (TableVer INTEGER DEFAULT 1, MesLocalID INTEGER PRIMARY KEY AUTOINCREMENT, MesSvrID INTEGER DEFAULT 0, CreateTime INTEGER DEFAULT 0, Message TEXT, Status INTEGER DEFAULT 0, ImgStatus INTEGER DEFAULT 0, Type INTEGER, Des INTEGER);
INSERT INTO Chat_d31d6bbaab9dcc81dd77014588ed3137 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (1, 7101, 1700001000, 'wxid_ios_carol:' || char(10) || '群消息', 3, 1, 1);
INSERT INTO Chat_d31d6bbaab9dcc81dd77014588ed3137 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (2, 7102, 1700001060, '我在群里', 2, 1, 0);
INSERT INTO Chat_d31d6bbaab9dcc81dd77014588ed3137 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (3, 7103, 1700001120, 'wxid_ios_bob:' || char(10) || '<msg><appmsg><title><![CDATA[微信红包]]></title><type>2001</type><wcpayinfo><sendertitle><![CDATA[大吉]]></sendertitle><paymsgid><![CDATA[IOS-HB-1]]></paymsgid></wcpayinfo></appmsg></msg>', 3, 436207665, 1);
CREATE TABLE Chat_39cd8276f838abd2e7d468527cfcf41e (TableVer INTEGER DEFAULT 1, MesLocalID INTEGER PRIMARY KEY AUTOINCREMENT, MesSvrID INTEGER DEFAULT 0, CreateTime INTEGER DEFAULT 0, Message TEXT, Status INTEGER DEFAULT 0, ImgStatus INTEGER DEFAULT 0, Type INTEGER, Des INTEGER);
INSERT INTO Chat_39cd8276f838abd2e7d468527cfcf41e (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (1, 7201, 1700002000, '谁？', 3, 1, 1);
CREATE TABLE Chat_notahash (x);
CREATE TABLE RevokeMsgTable (MSG_REVOKE_COL_SVRID INTEGER DEFAULT 0 PRIMARY KEY, MSG_REVOKE_COL_CONTENT TEXT, MSG_REVOKE_COL_INTRES1 INTEGER DEFAULT 0);
INSERT INTO RevokeMsgTable VALUES (7999, '只在 RevokeMsgTable 里的原文', 0);
INSERT INTO Chat_09ddc6e805aae59b4388662ac76622d5 (MesLocalID, MesSvrID, CreateTime, Message, Status, Type, Des) VALUES (7, 7007, 1700000360, '<sysmsg type="revokemsg"><revokemsg><newmsgid>7999</newmsgid><replacemsg><![CDATA["鲍勃 🐟" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>', 3, 10002, 1);
