/*
 * analysis_int.h - internals of analysis/ shared by its files and its unit
 * tests: the normaliser with its offset map, the sponge behind Keccak-256.
 * Not a public header: other folders use analysis.h.
 */
#ifndef CUSTOS_ANALYSIS_INT_H
#define CUSTOS_ANALYSIS_INT_H

#include "analysis/analysis.h"

/* The Keccak-256 sponge with a chosen domain padding byte: 0x01 is Keccak
 * (cu_keccak256), 0x06 is SHA3-256 (lets the tests check the permutation
 * against an independent SHA3-256). */
void cu_keccak256_padded(const void *p, size_t n, unsigned char pad, unsigned char out[32]);

#endif
