# tests for the parser framework and the system parsers (owner: sysparsers)
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
