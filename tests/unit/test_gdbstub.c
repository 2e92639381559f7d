/* The GDB stub's protocol layer: framing, checksums, escaping, hex helpers,
 * the command table and the target description (no socket). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "frontend/gdbstub.h"

static enum gdb_rx_result feed(struct gdb_rx *rx, const char *s)
{
    enum gdb_rx_result r = GDB_RX_NONE;
    for (; *s; s++)
        r = gdb_rx_feed(rx, (uint8_t)*s);
    return r;
}

static void test_checksum_and_frame(void **state)
{
    char out[64];
    assert_int_equal(gdb_checksum("OK", 2), 0x9a);
    size_t n = gdb_frame("OK", 2, out, sizeof out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "$OK#9a", 6);
    n = gdb_frame("", 0, out, sizeof out);
    assert_memory_equal(out, "$#00", n);
    /* '$', '#', '}' and '*' are escaped as '}' then the byte XOR 0x20; the checksum covers the escapes. */
    n = gdb_frame("a#b}c$*", 7, out, sizeof out);
    out[n] = 0;
    assert_string_equal(out, "$a}\x03" "b}]c}\x04}\x0a#" "" "88");
    assert_int_equal(gdb_frame("OK", 2, out, 5), 0);   /* too small */
}

static void test_rx(void **state)
{
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, "+"), GDB_RX_ACK);
    assert_int_equal(feed(&rx, "-"), GDB_RX_NAK);
    assert_int_equal(feed(&rx, "\x03"), GDB_RX_INTERRUPT);
    assert_int_equal(feed(&rx, "$qSupported:multiprocess+#c6"), GDB_RX_PACKET);
    assert_string_equal(rx.buf, "qSupported:multiprocess+");
    assert_int_equal(feed(&rx, "$g#67"), GDB_RX_PACKET);
    assert_string_equal(rx.buf, "g");
    assert_int_equal(feed(&rx, "$g#68"), GDB_RX_BAD_CHECKSUM);
    assert_int_equal(feed(&rx, "$g#6x"), GDB_RX_BAD_CHECKSUM);
    /* Escapes round-trip through the framer. */
    char out[64];
    size_t n = gdb_frame("X0,1:}#$*", 9, out, sizeof out);
    out[n] = 0;
    assert_int_equal(feed(&rx, out), GDB_RX_PACKET);
    assert_int_equal(rx.len, 9);
    assert_memory_equal(rx.buf, "X0,1:}#$*", 9);
    /* A 0x03 inside a packet is data, not an interrupt. */
    assert_int_equal(feed(&rx, "$a"), GDB_RX_NONE);
    assert_int_equal(gdb_rx_feed(&rx, 3), GDB_RX_NONE);
    assert_int_equal(feed(&rx, "#64"), GDB_RX_PACKET);
}

