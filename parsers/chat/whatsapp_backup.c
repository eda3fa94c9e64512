/*
 * whatsapp_backup.c - WhatsApp for Android backups: msgstore.db.crypt12,
 * .crypt14 and .crypt15 (…/WhatsApp/Databases/ on shared storage),
 * decrypted with the key found in the image or given with --whatsapp-key,
 * registered as a derived file (DERIVE custody entry, sources.derived_from
 * and derivation) and parsed as msgstore.db by the WhatsApp parser.
 *
 * Formats (docs/whatsapp-backups.md):
 *   crypt12: header of 67 bytes: cipher version 00 01, key version (1),
 *            server salt (32), Google id salt (16), IV (16); then the
 *            ciphertext, the 16-byte GCM tag, the MD5 of everything before
 *            it (16) and 4 bytes of the owner's number.
 *   crypt14/15: a varint length, then a protobuf BackupPrefix of that
 *            length: field 2 (crypt14 cipher info, its field 5 the IV) or
 *            field 3 (crypt15, its field 1 the IV); then the ciphertext,
 *            the tag and the MD5 (multi-file backups have no MD5: the tag
 *            ends the file).
 *   Key file /data/data/com.whatsapp/files/key (crypt12/14): a Java-
 *            serialized byte[131]: cipher version (2), key version (1),
 *            server salt (32), Google id salt (16), its SHA-256 (32), zeros
 *            (16), the AES-256 key (32).
 *   encrypted_backup.key (crypt15): a Java-serialized byte[32], the root
 *            key; a file holding the 64 hex digits of the root key works
 *            too. The AES key is HKDF-SHA256 of the root key (32 zero bytes
 *            as salt, info "backup encryption", 32 bytes).
 *   The plaintext (AES-256-GCM, 16-byte IV) is zlib-deflated SQLite.
 * A backup whose key is neither in the image nor given is listed as not
 * examined (encrypted-no-key); a key that does not decrypt it is an error
 * naming the backup and the key, and the run goes on.
 */
#include "parsers/chat/chat.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define APP           "whatsapp"
#define CHUNK         ((size_t)1 << 16)
#define MAX_KEY_FILE  4096
#define MAX_PREFIX    4096
#define INFLATE_BASE  ((uint64_t)64 << 20) /* output cap: this + 100 x input */
#define INFLATE_RATIO 100

enum wa_fmt { WA_CRYPT12 = 12, WA_CRYPT14 = 14, WA_CRYPT15 = 15 };

struct wa_key {
	bool have_aes;  /* aes: the crypt12/14 AES key (key file or hex) */
	bool have_root; /* root: the crypt15 root key (encrypted_backup.key or hex) */
	unsigned char aes[32], root[32];
	char source[512]; /* where it came from, for the derivation */
	char sha256[65];  /* of the key file */
};

static enum wa_fmt fmt_of(const char *device_path)
{
	size_t n = strlen(device_path);

	if (n > 8 && strcmp(device_path + n - 8, ".crypt12") == 0)
		return WA_CRYPT12;
	if (n > 8 && strcmp(device_path + n - 8, ".crypt15") == 0)
		return WA_CRYPT15;
	return WA_CRYPT14;
}

