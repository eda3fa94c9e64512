/*
 * library.c - the library extract/android/ wraps (libusb, for ADB over
 * USB), for `custos --version` and the manifest's tool.libraries. Built
 * alone with LIBUSB_CFLAGS (extract/local.mk): no other folder sees libusb.
 */
#include "extract/extract.h"

#include <stdio.h>

#include <libusb.h>

size_t cu_extract_android_libraries(struct cu_library *out, size_t max)
{
	const struct libusb_version *uv = libusb_get_version();
	char v[48];

	snprintf(v, sizeof(v), "%u.%u.%u", uv->major, uv->minor, uv->micro);
	return cu_library_add(out, max, 0, "libusb", v, false);
}
