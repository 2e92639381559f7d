/* The EOI of a virtual LPI (IHI 0069, VirtualWriteEOIR1 and VirtualWriteDIR): an LPI has no
 * active state and is never deactivated by DIR, so
 *   with EOImode 1 (ICV_CTLR_EL1.EOImode = ICH_VMCR_EL2.VEOIM = 1) the guest's EOI of vINTID
 *     8200 (LR0, priority 0x80) drops the priority and deactivates LR0 at once: LR0 is
 *     invalid, ICH_AP1R0_EL2 = 0; a following ICV_DIR_EL1 write of 8200 changes nothing
 *     (EOIcount stays 0). An SPI in the same situation (vINTID 40 in LR1, priority 0x90)
 *     stays active after its EOI and is deactivated by its DIR, for comparison;
 *   a vLPI evicted from the LRs while active (vINTID 8300, priority 0x90, EL2 clears LR0 at
 *     the guest's HVC): the guest's EOI drops the priority (ICH_AP1R0_EL2 = 0) but, unlike a
 *     non-LPI (vINTID 60, same steps: EOIcount 1), leaves ICH_HCR_EL2.EOIcount at 0;
 *   ICV_DIR_EL1 of a vLPI in no LR with EOImode 1: ignored, EOIcount unchanged.
 * Recorded on Debian's QEMU 7.2 (1:7.2+dfsg-7+deb12u18), which behaves as the spec says
 * here: upstream fixed vLPIs in the LRs in commit 82a65e31 ("handle LPIs in the list
 * registers", sent to qemu-stable), and this test passing on it shows the fix is in. QEMU
 * 7.2.0 as released treats them like SPIs (the LR stays active with EOImode 1, the EOI of an
 * evicted vLPI is counted). */
#include "trap.h"
#include "gic.h"

void el1_handler(struct rt_frame *f, int vector)
{
    trap_record(f, 1, vector);
}

static volatile uint64_t g_ack, g_ack2, g_lr0_after_eoi, g_lr1_after_eoi;

static uint64_t guest_eoimode1(uint64_t arg)
{
    (void)arg;
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    g_ack = GIC_RD(ICC_IAR1_EL1) & 0xffffff;    /* 8200 (0x80) */
    GIC_WR(ICC_EOIR1_EL1, g_ack);               /* priority drop */
    ISB();
    g_ack2 = GIC_RD(ICC_IAR1_EL1) & 0xffffff;   /* 40 (0x90) */
    GIC_WR(ICC_EOIR1_EL1, g_ack2);
    ISB();
    __asm__ volatile("hvc #2" ::: "memory");   /* EL2 reads the LRs */
    GIC_WR(ICC_DIR_EL1, 8200);
    GIC_WR(ICC_DIR_EL1, 40);
    ISB();
    return 0;
}

static uint64_t guest_evicted(uint64_t arg)
{
    (void)arg;
    g_ack = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    __asm__ volatile("hvc #1" ::: "memory");   /* EL2 evicts LR0 */
    GIC_WR(ICC_EOIR1_EL1, g_ack);
    ISB();
    return 0;
}

static uint64_t guest_dir_nolr(uint64_t arg)
{
    (void)arg;
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
    ISB();
    GIC_WR(ICC_DIR_EL1, 8400);
    ISB();
    return 0;
}

static uint64_t h_lr0, h_lr1;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_SYNC) {
        uint64_t esr = READ_SYSREG(esr_el2);
        if (ESR_EC(esr) == 0x16 && (esr & 0xffff) == 1) {
            ich_lr_write(0, 0);
            return;
        }
        if (ESR_EC(esr) == 0x16 && (esr & 0xffff) == 2) {
            h_lr0 = ich_lr_read(0);
            h_lr1 = ich_lr_read(1);
            return;
        }
    }
    trap_record(f, 2, vector);
}

static void expect_x(const char *what, uint64_t got, uint64_t want)
{
    rt_printf("  %s = 0x%lx\n", what, got);
    check(got == want, what);
}

static void reset_virtual(uint64_t vmcr)
{
    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    GIC_WR(ICH_AP1R0_EL2, 0);
    GIC_WR(ICH_VMCR_EL2, vmcr);
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();
}

int main(void)
{
    rt_puts("gic_virtual_lpi_eoi\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    uint64_t on = ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8);

    rt_puts("EOImode 1: the EOI of a vLPI deactivates its LR\n");
    reset_virtual(on);
    ich_lr_write(0, LR_G1_PENDING(8200, 0x80));
    ich_lr_write(1, LR_G1_PENDING(40, 0x90));
    rt_run_el1(guest_eoimode1, HCR_IMO, 0);
    rt_printf("  guest acknowledged %lu then %lu\n", g_ack, g_ack2);
    check(g_ack == 8200 && g_ack2 == 40, "acknowledge order");
    rt_printf("  after the EOIs: LR0 (8200) %s, LR1 (40) %s\n", lr_state_name[LR_STATE(h_lr0)],
              lr_state_name[LR_STATE(h_lr1)]);
    check(LR_STATE(h_lr0) == 0, "vLPI LR deactivated by its EOI");
    check(LR_STATE(h_lr1) == 2, "SPI LR still active after its EOI (EOImode 1)");
    uint64_t hcr = GIC_RD(ICH_HCR_EL2);
    rt_printf("  after the DIRs: LR0 %s, LR1 %s, EOIcount %lu\n", lr_state_name[LR_STATE(ich_lr_read(0))],
              lr_state_name[LR_STATE(ich_lr_read(1))], ICH_HCR_EOICOUNT(hcr));
    check(LR_STATE(ich_lr_read(1)) == 0, "SPI LR deactivated by DIR");
    check(ICH_HCR_EOICOUNT(hcr) == 0, "DIR of the vLPI not counted");
    expect_x("ICH_AP1R0_EL2", GIC_RD(ICH_AP1R0_EL2), 0);

    rt_puts("EOI of a vLPI evicted from the LRs\n");
    reset_virtual(on);
    ich_lr_write(0, LR_G1_PENDING(8300, 0x90));
    rt_run_el1(guest_evicted, HCR_IMO, 0);
    rt_printf("  guest acknowledged %lu\n", g_ack);
    expect_x("ICH_AP1R0_EL2 after the EOI", GIC_RD(ICH_AP1R0_EL2), 0);
    expect_x("ICH_HCR_EL2.EOIcount", ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)), 0);
    reset_virtual(on);
    ich_lr_write(0, LR_G1_PENDING(60, 0x90));
    rt_run_el1(guest_evicted, HCR_IMO, 0);
    rt_printf("  the same with vINTID %lu:\n", g_ack);
    expect_x("ICH_AP1R0_EL2 after the EOI", GIC_RD(ICH_AP1R0_EL2), 0);
    expect_x("ICH_HCR_EL2.EOIcount", ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)), 1);

    rt_puts("DIR of a vLPI in no LR (EOImode 1)\n");
    reset_virtual(on | ICH_VMCR_VEOIM);
    rt_run_el1(guest_dir_nolr, HCR_IMO, 0);
    expect_x("ICH_HCR_EL2.EOIcount", ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)), 0);

    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    ISB();
    return test_result();
}