/* ------------------------------------------------------------------ */
/* keys                                                                */
/* ------------------------------------------------------------------ */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte[] of a Java-serialized byte array ("aced0005 75 72 0002 '[B'
 * uid(8) 02 0000 78 70 len(4) data"); false when buf is not one. */
static bool java_bytes(const unsigned char *buf, size_t n, const unsigned char **data, size_t *len)
{
	static const unsigned char head[] = {0xac, 0xed, 0x00, 0x05, 0x75,
					     0x72, 0x00, 0x02, '[',  'B'};
	uint32_t l;

	if (n < 27 || memcmp(buf, head, sizeof(head)) != 0 || buf[21] != 0x78 || buf[22] != 0x70)
		return false;
	l = (uint32_t)buf[23] << 24 | (uint32_t)buf[24] << 16 | (uint32_t)buf[25] << 8 | buf[26];
	if (l > n - 27)
		return false;
	*data = buf + 27;
	*len = l;
	return true;
}

/* Reads a key file: Java byte[131] (crypt12/14 key), byte[32] (crypt15
 * root key) or 64 hex digits (either: used as the crypt15 root key and as
 * the crypt12/14 AES key). */
static enum cu_status key_load(const char *path, const char *shown, struct wa_key *k,
			       struct cu_error *err)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_digests d;
	const unsigned char *data, *p;
	size_t len, n;
	enum cu_status rc;

	memset(k, 0, sizeof(*k));
	rc = cu_file_read_all(path, MAX_KEY_FILE, &b, err);
	if (!rc)
		rc = cu_hash_file(path, CU_HASH_SHA256, &d, err);
	if (rc)
		goto out;
	snprintf(k->sha256, sizeof(k->sha256), "%s", d.sha256);
	snprintf(k->source, sizeof(k->source), "%s", shown);
	p = (const unsigned char *)b.data;
	n = b.len;
	if (java_bytes(p, n, &data, &len) && len == 131) {
		memcpy(k->aes, data + 99, 32);
		k->have_aes = true;
	} else if (java_bytes(p, n, &data, &len) && len == 32) {
		memcpy(k->root, data, 32);
		k->have_root = true;
	} else {
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n != 64) {
			rc = cu_error_set(
			    err, CU_E_FORMAT,
			    "'%s' is not a WhatsApp key: neither the key file "
			    "(Java byte[131]), encrypted_backup.key (Java byte[32]) nor "
			    "64 hex digits",
			    shown);
			goto out;
		}
		for (size_t i = 0; i < 32; i++) {
			int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				rc =
				    cu_error_set(err, CU_E_FORMAT,
						 "'%s': not 64 hex digits (a WhatsApp key)", shown);
				goto out;
			}
			k->root[i] = (unsigned char)(hi << 4 | lo);
		}
		memcpy(k->aes, k->root, 32);
		k->have_aes = k->have_root = true;
	}
out:
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	cu_buf_release(&b);
	return rc;
}

/* crypt15: AES key = HKDF-SHA256(root, salt 32 x 00, "backup encryption"). */
static enum cu_status key15_derive(const unsigned char root[32], unsigned char out[32],
				   struct cu_error *err)
{
	static const unsigned char zero[32] = {0};
	static const char info[] = "backup encryption\x01";
	unsigned char prk[32];
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), zero, sizeof(zero), root, 32, prk, &n) || n != 32 ||
	    !HMAC(EVP_sha256(), prk, sizeof(prk), (const unsigned char *)info, sizeof(info) - 1,
		  out, &n) ||
	    n != 32) {
		OPENSSL_cleanse(prk, sizeof(prk));
		return cu_error_set(err, CU_E_CRYPTO, "HMAC-SHA256 failed (crypt15 key)");
	}
	OPENSSL_cleanse(prk, sizeof(prk));
	return CU_OK;
}

struct key_find {
	const char *want; /* description for messages */
	struct wa_key *k;
	bool found;
	struct cu_error err;
};

static enum cu_status key_found(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
				struct cu_error *err)
{
	struct key_find *kf = arg;
	char shown[512];

