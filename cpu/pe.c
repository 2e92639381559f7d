/* The processing element.
 *
 * Design (the constraints come from ../shared/notes/unicorn-2.1.md and from
 * probes recorded in the README, "How it works"):
 *  - Unicorn executes guest code natively but takes no exception
 *    architecturally. avsim takes every exception itself (AArch64.TakeException):
 *    it writes ESR/FAR/ELR/SPSR and switches EL through a private page holding
 *    an ERET (the only way to make Unicorn rebuild its cached EL state), then
 *    repairs the banked ELR/SPSR that ERET consumed (struct pe_entry_fixup).
 *  - Unicorn's own HCR_EL2 holds only RW: every trap control lives in avsim's
 *    register file, so Unicorn never traps on its own.
 *  - A PC change from an MRS/MSR hook is not honoured for registers Unicorn
 *    knows (the translation block runs on). Trap decisions are therefore made
 *    at block boundaries: the block hook, which runs before the block's
 *    exit-request check, looks at the block's system instructions and WFx under
 *    the current state. A trap on the block's first instruction is taken there;
 *    a trap further in is reached by a transient one-address code hook (a
 *    "cut") and the block is re-translated with it.
 *  - Virtual interrupts (HCR_EL2.VI/VF/VSE) are delivered by avsim at block
 *    boundaries after anything that may unmask them (ERET, DAIF writes).
 *  - Unicorn reports an access to unassigned memory with the PC of the block
 *    start but exact registers; the faulting load/store is found by decoding
 *    the block (pe_find_faulting_access).
 */
#include "cpu/pe.h"
#include "cpu/pe_internal.h"
#include "cpu/insn.h"
#include "cpu/routing.h"
#include "cpu/syndrome.h"
#include "cpu/sysreg_handlers.h"
#include <capstone/capstone.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QEMU's exception numbers as delivered to UC_HOOK_INTR. */
enum { EXCP_UDEF = 1, EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4, EXCP_BKPT = 7,
       EXCP_HVC = 11, EXCP_HYP_TRAP = 12, EXCP_SMC = 13 };

#define UNTIL_NEVER 0xfffffffffffffffdULL
#define SYNC_LOOP_LIMIT 1000
#define PSTATE_IL (1u << 20)
#define PSTATE_A (1u << 8)
#define PSTATE_I (1u << 7)
#define PSTATE_F (1u << 6)


/* ---- register access helpers ---------------------------------------------------- */

uint64_t pe_rd(struct pe *pe, int reg)
{
    uint64_t v = 0;
    uc_reg_read(pe->uc, reg, &v);
    return v;
}

void pe_wr(struct pe *pe, int reg, uint64_t v)
{
    pe->sp_aligned = false;         /* SP, PSTATE.SP or the EL may change */
    uc_reg_write(pe->uc, reg, &v);
}

uint64_t pe_cp_read(struct pe *pe, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                        unsigned op2, bool *ok)
{
    uc_arm64_cp_reg cp = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2 };
    uc_err e = uc_reg_read(pe->uc, UC_ARM64_REG_CP_REG, &cp);
    if (ok)
        *ok = e == UC_ERR_OK;
    return cp.val;
}

void pe_cp_write(struct pe *pe, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                     unsigned op2, uint64_t v)
{
    uc_arm64_cp_reg cp = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = v };
    uc_reg_write(pe->uc, UC_ARM64_REG_CP_REG, &cp);
}

uint32_t pe_read_pstate(struct pe *pe) { return (uint32_t)pe_rd(pe, UC_ARM64_REG_PSTATE); }

static void write_spsr(struct pe *pe, unsigned el, uint64_t v)
{
    if (el == 1)
        pe_cp_write(pe, 3, 0, 4, 0, 0, v);
    else
        pe_cp_write(pe, 3, 4, 4, 0, 0, v);
}

static int elr_reg(unsigned el) { return UC_ARM64_REG_ELR_EL0 + (int)el; }
static int sp_reg(unsigned el) { return UC_ARM64_REG_SP_EL0 + (int)el; }

uint64_t pe_get_x(struct pe *pe, unsigned n)
{
    if (n >= 31)
        return 0;
    int reg = n <= 28 ? UC_ARM64_REG_X0 + (int)n : (n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30);
    return pe_rd(pe, reg);
}

void pe_set_x(struct pe *pe, unsigned n, uint64_t v)
{
    if (n >= 31)
        return;
    int reg = n <= 28 ? UC_ARM64_REG_X0 + (int)n : (n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30);
    pe_wr(pe, reg, v);
}

uint64_t pe_get_pc(struct pe *pe) { return pe_rd(pe, UC_ARM64_REG_PC); }

const uint8_t *pe_ram_ptr(const struct pe *pe, uint64_t pa, size_t len)
{
    if (pe->ram_host && pa >= pe->ram_base && len <= pe->ram_size && pa - pe->ram_base <= pe->ram_size - len)
        return pe->ram_host + (pa - pe->ram_base);
    return NULL;
}

int pe_read_phys(struct pe *pe, uint64_t pa, void *buf, size_t len)
{
    const uint8_t *p = pe_ram_ptr(pe, pa, len);
    if (p) {
        memcpy(buf, p, len);
        return 0;
    }
    return uc_mem_read(pe->uc, pa, buf, len) == UC_ERR_OK ? 0 : -1;
}

int pe_write_phys(struct pe *pe, uint64_t pa, const void *buf, size_t len)
{
    return uc_mem_write(pe->uc, pa, buf, len) == UC_ERR_OK ? 0 : -1;
}

/* Physical accesses for a debugger: RAM only (reading a device register
 * could change the device), page by page. */
static int ram_access(struct pe *pe, uint64_t pa, void *buf, size_t len, bool write)
{
    while (len) {
        size_t n = 0x1000 - (pa & 0xfff);
        if (n > len)
            n = len;
        if (pe->ops->phys_kind(pe->ops_opaque, pa) != 1 ||
            (write ? pe_write_phys(pe, pa, buf, n) : pe_read_phys(pe, pa, buf, n)) != 0)
            return -1;
        pa += n;
        buf = (uint8_t *)buf + n;
        len -= n;
    }
    return 0;
}

int pe_read_ram(struct pe *pe, uint64_t pa, void *buf, size_t len) { return ram_access(pe, pa, buf, len, false); }

int pe_write_ram(struct pe *pe, uint64_t pa, const void *buf, size_t len)
{
    if (ram_access(pe, pa, (void *)buf, len, true) != 0)
        return -1;
    /* The PA may be code under any VA: drop all translated and decoded code,
     * here and (as an IC IALLUIS would) on the other PEs. */
    uc_ctl(pe->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
    block_cache_flush(&pe->blocks);
    pe_forget_running_block(pe);
    if (pe->ops->broadcast_ic)
        pe->ops->broadcast_ic(pe->ops_opaque, pe, 0, true);
    return 0;
}

uint32_t pe_read_insn(struct pe *pe, uint64_t va)
{
    uint32_t w = 0;
    uint64_t pa;
    if (!pe_va_to_pa(pe, va, true, &pa) || pe_read_phys(pe, pa, &w, 4) != 0)
        return 0;
    return w;
}

uint64_t pe_hcr_el2(const struct pe *pe) { return pe->sr[pe->idx.hcr_el2]; }

uint64_t pe_read_sysreg(struct pe *pe, const char *name)
{
    const struct sysreg_def *d = sysreg_by_name(name);
    if (!d)
        return 0;
    if (d->storage == SR_AVSIM)
        return d->read ? d->read(pe, d) : pe->sr[d->index];
    return pe_cp_read(pe, d->op0, d->op1, d->crn, d->crm, d->op2, NULL);
}

void pe_request_stop(struct pe *pe)
{
    if (pe->stop == PE_STOP_NONE)
        pe->stop = PE_STOP_REQUESTED;
    pe->attn.f.stop = true;
    uc_emu_stop(pe->uc);
}

void pe_fatal(struct pe *pe, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pe->fatal, sizeof pe->fatal, fmt, ap);
    va_end(ap);
    pe->stop = PE_STOP_FATAL;
    pe->attn.f.stop = true;
    uc_emu_stop(pe->uc);
}

/* ---- EL switching and exception entry ------------------------------------------- */

/* Completes an EL switch once the trampoline's ERET has run. */
static void finish_entry(struct pe *pe)
{
    struct pe_entry_fixup *e = &pe->entry;
    if (!e->active)
        return;
    if (e->from_el0) {
        pe_fatal(pe, "internal error: leaving EL0 did not reach EL1");
        e->active = false;
        pe->attn.f.entry = false;
        return;
    }
    if (e->set_banked) {
        pe_wr(pe, elr_reg(e->target_el), e->elr);
        write_spsr(pe, e->target_el, e->spsr);
    }
    if (e->restore_elr_el >= 0)
        pe_wr(pe, elr_reg((unsigned)e->restore_elr_el), e->restore_elr);
    pe->el = e->target_el;
    pmu_el_changed(&pe->pmu, pe->el);
    e->active = false;
    pe->attn.f.entry = false;
    pe->attn.f.sp_recheck = true;
}

/* Switches to PSTATE new_pstate at pc. Unicorn caches the EL: only an ERET
 * executed by the guest rebuilds it, so the switch runs the ERET on the
 * private trampoline page with SPSR_<target> = new_pstate and
 * ELR_<cached EL> = pc, after banking SP by hand (the ERET banks SP by the EL
 * in PSTATE). When set_banked, ELR/SPSR of the target EL get elr/spsr after
 * the switch. */
static void switch_el_from_el1_or_el2(struct pe *pe, uint32_t old, uint32_t new_pstate, uint64_t pc)
{
    unsigned cached = (old >> 2) & 3;
    unsigned target = (new_pstate >> 2) & 3;
    struct pe_entry_fixup *e = &pe->entry;
    pe_wr(pe, sp_reg((old & 1) ? cached : 0), pe_rd(pe, UC_ARM64_REG_SP));
    uint64_t new_sp = pe_rd(pe, sp_reg((new_pstate & 1) ? target : 0));
    if (cached != target && e->restore_elr_el < 0) {
        e->restore_elr_el = (int)cached;
        e->restore_elr = pe_rd(pe, elr_reg(cached));
    }
    pe_wr(pe, elr_reg(cached), pc);
    write_spsr(pe, target, new_pstate);
    pe_wr(pe, UC_ARM64_REG_PSTATE, new_pstate);
    pe_wr(pe, UC_ARM64_REG_SP, new_sp);
    pe_wr(pe, UC_ARM64_REG_PC, PE_TRAMPOLINE_PA);
}

/* Switches to PSTATE new_pstate at pc. Unicorn caches the EL: only an ERET
 * executed by the guest rebuilds it, so the switch runs the ERET on the
 * private trampoline page with SPSR_<target> = new_pstate and
 * ELR_<cached EL> = pc, after banking SP by hand (the ERET banks SP by the EL
 * in PSTATE). When set_banked, ELR/SPSR of the target EL get elr/spsr after
 * the switch.
 * ERET is UNDEFINED at EL0, so leaving EL0 takes one more step: Unicorn takes
 * a virtual IRQ architecturally (it is the one exception Unicorn delivers
 * itself), with its HCR_EL2 = RW|IMO|VI and VBAR_EL1 pointing at the
 * trampoline page, whose lower-EL IRQ vector is reached at EL1; the block hook
 * there restores what that borrowed and continues as from EL1. */
static void switch_el(struct pe *pe, uint32_t new_pstate, uint64_t pc, bool set_banked, uint64_t elr,
                      uint32_t spsr)
{
    finish_entry(pe);
    uint32_t old = pe_read_pstate(pe);
    struct pe_entry_fixup *e = &pe->entry;
    e->active = true;
    pe->attn.f.entry = true;
    e->from_el0 = false;
    e->target_el = (new_pstate >> 2) & 3;
    e->set_banked = set_banked;
    e->elr = elr;
    e->spsr = spsr;
    e->restore_elr_el = -1;
    e->pc = pc;                       /* where the switch lands (a debugger shows it as the PC) */
    if (((old >> 2) & 3) != 0 && !pe->a32.active) {
        switch_el_from_el1_or_el2(pe, old, new_pstate, pc);
        return;
    }
    e->from_el0 = true;
    e->new_pstate = new_pstate;
    e->saved_vbar_el1 = pe_rd(pe, UC_ARM64_REG_VBAR_EL1);
    e->saved_elr_el1 = pe_rd(pe, UC_ARM64_REG_ELR_EL1);
    e->saved_spsr_el1 = pe_cp_read(pe, 3, 0, 4, 0, 0, NULL);
    pe_wr(pe, UC_ARM64_REG_VBAR_EL1, PE_TRAMPOLINE_PA);
    pe_wr(pe, UC_ARM64_REG_PSTATE, old & ~PSTATE_I);
    pe_cp_write(pe, 3, 4, 1, 1, 0, HCR_RW | HCR_IMO | HCR_VI);
    pe_wr(pe, UC_ARM64_REG_PC, PE_TRAMPOLINE_PA + 0x800);   /* UDF: reached only if the IRQ is not taken */
}

/* Second step of leaving EL0: Unicorn is at EL1 on the trampoline page. */
static void switch_el_landed(struct pe *pe)
{
    struct pe_entry_fixup *e = &pe->entry;
    if (pe->a32.active) {
        /* Back from Unicorn's AArch32 EL0, where no instruction ran: the AArch64
         * registers as they were at the ERET (Unicorn kept 32 bits of X0-X14). */
        pe->a32.active = false;
        for (unsigned r = 0; r < 31; r++)
            pe_set_x(pe, r, pe->a32.x[r]);
        pe_wr(pe, UC_ARM64_REG_SP_EL0, pe->a32.sp_el[0]);
        pe_wr(pe, UC_ARM64_REG_SP_EL2, pe->a32.sp_el[2]);
        pe_wr(pe, UC_ARM64_REG_SP, pe->a32.sp_el[1]);     /* SP_EL1: Unicorn is at EL1h */
    }
    pe_cp_write(pe, 3, 4, 1, 1, 0, HCR_RW);
    pe_wr(pe, UC_ARM64_REG_VBAR_EL1, e->saved_vbar_el1);
    pe_wr(pe, UC_ARM64_REG_ELR_EL1, e->saved_elr_el1);
    write_spsr(pe, 1, e->saved_spsr_el1);
    e->from_el0 = false;
    switch_el_from_el1_or_el2(pe, pe_read_pstate(pe), e->new_pstate, e->pc);
}

/* The current block was counted whole when it started; take back the
 * instructions from `pc` on, which did not retire. */
void pe_uncount_from(struct pe *pe, uint64_t pc)
{
    if (!pe->cur_size || pc - pe->cur_start >= pe->cur_size)     /* no wrap at the top of the VA space */
        return;
    uint64_t unexecuted = (pe->cur_size - (pc - pe->cur_start)) / 4;
    if (unexecuted <= pe->insns_by_el[pe->el]) {
        pe->insns -= unexecuted;
        pe->insns_by_el[pe->el] -= unexecuted;
        pe->cycles -= unexecuted * pe->cur_cycles / (pe->cur_size / 4);
    }
    pe->cur_size = 0;                 /* count it once */
}

