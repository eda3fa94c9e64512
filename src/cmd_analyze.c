/*
 * cmd_analyze.c - `custos analyze [--lexicon FILE]... [--graph FILE]
 * [--json]` (docs/cli.md, docs/analysis.md): fills the hits and links of
 * CASE/case.db again (code words of the shipped lexicon plus each
 * --lexicon file, validated identifiers, links across items) and records
 * an ANALYZE custody entry; `custos parse` and `custos run` do the same
 * after parsing. --graph FILE also writes the contact/ring graph, GraphML
 * for *.graphml, DOT for *.dot (svg for *.svg).
 */
#include "src/cli.h"

#include "analysis/analysis.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *graph_format(const char *path)
{
	if (cu_str_has_suffix(path, ".graphml"))
		return "graphml";
	if (cu_str_has_suffix(path, ".dot") || cu_str_has_suffix(path, ".gv"))
		return "dot";
	if (cu_str_has_suffix(path, ".svg"))
		return "svg";
	return NULL;
}

static void print_stats(const struct cu_analysis_stats *s, bool json)
{
	if (json) {
		struct cu_buf b = CU_BUF_INIT;
		struct cu_json j;
		struct cu_error e;

		cu_json_init(&j, &b);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "status", "ok");
		cu_json_key(&j, "texts");
		cu_json_uint(&j, s->texts);
		cu_json_key(&j, "bytes");
		cu_json_uint(&j, s->bytes);
		cu_json_key(&j, "hits");
		cu_json_obj_begin(&j);
		for (int k = 0; k < 6; k++) {
			cu_json_key(&j, cu_hit_kind_name((enum cu_hit_kind)k));
			cu_json_uint(&j, s->hits[k]);
		}
		cu_json_obj_end(&j);
		cu_json_key(&j, "links");
		cu_json_uint(&j, s->links);
		cu_json_obj_end(&j);
		if (cu_json_finish(&j, &e) == CU_OK)
			printf("%s\n", b.data);
		cu_buf_release(&b);
		return;
	}
	printf("analysed %llu texts (%llu bytes): ", (unsigned long long)s->texts,
	       (unsigned long long)s->bytes);
	for (int k = 0; k < 6; k++)
		printf("%s%llu %s", k ? ", " : "", (unsigned long long)s->hits[k],
		       cu_hit_kind_name((enum cu_hit_kind)k));
	printf("; %llu links\n", (unsigned long long)s->links);
}

/* Writes the graph of the case.db at db into path (a new file, replaced
 * atomically enough for a test artefact: written then renamed). */
static enum cu_status write_graph(const char *db, const char *path, const char *format,
				  struct cu_error *err)
{
	struct cu_buf tmp = CU_BUF_INIT;
	FILE *f = NULL;
	enum cu_status rc;

	if ((rc = cu_buf_printf(&tmp, err, "%s.tmp", path)) != CU_OK)
		goto out;
	if ((f = fopen(tmp.data, "wbx")) == NULL) {
		rc = cu_error_errno(err, CU_E_IO, errno, "creating '%s'", tmp.data);
		goto out;
	}
	rc = cu_analysis_graph_write(db, format, f, err);
	if (fclose(f) != 0 && rc == CU_OK)
		rc = cu_error_errno(err, CU_E_IO, errno, "writing '%s'", tmp.data);
	f = NULL;
	if (rc == CU_OK && rename(tmp.data, path) != 0)
		rc = cu_error_errno(err, CU_E_IO, errno, "renaming '%s' to '%s'", tmp.data, path);
	if (rc)
		(void)remove(tmp.data);
out:
	cu_buf_release(&tmp);
	return rc;
}

int cu_cmd_analyze(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"lexicon", required_argument, NULL, 'l'},
	    {"graph", required_argument, NULL, 'g'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_analysis_opts opts = {NULL, 0, NULL};
	struct cu_analysis_stats stats;
	const char **lex = NULL;
	const char *graph = NULL, *gfmt = NULL;
	struct cu_case *c = NULL;
	struct cu_buf db = CU_BUF_INIT;
	struct cu_error err;
	bool json = cli->json;
	int ch, code = 0;

	if (cu_cli_wants_help(argc, argv))
		return cu_cli_usage("analyze", false);
	if ((lex = calloc((size_t)argc + 1, sizeof(*lex))) == NULL) {
		fprintf(stderr, "custos: out of memory\n");
		return 3;
	}
	opts.lexicon_files = lex;
	while ((ch = cu_cli_getopt(argc, argv, "+", longopts)) != -1) {
		switch (ch) {
		case 'l': lex[opts.nlexicon_files++] = optarg; break;
		case 'g': graph = optarg; break;
		case 'j': json = true; break;
		default: free(lex); return cu_cli_usage("analyze", true);
		}
	}
	if (optind != argc) {
		free(lex);
		return cu_cli_usage("analyze", true);
	}
	if (graph != NULL && (gfmt = graph_format(graph)) == NULL) {
		fprintf(stderr,
			"custos: analyze: --graph '%s': name it *.graphml, *.dot or *.svg "
			"(the format is taken from the name)\n",
			graph);
		free(lex);
		return 2;
	}
	cu_error_clear(&err);
	memset(&stats, 0, sizeof(stats));
	if (cu_case_open(cli->case_dir ? cli->case_dir : ".", &c, &err) != CU_OK ||
	    cu_analysis_run(c, &opts, &stats, &err) != CU_OK) {
		code = cu_cli_fail(cli, &err);
		goto out;
	}
	if (graph != NULL && (cu_case_path(c, CU_CASE_DB, &db, &err) != CU_OK ||
			      write_graph(db.data, graph, gfmt, &err) != CU_OK)) {
		code = cu_cli_fail(cli, &err);
		goto out;
	}
	if (json || !cli->quiet)
		print_stats(&stats, json);
out:
	free(lex);
	cu_buf_release(&db);
	cu_case_close(c);
	return code;
}
