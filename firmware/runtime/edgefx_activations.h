/*
 * edgefx_activations.h - tanh and sigmoid without libm, bit-reproducible on every target.
 *
 * Exact variants (edgefx_tanh_f32, edgefx_sigmoid_f32): a few ulp from the float64 functions
 * over the whole float range, built on a range-reduced exp: exp(x) = 2^k * p(r) with
 * k = round(x / ln 2), r = x - k ln 2 (Cody-Waite two-constant split) and p a degree-6
 * polynomial. 2^k is assembled from its exponent bits, in two factors so that results down
 * to the subnormal range round once. tanh uses an odd polynomial for |x| < 0.625 and
 * (1 - e) / (1 + e), e = exp(-2|x|), above; sigmoid uses e = exp(-|x|). Only exp of
 * non-positive arguments is ever needed, so nothing overflows.
 *
 * Fast variants (edgefx_tanh_fast_f32, edgefx_sigmoid_fast_f32, and the 4-lane forms
 * edgefx_*_fast_v4f with SIMD): a clamped rational approximation (odd 7/6, minimax on
 * [0, 7]) whose polynomials are evaluated by Horner steps that are fused multiply-adds (one
 * rounding each, shorter dependency chains); sigmoid(x) = 0.5 + 0.5 tanh(x / 2). Their fraction
 * forms (edgefx_*_frac_*) stop before the division, so that a kernel can share one division
 * between several activations.
 *
 * All functions are branch-free selects over IEEE operations (no float-to-int conversion,
 * so no undefined behaviour for NaN or huge inputs) and vectorise. Measured errors are in
 * the edgefx manifest ("artifacts.c.activations") and checked by tests/test_kernels.py.
 */
#ifndef EDGEFX_ACTIVATIONS_H
#define EDGEFX_ACTIVATIONS_H

#include <string.h>
#include "edgefx_types.h"

EDGEFX_INLINE uint32_t edgefx_f32_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

