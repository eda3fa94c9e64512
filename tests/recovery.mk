# Deleted-record recovery from SQLite files (parsers/recovery): unit tests
# on databases built with the sqlite3 library, and the fuzz target.
check_PROGRAMS += tests/unit/test_recover
TESTS += tests/unit/test_recover
tests_unit_test_recover_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/fuzz/replay_recover
TESTS += tests/fuzz/replay_recover
tests_fuzz_replay_recover_SOURCES = tests/fuzz/fuzz_recover.c tests/fuzz/replay.c
tests_fuzz_replay_recover_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/recover
