/*
 * casedb.h - case.db, the parsed-artifact database (CASEDB.md): its
 * schema, its version, and the two ways to open it.
 *
 * Writers (`custos parse`) build a new case.db with cu_casedb_open_write()
 * and the sink in parsers/; readers (report, analysis) open it with
 * cu_casedb_open_read(), which refuses a case.db of another schema version
 * with a message naming the file and both versions, instead of reading
 * columns that are not what they expect.
 *
 * Handles are plain sqlite3 connections: readers run their own queries;
 * this header only fixes how a connection to a case.db is made.
 */
#ifndef CUSTOS_CASEDB_H
#define CUSTOS_CASEDB_H

#include "core/core.h"

#include <sqlite3.h>

/* PRAGMA user_version of the case.db this custos writes and reads. Raise
 * it when a contract column changes meaning; readers then ask for a new
 * parse instead of misreading an old file. */
#define CU_CASEDB_SCHEMA_VERSION 3

/* Creates the whole schema (tables, the timeline view, every index) in an
 * empty database and sets user_version. */
enum cu_status cu_casedb_create(sqlite3 *db, struct cu_error *err) CU_WARN_UNUSED;

/* The schema in two steps for a bulk load: the tables (with the indexes the
 * sink needs while loading) and user_version first, the other indexes after
 * the rows are in (faster than keeping them up to date row by row). */
enum cu_status cu_casedb_create_tables(sqlite3 *db, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_casedb_create_indexes(sqlite3 *db, struct cu_error *err) CU_WARN_UNUSED;

/* Runs one or more SQL statements; CU_E_IO "case.db: <SQLite's message>". */
enum cu_status cu_casedb_exec(sqlite3 *db, const char *sql, struct cu_error *err) CU_WARN_UNUSED;

/*
 * Creates a new case.db at path for `custos parse` and leaves it inside a
 * transaction with the tables made (cu_casedb_create_tables). The file is a
 * scratch file until the caller renames it into place: no journal, no
 * fsync per transaction, an exclusive lock. The caller finishes with
 * cu_casedb_create_indexes(), "COMMIT", sqlite3_close(), fsync and rename.
 * *out is set only on success.
 */
enum cu_status cu_casedb_open_write(const char *path, sqlite3 **out,
				    struct cu_error *err) CU_WARN_UNUSED;

/*
 * Opens an existing case.db read-only and checks that its user_version is
 * CU_CASEDB_SCHEMA_VERSION. Errors: CU_E_NOTFOUND when path does not exist
 * ("run custos parse first"), CU_E_FORMAT when it cannot be opened or is
 * not an SQLite database, CU_E_UNSUPPORTED when its schema version is not
 * this custos's (the message names the file and both versions and says to
 * run `custos parse` again). Temporary tables may still be made on the
 * handle (they live outside the file). *out is set only on success; close
 * it with sqlite3_close().
 */
enum cu_status cu_casedb_open_read(const char *path, sqlite3 **out,
				   struct cu_error *err) CU_WARN_UNUSED;
/* The same checks, opened read-write with a 10 s busy timeout (for the
 * analysis, which rewrites hits and links in place). */
enum cu_status cu_casedb_open_update(const char *path, sqlite3 **out,
				     struct cu_error *err) CU_WARN_UNUSED;

/* The user_version of schema ("main", or the name of an ATTACHed case.db)
 * of an open connection. *version is set only on success. */
enum cu_status cu_casedb_schema_version(sqlite3 *db, const char *schema, int64_t *version,
					struct cu_error *err) CU_WARN_UNUSED;

#endif
