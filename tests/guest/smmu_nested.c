// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 has no stage 2 and translates only PCI devices
/* SMMUv3 nested translation (IHI 0070 3.3.2, STE.Config == 0b111): a guest
 * owns stage 1 (its CD and translation tables live in its IPA space), the
 * hypervisor stage 2 (VMID 7, a 32-bit IPA space walked from level 1).
 *
 * The guest's memory is the 2 MiB at PA RAM_FREE2, seen at IPA 0x20000000
 * (stage 2 maps it page by page, leaving some IPAs unmapped). In it, at IPAs:
 *   0x20000000 level 1, 0x20001000 level 2, 0x20002000 level 3 table of the
 *   guest's stage 1 (T0SZ 25, walks from level 1), 0x20003000 the CD (ASID 9),
 *   0x20010000.. data pages.
 * Stage 1 maps IOVA 0x10000000 -> IPA 0x20010000, 0x10001000 -> 0x20011000,
 * 0x10002000 -> 0x20020000 (not mapped at stage 2), 0x10003000 -> 0x20012000
 * (read-only at stage 2); the level 2 entry of IOVA 0x10200000 points at a
 * level 3 table at IPA 0x20030000 (not mapped at stage 2).
 *
 * Checked: a copy IOVA 0x10000000 -> 0x10001000 reaches the right PAs (every
 * table, CD and data access went through stage 2); then the stage 2 faults,
 * S2 == 1 with the CLASS of the access that faulted (7.3.13):
 *   CLASS=IN  the output IPA of stage 1 is not mapped (IPA = that page),
 *   CLASS=IN  F_PERMISSION: a write to an IPA that stage 2 makes read-only,
 *   CLASS=TT  the level 3 table's IPA is not mapped (IPA = the descriptor's page),
 *   CLASS=CD  StreamID 11, whose STE points at a CD at IPA 0x20040000, not
 *             mapped (IPA = the CD's page);
 * InputAddr is always the IOVA the device sent, RnW its direction. */
#include "smmu.h"

#define IOVA 0x10000000UL
#define GUEST_IPA 0x20000000UL
#define GUEST_PA RAM_FREE2
#define G(ipa) (GUEST_PA + ((ipa) - GUEST_IPA))      /* the PA behind a guest IPA */
#define S1_L1 0x20000000UL
#define S1_L2 0x20001000UL
#define S1_L3 0x20002000UL
#define CD_IPA 0x20003000UL
#define DATA0 0x20010000UL
#define DATA1 0x20011000UL
#define DATA2 0x20012000UL
#define HOLE_DATA 0x20020000UL
#define HOLE_L3 0x20030000UL
#define HOLE_CD 0x20040000UL
#define SID 10
#define RW1 S1_DMA_RW
#define S2_ATTRS(ap) (S2_MEMATTR(S2_NORMAL_WB) | (ap) | PTE_SH(SH_ISH) | PTE_AF)

static struct pt s2;
static struct pt guest_s1 = { 0, 39, 1, 1 };     /* only for its T0SZ in cd_s1 */

static void wr_ipa(uint64_t ipa, uint64_t v) { *(volatile uint64_t *)G(ipa) = v; }
static unsigned idx(uint64_t va, int level) { return (unsigned)(va >> PT_SHIFT(level)) & 511; }

static void nested_fault(const char *what, uint32_t sid, unsigned cmd, uint64_t iova, unsigned id, unsigned class,
                         uint64_t ipa)
{
    uint64_t v;
    rt_printf("%s:\n", what);
    uint32_t st = cmd == DT_READ ? dma_read64(sid, NO_SSID, iova, &v) : dma_write64(sid, NO_SSID, iova, 0xeeeeeeeeeeeeeeeeUL);
    expect_status(cmd == DT_READ ? "DMA read" : "DMA write", st,
                  DT_ST_FAULT | (cmd == DT_READ ? DT_ST_SRC_FAULT : DT_ST_DST_FAULT));
    EXPECT_IRQ("eventq", INTID_EVENTQ);
    expect_next_event("record", &(struct evt_expect){ .id = id, .sid = sid, .ssid = NO_SSID, .rnw = cmd == DT_READ,
                                                       .s2 = 1, .class = class, .input = iova, .ipa = ipa });
}

