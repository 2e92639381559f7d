/* Self-hosted debug (issue 19): breakpoints, watchpoints, software step.
 *
 * Match functions follow the Arm pseudocode named in each comment (Armv8.0
 * AArch64, non-secure, no EL3; FEAT_VHE's context types and CONTEXTIDR_EL2
 * only on the CPUs that have it, not on the Cortex-A57). CONSTRAINED UNPREDICTABLE cases pick one
 * of the permitted behaviours, said where it happens.
 *
 * How it reaches Unicorn (pe_debug.h has the overview):
 * - Breakpoints: a code hook over each enabled address breakpoint's address
 *   (Unicorn's code hooks are by VA, the PC); the hook evaluates the whole
 *   AArch64.CheckBreakpoint at that instruction, so EL, PSTATE.D, KDE, TDE and
 *   the context registers need no recomputation of the hook set. Unlinked
 *   context breakpoints match any address: they use the every-address hook.
 * - Software step: while MDSCR_EL1.SS is 1, a code hook over every address
 *   follows PSTATE.SS (which avsim keeps: Unicorn's MDSCR_EL1 is 0, so its ERET
 *   clears SS), as AArch64 software step's state machine says.
 * - Watchpoints: Unicorn's memory hooks cannot serve. Any UC_HOOK_MEM_READ or
 *   _WRITE, whatever its range, makes every translated load and store take
 *   Unicorn's slow path (tcg_uc_has_hookmem), and a stop requested from one
 *   lets the access and the rest of the block complete (uc_emu_stop and a PC
 *   write only set exit flags); a watched store would have changed memory. So
 *   the TLB-fill hook refuses data fills of watched pages: uc_emu_start then
 *   returns before the access, registers untouched (as for an MMU fault), and
 *   avsim decodes the instruction at the PC (a64_decode_ldst), checks every
 *   byte it accesses (AArch64.WatchpointMatch) and takes the Watchpoint
 *   exception, or grants that one instruction the page: its fills are
 *   granted while the PC is at it, and a one-address code hook after it
 *   flushes Unicorn's TLB so that the page is refused again. Only accesses to
 *   watched pages leave Unicorn. */
#include "cpu/pe_debug.h"
#include "cpu/insn.h"
#include "cpu/pe.h"
#include "cpu/pe_internal.h"
#include "cpu/routing.h"
#include "cpu/sysreg.h"
#include "cpu/sysreg_handlers.h"
#include <stdio.h>
#include <string.h>

/* ---- matching (pure) ------------------------------------------------------------ */

/* AArch64.GenerateDebugExceptionsFrom(from, secure = FALSE, mask): the OS Lock
 * and the OS Double Lock (DoubleLockStatus: OSDLR_EL1.DLK with
 * DBGPRCR_EL1.CORENPDRQ = 0) disable them; debug exceptions go to EL2 when
 * HCR_EL2.TGE or MDCR_EL2.TDE is set; at the debug target EL itself they need
 * MDSCR_EL1.KDE and the mask (PSTATE.D) clear; from a lower EL they are on. */
bool dbg_generate_from(const struct dbg_view *v, unsigned from, bool mask)
{
    if ((v->oslsr & 2) || ((v->osdlr & 1) && !(v->dbgprcr & 1)))
        return false;
    bool route_to_el2 = v->el2_implemented && ((v->hcr_el2 & HCR_TGE) || (v->mdcr_el2 & MDCR_EL2_TDE_BIT));
    unsigned target = route_to_el2 ? 2 : 1;
    if (from == target)
        return (v->mdscr & MDSCR_KDE) && !mask;
    return target > from;
}

/* AArch64.BreakpointException / WatchpointException / SoftwareStepException:
 * EL2 at EL2, or from EL0/EL1 with EL2Enabled() and HCR_EL2.TGE or MDCR_EL2.TDE. */
unsigned dbg_target_el(const struct dbg_view *v)
{
    if (v->el == 2)
        return 2;
    if (v->el2_implemented && ((v->hcr_el2 & HCR_TGE) || (v->mdcr_el2 & MDCR_EL2_TDE_BIT)))
        return 2;
    return 1;
}

/* AddrTop(address, IsInstr, EL): 55 when the regime ignores the top byte for this half. */
static unsigned addr_top(const struct dbg_view *v, uint64_t va)
{
    return (((va >> 55) & 1) ? v->tbi_hi : v->tbi_lo) ? 55 : 63;
}

