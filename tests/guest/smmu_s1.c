// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 translates only PCI devices
/* SMMUv3 stage 1 translation (IHI 0070 3.3 "Data structures and
 * translation procedure", STE 5.2, CD 5.4, L1STD 5.1, L1CD 5.3):
 *   1. Linear stream table (SMMU_STRTAB_BASE_CFG.FMT == 0, LOG2SIZE 4), the
 *      STE of StreamID 3 with Config == 0b101 (stage 1 only), a linear CD
 *      table of one CD (S1Fmt == 0, S1CDMax == 0): ASID 1, T0SZ 25 (39-bit
 *      IOVAs, walk from level 1), 4 KiB granule, IPS 40 bits. IOVAs
 *      0x10000000.. map data pages A, B (read/write) and C (read-only,
 *      AP == 0b11) and F. The device copies A -> B, reads C, and copies a
 *      range that crosses an IOVA page boundary into F (each page translated
 *      on its own).
 *   2. 2-level stream table (FMT == 1, LOG2SIZE 8, SPLIT 6: level-1
 *      descriptors of 64 StreamIDs each): StreamID 0x85 -> L1STD 2 (Span 7,
 *      64 STEs), STE 5 of that table; StreamID 0xc1 -> L1STD 3 (Span 2: a
 *      table of 2 STEs), STE 1. Both stage 1 through the same CD as above.
 *      StreamID 0xc2 lies beyond L1STD 3's table, StreamID 0x45 reaches
 *      L1STD 1 with Span 0: both C_BAD_STREAMID (7.3.3, CR2.RECINVSID = 1).
 *   3. 2-level CD table with SubstreamIDs (STE.S1Fmt == 1: L1CD descriptors
 *      of 64 CDs each, S1CDMax 8, S1DSS == 0b10): CD 0 (ASID 2) maps IOVA
 *      0x20000000 to page D, CD 0x41 (ASID 3, L1CD 1, CD 1 of its table)
 *      maps the same IOVA to page E. A transaction without a SubstreamID
 *      uses CD 0 (S1DSS == 0b10); with SubstreamID 0x41, CD 0x41; with
 *      SubstreamID 0 it is terminated with F_STREAM_DISABLED (S1DSS ==
 *      0b10: "Transactions that include a substream and select Substream 0
 *      are terminated"); SubstreamID 0x80 reaches an L1CD with V == 0:
 *      C_BAD_SUBSTREAMID (7.3.9). */
#include "smmu.h"

#define IOVA 0x10000000UL
#define IOVA2 0x20000000UL
#define PA(n) DATA_PAGE(n)

static struct pt s1, s1d, s1e;

static void show(const char *what, uint64_t pa, uint8_t want)
{
    uint64_t v0 = rd64(pa), v1 = rd64(pa + 0xff8);
    rt_printf("  %s +0 = 0x%lx, +0xff8 = 0x%lx\n", what, v0, v1);
    check(v0 == 0x0101010101010101UL * want && v1 == v0, what);
}

