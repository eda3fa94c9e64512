/*
 * callhistory_ios.c - iOS CallHistory.storedata -> calls.
 *
 * Covers the Core Data store of iOS 8-17 (APPS.md 6.4): ZCALLRECORD(Z_PK,
 * ZADDRESS - text, or a BLOB holding the text on some versions -, ZDATE
 * Cocoa seconds (an impossible time is unknown), ZDURATION seconds (float; whole seconds kept), ZORIGINATED 1 outgoing,
 * ZANSWERED, ZCALLTYPE 1 phone / 8 FaceTime video / 16 FaceTime audio /
 * 0 third party, ZSERVICE_PROVIDER bundle id). app: "calls" for the phone,
 * "facetime" for FaceTime, "whatsapp"/"wechat"/"telegram" for those
 * providers' CallKit entries, else "calls"; raw_type keeps the provider and
 * call type.
 * Fixture: fixtures/apps/callhistory-ios (CallHistory.sql + expected.json);
 * no public sample was found (shared/samples/SOURCES.md).
 */
#include "parsers/system/system.h"

#include <string.h>

static const char *app_for(const char *provider, int64_t type)
{
	if (provider) {
		if (strstr(provider, "FaceTime"))
			return "facetime";
		if (strstr(provider, "whatsapp"))
			return "whatsapp";
		if (strstr(provider, "tencent.xin"))
			return "wechat";
		if (strstr(provider, "telegra"))
			return "telegram";
		if (strstr(provider, "tencent.mqq"))
			return "qq";
	}
	if (type == 8 || type == 16)
		return "facetime";
	return "calls";
}

/* ZCALLRECORD (APPS.md 6.4) in the order of the Core Data model. */
enum {
	CH_ADDRESS,
	CH_DATE,
	CH_DURATION,
	CH_ORIGINATED,
	CH_ANSWERED,
	CH_CALLTYPE,
	CH_PROVIDER,
	CH_NAME,
	CH_COUNTRY,
	CH_LOCATION
};
static const struct cu_column_spec callrecord_columns[] = {
    [CH_ADDRESS] = {"ZADDRESS", CU_AFFINITY_ANY, CU_DECODE_TEXT_ANY, CU_FIELD_NONE},
    [CH_DATE] = {"ZDATE", CU_AFFINITY_REAL, CU_DECODE_COCOA_S, CU_FIELD_CALL_STARTED},
    [CH_DURATION] = {"ZDURATION", CU_AFFINITY_REAL, CU_DECODE_RAW, CU_FIELD_NONE},
    [CH_ORIGINATED] = {"ZORIGINATED", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [CH_ANSWERED] = {"ZANSWERED", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [CH_CALLTYPE] = {"ZCALLTYPE", CU_AFFINITY_INTEGER, CU_DECODE_INT, CU_FIELD_NONE},
    [CH_PROVIDER] = {"ZSERVICE_PROVIDER", CU_AFFINITY_TEXT, CU_DECODE_TEXT, CU_FIELD_NONE},
    /* what the phone cached with the call */
    [CH_NAME] = {"ZNAME", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [CH_COUNTRY] = {"ZISO_COUNTRY_CODE", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
    [CH_LOCATION] = {"ZLOCATION", CU_AFFINITY_TEXT, CU_DECODE_NAME, CU_FIELD_NONE},
};

/* Buffers of the row being sunk. */
struct callrecord_row {
	struct cu_buf addr, raw;
};

static enum cu_status callrecord_row(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				     const struct cu_table_spec *spec,
				     const struct cu_spec_row *row, struct cu_spec_out *out,
				     void *arg, struct cu_error *err)
{
	struct callrecord_row *r = arg;
	const struct cu_spec_value *addr = &row->v[CH_ADDRESS], *dur = &row->v[CH_DURATION];
	int64_t orig = row->v[CH_ORIGINATED].value, ans = row->v[CH_ANSWERED].value;
	int64_t type = row->v[CH_CALLTYPE].value;
	const char *prov = row->v[CH_PROVIDER].text;
	struct cu_call *c = &out->call;
	enum cu_status rc = CU_OK;

	(void)ctx, (void)a, (void)spec;
	cu_buf_reset(&r->addr);
	cu_buf_reset(&r->raw);
	/* some versions store the address as a BLOB holding the text */
	if (addr->type == SQLITE_BLOB && addr->p && addr->n > 0)
		rc = cu_buf_append(&r->addr, addr->p,
				   cu_utf8_valid_prefix((const char *)addr->p, addr->n), err);
	else if (addr->text)
		rc = cu_buf_puts(&r->addr, addr->text, err);
	if (rc)
		return rc;
	c->app = app_for(prov, type);
	c->counterpart = r->addr.len ? r->addr.data : NULL;
	c->direction = orig == 1 ? "outgoing" : orig == 0 ? "incoming" : NULL;
	if ((dur->type == SQLITE_FLOAT || dur->type == SQLITE_INTEGER) && dur->d >= 0 &&
	    dur->d < 1e9)
		c->duration_s = (int64_t)dur->d; /* whole seconds elapsed */
	c->answered = ans == CU_UNKNOWN ? -1 : ans != 0;
	rc = cu_buf_printf(&r->raw, err, "%s/%lld", prov ? prov : "?",
			   (long long)(type == CU_UNKNOWN ? -1 : type));
	if (rc)
		return rc;
	out->extra.raw_type = r->raw.data;
	out->extra.cached_name = row->v[CH_NAME].text;
	out->extra.country = row->v[CH_COUNTRY].text;
	out->extra.geocoded_location = row->v[CH_LOCATION].text;
	return CU_OK;
}

static const struct cu_table_spec callrecord_spec = {
    .table = "ZCALLRECORD",
    .key = "Z_PK",
    .columns = callrecord_columns,
    .ncolumns = sizeof(callrecord_columns) / sizeof(callrecord_columns[0]),
    .app = "calls",
    .sink = CU_SPEC_SINK_CALL,
    .row = callrecord_row,
    .missing = ": not an iOS call history",
};

static enum cu_status parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
			    struct cu_error *err)
{
	struct callrecord_row r = {CU_BUF_INIT, CU_BUF_INIT};
	enum cu_status rc = cu_spec_parse(ctx, a, &callrecord_spec, &r, err);

	cu_buf_release(&r.addr);
	cu_buf_release(&r.raw);
	return rc;
}

static int probe(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	return cu_parse_probe_table(ctx, a, "ZCALLRECORD", 90);
}

static const char *const patterns[] = {
    "*Library/CallHistoryDB/CallHistory.storedata",
    NULL,
};

const struct cu_parser cu_parser_callhistory_ios = {
    .name = "ios-callhistory",
    .app = "calls",
    .platforms = CU_PLATFORM_IOS,
    .patterns = patterns,
    .probe = probe,
    .parse = parse,
};
