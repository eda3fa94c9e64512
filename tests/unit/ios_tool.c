/*
 * ios_tool.c - a small client over custos's iPhone layer (extract/ios/
 * device.h), for the tests that drive it against the simulated iPhone
 * (tests/e2e/ios_device.sh):
 *   ios_tool list                      one line per device: udid state via name type version advice
 *   ios_tool known UDID                exit 0 when usbmuxd lists it, 1 otherwise
 *   ios_tool values [DOMAIN]           the GetValue dictionary as JSON
 *   ios_tool values-xml [DOMAIN]       the same as the XML plist
 *   ios_tool time                      the device clock in Unix ms
 *   ios_tool apps                      the installation_proxy Browse list as JSON
 *   ios_tool walk ROOT                 "d|f|l size mtime_ns path [-> target]" per AFC entry
 *   ios_tool read PATH                 an AFC file's bytes on stdout
 *   ios_tool backup DIR [full]         a mobilebackup2 backup into DIR (the paths as sent)
 *   ios_tool password OLD|- NEW|-      ChangePassword ("-": none)
 * Option -u UDID before the command (default: the only device). Every exchange the
 * hooks report goes to stderr as "CMD ok|fail <what> [<msg>] raw=<n>" (and the raw
 * reply to $IOS_TOOL_RAW_DIR/<seq> <what>.xml when that is set) and
 * "CHANGE <what> <json>"; the backup sink adds "FILE-ERROR <path> <msg>".
 * Exits with cu_status_exit_code() and prints the error on stderr.
 */
#include "config.h"

#include "extract/ios/device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void on_command(void *ctx, const char *what, bool ok, const char *msg, const void *raw,
		       size_t rawlen)
{
	const char *dir = getenv("IOS_TOOL_RAW_DIR");
	static int seq;

	(void)ctx;
	fprintf(stderr, "CMD %s %s%s%s raw=%zu\n", ok ? "ok" : "fail", what, msg ? " | " : "",
		msg ? msg : "", rawlen);
	if (dir != NULL && raw != NULL) {
		char path[CU_PATH_MAX];
		struct cu_error e;

		snprintf(path, sizeof(path), "%s/%03d %s.xml", dir, ++seq, what);
		if (cu_file_write_atomic(path, raw, rawlen, 0644, &e) != CU_OK)
			fprintf(stderr, "ios_tool: %s\n", e.msg);
	}
}

