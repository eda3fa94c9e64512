# Image import: the driver and the format handlers.
libcuextract_a_SOURCES += extract/import/import_int.h extract/import/import.c \
	extract/import/android_archive.c extract/import/android_ab.c \
	extract/import/ios_backup.c extract/import/ios_crypto.c
