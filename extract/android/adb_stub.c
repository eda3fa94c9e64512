/*
 * adb_stub.c - placeholder for the ADB stack (adb.h) until its
 * implementation is merged: every call says the stack is not built in.
 * Removed when the protocol library lands.
 */
#include "extract/android/adb.h"

static enum cu_status not_built(struct cu_error *err)
{
	return cu_error_set(err, CU_E_DEVICE,
			    "the ADB stack is not built into this custos: no Android device can "
			    "be reached");
}

enum cu_status cu_adb_list(const char *hostport, const struct cu_adb_opts *o,
			   struct cu_adb_device **out, size_t *n, struct cu_error *err)
{
	(void)hostport, (void)o, (void)out, (void)n;
	return not_built(err);
}
enum cu_status cu_adb_open_usb(const char *serial, const struct cu_adb_opts *o, struct cu_adb **out,
			       struct cu_error *err)
{
	(void)serial, (void)o, (void)out;
	return not_built(err);
}
enum cu_status cu_adb_open_tcp(const char *hostport, const struct cu_adb_opts *o,
			       struct cu_adb **out, struct cu_error *err)
{
	(void)hostport, (void)o, (void)out;
	return not_built(err);
}
void cu_adb_close(struct cu_adb *a)
{
	(void)a;
}
const char *cu_adb_banner(const struct cu_adb *a)
{
	(void)a;
	return NULL;
}
bool cu_adb_has_feature(const struct cu_adb *a, const char *feature)
{
	(void)a, (void)feature;
	return false;
}
const char *cu_adb_serial(const struct cu_adb *a)
{
	(void)a;
	return NULL;
}
enum cu_status cu_adb_shell(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			    int *exit_code, struct cu_error *err)
{
	(void)a, (void)cmd, (void)sink, (void)ctx, (void)exit_code;
	return not_built(err);
}
enum cu_status cu_adb_exec(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			   struct cu_error *err)
{
	(void)a, (void)cmd, (void)sink, (void)ctx;
	return not_built(err);
}
enum cu_status cu_adb_service_raw(struct cu_adb *a, const char *service, cu_adb_sink sink,
				  void *ctx, struct cu_error *err)
{
	(void)a, (void)service, (void)sink, (void)ctx;
	return not_built(err);
}
enum cu_status cu_adb_sync_open(struct cu_adb *a, struct cu_adb_sync **out, struct cu_error *err)
{
	(void)a, (void)out;
	return not_built(err);
}
void cu_adb_sync_close(struct cu_adb_sync *s)
{
	(void)s;
}
enum cu_status cu_adb_sync_stat(struct cu_adb_sync *s, const char *path, struct cu_adb_stat *st,
				struct cu_error *err)
{
	(void)s, (void)path, (void)st;
	return not_built(err);
}
enum cu_status cu_adb_sync_list(struct cu_adb_sync *s, const char *path, cu_adb_dirent_cb cb,
				void *ctx, struct cu_error *err)
{
	(void)s, (void)path, (void)cb, (void)ctx;
	return not_built(err);
}
enum cu_status cu_adb_sync_recv(struct cu_adb_sync *s, const char *path, cu_adb_sink sink,
				void *ctx, uint64_t *got, struct cu_error *err)
{
	(void)s, (void)path, (void)sink, (void)ctx, (void)got;
	return not_built(err);
}
