/*
 * time.c - the clock, RFC 3339 formatting/parsing and Apple epoch helpers.
 *
 * Calendar arithmetic uses the days-from-civil algorithm (proleptic
 * Gregorian), so it is independent of the C library's time zone handling
 * and works for negative times and years 0001..9999 alike.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

static atomic_llong fixed_calls;

/* SOURCE_DATE_EPOCH as seconds, if set to a valid integer. */
static bool source_date_epoch(int64_t *s)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	int64_t v;

	if (e == NULL)
		return false;
	/* Keep v * 1000 plus a call counter far from overflow. */
	if (!cu_parse_i64(e, &v) || v < -(INT64_C(1) << 42) || v > (INT64_C(1) << 42)) {
		static atomic_bool warned;

		if (!atomic_exchange(&warned, true))
			cu_warn("ignoring SOURCE_DATE_EPOCH='%.40s': not a number of seconds; "
				"using the real clock",
				e);
		return false;
	}
	*s = v;
	return true;
}

int64_t cu_time_now_ms(void)
{
	struct timespec ts;
	int64_t s;

	if (source_date_epoch(&s))
		return s * 1000 + (int64_t)atomic_fetch_add(&fixed_calls, 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool cu_time_is_fixed(void)
{
	int64_t s;

	return source_date_epoch(&s);
}

/* Days since 1970-01-01 of y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

#define MS_PER_DAY INT64_C(86400000)

bool cu_time_format_ms(int64_t unix_ms, char out[CU_TIME_STR])
{
	static const int64_t min_ms = INT64_C(-62135596800000); /* 0001-01-01T00:00:00Z */
	static const int64_t max_ms = INT64_C(253402300799999); /* 9999-12-31T23:59:59.999Z */
	int64_t days, rem, y;
	unsigned m, d;
	char tmp[64];
	int r;

	if (unix_ms < min_ms || unix_ms > max_ms)
		return false;
	days = floor_div(unix_ms, MS_PER_DAY);
	rem = unix_ms - days * MS_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	r = snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
		     (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
		     (int)(rem % 1000));
	if (r != CU_TIME_STR - 1)
		return false;
	memcpy(out, tmp, CU_TIME_STR);
	return true;
}

/* Reads exactly n digits. */
static bool digits(const char **s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool cu_time_parse(const char *s, int64_t *unix_ms)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, se, ms = 0, oh = 0, om = 0, sign = 0;
	int64_t v;

	if (s == NULL)
		return false;
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d))
		return false;
	if (*s != 'T' && *s != 't')
		return false;
	s++;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
	    !digits(&s, 2, &se))
		return false;
	if (*s == '.') {
		int n = 0;

		s++;
		if (*s < '0' || *s > '9')
			return false;
		/* Milliseconds: later digits are truncated. */
		for (; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 3)
				ms = ms * 10 + (*s - '0');
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om))
			return false;
		if (oh > 23 || om > 59)
			return false;
	} else {
		return false;
	}
	if (*s != '\0')
		return false;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
		return false;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return false;
	v = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	v -= (int64_t)sign * (oh * 3600 + om * 60);
	*unix_ms = v * 1000 + ms;
	return true;
}

int64_t cu_time_from_unix_s(int64_t s)
{
	if (s > INT64_MAX / 1000)
		return INT64_MAX;
	if (s < INT64_MIN / 1000)
		return INT64_MIN;
	return s * 1000;
}

int64_t cu_time_from_cocoa_s(double s)
{
	double ms;

	if (s != s)
		return 0; /* NaN */
	/* Round to the nearest ms: stored doubles like 0.29 are not exact. */
	ms = (s + (double)CU_COCOA_EPOCH_OFFSET) * 1000.0;
	if (ms >= 9.2e18)
		return INT64_MAX;
	if (ms <= -9.2e18)
		return INT64_MIN;
	return ms >= 0 ? (int64_t)(ms + 0.5) : -(int64_t)(-ms + 0.5);
}

int64_t cu_time_from_cocoa_ns(int64_t ns)
{
	return floor_div(ns, 1000000) + CU_COCOA_EPOCH_OFFSET * 1000;
}

int64_t cu_time_from_cocoa_auto(int64_t v)
{
	/* 1e15 s after 2001 is ~31.7 million years; as ns it is only ~11.6
	 * days, so anything that large is a nanosecond value. */
	if (v > INT64_C(1000000000000000) || v < -INT64_C(1000000000000000))
		return cu_time_from_cocoa_ns(v);
	return (v + CU_COCOA_EPOCH_OFFSET) * 1000;
}
