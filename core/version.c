/* version.c - the build's version string. */
#include "config.h"

#include "core/core.h"

const char *cu_version(void)
{
	return "custos " PACKAGE_VERSION;
}
