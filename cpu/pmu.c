/* PMUv3 (see pmu.h). The counting rules follow the Arm ARM pseudocode of
 * the Performance Monitors: PMUCounterIsEnabled / CountEvents (which counter
 * counts: PMCR_EL0.E or MDCR_EL2.HPME by HPMN partition, PMCNTENSET), the
 * PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filters per EL, PMUOverflowCondition and
 * CheckForPMUOverflow (PMUIRQ), PMSWINC_EL0 and CHAIN. */
#include "cpu/pmu.h"
#include <string.h>

#define CYC PMU_NUM_COUNTERS                /* index of the cycle counter in c[] */
#define EVTYPER_P   (1u << 31)
#define EVTYPER_U   (1u << 30)
#define EVTYPER_NSH (1u << 27)
/* Writable: P, U, NSH and a 10-bit event number (PMUv3 for Armv8.0). NSK, NSU
 * and M are RES0: this PE has no EL3. */
#define EVTYPER_MASK (EVTYPER_P | EVTYPER_U | EVTYPER_NSH | 0x3ffu)
#define CCFILTR_MASK (EVTYPER_P | EVTYPER_U | EVTYPER_NSH)
#define PMCR_WRITABLE (PMCR_E | PMCR_D | PMCR_X | PMCR_DP | PMCR_LC)

/* The events PMCEID0_EL0 advertises (bit n: event n), PMCEID1_EL0 (bit n: event 32 + n). */
static const uint8_t counted_events[] = {
    PMU_EV_SW_INCR, PMU_EV_L1I_TLB_REFILL, PMU_EV_L1D_TLB_REFILL, PMU_EV_INST_RETIRED,
    PMU_EV_EXC_TAKEN, PMU_EV_EXC_RETURN, PMU_EV_CPU_CYCLES, PMU_EV_BUS_CYCLES, PMU_EV_CHAIN,
    PMU_EV_L2D_TLB_REFILL,
};

uint64_t pmu_ceid(unsigned which)
{
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof counted_events; i++)
        if (counted_events[i] / 32 == which)
            v |= 1ULL << (counted_events[i] % 32);
    return v;
}

static enum pmu_source source_of(unsigned event, unsigned n)
{
    switch (event) {
    case PMU_EV_SW_INCR: return PMU_SRC_SW_INCR;
    case PMU_EV_L1I_TLB_REFILL: return PMU_SRC_L1I_TLB_REFILL;
    case PMU_EV_L1D_TLB_REFILL: return PMU_SRC_L1D_TLB_REFILL;
    case PMU_EV_INST_RETIRED: return PMU_SRC_INSNS;
    case PMU_EV_EXC_TAKEN: return PMU_SRC_EXC_TAKEN;
    case PMU_EV_EXC_RETURN: return PMU_SRC_EXC_RETURN;
    case PMU_EV_CPU_CYCLES:
    case PMU_EV_BUS_CYCLES: return PMU_SRC_CYCLES;    /* the bus runs at the CPU clock here */
    case PMU_EV_CHAIN: return (n & 1) ? PMU_SRC_CHAIN : PMU_SRC_NONE;   /* even counters: no event */
    case PMU_EV_L2D_TLB_REFILL: return PMU_SRC_L2D_TLB_REFILL;
    default: return PMU_SRC_NONE;
    }
}

static uint64_t active_cycles(const struct pmu *p) { return *p->cycles - *p->idle_cycles; }

/* The source total over the ELs in mask. */
static uint64_t total(const struct pmu *p, unsigned src, unsigned els)
{
    uint64_t t = 0;
    for (unsigned el = 0; el < 3; el++) {
        if (!(els & (1u << el)))
            continue;
        if (src < PMU_SRC_COUNTED)
            t += p->counted[src][el];
        else if (src == PMU_SRC_CYCLES)
            t += p->cycles_at_el[el] + (el == p->cur_el ? active_cycles(p) - p->stay_start : 0);
        else if (src == PMU_SRC_INSNS)
            t += p->insns_by_el[el];
    }
    return t;
}

