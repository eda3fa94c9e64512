/*
 * test_escape.c - the report's escaping of hostile evidence (escape.c) in
 * every context, the link filter, and the display helpers (yuan, local
 * time, grouped hashes, zones, QR PNG).
 */
#include "report/report.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char *esc(const char *s, size_t n, unsigned flags)
{
	static struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	cu_buf_reset(&b);
	if (cu_html_escape(&b, s, n, flags, &err) != CU_OK)
		return "<error>";
	return b.data ? b.data : "";
}
#define ESC(s, f) esc((s), sizeof(s) - 1, (f))

static const char *url(const char *prefix, const char *rel)
{
	static struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	cu_buf_reset(&b);
	if (cu_html_url_path(&b, prefix, rel, &err) != CU_OK)
		return NULL;
	return b.data ? b.data : "";
}

/* No byte of the output may open or close markup or an attribute. */
static bool inert(const char *s)
{
	return strpbrk(s, "<>\"'") == NULL;
}

static void test_text(void)
{
	static const char *const hostile[] = {
	    "<script>alert(1)</script>",
	    "<img src=x onerror=alert(1)>",
	    "\"'><svg onload=alert(1)>",
	    "javascript:alert(1)",
	    "</bdi></div><style>body{display:none}</style>",
	    "<!-- --><![CDATA[ ]]>",
	    "a&b&amp;c",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		/* A named copy: gcc -O1 with sanitizers otherwise misreads the
		 * array element as a possible NULL (-Wformat-overflow). */
		const char *h = hostile[i] ? hostile[i] : "";
		const char *t = esc(h, strlen(h), 0);
		tap_ok(inert(t), "text: '%s' -> '%s' has no markup character", h, t);
		t = esc(h, strlen(h), CU_ESC_ATTR);
		tap_ok(inert(t), "attribute: '%s' has no markup character", h);
	}
	tap_is_str(ESC("<script>alert(1)</script>", 0), "&lt;script&gt;alert(1)&lt;/script&gt;",
		   "script tag as text");
	tap_is_str(ESC("\"'><svg onload=alert(1)>", CU_ESC_ATTR),
		   "&quot;&#39;&gt;&lt;svg onload=alert(1)&gt;", "attribute breakout quoted");
	tap_is_str(ESC("a&b", 0), "a&amp;b", "ampersand");
	tap_is_str(ESC("l1\nl2\tx", 0), "l1\nl2\tx", "text keeps newline and tab");
	tap_is_str(ESC("l1\nl2\tx", CU_ESC_ATTR), "l1&#10;l2&#9;x", "attribute: newline, tab refs");
	tap_is_str(ESC("l1\nl2", CU_ESC_ONELINE), "l1 l2", "one line: newline as space");
	tap_is_str(ESC("中文 emoji \xf0\x9f\x8d\xac", 0), "中文 emoji \xf0\x9f\x8d\xac",
		   "valid UTF-8 kept as is");
}

