/* Example 02: forwarding a device interrupt to a guest (GICv3 virtualization).
 *
 * What it shows (course topic: interrupt virtualization):
 *  - the hypervisor sets HCR_EL2.IMO: physical IRQs are taken to EL2, and the
 *    guest's ICC_* accesses reach the virtual CPU interface (ICV_*);
 *  - the UART's interrupt (SPI 1 = INTID 33 on the virt board) is enabled in
 *    the distributor and routed to this PE;
 *  - when it fires the hypervisor acknowledges it (ICC_IAR1_EL1), drops its
 *    priority without deactivating it (ICC_CTLR_EL1.EOImode = 1), and injects
 *    it into the guest through a list register (ICH_LR0_EL2) with HW = 1 and
 *    pINTID = 33;
 *  - the guest takes a virtual IRQ, acknowledges and handles it as on bare
 *    metal (ICC_IAR1_EL1 -> 33, clear the UART's interrupt, ICC_EOIR1_EL1), and
 *    its EOI deactivates the physical interrupt in the GIC (the HW bit).
 */
#include "rt/rt.h"

#define GICD 0x08000000UL
#define GICR 0x080A0000UL
#define GICR_SGI (GICR + 0x10000UL)
#define UART 0x09000000UL
#define UART_INTID 33u
#define REG32(a) (*(volatile uint32_t *)(a))

/* GIC system registers by encoding (the assembler may lack their names). */
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"
#define ICC_CTLR_EL1 "S3_0_C12_C12_4"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SRE_EL2 "S3_4_C12_C9_5"
#define ICH_HCR_EL2 "S3_4_C12_C11_0"
#define ICH_VMCR_EL2 "S3_4_C12_C11_7"
#define ICH_LR0_EL2 "S3_4_C12_C12_0"
#define MRS(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " r : "=r"(_v)); _v; })
#define MSR(r, v) __asm__ volatile("msr " r ", %0" :: "r"((uint64_t)(v)) : "memory")

/* ICH_LR<n>_EL2 fields. */
#define LR_PENDING (1UL << 62)
#define LR_HW (1UL << 61)
#define LR_GROUP1 (1UL << 60)
#define LR_PRIORITY(p) ((uint64_t)(p) << 48)
#define LR_PINTID(i) ((uint64_t)(i) << 32)

static unsigned forwarded, guest_handled;
static volatile int physical_active_seen;

static void gic_init(void)
{
    REG32(GICD + 0x0000) = 0x12;                         /* GICD_CTLR: ARE, EnableGrp1 */
    REG32(GICR + 0x0014) &= ~2u;                         /* GICR_WAKER: clear ProcessorSleep */
    while (REG32(GICR + 0x0014) & 4u)                    /* ... until ChildrenAsleep is 0 */
        ;
    REG32(GICD + 0x0080 + 4 * (UART_INTID / 32)) |= 1u << (UART_INTID % 32);   /* IGROUPR: group 1 */
    *(volatile uint8_t *)(GICD + 0x0400 + UART_INTID) = 0x80;                  /* IPRIORITYR */
    *(volatile uint64_t *)(GICD + 0x6000 + 8 * UART_INTID) = 0;                /* IROUTER: PE 0 */
    REG32(GICD + 0x0100 + 4 * (UART_INTID / 32)) = 1u << (UART_INTID % 32);    /* ISENABLER */
    MSR(ICC_SRE_EL2, MRS(ICC_SRE_EL2) | 0x9);             /* SRE, Enable (EL1 may use the sysregs) */
    __asm__ volatile("isb");
    MSR(ICC_PMR_EL1, 0xff);
    MSR(ICC_CTLR_EL1, MRS(ICC_CTLR_EL1) | 2);             /* EOImode = 1: EOI drops priority only */
    MSR(ICC_IGRPEN1_EL1, 1);
    MSR(ICH_VMCR_EL2, (0xffUL << 24) | 2);                /* VPMR = 0xff, VENG1 */
    MSR(ICH_HCR_EL2, 1);                                  /* En */
    __asm__ volatile("isb");
}

/* ---- the hypervisor (EL2) ---- */

void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector == RT_VEC_LOWER64 + RT_IRQ) {
        uint64_t intid = MRS(ICC_IAR1_EL1) & 0xffffff;
        if (intid != UART_INTID) {
            rt_printf("hypervisor: unexpected physical interrupt %lu\n", intid);
            rt_exit(1);
        }
        MSR(ICC_EOIR1_EL1, intid);                       /* priority drop; 33 stays active */
        physical_active_seen = (REG32(GICD + 0x0300 + 4 * (UART_INTID / 32)) >> (UART_INTID % 32)) & 1;
        MSR(ICH_LR0_EL2, LR_PENDING | LR_HW | LR_GROUP1 | LR_PRIORITY(0xa0) | LR_PINTID(intid) | intid);
        forwarded++;
        return;
    }
    uint64_t esr = READ_SYSREG(esr_el2);
    if (vector == RT_VEC_LOWER64 + RT_SYNC && ESR_EC(esr) == 0x16) {   /* HVC: the guest is done */
        int active = (REG32(GICD + 0x0300 + 4 * (UART_INTID / 32)) >> (UART_INTID % 32)) & 1;
        rt_printf("hypervisor: forwarded %u interrupts, guest handled %u, physical 33 active at "
                  "injection: %s, now: %s\n", forwarded, guest_handled, physical_active_seen ? "yes" : "no",
                  active ? "yes" : "no");
        rt_exit(forwarded == 3 && guest_handled == 3 && physical_active_seen && !active ? 0 : 1);
    }
    rt_printf("hypervisor: unexpected exception (vector %d, ESR %lx)\n", vector, esr);
    rt_exit(1);
}

/* ---- the guest (EL1) ---- */

void el1_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("guest: unexpected exception (vector %d)\n", vector);
        rt_exit(1);
    }
    uint64_t intid = MRS(ICC_IAR1_EL1) & 0xffffff;      /* the virtual CPU interface: ICV_IAR1 */
    REG32(UART + 0x044) = 1u << 5;                       /* UARTICR: clear the TX interrupt */
    REG32(UART + 0x038) = 0;                             /* UARTIMSC: mask it until the next round */
    guest_handled++;
    MSR(ICC_EOIR1_EL1, intid);                           /* ICV_EOIR1: also deactivates physical 33 */
    rt_printf("guest: interrupt %lu handled\n", intid);
}

static void guest(uint64_t arg)
{
    (void)arg;
    rt_printf("guest: running at EL1, enabling the UART transmit interrupt\n");
    __asm__ volatile("msr daifclr, #2");
    for (int round = 0; round < 3; round++) {
        REG32(UART + 0x000) = '.';                       /* a character: the transmitter has room again */
        REG32(UART + 0x038) = 1u << 5;                   /* UARTIMSC.TXIM: the interrupt fires */
        /* Wait without a lost wake-up: check with IRQs masked, WFI (a pending
         * interrupt wakes it even when masked), then unmask to take it. */
        for (;;) {
            __asm__ volatile("msr daifset, #2" ::: "memory");
            if (guest_handled != (unsigned)round)
                break;
            __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb" ::: "memory");
        }
        __asm__ volatile("msr daifclr, #2" ::: "memory");
    }
    rt_printf("\nguest: done\n");
    __asm__ volatile("hvc #0");
    for (;;)
        ;
}

int main(void)
{
    rt_printf("hypervisor: GICv3 virtual interface, forwarding the UART's interrupt %u\n", UART_INTID);
    gic_init();
    rt_enter_el1(guest, HCR_IMO, 0);
}
