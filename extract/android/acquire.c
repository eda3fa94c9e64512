/*
 * acquire.c - `custos acquire` for Android: the acquisition driver over
 * custos's own ADB stack (adb.h). No adb binary, no server, nothing
 * installed or written on the phone: only shell commands that read
 * (getprop, date, service call iphonesubinfo, dumpsys, settings get,
 * locksettings get-disabled, pm list, content query, su -c tar -c with
 * --root, backup: with --adb-backup) and sync: STAT/LIST/RECV.
 *
 * Everything received goes through the evidence writer (extract/ingest.c)
 * exactly as an import: hashed while it arrives, mtimes kept, names the
 * case cannot hold escaped reversibly, group-committed inventory, resume.
 * Command outputs are evidence files too, under the device path
 * "/_adb/..." (evidence/<item>/_adb/...), and every command is a COMMAND
 * custody entry with the SHA-256 of its raw output (docs/custody.md,
 * "Android acquisition").
 *
 * Order: ACQUIRE_START (manifest: acquisitions[] running), clock, facts,
 * packages, content providers, /sdcard, root data, backup, clock again;
 * then the facts compared with the seizure record, ACQUIRE_END (the
 * writer's closing entry with the content root), MISMATCH entries, and
 * the manifest saved. A dropped connection stops the run with the
 * acquisition left "running" and an ERROR entry: `--resume` finishes it.
 */
#include "extract/android/acquire_int.h"
#include "extract/android/adb.h"
#include "extract/extract.h"
#include "extract/record_int.h"
#include "extract/formats/formats.h" /* the .ab header and member names */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

/* ------------------------------------------------------------------ */
/* Readers of command output (acquire_int.h)                           */
/* ------------------------------------------------------------------ */

