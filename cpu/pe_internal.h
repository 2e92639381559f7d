/* Internals shared by the PE's source files (pe.c, pe_mmu.c, pe_sysregs.c). */
#ifndef AVSIM_CPU_PE_INTERNAL_H
#define AVSIM_CPU_PE_INTERNAL_H
#include "cpu/insn.h"
#include "cpu/pe.h"

struct pe_exception {
    unsigned kind;          /* 0 sync, 1 IRQ, 2 FIQ, 3 SError */
    unsigned ec;            /* for events; ESR written when has_esr */
    uint32_t iss;
    bool has_esr;
    unsigned target_el;
    uint64_t return_pc;
    bool far_valid;
    uint64_t far;
    bool in_block;          /* raised while the current block executed: correct the counts */
    bool spsr_override;     /* save this PSTATE instead of the current one */
    uint32_t spsr;
};


uint64_t pe_rd(struct pe *pe, int reg);
void pe_wr(struct pe *pe, int reg, uint64_t v);
/* The load/store of the current block (pe->cur_start, cur_size) that accesses
 * addr with the registers as they are now (is_write: 1 stores, 0 loads, -1 either). */
struct a64_ldst;
bool pe_find_faulting_access(struct pe *pe, uint64_t addr, int is_write, uint64_t *pc_out, struct a64_ldst *out);
/* Does insn (at pc) write register reg (31: SP)? Unknown instructions: true. */
bool pe_insn_writes_reg(struct pe *pe, uint32_t insn, uint64_t pc, unsigned reg);
uint64_t pe_cp_read(struct pe *pe, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                    bool *ok);
void pe_cp_write(struct pe *pe, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                 uint64_t v);
uint32_t pe_read_pstate(struct pe *pe);
/* The instruction word at va in the current translation regime (0 if unmapped). */
uint32_t pe_read_insn(struct pe *pe, uint64_t va);
/* Something a trap decision depends on may have changed (a system register
 * avsim holds, the translation regime): blocks check their system
 * instructions again before they run. */
void pe_trap_state_changed(struct pe *pe);
/* Takes back the current block's instructions from pc on (they did not retire). */
void pe_uncount_from(struct pe *pe, uint64_t pc);
/* AArch64.TakeException. */
void pe_take_exception(struct pe *pe, const struct pe_exception *x);
/* The EL a synchronous exception from the current EL goes to, without an EL2 routing control. */
unsigned pe_route_el1(struct pe *pe);
/* The PMU (pe_pmu.c): the access checks before MDCR_EL2.TPM, MDCR_EL2 written,
 * and the block hook's call when the clock reached pmu_check_at. */
enum pmu_access_check pe_pmu_check(void *opaque, const struct sysreg_def *d, bool is_read);
void pe_pmu_mdcr_written(struct pe *pe, uint64_t mdcr);
void pe_pmu_check_due(struct pe *pe);
/* Deletes a Unicorn hook (counted: see delete_hook in pe.c). */
void pe_delete_hook(struct pe *pe, uc_hook h);
/* Deletes a code hook whose addresses may not translate in the current regime
 * (a breakpoint's at a guest VA, written at EL2): outside uc_emu_start, before
 * the PE runs again. */
void pe_delete_hook_later(struct pe *pe, uc_hook h);
/* Unicorn translates the code of [start, end) again at the next block boundary (a code hook
 * added or removed there); the decoded blocks stay valid. */
void pe_retranslate_va(struct pe *pe, uint64_t start, uint64_t end);
/* The register reader of a64_ldst_address and the like (register 31: SP or XZR). */
uint64_t pe_reg_value(void *opaque, unsigned reg, bool is_sp);
/* Is the data at va Device memory for the current EL (stage 1 off: always; else the
 * attributes of the model's TLB entry, Device when it holds none)? */
bool pe_mmu_data_is_device(struct pe *pe, uint64_t va);
/* A data abort for an alignment fault if the access at va is misaligned and must fault. */
bool pe_alignment_fault(struct pe *pe, uint64_t pc, struct a64_ldst *d, uint64_t va);

#endif
