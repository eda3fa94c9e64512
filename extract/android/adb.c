/*
 * adb.c - one ADB connection: the handshake (CNXN, AUTH), the packet pump
 * that routes the device's packets to streams, and the stream services
 * shell (v1 and v2), exec and raw services. Facts: PROTOCOLS.md §4
 * (protocol.md, adb.cpp, transport.cpp, shell_protocol.h).
 */
#include "extract/android/stream.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_AUTH_WAIT_MS  30000u
#define DEFAULT_IO_TIMEOUT_MS 20000u

/* What we tell the device we speak (the host banner, "host::features=..."). */
#define HOST_BANNER "host::features=shell_v2,cmd,stat_v2,ls_v2"

struct cu_adb_stream {
	struct cu_adb_stream *next;
	struct cu_adb *a;
	uint32_t local, remote;
	bool opening, open, peer_closed;
	bool can_write;     /* the OKAY for our last WRTE (or the OPEN) came */
	unsigned char *buf; /* the device's unacknowledged WRTE payload */
	size_t len, off;    /* [off, len) unread */
	bool has_data;
	char service[64];
};

struct cu_adb {
	struct cu_adb_transport *t;
	unsigned io_timeout_ms, auth_wait_ms;
	char *key_path; /* NULL = default */
	const struct cu_adb_key *key;
	struct cu_adb_key *own_key;
	uint32_t version, max_payload;
	bool connected; /* the device's CNXN came */
	bool broken;    /* the packet stream failed: every later call fails */
	char *banner;
	struct cu_adb_banner info;
	char serial[128];
	uint32_t next_id;
	struct cu_adb_stream *streams;
	unsigned char *scratch; /* payloads that go to no stream */
	size_t scratch_cap;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *cu_adb_name(const struct cu_adb *a)
{
	return a->t->name;
}

const char *cu_adb_banner(const struct cu_adb *a)
{
	return a->banner ? a->banner : "";
}

bool cu_adb_has_feature(const struct cu_adb *a, const char *feature)
{
	return cu_adb_feature_in(a->info.features, feature);
}

const char *cu_adb_serial(const struct cu_adb *a)
{
	return a->serial;
}

uint32_t cu_adb_version(const struct cu_adb *a)
{
	return a->version;
}

uint32_t cu_adb_max_payload(const struct cu_adb *a)
{
	return a->max_payload;
}

static bool with_checksum(const struct cu_adb *a)
{
	return !a->connected || a->version < CU_ADB_VERSION_SKIP_CHECKSUM;
}

static enum cu_status send_packet(struct cu_adb *a, uint32_t cmd, uint32_t arg0, uint32_t arg1,
				  const void *payload, size_t n, struct cu_error *err)
{
	unsigned char hdr[CU_ADB_HEADER_SIZE];
	enum cu_status rc;

	if (a->broken)
		return cu_error_set(err, CU_E_DEVICE,
				    "%s: the connection failed earlier; reconnect the device",
				    a->t->name);
	cu_adb_header_pack(cmd, arg0, arg1, payload, (uint32_t)n, with_checksum(a), hdr);
	rc = a->t->ops->send(a->t, hdr, payload, n, a->io_timeout_ms, err);
	if (rc != CU_OK)
		a->broken = true;
	return rc;
}

static struct cu_adb_stream *find_stream(struct cu_adb *a, uint32_t local)
{
	for (struct cu_adb_stream *s = a->streams; s != NULL; s = s->next)
		if (s->local == local)
			return s;
	return NULL;
}

static enum cu_status ensure_scratch(struct cu_adb *a, size_t n, struct cu_error *err)
{
	unsigned char *grown;

	if (n <= a->scratch_cap)
		return CU_OK;
	grown = realloc(a->scratch, n);
	if (grown == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for a %zu-byte packet", n);
	a->scratch = grown;
	a->scratch_cap = n;
	return CU_OK;
}

/* Reads one packet (header, then payload) within timeout_ms. The payload of a WRTE for
 * an open stream lands in that stream's buffer (*dest_stream set), anything else in
 * a->scratch. */
static enum cu_status read_packet(struct cu_adb *a, unsigned timeout_ms, struct cu_adb_header *h,
				  const unsigned char **payload, struct cu_adb_stream **dest_stream,
				  struct cu_error *err)
{
	unsigned char hdr[CU_ADB_HEADER_SIZE];
	unsigned char *dest;
	struct cu_adb_stream *s = NULL;
	enum cu_status rc;

