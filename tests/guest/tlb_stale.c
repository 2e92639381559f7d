/* Stale TLB entries: a valid translation table descriptor is changed to point
 * elsewhere without TLB maintenance, the address is read again, then the TLB
 * maintenance is done and it is read once more.
 *
 * Arm ARM (D8 "TLB maintenance requirements", "Using break-before-make when
 * updating translation table entries"): a PE may cache a valid translation
 * in a TLB and keep using it until the entry is invalidated by a TLBI
 * (completed by DSB, followed by a context synchronization event). After a
 * change of the output address of a valid descriptor without break-before-
 * make, an access may therefore use the old or the new translation (or take
 * a TLB conflict abort, which neither QEMU nor avsim generate); after the
 * TLBI + DSB + ISB only the new one. The test makes sure the old translation
 * is in the TLB (it reads the page just before the change), accepts either
 * old or new for the read without TLBI, and requires the new one after the
 * TLBI. The expected output pins "old": QEMU 7.2 keeps the old translation in
 * its softmmu TLB until a TLBI (deterministically, as no other access evicts
 * it between the two reads), and avsim's TLB model keeps an entry until it is
 * invalidated or evicted, so it too must still translate through the old
 * entry.
 *
 * Stage 2 (EL2): 4 KiB granule, T0SZ=32 (32-bit IPA space), SL0=1 (walk from
 * level 1, a 4-entry level-1 table); the image's 2 MiB identity-mapped with
 * level 3 pages. The guest's stage 1 (T0SZ=25, walk from level 1; Normal WB):
 * the image identity-mapped by a 2 MiB block; VA_S 0x10000000 -> page A;
 * VA_T 0x10001000 -> page C (IPA = PA at first). Pages A..D hold distinct
 * values, written before the guest's first access.
 *   Stage 1 (all in the guest): read VA_S (A); change its level 3
 *     descriptor to page B (DSB ISHST); read VA_S (old: A); TLBI VAE1
 *     (VA_S >> 12), DSB ISH, ISB; read VA_S (B).
 *   Stage 2: the guest reads VA_T (C); EL2 changes the stage 2 descriptor of
 *     IPA C to PA D (DSB ISHST, no TLBI); the guest reads VA_T (old: C); EL2
 *     does DSB ISHST, TLBI IPAS2E1 (IPA C >> 12), DSB ISH, TLBI VMALLE1, DSB
 *     ISH, ISB (the combined stage 1+2 entry holds the old stage 2 result, so
 *     invalidating the stage 2 entry alone is not enough); the guest reads
 *     VA_T (D). */
#include "pagetable.h"

#define VA_S 0x10000000UL
#define VA_T 0x10001000UL

static uint8_t pages[4][4096] __attribute__((aligned(4096)));
#define PG(i) ((uint64_t)pages[i])
#define VAL(i) (0x0a0a0a0a0a0a0a0aUL * ((i) + 1))   /* A, B, C, D */

static struct pt s2, g1;

static uint64_t guest_setup(uint64_t arg)
{
    (void)arg;
    pt_init_s1(&g1, 39);
    pt_map(&g1, RAM_BASE, RAM_BASE, 2, S1_RAM(0));
    pt_map(&g1, VA_S, PG(0), 3, S1_RAM(0));
    pt_map(&g1, VA_T, PG(2), 3, S1_RAM(0));
    s1_enable(&g1, MAIR(0, MAIR_NORMAL_WB));
    return 0;
}

/* Written by the guest (Normal WB), cleaned to the PoC for EL2 (MMU off). */
static volatile uint64_t s1_seen[3] __attribute__((aligned(64)));

static uint64_t guest_stage1(uint64_t arg)
{
    (void)arg;
    volatile uint64_t *d = pt_lookup(&g1, VA_S, 3);
    s1_seen[0] = *(volatile uint64_t *)VA_S;
    *d = PG(1) | S1_RAM(0) | PTE_PAGE;
    __asm__ volatile("dsb ishst" ::: "memory");
    s1_seen[1] = *(volatile uint64_t *)VA_S;
    __asm__ volatile("tlbi vae1, %0\n\tdsb ish\n\tisb" :: "r"(VA_S >> 12) : "memory");
    s1_seen[2] = *(volatile uint64_t *)VA_S;
    __asm__ volatile("dc civac, %0\n\tdsb sy" :: "r"(s1_seen) : "memory");
    return 0;
}

static uint64_t guest_read_t(uint64_t arg)
{
    (void)arg;
    return *(volatile uint64_t *)VA_T;
}

static const char *which(uint64_t v)
{
    for (int i = 0; i < 4; i++)
        if (v == VAL(i))
            return (const char *[]){ "page A", "page B", "page C", "page D" }[i];
    return "?";
}

static void show(const char *what, uint64_t v, uint64_t old, uint64_t new, int stale_allowed)
{
    const char *how = v == old ? " (old translation)" : v == new ? " (new translation)" : "";
    rt_printf("  %s: 0x%lx = %s%s\n", what, v, which(v), how);
    if (stale_allowed)
        check(v == old || v == new, "old or new translation");
    else
        check(v == new, "new translation");
}

int main(void)
{
    rt_puts("tlb_stale\n");
    for (int i = 0; i < 4; i++)
        *(volatile uint64_t *)PG(i) = VAL(i);
    pt_init_s2(&s2, 32, 1);
    s2_map_image(&s2, 3);
    s2_setup(&s2);
    rt_run_el1(guest_setup, HCR_VM, 0);

    rt_puts("stage 1 descriptor of VA_S changed from page A to page B by the guest:\n");
    rt_run_el1(guest_stage1, HCR_VM, 0);
    show("read before the change", s1_seen[0], VAL(0), VAL(0), 0);
    show("read after the change, no TLBI", s1_seen[1], VAL(0), VAL(1), 1);
    show("read after TLBI VAE1 + DSB + ISB", s1_seen[2], VAL(0), VAL(1), 0);

    rt_puts("stage 2 descriptor of VA_T's IPA changed from page C to page D by EL2:\n");
    uint64_t v = rt_run_el1(guest_read_t, HCR_VM, 0);
    show("read before the change", v, VAL(2), VAL(2), 0);
    volatile uint64_t *d = pt_lookup(&s2, PG(2), 3);
    *d = PG(3) | S2_RAM | PTE_PAGE;
    __asm__ volatile("dsb ishst" ::: "memory");
    v = rt_run_el1(guest_read_t, HCR_VM, 0);
    show("read after the change, no TLBI", v, VAL(2), VAL(3), 1);
    s2_tlbi_ipa(PG(2));
    v = rt_run_el1(guest_read_t, HCR_VM, 0);
    show("read after TLBI IPAS2E1 + DSB + TLBI VMALLE1 + DSB + ISB", v, VAL(2), VAL(3), 0);

    s1_disable();
    WRITE_SYSREG(hcr_el2, HCR_RW);
    ISB();
    return test_result();
}
