/*
 * registry.c - joins the parser groups (system, wechat, payments, chat) into one
 * ordered list. Order matters: files are offered to parsers in this order,
 * and it is part of what makes case.db deterministic. A duplicate name is
 * a programming error (CU_BUG), found on first use.
 */
#include "parsers/parsers.h"

#include <string.h>

static const struct cu_parser *const *const groups[] = {
    cu_parsers_system,
    cu_parsers_wechat,
    cu_parsers_payments,
    cu_parsers_chat,
};

static const struct cu_parser *raw_at(size_t i)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		size_t n = 0;

		while (groups[g][n])
			n++;
		if (i < n)
			return groups[g][i];
		i -= n;
	}
	return NULL;
}

static void check_registry(void)
{
	const struct cu_parser *p, *q;

	for (size_t i = 0; (p = raw_at(i)) != NULL; i++) {
		if (!p->name || !p->app || !p->patterns || !p->parse || !p->platforms)
			CU_BUG("parser registered without name, app, patterns, platforms or parse");
		for (size_t j = 0; j < i; j++) {
			q = raw_at(j);
			if (strcmp(p->name, q->name) == 0)
				CU_BUG("two parsers registered with the same name");
		}
	}
}

const struct cu_parser *cu_parser_at(size_t i)
{
	/* The registry is constant data; checking it once per process is
	 * enough. Not a parser's state: parsers stay stateless. */
	static bool checked;

	if (!checked) {
		check_registry();
		checked = true;
	}
	return raw_at(i);
}

const struct cu_parser *cu_parser_find(const char *name)
{
	const struct cu_parser *p;

	for (size_t i = 0; name && (p = cu_parser_at(i)) != NULL; i++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}
