/*
 * test_parse_util.c - see test_parse_util.h.
 */
#include "tests/unit/test_parse_util.h"
#include "tests/harness/tap.h"

#include <string.h>

static char bufs[4][4096];

const char *tpu_src(int slot, const char *rel)
{
	const char *root = getenv("SRCDIR");

	snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/%s", root && *root ? root : ".", rel);
	return bufs[slot & 3];
}

const char *tpu_shared(int slot, const char *rel)
{
	const char *sh = getenv("SHARED");
	const char *root = getenv("SRCDIR");

	if (sh && *sh)
		snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/%s", sh, rel);
	else
		snprintf(bufs[slot & 3], sizeof(bufs[0]), "%s/../shared/%s",
			 root && *root ? root : ".", rel);
	return bufs[slot & 3];
}

bool tpu_build_db(const char *sql_path, const char *db_path)
{
	struct cu_buf sql = CU_BUF_INIT;
	struct cu_error e;
	sqlite3 *db = NULL;
	char *msg = NULL;
	bool ok = false;

	cu_error_clear(&e);
	if (cu_file_read_all(sql_path, 64u << 20, &sql, &e) != CU_OK) {
		tap_diag("reading %s: %s", sql_path, e.msg);
		goto out;
	}
	remove(db_path);
	if (sqlite3_open(db_path, &db) != SQLITE_OK) {
		tap_diag("creating %s", db_path);
		goto out;
	}
	if (sqlite3_exec(db, sql.data, NULL, NULL, &msg) != SQLITE_OK) {
		tap_diag("%s: %s", sql_path, msg ? msg : "?");
		goto out;
	}
	ok = true;
out:
	sqlite3_free(msg);
	sqlite3_close(db);
	cu_buf_release(&sql);
	return ok;
}

