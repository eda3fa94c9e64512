/*
 * keys.h - WeChat Android key material (keys.c): key and user directory
 * derivation, Java-serialized config maps, shared_prefs XML; internal to
 * parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_WECHAT_KEYS_H
#define CUSTOS_PARSERS_WECHAT_KEYS_H

#include "parsers/parsers.h"

/* WeChat Android key = md5_hex(IMEI + uin)[:7] (APPS.md 1.2). */
void cu_wechat_key_derive(const char *imei, const char *uin, char out[8]);
/* <userdir> = md5_hex("mm" + uin) (APPS.md 1.1). */
void cu_wechat_userdir(const char *uin, char out[33]);

/*
 * A Java-serialized java.util.HashMap as WeChat writes CompatibleInfo.cfg
 * and systemInfo.cfg: Integer keys, values Strings or boxed numbers
 * (numbers become decimal text, other objects NULL).
 */
struct cu_javamap_entry {
	int64_t key;
	char *value; /* NULL when null or not a string/number */
};
struct cu_javamap {
	struct cu_javamap_entry *v;
	size_t n;
};
enum cu_status cu_javaser_int_map_parse(const unsigned char *p, size_t n, struct cu_javamap *out,
					struct cu_error *err) CU_WARN_UNUSED;
void cu_javamap_release(struct cu_javamap *m);
/* Borrowed value for key, NULL if absent. */
const char *cu_javamap_get(const struct cu_javamap *m, int64_t key);

/*
 * Android shared_prefs XML (<map><int name= value=/><string name=>..</string>):
 * the value of the entry `name` as text, any of int/long/string. No entity
 * expansion, no network. CU_E_NOTFOUND when absent. *out is malloc'ed.
 */
enum cu_status cu_android_prefs_get(const char *xml, size_t n, const char *name, char **out,
				    struct cu_error *err) CU_WARN_UNUSED;

#endif
