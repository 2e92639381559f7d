/* GICv3 distributor and redistributor registers, from EL2 (no interrupt is
 * taken; IHI 0069 chapter 12):
 *   GICD_CTLR: DS (single security state, no EL3) and ARE read as one; the
 *     enables are written and read back.
 *   GICD_TYPER: CPUNumber = 0, SecurityExtn = 0. Printed masked: the other
 *     fields (IDbits, LPIS/MBIS, A3V, No1N, ...) are IMPLEMENTATION DEFINED
 *     choices of QEMU, and ITLinesNumber is checked by gic_itlines (QEMU 7.2
 *     reports 7 although the virt board implements SPIs up to INTID 287).
 *   GICD_PIDR2/GICR_PIDR2.ArchRev = 3 (GICv3); the rest of the ID registers
 *     (JEP106 codes, GICD_IIDR) are not printed.
 *   GICR_TYPER: Last = 1 (the only redistributor), Processor_Number = 0,
 *     Affinity_Value = 0; other fields (PLPIS, VLPIS, ...) not printed.
 *   GICR_WAKER: resets with ProcessorSleep = ChildrenAsleep = 1; clearing
 *     ProcessorSleep makes ChildrenAsleep read 0.
 *   Set/clear register pairs: ISENABLER/ICENABLER, ISPENDR/ICPENDR,
 *     ISACTIVER/ICACTIVER on SGIs/PPIs (GICR_*0) and SPIs (GICD_*<n>), reads
 *     of either register of a pair return the state; writing 0 bits has no
 *     effect. With affinity routing the distributor's register 0 of each
 *     family (INTIDs 0..31) is RAZ/WI. QEMU implements the SGI enable bits as
 *     programmable (the GIC spec lets that be IMPLEMENTATION DEFINED).
 *   GICD_IPRIORITYR/GICR_IPRIORITYR: byte writes land in their byte; all
 *     eight priority bits are implemented by QEMU's distributor.
 *   GICD_ICFGR: bit 2n+1 per SPI (1 = edge; bit 2n RES0, not written); GICR_ICFGR0 (SGIs)
 *     reads as all edge (0xaaaaaaaa) and ignores writes.
 *   GICD_IROUTER: 64-bit, Aff3 [39:32], Aff2/Aff1/Aff0 [23:0] read back as
 *     written (64-bit and 32-bit halves). Not checked: the RES0 bits and IRM
 *     (RES0 or stored: QEMU stores them, also a permitted implementation).
 * Reset values printed ("at reset") are QEMU's, all zero except GICR_WAKER
 * (whose reset value the spec defines); the spec leaves most of the others
 * IMPLEMENTATION DEFINED or UNKNOWN, and the other GIC tests rely on the
 * zero state (Group 0, disabled, priority 0, level, not pending).
 * The test leaves every interrupt disabled and not pending. */
#include "trap.h"
#include "gic.h"

TRAP_HANDLERS

#define SPI_A 40  /* GICD_*1 bit 8 */

static void show32(const char *name, uint32_t v, uint32_t expect)
{
    rt_printf("  %s = 0x%08x\n", name, v);
    check(v == expect, name);
}

