/* Two-dimensional translation: an EL1 guest with its own stage 1 under a
 * stage 2 that does not map IPA to the same PA, so VA -> IPA -> PA is a real
 * two-stage translation, with pages and 2 MiB blocks at each stage.
 *
 * Stage 2 (EL2): 4 KiB granule, T0SZ=32 (32-bit IPA space), SL0=0 (walk
 * from level 2, four concatenated level-2 tables):
 *   the image's 2 MiB          identity, one level-2 block;
 *   IPA 0x40403000 page        -> PA 0x40605000;
 *   IPA 0x40404000 page        -> PA 0x40601000 (the rest of that 2 MiB
 *                                 unmapped);
 *   IPA 0x40800000 2 MiB block -> PA 0x40c00000.
 * Stage 1 (built and enabled by the guest; T0SZ=25, 39-bit VA, walk from
 * level 1; MAIR index 0 = Normal WB):
 *   the image's 2 MiB          identity, one level-2 block;
 *   VA 0x10000000 page         -> IPA 0x40403000  (page over page);
 *   VA 0x10001000 page         -> IPA 0x40807000  (page inside a stage 2 block);
 *   VA 0x20000000 2 MiB block  -> IPA 0x40800000  (block over block);
 *   VA 0x20200000 2 MiB block  -> IPA 0x40400000  (block over stage 2 pages).
 * For each VA the guest loads a doubleword (EL2 put at the expected PA a value
 * naming that PA, and a decoy at the PA equal to the IPA), stores another one
 * 8 bytes further, and cleans the line to the PoC (DC CIVAC; EL2 reads with
 * its MMU off). EL2 checks that the store landed at the expected PA. The
 * final translation is that of the smaller of the two mappings.
 * Last, a load via VA 0x20205010 -> IPA 0x40405010, which stage 2 does not
 * map: a stage 2 translation fault, level 3 (DFSC 0x07, ISV=1, S1PTW=0), with
 * FAR_EL2 = the VA and HPFAR_EL2 = the IPA from the guest's stage 1
 * (0x40405000 << 4 >> 12): the two addresses of a 2D fault. */
#include "pagetable.h"

static struct pt s2, g1;

static uint64_t guest_setup(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&g1, 39);
    pt_map(&g1, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_map(&g1, 0x10000000UL, 0x40403000UL, 3, S1_RAM(0));
    pt_map(&g1, 0x10001000UL, 0x40807000UL, 3, S1_RAM(0));
    pt_map(&g1, 0x20000000UL, 0x40800000UL, 2, S1_RAM(0));
    pt_map(&g1, 0x20200000UL, 0x40400000UL, 2, S1_RAM(0));
    s1_enable(&g1, MAIR(0, MAIR_NORMAL_WB));
    return 0;
}

static struct {
    uint64_t va, wval;
} io;

/* Load [va], store wval to [va + 8], clean and invalidate the line to the PoC. */
static uint64_t g_rw(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\tldr x7, [%1, #8]\n\tldr x5, [x6]\n\tstr x7, [x6, #8]\n\t"
                     "dc civac, x6\n\tdsb sy\n\tmov %0, x5"
                     : "=&r"(out) : "r"(arg) : "x5", "x6", "x7", "memory");
    return out;
}
static uint64_t g_ldr(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\tmov x5, #0x77\n\t" T_MARK "1: ldr x5, [x6]\n2:\n\tmov %0, x5"
                     : "=&r"(out) : "r"(arg) : "x5", "x6", T_CLOBBER);
    return out;
}

/* Aborts are recorded and the instruction skipped. */
void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != EC_DABT_LOW || !trap_resume) {
        trap_record(f, 2, vector);   /* unexpected: reported, exit 100 */
        return;
    }
    abort_record(f);
    f->elr += 4;
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

