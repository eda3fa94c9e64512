/*
 * fuzz_import_ab_header.c - the adb backup (.ab) header parser and, for
 * headers that parse as AES-256, the master key unlock with a fixed
 * password (PBKDF2 rounds capped so one input stays fast).
 */
#include "extract/import/import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_ab_header h;
	struct cu_error e;
	unsigned char mk[32], iv[16];

	if (cu_ab_header_parse(data, size, &h, &e) != CU_OK)
		return 0;
	if (h.header_len > size)
		__builtin_trap();
	if (h.enc == CU_AB_AES256) {
		if (h.rounds > 50)
			h.rounds = 50;
		/* A wrong password (CU_E_KEY) is the expected answer. */
		if (cu_ab_unlock(&h, "password", 8, mk, iv, &e) != CU_OK)
			return 0;
	}
	return 0;
}
