/*
 * alloc.c - allocation with overflow checks and a failure-injection hook
 * so tests can prove that every error path cleans up (libewf habit).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* 0 = off; otherwise the countdown to the failing allocation. */
static atomic_ulong fail_countdown;

void cu_alloc_fail_after(unsigned long n)
{
	atomic_store(&fail_countdown, n);
}

/* True when the hook says this allocation must fail. */
static bool injected_failure(void)
{
	unsigned long cur = atomic_load(&fail_countdown);

	while (cur != 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &cur, cur - 1))
			return cur == 1;
	}
	return false;
}

void *cu_malloc(size_t n)
{
	if (injected_failure())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *cu_calloc(size_t count, size_t size)
{
	size_t total;

	if (cu_mul_overflow(count, size, &total))
		return NULL;
	if (injected_failure())
		return NULL;
	return calloc(total == 0 ? 1 : count, total == 0 ? 1 : size);
}

void *cu_reallocarray(void *p, size_t count, size_t size)
{
	size_t total;

	if (cu_mul_overflow(count, size, &total))
		return NULL;
	if (injected_failure())
		return NULL;
	return realloc(p, total == 0 ? 1 : total);
}

bool cu_grow_array(void *pp, size_t count, size_t size)
{
	void *p;

	memcpy(&p, pp, sizeof(p));
	if ((p = cu_reallocarray(p, count, size)) == NULL)
		return false;
	memcpy(pp, &p, sizeof(p));
	return true;
}

char *cu_strdup(const char *s)
{
	return cu_strndup(s, strlen(s));
}

char *cu_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	size_t total;
	char *r;

	if (cu_add_overflow(len, 1, &total))
		return NULL;
	r = cu_malloc(total);
	if (r == NULL)
		return NULL;
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}
