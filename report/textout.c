/*
 * textout.c - a generated text (manifest.json, case.jsonld) written to a
 * file in the seal's work folder while it is hashed, piece by piece, so a
 * text with one entry per evidence file is never whole in memory. Errors
 * are sticky: the first one is kept and returned by cu_textout_close().
 */
#include "report/seal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define TEXT_BUF ((size_t)1 << 20)

enum cu_status cu_textout_open(struct cu_textout *t, const char *path, unsigned algs,
			       struct cu_buf *mem, struct cu_error *err)
{
	enum cu_status st;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->mem = mem;
	cu_error_clear(&t->err);
	if (mem != NULL) {
		cu_buf_reset(mem);
	} else {
		if ((t->buf = cu_malloc(TEXT_BUF)) == NULL ||
		    (t->spare = cu_malloc(TEXT_BUF)) == NULL) {
			free(t->buf);
			t->buf = NULL;
			return cu_error_set(err, CU_E_NOMEM, "out of memory writing '%s'", path);
		}
		t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (t->fd < 0) {
			free(t->buf);
			free(t->spare);
			t->buf = t->spare = NULL;
			return cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", path);
		}
	}
	/* A file is hashed a buffer at a time, MD5 (and SM3) on their own
	 * threads: case.jsonld of a phone runs to gigabytes. */
	if (algs != 0 &&
	    (st = cu_hasher_new(algs, mem ? 0 : CU_HASHER_THREADED, &t->h, err)) != CU_OK) {
		cu_textout_abort(t);
		return st;
	}
	return CU_OK;
}

/* The full buffer is hashed and written; MD5 (and SM3) may still be
 * reading it on their threads when this returns, so the text goes on in
 * the other buffer (the next update waits for them): the slower digest
 * runs beside the writing of the text instead of holding it up. */
static void drain(struct cu_textout *t)
{
	if (t->st == CU_OK && t->h != NULL && t->len > 0 &&
	    cu_hasher_update_start(t->h, t->buf, t->len, &t->err) != CU_OK)
		t->st = t->err.code;
	if (t->st == CU_OK && t->len > 0)
		t->st = cu_write_all(t->fd, t->buf, t->len, "a generated text", &t->err);
	t->len = 0;
	char *other = t->spare;
	t->spare = t->buf;
	t->buf = other;
}

void cu_textout_put(struct cu_textout *t, const void *p, size_t n)
{
	const char *s = p;

	if (t->st != CU_OK || n == 0)
		return;
	t->size += n;
	if (t->mem != NULL) {
		if (t->h != NULL && cu_hasher_update(t->h, p, n, &t->err) != CU_OK) {
			t->st = t->err.code;
			return;
		}
		t->st = cu_buf_append(t->mem, p, n, &t->err);
		return;
	}
	while (n > 0 && t->st == CU_OK) {
		size_t k = TEXT_BUF - t->len;
		if (k > n)
			k = n;
		memcpy(t->buf + t->len, s, k);
		t->len += k;
		s += k;
		n -= k;
		if (t->len == TEXT_BUF)
			drain(t);
	}
}

void cu_textout_puts(struct cu_textout *t, const char *s)
{
	cu_textout_put(t, s, strlen(s));
}

/* Writes text, with `indent` spaces put after every newline: a value
 * dumped at depth 0 lands at the depth the caller is at (jansson's indent
 * is purely a count of spaces after each newline; strings never hold a raw
 * newline). */
void cu_textout_indented(struct cu_textout *t, const char *text, unsigned indent)
{
	static const char spaces[] = "                                ";
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL) {
			cu_textout_puts(t, p);
			return;
		}
		cu_textout_put(t, p, (size_t)(nl - p) + 1);
		for (unsigned k = indent; k > 0;) {
			unsigned c = k > sizeof(spaces) - 1 ? (unsigned)sizeof(spaces) - 1 : k;
			cu_textout_put(t, spaces, c);
			k -= c;
		}
		p = nl + 1;
	}
}

void cu_textout_json(struct cu_textout *t, const json_t *v, size_t flags, unsigned indent)
{
	char *s;

	if (t->st != CU_OK)
		return;
	if ((s = json_dumps(v, flags)) == NULL) {
		t->st = cu_error_set(&t->err, CU_E_NOMEM, "cannot serialise a generated text");
		return;
	}
	cu_textout_indented(t, s, indent);
	free(s);
}

enum cu_status cu_textout_close(struct cu_textout *t, struct cu_digests *d, struct cu_error *err)
{
	if (t->fd >= 0)
		drain(t);
	if (t->st == CU_OK && t->h != NULL && d != NULL &&
	    cu_hasher_final(t->h, d, &t->err) != CU_OK)
		t->st = t->err.code;
	if (t->fd >= 0 && close(t->fd) != 0 && t->st == CU_OK)
		t->st = cu_error_errno(&t->err, CU_E_IO, errno, "cannot close a generated text");
	t->fd = -1;
	enum cu_status st = t->st;
	if (st != CU_OK && err != NULL)
		*err = t->err;
	cu_textout_abort(t);
	t->st = st;
	return st;
}

void cu_textout_abort(struct cu_textout *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	cu_hasher_free(t->h); /* first: its threads may still read a buffer */
	t->h = NULL;
	free(t->buf);
	free(t->spare);
	t->buf = t->spare = NULL;
}

/* A JSON string literal as jansson writes it with the manifest's flags:
 * '"' and '\' escaped, \b \t \n \f \r by name, other controls as \u00XX
 * (upper-case hex), everything else (UTF-8, '/', DEL) as is. */
void cu_textout_jstr(struct cu_textout *t, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s;

	cu_textout_put(t, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cu_textout_put(t, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\f': esc[1] = 'f'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		cu_textout_put(t, esc, n);
	}
	cu_textout_put(t, run, (size_t)(s - run));
	cu_textout_put(t, "\"", 1);
}

/* "key": value-or-null, as one member line of an object at depth 3. */
void cu_textout_member(struct cu_textout *t, const char *key, const char *v, bool last)
{
	cu_textout_puts(t, "      \"");
	cu_textout_puts(t, key);
	cu_textout_puts(t, "\": ");
	if (v == NULL)
		cu_textout_puts(t, "null");
	else
		cu_textout_jstr(t, v);
	cu_textout_puts(t, last ? "\n" : ",\n");
}
