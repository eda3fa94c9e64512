/*
 * time.c - the clock, RFC 3339 formatting/parsing and Apple epoch helpers.
 *
 * Calendar arithmetic uses the days-from-civil algorithm (proleptic
 * Gregorian), so it is independent of the C library's time zone handling
 * and works for negative times and years 0001..9999 alike.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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

/* ------------------------------------------------------------------ */
/* time zones: TZif (RFC 8536) read here, with its POSIX TZ footer      */
/* ------------------------------------------------------------------ */

#define TZ_MAX_FILE  (256 * 1024)
#define TZ_MAX_TRANS 20000
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 2048
#define TZ_CACHE     32

struct tz_type {
	int32_t off;
	bool dst;
	char abbr[16];
};

/* "Mm.w.d/time" of a POSIX TZ rule. */
struct tz_date {
	int month, week, wday;
	int32_t secs;
};

struct tz_rule {
	bool valid, has_dst;
	int32_t std_off, dst_off;
	char std_abbr[16], dst_abbr[16];
	struct tz_date start, end;
};

struct tz_zone {
	char name[64];
	size_t ntrans, ntypes;
	int64_t *trans;
	unsigned char *idx;
	struct tz_type *types;
	struct tz_rule rule;
};

static pthread_mutex_t tz_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone *tz_cache[TZ_CACHE];
static size_t tz_ncache;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* [+-]hh[:mm[:ss]] of a POSIX TZ string (hours up to 167 as in RFC 8536). */
static bool posix_time(const char **s, int32_t *out)
{
	int sign = 1;
	long v[3] = {0, 0, 0};
	const char *p = *s;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		int n = 0;
		if (i > 0) {
			if (*p != ':')
				break;
			p++;
		}
		while (*p >= '0' && *p <= '9' && n < 3) {
			v[i] = v[i] * 10 + (*p++ - '0');
			n++;
		}
		if (n == 0)
			return false;
	}
	if (v[0] > 167 || v[1] > 59 || v[2] > 59)
		return false;
	*out = (int32_t)(sign * (v[0] * 3600 + v[1] * 60 + v[2]));
	*s = p;
	return true;
}

static bool posix_abbr(const char **s, char out[16])
{
	const char *p = *s;
	size_t n = 0;

	if (*p == '<') {
		p++;
		while (*p != '\0' && *p != '>' && n < 15)
			out[n++] = *p++;
		if (*p++ != '>')
			return false;
	} else {
		while (((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) && n < 15)
			out[n++] = *p++;
	}
	if (n < 3)
		return false;
	out[n] = '\0';
	*s = p;
	return true;
}

/* Mm.w.d[/time]; the Jn and n forms are not used by today's zones and
 * make the rule invalid (the last transition's type is used then). */
static bool posix_date(const char **s, struct tz_date *d)
{
	const char *p = *s;
	long m = 0, w = 0, wd = 0;

	if (*p++ != 'M')
		return false;
	while (*p >= '0' && *p <= '9' && m < 100)
		m = m * 10 + (*p++ - '0');
	if (*p++ != '.' || *p < '1' || *p > '5')
		return false;
	w = *p++ - '0';
	if (*p++ != '.' || *p < '0' || *p > '6')
		return false;
	wd = *p++ - '0';
	if (m < 1 || m > 12)
		return false;
	d->month = (int)m;
	d->week = (int)w;
	d->wday = (int)wd;
	d->secs = 7200;
	if (*p == '/') {
		p++;
		if (!posix_time(&p, &d->secs))
			return false;
	}
	*s = p;
	return true;
}

static void posix_rule(const char *s, struct tz_rule *r)
{
	int32_t v;

	memset(r, 0, sizeof(*r));
	if (!posix_abbr(&s, r->std_abbr) || !posix_time(&s, &v))
		return;
	r->std_off = -v; /* POSIX counts west of Greenwich as positive */
	if (*s == '\0') {
		r->valid = true;
		return;
	}
	if (!posix_abbr(&s, r->dst_abbr))
		return;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (!posix_time(&s, &v))
			return;
		r->dst_off = -v;
	}
	if (*s++ != ',' || !posix_date(&s, &r->start) || *s++ != ',' || !posix_date(&s, &r->end) ||
	    *s != '\0')
		return;
	r->has_dst = true;
	r->valid = true;
}

