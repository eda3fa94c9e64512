/*
 * lexicon.c - the code-word lexicon: the shipped TSV files of the data
 * directory (data/lexicon, installed under pkgdatadir/lexicon) plus agency
 * files given with --lexicon. Format in data/lexicon/README.md: one entry a
 * line, "term<TAB>category<TAB>notes<TAB>source"; "#" starts a comment
 * line; a term "!WORD" is an exclusion (an innocent compound); a term
 * "pinyin:VARIANT=CANON", "initials:VARIANT=CANON" or "alias:VARIANT=CANON"
 * is a variant that reports the canonical term.
 */
#include "analysis/analysis_int.h"

#include <dirent.h>
#include <pthread.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef CU_PKGDATADIR
#define CU_PKGDATADIR "/usr/local/share/custos"
#endif

const char *cu_hit_kind_name(enum cu_hit_kind k)
{
	switch (k) {
	case CU_HIT_CODE_WORD: return "code_word";
	case CU_HIT_CRYPTO_ADDRESS: return "crypto_address";
	case CU_HIT_TRACKING_NUMBER: return "tracking_number";
	case CU_HIT_PICKUP_CODE: return "pickup_code";
	case CU_HIT_BANK_CARD: return "bank_card";
	case CU_HIT_PHONE_NUMBER: return "phone_number";
	}
	return "unknown";
}

static char build_tree_dir[4096];
static pthread_once_t build_tree_once = PTHREAD_ONCE_INIT;

