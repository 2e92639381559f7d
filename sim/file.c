/* Bounded whole-file reads (sim/file.h). */
#include "sim/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *file_size_text(uint64_t bytes, char *buf, size_t len)
{
    if (bytes && bytes % GIB_BYTES == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes / GIB_BYTES));
    else if (bytes && bytes % MIB_BYTES == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes / MIB_BYTES));
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
    return buf;
}

int file_read_all(const char *path, uint64_t limit, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    char lim[32];
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        fclose(f);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: a directory, not a file", path);
        fclose(f);
        return -1;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > limit) {
        snprintf(err, errlen, "%s: too big (%llu bytes; the limit is %s)", path, (unsigned long long)st.st_size,
                 file_size_text(limit, lim, sizeof lim));
        fclose(f);
        return -1;
    }
    /* Regular files start at their size; streams grow by doubling up to limit + 1 bytes
     * (one byte past the limit tells a stream that exceeds it from one that ends there). */
    uint64_t want = limit + 1;
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 1 << 16;
    if (cap > want)
        cap = (size_t)want;
    size_t len = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap || len == want)
            break;                            /* the end (or an error), or past the limit */
        size_t bigger_cap = cap > want / 2 ? (size_t)want : cap * 2;
        uint8_t *bigger = realloc(buf, bigger_cap);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap = bigger_cap;
    }
    int bad = ferror(f), saved = errno;
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory reading it", path);
        return -1;
    }
    if (bad) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(saved));
        free(buf);
        return -1;
    }
    if (len > limit) {
        snprintf(err, errlen, "%s: too big (more than the limit of %s)", path, file_size_text(limit, lim, sizeof lim));
        free(buf);
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}
