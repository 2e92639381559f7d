/* The SMMUv3's register file, reset and statistics (IHI 0070, "Memory map and
 * registers"). The registers are a table: name, offset, width, the state they
 * read and the handler a write goes to. Everything hangs off struct smmu. */
#include "smmu/smmu_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SMMU's TLB: 32 fully associative L1 entries (the SMMU has no
 * instruction side of its own: InD transactions use the L1I array), a 512-entry
 * 4-way L2 and a 128-entry walk cache (stage-2-only translations of a
 * Config = S2 stream live there as well, see smmu_xlate.c). */
const struct tlb_config smmu_default_tlb = {
    .l1i = { .entries = 16, .ways = 16, .repl = TLB_REPL_LRU },
    .l1d = { .entries = 32, .ways = 32, .repl = TLB_REPL_LRU },
    .l2 = { .entries = 512, .ways = 4, .repl = TLB_REPL_LRU },
    .walk_cache_entries = 128,
    .l2_hit_cycles = 8,
    .walk_access_cycles = 20,
};

void smmu_config_defaults(struct smmu_config *c)
{
    memset(c, 0, sizeof *c);
    c->sid_bits = 16;
    c->ssid_bits = 0;
    c->oas_bits = 40;
    c->tlb = smmu_default_tlb;
    c->cfg_cache_entries = 64;
}

static int oas_field(unsigned bits)
{
    static const unsigned enc[] = { 32, 36, 40, 42, 44, 48 };
    for (int i = 0; i < 6; i++)
        if (enc[i] == bits)
            return i;
    return -1;
}

/* ---- ID registers --------------------------------------------------------------------- */

/* What a Linux 6.1 arm-smmu-v3 driver (arm_smmu_device_hw_probe) accepts and
 * what the model implements; smmu/README.md lists it. */
static void build_idrs(struct smmu *s)
{
    const struct smmu_config *c = &s->cfg;
    bool s1 = !c->no_stage1, s2 = !c->no_stage2;
    uint32_t idr0 = IDR0_TTF_AARCH64 | IDR0_COHACC | IDR0_ASID16 | IDR0_TTENDIAN_LE | IDR0_STALL_MODEL_NONE |
                    IDR0_ST_LVL_2;
    if (s1)
        idr0 |= IDR0_S1P | IDR0_HYP | IDR0_CD2L;   /* EL2 StreamWorlds translate at stage 1 */
    if (s2)
        idr0 |= IDR0_S2P | IDR0_VMID16;
    s->idr[0] = idr0;
    s->idr[1] = (c->sid_bits << IDR1_SIDSIZE_SHIFT) | (c->ssid_bits << IDR1_SSIDSIZE_SHIFT) |
                ((uint32_t)SMMU_EVENTQS << IDR1_EVENTQS_SHIFT) | ((uint32_t)SMMU_CMDQS << IDR1_CMDQS_SHIFT) |
                IDR1_ATTR_PERMS_OVR;
    s->idr[2] = 0;            /* no VATOS */
    s->idr[3] = 0;            /* RIL = 0 (no range invalidation), HAD = 0, no FWB, no STT */
    s->idr[4] = 0;            /* IMPLEMENTATION DEFINED: nothing */
    s->idr[5] = (uint32_t)oas_field(c->oas_bits) | IDR5_GRAN4K | IDR5_GRAN16K | IDR5_GRAN64K;
    s->iidr = 0;              /* not an Arm implementation: no errata workarounds apply */
    s->aidr = 0;              /* SMMUv3.0 */
}

/* ---- helpers shared with the other files ---------------------------------------------- */

void smmu_when(const struct smmu *s, struct event *ev)
{
    ev->pe = 0;
    ev->cycles = 0;
    if (s->bus.when)
        s->bus.when(s->bus.when_opaque, &ev->pe, &ev->cycles);
}

/* A global error becomes active: GERROR's bit toggles (so that it differs from
 * GERRORN) unless it is already active, and the gerror interrupt is pulsed
 * when IRQ_CTRL.GERROR_IRQEN (IHI 0070 "SMMU_GERROR"). */
void smmu_gerror_raise(struct smmu *s, uint32_t bit)
{
    if ((s->gerror ^ s->gerrorn) & bit)
        return;               /* already active: nothing new to signal */
    s->gerror ^= bit;
    s->stats.gerrors++;
    if (s->irq_ctrl & IRQ_CTRL_GERROR_IRQEN)
        irq_line_pulse(&s->bus.irq[SMMU_IRQ_GERROR]);
}

