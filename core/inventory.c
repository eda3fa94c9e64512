/*
 * inventory.c - CASE/inventory/<item>.jsonl: one JSON line per evidence or
 * derived file (line format in core.h), appended and fsync'ed as each file
 * lands, streamed back line by line (a phone holds millions of files: the
 * file is never loaded whole).
 *
 * A crash mid-append leaves a torn last line. Readers skip it with a
 * warning (the import that was cut will redo that file on --resume). The
 * next append cuts the torn bytes off first, so they cannot glue onto the
 * new record and turn into a bad line in the middle, and records the cut
 * (length and SHA-256 of the bytes) as an ERROR entry in the custody log.
 */
#include "config.h" /* CUSTOS_TEST_HOOKS */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define READ_CHUNK     ((size_t)64 << 10)

void cu_inventory_rec_release(struct cu_inventory_rec *r)
{
	if (r == NULL)
		return;
	free(r->kind);
	free(r->item);
	free(r->device_path);
	free(r->evidence_path);
	free(r->type);
	free(r->mtime);
	free(r->link_target);
	free(r->origin);
	free(r->derivation);
	json_decref(r->derived_from);
	json_decref(r->meta);
	memset(r, 0, sizeof(*r));
	r->mode = -1;
}

static void kv_hex_or_null(struct cu_json *j, const char *key, const char *hex)
{
	cu_json_key(j, key);
	if (hex[0] == '\0')
		cu_json_null(j);
	else
		cu_json_str(j, hex);
}

static bool is_hex_n(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

enum cu_status cu_inventory_rec_format(const struct cu_inventory_rec *r, struct cu_buf *out,
				       struct cu_error *err)
{
	struct cu_json j;
	enum cu_status st;

	if (r->kind == NULL ||
	    (strcmp(r->kind, "evidence") != 0 && strcmp(r->kind, "derived") != 0))
		return cu_error_set(err, CU_E_INTERNAL,
				    "inventory record kind '%s' is not "
				    "evidence or derived",
				    r->kind ? r->kind : "(null)");
	if (r->type == NULL || (strcmp(r->type, "file") != 0 && strcmp(r->type, "dir") != 0 &&
				strcmp(r->type, "symlink") != 0))
		return cu_error_set(err, CU_E_INTERNAL,
				    "inventory record type '%s' is not "
				    "file, dir or symlink",
				    r->type ? r->type : "(null)");
	if ((st = cu_case_item_check(r->item, err)) != CU_OK)
		return cu_error_prefix(err, "inventory record");
	if (r->derived_from != NULL && !json_is_array(r->derived_from))
		return cu_error_set(err, CU_E_INTERNAL, "inventory derived_from is not an array");
	if (r->meta != NULL && !json_is_object(r->meta))
		return cu_error_set(err, CU_E_INTERNAL, "inventory meta is not an object");

	cu_json_init(&j, out);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "kind", r->kind);
	cu_json_kv_str(&j, "item", r->item);
	cu_json_kv_str(&j, "device_path", r->device_path);
	cu_json_kv_str(&j, "evidence_path", r->evidence_path);
	cu_json_kv_str(&j, "type", r->type);
	cu_json_key(&j, "size");
	cu_json_uint(&j, r->size);
	kv_hex_or_null(&j, "sha256", r->sha256);
	kv_hex_or_null(&j, "md5", r->md5);
	kv_hex_or_null(&j, "sm3", r->sm3);
	cu_json_kv_str(&j, "mtime", r->mtime);
	cu_json_key(&j, "mode");
	if (r->mode < 0)
		cu_json_null(&j);
	else
		cu_json_int(&j, r->mode);
	cu_json_kv_str(&j, "link_target", r->link_target);
	cu_json_kv_str(&j, "origin", r->origin);
	cu_json_key(&j, "derived_from");
	if (r->derived_from == NULL)
		cu_json_null(&j);
	else
		cu_json_jansson(&j, r->derived_from);
	cu_json_kv_str(&j, "derivation", r->derivation);
	if (r->head[0] != '\0' && strlen(r->head) % 2 == 0 && is_hex_n(r->head, strlen(r->head)))
		cu_json_kv_str(&j, "head", r->head);
	cu_json_key(&j, "meta");
	if (r->meta == NULL)
		cu_json_null(&j);
	else
		cu_json_jansson(&j, r->meta);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		return st;
	return cu_buf_putc(out, '\n', err);
}

