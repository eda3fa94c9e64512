/*
 * backup.c - the host side of a mobilebackup2 backup: the service started
 * with the pair record's escrow bag, the DeviceLink and mobilebackup2
 * version exchanges, the Backup request, then the DeviceLink loop, each
 * message checked by dl.c and answered with a status response (device
 * error codes for failures), until the phone's final ProcessMessage or
 * Disconnect. Files stream to the sink in blocks: never a whole file in
 * memory. Nothing is written to the phone; ChangePassword only on request.
 */
#include "config.h"

#include "extract/ios/device_int.h"
#include "extract/ios/dl.h"

#include <errno.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libimobiledevice/mobilebackup2.h>

/* The phone may think a long time (snapshot, encryption) between messages. */
#define MB2_IDLE_MAX_S (30 * 60)
/* Inside a file stream a silence this long means the phone is gone. */
#define MB2_STREAM_IDLE_MAX_S 300
/* Quick empty reads in a row: the connection is closed. */
#define MB2_QUICK_EMPTY_MAX 3
#define MB2_BLOCK           (1u << 20)

struct mb2 {
	struct cu_ios *d;
	mobilebackup2_client_t c;
	const struct cu_ios_backup_sink *sink;
	struct cu_ios_backup_result *res;
	unsigned char *buf;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *mb2_strerror(int e)
{
	switch (e) {
	case MOBILEBACKUP2_E_INVALID_ARG: return "invalid argument";
	case MOBILEBACKUP2_E_PLIST_ERROR: return "malformed message";
	case MOBILEBACKUP2_E_MUX_ERROR: return "connection lost";
	case MOBILEBACKUP2_E_SSL_ERROR: return "TLS error";
	case MOBILEBACKUP2_E_RECEIVE_TIMEOUT: return "timeout";
	case MOBILEBACKUP2_E_BAD_VERSION: return "unsupported DeviceLink version";
	case MOBILEBACKUP2_E_REPLY_NOT_OK: return "the phone refused";
	case MOBILEBACKUP2_E_NO_COMMON_VERSION: return "no common protocol version";
	default: return "unknown error";
	}
}

static enum cu_status mb2_fail(struct mb2 *m, int e, const char *what, struct cu_error *err)
{
	return cu_error_set(
	    err, CU_E_DEVICE,
	    "iPhone %s: mobilebackup2 %s: %s (%d): reconnect the iPhone with a data "
	    "cable, keep it unlocked, then run again",
	    m->d->udid, what, mb2_strerror(e), e);
}

/* A status response; status2 NULL sends the empty-parameter string. */
static enum cu_status mb2_status(struct mb2 *m, int code, const char *s1, plist_t s2,
				 struct cu_error *err)
{
	int e = mobilebackup2_send_status_response(m->c, code, s1, s2);

	if (e != MOBILEBACKUP2_E_SUCCESS)
		return mb2_fail(m, e, "status response", err);
	return CU_OK;
}

static enum cu_status mb2_status_empty(struct mb2 *m, int code, const char *s1,
				       struct cu_error *err)
{
	plist_t empty = plist_new_dict();
	enum cu_status st = mb2_status(m, code, s1, empty, err);

	plist_free(empty);
	return st;
}

/* A sink failure as a device error code and text for the phone. */
static int sink_code(const struct cu_error *e)
{
	switch (e->code) {
	case CU_E_NOTFOUND: return CU_IOS_DL_ENOENT;
	case CU_E_EXISTS: return CU_IOS_DL_EEXIST;
	case CU_E_NOMEM: return cu_ios_dl_errno_code(ENOMEM);
	case CU_E_LIMIT: return cu_ios_dl_errno_code(ENOSPC);
	case CU_E_PATH: return cu_ios_dl_errno_code(EACCES);
	default: return cu_ios_dl_errno_code(EIO);
	}
}

static void progress(struct mb2 *m, const struct cu_ios_dl_msg *msg)
{
	if (msg->has_progress && m->sink->progress != NULL)
		m->sink->progress(m->sink->ctx, msg->progress);
}

/* ------------------------------------------------------------------ */
/* UploadFiles: the file stream                                        */
/* ------------------------------------------------------------------ */

/* Reads up to want bytes; *got 0 with CU_OK never: waits while the phone
 * is busy, fails when the connection is gone or silent too long. */
static enum cu_status raw_read(struct mb2 *m, size_t want, uint32_t *got, struct cu_error *err)
{
	double start = mono_s();
	int quick = 0;