/* AArch64.TakeException. */
void pe_take_exception(struct pe *pe, const struct pe_exception *x)
{
    pe->sp_aligned = false;
    finish_entry(pe);
    /* AArch64.TakeException clears PSTATE.IL: an Illegal Execution state exception
     * pending from an illegal return is superseded by any exception taken first (an
     * Instruction Abort or PC alignment fault at ELR has the higher priority), and the
     * PSTATE that illegal return left is what SPSR saves. Found by tests/gfuzz: avsim
     * took the Illegal state exception again at the abort's vector. */
    pe->attn.f.illegal = false;
    uint32_t illegal_pstate = pe->illegal_from_eret;
    pe->illegal_from_eret = 0;
    unsigned from = pe->el, target = x->target_el;
    uint32_t old = pe_read_pstate(pe);

    if (x->in_block)
        pe_uncount_from(pe, x->return_pc);
    uint64_t vbar = pe_rd(pe, target == 2 ? UC_ARM64_REG_VBAR_EL2 : UC_ARM64_REG_VBAR_EL1);
    /* (After an illegal return that Unicorn performed as legal, PSTATE.SP is the one the
     * return left, not Unicorn's: IllegalExceptionReturn keeps EL and SP.) */
    uint32_t cur_sp = (x->spsr_override ? x->spsr : illegal_pstate ? illegal_pstate : old) & 1;
    uint64_t vector = vbar + exception_vector_offset(from, target, cur_sp, x->kind);
    uint64_t esr = 0;
    if (x->has_esr) {
        esr = esr_make(x->ec, true, x->iss);
        pe_wr(pe, target == 2 ? UC_ARM64_REG_ESR_EL2 : UC_ARM64_REG_ESR_EL1, esr);
    }
    if (x->far_valid)
        pe_wr(pe, target == 2 ? UC_ARM64_REG_FAR_EL2 : UC_ARM64_REG_FAR_EL1, x->far);
    /* For observers: the instruction that caused a synchronous exception,
     * read while its translation regime is still the current one. */
    uint32_t insn = 0;
    bool insn_valid = false;
    if (x->kind == 0 && event_wanted(pe->events, EV_EXCEPTION) && x->ec != EC_IABORT_LOWER &&
        x->ec != EC_IABORT_SAME && x->ec != EC_PC_ALIGN) {
        uint64_t at = (x->ec == EC_SVC64 || x->ec == EC_HVC64) ? x->return_pc - 4 : x->return_pc, pa;
        insn_valid = pe_va_to_pa(pe, at, true, &pa) && pe_read_phys(pe, pa, &insn, 4) == 0;
    }
    /* SPSR holds the PSTATE fields the CPU has: Unicorn's max CPU also keeps
     * BTYPE, SSBS, DIT, UAO, TCO and PAN, which are RES0 where the model lacks them. */
    uint32_t mask = SPSR_V80_MASK, entry = exception_entry_pstate(old & SPSR_V80_MASK, target);
    if (pe->model->features & CPU_FEAT_PAN) {
        /* AArch64.TakeException: PSTATE.PAN is kept, and set when SCTLR_ELx.SPAN is 0 for a
         * target of EL1, or of EL2 in the host (HCR_EL2.{E2H,TGE} = {1,1}). */
        mask |= PSTATE_PAN;
        entry |= old & PSTATE_PAN;
        if ((target == 1 || (target == 2 && pe->mmu.host_el0)) && !(pe_guest_sctlr(pe, target) & SCTLR_SPAN))
            entry |= PSTATE_PAN;
    }
    /* SPSR.SS is avsim's PSTATE.SS (software step, pe_debug.c); PSTATE.SS is then 0. */
    uint32_t ss = __builtin_expect(pe->sd.ss_on || pe->sd.grant, 0) ? pe_sd_exception_ss(pe, x) : 0;
    switch_el(pe, entry, vector, true, x->return_pc,
              ((x->spsr_override ? x->spsr : illegal_pstate ? illegal_pstate : old & mask) & ~PSTATE_SS_BIT) | ss);
    pe->cycles += pe->model->exception_entry;
    pe->exceptions_taken++;
    pmu_count(&pe->pmu, PMU_SRC_EXC_TAKEN, from, 1);
    pe->attn.f.after_eret = false;
    if (event_wanted(pe->events, EV_EXCEPTION)) {
        struct event ev = { .type = EV_EXCEPTION, .pe = pe->index, .cycles = pe->cycles,
                            .pc = x->return_pc };
        ev.u.exc.ec = x->ec;
        ev.u.exc.iss = x->iss;
        ev.u.exc.esr = esr;
        ev.u.exc.far = x->far;
        ev.u.exc.far_valid = x->far_valid;
        ev.u.exc.from_el = from;
        ev.u.exc.to_el = target;
        ev.u.exc.vector = vector;
        ev.u.exc.vmid = from < 2 && pe->mmu.s2.enabled ? (int)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff) : -1;
        ev.u.exc.insn = insn;
        ev.u.exc.insn_valid = insn_valid;
        ev.u.exc.hpfar_valid = target == 2 && (x->ec == EC_IABORT_LOWER || x->ec == EC_DABORT_LOWER);
        if (ev.u.exc.hpfar_valid)
            ev.u.exc.hpfar = pe_cp_read(pe, 3, 4, 6, 0, 4, NULL);
        event_publish(pe->events, &ev);
    }
    if (x->kind == 0 && ++pe->sync_without_eret > SYNC_LOOP_LIMIT)
        pe_fatal(pe, "the guest is stuck: %d synchronous exceptions without an ERET, the last %s "
                 "(ESR 0x%llx) at PC 0x%llx to EL%u vector 0x%llx",
                 SYNC_LOOP_LIMIT, esr_ec_name(x->ec), (unsigned long long)esr,
                 (unsigned long long)x->return_pc, target, (unsigned long long)vector);
}

static void take_sync(struct pe *pe, unsigned ec, uint32_t iss, unsigned target, uint64_t ret,
                      bool in_block)
{
    struct pe_exception x = { .kind = 0, .ec = ec, .iss = iss, .has_esr = true, .target_el = target,
                              .return_pc = ret, .in_block = in_block };
    pe_take_exception(pe, &x);
}

unsigned pe_route_el1(struct pe *pe) { return exception_target_el(pe->el, pe_hcr_el2(pe), ROUTE_EL1); }

/* ---- interrupts -------------------------------------------------------------------- */

bool pe_idle_until_next_event(struct pe *pe) { return pe_idle_until(pe, TIMEQ_NEVER); }

bool pe_idle_until(struct pe *pe, uint64_t limit)
{
    uint64_t next = timeq_next(pe->timeq);
    bool found = next != TIMEQ_NEVER && next <= limit;
    uint64_t to = found ? next : limit;
    if (!found && limit == TIMEQ_NEVER)
        return false;
    if (to > pe->cycles) {
        pe->idle_cycles += to - pe->cycles;
        pe->cycles = to;
    }
    timeq_run_due(pe->timeq, pe->cycles);
    return found;
}

void pe_send_event(struct pe *pe) { pe->event_reg = true; }

bool pe_interrupt_pending(const struct pe *pe)
{
    uint64_t hcr = pe->sr[pe->idx.hcr_el2];
    return pe->irq_line || pe->fiq_line || pe->serror_line || pe->virq_line || pe->vfiq_line ||
           (hcr & (HCR_VI | HCR_VF | HCR_VSE)) != 0;
}

void pe_set_irq_line(struct pe *pe, int kind, bool level)
{
    if (kind == 1) pe->irq_line = level;
    if (kind == 2) pe->fiq_line = level;
    if (kind == 3) pe->serror_line = level;
    pe->attn.f.int_recheck = true;
}

void pe_set_virq_line(struct pe *pe, bool fiq, bool level)
{
    if (fiq)
        pe->vfiq_line = level;
    else
        pe->virq_line = level;
    pe->attn.f.int_recheck = true;
}

/* Takes a pending, unmasked interrupt at `pc` if there is one. Physical
 * interrupts (AArch64 interrupt routing): HCR_EL2.IMO/FMO/AMO or TGE route
 * them to EL2, where PSTATE masks them only at EL2 itself; otherwise they go to
 * EL1 and are never taken at EL2. Virtual interrupts (HCR_EL2.VI/VF/VSE, or
 * the GIC virtual CPU interface) are taken at EL1/EL0 only, masked by PSTATE. */
static bool deliver_interrupt(struct pe *pe, uint64_t pc)
{
    uint64_t hcr = pe_hcr_el2(pe);
    uint32_t ps = pe_read_pstate(pe);
    unsigned el = (ps >> 2) & 3;
    /* SError first, then FIQ, then IRQ; physical before virtual. */
    const bool phys[4] = { false, pe->irq_line, pe->fiq_line, pe->serror_line };
    const bool virt[4] = { false, (hcr & HCR_VI) || pe->virq_line, (hcr & HCR_VF) || pe->vfiq_line,
                           (hcr & HCR_VSE) != 0 };
    static const unsigned phys_ec[4] = { 0, EC_PSEUDO_IRQ, EC_PSEUDO_FIQ, EC_SERROR };
    static const unsigned virt_ec[4] = { 0, EC_PSEUDO_VIRQ, EC_PSEUDO_VFIQ, EC_SERROR };
    for (unsigned kind = 3; kind >= 1; kind--) {
        int t = phys[kind] ? physical_interrupt_target(el, hcr, kind, ps) : -1;
        bool is_virtual = false;
        if (t < 0 && virt[kind]) {
            t = virtual_interrupt_target(el, hcr, kind, ps);
            is_virtual = true;
        }
        if (t < 0)
            continue;
        struct pe_exception x = { .kind = kind, .ec = is_virtual ? virt_ec[kind] : phys_ec[kind],
                                  .target_el = (unsigned)t, .return_pc = pc };
        if (kind == 3) {
            /* SError: ESR EC 0x2F, ISS 0 (no RAS); taking a virtual SError clears HCR_EL2.VSE. */
            x.has_esr = true;
            x.iss = 0;
            if (is_virtual) {
                pe->sr[pe->idx.hcr_el2] &= ~HCR_VSE;
                pe_trap_state_changed(pe);
            }
        }
        pe_take_exception(pe, &x);
        return true;
    }
    return false;
}

/* ---- trap decisions ------------------------------------------------------------------ */

/* The system-register features (enum sysreg_feature, one bit each) this CPU model has. */
static uint32_t sysreg_features(const struct cpu_model *model)
{
    return 1u << SR_FEAT_BASE | (model->features & CPU_FEAT_VHE ? 1u << SR_FEAT_VHE : 0) |
           (model->features & CPU_FEAT_PAN ? 1u << SR_FEAT_PAN : 0);
}

static struct sysreg_ctx make_ctx(struct pe *pe, uint32_t traps)
{
    struct sysreg_ctx c = { .el = pe->el, .hcr_el2 = pe_hcr_el2(pe), .features = sysreg_features(pe->model) };
    if (traps & TRAP_GIC) {
        c.gic_check = pe_gic_check;
        c.gic_opaque = pe;
    }
    if (traps & TRAP_PMU) {
        c.pmu_check = pe_pmu_check;
        c.pmu_opaque = pe;
    }
    c.mdcr_el2 = pe->sr[pe->idx.mdcr_el2];
    c.cntkctl_el1 = pe->sr[pe->idx.cntkctl_el1];
    c.cnthctl_el2 = pe->sr[pe->idx.cnthctl_el2];
    if (pe->el == 0)
        c.sctlr_el1 = pe_guest_sctlr(pe, 0);      /* EL0's controls: SCTLR_EL1, or SCTLR_EL2 in the host */
    if (pe->el == 0 && pe->mmu.host_el0)
        c.cntkctl_el1 = pe->sr[pe->idx.cnthctl_el2];   /* CNTHCTL_EL2 (E2H layout: EL0 bits as CNTKCTL_EL1's) */
    if (traps & TRAP_FP) {
        c.cpacr_el1 = pe_cp_read(pe, 3, 0, 1, 0, 2, NULL);
        c.cptr_el2 = pe_cp_read(pe, 3, 4, 1, 1, 2, NULL);
    }
    if (traps & TRAP_TCPAC)
        c.cptr_el2 = pe_cp_read(pe, 3, 4, 1, 1, 2, NULL);
    return c;
}

static struct sysreg_decision decide_sys(struct pe *pe, uint32_t insn)
{
    struct a64_sys s = a64_decode_sys(insn);
    const struct sysreg_def *d = sysreg_lookup(s.op0, s.op1, s.crn, s.crm, s.op2);
    struct sysreg_ctx c = make_ctx(pe, d ? d->traps : 0);
    return sysreg_decide(&c, s.op0, s.op1, s.crn, s.crm, s.op2, s.is_read);
}

/* The exception a system instruction causes, if any. */
static bool sys_exception(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block)
{
    struct sysreg_decision d = decide_sys(pe, insn);
    struct a64_sys s = a64_decode_sys(insn);
    switch (d.verdict) {
    case SRV_ACCESS:
        return false;
    case SRV_UNDEFINED:
        take_sync(pe, EC_UNKNOWN, 0, d.target_el, pc, in_block);
        return true;
    case SRV_TRAP:
        if (event_wanted(pe->events, EV_SYSREG_TRAP)) {
            struct event ev = { .type = EV_SYSREG_TRAP, .pe = pe->index, .cycles = pe->cycles, .pc = pc };
            ev.u.trap.reg = d.def ? d.def->name : "IMPLEMENTATION DEFINED";
            ev.u.trap.control = d.trap_name;
            ev.u.trap.is_read = s.is_read;
            event_publish(pe->events, &ev);
        }
        take_sync(pe, EC_SYSREG, iss_sysreg(s.op0, s.op1, s.crn, s.crm, s.op2, s.rt, s.is_read),
                  d.target_el, pc, in_block);
        return true;
    case SRV_FP_TRAP:
        take_sync(pe, EC_FP_ACCESS, iss_fp_access(), d.target_el, pc, in_block);
        return true;
    }
    return false;
}

/* AArch64.CheckForWFxTrap: the EL a WFI/WFE traps to, or -1. */
/* AArch64.CheckForWFxTrap: the EL a WFx traps to if it is checked, or -1.
 * The WFI pseudocode checks only if !InterruptPending() and WFE only with
 * the event register clear: special_exception() decides that at the
 * instruction; pre-evaluation stops at every WFx that could trap. */
static int wfx_trap_el(struct pe *pe, bool is_wfe)
{
    if (pe->el == 0) {
        uint64_t sctlr = pe_guest_sctlr(pe, 0);
        if (!(sctlr & (1ULL << (is_wfe ? 18 : 16))))
            return (int)pe_route_el1(pe);
    }
    if (pe->el <= 1 && (pe_hcr_el2(pe) & (is_wfe ? HCR_TWE : HCR_TWI)))
        return 2;
    return -1;
}

/* AArch64.CheckFPAdvSIMDEnabled: the EL an FP/SIMD instruction traps to, or -1. */
static int fp_trap_el(struct pe *pe)
{
    uint64_t cpacr = pe_cp_read(pe, 3, 0, 1, 0, 2, NULL), cptr = pe_cp_read(pe, 3, 4, 1, 1, 2, NULL);
    return fp_access_trap_el(pe->el, pe_hcr_el2(pe), cpacr, cptr);
}

/* The Alignment fault of AArch64.CheckAlignment for the access d at va, if it is
 * misaligned: reported by Unicorn (pe_alignment_fault) or found before the access
 * runs (SP_ALIGNED). */
static bool alignment_fault(struct pe *pe, uint64_t pc, struct a64_ldst *d, uint64_t va, bool in_block)
{
    /* Unicorn checks alignment for SCTLR_ELx.A, the load-exclusives, armed
     * store-exclusives and the FEAT_LSE atomics; those faults arrive as data
     * aborts. LDAR/STLR, LDAPR and the store-exclusives come from
     * SP_ALIGNED (a64_align_checked). An exclusive pair
     * (LDXP, LDAXP, STXP, STLXP) is one single-copy atomic access of both
     * registers: aligned to its total size (AArch64.ExclusiveMonitorsPass,
     * the LDXP/LDAXP pseudocode: CheckAlignment on dbytes * 2). */
    uint64_t align = d->exclusive || d->atomic ? (uint64_t)d->size * d->nregs : d->size;
    if (!(va % align))
        return false;
    unsigned t = pe_route_el1(pe);
    d->iss.isv = false;                /* not a stage-2 abort */
    struct pe_exception x = { .kind = 0, .has_esr = true, .target_el = t, .return_pc = pc,
                              .far_valid = true, .far = va, .in_block = in_block };
    x.ec = t == pe->el ? EC_DABORT_SAME : EC_DABORT_LOWER;
    /* An atomic read-modify-write (FEAT_LSE) reports WnR = 0, as QEMU 7.2 does: the check
     * comes before its read. */
    x.iss = iss_data_abort(&d->iss, false, false, false, d->is_store && !d->atomic, FSC_ALIGNMENT);
    pe_take_exception(pe, &x);
    return true;
}

static bool special_exception(struct pe *pe, const struct block_special *s, uint64_t pc, bool in_block)
{
    if (s->kind == SP_UNDEF) {
        take_sync(pe, EC_UNKNOWN, 0, pe_route_el1(pe), pc, in_block);
        return true;
    }
    if (s->kind == SP_SPMEM) {
        /* AArch64.CheckSPAlignment: SP must be 16-byte aligned when used as a base. */
        if (!pe->sp_align_on || !(pe_rd(pe, UC_ARM64_REG_SP) & 15))
            return false;
        take_sync(pe, EC_SP_ALIGN, 0, pe_route_el1(pe), pc, in_block);
        return true;
    }
    if (s->kind == SP_ALIGNED) {
        /* AArch64.CheckAlignment: an ordered or exclusive access must be aligned. */
        struct a64_ldst d;
        a64_decode_ldst(s->insn, &d);
        return alignment_fault(pe, pc, &d, a64_ldst_address(&d, pc, pe_reg_value, pe), in_block);
    }
    if (s->kind == SP_FP) {
        int t = fp_trap_el(pe);
        if (t < 0)
            return false;
        take_sync(pe, EC_FP_ACCESS, iss_fp_access(), (unsigned)t, pc, in_block);
        return true;
    }
    if (s->kind == SP_SYSREG)
        return sys_exception(pe, s->insn, pc, in_block) || pe_at_stage2_abort(pe, s->insn, pc, in_block) ||
               pe_dc_zva_device_abort(pe, s->insn, pc, in_block) || pe_sd_dc_ivac_watch(pe, s->insn, pc, in_block);
    if (s->kind == SP_WFI || s->kind == SP_WFE) {
        int t = wfx_trap_el(pe, s->kind == SP_WFE);
        if (t < 0 || (s->kind == SP_WFI && pe_interrupt_pending(pe)))
            return false;           /* a pending interrupt completes the WFI (not trapped) */
        take_sync(pe, EC_WFX, iss_wfx(s->kind == SP_WFE), (unsigned)t, pc, in_block);
        return true;
    }
    return false;
}

