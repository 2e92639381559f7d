/* Shared by the MMU guest tests (s2_*, at_s12, tlb_stale): building VMSAv8-64
 * translation tables (4 KiB granule) for stage 1 (EL1&0) and stage 2, turning
 * either stage on, the stage-2 TLB maintenance sequence, and recording,
 * printing and checking the stage 2 aborts that EL2 takes from an EL1 guest.
 *
 * Memory: the test image (code, data, bss, stacks) lies in the 2 MiB region
 * at 0x40000000 (RAM of the virt board); the tests identity-map it at stage 2
 * (IPA == PA), so table pointers are usable by EL2 (MMU off), by the guest
 * with its stage 1 off (VA == IPA) and as stage-1 table addresses (IPAs).
 * Tables come from pt_pool in bss. Fixed RAM regions past the image
 * (0x40400000.. in 2 MiB steps) serve as extra guest memory.
 *
 * Walk cacheability: VTCR_EL2 and TCR_EL1 make the walks Normal
 * Non-cacheable (IRGN/ORGN = 0), which matches how the tables are written (by
 * EL2 with its MMU off, or by the guest with its stage 1 off: Device memory),
 * so no cache maintenance of the tables is needed.
 *
 * Output never contains absolute addresses of the image: ELR, FAR and the IPA
 * from HPFAR_EL2 are printed relative to named references (struct ref). */
#ifndef AVSIM_GUEST_PAGETABLE_H
#define AVSIM_GUEST_PAGETABLE_H
#include "trap.h"

#define PT_FN static __attribute__((unused))

#define PAGE_SIZE 0x1000UL
#define SZ_2M 0x200000UL
#define RAM_BASE 0x40000000UL
/* Free RAM past the image, 2 MiB aligned. */
#define RAM_FREE0 0x40400000UL
#define RAM_FREE1 0x40600000UL
#define RAM_FREE2 0x40800000UL
#define RAM_FREE3 0x40a00000UL
#define RAM_FREE4 0x40c00000UL

extern char __image_end[];

/* Shift of the input address bits resolved at a level (4 KiB granule). */
#define PT_SHIFT(level) (12 + 9 * (3 - (level)))

/* ---- Descriptor bits ---------------------------------------------------- */
#define PTE_VALID 1UL
#define PTE_TABLE 3UL           /* table descriptor at levels 0-2 */
#define PTE_PAGE 3UL            /* page descriptor at level 3 */
#define PTE_BLOCK 1UL           /* block descriptor at levels 1-2 */
#define PTE_AF (1UL << 10)
#define PTE_SH(sh) ((uint64_t)(sh) << 8)
#define SH_NSH 0
#define SH_OSH 2
#define SH_ISH 3
#define PTE_OA_MASK 0x0000fffffffff000UL

/* Stage 1, EL1&0 regime: AttrIndx[2:0], AP[2:1], nG, PXN, UXN. */
#define S1_ATTR(idx) ((uint64_t)(idx) << 2)
#define S1_AP_RW_EL1 (0UL << 6)  /* EL1 RW, EL0 none */
#define S1_AP_RW (1UL << 6)      /* EL1 RW, EL0 RW */
#define S1_AP_RO_EL1 (2UL << 6)  /* EL1 RO, EL0 none */
#define S1_AP_RO (3UL << 6)      /* EL1 RO, EL0 RO */
#define S1_NG (1UL << 11)
#define S1_PXN (1UL << 53)
#define S1_UXN (1UL << 54)

/* MAIR_ELx attribute encodings. */
#define MAIR_DEVICE_nGnRnE 0x00UL
#define MAIR_DEVICE_nGnRE 0x04UL
#define MAIR_DEVICE_GRE 0x0cUL
#define MAIR_NORMAL_NC 0x44UL
#define MAIR_NORMAL_WT 0xbbUL    /* Write-Through, read/write-allocate, non-transient */
#define MAIR_NORMAL_WB 0xffUL    /* Write-Back, read/write-allocate, non-transient */
#define MAIR(idx, attr) ((uint64_t)(attr) << (8 * (idx)))

