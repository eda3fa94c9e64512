/*
 * plistjson.h - a property list as JSON (dl.c): dictionaries as objects,
 * arrays, booleans, integers (negative ones as sent, two's complement),
 * reals (null when not finite), strings, data as {"base64": ...} (also a
 * string that is not UTF-8), dates as ISO-8601 UTC strings, UIDs as
 * {"uid": n}. At most 64 levels deep (CU_E_LIMIT).
 */
#ifndef CUSTOS_EXTRACT_IOS_PLISTJSON_H
#define CUSTOS_EXTRACT_IOS_PLISTJSON_H

#include "core/core.h"

/* plist is a plist_t (only extract/ios/ sees libplist). */
enum cu_status cu_ios_plist_to_json(const void *plist, json_t **out,
				    struct cu_error *err) CU_WARN_UNUSED;
/* The same from plist bytes (binary or XML). */
enum cu_status cu_ios_plist_bytes_to_json(const void *p, size_t n, json_t **out,
					  struct cu_error *err) CU_WARN_UNUSED;

#endif
