# tests for seal: the sealed evidence package and verify
# mkcase fills a case through the core API the way an import does.
check_PROGRAMS += tests/unit/mkcase
tests_unit_mkcase_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/seal.sh tests/e2e/verify_tamper.sh tests/e2e/seal_encrypt.sh tests/e2e/seal_import.sh \
	tests/e2e/seal_readahead.sh
EXTRA_DIST += tests/e2e/seal.sh tests/e2e/verify_tamper.sh tests/e2e/seal_encrypt.sh tests/e2e/seal_import.sh \
	tests/e2e/seal_readahead.sh \
	tests/e2e/seal_check.py tests/e2e/seal-manifest.json bench/seal.sh
# Hostile packages through custos verify (libFuzzer target, corpus replay).
check_PROGRAMS += tests/fuzz/replay_seal_verify
TESTS += tests/fuzz/replay_seal_verify
tests_fuzz_replay_seal_verify_SOURCES = tests/fuzz/fuzz_seal_verify.c tests/fuzz/replay.c
tests_fuzz_replay_seal_verify_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/seal_verify
check_PROGRAMS += tests/unit/test_seal
TESTS += tests/unit/test_seal
tests_unit_test_seal_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/seal_large.sh tests/e2e/seal_chain.sh tests/e2e/seal_incomplete.sh tests/e2e/seal_torn.sh
EXTRA_DIST += tests/e2e/seal_large.sh tests/e2e/seal_chain.sh tests/e2e/seal_incomplete.sh tests/e2e/seal_torn.sh
# Every byte of the zip accounted for (custos verify and verify.sh).
TESTS += tests/e2e/verify_zip.sh
EXTRA_DIST += tests/e2e/verify_zip.sh tests/e2e/zip_tamper.py
# custos verify of 50,000 tiny files at bounded memory (peak RSS < 64 MB).
TESTS += tests/e2e/verify_many.sh
EXTRA_DIST += tests/e2e/verify_many.sh
# The zip layout reader of custos verify on hostile bytes (libFuzzer target,
# corpus replay).
check_PROGRAMS += tests/fuzz/replay_verify_zipmap
TESTS += tests/fuzz/replay_verify_zipmap
tests_fuzz_replay_verify_zipmap_SOURCES = tests/fuzz/fuzz_verify_zipmap.c tests/fuzz/replay.c
tests_fuzz_replay_verify_zipmap_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/verify_zipmap
check_PROGRAMS += tests/unit/test_zipmap
TESTS += tests/unit/test_zipmap
tests_unit_test_zipmap_LDADD = $(CU_TESTLIBS)
# Tamper matrix: one value of every custody entry kind changed, as is and
# re-chained, in unsigned, seal-signed and signed-case packages.
TESTS += tests/e2e/verify_matrix.sh
EXTRA_DIST += tests/e2e/verify_matrix.sh tests/e2e/custody_tamper.py
