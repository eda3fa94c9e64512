# tests for the command line itself: secrets, exact options, --json errors.
check_PROGRAMS += tests/unit/test_core_secret
TESTS += tests/unit/test_core_secret
tests_unit_test_core_secret_LDADD = $(CORE_TESTLIBS)
TESTS += tests/e2e/cli_secrets.sh
TESTS += tests/e2e/cli_json.sh
EXTRA_DIST += tests/e2e/cli_secrets.sh tests/e2e/cli_json.sh
