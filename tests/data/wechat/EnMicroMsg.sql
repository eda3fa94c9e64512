-- tests/data/wechat/EnMicroMsg.sql: a small WeChat Android EnMicroMsg.db (plaintext
-- content; the tests encrypt it with the sqlcipher CLI, APPS.md 1.2). Fictitious people.
-- uin 123456789 (userdir 2c644d942ab78a4d933ed0d19f881307), IMEI 1234567890ABCDEF
-- (WeChat's fallback) -> key 3a57b96. Owner wxid_me (我自己).
PRAGMA page_size = 1024;
CREATE TABLE message ( msgId INTEGER PRIMARY KEY, msgSvrId INTEGER , type INT, status INT, isSend INT, isShowTimer INTEGER, createTime INTEGER, talker TEXT, content TEXT, imgPath TEXT, reserved TEXT, lvbuffer BLOB, transContent TEXT,transBrandWording TEXT ,talkerId INTEGER, bizClientMsgId TEXT, bizChatId INTEGER DEFAULT -1, bizChatUserId TEXT, msgSeq INTEGER, flag INT, solitaireFoldInfo BLOB, historyId TEXT);
CREATE INDEX messageSvrIdIndex ON message ( msgSvrId );
CREATE TABLE rcontact (  username TEXT default ''  PRIMARY KEY ,  alias TEXT default '' ,  conRemark TEXT default '' ,  domainList TEXT default '' ,  nickname TEXT default '' ,  pyInitial TEXT default '' ,  quanPin TEXT default '' ,  showHead INTEGER default '0' ,  type INTEGER default '0' ,  uiType LONG default '0' ,  weiboFlag INTEGER default '0' ,  weiboNickname TEXT default '' ,  conRemarkPYFull TEXT default '' ,  conRemarkPYShort TEXT default '' ,  lvbuff BLOB,  verifyFlag INTEGER default '0' ,  encryptUsername TEXT default '' ,  chatroomFlag INTEGER,  deleteFlag INTEGER default '0');
CREATE TABLE chatroom (  chatroomname TEXT default ''  PRIMARY KEY ,  addtime LONG,  memberlist TEXT,  displayname TEXT,  chatroomnick TEXT,  roomflag INTEGER,  roomowner TEXT);
CREATE TABLE userinfo ( id INTEGER PRIMARY KEY, type INT, value TEXT );
CREATE TABLE rconversation (  msgCount INTEGER default '0' ,  username TEXT default ''  PRIMARY KEY ,  unReadCount INTEGER default '0' ,  conversationTime LONG default '0' ,  content TEXT default '');
CREATE TABLE WalletLuckyMoney (  mNativeUrl TEXT PRIMARY KEY ,  hbType INTEGER,  receiveAmount LONG,  receiveTime LONG,  receiveStatus INTEGER,  hbStatus INTEGER,  sender TEXT,  exclusiveUsername TEXT,  sendId TEXT,  invalidtime INTEGER,  msgSvrId LONG, msgLocalId LONG);

INSERT INTO userinfo VALUES (2, 3, 'wxid_me'), (4, 3, '我自己'), (6, 3, '13900000000');
INSERT INTO rcontact (username, alias, conRemark, nickname) VALUES
 ('wxid_me', 'me_alias', '', '我自己'),
 ('wxid_a1', 'alice88', '阿丽 🌸', 'Alice'),
 ('wxid_b2', '', '', '波波'),
 ('wxid_c3', '', '', ''),
 ('5550001@chatroom', '', '', '测试群😀'),
 ('gh_3dfda90e39d6', 'wxzhifu', '', '微信支付');
INSERT INTO chatroom VALUES ('5550001@chatroom', 1600000000000, 'wxid_me;wxid_a1;wxid_b2', '我自己、Alice、波波', '', 0, 'wxid_a1');
INSERT INTO chatroom VALUES ('7770002@chatroom', 1600000000000, 'wxid_me;wxid_a1;wxid_b2', '我自己、阿丽 🌸、波波', '', 0, 'wxid_b2');
INSERT INTO rconversation (username, msgCount) VALUES ('wxid_a1', 9), ('5550001@chatroom', 5), ('gh_3dfda90e39d6', 1);

INSERT INTO message (msgId, msgSvrId, type, status, isSend, createTime, talker, content, imgPath) VALUES
 (1, 9001, 1, 3, 0, 1600000000001, 'wxid_a1', '你好 👋 "quoted" <b>not markup</b> & more', NULL),
 (2, 9002, 1, 2, 1, 1600000001000, 'wxid_a1', '在吗' || char(10) || '第二行', NULL),
 (3, 9003, 1, 3, 0, 1600000002000, 'wxid_a1', '这条会被撤回：明天见', NULL),
 (4, 9004, 10002, 3, 0, 1600000003000, 'wxid_a1', '<sysmsg type="revokemsg"><revokemsg><session>wxid_a1</session><oldmsgid>3</oldmsgid><msgid>3</msgid><newmsgid>9003</newmsgid><replacemsg><![CDATA["阿丽 🌸" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>', NULL),
 (5, 9005, 419430449, 2, 0, 1600000004000, 'wxid_a1', '<msg><appmsg appid="" sdkver=""><title><![CDATA[微信转账]]></title><des><![CDATA[收到转账12,345.67元]]></des><type>2000</type><wcpayinfo><paysubtype>1</paysubtype><feedesc><![CDATA[¥12,345.67]]></feedesc><transcationid><![CDATA[T-TXN-1]]></transcationid><transferid><![CDATA[T-XFER-1]]></transferid><pay_memo><![CDATA[房租]]></pay_memo></wcpayinfo></appmsg></msg>', NULL),
 (6, 9006, 419430449, 2, 1, 1600000005000, 'wxid_a1', '<msg><appmsg appid="" sdkver=""><title><![CDATA[微信转账]]></title><des><![CDATA[已收款]]></des><type>2000</type><wcpayinfo><paysubtype>3</paysubtype><feedesc><![CDATA[¥12,345.67]]></feedesc><transcationid><![CDATA[T-TXN-1]]></transcationid><transferid><![CDATA[T-XFER-1]]></transferid><pay_memo><![CDATA[房租]]></pay_memo></wcpayinfo></appmsg></msg>', NULL),
 (7, 9007, 3, 3, 0, 1600000006000, 'wxid_a1', '<msg><img md5="abcdef0123456789abcdef0123456789" length="10"/></msg>', 'THUMBNAIL_DIRPATH://th_abcdef0123456789abcdef0123456789'),
 (8, 9008, 34, 3, 0, 1600000007000, 'wxid_a1', '<msg><voicemsg voicelength="1000"/></msg>', 'voiceid001'),
 (9, 9009, 43, 3, 1, 1600000008000, 'wxid_a1', '<msg><videomsg length="100"/></msg>', '2009131220000001'),
 (10, 9010, 999, 3, 0, 1600000009000, 'wxid_a1', 'raw payload of an unknown type', NULL),
 (11, 9011, 49, 3, 0, 1600000010000, 'wxid_a1', '<msg><appmsg><title>看这个</title><des>描述</des><type>5</type><url>https://example.invalid/a?b=1&amp;c=2</url></appmsg></msg>', NULL),
 (12, 9012, 49, 3, 0, 1600000011000, 'wxid_a1', '<msg><appmsg><title>报告.pdf</title><type>6</type></appmsg></msg>', NULL),
 (13, 9013, 49, 3, 0, 1600000012000, 'wxid_a1', '<msg><appmsg><title>broken', NULL),
 (20, 9020, 1, 3, 0, 1600000100000, '5550001@chatroom', 'wxid_a1:' || char(10) || '群里好 🎉', NULL),
 (21, 9021, 1, 3, 0, 1600000101000, '5550001@chatroom', 'wxid_b2*#*' || char(10) || '旧格式前缀', NULL),
 (22, 9022, 1, 2, 1, 1600000102000, '5550001@chatroom', '我发的: 没有前缀', NULL),
 (23, 9023, 436207665, 2, 1, 1600000103000, '5550001@chatroom', '<msg><appmsg><title><![CDATA[微信红包]]></title><type>2001</type><url><![CDATA[https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?sendid=HB-SENT-1&ver=6]]></url><wcpayinfo><sendertitle><![CDATA[大家辛苦]]></sendertitle><receivertitle><![CDATA[大家辛苦]]></receivertitle></wcpayinfo></appmsg></msg>', NULL),
 (24, 9024, 436207665, 3, 0, 1600000104000, '5550001@chatroom', 'wxid_b2:' || char(10) || '<msg><appmsg><title><![CDATA[微信红包]]></title><type>2001</type><wcpayinfo><receivertitle><![CDATA[恭喜发财]]></receivertitle><nativeurl><![CDATA[wxpay://c2cbizmessagehandler/hongbao/receivehongbao?msgtype=1&sendid=HB-RECV-2&sendusername=wxid_b2]]></nativeurl></wcpayinfo></appmsg></msg>', NULL),
 (26, 9026, 49, 3, 0, 1600000106000, '5550001@chatroom', '<msg><appmsg><title>无前缀的链接</title><type>5</type><url>https://example.invalid/x</url></appmsg><fromusername>wxid_b2</fromusername></msg>', NULL),
 (25, 9025, 10000, 3, 0, 1600000105000, '5550001@chatroom', '"波波"邀请"Alice"加入了群聊', NULL),
 (30, 9030, 318767153, 3, 0, 1600000200000, 'gh_3dfda90e39d6', '<msg><appmsg><title><![CDATA[微信支付凭证]]></title><des><![CDATA[付款金额￥8.50' || char(10) || '收款方：楼下便利店' || char(10) || '交易单号：42000001]]></des><type>5</type></appmsg></msg>', NULL),
 (31, 9031, 10002, 3, 1, 1600000201000, 'wxid_a1', '<sysmsg type="editrevokecontent"><editrevokecontent><text><![CDATA[你撤回了一条消息]]></text><link><revokecontent><![CDATA[原文：三点到]]></revokecontent></link></editrevokecontent></sysmsg>', NULL),
 (32, NULL, 1, 3, 0, NULL, 'wxid_c3', NULL, NULL),
 (33, 9033, 50, 3, 1, 1600000300000, 'wxid_a1', '<voipmsg type="VoIPBubbleMsg"><VoIPBubbleMsg><msg><![CDATA[通话时长 01:05]]></msg></VoIPBubbleMsg></voipmsg>', NULL),
 (35, 9035, 1, 3, 0, 1600000500000, '7770002@chatroom', 'wxid_b2:' || char(10) || '没有名字的群', NULL),
 (34, 9034, 50, 3, 0, 1600000400000, 'wxid_a1', '<voipmsg type="VoIPBubbleMsg"><VoIPBubbleMsg><msg><![CDATA[已取消]]></msg></VoIPBubbleMsg></voipmsg>', NULL);
CREATE TABLE RemittanceRecord (  transferId TEXT PRIMARY KEY ,  locaMsgId LONG,  receiveStatus INTEGER default '-1' ,  isSend INTEGER,  talker TEXT,  invalidtime LONG,  receiverName TEXT,  hasClicked INTEGER, receiveTime LONG);
-- T-XFER-1 is also in the messages; T-GONE-9's chat messages were deleted
INSERT INTO RemittanceRecord VALUES ('T-XFER-1', 5, 2000, 0, 'wxid_a1', 1600086404, 'wxid_me', 1, 1600000005),
 ('T-GONE-9', 0, 2000, 1, 'wxid_b2', 1600186404, 'wxid_b2', 1, 1600100004);
INSERT INTO WalletLuckyMoney (mNativeUrl, receiveAmount, sendId, msgSvrId) VALUES
 ('wxpay://x?sendid=HB-RECV-2', 166, 'HB-RECV-2', 12345);
-- a packet from wxid_a1 whose message was deleted
INSERT INTO WalletLuckyMoney (mNativeUrl, receiveAmount, receiveTime, sender, sendId, msgSvrId) VALUES
 ('wxpay://x?sendid=HB-GONE-3', 520, 1600200000, 'wxid_a1', 'HB-GONE-3', 99999);
