/*
 * test_adb.c - the ADB host stack over the in-memory transport pair, with
 * a scripted fake device (a small adbd written here, on a thread): codec,
 * banner, key and Android public-key format (checked against Debian's
 * `adb keygen` / `adb pubkey`), CNXN versions and checksums, AUTH (signature
 * accepted, key offered and allowed, never allowed), streams with one WRTE
 * in flight and the negotiated max payload, shell v1/v2, exec, raw service,
 * sync STAT/LIST/RECV and STA2/LIS2, FAIL, drops and hostile packets.
 */
#include "extract/android/adb_int.h"
#include "tests/harness/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the fake device ------------------------------------------------------ */

enum auth_mode { AUTH_NONE, AUTH_SIGNATURE, AUTH_OFFER_KEY, AUTH_NEVER };

struct fake_file {
	const char *path;
	uint32_t mode;
	uint64_t size; /* reported size (may be huge for STA2/LIS2) */
	int64_t mtime;
	const char *data; /* NULL for a directory */
	size_t data_len;
};

struct fake {
	/* set by the test */
	struct cu_adb_transport *t;
	uint32_t version, maxdata;
	const char *banner;
	enum auth_mode auth;
	EVP_PKEY *known;        /* the key the phone already trusts */
	size_t chunk;           /* device WRTE payloads cut to this (0 = maxdata) */
	const char *fail_path;  /* RECV of it answers FAIL */
	const char *drop_path;  /* RECV of it: CLSE after the first block */
	bool bad_checksum_wrte; /* first WRTE carries a wrong data_check */
	bool double_wrte;       /* sends two WRTEs without waiting */
	bool oversize;          /* a WRTE over the max payload */
	bool bad_magic;
	bool open_reverse; /* opens a stream to the host first */
	bool refuse;       /* CLSE every OPEN */
	const struct fake_file *files;
	size_t n_files;
	/* seen by the device */
	char host_banner[256];
	uint32_t host_version, host_maxdata;
	bool host_cnxn_checksum_ok;
	bool host_checksums_ok;   /* every host packet after CNXN had the right sum (v1) */
	bool host_zero_checksums; /* every host packet after CNXN had 0 (skip version) */
	int violations;           /* host WRTE before our OKAY, or over our maxdata */
	int opens, sync_opens;
	char services[1024];
	char pubkey[1024];
	bool key_offered;
	size_t max_host_wrte;
	bool dead;         /* the transport failed or the host went away */
	bool slow_okay;    /* waits before each OKAY to a host WRTE, to catch a host that
			   does not wait for it */
	bool hostile_sync; /* "/evil": DATA over 64 KiB, DENT name over 1024 bytes */
	bool wrong_remote; /* shell output sent from another stream id */
	int stdin_closed;  /* shell v2 close-stdin frames the host sent */
};

static bool dev_send(struct fake *f, uint32_t cmd, uint32_t a0, uint32_t a1, const void *p,
		     size_t n)
{
	unsigned char h[CU_ADB_HEADER_SIZE];
	struct cu_error e;

	cu_adb_header_pack(cmd, a0, a1, p, (uint32_t)n, f->version < CU_ADB_VERSION_SKIP_CHECKSUM,
			   h);
	if (f->t->ops->send(f->t, h, p, n, 5000, &e) != CU_OK)
		f->dead = true;
	return !f->dead;
}

static bool dev_read(struct fake *f, struct cu_adb_header *h, unsigned char *buf, bool connected)
{
	unsigned char hb[CU_ADB_HEADER_SIZE];
	struct cu_error e;

	if (f->t->ops->recv(f->t, hb, sizeof(hb), 5000, &e) != CU_OK ||
	    cu_adb_header_parse(hb, CU_ADB_MAX_PAYLOAD, h, &e) != CU_OK ||
	    (h->data_length && f->t->ops->recv(f->t, buf, h->data_length, 5000, &e) != CU_OK)) {
		f->dead = true;
		return false;
	}
	if (connected && h->data_length > 0) {
		uint32_t sum = cu_adb_checksum(buf, h->data_length);

		if (h->data_check != sum)
			f->host_checksums_ok = false;
		if (h->data_check != 0)
			f->host_zero_checksums = false;
	}
	return true;
}

/* Sends data on stream (local, remote) as WRTEs of at most chunk bytes, each after
 * the host's OKAY. */
static bool dev_write(struct fake *f, uint32_t local, uint32_t remote, const void *p, size_t n,
		      unsigned char *buf)
{
	size_t chunk = f->chunk ? f->chunk : f->maxdata, done = 0;

	while (done < n) {
		size_t c = n - done < chunk ? n - done : chunk;
		struct cu_adb_header h;

		if (f->bad_checksum_wrte) {
			unsigned char hb[CU_ADB_HEADER_SIZE];
			struct cu_error e;

			cu_adb_header_pack(CU_ADB_WRTE, local, remote, (const char *)p + done,
					   (uint32_t)c, true, hb);
			put32(hb + 16, get32(hb + 16) + 1);
			(void)f->t->ops->send(f->t, hb, (const char *)p + done, c, 5000, &e);
			return false;
		}
		if (!dev_send(f, CU_ADB_WRTE, local, remote, (const char *)p + done, c))
			return false;
		done += c;
		for (;;) {
			if (!dev_read(f, &h, buf, true))
				return false;
			if (h.command == CU_ADB_OKAY && h.arg1 == local)
				break;
			if (h.command == CU_ADB_WRTE && h.arg1 == local && h.data_length == 5 &&
			    memcmp(buf, "\4\0\0\0\0", 5) == 0)
				f->stdin_closed++;
			if (h.command == CU_ADB_CLSE)
				return false;
		}
	}
	return true;
}

