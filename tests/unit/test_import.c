/*
 * test_import.c - unit tests of the import parsers and crypto: RFC 3394
 * unwrap (RFC 3394 section 4.6 vector), keybag TLV parsing and unlocking,
 * PBKDF2 (RFC 6070 vector), adb backup header and the Java-chars checksum
 * widening, FullBackup name mapping, archive member names, MBFile decoding,
 * format names and item ids.
 */
#include "extract/import/import_int.h"
#include "tests/harness/tap.h"

#include <string.h>

#include <openssl/evp.h>
#include <plist/plist.h>

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex) / 2;
	return cu_unhex(hex, out, n) ? n : 0;
}

static void test_unwrap(void)
{
	unsigned char kek[32], ct[40], out[64], want[32];
	size_t outlen = 0;
	struct cu_error e;

	unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", kek);
	unhex("28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21",
	      ct);
	unhex("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f", want);
	tap_is_int(cu_ios_aes_unwrap(kek, ct, 40, out, &outlen, &e), CU_OK,
		   "RFC 3394 4.6 vector unwraps");
	tap_is_mem(out, outlen, want, 32, "RFC 3394 4.6 key data");
	ct[5] ^= 1;
	tap_is_int(cu_ios_aes_unwrap(kek, ct, 40, out, &outlen, &e), CU_E_KEY,
		   "tampered wrap fails the integrity check (CU_E_KEY)");
	tap_is_int(cu_ios_aes_unwrap(kek, ct, 20, out, &outlen, &e), CU_E_FORMAT,
		   "odd-sized wrapped key refused");
}

static size_t tlv(unsigned char *p, const char *tag, const void *v, uint32_t n)
{
	memcpy(p, tag, 4);
	p[4] = (unsigned char)(n >> 24);
	p[5] = (unsigned char)(n >> 16);
	p[6] = (unsigned char)(n >> 8);
	p[7] = (unsigned char)n;
	memcpy(p + 8, v, n);
	return 8 + n;
}

static size_t tlv32(unsigned char *p, const char *tag, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};
	return tlv(p, tag, b, 4);
}

static void wrap(const unsigned char kek[32], const unsigned char key[32], unsigned char out[40])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;
	EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	EVP_EncryptInit_ex(c, EVP_aes_256_wrap(), NULL, kek, NULL);
	EVP_EncryptUpdate(c, out, &l1, key, 32);
	EVP_EncryptFinal_ex(c, out + l1, &l2);
	EVP_CIPHER_CTX_free(c);
}

