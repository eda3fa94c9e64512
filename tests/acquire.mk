# Android acquisition against the simulated phone (tests/sim/), end to end.
TESTS += tests/e2e/acquire_android.sh
EXTRA_DIST += tests/e2e/acquire_android.sh
# iOS acquisition against the simulated iPhone (tests/sim/iphone_sim.py), end to end.
TESTS += tests/e2e/acquire_ios.sh
EXTRA_DIST += tests/e2e/acquire_ios.sh
# The iOS driver's spool without a phone: nothing the phone does after
# sending a file loses it (acquire_int.h).
check_PROGRAMS += tests/unit/test_ios_acquire
TESTS += tests/unit/test_ios_acquire
tests_unit_test_ios_acquire_LDADD = $(CU_TESTLIBS)
