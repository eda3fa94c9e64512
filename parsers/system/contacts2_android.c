/*
 * contacts2_android.c - Android contacts provider contacts2.db -> contacts
 * (app "contacts"), and its `calls` table (call log before Android 7).
 *
 * Covers the AOSP schema (APPS.md 7.3): raw_contacts(_id, display_name,
 * deleted) and data rows typed through mimetypes: phone_v2 (data1 as typed,
 * data4 E.164 normalised), email_v2 (data1), nickname (data1), note (data1),
 * name (data1, fallback display name). One contact row per raw contact,
 * deleted ones kept with status "deleted". identifier = the primary phone's
 * data4 (else data1), phone = all numbers, normalised where the provider
 * normalised them; email = all addresses.
 * Fixtures: fixtures/apps/contacts-android (contacts2.sql + expected.json),
 * shared/samples/android-calllog/plaso_emulator/contacts2.db (3 calls).
 */
#include "parsers/system/system.h"

#include <string.h>

#define MT_PHONE "vnd.android.cursor.item/phone_v2"
#define MT_EMAIL "vnd.android.cursor.item/email_v2"
#define MT_NICK  "vnd.android.cursor.item/nickname"
#define MT_NOTE  "vnd.android.cursor.item/note"
#define MT_NAME  "vnd.android.cursor.item/name"

/* raw_contacts (APPS.md 7.3): one contact each. */
enum { RAW_NAME, RAW_DELETED };
static const struct cu_column_spec raw_contact_columns[] = {
    [RAW_NAME] = {"display_name", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_NAME},
    [RAW_DELETED] = {"deleted", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
};

/* The typed data rows, read alongside raw_contacts (both in contact
 * order), and the texts of the contact being sunk. */
struct raw_contact_run {
	sqlite3 *db;
	sqlite3_stmt *data; /* NULL without data + mimetypes */
	struct cu_rows drows;
	int ds; /* last cu_rows_step result on data */
	struct cu_buf phones, emails, first, nick, note, name;
};

/* Gathers the data rows of raw contact id; they come ordered by it. */
static enum cu_status contact_data(const struct cu_artifact *a, struct raw_contact_run *r,
				   int64_t id, struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	while (r->ds == SQLITE_ROW && sqlite3_column_int64(r->data, 0) < id)
		r->ds = cu_rows_step(r->data, &r->drows);
	while (r->ds == SQLITE_ROW && sqlite3_column_int64(r->data, 0) == id) {
		const char *mt = cu_sqlite_text(r->data, 1);
		const char *d1 = cu_sqlite_text(r->data, 2);
		const char *d4 = cu_sqlite_text(r->data, 3);

		if (!mt) {
		} else if (strcmp(mt, MT_PHONE) == 0) {
			const char *num = d4 && *d4 ? d4 : d1;

			if (!r->first.len && num)
				rc = cu_buf_puts(&r->first, num, err);
			if (!rc)
				rc = cu_parse_join_add(&r->phones, ", ", num, err);
		} else if (strcmp(mt, MT_EMAIL) == 0) {
			rc = cu_parse_join_add(&r->emails, ", ", d1, err);
		} else if (strcmp(mt, MT_NICK) == 0) {
			rc = cu_parse_join_add(&r->nick, ", ", d1, err);
		} else if (strcmp(mt, MT_NOTE) == 0) {
			rc = cu_parse_join_add(&r->note, "\n", d1, err);
		} else if (strcmp(mt, MT_NAME) == 0 && !r->name.len && d1) {
			rc = cu_buf_puts(&r->name, d1, err);
		}
		if (rc)
			return rc;
		r->ds = cu_rows_step(r->data, &r->drows);
	}
	if (r->ds != SQLITE_ROW && r->ds != SQLITE_DONE)
		return cu_rows_error(a, r->db, r->ds, "table data", err);
	return CU_OK;
}

static enum cu_status raw_contact_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				      const struct cu_table_spec *spec,
				      const struct cu_spec_row *row, struct cu_spec_out *out,
				      void *arg, struct cu_error *err)
{
	struct raw_contact_run *r = arg;
	struct cu_contact *c = &out->contact;
	enum cu_status rc;

	(void)ctx, (void)spec;
	cu_buf_reset(&r->phones);
	cu_buf_reset(&r->emails);
	cu_buf_reset(&r->first);
	cu_buf_reset(&r->nick);
	cu_buf_reset(&r->note);
	cu_buf_reset(&r->name);
	rc = contact_data(a, r, row->rowid, err);
	if (rc)
		return rc;
	if (!c->display_name && r->name.len)
		c->display_name = r->name.data;
	c->identifier = r->first.len ? r->first.data : (r->emails.len ? r->emails.data : NULL);
	c->phone = r->phones.len ? r->phones.data : NULL;
	c->alias = r->nick.len ? r->nick.data : NULL;
	c->remark = r->note.len ? r->note.data : NULL;
	out->extra.email = r->emails.len ? r->emails.data : NULL;
	out->extra.status = row->v[RAW_DELETED].value == 1 ? "deleted" : NULL;
	return CU_OK;
}