static void on_change(void *ctx, const char *what, json_t *details)
{
	char *s = details ? json_dumps(details, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

	(void)ctx;
	fprintf(stderr, "CHANGE %s %s\n", what, s ? s : "null");
	free(s);
}

/* ------------------------------------------------------------------ */
/* The backup sink: files under a directory, as idevicebackup2 keeps them */

struct sink {
	const char *root;
	int fd;
	char *cur;
};

static enum cu_status full_path(struct sink *s, const char *rel, struct cu_buf *out,
				struct cu_error *err)
{
	cu_buf_init(out, 0);
	return cu_path_join(s->root, rel, out, err);
}

static enum cu_status s_begin(void *ctx, const char *path, struct cu_error *err)
{
	struct sink *s = ctx;
	struct cu_buf p;
	enum cu_status st = full_path(s, path, &p, err);

	if (st == CU_OK)
		st = cu_mkdirs(p.data, 0755, true, err);
	if (st == CU_OK) {
		s->fd = open(p.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (s->fd < 0)
			st = cu_error_errno(err, CU_E_IO, errno, "open %s", p.data);
	}
	if (st == CU_OK)
		s->cur = cu_buf_detach(&p, NULL);
	cu_buf_release(&p);
	return st;
}

static enum cu_status s_data(void *ctx, const void *p, size_t n, struct cu_error *err)
{
	struct sink *s = ctx;

	return cu_write_all(s->fd, p, n, s->cur, err);
}

static enum cu_status s_end(void *ctx, bool ok, const char *msg, struct cu_error *err)
{
	struct sink *s = ctx;
	enum cu_status st = CU_OK;

	if (s->fd >= 0 && close(s->fd) != 0)
		st = cu_error_errno(err, CU_E_IO, errno, "close %s", s->cur);
	s->fd = -1;
	if (!ok) {
		fprintf(stderr, "FILE-ERROR %s %s\n", s->cur ? s->cur + strlen(s->root) + 1 : "?",
			msg ? msg : "");
		if (s->cur)
			unlink(s->cur);
	}
	free(s->cur);
	s->cur = NULL;
	return st;
}

static enum cu_status s_mkdir(void *ctx, const char *path, struct cu_error *err)
{
	struct cu_buf p;
	enum cu_status st = full_path(ctx, path, &p, err);

	if (st == CU_OK)
		st = cu_mkdirs(p.data, 0755, false, err);
	cu_buf_release(&p);
	return st;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static enum cu_status rm_tree(const char *p, struct cu_error *err)
{
	struct stat st;

	if (lstat(p, &st) != 0)
		return cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
				      "remove %s", p);
	if (nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "remove %s", p);
	return CU_OK;
}

static enum cu_status s_move(void *ctx, const char *from, const char *to, struct cu_error *err)
{
	struct cu_buf a, b;
	enum cu_status st = full_path(ctx, from, &a, err);

	if (st == CU_OK)
		st = full_path(ctx, to, &b, err);
	if (st == CU_OK) {
		struct cu_error e;

		(void)rm_tree(b.data, &e); /* the target is replaced */
		st = cu_mkdirs(b.data, 0755, true, err);
		if (st == CU_OK && rename(a.data, b.data) != 0)
			st = cu_error_errno(err, errno == ENOENT ? CU_E_NOTFOUND : CU_E_IO, errno,
					    "rename %s", a.data);
		cu_buf_release(&b);
	}
	cu_buf_release(&a);
	return st;
}

static enum cu_status s_remove(void *ctx, const char *path, struct cu_error *err)
{
	struct cu_buf p;
	enum cu_status st = full_path(ctx, path, &p, err);

	if (st == CU_OK)
		st = rm_tree(p.data, err);
	cu_buf_release(&p);
	return st;
}

static enum cu_status s_copy(void *ctx, const char *from, const char *to, struct cu_error *err)
{
	struct cu_buf a, b, data = CU_BUF_INIT;
	enum cu_status st = full_path(ctx, from, &a, err);

	if (st == CU_OK)
		st = full_path(ctx, to, &b, err);
	if (st == CU_OK) {
		st = cu_file_read_all(a.data, (size_t)1 << 30, &data, err);
		if (st == CU_OK)
			st = cu_file_write_atomic(b.data, data.data, data.len, 0644, err);
		cu_buf_release(&b);
	}
	cu_buf_release(&data);
	cu_buf_release(&a);
	return st;
}

static enum cu_status s_list(void *ctx, const char *path, json_t *out, struct cu_error *err)
{
	struct cu_buf p;
	enum cu_status st = full_path(ctx, path, &p, err);
	DIR *dir;
	struct dirent *de;

	if (st != CU_OK)
		return st;
	dir = opendir(p.data);
	if (dir == NULL) {
		st = errno == ENOENT ? CU_OK /* nothing yet */
				     : cu_error_errno(err, CU_E_IO, errno, "list %s", p.data);
		cu_buf_release(&p);
		return st;
	}
	while ((de = readdir(dir)) != NULL) {
		struct stat sb;
		char full[CU_PATH_MAX + 256];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(full, sizeof(full), "%s/%s", p.data, de->d_name);
		if (lstat(full, &sb) != 0)
			continue;
		json_object_set_new(out, de->d_name,
				    json_pack("{s:b,s:I,s:I}", "dir", S_ISDIR(sb.st_mode), "size",
					      (json_int_t)sb.st_size, "mtime",
					      (json_int_t)sb.st_mtime));
	}
	closedir(dir);
	cu_buf_release(&p);
	return CU_OK;
}

static uint64_t s_free(void *ctx)
{
	struct sink *s = ctx;
	struct statvfs v;

	if (statvfs(s->root, &v) != 0)
		return 0;
	return (uint64_t)v.f_bavail * v.f_frsize;
}

static void s_progress(void *ctx, double pct)
{
	(void)ctx;
	fprintf(stderr, "PROGRESS %.1f\n", pct);
}

/* ------------------------------------------------------------------ */

static bool walk_cb(void *ctx, const struct cu_ios_afc_entry *e)
{
	(void)ctx;
	printf("%c %llu %lld %s%s%s\n",
	       e->dir       ? 'd'
	       : e->symlink ? 'l'
			    : 'f',
	       (unsigned long long)e->size, (long long)e->mtime_ns, e->path,
	       e->link_target ? " -> " : "", e->link_target ? e->link_target : "");
	return true;
}

static enum cu_status to_stdout(void *ctx, const void *p, size_t n, struct cu_error *err)
{
	(void)ctx;
	return cu_write_all(1, p, n, "stdout", err);
}

static int usage(void)
{
	fprintf(stderr, "usage: ios_tool [-u UDID] list|known|values|values-xml|time|apps|walk|"
			"read|backup|password ...\n");
	return 2;
}

static int finish(enum cu_status st, const struct cu_error *err)
{
	if (st != CU_OK) {
		fprintf(stderr, "ios_tool: %s\n", err->msg);
		return cu_status_exit_code(st);
	}
	return 0;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));

	printf("%s\n", s ? s : "null");
	free(s);
}

