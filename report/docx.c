/*
 * docx.c - a minimal WordprocessingML package (ECMA-376 / ISO 29500) for
 * the forms: [Content_Types].xml, _rels/.rels, word/document.xml,
 * word/styles.xml, word/footer1.xml, word/_rels/document.xml.rels and
 * the QR code PNG.
 * Deterministic like the package itself: fixed entry order, fixed DOS
 * time, fixed attributes. libzip stays inside report/.
 */
#include "report/html_int.h"
#include "report/docx_int.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Default Extension=\"png\" ContentType=\"image/png\"/>"
    "<Override PartName=\"/word/document.xml\" "
    "ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>";

static const char root_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "officeDocument\" Target=\"word/document.xml\"/></Relationships>\n";

static const char doc_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/>"
    "<Relationship Id=\"rIdQR\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
    "Target=\"media/qr.png\"/>";

static const char footer_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">";

/* 宋体 first for Word on the examiner's desk; LibreOffice falls back to an
 * installed CJK font (fonts-noto-cjk). 10.5 pt (五号) body text. */
static const char styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" "
    "w:hAnsi=\"Times New Roman\" w:eastAsia=\"SimSun\" w:cs=\"Times New Roman\"/>"
    "<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/><w:lang w:val=\"en-US\" "
    "w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing "
    "w:after=\"60\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>"
    "</w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name "
    "w:val=\"Normal\"/></w:style>"
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal "
    "Table\"/><w:tblPr><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" "
    "w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "</w:styles>\n";

static const char doc_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
    "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" "
    "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
    "xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>";

/* A4 portrait, 2 cm margins (twentieths of a point); the footer (page
 * number fields, per-page signature line) sits in the bottom margin's
 * lower half. Page numbers restart with each section (each copy, 联);
 * section n uses footer n. */
enum cu_status cu_docx_sect_pr(struct cu_buf *out, unsigned footer, struct cu_error *err)
{
	return cu_buf_printf(out, err,
			     "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdF%u\"/>"
			     "<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" "
			     "w:right=\"1134\" w:bottom=\"1134\" w:left=\"1134\" w:header=\"567\" "
			     "w:footer=\"340\" w:gutter=\"0\"/><w:pgNumType w:start=\"1\"/>"
			     "</w:sectPr>",
			     footer);
}

static enum cu_status add(zip_t *za, const char *name, const void *data, size_t n,
			  struct cu_error *err)
{
	zip_source_t *src = zip_source_buffer(za, data, n, 0);
	zip_int64_t idx;

	if (src == NULL)
		return cu_error_set(err, CU_E_NOMEM, "docx: %s", zip_strerror(za));
	idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return cu_error_set(err, CU_E_IO, "docx: cannot add '%s': %s", name,
				    zip_strerror(za));
	}
	/* 2000-01-01 00:00 in DOS format: fixed, so the same form gives the
	 * same bytes. */
	if (zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (20 << 9) | (1 << 5) | 1, 0) != 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     0100644u << 16) != 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0)
		return cu_error_set(err, CU_E_IO, "docx: '%s': %s", name, zip_strerror(za));
	return CU_OK;
}

enum cu_status cu_docx_write(const char *path, const char *body, size_t body_len,
			     const char *const *footers, unsigned nfooters, const void *png,
			     size_t png_len, struct cu_error *err)
{
	struct cu_buf doc = CU_BUF_INIT, ct = CU_BUF_INIT, rels = CU_BUF_INIT;
	struct cu_buf ftr[CU_DOCX_MAX_SECTIONS];
	zip_t *za = NULL;
	int zerr = 0;
	enum cu_status st;

	for (unsigned i = 0; i < CU_DOCX_MAX_SECTIONS; i++)
		cu_buf_init(&ftr[i], 0);
	if (nfooters == 0 || nfooters > CU_DOCX_MAX_SECTIONS)
		return cu_error_set(err, CU_E_INTERNAL, "docx: %u footers", nfooters);
	if ((st = cu_buf_puts(&doc, doc_head, err)) != CU_OK ||
	    (st = cu_buf_append(&doc, body, body_len, err)) != CU_OK ||
	    (st = cu_docx_sect_pr(&doc, nfooters, err)) != CU_OK ||
	    (st = cu_buf_puts(&doc, "</w:body></w:document>\n", err)) != CU_OK ||
	    (st = cu_buf_puts(&ct, content_types, err)) != CU_OK ||
	    (st = cu_buf_puts(&rels, doc_rels, err)) != CU_OK)
		goto out;
	for (unsigned i = 0; i < nfooters; i++) {
		if ((st = cu_buf_puts(&ftr[i], footer_head, err)) != CU_OK ||
		    (st = cu_buf_puts(&ftr[i], footers[i] ? footers[i] : "<w:p/>", err)) != CU_OK ||
		    (st = cu_buf_puts(&ftr[i], "</w:ftr>\n", err)) != CU_OK ||
		    (st = cu_buf_printf(&ct, err,
					"<Override PartName=\"/word/footer%u.xml\" "
					"ContentType=\"application/"
					"vnd.openxmlformats-officedocument.wordprocessingml.footer+"
					"xml\"/>",
					i + 1)) != CU_OK ||
		    (st = cu_buf_printf(&rels, err,
					"<Relationship Id=\"rIdF%u\" "
					"Type=\"http://schemas.openxmlformats.org/officeDocument/"
					"2006/relationships/footer\" Target=\"footer%u.xml\"/>",
					i + 1, i + 1)) != CU_OK)
			goto out;
	}
	if ((st = cu_buf_puts(&ct, "</Types>\n", err)) != CU_OK ||
	    (st = cu_buf_puts(&rels, "</Relationships>\n", err)) != CU_OK)
		goto out;
	unlink(path); /* a leftover of an interrupted run in our own folder */
	if ((za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr)) == NULL) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		st = cu_error_set(err, CU_E_IO, "docx: cannot create '%s': %s", path,
				  zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out;
	}
	if ((st = add(za, "[Content_Types].xml", ct.data, ct.len, err)) != CU_OK ||
	    (st = add(za, "_rels/.rels", root_rels, sizeof(root_rels) - 1, err)) != CU_OK ||
	    (st = add(za, "word/document.xml", doc.data, doc.len, err)) != CU_OK ||
	    (st = add(za, "word/styles.xml", styles, sizeof(styles) - 1, err)) != CU_OK ||
	    (st = add(za, "word/_rels/document.xml.rels", rels.data, rels.len, err)) != CU_OK ||
	    (png_len > 0 && (st = add(za, "word/media/qr.png", png, png_len, err)) != CU_OK))
		goto out;
	for (unsigned i = 0; i < nfooters; i++) {
		char name[32];
		snprintf(name, sizeof(name), "word/footer%u.xml", i + 1);
		if ((st = add(za, name, ftr[i].data, ftr[i].len, err)) != CU_OK)
			goto out;
	}
	if (zip_close(za) != 0) {
		st = cu_error_set(err, CU_E_IO, "docx: cannot write '%s': %s", path,
				  zip_strerror(za));
		goto out;
	}
	za = NULL;
	st = CU_OK;
out:
	if (za != NULL)
		zip_discard(za);
	cu_buf_release(&doc);
	cu_buf_release(&ct);
	cu_buf_release(&rels);
	for (unsigned i = 0; i < CU_DOCX_MAX_SECTIONS; i++)
		cu_buf_release(&ftr[i]);
	return st;
}