/* va<top:bottom> == other<top:bottom> */
static bool bits_equal(uint64_t a, uint64_t b, unsigned top, unsigned bottom)
{
    uint64_t mask = (top == 63 ? ~0ULL : ((1ULL << (top + 1)) - 1)) & ~((1ULL << bottom) - 1);
    return ((a ^ b) & mask) == 0;
}

/* AArch64.BreakpointValueMatch. */
bool dbg_bp_value_match(const struct dbg_view *v, unsigned n, uint64_t va, bool linked_to)
{
    /* A non-existent breakpoint: CONSTRAINED UNPREDICTABLE, avsim picks "no match"
     * (Constraint_DISABLED). */
    if (n >= DBG_NUM_BRPS)
        return false;
    uint64_t bcr = v->bcr[n], bvr = v->bvr[n];
    if (!(bcr & 1))
        return false;
    bool context_aware = n >= DBG_NUM_BRPS - DBG_NUM_CTX_CMPS;
    unsigned type = (bcr >> 20) & 15;
    /* Reserved types (011x and 11xx without FEAT_VHE, which the Cortex-A57 lacks; 010x;
     * a context type on a breakpoint that is not context-aware; 1xxx without EL2):
     * CONSTRAINED UNPREDICTABLE, avsim picks Constraint_DISABLED. */
    if ((((type & 6) == 6 || (type & 12) == 12) && !v->have_vhe) || (type & 14) == 4 ||
        ((type & 10) != 0 && !context_aware) || ((type & 8) && !v->el2_implemented))
        return false;
    bool match_addr = (type & 10) == 0;                      /* 0x0x */
    bool match_vmid = (type & 12) == 8;                      /* 10xx */
    bool match_cid = (type & 14) == 2;                       /* 001x */
    bool match_cid1 = (type & 14) == 10 || (type & 6) == 6;  /* 101x, x11x */
    bool match_cid2 = (type & 12) == 12;                     /* 11xx */
    bool linked = type & 1;
    /* IsInHost(): the EL2&0 regime (HCR_EL2.E2H, and TGE at EL0). */
    bool in_host = v->have_vhe && (v->hcr_el2 & HCR_E2H) && (v->el == 2 || (v->el == 0 && (v->hcr_el2 & HCR_TGE)));
    if (linked_to && (!linked || match_addr))
        return false;
    if (!linked_to && linked && !match_addr)
        return false;
    bool bvr_match = false, bxvr_match = false;
    if (match_addr) {
        /* A64 instructions are word aligned; without AArch32, BAS is RES1 and the
         * byte select always matches. */
        bvr_match = bits_equal(va, bvr, addr_top(v, va), 2);
    } else if (match_cid) {
        if (in_host)
            bvr_match = (uint32_t)v->contextidr_el2 == (uint32_t)bvr;
        else
            bvr_match = v->el < 2 && (uint32_t)v->contextidr_el1 == (uint32_t)bvr;
    } else if (match_cid1) {
        bvr_match = v->el < 2 && !in_host && (uint32_t)v->contextidr_el1 == (uint32_t)bvr;
    }
    if (match_vmid) {
        unsigned vmid = (unsigned)((v->vttbr_el2 >> 48) & 0xff), bvr_vmid = (unsigned)((bvr >> 32) & 0xff);
        bxvr_match = v->el < 2 && v->el2_implemented && !in_host && vmid == bvr_vmid;
    } else if (match_cid2) {
        bxvr_match = v->el2_implemented && (uint32_t)v->contextidr_el2 == (uint32_t)(bvr >> 32);
    }
    bool bvr_valid = match_addr || match_cid || match_cid1;
    bool bxvr_valid = match_vmid || match_cid2;
    return (!bxvr_valid || bxvr_match) && (!bvr_valid || bvr_match);
}

/* AArch64.StateMatch, non-secure with no EL3. The reserved HMC/SSC/PxC
 * combinations (CheckValidStateMatch) are evaluated by the same formulas,
 * which give one of the permitted results: none of them matches at a level the
 * combination does not name. */
