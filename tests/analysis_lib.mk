# The matching library of analysis/: lexicon, normalisation, scanner,
# identifier validators. Tests read the lexicon of the source tree.
AM_TESTS_ENVIRONMENT += CUSTOS_DATADIR='$(abs_top_srcdir)/data'; export CUSTOS_DATADIR;