	rc = a->t->ops->recv(a->t, hdr, sizeof(hdr), timeout_ms, err);
	if (rc != CU_OK)
		goto fail_io; /* the transport's message names the device */
	rc =
	    cu_adb_header_parse(hdr, a->connected ? a->max_payload : CU_ADB_MAX_PAYLOAD_V1, h, err);
	if (rc != CU_OK)
		goto fail;
	if (h->command == CU_ADB_WRTE) {
		s = find_stream(a, h->arg1);
		if (s != NULL && s->open && s->remote != h->arg0) {
			rc = cu_error_set(err, CU_E_FORMAT,
					  "WRTE on '%s' from remote id %u (the stream is %u)",
					  s->service, (unsigned)h->arg0, (unsigned)s->remote);
			goto fail;
		}
		if (s != NULL && (!s->open || s->has_data))
			s = NULL;
	}
	if (s != NULL) {
		dest = s->buf;
	} else {
		rc = ensure_scratch(a, h->data_length, err);
		if (rc != CU_OK)
			goto fail;
		dest = a->scratch;
	}
	if (h->data_length > 0) {
		rc = a->t->ops->recv(a->t, dest, h->data_length, timeout_ms, err);
		if (rc != CU_OK)
			goto fail_io;
	}
	rc = cu_adb_payload_verify(h, dest,
				   !a->connected                               ? CU_ADB_CHECK_LAX
				   : a->version < CU_ADB_VERSION_SKIP_CHECKSUM ? CU_ADB_CHECK_STRICT
									       : CU_ADB_CHECK_NONE,
				   err);
	if (rc != CU_OK)
		goto fail;
	*payload = dest;
	*dest_stream = s;
	return CU_OK;
fail:
	a->broken = true;
	return cu_error_prefix(err, "%s", a->t->name);
fail_io:
	a->broken = true;
	return rc;
}

/* Reads one packet after the handshake and routes it. */
static enum cu_status pump(struct cu_adb *a, struct cu_error *err)
{
	struct cu_adb_header h;
	const unsigned char *payload;
	struct cu_adb_stream *dest, *s;
	enum cu_status rc;

