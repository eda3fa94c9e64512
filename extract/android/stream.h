/*
 * stream.h - streams on a connection (private to extract/android/):
 * OPEN/OKAY/WRTE/CLSE with one WRTE in flight each way (protocol.md:111-188).
 * The device's WRTE payload is read straight into its stream's buffer and
 * acknowledged (OKAY) only once the reader has consumed it, so each stream
 * holds at most one payload and the device waits for us.
 */
#ifndef CUSTOS_EXTRACT_ANDROID_STREAM_H
#define CUSTOS_EXTRACT_ANDROID_STREAM_H

#include "extract/android/adb_int.h"

struct cu_adb_stream;

/* Opens service ("sync:", "shell:ls"); a refusal (CLSE) is CU_E_DEVICE. */
enum cu_status cu_adb_stream_open(struct cu_adb *a, const char *service, struct cu_adb_stream **out,
				  struct cu_error *err) CU_WARN_UNUSED;
/* Sends CLSE (unless the connection is gone) and frees the stream. */
void cu_adb_stream_close(struct cu_adb_stream *s);
/* The next unread bytes: *p, *n (n = 0 at the end of the stream: the device closed
 * it). Waits for data. */
enum cu_status cu_adb_stream_peek(struct cu_adb_stream *s, const unsigned char **p, size_t *n,
				  struct cu_error *err) CU_WARN_UNUSED;
/* Marks n peeked bytes read; the payload's OKAY goes out once all of it is read. */
enum cu_status cu_adb_stream_consume(struct cu_adb_stream *s, size_t n,
				     struct cu_error *err) CU_WARN_UNUSED;
/* Reads exactly n bytes; the end of the stream first is CU_E_DEVICE naming what. */
enum cu_status cu_adb_stream_read(struct cu_adb_stream *s, void *p, size_t n, const char *what,
				  struct cu_error *err) CU_WARN_UNUSED;
/* Writes n bytes as WRTEs of at most the max payload, each after the OKAY of the
 * one before. */
enum cu_status cu_adb_stream_write(struct cu_adb_stream *s, const void *p, size_t n,
				   struct cu_error *err) CU_WARN_UNUSED;
/* The service name, for messages. */
const char *cu_adb_stream_service(const struct cu_adb_stream *s);
/* The connection's name for messages ("adb device 127.0.0.1:1234"). */
const char *cu_adb_name(const struct cu_adb *a);

#endif
