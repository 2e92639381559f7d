/* Table-driven checks for HCR_EL2 controls that trap MSR/MRS/SYS at EL1 to
 * EL2 with EC 0x18. A test lists the accesses (each a small function that
 * executes one instruction with Rt = x5) with the expected ISS, then calls
 * sysreg_trap_group(), which runs them at EL1 with the control set (each must
 * trap to EL2: EC 0x18, IL=1, ISS exact, ELR = the instruction) and with it
 * clear (none may trap). */
#ifndef AVSIM_GUEST_SYSREG_TRAP_H
#define AVSIM_GUEST_SYSREG_TRAP_H
#include "trap.h"

struct sysreg_access {
    const char *name;
    void (*fn)(void);
    uint32_t iss;
};

/* ACCESS(fn, setup, insn): setup runs first (e.g. loads x5), then insn is the
 * instruction under test. */
#define ACCESS(fn, setup, insn)                                                  \
    static void fn(void)                                                         \
    {                                                                            \
        __asm__ volatile(setup "\n\t" T_MARK "1: " insn "\n2:\n" ::: "x5", T_CLOBBER); \
    }

static const struct sysreg_access *sr_list;
static unsigned sr_count;

static uint64_t sr_run_trapped(uint64_t arg)
{
    (void)arg;
    for (unsigned i = 0; i < sr_count; i++) {
        trap_reset();
        sr_list[i].fn();
        expect_trap(sr_list[i].name, 2, RT_VEC_LOWER64, 0x18, 1, sr_list[i].iss, 0x1ffffff, 0);
        if (trap.count == 1)
            print_sysreg_iss((uint32_t)ESR_ISS(trap.esr));
    }
    return 0;
}

static uint64_t sr_run_untrapped(uint64_t arg)
{
    (void)arg;
    for (unsigned i = 0; i < sr_count; i++) {
        trap_reset();
        sr_list[i].fn();
        expect_no_trap(sr_list[i].name);
    }
    return 0;
}

/* Run the accesses at EL1 with HCR_EL2 = hcr (traps expected), then with
 * HCR_EL2 = hcr_clear (no trap expected). */
static void __attribute__((unused))
sysreg_trap_group(const char *control, uint64_t hcr, uint64_t hcr_clear,
                  const struct sysreg_access *list, unsigned n)
{
    sr_list = list;
    sr_count = n;
    rt_printf("== %s=1\n", control);
    rt_run_el1(sr_run_trapped, hcr, 0);
    rt_printf("== %s=0\n", control);
    rt_run_el1(sr_run_untrapped, hcr_clear, 0);
}

/* The same for MDCR_EL2 controls: the accesses run at EL1 with MDCR_EL2 = mdcr (HCR_EL2 = RW),
 * each trapping (trapped) or none; MDCR_EL2 is set back to `after` when they have run. */
static void __attribute__((unused))
sysreg_trap_group_mdcr(const char *what, uint64_t mdcr, uint64_t after, const struct sysreg_access *list,
                       unsigned n, int trapped)
{
    rt_printf("== MDCR_EL2 %s\n", what);
    sr_list = list;
    sr_count = n;
    WRITE_SYSREG(mdcr_el2, mdcr);
    ISB();
    rt_run_el1(trapped ? sr_run_trapped : sr_run_untrapped, 0, 0);
    WRITE_SYSREG(mdcr_el2, after);
    ISB();
}

#define N_ACCESS(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))
#endif