bool dbg_state_match(const struct dbg_view *v, unsigned ssc, bool hmc, unsigned pxc, bool linked, unsigned lbn,
                     bool isbreakpnt, bool ispriv)
{
    bool el2_match = v->el2_implemented && ((hmc && ((ssc << 2 | pxc) != 8)) || ssc == 3);
    bool el1_match = pxc & 1, el0_match = (pxc >> 1) & 1;
    bool priv_match;
    if (!ispriv && !isbreakpnt)
        priv_match = el0_match;          /* an unprivileged access (LDTR/STTR) */
    else
        priv_match = v->el == 2 ? el2_match : v->el == 1 ? el1_match : el0_match;
    bool security_state_match = ssc != 2;     /* Secure-only never matches in Non-secure state */
    if (linked) {
        /* LBN must name a context-aware breakpoint; otherwise CONSTRAINED
         * UNPREDICTABLE, avsim picks Constraint_DISABLED (no match). */
        if (lbn < DBG_NUM_BRPS - DBG_NUM_CTX_CMPS || lbn >= DBG_NUM_BRPS)
            return false;
        if (!dbg_bp_value_match(v, lbn, 0, true))
            return false;
    }
    return priv_match && security_state_match;
}

/* AArch64.BreakpointMatch (size 4: A64). */
bool dbg_bp_match(const struct dbg_view *v, unsigned n, uint64_t va)
{
    if (n >= DBG_NUM_BRPS || !(v->bcr[n] & 1))
        return false;
    uint64_t bcr = v->bcr[n];
    bool linked = ((bcr >> 20) & 7) == 1;        /* BT == '0x01' */
    return dbg_state_match(v, (bcr >> 14) & 3, (bcr >> 13) & 1, (bcr >> 1) & 3, linked, (bcr >> 16) & 15, true,
                           v->el != 0) &&
           dbg_bp_value_match(v, n, va, false);
}

/* AArch64.WatchpointByteMatch. */
static bool wp_byte_match(const struct dbg_view *v, unsigned n, uint64_t va)
{
    uint64_t wcr = v->wcr[n], wvr = v->wvr[n];
    unsigned top = addr_top(v, va);
    unsigned bottom = (wvr & 4) ? 2 : 3;           /* word or doubleword */
    unsigned bas = (wcr >> 5) & 0xff, mask = (wcr >> 24) & 31;
    bool byte_select_match = (bas >> (va & ((1u << bottom) - 1))) & 1;
    if (mask > 0 && bas != 0xff) {
        /* MASK with a BAS that is not all ones: CONSTRAINED UNPREDICTABLE, avsim
         * picks TRUE (the mask alone selects the bytes, as for BAS = 0xff). */
        byte_select_match = true;
    } else {
        unsigned lsb = bas & (0u - bas), msb = bas + lsb;
        if (msb & (msb - 1)) {
            /* Non-contiguous BAS: CONSTRAINED UNPREDICTABLE whether the byte
             * matches; avsim uses its BAS bit, over the whole doubleword. */
            bottom = 3;
        }
    }
    if (mask > 0 && mask <= 2)
        return false;     /* a reserved MASK: CONSTRAINED UNPREDICTABLE, avsim picks Constraint_DISABLED */
    bool wvr_match;
    if (mask > bottom)    /* masked bits of DBGWVR that are not zero: avsim ignores them (match) */
        wvr_match = bits_equal(va, wvr, top, mask);
    else
        wvr_match = bits_equal(va, wvr, top, bottom);
    return wvr_match && byte_select_match;
}

/* AArch64.WatchpointMatch. */
bool dbg_wp_match(const struct dbg_view *v, unsigned n, uint64_t va, unsigned size, bool ispriv, bool iswrite)
{
    uint64_t hit;
    return dbg_wp_match_first(v, n, va, size, ispriv, iswrite, &hit);
}

/* The same, with the address of the first byte that matches. */
bool dbg_wp_match_first(const struct dbg_view *v, unsigned n, uint64_t va, unsigned size, bool ispriv, bool iswrite,
                        uint64_t *hit)
{
    if (n >= DBG_NUM_WRPS || !(v->wcr[n] & 1))
        return false;
    uint64_t wcr = v->wcr[n];
    bool linked = (wcr >> 20) & 1;                 /* WT */
    if (!dbg_state_match(v, (wcr >> 14) & 3, (wcr >> 13) & 1, (wcr >> 1) & 3, linked, (wcr >> 16) & 15, false,
                         ispriv))
        return false;
    if (!((wcr >> 3) & (iswrite ? 2 : 1)))         /* LSC */
        return false;
    for (unsigned b = 0; b < size; b++)
        if (wp_byte_match(v, n, va + b)) {
            *hit = va + b;
            return true;
        }
    return false;
}

/* The bytes watchpoint n can match lie in [lo, hi] (bits 55:0: the top byte,
 * which TBI may ignore, is left out, a superset). */
