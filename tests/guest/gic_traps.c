/* Traps of EL1 GIC CPU interface system register accesses to EL2 (EC 0x18,
 * IL=1, ISS = Op0/Op2/Op1/CRn/Rt/CRm/Direction of the access, ELR = the
 * instruction), controlled by ICH_HCR_EL2 (IHI 0069 12.5, ICH_HCR_EL2) with
 * the virtual interface enabled (En=1) and HCR_EL2 = RW|IMO unless noted:
 *   TALL1: all EL1 accesses to the Group 1 registers (ICC_IAR1_EL1,
 *     ICC_EOIR1_EL1, ICC_HPPIR1_EL1, ICC_BPR1_EL1, ICC_AP1R0_EL1,
 *     ICC_IGRPEN1_EL1), whether they would reach ICV_* (IMO=1) or the
 *     physical ICC_* (IMO=0: checked for ICC_IAR1_EL1 and ICC_IGRPEN1_EL1).
 *     The common registers (ICC_PMR_EL1, ICC_RPR_EL1) are not trapped.
 *   TALL0: the Group 0 registers (ICC_IAR0_EL1, ICC_IGRPEN0_EL1); not the
 *     Group 1 ones.
 *   TC: the registers common to both groups: ICC_PMR_EL1 (read and write),
 *     ICC_RPR_EL1, ICC_CTLR_EL1, ICC_DIR_EL1; not ICC_IAR1_EL1.
 *   TDIR (ICH_VTR_EL2.TDS = 1 on QEMU's model): ICC_DIR_EL1 only; not
 *     ICC_PMR_EL1.
 *   ICC_SGI1R_EL1 writes from EL1 trap to EL2 whenever HCR_EL2.IMO or FMO is
 *     1 (there is no virtual SGI register: the hypervisor emulates them),
 *     with every ICH_HCR_EL2 trap bit clear; with IMO=FMO=0 it does not trap
 *     (x5 = 0: empty target list, no SGI is sent).
 *   Without any control set nothing traps (the ICV accesses return the idle
 *     values: IAR1 1023, RPR 0xff).
 *   ICH_* registers are not accessible at EL1: `mrs ICH_VTR_EL2` is
 *     UNDEFINED there (EC 0x00 taken to EL1). */
#include "sysreg_trap.h"
#include "gic.h"

TRAP_HANDLERS

#define ICC(op1, crn, crm, op2, rd) SYSREG_ISS(3, op1, crn, crm, op2, 5, rd)

ACCESS(r_iar1, "", "mrs x5, S3_0_C12_C12_0")
ACCESS(w_eoir1, "mov x5, #1023", "msr S3_0_C12_C12_1, x5")
ACCESS(r_hppir1, "", "mrs x5, S3_0_C12_C12_2")
ACCESS(r_bpr1, "", "mrs x5, S3_0_C12_C12_3")
ACCESS(w_bpr1, "mov x5, #3", "msr S3_0_C12_C12_3, x5")
ACCESS(r_ap1r0, "", "mrs x5, S3_0_C12_C9_0")
ACCESS(r_igrpen1, "", "mrs x5, S3_0_C12_C12_7")
ACCESS(w_igrpen1, "mov x5, #1", "msr S3_0_C12_C12_7, x5")
ACCESS(r_iar0, "", "mrs x5, S3_0_C12_C8_0")
ACCESS(r_igrpen0, "", "mrs x5, S3_0_C12_C12_6")
ACCESS(r_pmr, "", "mrs x5, S3_0_C4_C6_0")
ACCESS(w_pmr, "mov x5, #0xf8", "msr S3_0_C4_C6_0, x5")
ACCESS(r_rpr, "", "mrs x5, S3_0_C12_C11_3")
ACCESS(r_ctlr, "", "mrs x5, S3_0_C12_C12_4")
ACCESS(w_dir, "mov x5, #1023", "msr S3_0_C12_C11_1, x5")
ACCESS(w_sgi1r, "mov x5, #0", "msr S3_0_C12_C11_5, x5")

static const struct sysreg_access tall1[] = {
    { "mrs ICC_IAR1_EL1", r_iar1, ICC(0, 12, 12, 0, 1) },
    { "msr ICC_EOIR1_EL1", w_eoir1, ICC(0, 12, 12, 1, 0) },
    { "mrs ICC_HPPIR1_EL1", r_hppir1, ICC(0, 12, 12, 2, 1) },
    { "mrs ICC_BPR1_EL1", r_bpr1, ICC(0, 12, 12, 3, 1) },
    { "msr ICC_BPR1_EL1", w_bpr1, ICC(0, 12, 12, 3, 0) },
    { "mrs ICC_AP1R0_EL1", r_ap1r0, ICC(0, 12, 9, 0, 1) },
    { "mrs ICC_IGRPEN1_EL1", r_igrpen1, ICC(0, 12, 12, 7, 1) },
    { "msr ICC_IGRPEN1_EL1", w_igrpen1, ICC(0, 12, 12, 7, 0) },
};
static const struct sysreg_access tall1_phys[] = {
    { "mrs ICC_IAR1_EL1", r_iar1, ICC(0, 12, 12, 0, 1) },
    { "mrs ICC_IGRPEN1_EL1", r_igrpen1, ICC(0, 12, 12, 7, 1) },
};
static const struct sysreg_access tall0[] = {
    { "mrs ICC_IAR0_EL1", r_iar0, ICC(0, 12, 8, 0, 1) },
    { "mrs ICC_IGRPEN0_EL1", r_igrpen0, ICC(0, 12, 12, 6, 1) },
};
static const struct sysreg_access common[] = {
    { "mrs ICC_PMR_EL1", r_pmr, ICC(0, 4, 6, 0, 1) },
    { "msr ICC_PMR_EL1", w_pmr, ICC(0, 4, 6, 0, 0) },
    { "mrs ICC_RPR_EL1", r_rpr, ICC(0, 12, 11, 3, 1) },
    { "mrs ICC_CTLR_EL1", r_ctlr, ICC(0, 12, 12, 4, 1) },
    { "msr ICC_DIR_EL1", w_dir, ICC(0, 12, 11, 1, 0) },
};
static const struct sysreg_access dir_only[] = {
    { "msr ICC_DIR_EL1", w_dir, ICC(0, 12, 11, 1, 0) },
};
static const struct sysreg_access sgi[] = {
    { "msr ICC_SGI1R_EL1", w_sgi1r, ICC(0, 12, 11, 5, 0) },
};
/* Accesses that must not trap under a given control. */
static const struct sysreg_access not_tall1[] = {
    { "mrs ICC_PMR_EL1", r_pmr, 0 },
    { "mrs ICC_RPR_EL1", r_rpr, 0 },
};
static const struct sysreg_access not_tall0[] = {
    { "mrs ICC_IAR1_EL1", r_iar1, 0 },
    { "mrs ICC_IGRPEN1_EL1", r_igrpen1, 0 },
};
static const struct sysreg_access not_tc[] = {
    { "mrs ICC_IAR1_EL1", r_iar1, 0 },
    { "mrs ICC_HPPIR1_EL1", r_hppir1, 0 },
};
static const struct sysreg_access not_tdir[] = {
    { "mrs ICC_PMR_EL1", r_pmr, 0 },
};

