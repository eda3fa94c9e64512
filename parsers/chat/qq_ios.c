/*
 * qq_ios.c - QQ for iOS (com.tencent.mqq, backup domain
 * AppDomain-com.tencent.mqq), APPS.md 3.3:
 *
 *   Documents/contents/<ownQQ>/QQ.db (plain SQLite, plain text)
 *     tb_c2cMsg_<peerQQ>   uin, time (REAL Unix s), type, content, flag
 *                          (0 = sent by the owner), picUrl
 *     tb_TroopMsg_<group>  senduin, msgtime, sMsgtype, strmsg, nickname,
 *                          picurl
 *
 * The numeric type codes of QQ iOS are not documented (APPS.md gives no
 * table): type 0 with plain content is "text" (as in the fixture
 * fixtures/apps/qq-ios), every other code is "other" with the code kept in
 * raw_type and the content as body; a reader sees exactly what is stored.
 * Discussion-group message tables are not named in APPS.md: not parsed.
 *
 * Tests: synthetic QQ.db from tests/data/chat/make_qq.py ->
 * tests/e2e/parse_chat_qq.sh, tests/golden/chat_qq_ios.txt.
 */
#include "parsers/chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP "qq"

static int probe_qq_ios(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	static const char *const t[] = {"tb_c2cMsg_%", "tb_TroopMsg_%", NULL};
	return cu_parse_probe_tables(ctx, a, t, "*/Documents/contents/*/QQ.db");
}

/* Own QQ from ".../contents/<QQ>/QQ.db". */
static char *own_from_path(const char *dp)
{
	const char *end = strrchr(dp, '/'), *b;
	if (end == NULL)
		return NULL;
	b = end;
	while (b > dp && b[-1] != '/')
		b--;
	size_t n = (size_t)(end - b);
	if (n == 0 || strspn(b, "0123456789") != n)
		return NULL;
	return cu_strndup(b, n);
}

static enum cu_status parse_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  sqlite3 *db, const char *table, bool troop, const char *own,
				  struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *peer = table + (troop ? strlen("tb_TroopMsg_") : strlen("tb_c2cMsg_"));
	enum cu_status rc;
	int64_t conv;
	/* the name comes from the (untrusted) file: quote it as an identifier */
	char *qt = sqlite3_mprintf("\"%w\"", table);
	struct cu_rows guard;
	int s;

	if (qt == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory quoting a table name");
	if ((rc = cu_parse_conversation(ctx, APP, peer, NULL, troop ? 1 : 0, a->source_id, &conv,
					err)) != CU_OK)
		goto out;
	if (troop)
		rc = cu_buf_printf(
		    &sql, err, "SELECT rowid, %s, %s, %s, %s, %s, %s, NULL FROM %s ORDER BY rowid",
		    cu_parse_col(ctx, a, db, table, "senduin", true),
		    cu_parse_col(ctx, a, db, table, "msgtime", true),
		    cu_parse_col(ctx, a, db, table, "sMsgtype", true),
		    cu_parse_col(ctx, a, db, table, "strmsg", true),
		    cu_parse_col(ctx, a, db, table, "nickname", false),
		    cu_parse_col(ctx, a, db, table, "picurl", false), qt);
	else
		rc = cu_buf_printf(
		    &sql, err, "SELECT rowid, %s, %s, %s, %s, NULL, %s, %s FROM %s ORDER BY rowid",
		    cu_parse_col(ctx, a, db, table, "uin", false),
		    cu_parse_col(ctx, a, db, table, "time", true),
		    cu_parse_col(ctx, a, db, table, "type", true),
		    cu_parse_col(ctx, a, db, table, "content", true),
		    cu_parse_col(ctx, a, db, table, "picUrl", false),
		    cu_parse_col(ctx, a, db, table, "flag", true), qt);
	if (rc != CU_OK || (rc = cu_parse_prepare(a, db, sql.data, &st, err)) != CU_OK)
		goto out;
	cu_rows_init(&guard, a, 0);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		struct cu_message m;
		const char *who = cu_sqlite_text(st, 1), *att = cu_sqlite_text(st, 6);
		int64_t flag = cu_sqlite_i64(st, 7), type = cu_sqlite_i64(st, 3);
		char raw[24];
		bool out_dir;
		if (troop)
			out_dir = who && own && strcmp(who, own) == 0;
		else
			out_dir = flag == 0;
		memset(&m, 0, sizeof(m));
		m.app = APP;
		m.conversation_id = conv;
		m.direction = out_dir ? "outgoing" : "incoming";
		if (out_dir)
			m.sender = own;
		else
			m.sender = troop ? who : peer;
		m.sender_name = troop && !out_dir ? cu_sqlite_text(st, 5) : NULL;
		/* time is REAL seconds: keep the milliseconds */
		m.sent_ms = sqlite3_column_type(st, 2) == SQLITE_NULL
				? CU_UNKNOWN
				: cu_parse_ms_from_unix_s_real(sqlite3_column_double(st, 2));
		m.kind = type == 0 ? "text" : "other";
		snprintf(raw, sizeof(raw), "%lld", (long long)type);
		m.raw_type = type == CU_UNKNOWN ? NULL : raw;
		m.body = cu_sqlite_text(st, 4);
		m.attachment = att && *att ? att : NULL;
		m.prov = cu_prov_row(a, table, sqlite3_column_int64(st, 0));
		if ((rc = cu_sink_message(ctx, &m, NULL, err)) != CU_OK)
			goto out;
	}
	if (s != SQLITE_DONE)
		rc = cu_rows_error(a, db, s, NULL, err);
