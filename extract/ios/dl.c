/*
 * dl.c - pure checks of DeviceLink messages, their paths and the file-data
 * framing of a mobilebackup2 upload (dl.h); plist to JSON (plistjson.h).
 * libplist only: no device, no socket.
 */
#include "config.h"

#include "extract/ios/dl.h"
#include "extract/ios/plistjson.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <plist/plist.h>

int cu_ios_dl_errno_code(int errno_value)
{
	if (errno_value == ENOENT)
		return CU_IOS_DL_ENOENT;
	if (errno_value == EEXIST)
		return CU_IOS_DL_EEXIST;
	return errno_value > 0 ? -errno_value : -1;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

enum cu_status cu_ios_dl_check_path(const char *p, size_t n, const char *udid, struct cu_error *err)
{
	char show[160];
	struct cu_error e;

	if (p == NULL)
		return cu_error_set(err, CU_E_PATH, "phone path: missing");
	if (n > CU_IOS_DL_PATH_MAX)
		return cu_error_set(err, CU_E_PATH, "phone path '%s': %zu bytes, more than %d",
				    cu_path_show(p, n, show, sizeof(show)), n, CU_IOS_DL_PATH_MAX);
	if (cu_path_check_relative(p, n, &e) != CU_OK)
		return cu_error_set(err, CU_E_PATH, "phone path '%s': %s",
				    cu_path_show(p, n, show, sizeof(show)), e.msg);
	if (udid != NULL) {
		size_t u = strlen(udid);

		if (n < u || memcmp(p, udid, u) != 0 || (n > u && p[u] != '/'))
			return cu_error_set(err, CU_E_PATH,
					    "phone path '%s': outside the backup of %s",
					    cu_path_show(p, n, show, sizeof(show)), udid);
	}
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

void cu_ios_dl_msg_release(struct cu_ios_dl_msg *m)
{
	if (m == NULL)
		return;
	free(m->name);
	for (size_t i = 0; i < m->n_paths; i++)
		free(m->paths[i]);
	free(m->paths);
	for (size_t i = 0; i < m->n_moves; i++) {
		free(m->from[i]);
		free(m->to[i]);
	}
	free(m->from);
	free(m->to);
	free(m->error_desc);
	memset(m, 0, sizeof(*m));
}

static const struct {
	const char *name;
	enum cu_ios_dl_kind kind;
} dl_names[] = {
    {"DLMessageUploadFiles", CU_IOS_DL_UPLOAD_FILES},
    {"DLMessageDownloadFiles", CU_IOS_DL_DOWNLOAD_FILES},
    {"DLMessageGetFreeDiskSpace", CU_IOS_DL_FREE_SPACE},
    {"DLContentsOfDirectory", CU_IOS_DL_CONTENTS_OF_DIR},
    {"DLMessageCreateDirectory", CU_IOS_DL_CREATE_DIR},
    {"DLMessageMoveItems", CU_IOS_DL_MOVE},
    {"DLMessageMoveFiles", CU_IOS_DL_MOVE},
    {"DLMessageRemoveItems", CU_IOS_DL_REMOVE},
    {"DLMessageRemoveFiles", CU_IOS_DL_REMOVE},
    {"DLMessageCopyItem", CU_IOS_DL_COPY},
    {"DLMessageDisconnect", CU_IOS_DL_DISCONNECT},
    {"DLMessageProcessMessage", CU_IOS_DL_PROCESS_MESSAGE},
};

/* A string node without NUL bytes, copied. */
static enum cu_status dl_string(plist_t node, const char *what, char **out, struct cu_error *err)
{
	const char *s;
	uint64_t len = 0;
	char *c;

	if (node == NULL || plist_get_node_type(node) != PLIST_STRING)
		return cu_error_set(err, CU_E_FORMAT, "%s: not a string", what);
	s = plist_get_string_ptr(node, &len);
	if (s == NULL)
		return cu_error_set(err, CU_E_FORMAT, "%s: not a string", what);
	if (len > CU_IOS_DL_PATH_MAX * 4 || memchr(s, '\0', (size_t)len) != NULL)
		return cu_error_set(err, CU_E_FORMAT, "%s: a string with NUL bytes or too long",
				    what);
	c = cu_strndup(s, (size_t)len);
	if (c == NULL)
		return cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
	*out = c;
	return CU_OK;
}

static enum cu_status dl_path(plist_t node, const char *udid, const char *what, char **out,
			      struct cu_error *err)
{
	char *s = NULL;
	enum cu_status st = dl_string(node, what, &s, err);

	if (st != CU_OK)
		return st;
	st = cu_ios_dl_check_path(s, strlen(s), udid, err);
	if (st != CU_OK) {
		free(s);
		return cu_error_prefix(err, "%s", what);
	}
	*out = s;
	return CU_OK;
}

static enum cu_status dl_add_path(struct cu_ios_dl_msg *m, char *s, struct cu_error *err)
{
	char **np = cu_reallocarray(m->paths, m->n_paths + 1, sizeof(*np));

	if (np == NULL) {
		free(s);
		return cu_error_set(err, CU_E_NOMEM, "DeviceLink message: out of memory");
	}
	m->paths = np;
	m->paths[m->n_paths++] = s;
	return CU_OK;
}

static void dl_progress(plist_t arr, uint32_t idx, struct cu_ios_dl_msg *m)
{
	plist_t node = plist_array_get_item(arr, idx);
	double v = 0;

	if (node == NULL || plist_get_node_type(node) != PLIST_REAL)
		return;
	plist_get_real_val(node, &v);
	if (!isfinite(v))
		return;
	m->has_progress = true;
	m->progress = v < 0 ? 0 : v > 100 ? 100 : v;
}

static enum cu_status dl_path_array(plist_t arr, const char *udid, const char *what,
				    struct cu_ios_dl_msg *m, struct cu_error *err)
{
	uint32_t n;

	if (arr == NULL || plist_get_node_type(arr) != PLIST_ARRAY)
		return cu_error_set(err, CU_E_FORMAT, "%s: element 1 is not an array", what);
	n = plist_array_get_size(arr);
	for (uint32_t i = 0; i < n; i++) {
		char *s = NULL;
		enum cu_status st = dl_path(plist_array_get_item(arr, i), udid, what, &s, err);

		if (st == CU_OK)
			st = dl_add_path(m, s, err);
		if (st != CU_OK)
			return st;
	}
	return CU_OK;
}

/*
 * The next entry of a dictionary, its key copied. Not plist_dict_next_item()
 * with a key: libplist asserts (aborts) on a key holding a NUL byte, which a
 * hostile binary plist can carry. The key is read through the size-bounded
 * comparison instead, byte by byte up to its first NUL (what every libplist
 * writer keeps of it too). *key NULL at the end; false when the key is longer
 * than max or memory ran out.
 */
static bool dict_next(plist_t dict, plist_dict_iter it, size_t max, char **key, plist_t *val)
{
	plist_t k;
	char *b;
	size_t n = 0;

	*key = NULL;
	*val = NULL;
	plist_dict_next_item(dict, it, NULL, val);
	if (*val == NULL)
		return true;
	k = plist_dict_item_get_key(*val);
	if (k == NULL || plist_get_node_type(k) != PLIST_KEY)
		return false;
	b = cu_malloc(max + 2);
	if (b == NULL)
		return false;
	for (;;) {
		int lo = 1, hi = 255;

		b[n] = '\0';
		if (plist_key_val_compare_with_size(k, b, n + 1) == 0)
			break; /* the key ends here */
		if (n >= max) {
			free(b);
			return false;
		}
		while (lo < hi) { /* the byte at n: strncmp's sign against a guess */
			int mid = (lo + hi) / 2;

			b[n] = (char)mid;
			if (plist_key_val_compare_with_size(k, b, n + 1) > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		b[n++] = (char)lo;
	}
	*key = b;
	return true;
}

static enum cu_status dl_moves(plist_t dict, const char *udid, const char *what,
			       struct cu_ios_dl_msg *m, struct cu_error *err)
{
	plist_dict_iter it = NULL;
	enum cu_status st = CU_OK;
	uint32_t n;

	if (dict == NULL || plist_get_node_type(dict) != PLIST_DICT)
		return cu_error_set(err, CU_E_FORMAT, "%s: element 1 is not a dictionary", what);
	n = plist_dict_get_size(dict);
	if (n == 0)
		return CU_OK;
	m->from = cu_calloc(n, sizeof(char *));
	m->to = cu_calloc(n, sizeof(char *));
	if (m->from == NULL || m->to == NULL)
		return cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
	plist_dict_new_iter(dict, &it);
	if (it == NULL)
		return cu_error_set(err, CU_E_NOMEM, "%s: out of memory", what);
	while (m->n_moves < n) {
		char *key = NULL, *to = NULL;
		plist_t val = NULL;

		if (!dict_next(dict, it, CU_IOS_DL_PATH_MAX, &key, &val)) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: an unreadable or too long key",
					  what);
			break;
		}
		if (key == NULL)
			break;
		st = cu_ios_dl_check_path(key, strlen(key), udid, err);
		if (st != CU_OK) {
			free(key);
			st = cu_error_prefix(err, "%s", what);
			break;
		}
		st = dl_path(val, udid, what, &to, err);
		if (st != CU_OK) {
			free(key);
			break;
		}
		m->from[m->n_moves] = key;
		m->to[m->n_moves] = to;
		m->n_moves++;
	}
	free(it);
	return st;
}

static enum cu_status dl_process(plist_t dict, struct cu_ios_dl_msg *m, struct cu_error *err)
{
	plist_t node;

	if (dict == NULL || plist_get_node_type(dict) != PLIST_DICT)
		return cu_error_set(err, CU_E_FORMAT,
				    "DLMessageProcessMessage: element 1 is not a dictionary");
	m->error_code = -1;
	node = plist_dict_get_item(dict, "ErrorCode");
	if (node != NULL && plist_get_node_type(node) == PLIST_UINT) {
		uint64_t v = 0;

		plist_get_uint_val(node, &v);
		m->has_error_code = true;
		m->error_code = (int64_t)v; /* negative numbers arrive two's complement */
	}
	node = plist_dict_get_item(dict, "ErrorDescription");
	if (node != NULL && plist_get_node_type(node) == PLIST_STRING) {
		enum cu_status st = dl_string(node, "DLMessageProcessMessage ErrorDescription",
					      &m->error_desc, err);

		if (st != CU_OK)
			return st;
	}
	return CU_OK;
}

enum cu_status cu_ios_dl_decode(const void *plist, const char *udid, struct cu_ios_dl_msg *out,
				struct cu_error *err)
{
	plist_t arr = (plist_t)(uintptr_t)plist;
	struct cu_ios_dl_msg m;
	enum cu_status st;
	uint32_t size;
	const char *nm;

	memset(&m, 0, sizeof(m));
	if (arr == NULL || plist_get_node_type(arr) != PLIST_ARRAY)
		return cu_error_set(err, CU_E_FORMAT, "DeviceLink message: not an array");
	size = plist_array_get_size(arr);
	if (size < 1)
		return cu_error_set(err, CU_E_FORMAT, "DeviceLink message: empty array");
	st = dl_string(plist_array_get_item(arr, 0), "DeviceLink message name", &m.name, err);
	if (st != CU_OK)
		return st;
	nm = m.name;
	for (size_t i = 0; i < sizeof(dl_names) / sizeof(dl_names[0]); i++)
		if (strcmp(nm, dl_names[i].name) == 0)
			m.kind = dl_names[i].kind;

	switch (m.kind) {
	case CU_IOS_DL_UPLOAD_FILES:
		dl_progress(arr, 2, &m);
		if (size > 3 && plist_get_node_type(plist_array_get_item(arr, 3)) == PLIST_UINT)
			plist_get_uint_val(plist_array_get_item(arr, 3), &m.total);
		break;
	case CU_IOS_DL_DOWNLOAD_FILES:
	case CU_IOS_DL_REMOVE:
		if (size < 2) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: no list of paths", nm);
			break;
		}
		st = dl_path_array(plist_array_get_item(arr, 1), udid, nm, &m, err);
		dl_progress(arr, 3, &m);
		break;
	case CU_IOS_DL_CONTENTS_OF_DIR:
	case CU_IOS_DL_CREATE_DIR: {
		char *s = NULL;

		if (size < 2) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: no path", nm);
			break;
		}
		st = dl_path(plist_array_get_item(arr, 1), udid, nm, &s, err);
		if (st == CU_OK)
			st = dl_add_path(&m, s, err);
		break;
	}
	case CU_IOS_DL_MOVE:
		if (size < 2) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: no moves", nm);
			break;
		}
		st = dl_moves(plist_array_get_item(arr, 1), udid, nm, &m, err);
		dl_progress(arr, 3, &m);
		break;
	case CU_IOS_DL_COPY:
		if (size < 3) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: needs a source and a target", nm);
			break;
		}
		for (uint32_t i = 1; i <= 2 && st == CU_OK; i++) {
			char *s = NULL;

			st = dl_path(plist_array_get_item(arr, i), udid, nm, &s, err);
			if (st == CU_OK)
				st = dl_add_path(&m, s, err);
		}
		break;
	case CU_IOS_DL_PROCESS_MESSAGE:
		if (size < 2) {
			st = cu_error_set(err, CU_E_FORMAT, "%s: no dictionary", nm);
			break;
		}
		st = dl_process(plist_array_get_item(arr, 1), &m, err);
		break;
	case CU_IOS_DL_FREE_SPACE:
	case CU_IOS_DL_DISCONNECT:
	case CU_IOS_DL_UNKNOWN: break;
	}
	if (st != CU_OK) {
		cu_ios_dl_msg_release(&m);
		return st;
	}
	*out = m;
	return CU_OK;
}

