/* AT S1E1R/S1E0R executed at EL1 when the stage-1 walk needs a table that is
 * not mapped at stage 2: the Arm ARM (AArch64.AT_S1Ex and the stage 2 fault
 * rules for address translation instructions) takes a Data Abort to EL2 with
 * CM=1 (from an address translation instruction), S1PTW=1, WnR=1 (always 1
 * for address translation instructions), DFSC =
 * the stage 2 fault, FAR_EL2 = the AT's address operand, HPFAR_EL2 = the
 * table's IPA, ELR = the AT itself. EL2 maps the table back and returns to the
 * AT, which then completes: S1E1R translates (PAR_EL1.F=0); S1E0R reports the
 * stage 1 permission fault of the EL1-only page in PAR_EL1 (FST 0x0f). A stage 1
 * translation fault of the AT (unmapped VA, level 2) is reported in PAR_EL1 only.
 * Last, one AT that starts its block runs twice in one EL1 session: with the
 * table mapped (no exception), then, after an HVC whose handler unmaps it
 * again, with the abort taken: whether an AT aborts depends on the tables in
 * memory, so avsim checks it every time the block runs (its block hook's front
 * cache had run such a block unchecked once its first run passed). */
#include "pagetable.h"

#define VA_D 0x10000000UL
#define VA_HOLE 0x10400000UL

static uint8_t page_d[4096] __attribute__((aligned(4096)));
#define PG_D ((uint64_t)page_d)

static struct pt s2, g1;
static volatile uint64_t *fix_desc;
static uint64_t fix_val;

static uint64_t guest_setup(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&g1, 48);
    pt_map(&g1, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_map(&g1, VA_D, PG_D, 3, S1_RAM(0));
    s1_enable(&g1, MAIR(0, MAIR_NORMAL_WB));
    return 0;
}

/* Guest: AT on the address in *arg, return PAR_EL1. */
static uint64_t g_at_s1e1r(uint64_t arg)
{
    uint64_t par;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: at s1e1r, x6\n2:\n\tisb\n\tmrs %0, par_el1"
                     : "=&r"(par) : "r"(arg) : "x6", T_CLOBBER);
    return par;
}

static uint64_t g_at_s1e0r(uint64_t arg)
{
    uint64_t par;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: at s1e0r, x6\n2:\n\tisb\n\tmrs %0, par_el1"
                     : "=&r"(par) : "r"(arg) : "x6", T_CLOBBER);
    return par;
}

/* Guest: the AT first in its block (a branch before it), twice; HVC #7 between
 * the two asks EL2 to unmap the table at stage 2. */
static __attribute__((noinline)) uint64_t at_first_in_block(uint64_t arg)
{
    uint64_t par;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "b 1f\n1: at s1e1r, x6\n2:\n\tisb\n\tmrs %0, par_el1"
                     : "=&r"(par) : "r"(arg) : "x6", T_CLOBBER);
    return par;
}

static uint64_t g_at_twice(uint64_t arg)
{
    at_first_in_block(arg);                    /* the same instruction both times */
    __asm__ volatile("hvc #7" ::: "memory");
    return at_first_in_block(arg);
}

static volatile uint64_t *unmap_desc;     /* HVC #7: unmap this stage-2 descriptor */

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x16 && (esr & 0xffff) == 7 && unmap_desc) {
        fix_desc = unmap_desc;
        fix_val = *unmap_desc;
        *unmap_desc = 0;
        unmap_desc = 0;
        s2_tlbi_ipa(pt_table_addr(&g1, VA_D, 3));
        return;
    }
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != EC_DABT_LOW || !fix_desc) {
        trap_record(f, 2, vector);
        return;
    }
    abort_record(f);
    *fix_desc = fix_val;             /* the descriptor was invalid: no TLBI needed */
    fix_desc = 0;
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

static uint64_t io_addr;

static uint64_t run(uint64_t (*fn)(uint64_t), uint64_t addr)
{
    io_addr = addr;
    abort_reset();
    uint64_t out = rt_run_el1(fn, HCR_VM, (uint64_t)&io_addr);
    trap_resume = 0;
    return out;
}

static void print_par(const char *what, uint64_t par)
{
    if (par & PAR_F)
        rt_printf("  %s: PAR F=1 FST=0x%02x PTW=%u S=%u\n", what, (unsigned)PAR_FST(par),
                  (unsigned)PAR_PTW(par), (unsigned)PAR_S(par));
    else
        rt_printf("  %s: PAR F=0 PA=page_d+0x%lx\n", what, (par & PTE_OA_MASK) - PG_D);
}

int main(void)
{
    rt_puts("at_s1ptw\n");
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    s2_setup(&s2);
    rt_run_el1(guest_setup, HCR_VM, 0);
    uint64_t t_d = pt_table_addr(&g1, VA_D, 3);

    static uint64_t (*const fns[2])(uint64_t) = { g_at_s1e1r, g_at_s1e0r };
    static const char *const names[2] = { "at s1e1r", "at s1e0r" };
    for (int i = 0; i < 2; i++) {
        /* Unmap the page holding the level 3 table at stage 2. */
        fix_desc = pt_lookup(&s2, t_d, 3);
        fix_val = *fix_desc;
        *fix_desc = 0;
        s2_tlbi_ipa(t_d);
        uint64_t par = run(fns[i], VA_D);
        expect_abort_count(names[i], 1);
        expect_abort(names[i], 0, EC_DABT_LOW, (1u << 8) | ISS_S1PTW | ISS_WNR | FSC_TRANS(3),
                     REF("pc", trap_pc), 0, REF("VA_D", VA_D), 0, REF("T_D", t_d), 0);
        print_par("retry", par);
        if (i == 0)
            check(!(par & PAR_F) && (par & PTE_OA_MASK) == PG_D, "retried AT translates");
        else
            check((par & PAR_F) && PAR_FST(par) == FSC_PERM(3) && !PAR_S(par), "EL1-only page: permission");
    }

    uint64_t par = run(g_at_s1e1r, VA_HOLE);
    expect_abort_count("at s1e1r on an unmapped VA (stage 1 fault)", 0);
    rt_puts("at s1e1r on an unmapped VA (stage 1 fault): no exception\n");
    print_par("result", par);
    check((par & PAR_F) && PAR_FST(par) == FSC_TRANS(2) && !PAR_S(par), "stage 1 fault in PAR");

    unmap_desc = pt_lookup(&s2, t_d, 3);
    par = run(g_at_twice, VA_D);
    expect_abort_count("at s1e1r twice, the table unmapped before the second", 1);
    expect_abort("at s1e1r twice, the table unmapped before the second", 0, EC_DABT_LOW,
                 (1u << 8) | ISS_S1PTW | ISS_WNR | FSC_TRANS(3), REF("pc", trap_pc), 0, REF("VA_D", VA_D), 0,
                 REF("T_D", t_d), 0);
    print_par("retry", par);
    check(!(par & PAR_F) && (par & PTE_OA_MASK) == PG_D, "retried AT translates");

    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
