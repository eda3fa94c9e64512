/*
 * android_ab.c - `adb backup` files (.ab).
 *
 * Format (AOSP BackupManagerService / PasswordUtils; PROTOCOLS.md section 4):
 * text lines "ANDROID BACKUP", version (1..5), compressed flag (0/1),
 * encryption ("none" or "AES-256"); for AES-256 five more lines: user
 * password salt (hex), master key checksum salt (hex), PBKDF2 rounds
 * (10000), user key IV (hex), master key blob (hex). The user key is
 * PBKDF2-HMAC-SHA1(password, user salt, rounds, 256 bits); it decrypts
 * (AES-256-CBC, PKCS#7) the blob = [len][IV][len][master key][len][checksum].
 * The checksum is PBKDF2-HMAC-SHA1 over the master key with the checksum
 * salt; from version 2 on the key bytes are first widened to Java chars
 * (signed bytes sign-extend: 0x80 -> U+FF80) and then UTF-8 encoded
 * ("PBKDF2WithHmacSHA1"), version 1 used the raw bytes ("...And8bit").
 * The payload is AES-256-CBC(master key, IV) of a zlib (Java Deflater)
 * stream of a tar whose members are "apps/<package>/<token>/<path>" and
 * "shared/<user>/<path>" (tokens from android.app.backup.FullBackup).
 *
 * Everything is one pass: file bytes -> image digest -> AES -> zlib ->
 * libarchive -> member digests -> evidence files.
 */
#include "extract/formats/formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <zlib.h>

#define AB_HEADER_READ 4096
#define AB_LINE_MAX    1024

static bool next_line(const unsigned char *p, size_t n, size_t *off, const char **line, size_t *len)
{
	const unsigned char *nl;
	if (*off >= n)
		return false;
	size_t room = n - *off < AB_LINE_MAX ? n - *off : AB_LINE_MAX;
	nl = memchr(p + *off, '\n', room);
	if (nl == NULL)
		return false;
	*line = (const char *)p + *off;
	*len = (size_t)(nl - (p + *off));
	*off += *len + 1;
	return true;
}

static bool line_is(const char *l, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(l, want, n) == 0;
}

static bool hex_field(const char *l, size_t n, unsigned char *out, size_t max, size_t *got)
{
	char tmp[2 * 256 + 1];
	if (n == 0 || n % 2 != 0 || n / 2 > max || n >= sizeof(tmp))
		return false;
	/* Java's byteArrayToHex writes uppercase; accept both. */
	for (size_t i = 0; i < n; i++) {
		char c = l[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		tmp[i] = c;
	}
	tmp[n] = '\0';
	if (!cu_unhex(tmp, out, n / 2))
		return false;
	*got = n / 2;
	return true;
}

static bool dec_field(const char *l, size_t n, uint64_t *out)
{
	char tmp[24];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, l, n);
	tmp[n] = '\0';
	return cu_parse_u64(tmp, out);
}

enum cu_status cu_ab_header_parse(const unsigned char *p, size_t n, struct cu_ab_header *h,
				  struct cu_error *err)
{
	struct cu_ab_header r;
	const char *l;
	size_t len, off = 0, got;
	uint64_t v;

