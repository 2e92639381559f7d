/* Addresses out of the physical address range with the MMU off, and accesses
 * that end at the last byte of the address space.
 *
 * With stage 1 off, the PA is the VA, and a VA with any bit set from PAMax up
 * to the top bit is an Address size fault at level 0
 * (AArch64.TranslateAddressS1Off): FSC 0x00, for instruction fetches (IFSC,
 * EC 0x21/0x20, ELR = FAR = the target) and data accesses (DFSC, EC
 * 0x25/0x24, FAR = the access's address) alike, never an External abort. The
 * PA size is ID_AA64MMFR0_EL1.PARange (avsim: 40 bits; QEMU 7.2's
 * cortex-a57: 44 bits), read by the test; addresses are printed relative to
 * PAMAX = 1 << PA size, or to TOP = 2^64 - 16. Just below PAMAX nothing is
 * assigned: an External abort (DFSC 0x10).
 *
 * The loads and stores near 2^64 - 1 check that no address arithmetic wraps:
 * an 8-byte load at 2^64 - 8 (its last byte at 0xffffffffffffffff), an
 * 8-byte load at 2^64 - 4 (it would wrap past 2^64), a byte at 2^64 - 1, and
 * 16-byte pairs at 2^64 - 16; each faults at its first byte (the fault is
 * decided at translation, before the alignment check that Device memory
 * would otherwise make: AArch64.FirstStageTranslate).
 *
 * With TBI (TCR_EL1.TBI0 here) the top byte is ignored with the MMU off too
 * (AddrTop): a tagged pointer reaches RAM, and the range check looks at bits
 * 55 down to the PA size.
 *
 * Data accesses run at EL1 with stage 2 off (and at EL0): ESR_EL1 has ISV=0
 * for them; EL2's own data aborts are left out because QEMU 7.2 wrongly sets
 * ISV in ESR_EL2 (see ec_data_abort_el2). */
#include "trap.h"

TRAP_HANDLERS

#define ALL 0x1ffffffu
#define TOP 0xfffffffffffffff0UL

static uint64_t pamax;

static void print_far(const char *what, uint64_t far)
{
    if (far >= TOP)
        rt_printf("  %s: FAR=TOP+0x%lx\n", what, far - TOP);
    else if (far == 1UL << 48)
        rt_printf("  %s: FAR=1<<48\n", what);
    else
        rt_printf("  %s: FAR=PAMAX%c0x%lx\n", what, far >= pamax ? '+' : '-',
                  far >= pamax ? far - pamax : pamax - far);
}

static void fetch(const char *what, int el, uint64_t a)
{
    trap_reset();
    trap_ref = a;
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: blr x6\n2:\n" :: "r"(a) : "x6", "x30", T_CLOBBER);
    expect_trap_ref(what, el, RT_VEC_CUR_SPX, 0x21, 1, 0x00, ALL, "target", 0, 0);
}

/* One access: insn uses x6 as the address; FSC fsc, WnR wnr. */
#define ACCESS(what, insn, addr, wnr, fsc)                                                   \
    do {                                                                                     \
        trap_reset();                                                                        \
        __asm__ volatile("mov x6, %0\n\tmov x5, #0x55\n\tmov x7, #0x77\n\t" T_MARK "1: " insn \
                         "\n2:\n" :: "r"((uint64_t)(addr)) : "x5", "x6", "x7", T_CLOBBER);    \
        expect_trap(what, 1, RT_VEC_CUR_SPX, 0x25, 1, ((wnr) << 6) | (fsc), ALL, 0);          \
        print_far("abort", trap.far);                                                        \
        check(trap.far == (uint64_t)(addr), "FAR");                                          \
    } while (0)

