/*
 * cmd_run.c - `custos run` (CLI.md): the whole job in one command — case
 * init, import (device acquisition is not built yet), parse, report, seal,
 * the seal-hash forms beside the package, and verify — with one progress
 * display and a summary at the end.
 *
 * Everything goes through the library calls the single verbs use, so a run
 * leaves exactly what the verbs would: OUT/<case-id>/ (the case), the
 * package, its .sha256, its living custody log and its .forms/ folder.
 * Exit codes per CLI.md: 5 when some part failed (recorded in the custody
 * log) but a package was still produced and verified.
 */
#include "src/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract/extract.h"
#include "parsers/parsers.h"
#include "report/report.h"

#define STEPS 7

static const char run_usage[] =
    "usage: custos run (PATH | --device ID | --adb-connect HOST:PORT) --case-id ID -o OUT-DIR\n"
    "                  [--manifest SEIZURE.json] [--examiner NAME]... [--item ITEM-ID]\n"
    "                  [--format auto|ios-backup|android-tar|android-zip|android-dir|\n"
    "                   android-ab|dir] [--password-file F] [--sign KEY.pem] [--hash sm3]\n"
    "                  [--report-format html|docx|all] [--tz ZONE] [--allow-incomplete]\n"
    "  Case init (OUT-DIR/<case-id>/), import, parse, report, seal (package in OUT-DIR),\n"
    "  the seal-hash forms beside the package (<package>.forms/), and verify.\n";

struct run {
	const struct cu_cli *cli;
	int step;
	bool show;
};

static void step(struct run *r, const char *what)
{
	r->step++;
	if (r->show) {
		cu_progress_clear_line();
		fprintf(stderr, "custos run: [%d/%d] %s\n", r->step, STEPS, what);
	}
}

static void partial(struct run *r, const char *what, const struct cu_error *err)
{
	(void)r;
	fprintf(stderr, "custos run: %s: %s\n", what, err->msg);
}

struct secret_src {
	const char *file;
	const char *path;
};

static enum cu_status ask_password(void *ctx, struct cu_buf *out, struct cu_error *err)
{
	const struct secret_src *s = ctx;
	char prompt[512];
	snprintf(prompt, sizeof(prompt), "password for '%s': ", s->path);
	return cu_cli_read_secret(s->file, "CUSTOS_PASSWORD", prompt, out, err);
}