	(void)ctx, (void)err;
	if (kf->found || !a->work_path)
		return CU_OK;
	snprintf(shown, sizeof(shown), "%s (in the image)", a->device_path);
	if (key_load(a->work_path, shown, kf->k, &kf->err) == CU_OK)
		kf->found = true;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* the backup                                                          */
/* ------------------------------------------------------------------ */

/* A protobuf varint at *p (< end); false when truncated or too long. */
static bool varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char c = *(*p)++;

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

/* Field `field` (length-delimited) of the message [p, end). */
static bool pb_bytes(const unsigned char *p, const unsigned char *end, uint64_t field,
		     const unsigned char **out, size_t *len)
{
	while (p < end) {
		uint64_t key, v;

		if (!varint(&p, end, &key))
			return false;
		switch (key & 7) {
		case 0:
			if (!varint(&p, end, &v))
				return false;
			break;
		case 1:
			if (end - p < 8)
				return false;
			p += 8;
			break;
		case 5:
			if (end - p < 4)
				return false;
			p += 4;
			break;
		case 2:
			if (!varint(&p, end, &v) || v > (uint64_t)(end - p))
				return false;
			if ((key >> 3) == field) {
				*out = p;
				*len = (size_t)v;
				return true;
			}
			p += v;
			break;
		default: return false;
		}
	}
	return false;
}

/* The IV and where the ciphertext starts, from the first bytes of the
 * file; *fmt is set from the header (14 or 15) for protobuf headers. */
static bool header14(const unsigned char *h, size_t n, unsigned char iv[16], size_t *data_off,
		     enum wa_fmt *fmt)
{
	for (int flag = 0; flag < 2; flag++) {
		const unsigned char *p = h, *end = h + n, *m, *ivp;
		size_t mlen, ivlen;
		uint64_t size;

		if (flag) { /* old layout: a one-byte size, then a 0x01 flag */
			if (n < 2 || h[1] != 0x01)
				return false;
			size = h[0];
			p = h + 2;
		} else if (!varint(&p, end, &size)) {
			continue;
		}
		if (size == 0 || size > (uint64_t)(end - p))
			continue;
		end = p + size;
		if (pb_bytes(p, end, 3, &m, &mlen) && pb_bytes(m, m + mlen, 1, &ivp, &ivlen) &&
		    ivlen == 16)
			*fmt = WA_CRYPT15;
		else if (pb_bytes(p, end, 2, &m, &mlen) && pb_bytes(m, m + mlen, 5, &ivp, &ivlen) &&
			 ivlen == 16)
			*fmt = WA_CRYPT14;
		else
			continue;
		memcpy(iv, ivp, 16);
		*data_off = (size_t)(end - h);
		return true;
	}
	return false;
}

struct wa_file {
	int fd;
	uint64_t size;
	const char *what;
};

static enum cu_status pread_full(struct wa_file *f, void *buf, size_t n, uint64_t off,
				 struct cu_error *err)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = pread(f->fd, p, n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return cu_error_errno(err, CU_E_IO, errno, "reading '%s'", f->what);
		if (got == 0)
			return cu_error_set(err, CU_E_FORMAT, "'%s': truncated", f->what);
		p += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return CU_OK;
}

/* Is the MD5 of [0, end) the 16 bytes at end? */
static enum cu_status md5_matches(struct wa_file *f, uint64_t end, bool *yes, unsigned char *buf,
				  struct cu_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char want[16], got[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	enum cu_status rc = CU_OK;

	*yes = false;
	if (!md || !EVP_DigestInit_ex(md, EVP_md5(), NULL)) {
		rc = cu_error_set(err, CU_E_CRYPTO, "MD5 unavailable");
		goto out;
	}
	for (uint64_t off = 0; off < end;) {
		size_t k = end - off < CHUNK ? (size_t)(end - off) : CHUNK;

		rc = pread_full(f, buf, k, off, err);
		if (rc)
			goto out;
		EVP_DigestUpdate(md, buf, k);
		off += k;
	}
	rc = pread_full(f, want, sizeof(want), end, err);
	if (!rc && EVP_DigestFinal_ex(md, got, &n) && n == 16)
		*yes = memcmp(got, want, 16) == 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

struct decrypt_out {
	bool md5_ok; /* the file's MD5 trailer matched (else: multi-file, no MD5) */
	uint64_t plain_size;
};

/*
 * Decrypts [off, ct_end) of f with key/iv, checks the tag at ct_end and
 * inflates the plaintext into out_path (at most cap bytes). CU_E_KEY when
 * the key does not fit (tag mismatch or no zlib stream).
 */
static enum cu_status decrypt_inflate(struct wa_file *f, const unsigned char key[32],
				      const unsigned char iv[16], uint64_t off, uint64_t ct_end,
				      const char *out_path, uint64_t cap, const char *key_shown,
				      uint64_t *plain_size, struct cu_error *err)
{
	EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
	unsigned char *in = NULL, *mid = NULL, *zout = NULL, tag[16];
	z_stream z;
	bool z_init = false, z_end = false;
	enum cu_status rc = CU_OK;
	int outfd = -1, len = 0;
	uint64_t written = 0;

	memset(&z, 0, sizeof(z));
	in = cu_malloc(CHUNK);
	mid = cu_malloc(CHUNK + 32);
	zout = cu_malloc(CHUNK);
	if (!cx || !in || !mid || !zout) {
		rc = cu_error_set(err, CU_E_NOMEM, "decrypting '%s': out of memory", f->what);
		goto out;
	}
	if (!EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, 16, NULL) ||
	    !EVP_DecryptInit_ex(cx, NULL, NULL, key, iv)) {
		rc = cu_error_set(err, CU_E_CRYPTO, "AES-256-GCM unavailable");
		goto out;
	}
	if (inflateInit(&z) != Z_OK) {
		rc = cu_error_set(err, CU_E_NOMEM, "zlib: inflateInit failed");
		goto out;
	}
	z_init = true;
	outfd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (outfd < 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", out_path);
		goto out;
	}
	while (off < ct_end) {
		size_t k = ct_end - off < CHUNK ? (size_t)(ct_end - off) : CHUNK;

		rc = pread_full(f, in, k, off, err);
		if (rc)
			goto out;
		off += k;
		if (!EVP_DecryptUpdate(cx, mid, &len, in, (int)k)) {
			rc = cu_error_set(err, CU_E_CRYPTO, "AES-256-GCM failed on '%s'", f->what);
			goto out;
		}
		z.next_in = mid;
		z.avail_in = (uInt)len;
		z.avail_out = 1; /* enter the loop below */
		/* until the input is used up and zlib holds no more output */
		while ((z.avail_in > 0 || z.avail_out == 0) && !z_end) {
			int zr;

			z.next_out = zout;
			z.avail_out = (uInt)CHUNK;
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				rc = cu_error_set(err, CU_E_KEY,
						  "the key %s does not decrypt '%s': the plaintext "
						  "is not zlib data (zlib: %s); wrong key, or a "
						  "damaged backup",
						  key_shown, f->what, z.msg ? z.msg : "error");
				goto out;
			}
			written += CHUNK - z.avail_out;
			if (written > cap) {
				rc = cu_error_set(err, CU_E_LIMIT,
						  "'%s' inflates to more than %llu bytes; not "
						  "decrypted",
						  f->what, (unsigned long long)cap);
				goto out;
			}
			rc = cu_write_all(outfd, zout, CHUNK - z.avail_out, out_path, err);
			if (rc)
				goto out;
			if (zr == Z_STREAM_END)
				z_end = true;
			if (zr == Z_BUF_ERROR)
				break;
		}
	}
	rc = pread_full(f, tag, sizeof(tag), ct_end, err);
	if (rc)
		goto out;
	if (!EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, 16, tag) ||
	    EVP_DecryptFinal_ex(cx, mid, &len) <= 0) {
		rc = cu_error_set(err, CU_E_KEY,
				  "the key %s does not decrypt '%s': the AES-GCM authentication "
				  "tag does not match; wrong key, or a damaged backup",
				  key_shown, f->what);
		goto out;
	}
	if (!z_end) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': the decrypted zlib stream is truncated; damaged backup",
				  f->what);
		goto out;
	}
	*plain_size = written;
