/*
 * backup.c - the host side of a mobilebackup2 backup (the DeviceLink loop).
 */
#include "config.h"

#include "extract/ios/device.h"

enum cu_status cu_ios_backup(struct cu_ios *d, bool full, const struct cu_ios_backup_sink *sink,
			     struct cu_ios_backup_result *res, struct cu_error *err)
{
	(void)d;
	(void)full;
	(void)sink;
	(void)res;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS backup: not yet implemented");
}

enum cu_status cu_ios_backup_password(struct cu_ios *d, const char *old_pw, const char *new_pw,
				      struct cu_error *err)
{
	(void)d;
	(void)old_pw;
	(void)new_pw;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS backup password: not yet implemented");
}
