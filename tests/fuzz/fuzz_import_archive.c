/*
 * fuzz_import_archive.c - tar (plain/gzip) and zip member handling: the
 * bytes go through libarchive as the importer configures it, every member
 * name through cu_import_member_path() and the adb-backup name mapping,
 * and every member's data through the one-pass hasher with the same ratio
 * check the importer applies.
 */
#include "extract/import/import_int.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, bool zip, struct cu_hasher *h)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct cu_buf dev = CU_BUF_INIT, mapped = CU_BUF_INIT;
	struct cu_error e;
	static unsigned char buf[65536];
	uint64_t produced = 0;
	int members = 0;

	if (a == NULL)
		return;
	if (zip) {
		archive_read_support_format_zip_seekable(a);
	} else {
		archive_read_support_format_tar(a);
		archive_read_support_format_gnutar(a);
		archive_read_support_filter_gzip(a);
	}
	if (archive_read_open_memory(a, data, size) != ARCHIVE_OK)
		goto out;
	while (members++ < 256 && archive_read_next_header(a, &ent) >= ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ent);
		bool absolute;
		/* Unsafe names are refused (CU_E_PATH): the import skips them. */
		if (name != NULL && cu_import_member_path(name, &dev, &absolute, &e) != CU_OK)
			cu_buf_reset(&dev);
		if (name != NULL && cu_ab_map_name(name, &mapped) &&
		    cu_import_member_path(mapped.data, &dev, &absolute, &e) != CU_OK)
			cu_buf_reset(&dev);
		if (cu_hasher_reset(h, &e) != CU_OK)
			abort(); /* a reset never fails on a valid hasher */
		for (;;) {
			la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
			if (n <= 0)
				break;
			produced += (uint64_t)n;
			if (produced > CU_IMPORT_RATIO_FLOOR &&
			    produced / cu_import_max_ratio() > size)
				goto out;
			if (cu_hasher_update(h, buf, (size_t)n, &e) != CU_OK)
				abort();
		}
	}
out:
	archive_read_free(a);
	cu_buf_release(&dev);
	cu_buf_release(&mapped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cu_hasher *h;
	struct cu_error e;

	if (h == NULL && cu_hasher_new(CU_HASH_DEFAULT, 0, &h, &e) != CU_OK)
		return 0;
	run(data, size, size >= 2 && data[0] == 'P' && data[1] == 'K', h);
	return 0;
}
