/*
 * test_sqlcipher1.c - the WeChat SQLCipher-1 decryptor against an
 * independent implementation: databases encrypted by the sqlcipher CLI
 * (PRAGMA cipher_use_hmac=OFF, kdf_iter=4000, cipher_page_size=1024, as in
 * APPS.md 1.2) are decrypted by our code and compared with plain sqlite3
 * through `.dump`. Also the key-derivation vectors of APPS.md 1.1/1.2,
 * wrong keys, truncated and odd-sized files.
 */
#include "parsers/parsers.h"
#include "parsers/wechat/sqlcipher1.h"
#include "parsers/wechat/keys.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *tmp;

static bool have_tool(const char *name)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static char *path_in(const char *name)
{
	static char buf[8][1024];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

/* Runs a shell command; returns its stdout (malloc'ed) or NULL. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	struct cu_buf b = CU_BUF_INIT;
	char chunk[4096];
	size_t n;
	int rc;

	if (p == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		TAP_MUST(cu_buf_append(&b, chunk, n, NULL));
	rc = pclose(p);
	if (rc != 0) {
		cu_buf_release(&b);
		return NULL;
	}
	return cu_buf_detach(&b, NULL);
}

/* SQLCipher 3.x takes the individual settings, 4.x and later
 * cipher_compatibility = 1 (APPS.md 1.2). */
static const char *cipher_settings(void)
{
	static const char *cached;
	char *v;

	if (cached != NULL)
		return cached;
	v = run("echo 'PRAGMA cipher_version;' | sqlcipher :memory:");
	bool v3 = v != NULL && (v[0] == '1' || v[0] == '2' || v[0] == '3') && v[1] == '.';

	if (v != NULL)
		tap_diag("sqlcipher cipher_version %s", v);
	free(v);
	cached =
	    v3 ? "PRAGMA cipher_use_hmac=OFF; PRAGMA kdf_iter=4000; PRAGMA cipher_page_size=1024;"
	       : "PRAGMA cipher_compatibility=1;";
	return cached;
}

static bool make_encrypted(const char *sql_path, const char *key, const char *out)
{
	static const char *settings;
	char cmd[4096];

	if (settings == NULL)
		settings = cipher_settings();
	unlink(out);
	snprintf(cmd, sizeof(cmd),
		 "printf \"PRAGMA key='%s'; %s\\n.read %s\\n\" | sqlcipher '%s' >/dev/null", key,
		 settings, sql_path, out);
	return system(cmd) == 0;
}

static bool make_plain(const char *sql_path, const char *out)
{
	char cmd[4096];
	unlink(out);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' < '%s' >/dev/null", out, sql_path);
	return system(cmd) == 0;
}

static char *dump(const char *db)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "sqlite3 'file:%s?mode=ro' .dump", db);
	return run(cmd);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

static void test_vectors(void)
{
	char key[8], ud[33];

	cu_wechat_key_derive("1234567890ABCDEF", "123456789", key);
	tap_is_str(key, "3a57b96", "key md5(1234567890ABCDEF+123456789)[:7] (APPS.md 1.2)");
	cu_wechat_key_derive("866174957262534", "2007803184", key);
	tap_is_str(key, "4c27f5d", "key md5(866174957262534+2007803184)[:7] (APPS.md 1.2)");
	cu_wechat_key_derive("352099001761481", "987654321", key);
	tap_is_str(key, "af6bd2e", "key of the fixture device (fixtures/apps/wechat-android)");
	cu_wechat_userdir("123456789", ud);
	tap_is_str(ud, "2c644d942ab78a4d933ed0d19f881307", "userdir md5(mm123456789)");
	cu_wechat_userdir("2007803184", ud);
	tap_is_str(ud, "6a0cede2f324900c8a073a8d80553e44", "userdir md5(mm2007803184)");
}