/* What pre-evaluation tracks through a block. */
struct preeval_state {
    bool event_reg;
    bool wfe_sleeps;
    bool sends_event;          /* SEV: the other PEs' event registers are set */
    bool sp_known;
    uint64_t sp;
};

/* An SP_ALIGNED access at register reg's value plus delta, of `bytes` (a power
 * of two): misaligned? Only the low bits matter: TBI cannot change them. */
static bool misaligned_from(struct pe *pe, unsigned reg, int32_t delta, unsigned bytes)
{
    return ((pe_reg_value(pe, reg, true) + (uint64_t)(int64_t)delta) & (bytes - 1)) != 0;
}

/* Does special instruction s (possibly) trap under the current state? True
 * means: stop at it (and check again there). No side effects on the PE. */
static bool special_traps(struct pe *pe, const struct block_special *s, struct preeval_state *st)
{
    bool *event_reg = &st->event_reg;
    switch (s->kind) {
    case SP_SPMEM:
        if (!pe->sp_align_on)
            return false;
        return !st->sp_known || (st->sp & 15);      /* unknown SP: check when it runs */
    case SP_SPWRITE:
        if (s->sp_known)
            st->sp += (uint64_t)(int64_t)s->sp_delta;
        else
            st->sp_known = false;
        return false;
    case SP_FP:
        return fp_trap_el(pe) >= 0;
    case SP_UNDEF:
        return true;
    case SP_ALIGNED: {
        /* Its address from a register's value as the block starts (base_reg), unless the
         * block computes it from something else first: then it is checked at the
         * instruction (a cut). */
        if (s->base_reg < 0)
            return true;
        unsigned bytes, rn;
        a64_align_checked(s->insn, true, &bytes, &rn);
        return misaligned_from(pe, (unsigned)s->base_reg, s->sp_delta, bytes);
    }
    case SP_SYSREG: {
        struct sysreg_decision d = decide_sys(pe, s->insn);
        return d.verdict != SRV_ACCESS || pe_at_needs_check(pe, d.def) || pe_dc_zva_needs_check(pe, s->insn) ||
               pe_sd_dc_ivac_needs_check(pe, s->insn);
    }
    case SP_WFI:
        return wfx_trap_el(pe, false) >= 0;
    case SP_WFE:
        /* WFE with the event register set clears it and completes. */
        if (*event_reg) {
            *event_reg = false;
            return false;
        }
        if (wfx_trap_el(pe, true) >= 0)
            return true;
        st->wfe_sleeps = true;     /* it waits: the block ends with it */
        return false;
    case SP_SEV:
        *event_reg = true;
        if (s->insn == A64_SEV)
            st->sends_event = true;
        return false;
    }
    return false;
}

/* Unicorn (2.0.1 and still 2.1.4: clear_deleted_hooks) only frees a deleted
 * hook when uc_emu_start returns, and keeps it listed, skipped, for every
 * instruction it translates: a
 * long run that cuts blocks would translate slower and slower. After enough
 * deletions the PE leaves uc_emu_start and enters it again (PE_STOP_RESTART,
 * handled inside pe_run). */
#define PE_HOOKS_DELETED_BEFORE_RESTART 32
static void delete_hook(struct pe *pe, uc_hook h)
{
    uc_hook_del(pe->uc, h);
    if (++pe->hooks_deleted >= PE_HOOKS_DELETED_BEFORE_RESTART && pe->stop == PE_STOP_NONE) {
        /* Stopped by the next block hook, before its block runs: a stop from
         * inside a block (this may be a code hook) leaves Unicorn's PC at the
         * start of the block while the block's first instructions have run. */
        pe->stop = PE_STOP_RESTART;
        pe->attn.f.stop = true;
    }
}

void pe_delete_hook(struct pe *pe, uc_hook h) { delete_hook(pe, h); }

/* uc_hook_del drops the translations of every block the hook was translated
 * into, looking each block's VA up in the current regime (uc_invalidate_tb,
 * get_page_addr_code): a TLB fill. A breakpoint's hook at a guest's VA deleted
 * while KVM's EL2 writes the host's debug registers would have its fill
 * refused, and the refusal taken as an Instruction Abort at EL2 (Unicorn
 * returns UC_ERR_EXCEPTION after it). Such hooks go here, outside uc_emu_start,
 * with every fill refused unrecorded: uc_invalidate_tb ignores the fault, the
 * next uc_emu_start clears Unicorn's error and exit request, and a block left
 * translated calls no deleted hook (Unicorn skips and then frees them). */
void pe_delete_hook_later(struct pe *pe, uc_hook h)
{
    if (pe->n_hooks_later == pe->cap_hooks_later) {
        unsigned cap = pe->cap_hooks_later ? 2 * pe->cap_hooks_later : 8;
        uc_hook *n = realloc(pe->hooks_later, cap * sizeof *n);
        if (!n) {
            pe_fatal(pe, "out of memory");
            return;
        }
        pe->hooks_later = n;
        pe->cap_hooks_later = cap;
    }
    pe->hooks_later[pe->n_hooks_later++] = h;
    if (pe->stop == PE_STOP_NONE) {
        pe->stop = PE_STOP_RESTART;   /* at the next block boundary, as delete_hook's */
        pe->attn.f.stop = true;
    }
}

static void delete_hooks_later(struct pe *pe)
{
    pe->mmu.fills_refused = true;
    for (unsigned i = 0; i < pe->n_hooks_later; i++)
        uc_hook_del(pe->uc, pe->hooks_later[i]);
    pe->mmu.fills_refused = false;
    pe->n_hooks_later = 0;
}

/* ---- modified code ------------------------------------------------------------- */

/* Unicorn's translations of [lo, hi) of the page of pa (or all) go at the
 * next block boundary. */
static void note_code_drop_range(struct pe *pe, uint64_t pa, bool all, unsigned lo, unsigned hi)
{
    uint64_t page = pa & ~0xfffULL;
    for (unsigned i = 0; i < pe->code_drop.n && !all; i++)
        if (pe->code_drop.pa_page[i] == page) {   /* IC IVAU runs once per cache line: a page once */
            if (lo < pe->code_drop.lo[i])
                pe->code_drop.lo[i] = (uint16_t)lo;
            if (hi > pe->code_drop.hi[i])
                pe->code_drop.hi[i] = (uint16_t)hi;
            pe->attn.f.drop_code = true;
            return;
        }
    if (all || pe->code_drop.n == sizeof pe->code_drop.pa_page / sizeof pe->code_drop.pa_page[0])
        pe->code_drop.all = true;
    else {
        pe->code_drop.pa_page[pe->code_drop.n] = page;
        pe->code_drop.lo[pe->code_drop.n] = (uint16_t)lo;
        pe->code_drop.hi[pe->code_drop.n++] = (uint16_t)hi;
    }
    pe->attn.f.drop_code = true;
}

static void note_code_drop(struct pe *pe, uint64_t pa, bool all)
{
    note_code_drop_range(pe, pa, all, 0, 0x1000);
}

/* The RAM page of pa holds code Unicorn translated (pe->code_pages). */
static void note_code_page(struct pe *pe, uint64_t pa_page)
{
    if (pa_page == UINT64_MAX) {
        pe->code_pages_unknown = true;
        return;
    }
    uint64_t pa = pa_page << 12;
    if (!pe->code_pages || pa < pe->ram_base || pa - pe->ram_base >= pe->ram_size)
        return;
    uint64_t page = (pa - pe->ram_base) >> 12;
    pe->code_pages[page / 64] |= 1ULL << (page % 64);
}

void pe_drop_code_pa(struct pe *pe, uint64_t pa, bool all)
{
    if (all) {
        block_cache_flush(&pe->blocks);
        pe_forget_running_block(pe);
        if (pe->code_pages)
            memset(pe->code_pages, 0, ((pe->ram_size >> 12) + 63) / 64 * sizeof *pe->code_pages);
        pe->code_pages_unknown = false;
    } else {
        block_cache_invalidate_page(&pe->blocks, pa >> 12);
        /* Its blocks are stale: running its code again decodes them, which
         * marks the page again (decode_block). */
        if (pe->code_pages && pa >= pe->ram_base && pa - pe->ram_base < pe->ram_size) {
            uint64_t page = (pa - pe->ram_base) >> 12;
            pe->code_pages[page / 64] &= ~(1ULL << (page % 64));
        }
    }
    note_code_drop(pe, pa, all);
}

/* The code pages of [start, end) that translate (end = 0: the top of the VA
 * space, a block on the last page): decoded blocks stale too (whole pages),
 * or only Unicorn's translations of the range. */
static void drop_code_pages(struct pe *pe, uint64_t start, uint64_t end, bool blocks_too)
{
    for (uint64_t page = start & ~0xfffULL, last = (end - 1) & ~0xfffULL; start != end; page += 0x1000) {
        uint64_t pa;
        if (pe_va_to_pa(pe, page, true, &pa)) {
            if (blocks_too)
                pe_drop_code_pa(pe, pa, false);
            else
                note_code_drop_range(pe, pa, false, page == (start & ~0xfffULL) ? (unsigned)(start & 0xfff) : 0,
                                     page == last && (end & 0xfff) ? (unsigned)(end & 0xfff) : 0x1000);
        }
        if (page == last)
            break;
    }
}

/* Unicorn translates the code of [start, end) again (a cut's hook added or
 * gone); the decoded blocks stay valid. */
static void retranslate_va(struct pe *pe, uint64_t start, uint64_t end)
{
    drop_code_pages(pe, start, end, false);
}

void pe_retranslate_va(struct pe *pe, uint64_t start, uint64_t end) { retranslate_va(pe, start, end); }

void pe_drop_code_va(struct pe *pe, uint64_t start, uint64_t end)
{
    drop_code_pages(pe, start, end, true);
}

/* At a block boundary (or with the PE stopped): Unicorn drops the translated
 * code of the pages noted in code_drop. */
static void apply_code_drops(struct pe *pe)
{
    if (pe->code_drop.all)
        uc_ctl_flush_tb(pe->uc);
    else
        for (unsigned i = 0; i < pe->code_drop.n; i++)
            pe_mmu_remove_code_pa(pe, pe->code_drop.pa_page[i], pe->code_drop.lo[i], pe->code_drop.hi[i]);
    pe->code_drop.all = false;
    pe->code_drop.n = 0;
    pe->attn.f.drop_code = false;
}

/* Whether the block running (the cut's) has special instructions after address. */
static bool specials_after(struct pe *pe, uint64_t address)
{
    const struct block_info *b = pe_running_block(pe);
    if (!b || b->start != pe->cut.block_start)
        return true;                  /* (not known: as if it had) */
    const struct block_special *sp = block_specials(&pe->blocks, b);
    for (uint32_t i = 0; i < b->n_special; i++)
        if (b->start + sp[i].offset > address)
            return true;
    return false;
}

static void on_cut(uc_engine *uc, uint64_t address, uint32_t size, void *opaque)
{
    struct pe *pe = opaque;
    if (!pe->cut.active || address != pe->cut.addr)
        return;
    pe->cut.active = false;
    delete_hook(pe, pe->cut.hook);
    retranslate_va(pe, pe->cut.block_start, pe->cut.block_end);   /* the translation with the hook */
    if (pe->mmio_abort.pending)
        return;                       /* an earlier access of the block faults (pe_mmio_access) */
    struct block_special s = { .insn = pe->cut.insn, .kind = pe->cut.kind };
    if (pe->attn.f.entry)
        return;                                      /* another hook here took an exception (a breakpoint's) */
    if (__builtin_expect(pe->sd.n_bp_hooks || pe->sd.all_hooked, 0) && pe_sd_before_insn_exception(pe, address, true))
        return;                                      /* a Breakpoint or Software Step exception first */
    if (s.kind == SP_WFE)
        pe->event_reg = false;
    if (special_exception(pe, &s, address, true) || s.kind != SP_ALIGNED || !specials_after(pe, address))
        return;
    /* An aligned access, cut because its address was not known before the block ran,
     * passed its check: preevaluate stopped at it, so the block's later special
     * instructions (a system instruction that traps...) were not looked at. The block is
     * entered again at the access (a new block, whose first instruction preevaluate
     * checks with exact registers). */
    pe_uncount_from(pe, address);
    pe_wr(pe, UC_ARM64_REG_PC, address);
}

/* A site's own code hook (pe_align_sites): the instruction at address, if the block
 * running holds an SP_ALIGNED one there, is checked with the registers it will use.
 * Another instruction at that VA (another address space) is left alone. */
static void on_align_site(uc_engine *uc, uint64_t address, uint32_t size, void *opaque)
{
    (void)uc;
    (void)size;
    struct pe *pe = opaque;
    const struct block_info *b = pe_running_block(pe);
    if (pe->mmio_abort.pending || !b || address < pe->cur_start || address - pe->cur_start >= pe->cur_size || b->start != pe->cur_start)
        return;
    const struct block_special *sp = block_specials(&pe->blocks, b);
    for (uint32_t i = 0; i < b->n_special; i++)
        if (sp[i].kind == SP_ALIGNED && pe->cur_start + sp[i].offset == address) {
            special_exception(pe, &sp[i], address, true);
            return;
        }
}

static bool align_site_hooked(const struct pe *pe, uint64_t va)
{
    for (unsigned i = 0; i < pe->align_sites.n; i++)
        if (pe->align_sites.va[i] == va)
            return true;
    return false;
}

/* One more cut at va: true if va now gets a hook of its own (the caller has the block
 * translated again with it). */
static bool align_site_promote(struct pe *pe, uint64_t va)
{
    struct pe_align_sites *a = &pe->align_sites;
    if (a->n == PE_ALIGN_SITES)
        return false;
    unsigned c = (unsigned)(va >> 2) % PE_ALIGN_SITE_CANDIDATES;
    if (a->cand_va[c] != va) {
        a->cand_va[c] = va;
        a->cand_cuts[c] = 0;
    }
    if (++a->cand_cuts[c] < PE_ALIGN_SITE_PROMOTE)
        return false;
    if (uc_hook_add(pe->uc, &a->hook[a->n], UC_HOOK_CODE, on_align_site, pe, va, va) != UC_ERR_OK)
        return false;                  /* cut as before */
    a->va[a->n++] = va;
    a->cand_va[c] = 0;
    return true;
}

/* Looks at the block's special instructions before it runs. Returns false when
 * the block must not run now (an exception was taken at its first instruction,
 * or it is being re-translated with a cut). */
static bool preevaluate(struct pe *pe, const struct block_info *b, uint64_t addr, bool sp_known, uint64_t sp,
                        bool *cut_ahead)
{
    const struct block_special *sp_list = block_specials(&pe->blocks, b);
    struct preeval_state st = { .event_reg = pe->event_reg, .sp_known = sp_known, .sp = sp };
    for (uint32_t i = 0; i < b->n_special; i++) {
        uint64_t at = addr + sp_list[i].offset;
        bool align_at_insn = sp_list[i].kind == SP_ALIGNED && sp_list[i].base_reg < 0;
        if (align_at_insn && at != addr && align_site_hooked(pe, at))
            continue;                                /* its own hook checks it */
        if (!special_traps(pe, &sp_list[i], &st))
            continue;
        if (at == addr) {
            if (__builtin_expect(pe->sd.n_bp_hooks || pe->sd.all_hooked, 0) &&
                pe_sd_before_insn_exception(pe, at, false))
                return false;                        /* a Breakpoint or Software Step exception first */
            if (special_exception(pe, &sp_list[i], at, false))
                return false;
            continue;           /* checked at the first instruction: no exception */
        }
        if (pe->cut.active && pe->cut.addr == at) {
            *cut_ahead = true;
            break;                                   /* the cut is in place: run up to it */
        }
        if (align_at_insn && align_site_promote(pe, at)) {
            if (pe->cut.active) {
                pe->cut.active = false;
                delete_hook(pe, pe->cut.hook);
            }
            retranslate_va(pe, addr, addr + b->size);  /* translated again, with the site's hook */
            apply_code_drops(pe);
            pe_wr(pe, UC_ARM64_REG_PC, addr);
            return false;
        }
        if (pe->cut.active)
            delete_hook(pe, pe->cut.hook);
        pe->cut = (struct pe_cut){ .active = true, .kind = sp_list[i].kind, .addr = at, .block_start = addr,
                                   .block_end = addr + b->size, .insn = sp_list[i].insn };
        if (uc_hook_add(pe->uc, &pe->cut.hook, UC_HOOK_CODE, on_cut, pe, at, at) != UC_ERR_OK) {
            pe_fatal(pe, "internal error: cannot add a code hook at 0x%llx", (unsigned long long)at);
            return false;
        }
        retranslate_va(pe, addr, addr + b->size);      /* translated again, with the hook */
        apply_code_drops(pe);
        pe_wr(pe, UC_ARM64_REG_PC, addr);
        return false;
    }
    pe->event_reg = st.event_reg;
    if (st.wfe_sleeps)
        pe->attn.f.wfe_sleep = true;
    if (st.sends_event && pe->ops->send_event)
        pe->ops->send_event(pe->ops_opaque, pe);
    return true;
}

