/*
 * json.c - a streaming JSON writer with a fixed key order, and the jansson
 * loader used for every JSON input.
 *
 * The custody log hashes the exact bytes of each entry's body (CUSTODY.md),
 * so output must be canonical: no whitespace, keys in the caller's order,
 * one escaping rule for every string: '"' and '\\' backslash-escaped, bytes
 * below 0x20 as \b \f \n \r \t or \u00xx (lowercase hex), everything else
 * (including '/', DEL and non-ASCII) written as is. Invalid UTF-8 becomes
 * U+FFFD, one per offending byte, counted in j->replaced.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

void cu_json_init(struct cu_json *j, struct cu_buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	cu_error_clear(&j->err);
}

static bool failed(const struct cu_json *j)
{
	return j->err.code != CU_OK;
}

static void put(struct cu_json *j, const void *p, size_t n)
{
	if (!failed(j) && cu_buf_append(j->out, p, n, &j->err) != CU_OK && !failed(j))
		j->err.code = CU_E_INTERNAL;
}

static void putc_(struct cu_json *j, char c)
{
	put(j, &c, 1);
}

/* Comma and misuse checks before any value. */
static bool pre_value(struct cu_json *j)
{
	if (failed(j))
		return false;
	if (j->depth > 0) {
		int d = j->depth - 1;

		if (j->in_obj[d]) {
			if (!j->after_key) {
				cu_error_set(&j->err, CU_E_INTERNAL,
					     "json writer: value inside an object without a key");
				return false;
			}
		} else {
			if (!j->first[d])
				putc_(j, ',');
			j->first[d] = false;
		}
	}
	j->after_key = false;
	return !failed(j);
}

static void write_string(struct cu_json *j, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run;

	putc_(j, '"');
	while (i < n && !failed(j)) {
		/* Copy the longest stretch that needs no escaping at once. */
		run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		if (run > i) {
			put(j, s + i, run - i);
			i = run;
			continue;
		}
		if (u[i] >= 0x80) {
			/* Sequence length from the lead byte (RFC 3629), then a
			 * bounded check so long strings stay linear. */
			size_t take = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : 2;

			if (take > n - i || cu_utf8_valid_prefix(s + i, take) != take)
				take = 0;
			if (take > 0) {
				put(j, s + i, take);
				i += take;
			} else {
				put(j, "\xEF\xBF\xBD", 3);
				j->replaced++;
				i++;
			}
			continue;
		}
		switch (u[i]) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\b': put(j, "\\b", 2); break;
		case '\f': put(j, "\\f", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		default: {
			char e[6] = {'\\', 'u', '0', '0', hexd[u[i] >> 4], hexd[u[i] & 0x0F]};

			put(j, e, 6);
		}
		}
		i++;
	}
	putc_(j, '"');
}

static void begin(struct cu_json *j, bool obj)
{
	if (!pre_value(j))
		return;
	if (j->depth >= CU_JSON_MAX_DEPTH) {
		cu_error_set(&j->err, CU_E_LIMIT, "json writer: nesting deeper than %d levels",
			     CU_JSON_MAX_DEPTH);
		return;
	}
	putc_(j, obj ? '{' : '[');
	j->first[j->depth] = true;
	j->in_obj[j->depth] = obj;
	j->depth++;
}

static void end(struct cu_json *j, bool obj)
{
	if (failed(j))
		return;
	if (j->depth == 0 || j->in_obj[j->depth - 1] != obj || j->after_key) {
		cu_error_set(&j->err, CU_E_INTERNAL, "json writer: unbalanced %s end",
			     obj ? "object" : "array");
		return;
	}
	j->depth--;
	putc_(j, obj ? '}' : ']');
}

void cu_json_obj_begin(struct cu_json *j)
{
	begin(j, true);
}

void cu_json_obj_end(struct cu_json *j)
{
	end(j, true);
}

void cu_json_arr_begin(struct cu_json *j)
{
	begin(j, false);
}

void cu_json_arr_end(struct cu_json *j)
{
	end(j, false);
}

static void keyn(struct cu_json *j, const char *key, size_t n)
{
	int d;

	if (failed(j))
		return;
	if (j->depth == 0 || !j->in_obj[j->depth - 1] || j->after_key) {
		cu_error_set(&j->err, CU_E_INTERNAL, "json writer: key '%.100s' out of place",
			     key != NULL ? key : "(null)");
		return;
	}
	if (key == NULL) {
		cu_error_set(&j->err, CU_E_INTERNAL, "json writer: NULL key");
		return;
	}
	d = j->depth - 1;
	if (!j->first[d])
		putc_(j, ',');
	j->first[d] = false;
	write_string(j, key, n);
	putc_(j, ':');
	j->after_key = true;
}