	memset(&r, 0, sizeof(r));
	if (!next_line(p, n, &off, &l, &len) || !line_is(l, len, "ANDROID BACKUP"))
		return cu_error_set(err, CU_E_FORMAT,
				    "not an adb backup (no 'ANDROID BACKUP' line)");
	if (!next_line(p, n, &off, &l, &len) || !dec_field(l, len, &v))
		return cu_error_set(err, CU_E_FORMAT, "adb backup: bad version line");
	if (v < 1 || v > 5)
		return cu_error_set(err, CU_E_UNSUPPORTED,
				    "adb backup version %llu is not supported (1 to 5 are)",
				    (unsigned long long)v);
	r.version = (int)v;
	if (!next_line(p, n, &off, &l, &len) || !(line_is(l, len, "0") || line_is(l, len, "1")))
		return cu_error_set(err, CU_E_FORMAT, "adb backup: bad compression line");
	r.compressed = l[0] == '1';
	if (!next_line(p, n, &off, &l, &len))
		return cu_error_set(err, CU_E_FORMAT, "adb backup: no encryption line");
	if (line_is(l, len, "none")) {
		r.enc = CU_AB_NONE;
	} else if (line_is(l, len, "AES-256")) {
		r.enc = CU_AB_AES256;
		if (!next_line(p, n, &off, &l, &len) ||
		    !hex_field(l, len, r.user_salt, sizeof(r.user_salt), &r.user_salt_len))
			return cu_error_set(err, CU_E_FORMAT, "adb backup: bad user salt line");
		if (!next_line(p, n, &off, &l, &len) ||
		    !hex_field(l, len, r.ck_salt, sizeof(r.ck_salt), &r.ck_salt_len))
			return cu_error_set(err, CU_E_FORMAT, "adb backup: bad checksum salt line");
		if (!next_line(p, n, &off, &l, &len) || !dec_field(l, len, &v) || v == 0 ||
		    v > 100000000)
			return cu_error_set(err, CU_E_FORMAT, "adb backup: bad PBKDF2 rounds line");
		r.rounds = (uint32_t)v;
		if (!next_line(p, n, &off, &l, &len) ||
		    !hex_field(l, len, r.user_iv, sizeof(r.user_iv), &got) || got != 16)
			return cu_error_set(err, CU_E_FORMAT, "adb backup: bad user IV line");
		if (!next_line(p, n, &off, &l, &len) ||
		    !hex_field(l, len, r.mk_blob, sizeof(r.mk_blob), &r.mk_blob_len) ||
		    r.mk_blob_len % 16 != 0)
			return cu_error_set(err, CU_E_FORMAT, "adb backup: bad master key line");
	} else {
		return cu_error_set(err, CU_E_UNSUPPORTED,
				    "adb backup encryption '%.*s' is not supported (none, AES-256)",
				    (int)(len < 40 ? len : 40), l);
	}
	r.header_len = off;
	*h = r;
	return CU_OK;
}

size_t cu_ab_java_chars_utf8(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned b = in[i];
		if (b < 0x80) {
			out[o++] = (unsigned char)b;
		} else {
			/* (char)(byte)b = U+FF00|b, a 3-byte UTF-8 sequence. */
			unsigned cp = 0xff00u | b;
			out[o++] = (unsigned char)(0xe0 | (cp >> 12));
			out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
		}
	}
	return o;
}