/* The phone's check: the signature verifies under a key it trusts. */
static bool verify_signature(const struct fake *f, const unsigned char *token,
			     const unsigned char *sig, size_t n)
{
	EVP_PKEY_CTX *ctx;
	bool ok;

	if (f->known == NULL)
		return false;
	ctx = EVP_PKEY_CTX_new(f->known, NULL);
	ok = ctx != NULL && EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0 &&
	     EVP_PKEY_verify(ctx, sig, n, token, CU_ADB_TOKEN_SIZE) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static void sync_reply_stat(struct fake *f, const struct fake_file *ff, bool v2, unsigned char *o,
			    size_t *n)
{
	if (!v2) {
		memcpy(o, "STAT", 4);
		put32(o + 4, ff ? ff->mode : 0);
		put32(o + 8, ff ? (uint32_t)ff->size : 0);
		put32(o + 12, ff ? (uint32_t)ff->mtime : 0);
		*n = 16;
		return;
	}
	memset(o, 0, 72);
	memcpy(o, "STA2", 4);
	put32(o + 4, ff ? 0 : 2);
	if (ff) {
		put32(o + 24, ff->mode);
		put64(o + 40, ff->size);
		put64(o + 56, (uint64_t)ff->mtime);
	}
	*n = 72;
	(void)f;
}

static const struct fake_file *find_file(const struct fake *f, const char *path, size_t n)
{
	for (size_t i = 0; i < f->n_files; i++)
		if (strlen(f->files[i].path) == n && memcmp(f->files[i].path, path, n) == 0)
			return &f->files[i];
	return NULL;
}

/* Serves one sync request held in req[0..n); returns false to end the session. */
static bool sync_serve(struct fake *f, uint32_t local, uint32_t remote, const unsigned char *req,
		       size_t n, unsigned char *buf, bool *quit)
{
	static unsigned char out[1 << 20];
	size_t o = 0;
	const char *path = (const char *)req + 8;
	size_t plen = n - 8;

	if (memcmp(req, "QUIT", 4) == 0) {
		*quit = true;
		return true;
	}
	if (f->hostile_sync && plen == 5 && memcmp(path, "/evil", 5) == 0) {
		memcpy(out, memcmp(req, "RECV", 4) == 0 ? "DATA" : "DENT", 4);
		memset(out + 4, 0, 16);
		put32(out + (memcmp(req, "RECV", 4) == 0 ? 4 : 16),
		      memcmp(req, "RECV", 4) == 0 ? 65537 : 5000);
		(void)dev_write(f, local, remote, out, 20, buf);
		return false;
	}
	if (memcmp(req, "STAT", 4) == 0 || memcmp(req, "STA2", 4) == 0) {
		sync_reply_stat(f, find_file(f, path, plen), req[3] == '2', out, &o);
		return dev_write(f, local, remote, out, o, buf);
	}
	if (memcmp(req, "LIST", 4) == 0 || memcmp(req, "LIS2", 4) == 0) {
		bool v2 = req[3] == '2';
		const char *names[] = {".", ".."};

		for (size_t i = 0; i < 2; i++) {
			memset(out + o, 0, v2 ? 76 : 20);
			memcpy(out + o, v2 ? "DNT2" : "DENT", 4);
			put32(out + o + (v2 ? 72 : 16), (uint32_t)strlen(names[i]));
			o += v2 ? 76 : 20;
			memcpy(out + o, names[i], strlen(names[i]));
			o += strlen(names[i]);
		}
		for (size_t i = 0; i < f->n_files; i++) {
			const struct fake_file *ff = &f->files[i];
			const char *slash = strrchr(ff->path, '/');
			const char *name = slash + 1;

			if ((size_t)(slash - ff->path) != plen || memcmp(ff->path, path, plen) != 0)
				continue;
			memset(out + o, 0, v2 ? 76 : 20);
			if (v2) {
				memcpy(out + o, "DNT2", 4);
				put32(out + o + 24, ff->mode);
				put64(out + o + 40, ff->size);
				put64(out + o + 56, (uint64_t)ff->mtime);
				put32(out + o + 72, (uint32_t)strlen(name));
				o += 76;
			} else {
				memcpy(out + o, "DENT", 4);
				put32(out + o + 4, ff->mode);
				put32(out + o + 8, (uint32_t)ff->size);
				put32(out + o + 12, (uint32_t)ff->mtime);
				put32(out + o + 16, (uint32_t)strlen(name));
				o += 20;
			}
			memcpy(out + o, name, strlen(name));
			o += strlen(name);
		}
		memset(out + o, 0, v2 ? 76 : 20);
		memcpy(out + o, "DONE", 4);
		o += v2 ? 76 : 20;
		return dev_write(f, local, remote, out, o, buf);
	}
	if (memcmp(req, "RECV", 4) == 0) {
		const struct fake_file *ff = find_file(f, path, plen);
		bool drop = f->drop_path && strlen(f->drop_path) == plen &&
			    memcmp(f->drop_path, path, plen) == 0;

		if (ff == NULL || ff->data == NULL ||
		    (f->fail_path && strlen(f->fail_path) == plen &&
		     memcmp(f->fail_path, path, plen) == 0)) {
			const char *msg = "open failed: No such file or directory";

			memcpy(out, "FAIL", 4);
			put32(out + 4, (uint32_t)strlen(msg));
			memcpy(out + 8, msg, strlen(msg));
			(void)dev_write(f, local, remote, out, 8 + strlen(msg), buf);
			return false; /* adbd ends the session after a FAIL */
		}
		for (size_t off = 0; off < ff->data_len; off += 65536) {
			size_t c = ff->data_len - off < 65536 ? ff->data_len - off : 65536;

			memcpy(out + o, "DATA", 4);
			put32(out + o + 4, (uint32_t)c);
			memcpy(out + o + 8, ff->data + off, c);
			o += 8 + c;
			if (drop) {
				(void)dev_write(f, local, remote, out, o, buf);
				return false;
			}
		}
		memcpy(out + o, "DONE", 4);
		put32(out + o + 4, 0);
		o += 8;
		return dev_write(f, local, remote, out, o, buf);
	}
	return false;
}

/* Canned shell output: "out:X" prints X, "err:X" to stderr, "exit:N". */
static void canned(const char *cmd, struct cu_buf *out, struct cu_buf *errb, int *code)
{
	struct cu_error e;

	*code = 0;
	if (strcmp(cmd, "getprop ro.serialno") == 0) {
		TAP_MUST(cu_buf_puts(out, "SIM0001\n", &e));
	} else if (strcmp(cmd, "both") == 0) {
		TAP_MUST(cu_buf_puts(out, "to stdout\n", &e));
		TAP_MUST(cu_buf_puts(errb, "to stderr\n", &e));
		*code = 3;
	} else if (strcmp(cmd, "binary") == 0) {
		TAP_MUST(cu_buf_append(out, "a\0b\r\n\xff", 6, &e));
	} else if (strcmp(cmd, "big") == 0) {
		for (int i = 0; i < 20000; i++)
			TAP_MUST(cu_buf_printf(out, &e, "%05d\n", i));
	} else {
		TAP_MUST(cu_buf_printf(errb, &e, "/system/bin/sh: %s: not found\n", cmd));
		*code = 127;
	}
}

static bool serve_shell(struct fake *f, uint32_t local, uint32_t remote, const char *svc,
			unsigned char *buf)
{
	struct cu_buf out = CU_BUF_INIT, errb = CU_BUF_INIT, all = CU_BUF_INIT;
	struct cu_error e;
	bool v2 = strncmp(svc, "shell,v2,raw:", 13) == 0;
	const char *cmd = strchr(svc, ':') + 1;
	bool ok;
	int code;

	canned(cmd, &out, &errb, &code);
	if (v2) {
		unsigned char h[5];

		if (out.len) {
			h[0] = 1;
			put32(h + 1, (uint32_t)out.len);
			TAP_MUST(cu_buf_append(&all, h, 5, &e));
			TAP_MUST(cu_buf_append(&all, out.data, out.len, &e));
		}
		if (errb.len) {
			h[0] = 2;
			put32(h + 1, (uint32_t)errb.len);
			TAP_MUST(cu_buf_append(&all, h, 5, &e));
			TAP_MUST(cu_buf_append(&all, errb.data, errb.len, &e));
		}
		h[0] = 3;
		put32(h + 1, 1);
		TAP_MUST(cu_buf_append(&all, h, 5, &e));
		TAP_MUST(cu_buf_putc(&all, (char)code, &e));
	} else {
		if (out.len)
			TAP_MUST(cu_buf_append(&all, out.data, out.len, &e));
		if (errb.len)
			TAP_MUST(cu_buf_append(&all, errb.data, errb.len, &e));
	}
	ok = dev_write(f, f->wrong_remote ? local + 1 : local, remote, all.data ? all.data : "",
		       all.len, buf);
	if (ok)
		ok = dev_send(f, CU_ADB_CLSE, local, remote, NULL, 0);
	cu_buf_release(&out);
	cu_buf_release(&errb);
	cu_buf_release(&all);
	return ok;
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	static unsigned char buf[CU_ADB_MAX_PAYLOAD + 1];
	struct cu_adb_header h;
	unsigned char token[CU_ADB_TOKEN_SIZE];
	uint32_t next_local = 100;
	struct cu_buf syncbuf = CU_BUF_INIT;
	uint32_t sync_local = 0, sync_remote = 0;
	struct cu_error e;

	f->host_checksums_ok = true;
	f->host_zero_checksums = true;
	if (!dev_read(f, &h, buf, false) || h.command != CU_ADB_CNXN)
		goto out;
	f->host_version = h.arg0;
	f->host_maxdata = h.arg1;
	f->host_cnxn_checksum_ok = h.data_check == cu_adb_checksum(buf, h.data_length);
	snprintf(f->host_banner, sizeof(f->host_banner), "%.*s", (int)h.data_length, (char *)buf);
	if (f->bad_magic) {
		unsigned char hb[CU_ADB_HEADER_SIZE] = {0};

		memcpy(hb, "CNXN", 4);
		(void)f->t->ops->send(f->t, hb, NULL, 0, 5000, &e);
		goto out;
	}
	if (f->auth != AUTH_NONE) {
		bool allowed = false;

		memset(token, 0x5a, sizeof(token));
		if (!dev_send(f, CU_ADB_AUTH, CU_ADB_AUTH_TOKEN, 0, token, sizeof(token)))
			goto out;
		while (!allowed) {
			if (!dev_read(f, &h, buf, false) || h.command != CU_ADB_AUTH)
				goto out;
			if (h.arg0 == CU_ADB_AUTH_SIGNATURE) {
				if (f->auth == AUTH_SIGNATURE &&
				    verify_signature(f, token, buf, h.data_length)) {
					allowed = true;
				} else {
					token[0]++;
					if (!dev_send(f, CU_ADB_AUTH, CU_ADB_AUTH_TOKEN, 0, token,
						      sizeof(token)))
						goto out;
				}
			} else if (h.arg0 == CU_ADB_AUTH_RSAPUBLICKEY) {
				f->key_offered = true;
				snprintf(f->pubkey, sizeof(f->pubkey), "%.*s", (int)h.data_length,
					 (char *)buf);
				if (h.data_length == 0 || buf[h.data_length - 1] != '\0')
					f->violations++;
				if (f->auth == AUTH_NEVER) {
					/* the prompt stays unanswered: wait for the host to go */
					while (dev_read(f, &h, buf, false))
						;
					goto out;
				}
				allowed = true;
			}
		}
	}
	if (!dev_send(f, CU_ADB_CNXN, f->version, f->maxdata, f->banner, strlen(f->banner)))
		goto out;
	if (f->oversize) {
		unsigned char hb[CU_ADB_HEADER_SIZE];

		cu_adb_header_pack(CU_ADB_WRTE, 1, 1, NULL, 0, false, hb);
		put32(hb + 12, f->maxdata + 1);
		(void)f->t->ops->send(f->t, hb, NULL, 0, 5000, &e);
		while (dev_read(f, &h, buf, true))
			;
		goto out;
	}
	if (f->open_reverse && !dev_send(f, CU_ADB_OPEN, 77, 0, "tcp:1234", 9))
		goto out;
	while (dev_read(f, &h, buf, true)) {
		if (h.command == CU_ADB_OPEN) {
			char svc[4096];
			uint32_t local = next_local++;

			snprintf(svc, sizeof(svc), "%.*s", (int)h.data_length, (char *)buf);
			if (h.data_length == 0 || buf[h.data_length - 1] != '\0')
				f->violations++;
			f->opens++;
			{
				size_t have = strlen(f->services), add = strlen(svc);

				if (have + add + 2 < sizeof(f->services)) {
					memcpy(f->services + have, svc, add);
					f->services[have + add] = '|';
					f->services[have + add + 1] = '\0';
				}
			}
			if (f->refuse) {
				if (!dev_send(f, CU_ADB_CLSE, 0, h.arg0, NULL, 0))
					break;
				continue;
			}
			if (!dev_send(f, CU_ADB_OKAY, local, h.arg0, NULL, 0))
				break;
			if (strcmp(svc, "sync:") == 0) {
				f->sync_opens++;
				sync_local = local;
				sync_remote = h.arg0;
				cu_buf_reset(&syncbuf);
				continue;
			}
			if (f->double_wrte && sync_local != 0) {
				/* two WRTEs on the idle sync stream, no wait for OKAY */
				(void)dev_send(f, CU_ADB_WRTE, sync_local, sync_remote, "DONE", 4);
				(void)dev_send(f, CU_ADB_WRTE, sync_local, sync_remote, "DONE", 4);
			}
			if (!serve_shell(f, local, h.arg0, svc, buf) && f->dead)
				break;
			continue;
		}
		if (h.command == CU_ADB_WRTE && h.arg1 == sync_local && sync_local != 0) {
			bool quit = false, alive = true;

			if (f->slow_okay) {
				usleep(20000);
				if (cu_adb_mem_pending(f->t) > 0)
					f->violations++; /* the host did not wait for our OKAY */
			}
			if (h.data_length > f->max_host_wrte)
				f->max_host_wrte = h.data_length;
			if (h.data_length > f->maxdata)
				f->violations++;
			TAP_MUST(cu_buf_append(&syncbuf, buf, h.data_length, &e));
			if (!dev_send(f, CU_ADB_OKAY, sync_local, sync_remote, NULL, 0))
				break;
			/* whole requests: [id][len][path] */
			while (alive && syncbuf.len >= 8) {
				size_t need = 8 + get32((unsigned char *)syncbuf.data + 4);
				unsigned char req[2048];

				if (memcmp(syncbuf.data, "QUIT", 4) == 0)
					need = 8;
				if (need > sizeof(req) || syncbuf.len < need)
					break;
				memcpy(req, syncbuf.data, need);
				memmove(syncbuf.data, syncbuf.data + need, syncbuf.len - need);
				syncbuf.len -= need;
				alive =
				    sync_serve(f, sync_local, sync_remote, req, need, buf, &quit);
			}
			if (!alive || quit) {
				(void)dev_send(f, CU_ADB_CLSE, sync_local, sync_remote, NULL, 0);
				sync_local = 0;
			}
			continue;
		}
		/* OKAY for our CLSE'd streams, CLSE from the host: nothing to do. */
	}
out:
	cu_buf_release(&syncbuf);
	f->t->ops->close(f->t);
	return NULL;
}

/* ---- host-side helpers ---------------------------------------------------- */

struct sink_buf {
	struct cu_buf out, err;
	size_t calls;
	size_t stop_after; /* stop at that call (0 = never) */
};

static bool sink_fn(void *ctx, int stream, const void *p, size_t n)
{
	struct sink_buf *s = ctx;
	struct cu_error e;

	s->calls++;
	if (s->stop_after && s->calls >= s->stop_after)
		return false;
	TAP_MUST(cu_buf_append(stream == 2 ? &s->err : &s->out, p, n, &e));
	return true;
}

static void sink_release(struct sink_buf *s)
{
	cu_buf_release(&s->out);
	cu_buf_release(&s->err);
}

static struct cu_adb_key *test_key;
static const char *key_path;
static EVP_PKEY *test_pkey; /* the same key through OpenSSL, for the fake phone */

static const char banner_v2[] = "device::ro.product.name=sim;ro.product.model=SIM Phone;"
				"ro.product.device=simdev;features=shell_v2,stat_v2,ls_v2,cmd";
static const char banner_v1[] = "device::ro.product.name=old;ro.product.model=Old;"
				"ro.product.device=olddev;features=";

static struct fake *fake_new(const char *banner)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (f == NULL)
		tap_bail("out of memory");
	f->version = CU_ADB_VERSION_SKIP_CHECKSUM;
	f->maxdata = CU_ADB_MAX_PAYLOAD;
	f->banner = banner;
	f->known = test_pkey;
	return f;
}

