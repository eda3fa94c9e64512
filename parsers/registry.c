/* registry.c - placeholder, being written (issue 5). */
#include "parsers/parsers.h"
