#ifndef SHIM_VPX_H
#define SHIM_VPX_H
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
/* *_init are macros adding the ABI version; vpx_codec_control_ is variadic. */
vpx_codec_err_t shim_vpx_vp8_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg, vpx_codec_flags_t flags);
vpx_codec_err_t shim_vpx_vp8_enc_config_default(vpx_codec_enc_cfg_t *cfg);
vpx_codec_err_t shim_vpx_vp8_dec_init(vpx_codec_ctx_t *ctx, const vpx_codec_dec_cfg_t *cfg, vpx_codec_flags_t flags);
vpx_codec_err_t shim_vpx_control_int(vpx_codec_ctx_t *ctx, int ctrl_id, int value);
vpx_codec_err_t shim_vpx_control_int_ptr(vpx_codec_ctx_t *ctx, int ctrl_id, int *value);
#endif
