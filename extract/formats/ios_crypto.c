/*
 * ios_crypto.c - decryption keys of encrypted iOS backups (iOS 10.2+),
 * all primitives from OpenSSL 3.
 *
 * Facts (PROTOCOLS.md section 2, after iphone_backup_decrypt and the
 * iphone-dataprotection keybag reader):
 *  - Manifest.plist BackupKeyBag is TLV: 4-byte ASCII tag, u32 big-endian
 *    length, value; 4-byte values are u32 big-endian. The header holds
 *    VERS TYPE UUID HMCK WRAP SALT ITER DPWT DPIC DPSL; every later UUID
 *    opens a class key record with CLAS WRAP KTYP WPKY (PBKY).
 *  - key = PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(pw, DPSL, DPIC, 32), SALT,
 *    ITER, 32); backups without DPSL/DPIC use PBKDF2-SHA1(pw, SALT, ITER).
 *  - Class keys with WRAP & 2 are RFC 3394 wrapped with that key; the
 *    unwrap integrity check (IV A6A6A6A6A6A6A6A6) failing means a wrong
 *    password.
 *  - ManifestKey and MBFile EncryptionKey: le32 class, then 40-byte
 *    wrapped key (unwrapped with the class key).
 */
#include "extract/formats/formats.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum cu_status cu_ios_keybag_parse(const unsigned char *p, size_t n, struct cu_ios_keybag *kb,
				   struct cu_error *err)
{
	struct cu_ios_keybag k;
	struct cu_ios_class_key *cur = NULL;
	bool seen_uuid = false, seen_wrap = false;
	size_t off = 0;

	memset(&k, 0, sizeof(k));
	while (off < n) {
		if (n - off < 8)
			return cu_error_set(err, CU_E_FORMAT,
					    "keybag truncated at offset %zu (a tag needs 8 bytes)",
					    off);
		const unsigned char *tag = p + off;
		uint32_t len = be32(p + off + 4);
		off += 8;
		if (len > n - off)
			return cu_error_set(err, CU_E_FORMAT,
					    "keybag tag '%.4s' at offset %zu claims %u bytes, only "
					    "%zu left",
					    (const char *)tag, off - 8, len, n - off);
		const unsigned char *v = p + off;
		off += len;
		uint32_t u = len == 4 ? be32(v) : 0;

		if (memcmp(tag, "UUID", 4) == 0) {
			if (!seen_uuid) {
				seen_uuid = true; /* the keybag's own UUID */
				if (len == 16)
					memcpy(k.uuid, v, 16);
				continue;
			}
			if (k.ncls >= CU_IOS_MAX_CLASSES)
				return cu_error_set(err, CU_E_FORMAT,
						    "keybag has more than %d class keys",
						    CU_IOS_MAX_CLASSES);
			cur = &k.cls[k.ncls++];
			continue;
		}
		if (cur == NULL) {
			if (memcmp(tag, "VERS", 4) == 0)
				k.version = u;
			else if (memcmp(tag, "TYPE", 4) == 0)
				k.type = u;
			else if (memcmp(tag, "WRAP", 4) == 0 && !seen_wrap)
				seen_wrap = true;
			else if (memcmp(tag, "ITER", 4) == 0)
				k.iter = u;
			else if (memcmp(tag, "DPIC", 4) == 0) {
				k.dpic = u;
				k.have_dpic = true;
			} else if (memcmp(tag, "SALT", 4) == 0) {
				if (len > sizeof(k.salt))
					return cu_error_set(err, CU_E_FORMAT,
							    "keybag SALT is %u bytes (max %zu)",
							    len, sizeof(k.salt));
				memcpy(k.salt, v, len);
				k.salt_len = len;
			} else if (memcmp(tag, "DPSL", 4) == 0) {
				if (len > sizeof(k.dpsl))
					return cu_error_set(err, CU_E_FORMAT,
							    "keybag DPSL is %u bytes (max %zu)",
							    len, sizeof(k.dpsl));
				memcpy(k.dpsl, v, len);
				k.dpsl_len = len;
			}
			continue;
		}
		if (memcmp(tag, "CLAS", 4) == 0)
			cur->clas = u;
		else if (memcmp(tag, "WRAP", 4) == 0)
			cur->wrap = u;
		else if (memcmp(tag, "KTYP", 4) == 0)
			cur->ktyp = u;
		else if (memcmp(tag, "WPKY", 4) == 0) {
			if (len > sizeof(cur->wpky))
				return cu_error_set(err, CU_E_FORMAT,
						    "keybag WPKY of class %u is %u bytes (max %zu)",
						    cur->clas, len, sizeof(cur->wpky));
			memcpy(cur->wpky, v, len);
			cur->wpky_len = len;
		}
	}
	if (k.salt_len == 0 || k.iter == 0)
		return cu_error_set(err, CU_E_FORMAT, "keybag has no SALT/ITER");
	if (k.ncls == 0)
		return cu_error_set(err, CU_E_FORMAT, "keybag has no class keys");
	*kb = k;
	return CU_OK;
}

