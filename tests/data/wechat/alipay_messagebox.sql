-- tests/data/wechat/alipay_messagebox.sql: Alipay Android databases/messagebox.db,
-- table service_message (APPS.md 8.2: gmtCreate Unix ms, title, JSON content). Only
-- gmtCreate/title/content are documented; the other columns are placeholders.
CREATE TABLE service_message (msgId TEXT PRIMARY KEY, gmtCreate INTEGER, title TEXT, content TEXT, status TEXT);
INSERT INTO service_message VALUES
 ('m1', 1700100000000, '支付助手', '{"isPaymentMsg":true,"content":"20.00","topSubContent":"付款成功","assistMsg1":"余额","sceneExt2":{"sceneName":"城东烟酒店"}}', 'read'),
 ('m2', 1700100600000, '支付助手', '{"isPaymentMsg":"true","content":"1,280.50","topSubContent":"收款到账","assistMsg1":"余额宝","sceneExt2":"{\"sceneName\":\"张*三\"}"}', 'read'),
 ('m3', 1700101200000, '支付助手', '{"isPaymentMsg":true,"content":"5.00","topSubContent":"退款成功","assistMsg1":"花呗","sceneExt2":{"sceneName":"某外卖平台"}}', 'read'),
 ('m4', 1700101800000, '服务提醒', '{"isPaymentMsg":false,"title":"您的快递已签收","content":"取件码 3-2-8812"}', 'read'),
 ('m5', 1700102400000, '支付助手', 'not json {', 'read');
