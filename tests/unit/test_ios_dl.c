/*
 * test_ios_dl.c - the pure DeviceLink checks of extract/ios/dl.c: paths
 * from the phone, every message layout the backup loop handles (from XML
 * property lists written here), the UploadFiles file-data framing fed whole
 * and byte by byte (end marks, the phone's error blocks, a trailing error
 * code after data, cuts, hostile lengths and codes), device error codes,
 * and property lists as JSON.
 */
#include "extract/ios/dl.h"
#include "extract/ios/plistjson.h"
#include "tests/harness/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define UDID "00008101-001C2D3E4F50A01E"

/* ------------------------------------------------------------------ */

static enum cu_status path_st(const char *p, size_t n)
{
	struct cu_error e;

	return cu_ios_dl_check_path(p, n, UDID, &e);
}

static void test_paths(void)
{
	char *longp;
	static const char nul[] = UDID "/a\0b";

	tap_is_int(path_st(UDID "/ab/cdef", strlen(UDID "/ab/cdef")), CU_OK, "path: udid/xx/id");
	tap_is_int(path_st(UDID, strlen(UDID)), CU_OK, "path: the udid directory itself");
	tap_is_int(path_st("/etc/passwd", 11), CU_E_PATH, "path: absolute refused");
	tap_is_int(path_st(UDID "/../x", strlen(UDID "/../x")), CU_E_PATH, "path: .. refused");
	tap_is_int(path_st(UDID "/./x", strlen(UDID "/./x")), CU_E_PATH, "path: . refused");
	tap_is_int(path_st(UDID "//x", strlen(UDID "//x")), CU_E_PATH, "path: empty component");
	tap_is_int(path_st("other/x", 7), CU_E_PATH, "path: another device's tree refused");
	tap_is_int(path_st(UDID "x/y", strlen(UDID "x/y")), CU_E_PATH,
		   "path: a longer first component is not the udid");
	tap_is_int(path_st(nul, sizeof(nul) - 1), CU_E_PATH, "path: NUL refused");
	longp = malloc(5000);
	TAP_MUST(longp == NULL);
	memcpy(longp, UDID "/", strlen(UDID) + 1);
	memset(longp + strlen(UDID) + 1, 'a', 5000 - strlen(UDID) - 1);
	tap_is_int(path_st(longp, 4097), CU_E_PATH, "path: 4097 bytes refused");
	free(longp);
	{
		struct cu_error e;

		tap_is_int(cu_ios_dl_check_path("any/x", 5, NULL, &e), CU_OK,
			   "path: any first component without a udid");
	}
}

/* ------------------------------------------------------------------ */

#define XML_HEAD                                                                                    \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST " \
	"1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">"
#define XML_TAIL "</plist>"
#define S(x)     "<string>" x "</string>"

static enum cu_status decode(const char *body, struct cu_ios_dl_msg *m, struct cu_error *e)
{
	char *x;
	enum cu_status st;
	size_t n = strlen(XML_HEAD) + strlen(body) + strlen(XML_TAIL) + 1;

	x = malloc(n);
	if (x == NULL)
		tap_bail("out of memory");
	snprintf(x, n, "%s%s%s", XML_HEAD, body, XML_TAIL);
	memset(m, 0, sizeof(*m));
	st = cu_ios_dl_decode_bytes(x, strlen(x), UDID, m, e);
	free(x);
	return st;
}

