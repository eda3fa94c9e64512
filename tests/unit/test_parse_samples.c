/*
 * test_parse_samples.c - the system parsers on real app-written databases
 * (shared/samples, see SOURCES.md there): counts and values are checked
 * against SQLite reading the same sample directly, and the WAL handling
 * against the belkactf6 AddressBook whose only person lives in the WAL.
 */
#include "tests/unit/test_parse_util.h"
#include "tests/harness/tap.h"

#include <string.h>
#include <unistd.h>

static int64_t sample_int(const char *path, const char *sql)
{
	char uri[4300];
	sqlite3 *db = NULL;
	int64_t v = INT64_MIN;

	snprintf(uri, sizeof(uri), "file:%s?immutable=1", path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK)
		v = tpu_int(db, sql);
	sqlite3_close(db);
	return v;
}

static bool have(const char *path)
{
	if (access(path, R_OK) == 0)
		return true;
	tap_shared_missing(path);
}

static void test_mmssms(void)
{
	const char *path = tpu_shared(0, "samples/android-sms/plaso_emulator/mmssms.db");
	sqlite3 *db;
	struct cu_error e;

	if (!have(path))
		return;
	db = tpu_casedb();
	cu_error_clear(&e);
	tap_is_int(tpu_parse(db, "android-mmssms", path,
			     "/data/data/com.android.providers.telephony/databases/mmssms.db",
			     "android", NULL, NULL, &e),
		   CU_OK, "plaso mmssms.db parsed");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages"), 9, "9 sms");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages"),
		   sample_int(path, "SELECT count(*) FROM sms"), "as many as sqlite3 counts");
	tap_is_int(tpu_int(db, "SELECT sent_ms FROM messages WHERE source_rowid = 1"),
		   1383065788038, "date in ms kept");
	tap_is_str(tpu_text(db, "SELECT direction || '|' || COALESCE(sender, '-') || '|' || body "
				"FROM messages WHERE source_rowid = 1"),
		   "outgoing|-|Yo Fred this is my new number.", "type 2 is outgoing");
	tap_is_str(tpu_text(db, "SELECT direction || '|' || sender FROM messages WHERE "
				"source_rowid = 3"),
		   "incoming|15555215554", "type 1 is incoming, sender = address");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages WHERE body IS NOT NULL"),
		   sample_int(path, "SELECT count(*) FROM sms WHERE body IS NOT NULL"),
		   "every body carried over");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages WHERE conversation_id IS NULL"), 0,
		   "every message has a conversation");
	sqlite3_close(db);
}

static void test_contacts2_calls(void)
{
	const char *path = tpu_shared(0, "samples/android-calllog/plaso_emulator/contacts2.db");
	sqlite3 *db;
	struct cu_error e;

	if (!have(path))
		return;
	db = tpu_casedb();
	cu_error_clear(&e);
	tap_is_int(tpu_parse(db, "android-contacts2", path,
			     "/data/data/com.android.providers.contacts/databases/contacts2.db",
			     "android", NULL, NULL, &e),
		   CU_OK, "plaso contacts2.db (calls only) parsed");
	if (e.msg[0])
		tap_diag("%s", e.msg);
	tap_is_int(tpu_int(db, "SELECT count(*) FROM calls"), 3, "3 calls");
	tap_is_str(
	    tpu_text(db,
		     "SELECT group_concat(direction || ',' || ifnull(answered, 'NULL') || ',' || "
		     "duration_s || ',' || started_ms || ',' || raw_type, ';') FROM "
		     "(SELECT * FROM calls ORDER BY call_id)"),
	    "incoming,0,0,1383772636690,3;outgoing,NULL,126,1383772733283,2;"
	    "incoming,1,639,1383782616690,1",
	    "types 3 missed, 2 outgoing, 1 incoming");
	tap_is_str(tpu_text(db, "SELECT counterpart FROM calls LIMIT 1"), "5404561685",
		   "number kept as typed");
	sqlite3_close(db);
}