/* ------------------------------------------------------------------ */
/* Parsing one line                                                    */
/* ------------------------------------------------------------------ */

/* Optional string member: absent or null gives NULL. */
static bool opt_str(json_t *o, const char *key, char **out, char *why, size_t why_n)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v)) {
		*out = NULL;
		return true;
	}
	if (!json_is_string(v)) {
		snprintf(why, why_n, "'%s' is not a string", key);
		return false;
	}
	*out = cu_strndup(json_string_value(v), json_string_length(v));
	if (*out == NULL) {
		snprintf(why, why_n, "out of memory");
		return false;
	}
	return true;
}

static bool opt_hex(json_t *o, const char *key, char *out, size_t n, char *why, size_t why_n)
{
	json_t *v = json_object_get(o, key);
	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || !is_hex_n(json_string_value(v), n)) {
		snprintf(why, why_n, "'%s' is not %zu lowercase hex digits", key, n);
		return false;
	}
	memcpy(out, json_string_value(v), n + 1);
	return true;
}

/*
 * The fast path. A phone's inventory has a million lines, all written by
 * cu_inventory_rec_format(): one flat object of strings, integers and
 * nulls. They are read here without building a jansson tree (that was a
 * tenth of seal's time). Anything else -- a nested value, a \u escape, a
 * repeated key, a number that is not a plain integer, invalid UTF-8 -- and
 * the line goes to jansson (parse_rec_json) for the exact answer and the
 * error message. Test builds parse every line both ways and abort when
 * they disagree.
 */
enum fkey {
	FK_KIND,
	FK_ITEM,
	FK_DEVICE_PATH,
	FK_EVIDENCE_PATH,
	FK_TYPE,
	FK_MTIME,
	FK_LINK_TARGET,
	FK_ORIGIN,
	FK_DERIVATION,
	FK_SHA256,
	FK_MD5,
	FK_SM3,
	FK_SIZE,
	FK_MODE,
	FK_DERIVED_FROM,
	FK_META,
	FK_HEAD,
	FK_COUNT
};
static const char *const fkey_name[FK_COUNT] = {
    "kind",        "item",   "device_path",  "evidence_path", "type", "mtime",
    "link_target", "origin", "derivation",   "sha256",        "md5",  "sm3",
    "size",        "mode",   "derived_from", "meta",          "head"};

/* A JSON string at *p (after the quote): decoded into out (NUL-terminated),
 * simple escapes only. false = leave it to jansson. */
