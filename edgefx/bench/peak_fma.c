/* Peak single-core float32 multiply-add rate: two small kernels, no libm, no allocation.
 *
 * Both use GCC vector extensions at the widest width the compile flags allow (SSE2's 16 bytes
 * for a plain x86-64 build, 32 with AVX, 64 with AVX-512, NEON's 16 on aarch64), so the same
 * source measures "what these flags can do" — which is the point: the generated C is built
 * without -march=native, and its MAC floor must come from the same flags.
 *
 *   chain: NCHAIN independent register chains of  acc = acc * a + b  (no memory traffic).
 *   dot:   NDOT accumulators of  acc_k += w[j][k] * h[j]  over vectors resident in L1
 *          (the shape of a matrix-vector product: one load per multiply-add).
 *
 * Where the flags enable a fused multiply-add instruction (x86 -mfma, AArch64) each multiply-add
 * is one, written explicitly as the edgefx kernels write theirs, so -ffp-contract=off does not
 * matter; otherwise it is a separate multiply and add. Each returns a checksum so the work cannot
 * be optimised away, and reports the multiply-adds it did through *macs.
 */

#if defined(__AVX512F__)
#define EF_VBYTES 64
#elif defined(__AVX__)
#define EF_VBYTES 32
#else
#define EF_VBYTES 16
#endif

typedef float ef_vf __attribute__((vector_size(EF_VBYTES)));

/* x * a + b, fused where the flags allow it */
#if defined(__FMA__) && EF_VBYTES == 64
#define EF_MADD(x, a, b) __builtin_ia32_vfmaddps512_mask((x), (a), (b), (unsigned short)0xFFFF, 4)
#elif defined(__FMA__) && EF_VBYTES == 32
#define EF_MADD(x, a, b) __builtin_ia32_vfmaddps256((x), (a), (b))
#elif defined(__FMA__)
#define EF_MADD(x, a, b) __builtin_ia32_vfmaddps((x), (a), (b))
#elif defined(__aarch64__)
#include <arm_neon.h>
#define EF_MADD(x, a, b) ((ef_vf)vfmaq_f32((float32x4_t)(b), (float32x4_t)(x), (float32x4_t)(a)))
#else
#define EF_MADD(x, a, b) ((x) * (a) + (b))
#endif

#define EF_LANES (EF_VBYTES / (int)sizeof(float))
/* 12 chains + 2 constants fit the 16 vector registers of SSE/AVX2 without spilling, and cover
 * the mul+add latency (about 6 cycles) at two multiplies and two adds per cycle. */
#define NCHAIN 12
/* 8 accumulators cover an add latency of 4 cycles at two adds per cycle. */
#define NDOT 8
#define DOT_N 64

int ef_peak_lanes(void) { return EF_LANES; }

int ef_peak_vector_bytes(void) { return EF_VBYTES; }

double ef_peak_chain(long iters, float a, float b, double *macs)
{
    ef_vf va, vb, acc[NCHAIN];
    for (int l = 0; l < EF_LANES; l++) {
        va[l] = a;
        vb[l] = b;
    }
    for (int i = 0; i < NCHAIN; i++)
        for (int l = 0; l < EF_LANES; l++)
            acc[i][l] = (float)(i * EF_LANES + l) * 1e-3f;
    for (long n = 0; n < iters; n++) {
#pragma GCC unroll 16
        for (int i = 0; i < NCHAIN; i++)
            acc[i] = EF_MADD(acc[i], va, vb);
    }
    double sum = 0.0;
    for (int i = 0; i < NCHAIN; i++)
        for (int l = 0; l < EF_LANES; l++)
            sum += acc[i][l];
    *macs = (double)iters * NCHAIN * EF_LANES;
    return sum;
}

double ef_peak_dot(long iters, double *macs)
{
    static ef_vf w[DOT_N * NDOT], h[DOT_N]; /* 16-32 KiB at most: stays in L1 */
    ef_vf acc[NDOT];
    /* +0.5 and -0.5 alternate along j, so every accumulator returns to 0 after each pass:
     * exact in float, never grows, never denormal. */
    for (int j = 0; j < DOT_N; j++)
        for (int l = 0; l < EF_LANES; l++) {
            h[j][l] = 1.0f;
            for (int k = 0; k < NDOT; k++)
                w[j * NDOT + k][l] = (j & 1) ? -0.5f : 0.5f;
        }
    for (int k = 0; k < NDOT; k++)
        for (int l = 0; l < EF_LANES; l++)
            acc[k][l] = 0.0f;
    for (long n = 0; n < iters; n++) {
        for (int j = 0; j < DOT_N; j++) {
            ef_vf x = h[j];
#pragma GCC unroll 16
            for (int k = 0; k < NDOT; k++)
                acc[k] = EF_MADD(w[j * NDOT + k], x, acc[k]);
        }
    }
    double sum = 0.0;
    for (int k = 0; k < NDOT; k++)
        for (int l = 0; l < EF_LANES; l++)
            sum += acc[k][l];
    *macs = (double)iters * DOT_N * NDOT * EF_LANES;
    return sum;
}
