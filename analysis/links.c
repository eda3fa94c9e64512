/*
 * links.c - links between the items of a case: the same identifier on
 * several seized phones. Identifiers are normalised before they are
 * compared, so "+86 138-0013-8000" in one address book and "13800138000"
 * in another call log are one number:
 *   phone_number    E.164 (cu_ident_phone_e164) from contacts.phone, the
 *                   identifiers of SMS/phone/WhatsApp contacts, accounts and
 *                   conversations, calls.counterpart, SMS senders, the
 *                   owner's numbers (items.phone_numbers) and phone hits;
 *   wechat_id       WeChat usernames (wxid_…) and aliases (微信号), lower-case,
 *                   of contacts, accounts, conversations and payments;
 *   qq_number       QQ numbers of contacts, accounts and conversations;
 *   crypto_address, tracking_number, bank_card   the normalised hits.
 * An account of one phone (accounts, items.phone_numbers) seen as a contact
 * or counterpart on another is such a link too; its evidence row says
 * "role":"account". One link per identifier and pair of items (item_a <
 * item_b, bytewise), evidence = {"a":SIDE,"b":SIDE}, SIDE = {"item","count",
 * "rows":[{"table","id","field","value","role","source_id","device_path",
 * "source_table","source_rowid","recovered"}...]} with at most
 * CU_LINK_EVIDENCE_MAX rows (sorted by table, id, field). Rows are written
 * sorted by kind, normalized, item_a, item_b.
 */
#include "analysis/case_int.h"
#include "casedb/casedb.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NORM_MAX 256

static enum cu_status db_fail(sqlite3 *db, const char *what, struct cu_error *err)
{
	return cu_error_set(err, CU_E_IO, "case.db: %s: %s", what, sqlite3_errmsg(db));
}

/* WeChat's own accounts (service, plug-in and payment accounts every phone
 * may have, e.g. wxzhifu = 微信支付 notices): never a link. */
static bool wechat_system_id(const char *id)
{
	static const char *const sys[] = {
	    "weixin",
	    "filehelper",
	    "fmessage",
	    "medianote",
	    "floatbottle",
	    "qqmail",
	    "newsapp",
	    "tmessage",
	    "qmessage",
	    "qqsync",
	    "lbsapp",
	    "shakeapp",
	    "notification_messages",
	    "blogapp",
	    "facebookapp",
	    "masssendapp",
	    "feedsapp",
	    "voip",
	    "voipapp",
	    "officialaccounts",
	    "helper_entry",
	    "notifymessage",
	    "brandsessionholder",
	    "wxzhifu",
	    "qqwallet",
	    "mphelper",
	    "weibo",
	    "qqfriend",
	    "exmail_tool",
	    "voicevoipapp",
	    "voiceinputapp",
	    "linkedinplugin",
	    "appbrandcustomerservicemsg",
	    "downloaderapp",
	    "opencustomerservicemsg",
	    "topstoryapp",
	    "cardpackage",
	    "weixinreminder",
	    NULL,
	};
	if (strncmp(id, "gh_", 3) == 0)
		return true;
	for (size_t i = 0; sys[i] != NULL; i++)
		if (strcmp(id, sys[i]) == 0)
			return true;
	return false;
}

static bool app_is(const char *app, const char *prefix)
{
	return app != NULL && strncmp(app, prefix, strlen(prefix)) == 0;
}

const char *cu_analysis_ident(const char *app, const char *id, char *norm, size_t cap)
{
	size_t n;

	if (id == NULL || cap < 2)
		return NULL;
	while (*id == ' ' || *id == '\t')
		id++;
	n = strlen(id);
	while (n > 0 && (id[n - 1] == ' ' || id[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= NORM_MAX)
		return NULL;
	if (app_is(app, "wechat")) {
		if (wechat_system_id(id) || n >= cap)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)id[i];
			if (!isalnum(ch) && ch != '_' && ch != '-')
				return NULL; /* groups (@chatroom), open IM (@openim) */
			norm[i] = (char)tolower(ch);
		}
		norm[n] = '\0';
		return "wechat_id";
	}
	if (app_is(app, "qq")) {
		if (n < 5 || n > 11 || n >= cap || id[0] == '0')
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)id[i]))
				return NULL;
		memcpy(norm, id, n);
		norm[n] = '\0';
		return "qq_number";
	}
	if (app_is(app, "telegram"))
		return NULL; /* user ids, not numbers */
	{
		char tmp[NORM_MAX + 2];
		const char *at = memchr(id, '@', n);
		size_t k = n;

		if (at != NULL) {
			/* WhatsApp JIDs: "8613800138000@s.whatsapp.net" */
			if (strncmp(at, "@s.whatsapp.net", 15) != 0 && strncmp(at, "@c.us", 5) != 0)
				return NULL;
			k = (size_t)(at - id);
			tmp[0] = '+';
			memcpy(tmp + 1, id, k);
			tmp[k + 1] = '\0';
		} else {
			memcpy(tmp, id, k);
			tmp[k] = '\0';
		}
		if (cu_ident_phone_e164(tmp, norm, cap))
			return "phone_number";
	}
	return NULL;
}

