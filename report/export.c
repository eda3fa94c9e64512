/*
 * export.c - `custos export`: case.db tables as CSV (RFC 4180, UTF-8 with
 * BOM), xlsx (libxlsxwriter, constant-memory mode) or JSON (one array), and
 * the CASE/UCO document of an unsealed case. Every row carries its
 * provenance (source file path and SHA-256, table and rowid or page and
 * offset, recovered flag); names are resolved beside raw identifiers; each
 * time is given in UTC and in the chosen zone.
 *
 * Rows are streamed from SQLite to the writer one at a time, so memory
 * stays bounded whatever the number of messages. Same case.db, same
 * options: same bytes (xlsx: fixed document properties and creation time).
 * The output is written beside its final name and renamed when complete;
 * case.db and the evidence are opened read-only, never written.
 */
#include "config.h" /* CUSTOS_TEST_HOOKS */
#include "report/seal_int.h"

#include "analysis/analysis.h"
#include "casedb/casedb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

/* One run of an export: what the kind writers see. */
struct export_run {
	struct cu_case *c;
	sqlite3 *db;
	const char *casedb_path;
	const char *kind;
	const char *format;
	const char *tz_given; /* --tz: every *_local column in this zone */
	const char *tz_name;  /* --tz, else the default for items without a zone */
	json_t *item_zones;   /* item_id -> the device's zone (items.timezone) */
	int item_col;         /* statement column of item_id, or -1 */
	int64_t created_ms;   /* fixed document time (xlsx) */
	uint64_t rows;
	char default_format[16];
};

/*
 * The kinds. A table kind is one SELECT whose columns are exported as
 * named, in order; a column named *_ms gets a *_local column after it (the
 * time in the export's zone). A kind with `write` produces its file itself
 * (e.g. a graph: {"graph", "graphml dot", NULL, NULL, write_graph} with
 * write_graph opening path and calling cu_analysis_graph_write()).
 * `extra` names columns of newer case.db schemas added when present:
 * "table.column AS name" entries separated by ';'.
 */
struct export_kind {
	const char *name;
	const char *formats; /* space-separated; the first is the default */
	const char *sql;     /* "%s" where the extra columns go (", x, y" or "") */
	const char *extra;
	enum cu_status (*write)(struct export_run *x, const char *path, struct cu_error *err);
};

/* The provenance columns every artifact row ends with (alias p = sources):
 * the source file, the table and rowid or page and offset, and for a
 * recovered record where it came from (db, wal, journal), its recovery
 * status, WAL frame and whether it is partial or damaged (CASEDB.md). */
#define PROV(t)                                                                                    \
	"p.device_path AS source_device_path, p.evidence_path AS source_evidence_path, "           \
	"p.sha256 AS source_sha256, " t ".source_id AS source_id, " t                              \
	".source_table AS source_table, " t ".source_rowid AS source_rowid, " t                    \
	".source_page AS source_page, " t ".source_offset AS source_offset, " t                    \
	".recovered AS recovered, " t ".recovered_from AS recovered_from, " t                      \
	".recovered_status AS recovered_status, " t ".wal_frame AS wal_frame, " t                  \
	".partial AS partial, " t ".damaged AS damaged"

/* A contact's display name for an identifier of the same item (and app). */
/* A contact's display name for an identifier of the same item: the
 * contact with that identifier in the same app, else the contact whose
 * phone number (or identifier) is the same number however it is written
 * (temp.names, made by open_db: "+86 139 1234 5678" = "13912345678"), or
 * whose e-mail address it is. */
#define NAME_OF(item, app, ident)                                                                  \
	"COALESCE((SELECT display_name FROM contacts k WHERE k.item_id = " item                    \
	" AND k.app = " app " AND k.identifier = " ident " AND k.display_name IS NOT NULL"         \
	" AND k.display_name <> '' ORDER BY k.contact_id LIMIT 1), " NAME_OF_PHONE(item,           \
										   ident) ")"
#define NAME_OF_PHONE(item, num)                                                                   \
	"(SELECT name FROM temp.names n WHERE n.item_id = " item " AND n.k IN (phone_key(" num     \
	"), lower(" num ")) ORDER BY n.contact_id LIMIT 1)"

static enum cu_status write_caseuco(struct export_run *x, const char *path, struct cu_error *err);
static enum cu_status write_graph(struct export_run *x, const char *path, struct cu_error *err);

