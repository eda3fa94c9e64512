/*
 * keccak.c - Keccak-256 with the original Keccak padding (0x01 ... 0x80),
 * as Ethereum (EIP-55 checksums) and Monero (address checksums) use it.
 * This is not SHA3-256 (FIPS 202 pads with 0x06), which is why OpenSSL's
 * digests cannot be used. Rate 1088 bits (136 bytes), capacity 512,
 * Keccak-f[1600] with 24 rounds.
 */
#include "analysis/analysis.h"
#include "analysis/analysis_int.h"

#include <string.h>

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets and the pi lane order, walked along the rho-pi path. */
static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
				 27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi_lane[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
				     15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t st[25])
{
	for (unsigned round = 0; round < 24; round++) {
		uint64_t bc[5];
		for (unsigned i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (unsigned i = 0; i < 5; i++) {
			uint64_t t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
			for (unsigned j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		uint64_t t = st[1];
		for (unsigned i = 0; i < 24; i++) {
			unsigned j = pi_lane[i];
			uint64_t tmp = st[j];
			st[j] = rotl64(t, rho[i]);
			t = tmp;
		}
		for (unsigned j = 0; j < 25; j += 5) {
			for (unsigned i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (unsigned i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= round_constants[round];
	}
}

/* Lanes are little-endian whatever the host order. */
static void absorb_block(uint64_t st[25], const unsigned char *p)
{
	for (unsigned i = 0; i < 136 / 8; i++) {
		uint64_t lane = 0;
		for (unsigned b = 0; b < 8; b++)
			lane |= (uint64_t)p[i * 8 + b] << (8 * b);
		st[i] ^= lane;
	}
	keccak_f1600(st);
}

void cu_keccak256_padded(const void *data, size_t n, unsigned char pad, unsigned char out[32])
{
	enum { RATE = 136 };
	uint64_t st[25] = {0};
	const unsigned char *p = data;
	while (n >= RATE) {
		absorb_block(st, p);
		p += RATE;
		n -= RATE;
	}
	unsigned char last[RATE];
	memset(last, 0, sizeof(last));
	if (n)
		memcpy(last, p, n);
	last[n] ^= pad;
	last[RATE - 1] ^= 0x80;
	absorb_block(st, last);
	for (unsigned i = 0; i < 32; i++)
		out[i] = (unsigned char)(st[i / 8] >> (8 * (i % 8)));
}

void cu_keccak256(const void *data, size_t n, unsigned char out[32])
{
	cu_keccak256_padded(data, n, 0x01, out);
}
