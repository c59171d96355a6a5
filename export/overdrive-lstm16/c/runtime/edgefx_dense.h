/*
 * edgefx_dense.h - dense (fully connected / 1x1 convolution) kernels.
 *
 * Two layouts, each with an inner loop that streams contiguous memory:
 *   row-major     W[out][in]: one dot product per output, summed in 4 independent partial
 *                 sums (s0..s3 over i mod 4, combined as (s0 + s1) + (s2 + s3)) so the FPU
 *                 pipeline stays full; used for heads and 1x1 convolutions.
 *   column-major  W[in][out] (each input's weights to all outputs contiguous): a sequence of
 *                 axpy updates whose outputs are independent accumulators, processed in
 *                 register tiles of 16/4/1 outputs; used for the recurrent gate matrices and
 *                 the taps of dilated convolutions.
 * The summation order is fixed by the source, so every target computes the same bits
 * (with -ffp-contract=off).
 */
#ifndef EDGEFX_DENSE_H
#define EDGEFX_DENSE_H

#include "edgefx_types.h"

/* Dot product of n floats with 4 partial sums. */
EDGEFX_INLINE float edgefx_dot_f32(const float *EDGEFX_RESTRICT a, const float *EDGEFX_RESTRICT b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

/*
 * acc[o] += sum_i W[i * ld + o] * x[i] for o < n_out, i < n_in (i ascending): column-major
 * matrix-vector product accumulated into acc. ld >= n_out is the stride between inputs.
 * Outputs are independent accumulators held in registers: tiles of 16 (2 AVX or 4 SSE/NEON vectors),
 * tiles of 4 scalars otherwise, then single outputs.
 */
EDGEFX_INLINE void edgefx_gemv_cm_acc_f32(const float *EDGEFX_RESTRICT W, size_t ld,
                                          const float *EDGEFX_RESTRICT x, size_t n_in,
                                          float *EDGEFX_RESTRICT acc, size_t n_out)
{
    size_t o = 0, i;
#ifdef EDGEFX_SIMD_V8
    for (; o + 16 <= n_out; o += 16) {
        edgefx_v8f t0 = edgefx_v8f_load(acc + o), t1 = edgefx_v8f_load(acc + o + 8);
        for (i = 0; i < n_in; i++) {
            const float *EDGEFX_RESTRICT w = W + i * ld + o;
            const edgefx_v8f xi = edgefx_v8f_dup(x[i]);
            t0 = t0 + edgefx_v8f_load(w) * xi;
            t1 = t1 + edgefx_v8f_load(w + 8) * xi;
        }
        edgefx_v8f_store(acc + o, t0);
        edgefx_v8f_store(acc + o + 8, t1);
    }
#endif
#ifdef EDGEFX_SIMD_V4
    for (; o + 16 <= n_out; o += 16) {
        edgefx_v4f t0 = edgefx_v4f_load(acc + o), t1 = edgefx_v4f_load(acc + o + 4);
        edgefx_v4f t2 = edgefx_v4f_load(acc + o + 8), t3 = edgefx_v4f_load(acc + o + 12);
        for (i = 0; i < n_in; i++) {
            const float *EDGEFX_RESTRICT w = W + i * ld + o;
            const edgefx_v4f xi = {x[i], x[i], x[i], x[i]};
            t0 = t0 + edgefx_v4f_load(w) * xi;
            t1 = t1 + edgefx_v4f_load(w + 4) * xi;
            t2 = t2 + edgefx_v4f_load(w + 8) * xi;
            t3 = t3 + edgefx_v4f_load(w + 12) * xi;
        }
        edgefx_v4f_store(acc + o, t0);
        edgefx_v4f_store(acc + o + 4, t1);
        edgefx_v4f_store(acc + o + 8, t2);
        edgefx_v4f_store(acc + o + 12, t3);
    }
    for (; o + 4 <= n_out; o += 4) {
        edgefx_v4f t0 = edgefx_v4f_load(acc + o);
        for (i = 0; i < n_in; i++) {
            const edgefx_v4f xi = {x[i], x[i], x[i], x[i]};
            t0 = t0 + edgefx_v4f_load(W + i * ld + o) * xi;
        }
        edgefx_v4f_store(acc + o, t0);
    }
#endif
    for (; o + 4 <= n_out; o += 4) {
        float t0 = acc[o], t1 = acc[o + 1], t2 = acc[o + 2], t3 = acc[o + 3];
        for (i = 0; i < n_in; i++) {
            const float xi = x[i];
            const float *EDGEFX_RESTRICT w = W + i * ld + o;
            t0 += w[0] * xi;
            t1 += w[1] * xi;
            t2 += w[2] * xi;
            t3 += w[3] * xi;
        }
        acc[o] = t0;
        acc[o + 1] = t1;
        acc[o + 2] = t2;
        acc[o + 3] = t3;
    }
    for (; o < n_out; o++) {
        float t0 = acc[o];
        for (i = 0; i < n_in; i++) t0 += W[i * ld + o] * x[i];
        acc[o] = t0;
    }
}

/*
 * One frame of a 1x1 layer in column-major layout W[n_in][n_out], per output lane:
 *   r = b[o] (0 without bias);  for i ascending: r = r + W[i][o] * x[i];  y[o] = add ? y[o] + r : r
 * Independent lanes, so the SIMD and plain paths compute the same bits.
 */
EDGEFX_INLINE void edgefx_dense_cm_frame_f32(const float *EDGEFX_RESTRICT W, const float *EDGEFX_RESTRICT b,
                                             const float *EDGEFX_RESTRICT x, size_t n_in,
                                             float *EDGEFX_RESTRICT y, size_t n_out, int add)
{
    size_t o = 0, i;
#ifdef EDGEFX_SIMD_V8
    for (; o + 8 <= n_out; o += 8) {
        edgefx_v8f r = b ? edgefx_v8f_load(b + o) : edgefx_v8f_dup(0.0f);
        EDGEFX_UNROLL
        for (i = 0; i < n_in; i++) r = r + edgefx_v8f_load(W + i * n_out + o) * edgefx_v8f_dup(x[i]);
        edgefx_v8f_store(y + o, add ? edgefx_v8f_load(y + o) + r : r);
    }
#endif
#ifdef EDGEFX_SIMD_V4
    for (; o + 4 <= n_out; o += 4) {
        edgefx_v4f r = b ? edgefx_v4f_load(b + o) : edgefx_v4f_dup(0.0f);
        EDGEFX_UNROLL
        for (i = 0; i < n_in; i++) r = r + edgefx_v4f_load(W + i * n_out + o) * edgefx_v4f_dup(x[i]);
        edgefx_v4f_store(y + o, add ? edgefx_v4f_load(y + o) + r : r);
    }
#endif
    for (; o + 4 <= n_out; o += 4) {
        float r0 = b ? b[o] : 0.0f, r1 = b ? b[o + 1] : 0.0f, r2 = b ? b[o + 2] : 0.0f, r3 = b ? b[o + 3] : 0.0f;
        EDGEFX_UNROLL
        for (i = 0; i < n_in; i++) {
            const float xi = x[i];
            const float *EDGEFX_RESTRICT w = W + i * n_out + o;
            r0 += w[0] * xi;
            r1 += w[1] * xi;
            r2 += w[2] * xi;
            r3 += w[3] * xi;
        }
        if (add) {
            r0 = y[o] + r0;
            r1 = y[o + 1] + r1;
            r2 = y[o + 2] + r2;
            r3 = y[o + 3] + r3;
        }
        y[o] = r0;
        y[o + 1] = r1;
        y[o + 2] = r2;
        y[o + 3] = r3;
    }
    for (; o < n_out; o++) {
        float r = b ? b[o] : 0.0f;
        EDGEFX_UNROLL
        for (i = 0; i < n_in; i++) r += W[i * n_out + o] * x[i];
        y[o] = add ? y[o] + r : r;
    }
}

/* T frames of the 1x1 layer above: x [T][ldx] (n_in used per frame) -> y [T][n_out]. */
EDGEFX_INLINE void edgefx_dense_cm_block_f32(const float *W, const float *b, const float *x, size_t ldx,
                                             size_t n_in, float *y, size_t n_out, size_t T, int add)
{
    size_t t;
    for (t = 0; t < T; t++) edgefx_dense_cm_frame_f32(W, b, x + t * ldx, n_in, y + t * n_out, n_out, add);
}

/* y[o] = dot(W[o][:], x) + b[o] (b may be NULL: no bias). W row-major [n_out][n_in]. */
void edgefx_dense_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out);

/* y[o] = y[o] + (dot(W[o][:], x) + b[o]): a dense layer added into y (residual connections). */
void edgefx_dense_add_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out);

/* acc[o] += sum_i W[i][o] x[i]: the column-major product as a function (W is [n_in][n_out]). */
void edgefx_gemv_cm_f32(const float *W, const float *x, float *acc, size_t n_in, size_t n_out);

#endif /* EDGEFX_DENSE_H */
