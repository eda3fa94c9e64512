/*
 * cmd_recover.c - `custos recover FILE.db... [--json]` (CLI.md, docs/cli.md):
 * the deleted and superseded records of SQLite files (parsers/recovery),
 * read with their -wal / -journal beside them, never written.
 *
 * --json: one object per record per line: table, source, page, offset,
 * values (BLOB as {"hex": ...}), plus status, file, rowid, partial (only
 * when true), candidates (only when ambiguous), wal_frame (only from the
 * WAL), dropped (only when the table was dropped), db (only with several
 * files). Without --json: one line per record and a summary on stderr.
 */
#include "src/cli.h"

#include "parsers/recovery/recover.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char recover_usage[] =
    "usage: custos recover FILE.db... [--json] [--wal FILE] [--journal FILE] [--live]\n"
    "                      [--duplicates] [--time-limit SECONDS]\n";

struct out_ctx {
	bool json, many;
	const char *db;
	struct cu_buf line;
	uint64_t printed;
};

static void json_value(struct cu_json *j, const struct cu_rec_value *v)
{
	char *hex;

	switch (v->type) {
	case CU_REC_INTEGER: cu_json_int(j, v->i); break;
	case CU_REC_FLOAT: {
		char num[64];
		if (!isfinite(v->d)) {
			cu_json_null(j);
			break;
		}
		snprintf(num, sizeof(num), "%.17g", v->d);
		if (!strpbrk(num, ".eEn") && strlen(num) + 3 < sizeof(num))
			memcpy(num + strlen(num), ".0", 3); /* stays a REAL for typed readers */
		cu_json_raw(j, num, strlen(num));
		break;
	}
	case CU_REC_TEXT: cu_json_strn(j, (const char *)v->p, v->n); break;
	case CU_REC_BLOB:
		hex = cu_malloc(v->n * 2 + 1);
		cu_json_obj_begin(j);
		cu_json_key(j, "hex");
		if (hex) {
			cu_hex(v->p, v->n, hex);
			cu_json_strn(j, hex, v->n * 2);
		} else {
			cu_json_null(j);
		}
		cu_json_obj_end(j);
		free(hex);
		break;
	default: cu_json_null(j); break;
	}
}

static enum cu_status print_record(void *vctx, const struct cu_rec_record *r, struct cu_error *err)
{
	struct out_ctx *o = vctx;
	struct cu_json j;
	size_t i;

	cu_buf_reset(&o->line);
	cu_json_init(&j, &o->line);
	if (o->json) {
		cu_json_obj_begin(&j);
		if (o->many)
			cu_json_kv_str(&j, "db", o->db);
		cu_json_kv_str(&j, "table", r->table);
		cu_json_kv_str(&j, "source", cu_rec_source_name(r->source));
		cu_json_key(&j, "page");
		cu_json_uint(&j, r->page);
		cu_json_key(&j, "offset");
		cu_json_uint(&j, r->offset);
		cu_json_key(&j, "values");
		cu_json_arr_begin(&j);
		for (i = 0; i < r->ncols; i++)
			json_value(&j, &r->values[i]);
		cu_json_arr_end(&j);
		cu_json_kv_str(&j, "status", r->status);
		cu_json_kv_str(&j, "file", r->file);
		cu_json_key(&j, "rowid");
		if (r->rowid == INT64_MIN)
			cu_json_null(&j);
		else
			cu_json_int(&j, r->rowid);
		if (r->partial)
			cu_json_kv_bool(&j, "partial", true);
		if (r->candidates) {
			const char *p = r->candidates, *q;
			cu_json_key(&j, "candidates");
			cu_json_arr_begin(&j);
			for (;;) {
				q = strchr(p, ',');
				cu_json_strn(&j, p, q ? (size_t)(q - p) : strlen(p));
				if (!q)
					break;
				p = q + 1;
			}
			cu_json_arr_end(&j);
		}
		if (r->wal_frame) {
			cu_json_key(&j, "wal_frame");
			cu_json_uint(&j, r->wal_frame);
		}
		if (r->dropped)
			cu_json_kv_bool(&j, "dropped", true);
		cu_json_obj_end(&j);
	} else {
		char head[512];
		snprintf(head, sizeof(head), "%s\t%s\t%s\t%u\t%llu\t", r->table ? r->table : "?",
			 cu_rec_source_name(r->source), r->status, r->page,
			 (unsigned long long)r->offset);
		if (cu_buf_puts(&o->line, head, err) != CU_OK)
			return err->code;
		if (r->rowid == INT64_MIN) {
			if (cu_buf_puts(&o->line, "-\t", err) != CU_OK)
				return err->code;
		} else if (cu_buf_printf(&o->line, err, "%lld\t", (long long)r->rowid) != CU_OK) {
			return err->code;
		}
		cu_json_init(&j, &o->line);
		j.out = &o->line;
		cu_json_arr_begin(&j);
		for (i = 0; i < r->ncols; i++)
			json_value(&j, &r->values[i]);
		cu_json_arr_end(&j);
	}
	if (cu_json_finish(&j, err) != CU_OK)
		return err->code;
	if (!o->json && r->partial && cu_buf_puts(&o->line, "\tpartial", err) != CU_OK)
		return err->code;
	if (!o->json && r->candidates &&
	    cu_buf_printf(&o->line, err, "\tcandidates=%s", r->candidates) != CU_OK)
		return err->code;
	fwrite(o->line.data, 1, o->line.len, stdout);
	fputc('\n', stdout);
	o->printed++;
	return CU_OK;
}