static void test_roundtrip(const char *sql, const char *label)
{
	const char *enc = path_in("enc.db"), *plain = path_in("plain.db"), *out = path_in("out.db");
	const char *const keys[] = {"0000000", "4c27f5d", "3a57b96"};
	struct cu_error err;
	size_t which = 99;
	char *want = NULL, *got = NULL;
	enum cu_status st;
	FILE *f;
	unsigned char page[1024], dec[1024], key[32];

	if (!tap_ok(make_encrypted(sql, "3a57b96", enc), "%s: sqlcipher CLI encrypts", label) ||
	    !tap_ok(make_plain(sql, plain), "%s: sqlite3 builds the plain reference", label))
		return;
	/* page-level API on page 1 */
	f = fopen(enc, "rb");
	tap_ok(f != NULL && fread(page, 1, 1024, f) == 1024, "%s: read page 1", label);
	if (f)
		fclose(f);
	tap_is_int(cu_sqlcipher1_kdf("3a57b96", page, key, &err), CU_OK, "%s: kdf", label);
	tap_is_int(cu_sqlcipher1_page_decrypt(key, 1, page, dec, &err), CU_OK,
		   "%s: page 1 decrypts", label);
	tap_ok(cu_sqlcipher1_page1_plausible(dec), "%s: page 1 header plausible", label);
	tap_is_mem(dec, 16, "SQLite format 3", 16, "%s: page 1 gets the sqlite magic", label);
	tap_is_mem(dec + 16, 8, "\x04\x00\x01\x01\x10\x40\x20\x20", 8,
		   "%s: header bytes 16..23 (APPS.md 1.2)", label);
	tap_is_mem(dec + 1008, 16, page + 1008, 16, "%s: reserve (IV) bytes kept", label);
	tap_is_int(cu_sqlcipher1_kdf("3a57b97", page, key, &err), CU_OK, "%s: kdf wrong", label);
	tap_ok(cu_sqlcipher1_page_decrypt(key, 1, page, dec, &err) == CU_OK &&
		   !cu_sqlcipher1_page1_plausible(dec),
	       "%s: wrong key is not plausible", label);

	unlink(out);
	st = cu_sqlcipher1_decrypt_file(enc, keys, 3, out, &which, &err);
	tap_is_int(st, CU_OK, "%s: decrypt_file ok (%s)", label, st ? err.msg : "");
	tap_is_int((int64_t)which, 2, "%s: third candidate key chosen", label);
	want = dump(plain);
	got = dump(out);
	tap_ok(want != NULL && got != NULL && strlen(want) > 100,
	       "%s: both dumps readable by sqlite3", label);
	if (want != NULL && got != NULL)
		tap_is_str(got, want, "%s: decrypted .dump equals sqlite3 plain .dump", label);
	{
		char cmd[1024];
		char *ic;
		snprintf(cmd, sizeof(cmd), "sqlite3 'file:%s?mode=ro' 'PRAGMA integrity_check'",
			 out);
		ic = run(cmd);
		tap_is_str(ic, "ok\n", "%s: decrypted db passes integrity_check", label);
		free(ic);
	}
	{
		struct stat a, b;
		tap_ok(stat(enc, &a) == 0 && stat(out, &b) == 0 && a.st_size == b.st_size,
		       "%s: decrypted file has the encrypted file's size (pages line up)", label);
	}
	free(want);
	free(got);
}

