/* A GDB remote serial protocol stub (issue 7): `avsim run --gdb=PORT` waits
 * for gdb on 127.0.0.1:PORT and lets it drive the machine: registers (the
 * AArch64 core set and EL2 system registers, described by a target XML),
 * guest memory by VA of the current regime, address breakpoints checked by
 * avsim (Z0/Z1), single step, continue, Ctrl-C, detach and kill. Each PE is a
 * thread (id = PE index + 1), all-stop, as QEMU's stub presents vCPUs.
 *
 * The protocol layer (framing, checksums, escaping, hex, the command table)
 * has no socket in it and is tested on its own (tests/unit/test_gdbstub.c). */
#ifndef AVSIM_FRONTEND_GDBSTUB_H
#define AVSIM_FRONTEND_GDBSTUB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct gdbstub;

/* Listens on 127.0.0.1:port. NULL with a message in err on failure. */
struct gdbstub *gdbstub_create(unsigned port, char *err, size_t errlen);
/* Makes the stub the machine's debugger (before machine_run()). */
int gdbstub_attach(struct gdbstub *g, struct machine *m, char *err, size_t errlen);
void gdbstub_destroy(struct gdbstub *g);

/* ---- the protocol layer ---- */

#define GDB_PACKET_MAX 16384

uint8_t gdb_checksum(const char *data, size_t len);
/* Frames a payload as $data#cs, escaping '$', '#', '}' and '*'. Returns the
 * framed length, or 0 when out is too small. */
size_t gdb_frame(const char *payload, size_t len, char *out, size_t cap);

/* Incoming bytes, one at a time. */
enum gdb_rx_result { GDB_RX_NONE, GDB_RX_PACKET, GDB_RX_BAD_CHECKSUM, GDB_RX_INTERRUPT, GDB_RX_ACK, GDB_RX_NAK };
struct gdb_rx {
    int state;                /* 0 outside a packet, 1 in data, 2 after '}', 3/4 checksum digits */
    char buf[GDB_PACKET_MAX + 1];
    size_t len;               /* the unescaped payload (NUL-terminated when complete) */
    uint8_t sum;
    unsigned cs;
    bool overflow;
};
void gdb_rx_init(struct gdb_rx *rx);
enum gdb_rx_result gdb_rx_feed(struct gdb_rx *rx, uint8_t c);

/* Hex helpers. */
int gdb_hex_digit(char c);   /* -1 if not hex */
/* Parses hex up to a non-hex character; *end set after it. -1 when empty or too long. */
int gdb_parse_hex(const char *s, uint64_t *v, const char **end);
/* Decodes 2*n hex digits into n bytes; -1 on a bad digit. */
int gdb_hex_decode(const char *s, size_t n, uint8_t *out);
void gdb_hex_encode(const uint8_t *in, size_t n, char *out);   /* writes 2n chars and a NUL */
/* Little-endian register values as gdb wants them. */
void gdb_hex_le(uint64_t v, unsigned bytes, char *out);
uint64_t gdb_unhex_le(const char *s, unsigned bytes);

/* Threads. A thread id: hex, or -1 (all threads); 0 means any. */
int gdb_parse_thread(const char *s, long *tid, const char **end);
/* What a vCont packet asks for (the actions after "vCont;"): a step moves one
 * thread alone (the first s/S action's, or default_thread when it names none);
 * without a step every thread continues. -1 on a malformed packet. */
struct gdb_resume {
    bool step;
    long thread;              /* the thread that steps; -1 with a continue */
};
int gdb_parse_vcont(const char *actions, long default_thread, struct gdb_resume *r);
/* The qfThreadInfo reply "m1,2,...,n"; its length (0 when out is too small). */
size_t gdb_thread_list(unsigned n_threads, char *out, size_t cap);
/* The qThreadExtraInfo text: "PE 1 (MPIDR 0x80000001) EL2", ", WFI" added
 * while it waits, or "PE 2 (MPIDR 0x80000002) off". */
struct gdb_pe_state {
    unsigned index, el;
    uint64_t mpidr;
    bool on, wfi;
};
void gdb_pe_description(char *out, size_t cap, const struct gdb_pe_state *st);

/* The command table: the name of the handler a packet goes to ("" none). */
const char *gdb_command_name(const char *packet);
/* Runs one packet's command (the unescaped payload, NUL-terminated) on an
 * attached stub as the connection does, sending nothing (tests/fuzz): the
 * reply's payload in *reply, *reply_len bytes. Returns true when the command
 * ends the serving (a resume, detach or kill) rather than just replying. */
bool gdbstub_command(struct gdbstub *g, const char *packet, const char **reply, size_t *reply_len);
/* The target description (qXfer:features:read:target.xml). */
const char *gdb_target_xml(void);
/* Registers: 0-30 x0-x30, 31 sp, 32 pc, 33 cpsr (32 bits), then the system
 * registers of the org.avsim.el2 feature (64 bits, read-only). */
unsigned gdb_num_regs(void);
const char *gdb_reg_name(unsigned n);

#endif
