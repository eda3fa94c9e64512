/*
 * test_parse.c - parser framework: case.db schema (CASEDB.md contract
 * columns, user_version, timeline view), registry, sink semantics
 * (conversation and payment deduplication, times, provenance), the
 * attributedBody decoder, corrupt input, and the system parsers on the
 * fixtures' databases (fixtures/apps/<app>/: each builds and parses; the
 * rows they give are checked against expected.json by the one checker,
 * tests/harness/expected.py, run by tests/e2e/fixtures_expected.sh).
 */
#include "parsers/parse_int.h"
#include "parsers/system/typedstream.h"
#include "tests/unit/test_parse_util.h"
#include "tests/harness/tap.h"

#include <string.h>
#include <unistd.h>

static const char *const contract[][16] = {
    {"items", "item_id", "platform", "make", "model", "os_version", "imei", "serial", "udid",
     "phone_numbers", "acquisition_method", NULL},
    {"sources", "source_id", "item_id", "device_path", "evidence_path", "size", "sha256", "md5",
     "derived_from", "derivation", NULL},
    {"accounts", "account_id", "item_id", "app", "identifier", "display_name", "source_id", NULL},
    {"contacts", "contact_id", "item_id", "app", "identifier", "display_name", "alias", "remark",
     "phone", "source_id", "source_table", "source_rowid", "recovered", NULL},
    {"conversations", "conversation_id", "item_id", "app", "identifier", "title", "is_group",
     "source_id", NULL},
    {"calls", "call_id", "item_id", "app", "counterpart", "direction", "started_utc", "started_ms",
     "duration_s", "answered", "source_id", "source_table", "source_rowid", "recovered", NULL},
    {"hits", "hit_id", "item_id", "kind", "value", "normalized", "rule", "artifact", "artifact_id",
     "offset", NULL},
    {"links", "link_id", "kind", "normalized", "item_a", "item_b", "evidence", NULL},
    {"parse_warnings", "source_id", "device_path", "message", NULL},
    {"timeline", "kind", "item_id", "app", "time_utc", "time_ms", "summary", "artifact_table",
     "artifact_id", NULL},
};
/* schema version 3 (docs/casedb.md) */
static const char *const v3[][16] = {
    {"items", "timezone", NULL},
    {"hits", "field", NULL},
    {"messages", "sent_device_utc", "sent_device_ms", "sim_slot", "service_center", NULL},
    {"calls", "cached_name", "country", "geocoded_location", NULL},
    {"not_examined", "ne_id", "item_id", "device_path", "evidence_path", "sha256", "size", "app",
     "reason", "detail", NULL},
    {"recovered_records", "rr_id", "item_id", "source_id", "table_name", "candidates",
     "source_page", "source_offset", "source_file", "wal_frame", "status", "partial", "values_json",
     NULL},
};
static const char *const messages_cols[] = {"message_id",
					    "item_id",
					    "app",
					    "conversation_id",
					    "sender",
					    "sender_name",
					    "direction",
					    "sent_utc",
					    "sent_ms",
					    "kind",
					    "body",
					    "raw_type",
					    "attachment",
					    "status",
					    "source_id",
					    "source_table",
					    "source_rowid",
					    "source_page",
					    "source_offset",
					    "recovered",
					    NULL};
static const char *const payments_cols[] = {"payment_id",   "item_id",       "app",
					    "kind",         "direction",     "amount_minor",
					    "currency",     "counterparty",  "counterparty_name",
					    "status",       "memo",          "transaction_id",
					    "occurred_utc", "occurred_ms",   "message_id",
					    "source_id",    "source_table",  "source_rowid",
					    "recovered",    "balance_minor", NULL};

static void check_cols(sqlite3 *db, const char *table, const char *const *cols)
{
	int missing = 0;

	for (const char *const *c = cols; *c; c++)
		if (!cu_sqlite_has_column(db, table, *c)) {
			tap_diag("%s.%s missing", table, *c);
			missing++;
		}
	tap_is_int(missing, 0, "case.db: %s has every contract column", table);
}

