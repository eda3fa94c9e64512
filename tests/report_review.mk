# tests of the report for review: attachment safety, long messages, time
# zones, search/sort/filters in headless Chromium.
TESTS += tests/e2e/report_safety.sh tests/e2e/report_tz.sh tests/e2e/report_review.sh tests/e2e/report_coverage.sh tests/e2e/verify_sh_stream.sh
EXTRA_DIST += tests/e2e/verify_sh_stream.sh tests/e2e/report_coverage.sh tests/e2e/report_review.sh tests/e2e/report_tz.sh tests/e2e/report_safety.sh tests/data/report/safety-sms.sql
check_PROGRAMS += tests/unit/test_time_zone
TESTS += tests/unit/test_time_zone
tests_unit_test_time_zone_LDADD = $(CORE_TESTLIBS)
EXTRA_DIST += bench/report_search.sh bench/report_search.mjs bench/sms_gen.sh
