// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 has no stage 2 and translates only PCI devices
/* SMMUv3 stage 2 only (IHI 0070 STE 5.2, Config == 0b110): the device's
 * addresses are IPAs, translated by the stage 2 tables at STE.S2TTB (VMID 5,
 * S2T0SZ 32: a 32-bit IPA space, S2SL0 = 1: the walk starts at level 1 with
 * a 4-entry table, 4 KiB granule, S2PS 40 bits, S2AA64, S2R = 1: faults are
 * recorded). Mappings:
 *   IPA 0x30000000 -> page A (S2AP RW), 0x30001000 -> page B (RW),
 *   0x30002000 -> page C (S2AP read-only), 0x30003000 -> page D (S2AP
 *   write-only), 0x30200000 -> a 2 MiB block at RAM_FREE2 (level 2).
 * Checked: a copy A -> B, a read of C, a write to D, a read inside the
 * block; then the stage 2 faults, each with S2 == 1, CLASS == IN and the
 * IPA (7.3.13: "If translating an IPA for a transaction (... input to stage
 * 2-only configuration ...) CLASS == IN, and IPA is provided"), InputAddr =
 * the address the device sent:
 *   F_PERMISSION  write to C, read of D (S2AP)
 *   F_TRANSLATION read of IPA 0x30004000 (no descriptor)
 *   F_ACCESS      read of IPA 0x30005000 (AF == 0, STE.S2AFFD == 0)
 *   F_TRANSLATION read of IPA 0x1_0000_0000 (beyond S2T0SZ)
 * and a second StreamID (9) with an STE naming the same VMID and tables
 * translates the same way. */
#include "smmu.h"

#define IPA 0x30000000UL
#define S2_ATTRS(ap) (S2_MEMATTR(S2_NORMAL_WB) | (ap) | PTE_SH(SH_ISH) | PTE_AF)
#define SID 8
#define READ_FAULT (DT_ST_FAULT | DT_ST_SRC_FAULT)
#define WRITE_FAULT (DT_ST_FAULT | DT_ST_DST_FAULT)

static struct pt s2;

static void s2_fault(const char *what, unsigned cmd, uint64_t ipa, unsigned id)
{
    uint64_t v;
    rt_printf("%s:\n", what);
    uint32_t st = cmd == DT_READ ? dma_read64(SID, NO_SSID, ipa, &v) : dma_write64(SID, NO_SSID, ipa, 0xeeeeeeeeeeeeeeeeUL);
    expect_status(cmd == DT_READ ? "DMA read" : "DMA write", st, cmd == DT_READ ? READ_FAULT : WRITE_FAULT);
    EXPECT_IRQ("eventq", INTID_EVENTQ);
    expect_next_event("record", &(struct evt_expect){ .id = id, .sid = SID, .ssid = NO_SSID, .rnw = cmd == DT_READ,
                                                       .s2 = 1, .class = CLASS_IN, .input = ipa,
                                                       .ipa = ipa & ~(PAGE_SIZE - 1) });
}

int main(void)
{
    rt_puts("smmu_s2\n");
    smmu_gic_setup();
    for (unsigned i = 0; i < 4; i++)
        page_fill(DATA_PAGE(i), (uint8_t)(0x11 * (i + 1)));
    page_fill(RAM_FREE2 + 0x1000, 0x99);
    pt_init_s2(&s2, 32, 1);
    pt_map(&s2, IPA, DATA_PAGE(0), 3, S2_ATTRS(S2AP_RW));
    pt_map(&s2, IPA + 0x1000, DATA_PAGE(1), 3, S2_ATTRS(S2AP_RW));
    pt_map(&s2, IPA + 0x2000, DATA_PAGE(2), 3, S2_ATTRS(S2AP_RO));
    pt_map(&s2, IPA + 0x3000, DATA_PAGE(3), 3, S2_ATTRS(S2AP_WO));
    pt_map(&s2, IPA + 0x5000, DATA_PAGE(3), 3, S2_ATTRS(S2AP_RW) & ~PTE_AF);
    pt_map(&s2, IPA + 0x200000, RAM_FREE2, 2, S2_ATTRS(S2AP_RW));

    strtab_linear(4);
    struct ste s = ste_s2(5, &s2);
    ste_write(ste_addr(SID), &s);
    ste_write(ste_addr(9), &s);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);

    uint64_t v;
    rt_puts("translations (StreamID 8, VMID 5):\n");
    expect_status("copy IPA+0 -> IPA+0x1000, 4096 bytes", dma_cmd(SID, NO_SSID, DT_COPY, IPA, IPA + 0x1000, 4096), DT_ST_DONE);
    rt_printf("  page B +0 = 0x%lx, +0xff8 = 0x%lx\n", rd64(DATA_PAGE(1)), rd64(DATA_PAGE(1) + 0xff8));
    check(rd64(DATA_PAGE(1)) == 0x1111111111111111UL && rd64(DATA_PAGE(1) + 0xff8) == 0x1111111111111111UL, "copy A -> B");
    expect_status("read IPA+0x2000 (read-only)", dma_read64(SID, NO_SSID, IPA + 0x2000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x3333333333333333UL, "read of page C");
    expect_status("write IPA+0x3010 (write-only)", dma_write64(SID, NO_SSID, IPA + 0x3010, 0x0123456789abcdefUL), DT_ST_DONE);
    rt_printf("  page D +0x10 = 0x%lx\n", rd64(DATA_PAGE(3) + 0x10));
    check(rd64(DATA_PAGE(3) + 0x10) == 0x0123456789abcdefUL, "write to page D");
    expect_status("read IPA+0x201000 (2 MiB block)", dma_read64(SID, NO_SSID, IPA + 0x201000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x9999999999999999UL, "read in the block");
    expect_status("StreamID 9 (same VMID and tables): read IPA+0x1000", dma_read64(9, NO_SSID, IPA + 0x1000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x1111111111111111UL, "StreamID 9 read");
    EXPECT_NO_IRQ("eventq");
    expect_no_event("then");

    s2_fault("F_PERMISSION (write to a read-only IPA)", DT_FILL, IPA + 0x2008, EV_F_PERMISSION);
    rt_printf("  page C +8 = 0x%lx\n", rd64(DATA_PAGE(2) + 8));
    check(rd64(DATA_PAGE(2) + 8) == 0x3333333333333333UL, "the faulting write did not land");
    s2_fault("F_PERMISSION (read of a write-only IPA)", DT_READ, IPA + 0x3000, EV_F_PERMISSION);
    s2_fault("F_TRANSLATION (no descriptor)", DT_READ, IPA + 0x4000, EV_F_TRANSLATION);
    s2_fault("F_ACCESS (AF == 0, S2AFFD == 0)", DT_READ, IPA + 0x5000, EV_F_ACCESS);
    s2_fault("F_TRANSLATION (IPA beyond S2T0SZ)", DT_READ, 0x100000000UL, EV_F_TRANSLATION);
    expect_no_event("then");
    smmu_test_end();
}
