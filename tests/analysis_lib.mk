# The matching library of analysis/: lexicon, normalisation, scanner,
# identifier validators. Tests read the lexicon of the source tree.
AM_TESTS_ENVIRONMENT += CUSTOS_DATADIR='$(abs_top_srcdir)/data'; export CUSTOS_DATADIR;

ANALYSIS_LIB_TESTS = tests/unit/test_analysis_ident
tests_unit_test_analysis_ident_LDADD = $(CU_TESTLIBS)
ANALYSIS_LIB_TESTS += tests/unit/test_analysis_scan
tests_unit_test_analysis_scan_LDADD = $(CU_TESTLIBS)
check_PROGRAMS += $(ANALYSIS_LIB_TESTS)
TESTS += $(ANALYSIS_LIB_TESTS)