	if (a->broken)
		return cu_error_set(err, CU_E_DEVICE,
				    "%s: the connection failed earlier; reconnect the device",
				    a->t->name);
	rc = read_packet(a, a->io_timeout_ms, &h, &payload, &dest, err);
	if (rc != CU_OK)
		return rc;
	switch (h.command) {
	case CU_ADB_OKAY:
		s = find_stream(a, h.arg1);
		if (s == NULL)
			return CU_OK; /* for a stream we closed */
		if (s->opening) {
			if (h.arg0 == 0) {
				a->broken = true;
				return cu_error_set(err, CU_E_FORMAT,
						    "%s: OKAY with remote id 0 for '%s'",
						    a->t->name, s->service);
			}
			s->opening = false;
			s->open = true;
			s->remote = h.arg0;
			s->can_write = true;
		} else if (s->open && h.arg0 == s->remote) {
			s->can_write = true;
		}
		return CU_OK;
	case CU_ADB_WRTE:
		if (dest == NULL) {
			s = find_stream(a, h.arg1);
			if (s != NULL && s->open && s->has_data) {
				a->broken = true;
				return cu_error_set(err, CU_E_FORMAT,
						    "%s: a second WRTE on '%s' before our OKAY",
						    a->t->name, s->service);
			}
			/* A stream we closed: no OKAY, it is gone. */
			return CU_OK;
		}
		if (h.data_length == 0)
			return send_packet(a, CU_ADB_OKAY, dest->local, dest->remote, NULL, 0, err);
		dest->has_data = true;
		dest->off = 0;
		dest->len = h.data_length;
		return CU_OK;
	case CU_ADB_CLSE:
		s = find_stream(a, h.arg1);
		if (s != NULL && (s->opening || h.arg0 == s->remote)) {
			s->peer_closed = true;
			s->opening = false;
		}
		return CU_OK;
	case CU_ADB_OPEN:
		/* The device opening a stream to us (reverse forwarding): refused. */
		return send_packet(a, CU_ADB_CLSE, 0, h.arg0, NULL, 0, err);
	case CU_ADB_CNXN:
		a->broken = true;
		return cu_error_set(
		    err, CU_E_DEVICE,
		    "%s: the device restarted its adb connection (adbd restarted or "
		    "USB reset); reconnect and run again",
		    a->t->name);
	default:
		a->broken = true;
		return cu_error_set(err, CU_E_FORMAT,
				    "%s: unexpected %s packet after the handshake", a->t->name,
				    cu_adb_command_name(h.command));
	}
}

/* ---- handshake ------------------------------------------------------------ */

static enum cu_status need_key(struct cu_adb *a, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT;
	enum cu_status rc;

	if (a->key != NULL)
		return CU_OK;
	rc = a->key_path ? cu_buf_puts(&path, a->key_path, err)
			 : cu_adb_key_default_path(&path, err);
	if (rc == CU_OK)
		rc = cu_adb_key_load(path.data, true, &a->own_key, err);
	if (rc == CU_OK)
		a->key = a->own_key;
	cu_buf_release(&path);
	return rc;
}

static enum cu_status on_cnxn(struct cu_adb *a, const struct cu_adb_header *h,
			      const unsigned char *payload, struct cu_error *err)
{
	enum cu_status rc;

	if (h->arg0 < CU_ADB_VERSION_MIN)
		return cu_error_set(err, CU_E_UNSUPPORTED,
				    "%s: the device speaks adb protocol version 0x%08x, older than "
				    "0x%08x",
				    a->t->name, (unsigned)h->arg0, CU_ADB_VERSION_MIN);
	if (h->arg1 < CU_ADB_MIN_PEER_PAYLOAD)
		return cu_error_set(err, CU_E_FORMAT,
				    "%s: the device announces a max payload of %u bytes (at least "
				    "%u expected)",
				    a->t->name, (unsigned)h->arg1, CU_ADB_MIN_PEER_PAYLOAD);
	a->version =
	    h->arg0 < CU_ADB_VERSION_SKIP_CHECKSUM ? h->arg0 : CU_ADB_VERSION_SKIP_CHECKSUM;
	a->max_payload = h->arg1 < CU_ADB_MAX_PAYLOAD ? h->arg1 : CU_ADB_MAX_PAYLOAD;
	a->banner = cu_strndup((const char *)payload, h->data_length);
	if (a->banner == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory for the device banner");
	cu_adb_banner_parse((const char *)payload, h->data_length, &a->info);
	rc = ensure_scratch(a, a->max_payload, err);
	if (rc != CU_OK)
		return rc;
	a->connected = true;
	return CU_OK;
}

static enum cu_status handshake(struct cu_adb *a, struct cu_error *err)
{
	static const char host_banner[] = HOST_BANNER;
	struct cu_buf pub = CU_BUF_INIT;
	bool signed_once = false, key_sent = false;
	int64_t auth_deadline = 0;
	enum cu_status rc;

	rc = send_packet(a, CU_ADB_CNXN, CU_ADB_VERSION_SKIP_CHECKSUM, CU_ADB_MAX_PAYLOAD,
			 host_banner, sizeof(host_banner) - 1, err);
	if (rc != CU_OK)
		goto out;
	for (;;) {
		struct cu_adb_header h;
		const unsigned char *payload;
		struct cu_adb_stream *unused;
		unsigned wait = a->io_timeout_ms;

		if (key_sent) {
			int64_t left = auth_deadline - mono_ms();

			wait = left > 0 ? (unsigned)left : 1;
		}
		rc = read_packet(a, wait, &h, &payload, &unused, err);
		if (rc != CU_OK) {
			if (key_sent && rc == CU_E_DEVICE && strstr(err->msg, "timed out") != NULL)
				rc = cu_error_set(
				    err, CU_E_DEVICE,
				    "%s: unauthorized: unlock the phone and tap Allow "
				    "on the \"Allow USB debugging?\" prompt (waited %u "
				    "ms), then run again",
				    a->t->name, a->auth_wait_ms);
			else if (!signed_once && rc == CU_E_DEVICE)
				cu_error_prefix(err, "no answer to CONNECT (offline? is USB "
						     "debugging on?)");
			goto out;
		}
		if (h.command == CU_ADB_CNXN) {
			rc = on_cnxn(a, &h, payload, err);
			goto out;
		}
		if (h.command == CU_ADB_STLS) {
			rc =
			    cu_error_set(err, CU_E_DEVICE,
					 "%s: the device asks for TLS (wireless debugging), which "
					 "custos does not speak: connect it by USB, or enable `adb "
					 "tcpip` from a USB connection",
					 a->t->name);
			goto out;
		}
		if (h.command != CU_ADB_AUTH || h.arg0 != CU_ADB_AUTH_TOKEN) {
			rc = cu_error_set(err, CU_E_FORMAT,
					  "%s: unexpected %s packet (arg0 %u) during the handshake",
					  a->t->name, cu_adb_command_name(h.command),
					  (unsigned)h.arg0);
			a->broken = true;
			goto out;
		}
		if (h.data_length != CU_ADB_TOKEN_SIZE) {
			rc = cu_error_set(err, CU_E_FORMAT, "%s: AUTH token of %u bytes (not %u)",
					  a->t->name, (unsigned)h.data_length, CU_ADB_TOKEN_SIZE);
			a->broken = true;
			goto out;
		}
		if (!signed_once) {
			unsigned char token[CU_ADB_TOKEN_SIZE], sig[256];

			/* The token sits in scratch, which loading the key leaves alone. */
			memcpy(token, payload, sizeof(token));
			rc = need_key(a, err);
			if (rc == CU_OK)
				rc = cu_adb_key_sign(a->key, token, sizeof(token), sig, err);
			if (rc == CU_OK)
				rc = send_packet(a, CU_ADB_AUTH, CU_ADB_AUTH_SIGNATURE, 0, sig,
						 sizeof(sig), err);
			if (rc != CU_OK)
				goto out;
			signed_once = true;
		} else if (!key_sent) {
			/* Our key is not known to the phone: offer it, the phone shows
			 * "Allow USB debugging?" and answers CNXN once allowed. */
			rc = cu_adb_key_pubkey_text(a->key, "custos@host", &pub, err);
			if (rc == CU_OK)
				rc = cu_buf_putc(&pub, '\0', err);
			if (rc == CU_OK)
				rc = send_packet(a, CU_ADB_AUTH, CU_ADB_AUTH_RSAPUBLICKEY, 0,
						 pub.data, pub.len, err);
			if (rc != CU_OK)
				goto out;
			key_sent = true;
			auth_deadline = mono_ms() + a->auth_wait_ms;
			cu_info("%s: waiting up to %u s for \"Allow USB debugging?\" to be allowed "
				"on the phone",
				a->t->name, a->auth_wait_ms / 1000);
		}
		/* A token after the key was offered: keep waiting for the tap. */
	}
out:
	cu_buf_release(&pub);
	return rc;
}

enum cu_status cu_adb_open_transport(struct cu_adb_transport *t, const char *serial,
				     const struct cu_adb_opts *o, const struct cu_adb_key *key,
				     struct cu_adb **out, struct cu_error *err)
{
	struct cu_adb *a = cu_calloc(1, sizeof(*a));
	enum cu_status rc;

	if (a == NULL) {
		t->ops->close(t);
		return cu_error_set(err, CU_E_NOMEM, "out of memory for an adb connection");
	}
	a->t = t;
	a->io_timeout_ms = o && o->io_timeout_ms ? o->io_timeout_ms : DEFAULT_IO_TIMEOUT_MS;
	a->auth_wait_ms = o && o->auth_wait_ms ? o->auth_wait_ms : DEFAULT_AUTH_WAIT_MS;
	a->key = key;
	a->next_id = 1;
	a->version = CU_ADB_VERSION_MIN;
	snprintf(a->serial, sizeof(a->serial), "%s", serial ? serial : t->serial);
	if (o && o->key_path && (a->key_path = cu_strdup(o->key_path)) == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "out of memory for an adb connection");
		goto fail;
	}
	rc = ensure_scratch(a, CU_ADB_MAX_PAYLOAD_V1, err);
	if (rc == CU_OK)
		rc = handshake(a, err);
	if (rc != CU_OK)
		goto fail;
	*out = a;
	return CU_OK;
fail:
	cu_adb_close(a);
	return rc;
}

void cu_adb_close(struct cu_adb *a)
{
	if (a == NULL)
		return;
	while (a->streams != NULL)
		cu_adb_stream_close(a->streams);
	a->t->ops->close(a->t);
	cu_adb_key_free(a->own_key);
	free(a->key_path);
	free(a->banner);
	free(a->scratch);
	free(a);
}

/* ---- streams -------------------------------------------------------------- */

const char *cu_adb_stream_service(const struct cu_adb_stream *s)
{
	return s->service;
}

static void stream_free(struct cu_adb_stream *s)
{
	struct cu_adb_stream **pp = &s->a->streams;

	while (*pp != NULL && *pp != s)
		pp = &(*pp)->next;
	if (*pp == s)
		*pp = s->next;
	free(s->buf);
	free(s);
}

void cu_adb_stream_close(struct cu_adb_stream *s)
{
	struct cu_error e;

	if (s == NULL)
		return;
	if (s->open && !s->a->broken)
		(void)send_packet(s->a, CU_ADB_CLSE, s->local, s->remote, NULL, 0, &e);
	stream_free(s);
}

/* The service as messages show it: the command of a shell, cut. */
static void set_service_name(struct cu_adb_stream *s, const char *service)
{
	size_t n = strlen(service);

	if (n >= sizeof(s->service)) {
		n = cu_utf8_valid_prefix(service, sizeof(s->service) - 4);
		memcpy(s->service, service, n);
		memcpy(s->service + n, "...", 4);
	} else {
		memcpy(s->service, service, n + 1);
	}
}

enum cu_status cu_adb_stream_open(struct cu_adb *a, const char *service, struct cu_adb_stream **out,
				  struct cu_error *err)
{
	struct cu_adb_stream *s;
	size_t n = strlen(service) + 1;
	enum cu_status rc;

