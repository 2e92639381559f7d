// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 translates only PCI devices
/* SMMUv3 faults and configuration errors (IHI 0070 7.3 "Event records"):
 * each case terminates a DMA transaction of the test device (its STATUS
 * names the side: a READ only reads, a FILL only writes), writes one record
 * to the event queue with the fields the record type defines, and the event
 * queue's wired interrupt (SPI 74, INTID 106: the queue went from empty to
 * non-empty, 3.18.2) is taken by the PE through the GIC.
 *
 * Stage 1 (linear stream table, LOG2SIZE 4, CR2.RECINVSID = 1; STE Config
 * 0b101, one CD: T0SZ 25, IPS 40 bits) through the tables of StreamID 1:
 *   F_TRANSLATION  read of IOVA+0x1040 (no level 3 descriptor): S2=0,
 *                  CLASS=IN (7.3.13: "If fault occurs at stage 1, S2 == 0
 *                  and CLASS == IN"), RnW=1, InputAddr = the exact address;
 *                  and a read of IOVA 1<<40 (beyond the T0SZ range)
 *   F_ACCESS       write to a page whose descriptor has AF == 0 (CD.HA == 0): RnW=0
 *   F_PERMISSION   write to a read-only page (AP == 0b11)
 *   F_WALK_EABT    a level 2 table descriptor pointing at memory that is not
 *                  RAM: S2=0, CLASS=TT (7.3.12), FetchAddr = the level 3
 *                  descriptor's address
 *   F_ADDR_SIZE    StreamID 2, CD.IPS = 32 bits, a page descriptor with an
 *                  output address at 4 GiB (7.3.14: "a leaf ... descriptor
 *                  outputs an address outside of the effective xPS")
 * Configuration:
 *   C_BAD_STREAMID StreamID 0x20 >= 2^LOG2SIZE (7.3.3, RECINVSID = 1); with
 *                  CR2.RECINVSID = 0 the transaction is terminated, no record
 *   C_BAD_STE      StreamID 4: STE.V == 0; StreamID 5: a stage 2 STE with
 *                  S2T0SZ == 0 (5.2.2 "Validity of STE": S2T0SZ below
 *                  64 - IAS is ILLEGAL). (A reserved Config 0b0xx is not
 *                  ILLEGAL: it behaves as abort without an event, 5.2
 *                  "Config"; smmu_bypass checks that.)
 *   C_BAD_CD       StreamID 6: its CD has V == 0 (5.4 "V")
 *   F_CD_FETCH     StreamID 7: S1ContextPtr points at memory that is not RAM;
 *                  FetchAddr = that address (7.3.10)
 *   F_STE_FETCH    SMMU_STRTAB_BASE moved to memory that is not RAM (with
 *                  SMMUEN = 0, then SMMUEN = 1): StreamID 3's STE fetch
 *                  aborts, FetchAddr = base + 3 * 64 (7.3.4)
 * Stage 2 faults (S2 == 1, CLASS, IPA) are in smmu_s2 and smmu_nested. */
#include "smmu.h"

#define IOVA 0x10000000UL
#define RW S1_DMA_RW
#define RO S1_DMA_RO
static const struct ref unbacked = { "UNBACKED", UNBACKED_PA };

static struct pt s1, s1b, s2;

/* One DMA command that must fault on `side`, the eventq interrupt, the record. */
static void fault_case(const char *what, uint32_t sid, unsigned cmd, uint64_t addr, uint32_t status,
                       const struct evt_expect *x)
{
    rt_printf("%s:\n", what);
    uint32_t st = cmd == DT_READ ? dma_cmd(sid, NO_SSID, DT_READ, addr, 0, 8)
                                 : (dmatest_w64(DT_PATTERN, 0xeeeeeeeeeeeeeeeeUL), dma_cmd(sid, NO_SSID, DT_FILL, 0, addr, 8));
    expect_status(cmd == DT_READ ? "DMA read" : "DMA write", st, status);
    EXPECT_IRQ("eventq", INTID_EVENTQ);
    expect_next_event("record", x);
    expect_no_event("then");
}

#define READ_FAULT (DT_ST_FAULT | DT_ST_SRC_FAULT)
#define WRITE_FAULT (DT_ST_FAULT | DT_ST_DST_FAULT)

