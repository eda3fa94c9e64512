/*
 * fuzz_parse_banksms.c - the bank notification SMS extractor and the money
 * parser over arbitrary text. The first byte picks the sender (a 955xx
 * short code or an ordinary number); the rest is the body.
 */
#include "parsers/parsers.h"
#include "parsers/payments/banksms.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const senders[] = {"95588", "95555", "+8613912345678", NULL};
	struct cu_banksms b;
	struct cu_error err;
	const char *sender;
	char *body;
	int64_t v;
	size_t used;

	if (size == 0)
		return 0;
	sender = senders[data[0] % 4];
	body = malloc(size);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	cu_error_clear(&err);
	if (cu_banksms_parse(sender, body, &b, &err) == CU_OK) {
		if (b.amount_minor < 0 || strlen(b.card_tail) > 4 || !b.direction || !b.kind)
			abort(); /* extracted values must be sane */
		(void)cu_banksms_time(&b, 1710583205000);
	}
	if (cu_money_parse_minor(body, size - 1, &v, &used) && (v < 0 || used > size - 1))
		abort();
	free(body);
	return 0;
}
