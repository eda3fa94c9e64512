/*
 * graph.c - the contact/ring graph of a case: the seized items (their
 * owners) and their counterparts as nodes; an edge item → counterpart with
 * the number of messages (per conversation), calls and payments between
 * them, and an edge item — item for each link (links table). A counterpart
 * that is an account of another item (accounts, items.phone_numbers) is
 * drawn as that item. Counterparts are keyed by their normalised identifier
 * (cu_analysis_ident: E.164, WeChat ID, QQ number; else "app:id"), so the
 * same person on two phones is one node.
 *
 * Formats: "graphml" (Gephi, yEd), "dot" (Graphviz) and "svg" (drawn here,
 * for the report: a fixed circular layout, no script, no external
 * reference). Every label is escaped for its format; node ids are n<N>, so
 * no evidence text ever reaches an identifier. Nodes and edges are sorted:
 * the same case.db gives the same bytes.
 */
#include "analysis/case_int.h"
#include "casedb/casedb.h"

#include <stdlib.h>
#include <string.h>

/* The svg draws at most this many counterparts (those with most traffic;
 * the others are counted in its caption). */
#define SVG_MAX_NODES 120
#define LABEL_MAX     80

static const char build_sql[] =
    "CREATE TEMP TABLE g_acc(key TEXT, item_id TEXT);\n"
    "INSERT INTO temp.g_acc SELECT DISTINCT cu_ident_kind(app, identifier) || ':' ||"
    " cu_ident_norm(app, identifier), item_id FROM accounts"
    " WHERE cu_ident_kind(app, identifier) IS NOT NULL;\n"
    "INSERT INTO temp.g_acc SELECT DISTINCT 'phone_number:' || p, item_id FROM (SELECT item_id,"
    " cu_phone_part(phone_numbers, 0) AS p FROM items UNION ALL SELECT item_id,"
    " cu_phone_part(phone_numbers, 1) FROM items) WHERE p IS NOT NULL;\n"
    /* keys owned by exactly one item are that item */
    "CREATE TEMP TABLE g_owner AS SELECT key, min(item_id) AS item_id FROM temp.g_acc"
    " GROUP BY key HAVING count(DISTINCT item_id) = 1;\n"
    "CREATE TEMP TABLE g_raw(item_id TEXT, key TEXT, label TEXT, messages INTEGER,"
    " calls INTEGER, payments INTEGER);\n"
    "INSERT INTO temp.g_raw SELECT m.item_id, COALESCE(cu_ident_kind(c.app, c.identifier) || ':'"
    " || cu_ident_norm(c.app, c.identifier), c.app || ':' || c.identifier), c.title, count(*),"
    " 0, 0 FROM messages m JOIN conversations c ON c.conversation_id = m.conversation_id"
    " WHERE c.identifier IS NOT NULL AND c.identifier <> ''"
    " GROUP BY m.item_id, c.conversation_id;\n"
    "INSERT INTO temp.g_raw SELECT item_id, COALESCE(cu_ident_kind(app, counterpart) || ':' ||"
    " cu_ident_norm(app, counterpart), app || ':' || counterpart), NULL, 0, count(*), 0"
    " FROM calls WHERE counterpart IS NOT NULL AND counterpart <> ''"
    " GROUP BY item_id, app, counterpart;\n"
    "INSERT INTO temp.g_raw SELECT item_id, COALESCE(cu_ident_kind(app, counterparty) || ':' ||"
    " cu_ident_norm(app, counterparty), app || ':' || counterparty), max(counterparty_name), 0,"
    " 0, count(*) FROM payments WHERE counterparty IS NOT NULL AND counterparty <> ''"
    " GROUP BY item_id, app, counterparty;\n"
    /* a name from the address books for numbers and IDs without a title */
    "CREATE TEMP TABLE g_name AS SELECT key, min(name) AS name FROM (SELECT"
    " cu_ident_kind(app, identifier) || ':' || cu_ident_norm(app, identifier) AS key,"
    " COALESCE(remark, display_name) AS name FROM contacts UNION ALL SELECT 'phone_number:' ||"
    " cu_phone_part(phone, 0), COALESCE(remark, display_name) FROM contacts)"
    " WHERE key IS NOT NULL AND name IS NOT NULL AND name <> '' GROUP BY key;\n"
    /* nodes: items first, then counterparts, each sorted */
    "CREATE TEMP TABLE g_node(id INTEGER PRIMARY KEY, key TEXT UNIQUE, label TEXT,"
    " type TEXT, item_id TEXT, weight INTEGER);\n"
    "INSERT INTO temp.g_node(key, label, type, item_id, weight) SELECT 'item:' || item_id,"
    " item_id || COALESCE(' ' || NULLIF(trim(COALESCE(make, '') || ' ' || COALESCE(model, '')),"
    " ''), ''), 'item', item_id, 0 FROM items ORDER BY item_id;\n"
    "INSERT INTO temp.g_node(key, label, type, item_id, weight) SELECT r.key,"
    " COALESCE(max(n.name), max(r.label), r.key), 'counterpart', NULL,"
    " sum(r.messages + r.calls + r.payments) FROM temp.g_raw r LEFT JOIN temp.g_name n ON"
    " n.key = r.key WHERE r.key IS NOT NULL AND r.key NOT IN (SELECT key FROM temp.g_owner)"
    " GROUP BY r.key ORDER BY r.key;\n"
    "CREATE TEMP TABLE g_edge(a INTEGER, b INTEGER, kind TEXT, messages INTEGER, calls INTEGER,"
    " payments INTEGER, label TEXT);\n"
    "INSERT INTO temp.g_edge SELECT a.id, b.id, 'contact', sum(r.messages), sum(r.calls),"
    " sum(r.payments), NULL FROM temp.g_raw r JOIN temp.g_node a ON a.key = 'item:' ||"
    " r.item_id JOIN temp.g_node b ON b.key = COALESCE((SELECT 'item:' || o.item_id FROM"
    " temp.g_owner o WHERE o.key = r.key), r.key) WHERE a.id <> b.id GROUP BY a.id, b.id;\n"
    "INSERT INTO temp.g_edge SELECT a.id, b.id, 'link', 0, 0, 0, group_concat(l.kind || ' ' ||"
    " l.normalized, '; ') FROM (SELECT * FROM links ORDER BY kind, normalized) l"
    " JOIN temp.g_node a ON a.key = 'item:' || l.item_a JOIN temp.g_node b ON"
    " b.key = 'item:' || l.item_b GROUP BY a.id, b.id;\n";

