#ifndef SHIM_SYS_H
#define SHIM_SYS_H
/* openpty + TIOCSWINSZ (variadic ioctl) for tests that need a terminal; terminal size query. */
int shim_openpty(int *master, int *slave, unsigned short rows, unsigned short cols);
int shim_terminal_size(int fd, unsigned short *rows, unsigned short *cols);
#endif