static void test_errors(void)
{
	const char *enc = path_in("enc.db"), *out = path_in("out2.db"), *bad = path_in("bad.db");
	const char *const wrong[] = {"0000000", "ffffff0"};
	const char *const right[] = {"3a57b96"};
	struct cu_error err;
	size_t which = 77;
	enum cu_status st;
	struct cu_buf b = CU_BUF_INIT;

	unlink(out);
	st = cu_sqlcipher1_decrypt_file(enc, wrong, 2, out, &which, &err);
	tap_is_int(st, CU_E_KEY, "wrong keys: CU_E_KEY");
	tap_ok(strstr(err.msg, "enc.db") != NULL && strstr(err.msg, "2 candidate") != NULL,
	       "wrong keys: message names the file and the count (%s)", err.msg);
	tap_ok(!cu_file_exists(out), "wrong keys: no output file left");
	tap_is_int((int64_t)which, 77, "wrong keys: out-param untouched");

	if (cu_file_read_all(enc, 1 << 24, &b, &err) != CU_OK) {
		tap_ok(false, "read encrypted db");
		return;
	}
	write_file(bad, b.data, 1500);
	st = cu_sqlcipher1_decrypt_file(bad, right, 1, out, &which, &err);
	tap_is_int(st, CU_E_FORMAT, "1500-byte file: CU_E_FORMAT");
	tap_ok(strstr(err.msg, "multiple of the 1024") != NULL && strstr(err.msg, "bad.db"),
	       "odd size: message says why and names the file (%s)", err.msg);
	write_file(bad, b.data, 1000);
	st = cu_sqlcipher1_decrypt_file(bad, right, 1, out, &which, &err);
	tap_is_int(st, CU_E_FORMAT, "1000-byte file: CU_E_FORMAT (%s)", err.msg);
	write_file(bad, b.data, 0);
	st = cu_sqlcipher1_decrypt_file(bad, right, 1, out, &which, &err);
	tap_is_int(st, CU_E_FORMAT, "empty file: CU_E_FORMAT");
	/* truncated at a page boundary still decrypts what is there */
	write_file(bad, b.data, 2048);
	unlink(out);
	st = cu_sqlcipher1_decrypt_file(bad, right, 1, out, &which, &err);
	tap_is_int(st, CU_OK, "2-page prefix: decrypts (%s)", st ? err.msg : "");
	unlink(out);
	st = cu_sqlcipher1_decrypt_file(path_in("nonexistent.db"), right, 1, out, &which, &err);
	tap_is_int(st, CU_E_IO, "missing file: CU_E_IO");
	st = cu_sqlcipher1_decrypt_file(path_in("plain.db"), right, 1, out, &which, &err);
	tap_is_int(st, CU_E_FORMAT, "plain sqlite: refused as not encrypted (%s)", err.msg);
	/* existing output is never overwritten */
	write_file(out, "x", 1);
	st = cu_sqlcipher1_decrypt_file(enc, right, 1, out, &which, &err);
	tap_is_int(st, CU_E_IO, "existing output: refused (O_EXCL)");
	tap_ok(cu_file_exists(out), "existing output: left alone");
	cu_buf_release(&b);
}

/* A WAL-mode database copied while frames were still in its WAL (the
 * way a live phone leaves it): our decrypt + WAL apply must give what the
 * sqlcipher CLI itself reads from the database and its WAL. */