EDGEFX_INLINE float edgefx_bits_f32(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* c ? a : b without control flow (c is 0 or 1): a mask select that compilers cannot turn into
 * a branch around the computation of a or b, so the loops stay vectorisable. */
EDGEFX_INLINE float edgefx_select_f32(uint32_t c, float a, float b)
{
    const uint32_t m = 0u - c;
    return edgefx_bits_f32((edgefx_f32_bits(a) & m) | (edgefx_f32_bits(b) & ~m));
}

/* exp(-a) for a >= 0 given as its bit pattern (a > 104 gives +0). */
EDGEFX_INLINE float edgefx_exp_neg_f32(uint32_t abits)
{
    const float shifter = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    const float x = -edgefx_bits_f32(abits > 0x42D00000u ? 0x42D00000u : abits); /* -min(a, 104) */
    float t, kf, r, p;
    uint32_t u, u1, u2;
    t = x * 1.44269502f + shifter;
    kf = t - shifter;                        /* k = round(x / ln 2), in [-150, 0] */
    r = x - kf * 0.693359375f;               /* ln 2 high part: exact product */
    r = r - kf * -2.12194440e-4f;            /* ln 2 low part */
    p = 0.00139012735f;
    p = p * r + 0.00836314075f;
    p = p * r + 0.0416668542f;
    p = p * r + 0.166665778f;
    p = p * r + 0.5f;
    p = (r * r) * p + r;
    p = p + 1.0f;                            /* exp(r), |r| <= ln2 / 2 */
    u = edgefx_f32_bits(t) - 0x4B400000u + 256u; /* k + 256 */
    u1 = u >> 1;                             /* k1 + 128, k1 = floor(k / 2) */
    u2 = u - u1;                             /* k2 + 128, k2 = k - k1           */
    return (p * edgefx_bits_f32((u1 - 1u) << 23)) * edgefx_bits_f32((u2 - 1u) << 23);
}

/*
 * The selects below compare bit patterns of non-negative floats as unsigned integers (same
 * order as the floats, NaN above +inf): integer compares raise no FP exception, which lets
 * compilers if-convert and vectorise the loops without -fno-trapping-math.
 */

/* tanh(x), a few ulp from the float64 tanh over the whole float range. */
EDGEFX_INLINE float edgefx_tanh_f32(float x)
{
    const uint32_t sign = edgefx_f32_bits(x) & 0x80000000u;
    const uint32_t abits = edgefx_f32_bits(x) & 0x7FFFFFFFu;
    const float a = edgefx_bits_f32(abits);
    const float s = a * a;
    float q, small, e, big, r;
    q = 0.00267544924f;
    q = q * s + -0.00871962216f;
    q = q * s + 0.0218969472f;
    q = q * s + -0.0539765991f;
    q = q * s + 0.133333772f;
    q = q * s + -0.333333343f;
    small = a + (a * s) * q;                 /* |x| < 0.625: odd polynomial */
    e = edgefx_exp_neg_f32(edgefx_f32_bits(2.0f * a));
    big = (1.0f - e) / (1.0f + e);           /* |x| >= 0.625 */
    r = edgefx_select_f32(abits < 0x3F200000u, small, big); /* 0.625f */
    r = edgefx_select_f32(abits > 0x7F800000u, a, r); /* NaN stays NaN */
    return edgefx_bits_f32(edgefx_f32_bits(r) | sign);
}

/* 1 / (1 + exp(-x)), a few ulp from float64 over the whole float range. */
EDGEFX_INLINE float edgefx_sigmoid_f32(float x)
{
    const uint32_t xbits = edgefx_f32_bits(x);
    const uint32_t abits = xbits & 0x7FFFFFFFu;
    const float e = edgefx_exp_neg_f32(abits);
    const float num = edgefx_select_f32(xbits >> 31, e, 1.0f);
    const float r = num / (1.0f + e);
    return edgefx_select_f32(abits > 0x7F800000u, x, r);
}

/*
 * Fast tanh: sign(x) min(a P(a^2) / Q(a^2), 1) with a = min(|x|, 7) (odd rational 7/6,
 * minimax on [0, 7]; max abs error ~1.2e-6; NaN gives +-1). The clamps compare bit patterns
 * of non-negative floats as integers (vectorisable without -fno-trapping-math); the 4-lane
 * forms below use minps / vector compares instead, which give the same values on these
 * operands (a NaN operand yields the bound in both). The fast sigmoid evaluates
 * 0.5 + 0.5 tanh(x / 2) with the scalings folded into the coefficients (powers of two, so
 * exactly the same bits as that formula).
 */
#define EDGEFX_TF_P3 3.93058190e-06f
#define EDGEFX_TF_P2 0.00227714702f
#define EDGEFX_TF_P1 0.12302389f
#define EDGEFX_TF_P0 0.999995708f
#define EDGEFX_TF_Q3 0.000142366043f
#define EDGEFX_TF_Q2 0.0210729875f
#define EDGEFX_TF_Q1 0.456342459f

EDGEFX_INLINE uint32_t edgefx_min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* tanh(x) by a clamped odd rational (max abs error ~1.2e-6; NaN gives +-1). */
EDGEFX_INLINE float edgefx_tanh_fast_f32(float x)
{
    const uint32_t sign = edgefx_f32_bits(x) & 0x80000000u;
    const float a = edgefx_bits_f32(edgefx_min_u32(edgefx_f32_bits(x) & 0x7FFFFFFFu, 0x40E00000u)); /* min(|x|, 7) */
    const float s = a * a;
    float p, q, r;
    p = EDGEFX_TF_P3;
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P2);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P1);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P0);
    p = p * a;
    q = EDGEFX_TF_Q3;
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q2);
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q1);
    q = edgefx_fma_f32(q, s, 1.0f);
    r = p / q;
    r = edgefx_bits_f32(edgefx_min_u32(edgefx_f32_bits(r), 0x3F800000u)); /* min(r, 1) */
    return edgefx_bits_f32(edgefx_f32_bits(r) | sign);
}