out:
	if (z_init)
		inflateEnd(&z);
	if (outfd >= 0 && close(outfd) != 0 && rc == CU_OK)
		rc = cu_error_errno(err, CU_E_IO, errno, "closing '%s'", out_path);
	if (rc)
		(void)unlink(out_path);
	EVP_CIPHER_CTX_free(cx);
	if (mid)
		OPENSSL_cleanse(mid, CHUNK + 32);
	free(in);
	free(mid);
	free(zout);
	return rc;
}

static enum cu_status starts_sqlite(const char *path, bool *yes, struct cu_error *err)
{
	return cu_parse_is_sqlite(path, yes, err);
}

/* The key for this backup: --whatsapp-key, else the image's key file. */
static enum cu_status find_key(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       enum wa_fmt fmt, struct wa_key *k, bool *found, struct cu_error *err)
{
	const char *given = cu_parse_whatsapp_key(ctx);
	static const char *const pat12[] = {"*/com.whatsapp/files/key",
					    "*/com.whatsapp.w4b/files/key", NULL};
	static const char *const pat15[] = {"*/com.whatsapp/files/encrypted_backup.key",
					    "*/com.whatsapp.w4b/files/encrypted_backup.key", NULL};
	struct key_find kf;

	*found = false;
	if (given) {
		char shown[600];

		snprintf(shown, sizeof(shown), "'%s' (--whatsapp-key)", given);
		if (key_load(given, shown, k, err) != CU_OK)
			return cu_error_prefix(err, "--whatsapp-key");
		*found = true;
		return CU_OK;
	}
	memset(&kf, 0, sizeof(kf));
	kf.k = k;
	cu_error_clear(&kf.err);
	for (const char *const *p = fmt == WA_CRYPT15 ? pat15 : pat12; *p && !kf.found; p++)
		cu_parse_find_optional(ctx, a, *p, key_found, &kf);
	if (!kf.found && kf.err.msg[0])
		cu_parse_warn(ctx, a, "a key file was found but not read: %s", kf.err.msg);
	*found = kf.found;
	return CU_OK;
}

