/*
 * fuzz_parse_typedstream.c - the iOS attributedBody (NSArchiver
 * typedstream) text decoder over arbitrary bytes: any answer must lie
 * inside the input.
 */
#include "parsers/parsers.h"
#include "parsers/system/typedstream.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *t = NULL;
	size_t l = 0;

	if (cu_typedstream_text(data, size, &t, &l) &&
	    (t < data || t > data + size || l > (size_t)(data + size - t)))
		abort();
	return 0;
}