/* sigmoid(x) = 0.5 + 0.5 tanh(x / 2) with the fast tanh (max abs error ~0.6e-6). With
 * a = min(|x|, 14), s = a^2: 0.5 tanh(a / 2) = a P'(s) / Q'(s), P' = P(s / 4) / 4, Q' = Q(s / 4). */
EDGEFX_INLINE float edgefx_sigmoid_fast_f32(float x)
{
    const uint32_t sign = edgefx_f32_bits(x) & 0x80000000u;
    const float a = edgefx_bits_f32(edgefx_min_u32(edgefx_f32_bits(x) & 0x7FFFFFFFu, 0x41600000u)); /* min(|x|, 14) */
    const float s = a * a;
    float p, q, r;
    p = EDGEFX_TF_P3 * 0.00390625f;
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P2 * 0.015625f);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P1 * 0.0625f);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P0 * 0.25f);
    p = p * a;
    q = EDGEFX_TF_Q3 * 0.015625f;
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q2 * 0.0625f);
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q1 * 0.25f);
    q = edgefx_fma_f32(q, s, 1.0f);
    r = p / q;
    r = edgefx_bits_f32(edgefx_min_u32(edgefx_f32_bits(r), 0x3F000000u)); /* min(r, 0.5) */
    return 0.5f + edgefx_bits_f32(edgefx_f32_bits(r) | sign);
}

/*
 * Fraction forms of the fast activations, for kernels that combine several activations before one
 * division (the LSTM cell and the GRU update below). They return the numerator n and the denominator q of
 * the fast rationals above, tanh_fast(x) ~ n / q and sigmoid_fast(x) ~ n / q, with the sigmoid's
 * n = q / 2 + x' P'(s) (one rounding: q / 2 is exact). Same polynomials and Horner steps; the
 * input is clamped to [-7, 7] (sigmoid: [-14, 14]) by a float min and max, which gives the same
 * values as the |x| clamp and sign above (NaN gives the upper bound). There is no output clamp:
 * the quotient stays below 1 in magnitude (tests/test_kernels.py checks it on 16 million
 * arguments; a one-off exhaustive pass over every float of [0, 7] and [0, 14] found at most
 * 1 - 6.0e-7 for tanh and 1 - 2.4e-7 for sigmoid).
 */
typedef struct {
    float n, q;
} edgefx_frac_f32;

/* a < b ? a : b and a > b ? a : b: b when either is NaN, as minps / maxps and the vector forms. */
EDGEFX_INLINE float edgefx_min_f32(float a, float b)
{
    return a < b ? a : b;
}

EDGEFX_INLINE float edgefx_max_f32(float a, float b)
{
    return a > b ? a : b;
}

EDGEFX_INLINE edgefx_frac_f32 edgefx_tanh_frac_f32(float x)
{
    const float a = edgefx_max_f32(edgefx_min_f32(x, 7.0f), -7.0f); /* NaN gives 7 */
    const float s = a * a;
    edgefx_frac_f32 r;
    float p, q;
    p = EDGEFX_TF_P3;
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P2);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P1);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P0);
    q = EDGEFX_TF_Q3;
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q2);
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q1);
    q = edgefx_fma_f32(q, s, 1.0f);
    r.n = p * a;
    r.q = q;
    return r;
}

EDGEFX_INLINE edgefx_frac_f32 edgefx_sigmoid_frac_f32(float x)
{
    const float a = edgefx_max_f32(edgefx_min_f32(x, 14.0f), -14.0f);
    const float s = a * a;
    edgefx_frac_f32 r;
    float p, q;
    p = EDGEFX_TF_P3 * 0.00390625f;
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P2 * 0.015625f);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P1 * 0.0625f);
    p = edgefx_fma_f32(p, s, EDGEFX_TF_P0 * 0.25f);
    q = EDGEFX_TF_Q3 * 0.015625f;
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q2 * 0.0625f);
    q = edgefx_fma_f32(q, s, EDGEFX_TF_Q1 * 0.25f);
    q = edgefx_fma_f32(q, s, 1.0f);
    r.n = edgefx_fma_f32(q, 0.5f, p * a);
    r.q = q;
    return r;
}