/* Stage 2: MemAttr[3:0], S2AP[1:0], XN (bit 54; FEAT_XNX is not implemented). */
#define S2_MEMATTR(m) ((uint64_t)(m) << 2)
#define S2_DEVICE_nGnRnE 0x0
#define S2_DEVICE_nGnRE 0x1
#define S2_NORMAL_NC 0x5
#define S2_NORMAL_WT 0xa
#define S2_NORMAL_WB 0xf
#define S2AP_NONE (0UL << 6)
#define S2AP_RO (1UL << 6)
#define S2AP_WO (2UL << 6)
#define S2AP_RW (3UL << 6)
#define S2AP_MASK (3UL << 6)
#define S2_XN (1UL << 54)

/* Ordinary guest RAM at stage 2 and at stage 1 (attribute index idx). */
#define S2_RAM (S2_MEMATTR(S2_NORMAL_WB) | S2AP_RW | PTE_SH(SH_ISH) | PTE_AF)
#define S1_RAM(idx) (S1_ATTR(idx) | S1_AP_RW_EL1 | PTE_SH(SH_ISH) | PTE_AF)

/* ---- Table pool ----------------------------------------------------------- */
#ifndef PT_POOL_PAGES
#define PT_POOL_PAGES 24
#endif
/* 64 KiB aligned so that up to 16 concatenated tables are naturally aligned. */
PT_FN uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(65536)));
static unsigned pt_pool_next;

PT_FN void pt_zero_page(void *page)
{
    volatile uint64_t *p = page;
    for (unsigned i = 0; i < 512; i++)
        p[i] = 0;
}

/* n (a power of two) zeroed pages, aligned to n pages. */
PT_FN uint64_t *pt_alloc(unsigned n)
{
    unsigned i = (pt_pool_next + n - 1) & ~(n - 1);
    if (i + n > PT_POOL_PAGES) {
        rt_puts("pagetable.h: table pool exhausted\n");
        rt_exit(101);
    }
    pt_pool_next = i + n;
    for (unsigned k = 0; k < n; k++)
        pt_zero_page(pt_pool[i + k]);
    return pt_pool[i];
}

/* One translation table tree. ia_bits: input address size (64 - TxSZ). At the
 * start level, stage 2 may concatenate up to 16 tables (nroot); stage 1 never
 * does. */
struct pt {
    uint64_t *root;
    unsigned ia_bits;
    int start_level;
    unsigned nroot;
};

/* Stage 2: the start level is chosen by the test (VTCR_EL2.SL0). */
PT_FN void pt_init_s2(struct pt *pt, unsigned ia_bits, int start_level)
{
    unsigned top = PT_SHIFT(start_level) + 9;
    pt->ia_bits = ia_bits;
    pt->start_level = start_level;
    pt->nroot = ia_bits > top ? 1u << (ia_bits - top) : 1;
    pt->root = pt_alloc(pt->nroot);
}

/* Stage 1: the start level follows from T0SZ (4 KiB granule). */
PT_FN void pt_init_s1(struct pt *pt, unsigned ia_bits)
{
    pt->ia_bits = ia_bits;
    pt->start_level = ia_bits > 39 ? 0 : ia_bits > 30 ? 1 : 2;
    pt->nroot = 1;
    pt->root = pt_alloc(1);
}

PT_FN unsigned pt_index(const struct pt *pt, uint64_t ia, int level)
{
    unsigned shift = PT_SHIFT(level);
    if (level == pt->start_level)
        return (unsigned)((ia >> shift) & ((1UL << (pt->ia_bits - shift)) - 1));
    return (unsigned)((ia >> shift) & 511);
}

/* The descriptor for ia at `level`. create: allocate missing tables on the
 * way (from the pool, or the page `at` for the last one if nonzero);
 * otherwise return 0 when a table is missing. */
