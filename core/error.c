/*
 * error.c - the caller-owned error record (struct cu_error).
 *
 * Messages are formatted into the fixed buffer inside the record. One too
 * long for it loses its middle, marked " … ", so the start (what failed)
 * and the end (why) both stay: a 10,000-byte member name cannot push the
 * reason out. Only such an over-long message allocates (to format it
 * whole once), and without memory its end is cut ("...") instead, so
 * reporting an out-of-memory condition cannot itself fail.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "core/core.h"

/* Where a message too long for its buffer is shortened: the middle goes,
 * marked " … ", so its start (what failed) and its end (the reason, which
 * comes last) both survive a huge path or member name. */
static const char ELLIPSIS[] = " \xe2\x80\xa6 ";

static bool utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Copies n bytes of src into dst (size bytes, NUL-terminated), dropping
 * the middle when they do not fit: a third of the room for the start, the
 * rest for the end; no UTF-8 sequence is split. */
static void elide_into(char *dst, size_t size, const char *src, size_t n)
{
	size_t room, head, tail, el = sizeof(ELLIPSIS) - 1;

	if (size == 0)
		return;
	if (n < size) {
		memmove(dst, src, n);
		dst[n] = '\0';
		return;
	}
	if (size <= el + 2) {
		memmove(dst, src, size - 1);
		dst[size - 1] = '\0';
		return;
	}
	room = size - 1 - el;
	head = room / 3;
	while (head > 0 && utf8_cont(src[head]))
		head--;
	tail = room - head;
	while (tail > 0 && utf8_cont(src[n - tail]))
		tail--;
	/* src may be dst itself (in place): the tail moves first. */
	memmove(dst + head + el, src + n - tail, tail);
	memmove(dst, src, head);
	memcpy(dst + head, ELLIPSIS, el);
	dst[head + el + tail] = '\0';
}

void cu_error_vformat(char *msg, size_t size, const char *fmt, va_list ap)
{
	va_list again;
	char *full;
	int r;

	va_copy(again, ap);
	r = vsnprintf(msg, size, fmt, ap);
	if (r < 0) {
		msg[0] = '\0';
	} else if ((size_t)r >= size && size > 0) {
		/* The only allocation here, and only for an over-long message:
		 * without memory the end is cut instead ("..."). */
		full = malloc((size_t)r + 1);
		if (full != NULL && vsnprintf(full, (size_t)r + 1, fmt, again) == r) {
			elide_into(msg, size, full, (size_t)r);
		} else if (size > 4) {
			memcpy(msg + size - 4, "...", 4);
		}
		free(full);
	}
	va_end(again);
}

/* vsnprintf into msg, shortened in the middle when too long; never fails. */
static void format_into(char *msg, size_t size, const char *fmt, va_list ap)
{
	cu_error_vformat(msg, size, fmt, ap);
}

void cu_error_clear(struct cu_error *err)
{
	if (err == NULL)
		return;
	err->code = CU_OK;
	err->msg[0] = '\0';
}

static enum cu_status error_vset(struct cu_error *err, enum cu_status code, const char *fmt,
				 va_list ap)
{
	char tmp[CU_ERROR_MSG_MAX];

	if (err == NULL)
		return code;
	/* Format into a scratch copy first: arguments may point into err->msg. */
	format_into(tmp, sizeof(tmp), fmt, ap);
	memcpy(err->msg, tmp, sizeof(tmp));
	err->code = code;
	return code;
}