	for (;;) {
		double t0 = mono_s();
		uint32_t n = 0;
		int e = mobilebackup2_receive_raw(m->c, (char *)m->buf, (uint32_t)want, &n);

		if (e != MOBILEBACKUP2_E_SUCCESS)
			return mb2_fail(m, e, "file stream", err);
		if (n > 0) {
			*got = n;
			return CU_OK;
		}
		/* no bytes: a timeout (the library waits seconds) or a closed socket
		 * (it returns at once); the library does not say which */
		if (mono_s() - t0 < 0.5)
			quick++;
		else
			quick = 0;
		if (quick >= MB2_QUICK_EMPTY_MAX)
			return cu_error_set(err, CU_E_DEVICE,
					    "iPhone %s: mobilebackup2 file stream: the connection "
					    "was closed in the middle: reconnect the iPhone with a "
					    "data cable, keep it unlocked, then run again",
					    m->d->udid);
		if (mono_s() - start > MB2_STREAM_IDLE_MAX_S)
			return cu_error_set(
			    err, CU_E_DEVICE,
			    "iPhone %s: mobilebackup2 file stream: nothing for %d s: "
			    "keep the iPhone unlocked and connected, then run again",
			    m->d->udid, MB2_STREAM_IDLE_MAX_S);
	}
}

static enum cu_status upload_files(struct mb2 *m, const struct cu_ios_dl_msg *msg,
				   struct cu_error *err)
{
	const struct cu_ios_backup_sink *s = m->sink;
	struct cu_ios_dl_frame *f;
	enum cu_status st = CU_OK;

	f = cu_malloc(sizeof(*f));
	if (f == NULL)
		return cu_error_set(err, CU_E_NOMEM, "iPhone backup: out of memory");
	cu_ios_dl_frame_init(f, m->d->udid);
	progress(m, msg);
	while (!cu_ios_dl_frame_done(f)) {
		size_t want = cu_ios_dl_frame_want(f), off = 0;
		uint32_t got = 0;

		if (want > MB2_BLOCK)
			want = MB2_BLOCK;
		if (want > 0) {
			st = raw_read(m, want, &got, err);
			if (st != CU_OK)
				break;
		}
		do {
			struct cu_ios_dl_event ev;
			size_t used = 0;

			st = cu_ios_dl_frame_feed(f, m->buf + off, got - off, &used, &ev, err);
			off += used;
			if (st != CU_OK)
				break;
			switch (ev.kind) {
			case CU_IOS_DL_EV_FILE_BEGIN:
				st = s->file_begin(s->ctx, ev.path, err);
				break;
			case CU_IOS_DL_EV_DATA:
				st = s->file_data(s->ctx, ev.p, ev.n, err);
				m->res->bytes += ev.n;
				break;
			case CU_IOS_DL_EV_FILE_END:
				if (ev.ok)
					m->res->files++;
				st = s->file_end(s->ctx, ev.ok, ev.msg, err);
				break;
			default: break;
			}
			if (ev.kind == CU_IOS_DL_EV_NONE || ev.kind == CU_IOS_DL_EV_LIST_END)
				break;
		} while (st == CU_OK && (off < got || cu_ios_dl_frame_want(f) == 0) &&
			 !cu_ios_dl_frame_done(f));
		if (st != CU_OK)
			break;
	}
	if (st != CU_OK) {
		/* the file being received is incomplete: the sink hears so first */
		if (cu_ios_dl_frame_in_file(f)) {
			struct cu_error e2;

			(void)s->file_end(s->ctx, false, "the file stream broke off", &e2);
		}
		free(f);
		return st;
	}
	free(f);
	return mb2_status_empty(m, 0, NULL, err);
}

/* ------------------------------------------------------------------ */
/* The other requests                                                  */
/* ------------------------------------------------------------------ */

/* The host keeps no earlier backup: every requested file is missing. */
static enum cu_status download_files(struct mb2 *m, const struct cu_ios_dl_msg *msg,
				     struct cu_error *err)
{
	plist_t errs = NULL;
	const char *desc = strerror(ENOENT);
	unsigned char hdr[5];
	uint32_t sent = 0;
	enum cu_status st;

