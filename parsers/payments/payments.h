/*
 * payments.h - private to parsers/payments/: the payment parsers of the
 * group and the decoders they share (WeChat Pay XML, bank SMS, amounts).
 */
#ifndef CUSTOS_PARSERS_PAYMENTS_H
#define CUSTOS_PARSERS_PAYMENTS_H

#include "parsers/parsers.h"
#include "parsers/payments/banksms.h"
#include "parsers/payments/wcpay.h"

extern const struct cu_parser cu_parser_alipay_android;

#endif
