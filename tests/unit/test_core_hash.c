/* test_core_hash.c - digests, threaded == unthreaded, file hashing and the
 * one-pass copy (contents, mode, O_EXCL, limit, errors), cross-checked
 * against the openssl command line tool. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness/tap.h"

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MD5_ABC    "900150983cd24fb0d6963f7d28e17f72"
#define SM3_ABC    "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
#define ALL        (CU_HASH_SHA256 | CU_HASH_MD5 | CU_HASH_SM3)

static void test_vectors(void)
{
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	struct cu_error err;
	char hex[65];
	unsigned flags;

	cu_sha256_hex("abc", 3, hex);
	tap_is_str(hex, SHA256_ABC, "one-shot SHA-256(abc)");
	for (flags = 0; flags <= CU_HASHER_THREADED; flags++) {
		tap_is_int(cu_hasher_new(ALL, flags, &h, &err), CU_OK, "new (flags %u)", flags);
		TAP_MUST(cu_hasher_update(h, "a", 1, &err));
		TAP_MUST(cu_hasher_update(h, "", 0, &err));
		TAP_MUST(cu_hasher_update(h, "bc", 2, &err));
		tap_is_int(cu_hasher_final(h, &d, &err), CU_OK, "final");
		tap_is_str(d.sha256, SHA256_ABC, "SHA-256(abc) flags %u", flags);
		tap_is_str(d.md5, MD5_ABC, "MD5(abc) flags %u", flags);
		tap_is_str(d.sm3, SM3_ABC, "SM3(abc) flags %u", flags);
		tap_is_int((int64_t)d.size, 3, "size counted");
		tap_is_int(d.algs, ALL, "algs recorded");
		cu_hex(d.sha256_raw, 32, hex);
		tap_is_str(hex, SHA256_ABC, "raw SHA-256 matches hex");
		tap_is_int(cu_hasher_update(h, "x", 1, &err), CU_E_INTERNAL,
			   "update after final refused");
		tap_is_int(cu_hasher_reset(h, &err), CU_OK, "reset");
		TAP_MUST(cu_hasher_update(h, "abc", 3, &err));
		TAP_MUST(cu_hasher_final(h, &d, &err));
		tap_is_str(d.md5, MD5_ABC, "MD5 again after reset");
		cu_hasher_free(h);
		h = NULL;
	}
	TAP_MUST(cu_hasher_new(CU_HASH_MD5, CU_HASHER_THREADED, &h, &err));
	TAP_MUST(cu_hasher_update(h, "abc", 3, &err));
	TAP_MUST(cu_hasher_final(h, &d, &err));
	tap_is_str(d.md5, MD5_ABC, "MD5 alone");
	tap_is_int(d.algs, CU_HASH_MD5, "only MD5 valid");
	cu_hasher_free(h);
	tap_is_int(cu_hasher_new(0, 0, &h, &err), CU_E_USAGE, "no algorithm refused");
	tap_is_int(cu_hasher_new(1u << 7, 0, &h, &err), CU_E_USAGE, "unknown algorithm refused");
	cu_alloc_fail_after(1);
	tap_is_int(cu_hasher_new(ALL, 0, &h, &err), CU_E_NOMEM, "allocation failure reported");
	cu_alloc_fail_after(0);
}

static unsigned char *random_bytes(size_t n)
{
	unsigned char *p = malloc(n);
	uint64_t x = 0x9E3779B97F4A7C15ull;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 24);
	}
	return p;
}

static void test_threaded_equal(void)
{
	/* Odd sizes around the thread hand-off threshold (64 KiB). */
	static const size_t chunks[] = {1, 65535, 65536, 65537, 1048579, 7, 300001, 2000003};
	size_t n = 12 * 1024 * 1024 + 17, off = 0, k = 0;
	unsigned char *data = random_bytes(n);
	struct cu_hasher *a = NULL, *b = NULL, *one = NULL;
	struct cu_digests da, db, d1;
	struct cu_error err;

	TAP_MUST(cu_hasher_new(ALL, 0, &a, &err));
	TAP_MUST(cu_hasher_new(ALL, CU_HASHER_THREADED, &b, &err));
	TAP_MUST(cu_hasher_new(ALL, CU_HASHER_THREADED, &one, &err));
	while (off < n) {
		size_t c = chunks[k++ % (sizeof(chunks) / sizeof(chunks[0]))];

		if (c > n - off)
			c = n - off;
		TAP_MUST(cu_hasher_update(a, data + off, c, &err));
		TAP_MUST(cu_hasher_update(b, data + off, c, &err));
		off += c;
	}
	TAP_MUST(cu_hasher_update(one, data, n, &err));
	tap_is_int(cu_hasher_final(a, &da, &err), CU_OK, "unthreaded final");
	tap_is_int(cu_hasher_final(b, &db, &err), CU_OK, "threaded final");
	TAP_MUST(cu_hasher_final(one, &d1, &err));
	tap_is_str(db.sha256, da.sha256, "threaded SHA-256 == unthreaded");
	tap_is_str(db.md5, da.md5, "threaded MD5 == unthreaded");
	tap_is_str(db.sm3, da.sm3, "threaded SM3 == unthreaded");
	tap_is_str(d1.md5, da.md5, "one big update == many odd chunks (MD5)");
	tap_is_str(d1.sha256, da.sha256, "one big update == many odd chunks (SHA-256)");
	tap_is_int((int64_t)db.size, (int64_t)n, "size of the large feed");
	/* Reuse the threaded hasher (worker survives reset). */
	TAP_MUST(cu_hasher_reset(b, &err));
	TAP_MUST(cu_hasher_update(b, data, n, &err));
	TAP_MUST(cu_hasher_final(b, &db, &err));
	tap_is_str(db.md5, da.md5, "threaded hasher reused after reset");
	cu_hasher_free(a);
	cu_hasher_free(b);
	cu_hasher_free(one);
	free(data);
}

