/*
 * acquire_int.h - private to extract/ios/acquire.c and its unit test
 * (tests/unit/test_ios_acquire.c): the host side of a backup as the driver
 * applies it to its spool (CASE/work/ios/<item>/<attempt>/), without a
 * phone, so that what the phone may do — send a file twice, move one onto
 * another, remove one it sent, copy, break a file off — can be checked to
 * lose nothing.
 */
#ifndef CUSTOS_IOS_ACQUIRE_INT_H
#define CUSTOS_IOS_ACQUIRE_INT_H

#include "extract/extract.h"
#include "extract/ios/device.h"

struct iacq;

/* A driver for the writer w (its item set) and the phone udid, its next
 * spool begun, and the sink the device layer would be given. */
enum cu_status cu_ios_acq_spool_open(struct cu_case *c, struct cu_ingest *w, const char *udid,
				     struct iacq **out, struct cu_ios_backup_sink *sink,
				     struct cu_error *err) CU_WARN_UNUSED;
/* Files received and not yet recorded (the spool map). */
size_t cu_ios_acq_spooled(const struct iacq *x);
/* Ends it as a broken attempt would: every spooled file kept under
 * _mobilebackup2/interrupted/attempt-N/; then frees it. */
enum cu_status cu_ios_acq_spool_close(struct iacq *x, struct cu_error *err) CU_WARN_UNUSED;

#endif