static bool zone_name_ok(const char *z)
{
	size_t n = strlen(z);

	if (n == 0 || n >= 64 || z[0] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = z[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '+' || c == '/' || c == '.'))
			return false;
		/* No "." or ".." component, no hidden file. */
		if (c == '.' && (i == 0 || z[i - 1] == '/'))
			return false;
	}
	return true;
}

static void zone_free(struct tz_zone *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

/* Reads and checks one TZif file; every count bounded, every index checked. */
static enum cu_status zone_load(const char *name, struct tz_zone **out, struct cu_error *err)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct cu_buf b = CU_BUF_INIT;
	struct tz_zone *z = NULL;
	const unsigned char *p, *end;
	uint32_t isut, isstd, leap, timecnt, typecnt, charcnt;
	size_t tsz = 4, need;
	enum cu_status st;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (!zone_name_ok(name))
		return cu_error_set(err, CU_E_USAGE,
				    "unknown time zone '%.60s': use an IANA name like "
				    "Asia/Shanghai, +HH:MM or UTC",
				    name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cu_file_read_all(path, TZ_MAX_FILE, &b, err) != CU_OK) {
		cu_buf_release(&b);
		cu_error_clear(err);
		return cu_error_set(err, CU_E_USAGE,
				    "unknown time zone '%.60s' (no such zone in the tz database "
				    "%s; install tzdata or use +HH:MM)",
				    name, dir);
	}
	p = (const unsigned char *)b.data;
	end = p + b.len;
	if (b.len < 44 || memcmp(p, "TZif", 4) != 0) {
		st = cu_error_set(err, CU_E_USAGE, "time zone '%.60s': '%s' is not a TZif file",
				  name, path);
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		if (end - p < 44 || memcmp(p, "TZif", 4) != 0)
			goto bad;
		isut = be32(p + 20);
		isstd = be32(p + 24);
		leap = be32(p + 28);
		timecnt = be32(p + 32);
		typecnt = be32(p + 36);
		charcnt = be32(p + 40);
		if (timecnt > TZ_MAX_TRANS || typecnt == 0 || typecnt > TZ_MAX_TYPES ||
		    charcnt > TZ_MAX_CHARS || leap > 1000 || isut > typecnt || isstd > typecnt)
			goto bad;
		need = timecnt * tsz + timecnt + typecnt * 6 + charcnt + leap * (tsz + 4) + isstd +
		       isut;
		if ((size_t)(end - p) - 44 < need)
			goto bad;
		if (pass == 0 && p[4] >= '2') {
			/* Skip the 32-bit block; the 64-bit one follows. */
			p += 44 + need;
			tsz = 8;
			continue;
		}
		break;
	}
	if ((z = cu_calloc(1, sizeof(*z))) == NULL ||
	    (timecnt && ((z->trans = cu_calloc(timecnt, sizeof(int64_t))) == NULL ||
			 (z->idx = cu_calloc(timecnt, 1)) == NULL)) ||
	    (z->types = cu_calloc(typecnt, sizeof(*z->types))) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "time zone '%.60s': out of memory", name);
		goto out;
	}
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->ntrans = timecnt;
	z->ntypes = typecnt;
	{
		const unsigned char *q = p + 44;
		const unsigned char *ti = q + timecnt * tsz, *ty = ti + timecnt;
		const unsigned char *ch = ty + typecnt * 6;

		for (size_t i = 0; i < timecnt; i++) {
			z->trans[i] = tsz == 8 ? be64(q + i * 8) : (int32_t)be32(q + i * 4);
			z->idx[i] = ti[i];
			if (ti[i] >= typecnt || (i > 0 && z->trans[i] <= z->trans[i - 1]))
				goto bad;
		}
		for (size_t i = 0; i < typecnt; i++) {
			int32_t off = (int32_t)be32(ty + i * 6);
			unsigned ai = ty[i * 6 + 5];
			size_t k = 0;
			if (off < -25 * 3600 || off > 26 * 3600 || ai >= charcnt + (charcnt == 0))
				goto bad;
			z->types[i].off = off;
			z->types[i].dst = ty[i * 6 + 4] != 0;
			while (ai + k < charcnt && ch[ai + k] != '\0' && k < 15) {
				z->types[i].abbr[k] = (char)ch[ai + k];
				k++;
			}
			z->types[i].abbr[k] = '\0';
		}
		/* The footer: "\n" POSIX-TZ "\n" (version 2 and later). */
		q = p + 44 + need;
		if (tsz == 8 && q < end && *q == '\n') {
			const unsigned char *nl = memchr(q + 1, '\n', (size_t)(end - q - 1));
			char tzs[128];
			if (nl != NULL && (size_t)(nl - q - 1) < sizeof(tzs)) {
				memcpy(tzs, q + 1, (size_t)(nl - q - 1));
				tzs[nl - q - 1] = '\0';
				posix_rule(tzs, &z->rule);
			}
		}
	}
	*out = z;
	z = NULL;
	st = CU_OK;
	goto out;
