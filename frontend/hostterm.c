/* The host terminal's settings (termios) while a guest runs. The saved
 * settings are process-wide state, as the terminal is: file-level statics,
 * for the signal handlers. */
#include "frontend/hostterm.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved, raw;
static volatile sig_atomic_t active;

static void restore(void)
{
    if (active)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGPIPE };

/* A signal that ends the process: the terminal back, then the default action. */
static void on_fatal(int sig)
{
    restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Ctrl-Z: the terminal back while stopped, the guest's settings again after fg. */
static void on_stop(int sig)
{
    restore();
    signal(sig, SIG_DFL);
    raise(sig);                               /* stops here (SA_NODEFER) until SIGCONT */
    struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_NODEFER };
    sigaction(SIGTSTP, &sa, NULL);
    if (active)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

void hostterm_raw_stdin(void)
{
    if (active || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
        return;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return;
    active = 1;
    atexit(restore);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    for (unsigned i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, NULL);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGTSTP, &sa, NULL);
}
