/*
 * merkle.c - RFC 6962 Merkle tree hashes, audit paths and their check.
 *
 * Definitions (RFC 6962 section 2.1, restated in RFC 9162 2.1.1):
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 || d0)                       (leaf hash)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) (node hash)
 * with k the largest power of two smaller than n. The functions here take
 * leaves already leaf-hashed, so one tree code serves the custody log
 * (leaf = body bytes) and the content tree (leaf = path/size/sha256).
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* SHA-256 over up to three byte ranges. EVP only fails on allocation
 * failure; the callers' signatures are void (pure hash helpers), so that
 * one case is treated as fatal. */
static void sha256_parts(const void *a, size_t an, const void *b, size_t bn, const void *c,
			 size_t cn, unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    (an > 0 && EVP_DigestUpdate(ctx, a, an) != 1) ||
	    (bn > 0 && EVP_DigestUpdate(ctx, b, bn) != 1) ||
	    (cn > 0 && EVP_DigestUpdate(ctx, c, cn) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32)
		CU_BUG("sha-256 failed (out of memory?)");
	EVP_MD_CTX_free(ctx);
}

void cu_merkle_leaf_hash(const void *data, size_t n, unsigned char out[32])
{
	static const unsigned char prefix = 0x00;
	sha256_parts(&prefix, 1, data, n, NULL, 0, out);
}

void cu_merkle_node_hash(const unsigned char left[32], const unsigned char right[32],
			 unsigned char out[32])
{
	static const unsigned char prefix = 0x01;
	sha256_parts(&prefix, 1, left, 32, right, 32, out);
}

/* Largest power of two strictly below n (n >= 2). */
static size_t split_point(size_t n)
{
	size_t k = 1;
	while (k < n - k) /* k * 2 < n without overflow */
		k <<= 1;
	return k;
}

/* MTH over leaves[0..n), n >= 1. Each node is hashed once (O(n) hashes);
 * recursion depth is at most 64. */
static void tree_hash(const unsigned char (*leaves)[32], size_t n, unsigned char out[32])
{
	unsigned char left[32], right[32];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split_point(n);
	tree_hash(leaves, k, left);
	tree_hash(leaves + k, n - k, right);
	cu_merkle_node_hash(left, right, out);
}

enum cu_status cu_merkle_root(const unsigned char (*leaves)[32], size_t n, unsigned char out[32],
			      struct cu_error *err)
{
	if (n == 0) {
		sha256_parts(NULL, 0, NULL, 0, NULL, 0, out);
		return CU_OK;
	}
	if (leaves == NULL)
		return cu_error_set(err, CU_E_INTERNAL, "merkle root: no leaves given for n=%zu",
				    n);
	tree_hash(leaves, n, out);
	return CU_OK;
}

void cu_merkle_stream_init(struct cu_merkle_stream *m)
{
	memset(m, 0, sizeof(*m));
}

/* Push the leaf as a subtree of one; two subtrees of equal size on top
 * merge into their parent (MTH splits at the largest power of two, so the
 * left part of every node is complete). */
void cu_merkle_stream_add(struct cu_merkle_stream *m, const unsigned char leaf[32])
{
	unsigned char node[32];
	uint64_t size = 1;

	memcpy(node, leaf, 32);
	while (m->depth > 0 && m->size[m->depth - 1] == size) {
		m->depth--;
		cu_merkle_node_hash(m->h[m->depth], node, node);
		size *= 2;
	}
	memcpy(m->h[m->depth], node, 32);
	m->size[m->depth] = size;
	m->depth++;
	m->n++;
}

/* The incomplete right edge folds from the top: MTH(D[n]) =
 * node(h[0], node(h[1], ... h[depth-1])). */
void cu_merkle_stream_root(const struct cu_merkle_stream *m, unsigned char out[32])
{
	unsigned char r[32];

	if (m->depth == 0) {
		sha256_parts(NULL, 0, NULL, 0, NULL, 0, out);
		return;
	}
	memcpy(r, m->h[m->depth - 1], 32);
	for (unsigned i = m->depth - 1; i-- > 0;)
		cu_merkle_node_hash(m->h[i], r, r);
	memcpy(out, r, 32);
}

