/* The viewer's ESR in words: one short line per exception class the viewer
 * knows (HVC/SMC/SVC immediates, the trapped system register and direction,
 * data and instruction abort status, WFI/WFE). Pure; no SDL. */
#ifndef AVSIM_FRONTEND_VIEW_ESR_H
#define AVSIM_FRONTEND_VIEW_ESR_H
#include <stddef.h>
#include <stdint.h>

/* Writes the words for (ec, esr) into buf; returns 0 when the class has no
 * decoder (buf then empty). */
int view_esr_words(unsigned ec, uint64_t esr, char *buf, size_t len);

#endif
