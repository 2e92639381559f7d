// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* Example 07: an SMP guest (one VM, two vCPUs) and virtual IPIs.
 *
 * What it shows (course topic: SMP guests, virtual SGIs the way KVM's vgic
 * handles them):
 *  - One VM with two vCPUs, each on its own physical PE: vCPU 0 on PE 0,
 *    vCPU 1 on PE 1. PE 0 starts PE 1 with PSCI CPU_ON (an SMC to the
 *    firmware). Both PEs set up EL2 the same way. "One VM" means one stage 2:
 *    both PEs load the same VTTBR_EL2 (same tables, same VMID 1).
 *  - VMPIDR_EL2 is what the guest reads as MPIDR_EL1: vCPU n sees Aff0 = n,
 *    whatever PE it runs on.
 *  - With HCR_EL2.IMO = 1 the guest's ICC_* registers are the virtual CPU
 *    interface (ICV_*), except the SGI registers: there is no virtual SGI
 *    register, so an EL1 write to ICC_SGI1R_EL1 traps to EL2 (ESR_EL2.EC =
 *    0x18, "trapped MSR/MRS"; in the register's accessibility pseudocode,
 *    HCR_EL2.IMO or FMO = 1 at EL1 gives AArch64.SystemAccessTrap(EL2, 0x18)).
 *    The hypervisor emulates it (KVM: vgic_v3_dispatch_sgi()): decode the ISS (which
 *    register, which Rt), decode the value (INTID, Aff1, TargetList), find the
 *    target vCPU and the PE it runs on.
 *  - A list register (ICH_LR<n>_EL2) belongs to the PE it is on: PE 0 cannot
 *    write PE 1's. So PE 0 leaves the virtual SGI in vCPU 1's mailbox (memory)
 *    and "kicks" PE 1 with a physical SGI (INTID 8). PE 1 takes it at EL2
 *    (IMO), moves the mailbox into a list register and returns to vCPU 1,
 *    which takes a virtual IRQ and reads INTID 3 from ICV_IAR1_EL1. KVM does
 *    the same: vgic_queue_irq_unlock() + kvm_vcpu_kick(), and the LRs are
 *    filled when the vCPU re-enters the guest.
 *  - The two vCPUs play ping-pong with SGI 3, three rounds, then leave with
 *    HVC; PE 1 powers off (PSCI CPU_OFF) and PE 0 prints a summary.
 * Output order: two PEs print to one console. Every line here is printed
 * before the action that lets the other PE go on (a flag, or the kick), so
 * only one PE prints at a time and the output is the same on every run, on
 * avsim and on QEMU.
 */
#include "gic.h"                 /* GICv3 registers and helpers (see examples 02, 05) */
#include "pagetable.h"           /* stage-2 tables (see example 03) */
#include "psci.h"                /* PSCI function IDs, psci_smc(), PSCI_SECONDARY_ENTRY */

#define NVCPU 2
#define VSGI 3                   /* the virtual SGI the vCPUs send each other */
#define VSGI_PRIO 0xa0           /* its priority in the list register */
#define KICK_SGI 8               /* physical SGI between the PEs: "look at your mailbox" */
#define ROUNDS 3                 /* ping-pong rounds */
#define NSGI 16

/* Where each vCPU runs (and the other way round). A real hypervisor changes
 * this whenever it schedules a vCPU on another PE. */
static const unsigned vcpu_pe[NVCPU] = { 0, 1 };
static const unsigned pe_vcpu[NVCPU] = { 0, 1 };

/* ---- hypervisor state, in memory shared by both PEs ---- */

static struct pt s2;                         /* the VM's stage 2, built by PE 0, used by both */

/* The virtual SGIs waiting for each vCPU. posted[s][i] counts SGI i sent by
 * vCPU s (written only by the hypervisor on s's PE), taken[s][i] how many the
 * target's PE has put in a list register (written only by that PE). SGI i from
 * s is pending while the two differ. With one writer per word no atomic
 * instruction is needed (with the MMU off all memory is Device memory, where
 * exclusives are not guaranteed to work). Several posts before the target
 * looks make one pending SGI, as in the GIC. */
struct mailbox {
    volatile uint32_t posted[NVCPU][NSGI];
    volatile uint32_t taken[NVCPU][NSGI];
};
static struct mailbox mbox[NVCPU];

