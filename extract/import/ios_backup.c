/* ios_backup.c - being written */
#include "extract/import/import_int.h"
enum cu_status cu_import_ios_find_root(const char *path, struct cu_buf *root, int *count,
				       struct cu_error *err)
{
	(void)path; (void)root; *count = 0;
	return cu_error_set(err, CU_E_NOT_IMPLEMENTED, "not yet");
}
enum cu_status cu_import_ios_backup(struct cu_import_ctx *x, struct cu_error *err)
{
	(void)x;
	return cu_error_set(err, CU_E_NOT_IMPLEMENTED, "not yet");
}