static const struct export_kind kinds[] = {
    {"messages", "csv xlsx json",
     "SELECT m.message_id, m.item_id, m.app, m.conversation_id, v.identifier AS conversation,"
     " v.title AS conversation_title, m.direction, m.sender,"
     " COALESCE(NULLIF(m.sender_name, ''), " NAME_OF(
	 "m.item_id", "m.app",
	 "m.sender") ")"
		     " AS sender_name, m.sent_utc, m.sent_ms, m.kind, m.body, m.attachment, m.status,"
		     " m.raw_type%s, " PROV(
			 "m") " FROM messages m"
			      " LEFT JOIN conversations v ON v.conversation_id = m.conversation_id"
			      " LEFT JOIN sources p ON p.source_id = m.source_id ORDER BY m.message_id",
     "messages.sent_device_utc AS sent_device_utc;messages.sent_device_ms AS sent_device_ms;"
     "messages.sim_slot AS sim_slot;messages.service_center AS service_center",
     NULL},
    {"calls", "csv xlsx json",
     "SELECT c.call_id, c.item_id, c.app, c.direction, c.counterpart,"
     " " NAME_OF_PHONE(
	 "c.item_id",
	 "c.counterpart") " AS counterpart_name, c.started_utc,"
			  " c.started_ms, c.duration_s, c.answered, c.raw_type%s, " PROV(
			      "c") " FROM calls c"
				   " LEFT JOIN sources p ON p.source_id = c.source_id ORDER BY c.call_id",
     "calls.cached_name AS cached_name;calls.country AS country;"
     "calls.geocoded_location AS geocoded_location",
     NULL},
    {"contacts", "csv xlsx json",
     "SELECT c.contact_id, c.item_id, c.app, c.identifier, c.display_name, c.alias, c.remark,"
     " c.phone, c.email, c.status%s, " PROV(
	 "c") " FROM contacts c"
	      " LEFT JOIN sources p ON p.source_id = c.source_id ORDER BY c.contact_id",
     NULL, NULL},
    {"payments", "csv xlsx json",
     "SELECT y.payment_id, y.item_id, y.app, y.kind, y.direction, y.amount_minor,"
     " CASE WHEN y.amount_minor IS NULL THEN NULL ELSE printf('%%s%%d.%%02d',"
     " CASE WHEN y.amount_minor < 0 THEN '-' ELSE '' END, abs(y.amount_minor) / 100,"
     " abs(y.amount_minor) %% 100) END AS amount, y.currency, y.counterparty,"
     " COALESCE(NULLIF(y.counterparty_name, ''), " NAME_OF(
	 "y.item_id", "y.app",
	 "y.counterparty") ")"
			   " AS counterparty_name, y.status, y.memo, y.transaction_id, y.occurred_utc, y.occurred_ms,"
			   " y.message_id, y.account, y.bank, y.balance_minor%s, " PROV(
			       "y") " FROM payments y"
				    " LEFT JOIN sources p ON p.source_id = y.source_id ORDER BY y.payment_id",
     NULL, NULL},
    {"timeline", "csv xlsx json",
     "SELECT t.kind, t.item_id, t.app, t.time_utc, t.time_ms,"
     " CASE t.artifact_table WHEN 'messages' THEN m.sender WHEN 'calls' THEN c.counterpart"
     " ELSE y.counterparty END AS counterpart,"
     " CASE t.artifact_table WHEN 'messages' THEN COALESCE(NULLIF(m.sender_name, ''),"
     " " NAME_OF(
	 "m.item_id", "m.app",
	 "m.sender") ", v.title)"
		     " WHEN 'calls' THEN " NAME_OF_PHONE(
			 "c.item_id",
			 "c.counterpart") " ELSE"
					  " COALESCE(NULLIF(y.counterparty_name, ''), " NAME_OF(
					      "y.item_id", "y.app",
					      "y.counterparty") ") END"
								" AS counterpart_name, t.summary, t.artifact_table, t.artifact_id%s,"
								" p.device_path AS source_device_path, p.evidence_path AS source_evidence_path,"
								" p.sha256 AS source_sha256, COALESCE(m.source_id, c.source_id, y.source_id) AS source_id,"
								" COALESCE(m.source_table, c.source_table, y.source_table) AS source_table,"
								" COALESCE(m.source_rowid, c.source_rowid, y.source_rowid) AS source_rowid,"
								" COALESCE(m.source_page, c.source_page, y.source_page) AS source_page,"
								" COALESCE(m.source_offset, c.source_offset, y.source_offset) AS source_offset,"
								" COALESCE(m.recovered, c.recovered, y.recovered) AS recovered FROM timeline t"
								" LEFT JOIN messages m ON t.artifact_table = 'messages' AND m.message_id = t.artifact_id"
								" LEFT JOIN conversations v ON v.conversation_id = m.conversation_id"
								" LEFT JOIN calls c ON t.artifact_table = 'calls' AND c.call_id = t.artifact_id"
								" LEFT JOIN payments y ON t.artifact_table = 'payments' AND y.payment_id = t.artifact_id"
								" LEFT JOIN sources p ON p.source_id = COALESCE(m.source_id, c.source_id, y.source_id)"
								" ORDER BY t.time_ms IS NULL, t.time_ms, t.artifact_table, t.artifact_id",
     NULL, NULL},
    {"hits", "csv xlsx json",
     "SELECT h.hit_id, h.item_id, h.kind, h.value, h.normalized, h.rule, h.artifact,"
     " h.artifact_id, h.offset%s,"
     " p.device_path AS source_device_path, p.evidence_path AS source_evidence_path,"
     " p.sha256 AS source_sha256,"
     " COALESCE(m.source_id, k.source_id, c.source_id, y.source_id) AS source_id,"
     " COALESCE(m.source_table, k.source_table, c.source_table, y.source_table)"
     " AS source_table,"
     " COALESCE(m.source_rowid, k.source_rowid, c.source_rowid, y.source_rowid)"
     " AS source_rowid,"
     " COALESCE(m.source_page, k.source_page, c.source_page, y.source_page) AS source_page,"
     " COALESCE(m.source_offset, k.source_offset, c.source_offset, y.source_offset)"
     " AS source_offset,"
     " COALESCE(m.recovered, k.recovered, c.recovered, y.recovered) AS recovered FROM hits h"
     " LEFT JOIN messages m ON h.artifact = 'messages' AND m.message_id = h.artifact_id"
     " LEFT JOIN contacts k ON h.artifact = 'contacts' AND k.contact_id = h.artifact_id"
     " LEFT JOIN calls c ON h.artifact = 'calls' AND c.call_id = h.artifact_id"
     " LEFT JOIN payments y ON h.artifact = 'payments' AND y.payment_id = h.artifact_id"
     " LEFT JOIN sources p ON p.source_id ="
     " COALESCE(m.source_id, k.source_id, c.source_id, y.source_id) ORDER BY h.hit_id",
     "hits.field AS field", NULL},
    {"links", "csv xlsx json",
     "SELECT l.link_id, l.kind, l.normalized, l.item_a, l.item_b, l.evidence%s FROM links l"
     " ORDER BY l.link_id",
     NULL, NULL},
    {"case-uco", "jsonld", NULL, NULL, write_caseuco},
    {"graph", "graphml dot", NULL, NULL, write_graph},
};

static const struct export_kind *kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

const char *cu_export_kind_name(size_t i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ? kinds[i].name : NULL;
}

/* Whether the space-separated list has the word w. */
static bool format_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, w, n) == 0)
			return true;
		p += len + (e != NULL);
	}
	return false;
}

const char *cu_export_formats(const char *kind)
{
	const struct export_kind *k = kind_find(kind);
	return k ? k->formats : NULL;
}

/* ------------------------------------------------------------------ */
/* cells                                                               */
/* ------------------------------------------------------------------ */

enum col_kind { COL_SQL, COL_LOCAL, COL_ZONE };
struct col {
	enum col_kind kind;
	int sql; /* statement column (for COL_LOCAL: the *_ms one) */
	char *name;
};

struct cell {
	int type;      /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
	const char *s; /* text (not NUL-terminated at n for TEXT) */
	size_t n;
	int64_t i;
	double d;
	char tmp[64];
};

/* Cells a spreadsheet would read as a formula (or that a CSV importer
 * strips to one) get a leading apostrophe: =, +, -, @, tab, CR (OWASP). */
static bool formula_like(const char *s, size_t n)
{
	return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
			 s[0] == '\r');
}

/* The zone of a row's *_local columns: --tz, else its item's device zone
 * (items.timezone) when that is a zone this system knows, else the
 * default (the manifest's seizure zone, else Asia/Shanghai). */
static const char *row_zone(const struct export_run *x, sqlite3_stmt *s)
{
	if (x->tz_given != NULL)
		return x->tz_given;
	if (x->item_col >= 0 && x->item_zones != NULL) {
		const char *item = (const char *)sqlite3_column_text(s, x->item_col);
		const char *z =
		    item ? json_string_value(json_object_get(x->item_zones, item)) : NULL;
		if (z != NULL)
			return z;
	}
	return x->tz_name;
}

