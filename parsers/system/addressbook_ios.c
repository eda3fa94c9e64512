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

/* ABPerson (APPS.md 6.3): the name parts, organization, nickname, note. */
enum { AB_FIRST, AB_MIDDLE, AB_LAST, AB_ORG, AB_NICKNAME, AB_NOTE };
static const struct cu_column_spec person_columns[] = {
    [AB_FIRST] = {"First", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [AB_MIDDLE] = {"Middle", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [AB_LAST] = {"Last", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [AB_ORG] = {"Organization", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [AB_NICKNAME] = {"Nickname", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CONTACT_ALIAS},
    [AB_NOTE] = {"Note", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
};

/* The ABMultiValue phones and emails, read alongside ABPerson (both in
 * person order), and the texts of the contact being sunk. */
struct person_run {
	sqlite3 *db;
	sqlite3_stmt *mv; /* NULL without ABMultiValue (or for a carved person) */
	struct cu_rows mrows;
	int ms; /* last cu_rows_step result on mv */
	struct cu_buf name, phones, emails, first, remark;
};

/* Gathers the multi-values of person id; they come ordered by record_id. */
static enum cu_status person_values(const struct cu_artifact *a, struct person_run *r, int64_t id,
				    struct cu_error *err)
{
	enum cu_status rc = CU_OK;

	while (r->ms == SQLITE_ROW && sqlite3_column_int64(r->mv, 0) < id)
		r->ms = cu_rows_step(r->mv, &r->mrows);
	while (r->ms == SQLITE_ROW && sqlite3_column_int64(r->mv, 0) == id) {
		int64_t prop = sqlite3_column_int64(r->mv, 1);
		const char *v = cu_sqlite_text(r->mv, 2);

		if (v && !r->first.len)
			rc = cu_buf_puts(&r->first, v, err);
		if (!rc)
			rc = cu_parse_join_add(prop == 3 ? &r->phones : &r->emails, ", ", v, err);
		if (rc)
			return rc;
		r->ms = cu_rows_step(r->mv, &r->mrows);
	}
	if (r->ms != SQLITE_ROW && r->ms != SQLITE_DONE)
		return cu_rows_error(a, r->db, r->ms, "table ABMultiValue", err);
	return CU_OK;
}

static enum cu_status person_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 const struct cu_table_spec *spec, const struct cu_spec_row *row,
				 struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct person_run *r = arg;
	struct cu_contact *c = &out->contact;
	const char *org = row->v[AB_ORG].text;
	enum cu_status rc;

	(void)ctx, (void)spec;
	cu_buf_reset(&r->name);
	cu_buf_reset(&r->phones);
	cu_buf_reset(&r->emails);
	cu_buf_reset(&r->first);
	cu_buf_reset(&r->remark);
	rc = person_values(a, r, row->rowid, err);
	if (!rc)
		rc = compose_name(row->v[AB_FIRST].text, row->v[AB_MIDDLE].text,
				  row->v[AB_LAST].text, &r->name, err);
	if (!rc && org && r->name.len)
		rc = cu_parse_join_add(&r->remark, "\n", org, err);
	if (!rc)
		rc = cu_parse_join_add(&r->remark, "\n", row->v[AB_NOTE].text, err);
	if (rc)
		return rc;
	c->display_name = r->name.len ? r->name.data : org;
	/* phones sort before emails (property 3 < 4): first is a phone
	 * when there is one */
	c->identifier = r->first.len ? r->first.data : NULL;
	c->phone = r->phones.len ? r->phones.data : NULL;
	c->remark = r->remark.len ? r->remark.data : NULL;
	out->extra.email = r->emails.len ? r->emails.data : NULL;
	return CU_OK;
}

static const struct cu_table_spec person_spec = {
    .table = "ABPerson",
    .key = "ROWID",
    .columns = person_columns,
    .ncolumns = sizeof(person_columns) / sizeof(person_columns[0]),
    .app = "contacts",
    .sink = CU_SPEC_SINK_CONTACT,
    .row = person_row,
};

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	struct person_run r = {NULL,        NULL,        {0},         SQLITE_DONE, CU_BUF_INIT,
			       CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT, CU_BUF_INIT};
	enum cu_status rc = cu_parse_open_db(ctx, a, &r.db, err);

	if (rc)
		return rc;
	if (!cu_sqlite_has_table(r.db, "ABPerson")) {
		rc = cu_error_set(err, CU_E_FORMAT,
				  "'%s': table 'ABPerson' missing: not an iOS AddressBook",
				  a->device_path);
		goto out;
	}
	if (cu_sqlite_has_table(r.db, "ABMultiValue")) {
		rc = cu_parse_prepare(a, r.db,
				      "SELECT record_id, property, value FROM ABMultiValue"
				      " WHERE property IN (3, 4) ORDER BY record_id, property, UID",
				      &r.mv, err);
		if (rc)
			goto out;
		cu_rows_init(&r.mrows, a, -1);
		r.ms = cu_rows_step(r.mv, &r.mrows);
	}
	rc = cu_spec_run(ctx, a, r.db, &person_spec, &r, err);
out:
	sqlite3_finalize(r.mv);
	sqlite3_close(r.db);
	cu_buf_release(&r.name);
	cu_buf_release(&r.phones);
	cu_buf_release(&r.emails);
	cu_buf_release(&r.first);
	cu_buf_release(&r.remark);
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
