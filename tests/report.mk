# tests for report: escaping, display helpers, report/forms e2e.
check_PROGRAMS += tests/unit/test_escape
TESTS += tests/unit/test_escape
tests_unit_test_escape_LDADD = $(CU_TESTLIBS)

TESTS += tests/e2e/report_hostile.sh
EXTRA_DIST += tests/e2e/report_hostile.sh tests/data/report/hostile-sms.sql \
	tests/data/report/hostile-manifest.json

TESTS += tests/e2e/run_sample.sh
EXTRA_DIST += tests/e2e/run_sample.sh
EXTRA_DIST += bench/report.sh

check_PROGRAMS += tests/fuzz/replay_report_escape
TESTS += tests/fuzz/replay_report_escape
tests_fuzz_replay_report_escape_SOURCES = tests/fuzz/fuzz_report_escape.c tests/fuzz/replay.c
tests_fuzz_replay_report_escape_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/report_escape

TESTS += tests/e2e/report_forms.sh
EXTRA_DIST += tests/e2e/report_forms.sh
