/*
 * fuzz_seal_verify.c - custos verify on hostile packages: the bytes are
 * written to a scratch file and checked with cu_verify_package() (libzip
 * structure, entry names, manifest.json listing, content root, custody log,
 * RFC 3161 request parsing). The first byte also selects a direct run of
 * the TimeStampReq / TimeStampResp parsers on the rest.
 * Invariants (abort when broken): a verification always ends with a
 * verdict; ok means no failing check, and a failing check means not ok.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/seal_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char imprint[32] = {1, 2, 3};
	char path[] = "/tmp/custos-fuzz-verify-XXXXXX";
	struct cu_verify_report rep;
	struct cu_verify_opts opts;
	struct cu_error err;
	int fd;

	if (size > 0 && data[0] == 'T') {
		/* A crash is the finding, not the verdict: both are run. */
		struct cu_buf b = CU_BUF_INIT;
		int rejected = cu_seal_tsq_check(data + 1, size - 1, imprint, NULL) != CU_OK;
		rejected += cu_seal_tsr_check(data + 1, size - 1, imprint, NULL, &b, NULL) != CU_OK;
		cu_buf_release(&b);
		(void)rejected;
		return 0;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (cu_write_all(fd, data, size, path, NULL) != CU_OK) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	memset(&opts, 0, sizeof(opts));
	cu_error_clear(&err);
	cu_verify_report_init(&rep);
	if (cu_verify_package(path, &opts, &rep, &err) == CU_OK) {
		bool any_fail = false;
		for (size_t i = 0; i < rep.n; i++)
			any_fail |= !rep.checks[i].ok;
		if (rep.ok == any_fail)
			abort();
		if (rep.ok && cu_verify_report_exit(&rep) != 0)
			abort();
	}
	cu_verify_report_release(&rep);
	unlink(path);
	return 0;
}
