/*
 * fuzz_wechat_protobuf.c - the minimal protobuf reader used for WeChat iOS
 * Friend.dbContactRemark, on arbitrary bytes.
 */
#include "parsers/parsers.h"
#include "parsers/wechat/protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *v;
	size_t n;
	uint32_t f;

	(void)cu_protobuf_valid(data, size);
	for (f = 1; f <= 8; f++)
		if (cu_protobuf_find_bytes(data, size, f, &v, &n) && n > 0)
			(void)v[n - 1]; /* the span must be inside the input */
	return 0;
}
