noinst_LIBRARIES += libcuextract.a
libcuextract_a_CFLAGS = $(AM_CFLAGS) $(PLIST_CFLAGS) $(LIBARCHIVE_CFLAGS) $(ZLIB_CFLAGS) \
	$(IMOBILEDEVICE_CFLAGS) $(USBMUXD_CFLAGS) $(LIBUSB_CFLAGS)
# The evidence writer: one way into the case layout for import, parse's
# derived files and acquisition.
libcuextract_a_SOURCES = extract/extract.h extract/ingest_int.h extract/ingest.c
include extract/formats/local.mk
include extract/import/local.mk
