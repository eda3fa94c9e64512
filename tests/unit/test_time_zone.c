/* test_time_zone.c - IANA time zones with daylight saving time
 * (cu_time_format_zone, cu_time_zone_offset): known instants around the
 * Zurich DST changes, China's 1986-1991 DST, the POSIX rule beyond the
 * tz file's last transition (north and south), fixed offsets, refused
 * names, threads; and a cross-check of many instants against date(1). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static const char *fz(int64_t ms, const char *zone)
{
	static char out[CU_TIME_ZONE_STR];
	static struct cu_error e;

	if (cu_time_format_zone(ms, zone, out, sizeof(out), &e) != CU_OK)
		return e.msg;
	return out;
}

static void test_known(void)
{
	static const struct {
		const char *utc, *zone, *want;
	} k[] = {
	    /* Zurich: winter CET +01:00, summer CEST +02:00. */
	    {"2024-01-15T12:00:00Z", "Europe/Zurich", "2024-01-15T13:00:00.000+01:00"},
	    {"2024-07-01T12:00:00Z", "Europe/Zurich", "2024-07-01T14:00:00.000+02:00"},
	    /* The spring change at 01:00 UTC: 02:00 local does not exist. */
	    {"2024-03-31T00:59:59Z", "Europe/Zurich", "2024-03-31T01:59:59.000+01:00"},
	    {"2024-03-31T01:00:00Z", "Europe/Zurich", "2024-03-31T03:00:00.000+02:00"},
	    /* The autumn change: 02:xx local happens twice. */
	    {"2024-10-27T00:30:00Z", "Europe/Zurich", "2024-10-27T02:30:00.000+02:00"},
	    {"2024-10-27T01:30:00Z", "Europe/Zurich", "2024-10-27T02:30:00.000+01:00"},
	    {"2024-07-01T12:00:00.123Z", "Asia/Shanghai", "2024-07-01T20:00:00.123+08:00"},
	    /* China observed DST from 1986 to 1991. */
	    {"1988-07-01T00:00:00Z", "Asia/Shanghai", "1988-07-01T09:00:00.000+09:00"},
	    /* Beyond the file's transitions: the POSIX TZ rule. */
	    {"2100-07-01T12:00:00Z", "Europe/Zurich", "2100-07-01T14:00:00.000+02:00"},
	    {"2100-12-01T12:00:00Z", "Europe/Zurich", "2100-12-01T13:00:00.000+01:00"},
	    {"2100-01-15T00:00:00Z", "Australia/Sydney", "2100-01-15T11:00:00.000+11:00"},
	    {"2100-07-15T00:00:00Z", "Australia/Sydney", "2100-07-15T10:00:00.000+10:00"},
	    {"2024-07-01T12:00:00Z", "America/New_York", "2024-07-01T08:00:00.000-04:00"},
	    {"2024-07-01T12:00:00Z", "+05:30", "2024-07-01T17:30:00.000+05:30"},
	    {"2024-07-01T12:00:00Z", "UTC", "2024-07-01T12:00:00.000+00:00"},
	    {"2024-07-01T12:00:00Z", NULL, "2024-07-01T12:00:00.000+00:00"},
	    {"1969-12-31T23:59:59.999Z", "Europe/Zurich", "1970-01-01T00:59:59.999+01:00"},
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int64_t ms;
		TAP_MUST(!cu_time_parse(k[i].utc, &ms));
		tap_is_str(fz(ms, k[i].zone), k[i].want, "%s in %s", k[i].utc,
			   k[i].zone ? k[i].zone : "(null)");
	}
}

