/* The avsim machine: RAM, MMIO regions (a table), the PE, the event bus and
 * the run loop. Memory map in sim/memmap.h. */
#ifndef AVSIM_SIM_MACHINE_H
#define AVSIM_SIM_MACHINE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/pe.h"
#include "sim/boot.h"
#include "sim/dma.h"
#include "sim/events.h"
#include "sim/loader.h"
#include "sim/memmap.h"
#include "sim/pl011.h"
#include "sim/stats.h"
#include "gic/gic.h"
#include "sim/timeq.h"
#include "timer/gtimer.h"
#include "traces/recorder.h"

/* A virtio device of the command line (--drive, --virtio-rng, --virtio-console). */
enum machine_virtio_kind { MACHINE_VIRTIO_BLK, MACHINE_VIRTIO_RNG, MACHINE_VIRTIO_CONSOLE };
struct machine_virtio {
    enum machine_virtio_kind kind;
    const char *path;         /* BLK: the host file */
    bool read_only;           /* BLK: ",ro" */
    uint64_t seed;            /* RNG: the deterministic source's seed */
    bool input;               /* CONSOLE: the host's stdin is its input (the PL011 then has none) */
};

struct machine_config {
    const char *image;
    uint64_t ram_size;
    bool have_load_addr;
    uint64_t load_addr;
    const char *stats_file;
    FILE *trace_exceptions;   /* NULL: off */
    uint64_t max_insns;       /* 0: no limit */
    const struct cpu_model *cpu;   /* NULL: cortex-a57 */
    struct tlb_config tlb;    /* the TLB model (the CPU's default: *cpu->tlb) */
    enum gic_version gic;     /* GIC_V3 (default) */
    unsigned gic_lrs;         /* list registers per PE (1..16, default 4) */
    uint64_t counter_hz;      /* system counter frequency (CNTFRQ_EL0), default 62.5 MHz */
    const char *trace_file;   /* record a trace (traces/trace.h) here; NULL: off */
    uint32_t trace_classes;   /* 1 << TR_* */
    /* Boot (sim/boot.h). */
    const char *initrd;       /* --initrd: NULL none */
    const char *append;       /* --append: /chosen/bootargs; NULL none */
    const char *dtb;          /* --dtb: a device tree to use instead of the generated one */
    unsigned start_el;        /* 2 (default, also when 0): EL2h; 1: EL1h with no EL2 (PSCI via HVC) */
    unsigned smp;             /* processing elements, 1..MACHINE_MAX_PES (0: 1) */
    uint64_t quantum;         /* SMP round-robin time slice in CPU cycles (0: MACHINE_DEFAULT_QUANTUM) */
    /* I/O (issue 16). */
    bool no_smmu;             /* --smmu=off: no SMMU; devices DMA to physical memory directly */
    bool dma_test;            /* --dma-test-device: avsim's DMA test device at VIRT_DMATEST_BASE */
    /* The virtio devices in command-line order: the first goes to the
     * highest-addressed transport, as QEMU places -device virtio-*-device. */
    struct machine_virtio virtio[VIRT_MMIO_COUNT];
    unsigned n_virtio;
};

/* The transport (0..VIRT_MMIO_COUNT-1, its StreamID too) of the n-th virtio device. */
static inline unsigned machine_virtio_transport(unsigned n) { return VIRT_MMIO_COUNT - 1 - n; }

#define MACHINE_MAX_PES 8
#define MACHINE_DEFAULT_QUANTUM 20000

/* A PE's power state as the PSCI firmware sees it (DEN 0022 AFFINITY_INFO). A
 * PE in CPU_SUSPEND is ON. */
enum pe_power { PE_POWER_ON = 0, PE_POWER_OFF = 1 };

/* What a PE that waits (in_wfi) waits in: WFI, or PSCI CPU_SUSPEND (sim/psci.c)
 * in a standby state (as WFI, then the SMC returns SUCCESS) or in a power-down
 * state (its context is lost: it restarts at resume_entry when woken). */
enum pe_wait { PE_WAIT_WFI, PE_WAIT_STANDBY, PE_WAIT_POWERDOWN };
struct pe_resume {
    uint64_t entry, context_id;
    unsigned el;
};

/* What a device does with an access of some size (struct mmio_ops size_rule). */
enum mmio_size_rule {
    MMIO_SIZE_OK,             /* read/write see it (in pieces of at most 4 bytes: Unicorn's) */
    MMIO_SIZE_RAZ_WI,         /* it reads as zero, its write is ignored */
    MMIO_SIZE_ABORT,          /* the PE takes a synchronous External abort */
};

/* One handler signature for every device register block. */
struct mmio_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    /* Optional (absent: every size is taken): the fate of an aligned access of size bytes
     * (1, 2, 4 or 8: one register's, as the instruction makes it) at offset. */
    enum mmio_size_rule (*size_rule)(void *opaque, uint64_t offset, unsigned size);
};

struct mmio_region {
    const char *name;
    uint64_t base, size;
    const struct mmio_ops *ops;
    void *opaque;
    const char *why_not;      /* reserved but not modelled: accesses stop the run */
    struct machine *m;
};

#define MACHINE_MAX_REGIONS 16

enum machine_exit {
    MACHINE_EXIT_GUEST,       /* the guest exited (semihosting, PSCI SYSTEM_OFF) */
    MACHINE_EXIT_STOPPED,     /* avsim stopped the run (message printed) */
};