int main(void)
{
    rt_puts("smmu_faults\n");
    smmu_gic_setup();
    page_fill(DATA_PAGE(0), 0x11);
    page_fill(DATA_PAGE(1), 0x22);
    pt_init_s1(&s1, 39);
    pt_map(&s1, IOVA, DATA_PAGE(0), 3, RW);
    pt_map(&s1, IOVA + 0x2000, DATA_PAGE(1), 3, RW & ~PTE_AF);
    pt_map(&s1, IOVA + 0x3000, DATA_PAGE(1), 3, RO);
    pt_map(&s1, IOVA + 0x200000, DATA_PAGE(0), 3, RW);               /* creates L2[0x81] */
    *pt_entry(&s1, IOVA + 0x200000, 2) = UNBACKED_PA | PTE_TABLE;    /* ... now not RAM */
    pt_init_s2(&s2, 32, 1);
    pt_init_s1(&s1b, 39);
    pt_map(&s1b, IOVA, 0x100000000UL, 3, RW);

    strtab_linear(4);
    uint64_t cd1 = sm_alloc(64, 64), cd2 = sm_alloc(64, 64), cd6 = sm_alloc(64, 64);
    struct cd c = cd_s1(1, &s1, (uint64_t)s1.root, IPS_40);
    cd_write(cd1, &c);
    c = cd_s1(2, &s1b, (uint64_t)s1b.root, IPS_32);
    cd_write(cd2, &c);
    c.w[0] &= ~CD_V;
    cd_write(cd6, &c);
    struct ste s = ste_s1(cd1, 0, 0, 0);
    ste_write(ste_addr(1), &s);
    ste_write(ste_addr(3), &s);
    s = ste_s1(cd2, 0, 0, 0);
    ste_write(ste_addr(2), &s);
    s = ste_s1(cd1, 0, 0, 0);
    s.w[0] &= ~STE_V;
    ste_write(ste_addr(4), &s);
    s2.ia_bits = 64;                 /* S2T0SZ = 0 */
    s = ste_s2(1, &s2);
    ste_write(ste_addr(5), &s);
    s = ste_s1(cd6, 0, 0, 0);
    ste_write(ste_addr(6), &s);
    s = ste_s1(UNBACKED_PA + 0x1000, 0, 0, 0);
    ste_write(ste_addr(7), &s);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);

    uint64_t v;
    rt_puts("a good transaction first:\n");
    expect_status("DMA read", dma_read64(1, NO_SSID, IOVA, &v), DT_ST_DONE);
    EXPECT_NO_IRQ("eventq");
    expect_no_event("then");

    fault_case("F_TRANSLATION (no level 3 descriptor)", 1, DT_READ, IOVA + 0x1040, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = 1, .ssid = NO_SSID, .rnw = 1, .s2 = 0,
                                     .class = CLASS_IN, .input = IOVA + 0x1040 });
    fault_case("F_TRANSLATION (IOVA beyond T0SZ)", 1, DT_READ, 1UL << 40, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = 1, .ssid = NO_SSID, .rnw = 1, .s2 = 0,
                                     .class = CLASS_IN, .input = 1UL << 40 });
    fault_case("F_ACCESS (AF == 0)", 1, DT_FILL, IOVA + 0x2000, WRITE_FAULT,
               &(struct evt_expect){ .id = EV_F_ACCESS, .sid = 1, .ssid = NO_SSID, .rnw = 0, .s2 = 0,
                                     .class = CLASS_IN, .input = IOVA + 0x2000 });
    fault_case("F_PERMISSION (write to a read-only page)", 1, DT_FILL, IOVA + 0x3008, WRITE_FAULT,
               &(struct evt_expect){ .id = EV_F_PERMISSION, .sid = 1, .ssid = NO_SSID, .rnw = 0, .s2 = 0,
                                     .class = CLASS_IN, .input = IOVA + 0x3008 });
    rt_printf("  read-only page +8 = 0x%lx\n", rd64(DATA_PAGE(1) + 8));
    check(rd64(DATA_PAGE(1) + 8) == 0x2222222222222222UL, "the faulting write did not land");
    fault_case("F_WALK_EABT (level 3 table not in RAM)", 1, DT_READ, IOVA + 0x203000, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_WALK_EABT, .sid = 1, .ssid = NO_SSID, .rnw = 1, .s2 = 0,
                                     .class = CLASS_TT, .input = IOVA + 0x203000, .fetch = unbacked,
                                     .fetch_off = 3 * 8 });
    fault_case("F_ADDR_SIZE (output address beyond CD.IPS = 32 bits)", 2, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_ADDR_SIZE, .sid = 2, .ssid = NO_SSID, .rnw = 1, .s2 = 0,
                                     .class = CLASS_IN, .input = IOVA });
    fault_case("C_BAD_STREAMID (StreamID 0x20, LOG2SIZE 4)", 0x20, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_C_BAD_STREAMID, .sid = 0x20, .ssid = NO_SSID });
    fault_case("C_BAD_STE (V == 0)", 4, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_C_BAD_STE, .sid = 4, .ssid = NO_SSID });
    fault_case("C_BAD_STE (S2T0SZ == 0)", 5, DT_FILL, IOVA, WRITE_FAULT,
               &(struct evt_expect){ .id = EV_C_BAD_STE, .sid = 5, .ssid = NO_SSID });
    fault_case("C_BAD_CD (CD.V == 0)", 6, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_C_BAD_CD, .sid = 6, .ssid = NO_SSID });
    fault_case("F_CD_FETCH (CD not in RAM)", 7, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_CD_FETCH, .sid = 7, .ssid = NO_SSID, .fetch = unbacked,
                                     .fetch_off = 0x1000 });

    rt_puts("StreamID 0x20 with CR2.RECINVSID = 0:\n");
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN) == 0, "CR0ACK: SMMUEN off");
    smmu_w32(SMMU_CR2, 0);
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN) == 0, "CR0ACK.SMMUEN");
    expect_status("DMA read", dma_read64(0x20, NO_SSID, IOVA, &v), READ_FAULT);
    EXPECT_NO_IRQ("eventq");
    expect_no_event("record");

    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN) == 0, "CR0ACK: SMMUEN off");
    smmu_w32(SMMU_CR2, CR2_RECINVSID);
    smmu_w64(SMMU_STRTAB_BASE, UNBACKED_PA | Q_BASE_ALLOC);
    cmd_cfgi_all();
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN) == 0, "CR0ACK.SMMUEN");
    fault_case("F_STE_FETCH (stream table not in RAM)", 3, DT_READ, IOVA, READ_FAULT,
               &(struct evt_expect){ .id = EV_F_STE_FETCH, .sid = 3, .ssid = NO_SSID, .fetch = unbacked,
                                     .fetch_off = 3 * 64 });
    smmu_test_end();
}