EL0_INSN_SETUP(el0_ldr_top, "mov x6, #-8", "ldr x5, [x6]")

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    fetch("EL1 fetch at PAMAX", 1, pamax);
    fetch("EL1 fetch at TOP+0xc", 1, TOP + 0xc);

    ACCESS("EL1 ldr x5 at PAMAX-8 (unassigned)", "ldr x5, [x6]", pamax - 8, 0, 0x10);
    ACCESS("EL1 ldr x5 at PAMAX", "ldr x5, [x6]", pamax, 0, 0x00);
    ACCESS("EL1 str w5 at PAMAX+0x1000", "str w5, [x6]", pamax + 0x1000, 1, 0x00);
    ACCESS("EL1 ldr x5 at 1<<48", "ldr x5, [x6]", 1UL << 48, 0, 0x00);
    ACCESS("EL1 ldr x5 at TOP+8 (last byte 2^64-1)", "ldr x5, [x6]", TOP + 8, 0, 0x00);
    ACCESS("EL1 ldr x5 at TOP+0xc (wraps past 2^64)", "ldr x5, [x6]", TOP + 0xc, 0, 0x00);
    ACCESS("EL1 ldrb w5 at TOP+0xf", "ldrb w5, [x6]", TOP + 0xf, 0, 0x00);
    ACCESS("EL1 ldp x5, x7 at TOP", "ldp x5, x7, [x6]", TOP, 0, 0x00);
    ACCESS("EL1 stp x5, x7 at TOP", "stp x5, x7, [x6]", TOP, 1, 0x00);
    ACCESS("EL1 str x5 at TOP+8", "str x5, [x6]", TOP + 8, 1, 0x00);

    /* TCR_EL1.TBI0 with the MMU off: the top byte is ignored (AddrTop = 55), the
     * range check applies to bits 55..PA size. */
    static volatile uint64_t word = 0x1234;
    uint64_t tcr = READ_SYSREG(tcr_el1);
    WRITE_SYSREG(tcr_el1, tcr | (1UL << 37));
    ISB();
    uint64_t tagged = (uint64_t)&word | (0x5aUL << 56);
    rt_printf("EL1 TBI0=1: ldr through a tagged pointer: 0x%lx\n", *(volatile uint64_t *)tagged);
    check(*(volatile uint64_t *)tagged == 0x1234, "tagged load");
    *(volatile uint64_t *)tagged = 0x5678;
    rt_printf("EL1 TBI0=1: str through a tagged pointer: 0x%lx\n", word);
    check(word == 0x5678, "tagged store");
    trap_reset();
    __asm__ volatile("mov x6, %0\n\t" T_MARK "1: ldr x5, [x6]\n2:\n" :: "r"(pamax | (0x5aUL << 56))
                     : "x5", "x6", T_CLOBBER);
    expect_trap("EL1 TBI0=1: ldr x5 at PAMAX, tagged", 1, RT_VEC_CUR_SPX, 0x25, 1, 0x00, ALL, 0);
    rt_printf("  abort: FAR[55:0]=PAMAX+0x%lx\n", (trap.far & ((1UL << 56) - 1)) - pamax);
    check((trap.far & ((1UL << 56) - 1)) == pamax, "FAR[55:0]");
    WRITE_SYSREG(tcr_el1, tcr);
    ISB();

    trap_reset();
    rt_run_el0(el0_ldr_top, 0);
    expect_trap("EL0 ldr x5 at TOP+8", 1, RT_VEC_LOWER64, 0x24, 1, 0x00, ALL, 0);
    print_far("abort", trap.far);
    check(trap.far == TOP + 8, "FAR");
    return 0;
}

int main(void)
{
    static const unsigned pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned parange = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
    rt_puts("abort_pa_range\n");
    if (parange > 6) {
        rt_printf("unexpected PARange %u\n", parange);
        return 1;
    }
    pamax = 1UL << pa_bits[parange];

    fetch("EL2 fetch at PAMAX", 2, pamax);
    fetch("EL2 fetch at PAMAX+0x10000", 2, pamax + 0x10000);
    fetch("EL2 fetch at 1<<48", 2, 1UL << 48);
    fetch("EL2 fetch at TOP", 2, TOP);
    fetch("EL2 fetch at TOP+0xc (last word)", 2, TOP + 0xc);
    rt_run_el1(at_el1, 0, 0);
    return test_result();
}
