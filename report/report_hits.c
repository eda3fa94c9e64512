/*
 * report_hits.c - the analysis in the HTML report: hits grouped by kind
 * and value (hitvalues.html), the links between the seized items with
 * their evidence on both devices and the ring graph (links.html, drawn by
 * custos as links-graph.svg; links-graph.dot and links-graph.graphml for
 * Graphviz and Gephi), and message bodies with their hits marked for the
 * chat pages. Everything from case.db is evidence text: escaped, never
 * markup. Pages and graph follow the sort order of case.db's ids, so the
 * same case.db gives the same files.
 */
#include "report/hits_int.h"

#include "analysis/analysis.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XSTR(x)          #x
#define CU_REPORT_STR(x) XSTR(x)

#define CSP                                                                                        \
	"default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "                \
	"form-action 'none'; base-uri 'none'"

/* Page bounds: the full list is in the paged hits table and case.db. */
#define VALUES_PER_KIND   2000
#define PLACES_PER_VALUE  100
#define MARKS_PER_MESSAGE 256
#define CONTEXT_BYTES     60

static const char *const kinds[][2] = {
    {"code_word", "毒品暗语 Code words"},
    {"crypto_address", "虚拟货币地址 Crypto addresses"},
    {"tracking_number", "快递单号 Tracking numbers"},
    {"pickup_code", "取件码 Pick-up codes"},
    {"bank_card", "银行卡号 Bank cards"},
    {"phone_number", "电话号码 Phone numbers"},
};

static bool utf8_boundary(const char *s, size_t len, size_t at)
{
	return at == 0 || at >= len || ((unsigned char)s[at] & 0xc0) != 0x80;
}

void cu_report_body_hits(struct hw *w, sqlite3_stmt *q, int64_t message_id, const char *body,
			 size_t len)
{
	size_t pos = 0;
	int marks = 0;

	if (body == NULL)
		return;
	if (q != NULL) {
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, message_id);
	}
	while (q != NULL && marks < MARKS_PER_MESSAGE && sqlite3_step(q) == SQLITE_ROW) {
		int64_t off = sqlite3_column_int64(q, 0), n = sqlite3_column_int64(q, 1);
		const char *kind = (const char *)sqlite3_column_text(q, 2);
		const char *rule = (const char *)sqlite3_column_text(q, 3);
		const char *norm = (const char *)sqlite3_column_text(q, 4);
		const char *value = (const char *)sqlite3_column_text(q, 5);

		if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
			const char *at = value != NULL && n > 0 && pos < len
					     ? memmem(body + pos, len - pos, value, (size_t)n)
					     : NULL;
			if (at == NULL)
				continue;
			off = (int64_t)(at - body);
		}
		if (off < 0 || n <= 0 || (uint64_t)off < pos || (uint64_t)off > len ||
		    (uint64_t)n > len - (size_t)off || !utf8_boundary(body, len, (size_t)off) ||
		    !utf8_boundary(body, len, (size_t)(off + n)))
			continue;
		hw_textf(w, body + pos, (size_t)off - pos, 0);
		hw_raw(w, "<mark class=\"hit\" title=\"");
		hw_attr(w, kind ? kind : "");
		hw_raw(w, " · ");
		hw_attr(w, rule ? rule : "");
		if (norm != NULL) {
			hw_raw(w, " · ");
			hw_attr(w, norm);
		}
		hw_raw(w, "\">");
		hw_textf(w, body + off, (size_t)n, 0);
		hw_raw(w, "</mark>");
		pos = (size_t)(off + n);
		marks++;
	}
	if (q != NULL)
		sqlite3_reset(q);
	hw_textf(w, body + pos, len - pos, 0);
}

/* ------------------------------------------------------------------ */
/* pages                                                               */
/* ------------------------------------------------------------------ */

struct hp {
	const struct cu_hits_report *h;
	sqlite3_stmt *loc;  /* temp.msgloc, or NULL */
	sqlite3_stmt *src;  /* sources.device_path */
	sqlite3_stmt *body; /* a message body */
	sqlite3_stmt *prov[7];
};

/* The provenance of a row of the artifact tables (source_id,
 * source_table, source_rowid, recovered). */