enum cu_status cu_error_set(struct cu_error *err, enum cu_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

/* Joins a, sep and b into err->msg, shortened in the middle when too long. */
static void join(struct cu_error *err, const char *a, const char *sep, const char *b)
{
	char all[3 * CU_ERROR_MSG_MAX];
	size_t al = strnlen(a, CU_ERROR_MSG_MAX - 1), sl = strlen(sep);
	size_t bl = strnlen(b, CU_ERROR_MSG_MAX - 1);

	memcpy(all, a, al);
	memcpy(all + al, sep, sl);
	memcpy(all + al + sl, b, bl);
	elide_into(err->msg, CU_ERROR_MSG_MAX, all, al + sl + bl);
}

/* Appends text to err->msg, shortening the middle when it does not fit. */
static void append(struct cu_error *err, const char *text)
{
	char old[CU_ERROR_MSG_MAX];

	memcpy(old, err->msg, sizeof(old));
	old[CU_ERROR_MSG_MAX - 1] = '\0';
	join(err, old, "", text);
}

enum cu_status cu_error_errno(struct cu_error *err, enum cu_status code, int errno_value,
			      const char *fmt, ...)
{
	char ebuf[256];
	const char *etext;
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	/* The GNU strerror_r returns the text (maybe not in ebuf). */
	etext = strerror_r(errno_value, ebuf, sizeof(ebuf));
	append(err, ": ");
	append(err, etext != NULL ? etext : "unknown error");
	return code;
}

enum cu_status cu_error_prefix(struct cu_error *err, const char *fmt, ...)
{
	char ctx[CU_ERROR_MSG_MAX];
	char old[CU_ERROR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return CU_E_INTERNAL;
	va_start(ap, fmt);
	format_into(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[CU_ERROR_MSG_MAX - 1] = '\0';
	/* "ctx: old"; when too long the middle goes, so the context in
	 * front and the reason at the end both stay. */
	join(err, ctx, old[0] != '\0' ? ": " : "", old);
	return err->code;
}

enum cu_status cu_error_openssl(struct cu_error *err, const char *fmt, ...)
{
	unsigned long e;
	bool any = false;
	va_list ap;

	if (err == NULL) {
		ERR_clear_error();
		return CU_E_CRYPTO;
	}
	va_start(ap, fmt);
	error_vset(err, CU_E_CRYPTO, fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		char ebuf[256];

		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		append(err, any ? "; " : ": ");
		append(err, ebuf);
		any = true;
	}
	if (!any)
		append(err, ": no openssl error queued");
	return err->code;
}

const char *cu_strerror(enum cu_status code)
{
	switch (code) {
	case CU_OK: return "success";
	case CU_E_NOMEM: return "out of memory";
	case CU_E_USAGE: return "usage error";
	case CU_E_IO: return "input/output error";
	case CU_E_FORMAT: return "corrupt or malformed input";
	case CU_E_UNSUPPORTED: return "unsupported input";
	case CU_E_KEY: return "wrong or missing key";
	case CU_E_INTEGRITY: return "integrity failure";
	case CU_E_DEVICE: return "device error";
	case CU_E_EXISTS: return "already exists";
	case CU_E_NOTFOUND: return "not found";
	case CU_E_LIMIT: return "size limit exceeded";
	case CU_E_CRYPTO: return "cryptographic operation failed";
	case CU_E_PATH: return "unsafe path";
	case CU_E_PARTIAL: return "partially failed";
	case CU_E_NOT_IMPLEMENTED: return "not implemented";
	case CU_E_INTERNAL: return "internal error";
	case CU_E_INTERRUPTED: return "interrupted";
	}
	return "unknown error";
}

int cu_status_exit_code(enum cu_status code)
{
	switch (code) {
	case CU_OK: return 0;
	case CU_E_INTEGRITY: return 1;
	case CU_E_USAGE:
	case CU_E_NOT_IMPLEMENTED: return 2;
	case CU_E_DEVICE: return 4;
	case CU_E_PARTIAL:
	case CU_E_INTERRUPTED: return 5;
	case CU_E_NOMEM:
	case CU_E_IO:
	case CU_E_FORMAT:
	case CU_E_UNSUPPORTED:
	case CU_E_KEY:
	case CU_E_EXISTS:
	case CU_E_NOTFOUND:
	case CU_E_LIMIT:
	case CU_E_CRYPTO:
	case CU_E_PATH:
	case CU_E_INTERNAL: return 3;
	}
	return 3;
}

void cu_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "custos: internal error (bug) at %s:%d: %s\n", file, line,
		what != NULL ? what : "?");
	fflush(stderr);
	abort();
}
