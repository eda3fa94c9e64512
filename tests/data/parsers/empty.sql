-- A valid SQLite database with an unrelated schema (wrong-schema input).
CREATE TABLE unrelated(a INTEGER PRIMARY KEY, b TEXT);
INSERT INTO unrelated VALUES (1, 'x');
