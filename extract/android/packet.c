/*
 * packet.c - the ADB packet codec and the CNXN banner: pure functions over
 * bytes, no I/O. A message is six little-endian u32 (command, arg0, arg1,
 * data_length, data_check, magic = command ^ 0xffffffff) and the payload
 * (protocol.md:25-52, types.h:148-155). data_check is the byte sum of the
 * payload, checked only with a version 0x01000000 peer (transport.cpp:565-576).
 */
#include "extract/android/adb_int.h"

#include <string.h>

static uint32_t get_u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

uint32_t cu_adb_checksum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += b[i];
	return sum;
}

void cu_adb_header_pack(uint32_t command, uint32_t arg0, uint32_t arg1, const void *payload,
			uint32_t n, bool with_checksum, unsigned char out[CU_ADB_HEADER_SIZE])
{
	put_u32le(out, command);
	put_u32le(out + 4, arg0);
	put_u32le(out + 8, arg1);
	put_u32le(out + 12, n);
	put_u32le(out + 16, with_checksum && n > 0 ? cu_adb_checksum(payload, n) : 0);
	put_u32le(out + 20, command ^ 0xffffffffu);
}

const char *cu_adb_command_name(uint32_t command)
{
	switch (command) {
	case CU_ADB_CNXN: return "CNXN";
	case CU_ADB_AUTH: return "AUTH";
	case CU_ADB_OPEN: return "OPEN";
	case CU_ADB_OKAY: return "OKAY";
	case CU_ADB_CLSE: return "CLSE";
	case CU_ADB_WRTE: return "WRTE";
	case CU_ADB_STLS: return "STLS";
	case CU_ADB_SYNC: return "SYNC";
	default: return "????";
	}
}

enum cu_status cu_adb_header_parse(const unsigned char in[CU_ADB_HEADER_SIZE], uint32_t max_payload,
				   struct cu_adb_header *h, struct cu_error *err)
{
	struct cu_adb_header v;

	v.command = get_u32le(in);
	v.arg0 = get_u32le(in + 4);
	v.arg1 = get_u32le(in + 8);
	v.data_length = get_u32le(in + 12);
	v.data_check = get_u32le(in + 16);
	v.magic = get_u32le(in + 20);
	if (v.magic != (v.command ^ 0xffffffffu))
		return cu_error_set(
		    err, CU_E_FORMAT,
		    "bad packet magic 0x%08x for command 0x%08x: not an adb peer, or "
		    "the stream lost sync",
		    (unsigned)v.magic, (unsigned)v.command);
	if (strcmp(cu_adb_command_name(v.command), "????") == 0)
		return cu_error_set(err, CU_E_FORMAT, "unknown packet command 0x%08x",
				    (unsigned)v.command);
	if (v.data_length > max_payload)
		return cu_error_set(
		    err, CU_E_FORMAT, "%s packet of %u bytes is over the limit of %u bytes",
		    cu_adb_command_name(v.command), (unsigned)v.data_length, (unsigned)max_payload);
	*h = v;
	return CU_OK;
}

enum cu_status cu_adb_payload_verify(const struct cu_adb_header *h, const void *payload,
				     enum cu_adb_check mode, struct cu_error *err)
{
	uint32_t sum;

	if (mode == CU_ADB_CHECK_NONE || h->data_length == 0)
		return CU_OK;
	sum = cu_adb_checksum(payload, h->data_length);
	if (sum == h->data_check || (mode == CU_ADB_CHECK_LAX && h->data_check == 0))
		return CU_OK;
	return cu_error_set(
	    err, CU_E_FORMAT, "%s packet payload checksum 0x%08x does not match its bytes (0x%08x)",
	    cu_adb_command_name(h->command), (unsigned)h->data_check, (unsigned)sum);
}

/* Copies s[0..n) into a field of size cap, cut at a UTF-8 boundary. */
static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	n = cu_utf8_valid_prefix(s, n);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void cu_adb_banner_parse(const char *banner, size_t n, struct cu_adb_banner *out)
{
	const char *end, *p, *colon;

	memset(out, 0, sizeof(*out));
	/* A NUL ends the banner (adbd sends none, older ones may). */
	end = memchr(banner, '\0', n);
	if (end == NULL)
		end = banner + n;
	/* "<kind>:<serial>:<props>" */
	colon = memchr(banner, ':', (size_t)(end - banner));
	if (colon == NULL) {
		copy_field(out->kind, sizeof(out->kind), banner, (size_t)(end - banner));
		return;
	}
	copy_field(out->kind, sizeof(out->kind), banner, (size_t)(colon - banner));
	p = colon + 1;
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL)
		return;
	p = colon + 1;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *item_end = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(item_end - p));

		if (eq != NULL) {
			size_t kn = (size_t)(eq - p), vn = (size_t)(item_end - eq - 1);
			const char *v = eq + 1;

			if (kn == 15 && memcmp(p, "ro.product.name", 15) == 0)
				copy_field(out->product, sizeof(out->product), v, vn);
			else if (kn == 16 && memcmp(p, "ro.product.model", 16) == 0)
				copy_field(out->model, sizeof(out->model), v, vn);
			else if (kn == 17 && memcmp(p, "ro.product.device", 17) == 0)
				copy_field(out->device, sizeof(out->device), v, vn);
			else if (kn == 8 && memcmp(p, "features", 8) == 0)
				copy_field(out->features, sizeof(out->features), v, vn);
		}
		p = item_end + (semi ? 1 : 0);
		if (semi == NULL)
			break;
	}
}

bool cu_adb_feature_in(const char *list, const char *feature)
{
	size_t fn = strlen(feature);
	const char *p = list;

	if (fn == 0)
		return false;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == fn && memcmp(p, feature, fn) == 0)
			return true;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return false;
}
