/* The Performance Monitors Extension of one PE: PMUv3 for Armv8.0 as a
 * Cortex-A57 has it (Arm ARM, "The Performance Monitors Extension"; Cortex-A57
 * TRM, "Performance Monitor Unit"): six 32-bit event counters, the 64-bit
 * cycle counter, their enable, overflow and interrupt-enable sets, event
 * filtering by Exception level (PMEVTYPER<n>_EL0 and PMCCFILTR_EL0: P, U,
 * NSH), the EL2 partition of the counters (MDCR_EL2.HPMN, HPME), CHAIN and
 * the software increment, and the overflow interrupt (PMUIRQ, a PPI: 23 on
 * QEMU's virt board).
 *
 * Counting is lazy: the PE keeps running totals per Exception level (cycles
 * and instructions it has anyway; exceptions, exception returns and TLB
 * refills it reports with pmu_count()), and a counter's value is computed
 * from the totals of the ELs it counts when it is read. The cycle counter and
 * CPU_CYCLES count active cycles: as on the Cortex-A57, they stop while the
 * PE waits in WFI or WFE (the time avsim skips as idle). An overflow is found
 * when a counter is brought up to date: at every register access, and at the
 * time pmu_next_check() names, the earliest at which an enabled counter with
 * its interrupt enabled could overflow (every counted event takes at least a
 * cycle). */
#ifndef AVSIM_CPU_PMU_H
#define AVSIM_CPU_PMU_H
#include <stdbool.h>
#include <stdint.h>

#define PMU_NUM_COUNTERS 6        /* PMCR_EL0.N of a Cortex-A57 */
#define PMU_CYCLE 31              /* the cycle counter's bit in the set/clear registers */
#define PMU_PPI 7                 /* QEMU's virt board: VIRTUAL_PMU_IRQ, INTID 23 */

/* PMCR_EL0 fields. */
#define PMCR_E  (1u << 0)
#define PMCR_P  (1u << 1)
#define PMCR_C  (1u << 2)
#define PMCR_D  (1u << 3)
#define PMCR_X  (1u << 4)
#define PMCR_DP (1u << 5)
#define PMCR_LC (1u << 6)
#define PMCR_N_SHIFT 11
/* IMP 0x41 (Arm), IDCODE 0x01 (Cortex-A57), N = 6: the reset value of a Cortex-A57 (and QEMU's). */
#define PMCR_A57_RESET 0x41013000u

/* MDCR_EL2 fields the PMU follows. */
#define MDCR_HPMN_MASK 0x1fu
#define MDCR_TPMCR (1u << 5)
#define MDCR_TPM   (1u << 6)
#define MDCR_HPME  (1u << 7)

/* PMUSERENR_EL0 fields. */
#define PMUSERENR_EN (1u << 0)
#define PMUSERENR_SW (1u << 1)
#define PMUSERENR_CR (1u << 2)
#define PMUSERENR_ER (1u << 3)

/* Common architectural and microarchitectural events this model counts. */
enum pmu_event {
    PMU_EV_SW_INCR = 0x00,
    PMU_EV_L1I_TLB_REFILL = 0x02,
    PMU_EV_L1D_TLB_REFILL = 0x05,
    PMU_EV_INST_RETIRED = 0x08,
    PMU_EV_EXC_TAKEN = 0x09,
    PMU_EV_EXC_RETURN = 0x0a,
    PMU_EV_CPU_CYCLES = 0x11,
    PMU_EV_BUS_CYCLES = 0x1d,
    PMU_EV_CHAIN = 0x1e,
    PMU_EV_L2D_TLB_REFILL = 0x2d,
};

/* What the PE counts per Exception level and reports with pmu_count(). */
enum pmu_source {
    PMU_SRC_EXC_TAKEN,        /* attributed to the EL the exception was taken from */
    PMU_SRC_EXC_RETURN,       /* to the EL that executed the ERET */
    PMU_SRC_L1I_TLB_REFILL,
    PMU_SRC_L1D_TLB_REFILL,
    PMU_SRC_L2D_TLB_REFILL,   /* a walk: the TLB model's L2 was refilled */
    PMU_SRC_COUNTED,
    PMU_SRC_CYCLES = PMU_SRC_COUNTED,   /* live: active cycles, tracked per EL by the PMU */
    PMU_SRC_INSNS,                      /* live: the PE's instructions per EL */
    PMU_SRC_NONE,                       /* an event this model does not count */
    PMU_SRC_SW_INCR,                    /* PMSWINC_EL0 */
    PMU_SRC_CHAIN,                      /* overflows of the even counter below */
};

