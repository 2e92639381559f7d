/* AT S12E1R / S12E1W / S1E1R executed at EL2 with HCR_EL2.VM=1: PAR_EL1 for
 * combinations of stage 1 and stage 2 memory attributes, and the fault form.
 *
 * Stage 2: 4 KiB granule, T0SZ=28 (36-bit IPA space), SL0=1 (walk from level
 * 1, a 64-entry level-1 table); the image's 2 MiB identity-mapped with level 3
 * pages (the stage 1 tables live there).
 * Stage 1 (EL1&0, programmed by EL2, SCTLR_EL1.M/C/I=1): T0SZ=32 (32-bit VA,
 * walk from level 1, 4-entry table); MAIR_EL1 index 0 Normal WB RWA (0xff),
 * 1 Device-nGnRE (0x04), 2 Normal NC (0x44), 3 Normal WT RWA (0xbb).
 * Pair k (stage 1 attribute i, stage 2 MemAttr j) is the page
 *   VA 0x10000000 + k*4K -> IPA 0x40400000 + k*4K -> PA 0x40600000 + k*8K.
 *
 * Arm ARM (PAR_EL1; AArch64.CombineS1S2Desc without FEAT_S2FWB):
 *   F=0: PA[47:12] = the output address (S12E1*: the PA; S1E1R: the IPA),
 *     ATTR in MAIR format. Combined type: Device if either stage is Device
 *     (the more restrictive Device type); otherwise Normal with, per inner
 *     and outer, the weaker cacheability (NC < WT < WB) and stage 1's
 *     allocation hints. SH: Device or Normal Inner+Outer NC results report
 *     0b10 (Outer Shareable); otherwise the more shareable of the two stages
 *     (OSH > ISH > NSH). S1E1R reports stage 1 alone.
 *   F=1: FST = the fault status code (as ESR DFSC), S=1 for a stage 2 fault,
 *     PTW=1 for a stage 2 fault on the stage 1 walk. From EL2, a stage 2
 *     fault on the stage 1 walk of an AT S1E1* / S12E1* is reported in
 *     PAR_EL1 (only at EL1 does it become an exception to EL2).
 * Output addresses are printed relative to IPA_BASE (0x40400000) and PA_BASE
 * (0x40600000). NS and the IMPLEMENTATION DEFINED bits are not printed, nor
 * PAR_EL1.SH of an S1E1R whose stage 1 result is Device or Normal NC: the Arm
 * ARM makes it 0b10 but QEMU 7.2 returns the descriptor's SH there (covered
 * by at_par_sh, which follows the Arm ARM). */
#include "pagetable.h"

#define VA_BASE 0x10000000UL
#define IPA_BASE 0x40400000UL
#define PA_BASE 0x40600000UL

static struct pt s2, s1;

enum { S12E1R, S12E1W, S1E1R, S1E1W };

static uint64_t at(int op, uint64_t va)
{
    switch (op) {
    case S12E1R: __asm__ volatile("at s12e1r, %0" :: "r"(va) : "memory"); break;
    case S12E1W: __asm__ volatile("at s12e1w, %0" :: "r"(va) : "memory"); break;
    case S1E1R: __asm__ volatile("at s1e1r, %0" :: "r"(va) : "memory"); break;
    default: __asm__ volatile("at s1e1w, %0" :: "r"(va) : "memory"); break;
    }
    ISB();
    return READ_SYSREG(par_el1);
}

static const struct {
    const char *name;
    uint64_t mair;
} s1_attrs[] = {
    { "Normal-WB", MAIR_NORMAL_WB },
    { "Device-nGnRE", MAIR_DEVICE_nGnRE },
    { "Normal-NC", MAIR_NORMAL_NC },
    { "Normal-WT", MAIR_NORMAL_WT },
};
static const struct {
    const char *name;
    unsigned memattr;
} s2_attrs[] = {
    { "Normal-WB", S2_NORMAL_WB },
    { "Normal-NC", S2_NORMAL_NC },
    { "Device-nGnRE", S2_DEVICE_nGnRE },
    { "Device-nGnRnE", S2_DEVICE_nGnRnE },
};
/* Expected combined ATTR (S12E1R) per [stage 1][stage 2]. */
static const uint8_t combined[4][4] = {
    { 0xff, 0x44, 0x04, 0x00 },
    { 0x04, 0x04, 0x04, 0x00 },
    { 0x44, 0x44, 0x04, 0x00 },
    { 0xbb, 0x44, 0x04, 0x00 },
};

