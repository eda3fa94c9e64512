/*
 * cli.c - helpers shared by the verbs: usage, failures, secrets.
 */
#include "config.h"
#include "src/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "extract/extract.h"
#include "parsers/parsers.h"
#include "report/report.h"

const struct cu_verb *cu_cli_verb(const char *name)
{
	for (const struct cu_verb *v = cu_verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static void record_failure(const char *msg);

int cu_cli_fail(const struct cu_cli *cli, const struct cu_error *err)
{
	const char *msg = err->msg[0] ? err->msg : cu_strerror(err->code);

	(void)cli;
	fprintf(stderr, "custos: %s\n", msg);
	record_failure(msg);
	return cu_status_exit_code(err->code);
}

int cu_cli_usage(const char *verb, bool error)
{
	const struct cu_verb *v = cu_cli_verb(verb);
	FILE *out = error ? stderr : stdout;
	if (v == NULL)
		return 2;
	fprintf(out, "usage: %s", v->usage);
	return error ? 2 : 0;
}

bool cu_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int cu_cli_not_implemented(const char *verb)
{
	fprintf(stderr, "custos: %s: not implemented yet\n", verb);
	return 2;
}

enum cu_status cu_cli_read_secret(const char *file, const char *env_name, const char *prompt,
				  struct cu_buf *out, struct cu_error *err)
{
	enum cu_status st;
	const char *env;

	/* Locked and never reallocated: no copy is left in freed memory. */
	cu_secret_buf_wipe(out);
	if ((st = cu_secret_buf_reserve(out, CU_CLI_SECRET_MAX, err)) != CU_OK)
		return st;
	if (file != NULL)
		return cu_secret_read_file(file, CU_CLI_SECRET_MAX, out, err);
	if (env_name != NULL && (env = getenv(env_name)) != NULL) {
		if (strlen(env) > CU_CLI_SECRET_MAX)
			return cu_error_set(err, CU_E_USAGE, "%s is longer than %d bytes", env_name,
					    CU_CLI_SECRET_MAX);
		return cu_buf_puts(out, env, err);
	}

	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cu_error_set(err, CU_E_KEY,
				    "a password is needed and there is no terminal to ask: "
				    "use --password-file or %s",
				    env_name ? env_name : "a password file");
	struct termios old, noecho;
	bool restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	st = cu_write_all(fd, prompt, strlen(prompt), "terminal", err);
	char c;
	while (st == CU_OK) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		st = cu_buf_putc(out, c, err);
	}
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return st;
}

void cu_cli_secret_release(struct cu_buf *secret)
{
	cu_secret_buf_wipe(secret);
}

/* Every linked library, asked through the folder that wraps it. */
static size_t collect_libraries(struct cu_library *v, size_t max)
{
	size_t n = 0;

	n += cu_core_libraries(v + n, max - n);
	n += cu_parsers_libraries(v + n, max - n);
	n += cu_report_libraries(v + n, max - n);
	n += cu_extract_ios_libraries(v + n, max - n);
	n += cu_extract_android_libraries(v + n, max - n);
	return n;
}

/* The libraries in the order of names given (the orders --version and
 * tool.libraries have always printed), then any others as collected. */
static size_t libraries_in_order(const char *const *order, size_t norder, struct cu_library *out,
				 size_t max)
{
	struct cu_library all[CU_CLI_LIBRARIES_MAX];
	bool taken[CU_CLI_LIBRARIES_MAX] = {false};
	size_t n = collect_libraries(all, CU_CLI_LIBRARIES_MAX), k = 0;

	for (size_t o = 0; o < norder; o++)
		for (size_t i = 0; i < n; i++)
			if (!taken[i] && strcmp(all[i].name, order[o]) == 0) {
				taken[i] = true;
				if (k < max)
					out[k++] = all[i];
			}
	for (size_t i = 0; i < n; i++)
		if (!taken[i] && k < max)
			out[k++] = all[i];
	return k;
}

void cu_cli_print_version(void)
{
	static const char *const order[] = {"OpenSSL",  "SQLite",     "libzip", "libimobiledevice",
					    "libplist", "libusbmuxd", "libusb", "jansson"};
	struct cu_library v[CU_CLI_LIBRARIES_MAX];
	size_t n =
	    libraries_in_order(order, sizeof(order) / sizeof(order[0]), v, CU_CLI_LIBRARIES_MAX);

	printf("%s\n", cu_version());
	printf("build %s\n", CUSTOS_BUILD_COMMIT);
	for (size_t i = 0; i < n; i++)
		printf("%s %s%s\n", v[i].name, v[i].version,
		       v[i].built_against ? " (built against)" : "");
#ifdef CUSTOS_TEST_HOOKS
	/* Only test builds say so: the crash tests ask for it. */
	printf("test hooks: built in\n");
#endif
}

void cu_cli_case_libraries(struct cu_case_init_opts *o, struct cu_library v[CU_CLI_LIBRARIES_MAX])
{
	static const char *const order[] = {"OpenSSL",          "SQLite",   "jansson",    "libzip",
					    "libimobiledevice", "libplist", "libusbmuxd", "libusb"};

	o->libraries = v;
	o->n_libraries =
	    libraries_in_order(order, sizeof(order) / sizeof(order[0]), v, CU_CLI_LIBRARIES_MAX);
}

/* ------------------------------------------------------------------ */
/* Exact options                                                       */
/* ------------------------------------------------------------------ */

/* The long option spelled exactly name[0..n), or NULL. */
static const struct option *long_exact(const struct option *longopts, const char *name, size_t n)
{
	for (const struct option *o = longopts; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

/* One long option that starts with name[0..n) (for the hint), or NULL. */
static const struct option *long_prefixed(const struct option *longopts, const char *name, size_t n)
{
	for (const struct option *o = longopts; o != NULL && o->name != NULL; o++)
		if (n > 0 && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

/*
 * Checks argv the way getopt_long will read it, before it does: every long
 * option spelled in full (getopt_long would take a unique prefix, so
 * "--password X" became "--password-file X"), every short option known,
 * every value where one is needed. Messages name the option only, never a
 * value ("--password=X" shows "--password"). Returns false after printing
 * the reason.
 */
static bool check_options(int argc, char **argv, const char *shortopts,
			  const struct option *longopts)
{
	bool in_order = shortopts[0] == '+' || getenv("POSIXLY_CORRECT") != NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			if (in_order)
				break;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name);
			const struct option *o = long_exact(longopts, name, n);
			if (o == NULL) {
				const struct option *near = long_prefixed(longopts, name, n);
				/* A name is shown only when it looks like one (no
				 * terminal controls, nothing a password would hold). */
				bool shown = n > 0 && n <= 40;
				for (size_t k = 0; shown && k < n; k++)
					shown = (name[k] >= 'a' && name[k] <= 'z') ||
						(name[k] >= '0' && name[k] <= '9') ||
						name[k] == '-';
				fprintf(stderr, "custos: unknown option --%.*s%s%s%s%s\n",
					shown ? (int)n : 0, name, shown ? "" : "... (not shown)",
					near != NULL ? " (options are never abbreviated): did you "
						       "mean --"
						     : "",
					near != NULL ? near->name : "", near != NULL ? "?" : "");
				return false;
			}
			if (o->has_arg == no_argument && eq != NULL) {
				fprintf(stderr, "custos: option --%s takes no value\n", o->name);
				return false;
			}
			if (o->has_arg == required_argument && eq == NULL) {
				if (i + 1 >= argc) {
					fprintf(stderr, "custos: option --%s needs a value\n",
						o->name);
					return false;
				}
				i++;
			}
			continue;
		}
		for (const char *c = a + 1; *c != '\0'; c++) {
			const char *s = *c == ':' || *c == '+' ? NULL : strchr(shortopts, *c);
			if (s == NULL) {
				if ((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f)
					fprintf(stderr, "custos: unknown option -%c\n", *c);
				else
					fprintf(stderr, "custos: unknown option in '-...'\n");
				return false;
			}
			if (s[1] != ':')
				continue;
			if (c[1] == '\0' && s[2] != ':') {
				if (i + 1 >= argc) {
					fprintf(stderr, "custos: option -%c needs a value\n", *c);
					return false;
				}
				i++;
			}
			break; /* the rest of the element is the value */
		}
	}
	return true;
}

int cu_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return cu_cli_getopt_long(argc, argv, shortopts, longopts, NULL);
}

int cu_cli_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts,
		       int *longindex)
{
	/* Our messages only: getopt's would echo "--password=X" whole. */
	opterr = 0;
	if (optind <= 1 && !check_options(argc, argv, shortopts, longopts))
		return '?';
	int c = (getopt_long)(argc, argv, shortopts, longopts, longindex);
	if (c == '?' || c == ':')
		fprintf(stderr, "custos: %s: invalid option\n", argv[0]);
	return c == ':' ? '?' : c;
}

/* ------------------------------------------------------------------ */
/* --json errors                                                       */
/* ------------------------------------------------------------------ */

/*
 * Under --json every failing command prints one JSON error object on
 * stdout (docs/cli.md): {"error":{"code":C,"exit":N,"message":M}}. The
 * verbs keep printing their human messages to stderr as before; stderr is
 * read on its way out (the last "custos..." line that is not a warning,
 * with its indented continuation lines) unless cu_cli_fail() recorded the
 * error itself. stdout is held back (up to JSON_OUT_HOLD bytes) until the
 * exit code is known: a command that printed one JSON document and failed
 * (a partial import, exit 5) gets the object as that document's "error"
 * member; a stream of JSON lines gets it as its last line.
 */
#define JSON_ERR_MAX  4096
#define JSON_OUT_HOLD ((size_t)1 << 20)

static struct {
	bool on;
	FILE *real_out, *real_err;
	char *out; /* stdout held back, or NULL once spilled */
	size_t out_len;
	bool spilled;     /* stdout passed through (held output too big) */
	bool member_done; /* the command wrote the error member itself */
	char line[JSON_ERR_MAX];
	size_t line_len;
	bool line_cut;
	char msg[JSON_ERR_MAX];
	size_t msg_len;
	bool in_msg;
	char failed[JSON_ERR_MAX]; /* from cu_cli_fail() */
	char first[JSON_ERR_MAX];  /* the first line, when no "custos" line came */
} jerr;

static void msg_append(const char *s, size_t n)
{
	if (n > sizeof(jerr.msg) - 1 - jerr.msg_len)
		n = sizeof(jerr.msg) - 1 - jerr.msg_len;
	memcpy(jerr.msg + jerr.msg_len, s, n);
	jerr.msg_len += n;
	jerr.msg[jerr.msg_len] = '\0';
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && memcmp(s, prefix, p) == 0;
}

static void stderr_line(const char *s, size_t n)
{
	if (jerr.first[0] == '\0' && n > 0)
		snprintf(jerr.first, sizeof(jerr.first), "%.*s", (int)n, s);
	if (starts(s, n, "custos") && !starts(s, n, "custos: warning: ") &&
	    !starts(s, n, "custos: debug: ")) {
		size_t skip = starts(s, n, "custos: ") ? 8 : starts(s, n, "custos ") ? 7 : 0;
		jerr.msg_len = 0;
		jerr.msg[0] = '\0';
		msg_append(s + skip, n - skip);
		jerr.in_msg = true;
	} else if (jerr.in_msg && n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		msg_append("\n", 1);
		msg_append(s, n);
	} else {
		jerr.in_msg = false;
	}
}

static ssize_t tee_err_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	if (fwrite(buf, 1, n, jerr.real_err) != n)
		return -1;
	fflush(jerr.real_err);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			stderr_line(jerr.line, jerr.line_len);
			jerr.line_len = 0;
			continue;
		}
		if (jerr.line_len < sizeof(jerr.line))
			jerr.line[jerr.line_len++] = buf[i];
	}
	return (ssize_t)n;
}

