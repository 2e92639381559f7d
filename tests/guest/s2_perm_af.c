/* Stage 2 permission and access flag faults, fixed by EL2 and retried. Stage
 * 2: 4 KiB granule, T0SZ=25 (39-bit IPA space), SL0=1 (one level-1 table, no
 * concatenation). Guest RAM (the image's 2 MiB) is identity-mapped with level
 * 3 pages; four of its pages, and two 2 MiB blocks of free RAM, get special
 * stage 2 descriptors. The EL1 guest runs with its stage 1 off (VA = IPA).
 *
 * Each abort is a Data Abort (EC 0x24) or Instruction Abort (EC 0x20) from a
 * lower EL taken to EL2 with FAR_EL2 = the VA, HPFAR_EL2 = IPA[47:12] << 4,
 * ELR = the faulting instruction (the branch target for a fetch), and DFSC /
 * IFSC (Arm ARM, ESR_ELx):
 *   permission fault 0b0011ll, access flag fault 0b0010ll, ll = the level of
 *   the descriptor. Data aborts from single-register loads/stores are stage 2
 *   aborts with ISV=1 (SAS/SSE/SRT/SF/AR), WnR=1 for a write.
 * Cases:
 *   RO page (S2AP=01): a read works; a write is a permission fault, level 3.
 *   RO 2 MiB block: a write is a permission fault, level 2.
 *   AF=0 page: a read is an access flag fault, level 3 (v8.0 has no hardware
 *     access flag update; QEMU 7.2's cortex-a57 has none either).
 *   AF=0 2 MiB block: a write is an access flag fault, level 2.
 *   no-access page (S2AP=00): a read is a permission fault.
 *   write-only page (S2AP=10): a write works, a read is a permission fault.
 *   AF=0 and read-only page, written: the access flag fault comes first (the
 *     Arm ARM checks the access flag during the walk, before permissions);
 *     after EL2 sets AF the retry takes the permission fault.
 *   XN page (stage 2 XN, bit 54), branched to: Instruction Abort EC 0x20,
 *     IFSC = permission fault level 3, ELR = FAR = the page.
 * EL2 fixes each fault like a hypervisor would (sets AF, makes the page RW,
 * clears XN), then performs the stage 2 TLB maintenance sequence for a
 * changed valid descriptor: DSB ISHST; TLBI IPAS2E1 (IPA >> 12); DSB ISH; TLBI
 * VMALLE1; DSB ISH; ISB. (A descriptor with AF=0 is never cached in a TLB, so
 * the AF fix would not need it; the permission and XN fixes do.) It returns
 * to the same instruction, whose retry succeeds: the guest sees the data, and
 * EL2 checks that writes reached memory. */
#include "pagetable.h"

#define BLK_RO RAM_FREE0
#define BLK_AF RAM_FREE1

static uint8_t pages[5][4096] __attribute__((aligned(4096)));
#define PG_RO ((uint64_t)pages[0])
#define PG_AF ((uint64_t)pages[1])
#define PG_NONE ((uint64_t)pages[2])
#define PG_WO ((uint64_t)pages[3])
#define PG_X ((uint64_t)pages[4])
static uint8_t pg_afro[4096] __attribute__((aligned(4096)));
#define PG_AFRO ((uint64_t)pg_afro)

static struct pt s2;

/* Guest input: x6 = address, x5 = value to store. */
static struct {
    uint64_t addr, in;
} io;

#define GUEST_FN(fn, insn)                                                                 \
    static uint64_t fn(uint64_t arg)                                                       \
    {                                                                                      \
        uint64_t out;                                                                      \
        __asm__ volatile("ldr x6, [%1]\n\tldr x5, [%1, #8]\n\t" T_MARK "1: " insn "\n2:\n\t" \
                         "mov %0, x5"                                                      \
                         : "=&r"(out) : "r"(arg) : "x5", "x6", "x30", T_CLOBBER);            \
        return out;                                                                        \
    }
