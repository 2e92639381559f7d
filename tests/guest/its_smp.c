// AVSIM-ARGS: --smp=2
// QEMU-ARGS: -smp 2
/* The ITS with two PEs (QEMU's virt with -smp 2), both at EL2 with the MMU off; PE 1 takes
 * LPIs by polling ICC_IAR1_EL1 while PE 0 tells it to (IHI 0069, "The ITS"):
 *  1. Collections 0 -> PE 0 and 1 -> PE 1 (MAPC with processor numbers: GITS_TYPER.PTA = 0);
 *     device 1's events 0, 1, 2 -> LPIs 8192, 8193, 8194 in collection 0. INT of event 0 is
 *     taken by PE 0.
 *  2. MOVI of event 0 to collection 1: the next INT of it is taken by PE 1.
 *  3. MOVI of a pending LPI: event 1 made pending on PE 0 (PE 1 not polling), then moved to
 *     collection 1: it is no longer pending on PE 0 (HPPIR 1023), and PE 1 takes it.
 *  4. MOVALL: event 2's LPI pending on PE 0, MOVALL PE 0 -> PE 1 (then SYNC): PE 0 has
 *     nothing pending, PE 1 takes 8194. The ITT still names collection 0, so the next INT of
 *     event 2 goes to PE 0 again.
 * PE 1 writes what it acknowledged to memory; only PE 0 prints. */
#include "trap.h"
#include "its.h"
#include "psci.h"

TRAP_HANDLERS

static volatile uint32_t ready, poll, got, acks;

PSCI_SECONDARY_ENTRY(sec_entry, sec_main, 16384);

void sec_main(uint64_t context_id)
{
    (void)context_id;
    __asm__ volatile("adr x0, rt_vectors_el2\n msr vbar_el2, x0\n isb" ::: "x0");
    gic_cpuif_enable(0xff);
    ready = 1;
    for (;;) {
        if (!poll)
            continue;
        unsigned n = lpi_ack();
        if (n != INTID_SPURIOUS) {
            got = n;
            acks++;
            poll = 0;
        }
    }
}

/* Let PE 1 poll until it acknowledges one LPI (or gives up); returns it. */
static unsigned pe1_takes(void)
{
    unsigned before = acks;
    got = INTID_SPURIOUS;
    poll = 1;
    for (unsigned i = 0; i < 100000000 && acks == before; i++) {
    }
    poll = 0;
    return acks == before ? INTID_SPURIOUS : got;
}

static void show(const char *what, unsigned v, unsigned expect)
{
    rt_printf("  %s = %u\n", what, v);
    check(v == expect, what);
}

int main(void)
{
    rt_puts("its_smp\n");
    gic_redist_wake();
    uint64_t rd1 = its_rd_base(1);
    mmio_w32(rd1 + GICR_WAKER, mmio_r32(rd1 + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd1 + GICR_WAKER) & GICR_WAKER_CA) {
    }
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    its_setup();
    for (unsigned n = 8192; n < 8192 + 64; n++)
        lpi_set_config(n, LPI_PRIO_ENABLED(0xa0));
    lpi_enable_rd(0);
    lpi_enable_rd(1);
    check(psci_start_and_wait(1, sec_entry, &ready) == 0, "CPU_ON");

    rt_puts("collection 0 -> PE 0\n");
    its_mapd(1, 4, 1);
    its_mapc(0, 0);
    its_mapc(1, 1);
    its_invall(0);
    its_invall(1);
    its_mapti(1, 0, 8192, 0);
    its_mapti(1, 1, 8193, 0);
    its_mapti(1, 2, 8194, 0);
    its_int(1, 0);
    show("PE 0 IAR", lpi_ack(), 8192);

    rt_puts("MOVI event 0 -> collection 1 (PE 1)\n");
    its_movi(1, 0, 1);
    its_int(1, 0);
    show("PE 0 IAR", lpi_ack(), INTID_SPURIOUS);
    show("PE 1 takes", pe1_takes(), 8192);

    rt_puts("MOVI of a pending LPI\n");
    its_int(1, 1);
    show("PE 0 HPPIR before", (unsigned)GIC_RD(ICC_HPPIR1_EL1), 8193);
    its_movi(1, 1, 1);
    show("PE 0 HPPIR after", (unsigned)GIC_RD(ICC_HPPIR1_EL1), INTID_SPURIOUS);
    show("PE 1 takes", pe1_takes(), 8193);

    rt_puts("MOVALL PE 0 -> PE 1\n");
    its_int(1, 2);
    show("PE 0 HPPIR before", (unsigned)GIC_RD(ICC_HPPIR1_EL1), 8194);
    its_movall(0, 1);
    its_sync(1);
    show("PE 0 HPPIR after", (unsigned)GIC_RD(ICC_HPPIR1_EL1), INTID_SPURIOUS);
    show("PE 1 takes", pe1_takes(), 8194);
    its_int(1, 2);
    show("next INT: PE 0 IAR", lpi_ack(), 8194);
    show("PE 1 acknowledged in all", acks, 3);
    return test_result();
}