	progress(m, msg);
	for (size_t i = 0; i < msg->n_paths; i++) {
		const char *p = msg->paths[i];
		size_t pl = strlen(p), dl = strlen(desc);
		uint32_t be = htobe32((uint32_t)pl);
		plist_t fe = plist_new_dict();
		int e;

		/* the path, then the local-error block with its text */
		e = mobilebackup2_send_raw(m->c, (const char *)&be, 4, &sent);
		if (e == MOBILEBACKUP2_E_SUCCESS)
			e = mobilebackup2_send_raw(m->c, p, (uint32_t)pl, &sent);
		be = htobe32((uint32_t)dl + 1);
		memcpy(hdr, &be, 4);
		hdr[4] = CU_IOS_DL_CODE_ERROR_LOCAL;
		if (e == MOBILEBACKUP2_E_SUCCESS)
			e = mobilebackup2_send_raw(m->c, (const char *)hdr, 5, &sent);
		if (e == MOBILEBACKUP2_E_SUCCESS)
			e = mobilebackup2_send_raw(m->c, desc, (uint32_t)dl, &sent);
		if (e != MOBILEBACKUP2_E_SUCCESS) {
			plist_free(fe);
			plist_free(errs);
			return mb2_fail(m, e, "DownloadFiles", err);
		}
		if (errs == NULL)
			errs = plist_new_dict();
		plist_dict_set_item(fe, "DLFileErrorString", plist_new_string(desc));
		plist_dict_set_item(fe, "DLFileErrorCode",
				    plist_new_uint((uint64_t)(int64_t)CU_IOS_DL_ENOENT));
		plist_dict_set_item(errs, p, fe);
	}
	{
		uint32_t zero = 0;
		int e = mobilebackup2_send_raw(m->c, (const char *)&zero, 4, &sent);

		if (e != MOBILEBACKUP2_E_SUCCESS) {
			plist_free(errs);
			return mb2_fail(m, e, "DownloadFiles", err);
		}
	}
	if (errs == NULL)
		return mb2_status_empty(m, 0, NULL, err);
	st = mb2_status(m, CU_IOS_DL_MULTI, "Multi status", errs, err);
	plist_free(errs);
	return st;
}

static enum cu_status free_space(struct mb2 *m, struct cu_error *err)
{
	uint64_t n = m->sink->free_space ? m->sink->free_space(m->sink->ctx) : 0;
	plist_t v = plist_new_uint(n);
	enum cu_status st = mb2_status(m, 0, NULL, v, err);

	plist_free(v);
	return st;
}

static enum cu_status contents_of_dir(struct mb2 *m, const struct cu_ios_dl_msg *msg,
				      struct cu_error *err)
{
	json_t *o = json_object();
	plist_t dict = plist_new_dict();
	struct cu_error e;
	const char *name;
	json_t *v;
	enum cu_status st = CU_OK;
	int code = 0;

