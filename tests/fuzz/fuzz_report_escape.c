/*
 * fuzz_report_escape.c - the report's escaping of hostile evidence
 * (report/escape.c) and its link filter. Invariants, each aborting when
 * broken:
 *   escaped output is valid UTF-8 and holds none of < > " ' and no raw
 *   bidi control (U+202A..U+202E, U+2066..U+2069) or C0 control except
 *   newline (text mode only) and tab (not in attributes);
 *   a '&' only starts one of the references the escaper writes;
 *   a URL, when accepted, holds only [A-Za-z0-9-._~/%] and the input
 *   passed cu_path_check_relative (no scheme, no "..", not absolute).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		abort();
}

static void check_escaped(const char *o, size_t n, unsigned flags)
{
	static const char *const refs[] = {"&amp;", "&lt;",  "&gt;", "&quot;",
					   "&#39;", "&#10;", "&#9;", NULL};
	check(cu_utf8_valid(o, n));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)o[i];
		check(c != '<' && c != '>' && c != '"' && c != '\'');
		if (c < 0x20)
			check((c == '\t' && !(flags & CU_ESC_ATTR)) || (c == '\n' && flags == 0));
		if (c == '&') {
			bool known = false;
			for (size_t r = 0; refs[r] != NULL; r++)
				if (n - i >= strlen(refs[r]) &&
				    memcmp(o + i, refs[r], strlen(refs[r])) == 0)
					known = true;
			check(known);
		}
		/* E2 80 AA..AE and E2 81 A6..A9: the bidi controls. */
		if (c == 0xe2 && i + 2 < n) {
			unsigned char b1 = (unsigned char)o[i + 1], b2 = (unsigned char)o[i + 2];
			check(!(b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae));
			check(!(b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = {0, CU_ESC_ATTR, CU_ESC_ONELINE};
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	char *s;

	for (size_t m = 0; m < 3; m++) {
		cu_buf_reset(&b);
		check(cu_html_escape(&b, (const char *)data, size, modes[m], &err) == CU_OK);
		check_escaped(b.data ? b.data : "", b.len, modes[m]);
	}
	if ((s = cu_strndup((const char *)data, size)) != NULL) {
		cu_buf_reset(&b);
		if (cu_html_url_path(&b, "../", s, &err) == CU_OK) {
			check(cu_path_check_relative(s, strlen(s), &err) == CU_OK);
			check(b.len >= 3 && memcmp(b.data, "../", 3) == 0);
			for (size_t i = 3; i < b.len; i++) {
				char c = b.data[i];
				check((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || strchr("-._~/%", c) != NULL);
			}
		}
		free(s);
	}
	cu_buf_release(&b);
	return 0;
}