	if (n > a->max_payload || n > CU_ADB_MAX_PAYLOAD_V1)
		return cu_error_set(err, CU_E_LIMIT,
				    "adb service of %zu bytes is too long (max %u)", n,
				    CU_ADB_MAX_PAYLOAD_V1 - 1);
	s = cu_calloc(1, sizeof(*s));
	if (s == NULL || (s->buf = cu_malloc(a->max_payload)) == NULL) {
		free(s);
		return cu_error_set(err, CU_E_NOMEM, "out of memory opening '%s'", service);
	}
	s->a = a;
	s->local = a->next_id++;
	if (a->next_id == 0)
		a->next_id = 1;
	s->opening = true;
	set_service_name(s, service);
	s->next = a->streams;
	a->streams = s;
	rc = send_packet(a, CU_ADB_OPEN, s->local, 0, service, n, err);
	while (rc == CU_OK && s->opening)
		rc = pump(a, err);
	if (rc == CU_OK && !s->open)
		rc = cu_error_set(err, CU_E_DEVICE,
				  "%s: the device refused the service '%s' (closed it at once)",
				  a->t->name, s->service);
	if (rc != CU_OK) {
		stream_free(s);
		return rc;
	}
	*out = s;
	return CU_OK;
}

enum cu_status cu_adb_stream_peek(struct cu_adb_stream *s, const unsigned char **p, size_t *n,
				  struct cu_error *err)
{
	while (!s->has_data) {
		enum cu_status rc;

		if (s->peer_closed || !s->open) {
			*p = NULL;
			*n = 0;
			return CU_OK;
		}
		rc = pump(s->a, err);
		if (rc != CU_OK)
			return rc;
	}
	*p = s->buf + s->off;
	*n = s->len - s->off;
	return CU_OK;
}

enum cu_status cu_adb_stream_consume(struct cu_adb_stream *s, size_t n, struct cu_error *err)
{
	if (!s->has_data || n > s->len - s->off)
		CU_BUG("stream consume past the data");
	s->off += n;
	if (s->off < s->len)
		return CU_OK;
	s->has_data = false;
	s->off = s->len = 0;
	if (s->peer_closed)
		return CU_OK;
	return send_packet(s->a, CU_ADB_OKAY, s->local, s->remote, NULL, 0, err);
}

enum cu_status cu_adb_stream_read(struct cu_adb_stream *s, void *p, size_t n, const char *what,
				  struct cu_error *err)
{
	size_t got = 0;

