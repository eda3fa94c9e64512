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
#include "parsers/wechat/sqlcipher1.h"

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

/* ------------------------------------------------------------------ */
/* write-ahead log                                                     */
/* ------------------------------------------------------------------ */

/*
 * SQLite WAL (file-format spec, "The WAL File Format"): a 32-byte header
 * (magic 0x377f0682/0x377f0683 - the low bit selects big-endian checksum
 * words -, version, page size, checkpoint sequence, salt-1, salt-2,
 * checksum over bytes 0..23), then frames of a 24-byte header (page
 * number, database size in pages for a commit frame else 0, salt-1,
 * salt-2, cumulative checksum over header bytes 0..7 and the page) and
 * the page. SQLCipher writes the pages encrypted, exactly as in the main
 * file, and the checksums cover those encrypted bytes. Valid frames are
 * those up to the last commit frame whose salts match the header and
 * whose checksum chain holds; they are applied in order, as a checkpoint
 * would, and the database is sized to the last commit's page count.
 */
#define WAL_HDR       32
#define WAL_FRAME_HDR 24
#define WAL_MAX_PAGES (1u << 24) /* 16 GiB at 1024 bytes a page */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wal_cksum(bool big, const unsigned char *p, size_t n, uint32_t s[2])
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint32_t a, b;

		if (big) {
			a = be32(p + i);
			b = be32(p + i + 4);
		} else {
			a = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			    (uint32_t)p[i + 3] << 24;
			b = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 |
			    (uint32_t)p[i + 6] << 16 | (uint32_t)p[i + 7] << 24;
		}
		s[0] += a + s[1];
		s[1] += b + s[0];
	}
}

enum cu_status cu_sqlcipher1_wal_apply(const char *db_path, const char *wal_path,
				       const char *passphrase, const char *out_path,
				       struct cu_sqlcipher1_wal *info, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	unsigned char hdr[WAL_HDR], fh[WAL_FRAME_HDR], page[PAGE], plain[PAGE], salt[16], key[32];
	struct cu_sqlcipher1_wal res = {0, 0, 0, 0};
	uint32_t ck[2] = {0, 0}, commit_pages = 0;
	uint64_t nframes = 0, last_commit = 0, i;
	int db = -1, wal = -1, out = -1;
	size_t got;
	bool big;
	off_t walsize;
	struct stat sb;

	db = open(db_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (db < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", db_path);
	st = cu_read_full(db, salt, sizeof(salt), &got, db_path, err);
	close(db);
	if (st != CU_OK)
		return st;
	if (got != sizeof(salt))
		return cu_error_set(err, CU_E_FORMAT, "'%s': no salt", db_path);
	wal = open(wal_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (wal < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", wal_path);
	if (fstat(wal, &sb) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", wal_path);
		goto out;
	}
	walsize = sb.st_size;
	st = cu_read_full(wal, hdr, WAL_HDR, &got, wal_path, err);
	if (st != CU_OK)
		goto out;
	if (got != WAL_HDR || (be32(hdr) & ~1u) != 0x377f0682u) {
		st = cu_error_set(err, CU_E_FORMAT, "'%s' is not a SQLite write-ahead log",
				  wal_path);
		goto out;
	}
	big = (be32(hdr) & 1u) != 0;
	if (be32(hdr + 8) != PAGE) {
		st = cu_error_set(err, CU_E_UNSUPPORTED, "'%s': page size %u, expected %d",
				  wal_path, be32(hdr + 8), PAGE);
		goto out;
	}
	wal_cksum(big, hdr, 24, ck);
	if (ck[0] != be32(hdr + 24) || ck[1] != be32(hdr + 28)) {
		/* a WAL whose header does not check out holds no valid frames */
		*info = res;
		goto out;
	}
	/* pass 1: find the last valid commit frame */
	nframes = ((uint64_t)walsize - WAL_HDR) / (WAL_FRAME_HDR + PAGE);
	for (i = 0; i < nframes; i++) {
		st = cu_read_full(wal, fh, WAL_FRAME_HDR, &got, wal_path, err);
		if (st == CU_OK && got == WAL_FRAME_HDR)
			st = cu_read_full(wal, page, PAGE, &got, wal_path, err);
		if (st != CU_OK)
			goto out;
		if (got != PAGE || memcmp(fh + 8, hdr + 16, 8) != 0 || be32(fh) == 0 ||
		    be32(fh) > WAL_MAX_PAGES)
			break;
		wal_cksum(big, fh, 8, ck);
		wal_cksum(big, page, PAGE, ck);
		if (ck[0] != be32(fh + 16) || ck[1] != be32(fh + 20))
			break;
		if (be32(fh + 4) != 0) {
			last_commit = i + 1;
			commit_pages = be32(fh + 4);
			res.commits++;
		}
	}
	res.frames_total = nframes;
	if (last_commit == 0) {
		*info = res;
		goto out;
	}
	if (commit_pages > WAL_MAX_PAGES) {
		st = cu_error_set(err, CU_E_LIMIT, "'%s': implausible database size", wal_path);
		goto out;
	}
	/* pass 2: apply frames 1..last_commit */
	st = cu_sqlcipher1_kdf(passphrase, salt, key, err);
	if (st != CU_OK)
		goto out;
	out = open(out_path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open '%s'", out_path);
		goto out;
	}
	if (lseek(wal, WAL_HDR, SEEK_SET) != WAL_HDR) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot seek in '%s'", wal_path);
		goto out;
	}
	for (i = 0; i < last_commit; i++) {
		uint32_t pgno;

		st = cu_read_full(wal, fh, WAL_FRAME_HDR, &got, wal_path, err);
		if (st == CU_OK)
			st = cu_read_full(wal, page, PAGE, &got, wal_path, err);
		if (st != CU_OK)
			goto out;
		pgno = be32(fh);
		st = cu_sqlcipher1_page_decrypt(key, pgno, page, plain, err);
		if (st != CU_OK)
			goto out;
		if (pwrite(out, plain, PAGE, (off_t)(pgno - 1) * PAGE) != PAGE) {
			st = cu_error_errno(err, CU_E_IO, errno, "writing '%s'", out_path);
			goto out;
		}
		res.frames_applied++;
	}
	if (ftruncate(out, (off_t)commit_pages * PAGE) != 0 || fsync(out) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "sizing '%s'", out_path);
		goto out;
	}
	res.db_pages = commit_pages;
	*info = res;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (out >= 0)
		close(out);
	if (wal >= 0)
		close(wal);
	return st;
}
