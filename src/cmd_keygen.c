/*
 * cmd_keygen.c - `custos keygen -o KEY.pem` (CLI.md): a new Ed25519 examiner
 * key. KEY.pem (PKCS#8, created O_EXCL with mode 0600, so it is never
 * readable by others, not even for a moment) and KEY.pub.pem (SPKI) beside
 * it; prints the key id ("sha256:" + hex SHA-256 of the raw public key).
 * Existing files are never overwritten.
 */
#include "src/cli.h"

#include <getopt.h>
#include <string.h>

static const char keygen_usage[] = "usage: custos keygen -o KEY.pem\n";

int cu_cmd_keygen(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_signer *s = NULL;
	struct cu_buf pub = CU_BUF_INIT;
	struct cu_error err;
	const char *out = NULL;
	bool json = cli->json;
	int ch, rc = 2;

	cu_error_clear(&err);
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		default: fputs(keygen_usage, stderr); return 2;
		}
	}
	if (out == NULL || optind != argc) {
		fputs(keygen_usage, stderr);
		return 2;
	}
	/* KEY.pem -> KEY.pub.pem; any other name gets ".pub.pem" appended. */
	if ((cu_str_has_suffix(out, ".pem") ? cu_buf_append(&pub, out, strlen(out) - 4, &err)
					    : cu_buf_puts(&pub, out, &err)) != CU_OK ||
	    cu_buf_puts(&pub, ".pub.pem", &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto done;
	}
	if (cu_file_exists(out) || cu_file_exists(pub.data)) {
		cu_error_set(&err, CU_E_EXISTS,
			     "'%s' or '%s' already exists: keys are never overwritten; choose "
			     "another name",
			     out, pub.data);
		rc = cu_cli_fail(cli, &err);
		goto done;
	}
	if (cu_signer_generate(&s, &err) != CU_OK ||
	    cu_signer_write_pem(s, out, pub.data, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto done;
	}
	if (json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "key_id", cu_signer_key_id(s));
		cu_json_kv_str(&j, "private_key", out);
		cu_json_kv_str(&j, "public_key", pub.data);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &err) == CU_OK)
			printf("%s\n", b.data);
		cu_buf_release(&b);
	} else {
		printf("%s\n", cu_signer_key_id(s));
		if (!cli->quiet)
			fprintf(stderr,
				"custos: private key %s (mode 0600, keep it secret), public key "
				"%s\n",
				out, pub.data);
	}
	rc = 0;
done:
	cu_signer_free(s);
	cu_buf_release(&pub);
	return rc;
}
