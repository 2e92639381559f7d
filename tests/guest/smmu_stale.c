// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 translates only PCI devices
/* Stale translations and configuration in the SMMU's caches (IHI 0070 3.16
 * "Structure and queue ownership", 3.17 "TLB tagging", 4.3 "Configuration
 * invalidation", 4.4 "TLB invalidation"): the SMMU may keep using a cached
 * STE, CD or translation after the structure in memory changed, until the
 * matching CMD_CFGI_* / CMD_TLBI_* completes (followed by CMD_SYNC). Each
 * case makes sure the old entry is cached (a DMA read just before the
 * change), changes memory, reads again without the command (avsim keeps
 * its entry until invalidated or evicted, so it must show the old one), then
 * issues the command + CMD_SYNC and reads once more (the new one).
 * Data pages: A..F hold 0x11.., 0x22.., ... 0x66...
 *   1. stage 1 (StreamID 1, ASID 1, VMID 0): the level 3 descriptor of IOVA
 *      V changes from A to B: CMD_TLBI_NH_VA(VMID 0, ASID 1, V) removes it;
 *      then B -> C: CMD_TLBI_NH_ASID(VMID 0, ASID 2) (another ASID) leaves
 *      it, CMD_TLBI_NH_ASID(VMID 0, ASID 1) removes it; then C -> D:
 *      CMD_TLBI_NH_ALL(VMID 0) removes it; then D -> A:
 *      CMD_TLBI_NH_VAA(VMID 0, V) (any ASID) removes it.
 *   2. stage 2 (StreamID 8, VMID 5): the descriptor of IPA W changes from A
 *      to B: CMD_TLBI_S2_IPA(VMID 6, W) (another VMID) leaves it,
 *      CMD_TLBI_S2_IPA(VMID 5, W) removes it; B -> C: CMD_TLBI_S12_VMALL(VMID 5).
 *   3. STE (StreamID 3): stage 1 (reads D) -> Config abort: stale after
 *      CMD_CFGI_STE_RANGE(StreamID 0, Range 0) (StreamIDs 0-1, 4.3.2: an
 *      aligned range of 2^(Range+1)), applied after CMD_CFGI_STE_RANGE(2,
 *      Range 0) (StreamIDs 2-3): terminated, no event; back to stage 1:
 *      stale (terminated) until CMD_CFGI_STE_RANGE(Range 31) = CMD_CFGI_ALL.
 *   4. CD (StreamID 4): TTB0 -> tables mapping V to E with ASID 4, changed to
 *      tables mapping V to F with ASID 5: the cached CD (and its ASID 4 TLB
 *      entry) stays until CMD_CFGI_CD(4, SubstreamID 0), then F; back to
 *      E's tables with ASID 6: stale until CMD_CFGI_CD_ALL(4). */
#include "smmu.h"

#define V 0x10000000UL
#define W 0x30000000UL
#define RW1 S1_DMA_RW
#define S2RW (S2_MEMATTR(S2_NORMAL_WB) | S2AP_RW | PTE_SH(SH_ISH) | PTE_AF)
#define P(n) DATA_PAGE(n)

static struct pt s1, s1e, s1f, s2;

static char page_of(uint64_t v)
{
    for (unsigned i = 0; i < 6; i++)
        if (v == 0x1111111111111111UL * (i + 1))
            return (char)('A' + i);
    return '?';
}

/* A DMA read as sid at addr, printed as the page it came from, checked against want ('-': terminated). */
static void read_as(const char *what, uint32_t sid, uint64_t addr, char want)
{
    uint64_t v = 0;
    uint32_t st = dma_read64(sid, NO_SSID, addr, &v);
    if (st == DT_ST_DONE)
        rt_printf("  %s: page %c\n", what, page_of(v));
    else
        rt_printf("  %s: %s\n", what, dt_status_str(st));
    check(want == '-' ? st == (DT_ST_FAULT | DT_ST_SRC_FAULT) : st == DT_ST_DONE && page_of(v) == want, what);
}

static void set_s1(uint64_t page)
{
    *pt_lookup(&s1, V, 3) = page | RW1 | PTE_PAGE;
    dsb();
}

static void set_s2(uint64_t page)
{
    *pt_lookup(&s2, W, 3) = page | S2RW | PTE_PAGE;
    dsb();
}

