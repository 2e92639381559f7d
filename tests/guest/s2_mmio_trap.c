/* Stage 2 MMIO trap-and-emulate, as KVM does it. EL2 builds stage 2 tables
 * (VTCR_EL2: 4 KiB granule, T0SZ=24 = 40-bit IPA space, SL0=1 = start at
 * level 1 with two concatenated level-1 tables, as KVM's default), identity-
 * maps the 2 MiB of guest RAM that hold the image (Normal WB, S2AP RW, level 3
 * pages) and runs an EL1 guest with its stage 1 off (VA = IPA; data accesses
 * are Device-nGnRnE, so every access below is aligned). Three emulated
 * devices sit at IPAs without a stage 2 mapping, each missing at a different
 * level of the walk:
 *   dev0 0x0a000000  no level-1 entry        -> translation fault, level 1
 *   dev1 0x50000000  no level-2 entry        -> translation fault, level 2
 *   dev2 0x401ff000  level-3 entry invalid   -> translation fault, level 3
 * Each guest load/store to them is a Data Abort from a lower EL (EC 0x24) at
 * EL2 with (Arm ARM, ESR_ELx ISS encoding for a Data Abort):
 *   ISV=1 for a single general-purpose register load/store without writeback
 *     (LDR/STR of all sizes, sign-extending loads, LDAR/STLR), with SAS = log2
 *     of the access size, SSE = sign-extending, SRT = Rt (31 for XZR/WZR),
 *     SF = Rt is 64-bit, AR = acquire/release;
 *   ISV=0 (ISS[23:14] = 0) for LDP and for writeback (pre/post-index) forms;
 *   WnR = 1 for stores; S1PTW=0; DFSC = 0b0001ll (translation fault, level ll);
 *   FAR_EL2 = the VA of the access; HPFAR_EL2.FIPA ([39:4]) = IPA[47:12];
 *   ELR_EL2 = the access instruction.
 * EL2 then emulates the access from the syndrome alone (IPA from HPFAR_EL2 and
 * FAR_EL2[11:0]): a load writes the device value, zero- or sign-extended
 * (SSE), truncated to 32 bits unless SF, into the guest's register SRT; a
 * store reads register SRT (XZR reads as 0) and keeps SAS bytes of it; then
 * ELR += 4. Accesses with ISV=0 cannot be emulated and are skipped: the guest
 * register keeps its preset value. The guest then sees the emulated value. */
#include "pagetable.h"

#define DEV0 0x0a000000UL
#define DEV1 0x50000000UL
#define DEV2 0x401ff000UL
#define PRESET 0x5a5a5a5a5a5a5a5aUL

static const struct {
    const char *name;
    uint64_t ipa;
} devs[3] = { { "dev0", DEV0 }, { "dev1", DEV1 }, { "dev2", DEV2 } };
/* Each device: 64 bytes of registers, little-endian. */
static uint64_t dev_regs[3][8];

/* Guest input: x6 = device base, Rt preset with `in`. */
static struct {
    uint64_t base, in;
} io;

/* Guest functions: one access each, returning the value of its register reg
 * after the access. */
#define GUEST_CLOBBER                                                                       \
    "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x19", \
        "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28"
#define MMIO_FN(fn, reg, setup, insn)                                                       \
    static uint64_t fn(uint64_t arg)                                                        \
    {                                                                                       \
        uint64_t out;                                                                       \
        __asm__ volatile("ldr x6, [%1]\n\tldr " reg ", [%1, #8]\n\t" setup "\n\t" T_MARK       \
                         "1: " insn "\n2:\n\tmov %0, " reg                                  \
                         : "=&r"(out) : "r"(arg) : GUEST_CLOBBER, T_CLOBBER);                 \
        return out;                                                                         \
    }