bool cu_acq_getprop(const char *text, size_t n, const char *key, struct cu_buf *out)
{
	size_t kl = strlen(key);
	struct cu_error e;

	for (size_t pos = 0; pos < n;) {
		const char *line = text + pos;
		size_t rest = n - pos;
		if (rest > kl + 4 && line[0] == '[' && memcmp(line + 1, key, kl) == 0 &&
		    memcmp(line + 1 + kl, "]: [", 4) == 0) {
			const char *v = line + kl + 5;
			const char *end = text + n;
			/* the value ends at the first "]\n" (or "]" at the end) */
			const char *p = v;
			while (p < end && !(*p == ']' && (p + 1 == end || p[1] == '\n')))
				p++;
			if (p == end)
				return false;
			cu_buf_reset(out);
			if (cu_buf_append(out, v, (size_t)(p - v), &e) != CU_OK ||
			    (out->data == NULL && cu_buf_puts(out, "", &e) != CU_OK))
				return false;
			return true;
		}
		const char *nl = memchr(line, '\n', rest);
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
	return false;
}

/* n UTF-16 units, two to a little-endian word, appended as text:
 * identifiers are ASCII; anything else as \\uXXXX. */
static enum cu_status decode16(const uint32_t *words, size_t n, struct cu_buf *out,
			       struct cu_error *err)
{
	enum cu_status st = CU_OK;
	for (size_t i = 0; i < n && st == CU_OK; i++) {
		uint32_t w = words[i / 2];
		unsigned u = i % 2 == 0 ? (w & 0xffffu) : (w >> 16);
		if (u >= 0x20 && u < 0x7f)
			st = cu_buf_putc(out, (char)u, err);
		else
			st = cu_buf_printf(out, err, "\\u%04x", u);
	}
	return st;
}

enum cu_status cu_acq_parcel_string(const char *text, size_t n, struct cu_buf *out,
				    struct cu_error *err)
{
	uint32_t words[512];
	size_t nw = 0;
	const char *p = text, *end = text + n;
	const char *start = NULL;
	struct cu_buf ascii = CU_BUF_INIT;
	enum cu_status st = CU_OK;

	for (const char *q = text; q + 15 <= end; q++)
		if (memcmp(q, "Result: Parcel(", 15) == 0) {
			start = q + 15;
			break;
		}
	if (start == NULL)
		return cu_error_set(err, CU_E_FORMAT, "not a parcel: %.*s", (int)(n > 80 ? 80 : n),
				    text);
	/* Words: runs of exactly 8 hex digits outside the quoted ASCII column
	 * and not the "0x...:" offsets. */
	p = start;
	while (p < end && nw < sizeof(words) / sizeof(words[0])) {
		if (*p == '\'') { /* the ASCII column: up to the closing quote */
			const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
			if (q == NULL)
				break;
			if (cu_buf_append(&ascii, p + 1, (size_t)(q - p - 1), err) != CU_OK)
				break;
			p = q + 1;
			continue;
		}
		if (*p == ')')
			break;
		if (p + 1 < end && p[0] == '0' && p[1] == 'x') { /* an offset */
			p += 2;
			while (p < end && cu_hexval(*p) >= 0)
				p++;
			continue;
		}
		if (cu_hexval(*p) >= 0) {
			const char *q = p;
			uint32_t w = 0;
			while (q < end && cu_hexval(*q) >= 0 && q - p < 9) {
				w = (w << 4) | (uint32_t)cu_hexval(*q);
				q++;
			}
			if (q - p == 8 && (q == end || cu_hexval(*q) < 0))
				words[nw++] = w;
			p = q;
			while (p < end && cu_hexval(*p) >= 0)
				p++;
			continue;
		}
		p++;
	}
	if (nw == 0) {
		st = cu_error_set(err, CU_E_FORMAT, "an empty parcel");
		goto out;
	}
	if (words[0] != 0) {
		/* an exception (Parcel.writeException): the code, then its
		 * message as a String16 like the value below */
		struct cu_buf msg = CU_BUF_INIT;
		struct cu_error e2;
		if (nw < 2 || words[1] == 0xffffffffu || words[1] > (nw - 2) * 2 ||
		    decode16(words + 2, words[1], &msg, &e2) != CU_OK)
			cu_buf_reset(&msg);
		st = cu_error_set(err, CU_E_DEVICE, "refused by the OS (exception %d)%s%s",
				  (int)words[0], msg.len ? ": " : "", msg.len ? msg.data : "");
		cu_buf_release(&msg);
		goto out;
	}
	cu_buf_reset(out);
	if ((st = cu_buf_puts(out, "", err)) != CU_OK)
		goto out;
	if (nw < 2 || words[1] == 0xffffffffu)
		goto out; /* no string (null) */
	if (words[1] > (nw - 2) * 2) {
		st = cu_error_set(err, CU_E_FORMAT, "parcel string of %u units in %zu words",
				  (unsigned)words[1], nw - 2);
		goto out;
	}
	st = decode16(words + 2, words[1], out, err);
out:
	cu_buf_release(&ascii);
	return st;
}

bool cu_acq_imei_valid(const char *s)
{
	int sum = 0;
	if (strlen(s) != 15)
		return false;
	for (int i = 0; i < 15; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		int d = s[i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

size_t cu_acq_users(const char *text, size_t n, struct cu_acq_user *out, size_t max)
{
	size_t k = 0;
	for (size_t pos = 0; pos < n && k < max;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - line) : n - pos;
		const char *u = NULL;
		for (size_t i = 0; i + 9 <= ll; i++)
			if (memcmp(line + i, "UserInfo{", 9) == 0) {
				u = line + i + 9;
				break;
			}
		if (u != NULL) {
			const char *e = line + ll;
			const char *close = memchr(u, '}', (size_t)(e - u));
			const char *c1 = memchr(u, ':', (size_t)(e - u));
			const char *c2 = NULL;
			if (close != NULL) /* the name may hold ':'; flags are after the last */
				for (const char *q = close; q > u; q--)
					if (*q == ':') {
						c2 = q;
						break;
					}
			if (close && c1 && c2 && c1 < c2) {
				char tmp[32];
				size_t il = (size_t)(c1 - u), fl = (size_t)(close - c2 - 1);
				struct cu_acq_user *x = &out[k];
				memset(x, 0, sizeof(*x));
				if (il < sizeof(tmp) && fl < sizeof(tmp)) {
					memcpy(tmp, u, il);
					tmp[il] = '\0';
					char *endp;
					x->id = strtol(tmp, &endp, 10);
					bool ok = *tmp && *endp == '\0';
					memcpy(tmp, c2 + 1, fl);
					tmp[fl] = '\0';
					x->flags = strtoul(tmp, &endp, 16);
					size_t nl2 = (size_t)(c2 - c1 - 1);
					if (nl2 >= sizeof(x->name))
						nl2 = sizeof(x->name) - 1;
					memcpy(x->name, c1 + 1, nl2);
					x->name[nl2] = '\0';
					for (const char *q = close; q + 7 <= e; q++)
						if (memcmp(q, "running", 7) == 0)
							x->running = true;
					if (ok)
						k++;
				}
			}
		}
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
	return k;
}

bool cu_acq_user_is_clone(const struct cu_acq_user *u)
{
	/* MIUI XSpace / dual apps live in user 999; other OEMs name the
	 * profile (Samsung "Dual Messenger" is 95, Huawei "App twin" 128+). */
	static const char *const names[] = {"XSpace", "DualApp", "Dual", "Clone", "clone",
					    "双开",   "分身",    "Twin", NULL};
	if (u->id == 999)
		return true;
	for (const char *const *n = names; *n; n++)
		if (strstr(u->name, *n) != NULL)
			return true;
	return false;
}

void cu_acq_accounts(const char *text, size_t n, cu_acq_account_fn fn, void *ctx)
{
	for (size_t pos = 0; pos < n;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - line) : n - pos;
		size_t i = 0;
		while (i < ll && line[i] == ' ')
			i++;
		if (ll - i > 14 && memcmp(line + i, "Account {name=", 14) == 0) {
			const char *nm = line + i + 14, *e = line + ll;
			/* the type is the last ", type=" before the closing brace */
			const char *t = NULL;
			for (const char *q = nm; q + 7 <= e; q++)
				if (memcmp(q, ", type=", 7) == 0)
					t = q;
			const char *close = e;
			while (close > nm && close[-1] != '}')
				close--;
			if (t != NULL && close > t + 7) {
				char *name = cu_strndup(nm, (size_t)(t - nm));
				char *type = cu_strndup(t + 7, (size_t)(close - 1 - (t + 7)));
				if (name && type)
					fn(ctx, name, type);
				free(name);
				free(type);
			}
		}
		/* the history after "Accounts:" lists past events: stop there */
		if (ll >= 12 && memmem(line, ll, "AccountHistory", 14) != NULL)
			break;
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
}

bool cu_acq_dumpsys_int(const char *text, size_t n, const char *key, int64_t *out)
{
	size_t kl = strlen(key);
	for (size_t pos = 0; pos < n;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - line) : n - pos, i = 0;
		while (i < ll && line[i] == ' ')
			i++;
		if (ll - i > kl + 1 && memcmp(line + i, key, kl) == 0 && line[i + kl] == ':') {
			char tmp[32];
			size_t s = i + kl + 1, m = 0;
			while (s < ll && line[s] == ' ')
				s++;
			while (s < ll && m + 1 < sizeof(tmp) && line[s] != ' ' && line[s] != '\r')
				tmp[m++] = line[s++];
			tmp[m] = '\0';
			return cu_parse_i64(tmp, out);
		}
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
	return false;
}

bool cu_acq_device_time(const char *text, size_t n, int64_t *ms)
{
	char tmp[48];
	size_t m = 0;
	int64_t s;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	char *dot = strchr(tmp, '.');
	if (dot != NULL)
		*dot = '\0';
	if (!cu_parse_i64(tmp, &s) || s < 0 || s > INT64_MAX / 1000 - 1000)
		return false;
	*ms = s * 1000;
	if (dot != NULL) {
		/* %N: nanoseconds; toybox prints 9 digits (a literal "N" where
		 * unsupported is refused) */
		const char *f = dot + 1;
		int64_t frac = 0, scale = 100;
		for (m = 0; f[m]; m++) {
			if (f[m] < '0' || f[m] > '9')
				return false;
			if (scale > 0) {
				frac += (f[m] - '0') * scale;
				scale /= 10;
			}
		}
		if (m == 0)
			return false;
		*ms += frac;
	}
	return true;
}

enum cu_status cu_acq_shell_quote(const char *s, size_t n, struct cu_buf *out, struct cu_error *err)
{
	enum cu_status st = cu_buf_putc(out, '\'', err);
	for (size_t i = 0; i < n && st == CU_OK; i++)
		st = s[i] == '\'' ? cu_buf_puts(out, "'\\''", err) : cu_buf_putc(out, s[i], err);
	if (st == CU_OK)
		st = cu_buf_putc(out, '\'', err);
	return st;
}

static void field_copy(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

bool cu_acq_package_line(const char *line, size_t n, struct cu_acq_package *out)
{
	memset(out, 0, sizeof(*out));
	out->version_code = out->uid = -1;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	if (n < 9 || memcmp(line, "package:", 8) != 0)
		return false;
	const char *p = line + 8, *e = line + n;
	/* the first field is "<apk>=<pkg>" (with -f); the apk path may hold
	 * '=' (base.apk=...), the package name never does: split at the last
	 * '=' before the first space-separated key */
	const char *sp = p;
	while (sp < e && *sp != ' ')
		sp++;
	const char *eq = NULL;
	for (const char *q = p; q < sp; q++)
		if (*q == '=')
			eq = q;
	if (eq != NULL) {
		field_copy(out->apk, sizeof(out->apk), p, (size_t)(eq - p));
		field_copy(out->name, sizeof(out->name), eq + 1, (size_t)(sp - eq - 1));
	} else {
		field_copy(out->name, sizeof(out->name), p, (size_t)(sp - p));
	}
	while (sp < e) {
		while (sp < e && *sp == ' ')
			sp++;
		const char *f = sp;
		while (sp < e && *sp != ' ')
			sp++;
		size_t fl = (size_t)(sp - f);
		char tmp[32];
		if (fl > 12 && memcmp(f, "versionCode:", 12) == 0 && fl - 12 < sizeof(tmp)) {
			field_copy(tmp, sizeof(tmp), f + 12, fl - 12);
			if (!cu_parse_i64(tmp, &out->version_code))
				out->version_code = -1;
		} else if (fl > 4 && memcmp(f, "uid:", 4) == 0 && fl - 4 < sizeof(tmp)) {
			field_copy(tmp, sizeof(tmp), f + 4, fl - 4);
			if (!cu_parse_i64(tmp, &out->uid))
				out->uid = -1;
		} else if (fl > 10 && memcmp(f, "installer=", 10) == 0) {
			field_copy(out->installer, sizeof(out->installer), f + 10, fl - 10);
		}
	}
	return out->name[0] != '\0';
}

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

/* Command outputs kept in memory at most (larger ones only on disk). */
#define KEEP_MAX     ((size_t)64 << 20)
#define STDERR_SHOWN 512
#define LIST_MAX     ((size_t)1 << 20) /* entries of one directory */
#define DEPTH_MAX    64

/* The chat and payment apps whose private data --root takes. */
static const char *const private_apps[] = {
    "com.tencent.mm",         "com.tencent.mobileqq",        "com.whatsapp",
    "org.telegram.messenger", "com.eg.android.AlipayGphone", NULL};

enum cmd_kind { CMD_SHELL, CMD_EXEC, CMD_SERVICE };

/* What one command gave. */
struct cmd_result {
	struct cu_buf out;          /* stdout when kept */
	int exit_code;              /* -1 unknown (v1 shell, exec) */
	bool ran;                   /* false: done in an earlier run (resume) or failed */
	bool ok;                    /* ran and exit 0 (or unknown) */
	bool from_earlier;          /* output read back from the evidence of an earlier run */
	char evidence[CU_PATH_MAX]; /* the evidence file of stdout, or "" */
	char sha256[65];
};

static void cmd_result_release(struct cmd_result *r)
{
	cu_buf_release(&r->out);
}

/* What the COMMAND entry of one command says. */
struct cmd_entry {
	char *cmd;
	const char *service;
	int exit_code;
	struct cu_digests dout, derr;
	uint64_t n_out, n_err;
	char stderr_text[STDERR_SHOWN + 1];
	char started[CU_TIME_STR], ended[CU_TIME_STR];
	char error[CU_ERROR_MSG_MAX];
	bool failed;
};

struct acq {
	struct cu_case *c;
	const struct cu_acquire_opts *o;
	struct cu_adb *adb;
	struct cu_ingest *w;
	struct cu_acquire_stats st;
	const char *transport, *address;
	bool resume, begun, new_item;
	char item[128];
	json_t *acq;    /* borrowed: our acquisitions[] entry */
	json_t *read;   /* borrowed: the items[] entry */
	json_t *state;  /* owned: device_state facts, into read at the end */
	json_t *record; /* owned: the acquisition record (clock, commands summary) */
	char manifest_sha256[65];
	struct cu_buf subject;
	/* the connection dropped: the run stops, resumable */
	bool lost;
	struct cu_error lost_err;
	struct cu_progress prog;
	const char *sdcard;
	struct cu_adb_sync *sync; /* the sync: session of /sdcard */
	unsigned char *recv_buf;  /* RECV_BUF bytes for pull_file */
	/* commands run before ACQUIRE_START (getprop: the phone's serial
	 * chooses the item), their entries written right after it */
	struct cmd_entry pre[2];
	size_t n_pre;
	struct cmd_result getprop; /* its output, kept as evidence after it */
};

/* ---- item ---- */

static json_t *find_running(struct acq *x, const char *serial)
{
	json_t *acqs = json_object_get(x->c->manifest, "acquisitions"), *a, *found = NULL;
	size_t i;
	json_array_foreach(acqs, i, a)
	{
		const char *m = json_string_value(json_object_get(a, "method"));
		const char *s = json_string_value(json_object_get(a, "status"));
		const char *d =
		    json_string_value(json_object_get(json_object_get(a, "source"), "serial"));
		if (m && s && d && strcmp(m, "adb") == 0 && strcmp(s, "running") == 0 &&
		    strcmp(d, serial) == 0)
			found = a;
	}
	return found;
}

/* Which item the phone is: --item (as import checks it), the interrupted
 * acquisition of this phone, the seizure list's only item, else the
 * phone's serial (or ITEMn). */
static enum cu_status choose_item(struct acq *x, const char *serial, struct cu_error *err)
{
	struct cu_acquire_choice ch = {
	    .what = "phone",
	    .device = serial,
	    .ids = {serial, NULL},
	    .unfinished = find_running(x, serial),
	    .resume_hint = "`custos acquire --resume` and the same --device/--adb-connect",
	};
	enum cu_status st = cu_acquire_choose_item(x->c, x->o, x->resume, &ch, err);
	if (st == CU_OK) {
		snprintf(x->item, sizeof(x->item), "%s", ch.item);
		x->new_item = ch.new_item;
		x->acq = ch.acq;
	}
	return st;
}

/* ---- custody entries ---- */

static enum cu_status make_subject(struct acq *x, struct cu_error *err)
{
	struct cu_json j;
	cu_buf_reset(&x->subject);
	cu_json_init(&j, &x->subject);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_str(&j, "device", x->st.serial);
	cu_json_obj_end(&j);
	return cu_json_finish(&j, err);
}

static enum cu_status append(struct acq *x, const char *event, struct cu_buf *det,
			     struct cu_json *j, struct cu_error *err)
{
	enum cu_status st = cu_json_finish(j, err);
	if (st == CU_OK)
		st = cu_custody_append(x->c->custody, event, cu_case_default_actor(),
				       x->subject.data, det->data, NULL, err);
	return st;
}

/* ---- commands ---- */

struct capture {
	struct acq *x;
	struct cu_ingest_file *f; /* the evidence file, or NULL */
	struct cu_buf out;        /* stdout kept (keep) */
	bool keep;
	struct cu_buf errb; /* stderr kept (capped) */
	struct cu_hasher *h_out, *h_err;
	uint64_t n_out, n_err;
	struct cu_error werr; /* a failure writing the file */
	bool failed;
};

static bool capture_sink(void *ctx, int stream, const void *p, size_t n)
{
	struct capture *c = ctx;
	struct cu_error e;
	if (c->failed)
		return false;
	if (stream == 2) {
		c->n_err += n;
		if (cu_hasher_update(c->h_err, p, n, &e) != CU_OK) {
			c->werr = e;
			c->failed = true;
			return false;
		}
		size_t room = c->errb.len < 4096 ? 4096 - c->errb.len : 0;
		if (room > 0 && cu_buf_append(&c->errb, p, n < room ? n : room, &e) != CU_OK)
			return true; /* the shown stderr is only a preview */
		return true;
	}
	c->n_out += n;
	if (cu_hasher_update(c->h_out, p, n, &e) != CU_OK ||
	    (c->f != NULL && cu_ingest_file_write(c->f, p, n, &e) != CU_OK) ||
	    (c->keep && cu_buf_append(&c->out, p, n, &e) != CU_OK)) {
		c->werr = e;
		c->failed = true;
		return false;
	}
	return true;
}

static enum cu_status emit_entry(struct acq *x, const struct cmd_entry *ce, const char *evidence,
				 struct cu_error *err)
{
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "command", ce->cmd);
	cu_json_kv_str(&j, "service", ce->service);
	cu_json_key(&j, "exit_code");
	if (ce->exit_code >= 0)
		cu_json_int(&j, ce->exit_code);
	else
		cu_json_null(&j);
	cu_json_kv_str(&j, "stdout_sha256", ce->dout.sha256);
	cu_json_kv_int(&j, "stdout_bytes", (int64_t)ce->n_out);
	cu_json_kv_str(&j, "stderr_sha256", ce->derr.sha256);
	cu_json_kv_int(&j, "stderr_bytes", (int64_t)ce->n_err);
	cu_json_kv_str(&j, "stderr", ce->stderr_text);
	cu_json_kv_str(&j, "evidence", evidence);
	cu_json_kv_str(&j, "started", ce->started);
	cu_json_kv_str(&j, "ended", ce->ended);
	cu_json_key(&j, "error");
	cu_json_str(&j, ce->failed ? ce->error : NULL);
	cu_json_obj_end(&j);
	st = append(x, "COMMAND", &det, &j, err);
	cu_buf_release(&det);
	return st;
}

/*
 * Runs one command. With devpath, stdout goes to that evidence file as it
 * arrives (hashed by the writer); on resume a file already listed is not
 * fetched again (its evidence copy is read back when keep). keep: stdout
 * also in r->out (at most KEEP_MAX). A COMMAND entry records the command,
 * service, exit code, SHA-256 and size of stdout and stderr, and the
 * evidence file; before the acquisition has begun (no item yet) the entry
 * waits in x->pre and devpath must be NULL. Only a dropped connection
 * stops the run (x->lost set); any other failure is recorded and the run
 * goes on.
 */
static enum cu_status run_cmd(struct acq *x, enum cmd_kind kind, const char *cmd,
			      const char *devpath, bool keep, struct cmd_result *r,
			      struct cu_error *err)
{
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct capture cap;
	struct cu_digests dfile;
	struct cu_error e;
	struct cmd_entry ce;
	enum cu_status st = CU_OK, cst;
	bool file_open = false, recorded = false;

	memset(r, 0, sizeof(*r));
	cu_buf_init(&r->out, KEEP_MAX);
	r->exit_code = -1;
	memset(&cap, 0, sizeof(cap));
	memset(&ce, 0, sizeof(ce));
	ce.exit_code = -1;
	cu_buf_init(&cap.out, KEEP_MAX);
	cu_buf_init(&cap.errb, 8192);
	cu_error_clear(&e);
	if (x->lost)
		return CU_OK;
	if (devpath != NULL) {
		if (cu_ingest_slot_plan(x->w, devpath, strlen(devpath), false, &slot, &e) !=
		    CU_OK) {
			cu_ingest_warn(x->w, true, "'%s': %s", devpath, e.msg);
			goto out;
		}
		if (slot.done) {
			/* resume: fetched and listed by the earlier run */
			if (!slot.done_bad)
				snprintf(r->evidence, sizeof(r->evidence), "%s", slot.rel.data);
			if (keep && !slot.done_bad &&
			    cu_file_read_all(slot.abs.data, KEEP_MAX, &r->out, &e) == CU_OK)
				r->from_earlier = r->ok = true;
			goto out;
		}
		if (cu_ingest_file_open(x->w, &slot, &f, &e) != CU_OK) {
			cu_ingest_warn(x->w, true, "'%s': %s", devpath, e.msg);
			goto out;
		}
		file_open = true;
		cap.f = &f;
	}
	cap.x = x;
	cap.keep = keep;
	if ((st = cu_hasher_new(CU_HASH_SHA256, 0, &cap.h_out, err)) != CU_OK ||
	    (st = cu_hasher_new(CU_HASH_SHA256, 0, &cap.h_err, err)) != CU_OK)
		goto out;
	cu_time_format_ms(cu_time_now_ms(), ce.started);
	switch (kind) {
	case CMD_SHELL:
		cst = cu_adb_shell(x->adb, cmd, capture_sink, &cap, &ce.exit_code, &e);
		break;
	case CMD_EXEC: cst = cu_adb_exec(x->adb, cmd, capture_sink, &cap, &e); break;
	default: cst = cu_adb_service_raw(x->adb, cmd, capture_sink, &cap, &e); break;
	}
	cu_time_format_ms(cu_time_now_ms(), ce.ended);
	x->st.commands++;
	if (cap.failed) {
		/* writing the evidence failed: the case's disk, not the phone */
		st = cap.werr.code != CU_OK ? cap.werr.code : CU_E_IO;
		*err = cap.werr;
		cu_error_prefix(err, "storing the output of '%s'", cmd);
		goto out;
	}
	if ((st = cu_hasher_final(cap.h_out, &ce.dout, err)) != CU_OK ||
	    (st = cu_hasher_final(cap.h_err, &ce.derr, err)) != CU_OK)
		goto out;
	if (cst == CU_E_DEVICE) {
		x->lost = true;
		x->lost_err = e;
	}
	if (file_open) {
		file_open = false;
		if (cst != CU_OK) {
			/* never a partial output recorded as complete */
			cu_ingest_file_abort(&f);
		} else {
			struct cu_ingest_fileinfo fi;
			memset(&fi, 0, sizeof(fi));
			fi.device_path = devpath;
			fi.device_path_len = strlen(devpath);
			fi.type = "file";
			fi.mode = -1;
			fi.origin = cmd;
			if ((st = cu_ingest_file_commit(&f, NULL, &dfile, err)) != CU_OK ||
			    (st = cu_ingest_record(x->w, &slot, &fi, &dfile, err)) != CU_OK)
				goto out;
			recorded = true;
			snprintf(r->evidence, sizeof(r->evidence), "%s", slot.rel.data);
		}
	}
	/* the COMMAND entry: also for a command that failed */
	ce.service = kind == CMD_EXEC                         ? "exec"
		     : kind == CMD_SERVICE                    ? "raw"
		     : cu_adb_has_feature(x->adb, "shell_v2") ? "shell,v2"
							      : "shell";
	ce.n_out = cap.n_out;
	ce.n_err = cap.n_err;
	{
		size_t n = cap.errb.len < STDERR_SHOWN ? cap.errb.len : STDERR_SHOWN;
		n = cu_utf8_valid_prefix(cap.errb.data ? cap.errb.data : "", n);
		if (n > 0)
			memcpy(ce.stderr_text, cap.errb.data, n);
		ce.stderr_text[n] = '\0';
	}
	ce.failed = cst != CU_OK;
	if (ce.failed)
		snprintf(ce.error, sizeof(ce.error), "%s", e.msg);
	if ((ce.cmd = cu_strdup(cmd)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (!x->begun) {
		/* before ACQUIRE_START: the entry is written right after it */
		if (x->n_pre < sizeof(x->pre) / sizeof(x->pre[0])) {
			x->pre[x->n_pre++] = ce;
			ce.cmd = NULL;
		}
	} else if ((st = emit_entry(x, &ce, recorded ? slot.rel.data : NULL, err)) != CU_OK) {
		goto out;
	}
	if (cst != CU_OK) {
		if (x->w != NULL)
			cu_ingest_warn(x->w, devpath != NULL, "'%s' on '%s': %s", cmd, x->st.serial,
				       e.msg);
		goto out;
	}
	r->ran = true;
	r->exit_code = ce.exit_code;
	r->ok = ce.exit_code <= 0;
	snprintf(r->sha256, sizeof(r->sha256), "%s", ce.dout.sha256);
	if (keep) {
		cu_buf_release(&r->out);
		r->out = cap.out;
		cu_buf_init(&cap.out, KEEP_MAX);
	}
out:
	free(ce.cmd);
	if (file_open)
		cu_ingest_file_abort(&f);
	cu_hasher_free(cap.h_out);
	cu_hasher_free(cap.h_err);
	cu_buf_release(&cap.out);
	cu_buf_release(&cap.errb);
	cu_ingest_slot_release(&slot);
	return st;
}

static const char *outp(const struct cmd_result *r)
{
	return r->out.data ? r->out.data : "";
}

/* The entries of the commands run before ACQUIRE_START, and getprop's
 * output kept as evidence (the bytes whose SHA-256 its entry names). */
static enum cu_status record_pre(struct acq *x, struct cu_error *err)
{
	enum cu_status st = CU_OK;

	for (size_t i = 0; i < x->n_pre && st == CU_OK; i++) {
		struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
		const char *evidence = NULL;
		struct cu_error e;
		if (strcmp(x->pre[i].cmd, "getprop") == 0 && x->getprop.ran) {
			struct cu_ingest_fileinfo fi;
			memset(&fi, 0, sizeof(fi));
			fi.device_path = "/_adb/getprop.txt";
			fi.device_path_len = strlen(fi.device_path);
			fi.type = "file";
			fi.mode = -1;
			fi.origin = "getprop";
			if (cu_ingest_slot_plan(x->w, fi.device_path, fi.device_path_len, false,
						&slot, &e) != CU_OK)
				cu_ingest_warn(x->w, true, "'%s': %s", fi.device_path, e.msg);
			else if (!slot.done &&
				 (st = cu_ingest_store_mem(
				      x->w, x->getprop.out.data ? x->getprop.out.data : "",
				      x->getprop.out.len, &slot, &fi, NULL, err)) == CU_OK)
				evidence = slot.rel.data;
		}
		if (st == CU_OK)
			st = emit_entry(x, &x->pre[i], evidence, err);
		cu_ingest_slot_release(&slot);
	}
	return st;
}

/* ---- clock ---- */

/* Device clock against the workstation's: the device time read between
 * two workstation readings; offset = device - midpoint. */
static enum cu_status clock_check(struct acq *x, const char *when, struct cu_error *err)
{
	struct cmd_result r;
	int64_t before = cu_time_now_ms(), after, dev = 0;
	enum cu_status st;
	bool ok;
	char ws[CU_TIME_STR], ds[CU_TIME_STR];

	st = run_cmd(x, CMD_SHELL, "date +%s.%N", NULL, true, &r, err);
	after = cu_time_now_ms();
	if (st != CU_OK || x->lost)
		goto out;
	ok = r.ran && cu_acq_device_time(outp(&r), r.out.len, &dev);
	if (!ok && r.ran) { /* an older toolbox without %N */
		cmd_result_release(&r);
		before = cu_time_now_ms();
		st = run_cmd(x, CMD_SHELL, "date +%s", NULL, true, &r, err);
		after = cu_time_now_ms();
		if (st != CU_OK || x->lost)
			goto out;
		ok = r.ran && cu_acq_device_time(outp(&r), r.out.len, &dev);
	}
	json_t *clk = json_object();
	int64_t mid = before + (after - before) / 2;
	cu_time_format_ms(mid, ws);
	json_object_set_new(clk, "workstation", json_string(ws));
	json_object_set_new(clk, "round_trip_ms", json_integer(after - before));
	if (ok && cu_time_format_ms(dev, ds)) {
		json_object_set_new(clk, "device", json_string(ds));
		json_object_set_new(clk, "offset_ms", json_integer(dev - mid));
		if (strcmp(when, "start") == 0)
			x->st.clock_offset_ms = dev - mid;
	} else {
		json_object_set_new(clk, "device", json_null());
		json_object_set_new(clk, "offset_ms", json_null());
		json_object_set_new(clk, "note", json_string("the device time could not be read"));
		cu_ingest_warn(x->w, false, "clock at %s: the device time could not be read", when);
	}
	json_object_set_new(cu_extract_obj_child(x->record, "clock"), when, clk);
	if (x->acq != NULL)
		json_object_set(x->acq, "clock", json_object_get(x->record, "clock"));
out:
	cmd_result_release(&r);
	return st;
}

/* ---- facts ---- */

static void set_fact(json_t *item, const char *obj, const char *key, const char *v)
{
	if (v == NULL || *v == '\0' || !cu_utf8_valid(v, strlen(v)))
		return;
	json_t *o = obj ? cu_extract_obj_child(item, obj) : item;
	json_t *have = json_object_get(o, key);
	if (have == NULL || json_is_null(have))
		json_object_set_new(o, key, json_string(v));
}

static void add_fact_list(json_t *item, const char *obj, const char *key, const char *v)
{
	json_t *o = cu_extract_obj_child(item, obj), *have = json_object_get(o, key), *e;
	size_t i;
	if (v == NULL || *v == '\0')
		return;
	if (json_is_string(have)) {
		if (strcmp(json_string_value(have), v) == 0)
			return;
		json_t *arr = json_array();
		json_array_append(arr, have);
		json_object_set_new(o, key, arr);
		have = arr;
	}
	if (!json_is_array(have)) {
		json_object_set_new(o, key, json_string(v));
		return;
	}
	json_array_foreach(have, i,
			   e) if (json_is_string(e) && strcmp(json_string_value(e), v) == 0) return;
	json_array_append_new(have, json_string(v));
}

static void getprop_facts(struct acq *x, const struct cmd_result *r)
{
	static const struct {
		const char *prop, *obj, *key;
	} map[] = {
	    {"ro.product.manufacturer", "features", "make"},
	    {"ro.product.model", "features", "model"},
	    {"ro.product.brand", "features", "brand"},
	    {"ro.product.name", "features", "product"},
	    {"ro.build.version.release", NULL, "os_version"},
	    {"ro.build.display.id", NULL, "build"},
	    {"ro.serialno", "identifiers", "serial"},
	};
	static const char *const state_props[] = {
	    "ro.build.version.sdk",  "ro.build.version.security_patch",
	    "ro.build.fingerprint",  "persist.sys.timezone",
	    "gsm.operator.alpha",    "gsm.sim.operator.alpha",
	    "gsm.sim.state",         "ro.crypto.state",
	    "ro.crypto.type",        "ro.miui.ui.version.name",
	    "ro.build.version.emui", "ro.build.version.opporom",
	    "ro.vivo.os.version",    "ro.boot.verifiedbootstate",
	    "ro.boot.flash.locked",  NULL,
	};
	struct cu_buf v = CU_BUF_INIT;
	const char *t = outp(r);

	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (cu_acq_getprop(t, r->out.len, map[k].prop, &v))
			set_fact(x->read, map[k].obj, map[k].key, v.data);
	for (const char *const *p = state_props; *p; p++)
		if (cu_acq_getprop(t, r->out.len, *p, &v) && v.len > 0 &&
		    cu_utf8_valid(v.data, v.len))
			json_object_set_new(cu_extract_obj_child(x->state, "getprop"), *p,
					    json_string(v.data));
	cu_buf_release(&v);
}

/* IMEI, ICCID, number: `service call iphonesubinfo N` for the codes of
 * IPhoneSubInfo.aidl, classified by the value's form (the codes moved
 * between Android versions): a 15-digit Luhn value is an IMEI, 18-22
 * digits from 89 an ICCID, a number with + or 11 digits from 1 a phone
 * number. Every answer (or refusal) is kept in the record. */
static enum cu_status subinfo_facts(struct acq *x, struct cu_error *err)
{
	json_t *list = json_array();
	struct cu_buf v = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	unsigned refused = 0, answered = 0;

	for (int code = 1; code <= 16 && st == CU_OK && !x->lost; code++) {
		char cmd[64], dev[96];
		struct cmd_result r;
		struct cu_error e;
		snprintf(cmd, sizeof(cmd), "service call iphonesubinfo %d", code);
		snprintf(dev, sizeof(dev), "/_adb/iphonesubinfo/%d.txt", code);
		if ((st = run_cmd(x, CMD_SHELL, cmd, dev, true, &r, err)) != CU_OK)
			break;
		if (r.ran || r.from_earlier) {
			json_t *one = json_pack("{s:i}", "code", code);
			cu_error_clear(&e);
			enum cu_status ps = cu_acq_parcel_string(outp(&r), r.out.len, &v, &e);
			if (ps == CU_OK) {
				const char *s = v.data;
				size_t n = strlen(s);
				bool digits = n > 0 && strspn(s, "0123456789") == n;
				const char *kind = NULL;
				answered++;
				json_object_set_new(one, "value", json_string(s));
				if (digits && cu_acq_imei_valid(s))
					kind = "imei";
				else if (digits && n >= 18 && n <= 22 && s[0] == '8' && s[1] == '9')
					kind = "iccid";
				else if ((s[0] == '+' && n > 6 &&
					  strspn(s + 1, "0123456789") == n - 1) ||
					 (digits && n == 11 && s[0] == '1'))
					kind = "msisdn";
				if (kind != NULL) {
					json_object_set_new(one, "taken_as", json_string(kind));
					if (strcmp(kind, "iccid") == 0)
						set_fact(x->read, "identifiers", kind, s);
					else
						add_fact_list(x->read, "identifiers", kind, s);
				}
			} else if (ps == CU_E_DEVICE) {
				refused++;
				json_object_set_new(one, "refused", json_string(e.msg));
			} else {
				json_object_set_new(one, "unreadable", json_string(e.msg));
			}
			json_array_append_new(list, one);
		}
		cmd_result_release(&r);
	}
	json_object_set_new(x->state, "iphonesubinfo", list);
	/* Each identifier not read is said, with why (CUSTODY: what was not
	 * acquired is listed). */
	static const struct {
		const char *key, *what;
	} ids[] = {
	    {"imei", "IMEI (service call iphonesubinfo)"},
	    {"iccid", "ICCID (service call iphonesubinfo)"},
	    {"msisdn", "phone number (service call iphonesubinfo)"},
	};
	const json_t *have = json_object_get(x->read, "identifiers");
	for (size_t k = 0; st == CU_OK && !x->lost && k < sizeof(ids) / sizeof(ids[0]); k++)
		if (json_object_get(have, ids[k].key) == NULL)
			cu_ingest_skip(x->w, ids[k].what,
				       refused
					   ? "refused by the OS to the shell user (Android 10 "
					     "and later keep it for privileged apps): read it "
					     "from the phone's settings or the SIM and record it "
					     "in the seizure record"
				       : answered ? "not among this phone's answers"
						  : "not answered by this phone");
	cu_buf_release(&v);
	return st;
}

struct accounts_ctx {
	json_t *list;
};
static void account_cb(void *ctx, const char *name, const char *type)
{
	struct accounts_ctx *a = ctx;
	if (cu_utf8_valid(name, strlen(name)) && cu_utf8_valid(type, strlen(type)))
		json_array_append_new(a->list, json_pack("{s:s, s:s}", "name", name, "type", type));
}

static enum cu_status state_facts(struct acq *x, struct cu_error *err)
{
	struct cmd_result r;
	enum cu_status st;
	int64_t v;

	/* battery */
	if ((st = run_cmd(x, CMD_SHELL, "dumpsys battery", "/_adb/dumpsys_battery.txt", true, &r,
			  err)) != CU_OK)
		return st;
	json_t *bat = json_object();
	if (cu_acq_dumpsys_int(outp(&r), r.out.len, "level", &v))
		json_object_set_new(bat, "level", json_integer(v));
	if (cu_acq_dumpsys_int(outp(&r), r.out.len, "status", &v))
		json_object_set_new(bat, "status", json_integer(v));
	if (cu_acq_dumpsys_int(outp(&r), r.out.len, "plugged", &v))
		json_object_set_new(bat, "plugged", json_integer(v));
	json_object_set_new(x->state, "battery", bat);
	cmd_result_release(&r);

	/* airplane mode */
	if ((st = run_cmd(x, CMD_SHELL, "settings get global airplane_mode_on",
			  "/_adb/airplane_mode_on.txt", true, &r, err)) != CU_OK)
		return st;
	{
		const char *t = outp(&r);
		json_object_set_new(x->state, "airplane_mode",
				    (r.ran || r.from_earlier) && t[0] == '1'   ? json_true()
				    : (r.ran || r.from_earlier) && t[0] == '0' ? json_false()
									       : json_null());
	}
	cmd_result_release(&r);

	/* screen lock: locksettings get-disabled says whether the lock
	 * screen is off; dumpsys trust is kept for the examiner */
	if ((st = run_cmd(x, CMD_SHELL, "locksettings get-disabled",
			  "/_adb/locksettings_get-disabled.txt", true, &r, err)) != CU_OK)
		return st;
	{
		const char *t = outp(&r);
		const char *lock = NULL;
		if (strncmp(t, "true", 4) == 0)
			lock = "disabled (no lock screen)";
		else if (strncmp(t, "false", 5) == 0)
			lock = "enabled";
		json_object_set_new(x->state, "screen_lock",
				    lock ? json_string(lock) : json_null());
	}
	cmd_result_release(&r);
	if ((st = run_cmd(x, CMD_SHELL, "dumpsys trust", "/_adb/dumpsys_trust.txt", false, &r,
			  err)) != CU_OK)
		return st;
	cmd_result_release(&r);

	/* accounts */
	if ((st = run_cmd(x, CMD_SHELL, "dumpsys account", "/_adb/dumpsys_account.txt", true, &r,
			  err)) != CU_OK)
		return st;
	struct accounts_ctx ac = {json_array()};
	cu_acq_accounts(outp(&r), r.out.len, account_cb, &ac);
	json_object_set_new(x->state, "accounts", ac.list);
	cmd_result_release(&r);

	/* users, work profiles, app clones */
	if ((st = run_cmd(x, CMD_SHELL, "pm list users", "/_adb/pm_list_users.txt", true, &r,
			  err)) != CU_OK)
		return st;
	struct cu_acq_user users[64];
	size_t nu = cu_acq_users(outp(&r), r.out.len, users, 64);
	json_t *ul = json_array(), *work = json_array(), *clones = json_array();
	for (size_t i = 0; i < nu; i++) {
		const char *kind = (users[i].flags & CU_ACQ_USER_MANAGED_PROFILE) ? "work_profile"
				   : cu_acq_user_is_clone(&users[i])              ? "app_clone"
				   : users[i].id == 0                             ? "owner"
										  : "user";
		json_t *u = json_pack(
		    "{s:I, s:s, s:I, s:b, s:s}", "id", (json_int_t)users[i].id, "name",
		    cu_utf8_valid(users[i].name, strlen(users[i].name)) ? users[i].name : "",
		    "flags", (json_int_t)users[i].flags, "running", users[i].running, "kind", kind);
		json_array_append_new(ul, u);
		if (strcmp(kind, "work_profile") == 0)
			json_array_append_new(work, json_integer(users[i].id));
		if (strcmp(kind, "app_clone") == 0)
			json_array_append_new(clones, json_integer(users[i].id));
	}
	json_object_set_new(x->state, "users", ul);
	json_object_set_new(x->state, "work_profiles", work);
	json_object_set_new(x->state, "app_clones", clones);
	cmd_result_release(&r);
	return CU_OK;
}

/* Installed packages (version, installer, uid from pm; first install
 * and update times from dumpsys package for the apps of interest). */
static enum cu_status package_facts(struct acq *x, struct cu_error *err)
{
	struct cmd_result r, d;
	enum cu_status st;
	size_t count = 0;
	json_t *apps = json_array();

	st = run_cmd(x, CMD_SHELL, "pm list packages -f -i -U --show-versioncode",
		     "/_adb/packages.txt", true, &r, err);
	if (st != CU_OK || x->lost) {
		json_decref(apps);
		cmd_result_release(&r);
		return st;
	}
	const char *t = outp(&r);
	for (size_t pos = 0; pos < r.out.len && st == CU_OK && !x->lost;) {
		const char *nl = memchr(t + pos, '\n', r.out.len - pos);
		size_t ll = nl ? (size_t)(nl - t - pos) : r.out.len - pos;
		struct cu_acq_package p;
		if (cu_acq_package_line(t + pos, ll, &p)) {
			count++;
			for (const char *const *a = private_apps; *a; a++) {
				if (strcmp(p.name, *a) != 0)
					continue;
				char cmd[320], dev[320];
				struct cu_buf v = CU_BUF_INIT;
				snprintf(cmd, sizeof(cmd), "dumpsys package %s", p.name);
				snprintf(dev, sizeof(dev), "/_adb/dumpsys_package/%s.txt", p.name);
				json_t *app =
				    json_pack("{s:s, s:I, s:s, s:I}", "package", p.name,
					      "version_code", (json_int_t)p.version_code,
					      "installer", p.installer, "uid", (json_int_t)p.uid);
				if ((st = run_cmd(x, CMD_SHELL, cmd, dev, true, &d, err)) ==
					CU_OK &&
				    (d.ran || d.from_earlier)) {
					static const char *const keys[] = {
					    "versionName=", "firstInstallTime=", "lastUpdateTime=",
					    "installerPackageName=", NULL};
					for (const char *const *k = keys; *k; k++) {
						const char *h = strstr(outp(&d), *k);
						if (h == NULL)
							continue;
						h += strlen(*k);
						size_t hl = strcspn(h, "\r\n");
						char *val = cu_strndup(h, hl);
						char key[64];
						snprintf(key, sizeof(key), "%.*s",
							 (int)(strlen(*k) - 1), *k);
						if (val && cu_utf8_valid(val, hl))
							json_object_set_new(app, key,
									    json_string(val));
						free(val);
					}
				}
				cu_buf_release(&v);
				cmd_result_release(&d);
				json_array_append_new(apps, app);
			}
		}
		if (nl == NULL)
			break;
		pos += ll + 1;
	}
	json_object_set_new(x->state, "packages",
			    json_pack("{s:I, s:s, s:o}", "count", (json_int_t)count, "list",
				      "evidence _adb/packages.txt", "apps_of_interest", apps));
	cmd_result_release(&r);
	return st;
}

/* ---- content providers ---- */

static enum cu_status content_providers(struct acq *x, struct cu_error *err)
{
	/* Fixed projections, free text last, each table's _id list first
	 * (parsers/system/content.h says why). */
	static const struct {
		const char *uri, *proj, *file;
	} q[] = {
	    {"content://sms", "_id", "sms.ids.txt"},
	    {"content://sms", "_id:address", "sms.address.txt"},
	    {"content://sms", "_id:thread_id:date:type:read:body", "sms.txt"},
	    {"content://mms", "_id", "mms.ids.txt"},
	    {"content://mms", "_id:thread_id:date:msg_box:read:sub", "mms.txt"},
	    {"content://mms/part", "_id", "mms-part.ids.txt"},
	    {"content://mms/part", "_id:mid:seq:ct:text", "mms-part.txt"},
	    {"content://call_log/calls", "_id", "calls.ids.txt"},
	    {"content://call_log/calls", "_id:date:duration:type:number", "calls.txt"},
	    {"content://com.android.contacts/raw_contacts", "_id", "raw_contacts.ids.txt"},
	    {"content://com.android.contacts/raw_contacts", "_id:deleted:display_name",
	     "raw_contacts.txt"},
	    {"content://com.android.contacts/data", "_id", "data.ids.txt"},
	    {"content://com.android.contacts/data", "_id:raw_contact_id:mimetype:data1",
	     "data.txt"},
	};
	enum cu_status st = CU_OK;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]) && st == CU_OK && !x->lost; i++) {
		char cmd[256], dev[128];
		struct cmd_result r;
		snprintf(cmd, sizeof(cmd), "content query --uri %s --projection %s --sort _id",
			 q[i].uri, q[i].proj);
		snprintf(dev, sizeof(dev), "/_adb/content/%s", q[i].file);
		st = run_cmd(x, CMD_SHELL, cmd, dev, false, &r, err);
		cmd_result_release(&r);
	}
	return st;
}

/* ---- shared storage over sync ---- */

struct dent {
	char *name;
	size_t n;
	struct cu_adb_stat st;
};
struct dents {
	struct dent *v;
	size_t n, cap;
	bool overflow, bad_name;
};

static bool dent_cb(void *ctx, const char *name, size_t n, const struct cu_adb_stat *st)
{
	struct dents *d = ctx;
	if (d->n >= LIST_MAX) {
		d->overflow = true;
		return false;
	}
	/* a name the phone sends with '/' or NUL cannot be a name */
	if (n == 0 || n > 4096 || memchr(name, '/', n) != NULL || memchr(name, '\0', n) != NULL) {
		d->bad_name = true;
		return true;
	}
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		struct dent *nv = cu_reallocarray(d->v, nc, sizeof(*nv));
		if (nv == NULL)
			return false;
		d->v = nv;
		d->cap = nc;
	}
	if ((d->v[d->n].name = cu_strndup(name, n)) == NULL)
		return false;
	d->v[d->n].n = n;
	d->v[d->n].st = *st;
	d->n++;
	return true;
}

static void dents_release(struct dents *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static int dent_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->name, y->name, n);
	return c != 0 ? c : (x->n < y->n ? -1 : x->n > y->n);
}

/* Sync DATA chunks are at most 64 KiB: gathered into RECV_BUF before
 * the writer hashes them, so its hasher runs MD5 beside SHA-256 (on
 * updates of 64 KiB and more) and the file gets fewer, larger writes. */
#define RECV_BUF ((size_t)1 << 20)

struct recv_ctx {
	struct cu_ingest_file *f;
	struct cu_error werr;
	bool failed;
	struct cu_progress *prog;
	unsigned char *buf; /* RECV_BUF bytes, owned by the run */
	size_t fill;
};

static bool recv_flush(struct recv_ctx *r)
{
	if (r->fill == 0 || r->failed)
		return !r->failed;
	if (cu_ingest_file_write(r->f, r->buf, r->fill, &r->werr) != CU_OK) {
		r->failed = true;
		return false;
	}
	r->fill = 0;
	return true;
}

static bool recv_sink(void *ctx, int stream, const void *p, size_t n)
{
	struct recv_ctx *r = ctx;
	(void)stream;
	cu_progress_add(r->prog, n);
	if (n >= RECV_BUF) {
		if (!recv_flush(r) || cu_ingest_file_write(r->f, p, n, &r->werr) != CU_OK)
			return !(r->failed = true);
		return true;
	}
	if (r->fill + n > RECV_BUF && !recv_flush(r))
		return false;
	memcpy(r->buf + r->fill, p, n);
	r->fill += n;
	return true;
}

struct pull_stats {
	uint64_t files, bytes, dirs, symlinks, special, failed;
};

/* After a CU_E_DEVICE on the sync: stream (a CLSE mid-file): a fresh
 * session on the same connection means only this transfer broke; none
 * means the phone is gone (x->lost). */
static bool sync_recover(struct acq *x, const struct cu_error *why)
{
	struct cu_error e;
	cu_adb_sync_close(x->sync);
	x->sync = NULL;
	if (cu_adb_sync_open(x->adb, &x->sync, &e) == CU_OK)
		return true;
	x->sync = NULL;
	x->lost = true;
	x->lost_err = *why;
	return false;
}

static enum cu_status pull_file(struct acq *x, struct cu_adb_sync *s, const char *path, size_t plen,
				const struct cu_adb_stat *ast, struct pull_stats *ps,
				struct cu_error *err)
{
	struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
	struct cu_ingest_file f = CU_INGEST_FILE_INIT;
	struct cu_ingest_fileinfo fi;
	struct cu_digests d;
	struct recv_ctx rc;
	struct cu_error e;
	enum cu_status st = CU_OK, rs;
	uint64_t got = 0;
	char show[512];

	cu_error_clear(&e);
	memset(&fi, 0, sizeof(fi));
	fi.device_path = path;
	fi.device_path_len = plen;
	fi.type = "file";
	fi.mode = (int64_t)(ast->mode & 07777);
	fi.have_mtime = true;
	fi.mtime.tv_sec = ast->mtime;
	fi.mtime.tv_nsec = 0;
	if (cu_ingest_slot_plan(x->w, path, plen, false, &slot, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "'%s': %s", cu_path_show(path, plen, show, sizeof(show)),
			       e.msg);
		ps->failed++;
		goto out;
	}
	if (slot.done)
		goto out; /* resume: listed and re-checked */
	if ((st = cu_ingest_check_space(x->w, ast->size, err)) != CU_OK)
		goto out;
	if (cu_ingest_file_open(x->w, &slot, &f, &e) != CU_OK) {
		cu_ingest_warn(x->w, e.code != CU_E_PATH, "'%s': %s",
			       cu_path_show(path, plen, show, sizeof(show)), e.msg);
		if (e.code != CU_E_PATH) {
			st = e.code;
			*err = e;
		}
		ps->failed++;
		goto out;
	}
	memset(&rc, 0, sizeof(rc));
	rc.f = &f;
	rc.prog = &x->prog;
	rc.buf = x->recv_buf;
	/* the path as the phone names it: a NUL-terminated copy */
	rs = cu_adb_sync_recv(s, path, recv_sink, &rc, &got, &e);
	if (rs == CU_OK)
		(void)recv_flush(&rc);
	if (rc.failed) {
		cu_ingest_file_abort(&f);
		*err = rc.werr;
		st = rc.werr.code != CU_OK ? rc.werr.code : CU_E_IO;
		goto out;
	}
	if (rs != CU_OK) {
		/* never a partial file recorded as complete */
		cu_ingest_file_abort(&f);
		cu_error_prefix(&e, "receiving '%s'", cu_path_show(path, plen, show, sizeof(show)));
		if (rs == CU_E_DEVICE && !sync_recover(x, &e))
			goto out;
		cu_ingest_warn(x->w, true, "'%s' not received: %s",
			       cu_path_show(path, plen, show, sizeof(show)), e.msg);
		ps->failed++;
		goto out;
	}
	if ((st = cu_ingest_file_commit(&f, &fi.mtime, &d, err)) != CU_OK)
		goto out;
	if (d.size != ast->size)
		cu_ingest_warn(x->w, false,
			       "'%s': listed with %llu bytes, %llu received (changed on the phone "
			       "during the acquisition?)",
			       cu_path_show(path, plen, show, sizeof(show)),
			       (unsigned long long)ast->size, (unsigned long long)d.size);
	if ((st = cu_ingest_record(x->w, &slot, &fi, &d, err)) != CU_OK)
		goto out;
	ps->files++;
	ps->bytes += d.size;
out:
	cu_ingest_slot_release(&slot);
	return st;
}

/* Walks dir (path of plen bytes, no trailing '/') depth first, entries in
 * byte order. */
static enum cu_status pull_dir(struct acq *x, struct cu_adb_sync *s, struct cu_buf *path,
			       unsigned depth, struct pull_stats *ps, struct cu_error *err)
{
	struct dents d;
	struct cu_error e;
	enum cu_status st = CU_OK, ls;
	size_t base = path->len;
	char show[512];

	memset(&d, 0, sizeof(d));
	cu_error_clear(&e);
	if (depth > DEPTH_MAX) {
		cu_ingest_warn(x->w, true, "'%s': deeper than %d directories: not walked",
			       cu_path_show(path->data, path->len, show, sizeof(show)), DEPTH_MAX);
		return CU_OK;
	}
	/* "dir/" so that a symlinked root (/sdcard) is listed, not the link */
	if ((st = cu_buf_putc(path, '/', err)) != CU_OK)
		return st;
	ls = cu_adb_sync_list(s, path->data, dent_cb, &d, &e);
	if (ls != CU_OK) {
		if (ls == CU_E_DEVICE && !sync_recover(x, &e)) {
			/* the phone is gone */
		} else {
			cu_ingest_warn(x->w, true, "cannot list '%s': %s",
				       cu_path_show(path->data, path->len, show, sizeof(show)),
				       e.msg);
			ps->failed++;
		}
		goto out;
	}
	if (d.overflow)
		cu_ingest_warn(x->w, true, "'%s': more than %zu entries: the rest not listed",
			       cu_path_show(path->data, path->len, show, sizeof(show)), LIST_MAX);
	if (d.bad_name)
		cu_ingest_warn(x->w, true, "'%s': the phone listed a name holding '/' or NUL",
			       cu_path_show(path->data, path->len, show, sizeof(show)));
	ps->dirs++;
	if (d.n > 1)
		qsort(d.v, d.n, sizeof(*d.v), dent_cmp);
	for (size_t i = 0; i < d.n && st == CU_OK && !x->lost; i++) {
		uint32_t type = d.v[i].st.mode & 0170000;
		path->len = base + 1;
		path->data[path->len] = '\0';
		if ((st = cu_buf_append(path, d.v[i].name, d.v[i].n, err)) != CU_OK)
			break;
		if (type == 0040000) {
			st = pull_dir(x, x->sync, path, depth + 1, ps, err);
		} else if (type == 0100000) {
			st = pull_file(x, x->sync, path->data, path->len, &d.v[i].st, ps, err);
		} else if (type == 0120000) {
			struct cu_ingest_slot slot = CU_INGEST_SLOT_INIT;
			struct cu_ingest_fileinfo fi;
			memset(&fi, 0, sizeof(fi));
			fi.device_path = path->data;
			fi.device_path_len = path->len;
			fi.type = "symlink";
			fi.mode = (int64_t)(d.v[i].st.mode & 07777);
			fi.have_mtime = true;
			fi.mtime.tv_sec = d.v[i].st.mtime;
			/* sync does not read links; the target is not fetched
			 * (a readlink per link would be a command each) */
			fi.origin = "sync LIST (link target not read)";
			if (cu_ingest_slot_plan(x->w, path->data, path->len, false, &slot, &e) !=
			    CU_OK)
				cu_ingest_warn(
				    x->w, true, "'%s': %s",
				    cu_path_show(path->data, path->len, show, sizeof(show)), e.msg);
			else if (!slot.done)
				st = cu_ingest_record(x->w, &slot, &fi, NULL, err);
			cu_ingest_slot_release(&slot);
			ps->symlinks++;
		} else {
			ps->special++;
			cu_ingest_warn(x->w, false, "'%s' is a special file (mode %o): not copied",
				       cu_path_show(path->data, path->len, show, sizeof(show)),
				       (unsigned)d.v[i].st.mode);
		}
	}
out:
	path->len = base;
	if (path->data)
		path->data[base] = '\0';
	dents_release(&d);
	return st;
}

static enum cu_status shared_storage(struct acq *x, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT, det = CU_BUF_INIT;
	struct pull_stats ps;
	struct cu_error e;
	struct cu_json j;
	enum cu_status st = CU_OK;
	char started[CU_TIME_STR], ended[CU_TIME_STR];

	memset(&ps, 0, sizeof(ps));
	cu_error_clear(&e);
	cu_time_format_ms(cu_time_now_ms(), started);
	if (cu_adb_sync_open(x->adb, &x->sync, &e) != CU_OK) {
		x->sync = NULL;
		if (e.code == CU_E_DEVICE) {
			x->lost = true;
			x->lost_err = e;
		} else {
			cu_ingest_warn(x->w, true,
				       "sync: on '%s' refused: %s (shared storage not "
				       "acquired)",
				       x->st.serial, e.msg);
		}
		return CU_OK;
	}
	size_t rl = strlen(x->sdcard);
	while (rl > 1 && x->sdcard[rl - 1] == '/')
		rl--;
	if ((x->recv_buf = cu_malloc(RECV_BUF)) == NULL) {
		cu_adb_sync_close(x->sync);
		x->sync = NULL;
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	}
	cu_progress_start(&x->prog, "acquire /sdcard", 0);
	if ((st = cu_buf_append(&path, x->sdcard, rl, err)) == CU_OK)
		st = pull_dir(x, x->sync, &path, 0, &ps, err);
	cu_progress_finish(&x->prog);
	cu_adb_sync_close(x->sync);
	x->sync = NULL;
	free(x->recv_buf);
	x->recv_buf = NULL;
	cu_time_format_ms(cu_time_now_ms(), ended);
	/* one COMMAND entry for the sync session: every file's hash is in
	 * the inventory, whose digest the ACQUIRE_END entry carries */
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "command");
	cu_json_strn(&j, x->sdcard, rl);
	cu_json_kv_str(&j, "service",
		       cu_adb_has_feature(x->adb, "ls_v2") ? "sync: LIS2/RECV" : "sync: LIST/RECV");
	cu_json_kv_int(&j, "files", (int64_t)ps.files);
	cu_json_kv_int(&j, "bytes", (int64_t)ps.bytes);
	cu_json_kv_int(&j, "directories", (int64_t)ps.dirs);
	cu_json_kv_int(&j, "symlinks", (int64_t)ps.symlinks);
	cu_json_kv_int(&j, "special", (int64_t)ps.special);
	cu_json_kv_int(&j, "failed", (int64_t)ps.failed);
	cu_json_kv_str(&j, "outputs", "inventory (one line per file, with its SHA-256)");
	cu_json_kv_str(&j, "started", started);
	cu_json_kv_str(&j, "ended", ended);
	cu_json_key(&j, "error");
	cu_json_str(&j, x->lost ? x->lost_err.msg : NULL);
	cu_json_obj_end(&j);
	x->st.commands++;
	if (st == CU_OK)
		st = append(x, "COMMAND", &det, &j, err);
	cu_buf_release(&det);
	cu_buf_release(&path);
	return st;
}

