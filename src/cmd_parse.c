/*
 * cmd_parse.c - `custos parse [--item ITEM-ID] [--imei IMEI]...
 * [--whatsapp-key F] [--json]` (CLI.md; --imei: docs/manifest-changes.md;
 * --whatsapp-key: docs/cli.md): runs every registered parser over the case
 * into CASE/case.db and prints a summary with the files not examined (one
 * JSON object with --json). Exit 0, 3 (input error), or 5
 * when some files could not be parsed (each recorded in the custody log
 * and in case.db's parse_warnings table).
 */
#include "extract/extract.h"
#include "src/cli.h"

#include "analysis/analysis.h"
#include "parsers/parsers.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void print_json(const struct cu_parse_stats *s, const struct cu_analysis_stats *as,
		       const char *db_sha256, enum cu_status rc)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_json j;
	struct cu_error e;

	cu_json_init(&j, &b);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "status", rc == CU_OK ? "ok" : "partial");
	cu_json_key(&j, "files");
	cu_json_uint(&j, s->files);
	cu_json_key(&j, "parsed");
	cu_json_uint(&j, s->parsed);
	cu_json_key(&j, "warnings");
	cu_json_uint(&j, s->warnings);
	cu_json_key(&j, "errors");
	cu_json_uint(&j, s->errors);
	cu_json_key(&j, "conversations");
	cu_json_uint(&j, s->conversations);
	cu_json_key(&j, "messages");
	cu_json_uint(&j, s->messages);
	cu_json_key(&j, "contacts");
	cu_json_uint(&j, s->contacts);
	cu_json_key(&j, "calls");
	cu_json_uint(&j, s->calls);
	cu_json_key(&j, "payments");
	cu_json_uint(&j, s->payments);
	cu_json_key(&j, "recovered");
	cu_json_uint(&j, s->recovered);
	cu_json_key(&j, "recovered_unread");
	cu_json_uint(&j, s->recovered_unread);
	cu_json_key(&j, "recovered_ambiguous");
	cu_json_uint(&j, s->recovered_ambiguous);
	cu_json_key(&j, "damaged_files");
	cu_json_uint(&j, s->damaged_files);
	cu_json_key(&j, "not_examined");
	cu_json_uint(&j, s->not_examined);
	if (as != NULL) { /* the analysis after parsing (custos analyze --json) */
		cu_json_key(&j, "analysis");
		cu_json_obj_begin(&j);
		cu_json_key(&j, "hits");
		cu_json_obj_begin(&j);
		for (int k = 0; k < 6; k++) {
			cu_json_key(&j, cu_hit_kind_name((enum cu_hit_kind)k));
			cu_json_uint(&j, as->hits[k]);
		}
		cu_json_obj_end(&j);
		cu_json_key(&j, "links");
		cu_json_uint(&j, as->links);
		cu_json_obj_end(&j);
	}
	cu_json_kv_str(&j, "case_db", CU_CASE_DB);
	cu_json_kv_str(&j, "case_db_sha256", db_sha256);
	cu_json_obj_end(&j);
	if (cu_json_finish(&j, &e) == CU_OK)
		printf("%s\n", b.data);
	cu_buf_release(&b);
}