static ssize_t count_out_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	if (!jerr.spilled) {
		if (jerr.out == NULL)
			jerr.out = malloc(JSON_OUT_HOLD);
		if (jerr.out != NULL && n <= JSON_OUT_HOLD - jerr.out_len) {
			memcpy(jerr.out + jerr.out_len, buf, n);
			jerr.out_len += n;
			return (ssize_t)n;
		}
		/* Too much to hold: pass everything through from here on. */
		if (jerr.out_len > 0 &&
		    fwrite(jerr.out, 1, jerr.out_len, jerr.real_out) != jerr.out_len)
			return -1;
		free(jerr.out);
		jerr.out = NULL;
		jerr.out_len = 0; /* nothing held any more (the end writes none) */
		jerr.spilled = true;
	}
	return fwrite(buf, 1, n, jerr.real_out) == n ? (ssize_t)n : -1;
}

void cu_cli_json_errors_begin(int argc, char **argv)
{
	static const cookie_io_functions_t err_io = {.write = tee_err_write};
	static const cookie_io_functions_t out_io = {.write = count_out_write};
	FILE *e, *o;

	/* --json anywhere (global or the verb's own), so that errors found
	 * before it is parsed are JSON too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			jerr.on = true;
	if (!jerr.on)
		return;
	if ((e = fopencookie(NULL, "w", err_io)) == NULL)
		return;
	if ((o = fopencookie(NULL, "w", out_io)) == NULL) {
		fclose(e);
		return;
	}
	setvbuf(e, NULL, _IONBF, 0);
	jerr.real_err = stderr;
	jerr.real_out = stdout;
	stderr = e;
	stdout = o;
}

static void record_failure(const char *msg)
{
	if (!jerr.on)
		return;
	snprintf(jerr.failed, sizeof(jerr.failed), "%s", msg);
}

static const char *exit_code_name(int rc)
{
	switch (rc) {
	case 1: return "integrity";
	case 2: return "usage";
	case 3: return "input";
	case 4: return "device";
	case 5: return "partial";
	default: return "error";
	}
}

void cu_cli_json_error_member(struct cu_json *j, int rc, const char *message)
{
	jerr.member_done = true;
	cu_json_key(j, "error");
	cu_json_obj_begin(j);
	cu_json_kv_str(j, "code", exit_code_name(rc));
	cu_json_kv_int(j, "exit", rc);
	cu_json_kv_str(j, "message", message);
	cu_json_obj_end(j);
}

/* The held stdout is one JSON object (nothing after it but white space)
 * without an "error" member: where its closing brace is, or NULL. */
static const char *one_object_end(const char *out, size_t n)
{
	json_error_t je;
	json_t *doc;
	const char *end = out + n;

	if (n == 0 || (doc = json_loadb(out, n, 0, &je)) == NULL)
		return NULL;
	bool fits = json_is_object(doc) && json_object_get(doc, "error") == NULL;
	json_decref(doc);
	if (!fits)
		return NULL;
	while (end > out &&
	       (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	return end > out && end[-1] == '}' ? end - 1 : NULL;
}

int cu_cli_json_errors_end(int rc)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;
	char fallback[64];
	const char *msg, *brace = NULL;

	if (!jerr.on)
		return rc;
	fflush(stdout);
	if (jerr.line_len > 0) { /* a last line without '\n' */
		stderr_line(jerr.line, jerr.line_len);
		jerr.line_len = 0;
	}
	if (rc != 0 && !jerr.member_done) {
		snprintf(fallback, sizeof(fallback), "failed with exit code %d", rc);
		msg = jerr.failed[0]     ? jerr.failed
		      : jerr.msg_len > 0 ? jerr.msg
		      : jerr.first[0]    ? jerr.first
					 : fallback;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_cli_json_error_member(&j, rc, msg);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &e) != CU_OK) {
			cu_buf_release(&b);
			cu_buf_init(&b, 0);
			if (cu_buf_printf(
				&b, &e,
				"{\"error\":{\"code\":\"%s\",\"exit\":%d,\"message\":\"%s\"}}",
				exit_code_name(rc), rc, fallback) != CU_OK)
				b.len = 0;
		}
		if (!jerr.spilled && jerr.out != NULL)
			brace = one_object_end(jerr.out, jerr.out_len);
		if (brace != NULL && b.len > 2) {
			/* {"a":1} + {"error":{...}} -> {"a":1,"error":{...}} */
			size_t keep = (size_t)(brace - jerr.out);
			const char *p = brace;
			while (p > jerr.out && (p[-1] == ' ' || p[-1] == '\n'))
				p--;
			fwrite(jerr.out, 1, keep, jerr.real_out);
			if (p > jerr.out && p[-1] != '{')
				fputc(',', jerr.real_out);
			fprintf(jerr.real_out, "%s\n", b.data + 1);
		} else {
			if (jerr.out_len > 0) /* JSON lines: the error is the last one */
				fwrite(jerr.out, 1, jerr.out_len, jerr.real_out);
			if (jerr.out_len > 0 && jerr.out[jerr.out_len - 1] != '\n')
				fputc('\n', jerr.real_out);
			if (b.len > 0)
				fprintf(jerr.real_out, "%s\n", b.data);
		}
		cu_buf_release(&b);
	} else if (jerr.out_len > 0) {
		fwrite(jerr.out, 1, jerr.out_len, jerr.real_out);
	}
	free(jerr.out);
	jerr.out = NULL;
	jerr.out_len = 0;
	fflush(jerr.real_out);
	fflush(jerr.real_err);
	return rc;
}

int cu_cli_json_print(const struct cu_cli *cli, struct cu_json *j, struct cu_buf *b)
{
	struct cu_error err;
	int rc = 0;

	cu_error_clear(&err);
	if (cu_json_finish(j, &err) != CU_OK)
		rc = cu_cli_fail(cli, &err);
	else
		printf("%s\n", b->data);
	cu_buf_release(b);
	return rc;
}