	while (got < n) {
		const unsigned char *q;
		size_t avail, take;
		enum cu_status rc = cu_adb_stream_peek(s, &q, &avail, err);

		if (rc != CU_OK)
			return rc;
		if (avail == 0)
			return cu_error_set(err, CU_E_DEVICE,
					    "%s: '%s' closed by the device in the middle of %s "
					    "(%zu of %zu bytes)",
					    s->a->t->name, s->service, what, got, n);
		take = avail < n - got ? avail : n - got;
		memcpy((char *)p + got, q, take);
		got += take;
		rc = cu_adb_stream_consume(s, take, err);
		if (rc != CU_OK)
			return rc;
	}
	return CU_OK;
}

enum cu_status cu_adb_stream_write(struct cu_adb_stream *s, const void *p, size_t n,
				   struct cu_error *err)
{
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done < s->a->max_payload ? n - done : s->a->max_payload;
		enum cu_status rc = CU_OK;

		while (rc == CU_OK && !s->can_write && !s->peer_closed)
			rc = pump(s->a, err);
		if (rc != CU_OK)
			return rc;
		if (s->peer_closed)
			return cu_error_set(err, CU_E_DEVICE, "%s: '%s' closed by the device",
					    s->a->t->name, s->service);
		rc = send_packet(s->a, CU_ADB_WRTE, s->local, s->remote, (const char *)p + done,
				 chunk, err);
		if (rc != CU_OK)
			return rc;
		s->can_write = false;
		done += chunk;
	}
	return CU_OK;
}

/* ---- shell, exec, raw services -------------------------------------------- */

static enum cu_status stopped(struct cu_adb_stream *s, struct cu_error *err)
{
	enum cu_status rc = cu_error_set(err, CU_E_INTERRUPTED, "%s: '%s' stopped by the receiver",
					 s->a->t->name, s->service);
	cu_adb_stream_close(s);
	return rc;
}

/* Everything the device writes goes to the sink as stream 1 until it closes. */
static enum cu_status run_raw(struct cu_adb *a, const char *service, cu_adb_sink sink, void *ctx,
			      struct cu_error *err)
{
	struct cu_adb_stream *s = NULL;
	enum cu_status rc;

