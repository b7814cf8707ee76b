#include "shim_icu.h"
#include <pthread.h>
#include <stdlib.h>
#include <unicode/ustring.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>

/* One checker for the process: ICU allows concurrent skeleton calls on a checker nobody modifies. */
static USpoofChecker *checker;
static const UNormalizer2 *casefold;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void setup(void) {
    UErrorCode status = U_ZERO_ERROR;
    casefold = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) casefold = NULL;
    status = U_ZERO_ERROR;
    checker = uspoof_open(&status);
    if (U_FAILURE(status)) checker = NULL;
}

/* NFKC_Casefold of src into a new buffer (caller frees); length in *n. */
static UChar *fold(const UChar *src, int32_t len, int32_t *n) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t need = unorm2_normalize(casefold, src, len, NULL, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return NULL;
    UChar *dst = malloc(sizeof(UChar) * (size_t)(need + 1));
    if (!dst) return NULL;
    status = U_ZERO_ERROR;
    *n = unorm2_normalize(casefold, src, len, dst, need + 1, &status);
    if (U_FAILURE(status)) { free(dst); return NULL; }
    return dst;
}

int32_t shim_icu_name_key(const char *utf8, int32_t length, char *out, int32_t capacity) {
    pthread_once(&once, setup);
    if (!casefold || !checker) return -1;
    int32_t result = -1, n16 = 0, nfold = 0, nskel = 0, nfinal = 0;
    UChar *u16 = NULL, *folded = NULL, *skel = NULL, *final = NULL;
    UErrorCode status = U_ZERO_ERROR;
    u_strFromUTF8(NULL, 0, &n16, utf8, length, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) goto done;
    u16 = malloc(sizeof(UChar) * (size_t)(n16 + 1));
    if (!u16) goto done;
    status = U_ZERO_ERROR;
    u_strFromUTF8(u16, n16 + 1, NULL, utf8, length, &status);
    if (U_FAILURE(status)) goto done;
    if (!(folded = fold(u16, n16, &nfold))) goto done;
    status = U_ZERO_ERROR;
    nskel = uspoof_getSkeleton(checker, 0, folded, nfold, NULL, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) goto done;
    skel = malloc(sizeof(UChar) * (size_t)(nskel + 1));
    if (!skel) goto done;
    status = U_ZERO_ERROR;
    nskel = uspoof_getSkeleton(checker, 0, folded, nfold, skel, nskel + 1, &status);
    if (U_FAILURE(status)) goto done;
    if (!(final = fold(skel, nskel, &nfinal))) goto done;
    status = U_ZERO_ERROR;
    int32_t n8 = 0;
    u_strToUTF8(out, capacity, &n8, final, nfinal, &status);
    if (U_FAILURE(status) && status != U_BUFFER_OVERFLOW_ERROR) goto done;
    result = n8;
done:
    free(u16); free(folded); free(skel); free(final);
    return result;
}
