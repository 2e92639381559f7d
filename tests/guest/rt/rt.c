#include "rt.h"
#include <stdarg.h>

long rt_semihost(long op, void *param)
{
    register long x0 __asm__("x0") = op;
    register void *x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

void rt_exit(int code)
{
    uint64_t block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, (uint64_t)(int64_t)code };
    rt_semihost(0x18 /* SYS_EXIT */, block);
    for (;;) {
    }
}

void rt_putc(char c) { rt_semihost(0x03 /* SYS_WRITEC */, &c); }
void rt_puts(const char *s) { rt_semihost(0x04 /* SYS_WRITE0 */, (void *)s); }

void rt_uart_putc(char c) { *(volatile uint32_t *)0x09000000UL = (uint8_t)c; }
void rt_uart_puts(const char *s) { while (*s) rt_uart_putc(*s++); }

static char *fmt_num(char *end, unsigned long v, int base, int width, char pad)
{
    char *p = end;
    *--p = 0;
    do {
        *--p = "0123456789abcdef"[v % base];
        v /= base;
        width--;
    } while (v);
    while (width-- > 0) *--p = pad;
    return p;
}

void rt_printf(const char *fmt, ...)
{
    char buf[256], num[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && n < sizeof buf - 1; f++) {
        if (*f != '%') { buf[n++] = *f; continue; }
        f++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*f == '0') { pad = '0'; f++; }
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        while (*f == 'l') { lng = 1; f++; }
        const char *s = 0;
        switch (*f) {
        case 's': s = va_arg(ap, const char *); break;
        case 'c': num[0] = (char)va_arg(ap, int); num[1] = 0; s = num; break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            s = fmt_num(num + sizeof num, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, width, pad);
            if (v < 0) *(char *)--s = '-';
            break;
        }
        case 'u': s = fmt_num(num + sizeof num, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad); break;
        case 'x': s = fmt_num(num + sizeof num, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad); break;
        case 'p': s = fmt_num(num + sizeof num, (unsigned long)va_arg(ap, void *), 16, 0, pad); break;
        case '%': s = "%"; break;
        default: s = "?"; break;
        }
        while (*s && n < sizeof buf - 1) buf[n++] = *s++;
    }
    va_end(ap);
    buf[n] = 0;
    rt_puts(buf);
}

static void default_handler(struct rt_frame *f, int el, int vector)
{
    uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
    uint64_t far = el == 2 ? READ_SYSREG(far_el2) : READ_SYSREG(far_el1);
    rt_printf("unexpected exception at EL%d vector %d: ESR=%lx ELR=%lx FAR=%lx SPSR=%lx\n",
              el, vector, esr, f->elr, far, f->spsr);
    rt_exit(100);
}

__attribute__((weak)) void el2_handler(struct rt_frame *f, int vector) { default_handler(f, 2, vector); }
__attribute__((weak)) void el1_handler(struct rt_frame *f, int vector) { default_handler(f, 1, vector); }

void rt_dispatch(struct rt_frame *f, int el, int vector);
void rt_dispatch(struct rt_frame *f, int el, int vector)
{
    if ((vector == RT_VEC_LOWER64 + RT_SYNC || vector == RT_VEC_CUR_SP0 + RT_SYNC) && rt_lower_ctx[el]) {
        uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
        if ((ESR_EC(esr) == 0x15 || ESR_EC(esr) == 0x16) && (esr & 0xffff) == 0xffff)
            rt_lower_return(f->x[0]);   /* end of an rt_call_lower */
    }
    if (el == 2)
        el2_handler(f, vector);
    else
        el1_handler(f, vector);
}

void rt_enter_el1(void (*fn)(uint64_t), uint64_t hcr, uint64_t arg)
{
    WRITE_SYSREG(hcr_el2, hcr | HCR_RW);
    WRITE_SYSREG(vbar_el1, (uint64_t)rt_vectors_el1);
    ISB();
    rt_eret_to(fn, __stack_el1_top, RT_SPSR_EL1H, arg);
}

uint64_t rt_run_el1(uint64_t (*fn)(uint64_t), uint64_t hcr, uint64_t arg)
{
    WRITE_SYSREG(hcr_el2, hcr | HCR_RW);
    WRITE_SYSREG(vbar_el1, (uint64_t)rt_vectors_el1);
    ISB();
    return rt_call_lower(fn, __stack_el1_top, RT_SPSR_EL1H, arg);
}

uint64_t rt_run_el0(uint64_t (*fn)(uint64_t), uint64_t arg)
{
    return rt_call_lower(fn, __stack_el0_top, RT_SPSR_EL0T, arg);
}
