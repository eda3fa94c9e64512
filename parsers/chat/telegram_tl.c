/*
 * telegram_tl.c - a bounds-checked reader for the Telegram TL blobs that
 * Telegram for Android keeps in cache4.db (messages_v2.data, users.data).
 *
 * Format facts (APPS.md 5.1): little endian; int = 4 bytes, long = 8;
 * string = 1 length byte (< 254) or 0xFE + 3-byte LE length, the bytes,
 * zero padding to a multiple of 4 (the length prefix counts). Optional
 * fields are present when their bit in `flags` is set.
 *
 * We decode only the message header (constructor, flags, id, from_id,
 * peer_id, date, message text, first media/action constructor) and the
 * user name fields. Whatever we do not understand stops the walk with a
 * clear status; the caller keeps the raw blob in its report.
 */
#include "parsers/chat/telegram_tl.h"

#include <string.h>

void cu_tl_reader_init(struct cu_tl_reader *r, const void *p, size_t n)
{
	r->p = p;
	r->n = p ? n : 0;
	r->off = 0;
}

static bool tl_need(const struct cu_tl_reader *r, size_t k)
{
	return r->off <= r->n && r->n - r->off >= k;
}

enum cu_status cu_tl_read_u32(struct cu_tl_reader *r, uint32_t *out, struct cu_error *err)
{
	if (!tl_need(r, 4))
		return cu_error_set(err, CU_E_FORMAT,
				    "tl: int32 at offset %zu past end (%zu bytes)", r->off, r->n);
	const unsigned char *q = r->p + r->off;
	*out = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	r->off += 4;
	return CU_OK;
}

enum cu_status cu_tl_read_i64(struct cu_tl_reader *r, int64_t *out, struct cu_error *err)
{
	if (!tl_need(r, 8))
		return cu_error_set(err, CU_E_FORMAT,
				    "tl: int64 at offset %zu past end (%zu bytes)", r->off, r->n);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->p[r->off + (size_t)i];
	*out = (int64_t)v;
	r->off += 8;
	return CU_OK;
}

enum cu_status cu_tl_read_string(struct cu_tl_reader *r, const unsigned char **s, size_t *len,
				 struct cu_error *err)
{
	size_t start = r->off, head, n, total, pad;
	if (!tl_need(r, 1))
		return cu_error_set(err, CU_E_FORMAT, "tl: string at offset %zu past end", start);
	const unsigned char *q = r->p + r->off;
	if (q[0] == 0xFF)
		return cu_error_set(err, CU_E_FORMAT,
				    "tl: bad string length byte 0xff at offset %zu", start);
	if (q[0] == 0xFE) {
		if (!tl_need(r, 4))
			return cu_error_set(err, CU_E_FORMAT,
					    "tl: long string header at offset %zu truncated",
					    start);
		head = 4;
		n = (size_t)q[1] | (size_t)q[2] << 8 | (size_t)q[3] << 16;
	} else {
		head = 1;
		n = q[0];
	}
	total = head + n;
	pad = (4 - total % 4) % 4;
	if (!tl_need(r, total + pad))
		return cu_error_set(
		    err, CU_E_FORMAT,
		    "tl: string of %zu bytes at offset %zu runs past end (%zu bytes)", n, start,
		    r->n);
	for (size_t i = 0; i < pad; i++)
		if (q[total + i] != 0)
			return cu_error_set(err, CU_E_FORMAT,
					    "tl: non-zero padding after string at offset %zu",
					    start);
	*s = q + head;
	*len = n;
	r->off += total + pad;
	return CU_OK;
}

/* Peer constructors: current (long ids) and legacy <= layer 132 (int). */
static enum cu_status tl_read_peer(struct cu_tl_reader *r, enum cu_tl_peer_kind *kind, int64_t *id,
				   struct cu_error *err)
{
	uint32_t c = 0, v32 = 0;
	enum cu_status st = cu_tl_read_u32(r, &c, err);
	if (st != CU_OK)
		return st;
	switch (c) {
	case 0x59511722u: *kind = CU_TL_PEER_USER; return cu_tl_read_i64(r, id, err);
	case 0x36C6019Au: *kind = CU_TL_PEER_CHAT; return cu_tl_read_i64(r, id, err);
	case 0xA2A5371Eu: *kind = CU_TL_PEER_CHANNEL; return cu_tl_read_i64(r, id, err);
	case 0x9DB1BC6Du: *kind = CU_TL_PEER_USER; break;
	case 0xBAD0E5BBu: *kind = CU_TL_PEER_CHAT; break;
	case 0xBDDDE532u: *kind = CU_TL_PEER_CHANNEL; break;
	default:
		return cu_error_set(err, CU_E_UNSUPPORTED, "tl: unknown peer constructor 0x%08x",
				    c);
	}
	st = cu_tl_read_u32(r, &v32, err);
	if (st == CU_OK)
		*id = (int32_t)v32;
	return st;
}

