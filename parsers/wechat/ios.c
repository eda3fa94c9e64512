/*
 * ios.c - WeChat iOS (com.tencent.xin), APPS.md 2: Documents/<md5(wxid)>/DB/
 * MM.sqlite and message_<n>.sqlite with one Chat_<md5(username)> table per
 * conversation (CreateTime Unix s, Des 0 = sent by the owner, Type codes as
 * on Android, Message payload with the "<wxid>:\n" group prefix on received
 * group messages); contacts in WCDB_Contact.sqlite (older builds: MM.sqlite)
 * table Friend with the protobuf dbContactRemark (1 nickname, 2 alias,
 * 3 remark); session/session.db SessionAbstract.UsrName names further
 * conversations. Plain SQLite, not encrypted.
 *
 * Conversation identifiers are recovered by hashing every known username
 * (md5(username) == table suffix); unresolved tables keep "Chat_<md5>".
 * Attachments are reported relative to Documents/<userhash>/:
 * Img/<md5>/<MesLocalID>.pic, Audio/<md5>/<MesLocalID>.aud,
 * Video/<md5>/<MesLocalID>.mp4. No fixture from the fixtures helper yet;
 * tests/data/wechat/ios_*.sql.
 */
#include "parsers/wechat/wechat_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const wechat_ios_patterns[] = {
    "*com.tencent.xin*/Documents/*/DB/MM.sqlite",
    "*com.tencent.xin*/Documents/*/DB/message_*.sqlite",
    NULL,
};

struct person {
	char md5[33];
	char *user, *display, *nick, *alias, *remark;
	bool emitted; /* already sunk as a contact */
};

struct ios_wx {
	struct wx w; /* first: the display callback casts back */
	struct person *p;
	size_t np, cap;
	bool sorted;
	char userhash[33];
	/* RevokeMsgTable: server id -> content (APPS.md 2.2) */
	int64_t *rev_id;
	char **rev_text;
	size_t nrev;
};

static int cmp_person(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->md5, ((const struct person *)b)->md5);
}

static struct person *person_by_md5(struct ios_wx *iw, const char *md5)
{
	struct person key;

	if (iw->np == 0)
		return NULL;
	if (!iw->sorted) {
		qsort(iw->p, iw->np, sizeof(*iw->p), cmp_person);
		iw->sorted = true;
	}
	memcpy(key.md5, md5, 33);
	return bsearch(&key, iw->p, iw->np, sizeof(*iw->p), cmp_person);
}

static struct person *person_by_user(struct ios_wx *iw, const char *user)
{
	char m[33];

	wx_md5_hex(user, strlen(user), m);
	return person_by_md5(iw, m);
}

static char *ios_display(struct wx *w, const char *username)
{
	struct person *pp = person_by_user((struct ios_wx *)w, username);

	return pp != NULL && pp->display != NULL ? cu_strdup(pp->display) : NULL;
}

static void people_release(struct ios_wx *iw)
{
	size_t i;

	for (i = 0; i < iw->np; i++) {
		free(iw->p[i].user);
		free(iw->p[i].display);
		free(iw->p[i].nick);
		free(iw->p[i].alias);
		free(iw->p[i].remark);
	}
	free(iw->p);
	iw->p = NULL;
	iw->np = iw->cap = 0;
}

static char *pb_str(const void *blob, int n, uint32_t field)
{
	const unsigned char *v;
	size_t len;

	if (blob == NULL || n <= 0 || !cu_protobuf_find_bytes(blob, (size_t)n, field, &v, &len) ||
	    len == 0)
		return NULL;
	return cu_strndup((const char *)v, len);
}

