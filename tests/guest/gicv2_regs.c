// QEMU-MACHINE: virt,virtualization=on,gic-version=2
// AVSIM-ARGS: --gic=v2
/* GICv2 identification and configuration registers of the virt board's GIC
 * (IHI 0048B chapter 4 and 5.3), read at EL2 through the MMIO frames.
 *   GICD_TYPER: ITLinesNumber = 8 (32 * 9 = 288 INTIDs: 256 SPIs + 32),
 *     CPUNumber = 0 (one CPU interface), SecurityExtn = 0 (LSPI, only
 *     meaningful with Security Extensions, is masked).
 *   GICD_PIDR2.ArchRev = 2 (GICv2); the other identification bits are
 *     IMPLEMENTATION DEFINED and masked, as are GICD_IIDR (not printed) and
 *     the ProductID, Revision and Implementer fields of GICC_IIDR and
 *     GICV_IIDR, of which only ArchitectureVersion = 2 is printed.
 *   GICD_ITARGETSR: IHI 0048B 4.3.12, "in a uniprocessor implementation, all
 *     interrupts target the one processor, and the GICD_ITARGETSRs are
 *     RAZ/WI". With CPUNumber = 0 this GIC is uniprocessor: the banked
 *     registers for SGIs and PPIs (ITARGETSR0-7) read 0 rather than the
 *     CPU's own bit (0x01 per byte, which a multiprocessor GIC returns), and
 *     an SPI's target byte written 0x01 or 0xff still reads 0. (With
 *     -smp 2 QEMU returns the own-bit value 0x01010101 for SGIs/PPIs; avsim
 *     models one PE.)
 *   GICD_ICFGR0 (SGIs) reads 0xaaaaaaaa (edge, not programmable); writing 0
 *     leaves it unchanged. GICD_ICFGR2's field for INTID 33 is RW (bit 3).
 *   GICD_IGROUPR1 bit 1 (INTID 33) is RW (no Security Extensions: the group
 *     registers are accessible).
 *   Implemented priority bits (IMPLEMENTATION DEFINED, a property of the
 *     model that avsim copies): GICD_IPRIORITYR and GICC_PMR written 0xff.
 *   GICC_BPR written 0 reads its minimum.
 *   GICH_VTR: ListRegs = 3 (4 LRs), PREbits = 4, PRIbits = 4 (5 bits each).
 *   GICH_VMCR and GICV_*: with GICH_VMCR = VMGrp0En | VMPriMask 0xf0 |
 *     VMBP 0, the virtual CPU interface (accessed at EL2 through GICV)
 *     shows GICV_CTLR = 1, GICV_PMR = 0xf0 and GICV_BPR = 2 (the minimum
 *     with 5 group-priority bits: group priority field [7:3]); GICH_VMCR
 *     reads VMBP = 2. Writes to GICV_PMR / GICV_BPR / GICV_CTLR show in
 *     GICH_VMCR; GICV_PMR keeps only the 5 implemented bits.
 *   With every GICH_LR zero: GICH_ELRSR0 = 0xf, GICH_EISR0 = 0,
 *     GICH_MISR = 0. GICH_APR is RW (bit 18 written reads back). */
#include "trap.h"
#include "gicv2.h"

TRAP_HANDLERS

static void expect_x(const char *what, uint32_t got, uint32_t want)
{
    rt_printf("  %s = 0x%x\n", what, got);
    check(got == want, what);
}
static void expect_u(const char *what, uint32_t got, uint32_t want)
{
    rt_printf("  %s = %u\n", what, got);
    check(got == want, what);
}