	if (o == NULL) {
		plist_free(dict);
		return cu_error_set(err, CU_E_NOMEM, "iPhone backup: out of memory");
	}
	cu_error_clear(&e);
	if (m->sink->list != NULL && m->sink->list(m->sink->ctx, msg->paths[0], o, &e) != CU_OK)
		code = sink_code(&e);
	if (code == 0) {
		json_object_foreach(o, name, v)
		{
			plist_t fd = plist_new_dict();
			json_t *dir = json_object_get(v, "dir"), *size = json_object_get(v, "size"),
			       *mt = json_object_get(v, "mtime");

			plist_dict_set_item(fd, "DLFileType",
					    plist_new_string(json_is_true(dir)
								 ? "DLFileTypeDirectory"
								 : "DLFileTypeRegular"));
			plist_dict_set_item(fd, "DLFileSize",
					    plist_new_uint(json_is_integer(size)
							       ? (uint64_t)json_integer_value(size)
							       : 0));
			plist_dict_set_item(fd, "DLFileModificationDate",
					    plist_new_date(json_is_integer(mt)
							       ? (int32_t)(json_integer_value(mt) -
									   CU_COCOA_EPOCH_OFFSET)
							       : 0,
							   0));
			plist_dict_set_item(dict, name, fd);
		}
		st = mb2_status(m, 0, NULL, dict, err);
	} else {
		st = mb2_status(m, code, e.msg, dict, err);
	}
	json_decref(o);
	plist_free(dict);
	return st;
}

/* One path operation per entry; the first failure is answered with its
 * device code (the rest are still tried, as the phone expects one reply). */
static enum cu_status path_ops(struct mb2 *m, const struct cu_ios_dl_msg *msg, struct cu_error *err)
{
	const struct cu_ios_backup_sink *s = m->sink;
	struct cu_error e, first;
	int code = 0;

	cu_error_clear(&first);
	progress(m, msg);
	for (size_t i = 0; i < (msg->kind == CU_IOS_DL_MOVE ? msg->n_moves : msg->n_paths); i++) {
		enum cu_status r = CU_OK;

		cu_error_clear(&e);
		switch (msg->kind) {
		case CU_IOS_DL_CREATE_DIR:
			r = s->mkdir ? s->mkdir(s->ctx, msg->paths[i], &e) : CU_OK;
			break;
		case CU_IOS_DL_MOVE:
			r = s->move ? s->move(s->ctx, msg->from[i], msg->to[i], &e) : CU_OK;
			break;
		case CU_IOS_DL_REMOVE:
			r = s->remove ? s->remove(s->ctx, msg->paths[i], &e) : CU_OK;
			break;
		case CU_IOS_DL_COPY:
			if (i == 0)
				r = s->copy ? s->copy(s->ctx, msg->paths[0], msg->paths[1], &e)
					    : CU_OK;
			break;
		default: break;
		}
		if (r != CU_OK && code == 0) {
			code = sink_code(&e);
			first = e;
		}
		/* a host that cannot write any more stops here */
		if (r == CU_E_IO || r == CU_E_NOMEM || r == CU_E_INTERRUPTED) {
			*err = e;
			(void)mb2_status_empty(m, code, first.msg, &e);
			return r;
		}
	}
	if (code != 0)
		cu_warn("iPhone %s: %s: %s", m->d->udid, msg->name, first.msg);
	return mb2_status_empty(m, code, code ? first.msg : NULL, err);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

/* iOS 16.1 and later want the passcode typed on the phone for a backup;
 * without it the backup ends with MBErrorDomain 208 "Device locked". */
#define MB_ERROR_DEVICE_LOCKED 208

static bool passcode_hint(int64_t code, const char *desc)
{
	return code == MB_ERROR_DEVICE_LOCKED ||
	       (desc != NULL && (strcasestr(desc, "passcode") != NULL ||
				 strcasestr(desc, "device locked") != NULL));
}

static enum cu_status process_message(struct mb2 *m, const struct cu_ios_dl_msg *msg,
				      const char *op, struct cu_error *err)
{
	m->res->error_code = msg->has_error_code ? msg->error_code : -1;
	snprintf(m->res->error_desc, sizeof(m->res->error_desc), "%s",
		 msg->error_desc ? msg->error_desc : "");
	if (m->res->error_code == 0)
		return CU_OK;
	if (passcode_hint(m->res->error_code, msg->error_desc))
		return cu_error_set(err, CU_E_DEVICE,
				    "iPhone %s: %s needs the passcode (error %lld: %s): "
				    "unlock the iPhone, enter the passcode when it asks for it "
				    "(iOS 16.1 and later) and keep it unlocked, then run again",
				    m->d->udid, op, (long long)m->res->error_code,
				    m->res->error_desc);
	return cu_error_set(err, CU_E_DEVICE, "iPhone %s: %s failed on the phone (error %lld: %s)",
			    m->d->udid, op, (long long)m->res->error_code,
			    m->res->error_desc[0] ? m->res->error_desc : "no description");
}

/* Runs the loop until ProcessMessage or Disconnect. */
static enum cu_status dl_loop(struct mb2 *m, const char *op, struct cu_error *err)
{
	double idle_since = mono_s();

