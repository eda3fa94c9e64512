/*
 * cmd_report.c - `custos report` (CLI.md): writes CASE/report/ (the court
 * report and the forms carrying the content root), or with --forms-for
 * PACKAGE the forms carrying the seal hash beside a sealed package, their
 * printing recorded in the package's living custody log.
 */
#include "extract/extract.h"
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char report_usage[] =
    "usage: custos report [--format html|docx|all] [--tz ZONE] [--json]\n"
    "       custos report --forms-for PACKAGE.custos.zip [--format ...] [--tz ZONE]\n"
    "                     [--examiner NAME] [--sign KEY.pem]\n"
    "  ZONE: an IANA zone such as Asia/Shanghai or Europe/Zurich (daylight saving\n"
    "  time applied), +HH:MM or UTC (default: the devices' own zone when known,\n"
    "  else the manifest's seizure.location.tz, else Asia/Shanghai).\n";

int cu_cmd_report(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"tz", required_argument, NULL, 'z'},
	    {"page-rows", required_argument, NULL, 'r'},
	    {"forms-for", required_argument, NULL, 'F'},
	    {"examiner", required_argument, NULL, 'e'},
	    {"sign", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_report_opts o;
	struct cu_error err;
	struct cu_case *c = NULL;
	struct cu_signer *signer = NULL;
	const char *forms_for = NULL, *key = NULL;
	int ch, rc = 2;

	memset(&o, 0, sizeof(o));
	cu_error_clear(&err);
	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'f':
			if (!cu_report_parse_formats(optarg, &o.formats)) {
				fprintf(stderr,
					"custos report: --format takes html, docx or all\n");
				return 2;
			}
			break;
		case 'z': o.tz = optarg; break;
		case 'r': {
			uint64_t v;
			if (!cu_parse_u64(optarg, &v) || v == 0 || v > 1000000) {
				fprintf(stderr, "custos report: --page-rows takes 1..1000000\n");
				return 2;
			}
			o.page_rows = (size_t)v;
			break;
		}
		case 'F': forms_for = optarg; break;
		case 'e':
			if (cu_case_set_actor(optarg, NULL, "examiner", &err) != CU_OK)
				return cu_cli_fail(cli, &err);
			break;
		case 's': key = optarg; break;
		case 'j': cli->json = true; break;
		case 'h': fputs(report_usage, stdout); return 0;
		default: fputs(report_usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(report_usage, stderr);
		return 2;
	}
	if (o.tz != NULL) {
		int off;
		if (!cu_report_parse_tz(o.tz, &off)) {
			fprintf(stderr, "custos report: unknown time zone '%s'\n%s", o.tz,
				report_usage);
			return 2;
		}
	}
	if (key != NULL && cu_signer_load(key, &signer, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (forms_for != NULL) {
		struct cu_forms_result fr;
		if (cu_report_forms_for_package(forms_for, &o, cu_case_default_actor(), signer, &fr,
						&err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		if (cli->json) {
			struct cu_buf b = CU_BUF_INIT;
			struct cu_json j;
			cu_json_init(&j, &b);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "forms", fr.dir);
			cu_json_kv_int(&j, "files", fr.files);
			cu_json_kv_int(&j, "custody_size", (int64_t)fr.custody_size);
			cu_json_kv_str(&j, "seal_hash", fr.seal_hash);
			cu_json_obj_end(&j);
			if (cu_json_finish(&j, &err) == CU_OK)
				printf("%s\n", b.data);
			cu_buf_release(&b);
		} else if (!cli->quiet) {
			printf("forms: %s (%u files; %llu custody entries in the living log)\n"
			       "seal hash: %s\n",
			       fr.dir, fr.files, (unsigned long long)fr.custody_size, fr.seal_hash);
		}
		rc = 0;
		goto out;
	}
	if (signer != NULL) {
		fprintf(stderr, "custos report: --sign is used with --forms-for\n");
		goto out;
	}
	{
		struct cu_report_result res;
		if (cu_case_open(cli->case_dir, &c, &err) != CU_OK ||
		    cu_import_require_evidence(c, &err) != CU_OK ||
		    cu_report_case(c, &o, &res, &err) != CU_OK) {
			rc = cu_cli_fail(cli, &err);
			goto out;
		}
		if (cli->json) {
			struct cu_buf b = CU_BUF_INIT, idx = CU_BUF_INIT;
			struct cu_json j;
			if (cu_buf_printf(&idx, &err, "%s/report/index.html", c->dir) != CU_OK) {
				rc = cu_cli_fail(cli, &err);
				goto out;
			}
			cu_json_init(&j, &b);
			cu_json_obj_begin(&j);
			cu_json_kv_str(&j, "report", idx.data);
			cu_json_kv_int(&j, "messages", (int64_t)res.messages);
			cu_json_kv_int(&j, "payments", (int64_t)res.payments);
			cu_json_kv_int(&j, "calls", (int64_t)res.calls);
			cu_json_kv_int(&j, "contacts", (int64_t)res.contacts);
			cu_json_kv_int(&j, "hits", (int64_t)res.hits);
			cu_json_kv_int(&j, "files", (int64_t)res.files);
			cu_json_kv_int(&j, "pages", (int64_t)res.pages);
			cu_json_kv_str(&j, "content_root", res.content_root);
			cu_json_obj_end(&j);
			enum cu_status st = cu_json_finish(&j, &err);
			if (st == CU_OK)
				printf("%s\n", b.data);
			cu_buf_release(&b);
			cu_buf_release(&idx);
			if (st != CU_OK) {
				rc = cu_cli_fail(cli, &err);
				goto out;
			}
		} else if (!cli->quiet)
			printf("report: %s/report/index.html (%llu messages, %llu payments, %llu "
			       "calls, %llu contacts, %llu hits, %llu files)\ncontent root: %s\n",
			       c->dir, (unsigned long long)res.messages,
			       (unsigned long long)res.payments, (unsigned long long)res.calls,
			       (unsigned long long)res.contacts, (unsigned long long)res.hits,
			       (unsigned long long)res.files, res.content_root);
	}
	rc = 0;
out:
	cu_signer_free(signer);
	cu_case_close(c);
	return rc;
}
