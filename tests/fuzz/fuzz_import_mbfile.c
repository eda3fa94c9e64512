/*
 * fuzz_import_mbfile.c - MBFile decoding (Manifest.db Files.file, an
 * NSKeyedArchiver binary plist read with libplist).
 */
#include "extract/import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_ios_mbfile m;
	struct cu_error e;

	if (cu_ios_mbfile_parse(data, size, &m, &e) == CU_OK) {
		if (m.enc_key_len > sizeof(m.enc_key))
			__builtin_trap();
		cu_ios_mbfile_release(&m);
	}
	return 0;
}
