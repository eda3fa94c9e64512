/*
 * calllog_android.c - Android call log -> calls (app "calls").
 *
 * CallLog.Calls `calls` table (APPS.md 7.4): number, date (Unix ms),
 * duration (s), type 1 incoming, 2 outgoing, 3 missed, 4 voicemail,
 * 5 rejected, 6 blocked, 7 answered externally; raw_type keeps the code.
 * The table lives in calllog.db since Android 7 and in contacts2.db before
 * (contacts2_android.c calls cu_system_android_calls for that case).
 * Rows with deleted = 1 (a sync-adapter soft delete) are kept, raw_type
 * then says so.
 * Fixtures: fixtures/apps/calllog-android (calllog.sql + expected.json),
 * shared/samples/android-calllog/plaso_emulator/contacts2.db (3 calls).
 */
#include "parsers/system/system.h"

#include <string.h>

/* CallLog.Calls (APPS.md 7.4) in the order of the Android schema. The
 * row code needs no run state (arg NULL): a carved record maps alone. */
enum {
	CALLS_NUMBER,
	CALLS_DATE,
	CALLS_DURATION,
	CALLS_TYPE,
	CALLS_NAME,
	CALLS_COUNTRYISO,
	CALLS_GEOCODED,
	CALLS_DELETED
};
static const struct cu_column_spec calls_columns[] = {
    [CALLS_NUMBER] = {"number", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_CALL_COUNTERPART},
    [CALLS_DATE] = {"date", CU_AFFINITY_INTEGER, CU_DECODE_UNIX_MS, CU_FIELD_CALL_STARTED},
    [CALLS_DURATION] = {"duration", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_CALL_DURATION},
    [CALLS_TYPE] = {"type", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [CALLS_NAME] = {"name", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [CALLS_COUNTRYISO] = {"countryiso", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [CALLS_GEOCODED] = {"geocoded_location", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [CALLS_DELETED] = {"deleted", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
};

static enum cu_status calls_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				const struct cu_table_spec *spec, const struct cu_spec_row *row,
				struct cu_spec_out *out, void *arg, struct cu_error *err)
{
	struct cu_call *c = &out->call;
	int64_t type = row->v[CALLS_TYPE].value;

	(void)ctx, (void)a, (void)spec, (void)arg, (void)err;
	switch (type) {
	case 1: /* incoming */
	case 7: /* answered on another device */
		c->direction = "incoming";
		c->answered = 1;
		break;
	case 2:
		c->direction = "outgoing";
		/* the log does not say whether the far end answered (a
		 * 0-second call may have been answered and hung up): unknown */
		c->answered = -1;
		break;
	case 3: /* missed */
	case 4: /* voicemail */
	case 5: /* rejected */
	case 6: /* blocked */
		c->direction = "incoming";
		c->answered = 0;
		break;
	default: c->direction = NULL; c->answered = -1;
	}
	if (type != CU_UNKNOWN) {
		snprintf(out->raw_type, sizeof(out->raw_type), "%lld%s", (long long)type,
			 row->v[CALLS_DELETED].value == 1 ? " deleted" : "");
		out->extra.raw_type = out->raw_type;
	}
	/* what the phone cached with the call: contact name, country and
	 * the number's geocoded place */
	out->extra.cached_name = row->v[CALLS_NAME].text;
	out->extra.country = row->v[CALLS_COUNTRYISO].text;
	out->extra.geocoded_location = row->v[CALLS_GEOCODED].text;
	return CU_OK;
}

const struct cu_table_spec cu_spec_android_calls = {
    .table = "calls",
    .key = "_id",
    .columns = calls_columns,
    .ncolumns = sizeof(calls_columns) / sizeof(calls_columns[0]),
    .app = "calls",
    .sink = CU_SPEC_SINK_CALL,
    .row = calls_row,
    .missing = ": not an Android call log",
};

enum cu_status cu_system_android_calls(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				       sqlite3 *db, struct cu_error *err)
{
	return cu_spec_run(ctx, a, db, &cu_spec_android_calls, NULL, err);
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "calls", 90);
}

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	return cu_spec_parse(ctx, a, &cu_spec_android_calls, NULL, err);
}

static const char *const patterns[] = {
    "*/com.android.providers.contacts/databases/calllog.db",
    "*/com.samsung.android.providers.contacts/databases/calllog.db",
    NULL,
};

const struct cu_parser cu_parser_calllog_android = {
    .name = "android-calllog",
    .app = "calls",
    .platforms = CU_PLATFORM_ANDROID,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
