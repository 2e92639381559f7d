/* libFuzzer target: the trace reader (traces/trace.c trace_reader_open,
 * trace_read) and the tools' filter over every record read. The first byte
 * chooses: bit 0 clear, the rest is the file as it is; set, the harness writes
 * a valid header (version 1 + byte 2 % 3, every class of that version, its
 * CRC) and zlib-compresses the rest as the record stream, so mutations reach
 * the record decoder rather than dying in inflate or the header CRC. */
#include "fuzz_common.h"
#include "traces/trace.h"
#include <string.h>
#include <zlib.h>

static struct fuzz_file file;
static unsigned matched;        /* keeps the filter's answers live */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t *buf = NULL;
    const char *path;
    if (data[0] & 1) {
        /* The header layout of traces/FORMAT.md: magic, version, header length,
         * class mask, description length, CRC-32 (of the header with this
         * field 0), reserved, description. */
        static const char desc[] = "{}";
        unsigned version = 1 + data[1] % 3, hdr_len = 32 + 2;
        uLong zcap = compressBound((uLong)(size - 2));
        buf = malloc(hdr_len + zcap);
        memcpy(buf, TRACE_MAGIC, 8);
        put32(buf + 8, version);
        put32(buf + 12, hdr_len);
        put32(buf + 16, version >= 3 ? TRACE_ALL_CLASSES : TRACE_V2_CLASSES);
        put32(buf + 20, 2);
        put32(buf + 24, 0);
        put32(buf + 28, 0);
        memcpy(buf + 32, desc, 2);
        put32(buf + 24, (uint32_t)crc32(0, buf, hdr_len));
        uLongf zlen = zcap;
        if (compress2(buf + hdr_len, &zlen, data + 2, (uLong)(size - 2), 1) != Z_OK)
            abort();
        path = fuzz_file_set(&file, buf, hdr_len + zlen);
    } else {
        path = fuzz_file_set(&file, data + 1, size - 1);
    }
    char err[512];
    struct trace_reader *r = trace_reader_open(path, err, sizeof err);
    if (r) {
        struct trace_filter f;
        trace_filter_init(&f);
        f.el = 1;
        f.vmid = 1;
        struct trace_record rec;
        (void)trace_reader_machine(r);
        while (trace_read(r, &rec, err, sizeof err) == 1) {
            matched += trace_filter_match(&f, &rec);
            (void)trace_type_name(rec.type);
        }
        trace_reader_close(r);
    }
    free(buf);
    return 0;
}
