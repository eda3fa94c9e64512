# coverage of a parse: ciphertext-looking bodies, files not examined,
# WhatsApp Android backups, the real-phone-shaped fixture
check_PROGRAMS += tests/unit/test_ciphertext
TESTS += tests/unit/test_ciphertext
tests_unit_test_ciphertext_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/parse_phone_real.sh
EXTRA_DIST += tests/e2e/parse_phone_real.sh
