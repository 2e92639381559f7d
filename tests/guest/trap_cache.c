/* EC 0x18 traps of cache maintenance instructions (SYS, Direction=0) from EL1:
 *   HCR_EL2.TSW: DC ISW, DC CSW, DC CISW (by set/way).
 *   HCR_EL2.TPC: DC IVAC, DC CIVAC, DC CVAC (to the Point of Coherency, ARMv8.0).
 *   HCR_EL2.TPU: IC IVAU, IC IALLU, IC IALLUIS, DC CVAU (to the Point of Unification).
 * Instructions without a register operand report Rt=31. By-VA operations use
 * x5 = the address of a cache-line-sized buffer; set/way ones x5 = 0. Each
 * control traps only its own group. */
#include "sysreg_trap.h"

TRAP_HANDLERS

volatile uint64_t cm_buf[8] __attribute__((aligned(64)));
#define VA "adrp x5, cm_buf\n\tadd x5, x5, :lo12:cm_buf"

ACCESS(dc_isw, "mov x5, #0", "dc isw, x5")
ACCESS(dc_csw, "mov x5, #0", "dc csw, x5")
ACCESS(dc_cisw, "mov x5, #0", "dc cisw, x5")
ACCESS(dc_ivac, VA, "dc ivac, x5")
ACCESS(dc_civac, VA, "dc civac, x5")
ACCESS(dc_cvac, VA, "dc cvac, x5")
ACCESS(ic_ivau, VA, "ic ivau, x5")
ACCESS(ic_iallu, "", "ic iallu")
ACCESS(ic_ialluis, "", "ic ialluis")
ACCESS(dc_cvau, VA, "dc cvau, x5")

#define SYS(op1, crn, crm, op2, rt) SYSREG_ISS(1, op1, crn, crm, op2, rt, 0)
static const struct sysreg_access tsw[] = {
    { "dc isw", dc_isw, SYS(0, 7, 6, 2, 5) },
    { "dc csw", dc_csw, SYS(0, 7, 10, 2, 5) },
    { "dc cisw", dc_cisw, SYS(0, 7, 14, 2, 5) },
};
static const struct sysreg_access tpc[] = {
    { "dc ivac", dc_ivac, SYS(0, 7, 6, 1, 5) },
    { "dc civac", dc_civac, SYS(3, 7, 14, 1, 5) },
    { "dc cvac", dc_cvac, SYS(3, 7, 10, 1, 5) },
};
static const struct sysreg_access tpu[] = {
    { "ic ivau", ic_ivau, SYS(3, 7, 5, 1, 5) },
    { "ic iallu", ic_iallu, SYS(0, 7, 5, 0, 31) },
    { "ic ialluis", ic_ialluis, SYS(0, 7, 1, 0, 31) },
    { "dc cvau", dc_cvau, SYS(3, 7, 11, 1, 5) },
};

static void only(const char *what, uint64_t hcr, const struct sysreg_access *l, unsigned n)
{
    rt_printf("== %s\n", what);
    sr_list = l;
    sr_count = n;
    rt_run_el1(sr_run_untrapped, hcr, 0);
}

int main(void)
{
    rt_puts("trap_cache\n");
    sysreg_trap_group("TSW", HCR_TSW, 0, tsw, N_ACCESS(tsw));
    sysreg_trap_group("TPC", HCR_TPC, 0, tpc, N_ACCESS(tpc));
    sysreg_trap_group("TPU", HCR_TPU, 0, tpu, N_ACCESS(tpu));
    only("TPC=1 TPU=1: set/way not trapped", HCR_TPC | HCR_TPU, tsw, N_ACCESS(tsw));
    only("TSW=1 TPU=1: PoC not trapped", HCR_TSW | HCR_TPU, tpc, N_ACCESS(tpc));
    only("TSW=1 TPC=1: PoU not trapped", HCR_TSW | HCR_TPC, tpu, N_ACCESS(tpu));
    return test_result();
}
