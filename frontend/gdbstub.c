/* The GDB remote serial protocol stub (see gdbstub.h). One connection; each
 * PE is a thread (id = PE index + 1), all-stop as QEMU's stub presents vCPUs.
 * The machine calls stub_stopped() when a PE stops for the debugger; it
 * serves packets until gdb resumes, detaches or kills. */
#include "frontend/gdbstub.h"
#include "sim/machine.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- registers ---------------------------------------------------------------------- */

#define GDB_CORE_REGS 34
/* The system registers of the org.avsim.el2 feature, by their names in cpu/sysreg.c
 * ("CurrentEL" is the PE's EL). */
static const char *const sys_regs[] = {
    "CurrentEL", "ESR_EL2", "ELR_EL2", "SPSR_EL2", "FAR_EL2", "HPFAR_EL2", "HCR_EL2", "VBAR_EL2",
    "SCTLR_EL2", "TTBR0_EL2", "TCR_EL2", "VTTBR_EL2", "VTCR_EL2", "SCTLR_EL1", "ESR_EL1", "ELR_EL1",
    "SPSR_EL1", "FAR_EL1", "VBAR_EL1", "SP_EL0", "SP_EL1",
};
#define N_SYS_REGS (sizeof sys_regs / sizeof sys_regs[0])

unsigned gdb_num_regs(void) { return GDB_CORE_REGS + (unsigned)N_SYS_REGS; }

const char *gdb_reg_name(unsigned n)
{
    static char xn[GDB_CORE_REGS][4];
    if (n < 31) {
        snprintf(xn[n], sizeof xn[n], "x%u", n);
        return xn[n];
    }
    if (n < GDB_CORE_REGS)
        return n == 31 ? "sp" : n == 32 ? "pc" : "cpsr";
    return n < gdb_num_regs() ? sys_regs[n - GDB_CORE_REGS] : NULL;
}

const char *gdb_target_xml(void)
{
    static char xml[8192];
    if (xml[0])
        return xml;
    size_t o = 0;
    o += (size_t)snprintf(xml + o, sizeof xml - o,
                          "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                          "<target version=\"1.0\">\n<architecture>aarch64</architecture>\n"
                          "<feature name=\"org.gnu.gdb.aarch64.core\">\n");
    for (unsigned n = 0; n < gdb_num_regs(); n++) {
        if (n == GDB_CORE_REGS)
            o += (size_t)snprintf(xml + o, sizeof xml - o, "</feature>\n<feature name=\"org.avsim.el2\">\n");
        const char *type = n == 31 ? "data_ptr" : n == 32 ? "code_ptr" : n >= GDB_CORE_REGS ? "uint64" : "int";
        o += (size_t)snprintf(xml + o, sizeof xml - o, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"%s/>\n",
                              gdb_reg_name(n), n == 33 ? 32u : 64u, type, n,
                              n >= GDB_CORE_REGS ? " group=\"system\"" : "");
    }
    snprintf(xml + o, sizeof xml - o, "</feature>\n</target>\n");
    return xml;
}

/* ---- framing and hex ---------------------------------------------------------------- */

uint8_t gdb_checksum(const char *data, size_t len)
{
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + (uint8_t)data[i]);
    return s;
}

size_t gdb_frame(const char *payload, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = payload[i];
        bool esc = c == '$' || c == '#' || c == '}' || c == '*';
        if (o + (esc ? 2 : 1) + 3 > cap)
            return 0;
        if (esc) {
            out[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c = (char)(c ^ 0x20);
        }
        out[o++] = c;
        sum = (uint8_t)(sum + (uint8_t)c);
    }
    out[o++] = '#';
    out[o++] = hex[sum >> 4];
    out[o++] = hex[sum & 15];
    return o;
}

int gdb_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void gdb_rx_init(struct gdb_rx *rx) { memset(rx, 0, sizeof *rx); }

