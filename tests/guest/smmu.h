/* Shared by the SMMU guest tests (smmu_*.c): programming avsim's SMMUv3 (Arm
 * IHI 0070, "SMMU architecture version 3") and driving DMA through it with
 * avsim's DMA test device (sim/dmatest.h, `avsim run --dma-test-device`).
 *
 * Machine (QEMU virt's placement, avsim's own device):
 *   SMMUv3 0x09050000 (128 KiB: page 0, page 1 at +0x10000), wired interrupts
 *     SPIs 74-77 = INTIDs 106 eventq, 107 priq, 108 cmdq-sync, 109 gerror
 *     (edge-triggered pulses);
 *   DMA test device 0x0c000000, INTID 144 (level).
 *
 * Memory: the SMMU's structures (stream table, CD tables, queues) come from
 * a bump allocator over RAM_FREE0 (0x40400000, 2 MiB), the test's data pages
 * from RAM_FREE1.. (pagetable.h), translation tables from pagetable.h's pool
 * (in the image). The PE runs at EL2 with its MMU off, so every write is
 * visible to the SMMU's fetches after a DSB; no cache maintenance is needed.
 * Output prints structure addresses relative to named bases (struct ref), so
 * it does not depend on the image's layout.
 *
 * Register offsets and fields: IHI 0070 chapter 6 ("Memory map and
 * registers"); STE 5.2, CD 5.4, L1STD 5.1, L1CD 5.3; commands 4.x; event
 * records 7.3; GERROR 7.5. */
#ifndef AVSIM_GUEST_SMMU_H
#define AVSIM_GUEST_SMMU_H
#define PT_POOL_PAGES 48
#include "gic.h"
#include "pagetable.h"

#define SM_FN static __attribute__((unused))

/* GCC turns structure initialisations into calls of these (there is no C
 * library); volatile so that the loops are not turned back into calls. */