/*
 * The fast LSTM cell on the fraction forms, for scalars and for vectors of lanes (one definition,
 * so every path of edgefx_lstm.c and the latency probe run the same operations in the same
 * order): edgefx_lstm_fast_c_* returns c' = sigmoid(f) c + sigmoid(i) tanh(g) from the gate sums
 * i, f, g and the old c with one division, edgefx_lstm_fast_h_* returns h' = sigmoid(o) tanh(c')
 * with one more (the products are spelled out in edgefx_lstm.c).
 */
#define EDGEFX_DEFINE_LSTM_FAST_CELL(T, SUF)                                                              \
    EDGEFX_INLINE T edgefx_lstm_fast_c_##SUF(T i, T f, T g, T c)                                         \
    {                                                                                                     \
        const edgefx_frac_##SUF fi = edgefx_sigmoid_frac_##SUF(i), ff = edgefx_sigmoid_frac_##SUF(f);     \
        const edgefx_frac_##SUF fg = edgefx_tanh_frac_##SUF(g);                                          \
        const T qig = fi.q * fg.q;                                                                        \
        return ((ff.n * c) * qig + (fi.n * fg.n) * ff.q) / (qig * ff.q);                                  \
    }                                                                                                     \
    EDGEFX_INLINE T edgefx_lstm_fast_h_##SUF(T o, T cn)                                                  \
    {                                                                                                     \
        const edgefx_frac_##SUF fo = edgefx_sigmoid_frac_##SUF(o), fc = edgefx_tanh_frac_##SUF(cn);       \
        return (fo.n * fc.n) / (fo.q * fc.q);                                                             \
    }

EDGEFX_DEFINE_LSTM_FAST_CELL(float, f32)

/*
 * The fast GRU update h' = n + z (h - n), n = tanh(xn + r gn), r = sigmoid(ra), z = sigmoid(za),
 * from the gate sums (xn: the input part of n's sum, gn: its recurrent part) with two divisions
 * instead of three: r needs its own (n's argument is built from it), z and n share the other,
 *   h' = (Nn Qz + Nz (h Qn - Nn)) / (Qn Qz)
 * (|h| <= 1 and Q < 91, so nothing comes near overflow). For scalars and vectors of lanes, as the
 * LSTM cell above.
 */
#define EDGEFX_DEFINE_GRU_FAST_CELL(T, SUF)                                                         \
    EDGEFX_INLINE T edgefx_gru_fast_h_##SUF(T ra, T za, T xn, T gn, T h)                            \
    {                                                                                               \
        const edgefx_frac_##SUF fr = edgefx_sigmoid_frac_##SUF(ra), fz = edgefx_sigmoid_frac_##SUF(za); \
        const edgefx_frac_##SUF fn = edgefx_tanh_frac_##SUF(xn + (fr.n / fr.q) * gn);             \
        return (fn.n * fz.q + fz.n * (h * fn.q - fn.n)) / (fn.q * fz.q);                            \
    }

EDGEFX_DEFINE_GRU_FAST_CELL(float, f32)

#ifdef EDGEFX_SIMD_V4
/*
 * The fast activations and their fraction forms on vectors of lanes (4 with SSE2 / AArch64, 8 with
 * AVX), lane for lane the values of the scalar forms above. One definition serves both widths:
 * VF / VI are the float and int vector types, DUP, MIN, MAX and FMA their broadcast, minimum,
 * maximum and fused multiply-add, SUF the name suffix.
 */
