/* Example 06: trapping system registers and WFI, and the cost of exits.
 *
 * What it shows (course topic: trap controls and VM exits):
 *  - HCR_EL2 decides which guest instructions exit to EL2. The hypervisor runs the
 *    SAME guest workload four times, changing only the trap bits:
 *      1. no traps;
 *      2. TVM|TRVM: writes (MSR) and reads (MRS) of the EL1 virtual memory control
 *         registers (SCTLR_EL1, TTBR0_EL1, TCR_EL1, MAIR_EL1, CONTEXTIDR_EL1, ...)
 *         exit with EC 0x18; the hypervisor emulates them with a shadow copy;
 *      3. TID3: reads of the ID registers exit; the hypervisor changes what the
 *         guest learns about its CPU (it hides EL2 and the 16-bit ASIDs);
 *      4. TWI: the guest's WFI exits with EC 0x01; the hypervisor treats it as a yield.
 *  - For EC 0x18 the ISS names the register (Op0, Op1, CRn, CRm, Op2), the general
 *    register Rt and the direction; the hypervisor decodes it to emulate the access.
 *  - Every exit is counted. The counts are the point: the guest's work is the same in
 *    every run, only the number of round trips to EL2 changes (see README.md for how
 *    to measure their cost in cycles on avsim). */
#include "rt/rt.h"

/* ---- The guest's system register accesses, with Rt pinned ----
 * Writes use x2, reads x3, so that the Rt decoded below is the same whichever
 * compiler builds the example. READ_SYSREG/WRITE_SYSREG trap in the same way. */