enum cu_status cu_ios_dl_decode_bytes(const void *p, size_t n, const char *udid,
				      struct cu_ios_dl_msg *out, struct cu_error *err)
{
	plist_t pl = NULL;
	enum cu_status st;

	if (n == 0 || n > UINT32_MAX)
		return cu_error_set(err, CU_E_FORMAT, "DeviceLink message: %zu bytes", n);
	plist_from_memory(p, (uint32_t)n, &pl);
	if (pl == NULL)
		return cu_error_set(err, CU_E_FORMAT, "DeviceLink message: not a property list");
	st = cu_ios_dl_decode(pl, udid, out, err);
	plist_free(pl);
	return st;
}

/* ------------------------------------------------------------------ */
/* File-data framing                                                   */
/* ------------------------------------------------------------------ */

enum {
	F_LEN1,     /* u32: the device path's length (0: end of list) */
	F_NAME1,    /* the device path (not used) */
	F_LEN2,     /* u32: the host path's length (0: end of list) */
	F_NAME2,    /* the host path */
	F_BLEN,     /* u32: block length incl. code (0: end of list) */
	F_CODE,     /* 1 byte */
	F_DATA,     /* need bytes of file data */
	F_MSG,      /* need bytes of an error message */
	F_PEND_END, /* LIST_END to report after a FILE_END */
	F_DONE,
	F_BROKEN,
};