PT_FN volatile uint64_t *pt_walk(const struct pt *pt, uint64_t ia, int level, int create,
                                  uint64_t at)
{
    volatile uint64_t *t = pt->root;
    for (int l = pt->start_level;; l++) {
        volatile uint64_t *e = &t[pt_index(pt, ia, l)];
        if (l == level)
            return e;
        if ((*e & 3) != PTE_TABLE) {
            if (!create)
                return 0;
            if (*e & PTE_VALID) {
                rt_printf("pagetable.h: block in the way at level %d\n", l);
                rt_exit(101);
            }
            uint64_t *n;
            if (at && l + 1 == level) {
                n = (uint64_t *)at;
                pt_zero_page(n);
            } else {
                n = pt_alloc(1);
            }
            *e = (uint64_t)n | PTE_TABLE;
        }
        t = (volatile uint64_t *)(*e & PTE_OA_MASK);
    }
}

PT_FN volatile uint64_t *pt_entry(const struct pt *pt, uint64_t ia, int level)
{
    return pt_walk(pt, ia, level, 1, 0);
}

/* The (existing) descriptor for ia at level, or 0. */
PT_FN volatile uint64_t *pt_lookup(const struct pt *pt, uint64_t ia, int level)
{
    return pt_walk(pt, ia, level, 0, 0);
}

/* Address of the table that holds the level-`level` descriptor of ia. */
PT_FN uint64_t pt_table_addr(const struct pt *pt, uint64_t ia, int level)
{
    return (uint64_t)pt_entry(pt, ia, level) & ~(PAGE_SIZE - 1);
}

/* Map ia -> oa with a page (level 3) or a block (level 1 or 2) descriptor. */
PT_FN void pt_map(const struct pt *pt, uint64_t ia, uint64_t oa, int level, uint64_t attrs)
{
    *pt_entry(pt, ia, level) = (oa & PTE_OA_MASK) | attrs | (level == 3 ? PTE_PAGE : PTE_BLOCK);
}

PT_FN void pt_map_range(const struct pt *pt, uint64_t ia, uint64_t oa, uint64_t size, int level,
                         uint64_t attrs)
{
    uint64_t step = 1UL << PT_SHIFT(level);
    for (uint64_t o = 0; o < size; o += step)
        pt_map(pt, ia + o, oa + o, level, attrs);
}

/* Identity-map the 2 MiB region holding the image at stage 2, as one block
 * (level 2) or as 512 pages (level 3). */
PT_FN void s2_map_image(const struct pt *s2, int level)
{
    if ((uint64_t)__image_end > RAM_BASE + SZ_2M - 2 * PAGE_SIZE) {
        rt_puts("pagetable.h: the image outgrew its 2 MiB region\n");
        rt_exit(101);
    }
    pt_map_range(s2, RAM_BASE, RAM_BASE, SZ_2M, level, S2_RAM);
}

/* ---- Registers -------------------------------------------------------------- */
#define VMID 1UL

/* VTCR_EL2: T0SZ, SL0, walks Normal Non-cacheable and Outer Shareable, 4 KiB
 * granule, PS = 40 bits, bit 31 RES1. */
PT_FN uint64_t s2_vtcr(const struct pt *s2)
{
    uint64_t sl0 = s2->start_level == 2 ? 0 : s2->start_level == 1 ? 1 : 2;
    return (64 - s2->ia_bits) | (sl0 << 6) | (0UL << 8) | (0UL << 10) | (2UL << 12) |
           (0UL << 14) | (2UL << 16) | (1UL << 31);
}

static inline void tlbi_vmalls12e1(void)
{
    __asm__ volatile("dsb ishst\n\ttlbi vmalls12e1\n\tdsb ish\n\tisb" ::: "memory");
}

/* Program VTCR_EL2 and VTTBR_EL2 (stage 2 itself is turned on by HCR_EL2.VM,
 * which rt_run_el1's hcr argument sets). */
PT_FN void s2_setup(const struct pt *s2)
{
    WRITE_SYSREG(vtcr_el2, s2_vtcr(s2));
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2->root | (VMID << 48));
    ISB();
    tlbi_vmalls12e1();
}

/* After changing a valid stage 2 descriptor for ipa (Arm ARM, "TLB
 * maintenance requirements" for stage 2): DSB so the write is seen by the
 * walker, invalidate the stage 2 entries for the IPA, DSB, then the combined
 * stage 1+2 entries of the VMID (they may hold the old stage 2 result for any
 * VA), DSB, ISB. Run at EL2. */