/* RFC 3339 with the offset in force then: "2024-03-22T18:03:00.123+08:00". */
static void local_time(const char *zone, int64_t ms, char out[64])
{
	out[0] = '\0';
	if (cu_time_format_zone(ms, zone, out, 64, NULL) != CU_OK)
		out[0] = '\0';
}

static void cell_get(const struct export_run *x, sqlite3_stmt *s, const struct col *c,
		     struct cell *v)
{
	v->type = sqlite3_column_type(s, c->sql);
	if (c->kind == COL_ZONE) {
		snprintf(v->tmp, sizeof(v->tmp), "%s", row_zone(x, s));
		v->type = SQLITE_TEXT;
		v->s = v->tmp;
		v->n = strlen(v->tmp);
		return;
	}
	if (c->kind == COL_LOCAL) {
		if (v->type != SQLITE_INTEGER) {
			v->type = SQLITE_NULL;
			return;
		}
		local_time(row_zone(x, s), sqlite3_column_int64(s, c->sql), v->tmp);
		v->type = v->tmp[0] ? SQLITE_TEXT : SQLITE_NULL;
		v->s = v->tmp;
		v->n = strlen(v->tmp);
		return;
	}
	switch (v->type) {
	case SQLITE_INTEGER: v->i = sqlite3_column_int64(s, c->sql); break;
	case SQLITE_FLOAT: v->d = sqlite3_column_double(s, c->sql); break;
	case SQLITE_NULL: break;
	case SQLITE_BLOB: {
		/* No exported column holds blobs; a hostile case.db might: shown
		 * as its size, never as raw bytes. */
		snprintf(v->tmp, sizeof(v->tmp), "<%d bytes>", sqlite3_column_bytes(s, c->sql));
		v->type = SQLITE_TEXT;
		v->s = v->tmp;
		v->n = strlen(v->tmp);
		break;
	}
	default:
		v->s = (const char *)sqlite3_column_text(s, c->sql);
		v->n = (size_t)sqlite3_column_bytes(s, c->sql);
		if (v->s == NULL) {
			v->s = "";
			v->n = 0;
		}
		v->type = SQLITE_TEXT;
	}
}

/* ------------------------------------------------------------------ */
/* CSV and JSON (stdio)                                                */
/* ------------------------------------------------------------------ */

static void csv_field(FILE *f, const char *s, size_t n, bool guard)
{
	bool quote = guard && formula_like(s, n);
	for (size_t i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	if (guard && formula_like(s, n))
		fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static void csv_cell(FILE *f, const struct cell *v)
{
	switch (v->type) {
	case SQLITE_NULL: break;
	case SQLITE_INTEGER: fprintf(f, "%" PRId64, v->i); break;
	case SQLITE_FLOAT: fprintf(f, "%.17g", v->d); break;
	default: {
		/* Invalid UTF-8 as U+FFFD, like the JSON writer: the file stays
		 * valid UTF-8 for every reader. */
		size_t i = 0;
		if (cu_utf8_valid(v->s, v->n)) {
			csv_field(f, v->s, v->n, true);
			break;
		}
		struct cu_buf b = CU_BUF_INIT;
		bool okb = true;
		while (i < v->n && okb) {
			size_t k = cu_utf8_valid_prefix(v->s + i, v->n - i);
			okb = cu_buf_append(&b, v->s + i, k, NULL) == CU_OK;
			i += k;
			if (i < v->n && okb) {
				okb = cu_buf_puts(&b, "\xef\xbf\xbd", NULL) == CU_OK;
				i++;
			}
		}
		csv_field(f, b.data ? b.data : "", b.len, true);
		cu_buf_release(&b);
	}
	}
}

static void json_cell(struct cu_json *j, const struct cell *v)
{
	switch (v->type) {
	case SQLITE_NULL: cu_json_null(j); break;
	case SQLITE_INTEGER: cu_json_int(j, v->i); break;
	case SQLITE_FLOAT: {
		char t[40];
		snprintf(t, sizeof(t), "%.17g", v->d);
		cu_json_raw(j, t, strlen(t));
		break;
	}
	default: cu_json_strn(j, v->s, v->n);
	}
}

/* ------------------------------------------------------------------ */
/* xlsx (libxlsxwriter)                                                */
/* ------------------------------------------------------------------ */

#define XLSX_MAX_ROWS 1048576u /* Excel's limit, header included */

/* Rows a sheet holds before the next one starts. Test builds may lower it
 * (CUSTOS_TEST_XLSX_ROWS) to reach the second sheet without a million rows. */
static uint32_t xlsx_max_rows(void)
{
#ifdef CUSTOS_TEST_HOOKS
	const char *v = getenv("CUSTOS_TEST_XLSX_ROWS");
	uint64_t n;
	if (v != NULL && cu_parse_u64(v, &n) && n >= 2 && n <= XLSX_MAX_ROWS)
		return (uint32_t)n;
#endif
	return XLSX_MAX_ROWS;
}
#define XLSX_MAX_CHARS 32767u /* characters in one cell */

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *text, *num;
	const struct col *cols;
	size_t ncols;
	uint32_t row;   /* next row in ws */
	unsigned sheet; /* 1-based */
	const char *kind;
	struct cu_buf tmp;
	lxw_error e;
};

static double col_width(const char *name)
{
	if (cu_str_has_suffix(name, "sha256"))
		return 66;
	if (strcmp(name, "body") == 0 || strcmp(name, "summary") == 0 ||
	    strcmp(name, "evidence") == 0 || strcmp(name, "memo") == 0)
		return 60;
	if (cu_str_has_suffix(name, "_path"))
		return 48;
	if (cu_str_has_suffix(name, "_utc") || cu_str_has_suffix(name, "_local"))
		return 30;
	if (cu_str_has_suffix(name, "_id") || strcmp(name, "recovered") == 0)
		return 10;
	return 18;
}

static lxw_error xlsx_sheet(struct xlsx *w)
{
	char name[32];
	lxw_error e;

	w->sheet++;
	/* Sheet names: at most 31 characters. */
	if (w->sheet == 1)
		snprintf(name, sizeof(name), "%.31s", w->kind);
	else
		snprintf(name, sizeof(name), "%.20s (%u)", w->kind, w->sheet);
	w->ws = workbook_add_worksheet(w->wb, name);
	if (w->ws == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (size_t i = 0; i < w->ncols; i++) {
		e = worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i,
					 col_width(w->cols[i].name), NULL);
		if (e != LXW_NO_ERROR)
			return e;
		e = worksheet_write_string(w->ws, 0, (lxw_col_t)i, w->cols[i].name, w->head);
		if (e != LXW_NO_ERROR)
			return e;
	}
	worksheet_freeze_panes(w->ws, 1, 0);
	w->row = 1;
	return LXW_NO_ERROR;
}

/* Text for a cell: valid UTF-8 (else U+FFFD), no character XML 1.0 forbids
 * (shown as U+FFFD), at most XLSX_MAX_CHARS characters (cut with a note;
 * the CSV and JSON exports hold the whole text), formula guard. */
static const char *xlsx_text(struct xlsx *w, const char *s, size_t n)
{
	static const char cut[] = " …[cut: full text in the CSV or JSON export]";
	size_t i = 0, chars = 0;
	bool ok = true;

	cu_buf_reset(&w->tmp);
	if (formula_like(s, n))
		ok = cu_buf_putc(&w->tmp, '\'', NULL) == CU_OK;
	while (i < n && ok) {
		size_t k = cu_utf8_valid_prefix(s + i, n - i);
		if (k == 0) {
			ok = cu_buf_puts(&w->tmp, "\xef\xbf\xbd", NULL) == CU_OK;
			i++;
			chars++;
		} else {
			/* One character at a time within the valid run. */
			size_t len = 1;
			unsigned char c = (unsigned char)s[i];
			if (c >= 0xf0)
				len = 4;
			else if (c >= 0xe0)
				len = 3;
			else if (c >= 0xc0)
				len = 2;
			/* Controls but tab and line ends, U+FFFE and U+FFFF: not
			 * characters XML 1.0 allows. */
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    (len == 3 && c == 0xef && (unsigned char)s[i + 1] == 0xbf &&
			     (unsigned char)s[i + 2] >= 0xbe))
				ok = cu_buf_puts(&w->tmp, "\xef\xbf\xbd", NULL) == CU_OK;
			else
				ok = cu_buf_append(&w->tmp, s + i, len, NULL) == CU_OK;
			i += len;
			chars += len == 4 ? 2 : 1; /* Excel counts UTF-16 units */
		}
		if (chars >= XLSX_MAX_CHARS - 64 && i < n) {
			ok = ok && cu_buf_puts(&w->tmp, cut, NULL) == CU_OK;
			break;
		}
	}
	if (!ok)
		return NULL;
	return w->tmp.data ? w->tmp.data : "";
}

