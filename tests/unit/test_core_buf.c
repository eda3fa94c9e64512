/* test_core_buf.c - capped buffers, allocation failure injection. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/harness/tap.h"

static void test_basic(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	char *p;
	size_t n = 99;
	int i;

	tap_is_int(cu_buf_puts(&b, "abc", &err), CU_OK, "puts");
	tap_is_int(cu_buf_putc(&b, '-', &err), CU_OK, "putc");
	tap_is_int(cu_buf_printf(&b, &err, "%d/%s", 42, "x"), CU_OK, "printf");
	tap_is_str(b.data, "abc-42/x", "content and NUL terminator");
	tap_is_int((int64_t)b.len, 8, "length");
	/* printf longer than the small stack buffer. */
	for (i = 0; i < 10; i++)
		TAP_MUST(cu_buf_printf(&b, &err, "%0100d", i));
	tap_is_int((int64_t)b.len, 8 + 1000, "long printf appended");
	tap_is_int((int64_t)strlen(b.data), (int64_t)b.len, "still NUL-terminated");
	cu_buf_reset(&b);
	tap_is_int((int64_t)b.len, 0, "reset empties");
	tap_is_str(b.data, "", "reset keeps a terminated string");
	tap_is_int(cu_buf_append(&b, "a\0b", 3, &err), CU_OK, "binary append");
	tap_is_mem(b.data, b.len, "a\0b", 3, "binary content kept");
	p = cu_buf_detach(&b, &n);
	tap_is_mem(p, n, "a\0b", 3, "detach hands over the bytes");
	tap_ok(b.data == NULL && b.len == 0, "detach empties the buffer");
	free(p);
	p = cu_buf_detach(&b, &n);
	tap_ok(p != NULL && p[0] == '\0' && n == 0, "detach of empty yields \"\"");
	free(p);
	cu_buf_release(&b);
}

static void test_cap(void)
{
	struct cu_buf b;
	struct cu_error err;

	cu_buf_init(&b, 10);
	tap_is_int(cu_buf_append(&b, "0123456789", 10, &err), CU_OK, "exactly the cap fits");
	tap_is_int(cu_buf_putc(&b, 'x', &err), CU_E_LIMIT, "one byte past the cap fails");
	tap_ok(strstr(err.msg, "cap of 10 bytes") != NULL, "limit error names the cap: %s",
	       err.msg);
	tap_is_str(b.data, "0123456789", "content intact after a refused append");
	tap_is_int(cu_buf_printf(&b, &err, "%s", "long text"), CU_E_LIMIT,
		   "printf past the cap fails");
	tap_is_int(cu_buf_grow(&b, SIZE_MAX, &err), CU_E_LIMIT, "overflowing grow fails");
	tap_ok(b.cap <= 11, "never allocates past the cap (cap %zu)", b.cap);
	cu_buf_release(&b);
}

static void test_alloc_failure(void)
{
	struct cu_buf b = CU_BUF_INIT;
	struct cu_error err;
	char big[200];
	void *p;

	cu_alloc_fail_after(1);
	tap_is_int(cu_buf_puts(&b, "x", &err), CU_E_NOMEM, "injected failure on first growth");
	tap_ok(b.data == NULL && b.len == 0, "buffer untouched after failed growth");
	tap_is_int(cu_buf_puts(&b, "x", &err), CU_OK, "next allocation works again");
	memset(big, 'b', sizeof(big));
	cu_alloc_fail_after(1);
	tap_is_int(cu_buf_append(&b, big, sizeof(big), &err), CU_E_NOMEM,
		   "failure while regrowing");
	tap_is_str(b.data, "x", "old content kept after failed regrowth");
	cu_buf_release(&b);

	{
		uint32_t *arr = NULL, *kept;
		tap_ok(cu_grow_array(&arr, 4, sizeof(*arr)), "cu_grow_array: grows a NULL array");
		arr[3] = 7;
		kept = arr;
		cu_alloc_fail_after(1);
		tap_ok(!cu_grow_array(&arr, 1u << 20, sizeof(*arr)) && arr == kept && arr[3] == 7,
		       "cu_grow_array: a failed growth leaves the array as it was");
		tap_ok(!cu_grow_array(&arr, SIZE_MAX / 2, 4) && arr == kept,
		       "cu_grow_array: an overflowing size fails and keeps the array");
		free(arr);
	}

	cu_alloc_fail_after(2);
	p = cu_malloc(1);
	tap_ok(p != NULL, "countdown: first allocation passes");
	free(p);
	p = cu_strdup("abc");
	tap_ok(p == NULL, "countdown: second allocation fails");
	p = cu_calloc(2, 2);
	tap_ok(p != NULL, "hook is one-shot");
	free(p);
	tap_ok(cu_calloc(SIZE_MAX, 2) == NULL, "calloc overflow refused");
	tap_ok(cu_reallocarray(NULL, SIZE_MAX / 2, 3) == NULL, "reallocarray overflow refused");
	p = cu_strndup("abcdef", 3);
	tap_is_str(p, "abc", "strndup cuts");
	free(p);
}

static void test_text(void)
{
	struct cu_buf b;
	struct cu_text t;
	struct cu_error err;

	cu_buf_init(&b, 8);
	cu_text_init(&t, &b);
	cu_text_puts(&t, "ab");
	cu_text_putc(&t, '-');
	cu_text_printf(&t, "%d", 7);
	tap_ok(!cu_text_failed(&t), "text: appends within the cap succeed");
	tap_is_int(cu_text_finish(&t, &err), CU_OK, "text: finish reports success");
	tap_is_str(b.data, "ab-7", "text: content");
	cu_text_puts(&t, "too long!");
	tap_ok(cu_text_failed(&t), "text: an append past the cap sticks as an error");
	cu_text_puts(&t, "x");
	tap_is_str(b.data, "ab-7", "text: nothing appended after the first failure");
	tap_is_int(cu_text_finish(&t, &err), CU_E_LIMIT, "text: finish returns the first failure");
	tap_ok(strstr(err.msg, "cap of 8 bytes") != NULL, "text: finish copies its message: %s",
	       err.msg);
	cu_buf_release(&b);

	cu_buf_init(&b, 0);
	cu_text_init(&t, &b);
	cu_alloc_fail_after(1);
	cu_text_printf(&t, "%s", "x");
	tap_is_int(cu_text_finish(&t, &err), CU_E_NOMEM, "text: allocation failure is kept");
	cu_buf_release(&b);
}

int main(void)
{
	tap_plan(43);
	test_basic();
	test_cap();
	test_alloc_failure();
	test_text();
	return tap_done();
}