enum cu_status cu_ab_unlock(const struct cu_ab_header *h, const char *password, size_t pwlen,
			    unsigned char mk[32], unsigned char iv[16], struct cu_error *err)
{
	unsigned char ukey[32], blob[256], ck[32], wide[32 * 3];
	EVP_CIPHER_CTX *ctx = NULL;
	enum cu_status st = CU_OK;
	int l1 = 0, l2 = 0;
	size_t wl;

	if (h->enc != CU_AB_AES256)
		return cu_error_set(err, CU_E_INTERNAL, "adb backup is not encrypted");
	if (pwlen > INT32_MAX)
		return cu_error_set(err, CU_E_KEY, "password too long");
	(void)cu_secret_lock(ukey, sizeof(ukey));
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen, h->user_salt, (int)h->user_salt_len,
			      (int)h->rounds, EVP_sha1(), 32, ukey) != 1)
		return cu_error_openssl(err, "PBKDF2 of the adb backup password failed");
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, ukey, h->user_iv) != 1 ||
	    EVP_DecryptUpdate(ctx, blob, &l1, h->mk_blob, (int)h->mk_blob_len) != 1 ||
	    EVP_DecryptFinal_ex(ctx, blob + l1, &l2) != 1) {
		ERR_clear_error();
		st = cu_error_set(err, CU_E_KEY,
				  "wrong password (the master key blob does not "
				  "decrypt)");
		goto out;
	}
	size_t n = (size_t)(l1 + l2), p = 0;
	/* [16][IV][32][MK][32][checksum] */
	if (n < 1 || blob[0] != 16 || n < 1 + 16 + 1 || blob[17] != 32 || n < 18 + 32 + 1 ||
	    blob[50] != 32 || n < 51 + 32) {
		st = cu_error_set(err, CU_E_KEY,
				  "wrong password (the master key blob is malformed)");
		goto out;
	}
	p = 1;
	memcpy(iv, blob + p, 16);
	p += 17;
	memcpy(mk, blob + p, 32);
	p += 33;
	if (h->version >= 2) {
		wl = cu_ab_java_chars_utf8(mk, 32, wide);
	} else {
		memcpy(wide, mk, 32);
		wl = 32;
	}
	if (PKCS5_PBKDF2_HMAC((const char *)wide, (int)wl, h->ck_salt, (int)h->ck_salt_len,
			      (int)h->rounds, EVP_sha1(), 32, ck) != 1) {
		st = cu_error_openssl(err, "PBKDF2 of the master key checksum failed");
		goto out;
	}
	if (CRYPTO_memcmp(ck, blob + p, 32) != 0) {
		st = cu_error_set(err, CU_E_KEY, "wrong password (master key checksum mismatch)");
		goto out;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	cu_secret_wipe(ukey, sizeof(ukey));
	OPENSSL_cleanse(blob, sizeof(blob));
	OPENSSL_cleanse(wide, sizeof(wide));
	if (st != CU_OK) {
		OPENSSL_cleanse(mk, 32);
		OPENSSL_cleanse(iv, 16);
	}
	return st;
}

/* FullBackup tokens -> where the data lives on the phone (user 0). */
static const struct {
	const char *token;
	const char *prefix; /* printf: %s = package */
} ab_tokens[] = {
    {"a", "/data/app/%s"},
    {"obb", "/sdcard/Android/obb/%s"},
    {"r", "/data/data/%s"},
    {"f", "/data/data/%s/files"},
    {"db", "/data/data/%s/databases"},
    {"sp", "/data/data/%s/shared_prefs"},
    {"c", "/data/data/%s/cache"},
    {"nb", "/data/data/%s/no_backup"},
    {"d_r", "/data/user_de/0/%s"},
    {"d_f", "/data/user_de/0/%s/files"},
    {"d_db", "/data/user_de/0/%s/databases"},
    {"d_sp", "/data/user_de/0/%s/shared_prefs"},
    {"d_c", "/data/user_de/0/%s/cache"},
    {"d_nb", "/data/user_de/0/%s/no_backup"},
    {"ef", "/sdcard/Android/data/%s"},
};

bool cu_ab_map_name(const char *name, struct cu_buf *out)
{
	struct cu_error e;
	cu_buf_reset(out);
	if (cu_str_has_prefix(name, "apps/")) {
		const char *pkg = name + 5, *slash = strchr(pkg, '/');
		if (slash != NULL && slash > pkg) {
			const char *tok = slash + 1, *tslash = strchr(tok, '/');
			size_t tlen = tslash ? (size_t)(tslash - tok) : strlen(tok);
			for (size_t i = 0; tslash && i < sizeof(ab_tokens) / sizeof(ab_tokens[0]);
			     i++) {
				if (strlen(ab_tokens[i].token) != tlen ||
				    memcmp(tok, ab_tokens[i].token, tlen) != 0)
					continue;
				char pk[256];
				size_t pl = (size_t)(slash - pkg);
				if (pl >= sizeof(pk))
					break;
				memcpy(pk, pkg, pl);
				pk[pl] = '\0';
				return cu_buf_printf(out, &e, ab_tokens[i].prefix, pk) == CU_OK &&
				       cu_buf_printf(out, &e, "/%s", tslash + 1) == CU_OK;
			}
		}
	} else if (cu_str_has_prefix(name, "shared/")) {
		return cu_buf_printf(out, &e, "/storage/emulated/%s", name + 7) == CU_OK;
	}
	/* _manifest, key/value data and anything unknown keep the backup's
	 * own layout under /_ab/. */
	return cu_buf_printf(out, &e, "/_ab/%s", name) == CU_OK;
}

