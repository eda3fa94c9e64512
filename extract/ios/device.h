/*
 * device.h - an iPhone over usbmuxd/lockdownd (libimobiledevice): listing,
 * opening a trusted session, lockdown values, the clock, the installed
 * apps, the AFC media jail and the host side of a mobilebackup2 backup.
 *
 * No libimobiledevice/libplist/libusbmuxd type appears here: only
 * extract/ios/ sees those headers.
 */
#ifndef CUSTOS_EXTRACT_IOS_DEVICE_H
#define CUSTOS_EXTRACT_IOS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct cu_ios_devinfo {
	char udid[64];
	char state[16]; /* "ready" | "untrusted" | "locked" | "unavailable" */
	char via[8];    /* "usb" | "network" */
	char name[128], product_type[64], product_version[32];
	char advice[256]; /* what to do on the phone, "" when ready */
};
/* usbmuxd's devices with their state (a lockdownd probe without pairing).
 * *out is an array of *n entries to free(); no device is not an error. */
enum cu_status cu_ios_list(struct cu_ios_devinfo **out, size_t *n,
			   struct cu_error *err) CU_WARN_UNUSED;
/* true when usbmuxd lists udid (so --device is an iPhone, not an Android serial) */
bool cu_ios_known(const char *udid);

struct cu_ios; /* idevice + lockdownd session (handshake done) */
/* Every exchange with the phone is reported here; the driver makes custody entries of them. */
struct cu_ios_hooks {
	void *ctx;
	/* one request/service: what = "lockdownd GetValue com.apple.mobile.backup",
	 * "lockdownd StartService com.apple.mobilebackup2", "installation_proxy Browse"...;
	 * ok false on failure (msg says why); raw = the reply as XML plist bytes (hashed), may be NULL */
	void (*command)(void *ctx, const char *what, bool ok, const char *msg, const void *raw,
			size_t rawlen);
	/* a change on the phone or its pairing: "pair record created", "backup password set",
	 * "backup password removed" (details JSON object, borrowed) */
	void (*device_change)(void *ctx, const char *what, json_t *details);
};
/* CU_E_DEVICE with a sentence naming what to do: not attached ("connect the iPhone with a data
 * cable"), untrusted/pairing pending ("unlock the iPhone and tap Trust, enter the passcode, then
 * run again"), pairing denied, locked ("unlock the iPhone (enter the passcode) and keep it
 * unlocked"), passcode needed for the backup (iOS 16.1+). h may be NULL. udid NULL: the only
 * device (CU_E_DEVICE when none or several). */
enum cu_status cu_ios_open(const char *udid, const struct cu_ios_hooks *h, struct cu_ios **out,
			   struct cu_error *err) CU_WARN_UNUSED;
void cu_ios_close(struct cu_ios *d);
/* The UDID of an open device (borrowed). */
const char *cu_ios_udid(const struct cu_ios *d);
/* lockdownd GetValue(domain or NULL, key NULL): the dictionary as JSON (data as
 * {"base64": ...}, dates as ISO-8601 UTC strings) */
enum cu_status cu_ios_values(struct cu_ios *d, const char *domain, json_t **out,
			     struct cu_error *err) CU_WARN_UNUSED;
/* The same dictionary as the raw XML plist (for Info.plist and for evidence). */
enum cu_status cu_ios_values_xml(struct cu_ios *d, const char *domain, struct cu_buf *out,
				 struct cu_error *err) CU_WARN_UNUSED;
/* The device clock (TimeIntervalSince1970) in Unix ms. */
enum cu_status cu_ios_time(struct cu_ios *d, int64_t *unix_ms, struct cu_error *err) CU_WARN_UNUSED;
/* installation_proxy Browse ApplicationType=Any with CFBundleIdentifier, CFBundleDisplayName,
 * CFBundleName, CFBundleShortVersionString, CFBundleVersion, SignerIdentity, ApplicationType,
 * Path, Container: a JSON array of objects (keys as given). */
