/*
 * log.c - leveled messages on stderr: "custos: warning: ...".
 */
#include "config.h"

#include <stdio.h>

#include "core/core.h"

static enum cu_log_level log_level = CU_LOG_WARN;
static FILE *log_stream;

void cu_log_set_level(enum cu_log_level level)
{
	if (level < CU_LOG_ERROR)
		level = CU_LOG_ERROR;
	if (level > CU_LOG_DEBUG)
		level = CU_LOG_DEBUG;
	log_level = level;
}

enum cu_log_level cu_log_get_level(void)
{
	return log_level;
}

void cu_log_set_stream(FILE *stream)
{
	log_stream = stream;
}

void cu_log(enum cu_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
	FILE *f = log_stream != NULL ? log_stream : stderr;
	va_list ap;

	if (level > log_level || level < CU_LOG_ERROR)
		return;
	/* One buffered line so concurrent writers do not interleave mid-line. */
	flockfile(f);
	if (f == stderr)
		cu_progress_clear_line();
	fprintf(f, "custos: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
	funlockfile(f);
}
