/*
 * test_spec.c - table specs and the time policy of the toolkit
 * (parsers/spec.c, parsers/toolkit.c): an impossible time is unknown,
 * never 1970; a spec maps a record that comes from no live table (values
 * as a carver would hand them over) through the same decoders, row code
 * and sink as a live row, with recovered provenance.
 */
#include "parsers/parsers.h"
#include "parsers/system/system.h"
#include "tests/harness/tap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void time_policy(void)
{
	tap_is_int(cu_parse_ms_from_cocoa_s(NAN), CU_UNKNOWN, "cocoa NaN is unknown, not 1970");
	tap_is_int(cu_parse_ms_from_cocoa_s(0.0), CU_UNKNOWN, "cocoa 0 is unknown");
	tap_is_int(cu_parse_ms_from_cocoa_s(INFINITY), CU_UNKNOWN, "cocoa infinity is unknown");
	tap_is_int(cu_parse_ms_from_cocoa_s(-1e10), CU_UNKNOWN, "cocoa before 1970 is unknown");
	tap_is_int(cu_parse_ms_from_cocoa_s(1.0004), 978307201000, "cocoa 1.0004 s -> ms, rounded");
	tap_is_int(cu_parse_ms_from_unix_s(0), CU_UNKNOWN, "unix 0 s is unknown");
	tap_is_int(cu_parse_ms_from_unix_s(1700000000), 1700000000000, "unix s -> ms");
	tap_is_int(cu_parse_ms_from_unix_ms(-5), CU_UNKNOWN, "negative unix ms is unknown");
	tap_is_int(cu_parse_ms_from_unix_ms(INT64_C(300000000000000)), CU_UNKNOWN,
		   "unix ms past 9999 is unknown");
}

static void decoders(void)
{
	struct cu_column_spec cocoa = {"ZDATE", CU_AFFINITY_REAL, CU_DECODE_COCOA_S, CU_FIELD_NONE,
				       false};
	struct cu_column_spec name = {"n", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE, false};
	struct cu_column_spec num = {"i", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE, false};
	struct cu_spec_value v;

	memset(&v, 0, sizeof(v));
	v.type = SQLITE_FLOAT;
	v.d = NAN;
	cu_spec_decode(&cocoa, &v);
	tap_is_int(v.value, CU_UNKNOWN, "COCOA_S decoder: NaN is unknown");
	v.d = 7.5;
	cu_spec_decode(&cocoa, &v);
	tap_is_int(v.value, 978307207500, "COCOA_S decoder: 7.5 s");
	memset(&v, 0, sizeof(v));
	v.type = SQLITE_TEXT;
	v.p = (const unsigned char *)"";
	cu_spec_decode(&name, &v);
	tap_ok(v.text == NULL, "NAME decoder: an empty name is no name");
	v.p = (const unsigned char *)"12x";
	cu_spec_decode(&num, &v);
	tap_is_int(v.value, CU_UNKNOWN, "INT decoder: non-numeric text is unknown");
	v.p = (const unsigned char *)"42";
	cu_spec_decode(&num, &v);
	tap_is_int(v.value, 42, "INT decoder: numeric text");
	memset(&v, 0, sizeof(v));
	v.type = SQLITE_INTEGER;
	v.i = 13800000000;
	cu_spec_decode(&name, &v);
	tap_is_str(v.text, "13800000000", "text decoders read a number as its text");
}

/* A parser whose parse() hands one carved calls record to the Android
 * call-log spec: no table is read. */
static enum cu_status carved_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				   struct cu_error *err)
{
	const struct cu_table_spec *spec = &cu_spec_android_calls;
	struct cu_spec_value v[8];
	struct cu_prov prov = {a->source_id, "calls", 17, 7, 1234, true, NULL};
	int64_t id = CU_UNKNOWN;
	enum cu_status rc;

	if (spec->ncolumns > 8)
		return cu_error_set(err, CU_E_INTERNAL, "spec has %zu columns", spec->ncolumns);
	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < spec->ncolumns; i++)
		v[i].type = SQLITE_NULL;
	v[cu_spec_column(spec, "number")].type = SQLITE_TEXT;
	v[cu_spec_column(spec, "number")].p = (const unsigned char *)"+8613800000000";
	v[cu_spec_column(spec, "date")].type = SQLITE_INTEGER;
	v[cu_spec_column(spec, "date")].i = 1700000000000;
	v[cu_spec_column(spec, "duration")].type = SQLITE_INTEGER;
	v[cu_spec_column(spec, "duration")].i = 65;
	v[cu_spec_column(spec, "type")].type = SQLITE_INTEGER;
	v[cu_spec_column(spec, "type")].i = 2;
	rc = cu_spec_emit(ctx, a, spec, v, &prov, NULL, &id, err);
	if (rc == CU_OK && id == CU_UNKNOWN)
		rc = cu_error_set(err, CU_E_INTERNAL, "no id for the sunk call");
	return rc;
}