static void test_schema(void)
{
	sqlite3 *db = tpu_casedb();

	tap_ok(db != NULL, "cu_casedb_create on an empty database");
	if (!db)
		return;
	tap_is_int(tpu_int(db, "PRAGMA user_version"), CU_CASEDB_SCHEMA_VERSION, "user_version");
	for (size_t i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
		check_cols(db, contract[i][0], &contract[i][1]);
	for (size_t i = 0; i < sizeof(v3) / sizeof(v3[0]); i++)
		check_cols(db, v3[i][0], &v3[i][1]);
	check_cols(db, "messages", messages_cols);
	check_cols(db, "payments", payments_cols);
	tap_is_str(tpu_text(db, "SELECT type FROM sqlite_master WHERE name = 'timeline'"), "view",
		   "timeline is a view");
	tap_ok(tpu_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index'") >= 5,
	       "indexes created");
	sqlite3_close(db);
}

static void test_registry(void)
{
	const struct cu_parser *p;
	size_t n = 0, dup = 0;

	for (size_t i = 0; (p = cu_parser_at(i)) != NULL; i++, n++)
		for (size_t j = 0; j < i; j++)
			dup += strcmp(cu_parser_at(j)->name, p->name) == 0;
	tap_ok(n >= 6, "registry lists the system parsers (%zu parsers)", n);
	tap_is_int((int64_t)dup, 0, "parser names are unique");
	tap_ok(cu_parser_find("ios-sms") && cu_parser_find("android-mmssms") &&
		   cu_parser_find("ios-addressbook") && cu_parser_find("ios-callhistory") &&
		   cu_parser_find("android-contacts2") && cu_parser_find("android-calllog"),
	       "cu_parser_find finds each system parser");
	tap_ok(cu_parser_find("no-such-parser") == NULL, "cu_parser_find: unknown name");
	tap_ok(cu_parser_at(n) == NULL && cu_parser_at(n + 100) == NULL, "past the end is NULL");
}

/* A parser written for this test: exercises the sink. */
static enum cu_status sink_parse(struct cu_parse_ctx *ctx, const struct cu_artifact *a,
				 struct cu_error *err)
{
	struct cu_conversation c = {"sms", "+861", "t", 0, a->source_id};
	struct cu_conversation c2 = {"sms", "+861", "other title", 1, a->source_id};
	struct cu_conversation c3 = {"imessage", "+861", NULL, -1, a->source_id};
	int64_t id1 = 0, id2 = 0, id3 = 0, mid = 0;
	struct cu_message m;
	struct cu_payment p;
	struct cu_row_extra x = CU_ROW_EXTRA_INIT;
	enum cu_status rc;

	rc = cu_sink_conversation(ctx, &c, &id1, err);
	if (!rc)
		rc = cu_sink_conversation(ctx, &c2, &id2, err);
	if (!rc)
		rc = cu_sink_conversation(ctx, &c3, &id3, err);
	if (rc)
		return rc;
	if (id1 != id2 || id1 == id3)
		return cu_error_set(err, CU_E_INTERNAL, "conversation dedup wrong");
	memset(&m, 0, sizeof(m));
	m.app = "sms";
	m.conversation_id = id1;
	m.direction = "incoming";
	m.sent_ms = 1710583205123;
	m.kind = "text";
	m.body = "<b>hi</b>";
	m.prov = (struct cu_prov){a->source_id, "sms", 7, CU_UNKNOWN, CU_UNKNOWN, false, NULL};
	rc = cu_sink_message(ctx, &m, &mid, err);
	m.sent_ms = CU_UNKNOWN;
	m.prov = (struct cu_prov){a->source_id, NULL, CU_UNKNOWN, 3, 4096, true, NULL};
	if (!rc)
		rc = cu_sink_message(ctx, &m, NULL, err);
	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	p.app = "wechat-pay";
	p.kind = "transfer";
	p.direction = "unknown";
	p.amount_minor = CU_UNKNOWN;
	p.currency = "CNY";
	p.status = "pending";
	p.transaction_id = "T1";
	p.occurred_ms = CU_UNKNOWN;
	p.message_id = mid;
	p.prov = (struct cu_prov){a->source_id, "message", 7, CU_UNKNOWN, CU_UNKNOWN, false, NULL};
	rc = cu_sink_payment(ctx, &p, err);
	p.status = "received";
	p.direction = "incoming";
	p.amount_minor = 12800;
	p.occurred_ms = 1710583205000;
	p.kind = "red_packet"; /* a known kind is not replaced */
	if (!rc)
		rc = cu_sink_payment(ctx, &p, err);
	p.transaction_id = NULL;
	x.balance_minor = 5;
	x.account = "1234";
	if (!rc)
		rc = cu_sink_payment_x(ctx, &p, &x, &id3, err);
	if (!rc)
		cu_parse_warn(ctx, a, "a test warning %d", 42);
	return rc;
}

static const char *const any_pattern[] = {"*", NULL};
static const struct cu_parser sink_parser = {
    "test-sink", "sms", CU_PLATFORM_ANDROID | CU_PLATFORM_IOS, any_pattern, NULL, sink_parse};

static void test_sink(const char *dir)
{
	sqlite3 *db = tpu_casedb();
	struct cu_parse_file_opts o = {"item-A", "android", "/data/x.db", NULL, false};
	struct cu_parse_stats st;
	struct cu_error e;
	char path[4200];

	memset(&st, 0, sizeof(st));
	cu_error_clear(&e);
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	tap_ok(tpu_build_db(tpu_src(0, "tests/data/parsers/empty.sql"), path), "empty db built");
	tap_is_int(cu_parse_file(db, &sink_parser, path, &o, &st, &e), CU_OK, "sink parser runs");
	if (e.msg[0])
		tap_diag("%s", e.msg);
	tap_is_int(tpu_int(db, "SELECT count(*) FROM conversations"), 2,
		   "conversations dedup on (item, app, identifier)");
	tap_is_str(tpu_text(db, "SELECT title FROM conversations WHERE app = 'sms'"), "t",
		   "first conversation's title kept");
	tap_is_str(tpu_text(db, "SELECT sent_utc FROM messages ORDER BY message_id LIMIT 1"),
		   "2024-03-16T10:00:05.123Z", "sent_utc from sent_ms");
	tap_is_str(tpu_text(db, "SELECT body FROM messages ORDER BY message_id LIMIT 1"),
		   "<b>hi</b>", "body stored as found");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages WHERE sent_ms IS NULL AND sent_utc "
			       "IS NULL AND recovered = 1 AND source_page = 3 AND "
			       "source_offset = 4096 AND source_table IS NULL"),
		   1, "unknown time stays NULL; recovered provenance by page/offset");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages WHERE item_id = 'item-A' AND "
			       "source_id = (SELECT source_id FROM sources WHERE device_path = "
			       "'/data/x.db')"),
		   2, "rows carry item and source_id");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM payments"), 2,
		   "payments dedup on transaction_id (NULL id never dedups)");
	tap_is_str(tpu_text(db, "SELECT status || ',' || direction || ',' || amount_minor || ','"
				" || kind || ',' || occurred_utc FROM payments WHERE "
				"transaction_id = 'T1'"),
		   "received,incoming,12800,transfer,2024-03-16T10:00:05.000Z",
		   "a later record updates status and fills unknown fields only");
	tap_is_str(tpu_text(db, "SELECT balance_minor || ',' || account FROM payments WHERE "
				"transaction_id IS NULL"),
		   "5,1234", "extra payment columns");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM parse_warnings WHERE message = 'a test "
			       "warning 42' AND device_path = '/data/x.db' AND parser = "
			       "'test-sink'"),
		   1, "cu_parse_warn records a parse_warnings row");
	tap_is_int((int64_t)st.warnings, 1, "warning counted");
	tap_is_int((int64_t)st.messages, 2, "messages counted");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM timeline"), 4,
		   "timeline shows messages and payments");
	tap_is_str(tpu_text(db, "SELECT kind || ':' || artifact_table FROM timeline LIMIT 1"),
		   "payment:payments",
		   "timeline ordered by time (payment 123 ms before the message)");
	sqlite3_close(db);
}

