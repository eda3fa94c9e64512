/*
 * fuzz_wechat_sqlcipher1.c - the SQLCipher-1 page decryptor and page-1
 * plausibility check with a fixed key (the key of APPS.md 1.2's example,
 * derived once from a fixed salt), and the encrypted-WAL reader on the
 * input written as a -wal file next to a fixed one-page database.
 */
#include "parsers/parsers.h"
#include "parsers/wechat/sqlcipher1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return;
	if (n > 0)
		fwrite(p, 1, n, f);
	fclose(f);
}

static char db[64], wal[64], outp[64];

static void cleanup(void)
{
	unlink(db);
	unlink(wal);
	unlink(outp);
}

static void wal_once(const uint8_t *data, size_t size)
{
	static const unsigned char page[1024] = "0123456789abcdef"; /* salt, rest zero */
	struct cu_sqlcipher1_wal info;
	struct cu_error err;

	if (db[0] == '\0') {
		snprintf(db, sizeof(db), "/tmp/fuzz-wechat-%ld.db", (long)getpid());
		snprintf(wal, sizeof(wal), "/tmp/fuzz-wechat-%ld.db-wal", (long)getpid());
		snprintf(outp, sizeof(outp), "/tmp/fuzz-wechat-%ld.out", (long)getpid());
		put(db, page, sizeof(page));
		atexit(cleanup);
	}
	put(wal, data, size);
	put(outp, page, sizeof(page));
	/* any status is a valid answer to hostile bytes; a success must
	 * not claim more frames applied than the log holds */
	if (cu_sqlcipher1_wal_apply(db, wal, "3a57b96", outp, &info, &err) == CU_OK &&
	    info.frames_applied > info.frames_total)
		abort();
	unlink(outp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char key[32];
	static int have_key;
	unsigned char page[1024], out[1024];
	struct cu_error err;
	const uint8_t *d = data;
	size_t left = size;
	uint32_t pgno;

	if (!have_key) {
		static const unsigned char salt[16] = "0123456789abcdef";
		if (cu_sqlcipher1_kdf("3a57b96", salt, key, &err) != CU_OK)
			return 0;
		have_key = 1;
	}
	for (pgno = 1; left > 0 && pgno <= 4; pgno++) {
		size_t n = left < sizeof(page) ? left : sizeof(page);
		memset(page, 0, sizeof(page));
		memcpy(page, d, n);
		if (cu_sqlcipher1_page_decrypt(key, pgno, page, out, &err) == CU_OK && pgno == 1)
			(void)cu_sqlcipher1_page1_plausible(out);
		(void)cu_sqlcipher1_page1_plausible(page);
		d += n;
		left -= n;
	}
	wal_once(data, size);
	return 0;
}
