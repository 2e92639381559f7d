/* Self-hosted debug (issue 19): hardware breakpoints, watchpoints and software
 * step, as the Armv8.0 AArch64 debug architecture generates and routes them.
 *
 * The match functions (dbg_*) are pure: they read a struct dbg_view, a copy of
 * the registers and PE state they depend on (unit tests build one by hand).
 * The PE glue (pe_sd_*) keeps Unicorn hooks only where something is armed:
 *  - an enabled address breakpoint: a code hook over its one address;
 *  - software step (MDSCR_EL1.SS) or an unlinked context breakpoint: a code
 *    hook over every address, only while it is set;
 *  - watchpoints: the TLB-fill hook refuses the pages they watch, so only
 *    accesses to those pages leave Unicorn (see pe_debug.c for why).
 * With nothing armed nothing is hooked and nothing costs. */
#ifndef AVSIM_CPU_PE_DEBUG_H
#define AVSIM_CPU_PE_DEBUG_H
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#define DBG_NUM_BRPS 6          /* ID_AA64DFR0_EL1.BRPs = 5 (Cortex-A57) */
#define DBG_NUM_WRPS 4          /* ID_AA64DFR0_EL1.WRPs = 3 */
#define DBG_NUM_CTX_CMPS 2      /* ID_AA64DFR0_EL1.CTX_CMPs = 1: breakpoints 4 and 5 are context-aware */

/* Debug exception classes (ESR_ELx.EC) and the fault status code of debug exceptions. */
enum {
    EC_BREAKPOINT_LOWER = 0x30, EC_BREAKPOINT_SAME = 0x31,
    EC_SOFTWARE_STEP_LOWER = 0x32, EC_SOFTWARE_STEP_SAME = 0x33,
    EC_WATCHPOINT_LOWER = 0x34, EC_WATCHPOINT_SAME = 0x35,
};
#define DBG_FSC_DEBUG 0x22

#define MDSCR_SS (1ULL << 0)
#define MDSCR_KDE (1ULL << 13)
#define MDSCR_MDE (1ULL << 15)
#define MDCR_EL2_TDE_BIT (1ULL << 8)
#define PSTATE_D_BIT (1u << 9)
#define PSTATE_SS_BIT (1u << 21)

/* What the debug match functions read. */
struct dbg_view {
    uint64_t bcr[DBG_NUM_BRPS], bvr[DBG_NUM_BRPS];
    uint64_t wcr[DBG_NUM_WRPS], wvr[DBG_NUM_WRPS];
    uint64_t mdscr, oslsr, osdlr, dbgprcr, mdcr_el2, hcr_el2;
    uint64_t contextidr_el1, contextidr_el2, vttbr_el2;
    bool el2_implemented;
    bool have_vhe;              /* FEAT_VHE (not on the Cortex-A57) */
    unsigned el;                /* PSTATE.EL */
    bool pstate_d;              /* PSTATE.D */
    bool tbi_lo, tbi_hi;        /* AddrTop: TBI for VA[55] = 0 and 1 in the current regime */
};

/* AArch64.GenerateDebugExceptionsFrom(from, secure = FALSE, mask). */
bool dbg_generate_from(const struct dbg_view *v, unsigned from, bool mask);
/* AArch64.GenerateDebugExceptions(): from the current EL with PSTATE.D. */
static inline bool dbg_generate(const struct dbg_view *v) { return dbg_generate_from(v, v->el, v->pstate_d); }
/* The EL debug exceptions from EL0/EL1 go to (EL2 with MDCR_EL2.TDE or HCR_EL2.TGE), or EL2 at EL2. */
unsigned dbg_target_el(const struct dbg_view *v);
/* AArch64.BreakpointValueMatch. */
bool dbg_bp_value_match(const struct dbg_view *v, unsigned n, uint64_t va, bool linked_to);
/* AArch64.StateMatch (non-secure, no EL3). */
bool dbg_state_match(const struct dbg_view *v, unsigned ssc, bool hmc, unsigned pxc, bool linked, unsigned lbn,
                     bool isbreakpnt, bool ispriv);
