/*
 * test_telegram_tl.c - the bounds-checked TL reader (parsers/chat/
 * telegram_tl.c): APPS.md 5.1 fixture blobs, the 0xFE long-string form,
 * truncation at every length, oversize lengths, bad padding, unknown
 * constructors, the row-date fallback for reply headers, service
 * messages and TL User records.
 */
#include "parsers/parsers.h"
#include "parsers/chat/telegram_tl.h"
#include "tests/harness/tap.h"

#include <string.h>

static size_t unhex(const char *h, unsigned char *out, size_t cap)
{
	size_t n = 0;
	while (h[0] && h[1] && n < cap) {
		if (h[0] == ' ') {
			h++;
			continue;
		}
		unsigned v;
		char t[3] = {h[0], h[1], 0};
		if (sscanf(t, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		h += 2;
	}
	return n;
}

/* little-endian writers for building blobs by hand */
static size_t put32(unsigned char *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + (size_t)i] = (unsigned char)(v >> (8 * i));
	return off + 4;
}
static size_t put64(unsigned char *p, size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[off + (size_t)i] = (unsigned char)(v >> (8 * i));
	return off + 8;
}

int main(void)
{
	unsigned char b[2048];
	struct cu_tl_message m;
	struct cu_error err;
	size_t n;

	tap_plan(46);
	/* APPS.md 5.1 minimal fixture: layer 173, id 7, peerUser 555, "hello" */
	n = unhex("11c2be76 00000000 07000000 22175159 2b02000000000000 00f15365 "
		  "0568656c6c6f0000",
		  b, sizeof(b));
	tap_is_int(n, 36, "fixture blob is 36 bytes");
	tap_is_int(cu_tl_message_decode(b, n, CU_UNKNOWN, &m, &err), CU_OK, "minimal blob decodes");
	tap_is_int(m.constructor, 0x76BEC211, "constructor");
	tap_is_int(m.id, 7, "id");
	tap_is_int(m.peer_kind, CU_TL_PEER_USER, "peer kind user");
	tap_is_int(m.peer_id, 555, "peer id");
	tap_is_int(m.date, 1700000000, "date");
	tap_is_mem(m.text, m.text_len, "hello", 5, "text");
	tap_ok(!m.out && !m.service && !m.by_date_search, "plain incoming message");

	/* every truncation fails cleanly */
	int bad = 0;
	for (size_t cut = 0; cut < n; cut++)
		if (cu_tl_message_decode(b, cut, CU_UNKNOWN, &m, &err) == CU_OK)
			bad++;
	tap_is_int(bad, 0, "every truncated prefix is refused");
	tap_ok(strstr(err.msg, "past end") != NULL || strstr(err.msg, "runs past") != NULL,
	       "truncation message says so: %s", err.msg);

	/* bad padding after "hello" */
	b[35] = 0x01;
	tap_is_int(cu_tl_message_decode(b, n, CU_UNKNOWN, &m, &err), CU_E_FORMAT,
		   "non-zero padding refused");
	tap_ok(strstr(err.msg, "padding") != NULL, "padding error: %s", err.msg);

	/* flags2 variant, "你好" */
	n = unhex("c8ce1598 00000000 00000000 07000000 221751592b02000000000000 00f15365 "
		  "06e4bda0e5a5bd00",
		  b, sizeof(b));
	tap_is_int(cu_tl_message_decode(b, n, CU_UNKNOWN, &m, &err), CU_OK, "flags2 blob decodes");
	tap_is_mem(m.text, m.text_len, "你好", 6, "flags2 text");
	tap_is_int(m.peer_id, 555, "flags2 peer");

	/* 0xFE long string of 300 bytes, outgoing, from_id user 42, peerChat 9 */
	size_t o = 0;
	o = put32(b, o, 0x76BEC211u);
	o = put32(b, o, (1u << 1) | (1u << 8));
	o = put32(b, o, 99);
	o = put32(b, o, 0x59511722u);
	o = put64(b, o, 42);
	o = put32(b, o, 0x36C6019Au);
	o = put64(b, o, 9);
	o = put32(b, o, 1710000000u);
	b[o++] = 0xFE;
	b[o++] = 300 & 0xFF;
	b[o++] = 300 >> 8;
	b[o++] = 0;
	memset(b + o, 'x', 300);
	o += 300; /* 4 + 300 is a multiple of 4: no padding */
	tap_is_int(cu_tl_message_decode(b, o, CU_UNKNOWN, &m, &err), CU_OK, "long string decodes");
	tap_is_int(m.text_len, 300, "long string length");
	tap_ok(m.out, "out flag");
	tap_is_int(m.from_kind, CU_TL_PEER_USER, "from user");
	tap_is_int(m.from_id, 42, "from id");
	tap_is_int(m.peer_kind, CU_TL_PEER_CHAT, "peer chat");
	/* oversize length: claims 0xFFFFFF bytes */
	b[o - 300 - 3] = 0xFF;
	b[o - 300 - 2] = 0xFF;
	b[o - 300 - 1] = 0xFF;
	tap_is_int(cu_tl_message_decode(b, o, CU_UNKNOWN, &m, &err), CU_E_FORMAT,
		   "oversize string length refused");

	/* raw reader: 0xFF length byte, empty input */
	struct cu_tl_reader r;
	const unsigned char *s;
	size_t sl;
	unsigned char ff[8] = {0xFF, 1, 2, 3, 0, 0, 0, 0};
	cu_tl_reader_init(&r, ff, sizeof(ff));
	tap_is_int(cu_tl_read_string(&r, &s, &sl, &err), CU_E_FORMAT, "0xff length byte refused");
	tap_is_int(r.off, 0, "failed read does not advance");
	uint32_t v32;
	cu_tl_reader_init(&r, NULL, 0);
	tap_is_int(cu_tl_read_u32(&r, &v32, &err), CU_E_FORMAT, "empty reader refuses int");

	/* unknown constructor */
	put32(b, 0, 0xDEADBEEFu);
	tap_is_int(cu_tl_message_decode(b, 40, CU_UNKNOWN, &m, &err), CU_E_UNSUPPORTED,
		   "unknown constructor refused");
	tap_is_int(m.constructor, 0xDEADBEEF, "unknown constructor still reported");

	/* reply header (flags.3): the text is found after the row's date */
	o = 0;
	o = put32(b, o, 0x76BEC211u);
	o = put32(b, o, 1u << 3);
	o = put32(b, o, 5);
	o = put32(b, o, 0x59511722u);
	o = put64(b, o, 777);
	o = put32(b, o, 0xAFBC09DBu); /* some reply header we do not decode */
	o = put32(b, o, 0);
	o = put32(b, o, 4);
	o = put32(b, o, 1700000123u);
	b[o++] = 2;
	b[o++] = 'o';
	b[o++] = 'k';
	b[o++] = 0;
	tap_is_int(cu_tl_message_decode(b, o, 1700000123, &m, &err), CU_OK,
		   "reply message decodes by date");
	tap_ok(m.by_date_search, "fallback used");
	tap_is_mem(m.text, m.text_len, "ok", 2, "fallback text");
	tap_is_int(cu_tl_message_decode(b, o, 1600000000, &m, &err), CU_E_FORMAT,
		   "wrong row date: not decodable");

	/* service message: phone call action */
	o = 0;
	o = put32(b, o, 0x2B085862u);
	o = put32(b, o, (1u << 1) | (1u << 8));
	o = put32(b, o, 6);
	o = put32(b, o, 0x59511722u);
	o = put64(b, o, 42);
	o = put32(b, o, 0x59511722u);
	o = put64(b, o, 777);
	o = put32(b, o, 1700000200u);
	o = put32(b, o, 0x80E11A7Fu);
	tap_is_int(cu_tl_message_decode(b, o, CU_UNKNOWN, &m, &err), CU_OK, "service decodes");
	tap_ok(m.service && m.action == 0x80E11A7Fu, "phone call action");
	tap_is_int(m.date, 1700000200, "service date");

	/* photo media with the client's trailing local path */
	o = 0;
	o = put32(b, o, 0x76BEC211u);
	o = put32(b, o, 1u << 9);
	o = put32(b, o, 11);
	o = put32(b, o, 0x59511722u);
	o = put64(b, o, 777);
	o = put32(b, o, 1700000300u);
	b[o++] = 2; /* text "ok" */
	b[o++] = 'o';
	b[o++] = 'k';
	b[o++] = 0;
	o = put32(b, o, 0x695150D7u); /* messageMediaPhoto */
	o = put32(b, o, 0);
	o = put32(b, o, 0x2331B22Du);
	const char *lp = "/storage/emulated/0/Telegram/a.jpg"; /* 34 bytes: 1 + 34 + 1 pad */
	b[o++] = (unsigned char)strlen(lp);
	memcpy(b + o, lp, strlen(lp));
	o += strlen(lp);
	while (o % 4)
		b[o++] = 0;
	tap_is_int(cu_tl_message_decode(b, o, CU_UNKNOWN, &m, &err), CU_OK,
		   "media message decodes");
	tap_is_int(m.media, 0x695150D7, "media constructor");
	tap_is_mem(m.local_path, m.local_path_len, lp, strlen(lp), "trailing local path found");
	tap_is_int(cu_tl_message_decode(b, o - 4, CU_UNKNOWN, &m, &err), CU_OK,
		   "cut path: message still decodes");
	tap_ok(m.local_path == NULL, "cut path: no local path invented");

	/* TL User (layer 166+, flags2): self, names, username, phone */
	o = 0;
	o = put32(b, o, 0x215C4438u);
	o = put32(b, o, (1u << 10) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | 1u);
	o = put32(b, o, 0);
	o = put64(b, o, 6012345678ull);
	o = put64(b, o, 0x1122334455667788ull);
	const char *fields[] = {"阿杰", "", "ajie_tg", "8613800138000"};
	for (int i = 0; i < 4; i++) {
		size_t l = strlen(fields[i]);
		b[o++] = (unsigned char)l;
		memcpy(b + o, fields[i], l);
		o += l;
		while (o % 4)
			b[o++] = 0;
	}
	struct cu_tl_user u;
	tap_is_int(cu_tl_user_decode(b, o, &u, &err), CU_OK, "user decodes");
	tap_is_int(u.id, 6012345678LL, "user id");
	tap_ok(u.self, "self flag");
	tap_is_mem(u.first_name, u.first_name_len, "阿杰", strlen("阿杰"), "first name");
	tap_is_mem(u.phone, u.phone_len, "8613800138000", 13, "phone");
	tap_is_int(cu_tl_user_decode(b, o - 4, &u, &err), CU_E_FORMAT, "truncated user refused");
	return tap_done();
}
