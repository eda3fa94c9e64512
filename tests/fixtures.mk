# Fixture generators: independent cross-checks of the sample images, and
# every fixtures/apps/*/expected.json against the pipeline. The samples are built into BUILDDIR/tests/samples by
# fixtures/local.mk before the tests run.
FIXTURE_TESTS = tests/e2e/fixtures_apps.sh tests/e2e/fixtures_ios.sh \
	tests/e2e/fixtures_android.sh tests/e2e/fixtures_determinism.sh \
	tests/e2e/fixtures_expected.sh
TESTS += $(FIXTURE_TESTS)
EXTRA_DIST += $(FIXTURE_TESTS) tests/e2e/fixtures_lib.sh tests/harness/expected.py
