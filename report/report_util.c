/*
 * report_util.c - small display helpers of the report and forms: yuan from
 * fen, local time with zone, grouped hashes, time zones, and the QR code
 * PNG (libqrencode gives the module matrix; the PNG is written here with
 * zlib: signature, IHDR, one IDAT, IEND, each chunk with its CRC-32).
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>
#include <zlib.h>

void cu_report_yuan(int64_t minor, char out[CU_YUAN_STR])
{
	/* uint64_t magnitude so INT64_MIN has one too. */
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t yuan = m / 100, fen = m % 100;
	char digits[24], buf[48];
	size_t nd, g = 0;

	nd = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)yuan);
	if (minor < 0)
		buf[g++] = '-';
	for (size_t i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[g++] = ',';
		buf[g++] = digits[i];
	}
	buf[g++] = '.';
	buf[g++] = (char)('0' + fen / 10);
	buf[g++] = (char)('0' + fen % 10);
	buf[g] = '\0';
	/* At most "-" + 20 digits + 6 commas + ".00": always fits. */
	CU_ASSERT(g < CU_YUAN_STR);
	memcpy(out, buf, g + 1);
}

bool cu_report_local_time(int64_t unix_ms, int offset_min, char out[CU_LOCAL_TIME_STR])
{
	int64_t ms, s, msec;
	time_t t;
	struct tm tm;
	int off = offset_min < 0 ? -offset_min : offset_min;

	if (unix_ms < -62135596800000LL || unix_ms > 253402300799999LL)
		return false;
	ms = unix_ms + (int64_t)offset_min * 60000;
	s = ms / 1000;
	msec = ms % 1000;
	if (msec < 0) {
		msec += 1000;
		s--;
	}
	t = (time_t)s;
	if (gmtime_r(&t, &tm) == NULL)
		return false;
	/* A roomy buffer first: the compiler cannot bound struct tm fields. */
	char buf[160];
	if (msec != 0)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%03d %c%02d:%02d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)msec, offset_min < 0 ? '-' : '+', off / 60, off % 60);
	else
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d %c%02d:%02d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, offset_min < 0 ? '-' : '+', off / 60, off % 60);
	if (strlen(buf) >= CU_LOCAL_TIME_STR)
		return false;
	memcpy(out, buf, strlen(buf) + 1);
	return true;
}

void cu_report_group_hex(const char *hex64, char out[80])
{
	size_t o = 0, n = hex64 ? strlen(hex64) : 0;

	for (size_t i = 0; i < n && i < 64; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex64[i];
	}
	out[o] = '\0';
}

bool cu_report_parse_tz(const char *s, int *offset_min)
{
	/* Fixed-offset zones only: the report states the offset it used. */
	static const struct {
		const char *name;
		int off;
	} known[] = {
	    {"UTC", 0},
	    {"Z", 0},
	    {"Etc/UTC", 0},
	    {"Asia/Shanghai", 480},
	    {"Asia/Chongqing", 480},
	    {"Asia/Urumqi", 360},
	    {"Asia/Hong_Kong", 480},
	    {"Asia/Macau", 480},
	    {"Asia/Taipei", 480},
	    {"Asia/Singapore", 480},
	    {"Asia/Tokyo", 540},
	    {"Asia/Seoul", 540},
	    {"Asia/Bangkok", 420},
	};
	int h, m;

	if (s == NULL)
		return false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i].name) == 0) {
			*offset_min = known[i].off;
			return true;
		}
	if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':') {
		/* Any other IANA zone of the tz database: its offset on
		 * 2000-01-01 (standard time). Callers that show times use
		 * cu_time_format_zone, which applies daylight saving time. */
		struct cu_error e;
		int32_t off;
		if (cu_time_zone_offset(INT64_C(946684800000), s, &off, NULL, 0, &e) != CU_OK)
			return false;
		*offset_min = off / 60;
		return true;
	}
	for (int i = 1; i < 6; i++)
		if (i != 3 && (s[i] < '0' || s[i] > '9'))
			return false;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	if (h > 14 || m > 59)
		return false;
	*offset_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return true;
}

static enum cu_status put_be32(struct cu_buf *b, uint32_t v, struct cu_error *err)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};
	return cu_buf_append(b, x, 4, err);
}

