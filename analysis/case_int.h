/*
 * case_int.h - private helpers shared by the analysis of a case
 * (analyze.c, links.c, graph.c). Not a public header.
 */
#ifndef CUSTOS_ANALYSIS_CASE_INT_H
#define CUSTOS_ANALYSIS_CASE_INT_H

#include "analysis/analysis.h"

#include <sqlite3.h>

/* The most rows named on each side of one link's evidence (the count of
 * all of them is given beside). */
#define CU_LINK_EVIDENCE_MAX 20

/* Fills the (emptied) links table of db, inside the caller's transaction,
 * from identifiers and accounts found on several items: phone numbers
 * (E.164), WeChat IDs, QQ numbers, and the crypto addresses, tracking
 * numbers and bank cards of the hits table (already filled). *n gets the
 * number of links written. */
CU_WARN_UNUSED enum cu_status cu_analysis_links_fill(sqlite3 *db, uint64_t *n,
						     struct cu_error *err);

/* True when table exists in the main schema of db. */
bool cu_analysis_table_exists(sqlite3 *db, const char *table);
/* True when table has a column named column. */
bool cu_analysis_column_exists(sqlite3 *db, const char *table, const char *column);

/* What an identifier of an app is, for links and the graph: its kind
 * ("phone_number" in E.164, "wechat_id" lower-case, "qq_number") and its
 * normalised form in norm (cap bytes, NUL-terminated); NULL when it is none
 * of these (a group, an official account, an e-mail address...). app is a
 * case.db app name ("wechat", "wechat-pay", "qq", "whatsapp", "sms", ...). */
const char *cu_analysis_ident(const char *app, const char *id, char *norm, size_t cap);

/* Registers cu_ident_kind(app, id) and cu_ident_norm(app, id) (the above as
 * SQL functions) on db. */
CU_WARN_UNUSED enum cu_status cu_analysis_sql_functions(sqlite3 *db, struct cu_error *err);

#endif
