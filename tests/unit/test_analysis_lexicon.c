/* test_analysis_lexicon.c - loading the lexicon: the shipped directory
 * (files in name order, SHA-256 cross-checked with sha256sum, term count),
 * an agency file added with cu_lexicon_add_file (header, BOM, CRLF,
 * variants, exclusions), the data directory from CUSTOS_DATADIR, and the
 * errors: missing file or directory, a line without fields, a bad variant,
 * a NUL byte, a directory without *.tsv. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "tests/harness/tap.h"

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		tap_bail("cannot write a test file");
}

/* sha256sum's answer for path (an independent implementation). */
static void sha256sum(const char *path, char out[65])
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (!p || fscanf(p, "%64s", out) != 1)
		tap_bail("sha256sum failed");
	pclose(p);
}

/* Code-word lines of the shipped files: not a comment, not an exclusion. */
static size_t count_terms(const char *dir, const char *name)
{
	char path[4096], line[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (!f)
		tap_bail("cannot read a shipped lexicon file");
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && line[0] != '!' && line[0] != '\n')
			n++;
	fclose(f);
	return n;
}

struct first {
	char rule[256];
	char normalized[256];
	size_t n;
};

static enum cu_status keep(void *ctx, const struct cu_hit *h, struct cu_error *err)
{
	struct first *f = ctx;
	(void)err;
	if (f->n++ == 0) {
		snprintf(f->rule, sizeof(f->rule), "%s", h->rule);
		snprintf(f->normalized, sizeof(f->normalized), "%s", h->normalized);
	}
	return CU_OK;
}

static struct first scan(const struct cu_lexicon *lx, const char *text)
{
	struct first f = {"", "", 0};
	struct cu_scanner *sc = NULL;
	struct cu_error err;
	TAP_MUST(cu_scanner_new(lx, &sc, &err));
	TAP_MUST(cu_scanner_scan(sc, text, strlen(text), keep, &f, &err));
	cu_scanner_free(sc);
	return f;
}

