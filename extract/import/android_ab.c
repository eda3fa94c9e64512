/* android_ab.c - being written */
#include "extract/import/import_int.h"
enum cu_status cu_import_android_ab(struct cu_import_ctx *x, struct cu_error *err)
{
	(void)x;
	return cu_error_set(err, CU_E_NOT_IMPLEMENTED, "not yet");
}
