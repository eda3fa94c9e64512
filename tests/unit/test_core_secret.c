/* test_core_secret.c - secrets held in memory only (core/secret.c): no core
 * dumps, locked pages, wiped bytes, buffers that never move, and a password
 * file's name never echoed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness/tap.h"

/* AddressSanitizer intercepts mlock() and returns success without locking,
 * so the locked-memory counter can only be checked in plain builds. */
#if defined(__SANITIZE_ADDRESS__)
#define MLOCK_INTERCEPTED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLOCK_INTERCEPTED 1
#endif
#endif
#ifndef MLOCK_INTERCEPTED
#define MLOCK_INTERCEPTED 0
#endif

/* VmLck of this process in kB (/proc/self/status), -1 if unknown. */
static long locked_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmLck:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int main(void)
{
	struct cu_error err = {0};
	struct rlimit rl;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *key;
	struct cu_buf b = CU_BUF_INIT;
	char *before;

	tap_plan(17);

	/* Core dumps: what main() does first for every command. */
	struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
	(void)setrlimit(RLIMIT_CORE, &up); /* as high as allowed, to see it drop */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	tap_is_int(cu_secret_no_core_dumps(&err), CU_OK, "core dumps disabled");
	tap_is_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0, "PR_GET_DUMPABLE is 0");
	TAP_MUST(getrlimit(RLIMIT_CORE, &rl));
	tap_ok(rl.rlim_cur == 0 && rl.rlim_max == 0, "RLIMIT_CORE is 0 (soft and hard)");

	/* A derived key: locked while held, every byte wiped on release. */
	key = aligned_alloc((size_t)page, (size_t)page);
	if (key == NULL)
		tap_bail("out of memory");
	memset(key, 0xA5, (size_t)page);
	long kb0 = locked_kb();
	tap_ok(cu_secret_lock(key, 32), "key locked");
	if (MLOCK_INTERCEPTED)
		tap_skip("AddressSanitizer makes mlock a no-op: VmLck cannot grow in this build");
	else
		tap_ok(locked_kb() >= kb0 + page / 1024, "VmLck grew by a page (%ld -> %ld kB)",
		       kb0, locked_kb());
	cu_secret_wipe(key, 32);
	tap_ok(all_zero(key, 32), "the key's 32 bytes are wiped");
	tap_ok(key[32] == 0xA5, "bytes past the key untouched");
	tap_is_int(locked_kb(), kb0, "unlocked after the wipe");
	free(key);

	/* A secret buffer never moves: growing past its cap fails in place. */
	TAP_MUST(cu_secret_buf_reserve(&b, 16, &err));
	before = b.data;
	if (MLOCK_INTERCEPTED)
		tap_skip("AddressSanitizer makes mlock a no-op: VmLck cannot grow in this build");
	else
		tap_ok(locked_kb() > kb0, "the reserved buffer is locked");
	TAP_MUST(cu_buf_puts(&b, "0123456789abcdef", &err));
	tap_ok(b.data == before, "filling it to the cap does not reallocate");
	tap_is_int(cu_buf_putc(&b, 'x', &err), CU_E_LIMIT, "one byte more is refused");
	tap_ok(b.data == before && b.len == 16, "and leaves the secret where it was");
	cu_secret_buf_wipe(&b);
	tap_ok(b.data == NULL && b.len == 0, "wiped buffer released");
	tap_is_int(locked_kb(), kb0, "and unlocked");
	tap_is_int(cu_secret_buf_reserve(&b, 8, &err), CU_OK, "a wiped buffer can be reused");
	cu_secret_buf_wipe(&b);

	/* A password typed where the file name belongs is never echoed. */
	TAP_MUST(cu_secret_buf_reserve(&b, 64, &err));
	tap_is_int(cu_secret_read_file("hunter2-not-a-file", 64, &b, &err), CU_E_IO,
		   "unreadable password file: input error");
	tap_ok(strstr(err.msg, "hunter2") == NULL && err.msg[0] != '\0',
	       "the message does not name it: %s", err.msg);
	cu_secret_buf_wipe(&b);
	return tap_done();
}
