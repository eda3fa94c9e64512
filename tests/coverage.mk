# coverage of a parse: ciphertext-looking bodies, files not examined,
# WhatsApp Android backups, the real-phone-shaped fixture
check_PROGRAMS += tests/unit/test_ciphertext
TESTS += tests/unit/test_ciphertext
tests_unit_test_ciphertext_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/parse_phone_real.sh
EXTRA_DIST += tests/e2e/parse_phone_real.sh
check_PROGRAMS += tests/unit/test_coverage
TESTS += tests/unit/test_coverage
tests_unit_test_coverage_SOURCES = tests/unit/test_coverage.c $(PARSE_TEST_UTIL)
tests_unit_test_coverage_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/fuzz/replay_parse_coverage
TESTS += tests/fuzz/replay_parse_coverage
tests_fuzz_replay_parse_coverage_SOURCES = tests/fuzz/fuzz_parse_coverage.c tests/fuzz/replay.c
tests_fuzz_replay_parse_coverage_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/parse_coverage
