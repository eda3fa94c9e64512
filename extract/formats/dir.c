/*
 * dir.c - directory images (dir, android-dir): a file system tree copied
 * off a phone, walked in byte order of the names (the same tree always
 * imports in the same order), never following symlinks (recorded with
 * their target), special files skipped and listed.
 */
#include "extract/formats/formats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_MAX_DEPTH 256

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int open_dir_at(int dirfd, const char *name)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static enum cu_status walk(struct cu_format_run *x, const char *name_src, int dfd,
			   struct cu_buf *rel, int depth, struct cu_error *err);

static enum cu_status walk_entry(struct cu_format_run *x, const char *name_src, int dfd,
				 const char *name, struct cu_buf *rel, int depth,
				 struct cu_error *err)
{
	enum cu_status st = CU_OK;
	struct stat sb;
	struct cu_ingest_slot s = {CU_BUF_INIT, CU_BUF_INIT, false, false};
	struct cu_ingest_fileinfo fi;
	struct cu_error e;
	size_t keep = rel->len;
	int fd = -1;
	char *target = NULL;
	struct cu_buf dev = CU_BUF_INIT;
	bool copy;

	if ((st = cu_buf_printf(rel, err, "/%s", name)) != CU_OK)
		return st;
	/* The device path: where the image root sat on the phone + rel. */
	if ((st = cu_buf_printf(&dev, err, "%s%s", x->mount_prefix, rel->data)) != CU_OK)
		goto out;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		cu_ingest_warn(x->w, true, "cannot stat '%s%s': %s", name_src, rel->data,
			       strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		int sub = open_dir_at(dfd, name);
		if (sub < 0) {
			cu_ingest_warn(x->w, true, "cannot open directory '%s%s': %s", name_src,
				       rel->data, strerror(errno));
			goto out;
		}
		if (depth >= DIR_MAX_DEPTH) {
			close(sub);
			cu_ingest_warn(x->w, true,
				       "'%s%s' is nested deeper than %d levels: skipped", name_src,
				       rel->data, DIR_MAX_DEPTH);
			goto out;
		}
		st = walk(x, name_src, sub, rel, depth + 1, err); /* closes sub */
		goto out;
	}
	memset(&fi, 0, sizeof(fi));
	fi.device_path = dev.data;
	fi.device_path_len = dev.len;
	fi.origin = rel->data + 1;
	fi.have_mtime = true;
	fi.mtime = sb.st_mtim;
	fi.mode = (int64_t)(sb.st_mode & 07777);
	if (S_ISLNK(sb.st_mode)) {
		/* Never followed: recorded with its target, nothing copied. */
		size_t cap = (size_t)sb.st_size + 2 > 4096 ? (size_t)sb.st_size + 2 : 4096;
		if (cap > CU_PATH_MAX * 4)
			cap = CU_PATH_MAX * 4;
		target = cu_malloc(cap);
		ssize_t tl = target ? readlinkat(dfd, name, target, cap - 1) : -1;
		if (tl < 0) {
			cu_ingest_warn(x->w, true, "cannot read symlink '%s%s'", name_src,
				       rel->data);
			goto out;
		}
		target[tl] = '\0';
		fi.type = "symlink";
		fi.link_target = target;
		if (cu_ingest_slot_plan(x->w, dev.data, dev.len, false, &s, &e) != CU_OK) {
			cu_ingest_warn(x->w, true, "'%s%s': %s", name_src, rel->data, e.msg);
			goto out;
		}
		if (!s.done)
			st = cu_ingest_record(x->w, &s, &fi, NULL, err);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		cu_ingest_warn(x->w, false, "'%s%s' is a special file (mode %o): not copied",
			       name_src, rel->data, (unsigned)sb.st_mode);
		cu_ingest_skip(x->w, rel->data, "special file (device, FIFO or socket)");
		goto out;
	}
	fi.type = "file";
	if ((st = cu_import_slot_plan_file(x, name_src, rel->data, dev.data, dev.len,
					   (uint64_t)sb.st_size, &s, &copy, err)) != CU_OK ||
	    !copy)
		goto out;
	fd = cu_import_open_source(dfd, name);
	struct stat fsb;
	if (fd < 0 || fstat(fd, &fsb) != 0 || !S_ISREG(fsb.st_mode) || fsb.st_ino != sb.st_ino) {
		cu_ingest_warn(x->w, true, "cannot open '%s%s': %s", name_src, rel->data,
			       fd < 0 ? strerror(errno) : "replaced while importing");
		goto out;
	}
	{
		struct cu_buf what = CU_BUF_INIT;
		/* The name in messages; the bare name if it cannot be built. */
		const char *shown = cu_buf_printf(&what, &e, "%s%s", name_src, rel->data) == CU_OK
					? what.data
					: name;
		/* fd goes to the writer, which may copy it on another thread. */
		st = cu_ingest_copy_fd_async(x->w, fd, shown, &s, &fi, err);
		fd = -1;
		cu_buf_release(&what);
	}
out:
	if (fd >= 0)
		close(fd);
	free(target);
	cu_buf_release(&dev);
	cu_ingest_slot_release(&s);
	rel->len = keep;
	if (rel->data)
		rel->data[keep] = '\0';
	return st;
}