void cu_ios_dl_frame_init(struct cu_ios_dl_frame *f, const char *udid)
{
	memset(f, 0, sizeof(*f));
	f->state = F_LEN1;
	if (udid != NULL)
		snprintf(f->udid, sizeof(f->udid), "%s", udid);
}

size_t cu_ios_dl_frame_want(const struct cu_ios_dl_frame *f)
{
	switch (f->state) {
	case F_LEN1:
	case F_LEN2:
	case F_BLEN: return 4 - f->lenhave;
	case F_CODE: return 1;
	case F_NAME1:
	case F_NAME2:
	case F_DATA:
	case F_MSG: return f->need;
	default: return 0;
	}
}

bool cu_ios_dl_frame_done(const struct cu_ios_dl_frame *f)
{
	return f->state == F_DONE;
}

bool cu_ios_dl_frame_in_file(const struct cu_ios_dl_frame *f)
{
	return f->in_file;
}

static enum cu_status frame_fail(struct cu_ios_dl_frame *f, struct cu_error *err,
				 enum cu_status code, const char *what)
{
	f->state = F_BROKEN;
	return cu_error_set(err, code, "backup file stream: %s", what);
}

/* Takes up to 4 length bytes; true when the u32 is complete (in *v). */
static bool frame_len(struct cu_ios_dl_frame *f, const unsigned char *p, size_t n, size_t *k,
		      uint32_t *v)
{
	size_t t = 4 - f->lenhave;

	if (t > n)
		t = n;
	memcpy(f->lenbuf + f->lenhave, p, t);
	f->lenhave += t;
	*k = t;
	if (f->lenhave < 4)
		return false;
	f->lenhave = 0;
	*v = (uint32_t)f->lenbuf[0] << 24 | (uint32_t)f->lenbuf[1] << 16 |
	     (uint32_t)f->lenbuf[2] << 8 | (uint32_t)f->lenbuf[3];
	return true;
}

