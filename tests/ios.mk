# tests for extract/ios/ (the device layer over libimobiledevice): the pure
# DeviceLink checks, their fuzz target, and a small driver of the device
# API (ios_tool) run against the simulated iPhone (tests/sim/).
check_PROGRAMS += tests/unit/test_ios_dl
TESTS += tests/unit/test_ios_dl
tests_unit_test_ios_dl_LDADD = $(CU_TESTLIBS)

check_PROGRAMS += tests/fuzz/replay_ios_dl
TESTS += tests/fuzz/replay_ios_dl
tests_fuzz_replay_ios_dl_SOURCES = tests/fuzz/fuzz_ios_dl.c tests/fuzz/replay.c
tests_fuzz_replay_ios_dl_LDADD = $(CU_TESTLIBS)
EXTRA_DIST += tests/fuzz/corpus/ios_dl

# The device layer against the simulated iPhone (tests/sim/iphone_sim.py):
# ios_tool is a small client over device.h (list, values, apps, AFC, backup).
check_PROGRAMS += tests/unit/ios_tool
tests_unit_ios_tool_LDADD = $(CU_TESTLIBS)
TESTS += tests/e2e/ios_device.sh
EXTRA_DIST += tests/e2e/ios_device.sh
