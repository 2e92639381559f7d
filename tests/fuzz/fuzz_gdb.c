/* libFuzzer target: the GDB remote protocol (frontend/gdbstub.c) as a
 * connection feeds it: the input is the byte stream gdb would send; it goes
 * through the framing state machine (gdb_rx_feed: '$', escapes, checksums,
 * Ctrl-C, overlong packets), and every packet received runs its command
 * (gdbstub_command: registers, memory by VA and by PA, breakpoints, threads,
 * vCont, qXfer, monitor) on a 2-PE machine that is built once and never run;
 * each reply is then framed (gdb_frame) as it would be sent. The machine's
 * state (registers, RAM, breakpoints) carries over between inputs. */
#include "fuzz_common.h"
#include "fuzz_machine.h"
#include "frontend/gdbstub.h"

static struct gdbstub *stub;
static struct gdb_rx rx;
static char out[2 * GDB_PACKET_MAX + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!stub) {
        char err[256];
        stub = gdbstub_create(0, err, sizeof err);   /* port 0: any free port, never accepted */
        if (!stub || gdbstub_attach(stub, fuzz_machine(), err, sizeof err) != 0) {
            fprintf(stderr, "fuzz_gdb: %s\n", err);
            abort();
        }
    }
    gdb_rx_init(&rx);
    for (size_t i = 0; i < size; i++) {
        if (gdb_rx_feed(&rx, data[i]) != GDB_RX_PACKET)
            continue;
        const char *reply;
        size_t len;
        (void)gdb_command_name(rx.buf);
        (void)gdbstub_command(stub, rx.buf, &reply, &len);
        if (len > GDB_PACKET_MAX) {
            fprintf(stderr, "reply of %zu bytes to '%s'\n", len, rx.buf);
            abort();
        }
        (void)gdb_frame(reply, len, out, sizeof out);
    }
    return 0;
}
