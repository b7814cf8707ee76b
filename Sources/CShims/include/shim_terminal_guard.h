#ifndef SHIM_TERMINAL_GUARD_H
#define SHIM_TERMINAL_GUARD_H
/* A crash (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE) must not leave the user's terminal on the
 * alternate screen with mouse reporting on and echo off. Signal handlers must be async-signal-safe, so
 * this is C: the handler writes precomputed bytes, restores the saved tty modes, then hands the signal
 * to the handler that was there before (Swift's backtracer, or the default action). */

/* Saves the tty modes of stdin (call before ncurses changes them) and arms the handlers; `restore`
 * is written to stdout on a crash (at most 255 bytes). */
void shim_terminal_guard_install(const char *restore);
/* Non-zero once a crash restored the terminal: the UI must stop drawing (other threads live on while
 * the crash handler or Swift's backtracer runs). */
int shim_terminal_guard_tripped(void);
/* Puts the previous handlers back (after the terminal was restored normally). */
void shim_terminal_guard_remove(void);
#endif
