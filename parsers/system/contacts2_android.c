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

static enum cu_status parse_contacts(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     sqlite3 *db, struct cu_error *err)
{
	struct cu_buf sql = CU_BUF_INIT, phones = CU_BUF_INIT, emails = CU_BUF_INIT;
	struct cu_buf first = CU_BUF_INIT, nick = CU_BUF_INIT, note = CU_BUF_INIT;
	struct cu_buf name = CU_BUF_INIT;
	sqlite3_stmt *rc_st = NULL, *d_st = NULL;
	const char *what = a->device_path;
	bool have_data = cu_sqlite_has_table(db, "data") && cu_sqlite_has_table(db, "mimetypes");
	int ds = SQLITE_DONE;
	struct cu_rows rows, drows;
	enum cu_status rc;

	rc = cu_buf_printf(&sql, err, "SELECT _id, %s, %s FROM raw_contacts ORDER BY _id",
			   cu_sqlite_col_or_null(db, "raw_contacts", "display_name"),
			   cu_sqlite_col_or_null(db, "raw_contacts", "deleted"));
	if (!rc)
		rc = cu_sqlite_prepare(db, sql.data, &rc_st, what, err);
	if (rc)
		goto out;
	if (have_data) {
		cu_buf_reset(&sql);
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
			rc = cu_sqlite_prepare(db, sql.data, &d_st, what, err);
		if (rc)
			goto out;
		cu_rows_init(&drows, a, -1);
		ds = cu_rows_step(d_st, &drows);
	}
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, rc_st, &rows, "table raw_contacts", &rc, err)) {
		int64_t id;
		struct cu_contact c;
		struct cu_row_extra x = CU_ROW_EXTRA_INIT;

		id = sqlite3_column_int64(rc_st, 0);
		cu_buf_reset(&phones);
		cu_buf_reset(&emails);
		cu_buf_reset(&first);
		cu_buf_reset(&nick);
		cu_buf_reset(&note);
		cu_buf_reset(&name);
		while (ds == SQLITE_ROW && sqlite3_column_int64(d_st, 0) < id)
			ds = cu_rows_step(d_st, &drows);
		while (ds == SQLITE_ROW && sqlite3_column_int64(d_st, 0) == id) {
			const char *mt = cu_sqlite_text(d_st, 1);
			const char *d1 = cu_sqlite_text(d_st, 2);
			const char *d4 = cu_sqlite_text(d_st, 3);

			if (!mt) {
			} else if (strcmp(mt, MT_PHONE) == 0) {
				const char *num = d4 && *d4 ? d4 : d1;

				if (!first.len && num)
					rc = cu_buf_puts(&first, num, err);
				if (!rc)
					rc = cu_parse_join_add(&phones, ", ", num, err);
			} else if (strcmp(mt, MT_EMAIL) == 0) {
				rc = cu_parse_join_add(&emails, ", ", d1, err);
			} else if (strcmp(mt, MT_NICK) == 0) {
				rc = cu_parse_join_add(&nick, ", ", d1, err);
			} else if (strcmp(mt, MT_NOTE) == 0) {
				rc = cu_parse_join_add(&note, "\n", d1, err);
			} else if (strcmp(mt, MT_NAME) == 0 && !name.len && d1) {
				rc = cu_buf_puts(&name, d1, err);
			}
			if (rc)
				goto out;
			ds = cu_rows_step(d_st, &drows);
		}
		if (ds != SQLITE_ROW && ds != SQLITE_DONE) {
			rc = cu_rows_error(a, db, ds, "table data", err);
			goto out;
		}
		memset(&c, 0, sizeof(c));
		c.app = "contacts";
		c.display_name = cu_sqlite_text(rc_st, 1);
		if (!c.display_name && name.len)
			c.display_name = name.data;
		c.identifier = first.len ? first.data : (emails.len ? emails.data : NULL);
		c.phone = phones.len ? phones.data : NULL;
		c.alias = nick.len ? nick.data : NULL;
		c.remark = note.len ? note.data : NULL;
		c.prov = cu_prov_row(a, "raw_contacts", id);
		x.email = emails.len ? emails.data : NULL;
		x.status = cu_sqlite_i64(rc_st, 2) == 1 ? "deleted" : NULL;
		rc = cu_sink_contact_x(ctx, &c, &x, NULL, err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(rc_st);
	sqlite3_finalize(d_st);
	cu_buf_release(&sql);
	cu_buf_release(&phones);
	cu_buf_release(&emails);
	cu_buf_release(&first);
	cu_buf_release(&nick);
	cu_buf_release(&note);
	cu_buf_release(&name);
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