static void test_imessage(void)
{
	const char *path = tpu_shared(0, "samples/apple-messages/plaso_macos/imessage_chat.db");
	sqlite3 *db;
	struct cu_error e;

	if (!have(path))
		return;
	db = tpu_casedb();
	cu_error_clear(&e);
	tap_is_int(
	    tpu_parse(db, "ios-sms", path, "HomeDomain/Library/SMS/sms.db", "ios", NULL, NULL, &e),
	    CU_OK, "macOS chat.db parsed by the sms.db parser");
	if (e.msg[0])
		tap_diag("%s", e.msg);
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages"), 10, "10 messages");
	tap_is_int(tpu_int(db, "SELECT sent_ms FROM messages WHERE source_rowid = 1"),
		   (469908586 + 978307200LL) * 1000, "Cocoa seconds converted");
	tap_is_str(tpu_text(db, "SELECT app || '|' || direction FROM messages WHERE "
				"source_rowid = 2"),
		   "imessage|outgoing", "iMessage service, is_from_me");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM messages WHERE body IS NULL"),
		   sample_int(path, "SELECT count(*) FROM message WHERE text IS NULL"),
		   "no text lost");
	sqlite3_close(db);
}

static void test_addressbook(const char *dir)
{
	const char *josh = tpu_shared(0, "samples/ios-addressbook/josh_ios15/AddressBook.sqlitedb");
	char bk[4200], work[4200];
	sqlite3 *db;
	struct cu_error e;
	struct cu_digests before, after;

	if (!have(josh))
		return;
	snprintf(bk, sizeof(bk), "%s",
		 tpu_shared(1, "samples/ios-addressbook/belkactf6/AddressBook.sqlitedb"));
	db = tpu_casedb();
	cu_error_clear(&e);
	snprintf(work, sizeof(work), "%s/work-josh", dir);
	tap_is_int(tpu_parse(db, "ios-addressbook", josh,
			     "HomeDomain/Library/AddressBook/AddressBook.sqlitedb", "ios", work,
			     NULL, &e),
		   CU_OK, "josh_ios15 AddressBook parsed (staged, WAL checkpointed)");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM contacts"), 9, "9 persons");
	tap_is_str(tpu_text(db, "SELECT display_name || '|' || phone || '|' || email FROM "
				"contacts WHERE source_rowid = 7"),
		   "Josh Hickman|(919) 579-0479, (919) 391-2507|joshuahickman957@gmail.com",
		   "name, phones (ABMultiValue UID order) and email of person 7");
	tap_is_str(tpu_text(db, "SELECT display_name FROM contacts WHERE source_rowid = 2"),
		   "Apple Inc.", "organisation-only card");
	sqlite3_close(db);

	if (!have(bk))
		return;
	cu_error_clear(&e);
	tap_ok(cu_hash_file(bk, CU_HASH_SHA256, &before, &e) == CU_OK, "hash before");
	db = tpu_casedb();
	cu_error_clear(&e);
	tap_is_int(tpu_parse(db, "ios-addressbook", bk,
			     "HomeDomain/Library/AddressBook/AddressBook.sqlitedb", "ios", NULL,
			     NULL, &e),
		   CU_E_FORMAT, "belkactf6 without its WAL: no ABPerson table");
	sqlite3_close(db);
	db = tpu_casedb();
	cu_error_clear(&e);
	snprintf(work, sizeof(work), "%s/work-bk", dir);
	tap_is_int(tpu_parse(db, "ios-addressbook", bk,
			     "HomeDomain/Library/AddressBook/AddressBook.sqlitedb", "ios", work,
			     NULL, &e),
		   CU_OK, "belkactf6 with its WAL checkpointed: parsed");
	tap_is_str(tpu_text(db, "SELECT display_name || '|' || identifier FROM contacts"),
		   "William Phorger|billthemegakill@icloud.com", "the person only the WAL holds");
	tap_is_int(tpu_int(db, "SELECT count(*) FROM sources WHERE derivation = "
			       "'wal-checkpointed working copy' AND derived_from IS NOT NULL"),
		   1, "the WAL-checkpointed copy is recorded as derived");
	sqlite3_close(db);
	cu_error_clear(&e);
	tap_ok(cu_hash_file(bk, CU_HASH_SHA256, &after, &e) == CU_OK &&
		   strcmp(before.sha256, after.sha256) == 0,
	       "the sample is unchanged by parsing");
}

int main(void)
{
	const char *dir = tap_tmpdir("test_parse_samples");

	tap_plan(27);
	cu_log_set_level(CU_LOG_ERROR);
	test_mmssms();
	test_contacts2_calls();
	test_imessage();
	test_addressbook(dir);
	return tap_done();
}
