/* libFuzzer target: semihosting calls (sim/semihosting.c semihosting_call):
 * the operation number and parameter-block address in x0/x1 and the bytes of
 * parameter blocks and strings in guest memory come from the input, on PE 0
 * of a machine built once and never run (MMU off: VA = PA). The console
 * output goes to /dev/null (scripts/fuzz.sh also closes stderr for the
 * target: -close_fd_mask=3) and stdin reads /dev/null. The input is a list of
 *   OP(1) ARG_OFFSET(2) LEN(1) BYTES(LEN)
 * : BYTES are written at RAM + 0x10000 + ARG_OFFSET, then the call is made
 * with x0 = OP and x1 = that address (ARG_OFFSET 0xffff: x1 = the next 8
 * input bytes, any address). */
#include "fuzz_common.h"
#include "fuzz_machine.h"
#include "sim/memmap.h"
#include "sim/semihosting.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "r", stdin))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct machine *m = fuzz_machine();
    struct pe *pe = &m->pes[0];
    struct fuzz_in in = { data, size };
    while (in.n) {
        uint64_t op = fuzz_take(&in, 1);
        uint64_t off = fuzz_take(&in, 2);
        uint64_t arg = VIRT_RAM_BASE + 0x10000 + off;
        if (off == 0xffff)
            arg = fuzz_take(&in, 8);
        size_t len = (size_t)fuzz_take(&in, 1);
        uint8_t buf[256];
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)fuzz_take(&in, 1);
        if (off != 0xffff && pe_write_va(pe, arg, buf, len) != 0)
            abort();
        pe_set_x(pe, 0, op);
        pe_set_x(pe, 1, arg);
        m->exit_requested = false;
        semihosting_call(m, pe);
    }
    return 0;
}