/* Adds (or completes) a person; takes ownership of the strings. */
static enum cu_status add_person(struct ios_wx *iw, const char *user, char *nick, char *alias,
				 char *remark, struct cu_error *err)
{
	struct person *pp = person_by_user(iw, user);

	if (pp != NULL) {
		if (pp->nick == NULL)
			pp->nick = nick, nick = NULL;
		if (pp->alias == NULL)
			pp->alias = alias, alias = NULL;
		if (pp->remark == NULL)
			pp->remark = remark, remark = NULL;
	} else {
		if (iw->np == iw->cap) {
			size_t cap = iw->cap ? iw->cap * 2 : 64;
			struct person *np = cu_reallocarray(iw->p, cap, sizeof(*np));
			if (np == NULL) {
				free(nick);
				free(alias);
				free(remark);
				return cu_error_set(err, CU_E_NOMEM, "out of memory");
			}
			iw->p = np;
			iw->cap = cap;
		}
		pp = &iw->p[iw->np];
		memset(pp, 0, sizeof(*pp));
		wx_md5_hex(user, strlen(user), pp->md5);
		pp->user = cu_strdup(user);
		if (pp->user == NULL)
			return cu_error_set(err, CU_E_NOMEM, "out of memory");
		pp->nick = nick;
		pp->alias = alias;
		pp->remark = remark;
		nick = alias = remark = NULL;
		iw->np++;
		iw->sorted = false;
	}
	free(pp->display);
	pp->display = cu_strdup(pp->remark ? pp->remark : pp->nick ? pp->nick : "");
	if (pp->display != NULL && pp->display[0] == '\0') {
		free(pp->display);
		pp->display = NULL;
	}
	free(nick);
	free(alias);
	free(remark);
	return CU_OK;
}

/* RevokeMsgTable (MM.sqlite): MSG_REVOKE_COL_SVRID is the recalled
 * message's server id (the notice's <newmsgid>); the content column holds
 * its text [unconfirmed: meaning inferred from the column name]. */
static enum cu_status load_revokes(struct ios_wx *iw, sqlite3 *db, const struct cu_artifact *a,
				   struct cu_error *err)
{
	sqlite3_stmt *q = NULL;
	enum cu_status st = CU_OK;
	struct cu_rows rows;
	int rc = SQLITE_DONE;

	if (!cu_sqlite_has_table(db, "RevokeMsgTable") ||
	    sqlite3_prepare_v2(
		db,
		"SELECT MSG_REVOKE_COL_SVRID, MSG_REVOKE_COL_CONTENT FROM RevokeMsgTable"
		" WHERE MSG_REVOKE_COL_CONTENT IS NOT NULL ORDER BY rowid",
		-1, &q, NULL) != SQLITE_OK)
		return CU_OK;
	cu_rows_init(&rows, a, -1);
	while (st == CU_OK && (rc = cu_rows_step(q, &rows)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 1);
		int64_t *ni;
		char **nt;

		if (sqlite3_column_type(q, 0) != SQLITE_INTEGER || t == NULL || t[0] == '\0')
			continue;
		ni = cu_reallocarray(iw->rev_id, iw->nrev + 1, sizeof(*ni));
		if (ni != NULL)
			iw->rev_id = ni;
		nt = ni != NULL ? cu_reallocarray(iw->rev_text, iw->nrev + 1, sizeof(*nt)) : NULL;
		if (nt != NULL)
			iw->rev_text = nt;
		if (ni == NULL || nt == NULL || (nt[iw->nrev] = cu_strdup(t)) == NULL) {
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			break;
		}
		ni[iw->nrev] = sqlite3_column_int64(q, 0);
		iw->nrev++;
	}
	sqlite3_finalize(q);
	if (st == CU_OK && rc == CU_ROWS_DAMAGED)
		st = cu_rows_damaged(a, err);
	return st;
}

static char *ios_revoked_text(struct wx *w, int64_t svrid)
{
	struct ios_wx *iw = (struct ios_wx *)w;
	size_t i;

	for (i = 0; i < iw->nrev; i++)
		if (iw->rev_id[i] == svrid)
			return cu_strdup(iw->rev_text[i]);
	return NULL;
}