static enum cu_status db_fail(sqlite3 *db, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "case.db: %s: %s", what, sqlite3_errmsg(db));
}

/* U+200E/F, U+202A..E, U+2066..9: the marks and embeddings, overrides and
 * isolates of the bidi algorithm (e.g. a name with U+202E shown reversed). */
static bool bidi_control(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;

	if (len != 3 || u[0] != 0xe2)
		return false;
	if (u[1] == 0x80)
		return u[2] == 0x8e || u[2] == 0x8f || (u[2] >= 0xaa && u[2] <= 0xae);
	return u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9;
}

/* Copies s (invalid UTF-8 and bidi controls as U+FFFD, control characters
 * as spaces) cut
 * to at most LABEL_MAX characters into a buffer the caller escapes. */
static void clean_label(const char *s, struct cu_buf *out, struct cu_error *err)
{
	size_t n = s ? strlen(s) : 0, i = 0, chars = 0;

	cu_buf_reset(out);
	while (i < n && chars < LABEL_MAX) {
		size_t ok = cu_utf8_valid_prefix(s + i, n - i);
		if (ok == 0) {
			if (cu_buf_puts(out, "\xef\xbf\xbd", err) != CU_OK)
				return;
			i++;
			chars++;
			continue;
		}
		/* one character at a time */
		size_t len = 1;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (len > ok)
			len = ok;
		if (c < 0x20 || c == 0x7f) {
			if (cu_buf_putc(out, ' ', err) != CU_OK)
				return;
		} else if ((len == 3 && c == 0xef && (unsigned char)s[i + 1] == 0xbf &&
			    ((unsigned char)s[i + 2] == 0xbe || (unsigned char)s[i + 2] == 0xbf)) ||
			   bidi_control(s + i, len)) {
			/* U+FFFE, U+FFFF: not characters XML allows; bidi
			 * controls would reorder the text drawn after them */
			if (cu_buf_puts(out, "\xef\xbf\xbd", err) != CU_OK)
				return;
		} else if (cu_buf_append(out, s + i, len, err) != CU_OK) {
			return;
		}
		i += len;
		chars++;
	}
	if (i < n && cu_buf_puts(out, "…", err) != CU_OK)
		return;
	if (out->data == NULL && cu_buf_puts(out, "", err) != CU_OK)
		return;
}

