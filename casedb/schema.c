/*
 * schema.c - the case.db schema (shared/evidence/CASEDB.md).
 *
 * The contract's tables and columns come first, in the contract's order;
 * additions (marked) follow each table's contract columns so that
 * `SELECT *` users see the contract layout as a prefix. Indexes are made
 * after a bulk load by the parse driver (faster), or right away by
 * cu_casedb_create().
 */
#include "casedb/casedb.h"

#include <stdio.h>

static const char schema_sql[] =
    "CREATE TABLE items(item_id TEXT PRIMARY KEY, platform TEXT, make TEXT, model TEXT,"
    " os_version TEXT, imei TEXT, serial TEXT, udid TEXT, phone_numbers TEXT,"
    " acquisition_method TEXT,"
    /* additions */
    " timezone TEXT);\n"
    "CREATE TABLE sources(source_id INTEGER PRIMARY KEY, item_id TEXT, device_path TEXT,"
    " evidence_path TEXT, size INTEGER, sha256 TEXT, md5 TEXT, derived_from INTEGER,"
    " derivation TEXT,"
    /* additions */
    " parser TEXT);\n"
    "CREATE TABLE accounts(account_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT,"
    " identifier TEXT, display_name TEXT, source_id INTEGER);\n"
    "CREATE TABLE contacts(contact_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT,"
    " identifier TEXT, display_name TEXT, alias TEXT, remark TEXT, phone TEXT,"
    " source_id INTEGER, source_table TEXT, source_rowid INTEGER, recovered INTEGER,"
    /* additions */
    " source_page INTEGER, source_offset INTEGER, email TEXT, status TEXT,"
    " recovered_from TEXT, recovered_status TEXT, wal_frame INTEGER, partial INTEGER,"
    " damaged INTEGER);\n"
    "CREATE TABLE conversations(conversation_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT,"
    " identifier TEXT, title TEXT, is_group INTEGER, source_id INTEGER);\n"
    "CREATE TABLE messages(message_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT,"
    " conversation_id INTEGER, sender TEXT, sender_name TEXT, direction TEXT, sent_utc TEXT,"
    " sent_ms INTEGER, kind TEXT, body TEXT, raw_type TEXT, attachment TEXT, status TEXT,"
    " source_id INTEGER, source_table TEXT, source_rowid INTEGER, source_page INTEGER,"
    " source_offset INTEGER, recovered INTEGER,"
    /* additions */
    " recovered_from TEXT, recovered_status TEXT, wal_frame INTEGER, partial INTEGER,"
    " damaged INTEGER, sent_device_utc TEXT, sent_device_ms INTEGER, sim_slot INTEGER,"
    " service_center TEXT);\n"
    "CREATE TABLE calls(call_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT, counterpart TEXT,"
    " direction TEXT, started_utc TEXT, started_ms INTEGER, duration_s INTEGER,"
    " answered INTEGER, source_id INTEGER, source_table TEXT, source_rowid INTEGER,"
    " recovered INTEGER,"
    /* additions */
    " source_page INTEGER, source_offset INTEGER, raw_type TEXT,"
    " recovered_from TEXT, recovered_status TEXT, wal_frame INTEGER, partial INTEGER,"
    " damaged INTEGER, cached_name TEXT, country TEXT, geocoded_location TEXT);\n"
    "CREATE TABLE payments(payment_id INTEGER PRIMARY KEY, item_id TEXT, app TEXT, kind TEXT,"
    " direction TEXT, amount_minor INTEGER, currency TEXT, counterparty TEXT,"
    " counterparty_name TEXT, status TEXT, memo TEXT, transaction_id TEXT, occurred_utc TEXT,"
    " occurred_ms INTEGER, message_id INTEGER, source_id INTEGER, source_table TEXT,"
    " source_rowid INTEGER, recovered INTEGER,"
    /* additions */
    " source_page INTEGER, source_offset INTEGER, balance_minor INTEGER, account TEXT,"
    " bank TEXT,"
    " recovered_from TEXT, recovered_status TEXT, wal_frame INTEGER, partial INTEGER,"
    " damaged INTEGER);\n"
    "CREATE TABLE hits(hit_id INTEGER PRIMARY KEY, item_id TEXT, kind TEXT, value TEXT,"
    " normalized TEXT, rule TEXT, artifact TEXT, artifact_id INTEGER, offset INTEGER,"
    /* additions */
    " field TEXT);\n"
    "CREATE TABLE links(link_id INTEGER PRIMARY KEY, kind TEXT, normalized TEXT, item_a TEXT,"
    " item_b TEXT, evidence TEXT);\n"
    "CREATE TABLE recovered_records(rr_id INTEGER PRIMARY KEY, item_id TEXT,"
    " source_id INTEGER, table_name TEXT /* NULL when ambiguous */, candidates TEXT,"
    " source_page INTEGER, source_offset INTEGER, source_file TEXT /* db|wal|journal */,"
    " wal_frame INTEGER, status TEXT, partial INTEGER,"
    " values_json TEXT /* JSON array as custos recover --json \"values\" */);\n"
    /* addition: every warning and per-file failure of the parse run */
    "CREATE TABLE parse_warnings(warning_id INTEGER PRIMARY KEY, source_id INTEGER,"
    " device_path TEXT, message TEXT, item_id TEXT, parser TEXT,"
    " severity TEXT /* warning|error */);\n"
    /* addition: files the parse saw but did not read (docs/casedb.md) */
    "CREATE TABLE not_examined(ne_id INTEGER PRIMARY KEY, item_id TEXT, device_path TEXT,"
    " evidence_path TEXT, sha256 TEXT, size INTEGER, app TEXT,"
    " reason TEXT /* unsupported|encrypted-no-key|damaged|refused */, detail TEXT);\n"
    /*
	 * The timeline: every dated artifact, oldest first; undated rows last.
	 * summary is plain text for listings (the report escapes it).
	 */
    "CREATE VIEW timeline AS SELECT * FROM ("
    " SELECT 'message' AS kind, item_id, app, sent_utc AS time_utc, sent_ms AS time_ms,"
    "  COALESCE(direction, '?') || ' ' || COALESCE(kind, '?') || ' '"
    "  || COALESCE(sender || ': ', '') || COALESCE(substr(body, 1, 200), '') AS summary,"
    "  'messages' AS artifact_table, message_id AS artifact_id FROM messages"
    " UNION ALL"
    " SELECT 'call', item_id, app, started_utc, started_ms,"
    "  COALESCE(direction, '?') || ' call ' || COALESCE(counterpart, '')"
    "  || COALESCE(' ' || duration_s || ' s', '')"
    "  || CASE answered WHEN 0 THEN ' not answered' ELSE '' END,"
    "  'calls', call_id FROM calls"
    " UNION ALL"
    " SELECT 'payment', item_id, app, occurred_utc, occurred_ms,"
    "  COALESCE(direction, '?') || ' ' || COALESCE(kind, '?') || ' '"
    "  || CASE WHEN amount_minor IS NULL THEN '?' ELSE printf('%s%d.%02d',"
    "   CASE WHEN amount_minor < 0 THEN '-' ELSE '' END, abs(amount_minor) / 100,"
    "   abs(amount_minor) % 100) END"
    "  || ' ' || COALESCE(currency, '') || ' ' || COALESCE(counterparty_name, counterparty, ''),"
    "  'payments', payment_id FROM payments)"
    " ORDER BY time_ms IS NULL, time_ms, artifact_table, artifact_id;\n";

