// AVSIM-FOLLOWS-ARM-ARM: for a stage 2 fault on a stage 1 table walk, QEMU 7.2 reports in DFSC/IFSC the level of the stage 1 lookup instead of the level of the stage 2 walk that faulted (its get_phys_addr_lpae overwrites the fault level on its do_fault path).
/* The fault level of a stage 2 fault on a stage 1 translation table walk,
 * when the stage 2 walk of the table's IPA stops at a level that differs from
 * the level of the stage 1 table (companion of s2_s1ptw, where both are 3).
 *
 * Arm ARM: AArch64.TranslationTableWalk translates each descriptor address
 * with AArch64.SecondStageWalk; a fault there is returned as is
 * ("result.addrdesc.fault = descaddr2.fault"), so DFSC/IFSC carry the fault
 * type and the level of the stage 2 walk, with S1PTW=1, HPFAR_EL2 = the IPA of
 * the stage 1 table, FAR_EL2 = the VA of the access (newer pseudocode,
 * AArch64.S1Walk / AArch64.S2Translate, says the same). QEMU 7.2 reports the
 * stage 1 level instead: 0x05 / 0x06 / 0x07 for the three cases below, where
 * the Arm ARM gives 0x07 / 0x05 / 0x06. expected/s2_s1ptw_level.out is QEMU
 * 7.2's output with those three DFSC/IFSC values (and the ISS) corrected.
 *
 * Stage 2: 4 KiB granule, T0SZ=24 (40-bit IPA), SL0=1 (two concatenated
 * level-1 tables): the image's 2 MiB identity-mapped with level 3 pages; IPA
 * 0x80000000 -> PA 0x40000000 as a 1 GiB level-1 block (so guest memory is
 * also seen at a second, non-identity IPA); the 2 MiB at 0x40600000
 * (RAM_FREE1) identity-mapped as a level-2 block.
 * Guest stage 1 (built by the EL1 guest; T0SZ=16, walk from level 0):
 *   the image identity-mapped by a 2 MiB block;
 *   VA_E 0x8000001000 (level-0 index 1) -> a data page, through its own
 *     level 1 table T_E1 (table pool, in the image), level 2 table T_E2 at
 *     IPA 0x80400000 (PA 0x40400000, through the 1 GiB block) and a level 3
 *     table from the pool;
 *   VA_C 0x10200000 -> a code page, its level 3 table T_C at 0x40600000.
 * Cases (each repaired by EL2 and retried):
 *   load via VA_E, T_E1's stage 2 page removed: stage 1 level 1 table,
 *     stage 2 translation fault level 3 (DFSC 0x07);
 *   load via VA_E, the 1 GiB stage 2 block removed: stage 1 level 2 table,
 *     stage 2 translation fault level 1 (DFSC 0x05), HPFAR = IPA 0x80400000;
 *   fetch via VA_C, T_C's 2 MiB stage 2 block removed: stage 1 level 3
 *     table, stage 2 translation fault level 2 (IFSC 0x06). */
#include "pagetable.h"

#define VA_E 0x8000001000UL
#define VA_C 0x10200000UL
#define IPA_ALIAS 0x80000000UL      /* -> PA RAM_BASE, 1 GiB */
#define T_E2 (IPA_ALIAS + (RAM_FREE0 - RAM_BASE))
#define T_C RAM_FREE1

static uint8_t page_e[4096] __attribute__((aligned(4096)));
static uint8_t page_c[4096] __attribute__((aligned(4096)));
#define PG_E ((uint64_t)page_e)
#define PG_C ((uint64_t)page_c)

static struct pt s2, g1;
static uint64_t t_e1;   /* IPA of T_E1 (found by the guest) */

static uint64_t guest_setup(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&g1, 48);
    pt_map(&g1, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_walk(&g1, VA_E, 2, 1, T_E2);   /* T_E1 from the pool, T_E2 at its IPA */
    pt_map(&g1, VA_E, PG_E, 3, S1_RAM(0));
    t_e1 = pt_table_addr(&g1, VA_E, 1);
    pt_walk(&g1, VA_C, 3, 1, T_C);
    pt_map(&g1, VA_C, PG_C, 3, S1_RAM(0));
    s1_enable(&g1, MAIR(0, MAIR_NORMAL_WB));
    return 0;
}