static void test_typedstream(void)
{
	static const unsigned char s1[] = "\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84"
					  "\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85"
					  "\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+\x05hello"
					  "\x86";
	unsigned char big[400];
	const unsigned char *t = NULL;
	size_t l = 0;

	tap_ok(cu_typedstream_text(s1, sizeof(s1) - 1, &t, &l) && l == 5 &&
		   memcmp(t, "hello", 5) == 0,
	       "typedstream: short string");
	memset(big, 'x', sizeof(big));
	memcpy(big, "NSString\x01\x94\x84\x01+\x81\x2c\x01", 16);
	tap_ok(cu_typedstream_text(big, sizeof(big), &t, &l) && l == 300 && t == big + 16,
	       "typedstream: 0x81 + u16 length");
	tap_ok(!cu_typedstream_text(big, 100, &t, &l), "typedstream: length past the end refused");
	tap_ok(!cu_typedstream_text(big, 12, &t, &l), "typedstream: truncated length refused");
	tap_ok(!cu_typedstream_text((const unsigned char *)"no marker", 9, &t, &l),
	       "typedstream: no NSString");
	tap_ok(!cu_typedstream_text(NULL, 0, &t, &l), "typedstream: NULL");
}

static void test_corrupt(const char *dir)
{
	sqlite3 *db = tpu_casedb();
	struct cu_error e;
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/garbage.db", dir);
	f = fopen(path, "wb");
	if (f) {
		for (int i = 0; i < 5000; i++)
			fputc((i * 7919) & 0xff, f);
		fclose(f);
	}
	cu_error_clear(&e);
	tap_is_int(tpu_parse(db, "android-mmssms", path,
			     "/data/data/com.android.providers."
			     "telephony/databases/mmssms.db",
			     "android", NULL, NULL, &e),
		   CU_E_FORMAT, "random bytes: CU_E_FORMAT");
	tap_ok(strstr(e.msg, "mmssms.db") != NULL && strstr(e.msg, "not a readable SQLite") != NULL,
	       "the error names the file and the reason (%s)", e.msg);

	snprintf(path, sizeof(path), "%s/other.db", dir);
	tap_ok(tpu_build_db(tpu_src(0, "tests/data/parsers/empty.sql"), path), "wrong-schema db");
	cu_error_clear(&e);
	tap_is_int(
	    tpu_parse(db, "ios-sms", path, "HomeDomain/Library/SMS/sms.db", "ios", NULL, NULL, &e),
	    CU_E_FORMAT, "wrong schema: CU_E_FORMAT");
	tap_ok(strstr(e.msg, "table 'message' missing") != NULL, "names the missing table (%s)",
	       e.msg);
	sqlite3_close(db);
}

