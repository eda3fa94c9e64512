# tests for report (issue 6): escaping, display helpers, report/forms e2e.
check_PROGRAMS += tests/unit/test_escape
TESTS += tests/unit/test_escape
tests_unit_test_escape_LDADD = $(CU_TESTLIBS)

TESTS += tests/e2e/report_hostile.sh
EXTRA_DIST += tests/e2e/report_hostile.sh tests/data/report/hostile-sms.sql \
	tests/data/report/hostile-manifest.json

TESTS += tests/e2e/run_sample.sh
EXTRA_DIST += tests/e2e/run_sample.sh
EXTRA_DIST += bench/report.sh