enum gdb_rx_result gdb_rx_feed(struct gdb_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case 0:
        if (c == '$') {
            rx->state = 1;
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return GDB_RX_NONE;
        }
        return c == 0x03 ? GDB_RX_INTERRUPT : c == '+' ? GDB_RX_ACK : c == '-' ? GDB_RX_NAK : GDB_RX_NONE;
    case 1:
    case 2:
        if (rx->state == 1 && c == '#') {
            rx->state = 3;
            return GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + c);
        if (rx->state == 1 && c == '}') {
            rx->state = 2;
            return GDB_RX_NONE;
        }
        if (rx->state == 2) {
            c ^= 0x20;
            rx->state = 1;
        }
        if (rx->len < GDB_PACKET_MAX)
            rx->buf[rx->len++] = (char)c;
        else
            rx->overflow = true;
        return GDB_RX_NONE;
    case 3:
    case 4: {
        int d = gdb_hex_digit((char)c);
        rx->cs = (rx->cs << 4) | (unsigned)(d < 0 ? 0x100 : d);
        if (rx->state == 3) {
            rx->cs = (unsigned)(d < 0 ? 0x100 : d);
            rx->state = 4;
            return GDB_RX_NONE;
        }
        rx->state = 0;
        rx->buf[rx->len] = 0;
        return (rx->cs & 0xff) == rx->sum && rx->cs < 0x100 && !rx->overflow ? GDB_RX_PACKET
                                                                             : GDB_RX_BAD_CHECKSUM;
    }
    }
    return GDB_RX_NONE;
}

int gdb_parse_hex(const char *s, uint64_t *v, const char **end)
{
    uint64_t x = 0;
    int n = 0, d;
    while ((d = gdb_hex_digit(s[n])) >= 0) {
        if (n == 16)
            return -1;
        x = (x << 4) | (uint64_t)d;
        n++;
    }
    if (n == 0)
        return -1;
    *v = x;
    if (end)
        *end = s + n;
    return 0;
}

