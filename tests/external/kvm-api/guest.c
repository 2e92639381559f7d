/* The KVM API example's guest (freestanding AArch64 C, run at EL1 by KVM under kvm-api.c).
 *
 * What a guest of a KVM virtual machine sees, step by step; each step prints a line through
 * the UART, which KVM cannot emulate: every UART access leaves KVM_RUN as KVM_EXIT_MMIO and
 * the host program answers it (see kvm-api.c). Everything else the guest touches is handled
 * inside the kernel, by KVM, without the program's help:
 *  1. Hypercalls (HVC #0, SMC Calling Convention, Arm DEN 0028): PSCI_VERSION, PSCI_FEATURES,
 *     MIGRATE_INFO_TYPE (PSCI, Arm DEN 0022), SMCCC_VERSION, KVM's vendor-hypervisor UID and
 *     feature bitmap, and an unknown function; then SMC #0, which KVM refuses (a guest's SMC
 *     traps to EL2 with HCR_EL2.TSC and KVM answers NOT_SUPPORTED).
 *  2. The GICv3 that KVM emulates (the vGIC, created by the program with KVM_CREATE_DEVICE):
 *     the distributor (GICD_PIDR2, GICD_TYPER, GICD_CTLR), this vCPU's redistributor (found by
 *     walking GICR_TYPER), SGI and PPI set-up in its SGI_base frame, and the CPU interface
 *     system registers (ICC_SRE_EL1, ICC_PMR_EL1, ICC_BPR1_EL1, ICC_IGRPEN1_EL1). The ICC_*
 *     registers are the hardware's virtual CPU interface (ICV_*, HCR_EL2.IMO = 1): no exit.
 *  3. Message-signalled interrupts through the ITS that KVM emulates (the program created it
 *     with KVM_CREATE_DEVICE, KVM_DEV_TYPE_ARM_VGIC_ITS): the LPI tables of vCPU 0's
 *     redistributor (GICR_PROPBASER, GICR_PENDBASER, GICR_CTLR.EnableLPIs), the ITS's device
 *     and collection tables and command queue (GITS_BASER0/1, GITS_CBASER), then commands
 *     MAPD, MAPC, MAPTI, SYNC through the queue (GITS_CWRITER, GITS_CREADR): DeviceID 1's
 *     EventID 2 becomes LPI 8202 on vCPU 0. The guest then asks the program, through its MSI
 *     request register (an MMIO exit), for two MSIs: EventID 3, which nothing maps
 *     (KVM_SIGNAL_MSI says "blocked"), and EventID 2, which KVM translates and injects as LPI
 *     8202 (in a list register with a vINTID >= 8192: KVM's ITS is software, no GICv4). Last,
 *     an INT command makes the same LPI pending from inside the ITS.
 *  4. A call the program debugs from outside (KVM_SET_GUEST_DEBUG): a hardware breakpoint
 *     stops vCPU 0 at debug_target, the program single-steps it to its return, then lets it
 *     run on.
 *  5. The virtual timer (CNTV_CTL_EL0, CNTV_CVAL_EL0, CNTVCT_EL0): armed 1 ms ahead, then WFI;
 *     its interrupt, PPI 27, comes through the vGIC (KVM injects it with a list register
 *     marked HW, so the guest's EOI also deactivates the physical interrupt).
 *  6. With two vCPUs: PSCI AFFINITY_INFO and CPU_ON bring vCPU 1 up at secondary_entry; the
 *     two exchange SGIs (ICC_SGI1R_EL1 writes trap to KVM, which makes the SGI pending in the
 *     target's redistributor and kicks the target's thread); vCPU 1 leaves with CPU_OFF.
 *     With one vCPU: CPU_ON of a vCPU that does not exist fails, and an SGI goes to itself.
 *  7. PSCI SYSTEM_OFF when every check passed (the program sees KVM_EXIT_SYSTEM_EVENT,
 *     SHUTDOWN), SYSTEM_RESET when one failed (KVM_EXIT_SYSTEM_EVENT, RESET).
 * Only one vCPU prints at a time (each prints before the action that lets the other go on), so
 * the output is the same on every run. Lines starting "info: " carry figures that may vary
 * (the counter frequency); the program prints them with another prefix.
 *
 * The MMU stays off: every data access is then Device-nGnRnE, so the code is built with
 * -mstrict-align (no unaligned access) and the vCPUs share no lock (exclusives need not work
 * on Device memory); they talk through SGIs only.
 */
#include <stdarg.h>
#include <stdint.h>
#include "gic.h"     /* GICv3 register offsets, MMIO accessors (tests/guest/gic.h) */
#include "layout.h"  /* the guest's memory map, shared with the program */
#include "psci.h"    /* PSCI function IDs (tests/guest/psci.h) */

/* SMC Calling Convention function IDs (Arm DEN 0028) and KVM's vendor-hypervisor service
 * (Linux: include/linux/arm-smccc.h, Documentation/virt/kvm/arm/hypercalls.rst). */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_VENDOR_HYP_UID 0x8600ff01u