static bool fast_str(const char **pp, const char *end, struct cu_buf *out)
{
	const char *p = *pp;
	cu_buf_reset(out);
	for (;;) {
		const char *q = p;
		while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (q >= end || (unsigned char)*q < 0x20)
			return false;
		if (q > p && cu_buf_append(out, p, (size_t)(q - p), NULL) != CU_OK)
			return false;
		if (*q == '"') {
			*pp = q + 1;
			if (out->data == NULL && cu_buf_puts(out, "", NULL) != CU_OK)
				return false;
			return cu_utf8_valid(out->data, out->len);
		}
		if (q + 1 >= end)
			return false;
		char c;
		switch (q[1]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default: return false; /* \u and anything odd: jansson */
		}
		if (cu_buf_putc(out, c, NULL) != CU_OK)
			return false;
		p = q + 2;
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* 1: parsed into r; 0: not the simple form (use jansson). */
static int parse_rec_fast(const char *line, size_t len, struct cu_inventory_rec *r)
{
	const char *p = line, *end = line + len;
	struct cu_buf key = CU_BUF_INIT, val = CU_BUF_INIT;
	unsigned seen = 0;
	bool nul[FK_COUNT] = {false};
	char *str[FK_COUNT] = {NULL};
	int64_t num[FK_COUNT] = {0};
	bool isnum[FK_COUNT] = {false};
	int ok = 0;

	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		goto out;
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		goto out; /* empty object: jansson's answer */
	for (;;) {
		int k = -1;
		p = skip_ws(p, end);
		if (p >= end || *p++ != '"' || !fast_str(&p, end, &key))
			goto out;
		for (int i = 0; i < FK_COUNT; i++)
			if (key.data[0] == fkey_name[i][0] && strcmp(key.data, fkey_name[i]) == 0) {
				k = i;
				break;
			}
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			goto out;
		p = skip_ws(p, end);
		if (p >= end)
			goto out;
		if (k >= 0 && (seen & (1u << k)))
			goto out; /* a repeated key */
		if (k >= 0)
			seen |= 1u << k;
		if (*p == '"') {
			p++;
			if (!fast_str(&p, end, &val))
				goto out;
			if (k >= 0 && (str[k] = cu_strndup(val.data, val.len)) == NULL)
				goto out;
		} else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
			p += 4;
			if (k >= 0)
				nul[k] = true;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			const char *q = p;
			uint64_t v = 0;
			if (*q == '-' || (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9'))
				goto out; /* negative or leading zero: jansson decides */
			while (q < end && *q >= '0' && *q <= '9') {
				if (v > (uint64_t)INT64_MAX / 10)
					goto out;
				v = v * 10 + (uint64_t)(*q - '0');
				q++;
			}
			if (v > (uint64_t)INT64_MAX ||
			    (q < end && (*q == '.' || *q == 'e' || *q == 'E')))
				goto out;
			p = q;
			if (k >= 0) {
				num[k] = (int64_t)v;
				isnum[k] = true;
			}
		} else {
			goto out; /* object, array, true, false: jansson */
		}
		p = skip_ws(p, end);
		if (p >= end)
			goto out;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != '}')
			goto out;
		break;
	}
	if (skip_ws(p, end) != end)
		goto out;
	/* Types as parse_rec_json wants them; otherwise let it say why. */
	for (int k = FK_KIND; k <= FK_SM3; k++)
		if (isnum[k])
			goto out;
	if ((seen & (1u << FK_HEAD)) &&
	    (str[FK_HEAD] == NULL || strlen(str[FK_HEAD]) > 32 || strlen(str[FK_HEAD]) % 2 != 0 ||
	     !is_hex_n(str[FK_HEAD], strlen(str[FK_HEAD]))))
		goto out;
	if (str[FK_HEAD] != NULL)
		memcpy(r->head, str[FK_HEAD], strlen(str[FK_HEAD]) + 1);
	if ((seen & (1u << FK_SIZE)) && !isnum[FK_SIZE])
		goto out;
	if ((seen & (1u << FK_MODE)) && !isnum[FK_MODE] && !nul[FK_MODE])
		goto out;
	if ((seen & (1u << FK_DERIVED_FROM)) && !nul[FK_DERIVED_FROM])
		goto out;
	if ((seen & (1u << FK_META)) && !nul[FK_META])
		goto out;
	if (!(seen & (1u << FK_SIZE)) || str[FK_KIND] == NULL || str[FK_ITEM] == NULL ||
	    str[FK_TYPE] == NULL ||
	    (strcmp(str[FK_KIND], "evidence") != 0 && strcmp(str[FK_KIND], "derived") != 0))
		goto out;
	{
		static const size_t hexlen[3] = {64, 32, 64};
		char *dst[3] = {r->sha256, r->md5, r->sm3};
		for (int h = 0; h < 3; h++) {
			char *v = str[FK_SHA256 + h];
			dst[h][0] = '\0';
			if (v == NULL)
				continue;
			if (!is_hex_n(v, hexlen[h]))
				goto out;
			memcpy(dst[h], v, hexlen[h] + 1);
		}
	}
	r->kind = str[FK_KIND];
	r->item = str[FK_ITEM];
	r->device_path = str[FK_DEVICE_PATH];
	r->evidence_path = str[FK_EVIDENCE_PATH];
	r->type = str[FK_TYPE];
	r->mtime = str[FK_MTIME];
	r->link_target = str[FK_LINK_TARGET];
	r->origin = str[FK_ORIGIN];
	r->derivation = str[FK_DERIVATION];
	for (int k = FK_KIND; k <= FK_DERIVATION; k++)
		str[k] = NULL; /* now the record's */
	r->size = (uint64_t)num[FK_SIZE];
	r->mode = isnum[FK_MODE] ? num[FK_MODE] : -1;
	ok = 1;
out:
	for (int k = 0; k < FK_COUNT; k++)
		free(str[k]);
	cu_buf_release(&key);
	cu_buf_release(&val);
	return ok;
}

#ifdef CUSTOS_TEST_HOOKS
static bool same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}
#endif

static bool parse_rec_json(const char *line, size_t len, struct cu_inventory_rec *r, char *why,
			   size_t why_n);

static bool parse_rec(const char *line, size_t len, struct cu_inventory_rec *r, char *why,
		      size_t why_n)
{
	memset(r, 0, sizeof(*r));
	r->mode = -1;
	if (!parse_rec_fast(line, len, r)) {
		cu_inventory_rec_release(r);
		return parse_rec_json(line, len, r, why, why_n);
	}
#ifdef CUSTOS_TEST_HOOKS
	{
		struct cu_inventory_rec j;
		char w[160];
		if (!parse_rec_json(line, len, &j, w, sizeof(w)) || !same_str(r->kind, j.kind) ||
		    !same_str(r->item, j.item) || !same_str(r->device_path, j.device_path) ||
		    !same_str(r->evidence_path, j.evidence_path) || !same_str(r->type, j.type) ||
		    !same_str(r->mtime, j.mtime) || !same_str(r->link_target, j.link_target) ||
		    !same_str(r->origin, j.origin) || !same_str(r->derivation, j.derivation) ||
		    strcmp(r->sha256, j.sha256) != 0 || strcmp(r->md5, j.md5) != 0 ||
		    strcmp(r->sm3, j.sm3) != 0 || strcmp(r->head, j.head) != 0 ||
		    r->size != j.size || r->mode != j.mode || j.derived_from != NULL ||
		    j.meta != NULL) {
			fprintf(stderr, "inventory line: %.*s\n", (int)len, line);
			CU_BUG("inventory line parsed differently by the fast path");
		}
		cu_inventory_rec_release(&j);
	}
#endif
	return true;
}

static bool parse_rec_json(const char *line, size_t len, struct cu_inventory_rec *r, char *why,
			   size_t why_n)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr), *v;
	bool ok = false;

	memset(r, 0, sizeof(*r));
	r->mode = -1;
	if (o == NULL) {
		snprintf(why, why_n, "not valid JSON at column %d: %.100s", jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(o)) {
		snprintf(why, why_n, "not a JSON object");
		goto out;
	}
	if (!opt_str(o, "kind", &r->kind, why, why_n) ||
	    !opt_str(o, "item", &r->item, why, why_n) ||
	    !opt_str(o, "device_path", &r->device_path, why, why_n) ||
	    !opt_str(o, "evidence_path", &r->evidence_path, why, why_n) ||
	    !opt_str(o, "type", &r->type, why, why_n) ||
	    !opt_str(o, "mtime", &r->mtime, why, why_n) ||
	    !opt_str(o, "link_target", &r->link_target, why, why_n) ||
	    !opt_str(o, "origin", &r->origin, why, why_n) ||
	    !opt_str(o, "derivation", &r->derivation, why, why_n) ||
	    !opt_hex(o, "sha256", r->sha256, 64, why, why_n) ||
	    !opt_hex(o, "md5", r->md5, 32, why, why_n) ||
	    !opt_hex(o, "sm3", r->sm3, 64, why, why_n))
		goto out;
	if (r->kind == NULL ||
	    (strcmp(r->kind, "evidence") != 0 && strcmp(r->kind, "derived") != 0)) {
		snprintf(why, why_n, "'kind' is not evidence or derived");
		goto out;
	}
	if (r->item == NULL || r->type == NULL) {
		snprintf(why, why_n, "'item' or 'type' missing");
		goto out;
	}
	v = json_object_get(o, "size");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(why, why_n, "'size' is not a non-negative integer");
		goto out;
	}
	r->size = (uint64_t)json_integer_value(v);
	v = json_object_get(o, "mode");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(why, why_n, "'mode' is not a non-negative integer");
			goto out;
		}
		r->mode = json_integer_value(v);
	}
	v = json_object_get(o, "derived_from");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v)) {
			snprintf(why, why_n, "'derived_from' is not an array");
			goto out;
		}
		r->derived_from = json_incref(v);
	}
	v = json_object_get(o, "head");
	if (v != NULL && !json_is_null(v)) {
		const char *h = json_string_value(v);
		if (h == NULL || strlen(h) > 32 || strlen(h) % 2 != 0 || !is_hex_n(h, strlen(h))) {
			snprintf(why, why_n, "'head' is not up to 32 lowercase hex digits");
			goto out;
		}
		memcpy(r->head, h, strlen(h) + 1);
	}
	v = json_object_get(o, "meta");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_object(v)) {
			snprintf(why, why_n, "'meta' is not an object");
			goto out;
		}
		r->meta = json_incref(v);
	}
	ok = true;
