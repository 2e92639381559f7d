/* PL011 UART at 0x09000000: bytes written to the data register (UARTDR)
 * appear on stdout, in program order with semihosting output, from EL2 and
 * from EL1. */
#include "trap.h"

TRAP_HANDLERS

static uint64_t at_el1(uint64_t arg)
{
    (void)arg;
    rt_uart_puts("PL011 from EL1\n");
    rt_puts("semihosting from EL1\n");
    return 0;
}

int main(void)
{
    rt_puts("semihosting before\n");
    rt_uart_puts("PL011 from EL2: 0123456789 abcdefghijklmnopqrstuvwxyz !#$%&()*+,-./:;<=>?@[]^_{|}~\n");
    rt_uart_putc('X');
    rt_uart_putc('\n');
    rt_puts("semihosting after\n");
    rt_run_el1(at_el1, 0, 0);
    rt_uart_puts("PL011 done\n");
    return 0;
}
