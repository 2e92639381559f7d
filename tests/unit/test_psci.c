/* Unit tests for sim/psci: CPU_SUSPEND's power_state parameter in its two
 * formats (Arm DEN 0022, CPU_SUSPEND, "power_state parameter"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/psci.h"

static void test_original_format(void **state)
{
    (void)state;
    struct psci_power_state ps;
    /* StateID [15:0], StateType [16], PowerLevel [25:24]. */
    assert_true(psci_decode_power_state(0x0000abcd, false, &ps));
    assert_false(ps.powerdown);
    assert_int_equal(ps.level, 0);
    assert_int_equal(ps.state_id, 0xabcd);
    assert_true(psci_decode_power_state(0x03010007, false, &ps));
    assert_true(ps.powerdown);
    assert_int_equal(ps.level, 3);
    assert_int_equal(ps.state_id, 7);
    /* Every other bit is reserved. */
    for (unsigned b = 17; b < 32; b++) {
        if (b == 24 || b == 25)
            continue;
        assert_false(psci_decode_power_state(1u << b, false, &ps));
    }
}

static void test_extended_format(void **state)
{
    (void)state;
    struct psci_power_state ps;
    /* StateID [27:0], StateType [30]; bits 31 and 29:28 reserved. */
    assert_true(psci_decode_power_state(0x40abcdef, true, &ps));
    assert_true(ps.powerdown);
    assert_int_equal(ps.state_id, 0x0abcdef);
    assert_int_equal(ps.level, 0);
    assert_true(psci_decode_power_state(0x0fffffff, true, &ps));
    assert_false(ps.powerdown);
    assert_int_equal(ps.state_id, 0x0fffffff);
    assert_false(psci_decode_power_state(1u << 31, true, &ps));
    assert_false(psci_decode_power_state(1u << 29, true, &ps));
    assert_false(psci_decode_power_state(1u << 28, true, &ps));
    /* The same value means different things in the two formats. */
    assert_true(psci_decode_power_state(0x01010000, true, &ps));
    assert_false(ps.powerdown);
    assert_int_equal(ps.state_id, 0x1010000);
    assert_true(psci_decode_power_state(0x01010000, false, &ps));
    assert_true(ps.powerdown);
    assert_int_equal(ps.level, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_original_format),
        cmocka_unit_test(test_extended_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