	for (;;) {
		plist_t pl = NULL;
		char *name = NULL;
		struct cu_ios_dl_msg msg;
		enum cu_status st;
		int e;

		e = mobilebackup2_receive_message(m->c, &pl, &name);
		free(name);
		if (pl == NULL &&
		    (e == MOBILEBACKUP2_E_RECEIVE_TIMEOUT || e == MOBILEBACKUP2_E_SUCCESS)) {
			if (mono_s() - idle_since > MB2_IDLE_MAX_S)
				return cu_error_set(
				    err, CU_E_DEVICE,
				    "iPhone %s: %s: no message from the phone for %d "
				    "min: keep the iPhone unlocked and connected, then "
				    "run again",
				    m->d->udid, op, MB2_IDLE_MAX_S / 60);
			continue; /* the phone is busy */
		}
		if (pl == NULL && e == MOBILEBACKUP2_E_PLIST_ERROR) {
			/* not a property list: say so to the phone, then stop */
			(void)mb2_status_empty(m, cu_ios_dl_errno_code(EINVAL), "malformed message",
					       err);
			return cu_error_set(err, CU_E_FORMAT,
					    "iPhone %s: %s: the phone sent a malformed DeviceLink "
					    "message",
					    m->d->udid, op);
		}
		if (pl == NULL)
			return mb2_fail(m, e, op, err);
		idle_since = mono_s();
		st = cu_ios_dl_decode(pl, m->d->udid, &msg, err);
		plist_free(pl);
		if (st != CU_OK) {
			struct cu_error e2;

			(void)mb2_status_empty(m, cu_ios_dl_errno_code(EINVAL), err->msg, &e2);
			if (st == CU_E_FORMAT)
				return cu_error_prefix(err, "iPhone %s: %s", m->d->udid, op);
			return cu_error_prefix(err, "iPhone %s: %s", m->d->udid, op);
		}
		switch (msg.kind) {
		case CU_IOS_DL_UPLOAD_FILES: st = upload_files(m, &msg, err); break;
		case CU_IOS_DL_DOWNLOAD_FILES: st = download_files(m, &msg, err); break;
		case CU_IOS_DL_FREE_SPACE: st = free_space(m, err); break;
		case CU_IOS_DL_CONTENTS_OF_DIR: st = contents_of_dir(m, &msg, err); break;
		case CU_IOS_DL_CREATE_DIR:
		case CU_IOS_DL_MOVE:
		case CU_IOS_DL_REMOVE:
		case CU_IOS_DL_COPY: st = path_ops(m, &msg, err); break;
		case CU_IOS_DL_DISCONNECT:
			cu_ios_dl_msg_release(&msg);
			if (m->res->error_code == -1 && m->res->error_desc[0] == '\0')
				snprintf(m->res->error_desc, sizeof(m->res->error_desc),
					 "the phone disconnected before reporting a result");
			return cu_error_set(
			    err, CU_E_DEVICE,
			    "iPhone %s: %s: the phone disconnected before the end: "
			    "keep the iPhone unlocked and connected, then run again",
			    m->d->udid, op);
		case CU_IOS_DL_PROCESS_MESSAGE:
			st = process_message(m, &msg, op, err);
			cu_ios_dl_msg_release(&msg);
			return st;
		case CU_IOS_DL_UNKNOWN:
			cu_warn("iPhone %s: %s: unknown DeviceLink message %s (answered as "
				"unsupported)",
				m->d->udid, op, msg.name);
			st = mb2_status_empty(m, cu_ios_dl_errno_code(ENOTSUP), "not supported",
					      err);
			break;
		}
		cu_ios_dl_msg_release(&msg);
		if (st != CU_OK)
			return st;
	}
}

static enum cu_status mb2_open(struct cu_ios *d, struct mb2 *m, struct cu_error *err)
{
	lockdownd_service_descriptor_t svc = NULL;
	double versions[2] = {2.0, 2.1}, remote = 0;
	enum cu_status st;
	plist_t r;
	int e;

