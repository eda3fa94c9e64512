/*
 * fuzz_parse_common.h - shared body of the system-parser fuzz targets:
 * the input bytes are written to a temporary file and parsed as a SQLite
 * database by one parser through cu_parse_file() into an in-memory
 * case.db. Any input must give CU_OK or an error - never a crash, a hang
 * or a sanitizer report.
 */
#ifndef CUSTOS_FUZZ_PARSE_COMMON_H
#define CUSTOS_FUZZ_PARSE_COMMON_H

#include "parsers/parsers.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fuzz_parse_db(const char *parser, const char *device_path, const uint8_t *data,
				size_t size)
{
	const struct cu_parser *p = cu_parser_find(parser);
	const char *tmp = getenv("TESTTMP");
	char path[4096];
	sqlite3 *db = NULL;
	FILE *f;
	int fd;

	if (!p)
		abort(); /* the target names a parser that must exist */
	snprintf(path, sizeof(path), "%s/fuzz_parse.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return 0;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
		return 0;
	}
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	cu_log_set_level(CU_LOG_ERROR);
	if (sqlite3_open(":memory:", &db) == SQLITE_OK && cu_casedb_create(db, NULL) == CU_OK) {
		struct cu_parse_file_opts o = {"fuzz", NULL, device_path, NULL, false};
		struct cu_error err;
		enum cu_status rc;

		/* any status is a valid answer to hostile bytes: only crashes
		 * and sanitizer reports are findings */
		cu_error_clear(&err);
		rc = cu_parse_file(db, p, path, &o, NULL, &err);
		o.probe = true;
		cu_error_clear(&err);
		rc = cu_parse_file(db, p, path, &o, NULL, &err);
		(void)rc;
	}
	sqlite3_close(db);
	unlink(path);
	return 0;
}

#endif
