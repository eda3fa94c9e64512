/*
 * typedstream.h - the text of an NSArchiver typedstream (sms_ios.c);
 * internal to parsers/, its unit test and fuzz target.
 */
#ifndef CUSTOS_PARSERS_TYPEDSTREAM_H
#define CUSTOS_PARSERS_TYPEDSTREAM_H

#include "parsers/parsers.h"

/*
 * iOS sms.db attributedBody: an NSArchiver "typedstream" holding an
 * NSAttributedString; the message text is the first NSString payload.
 * Returns a pointer into p and its length, or false when none is found.
 * Bounds-checked for hostile input.
 */
bool cu_typedstream_text(const unsigned char *p, size_t n, const unsigned char **text, size_t *len);

#endif
