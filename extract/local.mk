noinst_LIBRARIES += libcuextract.a
libcuextract_a_CFLAGS = $(AM_CFLAGS) $(PLIST_CFLAGS) $(LIBARCHIVE_CFLAGS) $(ZLIB_CFLAGS)
# The evidence writer: one way into the case layout for import, parse's
# derived files and acquisition.
libcuextract_a_SOURCES = extract/extract.h extract/ingest_int.h extract/ingest.c extract/case_record.c extract/record_int.h
include extract/formats/local.mk
include extract/import/local.mk

# A device library's headers only in the folder that wraps it: extract/ios/
# (libimobiledevice, libplist, libusbmuxd) and extract/android/ (libusb) are
# libraries of their own, built with only their own CFLAGS.
noinst_LIBRARIES += libcuextractios.a libcuextractandroid.a
libcuextractios_a_CFLAGS = $(AM_CFLAGS) $(IMOBILEDEVICE_CFLAGS) $(PLIST_CFLAGS) $(USBMUXD_CFLAGS)
libcuextractios_a_SOURCES = extract/ios/library.c extract/ios/device.h extract/ios/device_int.h extract/ios/device.c \
	extract/ios/backup.c extract/ios/dl.h extract/ios/dl.c extract/ios/plistjson.h
libcuextractandroid_a_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS)
libcuextractandroid_a_SOURCES = extract/android/library.c extract/android/adb.h \
	extract/android/adb_int.h extract/android/stream.h extract/android/packet.c \
	extract/android/transport.c extract/android/usb.c extract/android/auth.c \
	extract/android/adb.c extract/android/sync.c extract/android/devices.c
# Android acquisition: the driver over the ADB stack (adb.h); no libusb
# header here, so it lives in libcuextract beside the writer it uses.
libcuextract_a_SOURCES += extract/android/acquire_int.h extract/android/acquire.c
# iOS acquisition: the driver over the device layer (extract/ios/device.h,
# no libimobiledevice type in it) and the evidence writer; libplist only
# for the Info.plist it writes.
libcuextract_a_SOURCES += extract/ios/acquire_int.h extract/ios/acquire.c