/* AArch64.BreakpointMatch for the instruction at va. */
bool dbg_bp_match(const struct dbg_view *v, unsigned n, uint64_t va);
/* AArch64.WatchpointMatch for an access of size bytes at va (ispriv: not an LDTR/STTR-style access). */
bool dbg_wp_match(const struct dbg_view *v, unsigned n, uint64_t va, unsigned size, bool ispriv, bool iswrite);
bool dbg_wp_match_first(const struct dbg_view *v, unsigned n, uint64_t va, unsigned size, bool ispriv, bool iswrite,
                        uint64_t *hit);
/* Does watchpoint n watch any byte of the 4 KiB page at va (with any LSC, any state)? */
bool dbg_wp_may_watch_page(const struct dbg_view *v, unsigned n, uint64_t page);

/* ---- the PE's state (struct pe.sd) ---- */
struct pe_sd_index {                        /* the registers' places in pe->sr */
    bool ready;
    int bcr[DBG_NUM_BRPS], bvr[DBG_NUM_BRPS], wcr[DBG_NUM_WRPS], wvr[DBG_NUM_WRPS];
    int mdscr, oslsr, osdlr, dbgprcr;
};
struct pe_self_debug {
    struct pe_sd_index ix;
    /* The armed set, recomputed from the registers (pe_sd_update). */
    bool wp_armed;                          /* the TLB-fill hook checks its pages (pe_sd_page_watched) */
    uint64_t wp_lo[DBG_NUM_WRPS], wp_hi[DBG_NUM_WRPS];   /* inclusive page ranges watched (by VA) */
    unsigned n_wp;
    /* Addresses with a code hook, armed now or before: a hook stays when its
     * breakpoint goes (check_insn matches the registers), so that KVM arming a
     * guest's breakpoints at each entry and the host's at each exit does not
     * retranslate everything each time; the oldest unarmed one goes when a new
     * address needs its place. */
#define SD_BP_HOOKS 16
    uint64_t bp_addr[SD_BP_HOOKS];
    uc_hook bp_hook[SD_BP_HOOKS];
    uint64_t bp_used[SD_BP_HOOKS];          /* sd->bp_clock when last armed */
    unsigned n_bp_hooks;
    uint64_t bp_clock;
    bool all_hooked;                        /* a code hook over every address (step, context breakpoints) */
    uc_hook all_hook;
    bool ss_on;                             /* MDSCR_EL1.SS (the hook above is in place) */
    /* Software step (AArch64.SS*): PSTATE.SS, which Unicorn does not keep for avsim. */
    bool pstate_ss;
    bool ss_stepping;                       /* the instruction at ss_pc started in active-not-pending */
    uint64_t ss_pc;
    bool ss_ex;                             /* ... and it is a load-exclusive */
    bool ss_did_step;                       /* an instruction was stepped: the next step exception has ISV = 1 */
    /* A watched page granted to one instruction that matched no watchpoint. */
    bool grant;
    uint64_t grant_pc;
    uc_hook grant_hook;
    bool grant_hooked;
};

struct pe;
struct pe_exception;
/* A debug register, MDSCR_EL1, the OS Lock or Double Lock, DBGPRCR_EL1 or MDCR_EL2 was written. */
void pe_sd_update(struct pe *pe);
/* The TLB-fill hook: may a data fill of the page at va be granted (false: refuse, a watched page)? */
bool pe_sd_fill_allowed(struct pe *pe, uint64_t va);
/* The refused fill of a watched page: the Watchpoint exception, or the access goes on. */
void pe_sd_watched_access(struct pe *pe);
/* Before avsim takes an exception of the instruction at addr: the Software Step or
 * Breakpoint exception that has the priority (true: taken). */
bool pe_sd_before_insn_exception(struct pe *pe, uint64_t addr, bool in_block);
/* DC IVAC (insn) with watchpoints armed: checked before it runs (a block special). */
bool pe_sd_dc_ivac_needs_check(const struct pe *pe, uint32_t insn);
/* Its Watchpoint exception, when it matches one (true: taken). */
bool pe_sd_dc_ivac_watch(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block);
/* AArch64.ExceptionReturn: PSTATE.SS from the SPSR (DebugExceptionReturnSS). */
void pe_sd_eret(struct pe *pe, uint32_t spsr);
/* AArch64.TakeException: the SPSR.SS to save for an exception x; PSTATE.SS is then 0. */
uint32_t pe_sd_exception_ss(struct pe *pe, const struct pe_exception *x);

#endif
