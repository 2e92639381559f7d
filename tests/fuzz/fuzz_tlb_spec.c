/* libFuzzer target: the TLB specification parsers, `avsim run --tlb=SPEC`
 * (mmu/tlb.c tlb_config_parse) and `avsim tlbsim --config=SPEC`
 * (traces/tlbsim.c tlbsim_options_parse), and their round trip: what a parse
 * accepts formats to a SPEC that parses back to the same configuration. Also
 * `--trace-events` (traces/trace.c trace_parse_classes). */
#include "fuzz_common.h"
#include "mmu/tlb.h"
#include "traces/tlbsim.h"
#include "traces/trace.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    memcpy(spec, data, size);
    spec[size] = '\0';
    char err[512], fmt[512], fmt2[512];

    struct tlb_config c = tlb_config_cortex_a57;
    if (tlb_config_parse(&c, spec, err, sizeof err) == 0) {
        tlb_config_format(&c, fmt, sizeof fmt);
        struct tlb_config c2 = tlb_config_cortex_a57;
        if (tlb_config_parse(&c2, fmt, err, sizeof err) != 0) {
            fprintf(stderr, "'%s' parsed, but its format '%s' does not: %s\n", spec, fmt, err);
            abort();
        }
        tlb_config_format(&c2, fmt2, sizeof fmt2);
        if (strcmp(fmt, fmt2) != 0) {
            fprintf(stderr, "round trip of '%s': '%s' then '%s'\n", spec, fmt, fmt2);
            abort();
        }
    }

    struct tlbsim_options o;
    tlbsim_options_init(&o);
    if (tlbsim_options_parse(&o, spec, err, sizeof err) == 0) {
        tlbsim_options_format(&o, fmt, sizeof fmt);
        struct tlbsim_options o2;
        tlbsim_options_init(&o2);
        if (tlbsim_options_parse(&o2, fmt, err, sizeof err) != 0) {
            fprintf(stderr, "tlbsim: '%s' parsed, but its format '%s' does not: %s\n", spec, fmt, err);
            abort();
        }
        tlbsim_options_format(&o2, fmt2, sizeof fmt2);
        if (strcmp(fmt, fmt2) != 0) {
            fprintf(stderr, "tlbsim round trip of '%s': '%s' then '%s'\n", spec, fmt, fmt2);
            abort();
        }
    }

    uint32_t mask;
    (void)trace_parse_classes(spec, &mask, err, sizeof err);
    free(spec);
    return 0;
}