	rc = cu_adb_stream_open(a, service, &s, err);
	if (rc != CU_OK)
		return rc;
	for (;;) {
		const unsigned char *p;
		size_t n;

		rc = cu_adb_stream_peek(s, &p, &n, err);
		if (rc != CU_OK || n == 0)
			break;
		if (!sink(ctx, 1, p, n))
			return stopped(s, err);
		rc = cu_adb_stream_consume(s, n, err);
		if (rc != CU_OK)
			break;
	}
	cu_adb_stream_close(s);
	return rc;
}

static enum cu_status build_service(struct cu_buf *b, const char *prefix, const char *cmd,
				    struct cu_error *err)
{
	enum cu_status rc = cu_buf_puts(b, prefix, err);

	if (rc == CU_OK)
		rc = cu_buf_puts(b, cmd, err);
	return rc;
}

/* shell,v2: [u8 id][u32 LE len][data] frames; exit (id 3) carries one byte. */
static enum cu_status run_shell_v2(struct cu_adb *a, const char *service, cu_adb_sink sink,
				   void *ctx, int *exit_code, struct cu_error *err)
{
	struct cu_adb_stream *s = NULL;
	enum cu_status rc;

	static const unsigned char close_stdin[5] = {CU_ADB_SHELL_CLOSE_STDIN, 0, 0, 0, 0};

	rc = cu_adb_stream_open(a, service, &s, err);
	if (rc != CU_OK)
		return rc;
	/* Nothing is typed into a command: its stdin ends at once (adb shell -n), so a
	 * command that reads stdin finishes instead of waiting for ever. */
	rc = cu_adb_stream_write(s, close_stdin, sizeof(close_stdin), err);
	if (rc != CU_OK) {
		cu_adb_stream_close(s);
		return rc;
	}
	for (;;) {
		unsigned char fh[5];
		const unsigned char *p;
		size_t n;
		uint32_t left;

		rc = cu_adb_stream_peek(s, &p, &n, err);
		if (rc != CU_OK)
			break;
		if (n == 0) {
			rc = cu_error_set(err, CU_E_DEVICE,
					  "%s: '%s' ended without an exit status (the shell was "
					  "killed or the connection dropped)",
					  a->t->name, s->service);
			break;
		}
		rc = cu_adb_stream_read(s, fh, sizeof(fh), "a shell frame header", err);
		if (rc != CU_OK)
			break;
		left = (uint32_t)fh[1] | (uint32_t)fh[2] << 8 | (uint32_t)fh[3] << 16 |
		       (uint32_t)fh[4] << 24;
		if (left > CU_ADB_SHELL_FRAME_MAX) {
			rc = cu_error_set(
			    err, CU_E_FORMAT, "%s: shell frame of %u bytes (over %u) on '%s'",
			    a->t->name, (unsigned)left, CU_ADB_SHELL_FRAME_MAX, s->service);
			break;
		}
		if (fh[0] == CU_ADB_SHELL_EXIT) {
			unsigned char code;

			if (left != 1) {
				rc = cu_error_set(err, CU_E_FORMAT,
						  "%s: exit frame of %u bytes (not 1) on '%s'",
						  a->t->name, (unsigned)left, s->service);
				break;
			}
			rc = cu_adb_stream_read(s, &code, 1, "the exit status", err);
			if (rc == CU_OK)
				*exit_code = code;
			break;
		}
		while (left > 0) {
			rc = cu_adb_stream_peek(s, &p, &n, err);
			if (rc != CU_OK)
				goto out;
			if (n == 0) {
				rc =
				    cu_error_set(err, CU_E_DEVICE,
						 "%s: '%s' closed by the device in the middle of a "
						 "frame",
						 a->t->name, s->service);
				goto out;
			}
			if (n > left)
				n = left;
			if ((fh[0] == CU_ADB_SHELL_STDOUT || fh[0] == CU_ADB_SHELL_STDERR) &&
			    !sink(ctx, fh[0], p, n))
				return stopped(s, err);
			rc = cu_adb_stream_consume(s, n, err);
			if (rc != CU_OK)
				goto out;
			left -= (uint32_t)n;
		}
	}
out:
	cu_adb_stream_close(s);
	return rc;
}

enum cu_status cu_adb_shell(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			    int *exit_code, struct cu_error *err)
{
	struct cu_buf svc = CU_BUF_INIT;
	bool v2 = cu_adb_has_feature(a, "shell_v2");
	int code = -1;
	enum cu_status rc;

	rc = build_service(&svc, v2 ? "shell,v2,raw:" : "shell:", cmd, err);
	if (rc == CU_OK)
		rc = v2 ? run_shell_v2(a, svc.data, sink, ctx, &code, err)
			: run_raw(a, svc.data, sink, ctx, err);
	cu_buf_release(&svc);
	if (rc == CU_OK && exit_code != NULL)
		*exit_code = code;
	return rc;
}

enum cu_status cu_adb_exec(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			   struct cu_error *err)
{
	struct cu_buf svc = CU_BUF_INIT;
	enum cu_status rc;

	rc = build_service(&svc, "exec:", cmd, err);
	if (rc == CU_OK)
		rc = run_raw(a, svc.data, sink, ctx, err);
	cu_buf_release(&svc);
	return rc;
}

enum cu_status cu_adb_service_raw(struct cu_adb *a, const char *service, cu_adb_sink sink,
				  void *ctx, struct cu_error *err)
{
	return run_raw(a, service, sink, ctx, err);
}
