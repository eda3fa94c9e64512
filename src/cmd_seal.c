/*
 * cmd_seal.c - `custos seal` (CLI.md, PACKAGE.md): seals the case into a
 * deterministic evidence package and prints the seal hash last.
 */
#include "extract/extract.h"
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static void print_grouped(const char *hex)
{
	/* 16 groups of 4 hex digits, as on the paper forms. */
	for (int i = 0; i < 64; i += 4)
		printf("%.4s%s", hex + i, i < 60 ? " " : "\n");
}

int cu_cmd_seal(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"sign", required_argument, NULL, 's'},
	    {"encrypt", no_argument, NULL, 'e'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"hash", required_argument, NULL, 'H'},
	    {"allow-incomplete", no_argument, NULL, 'a'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_seal_opts so;
	struct cu_seal_result res;
	struct cu_error err;
	struct cu_case *c = NULL;
	struct cu_buf secret = CU_BUF_INIT;
	const char *password_file = NULL;
	bool encrypt = false;
	int opt, rc;

	memset(&so, 0, sizeof(so));
	so.hash_algs = CU_HASH_DEFAULT;
	cu_error_clear(&err);
	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((opt = cu_cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (opt) {
		case 'o': so.output = optarg; break;
		case 's': so.sign_key = optarg; break;
		case 'e': encrypt = true; break;
		case 'p': password_file = optarg; break;
		case 'a': so.allow_incomplete = true; break;
		case 'j': cli->json = true; break;
		case 'H':
			if (strcmp(optarg, "sm3") == 0)
				so.hash_algs |= CU_HASH_SM3;
			else if (strcmp(optarg, "sha256") != 0 && strcmp(optarg, "md5") != 0) {
				fprintf(stderr, "custos: seal: --hash takes sm3\n");
				return cu_cli_usage("seal", true);
			}
			break;
		default: return cu_cli_usage("seal", true);
		}
	}
	if (optind != argc)
		return cu_cli_usage("seal", true);
	/* The case key given before the command signs the manifest too. */
	if (so.sign_key == NULL)
		so.sign_key = cli->sign_key;
	if (password_file != NULL && !encrypt) {
		fprintf(stderr, "custos: seal: --password-file needs --encrypt\n");
		return 2;
	}
	if (encrypt) {
		if (cu_cli_read_secret(password_file, "CUSTOS_PACKAGE_PASSWORD",
				       "package password: ", &secret, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		/* A mistyped password would lock the package for good: ask twice
		 * when it came from the prompt. */
		if (password_file == NULL && getenv("CUSTOS_PACKAGE_PASSWORD") == NULL) {
			struct cu_buf again = CU_BUF_INIT;
			enum cu_status st2 = cu_cli_read_secret(
			    NULL, NULL, "repeat package password: ", &again, &err);
			bool same =
			    st2 == CU_OK && again.len == secret.len &&
			    (secret.len == 0 || memcmp(again.data, secret.data, secret.len) == 0);
			cu_cli_secret_release(&again);
			if (st2 != CU_OK) {
				rc = cu_cli_fail(cli, &err);
				goto out;
			}
			if (!same) {
				fprintf(stderr, "custos: seal: the two passwords differ\n");
				rc = 2;
				goto out;
			}
		}
		if (secret.len == 0) {
			fprintf(stderr, "custos: seal: the package password is empty\n");
			rc = 2;
			goto out;
		}
		so.password = secret.data;
	}
	if (cu_case_open(cli->case_dir, &c, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (cu_import_require_evidence(c, &err) != CU_OK ||
	    cu_seal_case(c, &so, &res, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (so.allow_incomplete && res.unfinished > 0)
		cu_warn("seal: %u unfinished acquisitions sealed (recorded in the SEAL entry; "
			"custos verify of the package fails on them)",
			res.unfinished);
	if (so.allow_incomplete && res.missing > 0)
		cu_warn("seal: %u mandatory manifest fields missing (recorded in the SEAL entry)",
			res.missing);
	if (cli->json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "package", res.package);
		cu_json_kv_str(&j, "sha256", res.outer_sha256);
		cu_json_kv_str(&j, "content_root", res.content_root);
		cu_json_kv_str(&j, "custody_head", res.custody_head);
		cu_json_kv_int(&j, "custody_size", (int64_t)res.custody_size);
		cu_json_kv_int(&j, "files", (int64_t)res.files);
		cu_json_kv_int(&j, "bytes", (int64_t)res.bytes);
		cu_json_kv_int(&j, "missing_fields", (int64_t)res.missing);
		cu_json_kv_int(&j, "unfinished_acquisitions", (int64_t)res.unfinished);
		cu_json_kv_str(&j, "seal_hash", res.seal_hash);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &err) == CU_OK)
			printf("%s\n", b.data);
		cu_buf_release(&b);
	} else {
		printf("package: %s\n", res.package);
		printf("package sha256: %s\n", res.outer_sha256);
		printf("files: %llu (%llu bytes), content root %s\n", (unsigned long long)res.files,
		       (unsigned long long)res.bytes, res.content_root);
		printf("custody: %llu entries, head %s\n", (unsigned long long)res.custody_size,
		       res.custody_head);
		printf("seal hash: ");
		print_grouped(res.seal_hash);
		printf("%s\n", res.seal_hash);
	}
	rc = 0;
out:
	cu_cli_secret_release(&secret);
	cu_case_close(c);
	return rc;
}
