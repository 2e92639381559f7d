/* Watchpoints (AArch64.CheckWatchpoint, AArch64.WatchpointMatch,
 * AArch64.WatchpointByteMatch) and the Watchpoint exception
 * (AArch64.WatchpointException): EC 0x35 at the same EL, 0x34 from a lower EL,
 * ISS WnR and DFSC 0x22, ELR = the load or store, FAR = the first watched
 * byte it accesses. The exception comes before the access: the handler skips
 * the instruction, and a watched store leaves memory unchanged. Covers BAS
 * byte selection (an access that covers the watched byte from below), MASK
 * ranges, LSC load/store selection, the PAC filter for EL0 and for LDTR/STTR
 * at EL1, an unwatched access to a watched page (it proceeds, also when a
 * watched access follows in the same block), MDCR_EL2.TDE routing. */
#include "rt/rt.h"

/* Each helper's first instruction is the access (x0 = address, x1 = value). */
extern char st8[], st32[], st64[], ld8[], ld64[], sttr8[], ldtr8[], st_pair_block[];
__asm__(".text\n.p2align 4\n"
        ".global st8\nst8:\n\tstrb w1, [x0]\n\tret\n"
        ".global st32\nst32:\n\tstr w1, [x0]\n\tret\n"
        ".global st64\nst64:\n\tstr x1, [x0]\n\tret\n"
        ".global ld8\nld8:\n\tldrb w0, [x0]\n\tret\n"
        ".global ld64\nld64:\n\tldr x0, [x0]\n\tret\n"
        ".global sttr8\nsttr8:\n\tsttrb w1, [x0]\n\tret\n"
        ".global ldtr8\nldtr8:\n\tldtrb w0, [x0]\n\tret\n"
        /* two stores in one block: x0+8 (not watched), then x0 */
        ".global st_pair_block\nst_pair_block:\n\tstr x1, [x0, #8]\n\tstr x1, [x0]\n\tret\n");
typedef uint64_t (*acc_fn)(uint64_t addr, uint64_t val);
#define CALL(fn, a, v) ((acc_fn)(void *)(fn))((uint64_t)(a), (v))

static volatile uint64_t data[64] __attribute__((aligned(4096)));
static volatile uint64_t far_page[512] __attribute__((aligned(4096)));

#define WCR_E 1UL
#define WCR_PAC(x) ((uint64_t)(x) << 1)
#define WCR_LSC(x) ((uint64_t)(x) << 3)      /* 1 load, 2 store, 3 both */
#define WCR_BAS(x) ((uint64_t)(x) << 5)
#define WCR_MASK(x) ((uint64_t)(x) << 24)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define MDCR_TDE (1UL << 8)

static volatile uint64_t hits, ec[4], iss[4], elr_fn[4], far_off[4], el_at[4], seen[4];
static volatile uint64_t fn_base, far_base, peek_addr;

static void record(struct rt_frame *f, int at)
{
    uint64_t e = at == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    uint64_t far = at == 2 ? READ_SYSREG(far_el2) : READ_SYSREG(far_el1);
    unsigned c = (unsigned)(e >> 26);
    if (c != 0x34 && c != 0x35) {
        rt_printf("UNEXPECTED EC 0x%x at EL%d\n", c, at);
        rt_exit(100);
    }
    if (hits < 4) {
        ec[hits] = c;
        iss[hits] = e & 0x1ffffff;
        elr_fn[hits] = f->elr - fn_base;
        far_off[hits] = far - far_base;
        el_at[hits] = at;
        seen[hits] = *(volatile uint64_t *)peek_addr;   /* memory when the exception is taken */
    }
    hits++;
    f->elr += 4;                   /* skip the access */
}
void el1_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 1); }
void el2_handler(struct rt_frame *f, int vector) { (void)vector; record(f, 2); }

static void report(const char *what)
{
    rt_printf("%s: hits=%lu", what, hits);
    for (uint64_t i = 0; i < hits && i < 4; i++)
        rt_printf(" [EL%lu EC=0x%lx ISS=0x%lx ELR=fn+%lu FAR=base+%lu mem=0x%lx]", el_at[i], ec[i], iss[i],
                  elr_fn[i], far_off[i], seen[i]);
    __asm__ volatile("msr daifset, #8");       /* (the read below is not watched at EL1) */
    uint64_t now = *(volatile uint64_t *)peek_addr;
    __asm__ volatile("msr daifclr, #8");
    rt_printf(" now=0x%lx\n", now);
    hits = 0;
}

static void set_wp0(uint64_t wvr, uint64_t wcr)
{
    WRITE_SYSREG(dbgwvr0_el1, wvr);
    WRITE_SYSREG(dbgwcr0_el1, wcr);
    ISB();
}