/* ---- root: /data/data of the chat and payment apps ---- */

/* A ustar/GNU tar stream from the phone, unpacked into the writer as it
 * arrives (bounded: 512-byte headers, names <= 4096, sizes checked). */
struct untar {
	struct acq *x;
	unsigned char hdr[512];
	size_t hfill;
	uint64_t left, pad; /* data bytes of the member, then padding */
	bool in_data, skip, failed, ended;
	struct cu_buf longname;
	bool want_longname;
	struct cu_ingest_slot slot;
	struct cu_ingest_file f;
	struct cu_ingest_fileinfo fi;
	struct cu_buf name;
	struct cu_hasher *raw; /* the whole stream's SHA-256 (the COMMAND entry), or NULL */
	bool ab;               /* members of an adb backup: names mapped (cu_ab_map_name) */
	const char *origin;    /* inventory origin of the members */
	uint64_t files, bytes, raw_bytes;
	struct cu_error err;
};

static uint64_t tar_num(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	if (n > 0 && (p[0] & 0x80)) { /* base-256 */
		for (size_t i = 1; i < n; i++)
			v = (v << 8) | p[i];
		return v;
	}
	for (size_t i = 0; i < n && p[i]; i++)
		if (p[i] >= '0' && p[i] <= '7')
			v = (v << 3) | (uint64_t)(p[i] - '0');
	return v;
}