static void test_unicode(void)
{
	/* Bidi overrides and isolates are shown, never applied. */
	tap_is_str(ESC("abc\xe2\x80\xaegnp.exe", 0), "abc\xe2\x9f\xa8U+202E\xe2\x9f\xa9gnp.exe",
		   "U+202E RLO shown as code");
	tap_is_str(ESC("\xe2\x81\xa6x\xe2\x81\xa9", 0),
		   "\xe2\x9f\xa8U+2066\xe2\x9f\xa9x\xe2\x9f\xa8U+2069\xe2\x9f\xa9",
		   "isolates shown");
	tap_is_str(ESC("\xe2\x80\x8f", 0), "\xe2\x9f\xa8U+200F\xe2\x9f\xa9", "RLM shown");
	tap_ok(strstr(ESC("x\xe2\x80\xaay\xe2\x80\xabz\xe2\x80\xacw\xe2\x80\xadv", 0),
		      "\xe2\x80") == NULL,
	       "U+202A..U+202D never emitted raw");
	/* Control characters and C1 controls. */
	tap_is_str(ESC("a\x01"
		       "b\x1b[31m",
		       0),
		   "a\xe2\x9f\xa8U+0001\xe2\x9f\xa9"
		   "b\xe2\x9f\xa8U+001B\xe2\x9f\xa9[31m",
		   "C0 controls shown as code");
	tap_is_str(ESC("\r", 0), "\xe2\x9f\xa8U+000D\xe2\x9f\xa9", "CR shown as code");
	tap_is_str(ESC("\x7f\xc2\x85", 0),
		   "\xe2\x9f\xa8U+007F\xe2\x9f\xa9\xe2\x9f\xa8U+0085\xe2\x9f\xa9",
		   "DEL and C1 NEL shown");
	tap_is_str(esc("a\0b", 3, 0),
		   "a\xe2\x9f\xa8U+0000\xe2\x9f\xa9"
		   "b",
		   "NUL shown, not cut");
	tap_is_str(ESC("\xef\xbf\xbe", 0), "\xe2\x9f\xa8U+FFFE\xe2\x9f\xa9",
		   "U+FFFE (not XML) shown");
	/* Malformed UTF-8: each bad byte one U+FFFD. */
	tap_is_str(ESC("A\xff"
		       "B",
		       0),
		   "A\xef\xbf\xbd"
		   "B",
		   "0xFF -> U+FFFD");
	tap_is_str(ESC("\xc0\xaf", 0), "\xef\xbf\xbd\xef\xbf\xbd", "overlong '/' -> 2x U+FFFD");
	tap_is_str(ESC("\xe0\x80\xbc", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		   "overlong '<' never becomes '<'");
	tap_is_str(ESC("\xed\xa0\x80", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		   "surrogate refused");
	tap_is_str(ESC("\xf4\x90\x80\x80", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		   "above U+10FFFF refused");
	tap_is_str(ESC("\xe4\xb8", 0), "\xef\xbf\xbd\xef\xbf\xbd", "truncated sequence at end");
	tap_is_str(ESC("\xe4<", 0), "\xef\xbf\xbd&lt;", "truncated sequence before '<'");
	{
		const char *o = ESC("\xff\xfe<\xc3\x28\x80", 0);
		tap_ok(cu_utf8_valid(o, strlen(o)) && inert(o), "output always valid UTF-8, inert");
	}
	tap_is_str(esc(NULL, 0, 0), "", "NULL writes nothing");
}

static void test_url(void)
{
	tap_is_str(url("../", "evidence/A1/sdcard/a b.jpg"), "../evidence/A1/sdcard/a%20b.jpg",
		   "space percent-encoded");
	tap_is_str(url("", "javascript:alert(1)"), "javascript%3Aalert%281%29",
		   "scheme colon encoded: a relative path, never a javascript: URL");
	tap_is_str(url("", "data:text/html,<script>"), "data%3Atext/html%2C%3Cscript%3E",
		   "data: URL neutralised");
	tap_is_str(url("", "a\"onerror=x.jpg"), "a%22onerror%3Dx.jpg",
		   "quote cannot end the attribute");
	tap_is_str(url("", "x?y#z&w"), "x%3Fy%23z%26w", "query and fragment characters encoded");
	tap_is_str(url("", "中.jpg"), "%E4%B8%AD.jpg", "UTF-8 percent-encoded");
	tap_is_str(url("", "a%41"), "a%2541", "percent itself encoded (names are on-disk names)");
	tap_ok(url("", "/etc/passwd") == NULL, "absolute path refused");
	tap_ok(url("", "../../etc/passwd") == NULL, "'..' refused");
	tap_ok(url("", "a/./b") == NULL, "'.' component refused");
	tap_ok(url("", "a//b") == NULL, "empty component refused");
	tap_ok(url("", "") == NULL, "empty refused");
	tap_ok(url("", "a\xffz") == NULL, "invalid UTF-8 refused");
	tap_ok(url("", NULL) == NULL, "NULL refused");
	tap_ok(cu_html_is_image_name("x/IMG_0001.JPG") && cu_html_is_image_name("a.png") &&
		   !cu_html_is_image_name("a.pic") && !cu_html_is_image_name(".jpg") &&
		   !cu_html_is_image_name("a.jpg.exe") && !cu_html_is_image_name(NULL),
	       "image names");
}

static void test_display(void)
{
	char y[CU_YUAN_STR], t[CU_LOCAL_TIME_STR], g[80];
	int off = 0;

	cu_report_yuan(180000, y);
	tap_is_str(y, "1,800.00", "180000 fen");
	cu_report_yuan(5, y);
	tap_is_str(y, "0.05", "5 fen");
	cu_report_yuan(-123456789, y);
	tap_is_str(y, "-1,234,567.89", "negative with groups");
	cu_report_yuan(0, y);
	tap_is_str(y, "0.00", "zero");
	cu_report_yuan(INT64_MIN, y);
	tap_is_str(y, "-92,233,720,368,547,758.08", "INT64_MIN without overflow");
	cu_report_yuan(100000, y);
	tap_is_str(y, "1,000.00", "group boundary");

	tap_ok(cu_report_local_time(1711101780000LL, 480, t), "local time ok");
	tap_is_str(t, "2024-03-22 18:03:00 +08:00", "UTC 10:03 is 18:03 in Shanghai");
	cu_report_local_time(1711101780500LL, 480, t);
	tap_is_str(t, "2024-03-22 18:03:00.500 +08:00", "milliseconds shown when present");
	cu_report_local_time(0, -330, t);
	tap_is_str(t, "1969-12-31 18:30:00 -05:30", "negative offset across the epoch");
	cu_report_local_time(-1, 0, t);
	tap_is_str(t, "1969-12-31 23:59:59.999 +00:00", "negative ms rounds down");
	tap_ok(!cu_report_local_time(INT64_MAX, 0, t), "out of range refused");

	tap_ok(cu_report_parse_tz("+08:00", &off) && off == 480, "+08:00");
	tap_ok(cu_report_parse_tz("-05:30", &off) && off == -330, "-05:30");
	tap_ok(cu_report_parse_tz("Asia/Shanghai", &off) && off == 480, "Asia/Shanghai");
	tap_ok(cu_report_parse_tz("UTC", &off) && off == 0, "UTC");
	tap_ok(!cu_report_parse_tz("+8", &off) && !cu_report_parse_tz("+15:00", &off) &&
		   !cu_report_parse_tz("Mars/Olympus", &off) && !cu_report_parse_tz("+08:60", &off),
	       "bad zones refused");
	{
		unsigned f = 99;
		tap_ok(cu_report_parse_formats("html", &f) && f == CU_REPORT_HTML, "--format html");
		tap_ok(cu_report_parse_formats("docx", &f) && f == CU_REPORT_DOCX, "--format docx");
		tap_ok(cu_report_parse_formats("all", &f) && f == (CU_REPORT_HTML | CU_REPORT_DOCX),
		       "--format all");
		tap_ok(!cu_report_parse_formats("pdf", &f) &&
			   !cu_report_parse_formats("HTML", &f) &&
			   f == (CU_REPORT_HTML | CU_REPORT_DOCX),
		       "other formats refused, value untouched");
	}

	cu_report_group_hex("78ee7c9a4615f5635cafa79833778cabebc989457270e2f8523f68529d5d5433", g);
	tap_is_str(
	    g, "78ee 7c9a 4615 f563 5caf a798 3377 8cab ebc9 8945 7270 e2f8 523f 6852 9d5d 5433",
	    "16 groups of 4");
}

static void test_qr(void)
{
	struct cu_buf png = CU_BUF_INIT;
	struct cu_error err;
	const unsigned char *p;
	uint32_t w, h, len;

	tap_ok(cu_qr_png("78ee7c9a4615f5635cafa79833778cabebc989457270e2f8523f68529d5d5433", 4,
			 &png, &err) == CU_OK,
	       "qr png written");
	p = (const unsigned char *)png.data;
	tap_ok(png.len > 60 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0, "PNG signature");
	len = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	w = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
	h = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	tap_ok(len == 13 && memcmp(p + 12, "IHDR", 4) == 0, "IHDR first");
	/* 64 bytes, level M, 8-bit: version 5 (37 modules; version 4-M holds 62
	 * bytes) + 2x4 quiet zone. */
	tap_is_int(w, (37 + 8) * 4, "width = (modules + quiet zone) x scale");
	tap_is_int(h, w, "square");
	tap_is_int(
	    (int64_t)crc32(crc32(0, NULL, 0), p + 12, 17),
	    (int64_t)((uint32_t)p[29] << 24 | (uint32_t)p[30] << 16 | (uint32_t)p[31] << 8 | p[32]),
	    "IHDR CRC-32 (zlib) matches");
	{
		/* Inflate IDAT: (w+1)*h bytes, filter 0, only black and white. */
		const unsigned char *idat = p + 33;
		uint32_t ilen = (uint32_t)idat[0] << 24 | (uint32_t)idat[1] << 16 |
				(uint32_t)idat[2] << 8 | idat[3];
		uLongf rawlen = (uLongf)(w + 1) * h;
		unsigned char *raw = cu_malloc(rawlen);
		bool good = raw != NULL && memcmp(idat + 4, "IDAT", 4) == 0 &&
			    uncompress(raw, &rawlen, idat + 8, ilen) == Z_OK &&
			    rawlen == (uLongf)(w + 1) * h;
		size_t dark = 0;
		for (uLongf i = 0; good && i < rawlen; i++) {
			if (i % (w + 1) == 0)
				good = raw[i] == 0;
			else if (raw[i] == 0)
				dark++;
			else
				good = raw[i] == 255;
		}
		tap_ok(good, "IDAT inflates to filter-0 rows of black/white pixels");
		tap_ok(dark > rawlen / 5 && dark < rawlen / 2 + rawlen / 4,
		       "plausible share of dark modules (%zu)", dark);
		tap_ok(raw != NULL && raw[1] == 255 && raw[(w + 1) * 4 * 4 + 1 + 4 * 4] == 0,
		       "quiet zone white, finder pattern corner dark");
		free(raw);
	}
	tap_ok(cu_qr_png("x", 0, &png, &err) == CU_E_USAGE, "scale 0 refused");
	cu_buf_release(&png);
}

int main(void)
{
	tap_plan(86);
	test_text();
	test_unicode();
	test_url();
	test_display();
	test_qr();
	return tap_done();
}
