/* ESR in words, one decoder per exception class (a table keyed by EC). Field
 * positions as in the Arm ARM's ISS encodings (ESR_ELx). */
#include "frontend/view_esr.h"
#include "cpu/syndrome.h"
#include "cpu/sysreg.h"
#include <stdio.h>

#define ISS_DA_ISV (1u << 24)
#define ISS_DA_SAS(iss) (((iss) >> 22) & 3)
#define ISS_DA_SRT(iss) (((iss) >> 16) & 31)
#define ISS_S1PTW (1u << 7)
#define ISS_DA_WNR (1u << 6)
#define ISS_FSC(iss) ((iss) & 0x3f)

#define ISS_SR_OP0(iss) (((iss) >> 20) & 3)
#define ISS_SR_OP2(iss) (((iss) >> 17) & 7)
#define ISS_SR_OP1(iss) (((iss) >> 14) & 7)
#define ISS_SR_CRN(iss) (((iss) >> 10) & 15)
#define ISS_SR_RT(iss) (((iss) >> 5) & 31)
#define ISS_SR_CRM(iss) (((iss) >> 1) & 15)
#define ISS_SR_READ 1u

/* Fault status codes 0b0000ll to 0b0011ll carry a level in their low two bits. */
static const char *const fsc_levelled[4] = { "address size", "translation", "access flag", "permission" };

static void fsc_words(unsigned fsc, char *buf, size_t len)
{
    if (fsc < 0x10)
        snprintf(buf, len, "%s fault L%u", fsc_levelled[fsc >> 2], fsc & 3);
    else if (fsc == FSC_SEA)
        snprintf(buf, len, "external abort");
    else if (fsc == FSC_ALIGNMENT)
        snprintf(buf, len, "alignment fault");
    else
        snprintf(buf, len, "FSC 0x%02x", fsc);
}

static void imm16_words(uint32_t iss, char *buf, size_t len)
{
    snprintf(buf, len, "imm16 #0x%x", iss & 0xffff);
}

static void sysreg_words(uint32_t iss, char *buf, size_t len)
{
    unsigned op0 = ISS_SR_OP0(iss), op1 = ISS_SR_OP1(iss), crn = ISS_SR_CRN(iss), crm = ISS_SR_CRM(iss),
             op2 = ISS_SR_OP2(iss), rt = ISS_SR_RT(iss);
    const struct sysreg_def *d = sysreg_lookup(op0, op1, crn, crm, op2);
    char name[40];
    if (d)
        snprintf(name, sizeof name, "%s", d->name);
    else
        snprintf(name, sizeof name, "S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
    if (iss & ISS_SR_READ)
        snprintf(buf, len, "MRS X%u, %s", rt, name);
    else
        snprintf(buf, len, "MSR %s, X%u", name, rt);
}

static void data_abort_words(uint32_t iss, char *buf, size_t len)
{
    char fsc[32];
    fsc_words(ISS_FSC(iss), fsc, sizeof fsc);
    const char *dir = iss & ISS_DA_WNR ? "write" : "read";
    const char *walk = iss & ISS_S1PTW ? " on S1 walk" : "";
    if (iss & ISS_DA_ISV)
        snprintf(buf, len, "%s %uB X%u, %s%s", dir, 1u << ISS_DA_SAS(iss), ISS_DA_SRT(iss), fsc, walk);
    else
        snprintf(buf, len, "%s, %s%s", dir, fsc, walk);
}

static void insn_abort_words(uint32_t iss, char *buf, size_t len)
{
    char fsc[32];
    fsc_words(ISS_FSC(iss), fsc, sizeof fsc);
    snprintf(buf, len, "fetch, %s%s", fsc, iss & ISS_S1PTW ? " on S1 walk" : "");
}

static void wfx_words(uint32_t iss, char *buf, size_t len)
{
    snprintf(buf, len, "%s", iss & 1 ? "WFE" : "WFI");
}

static const struct {
    unsigned ec;
    void (*words)(uint32_t iss, char *buf, size_t len);
} decoders[] = {
    { EC_HVC64, imm16_words },          { EC_SMC64, imm16_words },         { EC_SVC64, imm16_words },
    { EC_SYSREG, sysreg_words },        { EC_DABORT_LOWER, data_abort_words },
    { EC_DABORT_SAME, data_abort_words }, { EC_IABORT_LOWER, insn_abort_words },
    { EC_IABORT_SAME, insn_abort_words }, { EC_WFX, wfx_words },
};

int view_esr_words(unsigned ec, uint64_t esr, char *buf, size_t len)
{
    if (len)
        buf[0] = 0;
    for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; i++)
        if (decoders[i].ec == ec) {
            decoders[i].words(esr_iss(esr), buf, len);
            return 1;
        }
    return 0;
}