struct pe_stats {                            /* each written only by its own PE */
    unsigned sgi_traps;                      /* ICC_SGI1R_EL1 writes trapped (EC 0x18) */
    unsigned kicks;                          /* physical SGIs taken at EL2 */
    unsigned injected;                       /* virtual SGIs put in a list register */
    unsigned hvcs;                           /* HVC exits */
};
static volatile struct pe_stats stats[NVCPU];
static volatile uint64_t vttbr[NVCPU];       /* what each PE loaded, to compare */
static volatile unsigned pe1_ready;          /* PE 1 has set up EL2 (and printed) */

/* ---- guest state (guest memory: the hypervisor does not look at it) ---- */

static volatile unsigned online[NVCPU];      /* vCPU n is up and listening */
static volatile unsigned received[NVCPU];    /* virtual SGIs vCPU n has taken */
static uint8_t vcpu_stack[NVCPU][8192] __attribute__((aligned(16)));

static void dsb(void) { __asm__ volatile("dsb ish" ::: "memory"); }

static unsigned this_pe(void) { return (unsigned)READ_SYSREG(mpidr_el1) & 0xff; }   /* at EL2: physical */

/* ---- the hypervisor (EL2) ---- */

/* The same EL2 set-up on both PEs; only VMPIDR_EL2 differs. */
static void el2_setup(unsigned pe)
{
    unsigned vcpu = pe_vcpu[pe];
    /* The GIC: this PE's redistributor (RD_base frames are 0x20000 apart on
     * the virt board) out of sleep (GICR_WAKER), the kick SGI in Group 1 with
     * priority 0x80 and enabled (GICR_IGROUPR0, IPRIORITYR, ISENABLER0 of the
     * SGI_base frame), then EL2's own physical CPU interface. */
    uint64_t rd = GICR_RD_BASE + 0x20000UL * pe, sgi = rd + 0x10000;
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    mmio_w32(sgi + GICR_IGROUPR0, mmio_r32(sgi + GICR_IGROUPR0) | (1u << KICK_SGI));
    mmio_w8(sgi + GICR_IPRIORITYR(KICK_SGI), 0x80);
    mmio_w32(sgi + GICR_ISENABLER0, 1u << KICK_SGI);
    gic_cpuif_enable(0xff);                  /* ICC_SRE_EL2, PMR, IGRPEN1 (EOImode 0) */
    /* The virtual CPU interface: on (ICH_HCR_EL2.En), all LRs empty, and the
     * guest's own controls (ICH_VMCR_EL2) cleared: the guest turns its
     * interface on itself, through ICV_PMR_EL1 and ICV_IGRPEN1_EL1. */
    for (unsigned n = 0; n < 4; n++)
        ich_lr_write(n, 0);
    GIC_WR(ICH_VMCR_EL2, 0);
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    /* The vCPU's identity: MPIDR_EL1 read at EL1 returns VMPIDR_EL2. Bit 31
     * is RES1 (as in MPIDR_EL1), Aff0 = the vCPU number, U (bit 30) = 0: a
     * multiprocessor system. */
    WRITE_SYSREG(vmpidr_el2, (1UL << 31) | vcpu);
    /* Stage 2: the VM's tables and VMID (VTCR_EL2, VTTBR_EL2), and this PE's
     * TLB cleared for the VMID. Both PEs may cache the VM's translations, so
     * a later change would need the broadcast TLBI forms (…IS). */
    s2_setup(&s2);
    vttbr[pe] = READ_SYSREG(vttbr_el2);
    /* HCR_EL2: RW (EL1 is AArch64), VM (stage 2 on), IMO/FMO (physical
     * IRQs/FIQs to EL2, the guest's ICC_* become ICV_*, and its SGI writes
     * trap). The guest's vectors: VBAR_EL1. */
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM | HCR_IMO | HCR_FMO);
    WRITE_SYSREG(vbar_el1, (uint64_t)rt_vectors_el1);
    ISB();
    rt_printf("PE %u (EL2): MPIDR_EL1 = 0x%lx; HCR_EL2 = 0x%lx (RW, VM, IMO, FMO), ICH_HCR_EL2.En = 1, "
              "SGI %u enabled; VMPIDR_EL2 = 0x%lx; VTTBR_EL2 VMID %lu%s\n", pe, READ_SYSREG(mpidr_el1),
              READ_SYSREG(hcr_el2), KICK_SGI, READ_SYSREG(vmpidr_el2), vttbr[pe] >> 48,
              pe == 0 ? "" : vttbr[pe] == vttbr[0] ? ", same VTTBR_EL2 as PE 0: one VM" : ", NOT PE 0's");
}

