# tests for extract/android/ (the ADB host stack): unit tests over the
# in-memory transport pair with a scripted fake device, USB enumeration
# under umockdev, fuzz targets over the packet parser and the sync reader.
check_PROGRAMS += tests/unit/test_adb
TESTS += tests/unit/test_adb
tests_unit_test_adb_LDADD = $(CU_TESTLIBS)