/*
 * PATH(m, D[n]) of RFC 6962 2.1.1: for m < k, PATH(m, D[0:k]) : MTH(D[k:n]),
 * else PATH(m - k, D[k:n]) : MTH(D[0:k]). The path lists siblings from the
 * leaf upwards; we walk down and fill it from the end.
 */
enum cu_status cu_merkle_proof(const unsigned char (*leaves)[32], size_t n, size_t index,
			       unsigned char (**path)[32], size_t *path_len, struct cu_error *err)
{
	unsigned char(*p)[32] = NULL;
	size_t depth = 0, lo = 0, size = n, m = index, k;

	if (leaves == NULL || index >= n)
		return cu_error_set(err, CU_E_USAGE,
				    "merkle proof: leaf index %zu out of range for %zu leaves",
				    index, n);
	/* First pass: the path length is the depth of the leaf. */
	for (size_t s = n, i = index; s > 1; depth++) {
		k = split_point(s);
		if (i < k) {
			s = k;
		} else {
			i -= k;
			s -= k;
		}
	}
	p = cu_calloc(depth > 0 ? depth : 1, sizeof(*p));
	if (p == NULL)
		return cu_error_set(err, CU_E_NOMEM, "merkle proof: out of memory");
	for (size_t d = depth; size > 1;) {
		k = split_point(size);
		d--;
		if (m < k) {
			tree_hash(leaves + lo + k, size - k, p[d]);
			size = k;
		} else {
			tree_hash(leaves + lo, k, p[d]);
			lo += k;
			m -= k;
			size -= k;
		}
	}
	*path = p;
	*path_len = depth;
	return CU_OK;
}

/* RFC 9162 section 2.1.3.2, "Verifying an Inclusion Proof". */
bool cu_merkle_verify(const unsigned char leaf[32], size_t index, size_t n,
		      const unsigned char (*path)[32], size_t path_len,
		      const unsigned char root[32])
{
	unsigned char r[32];
	size_t fn, sn;

	if (leaf == NULL || root == NULL || index >= n || (path_len > 0 && path == NULL))
		return false;
	fn = index;
	sn = n - 1;
	memcpy(r, leaf, 32);
	for (size_t i = 0; i < path_len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) == 1 || fn == sn) {
			cu_merkle_node_hash(path[i], r, r);
			if ((fn & 1) == 0) {
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			cu_merkle_node_hash(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0;
}

/* CUSTODY.md content tree: leaf data = path || 0x00 || decimal size || 0x00
 * || sha256hex, then the RFC 6962 leaf hash over it. */
void cu_merkle_content_leaf(const char *path, uint64_t size, const char *sha256hex,
			    unsigned char out[32])
{
	char mid[32];
	int m = snprintf(mid, sizeof(mid), "%c%llu%c", '\0', (unsigned long long)size, '\0');
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static const unsigned char prefix = 0x00;
	unsigned int len = 0;

	if (m < 0 || (size_t)m >= sizeof(mid))
		CU_BUG("content leaf size formatting");
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
	    EVP_DigestUpdate(ctx, path, strlen(path)) != 1 ||
	    EVP_DigestUpdate(ctx, mid, (size_t)m) != 1 ||
	    EVP_DigestUpdate(ctx, sha256hex, strlen(sha256hex)) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32)
		CU_BUG("sha-256 failed (out of memory?)");
	EVP_MD_CTX_free(ctx);
}

static int content_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cu_content_file *)a)->path,
		      ((const struct cu_content_file *)b)->path);
}

enum cu_status cu_merkle_content_root(struct cu_content_file *files, size_t n,
				      unsigned char root[32], struct cu_error *err)
{
	struct cu_merkle_stream ms;

	if (n > 0)
		qsort(files, n, sizeof(*files), content_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(files[i - 1].path, files[i].path) == 0)
			return cu_error_set(err, CU_E_INTEGRITY, "file '%s' is listed twice",
					    files[i].path);
	cu_merkle_stream_init(&ms);
	for (size_t i = 0; i < n; i++) {
		unsigned char leaf[32];
		cu_merkle_content_leaf(files[i].path, files[i].size, files[i].sha256, leaf);
		cu_merkle_stream_add(&ms, leaf);
	}
	cu_merkle_stream_root(&ms, root);
	return CU_OK;
}
