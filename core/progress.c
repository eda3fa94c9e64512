/*
 * progress.c - a throttled progress line on stderr for long copies.
 * Drawn only when enabled by the CLI and stderr is a terminal, so logs,
 * pipes and --json output never see it. Times here are monotonic ms.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

static bool progress_on;
/* A bar is on screen without its final newline. */
static bool line_dirty;

void cu_progress_enable(bool on)
{
	progress_on = on;
}

bool cu_progress_enabled(void)
{
	return progress_on;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "512 B", "1.2 kB", "35 MB": decimal units as disk sizes are sold. */
static void human(uint64_t v, char *out, size_t n)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double x = (double)v;
	int u = 0;

	if (v < 1000) {
		snprintf(out, n, "%" PRIu64 " B", v);
		return;
	}
	while (x >= 999.95 && u < 6) {
		x /= 1000.0;
		u++;
	}
	if (x < 9.95)
		snprintf(out, n, "%.1f %s", x, unit[u]);
	else
		snprintf(out, n, "%.0f %s", x, unit[u]);
}

static void clock_str(uint64_t s, char *out, size_t n)
{
	if (s >= 3600)
		snprintf(out, n, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned)(s / 60 % 60),
			 (unsigned)(s % 60));
	else
		snprintf(out, n, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}

void cu_progress_render(const struct cu_progress *p, int64_t now_ms, char *out, size_t n)
{
	char done[32], rate[32] = "", eta[32] = "";
	int64_t elapsed = now_ms - p->start_ms;
	const char *label = p->label != NULL ? p->label : "";

	if (n == 0)
		return;
	human(p->done, done, sizeof(done));
	if (elapsed > 0) {
		double bps = (double)p->done * 1000.0 / (double)elapsed;

		human((uint64_t)bps, rate, sizeof(rate));
		if (p->total > p->done && bps >= 1.0) {
			char c[24];

			clock_str((uint64_t)((double)(p->total - p->done) / bps + 0.5), c,
				  sizeof(c));
			snprintf(eta, sizeof(eta), " ETA %s", c);
		}
	}
	if (p->total > 0) {
		unsigned pct = p->done >= p->total
				   ? 100
				   : (unsigned)((double)p->done * 100.0 / (double)p->total);

		snprintf(out, n, "%s %3u%% %s%s%s%s%s", label, pct, done, rate[0] ? " " : "", rate,
			 rate[0] ? "/s" : "", eta);
	} else {
		snprintf(out, n, "%s %s%s%s%s", label, done, rate[0] ? " " : "", rate,
			 rate[0] ? "/s" : "");
	}
}

static void draw(struct cu_progress *p, int64_t now, bool last)
{
	char line[256];

	cu_progress_render(p, now, line, sizeof(line));
	/* \r + clear-to-end-of-line redraws in place. */
	fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
	fflush(stderr);
	line_dirty = !last;
	p->last_draw_ms = now;
}

void cu_progress_start(struct cu_progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->start_ms = mono_ms();
	p->last_draw_ms = 0;
	p->active = progress_on && isatty(STDERR_FILENO);
}

static void maybe_draw(struct cu_progress *p)
{
	int64_t now;

	if (!p->active || !progress_on)
		return;
	now = mono_ms();
	/* About 10 redraws a second at most. */
	if (p->last_draw_ms != 0 && now - p->last_draw_ms < 100)
		return;
	draw(p, now, false);
}

void cu_progress_add(struct cu_progress *p, uint64_t n)
{
	p->done += n;
	maybe_draw(p);
}

void cu_progress_set(struct cu_progress *p, uint64_t done)
{
	p->done = done;
	maybe_draw(p);
}

void cu_progress_finish(struct cu_progress *p)
{
	if (p->active && progress_on && p->last_draw_ms != 0)
		draw(p, mono_ms(), true);
	p->active = false;
}

void cu_progress_clear_line(void)
{
	if (!line_dirty)
		return;
	/* The next throttled update redraws the bar below the message. */
	fputs("\r\033[K", stderr);
	line_dirty = false;
}
