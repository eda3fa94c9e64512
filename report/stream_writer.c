/*
 * stream_writer.c - the streamed HTML/XML file writer of the report (html_int.h):
 * a FILE with a 1 MiB buffer and a sticky error, so a page of a million
 * messages is written row by row without ever being held in memory.
 */
#include "report/html_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HW_BUF ((size_t)1 << 20)

enum cu_status hw_open(struct hw *w, const char *path, struct cu_error *err)
{
	int fd;

	memset(w, 0, sizeof(*w));
	cu_buf_init(&w->tmp, (size_t)64 << 20);
	if ((w->path = cu_strdup(path)) == NULL || (w->fbuf = cu_malloc(HW_BUF)) == NULL) {
		free(w->path);
		w->path = NULL;
		return cu_error_set(err, CU_E_NOMEM, "report: out of memory");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || (w->f = fdopen(fd, "w")) == NULL) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		free(w->path);
		free(w->fbuf);
		w->path = w->fbuf = NULL;
		return cu_error_errno(err, CU_E_IO, e, "cannot create report file '%s'", path);
	}
	setvbuf(w->f, w->fbuf, _IOFBF, HW_BUF);
	return CU_OK;
}

void hw_rawn(struct hw *w, const char *s, size_t n)
{
	if (w->failed || n == 0)
		return;
	if (fwrite(s, 1, n, w->f) != n) {
		cu_error_errno(&w->err, CU_E_IO, errno, "cannot write '%s'", w->path);
		w->failed = true;
	}
}

void hw_raw(struct hw *w, const char *s)
{
	hw_rawn(w, s, strlen(s));
}

void hw_printf(struct hw *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	cu_buf_reset(&w->tmp);
	va_start(ap, fmt);
	if (cu_buf_vprintf(&w->tmp, &w->err, fmt, ap) != CU_OK)
		w->failed = true;
	va_end(ap);
	if (!w->failed)
		hw_rawn(w, w->tmp.data, w->tmp.len);
}

void hw_textf(struct hw *w, const char *s, size_t n, unsigned flags)
{
	if (w->failed || s == NULL)
		return;
	cu_buf_reset(&w->tmp);
	if (cu_html_escape(&w->tmp, s, n, flags, &w->err) != CU_OK) {
		w->failed = true;
		return;
	}
	hw_rawn(w, w->tmp.data ? w->tmp.data : "", w->tmp.len);
}

void hw_text(struct hw *w, const char *s)
{
	if (s != NULL)
		hw_textf(w, s, strlen(s), 0);
}

void hw_text1(struct hw *w, const char *s)
{
	if (s != NULL)
		hw_textf(w, s, strlen(s), CU_ESC_ONELINE);
}

void hw_attr(struct hw *w, const char *s)
{
	if (s != NULL)
		hw_textf(w, s, strlen(s), CU_ESC_ATTR);
}

bool hw_url(struct hw *w, const char *prefix, const char *rel)
{
	struct cu_error e;

	if (w->failed)
		return true;
	cu_buf_reset(&w->tmp);
	if (cu_html_url_path(&w->tmp, prefix, rel, &e) != CU_OK)
		return false;
	hw_rawn(w, w->tmp.data, w->tmp.len);
	return true;
}

enum cu_status hw_close(struct hw *w, struct cu_error *err)
{
	enum cu_status st = CU_OK;

	if (w->f == NULL)
		return CU_OK;
	if (!w->failed && (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)) {
		cu_error_errno(&w->err, CU_E_IO, errno, "cannot write '%s'", w->path);
		w->failed = true;
	}
	if (fclose(w->f) != 0 && !w->failed) {
		cu_error_errno(&w->err, CU_E_IO, errno, "cannot close '%s'", w->path);
		w->failed = true;
	}
	w->f = NULL;
	if (w->failed) {
		if (err != NULL)
			*err = w->err;
		st = w->err.code != CU_OK ? w->err.code : CU_E_IO;
	}
	free(w->fbuf);
	free(w->path);
	w->fbuf = w->path = NULL;
	cu_buf_release(&w->tmp);
	return st;
}

void hw_abort(struct hw *w)
{
	if (w->f != NULL)
		fclose(w->f);
	w->f = NULL;
	free(w->fbuf);
	free(w->path);
	w->fbuf = w->path = NULL;
	cu_buf_release(&w->tmp);
}

enum cu_status cu_report_write_file(const char *dir, const char *rel, const void *data, size_t n,
				    struct cu_error *err)
{
	struct cu_buf p = CU_BUF_INIT;
	struct hw w;
	enum cu_status st;

	if ((st = cu_path_join(dir, rel, &p, err)) != CU_OK)
		goto out;
	if ((st = cu_mkdirs(p.data, 0755, true, err)) != CU_OK)
		goto out;
	if ((st = hw_open(&w, p.data, err)) != CU_OK)
		goto out;
	hw_rawn(&w, data, n);
	st = hw_close(&w, err);
out:
	cu_buf_release(&p);
	return st;
}
