# tests for core (owner: core): one TAP program per module.
CORE_UNIT_TESTS = \
	tests/unit/test_core_error \
	tests/unit/test_core_buf \
	tests/unit/test_core_str
check_PROGRAMS += $(CORE_UNIT_TESTS)
TESTS += $(CORE_UNIT_TESTS)
tests_unit_test_core_error_LDADD = $(CU_TESTLIBS)
tests_unit_test_core_buf_LDADD = $(CU_TESTLIBS)
tests_unit_test_core_str_LDADD = $(CU_TESTLIBS)
