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

/* tb_c2cMsg_<peer> (APPS.md 3.3): one-to-one messages. */
enum { C2C_UIN, C2C_TIME, C2C_TYPE, C2C_CONTENT, C2C_PICURL, C2C_FLAG };
static const struct cu_column_spec c2c_columns[] = {
    [C2C_UIN] = {"uin", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [C2C_TIME] = {"time", CU_AFFINITY_REAL, CU_DECODE_UNIX_S_REAL, CU_FIELD_MESSAGE_SENT, true},
    [C2C_TYPE] = {"type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [C2C_CONTENT] = {"content", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_MESSAGE_BODY, true},
    [C2C_PICURL] = {"picUrl", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_MESSAGE_ATTACHMENT, false},
    /* 0 = sent by the owner */
    [C2C_FLAG] = {"flag", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
};

/* tb_TroopMsg_<group>: group messages. */
enum { TROOP_SENDUIN, TROOP_MSGTIME, TROOP_TYPE, TROOP_STRMSG, TROOP_NICKNAME, TROOP_PICURL };
static const struct cu_column_spec troop_columns[] = {
    [TROOP_SENDUIN] = {"senduin", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, true},
    [TROOP_MSGTIME] = {"msgtime", CU_AFFINITY_REAL, CU_DECODE_UNIX_S_REAL, CU_FIELD_MESSAGE_SENT,
		       true},
    [TROOP_TYPE] = {"sMsgtype", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, true},
    [TROOP_STRMSG] = {"strmsg", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_MESSAGE_BODY, true},
    [TROOP_NICKNAME] = {"nickname", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE, false},
    [TROOP_PICURL] = {"picurl", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_MESSAGE_ATTACHMENT,
		      false},
};

/* One message table: its peer (from the name), the conversation, and
 * the account's own QQ number. */
struct qq_table {
	const char *peer, *own;
	int64_t conv;
};

static void message_kind(struct cu_spec_out *out, int64_t type)
{
	out->message.kind = type == 0 ? "text" : "other";
	snprintf(out->raw_type, sizeof(out->raw_type), "%lld", (long long)type);
	out->message.raw_type = type == CU_UNKNOWN ? NULL : out->raw_type;
}

static enum cu_status c2c_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			      const struct cu_table_spec *spec, const struct cu_spec_row *row,
			      struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	const struct qq_table *t = arg;
	struct cu_message *m = &out->message;
	bool out_dir = row->v[C2C_FLAG].value == 0;

	(void)ctx, (void)a, (void)spec, (void)err;
	m->conversation_id = t->conv;
	m->direction = out_dir ? "outgoing" : "incoming";
	m->sender = out_dir ? t->own : t->peer;
	message_kind(out, row->v[C2C_TYPE].value);
	return CU_OK;
}

static enum cu_status troop_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				const struct cu_table_spec *spec, const struct cu_spec_row *row,
				struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	const struct qq_table *t = arg;
	struct cu_message *m = &out->message;
	const char *who = row->v[TROOP_SENDUIN].text;
	bool out_dir = who && t->own && strcmp(who, t->own) == 0;

	(void)ctx, (void)a, (void)spec, (void)err;
	m->conversation_id = t->conv;
	m->direction = out_dir ? "outgoing" : "incoming";
	m->sender = out_dir ? t->own : who;
	m->sender_name = out_dir ? NULL : row->v[TROOP_NICKNAME].text;
	message_kind(out, row->v[TROOP_TYPE].value);
	return CU_OK;
}

/* The table is per peer: each run copies a spec and names its table. */
static const struct cu_table_spec c2c_spec = {
    .key = "rowid",
    .columns = c2c_columns,
    .ncolumns = sizeof(c2c_columns) / sizeof(c2c_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = c2c_row,
};
static const struct cu_table_spec troop_spec = {
    .key = "rowid",
    .columns = troop_columns,
    .ncolumns = sizeof(troop_columns) / sizeof(troop_columns[0]),
    .app = APP,
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = troop_row,
};

static enum cu_status parse_table(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  sqlite3 *db, const char *table, bool troop, const char *own,
				  struct cu_error *err)
{
	struct cu_table_spec spec = troop ? troop_spec : c2c_spec;
	struct qq_table t = {table + (troop ? strlen("tb_TroopMsg_") : strlen("tb_c2cMsg_")), own,
			     CU_UNKNOWN};
	enum cu_status rc;

	rc = cu_parse_conversation(ctx, APP, t.peer, NULL, troop ? 1 : 0, a->source_id, &t.conv,
				   err);
	if (rc != CU_OK)
		return rc;
	spec.table = table;
	return cu_spec_run(ctx, a, db, &spec, &t, err);
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
