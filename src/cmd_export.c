/*
 * cmd_export.c - `custos export KIND`: case.db rows (messages, calls,
 * contacts, payments, timeline, hits, links) as CSV, xlsx or JSON, and the
 * case as a CASE/UCO document, each recorded in custody (docs/cli.md).
 */
#include "src/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static void export_usage(FILE *f)
{
	fputs("usage: custos export KIND [--format FORMAT] [-o FILE] [--tz ZONE] [--json]\n"
	      "  KIND (formats, the first is the default):\n",
	      f);
	for (size_t i = 0; cu_export_kind_name(i) != NULL; i++)
		fprintf(f, "    %-9s %s\n", cu_export_kind_name(i),
			cu_export_formats(cu_export_kind_name(i)));
	fputs("  Default output CASE/exports/KIND.FORMAT. ZONE: +HH:MM, UTC or a zone such as\n"
	      "  Asia/Shanghai for the *_local time columns (default: the manifest's).\n",
	      f);
}

int cu_cmd_export(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"tz", required_argument, NULL, 'z'},
	    {"examiner", required_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_export_opts o;
	struct cu_export_result res;
	struct cu_error err;
	struct cu_case *c = NULL;
	int ch, rc = 2;

	memset(&o, 0, sizeof(o));
	cu_error_clear(&err);
	optind = 0; /* re-initialise getopt: main() parsed in "+" mode */
	while ((ch = cu_cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (ch) {
		case 'f': o.format = optarg; break;
		case 'o': o.output = optarg; break;
		case 'z': o.tz = optarg; break;
		case 'e':
			if (cu_case_set_actor(optarg, NULL, "examiner", &err) != CU_OK)
				return cu_cli_fail(cli, &err);
			break;
		case 'j': cli->json = true; break;
		case 'h': export_usage(stdout); return 0;
		default: export_usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		export_usage(stderr);
		return 2;
	}
	o.kind = argv[optind];
	if (cu_export_formats(o.kind) == NULL) {
		fprintf(stderr, "custos export: unknown kind '%s'\n", o.kind);
		export_usage(stderr);
		return 2;
	}
	if (cu_case_open(cli->case_dir, &c, &err) != CU_OK ||
	    cu_export_case(c, &o, &res, &err) != CU_OK) {
		rc = cu_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "path", res.path);
		cu_json_kv_str(&j, "sha256", res.sha256);
		cu_json_key(&j, "size");
		cu_json_uint(&j, res.size);
		cu_json_key(&j, "rows");
		cu_json_uint(&j, res.rows);
		cu_json_obj_end(&j);
		if ((rc = cu_cli_json_print(cli, &j, &b)) != 0)
			goto out;
	} else if (!cli->quiet) {
		printf("export: %s (%llu rows, %llu bytes)\nsha256: %s\n", res.path,
		       (unsigned long long)res.rows, (unsigned long long)res.size, res.sha256);
	}
	rc = 0;
out:
	cu_case_close(c);
	return rc;
}