static void test_hex(void **state)
{
    uint64_t v;
    const char *end;
    assert_int_equal(gdb_parse_hex("40081400,4", &v, &end), 0);
    assert_int_equal(v, 0x40081400);
    assert_int_equal(*end, ',');
    assert_int_equal(gdb_parse_hex("ffffffffffffffff", &v, NULL), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(gdb_parse_hex("1ffffffffffffffff", &v, NULL), -1);
    assert_int_equal(gdb_parse_hex(",", &v, NULL), -1);
    uint8_t b[4];
    assert_int_equal(gdb_hex_decode("deadBEEF", 4, b), 0);
    assert_int_equal(b[0], 0xde);
    assert_int_equal(b[3], 0xef);
    assert_int_equal(gdb_hex_decode("dz", 1, b), -1);
    char s[17];
    gdb_hex_encode(b, 4, s);
    assert_string_equal(s, "deadbeef");
    gdb_hex_le(0x40081400, 8, s);
    assert_string_equal(s, "0014084000000000");
    assert_true(gdb_unhex_le(s, 8) == 0x40081400);
    gdb_hex_le(0x3c9, 4, s);
    assert_string_equal(s, "c9030000");
}

static void test_commands(void **state)
{
    assert_string_equal(gdb_command_name("qSupported:multiprocess+;swbreak+"), "qSupported");
    assert_string_equal(gdb_command_name("qXfer:features:read:target.xml:0,ffb"), "qXfer:features:read");
    assert_string_equal(gdb_command_name("vCont?"), "vCont?");
    assert_string_equal(gdb_command_name("vCont;s:1;c"), "vCont");
    assert_string_equal(gdb_command_name("Z0,40081400,4"), "Z0");
    assert_string_equal(gdb_command_name("z1,40081400,4"), "z1");
    assert_string_equal(gdb_command_name("Z2,40081400,4"), "");    /* watchpoints: not supported */
    assert_string_equal(gdb_command_name("m40000000,4"), "m");
    assert_string_equal(gdb_command_name("M40000000,4:00000000"), "M");
    assert_string_equal(gdb_command_name("p22"), "p");
    assert_string_equal(gdb_command_name("Qqemu.PhyMemMode:1"), "Qqemu.PhyMemMode");
    assert_string_equal(gdb_command_name("qqemu.PhyMemMode"), "qqemu.PhyMemMode");
    assert_string_equal(gdb_command_name("qRcmd,7068797320666f6e"), "qRcmd");
    assert_string_equal(gdb_command_name("Hg0"), "H");
    assert_string_equal(gdb_command_name("qC"), "qC");
    assert_string_equal(gdb_command_name("qAttached"), "qAttached");
    assert_string_equal(gdb_command_name("qTStatus"), "");
    assert_string_equal(gdb_command_name("?"), "?");
    assert_string_equal(gdb_command_name("D"), "D");
    assert_string_equal(gdb_command_name("k"), "k");
    assert_string_equal(gdb_command_name("c"), "c");
    assert_string_equal(gdb_command_name("s"), "s");
}

static void test_target_xml(void **state)
{
    const char *x = gdb_target_xml();
    assert_non_null(strstr(x, "<feature name=\"org.gnu.gdb.aarch64.core\">"));
    assert_non_null(strstr(x, "<reg name=\"x30\" bitsize=\"64\" type=\"int\" regnum=\"30\"/>"));
    assert_non_null(strstr(x, "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>"));
    assert_non_null(strstr(x, "<reg name=\"cpsr\" bitsize=\"32\" type=\"int\" regnum=\"33\"/>"));
    assert_non_null(strstr(x, "<feature name=\"org.avsim.el2\">"));
    assert_non_null(strstr(x, "name=\"ESR_EL2\" bitsize=\"64\""));
    assert_string_equal(gdb_reg_name(0), "x0");
    assert_string_equal(gdb_reg_name(31), "sp");
    assert_string_equal(gdb_reg_name(34), "CurrentEL");
    assert_null(gdb_reg_name(gdb_num_regs()));
}

/* Threads: one per PE, ids from 1; vCont steps one thread alone. */
static void test_threads(void **state)
{
    long tid;
    const char *end;
    assert_int_equal(gdb_parse_thread("3", &tid, &end), 0);
    assert_int_equal(tid, 3);
    assert_int_equal(gdb_parse_thread("-1", &tid, &end), 0);
    assert_int_equal(tid, -1);
    assert_int_equal(gdb_parse_thread("0", &tid, NULL), 0);
    assert_int_equal(tid, 0);
    assert_int_equal(gdb_parse_thread("a;c", &tid, &end), 0);
    assert_int_equal(tid, 10);
    assert_int_equal(*end, ';');
    assert_int_equal(gdb_parse_thread("x", &tid, NULL), -1);

    struct gdb_resume r;
    assert_int_equal(gdb_parse_vcont("c", 2, &r), 0);              /* every PE continues */
    assert_false(r.step);
    assert_int_equal(gdb_parse_vcont("s:2;c", 1, &r), 0);          /* gdb's stepi: thread 2 alone */
    assert_true(r.step);
    assert_int_equal(r.thread, 2);
    assert_int_equal(gdb_parse_vcont("c;s:4", 1, &r), 0);          /* the step wins wherever it is */
    assert_true(r.step);
    assert_int_equal(r.thread, 4);
    assert_int_equal(gdb_parse_vcont("S05:3", 1, &r), 0);          /* with a signal (dropped) */
    assert_true(r.step);
    assert_int_equal(r.thread, 3);
    assert_int_equal(gdb_parse_vcont("s", 3, &r), 0);              /* no thread: the Hc one */
    assert_int_equal(r.thread, 3);
    assert_int_equal(gdb_parse_vcont("s:-1", 2, &r), 0);
    assert_int_equal(r.thread, 2);
    assert_int_equal(gdb_parse_vcont("C09:1;c", 1, &r), 0);
    assert_false(r.step);
    assert_int_equal(gdb_parse_vcont("c:2", 1, &r), 0);            /* all-stop: every PE continues */
    assert_false(r.step);
    assert_int_equal(gdb_parse_vcont("t", 1, &r), -1);
    assert_int_equal(gdb_parse_vcont("r0,4:1", 1, &r), -1);        /* range step: not offered */
    assert_int_equal(gdb_parse_vcont("s:2;", 1, &r), -1);
    assert_int_equal(gdb_parse_vcont("c:z", 1, &r), -1);
    assert_int_equal(gdb_parse_vcont("", 1, &r), -1);

    char list[32];
    assert_int_equal(gdb_thread_list(1, list, sizeof list), 2);
    assert_string_equal(list, "m1");
    assert_int_equal(gdb_thread_list(4, list, sizeof list), 8);
    assert_string_equal(list, "m1,2,3,4");
    assert_int_equal(gdb_thread_list(4, list, 5), 0);              /* too small */

    char text[80];
    struct gdb_pe_state st = { .index = 1, .el = 2, .mpidr = 0x80000001, .on = true };
    gdb_pe_description(text, sizeof text, &st);
    assert_string_equal(text, "PE 1 (MPIDR 0x80000001) EL2");
    st.wfi = true;
    st.el = 1;
    gdb_pe_description(text, sizeof text, &st);
    assert_string_equal(text, "PE 1 (MPIDR 0x80000001) EL1, WFI");
    st = (struct gdb_pe_state){ .index = 3, .el = 2, .mpidr = 0x80000003, .on = false };
    gdb_pe_description(text, sizeof text, &st);
    assert_string_equal(text, "PE 3 (MPIDR 0x80000003) off");

    assert_string_equal(gdb_command_name("qThreadExtraInfo,2"), "qThreadExtraInfo");
    assert_string_equal(gdb_command_name("qfThreadInfo"), "qfThreadInfo");
    assert_string_equal(gdb_command_name("qsThreadInfo"), "qsThreadInfo");
    assert_string_equal(gdb_command_name("T3"), "T");
    assert_string_equal(gdb_command_name("Hc-1"), "H");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_and_frame),
        cmocka_unit_test(test_rx),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_target_xml),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