/* cu_hasher_update_start: the workers may still read a buffer when it
 * returns; the next call waits for them, so the buffer can be reused
 * right after it (as the seal's generated texts do). */
static void test_update_start(void)
{
	size_t n = 32 * 1024 * 1024 + 5;
	unsigned char *data = random_bytes(2 * n), *a = malloc(n), *b = malloc(n);
	struct cu_hasher *h = NULL, *ref = NULL;
	struct cu_digests d, dr;
	struct cu_error err;

	TAP_MUST(a == NULL || b == NULL);
	memcpy(a, data, n);
	memcpy(b, data + n, n);
	TAP_MUST(cu_hasher_new(ALL, CU_HASHER_THREADED, &h, &err));
	TAP_MUST(cu_hasher_new(ALL, 0, &ref, &err));
	TAP_MUST(cu_hasher_update(ref, data, 2 * n, &err));
	TAP_MUST(cu_hasher_final(ref, &dr, &err));
	tap_is_int(cu_hasher_update_start(h, a, n, &err), CU_OK, "update_start of a");
	tap_is_int(cu_hasher_update_start(h, b, n, &err), CU_OK, "update_start of b");
	memset(a, 0xa5, n); /* a is free again once b started */
	tap_is_int(cu_hasher_final(h, &d, &err), CU_OK, "final after update_start");
	memset(b, 0x5a, n);
	tap_is_str(d.md5, dr.md5, "update_start: MD5 of both buffers as fed");
	tap_is_str(d.sm3, dr.sm3, "update_start: SM3 of both buffers as fed");
	tap_is_str(d.sha256, dr.sha256, "update_start: SHA-256 of both buffers as fed");
	tap_is_int((int64_t)d.size, (int64_t)(2 * n), "update_start: size");
	/* Freed while a job may still run: no crash, no leak (ASan runs). */
	TAP_MUST(cu_hasher_reset(h, &err));
	TAP_MUST(cu_hasher_update_start(h, data, 2 * n, &err));
	cu_hasher_free(h);
	cu_hasher_free(ref);
	free(data);
	free(a);
	free(b);
}

/* Runs "openssl dgst -ALG -r FILE" and returns the hex digest (static). */
static const char *openssl_dgst(const char *alg, const char *path)
{
	static char out[256];
	char cmd[4300];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl dgst -%s -r '%s' 2>/dev/null", alg, path);
	p = popen(cmd, "r");
	if (p == NULL)
		return "";
	out[0] = '\0';
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, " \n")] = '\0';
	return out;
}

static bool write_file(const char *path, const void *p, size_t n)
{
	struct cu_error err;

	return cu_file_write_atomic(path, p, n, 0644, &err) == CU_OK;
}

static bool same_file(const char *path, const void *p, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	bool same;

	same = cu_file_read_all(path, n + 1, &b, &err) == CU_OK && b.len == n &&
	       (n == 0 || memcmp(b.data, p, n) == 0);
	cu_buf_release(&b);
	return same;
}

