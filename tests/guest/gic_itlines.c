// AVSIM-FOLLOWS-ARM-ARM: QEMU 7.2 reports GICD_TYPER.ITLinesNumber = (SPIs / 32) - 1 = 7 for the virt board's 256 SPIs, although it implements INTIDs 32..287 (IHI 0069: N means the maximum SPI INTID is 32(N+1) - 1, so 8)
/* GICD_TYPER.ITLinesNumber against the SPIs the distributor implements. The
 * virt board has 256 SPIs (INTIDs 32..287): the last one, 287, keeps its
 * pending bit (GICD_ISPENDR8 bit 31), the registers for INTIDs 288 and up
 * (GICD_ISPENDR9, GICD_ISENABLER9, GICD_IPRIORITYR for 288) are RAZ/WI. By
 * IHI 0069 (GICD_TYPER), ITLinesNumber = N means the maximum SPI INTID is
 * 32(N+1) - 1, so N = 8 here. QEMU 7.2 reports 7 (it subtracts the 32
 * SGIs/PPIs before dividing), which would make 255 the maximum SPI INTID;
 * this expectation is written from the spec. */
#include "trap.h"
#include "gic.h"

TRAP_HANDLERS

int main(void)
{
    rt_puts("gic_itlines\n");
    uint32_t n = GICD_TYPER_ITLINES(gicd_r32(GICD_TYPER));
    rt_printf("GICD_TYPER.ITLinesNumber=%u: maximum SPI INTID %u\n", n, 32 * (n + 1) - 1);
    check(n == 8, "ITLinesNumber = 8");

    gic_dist_enable();
    gicd_w32(GICD_ISPENDR(8), 1u << 31);
    gicd_w32(GICD_ISPENDR(9), 1u << 0);
    gicd_w32(GICD_ISENABLER(9), 1u << 0);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(287), 0x80);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(288), 0x80);
    uint32_t p8 = gicd_r32(GICD_ISPENDR(8)), p9 = gicd_r32(GICD_ISPENDR(9));
    uint32_t e9 = gicd_r32(GICD_ISENABLER(9));
    unsigned pr287 = mmio_r8(GICD_BASE + GICD_IPRIORITYR(287));
    unsigned pr288 = mmio_r8(GICD_BASE + GICD_IPRIORITYR(288));
    rt_printf("INTID 287: pending=%u priority=0x%x (implemented)\n", p8 >> 31, pr287);
    rt_printf("INTID 288: pending=%u enabled=%u priority=0x%x (not implemented: RAZ/WI)\n", p9 & 1,
              e9 & 1, pr288);
    check(p8 == 0x80000000 && pr287 == 0x80, "INTID 287 implemented");
    check(p9 == 0 && e9 == 0 && pr288 == 0, "INTID 288 RAZ/WI");
    check(287 <= 32 * (n + 1) - 1, "INTID 287 within ITLinesNumber");
    gicd_w32(GICD_ICPENDR(8), 1u << 31);
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(287), 0);
    return test_result();
}