static void test_keybag(void)
{
	unsigned char bag[1024], uuid[16] = {1}, salt[20] = {2}, dpsl[20] = {3};
	unsigned char passkey[32], ck[32], wrapped[40], key[32], file_key[32], fk_wrapped[44];
	struct cu_ios_keybag kb;
	struct cu_error e;
	size_t n = 0;
	uint32_t cls = 0;

	memset(ck, 0x5a, sizeof(ck));
	memset(file_key, 0x33, sizeof(file_key));
	n += tlv32(bag + n, "VERS", 3);
	n += tlv32(bag + n, "TYPE", 1);
	n += tlv(bag + n, "UUID", uuid, 16);
	n += tlv32(bag + n, "WRAP", 0);
	n += tlv(bag + n, "SALT", salt, 20);
	n += tlv32(bag + n, "ITER", 3);
	n += tlv32(bag + n, "DPIC", 7);
	n += tlv(bag + n, "DPSL", dpsl, 20);
	/* the key the passphrase gives, computed here with OpenSSL directly */
	unsigned char k1[32];
	PKCS5_PBKDF2_HMAC("pw", 2, dpsl, 20, 7, EVP_sha256(), 32, k1);
	PKCS5_PBKDF2_HMAC((const char *)k1, 32, salt, 20, 3, EVP_sha1(), 32, passkey);
	wrap(passkey, ck, wrapped);
	n += tlv(bag + n, "UUID", uuid, 16);
	n += tlv32(bag + n, "CLAS", 3);
	n += tlv32(bag + n, "WRAP", 2);
	n += tlv32(bag + n, "KTYP", 0);
	n += tlv(bag + n, "WPKY", wrapped, 40);
	n += tlv(bag + n, "UUID", uuid, 16);
	n += tlv32(bag + n, "CLAS", 6);
	n += tlv32(bag + n, "WRAP", 1); /* device-only: not passphrase wrapped */
	n += tlv(bag + n, "WPKY", wrapped, 40);

	tap_is_int(cu_ios_keybag_parse(bag, n, &kb, &e), CU_OK, "keybag parses");
	tap_is_int(kb.iter, 3, "ITER");
	tap_is_int(kb.dpic, 7, "DPIC");
	tap_is_int((int64_t)kb.ncls, 2, "two class keys (first UUID is the bag's own)");
	tap_is_int(kb.cls[0].clas, 3, "class 3 first");
	tap_is_int(cu_ios_keybag_derive(&kb, "pw", 2, key, &e), CU_OK, "derive");
	tap_is_mem(key, 32, passkey, 32, "derived key = PBKDF2-SHA1(PBKDF2-SHA256(pw))");
	tap_is_int(cu_ios_keybag_unlock(&kb, key, &e), CU_OK, "right key unlocks");
	tap_is_mem(kb.cls[0].key, 32, ck, 32, "class key 3 unwrapped");
	tap_ok(!kb.cls[1].unwrapped, "device-only class left alone");

	fk_wrapped[0] = 3;
	fk_wrapped[1] = fk_wrapped[2] = fk_wrapped[3] = 0;
	wrap(ck, file_key, fk_wrapped + 4);
	tap_is_int(cu_ios_unwrap_file_key(&kb, fk_wrapped, 44, &cls, key, &e), CU_OK,
		   "file key of class 3 unwraps");
	tap_is_mem(key, 32, file_key, 32, "file key value");
	tap_is_int(cls, 3, "class reported");
	fk_wrapped[0] = 9;
	tap_is_int(cu_ios_unwrap_file_key(&kb, fk_wrapped, 44, &cls, key, &e), CU_E_FORMAT,
		   "unknown protection class refused");

	struct cu_ios_keybag kb2;
	tap_is_int(cu_ios_keybag_parse(bag, n, &kb2, &e), CU_OK, "reparse");
	tap_is_int(cu_ios_keybag_derive(&kb2, "px", 2, key, &e), CU_OK, "derive wrong pw");
	tap_is_int(cu_ios_keybag_unlock(&kb2, key, &e), CU_E_KEY, "wrong password: CU_E_KEY");
	tap_ok(strstr(e.msg, "wrong password") != NULL, "message says wrong password");

	tap_is_int(cu_ios_keybag_parse(bag, 5, &kb2, &e), CU_E_FORMAT, "truncated tag refused");
	bag[7] = 0xff; /* VERS claims 255 bytes more than there are? (len byte) */
	bag[4] = 0x7f;
	tap_is_int(cu_ios_keybag_parse(bag, n, &kb2, &e), CU_E_FORMAT, "overlong length refused");
	tap_is_int(cu_ios_keybag_parse(bag, 0, &kb2, &e), CU_E_FORMAT, "empty keybag refused");

	/* RFC 6070: PBKDF2-HMAC-SHA1("password", "salt", 1) (no DPIC path). */
	struct cu_ios_keybag old;
	unsigned char want[20];
	memset(&old, 0, sizeof(old));
	memcpy(old.salt, "salt", 4);
	old.salt_len = 4;
	old.iter = 1;
	unhex("0c60c80f961f0e71f3a9b524af6012062fe037a6", want);
	tap_is_int(cu_ios_keybag_derive(&old, "password", 8, key, &e), CU_OK,
		   "derive without DPIC");
	tap_is_mem(key, 20, want, 20, "RFC 6070 PBKDF2-HMAC-SHA1 vector");
}

