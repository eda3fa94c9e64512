/*
 * fuzz_chat_tl.c - the Telegram TL reader (parsers/chat/telegram_tl.c) on
 * arbitrary bytes: message decode (the first 4 bytes also serve as the
 * row date for the fallback search) and user decode. Must never read out
 * of bounds; every pointer returned must lie inside the input.
 */
#include "parsers/parsers.h"
#include "parsers/chat/telegram_tl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const uint8_t *data, size_t size, const unsigned char *p, size_t n)
{
	if (p != NULL && (p < data || n > size || p + n > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_tl_message m;
	struct cu_tl_user u;
	int64_t date = CU_UNKNOWN;
	if (size >= 4)
		date = (int32_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 |
				 (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24);
	memset(&m, 0, sizeof(m));
	if (cu_tl_message_decode(data, size, date, &m, NULL) == CU_OK) {
		check_inside(data, size, m.text, m.text_len);
		check_inside(data, size, m.local_path, m.local_path_len);
	}
	if (cu_tl_message_decode(data, size, CU_UNKNOWN, &m, NULL) == CU_OK)
		check_inside(data, size, m.text, m.text_len);
	if (cu_tl_user_decode(data, size, &u, NULL) == CU_OK) {
		check_inside(data, size, u.first_name, u.first_name_len);
		check_inside(data, size, u.last_name, u.last_name_len);
		check_inside(data, size, u.username, u.username_len);
		check_inside(data, size, u.phone, u.phone_len);
	}
	return 0;
}
