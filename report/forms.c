/*
 * forms.c - the Chinese forms from the manifest (MANIFEST.md), as HTML for
 * A4 printing and as .docx: 扣押清单 (three copies), 电子数据现场提取笔录 with
 * its 电子数据提取固定清单, and the lab's 电子数据检查笔录.
 *
 * One layout, two renderers: the rows of each page are laid out here, so
 * "第 X 页 共 Y 页" is computed, not left to a word processor, and the HTML
 * and the docx carry the same page breaks and numbers. Every value comes
 * from the manifest, the inventory or the custody log and is escaped
 * (cu_html_escape gives text valid in both HTML and XML 1.0).
 *
 * Inside the package the forms carry the content root; beside it, after
 * sealing, the seal hash (16 groups of 4 hex digits and a QR code).
 */
#include "report/docx_int.h"
#include "report/html_int.h"

#include <stdlib.h>
#include <string.h>

/* A4 text height with 2 cm margins, in twips; table cells are 7 pt. */
#define PAGE_TW  14570
#define CELL_HPT 14
#define TEXT_HPT 21

const char cu_forms_css[] =
    "@page{size:A4;margin:15mm}\n"
    "body{font-family:\"Noto Serif CJK SC\",\"SimSun\",serif;font-size:10.5pt;margin:0;"
    "color:#000;background:#fff}\n"
    ".page{width:180mm;min-height:262mm;margin:0 auto 10mm auto;position:relative;"
    "page-break-after:always;break-after:page;padding-bottom:12mm}\n"
    ".page:last-child{page-break-after:auto;break-after:auto}\n"
    "h1{text-align:center;font-size:18pt;margin:4mm 0}\n"
    ".center{text-align:center}\n"
    ".mismatch{color:#c00}\n"
    "p{margin:1.5mm 0}\n"
    "table{border-collapse:collapse;width:100%;margin:2mm 0;table-layout:fixed}\n"
    "th,td{border:1px solid #000;padding:1mm;font-size:7pt;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:break-all}\n"
    ".hash{font-family:monospace;font-size:9pt}\n"
    "img.qr{width:30mm;height:30mm}\n"
    ".sign{margin-top:5mm}\n"
    ".pno{position:absolute;bottom:0;width:100%;text-align:center;font-size:9pt}\n"
    "@media screen{body{background:#ddd}.page{background:#fff;padding:10mm;"
    "box-shadow:0 0 3px #888}}\n";

#define FORMS_CSP                                                                                  \
	"default-src 'none'; img-src 'self'; style-src 'self'; script-src 'none'; "                \
	"form-action 'none'; base-uri 'none'"