out:
	sqlite3_finalize(st);
	cu_buf_release(&sql);
	sqlite3_free(qt);
	return rc;
}

static enum cu_status parse_qq_ios(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char **tables = NULL, *own = NULL;
	size_t nt = 0;
	enum cu_status rc;
	struct cu_error first;
	struct cu_rows guard;
	int s;

	cu_error_clear(&first);
	if ((rc = cu_parse_open_db(ctx, a, &db, err)) != CU_OK)
		goto out;
	own = own_from_path(a->device_path);
	if (own) {
		struct cu_account acc = {APP, own, NULL, a->source_id};
		if ((rc = cu_sink_account(ctx, &acc, err)) != CU_OK)
			goto out;
	}
	rc = cu_parse_prepare(a, db,
			      "SELECT name FROM sqlite_master WHERE type = 'table' AND "
			      "(name LIKE 'tb\\_c2cMsg\\_%' ESCAPE '\\' OR "
			      "name LIKE 'tb\\_TroopMsg\\_%' ESCAPE '\\') ORDER BY name",
			      &st, err);
	if (rc != CU_OK)
		goto out;
	cu_rows_init(&guard, a, -1);
	while ((s = cu_rows_step(st, &guard)) == SQLITE_ROW) {
		char **t2 = cu_reallocarray(tables, nt + 1, sizeof(*tables));
		if (t2 == NULL || (t2[nt] = cu_strdup(cu_sqlite_text(st, 0))) == NULL) {
			if (t2)
				tables = t2;
			rc = cu_error_set(err, CU_E_NOMEM, "out of memory listing tables");
			goto out;
		}
		tables = t2;
		nt++;
	}
	if (s != SQLITE_DONE) {
		rc = cu_rows_error(a, db, s, NULL, err);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < nt; i++) {
		bool troop = cu_str_has_prefix(tables[i], "tb_TroopMsg_");
		char what[300];
		snprintf(what, sizeof(what), "table '%.250s'", tables[i]);
		rc = cu_parse_section(parse_table(ctx, a, db, tables[i], troop, own, err), what,
				      err, &first);
		if (rc != CU_OK)
			goto out;
	}
	rc = cu_parse_finish(&first, err);
out:
	sqlite3_finalize(st);
	if (db)
		sqlite3_close(db);
	for (size_t i = 0; i < nt; i++)
		free(tables[i]);
	free(tables);
	free(own);
	return rc;
}

static const char *const qq_ios_patterns[] = {"*/Documents/contents/*/QQ.db", NULL};

const struct cu_parser cu_parser_qq_ios = {
    "qq-ios", APP, CU_PLATFORM_IOS, qq_ios_patterns, probe_qq_ios, parse_qq_ios,
};
