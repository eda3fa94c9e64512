# Deleted-record recovery from SQLite files (parsers/recovery): unit tests
# on databases built with the sqlite3 library, and the fuzz target.
RECOVER_TEST_UTIL = tests/unit/test_recover_util.c tests/unit/test_recover_util.h
check_PROGRAMS += tests/unit/test_recover tests/unit/test_recover_wal \
	tests/unit/test_recover_schema
TESTS += tests/unit/test_recover tests/unit/test_recover_wal tests/unit/test_recover_schema
tests_unit_test_recover_SOURCES = tests/unit/test_recover.c $(RECOVER_TEST_UTIL)
tests_unit_test_recover_LDADD = $(CU_TESTLIBS)
tests_unit_test_recover_wal_SOURCES = tests/unit/test_recover_wal.c $(RECOVER_TEST_UTIL)
tests_unit_test_recover_wal_LDADD = $(CU_TESTLIBS)
tests_unit_test_recover_schema_SOURCES = tests/unit/test_recover_schema.c $(RECOVER_TEST_UTIL)
tests_unit_test_recover_schema_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/fuzz/replay_recover
TESTS += tests/fuzz/replay_recover
tests_fuzz_replay_recover_SOURCES = tests/fuzz/fuzz_recover.c tests/fuzz/replay.c
tests_fuzz_replay_recover_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/recover
