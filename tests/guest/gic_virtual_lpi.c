/* Virtual LPIs in the list registers (IHI 0069, "Virtual LPIs" and ICH_LR<n>_EL2): how a
 * GICv3 hypervisor without GICv4 direct injection (KVM's vITS) hands an LPI to its guest. EL2
 * owns the physical CPU interface; the EL1 guest runs with HCR_EL2 = RW|IMO, so its ICC_*1
 * accesses reach the ICV_* registers.
 *   ID bits: ICH_VTR_EL2.IDbits and the guest's ICV_CTLR_EL1.IDbits both say 24 (0b001, as
 *     on QEMU 7.2; so does the physical ICC_CTLR_EL1.IDbits); an LR keeps a vINTID above 16
 *     bits as written (0x12345).
 *   Two vLPIs: LR0 = Group 1 pending vINTID 8197 (8192+5) priority 0xa0, LR1 = vINTID 8492
 *     (8192+300) priority 0x80. The guest sees ISR_EL1.I = 1 and ICV_HPPIR1_EL1 = 8492, takes
 *     the virtual IRQ twice: ICV_IAR1_EL1 returns the full INTIDs 8492 then 8197 (priority
 *     order) with ICV_RPR_EL1 0x80 then 0xa0, and EOIs them (EOImode 0: priority drop and
 *     deactivation); then ICV_IAR1_EL1 = 1023. Back at EL2 both LRs are invalid,
 *     ICH_AP1R0_EL2 = 0, EOIcount = 0, ICH_ELRSR_EL2 = 0xf.
 *   The acknowledged state: the guest acknowledges vINTID 8200 (LR2, priority 0x90) and
 *     calls the hypervisor (HVC) before its EOI: LR2 reads active (VirtualReadIAR1 moves the
 *     LR from pending to active whatever the vINTID; the LPI itself has no active state, the
 *     LR just records the acknowledgement) and ICH_AP1R0_EL2 has bit 0x90 >> 3 set; after
 *     the EOI LR2 is invalid and the active priorities are empty.
 *   A vLPI masked by the virtual priority mask (VPMR 0x80, LR0 vINTID 8300 priority 0xa0)
 *     is not signalled: ISR_EL1.I = 0, ICV_IAR1_EL1 = 1023, HPPIR1 still names 8300.
 * (The EOI rules proper to vLPIs, EOImode 1 and a vLPI in no LR, are in gic_virtual_lpi_eoi.) */
#include "trap.h"
#include "gic.h"

static unsigned ev_intid[8], ev_rpr[8];
static volatile unsigned nev;

/* ---- guest (EL1, HCR_EL2.IMO=1: ICC_* -> ICV_*) ---- */
void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (nev < 8) {
            ev_intid[nev] = intid;
            ev_rpr[nev] = (unsigned)GIC_RD(ICC_RPR_EL1);
        }
        nev++;
        if (intid >= 1020 && intid <= 1023) {
            f->spsr |= 1UL << 7;
            return;
        }
        GIC_WR(ICC_EOIR1_EL1, intid);
        ISB();
        return;
    }
    trap_record(f, 1, vector);
}

static volatile uint64_t g_ctlr, g_isr, g_hppir, g_iar_after, g_ack, g_rpr_after;

static uint64_t guest_ctlr(uint64_t arg)
{
    (void)arg;
    g_ctlr = GIC_RD(ICC_CTLR_EL1);
    return 0;
}

static uint64_t guest_take(uint64_t arg)
{
    (void)arg;
    g_isr = READ_SYSREG(isr_el1);
    g_hppir = GIC_RD(ICC_HPPIR1_EL1) & 0xffffff;
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
    g_iar_after = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    return 0;
}

static uint64_t guest_ack_hvc_eoi(uint64_t arg)
{
    (void)arg;
    g_ack = GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    __asm__ volatile("hvc #1" ::: "memory");   /* EL2 looks at the LRs */
    GIC_WR(ICC_EOIR1_EL1, g_ack);
    ISB();
    g_rpr_after = GIC_RD(ICC_RPR_EL1);
    return 0;
}

/* ---- EL2 ---- */
static volatile uint64_t h_lr2, h_apr;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_SYNC) {
        uint64_t esr = READ_SYSREG(esr_el2);
        if (ESR_EC(esr) == 0x16 && (esr & 0xffff) == 1) {
            h_lr2 = ich_lr_read(2);
            h_apr = GIC_RD(ICH_AP1R0_EL2);
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

static void print_lrs(void)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t lr = ich_lr_read(i);
        rt_printf("  ICH_LR%u_EL2 = 0x%016lx (%s, vINTID %u)\n", i, lr, lr_state_name[LR_STATE(lr)],
                  LR_GET_VINTID(lr));
    }
}