static inline void s2_tlbi_ipa(uint64_t ipa)
{
    __asm__ volatile("dsb ishst\n\ttlbi ipas2e1, %0\n\tdsb ish\n\ttlbi vmalle1\n\tdsb ish\n\tisb"
                     :: "r"(ipa >> 12) : "memory");
}

/* TCR_EL1: T0SZ, walks Normal Non-cacheable Outer Shareable, TG0 = 4 KiB,
 * EPD1 (no TTBR1 walks), IPS = 40 bits, ASID 8 bits. */
PT_FN uint64_t s1_tcr(const struct pt *s1)
{
    return (64 - s1->ia_bits) | (0UL << 8) | (0UL << 10) | (2UL << 12) | (0UL << 14) |
           (1UL << 23) | (2UL << 32);
}

#define SCTLR_M (1UL << 0)
#define SCTLR_C (1UL << 2)
#define SCTLR_I (1UL << 12)

/* Program the EL1&0 stage 1 registers and turn it on (SCTLR_EL1.M, C, I).
 * Usable at EL1 (the guest's own stage 1) and at EL2 (for AT). */
PT_FN void s1_enable(const struct pt *s1, uint64_t mair)
{
    WRITE_SYSREG(mair_el1, mair);
    WRITE_SYSREG(tcr_el1, s1_tcr(s1));
    WRITE_SYSREG(ttbr0_el1, (uint64_t)s1->root);
    __asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
    ISB();
}

PT_FN void s1_disable(void)
{
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~(SCTLR_M | SCTLR_C | SCTLR_I));
    ISB();
}

/* EL2's own stage 1 on (run at EL2): MAIR_EL2 attr 0 Normal WB, attr 1 Device-nGnRE;
 * TCR_EL2 with T0SZ from the table, 4 KiB granule, walks non-cacheable, 40-bit PS. */
PT_FN void s1_el2_enable(const struct pt *pt)
{
    WRITE_SYSREG(mair_el2, MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE));
    WRITE_SYSREG(tcr_el2, (64 - pt->ia_bits) | (2UL << 16) | (1UL << 31) | (1UL << 23));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)pt->root);
    __asm__ volatile("dsb sy\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1);
    ISB();
}

/* ---- Aborts taken to EL2 ------------------------------------------------------ */
struct abort_rec {
    uint64_t esr, far, hpfar, elr;
};
#define ABORT_LOG 4
static volatile struct abort_rec abort_log[ABORT_LOG];
static volatile unsigned abort_count;

PT_FN void abort_reset(void) { abort_count = 0; }

PT_FN void abort_record(struct rt_frame *f)
{
    if (abort_count < ABORT_LOG) {
        volatile struct abort_rec *a = &abort_log[abort_count];
        a->esr = READ_SYSREG(esr_el2);
        a->far = READ_SYSREG(far_el2);
        a->hpfar = READ_SYSREG(hpfar_el2);
        a->elr = f->elr;
    }
    abort_count++;
}

/* The IPA (page) that HPFAR_EL2.FIPA ([39:4] = IPA[47:12]) holds. */
#define HPFAR_IPA(h) (((h) >> 4 & 0xfffffffffUL) << 12)
#define HPFAR_OF(ipa) (((ipa) >> 12) << 4)

/* An address printed relative to a named reference. */
struct ref {
    const char *name;
    uint64_t addr;
};
#define REF(n, a) ((struct ref){ (n), (uint64_t)(a) })

PT_FN void print_rel(const char *label, struct ref r, uint64_t v)
{
    long off = (long)(v - r.addr);
    rt_printf(" %s=%s%c0x%lx", label, r.name, off < 0 ? '-' : '+',
              (unsigned long)(off < 0 ? -off : off));
}