#define GUEST_MSR(reg, val) do { register uint64_t v_ __asm__("x2") = (val); \
        __asm__ volatile("msr " #reg ", %0" :: "r"(v_) : "memory"); } while (0)
#define GUEST_MRS(reg) ({ register uint64_t v_ __asm__("x3"); \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_) :: "memory"); v_; })

/* ---- The hypervisor (EL2) ---- */

/* The registers this hypervisor emulates, by their encoding (as in the ISS). */
enum { SCTLR, TTBR0, TCR, MAIR, CONTEXTIDR, PFR0, MMFR0, NREGS };
static const struct { unsigned op0, op1, crn, crm, op2; const char *name; } regs[NREGS] = {
    [SCTLR] = { 3, 0, 1, 0, 0, "SCTLR_EL1" },     [TTBR0] = { 3, 0, 2, 0, 0, "TTBR0_EL1" },
    [TCR] = { 3, 0, 2, 0, 2, "TCR_EL1" },         [MAIR] = { 3, 0, 10, 2, 0, "MAIR_EL1" },
    [CONTEXTIDR] = { 3, 0, 13, 0, 1, "CONTEXTIDR_EL1" },
    [PFR0] = { 3, 0, 0, 4, 0, "ID_AA64PFR0_EL1" }, [MMFR0] = { 3, 0, 0, 7, 0, "ID_AA64MMFR0_EL1" },
};

static uint64_t shadow[NREGS];          /* the guest's view of its registers (run 2) */
static unsigned exits, exits_read, exits_write, exits_id, exits_wfi;
static int shown_read, shown_write, shown_id, shown_wfi;   /* decode only the first of each */

/* Make the real register hold what the guest wrote (the guest must still run as it asked). */
static void write_real(int r, uint64_t v)
{
    switch (r) {
    case SCTLR: WRITE_SYSREG(sctlr_el1, v); break;
    case TTBR0: WRITE_SYSREG(ttbr0_el1, v); break;
    case TCR: WRITE_SYSREG(tcr_el1, v); break;
    case MAIR: WRITE_SYSREG(mair_el1, v); break;
    case CONTEXTIDR: WRITE_SYSREG(contextidr_el1, v); break;
    }
}

/* What TID3 lets the hypervisor do: answer with a value of its own. */
static uint64_t emulate_id(int r)
{
    if (r == PFR0)      /* EL2, bits 11:8 = 0: "no EL2", this guest cannot be a hypervisor */
        return READ_SYSREG(id_aa64pfr0_el1) & ~(0xfUL << 8);
    /* ASIDBits, bits 7:4 = 0: 8-bit ASIDs instead of 16, e.g. because the hypervisor
     * wants the same value on every machine the VM may migrate to. (PARange, bits 3:0,
     * is not used here: it is IMPLEMENTATION DEFINED, 40 bits on avsim, 44 on QEMU.) */
    return READ_SYSREG(id_aa64mmfr0_el1) & ~(0xfUL << 4);
}

/* EC 0x18: a trapped MSR or MRS. Decode the ISS and emulate the access. */
static void sysreg_exit(struct rt_frame *f, uint32_t iss)
{
    unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    unsigned crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15;
    int read = iss & 1;                 /* Direction: 1 = MRS (read), 0 = MSR (write) */
    int r;
    for (r = 0; r < NREGS; r++)
        if (regs[r].op0 == op0 && regs[r].op1 == op1 && regs[r].crn == crn &&
            regs[r].crm == crm && regs[r].op2 == op2)
            break;
    if (r == NREGS) {
        rt_printf("hypervisor: unknown register S%u_%u_C%u_C%u_%u\n", op0, op1, crn, crm, op2);
        rt_exit(1);
    }
    int *shown = r >= PFR0 ? &shown_id : read ? &shown_read : &shown_write;
    if (!*shown) {
        *shown = 1;
        rt_printf("hypervisor: exit %u: EC=0x18 ISS=0x%07x: Op0=%u Op1=%u CRn=%u CRm=%u Op2=%u "
                  "Rt=%u %s\n", exits, iss, op0, op1, crn, crm, op2, rt, read ? "read" : "write");
        if (read)
            rt_printf("  = mrs x%u, %s\n", rt, regs[r].name);
        else
            rt_printf("  = msr %s, x%u\n", regs[r].name, rt);
    }
    uint64_t zero = 0, *x = rt == 31 ? &zero : &f->x[rt];   /* Rt = 31 is xzr */
    if (r >= PFR0) {                     /* TID3: an ID register read */
        *x = emulate_id(r);
        exits_id++;
    } else if (read) {                   /* TRVM: the guest reads the shadow */
        *x = shadow[r];
        exits_read++;
    } else {                             /* TVM: record, then do what the guest asked */
        shadow[r] = *x;
        write_real(r, *x);
        exits_write++;
    }
}

/* Every exit from the guest arrives here (vector "lower EL, AArch64, synchronous"). */
void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    exits++;
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x18) {
        sysreg_exit(f, (uint32_t)ESR_ISS(esr));
    } else if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x01) {
        /* WFI (ISS bit 0, TI = 0; 1 would be WFE). The guest has nothing to do: a real
         * hypervisor runs another vCPU or sleeps until one of this vCPU's interrupts
         * arrives. Here there is nobody else, so the "yield" returns at once. */
        if (!shown_wfi++)
            rt_printf("hypervisor: exit %u: EC=0x01 ISS=0x%07lx: TI=%lu = wfi -> a yield, "
                      "skipped\n", exits, ESR_ISS(esr), esr & 1);
        exits_wfi++;
    } else {
        rt_printf("hypervisor: unexpected exit (vector %d, EC 0x%x)\n", vector,
                  (unsigned)ESR_EC(esr));
        rt_exit(1);
    }
    f->elr += 4;        /* a trapped instruction has not executed: skip it */
}

