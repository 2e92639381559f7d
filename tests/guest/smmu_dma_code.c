// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own
/* A DMA write over code the PE has already executed: the PE must run the
 * new instructions. avsim translates guest code into host code (Unicorn);
 * a write by a bus master through the SMMU (or straight to memory) to a
 * page holding translated code drops that code, as a CPU store does, so the
 * next execution fetches the new instructions.
 *
 * Architecturally (Arm ARM B2.4.4, "Concurrent modification and execution
 * of instructions", and D7.5 instruction cache maintenance), software would
 * follow such a DMA write with IC IALLU/IVAU + DSB + ISB before executing
 * the new code; without it the PE may run old or new instructions. avsim,
 * like QEMU for CPU stores, keeps instruction fetch coherent with every
 * write, so the test deliberately issues only an ISB: with a correct
 * machine the new code runs, and a machine that kept the old translation
 * would show the old return value.
 *
 * The code: a page at RAM_FREE3 holding "mov w0, #n; ret", written first by
 * the PE (with the cache maintenance for CPU-written code) and called; then
 * the DMA test device overwrites those 8 bytes (FILL) with n = 2 while the
 * SMMU is disabled (SMMU_CR0.SMMUEN == 0, GBPA.ABORT == 0: bypass) and the
 * PE calls it again; then with n = 3 through an STE in bypass (SMMUEN == 1,
 * STE.Config == 0b100). */
#include "smmu.h"

#define CODE RAM_FREE3
#define MOV_W0(n) (0x52800000u | ((uint32_t)(n) << 5))
#define RET 0xd65f03c0u
#define INSNS(n) (((uint64_t)RET << 32) | MOV_W0(n))

static uint64_t call_code(void)
{
    __asm__ volatile("isb" ::: "memory");
    return ((uint64_t(*)(void))CODE)();
}

static void expect_ret(const char *what, uint64_t want)
{
    uint64_t a = call_code(), b = call_code();
    rt_printf("  %s: returns %lu, %lu\n", what, a, b);
    check(a == want && b == want, what);
}

int main(void)
{
    rt_puts("smmu_dma_code\n");
    *(volatile uint64_t *)CODE = INSNS(1);
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(CODE) : "memory");
    rt_puts("code written by the PE:\n");
    expect_ret("mov w0, #1; ret", 1);

    strtab_linear(4);
    struct ste s = ste_bypass();
    ste_write(ste_addr(1), &s);
    smmu_enable(4, 4, 0, CR2_RECINVSID, 0);
    check(smmu_gbpa(0) == 0, "GBPA bypass");

    rt_puts("overwritten by DMA, SMMUEN=0 (GBPA bypass), no IC maintenance:\n");
    expect_status("DMA write of 8 bytes", dma_write64(1, NO_SSID, CODE, INSNS(2)), DT_ST_DONE);
    expect_ret("mov w0, #2; ret", 2);

    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN) == 0, "CR0ACK.SMMUEN");
    rt_puts("overwritten by DMA, SMMUEN=1, bypass STE, no IC maintenance:\n");
    expect_status("DMA write of 8 bytes", dma_write64(1, NO_SSID, CODE, INSNS(3)), DT_ST_DONE);
    expect_ret("mov w0, #3; ret", 3);

    rt_puts("a DMA read of the code page changes nothing:\n");
    uint64_t v;
    expect_status("DMA read of 8 bytes", dma_read64(1, NO_SSID, CODE, &v), DT_ST_DONE);
    check(v == INSNS(3), "DMA read of the code");
    expect_ret("mov w0, #3; ret", 3);
    smmu_test_end();
}