/* Run the vCPU: ERET to guest() at EL1h on the vCPU's own stack (DAIF masked). */
static void __attribute__((noreturn)) enter_vcpu(void (*guest)(uint64_t), unsigned vcpu)
{
    rt_eret_to(guest, vcpu_stack[vcpu + 1], RT_SPSR_EL1H, 0);
}

/* Put the pending virtual SGIs of this PE's vCPU into free list registers
 * (ICH_ELRSR_EL2: one bit per empty LR): vINTID, Group 1, pending, priority,
 * HW = 0 (no physical interrupt behind it). */
static void flush_mailbox(unsigned pe)
{
    struct mailbox *m = &mbox[pe_vcpu[pe]];
    for (unsigned s = 0; s < NVCPU; s++)
        for (unsigned i = 0; i < NSGI; i++) {
            uint32_t p = m->posted[s][i];
            if (p == m->taken[s][i])
                continue;
            uint64_t empty = GIC_RD(ICH_ELRSR_EL2);
            if (!empty)
                return;                      /* no LR free: stays in the mailbox (a real
                                                hypervisor would ask for a maintenance
                                                interrupt, see example 05) */
            unsigned n = (unsigned)__builtin_ctzl(empty);
            uint64_t lr = LR_G1_PENDING(i, VSGI_PRIO);
            ich_lr_write(n, lr);
            m->taken[s][i] = p;
            stats[pe].injected++;
            rt_printf("PE %u (EL2): vCPU %u's mailbox: SGI %u from vCPU %u -> ICH_LR%u_EL2 = 0x%lx "
                      "(pending, Group 1, priority 0x%x, vINTID %u)\n", pe, pe_vcpu[pe], i, s, n, lr,
                      VSGI_PRIO, i);
        }
}

/* Emulate the guest's write to ICC_SGI1R_EL1 (trapped, EC 0x18). */
static void emulate_sgi1r(struct rt_frame *f, unsigned pe, uint32_t iss)
{
    /* The ISS of EC 0x18: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10],
     * Rt [9:5], CRm [4:1], Direction [0] (0 = MSR, a write). */
    unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    unsigned crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15, rd = iss & 1;
    if (op0 != 3 || op1 != 0 || crn != 12 || crm != 11 || op2 != 5 || rd) {
        rt_printf("PE %u (EL2): unexpected trapped access, ISS 0x%x\n", pe, iss);
        rt_exit(1);
    }
    uint64_t v = rt == 31 ? 0 : f->x[rt];   /* the value the guest wrote: its Rt, saved in the frame */
    /* ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2
     * [39:32], IRM [40] (1 = all PEs but self), RS [47:44], Aff3 [55:48]. The
     * targets are the vCPUs whose virtual MPIDR is Aff3.Aff2.Aff1.(16 * RS +
     * bit): here Aff1..3 = 0 and Aff0 = the vCPU number. */
    unsigned intid = (unsigned)(v >> 24) & 15, tl = (unsigned)v & 0xffff, irm = (unsigned)(v >> 40) & 1;
    unsigned aff1 = (unsigned)(v >> 16) & 0xff, aff2 = (unsigned)(v >> 32) & 0xff;
    unsigned rs = (unsigned)(v >> 44) & 15, aff3 = (unsigned)(v >> 48) & 0xff;
    unsigned from = pe_vcpu[pe];
    stats[pe].sgi_traps++;
    rt_printf("PE %u (EL2): trap EC 0x18, ISS 0x%x = MSR Op0 %u Op1 %u CRn %u CRm %u Op2 %u "
              "(ICC_SGI1R_EL1), x%u = 0x%lx: INTID %u, Aff1 %u, IRM %u, TargetList 0x%x\n", pe, iss, op0,
              op1, crn, crm, op2, rt, v, intid, aff1, irm, tl);
    for (unsigned t = 0; t < NVCPU; t++) {
        int hit = irm ? t != from : aff3 == 0 && aff2 == 0 && aff1 == 0 && rs == 0 && (tl >> t) & 1;
        if (!hit)
            continue;
        mbox[t].posted[from][intid]++;       /* the virtual SGI is pending for vCPU t */
        if (vcpu_pe[t] == pe) {              /* to itself: into an LR on the way back */
            flush_mailbox(pe);
            continue;
        }
        rt_printf("PE %u (EL2): vCPU %u runs on PE %u: SGI %u to its mailbox, kick PE %u with "
                  "physical SGI %u\n", pe, t, vcpu_pe[t], intid, vcpu_pe[t], KICK_SGI);
        /* The mailbox write must be visible before the other PE can take the
         * kick (as Linux does before an IPI): DSB, then ICC_SGI1R_EL1 at EL2
         * (not trapped: EL2's own physical interface), Aff0 bit = the PE. */
        dsb();
        GIC_WR(ICC_SGI1R_EL1, SGI1R(KICK_SGI, 1u << vcpu_pe[t]));
        ISB();
    }
    f->elr += 4;                             /* ELR_EL2 points at the MSR: skip it */
}