static void test_ab(void)
{
	struct cu_ab_header h;
	struct cu_error e;
	const char *plain = "ANDROID BACKUP\n5\n1\nnone\nxyz";
	unsigned char in[3] = {0x41, 0x80, 0xff}, out[9],
		      want[7] = {0x41, 0xef, 0xbe, 0x80, 0xef, 0xbf, 0xbf};

	tap_is_int(cu_ab_header_parse((const unsigned char *)plain, strlen(plain), &h, &e), CU_OK,
		   "plain .ab header parses");
	tap_is_int(h.version, 5, "version 5");
	tap_ok(h.compressed && h.enc == CU_AB_NONE, "compressed, not encrypted");
	tap_is_int((int64_t)h.header_len, (int64_t)strlen(plain) - 3,
		   "payload starts after header");
	const char *v6 = "ANDROID BACKUP\n6\n1\nnone\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)v6, strlen(v6), &h, &e),
		   CU_E_UNSUPPORTED, "version 6 unsupported");
	const char *v0 = "ANDROID BACKUP\n0\n1\nnone\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)v0, strlen(v0), &h, &e),
		   CU_E_UNSUPPORTED, "version 0 unsupported");
	const char *short_h = "ANDROID BACKUP\n5\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)short_h, strlen(short_h), &h, &e),
		   CU_E_FORMAT, "truncated header refused");
	const char *enc = "ANDROID BACKUP\n5\n1\nAES-128\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)enc, strlen(enc), &h, &e),
		   CU_E_UNSUPPORTED, "unknown encryption unsupported");
	const char *badhex = "ANDROID BACKUP\n2\n0\nAES-256\nZZ\n00\n10000\n00\n00\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)badhex, strlen(badhex), &h, &e),
		   CU_E_FORMAT, "bad salt hex refused");
	const char *ok = "ANDROID BACKUP\n2\n0\nAES-256\nAB01\ncd02\n10000\n"
			 "000102030405060708090A0B0C0D0E0F\n"
			 "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\n";
	tap_is_int(cu_ab_header_parse((const unsigned char *)ok, strlen(ok), &h, &e), CU_OK,
		   "AES-256 header parses (upper and lower hex)");
	tap_is_int(h.rounds, 10000, "rounds");
	tap_is_int((int64_t)h.user_salt_len, 2, "salt length");
	tap_is_int((int64_t)h.mk_blob_len, 32, "blob length");
	unsigned char mk[32], iv[16];
	tap_is_int(cu_ab_unlock(&h, "pw", 2, mk, iv, &e), CU_E_KEY, "garbage blob: wrong password");

	size_t n = cu_ab_java_chars_utf8(in, 3, out);
	tap_is_mem(out, n, want, sizeof(want), "bytes >= 0x80 widen to U+FF80.. in UTF-8");

	struct cu_buf b = CU_BUF_INIT;
	tap_ok(cu_ab_map_name("apps/com.x/db/a.db", &b) &&
		   strcmp(b.data, "/data/data/com.x/databases/a.db") == 0,
	       "db token");
	tap_ok(cu_ab_map_name("apps/com.x/ef/p/q", &b) &&
		   strcmp(b.data, "/sdcard/Android/data/com.x/p/q") == 0,
	       "ef token");
	tap_ok(cu_ab_map_name("apps/com.x/d_sp/s.xml", &b) &&
		   strcmp(b.data, "/data/user_de/0/com.x/shared_prefs/s.xml") == 0,
	       "d_sp token");
	tap_ok(cu_ab_map_name("shared/0/DCIM/x", &b) &&
		   strcmp(b.data, "/storage/emulated/0/DCIM/x") == 0,
	       "shared storage");
	tap_ok(cu_ab_map_name("apps/com.x/_manifest", &b) &&
		   strcmp(b.data, "/_ab/apps/com.x/_manifest") == 0,
	       "manifest kept under /_ab");
	tap_ok(cu_ab_map_name("apps/com.x/zz/q", &b) && strcmp(b.data, "/_ab/apps/com.x/zz/q") == 0,
	       "unknown token kept under /_ab");
	cu_buf_release(&b);
}