int main(void)
{
    rt_puts("smmu_s1\n");
    for (unsigned i = 0; i < 6; i++)
        page_fill(PA(i), (uint8_t)(0x11 * (i + 1)));   /* A 0x11, B 0x22, C 0x33, D 0x44, E 0x55, F 0x66 */
    pt_init_s1(&s1, 39);
    pt_map(&s1, IOVA, PA(0), 3, S1_DMA_RW);
    pt_map(&s1, IOVA + 0x1000, PA(1), 3, S1_DMA_RW);
    pt_map(&s1, IOVA + 0x2000, PA(2), 3, S1_DMA_RO);
    pt_map(&s1, IOVA + 0x3000, PA(5), 3, S1_DMA_RW);
    uint64_t cd = sm_alloc(64, 64);
    struct cd c = cd_s1(1, &s1, (uint64_t)s1.root, IPS_40);
    cd_write(cd, &c);
    uint64_t v;

    rt_puts("1. linear stream table, StreamID 3, linear CD table of one CD:\n");
    strtab_linear(4);
    struct ste s = ste_s1(cd, 0, 0, 0);
    ste_write(ste_addr(3), &s);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);
    expect_status("copy IOVA+0 -> IOVA+0x1000, 4096 bytes", dma_cmd(3, NO_SSID, DT_COPY, IOVA, IOVA + 0x1000, 4096), DT_ST_DONE);
    show("page B", PA(1), 0x11);
    expect_status("read IOVA+0x2000 (read-only page)", dma_read64(3, NO_SSID, IOVA + 0x2000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x3333333333333333UL, "read through stage 1");
    /* the second half of A and the first half of B -> page F (IOVA+0x3000) */
    page_fill(PA(0), 0x77);
    expect_status("copy IOVA+0x800 -> IOVA+0x3000, 4096 bytes", dma_cmd(3, NO_SSID, DT_COPY, IOVA + 0x800, IOVA + 0x3000, 4096), DT_ST_DONE);
    rt_printf("  page F +0 = 0x%lx, +0x7f8 = 0x%lx, +0x800 = 0x%lx, +0xff8 = 0x%lx\n", rd64(PA(5)),
              rd64(PA(5) + 0x7f8), rd64(PA(5) + 0x800), rd64(PA(5) + 0xff8));
    check(rd64(PA(5)) == 0x7777777777777777UL && rd64(PA(5) + 0x7f8) == 0x7777777777777777UL &&
          rd64(PA(5) + 0x800) == 0x1111111111111111UL && rd64(PA(5) + 0xff8) == 0x1111111111111111UL,
          "copy across IOVA pages");
    expect_no_event("after stage 1 transactions");

    rt_puts("2. 2-level stream table (SPLIT 6), StreamIDs 0x85 and 0xc1:\n");
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN) == 0, "CR0ACK: SMMUEN off");
    strtab_2lvl(8, 6);
    uint64_t l2a = sm_alloc(64 * 64, 64 * 64), l2b = sm_alloc(2 * 64, 2 * 64);
    strtab_l1_set(2, l2a, 7);
    strtab_l1_set(3, l2b, 2);
    ste_write(l2a + 5 * 64, &s);
    ste_write(l2b + 1 * 64, &s);
    cmd_cfgi_all();
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN) == 0, "CR0ACK.SMMUEN");
    page_fill(PA(1), 0x22);
    expect_status("StreamID 0x85: copy IOVA+0x2000 -> IOVA+0x1000", dma_cmd(0x85, NO_SSID, DT_COPY, IOVA + 0x2000, IOVA + 0x1000, 4096), DT_ST_DONE);
    show("page B", PA(1), 0x33);
    expect_status("StreamID 0xc1: read IOVA+0x1000", dma_read64(0xc1, NO_SSID, IOVA + 0x1000, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x3333333333333333UL, "read through the 2-level stream table");
    expect_no_event("after the 2-level stream table");
    expect_status("StreamID 0xc2 (beyond L1STD 3's 2 STEs): read", dma_read64(0xc2, NO_SSID, IOVA, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_next_event("StreamID 0xc2", &(struct evt_expect){ .id = EV_C_BAD_STREAMID, .sid = 0xc2, .ssid = NO_SSID });
    expect_status("StreamID 0x45 (L1STD 1, Span 0): read", dma_read64(0x45, NO_SSID, IOVA, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_next_event("StreamID 0x45", &(struct evt_expect){ .id = EV_C_BAD_STREAMID, .sid = 0x45, .ssid = NO_SSID });

    rt_puts("3. 2-level CD table, S1CDMax 8, S1DSS=substream 0, StreamID 0x86:\n");
    unsigned ssidsize = (smmu_r32(SMMU_IDR1) >> 6) & 0x1f, cd2l = (smmu_r32(SMMU_IDR0) >> 19) & 1;
    rt_printf("  IDR1.SSIDSIZE>=8 %s, IDR0.CD2L=%u\n", ssidsize >= 8 ? "yes" : "no", cd2l);
    check(ssidsize >= 8 && cd2l, "SubstreamIDs and 2-level CD tables implemented");
    pt_init_s1(&s1d, 39);
    pt_map(&s1d, IOVA2, PA(3), 3, S1_DMA_RW);
    pt_init_s1(&s1e, 39);
    pt_map(&s1e, IOVA2, PA(4), 3, S1_DMA_RW);
    uint64_t l1cd = sm_alloc(4 * 8, 64), l2cd0 = sm_alloc(4096, 4096), l2cd1 = sm_alloc(4096, 4096);
    *(volatile uint64_t *)(l1cd + 0) = l2cd0 | 1;     /* L1CD: L2Ptr[55:12], V */
    *(volatile uint64_t *)(l1cd + 8) = l2cd1 | 1;
    c = cd_s1(2, &s1d, (uint64_t)s1d.root, IPS_40);
    cd_write(l2cd0 + 0 * 64, &c);
    c = cd_s1(3, &s1e, (uint64_t)s1e.root, IPS_40);
    cd_write(l2cd1 + 1 * 64, &c);
    s = ste_s1(l1cd, 1, 8, 2);
    ste_write(l2a + 6 * 64, &s);
    cmd_cfgi_ste(0x86);
    expect_status("no SubstreamID: read IOVA2", dma_read64(0x86, NO_SSID, IOVA2, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x4444444444444444UL, "no SubstreamID -> CD 0 -> page D");
    expect_status("SubstreamID 0x41: read IOVA2", dma_read64(0x86, 0x41, IOVA2, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x5555555555555555UL, "SubstreamID 0x41 -> CD 0x41 -> page E");
    expect_status("SubstreamID 0x41: write IOVA2", dma_write64(0x86, 0x41, IOVA2, 0x5a5a5a5a5a5a5a5aUL), DT_ST_DONE);
    rt_printf("  page E +0 = 0x%lx, page D +0 = 0x%lx\n", rd64(PA(4)), rd64(PA(3)));
    check(rd64(PA(4)) == 0x5a5a5a5a5a5a5a5aUL && rd64(PA(3)) == 0x4444444444444444UL, "write through CD 0x41");
    expect_no_event("after the 2-level CD table");
    expect_status("SubstreamID 0: read IOVA2", dma_read64(0x86, 0, IOVA2, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_next_event("SubstreamID 0", &(struct evt_expect){ .id = EV_F_STREAM_DISABLED, .sid = 0x86, .ssid = 0 });
    expect_status("SubstreamID 0x80: read IOVA2", dma_read64(0x86, 0x80, IOVA2, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_next_event("SubstreamID 0x80", &(struct evt_expect){ .id = EV_C_BAD_SUBSTREAMID, .sid = 0x86, .ssid = 0x80 });
    expect_no_event("then");
    smmu_test_end();
}
