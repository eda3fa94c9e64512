/*
 * cli.c - helpers shared by the verbs: usage, failures, secrets.
 */
#include "config.h"
#include "src/cli.h"

#include <errno.h>
#include <fcntl.h>
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

int cu_cli_fail(const struct cu_cli *cli, const struct cu_error *err)
{
	(void)cli;
	fprintf(stderr, "custos: %s\n", err->msg[0] ? err->msg : cu_strerror(err->code));
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

	cu_buf_reset(out);
	if (file != NULL) {
		if ((st = cu_file_read_first_line(file, 4096, out, err)) != CU_OK)
			return cu_error_prefix(err, "password file");
		return CU_OK;
	}
	if (env_name != NULL && (env = getenv(env_name)) != NULL)
		return cu_buf_puts(out, env, err);

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
	if (secret->data != NULL)
		explicit_bzero(secret->data, secret->cap);
	cu_buf_release(secret);
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