static const char *const prov_sql[][2] = {
    {"messages", "SELECT source_id, source_table, source_rowid, recovered FROM messages WHERE "
		 "message_id = ?1"},
    {"contacts", "SELECT source_id, source_table, source_rowid, recovered FROM contacts WHERE "
		 "contact_id = ?1"},
    {"calls", "SELECT source_id, source_table, source_rowid, recovered FROM calls WHERE call_id = "
	      "?1"},
    {"payments", "SELECT source_id, source_table, source_rowid, recovered FROM payments WHERE "
		 "payment_id = ?1"},
    {"recovered_records", "SELECT source_id, table_name, NULL, 1 FROM recovered_records WHERE "
			  "rr_id = ?1"},
    {"conversations",
     "SELECT source_id, NULL, NULL, 0 FROM conversations WHERE conversation_id = ?1"},
    {"accounts", "SELECT source_id, NULL, NULL, 0 FROM accounts WHERE account_id = ?1"},
};

static sqlite3_stmt *prov_q(struct hp *p, const char *table)
{
	for (size_t i = 0; table != NULL && i < sizeof(prov_sql) / sizeof(prov_sql[0]); i++) {
		if (strcmp(table, prov_sql[i][0]) != 0)
			continue;
		if (p->prov[i] == NULL && sqlite3_prepare_v2(p->h->db, prov_sql[i][1], -1,
							     &p->prov[i], NULL) != SQLITE_OK) {
			sqlite3_finalize(p->prov[i]);
			p->prov[i] = NULL;
		}
		return p->prov[i];
	}
	return NULL;
}

static void page_begin(struct hp *p, struct hw *w, const char *title)
{
	cu_report_page_head(w, p->h->case_id, title, "", false);
}

static enum cu_status page_end(struct hp *p, struct hw *w, struct cu_error *err)
{
	hw_raw(w, "</main>\n<footer>custos report · ");
	hw_text1(w, p->h->case_id);
	hw_raw(w, " · content root <span class=\"hash\">");
	hw_text1(w, p->h->content_root);
	hw_raw(w, "</span></footer>\n</body>\n</html>\n");
	return hw_close(w, err);
}

static enum cu_status open_page(struct hp *p, struct hw *w, const char *rel, struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT;
	enum cu_status st = cu_path_join(p->h->outdir, rel, &path, err);

	if (st == CU_OK)
		st = hw_open(w, path.data, err);
	cu_buf_release(&path);
	return st;
}

/* "table #id" linked to its chat page for a message, and its source. */
static void place(struct hp *p, struct hw *w, const char *table, int64_t id)
{
	sqlite3_stmt *q = prov_q(p, table);
	bool linked = false;

	if (table != NULL && strcmp(table, "messages") == 0 && p->loc != NULL) {
		sqlite3_reset(p->loc);
		sqlite3_bind_int64(p->loc, 1, id);
		if (sqlite3_step(p->loc) == SQLITE_ROW &&
		    sqlite3_column_type(p->loc, 0) != SQLITE_NULL) {
			hw_raw(w, "<a href=\"");
			if (hw_url(w, "", (const char *)sqlite3_column_text(p->loc, 0))) {
				hw_printf(w, "#m%lld\">", (long long)id);
				linked = true;
			} else {
				hw_raw(w, "\">");
				linked = true;
			}
		}
		sqlite3_reset(p->loc);
	}
	hw_text1(w, table ? table : "?");
	hw_printf(w, " #%lld", (long long)id);
	if (linked)
		hw_raw(w, "</a>");
	if (q == NULL)
		return;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(q, 0);
		hw_printf(w, "<br><a class=\"prov\" href=\"sources.html#s%lld\">", (long long)sid);
		sqlite3_reset(p->src);
		sqlite3_bind_int64(p->src, 1, sid);
		if (sqlite3_step(p->src) == SQLITE_ROW)
			hw_text1(w, (const char *)sqlite3_column_text(p->src, 0));
		else
			hw_printf(w, "source %lld", (long long)sid);
		sqlite3_reset(p->src);
		if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
			hw_raw(w, " · ");
			hw_text1(w, (const char *)sqlite3_column_text(q, 1));
		}
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			hw_printf(w, " rowid %lld", (long long)sqlite3_column_int64(q, 2));
		hw_raw(w, "</a>");
		if (sqlite3_column_int64(q, 3) != 0)
			hw_raw(w, " <span class=\"rec\">已删除恢复 recovered</span>");
	}
	sqlite3_reset(q);
}

