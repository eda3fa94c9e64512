# Android acquisition against the simulated phone (tests/sim/), end to end.
TESTS += tests/e2e/acquire_android.sh
EXTRA_DIST += tests/e2e/acquire_android.sh
# iOS acquisition against the simulated iPhone (tests/sim/iphone_sim.py), end to end.
TESTS += tests/e2e/acquire_ios.sh
EXTRA_DIST += tests/e2e/acquire_ios.sh
