/*
 * fuzz_wechat_javaser.c - the Java serialization HashMap reader
 * (CompatibleInfo.cfg / systemInfo.cfg) and the shared_prefs XML lookup on
 * arbitrary bytes.
 */
#include "parsers/parsers.h"
#include "parsers/wechat/keys.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_javamap m = {NULL, 0};
	struct cu_error err;
	char *v = NULL;

	if (cu_javaser_int_map_parse(data, size, &m, &err) == CU_OK) {
		(void)cu_javamap_get(&m, 258);
		(void)cu_javamap_get(&m, 1);
	}
	cu_javamap_release(&m);
	if (cu_android_prefs_get((const char *)data, size, "default_uin", &v, &err) == CU_OK)
		free(v);
	return 0;
}