struct fixture {
	const char *dir, *sql, *parser, *device_path, *platform;
};

static const struct fixture fixtures[] = {
    {"sms-android", "mmssms.sql", "android-mmssms",
     "/data/data/com.android.providers.telephony/databases/mmssms.db", "android"},
    {"sms-ios", "sms.sql", "ios-sms", "HomeDomain/Library/SMS/sms.db", "ios"},
    {"contacts-android", "contacts2.sql", "android-contacts2",
     "/data/data/com.android.providers.contacts/databases/contacts2.db", "android"},
    {"addressbook-ios", "AddressBook.sql", "ios-addressbook",
     "HomeDomain/Library/AddressBook/AddressBook.sqlitedb", "ios"},
    {"callhistory-ios", "CallHistory.sql", "ios-callhistory",
     "HomeDomain/Library/CallHistoryDB/CallHistory.storedata", "ios"},
    {"calllog-android", "calllog.sql", "android-calllog",
     "/data/data/com.android.providers.contacts/databases/calllog.db", "android"},
};

static void test_fixtures(const char *dir)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		char rel[512], db_path[4200];
		sqlite3 *db;
		struct cu_error e;

		snprintf(rel, sizeof(rel), "fixtures/apps/%s/%s", f->dir, f->sql);
		if (access(tpu_src(0, rel), R_OK) != 0)
			tap_bail("fixture SQL missing from fixtures/apps");
		snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, f->dir);
		if (!tap_ok(tpu_build_db(tpu_src(0, rel), db_path), "%s: database built", f->dir))
			continue;
		db = tpu_casedb();
		cu_error_clear(&e);
		tap_is_int(
		    tpu_parse(db, f->parser, db_path, f->device_path, f->platform, NULL, NULL, &e),
		    CU_OK, "%s: parsed by %s", f->dir, f->parser);
		if (e.msg[0])
			tap_diag("%s", e.msg);
		sqlite3_close(db);
	}
}