static enum cu_status walk(struct cu_format_run *x, const char *name_src, int dfd,
			   struct cu_buf *rel, int depth, struct cu_error *err)
{
	enum cu_status st = CU_OK;
	DIR *d = fdopendir(dfd);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (d == NULL) {
		close(dfd);
		cu_ingest_warn(x->w, true, "cannot read directory '%s%s': %s", name_src, rel->data,
			       strerror(errno));
		return CU_OK;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nn = cu_reallocarray(names, nc, sizeof(*names));
			if (nn == NULL) {
				st = cu_error_set(err, CU_E_NOMEM, "out of memory listing '%s'",
						  name_src);
				goto out;
			}
			names = nn;
			cap = nc;
		}
		if ((names[n] = cu_strdup(de->d_name)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory listing '%s'", name_src);
			goto out;
		}
		n++;
	}
	/* Byte order: the same tree always imports in the same order. */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && st == CU_OK; i++)
		st = walk_entry(x, name_src, dirfd(d), names[i], rel, depth, err);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return st;
}

static uint64_t tree_bytes(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	uint64_t sum = 0;
	struct stat sb;

	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(sb.st_mode))
			sum += (uint64_t)sb.st_size;
		else if (S_ISDIR(sb.st_mode) && depth < DIR_MAX_DEPTH) {
			int sub = open_dir_at(dirfd(d), de->d_name);
			if (sub >= 0)
				sum += tree_bytes(sub, depth + 1);
		}
	}
	closedir(d);
	return sum;
}

void cu_import_progress_tree(struct cu_format_run *x, const char *path)
{
	/* Only for a visible bar: a metadata-only walk (no file is read). */
	if (!cu_progress_enabled())
		return;
	int fd = open_dir_at(AT_FDCWD, path);
	if (fd >= 0)
		cu_progress_start(&x->prog, "import", tree_bytes(fd, 0));
}

static enum cu_status dir_decode(struct cu_format_run *x, const struct cu_format_source *src,
				 bool android, struct cu_error *err)
{
	enum cu_status st;
	struct cu_buf rel = CU_BUF_INIT;
	int fd;

	x->os = android ? "Android" : NULL;
	if (!x->mount_point_given && android && cu_format_is_dir_at(src->path, "data") &&
	    cu_format_is_dir_at(src->path, "user_de") &&
	    (cu_format_is_dir_at(src->path, "app") || cu_format_is_dir_at(src->path, "system_ce") ||
	     cu_format_is_dir_at(src->path, "misc"))) {
		/* data/, user_de/ and app/ side by side: a dump of the /data
		 * partition itself, not of the phone's root. */
		x->mount_prefix = "/data";
		cu_ingest_warn(x->w, false,
			       "'%s' looks like the /data partition (data/, user_de/, app/): "
			       "device paths start with /data (use --mount-point to say otherwise)",
			       src->name);
	}
	if ((st = x->begin_item(x, NULL, err)) != CU_OK)
		return st;
	if (x->mount_prefix[0] != '\0')
		json_object_set_new(x->details, "mount_point", json_string(x->mount_prefix));
	cu_import_progress_tree(x, src->path);
	fd = open_dir_at(AT_FDCWD, src->path);
	if (fd < 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot open directory '%s'", src->name);
	if ((st = cu_buf_puts(&rel, "", err)) == CU_OK) {
		/* A directory cannot hold a name twice and the escape of names is
		 * one-to-one: the writer need not remember every path it wrote. */
		cu_ingest_unique_names(x->w, true);
		st = walk(x, src->name, fd, &rel, 0, err);
		/* The last files handed to the copiers: listed, or their failure
		 * returned here, as if copied on this thread. */
		if (st == CU_OK)
			st = cu_ingest_drain(x->w, err);
		cu_ingest_unique_names(x->w, false);
	} else {
		close(fd);
	}
	cu_buf_release(&rel);
	return st;
}

enum cu_status cu_format_dir(struct cu_format_run *x, const struct cu_format_source *src,
			     struct cu_error *err)
{
	return dir_decode(x, src, false, err);
}

enum cu_status cu_format_android_dir(struct cu_format_run *x, const struct cu_format_source *src,
				     struct cu_error *err)
{
	return dir_decode(x, src, true, err);
}
