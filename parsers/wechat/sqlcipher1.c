/*
 * sqlcipher1.c - SQLCipher 1.x page decryption, as used by WeChat Android's
 * EnMicroMsg.db (APPS.md 1.2, verified with the sqlcipher 3.4.1 CLI using
 * cipher_use_hmac=OFF, kdf_iter=4000, cipher_page_size=1024).
 *
 * Layout: file bytes 0..15 are the KDF salt (where a plain database has
 * "SQLite format 3\0"); every 1024-byte page ends with a 16-byte IV (the
 * page's reserved space); the rest of the page is AES-256-CBC without
 * padding. Page 1's ciphertext is bytes 16..1007 (992 bytes), other pages'
 * 0..1007. The page key is PBKDF2-HMAC-SHA1(passphrase, salt, 4000, 32).
 *
 * The decrypted database keeps the reserve bytes (the IVs) so every page and
 * byte offset in it matches the encrypted file, and SQLite reads it as is
 * (the header says reserve = 16).
 */
#include "parsers/parsers.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define PAGE    CU_SQLCIPHER1_PAGE
#define RESERVE 16

static const char sqlite_magic[16] = "SQLite format 3";

enum cu_status cu_sqlcipher1_kdf(const char *passphrase, const unsigned char salt[16],
				 unsigned char key[32], struct cu_error *err)
{
	unsigned char tmp[32];
	size_t n = strlen(passphrase);

	if (n > INT_MAX)
		return cu_error_set(err, CU_E_USAGE, "sqlcipher1: passphrase too long");
	if (PKCS5_PBKDF2_HMAC(passphrase, (int)n, salt, CU_SQLCIPHER1_SALT, CU_SQLCIPHER1_KDF_ITER,
			      EVP_sha1(), (int)sizeof(tmp), tmp) != 1)
		return cu_error_openssl(err, "sqlcipher1: pbkdf2-hmac-sha1 failed");
	memcpy(key, tmp, sizeof(tmp));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return CU_OK;
}

enum cu_status cu_sqlcipher1_page_decrypt(const unsigned char key[32], uint32_t page_no,
					  const unsigned char in[1024], unsigned char out[1024],
					  struct cu_error *err)
{
	EVP_CIPHER_CTX *ctx = NULL;
	enum cu_status st = CU_OK;
	size_t off = page_no == 1 ? CU_SQLCIPHER1_SALT : 0;
	size_t clen = PAGE - RESERVE - off;
	int outl = 0, finl = 0;
	unsigned char buf[PAGE];

	if (page_no == 0)
		return cu_error_set(err, CU_E_USAGE, "sqlcipher1: page numbers start at 1");
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL) {
		st = cu_error_openssl(err, "sqlcipher1: cannot allocate cipher context");
		goto out;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, in + PAGE - RESERVE) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, buf + off, &outl, in + off, (int)clen) != 1 ||
	    EVP_DecryptFinal_ex(ctx, buf + off + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != clen) {
		st = cu_error_openssl(err, "sqlcipher1: aes-256-cbc failed on page %u", page_no);
		goto out;
	}
	if (page_no == 1)
		memcpy(buf, sqlite_magic, sizeof(sqlite_magic));
	memcpy(buf + PAGE - RESERVE, in + PAGE - RESERVE, RESERVE);
	memcpy(out, buf, PAGE);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	EVP_CIPHER_CTX_free(ctx);
	return st;
}

bool cu_sqlcipher1_page1_plausible(const unsigned char p[1024])
{
	/* SQLite header: 16-17 page size (big endian), 18/19 write/read version
	 * (1 legacy, 2 WAL), 20 reserved bytes, 21-23 payload fractions 64/32/32
	 * (must be exactly these per the file-format spec). */
	if (p[16] != 0x04 || p[17] != 0x00)
		return false;
	if ((p[18] != 1 && p[18] != 2) || (p[19] != 1 && p[19] != 2))
		return false;
	return p[20] == RESERVE && p[21] == 0x40 && p[22] == 0x20 && p[23] == 0x20;
}