static void sql_ident(sqlite3_context *cx, int argc, sqlite3_value **argv, bool want_kind)
{
	const char *app = (const char *)sqlite3_value_text(argv[0]);
	const char *id = (const char *)sqlite3_value_text(argv[1]);
	char norm[NORM_MAX];
	const char *kind;

	(void)argc;
	kind = cu_analysis_ident(app, id, norm, sizeof(norm));
	if (kind == NULL)
		sqlite3_result_null(cx);
	else if (want_kind)
		sqlite3_result_text(cx, kind, -1, SQLITE_STATIC);
	else
		sqlite3_result_text(cx, norm, -1, SQLITE_TRANSIENT);
}

static void sql_ident_kind(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sql_ident(cx, argc, argv, true);
}

static void sql_ident_norm(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	sql_ident(cx, argc, argv, false);
}

/* A phone number list ("138…, +86 139…") split at , ; / into E.164 ones:
 * cu_phone_split(text, i) gives the i-th (NULL past the last). */
static void sql_phone_part(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	int64_t want = sqlite3_value_int64(argv[1]);
	char part[NORM_MAX], norm[NORM_MAX];
	int64_t idx = 0;

	(void)argc;
	while (s != NULL && *s) {
		size_t n = strcspn(s, ",;/");
		if (n > 0 && n < sizeof(part)) {
			memcpy(part, s, n);
			part[n] = '\0';
			if (cu_ident_phone_e164(part, norm, sizeof(norm))) {
				if (idx == want) {
					sqlite3_result_text(cx, norm, -1, SQLITE_TRANSIENT);
					return;
				}
				idx++;
			}
		}
		s += n;
		if (*s)
			s++;
	}
	sqlite3_result_null(cx);
}

enum cu_status cu_analysis_sql_functions(sqlite3 *db, struct cu_error *err)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(db, "cu_ident_kind", 2, flags, NULL, sql_ident_kind, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "cu_ident_norm", 2, flags, NULL, sql_ident_norm, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "cu_phone_part", 2, flags, NULL, sql_phone_part, NULL,
				    NULL) != SQLITE_OK)
		return db_fail(db, "registering the identifier functions", err);
	return CU_OK;
}

