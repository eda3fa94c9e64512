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
enum {
	SMS_THREAD,
	SMS_ADDRESS,
	SMS_DATE,
	SMS_DATE_SENT,
	SMS_TYPE,
	SMS_BODY,
	SMS_SERVICE_CENTER,
	SMS_SUB_ID,
	SMS_READ,
	SMS_DELETED,
	SMS_SIM_SLOT,
	SMS_PHONE_ID,
	SMS_SIM_ID
};
static const struct cu_column_spec sms_columns[] = {
    [SMS_THREAD] = {"thread_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_ADDRESS] = {"address", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    [SMS_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_MESSAGE_SENT},
    [SMS_DATE_SENT] = {"date_sent", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_NONE},
    [SMS_TYPE] = {"type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_BODY] = {"body", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_MESSAGE_BODY},
    [SMS_SERVICE_CENTER] = {"service_center", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [SMS_SUB_ID] = {"sub_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_READ] = {"read", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    /* Xiaomi */
    [SMS_DELETED] = {"deleted", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    /* Samsung: the 0-based SIM slot; other OEMs: phone_id, MediaTek sim_id */
    [SMS_SIM_SLOT] = {"sim_slot", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_PHONE_ID] = {"phone_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [SMS_SIM_ID] = {"sim_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
};

/* The SIM of a message: the slot when the phone keeps one (Samsung
 * sim_slot, phone_id), else the subscription (sub_id, MediaTek sim_id);
 * -1 (the AOSP default) and absent columns are unknown. */
static void sms_sim(const struct cu_spec_row *row, struct cu_message *m)
{
	static const int order[] = {SMS_SIM_SLOT, SMS_PHONE_ID, SMS_SUB_ID, SMS_SIM_ID};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int64_t v = row->v[order[i]].value;

		if (v != CU_UNKNOWN && v >= 0 && v < 1000) {
			m->has_sim_slot = true;
			m->sim_slot = v;
			return;
		}
	}
}

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
	/* date_sent: the sender's (SMSC) time of a received SMS; 0 = not kept */
	m->sent_device_ms = row->v[SMS_DATE_SENT].value;
	m->service_center = row->v[SMS_SERVICE_CENTER].text;
	sms_sim(row, m);
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

/* MMS pdu (APPS.md 7.2): one message each; addresses and parts come
 * from addr and part by lookup. */
enum { PDU_THREAD, PDU_DATE, PDU_BOX, PDU_READ, PDU_SUBJECT };
static const struct cu_column_spec pdu_columns[] = {
    [PDU_THREAD] = {"thread_id", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    /* pdu.date is Unix seconds (APPS.md 0) */
    [PDU_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_S, CU_FIELD_MESSAGE_SENT},
    /* 1 inbox, 2 sent, 3 drafts, 4 outbox, 5 failed */
    [PDU_BOX] = {"msg_box", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [PDU_READ] = {"read", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [PDU_SUBJECT] = {"sub", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
};

/* The threads, the addr and part lookups (NULL when the tables are
 * missing), and the texts of the message being sunk. */
struct pdu_run {
	struct threads *threads;
	sqlite3 *db;
	sqlite3_stmt *addr, *parts;
	struct cu_buf body, att, from, to;
};

/* The text parts into body, the others' file names into att; the kind
 * from the first non-text part. */
static enum cu_status pdu_parts(const struct cu_artifact *a, sqlite3 *db, struct pdu_run *r,
				int64_t pid, const char **kind, struct cu_error *err)
{
	struct cu_rows prows;
	enum cu_status rc = CU_OK;
	int s;

	sqlite3_bind_int64(r->parts, 1, pid);
	cu_rows_init(&prows, a, -1);
	while ((s = cu_rows_step(r->parts, &prows)) == SQLITE_ROW) {
		const char *ct = cu_sqlite_text(r->parts, 0);
		size_t txt_len;
		const char *txt = cu_sqlite_textn(r->parts, 1, &txt_len);
		const char *data = cu_sqlite_text(r->parts, 2);

		if (ct && strcmp(ct, "application/smil") == 0)
			continue;
		if (ct && strcmp(ct, "text/plain") == 0) {
			if (txt && r->body.len)
				rc = cu_buf_putc(&r->body, '\n', err);
			if (!rc && txt)
				rc = cu_buf_append(&r->body, txt, txt_len, err);
		} else {
			if (!strcmp(*kind, "text"))
				*kind = kind_for_ct(ct);
			if (!data)
				data = cu_sqlite_text(r->parts, 3);
			if (!data)
				data = cu_sqlite_text(r->parts, 4);
			rc = cu_parse_join_add(&r->att, "\n", data, err);
		}
		if (rc)
			break;
	}
	sqlite3_reset(r->parts);
	if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
		rc = cu_rows_error(a, db, s, "table part", err);
	return rc;
}

/* The sender (type 137 FROM) and the recipients (151 TO) into r. */
static enum cu_status pdu_addresses(struct pdu_run *r, int64_t pid, const char **from,
				    const char **to, struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	sqlite3_bind_int64(r->addr, 1, pid);
	if (sqlite3_step(r->addr) == SQLITE_ROW) {
		if (cu_sqlite_text(r->addr, 0)) {
			rc = cu_buf_puts(&r->from, cu_sqlite_text(r->addr, 0), err);
			*from = r->from.data;
		}
		if (!rc && cu_sqlite_text(r->addr, 1)) {
			rc = cu_buf_puts(&r->to, cu_sqlite_text(r->addr, 1), err);
			*to = r->to.data;
		}
	}
	sqlite3_reset(r->addr);
	return rc;
}

static enum cu_status pdu_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			      const struct cu_table_spec *spec, const struct cu_spec_row *row,
			      struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct pdu_run *r = arg;
	struct cu_message *m = &out->message;
	int64_t box = row->v[PDU_BOX].value;
	const char *from = NULL, *to = NULL, *kind = "text", *addr;
	enum cu_status rc = CU_OK;

	(void)spec;
	cu_buf_reset(&r->body);
	cu_buf_reset(&r->att);
	cu_buf_reset(&r->from);
	cu_buf_reset(&r->to);
	if (r->parts)
		rc = pdu_parts(a, r->db, r, row->rowid, &kind, err);
	if (!rc && r->addr)
		rc = pdu_addresses(r, row->rowid, &from, &to, err);
	if (rc)
		return rc;
	/* "insert-address-token" is the provider's placeholder for self */
	if (from && strcmp(from, "insert-address-token") == 0)
		from = NULL;
	addr = box == 1 ? from : to;
	rc = conversation_for(ctx, a, r->threads, row->v[PDU_THREAD].value, addr,
			      &m->conversation_id, err);
	m->direction = box == 1 ? "incoming" : (box >= 2 && box <= 5) ? "outgoing" : NULL;
	m->sender = box == 1 ? from : NULL;
	m->kind = kind;
	m->body = r->body.len ? r->body.data : row->v[PDU_SUBJECT].text;
	m->body_len = r->body.len;
	m->attachment = r->att.len ? r->att.data : NULL;
	snprintf(out->raw_type, sizeof(out->raw_type), "mms/%lld",
		 (long long)(box == CU_UNKNOWN ? -1 : box));
	m->raw_type = out->raw_type;
	m->status = box == 1 ? (row->v[PDU_READ].value == 1 ? "read" : "unread") : NULL;
	return rc;
}

static const struct cu_table_spec pdu_spec = {
    .table = "pdu",
    .key = "_id",
    .columns = pdu_columns,
    .ncolumns = sizeof(pdu_columns) / sizeof(pdu_columns[0]),
    .app = "sms",
    .sink = CU_SPEC_SINK_MESSAGE,
    .row = pdu_row,
};

static enum cu_status parse_mms(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
				struct threads *t, struct cu_error *err)
{
	struct pdu_run r = {t, db, NULL, NULL, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT};
	enum cu_status rc = CU_OK;

	if (cu_sqlite_has_table(db, "addr"))
		rc = cu_parse_prepare(
		    a, db,
		    "SELECT (SELECT address FROM addr WHERE msg_id = ?1 AND type = "
		    "137 ORDER BY _id LIMIT 1), (SELECT group_concat(address, ',') "
		    "FROM (SELECT address FROM addr WHERE msg_id = ?1 AND type = "
		    "151 ORDER BY _id))",
		    &r.addr, err);
	if (!rc && cu_sqlite_has_table(db, "part"))
		rc = cu_parse_prepare(a, db,
				      "SELECT ct, text, _data, name, cl FROM part WHERE mid = ?1"
				      " ORDER BY seq, _id",
				      &r.parts, err);
	if (!rc)
		rc = cu_spec_run(ctx, a, db, &pdu_spec, &r, err);
	sqlite3_finalize(r.addr);
	sqlite3_finalize(r.parts);
	cu_buf_release(&r.body);
	cu_buf_release(&r.att);
	cu_buf_release(&r.from);
	cu_buf_release(&r.to);
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
