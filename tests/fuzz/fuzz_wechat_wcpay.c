/*
 * fuzz_wechat_wcpay.c - the WeChat message XML parser (appmsg, wcpayinfo,
 * sysmsg), the group-prefix split and the amount parser on arbitrary bytes.
 */
#include "parsers/parsers.h"
#include "parsers/payments/wcpay.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_wcpay w;
	struct cu_error err;
	size_t off = 0;
	char *s;
	int64_t fen;

	if (cu_wcpay_parse((const char *)data, size, &w, &err) == CU_OK)
		cu_wcpay_release(&w);
	(void)cu_wechat_split_sender((const char *)data, size, &off);
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)cu_wcpay_amount_parse(s, &fen);
	free(s);
	return 0;
}
