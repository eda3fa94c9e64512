/* case.c - placeholder, being written. */
#include "core/core.h"