static bool live_source(unsigned src) { return src <= PMU_SRC_INSNS; }

unsigned pmu_hpmn(const struct pmu *p)
{
    if (!p->el2_implemented)
        return PMU_NUM_COUNTERS;
    unsigned h = p->mdcr & MDCR_HPMN_MASK;
    return h > PMU_NUM_COUNTERS ? PMU_NUM_COUNTERS : h;
}

/* Which ELs a filter (PMEVTYPER<n>_EL0 or PMCCFILTR_EL0) counts, for a
 * Non-secure PE without EL3: P excludes EL1, U excludes EL0, NSH includes EL2. */
static unsigned filter_els(uint32_t f)
{
    unsigned els = 0;
    if (!(f & EVTYPER_U))
        els |= 1u << 0;
    if (!(f & EVTYPER_P))
        els |= 1u << 1;
    if (f & EVTYPER_NSH)
        els |= 1u << 2;
    return els;
}

/* PMUCounterIsEnabled: counters below HPMN follow PMCR_EL0.E, the others MDCR_EL2.HPME. */
static bool globally_enabled(const struct pmu *p, unsigned i)
{
    if (i == CYC || i < pmu_hpmn(p))
        return (p->pmcr & PMCR_E) != 0;
    return (p->mdcr & MDCR_HPME) != 0;
}

static unsigned set_bit(unsigned i) { return i == CYC ? PMU_CYCLE : i; }

/* The configuration of counter i from the registers; its snapshot starts now. */
static void configure(struct pmu *p, unsigned i)
{
    struct pmu_counter *c = &p->c[i];
    c->counting = globally_enabled(p, i) && (p->cnten & (1u << set_bit(i)));
    if (i == CYC) {
        c->src = PMU_SRC_CYCLES;
        c->els = (uint8_t)filter_els(p->ccfiltr);
    } else {
        c->src = (uint8_t)source_of(p->evtyper[i] & 0x3ff, i);
        c->els = (uint8_t)filter_els(p->evtyper[i]);
    }
    c->snap = live_source(c->src) ? total(p, c->src, c->els) : 0;
}

static void configure_all(struct pmu *p)
{
    for (unsigned i = 0; i <= CYC; i++)
        configure(p, i);
}

/* Adds n events to counter i; returns how many times it overflowed
 * (PMUOverflowCondition: bit 31 of an event counter, bit 31 or bit 63 of the
 * cycle counter by PMCR_EL0.LC). */
static uint64_t advance(struct pmu *p, unsigned i, uint64_t n)
{
    struct pmu_counter *c = &p->c[i];
    uint64_t wraps;
    if (i == CYC) {
        if (p->pmcr & PMCR_D) {           /* count every 64th cycle */
            n += c->div;
            c->div = (uint8_t)(n % 64);
            n /= 64;
        }
        uint64_t old = c->value;
        c->value += n;
        if (p->pmcr & PMCR_LC)
            wraps = c->value < old || n == UINT64_MAX ? 1 : 0;
        else
            wraps = ((old & 0xffffffffULL) + n) >> 32;
    } else {
        uint64_t v = c->value + n;
        wraps = v >> 32;
        c->value = v & 0xffffffffULL;
    }
    if (wraps)
        p->ovs |= 1u << set_bit(i);
    return wraps;
}

static void update_irq(struct pmu *p)
{
    /* CheckForPMUOverflow. */
    bool irq = false;
    for (unsigned i = 0; i <= CYC; i++) {
        unsigned b = set_bit(i);
        if (globally_enabled(p, i) && (p->inten & (1u << b)) && (p->ovs & (1u << b)))
            irq = true;
    }
    if (irq != p->irq_level) {
        p->irq_level = irq;
        if (p->set_irq)
            p->set_irq(p->irq_opaque, irq);
    }
}