int cu_cmd_run(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"case-id", required_argument, NULL, 'i'},
	    {"output", required_argument, NULL, 'o'},
	    {"manifest", required_argument, NULL, 'm'},
	    {"examiner", required_argument, NULL, 'e'},
	    {"item", required_argument, NULL, 'I'},
	    {"format", required_argument, NULL, 'f'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"sign", required_argument, NULL, 's'},
	    {"hash", required_argument, NULL, 'H'},
	    {"report-format", required_argument, NULL, 'R'},
	    {"tz", required_argument, NULL, 'z'},
	    {"allow-incomplete", no_argument, NULL, 'a'},
	    {"device", required_argument, NULL, 'd'},
	    {"adb-connect", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct run r = {cli, 0, false};
	struct cu_case_init_opts io;
	struct cu_import_opts im;
	struct cu_import_stats ist;
	struct cu_parse_opts po = {NULL, 0};
	struct cu_parse_stats pst;
	struct cu_report_opts ro;
	struct cu_report_result rres;
	struct cu_seal_opts so;
	struct cu_seal_result sres;
	struct cu_forms_result fres;
	struct cu_verify_opts vo;
	struct cu_verify_report vrep;
	struct secret_src sec = {NULL, NULL};
	struct cu_error err;
	struct cu_case *c = NULL;
	struct cu_signer *signer = NULL;
	struct cu_buf casedir = CU_BUF_INIT, missing = CU_BUF_INIT, comp = CU_BUF_INIT;
	const char **examiners = NULL;
	const char *out = NULL, *device = NULL, *key = NULL, *path;
	struct cu_library libs[CU_CLI_LIBRARIES_MAX];
	size_t n_ex = 0, n_missing = 0;
	bool is_partial = false, forms_ok = false;
	enum cu_status st;
	int ch, rc = 2;

	memset(&io, 0, sizeof(io));
	memset(&im, 0, sizeof(im));
	memset(&ist, 0, sizeof(ist));
	memset(&pst, 0, sizeof(pst));
	memset(&ro, 0, sizeof(ro));
	memset(&rres, 0, sizeof(rres));
	memset(&so, 0, sizeof(so));
	memset(&sres, 0, sizeof(sres));
	memset(&fres, 0, sizeof(fres));
	memset(&vo, 0, sizeof(vo));
	cu_verify_report_init(&vrep);
	cu_error_clear(&err);
	im.hash_algs = CU_HASH_DEFAULT;
	so.hash_algs = CU_HASH_DEFAULT;
	if ((examiners = calloc((size_t)argc + 1, sizeof(*examiners))) == NULL) {
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': io.case_id = optarg; break;
		case 'o': out = optarg; break;
		case 'm': io.manifest_path = optarg; break;
		case 'e': examiners[n_ex++] = optarg; break;
		case 'I': im.item = optarg; break;
		case 'f':
			if (!cu_import_format_parse(optarg, &im.format)) {
				fprintf(stderr, "custos run: unknown format '%s'\n%s", optarg,
					run_usage);
				goto out;
			}
			break;
		case 'p': sec.file = optarg; break;
		case 's': key = optarg; break;
		case 'H':
			if (strcmp(optarg, "sm3") != 0) {
				fprintf(stderr, "custos run: --hash takes 'sm3' (SHA-256 and MD5 "
						"are always computed)\n");
				goto out;
			}
			im.hash_algs |= CU_HASH_SM3;
			so.hash_algs |= CU_HASH_SM3;
			break;
		case 'R':
			if (!cu_report_parse_formats(optarg, &ro.formats)) {
				fprintf(stderr,
					"custos run: --report-format takes html, docx or all\n");
				goto out;
			}
			break;
		case 'z': ro.tz = optarg; break;
		case 'a': so.allow_incomplete = true; break;
		case 'd':
		case 'c': device = optarg; break;
		case 'j': cli->json = true; break;
		case 'h':
			fputs(run_usage, stdout);
			rc = 0;
			goto out;
		default: fputs(run_usage, stderr); goto out;
		}
	}
	if (device != NULL) {
		if (optind != argc) {
			fprintf(stderr, "custos run: give PATH or a device, not both\n%s",
				run_usage);
			goto out;
		}
		fprintf(stderr,
			"custos run: device acquisition is not implemented yet (device '%s'): "
			"acquire with idevicebackup2 or adb elsewhere and give the image PATH "
			"to custos run\n",
			device);
		rc = 4;
		goto out;
	}
	if (optind + 1 != argc || io.case_id == NULL || out == NULL) {
		fprintf(stderr, "custos run: needs PATH, --case-id and -o OUT-DIR\n%s", run_usage);
		goto out;
	}
	path = argv[optind];
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "custos run: cannot read '%s': %s (nothing was created)\n", path,
			strerror(errno));
		rc = 3;
		goto out;
	}
	if (ro.tz != NULL) {
		int off;
		if (!cu_report_parse_tz(ro.tz, &off)) {
			fprintf(stderr, "custos run: unknown time zone '%s'\n", ro.tz);
			goto out;
		}
	}
	r.show = !cli->quiet && !cli->json;

	if (key != NULL) {
		if (cu_signer_load(key, &signer, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		io.signer = signer;
		so.sign_key = key;
		vo.pubkey = key; /* a private key PEM also verifies (report.h) */
	}
	if (n_ex > 0)
		cu_case_set_actor(examiners[0], NULL, "examiner");
	io.examiners = examiners;
	io.n_examiners = n_ex;
	cu_cli_case_libraries(&io, libs);

	/* 1. case init: OUT/<case-id>/ (the id escaped as one safe name). */
	step(&r, "case init");
	if (cu_mkdirs(out, 0755, false, &err) != CU_OK ||
	    cu_path_escape_component(io.case_id, strlen(io.case_id), &comp, &err) != CU_OK ||
	    cu_path_join(out, comp.data, &casedir, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (cu_case_init(casedir.data, &io, &c, &missing, &n_missing, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (n_missing > 0 && !cli->quiet)
		fprintf(stderr,
			"custos run: warning: %zu mandatory manifest field(s) missing:\n%s"
			"(sealing refuses unless --allow-incomplete)\n",
			n_missing, missing.data ? missing.data : "");

	/* 2. import. */
	step(&r, "import");
	sec.path = path;
	im.password_cb = ask_password;
	im.password_ctx = &sec;
	st = cu_import_run(c, path, &im, &ist, &err);
	if (st == CU_E_PARTIAL) {
		is_partial = true;
		partial(&r, "import", &err);
	} else if (st != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		fprintf(stderr, "custos run: the case stays in '%s'\n", casedir.data);
		goto out;
	}
	cu_error_clear(&err);

	/* 3. parse. */
	step(&r, "parse");
	st = cu_parse_case_run(c, &po, &pst, &err);
	if (st == CU_E_PARTIAL) {
		is_partial = true;
		partial(&r, "parse", &err);
	} else if (st != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		fprintf(stderr, "custos run: the case stays in '%s'\n", casedir.data);
		goto out;
	}
	cu_error_clear(&err);

	/* 4. report (inside the package: carries the content root). A failed
	 * report does not stop the seal: the evidence is sealed anyway. */
	step(&r, "report");
	if (cu_report_case(c, &ro, &rres, &err) != CU_OK) {
		is_partial = true;
		partial(&r, "report", &err);
		cu_error_clear(&err);
		if (cu_custody_append(c->custody, "ERROR", cu_case_default_actor(),
				      "{\"step\":\"report\"}", NULL, NULL, &err) != CU_OK)
			partial(&r, "custody", &err);
	}
	cu_error_clear(&err);

	/* 5. seal. */
	step(&r, "seal");
	so.output = out;
	if (cu_seal_case(c, &so, &sres, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		fprintf(stderr, "custos run: nothing sealed; the case stays in '%s'\n",
			casedir.data);
		goto out;
	}

	/* 6. the forms with the seal hash, beside the package. */
	step(&r, "forms");
	if (cu_report_forms_for_package(sres.package, &ro, cu_case_default_actor(), signer, &fres,
					&err) != CU_OK) {
		is_partial = true;
		partial(&r, "forms", &err);
	} else {
		forms_ok = true;
	}
	cu_error_clear(&err);

	/* 7. verify the package as a court would. */
	step(&r, "verify");
	if (cu_verify_package(sres.package, &vo, &vrep, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	for (size_t i = 0; i < vrep.n; i++)
		if (!vrep.checks[i].ok)
			fprintf(stderr, "custos run: verify: FAIL %s: %s\n", vrep.checks[i].name,
				vrep.checks[i].detail ? vrep.checks[i].detail : "");

	if (cli->json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "status", !vrep.ok ? "failed" : is_partial ? "partial" : "ok");
		cu_json_kv_str(&j, "case_dir", c->dir);
		cu_json_kv_str(&j, "item", ist.item);
		cu_json_kv_int(&j, "items", (int64_t)rres.items);
		cu_json_kv_int(&j, "files", (int64_t)sres.files);
		cu_json_kv_int(&j, "bytes", (int64_t)sres.bytes);
		cu_json_kv_int(&j, "messages", (int64_t)pst.messages);
		cu_json_kv_int(&j, "payments", (int64_t)pst.payments);
		cu_json_kv_int(&j, "hits", (int64_t)rres.hits);
		cu_json_kv_str(&j, "package", sres.package);
		cu_json_kv_str(&j, "forms", forms_ok ? fres.dir : NULL);
		cu_json_kv_bool(&j, "verified", vrep.ok);
		cu_json_kv_str(&j, "seal_hash", sres.seal_hash);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &err) == CU_OK)
			printf("%s\n", b.data);
		cu_buf_release(&b);
	} else if (!cli->quiet) {
		printf("case:      %s\n", c->dir);
		printf("items:     %llu (imported as item %s)\n", (unsigned long long)rres.items,
		       ist.item);
		printf("files:     %llu (%llu bytes)\n", (unsigned long long)sres.files,
		       (unsigned long long)sres.bytes);
		printf("messages:  %llu\n", (unsigned long long)pst.messages);
		printf("payments:  %llu\n", (unsigned long long)pst.payments);
		printf("hits:      %llu\n", (unsigned long long)rres.hits);
		printf("report:    %s/report/index.html\n", c->dir);
		printf("package:   %s\n", sres.package);
		if (forms_ok)
			printf("forms:     %s\n", fres.dir);
		printf("verified:  %s\n", vrep.ok ? "all checks passed" : "FAILED");
		printf("status:    %s\n",
		       is_partial ? "partial (see the custody log)" : "complete");
		{
			char g[80];
			cu_report_group_hex(sres.seal_hash, g);
			printf("seal hash: %s\n%s\n", g, sres.seal_hash);
		}
	}
	rc = !vrep.ok ? 1 : is_partial ? 5 : 0;
out:
	cu_verify_report_release(&vrep);
	cu_signer_free(signer);
	cu_case_close(c);
	cu_buf_release(&casedir);
	cu_buf_release(&missing);
	cu_buf_release(&comp);
	free(examiners);
	return rc;
}
