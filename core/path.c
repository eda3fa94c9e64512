/*
 * path.c - safe relative paths and reversible escaping of device names.
 *
 * Device file names are hostile: they may contain bytes that are not UTF-8,
 * control characters, or components like ".." meant to escape the case
 * directory. Escaping is reversible (%XX) so the original name is never lost,
 * and ".." in a device path is refused rather than rewritten.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/core.h"

static const char hexdig[] = "0123456789ABCDEF";

static enum cu_status put_pct(struct cu_buf *out, unsigned char c, struct cu_error *err)
{
	char e[3] = {'%', hexdig[c >> 4], hexdig[c & 0x0F]};

	return cu_buf_append(out, e, 3, err);
}

enum cu_status cu_path_escape_component(const char *name, size_t n, struct cu_buf *out,
					struct cu_error *err)
{
	const unsigned char *u = (const unsigned char *)name;
	size_t start = out->len, i = 0;
	enum cu_status rc = CU_OK;

	if (n == 1 && name[0] == '.')
		return cu_buf_puts(out, "%2E", err);
	if (n == 2 && name[0] == '.' && name[1] == '.')
		return cu_buf_puts(out, "%2E%2E", err);
	while (i < n) {
		size_t k = cu_utf8_valid_prefix(name + i, n - i);

		/* The valid run, minus the bytes we escape anyway. */
		while (k > 0) {
			unsigned char c = u[i];

			if (c < 0x20 || c == 0x7F || c == '%' || c == '\\' || c == '/')
				rc = put_pct(out, c, err);
			else
				rc = cu_buf_append(out, &name[i], 1, err);
			if (rc != CU_OK)
				goto out;
			i++;
			k--;
		}
		if (i < n) {
			/* One byte that does not start a valid sequence. */
			rc = put_pct(out, u[i], err);
			if (rc != CU_OK)
				goto out;
			i++;
		}
	}
