/* test_core_path.c - safe relative paths, reversible escaping, join, mkdirs,
 * and the file helpers (read_all cap, atomic write). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static void test_check_relative(void)
{
	static const struct {
		const char *p;
		size_t n;
		const char *reason;
	} bad[] = {
	    {"", 0, "empty"},
	    {"/etc/passwd", 11, "absolute"},
	    {"a\0b", 3, "NUL byte"},
	    {".", 1, "'.' component"},
	    {"..", 2, "'..' component"},
	    {"a/../b", 6, "'..' component"},
	    {"a/./b", 5, "'.' component"},
	    {"a/..", 4, "'..' component"},
	    {"../a", 4, "'..' component"},
	    {"a//b", 4, "empty component"},
	    {"a/", 2, "empty component"},
	    {"a\xff", 2, "not valid UTF-8"},
	    {"a/\xc0\xae\xc0\xae/b", 8, "not valid UTF-8"},
	};
	static const char *const good[] = {"a",       "a/b/c",        "...",       "a/.b",
					   "..a/b..", "中文/文件.db", "a b/%2E%2E"};
	struct cu_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cu_error_clear(&err);
		tap_is_int(cu_path_check_relative(bad[i].p, bad[i].n, &err), CU_E_PATH,
			   "rejects %s (case %zu)", bad[i].reason, i);
		tap_ok(strstr(err.msg, bad[i].reason) != NULL, "reason given: %s", err.msg);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tap_is_int(cu_path_check_relative(good[i], strlen(good[i]), &err), CU_OK,
			   "accepts '%s'", good[i]);
}

static void test_escape(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
	    {"plain.db", 8, "plain.db"},
	    {".", 1, "%2E"},
	    {"..", 2, "%2E%2E"},
	    {"...", 3, "..."},
	    {"100%", 4, "100%25"},
	    {"a\\b", 3, "a%5Cb"},
	    {"a/b", 3, "a%2Fb"},
	    {"tab\there", 8, "tab%09here"},
	    {"nl\n\x7f", 4, "nl%0A%7F"},
	    {"\xff\xfe", 2, "%FF%FE"},
	    {"\xe4\xb8\xad", 3, "\xe4\xb8\xad"},
	    {"\xe4\xb8", 2, "%E4%B8"},
	    {"a\0b", 3, "a%00b"},
	    {"\xed\xa0\x80x", 4, "%ED%A0%80x"},
	};
	struct cu_buf b = CU_BUF_INIT, back = CU_BUF_INIT;
	struct cu_error err;
	unsigned char all[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cu_buf_reset(&b);
		tap_is_int(cu_path_escape_component(cases[i].in, cases[i].n, &b, &err), CU_OK,
			   "escape case %zu", i);
		tap_is_str(b.data, cases[i].out, "escape case %zu", i);
		tap_ok(cu_utf8_valid(b.data, b.len), "escaped case %zu is UTF-8", i);
		cu_buf_reset(&back);
		tap_is_int(cu_path_unescape_component(b.data, &back, &err), CU_OK,
			   "unescape case %zu", i);
		tap_is_mem(back.data, back.len, cases[i].in, cases[i].n, "round trip case %zu", i);
	}
	/* Every byte value in one name. */
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	cu_buf_reset(&b);
	TAP_MUST(cu_path_escape_component((const char *)all, sizeof(all), &b, &err));
	cu_buf_reset(&back);
	TAP_MUST(cu_path_unescape_component(b.data, &back, &err));
	tap_is_mem(back.data, back.len, all, sizeof(all), "all 256 byte values round trip");
	tap_ok(cu_path_check_relative(b.data, b.len, &err) == CU_OK,
	       "escaped component is a safe relative path");
	/* Allocation failure part way: out keeps its previous content. A fresh
	 * buffer, so that growing it has to allocate. */
	cu_buf_release(&b);
	TAP_MUST(cu_buf_puts(&b, "keep/", &err));
	{
		char longname[300];

		memset(longname, '\xff', sizeof(longname));
		cu_alloc_fail_after(1);
		tap_is_int(cu_path_escape_component(longname, sizeof(longname), &b, &err),
			   CU_E_NOMEM, "allocation failure while escaping");
		cu_alloc_fail_after(0);
		tap_is_str(b.data, "keep/", "out unchanged after the failure");
		cu_alloc_fail_after(1);
		tap_is_int(cu_path_from_device(longname, sizeof(longname), &b, &err), CU_E_NOMEM,
			   "allocation failure mapping a device path");
		cu_alloc_fail_after(0);
		tap_is_str(b.data, "keep/", "out unchanged after the device path failure");
	}
	cu_buf_reset(&back);
	tap_is_int(cu_path_unescape_component("bad%4", &back, &err), CU_E_FORMAT,
		   "truncated escape refused");
	tap_is_int(cu_path_unescape_component("bad%zz", &back, &err), CU_E_FORMAT,
		   "non-hex escape refused");
	cu_buf_release(&b);
	cu_buf_release(&back);
}

