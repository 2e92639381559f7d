// AVSIM-FOLLOWS-ARM-ARM: the EL2 virtual timer's output is PPI 28 (Arm BSA; Linux's arch_timer binding "hyp-virt"); QEMU 7.2's virt board leaves it unconnected, so there PPI 28 never becomes pending and this test would wait forever.
// AVSIM-ARGS: --cpu=max
/* The EL2 virtual timer (CNTHV_*, FEAT_VHE, --cpu=max) interrupts: armed through the
 * redirected CNTV_*_EL0 encodings at EL2 with HCR_EL2.{E2H,TGE} = {1,1}, it makes PPI 28
 * pending and the IRQ is taken at EL2 (ICC_IAR1_EL1 = 28); the handler disables the timer
 * through CNTHV_CTL_EL2. */
#include "trap.h"
#include "timer.h"

#define HCR_RW (1UL << 31)
#define HCR_TGE (1UL << 27)
#define HCR_E2H (1UL << 34)
#define MAX_WAKEUPS 100000UL

static volatile unsigned done28, irq_other;

void el2_handler(struct rt_frame *f, int vector)
{
    if (vector == RT_VEC_CUR_SPX + RT_IRQ) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        tlog_add('H', intid);
        if (intid == PPI_HYP_VIRT_TIMER) {
            WRITE_SYSREG(S3_4_C14_C3_1, 0);          /* CNTHV_CTL_EL2 = 0 */
            ISB();
            done28++;
        } else {
            irq_other++;
            f->spsr |= 1UL << 7;
        }
        if (intid < 1020) {
            GIC_WR(ICC_EOIR1_EL1, intid);
            ISB();
        }
        return;
    }
    trap_record(f, 2, vector);
}

int main(void)
{
    rt_puts("timer_vhe_irq\n");
    timer_gic_init();
    gic_irq_setup(PPI_HYP_VIRT_TIMER, 0x90, 0, 1);
    gic_irq_setup(PPI_VIRT_TIMER, 0xa0, 0, 1);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_TGE);
    WRITE_SYSREG(cntvoff_el2, 0x100000UL);
    ISB();

    WRITE_SYSREG(cntv_tval_el0, 20000);                  /* -> CNTHV_TVAL_EL2 */
    WRITE_SYSREG(cntv_ctl_el0, CTL_ENABLE);              /* -> CNTHV_CTL_EL2 */
    ISB();
    unsigned got = wait_for_flag(&done28, MAX_WAKEUPS);
    rt_printf("PPI 28 taken at EL2: %s\n", yes_no(got != 0, "28 taken"));
    tlog_print("  log", "H28");
    rt_printf("CNTHV_CTL_EL2 after the handler: 0x%lx, PPI 28 pending=%u active=%u\n",
              READ_SYSREG(S3_4_C14_C3_1), ppi_pending(28), ppi_active(28));
    check(READ_SYSREG(S3_4_C14_C3_1) == 0 && !ppi_pending(28) && !ppi_active(28), "28 done");
    WRITE_SYSREG(S3_5_C14_C3_1, 0);
    WRITE_SYSREG(cntvoff_el2, 0);
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    rt_printf("no other interrupt: %s\n", yes_no(irq_other == 0, "no other interrupt"));
    return test_result();
}
