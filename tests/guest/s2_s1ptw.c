/* Stage 2 faults on the guest's stage 1 translation table walks (S1PTW).
 * Stage 2: 4 KiB granule, T0SZ=24 (40-bit IPA), SL0=1 (two concatenated
 * level-1 tables); the image's 2 MiB of guest RAM identity-mapped with level 3
 * pages.
 * The EL1 guest builds its own stage 1 (T0SZ=16: 48-bit VA, walk from level
 * 0; MAIR index 0 = Normal WB) and turns it on (MAIR_EL1, TCR_EL1,
 * TTBR0_EL1, SCTLR_EL1.M/C/I):
 *   the image region identity-mapped by a 2 MiB block (so its code and data
 *     need only the level 0-2 tables),
 *   VA_D 0x10000000 -> a data page (level 3 table T_D, in the table pool),
 *   VA_C 0x10200000 -> a code page (level 3 table T_C, in the table pool).
 * EL2 then takes T_D or T_C away at stage 2 (with the TLB maintenance for a
 * changed valid descriptor), and a guest access through VA_D / VA_C makes the
 * stage 1 walk fault at stage 2. Arm ARM (ESR_ELx, AArch64 pseudocode
 * AArch64.TranslationTableWalk / AArch64.SecondStageWalk /
 * AArch64.CheckS2Permission):
 *   EC 0x24 for a data access, 0x20 for an instruction fetch, to EL2;
 *   S1PTW=1; ISV=0 (no instruction syndrome for faults on a stage 1 walk);
 *   DFSC/IFSC = the stage 2 fault on the descriptor's IPA, with the level of
 *     the stage 2 walk of that IPA (here level 3 for both; s2_s1ptw_level
 *     covers stage 2 levels that differ from the stage 1 table's level);
 *   WnR: a stage 2 translation fault on the walk reports the access that
 *     caused the walk (1 for a store); a permission fault on the walk (the
 *     walk is a read, checked against S2AP read permission) is reported with
 *     WnR=0 for a load (Armv8.0 pseudocode reports WnR=0 for any permission
 *     fault on a walk, later versions the original access; a load is 0 in
 *     both, so no store is tried);
 *   FAR_EL2 = the VA of the access (for a fetch, ELR = FAR = the target);
 *   HPFAR_EL2 = the IPA of the table (T_D or T_C), not the data's IPA.
 * EL2 puts the mapping back (a translation fault: the invalid descriptor was
 * not cached, no TLBI needed; a permission fix: TLBI IPAS2E1 + VMALLE1) and
 * returns to the same instruction; the retry completes. */
#include "pagetable.h"

#define VA_D 0x10000000UL
#define VA_C 0x10200000UL

static uint8_t page_d[4096] __attribute__((aligned(4096)));
static uint8_t page_c[4096] __attribute__((aligned(4096)));
#define PG_D ((uint64_t)page_d)
#define PG_C ((uint64_t)page_c)

static struct pt s2, g1;   /* g1: the guest's stage 1, built by the guest */
static uint64_t t_d, t_c;  /* IPAs of T_D and T_C */

/* Guest: build the stage 1 tables and turn stage 1 on. */
static uint64_t guest_setup(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&g1, 48);
    pt_map(&g1, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_map(&g1, VA_D, PG_D, 3, S1_RAM(0));
    pt_map(&g1, VA_C, PG_C, 3, S1_RAM(0));
    s1_enable(&g1, MAIR(0, MAIR_NORMAL_WB));
    return 0;
}

static struct {
    uint64_t addr, in;
} io;

#define GUEST_FN(fn, insn)                                                                 \
    static uint64_t fn(uint64_t arg)                                                       \
    {                                                                                      \
        uint64_t out;                                                                      \
        __asm__ volatile("ldr x6, [%1]\n\tldr x5, [%1, #8]\n\t" T_MARK "1: " insn "\n2:\n\t" \
                         "mov %0, x5"                                                      \
                         : "=&r"(out) : "r"(arg) : "x5", "x6", T_CLOBBER);                   \
        return out;                                                                        \
    }
GUEST_FN(g_ldr_x5_10, "ldr x5, [x6, #0x10]")
GUEST_FN(g_str_x5_18, "str x5, [x6, #0x18]")
GUEST_FN(g_ldr_w5_20, "ldr w5, [x6, #0x20]")
static uint64_t g_blr_x6(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: blr x6\n2:\n\tmov %0, x0"
                     : "=&r"(out) : "r"(arg) : "x0", "x6", "x30", T_CLOBBER);
    return out;
}

/* EL2's repair for the next abort: write `val` to the stage 2 descriptor
 * `desc`; tlbi: it was valid before (do the TLB maintenance). */
static volatile uint64_t *fix_desc;
static uint64_t fix_val, fix_ipa;
static int fix_tlbi;

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    unsigned ec = (unsigned)ESR_EC(esr);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || (ec != EC_DABT_LOW && ec != EC_IABT_LOW) ||
        !trap_resume || !fix_desc) {
        trap_record(f, 2, vector);   /* unexpected: reported, exit 100 */
        return;
    }
    abort_record(f);
    *fix_desc = fix_val;
    if (fix_tlbi)
        s2_tlbi_ipa(fix_ipa);
    fix_desc = 0;                    /* one abort per case */
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

