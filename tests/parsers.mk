# tests for the parser framework and the system parsers
PARSE_TEST_UTIL = tests/unit/test_parse_util.c tests/unit/test_parse_util.h
check_PROGRAMS += tests/unit/test_parse
TESTS += tests/unit/test_parse
tests_unit_test_parse_SOURCES = tests/unit/test_parse.c $(PARSE_TEST_UTIL)
tests_unit_test_parse_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/data/parsers
check_PROGRAMS += tests/unit/test_banksms
TESTS += tests/unit/test_banksms
tests_unit_test_banksms_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/unit/test_parse_samples
TESTS += tests/unit/test_parse_samples
tests_unit_test_parse_samples_SOURCES = tests/unit/test_parse_samples.c $(PARSE_TEST_UTIL)
tests_unit_test_parse_samples_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/parse_system.sh
EXTRA_DIST += tests/e2e/parse_system.sh \
	tests/golden/parse_system_conversations.txt tests/golden/parse_system_messages.txt \
	tests/golden/parse_system_contacts.txt tests/golden/parse_system_calls.txt \
	tests/golden/parse_system_payments.txt tests/golden/parse_system_items.txt \
	tests/golden/parse_system_warnings.txt
check_PROGRAMS += tests/fuzz/replay_parse_sms_ios
TESTS += tests/fuzz/replay_parse_sms_ios
tests_fuzz_replay_parse_sms_ios_SOURCES = tests/fuzz/fuzz_parse_sms_ios.c tests/fuzz/replay.c
tests_fuzz_replay_parse_sms_ios_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_sms_ios
check_PROGRAMS += tests/fuzz/replay_parse_addressbook_ios
TESTS += tests/fuzz/replay_parse_addressbook_ios
tests_fuzz_replay_parse_addressbook_ios_SOURCES = tests/fuzz/fuzz_parse_addressbook_ios.c tests/fuzz/replay.c
tests_fuzz_replay_parse_addressbook_ios_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_addressbook_ios
check_PROGRAMS += tests/fuzz/replay_parse_callhistory_ios
TESTS += tests/fuzz/replay_parse_callhistory_ios
tests_fuzz_replay_parse_callhistory_ios_SOURCES = tests/fuzz/fuzz_parse_callhistory_ios.c tests/fuzz/replay.c
tests_fuzz_replay_parse_callhistory_ios_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_callhistory_ios
check_PROGRAMS += tests/fuzz/replay_parse_mmssms_android
TESTS += tests/fuzz/replay_parse_mmssms_android
tests_fuzz_replay_parse_mmssms_android_SOURCES = tests/fuzz/fuzz_parse_mmssms_android.c tests/fuzz/replay.c
tests_fuzz_replay_parse_mmssms_android_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_mmssms_android
check_PROGRAMS += tests/fuzz/replay_parse_contacts2_android
TESTS += tests/fuzz/replay_parse_contacts2_android
tests_fuzz_replay_parse_contacts2_android_SOURCES = tests/fuzz/fuzz_parse_contacts2_android.c tests/fuzz/replay.c
tests_fuzz_replay_parse_contacts2_android_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_contacts2_android
check_PROGRAMS += tests/fuzz/replay_parse_calllog_android
TESTS += tests/fuzz/replay_parse_calllog_android
tests_fuzz_replay_parse_calllog_android_SOURCES = tests/fuzz/fuzz_parse_calllog_android.c tests/fuzz/replay.c
tests_fuzz_replay_parse_calllog_android_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_calllog_android
check_PROGRAMS += tests/fuzz/replay_parse_banksms
TESTS += tests/fuzz/replay_parse_banksms
tests_fuzz_replay_parse_banksms_SOURCES = tests/fuzz/fuzz_parse_banksms.c tests/fuzz/replay.c
tests_fuzz_replay_parse_banksms_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_banksms
check_PROGRAMS += tests/fuzz/replay_parse_typedstream
TESTS += tests/fuzz/replay_parse_typedstream
tests_fuzz_replay_parse_typedstream_SOURCES = tests/fuzz/fuzz_parse_typedstream.c tests/fuzz/replay.c
tests_fuzz_replay_parse_typedstream_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_typedstream
EXTRA_DIST += tests/fuzz/fuzz_parse_common.h
TESTS += tests/e2e/parse_images.sh
EXTRA_DIST += tests/e2e/parse_images.sh
check_PROGRAMS += tests/fuzz/replay_parse_wal
TESTS += tests/fuzz/replay_parse_wal
tests_fuzz_replay_parse_wal_SOURCES = tests/fuzz/fuzz_parse_wal.c tests/fuzz/replay.c
tests_fuzz_replay_parse_wal_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_wal
# table specs and the toolkit's time policy
check_PROGRAMS += tests/unit/test_spec
TESTS += tests/unit/test_spec
tests_unit_test_spec_LDADD = $(CU_TESTLIBS)
# `content query` output of an ADB acquisition: hostile bodies, the parsers
check_PROGRAMS += tests/unit/test_content_query
TESTS += tests/unit/test_content_query
tests_unit_test_content_query_SOURCES = tests/unit/test_content_query.c $(PARSE_TEST_UTIL)
tests_unit_test_content_query_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/fuzz/replay_content_query
TESTS += tests/fuzz/replay_content_query
tests_fuzz_replay_content_query_SOURCES = tests/fuzz/fuzz_content_query.c tests/fuzz/replay.c
tests_fuzz_replay_content_query_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/content_query
# recovery inside parse: deleted rows stored with provenance, damaged files
TESTS += tests/e2e/parse_recover.sh tests/e2e/parse_damaged.sh
EXTRA_DIST += tests/e2e/parse_recover.sh tests/e2e/parse_damaged.sh
