/*
 * transport.c - the byte-stream transports: an in-memory pair (tests and
 * fuzzers: a scripted device runs on the other end) and TCP (`adb tcpip`
 * devices, emulators and the simulated adbd: the identical message stream
 * over a socket, adb.h:192). USB is in usb.c.
 */
#include "extract/android/adb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- in-memory pair ------------------------------------------------------ */

struct mem_dir {
	unsigned char *data;
	size_t off, len, cap; /* bytes [off, len) are unread */
	bool writer_closed, reader_closed;
};

struct mem_shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mem_dir dir[2]; /* dir[0]: device -> host, dir[1]: host -> device */
	size_t max;
	int refs;
};

struct mem_end {
	struct cu_adb_transport base;
	struct mem_shared *sh;
	int side; /* reads dir[side], writes dir[1 - side] */
	bool shut;
};

static enum cu_status mem_put(struct mem_end *e, const void *p, size_t n, struct cu_error *err)
{
	struct mem_dir *d = &e->sh->dir[1 - e->side];
	size_t need;

	if (n == 0)
		return CU_OK;
	if (e->shut || d->writer_closed)
		return cu_error_set(err, CU_E_INTERNAL, "%s: write after shutdown", e->base.name);
	if (d->reader_closed)
		return cu_error_set(err, CU_E_DEVICE, "%s: the other end closed the connection",
				    e->base.name);
	if (d->off > 0 && d->off == d->len)
		d->off = d->len = 0;
	if (cu_add_overflow(d->len - d->off, n, &need) || need > e->sh->max)
		return cu_error_set(err, CU_E_LIMIT, "%s: more than %zu bytes buffered",
				    e->base.name, e->sh->max);
	if (d->len + n > d->cap) {
		size_t cap;
		unsigned char *grown;

		if (d->off > 0) {
			memmove(d->data, d->data + d->off, d->len - d->off);
			d->len -= d->off;
			d->off = 0;
		}
		cap = d->cap ? d->cap : 4096;
		while (cap < d->len + n)
			cap *= 2;
		if (cap != d->cap) {
			grown = realloc(d->data, cap);
			if (grown == NULL)
				return cu_error_set(err, CU_E_NOMEM, "%s: out of memory",
						    e->base.name);
			d->data = grown;
			d->cap = cap;
		}
	}
	memcpy(d->data + d->len, p, n);
	d->len += n;
	return CU_OK;
}

static enum cu_status mem_send(struct cu_adb_transport *t, const unsigned char *hdr,
			       const void *payload, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct mem_end *e = (struct mem_end *)t;
	enum cu_status rc;

	(void)timeout_ms;
	pthread_mutex_lock(&e->sh->mu);
	rc = mem_put(e, hdr, CU_ADB_HEADER_SIZE, err);
	if (rc == CU_OK)
		rc = mem_put(e, payload, n, err);
	pthread_cond_broadcast(&e->sh->cv);
	pthread_mutex_unlock(&e->sh->mu);
	return rc;
}

enum cu_status cu_adb_mem_write(struct cu_adb_transport *t, const void *p, size_t n,
				struct cu_error *err)
{
	struct mem_end *e = (struct mem_end *)t;
	enum cu_status rc;

	pthread_mutex_lock(&e->sh->mu);
	rc = mem_put(e, p, n, err);
	pthread_cond_broadcast(&e->sh->cv);
	pthread_mutex_unlock(&e->sh->mu);
	return rc;
}