struct smmu_sid_stats *smmu_sid_stats_for(struct smmu *s, uint32_t sid)
{
    unsigned lo = 0, hi = s->n_sid_stats;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (s->sid_stats[mid].sid == sid)
            return &s->sid_stats[mid];
        if (s->sid_stats[mid].sid < sid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n_sid_stats == s->cap_sid_stats) {
        unsigned cap = s->cap_sid_stats ? s->cap_sid_stats * 2 : 8;
        struct smmu_sid_stats *n = realloc(s->sid_stats, cap * sizeof *n);
        if (!n)
            return NULL;
        s->sid_stats = n;
        s->cap_sid_stats = cap;
    }
    memmove(&s->sid_stats[lo + 1], &s->sid_stats[lo], (s->n_sid_stats - lo) * sizeof *s->sid_stats);
    memset(&s->sid_stats[lo], 0, sizeof *s->sid_stats);
    s->sid_stats[lo].sid = sid;
    s->n_sid_stats++;
    return &s->sid_stats[lo];
}

/* ---- register writes ------------------------------------------------------------------ */

static uint32_t queue_index_mask(const struct smmu_queue *q)
{
    return (2u << smmu_queue_log2(q)) - 1;     /* the index and the wrap bit */
}

static void write_cr0(struct smmu *s, uint64_t v)
{
    /* PRIQEN, ATSCHK and VMW are RES0: no PRI, no ATS, no VMW. CR0ACK follows at once. */
    uint32_t old = s->cr0;
    s->cr0 = (uint32_t)v & (CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN);
    if (!(old & CR0_CMDQEN) && (s->cr0 & CR0_CMDQEN))
        smmu_cmdq_process(s);
}

static bool idle(const struct smmu *s)
{
    return !(s->cr0 & (CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN));
}

static void write_cr1(struct smmu *s, uint64_t v)
{
    /* CONSTRAINED UNPREDICTABLE when written with the SMMU or a queue enabled: the write is ignored. */
    if (idle(s))
        s->cr1 = (uint32_t)v & 0xfffu;
}

static void write_cr2(struct smmu *s, uint64_t v)
{
    /* E2H is RES0 without IDR0.HYP. Written with SMMUEN = 1 (CONSTRAINED
     * UNPREDICTABLE): ignored. */
    uint32_t mask = CR2_RECINVSID | CR2_PTM | ((s->idr[0] & IDR0_HYP) ? CR2_E2H : 0);
    if (!(s->cr0 & CR0_SMMUEN))
        s->cr2 = (uint32_t)v & mask;
}

static void write_gbpa(struct smmu *s, uint64_t v)
{
    /* The fields change only with a write that sets Update; the update completes at
     * once, so Update reads as 0. A write without Update leaves GBPA as it was. */
    if (v & GBPA_UPDATE)
        s->gbpa = (uint32_t)v & GBPA_FIELDS;
}

static void write_irq_ctrl(struct smmu *s, uint64_t v)
{
    s->irq_ctrl = (uint32_t)v & (IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVTQ_IRQEN);   /* no PRI */
}

