/*
 * cmd_import.c - `custos import` (CLI.md): ingest a phone image made
 * elsewhere into the case. The work is in extract/import/; this file only
 * parses options and reads the password (never from argv: --password-file,
 * CUSTOS_PASSWORD or a no-echo prompt, and only when the image turns out to
 * be encrypted).
 */
#include "extract/extract.h"
#include "src/cli.h"

#include <getopt.h>
#include <string.h>

struct secret_src {
	const char *file;
	const char *path; /* the image, named in the prompt */
};

static enum cu_status ask_password(void *ctx, struct cu_buf *out, struct cu_error *err)
{
	const struct secret_src *s = ctx;
	char prompt[512];
	snprintf(prompt, sizeof(prompt), "password for '%s': ", s->path);
	return cu_cli_read_secret(s->file, "CUSTOS_PASSWORD", prompt, out, err);
}

int cu_cmd_import(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"item", required_argument, NULL, 'i'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"resume", no_argument, NULL, 'r'},
	    {"hash", required_argument, NULL, 'H'},
	    {"derived-key-file", required_argument, NULL, 'k'},
	    {"save-derived-key", required_argument, NULL, 's'},
	    {"mount-point", required_argument, NULL, 'm'},
	    {"new-item", no_argument, NULL, 'n'},
	    {"again", no_argument, NULL, 'a'},
	    {"reason", required_argument, NULL, 'R'},
	    {"max-expansion", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_import_opts o;
	struct cu_import_stats stats;
	struct secret_src sec = {NULL, NULL};
	struct cu_case *c = NULL;
	struct cu_error err;
	enum cu_status st;
	int ch, rc;

	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	cu_error_clear(&err);
	o.hash_algs = CU_HASH_DEFAULT;
	/* 0 makes glibc re-initialise getopt: main() parsed the global
	 * options in "+" (stop at the verb) mode, and options may follow PATH. */
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'f':
			if (!cu_import_format_parse(optarg, &o.format)) {
				fprintf(stderr, "custos import: unknown format '%s'\n", optarg);
				return cu_cli_usage("import", true);
			}
			break;
		case 'i': o.item = optarg; break;
		case 'p': sec.file = optarg; break;
		case 'r': o.resume = true; break;
		case 'H':
			if (strcmp(optarg, "sm3") != 0) {
				fprintf(stderr,
					"custos import: --hash takes 'sm3' (SHA-256 and MD5 "
					"are always computed)\n");
				return 2;
			}
			o.hash_algs |= CU_HASH_SM3;
			break;
		case 'k': o.derived_key_file = optarg; break;
		case 's': o.save_derived_key_file = optarg; break;
		case 'm': o.mount_point = optarg; break;
		case 'n': o.new_item = true; break;
		case 'a': o.again = true; break;
		case 'R': o.reason = optarg; break;
		case 'x':
			if (!cu_parse_u64(optarg, &o.max_expansion) || o.max_expansion == 0) {
				fprintf(stderr,
					"custos import: --max-expansion takes a whole number "
					"of times the archive's size (e.g. 100), not '%s'\n",
					optarg);
				return 2;
			}
			break;
		default: return cu_cli_usage("import", true);
		}
	}
	if (optind + 1 != argc)
		return cu_cli_usage("import", true);
	sec.path = argv[optind];
	o.password_cb = ask_password;
	o.password_ctx = &sec;

	if ((st = cu_case_open(cli->case_dir, &c, &err)) != CU_OK)
		return cu_cli_fail(cli, &err);
	st = cu_import_run(c, argv[optind], &o, &stats, &err);
	if (st == CU_OK || st == CU_E_PARTIAL) {
		if (cli->json) {
			printf("{\"item\":\"%s\",\"files\":%llu,\"bytes\":%llu,\"derived\":%llu,"
			       "\"warnings\":%llu,\"failures\":%llu,\"rechecked\":%llu,"
			       "\"mismatches\":%llu,\"status\":\"%s\"}\n",
			       stats.item, (unsigned long long)stats.files,
			       (unsigned long long)stats.bytes, (unsigned long long)stats.derived,
			       (unsigned long long)stats.warnings,
			       (unsigned long long)stats.failures,
			       (unsigned long long)stats.rechecked,
			       (unsigned long long)stats.mismatches,
			       st == CU_OK ? "complete" : "partial");
		} else if (!cli->quiet) {
			printf("imported %llu file(s), %llu bytes into item %s",
			       (unsigned long long)stats.files, (unsigned long long)stats.bytes,
			       stats.item);
			if (stats.derived)
				printf(", %llu decrypted", (unsigned long long)stats.derived);
			if (stats.rechecked)
				printf(", %llu re-checked", (unsigned long long)stats.rechecked);
			if (stats.mismatches)
				printf(", %llu MISMATCH with the seizure record",
				       (unsigned long long)stats.mismatches);
			printf(" (%llu warning(s))\n", (unsigned long long)stats.warnings);
		}
	}
	rc = st == CU_OK ? 0 : cu_cli_fail(cli, &err);
	cu_case_close(c);
	return rc;
}
