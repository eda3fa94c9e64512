/* html.c - placeholder, being written (issue 6). */
#include "report/report.h"