bad:
	st = cu_error_set(err, CU_E_USAGE,
			  "time zone '%.60s': '%s' is damaged (not a valid TZif "
			  "file); reinstall tzdata",
			  name, path);
out:
	zone_free(z);
	cu_buf_release(&b);
	return st;
}

/* The zone, loaded once per process and kept (a few KB each); tz_mu held. */
static enum cu_status zone_get_locked(const char *name, const struct tz_zone **out,
				      struct cu_error *err)
{
	struct tz_zone *z = NULL;
	enum cu_status st = CU_OK;

	for (size_t i = 0; i < tz_ncache; i++)
		if (strcmp(tz_cache[i]->name, name) == 0) {
			*out = tz_cache[i];
			return CU_OK;
		}
	if ((st = zone_load(name, &z, err)) == CU_OK) {
		if (tz_ncache < TZ_CACHE)
			tz_cache[tz_ncache++] = z;
		else {
			/* Full: replace the oldest; no caller holds a
			 * pointer past its call (tz_mu is held throughout). */
			zone_free(tz_cache[0]);
			memmove(tz_cache, tz_cache + 1, (TZ_CACHE - 1) * sizeof(tz_cache[0]));
			tz_cache[TZ_CACHE - 1] = z;
		}
		*out = z;
	}
	return st;
}

/* Seconds since the epoch (UTC) of a rule date of year y, given in local
 * time with offset off. */
static int64_t rule_utc(int64_t y, const struct tz_date *d, int32_t off)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t first = days_from_civil(y, (unsigned)d->month, 1);
	int wd1 = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
	int dim = mdays[d->month - 1] + (d->month == 2 && is_leap((int)y));
	int day = 1 + (d->wday - wd1 + 7) % 7 + (d->week - 1) * 7;

	while (day > dim)
		day -= 7;
	return (first + day - 1) * 86400 + d->secs - off;
}

static void rule_at(const struct tz_rule *r, int64_t t, int32_t *off, const char **abbr)
{
	int64_t y, start, stop;
	unsigned m, d;
	bool dst;

	*off = r->std_off;
	*abbr = r->std_abbr;
	if (!r->has_dst)
		return;
	civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
	start = rule_utc(y, &r->start, r->std_off);
	stop = rule_utc(y, &r->end, r->dst_off);
	dst = start < stop ? (t >= start && t < stop) : !(t >= stop && t < start);
	if (dst) {
		*off = r->dst_off;
		*abbr = r->dst_abbr;
	}
}

