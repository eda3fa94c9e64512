noinst_LIBRARIES += libcuextract.a
libcuextract_a_CFLAGS = $(AM_CFLAGS) $(PLIST_CFLAGS) $(LIBARCHIVE_CFLAGS) $(ZLIB_CFLAGS) \
	$(IMOBILEDEVICE_CFLAGS) $(USBMUXD_CFLAGS) $(LIBUSB_CFLAGS)
libcuextract_a_SOURCES = extract/extract.h
include extract/import/local.mk
