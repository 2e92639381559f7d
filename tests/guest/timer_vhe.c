// AVSIM-ARGS: --cpu=max
// QEMU-CPU: max
/* The generic timers under FEAT_VHE (--cpu=max; QEMU 7.2 -cpu max), at EL2 with
 * HCR_EL2.{E2H,TGE} = {1,1}. The CNTV_*_EL0 encodings at EL2 reach the EL2 virtual timer
 * (CNTHV_*, redirection), the CNTV_*_EL02 ones the EL1 virtual timer. CNTVCT_EL0 has no
 * offset at EL2 with E2H: with CNTVOFF_EL2 set it still reads CNTPCT. The EL2 virtual timer's
 * condition is polled here with IRQs masked: QEMU 7.2 does not connect that timer to the virt
 * board's GIC (PPI 28 never becomes pending there); guest.timer_vhe_irq checks that avsim
 * delivers PPI 28. */
#include "trap.h"
#include "timer.h"

#define HCR_RW (1UL << 31)
#define HCR_TGE (1UL << 27)
#define HCR_E2H (1UL << 34)
TRAP_HANDLERS

int main(void)
{
    rt_puts("timer_vhe\n");
    timer_gic_init();
    gic_irq_setup(PPI_VIRT_TIMER, 0xa0, 0, 1);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_TGE);
    WRITE_SYSREG(cntvoff_el2, 0x100000UL);
    ISB();

    uint64_t p = cnt_pct(), v = cnt_vct();
    rt_printf("CNTVCT at EL2 with E2H, CNTVOFF_EL2 = 0x100000: CNTVCT - CNTPCT < 0x1000: %s\n",
              yes_no(v - p < 0x1000, "no offset"));

    WRITE_SYSREG(cntv_tval_el0, 20000);                  /* -> CNTHV_TVAL_EL2 */
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);              /* -> CNTHV_CTL_EL2 */
    ISB();
    rt_printf("CNTHV_CTL_EL2 after CNTV_CTL_EL0 = 1: 0x%lx\n", READ_SYSREG(S3_4_C14_C3_1) & 3);
    rt_printf("CNTV_CTL_EL02 (the EL1 virtual timer): 0x%lx\n", READ_SYSREG(S3_5_C14_C3_1));
    unsigned long n = 0;
    while (!(READ_SYSREG(S3_4_C14_C3_1) & CTL_ISTATUS) && n < 200000000UL)
        n++;
    rt_printf("CNTHV_CTL_EL2.ISTATUS became 1: %s\n", yes_no(READ_SYSREG(S3_4_C14_C3_1) & CTL_ISTATUS, "CNTHV fired"));
    WRITE_SYSREG(S3_4_C14_C3_1, 0);
    ISB();
    /* The EL1 virtual timer through the _EL02 encodings: an expired, masked timer. */
    WRITE_SYSREG(S3_5_C14_C3_2, 0);                      /* CNTV_CVAL_EL02 = 0 (always expired) */
    WRITE_SYSREG(S3_5_C14_C3_1, CTL_ENABLE | CTL_IMASK); /* CNTV_CTL_EL02 */
    ISB();
    rt_printf("CNTV_CTL_EL02 = ENABLE|IMASK, CVAL 0: reads 0x%lx; PPI 27 pending=%u\n",
              READ_SYSREG(S3_5_C14_C3_1), ppi_pending(27));
    check(READ_SYSREG(S3_5_C14_C3_1) == (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS) && !ppi_pending(27),
          "EL1 virtual timer via EL02");
    WRITE_SYSREG(S3_5_C14_C3_1, 0);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