out:
	json_decref(o);
	if (!ok)
		cu_inventory_rec_release(r);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Appending                                                           */
/* ------------------------------------------------------------------ */

/* Offset just past the last '\n' before `size` (0 if none). */
static enum cu_status last_line_end(int fd, uint64_t size, const char *path, uint64_t *out,
				    struct cu_error *err)
{
	char buf[4096];
	uint64_t end = size;

	while (end > 0) {
		size_t want = end > sizeof(buf) ? sizeof(buf) : (size_t)end;
		ssize_t r = pread(fd, buf, want, (off_t)(end - want));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (size_t)r != want)
			return cu_error_errno(err, CU_E_IO, r < 0 ? errno : EIO,
					      "cannot read inventory '%s'", path);
		for (size_t i = want; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*out = end - want + i;
				return CU_OK;
			}
		}
		end -= want;
	}
	*out = 0;
	return CU_OK;
}

/* Cuts a torn tail (crash mid-append) and records it in the custody log. */
static enum cu_status cut_torn_tail(struct cu_case *c, int fd, const char *path, const char *item,
				    struct cu_error *err)
{
	struct stat sb;
	uint64_t keep;
	size_t torn_len;
	char *torn = NULL, hex[65];
	struct cu_buf details = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st = CU_OK;
	ssize_t r;