/* A recovered record as the engine hands it over: its table's columns in
 * the table's order (not the spec's), the rowid alias NULL, a column the
 * spec does not read, one the spec reads missing (an old schema). */
static enum cu_status rec_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				struct cu_error *err)
{
	static const char *const names[] = {"_id",  "number", "presentation",
					    "date", "TYPE",   "deleted"};
	struct cu_rec_value vals[6];
	struct cu_rec_record r;
	struct cu_prov_rec rec = {"freelist", "deleted", CU_UNKNOWN, true};
	struct cu_prov prov = {a->source_id, "calls", 33, 5, 4000, true, &rec};

	memset(vals, 0, sizeof(vals));
	memset(&r, 0, sizeof(r));
	vals[0].type = SQLITE_NULL;
	vals[1].type = SQLITE_TEXT;
	vals[1].p = (const unsigned char *)"13900001111";
	vals[1].n = 11;
	vals[2].type = SQLITE_INTEGER;
	vals[2].i = 1;
	vals[3].type = SQLITE_INTEGER;
	vals[3].i = 1700000001000;
	vals[4].type = SQLITE_INTEGER;
	vals[4].i = 3;
	vals[5].type = SQLITE_INTEGER;
	vals[5].i = 0;
	r.table = "calls";
	r.source = CU_REC_FREELIST;
	r.status = "deleted";
	r.rowid = 33;
	r.partial = true;
	r.ncols = 6;
	r.values = vals;
	r.colnames = names;
	return cu_spec_emit_record(ctx, a, &cu_spec_android_calls, &r, &prov, NULL, NULL, err);
}

static const char *const carved_patterns[] = {"*", NULL};
static const struct cu_parser carved_parser = {
    .name = "test-carved",
    .app = "calls",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = carved_patterns,
    .parse = carved_parse,
};

static const struct cu_parser rec_parser = {
    .name = "test-carved-rec",
    .app = "calls",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = carved_patterns,
    .parse = rec_parse,
};

static void carved_record(void)
{
	const char *dir = tap_tmpdir("spec");
	char path[4096], got[512] = "";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct cu_parse_file_opts o = {"item1", "android", "/data/calllog.db", NULL, false};
	struct cu_error err;
	enum cu_status rc = CU_E_INTERNAL;
	FILE *f;

	cu_error_clear(&err);
	tap_is_int(cu_spec_column(&cu_spec_android_calls, "type"), 3, "spec: column index by name");
	tap_is_int(cu_spec_column(&cu_spec_android_calls, "nope"), -1, "spec: unknown column");
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	if (sqlite3_open(":memory:", &db) == SQLITE_OK && cu_casedb_create(db, &err) == CU_OK)
		rc = cu_parse_file(db, &carved_parser, path, &o, NULL, &err);
	tap_is_int(rc, CU_OK, "a carved record goes through the spec (%s)", err.msg);
	if (db &&
	    sqlite3_prepare_v2(
		db,
		"SELECT app || '|' || counterpart || '|' || direction || '|' ||"
		" started_ms || '|' || duration_s || '|' || COALESCE(answered, 'NULL') ||"
		" '|' ||"
		" raw_type || '|' || source_table || '|' || source_rowid || '|' ||"
		" recovered FROM calls",
		-1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(got, sizeof(got), "%s", (const char *)sqlite3_column_text(st, 0));
	/* an outgoing Android call: the log does not say whether it was answered */
	tap_is_str(got, "calls|+8613800000000|outgoing|1700000000000|65|NULL|2|calls|17|1",
		   "the carved call: decoded, row code applied, recovered provenance");
	sqlite3_finalize(st);
	st = NULL;
	got[0] = '\0';
	cu_error_clear(&err);
	rc = db ? cu_parse_file(db, &rec_parser, path, &o, NULL, &err) : CU_E_INTERNAL;
	tap_is_int(rc, CU_OK, "an engine record goes through the spec by column name (%s)",
		   err.msg);
	if (db &&
	    sqlite3_prepare_v2(
		db,
		"SELECT counterpart || '|' || direction || '|' || started_ms || '|'"
		" || coalesce(duration_s, 'NULL') || '|' || answered || '|' ||"
		" raw_type || '|' || source_rowid || '|' || source_page || '|' ||"
		" source_offset || '|' || recovered || '|' || recovered_from || '|' ||"
		" recovered_status || '|' || partial || '|' ||"
		" coalesce(wal_frame, 'NULL') FROM calls WHERE source_rowid = 33",
		-1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(got, sizeof(got), "%s", (const char *)sqlite3_column_text(st, 0));
	tap_is_str(
	    got, "13900001111|incoming|1700000001000|NULL|0|3|33|5|4000|1|freelist|deleted|1|NULL",
	    "the engine record: values by name (any case), a missing column NULL, "
	    "recovery columns stored");
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(path);
}

int main(void)
{
	tap_plan(21);
	time_policy();
	decoders();
	carved_record();
	return tap_done();
}