/* A debugger driving the run (frontend/gdbstub.c), all-stop: the machine
 * calls it before the first instruction and whenever a PE stops for it
 * (PE_STOP_DEBUG: a breakpoint, a step, an interrupt). Only one PE runs at a
 * time (round robin), so while the debugger holds the PE that stopped, the
 * whole machine is stopped. The debugger answers what to do next. */
enum machine_debug_action {
    MACHINE_DEBUG_RESUME,     /* run on: every PE continues, or one PE steps alone */
    MACHINE_DEBUG_DETACH,     /* run on without the debugger */
    MACHINE_DEBUG_KILL,       /* end the run */
};
struct machine_debug_request {
    enum machine_debug_action action;
    /* RESUME: NULL, every PE continues; a PE, it alone executes one instruction
     * (the others stay where they are) and the debugger is called again with it.
     * A PE that is off, or waits in WFI with nothing pending, cannot execute:
     * its step stops at once. */
    struct pe *step;
};
struct machine;
struct machine_debugger {
    /* pe: the PE that stopped (before the first instruction: PE 0). */
    struct machine_debug_request (*stopped)(void *opaque, struct machine *m, struct pe *pe);
    void (*exited)(void *opaque, struct machine *m, int status);   /* the run ends with status */
    void *opaque;
};

struct smmu;
struct virtio_mmio;
struct dmatest;

struct machine {
    struct machine_config cfg;
    uint8_t *ram;
    /* Bus masters: the SMMU and the DMA devices (sim/dma.h). */
    struct phys_mem phys;                   /* RAM as a bus master sees it */
    struct smmu *smmu;                      /* NULL: --smmu=off */
    struct virtio_mmio *virtio[VIRT_MMIO_COUNT];   /* transport i at VIRT_MMIO_BASE + i * 0x200 */
    struct virtio_dev *hvc_input;                  /* the virtio-console reading stdin, or NULL */
    struct dmatest *dmatest;                /* NULL: no --dma-test-device */
    struct gic_line smmu_lines[4], virtio_lines[VIRT_MMIO_COUNT], dmatest_line;
    uint64_t dma_code_drops;                /* pages a DMA write dropped translated code of (per PE) */
    struct loaded_image image;
    struct boot_blobs boot;    /* initrd and device tree, loaded with the image */
    /* The PEs, each its own Unicorn instance over the same RAM, run round
     * robin: each in turn until its clock reaches the end of the quantum. */
    struct pe pes[MACHINE_MAX_PES];
    unsigned n_pes;
    struct pe *cur;                         /* the PE running now: device accesses are its */
    enum pe_power power[MACHINE_MAX_PES];
    bool in_wfi[MACHINE_MAX_PES];           /* waiting for an interrupt */
    enum pe_wait wait[MACHINE_MAX_PES];     /* ... in what, while in_wfi */
    struct pe_resume resume[MACHINE_MAX_PES];   /* where a PE woken from power-down restarts */
    /* A PE in WFI whose interrupt another PE raised (an SGI, a device write)
     * wakes no earlier than the raising PE's clock then: 0 when none. */
    uint64_t wake_not_before[MACHINE_MAX_PES];
    uint64_t round_start;                   /* simulated time (cycles) where the current round began */
    uint64_t rounds;
    struct event_bus events;
    struct mmio_region regions[MACHINE_MAX_REGIONS];
    int n_regions;
    struct pl011 uart;
    struct gic *gic;
    struct gtimer_cpu timers[MACHINE_MAX_PES];   /* each PE's generic timers */
    struct gic_line pmu_lines[MACHINE_MAX_PES];  /* each PE's PMU overflow interrupt (PPI 7) */
    struct stats stats;
    struct exception_tracer tracer;
    struct trace_recorder recorder;

    int semihosting_errno;    /* SYS_ERRNO */
    bool exit_requested;
    int exit_code;
    bool reset_requested;
    unsigned resets;
    double host_seconds;
    const struct machine_debugger *debugger;   /* NULL: none */
};

/* The boot description of a configuration (for `avsim dumpdtb`, and machine_init). */
void machine_boot_config(const struct machine_config *cfg, struct boot_config *bc);
/* The CPU the configuration names (cortex-a57 when none). */
const struct cpu_model *machine_cpu(const struct machine_config *cfg);

int machine_init(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen);
/* Runs the guest to its end. Returns the process exit status. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

/* Called by models. */
void machine_request_exit(struct machine *m, int code);
void machine_request_reset(struct machine *m);
/* PSCI power control (sim/psci.c): the PE with this MPIDR affinity, or NULL. */
struct pe *machine_pe_by_mpidr(struct machine *m, uint64_t mpidr);
/* Powers a PE on at entry in start_el (AArch64, MMU off) with x0 = context_id. */
void machine_pe_on(struct machine *m, struct pe *pe, uint64_t entry, unsigned start_el, uint64_t context_id,
                   uint64_t now);
/* The calling PE powers itself off (PSCI CPU_OFF): it stops at once. */
void machine_pe_off(struct machine *m, struct pe *pe);
/* PSCI CPU_SUSPEND. Standby: the calling PE waits as in WFI until an interrupt
 * (masked or not) is pending, then runs on after its SMC. Power-down: it
 * stops, and when the GIC raises its IRQ or FIQ it restarts as machine_pe_on()
 * starts a PE (entry in start_el, AArch64, MMU off, x0 = context_id). Both
 * return false, and the PE does not wait, when a wake-up is already pending. */
bool machine_pe_standby(struct machine *m, struct pe *pe);
bool machine_pe_powerdown(struct machine *m, struct pe *pe, uint64_t entry, unsigned start_el, uint64_t context_id);
/* Simulated time: the clock of the PE running now. */
uint64_t machine_now(const struct machine *m);

#endif