static bool untar_header(struct untar *u)
{
	struct cu_error e;
	const unsigned char *h = u->hdr;
	bool zero = true;
	for (size_t i = 0; i < 512; i++)
		if (h[i]) {
			zero = false;
			break;
		}
	if (zero) {
		u->ended = true;
		return true;
	}
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	if (sum != tar_num(h + 148, 8)) {
		cu_error_set(&u->err, CU_E_FORMAT, "tar header checksum mismatch");
		return false;
	}
	uint64_t size = tar_num(h + 124, 12);
	char type = (char)h[156];
	u->left = size;
	u->pad = (512 - size % 512) % 512;
	u->in_data = true;
	u->skip = true;
	if (type == 'L') { /* GNU long name: the next member's */
		cu_buf_reset(&u->longname);
		u->want_longname = true;
		u->skip = false;
		return size <= 4096 || (cu_error_set(&u->err, CU_E_LIMIT, "tar long name"), false);
	}
	cu_buf_reset(&u->name);
	if (u->longname.len > 0) {
		size_t n = strnlen(u->longname.data, u->longname.len);
		if (cu_buf_append(&u->name, u->longname.data, n, &e) != CU_OK)
			return false;
		cu_buf_reset(&u->longname);
	} else {
		size_t pl = strnlen((const char *)h + 345, 155), nl = strnlen((const char *)h, 100);
		if (memcmp(h + 257, "ustar", 5) == 0 && pl > 0 &&
		    (cu_buf_append(&u->name, h + 345, pl, &e) != CU_OK ||
		     cu_buf_putc(&u->name, '/', &e) != CU_OK))
			return false;
		if (cu_buf_append(&u->name, h, nl, &e) != CU_OK)
			return false;
	}
	/* "data/data/pkg/..." -> "/data/data/pkg/..."; a backup's
	 * "apps/pkg/db/x" -> "/data/data/pkg/databases/x" */
	struct cu_buf dev = CU_BUF_INIT;
	const char *nm = u->name.data ? u->name.data : "";
	while (nm[0] == '.' && nm[1] == '/')
		nm += 2;
	if (u->ab ? !cu_ab_map_name(nm, &dev)
		  : cu_buf_printf(&dev, &e, "%s%s", nm[0] == '/' ? "" : "/", nm) != CU_OK) {
		cu_buf_release(&dev);
		return false;
	}
	memset(&u->fi, 0, sizeof(u->fi));
	u->fi.type = type == '2' ? "symlink" : "file";
	u->fi.mode = (int64_t)(tar_num(h + 100, 8) & 07777);
	u->fi.have_mtime = true;
	u->fi.mtime.tv_sec = (time_t)tar_num(h + 136, 12);
	u->fi.origin = u->origin ? u->origin : "su -c tar";
	if (type == '0' || type == '\0' || type == '7' || type == '2') {
		char show[512];
		cu_buf_reset(&u->name);
		if (cu_buf_puts(&u->name, dev.data, &e) != CU_OK) {
			cu_buf_release(&dev);
			return false;
		}
		u->fi.device_path = u->name.data;
		u->fi.device_path_len = u->name.len;
		if (cu_ingest_slot_plan(u->x->w, u->name.data, u->name.len, false, &u->slot, &e) !=
		    CU_OK) {
			cu_ingest_warn(u->x->w, true, "'%s': %s",
				       cu_path_show(u->name.data, u->name.len, show, sizeof(show)),
				       e.msg);
		} else if (!u->slot.done && type == '2') {
			char target[101];
			snprintf(target, sizeof(target), "%.*s", 100, (const char *)h + 157);
			u->fi.link_target = target;
			if (cu_ingest_record(u->x->w, &u->slot, &u->fi, NULL, &u->err) != CU_OK) {
				cu_buf_release(&dev);
				return false;
			}
		} else if (!u->slot.done) {
			if (cu_ingest_file_open(u->x->w, &u->slot, &u->f, &e) != CU_OK)
				cu_ingest_warn(
				    u->x->w, true, "'%s': %s",
				    cu_path_show(u->name.data, u->name.len, show, sizeof(show)),
				    e.msg);
			else
				u->skip = false;
		}
	}
	cu_buf_release(&dev);
	if (u->left == 0 && !u->skip) {
		struct cu_digests d;
		u->in_data = u->pad > 0;
		u->skip = true;
		if (cu_ingest_file_commit(&u->f, &u->fi.mtime, &d, &u->err) != CU_OK ||
		    cu_ingest_record(u->x->w, &u->slot, &u->fi, &d, &u->err) != CU_OK)
			return false;
		u->files++;
	} else if (u->left == 0) {
		u->in_data = u->pad > 0;
	}
	return true;
}