/* Friend rows of one database; contacts sunk when `emit`. */
static enum cu_status load_friends(struct ios_wx *iw, sqlite3 *db, const struct cu_artifact *a,
				   bool emit, struct cu_error *err)
{
	static const char *const tables[] = {"Friend", "OpenIMContact"};
	enum cu_status st = CU_OK;
	size_t t;

	for (t = 0; t < 2 && st == CU_OK; t++) {
		sqlite3_stmt *q = NULL;
		char sql[160];
		struct cu_rows rows;
		int rc = SQLITE_DONE;

		if (!cu_sqlite_has_table(db, tables[t]) ||
		    !cu_sqlite_has_column(db, tables[t], "userName"))
			continue;
		snprintf(sql, sizeof(sql), "SELECT rowid, userName, %s FROM %s ORDER BY rowid",
			 cu_sqlite_col_or_null(db, tables[t], "dbContactRemark"), tables[t]);
		if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
			continue;
		cu_rows_init(&rows, a, 0);
		while (st == CU_OK && (rc = cu_rows_step(q, &rows)) == SQLITE_ROW) {
			const char *user = (const char *)sqlite3_column_text(q, 1);
			const void *blob = sqlite3_column_blob(q, 2);
			int n = sqlite3_column_bytes(q, 2);
			struct person *pp;

			if (user == NULL || user[0] == '\0')
				continue;
			if (blob != NULL && n > 0 && !cu_protobuf_valid(blob, (size_t)n))
				cu_parse_warn(
				    iw->w.ctx, a,
				    "%s rowid %lld: dbContactRemark is not valid protobuf",
				    tables[t], (long long)sqlite3_column_int64(q, 0));
			st = add_person(iw, user, pb_str(blob, n, 1), pb_str(blob, n, 2),
					pb_str(blob, n, 3), err);
			if (st != CU_OK || !emit || wx_is_group(user))
				continue;
			pp = person_by_user(iw, user);
			if (pp != NULL && !pp->emitted) {
				struct cu_contact c;
				char *nick = pb_str(blob, n, 1), *alias = pb_str(blob, n, 2),
				     *remark = pb_str(blob, n, 3);

				memset(&c, 0, sizeof(c));
				c.app = WX_APP;
				c.identifier = user;
				c.display_name = remark ? remark : nick;
				c.alias = alias;
				c.remark = remark;
				c.prov = cu_prov_row(a, tables[t], sqlite3_column_int64(q, 0));
				st = cu_sink_contact(iw->w.ctx, &c, err);
				pp->emitted = true;
				free(nick);
				free(alias);
				free(remark);
			}
		}
		sqlite3_finalize(q);
		if (st == CU_OK && rc == CU_ROWS_DAMAGED)
			st = cu_rows_damaged(a, err);
	}
	return st;
}

struct find_arg {
	struct ios_wx *iw;
	bool emit;
	bool session;
};

static enum cu_status found_db(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
			       struct cu_error *err)
{
	struct find_arg *fa = arg;
	sqlite3 *db = NULL;
	struct cu_error e;
	enum cu_status st = CU_OK;

	(void)err;
	if (cu_parse_open_db(ctx, a, &db, &e) != CU_OK) {
		cu_parse_warn(ctx, fa->iw->w.a, "cannot open '%s': %s", a->device_path, e.msg);
		return CU_OK;
	}
	if (fa->session) {
		sqlite3_stmt *q = NULL;
		struct cu_rows rows;
		int rc = SQLITE_DONE;

		cu_rows_init(&rows, a, -1);
		if (sqlite3_prepare_v2(db, "SELECT UsrName FROM SessionAbstract", -1, &q, NULL) ==
		    SQLITE_OK)
			while (st == CU_OK && (rc = cu_rows_step(q, &rows)) == SQLITE_ROW) {
				const char *u = (const char *)sqlite3_column_text(q, 0);
				if (u != NULL && u[0] != '\0')
					st = add_person(fa->iw, u, NULL, NULL, NULL, &e);
			}
		sqlite3_finalize(q);
		if (st == CU_OK && rc == CU_ROWS_DAMAGED)
			st = cu_rows_damaged(a, &e);
	} else {
		st = load_friends(fa->iw, db, a, fa->emit, &e);
		if (st == CU_OK)
			st = load_revokes(fa->iw, db, a, &e);
	}
	if (st != CU_OK)
		cu_parse_warn(ctx, fa->iw->w.a, "reading '%s': %s", a->device_path, e.msg);
	sqlite3_close(db);
	return CU_OK;
}

/* Documents/MMappedKV/mmsetting.archive.<wxid>: the owner's wxid is in the
 * file name (APPS.md 2.1); it is ours when md5(wxid) is the userhash. */
static enum cu_status found_mmkv(struct cu_parse_ctx *ctx, const struct cu_artifact *a, void *arg,
				 struct cu_error *err)
{
	struct ios_wx *iw = arg;
	const char *p = strstr(a->device_path, "mmsetting.archive.");
	char m[33];