static lxw_error xlsx_cell(struct xlsx *w, lxw_col_t col, const struct cell *v)
{
	switch (v->type) {
	case SQLITE_NULL: return LXW_NO_ERROR;
	case SQLITE_INTEGER:
		/* Exact in a double up to 2^53; beyond, kept as text. */
		if (v->i > -(INT64_C(1) << 53) && v->i < (INT64_C(1) << 53))
			return worksheet_write_number(w->ws, w->row, col, (double)v->i, w->num);
		{
			char t[32];
			snprintf(t, sizeof(t), "%" PRId64, v->i);
			return worksheet_write_string(w->ws, w->row, col, t, w->text);
		}
	case SQLITE_FLOAT: return worksheet_write_number(w->ws, w->row, col, v->d, NULL);
	default: {
		const char *t = xlsx_text(w, v->s, v->n);
		if (t == NULL)
			return LXW_ERROR_MEMORY_MALLOC_FAILED;
		return worksheet_write_string(w->ws, w->row, col, t, w->text);
	}
	}
}

static void xlsx_finish_sheet(struct xlsx *w)
{
	if (w->ws != NULL && w->ncols > 0)
		worksheet_autofilter(w->ws, 0, 0, w->row > 1 ? w->row - 1 : 0,
				     (lxw_col_t)(w->ncols - 1));
}

/* ------------------------------------------------------------------ */
/* table kinds                                                         */
/* ------------------------------------------------------------------ */

static bool column_exists(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *s = NULL;
	bool found = false;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

/* The kind's SELECT with the extra columns this case.db has. */
static enum cu_status kind_sql(struct export_run *x, const struct export_kind *k,
			       struct cu_buf *out, struct cu_error *err)
{
	struct cu_buf extra = CU_BUF_INIT;
	enum cu_status st = CU_OK;
	const char *alias_of[][2] = {{"messages", "m"}, {"calls", "c"}, {"hits", "h"}};

	for (const char *p = k->extra; p != NULL && *p && st == CU_OK;) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char one[160], table[64], column[64];
		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		p += len + (e != NULL);
		const char *dot = strchr(one, '.'), *sp = strchr(one, ' ');
		if (dot == NULL || sp == NULL || sp < dot)
			continue;
		snprintf(table, sizeof(table), "%.*s", (int)(dot - one), one);
		snprintf(column, sizeof(column), "%.*s", (int)(sp - dot - 1), dot + 1);
		if (!column_exists(x->db, table, column))
			continue;
		const char *alias = table;
		for (size_t i = 0; i < sizeof(alias_of) / sizeof(alias_of[0]); i++)
			if (strcmp(alias_of[i][0], table) == 0)
				alias = alias_of[i][1];
		st = cu_buf_printf(&extra, err, ", %s.%s", alias, dot + 1);
	}
	if (st == CU_OK)
		st = cu_buf_printf(out, err, k->sql, extra.data ? extra.data : "");
	cu_buf_release(&extra);
	return st;
}

static enum cu_status db_fail(struct export_run *x, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "export %s: %s in '%s': %s", x->kind, what,
			    x->casedb_path, sqlite3_errmsg(x->db));
}