static bool has_lexicon(const char *dir)
{
	char p[4200];
	struct stat st;
	snprintf(p, sizeof(p), "%s/lexicon", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <directory of the running program>/../data, when it holds lexicon/. */
static void find_build_tree(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	char cand[4096 + 16];
	snprintf(cand, sizeof(cand), "%s/../data", exe);
	size_t len = strlen(cand);
	if (len < sizeof(build_tree_dir) && has_lexicon(cand))
		memcpy(build_tree_dir, cand, len + 1);
}

const char *cu_analysis_data_dir(void)
{
	const char *d = getenv("CUSTOS_DATADIR");
	if (d && *d)
		return d;
	if (has_lexicon(CU_PKGDATADIR))
		return CU_PKGDATADIR;
	pthread_once(&build_tree_once, find_build_tree);
	return build_tree_dir[0] ? build_tree_dir : CU_PKGDATADIR;
}

static void entry_release(struct cu_lexicon_entry *e)
{
	free(e->pattern);
	free(e->term);
	free(e->category);
}

void cu_lexicon_free(struct cu_lexicon *lx)
{
	if (!lx)
		return;
	for (size_t i = 0; i < lx->n; i++)
		entry_release(&lx->entries[i]);
	free(lx->entries);
	for (size_t i = 0; i < lx->nfiles; i++) {
		free(lx->files[i].path);
		free(lx->files[i].name);
	}
	free(lx->files);
	free(lx);
}

size_t cu_lexicon_terms(const struct cu_lexicon *lx)
{
	return lx ? lx->nterms : 0;
}

size_t cu_lexicon_file_count(const struct cu_lexicon *lx)
{
	return lx ? lx->nfiles : 0;
}

const char *cu_lexicon_file_path(const struct cu_lexicon *lx, size_t i)
{
	return lx && i < lx->nfiles ? lx->files[i].path : NULL;
}

const char *cu_lexicon_file_sha256(const struct cu_lexicon *lx, size_t i)
{
	return lx && i < lx->nfiles ? lx->files[i].sha256 : NULL;
}

static bool ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_emoji_term(const char *p, size_t n)
{
	/* Every code point outside ASCII, CJK and letters: pictographs. */
	size_t i = 0;
	if (!n)
		return false;
	while (i < n) {
		uint32_t c;
		size_t k = cu_utf8_decode((const unsigned char *)p + i, n - i, &c);
		if (!k)
			return false;
		if (!((c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2190 && c <= 0x2bff) ||
		      (c >= 0xfe00 && c <= 0xfe0f) || c == 0x200d))
			return false;
		i += k;
	}
	return true;
}

/* Adds one entry from a parsed line. */
static enum cu_status add_entry(struct cu_lexicon *lx, struct cu_norm *nm, const char *term,
				size_t tlen, const char *canon, size_t clen, const char *category,
				const char *how, bool exclusion, size_t file, struct cu_error *err)
{
	enum cu_status st;
	if ((st = cu_norm_text(nm, term, tlen, CU_NORM_ALL, err)))
		return st;
	size_t plen = nm->main;
	if (plen == 0)
		return CU_OK; /* only separators: nothing to look for */
	if (lx->n >= CU_LEXICON_ENTRY_MAX)
		return cu_error_set(err, CU_E_LIMIT, "more than %zu lexicon entries",
				    CU_LEXICON_ENTRY_MAX);
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 64;
		struct cu_lexicon_entry *e = cu_reallocarray(lx->entries, cap, sizeof(*e));
		if (!e)
			return cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
		lx->entries = e;
		lx->cap = cap;
	}
	struct cu_lexicon_entry *e = &lx->entries[lx->n];
	memset(e, 0, sizeof(*e));
	e->pattern = cu_strndup(nm->text, plen);
	e->plen = plen;
	e->word_start = ascii_alnum((unsigned char)nm->text[0]);
	e->word_end = ascii_alnum((unsigned char)nm->text[plen - 1]);
	/* The canonical term: simplified and half-width, case as written. */
	if ((st = cu_norm_text(nm, canon, clen, CU_NORM_WIDTH | CU_NORM_T2S, err))) {
		entry_release(e);
		return st;
	}
	e->term = cu_strndup(nm->text, nm->main);
	e->category = cu_strdup(category);
	e->how = how ? how : (is_emoji_term(term, tlen) ? "emoji" : "exact");
	e->exclusion = exclusion;
	e->file = file;
	if (!e->pattern || !e->term || !e->category) {
		entry_release(e);
		return cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
	}
	lx->n++;
	if (!exclusion)
		lx->nterms++;
	return CU_OK;
}

static enum cu_status parse_line(struct cu_lexicon *lx, struct cu_norm *nm, char *line, size_t file,
				 struct cu_error *err)
{
	char *fields[4] = {NULL, NULL, NULL, NULL};
	size_t nf = 0;
	char *p = line;
	while (nf < 4) {
		fields[nf++] = p;
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	char *term = fields[0];
	if (nf < 2 || !*term)
		return cu_error_set(err, CU_E_FORMAT,
				    "expected \"term<TAB>category<TAB>notes<TAB>source\"");
	if (strlen(term) > CU_LEXICON_TERM_MAX)
		return cu_error_set(err, CU_E_FORMAT, "term longer than %d bytes",
				    CU_LEXICON_TERM_MAX);
	const char *category = fields[1];
	if (term[0] == '!')
		return add_entry(lx, nm, term + 1, strlen(term + 1), term + 1, strlen(term + 1),
				 category, NULL, true, file, err);
	static const char *const kinds[] = {"pinyin", "initials", "alias"};
	for (size_t k = 0; k < 3; k++) {
		size_t kl = strlen(kinds[k]);
		if (strncmp(term, kinds[k], kl) != 0 || term[kl] != ':')
			continue;
		char *variant = term + kl + 1, *eq = strchr(variant, '=');
		if (!eq || eq == variant || !eq[1])
			return cu_error_set(err, CU_E_FORMAT, "variant '%s' is not %s:VARIANT=TERM",
					    term, kinds[k]);
		return add_entry(lx, nm, variant, (size_t)(eq - variant), eq + 1, strlen(eq + 1),
				 category, kinds[k], false, file, err);
	}
	return add_entry(lx, nm, term, strlen(term), term, strlen(term), category, NULL, false,
			 file, err);
}

enum cu_status cu_lexicon_add_file(struct cu_lexicon *lx, const char *path, struct cu_error *err)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_norm nm;
	enum cu_status st;
	cu_norm_init(&nm);
	if ((st = cu_file_read_all(path, CU_LEXICON_FILE_MAX, &b, err))) {
		cu_error_prefix(err, "lexicon");
		goto out;
	}
	struct cu_lexicon_file *files = cu_reallocarray(lx->files, lx->nfiles + 1, sizeof(*files));
	if (!files) {
		st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
		goto out;
	}
	lx->files = files;
	struct cu_lexicon_file *f = &files[lx->nfiles];
	const char *slash = strrchr(path, '/');
	f->path = cu_strdup(path);
	f->name = cu_strdup(slash ? slash + 1 : path);
	if (!f->path || !f->name) {
		free(f->path);
		free(f->name);
		st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
		goto out;
	}
	cu_sha256_hex(b.data ? b.data : "", b.len, f->sha256);
	size_t file = lx->nfiles++;
	char *text = b.data ? b.data : (char *)"";
	if (memchr(text, '\0', b.len)) {
		st = cu_error_set(err, CU_E_FORMAT, "lexicon '%s': NUL byte; is it a text file?",
				  path);
		goto out;
	}
	if (b.len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	size_t lineno = 0;
	char *line = text;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		bool header = lineno == 1 && strncmp(line, "term\t", 5) == 0;
		if (ll && line[0] != '#' && !header) {
			if ((st = parse_line(lx, &nm, line, file, err))) {
				cu_error_prefix(err, "lexicon '%s' line %zu", path, lineno);
				goto out;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	st = CU_OK;
out:
	cu_norm_release(&nm);
	cu_buf_release(&b);
	return st;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum cu_status cu_lexicon_load(const char *dir, struct cu_lexicon **out, struct cu_error *err)
{
	struct cu_lexicon *lx = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	char *base = NULL;
	enum cu_status st = CU_OK;
	DIR *d = NULL;
	if (!dir) {
		const char *dd = cu_analysis_data_dir();
		size_t k = strlen(dd) + sizeof("/lexicon");
		base = cu_malloc(k);
		if (!base)
			return cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
		snprintf(base, k, "%s/lexicon", dd);
		dir = base;
	}
	lx = cu_calloc(1, sizeof(*lx));
	if (!lx) {
		st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
		goto out;
	}
	d = opendir(dir);
	if (!d) {
		st = cu_error_errno(err, CU_E_NOTFOUND, errno,
				    "lexicon directory '%s' (set CUSTOS_DATADIR to the directory "
				    "holding lexicon/, or reinstall custos)",
				    dir);
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".tsv") != 0 || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = cu_reallocarray(names, cap, sizeof(*nn));
			if (!nn) {
				st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = cu_strdup(de->d_name))) {
			st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		st = cu_error_set(err, CU_E_NOTFOUND,
				  "lexicon directory '%s' has no *.tsv file (set CUSTOS_DATADIR to "
				  "the directory holding lexicon/)",
				  dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(dir) + strlen(names[i]) + 2;
		char *path = cu_malloc(k);
		if (!path) {
			st = cu_error_set(err, CU_E_NOMEM, "lexicon: out of memory");
			goto out;
		}
		snprintf(path, k, "%s/%s", dir, names[i]);
		st = cu_lexicon_add_file(lx, path, err);
		free(path);
		if (st)
			goto out;
	}
	*out = lx;
	lx = NULL;
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(base);
	cu_lexicon_free(lx);
	return st;
}