static bool wp_range(const struct dbg_view *v, unsigned n, uint64_t *lo, uint64_t *hi)
{
    if (n >= DBG_NUM_WRPS || !(v->wcr[n] & 1))
        return false;
    const uint64_t va56 = (1ULL << 56) - 1;
    unsigned mask = (v->wcr[n] >> 24) & 31;
    uint64_t wvr = v->wvr[n] & va56;
    if (mask >= 3) {
        *lo = wvr & ~((1ULL << mask) - 1);
        *hi = *lo + (1ULL << mask) - 1;
    } else {
        *lo = wvr & ~7ULL;
        *hi = *lo + 7;
    }
    return true;
}

bool dbg_wp_may_watch_page(const struct dbg_view *v, unsigned n, uint64_t page)
{
    uint64_t lo, hi;
    page &= ((1ULL << 56) - 1) & ~0xfffULL;
    return wp_range(v, n, &lo, &hi) && lo <= page + 0xfff && hi >= page;
}

/* ---- the PE ------------------------------------------------------------------------ */

static int sr_index(const char *name)
{
    const struct sysreg_def *d = sysreg_by_name(name);
    return d ? d->index : -1;
}

/* The positions of the debug registers in the system register table, looked up
 * at the PE's first use (the table does not change). */
static void lookup_indices(struct pe_self_debug *sd)
{
    struct pe_sd_index *ix = &sd->ix;
    if (ix->ready)
        return;
    char name[32];
    for (unsigned n = 0; n < DBG_NUM_BRPS; n++) {
        snprintf(name, sizeof name, "DBGBCR%u_EL1", n);
        ix->bcr[n] = sr_index(name);
        snprintf(name, sizeof name, "DBGBVR%u_EL1", n);
        ix->bvr[n] = sr_index(name);
    }
    for (unsigned n = 0; n < DBG_NUM_WRPS; n++) {
        snprintf(name, sizeof name, "DBGWCR%u_EL1", n);
        ix->wcr[n] = sr_index(name);
        snprintf(name, sizeof name, "DBGWVR%u_EL1", n);
        ix->wvr[n] = sr_index(name);
    }
    ix->mdscr = sr_index("MDSCR_EL1");
    ix->oslsr = sr_index("OSLSR_EL1");
    ix->osdlr = sr_index("OSDLR_EL1");
    ix->dbgprcr = sr_index("DBGPRCR_EL1");
    ix->ready = true;
}

static void build_view(struct pe *pe, struct dbg_view *v)
{
    const struct pe_sd_index *ix = &pe->sd.ix;
    lookup_indices(&pe->sd);
    for (unsigned n = 0; n < DBG_NUM_BRPS; n++) {
        v->bcr[n] = pe->sr[ix->bcr[n]];
        v->bvr[n] = pe->sr[ix->bvr[n]];
    }
    for (unsigned n = 0; n < DBG_NUM_WRPS; n++) {
        v->wcr[n] = pe->sr[ix->wcr[n]];
        v->wvr[n] = pe->sr[ix->wvr[n]];
    }
    v->mdscr = pe->sr[ix->mdscr];
    v->oslsr = pe->sr[ix->oslsr];
    v->osdlr = pe->sr[ix->osdlr];
    v->dbgprcr = pe->sr[ix->dbgprcr];
    v->mdcr_el2 = pe->sr[pe->idx.mdcr_el2];
    v->hcr_el2 = pe->sr[pe->idx.hcr_el2];
    v->vttbr_el2 = pe->sr[pe->idx.vttbr_el2];
    v->contextidr_el1 = pe_cp_read(pe, 3, 0, 13, 0, 1, NULL);
    v->have_vhe = (pe->model->features & CPU_FEAT_VHE) != 0;
    v->contextidr_el2 = v->have_vhe ? pe_cp_read(pe, 3, 4, 13, 0, 1, NULL) : 0;
    v->el2_implemented = pe->el2_implemented;
    v->el = pe->el;
    v->pstate_d = (pe_read_pstate(pe) & PSTATE_D_BIT) != 0;
    const struct mmu_s1_config *s1 = (pe->el == 2 || (pe->el == 0 && pe->mmu.host_el0)) ? &pe->mmu.s1_el2
                                                                                         : &pe->mmu.s1_el10;
    v->tbi_lo = s1->tbi[0];
    v->tbi_hi = s1->two_ranges ? s1->tbi[1] : s1->tbi[0];
}

static void on_bp_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque);
static void on_all_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque);

/* Recomputes what is armed from the registers and adds hooks to match. Only a
 * change costs: translated code is dropped (it carries the code hooks) when a
 * breakpoint is armed at an address without a hook or step turns on or off,
 * Unicorn's TLB when the watched pages change. Hooks are deleted outside
 * uc_emu_start (pe_delete_hook_later): this may run at EL2 while they hook a
 * guest's addresses. */
