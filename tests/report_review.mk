# tests of the report for review: attachment safety, long messages, time
# zones, search/sort/filters in headless Chromium.
TESTS += tests/e2e/report_safety.sh
EXTRA_DIST += tests/e2e/report_safety.sh tests/data/report/safety-sms.sql
