# Android acquisition against the simulated phone (tests/sim/), end to end.
TESTS += tests/e2e/acquire_android.sh
EXTRA_DIST += tests/e2e/acquire_android.sh
