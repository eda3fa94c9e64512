/*
 * auth.c - the host's RSA-2048 key for ADB AUTH (OpenSSL 3 EVP): kept in
 * the user's config dir (created on first use, mode 0600), the token
 * signature (PKCS#1 v1.5 over the raw 20-byte token as a SHA-1 digest, no
 * hashing: client/auth.cpp:262-281) and the Android public-key format
 * (libcrypto_utils/android_pubkey.cpp: 524 bytes, little-endian).
 */
#include "extract/android/adb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#define MODULUS_BYTES 256
#define MODULUS_WORDS 64

struct cu_adb_key {
	EVP_PKEY *pkey;
};

enum cu_status cu_adb_key_default_path(struct cu_buf *out, struct cu_error *err)
{
	const char *env = getenv("CUSTOS_ADB_KEY");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (env != NULL && env[0] != '\0')
		return cu_buf_puts(out, env, err);
	if (xdg != NULL && xdg[0] == '/')
		return cu_buf_printf(out, err, "%s/custos/adbkey", xdg);
	if (home != NULL && home[0] != '\0')
		return cu_buf_printf(out, err, "%s/.config/custos/adbkey", home);
	return cu_error_set(
	    err, CU_E_USAGE,
	    "no place for the adb key: set HOME, XDG_CONFIG_HOME or CUSTOS_ADB_KEY");
}

void cu_adb_key_free(struct cu_adb_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

enum cu_status cu_adb_key_generate(struct cu_adb_key **out, struct cu_error *err)
{
	struct cu_adb_key *k = cu_calloc(1, sizeof(*k));

	if (k == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for an adb key");
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (k->pkey == NULL) {
		free(k);
		return cu_error_openssl(err, "creating an adb key");
	}
	*out = k;
	return CU_OK;
}

static enum cu_status check_rsa2048(EVP_PKEY *pkey, const char *path, struct cu_error *err)
{
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pkey) != 2048)
		return cu_error_set(err, CU_E_KEY,
				    "adb key '%s' is not an RSA-2048 key (adb needs one); move it "
				    "away and a new one is made",
				    path);
	return CU_OK;
}

/* Writes the Android-format public key beside the private key (PATH.pub), as adb
 * does, so it can be installed on a phone or given to a simulator. */
static enum cu_status write_pub(const struct cu_adb_key *k, const char *path, struct cu_error *err)
{
	struct cu_buf pub = CU_BUF_INIT, text = CU_BUF_INIT;
	enum cu_status rc;

	rc = cu_buf_printf(&pub, err, "%s.pub", path);
	if (rc == CU_OK)
		rc = cu_adb_key_pubkey_text(k, "custos@host", &text, err);
	if (rc == CU_OK)
		rc = cu_buf_putc(&text, '\n', err);
	if (rc == CU_OK)
		rc = cu_file_write_atomic(pub.data, text.data, text.len, 0644, err);
	cu_buf_release(&pub);
	cu_buf_release(&text);
	return rc;
}

static enum cu_status create_key(const char *path, struct cu_adb_key *k, struct cu_error *err)
{
	BIO *bio = NULL;
	FILE *f = NULL;
	enum cu_status rc = CU_OK;
	int fd;

	rc = cu_mkdirs(path, 0700, true, err);
	if (rc != CU_OK)
		return cu_error_prefix(err, "adb key '%s'", path);
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (k->pkey == NULL)
		return cu_error_openssl(err, "creating the adb key '%s'", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cu_error_errno(err, errno == EEXIST ? CU_E_EXISTS : CU_E_IO, errno,
				      "creating the adb key '%s'", path);
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = cu_error_errno(err, CU_E_IO, errno, "creating the adb key '%s'", path);
		close(fd);
		goto out;
	}
	bio = BIO_new_fp(f, BIO_NOCLOSE);
	/* Traditional "RSA PRIVATE KEY" PEM, as adb writes ~/.android/adbkey. */
	if (bio == NULL ||
	    !PEM_write_bio_PrivateKey_traditional(bio, k->pkey, NULL, NULL, 0, NULL, NULL) ||
	    BIO_flush(bio) != 1) {
		rc = cu_error_openssl(err, "writing the adb key '%s'", path);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = cu_error_errno(err, CU_E_IO, errno, "writing the adb key '%s'", path);
out:
	BIO_free(bio);
	if (f != NULL && fclose(f) != 0 && rc == CU_OK)
		rc = cu_error_errno(err, CU_E_IO, errno, "writing the adb key '%s'", path);
	if (rc != CU_OK) {
		unlink(path);
		return rc;
	}
	rc = write_pub(k, path, err);
	if (rc != CU_OK)
		cu_warn("adb key: public key beside '%s' not written: %s", path, err->msg);
	return CU_OK;
}

enum cu_status cu_adb_key_load(const char *path, bool create, struct cu_adb_key **out,
			       struct cu_error *err)
{
	struct cu_adb_key *k = cu_calloc(1, sizeof(*k));
	BIO *bio = NULL;
	struct stat st;
	enum cu_status rc = CU_OK;

