// QEMU-MACHINE: virt,virtualization=on,gic-version=2
// AVSIM-ARGS: --gic=v2
/* The GICv2 virtual CPU interface driven by list registers (IHI 0048B
 * chapter 5: GICH_* at 0x08030000 programmed by EL2, GICV_* at 0x08040000
 * used by the EL1 guest). The guest runs with HCR_EL2 = RW|IMO: virtual
 * IRQs are enabled and physical IRQs go to EL2.
 *
 * Where the guest finds GICV: a real hypervisor maps the GICV frame at the
 * address where the guest expects its GICC (KVM: the guest's "GICC" IPA
 * 0x08010000 -> PA 0x08040000 through stage 2) and traps or emulates the
 * distributor. Rounds 1 and 3-5 keep stage 2 off and let the guest access
 * GICV at its physical address; round 2 is the realistic setup: stage 2 on
 * (HCR_EL2.VM, tables from pagetable.h), the image identity-mapped, IPA
 * 0x08010000-0x08011fff (GICV and the GICV_DIR page) mapped to PA
 * 0x08040000 as Device-nGnRE, and the guest's accesses to "GICC" reach the
 * virtual CPU interface.
 *
 * All virtual interrupts are Group 0 (GICH_LR.Grp1 = 0) with
 * GICH_VMCR.VMGrp0En = 1 and VMFIQEn = 0: signalled as virtual IRQs and
 * acknowledged through GICV_IAR (as a group-unaware guest does).
 *   Rounds 1 and 2: GICH_HCR.En = 1, GICH_VMCR = VMGrp0En | VMPriMask 0xf8;
 *     GICH_LR0..2 hold pending vINTIDs 40 (prio 0xa0), 41 (0x60, EOI=1), 42
 *     (0x80); GICH_ELRSR0 = 0x8 (only LR3 empty). The guest sees ISR_EL1.I
 *     = 1 and GICV_HPPIR = 41, unmasks IRQs and takes the virtual IRQ at
 *     VBAR_EL1 + 0x280 three times: GICV_IAR returns 41, 42, 40 (priority
 *     order) with GICV_RPR 0x60, 0x80, 0xa0; each is EOId by GICV_EOIR
 *     (GICV_CTLR.EOImode = 0: drop and deactivate). Then GICV_IAR = 1023.
 *     Back at EL2: the LRs are invalid (State 00, the other fields kept),
 *     GICH_EISR0 = 0x2 (LR1: invalid, HW 0, EOI 1), GICH_ELRSR0 = 0xd (an
 *     LR with a pending EOI maintenance request is not empty), GICH_MISR =
 *     EOI, EOICount = 0, GICH_APR = 0; the maintenance interrupt (PPI 25,
 *     disabled in the distributor) is pending in GICD_ISPENDR0; clearing
 *     the LRs drops it (level-sensitive).
 *   Round 3, maintenance interrupt taken: PPI 25 enabled (Group 0, 0x80);
 *     the guest's EOI of vINTID 50 (LR0, EOI=1) raises it and EL2 takes it
 *     as a physical IRQ from the guest (VBAR_EL2 + 0x480, lower EL AArch64
 *     IRQ) with GICC_IAR = 25, GICH_MISR = EOI, GICH_EISR0 = 0x1; it clears
 *     LR0, EOIs 25 and returns to the guest. (The guest's handler polls a
 *     flag for this in a bounded loop: the physical IRQ is routed to EL2 and
 *     cannot be masked at EL1, so it is taken as soon as it is signalled,
 *     and a "mask, check, WFI" wait does not apply.)
 *   Round 4, other maintenance conditions (GICH_MISR, read at EL2):
 *     U (UIE=1, at most one valid LR), NP (NPIE=1, no LR in the pending
 *     state), VGrp0E (VGrp0EIE=1 and VMGrp0En=1), VGrp0D (VGrp0DIE=1 and
 *     VMGrp0En=0), VGrp1E (VGrp1EIE=1 and VMGrp1En=1), VGrp1D (VGrp1DIE=1
 *     and VMGrp1En=0). With En=0 the MISR bits are still computed but the
 *     maintenance interrupt is not asserted.
 *   Round 5, LRENP: the guest acknowledges vINTID 60 (LR0, prio 0x90; EL2
 *     then sees LR0 active and GICH_APR bit 18 = 0x90 >> 3), EL2 evicts LR0
 *     (HVC), the guest's EOI of 60 matches no LR: the priority drop happens
 *     (GICH_APR = 0, GICV_RPR idle), GICH_HCR.EOICount becomes 1 and, with
 *     LRENPIE, GICH_MISR.LRENP = 1; clearing EOICount clears it. */
