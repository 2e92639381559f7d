// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: avsim's SMMUv3 identification (QEMU 7.2's differs: no stage 2, PCI only)
/* SMMUv3 registers (IHI 0070 chapter 6):
 *   - ID registers: the fields Linux 6.1's arm-smmu-v3 driver depends on
 *     (arm_smmu_device_hw_probe): IDR0.S1P/S2P (at least one; avsim: both),
 *     TTF (AArch64 tables), ST_LEVEL (2-level stream tables), TTENDIAN
 *     (little-endian walks), CD2L, IDR1.TABLES_PRESET/QUEUES_PRESET/REL == 0
 *     (the driver rejects embedded implementations), CMDQS >= 7 (more than
 *     a batch of 64 commands), SIDSIZE 16, SSIDSIZE > 0, IDR5.GRAN4K,
 *     OAS = 40 bits, AIDR.ArchMajorRev == 0 (SMMUv3.x).
 *   - CR0 / CR0ACK (6.3.9, 6.3.10): each enable written to CR0 shows in
 *     CR0ACK once in effect; CMDQEN, EVENTQEN and SMMUEN one by one, then
 *     all off.
 *   - IRQ_CTRL / IRQ_CTRLACK (6.3.16, 6.3.17) likewise.
 *   - GBPA (6.3.14): the Update procedure; ABORT set and cleared.
 *   - Queue and table base registers read back what was written (their
 *     defined fields); GERROR == GERRORN after reset (no error active). */
#include "smmu.h"

static void cr0(const char *what, uint32_t v)
{
    int r = smmu_cr0(v);
    rt_printf("  CR0=0x%x (%s): CR0ACK=0x%x\n", v, what, smmu_r32(SMMU_CR0ACK));
    check(r == 0, "CR0ACK follows CR0");
}

