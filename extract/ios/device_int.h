/*
 * device_int.h - what device.c and backup.c share: the open session and
 * how an exchange is reported. Includes libimobiledevice: extract/ios/ only.
 */
#ifndef CUSTOS_EXTRACT_IOS_DEVICE_INT_H
#define CUSTOS_EXTRACT_IOS_DEVICE_INT_H

#include "extract/ios/device.h"

#include <libimobiledevice/afc.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <plist/plist.h>

#define CU_IOS_LABEL "custos"

struct cu_ios {
	idevice_t dev;
	lockdownd_client_t ld;
	char udid[64];
	struct cu_ios_hooks h;
	afc_client_t afc; /* started on first use */
};

/* hooks->command with reply (may be NULL) as XML. */
void cu_ios_report(struct cu_ios *d, const char *what, bool ok, const char *msg, plist_t reply);
/* hooks->device_change (details borrowed). */
void cu_ios_report_change(struct cu_ios *d, const char *what, json_t *details);
/* A lockdownd failure as CU_E_DEVICE with what to do on the phone; what
 * names the step ("StartService com.apple.mobilebackup2"). */
enum cu_status cu_ios_lockdown_error(const struct cu_ios *d, const char *udid, int lerr,
				     const char *what, struct cu_error *err);
/* StartService (with the pair record's escrow bag when escrow), reported. */
enum cu_status cu_ios_start_service(struct cu_ios *d, const char *service, bool escrow,
				    lockdownd_service_descriptor_t *out, struct cu_error *err);

#endif