static void test_member_path(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error e;
	bool abs = false;
	tap_ok(cu_import_member_path("./a/b", &b, &abs, &e) == CU_OK &&
		   strcmp(b.data, "/a/b") == 0 && !abs,
	       "./a/b -> /a/b");
	tap_ok(cu_import_member_path("/x//y/./z", &b, &abs, &e) == CU_OK &&
		   strcmp(b.data, "/x/y/z") == 0 && abs,
	       "absolute name normalised, flagged");
	tap_is_int(cu_import_member_path("a/../../b", &b, &abs, &e), CU_E_PATH, "'..' refused");
	tap_is_int(cu_import_member_path("..", &b, &abs, &e), CU_E_PATH, "bare '..' refused");
	tap_is_int(cu_import_member_path("./", &b, &abs, &e), CU_E_PATH, "root refused");
	tap_ok(cu_import_member_path("a/..b/c..", &b, &abs, &e) == CU_OK,
	       "'..b' is a name, not '..'");
	/* A counted name keeps its NUL byte (zip names are counted). */
	tap_ok(cu_import_member_path_n("./a/b\0c", 7, &b, &abs, &e) == CU_OK && b.len == 6 &&
		   memcmp(b.data, "/a/b\0c", 6) == 0,
	       "counted name: the NUL byte stays in the device path");
	tap_is_int(cu_import_member_path_n("a/..\0/..", 8, &b, &abs, &e), CU_E_PATH,
		   "counted name: '..' after a NUL still refused");
	cu_buf_release(&b);
}

static void test_mbfile(void)
{
	plist_t root = plist_new_dict(), objs = plist_new_array(), mb = plist_new_dict();
	plist_t top = plist_new_dict(), ek = plist_new_dict();
	char *bin = NULL;
	uint32_t len = 0;
	struct cu_ios_mbfile m;
	struct cu_error e;
	unsigned char keyblob[44];

	memset(keyblob, 7, sizeof(keyblob));
	plist_array_append_item(objs, plist_new_string("$null"));
	plist_dict_set_item(mb, "Size", plist_new_uint(1234));
	plist_dict_set_item(mb, "LastModified", plist_new_uint(1700000000));
	plist_dict_set_item(mb, "Mode", plist_new_uint(0100644));
	plist_dict_set_item(mb, "ProtectionClass", plist_new_uint(3));
	plist_dict_set_item(mb, "InodeNumber", plist_new_uint(99));
	plist_dict_set_item(mb, "EncryptionKey", plist_new_uid(2));
	plist_dict_set_item(mb, "Target", plist_new_uid(3));
	plist_array_append_item(objs, mb);
	plist_dict_set_item(ek, "NS.data", plist_new_data((const char *)keyblob, 44));
	plist_array_append_item(objs, ek);
	plist_array_append_item(objs, plist_new_string("/target"));
	plist_dict_set_item(top, "root", plist_new_uid(1));
	plist_dict_set_item(root, "$top", top);
	plist_dict_set_item(root, "$objects", objs);
	plist_to_bin(root, &bin, &len);
	tap_is_int(cu_ios_mbfile_parse(bin, len, &m, &e), CU_OK, "MBFile parses");
	tap_is_int((int64_t)m.size, 1234, "Size");
	tap_is_int(m.mtime, 1700000000, "LastModified");
	tap_is_int(m.mode, 0100644, "Mode");
	tap_is_int(m.protection, 3, "ProtectionClass");
	tap_is_int((int64_t)m.inode, 99, "InodeNumber");
	tap_is_mem(m.enc_key, m.enc_key_len, keyblob, 44, "EncryptionKey NS.data");
	tap_is_str(m.target, "/target", "Target");
	cu_ios_mbfile_release(&m);
	/* a UID pointing past $objects */
	plist_dict_set_item(top, "root", plist_new_uid(77));
	free(bin);
	bin = NULL;
	len = 0;
	plist_to_bin(root, &bin, &len);
	if (bin != NULL)
		tap_is_int(cu_ios_mbfile_parse(bin, len, &m, &e), CU_E_FORMAT,
			   "dangling UID refused");
	else
		tap_skip("libplist cannot write a dangling UID");
	tap_is_int(cu_ios_mbfile_parse("bplist00garbage", 15, &m, &e), CU_E_FORMAT,
		   "garbage refused");
	tap_is_int(cu_ios_mbfile_parse("<plist/>", 8, &m, &e), CU_E_FORMAT, "XML plist refused");
	free(bin);
	plist_free(root);
}