MMIO_FN(g_ldr_w5, "x5", "", "ldr w5, [x6]")
MMIO_FN(g_ldr_x7, "x7", "", "ldr x7, [x6, #8]")
MMIO_FN(g_ldrb_w8, "x8", "", "ldrb w8, [x6, #1]")
MMIO_FN(g_ldrh_w9, "x9", "", "ldrh w9, [x6, #2]")
MMIO_FN(g_ldrsb_x10, "x10", "", "ldrsb x10, [x6, #15]")
MMIO_FN(g_ldrsh_w11, "x11", "", "ldrsh w11, [x6, #14]")
MMIO_FN(g_ldrsw_x12, "x12", "", "ldrsw x12, [x6, #12]")
MMIO_FN(g_ldrsb_w13, "x13", "", "ldrsb w13, [x6, #4]")
MMIO_FN(g_ldrsh_x3, "x3", "", "ldrsh x3, [x6, #6]")
MMIO_FN(g_str_x14, "x14", "", "str x14, [x6, #16]")
MMIO_FN(g_str_w15, "x15", "", "str w15, [x6, #24]")
MMIO_FN(g_strh_w4, "x4", "", "strh w4, [x6, #32]")
MMIO_FN(g_strb_w20, "x20", "", "strb w20, [x6, #40]")
MMIO_FN(g_str_wzr, "x5", "", "str wzr, [x6, #48]")
MMIO_FN(g_ldr_x21, "x21", "", "ldr x21, [x6, #16]")
MMIO_FN(g_ldr_x22, "x22", "", "ldr x22, [x6, #48]")
MMIO_FN(g_ldar_w23, "x23", "", "ldar w23, [x6]")
MMIO_FN(g_stlr_x24, "x24", "", "stlr x24, [x6]")
MMIO_FN(g_ldarb_w25, "x25", "", "ldarb w25, [x6]")
MMIO_FN(g_ldr_w26_reg, "x26", "mov x7, #3", "ldr w26, [x6, x7, lsl #2]")
MMIO_FN(g_ldr_x27_pre, "x27", "", "ldr x27, [x6, #8]!")
MMIO_FN(g_ldp_x27, "x27", "", "ldp x27, x28, [x6, #16]")
MMIO_FN(g_str_x27_post, "x27", "", "str x27, [x6], #8")

#define L1 FSC_TRANS(1)
#define L2 FSC_TRANS(2)
#define L3 FSC_TRANS(3)
#define LD(sas, rt) (ISS_ISV | ISS_SAS(sas) | ISS_SRT(rt))
#define ST(sas, rt) (ISS_ISV | ISS_SAS(sas) | ISS_SRT(rt) | ISS_WNR)

