// AVSIM-ARGS: --dma-test-device --smmu=off
// AVSIM-ONLY: the DMA test device is avsim's own; the rule it checks is issue 16's (a DMA write drops translated code)
/* A DMA write into a page holding code the PE has run drops that code, as
 * avsim's machine promises for every bus master (sim/machine.c bus_write):
 * the PE runs the new instructions, without an IC IVAU. (On hardware the
 * instruction cache need not see a device's writes, and software invalidates
 * it; avsim has no instruction cache to be stale, only translated code, and
 * drops it.) With --smmu=off the DMA test device's addresses are physical.
 *
 * A function `mov w0, #N; ret` at CODE is written by the PE (with the cache
 * maintenance the Arm ARM asks for) and run; then the DMA test device COPYs
 * `mov w0, #2; ret` over it, then FILLs `mov w0, #3; ret`, and the PE runs it
 * after each with only an ISB. A DMA write into a data page next to it
 * changes the data and leaves the code alone. */
#include "dmatest.h"
#include "trap.h"

TRAP_HANDLERS

#define CODE 0x40600000UL          /* RAM pages outside the image */
#define SRC 0x40601000UL
#define DATA 0x40602000UL

#define MOV_W0(n) (0x52800000u | ((uint32_t)(n) << 5))
#define RET 0xd65f03c0u

static int run_code(void)
{
    __asm__ volatile("isb" ::: "memory");
    return ((int (*)(void))CODE)();
}

/* One DMA command; its STATUS. */
static uint32_t dma(uint32_t cmd, uint64_t src, uint64_t dst, uint32_t len)
{
    __asm__ volatile("dsb sy" ::: "memory");
    dmatest_w64(DT_SRC, src);
    dmatest_w64(DT_DST, dst);
    dmatest_w32(DT_LEN, len);
    dmatest_w32(DT_CMD, cmd);
    return dmatest_r32(DT_STATUS);
}

int main(void)
{
    rt_puts("dma_code_drop\n");
    rt_printf("DMA test device ID=0x%x\n", dmatest_r32(DT_ID));
    volatile uint32_t *code = (volatile uint32_t *)CODE, *src = (volatile uint32_t *)SRC;
    volatile uint64_t *data = (volatile uint64_t *)DATA;
    code[0] = MOV_W0(1);
    code[1] = RET;
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(CODE) : "memory");
    int v = run_code();
    rt_printf("written by the PE: returns %d\n", v);
    check(v == 1, "the PE's code runs");
    v = run_code();
    check(v == 1, "the PE's code runs again (translated)");

    src[0] = MOV_W0(2);
    src[1] = RET;
    uint32_t st = dma(DT_COPY, SRC, CODE, 8);
    check(st == DT_ST_DONE, "COPY done");
    v = run_code();
    rt_printf("after a DMA COPY over it (STATUS 0x%x): returns %d\n", st, v);
    check(v == 2, "the copied code runs");

    dmatest_w64(DT_PATTERN, (uint64_t)RET << 32 | MOV_W0(3));
    st = dma(DT_FILL, 0, CODE, 8);
    check(st == DT_ST_DONE, "FILL done");
    v = run_code();
    rt_printf("after a DMA FILL over it (STATUS 0x%x): returns %d\n", st, v);
    check(v == 3, "the filled code runs");

    data[0] = 0x1111111111111111UL;
    dmatest_w64(DT_PATTERN, 0x2222222222222222UL);
    st = dma(DT_FILL, 0, DATA, 8);
    v = run_code();
    rt_printf("after a DMA FILL of a data page (STATUS 0x%x): data 0x%lx, code returns %d\n", st, data[0], v);
    check(st == DT_ST_DONE && data[0] == 0x2222222222222222UL, "the data page holds the pattern");
    check(v == 3, "the code is unchanged");
    rt_printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