static void test_from_device(void)
{
	static const struct {
		const char *in;
		const char *out;
	} good[] = {
	    {"/data/data/com.tencent.mm/MicroMsg/EnMicroMsg.db",
	     "data/data/com.tencent.mm/MicroMsg/EnMicroMsg.db"},
	    {"HomeDomain/Library/SMS/sms.db", "HomeDomain/Library/SMS/sms.db"},
	    {"//a///b/", "a/b"},
	    {"/sdcard/100%\xff/x\\y", "sdcard/100%25%FF/x%5Cy"},
	    {"/a/.../b", "a/.../b"},
	};
	static const char *const bad[] = {"/data/../etc/passwd", "a/./b", "..", "/", "", "///"};
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cu_buf_reset(&b);
		tap_is_int(cu_path_from_device(good[i].in, strlen(good[i].in), &b, &err), CU_OK,
			   "device path %zu accepted", i);
		tap_is_str(b.data, good[i].out, "device path %zu mapped", i);
		tap_is_int(cu_path_check_relative(b.data, b.len, &err), CU_OK,
			   "device path %zu result is safe", i);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cu_buf_reset(&b);
		cu_error_clear(&err);
		tap_is_int(cu_path_from_device(bad[i], strlen(bad[i]), &b, &err), CU_E_PATH,
			   "device path '%s' refused", bad[i]);
		tap_ok(b.len == 0, "nothing written for '%s'", bad[i]);
		tap_ok(strstr(err.msg, "refusing device path") != NULL, "reported: %s", err.msg);
	}
	/* A NUL inside the device path is escaped, not a terminator. */
	cu_buf_reset(&b);
	tap_is_int(cu_path_from_device("/a\0b/c", 6, &b, &err), CU_OK, "NUL in device name");
	tap_is_str(b.data, "a%00b/c", "NUL escaped");
	cu_buf_release(&b);
}

static void test_join_and_mkdirs(const char *tmp)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	char p[4096];
	struct stat st;

	tap_is_int(cu_path_join("/case", "evidence/a/b", &b, &err), CU_OK, "join");
	tap_is_str(b.data, "/case/evidence/a/b", "joined");
	cu_buf_reset(&b);
	TAP_MUST(cu_path_join("/case/", "x", &b, &err));
	tap_is_str(b.data, "/case/x", "join does not double the slash");
	cu_buf_reset(&b);
	tap_is_int(cu_path_join("/case", "../etc", &b, &err), CU_E_PATH, "join refuses ..");
	tap_is_int(cu_path_join("/case", "/etc", &b, &err), CU_E_PATH, "join refuses absolute");
	tap_is_int(cu_path_join("/case", "a/./b", &b, &err), CU_E_PATH, "join refuses .");
	tap_is_int(cu_path_join("/case", "", &b, &err), CU_E_PATH, "join refuses empty");
	tap_is_int(cu_path_join("", "etc", &b, &err), CU_E_PATH, "join refuses an empty root");
	tap_ok(b.len == 0, "nothing appended on refusal");
	cu_buf_release(&b);

	snprintf(p, sizeof(p), "%s/m/n/o", tmp);
	tap_is_int(cu_mkdirs(p, 0755, false, &err), CU_OK, "mkdirs creates a chain");
	tap_ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "last component exists");
	tap_is_int(cu_mkdirs(p, 0755, false, &err), CU_OK, "mkdirs again is fine");
	snprintf(p, sizeof(p), "%s/q/r/file.txt", tmp);
	tap_is_int(cu_mkdirs(p, 0755, true, &err), CU_OK, "mkdirs parent only");
	tap_ok(stat(p, &st) != 0, "last component not created");
	snprintf(p, sizeof(p), "%s/q/r", tmp);
	tap_ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "parent created");
	snprintf(p, sizeof(p), "%s/q/r/f", tmp);
	{
		int fd = open(p, O_CREAT | O_WRONLY, 0644);

		close(fd);
	}
	snprintf(p, sizeof(p), "%s/q/r/f/g", tmp);
	tap_is_int(cu_mkdirs(p, 0755, false, &err), CU_E_EXISTS,
		   "mkdirs through a file refused: %s", err.msg);
	snprintf(p, sizeof(p), "%s/m//x///y/z", tmp);
	tap_is_int(cu_mkdirs(p, 0755, false, &err), CU_OK,
		   "mkdirs below an existing ancestor, doubled slashes");
	snprintf(p, sizeof(p), "%s/m/x/y/z", tmp);
	tap_ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "every missing level made");
	snprintf(p, sizeof(p), "%s/q/r/f/g/h/i", tmp);
	tap_is_int(cu_mkdirs(p, 0755, true, &err), CU_E_EXISTS,
		   "mkdirs several levels below a file refused");
}