static enum cu_status write_table(struct export_run *x, const struct export_kind *k,
				  const char *path, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT, row = CU_BUF_INIT;
	sqlite3_stmt *s = NULL;
	struct col *cols = NULL;
	size_t ncols = 0;
	FILE *f = NULL;
	struct xlsx w;
	enum cu_status st;
	int rc;
	bool xl = strcmp(x->format, "xlsx") == 0, csv = strcmp(x->format, "csv") == 0;
	uint32_t max_rows = xlsx_max_rows();

	memset(&w, 0, sizeof(w));
	cu_buf_init(&w.tmp, 1u << 20);
	if ((st = kind_sql(x, k, &sql, err)) != CU_OK)
		goto out;
	if (sqlite3_prepare_v2(x->db, sql.data, -1, &s, NULL) != SQLITE_OK) {
		st = db_fail(x, "query", err);
		goto out;
	}
	int n = sqlite3_column_count(s);
	if ((cols = cu_calloc((size_t)n * 2 + 1, sizeof(*cols))) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "export %s: out of memory", x->kind);
		goto out;
	}
	x->item_col = -1;
	bool timed = false;
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(s, i);
		if (strcmp(name, "item_id") == 0)
			x->item_col = i;
		cols[ncols].kind = COL_SQL;
		cols[ncols].sql = i;
		if ((cols[ncols++].name = cu_strdup(name)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "export %s: out of memory", x->kind);
			goto out;
		}
		if (cu_str_has_suffix(name, "_ms")) {
			struct cu_buf b = CU_BUF_INIT;
			if ((st = cu_buf_printf(&b, err, "%.*s_local", (int)(strlen(name) - 3),
						name)) != CU_OK)
				goto out;
			cols[ncols].kind = COL_LOCAL;
			cols[ncols].sql = i;
			cols[ncols++].name = cu_buf_detach(&b, NULL);
			timed = true;
		}
	}
	if (timed) {
		/* The zone the *_local columns of the row are in. */
		cols[ncols].kind = COL_ZONE;
		cols[ncols].sql = 0;
		if ((cols[ncols++].name = cu_strdup("local_zone")) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "export %s: out of memory", x->kind);
			goto out;
		}
	}

	if (xl) {
		lxw_workbook_options wo;
		lxw_doc_properties dp;
		struct cu_buf tmpdir = CU_BUF_INIT;
		char title[96];
		memset(&wo, 0, sizeof(wo));
		memset(&dp, 0, sizeof(dp));
		if ((st = cu_case_path(x->c, "work", &tmpdir, err)) != CU_OK ||
		    (st = cu_mkdirs(tmpdir.data, 0755, false, err)) != CU_OK) {
			cu_buf_release(&tmpdir);
			goto out;
		}
		wo.constant_memory = LXW_TRUE;
		wo.tmpdir = tmpdir.data;
		wo.use_zip64 = LXW_TRUE;
		w.wb = workbook_new_opt(path, &wo);
		cu_buf_release(&tmpdir);
		if (w.wb == NULL) {
			st = cu_error_set(err, CU_E_IO, "export %s: cannot create '%s'", x->kind,
					  path);
			goto out;
		}
		snprintf(title, sizeof(title), "custos export: %s", x->kind);
		dp.title = title;
		dp.comments = "written by custos from case.db; every row names its source";
		/* A fixed creation time: the same case state gives the same bytes. */
		dp.created = (time_t)(x->created_ms / 1000);
		workbook_set_properties(w.wb, &dp);
		w.head = workbook_add_format(w.wb);
		format_set_bold(w.head);
		format_set_num_format(w.head, "@");
		w.text = workbook_add_format(w.wb);
		format_set_num_format(w.text, "@");
		w.num = workbook_add_format(w.wb);
		format_set_num_format(w.num, "0");
		w.cols = cols;
		w.ncols = ncols;
		w.kind = x->kind;
		if ((w.e = xlsx_sheet(&w)) != LXW_NO_ERROR)
			goto xlsx_error;
	} else {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
			st = cu_error_errno(err, CU_E_IO, errno, "export %s: cannot create '%s'",
					    x->kind, path);
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (csv) {
			fputs("\xef\xbb\xbf", f);
			for (size_t i = 0; i < ncols; i++) {
				if (i)
					fputc(',', f);
				csv_field(f, cols[i].name, strlen(cols[i].name), false);
			}
			fputs("\r\n", f);
		} else {
			fputs("[", f);
		}
	}

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cell v;
		if (xl) {
			if (w.row >= max_rows) {
				xlsx_finish_sheet(&w);
				if ((w.e = xlsx_sheet(&w)) != LXW_NO_ERROR)
					goto xlsx_error;
			}
			for (size_t i = 0; i < ncols; i++) {
				cell_get(x, s, &cols[i], &v);
				if ((w.e = xlsx_cell(&w, (lxw_col_t)i, &v)) != LXW_NO_ERROR)
					goto xlsx_error;
			}
			w.row++;
		} else if (csv) {
			for (size_t i = 0; i < ncols; i++) {
				if (i)
					fputc(',', f);
				cell_get(x, s, &cols[i], &v);
				csv_cell(f, &v);
			}
			fputs("\r\n", f);
		} else {
			struct cu_json j;
			cu_buf_reset(&row);
			cu_json_init(&j, &row);
			cu_json_obj_begin(&j);
			for (size_t i = 0; i < ncols; i++) {
				cell_get(x, s, &cols[i], &v);
				cu_json_key(&j, cols[i].name);
				json_cell(&j, &v);
			}
			cu_json_obj_end(&j);
			if ((st = cu_json_finish(&j, err)) != CU_OK)
				goto out;
			fputs(x->rows ? ",\n" : "\n", f);
			fwrite(row.data, 1, row.len, f);
		}
		x->rows++;
		if (f != NULL && ferror(f)) {
			st = cu_error_errno(err, CU_E_IO, errno, "export %s: cannot write '%s'",
					    x->kind, path);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		st = db_fail(x, "reading rows", err);
		goto out;
	}
	if (xl) {
		xlsx_finish_sheet(&w);
		w.e = workbook_close(w.wb);
		w.wb = NULL;
		if (w.e != LXW_NO_ERROR)
			goto xlsx_error;
	} else {
		if (!csv)
			fputs(x->rows ? "\n]\n" : "]\n", f);
		if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "export %s: cannot write '%s'",
					    x->kind, path);
			goto out;
		}
	}
	st = CU_OK;
	goto out;
xlsx_error:
	st = cu_error_set(err, CU_E_IO, "export %s: writing '%s' (libxlsxwriter): %s", x->kind,
			  path, lxw_strerror(w.e));
out:
	if (w.wb != NULL) {
		/* Closing writes the file; it is removed by the caller. */
		(void)workbook_close(w.wb);
	}
	if (f != NULL)
		fclose(f);
	sqlite3_finalize(s);
	for (size_t i = 0; i < ncols; i++)
		free(cols[i].name);
	free(cols);
	cu_buf_release(&sql);
	cu_buf_release(&row);
	cu_buf_release(&w.tmp);
	return st;
}

/* ------------------------------------------------------------------ */
/* CASE/UCO                                                            */
/* ------------------------------------------------------------------ */

static enum cu_status write_caseuco(struct export_run *x, const char *path, struct cu_error *err)
{
	struct cu_textout t;
	enum cu_status st;

	if ((st = cu_textout_open(&t, path, 0, NULL, err)) != CU_OK)
		return st;
	if ((st = cu_caseuco_case(x->c, x->db, &t, &x->rows, err)) != CU_OK) {
		cu_textout_abort(&t);
		return st;
	}
	return cu_textout_close(&t, NULL, err);
}

/* ------------------------------------------------------------------ */
/* the contact/ring graph (analysis/graph.c)                           */
/* ------------------------------------------------------------------ */

static enum cu_status write_graph(struct export_run *x, const char *path, struct cu_error *err)
{
	enum cu_status st;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL) {
		st = cu_error_errno(err, CU_E_IO, errno, "export graph: cannot create '%s'", path);
		if (fd >= 0)
			close(fd);
		return st;
	}
	st = cu_analysis_graph_write(x->casedb_path, x->format, f, err);
	if (st == CU_OK && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0))
		st = cu_error_errno(err, CU_E_IO, errno, "export graph: cannot write '%s'", path);
	if (fclose(f) != 0 && st == CU_OK)
		st = cu_error_errno(err, CU_E_IO, errno, "export graph: cannot write '%s'", path);
	return st;
}