enum cu_status cu_sqlcipher1_decrypt_file(const char *in_path, const char *const *passphrases,
					  size_t n, const char *out_path, size_t *which,
					  struct cu_error *err)
{
	enum cu_status st = CU_OK;
	int in = -1, out = -1;
	struct stat sb;
	unsigned char cipher[PAGE], plain[PAGE], key[32];
	size_t got = 0, found = SIZE_MAX, i;
	uint64_t pages, pg;
	bool created = false;

	in = open(in_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", in_path);
		goto out;
	}
	if (fstat(in, &sb) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", in_path);
		goto out;
	}
	if (sb.st_size < PAGE) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "'%s' is %lld bytes, too short for a sqlcipher database "
				  "(needs at least one %d-byte page)",
				  in_path, (long long)sb.st_size, PAGE);
		goto out;
	}
	if (sb.st_size % PAGE != 0) {
		st =
		    cu_error_set(err, CU_E_FORMAT,
				 "'%s' is %lld bytes, not a multiple of the %d-byte sqlcipher page "
				 "size: truncated or not a wechat sqlcipher-1 database",
				 in_path, (long long)sb.st_size, PAGE);
		goto out;
	}
	pages = (uint64_t)sb.st_size / PAGE;
	st = cu_read_full(in, cipher, PAGE, &got, in_path, err);
	if (st != CU_OK)
		goto out;
	if (got != PAGE) {
		st = cu_error_set(err, CU_E_FORMAT, "'%s': short read on page 1", in_path);
		goto out;
	}
	if (memcmp(cipher, sqlite_magic, sizeof(sqlite_magic)) == 0) {
		st = cu_error_set(err, CU_E_FORMAT,
				  "'%s' is a plain sqlite database, not encrypted", in_path);
		goto out;
	}
	for (i = 0; i < n && found == SIZE_MAX; i++) {
		st = cu_sqlcipher1_kdf(passphrases[i], cipher, key, err);
		if (st != CU_OK)
			goto out;
		st = cu_sqlcipher1_page_decrypt(key, 1, cipher, plain, err);
		if (st != CU_OK)
			goto out;
		if (cu_sqlcipher1_page1_plausible(plain))
			found = i;
	}
	if (found == SIZE_MAX) {
		st = cu_error_set(err, CU_E_KEY, "'%s': none of %zu candidate keys decrypts page 1",
				  in_path, n);
		goto out;
	}
	out = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", out_path);
		goto out;
	}
	created = true;
	st = cu_write_all(out, plain, PAGE, out_path, err);
	for (pg = 2; st == CU_OK && pg <= pages; pg++) {
		if (pg > UINT32_MAX) {
			st = cu_error_set(err, CU_E_LIMIT, "'%s': too many pages", in_path);
			break;
		}
		st = cu_read_full(in, cipher, PAGE, &got, in_path, err);
		if (st != CU_OK)
			break;
		if (got != PAGE) {
			st = cu_error_set(err, CU_E_IO,
					  "'%s': file shrank while reading (page %llu)", in_path,
					  (unsigned long long)pg);
			break;
		}
		st = cu_sqlcipher1_page_decrypt(key, (uint32_t)pg, cipher, plain, err);
		if (st == CU_OK)
			st = cu_write_all(out, plain, PAGE, out_path, err);
	}
	if (st == CU_OK && fsync(out) != 0)
		st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", out_path);
	if (st == CU_OK && close(out) != 0) {
		out = -1;
		st = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", out_path);
	}
	out = -1;
	if (st == CU_OK)
		*which = found;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (out >= 0)
		close(out);
	if (st != CU_OK && created)
		unlink(out_path);
	if (in >= 0)
		close(in);
	return st;
}