static bool untar_sink(void *ctx, int stream, const void *p, size_t n)
{
	struct untar *u = ctx;
	const unsigned char *b = p;
	struct cu_error e;
	(void)stream;
	if (u->failed)
		return false;
	u->raw_bytes += n;
	if (u->raw != NULL && cu_hasher_update(u->raw, p, n, &e) != CU_OK) {
		u->err = e;
		return !(u->failed = true);
	}
	while (n > 0 && !u->ended) {
		if (!u->in_data) {
			size_t k = 512 - u->hfill < n ? 512 - u->hfill : n;
			memcpy(u->hdr + u->hfill, b, k);
			u->hfill += k;
			b += k;
			n -= k;
			if (u->hfill == 512) {
				u->hfill = 0;
				if (!untar_header(u))
					return !(u->failed = true);
			}
			continue;
		}
		if (u->left > 0) {
			size_t k = u->left < n ? (size_t)u->left : n;
			if (u->want_longname) {
				if (cu_buf_append(&u->longname, b, k, &e) != CU_OK)
					return !(u->failed = true);
			} else if (!u->skip &&
				   cu_ingest_file_write(&u->f, b, k, &u->err) != CU_OK) {
				return !(u->failed = true);
			}
			u->bytes += u->skip || u->want_longname ? 0 : k;
			u->left -= k;
			b += k;
			n -= k;
			if (u->left == 0) {
				if (u->want_longname) {
					u->want_longname = false;
				} else if (!u->skip) {
					struct cu_digests d;
					u->skip = true;
					if (cu_ingest_file_commit(&u->f, &u->fi.mtime, &d,
								  &u->err) != CU_OK ||
					    cu_ingest_record(u->x->w, &u->slot, &u->fi, &d,
							     &u->err) != CU_OK)
						return !(u->failed = true);
					u->files++;
				}
				if (u->pad == 0)
					u->in_data = false;
			}
			continue;
		}
		size_t k = u->pad < n ? (size_t)u->pad : n;
		u->pad -= k;
		b += k;
		n -= k;
		if (u->pad == 0)
			u->in_data = false;
	}
	return true;
}