static void test_abbr_and_refusals(void)
{
	struct cu_error e;
	int32_t off = 1;
	char abbr[16];
	int64_t ms;

	TAP_MUST(!cu_time_parse("2024-07-01T12:00:00Z", &ms));
	tap_ok(cu_time_zone_offset(ms, "Europe/Zurich", &off, abbr, sizeof(abbr), &e) == CU_OK &&
		   off == 7200 && strcmp(abbr, "CEST") == 0,
	       "Zurich in July: +7200 s, CEST");
	tap_ok(cu_time_zone_check("Asia/Shanghai", &e) == CU_OK, "Asia/Shanghai is known");
	tap_ok(cu_time_zone_check("Europe/Zurich", &e) == CU_OK, "Europe/Zurich is known");
	tap_ok(cu_time_zone_check("Mars/Olympus_Mons", &e) == CU_E_USAGE &&
		   strstr(e.msg, "Mars/Olympus_Mons") != NULL,
	       "unknown zone refused with its name: %s", e.msg);
	tap_ok(cu_time_zone_check("../../etc/passwd", &e) == CU_E_USAGE, "a path is refused");
	tap_ok(cu_time_zone_check("/etc/localtime", &e) == CU_E_USAGE,
	       "an absolute path is refused");
	tap_ok(cu_time_zone_check("zone.tab", &e) == CU_E_USAGE,
	       "a file that is not TZif is refused");
	tap_ok(cu_time_zone_check("Europe", &e) == CU_E_USAGE, "a folder is refused");
	tap_ok(cu_time_zone_check("+25:00", &e) == CU_E_USAGE, "+25:00 is refused");
	{
		char small[10];
		tap_ok(cu_time_format_zone(ms, "UTC", small, sizeof(small), &e) == CU_E_LIMIT,
		       "a small buffer is refused");
	}
}

/* Many instants in several zones against date(1), which uses the C
 * library's own reading of the same tz database. */
static void test_against_date(void)
{
	static const char *const zones[] = {"Europe/Zurich",     "Asia/Shanghai",
					    "America/Sao_Paulo", "Australia/Lord_Howe",
					    "Asia/Kolkata",      "Europe/London"};
	int bad = 0, n = 0;
	uint64_t x = 88172645463325252ULL;

	for (size_t zi = 0; zi < sizeof(zones) / sizeof(zones[0]); zi++) {
		char cmd[4096], line[128];
		int64_t ts[40];
		size_t len = 0;
		FILE *p;

		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "for s in");
		for (int i = 0; i < 40; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* 1950 .. 2150, whole seconds */
			ts[i] = -631152000LL + (int64_t)(x % 6311433600ULL);
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %lld",
						(long long)ts[i]);
		}
		snprintf(cmd + len, sizeof(cmd) - len,
			 "; do TZ=%s date -d @$s +%%Y-%%m-%%dT%%H:%%M:%%S.000%%:z; done",
			 zones[zi]);
		if ((p = popen(cmd, "r")) == NULL)
			tap_bail("popen date failed");
		for (int i = 0; i < 40 && fgets(line, sizeof(line), p) != NULL; i++) {
			line[strcspn(line, "\n")] = '\0';
			n++;
			if (strcmp(fz(ts[i] * 1000, zones[zi]), line) != 0) {
				if (bad++ < 5)
					tap_diag("%s @%lld: got %s, date says %s", zones[zi],
						 (long long)ts[i], fz(ts[i] * 1000, zones[zi]),
						 line);
			}
		}
		pclose(p);
	}
	tap_ok(n == 240 && bad == 0, "%d instants in 6 zones agree with date(1) (%d differ)", n,
	       bad);
}

static void *worker(void *arg)
{
	const char *zone = arg;
	char out[CU_TIME_ZONE_STR], first[CU_TIME_ZONE_STR];
	struct cu_error e;
	intptr_t bad = 0;

	if (cu_time_format_zone(1719835200000LL, zone, first, sizeof(first), &e) != CU_OK)
		return (void *)1;
	for (int i = 0; i < 20000; i++)
		if (cu_time_format_zone(1719835200000LL, zone, out, sizeof(out), &e) != CU_OK ||
		    strcmp(out, first) != 0)
			bad++;
	return (void *)bad;
}

static void test_threads(void)
{
	static const char *const zones[] = {"Europe/Zurich", "Asia/Shanghai", "Europe/Berlin",
					    "Asia/Tokyo"};
	pthread_t t[4];
	intptr_t bad = 0;

	for (int i = 0; i < 4; i++)
		TAP_MUST(pthread_create(&t[i], NULL, worker, (void *)zones[i]));
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (intptr_t)r;
	}
	tap_ok(bad == 0, "4 threads format concurrently, same results (%ld bad)", (long)bad);
}

int main(void)
{
	tap_plan(29);
	test_known();
	test_abbr_and_refusals();
	test_against_date();
	test_threads();
	return tap_done();
}
