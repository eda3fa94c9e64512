# The simulated phone (tests/sim/): a simulated adbd over TCP (Python 3 stdlib) serving a
# fixture /sdcard tree and canned command outputs, proved faithful with Debian's `adb`
# (sim_adb.sh) and checked fault by fault with a raw client (sim_faults.sh); and a simulated
# iPhone behind a fake usbmuxd (iphone_sim.py), proved with Debian's libimobiledevice tools
# (sim_ios.sh).
TESTS += tests/e2e/sim_adb.sh tests/e2e/sim_faults.sh tests/e2e/sim_ios.sh
EXTRA_DIST += tests/e2e/sim_adb.sh tests/e2e/sim_faults.sh tests/e2e/sim_ios.sh \
	tests/sim/README.md tests/sim/adbd_sim.py tests/sim/start.sh tests/sim/mk_phone.py tests/sim/adb_raw.py \
	tests/sim/phone \
	tests/sim/iphone_sim.py tests/sim/ios_start.sh
