/*
 * tap.h - a minimal TAP producer for the C unit tests.
 * Each check prints "ok N - name" or "not ok N - name" plus diagnostics;
 * tap_done() prints the plan and returns the exit status for main().
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
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *why);
/* A fresh empty directory for this test under $TESTTMP (or /tmp). */
const char *tap_tmpdir(const char *name);
int tap_done(void);

#endif