out:
	if (rc != CU_OK && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

enum cu_status cu_path_unescape_component(const char *name, struct cu_buf *out,
					  struct cu_error *err)
{
	size_t start = out->len, i;
	enum cu_status rc = CU_OK;

	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (c == '%') {
			int hi = hexval(name[i + 1]), lo = hi < 0 ? -1 : hexval(name[i + 2]);

			if (hi < 0 || lo < 0) {
				rc = cu_error_set(err, CU_E_FORMAT,
						  "bad escape at offset %zu in name '%s'", i, name);
				goto out;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		rc = cu_buf_append(out, &c, 1, err);
		if (rc != CU_OK)
			goto out;
	}
	/* An empty result still yields a valid (empty) string. */
	rc = cu_buf_grow(out, 0, err);
out:
	if (rc != CU_OK && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

/* Shows a hostile path in a message: escaped, so the message stays one
 * line of valid UTF-8. Truncated to fit the fixed buffer. */
static const char *show(const char *p, size_t n, char *tmp, size_t tmpn)
{
	return cu_path_show(p, n, tmp, tmpn);
}

const char *cu_path_show(const char *p, size_t n, char *tmp, size_t tmpn)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < tmpn; i++) {
		if (u[i] < 0x20 || u[i] >= 0x7F || u[i] == '%' || u[i] == '\\' || u[i] == '\'') {
			tmp[o++] = '%';
			tmp[o++] = hexdig[u[i] >> 4];
			tmp[o++] = hexdig[u[i] & 0x0F];
		} else {
			tmp[o++] = (char)u[i];
		}
	}
	tmp[o] = '\0';
	return tmp;
}

enum cu_status cu_path_check_relative(const char *rel, size_t n, struct cu_error *err)
{
	char tmp[512];
	size_t i, comp = 0;

	if (rel == NULL || n == 0)
		return cu_error_set(err, CU_E_PATH, "unsafe path: empty");
	if (memchr(rel, '\0', n) != NULL)
		return cu_error_set(err, CU_E_PATH, "unsafe path '%s': contains a NUL byte",
				    show(rel, n, tmp, sizeof(tmp)));
	if (rel[0] == '/')
		return cu_error_set(err, CU_E_PATH, "unsafe path '%s': absolute",
				    show(rel, n, tmp, sizeof(tmp)));
	if (!cu_utf8_valid(rel, n))
		return cu_error_set(err, CU_E_PATH, "unsafe path '%s': not valid UTF-8",
				    show(rel, n, tmp, sizeof(tmp)));
	for (i = 0; i <= n; i++) {
		if (i < n && rel[i] != '/')
			continue;
		if (i == comp)
			return cu_error_set(err, CU_E_PATH, "unsafe path '%s': empty component",
					    show(rel, n, tmp, sizeof(tmp)));
		if ((i - comp == 1 && rel[comp] == '.') ||
		    (i - comp == 2 && rel[comp] == '.' && rel[comp + 1] == '.'))
			return cu_error_set(
			    err, CU_E_PATH, "unsafe path '%s': contains a '%.*s' component",
			    show(rel, n, tmp, sizeof(tmp)), (int)(i - comp), rel + comp);
		comp = i + 1;
	}
	return CU_OK;
}

enum cu_status cu_path_from_device(const char *device_path, size_t n, struct cu_buf *out,
				   struct cu_error *err)
{
	struct cu_buf tmp = CU_BUF_INIT;
	char shown[512];
	size_t i = 0, comps = 0;
	enum cu_status rc = CU_OK;

	tmp.max = out->max;
	while (i < n) {
		size_t s, e;

		while (i < n && device_path[i] == '/')
			i++;
		if (i >= n)
			break;
		s = i;
		while (i < n && device_path[i] != '/')
			i++;
		e = i;
		if ((e - s == 1 && device_path[s] == '.') ||
		    (e - s == 2 && device_path[s] == '.' && device_path[s + 1] == '.')) {
			rc = cu_error_set(err, CU_E_PATH,
					  "refusing device path '%s': it contains a '%.*s' "
					  "component",
					  show(device_path, n, shown, sizeof(shown)), (int)(e - s),
					  device_path + s);
			goto out;
		}
		if (comps > 0) {
			rc = cu_buf_putc(&tmp, '/', err);
			if (rc != CU_OK)
				goto out;
		}
		rc = cu_path_escape_component(device_path + s, e - s, &tmp, err);
		if (rc != CU_OK)
			goto out;
		comps++;
	}
	if (comps == 0) {
		rc = cu_error_set(err, CU_E_PATH, "refusing device path '%s': no file name in it",
				  show(device_path, n, shown, sizeof(shown)));
		goto out;
	}
	rc = cu_buf_append(out, tmp.data, tmp.len, err);
out:
	cu_buf_release(&tmp);
	return rc;
}

enum cu_status cu_path_join(const char *root, const char *rel, struct cu_buf *out,
			    struct cu_error *err)
{
	size_t start = out->len, rl;
	enum cu_status rc;

	rc = cu_path_check_relative(rel, strlen(rel), err);
	if (rc != CU_OK)
		return rc;
	rl = strlen(root);
	/* An empty root would turn rel into an absolute path. */
	if (rl == 0)
		return cu_error_set(err, CU_E_PATH, "cannot join '%s' to an empty directory name",
				    rel);
	rc = cu_buf_append(out, root, rl, err);
	if (rc == CU_OK && (rl == 0 || root[rl - 1] != '/'))
		rc = cu_buf_putc(out, '/', err);
	if (rc == CU_OK)
		rc = cu_buf_puts(out, rel, err);
	if (rc == CU_OK && out->len - start >= CU_PATH_MAX)
		rc = cu_error_set(err, CU_E_PATH, "path too long (%zu bytes) under '%s'",
				  out->len - start, root);
	if (rc != CU_OK && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

enum cu_status cu_mkdirs(const char *path, mode_t mode, bool parent_only, struct cu_error *err)
{
	char p[CU_PATH_MAX];
	size_t n = strlen(path), i;
	struct stat st;

	if (n == 0)
		return cu_error_set(err, CU_E_PATH, "cannot create a directory with an empty name");
	if (n >= sizeof(p))
		return cu_error_set(err, CU_E_PATH, "path too long (%zu bytes): '%.200s...'", n,
				    path);
	memcpy(p, path, n + 1);
	if (parent_only) {
		/* Cut the last component (and trailing slashes before it). */
		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		while (n > 0 && p[n - 1] != '/')
			n--;
		while (n > 1 && p[n - 1] == '/')
			n--;
		p[n] = '\0';
		if (n == 0)
			return CU_OK; /* relative name in the current directory */
	}
	/* Deepest first: in a tree being filled, the parent or a close
	 * ancestor usually exists, so this costs one mkdir (and one stat),
	 * not one per component. Walk up to the first that exists (or is
	 * made), then down making the rest. */
	i = n;
	for (;;) {
		if (mkdir(p, mode) == 0)
			break;
		int e = errno;
		if (e == EEXIST) {
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
				return cu_error_set(err, CU_E_EXISTS,
						    "cannot create directory '%s': a file of that "
						    "name exists",
						    p);
			break;
		}
		size_t up = i;
		while (up > 0 && p[up - 1] != '/')
			up--;
		while (up > 1 && p[up - 1] == '/')
			up--;
		if ((e != ENOENT && e != ENOTDIR) || up <= 1)
			return cu_error_errno(err, e == ENOENT ? CU_E_NOTFOUND : CU_E_IO, e,
					      "cannot create directory '%s'", p);
		p[up] = '\0'; /* try the parent */
		i = up;
	}
	/* Down again: each cut is restored and made. */
	while (i < n) {
		p[i] = '/';
		while (i < n && p[i] == '/')
			i++;
		while (i < n && p[i] != '\0')
			i++;
		if (mkdir(p, mode) != 0) {
			int e = errno;
			if (e != EEXIST)
				return cu_error_errno(err, e == ENOENT ? CU_E_NOTFOUND : CU_E_IO, e,
						      "cannot create directory '%s'", p);
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
				return cu_error_set(err, CU_E_EXISTS,
						    "cannot create directory '%s': a file of that "
						    "name exists",
						    p);
		}
	}
	return CU_OK;
}
