/* import.c - placeholder, being written (issue 4). */
#include "extract/extract.h"