	if (fstat(fd, &sb) != 0)
		return cu_error_errno(err, CU_E_IO, errno, "cannot stat inventory '%s'", path);
	if (sb.st_size == 0)
		return CU_OK;
	if ((st = last_line_end(fd, (uint64_t)sb.st_size, path, &keep, err)) != CU_OK)
		return st;
	if (keep == (uint64_t)sb.st_size)
		return CU_OK;
	if ((uint64_t)sb.st_size - keep > LINE_MAX_BYTES)
		return cu_error_set(err, CU_E_FORMAT,
				    "inventory '%s': last line is %llu bytes without a newline; "
				    "check the file",
				    path, (unsigned long long)((uint64_t)sb.st_size - keep));
	torn_len = (size_t)((uint64_t)sb.st_size - keep);
	torn = cu_malloc(torn_len + 1);
	if (torn == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory reading '%s'", path);
	r = pread(fd, torn, torn_len, (off_t)keep);
	if (r < 0 || (size_t)r != torn_len) {
		st = cu_error_errno(err, CU_E_IO, r < 0 ? errno : EIO, "cannot read inventory '%s'",
				    path);
		goto out;
	}
	cu_sha256_hex(torn, torn_len, hex);
	cu_warn("inventory '%s': cutting a torn last line (%zu bytes, sha256 %s) left by an "
		"interrupted write",
		path, torn_len, hex);
	if (c->custody != NULL) {
		cu_json_init(&j, &details);
		cu_json_obj_begin(&j);
		cu_json_kv_str(
		    &j, "reason",
		    "torn inventory line from an interrupted write, cut before appending");
		cu_json_key(&j, "inventory");
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "item", item);
		cu_json_key(&j, "offset");
		cu_json_uint(&j, keep);
		cu_json_key(&j, "length");
		cu_json_uint(&j, torn_len);
		cu_json_kv_str(&j, "sha256", hex);
		cu_json_obj_end(&j);
		cu_json_obj_end(&j);
		if ((st = cu_json_finish(&j, err)) != CU_OK)
			goto out;
		if ((st = cu_custody_append(c->custody, "ERROR", cu_case_default_actor(), NULL,
					    details.data, NULL, err)) != CU_OK)
			goto out;
	}
	if (ftruncate(fd, (off_t)keep) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot cut the torn line of '%s'", path);
		goto out;
	}
out:
	free(torn);
	cu_buf_release(&details);
	return st;
}

