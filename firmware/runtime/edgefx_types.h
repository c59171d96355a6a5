/*
 * edgefx_types.h - common definitions of the edgefx inference runtime.
 *
 * Portable C99. Every translation unit of the runtime and of generated models must be
 * compiled with -ffp-contract=off: a fused multiply-add rounds once where a multiply then
 * an add rounds twice, so if the compiler chose where to fuse, a board's output could differ
 * in the last bit from the host build of the same source. Instead the source fixes it: the
 * recurrent kernels' accumulations and the fast activations' polynomials are written as
 * explicit fused multiply-adds (edgefx_fma_f32 and its vector forms), every other multiply and
 * add stays separate, on every target. The runtime also assumes IEEE-754 binary32 with
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
 * a * b + c rounded once (C99 fmaf). One instruction where the FPU has it: Cortex-M4/M7
 * (FPv4/FPv5 vfma.f32), AArch64 (fmadd), x86-64 with FMA3 (-mfma; every x86-64 CPU with
 * AVX2). Elsewhere (x86 without -mfma) it is a call to the C library's fmaf: correctly rounded
 * in glibc and musl, so still the same bits, but slow; build x86 hosts with -mfma.
 */
#if defined(__GNUC__) || defined(__clang__)
#define edgefx_fma_f32(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#include <math.h>
#define edgefx_fma_f32(a, b, c) fmaf((a), (b), (c))
#endif

/*
 * 4-lane float vectors where the lanes are IEEE binary32 (x86 SSE2, AArch64 Advanced SIMD):
 * each lane does exactly the scalar operation, so the results are the same bits as the
 * portable C99 path (used elsewhere, e.g. Cortex-M, or with -DEDGEFX_NO_SIMD). 32-bit ARM
 * NEON is excluded on purpose: it flushes subnormals.
 */
#if defined(__GNUC__) && !defined(EDGEFX_NO_SIMD) && (defined(__SSE2__) || defined(__aarch64__))
#define EDGEFX_SIMD_V4 1
#if defined(__aarch64__)
#include <arm_neon.h>
#endif
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

/* a * b + c per lane, rounded once (as edgefx_fma_f32 on each lane). */
EDGEFX_INLINE edgefx_v4f edgefx_v4f_fma(edgefx_v4f a, edgefx_v4f b, edgefx_v4f c)
{
#if defined(__FMA__)
    return __builtin_ia32_vfmaddps(a, b, c);
#elif defined(__aarch64__)
    return (edgefx_v4f)vfmaq_f32((float32x4_t)c, (float32x4_t)a, (float32x4_t)b);
#else
    const edgefx_v4f r = {edgefx_fma_f32(a[0], b[0], c[0]), edgefx_fma_f32(a[1], b[1], c[1]),
                          edgefx_fma_f32(a[2], b[2], c[2]), edgefx_fma_f32(a[3], b[3], c[3])};
    return r;
#endif
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
 * 8-lane vectors on x86 with AVX and FMA3 (-mavx2 -mfma; with -ffp-contract=off only the
 * explicit edgefx_*_fma operations fuse). The kernels use them only to vectorise across
 * independent outputs, so every lane still runs the scalar operations in the scalar order:
 * the same bits as the 4-lane and the plain paths.
 */
#if defined(__AVX__) && defined(__FMA__)
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

EDGEFX_INLINE edgefx_v8f edgefx_v8f_fma(edgefx_v8f a, edgefx_v8f b, edgefx_v8f c)
{
    return __builtin_ia32_vfmaddps256(a, b, c);
}
#endif
#endif

#endif /* EDGEFX_TYPES_H */