/* Brings counter values up to date (without touching the interrupt). */
static void catch_up(struct pmu *p)
{
    for (unsigned i = 0; i <= CYC; i++) {
        struct pmu_counter *c = &p->c[i];
        if (!live_source(c->src))
            continue;
        uint64_t t = total(p, c->src, c->els);
        /* A source can go back: instructions of a block that did not retire
         * (an exception in its middle) are taken back. They were not counted twice. */
        uint64_t n = t > c->snap ? t - c->snap : 0;
        c->snap = t;
        if (!c->counting || !n)
            continue;
        uint64_t wraps = advance(p, i, n);
        /* CHAIN: the odd counter above counts the even counter's overflows. */
        if (wraps && !(i & 1) && i + 1 < CYC && p->c[i + 1].counting && p->c[i + 1].src == PMU_SRC_CHAIN)
            advance(p, i + 1, wraps);
    }
}

void pmu_update(struct pmu *p)
{
    catch_up(p);
    update_irq(p);
}

uint64_t pmu_next_check(const struct pmu *p)
{
    uint64_t soonest = UINT64_MAX;
    for (unsigned i = 0; i <= CYC; i++) {
        const struct pmu_counter *c = &p->c[i];
        unsigned b = set_bit(i);
        if (!c->counting || !live_source(c->src) || !(p->inten & (1u << b)) || (p->ovs & (1u << b)))
            continue;
        uint64_t left;
        if (i == CYC) {
            left = (p->pmcr & PMCR_LC) ? -c->value : (1ULL << 32) - (c->value & 0xffffffffULL);
            if (p->pmcr & PMCR_D)
                left = left > (UINT64_MAX >> 7) ? UINT64_MAX : left * 64 - c->div;
        } else {
            left = (1ULL << 32) - c->value;
        }
        /* Every event counted takes at least one cycle: no overflow before `left` active cycles. */
        if (left < soonest)
            soonest = left;
    }
    if (soonest == UINT64_MAX)
        return UINT64_MAX;
    uint64_t at = *p->cycles + soonest;
    return at < *p->cycles ? UINT64_MAX : at;
}

void pmu_init(struct pmu *p, const uint64_t *cycles, const uint64_t *idle_cycles,
              const uint64_t *insns_by_el, bool el2_implemented,
              void (*set_irq)(void *opaque, bool level), void *irq_opaque)
{
    memset(p, 0, sizeof *p);
    p->cycles = cycles;
    p->idle_cycles = idle_cycles;
    p->insns_by_el = insns_by_el;
    p->el2_implemented = el2_implemented;
    p->set_irq = set_irq;
    p->irq_opaque = irq_opaque;
}

void pmu_reset(struct pmu *p, unsigned el)
{
    /* Reset values: PMCR_EL0 E, D, X, DP, LC and the sets are 0 (the Cortex-A57
     * resets them to 0; the Arm ARM leaves most UNKNOWN); MDCR_EL2.HPMN = N. */
    p->pmcr = 0;
    p->cnten = p->inten = p->ovs = 0;
    p->selr = p->userenr = p->ccfiltr = 0;
    memset(p->evtyper, 0, sizeof p->evtyper);
    p->mdcr = PMU_NUM_COUNTERS;
    for (unsigned i = 0; i <= CYC; i++)
        p->c[i] = (struct pmu_counter){ 0 };
    memset(p->cycles_at_el, 0, sizeof p->cycles_at_el);
    p->cur_el = el;
    p->stay_start = active_cycles(p);
    configure_all(p);
    update_irq(p);
}

void pmu_el_changed(struct pmu *p, unsigned new_el)
{
    if (new_el == p->cur_el)
        return;
    uint64_t now = active_cycles(p);
    p->cycles_at_el[p->cur_el] += now - p->stay_start;
    p->stay_start = now;
    p->cur_el = new_el;
}

/* Bits of the set/clear registers an access may see: below HPMN and the
 * cycle counter from EL0/EL1, all from EL2. */
