# analysis/: code words from the lexicon, validated identifiers, the
# analysis of a case. The lexicon is data (data/lexicon/*.tsv), installed
# under $(pkgdatadir)/lexicon; CUSTOS_DATADIR overrides the directory.
noinst_LIBRARIES += libcuanalysis.a
libcuanalysis_a_CPPFLAGS = $(AM_CPPFLAGS) -DCU_PKGDATADIR='"$(pkgdatadir)"'
libcuanalysis_a_CFLAGS = $(AM_CFLAGS)
libcuanalysis_a_SOURCES = analysis/analysis.h analysis/analysis_int.h \
	analysis/lexicon.c analysis/normalize.c analysis/matcher.c \
	analysis/ident.c analysis/keccak.c
include analysis/case.mk

lexicondir = $(pkgdatadir)/lexicon
dist_lexicon_DATA = data/lexicon/README.md data/lexicon/drugs.tsv \
	data/lexicon/emoji.tsv data/lexicon/exclusions.tsv
