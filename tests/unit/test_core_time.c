/* test_core_time.c - RFC 3339 formatting/parsing, Apple epochs, the
 * SOURCE_DATE_EPOCH clock; cross-checked against date(1). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static const char *fmt(int64_t ms)
{
	static char out[CU_TIME_STR];

	if (!cu_time_format_ms(ms, out))
		return "(out of range)";
	return out;
}

static void test_format(void)
{
	static const struct {
		int64_t ms;
		const char *s;
	} known[] = {
	    {0, "1970-01-01T00:00:00.000Z"},
	    {-1, "1969-12-31T23:59:59.999Z"},
	    {1795417262123LL, "2026-11-23T07:01:02.123Z"},
	    {951868799000LL, "2000-02-29T23:59:59.000Z"},
	    {-3153600000001LL, "1870-01-24T23:59:59.999Z"},
	    {-62135596800000LL, "0001-01-01T00:00:00.000Z"},
	    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
	};
	char out[CU_TIME_STR] = "untouched";
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		tap_is_str(fmt(known[i].ms), known[i].s, "format %lld", (long long)known[i].ms);
	tap_ok(!cu_time_format_ms(-62135596800001LL, out), "before year 1 refused");
	tap_ok(!cu_time_format_ms(253402300800000LL, out), "after year 9999 refused");
	tap_ok(!cu_time_format_ms(INT64_MIN, out), "INT64_MIN refused");
	tap_is_str(out, "untouched", "out untouched when refused");
}

static void test_parse(void)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {
	    {"2026-11-23T07:01:02.123Z", 1795417262123LL},
	    {"2026-11-23T15:01:02.123+08:00", 1795417262123LL},
	    {"2026-11-22T23:31:02.123-07:30", 1795417262123LL},
	    {"2026-11-23t07:01:02.123z", 1795417262123LL},
	    {"2026-11-23T07:01:02Z", 1795417262000LL},
	    {"2026-11-23T07:01:02.1Z", 1795417262100LL},
	    {"2026-11-23T07:01:02.123999Z", 1795417262123LL},
	    {"1970-01-01T00:00:00+00:00", 0},
	    {"2000-02-29T23:59:59Z", 951868799000LL},
	    {"0001-01-01T00:00:00.000Z", -62135596800000LL},
	};
	static const char *const bad[] = {
	    "",
	    "2026-11-23T07:01:02",
	    "2026-11-23 07:01:02Z",
	    "2026-11-23T07:01:02.Z",
	    "2026-11-23T07:01:02Zjunk",
	    "2026-13-01T00:00:00Z",
	    "2026-00-01T00:00:00Z",
	    "2023-02-29T00:00:00Z",
	    "1900-02-29T00:00:00Z",
	    "2026-04-31T00:00:00Z",
	    "2026-11-23T24:00:00Z",
	    "2026-11-23T07:60:00Z",
	    "2026-11-23T07:01:02+0800",
	    "2026-11-23T07:01:02+24:00",
	    "0000-01-01T00:00:00Z",
	    "26-11-23T07:01:02Z",
	    "2026-1-23T07:01:02Z",
	};
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -7;
		tap_ok(cu_time_parse(good[i].s, &v), "parse '%s'", good[i].s);
		tap_is_int(v, good[i].ms, "value of '%s'", good[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -7;
		tap_ok(!cu_time_parse(bad[i], &v) && v == -7, "refuse '%s'", bad[i]);
	}
	tap_ok(!cu_time_parse(NULL, &v), "refuse NULL");
}

static void test_round_trip(void)
{
	uint64_t x = 88172645463325252ull;
	int bad = 0, i;

	/* Random instants across the whole supported range. */
	for (i = 0; i < 20000; i++) {
		int64_t ms, back = 0;
		char s[CU_TIME_STR];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = (int64_t)(x % 315537897600000ull) - 62135596800000LL;
		if (!cu_time_format_ms(ms, s) || !cu_time_parse(s, &back) || back != ms) {
			if (bad++ == 0)
				tap_diag("round trip failed for %lld (%s -> %lld)", (long long)ms,
					 s, (long long)back);
		}
	}
	tap_is_int(bad, 0, "format/parse round trip over 20000 random instants");
}

