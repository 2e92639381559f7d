#!/usr/bin/env python3
"""gfuzz generator: one random bare-metal AArch64 program (assembly) from a seed.

Usage: gen.py SEED > prog.S

The program starts at EL2h with the MMU off (avsim run / QEMU -kernel) and runs a
random sequence of operations at EL2, some of which ERET into random EL1 or EL0
blocks. Its own vector tables (EL1 and EL2) count every exception and stop the
program (semihosting SYS_EXIT, status 5) past LIMIT exceptions; a synchronous
exception returns past the faulting instruction, or abandons the block when it
cannot (instruction abort, PC alignment, illegal state, AArch32 code, an ELR
outside the program). At the end the program prints one line
    gfuzz sync=<n> hash=<h> async=<m> end=<ok|limit>
(n: synchronous exceptions, h: a hash of their (EL, vector, EC), m: IRQ, FIQ and
SError taken, whose number depends on timing) and exits with status 0.

Register use: x0-x13 hold generated values (sources of MSR, stores, addresses),
x14-x15 receive every value read (MRS, device loads, AT/PAR), so that what a
model returns never steers the rest of the program; x16-x17 are the handlers'
scratch; x22 sync count, x23 the EL1 block's exit stub, x24 the EL2
continuation, x25 hash, x26 exception count. See README.md for the choices.
"""
import os
import random
import sys

# ERET to AArch32 (SPSR.M[4]=1): off by default, see README.md "Open problems".
AARCH32 = os.environ.get("GFUZZ_AARCH32") == "1"

LIMIT = 256
MAGIC_RET = 0x5A5A    # HVC/SVC immediate: back to EL2 at x24
MAGIC_STOP = 0x5A5B   # HVC immediate: stop now (from the EL1 handler past LIMIT)

# Device regions of the virt board (QEMU 7.2 and avsim) and unassigned addresses.
REGIONS = [
    ("gicd", 0x08000000, 0x10000),
    ("gicr", 0x080A0000, 0x20000),
    ("pl011", 0x09000000, 0x1000),
    ("smmu", 0x09050000, 0x20000),
    ("virtio", 0x0A000000, 0x4000),
    ("unassigned", 0x0B000000, 0x100000),
    ("unassigned-hi", 0x4000000000, 0x1000),   # beyond RAM, inside a 44-bit PA range
    ("beyond-pa", 1 << 48, 0x1000),            # beyond the PA range
]

# MSR (register) encodings never written with random values: they would make the
# handlers unreachable (MMU on at EL2, vectors moved) or disable the HVC the program
# returns with. (op0, op1, CRn, CRm, op2)
NO_RANDOM_WRITE = {
    (3, 4, 1, 0, 0),   # SCTLR_EL2
    (3, 4, 12, 0, 0),  # VBAR_EL2
    (3, 4, 1, 1, 0),   # HCR_EL2 (written by the 'hcr' operation only)
    (3, 0, 1, 0, 0),   # SCTLR_EL1 (written by the 'mmu' operations only)
    (3, 0, 12, 0, 0),  # VBAR_EL1
    (3, 5, 1, 0, 0),   # SCTLR_EL12
    (3, 5, 12, 0, 0),  # VBAR_EL12
    (3, 4, 1, 1, 1),   # SCTLR2? (reserved space next to HCR: kept off for safety) -- harmless
}