int main(void)
{
    rt_puts("smmu_nested\n");
    smmu_gic_setup();
    /* the guest's memory: zeroed tables, data pages */
    for (uint64_t o = 0; o < 0x4000; o += 8)
        *(volatile uint64_t *)(GUEST_PA + o) = 0;
    page_fill(G(DATA0), 0x11);
    page_fill(G(DATA1), 0x22);
    page_fill(G(DATA2), 0x33);
    /* its stage 1, written by "the guest" with IPAs */
    wr_ipa(S1_L1 + 8 * idx(IOVA, 1), S1_L2 | PTE_TABLE);
    wr_ipa(S1_L2 + 8 * idx(IOVA, 2), S1_L3 | PTE_TABLE);
    wr_ipa(S1_L2 + 8 * idx(IOVA + 0x200000, 2), HOLE_L3 | PTE_TABLE);
    wr_ipa(S1_L3 + 8 * idx(IOVA, 3), DATA0 | RW1 | PTE_PAGE);
    wr_ipa(S1_L3 + 8 * idx(IOVA + 0x1000, 3), DATA1 | RW1 | PTE_PAGE);
    wr_ipa(S1_L3 + 8 * idx(IOVA + 0x2000, 3), HOLE_DATA | RW1 | PTE_PAGE);
    wr_ipa(S1_L3 + 8 * idx(IOVA + 0x3000, 3), DATA2 | RW1 | PTE_PAGE);
    struct cd c = cd_s1(9, &guest_s1, S1_L1, IPS_40);
    cd_write(G(CD_IPA), &c);
    /* the hypervisor's stage 2: the guest's 2 MiB page by page, minus the holes; DATA2 read-only */
    pt_init_s2(&s2, 32, 1);
    for (uint64_t ipa = GUEST_IPA; ipa < GUEST_IPA + SZ_2M; ipa += PAGE_SIZE)
        if (ipa != HOLE_DATA && ipa != HOLE_L3 && ipa != HOLE_CD)
            pt_map(&s2, ipa, G(ipa), 3, S2_ATTRS(ipa == DATA2 ? S2AP_RO : S2AP_RW));

    strtab_linear(4);
    struct ste s = ste_nested(CD_IPA, 7, &s2);
    ste_write(ste_addr(SID), &s);
    s = ste_nested(HOLE_CD, 7, &s2);
    ste_write(ste_addr(11), &s);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);

    rt_puts("StreamID 10, nested (ASID 9, VMID 7):\n");
    expect_status("copy IOVA+0 -> IOVA+0x1000, 4096 bytes", dma_cmd(SID, NO_SSID, DT_COPY, IOVA, IOVA + 0x1000, 4096), DT_ST_DONE);
    rt_printf("  PA of IPA 0x%lx: +0 = 0x%lx, +0xff8 = 0x%lx\n", DATA1, rd64(G(DATA1)), rd64(G(DATA1) + 0xff8));
    check(rd64(G(DATA1)) == 0x1111111111111111UL && rd64(G(DATA1) + 0xff8) == 0x1111111111111111UL, "nested copy");
    uint64_t v;
    expect_status("read IOVA+0x3000", dma_read64(SID, NO_SSID, IOVA + 0x3000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x3333333333333333UL, "nested read");
    EXPECT_NO_IRQ("eventq");
    expect_no_event("then");

    nested_fault("stage 1 output IPA not mapped at stage 2", SID, DT_READ, IOVA + 0x2000, EV_F_TRANSLATION, CLASS_IN, HOLE_DATA);
    nested_fault("write to an IPA read-only at stage 2", SID, DT_FILL, IOVA + 0x3000, EV_F_PERMISSION, CLASS_IN, DATA2);
    rt_printf("  PA of IPA 0x%lx: +0 = 0x%lx\n", DATA2, rd64(G(DATA2)));
    check(rd64(G(DATA2)) == 0x3333333333333333UL, "the faulting write did not land");
    nested_fault("stage 1 level 3 table at an IPA not mapped at stage 2", SID, DT_READ, IOVA + 0x200000,
                 EV_F_TRANSLATION, CLASS_TT, HOLE_L3);
    nested_fault("CD at an IPA not mapped at stage 2 (StreamID 11)", 11, DT_READ, IOVA, EV_F_TRANSLATION, CLASS_CD, HOLE_CD);
    expect_no_event("then");
    smmu_test_end();
}
