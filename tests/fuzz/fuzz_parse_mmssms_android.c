/*
 * fuzz_parse_mmssms_android.c - the android-mmssms parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("android-mmssms",
			     "/data/data/com.android.providers.telephony/databases/mmssms.db", data,
			     size);
}