/* The text around a hit in a message body, the hit marked. */
static void context(struct hp *p, struct hw *w, int64_t message_id, int64_t off, int64_t n)
{
	const char *b;
	size_t bl, from, to;

	sqlite3_reset(p->body);
	sqlite3_bind_int64(p->body, 1, message_id);
	if (sqlite3_step(p->body) != SQLITE_ROW ||
	    (b = (const char *)sqlite3_column_text(p->body, 0)) == NULL)
		goto out;
	bl = (size_t)sqlite3_column_bytes(p->body, 0);
	if (off < 0 || n <= 0 || (uint64_t)off > bl || (uint64_t)n > bl - (size_t)off ||
	    !utf8_boundary(b, bl, (size_t)off) || !utf8_boundary(b, bl, (size_t)(off + n)))
		goto out;
	from = (size_t)off > CONTEXT_BYTES ? (size_t)off - CONTEXT_BYTES : 0;
	while (from > 0 && !utf8_boundary(b, bl, from))
		from--;
	to = (size_t)(off + n) + CONTEXT_BYTES < bl ? (size_t)(off + n) + CONTEXT_BYTES : bl;
	while (to < bl && !utf8_boundary(b, bl, to))
		to++;
	hw_raw(w, "<bdi>");
	hw_textf(w, b + from, (size_t)off - from, CU_ESC_ONELINE);
	hw_raw(w, "<mark>");
	hw_textf(w, b + off, (size_t)n, CU_ESC_ONELINE);
	hw_raw(w, "</mark>");
	hw_textf(w, b + off + n, to - (size_t)(off + n), CU_ESC_ONELINE);
	hw_raw(w, "</bdi>");
out:
	sqlite3_reset(p->body);
}

static enum cu_status hitvalues_page(struct hp *p, struct cu_error *err)
{
	struct hw w;
	sqlite3_stmt *vals = NULL, *occ = NULL;
	enum cu_status st;

	if ((st = open_page(p, &w, "hitvalues.html", err)) != CU_OK)
		return st;
	page_begin(p, &w, "命中归类 Hits by kind and value");
	hw_raw(
	    &w,
	    "<p>Every hit of the analysis (custos analyze), grouped by kind and by its "
	    "normalised value (the lexicon term, the address, the E.164 number…), most "
	    "frequent first; each occurrence links to its message or row and names the "
	    "file it was parsed from. At most " CU_REPORT_STR(
		VALUES_PER_KIND) " values "
				 "per kind and " CU_REPORT_STR(
				     PLACES_PER_VALUE) " occurrences per value are "
						       "listed here; all are in the hits table and case.db.</p>\n");
	if (sqlite3_prepare_v2(
		p->h->db,
		"SELECT normalized, count(*), count(DISTINCT item_id) FROM hits WHERE "
		"kind = ?1 GROUP BY normalized ORDER BY count(*) DESC, normalized "
		"LIMIT " CU_REPORT_STR(VALUES_PER_KIND),
		-1, &vals, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		p->h->db,
		"SELECT hit_id, item_id, value, rule, artifact, artifact_id, offset, "
		"length(CAST(value AS BLOB)) FROM hits WHERE kind = ?1 AND "
		"normalized IS ?2 ORDER BY hit_id LIMIT " CU_REPORT_STR(PLACES_PER_VALUE),
		-1, &occ, NULL) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_IO, "report: case.db: %s", sqlite3_errmsg(p->h->db));
		hw_abort(&w);
		goto out;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int nv = 0;
		sqlite3_bind_text(vals, 1, kinds[k][0], -1, SQLITE_STATIC);
		hw_printf(&w, "<h2 id=\"%s\">%s</h2>\n", kinds[k][0], kinds[k][1]);
		while (sqlite3_step(vals) == SQLITE_ROW) {
			const char *norm = (const char *)sqlite3_column_text(vals, 0);
			nv++;
			hw_raw(&w, "<h3><mark><bdi>");
			hw_text1(&w, norm ? norm : "");
			hw_printf(&w, "</bdi></mark> · %lld × · %lld item(s)</h3>\n",
				  (long long)sqlite3_column_int64(vals, 1),
				  (long long)sqlite3_column_int64(vals, 2));
			hw_raw(&w, "<table><tr><th>item</th><th>as found</th><th>rule</th>"
				   "<th>context</th><th>where · source</th></tr>\n");
			sqlite3_bind_text(occ, 1, kinds[k][0], -1, SQLITE_STATIC);
			if (norm != NULL)
				sqlite3_bind_text(occ, 2, norm, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(occ, 2);
			while (sqlite3_step(occ) == SQLITE_ROW) {
				const char *art = (const char *)sqlite3_column_text(occ, 4);
				int64_t aid = sqlite3_column_int64(occ, 5);
				hw_printf(&w, "<tr><td>");
				hw_text1(&w, (const char *)sqlite3_column_text(occ, 1));
				hw_raw(&w, "</td><td><bdi>");
				hw_text1(&w, (const char *)sqlite3_column_text(occ, 2));
				hw_raw(&w, "</bdi></td><td>");
				hw_text1(&w, (const char *)sqlite3_column_text(occ, 3));
				hw_raw(&w, "</td><td>");
				if (art != NULL && strcmp(art, "messages") == 0)
					context(p, &w, aid, sqlite3_column_int64(occ, 6),
						sqlite3_column_int64(occ, 7));
				hw_raw(&w, "</td><td>");
				place(p, &w, art, aid);
				hw_raw(&w, "</td></tr>\n");
			}
			sqlite3_reset(occ);
			hw_raw(&w, "</table>\n");
		}
		sqlite3_reset(vals);
		if (nv == 0)
			hw_raw(&w, "<p>无 None.</p>\n");
	}
	st = page_end(p, &w, err);
out:
	sqlite3_finalize(vals);
	sqlite3_finalize(occ);
	return st;
}

