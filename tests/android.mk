# tests for extract/android/ (the ADB host stack): unit tests over the
# in-memory transport pair with a scripted fake device, USB enumeration
# under umockdev, fuzz targets over the packet parser and the sync reader.
check_PROGRAMS += tests/unit/test_adb
TESTS += tests/unit/test_adb
tests_unit_test_adb_LDADD = $(CU_TESTLIBS)

# Fuzz targets (replayed over their corpus by `make check`): the packet
# parser behind a whole connection, and the sync reader.
check_PROGRAMS += tests/fuzz/replay_adb_packet tests/fuzz/replay_adb_sync
TESTS += tests/fuzz/replay_adb_packet tests/fuzz/replay_adb_sync
tests_fuzz_replay_adb_packet_SOURCES = tests/fuzz/fuzz_adb_packet.c tests/fuzz/replay.c
tests_fuzz_replay_adb_packet_LDADD = $(CU_TESTLIBS)
tests_fuzz_replay_adb_sync_SOURCES = tests/fuzz/fuzz_adb_sync.c tests/fuzz/replay.c
tests_fuzz_replay_adb_sync_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/adb_packet tests/fuzz/corpus/adb_sync

# USB enumeration and endpoint choice under umockdev (tests/data/adb/
# mk_umockdev.py writes the fake devices): adb_usb_scan prints what the USB
# layer finds.
check_PROGRAMS += tests/unit/adb_usb_scan
tests_unit_adb_usb_scan_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/adb_usb.sh
EXTRA_DIST += tests/e2e/adb_usb.sh tests/data/adb/mk_umockdev.py

# The library over TCP against the simulated adbd (tests/sim/): adb_tool is a
# small client over adb.h (shell, exec, stat, ls, pull, devices).
check_PROGRAMS += tests/unit/adb_tool
tests_unit_adb_tool_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/adb_tcp_sim.sh
EXTRA_DIST += tests/e2e/adb_tcp_sim.sh

# Bulk I/O, zero-length packets, kernel-driver detach, BUSY and a vanished
# device through the real libusb code path: libumockdev's ioctl handler plays
# the phone behind /dev/bus/usb (the program runs under umockdev-wrapper).
check_PROGRAMS += tests/unit/test_adb_usb_io
tests_unit_test_adb_usb_io_CFLAGS = $(AM_CFLAGS) $(UMOCKDEV_CFLAGS)
tests_unit_test_adb_usb_io_LDADD = $(CU_TESTLIBS) $(UMOCKDEV_LIBS)
TESTS += tests/e2e/adb_usb_io.sh
EXTRA_DIST += tests/e2e/adb_usb_io.sh
