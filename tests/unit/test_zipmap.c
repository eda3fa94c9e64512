/*
 * test_zipmap.c - the zip layout reader of custos verify (report/zipmap.c)
 * on the fuzz corpus (tests/fuzz/corpus/verify_zipmap/): a real sealed
 * package has no finding; each tampered copy has exactly the finding that
 * names its change; ZIP64 records and data descriptors are followed, not
 * taken for gaps; broken directories are errors, not crashes. The
 * forward walk (cu_zipwalk) that custos verify reads plain packages with
 * is clean on the sealed package and on no tampered copy.
 */
#include "report/zipmap.h"
#include "tests/harness/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *corpus(const char *name)
{
	static char buf[4096];
	const char *root = getenv("SRCDIR");

	snprintf(buf, sizeof(buf), "%s/tests/fuzz/corpus/verify_zipmap/%s",
		 root && *root ? root : ".", name);
	return buf;
}

/* Reads a corpus file; 0 findings wanted, or one containing want. */
static bool has_issue(const struct cu_zipmap *m, const char *want)
{
	for (size_t i = 0; i < m->nissues && i < CU_ZIPMAP_MAX_ISSUES; i++)
		if (strstr(m->issues[i], want) != NULL)
			return true;
	return false;
}

static void one(const char *file, size_t nissues, const char *want)
{
	struct cu_zipmap m;
	struct cu_error e;
	enum cu_status st;

	cu_error_clear(&e);
	st = cu_zipmap_read_file(corpus(file), &m, &e);
	tap_ok(st == CU_OK && m.nissues == nissues && (want == NULL || has_issue(&m, want)),
	       "%s: %zu finding(s)%s%s", file, nissues, want ? " naming " : "", want ? want : "");
	for (size_t i = 0; i < m.nissues && i < CU_ZIPMAP_MAX_ISSUES && st == CU_OK; i++)
		tap_diag("%s: %s", file, m.issues[i]);
	if (st != CU_OK)
		tap_diag("%s: %s", file, e.msg);
	cu_zipmap_release(&m);
}

struct mem {
	const unsigned char *p;
	size_t n;
};

static bool mem_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct mem *m = ctx;
	if (off > m->n || n > m->n - off)
		return false;
	memcpy(buf, m->p + off, n);
	return true;
}

/* Walks a corpus file forward; clean wanted or not. */
static void walk_one(const char *file, bool want_clean)
{
	struct cu_zipmap_fd f;
	struct cu_zipwalk w;
	const struct cu_zipwalk_entry *e;
	struct cu_error e2;
	enum cu_status st;
	uint64_t n = 0;

	cu_error_clear(&e2);
	memset(&w, 0, sizeof(w));
	st = cu_zipmap_fd_open(corpus(file), &f, &e2);
	if (st == CU_OK)
		st = cu_zipwalk_open(&f.src, &w, &e2);
	while (st == CU_OK && (st = cu_zipwalk_next(&w, &e, &e2)) == CU_OK)
		n++;
	tap_ok(st == CU_E_NOTFOUND && cu_zipwalk_clean(&w) == want_clean,
	       "%s: the forward walk (%llu entries) is %s", file, (unsigned long long)n,
	       want_clean ? "clean" : "not clean");
	if (st != CU_E_NOTFOUND)
		tap_diag("%s: %s", file, e2.msg);
	cu_zipwalk_release(&w);
	cu_zipmap_fd_close(&f);
}

static enum cu_status read_mem(const void *p, size_t n, struct cu_zipmap *m)
{
	struct mem mm = {p, n};
	struct cu_zipmap_src src = {n, mem_read_at, &mm};
	struct cu_error e;

	cu_error_clear(&e);
	return cu_zipmap_read(&src, m, &e);
}