GUEST_FN(g_ldr_x5, "ldr x5, [x6]")
GUEST_FN(g_str_x5_8, "str x5, [x6, #8]")
GUEST_FN(g_strb_w5_123, "strb w5, [x6, #0x123]")
GUEST_FN(g_ldrh_w5_2, "ldrh w5, [x6, #2]")
GUEST_FN(g_str_w5_4, "str w5, [x6, #4]")
GUEST_FN(g_ldr_w5, "ldr w5, [x6]")
GUEST_FN(g_str_x5, "str x5, [x6]")
/* A call to code in a page, returning its x0. */
static uint64_t g_blr_x6(uint64_t arg)
{
    uint64_t out;
    __asm__ volatile("ldr x6, [%1]\n\t" T_MARK "1: blr x6\n2:\n\tmov %0, x0"
                     : "=&r"(out) : "r"(arg) : "x0", "x6", "x30", T_CLOBBER);
    return out;
}

/* EL2's fix for a stage 2 fault: find the descriptor of the faulting IPA at
 * the fault's level and repair what the fault status code names. */
static void s2_fix(uint64_t esr, uint64_t hpfar)
{
    unsigned fsc = ESR_ISS(esr) & 0x3f, level = fsc & 3;
    uint64_t ipa = HPFAR_IPA(hpfar);
    volatile uint64_t *d = pt_lookup(&s2, ipa, (int)level);
    if (!d) {
        rt_puts("no descriptor to fix\n");
        rt_exit(101);
    }
    if ((fsc & ~3u) == FSC_AF(0))
        *d |= PTE_AF;
    else if ((fsc & ~3u) == FSC_PERM(0) && ESR_EC(esr) == EC_IABT_LOW)
        *d &= ~S2_XN;
    else if ((fsc & ~3u) == FSC_PERM(0))
        *d |= S2AP_RW;
    s2_tlbi_ipa(ipa);
}

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    unsigned ec = (unsigned)ESR_EC(esr);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || (ec != EC_DABT_LOW && ec != EC_IABT_LOW) ||
        !trap_resume || abort_count >= ABORT_LOG) {
        trap_record(f, 2, vector);   /* unexpected: reported, exit 100 */
        return;
    }
    abort_record(f);
    s2_fix(esr, READ_SYSREG(hpfar_el2));   /* and retry: ELR unchanged */
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

static uint64_t run(uint64_t (*fn)(uint64_t), uint64_t addr, uint64_t in)
{
    io.addr = addr;
    io.in = in;
    abort_reset();
    uint64_t out = rt_run_el1(fn, HCR_VM, (uint64_t)&io);
    trap_resume = 0;
    return out;
}

static uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)a; }
static void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

static void show_desc(const char *what, uint64_t ia, int level)
{
    uint64_t d = *pt_lookup(&s2, ia, level);
    rt_printf("  %s descriptor now: S2AP=%lu AF=%lu XN=%lu\n", what, (d >> 6) & 3, (d >> 10) & 1,
              (d >> 54) & 1);
}

#define DATA(sas, rt) (ISS_ISV | ISS_SAS(sas) | ISS_SRT(rt))