static enum cu_status root_data(struct acq *x, struct cu_error *err)
{
	struct cmd_result r;
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if ((st = run_cmd(x, CMD_SHELL, "su -c id", "/_adb/su_id.txt", true, &r, err)) != CU_OK ||
	    x->lost) {
		cmd_result_release(&r);
		return st;
	}
	bool root = strstr(outp(&r), "uid=0") != NULL;
	cmd_result_release(&r);
	if (!root) {
		cu_ingest_skip(x->w, "app private data (/data/data)",
			       "--root given but su does not give uid 0 on this phone");
		return CU_OK;
	}
	/* Using su is a change the phone may record (the su app's log and
	 * its grant prompt): said before anything is taken with it. */
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "change", "root shell used through su (--root)");
	cu_json_kv_str(&j, "command", "su -c id");
	cu_json_kv_str(&j, "effect",
		       "the su manager app may log the grant and show a prompt; "
		       "nothing is written by custos");
	cu_json_obj_end(&j);
	if ((st = append(x, "DEVICE_CHANGE", &det, &j, err)) != CU_OK)
		goto out;
	for (const char *const *app = private_apps; *app && st == CU_OK && !x->lost; app++) {
		struct untar u;
		struct cu_digests d;
		struct cu_error e;
		char cmd[256];
		int exit_code = -1;
		enum cu_status cst;

		memset(&u, 0, sizeof(u));
		u.x = x;
		u.f = (struct cu_ingest_file)CU_INGEST_FILE_INIT;
		u.slot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
		cu_buf_init(&u.longname, 8192);
		cu_buf_init(&u.name, 8192);
		cu_error_clear(&e);
		snprintf(cmd, sizeof(cmd), "su -c 'tar -cf - /data/data/%s'", *app);
		if ((st = cu_hasher_new(CU_HASH_SHA256, 0, &u.raw, err)) != CU_OK)
			break;
		cst = cu_adb_exec(x->adb, cmd, untar_sink, &u, &e);
		(void)exit_code;
		x->st.commands++;
		if (u.f.fd >= 0)
			cu_ingest_file_abort(&u.f); /* cut mid-member: never recorded */
		if (cu_hasher_final(u.raw, &d, &e) != CU_OK)
			memset(&d, 0, sizeof(d));
		if (cst == CU_E_DEVICE) {
			x->lost = true;
			x->lost_err = e;
		}
		cu_buf_reset(&det);
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "command", cmd);
		cu_json_kv_str(&j, "service", "exec");
		cu_json_kv_str(&j, "stdout_sha256", d.sha256);
		cu_json_kv_int(&j, "stdout_bytes", (int64_t)u.raw_bytes);
		cu_json_kv_int(&j, "files", (int64_t)u.files);
		cu_json_kv_int(&j, "bytes", (int64_t)u.bytes);
		cu_json_kv_str(&j, "outputs", "unpacked into the inventory (tar members)");
		cu_json_key(&j, "error");
		cu_json_str(&j, cst != CU_OK ? e.msg : u.failed ? u.err.msg : NULL);
		cu_json_obj_end(&j);
		st = append(x, "COMMAND", &det, &j, err);
		if (st == CU_OK && u.failed)
			cu_ingest_warn(x->w, true, "'%s': %s", cmd, u.err.msg);
		else if (st == CU_OK && cst != CU_OK && cst != CU_E_DEVICE)
			cu_ingest_warn(x->w, true, "'%s': %s", cmd, e.msg);
		else if (st == CU_OK && u.raw_bytes == 0)
			cu_ingest_skip(x->w, *app, "not installed or empty (/data/data)");
		cu_hasher_free(u.raw);
		cu_ingest_slot_release(&u.slot);
		cu_buf_release(&u.longname);
		cu_buf_release(&u.name);
	}
