/*
 * fuzz_custody_log.c - the parsers custos runs on logs and manifests that
 * come back from elsewhere (a package under verification, a sidecar): the
 * custody log verifier with its body-span scanner, and the manifest schema
 * check. Invariants (abort when broken):
 *   a log that verifies has every entry visited once, in seq order, and each
 *   entry's body span lies inside its line and hashes to its leaf;
 *   verifying the same bytes twice gives the same head and root;
 *   the schema check either lists missing fields or rejects invalid ones,
 *   never both, and its list is newline-terminated.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		abort();
}

struct visit {
	uint64_t next;
};

static enum cu_status visit(const struct cu_custody_entry *e, void *ctx, struct cu_error *err)
{
	struct visit *v = ctx;
	unsigned char leaf[32];

	(void)err;
	check(e->seq == v->next);
	v->next++;
	check(e->body >= e->line && e->body + e->body_len <= e->line + e->line_len);
	cu_merkle_leaf_hash(e->body, e->body_len, leaf);
	check(memcmp(leaf, e->leaf, 32) == 0);
	return CU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_custody_check a, b;
	struct cu_error err;
	struct visit v = {0};
	const char *s = (const char *)data;
	json_t *m;

	cu_log_set_level(CU_LOG_ERROR);
	if (cu_custody_each_buf(s, size, "fuzz", NULL, visit, &v, &a, &err) == CU_OK) {
		check(v.next == a.entries);
		check(cu_custody_verify_buf(s, size, "fuzz", NULL, &b, &err) == CU_OK);
		check(memcmp(a.head, b.head, 32) == 0 && memcmp(a.root, b.root, 32) == 0);
	}
	m = json_loadb(s, size, 0, NULL);
	if (m != NULL) {
		struct cu_buf miss = CU_BUF_INIT;
		size_t n = 0;
		if (cu_manifest_check(m, &miss, &n, &err) == CU_OK)
			check(n == 0 ? miss.len == 0
				     : miss.len > 0 && miss.data[miss.len - 1] == '\n');
		cu_buf_release(&miss);
		json_decref(m);
	}
	return 0;
}