#define EDGEFX_DEFINE_FAST_ACTIVATIONS(VF, VI, DUP, MIN, MAX, FMA, SUF) \
    EDGEFX_INLINE VF edgefx_tanh_fast_##SUF(VF x)                  \
    {                                                              \
        const VI sign = (VI)x & (int32_t)0x80000000u;              \
        const VF a = MIN((VF)((VI)x & 0x7FFFFFFF), DUP(7.0f));     \
        const VF s = a * a;                                        \
        VF p, q;                                                   \
        p = DUP(EDGEFX_TF_P3);                                     \
        p = FMA(p, s, DUP(EDGEFX_TF_P2));                          \
        p = FMA(p, s, DUP(EDGEFX_TF_P1));                          \
        p = FMA(p, s, DUP(EDGEFX_TF_P0));                          \
        p = p * a;                                                 \
        q = DUP(EDGEFX_TF_Q3);                                     \
        q = FMA(q, s, DUP(EDGEFX_TF_Q2));                          \
        q = FMA(q, s, DUP(EDGEFX_TF_Q1));                          \
        q = FMA(q, s, DUP(1.0f));                                  \
        return (VF)((VI)MIN(p / q, DUP(1.0f)) | sign);             \
    }                                                              \
    EDGEFX_INLINE VF edgefx_sigmoid_fast_##SUF(VF x)               \
    {                                                              \
        const VI sign = (VI)x & (int32_t)0x80000000u;              \
        const VF a = MIN((VF)((VI)x & 0x7FFFFFFF), DUP(14.0f));    \
        const VF s = a * a;                                        \
        VF p, q;                                                   \
        p = DUP(EDGEFX_TF_P3 * 0.00390625f);                       \
        p = FMA(p, s, DUP(EDGEFX_TF_P2 * 0.015625f));              \
        p = FMA(p, s, DUP(EDGEFX_TF_P1 * 0.0625f));                \
        p = FMA(p, s, DUP(EDGEFX_TF_P0 * 0.25f));                  \
        p = p * a;                                                 \
        q = DUP(EDGEFX_TF_Q3 * 0.015625f);                         \
        q = FMA(q, s, DUP(EDGEFX_TF_Q2 * 0.0625f));                \
        q = FMA(q, s, DUP(EDGEFX_TF_Q1 * 0.25f));                  \
        q = FMA(q, s, DUP(1.0f));                                  \
        return 0.5f + (VF)((VI)MIN(p / q, DUP(0.5f)) | sign);      \
    }                                                              \
    typedef struct {                                               \
        VF n, q;                                                   \
    } edgefx_frac_##SUF;                                           \
    EDGEFX_INLINE edgefx_frac_##SUF edgefx_tanh_frac_##SUF(VF x)   \
    {                                                              \
        const VF a = MAX(MIN(x, DUP(7.0f)), DUP(-7.0f));           \
        const VF s = a * a;                                        \
        edgefx_frac_##SUF r;                                       \
        VF p, q;                                                   \
        p = DUP(EDGEFX_TF_P3);                                     \
        p = FMA(p, s, DUP(EDGEFX_TF_P2));                          \
        p = FMA(p, s, DUP(EDGEFX_TF_P1));                          \
        p = FMA(p, s, DUP(EDGEFX_TF_P0));                          \
        q = DUP(EDGEFX_TF_Q3);                                     \
        q = FMA(q, s, DUP(EDGEFX_TF_Q2));                          \
        q = FMA(q, s, DUP(EDGEFX_TF_Q1));                          \
        q = FMA(q, s, DUP(1.0f));                                  \
        r.n = p * a;                                               \
        r.q = q;                                                   \
        return r;                                                  \
    }                                                              \
    EDGEFX_INLINE edgefx_frac_##SUF edgefx_sigmoid_frac_##SUF(VF x) \
    {                                                              \
        const VF a = MAX(MIN(x, DUP(14.0f)), DUP(-14.0f));         \
        const VF s = a * a;                                        \
        edgefx_frac_##SUF r;                                       \
        VF p, q;                                                   \
        p = DUP(EDGEFX_TF_P3 * 0.00390625f);                       \
        p = FMA(p, s, DUP(EDGEFX_TF_P2 * 0.015625f));              \
        p = FMA(p, s, DUP(EDGEFX_TF_P1 * 0.0625f));                \
        p = FMA(p, s, DUP(EDGEFX_TF_P0 * 0.25f));                  \
        q = DUP(EDGEFX_TF_Q3 * 0.015625f);                         \
        q = FMA(q, s, DUP(EDGEFX_TF_Q2 * 0.0625f));                \
        q = FMA(q, s, DUP(EDGEFX_TF_Q1 * 0.25f));                  \
        q = FMA(q, s, DUP(1.0f));                                  \
        r.n = FMA(q, DUP(0.5f), p * a);                            \
        r.q = q;                                                   \
        return r;                                                  \
    }

