# Manifest, seal, verify, CASE/UCO export.
libcureport_a_SOURCES += report/library.c report/seal.c report/seal_int.h report/sealutil.c \
	report/caseuco.c report/verify.c report/chain.c \
	report/seal_files.c report/textout.c report/zipwrite.c \
	report/zipmap.c report/zipmap.h
# VERIFY.md and verify.sh are kept as plain files and packed byte for byte.
nodist_libcureport_a_SOURCES = report/sealtext.c
CLEANFILES += report/sealtext.c
EXTRA_DIST += report/VERIFY.md.in report/verify.sh.in report/sealtext.awk
report/sealtext.c: $(top_srcdir)/report/VERIFY.md.in $(top_srcdir)/report/verify.sh.in \
		$(top_srcdir)/report/sealtext.awk
	$(AM_V_GEN)$(MKDIR_P) report && \
	$(AWK) -f $(top_srcdir)/report/sealtext.awk $(top_srcdir)/report/VERIFY.md.in \
		$(top_srcdir)/report/verify.sh.in >$@.tmp && mv $@.tmp $@
