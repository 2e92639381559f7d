/* The host terminal behind stdin while a guest runs (the PL011 reads stdin). */
#ifndef AVSIM_FRONTEND_HOSTTERM_H
#define AVSIM_FRONTEND_HOSTTERM_H
/* When stdin is a terminal: characters reach the guest one by one as typed,
 * without local echo (the guest echoes), Enter as CR and Ctrl-S/Ctrl-Q
 * passed on, as a serial line and QEMU's -nographic give them; Ctrl-C and
 * Ctrl-Z still act on avsim. The terminal's settings come back at exit and
 * on the signals that end or stop the process. Does nothing otherwise. */
void hostterm_raw_stdin(void);
#endif