sqlite3 *tpu_casedb(void)
{
	sqlite3 *db = NULL;
	struct cu_error e;

	cu_error_clear(&e);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || cu_casedb_create(db, &e) != CU_OK) {
		tap_diag("case.db: %s", e.msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

enum cu_status tpu_parse(sqlite3 *casedb, const char *name, const char *path,
			 const char *device_path, const char *platform, const char *work_dir,
			 struct cu_parse_stats *st, struct cu_error *err)
{
	const struct cu_parser *p = cu_parser_find(name);
	struct cu_parse_file_opts o = {"item1", platform, device_path, work_dir, false};

	if (!p)
		return cu_error_set(err, CU_E_NOTFOUND, "no parser '%s'", name);
	return cu_parse_file(casedb, p, path, &o, st, err);
}

int64_t tpu_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = INT64_MIN;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("sql '%s': %s", sql, sqlite3_errmsg(db));
		return v;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *tpu_text(sqlite3 *db, const char *sql)
{
	static char out[8192];
	sqlite3_stmt *st = NULL;

	snprintf(out, sizeof(out), "(none)");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tap_diag("sql '%s': %s", sql, sqlite3_errmsg(db));
		return out;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, sizeof(out), "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(st);
	return out;
}

struct keymap {
	const char *key, *expr;
};

static const struct keymap conv_map[] = {{"identifier", "t.identifier"},
					 {"is_group", "t.is_group"},
					 {"app", "t.app"},
					 {"title", "t.title"},
					 {NULL, NULL}};
static const struct keymap msg_map[] = {
    {"table", "t.source_table"},
    {"rowid", "t.source_rowid"},
    {"conversation", "(SELECT c.identifier FROM conversations c WHERE c.conversation_id ="
		     " t.conversation_id)"},
    {"sender", "t.sender"},
    {"sender_name", "t.sender_name"},
    {"direction", "t.direction"},
    {"sent_ms", "t.sent_ms"},
    {"kind", "t.kind"},
    {"raw_type", "t.raw_type"},
    {"body", "t.body"},
    {"app", "t.app"},
    {"status", "t.status"},
    {"attachment_contains", "instr(t.attachment, ?1) > 0"},
    {NULL, NULL}};
static const struct keymap call_map[] = {{"table", "t.source_table"},
					 {"rowid", "t.source_rowid"},
					 {"counterpart", "t.counterpart"},
					 {"direction", "t.direction"},
					 {"started_ms", "t.started_ms"},
					 {"duration_s", "t.duration_s"},
					 {"answered", "t.answered"},
					 {"app", "t.app"},
					 {NULL, NULL}};
static const struct keymap contact_map[] = {{"table", "t.source_table"},
					    {"rowid", "t.source_rowid"},
					    {"identifier", "t.identifier"},
					    {"display_name", "t.display_name"},
					    {"phone", "t.phone"},
					    {"alias", "t.alias"},
					    {"app", "t.app"},
					    {"deleted", "COALESCE(t.status = 'deleted', 0)"},
					    {NULL, NULL}};
static const struct keymap pay_map[] = {{"app", "t.app"},
					{"kind", "t.kind"},
					{"direction", "t.direction"},
					{"amount_minor", "t.amount_minor"},
					{"currency", "t.currency"},
					{"counterparty", "t.counterparty"},
					{"counterparty_name", "t.counterparty_name"},
					{"occurred_ms", "t.occurred_ms"},
					{"table", "t.source_table"},
					{"rowids", "t.source_rowid"},
					{"card_tail", "t.account"},
					{"balance_minor", "t.balance_minor"},
					{"bank", "t.bank"},
					{"status", "t.status"},
					{"transaction_id", "t.transaction_id"},
					{NULL, NULL}};

static const struct {
	const char *section, *table, *id;
	const struct keymap *map;
} sections[] = {
    {"conversations", "conversations", "conversation_id", conv_map},
    {"messages", "messages", "message_id", msg_map},
    {"calls", "calls", "call_id", call_map},
    {"contacts", "contacts", "contact_id", contact_map},
    {"payments", "payments", "payment_id", pay_map},
};

/* true when the column value equals the JSON value */
static bool field_equal(sqlite3 *db, const char *table, const char *id, size_t row,
			const char *expr, const json_t *want, char *got_desc, size_t cap)
{
	char sql[1024];
	sqlite3_stmt *st = NULL;
	bool eq = false;
	const json_t *w = want;

	if (json_is_array(w)) /* rowids: [n] - the first */
		w = json_array_get(w, 0);
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s t ORDER BY t.%s LIMIT 1 OFFSET %zu", expr,
		 table, id, row);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(got_desc, cap, "sql error %s", sqlite3_errmsg(db));
		return false;
	}
	if (json_is_string(w))
		sqlite3_bind_text(st, 1, json_string_value(w), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(got_desc, cap, "no row");
		goto out;
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		snprintf(got_desc, cap, "NULL");
		eq = json_is_null(w);
	} else if (strstr(expr, "instr(")) {
		eq = sqlite3_column_int64(st, 0) == 1;
		snprintf(got_desc, cap, "%s", eq ? "contained" : "not contained");
	} else if (json_is_integer(w) || json_is_boolean(w)) {
		int64_t v = sqlite3_column_int64(st, 0);
		int64_t e = json_is_boolean(w) ? json_is_true(w) : json_integer_value(w);

		snprintf(got_desc, cap, "%lld", (long long)v);
		eq = sqlite3_column_type(st, 0) == SQLITE_INTEGER && v == e;
	} else if (json_is_string(w)) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		snprintf(got_desc, cap, "'%s'", t ? t : "");
		eq = t && strcmp(t, json_string_value(w)) == 0;
	} else {
		snprintf(got_desc, cap, "(unsupported expected type)");
	}
out:
	sqlite3_finalize(st);
	return eq;
}

void tpu_compare_expected(sqlite3 *db, const char *path, const char *label)
{
	json_t *root = NULL;
	struct cu_error e;

	cu_error_clear(&e);
	if (cu_json_load_file(path, 16u << 20, &root, &e) != CU_OK) {
		tap_ok(false, "%s: load %s: %s", label, path, e.msg);
		return;
	}
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		const json_t *arr = json_object_get(root, sections[s].section);
		char sql[256];
		size_t i;
		const json_t *row;

		if (!json_is_array(arr))
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", sections[s].table);
		tap_is_int(tpu_int(db, sql), (int64_t)json_array_size(arr), "%s: %s count", label,
			   sections[s].section);
		json_array_foreach(arr, i, row)
		{
			char bad[2048] = "";
			size_t bl = 0;

			for (const struct keymap *k = sections[s].map; k->key; k++) {
				const json_t *want = json_object_get(row, k->key);
				char got[512];

				if (!want)
					continue;
				if (!field_equal(db, sections[s].table, sections[s].id, i, k->expr,
						 want, got, sizeof(got)) &&
				    bl < sizeof(bad) - 1) {
					char *w = json_dumps(want, JSON_ENCODE_ANY);

					bl += (size_t)snprintf(bad + bl, sizeof(bad) - bl,
							       " %s: got %s want %s;", k->key, got,
							       w ? w : "?");
					free(w);
					if (bl >= sizeof(bad))
						bl = sizeof(bad) - 1;
				}
			}
			tap_ok(bad[0] == '\0', "%s: %s[%zu] matches expected", label,
			       sections[s].section, i);
			if (bad[0])
				tap_diag("%s", bad);
		}
	}
	json_decref(root);
}
