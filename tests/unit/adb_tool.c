/*
 * adb_tool.c - a small client over custos's ADB library, for the tests that
 * drive it against the simulated adbd (tests/e2e/adb_tcp_sim.sh):
 *   adb_tool devices ADDR            cu_adb_list() lines
 *   adb_tool shell ADDR CMD          stdout/stderr as sent, "exit N" on fd 3 if open
 *   adb_tool exec ADDR CMD           raw stdout
 *   adb_tool stat ADDR PATH          "exists mode size mtime"
 *   adb_tool ls ADDR PATH            "mode size mtime name" per entry (names %-escaped)
 *   adb_tool pull ADDR PATH DIR      the tree under PATH into DIR (files, dirs, mtimes)
 *   adb_tool banner ADDR             the banner and the negotiated version
 * Environment: CUSTOS_ADB_KEY (key), ADB_TOOL_AUTH_MS, ADB_TOOL_IO_MS. Exits with
 * cu_status_exit_code() and prints the error on stderr.
 */
#include "extract/android/adb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool to_fd(void *ctx, int stream, const void *p, size_t n)
{
	int fd = stream == 2 ? 2 : *(int *)ctx;
	struct cu_error e;

	return cu_write_all(fd, p, n, "output", &e) == CU_OK;
}

static void show(const char *name, size_t n)
{
	char tmp[2048];

	printf("%s", cu_path_show(name, n, tmp, sizeof(tmp)));
}

static bool ls_cb(void *ctx, const char *name, size_t n, const struct cu_adb_stat *st)
{
	(void)ctx;
	printf("%o %llu %lld ", (unsigned)st->mode, (unsigned long long)st->size,
	       (long long)st->mtime);
	show(name, n);
	printf("\n");
	return true;
}

struct entry {
	char *name;
	struct cu_adb_stat st;
};
struct entries {
	struct entry *v;
	size_t n, cap;
};

static bool collect(void *ctx, const char *name, size_t n, const struct cu_adb_stat *st)
{
	struct entries *es = ctx;

	if (memchr(name, '/', n) != NULL || memchr(name, '\0', n) != NULL)
		return true; /* never written by this tool */
	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 16;
		struct entry *g = cu_reallocarray(es->v, cap, sizeof(*g));

		if (g == NULL)
			return false;
		es->v = g;
		es->cap = cap;
	}
	es->v[es->n].name = cu_strndup(name, n);
	es->v[es->n].st = *st;
	return es->v[es->n++].name != NULL;
}

static enum cu_status pull(struct cu_adb_sync *s, const char *dev, const char *dir,
			   struct cu_error *err)
{
	struct entries es = {NULL, 0, 0};
	enum cu_status rc;

	rc = cu_adb_sync_list(s, dev, collect, &es, err);
	for (size_t i = 0; rc == CU_OK && i < es.n; i++) {
		struct cu_buf dp = CU_BUF_INIT, lp = CU_BUF_INIT;
		struct entry *en = &es.v[i];

		rc = cu_buf_printf(&dp, err, "%s/%s", dev, en->name);
		if (rc == CU_OK)
			rc = cu_buf_printf(&lp, err, "%s/%s", dir, en->name);
		if (rc == CU_OK && S_ISDIR(en->st.mode)) {
			if (mkdir(lp.data, 0755) != 0 && errno != EEXIST)
				rc = cu_error_errno(err, CU_E_IO, errno, "mkdir '%s'", lp.data);
			if (rc == CU_OK)
				rc = pull(s, dp.data, lp.data, err);
		} else if (rc == CU_OK && S_ISREG(en->st.mode)) {
			int fd = open(lp.data, O_WRONLY | O_CREAT | O_EXCL, 0644);
			uint64_t got = 0;

			if (fd < 0) {
				rc = cu_error_errno(err, CU_E_IO, errno, "create '%s'", lp.data);
			} else {
				rc = cu_adb_sync_recv(s, dp.data, to_fd, &fd, &got, err);
				close(fd);
			}
			if (rc == CU_OK && got != en->st.size)
				rc = cu_error_set(
				    err, CU_E_INTEGRITY, "'%s': %llu bytes, listed %llu", dp.data,
				    (unsigned long long)got, (unsigned long long)en->st.size);
		}
		if (rc == CU_OK && (S_ISREG(en->st.mode) || S_ISDIR(en->st.mode)) &&
		    en->st.mtime != 0) {
			struct timespec ts[2] = {{en->st.mtime, 0}, {en->st.mtime, 0}};

			if (utimensat(AT_FDCWD, lp.data, ts, AT_SYMLINK_NOFOLLOW) != 0)
				rc = cu_error_errno(err, CU_E_IO, errno, "mtime '%s'", lp.data);
		}
		cu_buf_release(&dp);
		cu_buf_release(&lp);
	}
	for (size_t i = 0; i < es.n; i++)
		free(es.v[i].name);
	free(es.v);
	return rc;
}