int main(void)
{
    rt_puts("smmu_regs\n");
    uint32_t idr0 = smmu_r32(SMMU_IDR0), idr1 = smmu_r32(SMMU_IDR1), idr5 = smmu_r32(SMMU_IDR5);
    uint32_t aidr = smmu_r32(SMMU_AIDR);
    unsigned s2p = idr0 & 1, s1p = (idr0 >> 1) & 1, ttf = (idr0 >> 2) & 3, st_level = (idr0 >> 27) & 3;
    unsigned ttendian = (idr0 >> 21) & 3, cd2l = (idr0 >> 19) & 1;
    unsigned presets = (idr1 >> 28) & 7, cmdqs = (idr1 >> 21) & 0x1f, evtqs = (idr1 >> 16) & 0x1f;
    unsigned ssidsize = (idr1 >> 6) & 0x1f, sidsize = idr1 & 0x3f;
    unsigned gran4k = (idr5 >> 4) & 1, oas = idr5 & 7;
    static const unsigned oas_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 0 };
    rt_puts("ID registers:\n");
    rt_printf("  IDR0: S1P=%u S2P=%u TTF.AArch64 %s ST_LEVEL=%u TTENDIAN little-endian %s CD2L=%u\n", s1p, s2p,
              ttf & 2 ? "yes" : "no", st_level, ttendian == 0 || ttendian == 2 ? "yes" : "no", cd2l);
    rt_printf("  IDR1: TABLES_PRESET|QUEUES_PRESET|REL=%u CMDQS>=7 %s EVENTQS>=2 %s SIDSIZE=%u SSIDSIZE>0 %s\n", presets,
              cmdqs >= 7 ? "yes" : "no", evtqs >= 2 ? "yes" : "no", sidsize, ssidsize > 0 ? "yes" : "no");
    rt_printf("  IDR5: GRAN4K=%u OAS=%u bits\n", gran4k, oas_bits[oas]);
    rt_printf("  AIDR: ArchMajorRev=%u\n", (aidr >> 4) & 0xf);
    check(s1p && s2p, "both stages");
    check(ttf & 2, "AArch64 tables");
    check(st_level == 1, "2-level stream tables");
    check(ttendian == 0 || ttendian == 2, "little-endian walks");
    check(cd2l, "2-level CD tables");
    check(presets == 0, "no preset tables, queues, relative addresses");
    check(cmdqs >= 7 && evtqs >= 2, "queue sizes");
    check(sidsize == 16, "16 StreamID bits");
    check(ssidsize > 0, "SubstreamIDs");
    check(gran4k, "4 KiB granule");
    check(oas_bits[oas] == 40, "40-bit output addresses");
    check(((aidr >> 4) & 0xf) == 0, "SMMUv3.x");

    rt_puts("after reset:\n");
    uint32_t c0 = smmu_r32(SMMU_CR0), ack = smmu_r32(SMMU_CR0ACK);
    uint32_t ge = smmu_r32(SMMU_GERROR), gen = smmu_r32(SMMU_GERRORN);
    rt_printf("  CR0=0x%x CR0ACK=0x%x GERROR^GERRORN=0x%x\n", c0, ack, ge ^ gen);
    check(c0 == 0 && ack == 0 && ge == gen, "reset state");

    rt_puts("base registers:\n");
    smmu_w64(SMMU_STRTAB_BASE, 0x40400000UL | Q_BASE_ALLOC);
    smmu_w32(SMMU_STRTAB_BASE_CFG, STRTAB_FMT_2LVL | STRTAB_SPLIT(8) | 16);
    smmu_w64(SMMU_CMDQ_BASE, 0x40410000UL | Q_BASE_ALLOC | 7);
    smmu_w64(SMMU_EVENTQ_BASE, 0x40420000UL | Q_BASE_ALLOC | 2);
    rt_printf("  STRTAB_BASE=0x%lx STRTAB_BASE_CFG=0x%x\n", smmu_r64(SMMU_STRTAB_BASE), smmu_r32(SMMU_STRTAB_BASE_CFG));
    rt_printf("  CMDQ_BASE=0x%lx EVENTQ_BASE=0x%lx\n", smmu_r64(SMMU_CMDQ_BASE), smmu_r64(SMMU_EVENTQ_BASE));
    check(smmu_r64(SMMU_STRTAB_BASE) == (0x40400000UL | Q_BASE_ALLOC), "STRTAB_BASE");
    check(smmu_r32(SMMU_STRTAB_BASE_CFG) == (STRTAB_FMT_2LVL | STRTAB_SPLIT(8) | 16), "STRTAB_BASE_CFG");
    check(smmu_r64(SMMU_CMDQ_BASE) == (0x40410000UL | Q_BASE_ALLOC | 7), "CMDQ_BASE");
    check(smmu_r64(SMMU_EVENTQ_BASE) == (0x40420000UL | Q_BASE_ALLOC | 2), "EVENTQ_BASE");
    smmu_w32(SMMU_STRTAB_BASE_CFG, STRTAB_FMT_LINEAR | 0);
    smmu_w32(SMMU_CMDQ_PROD, 0);
    smmu_w32(SMMU_CMDQ_CONS, 0);
    smmu_w32(SMMU_EVENTQ_PROD, 0);
    smmu_w32(SMMU_EVENTQ_CONS, 0);

    rt_puts("CR0 and CR0ACK:\n");
    cr0("CMDQEN", CR0_CMDQEN);
    cr0("CMDQEN|EVENTQEN", CR0_CMDQEN | CR0_EVENTQEN);
    cr0("CMDQEN|EVENTQEN|SMMUEN", CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
    cr0("all off", 0);

    rt_puts("IRQ_CTRL and IRQ_CTRLACK:\n");
    smmu_w32(SMMU_IRQ_CTRL, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR);
    int ok = SPIN_UNTIL(smmu_r32(SMMU_IRQ_CTRLACK) == (IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR), 100000);
    rt_printf("  IRQ_CTRL=0x%x: IRQ_CTRLACK=0x%x\n", IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, smmu_r32(SMMU_IRQ_CTRLACK));
    check(ok, "IRQ_CTRLACK follows IRQ_CTRL");
    smmu_w32(SMMU_IRQ_CTRL, 0);
    ok = SPIN_UNTIL(smmu_r32(SMMU_IRQ_CTRLACK) == 0, 100000);
    rt_printf("  IRQ_CTRL=0x0: IRQ_CTRLACK=0x%x\n", smmu_r32(SMMU_IRQ_CTRLACK));
    check(ok, "IRQ_CTRLACK follows IRQ_CTRL");

    rt_puts("GBPA update procedure:\n");
    ok = smmu_gbpa(GBPA_ABORT) == 0;
    uint32_t g = smmu_r32(SMMU_GBPA);
    rt_printf("  written ABORT|Update: Update=%u ABORT=%u\n", g >> 31, (g >> 20) & 1);
    check(ok && (g & GBPA_ABORT), "GBPA.ABORT set, Update cleared");
    ok = smmu_gbpa(0) == 0;
    g = smmu_r32(SMMU_GBPA);
    rt_printf("  written Update: Update=%u ABORT=%u\n", g >> 31, (g >> 20) & 1);
    check(ok && !(g & GBPA_ABORT), "GBPA.ABORT clear, Update cleared");
    smmu_test_end();
}