static void side_html(struct hp *p, struct hw *w, const json_t *side)
{
	const json_t *rows = json_object_get(side, "rows"), *r;
	size_t i;

	hw_raw(w, "<td><b>");
	hw_text1(w, json_string_value(json_object_get(side, "item")));
	hw_printf(w, "</b> · %lld row(s)<ul>",
		  (long long)json_integer_value(json_object_get(side, "count")));
	json_array_foreach(rows, i, r)
	{
		const char *table = json_string_value(json_object_get(r, "table"));
		const json_t *id = json_object_get(r, "id");
		hw_raw(w, "<li>");
		if (json_is_integer(id))
			place(p, w, table, (int64_t)json_integer_value(id));
		else
			hw_text1(w, table ? table : "?");
		hw_raw(w, " · ");
		hw_text1(w, json_string_value(json_object_get(r, "field")));
		hw_raw(w, " “<bdi>");
		hw_text1(w, json_string_value(json_object_get(r, "value")));
		hw_raw(w, "</bdi>” (");
		hw_text1(w, json_string_value(json_object_get(r, "role")));
		hw_raw(w, ")</li>");
	}
	hw_raw(w, "</ul></td>");
}

/* links-graph.<ext> in the report folder. */
static enum cu_status graph_file(struct hp *p, const char *format, const char *rel,
				 struct cu_error *err)
{
	struct cu_buf path = CU_BUF_INIT;
	FILE *f = NULL;
	enum cu_status st;

	if ((st = cu_path_join(p->h->outdir, rel, &path, err)) != CU_OK)
		goto out;
	if ((f = fopen(path.data, "wbx")) == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "report: creating '%s'", path.data);
		goto out;
	}
	st = cu_analysis_graph_write(p->h->casedb_path, format, f, err);
	if (fclose(f) != 0 && st == CU_OK)
		st = cu_error_errno(err, CU_E_IO, errno, "report: writing '%s'", path.data);
out:
	cu_buf_release(&path);
	return st;
}

static enum cu_status links_page(struct hp *p, struct cu_error *err)
{
	struct hw w;
	sqlite3_stmt *q = NULL;
	enum cu_status st;
	int n = 0;

