/*
 * cmd_verify.c - `custos verify` (CLI.md, PACKAGE.md): checks a package or a
 * case directory, names every failure, exits 0 / 1 (mismatch) / 3 (input).
 * --prove PATH prints an inclusion proof; --proof FILE checks one.
 */
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report.h"

static void print_report(const struct cu_cli *cli, const struct cu_verify_report *r)
{
	if (cli->json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		struct cu_error err;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_bool(&j, "ok", r->ok);
		cu_json_kv_str(&j, "seal_hash", r->seal_hash[0] ? r->seal_hash : NULL);
		cu_json_kv_str(&j, "content_root", r->content_root[0] ? r->content_root : NULL);
		cu_json_key(&j, "checks");
		cu_json_arr_begin(&j);
		for (size_t i = 0; i < r->n; i++) {
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "name", r->checks[i].name);
			cu_json_kv_bool(&j, "ok", r->checks[i].ok);
			cu_json_kv_bool(&j, "warning", r->checks[i].warning);
			cu_json_kv_str(&j, "detail", r->checks[i].detail);
			cu_json_obj_end(&j);
		}
		cu_json_arr_end(&j);
		if (!r->ok) {
			/* The first failing check, as the uniform --json error. */
			const char *what = "verification failed";
			char msg[CU_ERROR_MSG_MAX];
			for (size_t i = 0; i < r->n; i++)
				if (!r->checks[i].ok) {
					snprintf(msg, sizeof(msg), "%s: %s", r->checks[i].name,
						 r->checks[i].detail);
					what = msg;
					break;
				}
			cu_cli_json_error_member(&j, cu_verify_report_exit(r), what);
		}
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &err) == CU_OK)
			printf("%s\n", b.data);
		cu_buf_release(&b);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct cu_verify_check *c = &r->checks[i];
		if (cli->quiet && c->ok && !c->warning)
			continue;
		printf("%-4s %s: %s\n",
		       !c->ok       ? "FAIL"
		       : c->warning ? "warn"
				    : "ok",
		       c->name, c->detail);
	}
	if (r->seal_hash[0])
		printf("seal hash: %s\n", r->seal_hash);
	printf("%s\n", r->ok         ? "RESULT: all checks passed"
		       : r->failures ? "RESULT: verification FAILED"
				     : "RESULT: could not verify (input unreadable)");
}

int cu_cmd_verify(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", required_argument, NULL, 'k'},
	    {"expect-sha256", required_argument, NULL, 'e'},
	    {"tsr", required_argument, NULL, 't'},
	    {"tsa-ca", required_argument, NULL, 'c'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"prove", required_argument, NULL, 'P'},
	    {"proof", required_argument, NULL, 'F'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_verify_opts vo;
	struct cu_verify_report rep;
	struct cu_error err;
	struct cu_buf secret = CU_BUF_INIT;
	const char *password_file = NULL, *prove = NULL, *proof = NULL, *target;
	struct stat sb;
	int opt, rc;

	memset(&vo, 0, sizeof(vo));
	cu_error_clear(&err);
	cu_verify_report_init(&rep);
	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((opt = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (opt) {
		case 'k': vo.pubkey = optarg; break;
		case 'e': vo.expect_sha256 = optarg; break;
		case 't': vo.tsr = optarg; break;
		case 'c': vo.tsa_ca = optarg; break;
		case 'p': password_file = optarg; break;
		case 'P': prove = optarg; break;
		case 'F': proof = optarg; break;
		case 'j': cli->json = true; break;
		default: return cu_cli_usage("verify", true);
		}
	}
	if (optind + 1 != argc || (prove != NULL && proof != NULL))
		return cu_cli_usage("verify", true);
	target = argv[optind];
	if (vo.expect_sha256 != NULL && strlen(vo.expect_sha256) != 64) {
		fprintf(stderr, "custos: verify: --expect-sha256 takes 64 hex digits\n");
		return 2;
	}
	/* The package password only when one is offered: a prompt would
	 * block scripts verifying unencrypted packages. */
	if (password_file != NULL || getenv("CUSTOS_PACKAGE_PASSWORD") != NULL) {
		if (cu_cli_read_secret(password_file, "CUSTOS_PACKAGE_PASSWORD", "", &secret,
				       &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		vo.password = secret.data;
	}

	if (prove != NULL || proof != NULL) {
		if (prove != NULL) {
			struct cu_buf b = CU_BUF_INIT;
			if (cu_verify_prove(target, prove, vo.password, &b, &err) != CU_OK) {
				cu_buf_release(&b);
				rc = cu_cli_fail(cli, &err);
				goto out;
			}
			fputs(b.data, stdout);
			cu_buf_release(&b);
			rc = 0;
			goto out;
		}
		if (cu_verify_proof(target, proof, vo.password, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		if (cli->json)
			printf("{\"ok\":true}\n");
		else
			printf("ok   proof: '%s' reproduces the content_root of '%s'\n", proof,
			       target);
		rc = 0;
		goto out;
	}

	if (stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (cu_verify_case_dir(target, &vo, &rep, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
	} else if (cu_verify_package(target, &vo, &rep, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	print_report(cli, &rep);
	rc = cu_verify_report_exit(&rep);
out:
	cu_verify_report_release(&rep);
	cu_cli_secret_release(&secret);
	return rc;
}
