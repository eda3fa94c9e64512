/*
 * mmssms_android.c - Android telephony provider mmssms.db -> messages
 * (app "sms"), conversations per thread, and bank SMS -> payments.
 *
 * Covers the AOSP schema of Android 4.x-14 (APPS.md 7.2): sms(_id,
 * thread_id, address, date ms, type 1 inbox / 2 sent / 3 draft / 4 outbox /
 * 5 failed / 6 queued, body, read, status), threads.recipient_ids ->
 * canonical_addresses, MMS pdu (date in seconds, msg_box 1 in / 2 sent) +
 * addr (type 137 FROM, 151 TO) + part (text/plain text; smil skipped; other
 * parts are attachments named by _data). OEM extra columns are ignored;
 * Xiaomi's sms.deleted = 1 is kept and marked status "deleted".
 * Fixtures: fixtures/apps/sms-android (mmssms.sql + expected.json),
 * shared/samples/android-sms/plaso_emulator/mmssms.db (9 sms, 2013).
 */
#include "parsers/system/system.h"

#include <string.h>

struct thread {
	int64_t id;
	char *identifier;
	int is_group;
	int64_t conv; /* 0 until the first message */
};

struct threads {
	struct thread *v;
	size_t n;
};

static void threads_release(struct threads *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].identifier);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* threads.recipient_ids ("1 5") resolved through canonical_addresses. */
static enum cu_status load_threads(const struct cu_artifact *a, sqlite3 *db, struct threads *t,
				   struct cu_error *err)
{
	const char *what = a->device_path;
	struct cu_rows rows;
	sqlite3_stmt *st = NULL, *ca = NULL;
	struct cu_buf ident = CU_BUF_INIT;
	size_t cap = 0;
	enum cu_status rc = CU_OK;

	if (!cu_sqlite_has_table(db, "threads") || !cu_sqlite_has_table(db, "canonical_addresses"))
		return CU_OK;
	rc = cu_sqlite_prepare(db, "SELECT _id, recipient_ids FROM threads ORDER BY _id", &st, what,
			       err);
	if (!rc)
		rc = cu_sqlite_prepare(db, "SELECT address FROM canonical_addresses WHERE _id = ?1",
				       &ca, what, err);
	if (rc)
		goto out;
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, st, &rows, "threads", &rc, err)) {
		const char *ids, *p;
		int count = 0;

		cu_buf_reset(&ident);
		ids = cu_sqlite_text(st, 1);
		for (p = ids; p && *p;) {
			int64_t id = 0;
			bool digits = false;

			while (*p == ' ')
				p++;
			while (*p >= '0' && *p <= '9' && id < INT64_MAX / 10) {
				id = id * 10 + (*p - '0');
				p++;
				digits = true;
			}
			if (!digits) {
				while (*p && *p != ' ')
					p++;
				continue;
			}
			sqlite3_bind_int64(ca, 1, id);
			if (sqlite3_step(ca) == SQLITE_ROW && cu_sqlite_text(ca, 0)) {
				rc = cu_parse_join_add(&ident, ",", cu_sqlite_text(ca, 0), err);
				count++;
			}
			sqlite3_reset(ca);
			if (rc)
				goto out;
		}
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct thread *v = cu_reallocarray(t->v, ncap, sizeof(*v));

			if (!v) {
				rc = cu_error_set(err, CU_E_NOMEM, "'%s': out of memory", what);
				goto out;
			}
			t->v = v;
			cap = ncap;
		}
		t->v[t->n].id = sqlite3_column_int64(st, 0);
		t->v[t->n].identifier = ident.len ? cu_strdup(ident.data) : NULL;
		t->v[t->n].is_group = count > 1;
		t->v[t->n].conv = 0;
		t->n++;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ca);
	cu_buf_release(&ident);
	return rc;
}

static struct thread *thread_find(struct threads *t, int64_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].id == id)
			return &t->v[mid];
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The conversation of a message: its thread's, else one per address. */
static enum cu_status conversation_for(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       struct threads *t, int64_t thread_id, const char *address,
				       int64_t *conv, struct cu_error *err)
{
	struct thread *th = t && thread_id != CU_UNKNOWN ? thread_find(t, thread_id) : NULL;
	struct cu_conversation c = {"sms", NULL, NULL, 0, a->source_id};
	enum cu_status rc;

	if (th && th->conv) {
		*conv = th->conv;
		return CU_OK;
	}
	c.identifier = th && th->identifier ? th->identifier : address;
	c.is_group = th ? th->is_group : 0;
	if (!c.identifier) {
		*conv = CU_UNKNOWN;
		return CU_OK;
	}
	rc = cu_sink_conversation(ctx, &c, conv, err);
	if (!rc && th)
		th->conv = *conv;
	return rc;
}

