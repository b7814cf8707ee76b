#include "shim_opus.h"

int shim_opus_encoder_ctl_set(OpusEncoder *enc, int request, opus_int32 value) {
    return opus_encoder_ctl(enc, request, value);
}
int shim_opus_encoder_ctl_get(OpusEncoder *enc, int request, opus_int32 *value) {
    return opus_encoder_ctl(enc, request, value);
}
int shim_opus_decoder_ctl_get(OpusDecoder *dec, int request, opus_int32 *value) {
    return opus_decoder_ctl(dec, request, value);
}
