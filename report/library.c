/* library.c - the libraries report/ wraps, for `custos --version` and the
 * manifest's tool.libraries. */
#include "report/report.h"

#include <libdeflate.h>
#include <xlsxwriter.h>
#include <zip.h>

size_t cu_report_libraries(struct cu_library *out, size_t max)
{
	size_t n = cu_library_add(out, max, 0, "libzip", zip_libzip_version(), false);
	/* No run-time version call: the headers' (CRC-32 of the package's entries). */
	n = cu_library_add(out, max, n, "libdeflate", LIBDEFLATE_VERSION_STRING, true);
	/* The spreadsheet exports (export.c). */
	return cu_library_add(out, max, n, "libxlsxwriter", lxw_version(), false);
}