	(void)ctx;
	(void)err;
	if (p == NULL || iw->w.own_wxid != NULL)
		return CU_OK;
	p += strlen("mmsetting.archive.");
	if (*p == '\0' || strchr(p, '/') != NULL)
		return CU_OK;
	wx_md5_hex(p, strlen(p), m);
	if (strcmp(m, iw->userhash) == 0)
		iw->w.own_wxid = cu_strdup(p);
	return CU_OK;
}

static void find_related(struct ios_wx *iw, const char *device_path, bool emit)
{
	/* device_path = ".../Documents/<userhash>/DB/<file>" */
	const char *db_dir = strrchr(device_path, '/');
	struct cu_buf pat = CU_BUF_INIT;
	struct cu_error e;
	struct find_arg fa = {iw, emit, false};
	size_t dl, ul;

	if (db_dir == NULL)
		return;
	dl = (size_t)(db_dir - device_path) + 1; /* ".../DB/" */
	ul = dl >= 3 ? dl - 3 : 0;               /* ".../<userhash>/" */
	cu_error_clear(&e);
	if (wx_exact_pattern(device_path, dl, "WCDB_Contact.sqlite", &pat, &e) == CU_OK)
		cu_parse_find_optional(iw->w.ctx, iw->w.a, pat.data, found_db, &fa);
	if (!emit && wx_exact_pattern(device_path, dl, "MM.sqlite", &pat, &e) == CU_OK)
		cu_parse_find_optional(iw->w.ctx, iw->w.a, pat.data, found_db,
				       &fa); /* names only */
	fa.session = true;
	if (ul > 0 && wx_exact_pattern(device_path, ul, "session/session.db", &pat, &e) == CU_OK)
		cu_parse_find_optional(iw->w.ctx, iw->w.a, pat.data, found_db, &fa);
	/* ".../Documents/" is the userhash directory's parent */
	if (ul > 34 && iw->userhash[0] != '\0' &&
	    wx_exact_pattern(device_path, ul - 33, "MMappedKV/mmsetting.archive.*", &pat, &e) ==
		CU_OK)
		cu_parse_find_optional(iw->w.ctx, iw->w.a, pat.data, found_mmkv, iw);
	cu_buf_release(&pat);
}

static int wechat_ios_probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct cu_error e;
	int conf = 0;

	if (cu_parse_open_db(ctx, a, &db, &e) != CU_OK)
		return 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
			       " (name GLOB 'Chat_[0-9a-f]*' OR name = 'Friend') LIMIT 1",
			       -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		conf = 90;
	sqlite3_finalize(q);
	sqlite3_close(db);
	return conf;
}

