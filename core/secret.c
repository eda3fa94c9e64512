/*
 * secret.c - secrets held in memory only.
 *
 * A backup password, a key derived from it, a package password or a
 * private signing key must never reach the disk: not through swap (the
 * pages are mlock()ed while held) and not through a core dump (the process
 * makes itself non-dumpable at start, see cu_secret_no_core_dumps()). On
 * release the bytes are overwritten with OPENSSL_cleanse(), which the
 * compiler may not elide, before the pages are unlocked.
 *
 * mlock() is best effort: RLIMIT_MEMLOCK may be small and a secret is still
 * better used unlocked than not at all; core dumps stay disabled either way.
 * Locks do not nest (the kernel counts pages, not calls): unlocking one
 * secret unlocks a page another secret shares; secrets are short-lived, so
 * this only narrows the swap protection, never the wiping.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "core/core.h"

/* OpenSSL's secure heap (a power of two): a few private keys. */
#define CU_SECRET_HEAP ((size_t)64 * 1024)

#ifdef CUSTOS_TEST_HOOKS
/*
 * CUSTOS_TEST_SECRET_REPORT=FILE  TEST ONLY (builds with CUSTOS_TEST_HOOKS):
 * each cu_secret_lock() appends "dumpable=D core=SOFT/HARD locked=L
 * secure_heap=S" to FILE,
 * the process state while the secret is held (tests/e2e/cli_secrets.sh).
 */
static void report_state(bool locked)
{
	const char *path = getenv("CUSTOS_TEST_SECRET_REPORT");
	struct rlimit rl = {0, 0};
	FILE *f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	(void)getrlimit(RLIMIT_CORE, &rl);
	fprintf(f, "dumpable=%d core=%llu/%llu locked=%d secure_heap=%d\n",
		prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), (unsigned long long)rl.rlim_cur,
		(unsigned long long)rl.rlim_max, locked ? 1 : 0,
		CRYPTO_secure_malloc_initialized());
	fclose(f);
}
#endif

enum cu_status cu_secret_no_core_dumps(struct cu_error *err)
{
	const struct rlimit zero = {0, 0};

	if (setrlimit(RLIMIT_CORE, &zero) != 0)
		return cu_error_errno(err, CU_E_IO, errno,
				      "cannot disable core dumps (RLIMIT_CORE)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return cu_error_errno(err, CU_E_IO, errno,
				      "cannot disable core dumps (PR_SET_DUMPABLE)");
	/* OpenSSL keeps private keys (the Ed25519 signing key while seal or
	 * custody holds it) in its secure heap when there is one: locked,
	 * guarded pages, cleansed on free. Best effort: without it they live
	 * in the ordinary heap, still never dumped. */
	if (!CRYPTO_secure_malloc_initialized())
		(void)CRYPTO_secure_malloc_init(CU_SECRET_HEAP, 32);
	return CU_OK;
}

bool cu_secret_lock(void *p, size_t n)
{
	bool locked = p != NULL && n > 0 && mlock(p, n) == 0;

#ifdef CUSTOS_TEST_HOOKS
	report_state(locked);
#endif
	return locked;
}

void cu_secret_wipe(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
	OPENSSL_cleanse(p, n);
	(void)munlock(p, n);
}

enum cu_status cu_secret_buf_reserve(struct cu_buf *b, size_t cap, struct cu_error *err)
{
	enum cu_status st;

	if (b->len != 0)
		return cu_error_set(err, CU_E_INTERNAL, "a secret buffer is reserved before use");
	cu_buf_release(b);
	cu_buf_init(b, cap);
	if ((st = cu_buf_grow(b, cap, err)) != CU_OK)
		return st;
	/* The cap stops every later growth: a realloc would leave a copy of
	 * the secret behind, unwiped, in freed memory. */
	b->max = cap;
	(void)cu_secret_lock(b->data, b->cap);
	return CU_OK;
}

void cu_secret_buf_wipe(struct cu_buf *b)
{
	if (b->data != NULL)
		cu_secret_wipe(b->data, b->cap);
	b->len = 0;
	cu_buf_release(b);
}

enum cu_status cu_secret_read_file(const char *path, size_t max, struct cu_buf *out,
				   struct cu_error *err)
{
	struct cu_error e = {0};

	if (cu_file_read_first_line(path, max, out, &e) == CU_OK)
		return CU_OK;
	cu_secret_wipe(e.msg, sizeof(e.msg));
	/* The path is not repeated: a password typed where the file name
	 * belongs ("--password-file hunter2") must not reach the terminal,
	 * a log or a --json error. */
	if (e.code == CU_E_LIMIT)
		return cu_error_set(err, CU_E_USAGE, "the password file is longer than %zu bytes",
				    max);
	return cu_error_set(err, CU_E_IO,
			    "the file given to --password-file cannot be read: check its path "
			    "and permissions (the name is not shown: it may be a password)");
}