void cu_json_key(struct cu_json *j, const char *key)
{
	keyn(j, key, key != NULL ? strlen(key) : 0);
}

void cu_json_strn(struct cu_json *j, const char *s, size_t n)
{
	if (s == NULL) {
		cu_json_null(j);
		return;
	}
	if (pre_value(j))
		write_string(j, s, n);
}

void cu_json_str(struct cu_json *j, const char *s)
{
	cu_json_strn(j, s, s != NULL ? strlen(s) : 0);
}

void cu_json_int(struct cu_json *j, int64_t v)
{
	char t[32];
	int r = snprintf(t, sizeof(t), "%" PRId64, v);

	if (pre_value(j))
		put(j, t, (size_t)r);
}

void cu_json_uint(struct cu_json *j, uint64_t v)
{
	char t[32];
	int r = snprintf(t, sizeof(t), "%" PRIu64, v);

	if (pre_value(j))
		put(j, t, (size_t)r);
}

void cu_json_bool(struct cu_json *j, bool v)
{
	if (pre_value(j))
		put(j, v ? "true" : "false", v ? 4 : 5);
}

void cu_json_null(struct cu_json *j)
{
	if (pre_value(j))
		put(j, "null", 4);
}

void cu_json_raw(struct cu_json *j, const char *raw, size_t n)
{
	if (pre_value(j))
		put(j, raw, n);
}

void cu_json_kv_str(struct cu_json *j, const char *key, const char *s)
{
	cu_json_key(j, key);
	cu_json_str(j, s);
}

void cu_json_kv_int(struct cu_json *j, const char *key, int64_t v)
{
	cu_json_key(j, key);
	cu_json_int(j, v);
}

void cu_json_kv_bool(struct cu_json *j, const char *key, bool v)
{
	cu_json_key(j, key);
	cu_json_bool(j, v);
}

static void write_real(struct cu_json *j, double v)
{
	char t[40];
	int r = snprintf(t, sizeof(t), "%.17g", v);

	if (r < 0 || (size_t)r >= sizeof(t) - 3) {
		cu_error_set(&j->err, CU_E_INTERNAL, "json writer: cannot format a real");
		return;
	}
	/* Keep reals reals when read back: "1" would load as an integer. */
	if (strpbrk(t, ".eEni") == NULL) {
		memcpy(t + r, ".0", 3);
		r += 2;
	}
	if (pre_value(j))
		put(j, t, (size_t)r);
}

void cu_json_jansson(struct cu_json *j, const json_t *v)
{
	if (failed(j))
		return;
	if (v == NULL) {
		cu_json_null(j);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;

		cu_json_obj_begin(j);
		/* jansson (>= 2.8) iterates objects in insertion order. */
		json_object_foreach((json_t *)v, key, val)
		{
			cu_json_key(j, key);
			cu_json_jansson(j, val);
			if (failed(j))
				return;
		}
		cu_json_obj_end(j);
		break;
	}
	case JSON_ARRAY: {
		size_t i;

		cu_json_arr_begin(j);
		for (i = 0; i < json_array_size(v) && !failed(j); i++)
			cu_json_jansson(j, json_array_get(v, i));
		cu_json_arr_end(j);
		break;
	}
	case JSON_STRING: cu_json_strn(j, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: cu_json_int(j, (int64_t)json_integer_value(v)); break;
	case JSON_REAL: write_real(j, json_real_value(v)); break;
	case JSON_TRUE: cu_json_bool(j, true); break;
	case JSON_FALSE: cu_json_bool(j, false); break;
	case JSON_NULL: cu_json_null(j); break;
	}
}

enum cu_status cu_json_finish(struct cu_json *j, struct cu_error *err)
{
	if (failed(j)) {
		if (err != NULL)
			*err = j->err;
		return j->err.code;
	}
	if (j->depth != 0 || j->after_key)
		return cu_error_set(err, CU_E_INTERNAL,
				    "json writer: document not complete (%d open containers)",
				    j->depth);
	return CU_OK;
}

enum cu_status cu_json_load_str(const char *s, size_t n, const char *what, json_t **out,
				struct cu_error *err)
{
	json_error_t je;
	json_t *v;

	v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (v == NULL)
		return cu_error_set(err, CU_E_FORMAT, "'%s': line %d column %d: %s",
				    what != NULL ? what : "json", je.line, je.column, je.text);
	*out = v;
	return CU_OK;
}

enum cu_status cu_json_load_file(const char *path, size_t max, json_t **out, struct cu_error *err)
{
	struct cu_buf b = CU_BUF_INIT;
	enum cu_status rc;

	rc = cu_file_read_all(path, max, &b, err);
	if (rc == CU_OK)
		rc = cu_json_load_str(b.data != NULL ? b.data : "", b.len, path, out, err);
	cu_buf_release(&b);
	return rc;
}