/* ---- hooks ------------------------------------------------------------------------------ */

/* An ERET whose SPSR says AArch32 User (M = 0x10), which Unicorn's CPU (AArch32 at EL0)
 * performed. This PE has no AArch32 at any EL (ID_AA64PFR0_EL1), so ELFromSPSR finds no
 * valid target and the return is illegal (AArch64.ExceptionReturn, IllegalExceptionReturn):
 * EL, SP selection and Execution state stay, PSTATE.IL is set, NZCV and DAIF come from
 * the SPSR, and the PC is ELR with bits 63:32 and 1:0 UNKNOWN: avsim keeps 63:32 and clears
 * 1:0. The Illegal Execution state exception is taken there before any instruction runs
 * (block_attention); the switch into it starts from Unicorn's AArch32 EL0 (switch_el) and
 * restores the registers Unicorn's AArch32 state does not hold. (The other AArch32 modes
 * are EL1 and EL2 ones, AArch64 in Unicorn too: Unicorn makes those returns illegal.) */
static bool eret_to_aarch32(struct pe *pe, unsigned from)
{
    uint32_t spsr = (uint32_t)(from == 2 ? pe_cp_read(pe, 3, 4, 4, 0, 0, NULL) : pe_cp_read(pe, 3, 0, 4, 0, 0, NULL));
    if ((spsr & 0x1fu) != 0x10u || from == 0)
        return false;
    pe->a32.active = true;
    for (unsigned r = 0; r < 31; r++)
        pe->a32.x[r] = pe_get_x(pe, r);
    for (unsigned e = 0; e < 3; e++)
        pe->a32.sp_el[e] = pe_rd(pe, sp_reg(e));
    pe->illegal_from_eret = (spsr & (0xf0000000u | 0x3c0u)) | (from << 2) | 1u | PSTATE_IL;
    pe->illegal_pc = pe_rd(pe, elr_reg(from)) & ~3ULL;
    pe->illegal_pc_valid = true;
    pe->attn.f.illegal = true;
    return true;
}

static void note_eret(struct pe *pe, uint64_t target)
{
    pe->attn.f.after_eret = false;
    uint32_t ps = pe_read_pstate(pe);
    unsigned from = pe->el, to = (ps >> 2) & 3;
    if (eret_to_aarch32(pe, from))
        to = from;
    pe->el = to;
    pe->attn.f.sp_recheck = true;
    pe->erets++;
    pmu_count(&pe->pmu, PMU_SRC_EXC_RETURN, from, 1);
    pe->cycles += pe->model->eret;
    pe->sync_without_eret = 0;
    pe->event_reg = true;                 /* an exception return sets the event register */
    pe->attn.f.int_recheck = true;
    if (to < 2 && !(pe_hcr_el2(pe) & HCR_RW))
        pe_fatal(pe, "ERET to EL%u with HCR_EL2.RW=0: AArch32 is not modelled", to);
    pe->attn.f.illegal = pe->a32.active || (ps & PSTATE_IL) != 0;
    if (to == 1 && from == 2 && (pe_hcr_el2(pe) & HCR_TGE)) {
        /* IllegalExceptionReturn: a return to EL1 with HCR_EL2.TGE=1 (which Unicorn
         * does not see) leaves EL and SP unchanged and sets PSTATE.IL. */
        uint32_t spsr = (uint32_t)pe_cp_read(pe, 3, 4, 4, 0, 0, NULL);
        pe->el = 2;
        pe->illegal_from_eret = (spsr & ~0x1fu) | (2u << 2) | 1u | PSTATE_IL;
        pe->attn.f.illegal = true;
    }
    if (__builtin_expect(pe->sd.ss_on, 0))     /* software step: PSTATE.SS from SPSR_ELx.SS */
        pe_sd_eret(pe, (uint32_t)(from == 2 ? pe_cp_read(pe, 3, 4, 4, 0, 0, NULL) : pe_cp_read(pe, 3, 0, 4, 0, 0, NULL)));
    pmu_el_changed(&pe->pmu, pe->el);
    if (event_wanted(pe->events, EV_ERET)) {
        struct event ev = { .type = EV_ERET, .pe = pe->index, .cycles = pe->cycles, .pc = target };
        ev.u.eret.from_el = from;
        ev.u.eret.to_el = to;
        ev.u.eret.target = target;
        ev.u.eret.vmid = pe->el < 2 && pe->mmu.s2.enabled ? (int)((pe->sr[pe->idx.vttbr_el2] >> 48) & 0xff) : -1;
        event_publish(pe->events, &ev);
    }
}

/* Stops the run from the block hook, before the block runs: Unicorn (2.1.2
 * and later, upstream #1643) has synchronised the PC to the block's start
 * before it calls the hook, so uc_emu_start returns with the PC there
 * (guest.smp_quantum_resume and cli.gdb would see an instruction run twice or
 * skipped otherwise). */
static void stop_before_block(uc_engine *uc)
{
    uc_emu_stop(uc);
}

/* The rare work of the block hook. Returns false when the block must not run. */
static bool block_attention(struct pe *pe, uc_engine *uc, uint64_t addr)
{
    pe->sp_aligned = false;
    if (pe->attn.f.wfe_sleep) {
        /* WFE, AArch64.WaitForEvent: with the event register clear and nothing
         * pending the PE sleeps until an interrupt or event (Unicorn treats WFE
         * as a hint and ran on): time jumps to the next event. */
        pe->attn.f.wfe_sleep = false;
        /* With other PEs (SMP) the wake-up may be their SEV or a store that
         * clears this PE's exclusive monitor, which avsim does not see: the
         * PE sleeps at most to the end of its quantum, then looks again. */
        if (!pe_interrupt_pending(pe))
            pe_idle_until(pe, pe->quantum_end);
    }
    if (pe->cycles >= timeq_next(pe->timeq))
        timeq_run_due(pe->timeq, pe->cycles);    /* timers may raise interrupts: int_recheck */
    if (pe->cycles >= pe->pmu_check_at) {
        if (pe->cycles >= pe->uc_flush_at) {     /* pe.h: uc_flush_every, pe_mmu.c: grow_unicorn_tlb */
            uc_ctl_flush_tlb(pe->uc);
            pe->mmu.fills_since_flush = 0;
            pe->uc_flush_at = pe->uc_flush_every ? pe->cycles + pe->uc_flush_every : UINT64_MAX;
        }
        pe_pmu_check_due(pe);                    /* a PMU counter may have overflowed */
    }
    if (pe->attn.f.stop) {
        /* A stop requested in the same callback as a PC write is cancelled by
         * Unicorn (the PC write's quit request wins): ask again, before the block runs. */
        stop_before_block(uc);
        return false;
    }
    if (addr == PE_TRAMPOLINE_PA)
        return false;
    if ((addr == PE_TRAMPOLINE_EL0_LANDING || addr == PE_TRAMPOLINE_A32_LANDING) && pe->entry.active &&
        pe->entry.from_el0) {
        switch_el_landed(pe);
        return false;
    }
    if (pe->attn.f.entry)
        finish_entry(pe);
    if (pe->attn.f.drop_code) {
        /* Unicorn's translations of modified code go; the block about to run
         * may be one of them: it is translated again. */
        apply_code_drops(pe);
        pe_wr(pe, UC_ARM64_REG_PC, addr);
        return false;
    }
    if (pe->attn.f.after_eret)
        note_eret(pe, addr);
    if (pe->attn.f.illegal && (!(addr & 3) || pe->illegal_pc_valid)) {
        /* An illegal exception return left PSTATE.IL set: the next instruction
         * takes an Illegal Execution state exception (Unicorn does not raise it).
         * At a misaligned PC the PC alignment fault (on_block) comes first: it has
         * the higher priority (the Arm ARM's synchronous exception priorities;
         * found by tests/gfuzz). */
        pe->attn.f.illegal = false;
        struct pe_exception x = { .kind = 0, .ec = EC_ILLEGAL_STATE, .has_esr = true,
                                  .target_el = pe_route_el1(pe),
                                  .return_pc = pe->illegal_pc_valid ? pe->illegal_pc : addr,
                                  .spsr_override = pe->illegal_from_eret != 0,
                                  .spsr = pe->illegal_from_eret };
        pe->illegal_from_eret = 0;
        pe->illegal_pc_valid = false;
        pe_take_exception(pe, &x);
        return false;
    }
    if (pe->attn.f.int_recheck) {
        pe->attn.f.int_recheck = false;
        if (pe_interrupt_pending(pe) && deliver_interrupt(pe, addr))
            return false;
    }
    if (pe->attn.f.sp_recheck) {
        /* SP alignment checking: SCTLR_EL1.SA0 at EL0, SCTLR_ELx.SA at EL1 and EL2. */
        pe->attn.f.sp_recheck = false;
        uint64_t sctlr = pe_guest_sctlr(pe, pe->el);
        pe->sp_align_on = (sctlr >> (pe->el == 0 ? 4 : 3)) & 1;
    }
    if (pe->cycles >= pe->quantum_end && !pe->entry.active && !pe->cut.active) {
        /* The end of this PE's quantum (SMP round robin): stop before the block. */
        pe->stop = PE_STOP_QUANTUM;
        pe->attn.f.stop = true;
        stop_before_block(uc);
        return false;
    }
    return true;
}

/* Reads code by VA, page by page. */
static int read_code(struct pe *pe, uint64_t va, void *buf, uint32_t size)
{
    uint8_t *out = buf;
    while (size) {
        uint32_t n = 0x1000 - (uint32_t)(va & 0xfff);
        if (n > size)
            n = size;
        uint64_t pa;
        if (!pe_va_to_pa(pe, va, true, &pa) || pe_read_phys(pe, pa, out, n) != 0)
            return -1;
        va += n;
        out += n;
        size -= n;
    }
    return 0;
}

void pe_trap_state_changed(struct pe *pe)
{
    if (++pe->trap_gen == 0) {            /* wrapped: no front entry may match an old generation */
        for (unsigned i = 0; i < PE_FRONT_SLOTS; i++)
            pe->front_cold[i].ok_gen = 0;
        pe->trap_gen = 1;
    }
}

/* Does the decision on the MRS/MSR/SYS insn depend only on the EL (a block's
 * key) and on registers whose writes bump trap_gen (HCR_EL2, MDCR_EL2,
 * SCTLR_EL1, CNTKCTL_EL1, CNTHCTL_EL2, CPACR_EL1, CPTR_EL2, the MMU's state)?
 * Not when the GIC's or the PMU's own checks take part. A block whose trap
 * candidates all are such (or the first FP/SIMD instruction, decided by the EL,
 * HCR_EL2, CPACR_EL1 and CPTR_EL2) skips its check, once passed, until
 * trap_gen changes (WFx and SEV never). */
static bool decided_by_gen(uint32_t insn, unsigned el)
{
    (void)el;
    struct a64_sys s = a64_decode_sys(insn);
    const struct sysreg_def *d = sysreg_lookup(s.op0, s.op1, s.crn, s.crm, s.op2);
    /* (DC IVAC: with watchpoints armed, whether it takes one depends on Xt. An AT
     * at EL1 under stage 2 walks the tables for a stage-2 abort (pe_at_needs_check):
     * memory, which no trap_gen follows.) */
    return !d || (!(d->traps & (TRAP_GIC | TRAP_PMU)) && !a64_is_dc_ivac(insn) && d->write != sr_at);
}

/* An MRS that no control can trap at this EL (sysreg_never_traps). */
static bool mrs_never_traps(uint32_t insn, unsigned el)
{
    struct a64_sys s = a64_decode_sys(insn);
    return (insn & 0xfff00000u) == 0xd5300000u && sysreg_never_traps(s.op0, s.op1, s.crn, s.crm, s.op2, true, el);
}

/* Is every trap candidate of block b (its specials but the SP ones, the
 * first FP/SIMD instruction if fp_ok, the SP_ALIGNED ones if align_ok) a
 * system instruction for which ok(insn, EL) holds? */
static bool every_trap_candidate(struct pe *pe, const struct block_info *b, bool (*ok)(uint32_t insn, unsigned el),
                                 bool fp_ok, bool align_ok)
{
    const struct block_special *sp = block_specials(&pe->blocks, b);
    for (uint32_t i = 0; i < b->n_special; i++) {
        if (sp[i].kind == SP_SPMEM || sp[i].kind == SP_SPWRITE || (fp_ok && sp[i].kind == SP_FP) ||
            (align_ok && sp[i].kind == SP_ALIGNED))
            continue;
        if (sp[i].kind != SP_SYSREG || !ok(sp[i].insn, b->el))
            return false;
    }
    return true;
}

/* A block the cache does not hold (or holds stale): read its code through the
 * MMU, decode it, and note which physical pages it came from. Kept out of
 * on_block, whose hot path should not carry this frame. */
static __attribute__((noinline)) struct block_info *decode_block(struct pe *pe, uint64_t addr, uint32_t size,
                                                                 unsigned tag, uint64_t first)
{
    uint32_t *words = malloc(size);
    if (!words || read_code(pe, addr, words, size) != 0) {
        free(words);
        pe_fatal(pe, "cannot read the code of the block at 0x%llx", (unsigned long long)addr);
        return NULL;
    }
    uint64_t last = ((addr ^ (addr + size - 1)) >> 12) ? pe_code_page(pe, addr + size - 1) : first;
    note_code_page(pe, first);
    note_code_page(pe, last);
    struct block_info *b = block_cache_insert(&pe->blocks, (void *)pe->capstone, pe->model, addr, size, tag,
                                              first, last, words);
    free(words);
    pe_set_running_block(pe, b);   /* the insertion may have moved the blocks: the old pointer is gone */
    if (!b) {
        pe_fatal(pe, "out of memory decoding blocks");
        return NULL;
    }
    /* A block whose only trap candidates are MRS reads that no control can trap
     * at this EL (SP_EL0, DAIF, TPIDR_EL1, CurrentEL...: the kernel's common
     * ones) needs no check before it runs: its decision depends on the EL,
     * which is part of its key. MSR writes stay checked (they may change SP,
     * PSTATE or a control). */
    if ((b->flags & BLOCK_HAS_TRAP_SPECIAL) && every_trap_candidate(pe, b, mrs_never_traps, false, false))
        b->flags &= (uint8_t)~BLOCK_HAS_TRAP_SPECIAL;
    return b;
}

/* Can the front cache check block b's SP_ALIGNED accesses itself (at most
 * two, each at a register's value as the block starts plus an offset)? Their
 * checks, for struct pe_front_cold. */
static bool front_align_checks(struct pe *pe, const struct block_info *b, uint8_t reg[2], int16_t delta[2])
{
    const struct block_special *sp = block_specials(&pe->blocks, b);
    unsigned n = 0;
    for (uint32_t i = 0; i < b->n_special; i++) {
        if (sp[i].kind != SP_ALIGNED)
            continue;
        unsigned bytes, rn;
        a64_align_checked(sp[i].insn, true, &bytes, &rn);
        if (n == 2 || sp[i].base_reg < 0 || sp[i].sp_delta != (int16_t)sp[i].sp_delta || bytes > 16)
            return false;
        reg[n] = (uint8_t)((unsigned)sp[i].base_reg | (unsigned)__builtin_ctz(bytes) << 5);
        delta[n++] = (int16_t)sp[i].sp_delta;
    }
    return true;
}

/* Front cache entry i has trap candidates: does none of them trap now? Its
 * system instructions were found not to under this trap_gen, and its
 * SP_ALIGNED accesses (front_align_checks) are aligned. */
static __attribute__((noinline)) bool front_trap_ok(struct pe *pe, unsigned i)
{
    const struct pe_front_cold *c = &pe->front_cold[i];
    if (c->ok_gen != pe->trap_gen)
        return false;
    for (int k = 0; k < 2 && c->align_reg[k] != PE_FRONT_NO_ALIGN; k++)
        if (misaligned_from(pe, c->align_reg[k] & 31u, c->align_delta[k], 1u << (c->align_reg[k] >> 5)))
            return false;
    return true;
}

/* The block hook's full path: attention flags, deadlines, a block not the last
 * one, blocks with specials, statistics and events. */