static void put_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A DOT quoted string: only " and \ are special (and newlines, which we
 * never emit: clean_label made them spaces). */
static void put_dot(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

struct gnode {
	int64_t id;
	char *label;
	bool item;
	int64_t weight;
	double x, y;
	bool drawn;
};

static void write_graphml(FILE *f, sqlite3_stmt *nodes, sqlite3_stmt *edges, struct cu_buf *lb,
			  struct cu_error *err)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
	      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	      "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
	      "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
	      "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
	      "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
	      "  <key id=\"ident\" for=\"node\" attr.name=\"identifier\" attr.type=\"string\"/>\n"
	      "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
	      "  <key id=\"messages\" for=\"edge\" attr.name=\"messages\" attr.type=\"int\"/>\n"
	      "  <key id=\"calls\" for=\"edge\" attr.name=\"calls\" attr.type=\"int\"/>\n"
	      "  <key id=\"payments\" for=\"edge\" attr.name=\"payments\" attr.type=\"int\"/>\n"
	      "  <key id=\"links\" for=\"edge\" attr.name=\"links\" attr.type=\"string\"/>\n"
	      "  <graph id=\"custos\" edgedefault=\"undirected\">\n",
	      f);
	while (sqlite3_step(nodes) == SQLITE_ROW) {
		fprintf(f, "    <node id=\"n%lld\">", (long long)sqlite3_column_int64(nodes, 0));
		clean_label((const char *)sqlite3_column_text(nodes, 2), lb, err);
		fputs("<data key=\"label\">", f);
		put_xml(f, lb->data ? lb->data : "");
		fputs("</data><data key=\"type\">", f);
		put_xml(f, (const char *)sqlite3_column_text(nodes, 3));
		fputs("</data><data key=\"ident\">", f);
		clean_label((const char *)sqlite3_column_text(nodes, 1), lb, err);
		put_xml(f, lb->data ? lb->data : "");
		fputs("</data></node>\n", f);
	}
	for (int64_t e = 0; sqlite3_step(edges) == SQLITE_ROW; e++) {
		const char *kind = (const char *)sqlite3_column_text(edges, 2);
		fprintf(f, "    <edge id=\"e%lld\" source=\"n%lld\" target=\"n%lld\">",
			(long long)e, (long long)sqlite3_column_int64(edges, 0),
			(long long)sqlite3_column_int64(edges, 1));
		fputs("<data key=\"kind\">", f);
		put_xml(f, kind ? kind : "");
		fputs("</data>", f);
		if (kind != NULL && strcmp(kind, "link") == 0) {
			clean_label((const char *)sqlite3_column_text(edges, 6), lb, err);
			fputs("<data key=\"links\">", f);
			put_xml(f, lb->data ? lb->data : "");
			fputs("</data>", f);
		} else {
			fprintf(f,
				"<data key=\"messages\">%lld</data><data key=\"calls\">%lld</data>"
				"<data key=\"payments\">%lld</data>",
				(long long)sqlite3_column_int64(edges, 3),
				(long long)sqlite3_column_int64(edges, 4),
				(long long)sqlite3_column_int64(edges, 5));
		}
		fputs("</edge>\n", f);
	}
	fputs("  </graph>\n</graphml>\n", f);
}

static void write_dot(FILE *f, sqlite3_stmt *nodes, sqlite3_stmt *edges, struct cu_buf *lb,
		      struct cu_error *err)
{
	fputs("graph custos {\n  charset=\"UTF-8\";\n  overlap=false;\n"
	      "  node [shape=ellipse, fontsize=10];\n",
	      f);
	while (sqlite3_step(nodes) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(nodes, 3);
		bool item = type != NULL && strcmp(type, "item") == 0;
		fprintf(f, "  n%lld [label=", (long long)sqlite3_column_int64(nodes, 0));
		clean_label((const char *)sqlite3_column_text(nodes, 2), lb, err);
		put_dot(f, lb->data ? lb->data : "");
		fputs(", tooltip=", f);
		clean_label((const char *)sqlite3_column_text(nodes, 1), lb, err);
		put_dot(f, lb->data ? lb->data : "");
		fputs(item ? ", shape=box, style=filled, fillcolor=\"#ffd7a8\"];\n" : "];\n", f);
	}
	while (sqlite3_step(edges) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(edges, 2);
		char lab[128];
		fprintf(f, "  n%lld -- n%lld [label=", (long long)sqlite3_column_int64(edges, 0),
			(long long)sqlite3_column_int64(edges, 1));
		if (kind != NULL && strcmp(kind, "link") == 0) {
			clean_label((const char *)sqlite3_column_text(edges, 6), lb, err);
			put_dot(f, lb->data ? lb->data : "");
			fputs(", color=red, penwidth=2, style=dashed];\n", f);
		} else {
			snprintf(lab, sizeof(lab), "msg %lld / call %lld / pay %lld",
				 (long long)sqlite3_column_int64(edges, 3),
				 (long long)sqlite3_column_int64(edges, 4),
				 (long long)sqlite3_column_int64(edges, 5));
			put_dot(f, lab);
			fputs("];\n", f);
		}
	}
	fputs("}\n", f);
}