int cu_cmd_parse(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"item", required_argument, NULL, 'i'},
	    {"json", no_argument, NULL, 'j'},
	    {"imei", required_argument, NULL, 'I'},
	    {"lexicon", required_argument, NULL, 'l'},
	    {"whatsapp-key", required_argument, NULL, 'W'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_parse_opts opts = {NULL, 0, NULL, 0, NULL};
	const char **imeis = NULL;
	struct cu_analysis_opts ao = {NULL, 0, NULL};
	struct cu_error ae; /* the analysis after parsing */
	enum cu_status arc = CU_OK;
	struct cu_analysis_stats ast;
	struct cu_parse_stats stats;
	struct cu_case *c = NULL;
	struct cu_error err;
	struct cu_buf dbpath = CU_BUF_INIT;
	struct cu_digests d;
	enum cu_status rc;
	bool json = cli->json;
	int ch, code;

	if (cu_cli_wants_help(argc, argv))
		return cu_cli_usage("parse", false);
	imeis = calloc(2 * ((size_t)argc + 1), sizeof(*imeis)); /* --imei, then --lexicon */
	if (imeis == NULL) {
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	opts.imeis = imeis;
	ao.lexicon_files = imeis + argc + 1;
	while ((ch = cu_cli_getopt(argc, argv, "+i:", longopts)) != -1) {
		switch (ch) {
		case 'i': opts.item = optarg; break;
		case 'j': json = true; break;
		case 'I': imeis[opts.n_imeis++] = optarg; break;
		case 'l': ((const char **)ao.lexicon_files)[ao.nlexicon_files++] = optarg; break;
		case 'W': opts.whatsapp_key = optarg; break;
		default: free(imeis); return cu_cli_usage("parse", true);
		}
	}
	if (optind != argc) {
		free(imeis);
		return cu_cli_usage("parse", true);
	}
	if (opts.whatsapp_key && !cu_file_exists(opts.whatsapp_key)) {
		fprintf(stderr, "custos: parse: --whatsapp-key '%s': no such file\n",
			opts.whatsapp_key);
		free(imeis);
		return 2;
	}
	for (size_t i = 0; i < opts.n_imeis; i++) {
		size_t n = strlen(imeis[i]);
		bool ok = n >= 1 && n <= 64;
		for (size_t k = 0; ok && k < n; k++)
			ok = (imeis[i][k] >= '0' && imeis[i][k] <= '9') ||
			     (imeis[i][k] >= 'A' && imeis[i][k] <= 'F') ||
			     (imeis[i][k] >= 'a' && imeis[i][k] <= 'f');
		if (!ok) {
			fprintf(stderr,
				"custos: parse: --imei '%s' is not an IMEI/MEID (1 to 64 digits or "
				"hex letters)\n",
				imeis[i]);
			free(imeis);
			return 2;
		}
	}

	cu_error_clear(&err);
	memset(&stats, 0, sizeof(stats));
	memset(&ast, 0, sizeof(ast));
	rc = cu_case_open(cli->case_dir ? cli->case_dir : ".", &c, &err);
	if (rc) {
		free(imeis);
		return cu_cli_fail(cli, &err);
	}
	rc = cu_import_require_evidence(c, &err);
	if (rc == CU_OK)
		rc = cu_parse_case_run(c, &opts, &stats, &err);
	cu_error_clear(&ae);
	if ((rc == CU_OK || rc == CU_E_PARTIAL) && cu_analysis_run(c, &ao, &ast, &ae) != CU_OK)
		arc = ae.code; /* said after the summary: case.db itself is complete */
	if (rc != CU_OK && rc != CU_E_PARTIAL) {
		code = cu_cli_fail(cli, &err);
		goto out;
	}
	d.sha256[0] = '\0';
	{
		struct cu_error e2;

		cu_error_clear(&e2);
		if (cu_case_path(c, CU_CASE_DB, &dbpath, &e2) != CU_OK ||
		    cu_hash_file(dbpath.data, CU_HASH_SHA256, &d, &e2) != CU_OK)
			d.sha256[0] = '\0';
	}
	if (json) {
		print_json(&stats, arc == CU_OK ? &ast : NULL, d.sha256[0] ? d.sha256 : NULL, rc);
	} else if (!cli->quiet) {
		printf("parsed %llu of %llu files into %s: %llu conversations, %llu messages, "
		       "%llu contacts, %llu calls, %llu payments; %llu warnings, %llu errors\n",
		       (unsigned long long)stats.parsed, (unsigned long long)stats.files,
		       CU_CASE_DB, (unsigned long long)stats.conversations,
		       (unsigned long long)stats.messages, (unsigned long long)stats.contacts,
		       (unsigned long long)stats.calls, (unsigned long long)stats.payments,
		       (unsigned long long)stats.warnings, (unsigned long long)stats.errors);
		if (stats.recovered || stats.recovered_unread || stats.recovered_ambiguous ||
		    stats.damaged_files)
			printf("recovered %llu deleted rows; %llu recovered records of tables no "
			       "parser reads, %llu ambiguous (listed in the custody log); %llu "
			       "damaged files\n",
			       (unsigned long long)stats.recovered,
			       (unsigned long long)stats.recovered_unread,
			       (unsigned long long)stats.recovered_ambiguous,
			       (unsigned long long)stats.damaged_files);
		if (stats.not_examined) {
			struct cu_error e2;

			cu_error_clear(&e2);
			printf("%llu files not examined (case.db not_examined; listed in the "
			       "report):\n",
			       (unsigned long long)stats.not_examined);
			if (cu_parse_print_not_examined(dbpath.data, stdout, &e2) != CU_OK)
				fprintf(stderr, "custos: %s\n", e2.msg);
		}
		if (arc == CU_OK)
			printf(
			    "analysis: %llu code words, %llu crypto addresses, %llu tracking numbers, "
			    "%llu pick-up codes, %llu bank cards, %llu phone numbers; %llu links\n",
			    (unsigned long long)ast.hits[0], (unsigned long long)ast.hits[1],
			    (unsigned long long)ast.hits[2], (unsigned long long)ast.hits[3],
			    (unsigned long long)ast.hits[4], (unsigned long long)ast.hits[5],
			    (unsigned long long)ast.links);
		if (d.sha256[0])
			printf("case.db sha256 %s\n", d.sha256);
	}
	if (arc != CU_OK) {
		fprintf(stderr, "custos: parse: case.db was written, but %s\n", ae.msg);
		code = cu_status_exit_code(arc);
	} else if (rc == CU_E_PARTIAL) {
		fprintf(stderr, "custos: %s\n", err.msg);
		code = cu_status_exit_code(rc);
	} else {
		code = 0;
	}
out:
	free(imeis);
	cu_buf_release(&dbpath);
	cu_case_close(c);
	return code;
}