out:
	cu_buf_release(&det);
	return st;
}

/* ---- adb backup ---- */

/* The members of the backup kept at abs (our evidence copy, never the
 * phone again) into the inventory as the .ab importer names them
 * (cu_ab_map_name), inflated as read. An encrypted backup is left for
 * `custos import --format android-ab` with its password. */
static enum cu_status unpack_backup(struct acq *x, const char *abs, const char *rel,
				    struct cu_error *err)
{
	unsigned char *in = NULL, *out = NULL;
	struct cu_ab_header h;
	struct untar u;
	struct cu_error e;
	z_stream z;
	bool zinit = false;
	size_t got = 0;
	enum cu_status st = CU_OK;
	int fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	memset(&u, 0, sizeof(u));
	memset(&z, 0, sizeof(z));
	u.x = x;
	u.ab = true;
	u.origin = rel;
	u.f = (struct cu_ingest_file)CU_INGEST_FILE_INIT;
	u.slot = (struct cu_ingest_slot)CU_INGEST_SLOT_INIT;
	cu_buf_init(&u.longname, 8192);
	cu_buf_init(&u.name, 8192);
	cu_error_clear(&e);
	if (fd < 0 || (in = cu_malloc(RECV_BUF)) == NULL || (out = cu_malloc(RECV_BUF)) == NULL) {
		st = fd < 0 ? cu_error_errno(err, CU_E_IO, errno, "cannot read '%s'", rel)
			    : cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (cu_read_full(fd, in, 4096, &got, rel, err) != CU_OK) {
		st = err->code;
		goto out;
	}
	if (cu_ab_header_parse(in, got, &h, &e) != CU_OK) {
		cu_ingest_warn(x->w, true, "'%s': not an adb backup: %s", rel, e.msg);
		goto out;
	}
	if (h.enc != CU_AB_NONE) {
		cu_ingest_skip(x->w, "adb backup contents",
			       "the backup is encrypted: unpack a copy of it with `custos import "
			       "--format android-ab --password-file F`");
		goto out;
	}
	if (h.compressed) {
		if (inflateInit(&z) != Z_OK) {
			st = cu_error_set(err, CU_E_NOMEM, "zlib: out of memory");
			goto out;
		}
		zinit = true;
	}
	size_t off = h.header_len;
	bool eof = false, zend = false;
	while (!u.failed && !u.ended && !zend) {
		if (off >= got) {
			if (eof)
				break;
			if (cu_read_full(fd, in, RECV_BUF, &got, rel, err) != CU_OK) {
				st = err->code;
				goto out;
			}
			off = 0;
			eof = got < RECV_BUF;
			if (got == 0)
				break;
		}
		if (!h.compressed) {
			(void)untar_sink(&u, 1, in + off, got - off);
			off = got;
			continue;
		}
		z.next_in = in + off;
		z.avail_in = (uInt)(got - off);
		do {
			z.next_out = out;
			z.avail_out = (uInt)RECV_BUF;
			int zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				cu_ingest_warn(x->w, true,
					       "'%s': the compressed data is damaged (%s)", rel,
					       z.msg ? z.msg : "zlib");
				zend = true;
				break;
			}
			(void)untar_sink(&u, 1, out, RECV_BUF - z.avail_out);
			if (zr == Z_STREAM_END)
				zend = true;
			if (zr == Z_BUF_ERROR && z.avail_out != 0)
				break;
		} while (!u.failed && !zend && z.avail_in > 0);
		off = got - z.avail_in;
	}
	if (u.failed && u.err.code != CU_E_FORMAT && u.err.code != CU_E_LIMIT) {
		*err = u.err;
		st = u.err.code != CU_OK ? u.err.code : CU_E_IO;
	} else if (u.failed) {
		cu_ingest_warn(x->w, true, "'%s': %s", rel, u.err.msg);
	} else if (!u.ended) {
		cu_ingest_warn(x->w, true, "'%s': the backup ends before its archive does", rel);
	}
	cu_info("acquire: adb backup: %llu file(s) unpacked", (unsigned long long)u.files);
out:
	if (u.f.fd >= 0)
		cu_ingest_file_abort(&u.f); /* cut mid-member: never recorded */
	if (zinit)
		inflateEnd(&z);
	if (fd >= 0)
		close(fd);
	free(in);
	free(out);
	cu_ingest_slot_release(&u.slot);
	cu_buf_release(&u.longname);
	cu_buf_release(&u.name);
	return st;
}

static enum cu_status adb_backup(struct acq *x, struct cu_error *err)
{
	struct cmd_result r;
	struct cu_buf abs = CU_BUF_INIT;
	enum cu_status st;

	/* The phone asks for confirmation (and an optional password: leave it
	 * empty); Android 12+ mostly excludes app data. */
	cu_info("acquire: adb backup: confirm \"Back up my data\" on the phone's screen");
	st = run_cmd(x, CMD_SERVICE, "backup:-all -shared -nosystem", "/_adb/backup/backup.ab",
		     false, &r, err);
	/* its members, from the evidence copy just made (or kept by the
	 * interrupted run) */
	if (st == CU_OK && !x->lost && r.evidence[0] != '\0' &&
	    (st = cu_case_path(x->c, r.evidence, &abs, err)) == CU_OK)
		st = unpack_backup(x, abs.data, r.evidence, err);
	cmd_result_release(&r);
	cu_buf_release(&abs);
	return st;
}

/* ---- manifest, start and end ---- */

static enum cu_status begin(struct acq *x, struct cu_error *err)
{
	struct cu_case *c = x->c;
	json_t *items, *acqs;
	char now[CU_TIME_STR], host[256] = "";
	struct cu_buf det = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status st;

	if (c->manifest == NULL && (c->manifest = json_object()) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	if ((items = cu_extract_manifest_array(c, "items")) == NULL ||
	    (acqs = cu_extract_manifest_array(c, "acquisitions")) == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	cu_time_format_ms(cu_time_now_ms(), now);
	x->read = (json_t *)cu_manifest_item_in(c->manifest, CU_MANIFEST_IMPORTED, x->item);
	if (x->read == NULL) {
		x->read = json_pack("{s:s, s:i, s:{}, s:{}, s:s, s:s+}", "item_id", x->item,
				    "quantity", 1, "features", "identifiers", "os", "Android",
				    "source", "ADB acquisition of ", x->st.serial);
		if (x->read == NULL || json_array_append_new(items, x->read) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		if (x->new_item)
			json_object_set_new(x->read, "not_in_seizure_list", json_true());
	}
	if (x->acq != NULL) {
		json_t *r = json_object_get(x->acq, "resumed");
		if (!json_is_array(r)) {
			r = json_array();
			json_object_set_new(x->acq, "resumed", r);
		}
		json_array_append_new(r, json_string(now));
	} else {
		(void)gethostname(host, sizeof(host) - 1);
		x->acq = json_pack("{s:s, s:s, s:n, s:n, s:s, s:s, s:{s:s, s:s, s:s?, s:s}, s:s, "
				   "s:[], s:[]}",
				   "item_id", x->item, "start", now, "end", "location", "method",
				   "adb", "status", "running", "source", "serial", x->st.serial,
				   "transport", x->transport, "address", x->address, "banner",
				   cu_adb_banner(x->adb) ? cu_adb_banner(x->adb) : "",
				   "workstation", host, "errors", "not_acquired");
		if (x->acq == NULL || json_array_append_new(acqs, x->acq) != 0)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		if (x->new_item)
			json_object_set_new(x->acq, "new_item",
					    json_pack("{s:s}", "reason", x->o->reason));
	}
	if ((st = cu_extract_manifest_hash(c, x->manifest_sha256, err)) != CU_OK)
		return st;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", "adb");
	cu_json_kv_str(&j, "transport", x->transport);
	cu_json_kv_str(&j, "address", x->address);
	cu_json_kv_str(&j, "serial", x->st.serial);
	cu_json_kv_str(&j, "banner", cu_adb_banner(x->adb));
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_bool(&j, "root", x->o->root);
	cu_json_kv_bool(&j, "adb_backup", x->o->adb_backup);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = append(x, "ACQUIRE_START", &det, &j, err)) == CU_OK)
		st = cu_case_save_manifest(c, err);
	cu_buf_release(&det);
	x->begun = st == CU_OK;
	return st;
}

/* The end: facts into the item (compared with the seizure record), the
 * acquisitions[] entry, ACQUIRE_END (the writer's closing entry), the
 * MISMATCH entries, the manifest. With the connection lost the entry
 * stays "running" (resumable) and an ERROR entry says why. */
static enum cu_status finish(struct acq *x, struct cu_error *err)
{
	const struct cu_ingest_stats *ws = cu_ingest_stats(x->w);
	struct cu_ingest_summary sum;
	struct cu_buf det = CU_BUF_INIT, fmt = CU_BUF_INIT;
	struct cu_json j;
	char now[CU_TIME_STR];
	enum cu_status st;
	const char *status;