static __attribute__((noinline)) void block_full(struct pe *pe, uc_engine *uc, uint64_t addr, uint32_t size,
                                                 struct block_info *hint)
{
    if (__builtin_expect(pe->attn.any != 0 || pe_in_trampoline(addr) ||
                         pe->cycles >= timeq_next(pe->timeq) || pe->cycles >= pe->quantum_end ||
                         pe->cycles >= pe->pmu_check_at, 0) &&
        !block_attention(pe, uc, addr))
        return;
    if (__builtin_expect(pe_in_removal_window(addr), 0)) {
        /* Code reached through an entry pe_mmu_remove_code_pa left in Unicorn's TLB: fetched
         * again after a flush, the TLB-fill hook gives the guest its fault. (A flush of
         * Unicorn's alone, as AVSIM_DEBUG_FLUSH_UNICORN_TLB's: what Unicorn's TLB held must
         * not show in the statistics.) */
        uc_ctl_flush_tlb(pe->uc);
        pe->mmu.fills_since_flush = 0;
        pe_wr(pe, UC_ARM64_REG_PC, addr);
        return;
    }
    if (__builtin_expect(pe->mmu.unpriv_el2, 0)) {
        pe->mmu.unpriv_el2 = false;
        pe_flush_unicorn_tlb(pe);
        pe_due_changed(pe);
    }
    if (__builtin_expect(pe->model->features & CPU_FEAT_PAN, 0))
        pe_mmu_pan_check(pe);
    if (addr & 3) {
        /* PC alignment fault (AArch64.PCAlignmentFault): FAR = the misaligned PC. */
        struct pe_exception x = { .kind = 0, .ec = EC_PC_ALIGN, .has_esr = true, .target_el = pe_route_el1(pe),
                                  .return_pc = addr, .far_valid = true, .far = addr };
        pe_take_exception(pe, &x);
        return;
    }
    if (size == 0)
        return;
    unsigned tag = pe->el;       /* a decoded block's key beside its VA, size and physical page */
    struct block_info *b = hint ? hint : pe_running_block(pe);      /* hint: the front cache's (current) */
    uint64_t page = 0;
    if (!b || b->start != addr || b->size != size || b->el != tag) {
        page = pe_code_page(pe, addr);
        b = block_cache_find(&pe->blocks, addr, size, tag, page);
    } else if (b->stale)
        page = b->pa_page[0];
    if (!b || b->stale) {
        b = decode_block(pe, addr, size, tag, page);
        if (!b)
            return;
    }
    pe_set_running_block(pe, b);     /* valid until the next insertion or flush */
    /* SP alignment: known aligned from before, or read when the block needs it
     * (only its value modulo 16 matters). */
    bool sp_known = pe->sp_aligned;
    uint64_t sp = 0;
    if (!sp_known && (b->flags & BLOCK_HAS_SP) && pe->sp_align_on) {
        sp = pe_rd(pe, UC_ARM64_REG_SP);
        sp_known = true;
    }
    uint32_t gen_before = pe->trap_gen;
    bool cut_ahead = false;
    if (((b->flags & BLOCK_HAS_TRAP_SPECIAL) || ((b->flags & BLOCK_SP_MEM) && pe->sp_align_on)) &&
        !preevaluate(pe, b, addr, sp_known, sp, &cut_ahead))
        return;
    /* Nothing of it traps now (no cut ahead, at which one of its instructions
     * does): while trap_gen stays, the front cache may run it. */
    uint8_t align_reg[2] = { PE_FRONT_NO_ALIGN, PE_FRONT_NO_ALIGN };
    int16_t align_delta[2] = { 0, 0 };
    bool align_ok = !(b->flags & BLOCK_HAS_TRAP_SPECIAL) || front_align_checks(pe, b, align_reg, align_delta);
    uint32_t ok_gen = (b->flags & BLOCK_HAS_TRAP_SPECIAL) && pe->trap_gen == gen_before && !cut_ahead &&
                      every_trap_candidate(pe, b, decided_by_gen, true, align_ok) ? gen_before : 0;
    if (b->flags & (BLOCK_ENDS_ERET | BLOCK_SP_EXIT_UNKNOWN))
        pe->sp_aligned = false;
    else if (sp_known)
        pe->sp_aligned = !(sp & 15);
    unsigned fi = (addr >> 2) & (PE_FRONT_SLOTS - 1);
    if (b == hint)
        pe->front_cold[fi].ok_gen = ok_gen;
    else if (!pe_in_trampoline(addr) && !(b->flags & BLOCK_ENDS_ERET) &&
             !((b->flags & BLOCK_HAS_UNPRIV) && (pe->model->features & CPU_FEAT_VHE)) &&
             pe_front_keyable(addr, size, b->cycles)) {
        /* (With VHE an LDTR/STTR block may run at EL2 in the host, where it needs the flush
         * below every time: TGE comes and goes with each guest entry and exit.) */
        /* (Blocks that always take this path stay out: front_holds need not test for them.) */
        pe->front[fi] = (struct pe_front){ .key = pe_front_key(addr, size, tag), .gen = pe_front_gen(pe),
                                           .cycles = (uint16_t)b->cycles, .flags = b->flags };
        struct pe_front_cold *c = &pe->front_cold[fi];
        *c = (struct pe_front_cold){
            .slot = (uint32_t)(b - pe->blocks.slots), .epoch = pe->blocks.epoch, .ok_gen = ok_gen,
            .pa_page = pe_front_page(b->pa_page[0]),
            .cls = (uint16_t)(b->cls[0] | b->cls[1] << 4 | b->cls[2] << 8 | b->cls[3] << 12),
            .align_reg = { align_reg[0], align_reg[1] }, .align_delta = { align_delta[0], align_delta[1] } };
        if (b->more_classes)
            c->cls_n[0] = PE_FRONT_MANY_CLASSES;
        else
            for (int k = 0; k < 4; k++)
                c->cls_n[k] = b->cls_n[k];
    }
    /* An LDTR/STTR at EL2 in the host (E2H and TGE) is an EL0 access: Unicorn, which keeps
     * EL2's unprivileged and privileged accesses under one TLB index, must not serve it from
     * a privileged fill (the fill hook decodes it, access_is_unprivileged). */
    if ((b->flags & BLOCK_HAS_UNPRIV) && pe->el == 2 && pe->mmu.host_el0)
        pe_flush_unicorn_tlb(pe);
    pe->insns += b->n_insns;
    pe->insns_by_el[pe->el] += b->n_insns;
    pe->cycles += b->cycles;
    if (__builtin_expect(pe->count_classes, 0))
        block_count_classes(pe->blocks.class_pool, b, pe->insns_by_class);
    pe->cur_start = addr;
    pe->cur_size = size;
    pe->cur_cycles = b->cycles;
    if (b->flags & BLOCK_ENDS_ERET)
        pe->attn.f.after_eret = true;
    if (b->flags & BLOCK_WRITES_DAIF)
        pe->attn.f.int_recheck = true;
    if (event_wanted(pe->events, EV_BLOCK) && !pe_in_trampoline(addr)) {
        struct event ev;         /* not zeroed: the hot path; u.access is filled in full */
        ev.type = EV_BLOCK;
        ev.pe = pe->index;
        ev.cycles = pe->cycles - b->cycles;      /* when the block starts */
        ev.pc = addr;
        pe_mmu_describe_access(pe, addr, true, &ev);
        ev.u.access.size = size;
        ev.u.access.is_write = 0;
        event_publish(pe->events, &ev);
    }
    if (pe->insn_limit) {
        if (pe->insns >= pe->insn_limit)
            pe_fatal(pe, "the instruction limit (%llu) was reached", (unsigned long long)pe->insn_limit);
        else
            pe_due_changed(pe);       /* the next look at the limit (pe_insn_limit_due) */
    }
}

/* May the block at addr be counted from its front cache entry f, with nothing
 * due at this boundary, as far as the entry alone says? (The block's trap
 * candidates are front_trap_ok's.) */
static inline bool front_holds(const struct pe *pe, const struct pe_front *f, uint64_t addr, uint32_t size,
                               uint64_t now)
{
    return pe->attn.any == 0 && f->key == pe_front_key(addr, size, pe->el) && f->gen == pe_front_gen(pe) &&
           now < pe->due &&
           !((f->flags & BLOCK_SP_MEM) && pe->sp_align_on && (!pe->sp_aligned || (f->flags & BLOCK_SP_COMPLEX)));
}

/* --stats by instruction class, for the block of front entry i. */
static void front_count_classes(struct pe *pe, unsigned i)
{
    const struct pe_front_cold *c = &pe->front_cold[i];
    if (__builtin_expect(c->cls_n[0] == PE_FRONT_MANY_CLASSES, 0))
        block_count_classes(pe->blocks.class_pool, &pe->blocks.slots[c->slot], pe->insns_by_class);
    else {
        pe->insns_by_class[c->cls & 15] += c->cls_n[0];
        pe->insns_by_class[(c->cls >> 4) & 15] += c->cls_n[1];
        pe->insns_by_class[(c->cls >> 8) & 15] += c->cls_n[2];
        pe->insns_by_class[c->cls >> 12] += c->cls_n[3];
    }
}

/* Count the block of front entry f (index i): clock, instruction counts, and
 * the running block. */
static inline void front_count(struct pe *pe, const struct pe_front *f, unsigned i, uint64_t addr, uint32_t size,
                               uint64_t now)
{
    pe->last_front = i;
    pe->insns += size >> 2;
    pe->insns_by_el[pe->el] += size >> 2;
    pe->cycles = now + f->cycles;
    pe->cur_start = addr;
    pe->cur_size = size;
    pe->cur_cycles = f->cycles;
}

/* What the common case leaves out (front_rare): trap candidates, an exit SP
 * not known to be aligned, a write to DAIF (which may unmask a pending
 * interrupt: a look at the interrupts at the next boundary if one is pending;
 * one that becomes pending later asks for that itself, pe_set_irq_line), and
 * --stats by class. */
#define FRONT_RARE_FLAGS (BLOCK_HAS_TRAP_SPECIAL | BLOCK_SP_EXIT_UNKNOWN | BLOCK_WRITES_DAIF)

/* The block hook when the front cache cannot count the block at once: an
 * entry to check again after a flush of Unicorn's TLB, or the full path. */
static __attribute__((noinline)) void block_slow(uc_engine *uc, uint64_t addr, uint32_t size, struct pe *pe);

/* The front cache holds the block, but it has one of FRONT_RARE_FLAGS or
 * classes are counted. */
static __attribute__((noinline)) void front_rare(uc_engine *uc, uint64_t addr, uint32_t size, struct pe *pe)
{
    unsigned i = (addr >> 2) & (PE_FRONT_SLOTS - 1);
    const struct pe_front *f = &pe->front[i];
    if ((f->flags & BLOCK_HAS_TRAP_SPECIAL) && !front_trap_ok(pe, i)) {
        block_full(pe, uc, addr, size, &pe->blocks.slots[pe->front_cold[i].slot]);
        return;
    }
    front_count(pe, f, i, addr, size, pe->cycles);
    if (f->flags & BLOCK_SP_EXIT_UNKNOWN)
        pe->sp_aligned = false;
    if ((f->flags & BLOCK_WRITES_DAIF) && pe_interrupt_pending(pe))
        pe->attn.f.int_recheck = true;
    if (pe->count_classes)
        front_count_classes(pe, i);
}

static __attribute__((noinline)) void block_slow(uc_engine *uc, uint64_t addr, uint32_t size, struct pe *pe)
{
    unsigned i = (addr >> 2) & (PE_FRONT_SLOTS - 1);
    struct pe_front *f = &pe->front[i];
    const struct pe_front_cold *c = &pe->front_cold[i];
    bool hit = f->key == pe_front_key(addr, size, pe->el) && c->epoch == pe->blocks.epoch;
    if (hit && f->gen != pe_front_gen(pe)) {
        /* Unicorn's TLB was flushed since: is the VA's code still on that page? */
        hit = pe_front_page(pe_code_page(pe, addr)) == c->pa_page;
        if (hit)
            f->gen = pe_front_gen(pe);
    }
    if (hit && (f->flags & BLOCK_SP_MEM) && !(f->flags & BLOCK_SP_COMPLEX) && pe->sp_align_on && !pe->sp_aligned &&
        pe->attn.any == 0) {
        /* SP alignment checking is on and the SP is not known: read it (what
         * block_full would do first). */
        pe->sp_aligned = !(pe_rd(pe, UC_ARM64_REG_SP) & 15);
    }
    if (hit && front_holds(pe, f, addr, size, pe->cycles)) {
        front_rare(uc, addr, size, pe);
        return;
    }
    block_full(pe, uc, addr, size, hit ? &pe->blocks.slots[c->slot] : NULL);
}

/* Unicorn calls this before each block runs: the PE's clock and counts advance
 * by the block's cost, and whatever is due at this boundary (timers, a pending
 * interrupt, an exception entry to finish, a quantum's end) happens here. The
 * common case, a block the front cache holds with nothing due and none of
 * FRONT_RARE_FLAGS, stays in these lines, which call nothing but by a jump. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct pe *pe = opaque;
    unsigned i = (addr >> 2) & (PE_FRONT_SLOTS - 1);
    const struct pe_front *f = &pe->front[i];
    uint64_t now = pe->cycles;
    if (__builtin_expect(!front_holds(pe, f, addr, size, now), 0)) {
        block_slow(uc, addr, size, pe);     /* (the same arguments in the same registers: a jump) */
        return;
    }
    if (__builtin_expect((f->flags & FRONT_RARE_FLAGS) || pe->count_classes, 0)) {
        front_rare(uc, addr, size, pe);
        return;
    }
    front_count(pe, f, i, addr, size, now);
}

/* An access at EL2 with HCR_EL2.E2H = 1 to an encoding FEAT_VHE redirects (an EL1 register's
 * to its EL2 counterpart, an *_EL12 / *_EL02 alias to the EL1 or EL0 register): performed here
 * on the register it reaches, since Unicorn's max CPU has the redirection compiled out. Nothing
 * traps at EL2. */
static uint32_t sys_redirected(struct pe *pe, uc_arm64_reg rt, const uc_arm64_cp_reg *cp, bool is_read,
                               const struct sysreg_def *from)
{
    const struct sysreg_def *d = sysreg_at(from->e2h_index);
    uint64_t pc = pe_rd(pe, UC_ARM64_REG_PC);
    uint64_t v = 0;
    if (!is_read)
        pe_trap_state_changed(pe);
    switch (d->storage) {
    case SR_NATIVE:
    case SR_NOP:
        if (is_read) {
            v = pe_cp_read(pe, d->op0, d->op1, d->crn, d->crm, d->op2, NULL);
        } else {
            if (d->write)
                d->write(pe, d, cp->val);
            pe_cp_write(pe, d->op0, d->op1, d->crn, d->crm, d->op2, cp->val);
        }
        break;
    case SR_NOT_MODELLED:
        pe_fatal(pe, "%s %s (as %s, HCR_EL2.E2H = 1) at PC 0x%llx: %s", is_read ? "read of" : "write to",
                 d->name, from->name, (unsigned long long)pc, d->why_not);
        return 1;
    case SR_CONST:
        v = d->reset;
        break;
    case SR_AVSIM:
        if (is_read) {
            v = d->read ? d->read(pe, d) : pe->sr[d->index];
        } else {
            uint64_t *slot = &pe->sr[d->index];
            *slot = (*slot & ~d->writable) | (cp->val & d->writable);
            if (d->write)
                d->write(pe, d, *slot);
        }
        break;
    }
    if (is_read && rt != UC_ARM64_REG_XZR)
        pe_wr(pe, rt, v);
    pe->insns_sysreg_emulated++;
    if (!pe->qemu_has[from->index])
        pe_wr(pe, UC_ARM64_REG_PC, pc + 4);   /* Unicorn ends the block at an encoding it lacks */
    return 1;
}