static void test_messages(void)
{
	struct cu_ios_dl_msg m;
	struct cu_error e;

	tap_is_int(decode("<array>" S("DLMessageUploadFiles") "<dict/><real>12.5</real>"
							      "<integer>1000</integer></array>",
			  &m, &e),
		   CU_OK, "UploadFiles decodes");
	tap_ok(m.kind == CU_IOS_DL_UPLOAD_FILES && m.has_progress && m.progress == 12.5 &&
		   m.total == 1000,
	       "UploadFiles: kind, progress 12.5, total 1000");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageDownloadFiles") "<array>" S(UDID "/Manifest.db")
			      S(UDID "/Status.plist") "</array><dict/><real>3</real></array>",
			  &m, &e),
		   CU_OK, "DownloadFiles decodes");
	tap_ok(m.kind == CU_IOS_DL_DOWNLOAD_FILES && m.n_paths == 2 &&
		   strcmp(m.paths[1], UDID "/Status.plist") == 0 && m.progress == 3,
	       "DownloadFiles: two paths in order, progress");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageGetFreeDiskSpace") "</array>", &m, &e), CU_OK,
		   "GetFreeDiskSpace decodes");
	tap_is_int(m.kind, CU_IOS_DL_FREE_SPACE, "GetFreeDiskSpace kind");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLContentsOfDirectory") S(UDID) "</array>", &m, &e), CU_OK,
		   "ContentsOfDirectory decodes");
	tap_ok(m.kind == CU_IOS_DL_CONTENTS_OF_DIR && m.n_paths == 1 &&
		   strcmp(m.paths[0], UDID) == 0,
	       "ContentsOfDirectory: the path");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageCreateDirectory") S(UDID "/3d") "</array>", &m, &e),
		   CU_OK, "CreateDirectory decodes");
	tap_ok(m.kind == CU_IOS_DL_CREATE_DIR && m.n_paths == 1, "CreateDirectory: one path");
	cu_ios_dl_msg_release(&m);

	tap_is_int(
	    decode(
		"<array>" S("DLMessageMoveItems") "<dict><key>" UDID "/Snapshot/Manifest.db</key>" S(
		    UDID
		    "/Manifest.db") "<key>" UDID
				    "/a</key>" S(UDID "/b") "</dict><dict/><real>99</real></array>",
		&m, &e),
	    CU_OK, "MoveItems decodes");
	tap_ok(m.kind == CU_IOS_DL_MOVE && m.n_moves == 2 && m.has_progress,
	       "MoveItems: two moves");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageMoveFiles") "<dict/></array>", &m, &e), CU_OK,
		   "MoveFiles (old name) with no moves decodes");
	tap_ok(m.kind == CU_IOS_DL_MOVE && m.n_moves == 0, "MoveFiles: the same kind, no moves");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageRemoveFiles") "<array>" S(UDID "/x") "</array>"
										     "</array>",
			  &m, &e),
		   CU_OK, "RemoveFiles decodes");
	tap_ok(m.kind == CU_IOS_DL_REMOVE && m.n_paths == 1 && !m.has_progress,
	       "RemoveFiles: one path, no progress");
	cu_ios_dl_msg_release(&m);

	tap_is_int(
	    decode("<array>" S("DLMessageCopyItem") S(UDID "/a") S(UDID "/b") "</array>", &m, &e),
	    CU_OK, "CopyItem decodes");
	tap_ok(m.kind == CU_IOS_DL_COPY && m.n_paths == 2 && strcmp(m.paths[0], UDID "/a") == 0,
	       "CopyItem: source then target");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageDisconnect")
			      S("___EmptyParameterString___") "</array>",
			  &m, &e),
		   CU_OK, "Disconnect decodes");
	tap_is_int(m.kind, CU_IOS_DL_DISCONNECT, "Disconnect kind");
	cu_ios_dl_msg_release(&m);

	tap_is_int(
	    decode("<array>" S(
		       "DLMessageProcessMessage") "<dict><key>ErrorCode</key>"
						  "<integer>0</integer><key>MessageName</key>" S(
						      "Response") "</dict></array>",
		   &m, &e),
	    CU_OK, "ProcessMessage decodes");
	tap_ok(m.kind == CU_IOS_DL_PROCESS_MESSAGE && m.has_error_code && m.error_code == 0 &&
		   m.error_desc == NULL,
	       "ProcessMessage: ErrorCode 0, no description");
	cu_ios_dl_msg_release(&m);

	tap_is_int(
	    decode(
		"<array>" S(
		    "DLMessageProcessMessage") "<dict><key>ErrorCode</key>"
					       "<integer>105</integer><key>ErrorDescription</key>" S(
						   "Insufficient free disk space") "</dict></array>",
		&m, &e),
	    CU_OK, "ProcessMessage with an error decodes");
	tap_ok(m.error_code == 105 && m.error_desc != NULL &&
		   strcmp(m.error_desc, "Insufficient free disk space") == 0,
	       "ProcessMessage: ErrorCode 105 and its description");
	cu_ios_dl_msg_release(&m);

	tap_is_int(decode("<array>" S("DLMessageProcessMessage") "<dict/></array>", &m, &e), CU_OK,
		   "ProcessMessage without ErrorCode decodes");
	tap_ok(!m.has_error_code && m.error_code == -1, "no ErrorCode: -1 (not success)");
	cu_ios_dl_msg_release(&m);

	tap_is_int(
	    decode("<array>" S("DLMessageSomethingNew") "<integer>1</integer></array>", &m, &e),
	    CU_OK, "an unknown message decodes");
	tap_ok(m.kind == CU_IOS_DL_UNKNOWN && strcmp(m.name, "DLMessageSomethingNew") == 0,
	       "unknown: kind UNKNOWN, name kept");
	cu_ios_dl_msg_release(&m);

	/* refused layouts */
	tap_is_int(decode("<dict/>", &m, &e), CU_E_FORMAT, "a dictionary is not a message");
	tap_is_int(decode("<array/>", &m, &e), CU_E_FORMAT, "an empty array is not a message");
	tap_is_int(decode("<array><integer>1</integer></array>", &m, &e), CU_E_FORMAT,
		   "a message needs a name");
	tap_is_int(decode("<array>" S("DLMessageCreateDirectory") "</array>", &m, &e), CU_E_FORMAT,
		   "CreateDirectory without a path");
	tap_is_int(decode("<array>" S("DLMessageCreateDirectory") S("../x") "</array>", &m, &e),
		   CU_E_PATH, "CreateDirectory ../x refused");
	tap_is_int(decode("<array>" S("DLMessageRemoveItems") "<array>" S(
			      "/etc/passwd") "</array></array>",
			  &m, &e),
		   CU_E_PATH, "RemoveItems of an absolute path refused");
	tap_is_int(decode("<array>" S("DLMessageRemoveItems") "<array><integer>3</integer>"
							      "</array></array>",
			  &m, &e),
		   CU_E_FORMAT, "RemoveItems of a number refused");
	tap_is_int(
	    decode("<array>" S("DLMessageMoveItems") "<dict><key>" UDID
						     "/a</key><integer>1</integer></dict></array>",
		   &m, &e),
	    CU_E_FORMAT, "MoveItems to a number refused");
	tap_is_int(decode("<array>" S("DLMessageMoveItems") "<dict><key>../a</key>" S(
			      UDID "/b") "</dict></array>",
			  &m, &e),
		   CU_E_PATH, "MoveItems from ../a refused");
	tap_is_int(decode("<array>" S("DLMessageCopyItem") S(UDID "/a") "</array>", &m, &e),
		   CU_E_FORMAT, "CopyItem without a target");
	tap_is_int(decode("<array>" S("DLMessageProcessMessage") S("x") "</array>", &m, &e),
		   CU_E_FORMAT, "ProcessMessage without a dictionary");
	tap_is_int(cu_ios_dl_decode_bytes("bplist00garbage", 15, UDID, &m, &e), CU_E_FORMAT,
		   "garbage bytes refused");
	tap_ok(strstr(e.msg, "DeviceLink") != NULL, "the message says DeviceLink: %s", e.msg);
}