#define SMCCC_KVM_FEATURES 0x86000000u
#define SMCCC_UNKNOWN_SIP 0xc2000000u   /* a SiP service call nobody implements here */
#define PSCI_UNASSIGNED 0x8400001fu     /* in PSCI's range, assigned to no function */
#define PSCI_AFFINITY_INFO_64_ID PSCI_AFFINITY_INFO_64

/* KVM's UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as the four registers return it. */
static const uint32_t kvm_uid[4] = { 0xb66fb428u, 0xe911c52eu, 0x564bcaa9u, 0x743a004du };

/* The interrupts: SGIs 1-3 between the vCPUs, the virtual timer's PPI (the Arm BSA's and the
 * virt board's number, which KVM uses unless the program sets another one). */
#define SGI_HELLO 1   /* vCPU 1 -> vCPU 0: I am up */
#define SGI_PING 2    /* vCPU 0 -> vCPU 1 */
#define SGI_BYE 3     /* vCPU 1 -> vCPU 0: going off */
#define VTIMER_INTID 27
#define LPI_FIRST 8192   /* LPIs: INTIDs from 8192 (the ITS's, step 3) */
#define CNTV_CTL_ENABLE 1u
#define CNTV_CTL_IMASK 2u
#define CNTV_CTL_ISTATUS 4u

/* Per-vCPU state, indexed by MPIDR_EL1.Aff0. Each entry is written by its own vCPU only. */
struct cpu_state {
    volatile uint32_t sgis;          /* SGIs taken (bit n: SGI n) */
    volatile uint32_t timer_irqs;    /* virtual timer interrupts taken */
    volatile uint32_t timer_ctl;     /* CNTV_CTL_EL0 as the handler found it */
    volatile uint64_t timer_late;    /* CNTVCT_EL0 - CNTV_CVAL_EL0 in the handler */
    volatile uint32_t spurious;      /* ICC_IAR1_EL1 gave 1023 */
    volatile uint32_t lpis;          /* LPIs taken (INTIDs >= 8192) */
    volatile uint32_t last_lpi;      /* the INTID of the last one */
    uint64_t rd;                     /* this vCPU's redistributor (RD_base frame) */
    volatile uint32_t other_irqs;    /* anything else */
    uint32_t checks, failures;
};
static struct cpu_state cpus[GUEST_MAX_VCPUS];

static unsigned this_cpu(void) { return (unsigned)READ_SYSREG(mpidr_el1) & 0xff; }

/* ---- output: the emulated UART ------------------------------------------------------------ */

/* One character: a byte store to UARTDR. There is no memory at that address, so the store
 * faults at stage 2; KVM decodes it from the syndrome (ESR_EL2.ISV = 1: a plain STRB) and
 * hands it to the program as KVM_EXIT_MMIO. */
static void uart_putc(char c) { mmio_w8(GUEST_UART_BASE + UART_DR, (uint8_t)c); }

static void put_unsigned(uint64_t v, unsigned base)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        uart_putc(digits[--n]);
}

/* A small printf: %s, %c, %d and %u (32-bit), %ld (64-bit), %x (32-bit) and %lx (64-bit). */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            uart_putc(*f);
            continue;
        }
        int wide = f[1] == 'l';
        f += 1 + wide;
        if (*f == 's') {
            for (const char *s = va_arg(ap, const char *); *s; s++)
                uart_putc(*s);
        } else if (*f == 'c') {
            uart_putc((char)va_arg(ap, int));
        } else if (*f == 'x' || *f == 'u') {
            put_unsigned(wide ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t), *f == 'x' ? 16 : 10);
        } else if (*f == 'd') {
            int64_t v = wide ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
            if (v < 0)
                uart_putc('-');
            put_unsigned(v < 0 ? -(uint64_t)v : (uint64_t)v, 10);
        } else {
            uart_putc('?');
        }
    }
    va_end(ap);
}

/* A check: counted; a failing one prints a FAIL line (and the guest ends with SYSTEM_RESET). */
static void check(int ok, const char *what)
{
    struct cpu_state *c = &cpus[this_cpu()];
    c->checks++;
    if (!ok) {
        c->failures++;
        say("FAIL: %s\n", what);
    }
}

/* ---- hypercalls ---------------------------------------------------------------------------- */

/* An SMCCC call through HVC #0: function ID in w0, arguments in x1-x3, results in x0-x3.
 * KVM handles it in the kernel (kvm_hvc_call_handler): the program sees no exit. SMCCC 1.0
 * lets the callee change x4-x17, hence the clobbers. */
struct smccc_res { uint64_t a0, a1, a2, a3; };

static struct smccc_res hvc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                       "x15", "x16", "x17", "memory");
    return (struct smccc_res){ x0, x1, x2, x3 };
}

static int64_t hvc0(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return (int64_t)hvc(fn, a1, a2, a3).a0;
}

/* PSCI return codes (Arm DEN 0022, 5.2.2). 32-bit functions return them in w0. */
static const char *psci_ret(int64_t r)
{
    static const char *const names[] = { "SUCCESS", "NOT_SUPPORTED", "INVALID_PARAMETERS",
                                         "DENIED", "ALREADY_ON", "ON_PENDING",
                                         "INTERNAL_FAILURE", "NOT_PRESENT", "DISABLED",
                                         "INVALID_ADDRESS" };
    r = (int32_t)r;
    return r <= 0 && r >= -9 ? names[-r] : "?";
}

