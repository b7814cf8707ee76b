#ifndef CSHIMS_H
#define CSHIMS_H
/* Non-variadic, non-macro wrappers that Swift can call: each exists because the C API is
 * variadic, a function-like macro, or a constant built by a function-like macro.
 * One header and one .c file per library. */
#include "shim_nice.h"
#include "shim_ssl.h"
#include "shim_vpx.h"
#include "shim_opus.h"
#include "shim_v4l2.h"
#include "shim_alsa.h"
#include "shim_sys.h"
#include "shim_terminal_guard.h"
#include "shim_icu.h"
#endif