/* ------------------------------------------------------------------ */

struct sbuf {
	unsigned char p[16384];
	size_t n;
};

static void put_u32(struct sbuf *b, uint32_t v)
{
	b->p[b->n++] = (unsigned char)(v >> 24);
	b->p[b->n++] = (unsigned char)(v >> 16);
	b->p[b->n++] = (unsigned char)(v >> 8);
	b->p[b->n++] = (unsigned char)v;
}

static void put_bytes(struct sbuf *b, const void *p, size_t n)
{
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put_names(struct sbuf *b, const char *host)
{
	static const char dev[] = "/var/mobile/Library/x";

	put_u32(b, (uint32_t)strlen(dev));
	put_bytes(b, dev, strlen(dev));
	put_u32(b, (uint32_t)strlen(host));
	put_bytes(b, host, strlen(host));
}

static void put_block(struct sbuf *b, unsigned code, const char *p)
{
	put_u32(b, (uint32_t)strlen(p) + 1);
	b->p[b->n++] = (unsigned char)code;
	put_bytes(b, p, strlen(p));
}

/* Feeds s in slices of step bytes (0: whole, as the wire reader would:
 * never more than want()); the events as text. Returns the status. */
static enum cu_status run(const struct sbuf *s, size_t step, char *log, size_t logn,
			  struct cu_ios_dl_frame *f, struct cu_error *e)
{
	size_t off = 0, l = 0;
	enum cu_status st = CU_OK;
	bool in_data = false;

	cu_ios_dl_frame_init(f, UDID);
	log[0] = '\0';
	while (!cu_ios_dl_frame_done(f)) {
		size_t want = cu_ios_dl_frame_want(f), k, used = 0;
		struct cu_ios_dl_event ev;

		k = s->n - off;
		if (want > 0 && k > want)
			k = want;
		if (step > 0 && k > step)
			k = step;
		if (want > 0 && k == 0)
			break; /* input ran out: a cut stream */
		st = cu_ios_dl_frame_feed(f, s->p + off, k, &used, &ev, e);
		off += used;
		if (st != CU_OK)
			return st;
		if (ev.kind != CU_IOS_DL_EV_NONE && ev.kind != CU_IOS_DL_EV_DATA)
			in_data = false;
		switch (ev.kind) {
		case CU_IOS_DL_EV_FILE_BEGIN:
			l += (size_t)snprintf(log + l, logn - l, "B:%s ",
					      ev.path + strlen(UDID) + 1);
			break;
		case CU_IOS_DL_EV_DATA:
			/* slices of one run of data join up, whatever the step */
			if (in_data)
				l--;
			l += (size_t)snprintf(log + l, logn - l, "%s%.*s ",
					      in_data ? "" : "D:", (int)ev.n, (const char *)ev.p);
			break;
		case CU_IOS_DL_EV_FILE_END:
			l += (size_t)snprintf(log + l, logn - l, "E:%d%s%s ", ev.ok,
					      ev.ok ? "" : ":", ev.ok ? "" : ev.msg);
			break;
		case CU_IOS_DL_EV_LIST_END: l += (size_t)snprintf(log + l, logn - l, "L"); break;
		default: break;
		}
		if (ev.kind == CU_IOS_DL_EV_DATA)
			in_data = true;
		if (l >= logn)
			tap_bail("event log too long");
	}
	if (off != s->n)
		l += (size_t)snprintf(log + l, logn - l, " left:%zu", s->n - off);
	return st;
}

static void test_frame(void)
{
	struct cu_ios_dl_frame f;
	struct cu_error e;
	struct sbuf s;
	char log[4096];

	/* two files: data in two blocks, an empty one; then the end */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/3d/3d0d7e");
	put_block(&s, CU_IOS_DL_CODE_FILE_DATA, "hello");
	put_block(&s, CU_IOS_DL_CODE_FILE_DATA, " world");
	put_block(&s, CU_IOS_DL_CODE_SUCCESS, "");
	put_names(&s, UDID "/Status.plist");
	put_block(&s, CU_IOS_DL_CODE_SUCCESS, "");
	put_u32(&s, 0);
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_OK, "frame: two files, whole");
	tap_is_str(log, "B:3d/3d0d7e D:hello world E:1 B:Status.plist E:1 L",
		   "frame: the events in order");
	tap_ok(f.files == 2 && f.bytes == 11 && !cu_ios_dl_frame_in_file(&f) &&
		   cu_ios_dl_frame_want(&f) == 0,
	       "frame: 2 files, 11 bytes, done, wants nothing more");
	tap_is_int(run(&s, 1, log, sizeof(log), &f, &e), CU_OK, "frame: the same byte by byte");
	tap_is_str(log, "B:3d/3d0d7e D:hello world E:1 B:Status.plist E:1 L",
		   "frame: byte by byte gives the same files");

	/* the reader never reads past the final u32 0 */
	{
		struct sbuf t = s;

		put_bytes(&t, "NEXT", 4);
		tap_is_int(run(&t, 0, log, sizeof(log), &f, &e), CU_OK,
			   "frame: bytes of the next message follow");
		tap_ok(strstr(log, "left:4") != NULL,
		       "frame: the 4 bytes after the end stay unread");
	}

	/* an error code after data blocks is only the end mark */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abcd");
	put_block(&s, CU_IOS_DL_CODE_FILE_DATA, "xyz");
	put_block(&s, CU_IOS_DL_CODE_ERROR_REMOTE, "done");
	put_u32(&s, 0);
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_OK, "frame: data then 0x0b");
	tap_is_str(log, "B:ab/abcd D:xyz E:1 L", "frame: 0x0b after data is a normal end");

	/* the phone's error for a file it could not read */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abce");
	put_block(&s, CU_IOS_DL_CODE_ERROR_REMOTE, "Permission denied");
	put_u32(&s, 0);
	tap_is_int(run(&s, 3, log, sizeof(log), &f, &e), CU_OK, "frame: a remote error");
	tap_is_str(log, "B:ab/abce E:0:Permission denied L", "frame: the phone's message kept");

	/* a list that ends inside a file */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abcf");
	put_block(&s, CU_IOS_DL_CODE_FILE_DATA, "part");
	put_u32(&s, 0);
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_OK, "frame: end inside a file");
	tap_is_str(log, "B:ab/abcf D:part E:0:the stream ended without the file's end mark L",
		   "frame: the file is reported broken, then the end");

	/* a connection cut in the middle of a block */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abd0");
	put_u32(&s, 100);
	s.p[s.n++] = CU_IOS_DL_CODE_FILE_DATA;
	put_bytes(&s, "only ten b", 10);
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_OK, "frame: a cut stream");
	tap_ok(cu_ios_dl_frame_in_file(&f) && !cu_ios_dl_frame_done(&f) &&
		   cu_ios_dl_frame_want(&f) == 89,
	       "frame: still in the file, 89 bytes of the block missing");

	/* hostile framing */
	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abd1");
	put_block(&s, 0x42, "x");
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_E_FORMAT,
		   "frame: unknown code refused");
	tap_ok(strstr(e.msg, "0x42") != NULL, "frame: the code is named: %s", e.msg);
	tap_is_int(cu_ios_dl_frame_feed(&f, "x", 1, &(size_t){0}, &(struct cu_ios_dl_event){0}, &e),
		   CU_E_FORMAT, "frame: a broken frame stays broken");

	memset(&s, 0, sizeof(s));
	put_u32(&s, 5000);
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_E_FORMAT,
		   "frame: a 5000-byte path length refused");

	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/../../etc/x");
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_E_PATH,
		   "frame: a .. host path refused");

	memset(&s, 0, sizeof(s));
	put_names(&s, "/etc/passwd");
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_E_PATH,
		   "frame: an absolute host path refused");

	memset(&s, 0, sizeof(s));
	put_names(&s, UDID "/ab/abd2");
	put_block(&s, CU_IOS_DL_CODE_SUCCESS, "junk");
	tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_E_FORMAT,
		   "frame: an end mark with a payload refused");

	/* bytes after the end, fed at once */
	{
		unsigned char z[6] = {0, 0, 0, 0, 'x', 'y'};
		struct cu_ios_dl_event ev;
		size_t used = 0;

		cu_ios_dl_frame_init(&f, UDID);
		tap_is_int(cu_ios_dl_frame_feed(&f, z, sizeof(z), &used, &ev, &e), CU_OK,
			   "frame: the end, fed with more");
		tap_ok(ev.kind == CU_IOS_DL_EV_LIST_END && used == 4,
		       "frame: stops at the end (4 bytes used)");
		tap_is_int(cu_ios_dl_frame_feed(&f, z + 4, 2, &used, &ev, &e), CU_E_FORMAT,
			   "frame: bytes after the end refused");
	}

	/* a long remote message is cut to CU_IOS_DL_MSG_MAX, the rest read */
	{
		static char big[3000];

		memset(big, 'm', sizeof(big) - 1);
		memset(&s, 0, sizeof(s));
		put_names(&s, UDID "/ab/abd3");
		put_block(&s, CU_IOS_DL_CODE_ERROR_REMOTE, big);
		put_u32(&s, 0);
		tap_is_int(run(&s, 0, log, sizeof(log), &f, &e), CU_OK,
			   "frame: a 3000-byte message");
		tap_ok(strlen(f.msg) == CU_IOS_DL_MSG_MAX && cu_ios_dl_frame_done(&f),
		       "frame: the message kept is %d bytes, the stream goes on",
		       CU_IOS_DL_MSG_MAX);
	}
}