int main(void)
{
	struct cu_lexicon *lx = NULL;
	struct cu_error err;
	char dir[4096], sum[65], path[4096];
	tap_plan(21);
	const char *data = getenv("CUSTOS_DATADIR");
	if (!data || !*data)
		tap_bail("CUSTOS_DATADIR is not set (the test environment sets it)");
	tap_is_str(cu_analysis_data_dir(), data, "data directory from CUSTOS_DATADIR");
	snprintf(dir, sizeof(dir), "%s/lexicon", data);

	TAP_MUST(cu_lexicon_load(NULL, &lx, &err));
	tap_is_int((int64_t)cu_lexicon_file_count(lx), 3, "three shipped files");
	tap_ok(strstr(cu_lexicon_file_path(lx, 0), "/drugs.tsv") &&
		   strstr(cu_lexicon_file_path(lx, 1), "/emoji.tsv") &&
		   strstr(cu_lexicon_file_path(lx, 2), "/exclusions.tsv"),
	       "files in name order");
	sha256sum(cu_lexicon_file_path(lx, 0), sum);
	tap_is_str(cu_lexicon_file_sha256(lx, 0), sum, "SHA-256 of drugs.tsv = sha256sum");
	size_t want = count_terms(dir, "drugs.tsv") + count_terms(dir, "emoji.tsv");
	tap_is_int((int64_t)cu_lexicon_terms(lx), (int64_t)want, "terms counted (%zu)", want);
	tap_ok(cu_lexicon_file_path(lx, 3) == NULL && cu_lexicon_file_sha256(lx, 3) == NULL,
	       "no fourth file");

	/* an agency file: BOM, header row, CRLF, a term, a variant, an exclusion */
	const char *tmp = tap_tmpdir("analysis-lexicon");
	snprintf(path, sizeof(path), "%s/agency.tsv", tmp);
	const char agency[] = "\xef\xbb\xbfterm\tcategory\tnotes\tsource\r\n"
			      "蓝精灵\tmdma\tblue tablets\tcase 2026-17\r\n"
			      "alias:ljl=蓝精灵\tmdma\tinitials\tcase 2026-17\r\n"
			      "!蓝精灵玩具\tinnocent\ttoy\tcase 2026-17\r\n";
	write_file(path, agency, sizeof(agency) - 1);
	TAP_MUST(cu_lexicon_add_file(lx, path, &err));
	tap_is_int((int64_t)cu_lexicon_file_count(lx), 4, "agency file recorded");
	tap_is_int((int64_t)cu_lexicon_terms(lx), (int64_t)want + 2, "agency terms counted");
	struct first f = scan(lx, "今天有蓝精灵吗");
	tap_is_str(f.rule, "lexicon:agency.tsv:蓝精灵/exact", "agency term found");
	f = scan(lx, "要 ljl 吗");
	tap_is_str(f.rule, "lexicon:agency.tsv:蓝精灵/alias", "agency variant reports the term");
	f = scan(lx, "买了蓝精灵玩具");
	tap_is_int((int64_t)f.n, 0, "agency exclusion holds");
	f = scan(lx, "藍精靈");
	tap_is_int((int64_t)f.n, 0, "traditional characters outside the table are not guessed");
	cu_lexicon_free(lx);
	lx = NULL;

	/* errors */
	TAP_MUST(cu_lexicon_load(NULL, &lx, &err));
	snprintf(path, sizeof(path), "%s/missing.tsv", tmp);
	tap_ok(cu_lexicon_add_file(lx, path, &err) != CU_OK && strstr(err.msg, "missing.tsv"),
	       "missing file: %s", err.msg);
	snprintf(path, sizeof(path), "%s/bad.tsv", tmp);
	write_file(path, "# ok\n冰糖\tmeth\tx\ty\nno-tab-here\n", 33);
	tap_ok(cu_lexicon_add_file(lx, path, &err) == CU_E_FORMAT && strstr(err.msg, "line 3"),
	       "line without fields: %s", err.msg);
	write_file(path, "pinyin:bingtang\tmeth\tx\ty\n", 25);
	tap_ok(cu_lexicon_add_file(lx, path, &err) == CU_E_FORMAT && strstr(err.msg, "VARIANT"),
	       "variant without '=': %s", err.msg);
	write_file(path, "a\0b\tmeth\n", 9);
	tap_ok(cu_lexicon_add_file(lx, path, &err) == CU_E_FORMAT && strstr(err.msg, "NUL"),
	       "NUL byte: %s", err.msg);
	write_file(path, "\tmeth\tx\ty\n", 10);
	tap_ok(cu_lexicon_add_file(lx, path, &err) == CU_E_FORMAT, "empty term: %s", err.msg);
	cu_lexicon_free(lx);
	lx = NULL;
	char none[4096];
	snprintf(none, sizeof(none), "%s/none", tmp);
	tap_ok(cu_lexicon_load(none, &lx, &err) == CU_E_NOTFOUND && lx == NULL &&
		   strstr(err.msg, "CUSTOS_DATADIR"),
	       "missing directory: %s", err.msg);
	write_file(path, "冰糖\tmeth\tx\ty\n", strlen("冰糖\tmeth\tx\ty\n"));
	tap_ok(cu_lexicon_load(tmp, &lx, &err) == CU_OK && cu_lexicon_file_count(lx) == 2,
	       "a directory of agency files loads: %s", err.msg);
	cu_lexicon_free(lx);
	lx = NULL;
	const char *empty = tap_tmpdir("analysis-lexicon-empty");
	tap_ok(cu_lexicon_load(empty, &lx, &err) == CU_E_NOTFOUND && strstr(err.msg, "no *.tsv"),
	       "directory without *.tsv: %s", err.msg);
	/* the installed directory when CUSTOS_DATADIR is unset */
	unsetenv("CUSTOS_DATADIR");
	tap_ok(strcmp(cu_analysis_data_dir(), data) != 0 && cu_analysis_data_dir()[0] == '/',
	       "without CUSTOS_DATADIR: the installed directory %s", cu_analysis_data_dir());
	return tap_done();
}
