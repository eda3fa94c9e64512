/*
 * docx_int.h - the docx writer of the forms (docx.c). Private to report/.
 */
#ifndef CUSTOS_DOCX_INT_H
#define CUSTOS_DOCX_INT_H

#include "report/html_int.h"
#include "report/report.h"

#define CU_DOCX_MAX_SECTIONS 8

/* Writes path (replaced) as a .docx whose w:body holds body (WordprocessingML
 * paragraphs and tables, already escaped, sections ended by cu_docx_sect_pr
 * paragraphs but the last); section n (from 1) shows footers[n - 1]
 * (paragraphs, NULL: an empty one) on each of its pages; png (may be empty)
 * becomes word/media/qr.png, relationship id "rIdQR". */
CU_WARN_UNUSED enum cu_status cu_docx_write(const char *path, const char *body, size_t body_len,
					    const char *const *footers, unsigned nfooters,
					    const void *png, size_t png_len, struct cu_error *err);

/* Appends the w:sectPr of a section using footer n (from 1): A4, 2 cm
 * margins, page numbers from 1. */
CU_WARN_UNUSED enum cu_status cu_docx_sect_pr(struct cu_buf *out, unsigned footer,
					      struct cu_error *err);

/* The forms (forms.c) with the examiner who signs the 检查笔录 (NULL: the
 * examiners the custody log names) and the case.db to count from (NULL:
 * the one beside the custody log, CASE/case.db). */
CU_WARN_UNUSED enum cu_status cu_forms_write_ex(const char *dir, const struct cu_forms_in *in,
						const char *examiner, const char *casedb,
						struct cu_buf *names, struct cu_error *err);

#endif