static const char *sms_status(int64_t type, int64_t read, int64_t deleted)
{
	if (deleted == 1)
		return "deleted";
	switch (type) {
	case 1: return read == 1 ? "read" : read == 0 ? "unread" : NULL;
	case 2: return "sent";
	case 3: return "draft";
	case 4: return "outbox";
	case 5: return "failed";
	case 6: return "queued";
	default: return NULL;
	}
}

static const char *sms_direction(int64_t type)
{
	if (type == 1)
		return "incoming";
	if (type >= 2 && type <= 6)
		return "outgoing";
	return NULL; /* OEM types (LG 7 blocked, 8 scheduled, 19 broadcast) */
}

/* The AOSP sms table (APPS.md 7.2) in the order of its schema. */
enum { SMS_THREAD, SMS_ADDRESS, SMS_DATE, SMS_TYPE, SMS_BODY, SMS_READ, SMS_DELETED };
static const struct cu_column_spec sms_columns[] = {
    [SMS_THREAD] = {"thread_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_ADDRESS] = {"address", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [SMS_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_MESSAGE_SENT},
    [SMS_TYPE] = {"type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_BODY] = {"body", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_MESSAGE_BODY},
    [SMS_READ] = {"read", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    /* Xiaomi */
    [SMS_DELETED] = {"deleted", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
};

/* What the sms rows share: the threads (arg NULL, as for a carved
 * record: the conversation is found by address alone). */
struct sms_run {
	struct threads *threads;
};

static enum cu_status sms_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			      const struct cu_table_spec *spec, const struct cu_spec_row *row,
			      struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct sms_run *r = arg;
	struct cu_message *m = &out->message;
	const char *address = row->v[SMS_ADDRESS].text;
	int64_t type = row->v[SMS_TYPE].value;

	(void)spec;
	m->direction = sms_direction(type);
	m->sender = type == 1 ? address : NULL;
	m->kind = "text";
	if (type != CU_UNKNOWN) {
		snprintf(out->raw_type, sizeof(out->raw_type), "%lld", (long long)type);
		m->raw_type = out->raw_type;
	}
	m->status = sms_status(type, row->v[SMS_READ].value, row->v[SMS_DELETED].value);
	return conversation_for(ctx, a, r ? r->threads : NULL, row->v[SMS_THREAD].value, address,
				&m->conversation_id, err);
}

/* A received bank notification also becomes a payment (APPS.md 8.3). */
static enum cu_status sms_sunk(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			       const struct cu_spec_row *row, const struct cu_spec_out *out,
			       int64_t id, void *arg, struct cu_error *err)
{
	const struct cu_message *m = &out->message;

	(void)a, (void)arg;
	if (row->v[SMS_TYPE].value != 1)
		return CU_OK;
	return cu_banksms_sink(ctx, row->v[SMS_ADDRESS].text, m->body, m->sent_ms, id, &m->prov,
			       err);
}

static const struct cu_table_spec sms_spec = {
    .table = "sms",
    .key = "_id",
    .columns = sms_columns,
    .ncolumns = sizeof(sms_columns) / sizeof(sms_columns[0]),
    .app = "sms",
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = sms_row,
    .sunk = sms_sunk,
};

static enum cu_status parse_sms(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
				struct threads *t, struct cu_error *err)
{
	struct sms_run r = {t};

	return cu_spec_run(ctx, a, db, &sms_spec, &r, err);
}

static const char *kind_for_ct(const char *ct)
{
	if (!ct)
		return "file";
	if (strncmp(ct, "image/", 6) == 0)
		return "image";
	if (strncmp(ct, "video/", 6) == 0)
		return "video";
	if (strncmp(ct, "audio/", 6) == 0)
		return "voice";
	if (strcmp(ct, "text/x-vCard") == 0 || strcmp(ct, "text/vcard") == 0)
		return "contact";
	return "file";
}

static enum cu_status parse_mms(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
				struct threads *t, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT, body = CU_BUF_INIT, att = CU_BUF_INIT;
	sqlite3_stmt *st = NULL, *parts = NULL;
	bool has_addr = cu_sqlite_has_table(db, "addr"), has_part = cu_sqlite_has_table(db, "part");
	const char *what = a->device_path;
	struct cu_rows rows;
	char raw[32];
	enum cu_status rc;

	rc = cu_buf_printf(
	    &sql, err, "SELECT p._id, %s, %s, %s, %s, %s, %s, %s FROM pdu p ORDER BY p._id",
	    cu_sqlite_col_or_null(db, "pdu", "thread_id"), cu_sqlite_col_or_null(db, "pdu", "date"),
	    cu_sqlite_col_or_null(db, "pdu", "msg_box"), cu_sqlite_col_or_null(db, "pdu", "read"),
	    cu_sqlite_col_or_null(db, "pdu", "sub"),
	    has_addr ? "(SELECT address FROM addr WHERE msg_id = p._id AND type = 137"
		       " ORDER BY _id LIMIT 1)"
		     : "NULL",
	    has_addr ? "(SELECT group_concat(address, ',') FROM (SELECT address FROM"
		       " addr WHERE msg_id = p._id AND type = 151 ORDER BY _id))"
		     : "NULL");
	if (!rc)
		rc = cu_sqlite_prepare(db, sql.data, &st, what, err);
	if (!rc && has_part)
		rc = cu_sqlite_prepare(db,
				       "SELECT ct, text, _data, name, cl FROM part WHERE mid = ?1"
				       " ORDER BY seq, _id",
				       &parts, what, err);
	if (rc)
		goto out;
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, st, &rows, "table pdu", &rc, err)) {
		struct cu_message m;
		int64_t box, date, conv = CU_UNKNOWN, id = 0, pid;
		const char *from, *to, *kind = "text", *addr;

		pid = sqlite3_column_int64(st, 0);
		box = cu_sqlite_i64(st, 3);
		date = cu_sqlite_i64(st, 2);
		from = cu_sqlite_text(st, 6);
		to = cu_sqlite_text(st, 7);
		cu_buf_reset(&body);
		cu_buf_reset(&att);
		if (parts) {
			struct cu_rows prows;
			int s;

			sqlite3_bind_int64(parts, 1, pid);
			cu_rows_init(&prows, a, -1);
			while ((s = cu_rows_step(parts, &prows)) == SQLITE_ROW) {
				const char *ct = cu_sqlite_text(parts, 0);
				const char *txt = cu_sqlite_text(parts, 1);
				const char *data = cu_sqlite_text(parts, 2);

				if (ct && strcmp(ct, "application/smil") == 0)
					continue;
				if (ct && strcmp(ct, "text/plain") == 0) {
					if (txt && body.len)
						rc = cu_buf_putc(&body, '\n', err);
					if (!rc && txt)
						rc = cu_buf_puts(&body, txt, err);
				} else {
					if (!strcmp(kind, "text"))
						kind = kind_for_ct(ct);
					if (!data)
						data = cu_sqlite_text(parts, 3);
					if (!data)
						data = cu_sqlite_text(parts, 4);
					rc = cu_parse_join_add(&att, "\n", data, err);
				}
				if (rc)
					break;
			}
			sqlite3_reset(parts);
			if (rc)
				goto out;
			if (s != SQLITE_DONE && s != SQLITE_ROW) {
				rc = cu_rows_error(a, db, s, "table part", err);
				goto out;
			}
		}
		/* "insert-address-token" is the provider's placeholder for self */
		if (from && strcmp(from, "insert-address-token") == 0)
			from = NULL;
		addr = box == 1 ? from : to;
		rc = conversation_for(ctx, a, t, cu_sqlite_i64(st, 1), addr, &conv, err);
		if (rc)
			goto out;
		memset(&m, 0, sizeof(m));
		m.app = "sms";
		m.conversation_id = conv;
		m.direction = box == 1 ? "incoming" : (box >= 2 && box <= 5) ? "outgoing" : NULL;
		m.sender = box == 1 ? from : NULL;
		/* pdu.date is Unix seconds (APPS.md 0) */
		m.sent_ms = cu_parse_ms_from_unix_s(date);
		m.kind = kind;
		m.body = body.len ? body.data : cu_sqlite_text(st, 5);
		m.attachment = att.len ? att.data : NULL;
		snprintf(raw, sizeof(raw), "mms/%lld", (long long)(box == CU_UNKNOWN ? -1 : box));
		m.raw_type = raw;
		m.status = box == 1 ? (cu_sqlite_i64(st, 4) == 1 ? "read" : "unread") : NULL;
		m.prov = cu_prov_row(a, "pdu", pid);
		rc = cu_sink_message(ctx, &m, &id, err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(parts);
	cu_buf_release(&sql);
	cu_buf_release(&body);
	cu_buf_release(&att);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "sms", 90);
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	struct threads t = {NULL, 0};
	enum cu_status rc;
	bool sms, pdu;

	rc = cu_parse_open_db(ctx, a, &db, err);
	if (rc)
		return rc;
	sms = cu_sqlite_has_table(db, "sms");
	pdu = cu_sqlite_has_table(db, "pdu");
	if (!sms && !pdu) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': neither table 'sms' nor 'pdu' present: not an Android "
				  "mmssms.db",
				  a->device_path);
		goto out;
	}
	rc = load_threads(a, db, &t, err);
	if (!rc && sms)
		rc = parse_sms(ctx, a, db, &t, err);
	if (!rc && pdu)
		rc = parse_mms(ctx, a, db, &t, err);
out:
	threads_release(&t);
	sqlite3_close(db);
	return rc;
}

static const char *const patterns[] = {
    "*/com.android.providers.telephony/databases/mmssms.db",
    NULL,
};

const struct cu_parser cu_parser_mmssms_android = {
    .name = "android-mmssms",
    .app = "sms",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
