# Image import (issue 4).
libcuextract_a_SOURCES += extract/import/import.c