enum { LOAD, STORE, SKIP };
static const struct mmio_case {
    const char *insn;
    uint64_t (*fn)(uint64_t);
    unsigned dev, off;  /* the access address is devs[dev].ipa + off */
    int kind;
    uint64_t in;        /* Rt before the access */
    uint32_t iss;
    uint64_t out;       /* LOAD: Rt after; STORE: the value the device receives */
} cases[] = {
    { "ldr w5, [x6]", g_ldr_w5, 0, 0, LOAD, PRESET, LD(2, 5) | L1, 0x44332211UL },
    { "ldr x7, [x6, #8]", g_ldr_x7, 1, 8, LOAD, PRESET, LD(3, 7) | ISS_SF | L2,
      0xf0e0d0c0b0a09080UL },
    { "ldrb w8, [x6, #1]", g_ldrb_w8, 2, 1, LOAD, PRESET, LD(0, 8) | L3, 0x22 },
    { "ldrh w9, [x6, #2]", g_ldrh_w9, 0, 2, LOAD, PRESET, LD(1, 9) | L1, 0x4433 },
    { "ldrsb x10, [x6, #15]", g_ldrsb_x10, 1, 15, LOAD, PRESET,
      LD(0, 10) | ISS_SSE | ISS_SF | L2, 0xfffffffffffffff0UL },
    { "ldrsh w11, [x6, #14]", g_ldrsh_w11, 2, 14, LOAD, PRESET, LD(1, 11) | ISS_SSE | L3,
      0x00000000fffff0e0UL },
    { "ldrsw x12, [x6, #12]", g_ldrsw_x12, 0, 12, LOAD, PRESET,
      LD(2, 12) | ISS_SSE | ISS_SF | L1, 0xfffffffff0e0d0c0UL },
    { "ldrsb w13, [x6, #4]", g_ldrsb_w13, 1, 4, LOAD, PRESET, LD(0, 13) | ISS_SSE | L2, 0x55 },
    { "ldrsh x3, [x6, #6]", g_ldrsh_x3, 2, 6, LOAD, PRESET, LD(1, 3) | ISS_SSE | ISS_SF | L3,
      0xffffffffffff8877UL },
    { "str x14, [x6, #16]", g_str_x14, 0, 16, STORE, 0x0123456789abcdefUL,
      ST(3, 14) | ISS_SF | L1, 0x0123456789abcdefUL },
    { "str w15, [x6, #24]", g_str_w15, 1, 24, STORE, 0xdeadbeefcafef00dUL, ST(2, 15) | L2,
      0xcafef00dUL },
    { "strh w4, [x6, #32]", g_strh_w4, 2, 32, STORE, 0x1111222233334444UL, ST(1, 4) | L3,
      0x4444 },
    { "strb w20, [x6, #40]", g_strb_w20, 0, 40, STORE, 0xabcdef99UL, ST(0, 20) | L1, 0x99 },
    { "str wzr, [x6, #48]", g_str_wzr, 1, 48, STORE, PRESET, ST(2, 31) | L2, 0 },
    { "ldr x21, [x6, #16]", g_ldr_x21, 0, 16, LOAD, PRESET, LD(3, 21) | ISS_SF | L1,
      0x0123456789abcdefUL },
    { "ldr x22, [x6, #48]", g_ldr_x22, 1, 48, LOAD, PRESET, LD(3, 22) | ISS_SF | L2,
      0xffffffff00000000UL },
    { "ldar w23, [x6]", g_ldar_w23, 0, 0, LOAD, PRESET, LD(2, 23) | ISS_AR | L1, 0x44332211UL },
    { "stlr x24, [x6]", g_stlr_x24, 2, 0, STORE, 0xa5a5a5a55a5a5a5aUL,
      ST(3, 24) | ISS_SF | ISS_AR | L3, 0xa5a5a5a55a5a5a5aUL },
    { "ldarb w25, [x6]", g_ldarb_w25, 2, 0, LOAD, PRESET, LD(0, 25) | ISS_AR | L3, 0x5a },
    { "ldr w26, [x6, x7, lsl #2] (x7=3)", g_ldr_w26_reg, 1, 12, LOAD, PRESET, LD(2, 26) | L2,
      0xf0e0d0c0UL },
    { "ldr x27, [x6, #8]! (writeback)", g_ldr_x27_pre, 0, 8, SKIP, PRESET, L1, PRESET },
    { "ldp x27, x28, [x6, #16]", g_ldp_x27, 1, 16, SKIP, PRESET, L2, PRESET },
    { "str x27, [x6], #8 (writeback)", g_str_x27_post, 2, 0, SKIP, PRESET, ISS_WNR | L3,
      PRESET },
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* What the emulation did for the last abort. */
static volatile struct {
    int done, store;
    uint64_t value;
} emu;

static int dev_find(uint64_t ipa)
{
    for (int d = 0; d < 3; d++)
        if (ipa - devs[d].ipa < sizeof dev_regs[d])
            return d;
    return -1;
}

static void mmio_emulate(struct rt_frame *f, uint64_t esr, uint64_t far, uint64_t hpfar)
{
    uint32_t iss = (uint32_t)ESR_ISS(esr);
    uint64_t ipa = HPFAR_IPA(hpfar) | (far & 0xfff);
    int d = dev_find(ipa);
    emu.done = 0;
    if (d < 0 || !(iss & ISS_ISV))
        return;
    unsigned size = 1u << ((iss >> 22) & 3), srt = (iss >> 16) & 31;
    unsigned off = (unsigned)(ipa - devs[d].ipa);
    if (off + size > sizeof dev_regs[d])
        return;
    volatile uint8_t *r = (volatile uint8_t *)dev_regs[d] + off;
    uint64_t mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
    uint64_t v = 0;
    if (iss & ISS_WNR) {
        v = (srt == 31 ? 0 : f->x[srt]) & mask;
        for (unsigned i = 0; i < size; i++)
            r[i] = (uint8_t)(v >> (8 * i));
    } else {
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)r[i] << (8 * i);
        if ((iss & ISS_SSE) && size < 8) {
            uint64_t sign = 1UL << (8 * size - 1);
            v = (v ^ sign) - sign;
        }
        if (!(iss & ISS_SF))
            v &= 0xffffffffUL;
        if (srt != 31)
            f->x[srt] = v;
    }
    emu.done = 1;
    emu.store = !!(iss & ISS_WNR);
    emu.value = v;
}