static struct {
    uint64_t addr;
} io;

static uint64_t g_ldr(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: ldr x5, [x6, #8]\n2:\n\tmov %0, x5"
                     : "=&r"(out) : "r"(arg) : "x5", "x6", T_CLOBBER);
    return out;
}
static uint64_t g_blr(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: blr x6\n2:\n\tmov %0, x0"
                     : "=&r"(out) : "r"(arg) : "x0", "x6", "x30", T_CLOBBER);
    return out;
}

static volatile uint64_t *fix_desc;
static uint64_t fix_val;

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
    *fix_desc = fix_val;   /* was invalid: nothing cached, no TLBI */
    fix_desc = 0;
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

/* Remove a valid stage 2 descriptor (with TLB maintenance); the abort handler
 * puts it back. */
static void s2_remove(uint64_t ipa, int level)
{
    volatile uint64_t *d = pt_lookup(&s2, ipa, level);
    fix_desc = d;
    fix_val = *d;
    *d = 0;
    s2_tlbi_ipa(ipa);
}

static uint64_t run(uint64_t (*fn)(uint64_t), uint64_t addr)
{
    io.addr = addr;
    abort_reset();
    uint64_t out = rt_run_el1(fn, HCR_VM, (uint64_t)&io);
    trap_resume = 0;
    return out;
}

int main(void)
{
    rt_puts("s2_s1ptw_level\n");
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    pt_map(&s2, IPA_ALIAS, RAM_BASE, 1, S2_RAM);
    pt_map(&s2, RAM_FREE1, RAM_FREE1, 2, S2_RAM);
    s2_setup(&s2);

    ((volatile uint64_t *)PG_E)[1] = 0xe1e1e1e1e1e1e1e1UL;
    ((volatile uint32_t *)PG_C)[0] = 0xd2800540;   /* mov x0, #42 */
    ((volatile uint32_t *)PG_C)[1] = 0xd65f03c0;   /* ret */
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");

    rt_run_el1(guest_setup, HCR_VM, 0);
    rt_printf("guest stage 1 on: TCR_EL1.T0SZ=%lu, walk from level %d\n",
              READ_SYSREG(tcr_el1) & 0x3f, g1.start_level);

    uint64_t v;
    struct ref pc;

    s2_remove(t_e1, 3);
    v = run(g_ldr, VA_E);
    pc = REF("pc", trap_pc);
    expect_abort_count("T_E1 unmapped", 1);
    expect_abort("ldr via VA_E, level 1 table T_E1 unmapped (stage 2 level 3)", 0, EC_DABT_LOW,
                 ISS_S1PTW | FSC_TRANS(3), pc, 0, REF("VA_E", VA_E), 8, REF("T_E1", t_e1), 0);
    rt_printf("  retry: x5=0x%lx\n", v);
    check(v == 0xe1e1e1e1e1e1e1e1UL, "retried load value");

    s2_remove(IPA_ALIAS, 1);
    v = run(g_ldr, VA_E);
    pc = REF("pc", trap_pc);
    expect_abort_count("T_E2 unmapped", 1);
    expect_abort("ldr via VA_E, level 2 table T_E2 unmapped (stage 2 level 1)", 0, EC_DABT_LOW,
                 ISS_S1PTW | FSC_TRANS(1), pc, 0, REF("VA_E", VA_E), 8, REF("IPA", IPA_ALIAS),
                 (long)(T_E2 - IPA_ALIAS));
    rt_printf("  retry: x5=0x%lx\n", v);
    check(v == 0xe1e1e1e1e1e1e1e1UL, "retried load value");

    s2_remove(T_C, 2);
    v = run(g_blr, VA_C);
    expect_abort_count("T_C unmapped", 1);
    expect_abort("blr to VA_C, level 3 table T_C unmapped (stage 2 level 2)", 0, EC_IABT_LOW,
                 ISS_S1PTW | FSC_TRANS(2), REF("VA_C", VA_C), 0, REF("VA_C", VA_C), 0,
                 REF("T_C", T_C), 0);
    rt_printf("  retry: the code ran, x0=%lu\n", v);
    check(v == 42, "code ran");

    s1_disable();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
