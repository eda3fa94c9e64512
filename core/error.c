/*
 * error.c - the caller-owned error record (struct cu_error).
 *
 * Nothing here allocates: messages are formatted into the fixed buffer
 * inside the record and truncated (with a trailing "...") when too long,
 * so reporting an out-of-memory condition cannot itself fail.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "core/core.h"

/* Marks a message that did not fit in CU_ERROR_MSG_MAX. */
static void mark_truncated(char *msg)
{
	static const char dots[] = "...";
	size_t at = CU_ERROR_MSG_MAX - sizeof(dots);

	memcpy(msg + at, dots, sizeof(dots));
}

/* vsnprintf into msg, noting truncation; never fails. */
static void format_into(char *msg, size_t size, const char *fmt, va_list ap)
{
	int r = vsnprintf(msg, size, fmt, ap);

	if (r < 0)
		msg[0] = '\0';
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
	int r;

	if (err == NULL)
		return code;
	/* Format into a scratch copy first: arguments may point into err->msg. */
	r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (r < 0)
		tmp[0] = '\0';
	memcpy(err->msg, tmp, sizeof(tmp));
	if (r >= (int)sizeof(tmp))
		mark_truncated(err->msg);
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

/* Appends text to err->msg, truncating with "..." when it does not fit. */
static void append(struct cu_error *err, const char *text)
{
	size_t have = strnlen(err->msg, CU_ERROR_MSG_MAX - 1);
	size_t add = strlen(text);

	if (have + add >= CU_ERROR_MSG_MAX) {
		memcpy(err->msg + have, text, CU_ERROR_MSG_MAX - 1 - have);
		err->msg[CU_ERROR_MSG_MAX - 1] = '\0';
		mark_truncated(err->msg);
		return;
	}
	memcpy(err->msg + have, text, add + 1);
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
	size_t clen, olen;
	va_list ap;

	if (err == NULL)
		return CU_E_INTERNAL;
	va_start(ap, fmt);
	format_into(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[CU_ERROR_MSG_MAX - 1] = '\0';
	clen = strlen(ctx);
	olen = strlen(old);
	if (olen == 0) {
		memcpy(err->msg, ctx, clen + 1);
		return err->code;
	}
	/* "ctx: old"; when too long the tail of the inner message is cut. */
	if (clen + 2 >= CU_ERROR_MSG_MAX) {
		memcpy(err->msg, ctx, CU_ERROR_MSG_MAX);
		err->msg[CU_ERROR_MSG_MAX - 1] = '\0';
		mark_truncated(err->msg);
		return err->code;
	}
	memcpy(err->msg, ctx, clen);
	memcpy(err->msg + clen, ": ", 2);
	if (clen + 2 + olen >= CU_ERROR_MSG_MAX) {
		memcpy(err->msg + clen + 2, old, CU_ERROR_MSG_MAX - 1 - clen - 2);
		err->msg[CU_ERROR_MSG_MAX - 1] = '\0';
		mark_truncated(err->msg);
	} else {
		memcpy(err->msg + clen + 2, old, olen + 1);
	}
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