/* ---- The guest (EL1): the same workload in every run ---- */

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    /* 1. Boot: probe the CPU (ID registers; TID3 traps these). */
    uint64_t pfr0 = GUEST_MRS(id_aa64pfr0_el1), mmfr0 = GUEST_MRS(id_aa64mmfr0_el1);
    rt_printf("guest: the CPU %s EL2; ASIDs are %u bits\n", (pfr0 >> 8) & 0xf ? "has" : "has no",
              (mmfr0 >> 4) & 0xf ? 16 : 8);

    /* 2. Set up address translation (left off: a real kernel would now set SCTLR_EL1.M).
     *    TVM traps each of these writes, TRVM the read. */
    GUEST_MSR(mair_el1, 0xff04);                 /* attr 0 Device-nGnRE, attr 1 Normal WB */
    GUEST_MSR(tcr_el1, 0x200803510UL);           /* 48-bit VAs, 4 KiB granule, 40-bit IPS */
    GUEST_MSR(sctlr_el1, GUEST_MRS(sctlr_el1));  /* read-modify-write, nothing modified */

    /* 3. A scheduler: 8 context switches. Each switches the address space (TTBR0_EL1 with
     *    the task's ASID, CONTEXTIDR_EL1 = its pid), checks it, runs the task's work,
     *    and then idles in WFI until the next tick. */
    uint64_t sum = 0;
    for (uint64_t task = 1; task <= 8; task++) {
        uint64_t ttbr = task << 48 | (0x40800000 + task * 0x1000);
        GUEST_MSR(ttbr0_el1, ttbr);
        GUEST_MSR(contextidr_el1, task);
        if (GUEST_MRS(ttbr0_el1) != ttbr)
            return 1;
        for (uint64_t i = 0; i < 1000; i++)      /* the task's work: no exits */
            sum = sum * 31 + (i ^ task);
        __asm__ volatile("wfi" ::: "memory");   /* idle until something happens */
    }
    rt_printf("guest: 8 tasks done, checksum 0x%016lx\n", sum);
    return 0;
}

/* ---- The hypervisor's main program ---- */

static uint64_t run(const char *what, uint64_t hcr)
{
    exits = exits_read = exits_write = exits_id = exits_wfi = 0;
    rt_printf("== %s\n", what);
    /* The shadow starts as the vCPU's registers (a hypervisor loads both on a switch). */
    shadow[SCTLR] = READ_SYSREG(sctlr_el1), shadow[TTBR0] = READ_SYSREG(ttbr0_el1);
    shadow[TCR] = READ_SYSREG(tcr_el1), shadow[MAIR] = READ_SYSREG(mair_el1);
    shadow[CONTEXTIDR] = READ_SYSREG(contextidr_el1);
    uint64_t ret = rt_run_el1(guest, hcr, 0);
    rt_printf("hypervisor: guest returned %lu after %u exits (sysreg writes %u, reads %u, "
              "ID reads %u, WFI %u)\n", ret, exits, exits_write, exits_read, exits_id, exits_wfi);
    return ret;
}

int main(void)
{
    rt_printf("hypervisor: one guest workload, four trap configurations\n");
    /* Without TWI the guest's WFI must wake up by itself: a virtual IRQ is kept pending
     * (IMO|VI) that the guest never unmasks; a pending interrupt ends WFI at once. */
    uint64_t bad = 0;
    bad |= run("1. no traps (HCR_EL2 = RW|IMO|VI)", HCR_IMO | HCR_VI);
    bad |= run("2. HCR_EL2.TVM|TRVM: virtual memory registers trap",
               HCR_TVM | HCR_TRVM | HCR_IMO | HCR_VI);
    rt_printf("hypervisor: shadow TTBR0_EL1=0x%016lx CONTEXTIDR_EL1=%lu, real registers %s\n",
              shadow[TTBR0], shadow[CONTEXTIDR],
              READ_SYSREG(ttbr0_el1) == shadow[TTBR0] &&
              READ_SYSREG(contextidr_el1) == shadow[CONTEXTIDR] ? "the same" : "DIFFERENT");
    bad |= run("3. HCR_EL2.TID3: ID register reads trap", HCR_TID3 | HCR_IMO | HCR_VI);
    /* No pending vIRQ here: the Arm ARM checks TWI only when no interrupt is pending
     * (one that is pending, even masked, just ends the WFI), so each WFI traps. */
    bad |= run("4. HCR_EL2.TWI: WFI traps", HCR_TWI);
    return bad != 0;            /* the exit status: 0 if every run's guest returned 0 */
}