static enum cu_status backup_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	enum wa_fmt fmt = fmt_of(a->device_path), hfmt = fmt;
	struct wa_key k;
	struct wa_file f = {-1, 0, a->device_path};
	struct cu_buf tmp = CU_BUF_INIT, rel = CU_BUF_INIT, deriv = CU_BUF_INIT;
	unsigned char head[MAX_PREFIX], iv[16], aes[32], *buf = NULL;
	size_t data_off = 0, trailer, hn;
	uint64_t ct_end, plain = 0;
	const struct cu_artifact *out = NULL;
	bool found = false, md5_ok = false, sqlite = false;
	struct stat sb;
	enum cu_status rc;
	char detail[600];

	memset(&k, 0, sizeof(k));
	if (!a->work_path)
		return cu_error_set(err, CU_E_INTERNAL, "'%s' was not staged", a->device_path);
	/* parsed before: the inventory's latest record of this path is the
	 * decrypted copy (derived), which is msgstore.db itself */
	rc = cu_parse_is_sqlite(a->work_path, &sqlite, err);
	if (rc)
		return rc;
	if (sqlite)
		return cu_parser_whatsapp_android.parse(ctx, a, err);
	f.fd = open(a->work_path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "opening '%s'", a->work_path);
	if (fstat(f.fd, &sb) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "stat '%s'", a->work_path);
		goto out;
	}
	f.size = (uint64_t)sb.st_size;
	hn = f.size < sizeof(head) ? (size_t)f.size : sizeof(head);
	rc = pread_full(&f, head, hn, 0, err);
	if (rc)
		goto out;
	/* the header: crypt12 raw, crypt14/15 protobuf */
	if (fmt == WA_CRYPT12) {
		if (hn < 67 || head[0] != 0x00 || head[1] != 0x01) {
			rc = cu_error_set(err, CU_E_FORMAT,
					  "'%s': not a crypt12 backup (no 00 01 cipher header)",
					  a->device_path);
			goto out;
		}
		memcpy(iv, head + 51, 16);
		data_off = 67;
	} else if (!header14(head, hn, iv, &data_off, &hfmt)) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': no crypt14/crypt15 backup header (protobuf prefix with an "
				  "IV); unsupported or damaged backup",
				  a->device_path);
		goto out;
	}
	fmt = hfmt;
	rc = find_key(ctx, a, fmt, &k, &found, err);
	if (rc)
		goto out;
	if (!found) {
		snprintf(detail, sizeof(detail),
			 "A WhatsApp crypt%d backup whose key (%s) is not in the image and was not "
			 "given with --whatsapp-key; it was not decrypted.",
			 (int)fmt,
			 fmt == WA_CRYPT15 ? "files/encrypted_backup.key or the 64-digit key"
					   : "/data/data/com.whatsapp/files/key");
		cu_parse_not_examined(ctx, a, "WhatsApp", "encrypted-no-key", detail);
		goto out;
	}
	if (fmt == WA_CRYPT15) {
		if (!k.have_root) {
			rc = cu_error_set(err, CU_E_KEY,
					  "the key %s is a crypt12/14 key file; '%s' is a crypt15 "
					  "backup: give encrypted_backup.key or the 64-hex key",
					  k.source, a->device_path);
			goto out;
		}
		rc = key15_derive(k.root, aes, err);
		if (rc)
			goto out;
	} else {
		if (!k.have_aes) {
			rc = cu_error_set(err, CU_E_KEY,
					  "the key %s is a crypt15 key; '%s' is a crypt%d backup: "
					  "give the key file /data/data/com.whatsapp/files/key",
					  k.source, a->device_path, (int)fmt);
			goto out;
		}
		memcpy(aes, k.aes, 32);
	}
	/* the trailer: [tag 16][md5 16]([jid 4] for crypt12); no md5 in
	 * multi-file backups */
	trailer = fmt == WA_CRYPT12 ? 4 : 0;
	if (f.size < data_off + 16 + trailer) {
		rc = cu_error_set(err, CU_E_FORMAT, "'%s': truncated backup", a->device_path);
		goto out;
	}
	buf = cu_malloc(CHUNK);
	if (!buf) {
		rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (f.size >= data_off + 32 + trailer) {
		rc = md5_matches(&f, f.size - 16 - trailer, &md5_ok, buf, err);
		if (rc)
			goto out;
	}
	ct_end = f.size - trailer - (md5_ok ? 32 : 16);
	rc = cu_parse_tmp_path(ctx, "msgstore.db.plain", &tmp, err);
	if (rc)
		goto out;
	rc = decrypt_inflate(&f, aes, iv, data_off, ct_end, tmp.data,
			     INFLATE_BASE + INFLATE_RATIO * f.size, k.source, &plain, err);
	if (rc)
		goto out;
	rc = starts_sqlite(tmp.data, &sqlite, err);
	if (rc)
		goto out;
	if (!sqlite) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s' decrypts and inflates, but not to an SQLite database; not "
				  "parsed",
				  a->device_path);
		goto out;
	}
	rc = cu_path_from_device(a->device_path, strlen(a->device_path), &rel, err);
	if (!rc)
		rc = cu_buf_puts(&rel, ".decrypted.db", err);
	if (!rc)
		rc = cu_buf_printf(
		    &deriv, err,
		    "whatsapp-crypt%d key=%s key_sha256=%s%s cipher=aes-256-gcm "
		    "iv=header tag=verified md5=%s zlib=inflated(%llu bytes) "
		    "result=sqlite",
		    (int)fmt, k.source, k.sha256,
		    fmt == WA_CRYPT15 ? " kdf=hkdf-sha256(\"backup encryption\")" : "",
		    md5_ok ? "verified" : "absent(multi-file backup)", (unsigned long long)plain);
	if (!rc)
		rc = cu_parse_derive(ctx, a, tmp.data, rel.data, deriv.data, &out, err);
	if (rc)
		goto out;
	cu_info("whatsapp: decrypted '%s' (%s)", a->device_path, deriv.data);
	rc = cu_parser_whatsapp_android.parse(ctx, out, err);
out:
	if (tmp.data && cu_file_exists(tmp.data))
		(void)unlink(tmp.data);
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(aes, sizeof(aes));
	if (f.fd >= 0)
		close(f.fd);
	free(buf);
	cu_buf_release(&tmp);
	cu_buf_release(&rel);
	cu_buf_release(&deriv);
	return rc;
}

static const char *const backup_patterns[] = {
    "*[Ww]hats[Aa]pp*/msgstore*.db.crypt12",
    "*[Ww]hats[Aa]pp*/msgstore*.db.crypt14",
    "*[Ww]hats[Aa]pp*/msgstore*.db.crypt15",
    NULL,
};

const struct cu_parser cu_parser_whatsapp_android_backup = {
    .name = "whatsapp-android-backup",
    .app = APP,
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = backup_patterns,
    .probe = NULL,
    .parse = backup_parse,
};