/* TL_message constructors (APPS.md 5.1). */
static const uint32_t msg_flags2[] = {0x95EF6F2Bu, 0x3AE56482u, 0x9CB490E9u, 0xB92F76CFu,
				      0x9815CEC8u, 0xEABCDD4Du, 0x96FDBBE9u, 0x94345242u,
				      0xBDE09C2Eu, 0x2357BF25u};
static const uint32_t msg_plain[] = {0xA66C7EFCu, 0x1E4C8A69u, 0x76BEC211u, 0x38116EE0u,
				     0x85D6CBE2u, 0xBCE383D2u, 0x58AE39C9u, 0xF52E6B7Fu};
static const uint32_t msg_service[] = {0x7A800E0Au, 0xD3D28540u, 0x2B085862u, 0x286FA604u,
				       0x9E19A1F6u, 0xC06B9607u, 0x1D86F70Eu, 0x9F8D60BBu};

static bool in_list(uint32_t c, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}
#define IN_LIST(c, v) in_list((c), (v), sizeof(v) / sizeof((v)[0]))

/*
 * Fallback used by ALEAPP-style readers when a header we do not decode
 * (forward/reply header) sits before the date: the text is the TL string
 * that follows the first 4-aligned int32 equal to the row's date.
 */
static bool tl_text_after_date(const unsigned char *p, size_t n, size_t from, int64_t row_date,
			       struct cu_tl_message *m)
{
	if (row_date == CU_UNKNOWN || row_date < INT32_MIN || row_date > INT32_MAX)
		return false;
	uint32_t want = (uint32_t)(int32_t)row_date;
	for (size_t off = from - from % 4; off + 4 <= n; off += 4) {
		uint32_t v = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
			     (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
		if (v != want)
			continue;
		struct cu_tl_reader r;
		const unsigned char *s;
		size_t len;
		cu_tl_reader_init(&r, p, n);
		r.off = off + 4;
		if (cu_tl_read_string(&r, &s, &len, NULL) != CU_OK)
			continue;
		m->date = (int32_t)want;
		m->text = s;
		m->text_len = len;
		m->by_date_search = true;
		return true;
	}
	return false;
}

static bool tl_read_double(struct cu_tl_reader *r, double *d)
{
	int64_t v;
	if (cu_tl_read_i64(r, &v, NULL) != CU_OK)
		return false;
	memcpy(d, &v, sizeof(*d)); /* IEEE 754 binary64, little endian as stored */
	return true;
}

/*
 * The first fields of a few MessageMedia constructors: the flags word of
 * messageMediaDocument (voice/video/round bits) and the point of
 * messageMediaGeo/GeoLive/Venue (GeoPoint: geoPoint#b2a2f663 flags long lat,
 * older #2049d70c / #0296f104 long lat). Best effort: a short read leaves
 * the fields unset.
 */
static void tl_media_peek(struct cu_tl_reader *r, struct cu_tl_message *m)
{
	uint32_t c, f;
	switch (m->media) {
	case 0x52D8CCD9u:
	case 0x4CF4D72Du:
	case 0xDD570BD5u:
	case 0x9CB070D7u:
	case 0x7C4414D3u:
	case 0x695150D7u:
		if (cu_tl_read_u32(r, &f, NULL) == CU_OK)
			m->media_flags = f;
		return;
	case 0x56E0D474u:
	case 0xB940C666u:
	case 0x2EC0533Fu:
		if (m->media == 0xB940C666u && cu_tl_read_u32(r, &f, NULL) != CU_OK)
			return; /* geoLive has flags before the point */
		if (cu_tl_read_u32(r, &c, NULL) != CU_OK)
			return;
		if (c == 0xB2A2F663u && cu_tl_read_u32(r, &f, NULL) != CU_OK)
			return;
		if (c != 0xB2A2F663u && c != 0x2049D70Cu && c != 0x0296F104u)
			return;
		if (tl_read_double(r, &m->lon) && tl_read_double(r, &m->lat))
			m->has_geo = true;
		return;
	default: return;
	}
}

/*
 * Telegram for Android appends the local file path of a message's media as
 * a last TL string (APPS.md 5.1). We do not walk the media object, so we
 * look for an aligned TL string that ends exactly at the end of the blob
 * and holds an absolute path ("/...", valid UTF-8, no NUL), searching the
 * last 4 KiB only.
 */
static void tl_trailing_path(const unsigned char *p, size_t n, size_t from, struct cu_tl_message *m)
{
	size_t lo = n > 4096 ? n - 4096 : 0;
	if (lo < from)
		lo = from;
	lo = (lo + 3) & ~(size_t)3;
	for (size_t off = n >= 4 ? ((n - 4) & ~(size_t)3) : 0; off >= lo && off + 4 <= n;
	     off -= 4) {
		struct cu_tl_reader r;
		const unsigned char *s;
		size_t len;
		cu_tl_reader_init(&r, p, n);
		r.off = off;
		if (cu_tl_read_string(&r, &s, &len, NULL) == CU_OK && r.off == n && len > 1 &&
		    s[0] == '/' && memchr(s, '\0', len) == NULL &&
		    cu_utf8_valid((const char *)s, len)) {
			m->local_path = s;
			m->local_path_len = len;
			return;
		}
		if (off < 4)
			break;
	}
}

enum cu_status cu_tl_message_decode(const void *blob, size_t n, int64_t row_date,
				    struct cu_tl_message *out, struct cu_error *err)
{
	struct cu_tl_message m;
	struct cu_tl_reader r;
	enum cu_status st;
	uint32_t v32;
	int64_t v64;
	bool has_flags2;