enum cu_status cu_inventory_append(struct cu_case *c, const struct cu_inventory_rec *r,
				   struct cu_error *err)
{
	struct cu_buf line = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_inventory_rec_format(r, &line, err)) == CU_OK)
		st = cu_inventory_append_lines(c, r->item, line.data, line.len, err);
	cu_buf_release(&line);
	return st;
}

enum cu_status cu_inventory_append_lines(struct cu_case *c, const char *item, const char *lines,
					 size_t n, struct cu_error *err)
{
	struct cu_buf rel = CU_BUF_INIT, path = CU_BUF_INIT;
	enum cu_status st;
	int fd = -1;
	bool locked = false;

	if ((st = cu_buf_printf(&rel, err, "inventory/%s.jsonl", item)) != CU_OK)
		goto out;
	if ((st = cu_case_path(c, rel.data, &path, err)) != CU_OK)
		goto out;
	if ((st = cu_case_path(c, "inventory", &rel, err)) != CU_OK ||
	    (st = cu_mkdirs(rel.data, 0750, false, err)) != CU_OK)
		goto out;
	fd = open(path.data, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open inventory '%s'", path.data);
		goto out;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			st = cu_error_errno(err, CU_E_IO, errno, "cannot lock inventory '%s'",
					    path.data);
			goto out;
		}
	}
	locked = true;
	if ((st = cut_torn_tail(c, fd, path.data, item, err)) != CU_OK)
		goto out;
	/* One write() for all the lines, so a crash leaves at most one torn
	 * line (cut by the next append) after the last whole one. */
	if ((st = cu_write_all(fd, lines, n, path.data, err)) != CU_OK)
		goto out;
	if (fsync(fd) != 0) {
		st = cu_error_errno(err, CU_E_IO, errno, "cannot fsync inventory '%s'", path.data);
		goto out;
	}
out:
	if (locked)
		(void)flock(fd, LOCK_UN);
	if (fd >= 0)
		close(fd);
	cu_buf_release(&rel);
	cu_buf_release(&path);
	return st;
}

/* ------------------------------------------------------------------ */
/* Streaming                                                           */
/* ------------------------------------------------------------------ */

struct line_reader {
	int fd;
	const char *path;
	struct cu_buf buf;
	size_t pos; /* start of unconsumed data in buf */
	bool eof;
};

/* Next line into (*line, *len); *has_nl tells whether it ended with '\n'.
 * Returns false at end of file. */
static enum cu_status next_line(struct line_reader *lr, const char **line, size_t *len,
				bool *has_nl, bool *got, struct cu_error *err)
{
	for (;;) {
		char *start = lr->buf.data ? lr->buf.data + lr->pos : NULL;
		size_t avail = lr->buf.len - lr->pos;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;
		if (nl != NULL) {
			*line = start;
			*len = (size_t)(nl - start);
			*has_nl = true;
			*got = true;
			lr->pos += *len + 1;
			return CU_OK;
		}
		if (lr->eof) {
			*got = avail > 0;
			if (avail > 0) {
				*line = start;
				*len = avail;
				*has_nl = false;
				lr->pos += avail;
			}
			return CU_OK;
		}
		if (avail > LINE_MAX_BYTES)
			return cu_error_set(err, CU_E_LIMIT,
					    "inventory '%s': a line is longer than %zu bytes",
					    lr->path, LINE_MAX_BYTES);
		/* Move the partial line to the front, then read more. */
		if (lr->pos > 0) {
			memmove(lr->buf.data, lr->buf.data + lr->pos, avail);
			lr->buf.len = avail;
			lr->pos = 0;
		}
		if (cu_buf_grow(&lr->buf, READ_CHUNK + 1, err) != CU_OK)
			return cu_error_prefix(err, "inventory '%s'", lr->path);
		size_t n = 0;
		if (cu_read_full(lr->fd, lr->buf.data + lr->buf.len, READ_CHUNK, &n, lr->path,
				 err) != CU_OK)
			return cu_error_prefix(err, "inventory");
		lr->buf.len += n;
		lr->buf.data[lr->buf.len] = '\0';
		if (n < READ_CHUNK)
			lr->eof = true;
	}
}

