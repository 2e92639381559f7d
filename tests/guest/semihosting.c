/* Semihosting (HLT #0xF000, operation in w0, parameter block in x1):
 * SYS_WRITEC, SYS_WRITE0, SYS_OPEN(":tt", mode 4 = "w") for stdout, SYS_WRITE to that handle (returns the number of bytes NOT written: 0),
 * SYS_CLOSE, SYS_CLOCK (centiseconds, >= 0, non-decreasing), SYS_TIME
 * (seconds since the epoch; only checked to be after 2020), and finally
 * SYS_EXIT_EXTENDED with code 3: the run's exit status must be 3. Only stable
 * properties are printed (not handle numbers or times). SYS_ISTTY is left out:
 * QEMU 7.2 answers from the host's stdout, which depends on how it is run. */
#include "trap.h"

TRAP_HANDLERS

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_CLOCK 0x10
#define SYS_TIME 0x11
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

int main(void)
{
    char c = 'W';
    rt_semihost(SYS_WRITEC, &c);
    c = '\n';
    rt_semihost(SYS_WRITEC, &c);
    rt_semihost(SYS_WRITE0, (void *)"SYS_WRITE0 line\n");

    static const char tt[] = ":tt";
    uint64_t open_blk[3] = { (uint64_t)tt, 4, 3 };
    long h = rt_semihost(SYS_OPEN, open_blk);
    rt_printf("SYS_OPEN(\":tt\", w): handle %s\n", h >= 0 ? "valid" : "INVALID");
    check(h >= 0, "handle");

    uint64_t h_blk[1] = { (uint64_t)h };
    static const char msg[] = "SYS_WRITE to :tt\n";
    uint64_t wr_blk[3] = { (uint64_t)h, (uint64_t)msg, sizeof msg - 1 };
    long left = rt_semihost(SYS_WRITE, wr_blk);
    rt_printf("SYS_WRITE returned %ld (bytes not written)\n", left);
    check(left == 0, "all bytes written");

    long cl = rt_semihost(SYS_CLOSE, h_blk);
    rt_printf("SYS_CLOSE returned %ld\n", cl);
    check(cl == 0, "close");

    long c1 = rt_semihost(SYS_CLOCK, 0);
    for (volatile int i = 0; i < 100000; i++) {
    }
    long c2 = rt_semihost(SYS_CLOCK, 0);
    rt_printf("SYS_CLOCK: non-negative %d, non-decreasing %d\n", c1 >= 0 && c2 >= 0, c2 >= c1);
    check(c1 >= 0 && c2 >= c1, "clock");

    long t = rt_semihost(SYS_TIME, 0);
    rt_printf("SYS_TIME: after 2020-01-01 %d\n", t > 1577836800L);
    check(t > 1577836800L, "time");

    if (test_result())
        rt_exit(1);
    rt_puts("SYS_EXIT_EXTENDED(3)\n");
    uint64_t exit_blk[2] = { ADP_Stopped_ApplicationExit, 3 };
    rt_semihost(SYS_EXIT_EXTENDED, exit_blk);
    rt_puts("SYS_EXIT_EXTENDED returned\n");
    rt_exit(1);
}
