/*
 * fuzz_parse_contacts2_android.c - the android-contacts2 parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("android-contacts2",
			     "/data/data/com.android.providers.contacts/databases/contacts2.db",
			     data, size);
}
