/*
 * spec.c - the row loop driven by a table spec (parsers.h): builds the
 * SELECT from the spec (a column the file lacks reads as NULL, so one
 * missing column never costs the table), reads each row guarded by
 * cu_rows_step, decodes every column by its decoder, maps the decoded
 * values into the sink's record and sinks it. cu_spec_emit is the part
 * after reading, shared with records carved from free pages.
 */
#include "parsers/parsers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cu_spec_column(const struct cu_table_spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->ncolumns; i++)
		if (strcmp(spec->columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The value as text, as sqlite3_column_text() gives it: numbers and BLOB
 * bytes too. A live row brings the text along (read_value); a number
 * handed over without it is formatted here. */
static const char *value_text(struct cu_spec_value *v)
{
	switch (v->type) {
	case SQLITE_TEXT:
	case SQLITE_BLOB: return (const char *)v->p;
	case SQLITE_INTEGER:
		if (!v->p)
			snprintf(v->num, sizeof(v->num), "%lld", (long long)v->i);
		return v->p ? (const char *)v->p : v->num;
	case SQLITE_FLOAT:
		if (!v->p)
			snprintf(v->num, sizeof(v->num), "%.15g", v->d);
		return v->p ? (const char *)v->p : v->num;
	default: return NULL;
	}
}

static bool text_decoder(enum cu_decode d)
{
	return d == CU_DECODE_TEXT || d == CU_DECODE_NAME || d == CU_DECODE_TEXT_ANY;
}

/* Decoders that read the number SQLite finds in a text or BLOB value. */
static bool number_decoder(enum cu_decode d)
{
	return d == CU_DECODE_COCOA_S || d == CU_DECODE_UNIX_S_REAL || d == CU_DECODE_RAW;
}

static int64_t value_int(const struct cu_spec_value *v)
{
	int64_t r;

	switch (v->type) {
	case SQLITE_INTEGER: return v->i;
	case SQLITE_FLOAT:
		/* out-of-range doubles would be undefined to convert */
		return v->d > -9.2e18 && v->d < 9.2e18 ? (int64_t)v->d : CU_UNKNOWN;
	case SQLITE_TEXT: return v->p && cu_parse_i64((const char *)v->p, &r) ? r : CU_UNKNOWN;
	default: return CU_UNKNOWN;
	}
}

void cu_spec_bind(sqlite3_stmt *st, int i, const struct cu_spec_value *v)
{
	switch (v->type) {
	case SQLITE_INTEGER: sqlite3_bind_int64(st, i, v->i); break;
	case SQLITE_FLOAT: sqlite3_bind_double(st, i, v->d); break;
	case SQLITE_TEXT:
		sqlite3_bind_text(st, i, (const char *)v->p, (int)v->n, SQLITE_STATIC);
		break;
	case SQLITE_BLOB: sqlite3_bind_blob(st, i, v->p, (int)v->n, SQLITE_STATIC); break;
	default: sqlite3_bind_null(st, i);
	}
}

void cu_spec_decode(const struct cu_column_spec *col, struct cu_spec_value *v)
{
	v->text = NULL;
	v->value = CU_UNKNOWN;
	switch (col->decode) {
	case CU_DECODE_RAW: break;
	case CU_DECODE_TEXT: v->text = value_text(v); break;
	case CU_DECODE_NAME: v->text = cu_parse_nz(value_text(v)); break;
	case CU_DECODE_TEXT_ANY:
		/* text as found; a BLOB is left to the row code, which keeps
		 * its valid UTF-8 prefix in a buffer of its own */
		v->text = v->type == SQLITE_BLOB ? NULL : value_text(v);
		break;
	case CU_DECODE_INT: v->value = value_int(v); break;
	case CU_DECODE_UNIX_S: v->value = cu_parse_ms_from_unix_s(value_int(v)); break;
	case CU_DECODE_UNIX_MS: v->value = cu_parse_ms_from_unix_ms(value_int(v)); break;
	case CU_DECODE_COCOA_S:
		/* d is the value as sqlite3_column_double() converts it */
		if (v->type != SQLITE_NULL)
			v->value = cu_parse_ms_from_cocoa_s(v->d);
		break;
	case CU_DECODE_COCOA_AUTO: v->value = cu_parse_ms_from_cocoa_auto(value_int(v)); break;
	case CU_DECODE_UNIX_S_REAL:
		if (v->type != SQLITE_NULL)
			v->value = cu_parse_ms_from_unix_s_real(v->d);
		break;
	}
}

/* Only the spec's sink record is set up and read; a field of another
 * record would be written and ignored. */
static void map_field(struct cu_spec_out *o, enum cu_field f, const struct cu_spec_value *v)
{
	switch (f) {
	case CU_FIELD_NONE: break;
	case CU_FIELD_CALL_COUNTERPART: o->call.counterpart = v->text; break;
	case CU_FIELD_CALL_STARTED: o->call.started_ms = v->value; break;
	case CU_FIELD_CALL_DURATION: o->call.duration_s = v->value; break;
	case CU_FIELD_CONTACT_IDENTIFIER: o->contact.identifier = v->text; break;
	case CU_FIELD_CONTACT_NAME: o->contact.display_name = v->text; break;
	case CU_FIELD_CONTACT_ALIAS: o->contact.alias = v->text; break;
	case CU_FIELD_CONTACT_REMARK: o->contact.remark = v->text; break;
	case CU_FIELD_CONTACT_PHONE: o->contact.phone = v->text; break;
	case CU_FIELD_MESSAGE_SENDER: o->message.sender = v->text; break;
	case CU_FIELD_MESSAGE_SENDER_NAME: o->message.sender_name = v->text; break;
	case CU_FIELD_MESSAGE_SENT: o->message.sent_ms = v->value; break;
	case CU_FIELD_MESSAGE_BODY: o->message.body = v->text; break;
	case CU_FIELD_MESSAGE_ATTACHMENT: o->message.attachment = v->text; break;
	case CU_FIELD_MESSAGE_STATUS: o->message.status = v->text; break;
	}
}

enum cu_status cu_spec_emit(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    const struct cu_table_spec *spec, struct cu_spec_value *v,
			    const struct cu_prov *prov, void *arg, int64_t *id,
			    struct cu_error *err)
{
	static const struct cu_row_extra extra = CU_ROW_EXTRA_INIT;
	struct cu_spec_out o;
	struct cu_spec_row row = {prov->rowid, v, *prov};
	int64_t sunk_id = CU_UNKNOWN;
	enum cu_status rc = CU_OK;

	/* only the record the spec sinks is set up (this runs per row) */
	o.extra = extra;
	o.skip = false;
	o.raw_type[0] = '\0';
	switch (spec->sink) {
	case CU_SPEC_SINK_CALL:
		memset(&o.call, 0, sizeof(o.call));
		o.call.app = spec->app;
		o.call.started_ms = o.call.duration_s = CU_UNKNOWN;
		o.call.answered = -1;
		o.call.prov = *prov;
		break;
	case CU_SPEC_SINK_CONTACT:
		memset(&o.contact, 0, sizeof(o.contact));
		o.contact.app = spec->app;
		o.contact.prov = *prov;
		break;
	case CU_SPEC_SINK_NONE:
	case CU_SPEC_SINK_MESSAGE:
		memset(&o.message, 0, sizeof(o.message));
		o.message.app = spec->app;
		o.message.conversation_id = o.message.sent_ms = CU_UNKNOWN;
		o.message.prov = *prov;
		break;
	}
	for (size_t i = 0; i < spec->ncolumns; i++) {
		cu_spec_decode(&spec->columns[i], &v[i]);
		map_field(&o, spec->columns[i].field, &v[i]);
	}
	if (spec->row && (rc = spec->row(ctx, a, spec, &row, &o, arg, err)) != CU_OK)
		return rc;
	if (o.skip)
		return CU_OK;
	/* SQLite text keeps NUL bytes (CASEDB.md: nothing is cleaned): a body
	 * that is a column's text, as mapped or as the row code chose it, goes
	 * on with that column's length. Decided after the row code, so a body
	 * it rebuilt elsewhere never takes a stale length. */
	if (spec->sink == CU_SPEC_SINK_MESSAGE && o.message.body != NULL && o.message.body_len == 0)
		for (size_t i = 0; i < spec->ncolumns; i++)
			if (v[i].type == SQLITE_TEXT && v[i].p != NULL &&
			    o.message.body == (const char *)v[i].p) {
				o.message.body_len = v[i].n;
				break;
			}
	switch (spec->sink) {
	case CU_SPEC_SINK_NONE: break;
	case CU_SPEC_SINK_CALL: rc = cu_sink_call_x(ctx, &o.call, &o.extra, &sunk_id, err); break;
	case CU_SPEC_SINK_CONTACT:
		rc = cu_sink_contact_x(ctx, &o.contact, &o.extra, &sunk_id, err);
		break;
	case CU_SPEC_SINK_MESSAGE: rc = cu_sink_message(ctx, &o.message, &sunk_id, err); break;
	}
	if (rc == CU_OK && spec->sunk)
		rc = spec->sunk(ctx, a, &row, &o, sunk_id, arg, err);
	if (rc == CU_OK && id)
		*id = sunk_id;
	return rc;
}

/*
 * One column of a live row; what the column's decoder will read is taken
 * the way SQLite converts it (text of a number, double of a text). The
 * column's value is fetched once and read with the sqlite3_value_*
 * accessors: unlike sqlite3_column_*, they do not take the connection's
 * mutex on every call, which keeps this loop as cheap as the hand-written
 * loops were. That is safe here: a parse uses its connection from one
 * thread only.
 */
static void read_value(sqlite3_stmt *st, int col, const struct cu_column_spec *spec, bool present,
		       struct cu_spec_value *v)
{
	sqlite3_value *val = sqlite3_column_value(st, col);
	bool as_text = text_decoder(spec->decode);

	v->present = present;
	v->type = sqlite3_value_type(val);
	v->i = 0;
	v->d = 0;
	v->p = NULL;
	v->n = 0;
	switch (v->type) {
	case SQLITE_INTEGER:
		if (as_text) {
			v->p = sqlite3_value_text(val);
			v->n = (size_t)sqlite3_value_bytes(val);
		}
		v->i = sqlite3_value_int64(val);
		v->d = (double)v->i;
		break;
	case SQLITE_FLOAT:
		if (as_text) {
			v->p = sqlite3_value_text(val);
			v->n = (size_t)sqlite3_value_bytes(val);
		}
		v->d = sqlite3_value_double(val);
		/* as sqlite3_column_int64 would: saturated, NaN 0 */
		v->i = v->d != v->d      ? 0
		       : v->d <= -9.2e18 ? INT64_MIN
		       : v->d >= 9.2e18  ? INT64_MAX
					 : (int64_t)v->d;
		break;
	case SQLITE_TEXT:
		v->p = sqlite3_value_text(val);
		v->n = (size_t)sqlite3_value_bytes(val);
		/* the number SQLite reads in the text (row code, Cocoa) */
		if (number_decoder(spec->decode)) {
			v->i = sqlite3_value_int64(val);
			v->d = sqlite3_value_double(val);
		}
		break;
	case SQLITE_BLOB:
		/* the bytes NUL-terminated for a text decoder (as
		 * sqlite3_column_text gives them), as found otherwise */
		if (as_text && spec->decode != CU_DECODE_TEXT_ANY)
			v->p = sqlite3_value_text(val);
		else
			v->p = sqlite3_value_blob(val);
		v->n = (size_t)sqlite3_value_bytes(val);
		if (spec->decode == CU_DECODE_COCOA_S || spec->decode == CU_DECODE_UNIX_S_REAL)
			v->d = sqlite3_value_double(val);
		break;
	default: break;
	}
}

/* A table's whole row fits in 64 columns in every spec we keep. */
#define SPEC_MAX_COLUMNS 64

/* The number SQLite reads at the start of a text (sqlite3_value_int64 /
 * _double of a TEXT value), for the decoders that read numbers. */
static void text_number(const unsigned char *p, int64_t *i, double *d)
{
	char *end;
	long long ll;

	*i = 0;
	*d = 0;
	if (!p)
		return;
	ll = strtoll((const char *)p, &end, 10);
	*i = (int64_t)ll;
	*d = strtod((const char *)p, &end);
}

enum cu_status cu_spec_emit_record(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   const struct cu_table_spec *spec, const struct cu_rec_record *r,
				   const struct cu_prov *prov, void *arg, int64_t *id,
				   struct cu_error *err)
{
	struct cu_spec_value v[SPEC_MAX_COLUMNS];

	if (spec->ncolumns > SPEC_MAX_COLUMNS)
		CU_BUG("table spec with more columns than the row loop holds");
	for (size_t i = 0; i < spec->ncolumns; i++) {
		const struct cu_column_spec *cs = &spec->columns[i];
		const struct cu_rec_value *rv = NULL;
		struct cu_spec_value *x = &v[i];
		bool key = false;

		memset(x, 0, sizeof(*x));
		x->type = SQLITE_NULL;
		for (size_t k = 0; r->colnames && k < r->ncols; k++)
			if (r->colnames[k] && strcasecmp(r->colnames[k], cs->name) == 0) {
				rv = &r->values[k];
				break;
			}
		key = spec->key && strcasecmp(spec->key, cs->name) == 0;
		x->present = rv != NULL;
		if (rv)
			x->type = rv->type;
		switch (x->type) {
		case SQLITE_INTEGER:
			x->i = rv->i;
			x->d = (double)rv->i;
			break;
		case SQLITE_FLOAT:
			x->d = rv->d;
			x->i = rv->d != rv->d     ? 0
			       : rv->d <= -9.2e18 ? INT64_MIN
			       : rv->d >= 9.2e18  ? INT64_MAX
						  : (int64_t)rv->d;
			break;
		case SQLITE_TEXT:
			x->p = rv->p;
			x->n = rv->n;
			if (number_decoder(cs->decode))
				text_number(rv->p, &x->i, &x->d);
			break;
		case SQLITE_BLOB:
			/* NUL-terminated by the engine's copy */
			x->p = rv->p;
			x->n = rv->n;
			break;
		default: x->type = SQLITE_NULL; break;
		}
		/* the rowid alias is stored as NULL in the record */
		if (key && x->type == SQLITE_NULL && prov->rowid != CU_UNKNOWN) {
			x->type = SQLITE_INTEGER;
			x->i = prov->rowid;
			x->d = (double)prov->rowid;
			x->present = true;
		}
	}
	return cu_spec_emit(ctx, a, spec, v, prov, arg, id, err);
}

struct spec_rec {
	const struct cu_table_spec *spec;
	void *arg;
};

static enum cu_status spec_record(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				  const struct cu_rec_record *r, const struct cu_prov *prov,
				  void *arg, struct cu_error *err)
{
	const struct spec_rec *sr = arg;

	return cu_spec_emit_record(ctx, a, sr->spec, r, prov, sr->arg, NULL, err);
}

enum cu_status cu_spec_run(struct cu_parse_ctx *ctx, const struct cu_artifact *a, sqlite3 *db,
			   const struct cu_table_spec *spec, void *arg, struct cu_error *err)
{
	struct cu_spec_value v[SPEC_MAX_COLUMNS];
	bool present[SPEC_MAX_COLUMNS];
	struct cu_buf sql = CU_BUF_INIT, reading = CU_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *qt = NULL;
	struct cu_rows rows;
	enum cu_status rc;
	struct spec_rec sr = {spec, arg};
	char reason[CU_ERROR_MSG_MAX];
	bool damaged = false;
	int64_t after = CU_UNKNOWN;

	if (spec->ncolumns > SPEC_MAX_COLUMNS)
		CU_BUG("table spec with more columns than the row loop holds");
	rc = cu_buf_printf(&sql, err, "SELECT %s", spec->key);
	for (size_t i = 0; !rc && i < spec->ncolumns; i++) {
		const char *col = cu_parse_col(ctx, a, db, spec->table, spec->columns[i].name,
					       spec->columns[i].warn_missing);

		present[i] = col == spec->columns[i].name;
		rc = cu_buf_printf(&sql, err, ", %s", col);
	}
	/* a table name may come from the (untrusted) file: quoted */
	if (!rc && (qt = sqlite3_mprintf("\"%w\"", spec->table)) == NULL)
		rc = cu_error_set(err, CU_E_NOMEM, "out of memory quoting a table name");
	if (!rc)
		rc = cu_buf_printf(&sql, err, " FROM %s ORDER BY %s", qt, spec->key);
	if (!rc)
		rc = cu_buf_printf(&reading, err, "table %s", spec->table);
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		int code = sqlite3_errcode(db);

		if (!cu_parse_sqlite_damage(code) && !strstr(sqlite3_errmsg(db), "malformed")) {
			rc = cu_error_set(err, CU_E_FORMAT, "'%s': %s", a->device_path,
					  sqlite3_errmsg(db));
			goto out;
		}
		snprintf(reason, sizeof(reason), "'%s': reading %s: %s", a->device_path,
			 reading.data, sqlite3_errmsg(db));
		damaged = true;
	}
	cu_rows_init(&rows, a, 0);
	while (!damaged) {
		int s = cu_rows_step(st, &rows);
		struct cu_prov prov;
		int64_t key;

		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			if (!cu_parse_sqlite_damage(s)) {
				rc = cu_rows_error(a, db, s, reading.data, err);
				goto out;
			}
			/* SQLite stops in the table: the page reader reads the
			 * rest of its live rows */
			snprintf(
			    reason, sizeof(reason), "'%s': reading %s: %s", a->device_path,
			    reading.data,
			    s == CU_ROWS_DAMAGED
				? "rows repeat or exceed what the file can hold (damaged b-tree)"
				: sqlite3_errmsg(db));
			damaged = true;
			break;
		}
		key = sqlite3_column_int64(st, 0);
		if (after == CU_UNKNOWN || key > after)
			after = key;
		prov = cu_prov_row(a, spec->table, key);
		for (size_t i = 0; i < spec->ncolumns; i++)
			read_value(st, (int)i + 1, &spec->columns[i], present[i], &v[i]);
		rc = cu_spec_emit(ctx, a, spec, v, &prov, arg, NULL, err);
		if (rc)
			goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (damaged) {
		/* SQLite opened it: an SQLite file, damaged */
		cu_parse_mark_damaged(ctx, a, reason);
		rc = cu_parse_damaged_rows(ctx, a, spec->table, reason, after, spec_record, &sr,
					   err);
	}
	/* the table's recovered records (deleted, superseded...), through the
	 * same row code with the same arg */
	if (!rc)
		rc = cu_parse_recovered(ctx, a, spec->table, spec_record, &sr, err);
out:
	sqlite3_finalize(st);
	sqlite3_free(qt);
	cu_buf_release(&sql);
	cu_buf_release(&reading);
	return rc;
}

enum cu_status cu_spec_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			     const struct cu_table_spec *spec, void *arg, struct cu_error *err)
{
	sqlite3 *db = NULL;
	enum cu_status rc = cu_parse_open_db(ctx, a, &db, err);

	if (rc == CU_E_FORMAT) {
		/* SQLite refuses the file: the page reader still reads the
		 * table's live rows (none when it is not SQLite at all) */
		struct spec_rec sr = {spec, arg};
		char reason[CU_ERROR_MSG_MAX];

		snprintf(reason, sizeof(reason), "%s", err->msg);
		cu_error_clear(err);
		rc = cu_parse_damaged_rows(ctx, a, spec->table, reason, CU_UNKNOWN, spec_record,
					   &sr, err);
		if (!rc)
			rc = cu_parse_recovered(ctx, a, spec->table, spec_record, &sr, err);
		return rc;
	}
	if (rc)
		return rc;
	if (!cu_sqlite_has_table(db, spec->table))
		rc = cu_error_set(err, CU_E_FORMAT, "'%s': table '%s' missing%s", a->device_path,
				  spec->table, spec->missing ? spec->missing : "");
	else
		rc = cu_spec_run(ctx, a, db, spec, arg, err);
	sqlite3_close(db);
	return rc;
}
