# tests for the parser framework and the system parsers (owner: sysparsers)
PARSE_TEST_UTIL = tests/unit/test_parse_util.c tests/unit/test_parse_util.h
check_PROGRAMS += tests/unit/test_parse
TESTS += tests/unit/test_parse
tests_unit_test_parse_SOURCES = tests/unit/test_parse.c $(PARSE_TEST_UTIL)
tests_unit_test_parse_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/data/parsers
