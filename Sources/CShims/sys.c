#include "shim_sys.h"
#include <stddef.h>
#include <pty.h>
#include <sys/ioctl.h>

int shim_openpty(int *master, int *slave, unsigned short rows, unsigned short cols) {
    struct winsize ws = { .ws_row = rows, .ws_col = cols };
    return openpty(master, slave, NULL, NULL, &ws);
}
int shim_terminal_size(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
