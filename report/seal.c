/* seal.c - placeholder, being written (issue 3). */
#include "report/report.h"