struct pmu_counter {
    uint64_t value;           /* 32 bits for event counters, 64 for the cycle counter */
    uint64_t snap;            /* the source total (of the counted ELs) at the last update */
    uint8_t src;              /* enum pmu_source */
    uint8_t els;              /* bit e: counts at ELe */
    bool counting;
    uint8_t div;              /* cycle counter with PMCR_EL0.D: cycles not yet counted (0-63) */
};

struct pmu {
    /* Registers (the cycle counter is counter index PMU_NUM_COUNTERS). */
    uint32_t pmcr;            /* D, X, DP, LC (E, P and C act at the write) and E */
    uint32_t cnten, inten, ovs;   /* bit n: event counter n; bit 31: the cycle counter */
    uint32_t selr, userenr;
    uint32_t evtyper[PMU_NUM_COUNTERS];
    uint32_t ccfiltr;
    uint32_t mdcr;            /* MDCR_EL2 (HPMN, HPME); HPMN = N when EL2 is not implemented */
    bool el2_implemented;
    struct pmu_counter c[PMU_NUM_COUNTERS + 1];

    /* Event sources. */
    uint64_t counted[PMU_SRC_COUNTED][3];   /* by pmu_count() */
    const uint64_t *cycles, *idle_cycles;   /* the PE's clock and the time it spent waiting */
    const uint64_t *insns_by_el;            /* [3] */
    uint64_t cycles_at_el[3];               /* active cycles at each EL before the current stay */
    uint64_t stay_start;                    /* active cycles when the current EL was entered */
    unsigned cur_el;

    /* Output: PMUIRQ, a level. */
    void (*set_irq)(void *opaque, bool level);
    void *irq_opaque;
    bool irq_level;
};

/* Sets up a PMU counting from the PE's clock (cycles, idle_cycles) and its
 * instruction counts per EL; set_irq drives the overflow interrupt. */
void pmu_init(struct pmu *p, const uint64_t *cycles, const uint64_t *idle_cycles,
              const uint64_t *insns_by_el, bool el2_implemented,
              void (*set_irq)(void *opaque, bool level), void *irq_opaque);
/* Architectural reset (the PE's reset, el = the EL it starts in). */
void pmu_reset(struct pmu *p, unsigned el);

/* The PE changed Exception level (exception entry, ERET). */
void pmu_el_changed(struct pmu *p, unsigned new_el);
/* n events of a counted source at EL el. */
static inline void pmu_count(struct pmu *p, enum pmu_source s, unsigned el, uint64_t n)
{
    p->counted[s][el] += n;
}

/* Brings every counter up to date, sets overflow flags and the interrupt. */
void pmu_update(struct pmu *p);
/* The clock value (in the PE's cycles) at which pmu_update() must run next
 * so that an overflow interrupt is not late: UINT64_MAX when none can come. */
uint64_t pmu_next_check(const struct pmu *p);

/* The event counters EL0 and EL1 may use: MDCR_EL2.HPMN (N without EL2). */
unsigned pmu_hpmn(const struct pmu *p);
/* Registers. The counter-indexed ones take n < PMU_NUM_COUNTERS or PMU_CYCLE
 * for the cycle counter; `lower` says the access comes from EL0/EL1, for
 * which counters at or above HPMN read as zero and ignore writes in the set
 * and clear registers, and PMCR_EL0.N reads as HPMN. */
uint32_t pmu_read_pmcr(struct pmu *p, bool lower);
void pmu_write_pmcr(struct pmu *p, uint32_t v, bool lower);
enum pmu_set_reg { PMU_CNTEN, PMU_INTEN, PMU_OVS };
uint32_t pmu_read_set(struct pmu *p, enum pmu_set_reg r, bool lower);
void pmu_write_set(struct pmu *p, enum pmu_set_reg r, uint32_t bits, bool set, bool lower);
void pmu_write_swinc(struct pmu *p, uint32_t bits, bool lower);
uint64_t pmu_read_counter(struct pmu *p, unsigned n);
void pmu_write_counter(struct pmu *p, unsigned n, uint64_t v);
uint32_t pmu_read_type(const struct pmu *p, unsigned n);
void pmu_write_type(struct pmu *p, unsigned n, uint32_t v);
/* MDCR_EL2 was written (HPMN, HPME change what counts). */
void pmu_write_mdcr(struct pmu *p, uint32_t mdcr);
/* PMCEID0_EL0 / PMCEID1_EL0: the common events this model counts. */
uint64_t pmu_ceid(unsigned which);

#endif