int main(void)
{
    rt_puts("smmu_stale\n");
    smmu_gic_setup();
    for (unsigned i = 0; i < 6; i++)
        page_fill(P(i), (uint8_t)(0x11 * (i + 1)));
    pt_init_s1(&s1, 39);
    pt_map(&s1, V, P(0), 3, RW1);
    pt_init_s1(&s1e, 39);
    pt_map(&s1e, V, P(4), 3, RW1);
    pt_init_s1(&s1f, 39);
    pt_map(&s1f, V, P(5), 3, RW1);
    pt_init_s2(&s2, 32, 1);
    pt_map(&s2, W, P(0), 3, S2RW);

    strtab_linear(4);
    uint64_t cd1 = sm_alloc(64, 64), cd4 = sm_alloc(64, 64);
    struct cd c = cd_s1(1, &s1, (uint64_t)s1.root, IPS_40);
    cd_write(cd1, &c);
    c = cd_s1(4, &s1e, (uint64_t)s1e.root, IPS_40);
    cd_write(cd4, &c);
    struct ste st1 = ste_s1(cd1, 0, 0, 0), st4 = ste_s1(cd4, 0, 0, 0), st8 = ste_s2(5, &s2), abort = ste_abort();
    ste_write(ste_addr(1), &st1);
    ste_write(ste_addr(3), &st1);
    ste_write(ste_addr(4), &st4);
    ste_write(ste_addr(8), &st8);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);

    rt_puts("1. stage 1 descriptor of V (StreamID 1, ASID 1):\n");
    read_as("before the change", 1, V, 'A');
    set_s1(P(1));
    read_as("A -> B, no TLBI", 1, V, 'A');
    cmdq_put(CMD_TLBI_NH_VA | CMD_VMID(0) | CMD_ASID(1), V | CMD_LEAF);
    cmdq_sync();
    read_as("after CMD_TLBI_NH_VA(ASID 1, V) + CMD_SYNC", 1, V, 'B');
    set_s1(P(2));
    read_as("B -> C, no TLBI", 1, V, 'B');
    cmdq_put(CMD_TLBI_NH_ASID | CMD_VMID(0) | CMD_ASID(2), 0);
    cmdq_sync();
    read_as("after CMD_TLBI_NH_ASID(ASID 2) + CMD_SYNC", 1, V, 'B');
    cmdq_put(CMD_TLBI_NH_ASID | CMD_VMID(0) | CMD_ASID(1), 0);
    cmdq_sync();
    read_as("after CMD_TLBI_NH_ASID(ASID 1) + CMD_SYNC", 1, V, 'C');
    set_s1(P(3));
    read_as("C -> D, no TLBI", 1, V, 'C');
    cmdq_put(CMD_TLBI_NH_ALL | CMD_VMID(0), 0);
    cmdq_sync();
    read_as("after CMD_TLBI_NH_ALL(VMID 0) + CMD_SYNC", 1, V, 'D');
    set_s1(P(0));
    read_as("D -> A, no TLBI", 1, V, 'D');
    cmdq_put(CMD_TLBI_NH_VAA | CMD_VMID(0), V | CMD_LEAF);
    cmdq_sync();
    read_as("after CMD_TLBI_NH_VAA(VMID 0, V) + CMD_SYNC", 1, V, 'A');
    set_s1(P(3));
    cmdq_put(CMD_TLBI_NH_VA | CMD_VMID(0) | CMD_ASID(1), V | CMD_LEAF);
    cmdq_sync();

    rt_puts("2. stage 2 descriptor of W (StreamID 8, VMID 5):\n");
    read_as("before the change", 8, W, 'A');
    set_s2(P(1));
    read_as("A -> B, no TLBI", 8, W, 'A');
    cmdq_put(CMD_TLBI_S2_IPA | CMD_VMID(6), W | CMD_LEAF);
    cmdq_sync();
    read_as("after CMD_TLBI_S2_IPA(VMID 6, W) + CMD_SYNC", 8, W, 'A');
    cmdq_put(CMD_TLBI_S2_IPA | CMD_VMID(5), W | CMD_LEAF);
    cmdq_sync();
    read_as("after CMD_TLBI_S2_IPA(VMID 5, W) + CMD_SYNC", 8, W, 'B');
    set_s2(P(2));
    read_as("B -> C, no TLBI", 8, W, 'B');
    cmdq_put(CMD_TLBI_S12_VMALL | CMD_VMID(5), 0);
    cmdq_sync();
    read_as("after CMD_TLBI_S12_VMALL(VMID 5) + CMD_SYNC", 8, W, 'C');

    rt_puts("3. STE of StreamID 3 (stage 1, V -> page D):\n");
    read_as("before the change", 3, V, 'D');
    ste_write(ste_addr(3), &abort);
    read_as("stage 1 -> abort, no CFGI", 3, V, 'D');
    cmdq_put(CMD_CFGI_STE_RANGE | CMD_SID(0), 0);
    cmdq_sync();
    read_as("after CMD_CFGI_STE_RANGE(0, Range 0: StreamIDs 0-1) + CMD_SYNC", 3, V, 'D');
    cmdq_put(CMD_CFGI_STE_RANGE | CMD_SID(2), 0);
    cmdq_sync();
    read_as("after CMD_CFGI_STE_RANGE(2, Range 0: StreamIDs 2-3) + CMD_SYNC", 3, V, '-');
    ste_write(ste_addr(3), &st1);
    read_as("abort -> stage 1, no CFGI", 3, V, '-');
    cmd_cfgi_all();
    read_as("after CMD_CFGI_ALL + CMD_SYNC", 3, V, 'D');
    EXPECT_NO_IRQ("eventq");
    expect_no_event("after the abort STE");

    rt_puts("4. CD of StreamID 4 (ASID 4, V -> page E):\n");
    read_as("before the change", 4, V, 'E');
    c = cd_s1(5, &s1f, (uint64_t)s1f.root, IPS_40);
    cd_write(cd4, &c);
    read_as("TTB0 and ASID changed, no CFGI", 4, V, 'E');
    cmd_cfgi_cd(4, 0);
    read_as("after CMD_CFGI_CD(4, 0) + CMD_SYNC", 4, V, 'F');
    c = cd_s1(6, &s1e, (uint64_t)s1e.root, IPS_40);
    cd_write(cd4, &c);
    read_as("back to page E's tables with ASID 6, no CFGI", 4, V, 'F');
    cmdq_put(CMD_CFGI_CD_ALL | CMD_SID(4), 0);
    cmdq_sync();
    read_as("after CMD_CFGI_CD_ALL(4) + CMD_SYNC", 4, V, 'E');
    expect_no_event("then");
    smmu_test_end();
}
