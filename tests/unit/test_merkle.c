/*
 * test_merkle.c - RFC 6962 tree hashes and audit paths.
 * Roots: the test vectors of CUSTODY.md (the RFC 6962 / Certificate
 * Transparency reference tree of 8 leaves). Audit paths: the published CT
 * inclusion-proof vectors for the same tree, plus every index of n = 1..8
 * verifying, and failing once any byte of leaf, path or root is flipped.
 */
#include "core/core.h"
#include "tests/harness/tap.h"

#include <stdlib.h>
#include <string.h>

static const char *leaf_data_hex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct proof_vec {
	size_t index, n, len;
	const char *path[3];
};

/* Certificate Transparency's inclusion proof vectors (0-based index). */
static const struct proof_vec proofs[] = {
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static unsigned char leaves[8][32];

static void hex32(const unsigned char *h, char out[65])
{
	cu_hex(h, 32, out);
}

static void test_roots(void)
{
	struct cu_error err;
	unsigned char root[32];
	char hex[65];

	for (size_t i = 0; i < 8; i++) {
		unsigned char data[16];
		size_t n = strlen(leaf_data_hex[i]) / 2;
		tap_ok(n == 0 || cu_unhex(leaf_data_hex[i], data, n), "leaf %zu hex", i);
		cu_merkle_leaf_hash(data, n, leaves[i]);
	}
	for (size_t n = 0; n <= 8; n++) {
		cu_error_clear(&err);
		tap_is_int(cu_merkle_root((const unsigned char(*)[32])leaves, n, root, &err), CU_OK,
			   "root n=%zu computes", n);
		hex32(root, hex);
		tap_is_str(hex, roots[n], "root n=%zu matches the RFC 6962 vector", n);
	}
	/* node hash = SHA-256(0x01 || l || r): root of 2 is node(leaf0, leaf1) */
	cu_merkle_node_hash(leaves[0], leaves[1], root);
	hex32(root, hex);
	tap_is_str(hex, roots[2], "node hash of leaves 0,1 is the n=2 root");
	tap_is_int(cu_merkle_root(NULL, 3, root, &err), CU_E_INTERNAL, "NULL leaves refused");
}

static void test_known_proofs(void)
{
	for (size_t t = 0; t < sizeof(proofs) / sizeof(proofs[0]); t++) {
		const struct proof_vec *v = &proofs[t];
		unsigned char(*path)[32] = NULL;
		size_t len = 0;
		struct cu_error err;
		unsigned char root[32];
		bool same = true;

		cu_error_clear(&err);
		tap_is_int(cu_merkle_proof((const unsigned char(*)[32])leaves, v->n, v->index,
					   &path, &len, &err),
			   CU_OK, "proof %zu of %zu computes", v->index, v->n);
		tap_is_int((int64_t)len, (int64_t)v->len, "proof %zu of %zu has %zu hashes",
			   v->index, v->n, v->len);
		for (size_t i = 0; i < len && i < v->len; i++) {
			char hex[65];
			hex32(path[i], hex);
			if (strcmp(hex, v->path[i]) != 0) {
				tap_diag("path[%zu] = %s, want %s", i, hex, v->path[i]);
				same = false;
			}
		}
		tap_ok(same, "proof %zu of %zu equals the CT vector", v->index, v->n);
		cu_unhex(roots[v->n], root, 32);
		tap_ok(cu_merkle_verify(leaves[v->index], v->index, v->n,
					(const unsigned char(*)[32])path, len, root),
		       "CT proof %zu of %zu verifies", v->index, v->n);
		free(path);
	}
}

static void test_all_proofs(void)
{
	size_t verified = 0, tampered_ok = 0, tampered_total = 0, wrong_ok = 0;

	for (size_t n = 1; n <= 8; n++) {
		unsigned char root[32];
		TAP_MUST(cu_merkle_root((const unsigned char(*)[32])leaves, n, root, NULL));
		for (size_t i = 0; i < n; i++) {
			unsigned char(*path)[32] = NULL;
			size_t len = 0;
			unsigned char leaf[32], r2[32];

			if (cu_merkle_proof((const unsigned char(*)[32])leaves, n, i, &path, &len,
					    NULL) != CU_OK) {
				tap_ok(false, "proof %zu of %zu", i, n);
				continue;
			}
			if (cu_merkle_verify(leaves[i], i, n, (const unsigned char(*)[32])path, len,
					     root))
				verified++;
			else
				tap_diag("proof %zu of %zu does not verify", i, n);
			/* Every single-byte flip must break it. */
			for (size_t b = 0; b < 32; b += 7) {
				memcpy(leaf, leaves[i], 32);
				leaf[b] ^= 0x01;
				tampered_total++;
				if (cu_merkle_verify(leaf, i, n, (const unsigned char(*)[32])path,
						     len, root))
					tampered_ok++;
				memcpy(r2, root, 32);
				r2[b] ^= 0x80;
				tampered_total++;
				if (cu_merkle_verify(leaves[i], i, n,
						     (const unsigned char(*)[32])path, len, r2))
					tampered_ok++;
				for (size_t p = 0; p < len; p++) {
					path[p][b] ^= 0x10;
					tampered_total++;
					if (cu_merkle_verify(leaves[i], i, n,
							     (const unsigned char(*)[32])path, len,
							     root))
						tampered_ok++;
					path[p][b] ^= 0x10;
				}
			}
			/* The proof of leaf i must not pass for another index or size. */
			for (size_t j = 0; j < n; j++)
				if (j != i &&
				    cu_merkle_verify(leaves[i], j, n,
						     (const unsigned char(*)[32])path, len, root))
					wrong_ok++;
			/* (A different n with the same root may legitimately
			 * verify: n=3 and n=4 share the left-hand shape; the
			 * manifest commits to (n, root) together.) */
			if (len > 0 &&
			    cu_merkle_verify(leaves[i], i, n, (const unsigned char(*)[32])path,
					     len - 1, root))
				wrong_ok++;
			free(path);
		}
	}
	tap_is_int((int64_t)verified, 36, "all 36 proofs of n=1..8 verify");
	tap_ok(tampered_total > 100, "tampered proofs tried (%zu)", tampered_total);
	tap_is_int((int64_t)tampered_ok, 0, "no tampered leaf/path/root verifies");
	tap_is_int((int64_t)wrong_ok, 0, "no proof verifies for a wrong index or a shortened path");
	tap_ok(!cu_merkle_verify(leaves[0], 1, 1, NULL, 0, leaves[0]), "index >= n refused");
	tap_ok(cu_merkle_verify(leaves[0], 0, 1, NULL, 0, leaves[0]), "n=1: empty path, root=leaf");
	tap_is_int(cu_merkle_proof((const unsigned char(*)[32])leaves, 3, 3, NULL, NULL, NULL),
		   CU_E_USAGE, "proof index out of range refused");
}

static void test_big_tree(void)
{
	/* A large odd tree: every proof sampled verifies against the root. */
	size_t n = 100003, bad = 0;
	unsigned char(*l)[32] = calloc(n, 32);
	unsigned char root[32];

	for (size_t i = 0; i < n; i++) {
		char s[32];
		int k = snprintf(s, sizeof(s), "%zu", i);
		cu_merkle_leaf_hash(s, (size_t)k, l[i]);
	}
	tap_is_int(cu_merkle_root((const unsigned char(*)[32])l, n, root, NULL), CU_OK,
		   "root of %zu leaves", n);
	for (size_t i = 0; i < n; i += 9973) {
		unsigned char(*path)[32] = NULL;
		size_t len = 0;
		if (cu_merkle_proof((const unsigned char(*)[32])l, n, i, &path, &len, NULL) !=
			CU_OK ||
		    !cu_merkle_verify(l[i], i, n, (const unsigned char(*)[32])path, len, root))
			bad++;
		free(path);
	}
	tap_is_int((int64_t)bad, 0, "sampled proofs of the big tree verify");
	free(l);
}

static void test_content_leaf(void)
{
	/* leaf data = path || 0x00 || "1234" || 0x00 || sha256hex */
	const char *h = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	unsigned char got[32], want[32];
	char data[256];
	size_t n = 0;
	const char *p = "evidence/A1/HomeDomain/Library/SMS/sms.db";

	memcpy(data, p, strlen(p));
	n += strlen(p);
	data[n++] = '\0';
	memcpy(data + n, "1234", 4);
	n += 4;
	data[n++] = '\0';
	memcpy(data + n, h, 64);
	n += 64;
	cu_merkle_leaf_hash(data, n, want);
	cu_merkle_content_leaf(p, 1234, h, got);
	tap_is_mem(got, 32, want, 32, "content leaf = leaf hash of path NUL size NUL sha256hex");
	cu_merkle_content_leaf(p, 1235, h, got);
	tap_ok(memcmp(got, want, 32) != 0, "content leaf changes with size");
}

/* The streaming root equals the recursive one for every size up to 300
 * and for the big tree's size, and its memory is the fixed struct. */
static void test_stream(void)
{
	size_t n = 100003, bad = 0;
	unsigned char(*l)[32] = calloc(n, 32);
	unsigned char want[32], got[32];
	struct cu_merkle_stream ms;

	TAP_MUST(l != NULL ? CU_OK : CU_E_NOMEM);
	for (size_t i = 0; i < n; i++) {
		char s[32];
		int k = snprintf(s, sizeof(s), "s%zu", i);
		cu_merkle_leaf_hash(s, (size_t)k, l[i]);
	}
	for (size_t m = 0; m <= 300; m++) {
		cu_merkle_stream_init(&ms);
		for (size_t i = 0; i < m; i++)
			cu_merkle_stream_add(&ms, l[i]);
		cu_merkle_stream_root(&ms, got);
		TAP_MUST(cu_merkle_root((const unsigned char(*)[32])l, m, want, NULL));
		if (memcmp(got, want, 32) != 0 || ms.n != m)
			bad++;
	}
	tap_is_int((int64_t)bad, 0, "streamed roots of 0..300 leaves equal cu_merkle_root");
	cu_merkle_stream_init(&ms);
	for (size_t i = 0; i < n; i++)
		cu_merkle_stream_add(&ms, l[i]);
	cu_merkle_stream_root(&ms, got);
	TAP_MUST(cu_merkle_root((const unsigned char(*)[32])l, n, want, NULL));
	tap_ok(memcmp(got, want, 32) == 0, "streamed root of %zu leaves equals cu_merkle_root", n);
	free(l);
}

int main(void)
{
	tap_plan(57);
	test_roots();
	test_known_proofs();
	test_all_proofs();
	test_big_tree();
	test_content_leaf();
	test_stream();
	return tap_done();
}