/* Replace a valid stage 2 descriptor (EL2) and prepare its repair. */
static void s2_change(uint64_t ipa, int level, uint64_t newval, int repair_tlbi)
{
    volatile uint64_t *d = pt_lookup(&s2, ipa, level);
    fix_desc = d;
    fix_val = *d;
    fix_ipa = ipa;
    fix_tlbi = repair_tlbi;
    *d = newval;
    s2_tlbi_ipa(ipa);
}

static uint64_t run(uint64_t (*fn)(uint64_t), uint64_t addr, uint64_t in)
{
    io.addr = addr;
    io.in = in;
    abort_reset();
    uint64_t out = rt_run_el1(fn, HCR_VM, (uint64_t)&io);
    trap_resume = 0;
    return out;
}

int main(void)
{
    rt_puts("s2_s1ptw\n");
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    s2_setup(&s2);

    /* Data written before the guest's first (cacheable) access. */
    ((volatile uint64_t *)PG_D)[2] = 0x1010101010101010UL;
    ((volatile uint32_t *)PG_D)[8] = 0x20202020;
    ((volatile uint32_t *)PG_C)[0] = 0xd2800540;   /* mov x0, #42 */
    ((volatile uint32_t *)PG_C)[1] = 0xd65f03c0;   /* ret */
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");

    rt_run_el1(guest_setup, HCR_VM, 0);
    t_d = pt_table_addr(&g1, VA_D, 3);
    t_c = pt_table_addr(&g1, VA_C, 3);
    rt_printf("guest stage 1 on: TCR_EL1.T0SZ=%lu, walk from level %d\n",
              READ_SYSREG(tcr_el1) & 0x3f, g1.start_level);
    check(t_d != t_c, "separate level 3 tables");

    struct ref pc;
    uint64_t v;

    /* (a) load, T_D not mapped at stage 2. */
    s2_change(t_d, 3, 0, 0);
    v = run(g_ldr_x5_10, VA_D, 0);
    pc = REF("pc", trap_pc);
    expect_abort_count("load, T_D unmapped", 1);
    expect_abort("ldr x5, [x6, #0x10] (T_D unmapped)", 0, EC_DABT_LOW,
                 ISS_S1PTW | FSC_TRANS(3), pc, 0, REF("VA_D", VA_D), 0x10, REF("T_D", t_d), 0);
    rt_printf("  retry after mapping T_D: x5=0x%lx\n", v);
    check(v == 0x1010101010101010UL, "retried load value");

    /* (b) store, T_D not mapped at stage 2. */
    s2_change(t_d, 3, 0, 0);
    v = run(g_str_x5_18, VA_D, 0x1818181818181818UL);
    pc = REF("pc", trap_pc);
    expect_abort_count("store, T_D unmapped", 1);
    expect_abort("str x5, [x6, #0x18] (T_D unmapped)", 0, EC_DABT_LOW,
                 ISS_S1PTW | ISS_WNR | FSC_TRANS(3), pc, 0, REF("VA_D", VA_D), 0x18,
                 REF("T_D", t_d), 0);
    /* Make the guest's write visible to EL2 (MMU off: Non-cacheable). */
    __asm__ volatile("dc civac, %0\n\tdsb sy" :: "r"(PG_D + 0x18) : "memory");
    v = ((volatile uint64_t *)PG_D)[3];
    rt_printf("  retry after mapping T_D: memory holds 0x%lx\n", v);
    check(v == 0x1818181818181818UL, "retried store reached memory");

    /* (c) load, T_D mapped write-only at stage 2 (no read for the walk). */
    s2_change(t_d, 3, (S2_RAM & ~S2AP_MASK) | S2AP_WO | t_d | PTE_PAGE, 1);
    v = run(g_ldr_w5_20, VA_D, 0);
    pc = REF("pc", trap_pc);
    expect_abort_count("load, T_D write-only", 1);
    expect_abort("ldr w5, [x6, #0x20] (T_D S2AP=10)", 0, EC_DABT_LOW,
                 ISS_S1PTW | FSC_PERM(3), pc, 0, REF("VA_D", VA_D), 0x20, REF("T_D", t_d), 0);
    rt_printf("  retry after making T_D RW: x5=0x%lx\n", v);
    check(v == 0x20202020, "retried load value");

    /* (d) instruction fetch, T_C not mapped at stage 2. */
    s2_change(t_c, 3, 0, 0);
    v = run(g_blr_x6, VA_C, 0);
    expect_abort_count("fetch, T_C unmapped", 1);
    expect_abort("blr to VA_C (T_C unmapped)", 0, EC_IABT_LOW, ISS_S1PTW | FSC_TRANS(3),
                 REF("VA_C", VA_C), 0, REF("VA_C", VA_C), 0, REF("T_C", t_c), 0);
    rt_printf("  retry after mapping T_C: the code ran, x0=%lu\n", v);
    check(v == 42, "code ran");

    s1_disable();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