static void hypercalls(void)
{
    int64_t v = hvc0(PSCI_VERSION, 0, 0, 0);
    say("HVC PSCI_VERSION: 0x%lx (PSCI %d.%d)\n", (uint64_t)v, (int)(v >> 16), (int)(v & 0xffff));
    check(v >= 2, "PSCI 0.2 or later (the program asked for KVM_ARM_VCPU_PSCI_0_2)");

    v = hvc0(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
    say("HVC PSCI_FEATURES(SMCCC_VERSION): %d %s\n", (int)v, psci_ret(v));
    check(v == 0, "SMCCC_VERSION is implemented");
    v = hvc0(SMCCC_VERSION, 0, 0, 0);
    say("HVC SMCCC_VERSION: 0x%lx (SMCCC %d.%d)\n", (uint64_t)v, (int)(v >> 16), (int)(v & 0xffff));
    check(v >= 0x10001, "SMCCC 1.1 or later");

    static const struct { uint32_t fn; const char *name; } fns[] = {
        { PSCI_CPU_ON_64, "CPU_ON (64-bit)" },
        { PSCI_CPU_OFF, "CPU_OFF" },
        { PSCI_AFFINITY_INFO_64_ID, "AFFINITY_INFO (64-bit)" },
        { PSCI_SYSTEM_OFF, "SYSTEM_OFF" },
        { PSCI_SYSTEM_RESET, "SYSTEM_RESET" },
    };
    for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        v = hvc0(PSCI_FEATURES, fns[i].fn, 0, 0);
        say("HVC PSCI_FEATURES(%s): %d %s\n", fns[i].name, (int)v, psci_ret(v));
        check(v == 0, "a PSCI function KVM implements");
    }
    v = hvc0(PSCI_FEATURES, PSCI_UNASSIGNED, 0, 0);
    say("HVC PSCI_FEATURES(0x%x, unassigned): %d %s\n", PSCI_UNASSIGNED, (int)v, psci_ret(v));
    check((int32_t)v == -1, "NOT_SUPPORTED for an unassigned function");
    v = hvc0(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    say("HVC MIGRATE_INFO_TYPE: %d (2: no Trusted OS to migrate)\n", (int)v);
    check(v == 2, "MIGRATE_INFO_TYPE 2");

    struct smccc_res uid = hvc(SMCCC_VENDOR_HYP_UID, 0, 0, 0);
    int is_kvm = uid.a0 == kvm_uid[0] && uid.a1 == kvm_uid[1] && uid.a2 == kvm_uid[2] &&
                 uid.a3 == kvm_uid[3];
    say("HVC VENDOR_HYP_CALL_UID: %x %x %x %x (%s)\n", (uint32_t)uid.a0, (uint32_t)uid.a1,
        (uint32_t)uid.a2, (uint32_t)uid.a3, is_kvm ? "KVM" : "not KVM");
    check(is_kvm, "the hypervisor calls itself KVM");
    v = hvc0(SMCCC_KVM_FEATURES, 0, 0, 0);
    say("HVC KVM_FEATURES: 0x%lx (bit 0: this call, bit 1: PTP_KVM)\n", (uint64_t)v);
    check(v & 1, "KVM_FEATURES lists itself");
    v = hvc0(SMCCC_UNKNOWN_SIP, 0, 0, 0);
    say("HVC 0x%x (a SiP call nobody implements): %d\n", SMCCC_UNKNOWN_SIP, (int)v);
    check(v == -1, "SMCCC_RET_NOT_SUPPORTED (-1) for an unknown function");

    /* SMC #0 from EL1 traps to EL2 (HCR_EL2.TSC); KVM returns -1 in x0 and skips it. PSCI
     * for a KVM guest is HVC only. */
    register uint64_t x0 __asm__("x0") = PSCI_VERSION;
    __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    say("SMC PSCI_VERSION: %d (KVM answers PSCI through HVC only)\n", (int)(int64_t)x0);
    check((int64_t)x0 == -1, "SMC returns -1");
}

/* ---- the GICv3 ------------------------------------------------------------------------------ */

/* This vCPU's redistributor: walk the RD_base frames from GICR_BASE until GICR_TYPER.Affinity
 * (bits [63:32]: Aff3.Aff2.Aff1.Aff0) matches MPIDR_EL1 (GICv3 spec, 9.5 "Redistributor
 * registers": GICR_TYPER.Last marks the last frame). The program told KVM where the frames
 * are (KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION); KVM fills GICR_TYPER from each vCPU's MPIDR. */
static uint64_t find_redistributor(uint64_t *typer_out)
{
    uint64_t mpidr = READ_SYSREG(mpidr_el1);
    uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24);
    for (uint64_t rd = GUEST_GICR_BASE;; rd += GUEST_GICR_STRIDE) {
        uint64_t typer = mmio_r64(rd + GICR_TYPER);
        if (GICR_TYPER_AFF(typer) == aff) {
            *typer_out = typer;
            return rd;
        }
        if (GICR_TYPER_LAST(typer))
            return 0;
    }
}

/* The distributor, once for the VM (vCPU 0): read what KVM emulates, then turn on affinity
 * routing and Group 1 (with one security state, DS = 1, as KVM's vGIC has). */