int main(int argc, char **argv)
{
	struct cu_ios_hooks hooks = {NULL, on_command, on_change};
	const char *udid = NULL, *cmd;
	struct cu_error err;
	struct cu_ios *d = NULL;
	enum cu_status st;
	int a = 1;

	cu_error_clear(&err);
	if (argc > 2 && strcmp(argv[1], "-u") == 0) {
		udid = argv[2];
		a = 3;
	}
	if (a >= argc)
		return usage();
	cmd = argv[a++];
	if (strcmp(cmd, "list") == 0) {
		struct cu_ios_devinfo *v = NULL;
		size_t n = 0;

		st = cu_ios_list(&v, &n, &err);
		for (size_t i = 0; st == CU_OK && i < n; i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v[i].udid, v[i].state, v[i].via,
			       v[i].name, v[i].product_type, v[i].product_version, v[i].advice);
		free(v);
		return finish(st, &err);
	}
	if (strcmp(cmd, "known") == 0)
		return a < argc && cu_ios_known(argv[a]) ? 0 : 1;

	st = cu_ios_open(udid, &hooks, &d, &err);
	if (st != CU_OK)
		return finish(st, &err);
	if (strcmp(cmd, "values") == 0) {
		json_t *j = NULL;

		st = cu_ios_values(d, a < argc ? argv[a] : NULL, &j, &err);
		if (st == CU_OK)
			print_json(j);
		json_decref(j);
	} else if (strcmp(cmd, "values-xml") == 0) {
		struct cu_buf b = CU_BUF_INIT;

		st = cu_ios_values_xml(d, a < argc ? argv[a] : NULL, &b, &err);
		if (st == CU_OK)
			fwrite(b.data, 1, b.len, stdout);
		cu_buf_release(&b);
	} else if (strcmp(cmd, "time") == 0) {
		int64_t ms = 0;

		st = cu_ios_time(d, &ms, &err);
		if (st == CU_OK)
			printf("%lld\n", (long long)ms);
	} else if (strcmp(cmd, "apps") == 0) {
		json_t *j = NULL;

		st = cu_ios_apps(d, &j, &err);
		if (st == CU_OK)
			print_json(j);
		json_decref(j);
	} else if (strcmp(cmd, "walk") == 0 && a < argc) {
		st = cu_ios_afc_walk(d, argv[a], walk_cb, NULL, &err);
	} else if (strcmp(cmd, "read") == 0 && a < argc) {
		st = cu_ios_afc_read(d, argv[a], to_stdout, NULL, &err);
	} else if (strcmp(cmd, "backup") == 0 && a < argc) {
		struct sink s = {argv[a], -1, NULL};
		struct cu_ios_backup_sink bs = {&s,      s_begin, s_data,    s_end,
						s_mkdir, s_move,  s_remove,  s_copy,
						s_list,  s_free,  s_progress};
		struct cu_ios_backup_result res;
		bool full = a + 1 < argc && strcmp(argv[a + 1], "full") == 0;

		st = cu_ios_backup(d, full, &bs, &res, &err);
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("error_code %lld\nerror_desc %s\nfiles %llu\nbytes %llu\nmaxrss_kb %ld\n",
		       (long long)res.error_code, res.error_desc, (unsigned long long)res.files,
		       (unsigned long long)res.bytes, ru.ru_maxrss);
		if (s.fd >= 0)
			close(s.fd);
		free(s.cur);
	} else if (strcmp(cmd, "password") == 0 && a + 1 < argc) {
		st = cu_ios_backup_password(d, strcmp(argv[a], "-") ? argv[a] : NULL,
					    strcmp(argv[a + 1], "-") ? argv[a + 1] : NULL, &err);
	} else {
		cu_ios_close(d);
		return usage();
	}
	fflush(stdout);
	cu_ios_close(d);
	return finish(st, &err);
}
