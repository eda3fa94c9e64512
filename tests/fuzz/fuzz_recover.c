/*
 * fuzz_recover.c - the SQLite carver (parsers/recovery) on hostile bytes:
 * the input is split into a database, its -wal and its -journal (first 8
 * bytes: the database's and the WAL's lengths, little endian; the rest is
 * the journal; an odd database length runs under a 96 KiB memory bound).
 * Any status is a valid answer; a crash, a hang (the time bound is 2 s) or
 * a sanitizer report is not.
 */
#include "parsers/recovery/recover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static enum cu_status sink(void *ctx, const struct cu_rec_record *r, struct cu_error *err)
{
	size_t i, *count = ctx;
	volatile unsigned char x = 0;

	(void)err;
	/* touch every value so a bad pointer shows */
	for (i = 0; i < r->ncols; i++)
		if (r->values[i].type == CU_REC_TEXT || r->values[i].type == CU_REC_BLOB)
			if (r->values[i].n)
				x ^= r->values[i].p[r->values[i].n - 1];
	if (r->table)
		x ^= (unsigned char)r->table[0];
	(void)x;
	(*count)++;
	return CU_OK;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TESTTMP");
	char dir[4096], db[4200], wal[4200], jn[4200];
	size_t a, b, count = 0;
	struct cu_rec_opts o;
	struct cu_rec_stats st;
	struct cu_error err;
	enum cu_status rc;

	if (size < 8)
		return 0;
	a = le32(data);
	b = le32(data + 4);
	data += 8;
	size -= 8;
	if (a > size)
		a = size;
	if (b > size - a)
		b = size - a;
	snprintf(dir, sizeof(dir), "%s/fuzz_recover.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 0;
	snprintf(db, sizeof(db), "%s/x.db", dir);
	snprintf(wal, sizeof(wal), "%s/x.db-wal", dir);
	snprintf(jn, sizeof(jn), "%s/x.db-journal", dir);
	if (write_file(db, data, a) == 0 && (b == 0 || write_file(wal, data + a, b) == 0) &&
	    (size - a - b == 0 || write_file(jn, data + a + b, size - a - b) == 0)) {
		memset(&o, 0, sizeof(o));
		o.time_limit_ms = 2000;
		/* an odd database length: a tiny memory bound, so the
		 * fingerprint sets turn into filters and their answers are
		 * checked in the b-trees */
		o.mem_limit = (a & 1) ? (uint64_t)96 << 10 : (uint64_t)64 << 20;
		o.live = true;
		cu_error_clear(&err);
		rc = cu_recover_file(db, &o, sink, &count, &st, &err);
		(void)rc;
	}
	unlink(db);
	unlink(wal);
	unlink(jn);
	rmdir(dir);
	return 0;
}
