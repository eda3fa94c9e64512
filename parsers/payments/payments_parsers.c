/*
 * payments_parsers.c - the payment parser group (wallet and payment apps
 * whose own databases are parsed), in registry order. WeChat Pay rows come
 * from the WeChat message parsers and bank SMS from the SMS parsers; their
 * decoders live in this folder (wcpay.c, banksms.c).
 */
#include "parsers/payments/payments.h"

const struct cu_parser *const cu_parsers_payments[] = {
    &cu_parser_alipay_android,
    NULL,
};