static void test_files(const char *tmp)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	char p[4096], t[4200];
	struct stat st;
	char *big;

	snprintf(p, sizeof(p), "%s/atomic.json", tmp);
	tap_is_int(cu_file_write_atomic(p, "{\"a\":1}", 7, 0640, &err), CU_OK, "atomic write");
	tap_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640, "mode as asked");
	snprintf(t, sizeof(t), "%s.tmp.%ld", p, (long)getpid());
	tap_ok(!cu_file_exists(t), "no temporary left behind");
	tap_is_int(cu_file_write_atomic(p, "xyz", 3, 0644, &err), CU_OK, "atomic replace");
	tap_is_int(cu_file_read_all(p, 100, &b, &err), CU_OK, "read back");
	tap_is_str(b.data, "xyz", "replaced content");
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_all(p, 3, &b, &err), CU_OK, "exactly max bytes is fine");
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_all(p, 2, &b, &err), CU_E_LIMIT, "over max refused");
	tap_ok(strstr(err.msg, p) != NULL, "limit error names the file");
	tap_ok(b.len == 0, "nothing kept on refusal");
	snprintf(t, sizeof(t), "%s/missing", tmp);
	tap_is_int(cu_file_read_all(t, 10, &b, &err), CU_E_NOTFOUND, "missing file");
	tap_is_int(cu_file_read_all(tmp, 10, &b, &err), CU_E_IO, "directory refused");
	/* Larger than one read chunk, through a pipe-like path: /dev/zero is
	 * endless, so the cap must stop it. */
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_all("/dev/zero", 200000, &b, &err), CU_E_LIMIT,
		   "endless character device stops at the cap");
	big = malloc(300000);
	memset(big, 'z', 300000);
	snprintf(p, sizeof(p), "%s/big", tmp);
	TAP_MUST(cu_file_write_atomic(p, big, 300000, 0644, &err));
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_all(p, 1 << 20, &b, &err), CU_OK, "read 300 kB");
	tap_is_mem(b.data, b.len, big, 300000, "300 kB content");
	snprintf(p, sizeof(p), "%s/nodir/x", tmp);
	tap_ok(cu_file_write_atomic(p, "x", 1, 0644, &err) == CU_E_IO, "write into missing dir");
	tap_ok(cu_fsync_dir(tmp, &err) == CU_OK, "fsync dir");
	/* Secret files: the first line only, whatever ended it. */
	snprintf(p, sizeof(p), "%s/secret", tmp);
	TAP_MUST(cu_file_write_atomic(p, "s3cret\r\nsecond\n", 15, 0600, &err));
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_first_line(p, 100, &b, &err), CU_OK, "first line read");
	tap_is_mem(b.data, b.len + 1, "s3cret", 7, "CRLF and the rest cut, NUL-terminated");
	TAP_MUST(cu_file_write_atomic(p, "no newline", 10, 0600, &err));
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_first_line(p, 100, &b, &err), CU_OK, "unterminated line read");
	tap_is_str(b.data, "no newline", "unterminated line kept whole");
	TAP_MUST(cu_file_write_atomic(p, "\n", 1, 0600, &err));
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_first_line(p, 100, &b, &err), CU_OK, "empty line read");
	tap_ok(b.len == 0, "empty first line gives an empty secret");
	TAP_MUST(cu_buf_puts(&b, "pre\r", &err));
	TAP_MUST(cu_file_write_atomic(p, "\nx", 2, 0600, &err));
	tap_is_int(cu_file_read_first_line(p, 100, &b, &err), CU_OK, "read after content");
	tap_is_str(b.data, "pre\r", "only what was read is cut, not what was there");
	cu_buf_reset(&b);
	tap_is_int(cu_file_read_first_line(p, 0, &b, &err), CU_E_LIMIT, "cap still applies");
	free(big);
	cu_buf_release(&b);
}

static void test_fd_io(void)
{
	struct cu_error err;
	char buf[16];
	size_t got = 99;
	int fds[2];

	tap_ok(pipe(fds) == 0, "pipe");
	tap_is_int(cu_write_all(fds[1], "hello", 5, "pipe", &err), CU_OK, "write_all");
	close(fds[1]);
	tap_is_int(cu_read_full(fds[0], buf, sizeof(buf), &got, "pipe", &err), CU_OK,
		   "read_full to EOF");
	tap_is_mem(buf, got, "hello", 5, "short read at EOF");
	close(fds[0]);
	tap_is_int(cu_read_full(fds[0], buf, 1, &got, "closed", &err), CU_E_IO,
		   "read on closed fd fails");
	tap_ok(strstr(err.msg, "'closed'") != NULL, "read error names what: %s", err.msg);
	tap_is_int(cu_write_all(-1, "x", 1, "nowhere", &err), CU_E_IO, "write on bad fd fails");
}

int main(void)
{
	const char *tmp = tap_tmpdir("core_path");

	tap_plan(198);
	if (tmp == NULL) {
		tap_ok(false, "temporary directory");
		return tap_done();
	}
	test_check_relative();
	test_escape();
	test_from_device();
	test_join_and_mkdirs(tmp);
	test_files(tmp);
	test_fd_io();
	return tap_done();
}
