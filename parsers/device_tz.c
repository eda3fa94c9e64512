/*
 * device_tz.c - the device's time zone (items.timezone, docs/casedb.md)
 * from what the image keeps of the Android setting persist.sys.timezone:
 *
 *   /data/property/persistent_properties (Android 9+): a protobuf
 *     PersistentProperties { repeated PersistentProperty properties = 1; }
 *     with PersistentProperty { string name = 1; string value = 2; };
 *   /data/property/persist.sys.timezone (before): the value alone;
 *   build.prop style "name=value" lines (some ROMs set a default there).
 *
 * Only a plausible IANA name is taken (letters, digits, "/_+-", at most
 * 64 bytes, "Area/City" or UTC/GMT): property files are phone data.
 */
#include "parsers/parsers.h"

#include <string.h>

#define TZ_PROP "persist.sys.timezone"

bool cu_parse_tz_plausible(const char *s, size_t n)
{
	bool slash = false;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/')
			slash = true;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-'))
			return false;
	}
	if (s[0] == '/' || s[n - 1] == '/')
		return false;
	return slash || (n == 3 && (memcmp(s, "UTC", 3) == 0 || memcmp(s, "GMT", 3) == 0));
}

static bool put(const char *s, size_t n, char *out, size_t cap)
{
	while (n > 0 &&
	       (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\0'))
		n--;
	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	if (!cu_parse_tz_plausible(s, n) || n >= cap)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

static bool varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char c = *(*p)++;

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

/* One PersistentProperty: name (1) and value (2). */
static bool property(const unsigned char *p, const unsigned char *end, char *out, size_t cap)
{
	const unsigned char *name = NULL, *value = NULL;
	size_t nlen = 0, vlen = 0;

	while (p < end) {
		uint64_t key, len;

		if (!varint(&p, end, &key) || (key & 7) != 2 || !varint(&p, end, &len) ||
		    len > (uint64_t)(end - p))
			return false;
		if ((key >> 3) == 1) {
			name = p;
			nlen = (size_t)len;
		} else if ((key >> 3) == 2) {
			value = p;
			vlen = (size_t)len;
		}
		p += len;
	}
	return name && value && nlen == strlen(TZ_PROP) && memcmp(name, TZ_PROP, nlen) == 0 &&
	       put((const char *)value, vlen, out, cap);
}

bool cu_parse_tz_from_property_file(const char *device_path, const void *data, size_t n, char *out,
				    size_t cap)
{
	const unsigned char *p = data, *end = p + n;
	const char *base = strrchr(device_path, '/');

	base = base ? base + 1 : device_path;
	if (strcmp(base, TZ_PROP) == 0)
		return put(data, n, out, cap);
	if (strcmp(base, "persistent_properties") == 0) {
		while (p < end) {
			uint64_t key, len;

			if (!varint(&p, end, &key) || (key & 7) != 2 || !varint(&p, end, &len) ||
			    len > (uint64_t)(end - p))
				return false;
			if ((key >> 3) == 1 && property(p, p + len, out, cap))
				return true;
			p += len;
		}
		return false;
	}
	/* "name=value" lines (build.prop, default.prop) */
	for (const char *l = data, *e = (const char *)end; l < e;) {
		const char *nl = memchr(l, '\n', (size_t)(e - l));
		size_t len = nl ? (size_t)(nl - l) : (size_t)(e - l);
		size_t k = strlen(TZ_PROP);

		if (len > k && memcmp(l, TZ_PROP, k) == 0 && l[k] == '=')
			return put(l + k + 1, len - k - 1, out, cap);
		l += len + 1;
	}
	return false;
}