struct abstream {
	struct cu_format_run *x;
	const struct cu_format_source *in;
	uint64_t consumed;
	bool file_eof, plain_eof, z_end, z_init;
	bool enc, compressed;
	EVP_CIPHER_CTX *cctx;
	z_stream z;
	unsigned char *raw, *plain;
	size_t plain_len, plain_off;
	unsigned char *prefix; /* payload bytes read with the header */
	size_t prefix_len;
	uint64_t trailing;
	uint64_t payload;    /* tar bytes handed to the archive reader */
	uint64_t zeros_tail; /* zero bytes at the end of those */
};

/* Refills the decrypted buffer; false at the end. */
static bool plain_fill(struct abstream *s, struct cu_error *err, bool *failed)
{
	*failed = false;
	s->plain_off = s->plain_len = 0;
	while (s->plain_len == 0) {
		const unsigned char *in;
		size_t n;
		if (s->plain_eof)
			return false;
		if (s->prefix_len > 0) {
			in = s->prefix;
			n = s->prefix_len;
			s->prefix_len = 0;
		} else if (!s->file_eof) {
			ssize_t r = s->in->in.read(s->in->in.ctx, s->raw, CU_IMPORT_CHUNK);
			if (r < 0) {
				cu_error_errno(err, CU_E_IO, errno, "read error in '%s'",
					       s->in->name);
				*failed = true;
				return false;
			}
			if (r == 0) {
				s->file_eof = true;
				n = 0;
				in = s->raw;
			} else {
				if (cu_hasher_update(s->x->hasher2, s->raw, (size_t)r, err) !=
				    CU_OK) {
					*failed = true;
					return false;
				}
				s->consumed += (uint64_t)r;
				cu_progress_set(&s->x->prog, s->consumed);
				in = s->raw;
				n = (size_t)r;
			}
		} else {
			in = s->raw;
			n = 0;
		}
		if (!s->enc) {
			if (n == 0) {
				s->plain_eof = true;
				return false;
			}
			memcpy(s->plain, in, n);
			s->plain_len = n;
			break;
		}
		int outl = 0;
		if (n > 0) {
			if (EVP_DecryptUpdate(s->cctx, s->plain, &outl, in, (int)n) != 1) {
				cu_error_openssl(err, "AES-256-CBC decryption of '%s'",
						 s->in->name);
				*failed = true;
				return false;
			}
		} else {
			s->plain_eof = true;
			if (EVP_DecryptFinal_ex(s->cctx, s->plain, &outl) != 1) {
				ERR_clear_error();
				cu_error_set(
				    err, CU_E_FORMAT,
				    "'%s' is truncated or damaged: bad padding at the end of "
				    "the encrypted stream",
				    s->in->name);
				*failed = true;
				return false;
			}
		}
		s->plain_len = (size_t)outl;
		if (s->plain_len == 0 && s->plain_eof)
			return false;
	}
	return true;
}

