/*
 * fuzz_import_keybag.c - the iOS BackupKeyBag TLV parser, then the unlock
 * and a file-key unwrap with a fixed key (iteration counts are not run:
 * derive is skipped, the fixed key goes straight to the RFC 3394 unwrap).
 */
#include "extract/import/import_int.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_ios_keybag kb;
	struct cu_error e;
	unsigned char key[32], out[32];
	uint32_t cls;

	if (cu_ios_keybag_parse(data, size, &kb, &e) != CU_OK)
		return 0;
	memset(key, 0x42, sizeof(key));
	/* A wrong key (CU_E_KEY) is the expected answer; the file-key unwrap
	 * runs either way. */
	if (cu_ios_keybag_unlock(&kb, key, &e) != CU_OK)
		memset(key, 0, sizeof(key));
	if (size >= 44 && cu_ios_unwrap_file_key(&kb, data + size - 44, 44, &cls, out, &e) == CU_OK)
		memset(out, 0, sizeof(out));
	return 0;
}
