/*
 * tap.h - a minimal TAP producer for the C unit tests.
 * A test declares its plan first (tap_plan(N) prints "1..N" before any
 * point), so a program that stops early is caught by the driver and by
 * tap_done(). Each check prints "ok N - name" or "not ok N - name" plus
 * diagnostics; tap_done() returns the exit status for main(): non-zero when
 * a check failed or the number of points run differs from the plan.
 */
#ifndef CUSTOS_TAP_H
#define CUSTOS_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_mem(const void *got, size_t got_n, const void *want, size_t want_n, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));
/* A check for a known bug, marked "# TODO why": failing is expected (XFAIL);
 * passing (XPASS) fails the run, so the mark goes when the bug is fixed. */
bool tap_todo(bool cond, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Declares the number of test points; call once, before the first check. */
void tap_plan(int planned);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *why);
/* Skips every planned point not run yet, with the reason (the caller then
 * returns tap_done()). */
void tap_skip_rest(const char *why);
/* Stops the test: prints "Bail out! why" (the driver reports an ERROR) and
 * exits 1. For a missing in-tree fixture or broken set-up. */
void tap_bail(const char *why) __attribute__((noreturn));
/* A set-up step that must succeed (status 0, i.e. CU_OK) or the test bails
 * out naming it: TAP_MUST(cu_buf_puts(&b, "x", &err)). */
#define TAP_MUST(call) tap_must_((call) == 0, #call, __FILE__, __LINE__)
void tap_must_(bool ok, const char *what, const char *file, int line);
/* For a test that needs data from ../shared (SHARED) and does not find it:
 * with CI=true in the environment bails out (CI has ../shared); elsewhere
 * prints the reason, skips the points left and exits with tap_done(). */
void tap_shared_missing(const char *why) __attribute__((noreturn));
/* A fresh empty directory for this test under $TESTTMP (or /tmp). */
const char *tap_tmpdir(const char *name);
int tap_done(void);

#endif
