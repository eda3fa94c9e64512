/*
 * file.c - whole-file reads with a cap, atomic writes, EINTR-safe I/O.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

enum cu_status cu_write_all(int fd, const void *p, size_t n, const char *what, struct cu_error *err)
{
	const char *c = p;

	while (n > 0) {
		size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
		ssize_t w = write(fd, c, chunk);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return cu_error_errno(err, CU_E_IO, errno, "cannot write '%s'",
					      what != NULL ? what : "?");
		}
		if (w == 0)
			return cu_error_set(err, CU_E_IO, "cannot write '%s': no progress",
					    what != NULL ? what : "?");
		c += w;
		n -= (size_t)w;
	}
	return CU_OK;
}

enum cu_status cu_read_full(int fd, void *p, size_t n, size_t *got, const char *what,
			    struct cu_error *err)
{
	char *c = p;
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done > ((size_t)1 << 30) ? ((size_t)1 << 30) : n - done;
		ssize_t r = read(fd, c + done, chunk);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'",
					      what != NULL ? what : "?");
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return CU_OK;
}

enum cu_status cu_file_read_all(const char *path, size_t max, struct cu_buf *out,
				struct cu_error *err)
{
	struct cu_buf tmp = CU_BUF_INIT;
	enum cu_status rc = CU_OK;
	struct stat st;
	int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		return cu_error_errno(err, e == ENOENT ? CU_E_NOTFOUND : CU_E_IO, e,
				      "cannot open '%s'", path);
	}
	if (fstat(fd, &st) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot stat '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = cu_error_set(err, CU_E_IO, "cannot read '%s': it is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > (uint64_t)max) {
		rc =
		    cu_error_set(err, CU_E_LIMIT, "'%s' is too large (%jd bytes, the limit is %zu)",
				 path, (intmax_t)st.st_size, max);
		goto out;
	}
	/* One byte more than max lets us notice files that grew past the cap. */
	tmp.max = max < SIZE_MAX - 1 ? max + 1 : max;
	if (S_ISREG(st.st_mode)) {
		rc = cu_buf_grow(&tmp, (size_t)st.st_size + (st.st_size < (off_t)max ? 1 : 0), err);
		if (rc != CU_OK)
			goto out;
	}
	for (;;) {
		size_t room, got = 0;

		if (tmp.cap - tmp.len <= 1) {
			size_t want = tmp.len < 65536 ? 65536 : tmp.len;

			if (want > tmp.max - tmp.len)
				want = tmp.max - tmp.len;
			if (want == 0) {
				rc = cu_error_set(err, CU_E_LIMIT,
						  "'%s' is too large (the limit is %zu bytes)",
						  path, max);
				goto out;
			}
			rc = cu_buf_grow(&tmp, want, err);
			if (rc != CU_OK)
				goto out;
		}
		room = tmp.cap - tmp.len - 1;
		rc = cu_read_full(fd, tmp.data + tmp.len, room, &got, path, err);
		if (rc != CU_OK)
			goto out;
		tmp.len += got;
		tmp.data[tmp.len] = '\0';
		if (tmp.len > max) {
			rc = cu_error_set(err, CU_E_LIMIT,
					  "'%s' is too large (the limit is %zu bytes)", path, max);
			goto out;
		}
		if (got < room)
			break;
	}
	rc = cu_buf_append(out, tmp.data != NULL ? tmp.data : "", tmp.len, err);
out:
	if (fd >= 0)
		close(fd);
	cu_buf_release(&tmp);
	return rc;
}

enum cu_status cu_fsync_dir(const char *dir, struct cu_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open directory '%s'", dir);
	if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
		int e = errno;

		close(fd);
		return cu_error_errno(err, CU_E_IO, e, "cannot fsync directory '%s'", dir);
	}
	close(fd);
	return CU_OK;
}

enum cu_status cu_file_read_first_line(const char *path, size_t max, struct cu_buf *out,
				       struct cu_error *err)
{
	size_t start = out->len;
	enum cu_status st;
	char *nl;

	if ((st = cu_file_read_all(path, max, out, err)) != CU_OK)
		return st;
	nl = out->len > start ? memchr(out->data + start, '\n', out->len - start) : NULL;
	if (nl != NULL) {
		out->len = (size_t)(nl - out->data);
		if (out->len > start && out->data[out->len - 1] == '\r')
			out->len--;
		out->data[out->len] = '\0';
	}
	return CU_OK;
}

enum cu_status cu_file_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
				    struct cu_error *err)
{
	char tmp[CU_PATH_MAX + 32];
	char dir[CU_PATH_MAX];
	const char *slash;
	enum cu_status rc = CU_OK;
	int fd = -1, r;

	r = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(tmp) || strlen(path) >= CU_PATH_MAX)
		return cu_error_set(err, CU_E_PATH, "path too long: '%.200s...'", path);
	slash = strrchr(path, '/');
	if (slash == NULL) {
		memcpy(dir, ".", 2);
	} else if (slash == path) {
		memcpy(dir, "/", 2);
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot create '%s'", tmp);
	rc = cu_write_all(fd, data, n, tmp, err);
	if (rc != CU_OK)
		goto out;
	/* O_CREAT's mode is filtered by the umask; the caller asked for mode. */
	if (fchmod(fd, mode) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot set mode of '%s'", tmp);
		goto out;
	}
	if (fsync(fd) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot fsync '%s'", tmp);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot close '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = cu_error_errno(err, CU_E_IO, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto out;
	}
	rc = cu_fsync_dir(dir, err);
	return rc;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

bool cu_file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