	if ((st = cu_ingest_summarize(x->w, &sum, err)) != CU_OK)
		goto out;
	/* the facts read, kept in the item, and where they came from */
	json_object_set(x->read, "device_state", x->state);
	{
		char where[CU_PATH_MAX];
		snprintf(where, sizeof(where), "getprop over ADB (evidence/%s/_adb/getprop.txt)",
			 x->item);
		json_object_set_new(x->read, "facts_source", json_string(where));
	}
	if ((st = cu_import_check_facts(x->c, x->item, "acquire", "the phone over ADB", err)) !=
	    CU_OK)
		goto out;
	status = x->lost ? "running" : ws->failures ? "partial" : "complete";
	cu_time_format_ms(cu_time_now_ms(), now);
	if ((st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_warnings_json(x->w))) != CU_OK)
		goto out;
	json_t *errs = json_loads(fmt.data, 0, NULL);
	cu_buf_reset(&fmt);
	if ((st = cu_buf_printf(&fmt, err, "[%s]", cu_ingest_skipped_json(x->w))) != CU_OK) {
		json_decref(errs);
		goto out;
	}
	json_t *skipped = json_loads(fmt.data, 0, NULL);
	if (!x->lost)
		json_object_set_new(x->acq, "end", json_string(now));
	json_object_set_new(x->acq, "status", json_string(status));
	json_object_set_new(x->acq, "errors", errs ? errs : json_array());
	json_object_set_new(x->acq, "not_acquired", skipped ? skipped : json_array());
	json_object_set_new(x->acq, "files", json_integer((json_int_t)sum.evidence_files));
	json_object_set_new(x->acq, "warnings", json_integer((json_int_t)ws->warnings));
	json_object_set_new(x->acq, "failures", json_integer((json_int_t)ws->failures));
	json_object_set_new(x->acq, "content_root", json_string(sum.content_root));
	json_object_set_new(x->acq, "inventory_sha256", json_string(sum.inventory_sha256));
	if ((st = cu_extract_manifest_hash(x->c, x->manifest_sha256, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "method", "adb");
	cu_json_kv_str(&j, "serial", x->st.serial);
	cu_json_kv_str(&j, "item", x->item);
	cu_json_kv_str(&j, "status", status);
	cu_json_kv_int(&j, "files", (int64_t)ws->files);
	cu_json_kv_int(&j, "bytes", (int64_t)ws->bytes);
	cu_json_kv_int(&j, "commands", (int64_t)x->st.commands);
	cu_json_kv_int(&j, "warnings", (int64_t)ws->warnings);
	cu_json_kv_int(&j, "failures", (int64_t)ws->failures);
	cu_extract_json_list(&j, "warning_list", cu_ingest_warnings_json(x->w));
	cu_extract_json_list(&j, "not_acquired", cu_ingest_skipped_json(x->w));
	cu_json_key(&j, "clock");
	cu_json_jansson(&j, json_object_get(x->record, "clock"));
	cu_json_kv_bool(&j, "resumed", x->resume);
	cu_json_kv_int(&j, "rechecked", (int64_t)ws->rechecked);
	cu_json_kv_int(&j, "partials_removed", (int64_t)ws->partials_removed);
	cu_json_kv_int(&j, "item_files", (int64_t)sum.evidence_files);
	cu_json_key(&j, "content_root");
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "alg", "RFC6962-SHA-256");
	cu_json_kv_int(&j, "size", (int64_t)sum.content_files);
	cu_json_kv_str(&j, "root", sum.content_root);
	cu_json_obj_end(&j);
	cu_json_kv_str(&j, "inventory", sum.inventory);
	cu_json_kv_str(&j, "inventory_sha256", sum.inventory_sha256);
	cu_json_key(&j, "interrupted");
	cu_json_str(&j, x->lost ? x->lost_err.msg : NULL);
	cu_json_kv_str(&j, "manifest_sha256", x->manifest_sha256);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK ||
	    (st = cu_ingest_close(x->w, x->lost ? "ERROR" : "ACQUIRE_END", x->subject.data,
				  det.data, err)) != CU_OK)
		goto out;
	if ((st = cu_import_record_mismatches(x->c, x->item, x->subject.data, &x->st.mismatches,
					      err)) != CU_OK)
		goto out;
	st = cu_case_save_manifest(x->c, err);
out:
	cu_buf_release(&det);
	cu_buf_release(&fmt);
	return st;
}

enum cu_status cu_acquire_android_run(struct cu_case *c, const struct cu_acquire_opts *o,
				      struct cu_acquire_stats *stats, struct cu_error *err)
{
	struct acq x;
	struct cu_adb_opts ao;
	enum cu_status st;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.resume = o->resume;
	x.st.clock_offset_ms = INT64_MIN;
	x.sdcard = o->sdcard ? o->sdcard : "/sdcard";
	cu_buf_init(&x.subject, 0);
	memset(&ao, 0, sizeof(ao));
	ao.key_path = o->key_path;
	ao.auth_wait_ms = o->auth_wait_ms;
	ao.io_timeout_ms = o->io_timeout_ms;
	if ((o->serial == NULL) == (o->hostport == NULL)) {
		st = cu_error_set(err, CU_E_USAGE,
				  "give the phone with --device SERIAL (USB) or --adb-connect "
				  "HOST:PORT (TCP), one of them");
		goto out;
	}
	if (c->custody == NULL) {
		st = cu_error_set(err, CU_E_INTERNAL, "the case's custody log is not open");
		goto out;
	}
	x.transport = o->serial ? "usb" : "tcp";
	x.address = o->serial ? o->serial : o->hostport;
	if ((x.state = json_object()) == NULL || (x.record = json_object()) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	st = o->serial ? cu_adb_open_usb(o->serial, &ao, &x.adb, err)
		       : cu_adb_open_tcp(o->hostport, &ao, &x.adb, err);
	if (st != CU_OK) {
		cu_error_prefix(err, "phone '%s'", x.address);
		goto out;
	}
	/* The phone's own serial (getprop ro.serialno) names it: over TCP the
	 * transport knows only an address. */
	if ((st = run_cmd(&x, CMD_SHELL, "getprop", NULL, true, &x.getprop, err)) != CU_OK)
		goto out;
	if (x.lost) {
		*err = x.lost_err;
		st = cu_error_prefix(err, "phone '%s': reading getprop", x.address);
		goto out;
	}
	{
		struct cu_buf sn = CU_BUF_INIT;
		const char *t = x.getprop.out.data ? x.getprop.out.data : "";
		bool ok = cu_acq_getprop(t, x.getprop.out.len, "ro.serialno", &sn) && sn.len > 0 &&
			  sn.len < sizeof(x.st.serial) && cu_utf8_valid(sn.data, sn.len);
		for (size_t i = 0; ok && i < sn.len; i++)
			ok = (unsigned char)sn.data[i] > 0x20 && sn.data[i] != 0x7f;
		snprintf(x.st.serial, sizeof(x.st.serial), "%s",
			 ok                                              ? sn.data
			 : cu_adb_serial(x.adb) && *cu_adb_serial(x.adb) ? cu_adb_serial(x.adb)
									 : x.address);
		cu_buf_release(&sn);
	}
	cu_info("acquire: connected to '%s' (%s %s)", x.st.serial, x.transport, x.address);
	if ((st = choose_item(&x, x.st.serial, err)) != CU_OK ||
	    (st = cu_ingest_open(c, CU_INGEST_ACQUIRE,
				 cu_ingest_hash_policy(c, x.item, o->hash_algs), x.resume, &x.w,
				 err)) != CU_OK ||
	    (st = cu_ingest_set_item(x.w, x.item, err)) != CU_OK ||
	    (st = make_subject(&x, err)) != CU_OK)
		goto out;
	if (x.resume)
		cu_info("acquire: resuming item '%s': %zu files already listed", x.item,
			cu_ingest_resume_count(x.w));
	if ((st = begin(&x, err)) != CU_OK)
		goto out;

	/* 1. clock, 2. facts, 3. packages, 4. providers, 5. /sdcard,
	 * 6. root / backup, then the clock again */
	if ((st = record_pre(&x, err)) != CU_OK)
		goto end;
	if (x.getprop.ran)
		getprop_facts(&x, &x.getprop);
	if ((st = clock_check(&x, "start", err)) != CU_OK)
		goto end;
	if ((st = subinfo_facts(&x, err)) != CU_OK || (st = state_facts(&x, err)) != CU_OK ||
	    (st = package_facts(&x, err)) != CU_OK || (st = content_providers(&x, err)) != CU_OK)
		goto end;
	if (!o->no_media && !x.lost && (st = shared_storage(&x, err)) != CU_OK)
		goto end;
	if (o->root && !x.lost && (st = root_data(&x, err)) != CU_OK)
		goto end;
	if (o->adb_backup && !x.lost && (st = adb_backup(&x, err)) != CU_OK)
		goto end;
	if (!x.lost && (st = clock_check(&x, "end", err)) != CU_OK)
		goto end;
end:
	if (st != CU_OK) {
		/* the case's disk or the log failed: what is listed stays,
		 * the acquisition stays running (resumable) */
		struct cu_error e2;
		if (cu_ingest_flush(x.w, true, &e2) != CU_OK)
			cu_error_log("%s", e2.msg);
		goto out;
	}
	if ((st = cu_ingest_flush(x.w, true, err)) != CU_OK || (st = finish(&x, err)) != CU_OK)
		goto out;
	{
		const struct cu_ingest_stats *ws = cu_ingest_stats(x.w);
		x.st.files = ws->files;
		x.st.bytes = ws->bytes;
		x.st.warnings = ws->warnings + x.st.mismatches;
		x.st.failures = ws->failures;
		x.st.rechecked = ws->rechecked;
		x.st.skipped = ws->skipped;
	}
	snprintf(x.st.item, sizeof(x.st.item), "%s", x.item);
	if (stats != NULL)
		*stats = x.st;
	if (x.lost) {
		*err = x.lost_err;
		st = cu_error_prefix(err,
				     "the connection to '%s' was lost (%llu files kept); reconnect "
				     "the phone and finish with `custos acquire --resume %s %s`",
				     x.st.serial, (unsigned long long)x.st.files,
				     o->serial ? "--device" : "--adb-connect", x.address);
		err->code = st = CU_E_DEVICE;
	} else if (x.st.failures > 0) {
		st = cu_error_set(err, CU_E_PARTIAL,
				  "acquisition of '%s' into item '%s' finished with %llu "
				  "failure(s); each is recorded in the custody log (ACQUIRE_END "
				  "entry)",
				  x.st.serial, x.item, (unsigned long long)x.st.failures);
	}
out:
	for (size_t i = 0; i < x.n_pre; i++)
		free(x.pre[i].cmd);
	cmd_result_release(&x.getprop);
	cu_ingest_free(x.w);
	cu_adb_close(x.adb);
	json_decref(x.state);
	json_decref(x.record);
	cu_buf_release(&x.subject);
	return st;
}
