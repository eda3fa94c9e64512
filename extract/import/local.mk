# Image import: the driver (source, item, manifest, custody entries).
libcuextract_a_SOURCES += extract/import/import_int.h extract/import/import.c
