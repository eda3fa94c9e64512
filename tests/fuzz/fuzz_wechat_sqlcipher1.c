/*
 * fuzz_wechat_sqlcipher1.c - the SQLCipher-1 page decryptor and the page-1
 * plausibility check on arbitrary bytes with a fixed key (the key of
 * APPS.md 1.2's example, derived once from a fixed salt).
 */
#include "parsers/parsers.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char key[32];
	static int have_key;
	unsigned char page[1024], out[1024];
	struct cu_error err;
	uint32_t pgno;

	if (!have_key) {
		static const unsigned char salt[16] = "0123456789abcdef";
		if (cu_sqlcipher1_kdf("3a57b96", salt, key, &err) != CU_OK)
			return 0;
		have_key = 1;
	}
	for (pgno = 1; size > 0 && pgno <= 4; pgno++) {
		size_t n = size < sizeof(page) ? size : sizeof(page);
		memset(page, 0, sizeof(page));
		memcpy(page, data, n);
		if (cu_sqlcipher1_page_decrypt(key, pgno, page, out, &err) == CU_OK && pgno == 1)
			(void)cu_sqlcipher1_page1_plausible(out);
		(void)cu_sqlcipher1_page1_plausible(page);
		data += n;
		size -= n;
	}
	return 0;
}