int main(void)
{
    rt_puts("gicv2_regs\n");

    rt_puts("distributor\n");
    uint32_t typer = gicd_r32(GICD_TYPER);
    rt_printf("  GICD_TYPER: ITLinesNumber=%u (%u INTIDs) CPUNumber=%u SecurityExtn=%u (LSPI masked)\n",
              GICD_TYPER_ITLINES(typer), 32 * (GICD_TYPER_ITLINES(typer) + 1), GICD_TYPER_CPUNUM(typer),
              GICD_TYPER_SECEXTN(typer));
    check(GICD_TYPER_ITLINES(typer) == 8 && GICD_TYPER_CPUNUM(typer) == 0 && GICD_TYPER_SECEXTN(typer) == 0,
          "GICD_TYPER");
    uint32_t pidr2 = gicd_r32(GICD_PIDR2);
    expect_u("GICD_PIDR2.ArchRev (other bits IMPLEMENTATION DEFINED, masked)", PIDR2_ARCHREV(pidr2), 2);
    gicv2_dist_enable();
    expect_x("GICD_CTLR after writing EnableGrp0|EnableGrp1", gicd_r32(GICD_CTLR), 3);

    rt_puts("GICD_ITARGETSR (uniprocessor: RAZ/WI)\n");
    uint32_t or_all = 0;
    for (unsigned n = 0; n < 8; n++)
        or_all |= gicd_r32(GICD_ITARGETSR(4 * n));
    expect_x("GICD_ITARGETSR0..7 (SGIs, PPIs) ORed", or_all, 0);
    mmio_w8(GICD_BASE + GICD_ITARGETSR(UART_INTID), 0x01);
    expect_x("GICD_ITARGETSR byte 33 after writing 0x01", mmio_r8(GICD_BASE + GICD_ITARGETSR(UART_INTID)), 0);
    mmio_w8(GICD_BASE + GICD_ITARGETSR(UART_INTID), 0xff);
    expect_x("GICD_ITARGETSR byte 33 after writing 0xff", mmio_r8(GICD_BASE + GICD_ITARGETSR(UART_INTID)), 0);
    expect_x("GICD_ITARGETSR8 (INTIDs 32-35)", gicd_r32(GICD_ITARGETSR(32)), 0);

    rt_puts("configuration, group, priority\n");
    expect_x("GICD_ICFGR0 (SGIs)", gicd_r32(GICD_ICFGR(0)), 0xaaaaaaaa);
    gicd_w32(GICD_ICFGR(0), 0);
    expect_x("GICD_ICFGR0 after writing 0", gicd_r32(GICD_ICFGR(0)), 0xaaaaaaaa);
    uint32_t cfg2 = gicd_r32(GICD_ICFGR(2));
    gicd_w32(GICD_ICFGR(2), cfg2 | (1u << 3));
    expect_u("GICD_ICFGR2 bit 3 (INTID 33 edge) after setting", (gicd_r32(GICD_ICFGR(2)) >> 3) & 1, 1);
    gicd_w32(GICD_ICFGR(2), cfg2 & ~(1u << 3));
    expect_u("GICD_ICFGR2 bit 3 after clearing", (gicd_r32(GICD_ICFGR(2)) >> 3) & 1, 0);
    uint32_t grp1 = gicd_r32(GICD_IGROUPR(1));
    gicd_w32(GICD_IGROUPR(1), grp1 | 2);
    expect_u("GICD_IGROUPR1 bit 1 (INTID 33) after setting", (gicd_r32(GICD_IGROUPR(1)) >> 1) & 1, 1);
    gicd_w32(GICD_IGROUPR(1), grp1 & ~2u);
    expect_u("GICD_IGROUPR1 bit 1 after clearing", (gicd_r32(GICD_IGROUPR(1)) >> 1) & 1, 0);
    gicv2_set_priority(UART_INTID, 0xff);
    rt_printf("  GICD_IPRIORITYR byte 33 after writing 0xff = 0x%x (implemented priority bits)\n",
              mmio_r8(GICD_BASE + GICD_IPRIORITYR(UART_INTID)));
    uint32_t prio_ff = mmio_r8(GICD_BASE + GICD_IPRIORITYR(UART_INTID));
    gicv2_set_priority(UART_INTID, 0xa5);
    expect_x("GICD_IPRIORITYR byte 33 after writing 0xa5", mmio_r8(GICD_BASE + GICD_IPRIORITYR(UART_INTID)),
             0xa5 & prio_ff);
    gicv2_set_priority(UART_INTID, 0);

    rt_puts("physical CPU interface (GICC)\n");
    expect_u("GICC_IIDR.ArchitectureVersion (other fields IMPLEMENTATION DEFINED, masked)",
             IIDR_ARCH(gicc_r32(GICC_IIDR)), 2);
    gicc_w32(GICC_PMR, 0xff);
    rt_printf("  GICC_PMR after writing 0xff = 0x%x\n", gicc_r32(GICC_PMR));
    check(gicc_r32(GICC_PMR) == prio_ff, "GICC_PMR and GICD_IPRIORITYR implement the same bits");
    gicc_w32(GICC_BPR, 0);
    rt_printf("  GICC_BPR after writing 0 = %u\n", gicc_r32(GICC_BPR));
    gicc_w32(GICC_CTLR, GICC_CTLR_ENGRP0 | GICC_CTLR_EOIMODE);
    expect_x("GICC_CTLR after writing EnableGrp0|EOImode(bit 9)", gicc_r32(GICC_CTLR),
             GICC_CTLR_ENGRP0 | GICC_CTLR_EOIMODE);
    gicc_w32(GICC_CTLR, GICC_CTLR_ENGRP0);
    expect_x("GICC_RPR (idle)", gicc_r32(GICC_RPR), 0xff);
    expect_u("GICC_HPPIR (nothing pending)", IAR_INTID(gicc_r32(GICC_HPPIR)), INTID_SPURIOUS);

    rt_puts("virtual interface control (GICH)\n");
    uint32_t vtr = gich_r32(GICH_VTR);
    rt_printf("  GICH_VTR: ListRegs=%u (%u LRs) PREbits=%u PRIbits=%u\n", GICH_VTR_LISTREGS(vtr),
              GICH_VTR_LISTREGS(vtr) + 1, GICH_VTR_PREBITS(vtr), GICH_VTR_PRIBITS(vtr));
    check(GICH_VTR_LISTREGS(vtr) == 3 && GICH_VTR_PREBITS(vtr) == 4 && GICH_VTR_PRIBITS(vtr) == 4, "GICH_VTR");
    /* Start from a known state of the virtual interface. */
    gich_w32(GICH_HCR, 0);
    for (unsigned i = 0; i < 4; i++)
        gich_w32(GICH_LR(i), 0);
    expect_x("GICH_ELRSR0 with all LRs zero", gich_r32(GICH_ELRSR0), 0xf);
    expect_x("GICH_EISR0 with all LRs zero", gich_r32(GICH_EISR0), 0);
    expect_x("GICH_MISR", gich_r32(GICH_MISR), 0);
    gich_w32(GICH_APR, 1u << 18);
    expect_x("GICH_APR after writing bit 18", gich_r32(GICH_APR), 1u << 18);
    gich_w32(GICH_APR, 0);
    gich_w32(GICH_LR(1), LR_G0_PENDING(40, 0xa0) | LR_EOI);
    expect_x("GICH_LR1 after writing pending vINTID 40, prio 0xa0, EOI", gich_r32(GICH_LR(1)),
             LR_G0_PENDING(40, 0xa0) | LR_EOI);
    expect_x("GICH_ELRSR0 with LR1 pending", gich_r32(GICH_ELRSR0), 0xd);
    gich_w32(GICH_LR(1), 0);

    rt_puts("virtual CPU interface (GICV) and GICH_VMCR\n");
    expect_u("GICV_IIDR.ArchitectureVersion (other fields IMPLEMENTATION DEFINED, masked)",
             IIDR_ARCH(gicv_r32(GICC_IIDR)), 2);
    gich_w32(GICH_VMCR, GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK(0xf0) | GICH_VMCR_VMBP(0));
    uint32_t vmcr = gich_r32(GICH_VMCR);
    rt_printf("  GICH_VMCR after writing VMGrp0En | VMPriMask 0xf0 | VMBP 0: ctlr=0x%x VMPriMask=0x%x VMBP=%u\n",
              vmcr & 0x3ff, VMCR_PRIMASK(vmcr), VMCR_BP(vmcr));
    check((vmcr & 0x3ff) == 1 && VMCR_PRIMASK(vmcr) == 0xf0 && VMCR_BP(vmcr) == 2, "GICH_VMCR");
    expect_x("GICV_CTLR", gicv_r32(GICC_CTLR), 1);
    expect_x("GICV_PMR", gicv_r32(GICC_PMR), 0xf0);
    expect_u("GICV_BPR", gicv_r32(GICC_BPR), 2);
    gicv_w32(GICC_PMR, 0xff);
    gicv_w32(GICC_BPR, 4);
    gicv_w32(GICC_CTLR, GICC_CTLR_ENGRP0 | GICC_CTLR_EOIMODE);
    expect_x("GICV_PMR after writing 0xff", gicv_r32(GICC_PMR), 0xf8);
    vmcr = gich_r32(GICH_VMCR);
    rt_printf("  GICH_VMCR after GICV_PMR=0xff, GICV_BPR=4, GICV_CTLR=EnableGrp0|EOImode: ctlr=0x%x VMPriMask=0x%x VMBP=%u\n",
              vmcr & 0x3ff, VMCR_PRIMASK(vmcr), VMCR_BP(vmcr));
    check((vmcr & 0x3ff) == (GICH_VMCR_VMGRP0EN | GICH_VMCR_VEM) && VMCR_PRIMASK(vmcr) == 0xf8 &&
              VMCR_BP(vmcr) == 4,
          "GICH_VMCR follows the GICV writes");
    expect_x("GICV_RPR (idle)", gicv_r32(GICC_RPR), 0xff);
    expect_u("GICV_IAR (no LR, GICH_HCR.En=0)", IAR_INTID(gicv_r32(GICC_IAR)), INTID_SPURIOUS);
    gich_w32(GICH_VMCR, 0);

    return test_result();
}