void pe_sd_update(struct pe *pe)
{
    struct pe_self_debug *sd = &pe->sd;
    struct dbg_view v;
    build_view(pe, &v);
    bool locked = (v.oslsr & 2) || ((v.osdlr & 1) && !(v.dbgprcr & 1));
    bool mde = (v.mdscr & MDSCR_MDE) && !locked;
    uint64_t want[DBG_NUM_BRPS];
    unsigned n_want = 0;
    bool ctx_bp = false;
    for (unsigned n = 0; mde && n < DBG_NUM_BRPS; n++) {
        if (!(v.bcr[n] & 1))
            continue;
        unsigned type = (v.bcr[n] >> 20) & 15;
        if ((type & 10) == 0) {                       /* an address match (0x0x) */
            uint64_t a = v.bvr[n] & ~3ULL;
            bool dup = false;
            for (unsigned k = 0; k < n_want; k++)
                dup |= want[k] == a;
            if (!dup)
                want[n_want++] = a;
        } else if (!(type & 1)) {
            ctx_bp = true;                            /* an unlinked context match: any address */
        }
    }
    bool ss_on = (v.mdscr & MDSCR_SS) && !locked;
    bool want_all = ss_on || ctx_bp;
    bool code_changed = false;
    sd->bp_clock++;
    for (unsigned k = 0; k < n_want; k++) {
        unsigned h = 0;
        while (h < sd->n_bp_hooks && sd->bp_addr[h] != want[k])
            h++;
        if (h == sd->n_bp_hooks) {                    /* a new address: a hook, in a free place or the oldest unarmed one's */
            if (sd->n_bp_hooks < SD_BP_HOOKS) {
                sd->n_bp_hooks++;
            } else {
                h = 0;
                for (unsigned i = 1; i < SD_BP_HOOKS; i++)
                    if (sd->bp_used[i] < sd->bp_used[h])
                        h = i;                        /* (the armed ones were used on this clock: at most 6 of 16) */
                pe_delete_hook_later(pe, sd->bp_hook[h]);
            }
            if (uc_hook_add(pe->uc, &sd->bp_hook[h], UC_HOOK_CODE, on_bp_insn, pe, want[k], want[k]) != UC_ERR_OK) {
                sd->n_bp_hooks--;                     /* the place goes (its old hook, if any, is deleted) */
                sd->bp_addr[h] = sd->bp_addr[sd->n_bp_hooks];
                sd->bp_hook[h] = sd->bp_hook[sd->n_bp_hooks];
                sd->bp_used[h] = sd->bp_used[sd->n_bp_hooks];
                pe_fatal(pe, "internal error: cannot add a breakpoint's code hook at 0x%llx",
                         (unsigned long long)want[k]);
                return;
            }
            sd->bp_addr[h] = want[k];
            code_changed = true;
        }
        sd->bp_used[h] = sd->bp_clock;
    }
    if (want_all != sd->all_hooked) {
        if (want_all) {
            if (uc_hook_add(pe->uc, &sd->all_hook, UC_HOOK_CODE, on_all_insn, pe, 1, 0) != UC_ERR_OK) {
                pe_fatal(pe, "internal error: cannot add the software step code hook");
                return;
            }
        } else {
            pe_delete_hook_later(pe, sd->all_hook);   /* (its blocks may be another regime's) */
        }
        sd->all_hooked = want_all;
        code_changed = true;
    }
    if (!ss_on) {
        sd->pstate_ss = false;
        sd->ss_stepping = false;
        sd->ss_did_step = false;
    }
    sd->ss_on = ss_on;
    if (code_changed)
        pe_drop_code_pa(pe, 0, true);     /* translated again with (or without) the hooks */

    /* Watchpoints: the pages they may match. */
    uint64_t lo[DBG_NUM_WRPS], hi[DBG_NUM_WRPS];
    unsigned n_wp = 0;
    for (unsigned n = 0; mde && n < DBG_NUM_WRPS; n++)
        if (wp_range(&v, n, &lo[n_wp], &hi[n_wp])) {
            lo[n_wp] &= ~0xfffULL;
            hi[n_wp] |= 0xfff;
            n_wp++;
        }
    bool wp_same = n_wp == sd->n_wp;
    for (unsigned k = 0; wp_same && k < n_wp; k++)
        wp_same = lo[k] == sd->wp_lo[k] && hi[k] == sd->wp_hi[k];
    if (!wp_same) {
        memcpy(sd->wp_lo, lo, sizeof lo);
        memcpy(sd->wp_hi, hi, sizeof hi);
        sd->n_wp = n_wp;
        sd->wp_armed = n_wp > 0;
        if (sd->wp_armed)
            uc_ctl_flush_tlb(pe->uc);      /* pages Unicorn holds are filled (and refused) again */
    }
}

