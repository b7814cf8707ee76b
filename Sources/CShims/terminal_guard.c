#include "shim_terminal_guard.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int guarded[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
#define GUARDED_COUNT (sizeof guarded / sizeof guarded[0])
static struct sigaction previous[GUARDED_COUNT];
static struct termios saved_modes;
static volatile sig_atomic_t have_modes = 0;
static volatile sig_atomic_t armed = 0;
static volatile sig_atomic_t tripped = 0;
static char restore_bytes[256];
static size_t restore_length = 0;
/* Its own stack, so a stack overflow can still restore the terminal. */
static char alternate_stack[64 * 1024];

static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (armed) {
        armed = 0;
        tripped = 1;
        if (restore_length > 0) {
            ssize_t r = write(STDOUT_FILENO, restore_bytes, restore_length);
            (void)r;
        }
        if (have_modes) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_modes);
    }
    /* A fault, trap or abort() goes on to the previous handler (Swift's backtracer prints where it
     * happened). A signal another process sent (kill -SEGV) takes the default action: die now. */
    int sent = info == NULL || (info->si_code <= 0 && info->si_pid != getpid());
    for (size_t i = 0; i < GUARDED_COUNT; i++) {
        if (guarded[i] != sig) continue;
        if (sent) {
            struct sigaction dfl;
            memset(&dfl, 0, sizeof dfl);
            dfl.sa_handler = SIG_DFL;
            sigaction(sig, &dfl, NULL);
        } else {
            sigaction(sig, &previous[i], NULL);
        }
        break;
    }
    /* Blocked while this handler runs: delivered when it returns (a fault that re-executes faults
     * again, straight into the handler now in place). */
    raise(sig);
}

void shim_terminal_guard_install(const char *restore) {
    have_modes = tcgetattr(STDIN_FILENO, &saved_modes) == 0;
    size_t n = strlen(restore);
    restore_length = n < sizeof restore_bytes ? n : 0;
    memcpy(restore_bytes, restore, restore_length);
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_sp = alternate_stack;
    stack.ss_size = sizeof alternate_stack;
    stack_t current;
    /* Keep an alternate stack someone (the Swift runtime) already installed on this thread. */
    if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) sigaltstack(&stack, NULL);
    for (size_t i = 0; i < GUARDED_COUNT; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_ONSTACK | SA_SIGINFO;
        sigaction(guarded[i], &sa, &previous[i]);
    }
    armed = 1;
}

int shim_terminal_guard_tripped(void) { return tripped; }

void shim_terminal_guard_remove(void) {
    armed = 0;
    for (size_t i = 0; i < GUARDED_COUNT; i++) sigaction(guarded[i], &previous[i], NULL);
}