	if (k == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory loading the adb key");
	if (lstat(path, &st) != 0 && errno == ENOENT && create) {
		rc = create_key(path, k, err);
		if (rc == CU_E_EXISTS) /* created meanwhile by another custos */
			rc = CU_OK;
		else if (rc != CU_OK || k->pkey != NULL)
			goto out;
		EVP_PKEY_free(k->pkey);
		k->pkey = NULL;
	}
	bio = BIO_new_file(path, "r");
	if (bio == NULL) {
		rc = cu_error_set(err, CU_E_KEY, "cannot read the adb key '%s': %s", path,
				  strerror(errno ? errno : ENOENT));
		goto out;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		cu_warn("adb key '%s' is readable by others (mode %03o): chmod 600 it", path,
			(unsigned)(st.st_mode & 0777));
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (k->pkey == NULL) {
		rc = cu_error_openssl(err, "adb key '%s' is not a PEM private key", path);
		err->code = rc = CU_E_KEY;
		goto out;
	}
	rc = check_rsa2048(k->pkey, path, err);
out:
	BIO_free(bio);
	if (rc != CU_OK) {
		cu_adb_key_free(k);
		return rc;
	}
	*out = k;
	return CU_OK;
}

enum cu_status cu_adb_key_sign(const struct cu_adb_key *k, const unsigned char *token, size_t n,
			       unsigned char sig[256], struct cu_error *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	size_t len = MODULUS_BYTES;
	enum cu_status rc = CU_OK;

	if (n != CU_ADB_TOKEN_SIZE) {
		rc = cu_error_set(err, CU_E_FORMAT, "AUTH token of %zu bytes (adb tokens are %u)",
				  n, CU_ADB_TOKEN_SIZE);
		goto out;
	}
	/* The token is signed as if it were a SHA-1 digest: DigestInfo(SHA-1) || token. */
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, &len, token, n) <= 0 || len != MODULUS_BYTES)
		rc = cu_error_openssl(err, "signing the AUTH token");
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

enum cu_status cu_adb_key_pubkey_blob(const struct cu_adb_key *k, unsigned char blob[524],
				      struct cu_error *err)
{
	BIGNUM *n = NULL, *e = NULL, *r32 = NULL, *n0inv = NULL, *rr = NULL;
	BN_CTX *ctx = BN_CTX_new();
	enum cu_status rc = CU_OK;
	unsigned char w[4];

	if (ctx == NULL || !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e)) {
		rc = cu_error_openssl(err, "reading the adb public key");
		goto out;
	}
	r32 = BN_new();
	n0inv = BN_new();
	rr = BN_new();
	if (r32 == NULL || n0inv == NULL || rr == NULL || !BN_set_bit(r32, 32) ||
	    /* n0inv = -1 / n[0] mod 2^32 */
	    !BN_mod(n0inv, n, r32, ctx) || !BN_mod_inverse(n0inv, n0inv, r32, ctx) ||
	    !BN_sub(n0inv, r32, n0inv) ||
	    /* rr = (2^2048)^2 mod n */
	    !BN_set_word(rr, 0) || !BN_set_bit(rr, MODULUS_BYTES * 8 * 2) ||
	    !BN_mod(rr, rr, n, ctx) || BN_num_bytes(e) > 4) {
		rc = cu_error_openssl(err, "computing the adb public key");
		goto out;
	}
	put_u32le(blob, MODULUS_WORDS);
	if (BN_bn2lebinpad(n0inv, w, 4) != 4 ||
	    BN_bn2lebinpad(n, blob + 8, MODULUS_BYTES) != MODULUS_BYTES ||
	    BN_bn2lebinpad(rr, blob + 8 + MODULUS_BYTES, MODULUS_BYTES) != MODULUS_BYTES) {
		rc = cu_error_openssl(err, "encoding the adb public key");
		goto out;
	}
	memcpy(blob + 4, w, 4);
	put_u32le(blob + 8 + 2 * MODULUS_BYTES, (uint32_t)BN_get_word(e));
out:
	BN_free(n);
	BN_free(e);
	BN_free(r32);
	BN_free(n0inv);
	BN_free(rr);
	BN_CTX_free(ctx);
	return rc;
}

enum cu_status cu_adb_key_pubkey_text(const struct cu_adb_key *k, const char *comment,
				      struct cu_buf *out, struct cu_error *err)
{
	unsigned char blob[524];
	enum cu_status rc;

	rc = cu_adb_key_pubkey_blob(k, blob, err);
	if (rc == CU_OK)
		rc = cu_base64_encode(blob, sizeof(blob), out, err);
	if (rc == CU_OK && comment != NULL && comment[0] != '\0')
		rc = cu_buf_printf(out, err, " %s", comment);
	return rc;
}
