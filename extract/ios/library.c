/*
 * library.c - the libraries extract/ios/ wraps (libimobiledevice, libplist,
 * libusbmuxd), for `custos --version` and the manifest's tool.libraries.
 * Built alone with their CFLAGS (extract/local.mk): no other folder sees
 * their headers. None has a run-time version call, so the versions are the
 * ones pkg-config reported at configure time.
 */
#include "config.h"

#include "extract/extract.h"

size_t cu_extract_ios_libraries(struct cu_library *out, size_t max)
{
	size_t n = 0;

	n = cu_library_add(out, max, n, "libimobiledevice", CUSTOS_IMOBILEDEVICE_VERSION, true);
	n = cu_library_add(out, max, n, "libplist", CUSTOS_PLIST_VERSION, true);
	n = cu_library_add(out, max, n, "libusbmuxd", CUSTOS_USBMUXD_VERSION, true);
	return n;
}
