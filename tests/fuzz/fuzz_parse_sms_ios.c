/*
 * fuzz_parse_sms_ios.c - the ios-sms parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("ios-sms", "HomeDomain/Library/SMS/sms.db", data, size);
}