static void test_against_date(void)
{
	static const long long secs[] = {0,           951782400,  1700000000,
					 -2000000000, 4102444800, -12219292800};
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		char cmd[128], line[64] = "", want[64];
		FILE *p;

		snprintf(cmd, sizeof(cmd), "date -u -d @%lld +%%Y-%%m-%%dT%%H:%%M:%%S.000Z",
			 secs[i]);
		p = popen(cmd, "r");
		if (p == NULL || fgets(line, sizeof(line), p) == NULL) {
			tap_skip("date(1) not available");
			if (p != NULL)
				pclose(p);
			continue;
		}
		pclose(p);
		line[strcspn(line, "\n")] = '\0';
		snprintf(want, sizeof(want), "%s", line);
		tap_is_str(fmt(cu_time_from_unix_s(secs[i])), want, "agrees with date(1) for %lld",
			   secs[i]);
	}
}

static void test_cocoa(void)
{
	tap_is_str(fmt(cu_time_from_cocoa_s(0)), "2001-01-01T00:00:00.000Z", "Cocoa 0");
	tap_is_str(fmt(cu_time_from_cocoa_s(600000000.25)), "2020-01-06T10:40:00.250Z",
		   "Cocoa seconds with fraction");
	tap_is_str(fmt(cu_time_from_cocoa_s(0.29)), "2001-01-01T00:00:00.290Z",
		   "inexact double rounds to the nearest ms");
	tap_is_str(fmt(cu_time_from_cocoa_s(-1.5)), "2000-12-31T23:59:58.500Z",
		   "negative Cocoa seconds");
	tap_is_int(cu_time_from_cocoa_s(0.0 / 0.0), 0, "NaN gives 0");
	tap_is_str(fmt(cu_time_from_cocoa_ns(0)), "2001-01-01T00:00:00.000Z", "Cocoa ns 0");
	tap_is_str(fmt(cu_time_from_cocoa_ns(-1)), "2000-12-31T23:59:59.999Z",
		   "Cocoa ns floors negative values");
	tap_is_str(fmt(cu_time_from_cocoa_ns(600000000123456789LL)), "2020-01-06T10:40:00.123Z",
		   "Cocoa ns");
	tap_is_str(fmt(cu_time_from_cocoa_auto(600000000)), "2020-01-06T10:40:00.000Z",
		   "auto: seconds");
	tap_is_str(fmt(cu_time_from_cocoa_auto(600000000123456789LL)), "2020-01-06T10:40:00.123Z",
		   "auto: nanoseconds");
	tap_is_str(fmt(cu_time_from_cocoa_auto(-600000000)), "1981-12-27T13:20:00.000Z",
		   "auto: negative seconds");
	tap_is_str(fmt(cu_time_from_cocoa_auto(-600000000000000000LL)), "1981-12-27T13:20:00.000Z",
		   "auto: negative nanoseconds");
	tap_is_int(cu_time_from_unix_s(1700000000), 1700000000000LL, "unix seconds");
	tap_is_int(cu_time_from_unix_s(INT64_MAX), INT64_MAX, "unix seconds saturate");
}

static void test_clock(void)
{
	int64_t a, b, c;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	tap_ok(cu_time_is_fixed(), "SOURCE_DATE_EPOCH fixes the clock");
	a = cu_time_now_ms();
	b = cu_time_now_ms();
	tap_ok(a >= 1700000000000LL && a < 1700000000000LL + 1000, "fixed clock value %lld",
	       (long long)a);
	tap_is_int(b, a + 1, "successive calls strictly increase by one");
	setenv("SOURCE_DATE_EPOCH", "junk", 1);
	tap_ok(!cu_time_is_fixed(), "invalid SOURCE_DATE_EPOCH ignored");
	unsetenv("SOURCE_DATE_EPOCH");
	tap_ok(!cu_time_is_fixed(), "unset: real clock");
	c = cu_time_now_ms();
	tap_ok(c > 1600000000000LL, "real clock is after 2020 (%lld)", (long long)c);
}

int main(void)
{
	tap_plan(76);
	test_format();
	test_parse();
	test_round_trip();
	test_against_date();
	test_cocoa();
	test_clock();
	return tap_done();
}
