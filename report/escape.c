/*
 * escape.c - every value from evidence is hostile data (non-negotiable 5).
 * These functions turn such bytes into text that HTML and XML (the docx
 * forms) can only ever display: markup characters become references,
 * invalid UTF-8 becomes U+FFFD, control and bidirectional-override
 * characters become a visible "⟨U+202E⟩" so they can neither break the
 * document nor reorder the text around them. The raw bytes stay in case.db.
 */
#include "report/html_int.h"

#include <string.h>
#include <strings.h>

/* Decodes one UTF-8 sequence at s[0..n) (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). Returns its length, or 0 when the
 * first byte does not start a valid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that reorder or hide text: the embeddings/overrides
 * U+202A..U+202E, the isolates U+2066..U+2069, the marks LRM/RLM/ALM, and
 * the noncharacters XML 1.0 refuses (U+FFFE, U+FFFF). */
static bool shown_as_code(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c || cp == 0xfffe || cp == 0xffff || cp == 0x7f ||
	       (cp >= 0x80 && cp <= 0x9f);
}

enum cu_status cu_html_escape(struct cu_buf *out, const char *s, size_t n, unsigned flags,
			      struct cu_error *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start_len = out->len, i = 0;
	enum cu_status st = CU_OK;

	if (s == NULL)
		return CU_OK;
	while (i < n && st == CU_OK) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len == 0) {
			st = cu_buf_puts(out, "\xef\xbf\xbd", err); /* U+FFFD */
			i++;
			continue;
		}
		switch (cp) {
		case '&': st = cu_buf_puts(out, "&amp;", err); break;
		case '<': st = cu_buf_puts(out, "&lt;", err); break;
		case '>': st = cu_buf_puts(out, "&gt;", err); break;
		case '"': st = cu_buf_puts(out, "&quot;", err); break;
		case '\'': st = cu_buf_puts(out, "&#39;", err); break;
		case '\n':
			st = (flags & CU_ESC_ATTR) || (flags & CU_ESC_ONELINE)
				 ? cu_buf_puts(out, (flags & CU_ESC_ATTR) ? "&#10;" : " ", err)
				 : cu_buf_putc(out, '\n', err);
			break;
		case '\t':
			st = (flags & CU_ESC_ATTR) ? cu_buf_puts(out, "&#9;", err)
						   : cu_buf_putc(out, '\t', err);
			break;
		default:
			if (cp < 0x20 || shown_as_code(cp))
				/* U+27E8/U+27E9 brackets: visible, and not markup. */
				st = cu_buf_printf(out, err, "\xe2\x9f\xa8U+%04X\xe2\x9f\xa9",
						   (unsigned)cp);
			else
				st = cu_buf_append(out, p + i, len, err);
			break;
		}
		i += len;
	}
	if (st != CU_OK) {
		out->len = start_len;
		if (out->data != NULL)
			out->data[start_len] = '\0';
	}
	return st;
}

/* RFC 3986 unreserved characters plus '/', which separates our components. */
static bool url_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

enum cu_status cu_html_url_path(struct cu_buf *out, const char *prefix, const char *rel,
				struct cu_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start_len = out->len;
	enum cu_status st;

	if (rel == NULL)
		return cu_error_set(err, CU_E_PATH, "no path to link to");
	/* Only safe relative paths: no scheme can survive (':' is encoded
	 * below), no "..", no absolute path, so a link can only point at the
	 * report's own files or the package's evidence. */
	if ((st = cu_path_check_relative(rel, strlen(rel), err)) != CU_OK)
		return st;
	if (prefix != NULL && (st = cu_buf_puts(out, prefix, err)) != CU_OK)
		goto out;
	for (const unsigned char *p = (const unsigned char *)rel; *p != '\0' && st == CU_OK; p++) {
		if (url_plain(*p)) {
			st = cu_buf_putc(out, (char)*p, err);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			st = cu_buf_append(out, e, 3, err);
		}
	}
out:
	if (st != CU_OK) {
		out->len = start_len;
		if (out->data != NULL)
			out->data[start_len] = '\0';
	}
	return st;
}

bool cu_html_is_image_name(const char *name)
{
	static const char *const ext[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", NULL};
	size_t n = name ? strlen(name) : 0;

	for (size_t i = 0; ext[i] != NULL; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strncasecmp(name + n - e, ext[i], e) == 0)
			return true;
	}
	return false;
}

/* Types a browser shows as media, never as a document that runs code: the
 * report may link these from the evidence. SVG, HTML, XML, PDF and every
 * unknown type are not among them (an SVG opened as a document runs its
 * scripts; an unknown extension is sniffed). */
bool cu_html_is_safe_media_name(const char *name)
{
	static const char *const ext[] = {".mp3",  ".m4a", ".aac", ".wav",  ".ogg", ".oga", ".opus",
					  ".flac", ".mp4", ".m4v", ".webm", ".mov", NULL};
	size_t n = name ? strlen(name) : 0;

	if (cu_html_is_image_name(name))
		return true;
	for (size_t i = 0; ext[i] != NULL; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strncasecmp(name + n - e, ext[i], e) == 0)
			return true;
	}
	return false;
}

bool cu_html_is_svg_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return (n > 4 && strncasecmp(name + n - 4, ".svg", 4) == 0) ||
	       (n > 5 && strncasecmp(name + n - 5, ".svgz", 5) == 0);
}
