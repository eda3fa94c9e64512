/*
 * fuzz_parse_callhistory_ios.c - the ios-callhistory parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("ios-callhistory",
			     "HomeDomain/Library/CallHistoryDB/CallHistory.storedata", data, size);
}
