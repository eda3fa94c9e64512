/*
 * addressbook_ios.c - iOS Contacts AddressBook.sqlitedb -> contacts (app
 * "contacts").
 *
 * Covers the AddressBook framework schema of iOS 5-17 (APPS.md 6.3):
 * ABPerson(ROWID, First, Middle, Last, Organization, Nickname, Note) and
 * ABMultiValue(record_id -> ABPerson.ROWID, property 3 phone / 4 email,
 * value). One contact per person: display_name from the name parts
 * (family name first, without a space, when the name is not Latin script,
 * as iOS shows CJK names), else Organization; identifier = first phone,
 * else first email; phone / email = all values; alias = Nickname;
 * remark = Organization (when it is not already the name) and Note.
 * Much of this database usually lives in its WAL: the framework parses a
 * WAL-checkpointed working copy.
 * Fixtures: fixtures/apps/addressbook-ios (AddressBook.sql + expected.json),
 * shared/samples/ios-addressbook/josh_ios15 (9 persons) and belkactf6
 * (1 person, present only in the WAL).
 */
#include "parsers/system/system.h"

#include <string.h>

static bool is_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static enum cu_status compose_name(const char *first, const char *middle, const char *last,
				   struct cu_buf *out, struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	if (!is_ascii(first) || !is_ascii(last)) {
		/* 张 + 三 -> 张三 */
		if (last)
			rc = cu_buf_puts(out, last, err);
		if (!rc && middle)
			rc = cu_buf_puts(out, middle, err);
		if (!rc && first)
			rc = cu_buf_puts(out, first, err);
		return rc;
	}
	rc = cu_parse_join_add(out, " ", first, err);
	if (!rc)
		rc = cu_parse_join_add(out, " ", middle, err);
	if (!rc && last) {
		if (out->len)
			rc = cu_buf_putc(out, ' ', err);
		if (!rc)
			rc = cu_buf_puts(out, last, err);
	}
	return rc;
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *p = NULL, *mv = NULL;
	struct cu_buf sql = CU_BUF_INIT, name = CU_BUF_INIT, phones = CU_BUF_INIT;
	struct cu_buf emails = CU_BUF_INIT, first = CU_BUF_INIT, remark = CU_BUF_INIT;
	const char *what = a->device_path;
	int ms = SQLITE_DONE;
	struct cu_rows rows, mrows;
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc)
		return rc;
	if (!cu_sqlite_has_table(db, "ABPerson")) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': table 'ABPerson' missing: not an iOS AddressBook", what);
		goto out;
	}
	rc = cu_buf_printf(&sql, err,
			   "SELECT ROWID, %s, %s, %s, %s, %s, %s FROM ABPerson ORDER BY ROWID",
			   cu_sqlite_col_or_null(db, "ABPerson", "First"),
			   cu_sqlite_col_or_null(db, "ABPerson", "Middle"),
			   cu_sqlite_col_or_null(db, "ABPerson", "Last"),
			   cu_sqlite_col_or_null(db, "ABPerson", "Organization"),
			   cu_sqlite_col_or_null(db, "ABPerson", "Nickname"),
			   cu_sqlite_col_or_null(db, "ABPerson", "Note"));
	if (!rc)
		rc = cu_sqlite_prepare(db, sql.data, &p, what, err);
	if (rc)
		goto out;
	if (cu_sqlite_has_table(db, "ABMultiValue")) {
		rc =
		    cu_sqlite_prepare(db,
				      "SELECT record_id, property, value FROM ABMultiValue"
				      " WHERE property IN (3, 4) ORDER BY record_id, property, UID",
				      &mv, what, err);
		if (rc)
			goto out;
		cu_rows_init(&mrows, a, -1);
		ms = cu_rows_step(mv, &mrows);
	}
	cu_rows_init(&rows, a, 0);
	while (cu_rows_next(a, db, p, &rows, "table ABPerson", &rc, err)) {
		int64_t id;
		const char *org, *fi, *mi, *la;
		struct cu_contact c;
		struct cu_row_extra x = CU_ROW_EXTRA_INIT;

		id = sqlite3_column_int64(p, 0);
		cu_buf_reset(&name);
		cu_buf_reset(&phones);
		cu_buf_reset(&emails);
		cu_buf_reset(&first);
		cu_buf_reset(&remark);
		while (ms == SQLITE_ROW && sqlite3_column_int64(mv, 0) < id)
			ms = cu_rows_step(mv, &mrows);
		while (ms == SQLITE_ROW && sqlite3_column_int64(mv, 0) == id) {
			int64_t prop = sqlite3_column_int64(mv, 1);
			const char *v = cu_sqlite_text(mv, 2);

			if (v && !first.len)
				rc = cu_buf_puts(&first, v, err);
			if (!rc)
				rc = cu_parse_join_add(prop == 3 ? &phones : &emails, ", ", v, err);
			if (rc)
				goto out;
			ms = cu_rows_step(mv, &mrows);
		}
		if (ms != SQLITE_ROW && ms != SQLITE_DONE) {
			rc = cu_rows_error(a, db, ms, "table ABMultiValue", err);
			goto out;
		}
		fi = cu_sqlite_text(p, 1);
		mi = cu_sqlite_text(p, 2);
		la = cu_sqlite_text(p, 3);
		org = cu_sqlite_text(p, 4);
		rc = compose_name(fi && *fi ? fi : NULL, mi && *mi ? mi : NULL,
				  la && *la ? la : NULL, &name, err);
		if (!rc && org && *org && name.len)
			rc = cu_parse_join_add(&remark, "\n", org, err);
		if (!rc)
			rc = cu_parse_join_add(&remark, "\n", cu_sqlite_text(p, 6), err);
		if (rc)
			goto out;
		memset(&c, 0, sizeof(c));
		c.app = "contacts";
		c.display_name = name.len ? name.data : (org && *org ? org : NULL);
		/* phones sort before emails (property 3 < 4): first is a phone
		 * when there is one */
		c.identifier = first.len ? first.data : NULL;
		c.phone = phones.len ? phones.data : NULL;
		c.alias = cu_sqlite_text(p, 5);
		c.remark = remark.len ? remark.data : NULL;
		c.prov = cu_prov_row(a, "ABPerson", id);
		x.email = emails.len ? emails.data : NULL;
		rc = cu_sink_contact_x(ctx, &c, &x, NULL, err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(p);
	sqlite3_finalize(mv);
	sqlite3_close(db);
	cu_buf_release(&sql);
	cu_buf_release(&name);
	cu_buf_release(&phones);
	cu_buf_release(&emails);
	cu_buf_release(&first);
	cu_buf_release(&remark);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "ABPerson", 90);
}

static const char *const patterns[] = {
    "*Library/AddressBook/AddressBook.sqlitedb",
    NULL,
};

const struct cu_parser cu_parser_addressbook_ios = {
    .name = "ios-addressbook",
    .app = "contacts",
    .platforms = CU_PLATFORM_IOS,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