EDGEFX_DEFINE_FAST_ACTIVATIONS(edgefx_v4f, edgefx_v4i, edgefx_v4f_dup, edgefx_v4f_min, edgefx_v4f_max, edgefx_v4f_fma,
                               v4f)
EDGEFX_DEFINE_LSTM_FAST_CELL(edgefx_v4f, v4f)
EDGEFX_DEFINE_GRU_FAST_CELL(edgefx_v4f, v4f)

#ifdef EDGEFX_SIMD_V8
typedef int32_t edgefx_v8i __attribute__((vector_size(32)));

EDGEFX_INLINE edgefx_v8f edgefx_v8f_min(edgefx_v8f a, edgefx_v8f b)
{
    return __builtin_ia32_minps256(a, b); /* a < b ? a : b, b when either is NaN */
}

EDGEFX_INLINE edgefx_v8f edgefx_v8f_max(edgefx_v8f a, edgefx_v8f b)
{
    return __builtin_ia32_maxps256(a, b); /* a > b ? a : b, b when either is NaN */
}

EDGEFX_DEFINE_FAST_ACTIVATIONS(edgefx_v8f, edgefx_v8i, edgefx_v8f_dup, edgefx_v8f_min, edgefx_v8f_max, edgefx_v8f_fma,
                               v8f)
EDGEFX_DEFINE_LSTM_FAST_CELL(edgefx_v8f, v8f)
EDGEFX_DEFINE_GRU_FAST_CELL(edgefx_v8f, v8f)
#endif
#endif

/* In-place vector forms, used by the kernels. */
EDGEFX_INLINE void edgefx_tanh_vec_f32(float *EDGEFX_RESTRICT x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = edgefx_tanh_f32(x[i]);
}

EDGEFX_INLINE void edgefx_sigmoid_vec_f32(float *EDGEFX_RESTRICT x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = edgefx_sigmoid_f32(x[i]);
}

/*
 * The fast forms take 4 lanes at a time with SIMD (the same values as the scalar form). With AVX2
 * the scalar loop is left to the compiler, which vectorises it 8 lanes wide (vpminud).
 */
EDGEFX_INLINE void edgefx_tanh_fast_vec_f32(float *EDGEFX_RESTRICT x, size_t n)
{
    size_t i = 0;
#if defined(EDGEFX_SIMD_V4) && !defined(__AVX2__)
    for (; i + 4 <= n; i += 4) edgefx_v4f_store(x + i, edgefx_tanh_fast_v4f(edgefx_v4f_load(x + i)));
#endif
    for (; i < n; i++) x[i] = edgefx_tanh_fast_f32(x[i]);
}

EDGEFX_INLINE void edgefx_sigmoid_fast_vec_f32(float *EDGEFX_RESTRICT x, size_t n)
{
    size_t i = 0;
#if defined(EDGEFX_SIMD_V4) && !defined(__AVX2__)
    for (; i + 4 <= n; i += 4) edgefx_v4f_store(x + i, edgefx_sigmoid_fast_v4f(edgefx_v4f_load(x + i)));
#endif
    for (; i < n; i++) x[i] = edgefx_sigmoid_fast_f32(x[i]);
}

/* Out-of-place block forms (edgefx_activations.c): for tests and hand-written code. */
void edgefx_tanh_block_f32(const float *in, float *out, size_t n);
void edgefx_sigmoid_block_f32(const float *in, float *out, size_t n);
void edgefx_tanh_fast_block_f32(const float *in, float *out, size_t n);
void edgefx_sigmoid_fast_block_f32(const float *in, float *out, size_t n);
void edgefx_tanh_frac_block_f32(const float *in, float *num, float *den, size_t n);
void edgefx_sigmoid_frac_block_f32(const float *in, float *num, float *den, size_t n);

#endif /* EDGEFX_ACTIVATIONS_H */