static uint32_t visible(const struct pmu *p, bool lower)
{
    unsigned n = lower ? pmu_hpmn(p) : PMU_NUM_COUNTERS;
    return (uint32_t)((1ULL << n) - 1) | (1u << PMU_CYCLE);
}

uint32_t pmu_read_pmcr(struct pmu *p, bool lower)
{
    unsigned n = lower ? pmu_hpmn(p) : PMU_NUM_COUNTERS;
    return (PMCR_A57_RESET & ~(0x1fu << PMCR_N_SHIFT)) | (n << PMCR_N_SHIFT) | (p->pmcr & PMCR_WRITABLE);
}

void pmu_write_pmcr(struct pmu *p, uint32_t v, bool lower)
{
    catch_up(p);
    if (v & PMCR_P) {
        /* Event counters reset: from EL0/EL1 only those below HPMN. */
        unsigned n = lower ? pmu_hpmn(p) : PMU_NUM_COUNTERS;
        for (unsigned i = 0; i < n; i++)
            p->c[i].value = 0;
    }
    if (v & PMCR_C) {
        p->c[CYC].value = 0;
        p->c[CYC].div = 0;
    }
    p->pmcr = v & PMCR_WRITABLE;
    configure_all(p);
    update_irq(p);
}

static uint32_t *set_reg(struct pmu *p, enum pmu_set_reg r)
{
    return r == PMU_CNTEN ? &p->cnten : r == PMU_INTEN ? &p->inten : &p->ovs;
}

uint32_t pmu_read_set(struct pmu *p, enum pmu_set_reg r, bool lower)
{
    if (r == PMU_OVS)
        catch_up(p);
    return *set_reg(p, r) & visible(p, lower);
}

void pmu_write_set(struct pmu *p, enum pmu_set_reg r, uint32_t bits, bool set, bool lower)
{
    catch_up(p);
    bits &= visible(p, lower);
    if (set)
        *set_reg(p, r) |= bits;
    else
        *set_reg(p, r) &= ~bits;
    configure_all(p);
    update_irq(p);
}

void pmu_write_swinc(struct pmu *p, uint32_t bits, bool lower)
{
    /* PMSWINC_EL0: each enabled counter counting SW_INCR whose bit is set increments. */
    catch_up(p);
    bits &= visible(p, lower) & ~(1u << PMU_CYCLE);
    for (unsigned i = 0; i < PMU_NUM_COUNTERS; i++) {
        if (!(bits & (1u << i)) || !p->c[i].counting || p->c[i].src != PMU_SRC_SW_INCR)
            continue;
        if (advance(p, i, 1) && !(i & 1) && p->c[i + 1].counting && p->c[i + 1].src == PMU_SRC_CHAIN)
            advance(p, i + 1, 1);
    }
    update_irq(p);
}

static unsigned index_of(unsigned n) { return n == PMU_CYCLE ? CYC : n; }

uint64_t pmu_read_counter(struct pmu *p, unsigned n)
{
    catch_up(p);
    update_irq(p);
    return p->c[index_of(n)].value;
}

void pmu_write_counter(struct pmu *p, unsigned n, uint64_t v)
{
    catch_up(p);
    unsigned i = index_of(n);
    p->c[i].value = i == CYC ? v : v & 0xffffffffULL;
    update_irq(p);
}

uint32_t pmu_read_type(const struct pmu *p, unsigned n)
{
    return n == PMU_CYCLE ? p->ccfiltr : p->evtyper[n];
}

void pmu_write_type(struct pmu *p, unsigned n, uint32_t v)
{
    catch_up(p);
    if (n == PMU_CYCLE)
        p->ccfiltr = v & CCFILTR_MASK;
    else
        p->evtyper[n] = v & EVTYPER_MASK;
    configure_all(p);
    update_irq(p);
}

void pmu_write_mdcr(struct pmu *p, uint32_t mdcr)
{
    catch_up(p);
    p->mdcr = mdcr;
    configure_all(p);
    update_irq(p);
}
