/*
 * telegram_tl.h - Telegram TL blob decoding (telegram_tl.c); internal to
 * parsers/, its unit test and fuzz target. Nothing here allocates.
 */
#ifndef CUSTOS_PARSERS_TELEGRAM_TL_H
#define CUSTOS_PARSERS_TELEGRAM_TL_H

#include "parsers/parsers.h"

/* A bounds-checked reader over a Telegram TL-serialised blob (little
 * endian, 4-byte aligned). Every read fails with CU_E_FORMAT instead of
 * running past n; the reader never owns the bytes. */
struct cu_tl_reader {
	const unsigned char *p;
	size_t n;
	size_t off;
};

void cu_tl_reader_init(struct cu_tl_reader *r, const void *p, size_t n);
enum cu_status cu_tl_read_u32(struct cu_tl_reader *r, uint32_t *out,
			      struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_tl_read_i64(struct cu_tl_reader *r, int64_t *out,
			      struct cu_error *err) CU_WARN_UNUSED;
/* TL string/bytes: 1 length byte (< 254) or 0xFE + 3-byte LE length, the
 * bytes, then zero padding to a multiple of 4. *s points into the blob.
 * Non-zero padding or a length past the end is CU_E_FORMAT. */
enum cu_status cu_tl_read_string(struct cu_tl_reader *r, const unsigned char **s, size_t *len,
				 struct cu_error *err) CU_WARN_UNUSED;

enum cu_tl_peer_kind {
	CU_TL_PEER_NONE = 0,
	CU_TL_PEER_USER = 1,
	CU_TL_PEER_CHAT = 2,
	CU_TL_PEER_CHANNEL = 3,
};

/* What the header walk of a TL Message recovered (APPS.md 5.1). */
struct cu_tl_message {
	uint32_t constructor;
	uint32_t flags, flags2;
	int32_t id;
	enum cu_tl_peer_kind from_kind, peer_kind;
	int64_t from_id, peer_id;
	int64_t date;              /* Unix s, CU_UNKNOWN if not reached */
	const unsigned char *text; /* into the blob; NULL if not reached */
	size_t text_len;
	uint32_t media;       /* MessageMedia constructor, 0 if none */
	uint32_t media_flags; /* its flags word when it has one */
	bool has_geo;         /* messageMediaGeo/Venue/GeoLive point */
	double lat, lon;
	const unsigned char *local_path; /* media: the client's trailing local path */
	size_t local_path_len;
	uint32_t action;     /* MessageAction constructor (service) */
	bool known;          /* constructor is in our tables */
	bool service;        /* messageService */
	bool out;            /* flags bit 1 */
	bool by_date_search; /* text found by the row-date fallback */
};

/* Walks a TL Message/MessageService blob. row_date (the row's `date`, or
 * CU_UNKNOWN) drives the fallback for headers we do not decode (forward
 * and reply headers): the text is the TL string after the first aligned
 * int32 equal to row_date. CU_E_UNSUPPORTED for an unknown constructor
 * (out->constructor still set), CU_E_FORMAT for a truncated/bad blob. */
enum cu_status cu_tl_message_decode(const void *p, size_t n, int64_t row_date,
				    struct cu_tl_message *out, struct cu_error *err) CU_WARN_UNUSED;

/* What a TL User blob gives (users.data). Strings point into the blob. */
struct cu_tl_user {
	uint32_t constructor;
	int64_t id;
	bool self;
	const unsigned char *first_name, *last_name, *username, *phone;
	size_t first_name_len, last_name_len, username_len, phone_len;
};
enum cu_status cu_tl_user_decode(const void *p, size_t n, struct cu_tl_user *out,
				 struct cu_error *err) CU_WARN_UNUSED;

#endif
