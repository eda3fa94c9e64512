/*
 * fuzz_verify_zipmap.c - the zip layout reader of custos verify
 * (report/zipmap.c) on hostile bytes, straight from memory: end of
 * central directory, ZIP64 records, central directory, local headers.
 * Seeds: a real sealed package and copies of it with a prepended stub,
 * appended bytes, a hidden local entry, an extra field; a ZIP64 archive.
 * Invariants (abort when broken): a read that succeeds has every entry's
 * extent inside the file and after its local header, the central
 * directory inside the file, and the comment as long as it says.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/zipmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *p;
	size_t n;
};

static bool mem_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct mem *m = ctx;
	if (off > m->n || n > m->n - off)
		abort(); /* the reader must bound every read by the size it was given */
	memcpy(buf, m->p + off, n);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = {data, size};
	struct cu_zipmap_src src = {size, mem_read_at, &m};
	struct cu_zipmap map;
	struct cu_error err;

	cu_error_clear(&err);
	if (cu_zipmap_read(&src, &map, &err) == CU_OK) {
		if (map.cd_offset > size || map.cd_size > size - map.cd_offset ||
		    map.eocd_offset > size || map.comment == NULL ||
		    strlen(map.comment) > map.comment_len || map.comment_len > 65535)
			abort();
		for (size_t i = 0; i < map.n; i++) {
			const struct cu_zipmap_entry *e = &map.e[i];
			/* end == offset: no local header there (a finding) */
			if (e->name == NULL ||
			    (e->end != e->offset &&
			     (e->end > size || e->offset > size - 30 || e->end < e->offset + 30)))
				abort();
		}
	}
	cu_zipmap_release(&map);
	return 0;
}
