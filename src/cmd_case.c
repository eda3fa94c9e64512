/*
 * cmd_case.c - `custos case init DIR --case-id ID [--manifest FILE]
 * [--examiner NAME]... [--keep-ids]` (CLI.md).
 *
 * Creates the case directory, its manifest and the CASE_INIT custody entry
 * (cu_case_init). Missing mandatory manifest fields are a warning here, at
 * the scene: each is printed by name and recorded in CASE_INIT; the case is
 * created and the exit status is 0. Invalid fields stop it (exit 3).
 */
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char init_usage[] =
    "usage: custos case init DIR --case-id ID [--manifest SEIZURE.json]\n"
    "                        [--examiner NAME]... [--keep-ids] [--sign KEY.pem]\n"
    "                        [--sign-key KEY.pem]\n";

static void print_missing(const struct cu_buf *missing, size_t n)
{
	fprintf(stderr,
		"custos: warning: %zu mandatory manifest field%s missing (needed for the "
		"forms; sealing will refuse unless --allow-incomplete):\n",
		n, n == 1 ? " is" : "s are");
	for (size_t a = 0; missing->data != NULL && a < missing->len;) {
		const char *nl = memchr(missing->data + a, '\n', missing->len - a);
		size_t len = nl ? (size_t)(nl - (missing->data + a)) : missing->len - a;
		fprintf(stderr, "  - %.*s\n", (int)len, missing->data + a);
		a += len + 1;
	}
}

static int case_init(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"case-id", required_argument, NULL, 'i'},  {"manifest", required_argument, NULL, 'm'},
	    {"examiner", required_argument, NULL, 'e'}, {"keep-ids", no_argument, NULL, 'k'},
	    {"sign", required_argument, NULL, 's'},     {"sign-key", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},           {NULL, 0, NULL, 0},
	};
	struct cu_case_init_opts o = {0};
	const char *case_key_path = NULL;
	struct cu_signer *case_key = NULL;
	const char **examiners = NULL;
	size_t n_ex = 0;
	struct cu_buf missing = CU_BUF_INIT;
	struct cu_error err;
	struct cu_case *c = NULL;
	size_t n_missing = 0;
	const char *dir;
	struct cu_library libs[CU_CLI_LIBRARIES_MAX];
	const char *key = NULL;
	struct cu_signer *signer = NULL;
	bool json = cli->json;
	int ch, rc = 2;

	cu_error_clear(&err);
	examiners = calloc((size_t)argc + 1, sizeof(*examiners));
	if (examiners == NULL) {
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'i': o.case_id = optarg; break;
		case 'm': o.manifest_path = optarg; break;
		case 'e': examiners[n_ex++] = optarg; break;
		case 'k': o.keep_ids = true; break;
		case 's': key = optarg; break;
		case 'S': case_key_path = optarg; break;
		case 'j': json = true; break;
		default: fputs(init_usage, stderr); goto out;
		}
	}
	if (optind != argc - 1 || o.case_id == NULL) {
		fprintf(stderr, "custos: case init needs DIR and --case-id\n%s", init_usage);
		goto out;
	}
	dir = argv[optind];
	o.examiners = examiners;
	o.n_examiners = n_ex;
	cu_cli_case_libraries(&o, libs);
	if (n_ex > 0 && cu_case_set_actor(examiners[0], NULL, "examiner", &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}

	if (key != NULL) {
		if (cu_signer_load(key, &signer, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		o.signer = signer;
	}
	/* A signed case: every custody entry from CASE_INIT on is signed by
	 * this key (or CUSTOS_SIGN_KEY / --sign-key before the command). */
	if (case_key_path != NULL) {
		if (cu_signer_load(case_key_path, &case_key, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		o.case_key = case_key;
	}
	if (cu_case_init(dir, &o, &c, &missing, &n_missing, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (n_missing > 0 && !cli->quiet)
		print_missing(&missing, n_missing);
	if (json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "case_dir", c->dir);
		cu_json_kv_str(&j, "case_id", o.case_id);
		cu_json_key(&j, "missing_fields");
		cu_json_arr_begin(&j);
		for (size_t a = 0; missing.data != NULL && a < missing.len;) {
			const char *nl = memchr(missing.data + a, '\n', missing.len - a);
			size_t len = nl ? (size_t)(nl - (missing.data + a)) : missing.len - a;
			cu_json_strn(&j, missing.data + a, len);
			a += len + 1;
		}
		cu_json_arr_end(&j);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &err) != CU_OK) {
			cu_buf_release(&b);
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		printf("%s\n", b.data);
		cu_buf_release(&b);
	} else if (!cli->quiet) {
		printf("case %s created in %s\n", o.case_id, c->dir);
	}
	rc = 0;
out:
	cu_signer_free(signer);
	cu_signer_free(case_key);
	cu_case_close(c);
	cu_buf_release(&missing);
	free(examiners);
	return rc;
}

int cu_cmd_case(struct cu_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(init_usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "init") == 0)
		return case_init(cli, argc - 1, argv + 1);
	fprintf(stderr, "custos: unknown case command '%s'\n%s", argv[1], init_usage);
	return 2;
}
