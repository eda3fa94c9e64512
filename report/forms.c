/*
 * forms.c - the Chinese forms, as HTML for A4 printing and as .docx:
 * 扣押清单 (three copies, 联), 电子数据现场提取笔录 (only when a phone was
 * acquired, not for an imported image) with its 电子数据提取固定清单, and
 * the lab's 电子数据检查笔录.
 *
 * Every statement comes from the record: the manifest (MANIFEST.md), the
 * inventory (files[]), the custody log (what was run: acquisition, import,
 * decryption, parse, recovery, analysis, export) and case.db (counts per
 * app, files not examined). A step the custody log does not show is never
 * claimed. Wording is Chinese; times are Chinese date-times in the case's
 * zone. The full per-file list is an electronic appendix (a CSV beside the
 * forms, so inside the package) whose SHA-256 the 固定清单 prints.
 *
 * One layout, two renderers: the blocks of each form are laid out in pages
 * here (heights estimated on the tall side), so the HTML prints the same
 * pages as the docx; the docx footer carries PAGE / SECTIONPAGES fields and
 * the per-page signature line. Everything is escaped (cu_html_escape gives
 * text valid in both HTML and XML 1.0).
 */
#include "report/docx_int.h"
#include "report/html_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* A4 text height with 2 cm margins, in twips; table cells are 7 pt. */
#define PAGE_TW  14570
#define CELL_HPT 14
#define TEXT_HPT 21

/* The printable height of A4 with 15 mm margins is 267 mm: a .page is
 * 262 mm at least and grows (one more sheet) only if the layout's estimate
 * were wrong, which the tests catch by counting sheets. */
const char cu_forms_css[] =
    "@page{size:A4;margin:15mm}\n"
    "body{font-family:\"Noto Serif CJK SC\",\"SimSun\",\"Noto Sans CJK SC\",serif;font-size:10.5pt;margin:0;"
    "color:#000;background:#fff}\n"
    ".page{width:180mm;min-height:262mm;margin:0 auto;position:relative;box-sizing:border-box;"
    "padding-bottom:16mm;page-break-after:always;break-after:page}\n"
    ".page:last-child{page-break-after:auto;break-after:auto}\n"
    "h1{text-align:center;font-size:18pt;margin:3mm 0}\n"
    ".center{text-align:center}\n"
    ".mismatch{color:#c00}\n"
    "p{margin:1.2mm 0}\n"
    "table{border-collapse:collapse;width:100%;margin:2mm 0;table-layout:fixed}\n"
    "th,td{border:1px solid #000;padding:0.8mm;font-size:7pt;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:break-all}\n"
    ".hash{font-family:monospace;font-size:9pt}\n"
    "img.qr{width:25mm;height:25mm}\n"
    ".sign{margin-top:2.5mm}\n"
    ".qrseal{display:flex;justify-content:space-between;align-items:flex-end}\n"
    ".sealbox{border:1px solid #000;width:40mm;height:30mm;box-sizing:border-box;padding:1mm;"
    "display:flex;flex-direction:column;justify-content:flex-end;text-align:center;"
    "font-size:9pt}\n"
    ".pno{position:absolute;bottom:0;width:100%;text-align:center;font-size:9pt}\n"
    ".pno p{margin:0.5mm 0}\n"
    "@media screen{body{background:#ddd}.page{background:#fff;padding:10mm 10mm 20mm 10mm;"
    "margin-bottom:10mm;width:200mm;box-shadow:0 0 3px #888}}\n";

#define FORMS_CSP                                                                                  \
	"default-src 'none'; img-src 'self'; style-src 'self'; script-src 'none'; "                \
	"form-action 'none'; base-uri 'none'"

/* The electronic appendix of the 固定清单: every file, one CSV row. */
#define APPENDIX_NAME "extraction-files.csv"

struct fdoc {
	bool docx;
	struct cu_buf b;
	struct cu_error err;
	bool failed;
	unsigned pic_id;
	const struct cu_forms_in *in;
	bool red; /* runs written now are red (a MISMATCH line) */
	/* docx: one footer per section (each form, each copy) */
	struct cu_buf foot[CU_DOCX_MAX_SECTIONS];
	unsigned nsec;
};

static void fd_raw(struct fdoc *d, const char *s)
{
	if (!d->failed && cu_buf_puts(&d->b, s, &d->err) != CU_OK)
		d->failed = true;
}

/* A scratch text's first failure fails the document: no form is written
 * with a line silently missing. */
static void fd_keep(struct fdoc *d, struct cu_text *t)
{
	if (!d->failed && cu_text_finish(t, &d->err) != CU_OK)
		d->failed = true;
}

static void fd_printf(struct fdoc *d, const char *fmt, ...) CU_PRINTF(2, 3);
static void fd_printf(struct fdoc *d, const char *fmt, ...)
{
	va_list ap;
	if (d->failed)
		return;
	va_start(ap, fmt);
	if (cu_buf_vprintf(&d->b, &d->err, fmt, ap) != CU_OK)
		d->failed = true;
	va_end(ap);
}

static void fd_esc(struct fdoc *d, const char *s)
{
	if (!d->failed && s != NULL &&
	    cu_html_escape(&d->b, s, strlen(s), CU_ESC_ONELINE, &d->err) != CU_OK)
		d->failed = true;
}

/* A docx run of escaped text. */
static void x_run(struct fdoc *d, const char *text, bool escape, bool bold, unsigned half_pt)
{
	fd_raw(d, "<w:r>");
	if (bold || half_pt || d->red)
		fd_printf(d, "<w:rPr>%s%s", bold ? "<w:b/>" : "",
			  d->red ? "<w:color w:val=\"C00000\"/>" : "");
	if (half_pt)
		fd_printf(d, "<w:sz w:val=\"%u\"/><w:szCs w:val=\"%u\"/>", half_pt, half_pt);
	if (bold || half_pt || d->red)
		fd_raw(d, "</w:rPr>");
	fd_raw(d, "<w:t xml:space=\"preserve\">");
	if (escape)
		fd_esc(d, text);
	else
		fd_raw(d, text);
	fd_raw(d, "</w:t></w:r>");
}

static void f_page_begin(struct fdoc *d)
{
	if (!d->docx)
		fd_raw(d, "<section class=\"page\">\n");
}

/* The end of a page. HTML: the per-page signature line and the page
 * number at the bottom of the sheet. docx: both are in the footer (fields);
 * a page break, or a section break when the next page starts a new copy. */