static int osh_type(uint64_t attr) { return (attr & 0xf0) == 0 || attr == 0x44; }

/* Print the success form and check it (sh < 0: SH neither printed nor
 * checked, see at_par_sh). */
static void expect_ok(const char *op, uint64_t par, uint64_t attr, int sh, const char *base,
                      uint64_t base_addr, uint64_t out)
{
    rt_printf(" %s: F=%lu ATTR=0x%02lx", op, par & PAR_F, PAR_ATTR(par));
    if (sh >= 0)
        rt_printf(" SH=%lu", PAR_SH(par));
    rt_printf(" %s+0x%lx", base, PAR_PA(par) - base_addr);
    check(!(par & PAR_F), "F=0");
    check(PAR_ATTR(par) == attr, "ATTR");
    check(sh < 0 || PAR_SH(par) == (unsigned)sh, "SH");
    check(PAR_PA(par) == out, "output address");
}

static void expect_fault(const char *what, uint64_t par, unsigned fst, unsigned s, unsigned ptw)
{
    rt_printf("%s: F=%lu FST=0x%02lx S=%lu PTW=%lu\n", what, par & PAR_F, PAR_FST(par), PAR_S(par),
              PAR_PTW(par));
    check(par & PAR_F, "F=1");
    check(PAR_FST(par) == fst, "FST");
    check(PAR_S(par) == s, "S");
    check(PAR_PTW(par) == ptw, "PTW");
}

/* Extra pages past the 16 pairs. */
#define PG(k) (VA_BASE + (uint64_t)(k) * PAGE_SIZE)
#define IPA(k) (IPA_BASE + (uint64_t)(k) * PAGE_SIZE)
#define PA(k) (PA_BASE + (uint64_t)(k) * 2 * PAGE_SIZE)
enum {
    K_SH0 = 16,     /* s1 WB NSH, s2 WB ISH */
    K_SH1,          /* s1 WB ISH, s2 WB OSH */
    K_SH2,          /* s1 WB NSH, s2 WB NSH */
    K_S2_NONE,      /* stage 1 maps it, stage 2 does not */
    K_S1_RO,        /* stage 1 AP=10 (EL1 read-only) */
    K_S2_RO,        /* stage 2 S2AP=01 */
    K_S2_NOACC,     /* stage 2 S2AP=00 */
    K_S2_AF,        /* stage 2 AF=0 */
    K_S1_AF,        /* stage 1 AF=0 */
    K_END
};
#define VA_NOMAP 0x30000000UL     /* no level 2 entry at stage 1 */
#define VA_OUTSIDE 0x100000000UL  /* beyond the 32-bit VA range of T0SZ=32 */
#define VA_PTW 0x10200000UL       /* its level 3 table gets unmapped at stage 2 */