static bool is_chat_table(const char *name)
{
	size_t i;

	if (name == NULL || strlen(name) != 5 + 32 || !cu_str_has_prefix(name, "Chat_"))
		return false;
	for (i = 5; i < 37; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

/* Chat_<md5(peer)> (APPS.md 2.2): Type and Message are required. */
enum { C_TYPE, C_MESSAGE, C_SVRID, C_TIME, C_DES };
static const struct cu_column_spec chat_columns[] = {
    /* an integer code; other values are kept as text */
    [C_TYPE] = {"Type", CU_AFFINITY_INTEGER, CU_DECODE_TEXT, CU_FIELD_NONE},
    [C_MESSAGE] = {"Message", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [C_SVRID] = {"MesSvrID", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    /* Unix s */
    [C_TIME] = {"CreateTime", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
    /* 0 = sent by the owner (WechatExporter) */
    [C_DES] = {"Des", CU_AFFINITY_INTEGER, CU_DECODE_RAW, CU_FIELD_NONE},
};

/* One chat table: the run, its peer and the hash naming its media. */
struct chat_table {
	struct ios_wx *iw;
	const char *talker, *hash;
};

/* One row through the WeChat message pipeline (wx_emit sinks). */
static enum cu_status chat_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_table_spec *spec, const struct cu_spec_row *row,
			       struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	const struct chat_table *t = arg;
	const struct cu_spec_value *v = row->v;
	struct wx_row r;
	char att[128];

	(void)ctx, (void)a, (void)spec, (void)out;
	memset(&r, 0, sizeof(r));
	r.rowid = row->rowid;
	r.prov = row->prov.rec ? &row->prov : NULL; /* recovered: its own provenance */
	r.type = v[C_TYPE].i;
	if (v[C_TYPE].type != SQLITE_INTEGER) {
		r.type = INT64_MIN;
		r.type_text = v[C_TYPE].text;
	}
	r.content = v[C_MESSAGE].text;
	r.content_len = v[C_MESSAGE].text ? v[C_MESSAGE].n : 0;
	r.svrid = v[C_SVRID].type == SQLITE_INTEGER ? v[C_SVRID].i : CU_UNKNOWN;
	r.time_ms =
	    cu_parse_ms_from_unix_s(v[C_TIME].type == SQLITE_INTEGER ? v[C_TIME].i : CU_UNKNOWN);
	r.is_send = v[C_DES].type == SQLITE_INTEGER && v[C_DES].i == 0;
	r.talker = t->talker;
	att[0] = '\0';
	if (r.type == 3)
		snprintf(att, sizeof(att), "Img/%s/%lld.pic", t->hash, (long long)r.rowid);
	else if (r.type == 34)
		snprintf(att, sizeof(att), "Audio/%s/%lld.aud", t->hash, (long long)r.rowid);
	else if (r.type == 43 || r.type == 62)
		snprintf(att, sizeof(att), "Video/%s/%lld.mp4", t->hash, (long long)r.rowid);
	r.attachment = att[0] ? att : NULL;
	return wx_emit(&t->iw->w, &r, err);
}

/* The table is per peer: each run copies the spec and names its table. */
static const struct cu_table_spec chat_spec = {
    .key = "rowid",
    .columns = chat_columns,
    .ncolumns = sizeof(chat_columns) / sizeof(chat_columns[0]),
    .app = WX_APP,
    .sink = CU_SPEC_SINK_NONE,
    .row = chat_row,
};

static enum cu_status parse_chat_table(struct ios_wx *iw, const char *table, struct cu_error *err)
{
	struct wx *w = &iw->w;
	const char *hash = table + 5;
	struct person *pp = person_by_md5(iw, hash);
	const char *talker = pp != NULL ? pp->user : table;
	struct chat_table t = {iw, talker, hash};
	struct cu_table_spec spec;
	char *sql = NULL;
	enum cu_status st = CU_OK;

	if (!cu_sqlite_has_column(w->db, table, "Message") ||
	    !cu_sqlite_has_column(w->db, table, "Type")) {
		cu_parse_warn(w->ctx, w->a, "table '%s' lacks Message/Type columns: skipped",
			      table);
		return CU_OK;
	}
	sqlite3_finalize(w->q_orig);
	w->q_orig = NULL;
	sql = sqlite3_mprintf("SELECT Type, Message, CASE WHEN Des = 0 THEN 1 ELSE 0 END, %Q"
			      " FROM \"%w\" WHERE MesSvrID = ?1 AND rowid <> ?2 LIMIT 1",
			      talker, table);
	if (sql != NULL && cu_sqlite_has_column(w->db, table, "MesSvrID") &&
	    cu_sqlite_has_column(w->db, table, "Des"))
		sqlite3_prepare_v2(w->db, sql, -1, &w->q_orig, NULL);
	sqlite3_free(sql);
	sql = sqlite3_mprintf("SELECT Message FROM \"%w\" WHERE Type = 10002", table);
	if (sql == NULL)
		return cu_error_set(err, CU_E_NOMEM, "out of memory");
	st = wx_collect_recalls(w, sql, err);
	sqlite3_free(sql);
	if (st != CU_OK)
		return st;
	w->table = table;
	spec = chat_spec;
	spec.table = table;
	return cu_spec_run(w->ctx, w->a, w->db, &spec, &t, err);
}

static enum cu_status wechat_ios_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       struct cu_error *err)
{
	struct ios_wx iw;
	struct wx *w = &iw.w;
	sqlite3_stmt *q = NULL;
	enum cu_status st;
	char **tables = NULL;
	size_t nt = 0, i;
	const char *base = strrchr(a->device_path, '/');
	bool is_mm = base != NULL && strcmp(base + 1, "MM.sqlite") == 0;
	const char *dbdir;
	struct cu_rows rows;
	int rc;

	memset(&iw, 0, sizeof(iw));
	w->ctx = ctx;
	w->a = a;
	w->display = ios_display;
	w->revoked_text = ios_revoked_text;
	/* <userhash> = md5(own wxid): the component before "/DB/" */
	dbdir = base != NULL && base - a->device_path >= 36 ? base - 3 : NULL;
	if (dbdir != NULL && strncmp(dbdir, "/DB", 3) == 0 && dbdir - a->device_path >= 33 &&
	    dbdir[-33] == '/') {
		memcpy(iw.userhash, dbdir - 32, 32);
		iw.userhash[32] = '\0';
	}
	st = cu_parse_open_db(ctx, a, &w->db, err);
	if (st != CU_OK)
		return st;
	/* WCDB_Contact.sqlite first; MM.sqlite's own Friend (older builds)
	 * adds only those not seen there */
	find_related(&iw, a->device_path, is_mm);
	st = load_friends(&iw, w->db, a, is_mm, err);
	if (st == CU_OK)
		st = load_revokes(&iw, w->db, a, err);
	if (st != CU_OK)
		goto out;
	if (iw.userhash[0] != '\0') {
		struct person *me = person_by_md5(&iw, iw.userhash);
		if (me != NULL && w->own_wxid == NULL)
			w->own_wxid = cu_strdup(me->user);
		if (me != NULL && me->nick != NULL)
			w->own_name = cu_strdup(me->nick);
		if (w->own_wxid != NULL && me == NULL) {
			/* known from MMappedKV only: resolve its own Chat_ table too */
			st = add_person(&iw, w->own_wxid, NULL, NULL, NULL, err);
			if (st != CU_OK)
				goto out;
		}
	}
	if (is_mm && w->own_wxid != NULL) {
		struct cu_account acc;
		memset(&acc, 0, sizeof(acc));
		acc.app = WX_APP;
		acc.identifier = w->own_wxid;
		acc.display_name = w->own_name;
		acc.source_id = a->source_id;
		st = cu_sink_account(ctx, &acc, err);
		if (st != CU_OK)
			goto out;
	}
	if (sqlite3_prepare_v2(w->db,
			       "SELECT name FROM sqlite_master WHERE type = 'table' AND"
			       " name GLOB 'Chat_*' ORDER BY name",
			       -1, &q, NULL) != SQLITE_OK) {
		st = cu_error_set(err, CU_E_FORMAT, "'%s': cannot list tables: %s", a->device_path,
				  sqlite3_errmsg(w->db));
		goto out;
	}
	cu_rows_init(&rows, a, -1);
	while ((rc = cu_rows_step(q, &rows)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(q, 0);
		char **nt2;
		if (!is_chat_table(n))
			continue;
		nt2 = cu_reallocarray(tables, nt + 1, sizeof(*tables));
		if (nt2 == NULL || (nt2[nt] = cu_strdup(n)) == NULL) {
			tables = nt2 ? nt2 : tables;
			st = cu_error_set(err, CU_E_NOMEM, "out of memory");
			goto out;
		}
		tables = nt2;
		nt++;
	}
	if (rc == CU_ROWS_DAMAGED) {
		st = cu_rows_damaged(a, err);
		goto out;
	}
	for (i = 0; i < nt && st == CU_OK; i++)
		st = parse_chat_table(&iw, tables[i], err);
	if (st == CU_OK && w->xml_errors > 0)
		cu_parse_warn(ctx, a, "%llu message payloads were not well-formed xml (kept raw)",
			      (unsigned long long)w->xml_errors);
out:
	for (i = 0; i < nt; i++)
		free(tables[i]);
	free(tables);
	sqlite3_finalize(q);
	w->table = NULL;
	wx_release(w);
	people_release(&iw);
	for (i = 0; i < iw.nrev; i++)
		free(iw.rev_text[i]);
	free(iw.rev_text);
	free(iw.rev_id);
	sqlite3_close(w->db);
	return st;
}

const struct cu_parser cu_parser_wechat_ios = {
    .name = "wechat-ios",
    .app = WX_APP,
    .platforms = CU_PLATFORM_IOS,
    .patterns = wechat_ios_patterns,
    .probe = wechat_ios_probe,
    .parse = wechat_ios_parse,
};
