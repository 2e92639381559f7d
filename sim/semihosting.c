/* Operation numbers and parameter blocks as in Arm's "Semihosting for AArch32
 * and AArch64" specification. File access other than the ":tt" console is
 * not provided: SYS_OPEN of a file fails with ENOENT, as a host without files. */
#include "sim/semihosting.h"
#include "sim/machine.h"
#include <errno.h>
#include <string.h>
#include <time.h>

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
    SYS_READ = 0x06, SYS_READC = 0x07, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a,
    SYS_FLEN = 0x0c, SYS_TMPNAM = 0x0d, SYS_REMOVE = 0x0e, SYS_RENAME = 0x0f, SYS_CLOCK = 0x10,
    SYS_TIME = 0x11, SYS_SYSTEM = 0x12, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15,
    SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20, SYS_ELAPSED = 0x30,
    SYS_TICKFREQ = 0x31,
};
#define ADP_Stopped_ApplicationExit 0x20026
/* Console handles returned for ":tt" (stdin, stdout, stderr). */
enum { HANDLE_STDIN = 1, HANDLE_STDOUT = 2, HANDLE_STDERR = 3 };

/* Parameter blocks and buffers are guest virtual addresses. */
static int read_words(struct pe *pe, uint64_t addr, uint64_t *w, int n)
{
    return pe_read_va(pe, addr, w, (size_t)n * 8);
}

static FILE *handle_file(uint64_t h)
{
    return h == HANDLE_STDOUT ? stdout : h == HANDLE_STDERR ? stderr : NULL;
}

void semihosting_call(struct machine *m, struct pe *pe)
{
    uint64_t op = pe_get_x(pe, 0) & 0xffffffffULL, arg = pe_get_x(pe, 1);
    int64_t ret = -1;
    uint64_t a[4] = { 0 };
    switch (op) {
    case SYS_WRITEC: {
        unsigned char c;
        if (pe_read_va(pe, arg, &c, 1) == 0) {
            fputc(c, stdout);
            fflush(stdout);
        }
        ret = 0;
        break;
    }
    case SYS_WRITE0: {
        char buf[256];
        for (uint64_t p = arg;; p += sizeof buf) {
            if (pe_read_va(pe, p, buf, 1) != 0)
                break;
            size_t n = 0;
            while (n < sizeof buf && pe_read_va(pe, p + n, &buf[n], 1) == 0 && buf[n])
                n++;
            fwrite(buf, 1, n, stdout);
            if (n < sizeof buf)
                break;
        }
        fflush(stdout);
        ret = 0;
        break;
    }
    case SYS_OPEN: {
        char name[8] = { 0 };
        if (read_words(pe, arg, a, 3) == 0 && a[2] < sizeof name &&
            pe_read_va(pe, a[0], name, (size_t)a[2]) == 0 && strcmp(name, ":tt") == 0) {
            ret = a[1] < 4 ? HANDLE_STDIN : a[1] < 8 ? HANDLE_STDOUT : HANDLE_STDERR;
        } else {
            m->semihosting_errno = ENOENT;
            ret = -1;
        }
        break;
    }
    case SYS_CLOSE: ret = 0; break;
    case SYS_ISTTY:
        ret = read_words(pe, arg, a, 1) == 0 && a[0] >= HANDLE_STDIN && a[0] <= HANDLE_STDERR;
        break;
    case SYS_WRITE: {
        if (read_words(pe, arg, a, 3) != 0) { ret = -1; break; }
        FILE *f = handle_file(a[0]);
        if (!f) { m->semihosting_errno = EBADF; ret = (int64_t)a[2]; break; }
        uint64_t left = a[2];
        char buf[4096];
        for (uint64_t p = a[1]; left;) {
            size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
            if (pe_read_va(pe, p, buf, n) != 0)
                break;
            fwrite(buf, 1, n, f);
            p += n;
            left -= n;
        }
        fflush(f);
        ret = (int64_t)left;       /* bytes not written */
        break;
    }
    case SYS_READ: {
        if (read_words(pe, arg, a, 3) != 0) { ret = -1; break; }
        if (a[0] != HANDLE_STDIN) { m->semihosting_errno = EBADF; ret = (int64_t)a[2]; break; }
        char buf[4096];
        size_t want = a[2] < sizeof buf ? (size_t)a[2] : sizeof buf;
        size_t got = fread(buf, 1, want, stdin);
        pe_write_va(pe, a[1], buf, got);
        ret = (int64_t)(a[2] - got);
        break;
    }
    case SYS_READC: { int c = fgetc(stdin); ret = c == EOF ? -1 : c; break; }
    case SYS_ISERROR: ret = read_words(pe, arg, a, 1) == 0 && (int64_t)a[0] < 0; break;
    case SYS_ERRNO: ret = m->semihosting_errno; break;
    case SYS_CLOCK:
        /* Centiseconds of simulated time since the start. */
        ret = (int64_t)(pe->cycles / (pe->model->clock_hz / 100));
        break;
    case SYS_ELAPSED: {
        uint64_t ticks = pe->cycles;
        pe_write_va(pe, arg, &ticks, 8);
        ret = 0;
        break;
    }
    case SYS_TICKFREQ: ret = (int64_t)pe->model->clock_hz; break;
    case SYS_TIME: ret = (int64_t)time(NULL); break;
    case SYS_GET_CMDLINE:
        if (read_words(pe, arg, a, 2) == 0 && a[1] >= 1) {
            char z = 0;
            pe_write_va(pe, a[0], &z, 1);
            a[1] = 0;
            pe_write_va(pe, arg + 8, &a[1], 8);
            ret = 0;
        }
        break;
    case SYS_HEAPINFO: {
        /* Heap in the upper half of RAM, stack at its top. */
        uint64_t base = VIRT_RAM_BASE + m->cfg.ram_size / 2, top = VIRT_RAM_BASE + m->cfg.ram_size;
        uint64_t block[4] = { base, top, top, base };
        if (read_words(pe, arg, a, 1) == 0)
            pe_write_va(pe, a[0], block, sizeof block);
        ret = 0;
        break;
    }
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
        /* AArch64: the parameter block is {reason, subcode}. Only an application
         * exit carries a status; any other reason is a failure (status 1). */
        int code = 1;
        if (read_words(pe, arg, a, 2) == 0 && a[0] == ADP_Stopped_ApplicationExit)
            code = (int)(a[1] & 0xff);
        machine_request_exit(m, code);
        return;
    }
    case SYS_SEEK: case SYS_FLEN: case SYS_TMPNAM: case SYS_REMOVE: case SYS_RENAME: case SYS_SYSTEM:
        m->semihosting_errno = ENOSYS;
        ret = -1;
        break;
    default:
        fprintf(stderr, "avsim: semihosting operation 0x%llx is not supported; returning -1\n",
                (unsigned long long)op);
        ret = -1;
        break;
    }
    pe_set_x(pe, 0, (uint64_t)ret);
}
