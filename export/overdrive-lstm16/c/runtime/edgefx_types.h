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

/* Unroll hints for the short inner loops (GCC >= 8; no effect on the results). */
#if defined(__GNUC__) && !defined(__clang__) && (__GNUC__ >= 8)
#define EDGEFX_UNROLL _Pragma("GCC unroll 16")
#define EDGEFX_UNROLL8 _Pragma("GCC unroll 8")
#else
#define EDGEFX_UNROLL
#define EDGEFX_UNROLL8
#endif

/*
 * 4-lane float vectors where the lanes are IEEE binary32 (x86 SSE2, AArch64 Advanced SIMD):
 * each lane does exactly the scalar operation, so the results are the same bits as the
 * portable C99 path (used elsewhere, e.g. Cortex-M, or with -DEDGEFX_NO_SIMD). 32-bit ARM
 * NEON is excluded on purpose: it flushes subnormals.
 */
#if defined(__GNUC__) && !defined(EDGEFX_NO_SIMD) && (defined(__SSE2__) || defined(__aarch64__))
#define EDGEFX_SIMD_V4 1
typedef float edgefx_v4f __attribute__((vector_size(16)));
typedef int32_t edgefx_v4i __attribute__((vector_size(16)));

EDGEFX_INLINE edgefx_v4f edgefx_v4f_load(const float *p)
{
    edgefx_v4f v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

EDGEFX_INLINE void edgefx_v4f_store(float *p, edgefx_v4f v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

EDGEFX_INLINE edgefx_v4f edgefx_v4f_dup(float x)
{
    const edgefx_v4f v = {x, x, x, x};
    return v;
}

/*
 * acc + a[i] b[i] for i in [0, n), 4 at a time in ascending order (n a multiple of 4): lane l adds
 * the elements l, l + 4, l + 8, ... The recurrent kernels' 4 head partial sums, in every tiling.
 */
EDGEFX_INLINE edgefx_v4f edgefx_v4f_mul_acc(edgefx_v4f acc, const float *a, const float *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i += 4) acc = acc + edgefx_v4f_load(a + i) * edgefx_v4f_load(b + i);
    return acc;
}

/* a < b ? a : b per lane (b when either is NaN), as the scalar expression. */
EDGEFX_INLINE edgefx_v4f edgefx_v4f_min(edgefx_v4f a, edgefx_v4f b)
{
#if defined(__SSE2__)
    return __builtin_ia32_minps(a, b);
#else
    const edgefx_v4i m = a < b;
    return (edgefx_v4f)((m & (edgefx_v4i)a) | (~m & (edgefx_v4i)b));
#endif
}

/* a > b ? a : b per lane (b when either is NaN), as the scalar expression. */
EDGEFX_INLINE edgefx_v4f edgefx_v4f_max(edgefx_v4f a, edgefx_v4f b)
{
#if defined(__SSE2__)
    return __builtin_ia32_maxps(a, b);
#else
    const edgefx_v4i m = a > b;
    return (edgefx_v4f)((m & (edgefx_v4i)a) | (~m & (edgefx_v4i)b));
#endif
}
/*
 * 8-lane vectors on x86 with AVX (-mavx / -mavx2, never -mfma: with -ffp-contract=off the
 * multiply and the add stay separate instructions). The kernels use them only to vectorise
 * across independent outputs, so every lane still runs the scalar operations in the scalar
 * order: the same bits as the 4-lane and the plain paths.
 */
#if defined(__AVX__)
#define EDGEFX_SIMD_V8 1
typedef float edgefx_v8f __attribute__((vector_size(32)));

EDGEFX_INLINE edgefx_v8f edgefx_v8f_load(const float *p)
{
    edgefx_v8f v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

EDGEFX_INLINE void edgefx_v8f_store(float *p, edgefx_v8f v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

EDGEFX_INLINE edgefx_v8f edgefx_v8f_dup(float x)
{
    const edgefx_v8f v = {x, x, x, x, x, x, x, x};
    return v;
}
#endif
#endif

#endif /* EDGEFX_TYPES_H */