	memset(m, 0, sizeof(*m));
	m->d = d;
	st = cu_ios_start_service(d, MOBILEBACKUP2_SERVICE_NAME, true, &svc, err);
	if (st != CU_OK)
		return st;
	e = mobilebackup2_client_new(d->dev, svc, &m->c);
	lockdownd_service_descriptor_free(svc);
	if (e != MOBILEBACKUP2_E_SUCCESS) {
		m->c = NULL;
		st = mb2_fail(m, e, "DeviceLink version exchange", err);
		cu_ios_report(d, "mobilebackup2 DLMessageVersionExchange", false, err->msg, NULL);
		return st;
	}
	e = mobilebackup2_version_exchange(m->c, versions, 2, &remote);
	r = plist_new_dict();
	plist_dict_set_item(r, "MessageName", plist_new_string("Response"));
	plist_dict_set_item(r, "ProtocolVersion", plist_new_real(remote));
	if (e != MOBILEBACKUP2_E_SUCCESS) {
		st = mb2_fail(m, e, "Hello (protocol versions 2.0, 2.1)", err);
		if (e == MOBILEBACKUP2_E_NO_COMMON_VERSION)
			st = cu_error_set(
			    err, CU_E_UNSUPPORTED,
			    "iPhone %s: mobilebackup2: the phone speaks neither protocol "
			    "2.0 nor 2.1",
			    d->udid);
		cu_ios_report(d, "mobilebackup2 Hello", false, err->msg, NULL);
		plist_free(r);
		mobilebackup2_client_free(m->c);
		m->c = NULL;
		return st;
	}
	cu_ios_report(d, "mobilebackup2 Hello", true, NULL, r);
	plist_free(r);
	return CU_OK;
}

enum cu_status cu_ios_backup(struct cu_ios *d, bool full, const struct cu_ios_backup_sink *sink,
			     struct cu_ios_backup_result *res, struct cu_error *err)
{
	struct mb2 m;
	plist_t opts = NULL;
	enum cu_status st;
	int e;

	memset(res, 0, sizeof(*res));
	res->error_code = -1;
	if (sink == NULL || sink->file_begin == NULL || sink->file_data == NULL ||
	    sink->file_end == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "iPhone backup: no file sink");
	st = mb2_open(d, &m, err);
	if (st != CU_OK)
		return st;
	m.sink = sink;
	m.res = res;
	m.buf = cu_malloc(MB2_BLOCK);
	if (m.buf == NULL) {
		mobilebackup2_client_free(m.c);
		return cu_error_set(err, CU_E_NOMEM, "iPhone backup: out of memory");
	}
	if (full) {
		opts = plist_new_dict();
		plist_dict_set_item(opts, "ForceFullBackup", plist_new_bool(1));
	}
	e = mobilebackup2_send_request(m.c, "Backup", d->udid, d->udid, opts);
	{
		plist_t req = plist_new_dict();

		plist_dict_set_item(req, "MessageName", plist_new_string("Backup"));
		plist_dict_set_item(req, "TargetIdentifier", plist_new_string(d->udid));
		plist_dict_set_item(req, "SourceIdentifier", plist_new_string(d->udid));
		if (opts != NULL)
			plist_dict_set_item(req, "Options", plist_copy(opts));
		if (e != MOBILEBACKUP2_E_SUCCESS) {
			st = mb2_fail(&m, e, "Backup request", err);
			cu_ios_report(d, "mobilebackup2 Backup", false, err->msg, req);
		} else {
			cu_ios_report(d, "mobilebackup2 Backup", true, "request sent", req);
		}
		plist_free(req);
	}
	plist_free(opts);
	if (st == CU_OK)
		st = dl_loop(&m, "backup", err);
	{
		char msg[768];

		snprintf(msg, sizeof(msg), "ErrorCode %lld%s%s; %llu files, %llu bytes received",
			 (long long)res->error_code, res->error_desc[0] ? ": " : "",
			 res->error_desc, (unsigned long long)res->files,
			 (unsigned long long)res->bytes);
		cu_ios_report(d, "mobilebackup2 Backup result", st == CU_OK,
			      st == CU_OK ? msg : err->msg, NULL);
	}
	free(m.buf);
	mobilebackup2_client_free(m.c);
	return st;
}

/* ------------------------------------------------------------------ */
/* ChangePassword                                                      */
/* ------------------------------------------------------------------ */

/* A sink for the loop of ChangePassword: the phone sends no files. */
static enum cu_status pw_refuse_file(void *ctx, const char *path, struct cu_error *err)
{
	(void)ctx;
	return cu_error_set(err, CU_E_FORMAT, "ChangePassword: unexpected file %s", path);
}
static enum cu_status pw_refuse_data(void *ctx, const void *p, size_t n, struct cu_error *err)
{
	(void)ctx;
	(void)p;
	(void)n;
	return cu_error_set(err, CU_E_FORMAT, "ChangePassword: unexpected file data");
}
static enum cu_status pw_end(void *ctx, bool ok, const char *msg, struct cu_error *err)
{
	(void)ctx;
	(void)ok;
	(void)msg;
	(void)err;
	return CU_OK;
}

enum cu_status cu_ios_backup_password(struct cu_ios *d, const char *old_pw, const char *new_pw,
				      struct cu_error *err)
{
	static const struct cu_ios_backup_sink none = {
	    NULL, pw_refuse_file, pw_refuse_data, pw_end, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	};
	struct cu_ios_backup_result res;
	struct mb2 m;
	plist_t opts;
	enum cu_status st;
	const char *what = new_pw && old_pw ? "backup password changed"
			   : new_pw         ? "backup password set"
					    : "backup password removed";
	int e;

