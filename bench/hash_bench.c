/*
 * hash_bench.c - times custos hashing of one file, for bench/hash.sh.
 *
 *   hash_bench serial|threaded FILE [sm3]   hash with cu_hasher (one pass)
 *   hash_bench copy FILE DST [sm3]          cu_copy_hash_fd FILE -> DST
 *
 * Prints "sha256 md5 [sm3] size" so the script can check the digests
 * against openssl dgst.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

static int usage(void)
{
	fprintf(stderr, "usage: hash_bench serial|threaded FILE [sm3] | copy FILE DST [sm3]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	struct cu_hasher *h = NULL;
	struct cu_digests d;
	struct cu_error err;
	unsigned algs = CU_HASH_DEFAULT;
	enum cu_status rc;
	bool copy;
	int fd;

	if (argc < 3)
		return usage();
	copy = strcmp(argv[1], "copy") == 0;
	if (copy && argc < 4)
		return usage();
	if (argc > (copy ? 4 : 3) && strcmp(argv[argc - 1], "sm3") == 0)
		algs |= CU_HASH_SM3;
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		perror(argv[2]);
		return 3;
	}
	if (copy) {
		rc = cu_copy_hash_fd(fd, argv[3], algs, 0, NULL, &d, &err);
	} else {
		unsigned flags = strcmp(argv[1], "threaded") == 0 ? CU_HASHER_THREADED : 0;
		size_t got = 0;

		rc = cu_hasher_new(algs, flags, &h, &err);
		while (rc == CU_OK) {
			rc = cu_read_full(fd, buf, sizeof(buf), &got, argv[2], &err);
			if (rc != CU_OK || got == 0)
				break;
			rc = cu_hasher_update(h, buf, got, &err);
		}
		if (rc == CU_OK)
			rc = cu_hasher_final(h, &d, &err);
		cu_hasher_free(h);
	}
	close(fd);
	if (rc != CU_OK) {
		fprintf(stderr, "hash_bench: %s\n", err.msg);
		return 3;
	}
	printf("%s %s%s%s %llu\n", d.sha256, d.md5, (algs & CU_HASH_SM3) ? " " : "",
	       (algs & CU_HASH_SM3) ? d.sm3 : "", (unsigned long long)d.size);
	return 0;
}
