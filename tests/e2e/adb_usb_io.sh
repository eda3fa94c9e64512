#!/bin/sh
# adb_usb_io.sh - runs tests/unit/test_adb_usb_io (a TAP program) under
# umockdev-wrapper, which preloads the fake /sys and /dev it needs.
command -v umockdev-wrapper >/dev/null 2>&1 ||
	{ echo "Bail out! umockdev-wrapper not installed: run scripts/install-deps (Debian package umockdev)"; exit 1; }
TESTTMP=${TESTTMP:-/tmp} exec timeout -k 5 120 umockdev-wrapper "$BUILDDIR/tests/unit/test_adb_usb_io"