#include "pagetable.h"
#include "gicv2.h"

static struct {
    char what;
    unsigned intid;
    unsigned rpr;
} ev[32];
static volatile unsigned nev;

static void log_ev(char what, unsigned intid, unsigned rpr)
{
    if (nev < 32) {
        ev[nev].what = what;
        ev[nev].intid = intid;
        ev[nev].rpr = rpr;
    }
    nev++;
}

static void print_log(const char *what, const char *expect)
{
    char buf[128];
    unsigned n = 0;
    rt_printf("%s:", what);
    for (unsigned i = 0; i < nev && i < 32; i++) {
        if (ev[i].what == 'M')
            rt_printf(" M%u", ev[i].intid);
        else
            rt_printf(" %c%u(rpr=0x%x)", ev[i].what, ev[i].intid, ev[i].rpr);
        if (n + 4 < sizeof buf) {
            buf[n++] = ev[i].what;
            if (ev[i].intid >= 10)
                buf[n++] = (char)('0' + ev[i].intid / 10 % 10);
            buf[n++] = (char)('0' + ev[i].intid % 10);
        }
    }
    buf[n] = 0;
    rt_puts("\n");
    const char *a = buf, *b = expect;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    check(*a == 0 && *b == 0, what);
    nev = 0;
}

static void expect_x(const char *what, uint32_t got, uint32_t want)
{
    rt_printf("  %s = 0x%x\n", what, got);
    check(got == want, what);
}

static unsigned maint_pending(void) { return (gicd_r32(GICD_ISPENDR(0)) >> MAINT_INTID) & 1; }

/* ---- guest (EL1) ---- */
/* Where the guest accesses its CPU interface: GICV_BASE (stage 2 off) or
 * GICC_BASE (the IPA that stage 2 maps to GICV). */
static volatile uint64_t g_cpuif;
#define gv_r32(off) mmio_r32(g_cpuif + (off))
#define gv_w32(off, v) mmio_w32(g_cpuif + (off), (v))

static volatile int maint_seen;

void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        uint32_t iar = gv_r32(GICC_IAR);
        unsigned intid = IAR_INTID(iar);
        log_ev('+', intid, gv_r32(GICC_RPR));
        if (intid >= 1020) {
            f->spsr |= 1UL << 7;
            return;
        }
        gv_w32(GICC_EOIR, iar);
        /* The maintenance interrupt raised by this EOI is taken to EL2 as
         * soon as the PE sees it (see the header comment). */
        for (unsigned n = 0; intid == 50 && !maint_seen && n < 1000000; n++)
            __asm__ volatile("" ::: "memory");
        log_ev('-', intid, gv_r32(GICC_RPR));
        return;
    }
    trap_record(f, 1, vector);
}

/* The virtual IRQ is pending before the guest unmasks, so it is taken at
 * once. */
static void guest_window(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
}

static volatile uint32_t g_isr, g_hppir, g_iar_after;

static uint64_t guest_main(uint64_t arg)
{
    (void)arg;
    g_isr = (uint32_t)READ_SYSREG(isr_el1);
    g_hppir = IAR_INTID(gv_r32(GICC_HPPIR));
    guest_window();
    g_iar_after = IAR_INTID(gv_r32(GICC_IAR));
    return 0;
}

static uint64_t guest_maint(uint64_t arg)
{
    (void)arg;
    guest_window();
    return 0;
}

static volatile uint32_t lrenp_lr0, lrenp_apr;

static uint64_t guest_lrenp(uint64_t arg)
{
    (void)arg;
    uint32_t iar = gv_r32(GICC_IAR);
    log_ev('+', IAR_INTID(iar), gv_r32(GICC_RPR));
    __asm__ volatile("hvc #1" ::: "memory");   /* EL2 evicts LR0 */
    gv_w32(GICC_EOIR, iar);
    log_ev('-', IAR_INTID(iar), gv_r32(GICC_RPR));
    return 0;
}

