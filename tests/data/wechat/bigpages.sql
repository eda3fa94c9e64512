-- tests/data/wechat/bigpages.sql: many 1024-byte pages incl. overflow chains and an
-- index, for the SQLCipher-1 round trip (no app meaning).
PRAGMA page_size = 1024;
CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BLOB);
CREATE INDEX t_a ON t(a);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
INSERT INTO t SELECT i, printf('行%05d-%s', i, substr(hex(i * 7919 % 1000003) || '0123456789abcdef0123456789abcdef', 1, 4 + i % 40)), zeroblob(i % 7 * 700) FROM n;
INSERT INTO t VALUES (1000, '大文本 ' || hex(zeroblob(9000)), x'00ff00ff');
