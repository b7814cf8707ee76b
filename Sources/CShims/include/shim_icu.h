#ifndef SHIM_ICU_H
#define SHIM_ICU_H
#include <stdint.h>
/* ICU's C functions carry a version suffix (uspoof_open_72) through a renaming macro Swift cannot see.
 * The uniqueness key of a username: NFKC_Casefold, then the UTS #39 confusable skeleton, then NFKC_Casefold
 * again, so "Alice", "ａｌｉｃｅ" and Cyrillic "alicе" share one key. Writes up to `capacity` UTF-8 bytes to
 * `out` and returns the key's full length, or -1 when ICU fails. */
int32_t shim_icu_name_key(const char *utf8, int32_t length, char *out, int32_t capacity);
#endif