/* ---- EL2 ---- */
static volatile uint32_t m_misr, m_eisr, m_lr0;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {
        uint32_t iar = gicc_r32(GICC_IAR);
        unsigned intid = IAR_INTID(iar);
        if (intid == MAINT_INTID) {
            m_misr = gich_r32(GICH_MISR);
            m_eisr = gich_r32(GICH_EISR0);
            m_lr0 = gich_r32(GICH_LR(0));
            gich_w32(GICH_LR(0), 0);
            maint_seen = 1;
            log_ev('M', intid, 0);
        }
        if (intid < 1020)
            gicc_w32(GICC_EOIR, iar);
        else
            f->spsr |= 1UL << 7;
        return;
    }
    if (vector == RT_VEC_LOWER64 + RT_SYNC) {
        uint64_t esr = READ_SYSREG(esr_el2);
        if (ESR_EC(esr) == 0x16 && (esr & 0xffff) == 1) {
            lrenp_lr0 = gich_r32(GICH_LR(0));
            lrenp_apr = gich_r32(GICH_APR);
            gich_w32(GICH_LR(0), 0);
            return;
        }
    }
    trap_record(f, 2, vector);
}

static void print_lrs(void)
{
    for (unsigned i = 0; i < 4; i++) {
        uint32_t lr = gich_r32(GICH_LR(i));
        rt_printf("  GICH_LR%u = 0x%08x (%s)\n", i, lr, lr_state_name[LR_STATE(lr)]);
    }
}

/* The maintenance interrupt is asserted when GICH_HCR.En = 1 and GICH_MISR
 * != 0 (MISR itself does not depend on En). */
static void misr_case(const char *what, uint32_t hcr, uint32_t vmcr, uint32_t want)
{
    unsigned line = (hcr & GICH_HCR_EN) && want != 0;
    gich_w32(GICH_VMCR, vmcr);
    gich_w32(GICH_HCR, hcr);
    uint32_t misr = gich_r32(GICH_MISR);
    rt_printf("  %s: GICH_MISR = 0x%x, PPI 25 pending = %u\n", what, misr, maint_pending());
    check(misr == want, what);
    check(maint_pending() == line, "maintenance line");
}

static void three_lrs_round(const char *title, uint64_t hcr)
{
    rt_puts(title);
    gich_w32(GICH_VMCR, GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK(0xf8));
    gich_w32(GICH_HCR, GICH_HCR_EN);
    gich_w32(GICH_LR(0), LR_G0_PENDING(40, 0xa0));
    gich_w32(GICH_LR(1), LR_G0_PENDING(41, 0x60) | LR_EOI);
    gich_w32(GICH_LR(2), LR_G0_PENDING(42, 0x80));
    print_lrs();
    expect_x("GICH_ELRSR0", gich_r32(GICH_ELRSR0), 0x8);
    expect_x("GICH_MISR", gich_r32(GICH_MISR), 0);
    rt_run_el1(guest_main, hcr, 0);
    rt_printf("  guest: ISR_EL1.I=%u GICV_HPPIR=%u\n", (g_isr >> 7) & 1, g_hppir);
    check(((g_isr >> 7) & 1) == 1 && g_hppir == 41, "guest sees the pending vIRQ");
    print_log("  guest IRQs", "+41-41+42-42+40-40");
    rt_printf("  guest: GICV_IAR afterwards = %u\n", g_iar_after);
    check(g_iar_after == INTID_SPURIOUS, "GICV_IAR 1023 when nothing pending");
    print_lrs();
    for (unsigned i = 0; i < 3; i++)
        check(LR_STATE(gich_r32(GICH_LR(i))) == 0, "LR invalid after EOI");
    expect_x("GICH_ELRSR0", gich_r32(GICH_ELRSR0), 0xd);
    expect_x("GICH_EISR0", gich_r32(GICH_EISR0), 0x2);
    expect_x("GICH_MISR", gich_r32(GICH_MISR), GICH_MISR_EOI);
    rt_printf("  GICH_HCR.EOICount = %u\n", GICH_HCR_EOICOUNT(gich_r32(GICH_HCR)));
    check(GICH_HCR_EOICOUNT(gich_r32(GICH_HCR)) == 0, "EOICount");
    expect_x("GICH_APR", gich_r32(GICH_APR), 0);
    rt_printf("  maintenance PPI 25 pending (GICD_ISPENDR0.25) = %u\n", maint_pending());
    check(maint_pending(), "maintenance interrupt pending");
    for (unsigned i = 0; i < 4; i++)
        gich_w32(GICH_LR(i), 0);
    expect_x("GICH_ELRSR0 after clearing the LRs", gich_r32(GICH_ELRSR0), 0xf);
    expect_x("GICH_EISR0 after clearing the LRs", gich_r32(GICH_EISR0), 0);
    expect_x("GICH_MISR after clearing the LRs", gich_r32(GICH_MISR), 0);
    rt_printf("  maintenance PPI 25 pending = %u\n", maint_pending());
    check(!maint_pending(), "maintenance interrupt no longer pending");
}