int gdb_hex_decode(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = gdb_hex_digit(s[2 * i]), lo = hi < 0 ? -1 : gdb_hex_digit(s[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = 0;
}

void gdb_hex_le(uint64_t v, unsigned bytes, char *out)
{
    uint8_t b[8];
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    gdb_hex_encode(b, bytes, out);
}

uint64_t gdb_unhex_le(const char *s, unsigned bytes)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;
    if (gdb_hex_decode(s, bytes, b) != 0)
        return 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* ---- threads (one per PE) ------------------------------------------------------------ */

int gdb_parse_thread(const char *s, long *tid, const char **end)
{
    uint64_t v;
    if (s[0] == '-' && s[1] == '1') {
        *tid = -1;
        if (end)
            *end = s + 2;
        return 0;
    }
    if (gdb_parse_hex(s, &v, end) != 0 || v > 0x7fffffff)
        return -1;
    *tid = (long)v;
    return 0;
}

/* vCont actions: ACTION[:THREAD] separated by ';'. c/C continue, s/S step
 * (C and S carry a signal, dropped). */
int gdb_parse_vcont(const char *a, long default_thread, struct gdb_resume *r)
{
    *r = (struct gdb_resume){ .step = false, .thread = -1 };
    bool stepping = false;
    for (;;) {
        char kind = *a++;
        if (kind != 'c' && kind != 'C' && kind != 's' && kind != 'S')
            return -1;
        if (kind == 'C' || kind == 'S') {
            uint64_t sig;
            if (gdb_parse_hex(a, &sig, &a) != 0)
                return -1;
        }
        long tid = -1;
        if (*a == ':' && gdb_parse_thread(a + 1, &tid, &a) != 0)
            return -1;
        if ((kind == 's' || kind == 'S') && !stepping) {
            stepping = true;
            *r = (struct gdb_resume){ .step = true, .thread = tid > 0 ? tid : default_thread };
        }
        if (*a == 0)
            return 0;
        if (*a++ != ';')
            return -1;
    }
}

size_t gdb_thread_list(unsigned n_threads, char *out, size_t cap)
{
    size_t o = 0;
    for (unsigned t = 1; t <= n_threads; t++) {
        int w = snprintf(out + o, cap - o, "%c%x", t == 1 ? 'm' : ',', t);
        if (w < 0 || (size_t)w >= cap - o)
            return 0;
        o += (size_t)w;
    }
    return o;
}

void gdb_pe_description(char *out, size_t cap, const struct gdb_pe_state *st)
{
    int n = snprintf(out, cap, "PE %u (MPIDR 0x%llx) ", st->index, (unsigned long long)st->mpidr);
    if (n < 0 || (size_t)n >= cap)
        return;
    if (!st->on)
        snprintf(out + n, cap - (size_t)n, "off");
    else
        snprintf(out + n, cap - (size_t)n, "EL%u%s", st->el, st->wfi ? ", WFI" : "");
}

/* ---- the stub ------------------------------------------------------------------------ */

enum action { ACT_REPLY, ACT_RESUME, ACT_DETACH, ACT_KILL };

struct gdbstub {
    int listen_fd, fd;
    unsigned port;
    struct machine *m;
    struct machine_debugger dbg;
    struct gdb_rx rx;
    bool no_ack;
    bool phys_mem;            /* m/M address physical RAM, not VAs (Qqemu.PhyMemMode, monitor phys) */
    bool lost;                /* the connection closed */
    unsigned g_pe;            /* the thread of register and memory accesses (Hg), a PE index */
    unsigned c_pe;            /* the thread `c` and `s` resume (Hc) */
    unsigned stop_pe;         /* the PE of the last stop */
    struct pe *step_pe;       /* ACT_RESUME: the PE that steps alone; NULL: every PE continues */
    char reply[GDB_PACKET_MAX + 1];
    size_t reply_len;
    char out[2 * GDB_PACKET_MAX + 8];
};

static void reply_str(struct gdbstub *g, const char *s)
{
    size_t n = strlen(s);
    if (n > GDB_PACKET_MAX)
        n = GDB_PACKET_MAX;
    memcpy(g->reply, s, n);
    g->reply_len = n;
}

static void reply_fmt(struct gdbstub *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_fmt(struct gdbstub *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(g->reply, sizeof g->reply, fmt, ap);
    va_end(ap);
    g->reply_len = n < 0 ? 0 : (size_t)n >= sizeof g->reply ? sizeof g->reply - 1 : (size_t)n;
}

static struct pe *g_pe(struct gdbstub *g) { return &g->m->pes[g->g_pe]; }

static uint64_t reg_value(struct gdbstub *g, unsigned n)
{
    struct pe *pe = g_pe(g);
    if (n < GDB_CORE_REGS)
        return pe_debug_get_reg(pe, n);
    const char *name = sys_regs[n - GDB_CORE_REGS];
    if (!strcmp(name, "CurrentEL"))
        return (uint64_t)pe_debug_el(pe) << 2;
    return pe_read_sysreg(pe, name);
}

static void stop_reply(struct gdbstub *g)
{
    char pc[17];
    struct pe *pe = &g->m->pes[g->stop_pe];
    gdb_hex_le(pe_debug_get_reg(pe, 32), 8, pc);
    reply_fmt(g, "T%02x20:%s;thread:%x;", pe->debug.interrupted ? 2 : 5, pc, g->stop_pe + 1);
}

typedef enum action (*cmd_fn)(struct gdbstub *g, const char *args);

static enum action cmd_supported(struct gdbstub *g, const char *a)
{
    reply_fmt(g, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+", GDB_PACKET_MAX);
    return ACT_REPLY;
}

static enum action cmd_no_ack(struct gdbstub *g, const char *a)
{
    reply_str(g, "OK");
    g->no_ack = true;     /* after this reply */
    return ACT_REPLY;
}

static enum action cmd_empty(struct gdbstub *g, const char *a) { g->reply_len = 0; return ACT_REPLY; }
static enum action cmd_attached(struct gdbstub *g, const char *a) { reply_str(g, "1"); return ACT_REPLY; }

/* Physical memory mode, as QEMU's stub has it: `maintenance packet Qqemu.PhyMemMode:1`. */
static enum action cmd_phys_mode_set(struct gdbstub *g, const char *a)
{
    if ((a[0] != '0' && a[0] != '1') || a[1]) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    g->phys_mem = a[0] == '1';
    reply_str(g, "OK");
    return ACT_REPLY;
}

static enum action cmd_phys_mode_get(struct gdbstub *g, const char *a)
{
    reply_str(g, g->phys_mem ? "1" : "0");
    return ACT_REPLY;
}

/* qRcmd (gdb's `monitor`): "phys on", "phys off", "phys", "help". The reply is
 * the hex-encoded text gdb prints. */
static enum action cmd_monitor(struct gdbstub *g, const char *a)
{
    uint8_t cmd[128];
    size_t n = strlen(a) / 2;
    const char *text;
    if (n >= sizeof cmd || gdb_hex_decode(a, n, cmd) != 0) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    cmd[n] = 0;
    if (!strcmp((char *)cmd, "phys on"))
        g->phys_mem = true;
    else if (!strcmp((char *)cmd, "phys off"))
        g->phys_mem = false;
    if (!strcmp((char *)cmd, "phys on") || !strcmp((char *)cmd, "phys off") || !strcmp((char *)cmd, "phys"))
        text = g->phys_mem ? "memory accesses use physical addresses (RAM only)\n"
                           : "memory accesses use virtual addresses of the current regime\n";
    else if (!strcmp((char *)cmd, "help"))
        text = "avsim monitor commands:\n  phys on|off  memory by physical address (RAM) or by VA\n"
               "  phys         show the mode\n";
    else
        text = "unknown monitor command (try: monitor help)\n";
    gdb_hex_encode((const uint8_t *)text, strlen(text), g->reply);
    g->reply_len = 2 * strlen(text);
    return ACT_REPLY;
}
/* ---- threads: every PE, on or off, is a live thread (as QEMU lists every vCPU) ---- */

/* The PE of a thread id, or NULL (0 and -1, "any" and "all", are not one PE). */
static struct pe *thread_pe(struct gdbstub *g, long tid)
{
    return tid >= 1 && (unsigned long)tid <= g->m->n_pes ? &g->m->pes[tid - 1] : NULL;
}

static enum action cmd_qc(struct gdbstub *g, const char *a)
{
    reply_fmt(g, "QC%x", g->g_pe + 1);
    return ACT_REPLY;
}

static enum action cmd_thread_first(struct gdbstub *g, const char *a)
{
    g->reply_len = gdb_thread_list(g->m->n_pes, g->reply, sizeof g->reply);
    return ACT_REPLY;
}

static enum action cmd_thread_next(struct gdbstub *g, const char *a) { reply_str(g, "l"); return ACT_REPLY; }

/* qThreadExtraInfo,ID: what `info threads` shows in parentheses, hex-encoded. */
static enum action cmd_thread_extra(struct gdbstub *g, const char *a)
{
    long tid;
    struct pe *pe = gdb_parse_thread(a, &tid, NULL) == 0 ? thread_pe(g, tid) : NULL;
    if (!pe) {
        reply_str(g, "E22");
        return ACT_REPLY;
    }
    struct gdb_pe_state st = { .index = pe->index, .mpidr = pe->mpidr, .el = pe_debug_el(pe),
                               .on = g->m->power[pe->index] == PE_POWER_ON, .wfi = g->m->in_wfi[pe->index] };
    char text[80];
    gdb_pe_description(text, sizeof text, &st);
    gdb_hex_encode((const uint8_t *)text, strlen(text), g->reply);
    g->reply_len = 2 * strlen(text);
    return ACT_REPLY;
}

/* T ID: is the thread alive? Every PE is. */
static enum action cmd_thread_alive(struct gdbstub *g, const char *a)
{
    long tid;
    reply_str(g, gdb_parse_thread(a, &tid, NULL) == 0 && thread_pe(g, tid) ? "OK" : "E22");
    return ACT_REPLY;
}

/* Hg ID / Hc ID: the thread of the next register and memory accesses, or the
 * one `c` and `s` resume. 0 (any) and -1 (all) keep the PE that stopped last. */
static enum action cmd_set_thread(struct gdbstub *g, const char *a)
{
    long tid;
    if ((a[0] != 'g' && a[0] != 'c') || gdb_parse_thread(a + 1, &tid, NULL) != 0 ||
        (tid > 0 && !thread_pe(g, tid))) {
        reply_str(g, "E22");
        return ACT_REPLY;
    }
    unsigned pe = tid > 0 ? (unsigned)tid - 1 : g->stop_pe;
    if (a[0] == 'g')
        g->g_pe = pe;
    else
        g->c_pe = pe;
    reply_str(g, "OK");
    return ACT_REPLY;
}
static enum action cmd_why(struct gdbstub *g, const char *a) { stop_reply(g); return ACT_REPLY; }
static enum action cmd_vcont_query(struct gdbstub *g, const char *a)
{
    reply_str(g, "vCont;c;C;s;S");
    return ACT_REPLY;
}

static enum action cmd_xfer_features(struct gdbstub *g, const char *a)
{
    /* target.xml:OFFSET,LENGTH */
    const char *xml = gdb_target_xml(), *p;
    uint64_t off, len;
    if (strncmp(a, "target.xml:", 11) != 0 || gdb_parse_hex(a + 11, &off, &p) != 0 || *p != ',' ||
        gdb_parse_hex(p + 1, &len, NULL) != 0) {
        reply_str(g, "E00");
        return ACT_REPLY;
    }
    size_t total = strlen(xml);
    if (off > total)
        off = total;
    if (len > GDB_PACKET_MAX - 1)
        len = GDB_PACKET_MAX - 1;
    size_t n = total - off < len ? total - off : len;
    g->reply[0] = off + n < total ? 'm' : 'l';
    memcpy(g->reply + 1, xml + off, n);
    g->reply_len = n + 1;
    return ACT_REPLY;
}

static enum action cmd_read_regs(struct gdbstub *g, const char *a)
{
    size_t o = 0;
    for (unsigned n = 0; n < GDB_CORE_REGS; n++) {
        unsigned bytes = n == 33 ? 4 : 8;
        gdb_hex_le(reg_value(g, n), bytes, g->reply + o);
        o += 2 * bytes;
    }
    g->reply_len = o;
    return ACT_REPLY;
}

static enum action cmd_write_regs(struct gdbstub *g, const char *a)
{
    size_t o = 0, len = strlen(a);
    for (unsigned n = 0; n < GDB_CORE_REGS && o + 2 * (n == 33 ? 4 : 8) <= len; n++) {
        unsigned bytes = n == 33 ? 4 : 8;
        pe_debug_set_reg(g_pe(g), n, gdb_unhex_le(a + o, bytes));
        o += 2 * bytes;
    }
    reply_str(g, "OK");
    return ACT_REPLY;
}

static enum action cmd_read_reg(struct gdbstub *g, const char *a)
{
    uint64_t n;
    if (gdb_parse_hex(a, &n, NULL) != 0 || n >= gdb_num_regs()) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    gdb_hex_le(reg_value(g, (unsigned)n), n == 33 ? 4 : 8, g->reply);
    g->reply_len = n == 33 ? 8 : 16;
    return ACT_REPLY;
}

static enum action cmd_write_reg(struct gdbstub *g, const char *a)
{
    uint64_t n;
    const char *p;
    if (gdb_parse_hex(a, &n, &p) != 0 || *p != '=' || n >= GDB_CORE_REGS) {
        reply_str(g, "E01");           /* the system registers are read-only */
        return ACT_REPLY;
    }
    pe_debug_set_reg(g_pe(g), (unsigned)n, gdb_unhex_le(p + 1, n == 33 ? 4 : 8));
    reply_str(g, "OK");
    return ACT_REPLY;
}

/* "ADDR,LEN" */
static int parse_addr_len(const char *a, uint64_t *addr, uint64_t *len, const char **end)
{
    const char *p;
    if (gdb_parse_hex(a, addr, &p) != 0 || *p != ',' || gdb_parse_hex(p + 1, len, end) != 0)
        return -1;
    return 0;
}

static enum action cmd_read_mem(struct gdbstub *g, const char *a)
{
    uint64_t addr, len;
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (parse_addr_len(a, &addr, &len, NULL) != 0 || len > sizeof buf) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    if ((g->phys_mem ? pe_read_ram(g_pe(g), addr, buf, len) : pe_read_va(g_pe(g), addr, buf, len)) != 0) {
        reply_str(g, "E14");           /* EFAULT */
        return ACT_REPLY;
    }
    gdb_hex_encode(buf, len, g->reply);
    g->reply_len = 2 * len;
    return ACT_REPLY;
}

static enum action cmd_write_mem(struct gdbstub *g, const char *a)
{
    uint64_t addr, len;
    const char *p;
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (parse_addr_len(a, &addr, &len, &p) != 0 || *p != ':' || len > sizeof buf ||
        strlen(p + 1) < 2 * len || gdb_hex_decode(p + 1, len, buf) != 0) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    if (g->phys_mem) {
        if (pe_write_ram(g_pe(g), addr, buf, len) != 0) {
            reply_str(g, "E14");
            return ACT_REPLY;
        }
    } else {
        if (pe_write_va(g_pe(g), addr, buf, len) != 0) {
            reply_str(g, "E14");
            return ACT_REPLY;
        }
        pe_code_changed(g_pe(g), addr, len);
    }
    reply_str(g, "OK");
    return ACT_REPLY;
}

/* Z0/Z1/z0/z1: "ADDR,KIND"; both kinds are address breakpoints checked by
 * avsim, on every PE (a VA of each PE's own regime). */
static enum action breakpoint(struct gdbstub *g, const char *a, bool insert)
{
    uint64_t addr, kind;
    if (parse_addr_len(a, &addr, &kind, NULL) != 0) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    for (unsigned i = 0; i < g->m->n_pes; i++) {
        if (!insert)
            pe_debug_remove_breakpoint(&g->m->pes[i], addr);
        else if (pe_debug_add_breakpoint(&g->m->pes[i], addr) != 0) {
            while (i--)
                pe_debug_remove_breakpoint(&g->m->pes[i], addr);
            reply_str(g, "E02");
            return ACT_REPLY;
        }
    }
    reply_str(g, "OK");
    return ACT_REPLY;
}
static enum action cmd_insert_bp(struct gdbstub *g, const char *a) { return breakpoint(g, a, true); }
static enum action cmd_remove_bp(struct gdbstub *g, const char *a) { return breakpoint(g, a, false); }

/* c/s/C/S resume the Hc thread: a step moves that PE alone, a continue every
 * PE (the machine does it: struct machine_debug_request). */
static enum action resume(struct gdbstub *g, bool step, const char *addr)
{
    uint64_t pc;
    struct pe *pe = &g->m->pes[g->c_pe];
    if (addr && gdb_parse_hex(addr, &pc, NULL) == 0)
        pe_debug_set_reg(pe, 32, pc);
    g->step_pe = step ? pe : NULL;
    return ACT_RESUME;
}
static enum action cmd_continue(struct gdbstub *g, const char *a) { return resume(g, false, a); }
static enum action cmd_step(struct gdbstub *g, const char *a) { return resume(g, true, a); }
/* C sig[;addr] / S sig[;addr]: the signal is dropped. */
static enum action cmd_continue_sig(struct gdbstub *g, const char *a)
{
    const char *semi = strchr(a, ';');
    return resume(g, false, semi ? semi + 1 : NULL);
}
static enum action cmd_step_sig(struct gdbstub *g, const char *a)
{
    const char *semi = strchr(a, ';');
    return resume(g, true, semi ? semi + 1 : NULL);
}

/* vCont;ACTION[:thread][;ACTION...]: a step of one thread moves that PE alone
 * (whatever the others' actions say: `vCont;s:2;c` steps PE 1 only); without
 * a step every PE continues, also for `vCont;c:2`. */
static enum action cmd_vcont(struct gdbstub *g, const char *a)
{
    struct gdb_resume r;
    if (gdb_parse_vcont(a, (long)g->c_pe + 1, &r) != 0 || (r.step && !thread_pe(g, r.thread))) {
        reply_str(g, "E01");
        return ACT_REPLY;
    }
    g->step_pe = r.step ? thread_pe(g, r.thread) : NULL;
    return ACT_RESUME;
}

static enum action cmd_detach(struct gdbstub *g, const char *a) { reply_str(g, "OK"); return ACT_DETACH; }
static enum action cmd_kill(struct gdbstub *g, const char *a) { return ACT_KILL; }

/* Longest prefixes first where one is a prefix of another. */
static const struct gdb_command {
    const char *prefix;
    cmd_fn fn;
    const char *name;
} commands[] = {
    { "qSupported", cmd_supported, "qSupported" },
    { "qXfer:features:read:", cmd_xfer_features, "qXfer:features:read" },
    { "qAttached", cmd_attached, "qAttached" },
    { "Qqemu.PhyMemMode:", cmd_phys_mode_set, "Qqemu.PhyMemMode" },
    { "qqemu.PhyMemMode", cmd_phys_mode_get, "qqemu.PhyMemMode" },
    { "qRcmd,", cmd_monitor, "qRcmd" },
    { "qC", cmd_qc, "qC" },
    { "qThreadExtraInfo,", cmd_thread_extra, "qThreadExtraInfo" },
    { "qfThreadInfo", cmd_thread_first, "qfThreadInfo" },
    { "qsThreadInfo", cmd_thread_next, "qsThreadInfo" },
    { "QStartNoAckMode", cmd_no_ack, "QStartNoAckMode" },
    { "vCont?", cmd_vcont_query, "vCont?" },
    { "vCont;", cmd_vcont, "vCont" },
    { "vKill", cmd_kill, "k" },
    { "?", cmd_why, "?" },
    { "g", cmd_read_regs, "g" },
    { "G", cmd_write_regs, "G" },
    { "p", cmd_read_reg, "p" },
    { "P", cmd_write_reg, "P" },
    { "m", cmd_read_mem, "m" },
    { "M", cmd_write_mem, "M" },
    { "Z0,", cmd_insert_bp, "Z0" },
    { "Z1,", cmd_insert_bp, "Z1" },
    { "z0,", cmd_remove_bp, "z0" },
    { "z1,", cmd_remove_bp, "z1" },
    { "c", cmd_continue, "c" },
    { "s", cmd_step, "s" },
    { "C", cmd_continue_sig, "C" },
    { "S", cmd_step_sig, "S" },
    { "H", cmd_set_thread, "H" },
    { "T", cmd_thread_alive, "T" },
    { "D", cmd_detach, "D" },
    { "k", cmd_kill, "k" },
    { "", cmd_empty, "" },     /* anything else: not supported */
};

static const struct gdb_command *find_command(const char *packet)
{
    for (size_t i = 0;; i++)
        if (strncmp(packet, commands[i].prefix, strlen(commands[i].prefix)) == 0)
            return &commands[i];
}

const char *gdb_command_name(const char *packet) { return find_command(packet)->name; }

/* One packet's command: its handler fills g->reply. */
static enum action run_command(struct gdbstub *g, const char *packet)
{
    g->reply_len = 0;
    const struct gdb_command *c = find_command(packet);
    return c->fn(g, packet + strlen(c->prefix));
}

bool gdbstub_command(struct gdbstub *g, const char *packet, const char **reply, size_t *reply_len)
{
    enum action act = run_command(g, packet);
    *reply = g->reply;
    *reply_len = g->reply_len;
    return act != ACT_REPLY;
}

/* ---- the connection ---------------------------------------------------------------- */

static int send_all(struct gdbstub *g, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(g->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            g->lost = true;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sends the reply and, in ack mode, waits for its '+'. */
static int send_packet(struct gdbstub *g, const char *payload, size_t len)
{
    size_t n = gdb_frame(payload, len, g->out, sizeof g->out);
    for (int tries = 0; tries < 5; tries++) {
        if (send_all(g, g->out, n) != 0)
            return -1;
        if (g->no_ack)
            return 0;
        uint8_t c;
        ssize_t r;
        do
            r = recv(g->fd, &c, 1, 0);
        while (r < 0 && errno == EINTR);
        if (r <= 0) {
            g->lost = true;
            return -1;
        }
        if (c != '-') {
            if (c != '+')
                gdb_rx_feed(&g->rx, c);   /* gdb started its next packet: take it as acknowledged */
            return 0;
        }
    }
    return -1;
}

/* Reads the next packet into g->rx.buf. -1 when the connection is gone. */
static int read_packet(struct gdbstub *g)
{
    for (;;) {
        uint8_t c;
        ssize_t r = recv(g->fd, &c, 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            g->lost = true;
            return -1;
        }
        enum gdb_rx_result res = gdb_rx_feed(&g->rx, c);
        if (res == GDB_RX_PACKET) {
            if (!g->no_ack && send_all(g, "+", 1) != 0)
                return -1;
            return 0;
        }
        if (res == GDB_RX_BAD_CHECKSUM && !g->no_ack && send_all(g, "-", 1) != 0)
            return -1;
    }
}

/* The PE polls this while running: a 0x03 from gdb asks for a stop. */
static bool poll_interrupt(void *opaque)
{
    struct gdbstub *g = opaque;
    struct pollfd p = { .fd = g->fd, .events = POLLIN };
    while (poll(&p, 1, 0) > 0) {
        uint8_t c;
        ssize_t r = recv(g->fd, &c, 1, 0);
        if (r <= 0) {
            g->lost = true;
            return true;
        }
        if (gdb_rx_feed(&g->rx, c) == GDB_RX_INTERRUPT)
            return true;
    }
    return false;
}

/* Serves packets until gdb resumes, detaches or kills. */
static struct machine_debug_request serve(struct gdbstub *g, bool send_stop)
{
    if (send_stop) {
        stop_reply(g);
        if (send_packet(g, g->reply, g->reply_len) != 0)
            return (struct machine_debug_request){ MACHINE_DEBUG_DETACH, NULL };
    }
    for (;;) {
        if (read_packet(g) != 0)
            break;
        bool was_no_ack = g->no_ack;
        enum action act = run_command(g, g->rx.buf);
        if (act == ACT_KILL)
            return (struct machine_debug_request){ MACHINE_DEBUG_KILL, NULL };
        if (act == ACT_RESUME)
            return (struct machine_debug_request){ MACHINE_DEBUG_RESUME, g->step_pe };
        bool saved = g->no_ack;
        g->no_ack = was_no_ack;       /* QStartNoAckMode's own reply is acknowledged */
        int sent = send_packet(g, g->reply, g->reply_len);
        g->no_ack = saved;
        if (sent != 0 || act == ACT_DETACH)
            break;
    }
    close(g->fd);
    g->fd = -1;
    fprintf(stderr, "avsim: gdb detached; the run goes on\n");
    return (struct machine_debug_request){ MACHINE_DEBUG_DETACH, NULL };
}

static struct machine_debug_request stub_stopped(void *opaque, struct machine *m, struct pe *pe)
{
    struct gdbstub *g = opaque;
    /* As QEMU does, the PE that stopped becomes the thread of both Hg and Hc. */
    g->stop_pe = g->g_pe = g->c_pe = pe->index;
    if (g->fd < 0) {
        /* Before the first instruction: wait for gdb. */
        fprintf(stderr, "avsim: waiting for gdb on 127.0.0.1:%u\n", g->port);
        do
            g->fd = accept(g->listen_fd, NULL, NULL);
        while (g->fd < 0 && errno == EINTR);
        close(g->listen_fd);
        g->listen_fd = -1;
        if (g->fd < 0) {
            fprintf(stderr, "avsim: accepting the gdb connection failed: %s\n", strerror(errno));
            return (struct machine_debug_request){ MACHINE_DEBUG_DETACH, NULL };
        }
        int one = 1;
        setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return serve(g, false);
    }
    if (g->lost)
        return serve(g, false);     /* closes and detaches */
    return serve(g, true);
}

static void stub_exited(void *opaque, struct machine *m, int status)
{
    struct gdbstub *g = opaque;
    if (g->fd < 0)
        return;
    char w[8];
    snprintf(w, sizeof w, "W%02x", status & 0xff);
    send_packet(g, w, strlen(w));
    close(g->fd);
    g->fd = -1;
}

struct gdbstub *gdbstub_create(unsigned port, char *err, size_t errlen)
{
    struct gdbstub *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->fd = -1;
    g->port = port;
    g->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (g->listen_fd < 0 || setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(g->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(g->listen_fd, 1) != 0) {
        snprintf(err, errlen, "--gdb=%u: cannot listen on 127.0.0.1:%u: %s", port, port, strerror(errno));
        gdbstub_destroy(g);
        return NULL;
    }
    gdb_rx_init(&g->rx);
    return g;
}

int gdbstub_attach(struct gdbstub *g, struct machine *m, char *err, size_t errlen)
{
    g->m = m;
    g->dbg = (struct machine_debugger){ .stopped = stub_stopped, .exited = stub_exited, .opaque = g };
    for (unsigned i = 0; i < m->n_pes; i++)
        if (pe_debug_attach(&m->pes[i], poll_interrupt, g) != 0) {
            snprintf(err, errlen, "cannot install the debugger's code hook");
            return -1;
        }
    m->debugger = &g->dbg;
    return 0;
}

void gdbstub_destroy(struct gdbstub *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    free(g);
}