static void frame_file_end(struct cu_ios_dl_frame *f, struct cu_ios_dl_event *ev, bool ok,
			   const char *msg)
{
	ev->kind = CU_IOS_DL_EV_FILE_END;
	ev->ok = ok;
	ev->msg = ok ? NULL : msg;
	f->in_file = false;
	f->state = F_LEN1;
}

enum cu_status cu_ios_dl_frame_feed(struct cu_ios_dl_frame *f, const void *vp, size_t n,
				    size_t *used, struct cu_ios_dl_event *ev, struct cu_error *err)
{
	const unsigned char *p = vp;
	size_t off = 0;

	memset(ev, 0, sizeof(*ev));
	*used = 0;
	if (f->state == F_BROKEN)
		return cu_error_set(err, CU_E_FORMAT, "backup file stream: already broken");
	if (f->state == F_PEND_END) {
		f->state = F_DONE;
		ev->kind = CU_IOS_DL_EV_LIST_END;
		return CU_OK;
	}
	while (off < n && ev->kind == CU_IOS_DL_EV_NONE) {
		size_t k = 0, avail = n - off;
		uint32_t v = 0;

		switch (f->state) {
		case F_LEN1:
		case F_LEN2:
			if (!frame_len(f, p + off, avail, &k, &v))
				break;
			if (v == 0) {
				f->state = F_DONE;
				ev->kind = CU_IOS_DL_EV_LIST_END;
			} else if (v > CU_IOS_DL_PATH_MAX) {
				off += k;
				*used = off;
				return frame_fail(f, err, CU_E_FORMAT,
						  "a path longer than 4096 bytes");
			} else {
				f->need = v;
				f->namelen = 0;
				f->state = f->state == F_LEN1 ? F_NAME1 : F_NAME2;
			}
			break;
		case F_NAME1:
		case F_NAME2:
			k = avail < f->need ? avail : f->need;
			if (f->state == F_NAME2)
				memcpy(f->name + f->namelen, p + off, k);
			f->namelen += k;
			f->need -= (uint32_t)k;
			if (f->need > 0)
				break;
			if (f->state == F_NAME1) {
				f->state = F_LEN2;
				break;
			}
			f->name[f->namelen] = '\0';
			if (cu_ios_dl_check_path(f->name, f->namelen, f->udid[0] ? f->udid : NULL,
						 err) != CU_OK) {
				f->state = F_BROKEN;
				*used = off + k;
				return cu_error_prefix(err, "backup file stream");
			}
			f->in_file = true;
			f->files++;
			f->code = 0;
			f->state = F_BLEN;
			ev->kind = CU_IOS_DL_EV_FILE_BEGIN;
			ev->path = f->name;
			break;
		case F_BLEN:
			if (!frame_len(f, p + off, avail, &k, &v))
				break;
			if (v == 0) {
				/* the list ends where the file's next block would be */
				snprintf(f->msg, sizeof(f->msg),
					 "the stream ended without the file's end mark");
				frame_file_end(f, ev, false, f->msg);
				f->state = F_PEND_END;
			} else {
				f->blen = v;
				f->state = F_CODE;
			}
			break;
		case F_CODE:
			k = 1;
			f->last_code = f->code;
			f->code = p[off];
			f->need = f->blen - 1;
			if (f->code == CU_IOS_DL_CODE_FILE_DATA) {
				f->state = f->need > 0 ? F_DATA : F_BLEN;
			} else if (f->code == CU_IOS_DL_CODE_SUCCESS) {
				if (f->need != 0) {
					*used = off + k;
					return frame_fail(f, err, CU_E_FORMAT,
							  "an end-of-file mark with a payload");
				}
				frame_file_end(f, ev, true, NULL);
			} else if (f->code == CU_IOS_DL_CODE_ERROR_REMOTE) {
				f->msglen = 0;
				f->state = F_MSG;
				if (f->need == 0) {
					f->msg[0] = '\0';
					frame_file_end(f, ev,
						       f->last_code == CU_IOS_DL_CODE_FILE_DATA,
						       "the phone reported an error");
				}
			} else {
				char what[64];

				snprintf(what, sizeof(what), "unknown block code 0x%02x", f->code);
				*used = off + k;
				return frame_fail(f, err, CU_E_FORMAT, what);
			}
			break;
		case F_DATA:
			k = avail < f->need ? avail : f->need;
			f->need -= (uint32_t)k;
			f->bytes += k;
			ev->kind = CU_IOS_DL_EV_DATA;
			ev->p = p + off;
			ev->n = k;
			if (f->need == 0)
				f->state = F_BLEN;
			break;
		case F_MSG:
			k = avail < f->need ? avail : f->need;
			if (f->msglen < CU_IOS_DL_MSG_MAX) {
				size_t t = CU_IOS_DL_MSG_MAX - f->msglen;

				if (t > k)
					t = k;
				memcpy(f->msg + f->msglen, p + off, t);
				f->msglen += t;
			}
			f->need -= (uint32_t)k;
			if (f->need > 0)
				break;
			f->msg[f->msglen] = '\0';
			if (memchr(f->msg, '\0', f->msglen) != NULL ||
			    !cu_utf8_valid(f->msg, f->msglen))
				snprintf(f->msg, sizeof(f->msg),
					 "the phone reported an error (unreadable message)");
			else if (f->msglen == 0)
				snprintf(f->msg, sizeof(f->msg), "the phone reported an error");
			/* after data blocks an error code is only the end mark */
			frame_file_end(f, ev, f->last_code == CU_IOS_DL_CODE_FILE_DATA, f->msg);
			break;
		case F_DONE:
			*used = off;
			return frame_fail(f, err, CU_E_FORMAT, "bytes after the end of the list");
		default: return frame_fail(f, err, CU_E_INTERNAL, "bad state");
		}
		off += k;
	}
	*used = off;
	return CU_OK;
}

