/*
 * report.h - manifest, seal, verify, CASE/UCO export, HTML report and the
 * Chinese forms. libzip and libqrencode are used only inside report/.
 */
#ifndef CUSTOS_REPORT_H
#define CUSTOS_REPORT_H

#include "core/core.h"

#endif