static int probe80(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 80;
}
static int probe60(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 60;
}
static int probe0(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 0;
}
static int probe_huge(struct cu_parse_ctx *ctx, const struct cu_artifact *a)
{
	(void)ctx;
	(void)a;
	return 1000;
}

static void test_choose(void)
{
	static const struct cu_parser p80a = {"p80a", "x", 3, any_pattern, probe80, sink_parse};
	static const struct cu_parser p80b = {"p80b", "x", 3, any_pattern, probe80, sink_parse};
	static const struct cu_parser p60 = {"p60", "x", 3, any_pattern, probe60, sink_parse};
	static const struct cu_parser p0 = {"p0", "x", 3, any_pattern, probe0, sink_parse};
	static const struct cu_parser pnone = {"pnone", "x", 3, any_pattern, NULL, sink_parse};
	static const struct cu_parser pbig = {"pbig", "x", 3, any_pattern, probe_huge, sink_parse};
	struct cu_parse_ctx ctx;
	struct cu_artifact a;
	const struct cu_parser *best, *tie;

	memset(&ctx, 0, sizeof(ctx));
	memset(&a, 0, sizeof(a));
	{
		const struct cu_parser *c[] = {&p60, &p80a, &p80b};

		tap_is_int(cu_parse_choose(&ctx, c, 3, &a, &best, &tie), 80,
			   "choose: top confidence");
		tap_ok(best == &p80a && tie == &p80b, "choose: equal top confidence is a tie");
	}
	{
		const struct cu_parser *c[] = {&p80a, &p60, &pnone};

		cu_parse_choose(&ctx, c, 3, &a, &best, &tie);
		tap_ok(best == &p80a && tie == NULL, "choose: highest wins, no tie");
	}
	{
		const struct cu_parser *c[] = {&p0, &pnone};

		tap_is_int(cu_parse_choose(&ctx, c, 2, &a, &best, &tie), 50,
			   "choose: no probe means confidence 50");
		tap_ok(best == &pnone && !tie, "choose: 0 is 'not mine'");
	}
	{
		const struct cu_parser *c[] = {&p0};

		tap_is_int(cu_parse_choose(&ctx, c, 1, &a, &best, &tie), 0,
			   "choose: nobody claims");
		tap_ok(best == NULL && tie == NULL, "choose: no parser chosen");
	}
	{
		const struct cu_parser *c[] = {&pbig, &p80a};

		tap_is_int(cu_parse_choose(&ctx, c, 2, &a, &best, &tie), 100,
			   "choose: clamped to 100");
	}
}

int main(void)
{
	const char *dir = tap_tmpdir("test_parse");

	tap_plan(74);
	cu_log_set_level(CU_LOG_ERROR);
	test_schema();
	test_registry();
	test_sink(dir);
	test_typedstream();
	test_choose();
	test_corrupt(dir);
	test_fixtures(dir);
	return tap_done();
}