/* AArch64.TakeException for a debug exception (syndrome iss, IL = 1). */
static void take_debug(struct pe *pe, const struct dbg_view *v, unsigned ec_lower, uint32_t iss, uint64_t ret,
                       bool in_block, bool far_valid, uint64_t far)
{
    unsigned target = dbg_target_el(v);
    struct pe_exception x = { .kind = 0, .ec = target == pe->el ? ec_lower + 1 : ec_lower, .iss = iss,
                              .has_esr = true, .target_el = target, .return_pc = ret, .far_valid = far_valid,
                              .far = far, .in_block = in_block };
    pe_take_exception(pe, &x);
}

static bool is_load_exclusive(uint32_t w)
{
    struct a64_ldst d;
    return a64_decode_ldst(w, &d) && d.is_mem && d.exclusive && d.is_load;
}

/* Before an instruction at addr: software step (AArch64.CheckSoftwareStep, in
 * the active-pending state a Software Step exception before it; its priority
 * is above breakpoints), then AArch64.CheckBreakpoint. An instruction that
 * runs in the active-not-pending state is the stepped one: PSTATE.SS becomes 0
 * after it (pe_sd_exception_ss sorts out an exception it takes). */
static void check_insn(struct pe *pe, uint64_t addr, bool in_block)
{
    struct pe_self_debug *sd = &pe->sd;
    if (pe_in_trampoline(addr) || pe->attn.f.entry || pe->attn.f.stop)
        return;                          /* avsim's EL switch, or an exception entry under way */
    if (sd->ss_stepping) {               /* the stepped instruction completed: this is the next one */
        sd->ss_stepping = false;
        sd->ss_did_step = true;
    }
    struct dbg_view v;
    build_view(pe, &v);
    bool generate = dbg_generate(&v);
    bool step = generate && sd->ss_on;
    if (step && !sd->pstate_ss) {
        /* ISV = 1 with EX when an instruction was stepped (not after an ERET or
         * unmasking that left the state active-pending without a step). */
        uint32_t iss = DBG_FSC_DEBUG;
        if (sd->ss_did_step)
            iss |= (1u << 24) | (sd->ss_ex ? 1u << 6 : 0);
        take_debug(pe, &v, EC_SOFTWARE_STEP_LOWER, iss, addr, in_block, false, 0);
        return;
    }
    if (generate && (v.mdscr & MDSCR_MDE))
        for (unsigned n = 0; n < DBG_NUM_BRPS; n++)
            if (dbg_bp_match(&v, n, addr)) {
                /* AArch64.BreakpointException: FAR is UNKNOWN (left as it was). */
                take_debug(pe, &v, EC_BREAKPOINT_LOWER, DBG_FSC_DEBUG, addr, in_block, false, 0);
                return;
            }
    if (step) {
        sd->ss_stepping = true;
        sd->ss_pc = addr;
        sd->ss_ex = is_load_exclusive(pe_read_insn(pe, addr));
        sd->ss_did_step = false;
        sd->pstate_ss = false;
    }
}

static void on_bp_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct pe *pe = opaque;
    if (!pe->sd.all_hooked)              /* (the every-address hook checks breakpoints too) */
        check_insn(pe, addr, true);
}

static void on_all_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    check_insn(opaque, addr, true);
}

/* The debug exceptions that come before the other exceptions of an
 * instruction (the synchronous exception priorities: Software Step in the
 * active-pending state, then Breakpoint, before the instruction's traps,
 * UNDEFINED and aborts). The block hook and a cut ask here before avsim takes
 * such an exception at addr itself, where the code hooks would come too late.
 * True: one was taken. Otherwise nothing changes: the code hooks keep the step
 * state when the instruction runs. */
