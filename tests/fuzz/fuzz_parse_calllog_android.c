/*
 * fuzz_parse_calllog_android.c - the android-calllog parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("android-calllog",
			     "/data/data/com.android.providers.contacts/databases/calllog.db", data,
			     size);
}