static void test_files(const char *tmp)
{
	static const size_t sizes[] = {0, 3, 65536, 2 * 1024 * 1024, 5 * 1024 * 1024 + 3};
	unsigned char *data = random_bytes(sizes[4]);
	struct cu_digests d, c;
	struct cu_error err;
	struct cu_progress prog;
	char src[4096], dst[4200];
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(src, sizeof(src), "%s/src%zu", tmp, i);
		snprintf(dst, sizeof(dst), "%s/dst%zu", tmp, i);
		write_file(src, data, sizes[i]);
		tap_is_int(cu_hash_file(src, ALL, &d, &err), CU_OK, "hash file of %zu bytes",
			   sizes[i]);
		tap_is_str(d.sha256, openssl_dgst("sha256", src),
			   "SHA-256 agrees with openssl (%zu)", sizes[i]);
		tap_is_str(d.md5, openssl_dgst("md5", src), "MD5 agrees with openssl (%zu)",
			   sizes[i]);
		tap_is_str(d.sm3, openssl_dgst("sm3", src), "SM3 agrees with openssl (%zu)",
			   sizes[i]);
		tap_is_int((int64_t)d.size, (int64_t)sizes[i], "size (%zu)", sizes[i]);

		fd = open(src, O_RDONLY);
		cu_progress_start(&prog, "copy", sizes[i]);
		tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 0, &prog, &c, &err), CU_OK,
			   "copy %zu bytes", sizes[i]);
		close(fd);
		tap_ok(same_file(dst, data, sizes[i]), "copy has the same bytes (%zu)", sizes[i]);
		tap_is_str(c.sha256, d.sha256, "copy SHA-256 (%zu)", sizes[i]);
		tap_is_str(c.md5, d.md5, "copy MD5 (%zu)", sizes[i]);
		tap_is_int(c.algs, CU_HASH_DEFAULT, "copy digests as asked");
		tap_ok(stat(dst, &st) == 0 && (st.st_mode & 07777) == 0444, "copy is mode 0444");
		tap_is_int((int64_t)prog.done, (int64_t)sizes[i], "progress counted every byte");
	}

	/* O_EXCL: an existing destination is never overwritten. */
	snprintf(src, sizeof(src), "%s/src1", tmp);
	snprintf(dst, sizeof(dst), "%s/dst4", tmp);
	fd = open(src, O_RDONLY);
	tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 0, NULL, &c, &err), CU_E_EXISTS,
		   "existing destination refused");
	close(fd);
	tap_ok(same_file(dst, data, sizes[4]), "existing destination left intact");
	/* A symlink at the destination is not followed. */
	snprintf(dst, sizeof(dst), "%s/link", tmp);
	tap_ok(symlink("target-of-link", dst) == 0, "make a dangling symlink");
	fd = open(src, O_RDONLY);
	tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 0, NULL, &c, &err), CU_E_EXISTS,
		   "symlink destination refused");
	close(fd);
	snprintf(dst, sizeof(dst), "%s/target-of-link", tmp);
	tap_ok(!cu_file_exists(dst), "symlink target not created");

	/* limit: exactly the size passes, one byte less fails and cleans up. */
	snprintf(src, sizeof(src), "%s/src4", tmp);
	for (i = 0; i < 2; i++) {
		uint64_t lim = sizes[4] - i;

		snprintf(dst, sizeof(dst), "%s/lim%zu", tmp, i);
		fd = open(src, O_RDONLY);
		cu_error_clear(&err);
		tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, lim, NULL, &c, &err),
			   i == 0 ? CU_OK : CU_E_LIMIT, "limit %llu on %zu bytes",
			   (unsigned long long)lim, sizes[4]);
		close(fd);
		tap_ok(cu_file_exists(dst) == (i == 0), "partial copy removed on failure");
		if (i == 1)
			tap_ok(strstr(err.msg, dst) != NULL, "limit error names the file: %s",
			       err.msg);
	}
	snprintf(src, sizeof(src), "%s/src1", tmp);
	snprintf(dst, sizeof(dst), "%s/limsmall", tmp);
	fd = open(src, O_RDONLY);
	tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 2, NULL, &c, &err), CU_E_LIMIT,
		   "limit on a small file");
	close(fd);
	tap_ok(!cu_file_exists(dst), "small partial copy removed");

	/* A read error (a directory as source) removes the partial copy. */
	snprintf(dst, sizeof(dst), "%s/fromdir", tmp);
	fd = open(tmp, O_RDONLY | O_DIRECTORY);
	tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 0, NULL, &c, &err), CU_E_IO,
		   "read error reported: %s", err.msg);
	close(fd);
	tap_ok(!cu_file_exists(dst), "nothing left after a read error");

	/* Allocation failures: the hasher, then the copy buffers. */
	snprintf(src, sizeof(src), "%s/src4", tmp);
	for (i = 1; i <= 2; i++) {
		snprintf(dst, sizeof(dst), "%s/nomem%zu", tmp, i);
		fd = open(src, O_RDONLY);
		cu_alloc_fail_after(i);
		tap_is_int(cu_copy_hash_fd(fd, dst, CU_HASH_DEFAULT, 0, NULL, &c, &err), CU_E_NOMEM,
			   "allocation failure %zu in copy reported", i);
		cu_alloc_fail_after(0);
		close(fd);
		tap_ok(!cu_file_exists(dst), "no partial copy after allocation failure %zu", i);
		cu_alloc_fail_after(i);
		tap_is_int(cu_hash_file(src, ALL, &d, &err), CU_E_NOMEM,
			   "allocation failure %zu in hash_file reported", i);
		cu_alloc_fail_after(0);
	}

	/* cu_hash_file refuses symlinks (evidence is never reached through one). */
	snprintf(dst, sizeof(dst), "%s/link2", tmp);
	snprintf(src, sizeof(src), "%s/src1", tmp);
	tap_ok(symlink(src, dst) == 0, "make a symlink to a file");
	tap_is_int(cu_hash_file(dst, ALL, &d, &err), CU_E_IO, "hash_file does not follow links");
	snprintf(dst, sizeof(dst), "%s/none", tmp);
	tap_is_int(cu_hash_file(dst, ALL, &d, &err), CU_E_NOTFOUND, "missing file");
	/* Things without an end are refused at once rather than hanging. */
	snprintf(dst, sizeof(dst), "%s/fifo", tmp);
	tap_ok(mkfifo(dst, 0600) == 0, "make a FIFO");
	tap_is_int(cu_hash_file(dst, ALL, &d, &err), CU_E_UNSUPPORTED, "FIFO refused: %s", err.msg);
	tap_is_int(cu_hash_file("/dev/zero", ALL, &d, &err), CU_E_UNSUPPORTED,
		   "character device refused");
	tap_is_int(cu_hash_file(tmp, ALL, &d, &err), CU_E_IO, "directory refused");
	free(data);
}