static void f_page_end(struct fdoc *d, const char *pageline, int x, int y, bool last,
		       bool new_section)
{
	if (!d->docx) {
		fd_raw(d, "<div class=\"pno\"><p>");
		fd_esc(d, pageline);
		fd_printf(d, "</p><p>第 %d 页 共 %d 页</p></div>\n</section>\n", x, y);
		return;
	}
	if (last)
		return;
	if (new_section) {
		fd_raw(d, "<w:p><w:pPr>");
		if (!d->failed && cu_docx_sect_pr(&d->b, d->nsec, &d->err) != CU_OK)
			d->failed = true;
		fd_raw(d, "</w:pPr></w:p>");
	} else
		fd_raw(d, "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
}

static void f_title(struct fdoc *d, const char *title)
{
	if (!d->docx) {
		fd_raw(d, "<h1>");
		fd_esc(d, title);
		fd_raw(d, "</h1>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"200\"/></w:pPr>");
	x_run(d, title, true, true, 36);
	fd_raw(d, "</w:p>");
}

static void f_center(struct fdoc *d, const char *text, bool bold)
{
	if (!d->docx) {
		fd_raw(d, bold ? "<p class=\"center\"><b>" : "<p class=\"center\">");
		fd_esc(d, text);
		fd_raw(d, bold ? "</b></p>\n" : "</p>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:keepNext/><w:jc w:val=\"center\"/></w:pPr>");
	x_run(d, text, true, bold, 0);
	fd_raw(d, "</w:p>");
}

/* "label：value"; a missing value leaves a line to fill in by hand. red:
 * a fact the device contradicts (MISMATCH). */
static void f_line_c(struct fdoc *d, const char *label, const char *value, bool red)
{
	const char *v = value != NULL && *value ? value : "＿＿＿＿＿＿＿＿＿＿";
	d->red = red;
	if (!d->docx) {
		fd_raw(d, red ? "<p class=\"mismatch\"><b>" : "<p><b>");
		fd_esc(d, label);
		fd_raw(d, "：</b>");
		fd_esc(d, v);
		fd_raw(d, "</p>\n");
		d->red = false;
		return;
	}
	fd_raw(d, "<w:p>");
	x_run(d, label, true, true, 0);
	x_run(d, "：", false, true, 0);
	x_run(d, v, true, false, 0);
	fd_raw(d, "</w:p>");
	d->red = false;
}

static void f_tbl_begin(struct fdoc *d, size_t n, const unsigned *tw, const char *const *heads)
{
	if (!d->docx) {
		/* Column widths as classes (no inline style under the CSP):
		 * the same proportions as the docx grid of 9638 twips. */
		fd_raw(d, "<table><colgroup>");
		for (size_t i = 0; i < n; i++)
			fd_printf(d, "<col class=\"w%u\">", (tw[i] * 100 + 4819) / 9638);
		fd_raw(d, "</colgroup><thead><tr>");
		for (size_t i = 0; i < n; i++) {
			fd_raw(d, "<th>");
			fd_esc(d, heads[i]);
			fd_raw(d, "</th>");
		}
		fd_raw(d, "</tr></thead><tbody>\n");
		return;
	}
	fd_raw(d, "<w:tbl><w:tblPr><w:tblW w:w=\"9638\" w:type=\"dxa\"/><w:tblBorders>"
		  "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
		  "</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>");
	for (size_t i = 0; i < n; i++)
		fd_printf(d, "<w:gridCol w:w=\"%u\"/>", tw[i]);
	fd_raw(d, "</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
	for (size_t i = 0; i < n; i++) {
		fd_printf(d, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/></w:tcPr><w:p>",
			  tw[i]);
		x_run(d, heads[i], true, true, 16);
		fd_raw(d, "</w:p></w:tc>");
	}
	fd_raw(d, "</w:tr>");
}

static void f_tbl_row(struct fdoc *d, size_t n, const unsigned *tw, char *const *cells)
{
	if (!d->docx) {
		fd_raw(d, "<tr>");
		for (size_t i = 0; i < n; i++) {
			fd_raw(d, "<td>");
			fd_esc(d, cells[i] ? cells[i] : "");
			fd_raw(d, "</td>");
		}
		fd_raw(d, "</tr>\n");
		return;
	}
	fd_raw(d, "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
	for (size_t i = 0; i < n; i++) {
		fd_printf(d, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/></w:tcPr><w:p>",
			  tw[i]);
		x_run(d, cells[i] ? cells[i] : "", true, false, 14);
		fd_raw(d, "</w:p></w:tc>");
	}
	fd_raw(d, "</w:tr>");
}

static void f_tbl_end(struct fdoc *d)
{
	/* docx: a table must be followed by a paragraph; a small one. */
	fd_raw(d, d->docx ? "</w:tbl><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"120\" "
			    "w:lineRule=\"exact\"/></w:pPr></w:p>"
			  : "</tbody></table>\n");
}

static void f_sign(struct fdoc *d, const char *role, const char *name)
{
	char t[512];
	snprintf(t, sizeof(t), "%s：%s  签名（捺印）：＿＿＿＿＿＿＿＿  ＿＿＿＿年＿＿月＿＿日",
		 role, name && *name ? name : "＿＿＿＿＿＿");
	if (!d->docx) {
		fd_raw(d, "<p class=\"sign\">");
		fd_esc(d, t);
		fd_raw(d, "</p>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:keepNext/><w:spacing w:before=\"120\"/></w:pPr>");
	x_run(d, t, true, false, 0);
	fd_raw(d, "</w:p>");
}

static const char x_border[] = "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
			       "w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" "
			       "w:space=\"0\" w:color=\"000000\"/><w:bottom w:val=\"single\" "
			       "w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:right "
			       "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>";

/* The hash block: grouped hex and the QR code; unit: the box for the
 * unit's seal (印), 40 x 30 mm, beside the QR code. */
static void f_hash(struct fdoc *d, const char *unit)
{
	char seal[512];
	const struct cu_forms_in *in = d->in;
	char g[80];
	const char *label = in->is_seal ? "封存值（证据包清单文件 manifest.json 的 SHA-256 值）"
					: "内容根（全部检材文件的默克尔树根，RFC 6962）";

	cu_report_group_hex(in->hash_hex, g);
	if (!d->docx) {
		fd_raw(d, "<p><b>");
		fd_esc(d, label);
		fd_raw(d, "：</b><br><span class=\"hash\">");
		fd_esc(d, g);
		fd_raw(d, "</span></p>\n");
		if (in->package_name != NULL) {
			fd_raw(d, "<p>证据包：");
			fd_esc(d, in->package_name);
			fd_raw(d, "</p>\n");
		}
		fd_raw(d, "<div class=\"qrseal\"><img class=\"qr\" src=\"qr.png\" alt=\"二维码\">");
		if (unit != NULL) {
			snprintf(seal, sizeof(seal), "%s（印）", *unit ? unit : "办案单位");
			fd_raw(d, "<div class=\"sealbox\">");
			fd_esc(d, seal);
			fd_raw(d, "</div>");
		}
		fd_raw(d, "</div>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:keepNext/></w:pPr>");
	x_run(d, label, true, true, 0);
	x_run(d, "：", false, true, 0);
	fd_raw(d, "</w:p><w:p><w:pPr><w:keepNext/></w:pPr>");
	/* 9 pt monospace: the 79 characters fit one line of A4. */
	fd_raw(d, "<w:r><w:rPr><w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\"/>"
		  "<w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\">");
	fd_esc(d, g);
	fd_raw(d, "</w:t></w:r></w:p>");
	if (in->package_name != NULL) {
		fd_raw(d, "<w:p><w:pPr><w:keepNext/></w:pPr>");
		x_run(d, "证据包：", false, false, 0);
		x_run(d, in->package_name, true, false, 0);
		fd_raw(d, "</w:p>");
	}
	d->pic_id++;
	/* QR and seal box side by side: a table without borders but the box. */
	fd_raw(d, "<w:tbl><w:tblPr><w:tblW w:w=\"9638\" w:type=\"dxa\"/><w:tblLayout "
		  "w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"7370\"/><w:gridCol "
		  "w:w=\"2268\"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr>"
		  "<w:tcW w:w=\"7370\" w:type=\"dxa\"/></w:tcPr>");
	/* 25 mm square: 900000 EMU. */
	fd_printf(d,
		  "<w:p><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" "
		  "distR=\"0\"><wp:extent cx=\"900000\" cy=\"900000\"/><wp:docPr id=\"%u\" "
		  "name=\"QR %u\"/><a:graphic><a:graphicData "
		  "uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>"
		  "<pic:nvPicPr><pic:cNvPr id=\"%u\" name=\"qr.png\"/><pic:cNvPicPr/>"
		  "</pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdQR\"/><a:stretch>"
		  "<a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" "
		  "y=\"0\"/><a:ext cx=\"900000\" cy=\"900000\"/></a:xfrm><a:prstGeom "
		  "prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>"
		  "</a:graphic></wp:inline></w:drawing></w:r></w:p>",
		  d->pic_id, d->pic_id, d->pic_id);
	fd_raw(d, "</w:tc><w:tc><w:tcPr><w:tcW w:w=\"2268\" w:type=\"dxa\"/>");
	if (unit != NULL) {
		fd_raw(d, "<w:tcBorders>");
		fd_raw(d, x_border);
		fd_raw(d, "</w:tcBorders>");
	}
	fd_raw(d, "<w:vAlign w:val=\"bottom\"/></w:tcPr><w:p><w:pPr><w:jc w:val=\"center\"/>"
		  "</w:pPr>");
	if (unit != NULL) {
		snprintf(seal, sizeof(seal), "%s（印）", *unit ? unit : "办案单位");
		x_run(d, seal, true, false, 18);
	}
	fd_raw(d, "</w:p></w:tc></w:tr></w:tbl><w:p><w:pPr><w:spacing w:after=\"0\" w:line=\"120\" "
		  "w:lineRule=\"exact\"/></w:pPr></w:p>");
}

/*
 * Height estimates. The height of every paragraph and row is estimated
 * from its text (full-width characters 1 em, others 0.6 em, 15% slack for
 * line breaking, CJK line height); pages are filled greedily. The estimate
 * errs on the tall side: a page may end early, never overflow.
 */
static unsigned est_lines(const char *s, unsigned tw, unsigned half_pt)
{
	/* Capacity in tenths of an em, 85% of the cell's text width. */
	unsigned cap = tw > 200 ? (tw - 150) * 10 / (half_pt * 10) * 85 / 100 : 1, cur = 0, n = 1;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	if (cap < 10)
		cap = 10;
	while (*p != '\0') {
		unsigned w;
		if (*p == '\n') {
			n++;
			cur = 0;
			p++;
			continue;
		}
		if (*p < 0x80) {
			w = 5; /* Latin letters and digits: half an em or less */
			p++;
		} else {
			w = *p >= 0xe0 ? 10 : 6; /* 3- and 4-byte sequences: CJK, symbols */
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
		if (cur + w > cap) {
			n++;
			cur = 0;
		}
		cur += w;
	}
	return n;
}

/* Height of a paragraph or table row in twips (CJK fonts: ~1.45 em lines
 * at 1.15 spacing, plus the paragraph's spacing or the cell's margins). */
static unsigned est_para(const char *s, unsigned half_pt)
{
	return est_lines(s, 9638, half_pt) * half_pt * 15 + 80;
}

static unsigned est_cells(char *const *cells, const unsigned *tw, size_t n)
{
	unsigned lines = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned l = est_lines(cells[i], tw[i], CELL_HPT);
		if (l > lines)
			lines = l;
	}
	return lines * CELL_HPT * 15 + 120;
}

#define TITLE_TW  (36 * 17 + 300)
#define FOOTER_TW 700 /* HTML: the .pno block in the page's bottom padding */
#define TABLE_END 200

/* ------------------------------------------------------------------ */
/* a form as blocks, laid out in pages                                 */
/* ------------------------------------------------------------------ */

enum bkind { B_LINE, B_CENTER, B_SUB, B_ROW, B_SIGN, B_HASH };

struct blk {
	enum bkind k;
	int tbl;
	bool red;
	char *a, *b;
	char **cells;
	unsigned h;
};

#define MAX_COLS   10
#define MAX_TABLES 8

struct tbl {
	size_t n;
	unsigned tw[MAX_COLS];
	const char *heads[MAX_COLS];
	unsigned head_h;
};

struct form {
	const char *title;
	const char *copy;     /* the copy (联) line under the title, or NULL */
	const char *pageline; /* the per-page signature line */
	struct blk *v;
	size_t n, cap;
	struct tbl t[MAX_TABLES];
	int nt;
	size_t closing; /* first block kept together with the last row before it */
	bool oom;
};

static char *dupz(const char *s)
{
	return cu_strdup(s != NULL ? s : "");
}

static struct blk *fm_add(struct form *fm, enum bkind k)
{
	if (fm->oom)
		return NULL;
	if (fm->n == fm->cap) {
		size_t cap = fm->cap ? fm->cap * 2 : 64;
		struct blk *v = cu_reallocarray(fm->v, cap, sizeof(*v));
		if (v == NULL) {
			fm->oom = true;
			return NULL;
		}
		fm->v = v;
		fm->cap = cap;
	}
	memset(&fm->v[fm->n], 0, sizeof(fm->v[0]));
	fm->v[fm->n].k = k;
	fm->v[fm->n].tbl = -1;
	return &fm->v[fm->n++];
}

static unsigned line_tw(const char *label, const char *value)
{
	struct cu_buf t = CU_BUF_INIT;
	struct cu_error e;
	unsigned h;

	if (cu_buf_printf(&t, &e, "%s：%s", label ? label : "",
			  value && *value ? value : "＿＿＿＿＿＿＿＿＿＿") != CU_OK)
		return PAGE_TW; /* cannot measure: a page of its own */
	h = est_para(t.data, TEXT_HPT);
	cu_buf_release(&t);
	return h;
}

static void fm_line_c(struct form *fm, const char *label, const char *value, bool red)
{
	struct blk *b = fm_add(fm, B_LINE);
	if (b == NULL)
		return;
	b->a = dupz(label);
	b->b = value != NULL ? cu_strdup(value) : NULL;
	b->red = red;
	b->h = line_tw(label, value);
	if (b->a == NULL || (value != NULL && b->b == NULL))
		fm->oom = true;
}

static void fm_line(struct form *fm, const char *label, const char *value)
{
	fm_line_c(fm, label, value, false);
}

static void fm_text(struct form *fm, enum bkind k, const char *text)
{
	struct blk *b = fm_add(fm, k);
	if (b == NULL)
		return;
	if ((b->a = dupz(text)) == NULL)
		fm->oom = true;
	b->h = est_para(text, TEXT_HPT) + 60;
}

static void fm_sign(struct form *fm, const char *role, const char *name)
{
	char t[512];
	struct blk *b = fm_add(fm, B_SIGN);
	if (b == NULL)
		return;
	b->a = dupz(role);
	b->b = dupz(name);
	if (b->a == NULL || b->b == NULL)
		fm->oom = true;
	snprintf(t, sizeof(t), "%s：%s  签名（捺印）：＿＿＿＿＿＿＿＿  ＿＿＿＿年＿＿月＿＿日",
		 role, name && *name ? name : "＿＿＿＿＿＿");
	b->h = est_para(t, TEXT_HPT) + 140;
}

/* The hash block; unit: with the unit's seal box (NULL: without). */
static void fm_hash(struct form *fm, const struct cu_forms_in *in, const char *unit)
{
	struct blk *b = fm_add(fm, B_HASH);
	if (b == NULL)
		return;
	if (unit != NULL && (b->a = dupz(unit)) == NULL)
		fm->oom = true;
	b->h = est_para("x", TEXT_HPT) * 2 +
	       (in->package_name ? line_tw("证据包", in->package_name) : 0) + 1650;
}

static int fm_table(struct form *fm, size_t n, const unsigned *tw, const char *const *heads)
{
	struct tbl *t;
	char *h[MAX_COLS];
	if (fm->nt >= MAX_TABLES || n > MAX_COLS)
		CU_BUG("forms: too many tables or columns");
	t = &fm->t[fm->nt];
	t->n = n;
	for (size_t i = 0; i < n; i++) {
		t->tw[i] = tw[i];
		t->heads[i] = heads[i];
		h[i] = (char *)heads[i];
	}
	t->head_h = est_cells(h, tw, n);
	return fm->nt++;
}

/* A row of table tbl; cells are copied. */
static void fm_row(struct form *fm, int tbl, const char *const *cells)
{
	struct blk *b = fm_add(fm, B_ROW);
	size_t n = fm->t[tbl].n;
	if (b == NULL)
		return;
	b->tbl = tbl;
	if ((b->cells = cu_calloc(n, sizeof(char *))) == NULL) {
		fm->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((b->cells[i] = dupz(cells[i])) == NULL)
			fm->oom = true;
	if (!fm->oom)
		b->h = est_cells(b->cells, fm->t[tbl].tw, n);
}

static void fm_closing(struct form *fm)
{
	fm->closing = fm->n;
}

static void fm_release(struct form *fm)
{
	for (size_t i = 0; i < fm->n; i++) {
		struct blk *b = &fm->v[i];
		free(b->a);
		free(b->b);
		if (b->cells != NULL) {
			for (size_t c = 0; c < fm->t[b->tbl].n; c++)
				free(b->cells[c]);
			free(b->cells);
		}
	}
	free(fm->v);
	memset(fm, 0, sizeof(*fm));
}

static unsigned page_budget(const struct form *fm)
{
	unsigned head = TITLE_TW + FOOTER_TW + 240 + (fm->copy ? est_para(fm->copy, TEXT_HPT) : 0);
	return head < PAGE_TW ? PAGE_TW - head : 1;
}

/*
 * Splits the blocks into pages: starts[p] is the first block of page p,
 * starts[pages] = n. A table row that opens a table on a page also costs
 * the (repeated) header. The closing group (fm->closing .. n: signatures,
 * seal box, hash) stays on the page of the last row before it: when it does
 * not fit there, that row moves to the next page with it, so no page holds
 * signatures under an empty table. Returns the page count (>= 1), 0 when
 * out of memory.
 */
static size_t fm_paginate(const struct form *fm, size_t **starts)
{
	size_t *st = cu_calloc(fm->n + 2, sizeof(*st)), pages = 0;
	unsigned budget = page_budget(fm), used = 0, closing_h = 0;
	int open = -1;

	*starts = st;
	if (st == NULL)
		return 0;
	for (size_t i = fm->closing; i < fm->n; i++)
		closing_h += fm->v[i].h;
	st[pages++] = 0;
	for (size_t i = 0; i < fm->n; i++) {
		const struct blk *b = &fm->v[i];
		unsigned h = b->h + (b->k == B_ROW && b->tbl != open ? fm->t[b->tbl].head_h : 0);
		unsigned need = h;

		/* A subtitle stays with what follows it. */
		if (b->k == B_SUB && i + 1 < fm->n)
			need += fm->v[i + 1].h +
				(fm->v[i + 1].k == B_ROW ? fm->t[fm->v[i + 1].tbl].head_h : 0);

		if (i == fm->closing && i > 0 && used + closing_h > budget) {
			/* Keep the closing group with the last row. */
			size_t j = i;
			const struct blk *p = &fm->v[i - 1];
			if (i - 1 > st[pages - 1] &&
			    p->h + (p->k == B_ROW ? fm->t[p->tbl].head_h : 0) + closing_h <= budget)
				j = i - 1;
			st[pages++] = j;
			used = 0;
			open = -1;
			for (size_t k = j; k < i; k++) {
				used += fm->v[k].h + (fm->v[k].k == B_ROW && fm->v[k].tbl != open
							  ? fm->t[fm->v[k].tbl].head_h
							  : 0);
				open = fm->v[k].k == B_ROW ? fm->v[k].tbl : -1;
			}
			h = b->h;
		} else if (used > 0 && used + need > budget) {
			st[pages++] = i;
			used = 0;
			open = -1;
			h = b->h + (b->k == B_ROW ? fm->t[b->tbl].head_h : 0);
		}
		if (b->k == B_ROW && b->tbl != open)
			used += TABLE_END;
		used += h;
		open = b->k == B_ROW ? b->tbl : -1;
	}
	st[pages] = fm->n;
	return pages;
}

/* The docx footer of a section: the per-page signature line and
 * 第 X 页 共 Y 页, X the PAGE field (from 1 in each section). Y is the
 * NUMPAGES field when the document is one section; with several (copies,
 * 联) it is the section's page count as laid out here (LibreOffice does not
 * render SECTIONPAGES), which the tests check against the rendered pages. */
static enum cu_status docx_footer(struct cu_buf *out, const char *pageline, size_t pages,
				  bool single, struct cu_error *err)
{
	enum cu_status st;
	if ((st = cu_buf_puts(
		 out,
		 "<w:p><w:pPr><w:spacing w:after=\"0\"/><w:jc w:val=\"center\"/></w:pPr>"
		 "<w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\">",
		 err)) != CU_OK ||
	    (st = cu_html_escape(out, pageline, strlen(pageline), CU_ESC_ONELINE, err)) != CU_OK ||
	    (st = cu_buf_puts(
		 out,
		 "</w:t></w:r></w:p><w:p><w:pPr><w:spacing w:after=\"0\"/><w:jc w:val=\"center\"/>"
		 "</w:pPr><w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\">第 "
		 "</w:t></w:r><w:fldSimple w:instr=\" PAGE \"><w:r><w:rPr><w:sz w:val=\"18\"/>"
		 "</w:rPr><w:t>1</w:t></w:r></w:fldSimple><w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t "
		 "xml:space=\"preserve\"> 页 共 </w:t></w:r>",
		 err)) != CU_OK)
		return st;
	if (single)
		st = cu_buf_printf(out, err,
				   "<w:fldSimple w:instr=\" NUMPAGES \"><w:r><w:rPr><w:sz "
				   "w:val=\"18\"/></w:rPr><w:t>%zu</w:t></w:r></w:fldSimple>",
				   pages);
	else
		st = cu_buf_printf(out, err,
				   "<w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t>%zu</w:t></w:r>",
				   pages);
	if (st != CU_OK)
		return st;
	return cu_buf_puts(out,
			   "<w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\"> "
			   "页</w:t></w:r></w:p>",
			   err);
}

static void fd_block(struct fdoc *d, const struct form *fm, const struct blk *b)
{
	(void)fm;
	switch (b->k) {
	case B_LINE: f_line_c(d, b->a, b->b, b->red); break;
	case B_CENTER: f_center(d, b->a, false); break;
	case B_SUB: f_center(d, b->a, true); break;
	case B_SIGN: f_sign(d, b->a, b->b); break;
	case B_HASH: f_hash(d, b->a); break;
	case B_ROW: break;
	}
}

/* Renders the form's pages; last: the last pages of the document. */
static void fd_form(struct fdoc *d, const struct form *fm, bool last, bool new_section_after)
{
	size_t *st = NULL, pages;

	if (fm->oom) {
		if (!d->failed)
			cu_error_set(&d->err, CU_E_NOMEM, "forms: out of memory");
		d->failed = true;
		return;
	}
	pages = fm_paginate(fm, &st);
	if (pages == 0) {
		if (!d->failed)
			cu_error_set(&d->err, CU_E_NOMEM, "forms: out of memory");
		d->failed = true;
		free(st);
		return;
	}
	if (d->docx) {
		if (d->nsec >= CU_DOCX_MAX_SECTIONS)
			CU_BUG("forms: too many sections");
		if (!d->failed &&
		    docx_footer(&d->foot[d->nsec], fm->pageline, pages,
				d->nsec == 0 && last && !new_section_after, &d->err) != CU_OK)
			d->failed = true;
		d->nsec++;
	}
	for (size_t p = 0; p < pages; p++) {
		int open = -1;
		f_page_begin(d);
		f_title(d, fm->title);
		if (fm->copy != NULL)
			f_center(d, fm->copy, false);
		for (size_t i = st[p]; i < st[p + 1]; i++) {
			const struct blk *b = &fm->v[i];
			if (b->k == B_ROW) {
				if (open != b->tbl) {
					if (open >= 0)
						f_tbl_end(d);
					f_tbl_begin(d, fm->t[b->tbl].n, fm->t[b->tbl].tw,
						    fm->t[b->tbl].heads);
					open = b->tbl;
				}
				f_tbl_row(d, fm->t[b->tbl].n, fm->t[b->tbl].tw, b->cells);
				continue;
			}
			if (open >= 0) {
				f_tbl_end(d);
				open = -1;
			}
			fd_block(d, fm, b);
		}
		if (open >= 0)
			f_tbl_end(d);
		f_page_end(d, fm->pageline, (int)p + 1, (int)pages, last && p + 1 == pages,
			   new_section_after && p + 1 == pages);
	}
	free(st);
}

/* ------------------------------------------------------------------ */
/* facts: manifest, custody log, case.db                               */
/* ------------------------------------------------------------------ */

static const char *js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long ji(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* "2026年11月22日21时40分" in the case's zone; "" when absent. */
static void cn_time(const struct cu_forms_in *in, const char *rfc3339, char *out, size_t n)
{
	int64_t ms;
	char t[CU_LOCAL_TIME_STR];
	int y, mo, d, h, mi;

	if (rfc3339 != NULL && cu_time_parse(rfc3339, &ms) && cu_report_local_time(ms, in->tz, t) &&
	    sscanf(t, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5)
		snprintf(out, n, "%d年%d月%d日%d时%02d分", y, mo, d, h, mi);
	else
		snprintf(out, n, "%s", "");
}

/* Appends "名：值；" for every non-null value (lists joined by 、). */
static void describe(struct cu_text *t, const json_t *o, const char *const (*names)[2])
{
	const struct cu_buf *b = t->out;

	for (size_t i = 0; names[i][0] != NULL; i++) {
		const json_t *v = json_object_get(o, names[i][0]);
		if (v == NULL || json_is_null(v))
			continue;
		if (json_is_array(v)) {
			size_t k;
			const json_t *x;
			if (json_array_size(v) == 0)
				continue;
			cu_text_printf(t, "%s%s：", b->len ? "；" : "", names[i][1]);
			json_array_foreach(v, k, x)
			{
				if (json_is_string(x))
					cu_text_printf(t, "%s%s", k ? "、" : "",
						       json_string_value(x));
			}
		} else if (json_is_string(v) && *json_string_value(v)) {
			cu_text_printf(t, "%s%s：%s", b->len ? "；" : "", names[i][1],
				       json_string_value(v));
		} else if (json_is_integer(v)) {
			cu_text_printf(t, "%s%s：%lld", b->len ? "；" : "", names[i][1],
				       (long long)json_integer_value(v));
		} else if (json_is_boolean(v)) {
			cu_text_printf(t, "%s%s：%s", b->len ? "；" : "", names[i][1],
				       json_is_true(v) ? "是" : "否");
		}
	}
}

static const char *const feature_names[][2] = {
    {"make", "品牌"}, {"model", "型号"}, {"colour", "颜色"}, {"damage", "外观"}, {NULL, NULL}};
static const char *const ident_names[][2] = {
    {"imei", "IMEI"},   {"meid", "MEID"}, {"serial", "序列号"}, {"udid", "UDID"}, {"ecid", "ECID"},
    {"iccid", "ICCID"}, {"imsi", "IMSI"}, {"msisdn", "号码"},   {NULL, NULL}};
static const char *const state_names[][2] = {{"powered", "开机"},
					     {"locked", "锁屏"},
					     {"battery_pct", "电量（%）"},
					     {"airplane_mode", "飞行模式"},
					     {"radios", "无线"},
					     {"screen", "屏幕"},
					     {NULL, NULL}};

static const char *item_name(const json_t *m, const char *item_id)
{
	struct cu_item_facts f;

	cu_manifest_item_facts(cu_manifest_item_in(m, CU_MANIFEST_SEIZED, item_id), &f);
	return f.name;
}

/* The name of an item on the forms; an item the seizure list does not
 * name says so (the caller adds the reason import recorded). */
static const char *item_label(const json_t *m, const char *iid)
{
	const char *name = item_name(m, iid);

	if (name != NULL || iid == NULL ||
	    cu_manifest_item_in(m, CU_MANIFEST_SEIZED, iid) != NULL ||
	    json_array_size(cu_manifest_items(m, CU_MANIFEST_SEIZED)) == 0)
		return name;
	return "未列入扣押清单";
}

static void names_of(struct cu_text *t, const json_t *arr)
{
	const struct cu_buf *b = t->out;
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *n = json_is_string(x) ? json_string_value(x) : js(x, "name");
		if (n != NULL)
			cu_text_printf(t, "%s%s", b->len ? "、" : "", n);
	}
}

/* Chinese names of the record's English values; unknown values are shown
 * as they are (an identifier, never a sentence). */
static const char *cn_of(const char *const (*tab)[2], const char *v)
{
	if (v == NULL)
		return NULL;
	for (size_t i = 0; tab[i][0] != NULL; i++)
		if (strcmp(tab[i][0], v) == 0)
			return tab[i][1];
	return v;
}

static const char *const event_cn[][2] = {{"CASE_INIT", "建立案件"},
					  {"MANIFEST_CHANGE", "修改案件信息"},
					  {"SEIZE", "扣押"},
					  {"DEVICE_STATE", "记录设备状态"},
					  {"ACQUIRE_START", "开始提取"},
					  {"COMMAND", "设备命令"},
					  {"DEVICE_CHANGE", "设备变更"},
					  {"ACQUIRE_END", "提取完成"},
					  {"IMPORT", "导入"},
					  {"MISMATCH", "信息不符"},
					  {"DERIVE", "解密"},
					  {"PARSE", "解析"},
					  {"ANALYZE", "比对分析"},
					  {"EXPORT", "导出"},
					  {"REPORT", "生成报告"},
					  {"SEAL", "封存"},
					  {"TRANSFER", "移交"},
					  {"RECEIVE", "接收"},
					  {"VERIFY", "校验"},
					  {"UNSEAL", "启封"},
					  {"PRINT", "打印"},
					  {"SIGN", "签名"},
					  {"NOTE", "备注"},
					  {"ERROR", "异常"},
					  {NULL, NULL}};
static const char *const format_cn[][2] = {{"ios-backup", "iOS 备份"},
					   {"android-ab", "安卓备份文件"},
					   {"android-tar", "安卓 tar 归档"},
					   {"android-zip", "安卓 zip 归档"},
					   {"android-dir", "安卓目录"},
					   {"dir", "目录"},
					   {"tar", "tar 归档"},
					   {"tar.gz", "tar.gz 归档"},
					   {"zip", "zip 归档"},
					   {NULL, NULL}};
static const char *const method_cn[][2] = {{"import", "导入所收镜像"},
					   {"adb", "经 ADB 连接逻辑提取"},
					   {"mobilebackup2", "经 USB 连接制作 iOS 备份"},
					   {NULL, NULL}};
static const char *const status_cn[][2] = {{"complete", "完成"},
					   {"partial", "部分完成"},
					   {"running", "未完成"},
					   {"failed", "失败"},
					   {NULL, NULL}};
/* DERIVE methods by prefix (the method string goes on with parameters). */
static const char *const derive_cn[][2] = {
    {"ios-backup-aes256-cbc", "以备份密码解密 iOS 加密备份（AES-256）"},
    {"wechat-sqlcipher", "以设备 IMEI 与微信用户号推导密钥，解密微信数据库（SQLCipher）"},
    {"whatsapp-crypt", "以密钥文件解密 WhatsApp 加密数据库备份"},
    {"decryption", "解密"},
    {NULL, NULL}};

static const char *derive_name(const char *method)
{
	for (size_t i = 0; method != NULL && derive_cn[i][0] != NULL; i++)
		if (strncmp(method, derive_cn[i][0], strlen(derive_cn[i][0])) == 0)
			return derive_cn[i][1];
	return "解密（方法见监管日志）";
}

/* Files a DERIVE entry wrote: details.files (import, acquisition) or its
 * outputs[] (a parser's decryption). */
static long long derive_count(const json_t *d)
{
	return json_is_integer(json_object_get(d, "files"))
		   ? (long long)json_integer_value(json_object_get(d, "files"))
		   : (long long)json_array_size(json_object_get(d, "outputs"));
}
static const char *const count_cn[][3] = {
    {"accounts", "账户", "个"},  {"contacts", "联系人", "个"},    {"conversations", "会话", "个"},
    {"messages", "消息", "条"},  {"calls", "通话记录", "条"},     {"payments", "支付记录", "条"},
    {"media", "媒体文件", "个"}, {"locations", "位置记录", "条"}, {NULL, NULL, NULL}};
static const char *const app_cn[][2] = {{"sms", "短信"},
					{"imessage", "iMessage 消息"},
					{"wechat", "微信消息"},
					{"qq", "QQ 消息"},
					{"whatsapp", "WhatsApp 消息"},
					{"telegram", "Telegram 消息"},
					{"signal", "Signal 消息"},
					{"alipay", "支付宝消息"},
					{"contacts", "通讯录"},
					{"calls", "通话记录"},
					{NULL, NULL}};
static const char *const field_cn[][2] = {
    {"imei", "IMEI"},           {"serial", "序列号"}, {"iccid", "ICCID"}, {"msisdn", "号码"},
    {"os_version", "系统版本"}, {"model", "型号"},    {"make", "品牌"},   {"meid", "MEID"},
    {"udid", "UDID"},           {"os", "操作系统"},   {NULL, NULL}};
static const char *const hit_cn[][2] = {{"code_word", "暗语关键词"},
					{"crypto_address", "虚拟货币地址"},
					{"tracking_number", "快递单号"},
					{"pickup_code", "取件码"},
					{"bank_card", "银行卡号"},
					{"phone_number", "电话号码"},
					{NULL, NULL}};
static const char *const reason_cn[][2] = {{"unsupported", "本工具不支持的格式"},
					   {"encrypted-no-key", "加密且无密钥"},
					   {"damaged", "文件损坏"},
					   {"refused", "解析时被拒绝"},
					   {NULL, NULL}};
static const char *const export_cn[][2] = {{"messages", "消息"},   {"calls", "通话记录"},
					   {"contacts", "联系人"}, {"payments", "支付记录"},
					   {"timeline", "时间线"}, {"hits", "命中记录"},
					   {"links", "关联关系"},  {"case-uco", "CASE/UCO 数据"},
					   {"graph", "关系图"},    {NULL, NULL}};
/* File formats (cu_seal_format) in words a reviewer reads. */
static const char *const fileformat_cn[][2] = {
    {"plist", "属性列表文件"}, {"XML", "标记语言文本"}, {"JSON", "结构化文本"}, {NULL, NULL}};

/* What the custody log shows happened. */
struct events {
	json_t *all;              /* every entry's body, in order */
	json_t *parse;            /* the last PARSE body, or NULL */
	json_t *derived;          /* evidence paths a DERIVE decrypted: object path -> true */
	json_t *actors;           /* examiners who ran steps, in order of appearance */
	const char *first, *last; /* times of the first and last examination step */
};

static bool is_exam_event(const char *e)
{
	static const char *const k[] = {"ACQUIRE_START", "ACQUIRE_END", "IMPORT", "DERIVE",
					"PARSE",         "ANALYZE",     "EXPORT", "REPORT"};
	for (size_t i = 0; e != NULL && i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(e, k[i]) == 0)
			return true;
	return false;
}

static void add_name(json_t *arr, const char *name)
{
	size_t i;
	const json_t *x;
	if (name == NULL || *name == '\0')
		return;
	json_array_foreach(arr, i, x) if (strcmp(json_string_value(x), name) == 0) return;
	json_array_append_new(arr, json_string(name));
}

static enum cu_status collect_event(const struct cu_custody_entry *e, void *ctx,
				    struct cu_error *err)
{
	struct events *ev = ctx;
	const json_t *b = json_object_get(e->json, "body");
	const char *event = js(b, "event");
	const json_t *actor = json_object_get(b, "actor");
	json_t *copy = json_deep_copy(b);

	if (copy == NULL || json_array_append_new(ev->all, copy) != 0)
		return cu_error_set(err, CU_E_NOMEM, "forms: out of memory");
	copy = json_array_get(ev->all, json_array_size(ev->all) - 1);
	if (event != NULL && strcmp(event, "PARSE") == 0)
		ev->parse = copy;
	if (is_exam_event(event)) {
		if (ev->first == NULL)
			ev->first = js(copy, "time");
		ev->last = js(copy, "time");
		if (js(actor, "role") == NULL || strcmp(js(actor, "role"), "tool") != 0)
			add_name(ev->actors, js(actor, "name"));
	}
	if (event != NULL && strcmp(event, "DERIVE") == 0) {
		size_t i;
		const json_t *p;
		json_array_foreach(json_object_get(json_object_get(b, "details"), "pairs"), i, p)
		{
			if (js(p, "input") != NULL)
				json_object_set_new(ev->derived, js(p, "input"), json_true());
		}
		json_array_foreach(json_object_get(json_object_get(b, "details"), "inputs"), i, p)
		{
			if (js(p, "path") != NULL)
				json_object_set_new(ev->derived, js(p, "path"), json_true());
		}
	}
	return CU_OK;
}

/* Counts from case.db: messages per app, files not examined. */
struct dbfacts {
	json_t *msg_by_app;   /* [[app, n], ...] */
	json_t *not_examined; /* [[item, device_path, reason, app], ...] or NULL: no table */
};

static void db_facts(const char *path, struct dbfacts *f)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	f->msg_by_app = json_array();
	f->not_examined = NULL;
	if (path == NULL || !cu_file_exists(path) ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT app, count(*) FROM messages GROUP BY app ORDER BY app",
			       -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *app = (const char *)sqlite3_column_text(s, 0);
			json_array_append_new(f->msg_by_app,
					      json_pack("[s,I]", app ? app : "",
							(json_int_t)sqlite3_column_int64(s, 1)));
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT item_id, device_path, reason, app FROM not_examined "
			       "ORDER BY item_id, device_path",
			       -1, &s, NULL) == SQLITE_OK) {
		f->not_examined = json_array();
		while (sqlite3_step(s) == SQLITE_ROW) {
			json_t *r = json_array();
			for (int c = 0; c < 4; c++) {
				const char *v = (const char *)sqlite3_column_text(s, c);
				json_array_append_new(r, v ? json_string(v) : json_null());
			}
			json_array_append_new(f->not_examined, r);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
out:
	sqlite3_finalize(s);
	if (db != NULL)
		sqlite3_close(db);
}

/* 对…进行… : the steps the custody log shows, as one paragraph. */
static void method_text(struct cu_text *t, const struct cu_forms_in *in, const struct events *ev,
			bool scene)
{
	size_t i;
	const json_t *b;
	bool any_import = false, any_acq = false;
	const json_t *pd = json_object_get(ev->parse, "details");
	const json_t *rec = json_object_get(pd, "recovered");

	(void)in;
	json_array_foreach(ev->all, i, b)
	{
		const char *e = js(b, "event");
		const json_t *d = json_object_get(b, "details");
		if (e == NULL)
			continue;
		if (strcmp(e, "IMPORT") == 0 && !scene) {
			cu_text_printf(
			    t,
			    "%s对所收检材 %s 的%s以只读方式导入，逐一计算 SHA-256 与 MD5 "
			    "校验值（读取时同步计算）",
			    t->out->len ? "；" : "", js(d, "item") ? js(d, "item") : "—",
			    cn_of(format_cn, js(d, "format")) ? cn_of(format_cn, js(d, "format"))
							      : "镜像");
			any_import = true;
		} else if (strcmp(e, "ACQUIRE_END") == 0 && scene) {
			cu_text_printf(t, "%s对检材 %s %s，逐一计算 SHA-256 与 MD5 校验值",
				       t->out->len ? "；" : "", js(d, "item") ? js(d, "item") : "—",
				       cn_of(method_cn, js(d, "method"))
					   ? cn_of(method_cn, js(d, "method"))
					   : "提取数据");
			any_acq = true;
		} else if (strcmp(e, "DERIVE") == 0) {
			const char *it = js(json_object_get(b, "subject"), "item");
			cu_text_printf(t, "%s检材 %s：%s，生成解密副本 %lld 个（原文件不变）",
				       t->out->len ? "；" : "",
				       it ? it : (js(d, "item") ? js(d, "item") : "—"),
				       derive_name(js(d, "method")), derive_count(d));
		}
	}
	(void)any_import;
	(void)any_acq;
	if (scene)
		return;
	if (ev->parse != NULL) {
		long long recovered = ji(rec, "stored") + ji(rec, "unread") + ji(rec, "ambiguous");
		cu_text_printf(t, "%s在副本上以只读方式解析数据库 %lld 个", t->out->len ? "；" : "",
			       ji(pd, "parsed"));
		if (rec != NULL && recovered > 0)
			cu_text_printf(t,
				       "，并检索其空闲块、未分配空间、预写日志及回滚日志中的已删除"
				       "记录，恢复记录 %lld 条（其中 %lld 条写入解析数据库）",
				       recovered, ji(rec, "stored"));
		else if (rec != NULL)
			cu_text_printf(t, "，并检索其中的已删除记录，未发现已删除记录");
	}
	json_array_foreach(ev->all, i, b)
	{
		const char *e = js(b, "event");
		const json_t *d = json_object_get(b, "details");
		if (e != NULL && strcmp(e, "ANALYZE") == 0) {
			const json_t *lx = json_object_get(d, "lexicon");
			cu_text_printf(
			    t,
			    "%s使用关键词词库（%zu 个文件，%lld 个词条，各文件的 SHA-256 值见"
			    "监管日志）对文本进行暗语关键词、虚拟货币地址、快递单号、取件码、"
			    "银行卡号及电话号码比对",
			    t->out->len ? "；" : "", json_array_size(json_object_get(lx, "files")),
			    ji(lx, "terms"));
		}
	}
	json_array_foreach(ev->all, i, b)
	{
		const char *e = js(b, "event");
		const json_t *d = json_object_get(b, "details");
		if (e != NULL && strcmp(e, "EXPORT") == 0)
			cu_text_printf(t, "%s导出%s（%s 格式）", t->out->len ? "；" : "",
				       cn_of(export_cn, js(d, "kind"))
					   ? cn_of(export_cn, js(d, "kind"))
					   : "数据",
				       js(d, "format") ? js(d, "format") : "—");
	}
	if (t->out->len)
		cu_text_puts(t, "；全过程记入哈希链监管日志");
}

/* One row of the 检查过程: a sentence for the entry. */
static void event_text(struct cu_text *t, const struct cu_forms_in *in, const json_t *b)
{
	const char *e = js(b, "event");
	const json_t *d = json_object_get(b, "details"), *s = json_object_get(b, "subject");
	const char *item = js(s, "item") ? js(s, "item") : js(d, "item");
	(void)in;

	if (e == NULL) {
		cu_text_puts(t, "—");
	} else if (strcmp(e, "CASE_INIT") == 0) {
		cu_text_printf(t, "建立案件 %s", js(s, "case_id") ? js(s, "case_id") : "");
	} else if (strcmp(e, "ACQUIRE_START") == 0) {
		if (js(d, "method") && strcmp(js(d, "method"), "import") == 0)
			cu_text_printf(t, "开始导入检材 %s（%s，来源 %s）", item ? item : "—",
				       cn_of(format_cn, js(d, "format"))
					   ? cn_of(format_cn, js(d, "format"))
					   : "—",
				       js(s, "source") ? js(s, "source") : "—");
		else
			cu_text_printf(t, "开始提取检材 %s（%s）", item ? item : "—",
				       cn_of(method_cn, js(d, "method"))
					   ? cn_of(method_cn, js(d, "method"))
					   : "—");
	} else if (strcmp(e, "IMPORT") == 0 || strcmp(e, "ACQUIRE_END") == 0) {
		cu_text_printf(t, "检材 %s %s：文件 %lld 个，%lld 字节，警告 %lld 条，失败 %lld 个",
			       item ? item : "—",
			       strcmp(e, "IMPORT") == 0 ? "导入完成" : "提取结束", ji(d, "files"),
			       ji(d, "bytes"), ji(d, "warnings"), ji(d, "failures"));
		if (js(d, "status"))
			cu_text_printf(t, "，状态：%s", cn_of(status_cn, js(d, "status")));
	} else if (strcmp(e, "MISMATCH") == 0) {
		cu_text_printf(
		    t, "检材 %s 的%s与扣押记录不符（记录 %s，设备 %s）", item ? item : "—",
		    cn_of(field_cn, js(d, "field")) ? cn_of(field_cn, js(d, "field")) : "—",
		    js(d, "typed") ? js(d, "typed") : "—", js(d, "read") ? js(d, "read") : "—");
	} else if (strcmp(e, "DERIVE") == 0) {
		cu_text_printf(t, "检材 %s：%s，生成解密副本 %lld 个", item ? item : "—",
			       derive_name(js(d, "method")), derive_count(d));
	} else if (strcmp(e, "PARSE") == 0) {
		const json_t *rec = json_object_get(d, "recovered");
		long long r = ji(rec, "stored") + ji(rec, "unread") + ji(rec, "ambiguous");
		cu_text_printf(t, "解析数据库 %lld 个，警告 %lld 条，错误 %lld 个", ji(d, "parsed"),
			       ji(d, "warnings"), ji(d, "errors"));
		if (rec != NULL && r > 0)
			cu_text_printf(t, "，恢复已删除记录 %lld 条", r);
	} else if (strcmp(e, "ANALYZE") == 0) {
		cu_text_puts(t, "关键词及标识符比对");
	} else if (strcmp(e, "EXPORT") == 0) {
		cu_text_printf(t, "导出%s，文件 %s，SHA-256：%s",
			       cn_of(export_cn, js(d, "kind")) ? cn_of(export_cn, js(d, "kind"))
							       : "数据",
			       js(d, "path")     ? js(d, "path")
			       : js(d, "output") ? js(d, "output")
						 : "—",
			       js(d, "sha256") ? js(d, "sha256") : "—");
	} else if (strcmp(e, "REPORT") == 0) {
		cu_text_printf(t, "生成检查报告，文件 %lld 个", ji(d, "files"));
	} else if (strcmp(e, "SEAL") == 0) {
		cu_text_printf(t, "封存为证据包 %s", js(s, "package") ? js(s, "package") : "");
	} else if (strcmp(e, "COMMAND") == 0) {
		cu_text_puts(t,
			     "向设备发送读取命令 1 条（命令原文及其输出的 SHA-256 值见监管日志）");
	} else if (strcmp(e, "PRINT") == 0) {
		cu_text_printf(t, "打印文书 %s", js(s, "form") ? js(s, "form") : "");
	} else if (strcmp(e, "DEVICE_CHANGE") == 0) {
		cu_text_puts(t, "对设备或其配对状态作出变更（内容见监管日志）");
	} else if (strcmp(e, "TRANSFER") == 0 || strcmp(e, "RECEIVE") == 0) {
		cu_text_printf(t, "%s%s%s%s%s", strcmp(e, "TRANSFER") == 0 ? "移交" : "接收",
			       js(s, "to") ? "给 " : "", js(s, "to") ? js(s, "to") : "",
			       js(d, "note") ? "：" : "", js(d, "note") ? js(d, "note") : "");
	} else if (js(d, "note") != NULL) {
		cu_text_puts(t, js(d, "note"));
	} else {
		cu_text_puts(t, "详见监管日志");
	}
}

/* ------------------------------------------------------------------ */
/* the forms                                                           */
/* ------------------------------------------------------------------ */

struct ctx {
	const struct cu_forms_in *in;
	const struct events *ev;
	const struct dbfacts *db;
	const json_t *examiners; /* names */
	char appendix_sha[65];
	size_t appendix_rows;
};

static void seal_numbers(struct cu_text *t, const json_t *item)
{
	size_t i;
	const json_t *sn;
	json_array_foreach(json_object_get(json_object_get(item, "seal"), "numbers"), i, sn)
	    cu_text_printf(t, "%s%s", i ? "、" : "",
			   json_string_value(sn) ? json_string_value(sn) : "");
}

static void seizure_list(struct fdoc *d, const struct ctx *cx)
{
	static const char *const copies[] = {"第一联 存根", "第二联 交持有人", "第三联 附卷"};
	static const unsigned tw[] = {700, 1300, 650, 3788, 1700, 1500};
	static const char *const heads[] = {"编号", "名称", "数量", "特征", "来源", "封存编号"};
	const struct cu_forms_in *in = cx->in;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *sz = json_object_get(m, "seizure"), *pe = json_object_get(m, "personnel");
	const json_t *items = cu_manifest_items(m, CU_MANIFEST_SEIZED), *it, *x;
	char when[64];
	const char *docno = js(json_object_get(cs, "legal_basis"), "document_number");
	const char *loc = js(json_object_get(sz, "location"), "text");
	const char *holder = js(json_object_get(pe, "holder"), "name");
	size_t i;

	cn_time(in, js(sz, "time"), when, sizeof(when));
	for (int c = 0; c < 3; c++) {
		struct form fm;
		int tb;

		memset(&fm, 0, sizeof(fm));
		fm.title = "扣押清单";
		fm.copy = copies[c];
		fm.pageline = "侦查人员（签名）：＿＿＿＿＿  持有人（签名捺印）：＿＿＿＿＿  "
			      "见证人（签名）：＿＿＿＿＿";
		tb = fm_table(&fm, 6, tw, heads);
		fm_line(&fm, "文书编号", docno);
		fm_line(&fm, "案件编号", js(cs, "case_number"));
		fm_line(&fm, "案由", js(cs, "case_title"));
		fm_line(&fm, "办案单位", js(cs, "agency"));
		fm_line(&fm, "扣押时间", when);
		fm_line(&fm, "扣押地点", loc);
		fm_line(&fm, "持有人", holder);
		json_array_foreach(items, i, it)
		{
			struct cu_buf feat = CU_BUF_INIT, seal = CU_BUF_INIT;
			struct cu_item_facts f;
			char qty[32] = "";
			const json_t *q = json_object_get(it, "quantity");
			struct cu_text tf, ts;
			const char *cells[6];

			cu_text_init(&tf, &feat);
			cu_text_init(&ts, &seal);
			cu_manifest_item_facts(it, &f);
			describe(&tf, json_object_get(it, "features"), feature_names);
			describe(&tf, json_object_get(it, "identifiers"), ident_names);
			if (f.os != NULL)
				cu_text_printf(&tf, "；系统：%s %s", f.os,
					       f.os_version ? f.os_version : "");
			seal_numbers(&ts, it);
			if (json_is_integer(q))
				snprintf(qty, sizeof(qty), "%lld",
					 (long long)json_integer_value(q));
			cells[0] = f.item_id;
			cells[1] = f.name;
			cells[2] = qty;
			cells[3] = feat.data;
			cells[4] = f.source;
			cells[5] = seal.data;
			fm_row(&fm, tb, cells);
			fd_keep(d, &tf);
			fd_keep(d, &ts);
			cu_buf_release(&feat);
			cu_buf_release(&seal);
		}
		fm_closing(&fm);
		fm_line(&fm, "备注", "本清单一式三份，第一联存根，第二联交持有人，第三联附卷。");
		json_array_foreach(json_object_get(pe, "investigators"), i, x)
		    fm_sign(&fm, "侦查人员", js(x, "name"));
		fm_sign(&fm, "持有人", holder);
		if (json_array_size(json_object_get(pe, "witnesses")) == 0)
			fm_sign(&fm, "见证人", NULL);
		json_array_foreach(json_object_get(pe, "witnesses"), i, x)
		    fm_sign(&fm, "见证人", js(x, "name"));
		fm_sign(&fm, "保管人", NULL);
		fm_hash(&fm, in, js(cs, "agency") ? js(cs, "agency") : "");
		fd_form(d, &fm, c == 2, c < 2);
		fm_release(&fm);
	}
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

/* Where a fact was read ("Info.plist and Manifest.plist (Lockdown) of the
 * backup", "getprop ro.serialno"): the file names in it, in Chinese words
 * around them; the sentence itself is in the custody log's MISMATCH. */
static void read_from(const char *s, char *out, size_t n)
{
	size_t len = 0, files = 0;
	const char *p = s ? s : "";

	len = (size_t)snprintf(out, n, "读自");
	while (*p != '\0' && len + 1 < n) {
		size_t w = strcspn(p, " ,;()");
		if (w > 0 && memchr(p, '.', w) != NULL && w < 100 && len + w + 4 < n) {
			len += (size_t)snprintf(out + len, n - len, "%s%.*s", files ? "、" : " ",
						(int)w, p);
			files++;
		}
		p += w;
		if (*p != '\0')
			p++;
	}
	if (files == 0)
		snprintf(out, n, "读自设备");
}

/* One red line per fact import found contradicting the seizure record
 * (the items[].mismatches it wrote, each also a MISMATCH custody entry). */
static void mismatch_lines(struct form *fm, const json_t *m)
{
	const json_t *it, *x;
	struct cu_buf t = CU_BUF_INIT;
	struct cu_error e;
	size_t i, k;

	json_array_foreach(cu_manifest_items(m, CU_MANIFEST_IMPORTED), i, it)
	{
		json_array_foreach(json_object_get(it, "mismatches"), k, x)
		{
			cu_buf_reset(&t);
			char from[512];
			read_from(js(x, "read_from"), from, sizeof(from));
			if (cu_buf_printf(&t, &e, "检材 %s %s：扣押时记录 %s，设备读取 %s（%s）",
					  js(it, "item_id") ? js(it, "item_id") : "?",
					  cn_of(field_cn, js(x, "field"))
					      ? cn_of(field_cn, js(x, "field"))
					      : "?",
					  js(x, "typed") ? js(x, "typed") : "—",
					  js(x, "read") ? js(x, "read") : "—", from) != CU_OK)
				cu_buf_reset(&t); /* a line to fill by hand */
			fm_line_c(fm, "设备读取与扣押记录不符", t.len ? t.data : NULL, true);
		}
	}
	cu_buf_release(&t);
}

/* The exhibits examined that the seizure list does not name, with the
 * reason given at import (acquisitions[].new_item). */
static void unlisted_lines(struct form *fm, const json_t *m)
{
	const json_t *a;
	struct cu_buf t = CU_BUF_INIT;
	struct cu_error e;
	size_t i;

	json_array_foreach(json_object_get(m, "acquisitions"), i, a)
	{
		const char *why = js(json_object_get(a, "new_item"), "reason");
		if (why == NULL)
			continue;
		cu_buf_reset(&t);
		if (cu_buf_printf(&t, &e, "%s，理由：%s", js(a, "item_id") ? js(a, "item_id") : "?",
				  why) != CU_OK)
			cu_buf_reset(&t);
		fm_line(fm, "未列入扣押清单的检材", t.len ? t.data : NULL);
	}
	cu_buf_release(&t);
}

/* Sealed with --allow-incomplete over an unfinished acquisition or import
 * (sealed.unfinished of the manifest, also in the SEAL entry). */
static void unfinished_lines(struct form *fm, const json_t *m)
{
	const json_t *u;
	size_t i;
	char t[256];

	json_array_foreach(json_object_get(json_object_get(m, "sealed"), "unfinished"), i, u)
	{
		snprintf(
		    t, sizeof(t),
		    "检材 %s 的%s在封存时仍未完成（状态：%s），经确认后封存，见监管日志封存记录",
		    js(u, "item_id") ? js(u, "item_id") : "?",
		    js(u, "method") && strcmp(js(u, "method"), "import") == 0 ? "导入" : "提取",
		    js(u, "status") ? cn_of(status_cn, js(u, "status")) : "—");
		fm_line(fm, "未完成的提取或导入", t);
	}
}

static bool is_import(const json_t *acq)
{
	return js(acq, "method") != NULL && strcmp(js(acq, "method"), "import") == 0;
}

/* The file format shown for f: an encrypted database that a DERIVE entry
 * decrypted says so. */
static const char *file_format(const struct ctx *cx, const json_t *f)
{
	const char *fmt = js(f, "format");
	if (fmt != NULL && js(f, "path") != NULL &&
	    json_is_true(json_object_get(cx->ev->derived, js(f, "path"))))
		return strstr(fmt, "数据库") != NULL ? "加密数据库（已用密码解密）"
						     : "加密文件（已用密码解密）";
	return cn_of(fileformat_cn, fmt);
}

/* The group a file belongs to in the 固定清单: the app package or the
 * top directory (iOS backup domain; Android /data/data/PKG,
 * /data/user/N/PKG, /sdcard/DIR). */
static void file_group(const char *dp, char *out, size_t n)
{
	const char *p = dp ? dp : "", *s, *e;
	if (strncmp(p, "/data/data/", 11) == 0)
		s = p + 11;
	else if (strncmp(p, "/data/user/", 11) == 0 && (s = strchr(p + 11, '/')) != NULL)
		s++;
	else if (strncmp(p, "/data/user_de/", 14) == 0 && (s = strchr(p + 14, '/')) != NULL)
		s++;
	else if (strncmp(p, "/sdcard/Android/data/", 21) == 0)
		s = p + 21;
	else if (strncmp(p, "/sdcard/", 8) == 0) {
		e = strchr(p + 8, '/');
		snprintf(out, n, "%.*s%s", e ? (int)(e - p) : (int)strlen(p), p, e ? "/" : "");
		return;
	} else
		s = *p == '/' ? p + 1 : p;
	e = strchr(s, '/');
	/* A directory: shown with its slash, as a path. */
	snprintf(out, n, "%.*s%s", e ? (int)(e - s) : (int)strlen(s), s, e ? "/" : "");
}

/* Increments obj[key] = [files, bytes]. */
static void tally(json_t *obj, const char *key, long long size)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL) {
		v = json_pack("[I,I]", (json_int_t)0, (json_int_t)0);
		if (v == NULL || json_object_set_new(obj, key, v) != 0)
			return;
	}
	json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) + 1));
	json_array_set_new(v, 1, json_integer(json_integer_value(json_array_get(v, 1)) + size));
}

/* RFC 4180 field, UTF-8; a cell starting with = + - @ gets a leading '
 * so a spreadsheet never runs it as a formula. */
static void csv_field(struct cu_text *t, const char *v, bool last)
{
	const char *p = v ? v : "";
	cu_text_putc(t, '"');
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
		cu_text_putc(t, '\'');
	for (; *p; p++) {
		if (*p == '"')
			cu_text_putc(t, '"');
		cu_text_putc(t, *p);
	}
	cu_text_puts(t, last ? "\"\r\n" : "\",");
}

/* The electronic appendix: every file of files[], one row. */
static enum cu_status appendix_csv(const struct ctx *cx, struct cu_buf *out, struct cu_error *err)
{
	struct cu_text t;
	size_t i;
	const json_t *f;

	cu_text_init(&t, out);
	cu_text_puts(&t, "\xef\xbb\xbf"); /* BOM: spreadsheets read the Chinese as UTF-8 */
	cu_text_puts(&t, "\"序号\",\"检材\",\"设备内路径\",\"证据文件路径\",\"类别\",\"文件格式\","
			 "\"大小（字节）\",\"MD5\",\"SHA-256\"\r\n");
	json_array_foreach(cx->in->files, i, f)
	{
		char seq[24], size[24], md5[33];
		snprintf(seq, sizeof(seq), "%lld", ji(f, "seq"));
		snprintf(size, sizeof(size), "%lld", ji(f, "size"));
		snprintf(md5, sizeof(md5), "%s", js(f, "md5") ? js(f, "md5") : "");
		upper(md5);
		csv_field(&t, seq, false);
		csv_field(&t, js(f, "item_id"), false);
		csv_field(&t, js(f, "device_path"), false);
		csv_field(&t, js(f, "path"), false);
		csv_field(&t, js(f, "category"), false);
		csv_field(&t, file_format(cx, f), false);
		csv_field(&t, size, false);
		csv_field(&t, md5, false);
		csv_field(&t, js(f, "sha256"), true);
	}
	return cu_text_finish(&t, err);
}

/* Cuts a long path for a table cell (the whole path is in the appendix). */
static void short_path(const char *dp, char *out, size_t n)
{
	if (dp != NULL && strlen(dp) > 120) {
		size_t k = 90;
		while (k > 0 && ((unsigned char)dp[k] & 0xc0) == 0x80)
			k--;
		snprintf(out, n, "%.*s…（全文见电子附件）", (int)k, dp);
	} else {
		snprintf(out, n, "%s", dp ? dp : "");
	}
}

#define MAX_GROUP_ROWS 40
#define MAX_DB_ROWS    60

/* 电子数据提取固定清单: per item, per category, per package or directory,
 * the databases one by one, and the appendix with every file. */
static void fixation_list(struct form *fm, const struct ctx *cx, bool scene)
{
	static const unsigned tw_item[] = {700, 1900, 1300, 900, 1300, 3538};
	static const char *const h_item[] = {"检材",   "名称",   "方式",
					     "文件数", "字节数", "内容根（SHA-256 默克尔树根）"};
	static const unsigned tw_cat[] = {3000, 3319, 3319};
	static const char *const h_cat[] = {"类别", "文件数", "字节数"};
	static const unsigned tw_grp[] = {4838, 1600, 1600, 1600};
	static const char *const h_grp[] = {"应用包或目录", "检材", "文件数", "字节数"};
	static const unsigned tw_db[] = {520, 2470, 560, 1100, 900, 1700, 2388};
	static const char *const h_db[] = {"序号",         "数据库文件", "检材",   "文件格式",
					   "大小（字节）", "MD5",        "SHA-256"};
	const struct cu_forms_in *in = cx->in;
	const json_t *m = in->manifest, *f, *a, *v;
	json_t *cats = json_object(), *groups = json_object(), *items = json_object();
	size_t i, ndb = 0, shown = 0;
	long long bytes = 0;
	int t_item, t_cat, t_grp, t_db;
	char g[80], buf[512];
	const char *k;

	json_array_foreach(in->files, i, f)
	{
		char grp[256], key[300];
		long long sz = ji(f, "size");
		bytes += sz;
		tally(cats, js(f, "category") ? js(f, "category") : "其他", sz);
		tally(items, js(f, "item_id") ? js(f, "item_id") : "", sz);
		file_group(js(f, "device_path") ? js(f, "device_path") : js(f, "path"), grp,
			   sizeof(grp));
		snprintf(key, sizeof(key), "%s\t%s", grp, js(f, "item_id") ? js(f, "item_id") : "");
		tally(groups, key, sz);
	}
	fm_line(fm, "案件编号", js(json_object_get(m, "case"), "case_number"));
	fm_line(fm, "电子数据来源",
		scene ? "现场提取（见《电子数据现场提取笔录》）"
		      : "实验室接收并导入的检材镜像（见《电子数据检查笔录》检材接收情况）");
	snprintf(buf, sizeof(buf),
		 "共 %zu 个文件，合计 %lld 字节，逐一计算了 MD5 与 SHA-256 校验值",
		 json_array_size(in->files), bytes);
	fm_line(fm, "固定的电子数据", buf);

	fm_text(fm, B_SUB, "一、检材汇总");
	t_item = fm_table(fm, 6, tw_item, h_item);
	json_array_foreach(json_object_get(m, "acquisitions"), i, a)
	{
		const char *iid = js(a, "item_id");
		const json_t *tv = json_object_get(items, iid ? iid : "");
		char nf[24], nb[24];
		const char *cells[6];
		snprintf(nf, sizeof(nf), "%lld",
			 (long long)json_integer_value(json_array_get(tv, 0)));
		snprintf(nb, sizeof(nb), "%lld",
			 (long long)json_integer_value(json_array_get(tv, 1)));
		cells[0] = iid;
		cells[1] = item_label(m, iid);
		cells[2] = cn_of(method_cn, js(a, "method"));
		cells[3] = nf;
		cells[4] = nb;
		cells[5] = js(a, "content_root");
		fm_row(fm, t_item, cells);
	}

	fm_text(fm, B_SUB, "二、按类别汇总");
	t_cat = fm_table(fm, 3, tw_cat, h_cat);
	json_object_foreach(cats, k, v)
	{
		char nf[24], nb[24];
		const char *cells[3];
		snprintf(nf, sizeof(nf), "%lld",
			 (long long)json_integer_value(json_array_get(v, 0)));
		snprintf(nb, sizeof(nb), "%lld",
			 (long long)json_integer_value(json_array_get(v, 1)));
		cells[0] = k;
		cells[1] = nf;
		cells[2] = nb;
		fm_row(fm, t_cat, cells);
	}

	fm_text(fm, B_SUB, "三、按应用包或目录汇总");
	t_grp = fm_table(fm, 4, tw_grp, h_grp);
	{
		long long rest_f = 0, rest_b = 0, rest_n = 0;
		json_object_foreach(groups, k, v)
		{
			char name[256], nf[24], nb[24];
			const char *tab = strchr(k, '\t'), *cells[4];
			if (shown >= MAX_GROUP_ROWS) {
				rest_n++;
				rest_f += json_integer_value(json_array_get(v, 0));
				rest_b += json_integer_value(json_array_get(v, 1));
				continue;
			}
			snprintf(name, sizeof(name), "%.*s", tab ? (int)(tab - k) : (int)strlen(k),
				 k);
			snprintf(nf, sizeof(nf), "%lld",
				 (long long)json_integer_value(json_array_get(v, 0)));
			snprintf(nb, sizeof(nb), "%lld",
				 (long long)json_integer_value(json_array_get(v, 1)));
			cells[0] = name;
			cells[1] = tab ? tab + 1 : "";
			cells[2] = nf;
			cells[3] = nb;
			fm_row(fm, t_grp, cells);
			shown++;
		}
		if (rest_n > 0) {
			char name[128], nf[24], nb[24];
			const char *cells[4];
			snprintf(name, sizeof(name), "其余 %lld 个应用包或目录（见电子附件）",
				 rest_n);
			snprintf(nf, sizeof(nf), "%lld", rest_f);
			snprintf(nb, sizeof(nb), "%lld", rest_b);
			cells[0] = name;
			cells[1] = "";
			cells[2] = nf;
			cells[3] = nb;
			fm_row(fm, t_grp, cells);
		}
	}

	fm_text(fm, B_SUB, "四、数据库文件");
	t_db = fm_table(fm, 7, tw_db, h_db);
	json_array_foreach(in->files, i, f)
	{
		const char *fmt = file_format(cx, f);
		char seq[24], size[24], md5[33], path[256];
		const char *cells[7];
		if (fmt == NULL || strstr(fmt, "数据库") == NULL)
			continue;
		if (++ndb > MAX_DB_ROWS)
			continue;
		snprintf(seq, sizeof(seq), "%lld", ji(f, "seq"));
		snprintf(size, sizeof(size), "%lld", ji(f, "size"));
		snprintf(md5, sizeof(md5), "%s", js(f, "md5") ? js(f, "md5") : "");
		upper(md5);
		short_path(js(f, "device_path") ? js(f, "device_path") : js(f, "path"), path,
			   sizeof(path));
		cells[0] = seq;
		cells[1] = path;
		cells[2] = js(f, "item_id");
		cells[3] = fmt;
		cells[4] = size;
		cells[5] = md5;
		cells[6] = js(f, "sha256");
		fm_row(fm, t_db, cells);
	}
	if (ndb == 0)
		fm_line(fm, "数据库文件", "无");
	else if (ndb > MAX_DB_ROWS) {
		snprintf(buf, sizeof(buf), "共 %zu 个，上表列出前 %d 个，其余见电子附件", ndb,
			 MAX_DB_ROWS);
		fm_line(fm, "数据库文件", buf);
	}
	fm_closing(fm);
	snprintf(buf, sizeof(buf),
		 "%s（全部 %zu 个文件逐一列明设备内路径、类别、格式、大小、MD5 与 SHA-256，"
		 "与本清单一并存放于报告目录并封存于证据包）",
		 APPENDIX_NAME, cx->appendix_rows);
	fm_line(fm, "电子附件", buf);
	cu_report_group_hex(cx->appendix_sha, g);
	fm_line(fm, "电子附件 SHA-256", g);
	json_decref(cats);
	json_decref(groups);
	json_decref(items);
}

static void extraction_record(struct fdoc *d, const struct ctx *cx)
{
	const struct cu_forms_in *in = cx->in;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *sz = json_object_get(m, "seizure"), *pe = json_object_get(m, "personnel");
	const json_t *acq = json_object_get(m, "acquisitions"), *x,
		     *tool = json_object_get(m, "tool");
	const char *holder = js(json_object_get(pe, "holder"), "name");
	size_t i, nscene = 0;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_text tb;
	struct form fm;
	const char *k;
	char t[256];

	cu_text_init(&tb, &b);
	json_array_foreach(acq, i, x) if (!is_import(x)) nscene++;

	if (nscene > 0) {
		memset(&fm, 0, sizeof(fm));
		fm.title = "电子数据现场提取笔录";
		fm.pageline = "提取人（签名）：＿＿＿＿＿  持有人/提供人（签名捺印）：＿＿＿＿＿  "
			      "见证人（签名）：＿＿＿＿＿";
		fm_line(&fm, "案件编号", js(cs, "case_number"));
		fm_line(&fm, "案由", js(cs, "case_title"));
		fm_line(&fm, "办案单位", js(cs, "agency"));
		names_of(&tb, json_object_get(pe, "investigators"));
		fm_line(&fm, "提取人", b.data);
		cu_buf_reset(&b);
		names_of(&tb, json_object_get(pe, "witnesses"));
		fm_line(&fm, "见证人", b.len ? b.data : js(pe, "no_witness_reason"));
		fm_line(&fm, "持有人/提供人", holder);
		fm_line(&fm, "事由和目的", js(cs, "purpose"));
		json_array_foreach(acq, i, x)
		{
			char s1[64], s2[64];
			const char *iid = js(x, "item_id");
			const json_t *it = cu_manifest_item_in(m, CU_MANIFEST_SEIZED, iid);
			const json_t *iso = json_object_get(it, "isolation");
			if (is_import(x))
				continue;
			cn_time(in, js(x, "start"), s1, sizeof(s1));
			cn_time(in, js(x, "end"), s2, sizeof(s2));
			cu_buf_reset(&b);
			cu_text_printf(&tb, "自 %s 至 %s", s1, *s2 ? s2 : "＿＿＿＿");
			snprintf(t, sizeof(t), "检材 %s 提取时间", iid ? iid : "?");
			fm_line(&fm, t, b.data);
			snprintf(t, sizeof(t), "检材 %s 提取地点", iid ? iid : "?");
			fm_line(&fm, t,
				js(json_object_get(x, "location"), "text")
				    ? js(json_object_get(x, "location"), "text")
				    : js(x, "location"));
			cu_buf_reset(&b);
			cu_text_printf(&tb, "%s（%s）", iid ? iid : "?",
				       item_label(m, iid) ? item_label(m, iid) : "—");
			describe(&tb, json_object_get(it, "identifiers"), ident_names);
			snprintf(t, sizeof(t), "检材 %s", iid ? iid : "?");
			fm_line(&fm, t, b.data);
			cu_buf_reset(&b);
			seal_numbers(&tb, it);
			fm_line(&fm, "封存编号", b.len ? b.data : NULL);
			cu_buf_reset(&b);
			if (js(iso, "method") != NULL) {
				char s3[64];
				cn_time(in, js(iso, "time"), s3, sizeof(s3));
				cu_text_printf(&tb, "%s%s%s", js(iso, "method"), *s3 ? "，" : "",
					       s3);
			}
			fm_line(&fm, "网络隔离措施", b.len ? b.data : NULL);
			cu_buf_reset(&b);
			describe(&tb, json_object_get(it, "state_at_seizure"), state_names);
			fm_line(&fm, "设备状态", b.len ? b.data : NULL);
			cu_buf_reset(&b);
			cu_text_printf(&tb, "%s，提取用计算机 %s，状态：%s，文件 %lld 个",
				       cn_of(method_cn, js(x, "method"))
					   ? cn_of(method_cn, js(x, "method"))
					   : "—",
				       js(x, "workstation") ? js(x, "workstation") : "—",
				       js(x, "status") ? cn_of(status_cn, js(x, "status")) : "—",
				       ji(x, "files"));
			fm_line(&fm, "提取方式", b.data);
		}
		mismatch_lines(&fm, m);
		cu_buf_reset(&b);
		method_text(&tb, in, cx->ev, true);
		fm_line(&fm, "提取方法", b.len ? b.data : NULL);
		unfinished_lines(&fm, m);
		cu_buf_reset(&b);
		cu_text_printf(&tb, "%s %s", js(tool, "name") ? js(tool, "name") : "custos",
			       js(tool, "version") ? js(tool, "version") : "");
		json_object_foreach((json_t *)json_object_get(tool, "libraries"), k, x)
		    cu_text_printf(&tb, "；%s %s", k,
				   json_string_value(x) ? json_string_value(x) : "");
		fm_line(&fm, "提取工具及版本", b.data);
		fm_line(&fm, "提取结果", "提取的电子数据见《电子数据提取固定清单》及其电子附件");
		fm_closing(&fm);
		json_array_foreach(json_object_get(pe, "investigators"), i, x)
		    fm_sign(&fm, "提取人", js(x, "name"));
		json_array_foreach(json_object_get(pe, "witnesses"), i, x)
		    fm_sign(&fm, "见证人", js(x, "name"));
		fm_sign(&fm, "持有人/提供人", holder);
		fm_hash(&fm, in, NULL);
		fd_form(d, &fm, false, true);
		fm_release(&fm);
	}

	memset(&fm, 0, sizeof(fm));
	fm.title = "电子数据提取固定清单";
	fm.pageline = nscene > 0
			  ? "提取人（签名）：＿＿＿＿＿  持有人/提供人（签名捺印）：＿＿＿＿＿"
			  : "检查人员（签名）：＿＿＿＿＿＿＿＿＿＿";
	fixation_list(&fm, cx, nscene > 0);
	if (nscene > 0) {
		json_array_foreach(json_object_get(pe, "investigators"), i, x)
		    fm_sign(&fm, "提取人", js(x, "name"));
		fm_sign(&fm, "持有人/提供人", holder);
	} else {
		json_array_foreach(cx->examiners, i, x)
		    fm_sign(&fm, "检查人员", json_string_value(x));
		if (json_array_size(cx->examiners) == 0)
			fm_sign(&fm, "检查人员", NULL);
	}
	fm_hash(&fm, in, NULL);
	fd_form(d, &fm, true, false);
	fm_release(&fm);
	(void)sz;
	fd_keep(d, &tb);
	cu_buf_release(&b);
}

/* 检材接收情况: for each imported image, when it was received and imported,
 * what it was, its hash, and who handed it over (TRANSFER/RECEIVE entries;
 * a line to fill in by hand when the log has none). */
static void receipt_lines(struct form *fm, const struct ctx *cx)
{
	const struct cu_forms_in *in = cx->in;
	const json_t *m = in->manifest, *a, *b;
	struct cu_buf t = CU_BUF_INIT;
	struct cu_text tt;
	size_t i, k, handovers = 0;

	cu_text_init(&tt, &t);
	json_array_foreach(json_object_get(m, "acquisitions"), i, a)
	{
		char s1[64], lbl[64];
		const char *iid = js(a, "item_id"),
			   *why = js(json_object_get(a, "new_item"), "reason");
		const json_t *src = json_object_get(a, "source");
		if (!is_import(a))
			continue;
		cn_time(in, js(a, "start"), s1, sizeof(s1));
		cu_buf_reset(&t);
		cu_text_printf(&tt, "检材 %s（%s%s%s）：%s 接收并导入%s，来源 %s，文件 %lld 个",
			       iid ? iid : "?", item_label(m, iid) ? item_label(m, iid) : "—",
			       why ? "，理由：" : "", why ? why : "", s1,
			       cn_of(format_cn, js(src, "format"))
				   ? cn_of(format_cn, js(src, "format"))
				   : "镜像",
			       js(src, "path") ? js(src, "path") : "—", ji(a, "files"));
		if (js(src, "sha256") != NULL)
			cu_text_printf(&tt, "；所收镜像文件 SHA-256：%s", js(src, "sha256"));
		else
			cu_text_printf(&tt,
				       "；所收为目录形式的备份，无单一镜像文件，其全部文件的内容根"
				       "（SHA-256 默克尔树根）：%s",
				       js(a, "content_root") ? js(a, "content_root") : "—");
		if (js(a, "status") != NULL && strcmp(js(a, "status"), "complete") != 0)
			cu_text_printf(&tt, "；导入状态：%s", cn_of(status_cn, js(a, "status")));
		snprintf(lbl, sizeof(lbl), "检材接收 %s", iid ? iid : "?");
		fm_line(fm, lbl, t.data);
	}
	json_array_foreach(cx->ev->all, k, b)
	{
		const char *e = js(b, "event");
		char s1[64];
		if (e == NULL || (strcmp(e, "TRANSFER") != 0 && strcmp(e, "RECEIVE") != 0))
			continue;
		cn_time(in, js(b, "time"), s1, sizeof(s1));
		cu_buf_reset(&t);
		cu_text_printf(&tt, "%s，%s %s%s%s%s%s", s1,
			       js(json_object_get(b, "actor"), "name")
				   ? js(json_object_get(b, "actor"), "name")
				   : "—",
			       strcmp(e, "TRANSFER") == 0 ? "移交" : "接收",
			       js(json_object_get(b, "subject"), "to") ? "给 " : "",
			       js(json_object_get(b, "subject"), "to")
				   ? js(json_object_get(b, "subject"), "to")
				   : "",
			       js(json_object_get(b, "details"), "note") ? "：" : "",
			       js(json_object_get(b, "details"), "note")
				   ? js(json_object_get(b, "details"), "note")
				   : "");
		fm_line(fm, "调取、移交及接收记录", t.data);
		handovers++;
	}
	if (handovers == 0 && t.len > 0) {
		fm_line(fm, "移交人（提供人）", NULL);
		fm_line(fm, "接收人", NULL);
	}
	if (cu_text_finish(&tt, NULL) != CU_OK)
		fm->oom = true;
	cu_buf_release(&t);
}

/* 检查结果 as sentences: 解析出账户 2 个、联系人 7 个…；消息中短信 6 条、… */
static void result_text(struct cu_text *t, const struct ctx *cx)
{
	const json_t *counts = json_object_get(json_object_get(cx->ev->parse, "details"), "counts");
	const json_t *rec = json_object_get(json_object_get(cx->ev->parse, "details"), "recovered");
	const json_t *x;
	size_t i, n = 0;
	const char *k;

	if (cx->ev->parse == NULL) {
		cu_text_puts(t, "未进行解析");
		return;
	}
	for (i = 0; count_cn[i][0] != NULL; i++) {
		x = json_object_get(counts, count_cn[i][0]);
		if (!json_is_integer(x))
			continue;
		cu_text_printf(t, "%s%s %lld %s", n++ ? "、" : "解析出", count_cn[i][1],
			       (long long)json_integer_value(x), count_cn[i][2]);
	}
	/* counts the table above does not name, by their own name */
	json_object_foreach((json_t *)counts, k, x)
	{
		bool known = false;
		for (i = 0; count_cn[i][0] != NULL; i++)
			known = known || strcmp(count_cn[i][0], k) == 0;
		if (!known && json_is_integer(x))
			cu_text_printf(t, "%s%s %lld 项", n++ ? "、" : "解析出", k,
				       (long long)json_integer_value(x));
	}
	if (n == 0)
		cu_text_puts(t, "未解析出数据");
	cu_text_puts(t, "。");
	if (json_array_size(cx->db->msg_by_app) > 0) {
		cu_text_puts(t, "其中");
		json_array_foreach(cx->db->msg_by_app, i, x)
		{
			const char *app = json_string_value(json_array_get(x, 0));
			const char *cn = cn_of(app_cn, app);
			cu_text_printf(t, "%s%s%s %lld 条", i ? "、" : "", cn ? cn : "",
				       cn == app ? " 消息" : "",
				       (long long)json_integer_value(json_array_get(x, 1)));
		}
		cu_text_puts(t, "。");
	}
	if (rec != NULL && ji(rec, "stored") + ji(rec, "unread") + ji(rec, "ambiguous") > 0)
		cu_text_printf(t, "恢复已删除记录 %lld 条（其中 %lld 条写入解析数据库）。",
			       ji(rec, "stored") + ji(rec, "unread") + ji(rec, "ambiguous"),
			       ji(rec, "stored"));
	/* The last analysis: its hits per kind, as its entry counted them. */
	{
		const json_t *an = NULL;
		json_array_foreach(cx->ev->all, i, x) if (js(x, "event") != NULL &&
							  strcmp(js(x, "event"), "ANALYZE") == 0)
		    an = x;
		if (an != NULL) {
			const json_t *hits =
			    json_object_get(json_object_get(an, "details"), "hits");
			cu_text_puts(t, "比对命中");
			for (i = 0; hit_cn[i][0] != NULL; i++)
				cu_text_printf(t, "%s%s %lld 处", i ? "、" : "", hit_cn[i][1],
					       ji(hits, hit_cn[i][0]));
			cu_text_printf(t, "；关联关系 %lld 条。",
				       ji(json_object_get(an, "details"), "links"));
		}
	}
}

/* 检查局限: files not examined (case.db not_examined), import and parse
 * failures. */
static void limits_text(struct cu_text *t, const struct ctx *cx)
{
	const json_t *pd = json_object_get(cx->ev->parse, "details"), *r, *a;
	size_t i, n = json_array_size(cx->db->not_examined);

	if (cx->db->not_examined != NULL && n == 0)
		cu_text_puts(t, "未发现未经检查的数据库或应用文件");
	if (cx->db->not_examined == NULL && json_object_get(pd, "not_examined") != NULL)
		cu_text_printf(t, "%lld 个文件未经检查（明细见检查报告）",
			       ji(json_object_get(pd, "not_examined"), "count"));
	json_array_foreach(cx->db->not_examined, i, r)
	{
		if (i == 0)
			cu_text_printf(t, "下列 %zu 个文件未经检查：", n);
		if (i >= 20) {
			cu_text_printf(t, "等（全部见检查报告“未检查”部分）");
			break;
		}
		cu_text_printf(t, "%s%s %s（%s）", i ? "；" : "",
			       json_string_value(json_array_get(r, 0))
				   ? json_string_value(json_array_get(r, 0))
				   : "",
			       json_string_value(json_array_get(r, 1))
				   ? json_string_value(json_array_get(r, 1))
				   : "",
			       cn_of(reason_cn, json_string_value(json_array_get(r, 2)))
				   ? cn_of(reason_cn, json_string_value(json_array_get(r, 2)))
				   : "原因未记录");
	}
	if (n > 0)
		cu_text_puts(t, "");
	json_array_foreach(json_object_get(cx->in->manifest, "acquisitions"), i, a)
	{
		size_t na = json_array_size(json_object_get(a, "not_acquired"));
		if (na > 0)
			cu_text_printf(t, "%s检材 %s 有 %zu 个文件未能读取（见监管日志）",
				       t->out->len ? "；" : "",
				       js(a, "item_id") ? js(a, "item_id") : "?", na);
	}
	if (pd != NULL && (ji(pd, "warnings") > 0 || ji(pd, "errors") > 0))
		cu_text_printf(t, "%s解析时警告 %lld 条、错误 %lld 个（见检查报告及监管日志）",
			       t->out->len ? "；" : "", ji(pd, "warnings"), ji(pd, "errors"));
	if (t->out->len == 0)
		cu_text_puts(t, "无");
}

static void examination_record(struct fdoc *d, const struct ctx *cx)
{
	static const unsigned tw[] = {600, 2300, 1300, 1300, 4138};
	static const char *const heads[] = {"序号", "时间", "事项", "人员", "内容"};
	const struct cu_forms_in *in = cx->in;
	const struct events *ev = cx->ev;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *tool = json_object_get(m, "tool");
	const json_t *x;
	size_t i;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_text tb;
	struct form fm;
	const char *k;
	char s1[64], s2[64];
	int tbl;

	cu_text_init(&tb, &b);
	memset(&fm, 0, sizeof(fm));
	fm.title = "电子数据检查笔录";
	fm.pageline = "检查人员（签名）：＿＿＿＿＿＿＿＿＿＿";
	fm_line(&fm, "案件编号", js(cs, "case_number"));
	fm_line(&fm, "案由", js(cs, "case_title"));
	cu_text_printf(&tb, "%s；%s %s；%s", js(cs, "agency") ? js(cs, "agency") : "—",
		       js(json_object_get(cs, "legal_basis"), "type")
			   ? js(json_object_get(cs, "legal_basis"), "type")
			   : "—",
		       js(json_object_get(cs, "legal_basis"), "document_number")
			   ? js(json_object_get(cs, "legal_basis"), "document_number")
			   : "",
		       js(cs, "purpose") ? js(cs, "purpose") : "");
	fm_line(&fm, "委托单位及事项", b.data);
	cn_time(in, ev->first, s1, sizeof(s1));
	cn_time(in, ev->last, s2, sizeof(s2));
	cu_buf_reset(&b);
	if (*s1)
		cu_text_printf(&tb, "自 %s 至 %s", s1, s2);
	fm_line(&fm, "检查时间", b.len ? b.data : NULL);
	fm_line(&fm, "检查地点", NULL);
	cu_buf_reset(&b);
	names_of(&tb, cx->examiners);
	fm_line(&fm, "检查人员", b.len ? b.data : NULL);
	json_array_foreach(cu_manifest_items(m, CU_MANIFEST_SEIZED), i, x)
	{
		char t[64];
		struct cu_item_facts f;

		cu_manifest_item_facts(x, &f);
		cu_buf_reset(&b);
		cu_text_printf(&tb, "%s %s", f.item_id ? f.item_id : "", f.name ? f.name : "");
		describe(&tb, json_object_get(x, "features"), feature_names);
		describe(&tb, json_object_get(x, "identifiers"), ident_names);
		if (json_array_size(json_object_get(json_object_get(x, "seal"), "numbers")) > 0) {
			cu_text_puts(&tb, "；封存编号：");
			seal_numbers(&tb, x);
		}
		/* As recorded at the seizure (not by the lab). */
		if (js(json_object_get(x, "isolation"), "method") != NULL) {
			char s3[64];
			cn_time(in, js(json_object_get(x, "isolation"), "time"), s3, sizeof(s3));
			cu_text_printf(&tb, "；扣押时隔离措施：%s%s%s",
				       js(json_object_get(x, "isolation"), "method"),
				       *s3 ? "，" : "", s3);
		}
		if (json_object_size(json_object_get(x, "state_at_seizure")) > 0) {
			struct cu_buf st = CU_BUF_INIT;
			struct cu_text ts;
			cu_text_init(&ts, &st);
			describe(&ts, json_object_get(x, "state_at_seizure"), state_names);
			if (st.len > 0)
				cu_text_printf(&tb, "；扣押时设备状态：%s", st.data);
			fd_keep(d, &ts);
			cu_buf_release(&st);
		}
		snprintf(t, sizeof(t), "检材 %zu", i + 1);
		fm_line(&fm, t, b.data);
	}
	receipt_lines(&fm, cx);
	unlisted_lines(&fm, m);
	mismatch_lines(&fm, m);
	unfinished_lines(&fm, m);
	cu_buf_reset(&b);
	method_text(&tb, in, ev, false);
	fm_line(&fm, "检查方法", b.len ? b.data : NULL);
	cu_buf_reset(&b);
	cu_text_printf(&tb, "%s %s（构建 %s）", js(tool, "name") ? js(tool, "name") : "custos",
		       js(tool, "version") ? js(tool, "version") : "",
		       js(tool, "build_commit") ? js(tool, "build_commit") : "—");
	json_object_foreach((json_t *)json_object_get(tool, "libraries"), k, x)
	    cu_text_printf(&tb, "；%s %s", k, json_string_value(x) ? json_string_value(x) : "");
	fm_line(&fm, "检查工具及版本", b.data);
	fm_line(&fm, "程序文件 SHA-256", js(tool, "sha256"));
	cu_buf_reset(&b);
	{
		json_t *ws = json_array();
		json_array_foreach(json_object_get(m, "acquisitions"), i, x)
		    add_name(ws, js(x, "workstation"));
		names_of(&tb, ws);
		json_decref(ws);
	}
	fm_line(&fm, "检查用计算机（主机名）", b.len ? b.data : NULL);

	/* 检查过程: one row per custody entry, in words. */
	fm_text(&fm, B_SUB, "检查过程（据监管日志）");
	tbl = fm_table(&fm, 5, tw, heads);
	json_array_foreach(ev->all, i, x)
	{
		char seq[48], when[64];
		struct cu_buf s = CU_BUF_INIT;
		struct cu_text ts;
		const char *cells[5];
		size_t run = 0;

		/* A run of COMMAND entries (one per command sent to the phone)
		 * is one row: their text and output digests are in the log. */
		while (i + run < json_array_size(ev->all) &&
		       js(json_array_get(ev->all, i + run), "event") != NULL &&
		       strcmp(js(json_array_get(ev->all, i + run), "event"), "COMMAND") == 0)
			run++;
		cu_text_init(&ts, &s);
		if (run > 1) {
			cu_text_printf(
			    &ts,
			    "向设备发送读取命令 %zu 条（各命令原文及其输出的 SHA-256 值见"
			    "监管日志）",
			    run);
			snprintf(seq, sizeof(seq), "%lld–%lld", ji(x, "seq"),
				 ji(json_array_get(ev->all, i + run - 1), "seq"));
		} else {
			event_text(&ts, in, x);
			snprintf(seq, sizeof(seq), "%lld", ji(x, "seq"));
		}
		cn_time(in, js(x, "time"), when, sizeof(when));
		cells[0] = seq;
		cells[1] = when;
		cells[2] = cn_of(event_cn, js(x, "event"));
		if (js(x, "event") && strcmp(js(x, "event"), "ACQUIRE_START") == 0 &&
		    js(json_object_get(x, "details"), "method") &&
		    strcmp(js(json_object_get(x, "details"), "method"), "import") == 0)
			cells[2] = "开始导入";
		cells[3] = js(json_object_get(x, "actor"), "name");
		cells[4] = s.data;
		fm_row(&fm, tbl, cells);
		fd_keep(d, &ts);
		cu_buf_release(&s);
		if (run > 1)
			i += run - 1;
	}
	/* The results stay with the signatures under them. */
	fm_closing(&fm);
	fm_text(&fm, B_SUB, "检查结果");
	cu_buf_reset(&b);
	result_text(&tb, cx);
	fm_line(&fm, "解析结果", b.data);
	cu_buf_reset(&b);
	cu_text_printf(&tb,
		       "检材文件 %zu 个，见《电子数据提取固定清单》及其电子附件 %s（SHA-256：%s）",
		       json_array_size(in->files), APPENDIX_NAME, cx->appendix_sha);
	fm_line(&fm, "固定的电子数据", b.data);
	cu_buf_reset(&b);
	limits_text(&tb, cx);
	fm_line(&fm, "检查局限", b.data);
	cu_buf_reset(&b);
	cu_text_printf(&tb,
		       "1. 检查报告（report/index.html）；2. 解析数据库（case.db）；3. 电子数据提取"
		       "固定清单及其电子附件（%s）；4. 监管日志（custody/log.jsonl）；5. 校验说明"
		       "（VERIFY.md）",
		       APPENDIX_NAME);
	{
		size_t n = 6;
		json_array_foreach(ev->all, i, x)
		{
			if (js(x, "event") == NULL || strcmp(js(x, "event"), "EXPORT") != 0)
				continue;
			cu_text_printf(&tb, "；%zu. 导出文件（%s）", n++,
				       js(json_object_get(x, "details"), "path")
					   ? js(json_object_get(x, "details"), "path")
					   : "—");
		}
	}
	fm_line(&fm, "附件", b.data);
	json_array_foreach(cx->examiners, i, x) fm_sign(&fm, "检查人员", json_string_value(x));
	if (json_array_size(cx->examiners) == 0)
		fm_sign(&fm, "检查人员", NULL);
	fm_hash(&fm, in, NULL);
	fd_form(d, &fm, true, false);
	fm_release(&fm);
	fd_keep(d, &tb);
	cu_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* output                                                              */
/* ------------------------------------------------------------------ */

static enum cu_status write_html(const char *dir, const char *name, const char *title,
				 const struct cu_buf *body, struct cu_error *err)
{
	struct cu_buf page = CU_BUF_INIT;
	enum cu_status st;

	if ((st = cu_buf_puts(&page,
			      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta "
			      "charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" "
			      "content=\"" FORMS_CSP "\">\n<title>",
			      err)) != CU_OK ||
	    (st = cu_buf_puts(&page, title, err)) != CU_OK ||
	    (st = cu_buf_puts(&page,
			      "</title>\n<link rel=\"stylesheet\" href=\"forms.css\">\n</head>\n"
			      "<body>\n",
			      err)) != CU_OK ||
	    (st = cu_buf_append(&page, body->data ? body->data : "", body->len, err)) != CU_OK ||
	    (st = cu_buf_puts(&page, "</body>\n</html>\n", err)) != CU_OK)
		goto out;
	st = cu_report_write_file(dir, name, page.data, page.len, err);
out:
	cu_buf_release(&page);
	return st;
}

static void fd_release(struct fdoc *d)
{
	cu_buf_release(&d->b);
	for (unsigned k = 0; k < CU_DOCX_MAX_SECTIONS; k++)
		cu_buf_release(&d->foot[k]);
}

/* The examiners: personnel.examiners when the manifest names them, else
 * whoever ran the examination steps in the custody log, and the examiner
 * this command runs for. Nobody named: a line to fill in by hand. */
static json_t *examiners_of(const json_t *m, const struct events *ev, const char *examiner)
{
	json_t *out = json_array();
	size_t i;
	const json_t *x;

	if (out == NULL)
		return NULL;
	json_array_foreach(json_object_get(json_object_get(m, "personnel"), "examiners"), i, x)
	    add_name(out, json_is_string(x) ? json_string_value(x) : js(x, "name"));
	if (json_array_size(out) > 0)
		return out;
	json_array_foreach(ev->actors, i, x) add_name(out, json_string_value(x));
	add_name(out, examiner);
	return out;
}

enum cu_status cu_forms_write(const char *dir, const struct cu_forms_in *in, struct cu_buf *names,
			      struct cu_error *err)
{
	return cu_forms_write_ex(dir, in, NULL, NULL, names, err);
}

enum cu_status cu_forms_write_ex(const char *dir, const struct cu_forms_in *in,
				 const char *examiner, const char *casedb, struct cu_buf *names,
				 struct cu_error *err)
{
	static const struct {
		const char *base, *title;
	} forms[] = {
	    {"seizure-list", "扣押清单"},
	    {"extraction-record", "电子数据现场提取笔录及电子数据提取固定清单"},
	    {"examination-record", "电子数据检查笔录"},
	};
	struct cu_buf png = CU_BUF_INIT, log = CU_BUF_INIT, path = CU_BUF_INIT, idx = CU_BUF_INIT;
	struct cu_buf csv = CU_BUF_INIT, dbp = CU_BUF_INIT;
	struct events ev;
	struct dbfacts db = {NULL, NULL};
	struct cu_custody_check chk;
	struct ctx cx;
	unsigned formats = in->formats ? in->formats : (CU_REPORT_HTML | CU_REPORT_DOCX);
	enum cu_status st;
	char qrtext[96], g[80];

	memset(&ev, 0, sizeof(ev));
	memset(&cx, 0, sizeof(cx));
	ev.all = json_array();
	ev.derived = json_object();
	ev.actors = json_array();
	if (ev.all == NULL || ev.derived == NULL || ev.actors == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "forms: out of memory");
		goto out;
	}
	if ((st = cu_file_read_all(in->custody_log, (size_t)256 << 20, &log, err)) != CU_OK ||
	    (st = cu_custody_each_buf(log.data, log.len, in->custody_log, NULL, collect_event, &ev,
				      &chk, err)) != CU_OK)
		goto out;
	if (casedb == NULL) {
		/* CASE/custody/log.jsonl -> CASE/case.db */
		const char *s = strstr(in->custody_log, "custody/log.jsonl");
		if (s != NULL && s[17] == '\0' &&
		    (st = cu_buf_printf(&dbp, err, "%.*scase.db", (int)(s - in->custody_log),
					in->custody_log)) != CU_OK)
			goto out;
		casedb = dbp.data;
	}
	db_facts(casedb, &db);
	cx.in = in;
	cx.ev = &ev;
	cx.db = &db;
	if ((cx.examiners = examiners_of(in->manifest, &ev, examiner)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "forms: out of memory");
		goto out;
	}
	/* The electronic appendix first: the forms print its SHA-256. */
	if ((st = appendix_csv(&cx, &csv, err)) != CU_OK ||
	    (st = cu_report_write_file(dir, APPENDIX_NAME, csv.data, csv.len, err)) != CU_OK ||
	    (st = cu_buf_puts(names, APPENDIX_NAME "\n", err)) != CU_OK)
		goto out;
	cu_sha256_hex(csv.data, csv.len, cx.appendix_sha);
	cx.appendix_rows = json_array_size(in->files);
	/* The QR carries the bare seal hash (what custos verify prints); the
	 * in-package one is labelled so it cannot be mistaken for it. */
	snprintf(qrtext, sizeof(qrtext), "%s%s", in->is_seal ? "" : "content-root:", in->hash_hex);
	if ((st = cu_qr_png(qrtext, 6, &png, err)) != CU_OK ||
	    (st = cu_report_write_file(dir, "qr.png", png.data, png.len, err)) != CU_OK ||
	    (st = cu_buf_puts(names, "qr.png\n", err)) != CU_OK)
		goto out;
	if (formats & CU_REPORT_HTML) {
		struct cu_buf css = CU_BUF_INIT;
		st = cu_buf_puts(&css, cu_forms_css, err);
		for (unsigned w = 1; w <= 60 && st == CU_OK; w++)
			st = cu_buf_printf(&css, err, "col.w%u{width:%u%%}\n", w, w);
		if (st == CU_OK)
			st = cu_report_write_file(dir, "forms.css", css.data, css.len, err);
		cu_buf_release(&css);
		if (st != CU_OK || (st = cu_buf_puts(names, "forms.css\n", err)) != CU_OK)
			goto out;
	}
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (int docx = 0; docx < 2; docx++) {
			struct fdoc d;
			if (!(formats & (docx ? CU_REPORT_DOCX : CU_REPORT_HTML)))
				continue;
			memset(&d, 0, sizeof(d));
			cu_buf_init(&d.b, (size_t)512 << 20);
			d.docx = docx != 0;
			d.in = in;
			for (unsigned k = 0; k < CU_DOCX_MAX_SECTIONS; k++)
				cu_buf_init(&d.foot[k], 0);
			if (f == 0)
				seizure_list(&d, &cx);
			else if (f == 1)
				extraction_record(&d, &cx);
			else
				examination_record(&d, &cx);
			if (d.failed) {
				*err = d.err;
				st = d.err.code ? d.err.code : CU_E_INTERNAL;
				fd_release(&d);
				goto out;
			}
			cu_buf_reset(&path);
			if ((st = cu_buf_printf(&path, err, "%s.%s", forms[f].base,
						docx ? "docx" : "html")) != CU_OK) {
				fd_release(&d);
				goto out;
			}
			if (docx) {
				struct cu_buf full = CU_BUF_INIT;
				const char *foot[CU_DOCX_MAX_SECTIONS];
				for (unsigned k = 0; k < d.nsec; k++)
					foot[k] = d.foot[k].data;
				st = cu_path_join(dir, path.data, &full, err);
				if (st == CU_OK)
					st = cu_docx_write(full.data, d.b.data ? d.b.data : "",
							   d.b.len, foot, d.nsec, png.data, png.len,
							   err);
				cu_buf_release(&full);
			} else {
				st = write_html(dir, path.data, forms[f].title, &d.b, err);
			}
			fd_release(&d);
			if (st != CU_OK ||
			    (st = cu_buf_printf(names, err, "%s\n", path.data)) != CU_OK)
				goto out;
		}
	}
	/* index.html: the list of forms and the hash they carry. */
	if (formats & CU_REPORT_HTML) {
		cu_report_group_hex(in->hash_hex, g);
		/* Every append checked: a dropped line would leave a form or the
		 * hash paragraph out of the index without a word. */
		st = cu_buf_puts(&idx, "<section class=\"page\">\n<h1>文书</h1>\n<ul>\n", err);
		for (size_t f = 0; st == CU_OK && f < sizeof(forms) / sizeof(forms[0]); f++) {
			st = cu_buf_printf(&idx, err, "<li>%s：<a href=\"%s.html\">网页版</a>",
					   forms[f].title, forms[f].base);
			if (st == CU_OK && (formats & CU_REPORT_DOCX))
				st = cu_buf_printf(&idx, err, " · <a href=\"%s.docx\">docx</a>",
						   forms[f].base);
			if (st == CU_OK)
				st = cu_buf_puts(&idx, "</li>\n", err);
		}
		if (st == CU_OK)
			st = cu_buf_printf(
			    &idx, err,
			    "<li>电子数据提取固定清单的电子附件：<a href=\"%s\">%s</a>"
			    "（SHA-256：<span class=\"hash\">%s</span>）</li>\n",
			    APPENDIX_NAME, APPENDIX_NAME, cx.appendix_sha);
		if (st == CU_OK)
			st = cu_buf_printf(
			    &idx, err, "</ul>\n<p>%s：<br><span class=\"hash\">%s</span></p>\n",
			    in->is_seal ? "封存值 Seal hash" : "内容根 Content root", g);
		if (st == CU_OK && in->package_name != NULL) {
			st = cu_buf_puts(&idx, "<p>证据包 Package：", err);
			if (st == CU_OK)
				st = cu_html_escape(&idx, in->package_name,
						    strlen(in->package_name), CU_ESC_ONELINE, err);
			if (st == CU_OK)
				st = cu_buf_puts(&idx, "</p>\n", err);
		}
		if (st == CU_OK && in->is_seal)
			st = cu_buf_puts(
			    &idx,
			    "<p>打印、签名后请记录 After printing and signing, record it in the "
			    "living custody log: <code>custos custody add --log "
			    "&lt;package&gt;.custody.jsonl --action SIGN --actor NAME --note "
			    "TEXT</code></p>\n",
			    err);
		if (st == CU_OK)
			st = cu_buf_puts(
			    &idx,
			    "<p><img class=\"qr\" src=\"qr.png\" alt=\"QR\"></p>\n</section>\n",
			    err);
		if (st != CU_OK)
			goto out;
		if ((st = write_html(dir, "index.html", "文书 Forms", &idx, err)) != CU_OK ||
		    (st = cu_buf_puts(names, "index.html\n", err)) != CU_OK)
			goto out;
	}
	st = CU_OK;
out:
	json_decref(ev.all);
	json_decref(ev.derived);
	json_decref(ev.actors);
	json_decref((json_t *)cx.examiners);
	json_decref(db.msg_by_app);
	json_decref(db.not_examined);
	cu_buf_release(&png);
	cu_buf_release(&log);
	cu_buf_release(&path);
	cu_buf_release(&idx);
	cu_buf_release(&csv);
	cu_buf_release(&dbp);
	return st;
}