int main(void)
{
    rt_puts("gic_dist_regs\n");

    rt_puts("GICD identification\n");
    uint32_t ctlr = gicd_r32(GICD_CTLR);
    rt_printf("  GICD_CTLR at reset: DS=%u ARE=%u EnableGrp1=%u EnableGrp0=%u\n",
              (ctlr >> 6) & 1, (ctlr >> 4) & 1, (ctlr >> 1) & 1, ctlr & 1);
    check(ctlr & GICD_CTLR_DS, "DS=1");
    uint32_t typer = gicd_r32(GICD_TYPER);
    rt_printf("  GICD_TYPER: CPUNumber=%u SecurityExtn=%u (other fields masked)\n",
              GICD_TYPER_CPUNUM(typer), GICD_TYPER_SECEXTN(typer));
    check(GICD_TYPER_CPUNUM(typer) == 0, "CPUNumber");
    check(GICD_TYPER_SECEXTN(typer) == 0, "SecurityExtn");
    rt_printf("  GICD_PIDR2.ArchRev=%u\n", PIDR2_ARCHREV(gicd_r32(GICD_PIDR2)));
    check(PIDR2_ARCHREV(gicd_r32(GICD_PIDR2)) == 3, "GICD ArchRev");

    gic_dist_enable();
    ctlr = gicd_r32(GICD_CTLR);
    rt_printf("  GICD_CTLR after enabling: DS=%u ARE=%u EnableGrp1=%u EnableGrp0=%u RWP=%u\n",
              (ctlr >> 6) & 1, (ctlr >> 4) & 1, (ctlr >> 1) & 1, ctlr & 1, ctlr >> 31);
    check((ctlr & 0x53) == 0x53, "GICD_CTLR enables");

    rt_puts("GICR identification\n");
    uint64_t rtyper = mmio_r64(GICR_RD_BASE + GICR_TYPER);
    rt_printf("  GICR_TYPER: Affinity=0x%lx Processor_Number=%lu Last=%lu (other fields masked)\n",
              GICR_TYPER_AFF(rtyper), GICR_TYPER_PROCNUM(rtyper), GICR_TYPER_LAST(rtyper));
    check(GICR_TYPER_LAST(rtyper) == 1 && GICR_TYPER_AFF(rtyper) == 0 &&
              GICR_TYPER_PROCNUM(rtyper) == 0, "GICR_TYPER");
    rt_printf("  GICR_PIDR2.ArchRev=%u\n", PIDR2_ARCHREV(gicr_r32(GICR_PIDR2)));
    check(PIDR2_ARCHREV(gicr_r32(GICR_PIDR2)) == 3, "GICR ArchRev");

    rt_puts("GICR_WAKER handshake\n");
    show32("GICR_WAKER at reset", gicr_r32(GICR_WAKER), GICR_WAKER_PS | GICR_WAKER_CA);
    gicr_w32(GICR_WAKER, gicr_r32(GICR_WAKER) & ~GICR_WAKER_PS);
    unsigned spins = 0;
    while ((gicr_r32(GICR_WAKER) & GICR_WAKER_CA) && spins < 1000000)
        spins++;
    show32("GICR_WAKER after clearing ProcessorSleep", gicr_r32(GICR_WAKER), 0);

    rt_puts("SGI/PPI enables (GICR_ISENABLER0/ICENABLER0)\n");
    show32("GICR_ISENABLER0 at reset", gics_r32(GICR_ISENABLER0), 0);
    gics_w32(GICR_ISENABLER0, 0xffffffff);
    show32("GICR_ISENABLER0 after writing all ones", gics_r32(GICR_ISENABLER0), 0xffffffff);
    gics_w32(GICR_ICENABLER0, 0x0000ff0f);
    show32("GICR_ICENABLER0 after clearing 0x0000ff0f", gics_r32(GICR_ICENABLER0), 0xffff00f0);
    gics_w32(GICR_ISENABLER0, 0);
    show32("GICR_ISENABLER0 after writing 0", gics_r32(GICR_ISENABLER0), 0xffff00f0);
    gics_w32(GICR_ICENABLER0, 0xffffffff);
    show32("GICR_ISENABLER0 after clearing all", gics_r32(GICR_ISENABLER0), 0);

    rt_puts("SGI/PPI pending (GICR_ISPENDR0/ICPENDR0)\n");
    show32("GICR_ISPENDR0 at reset", gics_r32(GICR_ISPENDR0), 0);
    gics_w32(GICR_ISPENDR0, (1u << 3) | (1u << 20));
    show32("GICR_ISPENDR0 after pending SGI 3 and PPI 20", gics_r32(GICR_ISPENDR0), 0x00100008);
    show32("GICR_ICPENDR0 (same state)", gics_r32(GICR_ICPENDR0), 0x00100008);
    gics_w32(GICR_ICPENDR0, 1u << 3);
    show32("GICR_ISPENDR0 after clearing SGI 3", gics_r32(GICR_ISPENDR0), 0x00100000);
    gics_w32(GICR_ICPENDR0, 0xffffffff);
    show32("GICR_ISPENDR0 after clearing all", gics_r32(GICR_ISPENDR0), 0);

    rt_puts("SGI/PPI active (GICR_ISACTIVER0/ICACTIVER0)\n");
    gics_w32(GICR_ISACTIVER0, (1u << 5) | (1u << 27));
    show32("GICR_ISACTIVER0 after activating SGI 5 and PPI 27", gics_r32(GICR_ISACTIVER0), 0x08000020);
    gics_w32(GICR_ICACTIVER0, 0xffffffff);
    show32("GICR_ISACTIVER0 after clearing all", gics_r32(GICR_ISACTIVER0), 0);

    rt_puts("SGI/PPI group, priority, configuration\n");
    show32("GICR_IGROUPR0 at reset", gics_r32(GICR_IGROUPR0), 0);
    gics_w32(GICR_IGROUPR0, 0xffffffff);
    show32("GICR_IGROUPR0 after writing all ones", gics_r32(GICR_IGROUPR0), 0xffffffff);
    show32("GICR_IPRIORITYR0 (SGIs 0-3) at reset", gics_r32(GICR_IPRIORITYR(0)), 0);
    mmio_w8(GICR_SGI_BASE + GICR_IPRIORITYR(1), 0xa0);
    mmio_w8(GICR_SGI_BASE + GICR_IPRIORITYR(2), 0xff);
    mmio_w8(GICR_SGI_BASE + GICR_IPRIORITYR(3), 0x5a);
    show32("GICR_IPRIORITYR0 after bytes 1..3 = a0 ff 5a", gics_r32(GICR_IPRIORITYR(0)), 0x5affa000);
    rt_printf("  byte reads: SGI1=0x%x SGI2=0x%x SGI3=0x%x\n",
              mmio_r8(GICR_SGI_BASE + GICR_IPRIORITYR(1)), mmio_r8(GICR_SGI_BASE + GICR_IPRIORITYR(2)),
              mmio_r8(GICR_SGI_BASE + GICR_IPRIORITYR(3)));
    gics_w32(GICR_IPRIORITYR(28), 0x12345678);
    show32("GICR_IPRIORITYR7 (PPIs 28-31) word write 0x12345678", gics_r32(GICR_IPRIORITYR(28)), 0x12345678);
    rt_printf("  byte read PPI 30 = 0x%x\n", mmio_r8(GICR_SGI_BASE + GICR_IPRIORITYR(30)));
    check(mmio_r8(GICR_SGI_BASE + GICR_IPRIORITYR(30)) == 0x34, "PPI 30 priority byte");
    gics_w32(GICR_IPRIORITYR(0), 0);
    gics_w32(GICR_IPRIORITYR(28), 0);
    show32("GICR_ICFGR0 (SGIs)", gics_r32(GICR_ICFGR0), 0xaaaaaaaa);
    gics_w32(GICR_ICFGR0, 0);
    show32("GICR_ICFGR0 after writing 0 (read-only)", gics_r32(GICR_ICFGR0), 0xaaaaaaaa);
    gics_w32(GICR_IGROUPR0, 0);

    rt_puts("SPIs (GICD)\n");
    show32("GICD_ISENABLER1 at reset", gicd_r32(GICD_ISENABLER(1)), 0);
    gicd_w32(GICD_ISENABLER(1), (1u << 1) | (1u << 8) | (1u << 31));
    show32("GICD_ISENABLER1 after enabling 33, 40, 63", gicd_r32(GICD_ISENABLER(1)), 0x80000102);
    gicd_w32(GICD_ICENABLER(1), 1u << 31);
    show32("GICD_ICENABLER1 after disabling 63", gicd_r32(GICD_ICENABLER(1)), 0x00000102);
    gicd_w32(GICD_ICENABLER(1), 0xffffffff);
    gicd_wait_rwp();
    show32("GICD_ISENABLER1 after disabling all", gicd_r32(GICD_ISENABLER(1)), 0);
    gicd_w32(GICD_ISENABLER(0), 0xffffffff);
    show32("GICD_ISENABLER0 (RAZ/WI with ARE=1)", gicd_r32(GICD_ISENABLER(0)), 0);
    gicd_w32(GICD_ISPENDR(0), 0xffffffff);
    show32("GICD_ISPENDR0 (RAZ/WI with ARE=1)", gicd_r32(GICD_ISPENDR(0)), 0);
    show32("GICR_ISPENDR0 (untouched by GICD_ISPENDR0)", gics_r32(GICR_ISPENDR0), 0);
    gicd_w32(GICD_ISPENDR(1), 1u << 8);
    gicd_w32(GICD_ISPENDR(8), 1u << 31);   /* INTID 287, the last SPI */
    show32("GICD_ISPENDR1 after pending SPI 40", gicd_r32(GICD_ISPENDR(1)), 0x00000100);
    show32("GICD_ISPENDR8 after pending SPI 287", gicd_r32(GICD_ISPENDR(8)), 0x80000000);
    gicd_w32(GICD_ICPENDR(1), 1u << 8);
    gicd_w32(GICD_ICPENDR(8), 1u << 31);
    show32("GICD_ISPENDR1 after clearing", gicd_r32(GICD_ISPENDR(1)), 0);
    show32("GICD_ISPENDR8 after clearing", gicd_r32(GICD_ISPENDR(8)), 0);
    gicd_w32(GICD_ISACTIVER(1), 1u << 8);
    show32("GICD_ISACTIVER1 after activating SPI 40", gicd_r32(GICD_ISACTIVER(1)), 0x00000100);
    gicd_w32(GICD_ICACTIVER(1), 1u << 8);
    show32("GICD_ISACTIVER1 after deactivating", gicd_r32(GICD_ISACTIVER(1)), 0);
    gicd_w32(GICD_IGROUPR(1), 0xffffffff);
    show32("GICD_IGROUPR1 after writing all ones", gicd_r32(GICD_IGROUPR(1)), 0xffffffff);
    gicd_w32(GICD_IGROUPR(1), 0);

    rt_puts("SPI priorities (GICD_IPRIORITYR)\n");
    show32("GICD_IPRIORITYR10 (SPIs 40-43) at reset", gicd_r32(GICD_IPRIORITYR(SPI_A)), 0);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(SPI_A), 0xff);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(SPI_A + 2), 0x81);
    show32("after bytes 40=ff 42=81", gicd_r32(GICD_IPRIORITYR(SPI_A)), 0x008100ff);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(SPI_A + 3), 0x07);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(SPI_A), 0x40);
    show32("after bytes 43=07 40=40", gicd_r32(GICD_IPRIORITYR(SPI_A)), 0x07810040);
    gicd_w32(GICD_IPRIORITYR(SPI_A), 0xdeadbeef);
    show32("after word 0xdeadbeef", gicd_r32(GICD_IPRIORITYR(SPI_A)), 0xdeadbeef);
    rt_printf("  byte reads: 40=0x%x 41=0x%x 42=0x%x 43=0x%x\n",
              mmio_r8(GICD_BASE + GICD_IPRIORITYR(SPI_A)), mmio_r8(GICD_BASE + GICD_IPRIORITYR(SPI_A + 1)),
              mmio_r8(GICD_BASE + GICD_IPRIORITYR(SPI_A + 2)), mmio_r8(GICD_BASE + GICD_IPRIORITYR(SPI_A + 3)));
    gicd_w32(GICD_IPRIORITYR(SPI_A), 0);

    rt_puts("SPI configuration (GICD_ICFGR)\n");
    show32("GICD_ICFGR2 (SPIs 32-47) at reset", gicd_r32(GICD_ICFGR(2)), 0);
    gicd_w32(GICD_ICFGR(2), 0xaaaaaaaa);
    show32("GICD_ICFGR2 after 0xaaaaaaaa (all edge)", gicd_r32(GICD_ICFGR(2)), 0xaaaaaaaa);
    gicd_w32(GICD_ICFGR(2), 0x00020008);
    show32("GICD_ICFGR2 after 0x00020008 (33 and 40 edge)", gicd_r32(GICD_ICFGR(2)), 0x00020008);
    gicd_w32(GICD_ICFGR(2), 0);

    rt_puts("SPI routing (GICD_IROUTER)\n");
    rt_printf("  GICD_IROUTER40 at reset = 0x%lx\n", mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)));
    check(mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)) == 0, "IROUTER reset");
    mmio_w64(GICD_BASE + GICD_IROUTER(SPI_A), 0x0000000400030201UL);
    rt_printf("  after writing 0x400030201 (affinity 4.3.2.1) = 0x%lx\n",
              mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)));
    check(mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)) == 0x0000000400030201UL, "IROUTER affinity");
    mmio_w64(GICD_BASE + GICD_IROUTER(SPI_A), 0);
    rt_printf("  after writing 0 = 0x%lx\n", mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)));
    check(mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)) == 0, "IROUTER 0");
    mmio_w32(GICD_BASE + GICD_IROUTER(SPI_A) + 4, 0x5);
    rt_printf("  after a 32-bit write of 5 to the upper half = 0x%lx\n",
              mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)));
    check(mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)) == 0x0000000500000000UL, "IROUTER upper half");
    mmio_w32(GICD_BASE + GICD_IROUTER(SPI_A), 0x00010203);
    rt_printf("  after a 32-bit write of 0x10203 to the lower half = 0x%lx\n",
              mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)));
    check(mmio_r64(GICD_BASE + GICD_IROUTER(SPI_A)) == 0x0000000500010203UL, "IROUTER lower half");
    rt_printf("  32-bit reads: low=0x%x high=0x%x\n", mmio_r32(GICD_BASE + GICD_IROUTER(SPI_A)),
              mmio_r32(GICD_BASE + GICD_IROUTER(SPI_A) + 4));
    mmio_w64(GICD_BASE + GICD_IROUTER(SPI_A), 0);

    return test_result();
}
