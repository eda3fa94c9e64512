/*
 * signer.c - Ed25519 examiner keys (CUSTODY.md "Signatures and time").
 *
 * Keys are plain OpenSSL Ed25519 keys in PEM (PKCS#8 private, SPKI public).
 * Signatures are raw Ed25519 (EVP_DigestSign with no message digest: the
 * algorithm hashes internally). The key id is "sha256:" + lowercase hex
 * SHA-256 of the raw 32-byte public key, so anyone can recompute it with
 *   openssl pkey -pubin -in K.pub.pem -outform DER | tail -c 32 | sha256sum
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define KEY_ID_LEN (7 + 64)
#define SIG_LEN    64

struct cu_signer {
	EVP_PKEY *pkey;
	bool has_private;
	char key_id[KEY_ID_LEN + 1];
};

static enum cu_status compute_key_id(struct cu_signer *s, struct cu_error *err)
{
	unsigned char raw[32];
	size_t len = sizeof(raw);
	char hex[65];

	if (EVP_PKEY_get_raw_public_key(s->pkey, raw, &len) != 1 || len != 32)
		return cu_error_openssl(err, "cannot read the raw Ed25519 public key");
	cu_sha256_hex(raw, 32, hex);
	snprintf(s->key_id, sizeof(s->key_id), "sha256:%s", hex);
	return CU_OK;
}

static enum cu_status signer_wrap(EVP_PKEY *pkey, bool has_private, const char *what,
				  struct cu_signer **out, struct cu_error *err)
{
	struct cu_signer *s = NULL;
	enum cu_status st;

	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return cu_error_set(err, CU_E_KEY,
				    "'%s' is not an Ed25519 key: create one with 'custos keygen'",
				    what);
	}
	s = cu_calloc(1, sizeof(*s));
	if (s == NULL) {
		EVP_PKEY_free(pkey);
		return cu_error_set(err, CU_E_NOMEM, "out of memory loading key '%s'", what);
	}
	s->pkey = pkey;
	s->has_private = has_private;
	if ((st = compute_key_id(s, err)) != CU_OK) {
		cu_signer_free(s);
		return cu_error_prefix(err, "key '%s'", what);
	}
	*out = s;
	return CU_OK;
}

static enum cu_status read_pem(const char *path, struct cu_buf *pem, struct cu_error *err)
{
	if (path == NULL)
		return cu_error_set(err, CU_E_USAGE, "no key file given");
	if (cu_file_read_all(path, 64 * 1024, pem, err) != CU_OK)
		return cu_error_prefix(err, "key file '%s'", path);
	return CU_OK;
}

/* One PEM key from memory: the private-key reader for a private key, the
 * SPKI reader for a public one. *out is NULL when the text holds none. */
static enum cu_status pem_parse(const struct cu_buf *pem, bool private_key, const char *path,
				EVP_PKEY **out, struct cu_error *err)
{
	BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);

	if (bio == NULL)
		return cu_error_openssl(err, "out of memory reading key '%s'", path);
	/* No passphrase callback: examiner keys are unencrypted PEM protected
	 * by file mode 0600; an encrypted key fails here with a clear message
	 * instead of prompting inside library code. */
	*out = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"")
			   : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return CU_OK;
}

static enum cu_status load_key(const char *pem_path, bool private_key, struct cu_signer **out,
			       struct cu_error *err)
{
	struct cu_buf pem = CU_BUF_INIT;
	EVP_PKEY *pkey = NULL;
	enum cu_status st;

	/* A private key's PEM text is a secret: locked, never reallocated,
	 * wiped on release. */
	if (private_key && (st = cu_secret_buf_reserve(&pem, 64 * 1024, err)) != CU_OK)
		goto out;
	if ((st = read_pem(pem_path, &pem, err)) != CU_OK)
		goto out;
	st = pem_parse(&pem, private_key, pem_path, &pkey, err);
	/* A private key file also gives the public key. */
	if (st == CU_OK && pkey == NULL && !private_key)
		st = pem_parse(&pem, true, pem_path, &pkey, err);
	if (st != CU_OK)
		goto out;
	if (pkey == NULL) {
		cu_error_openssl(err, "'%s' holds no %s", pem_path,
				 private_key
				     ? "usable private key (PEM, unencrypted Ed25519 expected)"
				     : "Ed25519 public or private key in PEM");
		if (err != NULL)
			err->code = CU_E_KEY;
		st = CU_E_KEY;
		goto out;
	}
	st = signer_wrap(pkey, private_key, pem_path, out, err);
out:
	cu_secret_buf_wipe(&pem);
	return st;
}

enum cu_status cu_signer_load(const char *pem_path, struct cu_signer **out, struct cu_error *err)
{
	return load_key(pem_path, true, out, err);
}

enum cu_status cu_signer_load_public(const char *pem_path, struct cu_signer **out,
				     struct cu_error *err)
{
	return load_key(pem_path, false, out, err);
}

enum cu_status cu_signer_generate(struct cu_signer **out, struct cu_error *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pkey = NULL;
	enum cu_status st;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1) {
		st = cu_error_openssl(err, "cannot generate an Ed25519 key");
		EVP_PKEY_CTX_free(ctx);
		return st;
	}
	EVP_PKEY_CTX_free(ctx);
	return signer_wrap(pkey, true, "new key", out, err);
}