/* Every identifier of every item, one row per place it was seen. */
static const char collect_sql[] =
    "CREATE TEMP TABLE lid(kind TEXT, norm TEXT, item_id TEXT, tbl TEXT, row_id INTEGER,"
    " field TEXT, value TEXT, role TEXT);\n"
    /* contacts: phone (a list), identifier, WeChat alias */
    "INSERT INTO temp.lid SELECT 'phone_number', p, item_id, 'contacts', contact_id, 'phone',"
    " phone, 'contact' FROM (SELECT contact_id, item_id, phone, cu_phone_part(phone, 0) AS p"
    "  FROM contacts UNION ALL SELECT contact_id, item_id, phone, cu_phone_part(phone, 1)"
    "  FROM contacts UNION ALL SELECT contact_id, item_id, phone, cu_phone_part(phone, 2)"
    "  FROM contacts) WHERE p IS NOT NULL;\n"
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, identifier), cu_ident_norm(app, identifier),"
    " item_id, 'contacts', contact_id, 'identifier', identifier, 'contact' FROM contacts"
    " WHERE cu_ident_kind(app, identifier) IS NOT NULL;\n"
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, alias), cu_ident_norm(app, alias), item_id,"
    " 'contacts', contact_id, 'alias', alias, 'contact' FROM contacts"
    " WHERE app LIKE 'wechat%' AND cu_ident_kind(app, alias) IS NOT NULL;\n"
    /* the phone's own accounts */
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, identifier), cu_ident_norm(app, identifier),"
    " item_id, 'accounts', account_id, 'identifier', identifier, 'account' FROM accounts"
    " WHERE cu_ident_kind(app, identifier) IS NOT NULL;\n"
    "INSERT INTO temp.lid SELECT 'phone_number', p, item_id, 'items', NULL, 'phone_numbers',"
    " phone_numbers, 'account' FROM (SELECT item_id, phone_numbers,"
    "  cu_phone_part(phone_numbers, 0) AS p FROM items UNION ALL SELECT item_id, phone_numbers,"
    "  cu_phone_part(phone_numbers, 1) FROM items) WHERE p IS NOT NULL;\n"
    /* conversations (1:1 chats, SMS threads) */
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, identifier), cu_ident_norm(app, identifier),"
    " item_id, 'conversations', conversation_id, 'identifier', identifier, 'counterpart'"
    " FROM conversations WHERE cu_ident_kind(app, identifier) IS NOT NULL;\n"
    /* calls */
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, counterpart), cu_ident_norm(app,"
    " counterpart), item_id, 'calls', call_id, 'counterpart', counterpart, 'counterpart'"
    " FROM calls WHERE cu_ident_kind(app, counterpart) IS NOT NULL;\n"
    /* SMS senders: one row per sender and item (the first message) */
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, sender), cu_ident_norm(app, sender),"
    " item_id, 'messages', id, 'sender', sender, 'counterpart' FROM (SELECT min(message_id) AS"
    " id, item_id, app, sender FROM messages WHERE sender IS NOT NULL AND app IN ('sms',"
    " 'imessage', 'whatsapp') GROUP BY item_id, app, sender)"
    " WHERE cu_ident_kind(app, sender) IS NOT NULL;\n"
    /* payment counterparties (WeChat Pay: the wxid) */
    "INSERT INTO temp.lid SELECT cu_ident_kind(app, counterparty), cu_ident_norm(app,"
    " counterparty), item_id, 'payments', payment_id, 'counterparty', counterparty,"
    " 'counterpart' FROM payments WHERE cu_ident_kind(app, counterparty) IS NOT NULL;\n";

/* Found in texts: the normalised hits (pick-up codes and code words are
 * not identifiers of a person or parcel across phones). */
static const char collect_hits_sql[] =
    "INSERT INTO temp.lid SELECT kind, normalized, item_id, artifact, artifact_id, %s, value,"
    " 'hit' FROM hits WHERE kind IN ('phone_number', 'crypto_address', 'tracking_number',"
    " 'bank_card') AND normalized IS NOT NULL AND normalized <> '';\n"
    "CREATE INDEX temp.lid_key ON lid(kind, norm, item_id);\n";

/* Provenance of one evidence row: (source_id, source_table, source_rowid,
 * recovered) of the artifact row. */
struct prov_q {
	const char *table;
	const char *sql;
};

static const struct prov_q prov_qs[] = {
    {"messages",
     "SELECT source_id, source_table, source_rowid, recovered FROM messages WHERE message_id = "
     "?1"},
    {"contacts",
     "SELECT source_id, source_table, source_rowid, recovered FROM contacts WHERE contact_id = "
     "?1"},
    {"calls",
     "SELECT source_id, source_table, source_rowid, recovered FROM calls WHERE call_id = ?1"},
    {"payments",
     "SELECT source_id, source_table, source_rowid, recovered FROM payments WHERE payment_id = "
     "?1"},
    {"conversations",
     "SELECT source_id, NULL, NULL, 0 FROM conversations WHERE conversation_id = ?1"},
    {"accounts", "SELECT source_id, NULL, NULL, 0 FROM accounts WHERE account_id = ?1"},
    {"recovered_records",
     "SELECT source_id, table_name, NULL, 1 FROM recovered_records WHERE rr_id = ?1"},
};
#define NPROV (sizeof(prov_qs) / sizeof(prov_qs[0]))

struct links {
	sqlite3 *db;
	sqlite3_stmt *rows, *count, *src, *ins;
	sqlite3_stmt *prov[NPROV];
};

static sqlite3_stmt *prov_stmt(struct links *l, const char *table)
{
	for (size_t i = 0; table != NULL && i < NPROV; i++) {
		if (strcmp(table, prov_qs[i].table) != 0)
			continue;
		if (l->prov[i] == NULL &&
		    sqlite3_prepare_v2(l->db, prov_qs[i].sql, -1, &l->prov[i], NULL) != SQLITE_OK) {
			sqlite3_finalize(l->prov[i]);
			l->prov[i] = NULL; /* the table is absent: no provenance */
		}
		return l->prov[i];
	}
	return NULL;
}