/* Fixed zones: "UTC", "Z", "+HH:MM", "-HH:MM". */
static bool fixed_zone(const char *z, int32_t *off)
{
	int h, m;

	if (z == NULL || strcmp(z, "UTC") == 0 || strcmp(z, "Z") == 0) {
		*off = 0;
		return true;
	}
	if ((z[0] != '+' && z[0] != '-') || strlen(z) != 6 || z[3] != ':')
		return false;
	for (int i = 1; i < 6; i++)
		if (i != 3 && (z[i] < '0' || z[i] > '9'))
			return false;
	h = (z[1] - '0') * 10 + (z[2] - '0');
	m = (z[4] - '0') * 10 + (z[5] - '0');
	if (h > 14 || m > 59)
		return false;
	*off = (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return true;
}

enum cu_status cu_time_zone_offset(int64_t ms, const char *zone, int32_t *offset_s, char *abbr,
				   size_t abbr_cap, struct cu_error *err)
{
	const struct tz_zone *z;
	const char *a = NULL;
	int32_t off;
	int64_t t = floor_div(ms, 1000);
	enum cu_status st;

	if (fixed_zone(zone, &off)) {
		if (abbr != NULL && abbr_cap > 0)
			snprintf(abbr, abbr_cap, "%s", zone != NULL ? zone : "UTC");
		*offset_s = off;
		return CU_OK;
	}
	/* One lock around lookup and use: a cached zone is freed only when
	 * evicted, which happens under the same lock. */
	pthread_mutex_lock(&tz_mu);
	if ((st = zone_get_locked(zone, &z, err)) != CU_OK) {
		pthread_mutex_unlock(&tz_mu);
		return st;
	}
	if (z->ntrans == 0 || t < z->trans[0]) {
		if (z->ntrans == 0 && z->rule.valid) {
			rule_at(&z->rule, t, &off, &a);
		} else {
			off = z->types[0].off;
			a = z->types[0].abbr;
		}
	} else if (t >= z->trans[z->ntrans - 1] && z->rule.valid) {
		rule_at(&z->rule, t, &off, &a);
	} else {
		size_t lo = 0, hi = z->ntrans; /* last transition <= t */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		off = z->types[z->idx[lo]].off;
		a = z->types[z->idx[lo]].abbr;
	}
	if (abbr != NULL && abbr_cap > 0)
		snprintf(abbr, abbr_cap, "%s", a);
	pthread_mutex_unlock(&tz_mu);
	*offset_s = off;
	return CU_OK;
}

enum cu_status cu_time_zone_check(const char *zone, struct cu_error *err)
{
	int32_t off;

	return cu_time_zone_offset(0, zone, &off, NULL, 0, err);
}

enum cu_status cu_time_format_zone(int64_t ms, const char *zone, char *out, size_t cap,
				   struct cu_error *err)
{
	int32_t off;
	int64_t local, days, rem, y;
	unsigned m, d;
	char tmp[80];
	int r, ao;
	enum cu_status st;

	if ((st = cu_time_zone_offset(ms, zone, &off, NULL, 0, err)) != CU_OK)
		return st;
	/* RFC 3339 offsets are whole minutes; local mean times (before 1900)
	 * are shown with their offset cut to the minute, consistently. */
	off = off / 60 * 60;
	if (ms < INT64_C(-62135596800000) + 86400000 || ms > INT64_C(253402300799999) - 86400000)
		return cu_error_set(err, CU_E_FORMAT,
				    "time %lld ms is out of range (years 0001..9999)",
				    (long long)ms);
	local = ms + (int64_t)off * 1000;
	days = floor_div(local, MS_PER_DAY);
	rem = local - days * MS_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	ao = off < 0 ? -off : off;
	r = snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d.%03d%c%02d:%02d", (int)y, m,
		     d, (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
		     (int)(rem % 1000), off < 0 ? '-' : '+', ao / 3600, ao / 60 % 60);
	if (r < 0 || (size_t)r >= cap)
		return cu_error_set(err, CU_E_LIMIT, "time: output buffer of %zu bytes too small",
				    cap);
	memcpy(out, tmp, (size_t)r + 1);
	return CU_OK;
}