void *memset(void *d, int c, size_t n)
{
    volatile uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
    volatile uint8_t *p = d;
    const volatile uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

/* ---- machine ------------------------------------------------------------------------ */
#define SMMU_BASE 0x09050000UL
#define SMMU_PAGE1 (SMMU_BASE + 0x10000UL)
#define INTID_EVENTQ 106
#define INTID_PRIQ 107
#define INTID_CMD_SYNC 108
#define INTID_GERROR 109
#define INTID_DMATEST 144
/* Not RAM (past the end of the default 1 GiB of RAM): fetches from it abort. */
#define UNBACKED_PA 0x90000000UL

/* ---- registers (page 0 offsets; the queues' PROD/CONS of the event queue in page 1) --- */
#define SMMU_IDR0 0x00
#define SMMU_IDR1 0x04
#define SMMU_IDR2 0x08
#define SMMU_IDR3 0x0c
#define SMMU_IDR4 0x10
#define SMMU_IDR5 0x14
#define SMMU_IIDR 0x18
#define SMMU_AIDR 0x1c
#define SMMU_CR0 0x20
#define SMMU_CR0ACK 0x24
#define SMMU_CR1 0x28
#define SMMU_CR2 0x2c
#define SMMU_STATUSR 0x40
#define SMMU_GBPA 0x44
#define SMMU_AGBPA 0x48
#define SMMU_IRQ_CTRL 0x50
#define SMMU_IRQ_CTRLACK 0x54
#define SMMU_GERROR 0x60
#define SMMU_GERRORN 0x64
#define SMMU_GERROR_IRQ_CFG0 0x68
#define SMMU_STRTAB_BASE 0x80
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_CMDQ_BASE 0x90
#define SMMU_CMDQ_PROD 0x98
#define SMMU_CMDQ_CONS 0x9c
#define SMMU_EVENTQ_BASE 0xa0
#define SMMU_EVENTQ_PROD 0x100a8   /* page 1 */
#define SMMU_EVENTQ_CONS 0x100ac   /* page 1 */
#define SMMU_EVENTQ_IRQ_CFG0 0xb0

#define CR0_SMMUEN (1u << 0)
#define CR0_PRIQEN (1u << 1)
#define CR0_EVENTQEN (1u << 2)
#define CR0_CMDQEN (1u << 3)
#define CR2_RECINVSID (1u << 1)
#define CR2_PTM (1u << 2)
/* CR1: queues and tables Inner Shareable, Write-Back cacheable (as Linux). */
#define CR1_WB_ISH ((1u << 0) | (1u << 2) | (3u << 4) | (1u << 6) | (1u << 8) | (3u << 10))
#define GBPA_UPDATE (1u << 31)
#define GBPA_ABORT (1u << 20)
#define IRQ_CTRL_GERROR (1u << 0)
#define IRQ_CTRL_PRIQ (1u << 1)
#define IRQ_CTRL_EVENTQ (1u << 2)
#define GERROR_CMDQ_ERR (1u << 0)
#define STRTAB_FMT_LINEAR (0u << 16)
#define STRTAB_FMT_2LVL (1u << 16)
#define STRTAB_SPLIT(s) ((uint32_t)(s) << 6)
#define Q_BASE_ALLOC (1UL << 62)                    /* RA (CMDQ) / WA (EVENTQ) */
#define CONS_ERR(c) (((c) >> 24) & 0x7f)
#define CERROR_NONE 0
#define CERROR_ILL 1
#define EVTQ_PROD_OVFLG (1u << 31)
#define EVTQ_CONS_OVACKFLG (1u << 31)

static inline uint32_t smmu_r32(uint64_t off) { return mmio_r32(SMMU_BASE + off); }
static inline void smmu_w32(uint64_t off, uint32_t v) { mmio_w32(SMMU_BASE + off, v); }
static inline uint64_t smmu_r64(uint64_t off) { return mmio_r64(SMMU_BASE + off); }
static inline void smmu_w64(uint64_t off, uint64_t v) { mmio_w64(SMMU_BASE + off, v); }
static inline void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/* A bounded wait: spins until cond holds or `limit` reads passed; returns cond. */
#define SPIN_UNTIL(cond, limit)                                   \
    ({                                                            \
        unsigned long _n = 0;                                     \
        while (!(cond) && _n < (limit))                           \
            _n++;                                                 \
        (cond);                                                   \
    })

/* CR0 := v, then wait for CR0ACK to show it (6.3.9: "the update has completed"). */
SM_FN int smmu_cr0(uint32_t v)
{
    smmu_w32(SMMU_CR0, v);
    return SPIN_UNTIL(smmu_r32(SMMU_CR0ACK) == v, 100000) ? 0 : -1;
}

/* GBPA := v with Update set, wait for Update to clear (6.3.14.1 "Update procedure"). */
SM_FN int smmu_gbpa(uint32_t v)
{
    smmu_w32(SMMU_GBPA, v | GBPA_UPDATE);
    return SPIN_UNTIL(!(smmu_r32(SMMU_GBPA) & GBPA_UPDATE), 100000) ? 0 : -1;
}

/* ---- allocator for the SMMU's structures ----------------------------------------------- */
static uint64_t sm_next = RAM_FREE0;
SM_FN uint64_t sm_alloc(uint64_t size, uint64_t align)
{
    uint64_t a = (sm_next + align - 1) & ~(align - 1);
    if (a + size > RAM_FREE0 + SZ_2M) {
        rt_puts("smmu.h: structure memory exhausted\n");
        rt_exit(101);
    }
    sm_next = a + size;
    for (uint64_t p = a; p < a + size; p += 8)
        *(volatile uint64_t *)p = 0;
    return a;
}

/* ---- STE (5.2): 8 doublewords --------------------------------------------------------- */
#define STE_V 1UL
#define STE_CONFIG(c) ((uint64_t)(c) << 1)
#define CFG_ABORT 0
#define CFG_BYPASS 4
#define CFG_S1 5
#define CFG_S2 6
#define CFG_NESTED 7
#define STE_S1FMT(f) ((uint64_t)(f) << 4)        /* 0 linear, 1 2-level 4 KiB leaves */
#define STE_S1CTXPTR(a) ((uint64_t)(a) & 0x00ffffffffffffc0UL)
#define STE_S1CDMAX(n) ((uint64_t)(n) << 59)
/* dword1 */
#define STE1_S1DSS(d) ((uint64_t)(d) << 0)       /* 0 terminate, 1 bypass, 2 substream 0 */
#define STE1_S1_WB_ISH ((1UL << 2) | (1UL << 4) | (3UL << 6))   /* S1CIR/S1COR WBRA, S1CSH ISH */
#define STE1_STRW_NSEL1 (0UL << 30)
#define STE1_SHCFG_INCOMING (1UL << 44)
/* dword2 */
#define STE2_S2VMID(v) ((uint64_t)(v) & 0xffff)
#define STE2_S2T0SZ(t) ((uint64_t)(t) << 32)
#define STE2_S2SL0(s) ((uint64_t)(s) << 38)
#define STE2_S2_WB_ISH ((1UL << 40) | (1UL << 42) | (3UL << 44))  /* S2IR0/S2OR0 WBRA, S2SH0 ISH */
#define STE2_S2TG_4K (0UL << 46)
#define STE2_S2PS(p) ((uint64_t)(p) << 48)
#define STE2_S2AA64 (1UL << 51)
#define STE2_S2AFFD (1UL << 53)
#define STE2_S2PTW (1UL << 54)
#define STE2_S2R (1UL << 58)
/* dword3 */
#define STE3_S2TTB(a) ((uint64_t)(a) & 0x00fffffffffffff0UL)

struct ste {
    uint64_t w[8];
};

/* Write an STE: the doublewords other than 0 first, then dword 0 (holding V). */
SM_FN void ste_write(uint64_t addr, const struct ste *s)
{
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (unsigned i = 1; i < 8; i++)
        p[i] = s->w[i];
    dsb();
    p[0] = s->w[0];
    dsb();
}

SM_FN struct ste ste_bypass(void)
{
    return (struct ste){ { STE_V | STE_CONFIG(CFG_BYPASS), STE1_SHCFG_INCOMING } };
}

SM_FN struct ste ste_abort(void)
{
    return (struct ste){ { STE_V | STE_CONFIG(CFG_ABORT) } };
}

/* Stage 1 through the CD table at cdtab (s1fmt 0 linear / 1 2-level, 2^cdmax CDs, 0: one). */
SM_FN struct ste ste_s1(uint64_t cdtab, unsigned s1fmt, unsigned cdmax, unsigned s1dss)
{
    struct ste s = { { 0 } };
    s.w[0] = STE_V | STE_CONFIG(CFG_S1) | STE_S1FMT(s1fmt) | STE_S1CTXPTR(cdtab) | STE_S1CDMAX(cdmax);
    s.w[1] = STE1_S1DSS(s1dss) | STE1_S1_WB_ISH | STE1_STRW_NSEL1 | STE1_SHCFG_INCOMING;
    return s;
}

/* The stage 2 fields (S2PS = 40 bits, 4 KiB granule, AArch64, faults recorded). */
SM_FN void ste_set_s2(struct ste *s, unsigned vmid, const struct pt *s2)
{
    uint64_t sl0 = s2->start_level == 2 ? 0 : s2->start_level == 1 ? 1 : 2;
    s->w[2] = STE2_S2VMID(vmid) | STE2_S2T0SZ(64 - s2->ia_bits) | STE2_S2SL0(sl0) | STE2_S2_WB_ISH |
              STE2_S2TG_4K | STE2_S2PS(2) | STE2_S2AA64 | STE2_S2R;
    s->w[3] = STE3_S2TTB((uint64_t)s2->root);
}

SM_FN struct ste ste_s2(unsigned vmid, const struct pt *s2)
{
    struct ste s = { { STE_V | STE_CONFIG(CFG_S2), STE1_SHCFG_INCOMING } };
    ste_set_s2(&s, vmid, s2);
    return s;
}

/* Both stages: the CD table's address and the stage 1 tables are IPAs. */
SM_FN struct ste ste_nested(uint64_t cdtab_ipa, unsigned vmid, const struct pt *s2)
{
    struct ste s = ste_s1(cdtab_ipa, 0, 0, 0);
    s.w[0] = (s.w[0] & ~STE_CONFIG(7)) | STE_CONFIG(CFG_NESTED);
    ste_set_s2(&s, vmid, s2);
    return s;
}

/* Stage 1 leaf attributes for DMA: MAIR attribute 0 (Normal WB), Inner
 * Shareable, AF set, nG = 1 (the translation belongs to the CD's ASID, as
 * Linux's io-pgtable makes them; a global one, nG = 0, would match every
 * ASID and survive CMD_TLBI_NH_ASID), AP = read/write or read-only at both
 * privilege levels (whatever PnU the device's transactions carry). */
#define S1_DMA_RW (S1_ATTR(0) | S1_AP_RW | PTE_SH(SH_ISH) | PTE_AF | S1_NG)
#define S1_DMA_RO (S1_ATTR(0) | S1_AP_RO | PTE_SH(SH_ISH) | PTE_AF | S1_NG)

/* ---- CD (5.4): 8 doublewords ----------------------------------------------------------- */
#define CD_T0SZ(t) ((uint64_t)(t) << 0)
#define CD_TG0_4K (0UL << 6)
#define CD_WB_ISH ((1UL << 8) | (1UL << 10) | (3UL << 12))      /* IR0/OR0 WBRA, SH0 ISH */
#define CD_EPD1 (1UL << 30)
#define CD_V (1UL << 31)
#define CD_IPS(p) ((uint64_t)(p) << 32)
#define CD_AA64 (1UL << 41)
#define CD_R (1UL << 45)
#define CD_A (1UL << 46)
#define CD_ASET (1UL << 47)
#define CD_ASID(a) ((uint64_t)(a) << 48)
#define CD1_TTB0(a) ((uint64_t)(a) & 0x00fffffffffffff0UL)
#define IPS_32 0
#define IPS_40 2

struct cd {
    uint64_t w[8];
};

/* A stage 1 CD for the tree s1 (TTB0; TTB1 walks disabled), IPS = ips (IPS_*), MAIR attr 0 Normal WB. */
SM_FN struct cd cd_s1(unsigned asid, const struct pt *s1, uint64_t ttb0, unsigned ips)
{
    struct cd c = { { 0 } };
    c.w[0] = CD_T0SZ(64 - s1->ia_bits) | CD_TG0_4K | CD_WB_ISH | CD_EPD1 | CD_V | CD_IPS(ips) |
             CD_AA64 | CD_R | CD_A | CD_ASET | CD_ASID(asid);
    c.w[1] = CD1_TTB0(ttb0);
    c.w[3] = MAIR(0, MAIR_NORMAL_WB) | MAIR(1, MAIR_DEVICE_nGnRE);
    return c;
}

SM_FN void cd_write(uint64_t addr, const struct cd *c)
{
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (unsigned i = 1; i < 8; i++)
        p[i] = c->w[i];
    dsb();
    p[0] = c->w[0];
    dsb();
}

/* ---- queues ------------------------------------------------------------------------------- */
struct smmu_queue {
    uint64_t base;
    unsigned log2;       /* entries = 1 << log2 */
    unsigned esize;      /* bytes per entry */
    uint32_t prod, cons; /* index with the wrap bit at bit log2 */
};
static struct smmu_queue cmdq, evtq;

#define Q_IDX(q, v) ((v) & ((1u << (q)->log2) - 1))
#define Q_WRP(q, v) ((v) & (1u << (q)->log2))
#define Q_INC(q, v) (((v) + 1) & ((2u << (q)->log2) - 1))

/* ---- commands (4.x): two doublewords ---------------------------------------------------- */
#define CMD_PREFETCH_CONFIG 0x01
#define CMD_PREFETCH_ADDR 0x02
#define CMD_CFGI_STE 0x03
#define CMD_CFGI_STE_RANGE 0x04
#define CMD_CFGI_CD 0x05
#define CMD_CFGI_CD_ALL 0x06
#define CMD_TLBI_NH_ALL 0x10
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NH_VA 0x12
#define CMD_TLBI_NH_VAA 0x13
#define CMD_TLBI_EL2_ALL 0x20
#define CMD_TLBI_S12_VMALL 0x28
#define CMD_TLBI_S2_IPA 0x2a
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_SYNC 0x46
#define CMD_SID(s) ((uint64_t)(s) << 32)
#define CMD_SSID(s) ((uint64_t)(s) << 12)
#define CMD_VMID(v) ((uint64_t)(v) << 32)
#define CMD_ASID(a) ((uint64_t)(a) << 48)
#define CMD_LEAF 1UL
#define CMD_SYNC_CS_NONE (0UL << 12)
#define CMD_SYNC_CS_IRQ (1UL << 12)

SM_FN void cmdq_put(uint64_t w0, uint64_t w1)
{
    volatile uint64_t *e = (volatile uint64_t *)(cmdq.base + 16UL * Q_IDX(&cmdq, cmdq.prod));
    e[0] = w0;
    e[1] = w1;
    cmdq.prod = Q_INC(&cmdq, cmdq.prod);
}

/* GERROR.CMDQ_ERR active (GERROR and GERRORN differ in bit 0, 7.5). CMDQ_CONS.ERR
 * means something only while it is (6.3.28: UNKNOWN otherwise). */
SM_FN int cmdq_error_active(void)
{
    return ((smmu_r32(SMMU_GERROR) ^ smmu_r32(SMMU_GERRORN)) & GERROR_CMDQ_ERR) != 0;
}

/* Publish the commands put so far (CMDQ_PROD) and wait until the SMMU has
 * consumed them all, or stopped on an error. Returns CMDQ_CONS. */
SM_FN uint32_t cmdq_kick(void)
{
    dsb();
    smmu_w32(SMMU_CMDQ_PROD, cmdq.prod);
    uint32_t cons = 0;
    SPIN_UNTIL(((cons = smmu_r32(SMMU_CMDQ_CONS)) & ((2u << cmdq.log2) - 1)) == cmdq.prod || cmdq_error_active(),
               1000000);
    cmdq.cons = cons & ((2u << cmdq.log2) - 1);
    return cons;
}

/* CMD_SYNC (CS = SIG_NONE) after the commands put so far; checks that the
 * queue drained without error (a failure is counted). */
SM_FN void cmdq_sync(void)
{
    cmdq_put(CMD_SYNC | CMD_SYNC_CS_NONE, 0);
    uint32_t cons = cmdq_kick();
    if (cmdq_error_active() || (cons & ((2u << cmdq.log2) - 1)) != cmdq.prod) {
        rt_printf("  command queue stuck: CONS=0x%x PROD=0x%x\n", cons, cmdq.prod);
        check(0, "command queue drained");
    }
}

SM_FN void cmd_cfgi_ste(uint32_t sid) { cmdq_put(CMD_CFGI_STE | CMD_SID(sid), CMD_LEAF); cmdq_sync(); }
SM_FN void cmd_cfgi_cd(uint32_t sid, uint32_t ssid) { cmdq_put(CMD_CFGI_CD | CMD_SID(sid) | CMD_SSID(ssid), CMD_LEAF); cmdq_sync(); }
SM_FN void cmd_cfgi_all(void) { cmdq_put(CMD_CFGI_STE_RANGE, 31); cmdq_sync(); }
SM_FN void cmd_tlbi_nsnh_all(void) { cmdq_put(CMD_TLBI_NSNH_ALL, 0); cmdq_sync(); }

/* ---- event records (7.3) ---------------------------------------------------------------- */
struct evt {
    uint64_t w[4];
};
#define EVT_ID(e) ((unsigned)((e)->w[0] & 0xff))
#define EVT_SSV(e) ((unsigned)((e)->w[0] >> 11) & 1)
#define EVT_SSID(e) ((unsigned)((e)->w[0] >> 12) & 0xfffff)
#define EVT_SID(e) ((uint32_t)((e)->w[0] >> 32))
#define EVT_RNW(e) ((unsigned)((e)->w[1] >> 35) & 1)
#define EVT_S2(e) ((unsigned)((e)->w[1] >> 39) & 1)
#define EVT_CLASS(e) ((unsigned)((e)->w[1] >> 40) & 3)
#define EVT_INPUT(e) ((e)->w[2])
#define EVT_IPA(e) ((e)->w[3] & 0x00fffffffffff000UL)
#define EVT_FETCH(e) ((e)->w[3] & 0x00fffffffffffff8UL)
#define EV_C_BAD_STREAMID 0x02
#define EV_F_STE_FETCH 0x03
#define EV_C_BAD_STE 0x04
#define EV_F_STREAM_DISABLED 0x06
#define EV_C_BAD_SUBSTREAMID 0x08
#define EV_F_CD_FETCH 0x09
#define EV_C_BAD_CD 0x0a
#define EV_F_WALK_EABT 0x0b
#define EV_F_TRANSLATION 0x10
#define EV_F_ADDR_SIZE 0x11
#define EV_F_ACCESS 0x12
#define EV_F_PERMISSION 0x13
#define CLASS_CD 0
#define CLASS_TT 1
#define CLASS_IN 2

SM_FN const char *evt_name(unsigned id)
{
    switch (id) {
    case EV_C_BAD_STREAMID: return "C_BAD_STREAMID";
    case EV_F_STE_FETCH: return "F_STE_FETCH";
    case EV_C_BAD_STE: return "C_BAD_STE";
    case EV_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case EV_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case EV_F_CD_FETCH: return "F_CD_FETCH";
    case EV_C_BAD_CD: return "C_BAD_CD";
    case EV_F_WALK_EABT: return "F_WALK_EABT";
    case EV_F_TRANSLATION: return "F_TRANSLATION";
    case EV_F_ADDR_SIZE: return "F_ADDR_SIZE";
    case EV_F_ACCESS: return "F_ACCESS";
    case EV_F_PERMISSION: return "F_PERMISSION";
    default: return "?";
    }
}

/* Take the next record from the event queue (advancing EVENTQ_CONS); 0: empty. */
SM_FN int evtq_pop(struct evt *e)
{
    uint32_t prod = smmu_r32(SMMU_EVENTQ_PROD) & ((2u << evtq.log2) - 1);
    if (prod == evtq.cons)
        return 0;
    volatile uint64_t *p = (volatile uint64_t *)(evtq.base + 32UL * Q_IDX(&evtq, evtq.cons));
    for (unsigned i = 0; i < 4; i++)
        e->w[i] = p[i];
    evtq.cons = Q_INC(&evtq, evtq.cons);
    smmu_w32(SMMU_EVENTQ_CONS, (smmu_r32(SMMU_EVENTQ_CONS) & EVTQ_CONS_OVACKFLG) | evtq.cons);
    return 1;
}

/* What a test expects of a record. Fields by record type (7.3): all carry
 * StreamID and SSV/SubstreamID; the translation faults (0x10-0x13) and
 * F_WALK_EABT RnW, S2, CLASS and InputAddr; with S2 == 1 the faults carry the
 * IPA; F_STE_FETCH, F_CD_FETCH and F_WALK_EABT the FetchAddr. */
struct evt_expect {
    unsigned id;
    uint32_t sid;
    int ssid;             /* -1: SSV == 0 */
    unsigned rnw, s2, class;
    uint64_t input;
    uint64_t ipa;         /* faults with S2 == 1 */
    struct ref fetch;     /* FetchAddr, printed relative to fetch.name */
    long fetch_off;
};

static const char *const class_name[4] = { "CD", "TT", "IN", "?" };
#define EVT_FAULT(id) ((id) >= EV_F_TRANSLATION && (id) <= EV_F_PERMISSION)
#define EVT_HAS_FETCH(id) ((id) == EV_F_STE_FETCH || (id) == EV_F_CD_FETCH || (id) == EV_F_WALK_EABT)

/* Print a record (the fields its type defines) and check it against x. */
SM_FN void expect_event(const char *what, const struct evt *e, const struct evt_expect *x)
{
    unsigned id = EVT_ID(e);
    rt_printf("  %s: event 0x%02x %s StreamID=0x%x SSV=%u", what, id, evt_name(id), EVT_SID(e), EVT_SSV(e));
    if (EVT_SSV(e))
        rt_printf(" SubstreamID=0x%x", EVT_SSID(e));
    if (EVT_FAULT(id) || id == EV_F_WALK_EABT)
        rt_printf(" RnW=%u S2=%u CLASS=%s InputAddr=0x%lx", EVT_RNW(e), EVT_S2(e), class_name[EVT_CLASS(e)],
                  EVT_INPUT(e));
    if (EVT_FAULT(id) && EVT_S2(e))
        rt_printf(" IPA=0x%lx", EVT_IPA(e));
    if (EVT_HAS_FETCH(id))
        print_rel("FetchAddr", x->fetch, EVT_FETCH(e));
    rt_puts("\n");
    check(id == x->id, "event type");
    check(EVT_SID(e) == x->sid, "StreamID");
    check(EVT_SSV(e) == (x->ssid >= 0), "SSV");
    if (x->ssid >= 0)
        check(EVT_SSID(e) == (unsigned)x->ssid, "SubstreamID");
    if (EVT_FAULT(x->id) || x->id == EV_F_WALK_EABT) {
        check(EVT_RNW(e) == x->rnw, "RnW");
        check(EVT_S2(e) == x->s2, "S2");
        check(EVT_CLASS(e) == x->class, "CLASS");
        check(EVT_INPUT(e) == x->input, "InputAddr");
    }
    if (EVT_FAULT(x->id) && x->s2)
        check(EVT_IPA(e) == x->ipa, "IPA");
    if (EVT_HAS_FETCH(x->id))
        check(EVT_FETCH(e) == x->fetch.addr + x->fetch_off, "FetchAddr");
}

/* Pop one record and check it; a missing record is a failure. */
SM_FN void expect_next_event(const char *what, const struct evt_expect *x)
{
    struct evt e;
    if (!evtq_pop(&e)) {
        rt_printf("  %s: no event record\n", what);
        check(0, "event recorded");
        return;
    }
    expect_event(what, &e, x);
}

SM_FN void expect_no_event(const char *what)
{
    struct evt e;
    if (evtq_pop(&e)) {
        expect_event(what, &e, &(struct evt_expect){ .id = 0 });
        check(0, "no event recorded");
    } else {
        rt_printf("  %s: no event record\n", what);
    }
}

/* ---- interrupts ------------------------------------------------------------------------- */
#define IRQ_LOG 16
static volatile unsigned irq_log[IRQ_LOG];
static volatile unsigned irq_count;
/* Level interrupts stay asserted until the device is told: the handler of
 * the DMA test device's line acknowledges it there (IRQ_ACK). */
static inline void dmatest_w32(uint64_t off, uint32_t v);

/* A program with its own EL2 handler (a hypervisor example that forwards
 * interrupts to a guest) defines SMMU_OWN_EL2_HANDLER before including this
 * header; the tests' handler below, which only logs interrupts, is left out. */
#ifndef SMMU_OWN_EL2_HANDLER
void el2_handler(struct rt_frame *f, int vector)
{
    if ((vector & 3) == RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (intid == INTID_DMATEST)
            dmatest_w32(0x050 /* IRQ_ACK */, 3);
        if (irq_count < IRQ_LOG)
            irq_log[irq_count] = intid;
        irq_count++;
        if (intid < 1020) {
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
        }
        return;
    }
    rt_printf("UNEXPECTED exception at EL2 vector %d: ESR=0x%lx ELR-start\n", vector, READ_SYSREG(esr_el2));
    (void)f;
    rt_exit(100);
}
#endif

/* GICv3 on, the SMMU's four SPIs (edge) and the DMA test device's (level) Group 1, enabled;
 * HCR_EL2.IMO so that physical IRQs are taken to EL2, where the tests run. */
SM_FN void smmu_gic_setup(void)
{
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    ISB();
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    for (unsigned i = INTID_EVENTQ; i <= INTID_GERROR; i++)
        gic_irq_setup(i, 0x80, 1, 1);
    gic_irq_setup(INTID_DMATEST, 0x80, 0, 1);
}

/* Let pending interrupts in (PSTATE.I cleared for a while), then mask again;
 * returns the interrupts taken since irq_mark (printed as a list). */
SM_FN unsigned irq_take(void)
{
    for (unsigned i = 0; i < 64; i++)
        __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tmsr daifset, #2\n\tisb" ::: "memory");
    return irq_count;
}

/* Print and check the interrupts taken since the last call: exactly `want` (0 = none). */
static unsigned irq_seen;
SM_FN void expect_irqs(const char *what, const unsigned *want, unsigned n)
{
    irq_take();
    unsigned got = irq_count - irq_seen;
    rt_printf("  %s: interrupts taken:", what);
    if (!got)
        rt_puts(" none");
    for (unsigned i = irq_seen; i < irq_count && i < IRQ_LOG; i++)
        rt_printf(" %u", irq_log[i]);
    rt_puts("\n");
    int ok = got == n;
    for (unsigned i = 0; ok && i < n; i++)
        ok = irq_seen + i < IRQ_LOG && irq_log[irq_seen + i] == want[i];
    check(ok, "interrupts taken");
    irq_seen = irq_count;
}
#define EXPECT_IRQ(what, ...)                                                    \
    do {                                                                         \
        static const unsigned _w[] = { __VA_ARGS__ };                            \
        expect_irqs(what, _w, sizeof _w / sizeof _w[0]);                         \
    } while (0)
#define EXPECT_NO_IRQ(what) expect_irqs(what, 0, 0)

#include "dmatest.h"   /* the DMA test device's registers and accessors */

/* One command as StreamID sid (SubstreamID ssid, NO_SSID: none); returns STATUS. */
SM_FN uint32_t dma_cmd(uint32_t sid, int ssid, unsigned cmd, uint64_t src, uint64_t dst, uint32_t len)
{
    dsb();
    dmatest_w32(DT_SID, sid);
    dmatest_w32(DT_SSID, ssid < 0 ? 0 : DT_SSV | (uint32_t)ssid);
    dmatest_w64(DT_SRC, src);
    dmatest_w64(DT_DST, dst);
    dmatest_w32(DT_LEN, len);
    dmatest_w32(DT_CMD, cmd);
    dsb();
    return dmatest_r32(DT_STATUS);
}

/* A read of 8 bytes at addr: returns STATUS, *data the bytes (DATA). */
SM_FN uint32_t dma_read64(uint32_t sid, int ssid, uint64_t addr, uint64_t *data)
{
    uint32_t st = dma_cmd(sid, ssid, DT_READ, addr, 0, 8);
    *data = dmatest_r64(DT_DATA);
    return st;
}

/* A write of 8 bytes (value) at addr (FILL with the pattern): returns STATUS. */
SM_FN uint32_t dma_write64(uint32_t sid, int ssid, uint64_t addr, uint64_t value)
{
    dmatest_w64(DT_PATTERN, value);
    return dma_cmd(sid, ssid, DT_FILL, 0, addr, 8);
}

SM_FN const char *dt_status_str(uint32_t st)
{
    switch (st) {
    case DT_ST_DONE: return "done";
    case DT_ST_FAULT | DT_ST_SRC_FAULT: return "fault (read side)";
    case DT_ST_FAULT | DT_ST_DST_FAULT: return "fault (write side)";
    case DT_ST_BADCMD: return "refused";
    default: return "?";
    }
}

/* Print "what: <status>" and check it. */
SM_FN void expect_status(const char *what, uint32_t st, uint32_t want)
{
    rt_printf("  %s: %s\n", what, dt_status_str(st));
    check(st == want, "DMA status");
}

/* ---- bring-up --------------------------------------------------------------------------- */
/* The stream table in use (linear: the STEs; 2-level: the L1 descriptors). */
static uint64_t strtab;
static unsigned strtab_log2, strtab_split;

/* Linear stream table of 2^log2 STEs. */
SM_FN void strtab_linear(unsigned log2)
{
    strtab_log2 = log2;
    strtab_split = 0;
    uint64_t size = 64UL << log2;
    strtab = sm_alloc(size, size < 64 ? 64 : size);
    smmu_w64(SMMU_STRTAB_BASE, strtab | Q_BASE_ALLOC);
    smmu_w32(SMMU_STRTAB_BASE_CFG, STRTAB_FMT_LINEAR | log2);
}

SM_FN uint64_t ste_addr(uint32_t sid) { return strtab + 64UL * sid; }

/* 2-level stream table: 2^log2 StreamIDs, SPLIT = split (L1 descriptors of
 * 8 bytes, each pointing at a table of up to 2^split STEs). */
SM_FN void strtab_2lvl(unsigned log2, unsigned split)
{
    strtab_log2 = log2;
    strtab_split = split;
    uint64_t size = 8UL << (log2 - split);
    strtab = sm_alloc(size, size < 64 ? 64 : size);
    smmu_w64(SMMU_STRTAB_BASE, strtab | Q_BASE_ALLOC);
    smmu_w32(SMMU_STRTAB_BASE_CFG, STRTAB_FMT_2LVL | STRTAB_SPLIT(split) | log2);
}

/* L1STD (5.1): L2Ptr[55:6], Span[4:0]: the level-2 table holds 2^(Span-1) STEs. */
SM_FN void strtab_l1_set(unsigned l1, uint64_t l2, unsigned span)
{
    *(volatile uint64_t *)(strtab + 8UL * l1) = (l2 & 0x00ffffffffffffc0UL) | span;
    dsb();
}

/* Command queue (2^cmd_log2 entries), event queue (2^evt_log2), interrupts
 * (IRQ_CTRL = irqs), CR2 = cr2; then CMDQEN, CFGI_ALL + TLBI_NSNH_ALL + SYNC,
 * EVENTQEN, SMMUEN (when smmuen). The stream table must be set up before. */
SM_FN void smmu_enable(unsigned cmd_log2, unsigned evt_log2, uint32_t irqs, uint32_t cr2, int smmuen)
{
    smmu_cr0(0);
    smmu_w32(SMMU_CR1, CR1_WB_ISH);
    smmu_w32(SMMU_CR2, cr2);
    cmdq = (struct smmu_queue){ .log2 = cmd_log2, .esize = 16 };
    cmdq.base = sm_alloc(16UL << cmd_log2, 16UL << cmd_log2 < 32 ? 32 : 16UL << cmd_log2);
    smmu_w64(SMMU_CMDQ_BASE, cmdq.base | Q_BASE_ALLOC | cmd_log2);
    smmu_w32(SMMU_CMDQ_PROD, 0);
    smmu_w32(SMMU_CMDQ_CONS, 0);
    evtq = (struct smmu_queue){ .log2 = evt_log2, .esize = 32 };
    evtq.base = sm_alloc(32UL << evt_log2, 32UL << evt_log2);
    smmu_w64(SMMU_EVENTQ_BASE, evtq.base | Q_BASE_ALLOC | evt_log2);
    smmu_w32(SMMU_EVENTQ_PROD, 0);
    smmu_w32(SMMU_EVENTQ_CONS, 0);
    if (smmu_cr0(CR0_CMDQEN))
        check(0, "CR0ACK.CMDQEN");
    cmd_cfgi_all();
    cmd_tlbi_nsnh_all();
    if (smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN))
        check(0, "CR0ACK.EVENTQEN");
    smmu_w32(SMMU_IRQ_CTRL, irqs);
    if (!SPIN_UNTIL(smmu_r32(SMMU_IRQ_CTRLACK) == irqs, 100000))
        check(0, "IRQ_CTRLACK");
    if (smmuen && smmu_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN))
        check(0, "CR0ACK.SMMUEN");
}

/* ---- data pages ----------------------------------------------------------------------- */
/* Page n of the data region (RAM_FREE1 onwards), its doublewords filled with tag*0x0101.. */
#define DATA_PAGE(n) (RAM_FREE1 + PAGE_SIZE * (n))
SM_FN void page_fill(uint64_t pa, uint8_t tag)
{
    for (uint64_t o = 0; o < PAGE_SIZE; o += 8)
        *(volatile uint64_t *)(pa + o) = 0x0101010101010101UL * tag;
}
SM_FN uint64_t rd64(uint64_t pa) { return *(volatile uint64_t *)pa; }

/* The end of a test: the verdict and the exit status. */
__attribute__((noreturn)) SM_FN void smmu_test_end(void)
{
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    rt_exit(failures ? 1 : 0);
}

#endif