int main(void)
{
    rt_puts("s2_perm_af\n");
    pt_init_s2(&s2, 39, 1);
    s2_map_image(&s2, 3);
    pt_map(&s2, PG_RO, PG_RO, 3, (S2_RAM & ~S2AP_MASK) | S2AP_RO);
    pt_map(&s2, PG_AF, PG_AF, 3, S2_RAM & ~PTE_AF);
    pt_map(&s2, PG_NONE, PG_NONE, 3, (S2_RAM & ~S2AP_MASK) | S2AP_NONE);
    pt_map(&s2, PG_WO, PG_WO, 3, (S2_RAM & ~S2AP_MASK) | S2AP_WO);
    pt_map(&s2, PG_X, PG_X, 3, S2_RAM | S2_XN);
    pt_map(&s2, PG_AFRO, PG_AFRO, 3, (S2_RAM & ~(S2AP_MASK | PTE_AF)) | S2AP_RO);
    pt_map(&s2, BLK_RO, BLK_RO, 2, (S2_RAM & ~S2AP_MASK) | S2AP_RO);
    pt_map(&s2, BLK_AF, BLK_AF, 2, S2_RAM & ~PTE_AF);
    s2_setup(&s2);
    rt_printf("VTCR_EL2=0x%lx (T0SZ=%u SL0=1, %u level-1 table)\n", s2_vtcr(&s2),
              64 - s2.ia_bits, s2.nroot);

    wr64(PG_RO, 0x1111111111111111UL);
    wr64(PG_AF, 0x2222222222222222UL);
    wr64(PG_NONE, 0x3333333333333333UL);
    wr64(PG_WO, 0x4444444444444444UL);
    wr64(BLK_RO + 0x10120, 0);
    wr64(BLK_AF + 0x1ff000, 0);
    /* PG_X: mov x0, #42; ret. Made visible to instruction fetch (the fetch is
     * Normal cacheable with the guest's stage 1 off). */
    ((volatile uint32_t *)PG_X)[0] = 0xd2800540;
    ((volatile uint32_t *)PG_X)[1] = 0xd65f03c0;
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");

    struct ref pc;
    uint64_t v;

    /* Read-only page: read, then write. */
    v = run(g_ldr_x5, PG_RO, 0);
    rt_printf("RO page, ldr x5: no abort, x5=0x%lx\n", v);
    expect_abort_count("RO page read", 0);
    check(v == 0x1111111111111111UL, "RO page read value");

    v = run(g_str_x5_8, PG_RO, 0x5555666677778888UL);
    pc = REF("pc", trap_pc);
    expect_abort_count("RO page write", 1);
    expect_abort("RO page, str x5, [x6, #8]", 0, EC_DABT_LOW,
                 DATA(3, 5) | ISS_SF | ISS_WNR | FSC_PERM(3), pc, 0, REF("page", PG_RO), 8,
                 REF("page", PG_RO), 0);
    show_desc("page", PG_RO, 3);
    rt_printf("  retry: memory holds 0x%lx\n", rd64(PG_RO + 8));
    check(rd64(PG_RO + 8) == 0x5555666677778888UL, "retried store reached memory");

    /* Read-only 2 MiB block. */
    v = run(g_strb_w5_123, BLK_RO + 0x10000, 0xabUL);
    pc = REF("pc", trap_pc);
    expect_abort_count("RO block write", 1);
    expect_abort("RO block, strb w5, [x6, #0x123]", 0, EC_DABT_LOW,
                 DATA(0, 5) | ISS_WNR | FSC_PERM(2), pc, 0, REF("block", BLK_RO), 0x10123,
                 REF("block", BLK_RO), 0x10000);
    show_desc("block", BLK_RO, 2);
    rt_printf("  retry: memory holds 0x%lx\n", rd64(BLK_RO + 0x10120));
    check(rd64(BLK_RO + 0x10120) == 0xab000000UL, "retried store reached memory");

    /* Access flag 0: page (read) and block (write). */
    v = run(g_ldrh_w5_2, PG_AF, ~0UL);
    pc = REF("pc", trap_pc);
    expect_abort_count("AF page read", 1);
    expect_abort("AF=0 page, ldrh w5, [x6, #2]", 0, EC_DABT_LOW, DATA(1, 5) | FSC_AF(3), pc, 0,
                 REF("page", PG_AF), 2, REF("page", PG_AF), 0);
    show_desc("page", PG_AF, 3);
    rt_printf("  retry: x5=0x%lx\n", v);
    check(v == 0x2222, "retried load value");

    v = run(g_str_w5_4, BLK_AF + 0x1ff000, 0x12345678UL);
    pc = REF("pc", trap_pc);
    expect_abort_count("AF block write", 1);
    expect_abort("AF=0 block, str w5, [x6, #4]", 0, EC_DABT_LOW,
                 DATA(2, 5) | ISS_WNR | FSC_AF(2), pc, 0, REF("block", BLK_AF), 0x1ff004,
                 REF("block", BLK_AF), 0x1ff000);
    show_desc("block", BLK_AF, 2);
    rt_printf("  retry: memory holds 0x%lx\n", rd64(BLK_AF + 0x1ff000));
    check(rd64(BLK_AF + 0x1ff000) == 0x1234567800000000UL, "retried store reached memory");

    /* No access. */
    v = run(g_ldr_w5, PG_NONE, 0);
    pc = REF("pc", trap_pc);
    expect_abort_count("no-access page read", 1);
    expect_abort("S2AP=00 page, ldr w5, [x6]", 0, EC_DABT_LOW, DATA(2, 5) | FSC_PERM(3), pc, 0,
                 REF("page", PG_NONE), 0, REF("page", PG_NONE), 0);
    show_desc("page", PG_NONE, 3);
    rt_printf("  retry: x5=0x%lx\n", v);
    check(v == 0x33333333UL, "retried load value");

    /* Write-only: the write works, the read faults. */
    v = run(g_str_x5, PG_WO, 0x7777777777777777UL);
    rt_printf("S2AP=10 page, str x5, [x6]: no abort, memory holds 0x%lx\n", rd64(PG_WO));
    expect_abort_count("write-only page write", 0);
    check(rd64(PG_WO) == 0x7777777777777777UL, "store reached memory");
    v = run(g_ldr_x5, PG_WO, 0);
    pc = REF("pc", trap_pc);
    expect_abort_count("write-only page read", 1);
    expect_abort("S2AP=10 page, ldr x5, [x6]", 0, EC_DABT_LOW, DATA(3, 5) | ISS_SF | FSC_PERM(3),
                 pc, 0, REF("page", PG_WO), 0, REF("page", PG_WO), 0);
    show_desc("page", PG_WO, 3);
    rt_printf("  retry: x5=0x%lx\n", v);
    check(v == 0x7777777777777777UL, "retried load value");

    /* AF=0 and read-only, written: access flag fault first, then permission. */
    v = run(g_str_x5, PG_AFRO, 0x0badc0de0badc0deUL);
    pc = REF("pc", trap_pc);
    expect_abort_count("AF=0 RO page write", 2);
    expect_abort("AF=0 RO page, str x5, [x6] (1st)", 0, EC_DABT_LOW,
                 DATA(3, 5) | ISS_SF | ISS_WNR | FSC_AF(3), pc, 0, REF("page", PG_AFRO), 0,
                 REF("page", PG_AFRO), 0);
    expect_abort("AF=0 RO page, str x5, [x6] (2nd)", 1, EC_DABT_LOW,
                 DATA(3, 5) | ISS_SF | ISS_WNR | FSC_PERM(3), pc, 0, REF("page", PG_AFRO), 0,
                 REF("page", PG_AFRO), 0);
    show_desc("page", PG_AFRO, 3);
    rt_printf("  retry: memory holds 0x%lx\n", rd64(PG_AFRO));
    check(rd64(PG_AFRO) == 0x0badc0de0badc0deUL, "retried store reached memory");

    /* Execute-never page. */
    v = run(g_blr_x6, PG_X, 0);
    expect_abort_count("XN page fetch", 1);
    expect_abort("XN page, blr x6", 0, EC_IABT_LOW, FSC_PERM(3), REF("page", PG_X), 0,
                 REF("page", PG_X), 0, REF("page", PG_X), 0);
    show_desc("page", PG_X, 3);
    rt_printf("  retry: the code ran, x0=%lu\n", v);
    check(v == 42, "code in the page ran");

    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