	memset(&m, 0, sizeof(m));
	m.date = CU_UNKNOWN;
	cu_tl_reader_init(&r, blob, n);
	st = cu_tl_read_u32(&r, &m.constructor, err);
	if (st != CU_OK)
		return st;
	if (IN_LIST(m.constructor, msg_flags2)) {
		has_flags2 = true;
	} else if (IN_LIST(m.constructor, msg_plain)) {
		has_flags2 = false;
	} else if (IN_LIST(m.constructor, msg_service)) {
		has_flags2 = false;
		m.service = true;
	} else {
		*out = m;
		return cu_error_set(err, CU_E_UNSUPPORTED, "tl: unknown message constructor 0x%08x",
				    m.constructor);
	}
	m.known = true;
	if ((st = cu_tl_read_u32(&r, &m.flags, err)) != CU_OK)
		goto out;
	m.out = (m.flags & (1u << 1)) != 0;
	if (has_flags2 && (st = cu_tl_read_u32(&r, &m.flags2, err)) != CU_OK)
		goto out;
	if ((st = cu_tl_read_u32(&r, &v32, err)) != CU_OK)
		goto out;
	m.id = (int32_t)v32;
	if (m.flags & (1u << 8)) {
		if ((st = tl_read_peer(&r, &m.from_kind, &m.from_id, err)) != CU_OK)
			goto fallback;
	}
	if (has_flags2 && (m.flags & (1u << 29))) {
		if ((st = cu_tl_read_u32(&r, &v32, err)) != CU_OK) /* from_boosts_applied */
			goto out;
	}
	if ((st = tl_read_peer(&r, &m.peer_kind, &m.peer_id, err)) != CU_OK)
		goto fallback;
	if (m.flags & (1u << 28)) {
		enum cu_tl_peer_kind k;
		if ((st = tl_read_peer(&r, &k, &v64, err)) != CU_OK) /* saved_peer_id */
			goto fallback;
	}
	if (!m.service && (m.flags & (1u << 2))) /* fwd_from: not decoded */
		goto fallback;
	if (!m.service && (m.flags & (1u << 11))) {
		if ((st = cu_tl_read_i64(&r, &v64, err)) != CU_OK) /* via_bot_id */
			goto out;
	}
	if (has_flags2 && (m.flags2 & 1u)) {
		if ((st = cu_tl_read_i64(&r, &v64, err)) != CU_OK) /* via_business_bot_id */
			goto out;
	}
	if (m.flags & (1u << 3)) /* reply_to: not decoded */
		goto fallback;
	if ((st = cu_tl_read_u32(&r, &v32, err)) != CU_OK)
		goto out;
	m.date = (int32_t)v32;
	if (m.service) {
		if ((st = cu_tl_read_u32(&r, &m.action, err)) != CU_OK)
			goto out;
		*out = m;
		return CU_OK;
	}
	if ((st = cu_tl_read_string(&r, &m.text, &m.text_len, err)) != CU_OK)
		goto out;
	if (m.flags & (1u << 9)) {
		/* media follows the text; its constructor tells the kind */
		size_t media_at = r.off;
		if (cu_tl_read_u32(&r, &v32, NULL) == CU_OK) {
			m.media = v32;
			tl_media_peek(&r, &m);
			tl_trailing_path(r.p, r.n, media_at + 4, &m);
		}
	}
	*out = m;
	return CU_OK;

fallback:
	if (st == CU_E_FORMAT)
		goto out;
	if (err != NULL)
		cu_error_clear(err);
	if (m.service) {
		/* no text to find; date from the row */
		*out = m;
		return CU_OK;
	}
	if (tl_text_after_date(r.p, r.n, r.off, row_date, &m)) {
		*out = m;
		return CU_OK;
	}
	st = cu_error_set(err, CU_E_FORMAT,
			  "tl: message 0x%08x: header not decodable and row date not found",
			  m.constructor);
out:
	*out = m; /* partial facts (constructor, flags) help the report */
	return st;
}

/* TL User constructors: int id / long id, with or without flags2. */
struct user_layout {
	uint32_t c;
	bool flags2, long_id;
};
static const struct user_layout user_layouts[] = {
    {0x2E13F4C3u, false, false}, /* layer 104 */
    {0x938458C1u, false, false}, /* layer 131 */
    {0x3FF6ECB0u, false, true},  /* layer 144 */
    {0x5D99ADEEu, false, true},  /* layer 147 */
    {0x8F97C628u, true, true},   {0xABB5F120u, true, true}, {0xEB602F25u, true, true},
    {0x215C4438u, true, true},   {0x83314FCAu, true, true}, {0x4B46C37Eu, true, true},
    {0x31774388u, true, true},   {0xB1B8CC83u, true, true},
};

enum cu_status cu_tl_user_decode(const void *blob, size_t n, struct cu_tl_user *out,
				 struct cu_error *err)
{
	struct cu_tl_user u;
	struct cu_tl_reader r;
	const struct user_layout *lay = NULL;
	enum cu_status st;
	uint32_t flags, v32;
	int64_t v64;