/* ------------------------------------------------------------------ */
/* the export                                                          */
/* ------------------------------------------------------------------ */

/* Outputs never go where the case keeps its record: evidence, derived
 * copies, inventory, custody, case.db, the manifests. */
static enum cu_status check_target(struct cu_case *c, const char *path, struct cu_error *err)
{
	static const char *const kept[] = {"evidence",
					   "derived",
					   "inventory",
					   "custody",
					   "case.db",
					   "manifest.json",
					   "manifest.initial.json",
					   NULL};
	char dir[CU_PATH_MAX], real[CU_PATH_MAX], cdir[CU_PATH_MAX];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "/");
	if (realpath(dir, real) == NULL)
		return cu_error_errno(err, CU_E_IO, errno,
				      "export: the folder of '%s' does not exist (create it first)",
				      path);
	if (realpath(c->dir, cdir) == NULL)
		return cu_error_errno(err, CU_E_IO, errno, "export: case folder '%s'", c->dir);
	size_t n = strlen(cdir);
	if (strncmp(real, cdir, n) == 0 && (real[n] == '/' || real[n] == '\0')) {
		const char *rel = real[n] ? real + n + 1 : "";
		char full[CU_PATH_MAX];
		snprintf(full, sizeof(full), "%s%s%s", rel, rel[0] ? "/" : "",
			 slash ? slash + 1 : path);
		for (size_t i = 0; kept[i] != NULL; i++) {
			size_t k = strlen(kept[i]);
			if (strncmp(full, kept[i], k) == 0 && (full[k] == '/' || full[k] == '\0'))
				return cu_error_set(err, CU_E_USAGE,
						    "export: will not write '%s': %s/ of the case "
						    "holds the record (choose another -o)",
						    path, kept[i]);
		}
	}
	return CU_OK;
}

/* The time of the last PARSE or ANALYZE entry (the case.db the export
 * reads), for a fixed creation time; 1980-01-01 when none is found. */
static int64_t parse_time(struct cu_case *c)
{
	struct cu_buf p = CU_BUF_INIT, log = CU_BUF_INIT;
	int64_t t = INT64_C(315532800000);

	if (cu_case_path(c, CU_CASE_CUSTODY, &p, NULL) == CU_OK &&
	    cu_file_read_all(p.data, (size_t)1 << 30, &log, NULL) == CU_OK) {
		const char *s = log.data, *end = log.data + log.len;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
			json_t *line = NULL;
			/* PARSE writes case.db, ANALYZE its hits and links. */
			if ((memmem(s, len, "\"event\":\"PARSE\"", 15) != NULL ||
			     memmem(s, len, "\"event\":\"ANALYZE\"", 17) != NULL) &&
			    cu_json_load_str(s, len, "custody line", &line, NULL) == CU_OK) {
				int64_t v;
				const char *tm = json_string_value(
				    json_object_get(json_object_get(line, "body"), "time"));
				if (tm != NULL && cu_time_parse(tm, &v))
					t = v;
				json_decref(line);
			}
			s += len + 1;
		}
	}
	cu_buf_release(&p);
	cu_buf_release(&log);
	return t;
}

static const char *default_tz(struct cu_case *c)
{
	const json_t *loc = json_object_get(json_object_get(c->manifest, "seizure"), "location");
	const char *n = json_string_value(json_object_get(loc, "tz"));
	if (n == NULL)
		n = json_string_value(json_object_get(loc, "utc_offset"));
	if (n == NULL || cu_time_zone_check(n, NULL) != CU_OK)
		n = "Asia/Shanghai";
	return n;
}

/* items.timezone (case.db schema 3) of every item, when it names a zone
 * this system knows; NULL when the column is absent. */
static json_t *item_zones(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	json_t *m;

	if (sqlite3_prepare_v2(db,
			       "SELECT item_id, timezone FROM items WHERE timezone IS NOT NULL"
			       " ORDER BY item_id",
			       -1, &s, NULL) != SQLITE_OK)
		return NULL;
	m = json_object();
	while (m != NULL && sqlite3_step(s) == SQLITE_ROW) {
		const char *item = (const char *)sqlite3_column_text(s, 0);
		const char *z = (const char *)sqlite3_column_text(s, 1);
		if (item != NULL && z != NULL && cu_time_zone_check(z, NULL) == CU_OK)
			json_object_set_new(m, item, json_string(z));
	}
	sqlite3_finalize(s);
	return m;
}

static enum cu_status custody_entry(struct cu_case *c, const struct export_run *x,
				    const char *shown, const struct cu_export_result *res,
				    struct cu_error *err)
{
	struct cu_buf sub = CU_BUF_INIT, det = CU_BUF_INIT;
	struct cu_chain_state cs;
	struct cu_json j;
	enum cu_status st;

	memset(&cs, 0, sizeof(cs));
	if ((st = cu_chain_read(c, &cs, err)) != CU_OK)
		return st;
	cu_json_init(&j, &sub);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "path", shown);
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	cu_json_init(&j, &det);
	cu_json_obj_begin(&j);
	cu_json_kv_str(&j, "kind", x->kind);
	cu_json_kv_str(&j, "format", x->format);
	cu_json_kv_str(&j, "path", shown);
	cu_json_kv_str(&j, "sha256", res->sha256);
	cu_json_key(&j, "size");
	cu_json_uint(&j, res->size);
	cu_json_key(&j, "rows");
	cu_json_uint(&j, res->rows);
	/* null: each item's device zone, the default for items without one */
	cu_json_kv_str(&j, "time_zone", x->tz_given);
	cu_json_kv_str(&j, "default_time_zone", x->tz_name);
	cu_json_kv_str(&j, "case_db_sha256", cs.parse_db_sha256[0] ? cs.parse_db_sha256 : NULL);
	cu_json_kv_str(&j, "tool", cu_version());
	cu_json_obj_end(&j);
	if ((st = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	st = cu_custody_append(c->custody, "EXPORT", cu_case_default_actor(), sub.data, det.data,
			       NULL, err);
out:
	cu_chain_release(&cs);
	cu_buf_release(&sub);
	cu_buf_release(&det);
	return st;
}

/* phone_key(x): the digits of a phone number without the country code 86
 * ("+86 139-1234 5678", "008613912345678" and "13912345678" are one key);
 * NULL for anything with fewer than 5 digits or with letters (an account
 * name, not a number). */
static void phone_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *t = sqlite3_value_text(argv[0]);
	char d[40];
	size_t n = 0;

	(void)argc;
	if (t == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	for (; *t; t++) {
		if (*t >= '0' && *t <= '9') {
			if (n + 1 >= sizeof(d)) {
				sqlite3_result_null(ctx);
				return;
			}
			d[n++] = (char)*t;
		} else if (!(*t == '+' || *t == ' ' || *t == '-' || *t == '(' || *t == ')' ||
			     *t == '.')) {
			sqlite3_result_null(ctx);
			return;
		}
	}
	d[n] = '\0';
	const char *k = d;
	if (n == 15 && strncmp(d, "0086", 4) == 0)
		k = d + 4;
	else if (n == 13 && strncmp(d, "86", 2) == 0)
		k = d + 2;
	if (strlen(k) < 5) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, k, -1, SQLITE_TRANSIENT);
}