# HCR_EL2 bits the 'hcr' operation may set (RW always; never HCD, which would make
# HVC UNDEFINED, nor E2H, which would redirect the EL1 registers the program's EL2
# code writes to EL2's own).
HCR_BITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
            21, 22, 23, 24, 25, 26, 27, 28, 30, 32, 33, 36, 37]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.text = []     # main EL2 sequence
        self.blocks = []   # EL1/EL0 blocks
        self.data = []     # page tables etc.
        self.n = 0

    def label(self, p):
        self.n += 1
        return "%s_%d" % (p, self.n)

    # ---- values ----
    def rval(self):
        r = self.r
        k = r.randrange(8)
        if k == 0:
            v = 0
        elif k == 1:
            v = r.getrandbits(64)
        elif k == 2:
            v = r.getrandbits(8)
        elif k == 3:
            v = (1 << r.randrange(64)) | r.getrandbits(4)
        elif k == 4:
            v = 0xFFFFFFFFFFFFFFFF ^ (1 << r.randrange(64))
        elif k == 5:
            v = 0x41000000 + r.randrange(0x100000) * 8   # RAM above the program
        else:
            v = r.getrandbits(32)
        # Never a PSCI or SMCCC function ID in the low word: HVC/SMC may reach firmware.
        if (v & 0xFFFFFFFF) >> 31:
            v &= ~(1 << 31)
        return v & 0xFFFFFFFFFFFFFFFF

    def mov64(self, out, reg, v):
        out.append("    movz %s, #0x%x" % (reg, v & 0xFFFF))
        for sh in (16, 32, 48):
            part = (v >> sh) & 0xFFFF
            if part:
                out.append("    movk %s, #0x%x, lsl #%d" % (reg, part, sh))

    def src(self):
        return "x%d" % self.r.randrange(14)

    # ---- operations common to every EL ----
    def op_values(self, out):
        for _ in range(self.r.randrange(1, 4)):
            self.mov64(out, "x%d" % self.r.randrange(1, 14), self.rval())
        self.mov64(out, "x0", self.rval())

    def sysreg_enc(self):
        r = self.r
        while True:
            op0 = r.choice([3, 3, 3, 2, 1])
            op1 = r.choice([0, 0, 0, 4, 4, 3, 5, 1, 2, 6, 7])
            crn = r.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 14, 11, 15, 8])
            crm = r.randrange(16)
            op2 = r.randrange(8)
            if op0 != 1 and r.randrange(3) == 0:
                # bias towards the populated corners of the map
                op1, crn = r.choice([(0, 1), (4, 1), (0, 2), (4, 2), (0, 5), (4, 5), (0, 10), (4, 10),
                                     (3, 14), (4, 14), (0, 12), (4, 12), (0, 0), (0, 9), (3, 9), (4, 6), (0, 6)])
            return op0, op1, crn, crm, op2

    def op_sysreg(self, out):
        r = self.r
        op0, op1, crn, crm, op2 = self.sysreg_enc()
        read = r.randrange(2)
        if op0 == 1:
            # SYS/SYSL: DC, IC, AT, TLBI and their unallocated neighbours.
            if read:
                rt = 14
            else:
                rt = r.randrange(14)
                if r.randrange(2):
                    # point the operand at the program's own scratch memory
                    out.append("    adr x%d, scratch" % rt)
        elif read:
            rt = r.choice([14, 15])
        else:
            if (op0, op1, crn, crm, op2) in NO_RANDOM_WRITE:
                return
            rt = r.randrange(14)
        word = 0xD5000000 | (read << 21) | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt
        out.append("    .inst 0x%08x  // %s S%d_%d_C%d_C%d_%d x%d" %
                   (word, "mrs" if read else "msr", op0, op1, crn, crm, op2, rt))
        if op0 == 1 and r.randrange(2):
            out.append("    mrs x15, par_el1")

    def op_msrimm(self, out):
        r = self.r
        op1 = r.choice([0, 3, 4, 1, 2, 5, 6, 7])
        op2 = r.randrange(8)
        crm = r.randrange(16)
        if op1 == 3 and op2 in (6, 7):   # DAIFSet/DAIFClr
            crm = r.randrange(16)
        word = 0xD500401F | (op1 << 16) | (crm << 8) | (op2 << 5)
        out.append("    .inst 0x%08x  // msr pstatefield op1=%d op2=%d #%d" % (word, op1, op2, crm))

    def op_device(self, out):
        r = self.r
        name, base, size = r.choice(REGIONS)
        size_log = r.choice([0, 1, 2, 2, 2, 3])
        # Aligned to the access size (the pairs and exclusives of kind 5: to 8): a misaligned
        # access to Device memory is an Alignment fault, which avsim cannot take in a block
        # that goes on with stores or system instructions (README "Limits": the run stops),
        # and QEMU 7.2 takes none (README: differences).
        off = r.randrange(size) & ~7 | (r.randrange(8) & ~((1 << size_log) - 1) & 7)
        kind = r.randrange(6)
        if kind == 5:
            off &= ~7
        out.append("    // device access: %s + 0x%x" % (name, off))
        self.mov64(out, "x9", base + off)
        sfx = {0: "b", 1: "h", 2: "", 3: ""}[size_log]
        reg = "x" if size_log == 3 else "w"
        if kind < 3:
            out.append("    ldr%s %s15, [x9]" % (sfx, reg))
        elif kind < 5:
            out.append("    str%s %s%d, [x9]" % (sfx, reg, r.randrange(14)))
        else:
            out.append(r.choice(["    ldp x14, x15, [x9]", "    stp x1, x2, [x9]", "    ldxr x15, [x9]",
                                 "    ldar w15, [x9]", "    dc zva, x9", "    dc civac, x9",
                                 "    prfm pldl1keep, [x9]"]))

    def rand_insn_harmless(self):
        """A random data-processing or SIMD word whose destination is x14/v14."""
        r = self.r
        while True:
            w = r.getrandbits(32)
            cls = (w >> 25) & 0xF
            if cls in (0b1000, 0b1001, 0b0101, 0b1101, 0b0111, 0b1111):
                return (w & ~0x1F) | 14
            return 0xD2800000 | (r.getrandbits(16) << 5) | 14  # movz x14, #imm

    def op_selfmod(self, out):
        r = self.r
        slot = self.label("slot")
        maint = r.randrange(3) != 0
        if maint:
            new = r.choice([
                0xD4200000 | (r.getrandbits(16) << 5),  # brk
                r.getrandbits(16),                       # udf
                0xD503201F,                              # nop
                self.rand_insn_harmless(),
                0xD4000001 | (r.choice([1, 2, 3, 0x77]) << 5),  # svc
            ])
        else:
            # Without IC IVAU the old or the new word may run (CONSTRAINED UNPREDICTABLE):
            # both are harmless, and write only x14 (movz x14, #imm).
            new = 0xD2800000 | (r.getrandbits(16) << 5) | 14
        out.append("    adr x9, %s" % slot)
        self.mov64(out, "x10", new)
        out.append("    str w10, [x9]")
        if maint:
            out.append("    dc cvau, x9")
            out.append("    dsb ish")
            out.append("    ic ivau, x9")
            out.append("    dsb ish")
        if maint or r.randrange(2):
            out.append("    isb")
        out.append("%s: nop" % slot)

    def op_exc(self, out):
        r = self.r
        imm = r.getrandbits(16)
        while imm in (MAGIC_RET, MAGIC_STOP, 0xF000):
            imm = r.getrandbits(16)
        k = r.randrange(12)
        if k < 3:
            # x0 is a function ID for HVC/SMC that reach PSCI: never a PSCI one
            self.mov64(out, "x0", r.getrandbits(31))
            out.append("    %s #0x%x" % (("svc", "hvc", "smc")[k], imm))
        else:
            out.append([
                "    brk #0x%x" % imm,
                "    hlt #0x%x" % imm,
                "    udf #0x%x" % imm,
                "    .inst 0xd6bf03e0  // drps",
                "    adr x9, 1f\n    msr elr_el1, x9\n    msr elr_el2, x9\n    eret\n1:",
                "    ldr x15, [x%d]" % r.randrange(14),
                "    adr x9, scratch\n    str x%d, [x9, #%d]" % (r.randrange(14), 8 * r.randrange(512)),
                "    mov x9, sp\n    add x9, x9, #%d\n    mov sp, x9\n    ldr x15, [sp]" % r.randrange(1, 16),
                "    ldr x15, [x%d, #%d]!" % (r.randrange(9), r.randrange(-256, 256)),
            ][k - 3])

    def op_wfi(self, out, el):
        r = self.r
        # Masked WFI: the timer's IRQ wakes the PE (a WFI wake-up event whatever
        # PSTATE.I), is not taken, and is disarmed after.
        tval = r.choice([1, 10, 100, 1000, 10000])
        timer = "cnthp" if el == 2 else r.choice(["cntp", "cntv"])
        out.append("    msr daifset, #2")
        out.append("    mov x9, #%d" % tval)
        out.append("    msr %s_tval_el%d, x9" % (timer, 2 if el == 2 else 0))
        out.append("    mov x9, #1")
        out.append("    msr %s_ctl_el%d, x9" % (timer, 2 if el == 2 else 0))
        out.append(r.choice(["    wfi", "    wfe", "    wfi"]))
        out.append("    msr %s_ctl_el%d, xzr" % (timer, 2 if el == 2 else 0))

    def common_op(self, out, el):
        r = self.r
        k = r.choices(["values", "sysreg", "msrimm", "device", "selfmod", "exc", "wfi"],
                      [3, 8, 1, 4, 1, 3, 1])[0]
        getattr(self, "op_" + k)(out) if k != "wfi" else self.op_wfi(out, el)

    # ---- EL2-only operations ----
    def op_hcr(self, out):
        v = 1 << 31
        for b in HCR_BITS:
            if self.r.randrange(6) == 0:
                v |= 1 << b
        self.mov64(out, "x9", v)
        out.append("    msr hcr_el2, x9")
        out.append("    isb")

    def s1_tables(self, stage2):
        """A level-1 table (4 KB granule, 39-bit input) and maybe a level-2 table."""
        r = self.r
        l1 = self.label("s2tt" if stage2 else "s1tt")
        l2 = self.label("tt2")
        desc = [0] * 512
        if stage2:
            # MemAttr[5:2], S2AP[7:6], SH[9:8], AF
            def attrs(device):
                ma = 0x1 if device else r.choice([0xF, 0xF, 0xF, 0x5, 0xA, 0x0, r.randrange(16)])
                ap = r.choice([3, 3, 3, 1, 2, 0])
                af = 0 if r.randrange(12) == 0 else 1
                return (ma << 2) | (ap << 6) | (r.randrange(4) << 8) | (af << 10) | \
                    (r.randrange(2) << 54 if r.randrange(8) == 0 else 0)
        else:
            def attrs(device):
                idx = 1 if device else r.choice([0, 0, 0, 2, 3, r.randrange(8)])
                ap = r.choice([0, 0, 0, 1, 2, 3])
                af = 0 if r.randrange(12) == 0 else 1
                ng = r.randrange(2)
                xn = (r.randrange(4) == 0) << 54 | (r.randrange(4) == 0) << 53
                return (idx << 2) | (ap << 6) | (r.randrange(4) << 8) | (af << 10) | (ng << 11) | xn
        use_l2 = r.randrange(2)
        if use_l2:
            desc[0] = ("%s" % l2, 3)
        else:
            desc[0] = 0x0 | attrs(True) | 1
        desc[1] = 0x40000000 | attrs(False) | 1
        for _ in range(r.randrange(6)):
            i = r.randrange(512)
            if i in (0, 1):
                continue
            desc[i] = r.choice([r.getrandbits(64), ((r.getrandbits(9) << 30) | attrs(r.randrange(2)) | 1),
                                (r.getrandbits(30) << 12) | 3, 0])
        if r.randrange(10) == 0:   # the RAM block itself broken
            desc[1] = r.choice([0, r.getrandbits(64), 0x40000000 | 1])
        lines = ["    .balign 4096", "%s:" % l1]
        for d in desc:
            lines.append("    .quad %s + %d" % d if isinstance(d, tuple) else "    .quad 0x%x" % d)
        if use_l2:
            lines += ["    .balign 4096", "%s:" % l2]
            for i in range(512):
                pa = i << 21
                k = r.randrange(20)
                if k == 0:
                    lines.append("    .quad 0x%x" % r.getrandbits(64))
                elif k == 1:
                    lines.append("    .quad 0")
                else:
                    lines.append("    .quad 0x%x" % (pa | attrs(True) | 1))
        self.data += lines
        return l1

    def op_mmu1(self, out):
        r = self.r
        tt = self.s1_tables(False)
        out.append("    adr x9, %s" % tt)
        if r.randrange(4) == 0:
            self.mov64(out, "x10", r.getrandbits(16) << 48)   # ASID
            out.append("    orr x9, x9, x10")
        out.append("    msr ttbr0_el1, x9")
        # TCR_EL1: T0SZ=25, IRGN0/ORGN0 WB, SH0 inner, TG0 4K, EPD1, IPS 40 bits
        tcr = 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32)
        if r.randrange(8) == 0:
            tcr = r.getrandbits(64) & 0x7FFFFFFFFF
        elif r.randrange(3) == 0:
            tcr = (tcr & ~0x3F) | r.randrange(64)
        self.mov64(out, "x9", tcr)
        out.append("    msr tcr_el1, x9")
        mair = 0x0404_4400_04_FF if r.randrange(4) else r.getrandbits(64)
        mair = 0x000000000444_00FF if r.randrange(2) else mair
        self.mov64(out, "x9", mair)
        out.append("    msr mair_el1, x9")
        out.append("    isb")
        out.append("    tlbi vmalle1")
        out.append("    dsb sy")
        sctlr = 0x30D00800 | 1 | (r.randrange(2) << 2) | (r.randrange(2) << 12)
        for b in (1, 3, 4, 19, 23, 26, 9, 8):   # never EE/E0E (big-endian is not modelled)
            if r.randrange(8) == 0:
                sctlr ^= 1 << b
        self.mov64(out, "x9", sctlr)
        out.append("    msr sctlr_el1, x9")
        out.append("    isb")

    def op_mmu2(self, out):
        r = self.r
        tt = self.s1_tables(True)
        out.append("    adr x9, %s" % tt)
        self.mov64(out, "x10", r.getrandbits(8) << 48)    # VMID
        out.append("    orr x9, x9, x10")
        out.append("    msr vttbr_el2, x9")
        # VTCR_EL2: T0SZ=25, SL0=1 (level 1), IRGN0/ORGN0 WB, SH0 inner, TG0 4K, PS 40 bits
        vtcr = 25 | (1 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (2 << 16) | (1 << 31)
        if r.randrange(8) == 0:
            vtcr = r.getrandbits(32)
        elif r.randrange(3) == 0:
            vtcr = (vtcr & ~0xFF) | r.randrange(64) | (r.randrange(4) << 6)
        self.mov64(out, "x9", vtcr)
        out.append("    msr vtcr_el2, x9")
        out.append("    isb")
        out.append("    tlbi alle1")
        out.append("    dsb sy")
        out.append("    mrs x9, hcr_el2")
        out.append("    orr x9, x9, #1")
        out.append("    msr hcr_el2, x9")
        out.append("    isb")

    def op_mmuoff(self, out):
        out.append("    mrs x9, hcr_el2")
        out.append("    bic x9, x9, #1")
        out.append("    msr hcr_el2, x9")
        self.mov64(out, "x9", 0x30D00800)
        out.append("    msr sctlr_el1, x9")
        out.append("    isb")
        out.append("    tlbi alle1")
        out.append("    dsb sy")

    def rand_spsr(self):
        r = self.r
        m = r.choices([0b0101, 0b0100, 0b0000, 0b1001, 0b1000, 0b0110, 0b1100, 0b0010,
                       0b10000, 0b10011, 0b11111, 0b11010, r.randrange(32)],
                      [8, 3, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])[0]
        if not AARCH32 and m & 0x10:
            m &= 0xF   # returns to AArch32 only with GFUZZ_AARCH32=1 (README: open problems)
        v = m | (r.getrandbits(4) << 6)
        if r.randrange(4) == 0:
            v |= r.getrandbits(32) & ~0x3FF & ~(1 << 21) & ~(1 << 4)
        if r.randrange(10) == 0:
            v |= 1 << 21    # SS
        if r.randrange(10) == 0:
            v |= 1 << 20    # IL
        return v

    def op_eret(self, out, depth=0):
        """ERET to a random EL1/EL0 block, or to a random place."""
        r = self.r
        blk = self.label("blk")
        stub = blk + "_end"
        spsr = self.rand_spsr()
        to_block = r.randrange(5) != 0
        out.append("    adr x23, %s" % stub)
        if to_block:
            target = blk
            if r.randrange(8) == 0:
                target += " + %d" % r.choice([1, 2, 3, 0x2])
            out.append("    adr x9, %s" % target)
        else:
            self.mov64(out, "x9", r.choice([r.getrandbits(64), 0x40000000 + r.getrandbits(20),
                                            0x0B000000, 0xFFFF000000001000]))
        self.mov64(out, "x10", spsr)
        out.append("    msr elr_el2, x9")
        out.append("    msr spsr_el2, x10")
        if r.randrange(8) == 0:
            out.append("    msr sp_el1, x%d" % r.randrange(14))
        out.append("    eret")
        b = ["    .balign 4", "%s:" % blk]
        for _ in range(r.randrange(1, 12)):
            k = r.randrange(12)
            if k == 0:
                # ERET from within the block (EL1) to its own continuation
                nxt = self.label("cont")
                b.append("    adr x9, %s" % nxt)
                self.mov64(b, "x10", self.rand_spsr())
                b.append("    msr elr_el1, x9")
                b.append("    msr spsr_el1, x10")
                # at EL2 (a block entered at EL2) the ERET uses ELR_EL2: the same target, so
                # that it cannot loop back without an exception (seed 3342 of the first run)
                b.append("    msr elr_el2, x9")
                b.append("    eret")
                b.append("%s:" % nxt)
            else:
                self.common_op(b, 1)
        b += ["%s:" % stub,
              "    hvc #0x%x" % MAGIC_RET,
              "    svc #0x%x" % MAGIC_RET,
              "    b %s" % stub]
        self.blocks.append(b)

    def op_eret_random_here(self, out):
        """ERET at EL2 with random SPSR and ELR = the next instruction."""
        nxt = self.label("here")
        out.append("    adr x9, %s" % nxt)
        self.mov64(out, "x10", self.rand_spsr())
        out.append("    msr elr_el2, x9")
        out.append("    msr spsr_el2, x10")
        out.append("    adr x23, %s_end" % nxt)
        out.append("    eret")
        out.append("%s:" % nxt)
        for _ in range(self.r.randrange(3)):
            self.common_op(out, 1)
        out.append("%s_end:" % nxt)
        # if we are at EL1/EL0 now, go back to EL2; at EL2 the HVC is one more exception
        out.append("    hvc #0x%x" % MAGIC_RET)
        out.append("    svc #0x%x" % MAGIC_RET)

    def generate(self):
        r = self.r
        n_ops = r.randrange(10, 60)
        mmu_ops = 0
        for i in range(n_ops):
            end = "op_end_%d" % i
            o = ["op_%d:" % i, "    adr x24, %s" % end]
            k = r.choices(["common", "hcr", "mmu1", "mmu2", "mmuoff", "eret", "erethere"],
                          [10, 2, 1, 1, 1, 5, 2])[0]
            if k.startswith("mmu") and k != "mmuoff":
                if mmu_ops >= 3:
                    k = "common"
                else:
                    mmu_ops += 1
            if k == "common":
                self.common_op(o, 2)
            elif k == "eret":
                self.op_eret(o)
            elif k == "erethere":
                self.op_eret_random_here(o)
            else:
                getattr(self, "op_" + k)(o)
            o.append("%s:" % end)
            self.text += o

    def emit(self):
        r = self.r
        out = []
        w = out.append
        w("// gfuzz program, seed %d (generated by tests/gfuzz/gen.py)" % self.seed)
        w("    .section .text.boot, \"ax\"")
        w("    .global _start")
        w("_start:")
        w("    mov x22, #0\n    mov x25, #0\n    mov x26, #0")
        w("    ldr x16, =__stack_el2_top\n    mov sp, x16")
        w("    ldr x16, =__stack_el1_top\n    msr sp_el1, x16")
        w("    ldr x16, =__stack_el0_top\n    msr sp_el0, x16")
        w("    adr x16, gf_vectors_el2\n    msr vbar_el2, x16")
        w("    adr x16, gf_vectors_el1\n    msr vbar_el1, x16")
        w("    mov x16, #(1 << 31)\n    msr hcr_el2, x16")
        w("    mov x16, #0x0800\n    movk x16, #0x30d0, lsl #16\n    msr sctlr_el1, x16")
        # Registers whose reset value is UNKNOWN (QEMU and avsim differ): known values first.
        w("    mov x16, #0x3c9\n    msr spsr_el2, x16\n    mov x16, #0x3c5\n    msr spsr_el1, x16")
        w("    adr x16, op_0\n    msr elr_el2, x16\n    msr elr_el1, x16")
        for reg in ("tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1", "vtcr_el2", "vttbr_el2", "mdscr_el1",
                    "cntvoff_el2", "cntkctl_el1", "hstr_el2", "ich_hcr_el2", "pmuserenr_el0", "tpidr_el0",
                    "cnthp_ctl_el2", "cntp_ctl_el0", "cntv_ctl_el0", "amair_el1", "contextidr_el1"):
            w("    msr %s, xzr" % reg)
        w("    mov x16, #0x30c50838\n    msr sctlr_el2, x16" if False else
          "    mov x16, #0x0838\n    movk x16, #0x30c5, lsl #16\n    msr sctlr_el2, x16")
        w("    mov x16, #0x33ff\n    msr cptr_el2, x16")
        w("    mov x16, #(3 << 20)\n    msr cpacr_el1, x16")
        w("    mov x16, #3\n    msr cnthctl_el2, x16")
        w("    mrs x16, pmcr_el0\n    ubfx x16, x16, #11, #5\n    msr mdcr_el2, x16")
        w("    isb")
        # GICv3: distributor ARE + both groups, redistributor awake, timer PPIs group 1 enabled.
        w("    mov x16, #0x08000000\n    mov w17, #0x13\n    str w17, [x16]")
        w("    mov x16, #0x080a0000\n    ldr w17, [x16, #0x14]\n    bic w17, w17, #2\n    str w17, [x16, #0x14]")
        w("    mov x16, #0x080b0000\n    mov w17, #-1\n    str w17, [x16, #0x80]")
        w("    mov w17, #0x4e000000\n    str w17, [x16, #0x100]")
        w("    mov x16, #0xf\n    msr icc_sre_el2, x16\n    isb")
        w("    mov x16, #0xff\n    msr icc_pmr_el1, x16")
        w("    mov x16, #1\n    msr icc_igrpen1_el1, x16\n    isb")
        for i in range(14):
            self.mov64(out, "x%d" % i, self.rval())
        w("    mov x14, #0\n    mov x15, #0")
        w("    b op_0")
        w(".ltorg")
        out += self.text
        w("gf_done:")
        w("    mov x17, #0")
        w("    b gf_finish")
        for b in self.blocks:
            out += b
        out.append(HANDLERS % {"limit": LIMIT, "ret": MAGIC_RET, "stop": MAGIC_STOP})
        w("    .data")
        w("    .balign 16")
        w("gf_exit_block: .quad 0x20026, 0")
        w("gf_line: .space 128")
        w("    .balign 4096")
        w("scratch: .space 4096")
        out += self.data
        return "\n".join(out) + "\n"


HANDLERS = r"""
// ---- handlers ----
    .macro GF_VEC el, vec
    .balign 128
    add x26, x26, #1
    cmp x26, #%(limit)d
    b.hi gf_limit_\el
    mov x17, #\vec
    b gf_handle_\el
    .endm

    .text
    .balign 2048
gf_vectors_el2:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    GF_VEC 2, \v
    .endr
    .balign 2048
gf_vectors_el1:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    GF_VEC 1, \v
    .endr

// x17 = vector number (0-15). IRQ/FIQ/SError: disarm the timers and return.
gf_handle_2:
    tst x17, #3
    b.eq 1f
    msr cnthp_ctl_el2, xzr
    msr cntp_ctl_el0, xzr
    msr cntv_ctl_el0, xzr
    msr cnthctl_el2, xzr
    msr ich_hcr_el2, xzr
    mrs x16, hcr_el2
    bic x16, x16, #0x1c0          // VSE, VI, VF
    msr hcr_el2, x16
    b 9f
1:  add x22, x22, #1
    mrs x16, esr_el2
    lsr x16, x16, #26
    orr x16, x16, x17, lsl #6
    orr x16, x16, #(2 << 10)
    eor x25, x25, x16
    mov x16, #0x1b3
    mul x25, x25, x16
    mrs x16, esr_el2
    lsr x16, x16, #26
    cmp x16, #0x16                // HVC: magic immediates
    b.eq 3f
    cmp x16, #0x15                // SVC (from EL0 with TGE): magic immediate
    b.ne 4f
3:  mrs x16, esr_el2
    and x16, x16, #0xffff
    mov x17, #%(ret)d
    cmp x16, x17
    b.eq 8f
    mov x17, #%(stop)d
    cmp x16, x17
    b.eq gf_limit_2
    b 9f                          // other HVC/SVC: ELR is the next instruction
4:  cmp x17, #12                  // from AArch32: abandon the excursion
    b.hs 8f
    cmp x16, #0x20
    b.eq 8f
    cmp x16, #0x21
    b.eq 8f
    cmp x16, #0x22
    b.eq 8f
    cmp x16, #0x0e
    b.eq 8f
    mrs x16, elr_el2
    tst x16, #3
    b.ne 8f
    adr x17, _start
    cmp x16, x17
    b.lo 8f
    adr x17, gf_vectors_el2
    cmp x16, x17
    b.hs 8f
    add x16, x16, #4
    msr elr_el2, x16
    b 9f
8:  msr elr_el2, x24              // continue the EL2 sequence at EL2h, all masked
    mov x16, #0x3c9
    msr spsr_el2, x16
9:  eret

gf_handle_1:
    tst x17, #3
    b.eq 1f
    msr cntp_ctl_el0, xzr
    msr cntv_ctl_el0, xzr
    b 9f
1:  add x22, x22, #1
    mrs x16, esr_el1
    lsr x16, x16, #26
    orr x16, x16, x17, lsl #6
    orr x16, x16, #(1 << 10)
    eor x25, x25, x16
    mov x16, #0x1b3
    mul x25, x25, x16
    mrs x16, esr_el1
    lsr x16, x16, #26
    cmp x16, #0x15                // SVC: magic immediate
    b.ne 4f
    mrs x16, esr_el1
    and x16, x16, #0xffff
    mov x17, #%(ret)d
    cmp x16, x17
    b.ne 9f
    hvc #%(ret)d                  // back to EL2
    b 8f
4:  cmp x17, #12
    b.hs 8f
    cmp x16, #0x20
    b.eq 8f
    cmp x16, #0x21
    b.eq 8f
    cmp x16, #0x22
    b.eq 8f
    cmp x16, #0x0e
    b.eq 8f
    mrs x16, elr_el1
    tst x16, #3
    b.ne 8f
    adr x17, _start
    cmp x16, x17
    b.lo 8f
    adr x17, gf_vectors_el2
    cmp x16, x17
    b.hs 8f
    add x16, x16, #4
    msr elr_el1, x16
    b 9f
8:  msr elr_el1, x23              // the block's exit stub at EL1h, all masked
    mov x16, #0x3c5
    msr spsr_el1, x16
9:  eret

gf_limit_1:
    hvc #%(stop)d
    b gf_limit_1

gf_limit_2:
    mov x17, #1
gf_finish:
    // "gfuzz sync=<x22> hash=<x25> async=<count-x22> end=<ok|limit>\n", then SYS_EXIT
    adr x0, gf_line
    adr x1, gf_s_sync
    bl gf_str
    mov x2, x22
    bl gf_hex
    adr x1, gf_s_hash
    bl gf_str
    mov x2, x25
    bl gf_hex
    adr x1, gf_s_async
    bl gf_str
    sub x2, x26, x22
    cbz x17, 1f
    sub x2, x2, #1                // the exception that stopped the program
1:  bl gf_hex
    adr x1, gf_s_ok
    cbz x17, 2f
    adr x1, gf_s_limit
2:  bl gf_str
    strb wzr, [x0]
    mov x0, #4                    // SYS_WRITE0
    adr x1, gf_line
    hlt #0xf000
    adr x1, gf_exit_block
    mov x2, #5
    cbnz x17, 3f
    mov x2, #0
3:  str x2, [x1, #8]
    mov x0, #0x18                 // SYS_EXIT
    hlt #0xf000
    b .

gf_str:                           // copy the string at x1 to x0
    ldrb w3, [x1], #1
    cbz w3, 1f
    strb w3, [x0], #1
    b gf_str
1:  ret
gf_hex:                           // x2 in hex at x0, no leading zeros
    mov x4, #60
    mov x5, #0
1:  lsr x3, x2, x4
    and x3, x3, #0xf
    cbnz x3, 2f
    cbnz x5, 2f
    cbz x4, 2f
    b 3f
2:  mov x5, #1
    cmp x3, #10
    add x6, x3, #'0'
    add x7, x3, #('a' - 10)
    csel x3, x6, x7, lo
    strb w3, [x0], #1
3:  subs x4, x4, #4
    b.ge 1b
    ret
gf_s_sync: .asciz "gfuzz sync="
gf_s_hash: .asciz " hash="
gf_s_async: .asciz " async="
gf_s_ok: .asciz " end=ok\n"
gf_s_limit: .asciz " end=limit\n"
    .balign 4
"""


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen.py SEED > prog.S\n")
        return 2
    try:
        seed = int(sys.argv[1], 0)
    except ValueError:
        sys.stderr.write("gen.py: SEED must be a number\n")
        return 2
    g = Gen(seed)
    g.generate()
    sys.stdout.write(g.emit())
    return 0


if __name__ == "__main__":
    sys.exit(main())