static void test_names(void)
{
	enum cu_import_format f;
	tap_ok(cu_import_format_parse("android-ab", &f) && f == CU_IMPORT_ANDROID_AB,
	       "format parse");
	tap_ok(!cu_import_format_parse("ios", &f), "unknown format refused");
	tap_is_str(cu_import_format_name(CU_IMPORT_IOS_BACKUP), "ios-backup", "format name");
	/* One table: every format's name parses back to it and has a decoder;
	 * the fallback "dir" is never detected, only chosen. */
	bool round = true;
	for (int i = CU_IMPORT_AUTO + 1; i <= CU_IMPORT_DIR; i++) {
		const struct cu_format *fmt = cu_format_get((enum cu_import_format)i);
		round = round && fmt != NULL && fmt->decode != NULL &&
			cu_import_format_parse(fmt->name, &f) && f == (enum cu_import_format)i;
	}
	tap_ok(round, "every format in the table: name round trip, decoder");
	tap_ok(cu_format_get(CU_IMPORT_AUTO) == NULL &&
		   cu_format_get(CU_IMPORT_DIR)->detect == NULL,
	       "auto is no format; dir has no detector");
	tap_ok(cu_import_format_parse("auto", &f) && f == CU_IMPORT_AUTO, "auto parses");
	tap_is_str(cu_import_format_name((enum cu_import_format)99), "unknown", "unknown value");
	tap_ok(cu_import_item_id_safe("F2LXK0TESTQ1"), "serial is a safe item id");
	tap_ok(cu_import_item_id_safe("00008030-001A2B3C4D5E802E"), "UDID is a safe item id");
	tap_ok(!cu_import_item_id_safe("../x") && !cu_import_item_id_safe(".hidden") &&
		   !cu_import_item_id_safe("") && !cu_import_item_id_safe("a b"),
	       "unsafe item ids refused");
}

static void test_pathmap(void)
{
	struct cu_ingest_pathmap m;
	struct cu_ingest_pathmap_val v, *got;
	struct cu_error e;
	char key[32];
	bool all = true;

	memset(&m, 0, sizeof(m));
	tap_ok(cu_ingest_pathmap_get(&m, "x") == NULL, "empty map finds nothing");
	for (int i = 0; i < 5000; i++) {
		memset(&v, 0, sizeof(v));
		v.size = (uint64_t)i;
		snprintf(key, sizeof(key), "evidence/I/f%d", i);
		all &= cu_ingest_pathmap_put(&m, key, &v, &e) == CU_OK;
	}
	tap_ok(all, "5000 puts (several growths)");
	tap_is_int((int64_t)m.n, 5000, "count");
	all = true;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "evidence/I/f%d", i);
		got = cu_ingest_pathmap_get(&m, key);
		all &= got != NULL && got->size == (uint64_t)i;
	}
	tap_ok(all, "every key found with its value after growth");
	v.size = 77;
	tap_is_int(cu_ingest_pathmap_put(&m, "evidence/I/f3", &v, &e), CU_OK, "overwrite");
	tap_is_int((int64_t)m.n, 5000, "overwrite keeps the count");
	tap_is_int((int64_t)cu_ingest_pathmap_get(&m, "evidence/I/f3")->size, 77, "new value");
	tap_ok(cu_ingest_pathmap_get(&m, "evidence/I/f5000") == NULL, "absent key");
	cu_ingest_pathmap_release(&m);
}

/* ---- a decoder driven by a pure stream (no file, no seek) ---- */

/* One ustar member: 512-byte header, data padded to 512. */
static size_t tar_member(unsigned char *out, const char *name, const char *data, size_t n)
{
	unsigned char *h = out;
	unsigned sum = 0;
	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	snprintf((char *)h + 136, 12, "%011o", 1700000000u);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	memcpy(out + 512, data, n);
	memset(out + 512 + n, 0, (512 - n % 512) % 512);
	return 512 + (n + 511) / 512 * 512;
}

