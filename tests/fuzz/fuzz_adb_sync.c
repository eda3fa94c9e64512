/*
 * fuzz_adb_sync.c - the sync reader: the input (after one byte choosing v1
 * or v2 sync and how the bytes are cut into WRTEs) is the device's side of
 * a sync: stream. It is wrapped in a CNXN, the OKAYs for the OPEN and the
 * first request, and WRTE packets, then STAT, LIST and RECV run over it.
 * Every DENT name and DATA block handed up must respect the limits.
 */
#include "extract/android/adb_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum cu_status packet(struct cu_adb_transport *dev, uint32_t cmd, uint32_t a0, uint32_t a1,
			     const void *p, size_t n, struct cu_error *e)
{
	unsigned char h[CU_ADB_HEADER_SIZE];
	enum cu_status rc;

	cu_adb_header_pack(cmd, a0, a1, p, (uint32_t)n, false, h);
	rc = cu_adb_mem_write(dev, h, sizeof(h), e);
	if (rc == CU_OK)
		rc = cu_adb_mem_write(dev, p, n, e);
	return rc;
}

static bool sink(void *ctx, int stream, const void *p, size_t n)
{
	(void)p;
	if (stream != 1 || n > 64 * 1024)
		__builtin_trap();
	*(uint64_t *)ctx += n;
	return true;
}

static bool dirent(void *ctx, const char *name, size_t n, const struct cu_adb_stat *st)
{
	(void)ctx;
	(void)st;
	if (n > 1024 || name[n] != '\0' || (n == 1 && name[0] == '.'))
		__builtin_trap();
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char v1[] = "device::ro.product.model=f;features=";
	static const char v2[] = "device::ro.product.model=f;features=stat_v2,ls_v2";
	struct cu_adb_opts o = {NULL, 1, 1};
	struct cu_adb_transport *host = NULL, *dev = NULL;
	struct cu_adb *a = NULL;
	struct cu_adb_sync *s = NULL;
	struct cu_adb_stat st;
	struct cu_error e;
	uint64_t got = 0, sunk = 0;
	size_t chunk;
	bool use_v2;

	if (size < 1)
		return 0;
	use_v2 = data[0] & 1;
	chunk = (size_t)(data[0] >> 1) + 1; /* 1..128 bytes per WRTE */
	data++;
	size--;
	if (cu_adb_mem_pair(0, &host, &dev, &e) != CU_OK)
		abort();
	if (packet(dev, CU_ADB_CNXN, CU_ADB_VERSION_SKIP_CHECKSUM, 4096, use_v2 ? v2 : v1,
		   strlen(use_v2 ? v2 : v1), &e) != CU_OK ||
	    packet(dev, CU_ADB_OKAY, 1, 1, NULL, 0, &e) != CU_OK ||
	    packet(dev, CU_ADB_OKAY, 1, 1, NULL, 0, &e) != CU_OK)
		abort();
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (packet(dev, CU_ADB_WRTE, 1, 1, data + off, n, &e) != CU_OK ||
		    packet(dev, CU_ADB_OKAY, 1, 1, NULL, 0, &e) != CU_OK)
			abort();
	}
	if (packet(dev, CU_ADB_CLSE, 1, 1, NULL, 0, &e) != CU_OK)
		abort();
	cu_adb_mem_shutdown(dev);
	if (cu_adb_open_transport(host, NULL, &o, NULL, &a, &e) == CU_OK) {
		if (cu_adb_sync_open(a, &s, &e) == CU_OK) {
			if (cu_adb_sync_stat(s, "/sdcard/a", &st, &e) == CU_OK && !st.exists &&
			    st.mode != 0)
				__builtin_trap();
			if (cu_adb_sync_list(s, "/sdcard", dirent, NULL, &e) != CU_OK)
				cu_error_clear(&e);
			if (cu_adb_sync_recv(s, "/sdcard/b", sink, &sunk, &got, &e) == CU_OK &&
			    got != sunk)
				__builtin_trap();
			cu_adb_sync_close(s);
		}
		cu_adb_close(a);
	}
	dev->ops->close(dev);
	return 0;
}