void el2_handler(struct rt_frame *f, int vector)
{
    unsigned pe = this_pe();
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {     /* a physical IRQ while the vCPU ran */
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        __asm__ volatile("dmb ish" ::: "memory");  /* read the mailbox after the acknowledge */
        if (intid != KICK_SGI) {
            rt_printf("PE %u (EL2): unexpected physical interrupt %u\n", pe, intid);
            rt_exit(1);
        }
        stats[pe].kicks++;
        rt_printf("PE %u (EL2): IRQ, physical SGI %u (ICC_IAR1_EL1 at EL2): a kick from the other PE\n",
                  pe, intid);
        flush_mailbox(pe);
        GIC_WR(ICC_EOIR1_EL1, intid);            /* EOImode 0: priority drop and deactivation */
        ISB();
        return;                                  /* ERET: the vCPU takes the virtual IRQ */
    }
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x18) {
        emulate_sgi1r(f, pe, (uint32_t)ESR_ISS(esr));
        return;
    }
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x16) {   /* HVC: the vCPU is done */
        stats[pe].hvcs++;
        dsb();
        if (pe != 0) {
            /* PE 1 says nothing (PE 0 may be printing): it powers off. */
            psci_smc(PSCI_CPU_OFF, 0, 0, 0);
            rt_exit(1);                          /* CPU_OFF does not return */
        }
        int64_t a;
        unsigned spins = 0;
        while ((a = psci_smc(PSCI_AFFINITY_INFO_64, 1, 0, 0)) != 1 && spins < 1000000)
            spins++;
        rt_printf("PE 0 (EL2): vCPU %u left with HVC; vCPU %u left with HVC and PE 1 is off "
                  "(PSCI CPU_OFF; AFFINITY_INFO(1) = %ld)\n", pe_vcpu[0], pe_vcpu[1], a);
        int ok = a == 1;
        for (unsigned p = 0; p < NVCPU; p++) {
            rt_printf("PE %u: %u ICC_SGI1R_EL1 traps, %u kicks taken, %u virtual SGIs injected, %u HVC\n",
                      p, stats[p].sgi_traps, stats[p].kicks, stats[p].injected, stats[p].hvcs);
            ok &= stats[p].sgi_traps == ROUNDS && stats[p].kicks == ROUNDS &&
                  stats[p].injected == ROUNDS && stats[p].hvcs == 1;
        }
        rt_printf("virtual SGIs delivered: %u (vCPU 0 took %u, vCPU 1 took %u)\n", received[0] + received[1],
                  received[0], received[1]);
        rt_exit(ok && received[0] == ROUNDS && received[1] == ROUNDS ? 0 : 1);
    }
    rt_printf("PE %u (EL2): unexpected exception (vector %d, ESR 0x%lx)\n", pe, vector, esr);
    rt_exit(1);
}

/* ---- the guest (EL1, both vCPUs run this code) ---- */

static unsigned this_vcpu(void) { return (unsigned)READ_SYSREG(mpidr_el1) & 0xff; }   /* at EL1: virtual */

void el1_handler(struct rt_frame *f, int vector)
{
    (void)f;
    unsigned me = this_vcpu();
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("vCPU %u: unexpected exception (vector %d)\n", me, vector);
        rt_exit(1);
    }
    /* A virtual IRQ: ICC_IAR1_EL1 is ICV_IAR1_EL1 (IMO = 1), it reads the
     * list register's vINTID and makes it active; ICV_EOIR1_EL1 (EOImode 0)
     * drops the priority and deactivates it: the LR is empty again. */
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    rt_printf("vCPU %u: virtual IRQ: ICC_IAR1_EL1 = %u, EOI\n", me, intid);
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
    if (intid == VSGI)
        received[me]++;
}