int main(void)
{
    rt_puts("gicv2_virtual_lrs\n");
    gicv2_dist_enable();
    gicv2_cpuif_enable(0xff, 0);
    gicv2_irq_setup(MAINT_INTID, 0x80, 0, 0);   /* Group 0, not enabled yet */

    /* Start from a known state of the virtual interface. */
    gich_w32(GICH_HCR, 0);
    for (unsigned i = 0; i < 4; i++)
        gich_w32(GICH_LR(i), 0);

    g_cpuif = GICV_BASE;
    three_lrs_round("round 1: three virtual interrupts in LR0..2, guest uses GICV at its physical address\n",
                    HCR_IMO);

    struct pt s2;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 2);
    pt_map_range(&s2, GICC_BASE, GICV_BASE, 2 * PAGE_SIZE, 3,
                 S2_MEMATTR(S2_DEVICE_nGnRE) | S2AP_RW | PTE_AF | S2_XN);
    s2_setup(&s2);
    g_cpuif = GICC_BASE;
    three_lrs_round("round 2: the same with stage 2 on, GICV mapped at the guest's GICC IPA 0x08010000\n",
                    HCR_IMO | HCR_VM);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    g_cpuif = GICV_BASE;

    rt_puts("round 3: maintenance interrupt taken at EL2 from the guest\n");
    gicv2_set_enable(MAINT_INTID, 1);
    gich_w32(GICH_LR(0), LR_G0_PENDING(50, 0x90) | LR_EOI);
    rt_run_el1(guest_maint, HCR_IMO, 0);
    print_log("  log", "+50M25-50");
    rt_printf("  in the handler: GICH_MISR=0x%x GICH_EISR0=0x%x LR0 state=%s\n", m_misr, m_eisr,
              lr_state_name[LR_STATE(m_lr0)]);
    check(m_misr == GICH_MISR_EOI && m_eisr == 1 && LR_STATE(m_lr0) == 0, "maintenance state");
    expect_x("GICD_ISPENDR0 afterwards", gicd_r32(GICD_ISPENDR(0)), 0);
    expect_x("GICD_ISACTIVER0 afterwards", gicd_r32(GICD_ISACTIVER(0)), 0);
    gicv2_set_enable(MAINT_INTID, 0);

    rt_puts("round 4: maintenance conditions (GICH_MISR)\n");
    uint32_t on = GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK(0xf8);
    misr_case("UIE, no valid LR", GICH_HCR_EN | GICH_HCR_UIE, on, GICH_MISR_U);
    gich_w32(GICH_LR(0), LR_G0_PENDING(40, 0xa0));
    misr_case("UIE, one valid LR", GICH_HCR_EN | GICH_HCR_UIE, on, GICH_MISR_U);
    gich_w32(GICH_LR(1), LR_STATE_ACTIVE | LR_PRIO(0xa0) | LR_VID(41));
    misr_case("UIE, two valid LRs", GICH_HCR_EN | GICH_HCR_UIE, on, 0);
    misr_case("NPIE, LR0 pending", GICH_HCR_EN | GICH_HCR_NPIE, on, 0);
    gich_w32(GICH_LR(0), 0);
    misr_case("NPIE, only LR1 (active)", GICH_HCR_EN | GICH_HCR_NPIE, on, GICH_MISR_NP);
    gich_w32(GICH_LR(1), 0);
    misr_case("NPIE, no valid LR", GICH_HCR_EN | GICH_HCR_NPIE, on, GICH_MISR_NP);
    misr_case("UIE|NPIE, En=0 (no maintenance interrupt)", GICH_HCR_UIE | GICH_HCR_NPIE, on,
              GICH_MISR_U | GICH_MISR_NP);
    misr_case("VGrp0EIE, VMGrp0En=1", GICH_HCR_EN | GICH_HCR_VGRP0EIE, on, GICH_MISR_VGRP0E);
    misr_case("VGrp0EIE, VMGrp0En=0", GICH_HCR_EN | GICH_HCR_VGRP0EIE, GICH_VMCR_VMPRIMASK(0xf8), 0);
    misr_case("VGrp0DIE, VMGrp0En=0", GICH_HCR_EN | GICH_HCR_VGRP0DIE, GICH_VMCR_VMPRIMASK(0xf8),
              GICH_MISR_VGRP0D);
    misr_case("VGrp0DIE, VMGrp0En=1", GICH_HCR_EN | GICH_HCR_VGRP0DIE, on, 0);
    misr_case("VGrp1EIE, VMGrp1En=1", GICH_HCR_EN | GICH_HCR_VGRP1EIE,
              GICH_VMCR_VMGRP1EN | GICH_VMCR_VMPRIMASK(0xf8), GICH_MISR_VGRP1E);
    misr_case("VGrp1EIE, VMGrp1En=0", GICH_HCR_EN | GICH_HCR_VGRP1EIE, on, 0);
    misr_case("VGrp1DIE, VMGrp1En=0", GICH_HCR_EN | GICH_HCR_VGRP1DIE, on, GICH_MISR_VGRP1D);
    misr_case("VGrp1DIE, VMGrp1En=1", GICH_HCR_EN | GICH_HCR_VGRP1DIE,
              GICH_VMCR_VMGRP1EN | GICH_VMCR_VMPRIMASK(0xf8), 0);

    rt_puts("round 5: EOI of an interrupt in no LR (LRENPIE, EOICount)\n");
    gich_w32(GICH_LR(0), LR_G0_PENDING(60, 0x90));
    misr_case("LRENPIE, EOICount=0", GICH_HCR_EN | GICH_HCR_LRENPIE, on, 0);
    rt_run_el1(guest_lrenp, HCR_IMO, 0);
    print_log("  guest", "+60-60");
    rt_printf("  at the HVC: LR0 = 0x%08x (%s), GICH_APR = 0x%x\n", lrenp_lr0, lr_state_name[LR_STATE(lrenp_lr0)],
              lrenp_apr);
    check(LR_STATE(lrenp_lr0) == 2 && lrenp_apr == (1u << (0x90 >> 3)), "LR0 active, APR");
    expect_x("GICH_APR after the guest's EOI", gich_r32(GICH_APR), 0);
    uint32_t hcr = gich_r32(GICH_HCR);
    rt_printf("  GICH_HCR.EOICount = %u\n", GICH_HCR_EOICOUNT(hcr));
    check(GICH_HCR_EOICOUNT(hcr) == 1, "EOICount 1");
    uint32_t misr = gich_r32(GICH_MISR);
    rt_printf("  GICH_MISR = 0x%x, PPI 25 pending = %u\n", misr, maint_pending());
    check(misr == GICH_MISR_LRENP && maint_pending(), "LRENP");
    misr_case("EOICount cleared", GICH_HCR_EN | GICH_HCR_LRENPIE, on, 0);
    misr_case("EOICount=1, LRENPIE=0", GICH_HCR_EN | GICH_HCR_EOICOUNT_ONE, on, 0);
    misr_case("EOICount=1, LRENPIE=1", GICH_HCR_EN | GICH_HCR_LRENPIE | GICH_HCR_EOICOUNT_ONE, on,
              GICH_MISR_LRENP);

    gich_w32(GICH_HCR, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
