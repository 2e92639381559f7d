/* avsim guest runtime: freestanding helpers shared by guest tests, examples and benchmarks. */
#ifndef AVSIM_GUEST_RT_H
#define AVSIM_GUEST_RT_H
#include <stdint.h>
#include <stddef.h>

struct rt_frame {
    uint64_t x[31];   /* x0..x30 */
    uint64_t elr;
    uint64_t spsr;
    uint64_t pad;
};

/* Vector numbers passed to the handlers. */
enum { RT_VEC_CUR_SP0 = 0, RT_VEC_CUR_SPX = 4, RT_VEC_LOWER64 = 8, RT_VEC_LOWER32 = 12 };
enum { RT_SYNC = 0, RT_IRQ = 1, RT_FIQ = 2, RT_SERROR = 3 };

/* Weak handlers; a program overrides the ones it expects. The default prints
 * the exception and exits with status 100. */
void el2_handler(struct rt_frame *f, int vector);
void el1_handler(struct rt_frame *f, int vector);

extern char rt_vectors_el2[], rt_vectors_el1[];
extern char __stack_el1_top[], __stack_el0_top[];

/* Semihosting (HLT #0xF000). */
long rt_semihost(long op, void *param);
void rt_exit(int code) __attribute__((noreturn));
void rt_putc(char c);
void rt_puts(const char *s);        /* no newline added */
void rt_printf(const char *fmt, ...);  /* %s %c %d %u %x %lx %lu %ld %016lx %08x %p */
void rt_uart_putc(char c);          /* PL011 at 0x09000000 */
void rt_uart_puts(const char *s);

/* Enter a lower EL via ERET. spsr e.g. RT_SPSR_EL1H. */
void rt_eret_to(void (*pc)(uint64_t), void *sp, uint64_t spsr, uint64_t arg) __attribute__((noreturn));
#define RT_SPSR_EL0T 0x3c0UL
#define RT_SPSR_EL1H 0x3c5UL
#define RT_SPSR_EL1T 0x3c4UL
#define RT_SPSR_EL2H 0x3c9UL

/* Start fn at EL1h (DAIF masked) with VBAR_EL1 = rt_vectors_el1 and HCR_EL2 = hcr | RW. */
void rt_enter_el1(void (*fn)(uint64_t), uint64_t hcr, uint64_t arg) __attribute__((noreturn));

/* Run fn(arg) at a lower EL (or the same EL with SP0) selected by spsr, on stack
 * sp, and return fn's result when it returns. fn returns through SVC #0xffff
 * (HVC #0xffff from EL1 to EL2), which rt_dispatch intercepts from the lower-EL
 * and current-EL-SP0 synchronous vectors; other exceptions reach the handlers
 * as usual. PSTATE.DAIF is all-masked after the return. */
uint64_t rt_call_lower(uint64_t (*fn)(uint64_t), void *sp, uint64_t spsr, uint64_t arg);
void rt_lower_return(uint64_t value) __attribute__((noreturn));
extern uint64_t rt_lower_ctx[4];
/* From EL2: HCR_EL2 = hcr | RW, VBAR_EL1 = rt_vectors_el1, run fn at EL1h (DAIF masked). */
uint64_t rt_run_el1(uint64_t (*fn)(uint64_t), uint64_t hcr, uint64_t arg);
/* From EL1 or EL2: run fn at EL0t on the EL0 stack (DAIF masked). */
uint64_t rt_run_el0(uint64_t (*fn)(uint64_t), uint64_t arg);

#define READ_SYSREG(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")
/* Waits in WFI until cond holds, taking IRQs in between. Call with IRQs
 * masked: the condition is checked with them masked, so that an interrupt
 * arriving between the check and the WFI is not taken (and its wake-up lost)
 * before the WFI; WFI wakes on a pending interrupt even when it is masked. */
#define WFI_UNTIL(cond)                                                                       \
    do {                                                                                      \
        while (!(cond))                                                                       \
            __asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory"); \
    } while (0)

#define HCR_VM   (1UL << 0)
#define HCR_SWIO (1UL << 1)
#define HCR_FMO  (1UL << 3)
#define HCR_IMO  (1UL << 4)
#define HCR_AMO  (1UL << 5)
#define HCR_VF   (1UL << 6)
#define HCR_VI   (1UL << 7)
#define HCR_VSE  (1UL << 8)
#define HCR_TWI  (1UL << 13)
#define HCR_TWE  (1UL << 14)
#define HCR_TID0 (1UL << 15)
#define HCR_TID1 (1UL << 16)
#define HCR_TID2 (1UL << 17)
#define HCR_TID3 (1UL << 18)
#define HCR_TSC  (1UL << 19)
#define HCR_TIDCP (1UL << 20)
#define HCR_TACR (1UL << 21)
#define HCR_TSW  (1UL << 22)
#define HCR_TPC  (1UL << 23)
#define HCR_TPU  (1UL << 24)
#define HCR_TTLB (1UL << 25)
#define HCR_TVM  (1UL << 26)
#define HCR_TGE  (1UL << 27)
#define HCR_HCD  (1UL << 29)
#define HCR_TRVM (1UL << 30)
#define HCR_RW   (1UL << 31)

#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_IL(esr)  (((esr) >> 25) & 1)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)

#endif