static ssize_t ab_pull(void *ctx, void *buf, size_t n, struct cu_error *err)
{
	struct abstream *s = ctx;
	bool failed;

	if (!s->compressed) {
		if (s->plain_off == s->plain_len && !plain_fill(s, err, &failed))
			return failed ? -1 : 0;
		size_t k = s->plain_len - s->plain_off < n ? s->plain_len - s->plain_off : n;
		memcpy(buf, s->plain + s->plain_off, k);
		s->plain_off += k;
		return (ssize_t)k;
	}
	if (s->z_end)
		return 0;
	s->z.next_out = buf;
	s->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	while (s->z.avail_out > 0) {
		if (s->z.avail_in == 0) {
			if (s->z.avail_out < n)
				break; /* hand over what we have first */
			if (s->plain_off == s->plain_len && !plain_fill(s, err, &failed)) {
				if (!failed)
					cu_error_set(
					    err, CU_E_FORMAT,
					    "'%s' is truncated: the compressed stream ends "
					    "early",
					    s->in->name);
				return -1;
			}
			s->z.next_in = s->plain + s->plain_off;
			s->z.avail_in = (uInt)(s->plain_len - s->plain_off);
			s->plain_off = s->plain_len;
		}
		int zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			s->z_end = true;
			break;
		}
		if (zr == Z_BUF_ERROR && s->z.avail_in == 0)
			continue; /* needs more input */
		if (zr != Z_OK) {
			cu_error_set(err, CU_E_FORMAT, "'%s': compressed stream is damaged (%s)",
				     s->in->name, s->z.msg ? s->z.msg : "zlib error");
			return -1;
		}
	}
	return (ssize_t)(n - s->z.avail_out);
}

/* ab_pull() that also counts the tar bytes and the zeros at their end, so
 * a payload cut at a block boundary (libarchive takes the end of the data
 * as the end of the archive) is still noticed. */
static ssize_t ab_pull_counted(void *ctx, void *buf, size_t n, struct cu_error *err)
{
	struct abstream *s = ctx;
	ssize_t r = ab_pull(ctx, buf, n, err);
	const unsigned char *p = buf;

	if (r <= 0)
		return r;
	s->payload += (uint64_t)r;
	size_t i = (size_t)r;
	while (i > 0 && p[i - 1] == 0)
		i--;
	s->zeros_tail = i == 0 ? s->zeros_tail + (uint64_t)r : (uint64_t)r - i;
	return r;
}

/* After the archive reader is done: reads the rest of the payload (to the
 * end of the compressed stream and the encryption padding) and checks that
 * the tar ended whole: a whole number of 512-byte blocks ending in the two
 * zero blocks of its end-of-archive marker. A truncated backup otherwise
 * imports as if complete. */
static enum cu_status ab_check_end(struct abstream *s, struct cu_error *err)
{
	for (;;) {
		ssize_t r = ab_pull_counted(s, s->x->buf, CU_IMPORT_CHUNK, err);
		if (r < 0)
			return err->code != CU_OK ? err->code : CU_E_FORMAT;
		if (r == 0)
			break;
	}
	if (s->payload % 512 != 0 || s->zeros_tail < 1024)
		return cu_error_set(err, CU_E_FORMAT,
				    "'%s' is truncated: its tar data ends after %llu bytes%s, "
				    "without the end-of-archive blocks; what came before is "
				    "kept, make the backup again if you can",
				    s->in->name, (unsigned long long)s->payload,
				    s->payload % 512 != 0 ? ", inside a 512-byte block" : "");
	return CU_OK;
}

static uint64_t ab_consumed(void *ctx)
{
	return ((struct abstream *)ctx)->consumed;
}

static bool ab_map(const char *name, struct cu_buf *out)
{
	return cu_ab_map_name(name, out);
}

enum cu_status cu_format_android_ab(struct cu_format_run *x, const struct cu_format_source *in,
				    struct cu_error *err)
{
	struct abstream s;
	struct cu_ab_header h;
	struct cu_import_archive_src src;
	struct cu_buf pw = CU_BUF_INIT;
	struct cu_digests d;
	struct cu_error e;
	unsigned char head[AB_HEADER_READ], mk[32], iv[16];
	size_t got = 0;
	enum cu_status st;