int cu_cmd_recover(struct cu_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"wal", required_argument, NULL, 'w'},
	    {"journal", required_argument, NULL, 'J'},
	    {"live", no_argument, NULL, 'l'},
	    {"duplicates", no_argument, NULL, 'd'},
	    {"time-limit", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct cu_rec_opts ro;
	struct out_ctx o;
	uint64_t secs;
	int ch, rc = 0, i;

	memset(&ro, 0, sizeof(ro));
	memset(&o, 0, sizeof(o));
	o.json = cli->json;
	optind = 0;
	while ((ch = cu_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'j': o.json = true; break;
		case 'w': ro.wal_path = optarg; break;
		case 'J': ro.journal_path = optarg; break;
		case 'l': ro.live = true; break;
		case 'd': ro.duplicates = true; break;
		case 't':
			if (!cu_parse_u64(optarg, &secs) || secs == 0 || secs > 86400) {
				fprintf(stderr, "custos: --time-limit takes 1..86400 seconds\n");
				return 2;
			}
			ro.time_limit_ms = secs * 1000;
			break;
		default: fputs(recover_usage, stderr); return 2;
		}
	}
	if (optind >= argc || ((ro.wal_path || ro.journal_path) && argc - optind > 1)) {
		fputs(recover_usage, stderr);
		return 2;
	}
	o.many = argc - optind > 1;
	cu_buf_init(&o.line, (size_t)1 << 30);
	for (i = optind; i < argc; i++) {
		struct cu_rec_stats st;
		struct cu_error err;
		enum cu_status s;
		int frc;

		cu_error_clear(&err);
		o.db = argv[i];
		s = cu_recover_file(argv[i], &ro, print_record, &o, &st, &err);
		fflush(stdout);
		if (s != CU_OK && s != CU_E_LIMIT) {
			frc = cu_cli_fail(cli, &err);
			if (!o.many) {
				rc = frc;
				break;
			}
			rc = rc ? rc : 5;
			continue;
		}
		if (!cli->quiet)
			fprintf(stderr,
				"custos: %s: %llu records recovered (%llu partial, %llu ambiguous, "
				"%llu copies of live rows left out; %llu pages scanned)\n",
				argv[i], (unsigned long long)st.records,
				(unsigned long long)st.partial, (unsigned long long)st.ambiguous,
				(unsigned long long)st.duplicates_dropped,
				(unsigned long long)st.pages_scanned);
		if (st.damaged && !cli->quiet)
			fprintf(stderr, "custos: %s: damaged: %s\n", argv[i], st.warnings);
		if (st.filtered && !cli->quiet)
			fprintf(
			    stderr,
			    "custos: %s: so many rows that the copies of live rows were told "
			    "by a fixed-size filter (memory bound): a deleted record may rarely "
			    "have been left out as a copy (never invented)\n",
			    argv[i]);
		if (s == CU_E_LIMIT) {
			fprintf(stderr, "custos: %s\n", err.msg);
			rc = 5;
		}
	}
	cu_buf_release(&o.line);
	return rc;
}