/* MRS/MSR/SYS/SYSL that were not trapped at the block boundary. */
static uint32_t on_sys(struct pe *pe, uc_arm64_reg rt, const uc_arm64_cp_reg *cp, bool is_read)
{
    struct sysreg_ctx c;
    const struct sysreg_def *d = sysreg_lookup(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
    if (__builtin_expect(pe->el != 1, 0) && d && d->e2h_index >= 0 &&
        (pe->el == 2 ? (pe_hcr_el2(pe) & HCR_E2H) != 0 : pe->mmu.host_el0))
        return sys_redirected(pe, rt, cp, is_read, d);   /* (EL0 in the host: its timer registers) */
    /* The common case: a register Unicorn holds, read, or written without a
     * handler: Unicorn performs it. Whether it traps was decided before the
     * block ran (preevaluate), under controls an access at the same EL cannot
     * change (only a higher EL's registers trap an EL's accesses). */
    if (d && pe->qemu_has[d->index] && (d->storage == SR_NATIVE || d->storage == SR_NOP) && (is_read || !d->write))
        return 0;
    if (!is_read && !(d && d->maint))
        pe_trap_state_changed(pe);
    c = make_ctx(pe, d ? d->traps : 0);
    struct sysreg_decision dec = sysreg_decide(&c, cp->op0, cp->op1, cp->crn, cp->crm, cp->op2, is_read);
    uint64_t pc = pe_rd(pe, UC_ARM64_REG_PC);
    if (dec.verdict != SRV_ACCESS || !d) {
        pe_fatal(pe, "internal error: system instruction at 0x%llx should have trapped before it ran",
                 (unsigned long long)pc);
        return 1;
    }
    switch (d->storage) {
    case SR_NATIVE:
    case SR_NOP:
        if (!is_read && d->write)
            d->write(pe, d, cp->val);
        if (pe->qemu_has[d->index])
            return 0;
        break;
    case SR_NOT_MODELLED:
        pe_fatal(pe, "%s %s at PC 0x%llx (EL%u): %s", is_read ? "read of" : "write to", d->name,
                 (unsigned long long)pc, pe->el, d->why_not);
        return 1;
    case SR_CONST:
        if (is_read && rt != UC_ARM64_REG_XZR)
            pe_wr(pe, rt, d->reset);
        break;
    case SR_AVSIM:
        if (is_read) {
            uint64_t v = d->read ? d->read(pe, d) : pe->sr[d->index];
            if (rt != UC_ARM64_REG_XZR)
                pe_wr(pe, rt, v);
        } else {
            uint64_t *slot = &pe->sr[d->index];
            *slot = (*slot & ~d->writable) | (cp->val & d->writable);
            if (d->write)
                d->write(pe, d, *slot);
        }
        break;
    }
    pe->insns_sysreg_emulated++;
    if (!pe->qemu_has[d->index])
        pe_wr(pe, UC_ARM64_REG_PC, pc + 4);   /* honoured: Unicorn ends the block at an unknown register */
    return 1;
}

static uint32_t on_mrs(uc_engine *uc, uc_arm64_reg rt, const uc_arm64_cp_reg *cp, void *o) { return on_sys(o, rt, cp, true); }
static uint32_t on_msr(uc_engine *uc, uc_arm64_reg rt, const uc_arm64_cp_reg *cp, void *o) { return on_sys(o, rt, cp, false); }

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *opaque)
{
    struct pe *pe = opaque;
    if (pe->attn.f.after_eret)
        note_eret(pe, pe_rd(pe, UC_ARM64_REG_PC));
    /* Unicorn 2.1 reports the physical address. The TLB-fill hook refuses
     * unassigned pages itself (pe_mmu.c); this is what is left: an access
     * to a hole inside a page Unicorn already holds (devices are page-sized,
     * so none is expected). */
    pe->bus_fault.valid = true;
    pe->bus_fault.type = type;
    pe->bus_fault.addr = addr;
    pe->bus_fault.size = size;
    return false;
}


bool pe_insn_writes_reg(struct pe *pe, uint32_t insn, uint64_t pc, unsigned reg)
{
    csh cs = (csh)pe->capstone;
    cs_insn *ci = cs_malloc(cs);
    const uint8_t *code = (const uint8_t *)&insn;
    size_t len = 4;
    uint64_t a = pc;
    bool writes = true;      /* unknown: assume it may */
    if (ci && cs_disasm_iter(cs, &code, &len, &a, ci)) {
        cs_regs rr, ww;
        uint8_t nr = 0, nw = 0;
        if (cs_regs_access(cs, ci, rr, &nr, ww, &nw) == CS_ERR_OK) {
            writes = false;
            for (int i = 0; i < nw; i++) {
                const char *n = cs_reg_name(cs, ww[i]);
                if (!n)
                    continue;
                unsigned r = 99;
                if ((n[0] == 'x' || n[0] == 'w') && n[1] >= '0' && n[1] <= '9')
                    r = (unsigned)atoi(n + 1);
                else if (!strcmp(n, "sp") || !strcmp(n, "wsp"))
                    r = 31;
                if (r == reg)
                    writes = true;
            }
        }
    }
    if (ci)
        cs_free(ci, 1);
    return writes;
}

/* Finds the load/store of the current block that caused a bus fault at
 * `addr`: Unicorn stopped before it, with the registers as they were then. */
bool pe_find_faulting_access(struct pe *pe, uint64_t addr, int is_write, uint64_t *pc_out,
                             struct a64_ldst *out)
{
    uint32_t n = pe->cur_size / 4;
    uint64_t cand[64];
    struct a64_ldst cd[64];
    int nc = 0;
    for (uint32_t i = 0; i < n && nc < 64; i++) {
        uint64_t pc = pe->cur_start + 4ULL * i;
        uint32_t w = pe_read_insn(pe, pc);
        struct a64_ldst d;
        if (!a64_decode_ldst(w, &d) || !d.is_mem)
            continue;
        if (is_write >= 0 && (is_write ? !d.is_store : !d.is_load))
            continue;
        uint64_t a = a64_ldst_address(&d, pc, pe_reg_value, pe);
        if (addr - a >= (uint64_t)d.size * d.nregs)     /* no wrap: an access may end at 2^64 - 1 */
            continue;
        cand[nc] = pc;
        cd[nc++] = d;
    }
    /* An earlier candidate can only be innocent if something between it and the
     * faulting access changed its base or index register. */
    for (int j = 0; j < nc; j++) {
        bool feasible = true;
        for (int i = 0; i < j && feasible; i++) {
            bool changed = cd[i].writeback;
            for (uint64_t pc = cand[i]; pc < cand[j] && !changed; pc += 4) {
                uint32_t w = pe_read_insn(pe, pc);
                changed = pe_insn_writes_reg(pe, w, pc, cd[i].rn) ||
                          (cd[i].mode == ADDR_BASE_REG && pe_insn_writes_reg(pe, w, pc, cd[i].rm));
            }
            feasible = changed;
        }
        if (feasible) {
            *pc_out = cand[j];
            *out = cd[j];
            return true;
        }
    }
    return false;
}

/* Synchronous external abort on an access to unassigned physical memory
 * (AArch64.Abort with an external abort fault record). */
static void bus_fault(struct pe *pe)
{
    struct pe_exception x = { .kind = 0, .has_esr = true, .far_valid = true, .far = pe->bus_fault.addr };
    bool fetch = pe->bus_fault.type == UC_MEM_FETCH_UNMAPPED;
    pe->bus_fault.valid = false;
    x.target_el = pe_route_el1(pe);
    if (fetch) {
        x.ec = x.target_el == pe->el ? EC_IABORT_SAME : EC_IABORT_LOWER;
        x.iss = iss_instruction_abort(false, false, FSC_SEA);
        x.return_pc = pe->bus_fault.addr;
        pe_take_exception(pe, &x);
        return;
    }
    bool is_write = pe->bus_fault.type == UC_MEM_WRITE_UNMAPPED;
    uint64_t pc;
    struct a64_ldst d;
    if (!pe_find_faulting_access(pe, pe->bus_fault.addr, is_write, &pc, &d)) {
        pe_fatal(pe, "a %s of unassigned address 0x%llx in the block at 0x%llx could not be attributed "
                 "to an instruction", is_write ? "write" : "read", (unsigned long long)pe->bus_fault.addr,
                 (unsigned long long)pe->cur_start);
        return;
    }
    /* ISV is 1 only for stage-2 aborts (none before issue 3), and EA, which is
     * IMPLEMENTATION DEFINED, is 0: both as QEMU 7.2 reports them. */
    d.iss.isv = false;
    x.ec = x.target_el == pe->el ? EC_DABORT_SAME : EC_DABORT_LOWER;
    x.iss = iss_data_abort(&d.iss, false, false, false, is_write, FSC_SEA);
    x.return_pc = pc;
    x.in_block = true;
    pe_take_exception(pe, &x);
}

bool pe_alignment_fault(struct pe *pe, uint64_t pc, struct a64_ldst *d, uint64_t va)
{
    return alignment_fault(pe, pc, d, va, true);
}


/* An abort that Unicorn detected itself: an alignment fault (translations are
 * avsim's: the TLB-fill hook refuses those, pe_mmu_take_pending_fault). */
static void unicorn_abort(struct pe *pe, uint64_t pc, bool fetch)
{
    uint32_t w = pe_read_insn(pe, pc);
    struct a64_ldst d;
    if (!fetch && a64_decode_ldst(w, &d) && d.is_mem &&
        pe_alignment_fault(pe, pc, &d, a64_ldst_address(&d, pc, pe_reg_value, pe)))
        return;
    pe_fatal(pe, "internal error: Unicorn reported a %s abort at PC 0x%llx that is no alignment fault",
             fetch ? "prefetch" : "data", (unsigned long long)pc);
}

/* ---- unaligned accesses to devices ------------------------------------------------- */

/* The loads and stores of the current block (cached while the same block makes MMIO
 * accesses: a driver's polling loop). */
static const struct pe_mmio_block *mmio_block(struct pe *pe)
{
    struct pe_mmio_block *c = &pe->mmio_block;
    if (c->start == pe->cur_start && c->size == pe->cur_size && c->epoch == pe->blocks.epoch && c->el == pe->el)
        return c;
    *c = (struct pe_mmio_block){ .start = pe->cur_start, .size = pe->cur_size, .epoch = pe->blocks.epoch,
                                 .el = pe->el };
    for (uint32_t off = 0; off < pe->cur_size && c->n < PE_MMIO_BLOCK_LDST; off += 4) {
        uint32_t w = pe_read_insn(pe, pe->cur_start + off);
        struct a64_ldst d;
        if (a64_decode_ldst(w, &d) && d.is_mem) {
            c->off[c->n] = (uint16_t)off;
            c->insn[c->n++] = w;
        }
    }
    return c;
}

/* The unit an access must be aligned to in Device memory: each register's size (a
 * pair's two accesses), a structure load/store's element. */
static unsigned device_align_unit(uint32_t w, const struct a64_ldst *d)
{
    if ((w & 0xbe000000u) == 0x0c000000u)
        return (w >> 24) & 1u ? 1u : 1u << ((w >> 10) & 3u);   /* single structure: not checked */
    return d->size;
}

/* Can the instructions after the faulting one, to the block's end, be undone by
 * restoring the general-purpose registers and NZCV: data processing, loads into
 * general-purpose registers and a final branch (no store, no system or FP/SIMD
 * instruction, nothing that traps but an abort, which the Alignment fault supersedes)? */
static bool undoable_rest(struct pe *pe, uint64_t from)
{
    for (uint64_t pc = from; pc - pe->cur_start < pe->cur_size; pc += 4) {
        uint32_t w = pe_read_insn(pe, pc);
        bool last = pc + 4 - pe->cur_start >= pe->cur_size;
        if ((w & 0x1c000000u) == 0x10000000u || (w & 0x0e000000u) == 0x0a000000u)
            continue;                                         /* data processing: immediate, register */
        struct a64_ldst d;
        if (a64_decode_ldst(w, &d) && d.is_mem && !d.is_store && !d.vector && !d.exclusive && !d.atomic)
            continue;     /* a load into general-purpose registers: a device's is dropped, a fault waits */
        bool branch = (w & 0xff000010u) == 0x54000000u ||     /* B.cond */
                      (w & 0x7c000000u) == 0x14000000u ||     /* B, BL */
                      (w & 0x7c000000u) == 0x34000000u ||     /* CBZ, CBNZ, TBZ, TBNZ */
                      (w & 0xff9ffc1fu) == 0xd61f0000u;       /* BR, BLR, RET */
        if (!branch || !last)
            return false;
    }
    return true;
}

/* The abort of the access a (at its instruction, FAR its VA), taken when the block ends:
 * the registers are saved now and restored then (take_mmio_fault). */
static void pend_mmio_fault(struct pe *pe, const struct pe_mmio_access *a, bool is_write, unsigned fsc)
{
    const struct pe_mmio_block *c = &pe->mmio_block;
    uint64_t pc = c->start + c->off[a->insn];
    if (!undoable_rest(pe, pc + 4)) {
        /* The rest of the block has effects avsim cannot take back. A device's External
         * abort is its choice among CONSTRAINED UNPREDICTABLE behaviours that include
         * RAZ/WI (the SMMU's, IHI 0070 "Register overview"): the access is dropped, RAZ/WI.
         * An Alignment fault has no such alternative. */
        if (fsc == FSC_ALIGNMENT)
            pe_fatal(pe, "an unaligned %s of Device memory at VA 0x%llx (PA 0x%llx) by the instruction 0x%08x at "
                     "PC 0x%llx, in a block whose later instructions avsim cannot undo: its Alignment fault is "
                     "not modelled there (README \"Limits\")", is_write ? "write" : "read",
                     (unsigned long long)a->va, (unsigned long long)a->pa, c->insn[a->insn], (unsigned long long)pc);
        return;
    }
    struct pe_mmio_abort *m = &pe->mmio_abort;
    *m = (struct pe_mmio_abort){ .pending = true, .fsc = fsc, .pc = pc, .far = a->va, .insn = c->insn[a->insn] };
    for (unsigned r = 0; r < 31; r++)
        m->x[r] = pe_get_x(pe, r);
    m->sp = pe_rd(pe, UC_ARM64_REG_SP);
    m->nzcv = pe_rd(pe, UC_ARM64_REG_NZCV);
    if (pe->stop == PE_STOP_NONE)
        pe->stop = PE_STOP_MMIO_FAULT;
    pe->attn.f.stop = true;           /* at the next block boundary */
}

bool pe_mmio_access(struct pe *pe, uint64_t pa, unsigned size, bool is_write, struct pe_mmio_access *out)
{
    *out = (struct pe_mmio_access){ .pa = pa, .size = size, .insn = -1 };
    if (pe->mmio_abort.pending)
        return true;                  /* the other pieces of the same access */
    if (!pe->cur_size)
        return false;
    const struct pe_mmio_block *c = mmio_block(pe);
    int aligned = -1, misaligned = -1;
    uint64_t misaligned_va = 0;
    for (unsigned i = 0; i < c->n; i++) {
        uint64_t pc = c->start + c->off[i];
        struct a64_ldst d;
        a64_decode_ldst(c->insn[i], &d);
        if (is_write ? !d.is_store : !d.is_load)
            continue;
        uint64_t va = a64_ldst_address(&d, pc, pe_reg_value, pe), ipa;
        uint64_t len = (uint64_t)d.size * d.nregs;
        if (!pe_va_to_pa(pe, va, false, &ipa) || pa + size <= ipa || pa >= ipa + len)
            continue;                 /* (an access crossing into the next page: its first page) */
        unsigned unit = device_align_unit(c->insn[i], &d);
        if (va % unit) {
            if (misaligned < 0) {
                misaligned = (int)i;
                misaligned_va = va;
            }
        } else if (size == (unit < 4 ? unit : 4) && (aligned < 0 || (unit > 8 ? 8 : unit) < out->size)) {
            /* The register (or element) the piece belongs to: Unicorn splits accesses
             * wider than 4 bytes into 4-byte pieces; a 128-bit one is two 64-bit
             * accesses (single-copy atomic per doubleword). A candidate of another size
             * is another access whose registers happen to point here (an earlier one
             * whose base the block changed since); of several, the narrowest is taken,
             * the size every device takes (a 4-byte piece: a 32-bit access). */
            aligned = (int)i;
            unit = unit > 8 ? 8 : unit;
            uint64_t off = (pa - ipa) / unit * unit;
            *out = (struct pe_mmio_access){ .pa = ipa + off, .size = unit, .va = va + off, .insn = (int)i };
        }
    }
    /* An aligned candidate explains the access (the registers are those of the access
     * being made, but an earlier instruction of the block may have used them too).
     * AArch64.S1Translate / AArch64.S1DisabledOutput: an unaligned access to Device memory
     * (any data access with stage 1 off) is an Alignment fault, which comes before the
     * access reaches the device. */
    if (misaligned < 0 || aligned >= 0 || !pe_mmu_data_is_device(pe, misaligned_va))
        return false;
    struct pe_mmio_access a = { .pa = pa, .size = size, .va = misaligned_va, .insn = misaligned };
    pend_mmio_fault(pe, &a, is_write, FSC_ALIGNMENT);
    return true;
}

void pe_mmio_external_abort(struct pe *pe, const struct pe_mmio_access *a, bool is_write)
{
    if (a->insn >= 0)             /* (none explains the access: RAZ/WI, not seen on a PE) */
        pend_mmio_fault(pe, a, is_write, FSC_SEA);
}

/* After the block of a refused device access ran to its end: its registers back, and
 * the Alignment fault or External abort at the access. */
static void take_mmio_fault(struct pe *pe)
{
    struct pe_mmio_abort *a = &pe->mmio_abort;
    a->pending = false;
    for (unsigned r = 0; r < 31; r++)
        pe_set_x(pe, r, a->x[r]);
    pe_wr(pe, UC_ARM64_REG_SP, a->sp);
    pe_wr(pe, UC_ARM64_REG_NZCV, a->nzcv);
    struct a64_ldst d;
    a64_decode_ldst(a->insn, &d);
    unsigned t = pe_route_el1(pe);
    d.iss.isv = false;
    struct pe_exception x = { .kind = 0, .has_esr = true, .target_el = t, .return_pc = a->pc, .far_valid = true,
                              .far = a->far, .in_block = true };
    x.ec = t == pe->el ? EC_DABORT_SAME : EC_DABORT_LOWER;
    /* (EA, IMPLEMENTATION DEFINED for an External abort, is 0, as for avsim's others.) */
    x.iss = iss_data_abort(&d.iss, false, false, false, d.is_store && !d.atomic, a->fsc);
    pe_take_exception(pe, &x);
}