struct fdoc {
	bool docx;
	struct cu_buf b;
	struct cu_error err;
	bool failed;
	unsigned pic_id;
	const struct cu_forms_in *in;
	bool red; /* runs written now are red (a MISMATCH line) */
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

static void f_page_end(struct fdoc *d, int x, int y, bool last)
{
	char t[64];
	snprintf(t, sizeof(t), "第 %d 页 共 %d 页", x, y);
	if (!d->docx) {
		fd_printf(d, "<div class=\"pno\">%s</div>\n</section>\n", t);
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:spacing w:before=\"240\"/><w:jc w:val=\"center\"/></w:pPr>");
	x_run(d, t, false, false, 18);
	fd_raw(d, "</w:p>");
	if (!last)
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

static void f_center(struct fdoc *d, const char *text)
{
	if (!d->docx) {
		fd_raw(d, "<p class=\"center\">");
		fd_esc(d, text);
		fd_raw(d, "</p>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>");
	x_run(d, text, true, false, 0);
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

static void f_line(struct fdoc *d, const char *label, const char *value)
{
	f_line_c(d, label, value, false);
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
	fd_raw(d, "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
	for (size_t i = 0; i < n; i++) {
		fd_printf(d, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/></w:tcPr><w:p>",
			  tw[i]);
		x_run(d, heads[i], true, true, 16);
		fd_raw(d, "</w:p></w:tc>");
	}
	fd_raw(d, "</w:tr>");
}

static void f_tbl_row(struct fdoc *d, size_t n, const unsigned *tw, const char *const *cells)
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
	fd_raw(d, d->docx ? "</w:tbl><w:p/>" : "</tbody></table>\n");
}

/*
 * Page layout. Rows are laid out here, not by the word processor, so the
 * "第 X 页 共 Y 页" printed on each page is right: the height of every row is
 * estimated from its text (full-width characters 1 em, others 0.6 em, 15%
 * slack for line breaking, CJK line height) and pages are filled greedily.
 * The estimate errs on the tall side: a page may end early, never overflow.
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
			w = 6;
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
	return est_lines(s, 9638, half_pt) * half_pt * 17 + 80;
}

static unsigned est_row(const json_t *row, const unsigned *tw, size_t n)
{
	unsigned lines = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned l = est_lines(json_string_value(json_array_get(row, i)), tw[i], CELL_HPT);
		if (l > lines)
			lines = l;
	}
	return lines * CELL_HPT * 17 + 120;
}

/*
 * Splits rows into pages of at most budget twips (at least one row a page)
 * and makes sure the closing block (reserve twips) fits after the last row,
 * adding a page for it when not. starts[p] is the first row of page p,
 * starts[pages] = number of rows. Returns the number of pages (>= 1).
 */
static size_t paginate(const json_t *rows, const unsigned *tw, size_t ncols, unsigned budget,
		       unsigned reserve, size_t **starts)
{
	size_t n = json_array_size(rows), pages = 0, cap = 8;
	size_t *st = cu_calloc(cap, sizeof(*st));
	unsigned used = 0;

	if (st == NULL) {
		*starts = NULL;
		return 1;
	}
	st[pages++] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned h = est_row(json_array_get(rows, i), tw, ncols);
		if (used > 0 && used + h > budget) {
			if (pages + 2 > cap) {
				size_t *v = cu_reallocarray(st, cap * 2, sizeof(*st));
				if (v == NULL)
					break;
				st = v;
				cap *= 2;
			}
			st[pages++] = i;
			used = 0;
		}
		used += h;
	}
	if (used > 0 && used + reserve > budget) {
		if (pages + 2 > cap) {
			size_t *v = cu_reallocarray(st, cap * 2, sizeof(*st));
			if (v != NULL) {
				st = v;
				cap *= 2;
			}
		}
		if (pages + 2 <= cap)
			st[pages++] = n;
	}
	st[pages] = n;
	*starts = st;
	return pages;
}

static void f_rows(struct fdoc *d, const json_t *rows, size_t from, size_t to, size_t ncols,
		   const unsigned *tw)
{
	const char *cells[16];
	for (size_t i = from; i < to; i++) {
		const json_t *r = json_array_get(rows, i);
		for (size_t c = 0; c < ncols && c < 16; c++)
			cells[c] = json_string_value(json_array_get(r, c));
		f_tbl_row(d, ncols, tw, cells);
	}
}

static void f_sign(struct fdoc *d, const char *role, const char *name)
{
	char t[512];
	snprintf(t, sizeof(t), "%s：%s  签名：＿＿＿＿＿＿＿＿  ＿＿＿＿年＿＿月＿＿日", role,
		 name && *name ? name : "＿＿＿＿＿＿");
	if (!d->docx) {
		fd_raw(d, "<p class=\"sign\">");
		fd_esc(d, t);
		fd_raw(d, "</p>\n");
		return;
	}
	fd_raw(d, "<w:p><w:pPr><w:spacing w:before=\"200\"/></w:pPr>");
	x_run(d, t, true, false, 0);
	fd_raw(d, "</w:p>");
}

/* The hash block: grouped hex and the QR code. */
static void f_hash(struct fdoc *d)
{
	const struct cu_forms_in *in = d->in;
	char g[80];
	const char *label = in->is_seal ? "封存值 Seal hash (SHA-256 of manifest.json)"
					: "内容根 Content root (RFC 6962, all evidence files)";

	cu_report_group_hex(in->hash_hex, g);
	if (!d->docx) {
		fd_raw(d, "<p><b>");
		fd_esc(d, label);
		fd_raw(d, "：</b><br><span class=\"hash\">");
		fd_esc(d, g);
		fd_raw(d, "</span></p>\n");
		if (in->package_name != NULL) {
			fd_raw(d, "<p>证据包 Package：");
			fd_esc(d, in->package_name);
			fd_raw(d, "</p>\n");
		}
		fd_raw(d, "<p><img class=\"qr\" src=\"qr.png\" alt=\"QR\"></p>\n");
		return;
	}
	fd_raw(d, "<w:p>");
	x_run(d, label, true, true, 0);
	x_run(d, "：", false, true, 0);
	fd_raw(d, "</w:p><w:p>");
	/* 9 pt monospace: the 79 characters fit one line of A4. */
	fd_raw(d, "<w:r><w:rPr><w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\"/>"
		  "<w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\">");
	fd_esc(d, g);
	fd_raw(d, "</w:t></w:r></w:p>");
	if (in->package_name != NULL) {
		fd_raw(d, "<w:p>");
		x_run(d, "证据包 Package：", false, false, 0);
		x_run(d, in->package_name, true, false, 0);
		fd_raw(d, "</w:p>");
	}
	d->pic_id++;
	/* 30 mm square: 1080000 EMU. */
	fd_printf(d,
		  "<w:p><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" "
		  "distR=\"0\"><wp:extent cx=\"1080000\" cy=\"1080000\"/><wp:docPr id=\"%u\" "
		  "name=\"QR %u\"/><a:graphic><a:graphicData "
		  "uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>"
		  "<pic:nvPicPr><pic:cNvPr id=\"%u\" name=\"qr.png\"/><pic:cNvPicPr/>"
		  "</pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdQR\"/><a:stretch>"
		  "<a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" "
		  "y=\"0\"/><a:ext cx=\"1080000\" cy=\"1080000\"/></a:xfrm><a:prstGeom "
		  "prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>"
		  "</a:graphic></wp:inline></w:drawing></w:r></w:p>",
		  d->pic_id, d->pic_id, d->pic_id);
}

/* ------------------------------------------------------------------ */
/* data from the manifest                                              */
/* ------------------------------------------------------------------ */

static const char *js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void local_of(const struct cu_forms_in *in, const char *rfc3339, char *out, size_t n)
{
	int64_t ms;
	char t[CU_LOCAL_TIME_STR];
	if (rfc3339 != NULL && cu_time_parse(rfc3339, &ms) && cu_report_local_time(ms, in->tz, t))
		snprintf(out, n, "%s", t);
	else
		snprintf(out, n, "%s", rfc3339 ? rfc3339 : "");
}

/* Appends "k: v; " for every non-null scalar (arrays joined by ", "). */
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
					     {"battery_pct", "电量%"},
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

static void names_of(struct cu_text *t, const json_t *arr)
{
	const struct cu_buf *b = t->out;
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *n = js(x, "name");
		if (n != NULL)
			cu_text_printf(t, "%s%s", b->len ? "、" : "", n);
	}
}

/* ------------------------------------------------------------------ */
/* 扣押清单                                                              */
/* ------------------------------------------------------------------ */

static json_t *jsn(const char *v)
{
	json_t *x = json_string(v != NULL ? v : "");
	return x != NULL ? x : json_string("\xef\xbf\xbd");
}

static unsigned sign_tw(const char *role, const char *name)
{
	char t[512];
	snprintf(t, sizeof(t), "%s：%s  签名：＿＿＿＿＿＿＿＿  ＿＿＿＿年＿＿月＿＿日", role,
		 name && *name ? name : "＿＿＿＿＿＿");
	return est_para(t, TEXT_HPT) + 200;
}

static unsigned line_tw(const char *label, const char *value)
{
	struct cu_buf t = CU_BUF_INIT;
	struct cu_error e;
	unsigned h;

	if (cu_buf_printf(&t, &e, "%s：%s", label ? label : "",
			  value ? value : "＿＿＿＿＿＿＿＿＿＿") != CU_OK)
		return PAGE_TW; /* cannot measure: a page of its own */
	h = est_para(t.data, TEXT_HPT);
	cu_buf_release(&t);
	return h;
}

/* The seal hash / content root block: label, hash, package, 30 mm QR. */
static unsigned hash_tw(const struct cu_forms_in *in)
{
	return est_para("x", TEXT_HPT) * 2 +
	       (in->package_name ? line_tw("证据包 Package", in->package_name) : 0) + 1900;
}

#define TITLE_TW  (36 * 17 + 300)
#define FOOTER_TW (18 * 17 + 400)

static void seizure_list(struct fdoc *d)
{
	static const char *const copies[] = {"第一联 存根", "第二联 交持有人", "第三联 附卷"};
	static const unsigned tw[] = {900, 1400, 600, 4138, 1600, 1000};
	static const char *const heads[] = {"编号", "名称", "数量", "特征", "来源", "封存编号"};
	const struct cu_forms_in *in = d->in;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *sz = json_object_get(m, "seizure"), *pe = json_object_get(m, "personnel");
	const json_t *items = cu_manifest_items(m, CU_MANIFEST_SEIZED), *it, *x;
	json_t *rows = json_array(), *hrow = json_array();
	char when[CU_LOCAL_TIME_STR + 8];
	const char *docno = js(json_object_get(cs, "legal_basis"), "document_number");
	const char *loc = js(json_object_get(sz, "location"), "text");
	const char *holder = js(json_object_get(pe, "holder"), "name");
	size_t i, pages, *starts = NULL;
	unsigned head, reserve;

	local_of(in, js(sz, "time"), when, sizeof(when));
	json_array_foreach(items, i, it)
	{
		struct cu_buf feat = CU_BUF_INIT, seal = CU_BUF_INIT;
		struct cu_item_facts f;
		char qty[32] = "";
		const json_t *q = json_object_get(it, "quantity"), *sn;
		size_t si;
		json_t *r = json_array();
		struct cu_text tf, ts;

		cu_text_init(&tf, &feat);
		cu_text_init(&ts, &seal);
		cu_manifest_item_facts(it, &f);
		describe(&tf, json_object_get(it, "features"), feature_names);
		describe(&tf, json_object_get(it, "identifiers"), ident_names);
		if (f.os != NULL)
			cu_text_printf(&tf, "；系统：%s %s", f.os,
				       f.os_version ? f.os_version : "");
		json_array_foreach(json_object_get(json_object_get(it, "seal"), "numbers"), si, sn)
		    cu_text_printf(&ts, "%s%s", si ? "、" : "",
				   json_string_value(sn) ? json_string_value(sn) : "");
		if (json_is_integer(q))
			snprintf(qty, sizeof(qty), "%lld", (long long)json_integer_value(q));
		json_array_append_new(r, jsn(f.item_id));
		json_array_append_new(r, jsn(f.name));
		json_array_append_new(r, jsn(qty));
		json_array_append_new(r, jsn(feat.data));
		json_array_append_new(r, jsn(f.source));
		json_array_append_new(r, jsn(seal.data));
		json_array_append_new(rows, r);
		fd_keep(d, &tf);
		fd_keep(d, &ts);
		cu_buf_release(&feat);
		cu_buf_release(&seal);
	}
	for (i = 0; i < 6; i++)
		json_array_append_new(hrow, jsn(heads[i]));
	head = TITLE_TW + est_para(copies[1], TEXT_HPT) + line_tw("文书编号", docno) +
	       line_tw("案件编号", js(cs, "case_number")) + line_tw("案由", js(cs, "case_title")) +
	       line_tw("办案单位", js(cs, "agency")) + line_tw("扣押时间", when) +
	       line_tw("扣押地点", loc) + line_tw("持有人", holder) + est_row(hrow, tw, 6) +
	       FOOTER_TW + 240;
	reserve = line_tw("备注", "本清单一式三份，一份交持有人，一份附卷，一份存根。") +
		  sign_tw("持有人", holder) + hash_tw(in) + 240;
	json_array_foreach(json_object_get(pe, "investigators"), i, x) reserve +=
	    sign_tw("侦查人员", js(x, "name"));
	json_array_foreach(json_object_get(pe, "witnesses"), i, x) reserve +=
	    sign_tw("见证人", js(x, "name"));
	if (json_array_size(json_object_get(pe, "witnesses")) == 0)
		reserve += sign_tw("见证人", NULL);
	pages = paginate(rows, tw, 6, head < PAGE_TW ? PAGE_TW - head : 1, reserve, &starts);

	for (int c = 0; c < 3; c++) {
		for (size_t p = 0; p < pages; p++) {
			f_page_begin(d);
			f_title(d, "扣押清单");
			f_center(d, copies[c]);
			f_line(d, "文书编号", docno);
			f_line(d, "案件编号", js(cs, "case_number"));
			f_line(d, "案由", js(cs, "case_title"));
			f_line(d, "办案单位", js(cs, "agency"));
			f_line(d, "扣押时间", when);
			f_line(d, "扣押地点", loc);
			f_line(d, "持有人", holder);
			f_tbl_begin(d, 6, tw, heads);
			if (starts != NULL)
				f_rows(d, rows, starts[p], starts[p + 1], 6, tw);
			f_tbl_end(d);
			if (p + 1 == pages) {
				f_line(d, "备注",
				       "本清单一式三份，一份交持有人，一份附卷，一份存根。");
				json_array_foreach(json_object_get(pe, "investigators"), i, x)
				    f_sign(d, "侦查人员", js(x, "name"));
				f_sign(d, "持有人", holder);
				if (json_array_size(json_object_get(pe, "witnesses")) == 0)
					f_sign(d, "见证人", NULL);
				json_array_foreach(json_object_get(pe, "witnesses"), i, x)
				    f_sign(d, "见证人", js(x, "name"));
				f_hash(d);
			}
			f_page_end(d, (int)p + 1, (int)pages, c == 2 && p + 1 == pages);
		}
	}
	free(starts);
	json_decref(rows);
	json_decref(hrow);
}

/* ------------------------------------------------------------------ */
/* 电子数据现场提取笔录 + 电子数据提取固定清单                              */
/* ------------------------------------------------------------------ */

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

/* Splits [label, value] paragraphs into pages of budget twips, keeping
 * reserve twips free after the last one (as paginate()). */
static size_t paginate_lines(const json_t *lines, unsigned budget, unsigned reserve,
			     size_t **starts)
{
	size_t n = json_array_size(lines), pages = 0;
	size_t *st = cu_calloc(n + 2, sizeof(*st));
	unsigned used = 0;

	*starts = st;
	if (st == NULL)
		return 1;
	st[pages++] = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *l = json_array_get(lines, i);
		unsigned h = line_tw(json_string_value(json_array_get(l, 0)),
				     json_string_value(json_array_get(l, 1)));
		if (used > 0 && used + h > budget) {
			st[pages++] = i;
			used = 0;
		}
		used += h;
	}
	if (used > 0 && used + reserve > budget)
		st[pages++] = n; /* the closing block gets a page of its own */
	st[pages] = n;
	return pages;
}

static void add_line(json_t *lines, const char *label, const char *value)
{
	json_t *l = json_array();
	json_array_append_new(l, jsn(label));
	json_array_append_new(l, value != NULL ? jsn(value) : json_null());
	json_array_append_new(lines, l);
}

/* One red line per fact import found contradicting the seizure record
 * (the items[].mismatches it wrote, each also a MISMATCH custody entry). */
static void mismatch_lines(json_t *lines, const json_t *m)
{
	const json_t *it, *x;
	struct cu_buf t = CU_BUF_INIT;
	struct cu_error e;
	size_t i, k;

	json_array_foreach(cu_manifest_items(m, CU_MANIFEST_IMPORTED), i, it)
	{
		json_array_foreach(json_object_get(it, "mismatches"), k, x)
		{
			json_t *l = json_array();
			cu_buf_reset(&t);
			if (cu_buf_printf(&t, &e,
					  "检材 %s %s：扣押时记录 %s，设备读取 %s（读自 %s）",
					  js(it, "item_id") ? js(it, "item_id") : "?",
					  js(x, "field") ? js(x, "field") : "?",
					  js(x, "typed") ? js(x, "typed") : "—",
					  js(x, "read") ? js(x, "read") : "—",
					  js(x, "read_from") ? js(x, "read_from") : "—") != CU_OK)
				cu_buf_reset(&t); /* a line to fill by hand */
			json_array_append_new(l, jsn("设备读取与扣押记录不符"));
			json_array_append_new(l, t.len ? jsn(t.data) : json_null());
			json_array_append_new(l, json_true());
			json_array_append_new(lines, l);
		}
	}
	cu_buf_release(&t);
}

/* The exhibits examined that the seizure list does not name, with the
 * reason given at import (acquisitions[].new_item). */
static void unlisted_lines(json_t *lines, const json_t *m)
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
		add_line(lines, "未列入扣押清单的检材", t.len ? t.data : NULL);
	}
	cu_buf_release(&t);
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