static void test_pipe_source(const char *tmp)
{
	size_t n = 3 * 1024 * 1024 + 5;
	unsigned char *data = random_bytes(n);
	struct cu_digests c, d;
	struct cu_error err;
	char dst[4200];
	int fds[2];
	pid_t pid;

	/* A pipe: not a regular file, so the reader thread path is taken and
	 * reads come back short. */
	tap_ok(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		size_t off = 0;

		close(fds[0]);
		while (off < n) {
			size_t len = n - off < 12345 ? n - off : 12345;
			ssize_t w = write(fds[1], data + off, len);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	snprintf(dst, sizeof(dst), "%s/frompipe", tmp);
	tap_is_int(cu_copy_hash_fd(fds[0], dst, CU_HASH_DEFAULT, 0, NULL, &c, &err), CU_OK,
		   "copy from a pipe");
	close(fds[0]);
	waitpid(pid, NULL, 0);
	tap_ok(same_file(dst, data, n), "pipe copy has the same bytes");
	TAP_MUST(cu_hash_file(dst, CU_HASH_DEFAULT, &d, &err));
	tap_is_str(c.sha256, d.sha256, "pipe copy SHA-256 matches a re-hash");
	tap_is_str(c.md5, d.md5, "pipe copy MD5 matches a re-hash");
	tap_is_int((int64_t)c.size, (int64_t)n, "pipe copy size");
	free(data);
}

int main(void)
{
	const char *tmp = tap_tmpdir("core_hash");

	tap_plan(137);
	if (tmp == NULL) {
		tap_ok(false, "temporary directory");
		return tap_done();
	}
	test_vectors();
	test_threaded_equal();
	test_update_start();
	test_files(tmp);
	test_pipe_source(tmp);
	return tap_done();
}
