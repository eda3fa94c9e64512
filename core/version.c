/* version.c - the build's version string and the libraries core/ wraps. */
#include "config.h"

#include "core/core.h"

#include <openssl/crypto.h>

const char *cu_version(void)
{
	return "custos " PACKAGE_VERSION;
}

size_t cu_library_add(struct cu_library *out, size_t max, size_t n, const char *name,
		      const char *version, bool built_against)
{
	if (n >= max)
		return n;
	out[n].name = name;
	snprintf(out[n].version, sizeof(out[n].version), "%s", version ? version : "");
	out[n].built_against = built_against;
	return n + 1;
}

size_t cu_core_libraries(struct cu_library *out, size_t max)
{
	size_t n = 0;

	n = cu_library_add(out, max, n, "OpenSSL", OpenSSL_version(OPENSSL_FULL_VERSION_STRING),
			   false);
	n = cu_library_add(out, max, n, "jansson", jansson_version_str(), false);
	return n;
}