/* A PE without EL2 (or EL3) whose platform answers PSCI through HVC, as QEMU's
 * -M virt without virtualization=on: HVC from EL1 is the firmware call (the
 * SMC Calling Convention's conduit); from EL0 it is UNDEFINED as always. */
static void pe_firmware_call_without_el2(struct pe *pe, uint64_t pc)
{
    if (pe->el == 0) {
        take_sync(pe, EC_UNKNOWN, 0, 1, pc - 4, true);
        return;
    }
    pe->ops->firmware_call(pe->ops_opaque, pe);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    struct pe *pe = opaque;
    finish_entry(pe);
    uint64_t pc = pe_rd(pe, UC_ARM64_REG_PC);
    if (pe->attn.f.after_eret)
        note_eret(pe, pc);            /* the exception came before the next block's hook */
    uint64_t hcr = pe_hcr_el2(pe);
    switch (intno) {
    case EXCP_UDEF: {
        uint32_t w = pe_read_insn(pe, pc);
        if (w == A64_HLT_SEMIHOSTING && pe->el > 0) {
            pe->ops->semihosting(pe->ops_opaque, pe);
            if (pe->stop == PE_STOP_NONE)
                pe_wr(pe, UC_ARM64_REG_PC, pc + 4);
            return;
        }
        if (pe_read_pstate(pe) & PSTATE_IL) {
            take_sync(pe, EC_ILLEGAL_STATE, 0, pe_route_el1(pe), pc, true);
            return;
        }
        if (a64_is_fp_simd(w)) {
            int t = fp_trap_el(pe);
            if (t >= 0) {
                take_sync(pe, EC_FP_ACCESS, iss_fp_access(), (unsigned)t, pc, true);
                return;
            }
        }
        if (pe->el == 0 && (w & 0xfffff0dfu) == 0xd50340dfu) {
            /* MSR DAIFSet/DAIFClr, #imm at EL0, which Unicorn refuses when SCTLR_EL1.UMA
             * is 0: AArch64.CheckDAIFAccess traps it (EC 0x18: Op0 0, CRn 4, CRm the
             * immediate, Rt 31) to EL1, or to EL2 with HCR_EL2.TGE. */
            take_sync(pe, EC_SYSREG, iss_sysreg(0, (w >> 16) & 7, 4, (w >> 8) & 0xf, (w >> 5) & 7, 31, false),
                      pe_route_el1(pe), pc, true);
            return;
        }
        take_sync(pe, EC_UNKNOWN, 0, pe_route_el1(pe), pc, true);
        return;
    }
    case EXCP_SWI:
        take_sync(pe, EC_SVC64, a64_imm16(pe_read_insn(pe, pc - 4)), pe_route_el1(pe), pc, true);
        return;
    case EXCP_BKPT: {
        /* AArch64.SoftwareBreakpoint: MDCR_EL2.TDE routes debug exceptions from EL0/EL1 to EL2. */
        unsigned t = pe_route_el1(pe);
        if (pe->el < 2 && (pe->sr[pe->idx.mdcr_el2] & (1ULL << 8)))
            t = 2;
        take_sync(pe, EC_BRK64, a64_imm16(pe_read_insn(pe, pc)), t, pc, true);
        return;
    }
    case EXCP_HVC:
        if (!pe->el2_implemented) {
            pe_firmware_call_without_el2(pe, pc);
            return;
        }
        if (hcr & HCR_HCD) {            /* HVC is UNDEFINED when HCR_EL2.HCD is 1 */
            take_sync(pe, EC_UNKNOWN, 0, pe_route_el1(pe), pc - 4, true);
            return;
        }
        take_sync(pe, EC_HVC64, a64_imm16(pe_read_insn(pe, pc - 4)), 2, pc, true);
        return;
    case EXCP_SMC:
        if (!pe->el2_implemented) {       /* no EL3, no EL2: SMC is UNDEFINED (as QEMU's -M virt) */
            take_sync(pe, EC_UNKNOWN, 0, 1, pc - 4, true);
            return;
        }
        if (pe->el == 1 && (hcr & HCR_TSC)) {   /* trapped SMC: the preferred return is the SMC */
            take_sync(pe, EC_SMC64, a64_imm16(pe_read_insn(pe, pc - 4)), 2, pc - 4, true);
            return;
        }
        pe->ops->firmware_call(pe->ops_opaque, pe);
        return;
    case EXCP_PREFETCH_ABORT:
    case EXCP_DATA_ABORT:
        unicorn_abort(pe, pc, intno == EXCP_PREFETCH_ABORT);
        return;
    default:
        pe_fatal(pe, "internal error: unexpected Unicorn exception %u at PC 0x%llx", intno,
                 (unsigned long long)pc);
    }
}

/* ---- life cycle -------------------------------------------------------------------------- */

void pe_attach_pmu_irq(struct pe *pe, void (*set_irq)(void *opaque, bool level), void *opaque)
{
    pe->pmu.set_irq = set_irq;
    pe->pmu.irq_opaque = opaque;
}

static void init_id_regs(struct pe *pe)
{
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++) {
            bool ok;
            uint64_t v = pe_cp_read(pe, 3, 0, 0, crm, op2, &ok);
            pe->id_regs[(crm - 1) * 8 + op2] = ok ? v : 0;
        }
    /* Describe only what avsim implements: AArch64 only at EL0-EL2, no EL3,
     * no GIC system register interface unless a GICv3 is attached (pe_gic.c),
     * 40-bit PA. ID_AA64DFR0_EL1 stays the Cortex-A57's: PMUVer 1 (PMUv3,
     * cpu/pmu.c), DebugVer 6, 6 breakpoints, 4 watchpoints, 2 context-aware. */
    uint64_t *pfr0 = &pe->id_regs[(4 - 1) * 8 + 0];
    *pfr0 = (*pfr0 & ~0x0f00ffffULL) | 0x0111ULL;
    uint64_t *dfr0 = &pe->id_regs[(5 - 1) * 8 + 0];
    *dfr0 = (*dfr0 & ~0xf00ULL) | 0x100ULL;
    uint64_t *mmfr0 = &pe->id_regs[(7 - 1) * 8 + 0];
    *mmfr0 = (*mmfr0 & ~0xfULL) | 0x2ULL;
    const struct cpu_id_regs *id = pe->model->id;
    if (id) {                         /* a model on a Unicorn CPU richer than what avsim models */
        pe->id_regs[(4 - 1) * 8 + 0] = id->pfr0;
        pe->id_regs[(4 - 1) * 8 + 1] = id->pfr1;
        pe->id_regs[(5 - 1) * 8 + 0] = id->dfr0;
        pe->id_regs[(6 - 1) * 8 + 0] = id->isar0;
        pe->id_regs[(6 - 1) * 8 + 1] = id->isar1;
        pe->id_regs[(7 - 1) * 8 + 0] = id->mmfr0;
        pe->id_regs[(7 - 1) * 8 + 1] = id->mmfr1;
        pe->id_regs[(7 - 1) * 8 + 2] = id->mmfr2;
        for (unsigned op2 = 2; op2 < 8; op2++)      /* the rest of PFR/DFR/ISAR/MMFR: RAZ */
            pe->id_regs[(4 - 1) * 8 + op2] = pe->id_regs[(5 - 1) * 8 + op2] = pe->id_regs[(6 - 1) * 8 + op2] = 0;
        for (unsigned op2 = 3; op2 < 8; op2++)
            pe->id_regs[(7 - 1) * 8 + op2] = 0;
        pe->id_regs[(5 - 1) * 8 + 1] = 0;           /* ID_AA64DFR1_EL1 */
    }
}

uint64_t sr_read_id(struct pe *pe, const struct sysreg_def *d)
{
    return pe->id_regs[(d->crm - 1) * 8 + d->op2];
}

/* Self-hosted debug registers of a Cortex-A57 that Unicorn (2.0.1, still 2.1.4) does not implement. */
static const char *const uc_lacks_debug[] = {
    "DBGCLAIMSET_EL1", "DBGCLAIMCLR_EL1", "DBGAUTHSTATUS_EL1", "DBGPRCR_EL1",
};

static void due_changed(void *opaque) { pe_due_changed(opaque); }

int pe_create(struct pe *pe, unsigned index, const struct cpu_model *model, const struct tlb_config *tlb,
              struct event_bus *events, const struct pe_platform_ops *ops, void *opaque, char *err,
              size_t errlen)
{
    memset(pe, 0, sizeof *pe);
    pe->index = index;
    pe->el2_implemented = true;
    pe->model = model;
    pe->events = events;
    pe->ops = ops;
    pe->ops_opaque = opaque;
    pe->quantum_end = UINT64_MAX;
    /* MPIDR_EL1 as QEMU's virt board builds it for up to 8 PEs: bit 31 RES1,
     * U = 0 (part of a multiprocessor system), Aff0 = the PE's index. */
    pe->mpidr = (1ULL << 31) | index;
    timeq_init(&pe->own_timeq);
    pe->timeq = &pe->own_timeq;
    pe->own_timeq.next_changed = due_changed;
    pe->own_timeq.next_changed_opaque = pe;
    /* Unicorn 2.1 answers an access to a system register it does not implement
     * (UC_ARM64_REG_CP_REG) with a warning on stderr and UC_ERR_OK; with this set
     * it returns UC_ERR_ARG, as 2.2 will always do, which is how avsim learns
     * which registers Unicorn has (qemu_has below). */
    setenv("UC_IGNORE_REG_BREAK", "1", 0);
    /* The library actually loaded (a system one may be older than the headers). */
    unsigned uv = uc_version(NULL, NULL);
    if (uv < ((2u << 24) | (1u << 16) | (2u << 8))) {
        snprintf(err, errlen, "Unicorn %u.%u.%u is too old: avsim needs 2.1.2 or newer (its TLB-fill hook and fast "
                 "stores; scripts/fetch-unicorn.sh gets 2.1.4)", uv >> 24, (uv >> 16) & 0xff, (uv >> 8) & 0xff);
        return -1;
    }
    uc_err e = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &pe->uc);
    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "cannot start Unicorn: %s", uc_strerror(e));
        return -1;
    }
    uc_ctl_set_cpu_model(pe->uc, model->unicorn_model);
    /* 4 KiB pages in Unicorn's TLB (its AArch64 default is 1 KiB, the smallest
     * ARMv7 page), and no `until` address: uc_emu_start would otherwise
     * translate it (to drop its code at the end of every run) through the
     * TLB-fill hook. avsim stops runs with uc_emu_stop. */
    if (uc_ctl_set_page_size(pe->uc, 4096) != UC_ERR_OK || uc_ctl_exits_enable(pe->uc) != UC_ERR_OK) {
        snprintf(err, errlen, "Unicorn refused 4 KiB pages or its exits control");
        return -1;
    }
    csh cs;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK) {
        snprintf(err, errlen, "cannot start capstone");
        return -1;
    }
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    pe->capstone = (uintptr_t)cs;
    pe->front = aligned_alloc(64, PE_FRONT_SLOTS * sizeof *pe->front);
    pe_forget_running_block(pe);
    pe->front_cold = calloc(PE_FRONT_SLOTS, sizeof *pe->front_cold);
    if (pe->front)
        memset(pe->front, 0, PE_FRONT_SLOTS * sizeof *pe->front);
    pe->trap_gen = 1;                 /* never 0: a front entry's ok_gen 0 means "check" */
    if (!pe->front || !pe->front_cold || block_cache_init(&pe->blocks, 14) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pe->idx.hcr_el2 = sysreg_by_name("HCR_EL2")->index;
    pe->idx.mdcr_el2 = sysreg_by_name("MDCR_EL2")->index;
    pe->idx.cntkctl_el1 = sysreg_by_name("CNTKCTL_EL1")->index;
    pe->idx.cnthctl_el2 = sysreg_by_name("CNTHCTL_EL2")->index;
    pe->idx.cntvoff_el2 = sysreg_by_name("CNTVOFF_EL2")->index;
    pe->idx.cntfrq_el0 = sysreg_by_name("CNTFRQ_EL0")->index;
    pe->idx.sctlr_el1 = sysreg_by_name("SCTLR_EL1")->index;
    pe->idx.sctlr_el2 = sysreg_by_name("SCTLR_EL2")->index;
    pe->idx.tcr_el1 = sysreg_by_name("TCR_EL1")->index;
    pe->idx.tcr_el2 = sysreg_by_name("TCR_EL2")->index;
    pe->idx.ttbr0_el1 = sysreg_by_name("TTBR0_EL1")->index;
    pe->idx.ttbr1_el1 = sysreg_by_name("TTBR1_EL1")->index;
    pe->idx.ttbr0_el2 = sysreg_by_name("TTBR0_EL2")->index;
    pe->idx.ttbr1_el2 = sysreg_by_name("TTBR1_EL2")->index;
    pe->idx.mair_el1 = sysreg_by_name("MAIR_EL1")->index;
    pe->idx.mair_el2 = sysreg_by_name("MAIR_EL2")->index;
    pe->idx.vtcr_el2 = sysreg_by_name("VTCR_EL2")->index;
    pe->idx.vttbr_el2 = sysreg_by_name("VTTBR_EL2")->index;
    int n = sysreg_count();
    pe->sr = calloc((size_t)n, sizeof *pe->sr);
    pe->qemu_has = calloc((size_t)n, sizeof *pe->qemu_has);
    if (!pe->sr || !pe->qemu_has) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const struct sysreg_def *d = sysreg_at(i);
        bool ok = true;
        /* Probing by reading asserts inside Unicorn for write-only operations
         * that it has (TLBI, DC, IC, AT: op0=1; PMSWINC_EL0), for the debug
         * registers it keeps as no-ops (op0=2: MDCCINT_EL1, OSDLR_EL1, ...) and
         * for the special CurrentEL and NZCV. The other op0=3 encodings are
         * probed (a write-only register Unicorn lacks reads as "not there"); of
         * the op0=2 ones, Unicorn 2.1.4 lacks those listed in uc_lacks_debug.
         * A register avsim handles must be known to be missing from Unicorn, or
         * the skip its hook asks for is not honoured and the instruction runs
         * again (on_sys); guest.trap_mdcr reads each of them. */
        if (d->op0 == 3 && strcmp(d->name, "CurrentEL") && strcmp(d->name, "NZCV") &&
            strcmp(d->name, "PMSWINC_EL0"))
            pe_cp_read(pe, d->op0, d->op1, d->crn, d->crm, d->op2, &ok);
        for (size_t k = 0; d->op0 == 2 && k < sizeof uc_lacks_debug / sizeof uc_lacks_debug[0]; k++)
            if (!strcmp(d->name, uc_lacks_debug[k]))
                ok = false;
        pe->qemu_has[i] = ok;
        if (d->storage == SR_NATIVE && !ok && (sysreg_features(model) >> d->feature & 1)) {
            snprintf(err, errlen, "internal error: %s is marked native but Unicorn does not implement it",
                     d->name);
            return -1;
        }
    }
    /* The trampoline page: an ERET at 0, the EL0 landing at 0x480 (its block
     * hook redirects), a UDF at 0x800. */
    static const uint32_t eret = A64_ERET, udf = 0, nop = 0xd503201f;
    if (uc_mem_map(pe->uc, PE_TRAMPOLINE_PA, 0x1000, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_PA, &eret, 4) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_EL0_LANDING, &nop, 4) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_EL0_LANDING + 4, &eret, 4) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_A32_LANDING, &nop, 4) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_A32_LANDING + 4, &eret, 4) != UC_ERR_OK ||
        uc_mem_write(pe->uc, PE_TRAMPOLINE_PA + 0x800, &udf, 4) != UC_ERR_OK) {
        snprintf(err, errlen, "cannot map the EL-switch trampoline");
        return -1;
    }
    init_id_regs(pe);
    /* Reset values of the translation registers as Unicorn's Cortex-A57 has them. */
    pe->mmu_reset = calloc((size_t)n, sizeof *pe->mmu_reset);
    if (!pe->mmu_reset) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const struct sysreg_def *d = sysreg_at(i);
        if ((d->traps & SR_MMU_REG) && pe->qemu_has[i])
            pe->mmu_reset[i] = pe_cp_read(pe, d->op0, d->op1, d->crn, d->crm, d->op2, NULL);
        else
            pe->mmu_reset[i] = d->reset;
    }
    if (pe_mmu_init(pe, tlb, err, errlen) != 0)
        return -1;
    pmu_init(&pe->pmu, &pe->cycles, &pe->idle_cycles, pe->insns_by_el, true, NULL, NULL);
    const char *every = getenv("AVSIM_DEBUG_FLUSH_UNICORN_TLB");
    pe->uc_flush_every = every ? strtoull(every, NULL, 0) : 0;
    pe->uc_flush_at = UINT64_MAX;
    pe_set_pmu_check_at(pe, UINT64_MAX);
    uc_hook_add(pe->uc, &pe->h_block, UC_HOOK_BLOCK, on_block, pe, 1, 0);
    uc_hook_add(pe->uc, &pe->h_intr, UC_HOOK_INTR, on_intr, pe, 1, 0);
    uc_hook_add(pe->uc, &pe->h_mrs, UC_HOOK_INSN, on_mrs, pe, 1, 0, UC_ARM64_INS_MRS);
    uc_hook_add(pe->uc, &pe->h_msr, UC_HOOK_INSN, on_msr, pe, 1, 0, UC_ARM64_INS_MSR);
    uc_hook_add(pe->uc, &pe->h_sys, UC_HOOK_INSN, on_msr, pe, 1, 0, UC_ARM64_INS_SYS);
    uc_hook_add(pe->uc, &pe->h_sysl, UC_HOOK_INSN, on_mrs, pe, 1, 0, UC_ARM64_INS_SYSL);
    return 0;
}

