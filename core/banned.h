/*
 * banned.h - functions custos must not use. Included last by core.h so the
 * definitions below turn any use into a compile error that names the
 * replacement.
 */
#ifndef CUSTOS_BANNED_H
#define CUSTOS_BANNED_H

#define CU_BANNED(func) sorry_##func##_is_banned_in_custos

#undef strcpy
#define strcpy(x, y) CU_BANNED(strcpy_use_cu_buf)
#undef strcat
#define strcat(x, y) CU_BANNED(strcat_use_cu_buf)
#undef strncpy
#define strncpy(x, y, n) CU_BANNED(strncpy_use_cu_buf_or_memcpy)
#undef strncat
#define strncat(x, y, n) CU_BANNED(strncat_use_cu_buf)
#undef sprintf
#define sprintf(...) CU_BANNED(sprintf_use_snprintf)
#undef vsprintf
#define vsprintf(...) CU_BANNED(vsprintf_use_vsnprintf)
#undef gets
#define gets(x) CU_BANNED(gets)
#undef atoi
#define atoi(x) CU_BANNED(atoi_use_cu_parse_i64)
#undef atol
#define atol(x) CU_BANNED(atol_use_cu_parse_i64)
#undef strtok
#define strtok(x, y) CU_BANNED(strtok_use_strtok_r)

#endif
