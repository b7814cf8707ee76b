#include "shim_alsa.h"
#include <alsa/asoundlib.h>

static void alsa_quiet(const char *file, int line, const char *fn, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)fn; (void)err; (void)fmt;
}
void shim_alsa_silence_errors(void) { snd_lib_error_set_handler(alsa_quiet); }
