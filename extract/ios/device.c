/*
 * device.c - listing, opening and querying an iPhone over usbmuxd and
 * lockdownd (libimobiledevice 1.3.0).
 */
#include "config.h"

#include "extract/ios/device.h"

enum cu_status cu_ios_list(struct cu_ios_devinfo **out, size_t *n, struct cu_error *err)
{
	(void)out;
	(void)n;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS device listing: not yet implemented");
}

bool cu_ios_known(const char *udid)
{
	(void)udid;
	return false;
}

enum cu_status cu_ios_open(const char *udid, const struct cu_ios_hooks *h, struct cu_ios **out,
			   struct cu_error *err)
{
	(void)udid;
	(void)h;
	(void)out;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS device: not yet implemented");
}

void cu_ios_close(struct cu_ios *d)
{
	(void)d;
}

const char *cu_ios_udid(const struct cu_ios *d)
{
	(void)d;
	return "";
}

enum cu_status cu_ios_values(struct cu_ios *d, const char *domain, json_t **out,
			     struct cu_error *err)
{
	(void)d;
	(void)domain;
	(void)out;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS values: not yet implemented");
}

enum cu_status cu_ios_values_xml(struct cu_ios *d, const char *domain, struct cu_buf *out,
				 struct cu_error *err)
{
	(void)d;
	(void)domain;
	(void)out;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS values: not yet implemented");
}

enum cu_status cu_ios_time(struct cu_ios *d, int64_t *unix_ms, struct cu_error *err)
{
	(void)d;
	(void)unix_ms;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS clock: not yet implemented");
}

enum cu_status cu_ios_apps(struct cu_ios *d, json_t **out, struct cu_error *err)
{
	(void)d;
	(void)out;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS apps: not yet implemented");
}

enum cu_status cu_ios_afc_walk(struct cu_ios *d, const char *root,
			       bool (*fn)(void *ctx, const struct cu_ios_afc_entry *e), void *ctx,
			       struct cu_error *err)
{
	(void)d;
	(void)root;
	(void)fn;
	(void)ctx;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS AFC: not yet implemented");
}

enum cu_status cu_ios_afc_read(struct cu_ios *d, const char *path,
			       enum cu_status (*sink)(void *ctx, const void *p, size_t n,
						      struct cu_error *err),
			       void *ctx, struct cu_error *err)
{
	(void)d;
	(void)path;
	(void)sink;
	(void)ctx;
	return cu_error_set(err, CU_E_UNSUPPORTED, "iOS AFC: not yet implemented");
}
