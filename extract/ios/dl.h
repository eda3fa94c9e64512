/*
 * dl.h - pure checks of what a phone sends during a mobilebackup2 backup:
 * one DeviceLink message (a plist array) decoded into a typed struct, the
 * paths in it, and the file-data framing of DLMessageUploadFiles.
 *
 * Nothing here talks to a device: unit tests and the fuzz target feed bytes.
 * No libplist type appears: a plist node is passed as "const void *" (a
 * plist_t) and only dl.c includes libplist.
 */
#ifndef CUSTOS_EXTRACT_IOS_DL_H
#define CUSTOS_EXTRACT_IOS_DL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* Longest path the phone may name (a longer one is a protocol error). */
#define CU_IOS_DL_PATH_MAX 4096
/* Longest per-file error message kept from the phone (the rest is read and dropped). */
#define CU_IOS_DL_MSG_MAX 1024

/* Device error codes in status replies (negative errno, as idevicebackup2). */
#define CU_IOS_DL_ENOENT (-6)
#define CU_IOS_DL_EEXIST (-7)
#define CU_IOS_DL_MULTI  (-13) /* "Multi status" of DownloadFiles */
int cu_ios_dl_errno_code(int errno_value);

/* File-data framing codes. */
#define CU_IOS_DL_CODE_SUCCESS      0x00
#define CU_IOS_DL_CODE_ERROR_LOCAL  0x06
#define CU_IOS_DL_CODE_ERROR_REMOTE 0x0b
#define CU_IOS_DL_CODE_FILE_DATA    0x0c

enum cu_ios_dl_kind {
	CU_IOS_DL_UNKNOWN = 0, /* a name this host does not handle */
	CU_IOS_DL_UPLOAD_FILES,
	CU_IOS_DL_DOWNLOAD_FILES,
	CU_IOS_DL_FREE_SPACE,
	CU_IOS_DL_CONTENTS_OF_DIR,
	CU_IOS_DL_CREATE_DIR,
	CU_IOS_DL_MOVE,   /* MoveItems / MoveFiles */
	CU_IOS_DL_REMOVE, /* RemoveItems / RemoveFiles */
	CU_IOS_DL_COPY,
	CU_IOS_DL_DISCONNECT,
	CU_IOS_DL_PROCESS_MESSAGE,
};

/* One decoded message; every string is owned (cu_ios_dl_msg_release). */
struct cu_ios_dl_msg {
	enum cu_ios_dl_kind kind;
	char *name;        /* element 0 as sent */
	bool has_progress; /* overall progress in percent */
	double progress;   /* UploadFiles [2], Download/Move/Remove [3] */
	uint64_t total;    /* UploadFiles [3]: bytes announced, 0 unknown */
	char **paths;      /* Download/Remove: all; CreateDir/ContentsOfDir: one */
	size_t n_paths;    /* Copy: paths[0] source, paths[1] target */
	char **from, **to; /* Move: pairs, in the order sent */
	size_t n_moves;
	bool has_error_code; /* ProcessMessage */
	int64_t error_code;  /* -1 when absent */
	char *error_desc;    /* or NULL */
};

void cu_ios_dl_msg_release(struct cu_ios_dl_msg *m);

/*
 * A path from the phone: relative to the backup root, "<udid>" or
 * "<udid>/..." (udid NULL: any first component), no NUL, no "..", "." or
 * empty component, not absolute, valid UTF-8, at most CU_IOS_DL_PATH_MAX
 * bytes. CU_E_PATH naming the path (escaped) otherwise.
 */
enum cu_status cu_ios_dl_check_path(const char *p, size_t n, const char *udid,
				    struct cu_error *err) CU_WARN_UNUSED;

/*
 * Decodes a DeviceLink message (plist is a plist_t; udid as for the path
 * check). CU_E_FORMAT when it is not an array starting with a string or
 * when a known message has the wrong layout; CU_E_PATH for a bad path.
 * out is filled on success only (release it).
 */