	if (old_pw == NULL && new_pw == NULL)
		return cu_error_set(err, CU_E_USAGE, "iPhone backup password: nothing to change");
	st = mb2_open(d, &m, err);
	if (st != CU_OK)
		return st;
	memset(&res, 0, sizeof(res));
	res.error_code = -1;
	m.sink = &none;
	m.res = &res;
	m.buf = cu_malloc(MB2_BLOCK);
	if (m.buf == NULL) {
		mobilebackup2_client_free(m.c);
		return cu_error_set(err, CU_E_NOMEM, "iPhone backup password: out of memory");
	}
	opts = plist_new_dict();
	plist_dict_set_item(opts, "TargetIdentifier", plist_new_string(d->udid));
	if (new_pw != NULL)
		plist_dict_set_item(opts, "NewPassword", plist_new_string(new_pw));
	if (old_pw != NULL)
		plist_dict_set_item(opts, "OldPassword", plist_new_string(old_pw));
	e = mobilebackup2_send_message(m.c, "ChangePassword", opts);
	/* the passwords stay out of the report */
	plist_dict_remove_item(opts, "NewPassword");
	plist_dict_remove_item(opts, "OldPassword");
	plist_dict_set_item(opts, "MessageName", plist_new_string("ChangePassword"));
	if (e != MOBILEBACKUP2_E_SUCCESS) {
		st = mb2_fail(&m, e, "ChangePassword", err);
		cu_ios_report(d, "mobilebackup2 ChangePassword", false, err->msg, opts);
	} else {
		st = dl_loop(&m, "ChangePassword", err);
		cu_ios_report(d, "mobilebackup2 ChangePassword", st == CU_OK,
			      st == CU_OK ? NULL : err->msg, opts);
	}
	plist_free(opts);
	if (st == CU_OK) {
		json_t *det = json_pack("{s:s, s:b, s:b}", "udid", d->udid, "old_password_given",
					old_pw != NULL, "new_password_given", new_pw != NULL);

		cu_ios_report_change(d, what, det);
		json_decref(det);
	} else if (res.error_code > 0) {
		cu_error_prefix(err, "%s",
				"changing the backup password (iOS 13 and later ask for "
				"the passcode on the iPhone: enter it when asked)");
	}
	free(m.buf);
	mobilebackup2_client_free(m.c);
	return st;
}