int main(void)
{
    rt_puts("gic_virtual_lpi\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);

    rt_printf("physical ICC_CTLR_EL1.IDbits = %lu\n", ICC_CTLR_IDBITS(GIC_RD(ICC_CTLR_EL1)));
    check(ICC_CTLR_IDBITS(GIC_RD(ICC_CTLR_EL1)) == 1, "ICC_CTLR_EL1.IDbits");
    uint64_t vtr = GIC_RD(ICH_VTR_EL2);
    unsigned idbits = (unsigned)(vtr >> 23) & 7;
    rt_printf("ICH_VTR_EL2.IDbits = %u (%s vINTIDs)\n", idbits, idbits == 0 ? "16-bit" : idbits == 1 ? "24-bit" : "?");
    check(idbits == 1, "ICH_VTR_EL2.IDbits");
    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0xf8));
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();
    rt_run_el1(guest_ctlr, HCR_IMO, 0);
    rt_printf("guest ICV_CTLR_EL1.IDbits = %lu\n", ICC_CTLR_IDBITS(g_ctlr));
    check(ICC_CTLR_IDBITS(g_ctlr) == idbits, "ICV_CTLR_EL1.IDbits matches ICH_VTR_EL2");

    rt_puts("an LR keeps a vINTID above 16 bits\n");
    ich_lr_write(3, LR_GROUP1 | LR_PRIO(0xa0) | LR_VINTID(0x12345));
    expect_x("ICH_LR3_EL2 vINTID", LR_GET_VINTID(ich_lr_read(3)), 0x12345);
    ich_lr_write(3, 0);

    rt_puts("two vLPIs in LR0 and LR1\n");
    ich_lr_write(0, LR_G1_PENDING(8192 + 5, 0xa0));
    ich_lr_write(1, LR_G1_PENDING(8192 + 300, 0x80));
    print_lrs();
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0xc);
    rt_run_el1(guest_take, HCR_IMO, 0);
    rt_printf("  guest: ISR_EL1.I=%lu ICC_HPPIR1_EL1=%lu\n", (g_isr >> 7) & 1, g_hppir);
    check(((g_isr >> 7) & 1) == 1 && g_hppir == 8492, "guest sees the pending vLPI");
    rt_printf("  guest took %u IRQs:", nev);
    for (unsigned i = 0; i < nev && i < 8; i++)
        rt_printf(" %u(rpr=0x%x)", ev_intid[i], ev_rpr[i]);
    rt_puts("\n");
    check(nev == 2 && ev_intid[0] == 8492 && ev_rpr[0] == 0x80 && ev_intid[1] == 8197 && ev_rpr[1] == 0xa0,
          "vLPIs acknowledged in priority order");
    rt_printf("  guest: ICC_IAR1_EL1 afterwards = %lu\n", g_iar_after);
    check(g_iar_after == INTID_SPURIOUS, "IAR1 1023 when nothing pending");
    print_lrs();
    check(LR_STATE(ich_lr_read(0)) == 0 && LR_STATE(ich_lr_read(1)) == 0, "LRs invalid after EOI");
    expect_x("ICH_AP1R0_EL2", GIC_RD(ICH_AP1R0_EL2), 0);
    expect_x("ICH_HCR_EL2.EOIcount", ICH_HCR_EOICOUNT(GIC_RD(ICH_HCR_EL2)), 0);
    expect_x("ICH_ELRSR_EL2", GIC_RD(ICH_ELRSR_EL2), 0xf);

    rt_puts("the LR of an acknowledged vLPI\n");
    ich_lr_write(2, LR_G1_PENDING(8200, 0x90));
    rt_run_el1(guest_ack_hvc_eoi, HCR_IMO, 0);
    rt_printf("  guest acknowledged %lu; at the HVC: LR2 = 0x%016lx (%s), ICH_AP1R0_EL2 = 0x%lx\n", g_ack, h_lr2,
              lr_state_name[LR_STATE(h_lr2)], h_apr);
    check(g_ack == 8200 && LR_STATE(h_lr2) == 2 && h_apr == (1UL << (0x90 >> 3)), "LR2 active, APR");
    rt_printf("  guest ICC_RPR_EL1 after the EOI = 0x%lx\n", g_rpr_after);
    check(g_rpr_after == 0xff, "idle after the EOI");
    print_lrs();
    check(LR_STATE(ich_lr_read(2)) == 0, "LR2 invalid after EOI");
    expect_x("ICH_AP1R0_EL2", GIC_RD(ICH_AP1R0_EL2), 0);

    rt_puts("a vLPI under the virtual priority mask\n");
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VENG1 | ICH_VMCR_VPMR(0x80));
    ich_lr_write(0, LR_G1_PENDING(8300, 0xa0));
    nev = 0;
    rt_run_el1(guest_take, HCR_IMO, 0);
    rt_printf("  guest: ISR_EL1.I=%lu ICC_HPPIR1_EL1=%lu IRQs taken=%u ICC_IAR1_EL1=%lu\n", (g_isr >> 7) & 1, g_hppir,
              nev, g_iar_after);
    check(((g_isr >> 7) & 1) == 0 && g_hppir == 8300 && nev == 0 && g_iar_after == INTID_SPURIOUS, "masked vLPI");
    print_lrs();
    check(LR_STATE(ich_lr_read(0)) == 1, "masked vLPI still pending");

    GIC_WR(ICH_HCR_EL2, 0);
    for (unsigned i = 0; i < 4; i++)
        ich_lr_write(i, 0);
    ISB();
    return test_result();
}
