/*
 * fuzz_verify_zipmap.c - the zip layout reader of custos verify
 * (report/zipmap.c) on hostile bytes, straight from memory: end of
 * central directory, ZIP64 records, central directory, local headers.
 * Seeds: a real sealed package and copies of it with a prepended stub,
 * appended bytes, a hidden local entry, an extra field; a ZIP64 archive.
 * Invariants (abort when broken): a read that succeeds has every entry's
 * extent inside the file and after its local header, the central
 * directory inside the file, and the comment as long as it says. The
 * forward walk (cu_zipwalk, what custos verify reads a plain package with)
 * runs on the same bytes: every entry it yields lies inside the file, its
 * data after its local header, and a walk the full reader finds fault
 * with is never clean.
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
	enum cu_status fst = cu_zipmap_read(&src, &map, &err);
	if (fst == CU_OK) {
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
	bool full_clean = fst == CU_OK && map.nissues == 0;
	cu_zipmap_release(&map);

	struct cu_zipwalk w;
	const struct cu_zipwalk_entry *e;
	enum cu_status st = cu_zipwalk_open(&src, &w, &err);
	while (st == CU_OK && (st = cu_zipwalk_next(&w, &e, &err)) == CU_OK) {
		if (e->name == NULL || strlen(e->name) > e->name_len)
			abort();
		if (!e->has_local)
			continue;
		if (e->data > size || e->end > size || e->data < e->offset + 30 ||
		    e->end < e->data || e->end - e->data != e->comp_size)
			abort();
		/* Read the data through the window, as verify does. */
		for (uint64_t off = e->data; off < e->end;) {
			size_t got;
			const unsigned char *p =
			    cu_zipwalk_bytes(&w, off, (size_t)(e->end - off), &got);
			if (p == NULL || got == 0 || got > e->end - off)
				abort();
			off += got;
		}
	}
	if (st == CU_E_NOTFOUND && cu_zipwalk_clean(&w) && !full_clean)
		abort();
	cu_zipwalk_release(&w);
	return 0;
}