bool pe_sd_before_insn_exception(struct pe *pe, uint64_t addr, bool in_block)
{
    struct pe_self_debug *sd = &pe->sd;
    bool hooked = sd->all_hooked;
    for (unsigned k = 0; !hooked && k < sd->n_bp_hooks; k++)
        hooked = sd->bp_addr[k] == addr;
    if (!hooked || pe_in_trampoline(addr) || pe->attn.f.entry || pe->attn.f.stop)
        return false;
    struct dbg_view v;
    build_view(pe, &v);
    bool generate = dbg_generate(&v);
    if (generate && sd->ss_on && (sd->ss_stepping || !sd->pstate_ss)) {
        check_insn(pe, addr, in_block);        /* the Software Step exception */
        return true;
    }
    if (generate && (v.mdscr & MDSCR_MDE))
        for (unsigned n = 0; n < DBG_NUM_BRPS; n++)
            if (dbg_bp_match(&v, n, addr)) {
                take_debug(pe, &v, EC_BREAKPOINT_LOWER, DBG_FSC_DEBUG, addr, in_block, false, 0);
                return true;
            }
    return false;
}

/* DebugExceptionReturnSS(spsr): PSTATE.SS after an ERET is SPSR.SS only when
 * step is disabled at the source (the ERET was not itself stepped) and
 * enabled at the destination (GenerateDebugExceptionsFrom with SPSR.D). */
void pe_sd_eret(struct pe *pe, uint32_t spsr)
{
    struct pe_self_debug *sd = &pe->sd;
    bool enabled_at_source = sd->ss_stepping;    /* the ERET was the stepped instruction */
    sd->ss_stepping = false;
    sd->ss_did_step = enabled_at_source;
    bool ss = false;
    if (sd->ss_on) {
        struct dbg_view v;
        build_view(pe, &v);
        bool enabled_at_dest = dbg_generate_from(&v, pe->el, (spsr & PSTATE_D_BIT) != 0);
        if (!enabled_at_source && enabled_at_dest)
            ss = (spsr & PSTATE_SS_BIT) != 0;
    }
    sd->pstate_ss = ss;
}

static void grant_end(struct pe *pe);

/* AArch64.TakeException saves PSTATE.SS in SPSR_ELx.SS and clears it. The
 * instruction being stepped (active-not-pending) that takes a synchronous
 * exception returning to itself did not complete: SPSR.SS = 1, it is stepped
 * again after the return. One that completed (an SVC, HVC or SMC returns after
 * itself; an interrupt taken after it) leaves SPSR.SS = 0. */
uint32_t pe_sd_exception_ss(struct pe *pe, const struct pe_exception *x)
{
    struct pe_self_debug *sd = &pe->sd;
    if (sd->grant)
        grant_end(pe);
    bool ss = sd->pstate_ss;
    if (sd->ss_stepping)
        ss = x->return_pc == sd->ss_pc;
    sd->ss_stepping = false;
    sd->ss_did_step = false;
    sd->pstate_ss = false;
    return ss ? PSTATE_SS_BIT : 0;
}

/* ---- watchpoints -------------------------------------------------------------------- */

bool pe_sd_fill_allowed(struct pe *pe, uint64_t va)
{
    struct pe_self_debug *sd = &pe->sd;
    uint64_t page = va & ((1ULL << 56) - 1) & ~0xfffULL;
    bool watched = false;
    for (unsigned k = 0; k < sd->n_wp && !watched; k++)
        watched = page >= sd->wp_lo[k] && page <= sd->wp_hi[k];
    if (!watched)
        return true;
    return sd->grant && pe_get_pc(pe) == sd->grant_pc;
}

/* The granted instruction completed: Unicorn forgets the watched page. Only
 * Unicorn's TLB is flushed, behind the model's back (as AVSIM_DEBUG_FLUSH_UNICORN_TLB
 * does): the model's held set, and so its first uses and cycles, stay as
 * without the watchpoint. */
static void grant_end(struct pe *pe)
{
    struct pe_self_debug *sd = &pe->sd;
    sd->grant = false;
    if (sd->grant_hooked) {
        pe_delete_hook(pe, sd->grant_hook);
        sd->grant_hooked = false;
    }
    uc_ctl_flush_tlb(pe->uc);
}

static void on_grant_done(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct pe *pe = opaque;
    if (pe->sd.grant)
        grant_end(pe);
}

/* AArch64.CheckWatchpoint for the instruction at the PC, whose data fill of a
 * watched page was refused: the Watchpoint exception (AArch64.WatchpointException)
 * or the access proceeds. */