static const struct {
    const char *what;
    uint64_t va, ipa, pa;
} cases[] = {
    { "s1 page  -> s2 page ", 0x10000010UL, 0x40403010UL, 0x40605010UL },
    { "s1 page  -> s2 block", 0x10001080UL, 0x40807080UL, 0x40c07080UL },
    { "s1 block -> s2 block", 0x20012340UL, 0x40812340UL, 0x40c12340UL },
    { "s1 block -> s2 block", 0x201fffc0UL, 0x409fffc0UL, 0x40dfffc0UL },
    { "s1 block -> s2 page ", 0x20203040UL, 0x40403040UL, 0x40605040UL },
    { "s1 block -> s2 page ", 0x20204020UL, 0x40404020UL, 0x40601020UL },
};
#define N_CASES (sizeof cases / sizeof cases[0])

static uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)a; }
static void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

#define NAMES_PA(pa) (0x5eed000000000000UL | ((pa) - RAM_BASE))
#define DECOY 0xdeadbeefdeadbeefUL

int main(void)
{
    rt_puts("s2_guest_s1\n");
    pt_init_s2(&s2, 32, 2);
    s2_map_image(&s2, 2);
    pt_map(&s2, 0x40403000UL, 0x40605000UL, 3, S2_RAM);
    pt_map(&s2, 0x40404000UL, 0x40601000UL, 3, S2_RAM);
    pt_map(&s2, 0x40800000UL, 0x40c00000UL, 2, S2_RAM);
    s2_setup(&s2);
    rt_printf("VTCR_EL2=0x%lx (T0SZ=%u SL0=0, %u concatenated level-2 tables)\n", s2_vtcr(&s2),
              64 - s2.ia_bits, s2.nroot);

    for (unsigned i = 0; i < N_CASES; i++) {
        wr64(cases[i].pa, NAMES_PA(cases[i].pa));
        wr64(cases[i].pa + 8, 0);
        wr64(cases[i].ipa, DECOY);
        wr64(cases[i].ipa + 8, DECOY);
    }

    rt_run_el1(guest_setup, HCR_VM, 0);
    rt_printf("guest stage 1 on: TCR_EL1.T0SZ=%lu, walk from level %d\n",
              READ_SYSREG(tcr_el1) & 0x3f, g1.start_level);

    for (unsigned i = 0; i < N_CASES; i++) {
        uint64_t wval = 0xa000000000000000UL | i;
        io.va = cases[i].va;
        io.wval = wval;
        abort_reset();
        uint64_t v = rt_run_el1(g_rw, HCR_VM, (uint64_t)&io);
        rt_printf("%s: VA 0x%lx -> IPA RAM+0x%lx -> PA RAM+0x%lx: read 0x%lx, wrote PA+8: 0x%lx\n",
                  cases[i].what, cases[i].va, cases[i].ipa - RAM_BASE, cases[i].pa - RAM_BASE, v,
                  rd64(cases[i].pa + 8));
        expect_abort_count(cases[i].what, 0);
        check(v == NAMES_PA(cases[i].pa), "load read the expected PA");
        check(rd64(cases[i].pa + 8) == wval, "store landed at the expected PA");
        check(rd64(cases[i].ipa) == DECOY && rd64(cases[i].ipa + 8) == DECOY,
              "PA equal to the IPA untouched");
    }

    io.va = 0x20205010UL;
    abort_reset();
    uint64_t v = rt_run_el1(g_ldr, HCR_VM, (uint64_t)&io);
    trap_resume = 0;
    expect_abort_count("unmapped IPA", 1);
    expect_abort("ldr x5, [x6] (VA 0x20205010 -> IPA 0x40405010, no stage 2 mapping)", 0,
                 EC_DABT_LOW, ISS_ISV | ISS_SAS(3) | ISS_SRT(5) | ISS_SF | FSC_TRANS(3),
                 REF("pc", trap_pc), 0, REF("VA", 0x20205000UL), 0x10, REF("IPA", 0x40405000UL),
                 0);
    rt_printf("  skipped, x5=0x%lx\n", v);
    check(v == 0x77, "skipped load");

    s1_disable();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
