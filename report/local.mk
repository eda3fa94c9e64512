noinst_LIBRARIES += libcureport.a
libcureport_a_CFLAGS = $(AM_CFLAGS) $(LIBZIP_CFLAGS) $(QRENCODE_CFLAGS) $(ZLIB_CFLAGS) $(LIBDEFLATE_CFLAGS) \
	$(XLSXWRITER_CFLAGS)
libcureport_a_SOURCES = report/report.h
include report/seal.mk
include report/html.mk
libcureport_a_SOURCES += report/hits_int.h report/report_hits.c
include report/export.mk