/* One PNG chunk: length, type, data, CRC-32 over type and data. */
static enum cu_status png_chunk(struct cu_buf *b, const char type[4], const unsigned char *data,
				size_t n, struct cu_error *err)
{
	enum cu_status st;
	uLong crc;

	if (n > 0x7fffffffu)
		return cu_error_set(err, CU_E_LIMIT, "png chunk too large");
	if ((st = put_be32(b, (uint32_t)n, err)) != CU_OK ||
	    (st = cu_buf_append(b, type, 4, err)) != CU_OK ||
	    (n > 0 && (st = cu_buf_append(b, data, n, err)) != CU_OK))
		return st;
	crc = crc32(0L, (const Bytef *)type, 4);
	if (n > 0)
		crc = crc32(crc, data, (uInt)n);
	return put_be32(b, (uint32_t)crc, err);
}

enum cu_status cu_qr_png(const char *text, unsigned scale, struct cu_buf *out, struct cu_error *err)
{
	QRcode *qr = NULL;
	unsigned char *raw = NULL, *z = NULL;
	struct cu_buf png = CU_BUF_INIT;
	enum cu_status st;
	size_t side, rowlen, rawlen;
	uLongf zlen;

	if (scale == 0 || scale > 32)
		return cu_error_set(err, CU_E_USAGE, "qr: scale %u out of range", scale);
	qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (qr == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "qr: cannot encode '%s'", text);
	side = ((size_t)qr->width + 8) * scale; /* 4 modules of quiet zone each side */
	rowlen = side + 1;                      /* filter byte 0 + one gray byte per pixel */
	rawlen = rowlen * side;
	if ((raw = cu_malloc(rawlen)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "qr: out of memory");
		goto out;
	}
	for (size_t y = 0; y < side; y++) {
		unsigned char *row = raw + y * rowlen;
		long my = (long)(y / scale) - 4;
		row[0] = 0;
		for (size_t x = 0; x < side; x++) {
			long mx = (long)(x / scale) - 4;
			bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
				    (qr->data[my * qr->width + mx] & 1);
			row[1 + x] = dark ? 0 : 255;
		}
	}
	zlen = compressBound((uLong)rawlen);
	if ((z = cu_malloc(zlen)) == NULL) {
		st = cu_error_set(err, CU_E_NOMEM, "qr: out of memory");
		goto out;
	}
	if (compress2(z, &zlen, raw, (uLong)rawlen, 9) != Z_OK) {
		st = cu_error_set(err, CU_E_INTERNAL, "qr: zlib compression failed");
		goto out;
	}
	{
		unsigned char ihdr[13] = {0};
		for (int i = 0; i < 2; i++) {
			ihdr[i * 4 + 0] = (unsigned char)(side >> 24);
			ihdr[i * 4 + 1] = (unsigned char)(side >> 16);
			ihdr[i * 4 + 2] = (unsigned char)(side >> 8);
			ihdr[i * 4 + 3] = (unsigned char)side;
		}
		ihdr[8] = 8; /* bit depth */
		ihdr[9] = 0; /* grayscale; compression, filter, interlace 0 */
		if ((st = cu_buf_append(&png, "\x89PNG\r\n\x1a\n", 8, err)) != CU_OK ||
		    (st = png_chunk(&png, "IHDR", ihdr, sizeof(ihdr), err)) != CU_OK ||
		    (st = png_chunk(&png, "IDAT", z, zlen, err)) != CU_OK ||
		    (st = png_chunk(&png, "IEND", NULL, 0, err)) != CU_OK)
			goto out;
	}
	if ((st = cu_buf_append(out, png.data, png.len, err)) != CU_OK)
		goto out;
	st = CU_OK;
out:
	cu_buf_release(&png);
	free(raw);
	free(z);
	if (qr != NULL)
		QRcode_free(qr);
	return st;
}

bool cu_report_parse_formats(const char *s, unsigned *out)
{
	if (strcmp(s, "html") == 0)
		*out = CU_REPORT_HTML;
	else if (strcmp(s, "docx") == 0)
		*out = CU_REPORT_DOCX;
	else if (strcmp(s, "all") == 0)
		*out = CU_REPORT_HTML | CU_REPORT_DOCX;
	else
		return false;
	return true;
}
