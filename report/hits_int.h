/*
 * hits_int.h - the analysis pages of the HTML report (report_hits.c): the
 * hits grouped by kind and value, the links between items with their
 * evidence and the ring graph, and message bodies with their hits marked.
 * Private to report/ (report_html.c calls it).
 */
#ifndef CUSTOS_HITS_INT_H
#define CUSTOS_HITS_INT_H

#include "report/html_int.h"

#include <sqlite3.h>

/* The statement cu_report_body_hits() reads (bind ?1 = message_id). */
#define CU_REPORT_BODY_HITS_SQL                                                                    \
	"SELECT offset, length(CAST(value AS BLOB)), kind, rule, normalized, value FROM hits "     \
	"WHERE artifact = 'messages' AND artifact_id = ?1 ORDER BY offset, kind, hit_id"

/* Writes body (len bytes, untrusted) escaped, each hit of message_id in
 * <mark class="hit" title="kind · rule · normalized">; hits that overlap an
 * earlier one, fall outside the body or cut a UTF-8 sequence are left out
 * (the text stays whole); a hit without an offset (written by another
 * tool) is marked where its value next occurs. q is CU_REPORT_BODY_HITS_SQL prepared on the
 * report's case.db. */
void cu_report_body_hits(struct hw *w, sqlite3_stmt *q, int64_t message_id, const char *body,
			 size_t len);

/* What the analysis pages need from the report being written. */
struct cu_hits_report {
	sqlite3 *db;             /* the report's case.db (temp.msgloc: message -> chat page) */
	const char *casedb_path; /* for the graph */
	const char *outdir;      /* the report folder being written */
	const char *case_id;
	const char *content_root;
};

/* Writes hitvalues.html (hits by kind and value, every occurrence linked to
 * its message or row with its provenance), links.html (each link with its
 * evidence on both items) and the graph beside it: links-graph.svg (drawn
 * by custos, shown as an image), links-graph.dot and links-graph.graphml. */
CU_WARN_UNUSED enum cu_status cu_report_hits_pages(const struct cu_hits_report *h,
						   struct cu_error *err);

#endif