enum cu_status cu_signer_from_raw_public(const unsigned char raw[32], struct cu_signer **out,
					 struct cu_error *err)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);

	if (pkey == NULL)
		return cu_error_openssl(err, "not a usable Ed25519 public key");
	return signer_wrap(pkey, false, "recorded public key", out, err);
}

enum cu_status cu_signer_raw_public(const struct cu_signer *s, unsigned char raw[32],
				    struct cu_error *err)
{
	size_t len = 32;

	if (EVP_PKEY_get_raw_public_key(s->pkey, raw, &len) != 1 || len != 32)
		return cu_error_openssl(err, "cannot read the raw Ed25519 public key of %s",
					s->key_id);
	return CU_OK;
}

void cu_signer_free(struct cu_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}

const char *cu_signer_key_id(const struct cu_signer *s)
{
	return s->key_id;
}

bool cu_signer_has_private(const struct cu_signer *s)
{
	return s->has_private;
}

enum cu_status cu_signer_sign(const struct cu_signer *s, const void *data, size_t n,
			      unsigned char sig[64], struct cu_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	size_t len = SIG_LEN;
	enum cu_status st = CU_OK;

	if (!s->has_private)
		return cu_error_set(err, CU_E_KEY, "key %s is a public key: cannot sign",
				    s->key_id);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &len, data, n) != 1 || len != SIG_LEN)
		st = cu_error_openssl(err, "ed25519 signing with key %s failed", s->key_id);
	EVP_MD_CTX_free(ctx);
	return st;
}

enum cu_status cu_signer_verify(const struct cu_signer *s, const void *data, size_t n,
				const unsigned char *sig, size_t sig_len, struct cu_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	enum cu_status st = CU_OK;
	int r;

	if (sig_len != SIG_LEN)
		return cu_error_set(err, CU_E_INTEGRITY,
				    "signature is %zu bytes, an Ed25519 signature is %d", sig_len,
				    SIG_LEN);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory checking a signature");
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, s->pkey) != 1) {
		st = cu_error_openssl(err, "cannot start checking a signature with key %s",
				      s->key_id);
		goto out;
	}
	/* 1 valid, 0 invalid; anything else means the check did not run. */
	r = EVP_DigestVerify(ctx, sig, sig_len, data, n);
	if (r == 0)
		st = cu_error_set(err, CU_E_INTEGRITY, "signature does not verify with key %s",
				  s->key_id);
	else if (r != 1)
		st = cu_error_openssl(err, "checking a signature with key %s failed", s->key_id);
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

/* Writes PEM text to a new file created O_EXCL with `mode`: a private key
 * file is never world-readable, not even between creation and chmod. */
static enum cu_status write_new_file(const char *path, const char *data, size_t n, mode_t mode,
				     struct cu_error *err)
{
	enum cu_status st;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return cu_error_errno(err, errno == EEXIST ? CU_E_EXISTS : CU_E_IO, errno,
				      "cannot create '%s'", path);
	/* The umask may have removed bits but never adds them; force the exact
	 * mode so a public key stays readable and a private one stays 0600. */
	if (fchmod(fd, mode) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot set mode of '%s'", path);
		goto fail;
	}
	if ((st = cu_write_all(fd, data, n, path, err)) != CU_OK)
		goto fail;
	if (fsync(fd) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", path);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", path);
		goto fail;
	}
	return CU_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(path);
	return st;
}

static enum cu_status bio_text(BIO *bio, struct cu_buf *out, struct cu_error *err)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n <= 0 || p == NULL)
		return cu_error_openssl(err, "cannot encode key as PEM");
	return cu_buf_append(out, p, (size_t)n, err);
}

enum cu_status cu_signer_write_pem(const struct cu_signer *s, const char *private_path,
				   const char *public_path, struct cu_error *err)
{
	BIO *bio = NULL;
	struct cu_buf text = CU_BUF_INIT;
	enum cu_status st = CU_OK;

	if (private_path != NULL) {
		if (!s->has_private)
			return cu_error_set(err, CU_E_KEY, "no private key to write to '%s'",
					    private_path);
		/* The PEM text of the private key: locked, never moved, wiped. */
		if ((st = cu_secret_buf_reserve(&text, 64 * 1024, err)) != CU_OK)
			goto out;
		bio = BIO_new(BIO_s_secmem());
		if (bio == NULL)
			bio = BIO_new(BIO_s_mem());
		if (bio == NULL ||
		    PEM_write_bio_PrivateKey(bio, s->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
			st = cu_error_openssl(err, "cannot encode the private key");
			goto out;
		}
		if ((st = bio_text(bio, &text, err)) != CU_OK)
			goto out;
		if ((st = write_new_file(private_path, text.data, text.len, 0600, err)) != CU_OK)
			goto out;
		BIO_free(bio);
		bio = NULL;
		OPENSSL_cleanse(text.data, text.cap);
		cu_buf_reset(&text);
	}
	if (public_path != NULL) {
		bio = BIO_new(BIO_s_mem());
		if (bio == NULL || PEM_write_bio_PUBKEY(bio, s->pkey) != 1) {
			st = cu_error_openssl(err, "cannot encode the public key");
			goto out;
		}
		if ((st = bio_text(bio, &text, err)) != CU_OK)
			goto out;
		if ((st = write_new_file(public_path, text.data, text.len, 0644, err)) != CU_OK)
			goto out;
	}
out:
	BIO_free(bio);
	cu_secret_buf_wipe(&text);
	return st;
}
