#!/bin/sh
# adb_usb.sh - USB enumeration and endpoint choice of the ADB layer under
# umockdev (a fake sysfs/udev and /dev with device descriptors, no
# hardware, no root): the ADB interface (ff/42/01) found beside MTP on a
# composite device, its bulk endpoints and wMaxPacketSize (512 and 64),
# the serial from sysfs or the port when there is none, devices without
# a usable ADB interface (MTP only, one bulk endpoint, fastboot) left out,
# a stable order, device selection by serial, and `custos devices`-style
# listing that never fails for a device it cannot talk to.
. "$SRCDIR/tests/harness/tap.sh"
tap_setup adb_usb
tap_plan 11

SCAN=$BUILDDIR/tests/unit/adb_usb_scan
# umockdev is an LD_PRELOAD library: an ASan build (make check-asan) must not insist
# on coming first in the library list.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
must python3 "$SRCDIR/tests/data/adb/mk_umockdev.py" "$T/dev"
set --
for f in "$T"/dev/*.umockdev; do set -- "$@" --device "$f"; done
export CUSTOS_ADB_KEY="$T/adbkey"
um() { timeout -k 5 60 umockdev-run "$@" -- "$SCAN" ${SCAN_ARGS:-}; }

um "$@" >"$T/scan.out" 2>"$T/scan.err"
ok $? "scan runs under umockdev-run"
is "$(sed -n 1p "$T/scan.out")" "PIXEL123 1-2 18d1:4ee7 if=1 alt=0 in=0x83/512 out=0x02/512" \
	"composite MTP + ADB: interface 1, bulk 0x83/0x02, 512-byte packets"
is "$(sed -n 2p "$T/scan.out")" "OLD64 1-3 0bb4:0c02 if=0 alt=0 in=0x81/64 out=0x01/64" \
	"full speed: 64-byte packets, OUT listed first still paired right"
is "$(sed -n 3p "$T/scan.out")" "usb:1-4 1-4 2717:ff48 if=0 alt=0 in=0x81/512 out=0x01/512" \
	"no serial: named by its port"
is "$(wc -l <"$T/scan.out")" 3 "MTP-only, one-endpoint ADB and fastboot interfaces left out"

SCAN_ARGS=--list um "$@" >"$T/list.out" 2>"$T/list.err"
ok $? "listing does not fail when devices do not answer"
is "$(cut -d' ' -f1-3 "$T/list.out" | tr '\n' ' ')" \
	"PIXEL123 usb offline OLD64 usb offline usb:1-4 usb offline " \
	"each ADB device listed with transport and state"
like "$(sed -n 1p "$T/list.out")" "advice=.*PIXEL123" "an offline device says why"

SCAN_ARGS="--open -" um "$@" >"$T/open.out" 2>&1
like "$(cat "$T/open.out")" "^usage error: several USB Android devices.*--device SERIAL" \
	"no serial with several devices: asks for --device"
SCAN_ARGS="--open NOPE" um "$@" >"$T/open.out" 2>&1
like "$(cat "$T/open.out")" "^device error: no USB Android device with serial 'NOPE'" \
	"an absent serial is a device error"
SCAN_ARGS="--open OLD64" um --device "$T/dev/1-3.umockdev" >"$T/open.out" 2>&1
like "$(cat "$T/open.out")" "^device error: adb device OLD64 \(usb 1-3\): " \
	"the chosen device is opened and claimed (I/O then fails: no device behind umockdev)"
tap_done
