/*
 * fuzz_adb_packet.c - the ADB packet parser and everything behind it: the
 * input is what a hostile device sends (packets back to back). The host
 * side connects over an in-memory transport preloaded with those bytes
 * (CNXN, AUTH tokens signed with a key made once, checksums, banners),
 * then runs a shell and an exec command whose output comes from the same
 * bytes (streams, OKAY/WRTE/CLSE routing, shell v2 frames). Also parses the
 * input as bare headers and as a banner.
 */
#include "extract/android/adb_int.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool discard(void *ctx, int stream, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	return (stream == 1 || stream == 2) && n > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cu_adb_key *key;
	struct cu_adb_opts o = {NULL, 1, 1};
	struct cu_adb_transport *host = NULL, *dev = NULL;
	struct cu_adb *a = NULL;
	struct cu_adb_banner b;
	struct cu_error e;
	int code;

	for (size_t off = 0; off + CU_ADB_HEADER_SIZE <= size; off += CU_ADB_HEADER_SIZE) {
		struct cu_adb_header h;

		if (cu_adb_header_parse(data + off, CU_ADB_MAX_PAYLOAD, &h, &e) == CU_OK &&
		    (h.magic != (h.command ^ 0xffffffffu) || h.data_length > CU_ADB_MAX_PAYLOAD))
			__builtin_trap();
	}
	cu_adb_banner_parse((const char *)data, size, &b);
	(void)cu_adb_feature_in(b.features, "shell_v2");

	if (key == NULL && cu_adb_key_generate(&key, &e) != CU_OK)
		abort();
	if (cu_adb_mem_pair(0, &host, &dev, &e) != CU_OK)
		abort();
	if (cu_adb_mem_write(dev, data, size, &e) != CU_OK)
		abort();
	cu_adb_mem_shutdown(dev);
	if (cu_adb_open_transport(host, NULL, &o, key, &a, &e) == CU_OK) {
		if (cu_adb_max_payload(a) > CU_ADB_MAX_PAYLOAD)
			__builtin_trap();
		(void)cu_adb_banner(a);
		if (cu_adb_shell(a, "getprop", discard, NULL, &code, &e) == CU_OK &&
		    cu_adb_exec(a, "cat /x", discard, NULL, &e) == CU_OK && code > 255)
			__builtin_trap();
		cu_adb_close(a);
	}
	dev->ops->close(dev);
	return 0;
}