/* sin/cos/round of our own (no libm): a Taylor series on [-pi, pi] is
 * exact enough for a drawing, and the same on every machine. */
#define PI 3.14159265358979323846
static double g_sin(double x)
{
	double term, sum;
	while (x > PI)
		x -= 2 * PI;
	while (x < -PI)
		x += 2 * PI;
	term = x;
	sum = x;
	for (int k = 1; k < 12; k++) {
		term *= -x * x / (double)((2 * k) * (2 * k + 1));
		sum += term;
	}
	return sum;
}
static double g_cos(double x)
{
	return g_sin(x + PI / 2);
}
/* to one decimal */
static double g_round1(double x)
{
	long long v = (long long)(x * 10 + (x >= 0 ? 0.5 : -0.5));
	return (double)v / 10;
}

static int weight_cmp(const void *pa, const void *pb)
{
	const struct gnode *a = pa, *b = pb;
	if (a->item != b->item)
		return a->item ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int id_cmp(const void *pa, const void *pb)
{
	const struct gnode *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

static struct gnode *find_node(struct gnode *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].id == id)
			return &v[mid];
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The svg: items on an inner circle, counterparts on an outer one, in
 * node order; coordinates rounded to 0.1 so the text is the same on every
 * machine. */
static enum cu_status write_svg(FILE *f, sqlite3_stmt *nodes, sqlite3_stmt *edges,
				struct cu_buf *lb, struct cu_error *err)
{
	struct gnode *v = NULL;
	size_t n = 0, cap = 0, items = 0, others = 0, drawn_others = 0, hidden = 0;
	const double W = 1000, H = 1000, cx = 500, cy = 500;
	enum cu_status rc = CU_OK;

	while (sqlite3_step(nodes) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(nodes, 3);
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct gnode *nv = cu_reallocarray(v, nc, sizeof(*v));
			if (nv == NULL) {
				rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
				goto out;
			}
			v = nv;
			cap = nc;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].id = sqlite3_column_int64(nodes, 0);
		v[n].item = type != NULL && strcmp(type, "item") == 0;
		v[n].weight = sqlite3_column_int64(nodes, 5);
		clean_label((const char *)sqlite3_column_text(nodes, 2), lb, err);
		v[n].label = cu_strdup(lb->data ? lb->data : "");
		if (v[n].label == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n > 0) /* v is NULL for a case without nodes */
		qsort(v, n, sizeof(*v), weight_cmp);
	for (size_t i = 0; i < n; i++) {
		if (v[i].item)
			items++;
		else if (others < SVG_MAX_NODES)
			others++, v[i].drawn = true;
		else
			hidden++;
	}
	for (size_t i = 0, k = 0; i < n; i++) {
		if (v[i].item) {
			/* turned by 0.3 rad, not a rational part of a turn: no
			 * counterpart below ever lies on the line through two
			 * items, where its edge would run behind an item box */
			double a = items > 1 ? 0.3 + 2 * PI * (double)k / (double)items : 0;
			double r = items > 1 ? 170 : 0;
			v[i].x = g_round1(cx + r * g_cos(a));
			v[i].y = g_round1(cy + r * g_sin(a));
			v[i].drawn = true;
			k++;
		} else if (v[i].drawn) {
			double a =
			    2 * PI * ((double)drawn_others + 0.5) / (double)(others ? others : 1);
			double r = 400 - 40 * (double)(drawn_others % 2);
			v[i].x = g_round1(cx + r * g_cos(a));
			v[i].y = g_round1(cy + r * g_sin(a));
			drawn_others++;
		}
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), id_cmp);
	fprintf(
	    f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	    "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
	    W, H + 30, W, H + 30);
	while (sqlite3_step(edges) == SQLITE_ROW) {
		struct gnode *a = find_node(v, n, sqlite3_column_int64(edges, 0));
		struct gnode *b = find_node(v, n, sqlite3_column_int64(edges, 1));
		const char *kind = (const char *)sqlite3_column_text(edges, 2);
		bool link = kind != NULL && strcmp(kind, "link") == 0;
		if (a == NULL || b == NULL || !a->drawn || !b->drawn)
			continue;
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"%s\"%s><title>",
			a->x, a->y, b->x, b->y, link ? "#c00000" : "#8899aa", link ? "3" : "1",
			link ? " stroke-dasharray=\"8 4\"" : "");
		if (link) {
			clean_label((const char *)sqlite3_column_text(edges, 6), lb, err);
			put_xml(f, lb->data ? lb->data : "");
		} else {
			fprintf(f, "messages %lld, calls %lld, payments %lld",
				(long long)sqlite3_column_int64(edges, 3),
				(long long)sqlite3_column_int64(edges, 4),
				(long long)sqlite3_column_int64(edges, 5));
		}
		fputs("</title></line>\n", f);
	}
	for (size_t i = 0; i < n; i++) {
		if (!v[i].drawn)
			continue;
		if (v[i].item)
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"120\" height=\"24\" rx=\"4\" "
				"fill=\"#ffd7a8\" stroke=\"#a05000\"/>\n",
				v[i].x - 60, v[i].y - 12);
		else
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#4a7ab0\"/>\n",
				v[i].x, v[i].y);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", v[i].x,
			v[i].item ? v[i].y + 4 : v[i].y - 8);
		put_xml(f, v[i].label);
		fputs("</text>\n", f);
	}
	fprintf(f,
		"<text x=\"10\" y=\"%.0f\">%zu items, %zu counterparts drawn, %zu more not drawn"
		"</text>\n</svg>\n",
		H + 20, items, others, hidden);
