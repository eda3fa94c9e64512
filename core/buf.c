/*
 * buf.c - growing byte buffers with a hard cap (curl's dynbuf idea).
 * Growth goes through cu_reallocarray() so tests can inject failures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void cu_buf_init(struct cu_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max == 0 ? CU_BUF_DEFAULT_MAX : max;
}

void cu_buf_release(struct cu_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void cu_buf_reset(struct cu_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

enum cu_status cu_buf_grow(struct cu_buf *b, size_t extra, struct cu_error *err)
{
	size_t need, newcap;
	char *p;

	/* len + extra bytes of content plus the terminating NUL. */
	if (cu_add_overflow(b->len, extra, &need) || need > b->max)
		return cu_error_set(err, CU_E_LIMIT,
				    "buffer would exceed its cap of %zu bytes (have %zu, need %zu "
				    "more)",
				    b->max, b->len, extra);
	need++;
	if (need <= b->cap)
		return CU_OK;
	newcap = b->cap < 64 ? 64 : b->cap;
	while (newcap < need) {
		if (newcap > SIZE_MAX / 2) {
			newcap = need;
			break;
		}
		newcap *= 2;
	}
	/* Never allocate far beyond the cap (+1 for the NUL). */
	if (b->max < SIZE_MAX && newcap > b->max + 1)
		newcap = b->max + 1 > need ? b->max + 1 : need;
	p = cu_reallocarray(b->data, newcap, 1);
	if (p == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory growing a buffer to %zu bytes",
				    newcap);
	if (b->data == NULL)
		p[0] = '\0';
	b->data = p;
	b->cap = newcap;
	return CU_OK;
}

enum cu_status cu_buf_append(struct cu_buf *b, const void *p, size_t n, struct cu_error *err)
{
	enum cu_status rc;

	rc = cu_buf_grow(b, n, err);
	if (rc != CU_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CU_OK;
}

enum cu_status cu_buf_puts(struct cu_buf *b, const char *s, struct cu_error *err)
{
	return cu_buf_append(b, s, strlen(s), err);
}

enum cu_status cu_buf_putc(struct cu_buf *b, char c, struct cu_error *err)
{
	return cu_buf_append(b, &c, 1, err);
}

enum cu_status cu_buf_vprintf(struct cu_buf *b, struct cu_error *err, const char *fmt, va_list ap)
{
	enum cu_status rc;
	va_list ap2;
	char small[256];
	int r;

	va_copy(ap2, ap);
	r = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (r < 0)
		return cu_error_set(err, CU_E_INTERNAL, "formatting failed in a buffer printf");
	if ((size_t)r < sizeof(small))
		return cu_buf_append(b, small, (size_t)r, err);
	rc = cu_buf_grow(b, (size_t)r, err);
	if (rc != CU_OK)
		return rc;
	va_copy(ap2, ap);
	r = vsnprintf(b->data + b->len, (size_t)r + 1, fmt, ap2);
	va_end(ap2);
	if (r < 0) {
		b->data[b->len] = '\0';
		return cu_error_set(err, CU_E_INTERNAL, "formatting failed in a buffer printf");
	}
	b->len += (size_t)r;
	return CU_OK;
}

enum cu_status cu_buf_printf(struct cu_buf *b, struct cu_error *err, const char *fmt, ...)
{
	enum cu_status rc;
	va_list ap;

	va_start(ap, fmt);
	rc = cu_buf_vprintf(b, err, fmt, ap);
	va_end(ap);
	return rc;
}

char *cu_buf_detach(struct cu_buf *b, size_t *len)
{
	char *p = b->data;
	size_t n = b->len;

	if (p == NULL) {
		/* Documented as never NULL: an empty buffer yields "". Use plain
		 * malloc so that a failure-injection hook cannot break this
		 * promise; if even 1 byte is unavailable we cannot go on. */
		p = malloc(1);
		if (p == NULL)
			CU_BUG("out of memory allocating one byte");
		p[0] = '\0';
		n = 0;
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	if (len != NULL)
		*len = n;
	return p;
}

void cu_text_init(struct cu_text *t, struct cu_buf *out)
{
	t->out = out;
	cu_error_clear(&t->err);
}

bool cu_text_failed(const struct cu_text *t)
{
	return t->err.code != CU_OK;
}

void cu_text_append(struct cu_text *t, const void *p, size_t n)
{
	if (!cu_text_failed(t) && cu_buf_append(t->out, p, n, &t->err) != CU_OK &&
	    t->err.code == CU_OK)
		t->err.code = CU_E_INTERNAL;
}

void cu_text_puts(struct cu_text *t, const char *s)
{
	cu_text_append(t, s, strlen(s));
}

void cu_text_putc(struct cu_text *t, char c)
{
	cu_text_append(t, &c, 1);
}

void cu_text_printf(struct cu_text *t, const char *fmt, ...)
{
	va_list ap;

	if (cu_text_failed(t))
		return;
	va_start(ap, fmt);
	if (cu_buf_vprintf(t->out, &t->err, fmt, ap) != CU_OK && t->err.code == CU_OK)
		t->err.code = CU_E_INTERNAL;
	va_end(ap);
}

enum cu_status cu_text_finish(struct cu_text *t, struct cu_error *err)
{
	if (!cu_text_failed(t))
		return CU_OK;
	if (err != NULL)
		*err = t->err;
	return t->err.code;
}