/* ------------------------------------------------------------------ */
/* Property lists as JSON                                              */
/* ------------------------------------------------------------------ */

#define PJ_DEPTH_MAX 64
#define PJ_KEY_MAX   4096

static json_t *pj_base64(const char *p, size_t n)
{
	struct cu_buf b = CU_BUF_INIT;
	json_t *o = NULL;

	if (cu_base64_encode((const unsigned char *)p, n, &b, NULL) == CU_OK)
		o = json_pack("{s:s%}", "base64", b.data ? b.data : "", b.len);
	cu_buf_release(&b);
	return o;
}

static enum cu_status pj_node(plist_t node, int depth, json_t **out, struct cu_error *err)
{
	json_t *o = NULL;

	if (depth > PJ_DEPTH_MAX)
		return cu_error_set(err, CU_E_LIMIT, "property list: nested deeper than %d",
				    PJ_DEPTH_MAX);
	switch (plist_get_node_type(node)) {
	case PLIST_BOOLEAN: {
		uint8_t b = 0;

		plist_get_bool_val(node, &b);
		o = json_boolean(b);
		break;
	}
	case PLIST_UINT: {
		uint64_t v = 0;

		plist_get_uint_val(node, &v);
		o = json_integer((json_int_t)(int64_t)v);
		break;
	}
	case PLIST_REAL: {
		double v = 0;

		plist_get_real_val(node, &v);
		o = isfinite(v) ? json_real(v) : json_null();
		break;
	}
	case PLIST_STRING:
	case PLIST_KEY: {
		uint64_t len = 0;
		const char *s = plist_get_string_ptr(node, &len);

		if (s == NULL)
			o = json_string("");
		else if (cu_utf8_valid(s, (size_t)len))
			o = json_stringn(s, (size_t)len);
		else
			o = pj_base64(s, (size_t)len);
		break;
	}
	case PLIST_DATA: {
		char *d = NULL;
		uint64_t len = 0;

		plist_get_data_val(node, &d, &len);
		o = pj_base64(d ? d : "", d ? (size_t)len : 0);
		free(d);
		break;
	}
	case PLIST_DATE: {
		int32_t sec = 0, usec = 0;
		char ts[CU_TIME_STR];
		int64_t ms;

		plist_get_date_val(node, &sec, &usec);
		ms = ((int64_t)sec + CU_COCOA_EPOCH_OFFSET) * 1000 + usec / 1000;
		o = cu_time_format_ms(ms, ts) ? json_string(ts) : json_null();
		break;
	}
	case PLIST_UID: {
		uint64_t v = 0;

		plist_get_uid_val(node, &v);
		o = json_pack("{s:I}", "uid", (json_int_t)v);
		break;
	}
	case PLIST_ARRAY: {
		uint32_t n = plist_array_get_size(node);

		o = json_array();
		for (uint32_t i = 0; o != NULL && i < n; i++) {
			json_t *c = NULL;
			enum cu_status st =
			    pj_node(plist_array_get_item(node, i), depth + 1, &c, err);

			if (st != CU_OK) {
				json_decref(o);
				return st;
			}
			if (json_array_append_new(o, c) != 0) {
				json_decref(o);
				o = NULL;
			}
		}
		break;
	}
	case PLIST_DICT: {
		plist_dict_iter it = NULL;

		o = json_object();
		plist_dict_new_iter(node, &it);
		if (it == NULL) {
			json_decref(o);
			o = NULL;
			break;
		}
		while (o != NULL) {
			char *key = NULL;
			plist_t val = NULL;
			json_t *c = NULL;
			enum cu_status st;

			if (!dict_next(node, it, PJ_KEY_MAX, &key, &val)) {
				free(it);
				json_decref(o);
				return cu_error_set(err, CU_E_FORMAT,
						    "property list: an unreadable or too long key");
			}
			if (key == NULL)
				break;
			st = pj_node(val, depth + 1, &c, err);
			if (st != CU_OK) {
				free(key);
				free(it);
				json_decref(o);
				return st;
			}
			if (!cu_utf8_valid(key, strlen(key)) ||
			    json_object_set_new(o, key, c) != 0) {
				json_decref(c);
				free(key);
				free(it);
				json_decref(o);
				return cu_error_set(err, CU_E_FORMAT,
						    "property list: a key that is not UTF-8");
			}
			free(key);
		}
		free(it);
		break;
	}
	default: o = json_null(); break;
	}
	if (o == NULL)
		return cu_error_set(err, CU_E_NOMEM, "property list to JSON: out of memory");
	*out = o;
	return CU_OK;
}

enum cu_status cu_ios_plist_to_json(const void *plist, json_t **out, struct cu_error *err)
{
	if (plist == NULL)
		return cu_error_set(err, CU_E_FORMAT, "property list: empty");
	return pj_node((plist_t)(uintptr_t)plist, 0, out, err);
}

enum cu_status cu_ios_plist_bytes_to_json(const void *p, size_t n, json_t **out,
					  struct cu_error *err)
{
	plist_t pl = NULL;
	enum cu_status st;

	if (n == 0 || n > UINT32_MAX)
		return cu_error_set(err, CU_E_FORMAT, "property list: %zu bytes", n);
	plist_from_memory(p, (uint32_t)n, &pl);
	if (pl == NULL)
		return cu_error_set(err, CU_E_FORMAT, "property list: not parseable");
	st = cu_ios_plist_to_json(pl, out, err);
	plist_free(pl);
	return st;
}