out:
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
	return rc;
}

enum cu_status cu_analysis_graph_write(const char *casedb_path, const char *format, FILE *out,
				       struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *nodes = NULL, *edges = NULL;
	struct cu_buf lb = CU_BUF_INIT;
	struct cu_error lerr;
	enum cu_status rc;

	cu_error_clear(&lerr);
	if (format == NULL || (strcmp(format, "graphml") != 0 && strcmp(format, "dot") != 0 &&
			       strcmp(format, "svg") != 0))
		return cu_error_set(err, CU_E_USAGE,
				    "graph format '%s' unknown: graphml, dot or svg",
				    format ? format : "(none)");
	if ((rc = cu_casedb_open_read(casedb_path, &db, err)) != CU_OK)
		goto out;
	if ((rc = cu_analysis_sql_functions(db, err)) != CU_OK ||
	    (rc = cu_casedb_exec(db, "PRAGMA temp_store = MEMORY;", err)) != CU_OK ||
	    (rc = cu_casedb_exec(db, build_sql, err)) != CU_OK)
		goto out;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, key, label, type, item_id, weight FROM temp.g_node ORDER"
			       " BY id",
			       -1, &nodes, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		db,
		"SELECT a, b, kind, messages, calls, payments, label FROM temp.g_edge"
		" ORDER BY kind, a, b",
		-1, &edges, NULL) != SQLITE_OK) {
		rc = db_fail(db, "reading the graph", err);
		goto out;
	}
	if (strcmp(format, "graphml") == 0)
		write_graphml(out, nodes, edges, &lb, &lerr);
	else if (strcmp(format, "dot") == 0)
		write_dot(out, nodes, edges, &lb, &lerr);
	else if ((rc = write_svg(out, nodes, edges, &lb, err)) != CU_OK)
		goto out;
	if (lerr.code != CU_OK) {
		rc = cu_error_set(err, lerr.code, "%s", lerr.msg);
		goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		rc = cu_error_set(err, CU_E_IO, "writing the %s graph failed", format);
		goto out;
	}
out:
	sqlite3_finalize(nodes);
	sqlite3_finalize(edges);
	sqlite3_close(db);
	cu_buf_release(&lb);
	if (rc)
		cu_error_prefix(err, "graph of '%s'", casedb_path);
	return rc;
}
