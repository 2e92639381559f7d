#include "cpu/syndrome.h"

const char *esr_ec_name(unsigned ec)
{
    switch (ec) {
    case EC_UNKNOWN: return "UNKNOWN";
    case EC_WFX: return "WFx";
    case EC_FP_ACCESS: return "FP_ACCESS";
    case EC_ILLEGAL_STATE: return "ILLEGAL_STATE";
    case EC_SVC64: return "SVC64";
    case EC_HVC64: return "HVC64";
    case EC_SMC64: return "SMC64";
    case EC_SYSREG: return "SYSREG";
    case EC_IABORT_LOWER: return "IABORT_LOWER";
    case EC_IABORT_SAME: return "IABORT_SAME";
    case EC_PC_ALIGN: return "PC_ALIGN";
    case EC_DABORT_LOWER: return "DABORT_LOWER";
    case EC_DABORT_SAME: return "DABORT_SAME";
    case EC_SP_ALIGN: return "SP_ALIGN";
    case EC_SERROR: return "SERROR";
    case EC_BRK64: return "BRK64";
    case EC_PSEUDO_IRQ: return "IRQ";
    case EC_PSEUDO_FIQ: return "FIQ";
    case EC_PSEUDO_VIRQ: return "VIRQ";
    case EC_PSEUDO_VFIQ: return "VFIQ";
    default: return "EC_OTHER";
    }
}

uint32_t iss_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                    unsigned rt, bool is_read)
{
    return ((op0 & 3u) << 20) | ((op2 & 7u) << 17) | ((op1 & 7u) << 14) | ((crn & 15u) << 10) |
           ((rt & 31u) << 5) | ((crm & 15u) << 1) | (is_read ? 1u : 0u);
}

uint32_t iss_wfx(bool is_wfe)
{
    return (1u << 24) | (0xeu << 20) | (is_wfe ? 1u : 0u);
}

uint32_t iss_data_abort(const struct data_iss *is, bool ea, bool cm, bool s1ptw, bool wnr,
                        unsigned dfsc)
{
    uint32_t iss = (ea ? 1u << 9 : 0) | (cm ? 1u << 8 : 0) | (s1ptw ? 1u << 7 : 0) |
                   (wnr ? 1u << 6 : 0) | (dfsc & 0x3f);
    if (is && is->isv)
        iss |= (1u << 24) | ((is->sas & 3u) << 22) | (is->sse ? 1u << 21 : 0) |
               ((is->srt & 31u) << 16) | (is->sf ? 1u << 15 : 0) | (is->ar ? 1u << 14 : 0);
    return iss;
}

uint32_t iss_instruction_abort(bool ea, bool s1ptw, unsigned ifsc)
{
    return (ea ? 1u << 9 : 0) | (s1ptw ? 1u << 7 : 0) | (ifsc & 0x3f);
}

uint32_t iss_fp_access(void)
{
    return (1u << 24) | (0xeu << 20);
}
