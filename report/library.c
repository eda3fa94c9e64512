/* library.c - the libraries report/ wraps, for `custos --version` and the
 * manifest's tool.libraries. */
#include "report/report.h"

#include <zip.h>

size_t cu_report_libraries(struct cu_library *out, size_t max)
{
	return cu_library_add(out, max, 0, "libzip", zip_libzip_version(), false);
}
