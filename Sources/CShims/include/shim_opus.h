#ifndef SHIM_OPUS_H
#define SHIM_OPUS_H
#include <opus.h>
/* opus_*_ctl are variadic. */
int shim_opus_encoder_ctl_set(OpusEncoder *enc, int request, opus_int32 value);
int shim_opus_encoder_ctl_get(OpusEncoder *enc, int request, opus_int32 *value);
int shim_opus_decoder_ctl_get(OpusDecoder *dec, int request, opus_int32 *value);
#endif