static unsigned env_ms(const char *name)
{
	const char *v = getenv(name);
	uint64_t n;

	return v && cu_parse_u64(v, &n) && n < 600000 ? (unsigned)n : 0;
}

int main(int argc, char **argv)
{
	struct cu_adb_opts o = {getenv("CUSTOS_ADB_KEY"), env_ms("ADB_TOOL_AUTH_MS"),
				env_ms("ADB_TOOL_IO_MS")};
	struct cu_adb *a = NULL;
	struct cu_adb_sync *s = NULL;
	struct cu_error e;
	enum cu_status rc = CU_OK;
	int out = 1, code = -1;

	cu_error_clear(&e);
	if (argc < 3) {
		fprintf(stderr,
			"usage: adb_tool devices|shell|exec|stat|ls|pull|banner ADDR ...\n");
		return 2;
	}
	if (strcmp(argv[1], "devices") == 0) {
		struct cu_adb_device *d = NULL;
		size_t n = 0;

		rc = cu_adb_list(argv[2], &o, &d, &n, &e);
		for (size_t i = 0; rc == CU_OK && i < n; i++)
			if (strcmp(d[i].transport, "tcp") == 0)
				printf("%s %s %s product=%s model=%s device=%s advice=%s\n",
				       d[i].serial, d[i].transport, d[i].state, d[i].product,
				       d[i].model, d[i].device, d[i].advice);
		free(d);
		goto out;
	}
	rc = cu_adb_open_tcp(argv[2], &o, &a, &e);
	if (rc != CU_OK)
		goto out;
	if (strcmp(argv[1], "banner") == 0) {
		printf("%s\nversion 0x%08x max %u serial %s\n", cu_adb_banner(a),
		       (unsigned)cu_adb_version(a), (unsigned)cu_adb_max_payload(a),
		       cu_adb_serial(a));
	} else if (strcmp(argv[1], "shell") == 0 && argc == 4) {
		fflush(stdout);
		rc = cu_adb_shell(a, argv[3], to_fd, &out, &code, &e);
		if (rc == CU_OK)
			fprintf(stderr, "exit %d\n", code);
	} else if (strcmp(argv[1], "exec") == 0 && argc == 4) {
		rc = cu_adb_exec(a, argv[3], to_fd, &out, &e);
	} else if (strcmp(argv[1], "stat") == 0 && argc == 4) {
		struct cu_adb_stat st;

		rc = cu_adb_sync_open(a, &s, &e);
		if (rc == CU_OK)
			rc = cu_adb_sync_stat(s, argv[3], &st, &e);
		if (rc == CU_OK)
			printf("%d %o %llu %lld\n", st.exists, (unsigned)st.mode,
			       (unsigned long long)st.size, (long long)st.mtime);
	} else if (strcmp(argv[1], "ls") == 0 && argc == 4) {
		rc = cu_adb_sync_open(a, &s, &e);
		if (rc == CU_OK)
			rc = cu_adb_sync_list(s, argv[3], ls_cb, NULL, &e);
	} else if (strcmp(argv[1], "pull") == 0 && argc == 5) {
		rc = cu_adb_sync_open(a, &s, &e);
		if (rc == CU_OK)
			rc = pull(s, argv[3], argv[4], &e);
	} else {
		fprintf(stderr, "adb_tool: bad arguments\n");
		rc = CU_E_USAGE;
	}
out:
	fflush(stdout);
	cu_adb_sync_close(s);
	cu_adb_close(a);
	if (rc != CU_OK && e.msg[0])
		fprintf(stderr, "adb_tool: %s\n", e.msg);
	return cu_status_exit_code(rc);
}