/* ------------------------------------------------------------------ */

static void test_codes_and_json(void)
{
	struct cu_error e;
	json_t *j = NULL;
	char *s;
	static const char x[] = XML_HEAD "<dict><key>DeviceName</key>" S(
	    "Ann’s iPhone") "<key>N</key><integer>-5</integer><key>R</key><real>1.5</real>"
			    "<key>B</key><true/><key>D</key><data>AAEC</data>"
			    "<key>T</key><date>2020-01-01T00:00:00Z</date>"
			    "<key>A</key><array><integer>1</integer><dict/></array></dict>" XML_TAIL;

	tap_is_int(cu_ios_dl_errno_code(ENOENT), -6, "ENOENT is -6");
	tap_is_int(cu_ios_dl_errno_code(EEXIST), -7, "EEXIST is -7");
	tap_is_int(cu_ios_dl_errno_code(EACCES), -EACCES, "other errno negated");

	tap_is_int(cu_ios_plist_bytes_to_json(x, strlen(x), &j, &e), CU_OK, "plist to JSON");
	s = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	tap_is_str(s,
		   "{\"A\":[1,{}],\"B\":true,\"D\":{\"base64\":\"AAEC\"},\"DeviceName\":"
		   "\"Ann’s iPhone\",\"N\":-5,\"R\":1.5,\"T\":\"2020-01-01T00:00:00.000Z\"}",
		   "JSON: data as base64, date ISO-8601 UTC, negative integer");
	free(s);
	json_decref(j);
	tap_is_int(cu_ios_plist_bytes_to_json("nope", 4, &j, &e), CU_E_FORMAT,
		   "JSON: not a plist refused");
}

int main(void)
{
	tap_plan(85);
	test_paths();
	test_messages();
	test_frame();
	test_codes_and_json();
	return tap_done();
}