static void run(const char *what, uint32_t ich_hcr, uint64_t hcr, int trapped,
                const struct sysreg_access *list, unsigned n)
{
    rt_printf("== %s\n", what);
    GIC_WR(ICH_HCR_EL2, ich_hcr);
    ISB();
    sr_list = list;
    sr_count = n;
    rt_run_el1(trapped ? sr_run_trapped : sr_run_untrapped, hcr, 0);
}

static volatile uint64_t g_iar, g_rpr;
static uint64_t guest_values(uint64_t arg)
{
    (void)arg;
    g_iar = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    g_rpr = GIC_RD(ICC_RPR_EL1);
    return 0;
}

static uint64_t guest_ich(uint64_t arg)
{
    (void)arg;
    trap_reset();
    __asm__ volatile(T_MARK "1: mrs x5, S3_4_C12_C11_1\n2:\n" ::: "x5", T_CLOBBER);
    expect_trap("EL1 mrs ICH_VTR_EL2", 1, RT_VEC_CUR_SPX, 0x00, 1, 0, 0x1ffffff, 0);
    return 0;
}

int main(void)
{
    rt_puts("gic_traps\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8));
    uint64_t vtr = GIC_RD(ICH_VTR_EL2);
    rt_printf("ICH_VTR_EL2.TDS=%lu\n", ICH_VTR_TDS(vtr));
    check(ICH_VTR_TDS(vtr) == 1, "TDS");

    const uint64_t imo = HCR_IMO;
    run("TALL1=1 (IMO=1)", ICH_HCR_EN | ICH_HCR_TALL1, imo, 1, tall1, N_ACCESS(tall1));
    run("TALL1=1 (IMO=1), not trapped", ICH_HCR_EN | ICH_HCR_TALL1, imo, 0, not_tall1, N_ACCESS(not_tall1));
    run("TALL1=1 (IMO=0: physical ICC_*)", ICH_HCR_EN | ICH_HCR_TALL1, 0, 1, tall1_phys, N_ACCESS(tall1_phys));
    run("TALL0=1 (IMO=1)", ICH_HCR_EN | ICH_HCR_TALL0, imo, 1, tall0, N_ACCESS(tall0));
    run("TALL0=1 (IMO=1), not trapped", ICH_HCR_EN | ICH_HCR_TALL0, imo, 0, not_tall0, N_ACCESS(not_tall0));
    run("TC=1 (IMO=1)", ICH_HCR_EN | ICH_HCR_TC, imo, 1, common, N_ACCESS(common));
    run("TC=1 (IMO=1), not trapped", ICH_HCR_EN | ICH_HCR_TC, imo, 0, not_tc, N_ACCESS(not_tc));
    run("TDIR=1 (IMO=1)", ICH_HCR_EN | ICH_HCR_TDIR, imo, 1, dir_only, N_ACCESS(dir_only));
    run("TDIR=1 (IMO=1), not trapped", ICH_HCR_EN | ICH_HCR_TDIR, imo, 0, not_tdir, N_ACCESS(not_tdir));
    run("ICC_SGI1R_EL1, no ICH_HCR_EL2 trap bit, IMO=1", ICH_HCR_EN, imo, 1, sgi, N_ACCESS(sgi));
    run("ICC_SGI1R_EL1, IMO=0 FMO=0", ICH_HCR_EN, 0, 0, sgi, N_ACCESS(sgi));
    run("no trap bit (IMO=1)", ICH_HCR_EN, imo, 0, tall1, N_ACCESS(tall1));
    run("no trap bit (IMO=1), common", ICH_HCR_EN, imo, 0, common, N_ACCESS(common));

    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();
    rt_run_el1(guest_values, imo, 0);
    rt_printf("ICV values with nothing pending: IAR1=%lu RPR=0x%lx\n", g_iar, g_rpr);
    check(g_iar == INTID_SPURIOUS && g_rpr == 0xff, "idle ICV values");

    rt_puts("== ICH_* at EL1\n");
    rt_run_el1(guest_ich, imo, 0);

    GIC_WR(ICH_HCR_EL2, 0);
    ISB();
    return test_result();
}