/* True when nothing but the end of the file follows. */
static enum cu_status at_end(struct line_reader *lr, bool *end, struct cu_error *err)
{
	const char *l;
	size_t len;
	bool nl, got;

	if (lr->pos < lr->buf.len) {
		*end = false;
		return CU_OK;
	}
	if (lr->eof) {
		*end = true;
		return CU_OK;
	}
	if (next_line(lr, &l, &len, &nl, &got, err) != CU_OK)
		return err ? err->code : CU_E_IO;
	/* next_line consumed a line only if it found data: put it back. */
	if (got)
		lr->pos -= len + (nl ? 1 : 0);
	*end = !got;
	return CU_OK;
}

static enum cu_status each_file(struct cu_case *c, const char *item, cu_inventory_fn fn, void *ctx,
				struct cu_error *err)
{
	struct cu_buf rel = CU_BUF_INIT, path = CU_BUF_INIT;
	struct line_reader lr = {.fd = -1};
	enum cu_status st;
	uint64_t lineno = 0;

	if ((st = cu_case_item_check(item, err)) != CU_OK)
		goto out;
	if ((st = cu_buf_printf(&rel, err, "inventory/%s.jsonl", item)) != CU_OK ||
	    (st = cu_case_path(c, rel.data, &path, err)) != CU_OK)
		goto out;
	lr.path = path.data;
	cu_buf_init(&lr.buf, LINE_MAX_BYTES + READ_CHUNK + 2);
	lr.fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (lr.fd < 0) {
		if (errno == ENOENT)
			goto out; /* an item with no files yet */
		st = cu_error_errno(err, CU_E_IO, errno, "cannot open inventory '%s'", path.data);
		goto out;
	}
	for (;;) {
		const char *line;
		size_t len;
		bool has_nl = false, got = false, end = false;
		struct cu_inventory_rec r;
		char why[160];

		if ((st = next_line(&lr, &line, &len, &has_nl, &got, err)) != CU_OK)
			goto out;
		if (!got)
			break;
		lineno++;
		if (has_nl && parse_rec(line, len, &r, why, sizeof(why))) {
			if (strcmp(r.item, item) != 0) {
				st = cu_error_set(err, CU_E_FORMAT,
						  "%s:%llu: record of item '%.64s' in the file of "
						  "item '%s'",
						  path.data, (unsigned long long)lineno, r.item,
						  item);
				cu_inventory_rec_release(&r);
				goto out;
			}
			st = fn(&r, ctx, err);
			cu_inventory_rec_release(&r);
			if (st != CU_OK)
				goto out;
			continue;
		}
		if (!has_nl)
			snprintf(why, sizeof(why), "no newline at the end");
		if ((st = at_end(&lr, &end, err)) != CU_OK)
			goto out;
		if (end) {
			cu_warn("%s:%llu: skipping a torn last line (%s; an interrupted import?)",
				path.data, (unsigned long long)lineno, why);
			break;
		}
		st = cu_error_set(err, CU_E_FORMAT, "%s:%llu: bad inventory line: %s", path.data,
				  (unsigned long long)lineno, why);
		goto out;
	}
out:
	if (lr.fd >= 0)
		close(lr.fd);
	cu_buf_release(&lr.buf);
	cu_buf_release(&rel);
	cu_buf_release(&path);
	return st;
}

enum cu_status cu_inventory_each(struct cu_case *c, const char *item, cu_inventory_fn fn, void *ctx,
				 struct cu_error *err)
{
	char **items = NULL;
	size_t n = 0;
	enum cu_status st;

	if (item != NULL)
		return each_file(c, item, fn, ctx, err);
	if ((st = cu_case_items(c, &items, &n, err)) != CU_OK)
		return st;
	for (size_t i = 0; i < n && st == CU_OK; i++)
		st = each_file(c, items[i], fn, ctx, err);
	cu_strv_free(items, n);
	return st;
}
