# Image formats apart from their sources: the table with detectors, and
# one decoder per format (directory walk, tar/zip, adb backup, iOS backup).
libcuextract_a_SOURCES += extract/formats/formats.h extract/formats/formats.c \
	extract/formats/dir.c extract/formats/archive.c extract/formats/android_ab.c \
	extract/formats/ios_backup.c extract/formats/ios_crypto.c