static const char index_sql[] =
    "CREATE INDEX sources_item ON sources(item_id, device_path);\n"
    "CREATE INDEX contacts_item ON contacts(item_id, app, identifier);\n"
    "CREATE INDEX messages_conv ON messages(conversation_id, sent_ms);\n"
    "CREATE INDEX messages_time ON messages(sent_ms);\n"
    "CREATE INDEX calls_time ON calls(started_ms);\n"
    "CREATE INDEX payments_time ON payments(occurred_ms);\n"
    "CREATE INDEX payments_message ON payments(message_id);\n"
    "CREATE INDEX hits_artifact ON hits(artifact, artifact_id);\n"
    "CREATE INDEX hits_norm ON hits(kind, normalized);\n"
    "CREATE INDEX not_examined_item ON not_examined(item_id, device_path);\n"
    "CREATE INDEX recovered_records_source ON recovered_records(item_id, source_id);\n";

/* Needed while loading: the sink looks these up for deduplication. */
static const char load_index_sql[] =
    "CREATE INDEX conversations_key ON conversations(item_id, app, identifier);\n"
    "CREATE INDEX payments_txn ON payments(item_id, app, transaction_id);\n";

enum cu_status cu_casedb_exec(sqlite3 *db, const char *sql, struct cu_error *err)
{
	char *msg = NULL;
	enum cu_status rc = CU_OK;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "case.db: %s", msg ? msg : sqlite3_errmsg(db));
		goto out;
	}
out:
	sqlite3_free(msg);
	return rc;
}

enum cu_status cu_casedb_create_tables(sqlite3 *db, struct cu_error *err)
{
	enum cu_status rc;
	char pragma[64];

	rc = cu_casedb_exec(db, schema_sql, err);
	if (rc)
		return cu_error_prefix(err, "creating the case.db schema");
	rc = cu_casedb_exec(db, load_index_sql, err);
	if (rc)
		return cu_error_prefix(err, "creating the case.db schema");
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d;", CU_CASEDB_SCHEMA_VERSION);
	return cu_casedb_exec(db, pragma, err);
}

enum cu_status cu_casedb_create_indexes(sqlite3 *db, struct cu_error *err)
{
	enum cu_status rc = cu_casedb_exec(db, index_sql, err);

	if (rc)
		return cu_error_prefix(err, "creating the case.db indexes");
	return CU_OK;
}

enum cu_status cu_casedb_create(sqlite3 *db, struct cu_error *err)
{
	enum cu_status rc = cu_casedb_create_tables(db, err);

	if (rc)
		return rc;
	return cu_casedb_create_indexes(db, err);
}
