/* SwiftPM drops pkg-config's -D_XOPEN_SOURCE, so ask for the wide-char API here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <stdio.h>
#include <ncurses.h>

/* Swift cannot call function-like macros nor use C globals safely under strict concurrency:
 * these inline accessors expose what the TUI needs. */

static inline WINDOW *tui_stdscr(void) { return stdscr; }
static inline WINDOW *tui_curscr(void) { return curscr; }
static inline int tui_lines(void) { return LINES; }
static inline int tui_cols(void) { return COLS; }
static inline int tui_colors(void) { return COLORS; }
static inline int tui_color_pairs(void) { return COLOR_PAIRS; }

/* newterm on the process's stdout/stdin; NULL (not exit) when TERM is unusable. */
static inline SCREEN *tui_newterm(void) { return newterm(NULL, stdout, stdin); }
/* ncurses writes through stdout's buffer: flush it before the process stops (Ctrl-Z). */
static inline void tui_flush_stdout(void) { fflush(stdout); }

static inline int tui_attr_normal(void) { return (int)A_NORMAL; }
static inline int tui_attr_bold(void) { return (int)A_BOLD; }
static inline int tui_attr_reverse(void) { return (int)A_REVERSE; }
static inline int tui_attr_dim(void) { return (int)A_DIM; }
static inline int tui_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int tui_color_pair(int n) { return (int)COLOR_PAIR(n); }

static inline mmask_t tui_mouse_all(void) { return (mmask_t)(ALL_MOUSE_EVENTS); }
static inline mmask_t tui_button1_pressed(void) { return (mmask_t)BUTTON1_PRESSED; }
static inline mmask_t tui_button1_clicked(void) { return (mmask_t)BUTTON1_CLICKED; }
static inline mmask_t tui_button4_pressed(void) { return (mmask_t)BUTTON4_PRESSED; }
static inline mmask_t tui_button5_pressed(void) { return (mmask_t)BUTTON5_PRESSED; }

/* getmouse without exposing MEVENT's layout: OK/ERR, with cell row, column and button state. */
static inline int tui_getmouse(int *row, int *col, mmask_t *bstate) {
    MEVENT e;
    memset(&e, 0, sizeof e);
    int rc = getmouse(&e);
    *row = e.y; *col = e.x; *bstate = e.bstate;
    return rc;
}

/* Whether the current locale (after setlocale(LC_ALL, "")) encodes text as UTF-8. */
static inline int tui_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* wcwidth is declared only under _XOPEN_SOURCE, which SwiftPM drops (see the top). */
extern int wcwidth(wchar_t c);
static inline int tui_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
static inline int tui_key_f(int n) { return KEY_F(n); }
/* Key codes for the bracketed-paste markers (ESC [ 200 ~ and ESC [ 201 ~), above ncurses' own. */
static inline int tui_key_paste_begin(void) { return KEY_MAX + 1; }
static inline int tui_key_paste_end(void) { return KEY_MAX + 2; }
