# The matching library of analysis/: lexicon, normalisation, scanner,
# identifier validators. Tests read the lexicon of the source tree.
AM_TESTS_ENVIRONMENT += CUSTOS_DATADIR='$(abs_top_srcdir)/data'; export CUSTOS_DATADIR;

ANALYSIS_LIB_TESTS = tests/unit/test_analysis_ident
check_PROGRAMS += $(ANALYSIS_LIB_TESTS)
TESTS += $(ANALYSIS_LIB_TESTS)
tests_unit_test_analysis_ident_LDADD = $(CU_TESTLIBS)