static void watch(const volatile void *base, const void *fn, const volatile void *peek)
{
    far_base = (uint64_t)base;
    fn_base = (uint64_t)fn;
    peek_addr = (uint64_t)peek;
}

static uint64_t el0_store(uint64_t a)
{
    CALL(st8, a, 0x55);
    return 0;
}

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    __asm__ volatile("msr daifclr, #8");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    data[0] = 0x1111;
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(2) | WCR_BAS(1));
    watch(&data[0], st8, &data[0]);
    CALL(st8, &data[0], 0x22);
    report("EL1 strb, byte 0 watched for stores");
    watch(&data[0], ld8, &data[0]);
    CALL(ld8, &data[0], 0);
    report("EL1 ldrb, stores only");
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(1) | WCR_BAS(1));
    CALL(ld8, &data[0], 0);
    report("EL1 ldrb, loads only");
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(3) | WCR_BAS(4));
    watch(&data[0], st8, &data[0]);
    CALL(st8, &data[0], 0x33);
    report("EL1 strb to byte 0, byte 2 watched");
    CALL(st8, (char *)&data[0] + 2, 0x33);
    report("EL1 strb to byte 2, byte 2 watched");
    watch(&data[0], st32, &data[0]);
    CALL(st32, &data[0], 0x44444444);
    report("EL1 str w to bytes 0-3, byte 2 watched");
    /* MASK: 2^8 = 256 bytes from data[0] (BAS all ones). */
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(3) | WCR_BAS(0xff) | WCR_MASK(8));
    watch(&data[0], ld64, &data[30]);
    CALL(ld64, &data[30], 0);
    report("EL1 ldr x at +240, 256-byte MASK");
    watch(&data[0], st64, &data[32]);
    CALL(st64, &data[32], 0x77);
    report("EL1 str x at +256, 256-byte MASK");
    /* A store next to the watched doubleword (same page) proceeds; in the same block,
     * the watched store after it is still caught. */
    set_wp0((uint64_t)&data[8], WCR_E | WCR_PAC(3) | WCR_LSC(2) | WCR_BAS(0xff));
    data[9] = 0;
    watch(&data[0], st64, &data[9]);
    CALL(st64, &data[9], 0x99);
    report("EL1 str x to data[9], data[8] watched");
    watch(&data[0], st_pair_block, &data[9]);
    CALL(st_pair_block, &data[8], 0xaa);
    report("EL1 str x to data[9] then data[8] in one block, data[8] watched");
    /* PAC = EL0 only: LDTR/STTR at EL1 are EL0 accesses; plain ones are not. */
    set_wp0((uint64_t)&far_page[0], WCR_E | WCR_PAC(2) | WCR_LSC(3) | WCR_BAS(1));
    far_page[0] = 0x5;
    watch(&far_page[0], st8, &far_page[0]);
    CALL(st8, &far_page[0], 0x6);
    report("EL1 strb, PAC = EL0");
    watch(&far_page[0], sttr8, &far_page[0]);
    CALL(sttr8, &far_page[0], 0x7);
    report("EL1 sttrb, PAC = EL0");
    watch(&far_page[0], ldtr8, &far_page[0]);
    CALL(ldtr8, &far_page[0], 0);
    report("EL1 ldtrb, PAC = EL0");
    watch(&far_page[0], st8, &far_page[0]);
    rt_run_el0(el0_store, (uint64_t)&far_page[0]);
    report("EL0 strb, PAC = EL0");
    __asm__ volatile("msr daifclr, #8");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(3) | WCR_BAS(1));
    watch(&data[0], st8, &data[0]);
    CALL(st8, &data[0], 0x12);
    report("EL1 strb without KDE");
    WRITE_SYSREG(dbgwcr0_el1, 0);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    return 0;
}

static uint64_t at_el1_tde(uint64_t arg)
{
    (void)arg;
    CALL(st8, &data[0], 0x34);
    return 0;
}

int main(void)
{
    rt_puts("debug_wp\n");
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(osdlr_el1, 0);
    rt_run_el1(at_el1, 0, 0);
    uint64_t mdcr = READ_SYSREG(mdcr_el2);
    WRITE_SYSREG(mdcr_el2, mdcr | MDCR_TDE);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    set_wp0((uint64_t)&data[0], WCR_E | WCR_PAC(3) | WCR_LSC(3) | WCR_BAS(1));
    data[0] = 0x21;
    watch(&data[0], st8, &data[0]);
    rt_run_el1(at_el1_tde, 0, 0);
    report("EL1 strb with MDCR_EL2.TDE");
    WRITE_SYSREG(mdcr_el2, mdcr);
    WRITE_SYSREG(dbgwcr0_el1, 0);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();
    rt_puts("PASS\n");
    return 0;
}