	memset(&s, 0, sizeof(s));
	s.x = x;
	s.in = in;
	x->os = "Android";
	if ((st = cu_hasher_reset(x->hasher2, err)) != CU_OK)
		goto out;
	if ((st = cu_format_read_full(in, head, sizeof(head), &got, err)) != CU_OK)
		goto out;
	if ((st = cu_hasher_update(x->hasher2, head, got, err)) != CU_OK)
		goto out;
	s.consumed = got;
	if ((st = cu_ab_header_parse(head, got, &h, err)) != CU_OK) {
		cu_error_prefix(err, "'%s'", in->name);
		goto out;
	}
	s.enc = h.enc == CU_AB_AES256;
	s.compressed = h.compressed;
	if (s.enc) {
		(void)cu_secret_lock(mk, sizeof(mk));
		(void)cu_secret_lock(iv, sizeof(iv));
		if ((st = x->password(x, &pw, err)) != CU_OK)
			goto out;
		if ((st = cu_ab_unlock(&h, pw.data, pw.len, mk, iv, err)) != CU_OK) {
			cu_error_prefix(err, "encrypted adb backup '%s'", in->name);
			goto out;
		}
		if ((s.cctx = EVP_CIPHER_CTX_new()) == NULL ||
		    EVP_DecryptInit_ex(s.cctx, EVP_aes_256_cbc(), NULL, mk, iv) != 1) {
			st = cu_error_openssl(err, "AES-256-CBC setup");
			goto out;
		}
	}
	if ((s.raw = cu_malloc(CU_IMPORT_CHUNK)) == NULL ||
	    (s.plain = cu_malloc(CU_IMPORT_CHUNK + 32)) == NULL ||
	    (s.prefix = cu_malloc(AB_HEADER_READ)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	s.prefix_len = got - h.header_len;
	memcpy(s.prefix, head + h.header_len, s.prefix_len);
	if (got < sizeof(head))
		s.file_eof = true;
	if (s.compressed) {
		if (inflateInit(&s.z) != Z_OK) {
			st = cu_error_set(err, CU_E_NOMEM, "zlib initialisation failed");
			goto out;
		}
		s.z_init = true;
	}
	if ((st = x->begin_item(x, NULL, err)) != CU_OK)
		goto out;
	cu_progress_start(&x->prog, "import", in->size);
	json_object_set_new(x->details, "ab",
			    json_pack("{s:i, s:b, s:s, s:i}", "version", h.version, "compressed",
				      h.compressed, "encryption", s.enc ? "AES-256" : "none",
				      "pbkdf2_rounds", (int)h.rounds));
	memset(&src, 0, sizeof(src));
	src.name = in->name;
	src.pull = ab_pull_counted;
	src.ctx = &s;
	src.consumed = ab_consumed;
	src.map_name = ab_map;
	src.origin_prefix = "";
	src.members_derived_note = s.enc;
	src.size = in->size;
	st = cu_import_archive(x, &src, err);
	if (st == CU_OK)
		st = ab_check_end(&s, err);
	/* The image digest covers every byte of the file. */
	while (!s.file_eof) {
		ssize_t r = in->in.read(in->in.ctx, s.raw, CU_IMPORT_CHUNK);
		if (r <= 0) {
			s.file_eof = true;
			break;
		}
		s.trailing += (uint64_t)r;
		if (cu_hasher_update(x->hasher2, s.raw, (size_t)r, &e) != CU_OK)
			break;
	}
	if (cu_hasher_final(x->hasher2, &d, &e) == CU_OK &&
	    cu_import_source_digests_set(x, &d) != CU_OK)
		cu_ingest_warn(
		    x->w, false,
		    "the digest of the whole image could not be recorded: out of memory");
out:
	cu_secret_wipe(mk, sizeof(mk));
	cu_secret_wipe(iv, sizeof(iv));
	cu_import_buf_wipe(&pw);
	if (s.z_init)
		inflateEnd(&s.z);
	EVP_CIPHER_CTX_free(s.cctx);
	if (s.plain != NULL)
		OPENSSL_cleanse(s.plain, CU_IMPORT_CHUNK + 32);
	free(s.raw);
	free(s.plain);
	free(s.prefix);
	return st;
}
