# tests for custody: Merkle trees, custody log, signer, case directory,
# inventory, `custos case init`, `custos custody`, `custos keygen`.
check_PROGRAMS += tests/unit/test_merkle
TESTS += tests/unit/test_merkle
tests_unit_test_merkle_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += tests/unit/test_custody
TESTS += tests/unit/test_custody
tests_unit_test_custody_LDADD = $(CU_TESTLIBS)
