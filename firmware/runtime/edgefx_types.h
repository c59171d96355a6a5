/*
 * edgefx_types.h - common definitions of the edgefx inference runtime.
 *
 * Portable C99. Every translation unit of the runtime and of generated models must be
 * compiled with -ffp-contract=off: a fused multiply-add rounds once where a multiply then
 * an add rounds twice, so contraction would make a board's output differ in the last bit
 * from the host build of the same source. The runtime also assumes IEEE-754 binary32 with
 * round-to-nearest and no flush-to-zero (FPSCR.FZ = 0 on Cortex-M, the default MXCSR on
 * x86-64, FPCR.FZ = 0 on AArch64).
 */
#ifndef EDGEFX_TYPES_H
#define EDGEFX_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define EDGEFX_RESTRICT __restrict
#else
#define EDGEFX_RESTRICT restrict
#endif

/* Force-inline hint for the small helpers of the hot loops. */
#if defined(__GNUC__) || defined(__clang__)
#define EDGEFX_INLINE static inline __attribute__((always_inline))
#else
#define EDGEFX_INLINE static inline
#endif


#endif /* EDGEFX_TYPES_H */