/* Send SGI 3 to vCPU `to`: Aff3.Aff2.Aff1 = 0, TargetList bit `to` (its Aff0). */
static void send_sgi(unsigned me, unsigned to, const char *what, unsigned round)
{
    uint64_t v = SGI1R(VSGI, 1u << to);
    rt_printf("vCPU %u: %s %u: SGI %u to vCPU %u, ICC_SGI1R_EL1 = 0x%lx\n", me, what, round, VSGI, to, v);
    register uint64_t x2 __asm__("x2") = v;      /* Rt = x2, so the ISS is the same with every compiler */
    __asm__ volatile("msr S3_0_C12_C11_5, %0\n\tisb" :: "r"(x2) : "memory");
}

/* Wait for the n-th virtual SGI: mask, check, WFI (wakes even when masked),
 * then a short unmasked window in which the virtual IRQ is taken (WFI_UNTIL,
 * tests/guest/rt/rt.h). */
static void wait_sgi(unsigned me, unsigned n)
{
    WFI_UNTIL(received[me] >= n);
}

static void guest(uint64_t arg)
{
    (void)arg;
    unsigned me = this_vcpu(), peer = 1 - me;
    if (me == 0)                                 /* like a boot CPU: wait for the other vCPU */
        while (!online[1]) {
        }
    rt_printf("vCPU %u: MPIDR_EL1 = 0x%lx: I am vCPU %u\n", me, READ_SYSREG(mpidr_el1), me);
    /* The virtual CPU interface: priority mask open (ICV_PMR_EL1), Group 1 on
     * (ICV_IGRPEN1_EL1): they set ICH_VMCR_EL2.VPMR and VENG1, no exit. */
    GIC_WR(ICC_PMR_EL1, 0xff);
    GIC_WR(ICC_IGRPEN1_EL1, 1);
    ISB();
    if (me == 1) {
        rt_printf("vCPU 1: interrupts on (ICC_PMR_EL1 = 0xff, ICC_IGRPEN1_EL1 = 1), waiting\n");
        dsb();
        online[1] = 1;
    } else {
        rt_printf("vCPU 0: interrupts on (ICC_PMR_EL1 = 0xff, ICC_IGRPEN1_EL1 = 1), vCPU 1 is online\n");
    }
    for (unsigned r = 1; r <= ROUNDS; r++) {
        if (me == 0) {
            send_sgi(me, peer, "ping", r);
            wait_sgi(me, r);
        } else {
            wait_sgi(me, r);
            send_sgi(me, peer, "pong", r);
        }
    }
    if (me == 0)
        rt_printf("vCPU 0: %u round trips done, leaving (HVC)\n", ROUNDS);
    __asm__ volatile("hvc #0");
    for (;;) {
    }
}

/* ---- PE 1: started by CPU_ON at pe1_entry, on its own EL2 stack ---- */

PSCI_SECONDARY_ENTRY(pe1_entry, pe1_main, 8192);

void pe1_main(uint64_t context_id)
{
    (void)context_id;
    WRITE_SYSREG(vbar_el2, (uint64_t)rt_vectors_el2);   /* this PE's exceptions to EL2 */
    ISB();
    el2_setup(1);
    dsb();
    pe1_ready = 1;                               /* PE 0 may go on (and print) */
    enter_vcpu(guest, pe_vcpu[1]);
}

/* ---- PE 0: the boot PE ---- */

int main(void)
{
    rt_printf("hypervisor: one VM, %u vCPUs: vCPU 0 on PE %u, vCPU 1 on PE %u\n", NVCPU, vcpu_pe[0],
              vcpu_pe[1]);
    /* The VM's memory: one stage 2 identity map of the image (IPA == PA). */
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 2);
    gic_dist_enable();                           /* GICD_CTLR: ARE, Group 0 and 1 on (once) */
    el2_setup(0);
    rt_printf("PE 0 (EL2): starting PE 1 (PSCI CPU_ON)\n");
    dsb();
    int64_t r = psci_smc(PSCI_CPU_ON_64, 1, (uint64_t)pe1_entry, 0);
    if (r != 0) {
        rt_printf("PE 0 (EL2): CPU_ON failed: %ld\n", r);
        return 1;
    }
    while (!pe1_ready) {                         /* one PE prints at a time */
    }
    enter_vcpu(guest, pe_vcpu[0]);
}
