/*
 * fuzz_parse_coverage.c - what the coverage of a parse reads from phone
 * data as text or bytes: the ciphertext-looking body rule and the device
 * time zone from property files (protobuf persistent_properties, one file
 * per property, build.prop lines). The first byte picks the file kind; the
 * rest is the content.
 */
#include "parsers/parsers.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"/data/property/persistent_properties",
					    "/data/property/persist.sys.timezone",
					    "/system/build.prop", "/vendor/build.prop"};
	char out[80];

	if (size == 0)
		return 0;
	(void)cu_text_looks_ciphertext((const char *)data + 1, size - 1);
	memset(out, 'x', sizeof(out));
	if (cu_parse_tz_from_property_file(paths[data[0] % 4], data + 1, size - 1, out,
					   sizeof(out))) {
		size_t n = strnlen(out, sizeof(out));

		if (n == sizeof(out) || !cu_parse_tz_plausible(out, n))
			abort(); /* a zone taken is a plausible NUL-terminated name */
	}
	return 0;
}