static void gic_distributor(void)
{
    uint32_t pidr2 = mmio_r32(GUEST_GICD_BASE + GICD_PIDR2);
    uint32_t typer = mmio_r32(GUEST_GICD_BASE + GICD_TYPER);
    say("GICD_PIDR2 = 0x%x: GIC architecture version %u\n", pidr2, PIDR2_ARCHREV(pidr2));
    check(PIDR2_ARCHREV(pidr2) == 3, "a GICv3");
    say("GICD_TYPER = 0x%x: %u interrupt IDs (SGIs, PPIs and SPIs)\n", typer,
        32 * (GICD_TYPER_ITLINES(typer) + 1));
    mmio_w32(GUEST_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1);
    while (mmio_r32(GUEST_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP) {
    }
    uint32_t ctlr = mmio_r32(GUEST_GICD_BASE + GICD_CTLR);
    say("GICD_CTLR = 0x%x after writing ARE | EnableGrp1 (DS = %u: one security state)\n", ctlr,
        (ctlr & GICD_CTLR_DS) != 0);
    check((ctlr & (GICD_CTLR_ARE | GICD_CTLR_ENGRP1)) == (GICD_CTLR_ARE | GICD_CTLR_ENGRP1),
          "GICD_CTLR keeps ARE and EnableGrp1");
}

/* This vCPU's redistributor and CPU interface: awake (GICR_WAKER), the SGIs and the timer PPI
 * in Group 1 with a priority and enabled (SGI_base frame), then the ICC_* registers. */
static void gic_this_cpu(void)
{
    uint64_t typer, rd = find_redistributor(&typer);
    check(rd != 0, "a redistributor whose GICR_TYPER matches MPIDR_EL1");
    if (!rd)
        return;
    cpus[this_cpu()].rd = rd;
    say("redistributor frame %u at 0x%lx: GICR_TYPER = 0x%lx (Processor_Number %u, Last %u)\n",
        (unsigned)((rd - GUEST_GICR_BASE) / GUEST_GICR_STRIDE), rd, typer,
        (unsigned)GICR_TYPER_PROCNUM(typer), (unsigned)GICR_TYPER_LAST(typer));
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    uint64_t sgi = rd + 0x10000;
    uint32_t mine = 1u << SGI_HELLO | 1u << SGI_PING | 1u << SGI_BYE | 1u << VTIMER_INTID;
    mmio_w32(sgi + GICR_IGROUPR0, 0xffffffffu);
    for (unsigned intid = 0; intid < 32; intid++)
        if (mine >> intid & 1)
            mmio_w8(sgi + GICR_IPRIORITYR(intid), 0x80);
    mmio_w32(sgi + GICR_ISENABLER0, mine);
    check((mmio_r32(sgi + GICR_ISENABLER0) & mine) == mine, "GICR_ISENABLER0 reads back");

    /* ICC_SRE_EL1.SRE = 1: the system-register interface (KVM sets it for a GICv3 guest). */
    uint64_t sre = GIC_RD(ICC_SRE_EL1);
    check(sre & ICC_SRE_SRE, "ICC_SRE_EL1.SRE = 1");
    GIC_WR(ICC_PMR_EL1, 0xf0);       /* let priorities 0x00-0xef through */
    GIC_WR(ICC_BPR1_EL1, 0);
    GIC_WR(ICC_IGRPEN1_EL1, 1);      /* Group 1 on at the CPU interface */
    ISB();
    say("ICC_SRE_EL1 = 0x%lx, ICC_PMR_EL1 = 0x%lx, ICC_IGRPEN1_EL1 = %lu\n", sre,
        GIC_RD(ICC_PMR_EL1), GIC_RD(ICC_IGRPEN1_EL1));
}

/* Acknowledge (ICC_IAR1_EL1), handle, end (ICC_EOIR1_EL1: EOImode 0, so also deactivate).
 * Called from el1_handler with IRQs masked (PSTATE.I is set on exception entry). */
static void irq_handler(void)
{
    struct cpu_state *c = &cpus[this_cpu()];
    uint32_t intid = (uint32_t)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    if (intid == INTID_SPURIOUS) {
        c->spurious++;
        return;
    }
    if (intid == VTIMER_INTID) {
        /* The timer's output is a level: mask it before the EOI or it fires again. */
        c->timer_ctl = (uint32_t)READ_SYSREG(cntv_ctl_el0);
        c->timer_late = READ_SYSREG(cntvct_el0) - READ_SYSREG(cntv_cval_el0);
        WRITE_SYSREG(cntv_ctl_el0, CNTV_CTL_IMASK);
        ISB();
        c->timer_irqs++;
    } else if (intid < 16) {
        c->sgis |= 1u << intid;
    } else if (intid >= LPI_FIRST) {
        c->last_lpi = intid;
        c->lpis++;
    } else {
        c->other_irqs++;
    }
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

/* ---- message-signalled interrupts: the ITS --------------------------------------------------- */

/* GICv3 ITS registers and commands (GIC architecture specification IHI 0069, chapters 5 and 12;
 * Linux's Documentation/virt/kvm/devices/arm-vgic-its.rst says what KVM's ITS implements). */
/* (The register offsets are tests/guest/gic.h's.) */
#define GITS_BASER_VALID (1ul << 63)
#define GITS_BASER_TYPE(b) ((unsigned)((b) >> 56) & 7)         /* 1: devices, 4: collections */
#define GITS_BASER_ENTRY_SIZE(b) ((unsigned)((b) >> 48) & 0x1f) /* bytes - 1 */
#define GITS_BASER_PAGE_64K (2ul << 8)
#define GITS_CTLR_ENABLED 1u

#define ITS_DEVICE 1      /* the DeviceID this guest maps (a PCI requester ID, say) */
#define ITS_EVENT 2       /* the EventID it maps: the MSI's data */
#define ITS_EVENT_UNMAPPED 3
#define ITS_COLLECTION 0
#define ITS_LPI (LPI_FIRST + 10)
#define LPI_PRIORITY 0xa0

/* 64-bit register accesses as single LDR/STR without writeback: KVM can emulate only an
 * access whose syndrome describes it (ESR_EL2.ISV = 1); a pre/post-indexed or pair access
 * the compiler might choose ends KVM_RUN with ENOSYS. */
static uint64_t reg_r64(uint64_t a)
{
    uint64_t v;
    __asm__ volatile("ldr %x0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static void reg_w64(uint64_t a, uint64_t v)
{
    __asm__ volatile("str %x0, [%1]\n\tdsb sy" : : "rZ"(v), "r"(a) : "memory");
}
static uint64_t its_reg(unsigned off) { return reg_r64(GUEST_ITS_BASE + off); }

/* One 32-byte command at GITS_CWRITER; GITS_CREADR reaching the new GITS_CWRITER means the ITS
 * has executed it (KVM runs the queue when CWRITER is written). */
static void its_command(uint64_t d0, uint64_t d1, uint64_t d2, const char *what)
{
    uint64_t off = its_reg(GITS_CWRITER);
    volatile uint64_t *cmd = (volatile uint64_t *)(GUEST_ITS_CMDQ + off);
    cmd[0] = d0;
    cmd[1] = d1;
    cmd[2] = d2;
    cmd[3] = 0;
    uint64_t next = (off + 32) % 0x1000;
    reg_w64(GUEST_ITS_BASE + GITS_CWRITER, next);
    unsigned n = 0;
    while (its_reg(GITS_CREADR) != next && n < 1000000)
        n++;
    say("ITS command %s: GITS_CREADR = 0x%lx\n", what, its_reg(GITS_CREADR));
    check(its_reg(GITS_CREADR) == next, "the ITS executed the command");
}

/* Ask the program for an MSI (an MMIO write it turns into KVM_SIGNAL_MSI). */
static void request_msi(uint32_t device, uint32_t event)
{
    reg_w64(GUEST_MSIREQ_BASE, (uint64_t)device << MSIREQ_DEVID_SHIFT | event);
}

static void msis(void)
{
    struct cpu_state *c = &cpus[0];
    uint32_t dtyper = mmio_r32(GUEST_GICD_BASE + GICD_TYPER);
    uint64_t rtyper = reg_r64(c->rd + GICR_TYPER);
    say("GICD_TYPER.LPIS = %u, IDbits = %u; GICR_TYPER.PLPIS = %u\n", (dtyper & GICD_TYPER_LPIS) != 0,
        (dtyper >> 19 & 0x1f) + 1, (unsigned)(rtyper & GICR_TYPER_PLPIS));
    check((dtyper & GICD_TYPER_LPIS) && (rtyper & GICR_TYPER_PLPIS), "LPIs supported (the VM has an ITS)");
    uint64_t typer = its_reg(GITS_TYPER);
    say("ITS at 0x%x: GITS_IIDR = 0x%x, GITS_TYPER = 0x%lx (ITT entry %u bytes, %u EventID bits, "
        "%u DeviceID bits, PTA %u)\n", GUEST_ITS_BASE, mmio_r32(GUEST_ITS_BASE + GITS_IIDR), typer,
        (unsigned)(typer >> 4 & 0xf) + 1, (unsigned)(typer >> 8 & 0x1f) + 1, (unsigned)(typer >> 13 & 0x1f) + 1,
        (unsigned)(typer >> 19 & 1));
    check(typer & 1, "GITS_TYPER.Physical");

    /* The tables, zeroed (the memory is fresh, but the guest must not count on it). */
    for (uint64_t a = GUEST_LPI_PROP; a < GUEST_TABLES_END; a += 8)
        *(volatile uint64_t *)a = 0;
    /* vCPU 0's redistributor: the LPI configuration table (one byte per LPI: priority, bit 1
     * RES1, bit 0 enable) and the pending table, then EnableLPIs. */
    *(volatile uint8_t *)(GUEST_LPI_PROP + ITS_LPI - LPI_FIRST) = LPI_PRIORITY | 2 | 1;
    __asm__ volatile("dsb sy" ::: "memory");
    reg_w64(c->rd + GICR_PROPBASER, GUEST_LPI_PROP | (GUEST_LPI_IDBITS - 1));
    reg_w64(c->rd + GICR_PENDBASER, GUEST_LPI_PEND);
    mmio_w32(c->rd + GICR_CTLR, mmio_r32(c->rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
    say("redistributor: GICR_PROPBASER = 0x%lx (%u INTID bits), GICR_PENDBASER = 0x%lx, GICR_CTLR = 0x%x\n",
        reg_r64(c->rd + GICR_PROPBASER), GUEST_LPI_IDBITS, reg_r64(c->rd + GICR_PENDBASER),
        mmio_r32(c->rd + GICR_CTLR));
    check(mmio_r32(c->rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS, "GICR_CTLR.EnableLPIs");

    /* The ITS's own tables: GITS_BASER<n> says which table it wants (Type) and how large an
     * entry is; the guest gives each one 64 KiB page. Then the command queue, then Enabled. */
    const uint64_t tables[2] = { GUEST_ITS_DEVT, GUEST_ITS_COLT };
    for (unsigned n = 0; n < 2; n++) {
        uint64_t b = its_reg(GITS_BASER(n));
        check(GITS_BASER_TYPE(b) == (n == 0 ? 1 : 4), "GITS_BASER0 devices, GITS_BASER1 collections");
        reg_w64(GUEST_ITS_BASE + GITS_BASER(n),
                (b & (7ul << 56 | 0x1ful << 48)) | GITS_BASER_VALID | GITS_BASER_PAGE_64K | tables[n]);
        say("GITS_BASER%u: Type %u (%s), Entry_Size %u bytes; = 0x%lx with the table at 0x%lx\n", n,
            GITS_BASER_TYPE(b), GITS_BASER_TYPE(b) == 1 ? "devices" : GITS_BASER_TYPE(b) == 4 ? "collections" : "?",
            GITS_BASER_ENTRY_SIZE(b) + 1, its_reg(GITS_BASER(n)), tables[n]);
        check((its_reg(GITS_BASER(n)) & GITS_BASER_VALID) != 0, "GITS_BASER<n>.Valid");
    }
    reg_w64(GUEST_ITS_BASE + GITS_CBASER, GITS_BASER_VALID | GUEST_ITS_CMDQ);   /* Size 0: 4 KiB */
    reg_w64(GUEST_ITS_BASE + GITS_CWRITER, 0);
    mmio_w32(GUEST_ITS_BASE + GITS_CTLR, GITS_CTLR_ENABLED);
    say("GITS_CBASER = 0x%lx, GITS_CTLR = 0x%x\n", its_reg(GITS_CBASER), mmio_r32(GUEST_ITS_BASE + GITS_CTLR));
    check(mmio_r32(GUEST_ITS_BASE + GITS_CTLR) & GITS_CTLR_ENABLED, "GITS_CTLR.Enabled");

    /* MAPD: DeviceID -> its ITT (2 EventID bits), MAPC: collection -> vCPU 0's redistributor
     * (GITS_TYPER.PTA = 0: by processor number), MAPTI: (DeviceID, EventID) -> LPI and
     * collection, SYNC: all done for that redistributor. */
    its_command(0x08 | (uint64_t)ITS_DEVICE << 32, 2 - 1, GUEST_ITS_ITT | 1ul << 63, "MAPD(device 1, 2 bits)");
    its_command(0x09, 0, 1ul << 63 | 0ul << 16 | ITS_COLLECTION, "MAPC(collection 0 -> vCPU 0)");
    its_command(0x0a | (uint64_t)ITS_DEVICE << 32, ITS_EVENT | (uint64_t)ITS_LPI << 32, ITS_COLLECTION,
                "MAPTI(device 1, event 2 -> LPI 8202, collection 0)");
    its_command(0x05, 0, 0ul << 16, "SYNC(vCPU 0)");

    say("asking the program for an MSI: device %u, event %u (not mapped)\n", ITS_DEVICE, ITS_EVENT_UNMAPPED);
    request_msi(ITS_DEVICE, ITS_EVENT_UNMAPPED);
    say("asking the program for an MSI: device %u, event %u; WFI\n", ITS_DEVICE, ITS_EVENT);
    request_msi(ITS_DEVICE, ITS_EVENT);
    WFI_UNTIL(c->lpis != 0);
    say("LPI taken: INTID %u (%u LPI)\n", c->last_lpi, c->lpis);
    check(c->lpis == 1 && c->last_lpi == ITS_LPI, "the MSI arrived as LPI 8202");
    its_command(0x03 | (uint64_t)ITS_DEVICE << 32, ITS_EVENT, 0, "INT(device 1, event 2)");
    WFI_UNTIL(c->lpis == 2);
    say("LPI taken: INTID %u (%u LPIs)\n", c->last_lpi, c->lpis);
    check(c->lpis == 2 && c->last_lpi == ITS_LPI, "INT made LPI 8202 pending");
    check(c->other_irqs == 0 && c->spurious == 0, "no other interrupt");
}

/* ---- the virtual timer ---------------------------------------------------------------------- */

static void virtual_timer(void)
{
    struct cpu_state *c = &cpus[this_cpu()];
    uint64_t frq = READ_SYSREG(cntfrq_el0);
    uint64_t ticks = frq / 1000;                          /* 1 ms */
    say("info: CNTFRQ_EL0 = %lu Hz, so 1 ms is %lu ticks\n", frq, ticks);
    WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntvct_el0) + ticks);
    WRITE_SYSREG(cntv_ctl_el0, CNTV_CTL_ENABLE);
    ISB();
    say("virtual timer armed 1 ms ahead (CNTV_CVAL_EL0, CNTV_CTL_EL0 = ENABLE); WFI\n");
    WFI_UNTIL(c->timer_irqs != 0);
    say("virtual timer interrupt: INTID %u, CNTV_CTL_EL0 = 0x%x (ENABLE | ISTATUS), "
        "CNTVCT_EL0 %s CNTV_CVAL_EL0\n", VTIMER_INTID, c->timer_ctl,
        (int64_t)c->timer_late >= 0 ? ">=" : "<");
    check(c->timer_ctl == (CNTV_CTL_ENABLE | CNTV_CTL_ISTATUS), "CNTV_CTL_EL0 = ENABLE | ISTATUS");
    check((int64_t)c->timer_late >= 0, "the interrupt came at or after CNTV_CVAL_EL0");
    check(c->other_irqs == 0 && c->spurious == 0, "no other interrupt");
    WRITE_SYSREG(cntv_ctl_el0, 0);
}

/* ---- SMP: the second vCPU -------------------------------------------------------------------- */

/* ICC_SGI1R_EL1 (GICv3 spec, 12.2.25): INTID [27:24], Aff3/2/1, TargetList [15:0] (Aff0 bits). */
static void send_sgi(unsigned intid, unsigned target_aff0)
{
    GIC_WR(ICC_SGI1R_EL1, SGI1R(intid, 1u << target_aff0));
    ISB();
}

void secondary_entry(void);   /* guest-start.S */

static void two_vcpus(void)
{
    struct cpu_state *c = &cpus[0];
    int64_t r = hvc0(PSCI_AFFINITY_INFO_64_ID, 1, 0, 0);
    say("HVC AFFINITY_INFO(MPIDR 1): %d (1: OFF; the program created it powered off)\n", (int)r);
    check(r == 1, "vCPU 1 starts OFF");
    say("HVC CPU_ON(MPIDR 1, secondary_entry, context id 0x%x); waiting for SGI %u\n",
        GUEST_CONTEXT_ID, SGI_HELLO);
    /* From here vCPU 1 runs and prints: this vCPU keeps quiet until vCPU 1's SGI arrives. */
    r = hvc0(PSCI_CPU_ON_64, 1, (uint64_t)secondary_entry, GUEST_CONTEXT_ID);
    WFI_UNTIL(c->sgis & (1u << SGI_HELLO));
    say("CPU_ON returned %d %s; SGI %u taken from vCPU 1\n", (int)r, psci_ret(r), SGI_HELLO);
    check(r == 0, "CPU_ON SUCCESS");
    r = hvc0(PSCI_AFFINITY_INFO_64_ID, 1, 0, 0);
    say("HVC AFFINITY_INFO(MPIDR 1): %d (0: ON)\n", (int)r);
    check(r == 0, "vCPU 1 ON");
    r = hvc0(PSCI_CPU_ON_64, 1, (uint64_t)secondary_entry, GUEST_CONTEXT_ID);
    say("HVC CPU_ON(MPIDR 1) again: %d %s\n", (int)r, psci_ret(r));
    check((int32_t)r == -4, "ALREADY_ON");
    say("sending SGI %u to vCPU 1 (ICC_SGI1R_EL1 = 0x%lx)\n", SGI_PING, SGI1R(SGI_PING, 2));
    send_sgi(SGI_PING, 1);
    WFI_UNTIL(c->sgis & (1u << SGI_BYE));
    /* vCPU 1 sends SGI_BYE just before CPU_OFF: wait until KVM has it off. */
    unsigned n;
    for (n = 0; n < 100000 && (r = hvc0(PSCI_AFFINITY_INFO_64_ID, 1, 0, 0)) != 1; n++) {
    }
    say("SGI %u taken from vCPU 1; HVC AFFINITY_INFO(MPIDR 1): %d (1: OFF after its CPU_OFF)\n",
        SGI_BYE, (int)r);
    check(r == 1, "vCPU 1 OFF again");
    check(c->sgis == (1u << SGI_HELLO | 1u << SGI_BYE), "exactly the SGIs vCPU 1 sent");
}

/* vCPU 1, from PSCI CPU_ON (x0 = the context id vCPU 0 passed). */
void secondary_main(uint64_t context_id);
void secondary_main(uint64_t context_id)
{
    struct cpu_state *c = &cpus[1];
    say("hello from vCPU 1: MPIDR_EL1 = 0x%lx, context id 0x%lx in x0\n", READ_SYSREG(mpidr_el1),
        context_id);
    check(this_cpu() == 1, "MPIDR_EL1.Aff0 = 1");
    check(context_id == GUEST_CONTEXT_ID, "the context id CPU_ON passed");
    gic_this_cpu();
    say("sending SGI %u to vCPU 0, waiting for SGI %u\n", SGI_HELLO, SGI_PING);
    send_sgi(SGI_HELLO, 0);
    WFI_UNTIL(c->sgis & (1u << SGI_PING));
    say("SGI %u taken from vCPU 0; sending SGI %u, then CPU_OFF\n", SGI_PING, SGI_BYE);
    check(c->sgis == 1u << SGI_PING, "exactly the SGI vCPU 0 sent");
    send_sgi(SGI_BYE, 0);
    hvc0(PSCI_CPU_OFF, 0, 0, 0);
    say("FAIL: CPU_OFF returned\n");
    c->failures++;
    for (;;)
        __asm__ volatile("wfi");
}

static void one_vcpu(void)
{
    struct cpu_state *c = &cpus[0];
    int64_t r = hvc0(PSCI_AFFINITY_INFO_64_ID, 1, 0, 0);
    say("HVC AFFINITY_INFO(MPIDR 1): %d %s (this VM has no vCPU 1)\n", (int)r, psci_ret(r));
    check((int32_t)r == -2, "INVALID_PARAMETERS for a vCPU that does not exist");
    r = hvc0(PSCI_CPU_ON_64, 1, (uint64_t)secondary_entry, GUEST_CONTEXT_ID);
    say("HVC CPU_ON(MPIDR 1): %d %s\n", (int)r, psci_ret(r));
    check((int32_t)r == -2, "INVALID_PARAMETERS for a vCPU that does not exist");
    say("sending SGI %u to myself (ICC_SGI1R_EL1 = 0x%lx)\n", SGI_PING, SGI1R(SGI_PING, 1));
    send_sgi(SGI_PING, 0);
    WFI_UNTIL(c->sgis & (1u << SGI_PING));
    say("SGI %u taken\n", SGI_PING);
    check(c->sgis == 1u << SGI_PING, "exactly that SGI");
}

/* ---- debugged from outside ------------------------------------------------------------------- */

/* guest-start.S: (n + 2) << 3. The program has a hardware breakpoint on it (KVM_SET_GUEST_DEBUG
 * with KVM_GUESTDBG_USE_HW) and single-steps it to its return (KVM_GUESTDBG_SINGLESTEP): each
 * stop is a KVM_EXIT_DEBUG the program prints. The guest itself notices nothing: the debug
 * exceptions go to EL2 (KVM sets MDCR_EL2.TDE), whatever PSTATE.D and MDSCR_EL1 say here. */
uint64_t debug_target(uint64_t n);

static void debugged_call(void)
{
    uint64_t r = debug_target(5);
    say("debug_target(5) = %lu, stopped at a hardware breakpoint and stepped by the program\n", r);
    check(r == (5 + 2) << 3, "debug_target(5) = 56");
}

/* ---- vCPU 0 --------------------------------------------------------------------------------- */

void guest_main(uint64_t nr_vcpus);
void guest_main(uint64_t nr_vcpus)
{
    say("hello from vCPU 0: EL%lu, MPIDR_EL1 = 0x%lx, %lu vCPU(s) (x0 from the program)\n",
        READ_SYSREG(CurrentEL) >> 2, READ_SYSREG(mpidr_el1), nr_vcpus);
    check(READ_SYSREG(CurrentEL) >> 2 == 1, "running at EL1");
    check(this_cpu() == 0, "MPIDR_EL1.Aff0 = 0");
    /* A read the program must answer: it fills run->mmio.data before the next KVM_RUN. */
    uint32_t fr = mmio_r32(GUEST_UART_BASE + UART_FR);
    say("UARTFR = 0x%x (TXFE | RXFE, answered by the program)\n", fr);
    check(fr == (UART_FR_TXFE | UART_FR_RXFE), "UARTFR = TXFE | RXFE");

    hypercalls();
    gic_distributor();
    gic_this_cpu();
    msis();
    debugged_call();
    virtual_timer();
    if (nr_vcpus >= 2)
        two_vcpus();
    else
        one_vcpu();

    uint32_t checks = 0, failures = 0;
    for (unsigned i = 0; i < GUEST_MAX_VCPUS; i++) {
        checks += cpus[i].checks;
        failures += cpus[i].failures;
    }
    if (failures == 0) {
        say("all %u checks passed; HVC SYSTEM_OFF\n", checks);
        hvc0(PSCI_SYSTEM_OFF, 0, 0, 0);
    } else {
        say("%u of %u checks FAILED; HVC SYSTEM_RESET\n", failures, checks);
        hvc0(PSCI_SYSTEM_RESET, 0, 0, 0);
    }
    say("FAIL: SYSTEM_OFF/SYSTEM_RESET returned\n");
    for (;;)
        __asm__ volatile("wfi");
}

/* Every exception this guest takes comes here from the runtime's vector table (VBAR_EL1 =
 * rt_vectors_el1, tests/guest/rt/vectors.S), with the interrupted registers in *f. It runs at
 * EL1 on SP_EL1, so its IRQs come through "current EL with SPx, IRQ" (Arm ARM D1.10.2,
 * "Exception vectors"); anything else is a mistake: report it and ask for a reset. */
void el1_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        irq_handler();
        return;
    }
    uint64_t esr = READ_SYSREG(esr_el1);
    say("FAIL: unexpected exception, vector %d: ESR_EL1 = 0x%lx (EC 0x%lx), ELR_EL1 = 0x%lx, "
        "FAR_EL1 = 0x%lx\n", vector, esr, ESR_EC(esr), f->elr, READ_SYSREG(far_el1));
    hvc0(PSCI_SYSTEM_RESET, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}