void pe_sd_watched_access(struct pe *pe)
{
    struct pe_self_debug *sd = &pe->sd;
    uint64_t pc = pe_get_pc(pe);
    uint32_t w = pe_read_insn(pe, pc);
    struct a64_ldst d;
    uint64_t va;
    unsigned size;
    bool reads, writes;
    if (a64_decode_ldst(w, &d) && d.is_mem) {
        va = a64_ldst_address(&d, pc, pe_reg_value, pe);
        size = d.size * (d.nregs ? d.nregs : 1);
        reads = d.is_load || d.atomic;
        writes = d.is_store || d.atomic;
    } else if (a64_is_dc_zva(w)) {
        /* DC ZVA: a store of the whole block (DCZID_EL0.BS words), WnR = 1, CM = 0. */
        unsigned bs = (unsigned)(pe_cp_read(pe, 3, 3, 0, 0, 7, NULL) & 15);
        size = 4u << bs;
        va = (w & 31) == 31 ? 0 : pe_get_x(pe, w & 31);
        va &= ~((uint64_t)size - 1);
        reads = false;
        writes = true;
    } else {
        pe_fatal(pe, "a watchpoint on the page of the data access of instruction 0x%08x at PC 0x%llx: "
                 "watching this kind of access is not modelled", w, (unsigned long long)pc);
        return;
    }
    struct dbg_view v;
    build_view(pe, &v);
    if (dbg_generate(&v) && (v.mdscr & MDSCR_MDE)) {
        bool ispriv = pe->el != 0 && !a64_is_unprivileged_ldst(w);
        bool hit_read = false, hit_write = false;
        uint64_t far = UINT64_MAX, a;
        for (unsigned n = 0; n < DBG_NUM_WRPS; n++) {
            if (reads && dbg_wp_match_first(&v, n, va, size, ispriv, false, &a)) {
                hit_read = true;
                far = a < far ? a : far;
            }
            if (writes && dbg_wp_match_first(&v, n, va, size, ispriv, true, &a)) {
                hit_write = true;
                far = a < far ? a : far;
            }
        }
        if (hit_read || hit_write) {
            /* FAR: the first watched byte the instruction accesses, an address the
             * Arm ARM allows (within the range the instruction accessed, at or above
             * its lowest address), as QEMU 7.2 reports it. WnR: a store, or the write
             * of an atomic that matched on it. */
            take_debug(pe, &v, EC_WATCHPOINT_LOWER, DBG_FSC_DEBUG | (hit_write ? 1u << 6 : 0), pc, true, true, far);
            return;
        }
    }
    /* No match: the instruction may access the page once (restarted at the PC, it
     * starts a block that is counted again). */
    pe_uncount_from(pe, pc);
    sd->grant = true;
    sd->grant_pc = pc;
    if (!sd->grant_hooked) {
        if (uc_hook_add(pe->uc, &sd->grant_hook, UC_HOOK_CODE, on_grant_done, pe, pc + 4, pc + 4) != UC_ERR_OK) {
            pe_fatal(pe, "internal error: cannot add a code hook at 0x%llx", (unsigned long long)(pc + 4));
            return;
        }
        sd->grant_hooked = true;
        pe_retranslate_va(pe, pc + 4, pc + 8);
    }
}

/* DC IVAC is a store to its whole cache line for watchpoints
 * (AArch64.WatchpointMatch of a cache maintenance access: ESR_ELx.CM = 1, WnR
 * = 1). Unicorn performs it inside its block, so it is checked before it runs:
 * pe.c makes it a special of its block while watchpoints are armed (the block
 * hook, or a cut at it). FAR is Xt, the address the instruction gives (as for
 * every abort of a data cache instruction). */
bool pe_sd_dc_ivac_needs_check(const struct pe *pe, uint32_t insn)
{
    return __builtin_expect(pe->sd.wp_armed, 0) && a64_is_dc_ivac(insn);
}

bool pe_sd_dc_ivac_watch(struct pe *pe, uint32_t insn, uint64_t pc, bool in_block)
{
    if (!pe_sd_dc_ivac_needs_check(pe, insn))
        return false;
    struct dbg_view v;
    build_view(pe, &v);
    if (!dbg_generate(&v) || !(v.mdscr & MDSCR_MDE))
        return false;
    uint64_t xt = (insn & 31) == 31 ? 0 : pe_get_x(pe, insn & 31);
    unsigned line = 4u << ((pe_cp_read(pe, 3, 3, 0, 0, 1, NULL) >> 16) & 15);     /* CTR_EL0.DminLine */
    uint64_t va = xt & ~((uint64_t)line - 1);
    for (unsigned n = 0; n < DBG_NUM_WRPS; n++)
        if (dbg_wp_match(&v, n, va, line, pe->el != 0, true)) {
            take_debug(pe, &v, EC_WATCHPOINT_LOWER, DBG_FSC_DEBUG | 1u << 8 | 1u << 6, pc, in_block, true, xt);
            return true;
        }
    return false;
}