/* Starts the fake on one end and connects over the other. */
static enum cu_status start(struct fake *f, pthread_t *th, const struct cu_adb_opts *o,
			    struct cu_adb **a, struct cu_error *err)
{
	struct cu_adb_transport *host, *dev;
	struct cu_adb_opts def = {key_path, 2000, 3000};

	TAP_MUST(cu_adb_mem_pair(0, &host, &dev, err));
	f->t = dev;
	if (pthread_create(th, NULL, fake_run, f) != 0)
		tap_bail("pthread_create");
	return cu_adb_open_transport(host, NULL, o ? o : &def, NULL, a, err);
}

static void finish(struct fake *f, pthread_t th, struct cu_adb *a)
{
	cu_adb_close(a);
	pthread_join(th, NULL);
	free(f);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_codec(void)
{
	unsigned char h[CU_ADB_HEADER_SIZE];
	struct cu_adb_header p;
	struct cu_error e;

	cu_adb_header_pack(CU_ADB_WRTE, 1, 2, "abc", 3, true, h);
	tap_ok(memcmp(h, "WRTE", 4) == 0, "command bytes are ASCII little-endian");
	tap_is_int(cu_adb_header_parse(h, 4096, &p, &e), CU_OK, "a packed header parses");
	tap_ok(p.arg0 == 1 && p.arg1 == 2 && p.data_length == 3 && p.data_check == 'a' + 'b' + 'c',
	       "fields and byte-sum checksum kept");
	tap_is_int(cu_adb_payload_verify(&p, "abc", CU_ADB_CHECK_STRICT, &e), CU_OK,
		   "right checksum passes strict");
	tap_is_int(cu_adb_payload_verify(&p, "abd", CU_ADB_CHECK_STRICT, &e), CU_E_FORMAT,
		   "wrong checksum fails strict");
	tap_is_int(cu_adb_payload_verify(&p, "abd", CU_ADB_CHECK_NONE, &e), CU_OK,
		   "checksum ignored from 0x01000001");
	p.data_check = 0;
	tap_is_int(cu_adb_payload_verify(&p, "abd", CU_ADB_CHECK_LAX, &e), CU_OK,
		   "zero checksum accepted before CNXN");
	tap_is_int(cu_adb_header_parse(h, 2, &p, &e), CU_E_FORMAT, "length over the max refused");
	tap_ok(strstr(e.msg, "over the limit") != NULL, "message names the limit: %s", e.msg);
	h[20] ^= 1;
	tap_is_int(cu_adb_header_parse(h, 4096, &p, &e), CU_E_FORMAT, "bad magic refused");
	cu_adb_header_pack(0x41414141, 0, 0, NULL, 0, false, h);
	tap_is_int(cu_adb_header_parse(h, 4096, &p, &e), CU_E_FORMAT, "unknown command refused");
}

static void test_usb_pure(void)
{
	static const unsigned char composite[] = {
	    9, 4, 0,    0, 2, 6, 1, 1, 0, /* MTP */
	    7, 5, 0x81, 2, 0, 2, 0, 7, 5, 0x01, 2, 0,    2, 0, 9, 4, 1,    0, 3,    0xff, 0x42,
	    1, 0, /* ADB, with an interrupt endpoint too */
	    7, 5, 0x84, 3, 8, 0, 9, 7, 5, 0x02, 2, 0x40, 0, 0, 7, 5, 0x83, 2, 0x40, 0,    0};
	static const unsigned char zero_len[] = {9, 4, 1, 0, 2, 0xff, 0x42, 1, 0, 0, 5, 0x81};
	struct cu_adb_usb_candidate c;

	memset(&c, 0, sizeof(c));
	tap_ok(cu_adb_usb_pick_interface(composite, sizeof(composite), &c) && c.interface == 1 &&
		   c.ep_in == 0x83 && c.ep_out == 0x02 && c.max_packet_in == 64 &&
		   c.max_packet_out == 64,
	       "descriptors: ADB interface beside MTP, bulk endpoints only");
	tap_ok(!cu_adb_usb_pick_interface(composite, 30, &c) &&
		   !cu_adb_usb_pick_interface(zero_len, sizeof(zero_len), &c),
	       "truncated descriptors and a zero bLength: no interface, no overrun");
	tap_ok(cu_adb_usb_needs_zlp(512, 512) && cu_adb_usb_needs_zlp(1024, 512) &&
		   !cu_adb_usb_needs_zlp(0, 512) && !cu_adb_usb_needs_zlp(513, 512) &&
		   cu_adb_usb_needs_zlp(64, 64) && !cu_adb_usb_needs_zlp(100, 64),
	       "zero-length packet after a payload that is a non-zero multiple of wMaxPacketSize");
}

static void test_banner(void)
{
	struct cu_adb_banner b;

	cu_adb_banner_parse(banner_v2, strlen(banner_v2), &b);
	tap_is_str(b.kind, "device", "banner kind");
	tap_ok(strcmp(b.product, "sim") == 0 && strcmp(b.model, "SIM Phone") == 0 &&
		   strcmp(b.device, "simdev") == 0,
	       "product, model, device from the banner");
	tap_ok(cu_adb_feature_in(b.features, "shell_v2") && cu_adb_feature_in(b.features, "cmd") &&
		   !cu_adb_feature_in(b.features, "shell") && !cu_adb_feature_in(b.features, ""),
	       "features matched whole");
	cu_adb_banner_parse("recovery::", 10, &b);
	tap_ok(strcmp(b.kind, "recovery") == 0 && b.features[0] == '\0', "recovery banner");
}

static void test_key_file(const char *dir)
{
	struct cu_buf pubpath = CU_BUF_INIT, t1 = CU_BUF_INIT, t2 = CU_BUF_INIT, file = CU_BUF_INIT;
	struct cu_adb_key *again = NULL;
	struct stat st;
	struct cu_error e;
	unsigned char blob[524];

	tap_ok(stat(key_path, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "key created with mode 0600");
	TAP_MUST(cu_buf_printf(&pubpath, &e, "%s.pub", key_path));
	TAP_MUST(cu_file_read_all(pubpath.data, 4096, &file, &e));
	TAP_MUST(cu_adb_key_pubkey_text(test_key, "custos@host", &t1, &e));
	tap_ok(file.len == t1.len + 1 && memcmp(file.data, t1.data, t1.len) == 0,
	       "adbkey.pub beside it holds the Android public key");
	TAP_MUST(cu_adb_key_load(key_path, false, &again, &e));
	TAP_MUST(cu_adb_key_pubkey_text(again, "custos@host", &t2, &e));
	tap_is_str(t2.data, t1.data, "the key is reused, not recreated");
	TAP_MUST(cu_adb_key_pubkey_blob(test_key, blob, &e));
	tap_ok(get32(blob) == 64 && get32(blob + 520) == 65537, "blob: 64 words, exponent 65537");
	tap_ok((uint32_t)(get32(blob + 4) * get32(blob + 8)) == 0xffffffffu,
	       "blob: n0inv * n[0] == -1 mod 2^32");
	cu_adb_key_free(again);
	(void)dir;
	cu_buf_release(&pubpath);
	cu_buf_release(&t1);
	cu_buf_release(&t2);
	cu_buf_release(&file);
}

/* The signature, undone with the public key and no padding, is the PKCS#1 v1.5 block
 * 00 01 FF.. 00 || DigestInfo(SHA-1) || token (PROTOCOLS.md §4). */
static void test_signature(void)
{
	static const unsigned char di[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
					   0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
	unsigned char token[20], sig[256], block[256], want[256];
	size_t n = sizeof(block);
	struct cu_error e;
	FILE *f = fopen(key_path, "r");
	EVP_PKEY *pk = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	EVP_PKEY_CTX *ctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;

	if (f)
		fclose(f);
	for (int i = 0; i < 20; i++)
		token[i] = (unsigned char)(i * 7);
	TAP_MUST(cu_adb_key_sign(test_key, token, sizeof(token), sig, &e));
	tap_ok(ctx != NULL && EVP_PKEY_verify_recover_init(ctx) > 0 &&
		   EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
		   EVP_PKEY_verify_recover(ctx, block, &n, sig, sizeof(sig)) > 0 && n == 256,
	       "signature opens with the public key");
	want[0] = 0;
	want[1] = 1;
	memset(want + 2, 0xff, 256 - 3 - sizeof(di) - 20);
	want[256 - sizeof(di) - 20 - 1] = 0;
	memcpy(want + 256 - 20 - sizeof(di), di, sizeof(di));
	memcpy(want + 256 - 20, token, 20);
	tap_is_mem(block, n, want, sizeof(want),
		   "PKCS#1 block over the raw token, SHA-1 DigestInfo");
	tap_is_int(cu_adb_key_sign(test_key, token, 19, sig, &e), CU_E_FORMAT,
		   "a token that is not 20 bytes is refused");
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
}

/* Debian's adb as the independent implementation of the public-key format. */
static void test_adb_pubkey(const char *dir)
{
	char cmd[2048], line[2048];
	struct cu_buf ours = CU_BUF_INIT, k2 = CU_BUF_INIT, pub2 = CU_BUF_INIT, file = CU_BUF_INIT;
	struct cu_adb_key *adbk = NULL;
	struct cu_error e;
	FILE *p;
	size_t len;

	TAP_MUST(cu_adb_key_pubkey_text(test_key, NULL, &ours, &e));
	snprintf(cmd, sizeof(cmd), "HOME='%s' timeout -k 5 30 adb pubkey '%s' 2>/dev/null", dir,
		 key_path);
	p = popen(cmd, "r");
	line[0] = '\0';
	if (p == NULL || fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	if (p)
		pclose(p);
	len = strcspn(line, " \n");
	tap_ok(len == ours.len && memcmp(line, ours.data, len) == 0,
	       "`adb pubkey` on our key gives our public key");
	TAP_MUST(cu_buf_printf(&k2, &e, "%s/adb-made", dir));
	snprintf(cmd, sizeof(cmd), "HOME='%s' timeout -k 5 60 adb keygen '%s' >/dev/null 2>&1", dir,
		 k2.data);
	tap_ok(system(cmd) == 0, "adb keygen made a key");
	TAP_MUST(cu_adb_key_load(k2.data, false, &adbk, &e));
	TAP_MUST(cu_adb_key_pubkey_text(adbk, NULL, &pub2, &e));
	TAP_MUST(cu_buf_puts(&k2, ".pub", &e));
	TAP_MUST(cu_file_read_all(k2.data, 4096, &file, &e));
	tap_ok(file.len > pub2.len && memcmp(file.data, pub2.data, pub2.len) == 0 &&
		   file.data[pub2.len] == ' ',
	       "our encoding of adb's key equals its adbkey.pub");
	cu_adb_key_free(adbk);
	cu_buf_release(&ours);
	cu_buf_release(&k2);
	cu_buf_release(&pub2);
	cu_buf_release(&file);
}

static void test_connect_v2(void)
{
	struct fake *f = fake_new(banner_v2);
	struct cu_adb *a = NULL;
	struct sink_buf s = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct cu_error e;
	pthread_t th;
	int code = -9;

	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_ok(f->host_version == 0x01000001 && f->host_maxdata == 1024 * 1024,
	       "host CNXN: version 0x01000001, maxdata 1 MiB");
	tap_ok(strncmp(f->host_banner, "host::features=", 15) == 0 &&
		   strstr(f->host_banner, "shell_v2") != NULL,
	       "host banner offers shell_v2: %s", f->host_banner);
	tap_ok(f->host_cnxn_checksum_ok, "host CNXN carries the checksum (version unknown yet)");
	tap_is_str(cu_adb_banner(a), banner_v2, "device banner kept as sent");
	tap_ok(cu_adb_has_feature(a, "shell_v2") && cu_adb_has_feature(a, "ls_v2") &&
		   !cu_adb_has_feature(a, "delayed_ack"),
	       "features from the banner");
	tap_is_str(cu_adb_serial(a), "mem", "serial from the transport");
	TAP_MUST(cu_adb_shell(a, "both", sink_fn, &s, &code, &e));
	tap_ok(s.out.len == 10 && memcmp(s.out.data, "to stdout\n", 10) == 0 && s.err.len == 10 &&
		   memcmp(s.err.data, "to stderr\n", 10) == 0,
	       "shell v2: stdout and stderr apart");
	tap_is_int(code, 3, "shell v2: exit code");
	tap_ok(strstr(f->services, "shell,v2,raw:both") != NULL, "service shell,v2,raw: used");
	cu_buf_reset(&s.out);
	cu_buf_reset(&s.err);
	TAP_MUST(cu_adb_shell(a, "nosuch", sink_fn, &s, &code, &e));
	tap_ok(code == 127 && s.out.len == 0 && strstr(s.err.data, "not found") != NULL,
	       "unknown command: exit 127, message on stderr");
	tap_ok(f->host_zero_checksums, "no checksums sent after a 0x01000001 CNXN");

	sink_release(&s);
	cu_adb_close(a);
	pthread_join(th, NULL); /* the fake has read everything the host sent */
	tap_is_int(f->stdin_closed, 2, "shell v2: stdin closed at once (adb shell -n)");
	free(f);
}

static void test_connect_v1_checksums(void)
{
	struct fake *f = fake_new(banner_v1);
	struct cu_adb *a = NULL;
	struct sink_buf s = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct cu_error e;
	pthread_t th;
	int code = 5;

	f->version = CU_ADB_VERSION_MIN;
	f->chunk = 1000;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_is_int(cu_adb_version(a), CU_ADB_VERSION_MIN, "version 0x01000000 negotiated");
	TAP_MUST(cu_adb_shell(a, "both", sink_fn, &s, &code, &e));
	tap_is_int(code, -1, "shell v1: exit code unknown");
	tap_ok(s.out.len == 20 && memcmp(s.out.data, "to stdout\nto stderr\n", 20) == 0 &&
		   s.err.len == 0,
	       "shell v1: output merged on stream 1");
	tap_ok(strstr(f->services, "shell:both") != NULL, "service shell: used without shell_v2");
	cu_buf_reset(&s.out);
	TAP_MUST(cu_adb_shell(a, "big", sink_fn, &s, &code, &e));
	tap_ok(s.out.len == 120000 && memcmp(s.out.data + 119994, "19999\n", 6) == 0,
	       "120 kB over 1000-byte WRTEs, each checksummed");
	tap_ok(f->host_checksums_ok, "host packets carry checksums for a 0x01000000 device");
	sink_release(&s);
	finish(f, th, a);

	f = fake_new(banner_v1);
	f->version = CU_ADB_VERSION_MIN;
	f->bad_checksum_wrte = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	cu_buf_reset(&s.out);
	cu_buf_reset(&s.err);
	tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_FORMAT,
		   "a wrong checksum from a 0x01000000 device is refused");
	tap_ok(strstr(e.msg, "checksum") != NULL, "message: %s", e.msg);
	tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_DEVICE,
		   "the connection stays failed after a protocol error");
	sink_release(&s);
	finish(f, th, a);
}

static void test_auth(void)
{
	struct fake *f = fake_new(banner_v2);
	struct cu_adb *a = NULL;
	struct cu_adb_opts o = {key_path, 300, 3000};
	struct cu_buf want = CU_BUF_INIT;
	struct cu_error e;
	pthread_t th;

	f->auth = AUTH_SIGNATURE;
	TAP_MUST(start(f, &th, &o, &a, &e));
	tap_ok(!f->key_offered, "a known key: signature accepted, no prompt");
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->auth = AUTH_SIGNATURE;
	f->known = NULL;
	a = NULL;
	tap_is_int(start(f, &th, &o, &a, &e), CU_OK, "an unknown key: connected once allowed");
	tap_ok(f->key_offered, "the key is offered when the signature is refused");
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->auth = AUTH_OFFER_KEY;
	TAP_MUST(start(f, &th, &o, &a, &e));
	TAP_MUST(cu_adb_key_pubkey_text(test_key, "custos@host", &want, &e));
	tap_ok(f->key_offered && strcmp(f->pubkey, want.data) == 0 && f->violations == 0,
	       "signature refused: the public key is offered, NUL-terminated");
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->auth = AUTH_NEVER;
	a = NULL;
	tap_is_int(start(f, &th, &o, &a, &e), CU_E_DEVICE, "no tap on Allow: device error");
	tap_ok(strstr(e.msg, "unauthorized: unlock the phone and tap Allow") != NULL,
	       "message says what to do: %s", e.msg);
	{
		struct cu_adb_device d;

		memset(&d, 0, sizeof(d));
		cu_adb_device_from_error(&e, &d);
		tap_ok(strcmp(d.state, "unauthorized") == 0 && strstr(d.advice, "Allow") != NULL,
		       "devices: state unauthorized with advice");
	}
	finish(f, th, a);
	cu_buf_release(&want);
}

static const struct fake_file tree[] = {
    {"/sdcard", 040771, 4096, 1700000000, NULL, 0},
    {"/sdcard/a.txt", 0100660, 5, 1700000001, "hello", 5},
    {"/sdcard/line\nbreak", 0100660, 0, 1700000002, "", 0},
    {"/sdcard/DCIM", 040771, 4096, 1700000003, NULL, 0},
    {"/sdcard/gone.txt", 0100660, 3, 1700000004, "abc", 3},
    {"/sdcard/huge.bin", 0100660, 5000000000ull, 1900000000, NULL, 0},
};

struct listing {
	char names[16][64];
	struct cu_adb_stat st[16];
	size_t n, stop_at;
};

static bool list_cb(void *ctx, const char *name, size_t n, const struct cu_adb_stat *st)
{
	struct listing *l = ctx;

	if (l->n < 16 && n < 64) {
		memcpy(l->names[l->n], name, n);
		l->names[l->n][n] = '\0';
		l->st[l->n] = *st;
		l->n++;
	}
	return l->stop_at == 0 || l->n < l->stop_at;
}

static char big[200000];

static void test_sync(bool v2)
{
	struct fake *f = fake_new(v2 ? banner_v2 : banner_v1);
	struct cu_adb *a = NULL;
	struct cu_adb_sync *s = NULL;
	struct cu_adb_stat st;
	struct listing l;
	struct sink_buf out = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct fake_file files[8];
	struct cu_error e;
	uint64_t got = 0;
	pthread_t th;
	const char *tag = v2 ? "v2" : "v1";

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 31 + i / 7);
	memcpy(files, tree, sizeof(tree));
	files[6] = (struct fake_file){"/sdcard/big.bin", 0100660, sizeof(big),
				      1700000005,        big,     sizeof(big)};
	f->files = files;
	f->n_files = 7;
	f->chunk = 7; /* sync replies split across many WRTEs */
	f->fail_path = "/sdcard/gone.txt";
	TAP_MUST(start(f, &th, NULL, &a, &e));
	TAP_MUST(cu_adb_sync_open(a, &s, &e));
	TAP_MUST(cu_adb_sync_stat(s, "/sdcard/a.txt", &st, &e));
	tap_ok(st.exists && st.mode == 0100660 && st.size == 5 && st.mtime == 1700000001,
	       "%s stat of a file", tag);
	TAP_MUST(cu_adb_sync_stat(s, "/sdcard/none", &st, &e));
	tap_ok(!st.exists, "%s stat of a missing path: exists false", tag);
	memset(&l, 0, sizeof(l));
	TAP_MUST(cu_adb_sync_list(s, "/sdcard", list_cb, &l, &e));
	tap_ok(l.n == 6 && strcmp(l.names[0], "a.txt") == 0 &&
		   strcmp(l.names[1], "line\nbreak") == 0 && strcmp(l.names[2], "DCIM") == 0,
	       "%s list: entries in order, '.' and '..' skipped, a newline kept", tag);
	tap_ok(l.st[2].mode == 040771 && l.st[0].mtime == 1700000001, "%s list: mode and mtime",
	       tag);
	if (v2)
		tap_ok(l.st[4].size == 5000000000ull && l.st[4].mtime == 1900000000,
		       "v2 list: a 64-bit size");
	else
		tap_ok(l.st[4].size == (uint32_t)5000000000ull, "v1 list: 32-bit size as sent");
	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	TAP_MUST(cu_adb_sync_list(s, "/sdcard", list_cb, &l, &e));
	TAP_MUST(cu_adb_sync_stat(s, "/sdcard/a.txt", &st, &e));
	tap_ok(l.n == 2 && st.exists, "%s list stopped early, session still usable", tag);
	TAP_MUST(cu_adb_sync_recv(s, "/sdcard/big.bin", sink_fn, &out, &got, &e));
	tap_ok(got == sizeof(big) && out.out.len == sizeof(big) &&
		   memcmp(out.out.data, big, sizeof(big)) == 0,
	       "%s recv: 200 kB in 64 KiB blocks over 7-byte WRTEs, byte for byte", tag);
	cu_buf_reset(&out.out);
	TAP_MUST(cu_adb_sync_recv(s, "/sdcard/line\nbreak", sink_fn, &out, &got, &e));
	tap_ok(got == 0, "%s recv: a 0-byte file", tag);
	tap_is_int(cu_adb_sync_recv(s, "/sdcard/gone.txt", sink_fn, &out, &got, &e), CU_E_IO,
		   "%s recv: FAIL is an I/O error", tag);
	tap_ok(strstr(e.msg, "open failed: No such file or directory") != NULL &&
		   strstr(e.msg, "/sdcard/gone.txt") != NULL,
	       "%s FAIL message and path given: %s", tag, e.msg);
	cu_buf_reset(&out.out);
	TAP_MUST(cu_adb_sync_recv(s, "/sdcard/a.txt", sink_fn, &out, &got, &e));
	tap_ok(got == 5 && memcmp(out.out.data, "hello", 5) == 0 && f->sync_opens == 2,
	       "%s after a FAIL the session reopens sync:", tag);
	cu_adb_sync_close(s);
	tap_ok(f->violations == 0, "%s no WRTE sent before the device's OKAY", tag);
	sink_release(&out);
	finish(f, th, a);
}

static void test_sync_drop_and_limits(void)
{
	struct fake *f = fake_new(banner_v1);
	struct cu_adb *a = NULL;
	struct cu_adb_sync *s = NULL;
	struct sink_buf out = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct fake_file files[2];
	struct cu_adb_stat st;
	char longpath[1100];
	struct cu_error e;
	uint64_t got = 0;
	pthread_t th;

	files[0] = (struct fake_file){"/sdcard/big.bin", 0100660, sizeof(big), 1, big, sizeof(big)};
	memset(longpath, 'p', sizeof(longpath));
	longpath[0] = '/';
	longpath[1000] = '\0';
	files[1] = (struct fake_file){longpath, 0100660, 1, 2, "z", 1};
	f->files = files;
	f->n_files = 2;
	f->drop_path = "/sdcard/big.bin";
	f->maxdata = 256; /* a small negotiated max payload */
	f->slow_okay = true;
	f->hostile_sync = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_is_int(cu_adb_max_payload(a), 256, "max payload is the device's smaller one");
	TAP_MUST(cu_adb_sync_open(a, &s, &e));
	TAP_MUST(cu_adb_sync_stat(s, longpath, &st, &e));
	tap_ok(st.exists && f->max_host_wrte == 256 && f->violations == 0,
	       "a 1008-byte request goes as 256-byte WRTEs, one in flight");
	tap_is_int(cu_adb_sync_recv(s, "/sdcard/big.bin", sink_fn, &out, &got, &e), CU_E_DEVICE,
		   "recv: device closes mid-file: device error");
	tap_ok(got < sizeof(big) && strstr(e.msg, "incomplete") != NULL,
	       "never a silent short file (%llu bytes): %s", (unsigned long long)got, e.msg);
	longpath[1000] = 'p';
	longpath[1025] = '\0';
	tap_is_int(cu_adb_sync_stat(s, longpath, &st, &e), CU_E_USAGE, "a path over 1024 bytes");
	tap_is_int(cu_adb_sync_recv(s, "/evil", sink_fn, &out, &got, &e), CU_E_FORMAT,
		   "a DATA block over 64 KiB refused: %s", e.msg);
	{
		struct listing l;

		memset(&l, 0, sizeof(l));
		tap_is_int(cu_adb_sync_list(s, "/evil", list_cb, &l, &e), CU_E_FORMAT,
			   "a name over 1024 bytes refused: %s", e.msg);
	}
	cu_adb_sync_close(s);
	sink_release(&out);
	finish(f, th, a);
}

static void test_exec_raw_stop(void)
{
	struct fake *f = fake_new(banner_v2);
	struct cu_adb *a = NULL;
	struct sink_buf s = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct cu_error e;
	pthread_t th;
	int code = 0;

	f->chunk = 4;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	TAP_MUST(cu_adb_exec(a, "binary", sink_fn, &s, &e));
	tap_is_mem(s.out.data, s.out.len, "a\0b\r\n\xff", 6, "exec: binary-clean output");
	tap_ok(strstr(f->services, "exec:binary") != NULL, "service exec: used");
	cu_buf_reset(&s.out);
	TAP_MUST(cu_adb_service_raw(a, "backup:big", sink_fn, &s, &e));
	tap_ok(strstr(f->services, "backup:big") != NULL, "raw service opened as given");
	s.stop_after = 3;
	s.calls = 0;
	tap_is_int(cu_adb_shell(a, "big", sink_fn, &s, &code, &e), CU_E_INTERRUPTED,
		   "a sink returning false stops the command, never reported complete");
	s.stop_after = 0;
	cu_buf_reset(&s.out);
	TAP_MUST(cu_adb_shell(a, "getprop ro.serialno", sink_fn, &s, &code, &e));
	tap_ok(s.out.len == 8 && memcmp(s.out.data, "SIM0001\n", 8) == 0 && code == 0,
	       "the connection goes on after a stop");
	sink_release(&s);
	finish(f, th, a);
}

static void test_hostile(void)
{
	struct fake *f;
	struct cu_adb *a = NULL;
	struct sink_buf s = {CU_BUF_INIT, CU_BUF_INIT, 0, 0};
	struct cu_error e;
	pthread_t th;
	int code;

	f = fake_new(banner_v2);
	f->bad_magic = true;
	tap_is_int(start(f, &th, NULL, &a, &e), CU_E_FORMAT, "bad magic in the CNXN refused");
	finish(f, th, NULL);

	f = fake_new(banner_v2);
	f->oversize = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_FORMAT,
		   "a WRTE longer than the max payload refused before reading it");
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->double_wrte = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	{
		struct cu_adb_sync *sy = NULL;

		TAP_MUST(cu_adb_sync_open(a, &sy, &e));
		tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_FORMAT,
			   "a second WRTE before our OKAY is a protocol error");
		tap_ok(strstr(e.msg, "second WRTE") != NULL, "message: %s", e.msg);
		cu_adb_sync_close(sy);
	}
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->wrong_remote = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_FORMAT,
		   "a WRTE from another remote id on our stream is a protocol error");
	finish(f, th, a);

	f = fake_new(banner_v2);
	f->refuse = true;
	f->open_reverse = true;
	TAP_MUST(start(f, &th, NULL, &a, &e));
	tap_is_int(cu_adb_shell(a, "both", sink_fn, &s, &code, &e), CU_E_DEVICE,
		   "a refused service (CLSE on OPEN) is a device error");
	tap_ok(strstr(e.msg, "refused") != NULL, "message: %s", e.msg);
	finish(f, th, a);

	{
		struct cu_adb_opts o = {key_path, 100, 200};
		struct cu_adb_transport *host, *dev;

		TAP_MUST(cu_adb_mem_pair(0, &host, &dev, &e));
		tap_is_int(cu_adb_open_transport(host, NULL, &o, NULL, &a, &e), CU_E_DEVICE,
			   "a silent device: device error after the I/O timeout");
		tap_ok(strstr(e.msg, "timed out") != NULL, "message: %s", e.msg);
		dev->ops->close(dev);
	}
	sink_release(&s);
}

