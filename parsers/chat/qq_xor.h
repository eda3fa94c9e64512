/*
 * qq_xor.h - QQ Android legacy field XOR (qq_android.c); internal to
 * parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_QQ_XOR_H
#define CUSTOS_PARSERS_QQ_XOR_H

#include "parsers/parsers.h"

/* QQ Android legacy field XOR (APPS.md 3.1). Blob: byte-wise with the key
 * bytes. Text: each UTF-16 code unit of the UTF-8 input XORed with the key
 * character at the same index, result encoded as UTF-8 (a lone surrogate
 * becomes U+FFFD). Input that is not valid UTF-8 is CU_E_FORMAT. The key
 * must not be empty (CU_E_KEY). */
enum cu_status cu_qq_xor_blob(const void *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err) CU_WARN_UNUSED;
enum cu_status cu_qq_xor_text(const char *in, size_t n, const char *key, size_t key_len,
			      struct cu_buf *out, struct cu_error *err) CU_WARN_UNUSED;
/* The XOR key from the content of files/kc (the key itself) or files/imei
 * ("imei=<value>"), surrounding whitespace removed. CU_E_KEY when empty. */
enum cu_status cu_qq_key_parse(const char *content, size_t n, struct cu_buf *key,
			       struct cu_error *err) CU_WARN_UNUSED;

#endif
