/*
 * html_int.h - private helpers of the report writer (report_html.c,
 * forms.c, docx.c). Not a public header.
 */
#ifndef CUSTOS_HTML_INT_H
#define CUSTOS_HTML_INT_H

#include "report/report.h"

/* A streamed output file with a sticky error: callers write freely and
 * check once at hw_close(). Evidence text goes through hw_text/hw_attr. */
struct hw {
	FILE *f;
	char *fbuf;
	char *path;
	struct cu_buf tmp;
	struct cu_error err;
	bool failed;
};

CU_WARN_UNUSED enum cu_status hw_open(struct hw *w, const char *path, struct cu_error *err);
void hw_raw(struct hw *w, const char *s);
void hw_rawn(struct hw *w, const char *s, size_t n);
void hw_printf(struct hw *w, const char *fmt, ...) CU_PRINTF(2, 3);
/* Escaped text (NULL writes nothing); flags as cu_html_escape. */
void hw_textf(struct hw *w, const char *s, size_t n, unsigned flags);
void hw_text(struct hw *w, const char *s);
void hw_text1(struct hw *w, const char *s); /* one line */
/* Every report page's head: CSP, stylesheet (and search.js when search),
 * the navigation of all pages, the title as <h1>; prefix leads to the
 * report's root from the page's folder ("" or "../"). */
void cu_report_page_head(struct hw *w, const char *case_id, const char *title, const char *prefix,
			 bool search);
void hw_attr(struct hw *w, const char *s);
/* Writes the URL of prefix + rel and returns true, or writes nothing and
 * returns false when rel is not a safe relative path. */
bool hw_url(struct hw *w, const char *prefix, const char *rel);
/* Flushes, fsyncs and closes; returns the first error of the file. */
CU_WARN_UNUSED enum cu_status hw_close(struct hw *w, struct cu_error *err);
void hw_abort(struct hw *w);

/* True for a file name whose type a browser shows as media (images, audio,
 * video) and never runs as a document; only these are linked from the
 * evidence. */
bool cu_html_is_safe_media_name(const char *name);
/* True for .svg/.svgz: shown only through <img>, where scripts never run. */
bool cu_html_is_svg_name(const char *name);

/* Writes a whole small file (created, 0644). */
CU_WARN_UNUSED enum cu_status cu_report_write_file(const char *dir, const char *rel,
						   const void *data, size_t n,
						   struct cu_error *err);

/* Everything the forms need, for both moments: inside the package (the
 * content root) and beside it after sealing (the seal hash). */
struct cu_forms_in {
	const json_t *manifest;
	const json_t *files;      /* files[] as in the sealed manifest */
	const char *custody_log;  /* path of the custody log to summarise */
	const char *hash_hex;     /* content root or seal hash */
	bool is_seal;             /* hash_hex is the seal hash */
	const char *package_name; /* NULL inside the package */
	int tz;                   /* minutes east of UTC */
	const char *tz_label;
	unsigned formats;       /* CU_REPORT_HTML | CU_REPORT_DOCX */
	const char *css_prefix; /* where assets/forms.css is, relative to the forms */
};

/* Writes the forms into dir (existing). names receives each written file
 * name followed by '\n'. */
CU_WARN_UNUSED enum cu_status cu_forms_write(const char *dir, const struct cu_forms_in *in,
					     struct cu_buf *names, struct cu_error *err);

/* The print CSS of the forms (A4); forms.css adds the col.wN width classes. */
extern const char cu_forms_css[];

#endif