/* A TCP phone that goes away: sending to it is an error, never a SIGPIPE. */
static void test_tcp_gone(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct cu_adb_transport *t = NULL;
	unsigned char hdr[CU_ADB_HEADER_SIZE], payload[4096];
	char addr[64];
	struct cu_error e;
	enum cu_status rc = CU_OK;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd, i;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0)
		tap_bail("cannot listen on 127.0.0.1");
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
	TAP_MUST(cu_adb_tcp_connect(addr, 2000, &t, &e));
	cfd = accept(lfd, NULL, NULL);
	close(cfd);
	close(lfd);
	memset(payload, 'x', sizeof(payload));
	cu_adb_header_pack(CU_ADB_WRTE, 1, 1, payload, sizeof(payload), false, hdr);
	for (i = 0; i < 100 && rc == CU_OK; i++) {
		rc = t->ops->send(t, hdr, payload, sizeof(payload), 1000, &e);
		usleep(2000);
	}
	tap_is_int(rc, CU_E_DEVICE, "TCP: writing to a phone that went away is a device error");
	t->ops->close(t);
	{
		struct cu_adb *a = NULL;

		tap_is_int(cu_adb_open_tcp("127.0.0.1:1", NULL, &a, &e), CU_E_DEVICE,
			   "TCP: nothing listening: device error");
		tap_ok(strstr(e.msg, "127.0.0.1:1") != NULL && strstr(e.msg, "adb tcpip") != NULL,
		       "the message names the address and what to check: %s", e.msg);
		tap_is_int(cu_adb_open_tcp("127.0.0.1:99999", NULL, &a, &e), CU_E_USAGE,
			   "TCP: a port out of range is a usage error");
	}
}

int main(void)
{
	const char *dir;
	struct cu_buf kp = CU_BUF_INIT;
	struct cu_error e;

	tap_plan(106);
	dir = tap_tmpdir("adb");
	TAP_MUST(cu_buf_printf(&kp, &e, "%s/config/custos/adbkey", dir));
	key_path = kp.data;
	TAP_MUST(cu_adb_key_load(key_path, true, &test_key, &e));
	{
		FILE *kf = fopen(key_path, "r");

		test_pkey = kf ? PEM_read_PrivateKey(kf, NULL, NULL, NULL) : NULL;
		if (kf)
			fclose(kf);
		if (test_pkey == NULL)
			tap_bail("cannot read the test key back with OpenSSL");
	}

	test_codec();
	test_banner();
	test_usb_pure();
	test_key_file(dir);
	test_signature();
	test_adb_pubkey(dir);
	test_connect_v2();
	test_connect_v1_checksums();
	test_auth();
	test_sync(false);
	test_sync(true);
	test_sync_drop_and_limits();
	test_exec_raw_stop();
	test_hostile();
	test_tcp_gone();

	cu_adb_key_free(test_key);
	EVP_PKEY_free(test_pkey);
	cu_buf_release(&kp);
	return tap_done();
}
