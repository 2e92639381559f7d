/* A tiny hypervisor time-slicing two VMs, the workload of the trace tests
 * (tests/cli/trace_tests.sh): the trace shows the VMID switches, and tlbsim
 * shows what VMID tags save over flushing the TLB on every switch.
 *
 * Each VM runs with its stage 1 off (VA == IPA) under its own stage 2 and
 * VMID (VM 1: VMID 1, VM 2: VMID 2). Both stage 2 tables map the image (code,
 * stacks) identity, and a private working set of WS_PAGES pages at IPA
 * WS_IPA: VM 1's to PA RAM_FREE3, VM 2's to PA RAM_FREE4, so the same IPA
 * names different memory in each VM. The hypervisor runs SLICES slices per
 * VM, alternating; in each slice the VM adds its slice number to the first
 * doubleword of every page of its working set and returns the sum of those
 * doublewords.
 *
 * Halfway, the hypervisor moves VM 2's page 3 to other memory (PA REMAP_PA,
 * holding a marker): it rewrites the stage 2 descriptor with VM 2's VTTBR in
 * place and does the stage 2 TLB maintenance (TLBI IPAS2E1 + VMALLE1, which
 * act on the current VMID only), so VM 2 sees the new page and VM 1 keeps
 * its translations. */
#include "pagetable.h"

#define WS_IPA 0x41000000UL     /* outside the image's 2 MiB: no identity mapping */
#define WS_PAGES 24
#define SLICES 8
#define REMAP_PAGE 3
#define REMAP_PA (RAM_FREE2 + 0x5000UL)
#define REMAP_MARK 0x1000000UL

static struct pt s2[2];
static const uint64_t ws_pa[2] = { RAM_FREE3, RAM_FREE4 };

void el2_handler(struct rt_frame *f, int vector) { trap_record(f, 2, vector); }
void el1_handler(struct rt_frame *f, int vector) { trap_record(f, 1, vector); }

/* The guest: one slice of work (at EL1, stage 1 off). */
static uint64_t vm_slice(uint64_t slice)
{
    uint64_t sum = 0;
    for (unsigned p = 0; p < WS_PAGES; p++) {
        volatile uint64_t *d = (volatile uint64_t *)(WS_IPA + p * PAGE_SIZE);
        d[0] += slice;
        d[1] = d[0] ^ p;                 /* a second access to the page */
        sum += d[0];
    }
    return sum;
}

static void switch_to(unsigned vm)
{
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2[vm].root | ((uint64_t)(vm + 1) << 48));
    ISB();
}

int main(void)
{
    rt_puts("two_vms\n");
    for (unsigned vm = 0; vm < 2; vm++) {
        pt_init_s2(&s2[vm], 32, 2);
        s2_map_image(&s2[vm], 2);
        for (unsigned p = 0; p < WS_PAGES; p++) {
            pt_map(&s2[vm], WS_IPA + p * PAGE_SIZE, ws_pa[vm] + p * PAGE_SIZE, 3, S2_RAM);
            *(volatile uint64_t *)(ws_pa[vm] + p * PAGE_SIZE) = (vm + 1) * 1000 + p;
        }
    }
    *(volatile uint64_t *)REMAP_PA = REMAP_MARK;
    WRITE_SYSREG(vtcr_el2, s2_vtcr(&s2[0]));
    /* Start clean: both VMIDs' stage 1+2 entries. */
    switch_to(0);
    tlbi_vmalls12e1();
    switch_to(1);
    tlbi_vmalls12e1();

    uint64_t last[2] = { 0, 0 };
    for (unsigned s = 1; s <= SLICES; s++) {
        if (s == SLICES / 2 + 1) {
            /* VM 2's page REMAP_PAGE moves to REMAP_PA (VTTBR is VM 2's for the TLBI). */
            switch_to(1);
            uint64_t ipa = WS_IPA + REMAP_PAGE * PAGE_SIZE;
            *pt_entry(&s2[1], ipa, 3) = (REMAP_PA & PTE_OA_MASK) | S2_RAM | PTE_PAGE;
            s2_tlbi_ipa(ipa);
            rt_printf("slice %u: VM 2 page %u moved\n", s, REMAP_PAGE);
        }
        for (unsigned vm = 0; vm < 2; vm++) {
            switch_to(vm);
            last[vm] = rt_run_el1(vm_slice, HCR_VM, s);
            rt_printf("slice %u VM %u: sum %lu\n", s, vm + 1, last[vm]);
        }
    }
    /* Expected sums: every page got 1 + 2 + ... + SLICES added; VM 2's moved
     * page only from the move on (to REMAP_MARK). */
    uint64_t added = SLICES * (SLICES + 1) / 2, expect[2] = { 0, 0 };
    for (unsigned vm = 0; vm < 2; vm++)
        for (unsigned p = 0; p < WS_PAGES; p++)
            expect[vm] += (vm == 1 && p == REMAP_PAGE)
                              ? REMAP_MARK + added - SLICES / 2 * (SLICES / 2 + 1) / 2
                              : (vm + 1) * 1000 + p + added;
    check(last[0] == expect[0], "VM 1 final sum");
    check(last[1] == expect[1], "VM 2 final sum");
    check(*(volatile uint64_t *)(ws_pa[1] + REMAP_PAGE * PAGE_SIZE) == 2000 + REMAP_PAGE + SLICES / 2 * (SLICES / 2 + 1) / 2,
          "VM 2's old page untouched after the move");
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
