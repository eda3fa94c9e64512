/*
 * sqlcipher1.h - SQLCipher 1.x page decryption and WAL replay (sqlcipher1.c);
 * internal to parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_SQLCIPHER1_H
#define CUSTOS_PARSERS_SQLCIPHER1_H

#include "parsers/parsers.h"

/*
 * SQLCipher 1.x as used by WeChat Android EnMicroMsg.db (APPS.md 1.2):
 * 1024-byte pages, salt = file bytes 0..15, key = PBKDF2-HMAC-SHA1(pass,
 * salt, 4000, 32), AES-256-CBC without padding, IV = last 16 bytes of each
 * page, no HMAC.
 */
#define CU_SQLCIPHER1_PAGE     1024
#define CU_SQLCIPHER1_SALT     16
#define CU_SQLCIPHER1_KDF_ITER 4000

/* Derives the 32-byte page key from a passphrase and the file's salt. */
enum cu_status cu_sqlcipher1_kdf(const char *passphrase, const unsigned char salt[16],
				 unsigned char key[32], struct cu_error *err) CU_WARN_UNUSED;
/*
 * Decrypts one page (page_no counts from 1) into out (1024 bytes). Page 1's
 * output starts with "SQLite format 3\0"; the reserve (IV) bytes are kept.
 */
enum cu_status cu_sqlcipher1_page_decrypt(const unsigned char key[32], uint32_t page_no,
					  const unsigned char in[1024], unsigned char out[1024],
					  struct cu_error *err) CU_WARN_UNUSED;
/* True when decrypted page 1 has the expected header (page size 1024,
 * reserve 16, payload fractions 64/32/32). */
bool cu_sqlcipher1_page1_plausible(const unsigned char page1[1024]);
/*
 * Tries each passphrase on page 1 of the file at in_path; on a match writes
 * the whole decrypted database to out_path (created O_EXCL) and sets
 * *which to the index of the passphrase that worked. CU_E_KEY when none
 * works, CU_E_FORMAT for a truncated file or one that is not a multiple of
 * 1024 bytes.
 */
enum cu_status cu_sqlcipher1_decrypt_file(const char *in_path, const char *const *passphrases,
					  size_t n, const char *out_path, size_t *which,
					  struct cu_error *err) CU_WARN_UNUSED;

/* What cu_sqlcipher1_wal_apply() did. */
struct cu_sqlcipher1_wal {
	uint64_t frames_total;   /* whole frames in the file */
	uint64_t frames_applied; /* valid frames up to the last commit */
	uint64_t commits;
	uint64_t db_pages; /* database size after the last commit */
};
/*
 * Applies the committed frames of the SQLCipher-1 encrypted WAL wal_path
 * (belonging to the encrypted database db_path, which gives the salt) to
 * the decrypted database out_path, as a checkpoint would: pages decrypted
 * and written in frame order, file sized to the last commit. Frames after
 * a bad checksum or salt are ignored (as SQLite does). A WAL without valid
 * commits changes nothing (CU_OK, frames_applied 0).
 */
enum cu_status cu_sqlcipher1_wal_apply(const char *db_path, const char *wal_path,
				       const char *passphrase, const char *out_path,
				       struct cu_sqlcipher1_wal *info,
				       struct cu_error *err) CU_WARN_UNUSED;

#endif