	memset(&u, 0, sizeof(u));
	cu_tl_reader_init(&r, blob, n);
	if ((st = cu_tl_read_u32(&r, &u.constructor, err)) != CU_OK)
		return st;
	for (size_t i = 0; i < sizeof(user_layouts) / sizeof(user_layouts[0]); i++)
		if (user_layouts[i].c == u.constructor)
			lay = &user_layouts[i];
	if (lay == NULL)
		return cu_error_set(err, CU_E_UNSUPPORTED, "tl: unknown user constructor 0x%08x",
				    u.constructor);
	if ((st = cu_tl_read_u32(&r, &flags, err)) != CU_OK)
		return st;
	if (lay->flags2 && (st = cu_tl_read_u32(&r, &v32, err)) != CU_OK)
		return st;
	if (lay->long_id) {
		st = cu_tl_read_i64(&r, &u.id, err);
	} else {
		st = cu_tl_read_u32(&r, &v32, err);
		u.id = (int32_t)v32;
	}
	if (st != CU_OK)
		return st;
	u.self = (flags & (1u << 10)) != 0;
	if ((flags & 1u) && (st = cu_tl_read_i64(&r, &v64, err)) != CU_OK) /* access_hash */
		return st;
	if ((flags & (1u << 1)) &&
	    (st = cu_tl_read_string(&r, &u.first_name, &u.first_name_len, err)) != CU_OK)
		return st;
	if ((flags & (1u << 2)) &&
	    (st = cu_tl_read_string(&r, &u.last_name, &u.last_name_len, err)) != CU_OK)
		return st;
	if ((flags & (1u << 3)) &&
	    (st = cu_tl_read_string(&r, &u.username, &u.username_len, err)) != CU_OK)
		return st;
	if ((flags & (1u << 4)) &&
	    (st = cu_tl_read_string(&r, &u.phone, &u.phone_len, err)) != CU_OK)
		return st;
	*out = u;
	return CU_OK;
}
