/*
 * protobuf.c - the smallest protobuf wire-format reader that WeChat iOS
 * needs: Friend.dbContactRemark and friends are un-schema'd protobuf
 * messages whose interesting fields are length-delimited strings
 * (APPS.md 2.2: field 1 nickname, 2 alias, 3 remark). Wire types: 0 varint,
 * 1 64-bit, 2 length-delimited, 5 32-bit; groups (3, 4) are refused.
 * Every length is checked against the remaining bytes.
 */
#include "parsers/wechat/protobuf.h"

static bool varint(const unsigned char *p, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (*pos < n) {
		unsigned char b = p[(*pos)++];
		if (shift == 63 && (b & 0x7e) != 0)
			return false; /* more than 64 bits */
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
		shift += 7;
		if (shift > 63)
			return false;
	}
	return false;
}

/* Reads one field; for wire type 2 also sets the value span. */
static bool next_field(const unsigned char *p, size_t n, size_t *pos, uint32_t *field, unsigned *wt,
		       const unsigned char **val, size_t *len)
{
	uint64_t tag, x;

	if (!varint(p, n, pos, &tag))
		return false;
	if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
		return false;
	*field = (uint32_t)(tag >> 3);
	*wt = (unsigned)(tag & 7);
	*val = NULL;
	*len = 0;
	switch (*wt) {
	case 0: return varint(p, n, pos, &x);
	case 1:
		if (n - *pos < 8)
			return false;
		*pos += 8;
		return true;
	case 5:
		if (n - *pos < 4)
			return false;
		*pos += 4;
		return true;
	case 2:
		if (!varint(p, n, pos, &x) || x > n - *pos)
			return false;
		*val = p + *pos;
		*len = (size_t)x;
		*pos += (size_t)x;
		return true;
	default: return false;
	}
}

bool cu_protobuf_valid(const unsigned char *msg, size_t n)
{
	size_t pos = 0;
	uint32_t f;
	unsigned wt;
	const unsigned char *v;
	size_t l;

	while (pos < n)
		if (!next_field(msg, n, &pos, &f, &wt, &v, &l))
			return false;
	return true;
}

bool cu_protobuf_find_bytes(const unsigned char *msg, size_t n, uint32_t field,
			    const unsigned char **val, size_t *val_len)
{
	size_t pos = 0;
	uint32_t f;
	unsigned wt;
	const unsigned char *v;
	size_t l;

	while (pos < n) {
		if (!next_field(msg, n, &pos, &f, &wt, &v, &l))
			return false;
		if (f == field && wt == 2) {
			*val = v;
			*val_len = l;
			return true;
		}
	}
	return false;
}
