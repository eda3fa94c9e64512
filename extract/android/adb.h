/*
 * adb.h - custos's ADB host stack (no adb binary, no server): USB (libusb)
 * and TCP transports, CNXN and AUTH, streams, and the services shell (v1
 * and v2), exec, raw services (backup) and sync (STAT/LIST/RECV and the
 * 64-bit STA2/LIS2). Wire facts: PROTOCOLS.md §4 (AOSP adb protocol.md,
 * sync.md, shell_protocol.h, file_sync_protocol.h).
 *
 * Every byte from the phone is untrusted: packet lengths are bounded by
 * the negotiated max payload, the magic is checked, checksums are checked
 * with a version 0x01000000 peer, sync replies are bounded.
 *
 * Ownership: cu_adb_open_*() give a connection freed by cu_adb_close();
 * strings returned by cu_adb_banner()/cu_adb_serial() are borrowed from it.
 * A connection is used by one thread at a time. Calls are sequential, but
 * a sync session may stay open while shell commands run on the same
 * connection (each has its own stream).
 *
 * Sinks: a sink returning false stops the transfer; the stream is closed
 * and the call returns CU_E_INTERRUPTED ("stopped by the receiver"), so a
 * stopped transfer is never mistaken for a complete one.
 */
#ifndef CUSTOS_EXTRACT_ANDROID_ADB_H
#define CUSTOS_EXTRACT_ANDROID_ADB_H

#include "core/core.h"

struct cu_adb; /* one connected, authenticated device */

struct cu_adb_opts {
	const char *key_path;   /* NULL = default (env CUSTOS_ADB_KEY, else config dir) */
	unsigned auth_wait_ms;  /* how long to wait for the user's "Allow" tap; 0 = 30000 */
	unsigned io_timeout_ms; /* per read/write; 0 = 20000 */
};

struct cu_adb_device { /* one line of `custos devices` */
	char serial[128];
	char transport[8];                       /* "usb" or "tcp" */
	char state[16];                          /* "ready", "unauthorized", "offline", "busy" */
	char product[64], model[64], device[64]; /* from the CNXN banner when known */
	char advice[256]; /* what the investigator should do, "" if nothing */
};

/* Lists USB ADB devices (libusb); with hostport also probes that TCP address. Never fails
 * for an unreachable device: it is listed with its state. *out is malloc'ed (free()). */
enum cu_status cu_adb_list(const char *hostport, const struct cu_adb_opts *o,
			   struct cu_adb_device **out, size_t *n,
			   struct cu_error *err) CU_WARN_UNUSED;

/* Connects (CNXN + AUTH) to a USB serial or a TCP "host:port". CU_E_DEVICE with advice when
 * unauthorized / busy / absent. A NULL serial takes the only USB ADB device (CU_E_USAGE
 * when there are several). */
enum cu_status cu_adb_open_usb(const char *serial, const struct cu_adb_opts *o, struct cu_adb **out,
			       struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_adb_open_tcp(const char *hostport, const struct cu_adb_opts *o,
			       struct cu_adb **out, struct cu_error *err) CU_WARN_UNUSED;
void cu_adb_close(struct cu_adb *a);

const char *cu_adb_banner(const struct cu_adb *a); /* the device's CNXN banner, as sent */
bool cu_adb_has_feature(const struct cu_adb *a,
			const char *feature); /* "shell_v2", "stat_v2", "ls_v2" */
const char *cu_adb_serial(const struct cu_adb *a);

/* Output sink: stream 1 = stdout, 2 = stderr (v1 shell: everything is 1). Return false to stop. */
typedef bool (*cu_adb_sink)(void *ctx, int stream, const void *p, size_t n);

/* Runs cmd with shell,v2,raw: when the device has shell_v2 (exit code in *exit_code), else
 * shell: (v1; *exit_code = -1 = unknown). exec: when raw binary output is wanted. */
enum cu_status cu_adb_shell(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			    int *exit_code, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_adb_exec(struct cu_adb *a, const char *cmd, cu_adb_sink sink, void *ctx,
			   struct cu_error *err) CU_WARN_UNUSED;
/* backup: service (adb backup), raw bytes to sink. */
enum cu_status cu_adb_service_raw(struct cu_adb *a, const char *service, cu_adb_sink sink,
				  void *ctx, struct cu_error *err) CU_WARN_UNUSED;

struct cu_adb_stat {
	uint32_t mode; /* st_mode as the device reports it */
	uint64_t size;
	int64_t mtime; /* seconds */
	bool exists;
};
struct cu_adb_sync; /* one sync: session on a connection */
/* The session reopens its sync: stream by itself after a FAIL (adbd ends a sync
 * session on a failed RECV) or a stopped RECV. */
enum cu_status cu_adb_sync_open(struct cu_adb *a, struct cu_adb_sync **out,
				struct cu_error *err) CU_WARN_UNUSED;
void cu_adb_sync_close(struct cu_adb_sync *s); /* sends QUIT */
/* STA2 when the device has stat_v2, else STAT. exists is false for a missing path (all
 * zeros from STAT, ENOENT from STA2); another STA2 error is CU_E_IO naming it. */
enum cu_status cu_adb_sync_stat(struct cu_adb_sync *s, const char *path, struct cu_adb_stat *st,
				struct cu_error *err) CU_WARN_UNUSED;
/* LIS2 when ls_v2, else LIST. cb gets each entry (not "." / ".."); return false to stop.
 * Names are the device's bytes as sent (any byte but NUL and '/' may occur; NUL and '/'
 * are passed on too, as evidence of a hostile device). An LIS2 entry the device could
 * not stat comes with exists = false. */
typedef bool (*cu_adb_dirent_cb)(void *ctx, const char *name, size_t name_len,
				 const struct cu_adb_stat *st);
enum cu_status cu_adb_sync_list(struct cu_adb_sync *s, const char *path, cu_adb_dirent_cb cb,
				void *ctx, struct cu_error *err) CU_WARN_UNUSED;
/* RECV: bytes to sink (stream 1) as they arrive. A FAIL from the device → CU_E_IO with its
 * message; a dropped connection → CU_E_DEVICE; never a silent short file. *got (may be
 * NULL) = bytes given to the sink, also on failure. */
enum cu_status cu_adb_sync_recv(struct cu_adb_sync *s, const char *path, cu_adb_sink sink,
				void *ctx, uint64_t *got, struct cu_error *err) CU_WARN_UNUSED;

#endif