static const struct cu_table_spec raw_contact_spec = {
    .table = "raw_contacts",
    .key = "_id",
    .columns = raw_contact_columns,
    .ncolumns = sizeof(raw_contact_columns) / sizeof(raw_contact_columns[0]),
    .app = "contacts",
    .sink = CU_SPEC_SINK_CONTACT,
    .row = raw_contact_row,
};

static enum cu_status parse_contacts(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     sqlite3 *db, struct cu_error *err)
{
	struct raw_contact_run r = {db,          NULL,        {0},         SQLITE_DONE,
				    CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT,
				    CU_BUF_INIT, CU_BUF_INIT};
	struct cu_buf sql = CU_BUF_INIT;
	enum cu_status rc = CU_OK;

	if (cu_sqlite_has_table(db, "data") && cu_sqlite_has_table(db, "mimetypes")) {
		/* primary numbers first, so the identifier is the primary one */
		rc = cu_buf_printf(
		    &sql, err,
		    "SELECT d.raw_contact_id, m.mimetype, d.data1, %s FROM data d"
		    " JOIN mimetypes m ON m._id = d.mimetype_id"
		    " WHERE m.mimetype IN ('" MT_PHONE "', '" MT_EMAIL "', '" MT_NICK "', '" MT_NOTE
		    "', '" MT_NAME "')"
		    " ORDER BY d.raw_contact_id, m.mimetype, %s DESC, %s DESC, d._id",
		    cu_sqlite_has_column(db, "data", "data4") ? "d.data4" : "NULL",
		    cu_sqlite_has_column(db, "data", "is_super_primary") ? "d.is_super_primary"
									 : "0",
		    cu_sqlite_has_column(db, "data", "is_primary") ? "d.is_primary" : "0");
		if (!rc)
			rc = cu_parse_prepare(a, db, sql.data, &r.data, err);
		if (rc)
			goto out;
		cu_rows_init(&r.drows, a, -1);
		r.ds = cu_rows_step(r.data, &r.drows);
	}
	rc = cu_spec_run(ctx, a, db, &raw_contact_spec, &r, err);
out:
	sqlite3_finalize(r.data);
	cu_buf_release(&sql);
	cu_buf_release(&r.phones);
	cu_buf_release(&r.emails);
	cu_buf_release(&r.first);
	cu_buf_release(&r.nick);
	cu_buf_release(&r.note);
	cu_buf_release(&r.name);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "raw_contacts", 90);
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	bool contacts, calls;
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc)
		return rc;
	contacts = cu_sqlite_has_table(db, "raw_contacts");
	calls = cu_sqlite_has_table(db, "calls");
	if (!contacts && !calls) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': neither table 'raw_contacts' nor 'calls' present: not an "
				  "Android contacts2.db",
				  a->device_path);
		goto out;
	}
	if (contacts)
		rc = parse_contacts(ctx, a, db, err);
	if (!rc && calls)
		rc = cu_system_android_calls(ctx, a, db, err);
out:
	sqlite3_close(db);
	return rc;
}

static const char *const patterns[] = {
    "*/com.android.providers.contacts/databases/contacts2.db",
    "*/com.samsung.android.providers.contacts/databases/contacts2.db",
    NULL,
};

const struct cu_parser cu_parser_contacts2_android = {
    .name = "android-contacts2",
    .app = "contacts",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