static void write_gerrorn(struct smmu *s, uint64_t v)
{
    bool was_active = (s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR;
    s->gerrorn = (uint32_t)v & GERROR_BITS;
    /* Acknowledging CMDQ_ERR lets the command queue go on from CMDQ_CONS (the
     * failed command, which software may have replaced). */
    if (was_active && !((s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR))
        smmu_cmdq_process(s);
}

static void write_strtab_base(struct smmu *s, uint64_t v)
{
    if (!(s->cr0 & CR0_SMMUEN))               /* with SMMUEN = 1: ignored (CONSTRAINED UNPREDICTABLE) */
        s->strtab_base = v & STRTAB_BASE_MASK;
}

static void write_strtab_base_cfg(struct smmu *s, uint64_t v)
{
    if (!(s->cr0 & CR0_SMMUEN))
        s->strtab_base_cfg = (uint32_t)v & STRTAB_CFG_MASK;
}

static void write_cmdq_base(struct smmu *s, uint64_t v)
{
    if (!(s->cr0 & CR0_CMDQEN))               /* with CMDQEN = 1: ignored (CONSTRAINED UNPREDICTABLE) */
        s->cmdq.base = v & Q_BASE_MASK;
}

static void write_cmdq_prod(struct smmu *s, uint64_t v)
{
    s->cmdq.prod = (uint32_t)v & queue_index_mask(&s->cmdq);
    smmu_cmdq_process(s);
}

static void write_cmdq_cons(struct smmu *s, uint64_t v)
{
    /* Software sets CONS while the queue is off; with CMDQEN = 1 the write is ignored. */
    if (!(s->cr0 & CR0_CMDQEN))
        s->cmdq.cons = (uint32_t)v & queue_index_mask(&s->cmdq);
}

static void write_evtq_base(struct smmu *s, uint64_t v)
{
    if (!(s->cr0 & CR0_EVTQEN))
        s->evtq.base = v & Q_BASE_MASK;
}

static void write_evtq_prod(struct smmu *s, uint64_t v)
{
    if (!(s->cr0 & CR0_EVTQEN))               /* the SMMU owns PROD while the queue is on */
        s->evtq.prod = (uint32_t)v & (queue_index_mask(&s->evtq) | Q_OVF);
}

static void write_evtq_cons(struct smmu *s, uint64_t v)
{
    s->evtq.cons = (uint32_t)v & (queue_index_mask(&s->evtq) | Q_OVF);
}

/* ---- the register table --------------------------------------------------------------- */

#define NO_STATE SIZE_MAX
#define F(x) offsetof(struct smmu, x)

static const struct smmu_reg {
    const char *name;
    uint32_t off;
    uint8_t width;            /* 4 or 8 bytes */
    size_t state;             /* offsetof the value in struct smmu; NO_STATE: reads as zero */
    void (*write)(struct smmu *s, uint64_t v);   /* NULL: read-only (writes ignored) */
} regs[] = {
    { "IDR0", SMMU_IDR0, 4, F(idr[0]), NULL },
    { "IDR1", SMMU_IDR1, 4, F(idr[1]), NULL },
    { "IDR2", SMMU_IDR2, 4, F(idr[2]), NULL },
    { "IDR3", SMMU_IDR3, 4, F(idr[3]), NULL },
    { "IDR4", SMMU_IDR4, 4, F(idr[4]), NULL },
    { "IDR5", SMMU_IDR5, 4, F(idr[5]), NULL },
    { "IIDR", SMMU_IIDR, 4, F(iidr), NULL },
    { "AIDR", SMMU_AIDR, 4, F(aidr), NULL },
    { "CR0", SMMU_CR0, 4, F(cr0), write_cr0 },
    { "CR0ACK", SMMU_CR0ACK, 4, F(cr0), NULL },              /* the update is immediate */
    { "CR1", SMMU_CR1, 4, F(cr1), write_cr1 },
    { "CR2", SMMU_CR2, 4, F(cr2), write_cr2 },
    { "STATUSR", SMMU_STATUSR, 4, NO_STATE, NULL },          /* never DORMANT */
    { "GBPA", SMMU_GBPA, 4, F(gbpa), write_gbpa },
    { "AGBPA", SMMU_AGBPA, 4, NO_STATE, NULL },              /* no alternate GBPA attributes */
    { "IRQ_CTRL", SMMU_IRQ_CTRL, 4, F(irq_ctrl), write_irq_ctrl },
    { "IRQ_CTRLACK", SMMU_IRQ_CTRLACK, 4, F(irq_ctrl), NULL },
    { "GERROR", SMMU_GERROR, 4, F(gerror), NULL },
    { "GERRORN", SMMU_GERRORN, 4, F(gerrorn), write_gerrorn },
    { "GERROR_IRQ_CFG0", SMMU_GERROR_IRQ_CFG0, 8, NO_STATE, NULL },   /* no MSIs: RES0 */
    { "GERROR_IRQ_CFG1", SMMU_GERROR_IRQ_CFG1, 4, NO_STATE, NULL },
    { "GERROR_IRQ_CFG2", SMMU_GERROR_IRQ_CFG2, 4, NO_STATE, NULL },
    { "STRTAB_BASE", SMMU_STRTAB_BASE, 8, F(strtab_base), write_strtab_base },
    { "STRTAB_BASE_CFG", SMMU_STRTAB_BASE_CFG, 4, F(strtab_base_cfg), write_strtab_base_cfg },
    { "CMDQ_BASE", SMMU_CMDQ_BASE, 8, F(cmdq.base), write_cmdq_base },
    { "CMDQ_PROD", SMMU_CMDQ_PROD, 4, F(cmdq.prod), write_cmdq_prod },
    { "CMDQ_CONS", SMMU_CMDQ_CONS, 4, F(cmdq.cons), write_cmdq_cons },
    { "EVTQ_BASE", SMMU_EVTQ_BASE, 8, F(evtq.base), write_evtq_base },
    /* Page 1's EVTQ_PROD/CONS (0x100a8/0x100ac) come here too, see find_reg(). */
    { "EVTQ_PROD", SMMU_EVTQ_PROD, 4, F(evtq.prod), write_evtq_prod },
    { "EVTQ_CONS", SMMU_EVTQ_CONS, 4, F(evtq.cons), write_evtq_cons },
    { "EVTQ_IRQ_CFG0", SMMU_EVTQ_IRQ_CFG0, 8, NO_STATE, NULL },
    { "EVTQ_IRQ_CFG1", SMMU_EVTQ_IRQ_CFG1, 4, NO_STATE, NULL },
    { "EVTQ_IRQ_CFG2", SMMU_EVTQ_IRQ_CFG2, 4, NO_STATE, NULL },
};

/* The register holding byte `off`, or NULL (RAZ/WI). Page 1 holds only
 * EVTQ_PROD/CONS (and the PRI queue's, absent): they are also accepted at their
 * page-0 offsets, as drivers for page-0-only implementations use them. */
static const struct smmu_reg *find_reg(uint64_t off)
{
    if (off >= SMMU_PAGE1) {
        off -= SMMU_PAGE1;
        if (off < SMMU_EVTQ_PROD || off >= SMMU_EVTQ_CONS + 4)
            return NULL;
    }
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (off >= regs[i].off && off < regs[i].off + regs[i].width)
            return &regs[i];
    return NULL;
}

static uint64_t reg_value(const struct smmu *s, const struct smmu_reg *r)
{
    if (r->state == NO_STATE)
        return 0;
    const char *p = (const char *)s + r->state;
    if (r->width == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint32_t read32(struct smmu *s, uint64_t off)
{
    const struct smmu_reg *r = find_reg(off);
    if (!r)
        return 0;
    unsigned shift = (unsigned)((off & ~(uint64_t)SMMU_PAGE1) - r->off) * 8;   /* the upper half of a 64-bit one */
    return (uint32_t)(reg_value(s, r) >> shift);
}

static void write32(struct smmu *s, uint64_t off, uint32_t v)
{
    const struct smmu_reg *r = find_reg(off);
    if (!r || !r->write)
        return;
    if (r->width == 4) {
        r->write(s, v);
        return;
    }
    /* A 32-bit write to one half of a 64-bit register. */
    uint64_t old = reg_value(s, r);
    bool high = (off & ~(uint64_t)SMMU_PAGE1) - r->off == 4;
    uint64_t nv = high ? (old & 0xffffffffULL) | ((uint64_t)v << 32) : (old & ~0xffffffffULL) | v;
    r->write(s, nv);
}

/* Access sizes (IHI 0070 "Register overview"): aligned 32-bit accesses to a 32-bit
 * register or either half of a 64-bit one, aligned 64-bit accesses to a 64-bit register.
 * Other sizes and misaligned accesses are illegal, and an illegal access, as a 64-bit one
 * to two adjacent 32-bit registers, is CONSTRAINED UNPREDICTABLE (RAZ/WI, an UNKNOWN
 * effect, or an abort). avsim picks what QEMU 7.2 does:
 *   - 8- and 16-bit accesses: terminated with an abort (the PE's synchronous External
 *     abort; smmu_mmio_read/write, called with them, are RAZ/WI);
 *   - a 64-bit access to two 32-bit registers (or a 32-bit one and a reserved word): RAZ/WI;
 *   - a misaligned access: the PE's Alignment fault comes first (Device memory); one that
 *     gets here (a direct call) is RAZ/WI. */
enum smmu_access smmu_mmio_access(const struct smmu *s, uint64_t off, unsigned size)
{
    (void)s;
    if (size < 4)
        return SMMU_ACCESS_ABORT;
    if (size == 4)
        return SMMU_ACCESS_OK;
    const struct smmu_reg *r = find_reg(off);
    return size == 8 && !(off & 7) && r && r->width == 8 ? SMMU_ACCESS_OK : SMMU_ACCESS_RAZ_WI;
}

uint64_t smmu_mmio_read(struct smmu *s, uint64_t off, unsigned size)
{
    if (off >= SMMU_MMIO_SIZE || (off & (size - 1)) || smmu_mmio_access(s, off, size) != SMMU_ACCESS_OK)
        return 0;
    if (size == 8)
        return reg_value(s, find_reg(off));
    return read32(s, off);
}

void smmu_mmio_write(struct smmu *s, uint64_t off, uint64_t value, unsigned size)
{
    if (off >= SMMU_MMIO_SIZE || (off & (size - 1)) || smmu_mmio_access(s, off, size) != SMMU_ACCESS_OK)
        return;
    if (size == 8) {
        const struct smmu_reg *r = find_reg(off);
        if (r->write)
            r->write(s, value);
        return;
    }
    write32(s, off, (uint32_t)value);
}

/* ---- life cycle ----------------------------------------------------------------------- */

static void drop_all_translations(struct smmu *s)
{
    struct tlbi_request r = { .op = TLBI_ALLE1 };
    tlbi(&s->tlb, &r);
    r.op = TLBI_ALLE2;
    tlbi(&s->tlb, &r);
}

void smmu_reset(struct smmu *s)
{
    s->cr0 = s->cr1 = s->cr2 = 0;
    s->gbpa = 0x1000;         /* SHCFG = 0b01 (use incoming), ABORT = 0: bypass before the driver runs */
    s->irq_ctrl = s->gerror = s->gerrorn = 0;
    s->strtab_base = 0;
    s->strtab_base_cfg = 0;
    s->cmdq.base = s->evtq.base = 0;
    s->cmdq.prod = s->cmdq.cons = s->evtq.prod = s->evtq.cons = 0;
    s->in_cmdq = false;
    drop_all_translations(s);
    memset(s->cfg_cache, 0, s->cfg.cfg_cache_entries * sizeof *s->cfg_cache);
}

struct smmu *smmu_create(const struct smmu_config *cfg, const struct smmu_bus *bus, char *err, size_t errlen)
{
    struct smmu_config c;
    if (cfg)
        c = *cfg;
    else
        smmu_config_defaults(&c);
    if (!c.sid_bits)
        c.sid_bits = 16;
    if (!c.oas_bits)
        c.oas_bits = 40;
    if (!c.cfg_cache_entries)
        c.cfg_cache_entries = 64;
    if (!c.tlb.l1d.entries)
        c.tlb = smmu_default_tlb;
    if (c.sid_bits > 32) {
        snprintf(err, errlen, "SMMU: StreamID size %u bits: at most 32", c.sid_bits);
        return NULL;
    }
    if (c.ssid_bits > 20) {
        snprintf(err, errlen, "SMMU: SubstreamID size %u bits: at most 20", c.ssid_bits);
        return NULL;
    }
    /* Up to the walker's PAMax (MMU_PA_BITS): a larger OAS would be reported but not honoured. */
    if (oas_field(c.oas_bits) < 0 || c.oas_bits > MMU_PA_BITS) {
        snprintf(err, errlen, "SMMU: output address size %u bits: one of 32, 36, 40", c.oas_bits);
        return NULL;
    }
    if (c.no_stage1 && c.no_stage2) {
        snprintf(err, errlen, "SMMU: at least one of stage 1 and stage 2 must be offered");
        return NULL;
    }
    if (c.cfg_cache_entries > 65536) {
        snprintf(err, errlen, "SMMU: %u configuration cache entries: at most 65536", c.cfg_cache_entries);
        return NULL;
    }
    if (!bus || !bus->mem.read || !bus->mem.write) {
        snprintf(err, errlen, "SMMU: no memory to reach");
        return NULL;
    }
    struct smmu *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "SMMU: out of memory");
        return NULL;
    }
    s->cfg = c;
    s->bus = *bus;
    s->cmdq.max_log2 = SMMU_CMDQS;
    s->cmdq.entry_bytes = 16;
    s->evtq.max_log2 = SMMU_EVENTQS;
    s->evtq.entry_bytes = 32;
    char terr[160];
    if (tlb_init(&s->tlb, &c.tlb, NULL, NULL, terr, sizeof terr) != 0) {
        snprintf(err, errlen, "SMMU TLB: %s", terr);
        free(s);
        return NULL;
    }
    s->cfg_cache = calloc(c.cfg_cache_entries, sizeof *s->cfg_cache);
    if (!s->cfg_cache) {
        snprintf(err, errlen, "SMMU: out of memory");
        tlb_destroy(&s->tlb);
        free(s);
        return NULL;
    }
    build_idrs(s);
    smmu_reset(s);
    return s;
}

void smmu_destroy(struct smmu *s)
{
    if (!s)
        return;
    tlb_destroy(&s->tlb);
    free(s->cfg_cache);
    free(s->sid_stats);
    free(s);
}

const struct smmu_stats *smmu_get_stats(const struct smmu *s)
{
    struct smmu *m = (struct smmu *)s;
    m->stats.tlb = s->tlb.stats;
    return &s->stats;
}

const struct smmu_sid_stats *smmu_get_sid_stats(const struct smmu *s, unsigned *count)
{
    *count = s->n_sid_stats;
    return s->sid_stats;
}
