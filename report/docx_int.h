/*
 * docx_int.h - the docx writer of the forms (docx.c). Private to report/.
 */
#ifndef CUSTOS_DOCX_INT_H
#define CUSTOS_DOCX_INT_H

#include "report/report.h"

/* Writes path (replaced) as a .docx whose w:body holds body (WordprocessingML
 * paragraphs and tables, already escaped); png (may be empty) becomes
 * word/media/qr.png, relationship id "rIdQR". */
CU_WARN_UNUSED enum cu_status cu_docx_write(const char *path, const char *body, size_t body_len,
					    const void *png, size_t png_len, struct cu_error *err);

#endif
