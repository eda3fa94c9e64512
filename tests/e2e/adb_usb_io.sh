#!/bin/sh
# adb_usb_io.sh - runs tests/unit/test_adb_usb_io (a TAP program) under
# umockdev-wrapper, which preloads the fake /sys and /dev it needs.
command -v umockdev-wrapper >/dev/null 2>&1 ||
	{ echo "Bail out! umockdev-wrapper not installed: run scripts/install-deps (Debian package umockdev)"; exit 1; }
# umockdev is an LD_PRELOAD library: an ASan build (make check-asan) must not insist
# on coming first in the library list.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
TESTTMP=${TESTTMP:-/tmp} exec timeout -k 5 120 umockdev-wrapper "$BUILDDIR/tests/unit/test_adb_usb_io"
