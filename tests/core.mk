# tests for core: one TAP program per module.
CORE_UNIT_TESTS = \
	tests/unit/test_core_error \
	tests/unit/test_core_buf \
	tests/unit/test_core_str \
	tests/unit/test_core_path \
	tests/unit/test_core_hash \
	tests/unit/test_core_json \
	tests/unit/test_core_time \
	tests/unit/test_core_progress
# Core tests link only core, so they keep working while other folders change.
CORE_TESTLIBS = tests/harness/libtap.a libcucore.a $(JANSSON_LIBS) $(CRYPTO_LIBS) $(PTHREAD_LIBS)
check_PROGRAMS += $(CORE_UNIT_TESTS)
TESTS += $(CORE_UNIT_TESTS)
tests_unit_test_core_error_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_buf_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_str_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_path_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_hash_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_json_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_time_LDADD = $(CORE_TESTLIBS)
tests_unit_test_core_progress_LDADD = $(CORE_TESTLIBS)
# Hash benchmark (bench/hash.sh, run by "make bench"); the helper program
# is built with the checks so it stays compiling.
check_PROGRAMS += bench/hash_bench
bench_hash_bench_LDADD = $(CORE_TESTLIBS)
EXTRA_DIST += bench/hash.sh
# Fuzz target for hostile text handled by core (paths, JSON, time, base64).
check_PROGRAMS += tests/fuzz/replay_core_text
TESTS += tests/fuzz/replay_core_text
tests_fuzz_replay_core_text_SOURCES = tests/fuzz/fuzz_core_text.c tests/fuzz/replay.c
tests_fuzz_replay_core_text_LDADD = $(CORE_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/core_text
