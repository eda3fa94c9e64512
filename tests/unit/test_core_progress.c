/* test_core_progress.c - the progress line renderer and the switch. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static const char *render(const char *label, uint64_t total, uint64_t done, int64_t elapsed_ms)
{
	static char out[256];
	struct cu_progress p;

	memset(&p, 0, sizeof(p));
	p.label = label;
	p.total = total;
	p.done = done;
	p.start_ms = 1000;
	cu_progress_render(&p, 1000 + elapsed_ms, out, sizeof(out));
	return out;
}

/* Draws on a pseudo-terminal standing in for stderr and reads what a user
 * would see: the bar, the bar erased before a warning, the final line. */
static void test_on_terminal(void)
{
	struct cu_progress p;
	char seen[4096];
	size_t n = 0;
	ssize_t r;
	int master, slave, saved;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
		for (int i = 0; i < 5; i++)
			tap_skip("no pseudo-terminals here");
		return;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	saved = dup(STDERR_FILENO);
	fflush(stderr);
	dup2(slave, STDERR_FILENO);
	cu_progress_enable(true);
	cu_progress_start(&p, "copy", 1000);
	tap_ok(p.active, "active on a terminal");
	cu_progress_add(&p, 500);
	cu_warn("disk %s", "slow");
	cu_progress_finish(&p);
	cu_progress_enable(false);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (n < sizeof(seen) - 1 && (r = read(master, seen + n, sizeof(seen) - 1 - n)) > 0)
		n += (size_t)r;
	seen[n] = '\0';
	close(master);
	tap_ok(strncmp(seen, "\rcopy  50% 500 B", 16) == 0, "bar drawn at once");
	tap_ok(strstr(seen, "\033[K\r\033[Kcustos: warning: disk slow") != NULL,
	       "bar erased before the warning");
	tap_ok(strstr(seen, "slow\r\n\rcopy  50% 500 B") != NULL, "final bar after the warning");
	tap_ok(n > 2 && strcmp(seen + n - 2, "\r\n") == 0, "final bar ends the line");
}

int main(void)
{
	struct cu_progress p;
	char small[8];

	tap_plan(22);
	tap_is_str(render("copy", 1000000000, 420000000, 12000),
		   "copy  42% 420 MB 35 MB/s ETA 0:17", "percent, size, rate and ETA");
	tap_is_str(render("seal", 0, 1234567890, 1000), "seal 1.2 GB 1.2 GB/s",
		   "unknown total: no percent, no ETA");
	tap_is_str(render("x", 100, 0, 0), "x   0% 0 B", "nothing done, no time passed");
	tap_is_str(render("x", 100, 100, 2000), "x 100% 100 B 50 B/s", "done: no ETA");
	tap_is_str(render("x", 100, 150, 1000), "x 100% 150 B 150 B/s",
		   "over total capped at 100%%");
	tap_is_str(render("big", 8000000000000ULL, 1000000000, 1000),
		   "big   0% 1.0 GB 1.0 GB/s ETA 2:13:19", "hours in ETA");
	tap_is_str(render("u", 0, 999, 1000), "u 999 B 999 B/s", "bytes below 1 kB");
	tap_is_str(render("u", 0, 999999, 1000), "u 1.0 MB 1.0 MB/s", "rounding carries to MB");
	tap_is_str(render("u", 0, 12345678, 1000), "u 12 MB 12 MB/s", "two digits, no decimal");
	tap_is_str(render(NULL, 0, 5, 1000), " 5 B 5 B/s", "NULL label");

	memset(&p, 0, sizeof(p));
	p.label = "truncated label";
	p.done = 5;
	cu_progress_render(&p, 0, small, sizeof(small));
	tap_is_str(small, "truncat", "output bounded by its size");

	cu_progress_enable(false);
	tap_ok(!cu_progress_enabled(), "switch off");
	cu_progress_start(&p, "off", 10);
	tap_ok(!p.active, "inactive when disabled");
	cu_progress_add(&p, 4);
	cu_progress_add(&p, 3);
	tap_is_int((int64_t)p.done, 7, "add counts even when not drawing");
	cu_progress_set(&p, 9);
	tap_is_int((int64_t)p.done, 9, "set");
	cu_progress_finish(&p);
	cu_progress_enable(true);
	tap_ok(cu_progress_enabled(), "switch on");
	/* Under the test driver stderr is not a terminal: still no drawing. */
	cu_progress_start(&p, "on", 10);
	tap_ok(!p.active || isatty(2), "inactive when stderr is not a terminal");
	cu_progress_finish(&p);
	cu_progress_enable(false);
	test_on_terminal();
	return tap_done();
}