static enum cu_status open_db(struct cu_case *c, struct cu_buf *dbpath, sqlite3 **db,
			      struct cu_error *err)
{
	enum cu_status st;
	if ((st = cu_case_path(c, CU_CASE_DB, dbpath, err)) != CU_OK)
		return st;
	if ((st = cu_casedb_open_read(dbpath->data, db, err)) != CU_OK)
		return cu_error_prefix(err, "export");
	/* Sorting (timeline) spills to a temp file: bounded memory. */
	sqlite3_exec(*db, "PRAGMA temp_store=FILE; PRAGMA cache_size=-8192", NULL, NULL, NULL);
	/* Contact names by phone number key (only in this connection's temp
	 * schema: case.db is never written). */
	if (sqlite3_create_function(*db, "phone_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    phone_key_fn, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(
		*db,
		"CREATE TEMP TABLE names(item_id TEXT, k TEXT, name TEXT, contact_id INTEGER);"
		"INSERT INTO temp.names SELECT item_id, phone_key(phone), display_name,"
		" contact_id FROM main.contacts WHERE display_name <> '' AND"
		" phone_key(phone) IS NOT NULL UNION ALL SELECT item_id,"
		" phone_key(identifier), display_name, contact_id FROM main.contacts WHERE"
		" display_name <> '' AND phone_key(identifier) IS NOT NULL UNION ALL SELECT"
		" item_id, lower(email), display_name, contact_id FROM main.contacts WHERE"
		" display_name <> '' AND email LIKE '%@%';"
		"CREATE INDEX temp.names_k ON names(item_id, k, contact_id);",
		NULL, NULL, NULL) != SQLITE_OK) {
		enum cu_status e = cu_error_set(err, CU_E_IO, "export: contact names of '%s': %s",
						dbpath->data, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return e;
	}
	return CU_OK;
}

enum cu_status cu_export_case(struct cu_case *c, const struct cu_export_opts *o,
			      struct cu_export_result *out, struct cu_error *err)
{
	const struct export_kind *k = kind_find(o->kind);
	struct export_run x;
	struct cu_buf dbp = CU_BUF_INIT, path = CU_BUF_INIT, tmp = CU_BUF_INIT;
	struct cu_export_result res;
	bool made = false;
	enum cu_status st;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	if (k == NULL) {
		struct cu_buf names = CU_BUF_INIT;
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (cu_buf_printf(&names, NULL, "%s%s", i ? ", " : "", kinds[i].name) !=
			    CU_OK)
				break;
		st = cu_error_set(err, CU_E_USAGE, "export: unknown kind '%s' (one of: %s)",
				  o->kind, names.data ? names.data : "");
		cu_buf_release(&names);
		return st;
	}
	x.c = c;
	x.kind = k->name;
	{
		const char *sp = strchr(k->formats, ' ');
		snprintf(x.default_format, sizeof(x.default_format), "%.*s",
			 sp ? (int)(sp - k->formats) : 15, k->formats);
		x.format = o->format ? o->format : x.default_format;
	}
	if (!format_in(k->formats, x.format))
		return cu_error_set(err, CU_E_USAGE, "export %s: format '%s' not offered (use %s)",
				    k->name, x.format, k->formats);
	if (o->tz != NULL) {
		if (cu_time_zone_check(o->tz, NULL) != CU_OK)
			return cu_error_set(err, CU_E_USAGE,
					    "export: unknown time zone '%s' (use an IANA name such "
					    "as Asia/Shanghai or Europe/Zurich, +HH:MM or UTC)",
					    o->tz);
		x.tz_given = o->tz;
		x.tz_name = o->tz;
	} else {
		x.tz_name = default_tz(c);
	}
	x.created_ms = parse_time(c);

	/* case-uco of a case not parsed yet (files, devices, people, actions)
	 * needs no case.db; every other kind does. */
	if (k->write == write_caseuco && (st = cu_case_path(c, CU_CASE_DB, &dbp, err)) == CU_OK &&
	    !cu_file_exists(dbp.data)) {
		x.casedb_path = dbp.data;
	} else {
		cu_buf_reset(&dbp);
		if ((st = open_db(c, &dbp, &x.db, err)) != CU_OK)
			goto out;
		x.casedb_path = dbp.data;
	}
	x.item_zones = item_zones(x.db);