PT_FN void print_abort_fields(uint64_t esr)
{
    uint32_t iss = (uint32_t)ESR_ISS(esr);
    unsigned ec = (unsigned)ESR_EC(esr);
    if (ec == 0x24 || ec == 0x25) {
        rt_printf("  ISV=%u", (iss >> 24) & 1);
        if (iss & (1u << 24))
            rt_printf(" SAS=%u SSE=%u SRT=%u SF=%u AR=%u", (iss >> 22) & 3, (iss >> 21) & 1,
                      (iss >> 16) & 31, (iss >> 15) & 1, (iss >> 14) & 1);
        rt_printf(" FnV=%u EA=%u CM=%u S1PTW=%u WnR=%u DFSC=0x%02x\n", (iss >> 10) & 1,
                  (iss >> 9) & 1, (iss >> 8) & 1, (iss >> 7) & 1, (iss >> 6) & 1, iss & 0x3f);
    } else {
        rt_printf("  FnV=%u EA=%u S1PTW=%u IFSC=0x%02x\n", (iss >> 10) & 1, (iss >> 9) & 1,
                  (iss >> 7) & 1, iss & 0x3f);
    }
}

/* Print abort_log[i] and check it: EC, IL=1, the whole ISS, ELR (relative to
 * elr), FAR (relative to far) and HPFAR_EL2 (= the IPA page ipa.addr + ipa_off,
 * printed relative to ipa). */
PT_FN void expect_abort(const char *what, unsigned i, unsigned ec, uint32_t iss, struct ref elr,
                         long elr_off, struct ref far, long far_off, struct ref ipa, long ipa_off)
{
    const volatile struct abort_rec *a = &abort_log[i];
    if (i >= abort_count || i >= ABORT_LOG) {
        rt_printf("%s: no abort #%u\n", what, i);
        check(0, "abort taken");
        return;
    }
    rt_printf("%s: EC=0x%02x IL=%u ISS=0x%07x", what, (unsigned)ESR_EC(a->esr),
              (unsigned)ESR_IL(a->esr), (unsigned)ESR_ISS(a->esr));
    print_rel("ELR", elr, a->elr);
    print_rel("FAR", far, a->far);
    print_rel("HPFAR.IPA", ipa, HPFAR_IPA(a->hpfar));
    rt_puts("\n");
    print_abort_fields(a->esr);
    check(ESR_EC(a->esr) == ec, "EC");
    check(ESR_IL(a->esr) == 1, "IL");
    check(ESR_ISS(a->esr) == iss, "ISS");
    check(a->elr == elr.addr + elr_off, "ELR");
    check(a->far == far.addr + far_off, "FAR_EL2");
    check(a->hpfar == HPFAR_OF(ipa.addr + ipa_off), "HPFAR_EL2");
}

PT_FN void expect_abort_count(const char *what, unsigned n)
{
    if (abort_count != n) {
        rt_printf("%s: %u aborts at EL2, expected %u\n", what, abort_count, n);
        check(0, "number of aborts");
    }
}

/* Data abort ISS: a valid instruction syndrome (ISV=1) ... */
#define ISS_ISV (1u << 24)
#define ISS_SAS(s) ((uint32_t)(s) << 22)
#define ISS_SSE (1u << 21)
#define ISS_SRT(r) ((uint32_t)(r) << 16)
#define ISS_SF (1u << 15)
#define ISS_AR (1u << 14)
#define ISS_S1PTW (1u << 7)
#define ISS_WNR (1u << 6)
/* ... and the fault status codes (level added). */
#define FSC_TRANS(l) (0x04u + (l))
#define FSC_AF(l) (0x08u + (l))
#define FSC_PERM(l) (0x0cu + (l))

#define EC_IABT_LOW 0x20u
#define EC_DABT_LOW 0x24u

/* ---- PAR_EL1 -------------------------------------------------------------------- */
#define PAR_F 1UL
#define PAR_FST(p) (((p) >> 1) & 0x3f)
#define PAR_PTW(p) (((p) >> 8) & 1)
#define PAR_S(p) (((p) >> 9) & 1)
#define PAR_SH(p) (((p) >> 7) & 3)
#define PAR_ATTR(p) ((p) >> 56)
#define PAR_PA(p) ((p) & PTE_OA_MASK)

#endif
