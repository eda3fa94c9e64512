/*
 * acquire_int.h - private to extract/android/acquire.c and its unit test
 * (tests/unit/test_acquire_facts.c): readers of the text the phone's own
 * commands print, each bounded and pure (no device, no case).
 */
#ifndef CUSTOS_ACQUIRE_INT_H
#define CUSTOS_ACQUIRE_INT_H

#include "core/core.h"

/* The value of key in `getprop` output ("[key]: [value]" lines; a value
 * may run over several lines until "]\n"), into out (reset first). false
 * when absent. */
bool cu_acq_getprop(const char *text, size_t n, const char *key, struct cu_buf *out);

/*
 * The string a `service call iphonesubinfo N` returned: the parcel dump
 * "Result: Parcel(\n  0x00000000: 00000000 0000000f 00350033 ...  '...')"
 * holds an exception code (0 = none), a UTF-16 length, then the UTF-16
 * units two to a little-endian 32-bit word. CU_OK with the value (UTF-8;
 * "" for a null string, length -1); CU_E_DEVICE when the parcel carries
 * an exception (refused: the OS does not allow it from the shell; the
 * exception text, if any, in the message); CU_E_FORMAT for anything else
 * ("service: not found", a missing service).
 */
enum cu_status cu_acq_parcel_string(const char *text, size_t n, struct cu_buf *out,
				    struct cu_error *err) CU_WARN_UNUSED;

/* A 15-digit IMEI with a valid Luhn check digit. */
bool cu_acq_imei_valid(const char *s);

/* One user of `pm list users` ("UserInfo{0:Owner:c13} running"). */
struct cu_acq_user {
	long id;
	char name[128];
	unsigned long flags;
	bool running;
};
/* Reads up to max users; returns how many. Flags (UserInfo): 0x20 managed
 * (work) profile; user 999 or a name like XSpace/DualApp/Clone is an app
 * clone space (双开). */
size_t cu_acq_users(const char *text, size_t n, struct cu_acq_user *out, size_t max);
#define CU_ACQ_USER_MANAGED_PROFILE 0x20ul
bool cu_acq_user_is_clone(const struct cu_acq_user *u);

/* Calls fn for each "Account {name=N, type=T}" line of `dumpsys account`
 * (the accounts list only, not its history), name and type NUL-terminated
 * copies. */
typedef void (*cu_acq_account_fn)(void *ctx, const char *name, const char *type);
void cu_acq_accounts(const char *text, size_t n, cu_acq_account_fn fn, void *ctx);

/* "  key: value" of `dumpsys battery` as an integer; false if absent. */
bool cu_acq_dumpsys_int(const char *text, size_t n, const char *key, int64_t *out);

/* Device time from `date +%s.%N` or `date +%s` output, in Unix ms. */
bool cu_acq_device_time(const char *text, size_t n, int64_t *ms);

/* Quotes s for the device's sh: '...' with ' as '\''. */
enum cu_status cu_acq_shell_quote(const char *s, size_t n, struct cu_buf *out,
				  struct cu_error *err) CU_WARN_UNUSED;

/* One "package:" line of `pm list packages -f -i -U --show-versioncode`:
 * "package:<apk>=<pkg> versionCode:<v> uid:<u> installer=<i>" (fields in
 * any order after the first, each optional). Borrowed into fixed buffers. */
struct cu_acq_package {
	char name[256], apk[512], installer[256];
	int64_t version_code, uid;
};
bool cu_acq_package_line(const char *line, size_t n, struct cu_acq_package *out);

#endif