enum cu_status cu_ios_keybag_derive(const struct cu_ios_keybag *kb, const char *pw, size_t pwlen,
				    unsigned char key[32], struct cu_error *err)
{
	unsigned char k1[32];
	const unsigned char *in = (const unsigned char *)pw;
	size_t inlen = pwlen;
	enum cu_status st = CU_OK;

	if (pwlen > INT32_MAX || kb->iter > INT32_MAX || kb->dpic > INT32_MAX)
		return cu_error_set(err, CU_E_FORMAT, "keybag iteration counts out of range");
	(void)cu_secret_lock(k1, sizeof(k1));
	if (kb->have_dpic && kb->dpsl_len > 0) {
		/* iOS 10.2+: a slow SHA-256 round first (DPIC is about 10
		 * million on real backups; honoured as stored). */
		if (kb->dpic == 0 || PKCS5_PBKDF2_HMAC(pw, (int)pwlen, kb->dpsl, (int)kb->dpsl_len,
						       (int)kb->dpic, EVP_sha256(), 32, k1) != 1) {
			st = cu_error_openssl(err, "PBKDF2-SHA256 of the backup password failed");
			goto out;
		}
		in = k1;
		inlen = 32;
	}
	if (PKCS5_PBKDF2_HMAC((const char *)in, (int)inlen, kb->salt, (int)kb->salt_len,
			      (int)kb->iter, EVP_sha1(), 32, key) != 1)
		st = cu_error_openssl(err, "PBKDF2-SHA1 of the backup password failed");
out:
	cu_secret_wipe(k1, sizeof(k1));
	return st;
}

enum cu_status cu_ios_aes_unwrap(const unsigned char kek[32], const unsigned char *in, size_t n,
				 unsigned char *out, size_t *outlen, struct cu_error *err)
{
	EVP_CIPHER_CTX *ctx = NULL;
	enum cu_status st = CU_OK;
	int l1 = 0, l2 = 0;

	if (n < 24 || n % 8 != 0 || n > 1024)
		return cu_error_set(err, CU_E_FORMAT, "wrapped key of %zu bytes is malformed", n);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL) != 1) {
		st = cu_error_openssl(err, "AES key unwrap setup failed");
		goto out;
	}
	/* A failed RFC 3394 integrity check makes the update fail. */
	if (EVP_DecryptUpdate(ctx, out, &l1, in, (int)n) != 1 ||
	    EVP_DecryptFinal_ex(ctx, out + l1, &l2) != 1) {
		ERR_clear_error();
		st = cu_error_set(err, CU_E_KEY, "AES key unwrap integrity check failed");
		goto out;
	}
	*outlen = (size_t)(l1 + l2);
out:
	EVP_CIPHER_CTX_free(ctx);
	return st;
}

enum cu_status cu_ios_keybag_unlock(struct cu_ios_keybag *kb, const unsigned char key[32],
				    struct cu_error *err)
{
	size_t unwrapped = 0;
	struct cu_error e;

	for (size_t i = 0; i < kb->ncls; i++) {
		struct cu_ios_class_key *c = &kb->cls[i];
		unsigned char out[64];
		size_t outlen = 0;
		if (!(c->wrap & 2) || c->wpky_len == 0)
			continue; /* not wrapped with the passphrase key */
		if (cu_ios_aes_unwrap(key, c->wpky, c->wpky_len, out, &outlen, &e) != CU_OK ||
		    outlen != 32) {
			OPENSSL_cleanse(out, sizeof(out));
			if (e.code == CU_E_KEY || outlen != 32)
				return cu_error_set(
				    err, CU_E_KEY,
				    "wrong password: class key %u failed the RFC 3394 "
				    "integrity check",
				    c->clas);
			*err = e;
			return e.code;
		}
		memcpy(c->key, out, 32);
		OPENSSL_cleanse(out, sizeof(out));
		c->unwrapped = true;
		unwrapped++;
	}
	if (unwrapped == 0)
		return cu_error_set(err, CU_E_FORMAT, "keybag has no password-wrapped class keys");
	return CU_OK;
}

enum cu_status cu_ios_unwrap_file_key(const struct cu_ios_keybag *kb, const unsigned char *p,
				      size_t n, uint32_t *cls, unsigned char key[32],
				      struct cu_error *err)
{
	unsigned char out[64];
	size_t outlen = 0;
	enum cu_status st;

	if (n != 44)
		return cu_error_set(err, CU_E_FORMAT, "wrapped file key is %zu bytes (want 4 + 40)",
				    n);
	uint32_t c =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	for (size_t i = 0; i < kb->ncls; i++) {
		if (kb->cls[i].clas != c)
			continue;
		if (!kb->cls[i].unwrapped)
			return cu_error_set(err, CU_E_KEY, "class key %u is not available", c);
		if ((st = cu_ios_aes_unwrap(kb->cls[i].key, p + 4, n - 4, out, &outlen, err)) !=
		    CU_OK)
			return cu_error_prefix(err, "file key of class %u", c);
		if (outlen != 32) {
			OPENSSL_cleanse(out, sizeof(out));
			return cu_error_set(err, CU_E_FORMAT, "file key is %zu bytes", outlen);
		}
		memcpy(key, out, 32);
		OPENSSL_cleanse(out, sizeof(out));
		*cls = c;
		return CU_OK;
	}
	return cu_error_set(err, CU_E_FORMAT, "protection class %u is not in the keybag", c);
}
