# The simulated phone (tests/sim/): a simulated adbd over TCP (Python 3 stdlib) serving a
# fixture /sdcard tree and canned command outputs, proved faithful with Debian's `adb`
# (sim_adb.sh) and checked fault by fault with a raw client (sim_faults.sh).
TESTS += tests/e2e/sim_adb.sh tests/e2e/sim_faults.sh
EXTRA_DIST += tests/e2e/sim_adb.sh tests/e2e/sim_faults.sh \
	tests/sim/README.md tests/sim/adbd_sim.py tests/sim/start.sh tests/sim/mk_phone.py tests/sim/adb_raw.py \
	tests/sim/phone \
	tests/sim/iphone_sim.py tests/sim/ios_start.sh
