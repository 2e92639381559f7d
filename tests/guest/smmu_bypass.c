// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 translates only PCI devices
/* SMMUv3 bypass and abort without translation (IHI 0070):
 *   - SMMU_CR0.SMMUEN == 0: incoming transactions follow SMMU_GBPA (6.3.14):
 *     GBPA.ABORT == 0 lets them through untranslated (IOVA == PA), ABORT == 1
 *     terminates them; no event is recorded (3.11: "the SMMU is disabled").
 *     GBPA is changed with the Update procedure (6.3.14.1): write with Update
 *     set, wait for Update to read 0.
 *   - SMMUEN == 1, linear stream table: an STE with Config == 0b100 (bypass)
 *     lets the stream's reads and writes through untranslated; Config ==
 *     0b000 (abort) terminates them without an event (5.2, STE.Config), and
 *     so does a reserved Config 0b001 ("Reserved (behaves as 0b000)").
 * The DMA test device writes a pattern (FILL: writes only) and reads memory
 * back (READ: reads only, DATA = the first 8 bytes); the PE checks memory. */
#include "smmu.h"

#define SID_BYPASS 1
#define SID_ABORT 2
#define SID_RESERVED 3

int main(void)
{
    rt_puts("smmu_bypass\n");
    uint64_t a = DATA_PAGE(0), b = DATA_PAGE(1), v;
    page_fill(a, 0x11);
    page_fill(b, 0x22);
    uint32_t id = dmatest_r32(DT_ID);
    rt_printf("DMA test device ID=0x%x\n", id);
    check(id == 0x444d4131, "DMA test device ID");

    strtab_linear(4);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 0);

    rt_puts("SMMUEN=0, GBPA.ABORT=0:\n");
    check(smmu_gbpa(0) == 0, "GBPA.Update cleared");
    rt_printf("  GBPA.ABORT=%u\n", (smmu_r32(SMMU_GBPA) >> 20) & 1);
    expect_status("write 8 bytes at page A", dma_write64(SID_BYPASS, NO_SSID, a + 8, 0x0123456789abcdefUL), DT_ST_DONE);
    rt_printf("  page A +8 = 0x%lx, +0 = 0x%lx, +16 = 0x%lx\n", rd64(a + 8), rd64(a), rd64(a + 16));
    check(rd64(a + 8) == 0x0123456789abcdefUL && rd64(a) == 0x1111111111111111UL && rd64(a + 16) == 0x1111111111111111UL,
          "write landed untranslated");
    expect_status("read 8 bytes at page B", dma_read64(SID_BYPASS, NO_SSID, b, &v), DT_ST_DONE);
    rt_printf("  read 0x%lx\n", v);
    check(v == 0x2222222222222222UL, "read untranslated");
    expect_no_event("after bypassed transactions");

    rt_puts("SMMUEN=0, GBPA.ABORT=1:\n");
    check(smmu_gbpa(GBPA_ABORT) == 0, "GBPA.Update cleared");
    rt_printf("  GBPA.ABORT=%u\n", (smmu_r32(SMMU_GBPA) >> 20) & 1);
    expect_status("write 8 bytes at page A", dma_write64(SID_BYPASS, NO_SSID, a, 0x5555555555555555UL), DT_ST_FAULT | DT_ST_DST_FAULT);
    rt_printf("  page A +0 = 0x%lx\n", rd64(a));
    check(rd64(a) == 0x1111111111111111UL, "aborted write did not land");
    expect_status("read 8 bytes at page B", dma_read64(SID_BYPASS, NO_SSID, b, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_no_event("after aborted transactions");
    check(smmu_gbpa(0) == 0, "GBPA.Update cleared");

    rt_puts("SMMUEN=1, STE Config=bypass for StreamID 1, Config=abort for StreamID 2, Config=0b001 for StreamID 3:\n");
    struct ste s = ste_bypass();
    ste_write(ste_addr(SID_BYPASS), &s);
    s = ste_abort();
    ste_write(ste_addr(SID_ABORT), &s);
    s.w[0] = STE_V | STE_CONFIG(1);
    ste_write(ste_addr(SID_RESERVED), &s);
    cmd_cfgi_all();
    check(smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN) == 0, "CR0ACK.SMMUEN");
    rt_printf("  CR0ACK=0x%x\n", smmu_r32(SMMU_CR0ACK));
    expect_status("StreamID 1 copies page B to page A", dma_cmd(SID_BYPASS, NO_SSID, DT_COPY, b, a, 4096), DT_ST_DONE);
    rt_printf("  page A +0 = 0x%lx, +0xff8 = 0x%lx\n", rd64(a), rd64(a + 0xff8));
    check(rd64(a) == 0x2222222222222222UL && rd64(a + 0xff8) == 0x2222222222222222UL, "bypass STE copy");
    page_fill(b, 0x33);
    expect_status("StreamID 2 writes page B", dma_write64(SID_ABORT, NO_SSID, b, 0x4444444444444444UL), DT_ST_FAULT | DT_ST_DST_FAULT);
    expect_status("StreamID 2 reads page A", dma_read64(SID_ABORT, NO_SSID, a, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    rt_printf("  page B +0 = 0x%lx\n", rd64(b));
    check(rd64(b) == 0x3333333333333333UL, "abort STE: nothing written");
    expect_status("StreamID 3 (Config 0b001) reads page A", dma_read64(SID_RESERVED, NO_SSID, a, &v), DT_ST_FAULT | DT_ST_SRC_FAULT);
    expect_no_event("after the abort STEs");
    smmu_test_end();
}
