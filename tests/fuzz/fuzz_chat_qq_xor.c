/*
 * fuzz_chat_qq_xor.c - QQ XOR decoding (parsers/chat/qq_android.c) on
 * arbitrary bytes: byte 0 = key length, then the key, then the payload,
 * decoded as a msgData blob and as an XORed text column; also the key-file
 * parser on the whole input. Checks the blob XOR is an involution.
 */
#include "parsers/parsers.h"
#include "parsers/chat/qq_xor.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_buf a = CU_BUF_INIT, b = CU_BUF_INIT, k = CU_BUF_INIT;
	size_t kl;
	if (cu_qq_key_parse((const char *)data, size, &k, NULL) == CU_OK && k.len == 0)
		abort(); /* an empty key is CU_E_KEY, never a success */
	if (size == 0)
		goto out;
	kl = data[0];
	if (kl > size - 1)
		kl = size - 1;
	const char *key = (const char *)data + 1;
	const char *payload = key + kl;
	size_t pn = size - 1 - kl;
	if (cu_qq_xor_blob(payload, pn, key, kl, &a, NULL) == CU_OK &&
	    cu_qq_xor_blob(a.data, a.len, key, kl, &b, NULL) == CU_OK &&
	    (b.len != pn || memcmp(b.data, payload, pn) != 0))
		abort();
	if (cu_qq_xor_text(payload, pn, key, kl, &a, NULL) == CU_OK &&
	    !cu_utf8_valid(a.data, a.len))
		abort(); /* output must always be valid UTF-8 */
out:
	cu_buf_release(&a);
	cu_buf_release(&b);
	cu_buf_release(&k);
	return 0;
}