int main(void)
{
    rt_puts("at_s12\n");
    pt_init_s2(&s2, 36, 1);
    s2_map_image(&s2, 3);
    pt_init_s1(&s1, 32);
    rt_printf("VTCR_EL2=0x%lx (T0SZ=%u SL0=1), TCR_EL1.T0SZ=%u (stage 1 from level %d)\n",
              s2_vtcr(&s2), 64 - s2.ia_bits, 64 - s1.ia_bits, s1.start_level);

    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) {
            unsigned k = i * 4 + j;
            pt_map(&s1, PG(k), IPA(k), 3, S1_ATTR(i) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF);
            pt_map(&s2, IPA(k), PA(k), 3,
                   S2_MEMATTR(s2_attrs[j].memattr) | S2AP_RW | PTE_SH(SH_ISH) | PTE_AF);
        }
    uint64_t s1wb = S1_ATTR(0) | S1_AP_RW_EL1 | PTE_AF, s2wb = S2_MEMATTR(S2_NORMAL_WB) | PTE_AF;
    pt_map(&s1, PG(K_SH0), IPA(K_SH0), 3, s1wb | PTE_SH(SH_NSH));
    pt_map(&s2, IPA(K_SH0), PA(K_SH0), 3, s2wb | S2AP_RW | PTE_SH(SH_ISH));
    pt_map(&s1, PG(K_SH1), IPA(K_SH1), 3, s1wb | PTE_SH(SH_ISH));
    pt_map(&s2, IPA(K_SH1), PA(K_SH1), 3, s2wb | S2AP_RW | PTE_SH(SH_OSH));
    pt_map(&s1, PG(K_SH2), IPA(K_SH2), 3, s1wb | PTE_SH(SH_NSH));
    pt_map(&s2, IPA(K_SH2), PA(K_SH2), 3, s2wb | S2AP_RW | PTE_SH(SH_NSH));
    for (unsigned k = K_S2_NONE; k < K_END; k++)
        pt_map(&s1, PG(k), IPA(k), 3, S1_RAM(0));
    for (unsigned k = K_S1_RO; k < K_END; k++)
        pt_map(&s2, IPA(k), PA(k), 3, S2_RAM);
    *pt_entry(&s1, PG(K_S1_RO), 3) |= S1_AP_RO_EL1;
    *pt_entry(&s2, IPA(K_S2_RO), 3) = (*pt_entry(&s2, IPA(K_S2_RO), 3) & ~S2AP_MASK) | S2AP_RO;
    *pt_entry(&s2, IPA(K_S2_NOACC), 3) &= ~S2AP_MASK;
    *pt_entry(&s2, IPA(K_S2_AF), 3) &= ~PTE_AF;
    *pt_entry(&s1, PG(K_S1_AF), 3) &= ~PTE_AF;
    pt_map(&s1, VA_PTW, IPA(0), 3, S1_RAM(0));
    uint64_t t_ptw = pt_table_addr(&s1, VA_PTW, 3);
    *pt_lookup(&s2, t_ptw, 3) = 0;

    s2_setup(&s2);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
    s1_enable(&s1, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE) | MAIR(2, MAIR_NORMAL_NC) |
                       MAIR(3, MAIR_NORMAL_WT));

    rt_puts("attribute pairs (AT on VA + 0x123):\n");
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) {
            unsigned k = i * 4 + j;
            uint64_t a = combined[i][j];
            rt_printf("s1 %s / s2 %s:\n", s1_attrs[i].name, s2_attrs[j].name);
            expect_ok("S12E1R", at(S12E1R, PG(k) + 0x123), a, osh_type(a) ? 2 : 3, "PA_BASE",
                      PA_BASE, PA(k));
            rt_puts("\n");
            expect_ok("S12E1W", at(S12E1W, PG(k) + 0x123), a, osh_type(a) ? 2 : 3, "PA_BASE",
                      PA_BASE, PA(k));
            rt_puts("\n");
            a = s1_attrs[i].mair;
            expect_ok("S1E1R", at(S1E1R, PG(k) + 0x123), a, osh_type(a) ? -1 : 3, "IPA_BASE",
                      IPA_BASE, IPA(k));
            rt_puts("\n");
        }

    rt_puts("shareability (Normal WB at both stages):\n");
    rt_puts("s1 NSH / s2 ISH:");
    expect_ok("S12E1R", at(S12E1R, PG(K_SH0)), 0xff, SH_ISH, "PA_BASE", PA_BASE, PA(K_SH0));
    expect_ok("S1E1R", at(S1E1R, PG(K_SH0)), 0xff, SH_NSH, "IPA_BASE", IPA_BASE, IPA(K_SH0));
    rt_puts("\ns1 ISH / s2 OSH:");
    expect_ok("S12E1R", at(S12E1R, PG(K_SH1)), 0xff, SH_OSH, "PA_BASE", PA_BASE, PA(K_SH1));
    expect_ok("S1E1R", at(S1E1R, PG(K_SH1)), 0xff, SH_ISH, "IPA_BASE", IPA_BASE, IPA(K_SH1));
    rt_puts("\ns1 NSH / s2 NSH:");
    expect_ok("S12E1R", at(S12E1R, PG(K_SH2)), 0xff, SH_NSH, "PA_BASE", PA_BASE, PA(K_SH2));
    rt_puts("\n");

    rt_puts("faults:\n");
    expect_fault("S12E1R, IPA not mapped at stage 2", at(S12E1R, PG(K_S2_NONE)), FSC_TRANS(3), 1,
                 0);
    rt_puts("S1E1R, IPA not mapped at stage 2:");
    expect_ok("S1E1R", at(S1E1R, PG(K_S2_NONE)), 0xff, SH_ISH, "IPA_BASE", IPA_BASE,
              IPA(K_S2_NONE));
    rt_puts("\n");
    expect_fault("S1E1R, VA not mapped at stage 1 (no level 2 entry)", at(S1E1R, VA_NOMAP),
                 FSC_TRANS(2), 0, 0);
    expect_fault("S12E1R, VA not mapped at stage 1 (no level 2 entry)", at(S12E1R, VA_NOMAP),
                 FSC_TRANS(2), 0, 0);
    expect_fault("S1E1R, VA above the T0SZ=32 range", at(S1E1R, VA_OUTSIDE), FSC_TRANS(0), 0, 0);
    rt_puts("stage 1 read-only:");
    expect_ok("S12E1R", at(S12E1R, PG(K_S1_RO)), 0xff, SH_ISH, "PA_BASE", PA_BASE, PA(K_S1_RO));
    rt_puts("\n");
    expect_fault("S12E1W, stage 1 read-only", at(S12E1W, PG(K_S1_RO)), FSC_PERM(3), 0, 0);
    expect_fault("S1E1W, stage 1 read-only", at(S1E1W, PG(K_S1_RO)), FSC_PERM(3), 0, 0);
    rt_puts("stage 2 read-only:");
    expect_ok("S12E1R", at(S12E1R, PG(K_S2_RO)), 0xff, SH_ISH, "PA_BASE", PA_BASE, PA(K_S2_RO));
    rt_puts("\n");
    expect_fault("S12E1W, stage 2 read-only", at(S12E1W, PG(K_S2_RO)), FSC_PERM(3), 1, 0);
    rt_puts("stage 2 read-only:");
    expect_ok("S1E1W", at(S1E1W, PG(K_S2_RO)), 0xff, SH_ISH, "IPA_BASE", IPA_BASE, IPA(K_S2_RO));
    rt_puts("\n");
    expect_fault("S12E1R, stage 2 no access (S2AP=00)", at(S12E1R, PG(K_S2_NOACC)), FSC_PERM(3), 1,
                 0);
    expect_fault("S12E1R, stage 2 AF=0", at(S12E1R, PG(K_S2_AF)), FSC_AF(3), 1, 0);
    expect_fault("S1E1R, stage 1 AF=0", at(S1E1R, PG(K_S1_AF)), FSC_AF(3), 0, 0);
    expect_fault("S12E1R, stage 1 AF=0", at(S12E1R, PG(K_S1_AF)), FSC_AF(3), 0, 0);
    expect_fault("S1E1R, stage 1 level 3 table not mapped at stage 2", at(S1E1R, VA_PTW),
                 FSC_TRANS(3), 1, 1);
    expect_fault("S12E1R, stage 1 level 3 table not mapped at stage 2", at(S12E1R, VA_PTW),
                 FSC_TRANS(3), 1, 1);

    s1_disable();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