/* The unmapped-access hook covers every physical address except RAM's: a
 * memory hook whose range holds a RAM page keeps Unicorn 2.1's stores to it on
 * the slow path (notdirty_write asks uc_mem_hook_installed for the PA). */
int pe_note_ram(struct pe *pe, uint64_t base, uint64_t size, const uint8_t *host)
{
    pe->ram_base = base;
    pe->ram_size = size;
    pe->ram_host = host;
    free(pe->code_pages);
    pe->code_pages = calloc(((size >> 12) + 63) / 64, sizeof *pe->code_pages);
    if (!pe->code_pages)
        return -1;
    if (base > 0 &&
        uc_hook_add(pe->uc, &pe->h_unmapped[0], UC_HOOK_MEM_UNMAPPED, on_unmapped, pe, 0, base - 1) != UC_ERR_OK)
        return -1;
    if (base + size != 0 &&
        uc_hook_add(pe->uc, &pe->h_unmapped[1], UC_HOOK_MEM_UNMAPPED, on_unmapped, pe, base + size, UINT64_MAX) !=
            UC_ERR_OK)
        return -1;
    return 0;
}

void pe_destroy(struct pe *pe)
{
    if (pe->uc)
        uc_close(pe->uc);
    if (pe->capstone) {
        csh cs = (csh)pe->capstone;
        cs_close(&cs);
    }
    if (pe->mmu_reset)
        pe_mmu_destroy(pe);
    block_cache_destroy(&pe->blocks);
    free(pe->front);
    free(pe->front_cold);
    free(pe->code_pages);
    free(pe->hooks_later);
    free(pe->mmu_reset);
    free(pe->sr);
    free(pe->qemu_has);
    memset(pe, 0, sizeof *pe);
}

/* ID_AA64PFR0_EL1.EL2 says whether EL2 exists. Without it, HCR_EL2 behaves
 * as 0 except RW, which is 1 (EL1 is AArch64): the Arm ARM's effective value
 * when EL2 is not implemented. Unicorn keeps its EL2, unreachable. */
static void pe_apply_el2_presence(struct pe *pe)
{
    uint64_t *pfr0 = &pe->id_regs[(4 - 1) * 8 + 0];
    *pfr0 = (*pfr0 & ~0xf00ULL) | (pe->el2_implemented ? 0x100ULL : 0);
    if (!pe->el2_implemented)
        pe->sr[pe->idx.hcr_el2] = HCR_RW;
    pe_trap_state_changed(pe);
}

int pe_reset(struct pe *pe, uint64_t entry, unsigned start_el)
{
    for (unsigned i = 0; i < 31; i++)
        pe_set_x(pe, i, 0);
    for (unsigned el = 0; el <= 2; el++)
        pe_wr(pe, sp_reg(el), 0);
    pe_wr(pe, UC_ARM64_REG_SP, 0);
    for (int i = 0; i < sysreg_count(); i++)
        pe->sr[i] = pe->mmu_reset[i];
    pe_trap_state_changed(pe);
    /* EL3 (invisible to the guest): non-secure, HVC enabled, EL2 AArch64. */
    pe_cp_write(pe, 3, 6, 1, 1, 0, 0x531);
    /* Unicorn's HCR_EL2: EL1 is AArch64; every trap control stays in avsim. */
    pe_cp_write(pe, 3, 4, 1, 1, 0, HCR_RW);
    pe_cp_write(pe, 3, 4, 0, 0, 5, pe->mpidr);         /* VMPIDR_EL2 resets to MPIDR_EL1 */
    if (pe->model->midr)
        pe_cp_write(pe, 3, 4, 0, 0, 0, pe->model->midr);   /* VPIDR_EL2 resets to MIDR_EL1 */
    pe_apply_el2_presence(pe);
    pe_mmu_reset(pe);
    pe_sd_update(pe);                  /* the debug registers reset: nothing armed */
    block_cache_flush(&pe->blocks);
    pe_forget_running_block(pe);
    pe->sp_align_on = false;
    pe->attn.f.sp_recheck = true;
    pe->el = (pe_read_pstate(pe) >> 2) & 3;
    pe->pmu.el2_implemented = pe->el2_implemented;
    pmu_reset(&pe->pmu, pe->el);
    pe->uc_flush_at = pe->uc_flush_every ? pe->cycles + pe->uc_flush_every : UINT64_MAX;
    pe_set_pmu_check_at(pe, pe->uc_flush_at);
    pe->event_reg = false;
    pe->attn.f.after_eret = false;
    pe->attn.f.int_recheck = false;
    pe->sync_without_eret = 0;
    pe->cur_size = 0;
    pe->debug.resume_seen = true;    /* a debugger's breakpoint at the entry point is not skipped */
    uint32_t ps = start_el == 2 ? 0x3c9 : 0x3c5;      /* ELxh, DAIF masked */
    switch_el(pe, ps, entry, false, 0, 0);
    return 0;
}

/* A guest data access (only hooked while someone wants EV_MEM_ACCESS: the
 * hook sends every load and store through Unicorn's slow path). */
static void on_data_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                           void *opaque)
{
    struct pe *pe = opaque;
    struct event ev;             /* not zeroed: the hot path; u.access is filled in full */
    ev.type = EV_MEM_ACCESS;
    ev.pe = pe->index;
    ev.cycles = pe->cycles;
    ev.pc = pe->cur_start;
    /* Unicorn 2.1 calls the hook after it translated, with the physical
     * address: the VA comes from the fill that mapped the page. */
    if (!pe_mmu_describe_pa(pe, addr, &ev))
        return;
    ev.u.access.size = (unsigned)size;
    ev.u.access.is_write = type == UC_MEM_WRITE;
    event_publish(pe->events, &ev);
}

/* ---- debugging (struct pe_debug) ---------------------------------------------------- */

/* Before every guest instruction while a debugger is attached. A stop writes
 * the PC back to the instruction (Unicorn restarts there without running it)
 * and the block hook then ends the run before the block (see block_attention). */
static void on_debug_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct pe *pe = opaque;
    struct pe_debug *d = &pe->debug;
    if (pe_in_trampoline(addr) || pe->attn.f.stop || pe->attn.f.entry)
        return;                      /* an exception entry under way stops at its vector */
    if (!d->resume_seen) {
        d->resume_seen = true;
        if (addr == d->resume_pc)
            return;                  /* the instruction the PE resumed at runs */
    }
    bool stop = d->step;
    for (unsigned i = 0; i < d->n_bp && !stop; i++)
        stop = d->bp[i] == addr;
    if (!stop && d->poll && ++d->poll_count >= 4096) {
        d->poll_count = 0;
        stop = d->interrupted = d->poll(d->poll_opaque);
    }
    if (!stop)
        return;
    pe_uncount_from(pe, addr);
    pe->stop = PE_STOP_DEBUG;
    pe->attn.f.stop = true;
    pe_wr(pe, UC_ARM64_REG_PC, addr);
}

int pe_debug_attach(struct pe *pe, bool (*poll)(void *opaque), void *opaque)
{
    struct pe_debug *d = &pe->debug;
    if (!d->attached && uc_hook_add(pe->uc, &d->hook, UC_HOOK_CODE, on_debug_insn, pe, 1, 0) != UC_ERR_OK)
        return -1;
    d->attached = true;
    d->poll = poll;
    d->poll_opaque = opaque;
    if (pe->insns)                   /* code translated before gets the hook (a PE that never ran has none) */
        uc_ctl(pe->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
    return 0;
}

void pe_debug_detach(struct pe *pe)
{
    struct pe_debug *d = &pe->debug;
    if (d->attached)
        uc_hook_del(pe->uc, d->hook);
    memset(d, 0, sizeof *d);
    if (pe->insns)                   /* translated code calls the hook: translate it again without */
        uc_ctl(pe->uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
}

int pe_debug_add_breakpoint(struct pe *pe, uint64_t va)
{
    struct pe_debug *d = &pe->debug;
    for (unsigned i = 0; i < d->n_bp; i++)
        if (d->bp[i] == va)
            return 0;
    if (d->n_bp == PE_DEBUG_MAX_BP)
        return -1;
    d->bp[d->n_bp++] = va;
    return 0;
}

void pe_debug_remove_breakpoint(struct pe *pe, uint64_t va)
{
    struct pe_debug *d = &pe->debug;
    for (unsigned i = 0; i < d->n_bp; i++)
        if (d->bp[i] == va) {
            d->bp[i] = d->bp[--d->n_bp];
            return;
        }
}

void pe_debug_resume(struct pe *pe, bool step)
{
    struct pe_debug *d = &pe->debug;
    d->step = step;
    d->resume_pc = pe_debug_get_reg(pe, 32);   /* after a reset: its entry point, not the trampoline */
    d->resume_seen = false;
    d->interrupted = false;
}

void pe_debug_stop_at_next(struct pe *pe)
{
    pe->debug.step = true;
    pe->debug.resume_seen = true;
    pe->debug.interrupted = false;
}

void pe_code_changed(struct pe *pe, uint64_t va, size_t len)
{
    /* The other PEs translate the code of those physical pages again, as after an IC IVAU. */
    for (uint64_t page = va & ~0xfffULL, last = (va + len - 1) & ~0xfffULL; pe->ops->broadcast_ic && len;
         page += 0x1000) {
        uint64_t pa;
        if (pe_va_to_pa(pe, page, false, &pa))
            pe->ops->broadcast_ic(pe->ops_opaque, pe, pa & ~0xfffULL, false);
        if (page == last)
            break;
    }
    pe_drop_code_va(pe, va & ~0xfffULL, ((va + len + 0xfff) & ~0xfffULL));
    block_cache_flush(&pe->blocks);
    pe_forget_running_block(pe);
}

uint64_t pe_debug_get_reg(struct pe *pe, unsigned n)
{
    if (n <= 30)
        return pe_get_x(pe, n);
    if (n == 31)
        return pe_rd(pe, UC_ARM64_REG_SP);
    if (n == 32) {
        /* A PE between a reset (PSCI CPU_ON) and its first instruction sits in
         * the trampoline page: it shows the address the switch lands at. */
        uint64_t pc = pe_rd(pe, UC_ARM64_REG_PC);
        return pe_in_trampoline(pc) && pe->entry.active ? pe->entry.pc : pc;
    }
    return pe_read_pstate(pe);
}

unsigned pe_debug_el(struct pe *pe)
{
    return pe->entry.active && pe_in_trampoline(pe_rd(pe, UC_ARM64_REG_PC)) ? pe->entry.target_el : pe->el;
}

void pe_debug_set_reg(struct pe *pe, unsigned n, uint64_t v)
{
    if (n <= 30)
        pe_set_x(pe, n, v);
    else if (n == 31)
        pe_wr(pe, UC_ARM64_REG_SP, v);
    else if (n == 32)
        pe_wr(pe, UC_ARM64_REG_PC, v);
    else if (n == 33)
        pe_wr(pe, UC_ARM64_REG_NZCV, v & 0xf0000000u);
}

enum pe_stop pe_run(struct pe *pe)
{
    if (!pe->data_hooked && event_wanted(pe->events, EV_MEM_ACCESS)) {
        if (uc_hook_add(pe->uc, &pe->h_data, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_data_access, pe, 1, 0) !=
            UC_ERR_OK) {
            pe_fatal(pe, "cannot install the data access hook");
            return PE_STOP_FATAL;
        }
        pe->data_hooked = true;
        pe_flush_unicorn_tlb(pe);     /* each page is filled again and noted (pe_mmu_describe_pa) */
    }
    /* Listeners subscribe and the limit is set before a run, never in a slice. */
    pe->blocks_watched = event_wanted(pe->events, EV_BLOCK);
    pe_due_changed(pe);
    for (;;) {
        pe->stop = PE_STOP_NONE;
        pe->attn.f.stop = false;
        uint64_t pc = pe_rd(pe, UC_ARM64_REG_PC);
        pe->mmu.pending.valid = false;
        if (pe->n_hooks_later)
            delete_hooks_later(pe);
        uc_err e = uc_emu_start(pe->uc, pc, UNTIL_NEVER, 0, 0);
        if (pe->stop == PE_STOP_DEBUG && pe_in_trampoline(pe_rd(pe, UC_ARM64_REG_PC))) {
            /* Stopped inside an EL switch: go on to the first guest instruction. */
            pe->debug.step = true;
            pe->debug.resume_seen = true;
            continue;
        }
        if (pe->stop == PE_STOP_RESTART) {
            pe->hooks_deleted = 0;           /* uc_emu_start freed the deleted hooks */
            continue;
        }
        if (pe->mmio_abort.pending && pe->stop != PE_STOP_FATAL) {
            /* (Before whatever else stopped Unicorn: a fetch fault of the next block.) */
            finish_entry(pe);
            pe->bus_fault.valid = false;
            take_mmio_fault(pe);
            if (pe->stop != PE_STOP_NONE && pe->stop != PE_STOP_MMIO_FAULT)
                return pe->stop;
            continue;
        }
        if (pe->stop != PE_STOP_NONE)
            return pe->stop;
        if (e == UC_ERR_OK) {
            pc = pe_rd(pe, UC_ARM64_REG_PC);
            uint32_t w = pe_read_insn(pe, pc - 4);
            if (w == A64_WFI) {
                finish_entry(pe);
                if (event_wanted(pe->events, EV_WFI)) {
                    struct event ev = { .type = EV_WFI, .pe = pe->index, .cycles = pe->cycles, .pc = pc - 4 };
                    ev.u.wfi.el = pe->el;
                    event_publish(pe->events, &ev);
                }
                if (pe_interrupt_pending(pe)) {
                    pe->attn.f.int_recheck = true;
                    continue;
                }
                return PE_STOP_WFI;
            }
            pe_fatal(pe, "internal error: Unicorn stopped at PC 0x%llx for no known reason",
                     (unsigned long long)pc);
            return PE_STOP_FATAL;
        }
        if (pe->mmu.pending.valid) {
            /* The TLB-fill hook refused a translation: Unicorn stopped at the
             * instruction, registers untouched; take the abort. */
            finish_entry(pe);
            uint64_t at = pe_rd(pe, UC_ARM64_REG_PC);
            if (pe->attn.f.after_eret)
                note_eret(pe, at);
            if (pe->mmu.pending.acc == MMU_FETCH && (at & ~0xfffULL) == pe->mmu.pending.page &&
                pe->attn.f.int_recheck && !pe->attn.f.illegal) {
                /* The fetch of the next block's first instruction faulted before its block
                 * hook could look at interrupts: one pending and unmasked at that boundary
                 * (after an ERET, an MSR DAIFClr...) is taken first, as QEMU 7.2 does. After
                 * a context synchronization event the Arm ARM leaves the order of the two
                 * open ("Prioritization of asynchronous exceptions"); elsewhere the
                 * interrupt comes at the boundary before the instruction's fetch. */
                pe->attn.f.int_recheck = false;
                if (pe_interrupt_pending(pe) && deliver_interrupt(pe, at)) {
                    pe->mmu.pending.valid = false;
                    continue;
                }
            }
            pe_mmu_take_pending_fault(pe);
            if (pe->stop != PE_STOP_NONE)
                return pe->stop;
            continue;
        }
        if (pe->bus_fault.valid && (e == UC_ERR_READ_UNMAPPED || e == UC_ERR_WRITE_UNMAPPED ||
                                    e == UC_ERR_FETCH_UNMAPPED)) {
            finish_entry(pe);
            bus_fault(pe);
            if (pe->stop != PE_STOP_NONE)
                return pe->stop;
            continue;
        }
        pe_fatal(pe, "Unicorn error at PC 0x%llx: %s", (unsigned long long)pe_rd(pe, UC_ARM64_REG_PC),
                 uc_strerror(e));
        return PE_STOP_FATAL;
    }
}
