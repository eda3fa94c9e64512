/* library.c - the libraries parsers/ wraps, for `custos --version` and the
 * manifest's tool.libraries. */
#include "parsers/parsers.h"

#include <sqlite3.h>

size_t cu_parsers_libraries(struct cu_library *out, size_t max)
{
	return cu_library_add(out, max, 0, "SQLite", sqlite3_libversion(), false);
}