static void test_wal(void)
{
	const char *dir = path_in("wal");
	char cmd[8192], *want = NULL, *got = NULL, *ref = NULL;
	char snap[1024], snapwal[1024], out[1024], ref_db[1024];
	const char *const keys[] = {"3a57b96"};
	struct cu_sqlcipher1_wal wi;
	struct cu_error err;
	size_t which = 9;
	enum cu_status st;

	snprintf(snap, sizeof(snap), "%s/snap.db", dir);
	snprintf(snapwal, sizeof(snapwal), "%s/snap.db-wal", dir);
	snprintf(out, sizeof(out), "%s/out.db", dir);
	snprintf(ref_db, sizeof(ref_db), "%s/ref.db", dir);
	snprintf(
	    cmd, sizeof(cmd),
	    "mkdir -p '%s' && cd '%s' && rm -f enc.db* snap.db* && printf \"PRAGMA key='3a57b96'; "
	    "%s\\nPRAGMA journal_mode=WAL;\\nPRAGMA wal_autocheckpoint=0;\\n"
	    "CREATE TABLE message (msgId INTEGER PRIMARY KEY, type INT, content TEXT);\\n"
	    "INSERT INTO message VALUES (1, 1, 'checkpointed');\\n"
	    "PRAGMA wal_checkpoint(TRUNCATE);\\n"
	    "INSERT INTO message VALUES (2, 1, 'only in the wal 🙂');\\n"
	    "INSERT INTO message SELECT 100 + rowid, 1, hex(zeroblob(900)) FROM message;\\n"
	    "UPDATE message SET content = 'changed in the wal' WHERE msgId = 1;\\n"
	    ".shell cp enc.db snap.db; cp enc.db-wal snap.db-wal\\n\" | sqlcipher enc.db "
	    ">/dev/null 2>&1 && test -s snap.db-wal",
	    dir, dir, cipher_settings());
	if (!tap_ok(system(cmd) == 0, "wal: sqlcipher CLI leaves a database with a live WAL"))
		return;
	/* the reference: sqlcipher reads a copy of database + WAL itself */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cp snap.db ref.db && cp snap.db-wal ref.db-wal && printf \"PRAGMA "
		 "key='3a57b96'; %s\\nSELECT msgId, content FROM message ORDER BY msgId;\\n\" | "
		 "sqlcipher ref.db",
		 dir, cipher_settings());
	ref = run(cmd);
	unlink(out);
	st = cu_sqlcipher1_decrypt_file(snap, keys, 1, out, &which, &err);
	tap_is_int(st, CU_OK, "wal: main file decrypts");
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 'file:%s?mode=ro' 'SELECT msgId, content FROM message ORDER BY msgId'",
		 out);
	want = run(cmd);
	tap_is_str(want, "1|checkpointed\n",
		   "wal: the main file alone has the checkpointed row only");
	memset(&wi, 0, sizeof(wi));
	st = cu_sqlcipher1_wal_apply(snap, snapwal, "3a57b96", out, &wi, &err);
	tap_is_int(st, CU_OK, "wal: frames applied (%s)", st ? err.msg : "");
	tap_ok(wi.frames_applied > 0 && wi.commits >= 3 && wi.frames_applied == wi.frames_total,
	       "wal: %llu of %llu frames, %llu commits", (unsigned long long)wi.frames_applied,
	       (unsigned long long)wi.frames_total, (unsigned long long)wi.commits);
	got = run(cmd);
	tap_ok(ref != NULL && strstr(ref, "only in the wal") != NULL,
	       "wal: sqlcipher sees the WAL rows");
	tap_is_str(got, ref != NULL ? strchr(ref, '1') : NULL,
		   "wal: our rows equal what sqlcipher reads from database + WAL");
	free(got);
	snprintf(cmd, sizeof(cmd), "sqlite3 'file:%s?mode=ro' 'PRAGMA integrity_check'", out);
	got = run(cmd);
	tap_is_str(got, "ok\n", "wal: result passes integrity_check");
	free(got);

	/* a torn last frame: the commit it belongs to is dropped, earlier ones stay */
	{
		struct cu_buf b = CU_BUF_INIT;
		char torn[1024];
		struct cu_sqlcipher1_wal w2;

		snprintf(torn, sizeof(torn), "%s/torn.db-wal", dir);
		if (cu_file_read_all(snapwal, 1 << 24, &b, &err) == CU_OK && b.len > 1100) {
			b.data[b.len - 100] ^= 0x55; /* inside the last frame's page */
			write_file(torn, b.data, b.len);
			unlink(out);
			st = cu_sqlcipher1_decrypt_file(snap, keys, 1, out, &which, &err);
			memset(&w2, 0, sizeof(w2));
			if (st == CU_OK)
				st = cu_sqlcipher1_wal_apply(snap, torn, "3a57b96", out, &w2, &err);
			tap_is_int(st, CU_OK, "torn wal: applied up to the last good commit");
			tap_ok(
			    w2.frames_applied < wi.frames_applied && w2.commits == wi.commits - 1,
			    "torn wal: last commit dropped (%llu frames, %llu commits)",
			    (unsigned long long)w2.frames_applied, (unsigned long long)w2.commits);
			snprintf(cmd, sizeof(cmd),
				 "sqlite3 'file:%s?mode=ro' 'PRAGMA integrity_check'", out);
			got = run(cmd);
			tap_is_str(got, "ok\n", "torn wal: result still consistent");
			free(got);
			write_file(torn, "not a wal at all, just some bytes......", 39);
			st = cu_sqlcipher1_wal_apply(snap, torn, "3a57b96", out, &w2, &err);
			tap_is_int(st, CU_E_FORMAT, "garbage wal: CU_E_FORMAT");
		}
		cu_buf_release(&b);
	}
	free(want);
	free(ref);
}

int main(void)
{
	const char *src = getenv("SRCDIR");
	char sql1[2048], sql2[2048];

	tap_plan(64);
	tmp = tap_tmpdir("sqlcipher1");
	test_vectors();
	if (!have_tool("sqlcipher") || !have_tool("sqlite3")) {
		tap_skip_rest("sqlcipher or sqlite3 CLI not installed");
		return tap_done();
	}
	if (src == NULL)
		src = ".";
	snprintf(sql1, sizeof(sql1), "%s/tests/data/wechat/EnMicroMsg.sql", src);
	snprintf(sql2, sizeof(sql2), "%s/tests/data/wechat/bigpages.sql", src);
	test_roundtrip(sql1, "EnMicroMsg");
	test_roundtrip(sql2, "overflow pages");
	test_errors();
	test_wal();
	return tap_done();
}