struct memstream {
	const unsigned char *p;
	size_t n, off, step;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	struct memstream *m = ctx;
	size_t k = m->n - m->off;
	if (k > n)
		k = n;
	if (k > m->step)
		k = m->step; /* a device hands over small pieces */
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static enum cu_status run_begin(struct cu_format_run *r, const char *suggested,
				struct cu_error *err)
{
	(void)suggested;
	if ((r->item = cu_strdup("AB1")) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	return cu_ingest_set_item(r->w, r->item, err);
}

static enum cu_status run_password(struct cu_format_run *r, struct cu_buf *out,
				   struct cu_error *err)
{
	(void)r;
	(void)out;
	return cu_error_set(err, CU_E_KEY, "no password here");
}

static enum cu_status first_row(const struct cu_inventory_rec *r, void *ctx, struct cu_error *err)
{
	struct cu_inventory_rec *keep = ctx;
	(void)err;
	if (keep->device_path == NULL) {
		keep->device_path = cu_strdup(r->device_path);
		memcpy(keep->sha256, r->sha256, sizeof(r->sha256));
	}
	return CU_OK;
}

static void test_ab_stream(void)
{
	static unsigned char ab[65536];
	static char body[30000]; /* beyond the header read: the stream is pulled */
	const char *hdr = "ANDROID BACKUP\n5\n0\nnone\n";
	struct cu_case_init_opts o = {.case_id = "T-AB-STREAM"};
	struct cu_format_run run;
	struct cu_format_source src;
	struct memstream m;
	struct cu_case *c = NULL;
	struct cu_inventory_rec row;
	struct cu_error err;
	char dir[4096], want[65];
	unsigned char md[32];
	size_t n = strlen(hdr);

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i * 7 % 26);
	memcpy(ab, hdr, n);
	n += tar_member(ab + n, "apps/com.example.chat/db/chat.db", body, sizeof(body));
	memset(ab + n, 0, 1024); /* end of archive */
	n += 1024;
	snprintf(dir, sizeof(dir), "%s/case", tap_tmpdir("import_ab_stream"));
	memset(&run, 0, sizeof(run));
	memset(&row, 0, sizeof(row));
	if (cu_case_init(dir, &o, &c, NULL, NULL, &err) != CU_OK ||
	    cu_ingest_open(c, CU_INGEST_IMPORT, CU_HASH_DEFAULT, false, &run.w, &err) != CU_OK ||
	    cu_hasher_new(CU_HASH_DEFAULT, 0, &run.hasher, &err) != CU_OK ||
	    cu_hasher_new(CU_HASH_DEFAULT, 0, &run.hasher2, &err) != CU_OK ||
	    (run.buf = cu_malloc(CU_IMPORT_CHUNK)) == NULL) {
		tap_ok(false, "setup of the stream decode: %s", err.msg);
		return;
	}
	run.c = c;
	run.details = json_object();
	run.item_facts = json_object();
	run.mount_prefix = "";
	run.begin_item = run_begin;
	run.password = run_password;
	m = (struct memstream){ab, n, 0, 100};
	memset(&src, 0, sizeof(src));
	src.name = "stream from a device";
	src.in.read = mem_read;
	src.in.ctx = &m;
	tap_is_int(cu_format_android_ab(&run, &src, &err), CU_OK,
		   ".ab decoded from a stream in 100-byte pieces without seek: %s", err.msg);
	tap_is_int(cu_ingest_close(run.w, NULL, NULL, NULL, &err), CU_OK, "writer closed");
	tap_ok(cu_inventory_each(c, "AB1", first_row, &row, &err) == CU_OK &&
		   row.device_path != NULL,
	       "member listed in the inventory");
	tap_is_str(row.device_path, "/data/data/com.example.chat/databases/chat.db",
		   "member mapped to its device path");
	EVP_Digest(body, sizeof(body), md, NULL, EVP_sha256(), NULL);
	cu_hex(md, 32, want);
	tap_is_str(row.sha256, want, "member SHA-256 (OpenSSL one-shot)");
	EVP_Digest(ab, n, md, NULL, EVP_sha256(), NULL);
	cu_hex(md, 32, want);
	tap_is_str(json_string_value(
		       json_object_get(json_object_get(run.details, "source_digests"), "sha256")),
		   want, "digest of the whole stream in the same pass");
	tap_is_int((int64_t)m.off, (int64_t)n, "the stream was read to its end, once");
	free(row.device_path);
	free(run.item);
	free(run.buf);
	cu_hasher_free(run.hasher);
	cu_hasher_free(run.hasher2);
	json_decref(run.details);
	json_decref(run.item_facts);
	cu_ingest_free(run.w);
	cu_case_close(c);
}

int main(void)
{
	tap_plan(92);
	test_pathmap();
	test_unwrap();
	test_keybag();
	test_ab();
	test_member_path();
	test_mbfile();
	test_names();
	test_ab_stream();
	return tap_done();
}
