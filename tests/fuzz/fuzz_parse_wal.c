/*
 * fuzz_parse_wal.c - staging with a hostile WAL: the input is split into a
 * database and its -wal (first 4 bytes: the database's length, little
 * endian); cu_parse_file() stages both in a scratch directory, checkpoints
 * the WAL into a working copy (parsers/parse.c) and runs the AddressBook
 * parser on it. A damaged pair must give an error or a warning, never a
 * crash, a hang or a sanitizer report.
 */
#include "parsers/parsers.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TESTTMP");
	char dir[4096], db[4200], wal[4200], work[4200], cmd[8600];
	size_t split;
	sqlite3 *cdb = NULL;

	if (size < 4)
		return 0;
	split =
	    (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
	data += 4;
	size -= 4;
	if (split > size)
		split = size;
	snprintf(dir, sizeof(dir), "%s/fuzz_parse_wal.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 0;
	snprintf(db, sizeof(db), "%s/AddressBook.sqlitedb", dir);
	snprintf(wal, sizeof(wal), "%s/AddressBook.sqlitedb-wal", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	if (write_file(db, data, split) == 0 && write_file(wal, data + split, size - split) == 0) {
		cu_log_set_level(CU_LOG_ERROR);
		if (sqlite3_open(":memory:", &cdb) == SQLITE_OK &&
		    cu_casedb_create(cdb, NULL) == CU_OK) {
			struct cu_parse_file_opts o = {
			    "fuzz", "ios", "HomeDomain/Library/AddressBook/AddressBook.sqlitedb",
			    work, false};
			struct cu_error err;
			enum cu_status rc;

			/* any status is a valid answer to hostile bytes */
			cu_error_clear(&err);
			rc = cu_parse_file(cdb, cu_parser_find("ios-addressbook"), db, &o, NULL,
					   &err);
			(void)rc;
		}
		sqlite3_close(cdb);
	}
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		return 0;
	return 0;
}