static enum cu_status mem_recv(struct cu_adb_transport *t, void *p, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct mem_end *e = (struct mem_end *)t;
	struct mem_dir *d = &e->sh->dir[e->side];
	int64_t deadline = mono_ms() + timeout_ms;
	enum cu_status rc = CU_OK;

	pthread_mutex_lock(&e->sh->mu);
	while (d->len - d->off < n) {
		struct timespec ts;
		int64_t left;

		if (d->writer_closed) {
			rc = cu_error_set(err, CU_E_DEVICE,
					  "%s: connection closed by the device after %zu of %zu "
					  "bytes",
					  e->base.name, d->len - d->off, n);
			goto out;
		}
		left = deadline - mono_ms();
		if (left <= 0) {
			rc = cu_error_set(err, CU_E_DEVICE,
					  "%s: timed out after %u ms waiting for the device",
					  e->base.name, timeout_ms);
			goto out;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (long)(left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&e->sh->cv, &e->sh->mu, &ts);
	}
	memcpy(p, d->data + d->off, n);
	d->off += n;
out:
	pthread_mutex_unlock(&e->sh->mu);
	return rc;
}

size_t cu_adb_mem_pending(struct cu_adb_transport *t)
{
	struct mem_end *e = (struct mem_end *)t;
	size_t n;

	pthread_mutex_lock(&e->sh->mu);
	n = e->sh->dir[e->side].len - e->sh->dir[e->side].off;
	pthread_mutex_unlock(&e->sh->mu);
	return n;
}

void cu_adb_mem_shutdown(struct cu_adb_transport *t)
{
	struct mem_end *e = (struct mem_end *)t;

	pthread_mutex_lock(&e->sh->mu);
	e->sh->dir[1 - e->side].writer_closed = true;
	e->shut = true;
	pthread_cond_broadcast(&e->sh->cv);
	pthread_mutex_unlock(&e->sh->mu);
}

static void mem_close(struct cu_adb_transport *t)
{
	struct mem_end *e = (struct mem_end *)t;
	struct mem_shared *sh = e->sh;
	int left;

	pthread_mutex_lock(&sh->mu);
	sh->dir[1 - e->side].writer_closed = true;
	sh->dir[e->side].reader_closed = true;
	left = --sh->refs;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	free(e);
	if (left == 0) {
		free(sh->dir[0].data);
		free(sh->dir[1].data);
		pthread_cond_destroy(&sh->cv);
		pthread_mutex_destroy(&sh->mu);
		free(sh);
	}
}

static const struct cu_adb_transport_ops mem_ops = {mem_send, mem_recv, mem_close};

enum cu_status cu_adb_mem_pair(size_t max, struct cu_adb_transport **host,
			       struct cu_adb_transport **device, struct cu_error *err)
{
	struct mem_shared *sh = cu_calloc(1, sizeof(*sh));
	struct mem_end *h = cu_calloc(1, sizeof(*h));
	struct mem_end *d = cu_calloc(1, sizeof(*d));

	if (sh == NULL || h == NULL || d == NULL) {
		free(sh);
		free(h);
		free(d);
		return cu_error_set(err, CU_E_NOMEM, "out of memory for an in-memory transport");
	}
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->max = max ? max : (size_t)64 << 20;
	sh->refs = 2;
	h->base.ops = d->base.ops = &mem_ops;
	h->sh = d->sh = sh;
	h->side = 0;
	d->side = 1;
	snprintf(h->base.kind, sizeof(h->base.kind), "mem");
	snprintf(d->base.kind, sizeof(d->base.kind), "mem");
	snprintf(h->base.name, sizeof(h->base.name), "device mem");
	snprintf(d->base.name, sizeof(d->base.name), "host mem");
	snprintf(h->base.serial, sizeof(h->base.serial), "mem");
	*host = &h->base;
	*device = &d->base;
	return CU_OK;
}

/* ---- TCP ----------------------------------------------------------------- */

struct tcp_end {
	struct cu_adb_transport base;
	int fd;
};

/* Waits until fd is ready for events or the deadline passes. */
static enum cu_status tcp_wait(struct tcp_end *e, short events, int64_t deadline,
			       unsigned timeout_ms, struct cu_error *err)
{
	for (;;) {
		struct pollfd pfd = {e->fd, events, 0};
		int64_t left = deadline - mono_ms();
		int r;

		if (left <= 0)
			return cu_error_set(err, CU_E_DEVICE,
					    "%s: timed out after %u ms waiting for the device",
					    e->base.name, timeout_ms);
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return CU_OK;
		if (r < 0 && errno != EINTR)
			return cu_error_errno(err, CU_E_DEVICE, errno, "%s: poll", e->base.name);
	}
}

static enum cu_status tcp_send(struct cu_adb_transport *t, const unsigned char *hdr,
			       const void *payload, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct tcp_end *e = (struct tcp_end *)t;
	struct iovec iov[2] = {{(void *)hdr, CU_ADB_HEADER_SIZE}, {(void *)payload, n}};
	int iovcnt = n > 0 ? 2 : 1, first = 0;
	int64_t deadline = mono_ms() + timeout_ms;

	while (first < iovcnt) {
		/* sendmsg with MSG_NOSIGNAL: a phone that went away is an error here, not a
		 * SIGPIPE that kills the acquisition. */
		struct msghdr mh;
		ssize_t w;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov + first;
		mh.msg_iovlen = (size_t)(iovcnt - first);
		w = sendmsg(e->fd, &mh, MSG_NOSIGNAL);

		if (w < 0) {
			enum cu_status rc;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return cu_error_errno(err, CU_E_DEVICE, errno,
						      "%s: sending to the device", e->base.name);
			rc = tcp_wait(e, POLLOUT, deadline, timeout_ms, err);
			if (rc != CU_OK)
				return rc;
			continue;
		}
		while (first < iovcnt && (size_t)w >= iov[first].iov_len) {
			w -= (ssize_t)iov[first].iov_len;
			first++;
		}
		if (first < iovcnt) {
			iov[first].iov_base = (char *)iov[first].iov_base + w;
			iov[first].iov_len -= (size_t)w;
		}
	}
	return CU_OK;
}

static enum cu_status tcp_recv(struct cu_adb_transport *t, void *p, size_t n, unsigned timeout_ms,
			       struct cu_error *err)
{
	struct tcp_end *e = (struct tcp_end *)t;
	int64_t deadline = mono_ms() + timeout_ms;
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(e->fd, (char *)p + got, n - got, 0);

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return cu_error_set(err, CU_E_DEVICE,
					    "%s: connection closed by the device after %zu of %zu "
					    "bytes",
					    e->base.name, got, n);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return cu_error_errno(err, CU_E_DEVICE, errno,
					      "%s: reading from the device", e->base.name);
		enum cu_status rc = tcp_wait(e, POLLIN, deadline, timeout_ms, err);
		if (rc != CU_OK)
			return rc;
	}
	return CU_OK;
}