	if (o->output != NULL) {
		st = cu_buf_puts(&path, o->output, err);
	} else {
		if ((st = cu_case_path(c, "exports", &path, err)) == CU_OK &&
		    (st = cu_mkdirs(path.data, 0755, false, err)) == CU_OK)
			st = cu_buf_printf(&path, err, "/%s.%s", k->name, x.format);
	}
	if (st != CU_OK || (st = check_target(c, path.data, err)) != CU_OK)
		goto out;
	if ((st = cu_buf_printf(&tmp, err, "%s.tmp.%ld", path.data, (long)getpid())) != CU_OK)
		goto out;
	unlink(tmp.data);
	made = true;
	st = k->write ? k->write(&x, tmp.data, err) : write_table(&x, k, tmp.data, err);
	if (st != CU_OK)
		goto out;
	{
		struct cu_digests d;
		if ((st = cu_hash_file(tmp.data, CU_HASH_SHA256, &d, err)) != CU_OK)
			goto out;
		chmod(tmp.data, 0644);
		if (rename(tmp.data, path.data) != 0) {
			st = cu_error_errno(err, CU_E_IO, errno, "export: cannot move '%s' to '%s'",
					    tmp.data, path.data);
			goto out;
		}
		made = false;
		snprintf(res.path, sizeof(res.path), "%s", path.data);
		memcpy(res.sha256, d.sha256, sizeof(res.sha256));
		res.size = d.size;
		res.rows = x.rows;
	}
	if (!o->no_custody) {
		/* Inside the case: the path relative to it, else as given. */
		char real[CU_PATH_MAX], cdir[CU_PATH_MAX];
		const char *shown = path.data;
		if (realpath(path.data, real) != NULL && realpath(c->dir, cdir) != NULL) {
			size_t n = strlen(cdir);
			shown = real;
			if (strncmp(real, cdir, n) == 0 && real[n] == '/')
				shown = real + n + 1;
		}
		if ((st = custody_entry(c, &x, shown, &res, err)) != CU_OK)
			goto out;
	}
	if (out != NULL)
		*out = res;
out:
	if (made)
		unlink(tmp.data);
	if (x.db != NULL)
		sqlite3_close(x.db);
	json_decref(x.item_zones);
	cu_buf_release(&dbp);
	cu_buf_release(&path);
	cu_buf_release(&tmp);
	return st;
}

/* ------------------------------------------------------------------ */
/* the report's exports                                                */
/* ------------------------------------------------------------------ */

static int64_t table_rows(sqlite3 *db, const char *table)
{
	sqlite3_stmt *s = NULL;
	char sql[96];
	int64_t n = 0;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

enum cu_status cu_export_for_report(struct cu_case *c, const char *outdir, const char *tz,
				    struct cu_buf *html, json_t **written, struct cu_error *err)
{
	static const char *const always[] = {"messages", "calls", "contacts", "payments",
					     "timeline"};
	static const char *const formats[] = {"csv", "xlsx"};
	struct cu_buf dir = CU_BUF_INIT, path = CU_BUF_INIT, dbp = CU_BUF_INIT;
	json_t *list = json_array();
	sqlite3 *db = NULL;
	const char *kinds_now[7];
	size_t nk = 0;
	enum cu_status st;

	if (list == NULL)
		return cu_error_set(err, CU_E_NOMEM, "report exports: out of memory");
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		kinds_now[nk++] = always[i];
	/* hits and links only when the analysis found some. */
	if ((st = open_db(c, &dbp, &db, err)) != CU_OK)
		goto out;
	if (table_rows(db, "hits") > 0)
		kinds_now[nk++] = "hits";
	if (table_rows(db, "links") > 0)
		kinds_now[nk++] = "links";
	sqlite3_close(db);
	db = NULL;
	if ((st = cu_buf_printf(&dir, err, "%s/exports", outdir)) != CU_OK ||
	    (st = cu_mkdirs(dir.data, 0755, false, err)) != CU_OK)
		goto out;
	if (tz != NULL && cu_time_zone_check(tz, NULL) != CU_OK)
		tz = NULL; /* a fixed-offset label the report knows: the default then */
	st = cu_buf_puts(html,
			 "<h2 id=\"exports\">导出 Exports</h2>\n<p>CSV (UTF-8, RFC 4180) / Excel "
			 "(xlsx)：每行含来源文件、SHA-256、表与行号或页与偏移。Every row names its "
			 "source file, its SHA-256 and table/rowid or page/offset.</p>\n<table>"
			 "<thead><tr><th>内容 Kind</th><th>行数 Rows</th><th>CSV</th><th>Excel</th>"
			 "</tr></thead><tbody>\n",
			 err);
	for (size_t i = 0; i < nk && st == CU_OK; i++) {
		struct cu_export_result res[2];
		for (size_t f = 0; f < 2 && st == CU_OK; f++) {
			struct cu_export_opts o;
			memset(&o, 0, sizeof(o));
			o.kind = kinds_now[i];
			o.format = formats[f];
			o.tz = tz;
			o.no_custody = true;
			cu_buf_reset(&path);
			if ((st = cu_buf_printf(&path, err, "%s/%s.%s", dir.data, o.kind,
						o.format)) != CU_OK)
				break;
			o.output = path.data;
			if ((st = cu_export_case(c, &o, &res[f], err)) != CU_OK)
				break;
			char rel[256];
			snprintf(rel, sizeof(rel), "report/exports/%s.%s", o.kind, o.format);
			json_array_append_new(
			    list, json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s?}", "kind", o.kind,
					    "format", o.format, "path", rel, "sha256",
					    res[f].sha256, "size", (json_int_t)res[f].size, "rows",
					    (json_int_t)res[f].rows, "time_zone", tz));
		}
		if (st == CU_OK)
			st = cu_buf_printf(
			    html, err,
			    "<tr><td>%s</td><td class=\"num\">%llu</td><td><a href=\"exports/%s.csv\">"
			    "%s.csv</a><br><span class=\"hash\">%.16s…</span></td><td><a "
			    "href=\"exports/%s.xlsx\">%s.xlsx</a><br><span class=\"hash\">%.16s…</span>"
			    "</td></tr>\n",
			    kinds_now[i], (unsigned long long)res[0].rows, kinds_now[i],
			    kinds_now[i], res[0].sha256, kinds_now[i], kinds_now[i], res[1].sha256);
	}
	if (st == CU_OK)
		st = cu_buf_puts(html, "</tbody></table>\n", err);
	if (st == CU_OK) {
		*written = list;
		list = NULL;
	}
out:
	if (db != NULL)
		sqlite3_close(db);
	json_decref(list);
	cu_buf_release(&dir);
	cu_buf_release(&path);
	cu_buf_release(&dbp);
	return st;
}

enum cu_status cu_export_record(struct cu_case *c, const json_t *written, struct cu_error *err)
{
	const json_t *e;
	size_t i;
	enum cu_status st = CU_OK;
	struct cu_chain_state cs;

	memset(&cs, 0, sizeof(cs));
	if ((st = cu_chain_read(c, &cs, err)) != CU_OK)
		return st;
	json_array_foreach(written, i, e)
	{
		struct cu_buf sub = CU_BUF_INIT, det = CU_BUF_INIT;
		struct cu_json j;
		const char *path = json_string_value(json_object_get(e, "path"));
		cu_json_init(&j, &sub);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "path", path);
		cu_json_obj_end(&j);
		st = cu_json_finish(&j, err);
		cu_json_init(&j, &det);
		cu_json_obj_begin(&j);
		cu_json_kv_str(&j, "kind", json_string_value(json_object_get(e, "kind")));
		cu_json_kv_str(&j, "format", json_string_value(json_object_get(e, "format")));
		cu_json_kv_str(&j, "path", path);
		cu_json_kv_str(&j, "sha256", json_string_value(json_object_get(e, "sha256")));
		cu_json_kv_int(&j, "size", json_integer_value(json_object_get(e, "size")));
		cu_json_kv_int(&j, "rows", json_integer_value(json_object_get(e, "rows")));
		cu_json_kv_str(&j, "time_zone", json_string_value(json_object_get(e, "time_zone")));
		cu_json_kv_str(&j, "case_db_sha256",
			       cs.parse_db_sha256[0] ? cs.parse_db_sha256 : NULL);
		cu_json_kv_str(&j, "written_by", "report");
		cu_json_kv_str(&j, "tool", cu_version());
		cu_json_obj_end(&j);
		if (st == CU_OK)
			st = cu_json_finish(&j, err);
		if (st == CU_OK)
			st = cu_custody_append(c->custody, "EXPORT", cu_case_default_actor(),
					       sub.data, det.data, NULL, err);
		cu_buf_release(&sub);
		cu_buf_release(&det);
		if (st != CU_OK)
			break;
	}
	cu_chain_release(&cs);
	return st;
}
