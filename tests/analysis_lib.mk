# The matching library of analysis/: lexicon, normalisation, scanner,
# identifier validators. Tests read the lexicon of the source tree.
AM_TESTS_ENVIRONMENT += CUSTOS_DATADIR='$(abs_top_srcdir)/data'; export CUSTOS_DATADIR;

ANALYSIS_LIB_TESTS = tests/unit/test_analysis_ident
tests_unit_test_analysis_ident_LDADD = $(CU_TESTLIBS)
ANALYSIS_LIB_TESTS += tests/unit/test_analysis_scan
tests_unit_test_analysis_scan_LDADD = $(CU_TESTLIBS)
ANALYSIS_LIB_TESTS += tests/unit/test_analysis_lexicon
tests_unit_test_analysis_lexicon_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += $(ANALYSIS_LIB_TESTS)
TESTS += $(ANALYSIS_LIB_TESTS)

# The scanner's fuzz target, its corpus replayed by make check.
check_PROGRAMS += tests/fuzz/replay_scan
TESTS += tests/fuzz/replay_scan
tests_fuzz_replay_scan_SOURCES = tests/fuzz/fuzz_scan.c tests/fuzz/replay.c
tests_fuzz_replay_scan_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/scan

# The scanner benchmark's driver (bench/analyze_scan.sh): built with the
# checks so it keeps compiling; never installed.
check_PROGRAMS += bench/analyze_scan_bench
bench_analyze_scan_bench_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += bench/analyze_scan.sh
