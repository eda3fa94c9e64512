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

#include <libusb.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <zip.h>

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
		OPENSSL_cleanse(secret->data, secret->cap);
	cu_buf_release(secret);
}

static void libusb_version(char *buf, size_t n)
{
	const struct libusb_version *uv = libusb_get_version();

	snprintf(buf, n, "%u.%u.%u", uv->major, uv->minor, uv->micro);
}

void cu_cli_print_version(void)
{
	char usb[48];

	libusb_version(usb, sizeof(usb));
	printf("%s\n", cu_version());
	printf("build %s\n", CUSTOS_BUILD_COMMIT);
	printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_FULL_VERSION_STRING));
	printf("SQLite %s\n", sqlite3_libversion());
	printf("libzip %s\n", zip_libzip_version());
	printf("libimobiledevice %s (built against)\n", CUSTOS_IMOBILEDEVICE_VERSION);
	printf("libplist %s (built against)\n", CUSTOS_PLIST_VERSION);
	printf("libusbmuxd %s (built against)\n", CUSTOS_USBMUXD_VERSION);
	printf("libusb %s\n", usb);
	printf("jansson %s\n", jansson_version_str());
#ifdef CUSTOS_TEST_HOOKS
	/* Only test builds say so: the crash tests ask for it. */
	printf("test hooks: built in\n");
#endif
}

void cu_cli_case_libraries(struct cu_case_init_opts *o, json_t **libs)
{
	char usb[48];

	libusb_version(usb, sizeof(usb));
	o->libzip_version = zip_libzip_version();
	*libs = json_pack("{s:s}", "libusb", usb);
	o->libraries = *libs;
}