void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != EC_DABT_LOW || !trap_resume) {
        trap_record(f, 2, vector);   /* unexpected: reported, exit 100 */
        return;
    }
    abort_record(f);
    mmio_emulate(f, esr, READ_SYSREG(far_el2), READ_SYSREG(hpfar_el2));
    f->elr += 4;
}

void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

int main(void)
{
    rt_puts("s2_mmio_trap\n");
    struct pt s2;
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 3);
    *pt_lookup(&s2, DEV2, 3) = 0;
    s2_setup(&s2);
    rt_printf("VTCR_EL2=0x%lx (T0SZ=%u SL0=%u, %u concatenated level-1 tables)\n", s2_vtcr(&s2),
              64 - s2.ia_bits, 1, s2.nroot);

    for (unsigned d = 0; d < 3; d++) {
        dev_regs[d][0] = 0x8877665544332211UL;
        dev_regs[d][1] = 0xf0e0d0c0b0a09080UL;
        dev_regs[d][6] = 0xffffffffffffffffUL;
    }

    for (unsigned i = 0; i < N_CASES; i++) {
        const struct mmio_case *c = &cases[i];
        uint64_t base = devs[c->dev].ipa;
        char what[64];
        unsigned n = 0;
        for (const char *s = c->insn; *s && n < sizeof what - 8; s++)
            what[n++] = *s;
        what[n++] = ' ';
        what[n++] = '@';
        for (const char *s = devs[c->dev].name; *s; s++)
            what[n++] = *s;
        what[n] = 0;

        io.base = base;
        io.in = c->in;
        abort_reset();
        emu.done = 0;
        uint64_t out = rt_run_el1(c->fn, HCR_VM, (uint64_t)&io);
        trap_resume = 0;
        expect_abort_count(what, 1);
        expect_abort(what, 0, EC_DABT_LOW, c->iss, REF("pc", trap_pc), 0,
                     REF(devs[c->dev].name, base), c->off, REF(devs[c->dev].name, base),
                     (long)(c->off & ~0xfffu));
        if (c->kind == LOAD) {
            rt_printf("  emulated load: guest reads 0x%016lx\n", out);
            check(emu.done && !emu.store, "emulated as a load");
            check(out == c->out, "value seen by the guest");
        } else if (c->kind == STORE) {
            rt_printf("  emulated store: device receives 0x%lx\n", emu.value);
            check(emu.done && emu.store, "emulated as a store");
            check(emu.value == c->out, "value received by the device");
            check(out == c->in, "guest register unchanged");
        } else {
            rt_printf("  not emulated (ISV=0): skipped, guest register 0x%016lx\n", out);
            check(!emu.done, "not emulated");
            check(out == c->in, "guest register unchanged");
        }
    }
    for (unsigned d = 0; d < 3; d++)
        rt_printf("%s registers: %016lx %016lx %016lx %016lx %016lx %016lx %016lx\n", devs[d].name,
                  dev_regs[d][0], dev_regs[d][1], dev_regs[d][2], dev_regs[d][3], dev_regs[d][4],
                  dev_regs[d][5], dev_regs[d][6]);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
