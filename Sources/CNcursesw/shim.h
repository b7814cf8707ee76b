/* SwiftPM drops pkg-config's -D_XOPEN_SOURCE, so ask for the wide-char API here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncurses.h>
