# tests for custody: Merkle trees, custody log, signer, case directory,
# inventory, `custos case init`, `custos custody`, `custos keygen`.
check_PROGRAMS += tests/unit/test_merkle tests/unit/test_custody tests/unit/test_custody_case
TESTS += tests/unit/test_merkle tests/unit/test_custody tests/unit/test_custody_case
check_PROGRAMS += tests/unit/test_custody_signed
TESTS += tests/unit/test_custody_signed
tests_unit_test_custody_signed_LDADD = $(CU_TESTLIBS)
tests_unit_test_merkle_LDADD = $(CU_TESTLIBS)
tests_unit_test_custody_LDADD = $(CU_TESTLIBS)
tests_unit_test_custody_case_LDADD = $(CU_TESTLIBS)

TESTS += tests/e2e/case_init.sh tests/e2e/custody_cli.sh tests/e2e/manifest_change.sh
EXTRA_DIST += tests/e2e/case_init.sh tests/e2e/custody_cli.sh tests/e2e/manifest_change.sh
# Examiners, signed cases, the custody vocabulary and the attack on a
# package's signatures (people_attack.py rewrites a package without the key).
TESTS += tests/e2e/people.sh
EXTRA_DIST += tests/e2e/people.sh tests/e2e/people_attack.py docs/custody.md

# Fuzz target: the custody log verifier and the manifest schema check.
check_PROGRAMS += tests/fuzz/replay_custody_log
TESTS += tests/fuzz/replay_custody_log
tests_fuzz_replay_custody_log_SOURCES = tests/fuzz/fuzz_custody_log.c tests/fuzz/replay.c
tests_fuzz_replay_custody_log_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/custody_log

# Sample seizure manifests (fictitious) for the tests and the quick start.
EXTRA_DIST += fixtures/manifest/README.md fixtures/manifest/sample-seizure.json \
	fixtures/manifest/partial-missing.json fixtures/manifest/invalid-types.json

# The manifest schema: docs/manifest.schema.json is the single source. It
# is installed to $(pkgdatadir) and compiled into core/schema.c as a C
# string generated here (escape \ and ", quote each line), so the binary
# needs no data file and enforces exactly the schema it ships.
manifestschemadir = $(pkgdatadir)
dist_manifestschema_DATA = docs/manifest.schema.json
core/manifest_schema.inc: $(top_srcdir)/docs/manifest.schema.json
	$(AM_V_GEN)$(MKDIR_P) core && \
	$(SED) -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
		$(top_srcdir)/docs/manifest.schema.json >$@.tmp && mv $@.tmp $@
core/schema.$(OBJEXT): core/manifest_schema.inc
CLEANFILES += core/manifest_schema.inc

# Recorded manifest changes and the custody entries that write the manifest.
EXTRA_DIST += docs/manifest-changes.md docs/custody.md
