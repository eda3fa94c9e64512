/*
 * cli.h - shared state and helpers of the custos command line.
 * Each verb lives in src/cmd_<verb>.c and calls into core/, extract/,
 * parsers/ and report/; the CLI itself stays thin.
 */
#ifndef CUSTOS_CLI_H
#define CUSTOS_CLI_H

#include <getopt.h>

#include "core/core.h"

struct cu_cli {
	const char *case_dir; /* --case DIR, default "." */
	bool quiet, verbose, json;
	/* The case signing key's file (--sign-key, CUSTOS_SIGN_KEY or the
	 * verb's --sign), loaded as the custody default signer; or NULL. */
	const char *sign_key;
};

/* A verb: name, one-line summary, usage text for --help, and the handler,
 * which gets argv starting at the verb and returns the process exit code. */
struct cu_verb {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(struct cu_cli *cli, int argc, char **argv);
};

extern const struct cu_verb cu_verbs[];
const struct cu_verb *cu_cli_verb(const char *name);

/* Prints "custos: <message>" (and a hint) to stderr and returns the exit
 * code for err->code per CLI.md. */
int cu_cli_fail(const struct cu_cli *cli, const struct cu_error *err);
/* Prints the verb's usage to stdout (help) or stderr (usage error) and
 * returns 0 or 2. */
int cu_cli_usage(const char *verb, bool error);
/* True when argv holds -h/--help (checked by every verb first). */
bool cu_cli_wants_help(int argc, char **argv);
/* For verbs not built yet: message and exit 2. */
int cu_cli_not_implemented(const char *verb);

/*
 * getopt_long for every verb and the global options, with options matched
 * exactly: getopt_long alone takes any unique prefix, so "--password X"
 * would be read as "--password-file X". Before the first option of an argv
 * is returned, all of argv is checked; an abbreviated or unknown option, a
 * missing value or a value given to a flag prints "custos: ..." naming the
 * option only (never its value) and returns '?' (the verb then exits 2).
 */
int cu_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
int cu_cli_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts,
		       int *longindex);
/* Option parsing written later that calls getopt_long directly (a new verb
 * or subcommand) gets the same exact matching: every file of the CLI
 * includes this header. <getopt.h> comes first so its declaration is not
 * rewritten; src/cli.c calls the real one as (getopt_long)(...). */
#define getopt_long(argc, argv, shortopts, longopts, longindex)                                    \
	cu_cli_getopt_long(argc, argv, shortopts, longopts, longindex)

/*
 * --json errors (docs/cli.md): begin() before anything else looks at argv
 * (it reads "--json" anywhere before "--"); end() takes the exit code about
 * to be returned and, under --json, prints the one-line error object
 * {"error":{"code":...,"exit":N,"message":...}} on stdout when the command
 * failed without printing a JSON document of its own. Returns rc.
 */
void cu_cli_json_errors_begin(int argc, char **argv);
/* The same error object as a member of a command's own --json document
 * (verify, custody verify): writes "error": {"code","exit","message"}. */
struct cu_json;
void cu_cli_json_error_member(struct cu_json *j, int rc, const char *message);
int cu_cli_json_errors_end(int rc);
/* Finishes a command's --json document j (written into b), prints it on
 * stdout with a newline and releases b; returns 0, or the exit code of the
 * failure (printed like cu_cli_fail). */
int cu_cli_json_print(const struct cu_cli *cli, struct cu_json *j, struct cu_buf *b);

/*
 * Reads a secret: from the file named (first line, no newline), else from
 * the environment variable env_name, else from a no-echo prompt on the
 * terminal. Never from argv. out is wiped by the caller with
 * cu_cli_secret_release().
 */
CU_WARN_UNUSED enum cu_status cu_cli_read_secret(const char *file, const char *env_name,
						 const char *prompt, struct cu_buf *out,
						 struct cu_error *err);
void cu_cli_secret_release(struct cu_buf *secret);
/* The longest secret read (bytes). */
#define CU_CLI_SECRET_MAX 4096

/* `custos --version`: the build, then every linked library with its
 * version, each asked through the folder that wraps it (cu_<folder>_
 * libraries), and "test hooks: built in" in --enable-test-hooks builds. */
void cu_cli_print_version(void);
/* The same libraries for the manifest's tool.libraries: fills v and points
 * o->libraries at it (v must outlive cu_case_init). */
#define CU_CLI_LIBRARIES_MAX 16
void cu_cli_case_libraries(struct cu_case_init_opts *o, struct cu_library v[CU_CLI_LIBRARIES_MAX]);

/* The verbs. */
int cu_cmd_devices(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_case(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_acquire(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_import(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_parse(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_analyze(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_recover(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_report(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_export(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_custody(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_seal(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_verify(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_run(struct cu_cli *cli, int argc, char **argv);
int cu_cmd_keygen(struct cu_cli *cli, int argc, char **argv);

#endif