static void tcp_close(struct cu_adb_transport *t)
{
	struct tcp_end *e = (struct tcp_end *)t;

	close(e->fd);
	free(e);
}

static const struct cu_adb_transport_ops tcp_ops = {tcp_send, tcp_recv, tcp_close};

/* Splits "host:port", "[v6]:port" or "host" into host and port. */
static enum cu_status split_hostport(const char *hostport, char *host, size_t hostn, char *port,
				     size_t portn, struct cu_error *err)
{
	const char *colon;
	size_t hl;

	if (hostport == NULL || hostport[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "empty adb address: give HOST:PORT");
	if (hostport[0] == '[') {
		const char *close_br = strchr(hostport, ']');

		if (close_br == NULL)
			return cu_error_set(err, CU_E_USAGE,
					    "adb address '%s': missing ']' after the IPv6 address",
					    hostport);
		hl = (size_t)(close_br - hostport - 1);
		if (hl >= hostn)
			goto too_long;
		memcpy(host, hostport + 1, hl);
		host[hl] = '\0';
		colon = close_br[1] == ':' ? close_br + 1 : NULL;
		if (close_br[1] != '\0' && colon == NULL)
			return cu_error_set(err, CU_E_USAGE, "adb address '%s': expected ':PORT'",
					    hostport);
	} else {
		colon = strrchr(hostport, ':');
		if (colon != NULL && strchr(hostport, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		hl = colon ? (size_t)(colon - hostport) : strlen(hostport);
		if (hl >= hostn)
			goto too_long;
		memcpy(host, hostport, hl);
		host[hl] = '\0';
	}
	if (colon == NULL) {
		snprintf(port, portn, "5555");
	} else {
		uint64_t v;

		if (!cu_parse_u64(colon + 1, &v) || v == 0 || v > 65535)
			return cu_error_set(err, CU_E_USAGE,
					    "adb address '%s': the port must be 1..65535",
					    hostport);
		snprintf(port, portn, "%u", (unsigned)v);
	}
	if (host[0] == '\0')
		return cu_error_set(err, CU_E_USAGE, "adb address '%s': no host", hostport);
	return CU_OK;
too_long:
	return cu_error_set(err, CU_E_USAGE, "adb address '%s': host name too long", hostport);
}

enum cu_status cu_adb_tcp_connect(const char *hostport, unsigned timeout_ms,
				  struct cu_adb_transport **out, struct cu_error *err)
{
	char host[256], port[8];
	struct addrinfo hints, *res = NULL, *ai;
	struct tcp_end *e = NULL;
	enum cu_status rc;
	int fd = -1, gai, last_errno = 0;

	rc = split_hostport(hostport, host, sizeof(host), port, sizeof(port), err);
	if (rc != CU_OK)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0)
		return cu_error_set(err, CU_E_DEVICE,
				    "adb device %s: cannot resolve '%s': %s; check the address",
				    hostport, host, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			int r = poll(&pfd, 1, (int)timeout_ms);
			if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
			    soerr == 0)
				break;
			last_errno = r == 0 ? ETIMEDOUT : (soerr ? soerr : errno);
		} else {
			last_errno = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return cu_error_errno(err, CU_E_DEVICE, last_errno,
				      "adb device %s: cannot connect; check that the phone is on "
				      "the network and `adb tcpip` was enabled",
				      hostport);
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	e = cu_calloc(1, sizeof(*e));
	if (e == NULL) {
		close(fd);
		return cu_error_set(err, CU_E_NOMEM, "out of memory connecting to %s", hostport);
	}
	e->fd = fd;
	e->base.ops = &tcp_ops;
	snprintf(e->base.kind, sizeof(e->base.kind), "tcp");
	snprintf(e->base.name, sizeof(e->base.name), "adb device %s", hostport);
	snprintf(e->base.serial, sizeof(e->base.serial), "%s", hostport);
	*out = &e->base;
	return CU_OK;
}