static void extraction_record(struct fdoc *d)
{
	static const unsigned tw[] = {400, 2400, 800, 700, 700, 700, 700, 1338, 1900};
	static const char *const heads[] = {"序号",     "电子数据",   "来源", "提取方式", "类别",
					    "文件格式", "大小(字节)", "MD5",  "SHA-256"};
	const struct cu_forms_in *in = d->in;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *sz = json_object_get(m, "seizure"), *pe = json_object_get(m, "personnel");
	const json_t *acq = json_object_get(m, "acquisitions"), *x;
	size_t nfiles = json_array_size(in->files), i, lpages, npages, *starts = NULL;
	size_t *nstarts = NULL;
	json_t *rows = json_array(), *hrow = json_array(), *nl = json_array();
	const json_t *f;
	unsigned head, reserve;
	int pages;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_text tb;
	uint64_t bytes = 0;
	char t[256];

	cu_text_init(&tb, &b);
	json_array_foreach(in->files, i, x) bytes +=
	    (uint64_t)json_integer_value(json_object_get(x, "size"));
	/* The 固定清单 rows, laid out before anything is written so every page
	 * knows the total. */
	json_array_foreach(in->files, i, f)
	{
		char seq[24], size[24], md5[33], src[256], shown[256];
		const char *iid = js(f, "item_id"), *iname = item_name(m, iid);
		const char *dp = js(f, "device_path") ? js(f, "device_path") : js(f, "path");
		json_t *r = json_array();

		snprintf(seq, sizeof(seq), "%lld",
			 (long long)json_integer_value(json_object_get(f, "seq")));
		snprintf(size, sizeof(size), "%lld",
			 (long long)json_integer_value(json_object_get(f, "size")));
		/* Chinese forms print MD5 in upper case (CUSTODY.md). */
		snprintf(md5, sizeof(md5), "%s", js(f, "md5") ? js(f, "md5") : "");
		upper(md5);
		snprintf(src, sizeof(src), "%s%s%s%s", iid ? iid : "", iname ? "（" : "",
			 iname ? iname : "", iname ? "）" : "");
		/* A row must fit a page whatever the path: long ones are cut
		 * here, the whole path is in manifest.json files[]. */
		if (dp != NULL && strlen(dp) > 160) {
			size_t n = 120;
			while (n > 0 && ((unsigned char)dp[n] & 0xc0) == 0x80)
				n--;
			snprintf(shown, sizeof(shown), "%.*s…（路径过长，全文见 manifest.json）",
				 (int)n, dp);
			dp = shown;
		}
		json_array_append_new(r, jsn(seq));
		json_array_append_new(r, jsn(dp));
		json_array_append_new(r, jsn(src));
		json_array_append_new(r, jsn(js(f, "method")));
		json_array_append_new(r, jsn(js(f, "category")));
		json_array_append_new(r, jsn(js(f, "format")));
		json_array_append_new(r, jsn(size));
		json_array_append_new(r, jsn(md5));
		json_array_append_new(r, jsn(js(f, "sha256")));
		json_array_append_new(rows, r);
	}
	for (i = 0; i < 9; i++)
		json_array_append_new(hrow, jsn(heads[i]));
	head = TITLE_TW + line_tw("案件编号", js(cs, "case_number")) + est_row(hrow, tw, 9) +
	       FOOTER_TW + 240;
	reserve = sign_tw("持有人/提供人", js(json_object_get(pe, "holder"), "name")) + 240;
	json_array_foreach(json_object_get(pe, "investigators"), i, x) reserve +=
	    sign_tw("提取人", js(x, "name"));
	lpages = paginate(rows, tw, 9, head < PAGE_TW ? PAGE_TW - head : 1, reserve, &starts);

	add_line(nl, "案件编号", js(cs, "case_number"));
	add_line(nl, "案由", js(cs, "case_title"));
	add_line(nl, "办案单位", js(cs, "agency"));
	add_line(nl, "提取地点", js(json_object_get(sz, "location"), "text"));
	names_of(&tb, json_object_get(pe, "investigators"));
	add_line(nl, "提取人", b.data);
	cu_buf_reset(&b);
	names_of(&tb, json_object_get(pe, "witnesses"));
	add_line(nl, "见证人", b.len ? b.data : js(pe, "no_witness_reason"));
	add_line(nl, "持有人/提供人", js(json_object_get(pe, "holder"), "name"));
	add_line(nl, "事由和目的", js(cs, "purpose"));
	json_array_foreach(acq, i, x)
	{
		char s1[CU_LOCAL_TIME_STR + 8], s2[CU_LOCAL_TIME_STR + 8];
		const char *iid = js(x, "item_id");
		local_of(in, js(x, "start"), s1, sizeof(s1));
		local_of(in, js(x, "end"), s2, sizeof(s2));
		cu_buf_reset(&b);
		const char *iname = item_label(m, iid);
		const char *why = js(json_object_get(x, "new_item"), "reason");
		cu_text_printf(
		    &tb,
		    "检材 %s（%s%s%s），方式 %s，自 %s 至 %s，工作站 %s，状态 %s，文件 %lld 个",
		    iid ? iid : "?", iname ? iname : "—", why ? "，理由：" : "", why ? why : "",
		    js(x, "method") ? js(x, "method") : "—", s1, s2,
		    js(x, "workstation") ? js(x, "workstation") : "—",
		    js(x, "status") ? js(x, "status") : "—",
		    (long long)json_integer_value(json_object_get(x, "files")));
		snprintf(t, sizeof(t), "提取过程 %zu", i + 1);
		add_line(nl, t, b.data);
	}
	if (json_array_size(acq) == 0)
		add_line(nl, "提取过程", NULL);
	mismatch_lines(nl, m);
	/* Sealed with --allow-incomplete over an unfinished acquisition. */
	if (json_array_size(json_object_get(json_object_get(m, "sealed"), "unfinished")) > 0)
		add_line(nl, "未完成提取",
			 "封存时仍有提取未完成（--allow-incomplete），见保管记录 SEAL");
	snprintf(t, sizeof(t),
		 "共提取电子数据 %zu 项，合计 %llu 字节，详见《电子数据提取固定清单》", nfiles,
		 (unsigned long long)bytes);
	add_line(nl, "提取结果", t);
	cu_buf_reset(&b);
	cu_text_printf(
	    &tb, "%s %s",
	    js(json_object_get(m, "tool"), "name") ? js(json_object_get(m, "tool"), "name")
						   : "custos",
	    js(json_object_get(m, "tool"), "version") ? js(json_object_get(m, "tool"), "version")
						      : "");
	add_line(nl, "提取工具", b.data);
	reserve =
	    sign_tw("持有人/提供人", js(json_object_get(pe, "holder"), "name")) + hash_tw(in) + 240;
	json_array_foreach(json_object_get(pe, "investigators"), i, x) reserve +=
	    sign_tw("提取人", js(x, "name"));
	json_array_foreach(json_object_get(pe, "witnesses"), i, x) reserve +=
	    sign_tw("见证人", js(x, "name"));
	npages = paginate_lines(nl, PAGE_TW - TITLE_TW - FOOTER_TW - 240, reserve, &nstarts);
	pages = (int)(npages + lpages);

	for (size_t q = 0; q < npages; q++) {
		f_page_begin(d);
		f_title(d, "电子数据现场提取笔录");
		for (i = nstarts ? nstarts[q] : 0; nstarts && i < nstarts[q + 1]; i++) {
			const json_t *l = json_array_get(nl, i);
			f_line_c(d, json_string_value(json_array_get(l, 0)),
				 json_string_value(json_array_get(l, 1)),
				 json_is_true(json_array_get(l, 2)));
		}
		if (q + 1 == npages) {
			json_array_foreach(json_object_get(pe, "investigators"), i, x)
			    f_sign(d, "提取人", js(x, "name"));
			json_array_foreach(json_object_get(pe, "witnesses"), i, x)
			    f_sign(d, "见证人", js(x, "name"));
			f_sign(d, "持有人/提供人", js(json_object_get(pe, "holder"), "name"));
			f_hash(d);
		}
		f_page_end(d, (int)q + 1, pages, false);
	}

	for (size_t p = 0; p < lpages; p++) {
		f_page_begin(d);
		f_title(d, "电子数据提取固定清单");
		f_line(d, "案件编号", js(cs, "case_number"));
		f_tbl_begin(d, 9, tw, heads);
		if (starts != NULL)
			f_rows(d, rows, starts[p], starts[p + 1], 9, tw);
		f_tbl_end(d);
		if (p + 1 == lpages) {
			json_array_foreach(json_object_get(pe, "investigators"), i, x)
			    f_sign(d, "提取人", js(x, "name"));
			f_sign(d, "持有人/提供人", js(json_object_get(pe, "holder"), "name"));
		}
		f_page_end(d, (int)(npages + p) + 1, pages, p + 1 == lpages);
	}
	free(starts);
	free(nstarts);
	json_decref(nl);
	json_decref(rows);
	json_decref(hrow);
	fd_keep(d, &tb);
	cu_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* 电子数据检查笔录                                                        */
/* ------------------------------------------------------------------ */

struct events {
	json_t *rows;   /* [time, event, actor, summary] */
	json_t *counts; /* details.counts of the last PARSE */
};

static enum cu_status collect_event(const struct cu_custody_entry *e, void *ctx,
				    struct cu_error *err)
{
	struct events *ev = ctx;
	const json_t *b = json_object_get(e->json, "body");
	const char *event = js(b, "event");
	char *sub = json_dumps(json_object_get(b, "subject"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_t *row = json_array();
	(void)err;

	if (sub != NULL && strlen(sub) > 100) {
		/* Cut on a UTF-8 boundary. */
		size_t n = 97;
		while (n > 0 && ((unsigned char)sub[n] & 0xc0) == 0x80)
			n--;
		memcpy(sub + n, "...", 4);
	}
	json_array_append_new(row, json_integer((json_int_t)e->seq));
	json_array_append_new(row, json_string(js(b, "time") ? js(b, "time") : ""));
	json_array_append_new(row, json_string(event ? event : ""));
	json_array_append_new(row, json_string(js(json_object_get(b, "actor"), "name")
						   ? js(json_object_get(b, "actor"), "name")
						   : ""));
	json_array_append_new(row, json_string(sub ? sub : ""));
	json_array_append_new(ev->rows, row);
	free(sub);
	if (event != NULL && strcmp(event, "PARSE") == 0) {
		json_decref(ev->counts);
		ev->counts =
		    json_deep_copy(json_object_get(json_object_get(b, "details"), "counts"));
	}
	return CU_OK;
}

static void examination_record(struct fdoc *d, const struct events *ev)
{
	static const unsigned tw[] = {600, 2400, 1400, 1600, 3638};
	static const char *const heads[] = {"序号", "时间", "事件", "人员", "内容"};
	const struct cu_forms_in *in = d->in;
	const json_t *m = in->manifest, *cs = json_object_get(m, "case");
	const json_t *pe = json_object_get(m, "personnel"), *tool = json_object_get(m, "tool");
	const json_t *x, *row;
	json_t *lines = json_array(), *rows = json_array(), *hrow = json_array();
	size_t i, lpages, epages, *lstarts = NULL, *estarts = NULL;
	int pages, p = 1;
	struct cu_buf b = CU_BUF_INIT;
	struct cu_text tb;
	const char *k;

	cu_text_init(&tb, &b);
	/* Page(s) 1: the commission, the exhibits, method, software, devices. */
	add_line(lines, "案件编号", js(cs, "case_number"));
	add_line(lines, "案由", js(cs, "case_title"));
	cu_text_printf(&tb, "%s；%s %s；%s", js(cs, "agency") ? js(cs, "agency") : "—",
		       js(json_object_get(cs, "legal_basis"), "type")
			   ? js(json_object_get(cs, "legal_basis"), "type")
			   : "—",
		       js(json_object_get(cs, "legal_basis"), "document_number")
			   ? js(json_object_get(cs, "legal_basis"), "document_number")
			   : "",
		       js(cs, "purpose") ? js(cs, "purpose") : "");
	add_line(lines, "委托", b.data);
	json_array_foreach(cu_manifest_items(m, CU_MANIFEST_SEIZED), i, x)
	{
		char t[64];
		struct cu_item_facts f;

		cu_manifest_item_facts(x, &f);
		cu_buf_reset(&b);
		cu_text_printf(&tb, "%s %s", f.item_id ? f.item_id : "", f.name ? f.name : "");
		describe(&tb, json_object_get(x, "features"), feature_names);
		describe(&tb, json_object_get(x, "identifiers"), ident_names);
		describe(&tb, json_object_get(x, "state_at_seizure"), state_names);
		snprintf(t, sizeof(t), "检材 %zu", i + 1);
		add_line(lines, t, b.data);
	}
	unlisted_lines(lines, m);
	mismatch_lines(lines, m);
	add_line(
	    lines, "检查方法",
	    "对检材数据逐一计算 SHA-256 与 MD5 校验值（读取时同步计算），在副本上以只读方式解析"
	    "聊天、支付、通话、联系人等数据库，恢复已删除记录，全过程记入哈希链监管日志");
	cu_buf_reset(&b);
	cu_text_printf(&tb, "%s %s (build %s)", js(tool, "name") ? js(tool, "name") : "custos",
		       js(tool, "version") ? js(tool, "version") : "",
		       js(tool, "build_commit") ? js(tool, "build_commit") : "—");
	json_object_foreach((json_t *)json_object_get(tool, "libraries"), k, x)
	    cu_text_printf(&tb, "；%s %s", k, json_string_value(x) ? json_string_value(x) : "");
	add_line(lines, "软件及版本", b.data);
	add_line(lines, "程序文件 SHA-256", js(tool, "sha256"));
	cu_buf_reset(&b);
	json_array_foreach(json_object_get(m, "acquisitions"), i, x) cu_text_printf(
	    &tb, "%s%s", b.len ? "、" : "", js(x, "workstation") ? js(x, "workstation") : "—");
	add_line(lines, "设备（工作站）", b.data);

	/* The process: one row per custody entry. */
	json_array_foreach(ev->rows, i, row)
	{
		char seq[24], when[CU_LOCAL_TIME_STR + 8];
		json_t *r = json_array();
		snprintf(seq, sizeof(seq), "%lld",
			 (long long)json_integer_value(json_array_get(row, 0)));
		local_of(in, json_string_value(json_array_get(row, 1)), when, sizeof(when));
		json_array_append_new(r, jsn(seq));
		json_array_append_new(r, jsn(when));
		json_array_append_new(r, jsn(json_string_value(json_array_get(row, 2))));
		json_array_append_new(r, jsn(json_string_value(json_array_get(row, 3))));
		json_array_append_new(r, jsn(json_string_value(json_array_get(row, 4))));
		json_array_append_new(rows, r);
	}
	for (i = 0; i < 5; i++)
		json_array_append_new(hrow, jsn(heads[i]));
	lpages = paginate_lines(lines, PAGE_TW - TITLE_TW - FOOTER_TW - 240, 0, &lstarts);
	epages = paginate(rows, tw, 5, PAGE_TW - TITLE_TW - est_row(hrow, tw, 5) - FOOTER_TW - 240,
			  0, &estarts);
	pages = (int)(lpages + epages) + 1;

	for (size_t q = 0; q < lpages; q++) {
		f_page_begin(d);
		f_title(d, "电子数据检查笔录");
		for (i = lstarts ? lstarts[q] : 0; lstarts && i < lstarts[q + 1]; i++) {
			const json_t *l = json_array_get(lines, i);
			f_line_c(d, json_string_value(json_array_get(l, 0)),
				 json_string_value(json_array_get(l, 1)),
				 json_is_true(json_array_get(l, 2)));
		}
		f_page_end(d, p++, pages, false);
	}
	for (size_t q = 0; q < epages; q++) {
		f_page_begin(d);
		f_title(d, "检查过程");
		f_tbl_begin(d, 5, tw, heads);
		if (estarts != NULL)
			f_rows(d, rows, estarts[q], estarts[q + 1], 5, tw);
		f_tbl_end(d);
		f_page_end(d, p++, pages, false);
	}

	f_page_begin(d);
	f_title(d, "检查结果");
	cu_buf_reset(&b);
	json_object_foreach((json_t *)ev->counts, k, x) cu_text_printf(
	    &tb, "%s%s %lld", b.len ? "，" : "", k, (long long)json_integer_value(x));
	f_line(d, "解析结果", b.len ? b.data : "—");
	cu_buf_reset(&b);
	cu_text_printf(&tb, "检材文件 %zu 个", json_array_size(in->files));
	f_line(d, "固定的电子数据", b.data);
	f_line(d, "附件",
	       "1. 检查报告 report/index.html；2. 解析数据库 case.db；3. 电子数据提取固定清单；"
	       "4. 监管日志 custody/log.jsonl；5. 校验说明 VERIFY.md");
	if (json_array_size(json_object_get(pe, "examiners")) > 0) {
		json_array_foreach(json_object_get(pe, "examiners"), i, x)
		    f_sign(d, "检查人员", json_is_string(x) ? json_string_value(x) : js(x, "name"));
	} else {
		json_array_foreach(json_object_get(pe, "investigators"), i, x)
		    f_sign(d, "检查人员", js(x, "name"));
	}
	json_array_foreach(json_object_get(pe, "witnesses"), i, x)
	    f_sign(d, "见证人", js(x, "name"));
	f_hash(d);
	f_page_end(d, p, pages, true);
	free(lstarts);
	free(estarts);
	json_decref(lines);
	json_decref(rows);
	json_decref(hrow);
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

enum cu_status cu_forms_write(const char *dir, const struct cu_forms_in *in, struct cu_buf *names,
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
	struct events ev = {json_array(), NULL};
	struct cu_custody_check chk;
	unsigned formats = in->formats ? in->formats : (CU_REPORT_HTML | CU_REPORT_DOCX);
	enum cu_status st;
	char qrtext[96], g[80];

	if (ev.rows == NULL)
		return cu_error_set(err, CU_E_NOMEM, "forms: out of memory");
	if ((st = cu_file_read_all(in->custody_log, (size_t)256 << 20, &log, err)) != CU_OK ||
	    (st = cu_custody_each_buf(log.data, log.len, in->custody_log, NULL, collect_event, &ev,
				      &chk, err)) != CU_OK)
		goto out;
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
			if (f == 0)
				seizure_list(&d);
			else if (f == 1)
				extraction_record(&d);
			else
				examination_record(&d, &ev);
			if (d.failed) {
				*err = d.err;
				st = d.err.code ? d.err.code : CU_E_INTERNAL;
				cu_buf_release(&d.b);
				goto out;
			}
			cu_buf_reset(&path);
			if ((st = cu_buf_printf(&path, err, "%s.%s", forms[f].base,
						docx ? "docx" : "html")) != CU_OK) {
				cu_buf_release(&d.b);
				goto out;
			}
			if (docx) {
				struct cu_buf full = CU_BUF_INIT;
				st = cu_path_join(dir, path.data, &full, err);
				if (st == CU_OK)
					st = cu_docx_write(full.data, d.b.data ? d.b.data : "",
							   d.b.len, png.data, png.len, err);
				cu_buf_release(&full);
			} else {
				st = write_html(dir, path.data, forms[f].title, &d.b, err);
			}
			cu_buf_release(&d.b);
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
		st =
		    cu_buf_puts(&idx, "<section class=\"page\">\n<h1>文书 Forms</h1>\n<ul>\n", err);
		for (size_t f = 0; st == CU_OK && f < sizeof(forms) / sizeof(forms[0]); f++) {
			st = cu_buf_printf(&idx, err, "<li>%s: <a href=\"%s.html\">HTML</a>",
					   forms[f].title, forms[f].base);
			if (st == CU_OK && (formats & CU_REPORT_DOCX))
				st = cu_buf_printf(&idx, err, " · <a href=\"%s.docx\">docx</a>",
						   forms[f].base);
			if (st == CU_OK)
				st = cu_buf_puts(&idx, "</li>\n", err);
		}
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
	json_decref(ev.rows);
	json_decref(ev.counts);
	cu_buf_release(&png);
	cu_buf_release(&log);
	cu_buf_release(&path);
	cu_buf_release(&idx);
	return st;
}
