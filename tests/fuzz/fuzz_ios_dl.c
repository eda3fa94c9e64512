/*
 * fuzz_ios_dl.c - what a hostile phone sends during a backup: the input is
 * decoded as one DeviceLink message (binary or XML plist, checked against
 * the layouts and path rules), converted to JSON as lockdown values are,
 * and parsed as an UploadFiles file stream fed in slices whose sizes come
 * from the first byte. Invariants: paths reported are checked, data never
 * exceeds the input, a finished frame wants nothing more.
 */
#include "extract/ios/dl.h"
#include "extract/ios/plistjson.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UDID "00008101-001C2D3E4F50A01E"

static void frame(const uint8_t *data, size_t size)
{
	struct cu_ios_dl_frame *f = malloc(sizeof(*f));
	size_t off = 0, step, total = 0;
	struct cu_error e;

	if (f == NULL || size == 0) {
		free(f);
		return;
	}
	step = (size_t)data[0] % 17 + 1;
	cu_ios_dl_frame_init(f, UDID);
	while (off < size && !cu_ios_dl_frame_done(f)) {
		struct cu_ios_dl_event ev;
		size_t used = 0, k = size - off, want = cu_ios_dl_frame_want(f);

		if (want > 0 && k > want)
			k = want;
		if (k > step)
			k = step;
		if (cu_ios_dl_frame_feed(f, data + off, k, &used, &ev, &e) != CU_OK)
			break;
		if (used > k)
			__builtin_trap();
		off += used;
		if (ev.kind == CU_IOS_DL_EV_FILE_BEGIN &&
		    cu_ios_dl_check_path(ev.path, strlen(ev.path), UDID, &e) != CU_OK)
			__builtin_trap();
		if (ev.kind == CU_IOS_DL_EV_DATA) {
			total += ev.n;
			if (ev.n == 0 || total > size)
				__builtin_trap();
		}
		if (ev.kind == CU_IOS_DL_EV_NONE && used == 0 && k > 0)
			__builtin_trap(); /* no progress */
	}
	if (cu_ios_dl_frame_done(f) && cu_ios_dl_frame_want(f) != 0)
		__builtin_trap();
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_ios_dl_msg m;
	struct cu_error e;
	json_t *j = NULL;

	if (cu_ios_dl_decode_bytes(data, size, UDID, &m, &e) == CU_OK) {
		for (size_t i = 0; i < m.n_paths; i++)
			if (cu_ios_dl_check_path(m.paths[i], strlen(m.paths[i]), UDID, &e) != CU_OK)
				__builtin_trap();
		for (size_t i = 0; i < m.n_moves; i++)
			if (cu_ios_dl_check_path(m.to[i], strlen(m.to[i]), UDID, &e) != CU_OK)
				__builtin_trap();
		cu_ios_dl_msg_release(&m);
	}
	if (cu_ios_plist_bytes_to_json(data, size, &j, &e) == CU_OK)
		json_decref(j);
	frame(data, size);
	return 0;
}
