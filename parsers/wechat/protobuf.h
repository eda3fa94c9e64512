/*
 * protobuf.h - a minimal protobuf reader (protobuf.c); internal to
 * parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_PROTOBUF_H
#define CUSTOS_PARSERS_PROTOBUF_H

#include "parsers/parsers.h"

/* Minimal protobuf reader (WeChat iOS Friend.dbContactRemark etc.):
 * the first length-delimited field `field` of msg, borrowed. */
bool cu_protobuf_find_bytes(const unsigned char *msg, size_t n, uint32_t field,
			    const unsigned char **val, size_t *val_len);
/* Checks the whole message is well-formed (varint, 64-bit, bytes, 32-bit). */
bool cu_protobuf_valid(const unsigned char *msg, size_t n);

#endif
