#ifndef SHIM_ALSA_H
#define SHIM_ALSA_H
/* snd_lib_error_handler_t is a variadic function-pointer type that Swift cannot write:
 * ALSA's own stderr chatter would land on the TUI's terminal, so it is silenced here. */
void shim_alsa_silence_errors(void);
#endif
