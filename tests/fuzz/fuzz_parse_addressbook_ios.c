/*
 * fuzz_parse_addressbook_ios.c - the ios-addressbook parser over arbitrary database bytes
 * (see fuzz_parse_common.h).
 */
#include "tests/fuzz/fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_db("ios-addressbook",
			     "HomeDomain/Library/AddressBook/AddressBook.sqlitedb", data, size);
}
