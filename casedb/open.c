/*
 * open.c - opening case.db: a new one for `custos parse`, an existing one
 * read-only for the report and analysis, with its schema version checked.
 */
#include "casedb/casedb.h"

#include <stdio.h>
#include <string.h>

enum cu_status cu_casedb_open_write(const char *path, sqlite3 **out, struct cu_error *err)
{
	sqlite3 *db = NULL;
	enum cu_status rc;

	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = cu_error_set(err, CU_E_IO, "creating '%s': %s", path,
				  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	/* A scratch file until renamed into place: no journal, no fsync per
	 * transaction; durability comes from fsync + rename at the end. */
	rc = cu_casedb_exec(db,
			    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
			    " PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -65536;"
			    " PRAGMA temp_store = MEMORY;",
			    err);
	if (!rc)
		rc = cu_casedb_create_tables(db, err);
	if (!rc)
		rc = cu_casedb_exec(db, "BEGIN", err);
	if (rc) {
		sqlite3_close(db);
		return cu_error_prefix(err, "'%s'", path);
	}
	*out = db;
	return CU_OK;
}

enum cu_status cu_casedb_schema_version(sqlite3 *db, const char *schema, int64_t *version,
					struct cu_error *err)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	enum cu_status rc = CU_OK;

	sql = sqlite3_mprintf("PRAGMA \"%w\".user_version", schema ? schema : "main");
	if (sql == NULL) {
		rc = cu_error_set(err, CU_E_NOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = cu_error_set(err, CU_E_FORMAT, "reading the schema version: %s",
				  sqlite3_errmsg(db));
		goto out;
	}
	*version = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return rc;
}

/* Opens path (read-only or read-write) and checks its schema version. */
static enum cu_status open_checked(const char *path, bool write, sqlite3 **out,
				   struct cu_error *err)
{
	sqlite3 *db = NULL;
	int64_t version = 0;
	enum cu_status rc;
	int flags = (write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;

	if (!cu_file_exists(path))
		return cu_error_set(err, CU_E_NOTFOUND,
				    "'%s' does not exist: run custos parse first", path);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		rc = cu_error_set(err, write ? CU_E_IO : CU_E_FORMAT, "cannot open '%s'%s: %s",
				  path, write ? " for writing" : "",
				  db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (write)
		sqlite3_busy_timeout(db, 10000);
	rc = cu_casedb_schema_version(db, "main", &version, err);
	if (rc) {
		cu_error_prefix(err, "'%s' is not a readable case.db", path);
		goto out;
	}
	if (version != CU_CASEDB_SCHEMA_VERSION) {
		rc = cu_error_set(err, CU_E_UNSUPPORTED,
				  "'%s': case.db schema version %lld, this custos reads version "
				  "%d: run custos parse again to rebuild it",
				  path, (long long)version, CU_CASEDB_SCHEMA_VERSION);
		goto out;
	}
	*out = db;
	db = NULL;
out:
	sqlite3_close(db); /* NULL: no-op */
	return rc;
}

enum cu_status cu_casedb_open_read(const char *path, sqlite3 **out, struct cu_error *err)
{
	return open_checked(path, false, out, err);
}

enum cu_status cu_casedb_open_update(const char *path, sqlite3 **out, struct cu_error *err)
{
	return open_checked(path, true, out, err);
}