int main(void)
{
	struct cu_zipmap m;
	struct cu_error e;
	struct cu_buf pkg = CU_BUF_INIT;

	tap_plan(26);
	cu_error_clear(&e);
	TAP_MUST(cu_zipmap_read_file(corpus("package.zip"), &m, &e));
	tap_ok(m.nissues == 0 && m.n == 7 && !m.zip64 && m.shift == 0,
	       "sealed package: 7 entries, no finding");
	tap_ok(m.comment_len == 72 && strncmp(m.comment, "CUSTOS1 ", 8) == 0,
	       "sealed package: the comment as declared");
	tap_ok(m.e[0].offset == 0 && strcmp(m.e[0].name, "mimetype") == 0 &&
		   m.e[m.n - 1].end == m.cd_offset && m.cd_offset + m.cd_size == m.eocd_offset &&
		   m.eocd_offset + 22 + m.comment_len == m.file_size,
	       "sealed package: entries, directory, end record and comment tile the file");
	cu_zipmap_release(&m);

	one("prepend.zip", 1, "127 bytes before the first local header (prepended data)");
	one("noadjust.zip", 2, "stored 127 bytes after the offset the end record gives");
	one("append.zip", 1, "23 bytes after the end of central directory record");
	one("hidden.zip", 1,
	    "local entry 'evidence/hidden.txt' the central directory does not list");
	one("extra.zip", 1, "12-byte extra field 0xcafe");
	one("comment.zip", 0, NULL);
	one("zip64-dd.zip", 1, "data descriptor");
	one("shared.zip", 5, "overlaps the entry before it");

	cu_error_clear(&e);
	TAP_MUST(cu_zipmap_read_file(corpus("zip64.zip"), &m, &e));
	tap_ok(m.zip64 && m.n == 1 && strcmp(m.e[0].name, "h.txt") == 0 &&
		   has_issue(&m, "extra field 0x5455"),
	       "ZIP64 end record and locator followed; Info-ZIP's extra fields named");
	cu_zipmap_release(&m);

	TAP_MUST(cu_file_read_all(corpus("package.zip"), 1 << 20, &pkg, &e));
	tap_is_int(read_mem(pkg.data, 100, &m), CU_E_FORMAT, "the first 100 bytes: not a ZIP");
	cu_zipmap_release(&m);
	tap_is_int(read_mem("hello", 5, &m), CU_E_FORMAT, "5 bytes: not a ZIP");
	cu_zipmap_release(&m);
	{
		/* An end record claiming more entries than its directory holds. */
		char *eocd = pkg.data + pkg.len - 22 - 72;
		TAP_MUST(memcmp(eocd, "PK\x05\x06", 4));
		eocd[8] = eocd[10] = (char)0xff;
		eocd[9] = eocd[11] = 0x7f;
		tap_is_int(read_mem(pkg.data, pkg.len, &m), CU_E_INTEGRITY,
			   "32767 entries in a small directory: integrity error");
		cu_zipmap_release(&m);
		/* A directory offset past the end. */
		eocd[8] = eocd[10] = 7;
		eocd[9] = eocd[11] = 0;
		eocd[19] = 0x7f;
		tap_is_int(read_mem(pkg.data, pkg.len, &m), CU_E_INTEGRITY,
			   "central directory offset past the end: integrity error");
		cu_zipmap_release(&m);
	}
	cu_buf_release(&pkg);

	{
		/* The sealed package walked forward: every entry where the one
		 * before ends, its data right after its local header. */
		struct cu_zipmap_fd f;
		struct cu_zipwalk w;
		const struct cu_zipwalk_entry *we;
		uint64_t n = 0, cursor = 0;
		bool tiled = true;
		TAP_MUST(cu_zipmap_fd_open(corpus("package.zip"), &f, &e));
		TAP_MUST(cu_zipwalk_open(&f.src, &w, &e));
		while (cu_zipwalk_next(&w, &we, &e) == CU_OK) {
			tiled &= we->has_local && we->offset == cursor &&
				 we->data == we->offset + 30 + we->name_len &&
				 we->end == we->data + we->comp_size;
			cursor = we->end;
			n++;
		}
		tap_ok(
		    n == 7 && tiled && cursor == w.map.cd_offset && cu_zipwalk_clean(&w),
		    "sealed package walked forward: 7 entries tile the file up to the directory");
		cu_zipwalk_release(&w);
		cu_zipmap_fd_close(&f);
	}
	walk_one("package.zip", true);
	walk_one("comment.zip", true);
	walk_one("prepend.zip", false);
	walk_one("noadjust.zip", false);
	walk_one("append.zip", false);
	walk_one("hidden.zip", false);
	walk_one("extra.zip", false);
	walk_one("zip64-dd.zip", false);
	walk_one("shared.zip", false);
	return tap_done();
}
