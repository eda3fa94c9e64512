/*
 * record_int.h - private to extract/: small pieces of the case's record
 * that import and every device acquisition write the same way
 * (case_record.c).
 */
#ifndef CUSTOS_EXTRACT_RECORD_INT_H
#define CUSTOS_EXTRACT_RECORD_INT_H

#include "core/core.h"

/* The manifest's top-level array key, created empty when absent; NULL
 * when it cannot be made. */
json_t *cu_extract_manifest_array(struct cu_case *c, const char *key);
/* o[key] as an object, created empty when absent or not an object. */
json_t *cu_extract_obj_child(json_t *o, const char *key);
/* The SHA-256 manifest.json will have once saved, for the entry that
 * records the save (cu_case_manifest_explained). */
enum cu_status cu_extract_manifest_hash(struct cu_case *c, char hex[65],
					struct cu_error *err) CU_WARN_UNUSED;
/* "key": [elements] where elements are JSON values already joined by ","
 * ("" for none). */
void cu_extract_json_list(struct cu_json *j, const char *key, const char *elements);

#endif
