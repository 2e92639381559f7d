// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* Causality of an SGI that wakes a PE from WFI: PE 1 waits in WFI; PE 0
 * reads CNTPCT_EL0 and then sends it SGI 5 (ICC_SGI1R_EL1); PE 1's IRQ handler
 * reads CNTPCT_EL0 when it takes the interrupt. The counter is one system
 * counter for all PEs, so the wake-up can never read an earlier count than the
 * send. PE 0 waits a different time before each send, so that sends fall at
 * different points of avsim's rounds (a PE in WFI slept to the end of the last
 * round; it used to wake at the round's start, before the SGI was sent). */
#include "gic.h"
#include "psci.h"

#define ROUNDS 8
#define KICK 5

static volatile uint64_t t_send[ROUNDS], t_wake[ROUNDS];
static volatile uint32_t ready, woken;
extern char rt_vectors_el2[];

static void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

static uint64_t counter(void)
{
    ISB();
    return READ_SYSREG(cntpct_el0);
}

/* PE 1's IRQ at EL2: the kick. */
void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("unexpected exception vector %d ESR 0x%lx\n", vector, READ_SYSREG(esr_el2));
        rt_exit(1);
    }
    uint64_t now = counter();
    uint32_t intid = (uint32_t)GIC_RD(ICC_IAR1_EL1);
    if (intid == KICK && woken < ROUNDS)
        t_wake[woken] = now;
    dsb();
    woken = woken + 1;
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 8192);

void sec_main(uint64_t context_id)
{
    (void)context_id;
    WRITE_SYSREG(vbar_el2, (uint64_t)rt_vectors_el2);
    uint64_t sgi = GICR_SGI_BASE + 0x20000;          /* PE 1's redistributor, SGI frame */
    uint64_t rd = GICR_RD_BASE + 0x20000;
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    mmio_w32(sgi + GICR_IGROUPR0, 1u << KICK);
    mmio_w8(sgi + GICR_IPRIORITYR(KICK), 0x80);
    mmio_w32(sgi + GICR_ISENABLER0, 1u << KICK);
    gic_cpuif_enable(0xf0);
    WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_IMO);   /* physical IRQs to EL2 */
    ISB();
    for (uint32_t r = 0; r < ROUNDS; r++) {
        dsb();
        ready = r + 1;
        dsb();
        WFI_UNTIL(woken >= r + 1);
    }
    psci_smc(PSCI_CPU_OFF, 0, 0, 0);
    rt_exit(1);
}

int main(void)
{
    int fails = 0;
    gic_dist_enable();
    int64_t r0 = psci_smc(PSCI_CPU_ON_64, 1, (uint64_t)sec_entry, 0);
    rt_printf("CPU_ON(1): %ld\n", r0);
    if (r0 != 0)
        return 1;
    for (uint32_t r = 0; r < ROUNDS; r++) {
        while (ready < r + 1) {
        }
        /* Let PE 1 reach its WFI, then wait a little longer each time. */
        for (volatile uint32_t spin = 0; spin < 2000 + 3000 * r; spin++) {
        }
        t_send[r] = counter();
        dsb();
        GIC_WR(ICC_SGI1R_EL1, SGI1R(KICK, 1u << 1));
        ISB();
        while (woken < r + 1) {
        }
        int ok = t_wake[r] >= t_send[r];
        rt_printf("kick %u: PE 1 woke %s the send\n", r, ok ? "after" : "BEFORE");
        fails += !ok;
    }
    unsigned spins = 0;
    while (psci_smc(PSCI_AFFINITY_INFO, 1, 0, 0) != 1 && spins < 100000)
        spins++;
    rt_printf("%s (%d failed checks)\n", fails ? "FAIL" : "PASS", fails);
    return fails ? 1 : 0;
}