enum cu_status cu_ios_apps(struct cu_ios *d, json_t **out, struct cu_error *err) CU_WARN_UNUSED;
struct cu_ios_afc_entry {
	const char *path; /* absolute in the AFC jail, e.g. "/DCIM/100APPLE/IMG_0001.JPG" */
	bool dir, symlink;
	const char *link_target; /* or NULL */
	uint64_t size;
	int64_t mtime_ns, birth_ns; /* INT64_MIN unknown */
};
/* Depth-first, names sorted bytewise, root itself not reported; an entry without file
 * information or a directory that cannot be listed is reported through hooks->command (ok
 * false) and skipped, the walk goes on (root unreadable: CU_E_NOTFOUND/CU_E_DEVICE), symlinks
 * are not followed; fn returns false to stop
 * (CU_E_INTERRUPTED: core has no "cancelled" status). */
enum cu_status cu_ios_afc_walk(struct cu_ios *d, const char *root,
			       bool (*fn)(void *ctx, const struct cu_ios_afc_entry *e), void *ctx,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_ios_afc_read(struct cu_ios *d, const char *path,
			       enum cu_status (*sink)(void *ctx, const void *p, size_t n,
						      struct cu_error *err),
			       void *ctx, struct cu_error *err) CU_WARN_UNUSED;

/* The host side of a mobilebackup2 backup. Paths are as the phone sends them, relative to the
 * backup root and starting "<udid>/" (checked: no "..", no absolute, no NUL, <= 4096).
 * A failing file_begin/file_data/file_end stops the backup with that error. A failing mkdir,
 * move, remove, copy or list is answered to the phone with a device error code (CU_E_NOTFOUND
 * as ENOENT -6, CU_E_EXISTS as EEXIST -7, others as EIO...) and the loop goes on, unless it
 * failed with CU_E_IO, CU_E_NOMEM or CU_E_INTERRUPTED (the host cannot go on): then it stops.
 * mkdir/move/remove/copy/list/free_space/progress may be NULL (the phone is told all is well,
 * an empty directory, 0 bytes free). Files arrive in blocks of at most 1 MiB. */
struct cu_ios_backup_sink {
	void *ctx;
	enum cu_status (*file_begin)(void *ctx, const char *path, struct cu_error *err);
	enum cu_status (*file_data)(void *ctx, const void *p, size_t n, struct cu_error *err);
	/* ok false: the phone reported an error for this file (device_msg) or the stream broke */
	enum cu_status (*file_end)(void *ctx, bool ok, const char *device_msg,
				   struct cu_error *err);
	enum cu_status (*mkdir)(void *ctx, const char *path, struct cu_error *err);
	enum cu_status (*move)(void *ctx, const char *from, const char *to, struct cu_error *err);
	enum cu_status (*remove)(void *ctx, const char *path, struct cu_error *err);
	enum cu_status (*copy)(void *ctx, const char *from, const char *to, struct cu_error *err);
	/* DLContentsOfDirectory: fill a JSON object name -> {"dir": bool, "size": n, "mtime": unix s} */
	enum cu_status (*list)(void *ctx, const char *path, json_t *out, struct cu_error *err);
	uint64_t (*free_space)(void *ctx);
	void (*progress)(void *ctx, double percent); /* may be NULL */
};
struct cu_ios_backup_result {
	int64_t error_code; /* the final ProcessMessage ErrorCode (0 = success) */
	char error_desc[512];
	uint64_t files, bytes; /* files/bytes received */
};
/* Version exchange, Backup request (ForceFullBackup when full), the DL loop with every handler
 * and error replies, until ProcessMessage or Disconnect. CU_E_DEVICE when the connection drops
 * (the sink already had file_end(false) for a file cut in the middle); CU_E_FORMAT for a
 * malformed message (after replying an error where possible); error_code != 0 is CU_E_DEVICE
 * with the phone's description. */
enum cu_status cu_ios_backup(struct cu_ios *d, bool full, const struct cu_ios_backup_sink *sink,
			     struct cu_ios_backup_result *res, struct cu_error *err) CU_WARN_UNUSED;
/* mobilebackup2 ChangePassword: set (old NULL) or remove (new NULL); reports device_change. */
enum cu_status cu_ios_backup_password(struct cu_ios *d, const char *old_pw, const char *new_pw,
				      struct cu_error *err) CU_WARN_UNUSED;
/* for --version: already in extract/ios/library.c */

#endif
