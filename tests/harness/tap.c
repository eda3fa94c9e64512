#include "tests/harness/tap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap_count;
static int tap_failed;
static int tap_planned = -1;

void tap_plan(int planned)
{
	if (tap_planned >= 0 || tap_count > 0)
		tap_bail("tap_plan() called twice or after the first test point");
	tap_planned = planned;
	printf("1..%d\n", planned);
	fflush(stdout);
}

void tap_bail(const char *why)
{
	printf("Bail out! %s\n", why);
	fflush(stdout);
	exit(1);
}

void tap_must_(bool ok, const char *what, const char *file, int line)
{
	char why[512];

	if (ok)
		return;
	snprintf(why, sizeof(why), "set-up step failed at %s:%d: %s", file, line, what);
	tap_bail(why);
}

static bool report(bool cond, const char *fmt, va_list ap)
{
	if (tap_planned < 0)
		tap_bail("test point before tap_plan()");
	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool tap_todo(bool cond, const char *why, const char *fmt, ...)
{
	va_list ap;
	if (tap_planned < 0)
		tap_bail("test point before tap_plan()");
	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # TODO %s\n", why);
	fflush(stdout);
	return cond;
}

bool tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
{
	va_list ap;
	bool cond = got == want;
	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  %" PRId64 "\n#   want: %" PRId64 "\n", got, want);
	return cond;
}

bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	bool cond = (got == NULL && want == NULL) ||
		    (got != NULL && want != NULL && strcmp(got, want) == 0);
	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return cond;
}

bool tap_is_mem(const void *got, size_t got_n, const void *want, size_t want_n, const char *fmt,
		...)
{
	va_list ap;
	bool cond = got_n == want_n && (got_n == 0 || memcmp(got, want, got_n) == 0);
	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   sizes: got %zu want %zu\n", got_n, want_n);
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void tap_skip(const char *why)
{
	if (tap_planned < 0)
		tap_bail("test point before tap_plan()");
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
	fflush(stdout);
}

void tap_skip_rest(const char *why)
{
	while (tap_count < tap_planned)
		tap_skip(why);
}

void tap_shared_missing(const char *why)
{
	const char *ci = getenv("CI");
	char msg[1024];
	if (ci != NULL && strcmp(ci, "true") == 0) {
		snprintf(msg, sizeof(msg), "%s (CI=true: ../shared must be present)", why);
		tap_bail(msg);
	}
	tap_diag("skipping the rest: %s (outside CI)", why);
	tap_skip_rest(why);
	exit(tap_done());
}

const char *tap_tmpdir(const char *name)
{
	static char path[4096];
	const char *root = getenv("TESTTMP");
	char cmd[2 * sizeof(path) + 64];
	if (root == NULL || *root == '\0')
		root = "/tmp";
	if (mkdir(root, 0755) != 0 && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.%ld", root, name, (long)getpid());
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", path, path);
	if (system(cmd) == -1)
		return NULL;
	if (mkdir(path, 0755) != 0)
		return NULL;
	return path;
}

int tap_done(void)
{
	if (tap_planned < 0) {
		printf("# no plan declared (tap_plan)\n");
		return 1;
	}
	if (tap_count != tap_planned) {
		printf("# planned %d tests, ran %d\n", tap_planned, tap_count);
		return 1;
	}
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}