enum cu_status cu_ios_dl_decode(const void *plist, const char *udid, struct cu_ios_dl_msg *out,
				struct cu_error *err) CU_WARN_UNUSED;
/* The same from plist bytes (binary or XML), for tests and fuzzing. */
enum cu_status cu_ios_dl_decode_bytes(const void *p, size_t n, const char *udid,
				      struct cu_ios_dl_msg *out,
				      struct cu_error *err) CU_WARN_UNUSED;

/*
 * The file stream of DLMessageUploadFiles, parsed as it arrives. Per file:
 * u32 BE length + the device's own path, u32 BE length + the host path;
 * then blocks "u32 (n+1), 0x0c, n bytes"; the file ends with "u32 1, 0x00"
 * or with "u32 (1+m), 0x0b, m bytes of message" (an error, unless it
 * follows data blocks: then it is only the end mark). The list ends with
 * u32 0 (also where a file's second path or its next block would start).
 *
 * Feed bytes in any slices; each call consumes bytes up to and including
 * the next event (at most one). Read at most cu_ios_dl_frame_want() bytes
 * from the wire at a time: the stream is never read past its final u32 0,
 * which belongs to the frame and not to the next DeviceLink message.
 */
enum cu_ios_dl_ev_kind {
	CU_IOS_DL_EV_NONE = 0,   /* all input consumed, no event yet */
	CU_IOS_DL_EV_FILE_BEGIN, /* path: the host path (checked) */
	CU_IOS_DL_EV_DATA,       /* p, n: file bytes (borrowed from the input) */
	CU_IOS_DL_EV_FILE_END,   /* ok; msg: the phone's message when !ok */
	CU_IOS_DL_EV_LIST_END,   /* the u32 0: nothing more in this stream */
};
struct cu_ios_dl_event {
	enum cu_ios_dl_ev_kind kind;
	const char *path; /* FILE_BEGIN, valid until the next feed */
	const void *p;    /* DATA */
	size_t n;
	bool ok;         /* FILE_END */
	const char *msg; /* FILE_END when !ok, valid until the next feed */
};
struct cu_ios_dl_frame {
	int state;
	char udid[64];
	unsigned char lenbuf[4];
	size_t lenhave;
	uint32_t need; /* bytes left in the current field or block */
	uint32_t blen; /* the current block's length (incl. its code) */
	unsigned code, last_code;
	bool in_file;
	char name[CU_IOS_DL_PATH_MAX + 1];
	size_t namelen;
	char msg[CU_IOS_DL_MSG_MAX + 1];
	size_t msglen;
	uint64_t files, bytes; /* files begun, data bytes seen */
};
/* udid: the required first path component (NULL: any). */
void cu_ios_dl_frame_init(struct cu_ios_dl_frame *f, const char *udid);
/* Bytes the parser can take before its next boundary (0 when done). */
size_t cu_ios_dl_frame_want(const struct cu_ios_dl_frame *f);
/* True once LIST_END was returned. */
bool cu_ios_dl_frame_done(const struct cu_ios_dl_frame *f);
/* True while a file was begun and not ended (a cut stream leaves it open). */
bool cu_ios_dl_frame_in_file(const struct cu_ios_dl_frame *f);
/*
 * Consumes bytes of p[0..n) into *used and fills *ev (kind NONE when the
 * input ran out first). CU_E_FORMAT for a framing error (unknown code,
 * a path longer than CU_IOS_DL_PATH_MAX, bytes after the end), CU_E_PATH
 * for a bad host path; the frame is then unusable.
 */
enum cu_status cu_ios_dl_frame_feed(struct cu_ios_dl_frame *f, const void *p, size_t n,
				    size_t *used, struct cu_ios_dl_event *ev,
				    struct cu_error *err) CU_WARN_UNUSED;

#endif