	if ((st = graph_file(p, "svg", "links-graph.svg", err)) != CU_OK ||
	    (st = graph_file(p, "dot", "links-graph.dot", err)) != CU_OK ||
	    (st = graph_file(p, "graphml", "links-graph.graphml", err)) != CU_OK)
		return st;
	if ((st = open_page(p, &w, "links.html", err)) != CU_OK)
		return st;
	page_begin(p, &w, "关联 Links between the items");
	hw_raw(&w, "<p>The same identifier (phone number in E.164, WeChat ID, QQ number, crypto "
		   "address, tracking number, bank card) found on two seized items, with the rows "
		   "that show it on each. An account of one phone seen as a contact or counterpart "
		   "on another is marked <i>account</i>.</p>\n");
	if (sqlite3_prepare_v2(
		p->h->db,
		"SELECT link_id, kind, normalized, item_a, item_b, evidence FROM links "
		"ORDER BY link_id",
		-1, &q, NULL) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_IO, "report: case.db: %s", sqlite3_errmsg(p->h->db));
		hw_abort(&w);
		return st;
	}
	hw_raw(&w, "<table><tr><th>#</th><th>kind</th><th>identifier</th><th>item A</th>"
		   "<th>item B</th></tr>\n");
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(q, 5);
		json_t *j = NULL;
		struct cu_error je;

		n++;
		hw_printf(&w, "<tr id=\"l%lld\"><td>%lld</td><td>",
			  (long long)sqlite3_column_int64(q, 0),
			  (long long)sqlite3_column_int64(q, 0));
		hw_text1(&w, (const char *)sqlite3_column_text(q, 1));
		hw_raw(&w, "</td><td><mark><bdi>");
		hw_text1(&w, (const char *)sqlite3_column_text(q, 2));
		hw_raw(&w, "</bdi></mark></td>");
		if (ev != NULL && cu_json_load_str(ev, (size_t)sqlite3_column_bytes(q, 5),
						   "links.evidence", &j, &je) == CU_OK) {
			side_html(p, &w, json_object_get(j, "a"));
			side_html(p, &w, json_object_get(j, "b"));
		} else {
			hw_raw(&w, "<td>");
			hw_text1(&w, (const char *)sqlite3_column_text(q, 3));
			hw_raw(&w, "</td><td>");
			hw_text1(&w, (const char *)sqlite3_column_text(q, 4));
			hw_raw(&w, "</td>");
		}
		json_decref(j);
		hw_raw(&w, "</tr>\n");
	}
	sqlite3_finalize(q);
	hw_raw(&w, "</table>\n");
	if (n == 0)
		hw_raw(&w, "<p>无 None: no identifier was found on more than one item.</p>\n");
	hw_raw(&w, "<h2>关系图 Contact and ring graph</h2>\n<p>Items (boxes) and their "
		   "counterparts (dots); grey lines: messages, calls and payments; red dashed "
		   "lines: links. The same graph for Graphviz: <a href=\"links-graph.dot\">"
		   "links-graph.dot</a>, for Gephi: <a href=\"links-graph.graphml\">"
		   "links-graph.graphml</a>.</p>\n<p><img class=\"graph\" src=\"links-graph.svg\" "
		   "alt=\"contact and ring graph\" width=\"1000\"></p>\n");
	return page_end(p, &w, err);
}

enum cu_status cu_report_hits_pages(const struct cu_hits_report *h, struct cu_error *err)
{
	struct hp p;
	enum cu_status st;

	memset(&p, 0, sizeof(p));
	p.h = h;
	/* temp.msgloc exists once the chat pages are written */
	if (sqlite3_prepare_v2(h->db, "SELECT page FROM temp.msgloc WHERE message_id = ?1", -1,
			       &p.loc, NULL) != SQLITE_OK) {
		sqlite3_finalize(p.loc);
		p.loc = NULL;
	}
	if (sqlite3_prepare_v2(h->db, "SELECT device_path FROM sources WHERE source_id = ?1", -1,
			       &p.src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h->db, "SELECT body FROM messages WHERE message_id = ?1", -1,
			       &p.body, NULL) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_IO, "report: case.db: %s", sqlite3_errmsg(h->db));
		goto out;
	}
	if ((st = hitvalues_page(&p, err)) != CU_OK)
		goto out;
	st = links_page(&p, err);
out:
	sqlite3_finalize(p.loc);
	sqlite3_finalize(p.src);
	sqlite3_finalize(p.body);
	for (size_t i = 0; i < sizeof(p.prov) / sizeof(p.prov[0]); i++)
		sqlite3_finalize(p.prov[i]);
	return st;
}