static void side_json(struct links *l, struct cu_json *j, const char *kind, const char *norm,
		      const char *item)
{
	sqlite3_stmt *r = l->rows, *c = l->count;

	cu_json_obj_begin(j);
	cu_json_kv_str(j, "item", item);
	sqlite3_bind_text(c, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(c, 2, norm, -1, SQLITE_STATIC);
	sqlite3_bind_text(c, 3, item, -1, SQLITE_STATIC);
	cu_json_key(j, "count");
	cu_json_int(j, sqlite3_step(c) == SQLITE_ROW ? sqlite3_column_int64(c, 0) : 0);
	sqlite3_reset(c);
	cu_json_key(j, "rows");
	cu_json_arr_begin(j);
	sqlite3_bind_text(r, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(r, 2, norm, -1, SQLITE_STATIC);
	sqlite3_bind_text(r, 3, item, -1, SQLITE_STATIC);
	sqlite3_bind_int(r, 4, CU_LINK_EVIDENCE_MAX);
	while (sqlite3_step(r) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(r, 0);
		sqlite3_stmt *p = prov_stmt(l, tbl);
		int64_t source_id = -1;

		cu_json_obj_begin(j);
		cu_json_kv_str(j, "table", tbl);
		cu_json_key(j, "id");
		if (sqlite3_column_type(r, 1) == SQLITE_NULL)
			cu_json_null(j);
		else
			cu_json_int(j, sqlite3_column_int64(r, 1));
		cu_json_kv_str(j, "field", (const char *)sqlite3_column_text(r, 2));
		cu_json_kv_str(j, "value", (const char *)sqlite3_column_text(r, 3));
		cu_json_kv_str(j, "role", (const char *)sqlite3_column_text(r, 4));
		if (p != NULL && sqlite3_column_type(r, 1) != SQLITE_NULL) {
			sqlite3_bind_int64(p, 1, sqlite3_column_int64(r, 1));
			if (sqlite3_step(p) == SQLITE_ROW) {
				if (sqlite3_column_type(p, 0) != SQLITE_NULL)
					source_id = sqlite3_column_int64(p, 0);
				cu_json_key(j, "source_id");
				if (source_id >= 0)
					cu_json_int(j, source_id);
				else
					cu_json_null(j);
				sqlite3_bind_int64(l->src, 1, source_id);
				cu_json_kv_str(j, "device_path",
					       sqlite3_step(l->src) == SQLITE_ROW
						   ? (const char *)sqlite3_column_text(l->src, 0)
						   : NULL);
				sqlite3_reset(l->src);
				cu_json_kv_str(j, "source_table",
					       (const char *)sqlite3_column_text(p, 1));
				cu_json_key(j, "source_rowid");
				if (sqlite3_column_type(p, 2) == SQLITE_NULL)
					cu_json_null(j);
				else
					cu_json_int(j, sqlite3_column_int64(p, 2));
				cu_json_kv_bool(j, "recovered", sqlite3_column_int64(p, 3) != 0);
			}
			sqlite3_reset(p);
		}
		cu_json_obj_end(j);
	}
	sqlite3_reset(r);
	cu_json_arr_end(j);
	cu_json_obj_end(j);
}

static enum cu_status write_link(struct links *l, const char *kind, const char *norm, const char *a,
				 const char *b, uint64_t *n, struct cu_error *err)
{
	struct cu_buf ev = CU_BUF_INIT;
	struct cu_json j;
	enum cu_status rc;

	cu_json_init(&j, &ev);
	cu_json_obj_begin(&j);
	cu_json_key(&j, "a");
	side_json(l, &j, kind, norm, a);
	cu_json_key(&j, "b");
	side_json(l, &j, kind, norm, b);
	cu_json_obj_end(&j);
	if ((rc = cu_json_finish(&j, err)) != CU_OK)
		goto out;
	sqlite3_bind_text(l->ins, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->ins, 2, norm, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->ins, 3, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->ins, 4, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->ins, 5, ev.data, (int)ev.len, SQLITE_STATIC);
	if (sqlite3_step(l->ins) != SQLITE_DONE)
		rc = db_fail(l->db, "inserting a link", err);
	else
		(*n)++;
	sqlite3_reset(l->ins);
out:
	cu_buf_release(&ev);
	return rc;
}

/* The items of one identifier, as a growing list. */
struct group {
	char kind[32];
	char norm[NORM_MAX];
	char **items;
	size_t n, cap;
};

static void group_clear(struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->items[i]);
	g->n = 0;
}

static enum cu_status group_flush(struct links *l, struct group *g, uint64_t *n,
				  struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	for (size_t i = 0; rc == CU_OK && i < g->n; i++)
		for (size_t k = i + 1; rc == CU_OK && k < g->n; k++)
			rc = write_link(l, g->kind, g->norm, g->items[i], g->items[k], n, err);
	group_clear(g);
	return rc;
}

enum cu_status cu_analysis_links_fill(sqlite3 *db, uint64_t *n, struct cu_error *err)
{
	struct links l;
	struct group g;
	sqlite3_stmt *q = NULL;
	char *sql = NULL;
	enum cu_status rc;
	uint64_t count = 0;
	int step;

	memset(&l, 0, sizeof(l));
	memset(&g, 0, sizeof(g));
	l.db = db;
	if ((rc = cu_analysis_sql_functions(db, err)) != CU_OK)
		goto out;
	if ((rc = cu_casedb_exec(db, "DROP TABLE IF EXISTS temp.lid;", err)) != CU_OK ||
	    (rc = cu_casedb_exec(db, collect_sql, err)) != CU_OK)
		goto out;
	sql = sqlite3_mprintf(collect_hits_sql,
			      cu_analysis_column_exists(db, "hits", "field") ? "field" : "NULL");
	if (sql == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = cu_casedb_exec(db, sql, err)) != CU_OK)
		goto out;
	if (sqlite3_prepare_v2(
		db,
		"SELECT tbl, row_id, field, min(value), min(role) FROM temp.lid WHERE kind = ?1"
		" AND norm = ?2 AND item_id = ?3 GROUP BY tbl, row_id, field"
		" ORDER BY tbl, row_id, field LIMIT ?4",
		-1, &l.rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM (SELECT DISTINCT tbl, row_id, field FROM"
			       " temp.lid WHERE kind = ?1 AND norm = ?2 AND item_id = ?3)",
			       -1, &l.count, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT device_path FROM sources WHERE source_id = ?1", -1,
			       &l.src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO links(kind, normalized, item_a, item_b, evidence)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &l.ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT l.kind, l.norm, l.item_id FROM temp.lid l JOIN (SELECT kind,"
			       " norm FROM temp.lid WHERE item_id IS NOT NULL GROUP BY kind, norm"
			       " HAVING count(DISTINCT item_id) > 1) k ON k.kind = l.kind AND"
			       " k.norm = l.norm WHERE l.item_id IS NOT NULL"
			       " GROUP BY l.kind, l.norm, l.item_id ORDER BY l.kind, l.norm,"
			       " l.item_id",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = db_fail(db, "preparing the link queries", err);
		goto out;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 0);
		const char *norm = (const char *)sqlite3_column_text(q, 1);
		const char *item = (const char *)sqlite3_column_text(q, 2);
		char *dup;

		if (kind == NULL || norm == NULL || item == NULL)
			continue;
		if (strlen(kind) >= sizeof(g.kind) || strlen(norm) >= sizeof(g.norm))
			continue; /* never from our own normalisers */
		if (g.n > 0 && (strcmp(kind, g.kind) != 0 || strcmp(norm, g.norm) != 0))
			if ((rc = group_flush(&l, &g, &count, err)) != CU_OK)
				goto out;
		if (g.n == 0) {
			snprintf(g.kind, sizeof(g.kind), "%s", kind);
			snprintf(g.norm, sizeof(g.norm), "%s", norm);
		}
		if (g.n == g.cap) {
			size_t cap = g.cap ? g.cap * 2 : 8;
			char **v = cu_reallocarray(g.items, cap, sizeof(*v));
			if (v == NULL) {
				rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
				goto out;
			}
			g.items = v;
			g.cap = cap;
		}
		if ((dup = cu_strdup(item)) == NULL) {
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		g.items[g.n++] = dup;
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(db, "reading the identifiers", err);
		goto out;
	}
	if ((rc = group_flush(&l, &g, &count, err)) != CU_OK)
		goto out;
	*n = count;
out:
	group_clear(&g);
	free(g.items);
	sqlite3_finalize(q);
	sqlite3_finalize(l.rows);
	sqlite3_finalize(l.count);
	sqlite3_finalize(l.src);
	sqlite3_finalize(l.ins);
	for (size_t i = 0; i < NPROV; i++)
		sqlite3_finalize(l.prov[i]);
	sqlite3_free(sql);
	if (rc == CU_OK) {
		struct cu_error e2;
		if (cu_casedb_exec(db, "DROP TABLE IF EXISTS temp.lid;", &e2) != CU_OK)
			cu_warn("analyze: %s", e2.msg);
	}
	if (rc)
		cu_error_prefix(err, "links");
	return rc;
}
